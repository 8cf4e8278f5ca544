//! One parser per config format. Each turns source text into [`Parsed`] documents whose
//! [`LineMap`] records the position of every node, or a [`ParseError`] with a position.

pub mod dockerfile;
pub mod dotenv;
pub mod hcl;
pub mod json;
pub mod toml;
pub mod yaml;

use serde_json::Value;
use thiserror::Error;

use crate::document::Format;
use crate::lines::{LineMap, Position};

/// One document parsed from a source file.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub data: Value,
    pub lines: LineMap,
}

/// A syntax error, with the position where the parser gave up.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct ParseError {
    pub position: Position,
    pub message: String,
}

impl ParseError {
    pub fn new(position: Position, message: impl Into<String>) -> Self {
        Self {
            position,
            message: message.into(),
        }
    }
}

/// Parses `text` in `format`.
pub fn parse(format: Format, text: &str) -> Result<Vec<Parsed>, ParseError> {
    match format {
        Format::Yaml => yaml::parse(text),
        Format::Json => json::parse(text).map(|d| vec![d]),
        Format::Toml => toml::parse(text).map(|d| vec![d]),
        Format::Hcl => hcl::parse(text).map(|d| vec![d]),
        Format::Dockerfile => dockerfile::parse(text).map(|d| vec![d]),
        Format::Dotenv => dotenv::parse(text).map(|d| vec![d]),
        Format::Jsonl | Format::Csv | Format::Xml | Format::TagValue => Err(ParseError::new(
            Position::new(1, 1),
            format!(
                "{} is read by the audit-log and SBOM collectors, not as configuration",
                format.as_str()
            ),
        )),
        Format::CloudFormation | Format::Arm => Err(ParseError::new(
            Position::new(1, 1),
            "CloudFormation and ARM views are built from parsed YAML and JSON templates",
        )),
        Format::Cedar => Err(ParseError::new(
            Position::new(1, 1),
            "Cedar access models are read by the access collector, not as configuration",
        )),
        Format::Git
        | Format::Prometheus
        | Format::OpenMetrics
        | Format::Markdown
        | Format::Text
        | Format::Artifact => Err(ParseError::new(
            Position::new(1, 1),
            format!(
                "{} is read by the git, metrics, docs, secrets and SBOM collectors, not as configuration",
                format.as_str()
            ),
        )),
    }
}

/// `message` with its first letter lower-cased, for parser messages that start a sentence.
pub(crate) fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
