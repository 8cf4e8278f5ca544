//! Scores: per control (share of items passing), per requirement (severity-weighted mean of
//! its controls), per framework (mean of its requirements, beside its coverage).
//!
//! A control that selected nothing is either out of scope (`not_applicable`, left out of every
//! mean) or a gap (`not_assessed`, scoring 0), as the control declares with `when_empty`.
//! Within a framework, an item (a resource or file) that fails any of the framework's
//! automated resource controls counts as failing in every control of the framework that judged
//! it: a resource is credited to a requirement only when the framework judges it sound. Together,
//! adding a failing resource or removing evidence never raises a score.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Coverage, CoverageCounts, Exclusion, Framework, WhenEmpty};
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
    /// Out of scope: the subject does not exist (no item was selected and the control says
    /// that means nothing to judge). Left out of the score.
    NotApplicable,
    /// The control could not be evaluated.
    Error,
    /// A gap: the evidence is missing (a control that selected nothing where evidence is
    /// expected, or a requirement no control evidences). Scores 0 where it is scored.
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
    /// Percent of items passing; 0 when not assessed; `None` when not applicable.
    pub score: Option<f64>,
    pub status: Implementation,
    /// Items this control passes that count as failing because they fail another automated
    /// control of the framework being scored (0 outside a framework).
    pub failing_elsewhere: usize,
}

impl ControlScore {
    /// Counts `items`, the keyed item statuses of `result`; an item `unsound` says fails
    /// elsewhere counts as failing where it would pass.
    fn counting(
        result: &ControlResult,
        items: &[(Option<KeyId>, FindingStatus)],
        honour_waivers: bool,
        unsound: &dyn Fn(KeyId) -> bool,
    ) -> ControlScore {
        let mut failing_elsewhere = 0;
        let items: Vec<FindingStatus> = items
            .iter()
            .map(|&(key, status)| {
                let passing = status == FindingStatus::Pass
                    || (honour_waivers && status == FindingStatus::Waived);
                if passing && key.is_some_and(unsound) {
                    failing_elsewhere += 1;
                    FindingStatus::Fail
                } else {
                    status
                }
            })
            .collect();
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
            match result.control.when_empty {
                WhenEmpty::NotApplicable => Implementation::NotApplicable,
                WhenEmpty::NotAssessed => Implementation::NotAssessed,
            }
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
            score: if matches!(status, Implementation::Error | Implementation::NotAssessed) {
                Some(0.0)
            } else {
                score
            },
            status,
            failing_elsewhere,
        }
    }
}

/// The status of each item a control judged: the findings of one item (one per offending
/// node: the same item number, resource and file) count once, with the worst of their
/// statuses; a finding with no item number is an item of its own. Warnings neither pass nor
/// fail an item.
pub fn item_statuses(findings: &[Finding]) -> Vec<FindingStatus> {
    keyed_items_as(findings, |f| f.status, numbering(&mut HashMap::new()))
        .into_iter()
        .map(|(_, status)| status)
        .collect()
}

/// What identifies an item across controls: its resource and its file.
type ItemKey<'a> = (Option<&'a str>, Option<&'a str>);

/// The number of an item key within one set of results ([`Judged`]).
type KeyId = u32;

/// Each item a control judged, with the number of its key when it has one, and its status.
type KeyedItems = Vec<(Option<KeyId>, FindingStatus)>;

/// The key of the item a finding judges, if it names a resource or a file.
fn item_key(f: &Finding) -> Option<ItemKey<'_>> {
    let key = (
        f.resource.as_deref(),
        f.location.as_ref().map(|l| l.path.as_str()),
    );
    (key != (None, None)).then_some(key)
}

