//! The results document: what `--format json` prints, defined by `schemas/results.schema.json`.
//! Every list is sorted, so the same input gives the same bytes whatever the thread count.

use std::collections::BTreeMap;

use assay_collectors::EvidenceKind;
use serde::{Deserialize, Serialize};

use super::check::CheckReport;
use super::waivers::WaiverReport;
use crate::catalog::{Coverage, CoverageCounts, Exclusion};
use crate::model::{Finding, Severity};
use crate::score::{AdjustedControl, EvidenceShares, Evidenced, Implementation, Rating};

/// Version of the results format. Bumped on any incompatible change.
pub const SCHEMA_VERSION: &str = "1.4.0";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Results {
    pub schema_version: String,
    pub tool: Tool,
    pub scan: ScanInfo,
    pub summary: Summary,
    pub controls: Vec<ControlReport>,
    pub frameworks: Vec<FrameworkReport>,
    /// Sources that could not be read or parsed.
    pub errors: Vec<SourceErrorReport>,
    /// Files left out on purpose.
    pub skipped: Vec<SkippedReport>,
    /// Controls not evaluated on purpose (`skip:`, `--skip-control`), with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped_controls: Vec<crate::catalog::SkippedControl>,
    /// The failing automated controls whose fix raises the framework scores most (at most
    /// five), with the points each framework gains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fix_first: Vec<crate::score::FixGain>,
    /// Every waiver and inline suppression, with what it did (absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverReport>,
    /// `assay check` only: the comparison with the base.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckReport>,
    /// `assay scan --shard` only: what merging the shards' results needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<super::shard::ShardReport>,
    /// `assay merge` only: the shards' results merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<super::shard::MergedReport>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScanInfo {
    pub root: String,
    pub started_at: String,
    pub finished_at: String,
    /// sha256 over the catalog's control and mapping files.
    pub catalog_digest: String,
    /// The commit checked out when the scan root is a git repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Where the scanned tree came from, when the scan root is a git work tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<crate::vcs::Provenance>,
    pub documents: usize,
    pub files: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    pub controls: usize,
    pub implemented: usize,
    pub partial: usize,
    pub not_implemented: usize,
    pub not_applicable: usize,
    /// Controls that selected nothing where evidence is expected: gaps scoring 0.
    #[serde(default)]
    pub not_assessed: usize,
    pub error: usize,
    pub findings_passed: usize,
    pub findings_failed: usize,
    pub findings_error: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlReport {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub family: String,
    /// Whether a machine or a person evidences the control.
    #[serde(default)]
    pub kind: ControlKind,
    /// The language of the check: `yaml`, `rego`, `cedar` or `attestation`.
    #[serde(default)]
    pub check: String,
    /// The kinds of evidence the check reads.
    #[serde(default)]
    pub evidence: Vec<EvidenceKind>,
    pub severity: Severity,
    pub status: Implementation,
    pub score: Option<f64>,
    /// The score with waived findings counted as failures; set when any finding is waived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_before_waivers: Option<f64>,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub waived: usize,
    pub warnings: usize,
    /// For a `not_assessed` control: the evidence that is missing and what to provide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_evidence: Option<String>,
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// The values the check's parameters took (defaults, or as set in assay.yaml).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, serde_json::Value>,
    /// The framework requirements the control evidences, in catalog order.
    #[serde(default)]
    pub mappings: Vec<MappingRef>,
    pub findings: Vec<Finding>,
}

/// Who evidences a control.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlKind {
    /// A check over collected evidence.
    #[default]
    Automated,
    /// A statement by a person in the attestation folder.
    Attestation,
}

/// One framework requirement a control is mapped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingRef {
    pub framework: String,
    pub requirement: String,
}

impl MappingRef {
    /// `framework:requirement`, e.g. `soc2:CC6.1`.
    pub fn tag(&self) -> String {
        format!("{}:{}", self.framework, self.requirement)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrameworkReport {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub score: Option<f64>,
    /// The score with waived findings counted as failures; set when any finding is waived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_before_waivers: Option<f64>,
    /// The score from automated controls alone (attestations left out).
    #[serde(default)]
    pub automated_score: Option<f64>,
    /// The score from attestations alone.
    #[serde(default)]
    pub attested_score: Option<f64>,
    /// Shares of the applicable requirements evidenced automatically, by attestation only,
    /// and not at all in this scan.
    #[serde(default)]
    pub evidenced: EvidenceShares,
    /// Percent of the applicable requirements the catalog maps at least one control to.
    pub coverage: f64,
    /// Requirements by how they are evidenced: automated, attested, not applicable, unmapped.
    pub counts: CoverageCounts,
    pub rating: Rating,
    pub requirements: Vec<RequirementReport>,
    /// The controls whose score in this framework differs from their own: items they pass
    /// fail another automated control of the framework and count as failing here.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub adjusted_controls: BTreeMap<String, AdjustedControl>,
}

impl FrameworkReport {
    /// A control's score as this framework counts it, and how many of the items it passes
    /// count as failing because they fail another automated control of the framework.
    pub fn counted_score(&self, control: &ControlReport) -> (Option<f64>, usize) {
        self.adjusted_controls
            .get(&control.id)
            .map_or((control.score, 0), |a| (a.score, a.failing_elsewhere))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequirementReport {
    pub id: String,
    pub title: String,
    pub score: Option<f64>,
    /// The score with waived findings counted as failures; set when any finding is waived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_before_waivers: Option<f64>,
    /// The score from its automated controls alone.
    #[serde(default)]
    pub automated_score: Option<f64>,
    /// The score from its attestation controls alone.
    #[serde(default)]
    pub attested_score: Option<f64>,
    /// What evidences it in this scan.
    #[serde(default = "no_evidence")]
    pub evidence: Evidenced,
    pub status: Implementation,
    pub controls: Vec<String>,
    /// How the catalog evidences the requirement.
    pub coverage: Coverage,
    /// Why the requirement does not apply by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
    /// The organisation's exclusion of the requirement from scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion: Option<Exclusion>,
    /// The regulation's designation, e.g. HIPAA `Required` or `Addressable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designation: Option<String>,
    /// It applies only to service providers (PCI DSS).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub service_provider: bool,
    /// The ids of the framework's earlier edition that correspond to it (ISO/IEC 27001:2013
    /// A.12.4.1, A.12.4.2 and A.12.4.3 beside 2022 A.8.15).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_ids: Vec<String>,
}

fn no_evidence() -> Evidenced {
    Evidenced::None
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceErrorReport {
    pub status: String,
    pub path: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SkippedReport {
    pub path: String,
    pub reason: String,
}
