//! Comparing the working tree with its base. A failure is known by its control, resource and
//! file, not by its line, so that moved lines are not new; findings that share a key are
//! matched as a multiset, by message first.

use std::collections::BTreeMap;

use crate::model::{Finding, FindingStatus};
use crate::report::check::{FixedFailure, NewFailure, ScoreDrop};
use crate::report::Results;
use crate::score::round;

/// What identifies a failure across revisions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FailureKey {
    pub control: String,
    pub resource: Option<String>,
    pub path: Option<String>,
}

impl FailureKey {
    pub fn of(control: &str, finding: &Finding) -> FailureKey {
        FailureKey {
            control: control.to_string(),
            resource: finding.resource.clone(),
            path: finding.location.as_ref().map(|l| l.path.clone()),
        }
    }
}

/// Whether a finding counts as a failure: it fails, or the check could not judge the item.
pub fn failing(status: FindingStatus) -> bool {
    matches!(status, FindingStatus::Fail | FindingStatus::Error)
}

/// The base side of a comparison: per key, the messages of its failing and waived findings
/// (`None` where the base keeps no messages), and the framework scores.
#[derive(Debug, Default)]
pub struct BaseSide {
    pub failing: BTreeMap<FailureKey, Vec<Option<String>>>,
    pub waived: BTreeMap<FailureKey, Vec<Option<String>>>,
    pub scores: BTreeMap<String, f64>,
}

impl BaseSide {
    /// The base from the findings of each control (waivers applied) and its framework scores.
    pub fn of<'f>(
        controls: impl Iterator<Item = (&'f str, &'f [Finding])>,
        scores: BTreeMap<String, f64>,
    ) -> BaseSide {
        let mut side = BaseSide {
            scores,
            ..BaseSide::default()
        };
        for (control, findings) in controls {
            for f in findings {
                let slot = if failing(f.status) {
                    &mut side.failing
                } else if f.status == FindingStatus::Waived {
                    &mut side.waived
                } else {
                    continue;
                };
                slot.entry(FailureKey::of(control, f))
                    .or_default()
                    .push(Some(f.message.clone()));
            }
        }
        side
    }
}

/// The outcome: new failures, fixes and score drops, and the results restricted to what is
/// new (each control's findings and counts cover only its new failures and new waivers).
#[derive(Debug)]
pub struct Comparison {
    pub new_failures: Vec<NewFailure>,
    pub fixed: Vec<FixedFailure>,
    pub score_drops: Vec<ScoreDrop>,
    pub view: Results,
}

/// Splits two lists of messages of one key into the indices of `head` and of `base` that the
/// other side does not account for: equal messages pair first, then whatever is left pairs
/// in order.
fn unpaired(head: &[&str], base: &[Option<String>]) -> (Vec<usize>, Vec<usize>) {
    let mut base_free: Vec<bool> = vec![true; base.len()];
    let mut head_free: Vec<bool> = vec![true; head.len()];
    for (i, message) in head.iter().enumerate() {
        if let Some(j) =
            (0..base.len()).find(|&j| base_free[j] && base[j].as_deref() == Some(message))
        {
            base_free[j] = false;
            head_free[i] = false;
        }
    }
    for free in head_free.iter_mut().filter(|f| **f) {
        if let Some(j) = (0..base.len()).find(|&j| base_free[j]) {
            base_free[j] = false;
            *free = false;
        }
    }
    let free = |flags: Vec<bool>| {
        flags
            .iter()
            .enumerate()
            .filter(|(_, f)| **f)
            .map(|(i, _)| i)
            .collect()
    };
    (free(head_free), free(base_free))
}

fn messages<'f>(findings: &[&'f Finding]) -> Vec<&'f str> {
    findings.iter().map(|f| f.message.as_str()).collect()
}

