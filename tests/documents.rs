//! `assay documents`: the four audit documents of the sample repository, as Markdown and HTML,
//! checked for content (every Annex A control, processing activity, AI system and SOC 2
//! criterion), for agreement between the two formats, for determinism, for the declaration
//! files being absent, and inside the evidence site.

use crate::common;

use std::path::{Path, PathBuf};

use assay_collectors::ai;
use assay_collectors::privacy;
use common::{assay, fixture, render_site, save_results};
use regex::Regex;
use serde_json::Value;

/// The size limit of one declaration file.
const MAX: u64 = assay_collectors::Scope::DEFAULT_MAX_FILE_SIZE;

const STEMS: [&str; 4] = [
    "statement-of-applicability",
    "gdpr-article-30-records",
    "eu-ai-act-technical-documentation",
    "soc2-control-matrix",
];

const ANNEX_IV: [&str; 9] = [
    "1. General description of the AI system",
    "2. Detailed description of the elements of the AI system and of the process for its development",
    "3. Monitoring, functioning and control of the AI system",
    "4. Appropriateness of the performance metrics",
    "5. Risk management system",
    "6. Relevant changes made through the lifecycle",
    "7. Harmonised standards and common specifications applied",
    "8. EU declaration of conformity",
    "9. Post-market monitoring plan",
];

/// The documents written into a temporary folder.
struct Docs {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Docs {
    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// Runs `assay documents` with `args` and the output folder, expecting success.
fn documents(args: &[&str]) -> Docs {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("docs");
    let out = assay()
        .arg("documents")
        .args(args)
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    for stem in STEMS {
        assert!(stdout.contains(&format!("{stem}.md")), "{stdout}");
        assert!(stdout.contains(&format!("{stem}.html")), "{stdout}");
    }
    Docs { _tmp: tmp, dir }
}

fn sample() -> PathBuf {
    fixture("sample-repo")
}

/// Scans the sample repository into a results file.
fn sample_results(dir: &Path) -> PathBuf {
    save_results(&sample(), dir, &[])
}

/// The requirement ids of a built-in mapping, in order.
fn mapping_ids(framework: &str) -> Vec<String> {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../mappings/{framework}.yaml")),
    )
    .unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("  - id: "))
        .map(|id| id.trim().trim_matches('\'').trim_matches('"').to_string())
        .collect()
}

fn captures(re: &str, text: &str) -> Vec<String> {
    Regex::new(re)
        .unwrap()
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect()
}

/// HTML text as the template escaped it.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