/// Numbers item keys in the order they are first met.
fn numbering<'a, 'm>(
    ids: &'m mut HashMap<ItemKey<'a>, KeyId>,
) -> impl FnMut(&'a Finding) -> Option<KeyId> + 'm {
    move |f| {
        let next = KeyId::try_from(ids.len()).expect("fewer than 2^32 item keys");
        item_key(f).map(|key| *ids.entry(key).or_insert(next))
    }
}

/// The items of `findings`, each finding's status as `status` gives it and its key numbered
/// by `key`.
fn keyed_items_as<'a>(
    findings: &'a [Finding],
    status: impl Fn(&Finding) -> FindingStatus,
    mut key: impl FnMut(&'a Finding) -> Option<KeyId>,
) -> KeyedItems {
    let rank = |s: FindingStatus| match s {
        FindingStatus::Warn | FindingStatus::Pass => 0,
        FindingStatus::Waived => 1,
        FindingStatus::Fail => 2,
        FindingStatus::Error => 3,
    };
    let mut items: BTreeMap<(usize, Option<KeyId>), FindingStatus> = BTreeMap::new();
    let mut single = Vec::new();
    for f in findings {
        let own = status(f);
        if own == FindingStatus::Warn {
            continue;
        }
        if f.item == 0 {
            single.push((key(f), own));
            continue;
        }
        let status = items.entry((f.item, key(f))).or_insert(own);
        if rank(own) > rank(*status) {
            *status = own;
        }
    }
    single.extend(items.into_iter().map(|((_, key), status)| (key, status)));
    single
}

/// The ids of the controls `framework` maps to its requirements.
fn mapped_controls(framework: &Framework) -> HashSet<&str> {
    framework
        .requirements
        .iter()
        .flat_map(|r| r.controls.iter().map(String::as_str))
        .collect()
}

/// The items every control of one set of results judged, each item key numbered once, so
/// that every framework counts items by number instead of hashing their names again.
pub struct Judged<'a> {
    results: &'a [ControlResult],
    /// Each result's keyed item statuses, in result order.
    items: Vec<KeyedItems>,
    ids: HashMap<ItemKey<'a>, KeyId>,
}

impl<'a> Judged<'a> {
    pub fn of(results: &'a [ControlResult]) -> Judged<'a> {
        let mut ids = HashMap::new();
        let items = {
            let mut key = numbering(&mut ids);
            results
                .iter()
                .map(|r| keyed_items_as(&r.findings, |f| f.status, &mut key))
                .collect()
        };
        Judged {
            results,
            items,
            ids,
        }
    }

    /// The score of the result at `index` on its own, outside any framework; waived failures
    /// count as failing unless `honour_waivers` (the score before waivers).
    pub fn control_score(&self, index: usize, honour_waivers: bool) -> ControlScore {
        let result = &self.results[index];
        ControlScore::counting(result, &self.items[index], honour_waivers, &|_| false)
    }

    /// The number of the key of `finding`'s item, one of these results' findings.
    fn key(&self, finding: &Finding) -> Option<KeyId> {
        item_key(finding).map(|key| self.ids[&key])
    }
}

/// The items of a framework's controls and the items that fail elsewhere: what its control
/// scores are counted from, kept so that one control's findings can change without the others
/// being gone through again ([`fix_first`]).
struct ControlScoring<'a> {
    honour_waivers: bool,
    /// Each mapped control's result and keyed item statuses, in result order.
    keyed: Vec<(&'a ControlResult, &'a KeyedItems)>,
    /// For each item key, how many items with that key fail (or cannot be judged by) an
    /// automated control that judges resources (one whose empty selection means the subject
    /// does not exist). Controls of expected evidence are left out, so that removing evidence
    /// can never make another item sound.
    unsound: Vec<u32>,
    /// The controls (indices into `keyed`) that judged each item key: those of key `k` are
    /// `judged_by[judged_from[k]..judged_from[k + 1]]`.
    judged_from: Vec<usize>,
    judged_by: Vec<usize>,
}

impl<'a> ControlScoring<'a> {
    fn new(framework: &Framework, judged: &'a Judged, honour_waivers: bool) -> Self {
        let mapped = mapped_controls(framework);
        let keyed: Vec<(&ControlResult, &KeyedItems)> = judged
            .results
            .iter()
            .zip(&judged.items)
            .filter(|(r, _)| mapped.contains(r.control.id.as_str()))
            .collect();
        let keys = judged.ids.len();
        let mut unsound = vec![0; keys];
        // Each key's controls, counted and then placed, once per control.
        let mut last = vec![usize::MAX; keys];
        let mut judged_from = vec![0; keys + 1];
        let each_key =
            |items: &'a KeyedItems| items.iter().filter_map(|(key, _)| key.map(|k| k as usize));
        for (i, (result, items)) in keyed.iter().enumerate() {
            for key in unsound_keys(result, items, honour_waivers) {
                unsound[key as usize] += 1;
            }
            for k in each_key(items) {
                if last[k] != i {
                    last[k] = i;
                    judged_from[k + 1] += 1;
                }
            }
        }
        for k in 0..keys {
            judged_from[k + 1] += judged_from[k];
        }
        let mut next = judged_from.clone();
        let mut judged_by = vec![0; judged_from[keys]];
        last.fill(usize::MAX);
        for (i, (_, items)) in keyed.iter().enumerate() {
            for k in each_key(items) {
                if last[k] != i {
                    last[k] = i;
                    judged_by[next[k]] = i;
                    next[k] += 1;
                }
            }
        }
        ControlScoring {
            honour_waivers,
            keyed,
            unsound,
            judged_from,
            judged_by,
        }
    }

