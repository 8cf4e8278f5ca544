//! The integration tests, one module per area, linked into one test binary:
//! `cargo test --workspace --locked --test it -- scan::` runs one area. The memory-bound tests
//! (`hostile_limits`) are a binary of their own: a child's peak memory as `wait4` reports it
//! includes its parent's resident set at the moment it was spawned, so the parent stays small.

mod cdp;
mod common;
#[path = "common/git_repo.rs"]
mod git_repo;

mod attest_signing;
mod attestations;
mod audit_checkpoints;
mod audit_sbom;
mod cedar;
mod cedar_suite;
mod ci;
mod controls;
mod dlp_corpus;
mod documents;
mod evidence_trust;
mod exports;
mod flags;
mod forge;
mod hostile_output;
mod hostile_paths;
mod inputs;
mod mappings;
mod org;
mod outputs;
mod pack;
mod parameters;
mod parity;
mod period;
mod premerge;
mod rego;
mod rego_suite;
mod relations;
mod reproducible;
mod s3_locker;
mod scan;
mod scores;
mod shard;
mod site_browser;
mod terraform_eval;
mod waivers;
