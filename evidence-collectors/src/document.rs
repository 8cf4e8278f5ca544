//! The unit of evidence: one normalized JSON document and where it came from.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::lines::LineMap;
use crate::suppress::Suppression;

/// The kinds of evidence a control can ask for. Each collector yields one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Configuration files: YAML, JSON, TOML, HCL, Dockerfile, .env.
    Config,
    /// Audit logs: one summary of facts per log source.
    AuditLog,
    /// Software bills of materials and build provenance statements.
    Sbom,
    /// Access models: Cedar policies, entities and an optional schema.
    Access,
    /// Git history: commits, reviews, signatures and derived change-management facts.
    Git,
    /// Service metrics: Prometheus exposition files, `/metrics` endpoints, Prometheus queries.
    Metrics,
    /// Policy documents and the runbooks of alerting rules.
    Docs,
    /// Statements by people (unsigned) for what no machine can check (physical security, training).
    Attestation,
    /// Declared AI systems (`ai-systems.yaml`) with their model cards, oversight and logging facts.
    Ai,
    /// Declared processing of personal data (`processing-activities.yaml`) and privacy documents.
    Privacy,
    /// Secrets written in the text files of the tree, found with the DLP secret detectors.
    Secrets,
    /// GitHub and GitLab API exports: pull requests with their approvals, branch protection.
    Forge,
}

impl EvidenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Config => "config",
            EvidenceKind::AuditLog => "audit_log",
            EvidenceKind::Sbom => "sbom",
            EvidenceKind::Access => "access",
            EvidenceKind::Git => "git",
            EvidenceKind::Metrics => "metrics",
            EvidenceKind::Docs => "docs",
            EvidenceKind::Attestation => "attestation",
            EvidenceKind::Ai => "ai",
            EvidenceKind::Privacy => "privacy",
            EvidenceKind::Secrets => "secrets",
            EvidenceKind::Forge => "forge",
        }
    }

    /// Whether the collector of this kind reads nothing but its settings, the UTC day of the
    /// scan and files under the scan root, so that its evidence stays the same while those
    /// files do. Not so: config (`--var-file` is read wherever it is), SBOMs (vulnerability
    /// ages to the second), git history, metrics (endpoints) and forge exports (named on the
    /// command line).
    pub fn reads_tree_only(self) -> bool {
        matches!(
            self,
            EvidenceKind::AuditLog
                | EvidenceKind::Access
                | EvidenceKind::Docs
                | EvidenceKind::Attestation
                | EvidenceKind::Ai
                | EvidenceKind::Privacy
                | EvidenceKind::Secrets
        )
    }

    /// What to add to the scanned tree so that this kind of evidence is found.
    pub fn what_to_provide(self) -> &'static str {
        match self {
            EvidenceKind::Config => "configuration files (Kubernetes, Terraform, Dockerfiles, CI workflows)",
            EvidenceKind::AuditLog => "audit logs (JSON Lines or CSV whose path names `audit` or `cloudtrail`, or as listed under `collectors.audit_log`)",
            EvidenceKind::Sbom => "a CycloneDX or SPDX SBOM of what is shipped",
            EvidenceKind::Access => "a Cedar access model: `*.cedar` policies with `entities.json` beside them",
            EvidenceKind::Git => "the git history of the scanned repository (scan a clone, not an export)",
            EvidenceKind::Metrics => "service metrics: Prometheus or OpenMetrics files (`*.prom`), or as listed under `collectors.metrics`",
            EvidenceKind::Docs => "policy documents under `policies/` or `docs/policies/`, restore-test records under `docs/restore-tests/`, alerting rules with runbooks",
            EvidenceKind::Attestation => "an attestation under `attestations/` (`assay attest`)",
            EvidenceKind::Ai => "`ai-systems.yaml` listing the AI systems provided or deployed",
            EvidenceKind::Privacy => "`processing-activities.yaml`, the record of processing activities",
            EvidenceKind::Secrets => "the text files of the repository",
            EvidenceKind::Forge => "GitHub or GitLab API responses saved as JSON under `.assay/forge/` (or `collectors.forge.exports`, or `--forge-export FILE`)",
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
    /// JSON Lines: one JSON value per line.
    Jsonl,
    Csv,
    Xml,
    /// SPDX tag-value (`Tag: value` lines).
    TagValue,
    /// Cedar policies with their entities and schema (an access model).
    Cedar,
    /// Git objects: commits read from a repository.
    Git,
    /// Prometheus text exposition format 0.0.4.
    Prometheus,
    /// OpenMetrics text format.
    OpenMetrics,
    /// Markdown, with optional YAML front matter.
    Markdown,
    /// Any text file, read line by line (the secrets collector).
    Text,
    /// The resources of a CloudFormation template (YAML or JSON) as Terraform resources
    /// (see [`crate::cloud_templates`]).
    #[serde(rename = "cloudformation")]
    CloudFormation,
    /// The resources of an Azure Resource Manager template as Terraform resources.
    Arm,
    /// A release artifact, described by its digest; its bytes are not parsed.
    Artifact,
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
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Xml => "xml",
            Format::TagValue => "tag_value",
            Format::Cedar => "cedar",
            Format::Git => "git",
            Format::Prometheus => "prometheus",
            Format::OpenMetrics => "openmetrics",
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::CloudFormation => "cloudformation",
            Format::Arm => "arm",
            Format::Artifact => "artifact",
        }
    }

    /// The format of a file, judged by its name; `None` for files no parser handles.
    pub fn detect(file_name: &str) -> Option<Format> {
        let lower = file_name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e);
        let variant = lower
            .strip_prefix("dockerfile.")
            .or_else(|| lower.strip_prefix("containerfile."));
        if lower == "dockerfile"
            || lower == "containerfile"
            || lower.ends_with(".dockerfile")
            || variant.is_some_and(|suffix| !NOT_DOCKERFILE_SUFFIXES.contains(&suffix))
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

