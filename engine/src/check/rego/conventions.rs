//! conftest's conventions: which rules report failures and warnings, which `exception` entries
//! waive them, and how a rule's value becomes messages.

use regorus::Value;

/// What the results of a rule count as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleKind {
    /// `deny`, `deny_*`, `violation`, `violation_*`.
    Failure,
    /// `warn`, `warn_*`.
    Warning,
}

/// The kind of a rule by its name: `^(deny|violation)(_[a-zA-Z0-9]+)*$` reports failures,
/// `^warn(_[a-zA-Z0-9]+)*$` warnings; any other name is no conftest rule.
pub fn rule_kind(name: &str) -> Option<RuleKind> {
    let follows = |prefix: &str| {
        name.strip_prefix(prefix).is_some_and(|rest| {
            rest.is_empty()
                || rest.strip_prefix('_').is_some_and(|parts| {
                    parts
                        .split('_')
                        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()))
                })
        })
    };
    if follows("deny") || follows("violation") {
        Some(RuleKind::Failure)
    } else if follows("warn") {
        Some(RuleKind::Warning)
    } else {
        None
    }
}

/// The name an `exception` entry uses for a rule: the rule name without its
/// `deny`/`violation`/`warn` prefix and the `_` after it (`deny_latest` → `latest`,
/// bare `deny` → the empty string).
pub fn exception_name(rule: &str) -> &str {
    ["violation", "deny", "warn"]
        .iter()
        .find_map(|prefix| rule.strip_prefix(prefix))
        .map_or(rule, |rest| rest.strip_prefix('_').unwrap_or(rest))
}

/// How many solutions conftest's query `exception[_][_] == name` has for the value of a
/// package's `exception` rule: one per (entry, position) holding `name`.
pub fn count_exceptions(exception: &Value, name: &str) -> usize {
    children(exception)
        .iter()
        .flat_map(|entry| children(entry))
        .filter(|v| matches!(v, Value::String(s) if s.as_ref() == name))
        .count()
}

/// The members of a set, the items of an array or the values of an object.
fn children(value: &Value) -> Vec<&Value> {
    match value {
        Value::Set(s) => s.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => o.values().collect(),
        _ => Vec::new(),
    }
}

/// The messages of a rule's value. A set (or array) yields one message per string member and
/// per object member with a string `msg`; other members are ignored, and any other value
/// (a boolean `deny if ...`, say) yields nothing, as in conftest. An object member without a
/// string `msg` is an error that voids the input's results, as conftest refuses it too.
pub fn messages(value: &Value) -> Result<Vec<String>, String> {
    let members: Vec<&Value> = match value {
        Value::Set(s) => s.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::with_capacity(members.len());
    for member in members {
        match member {
            Value::String(s) => out.push(s.to_string()),
            Value::Object(fields) => match fields.get(&Value::from("msg")) {
                Some(Value::String(s)) => out.push(s.to_string()),
                Some(_) => return Err(format!("msg field must be a string: {}", json(member))),
                None => return Err(format!("rule missing msg field: {}", json(member))),
            },
            _ => {}
        }
    }
    Ok(out)
}

fn json(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| format!("{value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(json: &str) -> Value {
        Value::from_json_str(json).expect("valid JSON")
    }

    #[test]
    fn classifies_rule_names_like_conftest() {
        assert_eq!(rule_kind("deny"), Some(RuleKind::Failure));
        assert_eq!(rule_kind("deny_latest_tag"), Some(RuleKind::Failure));
        assert_eq!(rule_kind("violation_2"), Some(RuleKind::Failure));
        assert_eq!(rule_kind("warn_x"), Some(RuleKind::Warning));
        for other in [
            "denied",
            "deny_",
            "deny__x",
            "deny-x",
            "warning",
            "exception",
        ] {
            assert_eq!(rule_kind(other), None, "{other}");
        }
    }

    #[test]
    fn strips_prefixes_for_exception_names() {
        assert_eq!(exception_name("deny"), "");
        assert_eq!(exception_name("deny_run_as_root"), "run_as_root");
        assert_eq!(exception_name("violation_c"), "c");
        assert_eq!(exception_name("warn_b"), "b");
    }

    #[test]
    fn counts_one_exception_per_entry_and_position() {
        let exceptions = value(r#"[["a", "b"], ["a"], ["c", "a"]]"#);
        assert_eq!(count_exceptions(&exceptions, "a"), 3);
        assert_eq!(count_exceptions(&exceptions, "b"), 1);
        assert_eq!(count_exceptions(&exceptions, ""), 0);
        assert_eq!(count_exceptions(&Value::Undefined, "a"), 0);
    }

    #[test]
    fn reads_strings_and_msg_objects_and_ignores_the_rest() {
        let v = value(r#"["plain", {"msg": "object", "details": {"x": 1}}, 3, true, null]"#);
        assert_eq!(messages(&v).unwrap(), vec!["plain", "object"]);
        assert_eq!(messages(&Value::Bool(true)).unwrap(), Vec::<String>::new());
        let err = messages(&value(r#"[{"message": "no msg key"}]"#)).unwrap_err();
        assert!(err.starts_with("rule missing msg field"), "{err}");
    }
}
