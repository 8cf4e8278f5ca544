//! The access collector: an organisation's Cedar access model (policies, entities, an optional
//! schema and template links) gathered into one [`Document`] per model.
//!
//! The collector reads and checks the JSON files (entities, links, a JSON schema) and keeps
//! the Cedar texts as they are; the engine parses and validates them with Cedar, so that the
//! heavy Cedar crate stays out of this one.
//!
//! **Convention** (when `collectors.access` is not configured): every directory that holds
//! `*.cedar` policy files is one model. Beside the policies, in the same directory:
//! - entities: `entities.json` and `*.cedarentities.json` (Cedar entity JSON: an array);
//! - schema: one `*.cedarschema` (Cedar syntax) or `*.cedarschema.json` (JSON syntax);
//! - template links: `links.json` and `*.cedarlinks.json`, each an array of
//!   `{"template_id", "new_id", "values": {"?principal": "User::\"alice\""}}` (`link_id` and
//!   `args`, as the Cedar CLI writes them, are read too).
//!
//! **Configured**: `collectors: {access: {policies: [...], entities: [...], schema: ...,
//! links: [...]}}` in `assay.yaml` names the files (globs relative to the scan root) of one
//! model; a pattern that matches nothing is reported. Configured files are taken as named:
//! `--include` and `--exclude` narrow only the discovery by convention.
//!
//! The document's data:
//! `{"name", "policies": [{"path", "sha256", "text"}], "entities": [{"path", "sha256",
//! "entities": [...], "lines": [...]}], "schema": {"path", "sha256", "syntax", "text"},
//! "links": [{"path", "sha256", "links": [...], "lines": [...]}], "incomplete": [{"path",
//! "reason"}]}`, where `lines[i]` is the line of the i-th array element in its file and
//! `incomplete` lists the model's files that could not be read or parsed (each also reported
//! as a [`SourceError`]), so that a check never judges half a model as if it were whole.

use std::collections::BTreeMap;
use std::sync::Arc;

use globset::{Glob, GlobSetBuilder};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::collector::{Collection, Collector, Scope, SkippedFile, SourceError};
use crate::document::{Document, EvidenceKind, Format};
use crate::formats::json;
use crate::lines::LineMap;

/// Collects Cedar access models.
pub struct AccessCollector;

/// `collectors.access` in `assay.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    policies: Vec<String>,
    #[serde(default)]
    entities: Vec<String>,
    schema: Option<String>,
    #[serde(default)]
    links: Vec<String>,
}

/// What a file contributes to a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Policies,
    Entities,
    Schema(SchemaSyntax),
    Links,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SchemaSyntax {
    Cedar,
    Json,
}

impl SchemaSyntax {
    fn of(name: &str) -> SchemaSyntax {
        if name.ends_with(".json") {
            SchemaSyntax::Json
        } else {
            SchemaSyntax::Cedar
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            SchemaSyntax::Cedar => "cedar",
            SchemaSyntax::Json => "json",
        }
    }
}

/// The role a file plays by the naming convention.
fn role_of(file_name: &str) -> Option<Role> {
    if file_name.ends_with(".cedar") {
        Some(Role::Policies)
    } else if file_name == "entities.json" || file_name.ends_with(".cedarentities.json") {
        Some(Role::Entities)
    } else if file_name.ends_with(".cedarschema") || file_name.ends_with(".cedarschema.json") {
        Some(Role::Schema(SchemaSyntax::of(file_name)))
    } else if file_name == "links.json" || file_name.ends_with(".cedarlinks.json") {
        Some(Role::Links)
    } else {
        None
    }
}

/// The files of one model, by root-relative path.
#[derive(Debug)]
struct Plan {
    name: String,
    files: Vec<(Role, String)>,
    /// Parts known to be missing before any file is read: (pattern, reason).
    missing: Vec<(String, String)>,
}

/// The bytes of one file, or why there are none.
enum Content {
    Bytes(Vec<u8>),
    Skipped(String),
    Unreadable(String),
}

impl Collector for AccessCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Access
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        scope.root_dir()?;
        let mut collection = Collection::default();
        let plans = match scope.settings_of(EvidenceKind::Access) {
            Some(value) => {
                let (plan, errors) = configured_plan(scope, value);
                collection.errors = errors;
                plan.into_iter().collect()
            }
            None => {
                let paths =
                    scope.files(&|path| scope.admits(path) && role_of(file_name(path)).is_some());
                convention_plans(&paths)
            }
        };
        let read = |path: &str| read_file(scope, path);
        collection.extend(build_all(&plans, &read));
        collection.sort();
        Ok(collection)
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// One model per directory holding policy files.
fn convention_plans(paths: &[String]) -> Vec<Plan> {
    let mut by_dir: BTreeMap<&str, Vec<(Role, String)>> = BTreeMap::new();
    for path in paths {
        if let Some(role) = role_of(file_name(path)) {
            by_dir
                .entry(parent_dir(path))
                .or_default()
                .push((role, path.clone()));
        }
    }
    by_dir
        .into_iter()
        .filter(|(_, files)| files.iter().any(|(role, _)| *role == Role::Policies))
        .map(|(dir, files)| Plan {
            name: if dir.is_empty() {
                "./".to_string()
            } else {
                format!("{dir}/")
            },
            files,
            missing: Vec::new(),
        })
        .collect()
}

