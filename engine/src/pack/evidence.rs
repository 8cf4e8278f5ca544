//! The evidence behind a scan's findings: the raw bytes of every source file a finding points
//! at, read again from the scan root, checked against the digest the scan recorded, and
//! redacted before anyone keeps or shows them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assay_collectors::confine;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::digest::sha256_hex;
use super::redact::{redact, Redaction};
use crate::report::Results;

/// One kept evidence file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFile {
    /// sha256 of the original bytes, as recorded by the scan; the file's name in a pack.
    pub digest: String,
    /// The paths (relative to the scan root) whose content had this digest, sorted.
    pub paths: Vec<String>,
    /// The redacted bytes: what a pack keeps and the site shows.
    pub content: Vec<u8>,
    /// sha256 of `content`.
    pub redacted_digest: String,
    /// Size of the original bytes.
    pub size: u64,
    pub redactions: Vec<Redaction>,
    /// When the scan that read the file started.
    pub collected_at: String,
}

/// A file a finding points at that could not be kept as evidence.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EvidenceMismatch {
    pub path: String,
    /// The digest the scan recorded.
    pub expected: String,
    /// The digest of the file as read now, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    pub reason: String,
}

/// Every evidence file of a scan, sorted by digest, and what could not be kept.
#[derive(Debug, Clone, Default)]
pub struct EvidenceSet {
    pub files: Vec<EvidenceFile>,
    pub mismatches: Vec<EvidenceMismatch>,
}

impl EvidenceSet {
    /// The file with `digest`, if it was kept.
    pub fn get(&self, digest: &str) -> Option<&EvidenceFile> {
        self.files
            .binary_search_by(|f| f.digest.as_str().cmp(digest))
            .ok()
            .map(|i| &self.files[i])
    }
}

/// Reads, checks and redacts the evidence of `results` from the scan `root`.
pub fn gather(results: &Results, root: &Path) -> EvidenceSet {
    let mut wanted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for control in &results.controls {
        for finding in &control.findings {
            if let Some(location) = &finding.location {
                wanted
                    .entry(location.path.as_str())
                    .or_default()
                    .extend(finding.evidence.iter().map(String::as_str));
            }
        }
    }
    let read: Vec<(&str, &BTreeSet<&str>, Result<Read, Reason>)> = wanted
        .par_iter()
        .map(|(path, digests)| (*path, digests, read_file(root, path)))
        .collect();

    let mut by_digest: BTreeMap<String, (Vec<String>, Vec<u8>)> = BTreeMap::new();
    let mut unmatched: Vec<(&str, &str, Option<&str>, String)> = Vec::new();
    for (path, digests, outcome) in &read {
        match outcome {
            Ok(file) if digests.contains(file.digest.as_str()) => {
                by_digest
                    .entry(file.digest.clone())
                    .or_insert_with(|| (Vec::new(), file.bytes.clone()))
                    .0
                    .push(path.to_string());
                for other in digests.iter().filter(|d| **d != file.digest) {
                    let reason = "no file at this path has this digest".to_string();
                    unmatched.push((path, other, None, reason));
                }
            }
            Ok(file) => {
                for expected in digests.iter() {
                    let reason = "the file changed since the scan read it".to_string();
                    unmatched.push((path, expected, Some(&file.digest), reason));
                }
            }
            Err(reason) => {
                for expected in digests.iter() {
                    unmatched.push((path, expected, None, reason.0.clone()));
                }
            }
        }
    }
    let mut mismatches: Vec<EvidenceMismatch> = unmatched
        .into_iter()
        .filter(|(_, expected, _, _)| !by_digest.contains_key(*expected))
        .map(|(path, expected, actual, reason)| EvidenceMismatch {
            path: path.to_string(),
            expected: expected.to_string(),
            actual: actual.map(str::to_string),
            reason,
        })
        .collect();
    mismatches.sort();
    let collected_at = &results.scan.started_at;
    let files = by_digest
        .into_par_iter()
        .map(|(digest, (paths, bytes))| {
            let (content, redactions) = redact(&bytes);
            EvidenceFile {
                redacted_digest: sha256_hex(&content),
                size: bytes.len() as u64,
                digest,
                paths,
                content,
                redactions,
                collected_at: collected_at.clone(),
            }
        })
        .collect();
    EvidenceSet { files, mismatches }
}

/// A file as read again from the scan root.
struct Read {
    digest: String,
    bytes: Vec<u8>,
}

/// Why a file could not be read.
struct Reason(String);

/// The file at `path` below `root`, confined to it (see [`confine::read`]).
fn read_file(root: &Path, path: &str) -> Result<Read, Reason> {
    let bytes = confine::read(root, path, u64::MAX).map_err(|reason| match reason {
        confine::Refused::PathOutside | confine::Refused::LinkOutside => {
            Reason(format!("{reason}; not read"))
        }
        reason => Reason(format!("cannot read the file: {reason}")),
    })?;
    Ok(Read {
        digest: sha256_hex(&bytes),
        bytes,
    })
}
