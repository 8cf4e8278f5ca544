//! The docs collector over a policy folder, runbooks and rule files built in a temporary
//! directory, and over the rule files of the shared corpus when it is present.

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use serde_json::{json, Value};

use super::DocsCollector;
use crate::collector::{Collection, Collector, Scope};

/// 2024-06-01T00:00:00Z.
const NOW: u64 = 1_717_200_000;

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

fn collect(root: &Path, settings: Option<Value>) -> Collection {
    let mut scope = Scope::new(root);
    scope.now = UNIX_EPOCH + Duration::from_secs(NOW);
    if let Some(s) = settings {
        scope.settings.insert("docs".into(), s);
    }
    DocsCollector.collect(&scope).unwrap()
}

fn required<'c>(c: &'c Collection, id: &str) -> &'c crate::Document {
    c.documents
        .iter()
        .find(|d| d.data["kind"] == "RequiredPolicy" && d.data["policy"] == id)
        .unwrap()
}

#[test]
fn policies_required_and_runbooks() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "policies/information-security.md",
        "---\nowner: CISO\napproved_by: Board\nlast_reviewed: 2024-01-15\n---\n# Information Security Policy\n",
    );
    write(
        root,
        "policies/information-security-2019.md",
        "---\ntype: information_security\nowner: CISO\nlast_reviewed: 2019-01-01\n---\n# Old\n",
    );
    write(
        root,
        "docs/policies/disaster-recovery.md",
        "---\nowner: SRE\napproved_by: CTO\nlast_reviewed: 2022-05-01\nrto: 4h\n---\n# DR plan\n\nWe restore from backups.\n",
    );
    write(root, "docs/runbooks/DiskFull.md", "# Disk full\n");
    write(
        root,
        "monitoring/alerts.yml",
        "groups:\n- name: host\n  rules:\n  - alert: DiskFull\n    expr: disk > 0.9\n  - alert: HostDown\n    expr: up == 0\n    annotations:\n      runbook_url: https://runbooks.example/host-down\n  - alert: CpuHot\n    expr: cpu > 0.9\n",
    );
    write(root, "k8s/app.yaml", "kind: Deployment\nspec: {}\n");
    let c = collect(root, None);
    assert!(c.errors.is_empty(), "{:?}", c.errors);

    let infosec = required(&c, "information_security");
    assert_eq!(infosec.path.as_ref(), "policies/information-security.md");
    assert_eq!(infosec.data["present"], true);
    assert_eq!(infosec.data["days_since_review"], 138);
    assert_eq!(infosec.data["approved"], true);
    assert_eq!(
        infosec.data["paths"],
        json!([
            "policies/information-security.md",
            "policies/information-security-2019.md"
        ])
    );
    assert_eq!(infosec.line("/owner"), 2);

    let dr = required(&c, "disaster_recovery");
    assert_eq!(dr.data["days_since_review"], 762);
    assert_eq!(dr.data["rto"], json!({"value": "4h", "line": 5}));
    assert_eq!(dr.data["rpo"], Value::Null);

    let access = required(&c, "access_control");
    assert_eq!(access.data["present"], false);
    assert_eq!(access.path.as_ref(), "policies");

    let alerts = c
        .documents
        .iter()
        .find(|d| d.data["kind"] == "AlertRules")
        .unwrap();
    assert_eq!(alerts.path.as_ref(), "monitoring/alerts.yml");
    let runbooks: Vec<(&str, &Value)> = alerts.data["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), &a["runbook"]))
        .collect();
    assert_eq!(
        runbooks,
        vec![
            ("DiskFull", &json!("docs/runbooks/DiskFull.md")),
            ("HostDown", &json!("https://runbooks.example/host-down")),
            ("CpuHot", &Value::Null),
        ]
    );
    assert_eq!(alerts.line("/alerts/2"), 10);
    // Plain YAML is not mistaken for a rule file.
    assert!(!c
        .documents
        .iter()
        .any(|d| d.path.as_ref() == "k8s/app.yaml"));
}

fn kind<'c>(c: &'c Collection, kind: &str) -> Vec<&'c crate::Document> {
    c.documents
        .iter()
        .filter(|d| d.data["kind"] == kind)
        .collect()
}

