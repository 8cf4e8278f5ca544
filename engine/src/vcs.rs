//! The git commit a scanned directory is at, for the scan's metadata.

use std::path::Path;

/// The id of the commit checked out at `root`, when `root` is the top of a git work tree
/// (or a bare repository) with at least one commit; `None` otherwise.
pub fn head_commit(root: &Path) -> Option<String> {
    let repo = git2::Repository::open(root).ok()?;
    let commit = repo.head().ok()?.peel_to_commit().ok()?;
    Some(commit.id().to_string())
}
