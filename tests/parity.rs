//! Parity with checkov on the real corpus: for every built-in control with a checkov
//! counterpart, assay flags the resources checkov flags (tests/fixtures/checkov-parity.yaml),
//! at a line inside checkov's range, and the checkov-kubernetes PASSED/FAILED fixtures pass and
//! fail. Skipped when ../shared is absent.

mod common;

use std::collections::BTreeSet;

use assay_collectors::formats::yaml;
use common::{assay, corpus, fixture, json};
use serde_json::Value;

fn parity() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("checkov-parity.yaml")).unwrap();
    let docs = yaml::parse(&text).unwrap();
    docs[0].data.as_array().unwrap().clone()
}

fn scan(dir: &std::path::Path) -> Value {
    let out = assay()
        .arg("scan")
        .arg(dir)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

/// (file, resource, line) of every failing finding of `control`.
fn flagged(results: &Value, control: &str) -> Vec<(String, String, u64)> {
    let c = results["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == control)
        .unwrap();
    c["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fail")
        .map(|f| {
            (
                f["location"]["path"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn same_resources_as_checkov_on_terragoat_and_kubernetes_goat() {
    let entries = parity();
    for name in ["terragoat", "kubernetes-goat"] {
        let Some(dir) = corpus(&format!("configs/{name}")) else {
            return;
        };
        let results = scan(&dir);
        let mut checked = 0;
        for entry in entries.iter().filter(|e| e["corpus"] == name) {
            let control = entry["control"].as_str().unwrap();
            let differs: BTreeSet<(String, String)> = entry["differences"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| {
                    (
                        d["file"].as_str().unwrap().into(),
                        d["resource"].as_str().unwrap().into(),
                    )
                })
                .collect();
            let expected: BTreeSet<(String, String)> = entry["expected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["file"].as_str().unwrap().into(),
                        e["resource"].as_str().unwrap().into(),
                    )
                })
                .filter(|k| !differs.contains(k))
                .collect();
            let found = flagged(&results, control);
            let actual: BTreeSet<(String, String)> = found
                .iter()
                .map(|(f, r, _)| (f.clone(), r.clone()))
                .filter(|k| !differs.contains(k))
                .collect();
            assert_eq!(
                actual, expected,
                "{control} on {name}: flagged resources differ from checkov"
            );
            for (file, resource, line) in &found {
                let range = entry["expected"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| e["file"] == *file && e["resource"] == *resource);
                if let Some(range) = range {
                    let (lo, hi) = (
                        range["lines"][0].as_u64().unwrap(),
                        range["lines"][1].as_u64().unwrap(),
                    );
                    assert!(
                        (lo..=hi).contains(line),
                        "{control}: {file}:{line} for {resource} is outside checkov's {lo}-{hi}"
                    );
                }
            }
            checked += 1;
        }
        assert!(checked >= 5, "too few parity entries for {name}: {checked}");
    }
}

#[test]
fn checkov_kubernetes_passed_and_failed_fixtures() {
    let Some(root) = corpus("configs/checkov-kubernetes") else {
        return;
    };
    let mut judged = 0;
    for entry in parity()
        .iter()
        .filter(|e| e["corpus"] == "checkov-kubernetes")
    {
        let control = entry["control"].as_str().unwrap();
        for folder in entry["checkov_kubernetes_fixtures"].as_array().unwrap() {
            let dir = root.join(folder.as_str().unwrap());
            let results = scan(&dir);
            let failing: BTreeSet<String> = flagged(&results, control)
                .into_iter()
                .map(|(f, _, _)| f)
                .collect();
            for file in std::fs::read_dir(&dir).unwrap() {
                let name = file.unwrap().file_name().to_string_lossy().into_owned();
                let upper = name.to_uppercase();
                if upper.contains("FAILED") {
                    assert!(
                        failing.contains(&name),
                        "{control}: {folder}/{name} should fail"
                    );
                    judged += 1;
                } else if upper.contains("PASS") {
                    assert!(
                        !failing.contains(&name),
                        "{control}: {folder}/{name} should pass"
                    );
                    judged += 1;
                }
            }
        }
    }
    assert!(judged > 0);
}
