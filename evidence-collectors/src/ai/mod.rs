//! The AI collector: the AI systems declared in `ai-systems.yaml`
//! (schemas/ai-systems.schema.json) with the facts of the documents and mechanisms they
//! point at, as [`Document`]s of kind `ai`.
//!
//! **Convention**: `ai-systems.yaml` (or `.yml`) at the scan root, under `compliance/` or
//! under `docs/`; monitoring metrics are looked for in Prometheus exposition files (`*.prom`,
//! `*.om`, `*.openmetrics`, `metrics.txt`, with `.txt` variants) and YAML rule files.
//! **Configured**: `collectors: {ai: {inventory: PATH, metrics: [globs]}}`.
//!
//! Two kinds of document, told apart by their `kind` field:
//! - `AiSystems`, always one: `present` (false when no inventory is found), `path`, `count`,
//!   `systems` (`id`, `name`, `risk`, `role`), `by_risk`, `unclassified` (ids of systems
//!   without a risk class or role) and `prohibited` (ids classified as prohibited practices);
//! - `AiSystem`, one per system, located at its entry: the declared `id`, `name`, `version`,
//!   `provider`, `role`, `risk`, `intended_purpose`, `interacts_with_people`, and
//!   - `model_card`, `data_governance`, `transparency_notice`: `declared`, `path`, `present`,
//!     `headings`, `sections` found and `missing` — for a model card: Model details, Intended
//!     use, Training data, Evaluation, Limitations, Risks, and Human oversight for high-risk
//!     systems (Hugging Face front matter keys count too); for data governance the practices
//!     of Art. 10(2): Data sources, Data preparation, Bias examination, Data gaps; for the
//!     notice the instructions for use of Art. 13(3): Provider, Intended purpose,
//!     Performance, Limitations, Human oversight, Logging. The notice also has
//!     `mentions_ai` and `mentions_ai_line` (it tells people they deal with an AI system);
//!   - `technical_documentation`: `declared`, `path`, `present`;
//!   - `human_oversight`: `declared`, `mode`, `reviewers`, `reviewer_count`, `can_override`,
//!     `config`, `config_present`;
//!   - `logging`: `declared`, `decisions`, `retention_days`, `location`;
//!   - `post_market_monitoring`: `declared`, `plan`, `plan_present`, `metrics` (declared),
//!     `found` and `missing` (in the rule and exposition files of the tree) and `sources`.
//!
//! Headings match case-insensitively as whole words, with synonyms (`Bias, Risks, and
//! Limitations` covers Risks and Limitations). Paths that leave the scan root are never read.

mod evidence;
mod facts;
pub mod model;
mod sections;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

use jsonschema::Validator;
use rayon::prelude::*;
use serde::Deserialize;

use crate::collector::{settings_error, Collection, Collector, Scope, SourceError};
use crate::declared::{self, Declared};
use crate::document::EvidenceKind;

pub use model::{
    AiSystem, AiSystems, DecisionLogging, HumanOversight, OversightMode, PostMarketMonitoring,
    RiskLevel, Role,
};

/// Where the inventory is looked for when `collectors.ai.inventory` is not set, in order.
pub const DEFAULT_PATHS: [&str; 6] = [
    "ai-systems.yaml",
    "ai-systems.yml",
    "compliance/ai-systems.yaml",
    "compliance/ai-systems.yml",
    "docs/ai-systems.yaml",
    "docs/ai-systems.yml",
];

/// The schema the file is validated against, as named in messages.
pub const SCHEMA_NAME: &str = "schemas/ai-systems.schema.json";

static SCHEMA: LazyLock<Validator> =
    LazyLock::new(|| declared::validator(include_str!("../../../schemas/ai-systems.schema.json")));

/// `collectors.ai` in `assay.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The inventory, relative to the scan root (default: the first of [`DEFAULT_PATHS`]
    /// that exists).
    pub inventory: Option<String>,
    /// Globs of the Prometheus rule and exposition files the monitoring metrics are looked
    /// for in (default: every `*.prom`, `*.om`, `*.rules` file and YAML rule file).
    pub metrics: Option<Vec<String>>,
}

/// Reads the AI system inventory under `root`: `Ok(None)` when there is none (and none is
/// configured), errors with their lines when the file is invalid.
pub fn read(
    root: &Path,
    settings: &Settings,
    max_size: u64,
) -> Result<Option<Declared<AiSystems>>, Vec<SourceError>> {
    declared::load(
        root,
        settings.inventory.as_deref(),
        &DEFAULT_PATHS,
        &SCHEMA,
        SCHEMA_NAME,
        max_size,
    )
}

