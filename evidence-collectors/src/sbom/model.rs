//! One normalized shape for every SBOM format, and the facts drawn from it: NTIA minimum
//! elements, license policy verdicts and vulnerability remediation deadlines.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Map, Value};

use super::license::{License, LicensePolicy, Verdict};
use super::vex::{Refs, Vex};
use crate::lines::{pointer_push, LineMap, Position};

/// Where a value was read in the source document.
pub type At = Position;

/// Where the node at `pointer` starts in a source with positions `lines` (the nearest recorded
/// ancestor's position, else the first line).
pub fn at(lines: &LineMap, pointer: &str) -> At {
    lines.position(pointer).unwrap_or(Position::new(1, 1))
}

/// An SBOM, whatever format it was written in.
#[derive(Debug, Default)]
pub struct Sbom {
    /// `cyclonedx` or `spdx`.
    pub format: &'static str,
    /// Where the document starts.
    pub root: At,
    pub spec_version: String,
    pub serial_number: Option<String>,
    pub name: Option<String>,
    pub timestamp: Option<(String, At)>,
    /// Authors of the SBOM data (people, organizations or tools), and where they are listed.
    pub authors: Vec<String>,
    pub authors_at: Option<At>,
    /// The component the SBOM describes, when it names one.
    pub primary: Option<Component>,
    /// Whether the primary component is also one of `components` (SPDX) or stands apart
    /// (CycloneDX `metadata.component`).
    pub primary_listed: bool,
    pub components: Vec<Component>,
    pub dependencies: Vec<Dependency>,
    pub dependencies_at: Option<At>,
    pub vulnerabilities: Vec<Vulnerability>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Component {
    pub at: At,
    /// `bom-ref` or `SPDXID`.
    pub reference: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
    pub swid: Option<String>,
    pub supplier: Option<String>,
    /// The license expression and where it was read.
    pub license: Option<(String, At)>,
    /// (algorithm, value)
    pub hashes: Vec<(String, String)>,
}

#[derive(Debug, Default)]
pub struct Dependency {
    pub at: At,
    pub reference: String,
    pub depends_on: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Vulnerability {
    pub at: At,
    pub id: String,
    pub source: Option<String>,
    pub severity: Option<String>,
    pub score: Option<f64>,
    pub published: Option<String>,
    pub created: Option<String>,
    pub updated: Option<String>,
    pub analysis_state: Option<String>,
    /// The analysis' `justification` and `detail` (CycloneDX VEX).
    pub justification: Option<String>,
    pub detail: Option<String>,
    /// The `ref`s of the components it affects: bom-refs, purls or BOM links.
    pub affects: Vec<String>,
}

/// Remediation deadlines by severity; `None` means no deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlines {
    pub critical: Option<SignedDuration>,
    pub high: Option<SignedDuration>,
    pub medium: Option<SignedDuration>,
    pub low: Option<SignedDuration>,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self {
            critical: Some(SignedDuration::from_hours(24)),
            high: Some(SignedDuration::from_hours(24 * 7)),
            medium: Some(SignedDuration::from_hours(24 * 30)),
            low: None,
        }
    }
}

impl Deadlines {
    fn of(&self, severity: &str) -> Option<SignedDuration> {
        match severity {
            "critical" => self.critical,
            "high" => self.high,
            "medium" => self.medium,
            "low" => self.low,
            _ => None,
        }
    }
}

/// What the facts are judged with.
pub struct Judgement<'a> {
    pub policy: &'a LicensePolicy,
    pub deadlines: &'a Deadlines,
    pub now: Timestamp,
    /// The VEX statements of every CycloneDX document of the scan.
    pub vex: &'a Vex,
}

/// An NTIA element of a component and whether a component has it.
type ElementCheck = (&'static str, fn(&Component) -> bool);

/// CycloneDX analysis states under which a vulnerability needs no more work.
pub const CLOSED_STATES: [&str; 4] = [
    "resolved",
    "resolved_with_pedigree",
    "false_positive",
    "not_affected",
];

/// The severity of a CVSS base score.
pub fn severity_of_score(score: f64) -> &'static str {
    if score >= 9.0 {
        "critical"
    } else if score >= 7.0 {
        "high"
    } else if score >= 4.0 {
        "medium"
    } else if score > 0.0 {
        "low"
    } else {
        "none"
    }
}

