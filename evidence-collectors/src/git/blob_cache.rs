//! Secret-scan results of blobs kept across runs: a blob's content never changes under its id,
//! so a blob scanned once with the same detector set is not read again. One file,
//! `secret-blobs.bin`, in a directory the caller names (the collector uses `assay-cache/` in
//! the git directory, beside the pre-merge cache, where no commit can put a file). It holds
//! what [`super::secrets`] keeps of a hit (detector, line, sha256 of the value), never a value.
//!
//! The file is bounded ([`MAX_ENTRIES`] blobs; the blobs of the latest run are kept first), is
//! checked by a trailing sha256, and is ignored with a note when it does not read back; a file
//! written for another detector set (or another version) is ignored silently and replaced.
//!
//! Layout, integers little-endian: the magic line, the 32-byte key, the entry count (u32),
//! then per blob its 20-byte id, a kind byte (0 scanned, 1 skipped) and, when scanned, the
//! hit count (u16) and per hit the detector name (u8 length, bytes), the line (u64) and the
//! value digest (32 bytes); last, the sha256 of everything before it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::Oid;
use sha2::{Digest, Sha256};

use super::secrets::{BlobScan, SecretHit};
use crate::dlp::Detector;

/// The cache file's name in its directory.
pub const FILE: &str = "secret-blobs.bin";
/// Blobs kept at most (about 23 bytes each when clean).
pub const MAX_ENTRIES: usize = 2_000_000;
/// The largest file read: room for [`MAX_ENTRIES`] clean blobs and some hits.
const MAX_FILE: u64 = 64 * 1024 * 1024;
const MAGIC: &[u8] = b"assay-secret-blobs/1\n";
const DIGEST: usize = 32;

/// The scans of earlier runs and of this one.
pub struct BlobCache {
    file: PathBuf,
    key: [u8; 32],
    /// Blobs kept when written ([`MAX_ENTRIES`]).
    limit: usize,
    /// Scans read from the file.
    stored: HashMap<Oid, BlobScan>,
    /// Scans looked up or made by this run, kept first when the file is written.
    used: HashMap<Oid, BlobScan>,
}

impl BlobCache {
    /// An empty cache that [`BlobCache::store`] writes to `dir`.
    pub fn new(dir: &Path, key: [u8; 32]) -> BlobCache {
        BlobCache {
            file: dir.join(FILE),
            key,
            limit: MAX_ENTRIES,
            stored: HashMap::new(),
            used: HashMap::new(),
        }
    }

    /// The cache in `dir` for the detector set `key`, and a note when the file is there but
    /// does not read back (it is then ignored, and replaced by [`BlobCache::store`]).
    pub fn load(dir: &Path, key: [u8; 32]) -> (BlobCache, Option<String>) {
        let mut cache = BlobCache::new(dir, key);
        let bytes = match crate::confine::read_named(&cache.file, MAX_FILE) {
            Ok(bytes) => bytes,
            Err(crate::confine::Refused::Missing) => return (cache, None),
            Err(reason) => return (cache, Some(corrupt_note(&reason.to_string()))),
        };
        match decode(&bytes, &key) {
            Ok(Some(stored)) => cache.stored = stored,
            Ok(None) => {}
            Err(reason) => return (cache, Some(corrupt_note(reason))),
        }
        (cache, None)
    }

    /// The stored scan of `id`, if any; a hit counts the blob as used by this run.
    pub fn get(&mut self, id: Oid) -> Option<BlobScan> {
        let scan = self.used.get(&id).or_else(|| self.stored.get(&id))?.clone();
        self.used.insert(id, scan.clone());
        Some(scan)
    }

    /// Records the scan of `id` made by this run.
    pub fn insert(&mut self, id: Oid, scan: BlobScan) {
        self.used.insert(id, scan);
    }

