//! End-to-end tests of `assay controls …` and `assay explain`: the control author's loop.

use crate::common;

use std::path::Path;
use std::process::Output;

use common::{assay, fixture, json};

/// `assay controls new ID --lang LANG --dir DIR`.
fn new_control(dir: &Path, id: &str, lang: &str) -> Output {
    assay()
        .args(["controls", "new", id, "--lang", lang, "--dir"])
        .arg(dir)
        .output()
        .unwrap()
}

/// `assay controls test DIR` (plus `extra` flags).
fn test_controls(dir: &Path, extra: &[&str]) -> Output {
    assay()
        .args(["controls", "test"])
        .args(extra)
        .arg(dir)
        .output()
        .unwrap()
}

/// The built-in catalog passes its own test cases.
#[test]
fn builtin_catalog_passes_its_tests() {
    let out = assay().args(["controls", "test"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("test result: ok."), "{stdout}");
}

/// A changed expectation makes `controls test` fail with expected and actual side by side.
#[test]
fn changed_expectation_fails_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let out = new_control(dir.path(), "pinned-images", "yaml");
    assert_eq!(out.status.code(), Some(0));
    let ok = test_controls(dir.path(), &[]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );

    let control = dir.path().join("pinned-images/control.yaml");
    let text = std::fs::read_to_string(&control)
        .unwrap()
        .replace("count: 1", "count: 2");
    std::fs::write(&control, text).unwrap();
    let out = test_controls(dir.path(), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("test pinned-images::fail/deployment.yaml ... FAILED"),
        "{stdout}"
    );
    assert!(stdout.contains("expected: 2 fail item(s)"), "{stdout}");
    assert!(
        stdout.contains("actual: 1 pass, 1 fail") || stdout.contains("actual: 0 pass, 1 fail"),
        "{stdout}"
    );
    assert!(
        stdout.contains("test result: FAILED. 1 passed; 1 failed"),
        "{stdout}"
    );
}

