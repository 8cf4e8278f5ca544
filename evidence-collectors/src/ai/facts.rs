//! The facts of an AI system inventory: one JSON document for the inventory and one per system
//! with what its documents, oversight, logging and monitoring metrics were found to hold, each
//! pointing at the lines of the part of the file it comes from.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::evidence::Doc;
use super::model::{AiSystem, AiSystems, RiskLevel};
use super::sections::{self, Section};
use crate::declared::{relocate, Declared};
use crate::lines::{LineMap, Position};

/// What the collector found in the tree for the systems of an inventory.
#[derive(Debug, Default)]
pub struct Found {
    /// The documents the systems point at, by root-relative path.
    pub docs: BTreeMap<String, Doc>,
    /// Metric name to the files (rule or exposition files) that mention it.
    pub metrics: BTreeMap<String, BTreeSet<String>>,
}

impl Found {
    fn doc(&self, path: Option<&String>) -> Option<&Doc> {
        path.and_then(|p| self.docs.get(p)).filter(|d| d.present)
    }
}

/// The `AiSystems` document of a scan without an inventory: `present: false`.
pub fn absent(path: &str) -> (Value, LineMap) {
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    let data = json!({
        "kind": "AiSystems",
        "present": false,
        "path": path,
        "count": 0,
        "systems": [],
        "by_risk": {},
        "unclassified": [],
        "prohibited": [],
    });
    (data, lines)
}

/// The `AiSystems` document: the inventory, how many systems it lists by risk class, and the
/// ids of the systems without a risk class or role (`unclassified`) and of those classified
/// as a prohibited practice (`prohibited`).
pub fn inventory(declared: &Declared<AiSystems>) -> (Value, LineMap) {
    let systems = &declared.model.systems;
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    let at = |i: usize| declared.lines.position(&format!("/systems/{i}"));
    let mut by_risk: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unclassified = Vec::new();
    let mut prohibited = Vec::new();
    for (i, s) in systems.iter().enumerate() {
        *by_risk
            .entry(s.risk.map_or("unclassified", RiskLevel::as_str))
            .or_default() += 1;
        if let Some(position) = at(i) {
            lines.insert(format!("/systems/{i}"), position);
        }
        if s.risk.is_none() || s.role.is_none() {
            if let Some(position) = at(i) {
                lines.insert(format!("/unclassified/{}", unclassified.len()), position);
            }
            unclassified.push(s.id.as_str());
        }
        if s.risk == Some(RiskLevel::Prohibited) {
            if let Some(position) = at(i) {
                lines.insert(format!("/prohibited/{}", prohibited.len()), position);
            }
            prohibited.push(s.id.as_str());
        }
    }
    let summary: Vec<Value> = systems
        .iter()
        .map(|s| json!({"id": s.id, "name": s.name, "risk": s.risk, "role": s.role}))
        .collect();
    let data = json!({
        "kind": "AiSystems",
        "present": true,
        "path": declared.path,
        "count": systems.len(),
        "systems": summary,
        "by_risk": by_risk,
        "unclassified": unclassified,
        "prohibited": prohibited,
    });
    (data, lines)
}

/// The facts of one referenced document against the `expected` sections.
fn document(path: Option<&String>, doc: Option<&Doc>, expected: &[Section]) -> Value {
    let (headings, keys) = doc.map_or((&[][..], &[][..]), |d| {
        (d.headings.as_slice(), d.keys.as_slice())
    });
    let found = sections::found(expected, headings, keys);
    let missing: Vec<&str> = expected
        .iter()
        .map(|s| s.name)
        .filter(|n| !found.contains(n))
        .collect();
    json!({
        "declared": path.is_some(),
        "path": path,
        "present": doc.is_some(),
        "headings": headings,
        "sections": found,
        "missing": missing,
    })
}

