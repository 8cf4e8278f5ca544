//! Prometheus rule files, plain rule groups (`groups: [{name, rules}]`) and `PrometheusRule`
//! custom resources (`spec.groups`), checked the way Prometheus checks them when it loads a
//! rule file, and the alerting rules they define with the runbook each one points to.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::formats::Parsed;
use crate::lines::{pointer_push, LineMap, Position};
use crate::metrics::is_duration;

const GROUP_KEYS: [&str; 6] = [
    "name",
    "interval",
    "query_offset",
    "limit",
    "rules",
    "labels",
];
const RULE_KEYS: [&str; 7] = [
    "record",
    "alert",
    "expr",
    "for",
    "keep_firing_for",
    "labels",
    "annotations",
];
/// Annotations that link an alert to its runbook.
const RUNBOOK_ANNOTATIONS: [&str; 3] = ["runbook_url", "runbook", "runbook_link"];

/// A problem in a rule file, with the pointer of the node it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    pub position: Position,
    pub message: String,
}

/// The `groups` of a parsed YAML document, with their pointer, if it is a rule file.
pub fn groups_of(data: &Value) -> Option<(&str, &'static str)> {
    if data.get("kind").and_then(Value::as_str) == Some("PrometheusRule") {
        return Some(("/spec/groups", "prometheus_rule"));
    }
    let groups = data.get("groups")?.as_array()?;
    groups
        .iter()
        .any(|g| g.get("rules").is_some())
        .then_some(("/groups", "rule_groups"))
}

