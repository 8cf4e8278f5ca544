//! Baseline files (`assay baseline`): the failure keys of a full scan, sorted and counted,
//! with the catalog digest and the framework scores, for `assay check --baseline FILE`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::compare::{failing, BaseSide, FailureKey};
use crate::diag::Diagnostic;
use crate::report::Results;

/// The version of the baseline format.
pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub tool_version: String,
    /// The catalog the baseline was scanned with.
    pub catalog_digest: String,
    /// The commit the scan root was at, when it is a git work tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub frameworks: Vec<FrameworkScore>,
    pub failures: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkScore {
    pub id: String,
    pub score: Option<f64>,
}

/// A failure key and how many failing findings share it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub control: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub count: usize,
}

impl Baseline {
    /// The baseline of a full scan (waivers applied: waived findings are not failures).
    pub fn of(results: &Results) -> Baseline {
        let mut counts: BTreeMap<FailureKey, usize> = BTreeMap::new();
        for c in &results.controls {
            for f in c.findings.iter().filter(|f| failing(f.status)) {
                *counts.entry(FailureKey::of(&c.id, f)).or_default() += 1;
            }
        }
        Baseline {
            version: BASELINE_VERSION,
            tool_version: results.tool.version.clone(),
            catalog_digest: results.scan.catalog_digest.clone(),
            commit: results.scan.commit.clone(),
            frameworks: results
                .frameworks
                .iter()
                .map(|f| FrameworkScore {
                    id: f.id.clone(),
                    score: f.score,
                })
                .collect(),
            failures: counts
                .into_iter()
                .map(|(key, count)| BaselineEntry {
                    control: key.control,
                    resource: key.resource,
                    path: key.path,
                    count,
                })
                .collect(),
        }
    }

    /// Pretty JSON ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a baseline serializes");
        text.push('\n');
        text
    }

    /// Reads a baseline file, naming the place of any problem.
    pub fn read(path: &Path) -> Result<Baseline, Diagnostic> {
        let display = path.display().to_string();
        let bytes = assay_collectors::confine::read_named(path, crate::report::MAX_RESULTS_FILE)
            .map_err(|reason| {
                Diagnostic::new(&display, format!("cannot read baseline: {reason}"))
                    .hint("write one with `assay baseline --output FILE`")
            })?;
        let baseline: Baseline = serde_json::from_slice(&bytes).map_err(|e| {
            Diagnostic::new(&display, format!("not a baseline file: {e}"))
                .at(Some(assay_collectors::Position::new(
                    e.line() as u32,
                    e.column() as u32,
                )))
                .hint("write it again with `assay baseline --output FILE`")
        })?;
        if baseline.version != BASELINE_VERSION {
            return Err(Diagnostic::new(
                &display,
                format!("baseline version {} is not supported", baseline.version),
            )
            .expected(format!("version {BASELINE_VERSION}"))
            .hint("write it again with this version of assay"));
        }
        Ok(baseline)
    }

    /// The base side of a comparison: counts without messages.
    pub fn side(&self) -> BaseSide {
        BaseSide {
            failing: self
                .failures
                .iter()
                .map(|e| {
                    let key = FailureKey {
                        control: e.control.clone(),
                        resource: e.resource.clone(),
                        path: e.path.clone(),
                    };
                    (key, vec![None; e.count])
                })
                .collect(),
            waived: BTreeMap::new(),
            scores: self
                .frameworks
                .iter()
                .filter_map(|f| Some((f.id.clone(), f.score?)))
                .collect(),
        }
    }
}
