//! The controls that read evidence other than config files, evaluated on the working tree,
//! which stands for both sides of a check. Those whose collectors read nothing but files of
//! the tree ([`EvidenceKind::reads_tree_only`]: attestations, policy documents, access models,
//! declarations, audit logs, secrets) are cached under the state of the working tree, so that
//! they are read again only when a file of the tree changed; the others (git history, SBOMs,
//! metrics, forge exports) are collected every time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use assay_collectors::{confine, EvidenceKind};

use super::cache::{self, CacheKey};
use super::snapshot::{by_control, Snapshot};
use crate::catalog::Control;
use crate::diag::Diagnostic;
use crate::eval::evaluate;
use crate::model::Finding;
use crate::scan::{self, ScanRequest};

/// The findings of the controls that read other evidence, and what their collectors read.
pub struct Current {
    pub findings: BTreeMap<String, Vec<Finding>>,
    /// What the collectors read (no findings).
    pub read: Snapshot,
}

/// Where the evaluation of the tree-only controls is cached, and under which key.
pub struct Cached {
    pub dir: PathBuf,
    pub key: CacheKey,
}

/// The state of the working tree under `root`: the base `commit` and, for each of the paths
/// `differing` from it, the sha256 of its content (`-` when it is gone or cannot be read).
pub fn tree_state(commit: &str, differing: &BTreeSet<String>, root: &Path) -> String {
    let mut state = commit.to_string();
    for path in differing {
        let digest = confine::sha256(root, path).unwrap_or_else(|_| "-".into());
        state.push_str(&format!("\n{path}\t{digest}"));
    }
    state
}

/// Whether every evidence kind `control` reads comes from files of the tree alone.
fn tree_only(control: &Control) -> bool {
    control.check.evidence().iter().all(|k| k.reads_tree_only())
}

/// Evaluates `controls` on the current evidence, reading the tree-only ones from the cache
/// when `cached` is given and holds them (and storing them there when not).
pub fn evaluate_current(
    controls: &[Arc<Control>],
    request: &ScanRequest,
    cached: Option<&Cached>,
    notes: &mut Vec<String>,
) -> Result<Current, Diagnostic> {
    let (steady, fresh): (Vec<Arc<Control>>, Vec<Arc<Control>>) = controls
        .iter()
        .cloned()
        .partition(|c| cached.is_some() && tree_only(c));
    let fresh_kinds = kinds(&fresh);
    let mut read = run(&fresh, request, &BTreeSet::new())?;
    if let Some(cached) = cached.filter(|_| !steady.is_empty()) {
        let part = match cache::load(&cached.dir, &cached.key) {
            Some(part) => part,
            None => {
                // What the fresh part collects is counted there.
                let part = run(&steady, request, &fresh_kinds)?;
                if let Err(message) = cache::store(&cached.dir, &cached.key, &part) {
                    notes.push(message);
                }
                part
            }
        };
        read.merge(part);
    }
    let findings = std::mem::take(&mut read.findings);
    Ok(Current { findings, read })
}

fn kinds(controls: &[Arc<Control>]) -> BTreeSet<EvidenceKind> {
    controls.iter().flat_map(|c| c.check.evidence()).collect()
}

/// Collects what `controls` read and evaluates them; documents of the kinds in `counted`
/// elsewhere are left out of what the snapshot says was read.
fn run(
    controls: &[Arc<Control>],
    request: &ScanRequest,
    counted: &BTreeSet<EvidenceKind>,
) -> Result<Snapshot, Diagnostic> {
    if controls.is_empty() {
        return Ok(Snapshot::default());
    }
    let mut collection = scan::collect(&kinds(controls), &request.scope)?;
    crate::signed_attestation::annotate(&mut collection.documents, &request.attestations);
    let findings = by_control(evaluate(
        controls,
        &collection.documents,
        &request.scope.limits,
        &|| {},
    ));
    Ok(Snapshot::of_documents(
        &collection,
        &|d| !counted.contains(&d.kind),
        findings,
    ))
}
