use std::path::Path;

use serde_json::json;

use super::*;

const INVENTORY: &str = "\
systems:
  - id: support-assistant
    name: Support assistant
    role: deployer
    risk: limited
    interacts_with_people: true
    model_card: docs/ai/model-card.md
    transparency_notice: docs/ai/notice.md
  - id: credit-scoring
    name: Credit scoring
    role: provider
    risk: high
    interacts_with_people: false
    model_card: docs/ai/credit-card.md
    data_governance: docs/ai/data.md
    human_oversight:
      mode: human-in-the-loop
      reviewers: [credit-risk-team]
      can_override: true
      config: ../outside.yaml
    logging:
      decisions: true
      retention_days: 365
    post_market_monitoring:
      plan: docs/ai/monitoring.md
      metrics: [credit_model_drift_score, credit_override_ratio]
  - id: spam-filter
    name: Spam filter
";

const MODEL_CARD: &str = "\
---
license: apache-2.0
datasets: [support-tickets]
---
# Model Card for support-assistant

## Model Details
## Uses
## Bias, Risks, and Limitations
## Evaluation
";

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

fn fixture(root: &Path) {
    write(root, "ai-systems.yaml", INVENTORY);
    write(root, "docs/ai/model-card.md", MODEL_CARD);
    write(
        root,
        "docs/ai/notice.md",
        "# About this chat\n\nYou are talking to an AI assistant.\n",
    );
    write(
        root,
        "docs/ai/credit-card.md",
        "# Credit scoring\n## Model details\n## Intended use\n## Training data\n## Performance\n## Limitations\n## Ethical considerations\n",
    );
    write(
        root,
        "docs/ai/data.md",
        "# Data governance\n## Data sources\n## Preprocessing and labelling\n## Bias examination\n",
    );
    write(root, "docs/ai/monitoring.md", "# Monitoring plan\n");
    write(
        root,
        "monitoring/ai.rules.yml",
        "groups:\n  - name: ai\n    rules:\n      - alert: CreditDrift\n        expr: credit_model_drift_score > 0.2\n",
    );
    write(
        root,
        "monitoring/snapshot.prom",
        "# TYPE credit_model_drift_score gauge\ncredit_model_drift_score 0.05\n",
    );
}

#[test]
fn a_scan_without_an_inventory_yields_an_absent_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let c = AiCollector.collect(&Scope::new(dir.path())).unwrap();
    assert!(c.errors.is_empty());
    assert_eq!(c.documents.len(), 1);
    assert_eq!(c.documents[0].data["kind"], "AiSystems");
    assert_eq!(c.documents[0].data["present"], false);
    assert_eq!(c.documents[0].path.as_ref(), "ai-systems.yaml");
}

