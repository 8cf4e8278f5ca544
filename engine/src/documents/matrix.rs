//! A requirement-by-requirement evidence matrix of one framework: per requirement, the controls
//! that evidence it, the test performed, its result and the evidence files with their digests.
//! The SOC 2 control matrix, the NIST SP 800-53 implementation summary, the HIPAA risk-analysis
//! evidence table, the PCI DSS evidence list and the GoBD Verfahrensdokumentation are written
//! from it.

use serde::Serialize;

use super::view::{
    anchor, pct, test_performed, Appendix, ControlLink, Counts, EvidenceRef, FrameworkFacts,
    Lookup, Status, EVIDENCE_LISTED,
};
use crate::catalog::Coverage;

#[derive(Debug, Serialize)]
pub struct Matrix {
    /// None when the scan did not score the framework.
    pub framework: Option<FrameworkFacts>,
    pub criteria: Vec<Criterion>,
    /// Rows of the matrix: one per (criterion, control), one per criterion without controls.
    pub rows: usize,
    pub appendix: Appendix,
}

/// One requirement (a criterion, control or standard) and the controls that evidence it.
#[derive(Debug, Serialize)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    /// The regulation's designation (HIPAA `Required` / `Addressable`).
    pub designation: Option<String>,
    /// It applies to service providers only (PCI DSS).
    pub service_provider: bool,
    pub anchor: String,
    pub status: Status,
    pub score: String,
    /// What stands in the matrix when no control evidences the criterion.
    pub gap: Option<String>,
    pub controls: Vec<Tested>,
}

/// One control as tested for a criterion.
#[derive(Debug, Serialize)]
pub struct Tested {
    pub control: ControlLink,
    pub test: String,
    pub counts: Counts,
    /// At most [`EVIDENCE_LISTED`] files.
    pub evidence: Vec<EvidenceRef>,
    pub more_evidence: usize,
}

/// The matrix of the framework `id` as the scan scored it (empty when it did not).
pub fn build(lookup: &Lookup<'_>, id: &str) -> Matrix {
    let Some(framework) = lookup.framework(id) else {
        return Matrix {
            framework: None,
            criteria: Vec::new(),
            rows: 0,
            appendix: Appendix::new(lookup, []),
        };
    };
    let criteria: Vec<Criterion> = framework
        .requirements
        .iter()
        .map(|r| {
            let controls: Vec<Tested> = r
                .controls
                .iter()
                .filter_map(|id| lookup.control(id))
                .map(|c| {
                    let mut evidence = lookup.evidence_files(&[c]);
                    let more_evidence = evidence.len().saturating_sub(EVIDENCE_LISTED);
                    evidence.truncate(EVIDENCE_LISTED);
                    Tested {
                        control: lookup.control_link(c),
                        test: test_performed(c),
                        counts: Counts::of(c),
                        evidence,
                        more_evidence,
                    }
                })
                .collect();
            let gap = controls.is_empty().then(|| match (&r.coverage, &r.not_applicable) {
                (Coverage::NotApplicable, Some(reason)) => format!("Not applicable: {reason}"),
                _ => "No control of the catalog evidences this requirement: test it manually or record an attestation.".to_string(),
            });
            Criterion {
                id: r.id.clone(),
                title: r.title.clone(),
                designation: r.designation.clone(),
                service_provider: r.service_provider,
                anchor: anchor("criterion", &r.id),
                status: r.status.into(),
                score: pct(r.score),
                gap,
                controls,
            }
        })
        .collect();
    Matrix {
        framework: Some(FrameworkFacts::of(framework)),
        rows: criteria.iter().map(|c| c.controls.len().max(1)).sum(),
        appendix: Appendix::new(
            lookup,
            framework.requirements.iter().flat_map(|r| &r.controls),
        ),
        criteria,
    }
}
