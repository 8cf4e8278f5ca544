//! One scan, end to end: collect evidence, evaluate the catalog, score, assemble the results.

use assay_collectors::{Collection, EvidenceKind, Scope, SkippedFile, SourceError};
use rayon::prelude::*;

use crate::catalog::{Catalog, Framework};
use crate::diag::{did_you_mean, Diagnostic};
use crate::eval::{evaluate_shard, ControlResult};
use crate::model::{FindingStatus, Severity};
use crate::pack::evidence::Built;
use crate::report::shard::ShardReport;
use crate::report::{
    ControlKind, ControlReport, FrameworkReport, MappingRef, RequirementReport, Results, ScanInfo,
    SkippedReport, SourceErrorReport, Summary, Tool, SCHEMA_VERSION,
};
use crate::score::{score_framework, ControlScore, Implementation, Judged, Thresholds};
use crate::shard::Shard;
use crate::waiver::{self, Waivers};

/// What to scan and how to score it.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    pub scope: Scope,
    /// Framework ids to score; `None` scores every framework of the catalog.
    pub frameworks: Option<Vec<String>>,
    pub thresholds: Thresholds,
    /// The waivers file and whether inline suppressions count.
    pub waivers: Waivers,
    /// The clock the scan's start and end are recorded by.
    pub clock: Clock,
    /// Who may sign attestations, and whether unsigned ones count.
    pub attestations: crate::signed_attestation::AttestationSettings,
    /// The repository's name from `assay.yaml` (`repository.name`).
    pub repository_name: Option<String>,
    /// The share of the work when the scan is one shard of a fan-out (`--shard I/N`).
    pub shard: Option<ShardRun>,
}

/// A scan run as one shard of a fan-out: its share, and the digest of the settings that every
/// shard, and the merge, must share.
#[derive(Debug, Clone)]
pub struct ShardRun {
    pub shard: Shard,
    pub settings: String,
}

/// The clock scan times are recorded by: the wall clock, or a pinned time (`--now`,
/// `SOURCE_DATE_EPOCH`) so that the same input gives the same bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    Wall,
    Pinned(jiff::Timestamp),
}

impl Clock {
    /// The current time as the results record it (RFC 3339, UTC, whole seconds).
    pub fn now(&self) -> String {
        let time = match self {
            Clock::Wall => jiff::Timestamp::now(),
            Clock::Pinned(time) => *time,
        };
        time.round(jiff::Unit::Second)
            .map(|t| t.to_string())
            .unwrap_or_default()
    }
}

/// What the collectors read, as the results report it.
#[derive(Debug, Default)]
pub struct Inventory {
    pub documents: usize,
    /// Distinct files the documents come from.
    pub files: usize,
    pub errors: Vec<SourceError>,
    pub skipped: Vec<SkippedFile>,
}

impl Inventory {
    pub fn of(collection: &Collection) -> Inventory {
        let mut files: Vec<&str> = collection
            .documents
            .iter()
            .map(|d| d.path.as_ref())
            .collect();
        files.dedup();
        Inventory {
            documents: collection.documents.len(),
            files: files.len(),
            errors: collection.errors.clone(),
            skipped: collection.skipped.clone(),
        }
    }
}

