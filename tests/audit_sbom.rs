//! Audit-log and SBOM evidence through `assay scan`: configured collectors, findings that point
//! at the offending line, and no personal data in the results.

mod common;

use common::{assay, findings, fixture, json};

#[test]
fn audit_log_and_sbom_findings_point_at_their_lines() {
    let output = assay()
        .args(["scan", "--format", "json", "--framework", "soc2"])
        .arg(fixture("audit-sbom"))
        .output()
        .unwrap();
    let results = json(&output);
    let at = |id: &str| {
        let fails = findings(&results, id, "fail");
        assert_eq!(fails.len(), 1, "{id}: {fails:?}");
        (
            fails[0]["location"]["path"].as_str().unwrap().to_string(),
            fails[0]["location"]["line"].as_u64().unwrap(),
            fails[0]["message"].as_str().unwrap().to_string(),
        )
    };
    let log = "logs/audit/orders-api.audit.jsonl";
    let (path, line, message) = at("audit-log-hash-chain");
    assert_eq!((path.as_str(), line), (log, 150));
    assert!(
        message.ends_with("the hash chain breaks at line 150"),
        "{message}"
    );
    let (path, line, _) = at("audit-log-no-sensitive-data");
    assert_eq!((path.as_str(), line), (log, 77));
    let (path, line, message) = at("sbom-vulnerabilities-remediated");
    assert_eq!((path.as_str(), line), ("bom.cdx.json", 128));
    // assay.yaml lifts the medium deadline, so only the critical one is overdue.
    assert_eq!(
        message,
        "vulnerability `CVE-2021-44228` is open past its remediation deadline"
    );
    // assay.yaml asks for 30 days; the log covers 100.
    assert_eq!(findings(&results, "audit-log-retention", "pass").len(), 1);
    assert_eq!(findings(&results, "sbom-present", "pass").len(), 1);
    assert_eq!(findings(&results, "sbom-ntia-complete", "pass").len(), 1);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("olivia.newton@example.net"));
}

#[test]
fn invalid_collector_settings_stop_the_scan_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assay.yaml"),
        "collectors:\n  sbom:\n    remediation_deadlines:\n      high: 7 days\n",
    )
    .unwrap();
    let output = assay().arg("scan").arg(dir.path()).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("remediation_deadlines/high"), "{stderr}");
}
