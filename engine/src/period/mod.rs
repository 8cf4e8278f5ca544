//! The observation period report: how every control fared over a window of time (a SOC 2 Type
//! II period), computed from the results of the scans kept in an evidence locker.
//!
//! Per control: its status in every scan of the period, its failures and the days each took to
//! remediate, and a lifecycle status; for the period: the scans, the weekly cadence with the
//! ISO weeks no scan covers, and the waivers and attestations in force. Pure: the input is the
//! locker's history as `(pack name, results.json)` pairs, oldest first.

pub mod cadence;

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::model::{FindingStatus, Location};
use crate::report::waivers::{WaiverReport, WaiverStatus};
use crate::report::{ControlKind, Results};
use crate::score::Implementation;
pub use cadence::{parse_day, Cadence};

/// Version of the period report's JSON (`schemas/period.schema.json`). Bumped on any
/// incompatible change.
pub const SCHEMA_VERSION: &str = "1.0.0";

/// Where a control stands over the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Implemented in no scan of the period (failing, or with no scan at all).
    NotImplemented,
    /// Implemented in some scans, but not in the last one.
    Partial,
    /// Implemented in the last scan, but not in every scan or not over an unbroken cadence.
    Implemented,
    /// Implemented in every scan of the period, and every ISO week of it has a scan.
    Verified,
    /// Never judged: not applicable or not evaluated in every scan of the period.
    NotApplicable,
}

impl Lifecycle {
    /// The label outputs show.
    pub fn label(self) -> &'static str {
        match self {
            Lifecycle::NotImplemented => "not implemented",
            Lifecycle::Partial => "partial",
            Lifecycle::Implemented => "implemented",
            Lifecycle::Verified => "verified",
            Lifecycle::NotApplicable => "not applicable",
        }
    }
}

/// The observation period report.
#[derive(Debug, Clone, Serialize)]
pub struct Period {
    pub schema_version: &'static str,
    /// First and last day of the period (`YYYY-MM-DD`, UTC, both included).
    pub from: String,
    pub to: String,
    /// The scans that finished in the period, oldest first.
    pub scans: Vec<Scan>,
    pub cadence: Cadence,
    /// Controls by lifecycle status.
    pub summary: Summary,
    /// Every control evaluated in a scan of the period, by id.
    pub controls: Vec<ControlHistory>,
    /// Waivers in force (not expired) in at least one scan of the period.
    pub waivers: Vec<WaiverInForce>,
    /// Attestations in force in at least one scan of the period.
    pub attestations: Vec<AttestationInForce>,
    /// Packs of the locker whose results could not be read: left out, with the reason.
    pub unreadable: Vec<Unreadable>,
}

/// One scan of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scan {
    /// The pack's folder under the locker's `packs/`.
    pub pack: String,
    pub finished_at: String,
    /// The UTC day it finished and its ISO week.
    pub date: String,
    pub week: String,
}

/// Controls by lifecycle status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub controls: usize,
    pub verified: usize,
    pub implemented: usize,
    pub partial: usize,
    pub not_implemented: usize,
    pub not_applicable: usize,
}

/// One control over the period.
#[derive(Debug, Clone, Serialize)]
pub struct ControlHistory {
    pub id: String,
    pub title: String,
    pub kind: ControlKind,
    pub lifecycle: Lifecycle,
    /// Its status in each scan, in the order of `scans`; null where the scan did not evaluate
    /// it.
    pub statuses: Vec<Option<Implementation>>,
    /// The statuses in one line, a character per scan: `P` implemented, `F` failing (partial,
    /// not implemented, not assessed, error), `N` not applicable, `-` not evaluated.
    pub timeline: String,
    /// Scans in which it was implemented, and in which it failed.
    pub passed: usize,
    pub failed: usize,
    /// The day of its first failing scan in the period.
    pub first_failure: Option<String>,
    /// Days from the first failing scan to the first implemented scan after it; none when it
    /// never failed or was not remediated within the period.
    pub time_to_remediation_days: Option<i64>,
    /// Every failure in the period: from a failing scan to the next implemented one.
    pub failures: Vec<Failure>,
}

/// A stretch of failing scans.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The day of the first failing scan.
    pub failed: String,
    /// The day of the first implemented scan after it; none while still failing.
    pub remediated: Option<String>,
    pub days: Option<i64>,
}

