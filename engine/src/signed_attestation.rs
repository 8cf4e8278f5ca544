//! Signed attestations: the bytes an attestation's signature covers, the signers a project
//! trusts (`attestations:` in `assay.yaml`), and the verdict on each attestation's signature.
//!
//! The signature is a detached ed25519 signature (the key machinery of packs, see
//! [`crate::pack::sign`]) over [`message`]: the controls, statement, attester, dates and each
//! evidence file's sha256. Changing any of them, or an evidence file, breaks it.

use assay_collectors::{Document, EvidenceKind};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::model::{Finding, FindingStatus};
use crate::pack::sign::{parse_public_key, public_hex, verify_detached, ALGORITHM};

/// What the signed bytes start with, so that no other signed message can pass for one.
const DOMAIN: &str = "assay attestation v1\n";

/// The key `annotate` writes its verdict under in an attestation document's data.
pub const VERDICT: &str = "signature_check";

/// `attestations:` in `assay.yaml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationSettings {
    /// The people whose signatures make an attestation `signed`.
    #[serde(default)]
    pub allowed_signers: Vec<AllowedSigner>,
    /// Only attestations signed by an allowed signer count (default false).
    #[serde(default)]
    pub require_signature: bool,
}

/// One trusted signer: who they are and their public key (64 hex digits).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedSigner {
    pub name: String,
    pub email: Option<String>,
    pub public_key: String,
}

/// The signature status of one attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A valid signature by an allowed signer who is the attester.
    Signed,
    /// A signature that does not verify, or by an allowed signer who is not the attester.
    Invalid,
    /// A valid signature by a key not among the allowed signers.
    Untrusted,
    /// No signature.
    Unsigned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Signed => "signed",
            Status::Invalid => "invalid",
            Status::Untrusted => "untrusted",
            Status::Unsigned => "unsigned",
        }
    }
}

/// The verdict on one attestation's signature, as recorded in findings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Verdict {
    pub status: Status,
    /// The allowed signer (`Name <email>`), for `signed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// The signing key (hex), when there is a signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Why the signature does not count, for `invalid` and `untrusted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether `attestations.require_signature` is set.
    pub required: bool,
}

impl Verdict {
    /// Whether the attestation may count: a signature that does not hold never does; without
    /// a trusted signature it counts only when signatures are not required.
    pub fn counts(&self) -> bool {
        match self.status {
            Status::Signed => true,
            Status::Invalid => false,
            Status::Untrusted | Status::Unsigned => !self.required,
        }
    }

    /// A short label: `signed by Dana Reyes <dana@example.com>`, `unsigned`, …
    pub fn label(&self) -> String {
        match (self.status, &self.signer, &self.public_key) {
            (Status::Signed, Some(signer), _) => format!("signed by {signer}"),
            (Status::Untrusted, _, Some(key)) => {
                let start: String = key.chars().take(16).collect();
                format!("untrusted signature by key {start}…")
            }
            (status, _, _) => status.as_str().to_string(),
        }
    }

    /// The verdict `annotate` recorded in an attestation document, or `unsigned`.
    pub fn of(data: &Value) -> Verdict {
        serde_json::from_value(data[VERDICT].clone()).unwrap_or(Verdict {
            status: Status::Unsigned,
            signer: None,
            public_key: None,
            reason: None,
            required: false,
        })
    }
}

/// The labels of the attestations in force among `findings` (`signed by …`, `unsigned`, …),
/// deduplicated, in order; empty when none is in force.
pub fn in_force_labels(findings: &[Finding]) -> Vec<String> {
    let mut labels: Vec<String> = findings
        .iter()
        .filter(|f| f.status == FindingStatus::Pass)
        .filter_map(|f| f.signature.as_ref().map(Verdict::label))
        .collect();
    labels.dedup();
    labels
}

/// The signed content of an attestation, in a fixed field order.
#[derive(Serialize)]
struct Signed<'a> {
    controls: Vec<&'a str>,
    statement: &'a str,
    attested_by: Attester<'a>,
    date: &'a str,
    expires: &'a str,
    evidence: Vec<Evidence<'a>>,
}

