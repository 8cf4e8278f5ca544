//! The facts of one log, gathered part by part: each part of a log (a block of lines, a batch of
//! CSV records) is summarized on its own, and summaries of consecutive parts merge in order
//! into the summary of the whole log. Memory stays bounded: a summary keeps counts and a few
//! line numbers, never the events.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

use super::chain::{ChainRules, ChainSummary};
use super::event::{Field, Mapping};
use super::node::Node;
use crate::dlp::{Category, Findings, Scanner};
use crate::lines::{pointer_push, LineMap, Position};

/// How many malformed line numbers are kept.
const MAX_MALFORMED_LINES: usize = 20;
/// How many incomplete events and privilege changes are listed with their lines.
const MAX_LISTED: usize = 100;

/// What a part of a log is judged with.
pub struct Context<'a> {
    pub mapping: &'a Mapping,
    pub chain: &'a ChainRules,
    pub dlp: &'a Scanner,
}

/// A timestamp and the line of its event.
type Stamp = (Timestamp, u64);

/// The summary of a part of a log. It is kept in checkpoints (see `checkpoint`), so that a
/// later scan continues it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    events: u64,
    first_event_line: Option<u64>,
    #[serde(with = "stamp")]
    earliest: Option<Stamp>,
    #[serde(with = "stamp")]
    latest: Option<Stamp>,
    /// The first and last timestamped events in file order (for gaps across parts).
    #[serde(with = "stamp")]
    head: Option<Stamp>,
    #[serde(with = "stamp")]
    tail: Option<Stamp>,
    /// The largest forward gap between consecutive events (in nanoseconds), and the line of
    /// the later one.
    #[serde(with = "gap")]
    largest_gap: Option<(SignedDuration, u64)>,
    out_of_order: u64,
    missing: [u64; 5],
    first_missing: [Option<u64>; 5],
    complete: u64,
    first_incomplete: Option<u64>,
    privileged: u64,
    first_privileged: Option<u64>,
    /// Events lacking a required field: how many, and the first ones with what they lack.
    incomplete: u64,
    incomplete_events: Vec<(u64, Vec<Field>)>,
    /// The first privileged events, normalized.
    privilege_changes: Vec<(u64, Value)>,
    failed_auth: u64,
    first_failed_auth: Option<u64>,
    malformed: u64,
    malformed_lines: Vec<u64>,
    first_malformed_error: Option<String>,
    chain: ChainSummary,
    dlp: Findings,
}

fn keep_first(slot: &mut Option<u64>, line: u64) {
    slot.get_or_insert(line);
}

impl Summary {
    /// Counts one event read from `line`.
    pub fn event(&mut self, line: u64, mut event: Node<'_>, ctx: &Context<'_>) {
        let normalized = ctx.mapping.extract(&event);
        self.events += 1;
        keep_first(&mut self.first_event_line, line);
        if let Some(ts) = normalized.timestamp {
            self.step((ts, line));
            if self.earliest.is_none_or(|(e, _)| ts < e) {
                self.earliest = Some((ts, line));
            }
            if self.latest.is_none_or(|(l, _)| ts > l) {
                self.latest = Some((ts, line));
            }
        }
        let mut complete = true;
        for (i, field) in Field::ALL.into_iter().enumerate() {
            if !normalized.has(field) {
                complete = false;
                self.missing[i] += 1;
                keep_first(&mut self.first_missing[i], line);
            }
        }
        if complete {
            self.complete += 1;
        } else {
            keep_first(&mut self.first_incomplete, line);
        }
        let lacking: Vec<Field> = ctx
            .mapping
            .required
            .iter()
            .copied()
            .filter(|f| !normalized.has(*f))
            .collect();
        if !lacking.is_empty() {
            self.incomplete += 1;
            if self.incomplete_events.len() < MAX_LISTED {
                self.incomplete_events.push((line, lacking));
            }
        }
        if ctx.mapping.is_privileged(&normalized) {
            self.privileged += 1;
            keep_first(&mut self.first_privileged, line);
            if self.privilege_changes.len() < MAX_LISTED {
                let mut change = normalized.to_json();
                redact_strings(&mut change, ctx.dlp);
                self.privilege_changes.push((line, change));
            }
        }
        if ctx.mapping.is_failed_authentication(&normalized) {
            self.failed_auth += 1;
            keep_first(&mut self.first_failed_auth, line);
        }
        self.chain.observe(line, &mut event, ctx.chain);
    }

