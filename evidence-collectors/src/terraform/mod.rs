//! Terraform as Terraform means it: the documents of `*.tf` and `*.tf.json` files are
//! evaluated per module directory, so that controls see the values a plan would use.
//!
//! * Variables take their values from module inputs, else (root modules) `terraform.tfvars`,
//!   `*.auto.tfvars` (and their `.json` forms) and `--var-file`s in that order, else their
//!   defaults, converted to their `type` ([`types`]). Locals, templates, conditionals, `for` expressions and the functions of
//!   [`functions`] are evaluated with the `hcl` crate's evaluator.
//! * Override files (`override.tf`, `*_override.tf`) are merged into the blocks they
//!   override ([`overrides`]).
//! * `count` and `for_each` expand a resource into instances keyed by their address
//!   (`logs[0]`, `logs["a"]`); `dynamic` blocks become the blocks they stand for.
//! * A local module call (`source = "./modules/x"`) evaluates that directory with the call's
//!   inputs; its resources stay in their own files, keyed `module.NAME.name`. Root modules are
//!   the directories no other directory calls.
//! * What cannot be known statically stays as written (`"${var.x}"`, `"${aws_s3_bucket.b.id}"`).
//! * A `terraform show -json` plan gains a `resource` object of its planned resources
//!   ([`plan`]), located at their blocks when the configuration is in the scan (which then
//!   leaves them to the plan).
//!
//! The Kubernetes manifests of `kubernetes_*` resources ([`crate::terraform_kubernetes`])
//! are derived again from the evaluated files.
//!
//! Every resource keeps the position of its block. Limits (instances, module depth, value
//! sizes) are reported on the file and never abort the collection.

mod expr;
mod functions;
mod module;
mod overrides;
pub mod plan;
mod types;

/// Whether a string of an evaluated document still holds an expression: a value known only
/// after apply.
pub use expr::is_template;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::Value as Json;

use crate::collector::{Collection, SourceError};
use crate::document::{Document, Format};
use crate::lines::{pointer_push, LineMap};
use module::{is_local_source, Instance};

/// What the evaluation of one collection accumulates.
pub struct Evaluation {
    /// Module directory (root-relative, `""` for the root) → its `.tf`/`.tf.json` documents.
    modules: BTreeMap<String, Vec<usize>>,
    /// Module directory → its automatically loaded variable files, in loading order.
    tfvars: BTreeMap<String, Vec<usize>>,
    /// The values of the `--var-file`s, in order.
    var_files: Vec<serde_json::Map<String, Json>>,
    /// Document → its evaluated form.
    outputs: BTreeMap<usize, Output>,
    /// Where positions of evaluations that are not kept go.
    scratch: LineMap,
    /// Resource instances expanded so far.
    instances: usize,
    errors: Vec<SourceError>,
}

/// The evaluated form of one document.
pub struct Output {
    /// The top-level blocks other than `resource`.
    data: serde_json::Map<String, Json>,
    /// Resource type → instance key → evaluated body, over every instance of the module.
    resources: serde_json::Map<String, Json>,
    lines: LineMap,
    /// The address prefix of the module instance whose evaluation the non-resource blocks
    /// show (the first to evaluate the file).
    owner: Option<String>,
}

