//! JUnit XML, for CI test reports: a test suite per control family, a test case per control and
//! resource. Failing items carry their message and file:line; error items become `<error>`,
//! items whose every failure is waived become `<skipped>`, warnings go to `<system-out>`.
//! Unreadable sources get a suite of their own.

use std::collections::{BTreeMap, HashMap};
use std::io;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use super::{ControlReport, Results};
use crate::model::{Finding, FindingStatus};

/// The suite holding unreadable sources; its name cannot clash with a family id.
const SOURCES_SUITE: &str = "(sources)";

/// What a test case ends as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
    Errored,
    Skipped,
}

/// One test case: a control on one resource (or the control alone when nothing was selected).
struct Case<'a> {
    control: &'a ControlReport,
    name: &'a str,
    findings: Vec<&'a Finding>,
}

impl Case<'_> {
    fn with(&self, status: FindingStatus) -> impl Iterator<Item = &&Finding> {
        self.findings.iter().filter(move |f| f.status == status)
    }

    fn outcome(&self) -> Outcome {
        let has = |s| self.findings.iter().any(|f| f.status == s);
        if self.findings.is_empty() {
            Outcome::Skipped
        } else if has(FindingStatus::Error) {
            Outcome::Errored
        } else if has(FindingStatus::Fail) {
            Outcome::Failed
        } else if has(FindingStatus::Waived) && !has(FindingStatus::Pass) {
            Outcome::Skipped
        } else {
            Outcome::Passed
        }
    }
}

#[derive(Default)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn add(&mut self, outcome: Outcome) {
        self.tests += 1;
        match outcome {
            Outcome::Passed => {}
            Outcome::Failed => self.failures += 1,
            Outcome::Errored => self.errors += 1,
            Outcome::Skipped => self.skipped += 1,
        }
    }

    fn merge(&mut self, other: &Counts) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }

    fn attributes(&self) -> [(&'static str, String); 4] {
        [
            ("tests", self.tests.to_string()),
            ("failures", self.failures.to_string()),
            ("errors", self.errors.to_string()),
            ("skipped", self.skipped.to_string()),
        ]
    }
}

/// The JUnit report, ending with a newline.
pub fn render(results: &Results) -> String {
    let mut families: BTreeMap<&str, Vec<Case>> = BTreeMap::new();
    for c in &results.controls {
        families.entry(&c.family).or_default().extend(cases(c));
    }
    let mut out = Writer::new_with_indent(Vec::new(), b' ', 2);
    write(&mut out, results, &families).expect("writing to memory cannot fail");
    let mut text = String::from_utf8(out.into_inner()).expect("the writer is given UTF-8 only");
    text.push('\n');
    text
}

/// The test cases of a control: one per resource, in the order of the findings.
fn cases(control: &ControlReport) -> Vec<Case<'_>> {
    if control.findings.is_empty() {
        return vec![Case {
            control,
            name: &control.id,
            findings: Vec::new(),
        }];
    }
    let mut cases: Vec<Case> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for f in &control.findings {
        let name = f
            .resource
            .as_deref()
            .or(f.location.as_ref().map(|l| l.path.as_str()))
            .unwrap_or(&control.id);
        let i = *index.entry(name).or_insert_with(|| {
            cases.push(Case {
                control,
                name,
                findings: Vec::new(),
            });
            cases.len() - 1
        });
        cases[i].findings.push(f);
    }
    cases
}