#[derive(Serialize)]
struct Attester<'a> {
    name: &'a str,
    role: Option<&'a str>,
    email: Option<&'a str>,
}

#[derive(Serialize)]
struct Evidence<'a> {
    path: &'a str,
    sha256: Option<&'a str>,
}

/// The bytes an attestation's signature covers, from its facts as the attestation collector
/// gives them (`controls`, `statement`, `attested_by`, `date`, `expires`, `evidence`).
pub fn message(data: &Value) -> Vec<u8> {
    let signed = Signed {
        controls: data["controls"]
            .as_array()
            .map(|cs| cs.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default(),
        statement: text(&data["statement"]).unwrap_or_default(),
        attested_by: Attester {
            name: text(&data["attested_by"]["name"]).unwrap_or_default(),
            role: text(&data["attested_by"]["role"]),
            email: text(&data["attested_by"]["email"]),
        },
        date: text(&data["date"]).unwrap_or_default(),
        expires: text(&data["expires"]).unwrap_or_default(),
        evidence: data["evidence"]
            .as_array()
            .map(|es| {
                es.iter()
                    .map(|e| Evidence {
                        path: e["path"].as_str().unwrap_or_default(),
                        sha256: e["sha256"].as_str(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let mut bytes = DOMAIN.as_bytes().to_vec();
    bytes.extend(serde_json::to_vec(&signed).expect("plain data serializes"));
    bytes
}

fn text(value: &Value) -> Option<&str> {
    value.as_str().map(str::trim)
}

/// Judges the signature of one attestation (its facts with the `signature` as written).
pub fn verify(data: &Value, settings: &AttestationSettings) -> Verdict {
    let mut verdict = Verdict {
        status: Status::Unsigned,
        signer: None,
        public_key: None,
        reason: None,
        required: settings.require_signature,
    };
    let signature = &data["signature"];
    if signature.is_null() {
        return verdict;
    }
    let invalid = |mut v: Verdict, reason: String| {
        v.status = Status::Invalid;
        v.reason = Some(reason);
        v
    };
    if let Some(algorithm) = signature["algorithm"].as_str() {
        if algorithm != ALGORITHM {
            return invalid(
                verdict,
                format!("unknown signature algorithm `{algorithm}`"),
            );
        }
    }
    let key = match parse_public_key(
        signature["public_key"].as_str().unwrap_or_default(),
        "the signature's public key",
    ) {
        Ok(key) => key,
        Err(e) => return invalid(verdict, e.lines().next().unwrap_or_default().to_string()),
    };
    let hex = public_hex(&key);
    verdict.public_key = Some(hex.clone());
    if let Err(e) = verify_detached(
        &key,
        signature["signature"].as_str().unwrap_or_default(),
        &message(data),
    ) {
        return invalid(
            verdict,
            format!(
                "{e} the statement, attester, dates and evidence files: they changed since signing"
            ),
        );
    }
    let Some(signer) = settings
        .allowed_signers
        .iter()
        .find(|s| parse_public_key(&s.public_key, "").is_ok_and(|k| k == key))
    else {
        verdict.status = Status::Untrusted;
        verdict.reason =
            Some("the signing key is not among attestations.allowed_signers".to_string());
        return verdict;
    };
    let name = data["attested_by"]["name"]
        .as_str()
        .unwrap_or_default()
        .trim();
    let email = data["attested_by"]["email"].as_str().map(str::trim);
    let who = match &signer.email {
        Some(e) => format!("{} <{e}>", signer.name),
        None => signer.name.clone(),
    };
    let email_differs =
        matches!((&signer.email, email), (Some(a), Some(b)) if !a.eq_ignore_ascii_case(b));
    if signer.name.trim() != name || email_differs {
        return invalid(
            verdict,
            format!("signed by allowed signer {who}, but attested_by names {name}"),
        );
    }
    verdict.status = Status::Signed;
    verdict.signer = Some(who);
    verdict
}

/// Records the verdict on every attestation document under [`VERDICT`], for the attestation
/// check to judge by.
pub fn annotate(documents: &mut [Document], settings: &AttestationSettings) {
    for doc in documents
        .iter_mut()
        .filter(|d| d.kind == EvidenceKind::Attestation && d.data["kind"] == "Attestation")
    {
        let verdict = verify(&doc.data, settings);
        doc.data[VERDICT] = json!(verdict);
    }
}

/// Checks `assay.yaml`'s allowed signers: each public key must parse.
pub fn check_settings(settings: &AttestationSettings) -> Result<(), String> {
    for (i, signer) in settings.allowed_signers.iter().enumerate() {
        parse_public_key(
            &signer.public_key,
            &format!("attestations.allowed_signers[{i}] ({})", signer.name),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::sign::sign_detached;
    use ed25519_dalek::SigningKey;

    fn facts() -> Value {
        json!({
            "controls": ["att-a"],
            "statement": "Doors are badged and visitor logs are kept for a year.",
            "attested_by": {"name": "Dana Reyes", "role": null, "email": "dana@example.com"},
            "date": "2026-03-01",
            "expires": "2027-03-01",
            "evidence": [{"path": "audit.txt", "present": true, "sha256": "ab"}],
        })
    }

    fn signed(key: &SigningKey) -> Value {
        let mut data = facts();
        let (public_key, signature) = sign_detached(key, &message(&data));
        data["signature"] = json!({"public_key": public_key, "signature": signature});
        data
    }

    fn settings(key: &SigningKey, name: &str) -> AttestationSettings {
        AttestationSettings {
            allowed_signers: vec![AllowedSigner {
                name: name.to_string(),
                email: Some("Dana@Example.com".to_string()),
                public_key: public_hex(&key.verifying_key()),
            }],
            require_signature: false,
        }
    }

    #[test]
    fn every_signed_field_changes_the_message() {
        let base = message(&facts());
        for (pointer, value) in [
            ("/controls/0", json!("att-b")),
            ("/statement", json!("Doors are badged.")),
            ("/attested_by/name", json!("Sam Okafor")),
            ("/attested_by/email", json!("sam@example.com")),
            ("/date", json!("2026-03-02")),
            ("/expires", json!("2027-03-02")),
            ("/evidence/0/sha256", json!("cd")),
            ("/evidence/0/path", json!("other.txt")),
        ] {
            let mut data = facts();
            *data.pointer_mut(pointer).unwrap() = value;
            assert_ne!(message(&data), base, "{pointer}");
        }
        // What the scan adds (ages, presence) is not signed.
        let mut data = facts();
        data["age_days"] = json!(12);
        assert_eq!(message(&data), base);
    }

    #[test]
    fn verdicts() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let data = signed(&key);
        let v = verify(&data, &settings(&key, "Dana Reyes"));
        assert_eq!(v.status, Status::Signed);
        assert_eq!(v.label(), "signed by Dana Reyes <Dana@Example.com>");
        assert!(v.counts());

        assert_eq!(
            verify(&data, &settings(&key, "Sam")).status,
            Status::Invalid
        );
        let other = SigningKey::from_bytes(&[8; 32]);
        let v = verify(&data, &settings(&other, "Dana Reyes"));
        assert_eq!(v.status, Status::Untrusted);
        assert!(v.counts());
        let mut required = settings(&other, "Dana Reyes");
        required.require_signature = true;
        assert!(!verify(&data, &required).counts());

        let mut tampered = data.clone();
        tampered["evidence"][0]["sha256"] = json!("cd");
        let v = verify(&tampered, &settings(&key, "Dana Reyes"));
        assert_eq!(v.status, Status::Invalid);
        assert!(!v.counts());

        let mut garbage = data.clone();
        garbage["signature"]["public_key"] = json!("zz");
        assert_eq!(
            verify(&garbage, &AttestationSettings::default()).status,
            Status::Invalid
        );

        assert_eq!(
            verify(&facts(), &AttestationSettings::default()).status,
            Status::Unsigned
        );
    }

    #[test]
    fn labels_of_hostile_recorded_verdicts_do_not_panic() {
        let v = Verdict {
            status: Status::Untrusted,
            signer: None,
            public_key: Some("ééééééééééééééééé".to_string()),
            reason: None,
            required: false,
        };
        assert!(v.label().starts_with("untrusted signature by key é"));
    }
}
