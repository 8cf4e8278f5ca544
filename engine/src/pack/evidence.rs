//! The evidence behind a scan's findings: the raw bytes of every source file a finding points
//! at, read again from the scan root, checked against the digest the scan recorded, and
//! redacted before anyone keeps or shows them (or, for files that must not leave, reduced to
//! their digest).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use assay_collectors::{confine, git, Document, EvidenceKind};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::digest::sha256_hex;
use super::redact::{redact, Redaction};
use crate::model::FindingStatus;
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
    /// Whether the redacted content is kept or only the digest.
    pub keep: Keep,
}

/// How an evidence file is kept (`evidence.keep` in assay.yaml).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Keep {
    /// The content, with every detected secret and personal-data value redacted.
    #[default]
    FullRedacted,
    /// Only the digest and size of the original bytes; the content never leaves the machine.
    DigestOnly,
}

impl Keep {
    pub fn as_str(self) -> &'static str {
        match self {
            Keep::FullRedacted => "full-redacted",
            Keep::DigestOnly => "digest-only",
        }
    }

    pub fn is_default(&self) -> bool {
        *self == Keep::FullRedacted
    }
}

/// Which evidence files are kept how: `keep` for every file but those matching a
/// `digest_only` glob (paths relative to the scan root).
#[derive(Debug, Clone, Default)]
pub struct KeepPolicy {
    pub keep: Keep,
    digest_only: Option<GlobSet>,
}

impl KeepPolicy {
    /// The policy of `keep` with the `digest_only` globs; a bad glob is named in the error.
    pub fn new(keep: Keep, digest_only: &[String]) -> Result<KeepPolicy, String> {
        if digest_only.is_empty() {
            return Ok(KeepPolicy {
                keep,
                digest_only: None,
            });
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in digest_only {
            let glob = Glob::new(pattern)
                .map_err(|e| format!("evidence.digest_only: `{pattern}` is not a glob: {e}"))?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|e| format!("evidence.digest_only: {e}"))?;
        Ok(KeepPolicy {
            keep,
            digest_only: Some(set),
        })
    }

    /// How a file known under `paths` is kept: digest only when any of them says so.
    pub fn of(&self, paths: &[String]) -> Keep {
        let listed = self
            .digest_only
            .as_ref()
            .is_some_and(|set| paths.iter().any(|p| set.is_match(p)));
        if listed {
            Keep::DigestOnly
        } else {
            self.keep
        }
    }
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

/// Evidence a collector built rather than read from a file: the git history a scan judged.
/// No file of the scan root holds these bytes, so the scan hands them to the pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The document's path (a repository's `.git`, relative to the scan root).
    pub path: String,
    /// The bytes kept; their sha256 is the document's digest, which findings name.
    pub bytes: Vec<u8>,
}

impl Built {
    /// The built evidence of a scan's documents: each git history as its evidence file.
    pub fn of(documents: &[Document]) -> Vec<Built> {
        documents
            .iter()
            .filter(|d| d.kind == EvidenceKind::Git)
            .map(|d| Built {
                path: d.path.to_string(),
                bytes: git::history_bytes(&d.data),
            })
            .collect()
    }
}

/// Whether a control's failing findings point at secrets, so that the value on each line
/// they point at is redacted even when no detector matches it: the `secrets` family and every
/// control whose id names secrets or sensitive data.
fn flags_secrets(control: &crate::report::ControlReport) -> bool {
    control.family == "secrets" || control.id.contains("secret") || control.id.contains("sensitive")
}

/// Reads, checks and redacts the evidence of `results` from the scan `root`, with the `built`
/// evidence findings name by digest, keeping each file as `policy` says.
pub fn gather(results: &Results, root: &Path, policy: &KeepPolicy, built: &[Built]) -> EvidenceSet {
    let mut wanted: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut flagged: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
    let mut named: BTreeSet<&str> = BTreeSet::new();
    for control in &results.controls {
        let secret = flags_secrets(control);
        for finding in &control.findings {
            named.extend(finding.evidence.iter().map(String::as_str));
            if let Some(location) = &finding.location {
                wanted
                    .entry(location.path.as_str())
                    .or_default()
                    .extend(finding.evidence.iter().map(String::as_str));
                if let (true, Some(line), FindingStatus::Fail | FindingStatus::Waived) =
                    (secret, location.line, finding.status)
                {
                    flagged
                        .entry(location.path.as_str())
                        .or_default()
                        .insert(line);
                }
            }
        }
    }
    let read: Vec<(&str, &BTreeSet<&str>, Result<Read, Reason>)> = wanted
        .par_iter()
        .map(|(path, digests)| (*path, digests, read_file(root, path)))
        .collect();

    let mut by_digest: BTreeMap<String, (Vec<String>, Vec<u8>)> = BTreeMap::new();
    for b in built {
        let digest = sha256_hex(&b.bytes);
        if named.contains(digest.as_str()) {
            let entry = by_digest
                .entry(digest)
                .or_insert_with(|| (Vec::new(), b.bytes.clone()));
            entry.0.push(b.path.clone());
        }
    }
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
            let keep = policy.of(&paths);
            let lines: BTreeSet<u32> = paths
                .iter()
                .filter_map(|p| flagged.get(p.as_str()))
                .flatten()
                .copied()
                .collect();
            let (content, redactions) = match keep {
                Keep::FullRedacted => redact(&bytes, &lines),
                Keep::DigestOnly => (Vec::new(), Vec::new()),
            };
            EvidenceFile {
                redacted_digest: sha256_hex(&content),
                size: bytes.len() as u64,
                digest,
                paths,
                content,
                redactions,
                collected_at: collected_at.clone(),
                keep,
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
    let bytes = confine::read(root, path, u64::MAX).map_err(|reason| {
        // Said in words an auditor can act on, not as the operating system's error text.
        Reason(match reason {
            confine::Refused::PathOutside | confine::Refused::LinkOutside => {
                format!("{reason}; not read")
            }
            confine::Refused::Missing => "the file is not in the scanned directory".to_string(),
            confine::Refused::Unreadable(_) => "the file could not be read".to_string(),
            reason => format!("the file could not be read: {reason}"),
        })
    })?;
    Ok(Read {
        digest: sha256_hex(&bytes),
        bytes,
    })
}
