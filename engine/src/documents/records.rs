//! The GDPR Art. 30 records of processing activities, from the declared
//! `processing-activities.yaml`, each activity with the problems the scan found for it and
//! the status of the controls its security measures name.

use assay_collectors::privacy::{ProcessingActivity, ProcessingRecords, Safeguard};
use serde::Serialize;

use super::attribution::{attribute, Entry, Hits};
use super::declared::Declaration;
use super::view::{
    anchor, fact, ControlLink, Fact, FindingRef, FrameworkFacts, Lookup, PROBLEMS_LISTED,
};
use super::Source;

/// The framework whose score the document shows.
pub const FRAMEWORK: &str = "gdpr";

#[derive(Debug, Serialize)]
pub struct Records {
    pub source: Source,
    pub framework: Option<FrameworkFacts>,
    pub controller: Vec<Fact>,
    pub activities: Vec<Activity>,
    pub requests: Option<Requests>,
    /// Problems found in the file outside any activity.
    pub file_problems: Vec<FindingRef>,
}

/// A list as one value: none when empty.
fn joined(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| items.join("; "))
}

#[derive(Debug, Serialize)]
pub struct Activity {
    pub id: String,
    pub name: String,
    pub anchor: String,
    /// The line of the activity in the file.
    pub line: Option<u32>,
    pub legal_basis: Option<String>,
    pub retention: Option<String>,
    /// The Art. 30(1) points, in order.
    pub facts: Vec<Fact>,
    pub transfers: Vec<TransferRow>,
    pub measures: Vec<Measure>,
    pub problems: Vec<FindingRef>,
    pub more_problems: usize,
    /// Findings for the activity that pass.
    pub passed: usize,
}

#[derive(Debug, Serialize)]
pub struct TransferRow {
    pub country: String,
    pub safeguard: Option<String>,
    pub note: Option<String>,
}

/// A security measure and the controls it names.
#[derive(Debug, Serialize)]
pub struct Measure {
    pub text: String,
    pub controls: Vec<ControlLink>,
}

#[derive(Debug, Serialize)]
pub struct Requests {
    pub contact: Option<String>,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Serialize)]
pub struct Endpoint {
    pub right: String,
    pub method: String,
    pub path: String,
    pub documented_in: Option<String>,
}

pub fn build(lookup: &Lookup<'_>, declaration: &Declaration<ProcessingRecords>) -> Records {
    let framework = lookup.framework(FRAMEWORK).map(FrameworkFacts::of);
    let Declaration::Found(declared) = declaration else {
        return Records {
            source: Source::of(declaration),
            framework,
            controller: Vec::new(),
            activities: Vec::new(),
            requests: None,
            file_problems: Vec::new(),
        };
    };
    let model = &declared.model;
    let entries: Vec<Entry<'_>> = model
        .activities
        .iter()
        .map(|a| Entry {
            id: &a.id,
            files: Vec::new(),
        })
        .collect();
    let found = attribute(lookup.results, declared, "activities", &entries);
    let activities = model
        .activities
        .iter()
        .zip(&found.entries)
        .enumerate()
        .map(|(i, (a, hits))| {
            let line = declared.lines.line(&format!("/activities/{i}"));
            activity(lookup, a, hits, line)
        })
        .collect();
    let controller = model.controller.as_ref().map_or_else(Vec::new, |c| {
        vec![
            fact("Name", c.name.clone()),
            fact("Contact", c.contact.clone()),
            fact("Representative (Art. 27)", c.representative.clone()),
            fact("Data protection officer (Art. 37)", c.dpo.clone()),
        ]
    });
    Records {
        source: Source::of(declaration),
        framework,
        controller,
        activities,
        requests: model.data_subject_requests.as_ref().map(|r| Requests {
            contact: r.contact.clone(),
            endpoints: r
                .endpoints
                .iter()
                .map(|e| Endpoint {
                    right: format!("{} ({})", e.right.as_str(), e.right.article()),
                    method: e.method.to_uppercase(),
                    path: e.path.clone(),
                    documented_in: e.documented_in.clone(),
                })
                .collect(),
        }),
        file_problems: problems(lookup, &found.elsewhere).0,
    }
}

