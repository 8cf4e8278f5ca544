//! Build provenance: in-toto statements (v0.1 and v1, bare or in a DSSE envelope) with SLSA
//! provenance predicates, whether their subjects' digests match the artifacts they name, whether
//! their envelope's signatures verify with the configured keys, and their SLSA Build level.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256, Sha512};

use super::dsse::{self, Envelope};
use super::settings::Plan;
use super::slsa;
use crate::confine;
use crate::formats::{self, ParseError};
use crate::lines::{LineMap, Position};

/// The in-toto statement types understood.
const STATEMENT_TYPES: [&str; 2] = [
    "https://in-toto.io/Statement/v1",
    "https://in-toto.io/Statement/v0.1",
];

/// One statement read from a file, with where it sits.
#[derive(Debug)]
pub struct Statement {
    pub statement: Value,
    /// The DSSE envelope it came in, if any.
    pub envelope: Option<Envelope>,
    /// Line of the statement (or its envelope) in the file.
    pub line: u32,
    /// Lines of the statement's own nodes when it was plain JSON in the file.
    pub lines: Option<LineMap>,
}

/// Whether a file name marks a provenance statement, and whether it holds one per line.
pub fn is_statement_file(lower_name: &str) -> Option<bool> {
    if lower_name.ends_with(".intoto.jsonl") {
        Some(true)
    } else if lower_name.ends_with(".intoto.json")
        || lower_name.ends_with(".provenance.json")
        || lower_name == "provenance.json"
    {
        Some(false)
    } else {
        None
    }
}

/// Whether the first bytes of a JSON file are those of an in-toto statement or envelope.
pub fn looks_like_statement(head: &str) -> bool {
    head.contains("\"https://in-toto.io/Statement/")
        || head.contains("\"application/vnd.in-toto+json\"")
}

/// Base64 in the standard or URL-safe alphabet, padded or not.
fn decode_base64(payload: &str) -> Option<Vec<u8>> {
    let config = base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    [base64::alphabet::STANDARD, base64::alphabet::URL_SAFE]
        .iter()
        .find_map(|alphabet| {
            base64::engine::GeneralPurpose::new(alphabet, config)
                .decode(payload.trim())
                .ok()
        })
}

/// Unwraps a DSSE envelope (also inside a Sigstore bundle's `dsseEnvelope`) or returns the
/// statement as it is.
fn unwrap(value: Value, line: u32, lines: Option<LineMap>) -> Result<Statement, ParseError> {
    let envelope = value.get("dsseEnvelope").cloned().unwrap_or(value);
    if let Some(payload) = envelope.get("payload").and_then(Value::as_str) {
        let bytes = decode_base64(payload)
            .ok_or_else(|| ParseError::new(Position::new(line, 1), "DSSE payload is not base64"))?;
        let statement: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ParseError::new(
                Position::new(line, 1),
                format!("DSSE payload is not JSON: {e}"),
            )
        })?;
        let signatures = envelope
            .get("signatures")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|s| dsse::Signature {
                keyid: s
                    .get("keyid")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                sig: s.get("sig").and_then(Value::as_str).and_then(decode_base64),
            })
            .collect();
        let payload_type = envelope
            .get("payloadType")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        return Ok(Statement {
            statement,
            envelope: Some(Envelope {
                payload_type,
                payload: bytes,
                signatures,
            }),
            line,
            lines: None,
        });
    }
    Ok(Statement {
        statement: envelope,
        envelope: None,
        line,
        lines,
    })
}

/// Reads the statements of a file: one JSON document, or one per line.
pub fn read(text: &str, per_line: bool) -> Result<Vec<Statement>, ParseError> {
    let mut out = Vec::new();
    if per_line {
        for (i, raw) in text.lines().enumerate() {
            let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if raw.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(raw).map_err(|e| {
                ParseError::new(
                    Position::new(line, u32::try_from(e.column()).unwrap_or(1)),
                    format!("invalid JSON: {e}"),
                )
            })?;
            out.push(unwrap(value, line, None)?);
        }
    } else {
        let parsed = formats::json::parse(text)?;
        let line = parsed.lines.line("").unwrap_or(1);
        out.push(unwrap(parsed.data, line, Some(parsed.lines))?);
    }
    for statement in &out {
        let kind = statement
            .statement
            .get("_type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !STATEMENT_TYPES.contains(&kind) {
            return Err(ParseError::new(
                Position::new(statement.line, 1),
                format!(
                    "not an in-toto statement: `_type` is `{kind}`, expected one of {}",
                    STATEMENT_TYPES.join(", ")
                ),
            ));
        }
    }
    Ok(out)
}

