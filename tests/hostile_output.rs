//! Hostile input end to end: an incomplete git history (shallow clone, corrupt blob, corrupt
//! commit) is an error and never a pass, and file names, YAML values and commit subjects reach
//! the terminal, CSV, Markdown and JUnit outputs neutralised, with secrets redacted.

use crate::common;
use crate::git_repo;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assay, exited, findings, json, scan_catalog};
use git2::Oid;
use git_repo::GitRepo;
use serde_json::Value;

/// The built-in change-management controls (the ones that judge git history).
fn change_management() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../controls/change-management")
}

/// A repository with three commits; the first adds `config/app.env`.
fn three_commits() -> (GitRepo, Vec<Oid>) {
    let empty = tempfile::tempdir().unwrap();
    let repo = GitRepo::from(empty.path());
    repo.write("config/app.env", "REGION=eu-west-1\n");
    let mut ids = vec![repo.commit_all("Add config")];
    repo.write("README.md", "# app\n");
    ids.push(repo.commit_all("Add a readme"));
    repo.write("README.md", "# app\n\nMore.\n");
    ids.push(repo.commit_all("Extend the readme"));
    (repo, ids)
}

/// Scans `root` with the change-management controls only; the JSON results.
fn scan_history(root: &Path) -> Value {
    let out = scan_catalog(root, change_management(), &["--format", "json"]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

/// Asserts that `control` judged nothing and reports an error containing `reason`.
fn errs_on_incomplete_history(results: &Value, control: &str, reason: &str) {
    assert!(
        findings(results, control, "pass").is_empty()
            && findings(results, control, "fail").is_empty(),
        "{control}: {}",
        common::control(results, control)
    );
    // One error per missing piece, each saying what is missing.
    let errors = findings(results, control, "error");
    assert!(!errors.is_empty(), "{}", common::control(results, control));
    let messages: Vec<&str> = errors
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .all(|m| m.starts_with("the git history is incomplete"))
            && messages.iter().any(|m| m.contains(reason)),
        "{control}: {messages:?}"
    );
    assert_eq!(common::control(results, control)["status"], "error");
}

/// Whether the git command-line tool runs; a test needing it fails under `CI=true` without it.
fn git_available() -> bool {
    if Command::new("git").arg("--version").output().is_ok() {
        return true;
    }
    common::tool_missing(
        "the git command-line tool is required under CI",
        "the git command-line tool is not installed",
    );
    false
}

/// Overwrites the loose object `id` of `repo` with bytes that do not inflate.
fn corrupt(repo: &GitRepo, id: Oid) {
    let hex = id.to_string();
    let path = repo
        .path()
        .join(".git/objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&path, permissions).unwrap();
    std::fs::write(&path, b"this is not a zlib stream").unwrap();
}

#[test]
fn a_shallow_clone_is_an_error_not_a_pass() {
    if !git_available() {
        return;
    }
    let (repo, _) = three_commits();
    let clone = tempfile::tempdir().unwrap();
    let target = clone.path().join("shallow");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--depth", "1"])
        .arg(format!("file://{}", repo.path().display()))
        .arg(&target)
        .status()
        .unwrap();
    assert!(status.success());
    let results = scan_history(&target);
    for control in [
        "cm-no-secrets-in-history",
        "cm-no-direct-commits",
        "cm-signed-commits",
    ] {
        errs_on_incomplete_history(&results, control, "shallow clone");
    }
    // The full repository is judged.
    let results = scan_history(repo.path());
    assert_eq!(
        findings(&results, "cm-no-secrets-in-history", "pass").len(),
        1
    );
}

#[test]
fn a_corrupt_blob_is_an_error_not_a_pass() {
    let (repo, _) = three_commits();
    let blob = repo
        .repo
        .revparse_single("HEAD:config/app.env")
        .unwrap()
        .id();
    corrupt(&repo, blob);
    let results = scan_history(repo.path());
    errs_on_incomplete_history(
        &results,
        "cm-no-secrets-in-history",
        "the changes of 1 commit(s) cannot be read",
    );
}

#[test]
fn a_corrupt_commit_is_an_error_not_not_applicable() {
    let (repo, ids) = three_commits();
    corrupt(&repo, ids[1]);
    let results = scan_history(repo.path());
    for control in [
        "cm-no-secrets-in-history",
        "cm-no-direct-commits",
        "cm-reviewed-changes",
        "cm-signed-commits",
        "cm-codeowners-respected",
    ] {
        errs_on_incomplete_history(&results, control, "cannot be read");
    }
    let message = findings(&results, "cm-no-direct-commits", "error")[0]["message"].to_string();
    assert!(message.contains(&ids[1].to_string()[..12]), "{message}");
}

/// A GitHub token and an AWS key id that the secret detectors recognise.
fn token() -> String {
    format!("ghp_{}", "a1B2".repeat(9))
}
const AWS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";

#[test]
fn commit_subjects_are_redacted_in_every_output() {
    let (repo, _) = three_commits();
    repo.write("README.md", "# app\n\nrotated\n");
    repo.commit_all(&format!("Rotate {} and {AWS_KEY}", token()));
    let out = scan_catalog(repo.path(), change_management(), &["--format", "json"]);
    let results = json(&out);
    let direct = findings(&results, "cm-no-direct-commits", "fail");
    assert!(
        direct.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("Rotate [REDACTED:github_token] and [REDACTED:aws_access_key_id]")),
        "{direct:#?}"
    );
    let outputs = all_outputs(repo.path(), &change_management());
    for (name, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(&token()), "{name} holds the token");
        assert!(!text.contains(AWS_KEY), "{name} holds the AWS key id");
        // Markdown escapes the brackets and the underscore.
        let unescaped = text.replace('\\', "");
        assert!(
            unescaped.contains("[REDACTED:github_token]"),
            "{name}: {text}"
        );
    }
}

