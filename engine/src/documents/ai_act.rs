//! The EU AI Act technical documentation summary: per declared AI system, the headings of
//! Annex IV and the transparency information of Art. 13 and Art. 50, each with what
//! `ai-systems.yaml` declares, the status of the AI Act articles behind it and the problems
//! the scan found for the system there.

use assay_collectors::ai::{AiSystem, AiSystems};
use serde::Serialize;

use super::attribution::{attribute, Entry, Hits};
use super::declared::Declaration;
use super::view::{
    anchor, fact, pct, Fact, FindingRef, FrameworkFacts, Lookup, Status, PROBLEMS_LISTED,
};
use super::Source;
use crate::report::FrameworkReport;

/// The framework the document is checked against.
pub const FRAMEWORK: &str = "eu-ai-act";

/// The headings of Annex IV, with the articles whose requirements each one documents.
pub const ANNEX_IV: [Heading; 9] = [
    Heading {
        key: "annex-iv-1",
        title: "1. General description of the AI system",
        articles: &["Art. 11", "Art. 13"],
    },
    Heading {
        key: "annex-iv-2",
        title: "2. Detailed description of the elements of the AI system and of the process for its development",
        articles: &["Art. 10", "Art. 11"],
    },
    Heading {
        key: "annex-iv-3",
        title: "3. Monitoring, functioning and control of the AI system",
        articles: &["Art. 12", "Art. 14"],
    },
    Heading {
        key: "annex-iv-4",
        title: "4. Appropriateness of the performance metrics",
        articles: &["Art. 15"],
    },
    Heading {
        key: "annex-iv-5",
        title: "5. Risk management system",
        articles: &["Art. 9"],
    },
    Heading {
        key: "annex-iv-6",
        title: "6. Relevant changes made through the lifecycle",
        articles: &["Art. 11"],
    },
    Heading {
        key: "annex-iv-7",
        title: "7. Harmonised standards and common specifications applied",
        articles: &["Art. 8"],
    },
    Heading {
        key: "annex-iv-8",
        title: "8. EU declaration of conformity",
        articles: &["Art. 47"],
    },
    Heading {
        key: "annex-iv-9",
        title: "9. Post-market monitoring plan",
        articles: &["Art. 72"],
    },
];

/// The transparency information, with the articles behind it.
const TRANSPARENCY: [Heading; 2] = [
    Heading {
        key: "art-13",
        title: "Art. 13 Instructions for use",
        articles: &["Art. 13"],
    },
    Heading {
        key: "art-50",
        title: "Art. 50 Transparency obligations",
        articles: &["Art. 50"],
    },
];

/// A heading of the document and the AI Act requirements it documents.
pub struct Heading {
    /// Unique within a system; part of the section's anchor.
    pub key: &'static str,
    pub title: &'static str,
    pub articles: &'static [&'static str],
}

#[derive(Debug, Serialize)]
pub struct TechnicalDocumentation {
    pub source: Source,
    pub framework: Option<FrameworkFacts>,
    pub systems: Vec<System>,
    /// Problems found in the file outside any system.
    pub file_problems: Vec<FindingRef>,
}

#[derive(Debug, Serialize)]
pub struct System {
    pub id: String,
    pub name: String,
    pub anchor: String,
    pub line: Option<u32>,
    pub risk: Option<&'static str>,
    pub role: Option<&'static str>,
    pub annex_iv: Vec<Section>,
    pub transparency: Vec<Section>,
    /// Every problem the scan found for the system.
    pub problems: Vec<FindingRef>,
    pub more_problems: usize,
    pub passed: usize,
}

/// A heading: the declared facts, the articles behind it and the system's problems there.
#[derive(Debug, Serialize)]
pub struct Section {
    pub title: &'static str,
    pub anchor: String,
    pub facts: Vec<Fact>,
    pub articles: Vec<Article>,
    pub problems: Vec<FindingRef>,
}

/// An AI Act requirement as the scan scored it.
#[derive(Debug, Serialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub score: String,
}