/// A waiver in force during the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverInForce {
    pub control: String,
    /// The waivers file (or the config file of an inline suppression) and line.
    pub path: String,
    pub line: u32,
    pub justification: String,
    pub approved_by: Option<String>,
    pub expires: Option<String>,
    /// The days of the first and last scans it was in force in.
    pub first_seen: String,
    pub last_seen: String,
    /// Scans it was in force in, and of those the scans in which it waived findings.
    pub scans: usize,
    pub applied: usize,
}

/// An attestation in force during the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttestationInForce {
    pub control: String,
    /// The attestation file.
    pub path: String,
    /// What the last scan it was in force in said of it (who attested, until when, signature).
    pub statement: String,
    pub first_seen: String,
    pub last_seen: String,
    pub scans: usize,
}

/// A pack whose results could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    pub pack: String,
    pub reason: String,
}

/// The fields of a results document the period reads.
#[derive(Deserialize)]
struct ScanResults {
    scan: ScanTime,
    controls: Vec<ScanControl>,
    #[serde(default)]
    waivers: Vec<WaiverReport>,
}

impl ScanResults {
    /// What the period keeps of a scan: the findings of attestations in force, no other.
    fn kept(mut self) -> ScanResults {
        for c in &mut self.controls {
            if c.kind == ControlKind::Attestation {
                c.findings.retain(|f| f.status == FindingStatus::Pass);
            } else {
                c.findings = Vec::new();
            }
        }
        self
    }
}

/// Just when a scan finished.
#[derive(Deserialize)]
struct Dated {
    scan: ScanTime,
}

#[derive(Deserialize)]
struct ScanTime {
    finished_at: String,
}

#[derive(Deserialize)]
struct ScanControl {
    id: String,
    title: String,
    #[serde(default)]
    kind: ControlKind,
    status: Implementation,
    #[serde(default)]
    findings: Vec<ScanFinding>,
}

#[derive(Deserialize)]
struct ScanFinding {
    status: FindingStatus,
    message: String,
    location: Option<Location>,
}

/// Why a period cannot be reported on.
pub fn check_bounds(from: Date, to: Date) -> Result<(), String> {
    if from > to {
        return Err(format!("the period starts ({from}) after it ends ({to})"));
    }
    if cadence::days_between(from, to) >= i64::from(cadence::MAX_DAYS) {
        return Err(format!(
            "the period from {from} to {to} is longer than ten years ({} days at most)",
            cadence::MAX_DAYS
        ));
    }
    Ok(())
}

impl Period {
    /// The report over `[from, to]` from a locker's `history` (pack name, results.json), oldest
    /// first. Scans are placed by the UTC day they finished.
    pub fn compute(history: &[(String, Vec<u8>)], from: Date, to: Date) -> Result<Period, String> {
        check_bounds(from, to)?;
        let mut unreadable = Vec::new();
        let mut dated = Vec::new();
        for (pack, bytes) in history {
            let read = serde_json::from_slice::<ScanResults>(bytes)
                .map_err(|e| format!("results.json:{}:{}: {e}", e.line(), e.column()))
                .and_then(|r| Ok((cadence::instant(&r.scan.finished_at)?, r.kept())));
            match read {
                Ok((at, r)) if (from..=to).contains(&cadence::utc_day(at)) => {
                    let day = cadence::utc_day(at);
                    let scan = Scan {
                        pack: pack.clone(),
                        finished_at: r.scan.finished_at.clone(),
                        date: day.to_string(),
                        week: cadence::week_of(day),
                    };
                    dated.push((at, (scan, day, r)));
                }
                Ok(_) => {}
                Err(reason) => unreadable.push(Unreadable {
                    pack: pack.clone(),
                    reason,
                }),
            }
        }
        // In time order (a stable sort: scans that finished at the same instant keep the
        // locker's order).
        dated.sort_by_key(|d| d.0);
        let scans: Vec<(Scan, Date, ScanResults)> = dated.into_iter().map(|d| d.1).collect();
        let days: Vec<Date> = scans.iter().map(|s| s.1).collect();
        let cadence = Cadence::of(from, to, &days);
        let controls = controls(&scans, cadence.gaps.is_empty());
        let waivers = waivers(&scans);
        let attestations = attestations(&scans);
        Ok(Period {
            schema_version: SCHEMA_VERSION,
            from: from.to_string(),
            to: to.to_string(),
            summary: Summary::of(&controls),
            scans: scans.into_iter().map(|s| s.0).collect(),
            cadence,
            controls,
            waivers,
            attestations,
            unreadable,
        })
    }

