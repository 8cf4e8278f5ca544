//! Control parameters: thresholds declared by controls, set per control in assay.yaml,
//! type-checked when the catalog loads and shown by `assay explain`.

use crate::common;

use std::path::Path;
use std::process::Output;

use common::{assay, findings, json};

const RDS: &str = r#"resource "aws_db_instance" "orders" {
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  backup_retention_period = 10
}
"#;

/// A repository with one RDS instance keeping backups 10 days, and `config` as assay.yaml.
fn repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), RDS).unwrap();
    if !config.is_empty() {
        std::fs::write(dir.path().join("assay.yaml"), config).unwrap();
    }
    dir
}

fn scan(root: &Path) -> Output {
    assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json", "--now", "2026-06-01T00:00:00Z"])
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The default (7 days) passes the instance; assay.yaml asking for 14 fails it, with the
/// value in the message, at the line of the setting.
#[test]
fn override_changes_the_verdict() {
    let default = repo("");
    let results = json(&scan(default.path()));
    assert_eq!(
        findings(&results, "tf-aws-rds-backup-retention", "fail").len(),
        0
    );
    assert_eq!(
        findings(&results, "tf-aws-rds-backup-retention", "pass").len(),
        1
    );

    let strict = repo("parameters:\n  tf-aws-rds-backup-retention:\n    min_retention_days: 14\n");
    let results = json(&scan(strict.path()));
    let failed = findings(&results, "tf-aws-rds-backup-retention", "fail");
    assert_eq!(failed.len(), 1, "{results}");
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("for `10` days, fewer than 14"),
        "{}",
        failed[0]["message"]
    );
    assert_eq!(failed[0]["location"]["line"], 4);
    // The results record the values the check ran with.
    assert_eq!(
        common::control(&results, "tf-aws-rds-backup-retention")["parameters"],
        serde_json::json!({"min_retention_days": 14})
    );
}

/// The values set are part of the catalog digest, so baselines and caches of one policy are
/// not reused under another.
#[test]
fn values_set_change_the_catalog_digest() {
    let digest = |config: &str| {
        let dir = repo(config);
        json(&scan(dir.path()))["scan"]["catalog_digest"].clone()
    };
    let default = digest("");
    assert!(default.is_string(), "{default}");
    assert_ne!(
        default,
        digest("parameters:\n  tf-aws-rds-backup-retention:\n    min_retention_days: 14\n")
    );
}

/// Rego policies read the parameters at `data.assay.parameters`.
#[test]
fn rego_policies_receive_parameters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kms.tf"),
        "resource \"google_kms_crypto_key\" \"k\" {\n  name            = \"k\"\n  rotation_period = \"31536000s\"\n}\n",
    )
    .unwrap();
    let results = json(&scan(dir.path()));
    let failed = findings(&results, "tf-gcp-kms-key-rotation", "fail");
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["message"]
        .as_str()
        .unwrap()
        .contains("365 days, longer than 90"));

    std::fs::write(
        dir.path().join("assay.yaml"),
        "parameters:\n  tf-gcp-kms-key-rotation:\n    max_rotation_days: 400\n",
    )
    .unwrap();
    let results = json(&scan(dir.path()));
    assert_eq!(
        findings(&results, "tf-gcp-kms-key-rotation", "fail").len(),
        0
    );
    assert_eq!(
        findings(&results, "tf-gcp-kms-key-rotation", "pass").len(),
        1
    );
}

/// A value of the wrong type, an unknown parameter and an unknown control are configuration
/// errors (exit 2) naming assay.yaml:line and what was expected.
#[test]
fn wrong_values_exit_2() {
    let dir = repo(
        "frameworks: [soc2]\nparameters:\n  tf-aws-rds-backup-retention:\n    min_retention_days: \"two weeks\"\n  access-privileged-group:\n    max_admin: 3\n  dr-restore-tsted:\n    max_days_since_restore_test: 30\n",
    );
    let out = scan(dir.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.contains("assay.yaml:4:5: error: parameter `min_retention_days` of `tf-aws-rds-backup-retention` takes an integer, got `\"two weeks\"`"),
        "{err}"
    );
    assert!(
        err.contains(
            "assay.yaml:6:5: error: control `access-privileged-group` has no parameter `max_admin`"
        ),
        "{err}"
    );
    assert!(err.contains("did you mean `max_admins`?"), "{err}");
    assert!(
        err.contains("assay.yaml:8:5: error: no control `dr-restore-tsted` in the catalog"),
        "{err}"
    );
    assert!(err.contains("did you mean `dr-restore-tested`?"), "{err}");
    // The controls themselves are sound: nothing else is reported.
    assert!(err.contains("assay: 3 errors found"), "{err}");
}