pub fn build(lookup: &Lookup<'_>, declaration: &Declaration<AiSystems>) -> TechnicalDocumentation {
    let framework = lookup.framework(FRAMEWORK);
    let Declaration::Found(declared) = declaration else {
        return TechnicalDocumentation {
            source: Source::of(declaration),
            framework: framework.map(FrameworkFacts::of),
            systems: Vec::new(),
            file_problems: Vec::new(),
        };
    };
    let systems = &declared.model.systems;
    let entries: Vec<Entry<'_>> = systems
        .iter()
        .map(|s| Entry {
            id: &s.id,
            files: declared_files(s),
        })
        .collect();
    let found = attribute(lookup.results, declared, "systems", &entries);
    let commit = lookup.results.scan.commit.as_deref();
    TechnicalDocumentation {
        source: Source::of(declaration),
        framework: framework.map(FrameworkFacts::of),
        systems: systems
            .iter()
            .zip(&found.entries)
            .enumerate()
            .map(|(i, (s, hits))| {
                let line = declared.lines.line(&format!("/systems/{i}"));
                system(lookup, framework, s, hits, line, commit)
            })
            .collect(),
        file_problems: found
            .elsewhere
            .iter()
            .filter(|(c, f)| super::view::is_problem(&lookup.results.controls[*c].findings[*f]))
            .take(PROBLEMS_LISTED)
            .map(|(c, f)| lookup.finding(&lookup.results.controls[*c], *f))
            .collect(),
    }
}

