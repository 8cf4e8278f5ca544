//! `assay check`: the pre-merge evaluation. The working tree is compared with a base (a git
//! revision, read from git objects without a checkout, or a baseline file) and only what is
//! new is reported: failures per control and resource, and framework scores that dropped.
//!
//! Against a revision, only the controls whose evidence the change touches are evaluated
//! again: a control is affected when a changed, added or deleted path could be selected by it
//! (by file glob, and by the formats the file was parsed as in the base or now: a YAML file
//! that is no CloudFormation template on either side does not reach the template controls).
//! For checks that judge each document alone, the findings on unchanged files are taken from
//! the base and only the changed files are evaluated; a
//! changed Terraform file stands for every module directory (and plan) connected to its own
//! by local module calls, since Terraform evaluates those together. The
//! base's evaluation is cached under `assay-cache/` in the git directory, so later runs read
//! the base from disk.
//! Controls that read evidence other than config files (audit logs, SBOMs, access models)
//! cannot be read from git objects: they are evaluated on the current evidence, which stands
//! for both sides; those whose evidence is files of the tree alone are cached under the state
//! of the working tree (the base commit and the digests of the paths that differ from it).

mod baseline;
mod cache;
mod compare;
mod current;
mod git;
mod snapshot;
mod terraform;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use assay_collectors::{Collection, EvidenceKind, Format};
use rayon::prelude::*;

pub use baseline::Baseline;
pub use git::CACHE_DIR;

use cache::CacheKey;
use compare::{compare, BaseSide, Comparison};
use current::{evaluate_current, Cached, Current};
use git::Repo;
use snapshot::{by_control, Snapshot};

use crate::catalog::{Catalog, Control};
use crate::check::Inputs;
use crate::diag::Diagnostic;
use crate::eval::{evaluate, evaluate_control, evaluate_with, ControlResult};
use crate::model::{Finding, Severity};
use crate::report::check::{CacheUse, CheckMode, CheckReport};
use crate::report::Results;
use crate::scan::{self, Inventory, ScanRequest};
use crate::score::{score_framework, Judged};
use crate::waiver::{self, SuppressionMap};

/// How a check runs.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Read and write the cache of base evaluations.
    pub cache: bool,
    /// The scan settings that change what is collected (include/exclude, size limit, Rego
    /// options), as text; part of the cache key.
    pub settings: String,
    /// The largest framework score drop, in points, that passes.
    pub max_score_drop: f64,
}

/// Whether a control reads config files only (and so can be evaluated on git objects).
fn config_only(control: &Control) -> bool {
    control
        .check
        .evidence()
        .iter()
        .all(|k| *k == EvidenceKind::Config)
}

/// Control results in catalog order, from a snapshot and the current evaluations.
fn results_of(catalog: &Catalog, snapshot: Snapshot, current: &Current) -> Vec<ControlResult> {
    let mut results = snapshot.into_results(catalog);
    results.extend(catalog.controls.iter().filter_map(|c| {
        Some(ControlResult {
            control: c.clone(),
            findings: current.findings.get(&c.id)?.clone(),
        })
    }));
    results.sort_by(|a, b| a.control.id.cmp(&b.control.id));
    results
}

/// Applies the waivers and scores one side.
fn assess(
    catalog: &Catalog,
    request: &ScanRequest,
    suppressions: &SuppressionMap,
    mut inventory: Inventory,
    mut results: Vec<ControlResult>,
    started_at: String,
) -> Results {
    let applied = waiver::apply(
        &mut results,
        &request.waivers,
        suppressions,
        catalog,
        waiver::day_of(request.scope.now),
    );
    inventory.errors.extend(applied.errors);
    scan::assemble(
        catalog,
        request,
        inventory,
        results,
        applied.reports,
        started_at,
    )
}

/// What the comparison needs of the base: its failures and waived findings (waivers applied)
/// and its framework scores.
fn base_side(
    catalog: &Catalog,
    request: &ScanRequest,
    base: Snapshot,
    current: &Current,
) -> BaseSide {
    let suppressions = base.suppression_map();
    let mut results = results_of(catalog, base, current);
    // Waiver errors are reported once, with the head.
    waiver::apply(
        &mut results,
        &request.waivers,
        &suppressions,
        catalog,
        waiver::day_of(request.scope.now),
    );
    let judged = Judged::of(&results);
    let scores = scan::scored_frameworks(catalog, request)
        .into_par_iter()
        .filter_map(|f| {
            let score = score_framework(catalog, f, &judged, true, &request.thresholds).score?;
            Some((f.id.clone(), score))
        })
        .collect();
    BaseSide::of(
        results
            .iter()
            .map(|r| (r.control.id.as_str(), r.findings.as_slice())),
        scores,
    )
}

