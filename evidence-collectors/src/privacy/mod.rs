//! The privacy collector: the GDPR Art. 30 record of processing activities declared in
//! `processing-activities.yaml` (schemas/processing-activities.schema.json), as [`Document`]s
//! of kind `privacy`.
//!
//! **Convention**: `processing-activities.yaml` (or `.yml`) at the scan root, under
//! `compliance/` or under `docs/`; API descriptions are the YAML and JSON files with a
//! top-level `openapi` or `swagger` key and `paths`. **Configured**: `collectors: {privacy:
//! {records: PATH, openapi: [globs]}}`.
//!
//! Three kinds of document, told apart by their `kind` field:
//! - `ProcessingRecords`, always one: `present` (false when no record is found), `path`,
//!   `activity_count`, `controller` and `controller_missing` (which of `name` and `contact`
//!   it lacks), `activities` (`id`, `name`, `missing`);
//! - `ProcessingActivity`, one per activity, located at its entry: every declared field,
//!   `missing` (the Art. 30(1) entries it lacks: purposes, legal_basis, data_subjects,
//!   data_categories, recipients, retention, security_measures), `retention_defined`,
//!   `legal_basis_article`, `transfer_count`, `transfers_without_safeguard` (countries) and
//!   `special_categories_without_basis`;
//! - `DataSubjectRequests`, one per record: `present` (the section is there), `contact`,
//!   `endpoints` (`right`, `article`, `method`, `path`, `operation`, `documented_in`,
//!   `documented_in_present`, `documented`, `documented_by`), `rights_covered`,
//!   `missing_rights` and `undocumented` (`METHOD /path` of every undocumented endpoint).
//!
//! An endpoint is documented when an API description in the tree has its method under its
//! path (with or without a server's base path; parameters match by position), or its
//! `documented_in` file does (an API description, or a document with the method and the path
//! on one line).

mod facts;
pub mod model;
mod openapi;

use std::path::Path;
use std::sync::LazyLock;

use jsonschema::Validator;
use rayon::prelude::*;
use serde::Deserialize;

use crate::collector::{settings_error, Collection, Collector, Scope, SourceError};
use crate::declared::{self, Declared};
use crate::document::EvidenceKind;

pub use model::{
    Controller, DataSubjectRequests, DsrEndpoint, LegalBasis, ProcessingActivity,
    ProcessingRecords, Right, Safeguard, Transfer,
};

/// Where the record is looked for when `collectors.privacy.records` is not set, in order.
pub const DEFAULT_PATHS: [&str; 6] = [
    "processing-activities.yaml",
    "processing-activities.yml",
    "compliance/processing-activities.yaml",
    "compliance/processing-activities.yml",
    "docs/processing-activities.yaml",
    "docs/processing-activities.yml",
];

/// The schema the file is validated against, as named in messages.
pub const SCHEMA_NAME: &str = "schemas/processing-activities.schema.json";

static SCHEMA: LazyLock<Validator> = LazyLock::new(|| {
    declared::validator(include_str!(
        "../../../schemas/processing-activities.schema.json"
    ))
});

/// `collectors.privacy` in `assay.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The record of processing activities, relative to the scan root (default: the first
    /// of [`DEFAULT_PATHS`] that exists).
    pub records: Option<String>,
    /// Globs of the OpenAPI / Swagger files that document the request endpoints (default:
    /// every YAML or JSON file with `openapi:` or `swagger:` and `paths:`).
    pub openapi: Option<Vec<String>>,
}

/// Reads the record of processing activities under `root`: `Ok(None)` when there is none (and
/// none is configured), errors with their lines when the file is invalid.
pub fn read(
    root: &Path,
    settings: &Settings,
    max_size: u64,
) -> Result<Option<Declared<ProcessingRecords>>, Vec<SourceError>> {
    declared::load(
        root,
        settings.records.as_deref(),
        &DEFAULT_PATHS,
        &SCHEMA,
        SCHEMA_NAME,
        max_size,
    )
}

