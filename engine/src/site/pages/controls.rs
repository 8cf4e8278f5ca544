//! The list of controls and each control's pages: what it checks, where it is mapped, and its
//! findings, [`FINDINGS_PER_PAGE`] to a page.

use rayon::prelude::*;
use serde::Serialize;

use super::{crumb, here, page, pct, Badge, ControlRow, FindingRow, Index};
use crate::report::ControlReport;
use crate::site::paths;
use crate::site::render::Site;
use crate::site::{SiteInput, FINDINGS_PER_PAGE};

/// Page links shown on each side of the current page.
const PAGER_SPAN: usize = 3;

#[derive(Serialize)]
struct ControlsPage {
    controls: Vec<ControlRow>,
}

#[derive(Serialize)]
struct Counts {
    passed: usize,
    failed: usize,
    errors: usize,
    waived: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct Mapped {
    framework: String,
    requirement: String,
    title: String,
    href: String,
}

#[derive(Serialize)]
struct PageLink {
    /// `None` for a gap (`…`).
    n: Option<usize>,
    href: Option<String>,
    current: bool,
}

#[derive(Serialize)]
struct Pager {
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    links: Vec<PageLink>,
}

#[derive(Serialize)]
struct ControlPage<'a> {
    id: &'a str,
    title: &'a str,
    description: &'a str,
    family: &'a str,
    severity: String,
    status: Badge,
    score: String,
    remediation: &'a str,
    references: &'a [String],
    counts: Counts,
    mapped: &'a [Mapped],
    findings: Vec<FindingRow>,
    total: usize,
    first: usize,
    last: usize,
    pager: Option<Pager>,
}

pub fn render(site: &Site<'_>, input: &SiteInput<'_>, index: &Index<'_>) -> Result<(), String> {
    let controls = input.results.controls.iter().map(ControlRow::of).collect();
    site.page(
        "controls.html",
        paths::CONTROLS,
        page(
            index,
            "Controls",
            "controls",
            vec![crumb("Overview", paths::OVERVIEW), here("Controls")],
            &ControlsPage { controls },
        ),
    )?;
    input
        .results
        .controls
        .par_iter()
        .enumerate()
        .try_for_each(|(ci, c)| control_pages(site, input, index, ci, c))
}

fn control_pages(
    site: &Site<'_>,
    input: &SiteInput<'_>,
    index: &Index<'_>,
    ci: usize,
    c: &ControlReport,
) -> Result<(), String> {
    let mapped: Vec<Mapped> = index.mapped[ci]
        .iter()
        .map(|(fw, ri)| {
            let f = &input.results.frameworks[*fw];
            let r = &f.requirements[*ri];
            Mapped {
                framework: f.name.clone(),
                requirement: r.id.clone(),
                title: r.title.clone(),
                href: paths::requirement(&f.id, &r.id),
            }
        })
        .collect();
    let total = c.findings.len();
    let pages = total.div_ceil(FINDINGS_PER_PAGE).max(1);
    for p in 1..=pages {
        let start = (p - 1) * FINDINGS_PER_PAGE;
        let end = (start + FINDINGS_PER_PAGE).min(total);
        let findings = c.findings[start..end]
            .iter()
            .enumerate()
            .map(|(i, f)| FindingRow::new(input, index, start + i, f))
            .collect();
        let data = ControlPage {
            id: &c.id,
            title: &c.title,
            description: &c.description,
            family: &c.family,
            severity: c.severity.to_string(),
            status: c.status.into(),
            score: pct(c.score),
            remediation: &c.remediation,
            references: &c.references,
            counts: Counts {
                passed: c.passed,
                failed: c.failed,
                errors: c.errors,
                waived: c.waived,
                warnings: c.warnings,
            },
            mapped: &mapped,
            findings,
            total,
            first: start + 1,
            last: end,
            pager: (pages > 1).then(|| pager(&c.id, p, pages)),
        };
        let mut crumbs = vec![
            crumb("Overview", paths::OVERVIEW),
            crumb("Controls", paths::CONTROLS),
        ];
        let title = if p == 1 {
            crumbs.push(here(&c.id));
            c.id.clone()
        } else {
            crumbs.push(crumb(&c.id, paths::control_page(&c.id, 1)));
            crumbs.push(here(format!("page {p}")));
            format!("{} (page {p} of {pages})", c.id)
        };
        site.page(
            "control.html",
            &paths::control_page(&c.id, p),
            page(index, &title, "controls", crumbs, &data),
        )?;
    }
    Ok(())
}

fn pager(id: &str, page: usize, pages: usize) -> Pager {
    let link = |n: usize| PageLink {
        n: Some(n),
        href: Some(paths::control_page(id, n)),
        current: n == page,
    };
    let mut links = Vec::new();
    let near = page.saturating_sub(PAGER_SPAN).max(1)..=(page + PAGER_SPAN).min(pages);
    if *near.start() > 1 {
        links.push(link(1));
        if *near.start() > 2 {
            links.push(PageLink {
                n: None,
                href: None,
                current: false,
            });
        }
    }
    let end = *near.end();
    links.extend(near.map(link));
    if end < pages {
        if end < pages - 1 {
            links.push(PageLink {
                n: None,
                href: None,
                current: false,
            });
        }
        links.push(link(pages));
    }
    Pager {
        page,
        pages,
        prev: (page > 1).then(|| paths::control_page(id, page - 1)),
        next: (page < pages).then(|| paths::control_page(id, page + 1)),
        links,
    }
}
