//! What every document shows about the scan, its frameworks, controls, findings and evidence
//! files, and where those link to when a document sits inside the evidence site.

use std::collections::{BTreeMap, BTreeSet};

use assay_collectors::EvidenceKind;
use serde::Serialize;

use crate::model::{Finding, FindingStatus};
use crate::pack::evidence::EvidenceSet;
use crate::report::{ControlKind, ControlReport, FrameworkReport, Results};
use crate::score::Implementation;
use crate::site::paths;

/// Problems listed at most per control or per declared entry; the rest are counted.
pub const PROBLEMS_LISTED: usize = 25;
/// Evidence files listed at most per control in a table cell; the rest are counted.
pub const EVIDENCE_LISTED: usize = 5;

/// The way from a document inside the site back to the site's top.
const SITE_ROOT: &str = "../";

/// Links to the pages of the evidence site; none when a document stands alone.
#[derive(Clone, Copy)]
pub struct Linker<'a> {
    /// The evidence the site keeps, when the document is rendered into a site.
    site: Option<&'a EvidenceSet>,
}

impl<'a> Linker<'a> {
    pub fn new(site: Option<&'a EvidenceSet>) -> Linker<'a> {
        Linker { site }
    }

    /// The site's overview page.
    pub fn home(&self) -> Option<String> {
        self.site.map(|_| format!("{SITE_ROOT}{}", paths::OVERVIEW))
    }

    fn control(&self, id: &str) -> Option<String> {
        self.site
            .map(|_| format!("{SITE_ROOT}{}", paths::control_page(id, 1)))
    }

    fn finding(&self, control: &str, index: usize) -> Option<String> {
        self.site
            .map(|_| format!("{SITE_ROOT}{}", paths::finding(control, index)))
    }

    /// The evidence viewer of `digest` (at `line`), when the site kept the file.
    fn evidence(&self, digest: &str, line: Option<u32>) -> Option<String> {
        self.site?.get(digest)?;
        let anchor = line.map_or_else(String::new, |l| format!("#L{l}"));
        Some(format!("{SITE_ROOT}{}{anchor}", paths::evidence(digest)))
    }
}

/// The controls and frameworks of a results document by id.
pub struct Lookup<'a> {
    pub results: &'a Results,
    controls: BTreeMap<&'a str, &'a ControlReport>,
    pub links: Linker<'a>,
}

impl<'a> Lookup<'a> {
    pub fn new(results: &'a Results, links: Linker<'a>) -> Lookup<'a> {
        Lookup {
            results,
            controls: results
                .controls
                .iter()
                .map(|c| (c.id.as_str(), c))
                .collect(),
            links,
        }
    }

    pub fn control(&self, id: &str) -> Option<&'a ControlReport> {
        self.controls.get(id).copied()
    }

    pub fn framework(&self, id: &str) -> Option<&'a FrameworkReport> {
        self.results.frameworks.iter().find(|f| f.id == id)
    }

    /// A control named in a mapping, as a link.
    pub fn control_link(&self, c: &ControlReport) -> ControlLink {
        ControlLink {
            id: c.id.clone(),
            title: c.title.clone(),
            kind: kind(c.kind),
            status: c.status.into(),
            score: pct(c.score),
            anchor: anchor("control", &c.id),
            href: self.links.control(&c.id),
        }
    }

    /// A finding of `control` (at `index` in its list).
    pub fn finding(&self, control: &ControlReport, index: usize) -> FindingRef {
        let f = &control.findings[index];
        let line = f.location.as_ref().and_then(|l| l.line);
        FindingRef {
            control: control.id.clone(),
            status: f.status.as_str(),
            resource: f.resource.clone(),
            message: f.message.clone(),
            location: f.location.as_ref().map(|l| match l.line {
                Some(line) => format!("{}:{line}", l.path),
                None => l.path.clone(),
            }),
            href: self.links.finding(&control.id, index),
            evidence_href: f.evidence.iter().find_map(|d| self.links.evidence(d, line)),
        }
    }

    /// The evidence section of one control: its figures, its problems and its files.
    pub fn control_evidence(&self, c: &ControlReport) -> ControlEvidence {
        let problems: Vec<usize> = (0..c.findings.len())
            .filter(|i| is_problem(&c.findings[*i]))
            .collect();
        let files = self.evidence_files(std::slice::from_ref(&c));
        ControlEvidence {
            control: self.control_link(c),
            test: test_performed(c),
            description: c
                .description
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            severity: c.severity.as_str(),
            counts: Counts::of(c),
            problems: problems
                .iter()
                .take(PROBLEMS_LISTED)
                .map(|i| self.finding(c, *i))
                .collect(),
            more_problems: problems.len().saturating_sub(PROBLEMS_LISTED),
            files,
        }
    }

    /// Every (file, digest) the findings of `controls` rest on, sorted by path then digest.
    /// A finding's first digest is that of the file it points at; the others (files attached
    /// to an attestation) have no path in the results.
    /// A finding about a file that does not exist carries no digest, so a control resting on
    /// nothing lists no file.
    pub fn evidence_files(&self, controls: &[&ControlReport]) -> Vec<EvidenceRef> {
        let mut pairs: BTreeSet<(Option<&str>, &str)> = BTreeSet::new();
        for c in controls {
            for f in &c.findings {
                let path = f.location.as_ref().map(|l| l.path.as_str());
                for (i, d) in f.evidence.iter().enumerate() {
                    pairs.insert((path.filter(|_| i == 0), d.as_str()));
                }
            }
        }
        pairs
            .into_iter()
            .map(|(path, digest)| EvidenceRef {
                path: path.map(str::to_string),
                digest: digest.to_string(),
                short: digest.chars().take(12).collect(),
                href: self.links.evidence(digest, None),
            })
            .collect()
    }
}

