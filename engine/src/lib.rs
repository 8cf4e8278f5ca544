//! assay: a policy-as-code compliance engine.
//!
//! The flow of a scan: [`config`] and flags → [`catalog`] (controls and mappings, validated
//! against [`schema`]) → evidence from `assay_collectors` → [`eval`] (checks of [`check`], in
//! parallel) → [`score`] → [`report`]. Over time: [`pack`]s kept in an evidence locker, read back
//! by the [`period`] report.

pub mod catalog;
pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod documents;
pub mod eval;
pub mod init;
pub mod locations;
pub mod merge;
pub mod model;
pub mod org;
pub mod pack;
pub mod parse;
pub mod period;
pub mod policy_dir;
pub mod premerge;
pub mod report;
pub mod scaffold;
pub mod scan;
pub mod schema;
pub mod score;
pub mod shard;
pub mod signed_attestation;
pub mod site;
pub mod testing;
pub mod vcs;
pub mod waiver;
