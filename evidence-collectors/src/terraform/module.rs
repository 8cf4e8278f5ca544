//! Evaluating one instance of a Terraform module: the `*.tf` and `*.tf.json` documents of
//! one directory, with its variables' values and an address prefix (`module.NAME.`).

use std::collections::{BTreeMap, BTreeSet};

use hcl::{Map, Value};
use serde_json::Value as Json;

use super::expr::{self, entries, from_json, literal_part, nodes, Env, MAX_VALUE_NODES};
use super::types::Type;
use super::{Evaluation, Output};
use crate::document::Document;
use crate::lines::{pointer_push, LineMap};

/// Most instances `count` or `for_each` may expand one resource into.
pub const MAX_INSTANCES: usize = 10_000;

/// Most instances all resources of one collection may expand into together.
pub const MAX_TOTAL_INSTANCES: usize = 100_000;

/// Deepest chain of local module calls followed.
pub const MAX_MODULE_DEPTH: usize = 16;

/// Most value nodes the locals of one module instance may hold together.
const MAX_LOCAL_NODES: usize = 1_000_000;

/// Arguments of a `module` block that are not input variables.
const MODULE_META: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// What a module call passes to the module it calls.
pub struct Inputs {
    /// Known input values.
    pub known: Map<String, Value>,
    /// Inputs given a value that cannot be known: their defaults do not apply.
    pub unknown: BTreeSet<String>,
}

/// One module instance being evaluated.
pub struct Instance<'e> {
    pub eval: &'e mut Evaluation,
    pub dir: String,
    pub prefix: String,
    /// `None` for a root module, whose variables come from tfvars files.
    pub inputs: Option<Inputs>,
    /// The module directories of the calls that led here, outermost first.
    pub stack: Vec<String>,
}

