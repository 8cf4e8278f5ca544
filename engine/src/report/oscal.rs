//! OSCAL assessment results (JSON): one result whose observations are the findings with their
//! evidence, whose findings are the failing controls, and whose reviewed controls are every
//! control evaluated. The assessment platform (assay) is described in the result's local
//! definitions and the control catalog in back-matter. UUIDs are version 5, derived from stable
//! names (never from time or absolute paths), so the same scan gives the same document.

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::uri::relative_uri;
use super::{ControlReport, Results};
use crate::model::{Finding, FindingStatus};

/// The OSCAL version the document conforms to.
pub const OSCAL_VERSION: &str = "1.1.2";
/// The namespace of assay's own properties.
const NS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/ns/oscal");

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "assessment-results")]
    assessment_results: AssessmentResults<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentResults<'a> {
    uuid: String,
    metadata: Metadata<'a>,
    import_ap: ImportAp,
    results: [OscalResult<'a>; 1],
    back_matter: BackMatter,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata<'a> {
    title: &'static str,
    last_modified: &'a str,
    version: &'a str,
    oscal_version: &'static str,
}

#[derive(Serialize)]
struct ImportAp {
    href: String,
    remarks: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct OscalResult<'a> {
    uuid: String,
    title: &'static str,
    description: String,
    start: &'a str,
    end: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
    local_definitions: LocalDefinitions,
    reviewed_controls: ReviewedControls,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    observations: Vec<Observation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    findings: Vec<OscalFinding<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct LocalDefinitions {
    assessment_assets: AssessmentAssets,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AssessmentAssets {
    components: [Component; 1],
    assessment_platforms: [Platform; 1],
}

#[derive(Serialize)]
struct Component {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    description: &'static str,
    props: Vec<Prop>,
    status: State,
}

#[derive(Serialize)]
struct State {
    state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Platform {
    uuid: String,
    title: &'static str,
    uses_components: [ComponentRef; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ComponentRef {
    component_uuid: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ReviewedControls {
    control_selections: [ControlSelection; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlSelection {
    #[serde(skip_serializing_if = "Option::is_none")]
    include_all: Option<Empty>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    include_controls: Vec<ControlId>,
}

/// `{}`.
#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlId {
    control_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Observation<'a> {
    uuid: String,
    title: String,
    description: &'a str,
    props: Vec<Prop>,
    methods: [&'static str; 1],
    origins: [Origin; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relevant_evidence: Vec<Evidence>,
    collected: &'a str,
}

#[derive(Serialize)]
struct Origin {
    actors: [Actor; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Actor {
    #[serde(rename = "type")]
    kind: &'static str,
    actor_uuid: String,
}

#[derive(Serialize)]
struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<String>,
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    props: Vec<Prop>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct OscalFinding<'a> {
    uuid: String,
    title: &'a str,
    description: String,
    props: Vec<Prop>,
    target: Target,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_observations: Vec<RelatedObservation>,
    remarks: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Target {
    #[serde(rename = "type")]
    kind: &'static str,
    target_id: String,
    status: TargetStatus,
}

#[derive(Serialize)]
struct TargetStatus {
    state: &'static str,
    reason: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct RelatedObservation {
    observation_uuid: String,
}

#[derive(Serialize)]
struct BackMatter {
    resources: [Resource; 1],
}

#[derive(Serialize)]
struct Resource {
    uuid: String,
    title: &'static str,
    description: &'static str,
    props: Vec<Prop>,
}

/// An assay property: `name` in assay's namespace.
#[derive(Serialize)]
pub(super) struct Prop {
    pub(super) name: &'static str,
    pub(super) ns: &'static str,
    pub(super) value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) class: Option<String>,
}

pub(super) fn prop(name: &'static str, value: impl Into<String>) -> Prop {
    Prop {
        name,
        ns: NS,
        value: value.into(),
        class: None,
    }
}

/// Version 5 UUIDs in assay's namespace.
pub(super) struct Uuids {
    namespace: Uuid,
}

impl Uuids {
    pub(super) fn new() -> Self {
        let url = concat!(env!("CARGO_PKG_REPOSITORY"), "/oscal");
        Self {
            namespace: Uuid::new_v5(&Uuid::NAMESPACE_URL, url.as_bytes()),
        }
    }

    pub(super) fn of(&self, name: &str) -> String {
        Uuid::new_v5(&self.namespace, name.as_bytes()).to_string()
    }
}

/// The assessment results as pretty-printed JSON, ending with a newline.
pub fn render(results: &Results) -> String {
    let uuids = Uuids::new();
    let platform = uuids.of("assessment-platform/assay");
    let component = uuids.of("component/assay");
    let catalog = uuids.of(&format!("catalog/{}", results.scan.catalog_digest));
    let collected = results.scan.finished_at.as_str();

    // Every observation's name, which makes its UUID and, hashed together, the document's.
    let mut digest = Sha256::new();
    digest.update(results.scan.catalog_digest.as_bytes());
    let mut observations = Vec::new();
    let mut by_control: Vec<Vec<(FindingStatus, String)>> = Vec::new();
    for c in &results.controls {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut of_control = Vec::new();
        for f in &c.findings {
            let key = observation_name(c, f);
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let name = format!("observation/{key}\0{n}");
            digest.update(name.as_bytes());
            let uuid = uuids.of(&name);
            of_control.push((f.status, uuid.clone()));
            observations.push(observation(c, f, uuid, &platform, collected));
        }
        by_control.push(of_control);
    }
    let document = hex::encode(digest.finalize());

    let findings = results
        .controls
        .iter()
        .zip(&by_control)
        .filter(|(c, _)| c.failed + c.errors > 0)
        .map(|(c, observed)| {
            finding(
                c,
                observed,
                uuids.of(&format!("finding/{document}/{}", c.id)),
            )
        })
        .collect();
    let include_controls: Vec<ControlId> = results
        .controls
        .iter()
        .map(|c| ControlId {
            control_id: token(&c.id),
        })
        .collect();
    let props = results
        .frameworks
        .iter()
        .filter_map(|f| {
            f.score.map(|score| Prop {
                class: Some(token(&f.id)),
                ..prop("framework-score", format!("{score:.1}"))
            })
        })
        .collect();
    let doc = Document {
        assessment_results: AssessmentResults {
            uuid: uuids.of(&format!("assessment-results/{document}")),
            metadata: Metadata {
                title: "assay assessment results",
                last_modified: collected,
                version: &results.tool.version,
                oscal_version: OSCAL_VERSION,
            },
            import_ap: ImportAp {
                href: format!("#{catalog}"),
                remarks: "assay assesses against its control catalog, described in back-matter, \
                          in place of a separate assessment plan.",
            },
            results: [OscalResult {
                uuid: uuids.of(&format!("result/{document}")),
                title: "assay scan",
                description: format!(
                    "{} controls evaluated automatically over {} documents in {} files of `{}`.",
                    results.summary.controls,
                    results.scan.documents,
                    results.scan.files,
                    results.scan.root
                ),
                start: &results.scan.started_at,
                end: collected,
                props,
                local_definitions: LocalDefinitions {
                    assessment_assets: AssessmentAssets {
                        components: [Component {
                            uuid: component.clone(),
                            kind: "software",
                            title: "assay",
                            description: "The policy-as-code compliance engine that collected the \
                                          evidence and evaluated the controls.",
                            props: vec![prop("version", results.tool.version.clone())],
                            status: State {
                                state: "operational",
                            },
                        }],
                        assessment_platforms: [Platform {
                            uuid: platform,
                            title: "assay",
                            uses_components: [ComponentRef {
                                component_uuid: component,
                            }],
                        }],
                    },
                },
                reviewed_controls: ReviewedControls {
                    control_selections: [ControlSelection {
                        include_all: include_controls.is_empty().then_some(Empty {}),
                        include_controls,
                    }],
                },
                observations,
                findings,
            }],
            back_matter: BackMatter {
                resources: [Resource {
                    uuid: catalog,
                    title: "assay control catalog",
                    description: "The controls and framework mappings evaluated, identified by \
                                  a sha256 over their files.",
                    props: vec![prop("catalog-sha256", results.scan.catalog_digest.clone())],
                }],
            },
        },
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("OSCAL serializes");
    out.push('\n');
    out
}

/// What identifies an observation: the control, the outcome, the item, its place, the message
/// and the evidence it rests on.
fn observation_name(c: &ControlReport, f: &Finding) -> String {
    let (path, line) = f
        .location
        .as_ref()
        .map_or(("", None), |l| (l.path.as_str(), l.line));
    format!(
        "{}\0{}\0{}\0{path}\0{}\0{}\0{}",
        c.id,
        f.status.as_str(),
        f.resource.as_deref().unwrap_or(""),
        line.map_or_else(String::new, |l| l.to_string()),
        f.message,
        f.evidence.join(",")
    )
}

fn observation<'a>(
    c: &ControlReport,
    f: &'a Finding,
    uuid: String,
    platform: &str,
    collected: &'a str,
) -> Observation<'a> {
    let mut props = vec![
        prop("control", c.id.clone()),
        prop("status", f.status.as_str()),
    ];
    if let Some(resource) = f
        .resource
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        props.push(prop("resource", resource));
    }
    let evidence_props = f
        .evidence
        .iter()
        .map(|d| prop("evidence-sha256", d.clone()))
        .collect();
    let relevant_evidence = match &f.location {
        Some(l) => vec![Evidence {
            href: Some(relative_uri(&l.path)),
            description: match l.line {
                Some(line) => format!("`{}`, line {line}", l.path),
                None => format!("`{}`", l.path),
            },
            props: evidence_props,
        }],
        None if !f.evidence.is_empty() => vec![Evidence {
            href: None,
            description: "The sources the finding rests on, by sha256.".to_string(),
            props: evidence_props,
        }],
        None => Vec::new(),
    };
    Observation {
        uuid,
        title: format!("{}: {}", c.id, f.status.as_str()),
        description: &f.message,
        props,
        methods: ["TEST"],
        origins: [Origin {
            actors: [Actor {
                kind: "assessment-platform",
                actor_uuid: platform.to_string(),
            }],
        }],
        relevant_evidence,
        collected,
    }
}

/// The finding of a failing control, pointing at its failing and error observations.
fn finding<'a>(
    c: &'a ControlReport,
    observed: &[(FindingStatus, String)],
    uuid: String,
) -> OscalFinding<'a> {
    let items = c.passed + c.failed + c.errors + c.waived;
    let mut description = format!("{} of {items} items fail", c.failed);
    if c.errors > 0 {
        description.push_str(&format!("; {} could not be evaluated", c.errors));
    }
    description.push('.');
    let mut props = vec![prop("severity", c.severity.as_str())];
    props.extend(c.mappings.iter().map(|m| prop("mapping", m.tag())));
    OscalFinding {
        uuid,
        title: &c.title,
        description,
        props,
        target: Target {
            kind: "objective-id",
            target_id: token(&c.id),
            status: TargetStatus {
                state: "not-satisfied",
                reason: "fail",
            },
        },
        related_observations: observed
            .iter()
            .filter(|(status, _)| matches!(status, FindingStatus::Fail | FindingStatus::Error))
            .map(|(_, uuid)| RelatedObservation {
                observation_uuid: uuid.clone(),
            })
            .collect(),
        remarks: format!("Remediation: {}", c.remediation),
    }
}

/// An id as an OSCAL token (an XML NCName): characters outside letters, digits, `.`, `-` and
/// `_` become `_`, and an id that does not start with a letter gets a leading `_`.
pub(super) fn token(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::token;

    #[test]
    fn ids_become_tokens() {
        assert_eq!(token("tf-aws-s3-encryption"), "tf-aws-s3-encryption");
        assert_eq!(token("1password-check"), "_1password-check");
        assert_eq!(token("a b:c"), "a_b_c");
    }
}
