//! OSCAL component definition (JSON) of framework mappings: one component, assay, with one
//! control implementation per framework whose implemented requirements are the framework's
//! requirements that built-in controls evidence, each naming those controls.
//!
//! One component rather than one per control: OSCAL's component is the thing that implements
//! requirements (here the assay tool with its catalog), and a control implementation is the set
//! of requirements of one source catalog it addresses, which is what a mapping file says.
//! UUIDs are version 5 from the framework and requirement ids, as in the assessment results.

use serde::Serialize;

use super::oscal::{prop, token, Prop, Uuids, OSCAL_VERSION};
use crate::catalog::Framework;

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "component-definition")]
    component_definition: ComponentDefinition<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ComponentDefinition<'a> {
    uuid: String,
    metadata: Metadata<'a>,
    components: [Component; 1],
    back_matter: BackMatter,
}

/// The frameworks, each a resource that a control implementation names as its source.
#[derive(Serialize)]
struct BackMatter {
    resources: Vec<Resource>,
}

#[derive(Serialize)]
struct Resource {
    uuid: String,
    title: String,
    props: Vec<Prop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    citation: Option<Citation>,
}

#[derive(Serialize)]
struct Citation {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Metadata<'a> {
    title: String,
    last_modified: &'a str,
    version: &'static str,
    oscal_version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Component {
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    description: &'static str,
    control_implementations: Vec<ControlImplementation>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ControlImplementation {
    uuid: String,
    source: String,
    description: String,
    props: Vec<Prop>,
    implemented_requirements: Vec<ImplementedRequirement>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct ImplementedRequirement {
    uuid: String,
    control_id: String,
    description: String,
    props: Vec<Prop>,
}

/// The component definition of `frameworks` as pretty-printed JSON ending with a newline, or
/// why there is none (no framework has a requirement with controls). `last_modified` is an
/// RFC 3339 time.
pub fn render(frameworks: &[&Framework], last_modified: &str) -> Result<String, String> {
    let uuids = Uuids::new();
    let implementations: Vec<ControlImplementation> = frameworks
        .iter()
        .filter_map(|f| implementation(&uuids, f))
        .collect();
    if implementations.is_empty() {
        return Err("no requirement of the framework(s) is evidenced by a control".into());
    }
    let ids: Vec<&str> = frameworks.iter().map(|f| f.id.as_str()).collect();
    let names: Vec<&str> = frameworks.iter().map(|f| f.name.as_str()).collect();
    let doc = Document {
        component_definition: ComponentDefinition {
            uuid: uuids.of(&format!("component-definition/{}", ids.join(","))),
            metadata: Metadata {
                title: format!("assay controls for {}", names.join(", ")),
                last_modified,
                version: env!("CARGO_PKG_VERSION"),
                oscal_version: OSCAL_VERSION,
            },
            components: [Component {
                uuid: uuids.of("component/assay"),
                kind: "software",
                title: "assay",
                description: "The assay policy-as-code compliance engine and its control \
                              catalog: automated checks of configuration and evidence, and \
                              attestations by people.",
                control_implementations: implementations,
            }],
            back_matter: BackMatter {
                resources: frameworks.iter().map(|f| resource(&uuids, f)).collect(),
            },
        },
    };
    let mut text = serde_json::to_string_pretty(&doc).expect("the document serializes");
    text.push('\n');
    Ok(text)
}

/// The control implementation of one framework; none when no requirement has controls.
fn implementation(uuids: &Uuids, f: &Framework) -> Option<ControlImplementation> {
    let requirements: Vec<ImplementedRequirement> = f
        .requirements
        .iter()
        .filter(|r| !r.controls.is_empty())
        .map(|r| {
            let mut props = vec![prop("requirement-id", r.id.as_str())];
            props.extend(r.controls.iter().map(|c| prop("control", c.as_str())));
            ImplementedRequirement {
                uuid: uuids.of(&format!("implemented-requirement/{}/{}", f.id, r.id)),
                control_id: token(&r.id),
                description: format!(
                    "{}{}Evidenced by the assay control(s) {}.",
                    r.title,
                    if r.title.is_empty() { "" } else { ": " },
                    r.controls.join(", ")
                ),
                props,
            }
        })
        .collect();
    if requirements.is_empty() {
        return None;
    }
    let version = f
        .version
        .as_deref()
        .map(|v| format!(" ({v})"))
        .unwrap_or_default();
    Some(ControlImplementation {
        uuid: uuids.of(&format!("control-implementation/{}", f.id)),
        source: format!("#{}", resource_uuid(uuids, f)),
        description: format!(
            "{}{version}{}: the requirements assay's controls evidence, by the mapping `{}`.",
            f.name,
            f.source
                .as_deref()
                .map(|s| format!(", published by {s}"))
                .unwrap_or_default(),
            f.id
        ),
        props: vec![prop("framework", f.id.as_str())],
        implemented_requirements: requirements,
    })
}

fn resource_uuid(uuids: &Uuids, f: &Framework) -> String {
    uuids.of(&format!("resource/framework/{}", f.id))
}

/// The back-matter resource describing framework `f`.
fn resource(uuids: &Uuids, f: &Framework) -> Resource {
    Resource {
        uuid: resource_uuid(uuids, f),
        title: match &f.version {
            Some(v) => format!("{} ({v})", f.name),
            None => f.name.clone(),
        },
        props: vec![prop("framework", f.id.as_str())],
        citation: f.source.as_ref().map(|s| Citation { text: s.clone() }),
    }
}
