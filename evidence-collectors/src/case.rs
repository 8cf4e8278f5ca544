//! Setting up a control's test case before it is collected: a case folder may hold an
//! `assay-case.yaml` that pins the scan time and describes a git history to build there, so
//! that controls over time-dependent evidence (review ages) and over git history can be tested
//! with plain files.
//!
//! ```yaml
//! now: 2024-06-01T00:00:00Z          # the scan time (RFC 3339); default: the real time
//! collectors:                        # collector settings, as under `collectors:` in assay.yaml
//!   audit_log: {sources: [{path: "logs/*.jsonl"}]}
//! git:                               # a repository built in the case folder
//!   branch: main                     # default: main
//!   commits:                         # oldest first
//!     - name: base                   # how later commits name it in `parents`
//!       author: Ann <ann@example.org>
//!       date: 2024-05-01T10:00:00Z
//!       message: Initial commit
//!       files: {README.md: "# app\n"} # changes to the tree; null deletes a file
//!       parents: [base]              # default: the previous commit of the list
//!       signed: true                 # an OpenPGP-armored placeholder signature (present,
//!                                    # not verifiable)
//! ```
//! The branch points at the last commit of the list, checked out in the case folder; a
//! commit's tree is its first parent's with `files` applied.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{Oid, Repository, Signature, Time};
use serde::Deserialize;

use crate::collector::Scope;
use crate::formats::yaml;

/// The name of the setup file in a case folder.
pub const FILE: &str = "assay-case.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    now: Option<String>,
    git: Option<History>,
    #[serde(default)]
    collectors: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct History {
    #[serde(default = "main")]
    branch: String,
    commits: Vec<CommitSpec>,
}

fn main() -> String {
    "main".to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitSpec {
    name: Option<String>,
    author: String,
    date: String,
    message: String,
    #[serde(default)]
    files: BTreeMap<String, Option<String>>,
    parents: Option<Vec<String>>,
    #[serde(default)]
    signed: bool,
}

/// Applies the case's `assay-case.yaml`, if it has one, to the folder at `root` and to `scope`.
pub fn prepare(root: &Path, scope: &mut Scope) -> Result<(), String> {
    let path = root.join(FILE);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let value = yaml::parse(&text)
        .map_err(|e| {
            format!(
                "{FILE}:{}:{}: {}",
                e.position.line, e.position.column, e.message
            )
        })?
        .into_iter()
        .next()
        .map(|p| p.data)
        .unwrap_or_default();
    let case: Case = serde_json::from_value(value).map_err(|e| format!("{FILE}: {e}"))?;
    if let Some(now) = &case.now {
        let at: jiff::Timestamp = now
            .parse()
            .map_err(|e| format!("{FILE}: `now: {now}` is not an RFC 3339 time: {e}"))?;
        scope.now = at.into();
    }
    scope.settings.extend(case.collectors);
    if let Some(history) = &case.git {
        build(root, history).map_err(|e| format!("{FILE}: {e}"))?;
    }
    Ok(())
}

fn signature(who: &str, date: &str) -> Result<Signature<'static>, String> {
    let at: jiff::Timestamp = date
        .parse()
        .map_err(|e| format!("`date: {date}` is not an RFC 3339 time: {e}"))?;
    let (name, email) = match (who.find('<'), who.rfind('>')) {
        (Some(start), Some(end)) if start < end => (who[..start].trim(), &who[start + 1..end]),
        _ => return Err(format!("`author: {who}` must read `Name <email>`")),
    };
    Signature::new(name, email, &Time::new(at.as_second(), 0)).map_err(|e| e.message().to_string())
}

/// Writes `files` into a tree, recursively by directory.
fn write_tree(repo: &Repository, files: &BTreeMap<String, String>) -> Result<Oid, git2::Error> {
    let mut dirs: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    let mut builder = repo.treebuilder(None)?;
    for (path, content) in files {
        match path.split_once('/') {
            Some((dir, rest)) => {
                dirs.entry(dir)
                    .or_default()
                    .insert(rest.to_string(), content.clone());
            }
            None => {
                let blob = repo.blob(content.as_bytes())?;
                builder.insert(path, blob, 0o100644)?;
            }
        }
    }
    for (dir, sub) in dirs {
        let tree = write_tree(repo, &sub)?;
        builder.insert(dir, tree, 0o040000)?;
    }
    builder.write()
}

/// An armored block shaped like an OpenPGP signature: marks a commit as signed for tests of
/// signature *presence*; it verifies against nothing.
const PLACEHOLDER_SIGNATURE: &str =
    "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEtestfixtureonly\n-----END PGP SIGNATURE-----";