    /// Records a line that is not a readable event.
    pub fn malformed(&mut self, line: u64, message: String) {
        self.malformed += 1;
        if self.malformed_lines.len() < MAX_MALFORMED_LINES {
            self.malformed_lines.push(line);
        }
        self.first_malformed_error.get_or_insert(message);
        self.chain.observe_unreadable(line);
    }

    /// Runs the personal-data and secret detectors over one line of raw text.
    pub fn scan_text(&mut self, line: u64, text: &[u8], ctx: &Context<'_>) {
        ctx.dlp.scan_into(line, text, &mut self.dlp);
    }

    /// Replaces the detector findings (for sources whose text is scanned apart from the events).
    pub fn set_findings(&mut self, findings: Findings) {
        self.dlp = findings;
    }

    /// Moves the file-order clock to the next timestamped event.
    fn step(&mut self, stamp: Stamp) {
        if let Some((previous, _)) = self.tail {
            let gap = stamp.0.duration_since(previous);
            if gap.is_negative() {
                self.out_of_order += 1;
            } else if self.largest_gap.is_none_or(|(g, _)| gap > g) {
                self.largest_gap = Some((gap, stamp.1));
            }
        }
        self.head.get_or_insert(stamp);
        self.tail = Some(stamp);
    }

    /// Appends the summary of the part that follows this one.
    pub fn merge(&mut self, later: Summary, chain: &ChainRules) {
        self.events += later.events;
        self.first_event_line = self.first_event_line.or(later.first_event_line);
        if let Some(head) = later.head {
            // The gap across the boundary, then the later part's own largest gap.
            self.step(head);
        }
        if let Some((gap, line)) = later.largest_gap {
            if self.largest_gap.is_none_or(|(g, _)| gap > g) {
                self.largest_gap = Some((gap, line));
            }
        }
        if later.tail.is_some() {
            self.tail = later.tail;
        }
        self.out_of_order += later.out_of_order;
        if let Some(e) = later.earliest {
            if self.earliest.is_none_or(|(x, _)| e.0 < x) {
                self.earliest = Some(e);
            }
        }
        if let Some(l) = later.latest {
            if self.latest.is_none_or(|(x, _)| l.0 > x) {
                self.latest = Some(l);
            }
        }
        for i in 0..5 {
            self.missing[i] += later.missing[i];
            self.first_missing[i] = self.first_missing[i].or(later.first_missing[i]);
        }
        self.complete += later.complete;
        self.first_incomplete = self.first_incomplete.or(later.first_incomplete);
        self.privileged += later.privileged;
        self.first_privileged = self.first_privileged.or(later.first_privileged);
        self.incomplete += later.incomplete;
        let room = MAX_LISTED.saturating_sub(self.incomplete_events.len());
        self.incomplete_events
            .extend(later.incomplete_events.into_iter().take(room));
        let room = MAX_LISTED.saturating_sub(self.privilege_changes.len());
        self.privilege_changes
            .extend(later.privilege_changes.into_iter().take(room));
        self.failed_auth += later.failed_auth;
        self.first_failed_auth = self.first_failed_auth.or(later.first_failed_auth);
        self.malformed += later.malformed;
        for line in later.malformed_lines {
            if self.malformed_lines.len() < MAX_MALFORMED_LINES {
                self.malformed_lines.push(line);
            }
        }
        if self.first_malformed_error.is_none() {
            self.first_malformed_error = later.first_malformed_error;
        }
        self.chain.merge(later.chain, chain);
        self.dlp.merge(later.dlp);
    }

    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn malformed_count(&self) -> u64 {
        self.malformed
    }

    /// The first malformed line and what was wrong with it.
    pub fn first_malformed(&self) -> Option<(u64, &str)> {
        Some((
            *self.malformed_lines.first()?,
            self.first_malformed_error.as_deref()?,
        ))
    }