fn hours(d: SignedDuration) -> f64 {
    (d.as_secs_f64() / 360.0).round() / 10.0
}

/// Lines of the normalized document, at the positions of what they were read from.
#[derive(Default)]
struct Lines(LineMap);

impl Lines {
    fn map(&mut self, pointer: &str, at: Option<At>) {
        self.0
            .insert(pointer.to_string(), at.unwrap_or(Position::new(1, 1)));
    }
}

impl Component {
    /// Sets where a component normalized before its place was known was read: it starts at
    /// `pointer` in a source with positions `lines`, and its license is its member
    /// `license_key`.
    pub fn locate(&mut self, lines: &LineMap, pointer: &str, license_key: &str) {
        self.at = at(lines, pointer);
        if let Some((_, license_at)) = &mut self.license {
            *license_at = at(lines, &pointer_push(pointer, license_key));
        }
    }

    fn has_unique_id(&self) -> bool {
        self.purl.is_some() || self.cpe.is_some() || self.swid.is_some()
    }

    fn label(&self) -> String {
        match (&self.name, &self.version) {
            (Some(n), Some(v)) => format!("{n}@{v}"),
            (Some(n), None) => n.clone(),
            (None, _) => self
                .reference
                .clone()
                .unwrap_or_else(|| "(unnamed)".to_string()),
        }
    }

    /// The facts of the component (its strings moved into them), whose license, judged, is
    /// `license`.
    fn into_facts(self, license: &License) -> Value {
        let label = self.label();
        let named = [
            ("name", self.name),
            ("version", self.version),
            ("purl", self.purl),
            ("cpe", self.cpe),
            ("swid", self.swid),
            ("supplier", self.supplier),
            ("ref", self.reference),
        ];
        // Sized exactly: a large SBOM holds one such map per component.
        let given = named.iter().filter(|(_, v)| v.is_some()).count();
        let mut facts = Map::with_capacity(given + 3);
        for (key, value) in named {
            if let Some(v) = value {
                facts.insert(key.into(), Value::String(v));
            }
        }
        facts.insert("label".into(), Value::String(label));
        facts.insert("licenses".into(), license.to_json());
        facts.insert(
            "hashes".into(),
            Value::Array(
                self.hashes
                    .into_iter()
                    .map(|(alg, value)| {
                        let mut hash = Map::with_capacity(2);
                        hash.insert("alg".into(), Value::String(alg));
                        hash.insert("value".into(), Value::String(value));
                        Value::Object(hash)
                    })
                    .collect(),
            ),
        );
        Value::Object(facts)
    }
}

/// Licenses judged by expression: most components of an SBOM share a few.
#[derive(Default)]
struct Judged(HashMap<String, License>);

impl Judged {
    fn of(&mut self, component: &Component, policy: &LicensePolicy) -> License {
        let Some((expression, _)) = &component.license else {
            return License::unknown(None);
        };
        if let Some(license) = self.0.get(expression) {
            return license.clone();
        }
        let license = License::parse(expression, policy);
        self.0.insert(expression.clone(), license.clone());
        license
    }
}

