//! Attestation checks: a control no machine can judge (physical security, training, screening)
//! is met when a person has attested it in the attestation folder and the attestation holds.
//!
//! One finding per control: `pass` for each attestation in force, located at its file (with
//! a `warn` when the last of them expires within `renew_within_days`); when none is in force,
//! `fail` for each expired, too old or incomplete one, or a single `fail` naming the file that
//! is missing. An attestation whose signature is invalid never counts; an unsigned or untrusted
//! one counts unless `attestations.require_signature` is set. Each finding on an attestation
//! carries the verdict on its signature.

use assay_collectors::{Document, EvidenceKind};
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::model::{Finding, FindingStatus, Location};
use crate::parse::LocatedValue;
use crate::signed_attestation::{Status, Verdict};

/// The shortest statement that counts, in characters: a word or two says nothing of what
/// is in place.
pub const MIN_STATEMENT_CHARS: usize = 30;

/// A compiled `attestation` check.
#[derive(Debug)]
pub struct Attestation {
    control: String,
    max_age_days: Option<i64>,
    evidence_required: bool,
    renew_within_days: i64,
}

/// How many days before its expiry an attestation in force draws a warning, by default.
const RENEW_WITHIN_DAYS: i64 = 30;

impl Attestation {
    /// Compiles the `attestation` mapping at `pointer` of a control document.
    pub fn compile(doc: &LocatedValue, pointer: &str) -> Result<Attestation, Vec<Diagnostic>> {
        let spec = doc.value.pointer(pointer);
        let control = doc.value["id"].as_str().unwrap_or_default().to_string();
        Ok(Attestation {
            control,
            max_age_days: spec
                .and_then(|s| s.get("max_age_days"))
                .and_then(Value::as_i64),
            evidence_required: spec
                .and_then(|s| s.get("evidence_required"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            renew_within_days: spec
                .and_then(|s| s.get("renew_within_days"))
                .and_then(Value::as_i64)
                .unwrap_or(RENEW_WITHIN_DAYS),
        })
    }

    /// How old an attestation may be before it no longer counts, when the control says.
    /// Whether an attestation must attach at least one evidence file.
    pub fn evidence_required(&self) -> bool {
        self.evidence_required
    }

    pub fn max_age_days(&self) -> Option<i64> {
        self.max_age_days
    }

    /// The evidence kinds the check reads.
    pub fn evidence(&self) -> Vec<EvidenceKind> {
        vec![EvidenceKind::Attestation]
    }

    /// Judges the attestations that name this control.
    pub fn evaluate(&self, documents: &[Document]) -> Vec<Finding> {
        let attestations: Vec<&Document> = documents
            .iter()
            .filter(|d| d.kind == EvidenceKind::Attestation && d.data["kind"] == "Attestation")
            .filter(|d| {
                d.data["controls"]
                    .as_array()
                    .is_some_and(|cs| cs.iter().any(|c| c == self.control.as_str()))
            })
            .collect();
        let judged: Vec<Finding> = attestations.iter().map(|d| self.judge(d)).collect();
        let in_force: Vec<(&Document, &Finding)> = attestations
            .iter()
            .copied()
            .zip(&judged)
            .filter(|(_, f)| f.status == FindingStatus::Pass)
            .collect();
        if !in_force.is_empty() {
            // Renewal is due when even the longest-running attestation expires soon.
            let latest = in_force
                .iter()
                .max_by_key(|(d, _)| d.data["days_to_expiry"].as_i64().unwrap_or(i64::MAX));
            let mut findings: Vec<Finding> = in_force.iter().map(|(_, f)| (*f).clone()).collect();
            if let Some((doc, pass)) = latest {
                let days = doc.data["days_to_expiry"].as_i64().unwrap_or(i64::MAX);
                if days <= self.renew_within_days {
                    findings.push(Finding {
                        status: FindingStatus::Warn,
                        message: format!(
                            "attestation expires on {}, in {days} day{}: renew it",
                            doc.data["expires"].as_str().unwrap_or_default(),
                            if days == 1 { "" } else { "s" }
                        ),
                        ..(*pass).clone()
                    });
                }
            }
            return findings;
        }
        if !judged.is_empty() {
            return judged;
        }
        let dir = documents
            .iter()
            .find(|d| d.kind == EvidenceKind::Attestation && d.data["kind"] == "AttestationFolder")
            .and_then(|d| d.data["dir"].as_str())
            .unwrap_or(assay_collectors::attestation::DEFAULT_DIR);
        let file = if dir.is_empty() {
            format!("{}.yaml", self.control)
        } else {
            format!("{dir}/{}.yaml", self.control)
        };
        vec![Finding {
            status: FindingStatus::Fail,
            resource: Some(self.control.clone()),
            message: format!(
                "not attested: no attestation names `{}`; write `{file}` with statement, attested_by, date and expires",
                self.control
            ),
            location: Some(Location {
                path: file,
                line: None,
            }),
            evidence: Vec::new(),
            item: 0,
            signature: None,
        }]
    }

    /// One attestation: in force, or why not.
    fn judge(&self, doc: &Document) -> Finding {
        let data = &doc.data;
        let who = attester(&data["attested_by"]);
        let date = data["date"].as_str().unwrap_or_default();
        let expires = data["expires"].as_str().unwrap_or_default();
        let evidence = data["evidence"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let missing: Vec<&str> = evidence
            .iter()
            .filter(|e| e["present"] != true)
            .filter_map(|e| e["path"].as_str())
            .collect();
        let said = data["statement"]
            .as_str()
            .unwrap_or_default()
            .trim()
            .chars()
            .count();
        let signature = Verdict::of(data);
        let problem = if said < MIN_STATEMENT_CHARS {
            Some(format!(
                "attestation by {who} states too little ({said} characters, at least {MIN_STATEMENT_CHARS}): say what is in place and how it is known"
            ))
        } else if data["expired"] == true {
            Some(format!("attestation by {who} expired on {expires}"))
        } else if let Some(max) = self
            .max_age_days
            .filter(|max| data["age_days"].as_i64().is_some_and(|age| age > *max))
        {
            Some(format!(
                "attestation by {who} dates from {date}, older than the {max} days this control allows"
            ))
        } else if !missing.is_empty() {
            Some(format!(
                "attestation by {who} names evidence that is not there: {}",
                missing.join(", ")
            ))
        } else if self.evidence_required && evidence.is_empty() {
            Some(format!(
                "attestation by {who} attaches no evidence; this control requires at least one file"
            ))
        } else if signature.status == Status::Invalid {
            Some(format!(
                "attestation by {who} does not count: its signature is invalid ({})",
                signature.reason.as_deref().unwrap_or_default()
            ))
        } else if !signature.counts() {
            Some(format!(
                "attestation by {who} does not count: it is {} and attestations.require_signature is set; sign it with `assay attest --sign-key` by a key in attestations.allowed_signers",
                signature.label()
            ))
        } else {
            None
        };
        let mut digests: Vec<String> = doc.evidence_digest().into_iter().collect();
        digests.extend(
            evidence
                .iter()
                .filter_map(|e| e["sha256"].as_str().map(str::to_string)),
        );
        Finding {
            status: if problem.is_some() {
                FindingStatus::Fail
            } else {
                FindingStatus::Pass
            },
            resource: Some(self.control.clone()),
            message: problem.unwrap_or_else(|| {
                format!(
                    "attested by {who} on {date}, in force until {expires} ({}): {}",
                    signature.label(),
                    data["statement"].as_str().unwrap_or_default()
                )
            }),
            location: Some(Location {
                path: doc.path.to_string(),
                line: Some(doc.line("/statement")),
            }),
            evidence: digests,
            item: 0,
            signature: Some(signature),
        }
    }
}

/// `Name (Role)`, or just the name.
fn attester(value: &Value) -> String {
    let name = value["name"].as_str().unwrap_or("someone");
    match value["role"].as_str() {
        Some(role) => format!("{name} ({role})"),
        None => name.to_string(),
    }
}
