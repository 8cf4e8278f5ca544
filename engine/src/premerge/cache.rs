//! The on-disk cache of evaluations, under `assay-cache/` in the git directory (where no
//! commit can put a file, so a pull request cannot plant a forged evaluation): one JSON file
//! per key. Base evaluations are keyed by base commit, catalog digest, tool version and scan
//! settings; evaluations of the working tree's other evidence by the same and the state of
//! the working tree (see [`CacheKey::working_tree`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::snapshot::Snapshot;

/// How many cached evaluations are kept; older ones are removed when a new one is stored.
const KEEP: usize = 8;
/// Bumped when the stored format changes.
const FORMAT: &str = "assay-check-cache/3";

/// What a cached evaluation depends on.
pub struct CacheKey {
    digest: String,
    /// What the file names of this kind of entry start with (each kind is pruned alone).
    prefix: &'static str,
}

impl CacheKey {
    /// The key of the base `commit` evaluated with the catalog `catalog_digest` and the scan
    /// settings summed up by `settings`.
    pub fn new(commit: &str, catalog_digest: &str, settings: &str) -> CacheKey {
        CacheKey::of("base-", &[commit, catalog_digest, settings])
    }

    /// The key of an evaluation of the working tree: `state` names the base commit and the
    /// content digest of every path that differs from it, so that the key changes with any
    /// file of the tree.
    pub fn working_tree(state: &str, catalog_digest: &str, settings: &str) -> CacheKey {
        CacheKey::of("tree-", &[state, catalog_digest, settings])
    }

    fn of(prefix: &'static str, parts: &[&str]) -> CacheKey {
        let mut hasher = Sha256::new();
        for part in [FORMAT, env!("CARGO_PKG_VERSION"), prefix]
            .iter()
            .chain(parts)
        {
            hasher.update(part.as_bytes());
            hasher.update(b"\n");
        }
        CacheKey {
            digest: hex::encode(hasher.finalize()),
            prefix,
        }
    }

    fn file(&self, dir: &Path) -> PathBuf {
        dir.join(format!("{}{}.json", self.prefix, &self.digest[..32]))
    }
}

#[derive(Deserialize)]
struct Stored {
    key: String,
    snapshot: Snapshot,
}

#[derive(Serialize)]
struct StoredRef<'a> {
    key: &'a str,
    snapshot: &'a Snapshot,
}

/// The cached evaluation for `key`, if there is one that reads back.
pub fn load(dir: &Path, key: &CacheKey) -> Option<Snapshot> {
    let bytes =
        assay_collectors::confine::read_named(&key.file(dir), crate::report::MAX_RESULTS_FILE)
            .ok()?;
    let stored: Stored = serde_json::from_slice(&bytes).ok()?;
    (stored.key == key.digest).then_some(stored.snapshot)
}

/// Stores the evaluation for `key`, replacing the file atomically, and prunes old entries.
pub fn store(dir: &Path, key: &CacheKey, snapshot: &Snapshot) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write the cache in `{}`: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(fail)?;
    let stored = StoredRef {
        key: &key.digest,
        snapshot,
    };
    let text = serde_json::to_vec(&stored).map_err(|e| e.to_string())?;
    let target = key.file(dir);
    let partial = target.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&partial, text).map_err(fail)?;
    std::fs::rename(&partial, &target).map_err(fail)?;
    prune(dir, key.prefix);
    Ok(())
}

/// Removes all but the [`KEEP`] most recently written evaluations of one kind.
fn prune(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".json")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort_by(|a, b| b.cmp(a));
    for (_, path) in files.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(path);
    }
}
