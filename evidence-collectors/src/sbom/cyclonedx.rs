//! CycloneDX (JSON, or XML read into the same shape) to the normalized [`Sbom`]: the members
//! the model needs are read straight from the document, leniently (see [`super::lenient`]),
//! and each component is normalized as soon as it is read.

use serde::{Deserialize, Deserializer};

use super::lenient::{members, shaped, First, List, Present, Scalar, Shape};
use super::model::{at, severity_of_score, At, Component, Dependency, Sbom, Vulnerability};
use crate::lines::{pointer_push, LineMap};

members! {
    /// A CycloneDX BOM, as far as the normalized model reads it.
    pub struct Bom {
        "bomFormat" => bom_format: Scalar,
        "specVersion" => spec_version: Scalar,
        "serialNumber" => serial_number: Scalar,
        "metadata" => metadata: Metadata,
        "components" => components: List<Node>,
        "dependencies" => dependencies: Present<List<RawDependency>>,
        "vulnerabilities" => vulnerabilities: List<RawVulnerability>,
    }

    struct Metadata {
        "timestamp" => timestamp: Scalar,
        "authors" => authors: Present<List<Entity>>,
        "manufacture" => manufacture: Entity,
        "manufacturer" => manufacturer: Entity,
        "supplier" => supplier: Entity,
        "tools" => tools: Present<Tools>,
        "component" => component: Present<Node>,
    }

    /// An organization or a person.
    struct Entity {
        "name" => name: Scalar,
        "url" => url: First,
        "email" => email: Scalar,
    }

    struct Tool {
        "name" => name: Scalar,
        "vendor" => vendor: Scalar,
        "group" => group: Scalar,
    }

    /// `metadata.tools` from CycloneDX 1.5 on.
    struct ToolKinds {
        "components" => components: List<Tool>,
        "services" => services: List<Tool>,
    }

    struct RawComponent {
        "bom-ref" => reference: Scalar,
        "name" => name: Scalar,
        "version" => version: Scalar,
        "purl" => purl: Scalar,
        "cpe" => cpe: Scalar,
        "swid" => swid: Swid,
        "supplier" => supplier: Entity,
        "manufacturer" => manufacturer: Entity,
        "publisher" => publisher: Scalar,
        "licenses" => licenses: List<LicenseEntry>,
        "hashes" => hashes: List<Hash>,
        "components" => components: List<Node>,
    }

    struct Swid {
        "tagId" => tag_id: Scalar,
    }

    /// One entry of `licenses`: an expression, or a license by id or name.
    struct LicenseEntry {
        "expression" => expression: Scalar,
        "license" => license: LicenseChoice,
    }

    struct LicenseChoice {
        "id" => id: Scalar,
        "name" => name: Scalar,
    }

    struct Hash {
        "alg" => alg: Scalar,
        "content" => content: Scalar,
    }

    struct RawDependency {
        "ref" => reference: Scalar,
        "dependsOn" => depends_on: List<Scalar>,
    }

    struct RawVulnerability {
        "id" => id: Scalar,
        "bom-ref" => reference: Scalar,
        "source" => source: Named,
        "ratings" => ratings: List<Rating>,
        "published" => published: Scalar,
        "created" => created: Scalar,
        "updated" => updated: Scalar,
        "analysis" => analysis: Analysis,
        "affects" => affects: List<Affected>,
    }

    struct Named {
        "name" => name: Scalar,
    }

    struct Rating {
        "severity" => severity: Scalar,
        "score" => score: Scalar,
    }

    struct Analysis {
        "state" => state: Scalar,
        "justification" => justification: Scalar,
        "detail" => detail: Scalar,
    }

    struct Affected {
        "ref" => reference: Scalar,
    }
}

impl Bom {
    /// Whether the document says it is a CycloneDX BOM (`"bomFormat": "CycloneDX"`).
    pub fn is_cyclonedx(&self) -> bool {
        self.bom_format.as_str() == Some("CycloneDX")
    }
}

/// The tools that produced the BOM: a list (1.4), or components and services (1.5+).
#[derive(Debug, Default)]
struct Tools(Vec<Tool>);

impl Shape for Tools {
    fn from_seq<'de, A: serde::de::SeqAccess<'de>>(seq: A) -> Result<Self, A::Error> {
        List::from_seq(seq).map(|tools| Tools(tools.0))
    }

    fn from_map<'de, A: serde::de::MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let kinds = ToolKinds::from_map(map)?;
        Ok(Tools(
            kinds
                .components
                .0
                .into_iter()
                .chain(kinds.services.0)
                .collect(),
        ))
    }
}

