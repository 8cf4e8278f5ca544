//! The forge collector: responses of the GitHub and GitLab REST APIs saved as JSON, the review
//! evidence a git history cannot give (who approved each pull or merge request) and the
//! branch protection rules. Nothing is fetched: the exports are files.
//!
//! **Where exports are read**: every `*.json` file under `.assay/forge/` in the scan root, or
//! the files and globs of `collectors.forge.exports` (relative to the scan root, confined to
//! it) instead, plus the files given with `--forge-export FILE` ([`Scope::forge_exports`]).
//!
//! **Layout**: each file holds one API response body, saved as the API returned it; what it
//! answers is told from its content (see [`response`]):
//!
//! | API call | recognized by |
//! |---|---|
//! | GitHub `GET /repos/{o}/{r}/pulls?state=closed` | an array of objects with `number` and `merge_commit_sha` |
//! | GitHub `GET /repos/{o}/{r}/pulls/{n}/reviews` | an array of objects with `state` and `pull_request_url` |
//! | GitHub `GET /repos/{o}/{r}/branches/{b}/protection` | an object whose `url` ends in `/branches/{b}/protection`, or the `Branch not protected` answer |
//! | GitLab `GET /projects/:id/merge_requests?state=merged` | an array of objects with `iid` and `author` |
//! | GitLab `GET /projects/:id/merge_requests/:iid/approvals` | an object with `iid` and `approved_by` |
//! | GitLab `GET /projects/:id/protected_branches` | an array of objects with `name` and `push_access_levels` |
//!
//! Each file becomes one document of kind `forge` (path: the file, digest: sha256 of its bytes)
//! with `forge` (`github` / `gitlab`), `api` (`pull_requests`, `reviews`, `approvals`,
//! `branch_protection`) and the normalized facts; items that cannot be read are reported at
//! their line and left out. The git collector joins the review facts to the commits it judges
//! ([`Exports`]).

mod exports;
pub mod response;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSetBuilder};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::collector::{settings_error, Collection, Collector, Scope, SkippedFile, SourceError};
use crate::document::{Document, EvidenceKind, Format};
use crate::formats::json;
use crate::lines::Position;

pub use exports::{ChangeReview, Exports};
use response::Response;

/// Where exports are found when `collectors.forge.exports` is not set.
pub const CONVENTION: &str = ".assay/forge/**/*.json";

/// `collectors.forge` in `assay.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Files or globs relative to the scan root (default: [`CONVENTION`]).
    pub exports: Option<Vec<String>>,
}

/// Collects forge API exports.
pub struct ForgeCollector;

impl Collector for ForgeCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Forge
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        let loaded = load(scope);
        let mut collection = loaded.collection;
        collection.sort();
        Ok(collection)
    }
}

/// Every export of a scan: the documents (with the errors and skipped files) and the joined
/// review facts.
pub struct Loaded {
    pub collection: Collection,
    pub exports: Exports,
}

/// Reads every export `scope` names. Never fails: problems are in the collection.
pub fn load(scope: &Scope) -> Loaded {
    let mut collection = Collection::default();
    let mut exports = Exports::default();
    let files = match export_files(scope) {
        Ok(files) => files,
        Err(error) => {
            collection.errors.push(error);
            return Loaded {
                collection,
                exports,
            };
        }
    };
    for (shown, source) in files {
        let bytes = match source.read(scope) {
            Ok(bytes) => bytes,
            Err(reason) => {
                collection.extend(Collection::unread(&shown, reason));
                continue;
            }
        };
        read_export(&shown, &bytes, &mut collection, &mut exports);
    }
    Loaded {
        collection,
        exports,
    }
}

/// Where an export's bytes come from.
enum Source {
    /// A root-relative path, read confined to the root.
    InRoot(String),
    /// A file the person running assay named on the command line.
    Given(PathBuf),
}

impl Source {
    fn read(&self, scope: &Scope) -> Result<Vec<u8>, crate::confine::Refused> {
        match self {
            Source::InRoot(path) => scope.read(path),
            Source::Given(path) => read_given(path, scope.max_file_size),
        }
    }
}