/// The verbose terminal summary (every message) on stdout as a colour terminal gets it, then
/// the CSV, Markdown, JUnit and JSON files of one scan of `root` with the catalog at `catalog`.
fn all_outputs(root: &Path, catalog: &Path) -> Vec<(String, Vec<u8>)> {
    let terminal = assay()
        .arg("scan")
        .arg(root)
        .args(["--soft-fail", "--verbose", "--no-builtin", "--controls"])
        .arg(catalog)
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    exited(&terminal, 0);
    let dir = tempfile::tempdir().unwrap();
    let out = scan_catalog(
        root,
        catalog,
        &[
            "--soft-fail",
            "--format",
            "csv,markdown,junit,json",
            "--output-dir",
            dir.path().to_str().unwrap(),
        ],
    );
    exited(&out, 0);
    let mut outputs = vec![("terminal".to_string(), terminal.stdout)];
    for name in [
        "results.csv",
        "results.md",
        "results.junit.xml",
        "results.json",
    ] {
        outputs.push((
            name.to_string(),
            std::fs::read(dir.path().join(name)).unwrap(),
        ));
    }
    outputs
}

/// ESC sequences (clear screen, window title, OSC 8 link), BEL, CR and a Markdown heading.
/// (No `/`: the text is also a file name.)
const HOSTILE: &str = "x\u{1b}[2J\u{1b}]0;pwned\u{7}\u{1b}]8;;https:evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\\r\n# heading";

/// A catalog with one control quoting each YAML file's `name`.
fn quoting_catalog(dir: &Path) {
    let control = dir.join("quote-name");
    std::fs::create_dir_all(&control).unwrap();
    std::fs::write(
        control.join("control.yaml"),
        r#"id: quote-name
title: Names are safe
description: Quotes each file's name value.
family: demo
severity: high
remediation: Rename it.
check:
  assert:
    select:
      files: ["**/*.yaml"]
    all:
      - path: $.name
        equals: safe
        message: "{value}"
    message: "name is not safe"
"#,
    )
    .unwrap();
}

#[test]
fn hostile_file_names_and_values_are_neutralised_per_format() {
    let tmp = tempfile::tempdir().unwrap();
    let catalog = tmp.path().join("catalog");
    quoting_catalog(&catalog);
    let root = tmp.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    // The value goes into YAML double quotes, where `\e`, `\a`, `\r` and `\n` are escapes.
    let yaml_escaped = HOSTILE
        .replace('\\', "\\\\")
        .replace('\u{1b}', "\\e")
        .replace('\u{7}', "\\a")
        .replace('\r', "\\r")
        .replace('\n', "\\n");
    std::fs::write(
        root.join(format!("{HOSTILE}.yaml")),
        format!("name: \"{yaml_escaped}\"\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("formula.yaml"),
        "name: '=HYPERLINK(\"http://evil.example\",\"click\")'\n",
    )
    .unwrap();

    let outputs = all_outputs(&root, &catalog);
    let get = |name: &str| {
        &outputs
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .1
    };

    // Terminal: only the summary's own colour codes (ESC [ … m) reach it; the rest is visible.
    let terminal = get("terminal");
    let text = String::from_utf8_lossy(terminal);
    for bad in [b"\x07".as_slice(), b"\r", b"\x1b]", b"\x1b[2J", b"\x1b\\"] {
        assert!(
            !terminal.windows(bad.len()).any(|w| w == bad),
            "raw {bad:?} in the terminal output:\n{text}"
        );
    }
    assert!(
        text.contains(r"x\x1b[2J\x1b]0;pwned\x07\x1b]8;;https:evil.example\x1b\link"),
        "{text}"
    );
    assert!(text.contains(r"\x0d\x0a# heading"), "{text}");

    // CSV: the formula is quoted out; control characters stay inside their quoted cell.
    let csv = String::from_utf8_lossy(get("results.csv")).into_owned();
    assert!(
        csv.contains("'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")"),
        "{csv}"
    );
    assert!(!csv.contains(",=HYPERLINK"), "{csv}");
    let rows: Vec<::csv::StringRecord> = ::csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2, "{csv}");

    // Markdown: no line of the summary starts with the injected heading, nothing is raw.
    let markdown = String::from_utf8_lossy(get("results.md")).into_owned();
    assert!(
        !markdown
            .lines()
            .any(|l| l.trim_start().starts_with("# heading")),
        "{markdown}"
    );
    assert!(!markdown.contains(['\u{1b}', '\u{7}', '\r']), "{markdown}");
    assert!(markdown.contains("# heading"), "{markdown}");

    // JUnit: characters XML 1.0 cannot hold are replaced, and the document parses.
    let junit = get("results.junit.xml");
    assert!(
        !junit
            .iter()
            .any(|b| matches!(b, 0x01..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f)),
        "{}",
        String::from_utf8_lossy(junit)
    );
    assert!(String::from_utf8_lossy(junit).contains("pwned"));
}