/// Checks that every requested framework exists.
pub fn check_frameworks(
    catalog: &Catalog,
    requested: &[String],
    origin: &str,
) -> Result<(), Vec<Diagnostic>> {
    let known: Vec<&str> = catalog.frameworks.iter().map(|f| f.id.as_str()).collect();
    let errors: Vec<Diagnostic> = requested
        .iter()
        .filter(|r| !known.contains(&r.as_str()))
        .map(|r| {
            let d = Diagnostic::new(origin, format!("unknown framework `{r}`")).expected(format!(
                "one of {}",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            match did_you_mean(r, known.iter().copied()) {
                Some(close) => d.hint(format!("did you mean `{close}`?")),
                None => d,
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Runs a scan. `progress` is called with (done, total) as controls finish.
pub fn run(
    catalog: &Catalog,
    request: &ScanRequest,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Results, Diagnostic> {
    run_keeping(catalog, request, progress).map(|(results, _)| results)
}

/// Runs a scan like [`run`], also returning the evidence collectors built that no file of
/// the scan root holds (the git history), for an evidence pack to keep.
pub fn run_keeping(
    catalog: &Catalog,
    request: &ScanRequest,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(Results, Vec<Built>), Diagnostic> {
    let started_at = request.clock.now();
    let needed: std::collections::BTreeSet<_> = catalog
        .controls
        .iter()
        .flat_map(|c| c.check.evidence())
        .collect();
    let mut collection = collect(&needed, &request.scope)?;
    crate::signed_attestation::annotate(&mut collection.documents, &request.attestations);
    let declared = ai_systems_declared(&collection);
    let scoped;
    let catalog = match default_scope(catalog, request, declared) {
        Some(c) => {
            scoped = c;
            &scoped
        }
        None => catalog,
    };

    let total = catalog.controls.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(n, total);
    };
    let shard = request.shard.as_ref().map_or(Shard::WHOLE, |s| s.shard);
    let mut results = evaluate_shard(
        &catalog.controls,
        &collection.documents,
        &request.scope.limits,
        shard,
        &tick,
    );
    let applied = waiver::apply(
        &mut results,
        &request.waivers,
        &waiver::suppressions_of(&collection.documents),
        catalog,
        waiver::day_of(request.scope.now),
    );
    crate::locations::settle(&mut results, &request.scope.root);
    let mut inventory = Inventory::of(&collection);
    inventory.errors.extend(applied.errors);
    let built = Built::of(&collection.documents);
    let part = request.shard.as_ref().map(|run| ShardReport {
        part: run.shard.to_string(),
        settings: run.settings.clone(),
        ai_systems_declared: declared,
        items: results
            .iter()
            .map(|r| {
                let items = r.findings.iter().map(|f| f.item).collect();
                (r.control.id.clone(), items)
            })
            .collect(),
    });
    let mut results = assemble(
        catalog,
        request,
        inventory,
        results,
        applied.reports,
        started_at,
    );
    results.shard = part;
    Ok((results, built))
}

/// The framework scored only when the scan finds AI systems declared or it is asked for.
pub const AI_ACT: &str = "eu-ai-act";

/// Whether `ai-systems.yaml` lists AI systems.
fn ai_systems_declared(collection: &Collection) -> bool {
    collection.documents.iter().any(|d| {
        d.kind == EvidenceKind::Ai
            && d.data["kind"] == "AiSystems"
            && d.data["count"].as_u64().is_some_and(|n| n > 0)
    })
}

/// The catalog without the frameworks scored only when chosen (`opt_in`), and without the EU
/// AI Act unless AI systems are `declared`, when no framework was asked for; `None` when the
/// catalog stands.
pub fn default_scope(catalog: &Catalog, request: &ScanRequest, declared: bool) -> Option<Catalog> {
    let left_out = |id: &str, opt_in: bool| opt_in || (id == AI_ACT && !declared);
    if request.frameworks.is_some() || !catalog.frameworks.iter().any(|f| left_out(&f.id, f.opt_in))
    {
        return None;
    }
    let mut scoped = Catalog {
        controls: catalog.controls.clone(),
        frameworks: catalog.frameworks.clone(),
        digest: catalog.digest.clone(),
        skipped: catalog.skipped.clone(),
    };
    let others: Vec<String> = catalog
        .frameworks
        .iter()
        .filter(|f| !left_out(&f.id, f.opt_in))
        .map(|f| f.id.clone())
        .collect();
    // Controls mapped to no framework at all stay: only those of the frameworks left out go.
    let unmapped: Vec<_> = catalog
        .controls
        .iter()
        .filter(|c| catalog.mappings_of(&c.id).is_empty())
        .cloned()
        .collect();
    scoped.scope_to(&others);
    scoped.controls.extend(unmapped);
    scoped.controls.sort_by(|a, b| a.id.cmp(&b.id));
    Some(scoped)
}

/// Runs the collectors of the evidence `kinds` over `scope`, side by side and sharing one walk
/// of the tree; only a scope that cannot be read at all is an error (the first, in registry
/// order).
pub fn collect(
    kinds: &std::collections::BTreeSet<EvidenceKind>,
    scope: &Scope,
) -> Result<Collection, Diagnostic> {
    let collectors: Vec<_> = assay_collectors::registry()
        .into_iter()
        .filter(|c| kinds.contains(&c.kind()))
        .collect();
    let scope = scope.sharing_walk();
    let found: Vec<_> = collectors.par_iter().map(|c| c.collect(&scope)).collect();
    let mut collection = Collection::default();
    for part in found {
        let part = part.map_err(|e| {
            let mut d = Diagnostic::new(e.path, e.message);
            if let Some(h) = e.hint {
                d = d.hint(h);
            }
            d
        })?;
        collection.extend(part);
    }
    collection.sort();
    Ok(collection)
}

/// The frameworks a scan scores: those the request names, or all.
pub fn scored_frameworks<'c>(catalog: &'c Catalog, request: &ScanRequest) -> Vec<&'c Framework> {
    catalog
        .frameworks
        .iter()
        .filter(|f| {
            request
                .frameworks
                .as_ref()
                .is_none_or(|wanted| wanted.contains(&f.id))
        })
        .collect()
}

/// How many failing controls the results name as the ones to fix first.
const FIX_FIRST: usize = 5;

/// Scores the control results (waivers already applied) and assembles the results document.
pub fn assemble(
    catalog: &Catalog,
    request: &ScanRequest,
    mut inventory: Inventory,
    results: Vec<ControlResult>,
    waivers: Vec<crate::report::waivers::WaiverReport>,
    started_at: String,
) -> Results {
    // Scores before waivers are given whenever a waiver changed something.
    let any_waived = results
        .iter()
        .any(|r| r.findings.iter().any(|f| f.status == FindingStatus::Waived));
    let scored = scored_frameworks(catalog, request);
    let judged = Judged::of(&results);
    let fix_first = crate::score::fix_first(&scored, &judged, FIX_FIRST);
    // Frameworks are scored in parallel; `collect` keeps their order.
    let frameworks = scored
        .into_par_iter()
        .map(|f| {
            let s = score_framework(catalog, f, &judged, true, &request.thresholds);
            let b = any_waived
                .then(|| score_framework(catalog, f, &judged, false, &request.thresholds));
            FrameworkReport {
                id: s.id,
                name: s.name,
                version: s.version,
                score: s.score,
                score_before_waivers: b.as_ref().and_then(|b| b.score),
                automated_score: s.automated_score,
                attested_score: s.attested_score,
                evidenced: s.evidenced,
                coverage: s.coverage,
                counts: s.counts,
                rating: s.rating,
                adjusted_controls: s.adjusted_controls,
                requirements: s
                    .requirements
                    .into_iter()
                    .enumerate()
                    .map(|(i, r)| RequirementReport {
                        id: r.id,
                        title: r.title,
                        score: r.score,
                        score_before_waivers: b.as_ref().and_then(|b| b.requirements[i].score),
                        automated_score: r.automated_score,
                        attested_score: r.attested_score,
                        evidence: r.evidence,
                        status: r.status,
                        controls: r.controls,
                        coverage: r.coverage,
                        not_applicable: r.not_applicable,
                        exclusion: r.exclusion,
                        designation: f.requirements[i].designation.clone(),
                        service_provider: f.requirements[i].service_provider,
                        earlier_ids: r.earlier_ids,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut summary = Summary {
        controls: results.len(),
        ..Summary::default()
    };
    // Scores per control, so that the results can be consumed below.
    let per_control: Vec<(ControlScore, Option<f64>)> = (0..results.len())
        .map(|i| {
            let before = any_waived.then(|| judged.control_score(i, false).score);
            (judged.control_score(i, true), before.flatten())
        })
        .collect();
    let controls: Vec<ControlReport> = results
        .into_iter()
        .zip(per_control)
        .map(|(r, (s, score_before_waivers))| {
            match s.status {
                Implementation::Implemented => summary.implemented += 1,
                Implementation::Partial => summary.partial += 1,
                Implementation::NotImplemented => summary.not_implemented += 1,
                Implementation::NotApplicable => summary.not_applicable += 1,
                Implementation::NotAssessed => summary.not_assessed += 1,
                Implementation::Error => summary.error += 1,
            }
            summary.findings_passed += s.passed;
            summary.findings_failed += s.failed;
            summary.findings_error += s.errors;
            ControlReport {
                id: r.control.id.clone(),
                title: r.control.title.clone(),
                description: r.control.description.clone(),
                family: r.control.family.clone(),
                kind: if r.control.check.is_attestation() {
                    ControlKind::Attestation
                } else {
                    ControlKind::Automated
                },
                check: r.control.check.language().to_string(),
                evidence: r.control.check.evidence(),
                severity: r.control.severity,
                status: s.status,
                score: s.score,
                score_before_waivers,
                passed: s.passed,
                failed: s.failed,
                errors: s.errors,
                waived: s.waived,
                warnings: s.warned,
                missing_evidence: (s.status == Implementation::NotAssessed)
                    .then(|| missing_evidence(&r.control.check.evidence())),
                remediation: r.control.remediation.clone(),
                references: r.control.references.clone(),
                parameters: r
                    .control
                    .parameters
                    .iter()
                    .map(|p| (p.name.clone(), p.value.clone()))
                    .collect(),
                mappings: catalog
                    .mappings_of(&r.control.id)
                    .into_iter()
                    .map(|(framework, requirement)| MappingRef {
                        framework: framework.to_string(),
                        requirement: requirement.to_string(),
                    })
                    .collect(),
                findings: r.findings,
            }
        })
        .collect();
    inventory
        .errors
        .sort_by(|a, b| (&a.path, a.position, &a.message).cmp(&(&b.path, b.position, &b.message)));
    Results {
        schema_version: SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "assay".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        scan: ScanInfo {
            root: match request.scope.stdin {
                Some(_) => assay_collectors::config::STDIN_PATH.to_string(),
                None => shown_root(&request.scope.root),
            },
            started_at,
            finished_at: request.clock.now(),
            catalog_digest: catalog.digest.clone(),
            commit: crate::vcs::head_commit(&request.scope.root),
            repository: crate::vcs::provenance(
                &request.scope.root,
                request.repository_name.as_deref(),
            ),
            documents: inventory.documents,
            files: inventory.files,
        },
        summary,
        controls,
        frameworks,
        errors: inventory
            .errors
            .iter()
            .map(|e| SourceErrorReport {
                status: "error".to_string(),
                path: e.path.clone(),
                line: e.position.map(|p| p.line),
                column: e.position.map(|p| p.column),
                message: e.message.clone(),
                hint: e.hint.clone(),
            })
            .collect(),
        skipped: inventory
            .skipped
            .iter()
            .map(|s| SkippedReport {
                path: s.path.clone(),
                reason: s.reason.clone(),
            })
            .collect(),
        skipped_controls: catalog.skipped.clone(),
        fix_first,
        waivers,
        check: None,
        shard: None,
        merged: None,
    }
}

/// The scan root as results record it, never an absolute path of this machine: a relative
/// root as given, an absolute one relative to the current directory when it lies below it,
/// else only its final component (`assay site --root` then names the directory).
pub fn shown_root(root: &std::path::Path) -> String {
    if root.is_relative() {
        let shown = root.display().to_string();
        return if shown.is_empty() { ".".into() } else { shown };
    }
    let here = std::env::current_dir().and_then(|d| d.canonicalize());
    let canonical = root.canonicalize();
    if let (Ok(here), Ok(canonical)) = (&here, &canonical) {
        if let Ok(below) = canonical.strip_prefix(here) {
            let shown = below.display().to_string();
            return if shown.is_empty() { ".".into() } else { shown };
        }
    }
    root.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ".".into())
}

/// A file named on the command line or in `assay.yaml` as outputs show it: relative to the
/// scan `root` when it lies inside, else as [`shown_root`] shows a directory.
pub fn shown_path(path: &std::path::Path, root: &std::path::Path) -> String {
    if let (Ok(file), Ok(root)) = (path.canonicalize(), root.canonicalize()) {
        if let Ok(inside) = file.strip_prefix(&root) {
            if !inside.as_os_str().is_empty() {
                return inside.display().to_string();
            }
        }
    }
    shown_root(path)
}

/// What a control that found no evidence of `kinds` asks for.
fn missing_evidence(kinds: &[EvidenceKind]) -> String {
    let wanted: Vec<&str> = kinds.iter().map(|k| k.what_to_provide()).collect();
    format!("no evidence found; provide {}", wanted.join(", or "))
}

/// The severity the gate fails on when neither `--fail-on` nor `gate.fail_on` sets one.
pub const DEFAULT_FAIL_ON: Severity = Severity::High;

/// The CI gate of `assay scan`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    /// Fail when a framework scores under this percentage.
    pub fail_under: Option<f64>,
    /// Fail when a control of this severity or worse has a failing item.
    pub fail_on: Severity,
    /// Gate on attestation controls and on controls not assessed for missing evidence too;
    /// by default only automated findings, which a pull request can fix, count.
    pub include_attestations: bool,
    /// Report only: never fail.
    pub soft_fail: bool,
}

/// One reason a scan fails the gate.
#[derive(Debug, Clone, PartialEq)]
pub struct GateFailure {
    /// The control id or framework name that failed.
    pub subject: String,
    pub reason: String,
}

/// What the gate made of a scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// What the gate fails on; `None` when no gate is set (`--soft-fail`).
    pub gate: Option<String>,
    /// What fails the gate, or would fail it were one set.
    pub failures: Vec<GateFailure>,
}

impl Verdict {
    pub fn failed(&self) -> bool {
        self.gate.is_some() && !self.failures.is_empty()
    }
}

impl Gate {
    /// One line saying what the gate fails on.
    pub fn describe(&self) -> String {
        let mut what = format!(
            "{} controls failing at {} or worse",
            if self.include_attestations {
                "automated and attestation"
            } else {
                "automated"
            },
            self.fail_on
        );
        if self.include_attestations {
            what.push_str(", evidence missing");
        }
        if let Some(limit) = self.fail_under {
            what.push_str(&format!(", a framework under {limit:.1}%"));
        }
        what
    }

    /// Judges `results`.
    pub fn judge(&self, results: &Results) -> Verdict {
        let mut failures = Vec::new();
        if let Some(limit) = self.fail_under {
            for f in &results.frameworks {
                if let Some(score) = f.score.filter(|s| *s < limit) {
                    failures.push(GateFailure {
                        subject: f.name.clone(),
                        reason: format!("scores {score:.1}%, under the required {limit:.1}%"),
                    });
                }
            }
        }
        let gated = results.controls.iter().filter(|c| {
            c.severity >= self.fail_on
                && (self.include_attestations || c.kind == ControlKind::Automated)
        });
        for c in gated {
            let bad = c
                .findings
                .iter()
                .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
                .count();
            let reason = if bad > 0 {
                format!("({}) has {bad} failing item(s)", c.severity)
            } else if self.include_attestations && c.status == Implementation::NotAssessed {
                format!("({}) is not assessed: evidence is missing", c.severity)
            } else {
                continue;
            };
            failures.push(GateFailure {
                subject: c.id.clone(),
                reason,
            });
        }
        Verdict {
            gate: (!self.soft_fail).then(|| self.describe()),
            failures,
        }
    }
}
