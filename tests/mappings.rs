//! Catalog invariants: every requirement of the reference lists is in its mapping file, in the
//! same order, and every built-in control evidences requirements (the configuration controls in
//! each of the four frameworks). The reference lists live beside the checkout (skipped when absent).

mod common;

use std::collections::BTreeSet;

use assay_collectors::formats::yaml;
use common::{assay, corpus, json};
use serde_json::Value;

fn read(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    yaml::parse(&text).unwrap().remove(0).data
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_reference_requirement_is_mapped_in_order() {
    let Some(dev) = corpus("") else { return };
    let reference = dev.join("../../reference");
    let mappings = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mappings");
    for (mapping, file, lists) in [
        ("soc2", "soc2-tsc.yaml", vec!["criteria"]),
        ("iso27001", "iso27001-2022-annex-a.yaml", vec!["controls"]),
        ("gdpr", "gdpr.yaml", vec!["articles"]),
        (
            "eu-ai-act",
            "eu-ai-act.yaml",
            vec!["articles", "related_annexes"],
        ),
    ] {
        let reference = read(&reference.join(file));
        let expected: Vec<String> = lists.iter().flat_map(|l| ids(&reference[*l])).collect();
        let mapped = ids(&read(&mappings.join(format!("{mapping}.yaml")))["requirements"]);
        assert_eq!(
            mapped, expected,
            "{mapping}.yaml does not list the reference requirements in order"
        );
    }
}

#[test]
fn every_builtin_control_evidences_requirements() {
    let out = assay()
        .args(["controls", "list", "--format", "json"])
        .output()
        .unwrap();
    let controls = json(&out);
    let controls = controls.as_array().unwrap();
    assert!(controls.len() >= 15);
    let all = BTreeSet::from(["eu-ai-act", "gdpr", "iso27001", "soc2"]);
    for c in controls {
        let frameworks: BTreeSet<&str> = c["mappings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["framework"].as_str().unwrap())
            .collect();
        // Every control evidences some requirement; the configuration controls (secure
        // configuration, secrets, encryption, logging) and the backup controls evidence all four
        // frameworks.
        assert!(!frameworks.is_empty(), "{} is mapped nowhere", c["id"]);
        let config = [
            "kubernetes",
            "terraform-aws",
            "terraform-azure",
            "terraform-gcp",
            "backup-dr",
            "dockerfile",
            "github-actions",
            "gitlab-ci",
            "secrets",
        ];
        if config.contains(&c["family"].as_str().unwrap()) {
            assert_eq!(
                frameworks, all,
                "{} is not mapped in every framework",
                c["id"]
            );
        }
    }
}

/// Every requirement of the four frameworks is evidenced by a control (automated or attested)
/// or marked not applicable with a reason: none is unmapped.
#[test]
fn frameworks_coverage_reports_no_unmapped_requirement() {
    let out = assay()
        .args(["frameworks", "coverage", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    let frameworks = report["frameworks"].as_array().unwrap();
    let counts: Vec<(&str, u64)> = frameworks
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap(),
                f["requirements"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("eu-ai-act", 43),
            ("gdpr", 38),
            ("iso27001", 93),
            ("soc2", 61)
        ]
    );
    for f in frameworks {
        assert_eq!(f["unmapped"], 0, "{}: {f}", f["id"]);
        let parts: u64 = ["automated", "attested", "not_applicable"]
            .iter()
            .map(|k| f[k].as_u64().unwrap())
            .sum();
        assert_eq!(parts, f["requirements"].as_u64().unwrap(), "{}", f["id"]);
        assert!(f["automated"].as_u64().unwrap() > 0, "{}", f["id"]);
    }
    // No physical-security requirement can be automated: all of A.7 is attested.
    let iso = assay()
        .args(["frameworks", "coverage", "iso27001", "--format", "json"])
        .output()
        .unwrap();
    let iso = json(&iso);
    let detail = iso["frameworks"][0]["detail"].as_array().unwrap();
    assert_eq!(detail.len(), 93);
    for r in detail
        .iter()
        .filter(|r| r["id"].as_str().unwrap().starts_with("A.7."))
    {
        assert_eq!(r["coverage"], "attested", "{r}");
    }
    // Not-applicable requirements carry their reason.
    let ai = assay()
        .args(["frameworks", "coverage", "eu-ai-act", "--format", "json"])
        .output()
        .unwrap();
    let ai = json(&ai);
    let art53 = ai["frameworks"][0]["detail"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "Art. 53")
        .unwrap();
    assert_eq!(art53["coverage"], "not_applicable");
    assert!(art53["not_applicable"]
        .as_str()
        .unwrap()
        .contains("general-purpose AI models"));
}

/// `--fail-on-unmapped` turns a gap in a user's catalog into a failed gate, and an unknown
/// framework is a usage error with a hint.
#[test]
fn frameworks_coverage_gates_and_rejects_unknown_frameworks() {
    let dir = tempfile::tempdir().unwrap();
    let mappings = dir.path().join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    std::fs::write(
        mappings.join("acme.yaml"),
        "framework: acme\nnew_framework: true\nname: Acme baseline\nrequirements:\n  - id: AC-1\n    controls: [k8s-privileged-container]\n  - id: AC-2\n  - id: AC-3\n    not_applicable: No on-premises hardware is operated.\n",
    )
    .unwrap();
    let out = assay()
        .args([
            "frameworks",
            "coverage",
            "acme",
            "--fail-on-unmapped",
            "--format",
            "json",
        ])
        .arg("--controls")
        .arg(dir.path())
        .output()
        .unwrap();
    common::exited(&out, 1);
    let f = &json(&out)["frameworks"][0];
    assert_eq!(
        (
            &f["automated"],
            &f["not_applicable"],
            &f["unmapped"],
            &f["coverage"]
        ),
        (&1.into(), &1.into(), &1.into(), &serde_json::json!(50.0))
    );
    let out = assay()
        .args(["frameworks", "coverage", "gpdr"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `gdpr`"));
}

/// The last scan's framework scores come from a saved results file.
#[test]
fn frameworks_coverage_shows_the_last_scan_score() {
    let dir = tempfile::tempdir().unwrap();
    let results = common::save_results(&common::fixture("sample-repo"), dir.path(), &[]);
    let saved: Value = serde_json::from_slice(&std::fs::read(&results).unwrap()).unwrap();
    let out = assay()
        .args(["frameworks", "coverage", "--format", "json", "--results"])
        .arg(&results)
        .output()
        .unwrap();
    let report = json(&out);
    assert_eq!(report["last_scan"], saved["scan"]["finished_at"]);
    for f in report["frameworks"].as_array().unwrap() {
        let scanned = saved["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == f["id"])
            .unwrap();
        assert_eq!(f["last_score"], scanned["score"], "{}", f["id"]);
        assert_eq!(f["coverage"], scanned["coverage"], "{}", f["id"]);
    }
}

/// Without flags, the last scan is the `json` output assay.yaml names.
#[test]
fn frameworks_coverage_finds_the_configured_json_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assay.yaml"),
        "outputs:\n  - {format: json, path: reports/results.json}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: web, image: nginx:1.27}\n").unwrap();
    let coverage = || {
        json(
            &assay()
                .current_dir(dir.path())
                .args(["frameworks", "coverage", "--format", "json"])
                .output()
                .unwrap(),
        )
    };
    assert_eq!(coverage()["last_scan"], Value::Null, "nothing scanned yet");
    let scan = assay()
        .current_dir(dir.path())
        .arg("scan")
        .output()
        .unwrap();
    assert!(matches!(scan.status.code(), Some(0 | 1)));
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("reports/results.json")).unwrap())
            .unwrap();
    let report = coverage();
    assert_eq!(report["last_scan"], saved["scan"]["finished_at"]);
    let soc2 = |list: &Value| {
        list.as_array()
            .and_then(|fs| fs.iter().find(|f| f["id"] == "soc2"))
            .cloned()
            .unwrap()
    };
    assert_eq!(
        soc2(&report["frameworks"])["last_score"],
        soc2(&saved["frameworks"])["score"]
    );
}

/// The requirements of B listed beside requirement `id` of A in a crosswalk, with the shared
/// controls.
fn crosswalked(crosswalk: &Value, id: &str) -> Vec<(String, Vec<String>)> {
    let row = crosswalk["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} is not in the crosswalk"));
    row["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let controls = m["controls"].as_array().unwrap();
            (
                m["id"].as_str().unwrap().to_string(),
                controls
                    .iter()
                    .map(|c| c.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn crosswalk_links_requirements_that_share_controls() {
    let out = assay()
        .args([
            "frameworks",
            "crosswalk",
            "soc2",
            "iso27001",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let walk = json(&out);
    assert_eq!(
        (walk["from"].as_str(), walk["to"].as_str()),
        (Some("soc2"), Some("iso27001"))
    );
    // Every SOC 2 criterion, in order.
    let rows: Vec<&str> = walk["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rows[..3], ["CC1.1", "CC1.2", "CC1.3"]);
    let owned = |pairs: &[(&str, &[&str])]| -> Vec<(String, Vec<String>)> {
        pairs
            .iter()
            .map(|(id, cs)| (id.to_string(), cs.iter().map(|c| c.to_string()).collect()))
            .collect()
    };
    assert_eq!(
        crosswalked(&walk, "CC1.1"),
        owned(&[
            ("A.5.10", &["att-code-of-conduct"]),
            ("A.6.4", &["att-code-of-conduct"])
        ])
    );
    assert_eq!(
        crosswalked(&walk, "A1.3"),
        owned(&[
            ("A.5.30", &["dr-restore-tested", "policy-dr-rto-rpo"]),
            ("A.8.13", &["dr-restore-tested", "policy-dr-rto-rpo"])
        ])
    );
    // Processing integrity has no counterpart in Annex A's controls.
    assert!(crosswalked(&walk, "PI1.1").is_empty());

    let text = assay()
        .args(["frameworks", "crosswalk", "soc2", "iso27001"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("\nA1.3  Testing of recovery plan procedures\n  A.5.30       dr-restore-tested, policy-dr-rto-rpo\n"), "{text}");
    assert!(
        text.contains("  (no iso27001 requirement shares a control)"),
        "{text}"
    );

    let unknown = assay()
        .args(["frameworks", "crosswalk", "soc2", "iso2700"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("did you mean `iso27001`?"), "{stderr}");
}

/// `../shared/reference/oscal` and `../shared/schemas` beside the checkout, when present.
fn shared(path: &str) -> Option<std::path::PathBuf> {
    let dev = corpus("")?;
    Some(dev.join("../..").join(path))
}

#[test]
fn oscal_export_is_a_valid_component_definition() {
    let export = |frameworks: &[&str]| {
        let out = assay()
            .args(["frameworks", "export", "--format", "oscal-component"])
            .args(frameworks)
            .env("SOURCE_DATE_EPOCH", "1780000000")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let soc2 = export(&["soc2"]);
    // Deterministic: the same catalog gives the same bytes.
    assert_eq!(soc2, export(&["soc2"]));
    let doc: Value = serde_json::from_slice(&soc2).unwrap();
    let definition = &doc["component-definition"];
    assert_eq!(
        definition["metadata"]["last-modified"],
        "2026-05-28T20:26:40Z"
    );
    let implementations = definition["components"][0]["control-implementations"]
        .as_array()
        .unwrap();
    assert_eq!(implementations.len(), 1);
    let requirements = implementations[0]["implemented-requirements"]
        .as_array()
        .unwrap();
    let a13 = requirements
        .iter()
        .find(|r| r["control-id"] == "A1.3")
        .unwrap();
    let controls: Vec<&str> = a13["props"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "control")
        .map(|p| p["value"].as_str().unwrap())
        .collect();
    assert_eq!(controls, ["dr-restore-tested", "policy-dr-rto-rpo"]);
    // The source names the framework's back-matter resource.
    let source = implementations[0]["source"].as_str().unwrap();
    let resource = &definition["back-matter"]["resources"][0];
    assert_eq!(source, format!("#{}", resource["uuid"].as_str().unwrap()));

    let Some(schema) = shared("schemas/oscal_complete_schema.json") else {
        return;
    };
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let all: Value = serde_json::from_slice(&export(&[])).unwrap();
    assert_eq!(
        all["component-definition"]["components"][0]["control-implementations"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    for (what, doc) in [("soc2", &doc), ("every framework", &all)] {
        let errors: Vec<String> = validator
            .iter_errors(doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .take(5)
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    }
    // The validator does reject what the schema forbids: a control id that is no token.
    let mut wrong = doc.clone();
    wrong["component-definition"]["components"][0]["control-implementations"][0]
        ["implemented-requirements"][0]["control-id"] = Value::from("1 x");
    assert!(!validator.is_valid(&wrong));
}

/// The ids of the MODERATE baseline in the reference list of SP 800-53, in catalog order.
fn reference_moderate(reference: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    let moderate = |e: &Value| {
        e["baselines"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b == "MODERATE"))
    };
    for family in reference["families"].as_array().unwrap() {
        for control in family["controls"].as_array().unwrap() {
            if moderate(control) {
                ids.push(control["id"].as_str().unwrap().to_string());
            }
            for e in control["enhancements"].as_array().into_iter().flatten() {
                if moderate(e) {
                    ids.push(e["id"].as_str().unwrap().to_string());
                }
            }
        }
    }
    ids
}

#[test]
fn oscal_import_reproduces_the_moderate_baseline() {
    let Some(oscal) = shared("reference/oscal") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("catalog/mappings/nist-moderate.yaml");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let resolved =
        oscal.join("NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json");
    let run = assay()
        .args(["frameworks", "import"])
        .arg(&resolved)
        .args(["--id", "nist-moderate", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let skeleton = read(&out);
    assert_eq!(skeleton["framework"], "nist-moderate");
    assert_eq!(skeleton["version"], "5.1.1+u4");
    let imported = ids(&skeleton["requirements"]);
    assert_eq!(imported.len(), 287);
    assert_eq!(imported[..4], ["AC-1", "AC-2", "AC-2(1)", "AC-2(2)"]);
    let first = &skeleton["requirements"][0];
    assert_eq!(first["title"], "Policy and Procedures");
    assert_eq!(first["controls"], serde_json::json!([]));
    let reference = read(&oscal.join("../nist-800-53r5.yaml"));
    assert_eq!(imported, reference_moderate(&reference));

    // The skeleton is a mapping assay loads as a framework of its own.
    let list = assay()
        .args(["frameworks", "list", "--format", "json", "--controls"])
        .arg(dir.path().join("catalog"))
        .output()
        .unwrap();
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let listed = json(&list);
    let nist = listed["frameworks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "nist-moderate")
        .unwrap();
    assert_eq!(nist["requirements"], 287);

    // The MODERATE profile applied to the resolved catalog selects the same list, and the HIGH
    // profile names controls the MODERATE catalog does not have.
    let profiled = |profile: &str| {
        assay()
            .args(["frameworks", "import"])
            .arg(&resolved)
            .arg("--profile")
            .arg(oscal.join(profile))
            .output()
            .unwrap()
    };
    let moderate = profiled("NIST_SP-800-53_rev5_MODERATE-baseline_profile.json");
    assert!(moderate.status.success());
    let text = String::from_utf8(moderate.stdout).unwrap();
    let doc = assay_collectors::formats::yaml::parse(&text)
        .unwrap()
        .remove(0)
        .data;
    assert_eq!(ids(&doc["requirements"]), imported);
    let high = profiled("NIST_SP-800-53_rev5_HIGH-baseline_profile.json");
    assert_eq!(high.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&high.stderr).contains("not in the catalog"));
}

#[test]
fn oscal_import_reports_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"catalog\": [\n").unwrap();
    let out = assay()
        .args(["frameworks", "import"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.json:3: not OSCAL JSON"), "{stderr}");

    let profile = dir.path().join("profile.json");
    std::fs::write(&profile, r#"{"profile": {"imports": []}}"#).unwrap();
    let out = assay()
        .args(["frameworks", "import"])
        .arg(&profile)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not an OSCAL catalog"), "{stderr}");

    let out = assay()
        .args(["frameworks", "import", "--id", "Bad Id"])
        .arg(&profile)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
