//! Finding files under the scan root in parallel, honouring `.gitignore` and never entering
//! `.git`, for collectors that pick files by name; a [`Listing`] lets the collectors of one
//! collection share a single walk.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;

/// Every file under one root, listed by the first collector that asks and filtered by the
/// others, so that the collectors of one collection walk the tree once between them.
pub struct Listing {
    root: PathBuf,
    files: OnceLock<Vec<String>>,
}

impl Listing {
    /// An empty listing of `root`; the tree is walked on first use.
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            files: OnceLock::new(),
        }
    }

    /// The files under `root` that `keep` accepts, as [`files`] would find them; `None` when
    /// this is the listing of another root.
    pub fn files(&self, root: &Path, keep: &(dyn Fn(&str) -> bool + Sync)) -> Option<Vec<String>> {
        if root != self.root {
            return None;
        }
        let all = self.files.get_or_init(|| files(&self.root, &|_| true));
        Some(all.par_iter().filter(|p| keep(p)).cloned().collect())
    }
}

impl std::fmt::Debug for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("root", &self.root)
            .field("files", &self.files.get().map(Vec::len))
            .finish()
    }
}

/// The root-relative paths (with `/` separators) of the files `keep` accepts, sorted.
pub fn files(root: &Path, keep: &(dyn Fn(&str) -> bool + Sync)) -> Vec<String> {
    let found = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    return WalkState::Continue;
                };
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    let relative = relative(root, entry.path());
                    if keep(&relative) {
                        found
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(relative);
                    }
                }
                WalkState::Continue
            })
        });
    let mut paths = found.into_inner().unwrap_or_else(|e| e.into_inner());
    paths.sort();
    paths
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

/// Reads a file of at most `max` bytes; `Ok(None)` when it is larger.
pub fn read_limited(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    if size > max {
        return Ok(None);
    }
    // Sized from the metadata, so that a file is read in one call (and one more that finds
    // its end) rather than in a growing series of small reads.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(max + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
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
