//! Framework pages (its requirements and their scores) and requirement pages (the controls
//! that evidence the requirement).

use serde::Serialize;

use super::{crumb, here, page, pct, rating, Badge, ControlRow, Index};
use crate::site::paths;
use crate::site::render::Site;
use crate::site::SiteInput;

#[derive(Serialize)]
struct RequirementRow {
    id: String,
    title: String,
    status: Badge,
    score: String,
    controls: usize,
    href: String,
}

#[derive(Serialize)]
struct FrameworkPage {
    name: String,
    version: Option<String>,
    score: String,
    rating: &'static str,
    rating_label: &'static str,
    coverage: String,
    requirements: Vec<RequirementRow>,
}

#[derive(Serialize)]
struct RequirementPage {
    framework: String,
    framework_href: String,
    id: String,
    title: String,
    status: Badge,
    score: String,
    controls: Vec<ControlRow>,
}

pub fn render(site: &Site<'_>, input: &SiteInput<'_>, index: &Index<'_>) -> Result<(), String> {
    for f in &input.results.frameworks {
        let (class, label) = rating(f.rating);
        let data = FrameworkPage {
            name: f.name.clone(),
            version: f.version.clone(),
            score: pct(f.score),
            rating: class,
            rating_label: label,
            coverage: format!("{:.1}%", f.coverage),
            requirements: f
                .requirements
                .iter()
                .map(|r| RequirementRow {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    status: r.status.into(),
                    score: pct(r.score),
                    controls: r.controls.len(),
                    href: paths::requirement(&f.id, &r.id),
                })
                .collect(),
        };
        let crumbs = vec![crumb("Overview", paths::OVERVIEW), here(&f.name)];
        site.page(
            "framework.html",
            &paths::framework(&f.id),
            page(index, &f.name, "overview", crumbs, &data),
        )?;
        for r in &f.requirements {
            let controls = r
                .controls
                .iter()
                .filter_map(|id| index.controls.get(id.as_str()))
                .map(|ci| ControlRow::of(&input.results.controls[*ci]))
                .collect();
            let data = RequirementPage {
                framework: f.name.clone(),
                framework_href: paths::framework(&f.id),
                id: r.id.clone(),
                title: r.title.clone(),
                status: r.status.into(),
                score: pct(r.score),
                controls,
            };
            let crumbs = vec![
                crumb("Overview", paths::OVERVIEW),
                crumb(&f.name, paths::framework(&f.id)),
                here(&r.id),
            ];
            site.page(
                "requirement.html",
                &paths::requirement(&f.id, &r.id),
                page(
                    index,
                    &format!("{} {}", f.name, r.id),
                    "overview",
                    crumbs,
                    &data,
                ),
            )?;
        }
    }
    Ok(())
}
