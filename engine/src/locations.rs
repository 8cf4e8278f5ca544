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
    /// A regular file with at least this many lines (counted up to the last line cited).
    File(u32),
    /// Anything else: missing, a directory, `.git`, outside the root (links resolved).
    NotAFile,
}

/// Drops every location of `results` that is not a line of a regular file below `root`.
pub fn settle(results: &mut [ControlResult], root: &Path) {
    // The last line cited in each file: counting stops there, so that a finding on line 3
    // of a 10 GB log does not read all of it.
    let mut cited: BTreeMap<&str, u32> = BTreeMap::new();
    for location in results
        .iter()
        .flat_map(|r| &r.findings)
        .filter_map(|f| f.location.as_ref())
    {
        let last = cited.entry(location.path.as_str()).or_default();
        *last = (*last).max(location.line.unwrap_or(0));
    }
    let targets: BTreeMap<String, Target> = cited
        .into_par_iter()
        .map(|(path, last)| (path.to_string(), target(root, path, last)))
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

fn target(root: &Path, path: &str, last_cited: u32) -> Target {
    if path.is_empty()
        || Path::new(path)
            .components()
            .any(|c| c.as_os_str() == ".git")
    {
        return Target::NotAFile;
    }
    // Links inside the root count as the file they point at, as the collectors read them.
    match confine::open(root, path, u64::MAX) {
        Ok((file, _)) => line_count(file, last_cited).map_or(Target::NotAFile, Target::File),
        Err(_) => Target::NotAFile,
    }
}

/// Lines of a text, read as a stream: a final line without a newline counts; an empty text
/// has one line. Reading stops once `enough` lines are known to be there.
fn line_count(file: std::fs::File, enough: u32) -> Option<u32> {
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let (mut newlines, mut last) = (0usize, None);
    loop {
        let chunk = reader.fill_buf().ok()?;
        if chunk.is_empty() {
            break;
        }
        newlines += memchr::memchr_iter(b'\n', chunk).count();
        if newlines >= enough as usize {
            return Some(u32::try_from(newlines).unwrap_or(u32::MAX));
        }
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
            assert_eq!(line_count(file, u32::MAX), Some(lines), "{text:?}");
        }
    }

    #[test]
    fn counting_stops_at_the_last_line_cited() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, "event\n".repeat(1_000_000)).unwrap();
        let counted = line_count(std::fs::File::open(&path).unwrap(), 10).unwrap();
        assert!((10..1_000_000).contains(&counted), "{counted}");
        let all = line_count(std::fs::File::open(&path).unwrap(), u32::MAX);
        assert_eq!(all, Some(1_000_000));
    }

    #[test]
    fn only_regular_files_inside_the_root_are_targets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yaml"), "x: 1\ny: 2\n").unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/config"), "x").unwrap();
        assert_eq!(target(dir.path(), "a.yaml", 2), Target::File(2));
        for other in [".", ".git", ".git/config", "missing.yaml", "../a.yaml", ""] {
            assert_eq!(target(dir.path(), other, 1), Target::NotAFile, "{other}");
        }
    }
}
