//! `let` bindings of an assertion: a JSONPath from the item named once,
//! `let: {containers: "$['containers','initContainers']"}`, and written `$containers` at the
//! start of or anywhere inside the JSONPaths of the assertion's conditions
//! (`$containers[?@.securityContext.privileged == true].name`) and of its message placeholders
//! (`{$containers[0].name}`). A binding stands for its path's text, so `$containers.image` is
//! `$['containers','initContainers'].image`.
//!
//! Bindings are expanded in a copy of the control document before the assertion is compiled;
//! a reference to an unknown binding, a binding never used, a binding under `related` (where
//! `$` is the related resource, not the item) and a binding that is not a JSONPath are errors
//! at their line, naming the control.

use std::collections::BTreeMap;

use assay_collectors::pointer_push;
use serde_json::Value;

use super::assert::compile_path;
use crate::diag::{did_you_mean, Diagnostic};
use crate::parse::LocatedValue;

/// What the expansion found wrong, at a pointer of the document.
enum Problem {
    Unknown(String),
    UnderRelated(String),
}

/// A copy of `doc` with every binding of the assertion at `pointer` expanded, with the errors
/// of their uses; the errors of the declarations when one is wrong.
pub fn expand(
    doc: &LocatedValue,
    pointer: &str,
) -> Result<(LocatedValue, Vec<Diagnostic>), Vec<Diagnostic>> {
    let id = doc
        .value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut errors = Vec::new();
    let let_at = format!("{pointer}/let");
    let mut bindings: BTreeMap<String, String> = BTreeMap::new();
    if let Some(Value::Object(declared)) = doc.value.pointer(&let_at) {
        for (name, path) in declared {
            let at = pointer_push(&let_at, name);
            let Some(path) = path.as_str() else {
                continue;
            };
            if let Some(inner) = references(path).into_iter().next() {
                errors.push(
                    doc.diagnostic(
                        &at,
                        format!("binding `{name}` of `{id}` refers to another binding, `${inner}`"),
                    )
                    .hint("write the whole path: a binding is a JSONPath from the item"),
                );
            } else if let Err(d) = compile_path(doc, &at, path) {
                errors.push(d);
            } else {
                bindings.insert(name.clone(), path.to_string());
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut out = doc.clone();
    let mut used = Vec::new();
    let mut problems = Vec::new();
    if let Some(assert) = out.value.pointer_mut(pointer) {
        walk(assert, pointer, false, &bindings, &mut used, &mut problems);
    }
    for (at, problem) in problems {
        let d = match problem {
            Problem::Unknown(name) => {
                let d = doc.diagnostic(&at, format!("unknown binding `${name}` in `{id}`"));
                match did_you_mean(&name, bindings.keys().map(String::as_str)) {
                    Some(close) => d.hint(format!("did you mean `${close}`?")),
                    None => d.hint(format!(
                        "declare it under `let:` of the assertion, `let: {{{name}: \"$.a.path\"}}`"
                    )),
                }
            }
            Problem::UnderRelated(name) => doc
                .diagnostic(
                    &at,
                    format!("binding `${name}` of `{id}` is used under `related`"),
                )
                .hint("under `related`, `$` is the related resource: write its path in full"),
        };
        errors.push(d);
    }
    for name in bindings.keys().filter(|n| !used.contains(n)) {
        errors.push(
            doc.diagnostic(
                &pointer_push(&let_at, name),
                format!("binding `{name}` of `{id}` is never used"),
            )
            .hint(format!("refer to it in a path as `${name}`, or remove it")),
        );
    }
    Ok((out, errors))
}

/// Expands the bindings below `value` (at `pointer`): in the `path` of conditions and in the
/// placeholders of messages. `related` is true below a `related` node.
fn walk(
    value: &mut Value,
    pointer: &str,
    related: bool,
    bindings: &BTreeMap<String, String>,
    used: &mut Vec<String>,
    problems: &mut Vec<(String, Problem)>,
) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let at = pointer_push(pointer, key);
                match (key.as_str(), child) {
                    // Declarations, and selections that run before there is an item.
                    ("let" | "select", _) => {}
                    ("path", Value::String(text)) if related => {
                        for name in references(text) {
                            let problem = if bindings.contains_key(&name) {
                                Problem::UnderRelated(name)
                            } else {
                                Problem::Unknown(name)
                            };
                            problems.push((at.clone(), problem));
                        }
                    }
                    ("path", Value::String(text)) => {
                        let mut unknown = Vec::new();
                        *text = expand_path(text, bindings, used, &mut unknown);
                        for name in unknown {
                            problems.push((at.clone(), Problem::Unknown(name)));
                        }
                    }
                    ("message" | "pass_message", Value::String(text)) => {
                        let mut unknown = Vec::new();
                        *text = expand_message(text, bindings, used, &mut unknown);
                        for name in unknown {
                            problems.push((at.clone(), Problem::Unknown(name)));
                        }
                    }
                    ("related", child) => walk(child, &at, true, bindings, used, problems),
                    (_, child) => walk(child, &at, related, bindings, used, problems),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(
                    item,
                    &format!("{pointer}/{i}"),
                    related,
                    bindings,
                    used,
                    problems,
                );
            }
        }
        _ => {}
    }
}

