//! Catalog invariants: every requirement of the reference lists is in its mapping file, in the
//! same order, and every built-in control evidences requirements (the configuration controls in
//! each of the first four frameworks). The reference lists live beside the checkout (skipped when
//! absent). ISO/IEC 27001:2013 ids resolve to their 2022 controls, and a requirement id a
//! built-in framework lacks is an error unless declared new.

use crate::common;

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
    // The nested lists: NIST controls with their enhancements (withdrawn ones left out), HIPAA
    // standards with their implementation specifications, PCI DSS defined requirements under
    // their sub-requirements, ISO/IEC 42001 Annex A controls without the group headings.
    let nist = read(&reference.join("nist-800-53r5.yaml"));
    let mut withdrawn = Vec::new();
    let nist_ids: Vec<String> = items(&nist["families"])
        .flat_map(|f| items(&f["controls"]))
        .flat_map(|c| std::iter::once(c).chain(items(&c["enhancements"])))
        .filter(|c| {
            let gone = c.get("withdrawn").is_some();
            if gone {
                withdrawn.push(c["id"].as_str().unwrap().to_string());
            }
            !gone
        })
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    let hipaa = read(&reference.join("hipaa-security-rule.yaml"));
    let hipaa_ids: Vec<String> = items(&hipaa["sections"])
        .flat_map(|s| items(&s["standards"]))
        .flat_map(|s| std::iter::once(s).chain(items(&s["implementation_specifications"])))
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let pci = read(&reference.join("pci-dss-4.0.yaml"));
    let pci_ids: Vec<String> = items(&pci["requirements"])
        .flat_map(|r| items(&r["sub_requirements"]))
        .flat_map(|s| items(&s["requirements"]))
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let ai = read(&reference.join("iso-iec-42001-annex-a.yaml"));
    let ai_ids: Vec<String> = items(&ai["annex_a"])
        .flat_map(|g| items(&g["controls"]))
        .filter(|c| c.get("group_only").is_none())
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    for (mapping, expected, count) in [
        ("nist-800-53", nist_ids, 1011),
        ("hipaa", hipaa_ids, 68),
        ("pci-dss", pci_ids, 280),
        ("iso42001", ai_ids, 38),
    ] {
        let mapped = ids(&read(&mappings.join(format!("{mapping}.yaml")))["requirements"]);
        assert_eq!(mapped.len(), count, "{mapping}.yaml");
        assert_eq!(
            mapped, expected,
            "{mapping}.yaml does not list the reference requirements in order"
        );
    }
    assert_eq!(
        withdrawn.len(),
        24 + 158,
        "withdrawn NIST controls and enhancements"
    );
}

fn items(list: &Value) -> impl Iterator<Item = &Value> {
    list.as_array().into_iter().flatten()
}

/// The requirement attributes the new mappings carry: NIST baselines (as many per baseline as
/// SP 800-53B selects), HIPAA designations, PCI DSS service-provider requirements.
#[test]
fn mapping_attributes_follow_the_reference() {
    let mappings = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mappings");
    let nist = read(&mappings.join("nist-800-53.yaml"));
    let in_baseline = |b: &str| {
        items(&nist["requirements"])
            .filter(|r| items(&r["baselines"]).any(|x| x == b))
            .count()
    };
    assert_eq!(
        ["low", "moderate", "high", "privacy"].map(in_baseline),
        [149, 287, 370, 96]
    );
    let hipaa = read(&mappings.join("hipaa.yaml"));
    let designated = |d: &str| {
        items(&hipaa["requirements"])
            .filter(|r| r["designation"] == d)
            .count()
    };
    // 46 specifications (24 required, 22 addressable) and the 7 standards without any, which
    // carry `Required` themselves.
    assert_eq!(
        (designated("Required"), designated("Addressable")),
        (31, 22)
    );
    let pci = read(&mappings.join("pci-dss.yaml"));
    let providers: Vec<&str> = items(&pci["requirements"])
        .filter(|r| r["service_provider"] == true)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    // The 18 restricted to (multi-tenant) service providers, and Appendix A1 (7).
    assert_eq!(providers.len(), 18 + 7, "{providers:?}");
    assert!(providers.contains(&"12.9.1") && providers.contains(&"A1.1.1"));
    // One control evidences many frameworks: the encrypted database.
    let out = assay()
        .args(["controls", "list", "--format", "json"])
        .output()
        .unwrap();
    let controls = json(&out);
    let database = items(&controls)
        .find(|c| c["id"] == "tf-aws-rds-encryption")
        .unwrap();
    let tags: BTreeSet<String> = items(&database["mappings"])
        .map(|m| {
            format!(
                "{}:{}",
                m["framework"].as_str().unwrap(),
                m["requirement"].as_str().unwrap()
            )
        })
        .collect();
    for tag in [
        "iso27001:A.8.24",
        "soc2:CC6.1",
        "nist-800-53:SC-28",
        "hipaa:164.312(a)(2)(iv)",
        "pci-dss:3.5.1",
    ] {
        assert!(tags.contains(tag), "{tag} not in {tags:?}");
    }
}