    /// Every mapped control's score.
    fn scores(&self) -> HashMap<&'a str, ControlScore> {
        let unsound = |k: KeyId| self.unsound[k as usize] > 0;
        self.keyed
            .iter()
            .map(|(r, items)| {
                (
                    r.control.id.as_str(),
                    ControlScore::counting(r, items, self.honour_waivers, &unsound),
                )
            })
            .collect()
    }

    /// `scores` (this scoring's [`Self::scores`]) as they would be if the control at `index`
    /// judged `items` instead: that control and the controls sharing an item that no longer
    /// fails anywhere are counted again, the others kept.
    fn with_items(
        &self,
        scores: &HashMap<&'a str, ControlScore>,
        index: usize,
        items: &KeyedItems,
    ) -> HashMap<&'a str, ControlScore> {
        let (result, before) = self.keyed[index];
        let mut change: HashMap<KeyId, isize> = HashMap::new();
        for key in unsound_keys(result, before, self.honour_waivers) {
            *change.entry(key).or_default() -= 1;
        }
        for key in unsound_keys(result, items, self.honour_waivers) {
            *change.entry(key).or_default() += 1;
        }
        let count =
            |k: KeyId| self.unsound[k as usize] as isize + change.get(&k).copied().unwrap_or(0);
        let unsound = |k: KeyId| count(k) > 0;
        let mut again: Vec<usize> = change
            .keys()
            .filter(|&&k| unsound(k) != (self.unsound[k as usize] > 0))
            .flat_map(|&k| {
                let k = k as usize;
                self.judged_by[self.judged_from[k]..self.judged_from[k + 1]]
                    .iter()
                    .copied()
            })
            .collect();
        again.push(index);
        again.sort_unstable();
        again.dedup();
        let mut scores = scores.clone();
        for i in again {
            let (r, own) = self.keyed[i];
            let items = if i == index { items } else { own };
            scores.insert(
                r.control.id.as_str(),
                ControlScore::counting(r, items, self.honour_waivers, &unsound),
            );
        }
        scores
    }
}

/// The keys of the items of `result` that make an item unsound (once per item): its failing
/// (and, unless `honour_waivers`, waived) items, when it is an automated control that judges
/// resources.
fn unsound_keys<'i>(
    result: &ControlResult,
    items: &'i KeyedItems,
    honour_waivers: bool,
) -> impl Iterator<Item = KeyId> + 'i {
    let judges_resources = !result.control.check.is_attestation()
        && result.control.when_empty == WhenEmpty::NotApplicable;
    items
        .iter()
        .filter(move |(_, status)| {
            judges_resources
                && match status {
                    FindingStatus::Fail | FindingStatus::Error => true,
                    FindingStatus::Waived => !honour_waivers,
                    FindingStatus::Pass | FindingStatus::Warn => false,
                }
        })
        .filter_map(|(key, _)| *key)
}

/// Score of one requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementScore {
    pub id: String,
    pub title: String,
    pub score: Option<f64>,
    /// The score from its automated controls alone.
    pub automated_score: Option<f64>,
    /// The score from its attestation controls alone.
    pub attested_score: Option<f64>,
    /// What evidences it in this scan.
    pub evidence: Evidenced,
    pub status: Implementation,
    /// Mapped controls that exist in this scan, in mapping order.
    pub controls: Vec<String>,
    /// How the catalog evidences the requirement.
    pub coverage: Coverage,
    /// Why the requirement does not apply by default, when the mapping says so.
    pub not_applicable: Option<String>,
    /// The organisation's exclusion of the requirement from scope.
    pub exclusion: Option<Exclusion>,
    /// The ids of the framework's earlier edition that correspond to it.
    pub earlier_ids: Vec<String>,
}

/// Score and coverage of one framework.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkScore {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    pub score: Option<f64>,
    /// The mean of the requirements' scores from automated controls alone.
    pub automated_score: Option<f64>,
    /// The mean of the requirements' scores from attestations alone.
    pub attested_score: Option<f64>,
    /// Shares of the applicable requirements evidenced automatically, by attestation only,
    /// and not at all.
    pub evidenced: EvidenceShares,
    /// Percent of the applicable requirements evidenced by at least one control.
    pub coverage: f64,
    /// Requirements by how they are evidenced.
    pub counts: CoverageCounts,
    pub rating: Rating,
    pub requirements: Vec<RequirementScore>,
    /// The controls whose score in this framework differs from their own.
    pub adjusted_controls: BTreeMap<String, AdjustedControl>,
}

