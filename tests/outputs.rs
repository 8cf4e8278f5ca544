//! The output formats (SARIF, JUnit XML, Markdown, CSV, OSCAL) over tests/fixtures/outputs:
//! golden files, validation against the official SARIF and OSCAL schemas, the structure of the
//! CSV and the JUnit XML, waived / warning / error findings in every format, and the CLI's
//! `--format a,b --output-dir`. `ASSAY_UPDATE_GOLDEN=1` rewrites the golden files.

use crate::common;

use std::path::{Path, PathBuf};

use assay_engine::model::{Finding, FindingStatus, Location};
use assay_engine::report::{csv, junit, markdown, oscal, sarif, ControlReport, Results};
use assay_engine::score::Implementation;
use common::{assay, fixture};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::XmlVersion;
use serde_json::Value;

/// The files compared with a golden copy, as written by `--output-dir`.
const GOLDEN: [&str; 5] = [
    "results.sarif",
    "results.junit.xml",
    "results.md",
    "results.csv",
    "results.oscal.json",
];

/// A scan of the fixture and the directory it wrote its outputs to.
struct Scan {
    dir: tempfile::TempDir,
}

impl Scan {
    /// Scans a copy of the fixture from inside a temporary directory, with relative paths, so
    /// nothing machine-specific (an absolute path, a surrounding git checkout) enters the output.
    fn run() -> Scan {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture("outputs/repo"), &dir.path().join("repo"));
        copy_dir(&fixture("outputs/catalog"), &dir.path().join("catalog"));
        let out = assay()
            .current_dir(dir.path())
            .args(["scan", "repo", "--no-builtin", "--controls", "catalog"])
            .args(["--format", "json,sarif,junit,markdown,csv,oscal"])
            .args(["--output-dir", "out", "--soft-fail"])
            .output()
            .unwrap();
        common::exited(&out, 0);
        assert!(out.stdout.is_empty(), "every output goes to a file");
        Scan { dir }
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join("out").join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn results(&self) -> Results {
        serde_json::from_str(&self.read("results.json")).unwrap()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Replaces the scan's timestamps, the only part of the output that changes between runs.
fn normalize(text: &str) -> String {
    let timestamp = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap();
    timestamp
        .replace_all(text, "2000-01-01T00:00:00Z")
        .into_owned()
}

fn golden(name: &str) -> PathBuf {
    fixture("outputs/golden").join(name)
}

/// Each format's bytes, timestamps aside, equal its golden file.
#[test]
fn outputs_match_golden_files() {
    let scan = Scan::run();
    let update = std::env::var("ASSAY_UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for name in GOLDEN {
        let actual = normalize(&scan.read(name));
        let path = golden(name);
        if update {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if actual != expected {
            let line = actual
                .lines()
                .zip(expected.lines())
                .position(|(a, e)| a != e)
                .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
            stale.push(format!(
                "{name} differs from {} at line {}:\n  actual:   {:?}\n  expected: {:?}",
                path.display(),
                line + 1,
                actual.lines().nth(line),
                expected.lines().nth(line)
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nrerun with ASSAY_UPDATE_GOLDEN=1 to accept the new output",
        stale.join("\n")
    );
    // The JSON written beside them is the results document.
    assert_eq!(scan.results().controls.len(), 5);
}

/// A schema under `../shared/schemas` beside the checkout, when it is there.
fn shared_schema(name: &str) -> Option<jsonschema::Validator> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/schemas")
        .join(name);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: ../shared/schemas/{name} is not present beside the checkout");
        return None;
    };
    let schema: Value = serde_json::from_str(&text).unwrap();
    Some(jsonschema::validator_for(&schema).unwrap())
}

fn assert_valid(validator: &jsonschema::Validator, text: &str, what: &str) {
    let doc: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// The fixture's results with one failure waived, a warning and an error finding added: the
/// statuses a scan of the fixture does not produce by itself.
fn every_status(mut results: Results) -> Results {
    let control =
        |r: &Results, id: &str| -> usize { r.controls.iter().position(|c| c.id == id).unwrap() };
    let tags = control(&results, "bucket-tags");
    for f in &mut results.controls[tags].findings {
        if f.status == FindingStatus::Fail {
            f.status = FindingStatus::Waived;
        }
    }
    let limits = control(&results, "workload-limits");
    results.controls[limits].findings.push(Finding {
        status: FindingStatus::Warn,
        resource: Some("Deployment/default/web".into()),
        message: "container `app` has a memory limit above 1Gi".into(),
        location: Some(Location {
            path: "deploy.yaml".into(),
            line: Some(13),
        }),
        evidence: Vec::new(),
        item: 0,
        signature: None,
    });
    let privileged = control(&results, "workload-privileged");
    results.controls[privileged].findings.push(Finding {
        status: FindingStatus::Error,
        resource: None,
        message: "control `workload-privileged` could not be evaluated: boom".into(),
        location: None,
        evidence: Vec::new(),
        item: 0,
        signature: None,
    });
    for c in &mut results.controls {
        c.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        recount(c);
    }
    results
}

/// Counts and status of a control from its findings, as the scorer would set them.
fn recount(c: &mut ControlReport) {
    let count = |s: FindingStatus| c.findings.iter().filter(|f| f.status == s).count();
    c.passed = count(FindingStatus::Pass);
    c.failed = count(FindingStatus::Fail);
    c.errors = count(FindingStatus::Error);
    c.waived = count(FindingStatus::Waived);
    c.warnings = count(FindingStatus::Warn);
    let good = c.passed + c.waived;
    c.status = match (good, c.failed + c.errors) {
        (0, 0) => Implementation::NotApplicable,
        (_, 0) => Implementation::Implemented,
        (0, _) => Implementation::NotImplemented,
        _ => Implementation::Partial,
    };
}

/// The SARIF of the fixture and of every status validates against the SARIF 2.1.0 schema.
#[test]
fn sarif_matches_the_official_schema() {
    let Some(validator) = shared_schema("sarif-schema-2.1.0.json") else {
        return;
    };
    let scan = Scan::run();
    assert_valid(&validator, &scan.read("results.sarif"), "scan");
    let all = sarif::render(&every_status(scan.results()));
    assert_valid(&validator, &all, "every status");
    // The validator does reject what the schema forbids.
    let wrong: Value =
        serde_json::from_str(&all.replacen("\"level\": \"note\"", "\"level\": \"fatal\"", 1))
            .unwrap();
    assert!(!validator.is_valid(&wrong));
}

/// The OSCAL of the fixture and of every status validates against the assessment-results schema.
#[test]
fn oscal_matches_the_official_schema() {
    let Some(validator) = shared_schema("oscal_assessment-results_schema.json") else {
        return;
    };
    let scan = Scan::run();
    assert_valid(&validator, &scan.read("results.oscal.json"), "scan");
    let all = oscal::render(&every_status(scan.results()));
    assert_valid(&validator, &all, "every status");
    // The validator does reject what the schema forbids: here a target id that is no token.
    let wrong: Value =
        serde_json::from_str(&all.replacen("\"target-id\": \"", "\"target-id\": \"1 ", 1)).unwrap();
    assert!(!validator.is_valid(&wrong));
}

/// SARIF: a rule per control with level, tags and help; results for failures only, at the
/// file and line, with the level of the control's severity.
#[test]
fn sarif_rules_and_results() {
    let scan = Scan::run();
    let log: Value = serde_json::from_str(&scan.read("results.sarif")).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 5);
    let privileged = &rules[4];
    assert_eq!(privileged["id"], "workload-privileged");
    assert_eq!(privileged["defaultConfiguration"]["level"], "error");
    assert_eq!(
        privileged["properties"]["tags"],
        serde_json::json!(["workloads", "iso27001:A.8.9", "soc2:CC6.1"])
    );
    let help = privileged["help"]["text"].as_str().unwrap();
    assert!(
        help.contains("Remediation: Remove securityContext.privileged"),
        "{help}"
    );
    assert!(
        help.contains("- Pod Security Standards, Baseline profile"),
        "{help}"
    );
    let results = run["results"].as_array().unwrap();
    let levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        levels,
        [
            ("bucket-public", "error"),
            ("bucket-tags", "note"),
            ("workload-limits", "warning"),
            ("workload-privileged", "error"),
        ]
    );
    let location = &results[3]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "deploy.yaml");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(location["region"]["startLine"], 16);
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

/// Waived, warning and error findings in every format.
#[test]
fn waived_warning_and_error_findings_in_every_format() {
    let results = every_status(Scan::run().results());

    let log: Value = serde_json::from_str(&sarif::render(&results)).unwrap();
    let run = &log["runs"][0];
    let of_rule = |id: &str| -> Vec<&Value> {
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == id)
            .collect()
    };
    let waived = of_rule("bucket-tags");
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["suppressions"][0]["kind"], "external");
    assert_eq!(waived[0]["suppressions"][0]["status"], "accepted");
    let limits = of_rule("workload-limits");
    assert!(limits.iter().any(
        |r| r["message"]["text"].as_str().unwrap().contains("above 1Gi")
            && r["level"] == "warning"
            && r["suppressions"].is_null()
    ));
    // The error finding is a notification tied to its rule, not a result.
    assert_eq!(of_rule("workload-privileged").len(), 1);
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let error = notes
        .iter()
        .find(|n| n["associatedRule"]["id"] == "workload-privileged")
        .expect("error finding notified");
    assert_eq!(error["level"], "error");
    assert_eq!(error["associatedRule"]["index"], 4);

    let xml = junit::render(&results);
    let suites = parse_junit(&xml);
    let case = |classname: &str, name: &str| -> &TestCase {
        suites
            .cases
            .iter()
            .find(|c| c.classname == classname && c.name == name)
            .unwrap_or_else(|| panic!("no test case {classname} / {name}"))
    };
    assert_eq!(
        case("bucket-tags", "aws_s3_bucket.open").outcome,
        Some("skipped".to_string())
    );
    // The error concerns no resource: it is a test case of the control itself.
    let error = case("workload-privileged", "workload-privileged");
    assert_eq!(error.outcome, Some("error".to_string()));
    assert!(error.text.contains("could not be evaluated: boom"));
    let privileged = case("workload-privileged", "Deployment/default/web");
    assert_eq!(privileged.outcome, Some("failure".to_string()));
    assert!(privileged.text.contains("deploy.yaml:16: container"));
    let limits = case("workload-limits", "Deployment/default/web");
    assert_eq!(limits.outcome, Some("failure".to_string()));
    assert!(limits
        .system_out
        .contains("warning: deploy.yaml:13: container `app` has a memory limit above 1Gi"));

    let rows = csv_rows(&csv::render(&results));
    let status_of = |control: &str, status: &str| {
        rows.iter()
            .filter(|r| r[0] == control && r[2] == status)
            .count()
    };
    assert_eq!(status_of("bucket-tags", "waived"), 1);
    assert_eq!(status_of("workload-limits", "warn"), 1);
    assert_eq!(status_of("workload-privileged", "error"), 1);

    let md = markdown::render(&results);
    assert!(md.contains("🔕 Waived (1)"), "{md}");
    assert!(md.contains("⚠️ Warnings (1)"), "{md}");
    assert!(
        md.contains("- error: control `workload-privileged` could not be evaluated: boom"),
        "{md}"
    );
    assert!(
        !md.contains("`bucket-tags` · Buckets name an owner"),
        "{md}"
    );

    let doc: Value = serde_json::from_str(&oscal::render(&results)).unwrap();
    let result = &doc["assessment-results"]["results"][0];
    let statuses: Vec<&str> = result["observations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| {
            o["props"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "status")
                .and_then(|p| p["value"].as_str())
        })
        .collect();
    for status in ["pass", "fail", "warn", "error", "waived"] {
        assert!(statuses.contains(&status), "{status}: {statuses:?}");
    }
    let failing: Vec<&str> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["target"]["target-id"].as_str().unwrap())
        .collect();
    // bucket-tags' only failure is waived: it is no longer a failing control.
    assert_eq!(
        failing,
        ["bucket-public", "workload-limits", "workload-privileged"]
    );
}

