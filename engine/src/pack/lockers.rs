//! The locker `--locker` names: a local git repository (a directory) or an S3 bucket with
//! Object Lock (`s3://bucket/prefix`).

use std::path::Path;

use ed25519_dalek::VerifyingKey;

use super::chain::PackCheck;
use super::locker::{Locker, PACKS_DIR};
use super::s3_client::S3Url;
use super::s3_locker::S3Locker;
use super::verify::{verify, VerifyOptions};
use crate::site::TrendPoint;

/// An opened evidence locker.
pub enum AnyLocker {
    Git(Locker),
    S3(Box<S3Locker>),
}

impl AnyLocker {
    /// Opens the locker `arg` names; a git locker is made when the directory is absent or empty.
    pub fn open(arg: &Path) -> Result<AnyLocker, String> {
        match arg.to_str().and_then(S3Url::parse) {
            Some(url) => Ok(AnyLocker::S3(Box::new(S3Locker::open(url?)?))),
            None => Ok(AnyLocker::Git(Locker::open(arg)?)),
        }
    }

    /// Opens a locker that must exist already.
    pub fn open_existing(arg: &Path) -> Result<AnyLocker, String> {
        let is_s3 = arg.to_str().is_some_and(|a| a.starts_with("s3://"));
        if !is_s3 && !arg.is_dir() {
            return Err(format!(
                "evidence locker `{}` does not exist\n  hint: a locker is made by `assay scan --locker DIR`",
                arg.display()
            ));
        }
        AnyLocker::open(arg)
    }

    /// The root digest of the latest pack, to chain the next one to.
    pub fn latest_root(&self) -> Result<Option<String>, String> {
        match self {
            AnyLocker::Git(l) => l.latest_root(),
            AnyLocker::S3(l) => l.latest_root(),
        }
    }

    /// Every pack's name and `results.json`, oldest first.
    pub fn results_history(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        match self {
            AnyLocker::Git(l) => l.results_history(),
            AnyLocker::S3(l) => l.results_history(),
        }
    }

    /// The framework scores of every pack, oldest first.
    pub fn trend(&self) -> Result<Vec<TrendPoint>, String> {
        match self {
            AnyLocker::Git(l) => l.trend(),
            AnyLocker::S3(l) => l.trend(),
        }
    }

    /// Every pack checked on its own, oldest first; [`super::chain::breaks`] links them. A git
    /// locker's packs are verified as its work tree holds them.
    pub fn check_packs(&self, public_key: Option<&VerifyingKey>) -> Result<Vec<PackCheck>, String> {
        let options = VerifyOptions {
            public_key,
            previous: None,
        };
        match self {
            AnyLocker::S3(l) => l.check_packs(public_key),
            AnyLocker::Git(l) => Ok(l
                .packs()?
                .into_iter()
                .map(|pack| PackCheck {
                    outcome: verify(&l.pack_dir(&pack), options).map_err(|e| e.to_string()),
                    name: pack
                        .path
                        .strip_prefix(&format!("{PACKS_DIR}/"))
                        .unwrap_or(&pack.path)
                        .to_string(),
                })
                .collect()),
        }
    }
}
