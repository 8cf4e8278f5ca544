//! The audit-log collector: reads JSON Lines, CSV and whole-document audit logs (Kubernetes,
//! CloudTrail, Okta, GCP, Azure, GitHub or any flat events through a field mapping) and yields
//! one [`Document`] of facts per log: coverage period against the retention requirement, gaps,
//! field completeness, privileged actions, failed authentications, hash-chain verification and
//! personal data or secrets found in it.
//!
//! Logs are configured under `collectors.audit_log.sources` in `assay.yaml`; without that, a
//! file is taken as an audit log when its path names it one (`audit`, `cloudtrail`) or its
//! first event looks like a Kubernetes audit event or a CloudTrail record.
//!
//! With checkpoints (`--checkpoints DIR`), a JSON Lines log is read only from where the last
//! scan stopped (see [`checkpoint`]).

mod chain;
pub mod checkpoint;
mod event;
mod jcs;
mod node;
mod preset;
mod read;
mod settings;
mod summary;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub use chain::{event_hash, ChainRules};
pub use checkpoint::Checkpoints;
pub use preset::Preset;
pub use settings::{LogFormat, Plan};

use crate::collector::{Collection, Collector, Scope, SkippedFile, SourceError};
use crate::confine::{self, Refused};
use crate::document::{Document, EvidenceKind, Format};
use crate::lines::Position;
use settings::{preset_mapping, SourcePlan};
use summary::{Context, Summary};

/// Collects audit logs.
pub struct AuditLogCollector;

/// How many leading bytes are read to recognize a log by its content.
const SNIFF: usize = 64 * 1024;
/// Whole-document logs are parsed in memory; larger ones must be JSON Lines.
const MAX_DOCUMENT: u64 = 1 << 30;

impl Collector for AuditLogCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::AuditLog
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        let plan = Plan::new(scope.settings_of(EvidenceKind::AuditLog))?;
        scope.root_dir()?;
        let found = discover(scope, &plan);
        let keeping = scope.audit_checkpoints.as_ref().map(|store| Keeping {
            store,
            fingerprint: checkpoint::fingerprint(
                scope.settings_of(EvidenceKind::AuditLog),
                scope.limits.line_bytes,
            ),
        });
        let results: Vec<FileResult> = found
            .par_iter()
            .map(|relative| {
                collect_file(
                    &scope.root,
                    relative,
                    &plan,
                    scope.limits.line_bytes,
                    keeping.as_ref(),
                )
            })
            .collect();
        let mut collection = Collection::default();
        for result in results {
            match result {
                FileResult::Document(d) => collection.documents.push(*d),
                FileResult::Error(e) => collection.errors.push(e),
                FileResult::Skipped(s) => collection.skipped.push(s),
            }
        }
        if !plan.sources.is_empty() {
            collection
                .documents
                .push(expected_sources(&plan, &collection.documents));
        }
        collection.sort();
        Ok(collection)
    }
}

/// Where the configured sources are reported: the configuration file.
const SOURCES_PATH: &str = "assay.yaml";

/// The configured sources, each with the logs read for it and their events: the document that
/// tells a source that yielded no events (its files missing, empty or unreadable) from one
/// that did. A log counts for the first source whose glob matches it.
fn expected_sources(plan: &Plan, logs: &[Document]) -> Document {
    let mut tally = vec![(0u64, 0u64); plan.sources.len()];
    for log in logs {
        if let Some(i) = plan
            .sources
            .iter()
            .position(|s| s.matcher.is_match(log.path.as_ref()))
        {
            tally[i].0 += 1;
            tally[i].1 += log.data["events"].as_u64().unwrap_or(0);
        }
    }
    let sources: Vec<Value> = plan
        .sources
        .iter()
        .zip(&tally)
        .map(|(s, (files, events))| {
            json!({"name": s.name, "path": s.matcher.glob().glob(), "files": files, "events": events})
        })
        .collect();
    let data = json!({ "expected_sources": sources });
    let digest = hex::encode(Sha256::digest(data.to_string().as_bytes()));
    let mut lines = crate::lines::LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    Document {
        kind: EvidenceKind::AuditLog,
        format: Format::Json,
        path: Arc::from(SOURCES_PATH),
        index: 0,
        data,
        lines,
        digest: Arc::from(digest),
        suppressions: Arc::default(),
    }
}

