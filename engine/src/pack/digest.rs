//! sha256 digests as lowercase hex, the form every digest takes in a pack.

use std::io::Read;

use sha2::{Digest, Sha256};

/// sha256 of `bytes`, as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `s` looks like a sha256 digest: 64 lowercase hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The size and sha256 of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Streamed {
    pub size: u64,
    pub sha256: String,
}

/// Hashes `reader` in fixed-size chunks; `None` once it yields more than `cap` bytes.
pub fn sha256_stream(reader: &mut impl Read, cap: u64) -> std::io::Result<Option<Streamed>> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 << 10];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        size += n as u64;
        if size > cap {
            return Ok(None);
        }
        hasher.update(&buffer[..n]);
    }
    Ok(Some(Streamed {
        size,
        sha256: hex::encode(hasher.finalize()),
    }))
}