impl Sbom {
    /// The facts of the SBOM (its strings moved into them) and the line of each.
    pub fn facts(self, judge: &Judgement<'_>) -> (Value, LineMap) {
        let mut lines = Lines::default();
        lines.map("", Some(self.root));
        // What is drawn from the components as a whole, before they are moved into the facts.
        let ntia = self.ntia(&mut lines);
        let (vulnerabilities, open, overdue, first_overdue) = self.vulnerability_facts(judge);
        for (i, v) in self.vulnerabilities.iter().enumerate() {
            lines.map(&format!("/vulnerabilities/{i}"), Some(v.at));
        }
        let overdue_at = first_overdue.map(|i| self.vulnerabilities[i].at);
        lines.map("/vulnerability_counts/overdue", overdue_at);

        let mut facts = Map::new();
        facts.insert("type".into(), json!("sbom"));
        facts.insert("format".into(), json!(self.format));
        facts.insert("spec_version".into(), json!(self.spec_version));
        if let Some(serial) = self.serial_number {
            facts.insert("serial_number".into(), json!(serial));
        }
        if let Some(name) = self.name {
            facts.insert("name".into(), json!(name));
        }
        if let Some((timestamp, at)) = self.timestamp {
            facts.insert("timestamp".into(), json!(timestamp));
            lines.map("/timestamp", Some(at));
        }
        facts.insert("authors".into(), json!(self.authors));
        lines.map("/authors", self.authors_at);

        let mut judged = Judged::default();
        let mut verdicts = [0u64; 4];
        let mut first_with = [None::<At>; 4];
        let component_count = self.components.len();
        let mut components = Vec::with_capacity(component_count);
        for (i, c) in self.components.into_iter().enumerate() {
            let pointer = format!("/components/{i}");
            lines.map(&pointer, Some(c.at));
            lines.map(
                &format!("{pointer}/licenses"),
                Some(c.license.as_ref().map_or(c.at, |(_, a)| *a)),
            );
            let at = c.at;
            let license = judged.of(&c, judge.policy);
            let slot = match license.verdict {
                Verdict::Allowed => 0,
                Verdict::Denied => 1,
                Verdict::NotAllowed => 2,
                Verdict::Unknown => 3,
            };
            verdicts[slot] += 1;
            first_with[slot].get_or_insert(at);
            components.push(c.into_facts(&license));
        }
        if let Some(primary) = self.primary {
            lines.map("/primary", Some(primary.at));
            let license = judged.of(&primary, judge.policy);
            facts.insert("primary".into(), primary.into_facts(&license));
        }
        facts.insert("components".into(), Value::Array(components));
        facts.insert("component_count".into(), json!(component_count));
        facts.insert(
            "licenses".into(),
            json!({
                "allowed": verdicts[0],
                "denied": verdicts[1],
                "not_allowed": verdicts[2],
                "unknown": verdicts[3],
                "policy": judge.policy.to_json(),
            }),
        );
        lines.map("/licenses/denied", first_with[1]);
        lines.map("/licenses/not_allowed", first_with[2]);
        lines.map("/licenses/unknown", first_with[3]);

        facts.insert(
            "dependencies".into(),
            Value::Array(
                self.dependencies
                    .into_iter()
                    .enumerate()
                    .map(|(i, d)| {
                        lines.map(&format!("/dependencies/{i}"), Some(d.at));
                        let mut dependency = Map::with_capacity(2);
                        dependency.insert("ref".into(), Value::String(d.reference));
                        dependency.insert(
                            "depends_on".into(),
                            Value::Array(d.depends_on.into_iter().map(Value::String).collect()),
                        );
                        Value::Object(dependency)
                    })
                    .collect(),
            ),
        );
        lines.map("/dependencies", self.dependencies_at);

        facts.insert("vulnerabilities".into(), Value::Array(vulnerabilities));
        facts.insert(
            "vulnerability_counts".into(),
            json!({"total": self.vulnerabilities.len(), "open": open, "overdue": overdue}),
        );
        facts.insert("ntia".into(), ntia);
        (Value::Object(facts), lines.0)
    }

    /// The components NTIA asks about: the primary one and every listed component.
    fn ntia_components(&self) -> Vec<&Component> {
        let primary = self.primary.iter().filter(|_| !self.primary_listed);
        primary.chain(&self.components).collect()
    }

