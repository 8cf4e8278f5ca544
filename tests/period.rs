//! `assay period`: a locker of 26 weekly scans (dated with SOURCE_DATE_EPOCH) of a repository
//! whose Dockerfile runs as root in weeks 9 and 10, with no scan in week 17, a waiver that
//! expires in week 18 and an attestation in force throughout; every figure of the report, its
//! formats, the site page, the SOC 2 matrix section and the usage errors.

use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};

use crate::common;

/// Monday of ISO week 2026-W01, the first scan.
const FIRST_MONDAY: i64 = 1_766_966_400; // 2025-12-29T00:00:00Z
const DAY: i64 = 86_400;
/// The controls the scans evaluate: one broken and fixed, one waived until the waiver
/// expires, one attested.
const CONTROLS: [&str; 3] = [
    "docker-nonroot-user",
    "docker-healthcheck",
    "att-physical-access",
];

fn dockerfile(user: &str) -> String {
    format!(
        "FROM debian:bookworm-slim\nRUN useradd -u 10001 app\nUSER {user}\nCMD [\"/bin/true\"]\n"
    )
}

/// Scans `repo` into `locker` at 06:00 on the Monday of ISO week `week` of 2026.
fn scan_week(repo: &Path, locker: &Path, week: i64) {
    let epoch = FIRST_MONDAY + (week - 1) * 7 * DAY + 6 * 3600;
    let mut cmd = common::assay();
    cmd.arg("scan").arg(repo).arg("--locker").arg(locker);
    for c in CONTROLS {
        cmd.args(["--control", c]);
    }
    let out = cmd
        .args(["--quiet", "--format", "json", "--output"])
        .arg(repo.parent().unwrap().join("last.json"))
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "week {week}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The 26-week locker: built once per test run into `dir`.
fn locker(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(repo.join("attestations")).unwrap();
    std::fs::write(
        repo.join("attestations/physical.yaml"),
        "control: att-physical-access\nstatement: The office is fully remote; production runs on a cloud provider's audited data centres.\nattested_by: {name: Priya Raman, role: CTO}\ndate: 2025-12-01\nexpires: 2026-11-30\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("waivers.yaml"),
        "waivers:\n  - control: docker-healthcheck\n    justification: The orchestrator probes the service.\n    approved_by: security@example.com\n    expires: 2026-04-30\n",
    )
    .unwrap();
    std::fs::write(repo.join("assay.yaml"), "waivers: waivers.yaml\n").unwrap();
    let locker = dir.join("locker");
    for week in 1..=26 {
        if week == 17 {
            continue;
        }
        let user = if week == 9 || week == 10 {
            "root"
        } else {
            "10001"
        };
        std::fs::write(repo.join("Dockerfile"), dockerfile(user)).unwrap();
        scan_week(&repo, &locker, week);
    }
    locker
}

fn period(locker: &Path, args: &[&str]) -> Output {
    common::assay()
        .arg("period")
        .arg("--locker")
        .arg(locker)
        .args(args)
        .output()
        .unwrap()
}

fn control<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

#[test]
fn twenty_six_weekly_scans_give_every_figure() {
    let tmp = tempfile::tempdir().unwrap();
    let locker = locker(tmp.path());
    let whole = ["--from", "2025-12-29", "--to", "2026-06-28"];
    let out = period(&locker, &[&whole[..], &["--format", "json"]].concat());
    common::exited(&out, 0);
    let r = common::json(&out);
    let schema: Value =
        serde_json::from_str(include_str!("../schemas/period.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&r)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(r["schema_version"], "1.0.0");

    // The scans and the cadence.
    let scans = r["scans"].as_array().unwrap();
    assert_eq!(scans.len(), 25);
    assert_eq!(scans[0]["date"], "2025-12-29");
    assert_eq!(scans[0]["week"], "2026-W01");
    assert_eq!(scans[0]["finished_at"], "2025-12-29T06:00:00Z");
    assert_eq!(scans[16]["week"], "2026-W18", "week 17 has no scan");
    assert_eq!(scans[24]["date"], "2026-06-22");
    assert!(scans[0]["pack"].as_str().unwrap().starts_with("20251229"));
    assert_eq!(
        r["cadence"],
        json!({"weeks": 26, "weeks_scanned": 25, "gaps": ["2026-W17"],
               "median_interval_days": 7, "longest_interval_days": 14})
    );

    // Broken in week 9, fixed in week 11.
    let nonroot = control(&r, "docker-nonroot-user");
    assert_eq!(nonroot["lifecycle"], "implemented");
    assert_eq!(
        nonroot["timeline"],
        format!("{}FF{}", "P".repeat(8), "P".repeat(15))
    );
    assert_eq!(
        (nonroot["passed"].as_u64(), nonroot["failed"].as_u64()),
        (Some(23), Some(2))
    );
    assert_eq!(nonroot["statuses"][7], "implemented");
    assert_eq!(nonroot["statuses"][8], "not_implemented");
    assert_eq!(nonroot["statuses"][10], "implemented");
    assert_eq!(nonroot["first_failure"], "2026-02-23");
    assert_eq!(nonroot["time_to_remediation_days"], 14);
    assert_eq!(
        nonroot["failures"],
        json!([{"failed": "2026-02-23", "remediated": "2026-03-09", "days": 14}])
    );

    // Waived until the waiver expired on 2026-04-30, failing since.
    let health = control(&r, "docker-healthcheck");
    assert_eq!(health["lifecycle"], "partial");
    assert_eq!(
        health["timeline"],
        format!("{}{}", "P".repeat(17), "F".repeat(8))
    );
    assert_eq!(health["first_failure"], "2026-05-04");
    assert_eq!(health["time_to_remediation_days"], Value::Null);
    assert_eq!(
        health["failures"],
        json!([{"failed": "2026-05-04", "remediated": null, "days": null}])
    );
    assert_eq!(
        r["waivers"],
        json!([{"control": "docker-healthcheck", "path": "waivers.yaml", "line": 2,
                "justification": "The orchestrator probes the service.",
                "approved_by": "security@example.com", "expires": "2026-04-30",
                "first_seen": "2025-12-29", "last_seen": "2026-04-27", "scans": 17, "applied": 17}])
    );

    // Attested throughout, but the missed week keeps it from verified.
    let attested = control(&r, "att-physical-access");
    assert_eq!(attested["kind"], "attestation");
    assert_eq!(attested["lifecycle"], "implemented");
    assert_eq!(attested["passed"], 25);
    assert_eq!(attested["first_failure"], Value::Null);
    let attestations = r["attestations"].as_array().unwrap();
    assert_eq!(attestations.len(), 1);
    assert_eq!(attestations[0]["path"], "attestations/physical.yaml");
    assert_eq!(attestations[0]["first_seen"], "2025-12-29");
    assert_eq!(attestations[0]["last_seen"], "2026-06-22");
    assert_eq!(attestations[0]["scans"], 25);
    assert!(attestations[0]["statement"]
        .as_str()
        .unwrap()
        .contains("Priya Raman (CTO)"));

    assert_eq!(
        r["summary"],
        json!({"controls": 3, "verified": 0, "implemented": 2, "partial": 1,
               "not_implemented": 0, "not_applicable": 0})
    );
    assert_eq!(r["unreadable"], json!([]));

    // Weeks 1 to 8: every week scanned and every control implemented in every scan.
    let out = period(
        &locker,
        &[
            "--from",
            "2025-12-29",
            "--to",
            "2026-02-22",
            "--format",
            "json",
        ],
    );
    let early = common::json(&out);
    assert_eq!(early["scans"].as_array().unwrap().len(), 8);
    assert_eq!(early["cadence"]["gaps"], json!([]));
    assert_eq!(early["summary"]["verified"], 3);
    // Weeks 9 and 10 alone: never implemented.
    let out = period(
        &locker,
        &[
            "--from",
            "2026-02-23",
            "--to",
            "2026-03-08",
            "--format",
            "json",
        ],
    );
    let broken = common::json(&out);
    assert_eq!(
        control(&broken, "docker-nonroot-user")["lifecycle"],
        "not_implemented"
    );
    assert_eq!(
        control(&broken, "docker-nonroot-user")["time_to_remediation_days"],
        Value::Null
    );

    // Markdown and HTML, to stdout and to files; the same bytes whatever the thread count.
    let md = period(&locker, &whole);
    common::exited(&md, 0);
    let text = String::from_utf8(md.stdout.clone()).unwrap();
    assert!(text.contains("Weeks with no scan: 2026-W17."), "{text}");
    assert!(
        text.contains("25 scans from 2025-12-29 to 2026-06-28, in 25 of the period's 26 ISO weeks")
    );
    assert!(text.contains(
        "| `docker-nonroot-user` Container images switch to a non-root user | implemented | `PPPPPPPPFFPPPPPPPPPPPPPPP` | 23 of 25 | 2026-02-23 | 14 days |"
    ), "{text}");
    let out_dir = tmp.path().join("report");
    let written = common::assay()
        .args(["--threads", "1", "period", "--locker"])
        .arg(&locker)
        .args(whole)
        .args(["--format", "json,markdown,html", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    common::exited(&written, 0);
    assert_eq!(std::fs::read(out_dir.join("period.md")).unwrap(), md.stdout);
    let threaded = common::assay()
        .args(["--threads", "4", "period", "--format", "json", "--locker"])
        .arg(&locker)
        .args(whole)
        .output()
        .unwrap();
    assert_eq!(
        std::fs::read(out_dir.join("period.json")).unwrap(),
        threaded.stdout
    );
    let html = std::fs::read_to_string(out_dir.join("period.html")).unwrap();
    assert!(html.contains("<strong class=\"period-gaps\">2026-W17</strong>"));
    assert!(html.contains("<tr data-control=\"docker-nonroot-user\">"));

    // The site of the last pack links the period over the whole locker.
    let packs = locker.join("packs");
    let mut names: Vec<_> = std::fs::read_dir(&packs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    names.sort();
    let last = names.last().unwrap();
    let overview = std::fs::read_to_string(last.join("site/index.html")).unwrap();
    assert!(
        overview.contains(
            "Observation period 2025-12-29 to 2026-06-22</a>: 25 scans, 1 week without a scan"
        ),
        "{overview}"
    );
    let page = std::fs::read_to_string(last.join("site/documents/period.html")).unwrap();
    let listed = std::fs::read_to_string(last.join("site/documents/index.html")).unwrap();
    assert!(listed.contains(">Observation period</a>"), "{listed}");
    // The way home (minijinja writes `/` as `&#x2f;` in attributes).
    assert!(page.contains("index.html\">Evidence site</a>"), "{page}");
    let site_json: Value =
        serde_json::from_slice(&std::fs::read(last.join("site/documents/period.json")).unwrap())
            .unwrap();
    assert_eq!(site_json["scans"].as_array().unwrap().len(), 25);
    assert_eq!(site_json["cadence"]["gaps"], json!(["2026-W17"]));

    // `assay site` for the last pack again: its scan is the locker's last, not counted twice.
    let site = tmp.path().join("site");
    let out = common::assay()
        .arg("site")
        .arg("--results")
        .arg(last.join("results.json"))
        .arg("--root")
        .arg(tmp.path().join("repo"))
        .arg("--locker")
        .arg(&locker)
        .arg("--out")
        .arg(&site)
        .output()
        .unwrap();
    common::exited(&out, 0);
    assert_eq!(
        std::fs::read_to_string(site.join("documents/period.json")).unwrap(),
        std::fs::read_to_string(last.join("site/documents/period.json")).unwrap()
    );

    // The SOC 2 matrix with the period: its controls over the period.
    let docs = tmp.path().join("docs");
    let out = common::assay()
        .arg("documents")
        .arg(tmp.path().join("repo"))
        .arg("--results")
        .arg(last.join("results.json"))
        .arg("--locker")
        .arg(&locker)
        .args([
            "--period-from",
            "2025-12-29",
            "--period-to",
            "2026-06-28",
            "--out",
        ])
        .arg(&docs)
        .output()
        .unwrap();
    common::exited(&out, 0);
    let matrix = std::fs::read_to_string(docs.join("soc2-control-matrix.md")).unwrap();
    assert!(
        matrix.contains("## Observation period 2025-12-29 to 2026-06-28"),
        "{matrix}"
    );
    assert!(matrix.contains("| `docker-nonroot-user` Container images switch to a non-root user | implemented | `PPPPPPPPFFPPPPPPPPPPPPPPP` | 23 of 25 | 2026-02-23 | 14 days |"));
    assert!(matrix.contains("Weeks with no scan: 2026-W17."));
    let html = std::fs::read_to_string(docs.join("soc2-control-matrix.html")).unwrap();
    assert!(html.contains("<h2 id=\"period-h\">Observation period 2025-12-29 to 2026-06-28</h2>"));
}

#[test]
fn bad_periods_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nothing");
    for (args, says) in [
        (
            &["--from", "2026-02-30", "--to", "2026-03-01"][..],
            "not a date",
        ),
        (
            &["--from", "2026-03-01", "--to", "2026/03/02"][..],
            "not a date",
        ),
        (
            &["--from", "2026-03-02", "--to", "2026-03-01"][..],
            "starts (2026-03-02) after it ends",
        ),
        (
            &["--from", "2000-01-01", "--to", "2026-03-01"][..],
            "longer than ten years",
        ),
        (
            &["--from", "2026-03-01", "--to", "2026-03-02"][..],
            "is not an evidence locker",
        ),
        (
            &[
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-02",
                "--format",
                "json,html",
            ][..],
            "need --out",
        ),
    ] {
        let out = period(&missing, args);
        let stderr = common::exited(&out, 2);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    assert!(!missing.exists(), "a report never makes a locker");
}
