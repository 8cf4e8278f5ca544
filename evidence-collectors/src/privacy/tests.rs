use std::path::Path;

use serde_json::json;

use super::*;

const RECORD: &str = "\
controller:
  name: Example GmbH
  contact: privacy@example.com
activities:
  - id: billing
    name: Customer billing
    purposes: [invoicing]
    legal_basis: contract
    data_subjects: [customers]
    data_categories: [contact details, payment data]
    recipients: [payment processor]
    transfers:
      - country: US
        safeguard: scc
      - country: IN
    retention_days: 3650
    security_measures: [encryption at rest]
  - id: newsletter
    name: Newsletter
    purposes: [marketing]
    legal_basis: consent
    data_subjects: [subscribers]
    data_categories: [email]
    special_categories: [health]
data_subject_requests:
  contact: privacy@example.com
  endpoints:
    - right: access
      method: get
      path: /v1/me/export
    - right: erasure
      method: DELETE
      path: /v1/me
      documented_in: docs/privacy-api.md
    - right: rectification
      method: PATCH
      path: /v1/me
";

const OPENAPI: &str = "\
openapi: 3.0.3
servers:
  - url: https://api.example.com/v1
paths:
  /me/export:
    get:
      summary: Export my data
";

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

fn kinds(c: &Collection) -> Vec<(String, usize, String)> {
    c.documents
        .iter()
        .map(|d| {
            (
                d.path.to_string(),
                d.index,
                d.data["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_scan_without_a_record_yields_an_absent_record() {
    let dir = tempfile::tempdir().unwrap();
    let c = PrivacyCollector.collect(&Scope::new(dir.path())).unwrap();
    assert!(c.errors.is_empty());
    assert_eq!(c.documents.len(), 1);
    let d = &c.documents[0];
    assert_eq!(d.data["kind"], "ProcessingRecords");
    assert_eq!(d.data["present"], false);
    assert_eq!(d.path.as_ref(), "processing-activities.yaml");
    assert_eq!(d.line(""), 1);
}

#[test]
fn reads_the_record_its_activities_and_request_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "compliance/processing-activities.yaml", RECORD);
    write(root, "api/openapi.yaml", OPENAPI);
    write(
        root,
        "docs/privacy-api.md",
        "# Privacy API\n\n| `DELETE` | `/v1/me` | erase the account |\n",
    );
    let c = PrivacyCollector.collect(&Scope::new(root)).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let path = "compliance/processing-activities.yaml".to_string();
    assert_eq!(
        kinds(&c),
        vec![
            (path.clone(), 0, "ProcessingRecords".into()),
            (path.clone(), 1, "ProcessingActivity".into()),
            (path.clone(), 2, "ProcessingActivity".into()),
            (path, 3, "DataSubjectRequests".into()),
        ]
    );
    let records = &c.documents[0];
    assert_eq!(records.data["present"], true);
    assert_eq!(records.data["activity_count"], 2);
    assert_eq!(records.data["controller"]["name"], "Example GmbH");
    assert_eq!(records.data["controller_missing"], json!([]));

    let billing = &c.documents[1];
    assert_eq!(billing.data["id"], "billing");
    assert_eq!(billing.data["missing"], json!([]));
    assert_eq!(billing.data["retention_days"], 3650);
    assert_eq!(billing.data["legal_basis_article"], "Art. 6(1)(b)");
    assert_eq!(billing.data["transfers_without_safeguard"], json!(["IN"]));
    assert_eq!(billing.line(""), 5);
    assert_eq!(billing.line("/transfers_without_safeguard/0"), 15);
    assert_eq!(billing.line("/purposes"), 7);

    let newsletter = &c.documents[2];
    assert_eq!(
        newsletter.data["missing"],
        json!(["recipients", "retention", "security_measures"])
    );
    assert_eq!(newsletter.data["retention_defined"], false);
    assert_eq!(newsletter.data["special_categories_without_basis"], true);
    assert_eq!(newsletter.line("/missing"), 18);

    let requests = &c.documents[3];
    assert_eq!(
        requests.data["rights_covered"],
        json!(["access", "rectification", "erasure"])
    );
    assert_eq!(
        requests.data["missing_rights"],
        json!(["restriction", "portability", "objection"])
    );
    let endpoints = &requests.data["endpoints"];
    assert_eq!(endpoints[0]["documented_by"], json!(["api/openapi.yaml"]));
    assert_eq!(
        endpoints[1]["documented_by"],
        json!(["docs/privacy-api.md"])
    );
    assert_eq!(endpoints[1]["documented_in_present"], true);
    assert_eq!(endpoints[2]["documented"], false);
    assert_eq!(requests.data["undocumented"], json!(["PATCH /v1/me"]));
    assert_eq!(requests.line("/undocumented/0"), 35);
    assert_eq!(requests.line(""), 25);
    assert!(c.documents.iter().all(|d| d.digest == records.digest));
}

#[test]
fn schema_violations_are_reported_at_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "processing-activities.yaml",
        "activities:\n  - id: a\n    name: A\n    legal_basis: contrct\n    retention_dayz: 3\n  - name: B\n",
    );
    let c = PrivacyCollector.collect(&Scope::new(root)).unwrap();
    assert!(c.documents.is_empty());
    let found: Vec<(u32, &str)> = c
        .errors
        .iter()
        .map(|e| (e.position.unwrap().line, e.message.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (4, "invalid value `contrct`: expected one of `consent`, `contract`, `legal_obligation`, `vital_interests`, `public_task`, `legitimate_interests`"),
            (5, "unknown key `retention_dayz`"),
            (6, "missing required key `id`"),
        ]
    );
    assert_eq!(
        c.errors[0].hint.as_deref(),
        Some("see schemas/processing-activities.schema.json")
    );
}