/// `assay explain` lists each parameter with its effective value and where it was set.
#[test]
fn explain_shows_effective_values() {
    let dir = repo("parameters:\n  tf-aws-rds-backup-retention:\n    min_retention_days: 14\n");
    let config = dir.path().join("assay.yaml");
    let out = assay()
        .args(["explain", "tf-aws-rds-backup-retention", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        text.contains(&format!(
            "min_retention_days = 14   (integer, set at {}:3:5; default 7)",
            config.display()
        )),
        "{text}"
    );

    let empty = tempfile::tempdir().unwrap();
    let out = assay()
        .args(["explain", "access-privileged-group"])
        .current_dir(empty.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("max_admins = 5   (integer, default)"),
        "{text}"
    );
}

/// A control of its own catalog: parameters, references and placeholders.
fn custom_control(dir: &Path, parameters: &str, check: &str) {
    let folder = dir.join("catalog/replicas");
    std::fs::create_dir_all(folder.join("tests/pass")).unwrap();
    std::fs::write(
        folder.join("control.yaml"),
        format!(
            "id: replicas\ntitle: Enough replicas\ndescription: Deployments run enough replicas.\nfamily: custom\nseverity: low\nremediation: Raise spec.replicas.\n{parameters}check:\n  assert:\n    select: {{kinds: [Deployment]}}\n{check}"
        ),
    )
    .unwrap();
    std::fs::write(
        folder.join("tests/pass/ok.yaml"),
        "kind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n",
    )
    .unwrap();
}

fn lint(dir: &Path) -> Output {
    assay()
        .args(["controls", "lint", "--no-builtin"])
        .arg(dir.join("catalog"))
        .output()
        .unwrap()
}

/// A parameter whose value does not fit the place it is used, an undeclared parameter and an
/// unused one are load errors at the control's file:line.
#[test]
fn control_references_are_checked_at_load() {
    let dir = tempfile::tempdir().unwrap();
    custom_control(
        dir.path(),
        "parameters:\n  min_replicas:\n    type: string\n    default: two\n    description: The fewest replicas.\n",
        "    all:\n      - path: $.spec.replicas\n        gte: {param: min_replicas}\n    message: \"`{resource}` runs {value} replicas\"\n",
    );
    let out = lint(dir.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("control.yaml:17:9: error: parameter `min_replicas` = `\"two\"` (its default) does not fit here"),
        "{err}"
    );

    custom_control(
        dir.path(),
        "parameters:\n  min_replicas:\n    type: integer\n    default: 2\n    description: The fewest replicas.\n",
        "    all:\n      - path: $.spec.replicas\n        gte: {param: min_replica}\n    message: \"`{resource}` runs {value} replicas, fewer than {params.min_replicas}\"\n",
    );
    let err = stderr(&lint(dir.path()));
    assert!(
        err.contains("control.yaml:17:9: error: unknown parameter `min_replica`"),
        "{err}"
    );
    assert!(err.contains("did you mean `min_replicas`?"), "{err}");

    custom_control(
        dir.path(),
        "parameters:\n  min_replicas:\n    type: integer\n    default: 2\n    description: The fewest replicas.\n",
        "    all:\n      - path: $.spec.replicas\n        gte: 2\n    message: \"`{resource}` runs {value} replicas\"\n",
    );
    let err = stderr(&lint(dir.path()));
    assert!(
        err.contains("control.yaml:8:3: error: parameter `min_replicas` is never used"),
        "{err}"
    );

    custom_control(
        dir.path(),
        "parameters:\n  min_replicas:\n    type: integer\n    default: 2\n    description: The fewest replicas.\n",
        "    all:\n      - path: $.spec.replicas\n        gte: {param: min_replicas}\n    message: \"`{resource}` runs {value} replicas, fewer than {params.min_replicas}\"\n",
    );
    let out = lint(dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Beside another mistake, references are resolved: only the mistake is reported.
    custom_control(
        dir.path(),
        "parameters:\n  min_replicas:\n    type: integer\n    default: 2\n    description: The fewest replicas.\n",
        "    all:\n      - path: $.spec.replicas\n        gte: {param: min_replicas}\n        mesage: typo\n    message: \"fewer than {params.min_replicas}\"\n",
    );
    let err = stderr(&lint(dir.path()));
    assert!(err.contains("unknown key `mesage`"), "{err}");
    assert!(err.contains("assay: 1 error found"), "{err}");
}

/// A reference to an unknown `let` binding is a load error at its file:line naming the control,
/// and a `when` without `then` is one too; the corrected control passes its own case.
#[test]
fn bindings_and_when_are_checked_at_load() {
    let dir = tempfile::tempdir().unwrap();
    custom_control(
        dir.path(),
        "",
        "    let: {replicas: $.spec.replicas}\n    all:\n      - path: $replica\n        gte: 2\n    message: \"`{resource}` runs {value} replicas\"\n",
    );
    let out = lint(dir.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("control.yaml:12:9: error: unknown binding `$replica` in `replicas`"),
        "{err}"
    );
    assert!(err.contains("did you mean `$replicas`?"), "{err}");

    custom_control(
        dir.path(),
        "",
        "    let: {replicas: $.spec.replicas}\n    when:\n      - {path: $.metadata.name, equals: web}\n    message: \"`{resource}` runs {value} replicas\"\n",
    );
    let err = stderr(&lint(dir.path()));
    assert!(
        err.contains("control.yaml:11:5: error: `when` needs `then`"),
        "{err}"
    );

    custom_control(
        dir.path(),
        "",
        "    let: {replicas: $.spec.replicas}\n    when:\n      - {path: $.metadata.name, equals: web}\n    then:\n      - {path: $replicas, gte: 2}\n    message: \"`{resource}` runs {value} replicas\"\n",
    );
    assert_eq!(lint(dir.path()).status.code(), Some(0));
    let out = assay()
        .args(["controls", "test"])
        .arg(dir.path().join("catalog"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// An unknown placeholder in a message is a load error at the message's line.
#[test]
fn unknown_placeholders_are_load_errors() {
    let dir = tempfile::tempdir().unwrap();
    custom_control(
        dir.path(),
        "",
        "    all:\n      - path: $.spec.replicas\n        gte: 2\n        message: \"{resource} has {vaule} replicas\"\n    message: \"too few {{replicas}}\"\n",
    );
    let out = lint(dir.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("control.yaml:13:9: error: unknown placeholder `{vaule}` in the message"),
        "{err}"
    );
    assert!(err.contains("did you mean `{value}`?"), "{err}");
    assert_eq!(err.matches("unknown placeholder").count(), 1, "{err}");
}

/// Every threshold of the built-in catalog is a parameter: no comparison, count bound, age or
/// principal limit is written as a literal, apart from 0 and 1 (something exists, nothing
/// does).
#[test]
fn builtin_thresholds_are_parameters() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../controls");
    let mut literals = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("tests") {
                    stack.push(path);
                }
            } else if path.ends_with("control.yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let check = &text[text.find("\ncheck:").unwrap()..];
                let check = check.split("\ntests:").next().unwrap();
                for line in check.lines() {
                    let line = line.trim().trim_start_matches("- ");
                    let threshold = [
                        "gt:",
                        "gte:",
                        "lt:",
                        "lte:",
                        "max_age_days:",
                        "renew_within_days:",
                        "max_principals:",
                    ]
                    .iter()
                    .find_map(|k| line.strip_prefix(k))
                    .map(str::trim)
                    .or_else(|| line.strip_prefix("count:").map(str::trim));
                    // A parameter reference, perhaps scaled to its place's unit (`times: 365`).
                    let threshold = threshold.filter(|v| !v.starts_with("{param:"));
                    if let Some(value) = threshold {
                        let bounds: Vec<&str> = value
                            .trim_matches(|c| c == '{' || c == '}')
                            .split(',')
                            .map(|b| b.rsplit(':').next().unwrap().trim())
                            .collect();
                        if bounds
                            .iter()
                            .any(|b| b.parse::<f64>().is_ok() && *b != "0" && *b != "1")
                        {
                            literals.push(format!("{}: {line}", path.display()));
                        }
                    }
                }
            }
        }
    }
    assert!(
        literals.is_empty(),
        "thresholds written as literals:\n{}",
        literals.join("\n")
    );
}

/// `assay attest` dates an attestation's expiry by the project's `max_age_days`, the age its
/// scans accept.
#[test]
fn attest_follows_the_projects_max_age() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assay.yaml"),
        "parameters:\n  att-governance-oversight:\n    max_age_days: 90\n",
    )
    .unwrap();
    let out = assay()
        .args(["attest", "att-governance-oversight"])
        .arg(dir.path())
        .args(["--by", "Kim Lee", "--date", "2026-01-01"])
        .args([
            "--statement",
            "The board reviewed the security programme and the risk register in its January meeting.",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(
        dir.path()
            .join("attestations/att-governance-oversight.yaml"),
    )
    .unwrap();
    assert!(text.contains("expires: 2026-04-01\n"), "{text}");
}

/// `{param: NAME, times: N}` compares a parameter in years with a period in days: a locked
/// archive bucket of 3650 days passes the default 10 years and fails 11 set in assay.yaml.
#[test]
fn a_scaled_parameter_follows_the_value_set() {
    let lock = r#"resource "aws_s3_bucket" "ledger" {
  bucket = "acme-ledger"
  object_lock_configuration {
    object_lock_enabled = "Enabled"
    rule {
      default_retention {
        mode = "COMPLIANCE"
        days = 3650
      }
    }
  }
}
"#;
    let dir = repo("");
    std::fs::write(dir.path().join("main.tf"), lock).unwrap();
    let id = "tf-aws-s3-object-lock-retention";
    assert_eq!(findings(&json(&scan(dir.path())), id, "pass").len(), 1);
    std::fs::write(
        dir.path().join("assay.yaml"),
        format!("parameters:\n  {id}:\n    retention_years: 11\n"),
    )
    .unwrap();
    let results = json(&scan(dir.path()));
    assert_eq!(findings(&results, id, "pass").len(), 0);
    let failed = findings(&results, id, "fail");
    assert!(!failed.is_empty());
    for f in failed {
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("for less than 11 years"), "{message}");
    }
}