enum FileResult {
    Document(Box<Document>),
    Error(SourceError),
    Skipped(SkippedFile),
}

/// The audit logs under the scan root: the configured sources, or those found by convention.
fn discover(scope: &Scope, plan: &Plan) -> Vec<String> {
    scope.files(&|relative| {
        scope.admits(relative)
            && if plan.sources.is_empty() {
                by_convention(relative, &scope.root)
            } else {
                plan.source_for(relative).is_some()
            }
    })
}

fn extension(relative: &str) -> String {
    relative
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether a file is an audit log by convention: a JSON Lines or CSV file whose path says
/// `audit` or `cloudtrail`, or a JSON / JSON Lines file whose content is a Kubernetes audit
/// event or CloudTrail records.
fn by_convention(relative: &str, root: &Path) -> bool {
    let lower = relative.to_ascii_lowercase();
    let named = lower.contains("audit") || lower.contains("cloudtrail");
    match extension(relative).as_str() {
        "jsonl" | "ndjson" => named || looks_like_known_log(&sniff(root, relative)),
        "csv" => named,
        "log" => named && sniff(root, relative).trim_ascii_start().starts_with(b"{"),
        "json" => {
            let head = sniff(root, relative);
            looks_like_known_log(&head) && {
                let text = String::from_utf8_lossy(&head);
                text.contains("\"Records\"") || text.contains("\"EventList\"")
            }
        }
        _ => false,
    }
}

/// Opens the root-relative `relative` (see [`confine::open`]); logs are streamed, so the size
/// is not limited here.
fn open(root: &Path, relative: &str) -> Result<File, Refused> {
    confine::open(root, relative, u64::MAX).map(|(file, _)| file)
}

fn sniff(root: &Path, relative: &str) -> Vec<u8> {
    let mut head = Vec::new();
    if let Ok(file) = open(root, relative) {
        let _ = file.take(SNIFF as u64).read_to_end(&mut head);
    }
    head
}

fn looks_like_known_log(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    text.contains("audit.k8s.io/")
        || (text.contains("\"eventSource\"") && text.contains("\"eventName\""))
}

/// The format of a log: configured, else judged by the file's extension.
fn format_of(relative: &str, source: Option<&SourcePlan>) -> LogFormat {
    if let Some(format) = source.and_then(|s| s.format) {
        return format;
    }
    match extension(relative).as_str() {
        "csv" => LogFormat::Csv,
        "json" => LogFormat::Json,
        _ => LogFormat::Jsonl,
    }
}

/// The first event of a JSON Lines or CSV log, to recognize its preset (read from at most
/// `line_bytes` of the file).
fn first_event(root: &Path, relative: &str, format: LogFormat, line_bytes: u64) -> Option<Value> {
    let file = open(root, relative).ok()?.take(line_bytes);
    match format {
        LogFormat::Jsonl => BufReader::new(file)
            .split(b'\n')
            .take(1000)
            .map_while(Result::ok)
            .find(|l| !l.iter().all(u8::is_ascii_whitespace))
            .and_then(|l| serde_json::from_slice(&l).ok()),
        LogFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
            let headers = reader.headers().ok()?.clone();
            let record = reader.records().next()?.ok()?;
            Some(Value::Object(
                headers
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| (h.trim().to_string(), Value::String(v.to_string())))
                    .collect(),
            ))
        }
        LogFormat::Json => None,
    }
}

fn read_error(relative: &str, error: &std::io::Error) -> SourceError {
    SourceError {
        path: relative.to_string(),
        position: None,
        message: format!("cannot read audit log: {error}"),
        hint: Some("check the file's permissions".into()),
    }
}

/// The checkpoint store of a scan, and the fingerprint of its settings.
struct Keeping<'a> {
    store: &'a Checkpoints,
    fingerprint: String,
}

