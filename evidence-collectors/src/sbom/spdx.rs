//! SPDX 2.2 / 2.3 (JSON, or tag-value read into the same shape) to the normalized [`Sbom`]: the
//! members the model needs are read straight from the document, leniently (see
//! [`super::lenient`]), and each package is normalized as soon as it is read.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Deserializer};

use super::lenient::{members, List, Present, Scalar};
use super::model::{at, At, Component, Dependency, Sbom, Vulnerability};
use crate::lines::LineMap;

members! {
    /// An SPDX 2.x document, as far as the normalized model reads it.
    pub struct Document {
        "spdxVersion" => spdx_version: Scalar,
        "documentNamespace" => namespace: Scalar,
        "name" => name: Scalar,
        "creationInfo" => creation: CreationInfo,
        "packages" => packages: List<Package>,
        "documentDescribes" => describes: List<Scalar>,
        "relationships" => relationships: Present<List<Relationship>>,
    }

    struct CreationInfo {
        "created" => created: Scalar,
        "creators" => creators: List<Scalar>,
    }

    struct RawPackage {
        "SPDXID" => id: Scalar,
        "name" => name: Scalar,
        "versionInfo" => version: Scalar,
        "supplier" => supplier: Scalar,
        "licenseConcluded" => license_concluded: Scalar,
        "licenseDeclared" => license_declared: Scalar,
        "externalRefs" => external_refs: List<ExternalRef>,
        "checksums" => checksums: List<Checksum>,
    }

    struct ExternalRef {
        "referenceCategory" => category: Scalar,
        "referenceType" => kind: Scalar,
        "referenceLocator" => locator: Scalar,
    }

    struct Checksum {
        "algorithm" => algorithm: Scalar,
        "checksumValue" => value: Scalar,
    }

    struct Relationship {
        "spdxElementId" => from: Scalar,
        "relationshipType" => kind: Scalar,
        "relatedSpdxElement" => to: Scalar,
    }
}

/// `NOASSERTION` and `NONE` mean the value is not given.
fn asserted(value: Scalar) -> Option<String> {
    value.string().filter(|s| s != "NOASSERTION" && s != "NONE")
}

/// `Organization: Acme (ops@acme.example)` → `Acme (ops@acme.example)`.
fn actor(value: Scalar) -> Option<String> {
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

/// A package, normalized as soon as it is read (located once its index is known), the member
/// its license was read from, and the locators of its advisory references by their index in
/// `externalRefs`.
#[derive(Debug, Default)]
struct Package {
    component: Component,
    license_key: &'static str,
    advisories: Vec<(usize, String)>,
}

impl<'de> Deserialize<'de> for Package {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        RawPackage::deserialize(d).map(RawPackage::normalize)
    }
}

impl RawPackage {
    fn normalize(self) -> Package {
        let refs = self.external_refs.0;
        let locator = |types: &[&str]| {
            refs.iter()
                .find(|r| r.kind.str().is_some_and(|t| types.contains(&t)))
                .and_then(|r| r.locator.str())
                .map(str::to_string)
        };
        let (license, license_key) = [
            (self.license_concluded, "licenseConcluded"),
            (self.license_declared, "licenseDeclared"),
        ]
        .into_iter()
        .find_map(|(value, key)| Some((asserted(value)?, key)))
        .map_or((None, ""), |(license, key)| {
            (Some((license, At::default())), key)
        });
        let component = Component {
            at: At::default(),
            reference: self.id.string(),
            name: self.name.string(),
            version: asserted(self.version),
            purl: locator(&["purl"]),
            cpe: locator(&["cpe23Type", "cpe22Type"]),
            swid: locator(&["swid"]),
            supplier: actor(self.supplier),
            license,
            hashes: self
                .checksums
                .0
                .into_iter()
                .filter_map(|c| Some((c.algorithm.string()?, c.value.string()?)))
                .collect(),
        };
        let advisories = refs
            .into_iter()
            .enumerate()
            .filter(|(_, r)| {
                r.category.str() == Some("SECURITY") && r.kind.str() == Some("advisory")
            })
            .filter_map(|(j, r)| Some((j, r.locator.string()?)))
            .collect();
        Package {
            component,
            license_key,
            advisories,
        }
    }
}

