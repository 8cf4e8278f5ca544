//! Findings point only at files that exist. A finding about a missing file, a directory or the
//! repository itself (its history and settings, read from `.git`) becomes a repository-level
//! result without a location, and a line past the end of its file is dropped, so that SARIF
//! and every other line-annotating output only annotate lines that are there.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use assay_collectors::config::STDIN_PATH;
use assay_collectors::confine;

use rayon::prelude::*;

use crate::eval::ControlResult;

/// What a finding's path is in the scanned tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A regular file with this many lines.
    File(u32),
    /// Anything else: missing, a directory, `.git`, outside the root (links resolved).
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
            // Standard input has no file to check lines against.
            _ if location.path == STDIN_PATH => {}
            _ => finding.location = None,
        }
    }
}

fn target(root: &Path, path: &str) -> Target {
    if path.is_empty()
        || Path::new(path)
            .components()
            .any(|c| c.as_os_str() == ".git")
    {
        return Target::NotAFile;
    }
    // Links inside the root count as the file they point at, as the collectors read them.
    match confine::open(root, path, u64::MAX) {
        Ok((file, _)) => line_count(file).map_or(Target::NotAFile, Target::File),
        Err(_) => Target::NotAFile,
    }
}

/// Lines of a text, read as a stream: a final line without a newline counts; an empty text
/// has one line.
fn line_count(file: std::fs::File) -> Option<u32> {
    let mut reader = std::io::BufReader::new(file);
    let (mut newlines, mut last) = (0usize, None);
    loop {
        let chunk = reader.fill_buf().ok()?;
        if chunk.is_empty() {
            break;
        }
        newlines += chunk.iter().filter(|b| **b == b'\n').count();
        last = chunk.last().copied();
        let n = chunk.len();
        reader.consume(n);
    }
    let open_line = usize::from(last != Some(b'\n'));
    u32::try_from(newlines + open_line).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_like_an_editor() {
        let dir = tempfile::tempdir().unwrap();
        for (text, lines) in [("", 1), ("a", 1), ("a\n", 1), ("a\nb", 2)] {
            std::fs::write(dir.path().join("f"), text).unwrap();
            let file = std::fs::File::open(dir.path().join("f")).unwrap();
            assert_eq!(line_count(file), Some(lines), "{text:?}");
        }
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
