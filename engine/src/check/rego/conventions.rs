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

/// One result of a rule: its message and, when the policy named one, the node it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    /// A JSON pointer below the input (`/spec/template/spec/containers/0`), from the result's
    /// `path` field: an array of keys and indices, a pointer string, or a Terraform resource
    /// address (`aws_s3_bucket.logs`).
    pub pointer: Option<String>,
    /// The line `pointer` is at (or its nearest located ancestor), once the input's line map
    /// has been consulted.
    pub line: Option<u32>,
}

/// The messages of a rule's value. A set (or array) yields one message per string member and
/// per object member with a string `msg` (and an optional `path` locating it); other members
/// are ignored, and any other value (a boolean `deny if ...`, say) yields nothing, as in
/// conftest. An object member without a string `msg` is an error that voids the input's
/// results, as conftest refuses it too.
pub fn messages(value: &Value) -> Result<Vec<Message>, String> {
    let members: Vec<&Value> = match value {
        Value::Set(s) => s.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        _ => return Ok(Vec::new()),
    };
    let mut out = Vec::with_capacity(members.len());
    for member in members {
        match member {
            Value::String(s) => out.push(Message {
                text: s.to_string(),
                pointer: None,
                line: None,
            }),
            Value::Object(fields) => match fields.get(&Value::from("msg")) {
                Some(Value::String(s)) => out.push(Message {
                    text: s.to_string(),
                    pointer: fields.get(&Value::from("path")).and_then(pointer),
                    line: None,
                }),
                Some(_) => return Err(format!("msg field must be a string: {}", json(member))),
                None => return Err(format!("rule missing msg field: {}", json(member))),
            },
            _ => {}
        }
    }
    Ok(out)
}

/// The JSON pointer a result's `path` names: `["spec", "containers", 0]`,
/// `"/spec/containers/0"` or the resource address `"aws_s3_bucket.logs"`; anything else names
/// no node.
fn pointer(path: &Value) -> Option<String> {
    match path {
        Value::String(s) if s.is_empty() || s.starts_with('/') => Some(s.to_string()),
        Value::String(s) => {
            let (kind, name) = s.split_once('.')?;
            Some(format!("/resource/{kind}/{name}"))
        }
        Value::Array(parts) => {
            let mut out = String::new();
            for part in parts.iter() {
                out.push('/');
                match part {
                    Value::String(s) => out.push_str(&s.replace('~', "~0").replace('/', "~1")),
                    Value::Number(n) => out.push_str(&n.as_u64()?.to_string()),
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
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
        let texts: Vec<String> = messages(&v).unwrap().into_iter().map(|m| m.text).collect();
        assert_eq!(texts, vec!["plain", "object"]);
        assert!(messages(&Value::Bool(true)).unwrap().is_empty());
        let err = messages(&value(r#"[{"message": "no msg key"}]"#)).unwrap_err();
        assert!(err.starts_with("rule missing msg field"), "{err}");
    }

    #[test]
    fn a_result_path_becomes_a_pointer() {
        let v = value(
            r#"[{"msg": "a", "path": ["spec", "containers", 0, "a/b"]}, {"msg": "b", "path": "/x/1"}, {"msg": "c", "path": [true]}, {"msg": "d", "path": "aws_s3_bucket.logs"}]"#,
        );
        let found: Vec<(String, Option<String>)> = messages(&v)
            .unwrap()
            .into_iter()
            .map(|m| (m.text, m.pointer))
            .collect();
        assert_eq!(
            found,
            vec![
                ("a".into(), Some("/spec/containers/0/a~1b".into())),
                ("b".into(), Some("/x/1".into())),
                ("c".into(), None),
                ("d".into(), Some("/resource/aws_s3_bucket/logs".into())),
            ]
        );
        let err = messages(&value(r#"[{"message": "no msg key"}]"#)).unwrap_err();
        assert!(err.starts_with("rule missing msg field"), "{err}");
    }
}