    /// The period an evidence site built with a locker shows: every scan of the locker's
    /// `history` and `current`, the scan of the pack `name` (appended unless it is already the
    /// last entry), from the day of the first to the day of the last (at most
    /// [`cadence::MAX_DAYS`] back).
    pub fn of_locker(
        mut history: Vec<(String, Vec<u8>)>,
        current: &Results,
        name: &str,
    ) -> Result<Period, String> {
        let bytes = crate::report::json::render(current).into_bytes();
        if history.last().map(|(_, b)| b) != Some(&bytes) {
            history.push((name.to_string(), bytes));
        }
        let days: Vec<Date> = history
            .iter()
            .filter_map(|(_, bytes)| serde_json::from_slice::<Dated>(bytes).ok())
            .filter_map(|d| cadence::day_of(&d.scan.finished_at).ok())
            .collect();
        let to = days.iter().max().copied();
        let to = to.map_or_else(|| cadence::day_of(&current.scan.finished_at), Ok)?;
        let earliest = to
            .checked_sub(jiff::Span::new().days(cadence::MAX_DAYS - 1))
            .unwrap_or(to);
        let from = days.iter().min().copied().unwrap_or(to).max(earliest);
        Period::compute(&history, from, to)
    }

    /// The report narrowed to the controls `keep` accepts (the summary counts only those).
    pub fn only(&self, keep: impl Fn(&str) -> bool) -> Period {
        let mut p = self.clone();
        p.controls.retain(|c| keep(&c.id));
        p.waivers.retain(|w| keep(&w.control));
        p.attestations.retain(|a| keep(&a.control));
        p.summary = Summary::of(&p.controls);
        p
    }
}

/// The report as pretty-printed JSON, ending with a newline.
pub fn json(period: &Period) -> String {
    let mut out = serde_json::to_string_pretty(period).expect("period serializes");
    out.push('\n');
    out
}

impl Summary {
    fn of(controls: &[ControlHistory]) -> Summary {
        let count = |l: Lifecycle| controls.iter().filter(|c| c.lifecycle == l).count();
        Summary {
            controls: controls.len(),
            verified: count(Lifecycle::Verified),
            implemented: count(Lifecycle::Implemented),
            partial: count(Lifecycle::Partial),
            not_implemented: count(Lifecycle::NotImplemented),
            not_applicable: count(Lifecycle::NotApplicable),
        }
    }
}

/// How a status counts over the period.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
    Neither,
}

fn outcome(status: Option<Implementation>) -> Outcome {
    match status {
        Some(Implementation::Implemented) => Outcome::Passed,
        Some(
            Implementation::Partial
            | Implementation::NotImplemented
            | Implementation::NotAssessed
            | Implementation::Error,
        ) => Outcome::Failed,
        Some(Implementation::NotApplicable) | None => Outcome::Neither,
    }
}

/// Every control of the scans with its history; `unbroken`: no week of the period lacks a scan.
fn controls(scans: &[(Scan, Date, ScanResults)], unbroken: bool) -> Vec<ControlHistory> {
    let mut by_id: BTreeMap<&str, (&ScanControl, Vec<Option<Implementation>>)> = BTreeMap::new();
    for (i, (_, _, r)) in scans.iter().enumerate() {
        for c in &r.controls {
            let entry = by_id
                .entry(c.id.as_str())
                .or_insert_with(|| (c, vec![None; scans.len()]));
            // The latest title and kind are shown.
            entry.0 = c;
            entry.1[i] = Some(c.status);
        }
    }
    by_id
        .into_values()
        .map(|(c, statuses)| {
            let outcomes: Vec<Outcome> = statuses.iter().map(|s| outcome(*s)).collect();
            let passed = outcomes.iter().filter(|o| **o == Outcome::Passed).count();
            let failed = outcomes.iter().filter(|o| **o == Outcome::Failed).count();
            let failures = failures(scans, &outcomes);
            let lifecycle = if passed == 0 && failed == 0 {
                Lifecycle::NotApplicable
            } else if passed == scans.len() && unbroken {
                Lifecycle::Verified
            } else if outcomes.last() == Some(&Outcome::Passed) {
                Lifecycle::Implemented
            } else if passed > 0 {
                Lifecycle::Partial
            } else {
                Lifecycle::NotImplemented
            };
            ControlHistory {
                id: c.id.clone(),
                title: c.title.clone(),
                kind: c.kind,
                lifecycle,
                timeline: statuses
                    .iter()
                    .map(|s| match (s, outcome(*s)) {
                        (None, _) => '-',
                        (_, Outcome::Passed) => 'P',
                        (_, Outcome::Failed) => 'F',
                        (_, Outcome::Neither) => 'N',
                    })
                    .collect(),
                statuses,
                passed,
                failed,
                first_failure: failures.first().map(|f| f.failed.clone()),
                time_to_remediation_days: failures.first().and_then(|f| f.days),
                failures,
            }
        })
        .collect()
}