/// The files a system declares, which findings can point at.
fn declared_files(s: &AiSystem) -> Vec<&str> {
    [
        s.model_card.as_deref(),
        s.transparency_notice.as_deref(),
        s.data_governance.as_deref(),
        s.technical_documentation.as_deref(),
        s.human_oversight.as_ref().and_then(|h| h.config.as_deref()),
        s.post_market_monitoring
            .as_ref()
            .and_then(|p| p.plan.as_deref()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn yes_no(b: Option<bool>) -> Option<String> {
    b.map(|b| if b { "yes" } else { "no" }.to_string())
}

fn system(
    lookup: &Lookup<'_>,
    framework: Option<&FrameworkReport>,
    s: &AiSystem,
    hits: &Hits,
    line: Option<u32>,
    commit: Option<&str>,
) -> System {
    let controls = &lookup.results.controls;
    let problems: Vec<(usize, usize)> = hits
        .iter()
        .copied()
        .filter(|(c, f)| super::view::is_problem(&controls[*c].findings[*f]))
        .collect();
    let section = |heading: &Heading, facts: Vec<Fact>| Section {
        title: heading.title,
        anchor: anchor("system", &format!("{}-{}", s.id, heading.key)),
        facts,
        articles: heading
            .articles
            .iter()
            .filter_map(|id| framework?.requirements.iter().find(|r| r.id == *id))
            .map(|r| Article {
                id: r.id.clone(),
                title: r.title.clone(),
                status: r.status.into(),
                score: pct(r.score),
            })
            .collect(),
        problems: problems
            .iter()
            .filter(|(c, _)| {
                controls[*c].mappings.iter().any(|m| {
                    m.framework == FRAMEWORK && heading.articles.contains(&m.requirement.as_str())
                })
            })
            .take(PROBLEMS_LISTED)
            .map(|(c, f)| lookup.finding(&controls[*c], *f))
            .collect(),
    };
    let oversight = s.human_oversight.as_ref();
    let logging = s.logging.as_ref();
    let monitoring = s.post_market_monitoring.as_ref();
    let metrics = monitoring
        .filter(|m| !m.metrics.is_empty())
        .map(|m| m.metrics.join(", "));
    let facts: [Vec<Fact>; 9] = [
        vec![
            fact("Name", Some(s.name.clone())),
            fact("Version", s.version.clone()),
            fact("Provider", s.provider.clone()),
            fact(
                "Role of the organisation",
                s.role.map(|r| r.as_str().to_string()),
            ),
            fact("Risk class", s.risk.map(|r| r.as_str().to_string())),
            fact("Intended purpose", s.intended_purpose.clone()),
            fact(
                "Interacts with natural persons",
                yes_no(s.interacts_with_people),
            ),
        ],
        vec![
            fact("Model card", s.model_card.clone()),
            fact("Data governance (Art. 10)", s.data_governance.clone()),
            fact(
                "Technical documentation (Art. 11)",
                s.technical_documentation.clone(),
            ),
        ],
        vec![
            fact(
                "Human oversight mode (Art. 14)",
                oversight
                    .and_then(|o| o.mode)
                    .map(|m| m.as_str().to_string()),
            ),
            fact(
                "Reviewers",
                oversight
                    .filter(|o| !o.reviewers.is_empty())
                    .map(|o| o.reviewers.join(", ")),
            ),
            fact(
                "Outputs can be overridden",
                yes_no(oversight.and_then(|o| o.can_override)),
            ),
            fact(
                "Oversight configuration",
                oversight.and_then(|o| o.config.clone()),
            ),
            fact(
                "Decisions logged (Art. 12)",
                yes_no(logging.and_then(|l| l.decisions)),
            ),
            fact(
                "Log retention",
                logging
                    .and_then(|l| l.retention_days)
                    .map(|d| format!("{d} days")),
            ),
            fact("Log location", logging.and_then(|l| l.location.clone())),
        ],
        vec![
            fact("Monitored metrics", metrics.clone()),
            fact(
                "Model card (performance and limitations)",
                s.model_card.clone(),
            ),
        ],
        vec![
            fact("Risk class", s.risk.map(|r| r.as_str().to_string())),
            fact(
                "Technical documentation (Art. 11)",
                s.technical_documentation.clone(),
            ),
        ],
        vec![
            fact("Version", s.version.clone()),
            fact(
                "Commit scanned",
                Some(
                    commit.map_or_else(|| "none (not a git checkout)".to_string(), str::to_string),
                ),
            ),
        ],
        vec![fact(
            "Standards applied",
            (!s.standards.is_empty()).then(|| s.standards.join("; ")),
        )],
        vec![fact(
            "EU declaration of conformity",
            s.declaration_of_conformity.clone(),
        )],
        vec![
            fact(
                "Post-market monitoring plan (Art. 72)",
                monitoring.and_then(|m| m.plan.clone()),
            ),
            fact("Monitored metrics", metrics),
        ],
    ];
    let annex_iv = ANNEX_IV
        .iter()
        .zip(facts)
        .map(|(heading, facts)| section(heading, facts))
        .collect();
    let transparency_facts: [Vec<Fact>; 2] = [
        vec![
            fact("Provider", s.provider.clone()),
            fact("Intended purpose", s.intended_purpose.clone()),
            fact(
                "Instructions for use / transparency notice",
                s.transparency_notice.clone(),
            ),
            fact(
                "Performance and limitations (model card)",
                s.model_card.clone(),
            ),
            fact(
                "Human oversight measures",
                oversight
                    .and_then(|o| o.mode)
                    .map(|m| m.as_str().to_string()),
            ),
            fact(
                "Logging of decisions",
                yes_no(logging.and_then(|l| l.decisions)),
            ),
        ],
        vec![
            fact(
                "Interacts with natural persons",
                yes_no(s.interacts_with_people),
            ),
            fact(
                "Obligation",
                s.interacts_with_people.map(|people| {
                    if people {
                        "people must be told they are interacting with an AI system (Art. 50(1))"
                    } else {
                        "no direct interaction with people declared"
                    }
                    .to_string()
                }),
            ),
            fact("Transparency notice", s.transparency_notice.clone()),
        ],
    ];
    let transparency = TRANSPARENCY
        .iter()
        .zip(transparency_facts)
        .map(|(heading, facts)| section(heading, facts))
        .collect();
    System {
        id: s.id.clone(),
        name: s.name.clone(),
        anchor: anchor("system", &s.id),
        line,
        risk: s.risk.map(|r| r.as_str()),
        role: s.role.map(|r| r.as_str()),
        annex_iv,
        transparency,
        problems: problems
            .iter()
            .take(PROBLEMS_LISTED)
            .map(|(c, f)| lookup.finding(&controls[*c], *f))
            .collect(),
        more_problems: problems.len().saturating_sub(PROBLEMS_LISTED),
        passed: hits.len() - problems.len(),
    }
}
