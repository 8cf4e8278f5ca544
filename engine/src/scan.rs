//! One scan, end to end: collect evidence, evaluate the catalog, score, assemble the results.

use std::collections::HashMap;

use assay_collectors::{Collection, Scope};

use crate::catalog::Catalog;
use crate::diag::{did_you_mean, Diagnostic};
use crate::eval::{evaluate, ControlResult};
use crate::model::{FindingStatus, Severity};
use crate::report::{
    ControlReport, FrameworkReport, RequirementReport, Results, ScanInfo, SkippedReport,
    SourceErrorReport, Summary, Tool, SCHEMA_VERSION,
};
use crate::score::{score_framework, ControlScore, Implementation, Thresholds};

/// What to scan and how to score it.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    pub scope: Scope,
    /// Framework ids to score; `None` scores every framework of the catalog.
    pub frameworks: Option<Vec<String>>,
    pub thresholds: Thresholds,
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
    let started_at = now();
    let mut collection = Collection::default();
    let needed: std::collections::BTreeSet<_> = catalog
        .controls
        .iter()
        .flat_map(|c| c.check.evidence())
        .collect();
    let collectors = assay_collectors::registry()
        .into_iter()
        .filter(|c| needed.contains(&c.kind()));
    for collector in collectors {
        let found = collector.collect(&request.scope).map_err(|e| {
            let mut d = Diagnostic::new(e.path, e.message);
            if let Some(h) = e.hint {
                d = d.hint(h);
            }
            d
        })?;
        collection.extend(found);
    }
    collection.sort();

    let total = catalog.controls.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let tick = || {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        progress(n, total);
    };
    let results = evaluate(&catalog.controls, &collection.documents, &tick);
    Ok(assemble(
        catalog,
        request,
        &collection,
        &results,
        started_at,
    ))
}

fn assemble(
    catalog: &Catalog,
    request: &ScanRequest,
    collection: &Collection,
    results: &[ControlResult],
    started_at: String,
) -> Results {
    let scores: HashMap<&str, ControlScore> = results
        .iter()
        .map(|r| (r.control.id.as_str(), ControlScore::of(r)))
        .collect();
    let mut summary = Summary {
        controls: results.len(),
        ..Summary::default()
    };
    let controls: Vec<ControlReport> = results
        .iter()
        .map(|r| {
            let s = scores[r.control.id.as_str()];
            match s.status {
                Implementation::Implemented => summary.implemented += 1,
                Implementation::Partial => summary.partial += 1,
                Implementation::NotImplemented => summary.not_implemented += 1,
                Implementation::NotApplicable | Implementation::NotAssessed => {
                    summary.not_applicable += 1
                }
                Implementation::Error => summary.error += 1,
            }
            summary.findings_passed += s.passed;
            summary.findings_failed += s.failed;
            summary.findings_error += s.errors;
            ControlReport {
                id: r.control.id.clone(),
                title: r.control.title.clone(),
                family: r.control.family.clone(),
                severity: r.control.severity,
                status: s.status,
                score: s.score,
                passed: s.passed,
                failed: s.failed,
                errors: s.errors,
                waived: s.waived,
                warnings: s.warned,
                remediation: r.control.remediation.clone(),
                findings: r.findings.clone(),
            }
        })
        .collect();
    let frameworks = catalog
        .frameworks
        .iter()
        .filter(|f| {
            request
                .frameworks
                .as_ref()
                .is_none_or(|wanted| wanted.contains(&f.id))
        })
        .map(|f| {
            let s = score_framework(f, results, &scores, &request.thresholds);
            FrameworkReport {
                id: s.id,
                name: s.name,
                version: s.version,
                score: s.score,
                coverage: s.coverage,
                rating: s.rating,
                requirements: s
                    .requirements
                    .into_iter()
                    .map(|r| RequirementReport {
                        id: r.id,
                        title: r.title,
                        score: r.score,
                        status: r.status,
                        controls: r.controls,
                    })
                    .collect(),
            }
        })
        .collect();
    let mut files: Vec<&str> = collection
        .documents
        .iter()
        .map(|d| d.path.as_ref())
        .collect();
    files.dedup();
    Results {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: "assay",
            version: env!("CARGO_PKG_VERSION"),
        },
        scan: ScanInfo {
            root: request.scope.root.display().to_string(),
            started_at,
            finished_at: now(),
            catalog_digest: catalog.digest.clone(),
            documents: collection.documents.len(),
            files: files.len(),
        },
        summary,
        controls,
        frameworks,
        errors: collection
            .errors
            .iter()
            .map(|e| SourceErrorReport {
                status: "error",
                path: e.path.clone(),
                line: e.position.map(|p| p.line),
                column: e.position.map(|p| p.column),
                message: e.message.clone(),
                hint: e.hint.clone(),
            })
            .collect(),
        skipped: collection
            .skipped
            .iter()
            .map(|s| SkippedReport {
                path: s.path.clone(),
                reason: s.reason.clone(),
            })
            .collect(),
    }
}

/// The CI gate: reasons the scan fails it (empty when it passes).
pub fn gate(results: &Results, fail_under: Option<f64>, fail_on: Option<Severity>) -> Vec<String> {
    let mut reasons = Vec::new();
    if let Some(limit) = fail_under {
        for f in &results.frameworks {
            if let Some(score) = f.score.filter(|s| *s < limit) {
                reasons.push(format!(
                    "{} scores {score:.1}%, under the required {limit:.1}%",
                    f.name
                ));
            }
        }
    }
    if let Some(min) = fail_on {
        for c in results.controls.iter().filter(|c| c.severity >= min) {
            let bad = c
                .findings
                .iter()
                .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
                .count();
            if bad > 0 {
                reasons.push(format!(
                    "{} ({}) has {bad} failing item(s)",
                    c.id, c.severity
                ));
            }
        }
    }
    reasons
}

fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