/// Compares `head` (waivers applied) with `base`; `relevant_error` says which source errors
/// of the head belong in the view.
pub fn compare(
    mut head: Results,
    base: &BaseSide,
    relevant_error: &dyn Fn(&str) -> bool,
) -> Comparison {
    let (kept, fixed) = new_and_fixed(&head, base);
    let mut new_failures = Vec::new();
    for (control, kept) in head.controls.iter_mut().zip(kept) {
        let count = |s: FindingStatus| kept.iter().filter(|f| f.status == s).count();
        control.failed = count(FindingStatus::Fail);
        control.errors = count(FindingStatus::Error);
        control.waived = count(FindingStatus::Waived);
        new_failures.extend(
            kept.iter()
                .filter(|f| failing(f.status))
                .map(|f| NewFailure {
                    control: control.id.clone(),
                    severity: control.severity,
                    status: f.status,
                    resource: f.resource.clone(),
                    path: f.location.as_ref().map(|l| l.path.clone()),
                    line: f.location.as_ref().and_then(|l| l.line),
                    message: f.message.clone(),
                }),
        );
        control.findings = kept;
    }
    head.errors.retain(|e| relevant_error(&e.path));
    let score_drops = head
        .frameworks
        .iter()
        .filter_map(|f| {
            let (before, now) = (*base.scores.get(&f.id)?, f.score?);
            (now < before).then(|| ScoreDrop {
                framework: f.id.clone(),
                base: before,
                head: now,
                drop: round(before - now),
            })
        })
        .collect();
    Comparison {
        new_failures,
        fixed,
        score_drops,
        view: head,
    }
}

/// Per control of `head` (in its order), the findings that are new against `base`: failing
/// ones and waived ones; and the base failures the head no longer has.
fn new_and_fixed(head: &Results, base: &BaseSide) -> (Vec<Vec<Finding>>, Vec<FixedFailure>) {
    let mut head_keys: BTreeMap<FailureKey, (Vec<&Finding>, Vec<&Finding>)> = BTreeMap::new();
    for c in &head.controls {
        for f in &c.findings {
            let waived = f.status == FindingStatus::Waived;
            if failing(f.status) || waived {
                let entry = head_keys.entry(FailureKey::of(&c.id, f)).or_default();
                if waived {
                    entry.1.push(f);
                } else {
                    entry.0.push(f);
                }
            }
        }
    }
    let none = Vec::new();
    let mut per_control = Vec::with_capacity(head.controls.len());
    for control in &head.controls {
        let mut kept: Vec<Finding> = Vec::new();
        for (key, (bad, waived)) in head_keys.range(
            FailureKey {
                control: control.id.clone(),
                resource: None,
                path: None,
            }..,
        ) {
            if key.control != control.id {
                break;
            }
            let (new, _) = unpaired(&messages(bad), base.failing.get(key).unwrap_or(&none));
            kept.extend(new.into_iter().map(|i| bad[i].clone()));
            let (new_waived, _) =
                unpaired(&messages(waived), base.waived.get(key).unwrap_or(&none));
            kept.extend(new_waived.into_iter().map(|i| waived[i].clone()));
        }
        kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        per_control.push(kept);
    }

    let mut fixed = Vec::new();
    for (key, messages) in &base.failing {
        let head_messages: Vec<&str> = head_keys
            .get(key)
            .map(|(bad, waived)| {
                bad.iter()
                    .chain(waived)
                    .map(|f| f.message.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let (_, gone) = unpaired(&head_messages, messages);
        fixed.extend(gone.into_iter().map(|j| FixedFailure {
            control: key.control.clone(),
            resource: key.resource.clone(),
            path: key.path.clone(),
            message: messages[j].clone(),
        }));
    }
    (per_control, fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_equal_messages_first_then_by_count() {
        let base = vec![Some("a".to_string()), Some("b".to_string())];
        assert_eq!(unpaired(&["b", "c", "a"], &base), (vec![1], vec![]));
        assert_eq!(unpaired(&["x"], &base), (vec![], vec![1]));
        assert_eq!(unpaired(&["x", "y"], &[None]), (vec![1], vec![]));
        assert_eq!(unpaired(&[], &base), (vec![], vec![0, 1]));
    }
}