/// Operations thresholds are policy too: a quarterly restore-test rule fails a restore tested
/// 92 days ago that the yearly default passes, and a stricter p95 objective fails a service
/// the default passes, naming the group.
#[test]
fn restore_frequency_and_slo_objectives_are_parameters() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("docs/restore-tests")).unwrap();
    std::fs::write(
        dir.path().join("docs/restore-tests/2026-03-01-orders-db.md"),
        "---\ndate: 2026-03-01\nsystem: orders-db\nresult: pass\n---\n# Restore test\n\nRestored last night's snapshot; checksums matched.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("api.prom"),
        "# TYPE http_request_duration_seconds histogram\n\
         http_request_duration_seconds_bucket{service=\"api\",le=\"0.1\"} 900\n\
         http_request_duration_seconds_bucket{service=\"api\",le=\"0.5\"} 1000\n\
         http_request_duration_seconds_bucket{service=\"api\",le=\"+Inf\"} 1000\n\
         http_request_duration_seconds_sum{service=\"api\"} 60\n\
         http_request_duration_seconds_count{service=\"api\"} 1000\n",
    )
    .unwrap();
    let results = json(&scan(dir.path()));
    assert_eq!(findings(&results, "dr-restore-tested", "pass").len(), 1);
    assert_eq!(findings(&results, "avail-latency-p95", "fail").len(), 0);
    assert_eq!(findings(&results, "avail-latency-p95", "pass").len(), 2);

    std::fs::write(
        dir.path().join("assay.yaml"),
        "parameters:\n  dr-restore-tested:\n    max_days_since_restore_test: 90\n  avail-latency-p95:\n    max_p95_ms: 250\n",
    )
    .unwrap();
    let results = json(&scan(dir.path()));
    let stale = findings(&results, "dr-restore-tested", "fail");
    assert_eq!(stale.len(), 1, "{results}");
    assert!(
        stale[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("is 92 days old (more than 90)"),
        "{}",
        stale[0]["message"]
    );
    let slow: Vec<&str> = findings(&results, "avail-latency-p95", "fail")
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        slow,
        [
            "p95 latency of `all` is 300.0 ms, over the 250 ms objective",
            "p95 latency of `service=api` is 300.0 ms, over the 250 ms objective"
        ]
    );
}