/// Whether a finding is something to act on (or a waived one, kept visible).
pub fn is_problem(f: &Finding) -> bool {
    f.status != FindingStatus::Pass
}

/// A status as (CSS class, label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Status {
    pub class: &'static str,
    pub label: &'static str,
}

impl From<Implementation> for Status {
    fn from(s: Implementation) -> Status {
        let (class, label) = match s {
            Implementation::Implemented => ("implemented", "implemented"),
            Implementation::Partial => ("partial", "partial"),
            Implementation::NotImplemented => ("not-implemented", "not implemented"),
            Implementation::NotApplicable => ("not-applicable", "not applicable"),
            Implementation::Error => ("error", "error"),
            Implementation::NotAssessed => ("not-assessed", "not assessed"),
        };
        Status { class, label }
    }
}

/// How a control is evidenced, as a label.
pub fn kind(k: ControlKind) -> &'static str {
    match k {
        ControlKind::Automated => "automated",
        ControlKind::Attestation => "attested",
    }
}

/// A score as text: `87.5%`, or `n/a`.
pub fn pct(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".to_string(), |s| format!("{s:.1}%"))
}

/// An HTML id for an item of a document, e.g. `control-tf-aws-s3-encryption`.
pub fn anchor(prefix: &str, id: &str) -> String {
    format!("{prefix}-{}", paths::slug(id))
}

/// What was done to test a control: the kind of check, over which evidence, of what its title
/// states; or the review of an attestation, signed or not.
pub fn test_performed(c: &ControlReport) -> String {
    let over: Vec<&str> = c.evidence.iter().map(|k| evidence_name(*k)).collect();
    let over = over.join(", ");
    match (c.kind, c.check.as_str()) {
        (ControlKind::Attestation, _) if attested(c) => {
            let labels = crate::signed_attestation::in_force_labels(&c.findings);
            let signature = if labels.is_empty() {
                "none in force".to_string()
            } else {
                labels.join("; ")
            };
            format!(
                "Attestation reviewed ({signature}; dates, attached evidence): {}",
                c.title
            )
        }
        (ControlKind::Attestation, _) => format!("No attestation on file: {}", c.title),
        (_, "yaml") => format!("YAML assertion over {over}: {}", c.title),
        (_, "rego") => format!("Rego policy over {over}: {}", c.title),
        (_, "cedar") => format!("Cedar authorization query over {over}: {}", c.title),
        _ => format!("Automated check: {}", c.title),
    }
}

/// Whether an attestation names `c`: a missing one leaves a finding without evidence.
fn attested(c: &ControlReport) -> bool {
    c.findings.iter().any(|f| !f.evidence.is_empty())
}

/// An evidence kind as auditors read it.
fn evidence_name(kind: EvidenceKind) -> &'static str {
    match kind {
        EvidenceKind::Config => "configuration files",
        EvidenceKind::AuditLog => "audit logs",
        EvidenceKind::Sbom => "SBOMs and provenance",
        EvidenceKind::Access => "access models",
        EvidenceKind::Git => "git history",
        EvidenceKind::Metrics => "service metrics",
        EvidenceKind::Docs => "policy documents",
        EvidenceKind::Attestation => "attestations",
        EvidenceKind::Ai => "the AI system inventory",
        EvidenceKind::Privacy => "the records of processing",
        EvidenceKind::Secrets => "the secrets scan of the files",
        EvidenceKind::Forge => "GitHub and GitLab API exports",
    }
}

/// A labelled value; `value` is none when the declaration file does not give it.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: &'static str,
    pub value: Option<String>,
}

