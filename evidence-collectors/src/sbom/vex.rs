//! CycloneDX VEX: the analyses of every CycloneDX document of the scan, applied to the
//! vulnerabilities of every SBOM. A statement whose state is `not_affected`, `false_positive`,
//! `resolved` or `resolved_with_pedigree` closes the vulnerability with the same id in the
//! components it affects; `in_triage` and `exploitable` leave it open.
//!
//! A VEX statement affects a component named by purl (`pkg:npm/a@1.0`, qualifiers ignored), by
//! a BOM link (`urn:cdx:<serial>/<version>#<bom-ref>`), or by a bom-ref of its own document,
//! which stands for that component's purl. An SBOM's vulnerability is matched through the
//! purls and bom-refs of the components it affects.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use super::model::{Sbom, CLOSED_STATES};

/// A statement that closes a vulnerability, and where it was read.
#[derive(Debug, Clone)]
pub struct Statement {
    pub state: String,
    pub justification: Option<String>,
    pub detail: Option<String>,
    pub file: String,
    pub line: u32,
}

impl Statement {
    pub fn to_json(&self) -> Value {
        json!({
            "state": self.state,
            "justification": self.justification,
            "detail": self.detail,
            "file": self.file,
            "line": self.line,
        })
    }
}

/// The closing statements of a scan by (vulnerability id, component key).
#[derive(Debug, Default)]
pub struct Vex(BTreeMap<(String, String), Statement>);

/// A purl without its qualifiers and subpath.
fn purl_key(purl: &str) -> String {
    let end = purl.find(['?', '#']).unwrap_or(purl.len());
    format!("purl:{}", &purl[..end])
}

/// What the `affects` refs of an SBOM's vulnerabilities are resolved with: its serial (the UUID
/// without `urn:uuid:`, as BOM links write it) and the purl of each bom-ref (the first
/// component with that ref and a purl), indexed once so that resolving a ref does not scan
/// the components.
pub struct Refs<'a> {
    serial: Option<&'a str>,
    purls: HashMap<&'a str, &'a str>,
}

impl<'a> Refs<'a> {
    pub fn of(sbom: &'a Sbom) -> Refs<'a> {
        let serial = sbom
            .serial_number
            .as_deref()
            .map(|s| s.strip_prefix("urn:uuid:").unwrap_or(s));
        let mut purls = HashMap::new();
        for c in sbom.primary.iter().chain(&sbom.components) {
            if let (Some(reference), Some(purl)) = (c.reference.as_deref(), c.purl.as_deref()) {
                purls.entry(reference).or_insert(purl);
            }
        }
        Refs { serial, purls }
    }

    /// The keys a `ref` in the `affects` of a vulnerability stands for.
    fn keys(&self, reference: &str) -> Vec<String> {
        if reference.starts_with("pkg:") {
            return vec![purl_key(reference)];
        }
        if let Some(link) = reference.strip_prefix("urn:cdx:") {
            return match link.split_once('#') {
                Some((serial_version, bom_ref)) => {
                    let serial = serial_version.split('/').next().unwrap_or(serial_version);
                    vec![format!("ref:{serial}#{bom_ref}")]
                }
                None => Vec::new(),
            };
        }
        let mut keys = Vec::new();
        if let Some(serial) = self.serial {
            keys.push(format!("ref:{serial}#{reference}"));
        }
        if let Some(purl) = self.purls.get(reference) {
            keys.push(purl_key(purl));
        }
        keys
    }
}

impl Vex {
    /// The closing statements of the CycloneDX documents `sboms` (each with its path).
    pub fn gather<'a>(sboms: impl Iterator<Item = (&'a str, &'a Sbom)>) -> Vex {
        let mut vex = Vex::default();
        for (file, sbom) in sboms.filter(|(_, s)| s.format == "cyclonedx") {
            if sbom.vulnerabilities.is_empty() {
                continue;
            }
            let refs = Refs::of(sbom);
            for v in &sbom.vulnerabilities {
                let Some(state) = v
                    .analysis_state
                    .as_deref()
                    .filter(|s| CLOSED_STATES.contains(s))
                else {
                    continue;
                };
                for reference in &v.affects {
                    for key in refs.keys(reference) {
                        vex.0
                            .entry((v.id.to_ascii_uppercase(), key))
                            .or_insert_with(|| Statement {
                                state: state.to_string(),
                                justification: v.justification.clone(),
                                detail: v.detail.clone(),
                                file: file.to_string(),
                                line: v.at.line,
                            });
                    }
                }
            }
        }
        vex
    }

