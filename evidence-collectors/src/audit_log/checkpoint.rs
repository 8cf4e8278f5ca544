//! Checkpoints of JSON Lines audit logs: where the last scan stopped (byte offset and line),
//! the hash of the bytes before (as the open SHA-256 state, so the whole file's digest is
//! finished from the appended bytes alone), the last bytes before it and the summary so far.
//! A later scan checks that the file still holds those bytes at that offset and reads only
//! what was appended; the appended events must link to the checkpoint's last event hash
//! (the chain's merge checks it), which proves continuity. `--full` verifies from the top.
//!
//! Checkpoints live in a directory the person running assay names (`--checkpoints DIR`),
//! one JSON file per log, named after the sha256 of the log's root-relative path.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::digest::common::hazmat::{SerializableState, SerializedState};
use sha2::{Digest, Sha256};

use super::preset::Preset;
use super::summary::Summary;

/// How many bytes before a checkpoint are compared when it is resumed.
const TAIL: u64 = 4096;
/// The largest checkpoint read back: a summary of bounded counts is far smaller.
const MAX_CHECKPOINT_BYTES: u64 = 64 << 20;
/// The layout of the checkpoint files.
const VERSION: u32 = 1;

/// Where checkpoints are kept, and whether they are used or only written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoints {
    pub dir: PathBuf,
    /// Verify every log from its first byte (and write fresh checkpoints).
    pub full: bool,
}

/// One log's checkpoint (written with a borrowed summary, read with an owned one).
#[derive(Serialize, Deserialize)]
pub struct Checkpoint<S = Summary> {
    version: u32,
    path: String,
    /// What the summary depends on besides the bytes: settings, line limit, tool version.
    fingerprint: String,
    /// Bytes verified, and the number of the next line.
    pub offset: u64,
    pub next_line: u64,
    /// sha256 (hex) of the [`TAIL`] bytes before `offset`.
    tail: String,
    /// The SHA-256 state after `offset` bytes (hex).
    state: String,
    pub preset: Preset,
    pub summary: S,
}

/// A checkpoint that holds for the file as it is now.
pub struct Resumed {
    pub checkpoint: Checkpoint,
    pub hasher: Sha256,
}

impl Checkpoints {
    fn file_of(&self, relative: &str) -> PathBuf {
        self.dir
            .join(format!("{}.json", hex::encode(Sha256::digest(relative))))
    }

    /// The checkpoint of `relative` if it holds for `file` (positioned after it then), or why
    /// not; `Ok(None)` when there is none or `--full` was asked for.
    pub fn resume(
        &self,
        relative: &str,
        fingerprint: &str,
        file: &mut File,
    ) -> Result<Option<Resumed>, String> {
        let path = self.file_of(relative);
        if self.full || !path.is_file() {
            return Ok(None);
        }
        // Said without the store's path: the facts are the same wherever the store is.
        let bytes = crate::confine::read_named(&path, MAX_CHECKPOINT_BYTES)
            .map_err(|e| format!("the checkpoint is unreadable: {e}"))?;
        let checkpoint: Checkpoint = serde_json::from_slice(&bytes)
            .map_err(|e| format!("the checkpoint is unreadable: {e}"))?;
        if checkpoint.version != VERSION
            || checkpoint.path != relative
            || checkpoint.fingerprint != fingerprint
        {
            return Err("the checkpoint was made with other settings or another version".into());
        }
        let size = file.metadata().map_err(|e| e.to_string())?.len();
        if size < checkpoint.offset {
            return Err(format!(
                "the log is shorter ({size} bytes) than at the checkpoint ({} bytes)",
                checkpoint.offset
            ));
        }
        if tail_digest(file, checkpoint.offset).map_err(|e| e.to_string())? != checkpoint.tail {
            return Err(format!(
                "the bytes before the checkpoint (offset {}) changed",
                checkpoint.offset
            ));
        }
        let hasher = hex::decode(&checkpoint.state)
            .ok()
            .and_then(|state| SerializedState::<Sha256>::try_from(&state[..]).ok())
            .and_then(|state| Sha256::deserialize(&state).ok())
            .ok_or("the checkpoint's hash state is damaged")?;
        file.seek(SeekFrom::Start(checkpoint.offset))
            .map_err(|e| e.to_string())?;
        Ok(Some(Resumed { checkpoint, hasher }))
    }

