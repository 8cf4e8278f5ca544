//! The git side of a pre-merge check: the repository around the scan root, the base commit,
//! the paths that differ from it, and the base's config files read from git objects (no
//! checkout), parsed by the same code that parses files on disk.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assay_collectors::config::parse_file;
use assay_collectors::confine::{self, Refused};
use assay_collectors::{Collection, Format, Scope, SkippedFile};
use git2::{DiffOptions, ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};
use rayon::prelude::*;

use crate::diag::Diagnostic;

/// The directory, at the top of the work tree, where base evaluations are cached (the config
/// collector never reads it).
pub use assay_collectors::config::CACHE_DIR;

/// A git work tree holding the scan root.
pub struct Repo {
    repo: Repository,
    workdir: PathBuf,
    /// The scan root relative to the work tree, with `/` separators and a trailing `/`
    /// (empty when the scan root is the work tree).
    prefix: String,
    root: PathBuf,
}

/// A blob of the base tree that the config collector would read.
struct Blob {
    path: String,
    oid: Oid,
}

fn git_error(root: &Path, message: String, hint: &str) -> Diagnostic {
    Diagnostic::new(root.display().to_string(), message).hint(hint)
}

impl Repo {
    /// Opens the git work tree that contains `root`.
    pub fn open(root: &Path) -> Result<Repo, Diagnostic> {
        let not_a_repo = |e: git2::Error| {
            git_error(
                root,
                format!("not inside a git work tree: {}", e.message()),
                "run `assay check` in a git repository, or compare with a file: `--baseline FILE`",
            )
        };
        let repo = Repository::discover(root).map_err(not_a_repo)?;
        let Some(workdir) = repo.workdir().map(Path::to_path_buf) else {
            return Err(git_error(
                root,
                "the repository is bare: there is no working tree to check".into(),
                "run `assay check` in a clone with a working tree",
            ));
        };
        let canonical = |p: &Path| {
            p.canonicalize().map_err(|e| {
                git_error(
                    p,
                    format!("cannot resolve the path: {e}"),
                    "pass an existing directory",
                )
            })
        };
        let (root_abs, workdir_abs) = (canonical(root)?, canonical(&workdir)?);
        let relative = root_abs.strip_prefix(&workdir_abs).unwrap_or(Path::new(""));
        let mut prefix: String = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if !prefix.is_empty() {
            prefix.push('/');
        }
        Ok(Repo {
            repo,
            workdir: workdir_abs,
            prefix,
            root: root.to_path_buf(),
        })
    }

    /// Where `assay check` caches base evaluations: inside the git directory, which no
    /// commit can write to, so that a pull request cannot plant a forged base evaluation.
    pub fn cache_dir(&self) -> PathBuf {
        self.repo.path().join(assay_collectors::git::CACHE_DIR)
    }