/// A command-line file: any regular file, up to the size limit.
fn read_given(path: &Path, max: u64) -> Result<Vec<u8>, crate::confine::Refused> {
    use crate::confine::Refused;
    let meta = std::fs::metadata(path).map_err(|e| Refused::from_io(&e))?;
    if !meta.is_file() {
        return Err(Refused::NotRegular);
    }
    if meta.len() > max {
        return Err(Refused::TooLarge(max));
    }
    std::fs::read(path).map_err(|e| Refused::from_io(&e))
}

/// The export files of `scope`, as (the path shown, where to read it), sorted.
fn export_files(scope: &Scope) -> Result<Vec<(String, Source)>, SourceError> {
    let settings: Settings = scope.settings(EvidenceKind::Forge)?;
    let patterns: Vec<String> = settings
        .exports
        .clone()
        .unwrap_or_else(|| vec![CONVENTION.to_string()]);
    let mut builder = GlobSetBuilder::new();
    for pattern in &patterns {
        if pattern.starts_with('/') || pattern.split('/').any(|c| c == "..") {
            return Err(settings_error(
                EvidenceKind::Forge,
                format!("collectors.forge.exports: `{pattern}` leaves the scan root"),
            ));
        }
        let glob = Glob::new(pattern.trim_start_matches("./")).map_err(|e| {
            settings_error(
                EvidenceKind::Forge,
                format!(
                    "collectors.forge.exports: `{pattern}` is not a glob: {}",
                    e.kind()
                ),
            )
        })?;
        builder.add(glob);
    }
    let set = builder
        .build()
        .map_err(|e| settings_error(EvidenceKind::Forge, e.to_string()))?;
    let mut files: Vec<(String, Source)> = scope
        .files(&|path| set.is_match(path))
        .into_iter()
        .map(|p| (p.clone(), Source::InRoot(p)))
        .collect();
    if settings.exports.is_some() && files.is_empty() {
        return Err(SourceError {
            path: "assay.yaml".into(),
            position: None,
            message: format!(
                "collectors.forge.exports: {} match no file in the scan root",
                patterns.join(", ")
            ),
            hint: Some("save the API responses as JSON files inside the repository".into()),
        });
    }
    for given in &scope.forge_exports {
        files.push((shown(given), Source::Given(given.clone())));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// How a command-line export is named in outputs: as given when relative, else by its file
/// name, so that no absolute path of the machine is written.
fn shown(path: &Path) -> String {
    if path.is_relative() {
        return path.display().to_string();
    }
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    format!("--forge-export {name}")
}

/// Parses one export file into a document and its facts.
fn read_export(path: &str, bytes: &[u8], collection: &mut Collection, exports: &mut Exports) {
    let text = String::from_utf8_lossy(bytes);
    let parsed = match json::parse(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            collection.errors.push(SourceError {
                path: path.to_string(),
                position: Some(e.position),
                message: format!("not JSON: {e}"),
                hint: Some("save the API response body as the API returned it".into()),
            });
            return;
        }
    };
    let recognized = match Response::recognize(&parsed.data) {
        Ok(r) => r,
        Err(reason) => {
            collection.skipped.push(SkippedFile {
                path: path.to_string(),
                reason,
            });
            return;
        }
    };
    let normalized = recognized.normalize(path);
    let api = recognized.api();
    for (pointer, message) in normalized.problems {
        collection.errors.push(SourceError {
            path: path.to_string(),
            position: parsed
                .lines
                .position(&pointer)
                .or(Some(Position::new(1, 1))),
            message: format!("{message}; the item is left out"),
            hint: Some("save the API response body as the API returned it".into()),
        });
    }
    let mut lines = crate::lines::LineMap::new();
    for (index, at) in &normalized.items {
        if let Some(position) = parsed.lines.position(at) {
            lines.insert(format!("/{api}/{index}"), position);
        }
    }
    let data = normalized.data;
    exports.add(path, &data);
    collection.documents.push(Document {
        kind: EvidenceKind::Forge,
        format: Format::Json,
        path: Arc::from(path),
        index: 0,
        data,
        lines,
        digest: Arc::from(hex::encode(Sha256::digest(bytes))),
        suppressions: Arc::default(),
    });
}

#[cfg(test)]
mod tests;