impl Instance<'_> {
    /// Evaluates the module, writes its resources (and, the first time a file is evaluated,
    /// its other blocks) into the outputs of its files and returns its known output values.
    pub fn run(mut self, documents: &[Document]) -> Map<String, Value> {
        let files: Vec<usize> = self
            .eval
            .modules
            .get(&self.dir)
            .cloned()
            .unwrap_or_default();
        let mut env = Env::new();
        env.declare(
            "var",
            Value::Object(self.variables(documents, &files)),
            false,
        );
        let mut path = Map::new();
        path.insert("module".into(), Value::from(module_path(&self.dir)));
        path.insert(
            "root".into(),
            Value::from(module_path(self.stack.first().unwrap_or(&self.dir))),
        );
        path.insert("cwd".into(), Value::from("."));
        env.declare("path", Value::Object(path), false);
        let mut terraform = Map::new();
        terraform.insert("workspace".into(), Value::from("default"));
        env.declare("terraform", Value::Object(terraform), false);
        declare_literal_resources(&mut env, documents, &files, None);

        self.locals(documents, &files, &mut env);
        let modules = self.module_calls(documents, &files, &env);
        env.declare("module", Value::Object(modules), true);
        // Resources read each other's attributes as evaluated now.
        let evaluated = env.clone();
        declare_literal_resources(&mut env, documents, &files, Some(&evaluated));
        for &file in &files {
            self.blocks(&documents[file], file, &env);
        }
        self.outputs(documents, &files, &env)
    }

    /// The known values of the module's variables: module inputs, else (for a root module)
    /// the tfvars files and `--var-file`s in order, else defaults; converted to their types.
    fn variables(&self, documents: &[Document], files: &[usize]) -> Map<String, Value> {
        let mut given: Map<String, Json> = Map::new();
        if self.inputs.is_none() {
            for &file in self.eval.tfvars.get(&self.dir).into_iter().flatten() {
                if let Json::Object(values) = &documents[file].data {
                    given.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
            for values in &self.eval.var_files {
                given.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let mut known = Map::new();
        for &file in files {
            let Some(Json::Object(variables)) = documents[file].data.get("variable") else {
                continue;
            };
            for (name, body) in variables {
                let value = match &self.inputs {
                    Some(inputs) if inputs.unknown.contains(name) => continue,
                    Some(inputs) => inputs.known.get(name).cloned(),
                    None => given
                        .get(name)
                        .and_then(literal_part)
                        .map(|v| from_json(&v)),
                };
                let default = || {
                    body.get("default")
                        .and_then(literal_part)
                        .map(|v| from_json(&v))
                };
                let ty = body
                    .get("type")
                    .and_then(Json::as_str)
                    .and_then(Type::parse);
                if let Some(value) = value.or_else(default) {
                    let value = match ty {
                        Some(ty) => ty.convert(value),
                        None => value,
                    };
                    known.insert(name.clone(), value);
                }
            }
        }
        known
    }

    /// Evaluates the `locals` blocks, a level of dependencies at a time, declaring each known
    /// value as `local.NAME`; the evaluated blocks go to the file outputs.
    fn locals(&mut self, documents: &[Document], files: &[usize], env: &mut Env) {
        struct Local<'d> {
            file: usize,
            pointer: String,
            value: &'d Json,
            uses: BTreeSet<String>,
        }
        let mut pending: BTreeMap<String, Local> = BTreeMap::new();
        for &file in files {
            let Some(Json::Array(blocks)) = documents[file].data.get("locals") else {
                continue;
            };
            for (i, block) in blocks.iter().enumerate() {
                let Json::Object(block) = block else { continue };
                for (name, value) in block {
                    let mut uses = BTreeSet::new();
                    expr::referenced(value, "local", &mut uses);
                    uses.remove(name);
                    let pointer = pointer_push(&format!("/locals/{i}"), name);
                    pending.entry(name.clone()).or_insert(Local {
                        file,
                        pointer,
                        value,
                        uses,
                    });
                }
            }
        }
        let mut known = Map::new();
        let mut size = 0usize;
        let mut evaluated: Vec<(usize, String, Json)> = Vec::new();
        for _level in 0..crate::limits::MAX_DEPTH {
            let ready: Vec<String> = pending
                .iter()
                .filter(|(_, l)| l.uses.iter().all(|u| !pending.contains_key(u)))
                .map(|(name, _)| name.clone())
                .collect();
            if ready.is_empty() {
                break;
            }
            for name in ready {
                let Some(local) = pending.remove(&name) else {
                    continue;
                };
                let doc = &documents[local.file];
                let lines = self.eval.lines_for(local.file, doc, &self.prefix);
                let (value, is_known) = env.tree(
                    local.value,
                    &local.pointer,
                    &local.pointer,
                    &doc.lines,
                    lines,
                );
                let cost = nodes(&value);
                if is_known && cost <= MAX_VALUE_NODES && size + cost <= MAX_LOCAL_NODES {
                    size += cost;
                    known.insert(name.clone(), from_json(&value));
                }
                evaluated.push((local.file, local.pointer, value));
            }
            env.declare("local", Value::Object(known.clone()), false);
        }
        // Locals in a cycle (or deeper than the limit) stay as written.
        for (_, local) in pending {
            evaluated.push((local.file, local.pointer.clone(), local.value.clone()));
        }
        for (file, pointer, value) in evaluated {
            if let Some(output) = self.eval.first_output(file, &documents[file], &self.prefix) {
                set_pointer(&mut output.data, &pointer, value);
            }
        }
        env.declare("local", Value::Object(known), false);
    }

    /// Evaluates the local module calls (`source = "./.."`) of the module: each called module
    /// runs with the call's inputs. Returns `{NAME: {OUTPUT: value}}` of the known outputs.
    fn module_calls(
        &mut self,
        documents: &[Document],
        files: &[usize],
        env: &Env,
    ) -> Map<String, Value> {
        let mut outputs = Map::new();
        for &file in files {
            let doc = &documents[file];
            let Some(Json::Object(calls)) = doc.data.get("module") else {
                continue;
            };
            for (name, call) in calls {
                let pointer = pointer_push("/module", name);
                let Json::Object(body) = call else { continue };
                let Some(source) = body.get("source").and_then(Json::as_str) else {
                    continue;
                };
                if !is_local_source(source) {
                    continue;
                }
                let Some(child) = self.callable(doc, &pointer, source) else {
                    continue;
                };
                let base = format!("{}module.{name}", self.prefix);
                let weight = self.eval.modules.get(&child).map_or(1, |files| {
                    files
                        .iter()
                        .filter_map(|&f| documents[f].data.get("resource")?.as_object())
                        .flat_map(|kinds| kinds.values())
                        .filter_map(Json::as_object)
                        .map(serde_json::Map::len)
                        .sum::<usize>()
                        .max(1)
                });
                let instances = self.expand(doc, env, (base, weight), call, &pointer);
                let expanded = instances.len() != 1 || instances[0].1.is_some();
                for (address, own) in instances {
                    let env = own.as_ref().unwrap_or(env);
                    let mut inputs = Inputs {
                        known: Map::new(),
                        unknown: BTreeSet::new(),
                    };
                    let mut scratch = LineMap::new();
                    for (key, value) in body {
                        if MODULE_META.contains(&key.as_str()) {
                            continue;
                        }
                        let at = pointer_push(&pointer, key);
                        let (value, known) = env.tree(value, &at, &at, &doc.lines, &mut scratch);
                        if known && nodes(&value) <= MAX_VALUE_NODES {
                            inputs.known.insert(key.clone(), from_json(&value));
                        } else {
                            inputs.unknown.insert(key.clone());
                        }
                    }
                    let mut stack = self.stack.clone();
                    stack.push(self.dir.clone());
                    let instance = Instance {
                        eval: &mut *self.eval,
                        dir: child.clone(),
                        prefix: format!("{address}."),
                        inputs: Some(inputs),
                        stack,
                    };
                    let values = instance.run(documents);
                    // The outputs of expanded calls are left unknown.
                    if !expanded {
                        outputs.insert(name.clone(), Value::Object(values));
                    }
                }
            }
        }
        outputs
    }

    /// The directory a local module call refers to, if it may be evaluated; else the reason
    /// is reported on the call.
    fn callable(&mut self, doc: &Document, pointer: &str, source: &str) -> Option<String> {
        let joined = if self.dir.is_empty() {
            source.to_string()
        } else {
            format!("{}/{source}", self.dir)
        };
        let reason = match crate::confine::lexical(&joined) {
            None => format!("module source `{source}` leaves the scan root"),
            Some(child) if child == self.dir || self.stack.contains(&child) => {
                format!("module source `{source}` calls a module that is already being evaluated (a cycle)")
            }
            Some(_) if self.stack.len() >= MAX_MODULE_DEPTH => {
                format!("module calls nest deeper than {MAX_MODULE_DEPTH} levels")
            }
            Some(child) if self.eval.modules.contains_key(&child) => return Some(child),
            Some(_) => format!("module source `{source}` has no Terraform files in the scan"),
        };
        self.eval.error(doc, pointer, reason);
        None
    }

    /// Evaluates the blocks of one file: resources (expanded by `count`/`for_each`) every
    /// time; providers, data sources, module calls and outputs the first time.
    fn blocks(&mut self, doc: &Document, file: usize, env: &Env) {
        if let Some(Json::Object(types)) = doc.data.get("resource") {
            for (kind, resources) in types {
                let Json::Object(resources) = resources else {
                    continue;
                };
                for (name, body) in resources {
                    let src = pointer_push(&pointer_push("/resource", kind), name);
                    let (body, src) = match body {
                        Json::Array(items) if items.len() == 1 => (&items[0], format!("{src}/0")),
                        other => (other, src),
                    };
                    self.resource(doc, file, env, kind, name, body, &src);
                }
            }
        }
        let Some(output) = self.eval.first_output(file, doc, &self.prefix) else {
            return;
        };
        for key in ["provider", "data", "module", "output"] {
            if let Some(value) = doc.data.get(key) {
                let at = pointer_push("", key);
                let (value, _) = env.tree(value, &at, &at, &doc.lines, &mut output.lines);
                output.data.insert(key.to_string(), value);
            }
        }
    }

    /// The instances `count` or `for_each` make of the block `body` at `src` whose address is
    /// `base`: each address with the names it adds (`count`, `each`), `None` for none. One
    /// instance `base` when the block is not expanded or its expansion cannot be known. Each
    /// instance costs `weight` resource instances of the scan's budget.
    fn expand(
        &mut self,
        doc: &Document,
        env: &Env,
        (base, weight): (String, usize),
        body: &Json,
        src: &str,
    ) -> Vec<(String, Option<Env>)> {
        // Each instance with the names it adds (`count`, `each`); `None`: the module's own.
        let mut instances: Vec<(String, Option<Env>)> = Vec::new();
        let count = body.get("count").map(|c| known_value(env, c));
        let for_each = body.get("for_each").map(|c| known_value(env, c));
        match (count, for_each) {
            (Some(Some(count)), _) => match count.as_f64() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 => {
                    let n = n as usize;
                    if self.admit(doc, src, n, weight) {
                        for i in 0..n {
                            let mut index = Map::new();
                            index.insert("index".into(), Value::from(i));
                            instances.push((
                                format!("{base}[{i}]"),
                                Some(env.with("count", Value::Object(index))),
                            ));
                        }
                    } else {
                        instances.push((base, None));
                    }
                }
                _ => {
                    self.eval.error(
                        doc,
                        &format!("{src}/count"),
                        format!("count is `{count}`, not a whole number"),
                    );
                    instances.push((base, None));
                }
            },
            (_, Some(Some(collection))) => match entries(&collection) {
                Some(pairs) if self.admit(doc, src, pairs.len(), weight) => {
                    for (key, value) in pairs {
                        let label = match &key {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        let mut each = Map::new();
                        each.insert("key".into(), key);
                        each.insert("value".into(), value);
                        let quoted = serde_json::to_string(&label).unwrap_or_default();
                        instances.push((
                            format!("{base}[{quoted}]"),
                            Some(env.with("each", Value::Object(each))),
                        ));
                    }
                }
                Some(_) => instances.push((base, None)),
                None => {
                    self.eval.error(
                        doc,
                        &format!("{src}/for_each"),
                        "for_each is neither a map nor a set".into(),
                    );
                    instances.push((base, None));
                }
            },
            // Not expanded, or an expansion that cannot be known: one item, as written.
            _ => instances.push((base, None)),
        }
        instances
    }

    /// Evaluates one resource into its instances.
    #[allow(clippy::too_many_arguments)]
    fn resource(
        &mut self,
        doc: &Document,
        file: usize,
        env: &Env,
        kind: &str,
        name: &str,
        body: &Json,
        src: &str,
    ) {
        let base = format!("{}{name}", self.prefix);
        let instances = self.expand(doc, env, (base, 1), body, src);
        let lines = &mut self.eval.output(file, doc).lines;
        let mut evaluated = Vec::with_capacity(instances.len());
        for (key, own) in instances {
            let env = own.as_ref().unwrap_or(env);
            let dst = pointer_push(&pointer_push("/resource", kind), &key);
            evaluated.push((key, env.tree(body, src, &dst, &doc.lines, lines).0));
        }
        let output = self.eval.output(file, doc);
        let types = output
            .resources
            .entry(kind.to_string())
            .or_insert_with(|| Json::Object(serde_json::Map::new()));
        if let Json::Object(map) = types {
            map.extend(evaluated);
        }
    }

    /// Whether `n` more instances, each worth `weight` resource instances, fit the limits; if
    /// not, the block is reported.
    fn admit(&mut self, doc: &Document, src: &str, n: usize, weight: usize) -> bool {
        let cost = n.saturating_mul(weight);
        let reason = if n > MAX_INSTANCES {
            format!("expands into {n} instances, over the limit of {MAX_INSTANCES} per block; evaluated once, as written")
        } else if self.eval.instances.saturating_add(cost) > MAX_TOTAL_INSTANCES {
            format!("expanding it would exceed the limit of {MAX_TOTAL_INSTANCES} resource instances in one scan; evaluated once, as written")
        } else {
            self.eval.instances += cost;
            return true;
        };
        self.eval.error(doc, src, reason);
        false
    }

    /// The known values of the module's `output` blocks.
    fn outputs(&self, documents: &[Document], files: &[usize], env: &Env) -> Map<String, Value> {
        let mut values = Map::new();
        for &file in files {
            let Some(Json::Object(outputs)) = documents[file].data.get("output") else {
                continue;
            };
            for (name, body) in outputs {
                if let Some(value) = body.get("value") {
                    if let Some(value) = known_value(env, value) {
                        if nodes(&value) <= MAX_VALUE_NODES {
                            values.insert(name.clone(), from_json(&value));
                        }
                    }
                }
            }
        }
        values
    }
}

/// The value of a JSON tree if every part of it is known.
fn known_value(env: &Env, value: &Json) -> Option<Json> {
    let mut scratch = LineMap::new();
    match env.tree(value, "", "", &LineMap::new(), &mut scratch) {
        (value, true) => Some(value),
        _ => None,
    }
}

/// Declares each resource type of the module as an object of its resources' literal
/// attributes (as written, or as evaluated in `evaluated`), so that `aws_s3_bucket.b.bucket`
/// reads a literal `bucket`. Resources expanded by `count` or `for_each` are left out (their
/// instances are not known here).
fn declare_literal_resources(
    env: &mut Env,
    documents: &[Document],
    files: &[usize],
    evaluated: Option<&Env>,
) {
    let mut types: Map<String, Value> = Map::new();
    for &file in files {
        let Some(Json::Object(kinds)) = documents[file].data.get("resource") else {
            continue;
        };
        for (kind, resources) in kinds {
            let Json::Object(resources) = resources else {
                continue;
            };
            let entry = types
                .entry(kind.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            for (name, body) in resources {
                if body.get("count").is_some() || body.get("for_each").is_some() {
                    continue;
                }
                let literal = match evaluated {
                    Some(env) => {
                        let mut scratch = LineMap::new();
                        literal_part(&env.tree(body, "", "", &LineMap::new(), &mut scratch).0)
                    }
                    None => literal_part(body),
                };
                if let (Value::Object(map), Some(literal)) = (&mut *entry, literal) {
                    if nodes(&literal) <= MAX_VALUE_NODES {
                        map.insert(name.clone(), from_json(&literal));
                    }
                }
            }
        }
    }
    for (kind, value) in types {
        env.declare(&kind, value, true);
    }
}

/// Whether a module source is a local directory (`./x`, `../x`), not a registry or VCS one.
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

/// `path.module` of a root-relative module directory.
fn module_path(dir: &str) -> String {
    if dir.is_empty() {
        ".".into()
    } else {
        dir.to_string()
    }
}

/// Sets the node at `pointer` (which must exist up to its parent) in `data`.
fn set_pointer(data: &mut serde_json::Map<String, Json>, pointer: &str, value: Json) {
    let mut tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some(last) = tokens.pop() else { return };
    let mut node: &mut Json = match tokens.first() {
        Some(first) => match data.get_mut(first) {
            Some(node) => node,
            None => return,
        },
        None => {
            data.insert(last, value);
            return;
        }
    };
    for token in tokens.iter().skip(1) {
        node = match node {
            Json::Object(map) => match map.get_mut(token) {
                Some(n) => n,
                None => return,
            },
            Json::Array(items) => {
                match token.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(n) => n,
                    None => return,
                }
            }
            _ => return,
        };
    }
    match node {
        Json::Object(map) => {
            map.insert(last, value);
        }
        Json::Array(items) => {
            if let Some(slot) = last.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = value;
            }
        }
        _ => {}
    }
}

impl Output {
    /// An output starting from the document's data, with the blocks that are not evaluated
    /// (`terraform`, `variable`, anything unknown) and their positions as they are.
    pub fn new(doc: &Document) -> Output {
        let mut lines = LineMap::new();
        if let Some(position) = doc.lines.position("") {
            lines.insert(String::new(), position);
        }
        let mut data = serde_json::Map::new();
        if let Json::Object(map) = &doc.data {
            for (key, value) in map {
                if key == "resource" {
                    continue;
                }
                copy_lines(value, &pointer_push("", key), &doc.lines, &mut lines);
                data.insert(key.clone(), value.clone());
            }
        }
        Output {
            data,
            resources: serde_json::Map::new(),
            lines,
            owner: None,
        }
    }
}

/// Copies the position of every node of `value` at `pointer` from `old` to `new`.
fn copy_lines(value: &Json, pointer: &str, old: &LineMap, new: &mut LineMap) {
    if let Some(position) = old.position(pointer) {
        new.insert(pointer.to_string(), position);
    }
    match value {
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                copy_lines(item, &pointer_push(pointer, &i.to_string()), old, new);
            }
        }
        Json::Object(map) => {
            for (key, item) in map {
                copy_lines(item, &pointer_push(pointer, key), old, new);
            }
        }
        _ => {}
    }
}
