//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// A path under `tests/fixtures/`.
pub fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(path)
}

/// The `../shared/corpus/dev` folder beside the checkout, when it is there.
pub fn corpus(path: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/dev")
        .join(path);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/corpus/dev/{path} is not present beside the checkout");
        None
    }
}

/// `assay` with colours off and no environment leaking in from the caller.
pub fn assay() -> Command {
    let mut cmd = Command::cargo_bin("assay").expect("assay binary");
    for (key, _) in std::env::vars() {
        if key.starts_with("ASSAY_") || key == "SOURCE_DATE_EPOCH" {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// Runs `assay` and parses its stdout as JSON.
pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The control with `id` in a results document.
pub fn control<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["controls"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no control `{id}` in results"))
}

/// The findings of a control with the given status.
pub fn findings<'a>(results: &'a Value, id: &str, status: &str) -> Vec<&'a Value> {
    control(results, id)["findings"]
        .as_array()
        .map(|fs| fs.iter().filter(|f| f["status"] == status).collect())
        .unwrap_or_default()
}

/// Scans `root` with `extra` arguments into `dir/results.json` and returns that path; the
/// scan must finish (exit 0 or 1, not a usage error).
pub fn save_results(root: &std::path::Path, dir: &std::path::Path, extra: &[&str]) -> PathBuf {
    let file = dir.join("results.json");
    let out = assay()
        .arg("scan")
        .arg(root)
        .args(extra)
        .args(["--format", "json", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)) && file.is_file(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    file
}

/// Renders the evidence site of a saved results file into `out` (with `extra` arguments);
/// the command must succeed.
pub fn render_site(results: &std::path::Path, out: &std::path::Path, extra: &[&std::ffi::OsStr]) {
    let run = assay()
        .args(["site", "--results"])
        .arg(results)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// The requirement `id` of framework `framework` in a results document.
pub fn requirement<'a>(results: &'a Value, framework: &str, id: &str) -> &'a Value {
    results["frameworks"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["id"] == framework))
        .and_then(|f| f["requirements"].as_array())
        .and_then(|rs| rs.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no requirement `{framework}:{id}` in results"))
}

/// Asserts that a command exited with `code` (showing its stderr when not) and returns its
/// stderr.
pub fn exited(out: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    stderr
}

/// Runs `assay scan REPO` with only the catalog at `catalog` (no built-in controls) and
/// `extra` arguments.
pub fn scan_catalog(
    repo: impl AsRef<std::ffi::OsStr>,
    catalog: impl AsRef<std::ffi::OsStr>,
    extra: &[&str],
) -> Output {
    assay()
        .arg("scan")
        .arg(repo)
        .args(["--no-builtin", "--controls"])
        .arg(catalog)
        .args(extra)
        .output()
        .unwrap()
}
