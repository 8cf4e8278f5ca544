//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// For a test whose external tool is missing: a failure saying `needed` under `CI=true`, where
/// CI installs every tool; elsewhere `skipped: {skipped}` on stderr, and the test returns.
pub fn tool_missing(needed: &str, skipped: &str) {
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{needed}");
    eprintln!("skipped: {skipped}");
}

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
    isolated(Command::cargo_bin("assay").expect("assay binary"))
}

/// `cmd`, which runs `assay` (through a wrapper such as `setpriv`), with the environment
/// [`assay`] gives it.
pub fn isolated(mut cmd: Command) -> Command {
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

/// Everything a scan of a repository and `assay documents` of it write: each of the seven
/// formats, the pack, its archive unpacked, the site and the documents, plus both commands'
/// stdout and stderr, as `(what, bytes)`. For tests that look for a value in every output.
pub struct EveryOutput {
    /// Holds the written files until the test ends.
    pub work: tempfile::TempDir,
    pub outputs: Vec<(String, Vec<u8>)>,
}

impl EveryOutput {
    /// Scans `root` with `extra` arguments into a fresh folder; the scan may pass or fail its
    /// gate, `assay documents` must succeed.
    pub fn of(root: &std::path::Path, extra: &[&str]) -> EveryOutput {
        let work = tempfile::tempdir().unwrap();
        let at = |name: &str| work.path().join(name);
        let scan = assay()
            .arg("scan")
            .arg(root)
            .args(extra)
            .args(["--format", "json,sarif,junit,markdown,csv,oscal,terminal"])
            .arg("--output-dir")
            .arg(at("out"))
            .arg("--pack")
            .arg(at("pack"))
            .arg("--site")
            .arg(at("site"))
            .output()
            .unwrap();
        assert!(
            matches!(scan.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&scan.stderr)
        );
        let documents = assay()
            .arg("documents")
            .arg(root)
            .arg("--out")
            .arg(at("docs"))
            .output()
            .unwrap();
        exited(&documents, 0);
        let archive = std::fs::File::open(at("pack.tar.gz")).expect("a pack archive");
        tar::Archive::new(flate2::read::GzDecoder::new(archive))
            .unpack(at("extracted"))
            .unwrap();
        let mut outputs = vec![
            ("scan stdout".to_string(), scan.stdout),
            ("scan stderr".to_string(), scan.stderr),
            ("documents stdout".to_string(), documents.stdout),
            ("documents stderr".to_string(), documents.stderr),
        ];
        for dir in ["out", "pack", "site", "docs", "extracted"] {
            for file in files(&at(dir)) {
                let bytes = std::fs::read(&file).unwrap();
                outputs.push((file.display().to_string(), bytes));
            }
        }
        EveryOutput { work, outputs }
    }

    /// A file the scan wrote, by its path below the work folder (`out/results.json`).
    pub fn path(&self, relative: &str) -> PathBuf {
        self.work.path().join(relative)
    }
}

/// Every file below `dir`, recursively, sorted.
pub fn files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
