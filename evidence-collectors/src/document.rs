//! The unit of evidence: one normalized JSON document and where it came from.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::lines::LineMap;

/// The kinds of evidence a control can ask for. Each collector yields one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Configuration files: YAML, JSON, TOML, HCL, Dockerfile, .env.
    Config,
}

impl EvidenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Config => "config",
        }
    }
}

/// The source format a document was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Yaml,
    Json,
    Toml,
    Hcl,
    Dockerfile,
    Dotenv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Toml => "toml",
            Format::Hcl => "hcl",
            Format::Dockerfile => "dockerfile",
            Format::Dotenv => "dotenv",
        }
    }

    /// The format of a file, judged by its name; `None` for files no parser handles.
    pub fn detect(file_name: &str) -> Option<Format> {
        let lower = file_name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e);
        if lower == "dockerfile"
            || lower.starts_with("dockerfile.")
            || lower.ends_with(".dockerfile")
            || lower == "containerfile"
        {
            return Some(Format::Dockerfile);
        }
        if lower == ".env" || lower.starts_with(".env.") || ext == Some("env") {
            return Some(Format::Dotenv);
        }
        match ext? {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            "tf" | "hcl" | "tfvars" => Some(Format::Hcl),
            _ => None,
        }
    }
}

/// One parsed document. A multi-document YAML file yields one per document.
#[derive(Debug, Clone)]
pub struct Document {
    pub kind: EvidenceKind,
    pub format: Format,
    /// Path relative to the scan root, with `/` separators.
    pub path: Arc<str>,
    /// Index of the document within its file (0 for single-document files).
    pub index: usize,
    /// The normalized content.
    pub data: Value,
    /// Where each node of `data` starts in the source.
    pub lines: LineMap,
    /// sha256 (hex) of the raw bytes of the whole source file.
    pub digest: Arc<str>,
}

impl Document {
    /// The line of the node at `pointer`, falling back to the document start and then line 1.
    pub fn line(&self, pointer: &str) -> u32 {
        self.lines.line(pointer).unwrap_or(1)
    }
}
