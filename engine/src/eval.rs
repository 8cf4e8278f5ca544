//! Evaluation: every control over the collected documents, in parallel. A control whose
//! check fails unexpectedly yields an `error` finding; the others go on.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use assay_collectors::limits::Limits;
use assay_collectors::Document;
use rayon::prelude::*;

use crate::catalog::Control;
use crate::check::{Budget, Inputs};
use crate::model::{Finding, FindingStatus};
use crate::shard::Shard;

/// The findings of one control.
#[derive(Debug, Clone)]
pub struct ControlResult {
    pub control: Arc<Control>,
    pub findings: Vec<Finding>,
}

/// Evaluates `controls` over `documents`; the result is in the order of `controls` and does
/// not depend on the number of threads. `progress` is called once per finished control.
pub fn evaluate(
    controls: &[Arc<Control>],
    documents: &[Document],
    limits: &Limits,
    progress: &(dyn Fn() + Sync),
) -> Vec<ControlResult> {
    let inputs = Inputs::new(documents);
    controls
        .par_iter()
        .map(|control| {
            let findings = evaluate_with(control, &inputs, limits);
            progress();
            ControlResult {
                control: control.clone(),
                findings,
            }
        })
        .collect()
}

/// [`evaluate`] as shard `shard` of a fan-out. A control whose findings on a document depend on
/// that document alone judges only the documents of the files the shard owns; every other
/// control (relations between files, combined policies, attestations, history) is evaluated
/// over all documents by shard 1 and left without findings by the others. Together the shards'
/// findings are those of one scan, each exactly once.
pub fn evaluate_shard(
    controls: &[Arc<Control>],
    documents: &[Document],
    limits: &Limits,
    shard: Shard,
    progress: &(dyn Fn() + Sync),
) -> Vec<ControlResult> {
    if shard == Shard::WHOLE {
        return evaluate(controls, documents, limits, progress);
    }
    let owned: Vec<Document> = documents
        .iter()
        .filter(|d| shard.owns(&d.path))
        .cloned()
        .collect();
    let (all, mine) = (Inputs::new(documents), Inputs::new(&owned));
    controls
        .par_iter()
        .map(|control| {
            let findings = if control.check.per_document() {
                evaluate_with(control, &mine, limits)
            } else if shard.index() == 1 {
                evaluate_with(control, &all, limits)
            } else {
                Vec::new()
            };
            progress();
            ControlResult {
                control: control.clone(),
                findings,
            }
        })
        .collect()
}

/// Evaluates one control within the time budget of `limits`, turning a panic inside its check
/// into an `error` finding.
pub fn evaluate_control(
    control: &Control,
    documents: &[Document],
    limits: &Limits,
) -> Vec<Finding> {
    evaluate_with(control, &Inputs::new(documents), limits)
}

/// [`evaluate_control`] over inputs shared with other controls.
pub fn evaluate_with(control: &Control, inputs: &Inputs<'_>, limits: &Limits) -> Vec<Finding> {
    let budget = Budget::start(limits);
    match catch_unwind(AssertUnwindSafe(|| {
        control.check.evaluate_with(inputs, &budget)
    })) {
        Ok(findings) => findings,
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".into());
            vec![Finding {
                status: FindingStatus::Error,
                resource: None,
                message: format!("control `{}` could not be evaluated: {reason}", control.id),
                location: None,
                evidence: Vec::new(),
                item: 0,
                signature: None,
            }]
        }
    }
}
