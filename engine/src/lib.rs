//! assay: a policy-as-code compliance engine.
//!
//! The flow of a scan: [`config`] and flags → [`catalog`] (controls and mappings, validated
//! against [`schema`]) → evidence from `assay_collectors` → [`eval`] (checks of [`check`], in
//! parallel) → [`score`] → [`report`].

pub mod catalog;
pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod eval;
pub mod model;
pub mod parse;
pub mod report;
pub mod scan;
pub mod schema;
pub mod score;
pub mod testing;
