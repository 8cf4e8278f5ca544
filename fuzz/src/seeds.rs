//! Seed inputs taken from the repository's own fixtures at run time: the files under
//! `tests/fixtures/`, the catalog (`controls/`, with every control's `tests/`), `mappings/` and
//! the files `assay init` writes.

use std::path::{Path, PathBuf};

/// The folders, relative to the repository root, whose files seed the targets.
const ROOTS: &[&str] = &["tests/fixtures", "controls", "mappings", "engine/src/init"];
/// At most this many fixture files seed one target, spread over the sorted list.
const MAX_SEEDS: usize = 48;
/// Longer fixture files are cut to this size.
const MAX_SEED_BYTES: usize = 256 * 1024;

/// The fixture files of a repository checkout, by repository-relative path.
pub struct Fixtures {
    root: PathBuf,
    files: Vec<String>,
}

impl Fixtures {
    /// Lists the fixture files under `repo` (sorted; symbolic links are not followed).
    pub fn scan(repo: &Path) -> Fixtures {
        let mut files = Vec::new();
        for root in ROOTS {
            list(repo, root, &mut files);
        }
        files.sort();
        Fixtures {
            root: repo.to_path_buf(),
            files,
        }
    }

    /// The contents of the files whose repository-relative path `keep` accepts.
    pub fn matching(&self, keep: fn(&str) -> bool) -> Vec<Vec<u8>> {
        let chosen: Vec<&String> = self.files.iter().filter(|f| keep(f)).collect();
        let step = chosen.len().div_ceil(MAX_SEEDS).max(1);
        chosen
            .into_iter()
            .step_by(step)
            .filter_map(|f| std::fs::read(self.root.join(f)).ok())
            .map(|mut bytes| {
                bytes.truncate(MAX_SEED_BYTES);
                bytes
            })
            .collect()
    }
}

fn list(repo: &Path, relative: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(repo.join(relative)) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{relative}/{name}");
        if kind.is_dir() {
            list(repo, &path, out);
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

/// The file name of a repository-relative path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_repository_fixtures() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let fixtures = Fixtures::scan(&repo);
        let controls = fixtures.matching(|p| p.ends_with("/control.yaml"));
        assert!(controls.len() > 10);
        assert!(controls.len() <= MAX_SEEDS);
        assert!(fixtures
            .matching(|p| p.ends_with(".cedar"))
            .iter()
            .any(|s| s.windows(6).any(|w| w == b"permit")));
    }
}