/// The CSV has a header and one row per finding of the results document.
#[test]
fn csv_has_one_row_per_finding() {
    let scan = Scan::run();
    let results = scan.results();
    let rows = csv_rows(&scan.read("results.csv"));
    let findings: usize = results.controls.iter().map(|c| c.findings.len()).sum();
    assert_eq!(findings, 8);
    assert_eq!(rows.len(), findings + 1);
    assert_eq!(
        rows[0],
        [
            "control",
            "severity",
            "status",
            "resource",
            "path",
            "line",
            "message",
            "frameworks"
        ]
    );
    // Quotes and commas in a message survive the round trip.
    let privileged = rows
        .iter()
        .find(|r| r[0] == "workload-privileged" && r[2] == "fail")
        .unwrap();
    assert_eq!(
        privileged[6],
        "container `debug, \"root\" <shell> & co` runs privileged"
    );
    assert_eq!(privileged[5], "16");
    assert_eq!(privileged[7], "iso27001:A.8.9;soc2:CC6.1");
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// The JUnit XML parses back, and its counts agree with its test cases and with the scan.
#[test]
fn junit_parses_back_with_the_expected_counts() {
    let scan = Scan::run();
    let suites = parse_junit(&scan.read("results.junit.xml"));
    let count = |outcome: &str| {
        suites
            .cases
            .iter()
            .filter(|c| c.outcome.as_deref() == Some(outcome))
            .count()
    };
    assert_eq!(suites.cases.len(), 8);
    assert_eq!(
        (count("failure"), count("error"), count("skipped")),
        (4, 1, 1)
    );
    assert_eq!(suites.totals, [8, 4, 1, 1]);
    assert_eq!(
        suites.suite_names,
        ["storage", "workloads", "(sources)"],
        "a suite per family, then unreadable sources"
    );
    let privileged = suites
        .cases
        .iter()
        .find(|c| c.classname == "workload-privileged")
        .unwrap();
    assert_eq!(
        (privileged.file.as_str(), privileged.line.as_str()),
        ("deploy.yaml", "16")
    );
    assert!(privileged
        .message
        .contains("container `debug, \"root\" <shell> & co` runs privileged"));
    assert!(privileged.text.contains("deploy.yaml:16: container"));
}

#[derive(Debug, Default)]
struct TestCase {
    classname: String,
    name: String,
    file: String,
    line: String,
    /// `failure`, `error` or `skipped`; `None` when the case passed.
    outcome: Option<String>,
    message: String,
    text: String,
    system_out: String,
}

#[derive(Debug, Default)]
struct Suites {
    /// tests, failures, errors, skipped of `<testsuites>`.
    totals: [usize; 4],
    suite_names: Vec<String>,
    cases: Vec<TestCase>,
}

/// Reads JUnit XML back with a real XML parser; panics on malformed XML.
fn parse_junit(xml: &str) -> Suites {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites = Suites::default();
    let mut in_element = String::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let name = AsRef::<str>::as_ref(&e.name()).to_string();
                let attr = |key: &str| -> String {
                    e.try_get_attribute(key)
                        .unwrap()
                        .map(|a| {
                            a.normalized_value(XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                        .unwrap_or_default()
                };
                match name.as_str() {
                    "testsuites" => {
                        for (i, key) in ["tests", "failures", "errors", "skipped"]
                            .iter()
                            .enumerate()
                        {
                            suites.totals[i] = attr(key).parse().unwrap();
                        }
                    }
                    "testsuite" => suites.suite_names.push(attr("name")),
                    "testcase" => suites.cases.push(TestCase {
                        classname: attr("classname"),
                        name: attr("name"),
                        file: attr("file"),
                        line: attr("line"),
                        ..TestCase::default()
                    }),
                    "failure" | "error" | "skipped" => {
                        let case = suites.cases.last_mut().unwrap();
                        case.outcome = Some(name.clone());
                        case.message = attr("message");
                    }
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    in_element = name;
                }
            }
            Event::Text(_) | Event::GeneralRef(_) => {
                let text = match &event {
                    Event::Text(t) => t.xml10_content().into_owned(),
                    Event::GeneralRef(r) if r.is_char_ref() => {
                        r.resolve_char_ref().unwrap().unwrap().to_string()
                    }
                    Event::GeneralRef(r) => resolve_predefined_entity(r)
                        .expect("only predefined entities")
                        .to_string(),
                    _ => unreachable!(),
                };
                if let Some(case) = suites.cases.last_mut() {
                    match in_element.as_str() {
                        "failure" | "error" => case.text.push_str(&text),
                        "system-out" => case.system_out.push_str(&text),
                        _ => {}
                    }
                }
            }
            Event::End(_) => in_element.clear(),
            Event::Eof => break,
            _ => {}
        }
    }
    suites
}

/// The Markdown summary stays under its size limit, with a note, however many controls fail.
#[test]
fn markdown_is_truncated_with_a_note() {
    let mut results = Scan::run().results();
    let template = results
        .controls
        .iter()
        .find(|c| c.id == "workload-privileged")
        .unwrap()
        .clone();
    for i in 0..400 {
        let mut c = template.clone();
        c.id = format!("copy-{i:03}");
        c.findings = (0..60)
            .map(|n| Finding {
                status: FindingStatus::Fail,
                resource: Some(format!("Deployment/default/app-{n}")),
                message: format!("container `c{n}` runs privileged {}", "x".repeat(400)),
                location: Some(Location {
                    path: "deploy.yaml".into(),
                    line: Some(n + 1),
                }),
                evidence: Vec::new(),
                item: 0,
                signature: None,
            })
            .collect();
        recount(&mut c);
        results.controls.push(c);
    }
    let md = markdown::render(&results);
    assert!(md.len() <= markdown::MAX_BYTES, "{} bytes", md.len());
    assert!(md.contains("**Truncated:**"), "truncation is said");
    assert!(md.contains("<details><summary>55 more failing items</summary>"));
    assert!(md.ends_with("</sub>\n"), "the footer is kept");
    // Whole sections only: every opened <details> is closed.
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
}

/// OSCAL UUIDs are version 5, distinct, and the same for the same input.
#[test]
fn oscal_uuids_are_deterministic() {
    let results = Scan::run().results();
    let first = oscal::render(&results);
    assert_eq!(first, oscal::render(&results));
    let uuid = regex::Regex::new(r#""(?:uuid|observation-uuid)": "([0-9a-f-]{36})""#).unwrap();
    let mut defined: Vec<&str> = uuid
        .captures_iter(&first)
        .filter(|c| c[0].starts_with("\"uuid\""))
        .map(|c| c.get(1).unwrap().as_str())
        .collect();
    assert!(defined.len() > 10);
    assert!(
        defined.iter().all(|u| u.as_bytes()[14] == b'5'),
        "{defined:?}"
    );
    let n = defined.len();
    defined.sort();
    defined.dedup();
    assert_eq!(defined.len(), n, "every uuid is distinct");
}

/// `--format X --output FILE` writes one file; several formats need `--output-dir`.
#[test]
fn format_and_output_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scan.sarif");
    let out = assay()
        .arg("scan")
        .arg(fixture("outputs/repo"))
        .args(["--no-builtin", "--controls"])
        .arg(fixture("outputs/catalog"))
        .args(["--format", "sarif", "--soft-fail", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let log: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");

    let several = common::scan_catalog(
        fixture("outputs/repo"),
        fixture("outputs/catalog"),
        &["--format", "sarif,csv"],
    );
    let stderr = common::exited(&several, 2);
    assert!(stderr.contains("2 formats need --output-dir"), "{stderr}");
    assert!(
        stderr.contains("out/results.sarif, out/results.csv"),
        "{stderr}"
    );

    let csv_out = common::scan_catalog(
        fixture("outputs/repo"),
        fixture("outputs/catalog"),
        &["--format", "csv"],
    );
    // The fixture fails the default gate; the output is written all the same.
    assert_eq!(csv_out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&csv_out.stdout).starts_with("control,severity,status,"));
}

/// `outputs:` in assay.yaml takes every format, each to its own path.
#[test]
fn config_outputs_take_the_new_formats() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("outputs/repo"), dir.path());
    std::fs::write(
        dir.path().join("assay.yaml"),
        "builtin: false\noutputs:\n  - {format: junit, path: reports/junit.xml}\n  - {format: markdown, path: summary.md}\n  - {format: oscal, path: ar.json}\n",
    )
    .unwrap();
    let out = assay()
        .arg("scan")
        .arg(dir.path())
        .arg("--controls")
        .arg(fixture("outputs/catalog"))
        .output()
        .unwrap();
    common::exited(&out, 1);
    let junit = std::fs::read_to_string(dir.path().join("reports/junit.xml")).unwrap();
    assert!(junit.starts_with("<?xml"));
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.starts_with("## assay compliance report"));
    let ar: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("ar.json")).unwrap())
            .unwrap();
    assert_eq!(
        ar["assessment-results"]["metadata"]["oscal-version"],
        oscal::OSCAL_VERSION
    );
}
