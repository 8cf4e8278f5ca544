//! Reproducible packs: the same input scanned at the same pinned time (`--now` or
//! `SOURCE_DATE_EPOCH`) gives byte-identical archives, however far apart the scans run; without
//! a pinned time the real times are recorded.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{assay, fixture};
use serde_json::Value;

/// Packs the pack fixture into `dir/pack` with `args` and `env`; returns the archive's path.
fn pack_into(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> PathBuf {
    let pack = dir.join("pack");
    let out = assay()
        .arg("scan")
        .arg(fixture("pack/repo"))
        .arg("--soft-fail")
        .arg("--no-builtin")
        .arg("--controls")
        .arg(fixture("pack/catalog"))
        .args(["--format", "json", "--pack"])
        .arg(&pack)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("pack.tar.gz")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Two packs of the same input made more than a second apart.
fn two_packs(args: &[&str], env: &[(&str, &str)]) -> [(tempfile::TempDir, PathBuf); 2] {
    let first = tempfile::tempdir().unwrap();
    let a = pack_into(first.path(), args, env);
    std::thread::sleep(Duration::from_millis(1100));
    let second = tempfile::tempdir().unwrap();
    let b = pack_into(second.path(), args, env);
    [(first, a), (second, b)]
}

fn assert_identical(packs: &[(tempfile::TempDir, PathBuf); 2], recorded: &str) {
    let [(a_dir, a), (b_dir, b)] = packs;
    assert!(
        std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
        "the archives differ"
    );
    let roots =
        [a_dir, b_dir].map(|d| read_json(&d.path().join("pack/manifest.json"))["root"].clone());
    assert!(roots[0].is_string());
    assert_eq!(roots[0], roots[1]);
    let results = read_json(&a_dir.path().join("pack/results.json"));
    assert_eq!(results["scan"]["started_at"], recorded);
    assert_eq!(results["scan"]["finished_at"], recorded);
}

#[test]
fn a_pinned_now_gives_byte_identical_archives() {
    let packs = two_packs(&["--now", "2026-06-01T00:00:00Z"], &[]);
    assert_identical(&packs, "2026-06-01T00:00:00Z");
}

#[test]
fn source_date_epoch_gives_byte_identical_archives() {
    // 2026-06-01T00:00:00Z; `--now` judges, SOURCE_DATE_EPOCH is what is recorded.
    let packs = two_packs(
        &["--now", "2027-01-01T00:00:00Z"],
        &[("SOURCE_DATE_EPOCH", "1780272000")],
    );
    assert_identical(&packs, "2026-06-01T00:00:00Z");
    let packs = two_packs(&[], &[("SOURCE_DATE_EPOCH", "1780272000")]);
    assert_identical(&packs, "2026-06-01T00:00:00Z");
}

#[test]
fn without_a_pinned_time_real_times_are_recorded() {
    let packs = two_packs(&[], &[]);
    let started: Vec<jiff::Timestamp> = packs
        .iter()
        .map(|(dir, _)| {
            let results = read_json(&dir.path().join("pack/results.json"));
            results["scan"]["started_at"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(started[1] > started[0], "{started:?}");
    let today = jiff::Timestamp::now();
    assert!(
        started[0] > today - jiff::SignedDuration::from_hours(24),
        "{started:?} is not today"
    );
}

#[test]
fn a_malformed_source_date_epoch_is_a_usage_error() {
    let out = assay()
        .arg("scan")
        .arg(fixture("pack/repo"))
        .args(["--no-builtin", "--controls"])
        .arg(fixture("pack/catalog"))
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SOURCE_DATE_EPOCH"));
}