    /// The scan root relative to the work tree (`""` or `dir/sub/`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The commit `reference` names (a branch, tag, sha or any revision expression).
    pub fn resolve(&self, reference: &str) -> Result<Oid, Diagnostic> {
        self.repo
            .revparse_single(reference)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|e| {
                git_error(
                    &self.root,
                    format!("unknown revision `{reference}`: {}", e.message()),
                    "name a commit, branch or tag of this repository; in a shallow CI clone fetch \
                     it first (`git fetch --depth=1 origin <sha>`) or check out with full history",
                )
            })
    }

    /// The `differing` paths (see [`Repo::differing`]) that `scope` admits.
    pub fn changed_paths(&self, differing: &BTreeSet<String>, scope: &Scope) -> BTreeSet<String> {
        differing
            .iter()
            .filter(|p| self.admits(p, scope))
            .cloned()
            .collect()
    }

    /// Root-relative paths that differ between `base` and the work tree (staged, unstaged and
    /// untracked files; ignored files left out), whatever the scope.
    pub fn differing(&self, base: Oid) -> Result<BTreeSet<String>, Diagnostic> {
        let failed = |e: git2::Error| {
            git_error(
                &self.root,
                format!(
                    "cannot compare the work tree with the base: {}",
                    e.message()
                ),
                "check that the repository is readable",
            )
        };
        let tree = self
            .repo
            .find_commit(base)
            .and_then(|c| c.tree())
            .map_err(failed)?;
        let mut options = DiffOptions::new();
        options
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .ignore_submodules(true)
            .skip_binary_check(true);
        if !self.prefix.is_empty() {
            options.pathspec(&self.prefix);
        }
        let diff = self
            .repo
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))
            .map_err(failed)?;
        let mut paths = BTreeSet::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                let Some(path) = file.path().and_then(Path::to_str) else {
                    continue;
                };
                let path = path.replace('\\', "/");
                if let Some(relative) = self.relative(&path) {
                    paths.insert(relative.to_string());
                }
            }
        }
        Ok(paths)
    }

    /// The root-relative form of a work-tree path, when it lies under the scan root.
    fn relative<'p>(&self, path: &'p str) -> Option<&'p str> {
        path.strip_prefix(self.prefix.as_str())
    }

    /// Whether the config collector would read the root-relative `path`: in scope, not in
    /// the cache directory, not ignored by the repository's ignore rules.
    fn admits(&self, path: &str, scope: &Scope) -> bool {
        let in_cache = path.split('/').any(|c| c == CACHE_DIR);
        !in_cache
            && scope.admits(path)
            && !self
                .repo
                .is_path_ignored(format!("{}{path}", self.prefix))
                .unwrap_or(false)
    }

    /// Collects the config files of the scan root as they are in `base`, from git objects.
    pub fn collect_tree(&self, base: Oid, scope: &Scope) -> Result<Collection, Diagnostic> {
        let failed = |e: git2::Error| {
            git_error(
                &self.root,
                format!("cannot read the base tree: {}", e.message()),
                "check that the base commit is complete in this clone (not a partial fetch)",
            )
        };
        let mut tree = self
            .repo
            .find_commit(base)
            .and_then(|c| c.tree())
            .map_err(failed)?;
        if !self.prefix.is_empty() {
            match tree.get_path(Path::new(self.prefix.trim_end_matches('/'))) {
                Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                    tree = self.repo.find_tree(entry.id()).map_err(failed)?;
                }
                // The scan root does not exist in the base: it has no files.
                _ => return Ok(Collection::default()),
            }
        }
        let mut blobs = Vec::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            // Regular files only: symbolic links (0o120000) and submodules are not followed.
            let regular = matches!(entry.filemode(), 0o100644 | 0o100755);
            if let (true, Ok(name)) = (regular, entry.name()) {
                let path = format!("{dir}{name}");
                if Format::detect(name).is_some() && self.admits(&path, scope) {
                    blobs.push(Blob {
                        path,
                        oid: entry.id(),
                    });
                }
            }
            TreeWalkResult::Ok
        })
        .map_err(failed)?;
        let (max, workdir) = (scope.max_file_size, self.workdir.as_path());
        let parts: Vec<Collection> = blobs
            .par_iter()
            .map_init(
                || Repository::open(workdir).ok(),
                |repo, blob| read_blob(repo.as_ref(), blob, max),
            )
            .collect();
        let mut collection = Collection::default();
        for part in parts {
            collection.extend(part);
        }
        collection.sort();
        evaluate_terraform(&mut collection, scope);
        Ok(collection)
    }

    /// Collects the root-relative `paths` from the work tree as the config collector would
    /// (paths that no longer exist, or are not regular files, yield nothing); their Terraform
    /// files are evaluated together, so `paths` should hold whole module directories.
    pub fn collect_worktree(&self, paths: &BTreeSet<String>, scope: &Scope) -> Collection {
        let root = self.root.as_path();
        let parts: Vec<Collection> = paths
            .par_iter()
            .filter(|p| {
                Path::new(p.as_str())
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(Format::detect)
                    .is_some()
            })
            .map(|path| read_file(root, path, scope.max_file_size))
            .collect();
        let mut collection = Collection::default();
        for part in parts {
            collection.extend(part);
        }
        collection.sort();
        evaluate_terraform(&mut collection, scope);
        collection
    }
}

/// Evaluates the Terraform files of a collection together, as the config collector does.
fn evaluate_terraform(collection: &mut Collection, scope: &Scope) {
    assay_collectors::terraform::evaluate(
        collection,
        &scope.terraform_var_files,
        scope.max_file_size,
    );
}

fn too_large(path: &str, max: u64) -> Collection {
    Collection {
        skipped: vec![SkippedFile {
            path: path.to_string(),
            reason: format!("larger than the {max}-byte limit"),
        }],
        ..Collection::default()
    }
}

fn unreadable(path: &str, message: String) -> Collection {
    Collection {
        errors: vec![assay_collectors::SourceError {
            path: path.to_string(),
            position: None,
            message,
            hint: Some("check that the file can be read".into()),
        }],
        ..Collection::default()
    }
}

fn read_blob(repo: Option<&Repository>, blob: &Blob, max: u64) -> Collection {
    let Some(repo) = repo else {
        return unreadable(
            &blob.path,
            "cannot open the repository to read the base".into(),
        );
    };
    let size = repo
        .odb()
        .and_then(|odb| odb.read_header(blob.oid))
        .map(|(size, _)| size as u64);
    match size {
        Ok(size) if size > max => too_large(&blob.path, max),
        Ok(_) => match repo.find_blob(blob.oid) {
            Ok(b) => parse_file(&blob.path, b.content()),
            Err(e) => unreadable(
                &blob.path,
                format!("cannot read the base version: {}", e.message()),
            ),
        },
        Err(e) => unreadable(
            &blob.path,
            format!("cannot read the base version: {}", e.message()),
        ),
    }
}

fn read_file(root: &Path, path: &str, max: u64) -> Collection {
    match confine::read(root, path, max) {
        Ok(bytes) => parse_file(path, &bytes),
        // Deleted in the work tree, or not a regular file.
        Err(Refused::Missing | Refused::NotRegular) => Collection::default(),
        Err(reason) => Collection::unread(path, reason),
    }
}