    /// Writes the checkpoint of `relative` after `offset` bytes (atomically: a crash leaves
    /// the previous one).
    #[allow(clippy::too_many_arguments)]
    pub fn save(
        &self,
        relative: &str,
        fingerprint: &str,
        file: &mut File,
        (offset, next_line): (u64, u64),
        hasher: &Sha256,
        preset: Preset,
        summary: &Summary,
    ) -> Result<(), String> {
        let checkpoint = Checkpoint {
            version: VERSION,
            path: relative.to_string(),
            fingerprint: fingerprint.to_string(),
            offset,
            next_line,
            tail: tail_digest(file, offset).map_err(|e| e.to_string())?,
            state: hex::encode(hasher.serialize()),
            preset,
            summary,
        };
        let path = self.file_of(relative);
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let mut temp = tempfile::NamedTempFile::new_in(&self.dir)?;
            serde_json::to_writer(&mut temp, &checkpoint)?;
            temp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        };
        write().map_err(|e| format!("cannot write checkpoint `{}`: {e}", path.display()))
    }
}

/// sha256 (hex) of the up to [`TAIL`] bytes of `file` before `offset`.
fn tail_digest(file: &mut File, offset: u64) -> std::io::Result<String> {
    let start = offset.saturating_sub(TAIL);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.take(offset - start).read_to_end(&mut bytes)?;
    if (bytes.len() as u64) < offset - start {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// The fingerprint of what a log's summary depends on besides its bytes.
pub fn fingerprint(settings: Option<&Value>, line_bytes: u64) -> String {
    let what = json!({
        "settings": settings,
        "line_bytes": line_bytes,
        "version": env!("CARGO_PKG_VERSION"),
    });
    hex::encode(Sha256::digest(what.to_string()))
}

/// The facts a log's document gains when checkpoints are kept: whether the scan continued
/// one, and from where, or why it verified the whole log.
pub fn facts(resumed: Option<(u64, u64)>, read: u64, fallback: Option<&str>) -> Value {
    match resumed {
        Some((offset, line)) => json!({
            "resumed": true,
            "from_byte": offset,
            "from_line": line,
            "bytes_verified": read,
        }),
        None => {
            let mut facts = json!({"resumed": false, "bytes_verified": read});
            if let Some(reason) = fallback {
                facts["reason"] = json!(reason);
            }
            facts
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_checkpoint_resumes_only_while_its_bytes_stand() {
        let dir = tempfile::tempdir().unwrap();
        let store = Checkpoints {
            dir: dir.path().join("checkpoints"),
            full: false,
        };
        let log = dir.path().join("a.jsonl");
        std::fs::write(&log, "{\"a\": 1}\n{\"a\": 2}\n").unwrap();
        let mut file = File::open(&log).unwrap();
        let mut hasher = Sha256::new();
        hasher.update(b"{\"a\": 1}\n{\"a\": 2}\n");
        store
            .save(
                "a.jsonl",
                "f",
                &mut file,
                (18, 3),
                &hasher,
                Preset::Generic,
                &Summary::default(),
            )
            .unwrap();
        // Appended to: resumed at the offset, and the hash state continues the file's digest.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .unwrap()
            .write_all(b"{\"a\": 3}\n")
            .unwrap();
        let mut file = File::open(&log).unwrap();
        let resumed = store.resume("a.jsonl", "f", &mut file).unwrap().unwrap();
        assert_eq!(resumed.checkpoint.offset, 18);
        assert_eq!(resumed.checkpoint.next_line, 3);
        let mut rest = Vec::new();
        file.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"{\"a\": 3}\n");
        let mut hasher = resumed.hasher;
        hasher.update(&rest);
        assert_eq!(
            hasher.finalize(),
            Sha256::digest(std::fs::read(&log).unwrap())
        );
        // Other settings, a changed prefix, a truncated file, --full: not resumed.
        let mut file = File::open(&log).unwrap();
        assert!(store.resume("a.jsonl", "g", &mut file).is_err());
        std::fs::write(&log, "{\"a\": 1}\n{\"a\": 9}\n{\"a\": 3}\n").unwrap();
        let mut file = File::open(&log).unwrap();
        let error = store.resume("a.jsonl", "f", &mut file).err().unwrap();
        assert!(error.contains("changed"), "{error}");
        std::fs::write(&log, "{\"a\": 1}\n").unwrap();
        let mut file = File::open(&log).unwrap();
        let error = store.resume("a.jsonl", "f", &mut file).err().unwrap();
        assert!(error.contains("shorter"), "{error}");
        let full = Checkpoints {
            full: true,
            ..store.clone()
        };
        assert!(full.resume("a.jsonl", "f", &mut file).unwrap().is_none());
        assert!(store.resume("b.jsonl", "f", &mut file).unwrap().is_none());
    }
}
