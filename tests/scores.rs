//! End-to-end tests of honest scores: what an empty selection means, the default gate, and
//! mappings that must name real requirements.

use crate::common;

use std::path::Path;

use common::{assay, control, exited, fixture, json, requirement};
use serde_json::Value;

/// A Kubernetes-only repository: one hardened deployment.
fn kubernetes_repo(dir: &Path) {
    std::fs::create_dir_all(dir.join("k8s")).unwrap();
    std::fs::copy(
        fixture("sample-repo/k8s/deployment.yaml"),
        dir.join("k8s/deployment.yaml"),
    )
    .unwrap();
}

/// An S3 bucket that fails every check selecting it: public, unencrypted, unlogged.
const INSECURE_BUCKET: &str = r#"resource "aws_s3_bucket" "exports" {
  bucket = "acme-exports"
  acl    = "public-read"
}
"#;

fn scan(dir: &Path, extra: &[&str]) -> std::process::Output {
    assay()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap()
}

fn framework<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["frameworks"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["id"] == id))
        .unwrap_or_else(|| panic!("no framework `{id}`"))
}

fn score(results: &Value, framework_id: &str) -> f64 {
    framework(results, framework_id)["score"].as_f64().unwrap()
}

/// With no access model the MFA control is not assessed: it scores 0, counts in CC6.1 and
/// says what evidence to provide, instead of dropping out as "not applicable".
#[test]
fn mfa_without_an_access_model_is_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    let r = json(&scan(dir.path(), &["--soft-fail"]));
    let mfa = control(&r, "access-privileged-mfa");
    assert_eq!(mfa["status"], "not_assessed");
    assert_eq!(mfa["score"], 0.0);
    assert!(
        mfa["missing_evidence"]
            .as_str()
            .unwrap()
            .contains("Cedar access model"),
        "{mfa}"
    );
    let cc61 = requirement(&r, "soc2", "CC6.1");
    assert!(cc61["controls"]
        .as_array()
        .unwrap()
        .contains(&"access-privileged-mfa".into()));
    assert_ne!(cc61["status"], "not_applicable");
    assert!(cc61["score"].as_f64().unwrap() < 100.0, "{cc61}");
    assert!(r["summary"]["not_assessed"].as_u64().unwrap() >= 4);
    // A subject that does not exist stays out of the score.
    let bucket = control(&r, "tf-aws-s3-encryption");
    assert_eq!(
        (&bucket["status"], &bucket["score"]),
        (&"not_applicable".into(), &Value::Null)
    );
}

/// Without a restore-test record, restore testing is a gap (not a failure judged on a file
/// that does not exist), and no finding of any control rests on the digest of a missing file.
#[test]
fn missing_records_are_gaps_without_digests() {
    const EMPTY_INPUT: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    let r = json(&scan(dir.path(), &["--soft-fail"]));
    let restore = control(&r, "dr-restore-tested");
    assert_eq!(restore["status"], "not_assessed", "{restore}");
    assert_eq!(restore["score"], 0.0);
    assert!(
        restore["findings"].as_array().unwrap().is_empty(),
        "{restore}"
    );
    assert!(
        restore["missing_evidence"]
            .as_str()
            .unwrap()
            .contains("restore-test records"),
        "{restore}"
    );
    for c in r["controls"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            assert!(
                !f["evidence"]
                    .as_array()
                    .unwrap()
                    .contains(&EMPTY_INPUT.into()),
                "{}: {f}",
                c["id"]
            );
        }
    }
}

/// Adding an insecure bucket to a Kubernetes-only repository lowers SOC 2 (and raises no
/// framework).
#[test]
fn an_insecure_bucket_never_raises_a_score() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    let before = json(&scan(dir.path(), &["--soft-fail"]));
    std::fs::write(dir.path().join("main.tf"), INSECURE_BUCKET).unwrap();
    let after = json(&scan(dir.path(), &["--soft-fail"]));
    let bucket_findings: Vec<&Value> = after["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap())
        .filter(|f| f["resource"] == "aws_s3_bucket.exports")
        .collect();
    assert!(!bucket_findings.is_empty());
    assert!(
        bucket_findings.iter().all(|f| f["status"] == "fail"),
        "{bucket_findings:?}"
    );
    assert!(
        score(&after, "soc2") < score(&before, "soc2"),
        "SOC 2 went from {} to {}",
        score(&before, "soc2"),
        score(&after, "soc2")
    );
    for f in before["frameworks"].as_array().unwrap() {
        let id = f["id"].as_str().unwrap();
        if let (Some(b), Some(a)) = (f["score"].as_f64(), framework(&after, id)["score"].as_f64()) {
            assert!(a <= b, "{id} rose from {b} to {a}");
        }
    }
}