#[test]
fn reads_the_inventory_and_what_each_system_points_at() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    let c = AiCollector.collect(&Scope::new(dir.path())).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let kinds: Vec<&str> = c
        .documents
        .iter()
        .map(|d| d.data["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["AiSystems", "AiSystem", "AiSystem", "AiSystem"]);

    let inventory = &c.documents[0].data;
    assert_eq!(inventory["count"], 3);
    assert_eq!(
        inventory["by_risk"],
        json!({"high": 1, "limited": 1, "unclassified": 1})
    );
    assert_eq!(inventory["unclassified"], json!(["spam-filter"]));
    assert_eq!(c.documents[0].line("/unclassified/0"), 27);

    let support = &c.documents[1];
    assert_eq!(support.line(""), 2);
    assert_eq!(support.data["model_card"]["present"], true);
    assert_eq!(support.data["model_card"]["missing"], json!([]));
    assert_eq!(support.data["transparency_notice"]["mentions_ai"], true);
    assert_eq!(support.data["transparency_notice"]["mentions_ai_line"], 3);
    assert_eq!(support.data["human_oversight"]["declared"], false);
    assert_eq!(support.line("/transparency_notice/present"), 8);

    let credit = &c.documents[2];
    assert_eq!(credit.data["risk"], "high");
    assert_eq!(
        credit.data["model_card"]["missing"],
        json!(["Human oversight"])
    );
    assert_eq!(
        credit.data["data_governance"]["sections"],
        json!(["Data sources", "Data preparation", "Bias examination"])
    );
    assert_eq!(
        credit.data["data_governance"]["missing"],
        json!(["Data gaps"])
    );
    assert_eq!(credit.data["transparency_notice"]["declared"], false);
    assert_eq!(credit.data["transparency_notice"]["present"], false);
    assert_eq!(credit.data["human_oversight"]["mode"], "human-in-the-loop");
    assert_eq!(credit.data["human_oversight"]["reviewer_count"], 1);
    assert_eq!(credit.data["human_oversight"]["config_present"], false);
    assert_eq!(credit.data["logging"]["retention_days"], 365);
    let monitoring = &credit.data["post_market_monitoring"];
    assert_eq!(monitoring["plan_present"], true);
    assert_eq!(monitoring["found"], json!(["credit_model_drift_score"]));
    assert_eq!(monitoring["missing"], json!(["credit_override_ratio"]));
    assert_eq!(
        monitoring["sources"],
        json!(["monitoring/ai.rules.yml", "monitoring/snapshot.prom"])
    );
    assert_eq!(credit.line("/post_market_monitoring/missing/0"), 26);

    let spam = &c.documents[3];
    assert_eq!(spam.data["risk"], json!(null));
    assert_eq!(spam.data["model_card"]["declared"], false);
    assert_eq!(
        spam.data["model_card"]["missing"],
        json!([
            "Model details",
            "Intended use",
            "Training data",
            "Evaluation",
            "Limitations",
            "Risks"
        ])
    );
}

#[test]
fn invalid_inventories_and_front_matter_are_errors_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "compliance/ai-systems.yml",
        "systems:\n  - id: a\n    name: A\n    risk: hihg\n    human_oversight: {mode: loop}\n",
    );
    let c = AiCollector.collect(&Scope::new(root)).unwrap();
    assert!(c.documents.is_empty());
    let found: Vec<(String, u32)> = c
        .errors
        .iter()
        .map(|e| (e.message.clone(), e.position.unwrap().line))
        .collect();
    assert_eq!(found[0].1, 4);
    assert!(found[0].0.starts_with("invalid value `hihg`"), "{found:?}");
    assert_eq!(found[1].1, 5);
    assert!(found[1].0.starts_with("invalid value `loop`"), "{found:?}");

    write(
        root,
        "compliance/ai-systems.yml",
        "systems:\n  - {id: a, name: A, model_card: card.md}\n",
    );
    write(root, "card.md", "---\nlicense: [\n---\n# Card\n");
    let c = AiCollector.collect(&Scope::new(root)).unwrap();
    assert_eq!(c.documents.len(), 2);
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].path, "card.md");
    assert!(c.errors[0].message.contains("front matter"));
}

#[test]
fn settings_choose_the_inventory_and_metric_files() {
    let dir = tempfile::tempdir().unwrap();
    fixture(dir.path());
    std::fs::rename(
        dir.path().join("ai-systems.yaml"),
        dir.path().join("inventory.yaml"),
    )
    .unwrap();
    let mut scope = Scope::new(dir.path());
    scope.settings.insert(
        "ai".into(),
        json!({"inventory": "inventory.yaml", "metrics": ["**/*.prom"]}),
    );
    let c = AiCollector.collect(&scope).unwrap();
    assert_eq!(c.documents[0].path.as_ref(), "inventory.yaml");
    assert_eq!(
        c.documents[2].data["post_market_monitoring"]["sources"],
        json!(["monitoring/snapshot.prom"])
    );
    scope.settings.insert(
        "ai".into(),
        json!({"inventory": "inventory.yaml", "metrics": ["a/{b"]}),
    );
    let c = AiCollector.collect(&scope).unwrap();
    assert_eq!(c.errors[0].path, "assay.yaml");
    assert!(c.errors[0].message.contains("invalid glob `a/{b`"));
    assert!(c.documents.is_empty());
}

#[test]
fn the_public_reader_returns_the_typed_inventory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/ai-systems.yaml", INVENTORY);
    let declared = read(
        dir.path(),
        &Settings::default(),
        Scope::DEFAULT_MAX_FILE_SIZE,
    )
    .unwrap()
    .unwrap();
    assert_eq!(declared.path, "docs/ai-systems.yaml");
    let systems = &declared.model.systems;
    assert_eq!(systems.len(), 3);
    assert_eq!(systems[1].risk, Some(RiskLevel::High));
    assert_eq!(systems[0].role, Some(Role::Deployer));
    let oversight = systems[1].human_oversight.as_ref().unwrap();
    assert_eq!(oversight.mode, Some(OversightMode::HumanInTheLoop));
    assert_eq!(
        systems[1].post_market_monitoring.as_ref().unwrap().metrics,
        vec!["credit_model_drift_score", "credit_override_ratio"]
    );
}