fn collect_file(
    root: &Path,
    relative: &str,
    plan: &Plan,
    line_bytes: u64,
    keeping: Option<&Keeping<'_>>,
) -> FileResult {
    let source = plan.source_for(relative);
    let format = format_of(relative, source);
    let mut file = match open(root, relative) {
        Ok(f) => f,
        Err(reason) => {
            let mut unread = Collection::unread(relative, reason);
            return match unread.errors.pop() {
                Some(e) => FileResult::Error(e),
                None => FileResult::Skipped(unread.skipped.remove(0)),
            };
        }
    };
    let mapping_for = |event: Option<&Value>| {
        let preset = source
            .and_then(|s| s.preset)
            .or_else(|| event.map(Preset::detect))
            .unwrap_or(Preset::Generic);
        mapping_of(source, preset)
    };
    let mut checkpoint_facts = None;
    let read = match (format, keeping) {
        (LogFormat::Jsonl, Some(keeping)) => read_kept(
            root,
            relative,
            &mut file,
            plan,
            line_bytes,
            keeping,
            &mapping_for,
        )
        .map(|(preset, summary, digest, facts)| {
            checkpoint_facts = Some(facts);
            (preset, summary, digest)
        }),
        (LogFormat::Jsonl | LogFormat::Csv, _) => {
            let (preset, mapping) =
                mapping_for(first_event(root, relative, format, line_bytes).as_ref());
            let ctx = Context {
                mapping: &mapping,
                chain: &plan.chain,
                dlp: &plan.dlp,
            };
            let read = if format == LogFormat::Csv {
                read::read_csv(file, &ctx).map_err(|e| match e.position() {
                    Some(p) => SourceError {
                        path: relative.to_string(),
                        position: Some(Position::new(
                            u32::try_from(p.line()).unwrap_or(u32::MAX),
                            1,
                        )),
                        message: format!("invalid CSV: {e}"),
                        hint: Some("a CSV audit log needs a header row".into()),
                    },
                    None => SourceError {
                        path: relative.to_string(),
                        position: None,
                        message: format!("cannot read CSV audit log: {e}"),
                        hint: Some("check the file's permissions".into()),
                    },
                })
            } else {
                read::read_jsonl(file, &ctx, line_bytes, read::Start::default())
                    .map(|read| (read.summary, hex::encode(read.hasher.finalize())))
                    .map_err(|e| read_error(relative, &e))
            };
            read.map(|(summary, digest)| (preset, summary, digest))
        }
        (LogFormat::Json, _) => read_document(file, relative, plan, &mapping_for),
    };
    let (preset, summary, digest) = match read {
        Ok(r) => r,
        Err(e) => return FileResult::Error(e),
    };
    let mut result = finish(relative, format, preset, summary, digest, plan);
    if let (FileResult::Document(document), Some(facts)) = (&mut result, checkpoint_facts) {
        document.data["checkpoint"] = facts;
    }
    result
}

/// A preset and the field mapping it gives, refined by the source's configuration.
fn mapping_of(source: Option<&SourcePlan>, preset: Preset) -> (Preset, event::Mapping) {
    let mapping = match source {
        Some(s) => s.mapping(preset),
        None => preset_mapping(preset),
    };
    (preset, mapping)
}

/// Reads a JSON Lines log from its checkpoint when one holds (else from the top), and writes
/// the checkpoint of where it ends; returns the log's preset, summary, digest and the
/// `checkpoint` facts.
fn read_kept(
    root: &Path,
    relative: &str,
    file: &mut File,
    plan: &Plan,
    line_bytes: u64,
    keeping: &Keeping<'_>,
    mapping_for: &dyn Fn(Option<&Value>) -> (Preset, event::Mapping),
) -> Result<(Preset, Summary, String, Value), SourceError> {
    let (resumed, fallback) = match keeping.store.resume(relative, &keeping.fingerprint, file) {
        Ok(resumed) => (resumed, None),
        Err(reason) => (None, Some(reason)),
    };
    let ((preset, mapping), start, from) = match resumed {
        Some(r) => {
            let from = (r.checkpoint.offset, r.checkpoint.next_line);
            let start = read::Start {
                line: r.checkpoint.next_line,
                hasher: r.hasher,
                summary: r.checkpoint.summary,
            };
            let source = plan.source_for(relative);
            (mapping_of(source, r.checkpoint.preset), start, Some(from))
        }
        None => {
            file.rewind().map_err(|e| read_error(relative, &e))?;
            let first = first_event(root, relative, LogFormat::Jsonl, line_bytes);
            (mapping_for(first.as_ref()), read::Start::default(), None)
        }
    };
    let ctx = Context {
        mapping: &mapping,
        chain: &plan.chain,
        dlp: &plan.dlp,
    };
    let read = read::read_jsonl(&mut *file, &ctx, line_bytes, start)
        .map_err(|e| read_error(relative, &e))?;
    let offset = from.map_or(0, |(offset, _)| offset) + read.read;
    // A log that ends inside a line (being written) gets its checkpoint next time.
    if read.whole_lines {
        keeping
            .store
            .save(
                relative,
                &keeping.fingerprint,
                file,
                (offset, read.next_line),
                &read.hasher,
                preset,
                &read.summary,
            )
            .map_err(|message| SourceError {
                path: relative.to_string(),
                position: None,
                message,
                hint: Some("check that the --checkpoints directory is writable".into()),
            })?;
    }
    let facts = checkpoint::facts(from, read.read, fallback.as_deref());
    let digest = hex::encode(read.hasher.finalize());
    Ok((preset, read.summary, digest, facts))
}