/// Files of the scan root by base name, to find artifacts named without their folder.
pub type FileIndex = BTreeMap<String, Vec<String>>;

/// Where a subject's artifact is: next to the statement, at the root, or the only file of that
/// name anywhere under the root.
fn locate(name: &str, statement_dir: &str, index: &FileIndex, root: &Path) -> Option<String> {
    let name = name.trim_start_matches("./");
    let beside = if statement_dir.is_empty() {
        name.to_string()
    } else {
        format!("{statement_dir}/{name}")
    };
    [beside, name.to_string()]
        .into_iter()
        .find(|candidate| confine::is_file(root, candidate))
        .or_else(|| {
            let base = name.rsplit('/').next().unwrap_or(name);
            match index.get(base).map(Vec::as_slice) {
                Some([only]) => Some(only.clone()),
                _ => None,
            }
        })
}

/// The digest of the root-relative `path`, read confined to `root`.
pub fn file_digest(root: &Path, path: &str, algorithm: &str) -> Option<String> {
    let (mut file, _) = confine::open(root, path, u64::MAX).ok()?;
    let mut buf = vec![0; 1 << 16];
    macro_rules! hash_with {
        ($hasher:expr) => {{
            let mut hasher = $hasher;
            loop {
                let n = file.read(&mut buf).ok()?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
            }
            Some(hex::encode(hasher.finalize()))
        }};
    }
    match algorithm {
        "sha256" => hash_with!(Sha256::new()),
        "sha512" => hash_with!(Sha512::new()),
        _ => None,
    }
}

