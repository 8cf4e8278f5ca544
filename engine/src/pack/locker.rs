//! The evidence locker: a local git repository keeping every pack under `packs/<name>/`, one
//! commit per scan, so history only grows and trends can be read back from it.

use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Repository, Signature};
use serde::Deserialize;

use super::manifest::{Manifest, MANIFEST_FILE, RESULTS_FILE};
use crate::site::{TrendPoint, TrendScore};

/// The folder of a locker holding the packs.
pub const PACKS_DIR: &str = "packs";
/// The commit trailer naming the pack a commit adds.
const PACK_TRAILER: &str = "Assay-Pack: ";
/// Archives are kept beside the packs but not committed: they are rebuilt byte for byte from
/// the pack directories.
const GITIGNORE: &str = "/packs/*.tar.gz\n/packs/*.partial\n";

/// An opened locker.
pub struct Locker {
    repo: Repository,
    dir: PathBuf,
}

/// A pack recorded in the locker's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedPack {
    /// The pack's folder, relative to the locker (`packs/<name>`).
    pub path: String,
    /// The commit that added it.
    pub commit: String,
}

/// The few fields of a results document a trend needs.
#[derive(Deserialize)]
struct TrendResults {
    scan: TrendScan,
    frameworks: Vec<TrendScore>,
}

#[derive(Deserialize)]
struct TrendScan {
    finished_at: String,
}

impl Locker {
    /// Opens the locker at `dir`, making a new repository when `dir` is absent or empty.
    pub fn open(dir: &Path) -> Result<Locker, String> {
        let shown = dir.display();
        let repo = match Repository::open(dir) {
            Ok(repo) => repo,
            Err(_) => {
                let empty = std::fs::read_dir(dir).map_or(true, |mut e| e.next().is_none());
                if !empty {
                    return Err(format!(
                        "`{shown}` holds files but is not a git repository\n  hint: give --locker an empty directory or an existing evidence locker"
                    ));
                }
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create `{shown}`: {e}"))?;
                let repo = Repository::init(dir)
                    .map_err(|e| format!("cannot make a git repository in `{shown}`: {e}"))?;
                std::fs::write(dir.join(".gitignore"), GITIGNORE)
                    .map_err(|e| format!("cannot write `{shown}/.gitignore`: {e}"))?;
                repo
            }
        };
        if repo.is_bare() {
            return Err(format!(
                "`{shown}` is a bare git repository\n  hint: an evidence locker needs a work tree; give a new directory"
            ));
        }
        Ok(Locker {
            repo,
            dir: dir.to_path_buf(),
        })
    }

    /// The packs committed so far, oldest first, along the first-parent history of HEAD.
    pub fn packs(&self) -> Result<Vec<LockedPack>, String> {
        let head = match self.repo.head() {
            Ok(head) => head,
            Err(_) => return Ok(Vec::new()),
        };
        let mut commit = Some(head.peel_to_commit().map_err(|e| self.error(e))?);
        let mut packs = Vec::new();
        while let Some(c) = commit {
            let path = c
                .message()
                .unwrap_or_default()
                .lines()
                .find_map(|l| l.strip_prefix(PACK_TRAILER))
                .map(str::trim);
            if let Some(path) = path {
                packs.push(LockedPack {
                    path: path.to_string(),
                    commit: c.id().to_string(),
                });
            }
            commit = c.parents().next();
        }
        packs.reverse();
        Ok(packs)
    }

    /// The root digest of the latest pack, to chain the next one to.
    pub fn latest_root(&self) -> Result<Option<String>, String> {
        let Some(last) = self.packs()?.pop() else {
            return Ok(None);
        };
        let bytes = self.committed_file(&last, MANIFEST_FILE)?;
        let manifest = Manifest::parse(&bytes)
            .map_err(|e| format!("{}/{MANIFEST_FILE} in the locker: {e}", last.path))?;
        Ok(Some(manifest.root))
    }

    /// The `results.json` of every committed pack as committed, oldest first, each with its
    /// pack's name (the folder under `packs/`).
    pub fn results_history(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        self.packs()?
            .iter()
            .map(|pack| {
                let name = pack.path.strip_prefix(&format!("{PACKS_DIR}/"));
                let name = name.unwrap_or(&pack.path).to_string();
                Ok((name, self.committed_file(pack, RESULTS_FILE)?))
            })
            .collect()
    }

    /// The framework scores of every committed pack, oldest first.
    pub fn trend(&self) -> Result<Vec<TrendPoint>, String> {
        trend_of(&self.results_history()?)
    }

