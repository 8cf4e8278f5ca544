//! Terraform plans (`terraform show -json`,
//! <https://developer.hashicorp.com/terraform/internals/json-format>) as configuration: the
//! planned managed resources are added under `resource` in the shape of the Terraform JSON
//! configuration, keyed by address (`module.a.logs["x"]`), so that the controls written for
//! `.tf` files apply.
//!
//! Each resource is located at its `resource` block when the configuration the plan was made
//! from is in the scan: the nearest directory at or above the plan's that declares a resource
//! of the plan's `configuration` section, and the local module directories its `module_calls`
//! name; the configuration's evaluated copy of such a resource is then dropped, so that the
//! plan's values are judged once. Otherwise it is located at its entry in the plan.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::document::Document;
use crate::lines::{pointer_push, Position};

/// Where the resources of a plan's configuration are declared, by (module path without
/// instance keys such as `module.a.module.b.`, type, name).
pub type Declarations = BTreeMap<(String, String, String), Declared>;

/// A `resource` block in the scan: its file and the positions of its block and attributes,
/// by pointer below the block (`""` for the block).
pub struct Declared {
    path: Arc<str>,
    positions: Vec<(String, Position)>,
}

/// Whether a JSON document is a plan: a `format_version` with planned values or changes.
pub fn is_plan(data: &Json) -> bool {
    data.get("format_version").is_some_and(Json::is_string)
        && (data.get("planned_values").is_some_and(Json::is_object)
            || data.get("resource_changes").is_some_and(Json::is_array))
}

/// The `resource` blocks of the configuration `plan` was made from, found among `documents`
/// whose module directories (root-relative) are `modules`.
pub fn declarations(
    plan: &Document,
    documents: &[Document],
    modules: &BTreeMap<String, Vec<usize>>,
) -> Declarations {
    let mut found = Declarations::new();
    let Some(root) = plan.data.pointer("/configuration/root_module") else {
        return found;
    };
    let mut dir = plan.path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let config_dir = loop {
        if modules.contains_key(dir) && declares_any(root, &modules[dir], documents) {
            break Some(dir.to_string());
        }
        match dir.rsplit_once('/') {
            Some((parent, _)) => dir = parent,
            None if !dir.is_empty() => dir = "",
            None => break None,
        }
    };
    if let Some(config_dir) = config_dir {
        declared(root, &config_dir, "", documents, modules, 0, &mut found);
    }
    found
}

/// The managed resources `(type, name)` a module of the plan's configuration declares.
fn config_resources(module: &Json) -> impl Iterator<Item = (&str, &str)> {
    module
        .get("resources")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter(|r| r.get("mode").and_then(Json::as_str) == Some("managed"))
        .filter_map(|r| Some((r.get("type")?.as_str()?, r.get("name")?.as_str()?)))
}

/// The document of `files` with a `resource` block of that type and name, and the pointer of
/// its body.
fn block<'d>(
    files: &[usize],
    documents: &'d [Document],
    kind: &str,
    name: &str,
) -> Option<(&'d Document, String, &'d Json)> {
    files.iter().find_map(|&file| {
        let doc = &documents[file];
        let body = doc.data.get("resource")?.get(kind)?.get(name)?;
        let at = pointer_push(&pointer_push("/resource", kind), name);
        Some(match body {
            Json::Array(items) if items.len() == 1 => (doc, format!("{at}/0"), &items[0]),
            other => (doc, at, other),
        })
    })
}

/// Whether a module directory declares one of the resources of a configuration module.
fn declares_any(module: &Json, files: &[usize], documents: &[Document]) -> bool {
    config_resources(module).any(|(kind, name)| block(files, documents, kind, name).is_some())
}

/// Adds the blocks of the configuration module `module`, declared in `dir`, and of the local
/// modules it calls.
fn declared(
    module: &Json,
    dir: &str,
    prefix: &str,
    documents: &[Document],
    modules: &BTreeMap<String, Vec<usize>>,
    depth: usize,
    out: &mut Declarations,
) {
    let Some(files) = modules.get(dir) else {
        return;
    };
    if depth > super::module::MAX_MODULE_DEPTH {
        return;
    }
    for (kind, name) in config_resources(module) {
        if let Some((doc, at, body)) = block(files, documents, kind, name) {
            let mut positions = Vec::new();
            positions_below(body, &at, "", doc, &mut positions);
            if positions.first().is_some_and(|(p, _)| p.is_empty()) {
                out.insert(
                    (prefix.to_string(), kind.to_string(), name.to_string()),
                    Declared {
                        path: doc.path.clone(),
                        positions,
                    },
                );
            }
        }
    }
    let Some(Json::Object(calls)) = module.get("module_calls") else {
        return;
    };
    for (name, call) in calls {
        let (Some(source), Some(child)) = (
            call.get("source").and_then(Json::as_str),
            call.get("module"),
        ) else {
            continue;
        };
        if !super::module::is_local_source(source) {
            continue;
        }
        let joined = if dir.is_empty() {
            source.to_string()
        } else {
            format!("{dir}/{source}")
        };
        if let Some(child_dir) = crate::confine::lexical(&joined) {
            let prefix = format!("{prefix}module.{name}.");
            declared(
                child,
                &child_dir,
                &prefix,
                documents,
                modules,
                depth + 1,
                out,
            );
        }
    }
}