#[test]
fn statement_of_applicability_lists_all_93_annex_a_controls() {
    let docs = documents(&[sample().to_str().unwrap()]);
    let md = docs.read("statement-of-applicability.md");
    let html = docs.read("statement-of-applicability.html");
    let ids = mapping_ids("iso27001");
    assert_eq!(ids.len(), 93);
    assert!(md.contains(
        "| Control | Title | Applicable | Justification | Implementation | Score | Evidenced |"
    ));
    assert!(html.contains("<th scope=\"col\">Applicable</th>"));

    let md_rows = captures(r"(?m)^\| (A\.\d+\.\d+) \| [^|]+ \| (?:Yes|No) \|", &md);
    let html_rows = captures(r#"<tr id="req-(A\.\d+\.\d+)""#, &html);
    assert_eq!(md_rows, ids, "Markdown rows in Annex A order");
    assert_eq!(html_rows, ids, "HTML rows in Annex A order");
    // A.5.15 Access control is mapped to automated controls; the row names one of them.
    let row = md.lines().find(|l| l.starts_with("| A.5.15 |")).unwrap();
    assert!(
        row.contains("| Yes |") && row.contains("`tf-aws-s3-public-acl` (automated, "),
        "{row}"
    );
    for theme in [
        "Organizational controls",
        "People controls",
        "Physical controls",
        "Technological controls",
    ] {
        assert!(md.contains(&format!("## {theme}")), "{theme}");
    }
    // The evidence appendix locates findings at file:line.
    assert!(md.contains("## Evidence by control"));
    assert!(Regex::new(r"`terraform/[^`]+\.tf:\d+`")
        .unwrap()
        .is_match(&md));
}

#[test]
fn not_applicable_requirements_carry_their_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sample_results(tmp.path());
    let mut results: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let reason = "No physical premises: the service runs | entirely in the cloud";
    let iso = results["frameworks"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["id"] == "iso27001")
        .unwrap();
    let req = iso["requirements"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["id"] == "A.7.1")
        .unwrap();
    req["controls"] = serde_json::json!([]);
    req["coverage"] = "not_applicable".into();
    req["status"] = "not_applicable".into();
    req["not_applicable"] = reason.into();
    std::fs::write(&file, serde_json::to_vec(&results).unwrap()).unwrap();

    let docs = documents(&[
        sample().to_str().unwrap(),
        "--results",
        file.to_str().unwrap(),
    ]);
    let md = docs.read("statement-of-applicability.md");
    let row = md.lines().find(|l| l.starts_with("| A.7.1 |")).unwrap();
    assert!(
        row.contains("| No | No physical premises: the service runs \\| entirely in the cloud |"),
        "{row}"
    );
    assert!(md.contains("**92** Annex A controls are applicable and **1** are not"));
    let html = docs.read("statement-of-applicability.html");
    let at = html
        .find("<tr id=\"req-A.7.1\" class=\"excluded\">")
        .expect("excluded row");
    assert!(html[at..].contains(&html_escape(reason)));
}

#[test]
fn article_30_records_list_every_declared_activity() {
    let records = privacy::read(&sample(), &privacy::Settings::default(), MAX)
        .unwrap()
        .expect("the sample repository declares its processing activities");
    let activities = &records.model.activities;
    assert!(activities.len() >= 2);
    let docs = documents(&[sample().to_str().unwrap()]);
    let md = docs.read("gdpr-article-30-records.md");
    let html = docs.read("gdpr-article-30-records.html");
    assert!(md.contains("Declared in `processing-activities.yaml` (sha256 `"));
    for a in activities {
        let basis = a
            .legal_basis
            .expect("sample activities declare a legal basis");
        let basis = format!("{} ({})", basis.as_str().replace('_', " "), basis.article());
        let heading = format!("### {} (`{}`)", a.name, a.id);
        let at = md
            .find(&heading)
            .unwrap_or_else(|| panic!("no section {heading}"));
        let section = &md[at..];
        let section = &section[..section[4..].find("\n### ").map_or(section.len(), |e| e + 4)];
        assert!(
            section.contains(&format!("| Legal basis (Art. 6(1)) | {basis} |")),
            "{section}"
        );
        let retention = match (&a.retention, a.retention_days) {
            (Some(words), _) => words.clone(),
            (None, Some(days)) => format!("{days} days"),
            (None, None) => panic!("sample activities declare a retention"),
        };
        assert!(
            section.contains(&format!("| Retention (Art. 30(1)(f)) | {retention}")),
            "{section}"
        );
        assert!(html.contains(&format!("id=\"activity-{}\"", a.id)));
        assert!(html.contains(&html_escape(&basis)));
    }
    let md_ids = captures(r"(?m)^### .+ \(`([^`]+)`\)$", &md);
    let html_ids = captures(r#"<section class="entry" id="activity-([^"]+)""#, &html);
    let declared: Vec<String> = activities.iter().map(|a| a.id.clone()).collect();
    assert_eq!(md_ids, declared);
    assert_eq!(html_ids, declared);
    assert!(md.contains("| Name | Example Payments GmbH |"));
    assert!(md.contains("standard contractual clauses (Art. 46(2)(c))"));
}

#[test]
fn security_measures_and_problems_point_at_the_scan() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(
        repo.path().join("processing-activities.yaml"),
        "controller: {name: Shop, contact: privacy@shop.example}\nactivities:\n  - id: orders\n    name: Order handling\n    purposes: [fulfil orders]\n    legal_basis: contract\n    data_subjects: [customers]\n    data_categories: [name, address]\n    recipients: [carrier]\n    retention_days: 400\n    security_measures: [encrypted storage (tf-aws-s3-encryption)]\n    transfers:\n      - country: US\n  - id: newsletter\n    name: Newsletter\n    purposes: [send news]\n    legal_basis: consent\n    data_subjects: [subscribers]\n    data_categories: [e-mail address]\n    recipients: [mailing service]\n    retention: until consent is withdrawn\n    security_measures: [access control]\n",
    )
    .unwrap();
    std::fs::write(
        repo.path().join("main.tf"),
        "resource \"aws_s3_bucket\" \"orders\" {\n  bucket = \"orders\"\n}\n",
    )
    .unwrap();
    let docs = documents(&[repo.path().to_str().unwrap()]);
    let md = docs.read("gdpr-article-30-records.md");
    assert!(
        md.contains("| encrypted storage (tf-aws-s3-encryption) | `tf-aws-s3-encryption` (automated, not implemented, 0.0%) |"),
        "{md}"
    );
    let orders = &md[md.find("### Order handling").unwrap()..md.find("### Newsletter").unwrap()];
    assert!(
        orders.contains("| fail | `gdpr-transfers-safeguarded` |")
            && orders.contains("`processing-activities.yaml:13`"),
        "{orders}"
    );
    let newsletter = &md[md.find("### Newsletter").unwrap()..];
    assert!(
        !newsletter.contains("gdpr-transfers-safeguarded"),
        "{newsletter}"
    );
}

