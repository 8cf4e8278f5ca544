//! The overview: a score card per framework, the trend over earlier scans (and the observation
//! period they make), the worst-failing controls and the scan's totals.

use serde::Serialize;

use super::{here, page, pct, rating, ControlRow, Index};
use crate::report::Summary;
use crate::score::Implementation;
use crate::site::paths;
use crate::site::render::Site;
use crate::site::trend::{chart, Chart};
use crate::site::SiteInput;

/// Controls listed as worst failing.
const WORST: usize = 10;

#[derive(Serialize)]
struct Card {
    name: String,
    version: Option<String>,
    score: String,
    rating: &'static str,
    rating_label: &'static str,
    coverage: String,
    requirements: usize,
    /// Requirements scored below 100%.
    short: usize,
    href: String,
}

/// The overview's line on the observation period.
#[derive(Serialize)]
struct PeriodLink {
    from: String,
    to: String,
    scans: usize,
    gaps: usize,
    summary: crate::period::Summary,
    href: &'static str,
}

#[derive(Serialize)]
struct Overview<'a> {
    cards: Vec<Card>,
    trend: Option<Chart>,
    /// Scans in the locker's history, including this one when it was committed.
    history: usize,
    /// The observation period over the locker's scans, when the site is built with one.
    period: Option<PeriodLink>,
    worst: Vec<ControlRow>,
    summary: &'a Summary,
    evidence_files: usize,
    mismatches: usize,
    source_errors: usize,
    skipped: usize,
}

pub fn render(site: &Site<'_>, input: &SiteInput<'_>, index: &Index<'_>) -> Result<(), String> {
    let r = input.results;
    let cards = r
        .frameworks
        .iter()
        .map(|f| {
            let (class, label) = rating(f.rating);
            Card {
                name: f.name.clone(),
                version: f.version.clone(),
                score: pct(f.score),
                rating: class,
                rating_label: label,
                coverage: format!("{:.1}%", f.coverage),
                requirements: f.requirements.len(),
                short: f
                    .requirements
                    .iter()
                    .filter(|q| q.score.is_some_and(|s| s < 100.0))
                    .count(),
                href: paths::framework(&f.id),
            }
        })
        .collect();
    let frameworks: Vec<(&str, &str)> = r
        .frameworks
        .iter()
        .map(|f| (f.id.as_str(), f.name.as_str()))
        .collect();
    let mut failing: Vec<_> = r
        .controls
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                Implementation::Error | Implementation::NotImplemented | Implementation::Partial
            )
        })
        .collect();
    failing.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.score.unwrap_or(0.0).total_cmp(&b.score.unwrap_or(0.0)))
            .then((b.failed + b.errors).cmp(&(a.failed + a.errors)))
            .then(a.id.cmp(&b.id))
    });
    let worst = failing
        .into_iter()
        .take(WORST)
        .map(ControlRow::of)
        .collect();
    let data = Overview {
        cards,
        trend: chart(input.trend, &frameworks),
        history: input.trend.len(),
        period: input.period.map(|p| PeriodLink {
            from: p.from.clone(),
            to: p.to.clone(),
            scans: p.scans.len(),
            gaps: p.cadence.gaps.len(),
            summary: p.summary.clone(),
            href: paths::PERIOD,
        }),
        worst,
        summary: &r.summary,
        evidence_files: input.evidence.files.len(),
        mismatches: input.evidence.mismatches.len(),
        source_errors: r.errors.len(),
        skipped: r.skipped.len(),
    };
    site.page(
        "overview.html",
        paths::OVERVIEW,
        page(index, "Overview", "overview", vec![here("Overview")], &data),
    )
}