    /// NTIA minimum elements: supplier, name, version and a unique id per component, the
    /// dependency relationships, the author and the timestamp of the SBOM data.
    fn ntia(&self, lines: &mut Lines) -> Value {
        let components = self.ntia_components();
        let mut missing = Map::new();
        let checks: [ElementCheck; 4] = [
            ("supplier", |c| c.supplier.is_some()),
            ("name", |c| c.name.is_some()),
            ("version", |c| c.version.is_some()),
            ("unique_id", Component::has_unique_id),
        ];
        let mut gaps = Vec::new();
        for (element, present) in checks {
            let lacking: Vec<&&Component> = components.iter().filter(|c| !present(c)).collect();
            missing.insert(element.into(), json!(lacking.len()));
            lines.map(
                &format!("/ntia/missing/{element}"),
                lacking.first().map(|c| c.at),
            );
            if let Some(first) = lacking.first() {
                gaps.push(format!(
                    "{element} missing for {} of {} component(s), first `{}`",
                    lacking.len(),
                    components.len(),
                    first.label()
                ));
            }
        }
        let edges: usize = self.dependencies.iter().map(|d| d.depends_on.len()).sum();
        let no_relationships = edges == 0 && !self.components.is_empty();
        let document_level = [
            ("dependencies", no_relationships, self.dependencies_at),
            ("author", self.authors.is_empty(), self.authors_at),
            (
                "timestamp",
                self.timestamp.is_none(),
                self.timestamp.as_ref().map(|(_, a)| *a),
            ),
        ];
        for (element, lacking, at) in document_level {
            missing.insert(element.into(), json!(u8::from(lacking)));
            lines.map(&format!("/ntia/missing/{element}"), at.or(Some(self.root)));
            if lacking {
                gaps.push(format!("no {element}"));
            }
        }
        json!({
            "complete": gaps.is_empty(),
            "missing": missing,
            "gaps": gaps,
        })
    }

    /// Facts of each vulnerability, and the counts of open and overdue ones.
    fn vulnerability_facts(&self, judge: &Judgement<'_>) -> (Vec<Value>, u64, u64, Option<usize>) {
        let (mut open_count, mut overdue_count, mut first_overdue) = (0, 0, None);
        let refs =
            (!judge.vex.is_empty() && !self.vulnerabilities.is_empty()).then(|| Refs::of(self));
        let facts = self
            .vulnerabilities
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let severity = v
                    .severity
                    .clone()
                    .or_else(|| v.score.map(|s| severity_of_score(s).to_string()))
                    .unwrap_or_else(|| "unknown".into());
                let mut open = v
                    .analysis_state
                    .as_deref()
                    .is_none_or(|s| !CLOSED_STATES.contains(&s));
                let mut facts = Map::new();
                if open {
                    if let Some(statement) =
                        refs.as_ref().and_then(|refs| judge.vex.closing(refs, v))
                    {
                        open = false;
                        facts.insert("vex".into(), statement.to_json());
                    }
                }
                facts.insert("id".into(), json!(v.id));
                facts.insert("severity".into(), json!(severity));
                let mut put = |key: &str, value: &Option<String>| {
                    if let Some(value) = value {
                        facts.insert(key.into(), json!(value));
                    }
                };
                put("source", &v.source);
                put("published", &v.published);
                put("created", &v.created);
                put("updated", &v.updated);
                put("analysis_state", &v.analysis_state);
                put("justification", &v.justification);
                put("detail", &v.detail);
                if let Some(score) = v.score {
                    facts.insert("score".into(), json!(score));
                }
                facts.insert("affects".into(), json!(v.affects));
                facts.insert("open".into(), json!(open));
                let since = v
                    .published
                    .as_deref()
                    .or(v.created.as_deref())
                    .and_then(parse_time);
                let deadline = judge.deadlines.of(&severity);
                let mut overdue = false;
                if let Some(since) = since {
                    let age = judge.now.duration_since(since);
                    facts.insert("age_hours".into(), json!(hours(age)));
                    if let Some(deadline) = deadline {
                        facts.insert("deadline_hours".into(), json!(hours(deadline)));
                        if let Ok(due) = since.checked_add(deadline) {
                            facts.insert("due".into(), json!(due.to_string()));
                        }
                        overdue = open && age > deadline;
                    }
                }
                facts.insert("overdue".into(), json!(overdue));
                if open {
                    open_count += 1;
                }
                if overdue {
                    overdue_count += 1;
                    first_overdue.get_or_insert(i);
                }
                Value::Object(facts)
            })
            .collect();
        (facts, open_count, overdue_count, first_overdue)
    }
}

