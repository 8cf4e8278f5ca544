//! A git repository in a temporary directory, built with git2, for tests of `assay check`.
// Shared by several test crates, each using part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use git2::{IndexAddOption, Oid, Repository, Signature};

/// A work tree with its repository.
pub struct GitRepo {
    pub dir: tempfile::TempDir,
    pub repo: Repository,
}

impl GitRepo {
    /// A new repository holding a copy of the files under `template` (not yet committed).
    pub fn from(template: &Path) -> GitRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_tree(template, dir.path());
        let repo = Repository::init(dir.path()).expect("git init");
        GitRepo { dir, repo }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The full path of a file of the work tree.
    pub fn file(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file of the work tree, creating its directory.
    pub fn write(&self, relative: &str, text: &str) {
        let path = self.file(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Replaces `from` with `to` in a file of the work tree (which must contain it).
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.file(relative)).unwrap();
        assert!(
            text.contains(from),
            "`{relative}` does not contain `{from}`"
        );
        std::fs::write(self.file(relative), text.replacen(from, to, 1)).unwrap();
    }

    /// Commits every file of the work tree (honouring .gitignore) and returns the commit id.
    pub fn commit_all(&self, message: &str) -> Oid {
        let mut index = self.repo.index().unwrap();
        index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        let who = Signature::now("assay tests", "tests@example.com").unwrap();
        let parents: Vec<git2::Commit> = self
            .repo
            .head()
            .ok()
            .and_then(|h| h.peel_to_commit().ok())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit> = parents.iter().collect();
        self.repo
            .commit(Some("HEAD"), &who, &who, message, &tree, &parents)
            .unwrap()
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