/// `hostoutofmemory` for `HostOutOfMemory` and `host-out-of-memory`: how alerts and runbook
/// file names are compared.
pub fn runbook_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks a rule file and lists its alerts. `runbooks` maps [`runbook_key`]s to runbook
/// documents. Any problem makes the whole file invalid, as it does for Prometheus.
pub fn read(
    parsed: &Parsed,
    groups_at: &str,
    source: &str,
    runbooks: &BTreeMap<String, String>,
) -> Result<(Value, LineMap), Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    let at = |pointer: &str| {
        parsed
            .lines
            .position(pointer)
            .unwrap_or(Position::new(1, 1))
    };
    let mut fail = |pointer: &str, message: String| {
        errors.push(RuleError {
            position: at(pointer),
            message,
        })
    };
    let Some(groups) = parsed.data.pointer(groups_at).and_then(Value::as_array) else {
        fail(groups_at, "`groups` must be a list of rule groups".into());
        return Err(errors);
    };
    let mut names = BTreeSet::new();
    let mut alerts = Vec::new();
    let mut group_names = Vec::new();
    let mut recording = 0;
    for (gi, group) in groups.iter().enumerate() {
        let gp = format!("{groups_at}/{gi}");
        let Some(g) = group.as_object() else {
            fail(&gp, format!("group {} is not a mapping", gi + 1));
            continue;
        };
        for key in g.keys().filter(|k| !GROUP_KEYS.contains(&k.as_str())) {
            fail(
                &pointer_push(&gp, key),
                format!("unknown field `{key}` in rule group"),
            );
        }
        let name = g.get("name").and_then(Value::as_str).unwrap_or("");
        if name.is_empty() {
            fail(&gp, format!("group {} has no `name`", gi + 1));
        } else if !names.insert(name.to_string()) {
            fail(
                &format!("{gp}/name"),
                format!("group name `{name}` is repeated in the same file"),
            );
        }
        group_names.push(name.to_string());
        if let Some(interval) = g.get("interval").and_then(Value::as_str) {
            if !is_duration(interval) {
                fail(
                    &format!("{gp}/interval"),
                    format!("group `{name}`: invalid interval `{interval}`"),
                );
            }
        }
        let Some(rules) = g.get("rules").and_then(Value::as_array) else {
            fail(&gp, format!("group `{name}` has no `rules` list"));
            continue;
        };
        for (ri, rule) in rules.iter().enumerate() {
            let rp = format!("{gp}/rules/{ri}");
            let what = format!("group `{name}`, rule {}", ri + 1);
            let Some(r) = rule.as_object() else {
                fail(&rp, format!("{what} is not a mapping"));
                continue;
            };
            // Problems with the rule as a whole point at its name.
            let whole = ["alert", "record"]
                .into_iter()
                .find(|k| r.contains_key(*k))
                .map_or(rp.clone(), |k| format!("{rp}/{k}"));
            for key in r.keys().filter(|k| !RULE_KEYS.contains(&k.as_str())) {
                fail(
                    &pointer_push(&rp, key),
                    format!("{what}: unknown field `{key}`"),
                );
            }
            let alert = r.get("alert").and_then(Value::as_str);
            let record = r.get("record").and_then(Value::as_str);
            match (alert, record) {
                (Some(_), Some(_)) => fail(
                    &rp,
                    format!("{what}: only one of `record` and `alert` may be set"),
                ),
                (None, None) => fail(
                    &rp,
                    format!("{what}: one of `record` or `alert` must be set"),
                ),
                _ => {}
            }
            let expr = r.get("expr").and_then(|e| match e {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
            if expr.as_deref().is_none_or(str::is_empty) {
                fail(&whole, format!("{what}: `expr` must be set"));
            }
            for key in ["for", "keep_firing_for"] {
                if let Some(v) = r.get(key) {
                    match v.as_str() {
                        Some(d) if is_duration(d) => {}
                        _ => fail(
                            &pointer_push(&rp, key),
                            format!("{what}: `{key}` is not a duration such as `5m`"),
                        ),
                    }
                }
            }
            for key in ["labels", "annotations"] {
                if let Some(map) = r.get(key) {
                    let Some(map) = map.as_object() else {
                        fail(
                            &pointer_push(&rp, key),
                            format!("{what}: `{key}` must be a mapping"),
                        );
                        continue;
                    };
                    for label in map.keys().filter(|l| !is_label_name(l)) {
                        fail(
                            &pointer_push(&pointer_push(&rp, key), label),
                            format!("{what}: invalid {key} name `{label}`"),
                        );
                    }
                }
            }
            if let Some(record) = record {
                recording += 1;
                if !is_metric_name(record) {
                    fail(
                        &format!("{rp}/record"),
                        format!("{what}: invalid recording rule name `{record}`"),
                    );
                }
                for key in ["for", "annotations"] {
                    if r.contains_key(key) {
                        fail(
                            &pointer_push(&rp, key),
                            format!("{what}: recording rule `{record}` cannot have `{key}`"),
                        );
                    }
                }
            }
            let Some(alert) = alert.filter(|_| record.is_none()) else {
                continue;
            };
            if alert.is_empty() {
                fail(
                    &format!("{rp}/alert"),
                    format!("{what}: the alert name is empty"),
                );
                continue;
            }
            let annotations = r.get("annotations").and_then(Value::as_object);
            let url = annotations.and_then(|a| {
                RUNBOOK_ANNOTATIONS
                    .iter()
                    .find_map(|k| a.get(*k).and_then(Value::as_str))
                    .filter(|u| !u.trim().is_empty())
            });
            let doc = runbooks.get(&runbook_key(alert));
            lines.insert(
                format!("/alerts/{}", alerts.len()),
                at(&format!("{rp}/alert")),
            );
            alerts.push(json!({
                "name": alert,
                "group": name,
                "expr": expr,
                "for": r.get("for"),
                "severity": rule.pointer("/labels/severity"),
                "runbook_url": url,
                "runbook_doc": doc,
                "runbook": url.map(str::to_string).or_else(|| doc.cloned()),
                "line": at(&format!("{rp}/alert")).line,
            }));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut data = Map::new();
    data.insert("kind".into(), json!("AlertRules"));
    data.insert("source".into(), json!(source));
    data.insert("groups".into(), json!(group_names));
    data.insert("recording_rules".into(), json!(recording));
    data.insert("alerts".into(), Value::Array(alerts));
    Ok((Value::Object(data), lines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::yaml;

    fn check(text: &str, runbooks: &[(&str, &str)]) -> Result<Value, Vec<RuleError>> {
        let parsed = yaml::parse(text).unwrap().remove(0);
        let (at, source) = groups_of(&parsed.data).expect("a rule file");
        let runbooks = runbooks
            .iter()
            .map(|(k, v)| (runbook_key(k), v.to_string()))
            .collect();
        read(&parsed, at, source, &runbooks).map(|(v, _)| v)
    }

    #[test]
    fn alerts_with_url_doc_or_nothing() {
        let v = check(
            "groups:\n- name: api\n  rules:\n  - alert: HighErrorRate\n    expr: x > 1\n    for: 5m\n    labels: {severity: page}\n    annotations:\n      runbook_url: https://runbooks.example/high-error-rate\n  - alert: HostOutOfMemory\n    expr: y < 0.1\n  - alert: DiskFull\n    expr: z > 0.9\n  - record: job:x:rate5m\n    expr: rate(x[5m])\n",
            &[("host-out-of-memory", "runbooks/host-out-of-memory.md")],
        )
        .unwrap();
        assert_eq!(v["source"], "rule_groups");
        assert_eq!(v["recording_rules"], 1);
        let alerts = v["alerts"].as_array().unwrap();
        assert_eq!(
            alerts[0]["runbook"],
            "https://runbooks.example/high-error-rate"
        );
        assert_eq!(alerts[0]["severity"], "page");
        assert_eq!(alerts[1]["runbook"], "runbooks/host-out-of-memory.md");
        assert_eq!(alerts[1]["line"], 10);
        assert_eq!(alerts[2]["runbook"], Value::Null);
    }

    #[test]
    fn prometheus_rule_resources() {
        let v = check(
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: up == 0\n",
            &[],
        )
        .unwrap();
        assert_eq!(v["source"], "prometheus_rule");
        assert_eq!(v["alerts"][0]["name"], "A");
    }

    #[test]
    fn invalid_rules_are_located() {
        let errors = check(
            "groups:\n- name: g\n  rules:\n  - alert: A\n    record: b\n    expr: x\n  - alert: B\n    for: soon\n  - record: bad name\n    expr: y\n    annotations: {a: b}\n  - alert: C\n    expr: z\n    severity: high\n- name: g\n  rules: []\n",
            &[],
        )
        .unwrap_err();
        let messages: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.position.line, e.message))
            .collect();
        assert_eq!(
            messages,
            vec![
                "4: group `g`, rule 1: only one of `record` and `alert` may be set",
                "7: group `g`, rule 2: `expr` must be set",
                "8: group `g`, rule 2: `for` is not a duration such as `5m`",
                "9: group `g`, rule 3: invalid recording rule name `bad name`",
                "11: group `g`, rule 3: recording rule `bad name` cannot have `annotations`",
                "14: group `g`, rule 4: unknown field `severity`",
                "15: group name `g` is repeated in the same file",
            ]
        );
    }
}