/// The requirement ids of a reference list, as its mapping file must list them.
fn reference_ids(framework: &str, reference: &Value) -> Vec<String> {
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let id = |v: &Value, key: &str| v[key].as_str().unwrap().to_string();
    match framework {
        // Criteria by domain.
        "bsi-c5" => list(&reference["domains"])
            .iter()
            .flat_map(|d| {
                list(&d["criteria"])
                    .iter()
                    .map(|c| id(c, "id"))
                    .collect::<Vec<_>>()
            })
            .collect(),
        // Each chapter, then its sections.
        "gobd" => list(&reference["chapters"])
            .iter()
            .flat_map(|c| {
                std::iter::once(id(c, "id"))
                    .chain(list(&c["subsections"]).iter().map(|s| id(s, "id")))
                    .collect::<Vec<_>>()
            })
            .collect(),
        // The most specific provision: a point, else a paragraph, else the article.
        "nis2" => list(&reference["articles"])
            .iter()
            .flat_map(|a| {
                let paragraphs = list(&a["paragraphs"]);
                if paragraphs.is_empty() {
                    return vec![id(a, "id")];
                }
                paragraphs
                    .iter()
                    .flat_map(|p| match list(&p["points"]) {
                        points if points.is_empty() => vec![id(p, "ref")],
                        points => points.iter().map(|x| id(x, "ref")).collect(),
                    })
                    .collect()
            })
            .collect(),
        // Articles by chapter and section.
        "dora" => list(&reference["chapters"])
            .iter()
            .flat_map(|c| list(&c["sections"]))
            .flat_map(|s| {
                list(&s["articles"])
                    .iter()
                    .map(|a| id(a, "id"))
                    .collect::<Vec<_>>()
            })
            .collect(),
        other => panic!("no reference layout for {other}"),
    }
}

/// BSI C5, the GoBD, NIS 2 and DORA list every requirement of their reference list, in its
/// order, with the count the reference states.
#[test]
fn the_european_frameworks_list_every_reference_requirement_in_order() {
    let Some(dev) = corpus("") else { return };
    let reference = dev.join("../../reference");
    let mappings = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mappings");
    for (mapping, file, count) in [
        ("bsi-c5", "bsi-c5-2020.yaml", 121),
        ("gobd", "gobd.yaml", 47),
        ("nis2", "nis2-art21.yaml", 35),
        ("dora", "dora.yaml", 40),
    ] {
        let reference = read(&reference.join(file));
        let expected = reference_ids(mapping, &reference);
        assert_eq!(expected.len(), count, "{file}");
        let mapped = ids(&read(&mappings.join(format!("{mapping}.yaml")))["requirements"]);
        assert_eq!(
            mapped, expected,
            "{mapping}.yaml does not list the reference requirements in order"
        );
    }
    // The reference's own counts agree.
    let c5 = read(&reference.join("bsi-c5-2020.yaml"));
    assert_eq!(c5["counts"]["criteria"], 121);
    let gobd = read(&reference.join("gobd.yaml"));
    assert_eq!(
        gobd["counts"]["chapters"].as_u64().unwrap()
            + gobd["counts"]["subsections"].as_u64().unwrap(),
        47
    );
    let dora = read(&reference.join("dora.yaml"));
    assert_eq!(dora["counts"]["articles_total"], 40);
}

