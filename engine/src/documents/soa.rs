//! The ISO/IEC 27001 Statement of Applicability: every Annex A control of the `iso27001`
//! framework, whether it applies and why, how far the scan found it implemented, and the
//! evidence behind that.

use serde::Serialize;

use super::view::{anchor, pct, Appendix, ControlLink, FrameworkFacts, Lookup, Status};
use crate::catalog::Coverage;
use crate::report::RequirementReport;
use crate::score::Implementation;

/// The framework the document is written from.
pub const FRAMEWORK: &str = "iso27001";

/// The Annex A themes of ISO/IEC 27001:2022, by the prefix of their control numbers.
const THEMES: [(&str, &str); 4] = [
    ("A.5.", "Organizational controls"),
    ("A.6.", "People controls"),
    ("A.7.", "Physical controls"),
    ("A.8.", "Technological controls"),
];

#[derive(Debug, Serialize)]
pub struct Soa {
    /// None when the scan did not score the framework.
    pub framework: Option<FrameworkFacts>,
    pub themes: Vec<Theme>,
    /// Annex A controls that apply / do not apply.
    pub applicable: usize,
    pub excluded: usize,
    pub appendix: Appendix,
}

/// One theme of Annex A and its controls, in the order of the standard.
#[derive(Debug, Serialize)]
pub struct Theme {
    pub name: String,
    pub rows: Vec<Row>,
}

/// One Annex A control.
#[derive(Debug, Serialize)]
pub struct Row {
    pub id: String,
    pub title: String,
    pub anchor: String,
    pub applicable: bool,
    /// Why the control does not apply, or why nothing evidences it; none when the mapped
    /// controls (in `controls`) are the justification.
    pub justification: Option<String>,
    pub status: Status,
    pub score: String,
    /// `automated`, `attested`, `not applicable` or `not evidenced`.
    pub evidenced: &'static str,
    pub controls: Vec<ControlLink>,
    /// The earlier edition's ids of the control (ISO/IEC 27001:2013 A.12.4.1 beside A.8.15).
    pub earlier_ids: Vec<String>,
}

pub fn build(lookup: &Lookup<'_>) -> Soa {
    let Some(framework) = lookup.framework(FRAMEWORK) else {
        return Soa {
            framework: None,
            themes: Vec::new(),
            applicable: 0,
            excluded: 0,
            appendix: Appendix::new(lookup, []),
        };
    };
    let mut themes: Vec<Theme> = Vec::new();
    for r in &framework.requirements {
        let name = theme(&r.id);
        if themes.last().is_none_or(|t| t.name != name) {
            themes.push(Theme {
                name: name.to_string(),
                rows: Vec::new(),
            });
        }
        let row = row(lookup, r);
        if let Some(t) = themes.last_mut() {
            t.rows.push(row);
        }
    }
    let rows = || themes.iter().flat_map(|t| &t.rows);
    let applicable = rows().filter(|r| r.applicable).count();
    let excluded = rows().count() - applicable;
    Soa {
        framework: Some(FrameworkFacts::of(framework)),
        applicable,
        excluded,
        appendix: Appendix::new(
            lookup,
            framework.requirements.iter().flat_map(|r| &r.controls),
        ),
        themes,
    }
}

fn row(lookup: &Lookup<'_>, r: &RequirementReport) -> Row {
    let controls: Vec<ControlLink> = r
        .controls
        .iter()
        .filter_map(|id| lookup.control(id))
        .map(|c| lookup.control_link(c))
        .collect();
    let (applicable, justification, evidenced) = match r.coverage {
        Coverage::NotApplicable => (
            false,
            Some(
                r.not_applicable
                    .clone()
                    .unwrap_or_else(|| "Not applicable.".to_string()),
            ),
            "not applicable",
        ),
        Coverage::Unmapped => (
            true,
            Some(
                "No control of the catalog evidences it: assess it and record an attestation."
                    .to_string(),
            ),
            "not evidenced",
        ),
        // Applicable, but every control selected nothing (no such resource in the tree).
        Coverage::Automated | Coverage::Attested if r.status == Implementation::NotApplicable => (
            true,
            Some(
                "Applies, but nothing in the scanned tree is subject to its controls, so the \
                 scan could not judge its implementation."
                    .to_string(),
            ),
            "nothing to judge",
        ),
        Coverage::Automated => (true, None, "automated"),
        Coverage::Attested => (true, None, "attested"),
    };
    // An applicable control whose mapped controls had nothing to check has no evidence: it is
    // not assessed, and says so, rather than "not applicable" beside "Applicable: Yes".
    let unassessed = applicable
        && matches!(
            r.status,
            Implementation::NotApplicable | Implementation::NotAssessed
        );
    let (status, justification) = if unassessed && justification.is_none() {
        let ids: Vec<String> = controls.iter().map(|c| format!("`{}`", c.id)).collect();
        (
            Implementation::NotAssessed,
            Some(format!(
                "Applicable, but not assessed: no evidence was found, as the mapped controls ({}) had nothing to check in this repository.",
                ids.join(", ")
            )),
        )
    } else if unassessed {
        (Implementation::NotAssessed, justification)
    } else {
        (r.status, justification)
    };
    Row {
        id: r.id.clone(),
        title: r.title.clone(),
        anchor: anchor("req", &r.id),
        applicable,
        justification,
        status: status.into(),
        score: pct(r.score),
        evidenced,
        controls,
        earlier_ids: r.earlier_ids.clone(),
    }
}

/// The Annex A theme of a control number.
fn theme(id: &str) -> &'static str {
    THEMES
        .iter()
        .find(|(prefix, _)| id.starts_with(prefix))
        .map_or("Other controls", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn themes_follow_the_control_number() {
        assert_eq!(theme("A.5.1"), "Organizational controls");
        assert_eq!(theme("A.8.34"), "Technological controls");
        assert_eq!(theme("A.50.1"), "Other controls");
    }
}