    /// A new, unused pack folder named after the scan's finish time.
    pub fn new_pack_dir(&self, finished_at: &str) -> PathBuf {
        let stamp = pack_stamp(finished_at);
        let packs = self.dir.join(PACKS_DIR);
        let mut n = 1;
        loop {
            let name = if n == 1 {
                stamp.clone()
            } else {
                format!("{stamp}-{n}")
            };
            let dir = packs.join(&name);
            if !dir.exists() && !packs.join(format!("{name}.tar.gz")).exists() {
                return dir;
            }
            n += 1;
        }
    }

    /// Commits the pack written at `pack_dir` (a folder under `packs/`), with `root` and a
    /// summary in the message. Returns the commit id.
    pub fn commit(&self, pack_dir: &Path, root: &str, summary: &str) -> Result<String, String> {
        let name = pack_dir
            .strip_prefix(self.dir.join(PACKS_DIR))
            .ok()
            .and_then(|p| p.to_str())
            .filter(|n| !n.is_empty() && !n.contains(['/', '\\']))
            .ok_or_else(|| {
                format!(
                    "`{}` is not a pack folder of the locker",
                    pack_dir.display()
                )
            })?;
        let path = format!("{PACKS_DIR}/{name}");
        let mut index = self.repo.index().map_err(|e| self.error(e))?;
        index
            .add_all([path.as_str(), ".gitignore"], IndexAddOption::DEFAULT, None)
            .map_err(|e| self.error(e))?;
        index.write().map_err(|e| self.error(e))?;
        let tree_id = index.write_tree().map_err(|e| self.error(e))?;
        let tree = self.repo.find_tree(tree_id).map_err(|e| self.error(e))?;
        let parent = match self.repo.head() {
            Ok(head) => Some(head.peel_to_commit().map_err(|e| self.error(e))?),
            Err(_) => None,
        };
        let who = Signature::now("assay", "assay@localhost").map_err(|e| self.error(e))?;
        let message = format!(
            "Evidence pack {name}\n\n{summary}\n\n{PACK_TRAILER}{path}\nAssay-Root: {root}\n"
        );
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let id = self
            .repo
            .commit(Some("HEAD"), &who, &who, &message, &tree, &parents)
            .map_err(|e| self.error(e))?;
        Ok(id.to_string())
    }

    /// The work-tree folder of a committed pack.
    pub fn pack_dir(&self, pack: &LockedPack) -> PathBuf {
        self.dir.join(&pack.path)
    }

    /// A file of a pack as committed (not as it is in the work tree).
    fn committed_file(&self, pack: &LockedPack, file: &str) -> Result<Vec<u8>, String> {
        let commit = git2::Oid::from_str(&pack.commit)
            .and_then(|id| self.repo.find_commit(id))
            .map_err(|e| self.error(e))?;
        let tree = commit.tree().map_err(|e| self.error(e))?;
        let entry = tree
            .get_path(Path::new(&format!("{}/{file}", pack.path)))
            .map_err(|_| {
                format!(
                    "the locker's commit {} names {} but holds no {file} there",
                    pack.commit, pack.path
                )
            })?;
        let blob = self.repo.find_blob(entry.id()).map_err(|e| self.error(e))?;
        Ok(blob.content().to_vec())
    }

    fn error(&self, e: git2::Error) -> String {
        format!("evidence locker `{}`: {}", self.dir.display(), e.message())
    }
}

/// The framework scores of each `(pack name, results.json)` of a locker's history.
pub fn trend_of(history: &[(String, Vec<u8>)]) -> Result<Vec<TrendPoint>, String> {
    history
        .iter()
        .map(|(name, bytes)| trend_point(&format!("{PACKS_DIR}/{name}"), bytes))
        .collect()
}

/// A pack's name in a locker: the scan's finish time, letters and digits only.
pub fn pack_stamp(finished_at: &str) -> String {
    let stamp: String = finished_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if stamp.is_empty() {
        "pack".to_string()
    } else {
        stamp
    }
}

/// The trend point of one pack's `results.json`; `pack` names it in errors.
fn trend_point(pack: &str, results: &[u8]) -> Result<TrendPoint, String> {
    let r: TrendResults = serde_json::from_slice(results)
        .map_err(|e| format!("{pack}/{RESULTS_FILE} in the locker: {e}"))?;
    Ok(TrendPoint {
        label: r.scan.finished_at,
        scores: r.frameworks,
    })
}