/// The one model named by `collectors.access`, with the problems of its settings.
fn configured_plan(scope: &Scope, value: &Value) -> (Option<Plan>, Vec<SourceError>) {
    let settings: Settings = match serde_json::from_value(value.clone()) {
        Ok(s) => s,
        Err(e) => {
            let error = setting_error("collectors.access", format!("invalid settings: {e}"));
            return (None, vec![error]);
        }
    };
    let groups: [(&str, Vec<&String>, Option<Role>); 4] = [
        (
            "policies",
            settings.policies.iter().collect(),
            Some(Role::Policies),
        ),
        (
            "entities",
            settings.entities.iter().collect(),
            Some(Role::Entities),
        ),
        ("schema", settings.schema.iter().collect(), None),
        ("links", settings.links.iter().collect(), Some(Role::Links)),
    ];
    let mut errors = Vec::new();
    let mut patterns = Vec::new();
    for (key, globs, role) in groups {
        for pattern in globs {
            match Glob::new(pattern) {
                Ok(glob) => patterns.push((key, pattern.as_str(), glob, role)),
                Err(e) => errors.push(setting_error(
                    &format!("collectors.access.{key}"),
                    format!("invalid glob `{pattern}`: {}", e.kind()),
                )),
            }
        }
    }
    if !errors.is_empty() {
        return (None, errors);
    }
    let mut builder = GlobSetBuilder::new();
    for (_, _, glob, _) in &patterns {
        builder.add(glob.clone());
    }
    let set = match builder.build() {
        Ok(set) => set,
        Err(e) => {
            return (
                None,
                vec![setting_error("collectors.access", e.to_string())],
            )
        }
    };
    let paths = scope.files(&|path| set.is_match(path));
    let mut plan = Plan {
        name: "collectors.access".into(),
        files: Vec::new(),
        missing: Vec::new(),
    };
    for (key, pattern, glob, role) in &patterns {
        let matcher = glob.compile_matcher();
        let matched: Vec<&String> = paths.iter().filter(|p| matcher.is_match(p)).collect();
        if matched.is_empty() {
            let reason = format!("no file under the scan root matches `{pattern}`");
            errors.push(setting_error(
                &format!("collectors.access.{key}"),
                reason.clone(),
            ));
            plan.missing.push((pattern.to_string(), reason));
        }
        for path in matched {
            let role = role.unwrap_or(Role::Schema(SchemaSyntax::of(path)));
            if !plan.files.iter().any(|(_, p)| p == path) {
                plan.files.push((role, path.clone()));
            }
        }
    }
    (Some(plan), errors)
}

fn setting_error(key: &str, message: String) -> SourceError {
    SourceError {
        path: "assay.yaml".into(),
        position: None,
        message: format!("`{key}`: {message}"),
        hint: Some(
            "name the access model's files with globs relative to the scan root, e.g. \
             `policies: [\"access/*.cedar\"]`"
                .into(),
        ),
    }
}

fn read_file(scope: &Scope, path: &str) -> Content {
    match scope.read(path) {
        Ok(bytes) => Content::Bytes(bytes),
        Err(reason) if reason.is_skip() => Content::Skipped(reason.to_string()),
        Err(reason) => Content::Unreadable(format!("cannot read file: {reason}")),
    }
}

/// Builds every planned model, in parallel.
fn build_all(plans: &[Plan], read: &(dyn Fn(&str) -> Content + Sync)) -> Collection {
    plans
        .par_iter()
        .map(|plan| build(plan, read))
        .collect::<Vec<_>>()
        .into_iter()
        .fold(Collection::default(), |mut all, one| {
            all.extend(one);
            all
        })
}

/// The parts of a model as they are read.
#[derive(Default)]
struct Parts {
    policies: Vec<Value>,
    entities: Vec<Value>,
    schema: Option<(String, Value)>,
    links: Vec<Value>,
    incomplete: Vec<Value>,
    /// (path, sha256) of every file read.
    digests: Vec<(String, String)>,
}

