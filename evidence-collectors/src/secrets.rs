//! The secrets collector: every text file of the tree (honouring `.gitignore`, `include` and
//! `exclude` like the config walk) scanned with the secret detectors of [`crate::dlp`], one
//! [`Document`] of kind `secrets` per file. A file's document lists the secrets found in it,
//! each with its detector and line; the value itself is never kept. Binary files are passed
//! over; files over the size limit are noted as skipped.

use std::sync::Arc;

use rayon::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::collector::{Collection, Collector, Scope, SourceError};
use crate::config::CACHE_DIR;
use crate::dlp::Scanner;
use crate::document::{Document, EvidenceKind, Format};
use crate::git::secrets::{scan_text, secret_scanner};
use crate::lines::{LineMap, Position};

/// Collects the secrets written in the files of the tree.
pub struct SecretsCollector;

/// How many leading bytes are inspected for a NUL byte to tell binary files apart.
const BINARY_PROBE: usize = 8192;

impl Collector for SecretsCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Secrets
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        scope.root_dir()?;
        let paths = scope.files(&|p| scope.admits(p) && !p.split('/').any(|c| c == CACHE_DIR));
        let scanner = secret_scanner();
        let found: Vec<Collection> = paths
            .par_iter()
            .map(|relative| match scope.read(relative) {
                Ok(bytes) => Collection {
                    documents: document(&scanner, relative, &bytes).into_iter().collect(),
                    ..Collection::default()
                },
                Err(reason) => Collection::unread(relative, reason),
            })
            .collect();
        let mut collection = Collection::default();
        for c in found {
            collection.extend(c);
        }
        collection.sort();
        Ok(collection)
    }
}

/// The document of the file at `path` holding `bytes`: `{"secrets": [{detector, line,
/// label}]}`, each entry located at its line. `None` for binary content.
fn document(scanner: &Scanner, path: &str, bytes: &[u8]) -> Option<Document> {
    if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
        return None;
    }
    let mut lines = LineMap::new();
    let secrets: Vec<serde_json::Value> = scan_text(scanner, bytes)
        .into_iter()
        .enumerate()
        .map(|(i, hit)| {
            let line = u32::try_from(hit.line).unwrap_or(u32::MAX);
            lines.insert(format!("/secrets/{i}"), Position::new(line, 1));
            json!({
                "detector": hit.detector.as_str(),
                "line": line,
                "label": format!("{} in {path}:{line}", hit.detector.as_str()),
            })
        })
        .collect();
    Some(Document {
        kind: EvidenceKind::Secrets,
        format: Format::Text,
        path: path.into(),
        index: 0,
        data: json!({ "secrets": secrets }),
        lines,
        digest: hex::encode(Sha256::digest(bytes)).into(),
        suppressions: Arc::from([]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(files: &[(&str, &[u8])]) -> Collection {
        let dir = tempfile::tempdir().unwrap();
        for (path, bytes) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, bytes).unwrap();
        }
        let mut scope = Scope::new(dir.path());
        scope.max_file_size = 1024;
        SecretsCollector.collect(&scope).unwrap()
    }

    #[test]
    fn one_entry_per_value_at_its_line_without_the_value() {
        let c = collect(&[
            (
                "src/app.py",
                b"x = 1\nkey = 'AKIAJ7Q3ZLMN4PXR2WTY'\n\nk2 = 'AKIAIOSFODNN7EXAMPLE'\n",
            ),
            ("README.md", b"nothing to see\n"),
            ("logo.png", b"\x89PNG\0\0AKIAJ7Q3ZLMN4PXR2WTY"),
            ("big.txt", &[b'a'; 2048]),
        ]);
        let paths: Vec<&str> = c.documents.iter().map(|d| &*d.path).collect();
        assert_eq!(paths, ["README.md", "src/app.py"]);
        let app = &c.documents[1];
        let secrets = app.data["secrets"].as_array().unwrap();
        assert_eq!(secrets.len(), 2);
        assert_eq!(secrets[0]["detector"], "aws_access_key_id");
        assert_eq!(app.line("/secrets/0/label"), 2);
        assert_eq!(app.line("/secrets/1/label"), 4);
        assert!(!app.data.to_string().contains("AKIA"));
        assert_eq!(c.documents[0].data["secrets"], json!([]));
        assert_eq!(c.skipped.len(), 1);
        assert_eq!(c.skipped[0].path, "big.txt");
    }

    #[test]
    fn gitignored_files_are_not_read() {
        let c = collect(&[
            (".gitignore", b"local.env\n"),
            ("local.env", b"AWS=AKIAJ7Q3ZLMN4PXR2WTY\n"),
        ]);
        assert!(c.documents.iter().all(|d| &*d.path != "local.env"));
    }
}
