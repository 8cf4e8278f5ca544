//! The portfolio site of an organisation: an overview with a row per repository, a page per
//! team, per framework the requirements rolled up across repositories, and per requirement the
//! repositories that pass, fail or lack evidence, each linked to the repository's own site.

use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;

use super::{crumb, here, pct, rating, Crumb};
use crate::org::portfolio::{Portfolio, RepoRow, Standing};
use crate::site::paths::slug;
use crate::site::render::Site;

/// What the portfolio is rendered from.
pub struct PortfolioInput<'a> {
    pub portfolio: &'a Portfolio,
    /// The time ages are measured to (RFC 3339 in the footer).
    pub now: jiff::Timestamp,
    /// Per row, the way from the portfolio's top to the repository's own site folder (ending
    /// in `/`), when it has one.
    pub repo_sites: &'a [Option<String>],
}

/// The fields every portfolio page shows.
#[derive(Serialize)]
struct Common {
    tool: &'static str,
    tool_version: &'static str,
    organization: String,
    generated_at: String,
}

#[derive(Serialize)]
struct Score {
    text: String,
    rating: &'static str,
    /// The repository's own page of the framework, when it has a site.
    href: Option<String>,
}

#[derive(Serialize)]
struct Row {
    name: String,
    path: String,
    team: Option<String>,
    team_href: Option<String>,
    owners: Vec<String>,
    frameworks: String,
    /// One per column of the table, `None` where the repository does not score the framework.
    scores: Vec<Option<Score>>,
    failing: Option<usize>,
    age: Option<String>,
    scanned_at: Option<String>,
    error: Option<String>,
    href: Option<String>,
}

#[derive(Serialize)]
struct Column {
    id: String,
    name: String,
    href: String,
}

#[derive(Serialize)]
struct FrameworkCard {
    name: String,
    href: String,
    repos: usize,
    /// Repositories with a score (the others have nothing applicable).
    scored: usize,
    mean: String,
    lowest: String,
    /// Requirements failing or lacking evidence in at least one repository.
    short: usize,
    requirements: usize,
}

#[derive(Serialize)]
struct TeamLink {
    name: String,
    href: String,
    repos: usize,
    errors: usize,
}

#[derive(Serialize)]
struct RequirementLine {
    id: String,
    title: String,
    href: String,
    passing: usize,
    failing: usize,
    lacking: usize,
    not_applicable: usize,
}

#[derive(Serialize)]
struct RepoLink {
    name: String,
    team: Option<String>,
    /// The requirement's page in the repository's own site.
    href: Option<String>,
}

const OVERVIEW: &str = "index.html";

fn team_page(id: &str) -> String {
    format!("teams/{}.html", slug(id))
}

fn framework_page(id: &str) -> String {
    format!("frameworks/{}.html", slug(id))
}

fn requirement_page(framework: &str, id: &str) -> String {
    format!("frameworks/{}/{}.html", slug(framework), slug(id))
}

/// Renders every page of the portfolio.
pub fn render(site: &Site<'_>, input: &PortfolioInput<'_>) -> Result<(), String> {
    let p = input.portfolio;
    let common = Common {
        tool: "assay",
        tool_version: env!("CARGO_PKG_VERSION"),
        organization: p
            .organization
            .clone()
            .unwrap_or_else(|| "Organisation".to_string()),
        generated_at: input.now.to_string(),
    };
    let page = |title: &str, section: &str, crumbs: Vec<Crumb>, data: Value| {
        context! {
            page_title => title,
            section => section,
            crumbs => Value::from(Serde(&crumbs)),
            site => Value::from(Serde(&common)),
            ..data
        }
    };
    let columns: Vec<Column> = p
        .frameworks
        .iter()
        .map(|f| Column {
            id: f.id.clone(),
            name: f.name.clone(),
            href: framework_page(&f.id),
        })
        .collect();
    let all: Vec<usize> = (0..p.repos.len()).collect();
    let teams = p.teams();
    let team_links: Vec<TeamLink> = teams
        .iter()
        .map(|(id, rows)| TeamLink {
            name: p.repos[rows[0]]
                .record
                .team_name
                .clone()
                .unwrap_or_else(|| id.to_string()),
            href: team_page(id),
            repos: rows.len(),
            errors: rows.iter().filter(|&&r| p.repos[r].error.is_some()).count(),
        })
        .collect();
    site.page(
        "org_overview.html",
        OVERVIEW,
        page(
            &common.organization,
            "overview",
            Vec::new(),
            context! {
                cards => Value::from(Serde(cards(input, &all))),
                teams => Value::from(Serde(&team_links)),
                columns => Value::from(Serde(&columns)),
                rows => Value::from(Serde(rows(input, &all))),
                errors => all.iter().filter(|&&r| p.repos[r].error.is_some()).count(),
            },
        ),
    )?;
    for ((id, rows_of_team), link) in teams.iter().zip(&team_links) {
        let owners: Vec<String> = {
            let mut o: Vec<String> = rows_of_team
                .iter()
                .flat_map(|&r| p.repos[r].record.owners.iter().cloned())
                .collect();
            o.sort();
            o.dedup();
            o
        };
        site.page(
            "org_team.html",
            &team_page(id),
            page(
                &link.name,
                "teams",
                vec![crumb(&common.organization, OVERVIEW), here(&link.name)],
                context! {
                    team => link.name.clone(),
                    owners => owners,
                    cards => Value::from(Serde(cards(input, rows_of_team))),
                    columns => Value::from(Serde(&columns)),
                    rows => Value::from(Serde(rows(input, rows_of_team))),
                },
            ),
        )?;
    }
    for f in &p.frameworks {
        let lines: Vec<RequirementLine> = f
            .requirements
            .iter()
            .map(|r| RequirementLine {
                id: r.id.clone(),
                title: r.title.clone(),
                href: requirement_page(&f.id, &r.id),
                passing: r.with(Standing::Passing).len(),
                failing: r.with(Standing::Failing).len(),
                lacking: r.with(Standing::LacksEvidence).len(),
                not_applicable: r.with(Standing::NotApplicable).len(),
            })
            .collect();
        let framework_href = framework_page(&f.id);
        site.page(
            "org_framework.html",
            &framework_href,
            page(
                &f.name,
                "frameworks",
                vec![crumb(&common.organization, OVERVIEW), here(&f.name)],
                context! {
                    framework => f.name.clone(),
                    repos => f.repos.len(),
                    requirements => Value::from(Serde(&lines)),
                },
            ),
        )?;
        for r in &f.requirements {
            let links = |standing: Standing| -> Vec<RepoLink> {
                r.with(standing)
                    .iter()
                    .map(|&row| {
                        let repo = &p.repos[row];
                        RepoLink {
                            name: repo.record.name.clone(),
                            team: repo.record.team_name.clone(),
                            href: input.repo_sites[row].as_ref().map(|site| {
                                format!("{site}{}", crate::site::paths::requirement(&f.id, &r.id))
                            }),
                        }
                    })
                    .collect()
            };
            let title = format!("{} {}", r.id, r.title);
            site.page(
                "org_requirement.html",
                &requirement_page(&f.id, &r.id),
                page(
                    &title,
                    "frameworks",
                    vec![
                        crumb(&common.organization, OVERVIEW),
                        crumb(&f.name, &framework_href),
                        here(&r.id),
                    ],
                    context! {
                        framework => f.name.clone(),
                        id => r.id.clone(),
                        title => r.title.clone(),
                        failing => Value::from(Serde(links(Standing::Failing))),
                        lacking => Value::from(Serde(links(Standing::LacksEvidence))),
                        passing => Value::from(Serde(links(Standing::Passing))),
                        not_applicable => Value::from(Serde(links(Standing::NotApplicable))),
                    },
                ),
            )?;
        }
    }
    Ok(())
}