/// Every ISO/IEC 27001:2013 Annex A id, A.5.1.1 to A.18.2.3, resolves to 2022 controls of the
/// mapping; every 2022 control not new in 2022 has a predecessor, and none of the new ones has.
#[test]
fn every_iso27001_2013_id_resolves_to_2022_controls() {
    let mappings = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../mappings");
    let table = read(&mappings.join("iso27001-2013.yaml"));
    assert_eq!(table["framework"], "iso27001");
    let entries = table["earlier_edition"]["ids"].as_array().unwrap();
    let old: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(old.len(), 114);
    assert_eq!((old[0], old[113]), ("A.5.1.1", "A.18.2.3"));
    // Per clause A.5-A.18, in order.
    let per_clause: Vec<usize> = (5..=18)
        .map(|c| {
            old.iter()
                .filter(|id| id.split('.').nth(1) == Some(&c.to_string()))
                .count()
        })
        .collect();
    assert_eq!(per_clause, [2, 7, 6, 10, 14, 2, 15, 14, 7, 13, 5, 7, 4, 8]);
    let current = ids(&read(&mappings.join("iso27001.yaml"))["requirements"]);
    let mut reached = BTreeSet::new();
    for e in entries {
        for now in e["now"].as_array().unwrap() {
            let now = now.as_str().unwrap();
            assert!(current.iter().any(|c| c == now), "{e}");
            reached.insert(now.to_string());
        }
    }
    if let Some(dev) = corpus("") {
        let reference = read(&dev.join("../../reference/iso27001-2022-annex-a.yaml"));
        for c in reference["controls"].as_array().unwrap() {
            let new = c["new_in_2022"] == true;
            let id = c["id"].as_str().unwrap();
            assert_eq!(reached.contains(id), !new, "{id}");
        }
    }
    // Shown beside the 2022 id.
    let out = assay()
        .args(["frameworks", "coverage", "iso27001", "--format", "json"])
        .output()
        .unwrap();
    let detail = json(&out)["frameworks"][0]["detail"].clone();
    let a815 = detail
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "A.8.15")
        .unwrap();
    assert_eq!(
        a815["earlier_ids"],
        serde_json::json!(["A.12.4.1", "A.12.4.2", "A.12.4.3"])
    );
    let text = assay()
        .args(["frameworks", "coverage", "iso27001"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("A.12.4.1 → A.8.15"), "{text}");
    assert!(text.contains("A.18.2.3 → A.5.36") && text.contains("A.18.2.3 → A.8.8"));
}

/// A user mapping extends a built-in framework: a 2013 id maps its controls to the 2022
/// control, `new: true` adds a requirement of one's own, and an id the framework lacks (or
/// `new: true` on one it has) is a configuration error at its line with a suggestion.
#[test]
fn user_mappings_name_known_ids_earlier_ids_or_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let mappings = dir.path().join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    let write = |text: &str| std::fs::write(mappings.join("ours.yaml"), text).unwrap();
    let coverage = || {
        assay()
            .args(["frameworks", "coverage", "iso27001", "--format", "json"])
            .arg("--controls")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    write("framework: iso27001\nrequirements:\n  - id: A.12.4.1\n    controls: [k8s-privileged-container]\n  - id: ORG-1\n    new: true\n    title: Production changes follow the change board\n    controls: [cm-reviewed-changes]\n");
    let out = coverage();
    common::exited(&out, 0);
    let detail = json(&out)["frameworks"][0]["detail"].clone();
    let find = |id: &str| {
        detail
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    assert!(find("A.8.15")["controls"]
        .as_array()
        .unwrap()
        .contains(&"k8s-privileged-container".into()));
    assert!(detail
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["id"] != "A.12.4.1"));
    assert_eq!(
        find("ORG-1")["controls"],
        serde_json::json!(["cm-reviewed-changes"])
    );
    assert_eq!(detail.as_array().unwrap().len(), 94);

    write("framework: iso27001\nrequirements:\n  - id: A.5.1\n    controls: [k8s-privileged-container]\n  - id: A.8.155\n    controls: [k8s-privileged-container]\n");
    let err = common::exited(&coverage(), 2);
    assert!(err.contains("ours.yaml:5:"), "{err}");
    assert!(
        err.contains("`iso27001` has no requirement `A.8.155`"),
        "{err}"
    );
    assert!(err.contains("did you mean `A.8.15`?"), "{err}");
    assert!(err.contains("`new: true` to add one"), "{err}");

    write("framework: iso27001\nrequirements:\n  - id: A.5.1\n    new: true\n");
    let err = common::exited(&coverage(), 2);
    assert!(err.contains("ours.yaml:4:"), "{err}");
    assert!(
        err.contains("`iso27001` already has a requirement `A.5.1`"),
        "{err}"
    );

    // Earlier numberings come with the built-in catalog only.
    write("framework: iso27001\nearlier_edition:\n  name: ISO/IEC 27001:2005\n  ids:\n    - {id: A.10.10.1, now: [A.8.15]}\n");
    let err = common::exited(&coverage(), 2);
    assert!(err.contains("ours.yaml:2:"), "{err}");
    assert!(err.contains("part of the built-in catalog"), "{err}");
}

