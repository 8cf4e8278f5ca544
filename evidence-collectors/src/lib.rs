//! Evidence collectors for assay.
//!
//! A [`Collector`] turns one source of evidence (config files, git history, audit logs, …) into
//! [`Document`]s: normalized JSON values that remember where every node came from
//! ([`LineMap`]) and the sha256 of the raw bytes they were parsed from. Parse failures never
//! abort a collection; they become [`SourceError`]s that name the file and line.

pub mod access;
pub mod ai;
pub mod attestation;
pub mod audit_log;
pub mod case;
pub mod cloud_templates;
pub mod collector;
pub mod config;
pub mod confine;
pub mod declared;
pub mod dlp;
pub mod docs;
pub mod document;
pub mod forge;
pub mod formats;
pub mod git;
pub mod limits;
pub mod lines;
pub mod metrics;
pub mod privacy;
pub mod render;
pub mod sbom;
pub mod secret_name;
pub mod secrets;
pub mod suppress;
pub mod terraform;
pub mod terraform_kubernetes;
pub mod walk;

pub use collector::{registry, Collection, Collector, Scope, SkippedFile, SourceError};
pub use document::{Document, EvidenceKind, Format};
pub use lines::{pointer_push, LineIndex, LineMap, Position};