#[test]
fn ai_act_documentation_covers_every_declared_system() {
    let inventory = ai::read(&sample(), &ai::Settings::default(), MAX)
        .unwrap()
        .expect("the sample repository declares its AI systems");
    let systems = &inventory.model.systems;
    assert!(!systems.is_empty());
    let docs = documents(&[sample().to_str().unwrap()]);
    let md = docs.read("eu-ai-act-technical-documentation.md");
    let html = docs.read("eu-ai-act-technical-documentation.html");
    for (i, s) in systems.iter().enumerate() {
        let heading = format!("## {} (`{}`)", s.name, s.id);
        let at = md
            .find(&heading)
            .unwrap_or_else(|| panic!("no section {heading}"));
        let end = systems.get(i + 1).map_or(md.len(), |next| {
            md.find(&format!("## {} (`{}`)", next.name, next.id))
                .unwrap()
        });
        let section = &md[at..end];
        for title in ANNEX_IV {
            assert!(
                section.contains(&format!("#### {title}\n")),
                "{} lacks {title}",
                s.id
            );
            assert!(html.contains(&format!("<h4>{}</h4>", html_escape(title))));
        }
        assert!(section.contains("#### Art. 13 Instructions for use"));
        assert!(section.contains("#### Art. 50 Transparency obligations"));
    }
    let md_ids = captures(r"(?m)^## .+ \(`([^`]+)`\)$", &md);
    let html_ids = captures(r#"<section class="entry" id="system-([^"]+)""#, &html);
    let declared: Vec<String> = systems.iter().map(|s| s.id.clone()).collect();
    assert_eq!(md_ids, declared);
    assert_eq!(html_ids, declared);
    // The credit check keeps its decision logs 90 days: the logging control says so under
    // heading 3 of that system.
    let credit = &md[md.find("## Pay-later credit check").unwrap()..];
    let monitoring =
        &credit[credit.find("#### 3. Monitoring").unwrap()..credit.find("#### 4. ").unwrap()];
    assert!(
        monitoring.contains("| fail | `ai-decision-logging` |"),
        "{monitoring}"
    );
    assert!(monitoring.contains("| Log retention | 90 days |"));
    // Heading 7 names the standards applied; heading 8 says the declaration is missing.
    let standards = &credit[credit.find("#### 7. ").unwrap()..credit.find("#### 8. ").unwrap()];
    assert!(
        standards.contains("| Standards applied | ISO/IEC 42001:2023; ISO/IEC 23894:2023 |"),
        "{standards}"
    );
    let declaration = &credit[credit.find("#### 8. ").unwrap()..credit.find("#### 9. ").unwrap()];
    assert!(
        declaration.contains("| EU declaration of conformity | *not declared* |"),
        "{declaration}"
    );
}

#[test]
fn soc2_matrix_has_every_criterion() {
    let docs = documents(&[sample().to_str().unwrap()]);
    let md = docs.read("soc2-control-matrix.md");
    let html = docs.read("soc2-control-matrix.html");
    let ids = mapping_ids("soc2");
    assert!(ids.len() >= 60);
    assert!(md.contains("| Criterion | Control | Type | Test performed | Result | Evidence |"));
    let md_rows = captures(r"(?m)^\| \*\*([^*]+)\*\* ", &md);
    let html_rows = captures(r#"<tr class="row" data-criterion="([^"]+)""#, &html);
    assert_eq!(md_rows, html_rows, "Markdown and HTML rows agree");
    let mut criteria = md_rows.clone();
    criteria.dedup();
    assert_eq!(criteria, ids, "every criterion, in order");
    // An automated control with its result and an evidence file with its digest.
    let row = md
        .lines()
        .find(|l| l.contains("| `tf-aws-s3-encryption` | automated |"))
        .expect("tf-aws-s3-encryption in the matrix");
    assert!(
        row.contains(
            "YAML assertion over configuration files: S3 buckets declare default server-side encryption"
        ),
        "{row}"
    );
    // Other check languages and attestations say what was done.
    for (control, test) in [
        ("k8s-rbac-wildcard", "Rego policy over configuration files:"),
        (
            "access-privileged-group",
            "Cedar authorization query over access models:",
        ),
        (
            "att-governance-oversight",
            "Attestation reviewed (unsigned;",
        ),
        (
            "gdpr-retention-defined",
            "YAML assertion over the records of processing:",
        ),
        ("audit-log-hash-chain", "YAML assertion over audit logs:"),
    ] {
        let row = md
            .lines()
            .find(|l| l.contains(&format!("| `{control}` |")))
            .unwrap_or_else(|| panic!("{control} in the matrix"));
        assert!(row.contains(test), "{row}");
    }
    assert!(
        Regex::new(r"\d+ passed, \d+ failed").unwrap().is_match(row),
        "{row}"
    );
    assert!(
        Regex::new(r"`terraform/[^`]+` `[0-9a-f]{12}`")
            .unwrap()
            .is_match(row),
        "{row}"
    );
    assert!(
        md.contains("| attested |"),
        "attested controls are in the matrix"
    );
    assert!(
        Regex::new(r"(?m)^\| `terraform/[^`]+` \| `[0-9a-f]{64}` \|$")
            .unwrap()
            .is_match(&md)
    );
}

#[test]
fn html_is_self_contained() {
    let docs = documents(&[sample().to_str().unwrap()]);
    for stem in STEMS {
        let html = docs.read(&format!("{stem}.html"));
        assert!(html.starts_with("<!doctype html>"), "{stem}");
        assert!(html.contains("<style>"), "{stem}");
        for banned in ["<script", "<link", " src=", "http://", "url("] {
            assert!(!html.contains(banned), "{stem} contains {banned}");
        }
        // No link into a site the document does not sit in.
        assert!(!html.contains("..&#x2f;controls"), "{stem}");
    }
}

#[test]
fn rendering_saved_results_twice_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sample_results(tmp.path());
    let root = sample();
    let args = [root.to_str().unwrap(), "--results", file.to_str().unwrap()];
    let (a, b) = (documents(&args), documents(&args));
    for stem in STEMS {
        for ext in ["md", "html"] {
            let name = format!("{stem}.{ext}");
            assert!(
                a.read(&name) == b.read(&name),
                "{name} differs between runs"
            );
        }
    }
}

#[test]
fn absent_declarations_are_said_plainly() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("Dockerfile"), "FROM alpine:3.20\n").unwrap();
    let docs = documents(&[repo.path().to_str().unwrap()]);
    let md = docs.read("gdpr-article-30-records.md");
    assert!(
        md.contains("> **processing-activities.yaml was not found**"),
        "{md}"
    );
    assert!(md.contains("> - `compliance/processing-activities.yaml`"));
    let md = docs.read("eu-ai-act-technical-documentation.md");
    assert!(md.contains("> **ai-systems.yaml was not found**"), "{md}");
    assert!(md.contains("> - `docs/ai-systems.yml`"));
    // The other two documents do not depend on declarations.
    assert!(docs.read("soc2-control-matrix.md").contains("| **CC6.1** "));
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = assay()
        .args(["documents", "--results"])
        .arg(tmp.path().join("missing.json"))
        .arg("--out")
        .arg(tmp.path().join("docs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json"));
    let out = assay()
        .arg("documents")
        .arg(tmp.path().join("nowhere"))
        .arg("--out")
        .arg(tmp.path().join("docs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a directory"));
    assert!(!tmp.path().join("docs").exists());
}