/// The positions of `value` (at `src` in `doc`) and its nodes, by pointer below it.
fn positions_below(
    value: &Json,
    src: &str,
    rel: &str,
    doc: &Document,
    out: &mut Vec<(String, Position)>,
) {
    if let Some(position) = doc.lines.position(src) {
        if rel.is_empty()
            || Some(position) != doc.lines.position(&src[..src.rfind('/').unwrap_or(0)])
        {
            out.push((rel.to_string(), position));
        }
    }
    let children: Vec<(String, &Json)> = match value {
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        Json::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        _ => Vec::new(),
    };
    for (key, item) in children {
        positions_below(
            item,
            &pointer_push(src, &key),
            &pointer_push(rel, &key),
            doc,
            out,
        );
    }
}

/// A module address without its instance keys: `module.a["x"].module.b[0]` →
/// `module.a.module.b.` (with a trailing dot; `""` for the root module).
fn module_path(address: &str) -> String {
    let mut out = String::new();
    let mut rest = address;
    while !rest.is_empty() {
        match rest.find('[') {
            Some(open) => {
                out.push_str(&rest[..open]);
                match super::index_end(&rest[open..]) {
                    Some(len) => rest = &rest[open + len..],
                    None => break,
                }
            }
            None => {
                out.push_str(rest);
                break;
            }
        }
    }
    if !out.is_empty() {
        out.push('.');
    }
    out
}

/// A planned resource located at its block: the file of the block, the type and the key.
pub type Placed = (Arc<str>, String, String);

/// Adds the `resource` object of a plan document (nothing when the plan already has one);
/// resources `declared` in the scan are located at their blocks, and returned.
pub fn add_resources(doc: &mut Document, declared: &Declarations) -> Vec<Placed> {
    let Json::Object(top) = &doc.data else {
        return Vec::new();
    };
    if top.contains_key("resource") {
        return Vec::new();
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
    let mut placed = Vec::new();
    for found in found {
        let dst = pointer_push(&pointer_push("/resource", &found.kind), &found.key);
        if let Some(position) = doc.lines.position(&found.at) {
            positions.push((pointer_push("/resource", &found.kind), position));
        }
        let key = (
            module_path(&found.module),
            found.kind.clone(),
            found.name.clone(),
        );
        match declared.get(&key) {
            Some(block) => {
                for (rel, position) in &block.positions {
                    positions.push((format!("{dst}{rel}"), *position));
                }
                placed.push((
                    dst,
                    (block.path.clone(), found.kind.clone(), found.key.clone()),
                ));
            }
            None => {
                if let Some(position) = doc.lines.position(&found.at) {
                    positions.push((dst.clone(), position));
                }
                relocate(&found.values, &found.values_at, &dst, doc, &mut positions);
            }
        }
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
    for (pointer, (path, _, _)) in &placed {
        doc.lines.place_in(pointer, path.clone());
    }
    if let Json::Object(top) = &mut doc.data {
        top.insert("resource".into(), Json::Object(resources));
    }
    placed.into_iter().map(|(_, placed)| placed).collect()
}

/// Removes from the evaluated configuration `doc` the resources a plan located at its blocks:
/// the plan stands for them, so that each is judged once, with its planned values.
pub fn remove_planned(doc: &mut Document, placed: &[Placed]) {
    let Some(Json::Object(kinds)) = doc.data.get_mut("resource") else {
        return;
    };
    for (path, kind, key) in placed {
        if **path != *doc.path {
            continue;
        }
        if let Some(Json::Object(resources)) = kinds.get_mut(kind) {
            resources.remove(key);
            if resources.is_empty() {
                kinds.remove(kind);
            }
        }
    }
}

struct Planned {
    kind: String,
    key: String,
    /// The module address (`module.a["x"]`, `""` for the root module) and resource name.
    module: String,
    name: String,
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
        module: module.to_string(),
        name: name.to_string(),
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