    /// Writes the cache (replacing the file atomically): this run's blobs first, then the
    /// earlier ones, up to its limit ([`MAX_ENTRIES`]).
    pub fn store(mut self) -> Result<(), String> {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        let fail = |e: std::io::Error| {
            format!(
                "the secret-scan cache cannot be written: {}",
                crate::confine::os_reason(&e)
            )
        };
        std::fs::create_dir_all(dir).map_err(fail)?;
        let mut ids: Vec<Oid> = self.used.keys().copied().collect();
        ids.sort_unstable();
        ids.truncate(self.limit);
        let mut older: Vec<Oid> = self
            .stored
            .keys()
            .filter(|id| !self.used.contains_key(*id))
            .copied()
            .collect();
        older.sort_unstable();
        older.truncate(self.limit - ids.len());
        for id in older {
            if let Some(scan) = self.stored.remove(&id) {
                self.used.insert(id, scan);
            }
            ids.push(id);
        }
        ids.sort_unstable();
        let bytes = encode(&self.key, ids.iter().map(|id| (*id, &self.used[id])));
        let partial = self
            .file
            .with_extension(format!("bin.{}.tmp", std::process::id()));
        std::fs::write(&partial, bytes).map_err(fail)?;
        std::fs::rename(&partial, &self.file).map_err(fail)
    }
}

fn corrupt_note(reason: &str) -> String {
    format!("the secret-scan cache `{FILE}` is unreadable ({reason}) and was ignored: every blob was scanned again")
}

fn encode<'a>(
    key: &[u8; 32],
    entries: impl ExactSizeIterator<Item = (Oid, &'a BlobScan)>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAGIC.len() + 36 + entries.len() * 24 + DIGEST);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(key);
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (id, scan) in entries {
        out.extend_from_slice(id.as_bytes());
        match scan {
            BlobScan::Skipped => out.push(1),
            BlobScan::Hits(hits) => {
                out.push(0);
                let hits = &hits[..hits.len().min(usize::from(u16::MAX))];
                out.extend_from_slice(&(hits.len() as u16).to_le_bytes());
                for hit in hits {
                    let name = hit.detector.as_str().as_bytes();
                    out.push(name.len() as u8);
                    out.extend_from_slice(name);
                    out.extend_from_slice(&hit.line.to_le_bytes());
                    out.extend_from_slice(&hit.value);
                }
            }
        }
    }
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

/// The entries of a cache file written for `key`; `None` when written for another key.
fn decode(bytes: &[u8], key: &[u8; 32]) -> Result<Option<HashMap<Oid, BlobScan>>, &'static str> {
    let body_len = bytes
        .len()
        .checked_sub(DIGEST)
        .ok_or("the file is truncated")?;
    let (body, digest) = bytes.split_at(body_len);
    if Sha256::digest(body).as_slice() != digest {
        return Err("its checksum does not match");
    }
    let mut r = Reader(body);
    if r.take(MAGIC.len())? != MAGIC {
        return Err("not a secret-scan cache of this format");
    }
    if r.take(32)? != key {
        return Ok(None);
    }
    let count = u32::from_le_bytes(r.array()?) as usize;
    if count > MAX_ENTRIES {
        return Err("it lists more blobs than a cache keeps");
    }
    let mut entries = HashMap::with_capacity(count);
    for _ in 0..count {
        let id = Oid::from_bytes(r.take(20)?).map_err(|_| "a blob id does not read")?;
        let scan = match r.take(1)?[0] {
            1 => BlobScan::Skipped,
            0 => {
                let n = u16::from_le_bytes(r.array()?);
                let mut hits = Vec::with_capacity(usize::from(n));
                for _ in 0..n {
                    let len = usize::from(r.take(1)?[0]);
                    let name = std::str::from_utf8(r.take(len)?).unwrap_or_default();
                    let detector = Detector::from_name(name).ok_or("an unknown detector")?;
                    let line = u64::from_le_bytes(r.array()?);
                    let value = r.array()?;
                    hits.push(SecretHit {
                        detector,
                        line,
                        value,
                    });
                }
                BlobScan::Hits(hits)
            }
            _ => return Err("an unknown entry kind"),
        };
        entries.insert(id, scan);
    }
    if !r.0.is_empty() {
        return Err("bytes after the last entry");
    }
    Ok(Some(entries))
}

