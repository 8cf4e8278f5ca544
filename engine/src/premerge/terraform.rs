//! Which work-tree files a change to Terraform makes evaluate again: Terraform evaluates a
//! module directory as a whole (its `*.tf`, `*.tf.json` and variable files together), a local
//! module with the inputs of its callers, and a plan with the configuration it was planned
//! from. A changed `variables.tf`, `terraform.tfvars` or plan thus re-evaluates every module
//! directory connected to it by local module calls, and the plans at or under them.

use std::collections::{BTreeMap, BTreeSet};

use assay_collectors::config::parse_file;
use assay_collectors::{confine, terraform, Scope};

/// `changed` with, when it touches Terraform, every Terraform file and plan of the module
/// directories connected to the changed ones by local module calls.
pub fn widen(changed: &BTreeSet<String>, scope: &Scope) -> BTreeSet<String> {
    let json = |p: &str| p.to_ascii_lowercase().ends_with(".json");
    if !changed
        .iter()
        .any(|p| terraform::is_module_part(p) || json(p))
    {
        return changed.clone();
    }
    let files = scope.files(&|p: &str| terraform::is_module_part(p) || json(p));
    let read = |path: &str| {
        confine::read(&scope.root, path, scope.max_file_size)
            .ok()
            .map(|bytes| parse_file(path, &bytes).documents)
            .unwrap_or_default()
    };
    // Module directory → its Terraform files; and the calls between directories, both ways.
    let mut modules: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    let mut links: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in files.iter().filter(|p| terraform::is_module_part(p)) {
        let dir = dir_of(path);
        modules.entry(dir).or_default().push(path);
        for doc in read(path) {
            for child in terraform::local_calls(dir, &doc) {
                links
                    .entry(dir.to_string())
                    .or_default()
                    .insert(child.clone());
                links.entry(child).or_default().insert(dir.to_string());
            }
        }
    }
    // The directories changed: those of changed Terraform files, and the configuration of a
    // changed plan (the nearest module directory at or above it).
    let mut pending: Vec<String> = Vec::new();
    for path in changed {
        if terraform::is_module_part(path) {
            pending.push(dir_of(path).to_string());
        } else if json(path) && is_plan_or_gone(scope, path) {
            let mut dir = dir_of(path);
            loop {
                if modules.contains_key(dir) {
                    pending.push(dir.to_string());
                    break;
                }
                if dir.is_empty() {
                    break;
                }
                dir = dir_of(dir);
            }
        }
    }
    let mut reached: BTreeSet<String> = BTreeSet::new();
    while let Some(dir) = pending.pop() {
        if reached.insert(dir.clone()) {
            pending.extend(links.get(&dir).into_iter().flatten().cloned());
        }
    }
    let mut widened = changed.clone();
    for dir in &reached {
        widened.extend(
            modules
                .get(dir.as_str())
                .into_iter()
                .flatten()
                .map(|p| (*p).clone()),
        );
    }
    let under = |path: &str| {
        reached
            .iter()
            .any(|d| d.is_empty() || path.starts_with(&format!("{d}/")))
    };
    for path in files.iter().filter(|p| json(p) && under(p)) {
        if !widened.contains(path) && is_plan_or_gone(scope, path) {
            widened.insert(path.clone());
        }
    }
    widened
}

/// The directory of a root-relative path (`""` for the root).
fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Whether the JSON file at `path` is a Terraform plan, or no longer exists (a deleted plan).
fn is_plan_or_gone(scope: &Scope, path: &str) -> bool {
    match confine::read(&scope.root, path, scope.max_file_size) {
        Ok(bytes) => parse_file(path, &bytes)
            .documents
            .iter()
            .any(|d| terraform::plan::is_plan(&d.data)),
        Err(confine::Refused::Missing) => true,
        Err(_) => false,
    }
}