/// The stretches of failing scans in `outcomes`: each from a failing scan to the next passing
/// one (scans that neither pass nor fail leave a stretch open).
fn failures(scans: &[(Scan, Date, ScanResults)], outcomes: &[Outcome]) -> Vec<Failure> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, o) in outcomes.iter().enumerate() {
        match (o, open) {
            (Outcome::Failed, None) => open = Some(i),
            (Outcome::Passed, Some(start)) => {
                out.push(Failure {
                    failed: scans[start].0.date.clone(),
                    remediated: Some(scans[i].0.date.clone()),
                    days: Some(cadence::days_between(scans[start].1, scans[i].1)),
                });
                open = None;
            }
            _ => {}
        }
    }
    if let Some(start) = open {
        out.push(Failure {
            failed: scans[start].0.date.clone(),
            remediated: None,
            days: None,
        });
    }
    out
}

/// Something seen in force in scans of the period: as the latest scan showed it, the days of
/// the first and last scans, in how many scans, and in how many it did something.
struct Seen<T> {
    latest: T,
    first: String,
    last: String,
    scans: usize,
    applied: usize,
}

fn note<K: Ord, T>(map: &mut BTreeMap<K, Seen<T>>, key: K, day: &str, item: T, applied: bool) {
    match map.get_mut(&key) {
        Some(seen) => {
            seen.latest = item;
            seen.last = day.to_string();
            seen.scans += 1;
            seen.applied += usize::from(applied);
        }
        None => {
            map.insert(
                key,
                Seen {
                    latest: item,
                    first: day.to_string(),
                    last: day.to_string(),
                    scans: 1,
                    applied: usize::from(applied),
                },
            );
        }
    }
}

/// The waivers not expired in some scan of the period, by control, file, line and
/// justification.
fn waivers(scans: &[(Scan, Date, ScanResults)]) -> Vec<WaiverInForce> {
    let mut seen = BTreeMap::new();
    for (scan, _, r) in scans {
        for w in r
            .waivers
            .iter()
            .filter(|w| w.status != WaiverStatus::Expired)
        {
            let key = (&w.control, &w.path, w.line, &w.justification);
            note(
                &mut seen,
                key,
                &scan.date,
                w,
                w.status == WaiverStatus::Applied,
            );
        }
    }
    seen.into_values()
        .map(|s| WaiverInForce {
            control: s.latest.control.clone(),
            path: s.latest.path.clone(),
            line: s.latest.line,
            justification: s.latest.justification.clone(),
            approved_by: s.latest.approved_by.clone(),
            expires: s.latest.expires.clone(),
            first_seen: s.first,
            last_seen: s.last,
            scans: s.scans,
            applied: s.applied,
        })
        .collect()
}

