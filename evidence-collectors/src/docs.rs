//! The docs collector: policy documents (Markdown with YAML front matter), restore-test
//! records, and the runbooks of the alerting rules found in Prometheus rule files, as
//! [`Document`]s of kind `docs`.
//!
//! **Convention**: policies are the Markdown files under `policies/` and `docs/policies/`;
//! restore-test records the Markdown files under `docs/restore-tests/` and `dr/restore-tests/`;
//! runbooks are the Markdown files under any `runbooks/` directory; rule files are the YAML
//! files holding rule groups (`groups: [{name, rules}]`) or `PrometheusRule` resources.
//! **Configured**: `collectors: {docs: {policies: [globs], restore_tests: [globs],
//! runbooks: [globs], rules: [globs]}}`.
//!
//! Five kinds of document, told apart by their `kind` field (which selectors' `kinds` match):
//! - `Policy`, one per policy file: `type` (which required policy it is, from the front matter
//!   `type` or the file name or title), `title`, `front_matter`, `owner`, `approved_by`,
//!   `approved`, `last_reviewed`, `next_review`, `days_since_review` (against the scan time),
//!   `review_overdue`, `headings`, `rto` and `rpo` (`{value, line}` when stated);
//! - `RequiredPolicy`, one per policy the frameworks expect (information security, access
//!   control, incident response, disaster recovery, data retention): `policy`, `name`,
//!   `present` and, when present, the facts of the most recently reviewed matching policy,
//!   with the path, lines and digest of that file (absent: the first policy folder and no
//!   digest);
//! - `RestoreTest`, one per restore-test record: `system`, `date`, `result` (`pass`/`fail`),
//!   `passed`, `rto_met`, `rpo_met`, `duration`, `days_since` (against the scan time);
//! - `RestoreTests`, one summary of them all: `count`, `passed`, `failed`, `systems`, `paths`,
//!   `latest` and `latest_pass` (`path`, `system`, `date`, `result`, `days_since`),
//!   `latest_date`, `latest_path` and `days_since_latest_pass`, located at the latest passing
//!   record (else the latest record); none when no record is dated, so that restore testing
//!   is missing evidence rather than a judged file;
//! - `AlertRules`, one per rule file: `source`, `groups`, `recording_rules` and `alerts`
//!   (`name`, `group`, `expr`, `for`, `severity`, `runbook_url`, `runbook_doc`, `runbook`,
//!   and `runbook_problem` when the link is neither a well-formed http(s) URL nor a file
//!   inside the root, or the runbook file is only a placeholder), each alert located at its
//!   line.

pub(crate) mod policy;
mod restore;
mod rules;
mod runbook;

use std::collections::BTreeMap;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::collector::{settings_error, Collection, Collector, Scope, SourceError};
use crate::document::{Document, EvidenceKind, Format};
use crate::formats::yaml;
use crate::lines::{LineMap, Position};

/// Where policies are looked for by default.
pub const DEFAULT_POLICIES: [&str; 2] = ["policies/**/*.md", "docs/policies/**/*.md"];
/// Where restore-test records are looked for by default.
pub const DEFAULT_RESTORE_TESTS: [&str; 2] =
    ["docs/restore-tests/**/*.md", "dr/restore-tests/**/*.md"];
/// Where runbooks are looked for by default.
pub const DEFAULT_RUNBOOKS: [&str; 2] = ["runbooks/**/*.md", "**/runbooks/**/*.md"];
/// Candidate rule files by default (only those holding rule groups are read as such).
const DEFAULT_RULES: [&str; 2] = ["**/*.yml", "**/*.yaml"];

/// Collects policy documents and alert runbooks.
pub struct DocsCollector;

/// `collectors.docs` in `assay.yaml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    policies: Option<Vec<String>>,
    restore_tests: Option<Vec<String>>,
    runbooks: Option<Vec<String>>,
    rules: Option<Vec<String>>,
}

fn globset(globs: &[String], key: &str) -> Result<GlobSet, SourceError> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| {
            settings_error(
                EvidenceKind::Docs,
                format!("collectors.docs.{key}: invalid glob `{g}`: {}", e.kind()),
            )
        })?;
        builder.add(glob);
    }
    builder
        .build()
        .map_err(|e| settings_error(EvidenceKind::Docs, format!("collectors.docs.{key}: {e}")))
}

fn owned(defaults: &[&str]) -> Vec<String> {
    defaults.iter().map(|s| s.to_string()).collect()
}

