//! Runs the git collector over a repository's whole history and prints how long it took:
//! `cargo run --release -p assay-collectors --example git_history -- REPO [SETTINGS]`, where
//! SETTINGS is JSON for `collectors.git` (default `{"days": 0}`). Used by bench/git-history.sh.
//! Prints the document's digest too: with `SOURCE_DATE_EPOCH` set (the document names the time
//! of the run), two runs over the same history print the same digest.

use std::time::{Duration, Instant, UNIX_EPOCH};

use assay_collectors::git::GitCollector;
use assay_collectors::{Collector, Scope};

fn main() {
    let Some(repo) = std::env::args().nth(1) else {
        eprintln!("usage: git_history REPO");
        std::process::exit(2);
    };
    let settings = match std::env::args().nth(2) {
        Some(text) => match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("SETTINGS is not JSON: {e}");
                std::process::exit(2);
            }
        },
        None => serde_json::json!({"days": 0}),
    };
    let mut scope = Scope::new(&repo);
    if let Some(epoch) = std::env::var_os("SOURCE_DATE_EPOCH") {
        match epoch.to_str().and_then(|s| s.parse::<u64>().ok()) {
            Some(seconds) => scope.now = UNIX_EPOCH + Duration::from_secs(seconds),
            None => {
                eprintln!("SOURCE_DATE_EPOCH is not a number of seconds since 1970-01-01");
                std::process::exit(2);
            }
        }
    }
    scope.settings.insert("git".into(), settings);
    let started = Instant::now();
    let collection = match GitCollector.collect(&scope) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {}", e.path, e.message);
            std::process::exit(1);
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    for e in &collection.errors {
        eprintln!("{}: {}", e.path, e.message);
    }
    let Some(doc) = collection.documents.first() else {
        eprintln!("no git evidence was collected");
        std::process::exit(1);
    };
    let summary = &doc.data["summary"];
    println!(
        "commits={} changes={} direct={} secrets={} seconds={seconds:.3} digest={}",
        summary["commits"],
        summary["changes"],
        summary["direct_commits"],
        summary["secrets"],
        doc.digest
    );
}
