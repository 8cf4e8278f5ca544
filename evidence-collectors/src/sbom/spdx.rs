//! SPDX 2.2 / 2.3 (JSON, or tag-value read into the same shape) to the normalized [`Sbom`].

use serde_json::Value;

use super::model::{Component, Dependency, Sbom, Vulnerability};

fn text(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `NOASSERTION` and `NONE` mean the value is not given.
fn asserted(value: Option<&Value>) -> Option<String> {
    text(value).filter(|s| s != "NOASSERTION" && s != "NONE")
}

fn items(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// `Organization: Acme (ops@acme.example)` → `Acme (ops@acme.example)`.
fn actor(value: Option<&Value>) -> Option<String> {
    let raw = asserted(value)?;
    let name = raw
        .split_once(':')
        .filter(|(kind, _)| matches!(kind.trim(), "Organization" | "Person" | "Tool"))
        .map_or(raw.as_str(), |(_, name)| name)
        .trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Relationship types that say one package depends on or contains another, and whether the
/// relation points from the dependency to the dependent (`DEPENDENCY_OF`).
fn dependency_direction(kind: &str) -> Option<bool> {
    match kind {
        "DEPENDS_ON" | "CONTAINS" | "DYNAMIC_LINK" | "STATIC_LINK" | "HAS_PREREQUISITE" => {
            Some(false)
        }
        "CONTAINED_BY" | "PREREQUISITE_FOR" => Some(true),
        k if k.ends_with("DEPENDENCY_OF") => Some(true),
        _ => None,
    }
}

/// An advisory reference (`SECURITY advisory <url>`) as a vulnerability: its id is the last
/// segment of the URL when that names a CVE or GHSA.
fn advisory(locator: &str) -> String {
    let last = locator
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(locator);
    if last.starts_with("CVE-") || last.starts_with("GHSA-") {
        last.to_string()
    } else {
        locator.to_string()
    }
}

fn package(value: &Value, at: String) -> Component {
    let refs = items(value.get("externalRefs"));
    let locator = |types: &[&str]| {
        refs.iter()
            .find(|r| text(r.get("referenceType")).is_some_and(|t| types.contains(&t.as_str())))
            .and_then(|r| text(r.get("referenceLocator")))
    };
    let license = ["licenseConcluded", "licenseDeclared"]
        .into_iter()
        .find_map(|key| Some((asserted(value.get(key))?, format!("{at}/{key}"))));
    Component {
        reference: text(value.get("SPDXID")),
        name: text(value.get("name")),
        version: asserted(value.get("versionInfo")),
        purl: locator(&["purl"]),
        cpe: locator(&["cpe23Type", "cpe22Type"]),
        swid: locator(&["swid"]),
        supplier: actor(value.get("supplier")),
        license,
        hashes: items(value.get("checksums"))
            .iter()
            .filter_map(|c| Some((text(c.get("algorithm"))?, text(c.get("checksumValue"))?)))
            .collect(),
        at,
    }
}

/// Normalizes an SPDX 2.x document (the JSON shape).
pub fn normalize(data: &Value) -> Sbom {
    let packages: Vec<Component> = items(data.get("packages"))
        .iter()
        .enumerate()
        .map(|(i, p)| package(p, format!("/packages/{i}")))
        .collect();
    let relationships = items(data.get("relationships"));
    let described: Vec<String> = items(data.get("documentDescribes"))
        .iter()
        .filter_map(|v| text(Some(v)))
        .chain(relationships.iter().filter_map(|r| {
            (text(r.get("relationshipType")).as_deref() == Some("DESCRIBES"))
                .then(|| text(r.get("relatedSpdxElement")))
                .flatten()
        }))
        .collect();
    let primary = described.first().and_then(|id| {
        packages
            .iter()
            .find(|p| p.reference.as_deref() == Some(id.as_str()))
            .cloned()
    });
    let mut dependencies: Vec<Dependency> = Vec::new();
    for (i, r) in relationships.iter().enumerate() {
        let (Some(from), Some(kind), Some(to)) = (
            text(r.get("spdxElementId")),
            text(r.get("relationshipType")),
            text(r.get("relatedSpdxElement")),
        ) else {
            continue;
        };
        let Some(reversed) = dependency_direction(&kind) else {
            continue;
        };
        let (dependent, dependency) = if reversed { (to, from) } else { (from, to) };
        match dependencies.iter_mut().find(|d| d.reference == dependent) {
            Some(d) => {
                if !d.depends_on.contains(&dependency) {
                    d.depends_on.push(dependency);
                }
            }
            None => dependencies.push(Dependency {
                at: format!("/relationships/{i}"),
                reference: dependent,
                depends_on: vec![dependency],
            }),
        }
    }
    let mut vulnerabilities = Vec::new();
    for (i, p) in items(data.get("packages")).iter().enumerate() {
        for (j, r) in items(p.get("externalRefs")).iter().enumerate() {
            if text(r.get("referenceCategory")).as_deref() != Some("SECURITY")
                || text(r.get("referenceType")).as_deref() != Some("advisory")
            {
                continue;
            }
            if let Some(locator) = text(r.get("referenceLocator")) {
                vulnerabilities.push(Vulnerability {
                    at: format!("/packages/{i}/externalRefs/{j}"),
                    id: advisory(&locator),
                    source: Some(locator),
                    affects: packages[i].reference.iter().cloned().collect(),
                    ..Vulnerability::default()
                });
            }
        }
    }
    let creation = data.get("creationInfo");
    let authors: Vec<String> = items(creation.and_then(|c| c.get("creators")))
        .iter()
        .filter_map(|c| text(Some(c)))
        .collect();
    Sbom {
        format: "spdx",
        spec_version: text(data.get("spdxVersion")).unwrap_or_default(),
        serial_number: text(data.get("documentNamespace")),
        name: text(data.get("name")),
        timestamp: text(creation.and_then(|c| c.get("created")))
            .map(|t| (t, "/creationInfo/created".into())),
        authors_at: (!authors.is_empty()).then(|| "/creationInfo/creators".into()),
        authors,
        primary_listed: primary.is_some(),
        primary,
        components: packages,
        dependencies_at: data.get("relationships").map(|_| "/relationships".into()),
        dependencies,
        vulnerabilities,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalizes_packages_relationships_and_advisories() {
        let doc = json!({
            "spdxVersion": "SPDX-2.3",
            "creationInfo": {"created": "2023-05-12T18:30:22Z", "creators": ["Person: Ann"]},
            "packages": [
                {"SPDXID": "SPDXRef-app", "name": "app", "versionInfo": "1.0",
                 "supplier": "Organization: Acme (ops@acme.example)",
                 "licenseConcluded": "NOASSERTION", "licenseDeclared": "Apache-2.0",
                 "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:generic/app@1.0"}]},
                {"SPDXID": "SPDXRef-lib", "name": "lib", "supplier": "NOASSERTION",
                 "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "advisory",
                                   "referenceLocator": "https://nvd.nist.gov/vuln/detail/CVE-2021-32012"}]}
            ],
            "relationships": [
                {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-app"},
                {"spdxElementId": "SPDXRef-lib", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-app"}
            ]
        });
        let sbom = normalize(&doc);
        assert_eq!(sbom.primary.as_ref().unwrap().name.as_deref(), Some("app"));
        assert!(sbom.primary_listed);
        let app = &sbom.components[0];
        assert_eq!(app.supplier.as_deref(), Some("Acme (ops@acme.example)"));
        assert_eq!(
            app.license.as_ref().unwrap(),
            &(
                "Apache-2.0".to_string(),
                "/packages/0/licenseDeclared".to_string()
            )
        );
        assert_eq!(app.purl.as_deref(), Some("pkg:generic/app@1.0"));
        assert_eq!(sbom.components[1].supplier, None);
        assert_eq!(sbom.dependencies.len(), 1);
        assert_eq!(sbom.dependencies[0].reference, "SPDXRef-app");
        assert_eq!(sbom.dependencies[0].depends_on, vec!["SPDXRef-lib"]);
        assert_eq!(sbom.vulnerabilities[0].id, "CVE-2021-32012");
        assert_eq!(sbom.vulnerabilities[0].affects, vec!["SPDXRef-lib"]);
        assert_eq!(sbom.authors, vec!["Person: Ann"]);
    }
}
