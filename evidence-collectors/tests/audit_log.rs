//! The audit-log collector end to end: real logs from the corpus beside the checkout, and
//! generated logs with hash chains, malformed lines and seeded personal data and secrets.

use std::path::PathBuf;

use assay_collectors::audit_log::{event_hash, AuditLogCollector};
use assay_collectors::{Collector, Document, Scope};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// `../shared/corpus/dev/<path>` beside the checkout, when it is there.
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

fn collect(root: &std::path::Path, settings: Option<Value>) -> assay_collectors::Collection {
    let mut scope = Scope::new(root);
    if let Some(settings) = settings {
        scope.settings.insert("audit_log".into(), settings);
    }
    AuditLogCollector.collect(&scope).unwrap()
}

fn doc<'a>(docs: &'a [Document], path: &str) -> &'a Document {
    docs.iter()
        .find(|d| d.path.as_ref() == path)
        .unwrap_or_else(|| panic!("no document for {path}"))
}

#[test]
fn every_corpus_log_is_read() {
    let Some(logs) = corpus("audit-logs") else {
        return;
    };
    // Scanned from the corpus root, so that every path names `audit-logs/` as a repository
    // holding them would.
    let root = logs.parent().unwrap();
    let mut scope = Scope::new(root);
    scope.include = Some(
        globset::GlobSet::builder()
            .add(globset::Glob::new("audit-logs/**").unwrap())
            .build()
            .unwrap(),
    );
    let c = AuditLogCollector.collect(&scope).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let files = walk(&logs);
    assert_eq!(c.documents.len(), files.len(), "one document per log file");
    for d in &c.documents {
        assert!(d.data["events"].as_u64().unwrap() > 0, "{}", d.path);
        assert_eq!(d.data["malformed_count"], 0, "{}", d.path);
        assert_eq!(d.digest.len(), 64);
    }
    let presets = |prefix: &str| -> Vec<String> {
        c.documents
            .iter()
            .filter(|d| {
                d.path.starts_with(&format!("audit-logs/{prefix}"))
                    && !d.path.ends_with(".labels.jsonl")
            })
            .map(|d| d.data["preset"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(presets("kubernetes").iter().all(|p| p == "kubernetes"));
    assert!(presets("aws-cloudtrail").iter().all(|p| p == "cloudtrail"));
    assert_eq!(presets("okta-systemlog"), vec!["okta"]);
    assert_eq!(presets("gcp-auditlog"), vec!["gcp"]);
    assert_eq!(presets("azure-activity"), vec!["azure"]);
    assert_eq!(presets("github-audit"), vec!["github"]);

    // The CloudTrail `{"Records": [...]}` file: one event, read from line 2.
    let records = doc(
        &c.documents,
        "audit-logs/aws-cloudtrail/falco-alice_start_instances.json",
    );
    assert_eq!(records.data["events"], 1);
    assert_eq!(records.data["first"], "2014-03-06T21:22:54Z");
    assert_eq!(records.data["missing_fields"]["actor"], 0);
    // Kubernetes: a pod exec is a privileged action.
    let exec = doc(
        &c.documents,
        "audit-logs/kubernetes/falco-trace-files/exec_pod.jsonl",
    );
    assert_eq!(exec.data["privileged_actions"], 1);
    assert_eq!(exec.data["complete_share"], 1.0);
    // Okta holds e-mail addresses: found, counted and redacted.
    let okta = doc(
        &c.documents,
        "audit-logs/okta-systemlog/panther-okta-systemlog.jsonl",
    );
    assert!(
        okta.data["dlp"]["findings"]["email"]["count"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert!(!okta.data.to_string().contains("homer@springfield.gov"));
}

fn walk(root: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// A chained log of `n` events, one per hour from 2024-01-01.
fn chained(n: usize, extra: impl Fn(usize) -> Value) -> Vec<Value> {
    let mut prev = "0".repeat(64);
    (0..n)
        .map(|i| {
            let mut event = json!({
                "timestamp": format!("2024-01-{:02}T{:02}:00:00Z", 1 + i / 24, i % 24),
                "actor": format!("user{}", i % 3),
                "action": if i % 10 == 0 { "grant role" } else { "read" },
                "resource": "db",
                "outcome": "success",
                "prev_hash": prev,
            });
            if let Value::Object(more) = extra(i) {
                event.as_object_mut().unwrap().extend(more);
            }
            let hash = event_hash(&event);
            event["hash"] = json!(hash);
            prev = hash;
            event
        })
        .collect()
}

fn jsonl(events: &[Value]) -> String {
    events.iter().map(|e| format!("{e}\n")).collect()
}

#[test]
fn hash_chain_verifies_and_breaks_at_the_changed_line() {
    let dir = tempfile::tempdir().unwrap();
    let events = chained(200, |_| json!({}));
    std::fs::write(dir.path().join("audit.jsonl"), jsonl(&events)).unwrap();
    let mut tampered = events.clone();
    tampered[120]["actor"] = json!("mallory");
    std::fs::write(dir.path().join("tampered-audit.jsonl"), jsonl(&tampered)).unwrap();

    let c = collect(dir.path(), None);
    let good = doc(&c.documents, "audit.jsonl");
    assert_eq!(
        good.digest.as_ref(),
        hex::encode(Sha256::digest(jsonl(&events).as_bytes()))
    );
    assert_eq!(good.data["hash_chain"]["present"], true);
    assert_eq!(good.data["hash_chain"]["verified"], true);
    assert_eq!(good.data["hash_chain"]["events"], 200);
    assert_eq!(good.data["events"], 200);
    assert_eq!(good.data["privileged_actions"], 20);
    assert_eq!(good.data["period_days"], 8.29);
    assert_eq!(good.data["retention_met"], false);
    let bad = doc(&c.documents, "tampered-audit.jsonl");
    assert_eq!(bad.data["hash_chain"]["verified"], false);
    assert_eq!(bad.data["hash_chain"]["first_broken_line"], 121);
    assert_eq!(bad.line("/hash_chain/first_broken_line"), 121);
}

#[test]
fn malformed_lines_are_facts_and_unreadable_files_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"timestamp\": \"2024-01-01T00:00:00Z\", \"actor\": \"a\"}\n{\"timestamp\": oops}\n\n{\"actor\": \"b\"}\n";
    std::fs::write(dir.path().join("audit.jsonl"), text).unwrap();
    std::fs::write(
        dir.path().join("audit-garbage.jsonl"),
        "not json\nstill not\n",
    )
    .unwrap();
    let c = collect(dir.path(), None);
    let d = doc(&c.documents, "audit.jsonl");
    assert_eq!(d.data["events"], 2);
    assert_eq!(d.data["malformed_count"], 1);
    assert_eq!(d.data["malformed_lines"], json!([2]));
    assert!(d.data["malformed_error"]
        .as_str()
        .unwrap()
        .starts_with("line 2, column 15: invalid JSON: expected value"));
    assert_eq!(d.line("/malformed_lines/0"), 2);
    assert_eq!(d.data["missing_fields"]["timestamp"], 1);
    assert_eq!(c.errors.len(), 1);
    let e = &c.errors[0];
    assert_eq!(e.path, "audit-garbage.jsonl");
    assert_eq!(e.position.unwrap().line, 1);
    assert!(e
        .message
        .contains("no line of the audit log is a readable event (2 malformed)"));
}

#[test]
fn seeded_personal_data_and_secrets_never_leak() {
    let seeded = [
        ("email", "jane.roe@contoso.org"),
        ("card", "4111 1111 1111 1111"),
        ("iban", "DE89370400440532013000"),
        ("ssn", "123-45-6789"),
        ("nino", "AB123456C"),
        ("phone", "+44 20 7946 0958"),
        ("aws", "AKIAIOSFODNN7EXAMPLE"),
        ("github", "ghp_a1B2a1B2a1B2a1B2a1B2a1B2a1B2a1B2a1B2"),
        ("slack", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp"),
        ("api_key", "Zx81kQ2mN9pLr7Tv4Wb"),
        ("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let events = chained(40, |i| {
        let (kind, value) = seeded[i % seeded.len()];
        if i % 3 == 0 {
            json!({"detail": {kind: value}})
        } else {
            json!({})
        }
    });
    std::fs::write(dir.path().join("audit.jsonl"), jsonl(&events)).unwrap();
    let csv =
        "time,user,action,password\n2024-01-01T00:00:00Z,jane.roe@contoso.org,login,S3cure!Pass\n";
    std::fs::write(dir.path().join("audit.csv"), csv).unwrap();
    let c = collect(dir.path(), None);
    let d = doc(&c.documents, "audit.jsonl");
    let findings = &d.data["dlp"]["findings"];
    for kind in [
        "email",
        "payment_card",
        "iban",
        "us_ssn",
        "uk_nino",
        "phone",
        "aws_access_key_id",
        "github_token",
        "slack_token",
        "generic_api_key",
        "jwt",
    ] {
        assert!(
            findings[kind]["count"].as_u64().unwrap() > 0,
            "{kind}: {findings}"
        );
    }
    assert_eq!(findings["email"]["lines"][0], 1);
    assert_eq!(findings["email"]["samples"], json!(["j***@c***.org"]));
    let csv_doc = doc(&c.documents, "audit.csv");
    assert_eq!(
        csv_doc.data["dlp"]["findings"]["generic_api_key"]["count"],
        1
    );
    for d in &c.documents {
        let text = format!("{} {:?}", d.data, d.lines);
        for (_, value) in seeded {
            assert!(!text.contains(value), "{value} leaked from {}", d.path);
        }
        assert!(!text.contains("S3cure!Pass"));
    }
}

#[test]
fn csv_with_a_configured_mapping() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    let mut csv = String::from("when,who,what,on,result\n");
    for day in 0..100 {
        let date = jiff::civil::date(2024, 1, 1) + jiff::Span::new().days(day);
        csv.push_str(&format!("{date}T08:00:00Z,ops,sudo,host-1,\"FAIL\nED\"\n"));
    }
    std::fs::write(dir.path().join("logs/access.csv"), csv).unwrap();
    std::fs::write(dir.path().join("logs/ignored.csv"), "a,b\n1,2\n").unwrap();
    let settings = json!({
        "sources": [{
            "path": "logs/access.csv",
            "fields": {"timestamp": "when", "actor": "who", "action": "what", "resource": "on", "outcome": "result"},
            "privileged": [{"action": "^sudo$"}],
            "failed_authentication": [{"outcome": "^FAIL"}]
        }]
    });
    let c = collect(dir.path(), Some(settings));
    // The log, and the configured sources with what each yielded.
    assert_eq!(c.documents.len(), 2);
    assert_eq!(
        doc(&c.documents, "assay.yaml").data["expected_sources"][0]["events"],
        100
    );
    let d = doc(&c.documents, "logs/access.csv");
    assert_eq!(d.data["events"], 100);
    assert_eq!(d.data["period_days"], 99.0);
    assert_eq!(d.data["retention_met"], true);
    assert_eq!(d.data["complete_share"], 1.0);
    assert_eq!(d.data["privileged_actions"], 100);
    assert_eq!(d.data["failed_authentications"], 100);
    assert_eq!(d.data["largest_gap_seconds"], 86_400);
    // Records span two lines each (a quoted newline): the second record starts on line 4.
    assert_eq!(d.data["largest_gap_at_line"], 4);
    // The digest covers every byte of the file, streamed through the CSV reader.
    let bytes = std::fs::read(dir.path().join("logs/access.csv")).unwrap();
    assert_eq!(d.digest.as_ref(), hex::encode(Sha256::digest(&bytes)));
}

/// Configured sources are expected: the `assay.yaml` document counts the logs and events of
/// each, so a source with none shows; `required_fields` sets what an event must record.
#[test]
fn expected_sources_and_required_fields() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("logs/app")).unwrap();
    std::fs::write(
        dir.path().join("logs/app/2024-03.jsonl"),
        jsonl(&[
            json!({"timestamp": "2024-03-01T00:00:00Z", "actor": "ann", "action": "grant admin", "resource": "team"}),
            json!({"timestamp": "2024-03-01T00:01:00Z", "action": "login"}),
        ]),
    )
    .unwrap();
    let c = collect(
        dir.path(),
        Some(json!({"sources": [
            {"name": "app", "path": "logs/app/*.jsonl", "required_fields": ["timestamp", "action"]},
            {"path": "logs/db/*.jsonl"},
        ]})),
    );
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let sources = doc(&c.documents, "assay.yaml");
    assert_eq!(
        sources.data["expected_sources"],
        json!([
            {"name": "app", "path": "logs/app/*.jsonl", "files": 1, "events": 2},
            {"name": "logs/db/*.jsonl", "path": "logs/db/*.jsonl", "files": 0, "events": 0},
        ])
    );
    let log = doc(&c.documents, "logs/app/2024-03.jsonl");
    assert_eq!(log.data["required_fields"], json!(["timestamp", "action"]));
    assert_eq!(log.data["incomplete_events_count"], 0);
    assert_eq!(log.data["privilege_changes"][0]["actor"], "ann");
    assert_eq!(log.line("/privilege_changes/0"), 1);
    // Without sources configured there is no expectation, so no such document.
    let c = collect(dir.path(), None);
    assert!(c.documents.iter().all(|d| d.path.as_ref() != "assay.yaml"));
}