    /// The facts of the whole log, and the line each of them points at; `required` are the
    /// fields every event must have.
    pub fn facts(
        &self,
        chain: &ChainRules,
        required_days: f64,
        required: &[Field],
    ) -> (Value, LineMap) {
        let mut lines = LineMap::new();
        let mut at = |pointer: &str, line: Option<u64>| {
            if let Some(line) = line {
                let line = u32::try_from(line).unwrap_or(u32::MAX);
                lines.insert(pointer.to_string(), Position::new(line, 1));
            }
        };
        at("", Some(1));
        at("/events", self.first_event_line);
        let mut facts = Map::new();
        facts.insert("events".into(), json!(self.events));
        let period = match (self.earliest, self.latest) {
            (Some((first, first_line)), Some((last, last_line))) => {
                facts.insert("first".into(), json!(first.to_string()));
                facts.insert("last".into(), json!(last.to_string()));
                at("/first", Some(first_line));
                at("/last", Some(last_line));
                last.duration_since(first).as_secs_f64() / 86_400.0
            }
            _ => 0.0,
        };
        facts.insert("period_days".into(), number(round(period, 2)));
        facts.insert("required_retention_days".into(), number(required_days));
        facts.insert("retention_met".into(), json!(period >= required_days));
        let first_line = self.earliest.map(|(_, l)| l).or(self.first_event_line);
        if period < required_days {
            // Rounded up, so that a log just short of the requirement never shows 0.
            let shortfall = ((required_days - period) * 100.0).ceil() / 100.0;
            facts.insert("retention_shortfall_days".into(), number(shortfall));
            at("/retention_shortfall_days", first_line);
        }
        at("/period_days", first_line);
        at("/retention_met", first_line);
        if let Some((gap, line)) = self.largest_gap {
            facts.insert("largest_gap_seconds".into(), json!(gap.as_secs()));
            facts.insert("largest_gap_at_line".into(), json!(line));
            at("/largest_gap_seconds", Some(line));
            at("/largest_gap_at_line", Some(line));
        }
        facts.insert("out_of_order_events".into(), json!(self.out_of_order));
        let share = if self.events == 0 {
            0.0
        } else {
            self.complete as f64 / self.events as f64
        };
        facts.insert("complete_share".into(), json!(round(share, 4)));
        at("/complete_share", self.first_incomplete);
        let mut missing = Map::new();
        for (i, field) in Field::ALL.into_iter().enumerate() {
            missing.insert(field.as_str().into(), json!(self.missing[i]));
            at(
                &pointer_push("/missing_fields", field.as_str()),
                self.first_missing[i],
            );
        }
        facts.insert("missing_fields".into(), Value::Object(missing));
        facts.insert("privileged_actions".into(), json!(self.privileged));
        at("/privileged_actions", self.first_privileged);
        let required: Vec<&str> = required.iter().map(|f| f.as_str()).collect();
        facts.insert("required_fields".into(), json!(required));
        facts.insert("incomplete_events_count".into(), json!(self.incomplete));
        at(
            "/incomplete_events_count",
            self.incomplete_events.first().map(|(line, _)| *line),
        );
        let mut listed = Vec::new();
        for (i, (line, lacking)) in self.incomplete_events.iter().enumerate() {
            let names: Vec<&str> = lacking.iter().map(|f| f.as_str()).collect();
            listed.push(json!({"line": line, "missing": names}));
            for key in ["", "/line", "/missing"] {
                at(&format!("/incomplete_events/{i}{key}"), Some(*line));
            }
        }
        let unlisted = self.incomplete - listed.len() as u64;
        if unlisted > 0 {
            facts.insert("incomplete_events_unlisted".into(), json!(unlisted));
            at(
                "/incomplete_events_unlisted",
                self.incomplete_events.first().map(|(line, _)| *line),
            );
        }
        facts.insert("incomplete_events".into(), Value::Array(listed));
        let mut changes = Vec::new();
        for (i, (line, fields)) in self.privilege_changes.iter().enumerate() {
            let mut change = fields.clone();
            change["line"] = json!(line);
            at(&format!("/privilege_changes/{i}"), Some(*line));
            for key in [
                "line",
                "timestamp",
                "actor",
                "action",
                "resource",
                "outcome",
            ] {
                at(&format!("/privilege_changes/{i}/{key}"), Some(*line));
            }
            changes.push(change);
        }
        facts.insert("privilege_changes".into(), Value::Array(changes));
        facts.insert("failed_authentications".into(), json!(self.failed_auth));
        at("/failed_authentications", self.first_failed_auth);

        let (hash_chain, broken) = self.chain.facts(chain);
        facts.insert("hash_chain".into(), hash_chain);
        for key in ["", "/verified", "/first_broken_line", "/reason"] {
            at(&format!("/hash_chain{key}"), broken);
        }

        facts.insert("dlp".into(), self.dlp.to_json());
        let first_of = |category: Category| {
            self.dlp
                .by_detector
                .iter()
                .filter(|(d, _)| d.category() == category)
                .filter_map(|(_, f)| f.lines.first().copied())
                .min()
        };
        at("/dlp/personal_data", first_of(Category::PersonalData));
        at("/dlp/secrets", first_of(Category::Secret));
        for (detector, found) in &self.dlp.by_detector {
            let base = pointer_push("/dlp/findings", detector.as_str());
            at(&base, found.lines.first().copied());
            for (i, line) in found.lines.iter().enumerate() {
                at(&format!("{base}/lines/{i}"), Some(*line));
            }
        }

        facts.insert("malformed_count".into(), json!(self.malformed));
        facts.insert("malformed_lines".into(), json!(self.malformed_lines));
        at("/malformed_count", self.malformed_lines.first().copied());
        at("/malformed_lines", self.malformed_lines.first().copied());
        for (i, line) in self.malformed_lines.iter().enumerate() {
            at(&format!("/malformed_lines/{i}"), Some(*line));
        }
        if let Some(error) = &self.first_malformed_error {
            facts.insert("malformed_error".into(), json!(error));
        }
        (Value::Object(facts), lines)
    }
}

