//! Replays every input under `fuzz/regressions/<target>/` through its target in a child
//! process with the fuzz worker's limits; each must finish without a crash or timeout.
//! Inputs under `fuzz/regressions/pending/` wait for a fix and are not replayed.

use std::path::{Path, PathBuf};
use std::process::Command;

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|e| e.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

#[test]
fn every_regression_input_passes_its_target() {
    let scratch = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut replayed = 0;
    for dir in sorted_entries(&regressions()) {
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !dir.is_dir() || target == "pending" {
            continue;
        }
        for input in sorted_entries(&dir) {
            let out = Command::new(env!("CARGO_BIN_EXE_assay-fuzz"))
                .args(["replay", "--target", &target, "--scratch"])
                .arg(scratch.path())
                .arg(&input)
                .output()
                .unwrap();
            replayed += 1;
            if !out.status.success() {
                failures.push(format!(
                    "{}: {}: {}",
                    input.display(),
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{replayed} regression inputs replayed");
}
