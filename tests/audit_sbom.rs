//! Audit-log and SBOM evidence through `assay scan`: configured collectors, findings that point
//! at the offending line, and no personal data in the results.

use crate::common;

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

#[test]
fn provenance_signed_by_a_real_tool_verifies_and_tampering_fails() {
    // tests/fixtures/dsse/make.py signed these envelopes with Python's `cryptography`.
    let output = assay()
        .args(["scan", "--format", "json"])
        .arg(fixture("dsse"))
        .output()
        .unwrap();
    let results = json(&output);
    let passed: Vec<String> = findings(&results, "provenance-verified", "pass")
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    for key in ["release-ed25519", "release-p256", "release-rsa-pss"] {
        assert!(
            passed
                .iter()
                .any(|m| m.contains(&format!("with key {key},"))),
            "{key}: {passed:?}"
        );
    }
    // The fourth envelope's payload changed after signing: its signature and so its level fail.
    let failed = findings(&results, "provenance-verified", "fail");
    assert!(
        failed.iter().all(|f| f["location"]["line"] == 4),
        "{failed:?}"
    );
    let messages: Vec<&str> = failed
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "provenance `dist/shop-web.intoto.jsonl` confirms SLSA Build level 1, below 2",
            "provenance `dist/shop-web.intoto.jsonl` is not verified: signature 1 (keyid \
             `release-p256`): does not verify with key `release-p256` (ecdsa-p256-sha256): the \
             payload or signature changed after signing",
        ]
    );
    // The artifact is a subject of the statements, but no SBOM describes it.
    let release = findings(&results, "release-artifacts-attested", "fail");
    assert_eq!(release.len(), 1, "{release:?}");
    assert_eq!(
        release[0]["message"],
        "release artifact `dist/shop-web-linux-amd64` is described by no SBOM"
    );
}

#[test]
fn a_provenance_key_that_is_no_public_key_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assay.yaml"),
        "collectors:\n  sbom:\n    provenance:\n      keys:\n        - {id: ci, public_key: not a key}\n",
    )
    .unwrap();
    let output = assay().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("provenance.keys[0] (ci)"), "{stderr}");
}