impl Collector for DocsCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Docs
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        scope.root_dir()?;
        let mut collection = Collection::default();
        let settings: Settings = match scope.settings(EvidenceKind::Docs) {
            Ok(s) => s,
            Err(e) => return Ok(Collection::failed(e)),
        };
        let policy_globs = settings
            .policies
            .unwrap_or_else(|| owned(&DEFAULT_POLICIES));
        let sets = (
            globset(&policy_globs, "policies"),
            globset(
                &settings
                    .runbooks
                    .unwrap_or_else(|| owned(&DEFAULT_RUNBOOKS)),
                "runbooks",
            ),
            globset(
                &settings.rules.unwrap_or_else(|| owned(&DEFAULT_RULES)),
                "rules",
            ),
        );
        let restore_globs = settings
            .restore_tests
            .unwrap_or_else(|| owned(&DEFAULT_RESTORE_TESTS));
        let restore_set = globset(&restore_globs, "restore_tests");
        let (policies, runbooks, rule_files, restores) = match (sets, restore_set) {
            ((Ok(p), Ok(r), Ok(y)), Ok(t)) => (p, r, y, t),
            ((p, r, y), t) => {
                collection
                    .errors
                    .extend([p.err(), r.err(), y.err(), t.err()].into_iter().flatten());
                return Ok(collection);
            }
        };
        let paths = scope.files(&|p| {
            scope.admits(p)
                && (policies.is_match(p)
                    || restores.is_match(p)
                    || runbooks.is_match(p)
                    || rule_files.is_match(p))
        });
        let today = jiff::Timestamp::try_from(scope.now)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        let runbook_docs: BTreeMap<String, String> = paths
            .iter()
            .filter(|p| runbooks.is_match(p.as_str()))
            .map(|p| {
                let stem = p.rsplit('/').next().unwrap_or(p);
                let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
                (rules::runbook_key(stem), p.clone())
            })
            .collect();
        let found: Vec<Collection> = paths
            .par_iter()
            .map(|p| {
                if restores.is_match(p.as_str()) {
                    read_restore_test(scope, p, today)
                } else if policies.is_match(p.as_str()) {
                    read_policy(scope, p, today)
                } else if rule_files.is_match(p.as_str()) && !runbooks.is_match(p.as_str()) {
                    read_rules(scope, p, &runbook_docs)
                } else {
                    Collection::default()
                }
            })
            .collect();
        for c in found {
            collection.extend(c);
        }
        let first_folder = folder_of(&policy_globs, "policies");
        let required = required_policies(&collection.documents, &first_folder);
        collection.documents.extend(required);
        collection
            .documents
            .extend(restore_summary(&collection.documents));
        collection.sort();
        Ok(collection)
    }
}

fn read_bytes(scope: &Scope, path: &str) -> Result<Vec<u8>, Collection> {
    scope
        .read(path)
        .map_err(|reason| Collection::unread(path, reason))
}

fn read_policy(scope: &Scope, path: &str, today: jiff::civil::Date) -> Collection {
    read_markdown(
        scope,
        path,
        "front matter is YAML between `---` lines; dates are YYYY-MM-DD",
        |text| {
            let p = policy::parse(path, text, today);
            (p.data, p.lines, p.problems)
        },
    )
}

/// One Markdown file as one `docs` document, parsed by `parse` into its facts, their lines and
/// the problems found (each an error at its line with `hint`).
fn read_markdown(
    scope: &Scope,
    path: &str,
    hint: &str,
    parse: impl FnOnce(&str) -> (Value, LineMap, Vec<(Position, String)>),
) -> Collection {
    let bytes = match read_bytes(scope, path) {
        Ok(b) => b,
        Err(c) => return c,
    };
    let (data, lines, problems) = parse(&String::from_utf8_lossy(&bytes));
    let mut c = Collection::default();
    c.errors
        .extend(problems.into_iter().map(|(position, message)| SourceError {
            path: path.to_string(),
            position: Some(position),
            message,
            hint: Some(hint.to_string()),
        }));
    c.documents.push(Document {
        kind: EvidenceKind::Docs,
        format: Format::Markdown,
        path: Arc::from(path),
        index: 0,
        data,
        lines,
        digest: Arc::from(hex::encode(Sha256::digest(&bytes))),
        suppressions: Arc::default(),
    });
    c
}

/// The folder of the first glob (`docs/restore-tests` for `docs/restore-tests/**/*.md`), or
/// `otherwise` with no glob: where a document about nothing found points.
fn folder_of(globs: &[String], otherwise: &str) -> String {
    globs.first().map_or_else(
        || otherwise.to_string(),
        |g| g.split("/*").next().unwrap_or(g).to_string(),
    )
}

fn read_restore_test(scope: &Scope, path: &str, today: jiff::civil::Date) -> Collection {
    read_markdown(
        scope,
        path,
        "a restore-test record starts with `---`, then `date: YYYY-MM-DD`, `system: NAME`, `result: pass|fail`, then `---`",
        |text| {
            let r = restore::parse(path, text, today);
            (r.data, r.lines, r.problems)
        },
    )
}

