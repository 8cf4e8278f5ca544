//! The git commit a scanned directory is at and where its tree came from, for the scan's metadata.

use std::path::Path;

/// The id of the commit checked out at `root`, when `root` is the top of a git work tree
/// (or a bare repository) with at least one commit; `None` otherwise.
pub fn head_commit(root: &Path) -> Option<String> {
    let repo = git2::Repository::open(root).ok()?;
    let commit = repo.head().ok()?.peel_to_commit().ok()?;
    Some(commit.id().to_string())
}

/// Files listed at most per kind of change in [`Provenance`]; the rest are counted.
pub const FILES_LISTED: usize = 200;

/// Where the scanned tree came from: the repository, branch and whether the work tree held
/// changes not in the commit (the evidence was then taken from those files, not the commit).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Provenance {
    /// The repository's name from `assay.yaml` (`repository.name`): names it when there is no
    /// remote, and beside the remote otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The URL of the `origin` remote (else the first remote), without credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// The branch checked out; none for a detached HEAD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Whether tracked files differ from the commit or untracked files exist.
    pub dirty: bool,
    /// Tracked files changed, added or deleted since the commit (at most [`FILES_LISTED`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modified: Vec<String>,
    /// Files not tracked by git and not ignored (at most [`FILES_LISTED`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub untracked: Vec<String>,
    /// Changed or untracked files beyond the listed ones.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The provenance of the tree at `root`, named `name` (`repository.name` in `assay.yaml`):
/// remote, branch and work-tree state when it is the top of a git work tree, else the name
/// alone; `None` when neither is known.
pub fn provenance(root: &Path, name: Option<&str>) -> Option<Provenance> {
    let named = || Provenance {
        name: name.map(str::to_string),
        ..Provenance::default()
    };
    let Ok(repo) = git2::Repository::open(root) else {
        return name.map(|_| named());
    };
    let remote = repo.find_remote("origin").ok().or_else(|| {
        let names = repo.remotes().ok()?;
        let first = names.iter().flatten().flatten().next()?.to_string();
        repo.find_remote(&first).ok()
    });
    let remote = remote.and_then(|r| r.url().ok().map(strip_credentials));
    let branch = repo
        .head()
        .ok()
        .filter(git2::Reference::is_branch)
        .and_then(|h| h.shorthand().ok().map(str::to_string));
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    let mut out = Provenance {
        remote,
        branch,
        ..named()
    };
    if let Ok(statuses) = repo.statuses(Some(&mut options)) {
        for entry in statuses.iter() {
            let Ok(path) = entry.path() else { continue };
            let status = entry.status();
            let list = if status.contains(git2::Status::WT_NEW) {
                &mut out.untracked
            } else if status.intersects(
                git2::Status::WT_MODIFIED
                    | git2::Status::WT_DELETED
                    | git2::Status::WT_RENAMED
                    | git2::Status::WT_TYPECHANGE
                    | git2::Status::INDEX_NEW
                    | git2::Status::INDEX_MODIFIED
                    | git2::Status::INDEX_DELETED
                    | git2::Status::INDEX_RENAMED
                    | git2::Status::INDEX_TYPECHANGE,
            ) {
                &mut out.modified
            } else {
                continue;
            };
            out.dirty = true;
            if list.len() < FILES_LISTED {
                list.push(path.to_string());
            } else {
                out.more += 1;
            }
        }
    }
    out.modified.sort();
    out.untracked.sort();
    Some(out)
}

/// A remote URL without the user name and password it may carry
/// (`https://user:token@host/x` → `https://host/x`).
pub fn strip_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        // scp-like `git@host:org/repo.git` names a user, no secret.
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_stripped_from_remotes() {
        assert_eq!(
            strip_credentials("https://x-access-token:abc@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(
            strip_credentials("https://github.com/o/r"),
            "https://github.com/o/r"
        );
        assert_eq!(
            strip_credentials("git@github.com:o/r.git"),
            "git@github.com:o/r.git"
        );
    }

    #[test]
    fn a_dirty_tree_lists_its_changes() {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        std::fs::write(dir.path().join("a.txt"), "1").unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("a.txt")).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let who = git2::Signature::now("t", "t@example.com").unwrap();
        repo.commit(Some("HEAD"), &who, &who, "m", &tree, &[])
            .unwrap();
        repo.remote("origin", "https://u:p@example.com/r.git")
            .unwrap();
        let clean = provenance(dir.path(), None).unwrap();
        assert!(!clean.dirty, "{clean:?}");
        assert_eq!(clean.remote.as_deref(), Some("https://example.com/r.git"));
        std::fs::write(dir.path().join("a.txt"), "2").unwrap();
        std::fs::write(dir.path().join("b.txt"), "new").unwrap();
        let dirty = provenance(dir.path(), None).unwrap();
        assert!(dirty.dirty);
        assert_eq!(dirty.modified, ["a.txt"]);
        assert_eq!(dirty.untracked, ["b.txt"]);
        let named = provenance(dir.path(), Some("payments")).unwrap();
        assert_eq!(named.name.as_deref(), Some("payments"));
        assert_eq!(named.remote.as_deref(), Some("https://example.com/r.git"));
    }

    #[test]
    fn a_tree_outside_git_is_named_by_the_config_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(provenance(dir.path(), None), None);
        let named = provenance(dir.path(), Some("payments")).unwrap();
        assert_eq!(named.name.as_deref(), Some("payments"));
        assert!(!named.dirty && named.remote.is_none() && named.branch.is_none());
    }
}