fn build(root: &Path, history: &History) -> Result<(), String> {
    let git = |e: git2::Error| e.message().to_string();
    let repo = Repository::init(root).map_err(git)?;
    let mut named: BTreeMap<String, (Oid, BTreeMap<String, String>)> = BTreeMap::new();
    let mut previous: Option<(Oid, BTreeMap<String, String>)> = None;
    for (i, spec) in history.commits.iter().enumerate() {
        let parents: Vec<(Oid, BTreeMap<String, String>)> = match &spec.parents {
            Some(names) => names
                .iter()
                .map(|n| {
                    named
                        .get(n)
                        .cloned()
                        .ok_or_else(|| format!("commit {}: unknown parent `{n}`", i + 1))
                })
                .collect::<Result<_, _>>()?,
            None => previous.iter().cloned().collect(),
        };
        let mut files = parents.first().map(|p| p.1.clone()).unwrap_or_default();
        for (path, content) in &spec.files {
            match content {
                Some(c) => files.insert(path.clone(), c.clone()),
                None => files.remove(path),
            };
        }
        let tree = repo
            .find_tree(write_tree(&repo, &files).map_err(git)?)
            .map_err(git)?;
        let who = signature(&spec.author, &spec.date)?;
        let parent_commits: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|p| repo.find_commit(p.0))
            .collect::<Result<_, _>>()
            .map_err(git)?;
        let refs: Vec<&git2::Commit<'_>> = parent_commits.iter().collect();
        let id = if spec.signed {
            let buffer = repo
                .commit_create_buffer(&who, &who, &spec.message, &tree, &refs)
                .map_err(git)?;
            let content = String::from_utf8_lossy(&buffer).into_owned();
            repo.commit_signed(&content, PLACEHOLDER_SIGNATURE, Some("gpgsig"))
                .map_err(git)?
        } else {
            repo.commit(None, &who, &who, &spec.message, &tree, &refs)
                .map_err(git)?
        };
        if let Some(name) = &spec.name {
            named.insert(name.clone(), (id, files.clone()));
        }
        previous = Some((id, files));
    }
    let (tip, _) = previous.ok_or("`git.commits` is empty")?;
    let reference = format!("refs/heads/{}", history.branch);
    repo.reference(&reference, tip, true, "assay test case")
        .map_err(git)?;
    repo.set_head(&reference).map_err(git)?;
    // The tree at HEAD is checked out, as in a clone.
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .map_err(git)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collector::Collector;
    use crate::git::GitCollector;

    #[test]
    fn builds_a_history_and_pins_the_time() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE),
            "now: 2024-06-01T00:00:00Z\ngit:\n  commits:\n    - name: base\n      author: Ann <ann@example.org>\n      date: 2024-05-01T10:00:00Z\n      message: Initial commit\n      files: {README.md: \"# app\\n\"}\n    - name: topic\n      author: Bob <bob@example.org>\n      date: 2024-05-02T10:00:00Z\n      message: Add docs\n      files: {docs/a.md: a}\n      signed: true\n    - author: Ann <ann@example.org>\n      date: 2024-05-03T10:00:00Z\n      message: \"Merge pull request #4 from org/topic\"\n      parents: [base, topic]\n      files: {docs/a.md: a}\n",
        )
        .unwrap();
        let mut scope = Scope::new(dir.path());
        prepare(dir.path(), &mut scope).unwrap();
        assert_eq!(
            jiff::Timestamp::try_from(scope.now).unwrap().to_string(),
            "2024-06-01T00:00:00Z"
        );
        let c = GitCollector.collect(&scope).unwrap();
        let s = &c.documents[0].data["summary"];
        assert_eq!(s["commits"], 3);
        assert_eq!(s["pull_requests"], 1);
        assert_eq!(s["direct_commits"], 1);
        assert_eq!(s["signed"], 1);
    }

    #[test]
    fn mistakes_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut scope = Scope::new(dir.path());
        assert!(prepare(dir.path(), &mut scope).is_ok());
        std::fs::write(
            dir.path().join(FILE),
            "git:\n  commits:\n    - author: nobody\n      date: 2024-05-01T10:00:00Z\n      message: x\n",
        )
        .unwrap();
        let e = prepare(dir.path(), &mut scope).unwrap_err();
        assert!(e.contains("must read `Name <email>`"), "{e}");
        std::fs::write(dir.path().join(FILE), "nows: 1\n").unwrap();
        assert!(prepare(dir.path(), &mut scope)
            .unwrap_err()
            .contains("unknown field `nows`"));
    }
}
