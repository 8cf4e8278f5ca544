//! The attestation collector: statements by people (signed or not) for what no machine can check
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
//! signature: {algorithm: ed25519, public_key: …, signature: …}   # optional (`assay attest --sign-key`)
//! ```
//! Two kinds of document, told apart by `kind`:
//! - `Attestation`, one per valid file: the fields above, `age_days` and `days_to_expiry`
//!   against the scan time, `expired`, `evidence` (`path`, `present`, `sha256`) and
//!   `signature` as written (null when absent);
//! - `AttestationFolder`, always one: `dir` (root-relative), `present`, `files`, so that checks
//!   can name where a missing attestation belongs.
//!
//! A file is checked against `schemas/attestation.schema.json`, then its dates against each
//! other and the scan time; one that is not a valid attestation is a [`SourceError`] for each
//! problem, at its line, and attests nothing.

use std::path::Path;
use std::sync::LazyLock;

use jiff::civil::Date;
use jsonschema::Validator;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::collector::{Collection, Collector, Scope, SkippedFile, SourceError};
use crate::confine::{self, Refused};
use crate::declared::{self, Declared};
use crate::document::EvidenceKind;
use crate::lines::{LineMap, Position};

/// Where attestations are looked for by default, relative to the scan root.
pub const DEFAULT_DIR: &str = "attestations";

/// The schema attestation files are checked against, as named in hints.
pub const SCHEMA_NAME: &str = "schemas/attestation.schema.json";

static SCHEMA: LazyLock<Validator> =
    LazyLock::new(|| declared::validator(include_str!("../../schemas/attestation.schema.json")));

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
        let label = configured
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_string();
        let present = match confine::resolve(&scope.root, &label) {
            Ok(dir) => dir.is_dir(),
            Err(Refused::Missing) => false,
            Err(reason) => {
                collection.errors.push(SourceError {
                    path: "assay.yaml".into(),
                    position: None,
                    message: format!("collectors.attestation.dir `{label}`: {reason}"),
                    hint: Some("name a folder inside the scan root, relative to it".into()),
                });
                false
            }
        };
        let today = jiff::Timestamp::try_from(scope.now)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        let prefix = if label.is_empty() || label == "." {
            String::new()
        } else {
            format!("{label}/")
        };
        let files = if present {
            scope
                .files(&|p| p.starts_with(&prefix) && (p.ends_with(".yaml") || p.ends_with(".yml")))
        } else {
            Vec::new()
        };
        let read: Vec<Collection> = files
            .par_iter()
            .map(|path| read_file(scope, path, today))
            .collect();
        for c in read {
            collection.extend(c);
        }
        let mut lines = LineMap::new();
        lines.insert(String::new(), Position::new(1, 1));
        let folder = json!({
            "kind": "AttestationFolder",
            "dir": label,
            "present": present,
            "files": files.len(),
        });
        collection.documents.push(declared::document(
            EvidenceKind::Attestation,
            &label,
            0,
            (folder, lines),
            "",
        ));
        collection.sort();
        Ok(collection)
    }
}

/// The fields of an attestation file as written (already checked against the schema).
#[derive(Debug, Deserialize)]
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
    /// A detached signature (checked by the engine against the project's allowed signers).
    signature: Option<Value>,
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

/// Reads the attestation file at the root-relative `path`.
fn read_file(scope: &Scope, path: &str, today: Date) -> Collection {
    let mut c = Collection::default();
    let path = path.to_string();
    let declared: Declared<Written> = match declared::read(
        &scope.root,
        &path,
        &SCHEMA,
        SCHEMA_NAME,
        scope.max_file_size,
    ) {
        Ok(d) => d,
        Err(errors) => {
            c.errors.extend(errors);
            return c;
        }
    };
    match facts(&declared, &scope.root, &path, today, &mut c) {
        Ok(data) => c.documents.push(declared::document(
            EvidenceKind::Attestation,
            &path,
            0,
            (data, declared.lines),
            &declared.digest,
        )),
        Err((pointer, message)) => c.errors.push(SourceError {
            path,
            position: declared.lines.position(pointer),
            message,
            hint: Some(format!("see {SCHEMA_NAME}")),
        }),
    }
    c
}

/// The facts of a schema-valid attestation; `Err` names the offending pointer when its dates
/// do not hold together.
/// Evidence files that cannot be read inside the scan root are noted in `unread`.
fn facts(
    declared: &Declared<Written>,
    root: &Path,
    path: &str,
    today: Date,
    unread: &mut Collection,
) -> Result<Value, (&'static str, String)> {
    let written = &declared.model;
    let mut controls: Vec<&str> = written.controls.iter().map(String::as_str).collect();
    controls.extend(written.control.as_deref());
    controls.sort_unstable();
    controls.dedup();
    let date = parse_date(&written.date).ok_or(("/date", bad_date(&written.date)))?;
    let expires = parse_date(&written.expires).ok_or(("/expires", bad_date(&written.expires)))?;
    if expires <= date {
        return Err((
            "/expires",
            format!("expires ({expires}) is not after the attestation date ({date})"),
        ));
    }
    if date > today {
        return Err((
            "/date",
            format!("the attestation date {date} is after the scan"),
        ));
    }
    let (attester, role, email) = match &written.attested_by {
        Attester::Name(n) => (n.as_str(), None, None),
        Attester::Person { name, role, email } => {
            (name.as_str(), role.as_deref(), email.as_deref())
        }
    };
    let base = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let evidence: Vec<Value> = written
        .evidence
        .iter()
        .map(|file| {
            let digest = match confine::sha256(root, &confine::join(base, file)) {
                Ok(digest) => Some(digest),
                Err(Refused::Missing) => None,
                Err(reason) => {
                    unread.skipped.push(SkippedFile {
                        path: path.to_string(),
                        reason: format!("evidence `{file}` not read: {reason}"),
                    });
                    None
                }
            };
            json!({
                "path": file,
                "present": digest.is_some(),
                "sha256": digest,
            })
        })
        .collect();
    Ok(json!({
        "kind": "Attestation",
        "controls": controls,
        "statement": written.statement.trim(),
        "attested_by": {"name": attester.trim(), "role": role, "email": email},
        "date": date.to_string(),
        "expires": expires.to_string(),
        "age_days": (today - date).get_days(),
        "days_to_expiry": (expires - today).get_days(),
        "expired": expires <= today,
        "evidence": evidence,
        "signature": written.signature,
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
    use sha2::{Digest, Sha256};

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
                    "control: x\nstatment: s\nattested_by: Kim\ndate: 2026-01-01\nexpires: 2027-01-01\n",
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
                ("attestations/unknown.yaml", Some(2)),
            ]
        );
        assert_eq!(c.errors[3].message, "missing required key `statement`");
        assert_eq!(c.errors[4].message, "unknown key `statment`");
        assert_eq!(
            c.errors[4].hint.as_deref(),
            Some("see schemas/attestation.schema.json")
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
