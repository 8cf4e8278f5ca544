//! Declaration files: YAML files in which a team states facts about itself (its processing of
//! personal data, its AI systems), validated against a JSON Schema with the position of every
//! violation and read into a typed model.

use std::path::Path;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::collector::{Collection, Scope, SourceError};
use crate::confine::{self, Refused};
use crate::dlp;
use crate::document::{Document, EvidenceKind, Format};
use crate::formats::yaml;
use crate::lines::{pointer_push, LineMap, Position};

/// A declaration file, read and typed.
#[derive(Debug, Clone)]
pub struct Declared<T> {
    /// Path relative to the scan root, with `/` separators.
    pub path: String,
    /// sha256 (hex) of the raw bytes of the file.
    pub digest: String,
    /// The file as JSON.
    pub data: Value,
    /// Where each node of `data` starts in the file.
    pub lines: LineMap,
    /// The typed content.
    pub model: T,
}

/// The first of `candidates` (root-relative paths) that is a file inside `root`.
pub fn find(root: &Path, candidates: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|c| confine::is_file(root, c))
        .map(|c| c.to_string())
}

/// The bytes of the root-relative `path` (a path written in a declaration), when it stays
/// inside the scan root and can be read within the size limit.
pub fn read_bytes(scope: &Scope, path: &str) -> Option<Vec<u8>> {
    confine::read(&scope.root, path, scope.max_file_size).ok()
}

