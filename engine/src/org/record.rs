//! What `assay org scan` writes for each repository, in its own folder of the output:
//! `repository.json` (this record), and when the scan ran, `results.json` and the site in
//! `site/`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::site::paths::slug;

/// The record's file name in a repository's folder.
pub const RECORD: &str = "repository.json";
/// The results document's file name in a repository's folder.
pub const RESULTS: &str = "results.json";
/// The folder of the repository's own site in its folder.
pub const SITE: &str = "site";

/// One repository of the manifest as scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoRecord {
    pub name: String,
    /// The path as the manifest writes it.
    pub path: String,
    /// The organisation's name, from the manifest.
    pub organization: Option<String>,
    /// The owning team's id and shown name.
    pub team: Option<String>,
    pub team_name: Option<String>,
    /// The repository's owners, then its team's.
    pub owners: Vec<String>,
    /// The frameworks the manifest chose, as shown (empty: those of the repository's
    /// assay.yaml).
    pub frameworks: Vec<String>,
    /// Why the repository has no results: the scan could not start or run.
    pub error: Option<String>,
}

/// The folder of the repository `name` below an org scan's output `dir`.
pub fn folder(dir: &Path, name: &str) -> PathBuf {
    dir.join(slug(name))
}