fn activity(
    lookup: &Lookup<'_>,
    a: &ProcessingActivity,
    hits: &Hits,
    line: Option<u32>,
) -> Activity {
    let legal_basis = a
        .legal_basis
        .map(|b| format!("{} ({})", b.as_str().replace('_', " "), b.article()));
    let retention = match (&a.retention, a.retention_days) {
        (Some(words), Some(days)) => Some(format!("{words} ({days} days)")),
        (Some(words), None) => Some(words.clone()),
        (None, Some(days)) => Some(format!("{days} days")),
        (None, None) => None,
    };
    let special = if a.special_categories.is_empty() {
        None
    } else {
        Some(match &a.special_categories_basis {
            Some(basis) => format!("{} (condition: {basis})", a.special_categories.join("; ")),
            None => format!(
                "{} (no Art. 9(2) condition declared)",
                a.special_categories.join("; ")
            ),
        })
    };
    let facts = vec![
        fact("Purposes (Art. 30(1)(b))", joined(&a.purposes)),
        fact("Legal basis (Art. 6(1))", legal_basis.clone()),
        fact(
            "Categories of data subjects (Art. 30(1)(c))",
            joined(&a.data_subjects),
        ),
        fact(
            "Categories of personal data (Art. 30(1)(c))",
            joined(&a.data_categories),
        ),
        fact("Special categories (Art. 9)", special),
        fact("Recipients (Art. 30(1)(d))", joined(&a.recipients)),
        fact("Retention (Art. 30(1)(f))", retention.clone()),
        fact("Systems", joined(&a.systems)),
    ];
    let (problems, more_problems, passed) = problems(lookup, hits);
    Activity {
        id: a.id.clone(),
        name: a.name.clone(),
        anchor: anchor("activity", &a.id),
        line,
        legal_basis,
        retention,
        facts,
        transfers: a
            .transfers
            .iter()
            .map(|t| TransferRow {
                country: t.country.clone(),
                safeguard: t.safeguard.map(|s| safeguard(s).to_string()),
                note: t.note.clone(),
            })
            .collect(),
        measures: a
            .security_measures
            .iter()
            .map(|m| Measure {
                text: m.clone(),
                controls: named_controls(m)
                    .filter_map(|id| lookup.control(id))
                    .map(|c| lookup.control_link(c))
                    .collect(),
            })
            .collect(),
        problems,
        more_problems,
        passed,
    }
}

/// The problems among `hits` (at most [`PROBLEMS_LISTED`]), how many more there are, and how
/// many findings pass.
fn problems(lookup: &Lookup<'_>, hits: &Hits) -> (Vec<FindingRef>, usize, usize) {
    let controls = &lookup.results.controls;
    let failing: Vec<&(usize, usize)> = hits
        .iter()
        .filter(|(c, f)| super::view::is_problem(&controls[*c].findings[*f]))
        .collect();
    let listed = failing
        .iter()
        .take(PROBLEMS_LISTED)
        .map(|(c, f)| lookup.finding(&controls[*c], *f))
        .collect();
    (
        listed,
        failing.len().saturating_sub(PROBLEMS_LISTED),
        hits.len() - failing.len(),
    )
}

/// The Chapter V ground of a transfer, in words.
fn safeguard(s: Safeguard) -> &'static str {
    match s {
        Safeguard::Adequacy => "adequacy decision (Art. 45)",
        Safeguard::Scc => "standard contractual clauses (Art. 46(2)(c))",
        Safeguard::Bcr => "binding corporate rules (Art. 47)",
        Safeguard::Derogation => "derogation for a specific situation (Art. 49)",
    }
}

/// The words of a security measure that could be control ids, in order, without repeats.
fn named_controls(measure: &str) -> impl Iterator<Item = &str> {
    let mut seen = Vec::new();
    measure
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .map(|w| w.trim_end_matches('.'))
        .filter(move |w| {
            if w.is_empty() || seen.contains(w) {
                return false;
            }
            seen.push(*w);
            true
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_name_controls_by_their_ids() {
        let words: Vec<&str> =
            named_controls("Encrypted at rest (tf-aws-s3-encryption, tf-aws-rds-encryption).")
                .collect();
        assert_eq!(
            words,
            [
                "Encrypted",
                "at",
                "rest",
                "tf-aws-s3-encryption",
                "tf-aws-rds-encryption"
            ]
        );
    }
}
