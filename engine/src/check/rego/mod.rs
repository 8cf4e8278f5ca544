//! Rego checks, evaluated by regorus with conftest's conventions: `deny`/`violation` rules
//! report failures, `warn` rules warnings, `exception` rules waive them (the waived results
//! stay visible), results are strings or objects with a `msg`.
//!
//! A policy set is compiled once; inputs are evaluated in parallel, each on a clone of the
//! prepared engine and under a time limit, so that a runaway policy ends as an `error`
//! finding instead of stalling the scan.

mod builtins;
mod conventions;
mod inputs;
mod policy;
mod recursion;
mod source;
mod spec;

use std::sync::Arc;

use assay_collectors::{Document, EvidenceKind};
use rayon::prelude::*;

pub use conventions::{Message, RuleKind};
pub use policy::{
    to_value, DataSource, EvalError, Outcome, Package, PolicyOptions, PolicySet, DEFAULT_TIMEOUT,
};
pub use source::ModuleSource;

use super::select::Selector;
use super::Budget;
use crate::model::{Finding, FindingStatus, Location};

/// How inputs are formed from the selected documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "rego_mode")]
pub enum Mode {
    /// One evaluation per document (conftest's default).
    PerFile,
    /// One evaluation over every document (`conftest --combine`).
    Combined,
}

/// A compiled `rego` check: one package of a policy set, judged by conftest's conventions.
#[derive(Debug)]
pub struct Rego {
    control: String,
    select: Selector,
    mode: Mode,
    policy: Arc<PolicySet>,
    namespace: String,
    rules: Vec<(String, RuleKind)>,
}

/// The result of one evaluation.
#[derive(Debug, Clone)]
pub struct InputOutcome {
    /// The input's file; `None` for the combined input.
    pub path: Option<String>,
    /// The line the input starts at in its file.
    pub line: Option<u32>,
    /// What was evaluated: a document label, an array element, or `combined input`.
    pub label: String,
    /// sha256 of the files the input comes from.
    pub evidence: Vec<String>,
    pub result: Result<Outcome, EvalError>,
}

impl Rego {
    /// A check of package `namespace` of `policy` over every config document, evaluating every
    /// conftest rule of the package (as `assay scan --policy` does).
    pub fn new(control: &str, policy: Arc<PolicySet>, namespace: &str, mode: Mode) -> Rego {
        let rules = policy
            .packages()
            .get(namespace)
            .map(|p| p.rules.iter().map(|(r, k)| (r.clone(), *k)).collect())
            .unwrap_or_default();
        Rego {
            control: control.to_string(),
            select: Selector::default(),
            mode,
            policy,
            namespace: namespace.to_string(),
            rules,
        }
    }

    /// The evidence kinds the check reads.
    pub fn evidence(&self) -> Vec<EvidenceKind> {
        self.select.evidence()
    }

    /// The package whose rules are evaluated.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Which documents the check reads.
    pub fn selector(&self) -> &Selector {
        &self.select
    }

    /// Whether documents are evaluated one by one or together.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Evaluates the selected documents within `budget`: one outcome per input, in input
    /// order; the inputs left when the budget runs out share one error outcome at the end.
    pub fn outcomes(&self, documents: &[Document], budget: &Budget) -> Vec<InputOutcome> {
        let inputs = inputs::per_file(&self.select, documents);
        match self.mode {
            Mode::PerFile => {
                let evaluated: Vec<Option<InputOutcome>> = inputs
                    .par_iter()
                    .map_init(
                        || self.policy.engine(),
                        |engine, input| {
                            (!budget.is_spent()).then(|| InputOutcome {
                                path: Some(input.document.place(&input.pointer).0.to_string()),
                                line: Some(input.document.line(&input.pointer)),
                                label: input.label.clone(),
                                evidence: input.document.evidence_digest().into_iter().collect(),
                                result: self.run(engine, to_value(input.value), budget).map(
                                    |mut o| {
                                        o.locate(|p| {
                                            input.document.line(&format!("{}{p}", input.pointer))
                                        });
                                        o
                                    },
                                ),
                            })
                        },
                    )
                    .collect();
                let left = evaluated.iter().filter(|o| o.is_none()).count();
                let mut outcomes: Vec<InputOutcome> = evaluated.into_iter().flatten().collect();
                if left > 0 {
                    outcomes.push(InputOutcome {
                        path: None,
                        line: None,
                        label: format!("{left} inputs not evaluated"),
                        evidence: Vec::new(),
                        result: Err(EvalError::Limit(budget.spent_message())),
                    });
                }
                outcomes
            }
            Mode::Combined if inputs.is_empty() => Vec::new(),
            Mode::Combined => {
                let mut evidence: Vec<String> = inputs
                    .iter()
                    .filter_map(|i| i.document.evidence_digest())
                    .collect();
                evidence.sort();
                evidence.dedup();
                let value = inputs::combined(&inputs);
                vec![InputOutcome {
                    path: None,
                    line: None,
                    label: format!("combined input ({} documents)", inputs.len()),
                    evidence,
                    result: self.run(&mut self.policy.engine(), to_value(&value), budget),
                }]
            }
        }
    }

    fn run(
        &self,
        engine: &mut regorus::Engine,
        input: Result<regorus::Value, String>,
        budget: &Budget,
    ) -> Result<Outcome, EvalError> {
        let input = input.map_err(EvalError::Eval)?;
        self.policy
            .evaluate(engine, &self.namespace, &self.rules, input, budget)
    }

    /// Evaluates the selected documents into findings: one per message, and a pass for each
    /// input without failures.
    pub fn evaluate(&self, documents: &[Document], budget: &Budget) -> Vec<Finding> {
        self.outcomes(documents, budget)
            .into_iter()
            .enumerate()
            .flat_map(|(i, o)| self.findings(o, i + 1))
            .collect()
    }

    /// The findings of one input, item `number` of the check.
    fn findings(&self, outcome: InputOutcome, number: usize) -> Vec<Finding> {
        // A message that names its node is reported at that node's line; any other at the
        // first line of the input.
        let finding = |status: FindingStatus, message: String, line: Option<u32>| Finding {
            status,
            resource: Some(outcome.label.clone()),
            message,
            location: outcome.path.clone().map(|path| Location {
                path,
                line: line.or(outcome.line),
            }),
            evidence: outcome.evidence.clone(),
            item: number,
            signature: None,
        };
        match &outcome.result {
            Err(e) => {
                let message = match e {
                    EvalError::Limit(m) => format!("control `{}`: {m}", self.control),
                    other => format!(
                        "control `{}`: Rego evaluation failed: {}",
                        self.control,
                        other.message()
                    ),
                };
                vec![finding(FindingStatus::Error, message, None)]
            }
            Ok(o) => {
                let mut out: Vec<Finding> = Vec::new();
                out.extend(
                    o.failures
                        .iter()
                        .map(|m| finding(FindingStatus::Fail, m.text.clone(), m.line)),
                );
                out.extend(
                    o.warnings
                        .iter()
                        .map(|m| finding(FindingStatus::Warn, m.text.clone(), m.line)),
                );
                out.extend(o.waived.iter().map(|(rule, m)| {
                    finding(
                        FindingStatus::Waived,
                        format!("{} (waived by an exception for `{rule}`)", m.text),
                        m.line,
                    )
                }));
                if !out
                    .iter()
                    .any(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Waived))
                {
                    out.push(finding(FindingStatus::Pass, "passed".to_string(), None));
                }
                out
            }
        }
    }
}
