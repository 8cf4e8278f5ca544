//! Attestations end to end: a project keeps signed statements in a configured folder; scans
//! judge them against the scan time, report malformed files with file:line, and list every
//! attestation control, attested or not.

use crate::common;

use common::{assay, control, fixture, json, render_site, requirement, save_results};
use serde_json::Value;

fn scan() -> Value {
    let out = assay()
        .args(["scan", "--format", "json", "--now", "2026-11-22T00:00:00Z"])
        .arg(fixture("attested-repo"))
        .output()
        .unwrap();
    json(&out)
}

#[test]
fn an_attestation_in_force_implements_its_control_with_its_evidence_hashed() {
    let r = scan();
    let c = control(&r, "att-physical-access");
    assert_eq!(c["kind"], "attestation");
    assert_eq!(c["status"], "implemented");
    let f = &c["findings"][0];
    assert_eq!(f["status"], "pass");
    assert_eq!(
        f["location"]["path"],
        "compliance/attestations/physical-access.yaml"
    );
    assert_eq!(f["location"]["line"], 3);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .starts_with("attested by Dana Reyes (Head of Facilities) on 2026-03-02"));
    // The attestation file and the attached badge audit are both part of the evidence.
    assert_eq!(f["evidence"].as_array().unwrap().len(), 2);
    // One file can attest several controls.
    for id in ["att-security-training", "att-ai-literacy"] {
        assert_eq!(control(&r, id)["status"], "implemented", "{id}");
    }
}

#[test]
fn expired_missing_and_incomplete_attestations_count_as_not_implemented() {
    let r = scan();
    let expired = control(&r, "att-background-screening");
    assert_eq!(expired["status"], "not_implemented");
    assert_eq!(
        expired["findings"][0]["message"],
        "attestation by Sam Okafor (HR Director) expired on 2024-01-15"
    );
    let missing = control(&r, "att-environmental-protection");
    assert_eq!(missing["status"], "not_implemented");
    // The file does not exist, so the finding is repository-level; its message names the file
    // to write.
    assert!(missing["findings"][0].get("location").is_none());
    let message = missing["findings"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("not attested"), "{message}");
    assert!(
        message.contains("compliance/attestations/att-environmental-protection.yaml"),
        "{message}"
    );
    // The training attestation attaches no file, but the risk assessment requires one: absent
    // here, so not attested at all.
    assert_eq!(
        control(&r, "att-risk-assessment")["status"],
        "not_implemented"
    );
    // Automated controls are marked as such.
    assert_eq!(control(&r, "k8s-privileged-container")["kind"], "automated");
}

#[test]
fn a_malformed_attestation_is_an_error_at_its_line_and_attests_nothing() {
    let r = scan();
    let error = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "compliance/attestations/dpo.yaml")
        .expect("dpo.yaml is reported");
    assert_eq!(error["line"], 4);
    assert!(error["message"].as_str().unwrap().contains("2026-02-30"));
    assert_eq!(error["hint"], "see schemas/attestation.schema.json");
    assert_eq!(control(&r, "att-dpo")["status"], "not_implemented");
}

#[test]
fn requirements_evidenced_only_by_attestations_are_marked_attested() {
    let r = scan();
    let a72 = requirement(&r, "iso27001", "A.7.2");
    assert_eq!(a72["coverage"], "attested");
    assert_eq!(a72["status"], "implemented");
    let iso = r["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "iso27001")
        .unwrap();
    assert_eq!(iso["counts"]["unmapped"], 0);
    assert_eq!(iso["counts"]["requirements"], 93);
}

/// The evidence site lists every attestation control with its state, in force or not.
#[test]
fn the_site_lists_attestations_attested_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let results = save_results(
        &fixture("attested-repo"),
        dir.path(),
        &["--now", "2026-11-22T00:00:00Z"],
    );
    let site = dir.path().join("site");
    let root = fixture("attested-repo");
    render_site(&results, &site, &["--root".as_ref(), root.as_os_str()]);
    let page = std::fs::read_to_string(site.join("waivers.html")).unwrap();
    let r: Value = serde_json::from_slice(&std::fs::read(&results).unwrap()).unwrap();
    let attestation_controls = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "attestation")
        .count();
    assert!(attestation_controls >= 30);
    assert_eq!(
        page.matches("<tr class=\"row-").count(),
        attestation_controls,
        "one row per attestation control (each has exactly one finding here)"
    );
    assert!(page.contains(&format!(
        "3 of {attestation_controls} are attested and in force"
    )));
    assert!(page.contains("attested by Dana Reyes (Head of Facilities) on 2026-03-02"));
    assert!(page.contains("expired on 2024-01-15"));
    // The missing attestation file does not exist: the row names it in its message only.
    assert!(page.contains("att-environmental-protection.yaml` with statement"));
}

