//! Framework pages (its requirements and their scores) and requirement pages (the controls
//! that evidence the requirement).

use serde::Serialize;

use super::{crumb, here, page, pct, rating, Badge, ControlRow, Index};
use crate::report::{ControlKind, ControlReport};
use crate::score::Evidenced;
use crate::site::paths;
use crate::site::render::Site;
use crate::site::SiteInput;

#[derive(Serialize)]
struct RequirementRow {
    id: String,
    title: String,
    status: Badge,
    score: String,
    /// Its share of the framework score: score / number of scored requirements.
    contribution: String,
    evidence: &'static str,
    controls: usize,
    href: String,
}

/// One control's part in a requirement's weighted mean.
#[derive(Serialize)]
struct WeightRow {
    id: String,
    href: String,
    kind: &'static str,
    weight: f64,
    score: String,
    counted: bool,
    /// Items the control passes that count as failing: they fail another control here.
    failing_elsewhere: usize,
}

#[derive(Serialize)]
struct FrameworkPage {
    name: String,
    version: Option<String>,
    score: String,
    rating: &'static str,
    rating_label: &'static str,
    automated: String,
    attested: String,
    evidenced: String,
    scored: usize,
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
    /// How the score is computed: each control's weight and score, then the weighted mean.
    weights: Vec<WeightRow>,
    formula: Option<String>,
    controls: Vec<ControlRow>,
}

pub fn render(site: &Site<'_>, input: &SiteInput<'_>, index: &Index<'_>) -> Result<(), String> {
    for f in &input.results.frameworks {
        let (class, label) = rating(f.rating);
        let scored = f.requirements.iter().filter(|r| r.score.is_some()).count();
        let e = &f.evidenced;
        let data = FrameworkPage {
            name: f.name.clone(),
            version: f.version.clone(),
            score: pct(f.score),
            rating: class,
            rating_label: label,
            automated: pct(f.automated_score),
            attested: pct(f.attested_score),
            evidenced: format!(
                "{:.1}% automatically, {:.1}% by attestation only, {:.1}% not at all",
                e.automated, e.attested_only, e.none
            ),
            scored,
            coverage: format!("{:.1}%", f.coverage),
            requirements: f
                .requirements
                .iter()
                .map(|r| RequirementRow {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    status: r.status.into(),
                    score: pct(r.score),
                    contribution: r.score.map_or_else(
                        || "left out".to_string(),
                        |s| format!("{:.4}", s / scored as f64),
                    ),
                    evidence: evidence_label(r.evidence),
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
            let reports: Vec<&ControlReport> = r
                .controls
                .iter()
                .filter_map(|id| index.controls.get(id.as_str()))
                .map(|ci| &input.results.controls[*ci])
                .collect();
            let weights: Vec<WeightRow> = reports
                .iter()
                .map(|c| WeightRow {
                    id: c.id.clone(),
                    href: paths::control_page(&c.id, 1),
                    kind: match c.kind {
                        ControlKind::Automated => "automated",
                        ControlKind::Attestation => "attestation",
                    },
                    weight: c.severity.weight(),
                    score: pct(f.counted_score(c).0),
                    counted: f.counted_score(c).0.is_some(),
                    failing_elsewhere: f.counted_score(c).1,
                })
                .collect();
            let (weighted, total): (f64, f64) = reports
                .iter()
                .filter_map(|c| {
                    f.counted_score(c)
                        .0
                        .map(|s| (c.severity.weight() * s, c.severity.weight()))
                })
                .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
            let formula = (total > 0.0).then(|| {
                format!(
                    "{weighted:.2} / {total} = {}",
                    pct(Some(crate::score::round(weighted / total)))
                )
            });
            let data = RequirementPage {
                framework: f.name.clone(),
                framework_href: paths::framework(&f.id),
                id: r.id.clone(),
                title: r.title.clone(),
                status: r.status.into(),
                score: pct(r.score),
                weights,
                formula,
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

fn evidence_label(e: Evidenced) -> &'static str {
    match e {
        Evidenced::Automated => "automated",
        Evidenced::AttestedOnly => "attestation only",
        Evidenced::None => "none",
        Evidenced::NotApplicable => "not applicable",
    }
}