#[test]
fn restore_test_records_and_their_summary() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "docs/restore-tests/2023-09-14-orders-db.md",
        "---\ndate: 2023-09-14\nsystem: orders-db\nresult: pass\nrto_met: true\nrpo_met: true\nduration: 52m\n---\n# Orders database restore\n",
    );
    write(
        root,
        "dr/restore-tests/2024/vault.md",
        "---\ndate: 2024-04-02\nsystem: vault\nresult: fail\nrto_met: false\n---\nSnapshot was corrupt.\n",
    );
    write(
        root,
        "dr/restore-tests/broken.md",
        "---\ndate: 2024-13-01\nsystem: vault\nresult: pass\n---\n",
    );
    // Not under a restore-test folder: a policy, not a record.
    write(
        root,
        "policies/disaster-recovery.md",
        "---\nowner: SRE\n---\n# DR plan\n",
    );
    let c = collect(root, None);
    let errors: Vec<String> = c
        .errors
        .iter()
        .map(|e| format!("{}:{}: {}", e.path, e.position.unwrap().line, e.message))
        .collect();
    assert_eq!(
        errors,
        vec!["dr/restore-tests/broken.md:2: `date: 2024-13-01` is not a date (YYYY-MM-DD)"]
    );
    assert!(c.errors[0]
        .hint
        .as_deref()
        .unwrap()
        .contains("result: pass|fail"));

    let records = kind(&c, "RestoreTest");
    let paths: Vec<&str> = records.iter().map(|d| d.path.as_ref()).collect();
    assert_eq!(
        paths,
        vec![
            "docs/restore-tests/2023-09-14-orders-db.md",
            "dr/restore-tests/2024/vault.md",
            "dr/restore-tests/broken.md",
        ]
    );
    assert_eq!(records[0].data["days_since"], 261);
    assert_eq!(records[0].data["duration"], "52m");
    assert_eq!(records[1].data["passed"], false);
    assert_eq!(records[1].line("/result"), 4);

    let summary = kind(&c, "RestoreTests");
    assert_eq!(summary.len(), 1);
    let s = summary[0];
    assert_eq!(s.data["count"], 3);
    assert_eq!(s.data["passed"], 2);
    assert_eq!(s.data["failed"], 1);
    assert_eq!(s.data["latest_path"], "dr/restore-tests/2024/vault.md");
    assert_eq!(s.data["latest_date"], "2024-04-02");
    assert_eq!(
        s.data["latest_pass"]["path"],
        "docs/restore-tests/2023-09-14-orders-db.md"
    );
    assert_eq!(s.data["days_since_latest_pass"], 261);
    // Located at the latest passing record, with that file's digest.
    assert_eq!(
        s.path.as_ref(),
        "docs/restore-tests/2023-09-14-orders-db.md"
    );
    assert_eq!(s.digest, records[0].digest);
    assert_eq!(s.line("/days_since_latest_pass"), 2);
    assert!(!c
        .documents
        .iter()
        .any(|d| d.path.as_ref() == "policies/disaster-recovery.md"
            && d.data["kind"] == "RestoreTest"));
}

#[test]
fn restore_tests_configured_and_absent() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ops/recovery/db.md",
        "---\ndate: 2024-05-20\nsystem: db\nresult: passed\n---\n",
    );
    let c = collect(
        dir.path(),
        Some(json!({"restore_tests": ["ops/recovery/*.md"]})),
    );
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let s = kind(&c, "RestoreTests")[0];
    assert_eq!(s.data["days_since_latest_pass"], 12);
    assert_eq!(s.path.as_ref(), "ops/recovery/db.md");

    // No record: no summary, so the restore control finds its evidence missing.
    let empty = tempfile::tempdir().unwrap();
    let c = collect(empty.path(), None);
    assert!(kind(&c, "RestoreTests").is_empty());

    let c = collect(empty.path(), Some(json!({"restore_tests": ["[z-a]"]})));
    assert_eq!(c.errors.len(), 1);
    assert!(c.errors[0]
        .message
        .starts_with("collectors.docs.restore_tests: invalid glob"));
}

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/docs")
        .join(path)
}

#[test]
fn invalid_rules_give_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("rules/invalid_rules.yaml")).unwrap();
    write(dir.path(), "rules/invalid_rules.yaml", &text);
    let c = collect(dir.path(), Some(json!({"rules": ["rules/*.yaml"]})));
    assert!(!c.documents.iter().any(|d| d.data["kind"] == "AlertRules"));
    let errors: Vec<String> = c
        .errors
        .iter()
        .map(|e| format!("{}:{}: {}", e.path, e.position.unwrap().line, e.message))
        .collect();
    assert_eq!(
        errors,
        vec![
            "rules/invalid_rules.yaml:5: invalid rule file: group `api`, rule 1: only one of `record` and `alert` may be set",
            "rules/invalid_rules.yaml:9: invalid rule file: group `api`, rule 2: `for` is not a duration such as `5m`",
            "rules/invalid_rules.yaml:11: invalid rule file: group `api`, rule 3: `expr` must be set",
        ]
    );
    assert!(c.errors[0]
        .hint
        .as_deref()
        .unwrap()
        .contains("promtool check rules"));
}

#[test]
fn bad_front_matter_is_an_error_but_the_policy_stays() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "policies/incident-response.md",
        "---\nowner: SOC\nlast_reviewed: 01/02/2024\n---\n# Incident response\n",
    );
    let c = collect(dir.path(), None);
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].position.unwrap().line, 3);
    let ir = required(&c, "incident_response");
    assert_eq!(ir.data["present"], true);
    assert_eq!(ir.data["days_since_review"], Value::Null);
}

#[test]
fn corpus_rule_files() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/dev/prometheus/rules");
    if !dir.is_dir() {
        eprintln!("skipped: corpus not found at {}", dir.display());
        return;
    }
    let c = collect(&dir, Some(json!({"policies": []})));
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let rule_docs: Vec<&crate::Document> = c
        .documents
        .iter()
        .filter(|d| d.data["kind"] == "AlertRules")
        .collect();
    assert!(rule_docs.len() >= 70, "{}", rule_docs.len());
    let crds: Vec<_> = rule_docs
        .iter()
        .filter(|d| d.data["source"] == "prometheus_rule")
        .collect();
    assert_eq!(crds.len(), 6);
    // kube-prometheus links every alert to a runbook; awesome-prometheus-alerts links none.
    for d in &crds {
        for a in d.data["alerts"].as_array().unwrap() {
            assert!(a["runbook_url"].is_string(), "{}: {}", d.path, a["name"]);
        }
    }
    let argocd = rule_docs
        .iter()
        .find(|d| d.path.contains("argocd"))
        .unwrap();
    assert_eq!(argocd.data["alerts"][0]["runbook"], Value::Null);
}