/// Where metric names are looked for when `collectors.ai.metrics` is not set: exposition
/// files and (YAML files holding rule groups) rule files.
const DEFAULT_METRICS: [&str; 10] = [
    "**/*.prom",
    "**/*.prom.txt",
    "**/*.om",
    "**/*.om.txt",
    "**/*.openmetrics",
    "**/*.openmetrics.txt",
    "**/metrics.txt",
    "**/*.rules",
    "**/*.yml",
    "**/*.yaml",
];

/// Collects the AI system inventory.
pub struct AiCollector;

impl Collector for AiCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Ai
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        scope.root_dir()?;
        let mut collection = Collection::default();
        let settings: Settings = match scope.settings(EvidenceKind::Ai) {
            Ok(s) => s,
            Err(e) => return Ok(Collection::failed(e)),
        };
        let path = settings.inventory.as_deref().unwrap_or(DEFAULT_PATHS[0]);
        let read = read(&scope.root, &settings, scope.max_file_size);
        let declared = match declared::or_finish(read, EvidenceKind::Ai, path, facts::absent) {
            Ok(d) => d,
            Err(finished) => return Ok(finished),
        };
        let mut found = facts::Found::default();
        match metric_files(scope, &settings, &declared) {
            Ok(metrics) => found.metrics = metrics,
            Err(e) => return Ok(Collection::failed(e)),
        }
        let read = |p: &str| declared::read_text(scope, p);
        for path in referenced(&declared.model) {
            let doc = evidence::read_doc(&path, &read);
            collection
                .errors
                .extend(doc.problems.iter().map(|(position, message)| SourceError {
                    path: path.clone(),
                    position: Some(*position),
                    message: message.clone(),
                    hint: Some("front matter is YAML between `---` lines".into()),
                }));
            found.docs.insert(path, doc);
        }
        let path = declared.path.as_str();
        collection.documents.push(declared::document(
            EvidenceKind::Ai,
            path,
            0,
            facts::inventory(&declared),
            &declared.digest,
        ));
        for i in 0..declared.model.systems.len() {
            collection.documents.push(declared::document(
                EvidenceKind::Ai,
                path,
                i + 1,
                facts::system(&declared, i, &found),
                &declared.digest,
            ));
        }
        collection.sort();
        Ok(collection)
    }
}

/// Every file the systems point at, sorted.
fn referenced(inventory: &AiSystems) -> BTreeSet<String> {
    inventory
        .systems
        .iter()
        .flat_map(|s| {
            [
                s.model_card.as_ref(),
                s.transparency_notice.as_ref(),
                s.data_governance.as_ref(),
                s.technical_documentation.as_ref(),
                s.human_oversight.as_ref().and_then(|o| o.config.as_ref()),
                s.post_market_monitoring
                    .as_ref()
                    .and_then(|m| m.plan.as_ref()),
            ]
        })
        .flatten()
        .cloned()
        .collect()
}

/// Metric name to the files that mention it, read from the rule and exposition files of the
/// tree; nothing is read when no system declares a metric.
fn metric_files(
    scope: &Scope,
    settings: &Settings,
    declared: &Declared<AiSystems>,
) -> Result<BTreeMap<String, BTreeSet<String>>, SourceError> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let wanted: BTreeSet<&str> = declared
        .model
        .systems
        .iter()
        .filter_map(|s| s.post_market_monitoring.as_ref())
        .flat_map(|m| m.metrics.iter().map(String::as_str))
        .collect();
    if wanted.is_empty() {
        return Ok(out);
    }
    let globs: Vec<String> = match &settings.metrics {
        Some(globs) => globs.clone(),
        None => DEFAULT_METRICS.iter().map(|g| g.to_string()).collect(),
    };
    let set = declared::globset(&globs)
        .map_err(|m| settings_error(EvidenceKind::Ai, format!("collectors.ai.metrics: {m}")))?;
    let paths = scope.files(&|p| scope.admits(p) && set.is_match(p) && p != declared.path);
    let names: Vec<(String, BTreeSet<String>)> = paths
        .par_iter()
        .filter_map(|p| {
            let bytes = declared::read_bytes(scope, p)?;
            let lower = p.to_ascii_lowercase();
            let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
            // Most YAML files of a tree hold no rules: they are not decoded or parsed.
            if yaml && !evidence::may_hold_rules(&bytes) {
                return None;
            }
            let text = String::from_utf8_lossy(&bytes);
            let names = if yaml {
                evidence::rule_names(&text)
            } else if lower.ends_with(".rules") {
                let rules = evidence::rule_names(&text);
                if rules.is_empty() {
                    evidence::exposition_names(&text)
                } else {
                    rules
                }
            } else {
                evidence::exposition_names(&text)
            };
            Some((p.clone(), names))
        })
        .collect();
    for (path, names) in names {
        for name in names.into_iter().filter(|n| wanted.contains(n.as_str())) {
            out.entry(name).or_default().insert(path.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
