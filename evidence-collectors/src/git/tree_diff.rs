//! Tree-to-tree comparison that descends only into subtrees whose ids differ, so that the cost
//! of a commit's diff follows the size of its change, not the size of the repository.

use std::cmp::Ordering;

use git2::{ObjectType, Oid, Repository, Tree};

/// One changed path: the blob before and after (`None` when absent, or not a blob).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub old: Option<Oid>,
    pub new: Option<Oid>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    Blob(Oid),
    Tree(Oid),
    /// Submodules and anything else that is not content of this repository.
    Other,
}

fn entry_of(e: &git2::TreeEntry<'_>) -> Entry {
    match e.kind() {
        Some(ObjectType::Blob) => Entry::Blob(e.id()),
        Some(ObjectType::Tree) => Entry::Tree(e.id()),
        _ => Entry::Other,
    }
}

/// Git's order of tree entries: by name, a tree's name compared as if it ended in `/`.
fn git_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> Ordering {
    let n = a.len().min(b.len());
    match a[..n].cmp(&b[..n]) {
        Ordering::Equal => {
            let end = |name: &[u8], tree: bool| {
                name.get(n).copied().unwrap_or(if tree { b'/' } else { 0 })
            };
            end(a, a_tree).cmp(&end(b, b_tree))
        }
        other => other,
    }
}

/// The blob-level changes between `old` (`None`: the empty tree) and `new`, in tree order.
pub fn changes(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
) -> Result<Vec<Change>, git2::Error> {
    let mut out = Vec::new();
    walk(repo, old, new, "", &mut out)?;
    Ok(out)
}

fn join(prefix: &str, name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    if prefix.is_empty() {
        name.into_owned()
    } else {
        format!("{prefix}/{name}")
    }
}

/// Merges the sorted entries of both trees; equal ids are skipped without being read.
fn walk(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    prefix: &str,
    out: &mut Vec<Change>,
) -> Result<(), git2::Error> {
    let mut before = old.into_iter().flat_map(|t| t.iter()).peekable();
    let mut after = new.into_iter().flat_map(|t| t.iter()).peekable();
    loop {
        let order = match (before.peek(), after.peek()) {
            (None, None) => return Ok(()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(a), Some(b)) => git_order(
                a.name_bytes(),
                a.kind() == Some(ObjectType::Tree),
                b.name_bytes(),
                b.kind() == Some(ObjectType::Tree),
            ),
        };
        let (o, n) = match order {
            Ordering::Less => (before.next(), None),
            Ordering::Greater => (None, after.next()),
            Ordering::Equal => (before.next(), after.next()),
        };
        let (old_entry, new_entry) = (o.as_ref().map(entry_of), n.as_ref().map(entry_of));
        if old_entry == new_entry {
            continue;
        }
        let path = join(
            prefix,
            o.as_ref()
                .or(n.as_ref())
                .map_or(&[][..], |e| e.name_bytes()),
        );
        let (o, n) = (old_entry, new_entry);
        let subtree = |e: Option<Entry>| -> Result<Option<Tree<'_>>, git2::Error> {
            match e {
                Some(Entry::Tree(id)) => repo.find_tree(id).map(Some),
                _ => Ok(None),
            }
        };
        let (old_tree, new_tree) = (subtree(o)?, subtree(n)?);
        if old_tree.is_some() || new_tree.is_some() {
            walk(repo, old_tree.as_ref(), new_tree.as_ref(), &path, out)?;
        }
        let blob = |e: Option<Entry>| match e {
            Some(Entry::Blob(id)) => Some(id),
            _ => None,
        };
        let (old_blob, new_blob) = (blob(o), blob(n));
        if old_blob.is_some() || new_blob.is_some() {
            out.push(Change {
                path,
                old: old_blob,
                new: new_blob,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(repo: &Repository, files: &[(&str, &str)]) -> Oid {
        let mut index = git2::Index::new().unwrap();
        for (path, content) in files {
            let id = repo.blob(content.as_bytes()).unwrap();
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: 0,
                id,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).unwrap();
        }
        index.write_tree_to(repo).unwrap()
    }

    #[test]
    fn changed_blobs_only() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let a = repo
            .find_tree(tree(
                &repo,
                &[
                    ("a/x.txt", "1"),
                    ("a/y.txt", "2"),
                    ("b/z.txt", "3"),
                    ("c", "file"),
                ],
            ))
            .unwrap();
        let b = repo
            .find_tree(tree(
                &repo,
                &[
                    ("a/x.txt", "1"),
                    ("a/y.txt", "two"),
                    ("c/inner.txt", "dir now"),
                    ("d.txt", "4"),
                ],
            ))
            .unwrap();
        let got: Vec<(String, bool, bool)> = changes(&repo, Some(&a), Some(&b))
            .unwrap()
            .into_iter()
            .map(|c| (c.path, c.old.is_some(), c.new.is_some()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a/y.txt".to_string(), true, true),
                ("b/z.txt".to_string(), true, false),
                ("c".to_string(), true, false),
                ("c/inner.txt".to_string(), false, true),
                ("d.txt".to_string(), false, true),
            ]
        );
        let root = changes(&repo, None, Some(&a)).unwrap();
        assert_eq!(root.len(), 4);
    }
}
