//! The `waivers` section of the results: every waiver and inline suppression of the scan with
//! what it did, so that unmatched and expired ones are reported, never silently ignored.

use serde::{Deserialize, Serialize};

/// Where a waiver was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverSource {
    /// An entry of the waivers file.
    File,
    /// An `assay:ignore` comment in a config file.
    Inline,
}

/// What a waiver did in this scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// It waived at least one failing finding.
    Applied,
    /// It matched no failing finding.
    Unmatched,
    /// Its expiry date has passed: the findings it matches are failures again.
    Expired,
}

/// One waiver or inline suppression and its effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverReport {
    pub source: WaiverSource,
    /// The waivers file, or the config file holding the comment (root-relative).
    pub path: String,
    pub line: u32,
    pub control: String,
    /// The justification (the reason, for an inline suppression).
    pub justification: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    pub status: WaiverStatus,
    /// Findings it waived; for an expired waiver, the failing findings it still matches.
    pub findings: usize,
}

impl WaiverReport {
    /// `path:line`, the name every message uses for the waiver.
    pub fn place(&self) -> String {
        format!("{}:{}", self.path, self.line)
    }
}
