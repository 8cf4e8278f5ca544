//! Scores: per control (share of items passing), per requirement (severity-weighted mean of
//! its controls), per framework (mean of its requirements, beside its coverage).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Coverage, CoverageCounts, Framework};
use crate::eval::ControlResult;
use crate::model::{Finding, FindingStatus};

/// How far a control or requirement is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Implementation {
    /// Every item passes.
    Implemented,
    /// Some items pass.
    Partial,
    /// No item passes.
    NotImplemented,
    /// Nothing to judge: no item was selected.
    NotApplicable,
    /// The control could not be evaluated.
    Error,
    /// A requirement with no control mapped to it.
    NotAssessed,
}

/// Green / amber / red, by configurable thresholds on a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Green,
    Amber,
    Red,
    /// No score to rate.
    None,
}

/// Score thresholds, in percent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub green: f64,
    pub amber: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            green: 90.0,
            amber: 70.0,
        }
    }
}

impl Thresholds {
    pub fn rate(&self, score: Option<f64>) -> Rating {
        match score {
            None => Rating::None,
            Some(s) if s >= self.green => Rating::Green,
            Some(s) if s >= self.amber => Rating::Amber,
            Some(_) => Rating::Red,
        }
    }
}

/// Counts and score of one control.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlScore {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    /// Failures suppressed by an exception or waiver; they count as passing.
    pub waived: usize,
    /// Warnings; they neither pass nor fail an item.
    pub warned: usize,
    /// Percent of items passing; `None` when no item was selected.
    pub score: Option<f64>,
    pub status: Implementation,
}

impl ControlScore {
    pub fn of(result: &ControlResult) -> ControlScore {
        Self::counting(result, true)
    }

    /// The score as it would be without waivers: waived findings count as failures.
    pub fn before_waivers(result: &ControlResult) -> ControlScore {
        Self::counting(result, false)
    }

    fn counting(result: &ControlResult, honour_waivers: bool) -> ControlScore {
        let items = item_statuses(&result.findings);
        let count = |s: FindingStatus| items.iter().filter(|i| **i == s).count();
        let warnings = result
            .findings
            .iter()
            .filter(|f| f.status == FindingStatus::Warn)
            .count();
        let (passed, mut failed, errors, mut waived, warned) = (
            count(FindingStatus::Pass),
            count(FindingStatus::Fail),
            count(FindingStatus::Error),
            count(FindingStatus::Waived),
            warnings,
        );
        if !honour_waivers {
            failed += waived;
            waived = 0;
        }
        let good = passed + waived;
        let total = good + failed + errors;
        let score = (total > 0).then(|| round(100.0 * good as f64 / total as f64));
        let status = if errors > 0 && good + failed == 0 {
            Implementation::Error
        } else if total == 0 {
            Implementation::NotApplicable
        } else if good == total {
            Implementation::Implemented
        } else if good == 0 {
            Implementation::NotImplemented
        } else {
            Implementation::Partial
        };
        ControlScore {
            passed,
            failed,
            errors,
            waived,
            warned,
            score: if status == Implementation::Error {
                Some(0.0)
            } else {
                score
            },
            status,
        }
    }
}

/// The status of each item a control judged: the findings of one item (one per offending
/// node: the same item number, resource and file) count once, with the worst of their
/// statuses; a finding with no item number is an item of its own. Warnings neither pass nor
/// fail an item.
pub fn item_statuses(findings: &[Finding]) -> Vec<FindingStatus> {
    let rank = |s: FindingStatus| match s {
        FindingStatus::Warn | FindingStatus::Pass => 0,
        FindingStatus::Waived => 1,
        FindingStatus::Fail => 2,
        FindingStatus::Error => 3,
    };
    type Key<'a> = (usize, Option<&'a str>, Option<&'a str>);
    let mut items: HashMap<Key<'_>, FindingStatus> = HashMap::new();
    let mut single = Vec::new();
    for f in findings.iter().filter(|f| f.status != FindingStatus::Warn) {
        if f.item == 0 {
            single.push(f.status);
            continue;
        }
        let key = (
            f.item,
            f.resource.as_deref(),
            f.location.as_ref().map(|l| l.path.as_str()),
        );
        let status = items.entry(key).or_insert(f.status);
        if rank(f.status) > rank(*status) {
            *status = f.status;
        }
    }
    single.extend(items.into_values());
    single
}

/// Score of one requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementScore {
    pub id: String,
    pub title: String,
    pub score: Option<f64>,
    pub status: Implementation,
    /// Mapped controls that exist in this scan, in mapping order.
    pub controls: Vec<String>,
    /// How the catalog evidences the requirement.
    pub coverage: Coverage,
    /// Why the requirement does not apply by default, when the mapping says so.
    pub not_applicable: Option<String>,
}

/// Score and coverage of one framework.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkScore {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    pub score: Option<f64>,
    /// Percent of the applicable requirements evidenced by at least one control.
    pub coverage: f64,
    /// Requirements by how they are evidenced.
    pub counts: CoverageCounts,
    pub rating: Rating,
    pub requirements: Vec<RequirementScore>,
}

/// Scores `framework` from the control results.
pub fn score_framework(
    catalog: &Catalog,
    framework: &Framework,
    results: &[ControlResult],
    scores: &HashMap<&str, ControlScore>,
    thresholds: &Thresholds,
) -> FrameworkScore {
    let severity: HashMap<&str, f64> = results
        .iter()
        .map(|r| (r.control.id.as_str(), r.control.severity.weight()))
        .collect();
    let requirements: Vec<RequirementScore> = framework
        .requirements
        .iter()
        .map(|req| {
            let controls: Vec<String> = req
                .controls
                .iter()
                .filter(|c| scores.contains_key(c.as_str()))
                .cloned()
                .collect();
            let (mut weighted, mut weights) = (0.0, 0.0);
            for c in &controls {
                if let Some(s) = scores[c.as_str()].score {
                    let w = severity[c.as_str()];
                    weighted += w * s;
                    weights += w;
                }
            }
            let score = (weights > 0.0).then(|| round(weighted / weights));
            let coverage = catalog.coverage(req);
            let status = match score {
                _ if controls.is_empty() && coverage == Coverage::NotApplicable => {
                    Implementation::NotApplicable
                }
                _ if controls.is_empty() => Implementation::NotAssessed,
                None => Implementation::NotApplicable,
                Some(s) if s >= 100.0 => Implementation::Implemented,
                Some(s) if s <= 0.0 => Implementation::NotImplemented,
                Some(_) => Implementation::Partial,
            };
            RequirementScore {
                id: req.id.clone(),
                title: req.title.clone(),
                score,
                status,
                controls,
                coverage,
                not_applicable: req.not_applicable.clone(),
            }
        })
        .collect();
    let scored: Vec<f64> = requirements.iter().filter_map(|r| r.score).collect();
    let score =
        (!scored.is_empty()).then(|| round(scored.iter().sum::<f64>() / scored.len() as f64));
    let mut counts = CoverageCounts::default();
    for r in &requirements {
        counts.add(r.coverage);
    }
    FrameworkScore {
        id: framework.id.clone(),
        name: framework.name.clone(),
        version: framework.version.clone(),
        score,
        coverage: counts.percent(),
        counts,
        rating: thresholds.rate(score),
        requirements,
    }
}

/// Rounds to two decimals, so that scores print and serialize the same everywhere.
pub fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}