/// Resources that fail some checks and pass others: each one, added alone or together, lowers
/// or keeps every framework and requirement score, although it passes checks whose
/// requirements had nothing to judge before. The bucket passes the public-ACL check, which
/// gives SOC 2 CC6.6 its first judged item: counted as failing there, since the framework judges
/// the bucket unsound.
#[test]
fn resources_failing_some_checks_never_raise_a_score() {
    const PRIVATE_UNENCRYPTED_BUCKET: &str = r#"resource "aws_s3_bucket" "ledger" {
  bucket = "acme-ledger"
  acl    = "private"
}
"#;
    const OPEN_SECURITY_GROUP: &str = r#"resource "aws_security_group" "admin" {
  name = "admin"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"#;
    const UNENCRYPTED_DB: &str = r#"resource "aws_db_instance" "main" {
  engine                  = "postgres"
  storage_encrypted       = false
  backup_retention_period = 30
}
"#;
    let variants = [
        ("bucket.tf", PRIVATE_UNENCRYPTED_BUCKET),
        ("sg.tf", OPEN_SECURITY_GROUP),
        ("db.tf", UNENCRYPTED_DB),
    ];
    let scores = |r: &Value| -> Vec<(String, Option<f64>)> {
        let mut out = Vec::new();
        for f in r["frameworks"].as_array().unwrap() {
            let id = f["id"].as_str().unwrap();
            out.push((id.to_string(), f["score"].as_f64()));
            for q in f["requirements"].as_array().unwrap() {
                out.push((
                    format!("{id}:{}", q["id"].as_str().unwrap()),
                    q["score"].as_f64(),
                ));
            }
        }
        out
    };
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    let mut before = json(&scan(dir.path(), &["--soft-fail"]));
    for (name, text) in variants {
        std::fs::write(dir.path().join(name), text).unwrap();
        let after = json(&scan(dir.path(), &["--soft-fail"]));
        for ((id, b), (_, a)) in scores(&before).iter().zip(scores(&after)) {
            match (b, a) {
                (Some(b), Some(a)) => assert!(a <= *b, "adding {name}: {id} rose from {b} to {a}"),
                (None, Some(a)) => assert_eq!(a, 0.0, "adding {name}: {id} appeared at {a}"),
                _ => {}
            }
        }
        before = after;
    }
    // The bucket passes the public-ACL check on its own; SOC 2 counts it as failing, and says why.
    let acl = control(&before, "tf-aws-s3-public-acl");
    assert_eq!(acl["score"], 100.0, "{acl}");
    let adjusted = &framework(&before, "soc2")["adjusted_controls"]["tf-aws-s3-public-acl"];
    assert_eq!(adjusted["score"], 0.0, "{adjusted}");
    assert_eq!(adjusted["failing_elsewhere"], 1, "{adjusted}");
}

/// The default gate fails on a high or critical automated failure and names it on the last
/// line; `--soft-fail` reports the same without failing.
#[test]
fn the_default_gate_fails_on_severe_automated_failures() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    std::fs::copy(
        fixture("sample-repo/k8s/debug-pod.yaml"),
        dir.path().join("k8s/debug-pod.yaml"),
    )
    .unwrap();
    let out = assay().arg("scan").arg(dir.path()).output().unwrap();
    exited(&out, 1);
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("Result: gate failed on ") && last.contains("k8s-privileged-container"),
        "{text}"
    );
    assert!(text.contains("Gate  fails on automated controls failing at high or worse"));

    let out = assay()
        .arg("scan")
        .arg(dir.path())
        .arg("--soft-fail")
        .output()
        .unwrap();
    exited(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("Result: no gate set;") && last.contains("k8s-privileged-container"),
        "{text}"
    );
}