/// A control's score as a framework counts it, where items it passes fail another automated
/// control of the framework and so count as failing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdjustedControl {
    pub score: Option<f64>,
    /// The items counted as failing for that reason.
    pub failing_elsewhere: usize,
}

/// Scores `framework` from the control results; waived findings count as passing when
/// `honour_waivers`, else as failing. Its controls are counted as the module documentation
/// says.
pub fn score_framework(
    catalog: &Catalog,
    framework: &Framework,
    judged: &Judged,
    honour_waivers: bool,
    thresholds: &Thresholds,
) -> FrameworkScore {
    let scores = ControlScoring::new(framework, judged, honour_waivers).scores();
    framework_score(catalog, framework, judged.results, &scores, thresholds)
}

/// Scores `framework` from the scores of its controls (`results` give their severities and
/// kinds).
fn framework_score(
    catalog: &Catalog,
    framework: &Framework,
    results: &[ControlResult],
    scores: &HashMap<&str, ControlScore>,
    thresholds: &Thresholds,
) -> FrameworkScore {
    let severity = severity_weights(results);
    let attested: std::collections::HashSet<&str> = results
        .iter()
        .filter(|r| r.control.check.is_attestation())
        .map(|r| r.control.id.as_str())
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
            let part = |kind: Option<bool>| {
                weighted_mean(
                    controls
                        .iter()
                        .filter(|c| kind.is_none_or(|a| attested.contains(c.as_str()) == a))
                        .map(|c| (severity[c.as_str()], &scores[c.as_str()])),
                )
            };
            let (score, all_gaps) = part(None);
            let (automated, _) = part(Some(false));
            let (attested_part, _) = part(Some(true));
            let coverage = catalog.coverage(req);
            let status = match score {
                _ if controls.is_empty() && coverage == Coverage::NotApplicable => {
                    Implementation::NotApplicable
                }
                _ if controls.is_empty() => Implementation::NotAssessed,
                None => Implementation::NotApplicable,
                Some(_) if all_gaps => Implementation::NotAssessed,
                Some(s) if s >= 100.0 => Implementation::Implemented,
                Some(s) if s <= 0.0 => Implementation::NotImplemented,
                Some(_) => Implementation::Partial,
            };
            let evidence = if status == Implementation::NotApplicable {
                Evidenced::NotApplicable
            } else if controls
                .iter()
                .any(|c| !attested.contains(c.as_str()) && judged(scores[c.as_str()].status))
            {
                Evidenced::Automated
            } else if controls.iter().any(|c| {
                attested.contains(c.as_str())
                    && matches!(
                        scores[c.as_str()].status,
                        Implementation::Implemented | Implementation::Partial
                    )
            }) {
                Evidenced::AttestedOnly
            } else {
                Evidenced::None
            };
            RequirementScore {
                id: req.id.clone(),
                title: req.title.clone(),
                score,
                automated_score: automated,
                attested_score: attested_part,
                evidence,
                status,
                controls,
                coverage,
                not_applicable: req.not_applicable.clone(),
                exclusion: req.exclusion.clone(),
                earlier_ids: framework
                    .earlier_ids(&req.id)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
            }
        })
        .collect();
    let score = mean(requirements.iter().filter_map(|r| r.score));
    let mut counts = CoverageCounts::default();
    for r in &requirements {
        counts.add(r.coverage);
    }
    FrameworkScore {
        id: framework.id.clone(),
        name: framework.name.clone(),
        version: framework.version.clone(),
        score,
        automated_score: mean(requirements.iter().filter_map(|r| r.automated_score)),
        attested_score: mean(requirements.iter().filter_map(|r| r.attested_score)),
        evidenced: EvidenceShares::of(requirements.iter().map(|r| r.evidence)),
        coverage: counts.percent(),
        counts,
        rating: thresholds.rate(score),
        requirements,
        adjusted_controls: scores
            .iter()
            .filter(|(_, s)| s.failing_elsewhere > 0)
            .map(|(id, s)| {
                (
                    id.to_string(),
                    AdjustedControl {
                        score: s.score,
                        failing_elsewhere: s.failing_elsewhere,
                    },
                )
            })
            .collect(),
    }
}

/// The severity-weighted mean of the scored controls, and whether every one of them is a gap
/// (`not_assessed`); `None` when none is scored.
fn weighted_mean<'a>(
    controls: impl Iterator<Item = (f64, &'a ControlScore)>,
) -> (Option<f64>, bool) {
    let (mut weighted, mut weights, mut all_gaps) = (0.0, 0.0, true);
    for (w, control) in controls {
        if let Some(s) = control.score {
            weighted += w * s;
            weights += w;
            all_gaps &= control.status == Implementation::NotAssessed;
        }
    }
    ((weights > 0.0).then(|| round(weighted / weights)), all_gaps)
}