fn write(
    out: &mut Writer<Vec<u8>>,
    results: &Results,
    families: &BTreeMap<&str, Vec<Case>>,
) -> io::Result<()> {
    out.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let suites: Vec<(&str, Counts, &[Case])> = families
        .iter()
        .map(|(family, cases)| {
            let mut counts = Counts::default();
            for case in cases {
                counts.add(case.outcome());
            }
            (*family, counts, cases.as_slice())
        })
        .collect();
    let mut sources = Counts::default();
    for _ in &results.errors {
        sources.add(Outcome::Errored);
    }
    let mut total = Counts::default();
    for counts in suites.iter().map(|(_, counts, _)| counts).chain([&sources]) {
        total.merge(counts);
    }
    let timestamp = results.scan.started_at.as_str();
    out.create_element("testsuites")
        .with_attribute(("name", results.tool.name.as_str()))
        .with_attributes(total.attributes().iter().map(|(k, v)| (*k, v.as_str())))
        .write_inner_content(|out| {
            for (family, counts, cases) in &suites {
                out.create_element("testsuite")
                    .with_attribute(("name", *family))
                    .with_attributes(counts.attributes().iter().map(|(k, v)| (*k, v.as_str())))
                    .with_attribute(("timestamp", timestamp))
                    .write_inner_content(|out| {
                        for case in *cases {
                            write_case(out, case)?;
                        }
                        Ok(())
                    })?;
            }
            if !results.errors.is_empty() {
                write_sources(out, results, &sources, timestamp)?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_case(out: &mut Writer<Vec<u8>>, case: &Case) -> io::Result<()> {
    let c = case.control;
    let outcome = case.outcome();
    let place = |f: &Finding| match &f.location {
        Some(l) => match l.line {
            Some(line) => format!("{}:{line}: {}", l.path, f.message),
            None => format!("{}: {}", l.path, f.message),
        },
        None => f.message.clone(),
    };
    let headline = |status: FindingStatus| -> Option<&Finding> {
        case.findings.iter().copied().find(|f| f.status == status)
    };
    let located = match outcome {
        Outcome::Errored => headline(FindingStatus::Error),
        Outcome::Failed => headline(FindingStatus::Fail),
        Outcome::Passed | Outcome::Skipped => case.findings.first().copied(),
    }
    .and_then(|f| f.location.as_ref());
    let mut element = out
        .create_element("testcase")
        .with_attribute(("name", xml_safe(case.name).as_str()))
        .with_attribute(("classname", c.id.as_str()));
    if let Some(l) = located {
        element = element.with_attribute(("file", xml_safe(&l.path).as_str()));
        if let Some(line) = l.line {
            element = element.with_attribute(("line", line.to_string().as_str()));
        }
    }
    let mut notes: Vec<String> = case
        .with(FindingStatus::Warn)
        .map(|f| format!("warning: {}", place(f)))
        .collect();
    notes.extend(
        case.with(FindingStatus::Waived)
            .map(|f| format!("waived: {}", place(f))),
    );
    if outcome == Outcome::Passed && notes.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|out| {
        match outcome {
            Outcome::Passed => {}
            Outcome::Skipped => {
                let message = if case.findings.is_empty() {
                    "not applicable: no item was selected".to_string()
                } else {
                    "every failure is waived".to_string()
                };
                out.create_element("skipped")
                    .with_attribute(("message", message.as_str()))
                    .write_empty()?;
            }
            Outcome::Failed | Outcome::Errored => {
                let (tag, status) = if outcome == Outcome::Errored {
                    ("error", FindingStatus::Error)
                } else {
                    ("failure", FindingStatus::Fail)
                };
                let bad: Vec<&&Finding> = case
                    .findings
                    .iter()
                    .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
                    .collect();
                let first = case.with(status).next().map_or("", |f| f.message.as_str());
                let message = match bad.len() {
                    1 => first.to_string(),
                    n => format!("{first} (and {} more)", n - 1),
                };
                let mut body: Vec<String> = bad.iter().map(|f| place(f)).collect();
                body.push(format!("fix: {}", c.remediation));
                out.create_element(tag)
                    .with_attribute(("message", xml_safe(&message).as_str()))
                    .with_attribute(("type", c.severity.as_str()))
                    .write_text_content(BytesText::new(&xml_safe(&body.join("\n"))))?;
            }
        }
        if !notes.is_empty() {
            out.create_element("system-out")
                .write_text_content(BytesText::new(&xml_safe(&notes.join("\n"))))?;
        }
        Ok(())
    })?;
    Ok(())
}

fn write_sources(
    out: &mut Writer<Vec<u8>>,
    results: &Results,
    counts: &Counts,
    timestamp: &str,
) -> io::Result<()> {
    out.create_element("testsuite")
        .with_attribute(("name", SOURCES_SUITE))
        .with_attributes(counts.attributes().iter().map(|(k, v)| (*k, v.as_str())))
        .with_attribute(("timestamp", timestamp))
        .write_inner_content(|out| {
            for e in &results.errors {
                let place = match (e.line, e.column) {
                    (Some(l), Some(c)) => format!("{}:{l}:{c}", e.path),
                    (Some(l), None) => format!("{}:{l}", e.path),
                    _ => e.path.clone(),
                };
                let mut body = format!("{place}: {}", e.message);
                if let Some(hint) = &e.hint {
                    body.push_str(&format!("\nhint: {hint}"));
                }
                let mut case = out
                    .create_element("testcase")
                    .with_attribute(("name", xml_safe(&e.path).as_str()))
                    .with_attribute(("classname", SOURCES_SUITE))
                    .with_attribute(("file", xml_safe(&e.path).as_str()));
                if let Some(line) = e.line {
                    case = case.with_attribute(("line", line.to_string().as_str()));
                }
                case.write_inner_content(|out| {
                    out.create_element("error")
                        .with_attribute(("message", xml_safe(&e.message).as_str()))
                        .with_attribute(("type", "source"))
                        .write_text_content(BytesText::new(&xml_safe(&body)))?;
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// Replaces the characters XML 1.0 cannot hold, even escaped, with U+FFFD. Escaping of the
/// rest is left to the writer.
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::xml_safe;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(xml_safe("a\u{7}b\tc\n"), "a\u{fffd}b\tc\n");
    }
}