impl Parts {
    fn incomplete(&mut self, path: &str, reason: &str) {
        self.incomplete
            .push(json!({"path": path, "reason": reason}));
    }
}

fn build(plan: &Plan, read: &dyn Fn(&str) -> Content) -> Collection {
    let mut collection = Collection::default();
    let mut parts = Parts::default();
    for (pattern, reason) in &plan.missing {
        parts.incomplete(pattern, reason);
    }
    let mut files = plan.files.clone();
    files.sort_by(|a, b| a.1.cmp(&b.1));
    for (role, path) in &files {
        let bytes = match read(path) {
            Content::Bytes(bytes) => bytes,
            Content::Skipped(reason) => {
                parts.incomplete(path, &reason);
                collection.skipped.push(SkippedFile {
                    path: path.clone(),
                    reason,
                });
                continue;
            }
            Content::Unreadable(message) => {
                parts.incomplete(path, &message);
                collection.errors.push(SourceError {
                    path: path.clone(),
                    position: None,
                    message,
                    hint: Some("check the file's permissions".into()),
                });
                continue;
            }
        };
        let sha256 = hex::encode(Sha256::digest(&bytes));
        match add_file(&mut parts, *role, path, &bytes, &sha256) {
            Ok(()) => parts.digests.push((path.clone(), sha256)),
            Err(error) => {
                parts.incomplete(path, &error.message);
                collection.errors.push(error);
            }
        }
    }
    let Some(first_policy) = files
        .iter()
        .find(|(role, _)| *role == Role::Policies)
        .map(|(_, path)| path.clone())
    else {
        return collection;
    };
    let mut hasher = Sha256::new();
    for (path, sha256) in &parts.digests {
        hasher.update(format!("{sha256}  {path}\n"));
    }
    let mut data = json!({
        "name": plan.name,
        "policies": parts.policies,
        "entities": parts.entities,
        "links": parts.links,
        "incomplete": parts.incomplete,
    });
    if let Some((_, schema)) = parts.schema {
        data["schema"] = schema;
    }
    collection.documents.push(Document {
        kind: EvidenceKind::Access,
        format: Format::Cedar,
        path: Arc::from(first_policy),
        index: 0,
        data,
        lines: LineMap::new(),
        digest: Arc::from(hex::encode(hasher.finalize())),
        suppressions: Arc::default(),
    });
    collection
}