/// Suffixes that make `Dockerfile.<suffix>` something else than a Dockerfile variant (such
/// as `Dockerfile.prod`): source code, documents and templates about Dockerfiles.
const NOT_DOCKERFILE_SUFFIXES: &[&str] = &[
    "rs", "go", "py", "js", "ts", "java", "rb", "sh", "md", "txt", "json", "yaml", "yml", "toml",
    "j2", "jinja", "tmpl", "tpl", "erb", "mustache", "bak", "orig", "swp",
];

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
    /// sha256 (hex) of the raw bytes of the whole source file; empty when the document stands
    /// for a file or folder that does not exist (an absent declaration or required policy).
    pub digest: Arc<str>,
    /// The `assay:ignore` comments of the whole source file (shared by its documents).
    pub suppressions: Arc<[Suppression]>,
}

impl Document {
    /// The line of the node at `pointer`, falling back to the document start and then line 1.
    pub fn line(&self, pointer: &str) -> u32 {
        self.lines.line(pointer).unwrap_or(1)
    }

    /// The file and line of the node at `pointer`: the document's own file, or the file a
    /// planned or rendered node was declared in ([`LineMap::place_in`]).
    pub fn place(&self, pointer: &str) -> (&str, u32) {
        let path = self.lines.file(pointer).unwrap_or(&self.path);
        (path, self.line(pointer))
    }

    /// The digest a finding on this document rests on; none for a file that does not exist.
    pub fn evidence_digest(&self) -> Option<String> {
        (!self.digest.is_empty()).then(|| self.digest.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn detects_formats_by_file_name() {
        for (name, format) in [
            ("Dockerfile", Some(Format::Dockerfile)),
            ("Dockerfile.prod", Some(Format::Dockerfile)),
            ("api.dockerfile", Some(Format::Dockerfile)),
            ("Containerfile", Some(Format::Dockerfile)),
            ("dockerfile.rs", None),
            ("Dockerfile.j2", None),
            (".env", Some(Format::Dotenv)),
            (".env.production", Some(Format::Dotenv)),
            ("main.tf", Some(Format::Hcl)),
            ("main.tf.json", Some(Format::Json)),
            ("a.YML", Some(Format::Yaml)),
            ("Cargo.toml", Some(Format::Toml)),
            ("notes.txt", None),
        ] {
            assert_eq!(Format::detect(name), format, "{name}");
        }
    }
}
