//! The flags people reach for: `--control` and `--skip-control`, `skip:` in assay.yaml with
//! its reasons, and `assay config` with the origin of each value.

use crate::common;

use common::{assay, fixture, json};
use serde_json::Value;

fn ids(results: &Value) -> Vec<String> {
    results["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// `assay scan ROOT --format json` with `extra` arguments: the exit code and the results.
fn scan(root: &std::path::Path, extra: &[&str]) -> (i32, Value) {
    let out = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code < 2,
        "usage error: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, json(&out))
}

#[test]
fn control_keeps_only_the_controls_a_glob_or_id_names() {
    let root = fixture("sample-repo");
    let (_, results) = scan(
        &root,
        &["--control", "tf-aws-*", "--control", "secrets-in-files"],
    );
    let ids = ids(&results);
    assert!(ids.len() > 2, "{ids:?}");
    assert!(ids.contains(&"secrets-in-files".to_string()), "{ids:?}");
    assert!(
        ids.iter()
            .all(|id| id.starts_with("tf-aws-") || id == "secrets-in-files"),
        "{ids:?}"
    );
}

#[test]
fn skip_control_reports_the_control_as_skipped_not_gone() {
    let root = fixture("sample-repo");
    let (_, full) = scan(&root, &[]);
    assert!(ids(&full).contains(&"tf-aws-s3-encryption".to_string()));
    let (_, results) = scan(&root, &["--skip-control", "tf-aws-s3-encryption"]);
    assert!(!ids(&results).contains(&"tf-aws-s3-encryption".to_string()));
    let skipped = results["skipped_controls"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0]["id"], "tf-aws-s3-encryption");
    assert_eq!(skipped[0]["origin"], "--skip-control");

    let out = assay()
        .arg("scan")
        .arg(&root)
        .args(["--skip-control", "tf-aws-s3-encryption"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Skipped controls  1 control(s) not evaluated"),
        "{text}"
    );
    assert!(text.contains("tf-aws-s3-encryption"), "{text}");
}

#[test]
fn config_skip_needs_a_reason_and_reports_it_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("main.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("assay.yaml"),
        "frameworks: [soc2]\nskip:\n  - control: tf-aws-s3-*\n    reason: buckets are managed by the platform team\n",
    )
    .unwrap();
    let (_, results) = scan(root, &[]);
    let skipped = results["skipped_controls"].as_array().unwrap();
    assert!(!skipped.is_empty());
    for s in skipped {
        assert!(s["id"].as_str().unwrap().starts_with("tf-aws-s3-"), "{s}");
        assert_eq!(s["reason"], "buckets are managed by the platform team");
        assert!(
            s["origin"].as_str().unwrap().ends_with("assay.yaml:3"),
            "{s}"
        );
    }
    assert!(ids(&results).iter().all(|id| !id.starts_with("tf-aws-s3-")));

    std::fs::write(
        root.join("assay.yaml"),
        "skip:\n  - control: tf-aws-s3-encryption\n",
    )
    .unwrap();
    let out = assay().arg("scan").arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("reason"), "{err}");
}

#[test]
fn an_unknown_control_is_a_usage_error_with_a_suggestion() {
    let root = fixture("sample-repo");
    for flag in ["--control", "--skip-control"] {
        let out = assay()
            .arg("scan")
            .arg(&root)
            .args([flag, "tf-aws-s3-encryptoin"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no control `tf-aws-s3-encryptoin`"), "{err}");
        assert!(
            err.contains("did you mean `tf-aws-s3-encryption`?"),
            "{err}"
        );
    }
    let out = assay()
        .arg("scan")
        .arg(&root)
        .args(["--control", "nothing-like-this-*"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("assay controls list"));
}

/// `--control` (select by id) and `--controls` (add a catalog directory) are one letter apart:
/// each mistaken for the other says which was meant.
#[test]
fn control_and_controls_mistaken_for_each_other_say_which_was_meant() {
    let root = fixture("sample-repo");
    let catalog = tempfile::tempdir().unwrap();
    let out = assay()
        .arg("scan")
        .arg(&root)
        .args(["--controls", "k8s-image-tag-pinned"])
        .output()
        .unwrap();
    let err = common::exited(&out, 2);
    assert!(
        err.contains("use `--control k8s-image-tag-pinned`"),
        "{err}"
    );
    let out = assay()
        .arg("scan")
        .arg(&root)
        .arg("--control")
        .arg(catalog.path())
        .output()
        .unwrap();
    let err = common::exited(&out, 2);
    assert!(
        err.contains(&format!("use `--controls {}`", catalog.path().display())),
        "{err}"
    );
}

#[test]
fn config_prints_each_value_with_its_origin() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("assay.yaml"),
        "frameworks: [soc2]\ngate:\n  fail_under: 60\nlimits:\n  check_seconds: 20\n",
    )
    .unwrap();
    let out = assay()
        .arg("config")
        .arg(root)
        .args(["--format", "json", "--fail-on", "critical"])
        .env("ASSAY_SOFT_FAIL", "true")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let settings = json(&out);
    let setting = |key: &str| -> (String, String) {
        let s = settings
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap_or_else(|| panic!("no `{key}` in {settings}"));
        (
            s["value"].as_str().unwrap().to_string(),
            s["origin"].as_str().unwrap().to_string(),
        )
    };
    let at_line = |origin: &str, line: u32| origin.ends_with(&format!("assay.yaml:{line}"));
    let (value, origin) = setting("frameworks");
    assert_eq!(value, "soc2");
    assert!(at_line(&origin, 1), "{origin}");
    let (value, origin) = setting("gate.fail_under");
    assert_eq!(value, "60 %");
    assert!(at_line(&origin, 3), "{origin}");
    assert_eq!(
        setting("gate.fail_on"),
        ("critical".into(), "--fail-on".into())
    );
    assert_eq!(
        setting("gate.soft_fail"),
        ("true".into(), "env ASSAY_SOFT_FAIL".into())
    );
    assert_eq!(
        setting("thresholds.green"),
        ("90 %".into(), "default".into())
    );
    let (value, origin) = setting("limits.check_seconds");
    assert_eq!(value, "20");
    assert!(at_line(&origin, 5), "{origin}");

    let text = assay().arg("config").arg(root).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("gate.fail_on"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("high") && line.ends_with("(default)"),
        "{line}"
    );
}

/// A pack built without a signing key says so on stderr; with ASSAY_SIGNING_KEY it is signed
/// and nothing is said.
#[test]
fn an_unsigned_pack_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("app.yaml"), "a: 1\n").unwrap();
    let pack = |name: &str, key: Option<&str>| {
        let mut cmd = assay();
        cmd.arg("scan")
            .arg(&root)
            .args(["--soft-fail", "--pack"])
            .arg(dir.path().join(name));
        if let Some(key) = key {
            cmd.env("ASSAY_SIGNING_KEY", key);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let unsigned = pack("unsigned", None);
    assert!(
        unsigned.contains("the evidence pack will not be signed"),
        "{unsigned}"
    );
    let keys = dir.path().join("keys");
    let made = assay()
        .arg("keygen")
        .arg("--out")
        .arg(&keys)
        .output()
        .unwrap();
    assert_eq!(made.status.code(), Some(0));
    let key = std::fs::read_to_string(keys.join("assay-signing.key")).unwrap();
    let signed = pack("signed", Some(&key));
    assert!(!signed.contains("will not be signed"), "{signed}");
}
