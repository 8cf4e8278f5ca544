//! DSSE envelope signatures: the pre-authentication encoding a signature covers, the public keys
//! a project trusts (`collectors.sbom.provenance.keys`, PEM SubjectPublicKeyInfo: Ed25519,
//! ECDSA P-256 with SHA-256, RSA with PKCS#1 v1.5 or PSS and SHA-256), and the verdict on an
//! envelope. See <https://github.com/secure-systems-lab/dsse/blob/master/protocol.md>.

use p256::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use spki::der::Decode;

/// Signatures of one envelope checked at most; further ones are reported as not checked.
const MAX_SIGNATURES: usize = 32;

const ED25519: spki::ObjectIdentifier = spki::ObjectIdentifier::new_unwrap("1.3.101.112");
const EC_PUBLIC_KEY: spki::ObjectIdentifier =
    spki::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const RSA_ENCRYPTION: spki::ObjectIdentifier =
    spki::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// `PAE(type, body)`: the bytes a DSSE signature signs.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {payload_type} {} ",
        payload_type.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// A DSSE envelope as read: the payload decoded, the signatures as written.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub payload_type: String,
    pub payload: Vec<u8>,
    pub signatures: Vec<Signature>,
}

/// One entry of an envelope's `signatures`.
#[derive(Debug, Clone)]
pub struct Signature {
    /// The `keyid` hint; empty when not given.
    pub keyid: String,
    /// `sig` decoded, or `None` when it is not base64.
    pub sig: Option<Vec<u8>>,
}

/// A trusted public key and the id signatures name it by.
pub struct TrustedKey {
    pub id: String,
    key: KeyMaterial,
}

enum KeyMaterial {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

impl TrustedKey {
    /// Reads a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) of a supported algorithm.
    pub fn from_pem(id: &str, pem: &str) -> Result<TrustedKey, String> {
        let (label, der) = pem_rfc7468::decode_vec(pem.trim().as_bytes())
            .map_err(|e| format!("not a PEM block: {e}"))?;
        if label != "PUBLIC KEY" {
            return Err(format!(
                "a PEM `{label}` block, expected `PUBLIC KEY` (SubjectPublicKeyInfo)"
            ));
        }
        let info = spki::SubjectPublicKeyInfoRef::from_der(&der)
            .map_err(|e| format!("not a SubjectPublicKeyInfo: {e}"))?;
        let oid = info.algorithm.oid;
        let key = if oid == ED25519 {
            let bytes: [u8; 32] = info
                .subject_public_key
                .as_bytes()
                .and_then(|b| b.try_into().ok())
                .ok_or("an Ed25519 key is 32 bytes")?;
            KeyMaterial::Ed25519(
                ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                    .map_err(|e| format!("invalid Ed25519 key: {e}"))?,
            )
        } else if oid == EC_PUBLIC_KEY {
            KeyMaterial::P256(
                p256::ecdsa::VerifyingKey::from_public_key_der(&der).map_err(|e| {
                    format!("not an ECDSA P-256 key (only P-256 is supported): {e}")
                })?,
            )
        } else if oid == RSA_ENCRYPTION {
            KeyMaterial::Rsa(
                rsa::RsaPublicKey::from_public_key_der(&der)
                    .map_err(|e| format!("invalid RSA key: {e}"))?,
            )
        } else {
            return Err(format!(
                "unsupported key algorithm {oid}; use Ed25519, ECDSA P-256 or RSA"
            ));
        };
        Ok(TrustedKey {
            id: id.to_string(),
            key,
        })
    }

    /// The algorithm, as reported.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            KeyMaterial::Ed25519(_) => "ed25519",
            KeyMaterial::P256(_) => "ecdsa-p256-sha256",
            KeyMaterial::Rsa(_) => "rsa-sha256",
        }
    }

    /// Whether `sig` is this key's signature of `message`. ECDSA signatures are read as DER or
    /// as the fixed 64-byte `r || s`; RSA ones as PKCS#1 v1.5, else as PSS with a salt of the
    /// digest's length or the largest the key allows.
    fn verifies(&self, message: &[u8], sig: &[u8]) -> bool {
        match &self.key {
            KeyMaterial::Ed25519(key) => ed25519_dalek::Signature::from_slice(sig)
                .is_ok_and(|s| key.verify_strict(message, &s).is_ok()),
            KeyMaterial::P256(key) => p256::ecdsa::Signature::from_der(sig)
                .or_else(|_| p256::ecdsa::Signature::from_slice(sig))
                .is_ok_and(|s| key.verify(message, &s).is_ok()),
            KeyMaterial::Rsa(key) => {
                use rsa::sha2::Sha256;
                let pkcs1 = rsa::pkcs1v15::Signature::try_from(sig).is_ok_and(|s| {
                    rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone())
                        .verify(message, &s)
                        .is_ok()
                });
                let max_salt = key.size().saturating_sub(32 + 2);
                pkcs1
                    || rsa::pss::Signature::try_from(sig).is_ok_and(|s| {
                        [32, max_salt].into_iter().any(|salt| {
                            rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(key.clone(), salt)
                                .verify(message, &s)
                                .is_ok()
                        })
                    })
            }
        }
    }
}

