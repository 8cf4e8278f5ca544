//! The attestation collector: signed statements by people for what no machine can check
//! (physical security, training, background screening), as [`Document`]s of kind `attestation`.
//!
//! **Convention**: every `*.yaml` / `*.yml` file under `attestations/` at the scan root.
//! **Configured**: `collectors: {attestation: {dir: PATH}}` (relative to the scan root, or absolute).
//!
//! An attestation file:
//! ```yaml
//! control: att-physical-access          # or `controls: [a, b]`
//! statement: Badge readers guard every office entrance; visitor logs are kept for a year.
//! attested_by: {name: Dana Reyes, role: Head of Facilities, email: dana@example.com}
//! date: 2026-03-01
//! expires: 2027-03-01
//! evidence: [badge-audit-2026.pdf]      # files relative to the attestation file
//! ```
//! Two kinds of document, told apart by `kind`:
//! - `Attestation`, one per valid file: the fields above, `age_days` and `days_to_expiry`
//!   against the scan time, `expired`, and `evidence` (`path`, `present`, `sha256`);
//! - `AttestationFolder`, always one: `dir` (root-relative), `present`, `files`, so that checks
//!   can name where a missing attestation belongs.
//!
//! A file that is not a valid attestation is a [`SourceError`] with file:line and a hint; it
//! attests nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::collector::{Collection, Collector, Scope, SourceError};
use crate::document::{Document, EvidenceKind, Format};
use crate::formats::{yaml, Parsed};
use crate::lines::{LineMap, Position};
use crate::walk;

/// Where attestations are looked for by default, relative to the scan root.
pub const DEFAULT_DIR: &str = "attestations";

const HINT: &str = "an attestation needs `control` (or `controls`), `statement`, `attested_by: {name, role, email}`, `date` and `expires` (YYYY-MM-DD), and optional `evidence` files";

/// Collects attestation files.
pub struct AttestationCollector;

/// `collectors.attestation` in `assay.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    dir: Option<String>,
}

impl Collector for AttestationCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Attestation
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        let mut collection = Collection::default();
        let settings = match scope.settings_of(EvidenceKind::Attestation) {
            Some(value) => Settings::deserialize(value).unwrap_or_else(|e| {
                collection.errors.push(SourceError {
                    path: "assay.yaml".into(),
                    position: None,
                    message: format!("collectors.attestation: {e}"),
                    hint: Some("`collectors.attestation.dir` names the attestation folder".into()),
                });
                Settings::default()
            }),
            None => Settings::default(),
        };
        let configured = settings.dir.unwrap_or_else(|| DEFAULT_DIR.to_string());
        let dir: PathBuf = scope.root.join(&configured);
        let label = walk::relative(&scope.root, &dir);
        let today = jiff::Timestamp::try_from(scope.now)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        let files = if dir.is_dir() {
            walk::files(&dir, &|p| p.ends_with(".yaml") || p.ends_with(".yml"))
        } else {
            Vec::new()
        };
        let read: Vec<Collection> = files
            .par_iter()
            .map(|name| read_file(scope, &dir, &label, name, today))
            .collect();
        for c in read {
            collection.extend(c);
        }
        let mut lines = LineMap::new();
        lines.insert(String::new(), Position::new(1, 1));
        collection.documents.push(Document {
            kind: EvidenceKind::Attestation,
            format: Format::Yaml,
            path: Arc::from(label.as_str()),
            index: 0,
            data: json!({
                "kind": "AttestationFolder",
                "dir": label,
                "present": dir.is_dir(),
                "files": files.len(),
            }),
            lines,
            digest: Arc::from(hex::encode(Sha256::digest(b""))),
            suppressions: Arc::default(),
        });
        collection.sort();
        Ok(collection)
    }
}

/// The fields of an attestation file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    control: Option<String>,
    #[serde(default)]
    controls: Vec<String>,
    statement: String,
    attested_by: Attester,
    date: String,
    expires: String,
    #[serde(default)]
    evidence: Vec<String>,
}

/// Who attests: a name, or a name with role and e-mail.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Attester {
    Name(String),
    Person {
        name: String,
        role: Option<String>,
        email: Option<String>,
    },
}