/// Evaluates the Terraform documents of `collection` in place; problems are added to its
/// errors. `var_files` are variable files named by the person running assay, read as given.
pub fn evaluate(collection: &mut Collection, var_files: &[PathBuf], max_file_size: u64) {
    let mut eval = Evaluation {
        modules: BTreeMap::new(),
        tfvars: BTreeMap::new(),
        var_files: Vec::new(),
        outputs: BTreeMap::new(),
        scratch: LineMap::new(),
        instances: 0,
        errors: Vec::new(),
    };
    for (i, doc) in collection.documents.iter().enumerate() {
        let (dir, name) = match doc.path.rsplit_once('/') {
            Some((dir, name)) => (dir, name),
            None => ("", &*doc.path),
        };
        let lower = name.to_ascii_lowercase();
        if is_module_file(&lower, doc.format) {
            eval.modules.entry(dir.to_string()).or_default().push(i);
        } else if is_tfvars(&lower) {
            eval.tfvars.entry(dir.to_string()).or_default().push(i);
        }
    }
    for files in eval.modules.values() {
        overrides::merge(&mut collection.documents, files);
    }
    let mut planned = Vec::new();
    for i in 0..collection.documents.len() {
        let doc = &collection.documents[i];
        if doc.format == Format::Json && plan::is_plan(&doc.data) {
            let declared = plan::declarations(doc, &collection.documents, &eval.modules);
            planned.extend(plan::add_resources(&mut collection.documents[i], &declared));
        }
    }
    if eval.modules.is_empty() {
        return;
    }
    for files in eval.tfvars.values_mut() {
        let docs = &collection.documents;
        files.sort_by_key(|&i| {
            let name = docs[i]
                .path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            (name.contains(".auto."), name)
        });
    }
    for path in var_files {
        match read_var_file(path, max_file_size) {
            Ok(values) => eval.var_files.push(values),
            Err(message) => eval.errors.push(SourceError {
                path: path.display().to_string(),
                position: None,
                message,
                hint: Some("pass a readable .tfvars or .tfvars.json file to --var-file".into()),
            }),
        }
    }

    let documents = &collection.documents;
    let called = called_modules(&eval.modules, documents);
    let roots: Vec<String> = eval
        .modules
        .keys()
        .filter(|dir| !called.contains(*dir))
        .cloned()
        .collect();
    for dir in roots {
        Instance {
            eval: &mut eval,
            dir,
            prefix: String::new(),
            inputs: None,
            stack: Vec::new(),
        }
        .run(documents);
    }

    let outputs = std::mem::take(&mut eval.outputs);
    for (i, output) in outputs {
        finish(&mut collection.documents[i], output);
        plan::remove_planned(&mut collection.documents[i], &planned);
    }
    kubernetes_views(collection, &eval.modules);
    collection.errors.append(&mut eval.errors);
    collection.sort();
}

impl Evaluation {
    fn output(&mut self, file: usize, doc: &Document) -> &mut Output {
        self.outputs.entry(file).or_insert_with(|| Output::new(doc))
    }

    /// The output of `file` when the module instance at `prefix` is the one whose
    /// non-resource blocks it shows.
    fn first_output(&mut self, file: usize, doc: &Document, prefix: &str) -> Option<&mut Output> {
        let output = self.output(file, doc);
        if output
            .owner
            .get_or_insert_with(|| prefix.to_string())
            .as_str()
            == prefix
        {
            Some(output)
        } else {
            None
        }
    }

    /// Where the positions of what the instance at `prefix` evaluates in `file` outside its
    /// resources go: the output when that instance shows the file's blocks, else nowhere kept.
    fn lines_for(&mut self, file: usize, doc: &Document, prefix: &str) -> &mut LineMap {
        if self.first_output(file, doc, prefix).is_some() {
            &mut self.output(file, doc).lines
        } else {
            &mut self.scratch
        }
    }

    fn error(&mut self, doc: &Document, pointer: &str, reason: String) {
        self.errors.push(SourceError {
            path: doc.path.to_string(),
            position: doc.lines.position(pointer),
            message: format!("terraform evaluation: {reason}"),
            hint: None,
        });
    }
}

/// Replaces the Kubernetes manifests the parser derived from the Terraform files of `modules`
/// (the documents numbered after a file's own) by those of the evaluated files, so that
/// `kubernetes_*` resources are judged with their variables and locals resolved and their
/// `count`/`for_each` instances expanded.
fn kubernetes_views(collection: &mut Collection, modules: &BTreeMap<String, Vec<usize>>) {
    let mut files = BTreeSet::new();
    let mut views = Vec::new();
    for &i in modules.values().flatten() {
        let doc = &collection.documents[i];
        files.insert(doc.path.clone());
        let manifests = crate::terraform_kubernetes::manifests(&doc.data, &doc.lines);
        for (n, (data, lines)) in manifests.into_iter().enumerate() {
            views.push(Document {
                kind: doc.kind,
                format: doc.format,
                path: doc.path.clone(),
                index: doc.index + 1 + n,
                data,
                lines,
                digest: doc.digest.clone(),
                suppressions: doc.suppressions.clone(),
            });
        }
    }
    collection
        .documents
        .retain(|d| d.index == 0 || !files.contains(&d.path));
    collection.documents.extend(views);
}

