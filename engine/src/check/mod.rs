//! Check backends. A check turns the collected documents into findings for one control.

mod assert;
mod message;
mod select;

use assay_collectors::{Document, EvidenceKind};

pub use assert::Assert;
pub use select::{Item, Selector};

use crate::diag::Diagnostic;
use crate::model::Finding;
use crate::parse::LocatedValue;

/// A compiled check of one control.
#[derive(Debug)]
pub enum Check {
    /// Declarative YAML assertions over JSONPath.
    Assert(Assert),
}

impl Check {
    /// Compiles the check found at `pointer` in a control document.
    pub fn compile(doc: &LocatedValue, pointer: &str) -> Result<Check, Vec<Diagnostic>> {
        let check = doc.value.pointer(pointer).and_then(|v| v.as_object());
        match check.and_then(|c| c.keys().next()).map(String::as_str) {
            Some("assert") => Assert::compile(doc, &format!("{pointer}/assert")).map(Check::Assert),
            _ => Err(vec![doc
                .diagnostic(pointer, "a check needs exactly one backend")
                .expected("`assert`")]),
        }
    }

    /// The evidence kinds the check reads; collectors of other kinds need not run.
    pub fn evidence(&self) -> Vec<EvidenceKind> {
        match self {
            Check::Assert(a) => a.evidence(),
        }
    }

    /// Evaluates the check over `documents`. Findings come back in a deterministic order.
    pub fn evaluate(&self, documents: &[Document]) -> Vec<Finding> {
        let mut findings = match self {
            Check::Assert(a) => a.evaluate(documents),
        };
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        findings
    }
}
