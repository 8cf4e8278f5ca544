//! Finding files under the scan root in parallel, honouring `.gitignore` and `.ignore` (but
//! never hiding a file tracked by git) and never entering `.git`, for collectors that pick
//! files by name; a [`Listing`] lets the collectors of one collection share a single walk.
//!
//! Links to files inside the root are listed like the files; links that leave the root,
//! broken links, special files (FIFOs, sockets, devices), unreadable directories and what the
//! ignore rules leave out are listed as [`SkippedFile`]s with the reason.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;

use crate::collector::SkippedFile;
use crate::confine::{self, Refused};

/// Every file under one root, listed by the first collector that asks and filtered by the
/// others, so that the collectors of one collection walk the tree once between them.
pub struct Listing {
    root: PathBuf,
    walked: OnceLock<Walked>,
}

impl Listing {
    /// An empty listing of `root`; the tree is walked on first use.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            walked: OnceLock::new(),
        }
    }

    /// The walk of `root`; `None` when this is the listing of another root.
    pub fn walked(&self, root: &Path) -> Option<&Walked> {
        (root == self.root).then(|| self.walked.get_or_init(|| walk(&self.root)))
    }

    /// The files under `root` that `keep` accepts, as [`files`] would find them; `None` when
    /// this is the listing of another root.
    pub fn files(&self, root: &Path, keep: &(dyn Fn(&str) -> bool + Sync)) -> Option<Vec<String>> {
        let all = self.walked(root)?;
        Some(all.files.par_iter().filter(|p| keep(p)).cloned().collect())
    }
}

impl std::fmt::Debug for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("root", &self.root)
            .field("files", &self.walked.get().map(|w| w.files.len()))
            .finish()
    }
}

/// What one walk of a root found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walked {
    /// Root-relative paths (with `/` separators) of the regular files, sorted.
    pub files: Vec<String>,
    /// What was left out and why, sorted by path; an ignored directory once.
    pub skipped: Vec<SkippedFile>,
}

/// The reason given for what `.gitignore` / `.ignore` rules leave out.
pub const IGNORED: &str = "matched a .gitignore or .ignore rule";

/// The root-relative paths (with `/` separators) of the files `keep` accepts, sorted.
pub fn files(root: &Path, keep: &(dyn Fn(&str) -> bool + Sync)) -> Vec<String> {
    walk(root).files.into_iter().filter(|p| keep(p)).collect()
}

/// Walks `root`: the files the ignore rules admit, the files git tracks even when an ignore
/// rule matches them, and the notes on what was left out.
pub fn walk(root: &Path) -> Walked {
    let seen = Mutex::new(Seen::default());
    WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let note = match entry {
                    Ok(entry) => classify(root, &entry),
                    Err(e) => Entry::Skipped(walk_error(root, &e)),
                };
                seen.lock().unwrap_or_else(|e| e.into_inner()).add(note);
                WalkState::Continue
            })
        });
    let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());
    let (ignored_files, ignored_dirs) = ignored(root, seen.dirs, &seen.met);
    let mut files: BTreeSet<String> = seen.files;
    let mut skipped = seen.skipped;
    let tracked = tracked(root);
    let mut keep_tracked = |path: &str| match confine::resolve(root, path) {
        Ok(p) if p.is_file() => {
            files.insert(path.to_string());
        }
        Ok(_) => {}
        Err(reason) => skipped.push(SkippedFile {
            path: path.to_string(),
            reason: reason.to_string(),
        }),
    };
    let mut ignored_notes = Vec::new();
    for path in ignored_files {
        if tracked.contains(&path) {
            keep_tracked(path.as_str());
        } else {
            ignored_notes.push(SkippedFile {
                path,
                reason: IGNORED.into(),
            });
        }
    }
    for dir in ignored_dirs {
        let prefix = format!("{dir}/");
        let mut below: Vec<&String> = tracked.iter().filter(|t| t.starts_with(&prefix)).collect();
        below.sort();
        for path in &below {
            keep_tracked(path.as_str());
        }
        let reason = if below.is_empty() {
            IGNORED.to_string()
        } else {
            format!("{IGNORED} (the files git tracks below it are scanned)")
        };
        ignored_notes.push(SkippedFile {
            path: format!("{dir}/"),
            reason,
        });
    }
    skipped.extend(ignored_notes);
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Walked {
        files: files.into_iter().collect(),
        skipped,
    }
}

