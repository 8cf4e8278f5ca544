//! Catalog invariants: every requirement of the reference lists is in its mapping file, in the
//! same order, and every built-in control evidences requirements (the configuration controls in
//! each of the four frameworks). The reference lists live beside the checkout (skipped when absent).

mod common;

use std::collections::BTreeSet;

use assay_collectors::formats::yaml;
use common::{assay, corpus, json};
use serde_json::Value;

fn read(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    yaml::parse(&text).unwrap().remove(0).data
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_reference_requirement_is_mapped_in_order() {
    let Some(dev) = corpus("") else { return };
    let reference = dev.join("../../reference");
    let mappings = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mappings");
    for (mapping, file, lists) in [
        ("soc2", "soc2-tsc.yaml", vec!["criteria"]),
        ("iso27001", "iso27001-2022-annex-a.yaml", vec!["controls"]),
        ("gdpr", "gdpr.yaml", vec!["articles"]),
        (
            "eu-ai-act",
            "eu-ai-act.yaml",
            vec!["articles", "related_annexes"],
        ),
    ] {
        let reference = read(&reference.join(file));
        let expected: Vec<String> = lists.iter().flat_map(|l| ids(&reference[*l])).collect();
        let mapped = ids(&read(&mappings.join(format!("{mapping}.yaml")))["requirements"]);
        assert_eq!(
            mapped, expected,
            "{mapping}.yaml does not list the reference requirements in order"
        );
    }
}

#[test]
fn every_builtin_control_evidences_requirements() {
    let out = assay()
        .args(["controls", "list", "--format", "json"])
        .output()
        .unwrap();
    let controls = json(&out);
    let controls = controls.as_array().unwrap();
    assert!(controls.len() >= 15);
    let all = BTreeSet::from(["eu-ai-act", "gdpr", "iso27001", "soc2"]);
    for c in controls {
        let frameworks: BTreeSet<&str> = c["mappings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["framework"].as_str().unwrap())
            .collect();
        // Every control evidences SOC 2 and ISO 27001 requirements; the configuration controls
        // (secure configuration, encryption, logging) evidence GDPR and the AI Act as well.
        assert!(
            frameworks.contains("soc2") && frameworks.contains("iso27001"),
            "{}: {frameworks:?}",
            c["id"]
        );
        let config = [
            "kubernetes",
            "terraform-aws",
            "dockerfile",
            "github-actions",
        ];
        if config.contains(&c["family"].as_str().unwrap()) {
            assert_eq!(
                frameworks, all,
                "{} is not mapped in every framework",
                c["id"]
            );
        }
    }
}
