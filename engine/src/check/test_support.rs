//! Helpers for unit tests of checks: a control document from YAML, a config document to judge.

use std::sync::Arc;

use assay_collectors::formats::yaml;
use assay_collectors::{Document, EvidenceKind, Format};

use crate::diag::Diagnostic;
use crate::parse::{read_yaml_unchecked, LocatedValue};
use crate::schema::SchemaKind;

/// A control document whose `check:` is `check` (YAML, indented by the caller to sit under
/// `check:`), with its schema violations.
pub fn control(check: &str) -> (LocatedValue, Vec<Diagnostic>) {
    let text = format!(
        "id: t\ntitle: T\ndescription: D\nfamily: f\nseverity: low\nremediation: R\ncheck:\n{check}"
    );
    read_yaml_unchecked("t.yaml", text.as_bytes(), SchemaKind::Control).expect("parses")
}

/// The documents of a YAML configuration file at `path`.
pub fn documents(path: &str, text: &str) -> Vec<Document> {
    yaml::parse(text)
        .expect("valid YAML")
        .into_iter()
        .enumerate()
        .map(|(index, parsed)| Document {
            kind: EvidenceKind::Config,
            format: Format::Yaml,
            path: Arc::from(path),
            index,
            data: parsed.data,
            lines: parsed.lines,
            digest: Arc::from("0"),
            suppressions: Arc::from(Vec::new()),
        })
        .collect()
}