/// The verdict on a statement's signatures, as facts: `status` (`verified`, `failed` or
/// `unsigned`), the ids of the keys that verified it, one entry per signature, and for a
/// statement that is not verified the `reason`.
pub fn verdict(envelope: Option<&Envelope>, keys: &[TrustedKey]) -> Value {
    let Some(envelope) = envelope else {
        return json!({
            "status": "unsigned",
            "verified_by": [],
            "signatures": [],
            "reason": "a bare in-toto statement, not a signed DSSE envelope",
        });
    };
    let message = pae(&envelope.payload_type, &envelope.payload);
    let mut verified_by = Vec::new();
    let mut reasons = Vec::new();
    let signatures: Vec<Value> = envelope
        .signatures
        .iter()
        .enumerate()
        .map(|(i, signature)| {
            let outcome = if i >= MAX_SIGNATURES {
                Err(format!(
                    "not checked: only the first {MAX_SIGNATURES} signatures are"
                ))
            } else {
                check(signature, &message, keys)
            };
            let named = if signature.keyid.is_empty() {
                format!("signature {}", i + 1)
            } else {
                format!("signature {} (keyid `{}`)", i + 1, signature.keyid)
            };
            match outcome {
                Ok(key) => {
                    verified_by.push(key.id.clone());
                    json!({"keyid": signature.keyid, "verified": true, "key": key.id,
                           "algorithm": key.algorithm()})
                }
                Err(reason) => {
                    reasons.push(format!("{named}: {reason}"));
                    json!({"keyid": signature.keyid, "verified": false, "reason": reason})
                }
            }
        })
        .collect();
    if envelope.signatures.is_empty() {
        reasons.push("the DSSE envelope has no signatures".to_string());
    }
    verified_by.sort();
    verified_by.dedup();
    let mut facts = json!({
        "status": if verified_by.is_empty() { "failed" } else { "verified" },
        "verified_by": verified_by,
        "signatures": signatures,
    });
    if verified_by.is_empty() {
        facts["reason"] = json!(reasons.join("; "));
    }
    facts
}