/// The facts of one statement: its types, builder, each subject checked against the files
/// under `root`, its signature verdict and SLSA level under `plan`. `statement_dir` is the
/// root-relative folder of the statement file.
pub fn facts(
    statement: &Statement,
    statement_dir: &str,
    index: &FileIndex,
    root: &Path,
    plan: &Plan,
) -> (Value, LineMap) {
    let s = &statement.statement;
    let mut lines = LineMap::new();
    let base = Position::new(statement.line, 1);
    lines.insert(String::new(), base);
    let source_line = |pointer: &str| {
        statement
            .lines
            .as_ref()
            .and_then(|l| l.position(pointer))
            .unwrap_or(base)
    };
    let predicate_type = s
        .get("predicateType")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let predicate = s.get("predicate").cloned().unwrap_or(Value::Null);
    let builder = predicate
        .pointer("/runDetails/builder/id")
        .or_else(|| predicate.pointer("/builder/id"))
        .or_else(|| predicate.pointer("/verifier/id"))
        .and_then(Value::as_str);
    let (mut matched, mut mismatched, mut unverified) = (0u64, 0u64, 0u64);
    let subjects: Vec<Value> = s
        .get("subject")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .enumerate()
        .map(|(i, subject)| {
            lines.insert(
                format!("/subjects/{i}"),
                source_line(&format!("/subject/{i}")),
            );
            let name = subject
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let digests: BTreeMap<String, String> = subject
                .get("digest")
                .and_then(Value::as_object)
                .map(|d| {
                    d.iter()
                        .filter_map(|(k, v)| {
                            Some((k.to_ascii_lowercase(), v.as_str()?.to_ascii_lowercase()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut facts = Map::new();
            facts.insert("name".into(), json!(name));
            facts.insert("digest".into(), json!(digests));
            let artifact = locate(name, statement_dir, index, root);
            let verdict = artifact.as_ref().and_then(|path| {
                ["sha256", "sha512"].iter().find_map(|alg| {
                    let wanted = digests.get(*alg)?;
                    let actual = file_digest(root, path, alg)?;
                    Some(actual == *wanted)
                })
            });
            facts.insert("artifact".into(), json!(artifact));
            facts.insert("found".into(), json!(artifact.is_some()));
            facts.insert("matches".into(), json!(verdict));
            match verdict {
                Some(true) => matched += 1,
                Some(false) => mismatched += 1,
                None => unverified += 1,
            }
            Value::Object(facts)
        })
        .collect();
    let signature = dsse::verdict(statement.envelope.as_ref(), &plan.keys);
    let levels = slsa::facts(
        predicate_type,
        &predicate,
        builder,
        signature["status"] == "verified",
        &plan.builders,
    );
    let mut data = json!({
        "type": "provenance",
        "statement_type": s.get("_type"),
        "predicate_type": predicate_type,
        "slsa": predicate_type.starts_with("https://slsa.dev/provenance/"),
        "builder": builder,
        "signatures": statement.envelope.as_ref().map(|e| e.signatures.len()),
        "signature": signature,
        "subject_count": subjects.len(),
        "subjects": subjects,
        "matched": matched,
        "mismatched": mismatched,
        "unverified": unverified,
    });
    if let (Value::Object(data), Value::Object(levels)) = (&mut data, levels) {
        data.extend(levels);
    }
    lines.insert("/subjects".into(), source_line("/subject"));
    (data, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_and_bare_statements() {
        let statement = json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "app.bin", "digest": {"sha256": "00"}}],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {"runDetails": {"builder": {"id": "https://ci.example/builder"}}}
        });
        let payload = base64::engine::general_purpose::STANDARD.encode(statement.to_string());
        let envelope = json!({"payloadType": "application/vnd.in-toto+json", "payload": payload,
                              "signatures": [{"sig": "x"}]});
        let text = format!("{envelope}\n\n{statement}\n");
        let read = read(&text, true).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].envelope.as_ref().unwrap().signatures.len(), 1);
        assert_eq!(read[0].envelope.as_ref().unwrap().signatures[0].sig, None);
        assert_eq!(read[1].line, 3);
        assert_eq!(read[0].statement, statement);

        let error = read_one("{\"_type\": \"x\"}").unwrap_err();
        assert!(error.message.contains("not an in-toto statement"));
    }

    fn read_one(text: &str) -> Result<Vec<Statement>, ParseError> {
        read(text, false)
    }

    #[test]
    fn subjects_are_checked_against_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        std::fs::write(dir.path().join("dist/app.bin"), b"binary").unwrap();
        let good = hex::encode(Sha256::digest(b"binary"));
        let text = json!({
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": "https://slsa.dev/provenance/v0.2",
            "predicate": {"builder": {"id": "b"}},
            "subject": [
                {"name": "app.bin", "digest": {"sha256": good}},
                {"name": "dist/app.bin", "digest": {"sha256": "ff"}},
                {"name": "missing.tar", "digest": {"sha256": good}}
            ]
        })
        .to_string();
        let statements = read_one(&text).unwrap();
        let mut index = FileIndex::new();
        index.insert("app.bin".into(), vec!["dist/app.bin".into()]);
        let plan = Plan::new(None).unwrap();
        let (facts, _) = super::facts(&statements[0], "", &index, dir.path(), &plan);
        assert_eq!(facts["slsa"], true);
        assert_eq!(facts["builder"], "b");
        assert_eq!(facts["signature"]["status"], "unsigned");
        assert_eq!(facts["builder_trusted"], false);
        assert_eq!(facts["subjects"][0]["artifact"], "dist/app.bin");
        assert_eq!(facts["subjects"][0]["matches"], true);
        assert_eq!(facts["subjects"][1]["matches"], false);
        assert_eq!(facts["subjects"][2]["found"], false);
        assert_eq!(
            (
                facts["matched"].clone(),
                facts["mismatched"].clone(),
                facts["unverified"].clone()
            ),
            (json!(1), json!(1), json!(1))
        );
    }
}
