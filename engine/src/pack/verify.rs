//! `assay verify`: recomputes every digest of a pack (a directory or its `.tar.gz`), the root,
//! the link to the previous pack and the signature, and names the first file that does not
//! match.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use assay_collectors::limits::PACK_MANIFEST_BYTES;

use ed25519_dalek::VerifyingKey;
use rayon::prelude::*;

use super::digest::{is_sha256_hex, sha256_stream, Streamed};
use super::evidence::Keep;
use super::manifest::{Manifest, EVIDENCE_DIR, MANIFEST_FILE, RESULTS_FILE};
use super::{archive, list_files, sign};

/// What to check beyond the pack's own digests.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions<'a> {
    /// The pack must be signed by this key.
    pub public_key: Option<&'a VerifyingKey>,
    /// The previous pack of the chain: its root must be this pack's `previous_root`.
    pub previous: Option<&'a Path>,
}

/// A pack that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub root: String,
    /// Files listed in the manifest, all matching.
    pub files: usize,
    /// Evidence files kept.
    pub evidence: usize,
    /// The signer's public key (hex), when signed.
    pub signer: Option<String>,
    pub previous_root: Option<String>,
    /// Whether the previous pack was given and its root matched.
    pub previous_checked: bool,
}

/// The first file of a pack that does not match, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    /// The file's path inside the pack (prefixed with the previous pack's path for a broken
    /// chain link), or the pack itself when it cannot be opened.
    pub file: String,
    pub problem: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.file, self.problem)
    }
}

impl std::error::Error for VerifyError {}

fn fail(file: impl Into<String>, problem: impl Into<String>) -> VerifyError {
    VerifyError {
        file: file.into(),
        problem: problem.into(),
    }
}

/// A pack's files, from a directory or an archive.
enum Source {
    Dir(PathBuf),
    Archive(archive::Contents),
}

impl Source {
    fn open(pack: &Path) -> Result<Source, VerifyError> {
        let shown = pack.display().to_string();
        if pack.is_dir() {
            Ok(Source::Dir(pack.to_path_buf()))
        } else if pack.is_file() {
            archive::read(pack)
                .map(Source::Archive)
                .map_err(|e| fail(shown, e))
        } else {
            Err(fail(
                shown,
                "no such pack (give a pack directory or its .tar.gz)",
            ))
        }
    }

    /// The manifest's bytes, refused over [`PACK_MANIFEST_BYTES`] before they are read.
    fn manifest(&self) -> Result<Option<Cow<'_, [u8]>>, VerifyError> {
        match self {
            Source::Archive(contents) => Ok(contents.manifest.as_deref().map(Cow::Borrowed)),
            Source::Dir(dir) => {
                let Some(mut file) = open_regular(dir, MANIFEST_FILE, PACK_MANIFEST_BYTES)? else {
                    return Ok(None);
                };
                let mut bytes = Vec::new();
                file.read_to_end(&mut bytes)
                    .map_err(|e| fail(MANIFEST_FILE, format!("cannot read: {e}")))?;
                Ok(Some(Cow::Owned(bytes)))
            }
        }
    }

    /// The size and digest of the file `rel`, read as a stream and never past `size` bytes (the
    /// size the manifest lists); `None` when it is missing.
    fn digest(&self, rel: &str, size: u64) -> Result<Option<Streamed>, VerifyError> {
        match self {
            Source::Archive(contents) => Ok(contents.files.get(rel).cloned()),
            Source::Dir(dir) => {
                let Some(mut file) = open_regular(dir, rel, size)? else {
                    return Ok(None);
                };
                sha256_stream(&mut file, size)
                    .map_err(|e| fail(rel, format!("cannot read: {e}")))?
                    .map(Some)
                    .ok_or_else(|| fail(rel, format!("grew past the manifest's {size} bytes")))
            }
        }
    }

    fn paths(&self) -> Result<Vec<String>, VerifyError> {
        match self {
            Source::Archive(contents) => Ok(contents.files.keys().cloned().collect()),
            Source::Dir(dir) => list_files(dir).map_err(|e| fail(dir.display().to_string(), e)),
        }
    }
}

/// Opens the regular file `rel` of the pack directory `dir`, refusing it (from its metadata,
/// before reading) when it is larger than `cap` bytes; `None` when it does not exist.
fn open_regular(dir: &Path, rel: &str, cap: u64) -> Result<Option<File>, VerifyError> {
    let path = dir.join(rel);
    match std::fs::symlink_metadata(&path) {
        Err(_) => Ok(None),
        Ok(m) if !m.is_file() => Err(fail(rel, "is not a regular file")),
        Ok(m) if m.len() > cap => Err(fail(
            rel,
            format!("size {} bytes, more than the {cap} allowed", m.len()),
        )),
        Ok(_) => File::open(&path)
            .map(Some)
            .map_err(|e| fail(rel, format!("cannot read: {e}"))),
    }
}

