//! Compatibility with Cedar's reference answers: every case of the cedar suite beside the
//! checkout (`../shared/corpus/dev/cedar-suite`) is collected by the access collector,
//! compiled into an access model and asked its questions; each answer must equal the one in
//! the case's `expected.yaml`, which the reference engine wrote.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use assay_collectors::access::AccessCollector;
use assay_collectors::formats::yaml;
use assay_collectors::{Collector, Scope};
use assay_engine::check::cedar::{AccessModel, Ask, Decisions};
use cedar_policy::{EntityTypeName, EntityUid, PolicyId};
use serde_json::{json, Map, Value};

/// Every case gives the expected answer to every question.
#[test]
fn every_case_matches_the_reference_answers() {
    let Some(suite) = common::corpus("cedar-suite") else {
        return;
    };
    let mut cases: Vec<_> = std::fs::read_dir(&suite)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.yaml").is_file())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "only {} cases found", cases.len());
    let mut failures = Vec::new();
    let mut questions = 0;
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        match run_case(case) {
            Ok(n) => questions += n,
            Err(problems) => failures.extend(problems.into_iter().map(|p| format!("{name}: {p}"))),
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} cases, {questions} questions answered as expected",
        cases.len()
    );
}

/// Runs one case; `Ok` holds the number of questions answered.
fn run_case(dir: &Path) -> Result<usize, Vec<String>> {
    let expected = read_yaml(&dir.join("expected.yaml"));
    let collection = AccessCollector
        .collect(&Scope::new(dir))
        .map_err(|e| vec![format!("collection failed: {}", e.message)])?;
    if !collection.errors.is_empty() {
        return Err(vec![format!("collection errors: {:?}", collection.errors)]);
    }
    let [doc] = collection.documents.as_slice() else {
        return Err(vec![format!(
            "expected one access model, got {}",
            collection.documents.len()
        )]);
    };
    let model = AccessModel::build(doc);
    if let Some(want) = expected.get("policy_parse_error") {
        return match model {
            Err(problems) if want.as_str() == Some(problems[0].message.as_str()) => Ok(1),
            Err(problems) => Err(vec![format!(
                "parse error `{}`, expected {want}",
                problems[0].message
            )]),
            Ok(_) => Err(vec![format!("parsed, expected the parse error {want}")]),
        };
    }
    let model = model.map_err(|problems| {
        problems
            .iter()
            .map(|p| format!("model does not build: {}", p.display()))
            .collect::<Vec<_>>()
    })?;
    let mut problems = Vec::new();
    let questions = expected["questions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (i, question) in questions.iter().enumerate() {
        let got = answer(&model, question);
        if got != question["answer"] && !same_schema_error(&got, &question["answer"]) {
            problems.push(format!(
                "question {i} {}\n  expected: {}\n  actual:   {}",
                serde_json::to_string(question).unwrap(),
                question["answer"],
                got
            ));
        }
    }
    if problems.is_empty() {
        Ok(questions.len())
    } else {
        Err(problems)
    }
}

/// Both answers say the entities do not conform to the schema, with the same reason (one
/// message may carry context the other leaves out).
fn same_schema_error(got: &Value, want: &Value) -> bool {
    let key = "entities_schema_error";
    match (got.get(key).and_then(Value::as_str), want.get(key)) {
        (Some(got), Some(Value::String(want))) => got.contains(want.as_str()) || want.contains(got),
        (Some(_), Some(Value::Bool(true))) => true,
        _ => false,
    }
}

fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    yaml::parse(&text).unwrap().remove(0).data
}

fn uid(value: &Value) -> EntityUid {
    EntityUid::from_str(value.as_str().unwrap()).unwrap()
}

/// The answer to one question, in the suite's shape.
fn answer(model: &AccessModel, question: &Value) -> Value {
    let use_schema = question.get("use_schema") != Some(&Value::Bool(false));
    let empty = json!({});
    if let Some(q) = question.get("who_can").or(question.get("nobody_can")) {
        let principal_type =
            EntityTypeName::from_str(q["principal_type"].as_str().unwrap()).unwrap();
        let ask = Ask {
            action: &uid(&q["action"]),
            resource: &uid(&q["resource"]),
            context: q.get("context").unwrap_or(&empty),
            use_schema,
        };
        let key = if question.get("who_can").is_some() {
            "allowed"
        } else {
            "offending"
        };
        return match model.decisions(&ask, &principal_type) {
            Ok(decisions) => decisions_json(model, &decisions, key),
            Err(e) => json!({ "entities_schema_error": e }),
        };
    }
    if let Some(q) = question.get("separation_of_duties") {
        let principal_type = EntityTypeName::from_str(q[3].as_str().unwrap()).unwrap();
        let resource = uid(&q[2]);
        let allowed = |action: &Value| {
            let action = uid(action);
            let ask = Ask {
                action: &action,
                resource: &resource,
                context: &empty,
                use_schema,
            };
            model.decisions(&ask, &principal_type).map(|d| d.allowed)
        };
        return match (allowed(&q[0]), allowed(&q[1])) {
            (Ok(first), Ok(second)) => {
                let both: Vec<String> = first
                    .keys()
                    .filter(|p| second.contains_key(p))
                    .map(ToString::to_string)
                    .collect();
                json!({ "offending": sorted(both) })
            }
            (Err(e), _) | (_, Err(e)) => json!({ "entities_schema_error": e }),
        };
    }
    if let Some(q) = question.get("is_authorized") {
        let verdict = model.authorize(
            &uid(&q["principal"]),
            &uid(&q["action"]),
            &uid(&q["resource"]),
            q.get("context").unwrap_or(&empty),
            use_schema,
        );
        return match verdict {
            Ok(v) => json!({
                "decision": if v.allowed { "Allow" } else { "Deny" },
                "determining": names(model, &v.determining),
                "errors": v.errors,
            }),
            Err(e) => json!({ "entities_schema_error": e }),
        };
    }
    if question.get("validate").is_some() {
        let errors: Vec<String> = model
            .validate()
            .iter()
            .map(|issue| format!("{}: {}", issue.policy, issue.message))
            .collect();
        return json!({ "valid": errors.is_empty(), "errors": sorted(errors) });
    }
    panic!("unknown question {question}");
}

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}

fn names(model: &AccessModel, ids: &[PolicyId]) -> Vec<String> {
    sorted(ids.iter().map(|id| model.policy_name(id)).collect())
}

fn decisions_json(model: &AccessModel, d: &Decisions, key: &str) -> Value {
    let by_principal = |map: &BTreeMap<EntityUid, Vec<PolicyId>>| -> Map<String, Value> {
        map.iter()
            .map(|(p, ids)| (p.to_string(), json!(names(model, ids))))
            .collect()
    };
    let mut out = Map::new();
    out.insert(
        key.into(),
        json!(sorted(d.allowed.keys().map(ToString::to_string).collect())),
    );
    out.insert(
        "determining_policies".into(),
        Value::Object(by_principal(&d.allowed)),
    );
    out.insert(
        "denied_by_forbid".into(),
        Value::Object(by_principal(&d.denied_by_forbid)),
    );
    if !d.errors.is_empty() {
        let errors: Map<String, Value> = d
            .errors
            .iter()
            .map(|(p, e)| (p.to_string(), json!(e)))
            .collect();
        out.insert("evaluation_errors".into(), Value::Object(errors));
    }
    out.insert("principals_checked".into(), json!(d.principals_checked));
    Value::Object(out)
}