#[test]
fn the_evidence_site_has_the_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sample_results(tmp.path());
    let site = tmp.path().join("site");
    render_site(&file, &site, &["--root".as_ref(), sample().as_os_str()]);
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(
        index.contains(">Documents</a>"),
        "nav link to the documents"
    );
    let list = std::fs::read_to_string(site.join("documents/index.html")).unwrap();
    for stem in STEMS {
        assert!(list.contains(&format!("{stem}.html")), "{stem}");
        assert!(site.join(format!("documents/{stem}.md")).is_file());
    }
    let matrix = std::fs::read_to_string(site.join("documents/soc2-control-matrix.html")).unwrap();
    // Links to pages that exist in the site.
    let links: Vec<String> = captures(r#"href="([^"]+)""#, &matrix)
        .iter()
        .map(|l| l.replace("&#x2f;", "/"))
        .filter_map(|l| {
            l.strip_prefix("../")
                .map(|l| l.split('#').next().unwrap().to_string())
        })
        .collect();
    assert!(
        links.iter().any(|l| l.starts_with("controls/")),
        "{links:?}"
    );
    assert!(
        links.iter().any(|l| l.starts_with("evidence/")),
        "{links:?}"
    );
    for link in links {
        let path = site.join(&link);
        assert!(path.is_file(), "broken link {}", path.display());
    }
}

