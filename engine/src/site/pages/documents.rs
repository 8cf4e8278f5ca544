//! The audit documents inside the site: each written to `documents/` as self-contained HTML
//! (linking back to the site's pages) and as Markdown, and a page listing them; and the
//! observation period report beside them.

use serde::Serialize;

use super::{crumb, here, page, Index};
use crate::documents::{self, DocumentInput, SITE_DIR};
use crate::site::paths;
use crate::site::render::Site;
use crate::site::SiteInput;

#[derive(Serialize)]
struct Listed {
    title: &'static str,
    summary: &'static str,
    html: String,
    markdown: String,
}

#[derive(Serialize)]
struct DocumentsPage {
    documents: Vec<Listed>,
}

pub fn render(site: &Site<'_>, input: &SiteInput<'_>, index: &Index<'_>) -> Result<(), String> {
    let stem = paths::PERIOD.trim_end_matches(".html");
    if let Some(period) = input.period {
        let (markdown, html) = documents::render_period(period, Some(input.evidence))?;
        site.write(paths::PERIOD, html.as_bytes())?;
        site.write(&format!("{stem}.md"), markdown.as_bytes())?;
        site.write(
            &format!("{stem}.json"),
            crate::period::json(period).as_bytes(),
        )?;
    }
    let Some(declarations) = input.documents else {
        return Ok(());
    };
    let rendered = documents::render(&DocumentInput {
        results: input.results,
        declarations,
        site: Some(input.evidence),
        period: input.period,
    })?;
    let mut listed = Vec::new();
    for d in &rendered {
        let stem = d.kind.stem();
        site.write(&format!("{SITE_DIR}/{stem}.html"), d.html.as_bytes())?;
        site.write(&format!("{SITE_DIR}/{stem}.md"), d.markdown.as_bytes())?;
        listed.push(Listed {
            title: d.kind.title(),
            summary: d.kind.summary(),
            html: format!("{SITE_DIR}/{stem}.html"),
            markdown: format!("{SITE_DIR}/{stem}.md"),
        });
    }
    if input.period.is_some() {
        listed.push(Listed {
            title: "Observation period",
            summary: "Each control in every scan the evidence locker kept: cadence and the weeks without a scan, failures and days to remediation, lifecycle, waivers and attestations in force.",
            html: paths::PERIOD.to_string(),
            markdown: format!("{stem}.md"),
        });
    }
    let crumbs = vec![crumb("Overview", paths::OVERVIEW), here("Documents")];
    site.page(
        "documents.html",
        paths::DOCUMENTS,
        page(
            index,
            "Audit documents",
            "documents",
            crumbs,
            &DocumentsPage { documents: listed },
        ),
    )
}
