//! Waivers and inline suppressions: applied, expired and unmatched waivers, scores before and
//! after, `# assay:ignore` comments with and without a reason and with the switch off, and
//! `assay waivers lint`.

use crate::common;
use crate::git_repo;

use std::process::Output;

use common::{assay, findings, fixture, json};
use git_repo::GitRepo;
use serde_json::Value;

/// A copy of the fixture repository (not committed: waivers need no git).
fn repo() -> GitRepo {
    GitRepo::from(&fixture("premerge/repo"))
}

fn scan(repo: &GitRepo, extra: &[&str]) -> Output {
    assay()
        .arg("scan")
        .arg(repo.path())
        .args(["--no-builtin", "--controls"])
        .arg(fixture("premerge/catalog"))
        .args(extra)
        .output()
        .unwrap()
}

fn scan_json(repo: &GitRepo, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let out = scan(repo, &args);
    json(&out)
}

fn waivers_file(repo: &GitRepo, text: &str) -> String {
    let path = repo.file("compliance/waivers.yaml");
    repo.write("compliance/waivers.yaml", text);
    path.display().to_string()
}

/// The day `days` from today, as a waiver writes it.
fn in_days(days: i64) -> String {
    let today = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date();
    today
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
        .to_string()
}

fn control<'a>(r: &'a Value, id: &str) -> &'a Value {
    common::control(r, id)
}

const WAIVERS: &str = "waivers:
  - control: pm-image-pinned
    scope:
      paths: [k8s/legacy.yaml]
    justification: Replaced by the new chart.
    approved_by: security@example.com
    created: 1999-01-01
    expires: 2000-01-01
    risk: medium
  - control: pm-dockerfile-user
    justification: Nothing fails this control.
    expires: 2999-12-31
  - control: pm-image-pined
    justification: A typo in the control id.
";

/// An expired waiver leaves its findings failing, with a message naming it; waivers that
/// match nothing are reported; a waiver of an unknown control is an error entry.
#[test]
fn expired_and_unmatched_waivers_are_reported() {
    let repo = repo();
    let file = waivers_file(&repo, WAIVERS);
    let out = scan(
        &repo,
        &["--format", "json", "--waivers", &file, "--fail-on", "high"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the expired waiver waives nothing"
    );
    let r = json(&out);
    let failed = findings(&r, "pm-image-pinned", "fail");
    assert_eq!(failed.len(), 1);
    let message = failed[0]["message"].as_str().unwrap();
    assert!(
        message.ends_with("(the waiver at compliance/waivers.yaml:2 expired on 2000-01-01)"),
        "{message}"
    );
    let statuses: Vec<(&str, u64, &str, u64)> = r["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["control"].as_str().unwrap(),
                w["line"].as_u64().unwrap(),
                w["status"].as_str().unwrap(),
                w["findings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("pm-image-pinned", 2, "expired", 1),
            ("pm-dockerfile-user", 10, "unmatched", 0),
            ("pm-image-pined", 13, "unmatched", 0),
        ]
    );
    let error = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "compliance/waivers.yaml")
        .expect("an error entry for the unknown control");
    assert_eq!(
        error["message"],
        "waiver names unknown control `pm-image-pined`"
    );
    assert_eq!(
        (error["line"].as_u64(), error["column"].as_u64()),
        (Some(13), Some(5))
    );
    assert_eq!(error["hint"], "did you mean `pm-image-pinned`?");

    let text = String::from_utf8(scan(&repo, &["--waivers", &file]).stdout).unwrap();
    assert!(
        text.contains("compliance/waivers.yaml:2  pm-image-pinned  expired on 2000-01-01"),
        "{text}"
    );
    assert!(
        text.contains("compliance/waivers.yaml:10  pm-dockerfile-user  matched no failing finding"),
        "{text}"
    );
}