/// From saved results and no ROOT, the declaration files are read from the scan root the
/// results name (relative to where the scan ran).
#[test]
fn saved_results_find_their_declarations_at_the_scan_root() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("results.json");
    // The results record the root relative to where the scan ran; run from there, the
    // documents find the declarations.
    let fixtures = fixture("");
    let scan = assay()
        .current_dir(&fixtures)
        .args(["scan", "sample-repo", "--format", "json", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(matches!(scan.status.code(), Some(0 | 1)));
    let results: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(results["scan"]["root"], "sample-repo");
    let out = assay()
        .current_dir(&fixtures)
        .args(["documents", "--results"])
        .arg(&file)
        .arg("--out")
        .arg(tmp.path().join("docs"))
        .output()
        .unwrap();
    common::exited(&out, 0);
    let md = std::fs::read_to_string(tmp.path().join("docs/gdpr-article-30-records.md")).unwrap();
    assert!(
        md.contains("Declared in `processing-activities.yaml`"),
        "{md}"
    );
    assert!(md.contains("Payment processing (`payments`)"));
}

/// The documents of the frameworks a scan scored beyond the default four: each lists every
/// requirement in scope in mapping order, with the regulation's marks, in Markdown and HTML,
/// and their heads (title, framework figures, introduction and first rows) equal the golden
/// files (`ASSAY_UPDATE_GOLDEN=1` rewrites them). A scan that did not score a framework writes
/// no document for it.
#[test]
fn framework_documents_follow_their_frameworks() {
    let tmp = tempfile::tempdir().unwrap();
    let results = save_results(
        &sample(),
        tmp.path(),
        &[
            "--framework",
            "soc2,nist-800-53,hipaa,pci-dss,gobd",
            "--now",
            "2026-11-22T00:00:00Z",
        ],
    );
    let docs = documents(&["--results", results.to_str().unwrap()]);
    for (stem, framework, marks) in [
        (
            "nist-800-53-control-implementation-summary",
            "nist-800-53",
            "",
        ),
        ("hipaa-risk-analysis-evidence", "hipaa", "(Addressable)"),
        (
            "pci-dss-requirement-evidence",
            "pci-dss",
            "(service providers only)",
        ),
        (
            "gobd-verfahrensdokumentation",
            "gobd",
            "## 2. Anwenderdokumentation",
        ),
    ] {
        let md = docs.read(&format!("{stem}.md"));
        let html = docs.read(&format!("{stem}.html"));
        let mut rows = captures(r"(?m)^\| \*\*([^*]+)\*\* ", &md);
        rows.dedup();
        assert_eq!(
            rows,
            mapping_ids(framework),
            "{stem}: Markdown rows in mapping order"
        );
        let mut html_rows = captures(r#"data-requirement="([^"]+)""#, &html);
        html_rows.dedup();
        assert_eq!(html_rows, rows, "{stem}: HTML rows as in Markdown");
        assert!(md.contains(marks), "{stem}: {marks}");
        let head: String = md.lines().take(40).map(|l| format!("{l}\n")).collect();
        let golden = fixture("documents-golden").join(format!("{stem}.md"));
        if std::env::var_os("ASSAY_UPDATE_GOLDEN").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &head).unwrap();
        }
        assert_eq!(
            head,
            std::fs::read_to_string(&golden).unwrap_or_default(),
            "{stem} differs from {}",
            golden.display()
        );
    }
    let default = documents(&[sample().to_str().unwrap()]);
    assert!(!default.dir.join("hipaa-risk-analysis-evidence.md").exists());
}