/// A card per framework the rows score.
fn cards(input: &PortfolioInput<'_>, rows: &[usize]) -> Vec<FrameworkCard> {
    let p = input.portfolio;
    p.frameworks
        .iter()
        .filter_map(|f| {
            let scores: Vec<f64> = rows
                .iter()
                .filter_map(|&r| p.repos[r].scores.iter().find(|s| s.id == f.id))
                .filter_map(|s| s.score)
                .collect();
            let repos = rows.iter().filter(|r| f.repos.contains(r)).count();
            if repos == 0 {
                return None;
            }
            let short = f
                .requirements
                .iter()
                .filter(|q| {
                    q.with(Standing::Failing)
                        .iter()
                        .chain(q.with(Standing::LacksEvidence))
                        .any(|r| rows.contains(r))
                })
                .count();
            let mean =
                (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
            let lowest = scores.iter().copied().reduce(f64::min);
            Some(FrameworkCard {
                name: f.name.clone(),
                href: framework_page(&f.id),
                repos,
                scored: scores.len(),
                mean: pct(mean),
                lowest: pct(lowest),
                short,
                requirements: f.requirements.len(),
            })
        })
        .collect()
}

/// The table rows of `rows`.
fn rows(input: &PortfolioInput<'_>, rows: &[usize]) -> Vec<Row> {
    let p = input.portfolio;
    rows.iter()
        .map(|&i| {
            let repo: &RepoRow = &p.repos[i];
            let site = input.repo_sites[i].as_ref();
            Row {
                name: repo.record.name.clone(),
                path: repo.record.path.clone(),
                team: repo.record.team_name.clone(),
                team_href: repo.record.team.as_deref().map(team_page),
                owners: repo.record.owners.clone(),
                frameworks: if repo.record.frameworks.is_empty() {
                    "as its assay.yaml says".to_string()
                } else {
                    repo.record.frameworks.join(", ")
                },
                scores: p
                    .frameworks
                    .iter()
                    .map(|f| {
                        repo.scores.iter().find(|s| s.id == f.id).map(|s| Score {
                            text: pct(s.score),
                            rating: rating(s.rating).0,
                            href: site.map(|site| {
                                format!("{site}{}", crate::site::paths::framework(&f.id))
                            }),
                        })
                    })
                    .collect(),
                failing: repo.error.is_none().then_some(repo.failing),
                age: repo
                    .finished_at
                    .as_deref()
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                    .map(|t| age(t, input.now)),
                scanned_at: repo.finished_at.clone(),
                error: repo.error.clone(),
                href: site.map(|s| format!("{s}{}", crate::site::paths::OVERVIEW)),
            }
        })
        .collect()
}

/// How long before `now` a scan finished, in its largest whole unit: `3 d`, `5 h`, `12 min`.
fn age(then: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let seconds = now.as_second() - then.as_second();
    match seconds {
        s if s < 0 => "in the future".to_string(),
        s if s < 60 => "under a minute".to_string(),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_told_in_their_largest_unit() {
        let now: jiff::Timestamp = "2026-06-10T12:00:00Z".parse().unwrap();
        let at = |t: &str| age(t.parse().unwrap(), now);
        assert_eq!(at("2026-06-10T11:59:30Z"), "under a minute");
        assert_eq!(at("2026-06-10T11:15:00Z"), "45 min");
        assert_eq!(at("2026-06-10T02:00:00Z"), "10 h");
        assert_eq!(at("2026-06-01T12:00:00Z"), "9 d");
        assert_eq!(at("2026-06-11T00:00:00Z"), "in the future");
    }
}