/// Adds what the collectors of other evidence read to an inventory of config files.
fn with_current(mut inventory: Inventory, current: &Current) -> Inventory {
    let other = current.read.inventory();
    inventory.documents += other.documents;
    inventory.files += other.files;
    for e in other.errors {
        if !inventory.errors.contains(&e) {
            inventory.errors.push(e);
        }
    }
    for s in other.skipped {
        if !inventory.skipped.contains(&s) {
            inventory.skipped.push(s);
        }
    }
    inventory
}

/// The config side of a revision check: the base and working-tree snapshots of the controls
/// that read config files only.
struct ConfigSide {
    base: Snapshot,
    head: Snapshot,
    cache: CacheUse,
    /// The controls evaluated again on the working tree.
    affected: Vec<String>,
    notes: Vec<String>,
}

/// Evaluates the base (or reads it from the cache) and then the working tree, again only for
/// the controls a changed path could reach.
fn config_side(
    repo: Repo,
    commit: git2::Oid,
    changed: &BTreeSet<String>,
    controls: &[Arc<Control>],
    digest: &str,
    request: &ScanRequest,
    options: &CheckOptions,
) -> Result<ConfigSide, Diagnostic> {
    let key = CacheKey::new(
        &commit.to_string(),
        digest,
        &format!("{}\n{}", repo.prefix(), options.settings),
    );
    let dir = repo.cache_dir();
    let mut notes = Vec::new();
    let cached = if options.cache {
        cache::load(&dir, &key)
    } else {
        None
    };
    let (base, cache) = match cached {
        Some(snapshot) => (snapshot, CacheUse::Hit),
        None => {
            let collection = repo.collect_tree(commit, &request.scope)?;
            let findings = by_control(evaluate(
                controls,
                &collection.documents,
                &request.scope.limits,
                &|| {},
            ));
            let snapshot = Snapshot::new(&collection, findings);
            if !options.cache {
                (snapshot, CacheUse::Off)
            } else {
                if let Err(message) = cache::store(&dir, &key, &snapshot) {
                    notes.push(message);
                }
                (snapshot, CacheUse::Miss)
            }
        }
    };

    // Terraform is evaluated per module directory: a changed variable file re-evaluates the
    // modules it reaches, which stand in for it below.
    let changed = &terraform::widen(changed, &request.scope);
    let changed_files = repo.collect_worktree(changed, &request.scope);
    // What each changed file was parsed as, in the base or now: a control that admits none of
    // those formats selects nothing in it either way.
    let mut formats: BTreeMap<&str, BTreeSet<Format>> = changed
        .iter()
        .map(|p| {
            let read = base.files.get(p);
            (
                p.as_str(),
                read.map(|f| f.formats.clone()).unwrap_or_default(),
            )
        })
        .collect();
    for doc in &changed_files.documents {
        if let Some(set) = formats.get_mut(doc.path.as_ref()) {
            set.insert(doc.format);
        }
    }
    let affected: Vec<&Arc<Control>> = controls
        .iter()
        .filter(|c| formats.iter().any(|(p, f)| c.check.could_select(p, f)))
        .collect();
    let incremental = |c: &Control| c.check.per_document() && base.located(c);
    let whole_tree = if affected.iter().all(|c| incremental(c)) {
        Collection::default()
    } else {
        scan::collect(&BTreeSet::from([EvidenceKind::Config]), &request.scope)?
    };
    // One resource index for every relation over the whole tree.
    let whole_tree_inputs = Inputs::new(&whole_tree.documents);
    let evaluated: BTreeMap<String, Vec<Finding>> = affected
        .par_iter()
        .map(|c| {
            let findings = if incremental(c) {
                let mut findings = base.findings_outside(c, changed);
                findings.extend(evaluate_control(
                    c,
                    &changed_files.documents,
                    &request.scope.limits,
                ));
                findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                findings
            } else {
                evaluate_with(c, &whole_tree_inputs, &request.scope.limits)
            };
            (c.id.clone(), findings)
        })
        .collect();
    let head = base.patched(changed, &changed_files, evaluated);
    Ok(ConfigSide {
        base,
        head,
        cache,
        affected: affected.iter().map(|c| c.id.clone()).collect(),
        notes,
    })
}