/// A valid waiver waives its findings, which stay visible; scores are given before and after
/// waivers for controls, requirements and frameworks, in JSON and on the terminal.
#[test]
fn scores_before_and_after_waivers() {
    let repo = repo();
    let plain = scan_json(&repo, &[]);
    assert!(control(&plain, "pm-image-pinned")
        .get("score_before_waivers")
        .is_none());
    assert!(plain.get("waivers").is_none());

    let file = waivers_file(&repo, &WAIVERS.replace("2000-01-01", &in_days(30)));
    let r = scan_json(&repo, &["--waivers", &file]);
    let waived = findings(&r, "pm-image-pinned", "waived");
    assert_eq!(waived.len(), 1);
    assert!(waived[0]["message"]
        .as_str()
        .unwrap()
        .ends_with("(waived by compliance/waivers.yaml:2: Replaced by the new chart.)"));
    let c = control(&r, "pm-image-pinned");
    assert_eq!(
        (c["score"].as_f64(), c["score_before_waivers"].as_f64()),
        (Some(100.0), Some(66.67))
    );
    let f = &r["frameworks"][0];
    assert_eq!(f["score"], 100.0);
    assert_eq!(f["score_before_waivers"], 90.0);
    assert_eq!(f["requirements"][0]["score_before_waivers"], 80.0);
    assert_eq!(r["waivers"][0]["status"], "applied");
    assert_eq!(r["waivers"][0]["risk"], "medium");

    let errors = assay_engine::schema::validate(
        assay_engine::schema::SchemaKind::Results,
        "results.json",
        &r,
        &assay_collectors::LineMap::new(),
    );
    assert!(errors.is_empty(), "{errors:?}");

    let text = String::from_utf8(scan(&repo, &["--waivers", &file]).stdout).unwrap();
    assert!(text.contains("100.0 %"), "{text}");
    assert!(text.contains("(90.0 % before waivers)"), "{text}");
    assert!(
        text.contains("Waivers  1 of 3 applied, 1 finding(s) waived"),
        "{text}"
    );
}

/// The waivers file named in assay.yaml is used when --waivers is not given.
#[test]
fn waivers_file_from_the_config() {
    let repo = repo();
    waivers_file(&repo, &WAIVERS.replace("2000-01-01", "2999-01-01"));
    repo.write("assay.yaml", "waivers: compliance/waivers.yaml\n");
    let r = scan_json(&repo, &[]);
    assert_eq!(findings(&r, "pm-image-pinned", "waived").len(), 1);
}

const LEGACY_IMAGE: &str = "          image: busybox:latest\n";

/// A comment on the offending line or the line above suppresses that control's finding, as
/// waived with the reason; the suppression is listed with the waivers.
#[test]
fn inline_suppressions_with_a_reason() {
    let repo = repo();
    repo.edit(
        "k8s/legacy.yaml",
        LEGACY_IMAGE,
        &format!(
            "          # assay:ignore pm-image-pinned pinned by the release job\n{LEGACY_IMAGE}"
        ),
    );
    repo.edit(
        "infra/main.tf",
        "  acl    = \"private\"",
        "  acl    = \"public-read\" # assay:ignore pm-tf-bucket-private static site, reviewed",
    );
    let r = scan_json(&repo, &[]);
    let waived = findings(&r, "pm-image-pinned", "waived");
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["location"]["line"], 12);
    assert!(waived[0]["message"].as_str().unwrap().ends_with(
        "(suppressed by `assay:ignore` at k8s/legacy.yaml:11: pinned by the release job)"
    ));
    assert_eq!(findings(&r, "pm-tf-bucket-private", "waived").len(), 1);
    let inline: Vec<(&str, u64, &str)> = r["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            assert_eq!(w["source"], "inline");
            (
                w["path"].as_str().unwrap(),
                w["line"].as_u64().unwrap(),
                w["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        inline,
        vec![
            ("infra/main.tf", 3, "applied"),
            ("k8s/legacy.yaml", 11, "applied")
        ]
    );
    assert!(r["errors"].as_array().unwrap().is_empty());
}

/// A suppression without a reason, or naming an unknown control, is an error entry with its
/// place and a hint, and suppresses nothing.
#[test]
fn inline_suppressions_without_a_reason_are_errors() {
    let repo = repo();
    repo.edit(
        "k8s/legacy.yaml",
        LEGACY_IMAGE,
        &format!("          # assay:ignore pm-image-pinned\n{LEGACY_IMAGE}"),
    );
    repo.write(
        "Dockerfile",
        "# assay:ignore pm-dockerfile-usr base image sets it\nFROM alpine:3.20\n",
    );
    let r = scan_json(&repo, &[]);
    assert_eq!(findings(&r, "pm-image-pinned", "fail").len(), 1);
    let errors: Vec<(&str, u64, u64, &str, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
                e["message"].as_str().unwrap(),
                e["hint"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (
                "Dockerfile",
                1,
                3,
                "`assay:ignore` names unknown control `pm-dockerfile-usr`",
                "did you mean `pm-dockerfile-user`?"
            ),
            (
                "k8s/legacy.yaml",
                11,
                13,
                "inline suppression of `pm-image-pinned` gives no reason; nothing is suppressed",
                "say why after the control id: `# assay:ignore pm-image-pinned <reason>`"
            ),
        ]
    );
    let text = String::from_utf8(scan(&repo, &[]).stdout).unwrap();
    assert!(text.contains("k8s/legacy.yaml:11:13"), "{text}");
}

/// With `suppressions: {inline: false}` every comment is an error and nothing is suppressed.
#[test]
fn inline_suppressions_switched_off() {
    let repo = repo();
    repo.edit(
        "k8s/legacy.yaml",
        LEGACY_IMAGE,
        &format!(
            "          # assay:ignore pm-image-pinned pinned by the release job\n{LEGACY_IMAGE}"
        ),
    );
    repo.write("assay.yaml", "suppressions:\n  inline: false\n");
    let r = scan_json(&repo, &[]);
    assert_eq!(findings(&r, "pm-image-pinned", "fail").len(), 1);
    assert!(findings(&r, "pm-image-pinned", "waived").is_empty());
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["path"], "k8s/legacy.yaml");
    assert_eq!(errors[0]["line"], 11);
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("inline suppressions are turned off"));
    assert!(r.get("waivers").is_none());
}

