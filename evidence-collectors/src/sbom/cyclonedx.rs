//! CycloneDX (JSON, or XML read into the same shape) to the normalized [`Sbom`].

use serde_json::Value;

use super::model::{severity_of_score, Component, Dependency, Sbom, Vulnerability};
use crate::lines::pointer_push;

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn items(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// An organization's or person's name (`{"name": …}`), else its first URL or e-mail.
fn entity_name(value: Option<&Value>) -> Option<String> {
    let value = value?;
    text(value.get("name"))
        .or_else(|| text(items(value.get("url")).first()))
        .or_else(|| text(value.get("url")))
        .or_else(|| text(value.get("email")))
}

/// The license expression of a component: its `expression`, or its license ids and names
/// joined with `AND`.
fn license(component: &Value, at: &str) -> Option<(String, String)> {
    let entries = items(component.get("licenses"));
    let mut terms = Vec::new();
    for entry in entries {
        if let Some(expression) = text(entry.get("expression")) {
            terms.push(expression);
        } else if let Some(license) = entry.get("license") {
            if let Some(id) = text(license.get("id")).or_else(|| text(license.get("name"))) {
                terms.push(id);
            }
        }
    }
    let expression = match terms.len() {
        0 => return None,
        1 => terms.remove(0),
        _ => terms
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
    };
    Some((expression, pointer_push(at, "licenses")))
}

fn component(value: &Value, at: String) -> Component {
    Component {
        reference: text(value.get("bom-ref")),
        name: text(value.get("name")),
        version: text(value.get("version")),
        purl: text(value.get("purl")),
        cpe: text(value.get("cpe")),
        swid: value.get("swid").and_then(|s| text(s.get("tagId"))),
        supplier: entity_name(value.get("supplier"))
            .or_else(|| entity_name(value.get("manufacturer")))
            .or_else(|| text(value.get("publisher"))),
        license: license(value, &at),
        hashes: items(value.get("hashes"))
            .iter()
            .filter_map(|h| Some((text(h.get("alg"))?, text(h.get("content"))?)))
            .collect(),
        at,
    }
}

/// Every component, nested ones included, in document order.
fn components(list: &[Value], at: &str, out: &mut Vec<Component>) {
    for (i, value) in list.iter().enumerate() {
        let pointer = format!("{at}/{i}");
        out.push(component(value, pointer.clone()));
        components(
            items(value.get("components")),
            &pointer_push(&pointer, "components"),
            out,
        );
    }
}

/// The names of the tools that produced the BOM (1.4: a list; 1.5+: components and services).
fn tools(metadata: &Value) -> Vec<String> {
    let tools = metadata.get("tools");
    let listed: Vec<&Value> = match tools {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(Value::Object(_)) => ["components", "services"]
            .iter()
            .flat_map(|k| items(tools.and_then(|t| t.get(*k))))
            .collect(),
        _ => Vec::new(),
    };
    listed
        .into_iter()
        .filter_map(|t| {
            let name = text(t.get("name"))?;
            Some(
                match text(t.get("vendor")).or_else(|| text(t.get("group"))) {
                    Some(vendor) => format!("Tool: {vendor} {name}"),
                    None => format!("Tool: {name}"),
                },
            )
        })
        .collect()
}

const SEVERITY_RANK: [&str; 6] = ["critical", "high", "medium", "low", "info", "none"];

fn vulnerability(value: &Value, at: String) -> Vulnerability {
    let ratings = items(value.get("ratings"));
    let severity = ratings
        .iter()
        .filter_map(|r| text(r.get("severity")).map(|s| s.to_ascii_lowercase()))
        .filter(|s| SEVERITY_RANK.contains(&s.as_str()))
        .min_by_key(|s| SEVERITY_RANK.iter().position(|r| r == s));
    let score = ratings
        .iter()
        .filter_map(|r| number(r.get("score")))
        .fold(None, |best: Option<f64>, s| {
            Some(best.map_or(s, |b| b.max(s)))
        });
    Vulnerability {
        id: text(value.get("id"))
            .or_else(|| text(value.get("bom-ref")))
            .unwrap_or_else(|| "(no id)".into()),
        source: value.get("source").and_then(|s| text(s.get("name"))),
        severity: severity.or_else(|| score.map(|s| severity_of_score(s).to_string())),
        score,
        published: text(value.get("published")),
        created: text(value.get("created")),
        updated: text(value.get("updated")),
        analysis_state: value
            .get("analysis")
            .and_then(|a| text(a.get("state")))
            .map(|s| s.to_ascii_lowercase()),
        affects: items(value.get("affects"))
            .iter()
            .filter_map(|a| text(a.get("ref")))
            .collect(),
        at,
    }
}

/// Normalizes a CycloneDX document (the JSON shape).
pub fn normalize(data: &Value) -> Sbom {
    let metadata = data.get("metadata").cloned().unwrap_or(Value::Null);
    let mut authors: Vec<String> = items(metadata.get("authors"))
        .iter()
        .filter_map(|a| entity_name(Some(a)))
        .collect();
    for key in ["manufacture", "manufacturer", "supplier"] {
        if let Some(name) = entity_name(metadata.get(key)) {
            authors.push(name);
        }
    }
    authors.extend(tools(&metadata));
    let mut list = Vec::new();
    components(items(data.get("components")), "/components", &mut list);
    let dependencies = items(data.get("dependencies"))
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            Some(Dependency {
                at: format!("/dependencies/{i}"),
                reference: text(d.get("ref"))?,
                depends_on: items(d.get("dependsOn"))
                    .iter()
                    .filter_map(|r| text(Some(r)))
                    .collect(),
            })
        })
        .collect();
    Sbom {
        format: "cyclonedx",
        spec_version: text(data.get("specVersion")).unwrap_or_default(),
        serial_number: text(data.get("serialNumber")),
        name: metadata.get("component").and_then(|c| text(c.get("name"))),
        timestamp: text(metadata.get("timestamp")).map(|t| (t, "/metadata/timestamp".into())),
        authors_at: metadata
            .get("authors")
            .map(|_| "/metadata/authors".into())
            .or_else(|| metadata.get("tools").map(|_| "/metadata/tools".into())),
        authors,
        primary: metadata
            .get("component")
            .map(|c| component(c, "/metadata/component".into())),
        primary_listed: false,
        components: list,
        dependencies,
        dependencies_at: data.get("dependencies").map(|_| "/dependencies".into()),
        vulnerabilities: items(data.get("vulnerabilities"))
            .iter()
            .enumerate()
            .map(|(i, v)| vulnerability(v, format!("/vulnerabilities/{i}")))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalizes_components_licenses_and_vulnerabilities() {
        let bom = json!({
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
        });
        let sbom = normalize(&bom);
        assert_eq!(sbom.authors, vec!["Tool: acme scanner"]);
        assert_eq!(sbom.primary.as_ref().unwrap().name.as_deref(), Some("app"));
        let names: Vec<_> = sbom
            .components
            .iter()
            .map(|c| c.name.clone().unwrap())
            .collect();
        assert_eq!(names, vec!["a", "a-inner", "b"]);
        assert_eq!(sbom.components[1].at, "/components/0/components/0");
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
}