/// Compares the working tree with the git revision `reference`.
pub fn against_revision(
    catalog: &Catalog,
    request: &ScanRequest,
    reference: &str,
    options: &CheckOptions,
) -> Result<Results, Diagnostic> {
    let started_at = request.clock.now();
    let repo = Repo::open(&request.scope.root)?;
    let commit = repo.resolve(reference)?;
    let differing = repo.differing(commit)?;
    let changed = repo.changed_paths(&differing, &request.scope);
    let settings = format!("{}\n{}", repo.prefix(), options.settings);
    let cached = options.cache.then(|| Cached {
        dir: repo.cache_dir(),
        key: CacheKey::working_tree(
            &current::tree_state(&commit.to_string(), &differing, &request.scope.root),
            &catalog.digest,
            &format!("{settings}\n{}", waiver::day_of(request.scope.now)),
        ),
    });
    let (config_controls, other_controls): (Vec<Arc<Control>>, Vec<Arc<Control>>) = catalog
        .controls
        .iter()
        .cloned()
        .partition(|c| config_only(c));
    // The evidence that is not in config files is collected while the config side runs.
    let (current, config) = rayon::join(
        || {
            let mut notes = Vec::new();
            evaluate_current(&other_controls, request, cached.as_ref(), &mut notes)
                .map(|current| (current, notes))
        },
        || {
            config_side(
                repo,
                commit,
                &changed,
                &config_controls,
                &catalog.digest,
                request,
                options,
            )
        },
    );
    let ((current, current_notes), config) = (current?, config?);
    let ConfigSide {
        base,
        head,
        cache: cache_use,
        affected,
        mut notes,
    } = config;
    notes.extend(current_notes);

    let base = base_side(catalog, request, base, &current);
    let head_results = assess(
        catalog,
        request,
        &head.suppression_map(),
        with_current(head.inventory(), &current),
        results_of(catalog, head, &current),
        started_at,
    );
    let comparison = compare(head_results, &base, &|path| changed.contains(path));
    let mut evaluated_controls: Vec<String> = affected
        .into_iter()
        .chain(other_controls.iter().map(|c| c.id.clone()))
        .collect();
    evaluated_controls.sort();
    let skipped_controls = catalog
        .controls
        .iter()
        .map(|c| c.id.clone())
        .filter(|id| evaluated_controls.binary_search(id).is_err())
        .collect();
    Ok(finish(
        comparison,
        CheckReport {
            mode: CheckMode::Base,
            base: reference.to_string(),
            base_commit: Some(commit.to_string()),
            cache: cache_use,
            changed_paths: changed.into_iter().collect(),
            evaluated_controls,
            skipped_controls,
            new_failures: Vec::new(),
            fixed: Vec::new(),
            score_drops: Vec::new(),
            max_score_drop: options.max_score_drop,
            notes,
        },
    ))
}

/// Compares a full scan of the working tree with a baseline file (shown as `file`).
pub fn against_baseline(
    catalog: &Catalog,
    request: &ScanRequest,
    baseline: &Baseline,
    file: &str,
    options: &CheckOptions,
) -> Result<Results, Diagnostic> {
    let head = scan::run(catalog, request, &|_, _| {})?;
    let mut notes = Vec::new();
    if baseline.catalog_digest != catalog.digest {
        notes.push(
            "the catalog differs from the one the baseline was written with: failures of \
             changed controls may show as new; write the baseline again to accept them"
                .to_string(),
        );
    }
    let comparison = compare(head, &baseline.side(), &|_| true);
    Ok(finish(
        comparison,
        CheckReport {
            mode: CheckMode::Baseline,
            base: file.to_string(),
            base_commit: baseline.commit.clone(),
            cache: CacheUse::Off,
            changed_paths: Vec::new(),
            evaluated_controls: catalog.controls.iter().map(|c| c.id.clone()).collect(),
            skipped_controls: Vec::new(),
            new_failures: Vec::new(),
            fixed: Vec::new(),
            score_drops: Vec::new(),
            max_score_drop: options.max_score_drop,
            notes,
        },
    ))
}

/// The view with the comparison's lists in its `check` section.
fn finish(comparison: Comparison, mut report: CheckReport) -> Results {
    let Comparison {
        new_failures,
        fixed,
        score_drops,
        mut view,
    } = comparison;
    report.new_failures = new_failures;
    report.fixed = fixed;
    report.score_drops = score_drops;
    view.check = Some(report);
    view
}

/// Why the check fails (empty when it passes): new failures of controls of severity
/// `fail_on` or worse (any severity when `None`), and score drops beyond the allowed one.
pub fn gate(report: &CheckReport, fail_on: Option<Severity>) -> Vec<String> {
    let mut reasons = Vec::new();
    let counted = report
        .new_failures
        .iter()
        .filter(|f| fail_on.is_none_or(|min| f.severity >= min))
        .count();
    if counted > 0 {
        let floor = fail_on.map_or_else(String::new, |s| format!(" of severity {s} or worse"));
        reasons.push(format!(
            "{counted} new failure{}{floor}",
            if counted == 1 { "" } else { "s" }
        ));
    }
    for d in &report.score_drops {
        if d.drop > report.max_score_drop {
            reasons.push(format!(
                "{} score dropped from {:.1}% to {:.1}% ({:.1} points; at most {:.1} allowed)",
                d.framework, d.base, d.head, d.drop, report.max_score_drop
            ));
        }
    }
    reasons
}
