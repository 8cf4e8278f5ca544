//! Terraform plans (`terraform show -json`,
//! <https://developer.hashicorp.com/terraform/internals/json-format>) as configuration: the
//! planned managed resources are added under `resource` in the shape of the Terraform JSON
//! configuration, keyed by address (`module.a.logs["x"]`), so that the controls written for
//! `.tf` files apply. Each resource is located at its entry in the plan.

use serde_json::Value as Json;

use crate::document::Document;
use crate::lines::{pointer_push, Position};

/// Whether a JSON document is a plan: a `format_version` with planned values or changes.
pub fn is_plan(data: &Json) -> bool {
    data.get("format_version").is_some_and(Json::is_string)
        && (data.get("planned_values").is_some_and(Json::is_object)
            || data.get("resource_changes").is_some_and(Json::is_array))
}

/// Adds the `resource` object of a plan document (nothing when the plan already has one).
pub fn add_resources(doc: &mut Document) {
    let Json::Object(top) = &doc.data else { return };
    if top.contains_key("resource") {
        return;
    }
    let mut found = Vec::new();
    if let Some(root) = top.get("planned_values").and_then(|p| p.get("root_module")) {
        planned(root, "/planned_values/root_module", "", 0, &mut found);
    } else if let Some(Json::Array(changes)) = top.get("resource_changes") {
        for (i, change) in changes.iter().enumerate() {
            let deleted = change
                .pointer("/change/actions")
                .and_then(Json::as_array)
                .is_some_and(|a| {
                    a.iter().any(|x| x == "delete") && !a.iter().any(|x| x == "create")
                });
            let module = change
                .get("module_address")
                .and_then(Json::as_str)
                .unwrap_or_default();
            if !deleted {
                let at = format!("/resource_changes/{i}");
                entry(
                    change,
                    &at,
                    &format!("{at}/change/after"),
                    module,
                    &mut found,
                );
            }
        }
    }
    let mut resources = serde_json::Map::new();
    let mut positions: Vec<(String, Position)> = Vec::new();
    for found in found {
        let dst = pointer_push(&pointer_push("/resource", &found.kind), &found.key);
        if let Some(position) = doc.lines.position(&found.at) {
            positions.push((pointer_push("/resource", &found.kind), position));
            positions.push((dst.clone(), position));
        }
        relocate(&found.values, &found.values_at, &dst, doc, &mut positions);
        if let Json::Object(kinds) = resources
            .entry(found.kind)
            .or_insert_with(|| Json::Object(serde_json::Map::new()))
        {
            kinds.insert(found.key, found.values);
        }
    }
    if let Some(position) = doc.lines.position("") {
        positions.insert(0, ("/resource".into(), position));
    }
    for (pointer, position) in positions {
        doc.lines.insert(pointer, position);
    }
    if let Json::Object(top) = &mut doc.data {
        top.insert("resource".into(), Json::Object(resources));
    }
}

struct Planned {
    kind: String,
    key: String,
    values: Json,
    /// Pointer of the resource's entry in the plan, and of its values.
    at: String,
    values_at: String,
}

/// The managed resources of a planned module and its child modules, depth first.
fn planned(module: &Json, at: &str, address: &str, depth: usize, out: &mut Vec<Planned>) {
    if depth > crate::limits::MAX_DEPTH {
        return;
    }
    if let Some(Json::Array(resources)) = module.get("resources") {
        for (i, resource) in resources.iter().enumerate() {
            let here = format!("{at}/resources/{i}");
            entry(resource, &here, &format!("{here}/values"), address, out);
        }
    }
    if let Some(Json::Array(children)) = module.get("child_modules") {
        for (i, child) in children.iter().enumerate() {
            let child_address = child
                .get("address")
                .and_then(Json::as_str)
                .unwrap_or_default();
            planned(
                child,
                &format!("{at}/child_modules/{i}"),
                child_address,
                depth + 1,
                out,
            );
        }
    }
}

/// One resource entry (of `planned_values` or `resource_changes`) in module `module`.
fn entry(resource: &Json, at: &str, values_at: &str, module: &str, out: &mut Vec<Planned>) {
    if resource.get("mode").and_then(Json::as_str) != Some("managed") {
        return;
    }
    let field = |name: &str| resource.get(name).and_then(Json::as_str);
    let (Some(kind), Some(name)) = (field("type"), field("name")) else {
        return;
    };
    let prefix = if module.is_empty() {
        String::new()
    } else {
        format!("{module}.")
    };
    let index = match resource.get("index") {
        Some(Json::Number(n)) => format!("[{n}]"),
        Some(Json::String(s)) => format!("[{}]", Json::String(s.clone())),
        _ => String::new(),
    };
    let values = resource
        .pointer(values_at.strip_prefix(at).unwrap_or_default())
        .cloned()
        .unwrap_or_else(|| Json::Object(serde_json::Map::new()));
    out.push(Planned {
        kind: kind.to_string(),
        key: format!("{prefix}{name}{index}"),
        values,
        at: at.to_string(),
        values_at: values_at.to_string(),
    });
}

/// The positions of every node of `value` (found at `src` in the document) moved to `dst`.
fn relocate(value: &Json, src: &str, dst: &str, doc: &Document, out: &mut Vec<(String, Position)>) {
    if let Some(position) = doc.lines.position(src) {
        out.push((dst.to_string(), position));
    }
    match value {
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let key = i.to_string();
                relocate(
                    item,
                    &pointer_push(src, &key),
                    &pointer_push(dst, &key),
                    doc,
                    out,
                );
            }
        }
        Json::Object(map) => {
            for (key, item) in map {
                relocate(
                    item,
                    &pointer_push(src, key),
                    &pointer_push(dst, key),
                    doc,
                    out,
                );
            }
        }
        _ => {}
    }
}
