//! The organisation view: an org manifest (`assay-org.yaml`) lists the repositories, their
//! teams and frameworks; `assay org scan` scans each repository a shard owns into a folder of its
//! own, with a [`record::RepoRecord`] beside its results; `assay org site` reads those folders
//! into a [`portfolio::Portfolio`] and renders it with [`crate::site::render_portfolio`].

pub mod manifest;
pub mod portfolio;
pub mod record;

pub use manifest::{Manifest, OrgManifest, Repository, Team};
pub use portfolio::Portfolio;
pub use record::RepoRecord;
