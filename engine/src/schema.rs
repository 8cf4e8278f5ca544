//! The JSON Schemas that define assay's file formats, and validation that turns schema errors
//! into located [`Diagnostic`]s.

use std::sync::LazyLock;

use assay_collectors::LineMap;
use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;
use serde_json::Value;

use crate::diag::{did_you_mean, Diagnostic};

/// A file format of assay with its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    Control,
    Mapping,
    Config,
    Results,
    Waivers,
    /// The org manifest, `assay-org.yaml`.
    Org,
}

impl SchemaKind {
    /// The schema text, as checked into `schemas/`.
    pub fn source(self) -> &'static str {
        match self {
            SchemaKind::Control => include_str!("../../schemas/control.schema.json"),
            SchemaKind::Mapping => include_str!("../../schemas/mapping.schema.json"),
            SchemaKind::Config => include_str!("../../schemas/config.schema.json"),
            SchemaKind::Results => include_str!("../../schemas/results.schema.json"),
            SchemaKind::Waivers => include_str!("../../schemas/waivers.schema.json"),
            SchemaKind::Org => include_str!("../../schemas/org.schema.json"),
        }
    }

    fn schema(self) -> &'static Value {
        static SCHEMAS: LazyLock<[Value; 6]> = LazyLock::new(|| {
            [
                SchemaKind::Control,
                SchemaKind::Mapping,
                SchemaKind::Config,
                SchemaKind::Results,
                SchemaKind::Waivers,
                SchemaKind::Org,
            ]
            .map(|k| serde_json::from_str(k.source()).expect("embedded schema is valid JSON"))
        });
        &SCHEMAS[self as usize]
    }

    fn validator(self) -> &'static Validator {
        static VALIDATORS: LazyLock<[Validator; 6]> = LazyLock::new(|| {
            [
                SchemaKind::Control,
                SchemaKind::Mapping,
                SchemaKind::Config,
                SchemaKind::Results,
                SchemaKind::Waivers,
                SchemaKind::Org,
            ]
            .map(|k| jsonschema::validator_for(k.schema()).expect("embedded schema compiles"))
        });
        &VALIDATORS[self as usize]
    }
}

/// Validates `value` (parsed from `file`, with `lines`) and returns every violation.
pub fn validate(kind: SchemaKind, file: &str, value: &Value, lines: &LineMap) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = kind
        .validator()
        .iter_errors(value)
        .map(|error| {
            let pointer = error.instance_path().as_str().to_string();
            let context = Context {
                kind,
                file,
                pointer: &pointer,
                schema_path: error.schema_path().as_str(),
                value,
                lines,
            };
            context.describe(error.kind(), &error.to_string())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Where a schema violation happened, in the instance and in the schema.
struct Context<'a> {
    kind: SchemaKind,
    file: &'a str,
    pointer: &'a str,
    schema_path: &'a str,
    value: &'a Value,
    lines: &'a LineMap,
}

impl Context<'_> {
    fn diagnostic(&self, pointer: &str, message: String) -> Diagnostic {
        let key = if pointer.is_empty() { "/" } else { pointer };
        Diagnostic::new(self.file, message)
            .at(self.lines.position(pointer))
            .key(key)
    }

    /// The schema object holding the failed keyword.
    fn schema_object(&self) -> Option<&'static Value> {
        let parent = self.schema_path.rsplit_once('/').map_or("", |(p, _)| p);
        self.kind.schema().pointer(parent)
    }

    fn describe(&self, error: &ValidationErrorKind, fallback: &str) -> Diagnostic {
        let pointer = self.pointer;
        match error {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let key = unexpected.first().cloned().unwrap_or_default();
                let key_pointer = assay_collectors::pointer_push(pointer, &key);
                let known: Vec<String> = self
                    .schema_object()
                    .and_then(|s| s.get("properties"))
                    .and_then(Value::as_object)
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default();
                let mut d = self
                    .diagnostic(&key_pointer, format!("unknown key `{key}`"))
                    .expected(format!("one of {}", backticked(&known)));
                d = match did_you_mean(&key, known.iter().map(String::as_str)) {
                    Some(close) => d.hint(format!("did you mean `{close}`?")),
                    None => d.hint("remove the key: unknown keys are errors, never ignored"),
                };
                d
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                self.diagnostic(pointer, format!("missing required key `{name}`"))
                    .expected(format!("`{name}` to be set"))
                    .hint(format!("add `{name}:` to this mapping"))
            }
            ValidationErrorKind::Enum { options } => {
                let choices: Vec<String> = options
                    .as_array()
                    .map(|a| a.iter().map(display_value).collect())
                    .unwrap_or_default();
                let given = self.value.pointer(pointer).map(display_value);
                let mut d = self
                    .diagnostic(
                        pointer,
                        format!("invalid value `{}`", given.as_deref().unwrap_or("?")),
                    )
                    .expected(format!("one of {}", backticked(&choices)));
                if let Some(close) = given
                    .as_deref()
                    .and_then(|g| did_you_mean(g, choices.iter().map(String::as_str)))
                {
                    d = d.hint(format!("did you mean `{close}`?"));
                }
                d
            }
            ValidationErrorKind::Type { kind } => {
                let expected = format!("{kind:?}")
                    .to_lowercase()
                    .replace("single(", "")
                    .replace("multiple(", "")
                    .replace(')', "");
                self.diagnostic(pointer, "wrong type".to_string())
                    .expected(format!("a value of type {expected}"))
            }
            _ => {
                let quoted = self.value.pointer(pointer).map(Value::to_string);
                let message =
                    assay_collectors::dlp::excerpt_in(fallback, &quoted.unwrap_or_default());
                self.diagnostic(pointer, message)
            }
        }
    }
}

/// A value as quoted in a message: a short, redacted excerpt.
fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => assay_collectors::dlp::excerpt(s),
        other => assay_collectors::dlp::excerpt(&other.to_string()),
    }
}

fn backticked(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
