//! The parts of a results document that name a fan-out: what a shard's partial result carries
//! for `assay merge`, and what a merged result was merged from.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A shard's partial result (`assay scan --shard I/N`): its findings are those of the
/// documents it owns, and of the repository-wide controls when it is shard 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardReport {
    /// `I/N`.
    pub part: String,
    /// sha256 over the scan settings every shard of one fan-out must share.
    pub settings: String,
    /// Whether the scan found AI systems declared, which decides the default frameworks.
    pub ai_systems_declared: bool,
    /// Per control, the item number of each finding in order (what scores count as one item).
    pub items: BTreeMap<String, Vec<usize>>,
}

/// What a merged result (`assay merge`) was merged from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedReport {
    /// The number of shards.
    pub shards: u32,
    /// Each shard's result, in shard order.
    pub parts: Vec<MergedPart>,
}

/// One shard's result a merge read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedPart {
    /// `I/N`.
    pub part: String,
    /// The root digest of the shard's evidence pack, when the result came in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack_root: Option<String>,
    /// sha256 of the shard's results document.
    pub results_sha256: String,
}
