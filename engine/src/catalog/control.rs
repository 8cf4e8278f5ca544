//! A control: metadata, its compiled check and its test expectations.

use assay_collectors::EvidenceKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::format::ControlFile;
use super::parameters::Parameter;
use super::source::ControlDir;
use crate::check::Check;
use crate::diag::Diagnostic;
use crate::model::{FindingStatus, Severity};
use crate::parse::LocatedValue;

/// One control of the catalog, ready to evaluate.
#[derive(Debug)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub description: String,
    pub family: String,
    pub severity: Severity,
    pub remediation: String,
    pub references: Vec<String>,
    pub related: Vec<String>,
    /// The check's parameters with the values they take in this run.
    pub parameters: Vec<Parameter>,
    pub check: Check,
    /// What a check that selected nothing means.
    pub when_empty: WhenEmpty,
    /// The control file as written, for `assay explain`.
    pub source: String,
    pub tests: Vec<TestSpec>,
    /// Where the control was read from (`builtin:controls/…/control.yaml` or a path).
    pub file: String,
    /// Line of the `id` key in `file`.
    pub line: u32,
    pub dir: ControlDir,
}

/// What a control whose check selected no item means for the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "when_empty")]
pub enum WhenEmpty {
    /// The subject does not exist (no S3 bucket): nothing to judge, out of the score.
    NotApplicable,
    /// The evidence is missing (no access model, no restore test record): a gap scoring 0.
    NotAssessed,
}

impl WhenEmpty {
    /// The default for a check reading `kinds`: only configuration and declared AI systems
    /// describe subjects that may simply not exist; every other kind is evidence an
    /// organisation is expected to provide.
    pub fn default_for(kinds: &[EvidenceKind]) -> WhenEmpty {
        let subjects = [EvidenceKind::Config, EvidenceKind::Ai];
        if kinds.iter().all(|k| subjects.contains(k)) {
            WhenEmpty::NotApplicable
        } else {
            WhenEmpty::NotAssessed
        }
    }
}

/// An explicit expectation for one test case.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "test")]
pub struct TestSpec {
    /// Path of the case, relative to the control's tests/ folder.
    pub case: String,
    pub expect: TestExpectation,
    /// Exact number of items with the expected outcome.
    pub count: Option<usize>,
    /// A substring of some message of the expected outcome.
    pub message: Option<String>,
}

/// The outcome a test case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "test_expectation")]
pub enum TestExpectation {
    Pass,
    Fail,
    Warn,
    Error,
}

impl TestExpectation {
    pub fn status(self) -> FindingStatus {
        match self {
            TestExpectation::Pass => FindingStatus::Pass,
            TestExpectation::Fail => FindingStatus::Fail,
            TestExpectation::Warn => FindingStatus::Warn,
            TestExpectation::Error => FindingStatus::Error,
        }
    }
}

impl Control {
    /// Builds a control from a schema-valid document whose `parameters` are resolved; compile
    /// errors of the check are returned all at once.
    pub fn from_document(
        doc: &LocatedValue,
        dir: ControlDir,
        parameters: Vec<Parameter>,
    ) -> Result<Control, Vec<Diagnostic>> {
        let header: ControlFile = serde_json::from_value(doc.value.clone())
            .map_err(|e| vec![Diagnostic::new(&doc.file, e.to_string())])?;
        let check = Check::compile(doc, "/check", &dir)?;
        Ok(Control {
            line: doc.line("/id"),
            id: header.id,
            title: header.title,
            description: header.description,
            family: header.family,
            severity: header.severity,
            remediation: header.remediation,
            references: header.references,
            related: header.related,
            parameters,
            when_empty: header
                .when_empty
                .unwrap_or_else(|| WhenEmpty::default_for(&check.evidence())),
            check,
            source: doc.text.clone(),
            tests: header.tests,
            file: doc.file.clone(),
            dir,
        })
    }
}
