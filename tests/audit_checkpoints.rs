//! Audit-log checkpoints through `assay scan --checkpoints DIR`: a later scan reads only what
//! was appended, proves that it continues the checkpoint, and falls back to a full
//! verification when the bytes before the checkpoint changed or `--full` asks for it.

use std::io::Write;
use std::path::Path;

use assay_collectors::audit_log::event_hash;
use serde_json::json;

use crate::common;

use common::{findings, json, scan_catalog};

/// A catalog with the hash-chain control and a probe that reports the checkpoint facts.
fn catalog() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let chain = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../controls/audit-logging/audit-log-hash-chain/control.yaml");
    std::fs::create_dir(dir.path().join("audit-log-hash-chain")).unwrap();
    std::fs::copy(chain, dir.path().join("audit-log-hash-chain/control.yaml")).unwrap();
    std::fs::create_dir(dir.path().join("probe")).unwrap();
    std::fs::write(
        dir.path().join("probe/control.yaml"),
        "id: probe\ntitle: Reports the checkpoint\ndescription: Test probe.\nfamily: testing\n\
         severity: low\nremediation: None.\ncheck:\n  assert:\n    select:\n      evidence: [audit_log]\n\
         \x20     where: \"$[?@.events]\"\n    all:\n\
         \x20     - path: \"$.checkpoint.from_line\"\n        absent: true\n        message: \"resumed at line {value}\"\n\
         \x20     - path: \"$.checkpoint.bytes_verified\"\n        equals: -1\n        message: \"verified {value} bytes\"\n\
         \x20     - path: \"$.events\"\n        equals: -1\n        message: \"{value} events\"\n\
         \x20   message: \"probe\"\n",
    )
    .unwrap();
    dir
}

/// `n` events chained after `prev`, as JSON Lines; returns the text and the last hash.
fn events(from: usize, n: usize, mut prev: String) -> (String, String) {
    let mut text = String::new();
    for i in from..from + n {
        let mut event = json!({"timestamp": format!("2024-01-01T00:00:{:02}Z", i % 60), "actor": "svc", "action": "read", "resource": format!("/r/{i}"), "outcome": "success", "prev_hash": prev});
        prev = event_hash(&event);
        event["hash"] = json!(prev);
        text.push_str(&format!("{event}\n"));
    }
    (text, prev)
}

/// Scans `repo` with the checkpoints in `store`; returns the probe's and the chain's messages.
fn scan(repo: &Path, catalog: &Path, store: &Path, full: bool) -> (Vec<String>, Vec<String>) {
    let mut extra = vec![
        "--soft-fail",
        "--format",
        "json",
        "--checkpoints",
        store.to_str().unwrap(),
    ];
    if full {
        extra.push("--full");
    }
    let results = json(&scan_catalog(repo, catalog, &extra));
    let messages = |id: &str| -> Vec<String> {
        let mut all: Vec<String> = findings(&results, id, "fail")
            .iter()
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect();
        all.sort();
        all
    };
    (messages("probe"), messages("audit-log-hash-chain"))
}

fn has(messages: &[String], text: &str) -> bool {
    messages.iter().any(|m| m.contains(text))
}

#[test]
fn a_scan_continues_from_the_checkpoint_and_proves_the_link() {
    let repo = tempfile::tempdir().unwrap();
    let store = tempfile::tempdir().unwrap();
    let catalog = catalog();
    let log = repo.path().join("api.audit.jsonl");
    let (first, last) = events(0, 3, "0".repeat(64));
    std::fs::write(&log, &first).unwrap();
    let (probe, chain) = scan(repo.path(), catalog.path(), store.path(), false);
    assert!(!has(&probe, "resumed at line"), "{probe:?}");
    assert!(
        has(&probe, &format!("verified {} bytes", first.len())),
        "{probe:?}"
    );
    assert!(
        has(&probe, "3 events") && chain.is_empty(),
        "{probe:?} {chain:?}"
    );

    // Two events appended: only they are read, and the summary covers all five.
    let (more, _) = events(3, 2, last);
    append(&log, &more);
    let (probe, chain) = scan(repo.path(), catalog.path(), store.path(), false);
    assert!(has(&probe, "resumed at line 4"), "{probe:?}");
    assert!(
        has(&probe, &format!("verified {} bytes", more.len())),
        "{probe:?}"
    );
    assert!(
        has(&probe, "5 events") && chain.is_empty(),
        "{probe:?} {chain:?}"
    );

    // An appended event that does not link to the checkpoint's last one breaks at its line.
    let (forged, _) = events(5, 1, "f".repeat(64));
    append(&log, &forged);
    let (probe, chain) = scan(repo.path(), catalog.path(), store.path(), false);
    assert!(has(&probe, "resumed at line 6"), "{probe:?}");
    assert!(has(&chain, "breaks at line 6"), "{chain:?}");

    // A changed event before the checkpoint: the checkpoint no longer holds, the whole log is
    // verified again and the change found.
    let text = std::fs::read_to_string(&log)
        .unwrap()
        .replacen("/r/1\"", "/r/9\"", 1);
    std::fs::write(&log, text).unwrap();
    let (probe, chain) = scan(repo.path(), catalog.path(), store.path(), false);
    assert!(!has(&probe, "resumed at line"), "{probe:?}");
    assert!(has(&chain, "breaks at line 2"), "{chain:?}");

    // --full verifies from the top even with a checkpoint that holds.
    let (probe, _) = scan(repo.path(), catalog.path(), store.path(), true);
    assert!(
        !has(&probe, "resumed at line") && has(&probe, "6 events"),
        "{probe:?}"
    );
}

fn append(path: &Path, text: &str) {
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}