/// The attestations in force in some scan of the period (the passing findings of attestation
/// controls), by control and file.
fn attestations(scans: &[(Scan, Date, ScanResults)]) -> Vec<AttestationInForce> {
    let mut seen = BTreeMap::new();
    for (scan, _, r) in scans {
        let attestation_controls = r
            .controls
            .iter()
            .filter(|c| c.kind == ControlKind::Attestation);
        for c in attestation_controls {
            for f in c
                .findings
                .iter()
                .filter(|f| f.status == FindingStatus::Pass)
            {
                let Some(at) = &f.location else { continue };
                note(&mut seen, (&c.id, &at.path), &scan.date, &f.message, true);
            }
        }
    }
    seen.into_iter()
        .map(|((control, path), s)| AttestationInForce {
            control: control.clone(),
            path: path.clone(),
            statement: s.latest.clone(),
            first_seen: s.first,
            last_seen: s.last,
            scans: s.scans,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A results document of a scan on `day` with `controls` as (id, status).
    fn scan(day: &str, controls: &[(&str, &str)], extra: serde_json::Value) -> Vec<u8> {
        let mut doc = json!({
            "scan": {"finished_at": format!("{day}T06:00:00Z")},
            "controls": controls.iter().map(|(id, status)| json!({
                "id": id, "title": format!("Title of {id}"), "status": status, "findings": []
            })).collect::<Vec<_>>(),
        });
        if let (Some(doc), Some(extra)) = (doc.as_object_mut(), extra.as_object()) {
            doc.extend(extra.clone());
        }
        serde_json::to_vec(&doc).unwrap()
    }

    fn history(scans: &[(&str, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
        scans
            .iter()
            .map(|(day, bytes)| (day.replace('-', ""), bytes.clone()))
            .collect()
    }

    fn day(text: &str) -> Date {
        parse_day(text).unwrap()
    }

    fn control<'a>(p: &'a Period, id: &str) -> &'a ControlHistory {
        p.controls.iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn lifecycle_failures_and_remediation() {
        let none = json!({});
        let h = history(&[
            (
                "2025-12-29",
                scan(
                    "2025-12-29",
                    &[
                        ("a", "implemented"),
                        ("b", "not_implemented"),
                        ("c", "implemented"),
                        ("d", "partial"),
                        ("e", "not_applicable"),
                    ],
                    none.clone(),
                ),
            ),
            (
                "2026-01-05",
                scan(
                    "2026-01-05",
                    &[
                        ("a", "implemented"),
                        ("b", "partial"),
                        ("c", "error"),
                        ("d", "implemented"),
                        ("e", "not_applicable"),
                    ],
                    none.clone(),
                ),
            ),
            (
                "2026-01-12",
                scan(
                    "2026-01-12",
                    &[
                        ("a", "implemented"),
                        ("b", "not_implemented"),
                        ("c", "not_applicable"),
                        ("d", "partial"),
                        ("e", "not_applicable"),
                    ],
                    none.clone(),
                ),
            ),
            (
                "2026-01-21",
                scan(
                    "2026-01-21",
                    &[
                        ("a", "implemented"),
                        ("b", "implemented"),
                        ("c", "implemented"),
                        ("d", "partial"),
                    ],
                    none.clone(),
                ),
            ),
        ]);
        let p = Period::compute(&h, day("2025-12-29"), day("2026-01-25")).unwrap();
        assert_eq!(p.scans.len(), 4);
        assert_eq!(p.scans[3].week, "2026-W04");
        assert!(p.cadence.gaps.is_empty());
        assert_eq!(p.cadence.longest_interval_days, Some(9));
        assert_eq!(control(&p, "a").lifecycle, Lifecycle::Verified);
        assert_eq!(control(&p, "a").timeline, "PPPP");
        let b = control(&p, "b");
        assert_eq!(b.lifecycle, Lifecycle::Implemented);
        assert_eq!((b.passed, b.failed), (1, 3));
        assert_eq!(b.first_failure.as_deref(), Some("2025-12-29"));
        assert_eq!(b.time_to_remediation_days, Some(23));
        // A not-applicable scan leaves the failure open until the next implemented one.
        let c = control(&p, "c");
        assert_eq!(c.timeline, "PFNP");
        assert_eq!(
            c.failures,
            [Failure {
                failed: "2026-01-05".into(),
                remediated: Some("2026-01-21".into()),
                days: Some(16)
            }]
        );
        let d = control(&p, "d");
        assert_eq!(d.lifecycle, Lifecycle::Partial);
        assert_eq!(d.failures.len(), 2);
        assert_eq!(
            d.failures[1],
            Failure {
                failed: "2026-01-12".into(),
                remediated: None,
                days: None
            }
        );
        assert_eq!(d.time_to_remediation_days, Some(7));
        let e = control(&p, "e");
        assert_eq!(e.lifecycle, Lifecycle::NotApplicable);
        assert_eq!(e.timeline, "NNN-");
        assert_eq!(e.statuses[3], None);
        assert_eq!(
            p.summary,
            Summary {
                controls: 5,
                verified: 1,
                implemented: 2,
                partial: 1,
                not_implemented: 0,
                not_applicable: 1
            }
        );
        // Narrower periods: scans outside are left out; a week without a scan breaks
        // verification.
        let p = Period::compute(&h, day("2026-01-05"), day("2026-01-12")).unwrap();
        assert_eq!(p.scans.len(), 2);
        assert_eq!(control(&p, "b").lifecycle, Lifecycle::NotImplemented);
        let p = Period::compute(&h, day("2025-12-29"), day("2026-02-01")).unwrap();
        assert_eq!(p.cadence.gaps, ["2026-W05"]);
        assert_eq!(control(&p, "a").lifecycle, Lifecycle::Implemented);
        let soc = p.only(|id| id == "a" || id == "b");
        assert_eq!(soc.summary.controls, 2);
    }

    #[test]
    fn waivers_and_attestations_in_force() {
        let waiver = |status: &str, line: u32| {
            json!({"source": "file", "path": "waivers.yaml", "line": line, "control": "a",
                   "justification": "legacy bucket", "expires": "2026-03-01", "status": status, "findings": 1})
        };
        let attested = |day: &str| {
            json!([{"id": "att", "title": "Training", "kind": "attestation", "status": "implemented",
                    "findings": [{"status": "pass", "message": format!("attested on {day}"), "evidence": [],
                                  "location": {"path": "attestations/training.yaml", "line": 3}}]}])
        };
        let h = history(&[
            (
                "2026-01-05",
                scan(
                    "2026-01-05",
                    &[],
                    json!({"waivers": [waiver("applied", 4)], "controls": attested("2026-01-05")}),
                ),
            ),
            (
                "2026-01-12",
                scan(
                    "2026-01-12",
                    &[],
                    json!({"waivers": [waiver("unmatched", 4)], "controls": attested("2026-01-12")}),
                ),
            ),
            (
                "2026-01-19",
                scan(
                    "2026-01-19",
                    &[],
                    json!({"waivers": [waiver("expired", 4)]}),
                ),
            ),
        ]);
        let p = Period::compute(&h, day("2026-01-05"), day("2026-01-25")).unwrap();
        assert_eq!(p.waivers.len(), 1);
        let w = &p.waivers[0];
        assert_eq!(
            (w.first_seen.as_str(), w.last_seen.as_str()),
            ("2026-01-05", "2026-01-12")
        );
        assert_eq!((w.scans, w.applied), (2, 1));
        assert_eq!(p.attestations.len(), 1);
        let a = &p.attestations[0];
        assert_eq!(a.statement, "attested on 2026-01-12");
        assert_eq!((a.scans, a.last_seen.as_str()), (2, "2026-01-12"));
        assert_eq!(control(&p, "att").timeline, "PP-");
    }

    #[test]
    fn scans_are_ordered_by_instant() {
        let at = |time: &str, status: &str| {
            serde_json::to_vec(&json!({"scan": {"finished_at": time},
                "controls": [{"id": "a", "title": "A", "status": status}]}))
            .unwrap()
        };
        let h = vec![
            (
                "later".to_string(),
                at("2026-01-05T23:30:00Z", "implemented"),
            ),
            (
                "earlier".to_string(),
                at("2026-01-06T01:00:00+02:00", "partial"),
            ),
        ];
        let p = Period::compute(&h, day("2026-01-05"), day("2026-01-11")).unwrap();
        let packs: Vec<&str> = p.scans.iter().map(|s| s.pack.as_str()).collect();
        assert_eq!(packs, ["earlier", "later"]);
        assert_eq!(p.scans[0].date, "2026-01-05", "the UTC day");
        assert_eq!(control(&p, "a").timeline, "FP");
    }

    #[test]
    fn unreadable_packs_are_named_and_bounds_checked() {
        let h = vec![
            ("bad".to_string(), b"{\n  \"scan\": 3\n}".to_vec()),
            (
                "late".to_string(),
                scan("2026-01-05", &[("a", "implemented")], json!({})),
            ),
            (
                "undated".to_string(),
                br#"{"scan": {"finished_at": "soon"}, "controls": []}"#.to_vec(),
            ),
        ];
        let p = Period::compute(&h, day("2026-01-01"), day("2026-01-31")).unwrap();
        assert_eq!(p.scans.len(), 1);
        assert_eq!(p.unreadable.len(), 2);
        assert_eq!(p.unreadable[0].pack, "bad");
        assert!(
            p.unreadable[0].reason.starts_with("results.json:2:"),
            "{}",
            p.unreadable[0].reason
        );
        assert!(p.unreadable[1].reason.contains("`soon`"));
        assert!(Period::compute(&h, day("2026-02-01"), day("2026-01-31")).is_err());
        assert!(Period::compute(&h, day("2000-01-01"), day("2026-01-31")).is_err());
        let empty = Period::compute(&[], day("2026-01-01"), day("2026-01-04")).unwrap();
        assert_eq!(empty.cadence.gaps, ["2026-W01"]);
        assert!(empty.controls.is_empty());
    }
}