/// The text of the root-relative `path`, as [`read_bytes`] reads it (invalid UTF-8
/// replaced).
pub fn read_text(scope: &Scope, path: &str) -> Option<String> {
    read_bytes(scope, path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// One set of the globs of a setting; the message names the first invalid glob.
pub fn globset(globs: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {}", e.kind()))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Compiles an embedded schema.
pub(crate) fn validator(source: &str) -> Validator {
    let schema: Value = serde_json::from_str(source).expect("embedded schema is valid JSON");
    jsonschema::validator_for(&schema).expect("embedded schema compiles")
}

/// One document of kind `kind` built from the declaration file at `path`.
pub(crate) fn document(
    kind: EvidenceKind,
    path: &str,
    index: usize,
    (data, lines): (Value, LineMap),
    digest: &str,
) -> Document {
    Document {
        kind,
        format: Format::Yaml,
        path: Arc::from(path),
        index,
        data,
        lines,
        digest: Arc::from(digest),
        suppressions: Arc::default(),
    }
}

/// The declaration a collector goes on with, or the collection it returns at once: the
/// `absent` facts as the one document when no file is declared at `path`, or the file's errors.
pub(crate) fn or_finish<T>(
    read: Result<Option<Declared<T>>, Vec<SourceError>>,
    kind: EvidenceKind,
    path: &str,
    absent: fn(&str) -> (Value, LineMap),
) -> Result<Declared<T>, Collection> {
    match read {
        Ok(Some(declared)) => Ok(declared),
        Ok(None) => {
            let mut c = Collection::default();
            c.documents.push(document(kind, path, 0, absent(path), ""));
            Err(c)
        }
        Err(errors) => Err(Collection {
            errors,
            ..Collection::default()
        }),
    }
}

/// Reads the declaration at the `configured` path, or else at the first of `defaults` that
/// exists under `root`: `Ok(None)` when neither names a file.
pub fn load<T: DeserializeOwned>(
    root: &Path,
    configured: Option<&str>,
    defaults: &[&str],
    schema: &Validator,
    schema_name: &str,
    max_size: u64,
) -> Result<Option<Declared<T>>, Vec<SourceError>> {
    let path = match configured {
        Some(path) => path.to_string(),
        None => match find(root, defaults) {
            Some(path) => path,
            None => return Ok(None),
        },
    };
    read(root, &path, schema, schema_name, max_size).map(Some)
}

/// Reads the file at the root-relative `path`, validates it against `schema` (named
/// `schema_name` in hints) and types it. Every problem is reported, each at its line.
pub fn read<T: DeserializeOwned>(
    root: &Path,
    path: &str,
    schema: &Validator,
    schema_name: &str,
    max_size: u64,
) -> Result<Declared<T>, Vec<SourceError>> {
    let error = |position: Option<Position>, message: String, hint: String| SourceError {
        path: path.to_string(),
        position,
        message,
        hint: Some(hint),
    };
    let bytes = match confine::read(root, path, max_size) {
        Ok(bytes) => bytes,
        Err(reason @ Refused::TooLarge(_)) => {
            return Err(vec![error(
                None,
                reason.to_string(),
                "split the file or raise the size limit".into(),
            )])
        }
        Err(reason) if reason.is_skip() => {
            return Err(vec![error(
                None,
                format!("not read: {reason}"),
                "name a regular file inside the scan root, relative to it".into(),
            )])
        }
        Err(reason) => {
            return Err(vec![error(
                None,
                format!("cannot read file: {reason}"),
                "check that the file exists and can be read".into(),
            )])
        }
    };
    let digest = hex::encode(Sha256::digest(&bytes));
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut documents = yaml::parse(text).map_err(|e| {
        vec![error(
            Some(e.position),
            format!("invalid YAML: {}", e.message),
            "fix the YAML syntax".into(),
        )]
    })?;
    if documents.len() != 1 {
        return Err(vec![error(
            Some(Position::new(1, 1)),
            format!("expected one YAML document, found {}", documents.len()),
            format!("write the whole declaration as one mapping ({schema_name})"),
        )]);
    }
    let parsed = documents.remove(0);
    let mut problems: Vec<SourceError> = schema
        .iter_errors(&parsed.data)
        .map(|e| {
            let pointer = e.instance_path().as_str().to_string();
            let (pointer, message) = describe(e.kind(), &pointer, &parsed.data, &e.to_string());
            error(
                parsed.lines.position(&pointer),
                message,
                format!("see {schema_name}"),
            )
        })
        .collect();
    problems.sort_by(|a, b| (a.position, &a.message).cmp(&(b.position, &b.message)));
    problems.dedup();
    if !problems.is_empty() {
        return Err(problems);
    }
    let model = serde_json::from_value(parsed.data.clone()).map_err(|e| {
        vec![error(
            Some(Position::new(1, 1)),
            format!("cannot read the declaration: {e}"),
            format!("see {schema_name}"),
        )]
    })?;
    Ok(Declared {
        path: path.to_string(),
        digest,
        data: parsed.data,
        lines: parsed.lines,
        model,
    })
}

/// The pointer to report a violation at, and its message.
fn describe(
    kind: &ValidationErrorKind,
    pointer: &str,
    data: &Value,
    fallback: &str,
) -> (String, String) {
    let shown = |v: &Value| match v {
        Value::String(s) => dlp::excerpt(s),
        other => dlp::excerpt(&other.to_string()),
    };
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let key = unexpected.first().cloned().unwrap_or_default();
            (pointer_push(pointer, &key), format!("unknown key `{key}`"))
        }
        ValidationErrorKind::Required { property } => (
            pointer.to_string(),
            format!("missing required key `{}`", shown(property)),
        ),
        ValidationErrorKind::Enum { options } => {
            let choices: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(|o| format!("`{}`", shown(o))).collect())
                .unwrap_or_default();
            let given = data.pointer(pointer).map(shown).unwrap_or_default();
            (
                pointer.to_string(),
                format!(
                    "invalid value `{given}`: expected one of {}",
                    choices.join(", ")
                ),
            )
        }
        _ => {
            let quoted = data
                .pointer(pointer)
                .map(Value::to_string)
                .unwrap_or_default();
            (pointer.to_string(), dlp::excerpt_in(fallback, &quoted))
        }
    }
}

/// Records in `out`, below `to`, the positions `lines` holds for `value` (the node at `from`
/// in its source) and every node inside it: facts built from a part of a declaration file
/// point at the lines of that part.
pub fn relocate(lines: &LineMap, value: &Value, from: &str, to: &str, out: &mut LineMap) {
    if let Some(position) = lines.position(from) {
        out.insert(to.to_string(), position);
    }
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                relocate(
                    lines,
                    child,
                    &pointer_push(from, key),
                    &pointer_push(to, key),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let index = i.to_string();
                relocate(
                    lines,
                    child,
                    &pointer_push(from, &index),
                    &pointer_push(to, &index),
                    out,
                );
            }
        }
        _ => {}
    }
}