/// A clean Kubernetes repository passes the default gate although no attestation is made and
/// company-level evidence is missing; `include_attestations` gates on those too.
#[test]
fn attestations_and_missing_evidence_stay_out_of_the_default_gate() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    let out = assay().arg("scan").arg(dir.path()).output().unwrap();
    exited(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().last(), Some("Result: passed"), "{text}");

    std::fs::write(
        dir.path().join("assay.yaml"),
        "gate: {include_attestations: true}\n",
    )
    .unwrap();
    let out = assay().arg("scan").arg(dir.path()).output().unwrap();
    exited(&out, 1);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("access-privileged-mfa  (high) is not assessed"),
        "{text}"
    );
}

fn mapping_catalog(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(dir.path().join("mappings/custom.yaml"), yaml).unwrap();
    dir
}

/// A requirement a built-in framework lacks is an error with "did you mean", and so is a
/// misspelt framework id; a framework declared new is accepted.
#[test]
fn unknown_requirements_and_frameworks_are_errors() {
    let repo = tempfile::tempdir().unwrap();
    kubernetes_repo(repo.path());
    let catalog = mapping_catalog(
        "framework: soc2\nrequirements:\n  - id: CC9.9\n    controls: [k8s-privileged-container]\n",
    );
    let out = assay()
        .arg("scan")
        .arg(repo.path())
        .arg("--controls")
        .arg(catalog.path())
        .output()
        .unwrap();
    let err = exited(&out, 2);
    assert!(err.contains("`soc2` has no requirement `CC9.9`"), "{err}");
    assert!(
        err.contains("did you mean `CC9.2`?") || err.contains("did you mean `CC9.1`?"),
        "{err}"
    );
    assert!(err.contains("custom.yaml:3"), "{err}");

    let catalog = mapping_catalog(
        "framework: soc-2\nrequirements:\n  - id: CC6.1\n    controls: [k8s-privileged-container]\n",
    );
    let out = assay()
        .arg("scan")
        .arg(repo.path())
        .arg("--controls")
        .arg(catalog.path())
        .output()
        .unwrap();
    let err = exited(&out, 2);
    assert!(err.contains("unknown framework `soc-2`"), "{err}");
    assert!(err.contains("did you mean `soc2`?"), "{err}");

    let catalog = mapping_catalog(
        "framework: acme\nnew_framework: true\nrequirements:\n  - id: AC-1\n    controls: [k8s-privileged-container]\n",
    );
    let out = assay()
        .arg("scan")
        .arg(repo.path())
        .arg("--controls")
        .arg(catalog.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    exited(&out, 0);
    let r = json(&out);
    // The default frameworks but the EU AI Act (no AI system is declared; the opt-in ones are
    // scored only when chosen), and acme.
    let scored: Vec<&str> = r["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(scored, ["acme", "gdpr", "iso27001", "soc2"]);
    assert_eq!(score(&r, "acme"), 100.0);
}

/// A fully remote company excludes the physical controls A.7.1–A.7.4 with a justification,
/// an approver and a date: they leave the score and the SoA shows them as excluded.
#[test]
fn a_remote_company_excludes_physical_controls() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    std::fs::write(
        dir.path().join("assay.yaml"),
        "exclusions:\n  - framework: iso27001\n    requirements: [A.7.1, A.7.2, A.7.3, A.7.4]\n    reason: Fully remote company without offices or premises.\n    approved_by: Dana Reyes (CISO)\n    date: 2026-03-01\n",
    )
    .unwrap();
    let r = json(&scan(dir.path(), &["--soft-fail"]));
    let a71 = requirement(&r, "iso27001", "A.7.1");
    assert_eq!(a71["status"], "not_applicable");
    assert_eq!(a71["coverage"], "not_applicable");
    assert_eq!(a71["exclusion"]["approved_by"], "Dana Reyes (CISO)");

    let out = tempfile::tempdir().unwrap();
    let run = assay()
        .arg("documents")
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    exited(&run, 0);
    let soa = std::fs::read_to_string(out.path().join("statement-of-applicability.md")).unwrap();
    let row = soa
        .lines()
        .find(|l| l.starts_with("| A.7.2 |"))
        .unwrap_or_else(|| panic!("{soa}"));
    assert!(row.contains("| No |"), "{row}");
    assert!(
        row.contains("Fully remote company without offices or premises. (excluded by Dana Reyes (CISO) on 2026-03-01)"),
        "{row}"
    );
    // Cryptography applies, but a Kubernetes-only tree holds nothing its controls judge: the
    // SoA says so instead of "Applicable: Yes" beside a bare "not applicable".
    let crypto = soa.lines().find(|l| l.starts_with("| A.8.24 |")).unwrap();
    assert!(
        crypto.contains("| Yes |")
            && crypto.contains("nothing in the scanned tree is subject to its controls"),
        "{crypto}"
    );

    std::fs::write(
        dir.path().join("assay.yaml"),
        "exclusions:\n  - framework: iso27001\n    requirements: [A.7.41]\n    reason: Fully remote company without offices or premises.\n    approved_by: Dana Reyes (CISO)\n    date: 2026-03-01\n",
    )
    .unwrap();
    let err = exited(&scan(dir.path(), &[]), 2);
    assert!(
        err.contains("`iso27001` has no requirement `A.7.41` to exclude"),
        "{err}"
    );
}

/// `--framework soc2` limits evaluation, outputs and the gate to the controls mapped to SOC 2:
/// a clean Kubernetes repository passes, and no EU AI Act control is evaluated.
#[test]
fn a_framework_scope_limits_evaluation_and_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    let out = scan(dir.path(), &["--framework", "soc2"]);
    exited(&out, 0);
    let r = json(&out);
    assert_eq!(r["frameworks"].as_array().unwrap().len(), 1);
    let ids: Vec<&str> = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"att-ai-prohibited-practices"), "{ids:?}");
    assert!(ids.contains(&"k8s-privileged-container"));
    for c in r["controls"].as_array().unwrap() {
        assert!(
            c["mappings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["framework"] == "soc2"),
            "{} is not mapped to SOC 2",
            c["id"]
        );
    }
}