/// Reads an RFC 3339 date-time, or a date alone (midnight UTC).
pub fn parse_time(text: &str) -> Option<Timestamp> {
    let text = text.trim();
    text.parse::<Timestamp>().ok().or_else(|| {
        let date: jiff::civil::Date = text.parse().ok()?;
        date.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(name: &str, supplier: Option<&str>, purl: Option<&str>) -> Component {
        Component {
            at: Position::new(2, 1),
            name: Some(name.into()),
            version: Some("1.0".into()),
            supplier: supplier.map(str::to_string),
            purl: purl.map(str::to_string),
            ..Component::default()
        }
    }

    fn judge<'a>(policy: &'a LicensePolicy, deadlines: &'a Deadlines) -> Judgement<'a> {
        static NO_VEX: std::sync::LazyLock<Vex> = std::sync::LazyLock::new(Vex::default);
        Judgement {
            policy,
            deadlines,
            now: "2024-03-01T00:00:00Z".parse().unwrap(),
            vex: &NO_VEX,
        }
    }

    #[test]
    fn ntia_counts_gaps_per_element() {
        let sbom = Sbom {
            format: "cyclonedx",
            components: vec![
                component("a", Some("Acme"), Some("pkg:npm/a@1.0")),
                component("b", None, None),
            ],
            timestamp: Some(("2024-01-01T00:00:00Z".into(), Position::new(3, 5))),
            ..Sbom::default()
        };
        let policy = LicensePolicy::default_policy();
        let deadlines = Deadlines::default();
        let (facts, _) = sbom.facts(&judge(&policy, &deadlines));
        let ntia = &facts["ntia"];
        assert_eq!(ntia["complete"], false);
        assert_eq!(ntia["missing"]["supplier"], 1);
        assert_eq!(ntia["missing"]["unique_id"], 1);
        assert_eq!(ntia["missing"]["name"], 0);
        assert_eq!(ntia["missing"]["dependencies"], 1);
        assert_eq!(ntia["missing"]["author"], 1);
        assert_eq!(ntia["missing"]["timestamp"], 0);
        assert_eq!(
            ntia["gaps"][0],
            "supplier missing for 1 of 2 component(s), first `b@1.0`"
        );
    }

    #[test]
    fn deadlines_follow_severity_and_state() {
        let vuln = |id: &str, severity: &str, published: &str, state: Option<&str>| Vulnerability {
            at: Position::default(),
            id: id.into(),
            severity: Some(severity.into()),
            published: Some(published.into()),
            analysis_state: state.map(str::to_string),
            ..Vulnerability::default()
        };
        let sbom = Sbom {
            format: "cyclonedx",
            vulnerabilities: vec![
                vuln("CVE-1", "critical", "2024-02-28T00:00:00Z", None),
                vuln(
                    "CVE-2",
                    "critical",
                    "2024-02-29T12:00:00Z",
                    Some("in_triage"),
                ),
                vuln("CVE-3", "high", "2024-01-01", Some("not_affected")),
                vuln("CVE-4", "low", "2020-01-01", None),
                Vulnerability {
                    id: "CVE-5".into(),
                    score: Some(7.5),
                    created: Some("2024-02-01T00:00:00Z".into()),
                    ..Vulnerability::default()
                },
            ],
            ..Sbom::default()
        };
        let policy = LicensePolicy::default_policy();
        let deadlines = Deadlines::default();
        let (facts, _) = sbom.facts(&judge(&policy, &deadlines));
        let v = &facts["vulnerabilities"];
        assert_eq!(v[0]["overdue"], true);
        assert_eq!(v[0]["age_hours"], 48.0);
        assert_eq!(v[0]["deadline_hours"], 24.0);
        assert_eq!(v[0]["due"], "2024-02-29T00:00:00Z");
        assert_eq!(v[1]["overdue"], false);
        assert_eq!(v[2]["open"], false);
        assert_eq!(v[2]["overdue"], false);
        assert_eq!(v[3]["overdue"], false, "no deadline for low by default");
        assert_eq!(v[4]["severity"], "high");
        assert_eq!(v[4]["overdue"], true);
        assert_eq!(
            facts["vulnerability_counts"],
            json!({"total": 5, "open": 4, "overdue": 2})
        );
    }
}