impl<'de> Deserialize<'de> for Tools {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        shaped(d)
    }
}

/// A component, normalized as soon as it is read (its pointer is set once its place in the
/// tree is known), and the components nested in it.
#[derive(Debug, Default)]
struct Node {
    component: Component,
    children: Vec<Node>,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawComponent::deserialize(d).map(RawComponent::normalize)
    }
}

impl Entity {
    /// Its name, else its (first) URL, else its e-mail.
    fn name(self) -> Option<String> {
        self.name
            .text()
            .or_else(|| self.url.0.text())
            .or_else(|| self.email.text())
    }
}

impl RawComponent {
    fn normalize(self) -> Node {
        Node {
            component: Component {
                at: At::default(),
                reference: self.reference.text(),
                name: self.name.text(),
                version: self.version.text(),
                purl: self.purl.text(),
                cpe: self.cpe.text(),
                swid: self.swid.tag_id.text(),
                supplier: self
                    .supplier
                    .name()
                    .or_else(|| self.manufacturer.name())
                    .or_else(|| self.publisher.text()),
                license: license(self.licenses.0).map(|e| (e, At::default())),
                hashes: self
                    .hashes
                    .0
                    .into_iter()
                    .filter_map(|h| Some((h.alg.text()?, h.content.text()?)))
                    .collect(),
            },
            children: self.components.0,
        }
    }
}

