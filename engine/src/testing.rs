//! `assay controls test`: runs every control against its own test cases.
//!
//! Cases are found by convention: `tests/pass/*` must give only passing items, `tests/fail/*`
//! at least one failing item (likewise `warn` and `error`). Entries under `tests:` in the
//! control add an exact count or a message substring for a case.
//!
//! A case (a file, or a directory acting as a repository root) is written to a temporary
//! directory and collected there by every registered collector of the evidence kinds the
//! control reads, exactly as a scan would collect it.

use std::borrow::Cow;
use std::sync::Arc;

use assay_collectors::{Collection, Scope};
use rayon::prelude::*;

use crate::catalog::{Control, TestCase, TestExpectation};
use crate::eval::evaluate_control;
use crate::model::FindingStatus;

/// The outcome of one test case.
#[derive(Debug, Clone)]
pub struct CaseReport {
    pub control: String,
    pub case: String,
    /// Empty when the case passed; otherwise what differed, one line each.
    pub problems: Vec<String>,
}

impl CaseReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Runs every test case of every control, in parallel; reports come sorted by control and case.
pub fn run(controls: &[Arc<Control>]) -> Vec<CaseReport> {
    let mut reports: Vec<CaseReport> = controls
        .par_iter()
        .flat_map_iter(|c| run_control(c))
        .collect();
    reports.sort_by(|a, b| (&a.control, &a.case).cmp(&(&b.control, &b.case)));
    reports
}

fn run_control(control: &Control) -> Vec<CaseReport> {
    let report = |case: &str, problems: Vec<String>| CaseReport {
        control: control.id.clone(),
        case: case.to_string(),
        problems,
    };
    let cases = match control.dir.test_cases() {
        Ok(cases) if cases.is_empty() && control.check.is_attestation() => {
            attestation_cases(&control.id)
        }
        Ok(cases) => cases,
        Err(e) => {
            return vec![report(
                "tests/",
                vec![format!("cannot read test cases: {e}")],
            )]
        }
    };
    if cases.is_empty() {
        return vec![report(
            "tests/",
            vec![
                "no test cases: add at least one case under tests/pass/ and one under tests/fail/"
                    .into(),
            ],
        )];
    }
    let mut out: Vec<CaseReport> = cases
        .iter()
        .map(|case| report(&case.name, judge(control, case)))
        .collect();
    for spec in &control.tests {
        if !cases.iter().any(|c| c.name == spec.case) {
            out.push(report(
                &spec.case,
                vec![format!(
                    "`tests:` names case `{}`, which does not exist under tests/",
                    spec.case
                )],
            ));
        }
    }
    out
}

/// The cases every attestation control without its own cases is tested with: attested and in
/// force passes; no attestation, or an expired one, fails.
fn attestation_cases(id: &str) -> Vec<TestCase> {
    let case = |name: &str, attestation: Option<&str>| {
        let mut files = vec![(
            assay_collectors::case::FILE.to_string(),
            Cow::Owned(b"now: 2026-06-01T00:00:00Z\n".to_vec()),
        )];
        if let Some(expires) = attestation {
            let text = format!(
                "control: {id}\nstatement: The control is operated as described.\nattested_by: {{name: Test Owner, role: Control owner}}\ndate: 2025-06-01\nexpires: {expires}\nevidence: [{id}-record.txt]\n"
            );
            files.push((
                format!("attestations/{id}.yaml"),
                Cow::Owned(text.into_bytes()),
            ));
            files.push((
                format!("attestations/{id}-record.txt"),
                Cow::Borrowed(&b"record of the control's operation\n"[..]),
            ));
        }
        TestCase {
            name: name.to_string(),
            files,
        }
    };
    vec![
        case("fail/expired (built-in)", Some("2026-05-31")),
        case("fail/not-attested (built-in)", None),
        case("pass/attested (built-in)", Some("2027-06-01")),
    ]
}

/// Writes the case's files to a temporary directory and collects them there with every
/// collector the control needs.
fn collect_case(control: &Control, case: &TestCase) -> Result<Collection, String> {
    let dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    for (path, bytes) in &case.files {
        let target = dir.path().join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot write `{path}` of the case: {e}"))?;
        }
        std::fs::write(&target, bytes)
            .map_err(|e| format!("cannot write `{path}` of the case: {e}"))?;
    }
    let needed = control.check.evidence();
    let mut scope = Scope::new(dir.path());
    // `assay-case.yaml` may pin the scan time and build a git history in the case folder.
    assay_collectors::case::prepare(dir.path(), &mut scope)?;
    // The setup file is not part of the case's tree.
    scope.exclude = globset::GlobSet::builder()
        .add(globset::Glob::new(assay_collectors::case::FILE).expect("a literal glob"))
        .build()
        .ok();
    let mut collection = Collection::default();
    for collector in assay_collectors::registry()
        .into_iter()
        .filter(|c| needed.contains(&c.kind()))
    {
        let found = collector.collect(&scope).map_err(|e| {
            format!(
                "the {} collector failed: {}",
                collector.kind().as_str(),
                e.message
            )
        })?;
        collection.extend(found);
    }
    collection.sort();
    Ok(collection)
}