#[test]
fn broken_yaml_and_bad_settings_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "processing-activities.yml", "activities: [\n");
    let c = PrivacyCollector.collect(&Scope::new(root)).unwrap();
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].path, "processing-activities.yml");
    assert!(c.errors[0].message.starts_with("invalid YAML"));

    let mut scope = Scope::new(root);
    scope
        .settings
        .insert("privacy".into(), json!({"records": "missing.yaml"}));
    let c = PrivacyCollector.collect(&scope).unwrap();
    assert_eq!(c.errors[0].path, "missing.yaml");
    assert!(c.errors[0].message.starts_with("cannot read file"));

    scope
        .settings
        .insert("privacy".into(), json!({"record": "x.yaml"}));
    let c = PrivacyCollector.collect(&scope).unwrap();
    assert_eq!(c.errors[0].path, "assay.yaml");
    assert!(c.errors[0].message.contains("unknown field `record`"));
}

#[test]
fn the_public_reader_returns_the_typed_record() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/processing-activities.yaml", RECORD);
    let declared = read(
        dir.path(),
        &Settings::default(),
        Scope::DEFAULT_MAX_FILE_SIZE,
    )
    .unwrap()
    .unwrap();
    assert_eq!(declared.path, "docs/processing-activities.yaml");
    let model = declared.model;
    assert_eq!(model.activities.len(), 2);
    assert_eq!(model.activities[0].legal_basis, Some(LegalBasis::Contract));
    assert_eq!(
        model.activities[0].transfers[0].safeguard,
        Some(Safeguard::Scc)
    );
    let requests = model.data_subject_requests.unwrap();
    assert_eq!(requests.endpoints[1].right, Right::Erasure);
    assert!(matches!(
        read(
            Path::new("/nonexistent"),
            &Settings::default(),
            Scope::DEFAULT_MAX_FILE_SIZE
        ),
        Ok(None)
    ));
}

#[test]
fn documented_in_outside_the_root_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "processing-activities.yaml",
        "activities: []\ndata_subject_requests:\n  endpoints:\n    - {right: access, method: GET, path: /me, documented_in: ../secret.md}\n",
    );
    let c = PrivacyCollector.collect(&Scope::new(root)).unwrap();
    let requests = c.documents.last().unwrap();
    assert_eq!(
        requests.data["endpoints"][0]["documented_in_present"],
        false
    );
    assert_eq!(requests.data["undocumented"], json!(["GET /me"]));
}