/// A suppression added by a change makes the finding newly waived in `assay check`, not new.
#[test]
fn check_shows_a_new_suppression_as_waived() {
    let repo = repo();
    repo.commit_all("base");
    repo.edit(
        "k8s/app.yaml",
        "nginx:1.27.2",
        "nginx:latest # assay:ignore pm-image-pinned canary build",
    );
    let out = assay()
        .arg("check")
        .arg(repo.path())
        .args(["--base", "HEAD", "--no-builtin", "--controls"])
        .arg(fixture("premerge/catalog"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    assert!(r["check"]["new_failures"].as_array().unwrap().is_empty());
    let waived = findings(&r, "pm-image-pinned", "waived");
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["location"]["path"], "k8s/app.yaml");
}

fn lint(dir: &std::path::Path, args: &[&str]) -> Output {
    assay()
        .current_dir(dir)
        .args(["waivers", "lint"])
        .args(args)
        .args(["--no-builtin", "--controls"])
        .arg(fixture("premerge/catalog"))
        .output()
        .unwrap()
}

/// `assay waivers lint`: unknown controls (with a suggestion) and expired waivers are errors
/// (exit 2); waivers expiring within --warn-days are warnings (exit 0).
#[test]
fn waivers_lint() {
    let repo = repo();
    waivers_file(&repo, WAIVERS);
    let out = lint(repo.path(), &["compliance/waivers.yaml"]);
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains(
            "compliance/waivers.yaml:8:5: error: waiver of `pm-image-pinned` expired on 2000-01-01"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "compliance/waivers.yaml:13:5: error: waiver names unknown control `pm-image-pined`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: did you mean `pm-image-pinned`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: waiver of `pm-image-pined` never expires"),
        "{stderr}"
    );

    let soon = in_days(10);
    waivers_file(
        &repo,
        &format!(
            "waivers:\n  - control: pm-image-pinned\n    justification: Replaced soon.\n    expires: {soon}\n"
        ),
    );
    repo.write("assay.yaml", "waivers: compliance/waivers.yaml\n");
    let out = lint(repo.path(), &[]);
    common::exited(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "compliance/waivers.yaml:4:5: warning: waiver of `pm-image-pinned` expires on {soon}, in 10 days"
        )),
        "{stderr}"
    );
    let out = lint(repo.path(), &["--warn-days", "5"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 waiver checked, 0 warnings"));

    waivers_file(
        &repo,
        "waivers:\n  - control: pm-image-pinned\n    expires: 2030-02-30\n    justfication: typo\n",
    );
    let out = lint(repo.path(), &[]);
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains("compliance/waivers.yaml:4:5: error: unknown key `justfication`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: did you mean `justification`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("missing required key `justification`"),
        "{stderr}"
    );
}

/// A waivers file that does not follow its schema stops the scan before anything runs.
#[test]
fn a_broken_waivers_file_is_a_usage_error() {
    let repo = repo();
    let file = waivers_file(
        &repo,
        "waivers:\n  - control: pm-image-pinned\n    risk: huge\n    justification: x\n",
    );
    let out = scan(&repo, &["--waivers", &file]);
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains(&format!("{file}:3:5: error: invalid value `huge`")),
        "{stderr}"
    );
}