/// What fixing one failing automated control would raise: the framework scores gained, by
/// framework id, in the order of `frameworks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixGain {
    pub control: String,
    /// Points gained per framework (only frameworks whose score rises).
    pub gains: Vec<FrameworkGain>,
}

/// Points a framework score gains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkGain {
    pub framework: String,
    pub points: f64,
}

impl FixGain {
    /// The points gained over every framework.
    pub fn total(&self) -> f64 {
        self.gains.iter().map(|g| g.points).sum()
    }
}

/// The `limit` failing automated controls whose fix raises the framework scores most: each is
/// scored again as if its failing and erroneous items passed. Largest total gain first, ties
/// by control id.
///
/// Each framework's items are gathered once; a fix counts again only the fixed control and the
/// controls sharing an item the fix makes sound, so the cost grows with the findings, not with
/// the findings times the failing controls.
pub fn fix_first(frameworks: &[&Framework], judged: &Judged, limit: usize) -> Vec<FixGain> {
    let results = judged.results;
    let weights = severity_weights(results);
    let scorings: Vec<_> = frameworks
        .par_iter()
        .map(|f| {
            let scoring = ControlScoring::new(f, judged, true);
            let scores = scoring.scores();
            let before = overall_score(f, &scores, &weights);
            (scoring, scores, before)
        })
        .collect();
    let failing = |f: &Finding| matches!(f.status, FindingStatus::Fail | FindingStatus::Error);
    let fixable: Vec<&ControlResult> = results
        .iter()
        .filter(|r| !r.control.check.is_attestation() && r.findings.iter().any(failing))
        .collect();
    // Each fix is scored on its own thread; `collect` keeps the results' order.
    let mut gains: Vec<FixGain> = fixable
        .into_par_iter()
        .filter_map(|result| {
            let fixed = keyed_items_as(
                &result.findings,
                |f| {
                    if failing(f) {
                        FindingStatus::Pass
                    } else {
                        f.status
                    }
                },
                |f| judged.key(f),
            );
            // A framework that does not map the control scores it nowhere: nothing to gain.
            let gained: Vec<FrameworkGain> = frameworks
                .iter()
                .zip(&scorings)
                .filter_map(|(f, (scoring, scores, before))| {
                    let index = scoring
                        .keyed
                        .iter()
                        .position(|(r, _)| std::ptr::eq(*r, result))?;
                    let after = scoring.with_items(scores, index, &fixed);
                    let score = overall_score(f, &after, &weights);
                    let points = round(score.unwrap_or(0.0) - before.unwrap_or(0.0));
                    (points > 0.0).then(|| FrameworkGain {
                        framework: f.id.clone(),
                        points,
                    })
                })
                .collect();
            (!gained.is_empty()).then(|| FixGain {
                control: result.control.id.clone(),
                gains: gained,
            })
        })
        .collect();
    order_by_gain(&mut gains);
    gains.truncate(limit);
    gains
}

/// The score [`framework_score`] gives `framework` (the mean of its requirements' scores),
/// without the rest of its report. `weights`: [`severity_weights`].
fn overall_score(
    framework: &Framework,
    scores: &HashMap<&str, ControlScore>,
    weights: &HashMap<&str, f64>,
) -> Option<f64> {
    mean(framework.requirements.iter().filter_map(|req| {
        let controls = req.controls.iter().filter_map(|c| {
            let score = scores.get(c.as_str())?;
            Some((weights[c.as_str()], score))
        });
        weighted_mean(controls).0
    }))
}

/// Each control's severity weight, by control id.
fn severity_weights(results: &[ControlResult]) -> HashMap<&str, f64> {
    results
        .iter()
        .map(|r| (r.control.id.as_str(), r.control.severity.weight()))
        .collect()
}

/// Largest total gain first, ties by control id.
fn order_by_gain(gains: &mut [FixGain]) {
    gains.sort_by(|a, b| {
        b.total()
            .total_cmp(&a.total())
            .then_with(|| a.control.cmp(&b.control))
    });
}

/// The rounded mean, `None` of nothing.
fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let values: Vec<f64> = values.collect();
    (!values.is_empty()).then(|| round(values.iter().sum::<f64>() / values.len() as f64))
}

/// Whether a control judged items (passing or failing), as opposed to finding nothing.
fn judged(status: Implementation) -> bool {
    matches!(
        status,
        Implementation::Implemented
            | Implementation::Partial
            | Implementation::NotImplemented
            | Implementation::Error
    )
}