/// Verifies the pack at `pack` (a directory or a `.tar.gz`).
pub fn verify(pack: &Path, options: VerifyOptions<'_>) -> Result<Verified, VerifyError> {
    let source = Source::open(pack)?;
    let bytes = source
        .manifest()?
        .ok_or_else(|| fail(MANIFEST_FILE, "missing: this is not an assay pack"))?;
    let manifest = Manifest::parse(&bytes).map_err(|p| fail(MANIFEST_FILE, p))?;
    let body = &manifest.body;
    let computed = body.root();
    if computed != manifest.root {
        return Err(fail(
            MANIFEST_FILE,
            format!(
                "the root digest {} does not match the manifest's content ({computed})",
                manifest.root
            ),
        ));
    }
    check_listing(&manifest)?;

    let checked: Vec<Result<(), VerifyError>> = body
        .files
        .par_iter()
        .map(|entry| {
            let found = source
                .digest(&entry.path, entry.size)?
                .ok_or_else(|| fail(&entry.path, "missing from the pack"))?;
            if found.size != entry.size {
                return Err(fail(
                    &entry.path,
                    format!(
                        "size {} bytes, the manifest says {}",
                        found.size, entry.size
                    ),
                ));
            }
            if found.sha256 != entry.sha256 {
                return Err(fail(
                    &entry.path,
                    format!(
                        "sha256 {}, the manifest says {}",
                        found.sha256, entry.sha256
                    ),
                ));
            }
            Ok(())
        })
        .collect();
    checked.into_iter().collect::<Result<(), _>>()?;

    let listed: BTreeSet<&str> = body.files.iter().map(|f| f.path.as_str()).collect();
    for path in source.paths()? {
        if path != MANIFEST_FILE && !listed.contains(path.as_str()) {
            return Err(fail(path, "not listed in the manifest"));
        }
    }

    let signer = sign::check(&manifest, options.public_key).map_err(|p| fail(MANIFEST_FILE, p))?;
    let previous_checked = match options.previous {
        None => false,
        Some(previous) => {
            check_link(&manifest, previous)?;
            true
        }
    };
    let evidence: BTreeSet<&str> = body.evidence.iter().map(|e| e.sha256.as_str()).collect();
    Ok(Verified {
        root: manifest.root.clone(),
        files: body.files.len(),
        evidence: evidence.len(),
        signer,
        previous_root: body.previous_root.clone(),
        previous_checked,
    })
}

/// The manifest's own consistency: sorted, unique, well-formed entries, the results listed,
/// every evidence entry backed by a listed file holding its redacted digest, every evidence
/// file named by an entry.
fn check_listing(manifest: &Manifest) -> Result<(), VerifyError> {
    let body = &manifest.body;
    let bad = |problem: String| fail(MANIFEST_FILE, problem);
    for pair in body.files.windows(2) {
        if pair[0].path >= pair[1].path {
            return Err(bad(format!(
                "files are not sorted and unique at `{}`",
                pair[1].path
            )));
        }
    }
    for entry in &body.files {
        let normal = !entry.path.is_empty()
            && entry
                .path
                .split('/')
                .all(|p| !p.is_empty() && p != "." && p != "..");
        if !normal || entry.path == MANIFEST_FILE {
            return Err(bad(format!("lists an invalid path `{}`", entry.path)));
        }
        if !is_sha256_hex(&entry.sha256) {
            return Err(bad(format!("`{}` has no valid sha256", entry.path)));
        }
    }
    if let Some(previous) = &body.previous_root {
        if !is_sha256_hex(previous) {
            return Err(bad(format!("previous_root `{previous}` is not a digest")));
        }
    }
    let files: BTreeMap<&str, &str> = body
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.sha256.as_str()))
        .collect();
    if !files.contains_key(RESULTS_FILE) {
        return Err(bad(format!("does not list `{RESULTS_FILE}`")));
    }
    let mut named = BTreeSet::new();
    for e in &body.evidence {
        let path = format!("{EVIDENCE_DIR}/{}", e.sha256);
        if e.keep == Keep::DigestOnly {
            if files.contains_key(path.as_str()) {
                return Err(bad(format!(
                    "evidence of `{}` is kept as digest only, but `{path}` is listed",
                    e.path
                )));
            }
            continue;
        }
        match files.get(path.as_str()) {
            Some(digest) if *digest == e.redacted_sha256 => {
                named.insert(path);
            }
            Some(_) => {
                return Err(bad(format!(
                    "evidence of `{}`: redacted_sha256 {} is not the digest listed for `{path}`",
                    e.path, e.redacted_sha256
                )))
            }
            None => {
                return Err(bad(format!(
                    "evidence of `{}` names `{path}`, which is not listed",
                    e.path
                )))
            }
        }
    }
    let prefix = format!("{EVIDENCE_DIR}/");
    if let Some(orphan) = files
        .keys()
        .find(|p| p.starts_with(&prefix) && !named.contains(**p))
    {
        return Err(bad(format!(
            "lists `{orphan}`, which no evidence entry names"
        )));
    }
    Ok(())
}

/// Checks that `previous` verifies and that its root is the manifest's `previous_root`.
fn check_link(manifest: &Manifest, previous: &Path) -> Result<(), VerifyError> {
    let shown = previous.display().to_string();
    let before = verify(previous, VerifyOptions::default()).map_err(|e| VerifyError {
        file: format!("{shown}: {}", e.file),
        problem: format!("the previous pack does not verify: {}", e.problem),
    })?;
    match &manifest.body.previous_root {
        Some(root) if *root == before.root => Ok(()),
        Some(root) => Err(fail(
            MANIFEST_FILE,
            format!(
                "previous_root {root} is not the root of `{shown}` ({})",
                before.root
            ),
        )),
        None => Err(fail(
            MANIFEST_FILE,
            format!("records no previous pack, but `{shown}` was given as the previous one"),
        )),
    }
}