/// A JSON number, written as an integer when it is whole (`90`, not `90.0`).
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

fn round(x: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (x * scale).round() / scale
}

/// Every string in `value` with what the detectors find redacted: a listed event keeps no
/// personal data or secret (an actor's e-mail address reads `[REDACTED:email]`).
fn redact_strings(value: &mut Value, dlp: &Scanner) {
    match value {
        Value::String(text) => *text = dlp.redact(text),
        Value::Array(items) => items.iter_mut().for_each(|v| redact_strings(v, dlp)),
        Value::Object(fields) => fields.values_mut().for_each(|v| redact_strings(v, dlp)),
        _ => {}
    }
}

/// A [`Stamp`] as its RFC 3339 text and line.
mod stamp {
    use super::*;

    pub fn serialize<S: Serializer>(stamp: &Option<Stamp>, s: S) -> Result<S::Ok, S::Error> {
        stamp.map(|(t, line)| (t.to_string(), line)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Stamp>, D::Error> {
        Option::<(String, u64)>::deserialize(d)?
            .map(|(t, line)| Ok((t.parse().map_err(serde::de::Error::custom)?, line)))
            .transpose()
    }
}

/// A gap as whole nanoseconds and the line after it.
mod gap {
    use super::*;

    pub fn serialize<S: Serializer>(
        gap: &Option<(SignedDuration, u64)>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        gap.map(|(g, line)| (g.as_nanos(), line)).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<(SignedDuration, u64)>, D::Error> {
        Ok(Option::<(i128, u64)>::deserialize(d)?.map(|(nanos, line)| {
            let (secs, rest) = (nanos / 1_000_000_000, nanos % 1_000_000_000);
            let secs = i64::try_from(secs).unwrap_or(i64::MAX);
            (SignedDuration::new(secs, rest as i32), line)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit_log::preset::Preset;
    use crate::audit_log::settings::preset_mapping;

    fn summarize(events: &[Value], split: usize) -> (Value, LineMap) {
        let mapping = preset_mapping(Preset::Generic);
        let chain = ChainRules::default();
        let dlp = Scanner::all();
        let ctx = Context {
            mapping: &mapping,
            chain: &chain,
            dlp: &dlp,
        };
        let mut a = Summary::default();
        let mut b = Summary::default();
        for (i, e) in events.iter().enumerate() {
            let part = if i < split { &mut a } else { &mut b };
            let line = i as u64 + 1;
            part.scan_text(line, e.to_string().as_bytes(), &ctx);
            part.event(line, Node::from(e), &ctx);
        }
        a.merge(b, &chain);
        a.facts(&chain, 90.0, &mapping.required)
    }

    #[test]
    fn period_gaps_and_fields_do_not_depend_on_the_split() {
        let events = vec![
            json!({"timestamp": "2024-01-01T00:00:00Z", "actor": "a", "action": "login", "resource": "r", "outcome": "ok"}),
            json!({"timestamp": "2024-01-02T00:00:00Z", "actor": "a", "action": "grant admin", "resource": "r", "outcome": "ok"}),
            json!({"timestamp": "2024-01-01T12:00:00Z", "actor": "bob@example.com", "action": "login", "outcome": "failed"}),
            json!({"timestamp": "2024-04-15T00:00:00Z", "actor": "a", "action": "read", "resource": "r", "outcome": "ok"}),
        ];
        let reference = summarize(&events, 0).0;
        for split in 1..=4 {
            assert_eq!(summarize(&events, split).0, reference, "split {split}");
        }
        let (facts, lines) = summarize(&events, 2);
        assert_eq!(facts["events"], 4);
        assert_eq!(facts["first"], "2024-01-01T00:00:00Z");
        assert_eq!(facts["last"], "2024-04-15T00:00:00Z");
        assert_eq!(facts["period_days"], 105.0);
        assert_eq!(facts["retention_met"], true);
        assert_eq!(facts["out_of_order_events"], 1);
        // Line 3 goes back in time; the largest forward gap ends at line 4.
        assert_eq!(facts["largest_gap_at_line"], 4);
        assert_eq!(facts["largest_gap_seconds"], 104 * 86_400 + 43_200);
        assert_eq!(facts["missing_fields"]["resource"], 1);
        assert_eq!(facts["complete_share"], 0.75);
        assert_eq!(facts["privileged_actions"], 1);
        assert_eq!(facts["failed_authentications"], 1);
        assert_eq!(facts["dlp"]["findings"]["email"]["lines"], json!([3]));
        assert_eq!(lines.line("/missing_fields/resource"), Some(3));
        assert_eq!(lines.line("/largest_gap_seconds"), Some(4));
        assert_eq!(lines.line("/privileged_actions"), Some(2));
        assert_eq!(lines.line("/dlp/findings/email/lines/0"), Some(3));
        assert_eq!(lines.line("/first"), Some(1));
        assert_eq!(lines.line("/last"), Some(4));
        // Who, what, which target and when: the event without a target is listed at its line.
        assert_eq!(
            facts["required_fields"],
            json!(["timestamp", "actor", "action", "resource"])
        );
        assert_eq!(facts["incomplete_events_count"], 1);
        assert_eq!(
            facts["incomplete_events"],
            json!([{"line": 3, "missing": ["resource"]}])
        );
        assert_eq!(lines.line("/incomplete_events/0/missing"), Some(3));
        assert_eq!(
            facts["privilege_changes"],
            json!([{"line": 2, "timestamp": "2024-01-02T00:00:00Z", "actor": "a", "action": "grant admin", "resource": "r", "outcome": "ok"}])
        );
        assert_eq!(lines.line("/privilege_changes/0/actor"), Some(2));
    }

    /// The lists keep the first events in file order, however the log is split, and no more
    /// than their bound.
    #[test]
    fn listed_events_are_bounded_and_in_order() {
        let events: Vec<Value> = (0..MAX_LISTED + 20)
            .map(|i| json!({"timestamp": "2024-01-01T00:00:00Z", "actor": "root", "action": format!("grant admin {i}")}))
            .collect();
        let reference = summarize(&events, 0).0;
        let (facts, _) = summarize(&events, 7);
        assert_eq!(facts, reference);
        assert_eq!(facts["incomplete_events_count"], MAX_LISTED + 20);
        let listed = facts["incomplete_events"].as_array().unwrap();
        assert_eq!(listed.len(), MAX_LISTED);
        assert_eq!(listed[0]["line"], 1);
        assert_eq!(listed[MAX_LISTED - 1]["line"], MAX_LISTED);
        assert_eq!(facts["incomplete_events_unlisted"], 20);
        assert_eq!(
            facts["privilege_changes"].as_array().unwrap().len(),
            MAX_LISTED
        );
        assert_eq!(facts["privileged_actions"], MAX_LISTED + 20);
    }
}