/// What evidences a requirement in this scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidenced {
    /// An automated control judged items for it.
    Automated,
    /// Only an attestation in force does.
    AttestedOnly,
    /// Nothing does: missing evidence, no attestation, or no control at all.
    None,
    /// The requirement is out of scope.
    NotApplicable,
}

/// Shares of the applicable requirements, in percent, by what evidences them in this scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct EvidenceShares {
    pub automated: f64,
    pub attested_only: f64,
    pub none: f64,
}

impl EvidenceShares {
    pub fn of(evidence: impl Iterator<Item = Evidenced>) -> EvidenceShares {
        let (mut automated, mut attested, mut none) = (0usize, 0usize, 0usize);
        for e in evidence {
            match e {
                Evidenced::Automated => automated += 1,
                Evidenced::AttestedOnly => attested += 1,
                Evidenced::None => none += 1,
                Evidenced::NotApplicable => {}
            }
        }
        let total = (automated + attested + none).max(1) as f64;
        EvidenceShares {
            automated: round(100.0 * automated as f64 / total),
            attested_only: round(100.0 * attested as f64 / total),
            none: round(100.0 * none as f64 / total),
        }
    }
}

/// Rounds to two decimals, so that scores print and serialize the same everywhere.
pub fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{load, CatalogRoot};
    use crate::model::Finding;

    /// The score of `result` on its own; waived failures count as failing unless
    /// `honour_waivers`.
    fn alone(result: &ControlResult, honour_waivers: bool) -> ControlScore {
        Judged::of(std::slice::from_ref(result)).control_score(0, honour_waivers)
    }

    fn finding(status: FindingStatus) -> Finding {
        Finding {
            status,
            resource: None,
            message: String::new(),
            location: None,
            evidence: Vec::new(),
            item: 0,
            signature: None,
        }
    }

    /// Every score of every built-in framework over `results`, in a fixed order.
    fn all_scores(catalog: &Catalog, results: &[ControlResult]) -> Vec<(String, Option<f64>)> {
        let mut out: Vec<(String, Option<f64>)> = results
            .iter()
            .map(|r| (r.control.id.clone(), alone(r, true).score))
            .collect();
        let judged = Judged::of(results);
        for f in &catalog.frameworks {
            let s = score_framework(catalog, f, &judged, true, &Thresholds::default());
            out.push((f.id.clone(), s.score));
            for r in s.requirements {
                out.push((format!("{}:{}", f.id, r.id), r.score));
            }
        }
        out
    }

    /// `after` is nowhere higher than `before`; a score that appears counts as a rise only
    /// when it is above 0 (a gap appearing lowers the mean it joins).
    fn never_raised(before: &[(String, Option<f64>)], after: &[(String, Option<f64>)]) {
        for ((id, b), (_, a)) in before.iter().zip(after) {
            match (b, a) {
                (Some(b), Some(a)) => assert!(a <= b, "{id} rose from {b} to {a}"),
                (None, Some(a)) => assert!(*a == 0.0, "{id} appeared at {a}"),
                _ => {}
            }
        }
    }

    /// A small deterministic generator, so that the property runs the same cases everywhere.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) % n as u64) as usize
        }
    }

    /// Random results for every control of `catalog`: fewer than `most` findings each, with a
    /// status and a resource drawn from those given and, when `items` is above 0, an item
    /// number below it.
    fn random_results(
        catalog: &Catalog,
        rng: &mut Lcg,
        most: usize,
        statuses: &[FindingStatus],
        resources: &[Option<&str>],
        items: usize,
    ) -> Vec<ControlResult> {
        catalog
            .controls
            .iter()
            .map(|c| ControlResult {
                control: c.clone(),
                findings: (0..rng.next(most))
                    .map(|_| {
                        let mut f = finding(statuses[rng.next(statuses.len())]);
                        f.resource = resources[rng.next(resources.len())].map(String::from);
                        if items > 0 {
                            f.item = rng.next(items);
                        }
                        f
                    })
                    .collect(),
            })
            .collect()
    }

    /// What [`fix_first`] must find, computed the plain way: every framework scored again in
    /// full for every fixed control.
    fn fix_first_in_full(
        catalog: &Catalog,
        frameworks: &[&Framework],
        results: &[ControlResult],
    ) -> Vec<FixGain> {
        let score = |f: &Framework, results: &[ControlResult]| {
            score_framework(
                catalog,
                f,
                &Judged::of(results),
                true,
                &Thresholds::default(),
            )
            .score
        };
        let failing = |f: &Finding| matches!(f.status, FindingStatus::Fail | FindingStatus::Error);
        let mut gains: Vec<FixGain> = Vec::new();
        for i in 0..results.len() {
            if results[i].control.check.is_attestation() || !results[i].findings.iter().any(failing)
            {
                continue;
            }
            let mut fixed = results.to_vec();
            for f in fixed[i].findings.iter_mut().filter(|f| failing(f)) {
                f.status = FindingStatus::Pass;
            }
            let id = &results[i].control.id;
            let gained: Vec<FrameworkGain> = frameworks
                .iter()
                .filter(|f| f.requirements.iter().any(|r| r.controls.contains(id)))
                .filter_map(|f| {
                    let after = score(f, &fixed).unwrap_or(0.0);
                    let points = round(after - score(f, results).unwrap_or(0.0));
                    (points > 0.0).then(|| FrameworkGain {
                        framework: f.id.clone(),
                        points,
                    })
                })
                .collect();
            if !gained.is_empty() {
                gains.push(FixGain {
                    control: id.clone(),
                    gains: gained,
                });
            }
        }
        order_by_gain(&mut gains);
        gains
    }

    /// Over random findings of the whole built-in catalog, with items shared between controls
    /// so that fixing one control makes items of others sound: the gains `fix_first` counts
    /// incrementally are the gains of scoring every framework again in full.
    #[test]
    fn fix_first_gains_equal_scoring_every_fix_in_full() {
        let catalog = load(&[CatalogRoot::Builtin]).expect("built-in catalog");
        let frameworks: Vec<&Framework> = catalog.frameworks.iter().collect();
        let statuses = [
            FindingStatus::Pass,
            FindingStatus::Fail,
            FindingStatus::Error,
            FindingStatus::Waived,
            FindingStatus::Warn,
        ];
        let resources = [
            None,
            Some("aws_s3_bucket.a"),
            Some("aws_s3_bucket.b"),
            Some("k8s/x"),
        ];
        let mut rng = Lcg(11);
        let mut compared = 0;
        for _ in 0..6 {
            let results = random_results(&catalog, &mut rng, 5, &statuses, &resources, 3);
            let expected = fix_first_in_full(&catalog, &frameworks, &results);
            compared += expected.len();
            assert_eq!(
                fix_first(&frameworks, &Judged::of(&results), usize::MAX),
                expected
            );
        }
        assert!(compared > 50, "too few gains compared: {compared}");
    }

    /// Property over random findings of the whole built-in catalog: adding a failing item to
    /// any control never raises a control, requirement or framework score, and neither does
    /// removing the evidence of a control that needs evidence.
    ///
    /// (Adding a resource that passes one control and fails another is covered end to end in
    /// `tests/scores.rs`.)
    #[test]
    fn adding_a_failure_or_removing_evidence_never_raises_a_score() {
        let catalog = load(&[CatalogRoot::Builtin]).expect("built-in catalog");
        let statuses = [
            FindingStatus::Pass,
            FindingStatus::Fail,
            FindingStatus::Waived,
            FindingStatus::Warn,
        ];
        // Items shared between controls (a resource judged by several of them), and items of
        // their own.
        let resources = [None, Some("aws_s3_bucket.a"), Some("aws_s3_bucket.b")];
        let mut rng = Lcg(7);
        for _ in 0..60 {
            let results = random_results(&catalog, &mut rng, 4, &statuses, &resources, 0);
            let before = all_scores(&catalog, &results);
            let i = rng.next(results.len());
            let with_failure: Vec<ControlResult> = results
                .iter()
                .enumerate()
                .map(|(j, r)| ControlResult {
                    control: r.control.clone(),
                    findings: r
                        .findings
                        .iter()
                        .cloned()
                        .chain((j == i).then(|| Finding {
                            resource: Some("aws_s3_bucket.new".into()),
                            ..finding(FindingStatus::Fail)
                        }))
                        .collect(),
                })
                .collect();
            never_raised(&before, &all_scores(&catalog, &with_failure));
            // A new resource that passes some automated controls and fails one: no score of a
            // framework mapping the failing control rises.
            let automated: Vec<usize> = (0..results.len())
                .filter(|&j| {
                    let control = &results[j].control;
                    !control.check.is_attestation()
                        && control.when_empty == WhenEmpty::NotApplicable
                })
                .collect();
            let failing = automated[rng.next(automated.len())];
            let passing: Vec<usize> = (0..3)
                .map(|_| automated[rng.next(automated.len())])
                .collect();
            let with_resource: Vec<ControlResult> = results
                .iter()
                .enumerate()
                .map(|(j, r)| {
                    let status = if j == failing {
                        Some(FindingStatus::Fail)
                    } else {
                        passing.contains(&j).then_some(FindingStatus::Pass)
                    };
                    ControlResult {
                        control: r.control.clone(),
                        findings: r
                            .findings
                            .iter()
                            .cloned()
                            .chain(status.map(|s| Finding {
                                resource: Some("aws_s3_bucket.mixed".into()),
                                ..finding(s)
                            }))
                            .collect(),
                    }
                })
                .collect();
            let judging: Vec<&str> = catalog
                .frameworks
                .iter()
                .filter(|f| {
                    f.requirements
                        .iter()
                        .any(|q| q.controls.contains(&results[failing].control.id))
                })
                .map(|f| f.id.as_str())
                .collect();
            let in_judging = |scores: Vec<(String, Option<f64>)>| {
                scores
                    .into_iter()
                    .filter(|(id, _)| {
                        let framework = id.split(':').next().unwrap_or_default();
                        judging.contains(&framework)
                    })
                    .collect::<Vec<_>>()
            };
            never_raised(
                &in_judging(before.clone()),
                &in_judging(all_scores(&catalog, &with_resource)),
            );
            let without_evidence: Vec<ControlResult> = results
                .iter()
                .map(|r| ControlResult {
                    control: r.control.clone(),
                    findings: if r.control.when_empty == WhenEmpty::NotAssessed {
                        Vec::new()
                    } else {
                        r.findings.clone()
                    },
                })
                .collect();
            never_raised(&before, &all_scores(&catalog, &without_evidence));
        }
    }

    /// Items, not findings, are counted: an item's findings count once with the worst status;
    /// waived items pass (and fail again without waivers), warnings neither pass nor fail, and
    /// an error among judged items lowers the score without hiding them.
    #[test]
    fn a_control_scores_the_share_of_items_passing() {
        let catalog = load(&[CatalogRoot::Builtin]).expect("built-in catalog");
        let control = catalog.control("tf-aws-s3-encryption").unwrap().clone();
        let on = |item: usize, status: FindingStatus| Finding {
            item,
            resource: Some(format!("aws_s3_bucket.b{item}")),
            ..finding(status)
        };
        let result = ControlResult {
            control: control.clone(),
            findings: vec![
                on(1, FindingStatus::Pass),
                on(2, FindingStatus::Fail),
                on(2, FindingStatus::Fail),
                on(3, FindingStatus::Waived),
                on(4, FindingStatus::Warn),
                on(5, FindingStatus::Error),
            ],
        };
        let s = alone(&result, true);
        assert_eq!(
            (s.passed, s.failed, s.waived, s.errors, s.warned),
            (1, 1, 1, 1, 1)
        );
        assert_eq!((s.score, s.status), (Some(50.0), Implementation::Partial));
        let before = alone(&result, false);
        assert_eq!(
            (before.failed, before.waived, before.score),
            (2, 0, Some(25.0))
        );

        let all_pass = ControlResult {
            control: control.clone(),
            findings: vec![on(1, FindingStatus::Pass), on(2, FindingStatus::Waived)],
        };
        let s = alone(&all_pass, true);
        assert_eq!(
            (s.score, s.status),
            (Some(100.0), Implementation::Implemented)
        );
        let only_errors = ControlResult {
            control,
            findings: vec![on(1, FindingStatus::Error)],
        };
        let s = alone(&only_errors, true);
        assert_eq!((s.score, s.status), (Some(0.0), Implementation::Error));
    }

    #[test]
    fn ratings_follow_the_thresholds() {
        let t = Thresholds::default();
        assert_eq!(t.rate(Some(90.0)), Rating::Green);
        assert_eq!(t.rate(Some(89.99)), Rating::Amber);
        assert_eq!(t.rate(Some(70.0)), Rating::Amber);
        assert_eq!(t.rate(Some(69.9)), Rating::Red);
        assert_eq!(t.rate(None), Rating::None);
    }

    /// The same control is out of the score or a gap scoring 0 as it declares.
    #[test]
    fn an_empty_selection_means_what_the_control_declares() {
        let catalog = load(&[CatalogRoot::Builtin]).expect("built-in catalog");
        let empty = |id: &str| {
            alone(
                &ControlResult {
                    control: catalog.control(id).expect(id).clone(),
                    findings: Vec::new(),
                },
                true,
            )
        };
        let mfa = empty("access-privileged-mfa");
        assert_eq!(
            (mfa.status, mfa.score),
            (Implementation::NotAssessed, Some(0.0))
        );
        let bucket = empty("tf-aws-s3-encryption");
        assert_eq!(
            (bucket.status, bucket.score),
            (Implementation::NotApplicable, None)
        );
    }
}
