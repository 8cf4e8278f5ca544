//! ed25519 signing of a pack's root digest and of attestations: key pairs, key files, signing
//! and checking.
//!
//! A key file holds the 32 key bytes as 64 hex digits on one line; lines starting with `#`
//! are comments. `ASSAY_SIGNING_KEY` may hold the secret key's hex digits instead of a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::manifest::{root_message, Manifest, PackSignature};

/// The environment variable that may hold the secret signing key (hex).
pub const SIGNING_KEY_ENV: &str = "ASSAY_SIGNING_KEY";
/// File names `assay keygen` writes.
pub const SECRET_KEY_FILE: &str = "assay-signing.key";
pub const PUBLIC_KEY_FILE: &str = "assay-signing.pub";
/// The algorithm named in a pack's signature.
pub const ALGORITHM: &str = "ed25519";

/// A new random signing key, from the operating system's random source.
pub fn generate() -> Result<SigningKey, String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("no random source: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Writes `key` and its public half into `dir` (created if needed); never overwrites.
/// Returns the paths of the secret and the public key files.
pub fn write_key_pair(dir: &Path, key: &SigningKey) -> Result<(PathBuf, PathBuf), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let secret = dir.join(SECRET_KEY_FILE);
    let public = dir.join(PUBLIC_KEY_FILE);
    for path in [&secret, &public] {
        if path.exists() {
            return Err(format!(
                "`{}` already exists; keys are never overwritten (choose another --out)",
                path.display()
            ));
        }
    }
    write_new(
        &secret,
        &format!(
            "# assay pack signing key (ed25519, secret): keep it private\n{}\n",
            hex::encode(key.to_bytes())
        ),
        true,
    )?;
    write_new(
        &public,
        &format!(
            "# assay pack verification key (ed25519, public)\n{}\n",
            public_hex(&key.verifying_key())
        ),
        false,
    )?;
    Ok((secret, public))
}

fn write_new(path: &Path, text: &str, private: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    options
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// The public key as 64 hex digits.
pub fn public_hex(key: &VerifyingKey) -> String {
    hex::encode(key.to_bytes())
}

/// The 32 bytes of a key written as hex, skipping `#` comment lines; `origin` names where the
/// text came from in errors.
fn key_bytes(text: &str, origin: &str) -> Result<[u8; 32], String> {
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let (Some(line), None) = (lines.next(), lines.next()) else {
        return Err(format!(
            "{origin}: expected one line of 64 hex digits (an ed25519 key)\n  hint: make a key pair with `assay keygen --out DIR`"
        ));
    };
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(line, &mut bytes).map_err(|_| {
        format!(
            "{origin}: `{}` is not 64 hex digits (an ed25519 key)\n  hint: make a key pair with `assay keygen --out DIR`",
            abbreviate(line)
        )
    })?;
    Ok(bytes)
}

/// Never echoes more than the start of what might be a secret.
fn abbreviate(s: &str) -> String {
    let start: String = s.chars().take(6).collect();
    if start.len() < s.len() {
        format!("{start}…")
    } else {
        start
    }
}

/// Parses a secret key written as hex.
pub fn parse_signing_key(text: &str, origin: &str) -> Result<SigningKey, String> {
    key_bytes(text, origin).map(|b| SigningKey::from_bytes(&b))
}

/// Parses a public key written as hex.
pub fn parse_public_key(text: &str, origin: &str) -> Result<VerifyingKey, String> {
    let bytes = key_bytes(text, origin)?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| format!("{origin}: not a valid ed25519 public key"))
}

/// Reads a key file with `parse`.
pub fn read_key<T>(path: &Path, parse: fn(&str, &str) -> Result<T, String>) -> Result<T, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read key file `{}`: {e}", path.display()))?;
    parse(&text, &path.display().to_string())
}

/// The signing key given as `--sign-key FILE`, or else in `ASSAY_SIGNING_KEY`; `None` when
/// neither is given.
pub fn given_key(file: Option<&Path>) -> Result<Option<SigningKey>, String> {
    if let Some(file) = file {
        return read_key(file, parse_signing_key).map(Some);
    }
    match std::env::var(SIGNING_KEY_ENV) {
        Ok(text) if !text.trim().is_empty() => parse_signing_key(&text, SIGNING_KEY_ENV).map(Some),
        _ => Ok(None),
    }
}

/// The public key given as `--public-key FILE`; `None` when none is given.
pub fn given_public_key(file: Option<&Path>) -> Result<Option<VerifyingKey>, String> {
    file.map(|f| read_key(f, parse_public_key)).transpose()
}

/// Signs the manifest's root digest.
pub fn sign(manifest: &mut Manifest, key: &SigningKey) {
    let signature = key.sign(&root_message(&manifest.root));
    manifest.signature = Some(PackSignature {
        algorithm: ALGORITHM.to_string(),
        public_key: public_hex(&key.verifying_key()),
        signature: hex::encode(signature.to_bytes()),
    });
}

/// Checks the manifest's signature. With `expected`, the pack must be signed by that key.
/// Returns the signer's public key (hex), or `None` for an unsigned pack.
pub fn check(
    manifest: &Manifest,
    expected: Option<&VerifyingKey>,
) -> Result<Option<String>, String> {
    let Some(sig) = &manifest.signature else {
        return match expected {
            Some(_) => Err("the pack is not signed, but a public key was given".to_string()),
            None => Ok(None),
        };
    };
    if sig.algorithm != ALGORITHM {
        return Err(format!("unknown signature algorithm `{}`", sig.algorithm));
    }
    let key = parse_public_key(&sig.public_key, "the signature's public key")?;
    if let Some(expected) = expected {
        if expected != &key {
            return Err(format!(
                "signed by key {}, not by the given public key {}",
                sig.public_key,
                public_hex(expected)
            ));
        }
    }
    verify_detached(&key, &sig.signature, &root_message(&manifest.root))
        .map_err(|e| format!("{e} the root digest"))?;
    Ok(Some(sig.public_key.clone()))
}

/// A detached signature over `message`: the signer's public key and the signature, both hex.
pub fn sign_detached(key: &SigningKey, message: &[u8]) -> (String, String) {
    (
        public_hex(&key.verifying_key()),
        hex::encode(key.sign(message).to_bytes()),
    )
}

/// Checks a detached signature (hex) over `message` by `key`; the error ends so that the
/// caller can name what was signed ("… does not match" + " the root digest").
pub fn verify_detached(key: &VerifyingKey, signature: &str, message: &[u8]) -> Result<(), String> {
    let mut bytes = [0u8; 64];
    hex::decode_to_slice(signature, &mut bytes)
        .map_err(|_| "the signature is not 128 hex digits; it cannot match".to_string())?;
    key.verify_strict(message, &Signature::from_bytes(&bytes))
        .map_err(|_| "the signature does not match".to_string())
}
