//! The evidence behind a scan's findings: the raw bytes of every source file a finding points
//! at, read again from the scan root, checked against the digest the scan recorded, and
//! redacted before anyone keeps or shows them (or, for files that must not leave, reduced to
//! their digest). A file larger than [`WHOLE_FILE_BYTES`] (a year of audit logs) is streamed
//! instead of held: its digest is computed on the way and only the lines findings cite are
//! kept, so a pack's memory does not grow with the files it vouches for.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::Path;

use assay_collectors::{confine, git, Document, EvidenceKind};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use sha2::{Digest, Sha256};

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
    /// For an excerpt: the line of the original file each line of `content` is.
    pub lines: Vec<u32>,
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
    /// The lines findings cite, redacted: how a file too large to hold is kept.
    Excerpt,
}

impl Keep {
    pub fn as_str(self) -> &'static str {
        match self {
            Keep::FullRedacted => "full-redacted",
            Keep::DigestOnly => "digest-only",
            Keep::Excerpt => "excerpt",
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
    let mut cited: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
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
                cited
                    .entry(location.path.as_str())
                    .or_default()
                    .extend(location.line);
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
    let no_lines = BTreeSet::new();
    let read: Vec<(&str, &BTreeSet<&str>, Result<Read, Reason>)> = wanted
        .par_iter()
        .map(|(path, digests)| {
            let lines = cited.get(path).unwrap_or(&no_lines);
            (*path, digests, read_file(root, path, lines))
        })
        .collect();

    let mut by_digest: BTreeMap<String, (Vec<String>, Kept)> = BTreeMap::new();
    for b in built {
        let digest = sha256_hex(&b.bytes);
        if named.contains(digest.as_str()) {
            let entry = by_digest.entry(digest).or_insert_with(|| {
                let kept = Kept {
                    bytes: b.bytes.clone(),
                    lines: None,
                };
                (Vec::new(), kept)
            });
            entry.0.push(b.path.clone());
        }
    }
    let mut unmatched: Vec<(&str, &str, Option<&str>, String)> = Vec::new();
    for (path, digests, outcome) in &read {
        match outcome {
            Ok(file) if digests.contains(file.digest.as_str()) => {
                by_digest
                    .entry(file.digest.clone())
                    .or_insert_with(|| (Vec::new(), file.kept.clone()))
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
        .map(|(digest, (paths, kept))| {
            let keep = match (policy.of(&paths), &kept.lines) {
                (Keep::DigestOnly, _) => Keep::DigestOnly,
                (_, Some(_)) => Keep::Excerpt,
                (keep, None) => keep,
            };
            let flagged: BTreeSet<u32> = paths
                .iter()
                .filter_map(|p| flagged.get(p.as_str()))
                .flatten()
                .copied()
                .collect();
            let size = kept.size();
            let (content, lines, redactions) = match keep {
                Keep::DigestOnly => (Vec::new(), Vec::new(), Vec::new()),
                _ => kept.redact(&flagged),
            };
            EvidenceFile {
                redacted_digest: sha256_hex(&content),
                size,
                digest,
                paths,
                content,
                lines,
                redactions,
                collected_at: collected_at.clone(),
                keep,
            }
        })
        .collect();
    EvidenceSet { files, mismatches }
}

/// Files up to this size are read whole; larger ones are streamed and kept as an excerpt.
pub const WHOLE_FILE_BYTES: u64 = 32 << 20;
/// The most bytes of one cited line an excerpt keeps.
const EXCERPT_LINE_BYTES: usize = 64 << 10;

/// What is kept of a file before redaction: all of it, or the cited lines.
#[derive(Clone)]
struct Kept {
    bytes: Vec<u8>,
    /// For an excerpt: the original file's size and the line number of each kept line.
    lines: Option<(u64, Vec<u32>)>,
}

impl Kept {
    /// The size of the original bytes.
    fn size(&self) -> u64 {
        match &self.lines {
            Some((size, _)) => *size,
            None => self.bytes.len() as u64,
        }
    }

    /// The redacted content, the original line of each of its lines (excerpts only) and the
    /// redactions by original line; `flagged` are original line numbers.
    fn redact(&self, flagged: &BTreeSet<u32>) -> (Vec<u8>, Vec<u32>, Vec<Redaction>) {
        let Some((_, lines)) = &self.lines else {
            let (content, redactions) = redact(&self.bytes, flagged);
            return (content, Vec::new(), redactions);
        };
        let position = |n: u32| u32::try_from(n as usize + 1).unwrap_or(u32::MAX);
        let local: BTreeSet<u32> = (0..lines.len() as u32)
            .filter(|i| flagged.contains(&lines[*i as usize]))
            .map(position)
            .collect();
        let (content, mut redactions) = redact(&self.bytes, &local);
        for r in &mut redactions {
            r.line = lines[r.line as usize - 1];
        }
        (content, lines.clone(), redactions)
    }
}

/// A file as read again from the scan root.
struct Read {
    digest: String,
    kept: Kept,
}

/// Why a file could not be read.
struct Reason(String);

/// The file at `path` below `root`, confined to it (see [`confine::open`]): whole when it is
/// small, else streamed and reduced to its `cited` lines.
fn read_file(root: &Path, path: &str, cited: &BTreeSet<u32>) -> Result<Read, Reason> {
    let (file, size) = confine::open(root, path, u64::MAX).map_err(|reason| {
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
    let unreadable = |_| Reason("the file could not be read".to_string());
    if size > WHOLE_FILE_BYTES {
        return excerpt(file, cited).map_err(unreadable);
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(WHOLE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > WHOLE_FILE_BYTES {
        // It grew since it was opened: it no longer has the scan's digest anyway.
        return Err(Reason(
            "the file changed since the scan read it".to_string(),
        ));
    }
    Ok(Read {
        digest: sha256_hex(&bytes),
        kept: Kept { bytes, lines: None },
    })
}

/// Streams `reader`, hashing every byte, and keeps the lines numbered in `cited` (each cut
/// at [`EXCERPT_LINE_BYTES`]): memory stays bounded by the cited lines, whatever the size.
fn excerpt(mut reader: impl std::io::Read, cited: &BTreeSet<u32>) -> std::io::Result<Read> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let (mut bytes, mut lines) = (Vec::new(), Vec::new());
    let (mut size, mut line, mut taken) = (0u64, 1u64, 0usize);
    let wanted = |line: u64| u32::try_from(line).is_ok_and(|n| cited.contains(&n));
    let mut keeping = wanted(line);
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = &buffer[..n];
        hasher.update(chunk);
        size += n as u64;
        if cited.is_empty() {
            continue;
        }
        let mut start = 0;
        while start < n {
            let newline = memchr::memchr(b'\n', &chunk[start..]).map(|i| start + i);
            let end = newline.map_or(n, |i| i + 1);
            if keeping {
                if taken == 0 {
                    lines.push(u32::try_from(line).unwrap_or(u32::MAX));
                }
                let text = &chunk[start..newline.unwrap_or(n)];
                let room = EXCERPT_LINE_BYTES.saturating_sub(taken);
                bytes.extend_from_slice(&text[..text.len().min(room)]);
                taken += text.len().max(1);
            }
            if newline.is_some() {
                if keeping {
                    bytes.push(b'\n');
                }
                line += 1;
                taken = 0;
                keeping = wanted(line);
            }
            start = end;
        }
    }
    Ok(Read {
        digest: hex::encode(hasher.finalize()),
        kept: Kept {
            bytes,
            lines: Some((size, lines)),
        },
    })
}
