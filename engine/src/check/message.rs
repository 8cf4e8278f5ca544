//! Rendering failure messages from templates with `{value}`, `{path}`, `{resource}`, `{file}`,
//! `{name}` and `{key}` placeholders, and `{$.some.path}`: the first node a JSONPath finds in
//! the item; `{{` is a literal brace. Templates are checked when the catalog loads, so an
//! unknown placeholder never reaches a finding.

use serde_json::Value;

use super::select::Item;
use crate::diag::{did_you_mean, Diagnostic};
use crate::parse::LocatedValue;

/// The placeholders a message may use.
pub const PLACEHOLDERS: [&str; 6] = ["value", "path", "resource", "file", "name", "key"];

/// An error for the message template at `pointer` of a control document when it uses an
/// unknown placeholder.
pub fn check_template(doc: &LocatedValue, pointer: &str) -> Option<Diagnostic> {
    let template = doc.value.pointer(pointer)?.as_str()?;
    let name = unknown_placeholder(template)?;
    let d = doc
        .diagnostic(
            pointer,
            format!("unknown placeholder `{{{name}}}` in the message"),
        )
        .expected(format!(
            "one of {}, `{{params.NAME}}` for a parameter or `{{$.a.path}}` for a node of the item",
            PLACEHOLDERS.map(|p| format!("`{{{p}}}`")).join(", ")
        ));
    Some(match did_you_mean(name, PLACEHOLDERS) {
        Some(close) => d.hint(format!("did you mean `{{{close}}}`?")),
        None => d.hint("write `{{` for a literal brace"),
    })
}

/// The first placeholder of `template` that is neither one of [`PLACEHOLDERS`] nor a JSONPath.
pub fn unknown_placeholder(template: &str) -> Option<&str> {
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let end = after.find('}')?;
        let name = &after[..end];
        let query = name.starts_with('$') && serde_json_path::JsonPath::parse(name).is_ok();
        if !query && !PLACEHOLDERS.contains(&name) {
            return Some(name);
        }
        rest = &after[end + 1..];
    }
    None
}

/// Fills the placeholders of `template` for an offending node of `item`.
pub fn render(template: &str, item: &Item<'_>, value: Option<&Value>, path: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            out.push('{');
            rest = escaped;
            continue;
        }
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match name {
            "value" => out.push_str(&value.map_or_else(|| "(missing)".to_string(), show)),
            "path" => out.push_str(&readable_path(path)),
            "resource" => out.push_str(&item.label),
            "file" => out.push_str(&item.document.path),
            "name" => out.push_str(&item_name(item.value).unwrap_or_else(|| item.label.clone())),
            // The key the item is stored under (a docker-compose service's name).
            "key" => out.push_str(&item_key(&item.pointer)),
            query if query.starts_with('$') => {
                let found = serde_json_path::JsonPath::parse(query)
                    .ok()
                    .and_then(|p| p.query(item.value).first().map(show));
                out.push_str(&found.unwrap_or_else(|| "(missing)".to_string()));
            }
            _ => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A normalized JSONPath (`$['spec']['containers'][0]`) as people write a field:
/// `spec.containers[0]`; keys that are not plain names keep brackets (`labels["app.kubernetes.io/name"]`).
/// `$` alone is `the item`; any other text (a query as written) loses only its `$.`.
fn readable_path(path: &str) -> String {
    if path == "$" {
        return "the item".into();
    }
    let Some(mut rest) = path.strip_prefix('$') else {
        return path.to_string();
    };
    let mut out = String::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("['") {
            let mut key = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next() {
                    Some((_, '\\')) => {
                        if let Some((_, c)) = chars.next() {
                            key.push(c);
                        }
                    }
                    Some((i, '\'')) if after[i..].starts_with("']") => break Some(i + 2),
                    Some((_, c)) => key.push(c),
                    None => break None,
                }
            };
            let Some(end) = end else {
                return written(path);
            };
            let plain = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            match (plain, out.is_empty()) {
                (true, true) => out.push_str(&key),
                (true, false) => {
                    out.push('.');
                    out.push_str(&key);
                }
                (false, _) => out.push_str(&format!("[{key:?}]")),
            }
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            match after.find(']') {
                Some(end) if after[..end].chars().all(|c| c.is_ascii_digit()) && end > 0 => {
                    out.push_str(&rest[..end + 2]);
                    rest = &after[end + 1..];
                }
                _ => return written(path),
            }
        } else {
            return written(path);
        }
    }
    out
}

/// A query as written, without its leading `$.`.
fn written(path: &str) -> String {
    path.strip_prefix("$.").unwrap_or(path).to_string()
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The last reference token of `pointer`, unescaped.
fn item_key(pointer: &str) -> String {
    let token = pointer.rsplit('/').next().unwrap_or_default();
    token.replace("~1", "/").replace("~0", "~")
}

/// The item's own name: `name`, else `metadata.name`.
fn item_name(value: &Value) -> Option<String> {
    value
        .get("name")
        .or_else(|| value.pointer("/metadata/name"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_fields() {
        assert_eq!(
            readable_path("$['containers'][0]['securityContext']['runAsUser']"),
            "containers[0].securityContext.runAsUser"
        );
        assert_eq!(
            readable_path("$['metadata']['labels']['app.kubernetes.io/name']"),
            "metadata.labels[\"app.kubernetes.io/name\"]"
        );
        assert_eq!(readable_path("$['it\\'s']"), "[\"it's\"]");
        assert_eq!(readable_path("$[3]"), "[3]");
        assert_eq!(readable_path("$"), "the item");
        assert_eq!(readable_path("$.spec.hostPID"), "spec.hostPID");
        assert_eq!(readable_path("$.a[?@.b]"), "a[?@.b]");
    }

    #[test]
    fn finds_unknown_placeholders() {
        assert_eq!(
            unknown_placeholder("`{value}` at {path} of {resource}"),
            None
        );
        assert_eq!(unknown_placeholder("{vaule} is bad"), Some("vaule"));
        assert_eq!(unknown_placeholder("literal {{braces}} and {name}"), None);
        assert_eq!(
            unknown_placeholder("{name} then {params.x}"),
            Some("params.x")
        );
        assert_eq!(unknown_placeholder("an open { brace"), None);
        assert_eq!(unknown_placeholder("said {$.review.statement}"), None);
        assert_eq!(unknown_placeholder("{$.[bad}"), Some("$.[bad"));
    }
}