fn read_file(scope: &Scope, dir: &Path, label: &str, name: &str, today: Date) -> Collection {
    let mut c = Collection::default();
    let path = if label.is_empty() {
        name.to_string()
    } else {
        format!("{label}/{name}")
    };
    let error = |position: Option<Position>, message: String| SourceError {
        path: path.clone(),
        position,
        message,
        hint: Some(HINT.into()),
    };
    let bytes = match walk::read_limited(&dir.join(name), scope.max_file_size) {
        Ok(Some(b)) => b,
        Ok(None) => {
            c.errors.push(error(
                None,
                "attestation file is larger than the size limit".into(),
            ));
            return c;
        }
        Err(e) => {
            c.errors
                .push(error(None, format!("cannot read attestation: {e}")));
            return c;
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let parsed = match yaml::parse(&text) {
        Ok(mut docs) if docs.len() == 1 => docs.remove(0),
        Ok(docs) => {
            c.errors.push(error(
                Some(Position::new(1, 1)),
                format!("expected one YAML document, found {}", docs.len()),
            ));
            return c;
        }
        Err(e) => {
            c.errors.push(error(
                Some(e.position),
                format!("invalid YAML: {}", e.message),
            ));
            return c;
        }
    };
    match judge(&parsed, dir, name, today) {
        Ok(data) => c.documents.push(Document {
            kind: EvidenceKind::Attestation,
            format: Format::Yaml,
            path: Arc::from(path.as_str()),
            index: 0,
            data,
            lines: parsed.lines,
            digest: Arc::from(hex::encode(Sha256::digest(&bytes))),
            suppressions: Arc::default(),
        }),
        Err((pointer, message)) => {
            let position = parsed
                .lines
                .position(&pointer)
                .or_else(|| parsed.lines.position(""));
            c.errors.push(error(position, message));
        }
    }
    c
}

/// Checks one parsed attestation and derives its facts; `Err` names the offending pointer.
fn judge(parsed: &Parsed, dir: &Path, name: &str, today: Date) -> Result<Value, (String, String)> {
    let written = Written::deserialize(&parsed.data).map_err(|e| (String::new(), e.to_string()))?;
    let mut controls = written.controls;
    controls.extend(written.control);
    if controls.is_empty() {
        return Err((String::new(), "names no control: add `control: ID`".into()));
    }
    if written.statement.trim().is_empty() {
        return Err(("/statement".into(), "the statement is empty".into()));
    }
    let date = parse_date(&written.date).ok_or(("/date".into(), bad_date(&written.date)))?;
    let expires =
        parse_date(&written.expires).ok_or(("/expires".into(), bad_date(&written.expires)))?;
    if expires <= date {
        return Err((
            "/expires".into(),
            format!("expires ({expires}) is not after the attestation date ({date})"),
        ));
    }
    if date > today {
        return Err((
            "/date".into(),
            format!("the attestation date {date} is in the future"),
        ));
    }
    let (attester, role, email) = match written.attested_by {
        Attester::Name(n) => (n, None, None),
        Attester::Person { name, role, email } => (name, role, email),
    };
    if attester.trim().is_empty() {
        return Err(("/attested_by".into(), "`attested_by` names nobody".into()));
    }
    let base = Path::new(name)
        .parent()
        .map(|p| dir.join(p))
        .unwrap_or(dir.to_path_buf());
    let evidence: Vec<Value> = written
        .evidence
        .iter()
        .map(|file| {
            let bytes = std::fs::read(base.join(file)).ok();
            json!({
                "path": file,
                "present": bytes.is_some(),
                "sha256": bytes.map(|b| hex::encode(Sha256::digest(&b))),
            })
        })
        .collect();
    controls.sort();
    controls.dedup();
    Ok(json!({
        "kind": "Attestation",
        "controls": controls,
        "statement": written.statement.trim(),
        "attested_by": {"name": attester, "role": role, "email": email},
        "date": date.to_string(),
        "expires": expires.to_string(),
        "age_days": (today - date).get_days(),
        "days_to_expiry": (expires - today).get_days(),
        "expired": expires <= today,
        "evidence": evidence,
    }))
}

fn parse_date(text: &str) -> Option<Date> {
    text.trim().parse().ok()
}

fn bad_date(text: &str) -> String {
    format!("`{text}` is not a date (YYYY-MM-DD)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(files: &[(&str, &str)], now: &str) -> Collection {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let mut scope = Scope::new(dir.path());
        let now: jiff::Timestamp = now.parse().unwrap();
        scope.now = now.into();
        AttestationCollector.collect(&scope).unwrap()
    }

    const VALID: &str = "control: att-physical-access\nstatement: Doors are badged.\nattested_by: {name: Dana Reyes, role: Facilities}\ndate: 2026-03-01\nexpires: 2027-03-01\nevidence: [badge-audit.txt, gone.pdf]\n";

    #[test]
    fn reads_a_valid_attestation_with_its_evidence() {
        let c = collect(
            &[
                ("attestations/physical.yaml", VALID),
                ("attestations/badge-audit.txt", "audit"),
            ],
            "2026-11-22T00:00:00Z",
        );
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let a = &c.documents[1];
        assert_eq!(&*a.path, "attestations/physical.yaml");
        assert_eq!(a.data["controls"], json!(["att-physical-access"]));
        assert_eq!(a.data["attested_by"]["name"], "Dana Reyes");
        assert_eq!(a.data["age_days"], 266);
        assert_eq!(a.data["days_to_expiry"], 99);
        assert_eq!(a.data["expired"], false);
        assert_eq!(a.data["evidence"][0]["present"], true);
        assert_eq!(
            a.data["evidence"][0]["sha256"],
            hex::encode(Sha256::digest(b"audit"))
        );
        assert_eq!(a.data["evidence"][1]["present"], false);
        let folder = &c.documents[0];
        assert_eq!(folder.data["kind"], "AttestationFolder");
        assert_eq!(folder.data["files"], 1);
    }

    #[test]
    fn expiry_is_judged_against_the_scan_time() {
        let c = collect(&[("attestations/p.yaml", VALID)], "2027-03-01T00:00:00Z");
        assert_eq!(c.documents[1].data["expired"], true);
        assert_eq!(c.documents[1].data["days_to_expiry"], 0);
    }

    #[test]
    fn invalid_files_are_errors_with_lines_and_the_rest_goes_on() {
        let c = collect(
            &[
                ("attestations/a.yaml", VALID),
                (
                    "attestations/bad-date.yaml",
                    "control: x\nstatement: s\nattested_by: Kim\ndate: 2026-13-01\nexpires: 2027-01-01\n",
                ),
                (
                    "attestations/backwards.yaml",
                    "control: x\nstatement: s\nattested_by: Kim\ndate: 2026-05-01\nexpires: 2026-01-01\n",
                ),
                ("attestations/broken.yaml", "control: [x\n"),
                (
                    "attestations/unknown.yaml",
                    "control: x\nstatment: s\n",
                ),
            ],
            "2026-11-22T00:00:00Z",
        );
        assert_eq!(c.documents.len(), 2, "the valid file and the folder");
        let lines: Vec<(&str, Option<u32>)> = c
            .errors
            .iter()
            .map(|e| (e.path.as_str(), e.position.map(|p| p.line)))
            .collect();
        assert_eq!(
            lines,
            [
                ("attestations/backwards.yaml", Some(5)),
                ("attestations/bad-date.yaml", Some(4)),
                ("attestations/broken.yaml", Some(2)),
                ("attestations/unknown.yaml", Some(1)),
            ]
        );
        assert!(
            c.errors[3].message.contains("statment"),
            "{}",
            c.errors[3].message
        );
    }

    #[test]
    fn a_missing_folder_is_reported_as_absent() {
        let c = collect(&[("README.md", "hi")], "2026-11-22T00:00:00Z");
        assert_eq!(c.documents.len(), 1);
        assert_eq!(c.documents[0].data["present"], false);
        assert_eq!(c.documents[0].data["dir"], "attestations");
    }
}
