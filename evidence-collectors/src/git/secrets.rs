//! Secrets added to blobs, found with the detectors of [`crate::dlp`]. Only what is needed to
//! tell one value from another is kept in memory (a sha256 of the value); the value itself
//! never leaves this module.

use std::collections::BTreeSet;

use git2::{Oid, Repository};
use sha2::{Digest, Sha256};

use crate::dlp::{Category, Detector, Scanner};

/// Blobs larger than this are not scanned (generated files, archives).
pub const MAX_BLOB_SIZE: usize = 1024 * 1024;
/// How many leading bytes are inspected for a NUL byte to tell binary blobs apart.
const BINARY_PROBE: usize = 8192;

/// One secret in one blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    pub detector: Detector,
    /// 1-based line in the blob.
    pub line: u64,
    /// sha256 of the value, to recognise the same value elsewhere.
    pub value: [u8; 32],
}

/// The secret detectors of [`crate::dlp`].
fn secret_detectors() -> Vec<Detector> {
    Detector::ALL
        .into_iter()
        .filter(|d| d.category() == Category::Secret)
        .collect()
}

/// A scanner running the secret detectors of [`crate::dlp`].
pub fn secret_scanner() -> Scanner {
    Scanner::new(&secret_detectors(), &[]).expect("the built-in patterns compile")
}

/// Raised when scans stored by earlier builds of the same version cannot be trusted, so that
/// their caches are replaced. 2: earlier builds stored some scans under the next blob's id.
const SCAN_REVISION: u32 = 2;

/// What the results of [`scan_blob`] depend on besides the blob: this version's detectors
/// (names and patterns; their validation ships with the version), scan limits and
/// [`SCAN_REVISION`].
pub fn detector_digest() -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION"));
    hasher.update(SCAN_REVISION.to_le_bytes());
    hasher.update(MAX_BLOB_SIZE.to_le_bytes());
    hasher.update(BINARY_PROBE.to_le_bytes());
    for d in secret_detectors() {
        hasher.update([0]);
        hasher.update(d.as_str());
        hasher.update([0]);
        hasher.update(d.pattern());
    }
    hasher.finalize().into()
}

/// What scanning a blob gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobScan {
    Hits(Vec<SecretHit>),
    /// Not scanned: binary or too large.
    Skipped,
}

/// Scans the blob `id`.
pub fn scan_blob(repo: &Repository, scanner: &Scanner, id: Oid) -> Result<BlobScan, git2::Error> {
    let blob = repo.find_blob(id)?;
    let content = blob.content();
    if content.len() > MAX_BLOB_SIZE || content[..content.len().min(BINARY_PROBE)].contains(&0) {
        return Ok(BlobScan::Skipped);
    }
    Ok(BlobScan::Hits(scan_text(scanner, content)))
}

/// The secrets in `content`, line by line. One pass over the whole text first tells whether
/// any line can hold one, so that clean blobs cost a single scan.
pub fn scan_text(scanner: &Scanner, content: &[u8]) -> Vec<SecretHit> {
    if scanner.scan(content).is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for (i, line) in content.split(|&b| b == b'\n').enumerate() {
        for hit in scanner.scan(line) {
            hits.push(SecretHit {
                detector: hit.detector,
                line: i as u64 + 1,
                value: Sha256::digest(&line[hit.range]).into(),
            });
        }
    }
    hits
}

/// The hits of `new` whose value was not already in `old` (a value moved within a file is not
/// newly added).
pub fn added(new: Vec<SecretHit>, old: &[SecretHit]) -> Vec<SecretHit> {
    let before: BTreeSet<([u8; 32], Detector)> =
        old.iter().map(|h| (h.value, h.detector)).collect();
    new.into_iter()
        .filter(|h| !before.contains(&(h.value, h.detector)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_and_subtracts_old_values() {
        let scanner = secret_scanner();
        let old = scan_text(&scanner, b"a = 1\naws = AKIAIOSFODNN7EXAMPLE\n");
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].line, 2);
        assert_eq!(old[0].detector, Detector::AwsAccessKeyId);
        let new = scan_text(
            &scanner,
            b"aws = AKIAIOSFODNN7EXAMPLE\nb = 2\ntoken = AKIAJ7Q3ZLMN4PXR2WTY\n",
        );
        let fresh = added(new, &old);
        assert_eq!(fresh.len(), 1);
        assert_eq!(fresh[0].line, 3);
        // Personal data is not a secret here.
        assert!(scan_text(&scanner, b"mail jane.doe@example.org").is_empty());
    }
}
