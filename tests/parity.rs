//! Parity with checkov on the real corpus: for every built-in control with a checkov
//! counterpart, assay flags the resources checkov flags (tests/fixtures/checkov-parity.yaml,
//! itself checked against checkov's answers in ../shared/corpus/dev/expected), at a line inside
//! checkov's range, every disagreement is a documented difference, and the checkov-kubernetes
//! PASSED/FAILED fixtures pass and fail. Each test prints recall and precision per control
//! family (the directory under controls/). Skipped when ../shared is absent.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

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

/// The family of a built-in control: the directory under controls/ that holds it.
fn family(control: &str) -> String {
    let catalog = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../controls");
    std::fs::read_dir(&catalog)
        .unwrap()
        .map(|d| d.unwrap().path())
        .find(|d| d.join(control).is_dir())
        .and_then(|d| Some(d.file_name()?.to_string_lossy().into_owned()))
        .unwrap_or_else(|| panic!("{control} is not under controls/"))
}

/// (check id, file, resource) of every failure checkov reports on the corpus `name`, resources
/// labelled as assay labels them (`Kind.namespace.name` becomes `Kind/namespace/name`).
fn checkov_failed(name: &str) -> Option<Vec<(String, String, String)>> {
    let path = corpus(&format!("expected/checkov-{name}.json"))?;
    let answers: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    Some(
        answers["failed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let resource = f["resource"].as_str().unwrap();
                let resource = if f["framework"] == "kubernetes" {
                    resource.replacen('.', "/", 2)
                } else {
                    resource.to_string()
                };
                (
                    f["check_id"].as_str().unwrap().to_string(),
                    f["file"].as_str().unwrap().to_string(),
                    resource,
                )
            })
            .collect(),
    )
}

/// Agreement of one control family with checkov.
#[derive(Default)]
struct Tally {
    controls: BTreeSet<String>,
    checkov: usize,
    assay: usize,
    both: usize,
    documented: usize,
}

fn ratio(part: usize, whole: usize) -> String {
    if whole == 0 {
        "n/a".to_string()
    } else {
        format!("{:.3}", part as f64 / whole as f64)
    }
}

/// The table of recall (share of checkov's flags assay raises) and precision (share of assay's
/// flags checkov raises) per family; documented differences count as disagreements.
fn table(title: &str, tallies: &BTreeMap<String, Tally>) -> String {
    let mut out = format!(
        "{title}\nfamily | controls | checkov flagged | assay flagged | both | recall | precision | documented differences\n"
    );
    for (family, t) in tallies {
        writeln!(
            out,
            "{family} | {} | {} | {} | {} | {} | {} | {}",
            t.controls.len(),
            t.checkov,
            t.assay,
            t.both,
            ratio(t.both, t.checkov),
            ratio(t.both, t.assay),
            t.documented
        )
        .unwrap();
    }
    out
}

#[test]
fn same_resources_as_checkov_on_terragoat_and_kubernetes_goat() {
    let entries = parity();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for name in ["terragoat", "kubernetes-goat"] {
        let (Some(dir), Some(answers)) = (corpus(&format!("configs/{name}")), checkov_failed(name))
        else {
            return;
        };
        let results = scan(&dir);
        let mut checked = 0;
        for entry in entries.iter().filter(|e| e["corpus"] == name) {
            let control = entry["control"].as_str().unwrap();
            let ids: BTreeSet<&str> = entry["checkov"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            let truth: BTreeSet<(String, String)> = answers
                .iter()
                .filter(|(id, _, _)| ids.contains(id.as_str()))
                .map(|(_, file, resource)| (file.clone(), resource.clone()))
                .collect();
            let listed: BTreeSet<(String, String)> = entry["expected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["file"].as_str().unwrap().into(),
                        e["resource"].as_str().unwrap().into(),
                    )
                })
                .collect();
            assert_eq!(
                listed, truth,
                "{control} on {name}: the fixture's expected list is not checkov's answer"
            );
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
            let all_flagged: BTreeSet<(String, String)> = found
                .iter()
                .map(|(f, r, _)| (f.clone(), r.clone()))
                .collect();
            for difference in &differs {
                assert_ne!(
                    truth.contains(difference),
                    all_flagged.contains(difference),
                    "{control} on {name}: the documented difference {difference:?} is none"
                );
            }
            for entry_difference in entry["differences"].as_array().into_iter().flatten() {
                assert!(
                    entry_difference["reason"]
                        .as_str()
                        .is_some_and(|r| !r.is_empty()),
                    "{control} on {name}: a difference without a reason"
                );
            }
            let tally = tallies.entry(family(control)).or_default();
            tally.controls.insert(control.to_string());
            tally.checkov += truth.len();
            tally.assay += all_flagged.len();
            tally.both += truth.intersection(&all_flagged).count();
            tally.documented += differs.len();
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
    println!(
        "{}",
        table(
            "parity with checkov 3.3.30 on terragoat and kubernetes-goat, by resource",
            &tallies
        )
    );
}

#[test]
fn checkov_kubernetes_passed_and_failed_fixtures() {
    let Some(root) = corpus("configs/checkov-kubernetes") else {
        return;
    };
    let mut judged = 0;
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for entry in parity()
        .iter()
        .filter(|e| e["corpus"] == "checkov-kubernetes")
    {
        let control = entry["control"].as_str().unwrap();
        let tally = tallies.entry(family(control)).or_default();
        tally.controls.insert(control.to_string());
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
                let flagged = failing.contains(&name);
                if upper.contains("FAILED") || upper.contains("PASS") {
                    tally.checkov += usize::from(upper.contains("FAILED"));
                    tally.assay += usize::from(flagged);
                    tally.both += usize::from(flagged && upper.contains("FAILED"));
                }
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
    println!(
        "{}",
        table(
            "parity with checkov's own PASSED/FAILED kubernetes fixtures, by file",
            &tallies
        )
    );
}