/// The license expression of a component: its `expression`, or its license ids and names
/// joined with `AND`.
fn license(entries: Vec<LicenseEntry>) -> Option<String> {
    let mut terms: Vec<String> = entries
        .into_iter()
        .filter_map(|entry| {
            entry.expression.text().or_else(|| {
                let LicenseChoice { id, name } = entry.license;
                id.text().or_else(|| name.text())
            })
        })
        .collect();
    match terms.len() {
        0 => None,
        1 => terms.pop(),
        _ => Some(
            terms
                .iter()
                .map(|t| {
                    if t.contains(' ') {
                        format!("({t})")
                    } else {
                        t.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

/// Every component of the list at `pointer`, nested ones included, in document order, each
/// located in the source with positions `lines`.
fn flatten(nodes: Vec<Node>, pointer: &str, lines: &LineMap, out: &mut Vec<Component>) {
    for (i, node) in nodes.into_iter().enumerate() {
        let at = format!("{pointer}/{i}");
        let mut component = node.component;
        component.locate(lines, &at, "licenses");
        out.push(component);
        flatten(node.children, &pointer_push(&at, "components"), lines, out);
    }
}

fn tool_name(tool: Tool) -> Option<String> {
    let name = tool.name.text()?;
    Some(match tool.vendor.text().or_else(|| tool.group.text()) {
        Some(vendor) => format!("Tool: {vendor} {name}"),
        None => format!("Tool: {name}"),
    })
}

const SEVERITY_RANK: [&str; 6] = ["critical", "high", "medium", "low", "info", "none"];

impl RawVulnerability {
    fn normalize(self, at: At) -> Vulnerability {
        let severity = self
            .ratings
            .0
            .iter()
            .filter_map(|r| r.severity.clone().text().map(|s| s.to_ascii_lowercase()))
            .filter(|s| SEVERITY_RANK.contains(&s.as_str()))
            .min_by_key(|s| SEVERITY_RANK.iter().position(|r| r == s));
        let score = self
            .ratings
            .0
            .iter()
            .filter_map(|r| r.score.number())
            .fold(None, |best: Option<f64>, s| {
                Some(best.map_or(s, |b| b.max(s)))
            });
        Vulnerability {
            id: self
                .id
                .text()
                .or_else(|| self.reference.text())
                .unwrap_or_else(|| "(no id)".into()),
            source: self.source.name.text(),
            severity: severity.or_else(|| score.map(|s| severity_of_score(s).to_string())),
            score,
            published: self.published.text(),
            created: self.created.text(),
            updated: self.updated.text(),
            analysis_state: self.analysis.state.text().map(|s| s.to_ascii_lowercase()),
            justification: self.analysis.justification.text(),
            detail: self.analysis.detail.text(),
            affects: self
                .affects
                .0
                .into_iter()
                .filter_map(|a| a.reference.text())
                .collect(),
            at,
        }
    }
}

/// Normalizes a CycloneDX document read as a [`Bom`], whose source has positions `lines`.
pub fn normalize(bom: Bom, lines: &LineMap) -> Sbom {
    let Bom {
        spec_version,
        serial_number,
        metadata,
        components,
        dependencies,
        vulnerabilities,
        ..
    } = bom;
    let authors_at = match (&metadata.authors.0, &metadata.tools.0) {
        (Some(_), _) => Some(at(lines, "/metadata/authors")),
        (None, Some(_)) => Some(at(lines, "/metadata/tools")),
        (None, None) => None,
    };
    let mut authors: Vec<String> = metadata
        .authors
        .0
        .map_or_else(Vec::new, |list| list.0)
        .into_iter()
        .filter_map(Entity::name)
        .collect();
    for entity in [
        metadata.manufacture,
        metadata.manufacturer,
        metadata.supplier,
    ] {
        authors.extend(entity.name());
    }
    authors.extend(
        metadata
            .tools
            .0
            .map_or_else(Vec::new, |tools| tools.0)
            .into_iter()
            .filter_map(tool_name),
    );
    let primary = metadata.component.0.map(|node| {
        let mut component = node.component;
        component.locate(lines, "/metadata/component", "licenses");
        component
    });
    let mut list = Vec::new();
    flatten(components.0, "/components", lines, &mut list);
    let dependencies_at = dependencies.0.as_ref().map(|_| at(lines, "/dependencies"));
    let dependencies = dependencies
        .0
        .map_or_else(Vec::new, |list| list.0)
        .into_iter()
        .enumerate()
        .filter_map(|(i, d)| {
            Some(Dependency {
                at: at(lines, &format!("/dependencies/{i}")),
                reference: d.reference.text()?,
                depends_on: d
                    .depends_on
                    .0
                    .into_iter()
                    .filter_map(Scalar::text)
                    .collect(),
            })
        })
        .collect();
    Sbom {
        format: "cyclonedx",
        root: at(lines, ""),
        spec_version: spec_version.text().unwrap_or_default(),
        serial_number: serial_number.text(),
        name: primary.as_ref().and_then(|c| c.name.clone()),
        timestamp: metadata
            .timestamp
            .text()
            .map(|t| (t, at(lines, "/metadata/timestamp"))),
        authors_at,
        authors,
        primary,
        primary_listed: false,
        components: list,
        dependencies,
        dependencies_at,
        vulnerabilities: vulnerabilities
            .0
            .into_iter()
            .enumerate()
            .map(|(i, v)| v.normalize(at(lines, &format!("/vulnerabilities/{i}"))))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::json::parse_typed;

    fn read(text: &str) -> Sbom {
        let (bom, lines): (Bom, LineMap) = parse_typed(text, crate::sbom::located).unwrap();
        assert!(bom.is_cyclonedx());
        normalize(bom, &lines)
    }

    #[test]
    fn normalizes_components_licenses_and_vulnerabilities() {
        let text = r#"{
            "bomFormat": "CycloneDX", "specVersion": "1.5",
            "metadata": {
                "timestamp": "2024-01-01T00:00:00Z",
                "tools": {"components": [{"group": "acme", "name": "scanner"}]},
                "component": {"name": "app", "version": "2.0", "bom-ref": "app"}
            },
            "components": [
                {"name": "a", "version": "1", "purl": "pkg:npm/a@1", "supplier": {"name": "A Inc"},
                 "licenses": [{"license": {"id": "MIT"}}, {"license": {"id": "Apache-2.0"}}],
                 "hashes": [{"alg": "SHA-256", "content": "ab"}],
                 "components": [{"name": "a-inner", "version": "1", "publisher": "A Inc"}]},
                {"name": "b", "licenses": [{"expression": "MIT OR GPL-2.0-only"}]}
            ],
            "dependencies": [{"ref": "app", "dependsOn": ["a"]}],
            "vulnerabilities": [{"id": "CVE-1", "ratings": [{"severity": "medium"}, {"score": 9.1, "severity": "critical"}],
                                 "analysis": {"state": "not_affected"}, "affects": [{"ref": "a"}]}]
        }"#;
        let sbom = read(text);
        assert_eq!(sbom.authors, vec!["Tool: acme scanner"]);
        assert_eq!(sbom.primary.as_ref().unwrap().name.as_deref(), Some("app"));
        let names: Vec<_> = sbom
            .components
            .iter()
            .map(|c| c.name.clone().unwrap())
            .collect();
        assert_eq!(names, vec!["a", "a-inner", "b"]);
        let lines: Vec<u32> = sbom.components.iter().map(|c| c.at.line).collect();
        assert_eq!(lines, vec![9, 12, 13]);
        let license_lines: Vec<u32> = sbom
            .components
            .iter()
            .map(|c| c.license.as_ref().map_or(0, |(_, at)| at.line))
            .collect();
        assert_eq!(license_lines, vec![10, 0, 13]);
        assert_eq!(sbom.primary.as_ref().unwrap().at.line, 6);
        assert_eq!(sbom.timestamp.as_ref().unwrap().1.line, 4);
        assert_eq!(sbom.authors_at.unwrap().line, 5, "the tools");
        assert_eq!(sbom.vulnerabilities[0].at.line, 16);
        assert_eq!(sbom.components[1].supplier.as_deref(), Some("A Inc"));
        assert_eq!(
            sbom.components[0].license.as_ref().unwrap().0,
            "MIT AND Apache-2.0"
        );
        assert_eq!(
            sbom.components[2].license.as_ref().unwrap().0,
            "MIT OR GPL-2.0-only"
        );
        assert_eq!(
            sbom.components[0].hashes,
            vec![("SHA-256".to_string(), "ab".to_string())]
        );
        assert_eq!(sbom.dependencies[0].depends_on, vec!["a"]);
        let v = &sbom.vulnerabilities[0];
        assert_eq!(v.severity.as_deref(), Some("critical"));
        assert_eq!(v.score, Some(9.1));
        assert_eq!(v.analysis_state.as_deref(), Some("not_affected"));
        assert_eq!(v.affects, vec!["a"]);
    }

    #[test]
    fn reads_members_of_unexpected_types_as_absent() {
        let text = r#"{"bomFormat": "CycloneDX", "specVersion": 1.5,
            "metadata": {"authors": null, "component": null,
                         "supplier": {"url": ["https://acme.example", 3]}},
            "components": [
                {"name": " a ", "version": 2, "licenses": "MIT", "hashes": {"alg": "x"},
                 "extra": {"deep": [[[{"name": "ignored"}]]]}},
                7,
                {"name": "b", "name": "c", "supplier": ["x"],
                 "licenses": [{"license": "MIT"}, {"license": {"name": "Custom"}}]}
            ],
            "vulnerabilities": [{"ratings": [{"score": "7.5"}], "analysis": []}],
            "dependencies": {"ref": "a"}
        }"#;
        let sbom = read(text);
        assert_eq!(sbom.spec_version, "1.5");
        assert_eq!(sbom.authors, vec!["https://acme.example"]);
        assert_eq!(sbom.authors_at.unwrap().line, 2, "given, though null");
        assert_eq!(
            sbom.primary,
            Some(Component {
                at: sbom.primary.as_ref().unwrap().at,
                ..Component::default()
            })
        );
        let a = &sbom.components[0];
        assert_eq!(
            (a.name.as_deref(), a.version.as_deref()),
            (Some("a"), Some("2"))
        );
        assert_eq!((a.license.as_ref(), a.hashes.len()), (None, 0));
        assert_eq!(sbom.components[1].name, None);
        let c = &sbom.components[2];
        assert_eq!(
            (c.name.as_deref(), c.supplier.as_deref()),
            (Some("c"), None)
        );
        assert_eq!(c.license.as_ref().unwrap().0, "Custom");
        assert_eq!(sbom.components.len(), 3);
        let v = &sbom.vulnerabilities[0];
        assert_eq!(
            (v.id.as_str(), v.score, v.severity.as_deref()),
            ("(no id)", Some(7.5), Some("high"))
        );
        assert_eq!(v.analysis_state, None);
        assert!(sbom.dependencies.is_empty());
        assert_eq!(sbom.dependencies_at.unwrap().line, 12);
    }

    #[test]
    fn the_same_members_are_read_from_a_converted_tree() {
        let text = r#"{"bomFormat": "CycloneDX", "specVersion": "1.4",
            "components": [{"name": "a", "version": 1, "licenses": [{"expression": "MIT"}]}]}"#;
        let from_text = read(text);
        let tree: serde_json::Value = serde_json::from_str(text).unwrap();
        let from_tree = normalize(serde_json::from_value(tree).unwrap(), &LineMap::new());
        assert_eq!(from_text.components[0].name, from_tree.components[0].name);
        assert_eq!(from_tree.components[0].version.as_deref(), Some("1"));
        assert_eq!(from_tree.components[0].license.as_ref().unwrap().0, "MIT");
        assert_eq!(from_tree.spec_version, "1.4");
    }
}
