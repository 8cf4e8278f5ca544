//! Check backends. A check turns the collected documents into findings for one control.

mod assert;
mod attest;
mod bindings;
mod budget;
pub mod cedar;
mod item_filter;
mod message;
pub mod rego;
mod relation;
mod resource_index;
mod select;
#[cfg(test)]
mod test_support;
mod unknown;
mod workload;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use assay_collectors::{Document, EvidenceKind, Format};

pub use assert::Assert;
pub use attest::{Attestation, MIN_STATEMENT_CHARS};
pub use budget::Budget;
pub use cedar::Cedar;
pub use rego::Rego;
pub use relation::Quantifier;
pub use select::{Item, Selector};
pub use workload::View;

use resource_index::ResourceIndex;

use crate::catalog::ControlDir;
use crate::diag::Diagnostic;
use crate::model::Finding;
use crate::parse::LocatedValue;

/// The documents checks read, with the index of Terraform resources that relations look up:
/// built on first use, once for all the controls evaluated over the same documents.
pub struct Inputs<'d> {
    pub documents: &'d [Document],
    resources: OnceLock<ResourceIndex<'d>>,
}

impl<'d> Inputs<'d> {
    pub fn new(documents: &'d [Document]) -> Self {
        Inputs {
            documents,
            resources: OnceLock::new(),
        }
    }

    fn resources(&self) -> &ResourceIndex<'d> {
        self.resources
            .get_or_init(|| ResourceIndex::build(self.documents))
    }
}

/// A compiled check of one control.
#[derive(Debug)]
pub enum Check {
    /// Declarative YAML assertions over JSONPath.
    Assert(Assert),
    /// Rego policies run by conftest's conventions.
    Rego(Rego),
    /// Questions asked of Cedar access models.
    Cedar(Cedar),
    /// Statements by people in the attestation folder.
    Attestation(Attestation),
}

impl Check {
    /// Compiles the check found at `pointer` in a control document; `dir` is the control's
    /// folder, where files the check names are read from.
    pub fn compile(
        doc: &LocatedValue,
        pointer: &str,
        dir: &ControlDir,
    ) -> Result<Check, Vec<Diagnostic>> {
        let check = doc.value.pointer(pointer).and_then(|v| v.as_object());
        match check.and_then(|c| c.keys().next()).map(String::as_str) {
            Some("assert") => Assert::compile(doc, &format!("{pointer}/assert")).map(Check::Assert),
            Some("rego") => Rego::compile(doc, &format!("{pointer}/rego"), dir).map(Check::Rego),
            Some("cedar") => Cedar::compile(doc, &format!("{pointer}/cedar")).map(Check::Cedar),
            Some("attestation") => {
                Attestation::compile(doc, &format!("{pointer}/attestation")).map(Check::Attestation)
            }
            _ => Err(vec![doc
                .diagnostic(pointer, "a check needs exactly one backend")
                .expected("`assert`, `rego`, `cedar` or `attestation`")]),
        }
    }

    /// The evidence kinds the check reads; collectors of other kinds need not run.
    pub fn evidence(&self) -> Vec<EvidenceKind> {
        match self {
            Check::Assert(a) => a.evidence(),
            Check::Rego(r) => r.evidence(),
            Check::Cedar(c) => c.evidence(),
            Check::Attestation(a) => a.evidence(),
        }
    }

    /// Whether a change to the config file at the root-relative `path` can change this
    /// check's findings, judged by the file's name (globs) and the `formats` its documents
    /// were parsed as (its name when none are known; any Terraform file for assertions with
    /// relations). Checks that read only other evidence answer `false`: callers evaluate them
    /// whatever changed.
    pub fn could_select(&self, path: &str, formats: &BTreeSet<Format>) -> bool {
        match self {
            Check::Assert(a) if a.has_relations() && resource_index::is_terraform_path(path) => {
                true
            }
            Check::Assert(a) => a.selector().could_select(path, formats),
            Check::Rego(r) => r.selector().could_select(path, formats),
            Check::Cedar(_) | Check::Attestation(_) => false,
        }
    }

    /// Whether the findings on each document depend on that document alone, so that the
    /// findings on unchanged files stand when other files change.
    pub fn per_document(&self) -> bool {
        match self {
            Check::Assert(a) => !a.has_relations(),
            Check::Rego(r) => r.mode() == rego::Mode::PerFile,
            Check::Cedar(_) | Check::Attestation(_) => false,
        }
    }

    /// The language the check is written in: `yaml` (assertions), `rego`, `cedar` or
    /// `attestation`.
    pub fn language(&self) -> &'static str {
        match self {
            Check::Assert(_) => "yaml",
            Check::Rego(_) => "rego",
            Check::Cedar(_) => "cedar",
            Check::Attestation(_) => "attestation",
        }
    }

    /// Whether a person, not a machine, evidences the control.
    pub fn is_attestation(&self) -> bool {
        matches!(self, Check::Attestation(_))
    }

    /// Evaluates the check over `documents` within `budget`. Findings come back in a
    /// deterministic order.
    pub fn evaluate(&self, documents: &[Document], budget: &Budget) -> Vec<Finding> {
        self.evaluate_with(&Inputs::new(documents), budget)
    }

    /// [`Check::evaluate`] over inputs shared with other checks.
    pub fn evaluate_with(&self, inputs: &Inputs<'_>, budget: &Budget) -> Vec<Finding> {
        let documents = inputs.documents;
        let mut findings = match self {
            Check::Assert(a) => a.evaluate(inputs, budget),
            Check::Rego(r) => r.evaluate(documents, budget),
            Check::Cedar(c) => c.evaluate(documents, budget),
            Check::Attestation(a) => a.evaluate(documents),
        };
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings
    }
}
