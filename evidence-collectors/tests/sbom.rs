//! The SBOM collector end to end: every SBOM of the corpus beside the checkout, and fixtures
//! for each format with their lines, policies, deadlines and provenance checks.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use assay_collectors::sbom::SbomCollector;
use assay_collectors::{Collection, Collector, Document, Format, Scope};
use serde_json::{json, Value};

fn corpus(path: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/dev")
        .join(path);
    if dir.exists() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/corpus/dev/{path} is not present beside the checkout");
        None
    }
}

/// 2024-06-01T00:00:00Z, so that deadlines do not move with the calendar.
fn fixed_now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_717_200_000)
}

fn collect(root: &Path, settings: Option<Value>) -> Collection {
    let mut scope = Scope::new(root);
    scope.now = fixed_now();
    if let Some(settings) = settings {
        scope.settings.insert("sbom".into(), settings);
    }
    SbomCollector.collect(&scope).unwrap()
}

fn doc<'a>(c: &'a Collection, path: &str) -> &'a Document {
    c.documents
        .iter()
        .find(|d| d.path.as_ref() == path)
        .unwrap_or_else(|| panic!("no document for {path}: {:?}", c.errors))
}

fn write(root: &Path, path: &str, text: &str) {
    let target = root.join(path);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(target, text).unwrap();
}

#[test]
fn every_corpus_sbom_is_read() {
    let Some(root) = corpus("sbom") else {
        return;
    };
    let c = collect(&root, None);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let mut expected = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.to_string_lossy().ends_with(".md") {
                expected.push(path);
            }
        }
    }
    let sboms: Vec<&Document> = c
        .documents
        .iter()
        .filter(|d| d.data["type"] == "sbom")
        .collect();
    // Every file is read, except the SPDX 3 JSON-LD one, which is skipped with a reason.
    assert_eq!(sboms.len() + c.skipped.len(), expected.len());
    assert_eq!(c.skipped.len(), 1);
    assert!(c.skipped[0].path.ends_with(".spdx3.json"));
    assert!(c.skipped[0]
        .reason
        .contains("SPDX 3.0 JSON-LD is not supported"));
    for d in &sboms {
        assert!(
            !d.data["spec_version"].as_str().unwrap().is_empty(),
            "{}",
            d.path
        );
    }
    // The JSON and XML forms of the same BOM normalize alike.
    let json_form = doc(
        &c,
        "cyclonedx/bom-examples/SBOM/laravel-7.12.0/bom.1.4.json",
    );
    let xml_form = doc(&c, "cyclonedx/bom-examples/SBOM/laravel-7.12.0/bom.1.4.xml");
    assert_eq!(xml_form.format, Format::Xml);
    assert_eq!(json_form.data["components"], xml_form.data["components"]);
    assert_eq!(json_form.data["ntia"], xml_form.data["ntia"]);
    assert_eq!(json_form.data["component_count"], 62);
    // Tag-value: the GPL-licensed example is denied by the default policy, on its line.
    let hello = doc(&c, "spdx/software/example1/spdx2.2/example1.spdx");
    assert_eq!(hello.format, Format::TagValue);
    assert_eq!(hello.data["licenses"]["denied"], 1);
    assert!(hello.line("/licenses/denied") > 1);
    // VEX: the analysis state closes a vulnerability.
    let vex = doc(
        &c,
        "cyclonedx/spec-test-vectors/1.6/valid-vulnerability-1.6.xml",
    );
    assert_eq!(
        vex.data["vulnerabilities"][0]["analysis_state"],
        "not_affected"
    );
    assert_eq!(vex.data["vulnerabilities"][0]["open"], false);
    assert_eq!(vex.data["vulnerabilities"][0]["severity"], "critical");
    let inventory = doc(&c, ".");
    assert_eq!(inventory.data["sbom_count"], sboms.len());
}

const CDX: &str = r#"{
  "bomFormat": "CycloneDX",
  "specVersion": "1.5",
  "metadata": {
    "timestamp": "2024-05-01T00:00:00Z",
    "authors": [{"name": "Build"}],
    "component": {"name": "app", "version": "1.0", "purl": "pkg:npm/app@1.0", "supplier": {"name": "Us"}}
  },
  "components": [
    {
      "bom-ref": "a",
      "name": "a",
      "version": "1.0",
      "purl": "pkg:npm/a@1.0",
      "supplier": {"name": "A"},
      "licenses": [{"expression": "MIT AND GPL-2.0-only"}]
    },
    {
      "bom-ref": "b",
      "name": "b",
      "purl": "pkg:npm/b@2.0",
      "licenses": [{"license": {"id": "Apache-2.0"}}]
    }
  ],
  "dependencies": [{"ref": "a", "dependsOn": ["b"]}],
  "vulnerabilities": [
    {"id": "CVE-2024-1", "ratings": [{"severity": "critical"}], "published": "2024-05-30T00:00:00Z"},
    {"id": "CVE-2024-2", "ratings": [{"score": 7.5}], "published": "2024-05-30T00:00:00Z"},
    {"id": "CVE-2024-3", "ratings": [{"severity": "critical"}], "published": "2024-05-01T00:00:00Z",
     "analysis": {"state": "resolved"}}
  ]
}
"#;