/// The `AiSystem` document of the system at `index`.
pub fn system(declared: &Declared<AiSystems>, index: usize, found: &Found) -> (Value, LineMap) {
    let s: &AiSystem = &declared.model.systems[index];
    let high = s.risk == Some(RiskLevel::High);
    let mut card_sections = sections::MODEL_CARD.to_vec();
    if high {
        card_sections.push(sections::HUMAN_OVERSIGHT);
    }
    let model_card = document(
        s.model_card.as_ref(),
        found.doc(s.model_card.as_ref()),
        &card_sections,
    );
    let notice_doc = found.doc(s.transparency_notice.as_ref());
    let mut notice = document(
        s.transparency_notice.as_ref(),
        notice_doc,
        &sections::INSTRUCTIONS_FOR_USE,
    );
    let mentions = notice_doc.and_then(|d| d.mentions_ai_line);
    notice["mentions_ai"] = json!(mentions.is_some());
    notice["mentions_ai_line"] = json!(mentions);
    let data_governance = document(
        s.data_governance.as_ref(),
        found.doc(s.data_governance.as_ref()),
        &sections::DATA_GOVERNANCE,
    );
    let oversight = s.human_oversight.clone().unwrap_or_default();
    let logging = s.logging.clone().unwrap_or_default();
    let monitoring = s.post_market_monitoring.clone().unwrap_or_default();
    let mut metric_found = Vec::new();
    let mut metric_missing = Vec::new();
    let mut sources = BTreeSet::new();
    for name in &monitoring.metrics {
        match found.metrics.get(name) {
            Some(files) => {
                metric_found.push(name.as_str());
                sources.extend(files.iter().map(String::as_str));
            }
            None => metric_missing.push(name.as_str()),
        }
    }
    let exists = |path: Option<&String>| found.doc(path).is_some();
    let data = json!({
        "kind": "AiSystem",
        "index": index,
        "id": s.id,
        "name": s.name,
        "version": s.version,
        "provider": s.provider,
        "role": s.role,
        "risk": s.risk,
        "intended_purpose": s.intended_purpose,
        "interacts_with_people": s.interacts_with_people,
        "model_card": model_card,
        "transparency_notice": notice,
        "data_governance": data_governance,
        "technical_documentation": {
            "declared": s.technical_documentation.is_some(),
            "path": s.technical_documentation,
            "present": exists(s.technical_documentation.as_ref()),
        },
        "human_oversight": {
            "declared": s.human_oversight.is_some(),
            "mode": oversight.mode,
            "reviewers": oversight.reviewers,
            "reviewer_count": oversight.reviewers.iter().filter(|r| !r.trim().is_empty()).count(),
            "can_override": oversight.can_override,
            "config": oversight.config,
            "config_present": exists(oversight.config.as_ref()),
        },
        "logging": {
            "declared": s.logging.is_some(),
            "decisions": logging.decisions,
            "retention_days": logging.retention_days,
            "location": logging.location,
        },
        "post_market_monitoring": {
            "declared": s.post_market_monitoring.is_some(),
            "plan": monitoring.plan,
            "plan_present": exists(monitoring.plan.as_ref()),
            "metrics": monitoring.metrics,
            "found": metric_found,
            "missing": metric_missing,
            "sources": sources,
        },
    });
    let from = format!("/systems/{index}");
    let mut lines = LineMap::new();
    if let Some(source) = declared.data.pointer(&from) {
        relocate(&declared.lines, source, &from, "", &mut lines);
    }
    let metrics_at = format!("{from}/post_market_monitoring/metrics");
    let missing_at = monitoring
        .metrics
        .iter()
        .enumerate()
        .filter(|(_, m)| !found.metrics.contains_key(*m));
    for (slot, (i, _)) in missing_at.enumerate() {
        if let Some(position) = declared.lines.position(&format!("{metrics_at}/{i}")) {
            lines.insert(format!("/post_market_monitoring/missing/{slot}"), position);
        }
    }
    (data, lines)
}