/// The EU AI Act is scored when `ai-systems.yaml` declares systems or when asked for, not by
/// default for a company without AI.
#[test]
fn the_ai_act_is_scored_when_ai_systems_are_declared_or_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    let frameworks = |r: &Value| -> Vec<String> {
        r["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let r = json(&scan(dir.path(), &["--soft-fail"]));
    let scored = frameworks(&r);
    assert!(!scored.contains(&"eu-ai-act".to_string()), "{scored:?}");
    for id in ["gdpr", "iso27001", "soc2"] {
        assert!(scored.contains(&id.to_string()), "{scored:?}");
    }
    assert!(!r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "att-ai-prohibited-practices"));

    let r = json(&scan(
        dir.path(),
        &["--soft-fail", "--framework", "eu-ai-act"],
    ));
    assert_eq!(frameworks(&r), ["eu-ai-act"]);

    let sample = json(&scan(&fixture("sample-repo"), &["--soft-fail"]));
    assert!(frameworks(&sample).contains(&"eu-ai-act".to_string()));
}

/// SOC 2 scores Security always and the other Trust Services categories only when chosen.
#[test]
fn soc2_scores_the_chosen_trust_services_categories() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    std::fs::write(
        dir.path().join("assay.yaml"),
        "soc2_categories: [availability]\n",
    )
    .unwrap();
    let r = json(&scan(dir.path(), &["--soft-fail", "--framework", "soc2"]));
    let ids: Vec<&str> = framework(&r, "soc2")["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"CC6.1") && ids.contains(&"A1.2"), "{ids:?}");
    assert!(
        !ids.iter()
            .any(|id| id.starts_with('C') && !id.starts_with("CC") || id.starts_with('P')),
        "{ids:?}"
    );
    assert!(!r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "att-processing-integrity"));
}

/// `assay init` writes the frameworks and SOC 2 categories it is given into `assay.yaml`, and
/// a scan reads them back.
#[test]
fn init_records_the_scope() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    let out = assay()
        .arg("init")
        .arg(dir.path())
        .args([
            "--framework",
            "soc2,iso27001",
            "--soc2-category",
            "availability",
        ])
        .output()
        .unwrap();
    exited(&out, 0);
    let config = std::fs::read_to_string(dir.path().join("assay.yaml")).unwrap();
    assert!(
        config.contains("\nframeworks: [soc2, iso27001]\n"),
        "{config}"
    );
    assert!(
        config.contains("\nsoc2_categories: [availability]\n"),
        "{config}"
    );
    let r = json(&scan(dir.path(), &["--soft-fail"]));
    let ids: Vec<&str> = r["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["iso27001", "soc2"]);
    // Any built-in framework may be chosen; an unknown one is a usage error with a hint.
    let out = assay()
        .arg("init")
        .arg(dir.path())
        .args(["--force", "--framework", "pci-dss,nist-800-53"])
        .output()
        .unwrap();
    exited(&out, 0);
    let config = std::fs::read_to_string(dir.path().join("assay.yaml")).unwrap();
    assert!(
        config.contains("\nframeworks: [pci-dss, nist-800-53]\n"),
        "{config}"
    );
    let out = assay()
        .arg("init")
        .arg(dir.path())
        .args(["--force", "--framework", "hipa"])
        .output()
        .unwrap();
    let stderr = exited(&out, 2);
    assert!(stderr.contains("did you mean `hipaa`"), "{stderr}");
}

