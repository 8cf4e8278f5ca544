//! The scan report: the whole scan on paper. Every framework's score, the sources that could
//! not be read, the controls that need action (not implemented, partial, in error or not
//! assessed) with their failing items at file:line and their evidence, then every control with
//! its result. `assay scan --format pdf` prints it; `assay documents` writes it beside the
//! others.

use serde::Serialize;

use super::view::{Appendix, ControlLink, FrameworkFacts, Lookup};
use crate::report::{Results, Summary};
use crate::score::Implementation;

#[derive(Debug, Serialize)]
pub struct ScanReport {
    pub frameworks: Vec<FrameworkFacts>,
    pub summary: Summary,
    pub sources: Vec<SourceProblem>,
    /// The controls that need action, most severe first, then by id.
    pub action: Vec<ActionRow>,
    /// Evidence and failing items of the controls that need action.
    pub appendix: Appendix,
    /// Every control, by id.
    pub controls: Vec<ControlLink>,
}

/// A source the scan could not read.
#[derive(Debug, Serialize)]
pub struct SourceProblem {
    /// `path:line` when the line is known.
    pub location: String,
    pub message: String,
}

/// A control that needs action, as listed at the top of the report.
#[derive(Debug, Serialize)]
pub struct ActionRow {
    pub control: ControlLink,
    pub severity: &'static str,
    pub failed: usize,
    pub errors: usize,
    pub remediation: String,
}

/// Whether a control's status asks for action.
fn needs_action(status: Implementation) -> bool {
    matches!(
        status,
        Implementation::NotImplemented
            | Implementation::Partial
            | Implementation::Error
            | Implementation::NotAssessed
    )
}

pub fn build(lookup: &Lookup<'_>) -> ScanReport {
    let results: &Results = lookup.results;
    let mut action: Vec<_> = results
        .controls
        .iter()
        .filter(|c| needs_action(c.status))
        .collect();
    action.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id)));
    let mut controls: Vec<_> = results.controls.iter().collect();
    controls.sort_by(|a, b| a.id.cmp(&b.id));
    ScanReport {
        frameworks: results.frameworks.iter().map(FrameworkFacts::of).collect(),
        summary: results.summary.clone(),
        sources: results
            .errors
            .iter()
            .map(|e| SourceProblem {
                location: match e.line {
                    Some(line) => format!("{}:{line}", e.path),
                    None => e.path.clone(),
                },
                message: e.message.clone(),
            })
            .collect(),
        appendix: Appendix::new(lookup, action.iter().map(|c| &c.id)),
        action: action
            .iter()
            .map(|c| ActionRow {
                control: lookup.control_link(c),
                severity: c.severity.as_str(),
                failed: c.failed,
                errors: c.errors,
                remediation: c
                    .remediation
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect(),
        controls: controls.iter().map(|c| lookup.control_link(c)).collect(),
    }
}
