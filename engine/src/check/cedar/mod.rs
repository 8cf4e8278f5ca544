//! Cedar checks over `access` evidence: a question such as "who may deploy to production" is
//! asked of each access model (an organisation's Cedar policies and entities) with Cedar's
//! own authorizer, over every principal of the given types in parallel, and the answer is
//! checked against the control's assertions.
//!
//! Each access model gives one finding: `fail` naming the offending principals and the
//! policies that allowed them (their `@id`, or Cedar's `policy0`, with file:line), `pass`
//! otherwise, and `error` when the model does not parse, link or validate against its schema.

mod judge;
pub mod model;
pub mod query;
mod spec;

use assay_collectors::{Document, EvidenceKind};
use rayon::prelude::*;

pub use model::{AccessModel, PolicyInfo, Problem, Site, ValidationIssue};
pub use query::{Ask, Decisions, Verdict};
pub use spec::{Actions, Filter, Kind, Limits, Question};

use super::Budget;
use crate::diag::Diagnostic;
use crate::model::Finding;
use crate::parse::LocatedValue;

/// A compiled `cedar` check.
#[derive(Debug)]
pub struct Cedar {
    question: Box<Question>,
}

impl Cedar {
    /// Compiles the `cedar` mapping at `pointer` of a control document.
    pub fn compile(doc: &LocatedValue, pointer: &str) -> Result<Cedar, Vec<Diagnostic>> {
        Question::compile(doc, pointer).map(|question| Cedar {
            question: Box::new(question),
        })
    }

    /// The evidence kinds the check reads.
    pub fn evidence(&self) -> Vec<EvidenceKind> {
        vec![EvidenceKind::Access]
    }

    /// One finding per access model, judged in parallel within `budget`.
    pub fn evaluate(&self, documents: &[Document], budget: &Budget) -> Vec<Finding> {
        documents
            .par_iter()
            .filter(|d| d.kind == EvidenceKind::Access)
            .map(|d| self.question.judge(d, budget))
            .collect()
    }
}