/// An exclusion may name a 2013 id: it excludes the 2022 control, whose results carry the 2013
/// ids; an unknown id is an error at its line of assay.yaml.
#[test]
fn exclusions_understand_2013_ids_and_report_unknown_ones_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: web, image: nginx:1.27}\n").unwrap();
    let config = |requirements: &str| {
        std::fs::write(
            dir.path().join("assay.yaml"),
            format!("frameworks: [iso27001]\nexclusions:\n  - framework: iso27001\n    requirements:\n      - A.7.1\n      - {requirements}\n    reason: Fully remote company without offices.\n    approved_by: Dana Reyes (CISO)\n    date: 2026-03-01\n"),
        )
        .unwrap();
    };
    let scan = || {
        assay()
            .arg("scan")
            .arg(dir.path())
            .args(["--format", "json", "--soft-fail"])
            .output()
            .unwrap()
    };
    config("A.11.1.3");
    let out = scan();
    common::exited(&out, 0);
    let r = json(&out);
    let a73 = common::requirement(&r, "iso27001", "A.7.3");
    assert_eq!(a73["coverage"], "not_applicable");
    assert_eq!(a73["earlier_ids"], serde_json::json!(["A.11.1.3"]));
    assert!(a73["exclusion"]["reason"]
        .as_str()
        .unwrap()
        .starts_with("Fully remote"));
    let a815 = common::requirement(&r, "iso27001", "A.8.15");
    assert_eq!(
        a815["earlier_ids"],
        serde_json::json!(["A.12.4.1", "A.12.4.2", "A.12.4.3"])
    );
    // The Statement of Applicability names the 2013 ids beside the 2022 control.
    let out = tempfile::tempdir().unwrap();
    let run = assay()
        .arg("documents")
        .arg(dir.path())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    common::exited(&run, 0);
    let soa = std::fs::read_to_string(out.path().join("statement-of-applicability.md")).unwrap();
    let row = soa.lines().find(|l| l.starts_with("| A.8.15 |")).unwrap();
    assert!(
        row.contains("Logging (formerly A.12.4.1, A.12.4.2, A.12.4.3)"),
        "{row}"
    );
    // A misspelt framework is an error too, even out of scope.
    std::fs::write(
        dir.path().join("assay.yaml"),
        "frameworks: [soc2]\nexclusions:\n  - framework: iso-27001\n    requirements: [A.7.1]\n    reason: Fully remote company without offices.\n    approved_by: Dana Reyes (CISO)\n    date: 2026-03-01\n",
    )
    .unwrap();
    let err = common::exited(&scan(), 2);
    assert!(err.contains("assay.yaml:3:"), "{err}");
    assert!(
        err.contains("no framework `iso-27001` to exclude from"),
        "{err}"
    );
    assert!(err.contains("did you mean `iso27001`?"), "{err}");
    config("A.11.1.33");
    let err = common::exited(&scan(), 2);
    assert!(err.contains("assay.yaml:6:"), "{err}");
    assert!(
        err.contains("`iso27001` has no requirement `A.11.1.33` to exclude"),
        "{err}"
    );
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
        // configuration, secrets, encryption, logging) and the backup controls evidence SOC 2,
        // ISO/IEC 27001, the GDPR and the EU AI Act.
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
            assert!(
                frameworks.is_superset(&all),
                "{} is not mapped in each of {all:?}",
                c["id"]
            );
        }
    }
}