/// Replaces the document's data and positions by its evaluated form, keeping the order of
/// its top-level blocks.
fn finish(doc: &mut Document, mut output: Output) {
    let Json::Object(original) = std::mem::take(&mut doc.data) else {
        return;
    };
    let mut data = serde_json::Map::new();
    for (key, value) in original {
        if key == "resource" {
            if let Some(position) = doc.lines.position("/resource") {
                output.lines.insert("/resource".into(), position);
            }
            for kind in output.resources.keys() {
                let at = pointer_push("/resource", kind);
                if let Some(position) = doc.lines.position(&at) {
                    output.lines.insert(at, position);
                }
            }
            data.insert(key, Json::Object(std::mem::take(&mut output.resources)));
        } else {
            let value = output.data.remove(&key).unwrap_or(value);
            data.insert(key, value);
        }
    }
    doc.data = Json::Object(data);
    doc.lines = output.lines;
}

/// Whether a lower-cased file name is Terraform configuration.
fn is_module_file(name: &str, format: Format) -> bool {
    (name.ends_with(".tf") && format == Format::Hcl)
        || (name.ends_with(".tf.json") && format == Format::Json)
}

/// Whether a root-relative path is a file the Terraform evaluation of its directory reads
/// (`*.tf`, `*.tf.json`, and the variable files loaded by themselves).
pub fn is_module_part(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.ends_with(".tf") || name.ends_with(".tf.json") || is_tfvars(&name)
}

/// Whether a lower-cased file name is a variable file Terraform loads by itself.
fn is_tfvars(name: &str) -> bool {
    matches!(name, "terraform.tfvars" | "terraform.tfvars.json")
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json")
}

/// The module directories some module calls as a local module.
fn called_modules(
    modules: &BTreeMap<String, Vec<usize>>,
    documents: &[Document],
) -> BTreeSet<String> {
    let mut called = BTreeSet::new();
    for (dir, files) in modules {
        for &file in files {
            called.extend(local_calls(dir, &documents[file]));
        }
    }
    called
}

/// The root-relative directories the local module calls of a (not yet evaluated) Terraform
/// document in directory `dir` refer to, within the scan root and other than `dir`.
pub fn local_calls(dir: &str, doc: &Document) -> Vec<String> {
    let Some(Json::Object(calls)) = doc.data.get("module") else {
        return Vec::new();
    };
    calls
        .values()
        .filter_map(|body| body.get("source")?.as_str())
        .filter(|source| is_local_source(source))
        .filter_map(|source| {
            let joined = if dir.is_empty() {
                source.to_string()
            } else {
                format!("{dir}/{source}")
            };
            crate::confine::lexical(&joined).filter(|child| child != dir)
        })
        .collect()
}

/// The variable values of a `--var-file` (HCL, or JSON when its name ends in `.json`).
fn read_var_file(
    path: &std::path::Path,
    max: u64,
) -> Result<serde_json::Map<String, Json>, String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read the variable file `{shown}`: {}",
            crate::confine::os_reason(&e)
        )
    })?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "the variable file `{shown}` is larger than the {max}-byte limit"
        ));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| format!("the variable file `{shown}` is not UTF-8 text"))?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if json {
        crate::formats::json::parse(text)
    } else {
        crate::formats::hcl::parse(text)
    }
    .map_err(|e| {
        format!(
            "invalid variable file `{shown}` at line {}: {}",
            e.position.line, e.message
        )
    })?;
    match parsed.data {
        Json::Object(values) => Ok(values),
        _ => Err(format!(
            "the variable file `{shown}` does not assign variables"
        )),
    }
}

/// The Terraform address of the resource of type `kind` stored under `key`
/// (`module.a.logs[0]` → `module.a.aws_s3_bucket.logs[0]`).
pub fn address(kind: &str, key: &str) -> String {
    let mut rest = key;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after.find(['.', '[']).unwrap_or(after.len());
        let mut end = name_end;
        if after[name_end..].starts_with('[') {
            match index_end(&after[name_end..]) {
                Some(len) => end += len,
                None => break,
            }
        }
        match after[end..].strip_prefix('.') {
            Some(next) => rest = next,
            None => break,
        }
    }
    let prefix = &key[..key.len() - rest.len()];
    format!("{prefix}{kind}.{rest}")
}

