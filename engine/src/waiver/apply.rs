//! Applying waivers to evaluated findings, before scoring: inline `assay:ignore` comments
//! first, then the entries of the waivers file in file order. A waived finding keeps its
//! place and message (with the waiver named) and scores as passing.

use std::collections::BTreeMap;
use std::sync::Arc;

use assay_collectors::suppress::{Suppression, MARKER};
use assay_collectors::{Document, SourceError};
use jiff::civil::Date;

use super::file::{date_text, WaiverFile};
use crate::catalog::Catalog;
use crate::diag::did_you_mean;
use crate::eval::ControlResult;
use crate::model::{Finding, FindingStatus};
use crate::report::waivers::{WaiverReport, WaiverSource, WaiverStatus};

/// The waivers a scan applies.
#[derive(Debug, Clone)]
pub struct Waivers {
    /// The waivers file, when one is configured.
    pub file: Option<Arc<WaiverFile>>,
    /// Whether inline `assay:ignore` comments are honoured.
    pub inline: bool,
}

impl Default for Waivers {
    fn default() -> Self {
        Self {
            file: None,
            inline: true,
        }
    }
}

/// The inline suppressions of each file, by root-relative path.
pub type SuppressionMap = BTreeMap<String, Arc<[Suppression]>>;

/// The suppressions of the files `documents` come from (files without any are left out).
pub fn suppressions_of(documents: &[Document]) -> SuppressionMap {
    documents
        .iter()
        .filter(|d| !d.suppressions.is_empty())
        .map(|d| (d.path.to_string(), d.suppressions.clone()))
        .collect()
}

/// What applying the waivers did: one report per waiver and valid suppression, and an error
/// entry per suppression that cannot be honoured.
#[derive(Debug, Default)]
pub struct Applied {
    pub reports: Vec<WaiverReport>,
    pub errors: Vec<SourceError>,
}

/// A valid inline suppression and how many findings it waived.
struct Inline<'a> {
    path: &'a str,
    suppression: &'a Suppression,
    reason: &'a str,
    matched: usize,
}