/// The terminal summary says how each framework is evidenced: the shares of its applicable
/// requirements evidenced automatically, by attestation only and not at all.
#[test]
fn the_terminal_summary_counts_automated_attested_and_not_applicable() {
    let r = scan();
    let out = assay()
        .args(["scan", "--verbose", "--now", "2026-11-22T00:00:00Z"])
        .arg(fixture("attested-repo"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for f in r["frameworks"].as_array().unwrap() {
        let e = &f["evidenced"];
        let pct = |v: &serde_json::Value| format!("{:.1} %", v.as_f64().unwrap());
        let expected = format!(
            "evidenced: {} automatically, {} by attestation only, {} not at all",
            pct(&e["automated"]),
            pct(&e["attested_only"]),
            pct(&e["none"])
        );
        let line = text
            .lines()
            .find(|l| l.contains(f["name"].as_str().unwrap()))
            .unwrap_or_else(|| panic!("no line for {}:\n{text}", f["id"]));
        assert!(line.contains(&expected), "{line}");
    }
    // Attestations get one section: in force, each expired one with its file, and the ids
    // nobody attested on one line instead of a block each.
    let total = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "attestation")
        .count();
    assert!(
        text.contains(&format!("Attestations  3 of {total} in force")),
        "{text}"
    );
    assert!(text.contains(
        "✗ att-background-screening  attestation by Sam Okafor (HR Director) expired on 2024-01-15  (compliance/attestations/screening.yaml, unsigned)"
    ));
    // Each attestation in force is shown with its signature: none of these is signed.
    assert!(text.contains("✓ att-physical-access  unsigned"), "{text}");
    let missing = text
        .lines()
        .find(|l| l.contains(" not attested: "))
        .unwrap();
    assert!(
        missing.contains(&format!("✗ {} not attested: ", total - 4)),
        "{missing}"
    );
    assert!(missing.contains("att-dpo") && !missing.contains("att-physical-access"));
    assert!(
        !text.contains("\n  ✗ LOW att-"),
        "no attestation in the failing-controls list"
    );
}

/// An attestation in force that expires within 30 days still implements its control, with a
/// warning to renew it.
#[test]
fn an_attestation_about_to_expire_warns() {
    let out = assay()
        .args(["scan", "--format", "json", "--now", "2027-01-01T00:00:00Z"])
        .arg(fixture("attested-repo"))
        .output()
        .unwrap();
    let r = json(&out);
    let training = control(&r, "att-security-training");
    assert_eq!(training["status"], "implemented");
    assert_eq!(training["warnings"], 1);
    let warn = training["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "warn")
        .unwrap();
    assert_eq!(
        warn["message"],
        "attestation expires on 2027-01-20, in 19 days: renew it"
    );
    assert_eq!(
        warn["location"]["path"],
        "compliance/attestations/training.yaml"
    );
    // Two months before its expiry, the physical-access attestation draws no warning.
    assert_eq!(control(&r, "att-physical-access")["warnings"], 0);
}

/// `assay attest` writes an attestation into the configured folder, with the control's
/// maximum age as its lifetime, that the next scan accepts; mistakes exit 2.
#[test]
fn attest_writes_an_attestation_the_scan_accepts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assay.yaml"),
        "collectors:\n  attestation:\n    dir: compliance/attested\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("compliance/attested")).unwrap();
    std::fs::write(
        dir.path().join("compliance/attested/dpo-letter.txt"),
        "appointed",
    )
    .unwrap();
    let attest = |extra: &[&str]| {
        assay()
            .arg("attest")
            .args(extra)
            .arg(dir.path())
            .args(["--by", "Kim Lee", "--role", "DPO", "--date", "2026-11-01"])
            .args([
                "--statement",
                "Kim Lee is our DPO: \"independent\", reports to the board.",
            ])
            .output()
            .unwrap()
    };
    let out = attest(&["att-dpo", "--evidence", "dpo-letter.txt"]);
    common::exited(&out, 0);
    let file = dir.path().join("compliance/attested/att-dpo.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("expires: 2027-11-01\n"), "{text}");
    let scan = assay()
        .args(["scan", "--format", "json", "--now", "2026-11-22T00:00:00Z"])
        .arg(dir.path())
        .output()
        .unwrap();
    let r = json(&scan);
    let dpo = control(&r, "att-dpo");
    assert_eq!(dpo["status"], "implemented");
    assert!(dpo["findings"][0]["message"]
        .as_str()
        .unwrap()
        .ends_with("Kim Lee is our DPO: \"independent\", reports to the board."));
    assert_eq!(dpo["findings"][0]["evidence"].as_array().unwrap().len(), 2);

    for (args, says) in [
        (&["att-dpo"][..], "exists"),
        (&["att-dpoo"][..], "did you mean `att-dpo`?"),
        (&["k8s-privileged-container"][..], "not attested"),
        (
            &["att-code-of-conduct", "--evidence", "gone.pdf"][..],
            "does not exist",
        ),
    ] {
        let out = attest(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}"
        );
    }
}

/// SARIF annotates source lines: attestation controls, which have none, stay out of it.
#[test]
fn sarif_leaves_attestations_out() {
    let out = assay()
        .args(["scan", "--format", "sarif", "--now", "2026-11-22T00:00:00Z"])
        .arg(fixture("sample-repo"))
        .output()
        .unwrap();
    let sarif = json(&out);
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "k8s-privileged-container"));
    assert!(!rules
        .iter()
        .any(|r| r["id"].as_str().unwrap().starts_with("att-")));
    let results = run["results"].as_array().unwrap();
    assert!(
        results.len() >= 5,
        "the sample's configuration failures are there"
    );
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "rule indices stay aligned");
    }
}

/// The Markdown summary (a pull-request comment) folds attestation gaps into one collapsed
/// list instead of a failing-control block each.
#[test]
fn markdown_folds_attestation_gaps() {
    let r = scan();
    let out = assay()
        .args([
            "scan",
            "--format",
            "markdown",
            "--now",
            "2026-11-22T00:00:00Z",
        ])
        .arg(fixture("attested-repo"))
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    let gaps = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "attestation" && c["status"] != "implemented")
        .count();
    assert!(
        md.contains(&format!("📝 Attestations missing or expired ({gaps})")),
        "{md}"
    );
    assert!(md.contains("- `att-background-screening` "));
    assert!(
        !md.contains("#### LOW · `att-"),
        "no attestation block among failing controls"
    );
}
