//! Findings point only at files that exist. A finding about a missing file, a directory or the
//! repository itself (its history and settings, read from `.git`) becomes a repository-level
//! result without a location, and a line past the end of its file is dropped, so that SARIF
//! and every other line-annotating output only annotate lines that are there.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use rayon::prelude::*;

use crate::eval::ControlResult;

/// What a finding's path is in the scanned tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A regular file with this many lines.
    File(u32),
    /// Anything else: missing, a directory, a link, `.git`, outside the root.
    NotAFile,
}

/// Drops every location of `results` that is not a line of a regular file below `root`.
pub fn settle(results: &mut [ControlResult], root: &Path) {
    let paths: BTreeMap<&str, Target> = results
        .iter()
        .flat_map(|r| &r.findings)
        .filter_map(|f| {
            f.location
                .as_ref()
                .map(|l| (l.path.as_str(), Target::NotAFile))
        })
        .collect();
    let targets: BTreeMap<String, Target> = paths
        .into_par_iter()
        .map(|(path, _)| (path.to_string(), target(root, path)))
        .collect();
    for finding in results.iter_mut().flat_map(|r| r.findings.iter_mut()) {
        let Some(location) = &mut finding.location else {
            continue;
        };
        match targets.get(&location.path) {
            Some(Target::File(lines)) => {
                if location.line.is_some_and(|l| l == 0 || l > *lines) {
                    location.line = None;
                }
            }
            _ => finding.location = None,
        }
    }
}

fn target(root: &Path, path: &str) -> Target {
    let relative = Path::new(path);
    let inside = !path.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        && !relative.components().any(|c| c.as_os_str() == ".git");
    if !inside {
        return Target::NotAFile;
    }
    let full = root.join(relative);
    match std::fs::symlink_metadata(&full) {
        Ok(meta) if meta.is_file() => match std::fs::read(&full) {
            Ok(bytes) => Target::File(line_count(&bytes)),
            Err(_) => Target::NotAFile,
        },
        _ => Target::NotAFile,
    }
}

/// Lines of a text: a final line without a newline counts; an empty text has one line.
fn line_count(bytes: &[u8]) -> u32 {
    let newlines = bytes.iter().filter(|b| **b == b'\n').count();
    let last = usize::from(!bytes.ends_with(b"\n") || bytes.is_empty());
    u32::try_from(newlines + last).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_like_an_editor() {
        assert_eq!(line_count(b""), 1);
        assert_eq!(line_count(b"a"), 1);
        assert_eq!(line_count(b"a\n"), 1);
        assert_eq!(line_count(b"a\nb"), 2);
    }

    #[test]
    fn only_regular_files_inside_the_root_are_targets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "x: 1\ny: 2\n").unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/config"), "x").unwrap();
        assert_eq!(target(dir.path(), "a.yaml"), Target::File(2));
        for other in [".", ".git", ".git/config", "missing.yaml", "../a.yaml", ""] {
            assert_eq!(target(dir.path(), other), Target::NotAFile, "{other}");
        }
    }
}