/// Normalizes an SPDX 2.x document read as a [`Document`], whose source has positions
/// `lines`.
pub fn normalize(document: Document, lines: &LineMap) -> Sbom {
    let Document {
        spdx_version,
        namespace,
        name,
        creation,
        packages,
        describes,
        relationships,
    } = document;
    let mut components = Vec::with_capacity(packages.0.len());
    let mut vulnerabilities = Vec::new();
    for (i, package) in packages.0.into_iter().enumerate() {
        let pointer = format!("/packages/{i}");
        let mut component = package.component;
        component.locate(lines, &pointer, package.license_key);
        for (j, locator) in package.advisories {
            vulnerabilities.push(Vulnerability {
                at: at(lines, &format!("{pointer}/externalRefs/{j}")),
                id: advisory(&locator),
                source: Some(locator),
                affects: component.reference.iter().cloned().collect(),
                ..Vulnerability::default()
            });
        }
        components.push(component);
    }
    let dependencies_at = relationships
        .0
        .as_ref()
        .map(|_| at(lines, "/relationships"));
    let relationships = relationships.0.map_or_else(Vec::new, |list| list.0);
    let described: Vec<String> = describes
        .0
        .into_iter()
        .filter_map(Scalar::string)
        .chain(relationships.iter().filter_map(|r| {
            (r.kind.str() == Some("DESCRIBES"))
                .then(|| r.to.str().map(str::to_string))
                .flatten()
        }))
        .collect();
    let primary = described.first().and_then(|id| {
        components
            .iter()
            .find(|p| p.reference.as_deref() == Some(id.as_str()))
            .cloned()
    });
    let mut dependencies: Vec<Dependency> = Vec::new();
    // Where each dependent is in `dependencies`, so that many relationships take linear time.
    let mut dependents: HashMap<String, usize> = HashMap::new();
    for (i, r) in relationships.into_iter().enumerate() {
        let (Some(from), Some(kind), Some(to)) = (r.from.string(), r.kind.string(), r.to.string())
        else {
            continue;
        };
        let Some(reversed) = dependency_direction(&kind) else {
            continue;
        };
        let (dependent, dependency) = if reversed { (to, from) } else { (from, to) };
        match dependents.get(&dependent) {
            Some(&k) => dependencies[k].depends_on.push(dependency),
            None => {
                dependents.insert(dependent.clone(), dependencies.len());
                dependencies.push(Dependency {
                    at: at(lines, &format!("/relationships/{i}")),
                    reference: dependent,
                    depends_on: vec![dependency],
                });
            }
        }
    }
    // Each dependency once, where it first appears: deduplicated in one pass per dependent,
    // as a package that contains every other one has as many relationships as there are.
    for d in &mut dependencies {
        let mut seen = HashSet::with_capacity(d.depends_on.len());
        let first: Vec<bool> = d
            .depends_on
            .iter()
            .map(|x| seen.insert(x.as_str()))
            .collect();
        let mut first = first.into_iter();
        d.depends_on.retain(|_| first.next().unwrap_or(true));
    }
    let authors: Vec<String> = creation
        .creators
        .0
        .into_iter()
        .filter_map(Scalar::string)
        .collect();
    Sbom {
        format: "spdx",
        root: at(lines, ""),
        spec_version: spdx_version.string().unwrap_or_default(),
        serial_number: namespace.string(),
        name: name.string(),
        timestamp: creation
            .created
            .string()
            .map(|t| (t, at(lines, "/creationInfo/created"))),
        authors_at: (!authors.is_empty()).then(|| at(lines, "/creationInfo/creators")),
        authors,
        primary_listed: primary.is_some(),
        primary,
        components,
        dependencies_at,
        dependencies,
        vulnerabilities,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::json::parse_typed;
    use crate::lines::Position;

    #[test]
    fn normalizes_packages_relationships_and_advisories() {
        let text = r#"{
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
                {"spdxElementId": "SPDXRef-lib", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-app"},
                {"spdxElementId": "SPDXRef-app", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-x"},
                {"spdxElementId": "SPDXRef-app", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-lib"}
            ]
        }"#;
        let (document, lines): (Document, LineMap) =
            parse_typed(text, crate::sbom::located).unwrap();
        let sbom = normalize(document, &lines);
        assert_eq!(sbom.primary.as_ref().unwrap().name.as_deref(), Some("app"));
        assert!(sbom.primary_listed);
        let app = &sbom.components[0];
        assert_eq!(app.supplier.as_deref(), Some("Acme (ops@acme.example)"));
        let (license, at) = app.license.as_ref().unwrap();
        assert_eq!(license, "Apache-2.0");
        assert_eq!(*at, Position::new(7, 53), "licenseDeclared");
        assert_eq!(app.at, Position::new(5, 17));
        assert_eq!(app.purl.as_deref(), Some("pkg:generic/app@1.0"));
        assert_eq!(sbom.components[1].supplier, None);
        assert_eq!(sbom.dependencies.len(), 1);
        assert_eq!(sbom.dependencies[0].reference, "SPDXRef-app");
        // Each dependency once, in the order of its first relationship.
        assert_eq!(
            sbom.dependencies[0].depends_on,
            vec!["SPDXRef-lib", "SPDXRef-x"]
        );
        assert_eq!(sbom.vulnerabilities[0].id, "CVE-2021-32012");
        assert_eq!(sbom.vulnerabilities[0].affects, vec!["SPDXRef-lib"]);
        assert_eq!(sbom.vulnerabilities[0].at.line, 10);
        assert_eq!(sbom.dependencies[0].at.line, 15);
        assert_eq!(sbom.authors, vec!["Person: Ann"]);
    }
}