/// The length of the `[..]` index at the start of `text` (quoted keys may hold `]`).
fn index_end(text: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The documents of `files` (path, text) parsed and evaluated as one scan.
    fn evaluated(files: &[(&str, &str)]) -> Collection {
        let mut collection = Collection::default();
        for (path, text) in files {
            let name = path.rsplit('/').next().unwrap();
            let format = Format::detect(name).unwrap();
            let parsed = crate::formats::parse(format, text).unwrap();
            for (index, p) in parsed.into_iter().enumerate() {
                collection.documents.push(Document {
                    kind: crate::document::EvidenceKind::Config,
                    format,
                    path: (*path).into(),
                    index,
                    data: p.data,
                    lines: p.lines,
                    digest: "".into(),
                    suppressions: Vec::new().into(),
                });
            }
        }
        collection.sort();
        evaluate(&mut collection, &[], u64::MAX);
        collection
    }

    #[test]
    fn addresses_put_the_type_after_the_module_path() {
        assert_eq!(address("aws_s3_bucket", "logs"), "aws_s3_bucket.logs");
        assert_eq!(
            address("aws_s3_bucket", "logs[\"a.b\"]"),
            "aws_s3_bucket.logs[\"a.b\"]"
        );
        assert_eq!(
            address("aws_s3_bucket", "module.a.module.b[\"x]\"].logs[0]"),
            "module.a.module.b[\"x]\"].aws_s3_bucket.logs[0]"
        );
    }

    #[test]
    fn functions_templates_and_positions() {
        let c = evaluated(&[
            (
                "main.tf",
                "locals {\n  n = 3\n}\nresource \"t\" \"r\" {\n  count = local.n - 1\n  a = format(\"%s=%.1f\", \"x\", 1.25)\n  b = join(\",\", [for s in [\"p\", \"q\"] : upper(s)])\n  c = \"%{ if count.index == 0 }first%{ else }other%{ endif }\"\n  d = replace(\"a-b-c\", \"/-/\", \"_\")\n  e = jsonencode({ k = [1] })\n}\n",
            ),
        ]);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let doc = &c.documents[0];
        assert_eq!(
            doc.data["resource"]["t"],
            json!({
                "r[0]": {"count": 2, "a": "x=1.2", "b": "P,Q", "c": "first", "d": "a_b_c", "e": "{\"k\":[1]}"},
                "r[1]": {"count": 2, "a": "x=1.2", "b": "P,Q", "c": "other", "d": "a_b_c", "e": "{\"k\":[1]}"}
            })
        );
        assert_eq!(doc.lines.line("/resource/t/r[1]"), Some(4));
        assert_eq!(doc.lines.line("/resource/t/r[1]/c"), Some(8));
        assert_eq!(doc.data["locals"], json!([{"n": 3}]));
    }

    #[test]
    fn tf_json_files_and_tfvars_json_join_the_module() {
        let c = evaluated(&[
            (
                "infra/main.tf.json",
                "{\"resource\": {\"t\": {\"r\": [{\"v\": \"${var.x}\"}]}}}",
            ),
            ("infra/vars.tf", "variable \"x\" {}\n"),
            ("infra/terraform.tfvars.json", "{\"x\": \"set\"}"),
        ]);
        let doc = c
            .documents
            .iter()
            .find(|d| &*d.path == "infra/main.tf.json")
            .unwrap();
        assert_eq!(doc.data["resource"]["t"]["r"]["v"], "set");
    }

    #[test]
    fn module_sources_are_confined_lexically() {
        assert_eq!(
            crate::confine::lexical("a/./b/../c").as_deref(),
            Some("a/c")
        );
        assert_eq!(crate::confine::lexical("a/.."), Some(String::new()));
        assert_eq!(crate::confine::lexical("a/../../b"), None);
        assert_eq!(crate::confine::lexical("/etc"), None);
    }
}
