//! The facts of a record of processing activities: one JSON document for the record, one per
//! activity and one for the data subject request endpoints, each pointing at the lines of the
//! part of the file it comes from.

use serde_json::{json, Map, Value};

use super::model::{ProcessingActivity, ProcessingRecords, Right};
use crate::declared::{relocate, Declared};
use crate::lines::{LineMap, Position};

/// Whether an activity records one entry.
type Records = fn(&ProcessingActivity) -> bool;

/// The Art. 30(1) entries every activity records, with the test of whether it does.
const REQUIRED: [(&str, Records); 7] = [
    ("purposes", |a| has_any(&a.purposes)),
    ("legal_basis", |a| a.legal_basis.is_some()),
    ("data_subjects", |a| has_any(&a.data_subjects)),
    ("data_categories", |a| has_any(&a.data_categories)),
    ("recipients", |a| has_any(&a.recipients)),
    ("retention", |a| {
        a.retention_days.is_some() || a.retention.as_deref().is_some_and(filled)
    }),
    ("security_measures", |a| has_any(&a.security_measures)),
];

fn filled(text: &str) -> bool {
    !text.trim().is_empty()
}

fn has_any(items: &[String]) -> bool {
    items.iter().any(|s| filled(s))
}

/// How one endpoint was found documented.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Documentation {
    /// The files that document it, sorted.
    pub files: Vec<String>,
    /// Whether its `documented_in` file exists (`None` when it names none).
    pub documented_in_present: Option<bool>,
}

/// The `ProcessingRecords` document of a scan without a record: `present: false`.
pub fn absent(path: &str) -> (Value, LineMap) {
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    let data = json!({
        "kind": "ProcessingRecords",
        "present": false,
        "path": path,
        "activity_count": 0,
        "activities": [],
        "controller": Value::Null,
        "controller_missing": ["name", "contact"],
    });
    (data, lines)
}

/// The `ProcessingRecords` document: whether the record is there, its controller and which
/// of the controller's name and contact it lacks, and a summary of its activities.
pub fn records(declared: &Declared<ProcessingRecords>) -> (Value, LineMap) {
    let model = &declared.model;
    let controller = model.controller.clone().unwrap_or_default();
    let mut controller_missing = Vec::new();
    if !controller.name.as_deref().is_some_and(filled) {
        controller_missing.push("name");
    }
    if !controller.contact.as_deref().is_some_and(filled) {
        controller_missing.push("contact");
    }
    let activities: Vec<Value> = model
        .activities
        .iter()
        .map(|a| json!({"id": a.id, "name": a.name, "missing": missing(a)}))
        .collect();
    let data = json!({
        "kind": "ProcessingRecords",
        "present": true,
        "path": declared.path,
        "activity_count": model.activities.len(),
        "activities": activities,
        "controller": model.controller,
        "controller_missing": controller_missing,
    });
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    if let Some(source) = declared.data.get("controller") {
        relocate(
            &declared.lines,
            source,
            "/controller",
            "/controller",
            &mut lines,
        );
        // A missing name or contact is reported at the controller mapping.
        if let Some(at) = declared.lines.position("/controller") {
            lines.insert("/controller_missing".into(), at);
        }
    }
    for i in 0..model.activities.len() {
        if let Some(at) = declared.lines.position(&format!("/activities/{i}")) {
            lines.insert(format!("/activities/{i}"), at);
        }
    }
    (data, lines)
}

/// The Art. 30(1) entries an activity lacks, in article order.
fn missing(activity: &ProcessingActivity) -> Vec<&'static str> {
    REQUIRED
        .iter()
        .filter(|(_, present)| !present(activity))
        .map(|(name, _)| *name)
        .collect()
}

