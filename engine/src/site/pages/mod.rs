//! The pages of the site: each module builds the contexts of one kind of page. Shared here:
//! the lookups every page needs ([`Index`]), the fields of every page, and finding rows.

mod controls;
mod documents;
mod evidence;
mod frameworks;
mod meta;
mod overview;
pub mod portfolio;
mod search;

use std::collections::HashMap;

use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::paths;
use super::render::Site;
use super::SiteInput;
use crate::model::{Finding, FindingStatus};
use crate::pack::evidence::EvidenceFile;
use crate::report::ControlReport;
use crate::score::{Implementation, Rating};

/// Lookups built once per site.
pub struct Index<'a> {
    /// Control id → position in the results.
    controls: HashMap<&'a str, usize>,
    /// Evidence digest → (control, finding) positions of the findings resting on it.
    by_evidence: HashMap<&'a str, Vec<(usize, usize)>>,
    /// Per control: the (framework, requirement) positions it is mapped to.
    mapped: Vec<Vec<(usize, usize)>>,
    /// The fields every page shows.
    common: Common,
}

/// The fields every page shows in its footer.
#[derive(Debug, Clone, Serialize)]
struct Common {
    tool: String,
    tool_version: String,
    finished_at: String,
    catalog_short: String,
    /// Whether the site has the audit documents (and the layout a link to them).
    documents: bool,
}

impl<'a> Index<'a> {
    pub fn new(input: &SiteInput<'a>) -> Index<'a> {
        let results = input.results;
        let controls: HashMap<&str, usize> = results
            .controls
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let mut by_evidence: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
        for (ci, c) in results.controls.iter().enumerate() {
            for (fi, f) in c.findings.iter().enumerate() {
                for d in &f.evidence {
                    by_evidence.entry(d.as_str()).or_default().push((ci, fi));
                }
            }
        }
        let mut mapped = vec![Vec::new(); results.controls.len()];
        for (fw, f) in results.frameworks.iter().enumerate() {
            for (ri, r) in f.requirements.iter().enumerate() {
                for id in &r.controls {
                    if let Some(ci) = controls.get(id.as_str()) {
                        mapped[*ci].push((fw, ri));
                    }
                }
            }
        }
        Index {
            controls,
            by_evidence,
            mapped,
            common: Common {
                tool: results.tool.name.clone(),
                tool_version: results.tool.version.clone(),
                finished_at: results.scan.finished_at.clone(),
                catalog_short: results.scan.catalog_digest.chars().take(12).collect(),
                documents: input.documents.is_some(),
            },
        }
    }

    /// Where a finding's evidence is shown: the viewer of the first kept file, at its line.
    fn evidence_href(&self, input: &SiteInput<'_>, finding: &Finding) -> Option<String> {
        let digest = &kept(input, finding)?.digest;
        let line = finding
            .location
            .as_ref()
            .and_then(|l| l.line)
            .map_or_else(String::new, |l| format!("#L{l}"));
        Some(format!("{}{line}", paths::evidence(digest)))
    }
}

/// The first of a finding's evidence files that was kept.
fn kept<'a>(input: &SiteInput<'a>, finding: &Finding) -> Option<&'a EvidenceFile> {
    finding.evidence.iter().find_map(|d| input.evidence.get(d))
}

/// Renders every page of the site.
pub fn render_all(site: &Site<'_>, input: &SiteInput<'_>, index: &Index<'_>) -> Result<(), String> {
    overview::render(site, input, index)?;
    frameworks::render(site, input, index)?;
    controls::render(site, input, index)?;
    evidence::render(site, input, index)?;
    meta::render(site, input, index)?;
    documents::render(site, input, index)?;
    search::render(site, input, index)
}

/// One step of a page's breadcrumbs; the last has no link.
#[derive(Debug, Clone, Serialize)]
struct Crumb {
    label: String,
    href: Option<String>,
}

fn crumb(label: impl Into<String>, href: impl Into<String>) -> Crumb {
    Crumb {
        label: label.into(),
        href: Some(href.into()),
    }
}

fn here(label: impl Into<String>) -> Crumb {
    Crumb {
        label: label.into(),
        href: None,
    }
}

