//! The evidence locker in an S3 bucket with Object Lock: every object of a pack is written once
//! under COMPLIANCE retention, so that no one can delete or replace it before the retention date.
//!
//! Layout under the locker's prefix:
//! - `packs/<name>/…`: the pack's files (`manifest.json`, `results.json`, evidence, site);
//! - `packs/<name>.tar.gz`: its reproducible archive;
//! - `index/<name>.json`: written last, the pack's root and the version id of each of its
//!   objects. A pack is in the locker once its index is; names sort in scan order.
//!
//! Every read names a version: an index is read as first written (found in the listing of all
//! versions), a pack's objects as the versions its index records. A newer version written over a
//! key (S3 keeps the locked one beside it) or a delete marker changes nothing that is read or
//! verified.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use super::chain::PackCheck;
use super::digest::sha256_stream;
use super::locker::{pack_stamp, trend_of, PACKS_DIR};
use super::manifest::{Manifest, MANIFEST_FILE, RESULTS_FILE};
use super::s3_client::{Client, Fetched, Retention, S3Url, COMPLIANCE};
use super::verify::{verify, VerifyOptions};
use crate::site::TrendPoint;
use assay_collectors::limits::{PACK_MANIFEST_BYTES, PACK_TOTAL_BYTES};

/// The folder of index objects under the locker's prefix.
const INDEX_DIR: &str = "index";
/// The format tag of an index object.
const INDEX_FORMAT: &str = "assay-locker-index/1";
/// The most bytes an index object may have.
const INDEX_BYTES: u64 = 16 << 20;

/// An evidence locker in S3.
pub struct S3Locker {
    client: Client,
    url: S3Url,
}

/// What the locker records of one pack: `index/<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    format: String,
    pack: String,
    root: String,
    previous_root: Option<String>,
    /// When the retention of every object of the pack ends (RFC 3339).
    retain_until: String,
    /// The version id of `packs/<name>.tar.gz`.
    archive: String,
    /// The version id of each file under `packs/<name>/`, by path in the pack.
    files: BTreeMap<String, String>,
}

impl S3Locker {
    /// Opens the locker at `url`, with credentials and endpoint from the environment.
    pub fn open(url: S3Url) -> Result<S3Locker, String> {
        Ok(S3Locker {
            client: Client::from_env(&url.bucket)?,
            url,
        })
    }

    /// `s3://bucket/prefix`.
    pub fn shown(&self) -> String {
        format!("s3://{}/{}", self.url.bucket, self.url.prefix)
    }

    /// The packs in the locker, oldest first: each one's name and the version of its index.
    fn packs(&self) -> Result<Vec<(String, String)>, String> {
        let dir = self.key(&format!("{INDEX_DIR}/"));
        let mut packs: Vec<(String, String)> = self
            .client
            .first_versions(&dir)?
            .into_iter()
            .filter_map(|(key, version)| {
                let name = key.strip_prefix(&dir)?.strip_suffix(".json")?;
                Some((name.to_string(), version))
            })
            .collect();
        packs.sort();
        Ok(packs)
    }

    /// The root digest of the latest pack, to chain the next one to.
    pub fn latest_root(&self) -> Result<Option<String>, String> {
        match self.packs()?.last() {
            Some((name, version)) => Ok(Some(self.index(name, version)?.0.root)),
            None => Ok(None),
        }
    }

    /// Every pack's name and `results.json` bytes, oldest first.
    pub fn results_history(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        self.packs()?
            .into_iter()
            .map(|(name, version)| {
                let (index, _) = self.index(&name, &version)?;
                let bytes = self.pack_file(&index, RESULTS_FILE, PACK_TOTAL_BYTES)?.body;
                Ok((name, bytes))
            })
            .collect()
    }

    /// The framework scores of every pack, oldest first.
    pub fn trend(&self) -> Result<Vec<TrendPoint>, String> {
        trend_of(&self.results_history()?)
    }

    /// A name for the pack of a scan finished at `finished_at` that no pack has yet.
    pub fn new_pack_name(&self, finished_at: &str) -> Result<String, String> {
        let stamp = pack_stamp(finished_at);
        let taken = self.packs()?;
        Ok((1..)
            .map(|n| match n {
                1 => stamp.clone(),
                n => format!("{stamp}-{n}"),
            })
            .find(|name| !taken.iter().any(|(t, _)| t == name))
            .unwrap_or(stamp))
    }