/// The binding names a JSONPath refers to, in order.
fn references(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    expand_path(path, &BTreeMap::new(), &mut Vec::new(), &mut names);
    names
}

/// `path` with each `$NAME` outside string literals replaced by the binding's path. In a
/// JSONPath `$` is followed by `.`, `[`, a space or an operator, so `$` and a letter is always
/// a binding. The names of unknown ones go to `unknown`, and stay as written.
fn expand_path(
    path: &str,
    bindings: &BTreeMap<String, String>,
    used: &mut Vec<String>,
    unknown: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(path.len());
    let mut quote: Option<char> = None;
    let mut chars = path.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                if let Some((_, escaped)) = chars.next() {
                    out.push(escaped);
                }
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '$' if chars
                .peek()
                .is_some_and(|(_, n)| n.is_ascii_alphabetic() || *n == '_') =>
            {
                let start = i + 1;
                let mut end = start;
                while let Some((j, n)) = chars.peek() {
                    if n.is_ascii_alphanumeric() || *n == '_' {
                        end = j + n.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let name = &path[start..end];
                match bindings.get(name) {
                    Some(bound) => {
                        out.push_str(bound);
                        if !used.iter().any(|u| u == name) {
                            used.push(name.to_string());
                        }
                    }
                    None => {
                        unknown.push(name.to_string());
                        out.push('$');
                        out.push_str(name);
                    }
                }
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// A message with the bindings of its `{$…}` placeholders expanded (`{{` is a literal brace).
fn expand_message(
    text: &str,
    bindings: &BTreeMap<String, String>,
    used: &mut Vec<String>,
    unknown: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..=start]);
        let after = &rest[start + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            out.push('{');
            rest = escaped;
            continue;
        }
        let Some(end) = after.find('}') else {
            rest = after;
            break;
        };
        let inner = &after[..end];
        if inner.starts_with('$') {
            out.push_str(&expand_path(inner, bindings, used, unknown));
        } else {
            out.push_str(inner);
        }
        out.push('}');
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::control;

    fn bound() -> BTreeMap<String, String> {
        BTreeMap::from([(
            "c".to_string(),
            "$['containers','initContainers']".to_string(),
        )])
    }

    #[test]
    fn expands_names_outside_string_literals() {
        let (mut used, mut unknown) = (Vec::new(), Vec::new());
        let out = expand_path(
            "$c[?@.name == '$c' && $.x == \"$c\"].image",
            &bound(),
            &mut used,
            &mut unknown,
        );
        assert_eq!(
            out,
            "$['containers','initContainers'][?@.name == '$c' && $.x == \"$c\"].image"
        );
        assert_eq!(used, ["c"]);
        assert!(unknown.is_empty());
        let out = expand_path("$.a[?@ == $cc.b]", &bound(), &mut used, &mut unknown);
        assert_eq!(out, "$.a[?@ == $cc.b]");
        assert_eq!(unknown, ["cc"]);
    }

    #[test]
    fn expands_message_placeholders_only() {
        let (mut used, mut unknown) = (Vec::new(), Vec::new());
        let out = expand_message(
            "{{$c}} costs $c; first: {$c[0].name} at {path}",
            &bound(),
            &mut used,
            &mut unknown,
        );
        assert_eq!(
            out,
            "{{$c}} costs $c; first: {$['containers','initContainers'][0].name} at {path}"
        );
        assert!(unknown.is_empty());
    }

    #[test]
    fn unknown_unused_and_related_bindings_are_located_errors() {
        let (doc, errors) = control(concat!(
            "  assert:\n",
            "    let:\n",
            "      spare: $.spare\n",
            "      c: $.containers[*]\n",
            "    all:\n",
            "      - path: $cc.image\n",
            "        exists: true\n",
            "      - related:\n",
            "          resource_types: [x]\n",
            "          referencing: bucket\n",
            "          conditions:\n",
            "            - {path: $c.x, exists: true}\n",
            "    message: m\n",
        ));
        assert!(errors.is_empty(), "{errors:?}");
        let (_, errors) = expand(&doc, "/check/assert").unwrap();
        let shown: Vec<String> = errors
            .iter()
            .map(|d| {
                format!(
                    "{}:{} {}",
                    d.file,
                    d.position.map_or(0, |p| p.line),
                    d.message
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                "t.yaml:13 unknown binding `$cc` in `t`",
                "t.yaml:19 binding `$c` of `t` is used under `related`",
                "t.yaml:11 binding `c` of `t` is never used",
                "t.yaml:10 binding `spare` of `t` is never used",
            ]
        );
        assert_eq!(errors[0].hint.as_deref(), Some("did you mean `$c`?"));
    }

    #[test]
    fn a_binding_is_a_path_without_bindings() {
        let (doc, _) = control(
            "  assert:\n    let: {a: \"$.x[\", b: $a.y}\n    all:\n      - {path: $b, exists: true}\n    message: m\n",
        );
        let errors = expand(&doc, "/check/assert").unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].message.contains("invalid JSONPath `$.x[`"));
        assert!(errors[1]
            .message
            .contains("refers to another binding, `$a`"));
    }
}