/// Adds one file's content to the model, or says why it cannot be used.
fn add_file(
    parts: &mut Parts,
    role: Role,
    path: &str,
    bytes: &[u8],
    sha256: &str,
) -> Result<(), SourceError> {
    let error = |position, message: String, hint: &str| SourceError {
        path: path.to_string(),
        position,
        message,
        hint: Some(hint.to_string()),
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        error(
            None,
            format!("not UTF-8 text: {e}"),
            "save the file as UTF-8",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match role {
        Role::Policies => {
            parts
                .policies
                .push(json!({"path": path, "sha256": sha256, "text": text}));
        }
        Role::Schema(syntax) => {
            if let Some((other, _)) = &parts.schema {
                return Err(error(
                    None,
                    format!("a second schema for the access model (`{other}` is the first)"),
                    "keep one schema per access model: merge the files or move one away",
                ));
            }
            if syntax == SchemaSyntax::Json {
                json::parse(text).map_err(|e| {
                    error(
                        Some(e.position),
                        format!("invalid JSON: {}", e.message),
                        "fix the syntax of the Cedar JSON schema",
                    )
                })?;
            }
            let schema =
                json!({"path": path, "sha256": sha256, "syntax": syntax.as_str(), "text": text});
            parts.schema = Some((path.to_string(), schema));
        }
        Role::Entities | Role::Links => {
            let (key, what) = match role {
                Role::Entities => ("entities", "Cedar entities `[{\"uid\": {\"type\": \"User\", \"id\": \"alice\"}, \"attrs\": {}, \"parents\": []}]`"),
                _ => ("links", "template links `[{\"template_id\": \"…\", \"new_id\": \"…\", \"values\": {\"?principal\": \"User::\\\"alice\\\"\"}}]`"),
            };
            let hint = format!("the file holds a JSON array of {what}");
            let parsed = json::parse(text).map_err(|e| {
                error(
                    Some(e.position),
                    format!("invalid JSON: {}", e.message),
                    &hint,
                )
            })?;
            let Value::Array(items) = parsed.data else {
                return Err(error(
                    parsed.lines.position(""),
                    format!("expected a JSON array of {key}"),
                    &hint,
                ));
            };
            let lines: Vec<u32> = (0..items.len())
                .map(|i| parsed.lines.line(&format!("/{i}")).unwrap_or(1))
                .collect();
            let entry = json!({"path": path, "sha256": sha256, key: items, "lines": lines});
            match role {
                Role::Entities => parts.entities.push(entry),
                _ => parts.links.push(entry),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::Position;
    use std::path::Path;

    fn write(root: &Path, path: &str, text: &str) {
        let target = root.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    }

    const ENTITIES: &str = "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"}, \"attrs\": {}, \"parents\": []},\n  {\"uid\": {\"type\": \"User\", \"id\": \"b\"}, \"attrs\": {}, \"parents\": []}\n]\n";

    #[test]
    fn one_model_per_directory_with_policies() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "access/b.cedar",
            "permit(principal, action, resource);\n",
        );
        write(
            root,
            "access/a.cedar",
            "forbid(principal, action, resource);\n",
        );
        write(root, "access/entities.json", ENTITIES);
        write(root, "access/org.cedarschema", "entity User;\n");
        write(root, "access/grants.cedarlinks.json", "[]");
        write(root, "lonely/entities.json", ENTITIES);
        write(root, "root.cedar", "permit(principal, action, resource);\n");

        let c = AccessCollector.collect(&Scope::new(root)).unwrap();
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let names: Vec<&str> = c
            .documents
            .iter()
            .map(|d| d.data["name"].as_str().unwrap())
            .collect();
        // Sorted by the path of their first policy file.
        assert_eq!(names, ["access/", "./"]);
        let model = &c.documents[0];
        assert_eq!(model.kind, EvidenceKind::Access);
        assert_eq!(model.format, Format::Cedar);
        assert_eq!(&*model.path, "access/a.cedar");
        let paths = |key: &str| -> Vec<String> {
            model.data[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["path"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(paths("policies"), ["access/a.cedar", "access/b.cedar"]);
        assert_eq!(paths("entities"), ["access/entities.json"]);
        assert_eq!(paths("links"), ["access/grants.cedarlinks.json"]);
        assert_eq!(model.data["entities"][0]["lines"], json!([2, 3]));
        assert_eq!(model.data["schema"]["syntax"], "cedar");
        assert_eq!(model.data["incomplete"], json!([]));
        assert_eq!(
            model.data["policies"][1]["sha256"],
            hex::encode(Sha256::digest(b"permit(principal, action, resource);\n"))
        );
    }

    #[test]
    fn unreadable_parts_are_errors_and_mark_the_model_incomplete() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "p.cedar", "permit(principal, action, resource);\n");
        write(root, "entities.json", "[\n  {\"uid\": }\n]\n");
        write(root, "one.cedarschema", "entity User;\n");
        write(root, "two.cedarschema.json", "{}");
        write(root, "links.json", "{\"not\": \"an array\"}");

        let c = AccessCollector.collect(&Scope::new(root)).unwrap();
        let errors: Vec<(&str, Option<Position>)> = c
            .errors
            .iter()
            .map(|e| (e.path.as_str(), e.position))
            .collect();
        assert_eq!(
            errors,
            [
                ("entities.json", Some(Position::new(2, 11))),
                ("links.json", Some(Position::new(1, 1))),
                ("two.cedarschema.json", None),
            ]
        );
        assert!(c.errors[1]
            .message
            .contains("expected a JSON array of links"));
        assert!(c.errors[2].message.contains("second schema"));
        let incomplete: Vec<&str> = c.documents[0].data["incomplete"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            incomplete,
            ["entities.json", "links.json", "two.cedarschema.json"]
        );
    }

    #[test]
    fn configured_files_form_one_model() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "policy/prod.cedar",
            "permit(principal, action, resource);\n",
        );
        write(root, "policy/extra.txt", "not a policy");
        write(root, "data/users.json", ENTITIES);
        write(
            root,
            "data/schema.json",
            "{\"\": {\"entityTypes\": {}, \"actions\": {}}}",
        );
        let mut scope = Scope::new(root);
        scope.settings.insert(
            "access".into(),
            json!({
                "policies": ["policy/*.cedar"],
                "entities": ["data/users.json", "data/groups.json"],
                "schema": "data/schema.json",
            }),
        );

        let c = AccessCollector.collect(&scope).unwrap();
        assert_eq!(c.documents.len(), 1);
        let model = &c.documents[0].data;
        assert_eq!(model["name"], "collectors.access");
        assert_eq!(model["entities"][0]["path"], "data/users.json");
        assert_eq!(model["schema"]["syntax"], "json");
        assert_eq!(c.errors.len(), 1);
        assert!(c.errors[0]
            .message
            .contains("no file under the scan root matches `data/groups.json`"));
        assert_eq!(model["incomplete"][0]["path"], "data/groups.json");
    }
}