/// `--pdf` prints every document with headless Chromium: the text `pdftotext` extracts holds
/// the Annex A controls of the Statement of Applicability and the HIPAA requirements in their
/// order. Needs Chromium and pdftotext (poppler-utils): skipped without them, failing under CI.
#[test]
fn documents_print_to_pdf_in_requirement_order() {
    if !crate::cdp::can_print_pdf() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let results = save_results(&sample(), tmp.path(), &["--framework", "iso27001,hipaa"]);
    let docs = documents(&["--results", results.to_str().unwrap(), "--pdf"]);
    for (stem, framework) in [
        ("statement-of-applicability", "iso27001"),
        ("hipaa-risk-analysis-evidence", "hipaa"),
    ] {
        let pdf = docs.dir.join(format!("{stem}.pdf"));
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"), "{stem}");
        let out = std::process::Command::new("pdftotext")
            .args(["-raw"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        assert!(out.status.success());
        // A long id may wrap inside its table cell: compare without white space.
        let text: String = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect();
        let mut at = 0;
        for id in mapping_ids(framework) {
            let id: String = id.split_whitespace().collect();
            let found = text[at..]
                .find(&id)
                .unwrap_or_else(|| panic!("{stem}: {id} missing or out of order"));
            at += found + id.len();
        }
    }
    let out = assay()
        .args([
            "documents",
            "--results",
            results.to_str().unwrap(),
            "--pdf",
            "--out",
        ])
        .arg(tmp.path().join("none"))
        .env("CHROMIUM", tmp.path().join("no-such-browser"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
