//! The portfolio: every repository an org scan wrote, with its scores, and per framework the
//! requirements rolled up across repositories (which pass, fail, lack evidence).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::record::{RepoRecord, RECORD, RESULTS, SITE};
use crate::report::Results;
use crate::score::{Evidenced, Implementation, Rating};

/// The largest record file read.
const MAX_RECORD: u64 = 1024 * 1024;

/// One repository's row.
#[derive(Debug, Clone)]
pub struct RepoRow {
    pub record: RepoRecord,
    /// Its folder in the org scan's output.
    pub folder: PathBuf,
    /// Why it has no scores: the scan failed, or its results cannot be read.
    pub error: Option<String>,
    /// When its scan finished (RFC 3339).
    pub finished_at: Option<String>,
    /// Per framework scored: id, name, score, rating.
    pub scores: Vec<FrameworkScore>,
    /// Controls failing (not implemented, partial or in error).
    pub failing: usize,
    /// Whether its folder holds its own site.
    pub has_site: bool,
}

#[derive(Debug, Clone)]
pub struct FrameworkScore {
    pub id: String,
    pub name: String,
    pub score: Option<f64>,
    pub rating: Rating,
}

/// How a requirement stands in one repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    Passing,
    Failing,
    /// No evidence: nothing judged it, or its controls found nothing to judge.
    LacksEvidence,
    NotApplicable,
}

impl Standing {
    fn of(status: Implementation, evidence: Evidenced) -> Standing {
        match (status, evidence) {
            (Implementation::NotApplicable, _) | (_, Evidenced::NotApplicable) => {
                Standing::NotApplicable
            }
            (Implementation::NotAssessed, _) | (_, Evidenced::None) => Standing::LacksEvidence,
            (Implementation::Implemented, _) => Standing::Passing,
            _ => Standing::Failing,
        }
    }
}

/// A requirement across repositories: the rows (indexes into [`Portfolio::repos`]) by standing.
#[derive(Debug, Clone)]
pub struct RequirementRollup {
    pub id: String,
    pub title: String,
    pub repos: BTreeMap<Standing, Vec<usize>>,
}

impl RequirementRollup {
    /// The rows with `standing`.
    pub fn with(&self, standing: Standing) -> &[usize] {
        self.repos.get(&standing).map_or(&[], Vec::as_slice)
    }
}

/// A framework across the repositories that score it.
#[derive(Debug, Clone)]
pub struct FrameworkRollup {
    pub id: String,
    pub name: String,
    /// Rows scoring it.
    pub repos: Vec<usize>,
    /// In the order of the first repository's results, then new ones as they appear.
    pub requirements: Vec<RequirementRollup>,
}

/// Every repository of one or more org scan outputs.
#[derive(Debug, Clone, Default)]
pub struct Portfolio {
    pub organization: Option<String>,
    /// Sorted by name.
    pub repos: Vec<RepoRow>,
    /// Sorted by id.
    pub frameworks: Vec<FrameworkRollup>,
}