/// Reads a byte slice from the front.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], &'static str> {
        if self.0.len() < n {
            return Err("the file is truncated");
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], &'static str> {
        Ok(self.take(N)?.try_into().expect("N bytes taken"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    fn hit(line: u64) -> SecretHit {
        SecretHit {
            detector: Detector::AwsAccessKeyId,
            line,
            value: [7; 32],
        }
    }

    #[test]
    fn scans_read_back_for_the_same_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = BlobCache::new(dir.path(), [1; 32]);
        cache.insert(id(1), BlobScan::Hits(vec![hit(3), hit(9)]));
        cache.insert(id(2), BlobScan::Hits(Vec::new()));
        cache.insert(id(3), BlobScan::Skipped);
        cache.store().unwrap();

        let (mut again, note) = BlobCache::load(dir.path(), [1; 32]);
        assert_eq!(note, None);
        assert_eq!(again.get(id(1)), Some(BlobScan::Hits(vec![hit(3), hit(9)])));
        assert_eq!(again.get(id(2)), Some(BlobScan::Hits(Vec::new())));
        assert_eq!(again.get(id(3)), Some(BlobScan::Skipped));
        assert_eq!(again.get(id(4)), None);

        // Another detector set: nothing is reused, and nothing is wrong.
        let (mut other, note) = BlobCache::load(dir.path(), [2; 32]);
        assert_eq!(note, None);
        assert_eq!(other.get(id(1)), None);
    }

    #[test]
    fn a_damaged_file_is_ignored_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = BlobCache::new(dir.path(), [1; 32]);
        cache.insert(id(1), BlobScan::Skipped);
        cache.store().unwrap();
        let file = dir.path().join(FILE);
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() - 1]).unwrap();
        let (mut damaged, note) = BlobCache::load(dir.path(), [1; 32]);
        assert!(note.unwrap().contains("checksum does not match"));
        assert_eq!(damaged.get(id(1)), None);
        std::fs::write(&file, b"short").unwrap();
        let (_, note) = BlobCache::load(dir.path(), [1; 32]);
        assert!(note.unwrap().contains("truncated"));
        // A well-formed checksum over a bad body is still refused.
        let mut forged = MAGIC.to_vec();
        forged.extend_from_slice(&[1; 32]);
        forged.extend_from_slice(&1u32.to_le_bytes());
        forged.extend_from_slice(&[5; 20]);
        forged.push(9);
        let digest = Sha256::digest(&forged);
        forged.extend_from_slice(&digest);
        std::fs::write(&file, &forged).unwrap();
        let (_, note) = BlobCache::load(dir.path(), [1; 32]);
        assert!(note.unwrap().contains("unknown entry kind"));
    }

    #[test]
    fn the_latest_run_is_kept_within_the_bound() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = BlobCache::new(dir.path(), [1; 32]);
        for n in 1..=4 {
            cache.insert(id(n), BlobScan::Skipped);
        }
        cache.store().unwrap();
        let (mut next, _) = BlobCache::load(dir.path(), [1; 32]);
        next.limit = 3;
        next.insert(id(9), BlobScan::Skipped);
        assert!(next.get(id(4)).is_some());
        next.store().unwrap();
        let (mut last, _) = BlobCache::load(dir.path(), [1; 32]);
        assert_eq!(last.stored.len(), 3);
        // This run's blobs, then the earlier ones in id order.
        for n in [9, 4, 1] {
            assert!(last.get(id(n)).is_some(), "{n}");
        }
    }
}