/// The key that verifies one signature, or why none does.
fn check<'k>(
    signature: &Signature,
    message: &[u8],
    keys: &'k [TrustedKey],
) -> Result<&'k TrustedKey, String> {
    let Some(sig) = &signature.sig else {
        return Err("`sig` is not base64".to_string());
    };
    if keys.is_empty() {
        return Err(
            "no keys to verify it with: list the signer's public key under collectors.sbom.provenance.keys"
                .to_string(),
        );
    }
    if signature.keyid.is_empty() {
        return keys
            .iter()
            .find(|k| k.verifies(message, sig))
            .ok_or_else(|| {
                "verifies with none of the configured keys: the payload or signature changed after signing, or another key signed it".to_string()
            });
    }
    let key = keys
        .iter()
        .find(|k| k.id == signature.keyid)
        .ok_or_else(|| {
            format!(
                "keyid `{}` is not among collectors.sbom.provenance.keys",
                signature.keyid
            )
        })?;
    if key.verifies(message, sig) {
        Ok(key)
    } else {
        Err(format!(
            "does not verify with key `{}` ({}): the payload or signature changed after signing",
            key.id,
            key.algorithm()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rsa::pkcs8::EncodePublicKey;
    use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};

    /// An RSA key generated from a fixed seed (small, to keep the test fast).
    fn rsa_key() -> rsa::RsaPrivateKey {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap()
    }

    fn pem_of(key: &rsa::RsaPublicKey) -> String {
        let der = key.to_public_key_der().unwrap();
        pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, der.as_bytes())
            .unwrap()
    }

    fn envelope(payload: &[u8], signatures: Vec<(&str, Vec<u8>)>) -> Envelope {
        Envelope {
            payload_type: "application/vnd.in-toto+json".into(),
            payload: payload.to_vec(),
            signatures: signatures
                .into_iter()
                .map(|(keyid, sig)| Signature {
                    keyid: keyid.into(),
                    sig: Some(sig),
                })
                .collect(),
        }
    }

    /// Each algorithm: a key generated here signs; the verdict holds, and fails when the
    /// payload changes, the signature is random, the keyid unknown or no key is configured.
    fn round_trip(public_pem: &str, sign: &dyn Fn(&[u8]) -> Vec<u8>, algorithm: &str) {
        let keys = vec![TrustedKey::from_pem("release", public_pem).unwrap()];
        assert_eq!(keys[0].algorithm(), algorithm);
        let payload = br#"{"_type":"https://in-toto.io/Statement/v1"}"#;
        let sig = sign(&pae("application/vnd.in-toto+json", payload));
        let good = envelope(payload, vec![("release", sig.clone())]);
        let v = verdict(Some(&good), &keys);
        assert_eq!(v["status"], "verified", "{v}");
        assert_eq!(v["verified_by"], json!(["release"]));
        // Without a keyid, every configured key is tried.
        assert_eq!(
            verdict(Some(&envelope(payload, vec![("", sig.clone())])), &keys)["status"],
            "verified"
        );

        let changed = envelope(
            br#"{"_type":"https://in-toto.io/Statement/v0.1"}"#,
            vec![("release", sig.clone())],
        );
        let v = verdict(Some(&changed), &keys);
        assert_eq!(v["status"], "failed");
        assert!(v["reason"]
            .as_str()
            .unwrap()
            .contains("does not verify with key `release`"));

        let random = envelope(payload, vec![("release", vec![0x5a; sig.len()])]);
        assert_eq!(verdict(Some(&random), &keys)["status"], "failed");

        let unknown = envelope(payload, vec![("other", sig.clone())]);
        let v = verdict(Some(&unknown), &keys);
        assert_eq!(v["status"], "failed");
        assert!(v["reason"]
            .as_str()
            .unwrap()
            .contains("keyid `other` is not among"));

        assert_eq!(verdict(Some(&good), &[])["status"], "failed");
    }

    #[test]
    fn ed25519_envelopes() {
        use ed25519_dalek::Signer as _;
        let signing = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let der = [
            &[
                0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
            ][..],
            signing.verifying_key().as_bytes(),
        ]
        .concat();
        let pem =
            pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der).unwrap();
        round_trip(&pem, &|m| signing.sign(m).to_bytes().to_vec(), "ed25519");
    }

    #[test]
    fn ecdsa_p256_envelopes() {
        let signing = p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap();
        // SubjectPublicKeyInfo: id-ecPublicKey, prime256v1, the uncompressed point.
        let der = [
            &hex::decode("3059301306072a8648ce3d020106082a8648ce3d030107034200").unwrap()[..],
            signing.verifying_key().to_encoded_point(false).as_bytes(),
        ]
        .concat();
        let pem =
            pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der).unwrap();
        round_trip(
            &pem,
            &|m| {
                let s: p256::ecdsa::Signature = signing.sign(m);
                s.to_der().as_bytes().to_vec()
            },
            "ecdsa-p256-sha256",
        );
        // The fixed-size encoding is read too.
        let key = TrustedKey::from_pem("k", &pem).unwrap();
        let message = pae("t", b"x");
        let s: p256::ecdsa::Signature = signing.sign(&message);
        assert!(key.verifies(&message, &s.to_bytes()));
    }

    #[test]
    fn rsa_pkcs1_and_pss_envelopes() {
        let private = rsa_key();
        let pem = pem_of(&private.to_public_key());
        let pkcs1 = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(private.clone());
        round_trip(&pem, &|m| pkcs1.sign(m).to_vec(), "rsa-sha256");
        let pss = rsa::pss::SigningKey::<rsa::sha2::Sha256>::new(private);
        round_trip(
            &pem,
            &|m| {
                let mut rng = rand::rngs::StdRng::seed_from_u64(1);
                pss.sign_with_rng(&mut rng, m).to_vec()
            },
            "rsa-sha256",
        );
    }

    #[test]
    fn bare_statements_and_bad_keys() {
        let v = verdict(None, &[]);
        assert_eq!(v["status"], "unsigned");
        let empty = envelope(b"{}", vec![]);
        assert_eq!(
            verdict(Some(&empty), &[])["reason"],
            "the DSSE envelope has no signatures"
        );
        let not_base64 = Envelope {
            signatures: vec![Signature {
                keyid: String::new(),
                sig: None,
            }],
            ..empty
        };
        assert!(verdict(Some(&not_base64), &[])["reason"]
            .as_str()
            .unwrap()
            .contains("not base64"));
        assert!(TrustedKey::from_pem("k", "hello").is_err());
        let certificate =
            pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, b"x").unwrap();
        let error = TrustedKey::from_pem("k", &certificate).err().unwrap();
        assert!(error.contains("`CERTIFICATE`"), "{error}");
    }

    #[test]
    fn signatures_past_the_limit_are_not_checked() {
        let signatures = (0..MAX_SIGNATURES + 2).map(|_| ("", vec![1; 64])).collect();
        let v = verdict(Some(&envelope(b"{}", signatures)), &[]);
        assert_eq!(
            v["signatures"].as_array().unwrap().len(),
            MAX_SIGNATURES + 2
        );
        assert!(v["signatures"][MAX_SIGNATURES]["reason"]
            .as_str()
            .unwrap()
            .starts_with("not checked"));
    }

    #[test]
    fn pae_follows_the_spec() {
        // The example of the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
    }
}