/// Every requirement of the built-in frameworks is evidenced by a control (automated or
/// attested) or marked not applicable with a reason: none is unmapped.
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
            ("bsi-c5", 121),
            ("dora", 40),
            ("eu-ai-act", 43),
            ("gdpr", 38),
            ("gobd", 47),
            ("hipaa", 68),
            ("iso27001", 93),
            ("iso42001", 38),
            ("nis2", 35),
            ("nist-800-53", 1011),
            ("pci-dss", 280),
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
    let mut scored = Vec::new();
    for f in report["frameworks"].as_array().unwrap() {
        let scanned = saved["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == f["id"]);
        // The frameworks scored only when chosen were not in this scan's scope.
        let Some(scanned) = scanned else {
            assert_eq!(f["last_score"], Value::Null, "{}", f["id"]);
            continue;
        };
        assert_eq!(f["last_score"], scanned["score"], "{}", f["id"]);
        assert_eq!(f["coverage"], scanned["coverage"], "{}", f["id"]);
        scored.push(f["id"].as_str().unwrap());
    }
    assert_eq!(scored, ["eu-ai-act", "gdpr", "iso27001", "soc2"]);
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

/// NIST SP 800-53, HIPAA, PCI DSS and ISO/IEC 42001 are scored only when chosen; each then
/// shows its score for the sample repository.
#[test]
fn the_new_frameworks_are_scored_when_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let sample = common::fixture("sample-repo");
    let ids = |results: &std::path::Path| -> Vec<(String, u64)> {
        let saved: Value = serde_json::from_slice(&std::fs::read(results).unwrap()).unwrap();
        items(&saved["frameworks"])
            .map(|f| {
                assert!(f["score"].as_f64().is_some(), "{} has no score", f["id"]);
                (
                    f["id"].as_str().unwrap().to_string(),
                    f["counts"]["requirements"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let default = common::save_results(&sample, dir.path(), &[]);
    let scored: Vec<String> = ids(&default).into_iter().map(|(id, _)| id).collect();
    assert_eq!(scored, ["eu-ai-act", "gdpr", "iso27001", "soc2"]);
    let chosen = common::save_results(
        &sample,
        dir.path(),
        &["--framework", "nist-800-53,hipaa,pci-dss,iso42001"],
    );
    let expected: Vec<(String, u64)> = [
        ("hipaa", 68),
        ("iso42001", 38),
        ("nist-800-53", 1011),
        ("pci-dss", 280),
    ]
    .map(|(id, n)| (id.to_string(), n))
    .into();
    assert_eq!(ids(&chosen), expected);
    // The results carry the HIPAA designation and the PCI DSS service-provider mark, as the
    // results schema describes them.
    let saved: Value = serde_json::from_slice(&std::fs::read(&chosen).unwrap()).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../schemas/results.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&saved));
    let requirement = |framework: &str, id: &str| {
        items(&saved["frameworks"])
            .find(|f| f["id"] == framework)
            .and_then(|f| items(&f["requirements"]).find(|r| r["id"] == id))
            .cloned()
            .unwrap()
    };
    let logoff = requirement("hipaa", "164.312(a)(2)(iii)");
    assert_eq!(logoff["designation"], "Addressable");
    assert_eq!(
        logoff["controls"],
        serde_json::json!(["tf-auth0-session-idle-timeout", "att-endpoint-security"])
    );
    assert_eq!(requirement("pci-dss", "12.9.1")["service_provider"], true);
    assert_eq!(
        requirement("pci-dss", "12.8.1")["service_provider"],
        Value::Null
    );
}

/// `frameworks:` in assay.yaml selects a NIST baseline (only its requirements stay in scope)
/// and leaves out the PCI DSS requirements for service providers; a baseline the framework
/// does not have, or service providers for a framework without such requirements, is a
/// configuration error.
#[test]
fn a_baseline_selection_changes_the_requirement_count() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("pod.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - {name: web, image: nginx:1.27}\n").unwrap();
    let config = dir.path().join("assay.yaml");
    let scan = |frameworks: &str| {
        std::fs::write(&config, format!("frameworks: {frameworks}\n")).unwrap();
        assay()
            .arg("scan")
            .arg(&root)
            .arg("--config")
            .arg(&config)
            .args(["--format", "json"])
            .output()
            .unwrap()
    };
    let count = |frameworks: &str| -> Vec<u64> {
        items(&json(&scan(frameworks))["frameworks"])
            .map(|f| f["counts"]["requirements"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(count("[nist-800-53]"), [1011]);
    for (baseline, n) in [
        ("low", 149),
        ("moderate", 287),
        ("high", 370),
        ("privacy", 96),
    ] {
        assert_eq!(
            count(&format!("[{{id: nist-800-53, baseline: {baseline}}}]")),
            [n],
            "{baseline}"
        );
    }
    assert_eq!(
        count("[soc2, {id: pci-dss, service_provider: false}]"),
        [280 - 25, 61]
    );
    assert_eq!(count("[{id: pci-dss, service_provider: true}]"), [280]);
    let stderr = common::exited(&scan("[{id: nist-800-53, baseline: moderat}]"), 2);
    assert!(
        stderr.contains("has no baseline `moderat`") && stderr.contains("did you mean `moderate`"),
        "{stderr}"
    );
    let stderr = common::exited(&scan("[{id: hipaa, service_provider: false}]"), 2);
    assert!(
        stderr.contains("`hipaa` has no requirement for service providers only"),
        "{stderr}"
    );
    let stderr = common::exited(&scan("[{id: hipaa, level: 2}]"), 2);
    assert!(stderr.contains("frameworks"), "{stderr}");
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
        12
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