impl Portfolio {
    /// Reads every repository folder of the org scan outputs `dirs`; a repository found twice
    /// is an error, a folder whose record or results cannot be read a row with the reason.
    pub fn read(dirs: &[PathBuf]) -> Result<Portfolio, String> {
        let mut repos: Vec<RepoRow> = Vec::new();
        let mut requirements: Vec<Standings> = Vec::new();
        for dir in dirs {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                format!(
                    "cannot read the org scan output `{}`: {}\n  hint: write one with `assay org scan assay-org.yaml --out DIR`",
                    dir.display(),
                    assay_collectors::confine::os_reason(&e)
                )
            })?;
            let mut folders: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join(RECORD).is_file())
                .collect();
            folders.sort();
            for folder in folders {
                let (row, standings) = read_row(&folder);
                if let Some(other) = repos.iter().find(|r| r.record.name == row.record.name) {
                    return Err(format!(
                        "repository `{}` is in both `{}` and `{}`\n  hint: give each shard's output once",
                        row.record.name,
                        other.folder.display(),
                        folder.display()
                    ));
                }
                repos.push(row);
                requirements.push(standings);
            }
        }
        if repos.is_empty() {
            return Err(format!(
                "no repository folder (with {RECORD}) in {}\n  hint: write one with `assay org scan assay-org.yaml --out DIR`",
                dirs.iter()
                    .map(|d| format!("`{}`", d.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut order: Vec<usize> = (0..repos.len()).collect();
        order.sort_by(|&a, &b| repos[a].record.name.cmp(&repos[b].record.name));
        let repos: Vec<RepoRow> = order.iter().map(|&i| repos[i].clone()).collect();
        let requirements: Vec<_> = order
            .iter()
            .map(|&i| std::mem::take(&mut requirements[i]))
            .collect();
        let organization = repos.iter().find_map(|r| r.record.organization.clone());
        let frameworks = rollups(&repos, requirements);
        Ok(Portfolio {
            organization,
            repos,
            frameworks,
        })
    }

    /// The team ids with their rows, sorted by id; rows with no team are left out.
    pub fn teams(&self) -> BTreeMap<&str, Vec<usize>> {
        let mut teams: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, r) in self.repos.iter().enumerate() {
            if let Some(team) = &r.record.team {
                teams.entry(team.as_str()).or_default().push(i);
            }
        }
        teams
    }
}

/// (framework id, requirement id, title, standing) of one repository.
type Standings = Vec<(String, String, String, Standing)>;

/// The row of the repository folder `folder`; an unreadable record is a row named after the
/// folder, with the reason.
fn read_row(folder: &Path) -> (RepoRow, Standings) {
    let path = folder.join(RECORD);
    let record = assay_collectors::confine::read_named(&path, MAX_RECORD)
        .map_err(|reason| format!("cannot read `{}`: {reason}", path.display()))
        .and_then(|bytes| {
            serde_json::from_slice::<RepoRecord>(&bytes).map_err(|e| {
                format!(
                    "{}:{}:{}: not a repository record of `assay org scan`: {e}",
                    path.display(),
                    e.line(),
                    e.column()
                )
            })
        })
        .unwrap_or_else(|error| RepoRecord {
            name: folder
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            path: String::new(),
            organization: None,
            team: None,
            team_name: None,
            owners: Vec::new(),
            frameworks: Vec::new(),
            error: Some(error),
        });
    let mut row = RepoRow {
        error: record.error.clone(),
        record,
        folder: folder.to_path_buf(),
        finished_at: None,
        scores: Vec::new(),
        failing: 0,
        has_site: folder.join(SITE).join("index.html").is_file(),
    };
    if row.error.is_some() {
        return (row, Vec::new());
    }
    let results_path = folder.join(RESULTS);
    let results: Results = match crate::report::read_saved(&results_path).and_then(|bytes| {
        serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "`{}` is not a results document: {e}",
                results_path.display()
            )
        })
    }) {
        Ok(r) => r,
        Err(message) => {
            row.error = Some(message);
            return (row, Vec::new());
        }
    };
    row.finished_at = Some(results.scan.finished_at.clone());
    row.failing = results.summary.not_implemented + results.summary.partial + results.summary.error;
    row.scores = results
        .frameworks
        .iter()
        .map(|f| FrameworkScore {
            id: f.id.clone(),
            name: f.name.clone(),
            score: f.score,
            rating: f.rating,
        })
        .collect();
    let standings = results
        .frameworks
        .iter()
        .flat_map(|f| {
            f.requirements.iter().map(|r| {
                (
                    f.id.clone(),
                    r.id.clone(),
                    r.title.clone(),
                    Standing::of(r.status, r.evidence),
                )
            })
        })
        .collect();
    (row, standings)
}

/// The framework rollups of the rows, whose standings are `standings` (same order).
fn rollups(repos: &[RepoRow], standings: Vec<Standings>) -> Vec<FrameworkRollup> {
    let mut frameworks: BTreeMap<String, FrameworkRollup> = BTreeMap::new();
    for (row, list) in standings.into_iter().enumerate() {
        for score in &repos[row].scores {
            frameworks
                .entry(score.id.clone())
                .or_insert_with(|| FrameworkRollup {
                    id: score.id.clone(),
                    name: score.name.clone(),
                    repos: Vec::new(),
                    requirements: Vec::new(),
                })
                .repos
                .push(row);
        }
        for (framework, id, title, standing) in list {
            let Some(rollup) = frameworks.get_mut(&framework) else {
                continue;
            };
            let at = match rollup.requirements.iter().position(|r| r.id == id) {
                Some(at) => at,
                None => {
                    rollup.requirements.push(RequirementRollup {
                        id,
                        title,
                        repos: BTreeMap::new(),
                    });
                    rollup.requirements.len() - 1
                }
            };
            rollup.requirements[at]
                .repos
                .entry(standing)
                .or_default()
                .push(row);
        }
    }
    frameworks.into_values().collect()
}
