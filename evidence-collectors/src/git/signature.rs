//! Commit signatures: which kind a commit carries (OpenPGP, SSH, X.509) and, for SSH
//! signatures, whether they verify against an allowed-signers file (the format of
//! `gpg.ssh.allowedSignersFile`: `principals [options] keytype base64-key [comment]`).
//!
//! OpenPGP and X.509 signatures are reported as present with `verified: null`: verifying them
//! needs a keyring this collector does not have. SSH signatures by Ed25519 and ECDSA (P-256,
//! P-384) keys are verified; RSA keys are reported as not verifiable. Entries with the
//! `cert-authority` option are not used (certificates are not supported); entries limited by
//! `namespaces=` are used only when they allow `git`.

use ssh_key::{PublicKey, SshSig};

/// The namespace git signs commits in.
const NAMESPACE: &str = "git";

/// The kind of signature found in a commit's `gpgsig` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureFormat {
    OpenPgp,
    Ssh,
    X509,
    Unknown,
}

impl SignatureFormat {
    pub fn of(signature: &[u8]) -> SignatureFormat {
        let head = &signature[..signature.len().min(64)];
        let starts = |p: &[u8]| head.windows(p.len()).any(|w| w == p);
        if starts(b"-----BEGIN PGP SIGNATURE-----") {
            SignatureFormat::OpenPgp
        } else if starts(b"-----BEGIN SSH SIGNATURE-----") {
            SignatureFormat::Ssh
        } else if starts(b"-----BEGIN SIGNED MESSAGE-----") {
            SignatureFormat::X509
        } else {
            SignatureFormat::Unknown
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SignatureFormat::OpenPgp => "openpgp",
            SignatureFormat::Ssh => "ssh",
            SignatureFormat::X509 => "x509",
            SignatureFormat::Unknown => "unknown",
        }
    }
}

/// The outcome of checking one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Verified with the key of these principals.
    Verified(String),
    /// Checked and rejected, with the reason.
    Rejected(String),
    /// Not checked, with the reason.
    Unchecked(String),
}

/// One usable line of an allowed-signers file.
#[derive(Debug, Clone)]
struct Signer {
    principals: String,
    key: PublicKey,
}

/// The keys allowed to sign commits.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    signers: Vec<Signer>,
}

impl AllowedSigners {
    /// Parses an allowed-signers file; lines that cannot be read come back as (line, reason).
    pub fn parse(text: &str) -> (AllowedSigners, Vec<(u32, String)>) {
        let mut signers = Vec::new();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let content = raw.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let tokens = split_quoted(content);
            if tokens.len() < 3 {
                errors.push((
                    line,
                    "expected `principals [options] keytype base64-key`".into(),
                ));
                continue;
            }
            let principals = tokens[0].trim_matches('"').to_string();
            let (options, key_at) = if is_key_type(&tokens[1]) {
                ("", 1)
            } else {
                (tokens[1].as_str(), 2)
            };
            let Some(b64) = tokens.get(key_at + 1) else {
                errors.push((line, "the key is missing after the options".into()));
                continue;
            };
            let opts = options.to_ascii_lowercase();
            if opts.split(',').any(|o| o == "cert-authority") {
                continue;
            }
            if let Some(namespaces) = option_value(options, "namespaces") {
                if !namespaces.split(',').any(|n| n.trim() == NAMESPACE) {
                    continue;
                }
            }
            match PublicKey::from_openssh(&format!("{} {b64}", tokens[key_at])) {
                Ok(key) => signers.push(Signer { principals, key }),
                Err(e) => errors.push((line, format!("cannot read the public key: {e}"))),
            }
        }
        (AllowedSigners { signers }, errors)
    }

    /// Checks an SSH signature (the armored `gpgsig` header) over the signed commit content.
    pub fn verify(&self, armored: &[u8], signed: &[u8]) -> Verdict {
        let sig = match SshSig::from_pem(armored) {
            Ok(sig) => sig,
            Err(e) => return Verdict::Rejected(format!("malformed SSH signature: {e}")),
        };
        if sig.namespace() != NAMESPACE {
            return Verdict::Rejected(format!(
                "signed for namespace `{}`, not `git`",
                sig.namespace()
            ));
        }
        let Some(signer) = self
            .signers
            .iter()
            .find(|s| s.key.key_data() == sig.public_key())
        else {
            return Verdict::Rejected("the signing key is not in the allowed-signers file".into());
        };
        match signer.key.verify(NAMESPACE, signed, &sig) {
            Ok(()) => Verdict::Verified(signer.principals.clone()),
            Err(ssh_key::Error::AlgorithmUnsupported { algorithm }) => Verdict::Unchecked(format!(
                "{algorithm} signatures are not verified by this build"
            )),
            Err(e) => Verdict::Rejected(format!("the signature does not verify: {e}")),
        }
    }
}

fn is_key_type(token: &str) -> bool {
    token.starts_with("ssh-") || token.starts_with("ecdsa-") || token.starts_with("sk-")
}

/// Splits on whitespace outside double quotes.
fn split_quoted(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The value of `name="…"` in a comma-separated option list.
fn option_value<'a>(options: &'a str, name: &str) -> Option<&'a str> {
    let lower = options.to_ascii_lowercase();
    let start = lower.find(&format!("{name}=\""))? + name.len() + 2;
    let end = options[start..].find('"')? + start;
    Some(&options[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssh_key::private::{Ed25519Keypair, PrivateKey};
    use ssh_key::{HashAlg, LineEnding};

    fn key(seed: u8) -> PrivateKey {
        PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
    }

    fn sign(key: &PrivateKey, namespace: &str, msg: &[u8]) -> String {
        SshSig::sign(key, namespace, HashAlg::Sha512, msg)
            .unwrap()
            .to_pem(LineEnding::LF)
            .unwrap()
    }

    #[test]
    fn ssh_signatures_verify_against_allowed_signers() {
        let alice = key(7);
        let mallory = key(9);
        let text = format!(
            "# team keys\nalice@example.org {}\nci@example.org namespaces=\"file\" {}\nbroken line\n",
            alice.public_key().to_openssh().unwrap(),
            mallory.public_key().to_openssh().unwrap(),
        );
        let (signers, errors) = AllowedSigners::parse(&text);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 4);
        let msg = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nhello\n";
        assert_eq!(
            signers.verify(sign(&alice, "git", msg).as_bytes(), msg),
            Verdict::Verified("alice@example.org".into())
        );
        // Tampered content.
        assert!(matches!(
            signers.verify(sign(&alice, "git", msg).as_bytes(), b"other"),
            Verdict::Rejected(_)
        ));
        // A key allowed only for another namespace is not used.
        assert_eq!(
            signers.verify(sign(&mallory, "git", msg).as_bytes(), msg),
            Verdict::Rejected("the signing key is not in the allowed-signers file".into())
        );
        assert!(matches!(
            signers.verify(sign(&alice, "file", msg).as_bytes(), msg),
            Verdict::Rejected(r) if r.contains("namespace")
        ));
    }

    #[test]
    fn formats_are_told_apart() {
        assert_eq!(
            SignatureFormat::of(b"-----BEGIN PGP SIGNATURE-----\n\nabc"),
            SignatureFormat::OpenPgp
        );
        assert_eq!(
            SignatureFormat::of(b"-----BEGIN SSH SIGNATURE-----\nabc"),
            SignatureFormat::Ssh
        );
        assert_eq!(SignatureFormat::of(b"junk"), SignatureFormat::Unknown);
    }
}