/// One entry of the walk.
enum Entry {
    File(String),
    Dir(String),
    Skipped(SkippedFile),
    /// Met and left alone without a note (a link to a directory inside the root).
    Met(String),
    None,
}

/// What the first walk found.
#[derive(Default)]
struct Seen {
    files: BTreeSet<String>,
    dirs: HashSet<String>,
    /// Every non-directory path met, listed or skipped.
    met: HashSet<String>,
    skipped: Vec<SkippedFile>,
}

impl Seen {
    fn add(&mut self, entry: Entry) {
        match entry {
            Entry::File(path) => {
                self.met.insert(path.clone());
                self.files.insert(path);
            }
            Entry::Dir(path) => {
                self.dirs.insert(path);
            }
            Entry::Skipped(skip) => {
                self.met.insert(skip.path.clone());
                self.skipped.push(skip);
            }
            Entry::Met(path) => {
                self.met.insert(path);
            }
            Entry::None => {}
        }
    }
}

/// A file, a directory, a link resolved inside the root, or a note on what is left out.
fn classify(root: &Path, entry: &ignore::DirEntry) -> Entry {
    let relative = relative(root, entry.path());
    let Some(kind) = entry.file_type() else {
        return Entry::None;
    };
    if kind.is_dir() {
        return Entry::Dir(relative);
    }
    if kind.is_file() {
        return Entry::File(relative);
    }
    let reason = if kind.is_symlink() {
        match confine::resolve(root, &relative) {
            Ok(target) if target.is_file() => return Entry::File(relative),
            // A link to a directory inside the root: that directory is walked where it is.
            Ok(target) if target.is_dir() => return Entry::Met(relative),
            Ok(_) => Refused::NotRegular.to_string(),
            Err(Refused::Missing) => "broken link".to_string(),
            Err(reason) => reason.to_string(),
        }
    } else {
        Refused::NotRegular.to_string()
    };
    Entry::Skipped(SkippedFile {
        path: relative,
        reason,
    })
}

/// The note for an entry the walk could not read (an unreadable directory, a link loop), with
/// the OS reason and the root-relative path.
fn walk_error(root: &Path, error: &ignore::Error) -> SkippedFile {
    let mut path = None;
    let mut e = error;
    let reason = loop {
        match e {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| p.clone());
                e = &**err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                e = &**err;
            }
            ignore::Error::Partial(errors) if !errors.is_empty() => e = &errors[0],
            ignore::Error::Io(io) => break format!("cannot read: {}", confine::os_reason(io)),
            ignore::Error::Loop { child, .. } => {
                path.get_or_insert_with(|| child.clone());
                break "link loop".to_string();
            }
            _ => break "invalid ignore rule".to_string(),
        }
    };
    SkippedFile {
        path: path.map_or_else(|| ".".to_string(), |p| relative(root, &p)),
        reason,
    }
}

/// The files and the top-most directories the ignore rules left out of a walk that entered
/// `dirs` and met `met`: a second walk without ignore rules, entering only those directories.
fn ignored(
    root: &Path,
    dirs: HashSet<String>,
    met: &HashSet<String>,
) -> (Vec<String>, Vec<String>) {
    let pruned = Arc::new(Mutex::new(Vec::new()));
    let files = Mutex::new(Vec::new());
    let (base, pruning) = (root.to_path_buf(), pruned.clone());
    WalkBuilder::new(root)
        .standard_filters(false)
        .filter_entry(move |entry| {
            if entry.file_name() == ".git" {
                return false;
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir && entry.depth() > 0 {
                let path = relative(&base, entry.path());
                if !dirs.contains(&path) {
                    pruning.lock().unwrap_or_else(|e| e.into_inner()).push(path);
                    return false;
                }
            }
            true
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                if let Ok(entry) = entry {
                    if !entry.file_type().is_some_and(|t| t.is_dir()) {
                        let path = relative(root, entry.path());
                        if !met.contains(&path) {
                            files.lock().unwrap_or_else(|e| e.into_inner()).push(path);
                        }
                    }
                }
                WalkState::Continue
            })
        });
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut dirs = std::mem::take(&mut *pruned.lock().unwrap_or_else(|e| e.into_inner()));
    files.sort();
    dirs.sort();
    (files, dirs)
}

