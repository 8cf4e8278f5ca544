//! Choosing controls by id: `--control`, `--skip-control` and `skip:` of assay.yaml. An id
//! may be a glob (`tf-aws-*`); one that names no control is an error with a suggestion.

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use super::load::Catalog;
use crate::diag::{did_you_mean, Diagnostic};

/// A control left out on purpose, with the reason and who asked for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Skip {
    /// The control id or glob, as written.
    pub control: String,
    pub reason: String,
    /// `assay.yaml:LINE` or `--skip-control`.
    pub origin: String,
}

/// A control the scan did not evaluate, as the results record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedControl {
    pub id: String,
    pub title: String,
    pub reason: String,
    /// Where the skip was asked for: `assay.yaml:LINE` or `--skip-control`.
    pub origin: String,
}

/// A compiled control id or glob.
struct Pattern {
    matcher: GlobMatcher,
}

impl Pattern {
    /// Compiles `text`, which must match at least one of `ids`.
    fn new(text: &str, origin: &str, ids: &[&str]) -> Result<Pattern, Diagnostic> {
        let matcher = Glob::new(text)
            .map_err(|e| {
                Diagnostic::new(
                    origin,
                    format!("invalid control glob `{text}`: {}", e.kind()),
                )
                .expected("a control id, or a glob such as `tf-aws-*`")
            })?
            .compile_matcher();
        if ids.iter().any(|id| matcher.is_match(id)) {
            return Ok(Pattern { matcher });
        }
        let d = Diagnostic::new(origin, format!("no control `{text}` in the catalog"));
        Err(match did_you_mean(text, ids.iter().copied()) {
            Some(close) => d.hint(format!("did you mean `{close}`?")),
            // `--control ./my-controls` meant `--controls`: a directory, not an id.
            None if std::path::Path::new(text).is_dir() => d.hint(format!(
                "`--control` selects controls by id; to add the catalog directory `{text}`, use `--controls {text}`"
            )),
            None => d.hint("`assay controls list` shows every control"),
        })
    }

    fn matches(&self, id: &str) -> bool {
        self.matcher.is_match(id)
    }
}

impl Catalog {
    /// Keeps only the controls `only` names (all when empty), then takes out those `skips`
    /// name, recording each in [`Catalog::skipped`] with its reason. Every pattern must name a
    /// control of the catalog; all the errors are returned at once.
    pub fn select_controls(
        &mut self,
        only: &[String],
        skips: &[Skip],
    ) -> Result<(), Vec<Diagnostic>> {
        let ids: Vec<&str> = self.controls.iter().map(|c| c.id.as_str()).collect();
        let mut errors = Vec::new();
        let mut compile = |text: &str, origin: &str| {
            Pattern::new(text, origin, &ids)
                .map_err(|d| errors.push(d))
                .ok()
        };
        let only: Vec<Pattern> = only
            .iter()
            .filter_map(|t| compile(t, "--control"))
            .collect();
        let skips: Vec<(Pattern, &Skip)> = skips
            .iter()
            .filter_map(|s| compile(&s.control, &s.origin).map(|p| (p, s)))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut skipped = Vec::new();
        self.controls.retain(|c| {
            if !only.is_empty() && !only.iter().any(|p| p.matches(&c.id)) {
                return false;
            }
            match skips.iter().find(|(p, _)| p.matches(&c.id)) {
                Some((_, skip)) => {
                    skipped.push(SkippedControl {
                        id: c.id.clone(),
                        title: c.title.clone(),
                        reason: skip.reason.clone(),
                        origin: skip.origin.clone(),
                    });
                    false
                }
                None => true,
            }
        });
        self.skipped.extend(skipped);
        Ok(())
    }
}