/// A page's context: its own `data` plus the fields the layout needs (`page_title`,
/// `section`, `crumbs`, `site`), keys the data must not use.
fn page<T: Serialize>(
    index: &Index<'_>,
    title: &str,
    section: &str,
    crumbs: Vec<Crumb>,
    data: &T,
) -> Value {
    context! {
        page_title => title,
        section => section,
        crumbs => Value::from(Serde(&crumbs)),
        site => Value::from(Serde(&index.common)),
        ..Value::from(Serde(data))
    }
}

/// A score as text: `87.5%`, or `n/a`.
fn pct(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".to_string(), |s| format!("{s:.1}%"))
}

/// A status as (CSS class, label).
fn implementation(status: Implementation) -> (&'static str, &'static str) {
    match status {
        Implementation::Implemented => ("implemented", "implemented"),
        Implementation::Partial => ("partial", "partial"),
        Implementation::NotImplemented => ("not-implemented", "not implemented"),
        Implementation::NotApplicable => ("not-applicable", "not applicable"),
        Implementation::Error => ("error", "error"),
        Implementation::NotAssessed => ("not-assessed", "not assessed"),
    }
}

fn rating(r: Rating) -> (&'static str, &'static str) {
    match r {
        Rating::Green => ("green", "green"),
        Rating::Amber => ("amber", "amber"),
        Rating::Red => ("red", "red"),
        Rating::None => ("none", "no score"),
    }
}

/// One control in a table of controls (the controls index, a requirement, the worst failing).
#[derive(Serialize)]
struct ControlRow {
    id: String,
    title: String,
    family: String,
    severity: String,
    status: Badge,
    score: String,
    failing: usize,
    items: usize,
    /// Items passing only because a waiver covers them: the score is shown with a badge.
    waived: usize,
    href: String,
}

impl ControlRow {
    fn of(c: &ControlReport) -> ControlRow {
        ControlRow {
            id: c.id.clone(),
            title: c.title.clone(),
            family: c.family.clone(),
            severity: c.severity.to_string(),
            status: c.status.into(),
            score: pct(c.score),
            failing: c.failed + c.errors,
            items: c.passed + c.failed + c.errors + c.waived,
            waived: c.waived,
            href: paths::control_page(&c.id, 1),
        }
    }
}

/// A status badge: CSS class and label.
#[derive(Debug, Clone, Serialize)]
struct Badge {
    class: &'static str,
    label: &'static str,
}

impl From<Implementation> for Badge {
    fn from(s: Implementation) -> Badge {
        let (class, label) = implementation(s);
        Badge { class, label }
    }
}

impl From<FindingStatus> for Badge {
    fn from(s: FindingStatus) -> Badge {
        Badge {
            class: s.as_str(),
            label: s.as_str(),
        }
    }
}

/// One finding as a table row.
#[derive(Debug, Clone, Serialize)]
struct FindingRow {
    /// The anchor of the finding on its control's page (`F12`).
    anchor: String,
    status: Badge,
    resource: Option<String>,
    message: String,
    /// `path:line`.
    location: Option<String>,
    /// The evidence viewer at the finding's line, when the evidence was kept.
    evidence: Option<String>,
}

impl FindingRow {
    fn new(input: &SiteInput<'_>, index: &Index<'_>, position: usize, f: &Finding) -> FindingRow {
        FindingRow {
            anchor: format!("F{}", position + 1),
            status: f.status.into(),
            resource: f.resource.clone(),
            message: f.message.clone(),
            // A finding on evidence without lines (the git history) is named by the kept file.
            location: f
                .location
                .as_ref()
                .map(|l| match l.line {
                    Some(line) => format!("{}:{line}", l.path),
                    None => l.path.clone(),
                })
                .or_else(|| kept(input, f).and_then(|k| k.paths.first().cloned())),
            evidence: index.evidence_href(input, f),
        }
    }
}

/// Rows listed at most on a page that is not paginated; the rest are counted.
const LIST_LIMIT: usize = 2000;

/// A list cut at [`LIST_LIMIT`], with the number left out.
#[derive(Debug, Clone, Serialize)]
struct Capped<T> {
    items: Vec<T>,
    more: usize,
}

impl<T> Capped<T> {
    fn new(all: impl ExactSizeIterator<Item = T>) -> Capped<T> {
        let total = all.len();
        let items: Vec<T> = all.take(LIST_LIMIT).collect();
        Capped {
            more: total - items.len(),
            items,
        }
    }
}
