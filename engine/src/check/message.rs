//! Rendering failure messages from templates with `{value}`, `{path}`, `{resource}`, `{file}`,
//! `{name}` and `{key}` placeholders.

use serde_json::Value;

use super::select::Item;

/// Fills the placeholders of `template` for an offending node of `item`.
pub fn render(template: &str, item: &Item<'_>, value: Option<&Value>, path: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match name {
            "value" => out.push_str(&value.map_or_else(|| "(missing)".to_string(), show)),
            "path" => out.push_str(path),
            "resource" => out.push_str(&item.label),
            "file" => out.push_str(&item.document.path),
            "name" => out.push_str(&item_name(item.value).unwrap_or_else(|| item.label.clone())),
            // The key the item is stored under (a docker-compose service's name).
            "key" => out.push_str(&item_key(&item.pointer)),
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