/// `explain-score` adds the requirements' contributions up to the printed framework score and
/// shows a requirement's controls with their weights; the results carry the automated and
/// attested parts and the evidence shares.
#[test]
fn explain_score_sums_to_the_printed_score() {
    let dir = tempfile::tempdir().unwrap();
    let file = common::save_results(&fixture("sample-repo"), dir.path(), &["--soft-fail"]);
    let r: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let soc2 = framework(&r, "soc2");
    let e = &soc2["evidenced"];
    let shares = e["automated"].as_f64().unwrap()
        + e["attested_only"].as_f64().unwrap()
        + e["none"].as_f64().unwrap();
    assert!((shares - 100.0).abs() < 0.05, "{e}");
    assert!(soc2["automated_score"].is_number() && soc2["attested_score"].is_number());

    let out = assay()
        .args(["explain-score", "soc2", "--results"])
        .arg(&file)
        .output()
        .unwrap();
    exited(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    let contributions: f64 = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("requirement"))
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with("sum"))
        .map(|l| l.split_whitespace().nth(2).unwrap().parse::<f64>().unwrap())
        .sum();
    let printed = soc2["score"].as_f64().unwrap();
    assert!(
        (contributions - printed).abs() < 0.01,
        "{contributions} vs {printed}\n{text}"
    );
    assert!(text.contains(&format!("= {printed:.2}%")), "{text}");
    assert!(text.contains("By domain:") && text.contains("Gaps, by what meeting each would add"));

    let out = assay()
        .args(["explain-score", "soc2", "CC6.1", "--results"])
        .arg(&file)
        .output()
        .unwrap();
    exited(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    let cc61 = requirement(&r, "soc2", "CC6.1");
    assert!(
        text.contains(&format!("= {:.2}%", cc61["score"].as_f64().unwrap())),
        "{text}"
    );
    assert!(text.contains("access-privileged-mfa"), "{text}");

    let out = assay()
        .args(["explain-score", "soc2", "CC9.9", "--results"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(exited(&out, 2).contains("did you mean"));
}

/// `assay attest` refuses what the next scan would fail: a statement that says next to
/// nothing, or no evidence for a control that requires it; a scan fails such a statement
/// written by hand.
#[test]
fn attest_refuses_what_the_scan_would_fail() {
    let dir = tempfile::tempdir().unwrap();
    kubernetes_repo(dir.path());
    let attest = |control: &str, statement: &str| {
        assay()
            .args(["attest", control])
            .arg(dir.path())
            .args(["--by", "Kim Lee", "--statement", statement])
            .output()
            .unwrap()
    };
    let err = exited(&attest("att-processing-integrity", "ok"), 2);
    assert!(err.contains("a statement needs at least 30"), "{err}");
    let err = exited(
        &attest(
            "att-risk-assessment",
            "The yearly risk assessment was held and signed off by the board.",
        ),
        2,
    );
    assert!(err.contains("requires evidence"), "{err}");

    std::fs::create_dir_all(dir.path().join("attestations")).unwrap();
    std::fs::write(
        dir.path().join("attestations/att-processing-integrity.yaml"),
        "control: att-processing-integrity\nstatement: ok\nattested_by: {name: Kim Lee}\ndate: 2026-01-01\nexpires: 2099-01-01\n",
    )
    .unwrap();
    let r = json(&scan(
        dir.path(),
        &["--soft-fail", "--now", "2026-06-01T00:00:00Z"],
    ));
    let c = control(&r, "att-processing-integrity");
    assert_eq!(c["status"], "not_implemented", "{c}");
    assert!(c["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("states too little (2 characters"));
    // Nothing proves who wrote a statement, and the results and the summary say so.
    assert_eq!(c["findings"][0]["signature"]["status"], "unsigned", "{c}");
    let out = assay().arg("scan").arg(dir.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("att-processing-integrity.yaml, unsigned)"),
        "{text}"
    );
}