#[test]
fn cyclonedx_json_facts_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bom.cdx.json", CDX);
    let c = collect(dir.path(), None);
    let d = doc(&c, "bom.cdx.json");
    assert_eq!(d.data["format"], "cyclonedx");
    assert_eq!(d.data["components"][0]["licenses"]["policy"], "denied");
    assert_eq!(
        d.data["components"][0]["licenses"]["ids"],
        json!(["MIT", "GPL-2.0-only"])
    );
    assert_eq!(d.line("/components/0"), 10);
    assert_eq!(d.line("/components/1"), 18);
    assert_eq!(d.line("/licenses/denied"), 10);
    assert_eq!(d.data["ntia"]["missing"]["supplier"], 1);
    assert_eq!(d.data["ntia"]["missing"]["version"], 1);
    assert_eq!(d.line("/ntia/missing/supplier"), 18);
    // Two days after publication: the critical one is overdue, the high one is not yet.
    let v = &d.data["vulnerabilities"];
    assert_eq!(
        (v[0]["overdue"].clone(), v[1]["overdue"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(v[1]["severity"], "high");
    assert_eq!(v[2]["open"], false);
    assert_eq!(d.data["vulnerability_counts"]["overdue"], 1);
    assert_eq!(d.line("/vulnerabilities/0"), 27);
    assert_eq!(doc(&c, ".").data["sbom_count"], 1);
}

#[test]
fn policy_and_deadlines_are_configurable() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sbom/app.cdx.json", CDX);
    write(dir.path(), "other/bom.json", CDX);
    let c = collect(
        dir.path(),
        Some(json!({
            "paths": ["sbom/*.json"],
            "license_policy": {"allow": ["MIT", "Apache-*"], "deny": []},
            "remediation_deadlines": {"critical": "7d"}
        })),
    );
    assert_eq!(
        c.documents.len(),
        2,
        "the configured SBOM and the inventory"
    );
    let d = doc(&c, "sbom/app.cdx.json");
    assert_eq!(d.data["components"][0]["licenses"]["policy"], "not_allowed");
    assert_eq!(d.data["components"][1]["licenses"]["policy"], "allowed");
    assert_eq!(d.data["vulnerabilities"][0]["overdue"], false);
    assert_eq!(
        d.data["licenses"]["policy"],
        json!({"allow": ["MIT", "Apache-*"], "deny": []})
    );
}

#[test]
fn malformed_sboms_name_their_position() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bom.json",
        "{\n  \"bomFormat\": \"CycloneDX\",\n  \"components\": [\n    {\"name\": }\n  ]\n}\n",
    );
    write(
        dir.path(),
        "app.cdx.xml",
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/1.6\">\n  <components>\n  </bom>\n",
    );
    write(
        dir.path(),
        "app.spdx",
        "SPDXVersion: SPDX-2.3\nPackageName: x\nnot a tag line\n",
    );
    write(dir.path(), "other.cdx.json", "{\"name\": \"not a bom\"}");
    let c = collect(dir.path(), None);
    let error = |path: &str| {
        c.errors
            .iter()
            .find(|e| e.path == path)
            .unwrap_or_else(|| panic!("no error for {path}: {:?}", c.errors))
    };
    let e = error("bom.json");
    assert_eq!(e.position.unwrap().line, 4);
    assert!(
        e.message
            .starts_with("invalid CycloneDX JSON: expected value"),
        "{}",
        e.message
    );
    let e = error("app.cdx.xml");
    assert_eq!(e.position.unwrap().line, 3);
    assert!(
        e.message.starts_with("invalid CycloneDX XML"),
        "{}",
        e.message
    );
    let e = error("app.spdx");
    assert_eq!(e.position.unwrap().line, 3);
    let e = error("other.cdx.json");
    assert!(e.message.contains("not a CycloneDX BOM"));
    assert!(e.hint.is_some());
    assert_eq!(doc(&c, ".").data["unreadable"].as_array().unwrap().len(), 4);
}

#[test]
fn provenance_subjects_are_matched_to_files() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "dist/app.tar.gz", "artifact bytes");
    let digest = hex::encode(Sha256::digest(b"artifact bytes"));
    // Written out by hand so that the subject's line does not depend on serde_json's key order.
    let text = format!(
        r#"{{
  "_type": "https://in-toto.io/Statement/v1",
  "predicateType": "https://slsa.dev/provenance/v1",
  "predicate": {{"runDetails": {{"builder": {{"id": "https://ci.example/builder"}}}}}},
  "subject": [
    {{
      "name": "app.tar.gz",
      "digest": {{"sha256": "{digest}"}}
    }}
  ]
}}
"#
    );
    write(dir.path(), "dist/app.provenance.json", &text);
    let c = collect(dir.path(), None);
    let d = doc(&c, "dist/app.provenance.json");
    assert_eq!(d.data["type"], "provenance");
    assert_eq!(d.data["matched"], 1);
    assert_eq!(d.data["subjects"][0]["artifact"], "dist/app.tar.gz");
    assert_eq!(d.line("/subjects/0"), 6);
    assert_eq!(doc(&c, ".").data["provenance_count"], 1);
}
