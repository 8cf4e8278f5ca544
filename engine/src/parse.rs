//! Reading assay's own YAML files (controls, mappings, config) with positions, so that every
//! error can name file:line:column.

use assay_collectors::formats::yaml;
use assay_collectors::LineMap;
use serde_json::Value;

use crate::diag::Diagnostic;
use crate::schema::{validate, SchemaKind};

/// A parsed file with the position of each node.
#[derive(Debug, Clone)]
pub struct LocatedValue {
    pub file: String,
    pub value: Value,
    pub lines: LineMap,
    /// The source text, as written.
    pub text: String,
}

impl LocatedValue {
    /// The line of the node at `pointer` (or its nearest ancestor), 1 when unknown.
    pub fn line(&self, pointer: &str) -> u32 {
        self.lines.line(pointer).unwrap_or(1)
    }

    /// A diagnostic located at the node `pointer`.
    pub fn diagnostic(&self, pointer: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(&self.file, message)
            .at(self.lines.position(pointer))
            .key(if pointer.is_empty() { "/" } else { pointer })
    }
}

/// Parses one YAML document from `bytes` and validates it against `schema`.
pub fn read_yaml(
    file: &str,
    bytes: &[u8],
    schema: SchemaKind,
) -> Result<LocatedValue, Vec<Diagnostic>> {
    let (doc, errors) = read_yaml_unchecked(file, bytes, schema)?;
    if errors.is_empty() {
        Ok(doc)
    } else {
        Err(errors)
    }
}

/// Like [`read_yaml`], but hands back the parsed document beside its schema violations, so
/// that callers can report further problems of the same file in the same run.
pub fn read_yaml_unchecked(
    file: &str,
    bytes: &[u8],
    schema: SchemaKind,
) -> Result<(LocatedValue, Vec<Diagnostic>), Vec<Diagnostic>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        vec![Diagnostic::new(file, format!("not UTF-8 text: {e}")).hint("save the file as UTF-8")]
    })?;
    let mut docs = yaml::parse(text).map_err(|e| {
        vec![
            Diagnostic::new(file, format!("invalid YAML: {}", e.message))
                .at(Some(e.position))
                .hint("fix the YAML syntax at this position"),
        ]
    })?;
    if docs.len() != 1 {
        return Err(vec![Diagnostic::new(
            file,
            format!("expected exactly one YAML document, found {}", docs.len()),
        )
        .hint("a file holds one control, mapping or config")]);
    }
    let doc = docs.remove(0);
    let located = LocatedValue {
        file: file.to_string(),
        value: doc.data,
        lines: doc.lines,
        text: text.to_string(),
    };
    let errors = validate(schema, file, &located.value, &located.lines);
    Ok((located, errors))
}