/// API descriptions are looked for among these files when `collectors.privacy.openapi` is not
/// set.
const DEFAULT_OPENAPI: [&str; 3] = ["**/*.yaml", "**/*.yml", "**/*.json"];

/// Collects the record of processing activities.
pub struct PrivacyCollector;

impl Collector for PrivacyCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Privacy
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        scope.root_dir()?;
        let mut collection = Collection::default();
        let settings: Settings = match scope.settings(EvidenceKind::Privacy) {
            Ok(s) => s,
            Err(e) => return Ok(Collection::failed(e)),
        };
        let path = settings.records.as_deref().unwrap_or(DEFAULT_PATHS[0]);
        let read = read(&scope.root, &settings, scope.max_file_size);
        let declared = match declared::or_finish(read, EvidenceKind::Privacy, path, facts::absent) {
            Ok(d) => d,
            Err(finished) => return Ok(finished),
        };
        let documentation = match document_endpoints(scope, &settings, &declared) {
            Ok(d) => d,
            Err(e) => return Ok(Collection::failed(e)),
        };
        let path = declared.path.as_str();
        collection.documents.push(declared::document(
            EvidenceKind::Privacy,
            path,
            0,
            facts::records(&declared),
            &declared.digest,
        ));
        for i in 0..declared.model.activities.len() {
            collection.documents.push(declared::document(
                EvidenceKind::Privacy,
                path,
                i + 1,
                facts::activity(&declared, i),
                &declared.digest,
            ));
        }
        collection.documents.push(declared::document(
            EvidenceKind::Privacy,
            path,
            declared.model.activities.len() + 1,
            facts::requests(&declared, &documentation),
            &declared.digest,
        ));
        collection.sort();
        Ok(collection)
    }
}

/// Which files document each declared endpoint, in declaration order.
fn document_endpoints(
    scope: &Scope,
    settings: &Settings,
    declared: &Declared<ProcessingRecords>,
) -> Result<Vec<facts::Documentation>, SourceError> {
    let endpoints = match &declared.model.data_subject_requests {
        Some(s) if !s.endpoints.is_empty() => &s.endpoints,
        _ => return Ok(Vec::new()),
    };
    let globs: Vec<String> = match &settings.openapi {
        Some(globs) => globs.clone(),
        None => DEFAULT_OPENAPI.iter().map(|g| g.to_string()).collect(),
    };
    let set = declared::globset(&globs).map_err(|m| {
        settings_error(
            EvidenceKind::Privacy,
            format!("collectors.privacy.openapi: {m}"),
        )
    })?;
    let candidates = scope.files(&|p| scope.admits(p) && set.is_match(p) && p != declared.path);
    let apis: Vec<(String, openapi::Operations)> = candidates
        .par_iter()
        .filter_map(|p| {
            let bytes = declared::read_bytes(scope, p)?;
            if !openapi::looks_like_api(&bytes) {
                return None;
            }
            let text = String::from_utf8_lossy(&bytes);
            openapi::operations(p, &text).map(|ops| (p.clone(), ops))
        })
        .collect();
    Ok(endpoints
        .iter()
        .map(|e| {
            let mut files: Vec<String> = apis
                .iter()
                .filter(|(_, ops)| ops.documents(&e.method, &e.path))
                .map(|(p, _)| p.clone())
                .collect();
            let documented_in_present = e.documented_in.as_ref().map(|p| {
                let text = declared::read_text(scope, p);
                let documents = text
                    .as_deref()
                    .is_some_and(|t| match openapi::operations(p, t) {
                        Some(ops) => ops.documents(&e.method, &e.path),
                        None => openapi::mentions(t, &e.method, &e.path),
                    });
                if documents && !files.contains(p) {
                    files.push(p.clone());
                }
                text.is_some()
            });
            files.sort();
            facts::Documentation {
                files,
                documented_in_present,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests;