/// A control without test cases is a failing test, not a silent pass.
#[test]
fn control_without_cases_fails() {
    let dir = tempfile::tempdir().unwrap();
    new_control(dir.path(), "c", "yaml");
    std::fs::remove_dir_all(dir.path().join("c/tests")).unwrap();
    let text = std::fs::read_to_string(dir.path().join("c/control.yaml")).unwrap();
    let text = &text[..text.find("tests:").unwrap()];
    std::fs::write(dir.path().join("c/control.yaml"), text).unwrap();
    let out = test_controls(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no test cases"));
}

/// `controls new` refuses invalid ids and existing folders.
#[test]
fn new_refuses_bad_ids_and_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let bad = new_control(dir.path(), "Bad Id", "yaml");
    assert_eq!(bad.status.code(), Some(2));
    new_control(dir.path(), "x", "yaml");
    let again = new_control(dir.path(), "x", "yaml");
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

/// Lint reports every problem of every file in one run, with positions, and exits 2.
#[test]
fn lint_reports_all_errors_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in [
        ("a", "id: a\ntitle: t\ndescription: d\nfamily: f\nseverity: high\nremediation: r\ncolour: red\ncheck:\n  assert:\n    all:\n      - path: $.x\n        exists: true\n    message: m\n"),
        ("b", "id: a\ntitle: t\ndescription: d\nfamily: f\nseverity: high\nremediation: r\ncheck:\n  assert:\n    all:\n      - path: $.x\n        matches: \"(\"\n    message: m\n"),
    ] {
        std::fs::create_dir_all(dir.path().join(name)).unwrap();
        std::fs::write(dir.path().join(name).join("control.yaml"), body).unwrap();
    }
    let out = assay()
        .args(["controls", "lint", "--no-builtin"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains("a/control.yaml:7:1: error: unknown key `colour`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("b/control.yaml:11:9: error: invalid regular expression"),
        "{stderr}"
    );
    assert!(stderr.contains("2 errors found"), "{stderr}");
}

/// `related` ids are checkov's as checkov writes them, or another tool's after its name.
#[test]
fn related_ids_name_their_tool() {
    let dir = tempfile::tempdir().unwrap();
    let control = |related: &str| {
        format!("id: a\ntitle: t\ndescription: d\nfamily: f\nseverity: high\nremediation: r\nrelated: {related}\ncheck:\n  assert:\n    all:\n      - path: $.x\n        exists: true\n    message: m\n")
    };
    let lint = |related: &str| {
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/control.yaml"), control(related)).unwrap();
        assay()
            .args(["controls", "lint", "--no-builtin"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    common::exited(&lint(r#"[CKV_K8S_16, CKV2_GHA_1, "trivy:KSV023"]"#), 0);
    let stderr = common::exited(&lint("[CKV_K8S_16, KSV023]"), 2);
    assert!(
        stderr.contains("a/control.yaml:7:23: error: \"KSV023\" does not match"),
        "{stderr}"
    );
}

/// Duplicate ids across files are reported with both places.
#[test]
fn duplicate_ids_name_both_files() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["one", "two"] {
        std::fs::create_dir_all(dir.path().join(name)).unwrap();
        std::fs::write(
            dir.path().join(name).join("control.yaml"),
            "id: same\ntitle: t\ndescription: d\nfamily: f\nseverity: low\nremediation: r\ncheck:\n  assert:\n    all:\n      - path: $.x\n        exists: true\n    message: m\n",
        )
        .unwrap();
    }
    let out = assay()
        .args(["controls", "lint", "--no-builtin"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains("two/control.yaml:1:1: error: duplicate control id `same`"),
        "{stderr}"
    );
    assert!(stderr.contains("one/control.yaml:1"), "{stderr}");
}

/// `controls list` names every control; `explain` shows mappings and the fix.
#[test]
fn list_and_explain() {
    let catalog = fixture("operators/catalog");
    let out = assay()
        .args(["controls", "list", "--no-builtin", "--controls"])
        .arg(&catalog)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("op-equals"), "{stdout}");
    assert!(
        stdout.contains("17 controls (17 automated, 0 attestations), 1 frameworks"),
        "{stdout}"
    );
    // The built-in catalog names each control's check language.
    let out = assay()
        .args(["controls", "list", "--format", "json"])
        .output()
        .unwrap();
    let list = json(&out);
    let language = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c["check"].clone())
            .unwrap()
    };
    assert_eq!(language("k8s-privileged-container"), "yaml");
    assert_eq!(language("k8s-rbac-wildcard"), "rego");
    assert_eq!(language("access-privileged-group"), "cedar");
    assert_eq!(language("att-dpo"), "attestation");
    // `controls show` is `explain` under the controls command.
    let show = assay()
        .args(["controls", "show", "att-dpo"])
        .output()
        .unwrap();
    let explain = assay().args(["explain", "att-dpo"]).output().unwrap();
    assert_eq!(show.status.code(), Some(0));
    assert_eq!(show.stdout, explain.stdout);
    assert!(String::from_utf8_lossy(&show.stdout).contains("gdpr       Art. 37"));
    let out = assay()
        .args(["explain", "tf-public", "--no-builtin", "--controls"])
        .arg(&catalog)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("How to fix a failure:\n  Set acl to private."),
        "{stdout}"
    );
    assert!(
        stdout.contains("resource_types: [aws_s3_bucket]"),
        "{stdout}"
    );
    let out = assay()
        .args(["explain", "op-equls", "--no-builtin", "--controls"])
        .arg(&catalog)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `op-equals`?"));
}

/// Every scaffold language gives a control whose own tests pass.
#[test]
fn scaffolds_pass_their_own_tests() {
    for lang in ["yaml", "rego", "cedar"] {
        let dir = tempfile::tempdir().unwrap();
        let out = new_control(dir.path(), "demo", lang);
        assert_eq!(out.status.code(), Some(0), "{lang}");
        let out = test_controls(dir.path(), &[]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{lang}: {stdout}");
        assert!(
            stdout.contains("test result: ok. 2 passed; 0 failed"),
            "{lang}: {stdout}"
        );
    }
}

/// `--format junit` gives one test case per control case, with the differences of a failure.
#[test]
fn junit_report_of_control_tests() {
    let dir = tempfile::tempdir().unwrap();
    new_control(dir.path(), "demo", "yaml");
    let control = dir.path().join("demo/control.yaml");
    let text = std::fs::read_to_string(&control)
        .unwrap()
        .replace("count: 1", "count: 3");
    std::fs::write(&control, text).unwrap();
    let out = test_controls(dir.path(), &["--format", "junit"]);
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.contains(r#"<testsuite name="assay controls test" tests="2" failures="1" errors="0">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testcase classname="demo" name="pass/deployment.yaml"/>"#),
        "{xml}"
    );
    assert!(xml.contains("expected: 3 fail item(s)"), "{xml}");
}
