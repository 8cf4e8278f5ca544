//! Evidence packs: a directory (and a reproducible `.tar.gz` of it) holding `results.json`,
//! the redacted evidence files, the HTML site and `manifest.json`, which lists every file with
//! its digest, seals them with a root digest, links to the previous pack's root and may carry
//! an ed25519 signature. [`verify`] checks all of it; [`locker`] keeps packs in git,
//! [`s3_locker`] in an S3 bucket under Object Lock retention.

pub mod archive;
pub mod chain;
pub mod digest;
pub mod evidence;
pub mod locker;
pub mod lockers;
pub mod manifest;
pub mod redact;
pub mod s3_client;
pub mod s3_locker;
pub mod sign;
pub mod verify;

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use rayon::prelude::*;

use self::digest::{is_sha256_hex, sha256_hex};
use self::evidence::{EvidenceSet, Keep};
use self::manifest::{
    EvidenceEntry, FileEntry, ManifestBody, ScanTimes, ToolInfo, EVIDENCE_DIR, FORMAT,
    MANIFEST_FILE, RESULTS_FILE, SITE_DIR,
};
use crate::report::{json, Results};
use crate::site::{self, SiteInput, Templates};

/// How to build a pack.
pub struct PackOptions<'a> {
    /// The root digest of the pack before this one.
    pub previous_root: Option<String>,
    /// The root digests of the shards' packs a merged pack is made of.
    pub parts: Vec<String>,
    pub signing_key: Option<&'a SigningKey>,
    pub templates: &'a Templates,
    /// Scores of earlier scans, for the site's trend chart.
    pub trend: &'a [site::TrendPoint],
    /// The declaration files the site's audit documents are rendered from (none: no documents).
    pub documents: Option<&'a crate::documents::Declarations>,
    /// The observation period the site reports on (none: no locker).
    pub period: Option<&'a crate::period::Period>,
}

/// A pack that was written.
#[derive(Debug, Clone)]
pub struct Written {
    pub dir: PathBuf,
    pub archive: PathBuf,
    pub root: String,
    /// Files listed in the manifest.
    pub files: usize,
    /// The signer's public key (hex), when signed.
    pub signer: Option<String>,
}

/// Checks a `--previous-root` value.
pub fn parse_root(text: &str) -> Result<String, String> {
    let root = text.trim().to_ascii_lowercase();
    if is_sha256_hex(&root) {
        Ok(root)
    } else {
        Err(format!(
            "`{text}` is not a root digest (64 hex digits)\n  hint: copy the `root` of the previous pack's manifest.json, or pass --previous-pack DIR"
        ))
    }
}

/// The `.tar.gz` written beside a pack directory: `out/pack` gives `out/pack.tar.gz`.
pub fn archive_path(dir: &Path) -> Result<PathBuf, String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| *n != "." && *n != "..")
        .ok_or_else(|| {
            format!(
                "cannot name an archive after `{}`\n  hint: give the pack a directory name, e.g. --pack evidence/2024-06-01",
                dir.display()
            )
        })?;
    Ok(dir.with_file_name(format!("{name}.tar.gz")))
}

/// Writes a pack of `results` and `evidence` into `dir` (new or empty) and its archive beside it.
pub fn write(
    results: &Results,
    evidence: &EvidenceSet,
    dir: &Path,
    options: &PackOptions<'_>,
) -> Result<Written, String> {
    let archive = archive_path(dir)?;
    prepare_dir(dir)?;
    let write_file = |rel: &str, bytes: &[u8]| {
        let path = dir.join(rel);
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
    };
    write_file(RESULTS_FILE, json::render(results).as_bytes())?;
    let evidence_dir = dir.join(EVIDENCE_DIR);
    std::fs::create_dir_all(&evidence_dir)
        .map_err(|e| format!("cannot create `{}`: {e}", evidence_dir.display()))?;
    for file in evidence.files.iter().filter(|f| f.keep != Keep::DigestOnly) {
        write_file(&format!("{EVIDENCE_DIR}/{}", file.digest), &file.content)?;
    }
    site::render(
        &SiteInput {
            results,
            evidence,
            trend: options.trend,
            documents: options.documents,
            period: options.period,
        },
        options.templates,
        &dir.join(SITE_DIR),
    )?;

    let paths = list_files(dir)?;
    let files = paths
        .par_iter()
        .map(|rel| {
            let path = dir.join(rel);
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            Ok(FileEntry {
                path: rel.clone(),
                sha256: sha256_hex(&bytes),
                size: bytes.len() as u64,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut entries: Vec<EvidenceEntry> = evidence
        .files
        .iter()
        .flat_map(|f| {
            f.paths.iter().map(|p| EvidenceEntry {
                path: p.clone(),
                sha256: f.digest.clone(),
                size: f.size,
                redacted_sha256: f.redacted_digest.clone(),
                collected_at: f.collected_at.clone(),
                keep: f.keep,
                lines: f.lines.clone(),
                redactions: f.redactions.clone(),
            })
        })
        .collect();
    entries.sort();
    let body = ManifestBody {
        format: FORMAT.to_string(),
        tool: ToolInfo {
            name: results.tool.name.clone(),
            version: results.tool.version.clone(),
        },
        catalog_digest: results.scan.catalog_digest.clone(),
        scan: ScanTimes {
            started_at: results.scan.started_at.clone(),
            finished_at: results.scan.finished_at.clone(),
            commit: results.scan.commit.clone(),
            repository: results.scan.repository.clone(),
        },
        previous_root: options.previous_root.clone(),
        parts: options.parts.clone(),
        files,
        evidence: entries,
        evidence_mismatches: evidence.mismatches.clone(),
    };
    let count = body.files.len();
    let mut manifest = body.seal();
    if let Some(key) = options.signing_key {
        sign::sign(&mut manifest, key);
    }
    write_file(MANIFEST_FILE, &manifest.to_bytes())?;
    let mut all = paths;
    all.push(MANIFEST_FILE.to_string());
    archive::write(dir, &all, &archive)?;
    Ok(Written {
        dir: dir.to_path_buf(),
        archive,
        root: manifest.root.clone(),
        files: count,
        signer: manifest.signature.map(|s| s.public_key),
    })
}

/// Creates `dir`, refusing one that already holds files: packs are never overwritten.
fn prepare_dir(dir: &Path) -> Result<(), String> {
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(format!(
                "pack directory `{}` is not empty\n  hint: give a new directory; packs are never overwritten",
                dir.display()
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))
}

/// Every file below `dir`, as sorted relative paths with `/` separators. Links are refused.
pub fn list_files(dir: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = stack.pop() {
        let entries = std::fs::read_dir(&path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let kind = entry
                .file_type()
                .map_err(|e| format!("cannot read `{}`: {e}", entry.path().display()))?;
            if kind.is_dir() {
                stack.push((entry.path(), rel));
            } else if kind.is_file() {
                out.push(rel);
            } else {
                return Err(format!(
                    "`{rel}` is a link or special file, not a regular file"
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}
