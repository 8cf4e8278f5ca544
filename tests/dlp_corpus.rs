//! The personal-data detectors measured on a labelled corpus (`tests/fixtures/dlp`, made by its
//! `generate.py`): every labelled value must be found with its exact byte span, and nothing
//! else may be, so that each detector keeps recall and precision of at least 99 %. The
//! negatives are log, configuration, manifest, stack trace, git log and SBOM lines with
//! look-alike numbers, and hard negatives that fail a check digit, a range or a context rule.

use std::collections::{BTreeMap, BTreeSet};

use assay_collectors::dlp::{Category, Detector, Scanner};
use serde_json::Value;

/// Labelled values per personal-data detector the corpus must hold, so that 99 % means
/// something.
const MIN_POSITIVES: usize = 100;

#[derive(Default)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

/// A value: its detector and byte span.
type Span = (Detector, usize, usize);

/// Every line of a corpus file: its text and its labelled values.
fn read(name: &str) -> Vec<(String, BTreeSet<Span>)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/dlp")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("a JSON line");
            let labels = v["labels"]
                .as_array()
                .expect("labels")
                .iter()
                .map(|l| {
                    let name = l["detector"].as_str().expect("detector");
                    let detector = Detector::from_name(name).unwrap_or_else(|| panic!("{name}"));
                    let span = |k: &str| l[k].as_u64().expect("offset") as usize;
                    (detector, span("start"), span("end"))
                })
                .collect();
            (v["text"].as_str().expect("text").to_string(), labels)
        })
        .collect()
}

#[test]
fn every_personal_data_detector_keeps_99_percent_recall_and_precision() {
    let positives = read("positives.jsonl");
    let negatives = read("negatives.jsonl");
    assert!(
        positives.len() >= 1000,
        "{} positive lines",
        positives.len()
    );
    assert!(
        negatives.len() >= 5000,
        "{} negative lines",
        negatives.len()
    );
    assert!(negatives.iter().all(|(_, labels)| labels.is_empty()));

    let scanner = Scanner::all();
    let mut counts: BTreeMap<Detector, Counts> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    for (text, labels) in positives.iter().chain(&negatives) {
        let found: BTreeSet<Span> = scanner
            .scan(text.as_bytes())
            .iter()
            .map(|h| (h.detector, h.range.start, h.range.end))
            .collect();
        for k in labels.union(&found) {
            let c = counts.entry(k.0).or_default();
            match (labels.contains(k), found.contains(k)) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                _ => c.fn_ += 1,
            }
            if labels.contains(k) != found.contains(k) {
                let kind = if found.contains(k) { "fp" } else { "fn" };
                misses.push(format!(
                    "{kind} {} {:?}: {text}",
                    k.0.as_str(),
                    &text.get(k.1..k.2)
                ));
            }
        }
    }

    println!(
        "{:<16} {:>6} {:>4} {:>4} {:>8} {:>9}",
        "detector", "tp", "fp", "fn", "recall", "precision"
    );
    let mut failed = Vec::new();
    for (detector, c) in &counts {
        let recall = c.tp as f64 / (c.tp + c.fn_).max(1) as f64;
        let precision = c.tp as f64 / (c.tp + c.fp).max(1) as f64;
        println!(
            "{:<16} {:>6} {:>4} {:>4} {:>7.2}% {:>8.2}%",
            detector.as_str(),
            c.tp,
            c.fp,
            c.fn_,
            100.0 * recall,
            100.0 * precision
        );
        if recall < 0.99 || precision < 0.99 {
            failed.push(detector.as_str());
        }
    }
    for m in &misses {
        println!("{m}");
    }
    assert!(failed.is_empty(), "below 99 %: {failed:?}");

    // Every personal-data detector is measured, on enough values.
    for detector in Detector::ALL {
        if detector.category() != Category::PersonalData {
            continue;
        }
        let c = counts.get(&detector);
        let labelled = c.map_or(0, |c| c.tp + c.fn_);
        assert!(
            labelled >= MIN_POSITIVES,
            "{}: {labelled} labelled values",
            detector.as_str()
        );
    }
}
