//! SARIF 2.1.0, for code-scanning tools: one rule per control, one result per failing, warning
//! or waived finding (waived ones carry a suppression), and error findings, unreadable sources
//! and skipped files as tool execution notifications.
//!
//! Attestation controls are left out: a missing or expired statement by a person has no
//! source line to annotate (the JSON results, the site and the documents report them).
//!
//! The log is built from typed structs of our own covering the part of SARIF assay writes; the
//! tests validate it against the official schema.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::uri::relative_uri;
use super::{ControlKind, ControlReport, Results};
use crate::model::{Finding, FindingStatus, Location, Severity};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The base every artifact uri is relative to: the scan root.
const SRCROOT: &str = "%SRCROOT%";
/// The key of the fingerprint that identifies a finding across line shifts.
const FINGERPRINT: &str = "assayFinding/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation<'a>; 1],
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

impl Text {
    fn new(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    /// The control's family, then `framework:requirement` for each mapping.
    tags: Vec<String>,
    severity: Severity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation<'a>>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "str::is_empty")]
    start_time_utc: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    end_time_utc: &'a str,
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification<'a> {
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<SarifLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    associated_rule: Option<RuleReference<'a>>,
}

#[derive(Serialize)]
struct RuleReference<'a> {
    id: &'a str,
    index: usize,
}

/// The SARIF level of a failure of a control of `severity`.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// The SARIF log as pretty-printed JSON, ending with a newline.
pub fn render(results: &Results) -> String {
    let controls: Vec<&ControlReport> = results
        .controls
        .iter()
        .filter(|c| c.kind == ControlKind::Automated)
        .collect();
    let rules = controls.iter().copied().map(rule).collect();
    let mut findings = Vec::new();
    let mut notifications = Vec::new();
    for (index, control) in controls.into_iter().enumerate() {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for f in &control.findings {
            match f.status {
                FindingStatus::Pass => {}
                FindingStatus::Error => notifications.push(Notification {
                    level: "error",
                    message: Text::new(f.message.clone()),
                    locations: location(f).into_iter().collect(),
                    associated_rule: Some(RuleReference {
                        id: &control.id,
                        index,
                    }),
                }),
                FindingStatus::Fail | FindingStatus::Warn | FindingStatus::Waived => {
                    let key = fingerprint_key(control, f);
                    let n = seen.entry(key.clone()).or_default();
                    *n += 1;
                    findings.push(result(control, index, f, &format!("{key}\0{n}")));
                }
            }
        }
    }
    for e in &results.errors {
        let text = match &e.hint {
            Some(hint) => format!("{} (hint: {hint})", e.message),
            None => e.message.clone(),
        };
        let region = e.line.map(|start_line| Region {
            start_line,
            start_column: e.column,
        });
        notifications.push(Notification {
            level: "error",
            message: Text::new(text),
            locations: vec![physical(&e.path, region)],
            associated_rule: None,
        });
    }
    for s in &results.skipped {
        notifications.push(Notification {
            level: "note",
            message: Text::new(format!("skipped: {}", s.reason)),
            locations: vec![physical(&s.path, None)],
            associated_rule: None,
        });
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: &results.tool.name,
                    version: &results.tool.version,
                    semantic_version: &results.tool.version,
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                start_time_utc: &results.scan.started_at,
                end_time_utc: &results.scan.finished_at,
                tool_execution_notifications: notifications,
            }],
            column_kind: "unicodeCodePoints",
            results: findings,
        }],
    };
    let mut out = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    out.push('\n');
    out
}

fn rule(c: &ControlReport) -> Rule<'_> {
    let mut text = c.description.clone();
    let mut markdown = c.description.clone();
    let _ = write!(text, "\n\nRemediation: {}", c.remediation);
    let _ = write!(markdown, "\n\n**Remediation:** {}", c.remediation);
    if !c.mappings.is_empty() {
        let tags: Vec<String> = c.mappings.iter().map(|m| m.tag()).collect();
        let _ = write!(text, "\n\nFrameworks: {}", tags.join(", "));
        let _ = write!(markdown, "\n\n**Frameworks:** {}", tags.join(", "));
    }
    if !c.references.is_empty() {
        text.push_str("\n\nReferences:");
        markdown.push_str("\n\n**References:**\n");
        for r in &c.references {
            let _ = write!(text, "\n- {r}");
            let _ = write!(markdown, "\n- {r}");
        }
    }
    let mut tags = vec![c.family.clone()];
    tags.extend(c.mappings.iter().map(|m| m.tag()));
    Rule {
        id: &c.id,
        short_description: Text::new(c.title.clone()),
        full_description: Text::new(c.description.clone()),
        help: Help { text, markdown },
        help_uri: c
            .references
            .iter()
            .find(|r| r.starts_with("https://") || r.starts_with("http://"))
            .map(String::as_str),
        default_configuration: Configuration {
            level: level(c.severity),
        },
        properties: RuleProperties {
            tags,
            severity: c.severity,
        },
    }
}

fn result<'a>(
    control: &'a ControlReport,
    index: usize,
    f: &'a Finding,
    fingerprint: &str,
) -> SarifResult<'a> {
    let level = match (f.status, level(control.severity)) {
        // A warning never outranks `warning`.
        (FindingStatus::Warn, "error") => "warning",
        (_, level) => level,
    };
    let suppressions = if f.status == FindingStatus::Waived {
        vec![Suppression {
            kind: "external",
            status: "accepted",
        }]
    } else {
        Vec::new()
    };
    SarifResult {
        rule_id: &control.id,
        rule_index: index,
        level,
        message: Text::new(f.message.clone()),
        locations: location(f).into_iter().collect(),
        partial_fingerprints: BTreeMap::from([(
            FINGERPRINT,
            hex::encode(Sha256::digest(fingerprint.as_bytes())),
        )]),
        suppressions,
    }
}

/// What identifies a finding whatever its line: control, resource, path and message.
fn fingerprint_key(control: &ControlReport, f: &Finding) -> String {
    format!(
        "{}\0{}\0{}\0{}",
        control.id,
        f.resource.as_deref().unwrap_or(""),
        f.location.as_ref().map_or("", |l| l.path.as_str()),
        f.message
    )
}

/// The file and line of a finding, and the resource it judged.
fn location(f: &Finding) -> Option<SarifLocation<'_>> {
    let physical_location = f.location.as_ref().map(|Location { path, line }| {
        physical_location(
            path,
            line.map(|start_line| Region {
                start_line,
                start_column: None,
            }),
        )
    });
    let logical_locations: Vec<LogicalLocation> = f
        .resource
        .iter()
        .map(|r| LogicalLocation {
            fully_qualified_name: r,
            kind: "resource",
        })
        .collect();
    (physical_location.is_some() || !logical_locations.is_empty()).then_some(SarifLocation {
        physical_location,
        logical_locations,
    })
}

fn physical<'a>(path: &str, region: Option<Region>) -> SarifLocation<'a> {
    SarifLocation {
        physical_location: Some(physical_location(path, region)),
        logical_locations: Vec::new(),
    }
}

fn physical_location(path: &str, region: Option<Region>) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: relative_uri(path),
            uri_base_id: SRCROOT,
        },
        region,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
    }
}