/// Reads a whole-document log (CloudTrail `Records`, a Kubernetes `EventList`, an array).
fn read_document(
    mut file: File,
    relative: &str,
    plan: &Plan,
    mapping_for: &dyn Fn(Option<&Value>) -> (Preset, event::Mapping),
) -> Result<(Preset, Summary, String), SourceError> {
    let size = file.metadata().map_err(|e| read_error(relative, &e))?.len();
    if size > MAX_DOCUMENT {
        return Err(SourceError {
            path: relative.to_string(),
            position: None,
            message: format!(
                "a {size}-byte JSON document is too large to read as one audit log (limit {MAX_DOCUMENT} bytes)"
            ),
            hint: Some("write large logs as JSON Lines, one event per line (.jsonl)".into()),
        });
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| read_error(relative, &e))?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let text = std::str::from_utf8(&bytes).map_err(|e| SourceError {
        path: relative.to_string(),
        position: None,
        message: format!(
            "audit log is not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ),
        hint: Some("audit logs are read as UTF-8 JSON or CSV".into()),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let document = read::parse_document(text).map_err(|e| {
        SourceError {
        path: relative.to_string(),
        position: Some(e.position),
        message: format!("invalid JSON audit log: {}", e.message),
        hint: Some(
            "a .json audit log holds `{\"Records\": [...]}`, an `EventList` or an array of events; \
             use .jsonl for one event per line"
                .into(),
        ),
    }
    })?;
    let (preset, mapping) = mapping_for(document.events.first());
    let ctx = Context {
        mapping: &mapping,
        chain: &plan.chain,
        dlp: &plan.dlp,
    };
    let summary = read::summarize_document(document, text, &ctx);
    Ok((preset, summary, digest))
}

/// Turns a log's summary into its document, or into an error when no event could be read.
fn finish(
    relative: &str,
    format: LogFormat,
    preset: Preset,
    summary: Summary,
    digest: String,
    plan: &Plan,
) -> FileResult {
    if summary.events() == 0 {
        return match summary.first_malformed() {
            Some((line, error)) => FileResult::Error(SourceError {
                path: relative.to_string(),
                position: Some(Position::new(u32::try_from(line).unwrap_or(u32::MAX), 1)),
                message: format!(
                    "no line of the audit log is a readable event ({} malformed); first: {error}",
                    summary.malformed_count()
                ),
                hint: Some(
                    "audit logs are read as JSON Lines (one JSON object per line), CSV with a \
                     header row, or a JSON document; set `collectors.audit_log.sources[].format` \
                     if the extension misleads"
                        .into(),
                ),
            }),
            None => FileResult::Skipped(SkippedFile {
                path: relative.to_string(),
                reason: "audit log holds no events".into(),
            }),
        };
    }
    let required = match plan.source_for(relative) {
        Some(source) => source.mapping(preset).required,
        None => preset_mapping(preset).required,
    };
    let (mut data, lines) = summary.facts(&plan.chain, plan.retention_days, &required);
    data["preset"] = json!(preset.as_str());
    let format = match format {
        LogFormat::Jsonl => Format::Jsonl,
        LogFormat::Csv => Format::Csv,
        LogFormat::Json => Format::Json,
    };
    FileResult::Document(Box::new(Document {
        kind: EvidenceKind::AuditLog,
        format,
        path: Arc::from(relative),
        index: 0,
        data,
        lines,
        digest: Arc::from(digest),
        suppressions: Arc::default(),
    }))
}