pub fn fact(label: &'static str, value: Option<String>) -> Fact {
    Fact { label, value }
}

/// The scan a document rests on.
#[derive(Debug, Clone, Serialize)]
pub struct ScanFacts {
    pub tool: String,
    pub version: String,
    pub root: String,
    pub started_at: String,
    pub finished_at: String,
    pub commit: Option<String>,
    pub catalog_digest: String,
    /// Sources the scan could not read.
    pub errors: usize,
}

impl ScanFacts {
    pub fn of(r: &Results) -> ScanFacts {
        ScanFacts {
            tool: r.tool.name.clone(),
            version: r.tool.version.clone(),
            root: r.scan.root.clone(),
            started_at: r.scan.started_at.clone(),
            finished_at: r.scan.finished_at.clone(),
            commit: r.scan.commit.clone(),
            catalog_digest: r.scan.catalog_digest.clone(),
            errors: r.errors.len(),
        }
    }
}

/// A framework's figures, as a document's summary shows them.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkFacts {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    pub score: String,
    pub coverage: String,
    pub requirements: usize,
    pub automated: usize,
    pub attested: usize,
    pub not_applicable: usize,
    pub unmapped: usize,
}

impl FrameworkFacts {
    pub fn of(f: &FrameworkReport) -> FrameworkFacts {
        FrameworkFacts {
            id: f.id.clone(),
            name: f.name.clone(),
            version: f.version.clone(),
            score: pct(f.score),
            coverage: format!("{:.1}%", f.coverage),
            requirements: f.counts.requirements,
            automated: f.counts.automated,
            attested: f.counts.attested,
            not_applicable: f.counts.not_applicable,
            unmapped: f.counts.unmapped,
        }
    }
}

/// A control, linked to its section of the document and, inside the site, to its page.
#[derive(Debug, Clone, Serialize)]
pub struct ControlLink {
    pub id: String,
    pub title: String,
    /// `automated` or `attested`.
    pub kind: &'static str,
    pub status: Status,
    pub score: String,
    /// The control's section in the document's evidence appendix.
    pub anchor: String,
    /// The control's page in the site.
    pub href: Option<String>,
}

/// One finding, located.
#[derive(Debug, Clone, Serialize)]
pub struct FindingRef {
    pub control: String,
    pub status: &'static str,
    pub resource: Option<String>,
    pub message: String,
    /// `path:line`.
    pub location: Option<String>,
    /// The finding on its control's page in the site.
    pub href: Option<String>,
    /// The evidence viewer at the finding's line, when the site kept the file.
    pub evidence_href: Option<String>,
}

/// An evidence file and its sha256.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EvidenceRef {
    /// Root-relative path; none when the results name no file for the digest.
    pub path: Option<String>,
    pub digest: String,
    /// The first 12 hex digits.
    pub short: String,
    /// The evidence viewer in the site.
    pub href: Option<String>,
}

/// Items of a control by outcome.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub waived: usize,
    pub warnings: usize,
}

impl Counts {
    pub fn of(c: &ControlReport) -> Counts {
        Counts {
            passed: c.passed,
            failed: c.failed,
            errors: c.errors,
            waived: c.waived,
            warnings: c.warnings,
        }
    }
}

/// A control in a document's evidence appendix.
#[derive(Debug, Clone, Serialize)]
pub struct ControlEvidence {
    pub control: ControlLink,
    pub test: String,
    pub description: String,
    pub severity: &'static str,
    pub counts: Counts,
    /// Failing, erroring, warning and waived findings, at most [`PROBLEMS_LISTED`].
    pub problems: Vec<FindingRef>,
    pub more_problems: usize,
    pub files: Vec<EvidenceRef>,
}

/// The evidence appendix of a document: every control it names, sorted by id, and every file
/// their findings rest on.
#[derive(Debug, Clone, Serialize)]
pub struct Appendix {
    pub controls: Vec<ControlEvidence>,
    pub files: Vec<EvidenceRef>,
}

impl Appendix {
    /// The appendix for the controls named `ids` (unknown ids are left out).
    pub fn new<'s>(lookup: &Lookup<'_>, ids: impl IntoIterator<Item = &'s String>) -> Appendix {
        let ids: BTreeSet<&str> = ids.into_iter().map(String::as_str).collect();
        let controls: Vec<&ControlReport> = ids
            .into_iter()
            .filter_map(|id| lookup.control(id))
            .collect();
        Appendix {
            controls: controls
                .iter()
                .map(|c| lookup.control_evidence(c))
                .collect(),
            files: lookup.evidence_files(&controls),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_slugs() {
        assert_eq!(anchor("req", "A.5.1"), "req-A.5.1");
        assert_eq!(anchor("req", "Art. 30"), "req-Art._2030");
    }
}