/// The `ProcessingActivity` document of the activity at `index`: every declared field, with
/// `missing`, `retention_defined`, `transfers_without_safeguard` (countries) and
/// `special_categories_without_basis`, located at the activity's lines.
pub fn activity(declared: &Declared<ProcessingRecords>, index: usize) -> (Value, LineMap) {
    let activity = &declared.model.activities[index];
    let mut data = match serde_json::to_value(activity) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let without_safeguard: Vec<&str> = activity
        .transfers
        .iter()
        .filter(|t| t.safeguard.is_none())
        .map(|t| t.country.as_str())
        .collect();
    let missing = missing(activity);
    data.insert("kind".into(), json!("ProcessingActivity"));
    data.insert("index".into(), json!(index));
    data.insert(
        "legal_basis_article".into(),
        json!(activity.legal_basis.map(|b| b.article())),
    );
    data.insert(
        "retention_defined".into(),
        json!(!missing.contains(&"retention")),
    );
    data.insert("missing".into(), json!(missing));
    data.insert("transfer_count".into(), json!(activity.transfers.len()));
    data.insert(
        "transfers_without_safeguard".into(),
        json!(without_safeguard),
    );
    data.insert(
        "special_categories_without_basis".into(),
        json!(
            has_any(&activity.special_categories)
                && !activity
                    .special_categories_basis
                    .as_deref()
                    .is_some_and(filled)
        ),
    );
    let from = format!("/activities/{index}");
    let mut lines = LineMap::new();
    if let Some(source) = declared.data.pointer(&from) {
        relocate(&declared.lines, source, &from, "", &mut lines);
    }
    let unsafeguarded = activity
        .transfers
        .iter()
        .enumerate()
        .filter(|(_, t)| t.safeguard.is_none());
    for (slot, (i, _)) in unsafeguarded.enumerate() {
        if let Some(at) = declared.lines.position(&format!("{from}/transfers/{i}")) {
            lines.insert(format!("/transfers_without_safeguard/{slot}"), at);
        }
    }
    if let Some(at) = lines.position("") {
        lines.insert("/missing".into(), at);
    }
    (Value::Object(data), lines)
}

/// The `DataSubjectRequests` document: the contact, every endpoint with whether it is
/// documented (and by which files), the rights served and the rights no endpoint serves.
pub fn requests(
    declared: &Declared<ProcessingRecords>,
    documentation: &[Documentation],
) -> (Value, LineMap) {
    let section = declared.model.data_subject_requests.as_ref();
    let endpoints = section.map(|s| s.endpoints.as_slice()).unwrap_or_default();
    let covered: Vec<Right> = Right::ALL
        .into_iter()
        .filter(|r| endpoints.iter().any(|e| e.right == *r))
        .collect();
    let missing: Vec<&str> = Right::ALL
        .into_iter()
        .filter(|r| !covered.contains(r))
        .map(Right::as_str)
        .collect();
    let mut undocumented = Vec::new();
    let listed: Vec<Value> = endpoints
        .iter()
        .zip(documentation)
        .map(|(e, doc)| {
            let operation = format!("{} {}", e.method.to_ascii_uppercase(), e.path);
            if doc.files.is_empty() {
                undocumented.push(operation.clone());
            }
            json!({
                "right": e.right,
                "article": e.right.article(),
                "method": e.method.to_ascii_uppercase(),
                "path": e.path,
                "operation": operation,
                "documented_in": e.documented_in,
                "documented_in_present": doc.documented_in_present,
                "documented": !doc.files.is_empty(),
                "documented_by": doc.files,
            })
        })
        .collect();
    let data = json!({
        "kind": "DataSubjectRequests",
        "present": section.is_some(),
        "path": declared.path,
        "contact": section.and_then(|s| s.contact.clone()),
        "endpoints": listed,
        "rights_covered": covered.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "missing_rights": missing,
        "undocumented": undocumented,
    });
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    if let Some(source) = declared.data.get("data_subject_requests") {
        relocate(
            &declared.lines,
            source,
            "/data_subject_requests",
            "",
            &mut lines,
        );
        if let Some(at) = declared.lines.position("/data_subject_requests") {
            lines.insert("/missing_rights".into(), at);
        }
    }
    let mut slot = 0;
    for (i, doc) in documentation.iter().enumerate().take(endpoints.len()) {
        if doc.files.is_empty() {
            if let Some(at) = lines.position(&format!("/endpoints/{i}")) {
                lines.insert(format!("/undocumented/{slot}"), at);
            }
            slot += 1;
        }
    }
    (data, lines)
}
