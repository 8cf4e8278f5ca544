//! `manifest.json`: every file of a pack with its sha256 and size, the kept evidence and its
//! redactions, the previous pack's root, and the root digest over all of it.
//!
//! The root is the sha256 of the manifest's body (every field but `root` and `signature`)
//! serialized as pretty JSON. The file itself must be exactly the canonical serialization of
//! what it holds, so that no byte of it can change unnoticed.

use serde::{Deserialize, Serialize};

use super::digest::sha256_hex;
use super::evidence::{EvidenceMismatch, Keep};
use super::redact::Redaction;

/// The manifest's format tag; bumped on any incompatible change.
pub const FORMAT: &str = "assay-pack/1";
/// The manifest's file name at the top of a pack.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Where a pack keeps the results document.
pub const RESULTS_FILE: &str = "results.json";
/// The folder of a pack holding evidence files, each named by the digest of its original bytes.
pub const EVIDENCE_DIR: &str = "evidence";
/// The folder of a pack holding the HTML evidence site.
pub const SITE_DIR: &str = "site";

/// Everything the root digest covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestBody {
    pub format: String,
    pub tool: ToolInfo,
    pub catalog_digest: String,
    pub scan: ScanTimes,
    /// The root digest of the pack before this one, linking scheduled scans into a chain.
    pub previous_root: Option<String>,
    /// For the pack of a merged fan-out (`assay merge`): the root digest of each shard's pack,
    /// in shard order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
    /// Every file of the pack but `manifest.json`, sorted by path.
    pub files: Vec<FileEntry>,
    /// One entry per (source path, evidence digest), sorted.
    pub evidence: Vec<EvidenceEntry>,
    /// Files findings point at that could not be kept.
    pub evidence_mismatches: Vec<EvidenceMismatch>,
}

/// The tool that wrote the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// When the scan ran and on what commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanTimes {
    pub started_at: String,
    pub finished_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The repository, branch and work-tree state the evidence was taken from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<crate::vcs::Provenance>,
}

/// One file of the pack.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the pack's top, with `/` separators.
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// One evidence file as a source path of the scan knew it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EvidenceEntry {
    /// The path relative to the scan root.
    pub path: String,
    /// sha256 of the original bytes; the file is kept as `evidence/<sha256>`.
    pub sha256: String,
    /// Size of the original bytes.
    pub size: u64,
    /// sha256 of the kept, redacted bytes (of nothing when only the digest is kept).
    pub redacted_sha256: String,
    pub collected_at: String,
    /// `digest-only` when the content was not kept, `excerpt` when only the lines findings
    /// cite were (absent: `full-redacted`).
    #[serde(default, skip_serializing_if = "Keep::is_default")]
    pub keep: Keep,
    /// For an excerpt: the line of the original file each kept line is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<u32>,
    pub redactions: Vec<Redaction>,
}

/// The whole manifest: the body, its root digest and an optional signature over the root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(flatten)]
    pub body: ManifestBody,
    pub root: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<PackSignature>,
}

/// An ed25519 signature over [`root_message`] of the root digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackSignature {
    pub algorithm: String,
    /// The signer's public key, 32 bytes as hex.
    pub public_key: String,
    /// The signature, 64 bytes as hex.
    pub signature: String,
}

impl ManifestBody {
    /// The root digest: sha256 of the body's canonical JSON.
    pub fn root(&self) -> String {
        sha256_hex(&canonical(self))
    }

    /// Seals the body with its root digest.
    pub fn seal(self) -> Manifest {
        Manifest {
            root: self.root(),
            body: self,
            signature: None,
        }
    }
}

impl Manifest {
    /// The manifest as written to `manifest.json`.
    pub fn to_bytes(&self) -> Vec<u8> {
        canonical(self)
    }

    /// Reads `manifest.json`, refusing anything that is not exactly its canonical form.
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        let manifest: Manifest =
            serde_json::from_slice(bytes).map_err(|e| format!("not a pack manifest: {e}"))?;
        if manifest.body.format != FORMAT {
            return Err(format!(
                "unknown manifest format `{}` (this assay reads `{FORMAT}`)",
                manifest.body.format
            ));
        }
        if manifest.to_bytes() != bytes {
            return Err("the manifest was edited: it is not in the form assay writes".to_string());
        }
        Ok(manifest)
    }
}

/// What a signature signs: the root digest, with a prefix that keeps it from meaning
/// anything else.
pub fn root_message(root: &str) -> Vec<u8> {
    format!("assay-pack-root:{root}").into_bytes()
}

fn canonical<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("manifest serializes");
    bytes.push(b'\n');
    bytes
}
