//! Core vocabulary shared by checks, scoring and outputs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How bad a failure of a control is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "severity")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Weight of a control of this severity in its requirement's score.
    pub fn weight(self) -> f64 {
        match self {
            Severity::Info => 0.5,
            Severity::Low => 1.0,
            Severity::Medium => 2.0,
            Severity::High => 3.0,
            Severity::Critical => 4.0,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| format!("unknown severity `{s}` (critical, high, medium, low, info)"))
    }
}

/// The outcome of a check on one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Pass,
    Fail,
    Warn,
    Error,
    /// A failure suppressed by a justified exception or waiver; kept visible, scored as a pass.
    Waived,
}

impl FindingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::Pass => "pass",
            FindingStatus::Fail => "fail",
            FindingStatus::Warn => "warn",
            FindingStatus::Error => "error",
            FindingStatus::Waived => "waived",
        }
    }
}

/// Where a finding points: a file and a line, or a whole scan-level source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// The result of one control on one item (a resource, a document, a container).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Finding {
    pub status: FindingStatus,
    /// What was evaluated: `aws_s3_bucket.logs`, `Deployment/default/web`, or a file path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// sha256 digests of the evidence the finding rests on.
    pub evidence: Vec<String>,
    /// The item of its control the finding judges, numbered from 1 by the check: the findings
    /// of one item (one per offending node) share it, so that scores count items. 0: the
    /// finding is an item of its own. Not part of any output.
    #[serde(skip)]
    pub item: usize,
    /// For a finding on an attestation: the verdict on its signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<crate::signed_attestation::Verdict>,
}

impl Finding {
    /// The key findings are ordered by in every output.
    pub fn sort_key(&self) -> (Option<&Location>, Option<&String>, FindingStatus, &String) {
        (
            self.location.as_ref(),
            self.resource.as_ref(),
            self.status,
            &self.message,
        )
    }
}