/// The root-relative paths of the files in git's index, when `root` is the top of a git work
/// tree; empty otherwise.
fn tracked(root: &Path) -> HashSet<String> {
    let Ok(repo) = git2::Repository::open_ext(
        root,
        git2::RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&std::ffi::OsStr>(),
    ) else {
        return HashSet::new();
    };
    let Ok(index) = repo.index() else {
        return HashSet::new();
    };
    index
        .iter()
        .filter_map(|e| String::from_utf8(e.path).ok())
        .collect()
}

/// The root-relative path of `path`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collector::Scope;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in [
            ("a.yaml", "a: 1\n"),
            ("k8s/b.yml", "b: 2\n"),
            ("k8s/notes.md", "# B\n"),
            ("build/out.yaml", "ignored: true\n"),
            (".git/config", "[core]\n"),
            (".gitignore", "build/\n"),
        ] {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        dir
    }

    #[test]
    fn a_shared_listing_finds_what_a_walk_finds() {
        let dir = tree();
        let yaml = |p: &str| p.ends_with(".yaml") || p.ends_with(".yml");
        let walked = files(dir.path(), &yaml);
        assert_eq!(walked, vec!["a.yaml", "k8s/b.yml"]);
        let listing = Listing::new(dir.path());
        assert_eq!(listing.files(dir.path(), &yaml), Some(walked));
        assert_eq!(
            listing.files(dir.path(), &|p| p.ends_with(".md")),
            Some(vec!["k8s/notes.md".to_string()])
        );
        assert_eq!(
            listing.files(dir.path(), &|_| true).map(|f| f.len()),
            Some(4)
        );
        assert_eq!(listing.files(&dir.path().join("k8s"), &yaml), None);
    }

    #[test]
    fn what_the_ignore_rules_leave_out_is_listed_once_per_directory() {
        let dir = tree();
        std::fs::write(dir.path().join("build/more.yaml"), "x: 1\n").unwrap();
        let walked = walk(dir.path());
        assert_eq!(
            walked.skipped,
            vec![SkippedFile {
                path: "build/".into(),
                reason: IGNORED.into()
            }]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_listed_inside_the_root_and_noted_outside() {
        let dir = tree();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "s: 1\n").unwrap();
        let link = |target: &Path, name: &str| {
            std::os::unix::fs::symlink(target, dir.path().join(name)).unwrap();
        };
        link(&outside.path().join("secret.yaml"), "out.yaml");
        link(Path::new("a.yaml"), "in.yaml");
        link(Path::new("k8s"), "k8s-link");
        link(Path::new("gone.yaml"), "broken.yaml");
        let walked = walk(dir.path());
        assert!(walked.files.contains(&"in.yaml".to_string()));
        assert!(!walked.files.iter().any(|f| f.starts_with("k8s-link")));
        let notes: Vec<(&str, &str)> = walked
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            notes,
            vec![
                ("broken.yaml", "broken link"),
                ("build/", IGNORED),
                ("out.yaml", "link leaves the scan root"),
            ]
        );
    }

    #[test]
    fn a_scope_sharing_its_walk_lists_the_same_files() {
        let dir = tree();
        let scope = Scope::new(dir.path());
        let shared = scope.sharing_walk();
        let all = |_: &str| true;
        assert_eq!(shared.files(&all), scope.files(&all));
        assert_eq!(
            shared.files(&all),
            vec![".gitignore", "a.yaml", "k8s/b.yml", "k8s/notes.md"]
        );
        // A copy pointed at another root walks that root, not the shared listing.
        let mut moved = shared.clone();
        moved.root = dir.path().join("k8s");
        assert_eq!(moved.files(&all), vec!["b.yml", "notes.md"]);
    }
}
