//! The auditor's HTML evidence site: static pages rendered with minijinja from `templates/site`
//! (embedded in the binary, overridable per file), readable from `file://` or any static host
//! with no request leaving the site.
//!
//! Pages: an overview, framework → requirement → control → findings → evidence, the evidence
//! viewer, waivers and attestations, scan metadata, a client-side search, when the
//! declaration files are given, the audit documents and, when built with an evidence locker,
//! the observation period over its scans. The portfolio of an organisation
//! ([`render_portfolio`]) is rendered with the same templates, styles and writer.

mod pages;
pub(crate) mod paths;
mod render;
mod trend;

use std::path::Path;

pub use pages::portfolio::PortfolioInput;
pub use render::{SiteStats, Templates};
pub use trend::{with_current, TrendPoint, TrendScore};

use crate::documents::Declarations;
use crate::pack::evidence::EvidenceSet;
use crate::period::Period;
use crate::report::Results;

/// Findings listed per page of a control; longer lists are paginated.
pub const FINDINGS_PER_PAGE: usize = 200;

/// What a site is rendered from.
pub struct SiteInput<'a> {
    pub results: &'a Results,
    pub evidence: &'a EvidenceSet,
    /// Scores of earlier scans, oldest first, for the trend chart.
    pub trend: &'a [TrendPoint],
    /// The declaration files of the scanned repository: when given, the audit documents are
    /// rendered into the site's `documents/` folder.
    pub documents: Option<&'a Declarations>,
    /// The observation period over the locker's scans, when the site is built with a locker:
    /// written to `documents/period.*` and linked from the overview.
    pub period: Option<&'a Period>,
}

/// Renders the site into `out` (created if needed).
pub fn render(
    input: &SiteInput<'_>,
    templates: &Templates,
    out: &Path,
) -> Result<SiteStats, String> {
    let site = render::Site::new(templates, out)?;
    let index = pages::Index::new(input);
    pages::render_all(&site, input, &index)?;
    Ok(site.finish())
}

/// Renders the portfolio site of an organisation into `out` (created if needed).
pub fn render_portfolio(
    input: &PortfolioInput<'_>,
    templates: &Templates,
    out: &Path,
) -> Result<SiteStats, String> {
    let site = render::Site::new(templates, out)?;
    pages::portfolio::render(&site, input)?;
    Ok(site.finish())
}
