//! `assay controls test`: runs every control against its own test cases.
//!
//! Cases are found by convention: `tests/pass/*` must give only passing items, `tests/fail/*`
//! at least one failing item (likewise `warn` and `error`). Entries under `tests:` in the
//! control add an exact count or a message substring for a case.

use std::sync::Arc;

use assay_collectors::config::collect_bytes;
use assay_collectors::Collection;
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

fn judge(control: &Control, case: &TestCase) -> Vec<String> {
    let mut collection = Collection::default();
    for (path, bytes) in &case.files {
        collection.extend(collect_bytes(path, bytes));
    }
    collection.sort();
    let findings = evaluate_control(control, &collection.documents);
    let spec = control.tests.iter().find(|t| t.case == case.name);
    let expect = spec
        .map(|s| s.expect)
        .unwrap_or(match case.name.split('/').next() {
            Some("pass") => TestExpectation::Pass,
            Some("warn") => TestExpectation::Warn,
            Some("error") => TestExpectation::Error,
            _ => TestExpectation::Fail,
        });
    let count = |s: FindingStatus| findings.iter().filter(|f| f.status == s).count();
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
            } else if hits != findings.len() || !collection.errors.is_empty() {
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