/// The one `RestoreTests` document, at the record it judges by: the latest passing one, else
/// the latest one; none without a dated record, so that the controls needing one find the
/// evidence missing instead of judging a file that does not exist.
fn restore_summary(found: &[Document]) -> Option<Document> {
    let records: Vec<&Document> = found
        .iter()
        .filter(|d| d.data["kind"] == "RestoreTest")
        .collect();
    let data: Vec<&Value> = records.iter().map(|d| &d.data).collect();
    let summary = restore::summary(&data);
    let doc = [&summary["latest_pass"]["path"], &summary["latest_path"]]
        .into_iter()
        .find_map(Value::as_str)
        .and_then(|path| records.iter().find(|d| d.path.as_ref() == path))?;
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    let keys: &[&str] = if summary["latest_pass"].is_null() {
        &["/latest_date"]
    } else {
        &["/latest_pass/date", "/days_since_latest_pass"]
    };
    if let Some(p) = doc.lines.position("/date") {
        for key in keys {
            lines.insert((*key).into(), p);
        }
    }
    Some(Document {
        data: summary,
        lines,
        ..(*doc).clone()
    })
}

fn read_rules(scope: &Scope, path: &str, runbooks: &BTreeMap<String, String>) -> Collection {
    let bytes = match read_bytes(scope, path) {
        Ok(b) => b,
        Err(c) => return c,
    };
    let mut c = Collection::default();
    // Most YAML files are not rule files: look for the key before parsing.
    if memchr::memmem::find(&bytes, b"groups:").is_none() {
        return c;
    }
    let text = String::from_utf8_lossy(&bytes);
    let documents = match yaml::parse(&text) {
        Ok(d) => d,
        Err(e) => {
            // Only a file that names rule groups is reported; other broken YAML is the config
            // collector's to report.
            if text.contains("rules:") {
                c.errors.push(SourceError {
                    path: path.to_string(),
                    position: Some(e.position),
                    message: format!("invalid rule file: {}", e.message),
                    hint: Some("fix the YAML syntax".into()),
                });
            }
            return c;
        }
    };
    let digest: Arc<str> = Arc::from(hex::encode(Sha256::digest(&bytes)));
    for (index, parsed) in documents.iter().enumerate() {
        let Some((at, source)) = rules::groups_of(&parsed.data) else {
            continue;
        };
        match rules::read(parsed, at, source, runbooks) {
            Ok((mut data, lines)) => {
                judge_runbooks(scope, path, &mut data);
                c.documents.push(Document {
                kind: EvidenceKind::Docs,
                format: Format::Yaml,
                path: Arc::from(path),
                index,
                data,
                lines,
                digest: digest.clone(),
                suppressions: Arc::default(),
            })
            }
            Err(errors) => c.errors.extend(errors.into_iter().map(|e| SourceError {
                path: path.to_string(),
                position: Some(e.position),
                message: format!("invalid rule file: {}", e.message),
                hint: Some("Prometheus would refuse to load this file; `promtool check rules` shows the same problems".into()),
            })),
        }
    }
    c
}

/// Sets `runbook_problem` on each alert of a rule file's facts whose runbook cannot be followed.
fn judge_runbooks(scope: &Scope, path: &str, data: &mut serde_json::Value) {
    let Some(alerts) = data.get_mut("alerts").and_then(|a| a.as_array_mut()) else {
        return;
    };
    for alert in alerts {
        let link = alert["runbook_url"].as_str();
        let doc = alert["runbook_doc"].as_str();
        if let Some(problem) = runbook::problem(scope, path, link, doc) {
            alert["runbook_problem"] = serde_json::Value::String(problem);
        }
    }
}

/// One document per required policy, from the policies found.
fn required_policies(found: &[Document], folder: &str) -> Vec<Document> {
    let policies: Vec<&Document> = found
        .iter()
        .filter(|d| d.data["kind"] == "Policy")
        .collect();
    policy::REQUIRED
        .iter()
        .map(|(id, name, _)| {
            let mut matching: Vec<&&Document> =
                policies.iter().filter(|d| d.data["type"] == *id).collect();
            // The most recently reviewed first; unreviewed ones last, then by path.
            matching.sort_by_key(|d| {
                (
                    d.data["days_since_review"].as_i64().unwrap_or(i64::MAX),
                    d.path.clone(),
                )
            });
            let mut data = Map::new();
            data.insert("kind".into(), json!("RequiredPolicy"));
            data.insert("policy".into(), json!(id));
            data.insert("name".into(), json!(name));
            data.insert("present".into(), json!(!matching.is_empty()));
            data.insert(
                "paths".into(),
                json!(matching.iter().map(|d| d.path.as_ref()).collect::<Vec<_>>()),
            );
            match matching.first() {
                Some(doc) => {
                    for key in [
                        "path",
                        "title",
                        "owner",
                        "approved_by",
                        "approved",
                        "last_reviewed",
                        "next_review",
                        "days_since_review",
                        "review_overdue",
                        "rto",
                        "rpo",
                    ] {
                        data.insert(key.into(), doc.data[key].clone());
                    }
                    Document {
                        data: Value::Object(data),
                        ..(**doc).clone()
                    }
                }
                None => {
                    let mut lines = LineMap::new();
                    lines.insert(String::new(), Position::new(1, 1));
                    Document {
                        kind: EvidenceKind::Docs,
                        format: Format::Markdown,
                        path: Arc::from(folder),
                        index: 0,
                        data: Value::Object(data),
                        lines,
                        digest: Arc::from(""),
                        suppressions: Arc::default(),
                    }
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