fn judge(control: &Control, case: &TestCase) -> Vec<String> {
    let collection = match collect_case(control, case) {
        Ok(c) => c,
        Err(problem) => return vec![problem],
    };
    let findings = evaluate_control(control, &collection.documents, &Default::default());
    let spec = control.tests.iter().find(|t| t.case == case.name);
    let expect = spec
        .map(|s| s.expect)
        .unwrap_or(match case.name.split('/').next() {
            Some("pass") => TestExpectation::Pass,
            Some("warn") => TestExpectation::Warn,
            Some("error") => TestExpectation::Error,
            _ => TestExpectation::Fail,
        });
    // Counts are of items, as scores are: an item with several offenders is one failing item.
    let items = crate::score::item_statuses(&findings);
    let count = |s: FindingStatus| match s {
        FindingStatus::Warn => findings.iter().filter(|f| f.status == s).count(),
        _ => items.iter().filter(|i| **i == s).count(),
    };
    let actual = format!(
        "{} pass, {} fail, {} warn, {} error, {} unparsable file(s)",
        count(FindingStatus::Pass),
        count(FindingStatus::Fail),
        count(FindingStatus::Warn),
        count(FindingStatus::Error),
        collection.errors.len()
    );
    let mut problems = Vec::new();
    let wanted = expect.status();
    let hits = count(wanted)
        + if wanted == FindingStatus::Error {
            collection.errors.len()
        } else {
            0
        };
    match expect {
        TestExpectation::Pass => {
            if findings.is_empty() {
                problems
                    .push("expected: passing items\n  actual: no item was selected".to_string());
            } else if findings.iter().any(|f| f.status != FindingStatus::Pass)
                || !collection.errors.is_empty()
            {
                problems.push(format!("expected: every item passes\n  actual: {actual}"));
                for f in findings
                    .iter()
                    .filter(|f| f.status != FindingStatus::Pass)
                    .take(3)
                {
                    problems.push(format!("  {}: {}", f.status.as_str(), f.message));
                }
                for e in collection.errors.iter().take(3) {
                    problems.push(format!("  unparsable: {}: {}", e.path, e.message));
                }
            }
        }
        _ if hits == 0 => problems.push(format!(
            "expected: at least one {} item\n  actual: {actual}",
            wanted.as_str()
        )),
        _ => {}
    }
    if let Some(spec) = spec {
        if let Some(n) = spec.count {
            if hits != n {
                problems.push(format!(
                    "expected: {n} {} item(s)\n  actual: {actual}",
                    wanted.as_str()
                ));
            }
        }
        if let Some(needle) = &spec.message {
            let messages: Vec<&str> = findings
                .iter()
                .filter(|f| f.status == wanted)
                .map(|f| f.message.as_str())
                .collect();
            if !messages.iter().any(|m| m.contains(needle.as_str())) {
                problems.push(format!(
                    "expected: a {} message containing `{needle}`\n  actual: {:?}",
                    wanted.as_str(),
                    messages
                ));
            }
        }
    }
    problems
}

/// The reports as JUnit XML: one suite, one test case per control and case, the differences
/// of a failing case in its `<failure>`.
pub fn junit(reports: &[CaseReport]) -> String {
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

    let failures = reports.iter().filter(|r| !r.passed()).count();
    let mut out = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let write = |out: &mut quick_xml::Writer<Vec<u8>>| -> std::io::Result<()> {
        out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", "assay controls test"));
        suite.push_attribute(("tests", reports.len().to_string().as_str()));
        suite.push_attribute(("failures", failures.to_string().as_str()));
        suite.push_attribute(("errors", "0"));
        out.write_event(Event::Start(suite))?;
        for r in reports {
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("classname", r.control.as_str()));
            case.push_attribute(("name", r.case.as_str()));
            if r.passed() {
                out.write_event(Event::Empty(case))?;
                continue;
            }
            out.write_event(Event::Start(case))?;
            let mut failure = BytesStart::new("failure");
            let first = r.problems.first().map(String::as_str).unwrap_or_default();
            failure.push_attribute(("message", first.lines().next().unwrap_or_default()));
            out.write_event(Event::Start(failure))?;
            out.write_event(Event::Text(BytesText::new(&r.problems.join("\n"))))?;
            out.write_event(Event::End(BytesEnd::new("failure")))?;
            out.write_event(Event::End(BytesEnd::new("testcase")))?;
        }
        out.write_event(Event::End(BytesEnd::new("testsuite")))
    };
    write(&mut out).expect("writing to memory cannot fail");
    let mut text = String::from_utf8(out.into_inner()).expect("the writer is given UTF-8 only");
    text.push('\n');
    text
}
