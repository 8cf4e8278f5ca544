//! The `check` section of the results of `assay check`: what the working tree was compared
//! with, which controls were evaluated, and the new failures, fixes and score drops.
//!
//! In `assay check` results each control's `findings` (and its `failed`, `errors` and `waived`
//! counts) cover only what is new against the base; score and status are the working tree's.

use serde::{Deserialize, Serialize};

use crate::model::{FindingStatus, Severity};

/// What the working tree is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckMode {
    /// A git revision (`--base REF`).
    Base,
    /// A baseline file (`--baseline FILE`).
    Baseline,
}

/// Whether the base evaluation came from the on-disk cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheUse {
    /// Read from the cache (`assay-cache/` in the git directory).
    Hit,
    /// Evaluated now and stored for the next run.
    Miss,
    /// Not used (`--no-cache`, or a baseline comparison).
    Off,
}

impl CacheUse {
    pub fn as_str(self) -> &'static str {
        match self {
            CacheUse::Hit => "hit",
            CacheUse::Miss => "miss",
            CacheUse::Off => "off",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckReport {
    pub mode: CheckMode,
    /// The revision as given, or the baseline file.
    pub base: String,
    /// The commit the base revision resolved to (for a baseline: the commit it was made at).
    pub base_commit: Option<String>,
    pub cache: CacheUse,
    /// Root-relative paths that differ between the base and the working tree.
    pub changed_paths: Vec<String>,
    /// Controls evaluated on the working tree.
    pub evaluated_controls: Vec<String>,
    /// Controls whose evidence the change does not touch; their base results stand.
    pub skipped_controls: Vec<String>,
    pub new_failures: Vec<NewFailure>,
    pub fixed: Vec<FixedFailure>,
    pub score_drops: Vec<ScoreDrop>,
    /// The largest drop of a framework score, in points, that does not fail the check.
    pub max_score_drop: f64,
    /// Things the reader should know about the comparison itself.
    pub notes: Vec<String>,
}

/// A failing finding of the working tree that the base does not have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewFailure {
    pub control: String,
    pub severity: Severity,
    pub status: FindingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

/// A failure of the base that the working tree no longer has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixedFailure {
    pub control: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The base's message, when known (a baseline keeps none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A framework whose score is lower on the working tree than on the base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreDrop {
    pub framework: String,
    pub base: f64,
    pub head: f64,
    /// `base - head`, in points.
    pub drop: f64,
}
