//! The results document: what `--format json` prints, defined by `schemas/results.schema.json`.
//! Every list is sorted, so the same input gives the same bytes whatever the thread count.

use serde::Serialize;

use crate::model::{Finding, Severity};
use crate::score::{Implementation, Rating};

/// Version of the results format. Bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.0.0";

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub schema_version: &'static str,
    pub tool: Tool,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub controls: Vec<ControlReport>,
    pub frameworks: Vec<FrameworkReport>,
    /// Sources that could not be read or parsed.
    pub errors: Vec<SourceErrorReport>,
    /// Files left out on purpose.
    pub skipped: Vec<SkippedReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanInfo {
    pub root: String,
    pub started_at: String,
    pub finished_at: String,
    /// sha256 over the catalog's control and mapping files.
    pub catalog_digest: String,
    pub documents: usize,
    pub files: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub controls: usize,
    pub implemented: usize,
    pub partial: usize,
    pub not_implemented: usize,
    pub not_applicable: usize,
    pub error: usize,
    pub findings_passed: usize,
    pub findings_failed: usize,
    pub findings_error: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlReport {
    pub id: String,
    pub title: String,
    pub family: String,
    pub severity: Severity,
    pub status: Implementation,
    pub score: Option<f64>,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub waived: usize,
    pub warnings: usize,
    pub remediation: String,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkReport {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub score: Option<f64>,
    pub coverage: f64,
    pub rating: Rating,
    pub requirements: Vec<RequirementReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequirementReport {
    pub id: String,
    pub title: String,
    pub score: Option<f64>,
    pub status: Implementation,
    pub controls: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceErrorReport {
    pub status: &'static str,
    pub path: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SkippedReport {
    pub path: String,
    pub reason: String,
}