    /// Whether no statement closes anything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The statement that closes the vulnerability `v` of the SBOM whose refs are `refs`, if
    /// any.
    pub fn closing(&self, refs: &Refs<'_>, v: &super::model::Vulnerability) -> Option<&Statement> {
        if self.0.is_empty() {
            return None;
        }
        let id = v.id.to_ascii_uppercase();
        v.affects
            .iter()
            .flat_map(|r| refs.keys(r))
            .find_map(|key| self.0.get(&(id.clone(), key)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::Position;
    use crate::sbom::model::{Component, Vulnerability};

    fn vuln(id: &str, state: Option<&str>, affects: &[&str]) -> Vulnerability {
        Vulnerability {
            at: Position::new(7, 5),
            id: id.into(),
            analysis_state: state.map(str::to_string),
            justification: Some("code_not_reachable".into()),
            affects: affects.iter().map(|s| s.to_string()).collect(),
            ..Vulnerability::default()
        }
    }

    #[test]
    fn closing_statements_match_by_id_and_component() {
        let vex_doc = Sbom {
            format: "cyclonedx",
            serial_number: Some("urn:uuid:aaaa".into()),
            components: vec![Component {
                reference: Some("log4j".into()),
                purl: Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into()),
                ..Component::default()
            }],
            vulnerabilities: vec![
                vuln("CVE-2021-44228", Some("not_affected"), &["log4j"]),
                vuln("CVE-2022-1", Some("in_triage"), &["pkg:npm/a@1.0"]),
                vuln(
                    "CVE-2022-2",
                    Some("false_positive"),
                    &["urn:cdx:bbbb/1#web"],
                ),
            ],
            ..Sbom::default()
        };
        let vex = Vex::gather([("vex.cdx.json", &vex_doc)].into_iter());
        let sbom = Sbom {
            format: "cyclonedx",
            serial_number: Some("urn:uuid:bbbb".into()),
            components: vec![Component {
                reference: Some("c1".into()),
                purl: Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar".into()),
                ..Component::default()
            }],
            ..Sbom::default()
        };
        let refs = Refs::of(&sbom);
        let closed = vex
            .closing(&refs, &vuln("cve-2021-44228", None, &["c1"]))
            .unwrap();
        assert_eq!(
            closed.to_json(),
            json!({"state": "not_affected", "justification": "code_not_reachable",
                   "detail": null, "file": "vex.cdx.json", "line": 7})
        );
        // Another id, another component, or a statement still in triage: open.
        assert!(vex
            .closing(&refs, &vuln("CVE-2021-45046", None, &["c1"]))
            .is_none());
        assert!(vex
            .closing(&refs, &vuln("CVE-2021-44228", None, &["c2"]))
            .is_none());
        assert!(vex
            .closing(&refs, &vuln("CVE-2022-1", None, &["pkg:npm/a@1.0"]))
            .is_none());
        // A BOM link names the component of this SBOM by serial and bom-ref.
        assert!(vex
            .closing(&refs, &vuln("CVE-2022-2", None, &["web"]))
            .is_some());
    }

    #[test]
    fn a_bom_ref_stands_for_the_first_purl_given_for_it() {
        let component = |reference: &str, purl: Option<&str>| Component {
            reference: Some(reference.into()),
            purl: purl.map(str::to_string),
            ..Component::default()
        };
        let sbom = Sbom {
            format: "cyclonedx",
            primary: Some(component("app", Some("pkg:generic/app@1.0"))),
            components: vec![
                component("lib", None),
                component("lib", Some("pkg:npm/lib@2.0?arch=x64")),
                component("lib", Some("pkg:npm/lib@3.0")),
            ],
            ..Sbom::default()
        };
        let refs = Refs::of(&sbom);
        assert_eq!(refs.keys("lib"), ["purl:pkg:npm/lib@2.0"]);
        assert_eq!(refs.keys("app"), ["purl:pkg:generic/app@1.0"]);
        assert_eq!(refs.keys("unknown"), Vec::<String>::new());
    }
}
