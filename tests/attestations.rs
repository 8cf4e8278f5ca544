//! Attestations end to end: a project keeps signed statements in a configured folder; scans
//! judge them against the scan time, report malformed files with file:line, and list every
//! attestation control, attested or not.

mod common;

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
    assert_eq!(
        missing["findings"][0]["location"]["path"],
        "compliance/attestations/att-environmental-protection.yaml"
    );
    assert!(missing["findings"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("not attested"));
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
    assert!(error["hint"].as_str().unwrap().contains("attested_by"));
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
    render_site(&results, &site, &[]);
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
    assert!(page.contains("att-environmental-protection.yaml</code>"));
}

/// The terminal summary says how each framework is evidenced, beside its coverage.
#[test]
fn the_terminal_summary_counts_automated_attested_and_not_applicable() {
    let r = scan();
    let out = assay()
        .args(["scan", "--now", "2026-11-22T00:00:00Z"])
        .arg(fixture("attested-repo"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for f in r["frameworks"].as_array().unwrap() {
        let c = &f["counts"];
        let expected = format!(
            "({} automated, {} attested, {} n/a)",
            c["automated"], c["attested"], c["not_applicable"]
        );
        let line = text
            .lines()
            .find(|l| l.contains(f["name"].as_str().unwrap()))
            .unwrap_or_else(|| panic!("no line for {}:\n{text}", f["id"]));
        assert!(line.contains(&expected), "{line}");
    }
}