/// Waives the failing findings of `results` that a suppression or a waiver covers, on `today`.
pub fn apply(
    results: &mut [ControlResult],
    waivers: &Waivers,
    suppressions: &SuppressionMap,
    catalog: &Catalog,
    today: Date,
) -> Applied {
    let mut applied = Applied::default();
    let mut inline = valid_inline(waivers.inline, suppressions, catalog, &mut applied.errors);
    let file_waivers = waivers.file.as_ref().map_or(&[][..], |f| &f.waivers[..]);
    let mut waived = vec![0usize; file_waivers.len()];
    let mut still_matched = vec![0usize; file_waivers.len()];
    let file_name = waivers.file.as_ref().map_or("", |f| f.path.as_str());

    for result in results.iter_mut() {
        let control = result.control.id.as_str();
        for finding in result
            .findings
            .iter_mut()
            .filter(|f| f.status == FindingStatus::Fail)
        {
            if let Some(s) = inline
                .iter_mut()
                .find(|s| s.suppression.control == control && covers_line(s, finding))
            {
                s.matched += 1;
                waive(
                    finding,
                    format!(
                        "suppressed by `{MARKER}` at {}:{}: {}",
                        s.path, s.suppression.position.line, s.reason
                    ),
                );
                continue;
            }
            let path = finding.location.as_ref().map(|l| l.path.as_str());
            let resource = finding.resource.as_deref();
            let mut covering = file_waivers
                .iter()
                .filter(|w| w.control == control && w.scope.covers(path, resource));
            let mut first_expired = None;
            let live = covering.find(|w| {
                if w.expired(today) {
                    first_expired.get_or_insert(w.index);
                    false
                } else {
                    true
                }
            });
            match (live, first_expired) {
                (Some(w), _) => {
                    waived[w.index] += 1;
                    waive(
                        finding,
                        format!("waived by {file_name}:{}: {}", w.line, w.justification),
                    );
                }
                (None, Some(index)) => {
                    let w = &file_waivers[index];
                    still_matched[index] += 1;
                    finding.message.push_str(&format!(
                        " (the waiver at {file_name}:{} expired on {})",
                        w.line,
                        date_text(w.expires).unwrap_or_default()
                    ));
                }
                (None, None) => {}
            }
        }
        result
            .findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    if let Some(file) = &waivers.file {
        applied.errors.extend(unknown_controls(file, catalog));
    }
    applied
        .reports
        .extend(file_waivers.iter().map(|w| WaiverReport {
            source: WaiverSource::File,
            path: file_name.to_string(),
            line: w.line,
            control: w.control.clone(),
            justification: w.justification.clone(),
            approved_by: w.approved_by.clone(),
            created: date_text(w.created),
            expires: date_text(w.expires),
            risk: w.risk.clone(),
            status: if w.expired(today) {
                WaiverStatus::Expired
            } else if waived[w.index] > 0 {
                WaiverStatus::Applied
            } else {
                WaiverStatus::Unmatched
            },
            findings: waived[w.index] + still_matched[w.index],
        }));
    applied
        .reports
        .extend(inline.into_iter().map(|s| WaiverReport {
            source: WaiverSource::Inline,
            path: s.path.to_string(),
            line: s.suppression.position.line,
            control: s.suppression.control.clone(),
            justification: s.reason.to_string(),
            approved_by: None,
            created: None,
            expires: None,
            risk: None,
            status: if s.matched > 0 {
                WaiverStatus::Applied
            } else {
                WaiverStatus::Unmatched
            },
            findings: s.matched,
        }));
    applied
}

/// An error entry for each waiver that names a control the catalog does not have.
fn unknown_controls(file: &WaiverFile, catalog: &Catalog) -> Vec<SourceError> {
    file.waivers
        .iter()
        .filter(|w| catalog.control(&w.control).is_none())
        .map(|w| {
            let ids = catalog.controls.iter().map(|c| c.id.as_str());
            let hint = match did_you_mean(&w.control, ids) {
                Some(close) => format!("did you mean `{close}`?"),
                None => "name a control of the catalog (`assay controls list`)".to_string(),
            };
            SourceError {
                path: file.path.clone(),
                position: file.source.lines.position(&w.pointer("control")),
                message: format!("waiver names unknown control `{}`", w.control),
                hint: Some(hint),
            }
        })
        .collect()
}

/// Marks a failing finding as waived, saying by what.
fn waive(finding: &mut Finding, by: String) {
    finding.status = FindingStatus::Waived;
    finding.message.push_str(&format!(" ({by})"));
}

/// Whether an inline suppression covers a finding: same file, on its line or the line above.
fn covers_line(s: &Inline<'_>, finding: &Finding) -> bool {
    finding.location.as_ref().is_some_and(|l| {
        l.path == s.path
            && l.line.is_some_and(|line| {
                let at = s.suppression.position.line;
                at == line || at + 1 == line
            })
    })
}

/// The suppressions that can be honoured; every other one becomes an error entry.
fn valid_inline<'a>(
    allowed: bool,
    suppressions: &'a SuppressionMap,
    catalog: &Catalog,
    errors: &mut Vec<SourceError>,
) -> Vec<Inline<'a>> {
    let mut valid = Vec::new();
    for (path, list) in suppressions {
        for s in list.iter() {
            let error = |message: String, hint: String| SourceError {
                path: path.clone(),
                position: Some(s.position),
                message,
                hint: Some(hint),
            };
            if !allowed {
                errors.push(error(
                    format!("inline suppressions are turned off: `{MARKER}` is not honoured"),
                    "assay.yaml sets `suppressions: {inline: false}`; waive the finding in the \
                     waivers file instead, or remove the comment"
                        .to_string(),
                ));
                continue;
            }
            if s.control.is_empty() {
                errors.push(error(
                    format!("`{MARKER}` names no control"),
                    format!("write `# {MARKER} CONTROL-ID reason`"),
                ));
                continue;
            }
            if catalog.control(&s.control).is_none() {
                let ids = catalog.controls.iter().map(|c| c.id.as_str());
                let hint = match did_you_mean(&s.control, ids) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "name a control of the catalog (`assay controls list`)".to_string(),
                };
                errors.push(error(
                    format!("`{MARKER}` names unknown control `{}`", s.control),
                    hint,
                ));
                continue;
            }
            match &s.reason {
                Some(reason) => valid.push(Inline {
                    path,
                    suppression: s,
                    reason,
                    matched: 0,
                }),
                None => errors.push(error(
                    format!(
                        "inline suppression of `{}` gives no reason; nothing is suppressed",
                        s.control
                    ),
                    format!(
                        "say why after the control id: `# {MARKER} {} <reason>`",
                        s.control
                    ),
                )),
            }
        }
    }
    valid
}
