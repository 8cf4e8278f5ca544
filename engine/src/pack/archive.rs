//! The pack as one reproducible `.tar.gz`: entries sorted by path, every entry a regular file
//! with mode 0644, owner 0:0 and time 0, and a gzip header without a time, so the same pack
//! always gives the same bytes.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Component, Path};

use flate2::read::GzDecoder;
use flate2::{Compression, GzBuilder};
use tar::{Archive, Builder, EntryType, Header};

use super::digest::{sha256_stream, Streamed};
use super::manifest::MANIFEST_FILE;
use assay_collectors::limits::{PACK_MANIFEST_BYTES, PACK_TOTAL_BYTES};

/// Writes `files` (paths relative to `dir`, with `/` separators) into a `.tar.gz` at `out`,
/// through a temporary file renamed into place.
pub fn write(dir: &Path, files: &[String], out: &Path) -> Result<(), String> {
    let mut sorted: Vec<&String> = files.iter().collect();
    sorted.sort();
    let partial = out.with_extension("gz.partial");
    let fail = |e: std::io::Error| format!("cannot write `{}`: {e}", out.display());
    let file = create_fresh(&partial).map_err(fail)?;
    let gz = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(BufWriter::new(file), Compression::default());
    let mut tar = Builder::new(gz);
    for path in sorted {
        let bytes = std::fs::read(dir.join(path))
            .map_err(|e| format!("cannot read `{}`: {e}", dir.join(path).display()))?;
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::Regular);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_size(bytes.len() as u64);
        tar.append_data(&mut header, path, bytes.as_slice())
            .map_err(fail)?;
    }
    let gz = tar.into_inner().map_err(fail)?;
    let mut buffered = gz.finish().map_err(fail)?;
    buffered.flush().map_err(fail)?;
    drop(buffered);
    std::fs::rename(&partial, out).map_err(fail)
}

/// Creates `path` as a new file: whatever is already there (a stale temporary file, or a link
/// planted to make the write land elsewhere) is removed first, never followed or truncated.
fn create_fresh(path: &Path) -> std::io::Result<File> {
    let create = || File::options().write(true).create_new(true).open(path);
    match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            create()
        }
        other => other,
    }
}

/// What a pack archive holds, read in one streaming pass: the manifest's bytes and the size and
/// digest of every other file, so that no entry is ever held in memory whole.
pub struct Contents {
    pub manifest: Option<Vec<u8>>,
    pub files: BTreeMap<String, Streamed>,
}

/// Reads a pack archive. Directory entries are skipped; links, absolute paths, `..` and
/// duplicate paths are refused, as are a manifest over [`PACK_MANIFEST_BYTES`] and more than
/// [`PACK_TOTAL_BYTES`] in all (each entry's declared size is checked before it is read).
pub fn read(path: &Path) -> Result<Contents, String> {
    let fail = |e: std::io::Error| format!("cannot read archive `{}`: {e}", path.display());
    let file = File::open(path).map_err(fail)?;
    let mut archive = Archive::new(GzDecoder::new(file));
    let mut contents = Contents {
        manifest: None,
        files: BTreeMap::new(),
    };
    let mut remaining = PACK_TOTAL_BYTES;
    for entry in archive.entries().map_err(fail)? {
        let mut entry = entry.map_err(fail)?;
        let name = entry.path().map_err(fail)?.into_owned();
        let shown = name.display().to_string();
        match entry.header().entry_type() {
            EntryType::Directory => continue,
            EntryType::Regular | EntryType::Continuous => {}
            other => {
                return Err(format!(
                    "`{shown}` in `{}` is not a regular file ({other:?})",
                    path.display()
                ))
            }
        }
        let parts: Option<Vec<&str>> = name
            .components()
            .map(|c| match c {
                Component::Normal(s) => s.to_str(),
                Component::CurDir => Some("."),
                _ => None,
            })
            .filter(|s| *s != Some("."))
            .collect();
        let Some(parts) = parts.filter(|p| !p.is_empty()) else {
            return Err(format!(
                "`{shown}` in `{}` leaves the pack's top folder",
                path.display()
            ));
        };
        let rel = parts.join("/");
        let twice = if rel == MANIFEST_FILE {
            contents.manifest.is_some()
        } else {
            contents.files.contains_key(&rel)
        };
        if twice {
            return Err(format!("`{shown}` appears twice in `{}`", path.display()));
        }
        let cap = if rel == MANIFEST_FILE {
            PACK_MANIFEST_BYTES.min(remaining)
        } else {
            remaining
        };
        let too_big = || {
            format!(
                "`{shown}` in `{}` is larger than the pack limit ({} bytes for {}); \
                 this is not a pack assay wrote",
                path.display(),
                cap,
                if rel == MANIFEST_FILE {
                    "the manifest"
                } else {
                    "all files together"
                }
            )
        };
        if entry.size() > cap {
            return Err(too_big());
        }
        if rel == MANIFEST_FILE {
            let mut bytes = Vec::new();
            (&mut entry)
                .take(cap + 1)
                .read_to_end(&mut bytes)
                .map_err(fail)?;
            if bytes.len() as u64 > cap {
                return Err(too_big());
            }
            remaining -= bytes.len() as u64;
            contents.manifest = Some(bytes);
        } else {
            let streamed = sha256_stream(&mut entry, cap)
                .map_err(fail)?
                .ok_or_else(too_big)?;
            remaining -= streamed.size;
            contents.files.insert(rel, streamed);
        }
    }
    Ok(contents)
}