    /// Uploads the pack written at `dir` and its `archive` as the pack `name`, every object under
    /// COMPLIANCE retention for `retention_days`, its index last. Returns the retention date.
    pub fn store(
        &self,
        dir: &Path,
        archive: &Path,
        name: &str,
        retention_days: u32,
    ) -> Result<String, String> {
        let until = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(
                24 * i64::from(retention_days),
            ))
            .map_err(|e| format!("cannot compute the retention date: {e}"))?;
        let retain_until = until.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let read = |path: &Path| {
            std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
        };
        let manifest = Manifest::parse(&read(&dir.join(MANIFEST_FILE))?)
            .map_err(|e| format!("{}/{MANIFEST_FILE}: {e}", dir.display()))?;
        let mut files = BTreeMap::new();
        for rel in super::list_files(dir)? {
            let key = self.key(&format!("{PACKS_DIR}/{name}/{rel}"));
            let version = self
                .client
                .put_locked(&key, &read(&dir.join(&rel))?, &retain_until)?;
            files.insert(rel, version);
        }
        let archive_key = self.key(&format!("{PACKS_DIR}/{name}.tar.gz"));
        let archive = self
            .client
            .put_locked(&archive_key, &read(archive)?, &retain_until)?;
        let index = Index {
            format: INDEX_FORMAT.to_string(),
            pack: name.to_string(),
            root: manifest.root.clone(),
            previous_root: manifest.body.previous_root.clone(),
            retain_until: retain_until.clone(),
            archive,
            files,
        };
        let mut bytes = serde_json::to_vec_pretty(&index).expect("an index serializes");
        bytes.push(b'\n');
        let index_key = self.key(&format!("{INDEX_DIR}/{name}.json"));
        self.client.put_locked(&index_key, &bytes, &retain_until)?;
        Ok(retain_until)
    }

    /// Checks every pack of the locker on its own, oldest first (see [`super::chain::breaks`]
    /// for the links between them).
    pub fn check_packs(&self, public_key: Option<&VerifyingKey>) -> Result<Vec<PackCheck>, String> {
        Ok(self
            .packs()?
            .into_iter()
            .map(|(name, version)| PackCheck {
                outcome: self.check_pack(&name, &version, public_key),
                name,
            })
            .collect())
    }

    /// One pack: its index, archive and files are all under COMPLIANCE retention, the archive
    /// verifies (digests, root, signature), and every file kept beside it is the one the
    /// manifest lists.
    fn check_pack(
        &self,
        name: &str,
        index_version: &str,
        public_key: Option<&VerifyingKey>,
    ) -> Result<super::verify::Verified, String> {
        let (index, retention) = self.index(name, index_version)?;
        locked(&format!("{INDEX_DIR}/{name}.json"), retention.as_ref())?;

        let archive_key = format!("{PACKS_DIR}/{name}.tar.gz");
        let fetched = self
            .client
            .get_reader(&self.key(&archive_key), Some(&index.archive))?
            .ok_or_else(|| format!("`{archive_key}` version {} is missing", index.archive))?;
        locked(&archive_key, fetched.retention.as_ref())?;
        let local = tempfile::Builder::new()
            .suffix(".tar.gz")
            .tempfile()
            .map_err(|e| format!("cannot make a temporary file: {e}"))?;
        let mut body = fetched.body;
        let mut out = local.as_file();
        let copied = std::io::copy(
            &mut std::io::Read::take(&mut body, PACK_TOTAL_BYTES + 1),
            &mut out,
        )
        .and_then(|n| out.flush().map(|()| n))
        .map_err(|e| format!("`{archive_key}`: cannot download: {e}"))?;
        if copied > PACK_TOTAL_BYTES {
            return Err(format!(
                "`{archive_key}` is larger than the pack limit ({PACK_TOTAL_BYTES} bytes)"
            ));
        }
        let options = VerifyOptions {
            public_key,
            previous: None,
        };
        let verified =
            verify(local.path(), options).map_err(|e| format!("`{archive_key}`: {e}"))?;
        if verified.root != index.root || verified.previous_root != index.previous_root {
            return Err(format!(
                "`{archive_key}` has root {} and previous root {:?}, the index records {} and {:?}",
                verified.root, verified.previous_root, index.root, index.previous_root
            ));
        }

        let manifest_bytes = self
            .pack_file(&index, MANIFEST_FILE, PACK_MANIFEST_BYTES)?
            .body;
        let manifest = Manifest::parse(&manifest_bytes)
            .map_err(|e| format!("`{PACKS_DIR}/{name}/{MANIFEST_FILE}`: {e}"))?;
        if manifest.root != verified.root {
            return Err(format!(
                "`{PACKS_DIR}/{name}/{MANIFEST_FILE}` has root {}, the archive {}",
                manifest.root, verified.root
            ));
        }
        for entry in &manifest.body.files {
            let shown = format!("{PACKS_DIR}/{name}/{}", entry.path);
            let fetched = self.pack_reader(&index, &entry.path)?;
            locked(&shown, fetched.retention.as_ref())?;
            let mut body = fetched.body;
            let found = sha256_stream(&mut body, entry.size)
                .map_err(|e| format!("`{shown}`: cannot read: {e}"))?
                .filter(|f| f.size == entry.size && f.sha256 == entry.sha256);
            if found.is_none() {
                return Err(format!(
                    "`{shown}` is not the file the manifest lists (sha256 {}, {} bytes)",
                    entry.sha256, entry.size
                ));
            }
        }
        let listed = manifest.body.files.len() + 1;
        if index.files.len() != listed {
            return Err(format!(
                "`{INDEX_DIR}/{name}.json` records {} files, the manifest lists {listed}",
                index.files.len()
            ));
        }
        Ok(verified)
    }

    /// The index of the pack `name` as the given version holds it, and that version's retention.
    fn index(&self, name: &str, version: &str) -> Result<(Index, Option<Retention>), String> {
        let key = format!("{INDEX_DIR}/{name}.json");
        let fetched = self
            .client
            .get(&self.key(&key), Some(version), INDEX_BYTES)?
            .ok_or_else(|| format!("`{key}` version {version} is missing"))?;
        let index: Index = serde_json::from_slice(&fetched.body)
            .map_err(|e| format!("`{key}` is not a locker index: {e}"))?;
        if index.format != INDEX_FORMAT || index.pack != name {
            return Err(format!(
                "`{key}` is not the index of `{name}` (format `{}`, pack `{}`)",
                index.format, index.pack
            ));
        }
        Ok((index, fetched.retention))
    }

    /// The version of the pack's file `rel` its index records, read whole up to `cap` bytes.
    fn pack_file(&self, index: &Index, rel: &str, cap: u64) -> Result<Fetched<Vec<u8>>, String> {
        let (key, version) = self.pack_key(index, rel)?;
        self.client
            .get(&key, Some(version), cap)?
            .ok_or_else(|| format!("`{key}` version {version} is missing"))
    }

    /// The version of the pack's file `rel` its index records, as a stream.
    fn pack_reader(&self, index: &Index, rel: &str) -> Result<Fetched<impl std::io::Read>, String> {
        let (key, version) = self.pack_key(index, rel)?;
        self.client
            .get_reader(&key, Some(version))?
            .ok_or_else(|| format!("`{key}` version {version} is missing"))
    }

    fn pack_key<'i>(&self, index: &'i Index, rel: &str) -> Result<(String, &'i str), String> {
        let version = index.files.get(rel).ok_or_else(|| {
            format!(
                "`{INDEX_DIR}/{}.json` records no version of `{rel}`",
                index.pack
            )
        })?;
        Ok((
            self.key(&format!("{PACKS_DIR}/{}/{rel}", index.pack)),
            version,
        ))
    }

    /// The object key of `rel` under the locker's prefix.
    fn key(&self, rel: &str) -> String {
        if self.url.prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.url.prefix)
        }
    }
}

/// Refuses an object version that is not under COMPLIANCE retention.
fn locked(key: &str, retention: Option<&Retention>) -> Result<(), String> {
    match retention {
        Some(r) if r.mode == COMPLIANCE => Ok(()),
        Some(r) => Err(format!(
            "`{key}` is under {} retention, not {COMPLIANCE}",
            r.mode
        )),
        None => Err(format!(
            "`{key}` is not under Object Lock retention: it was not written by the locker"
        )),
    }
}
