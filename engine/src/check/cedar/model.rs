//! An access model compiled with Cedar from an `access` document: the policy set (static
//! policies, templates and their links), the entities, the optional schema, and where each
//! policy and entity is written, so that answers can point at file:line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use assay_collectors::limits::{bracket_depth_over, too_deep, MAX_DEPTH};
use assay_collectors::{Document, LineIndex, Position};
use cedar_policy::{
    Entities, EntityId, EntityTypeName, EntityUid, Policy, PolicyId, PolicySet, Schema, SlotId,
    Template,
};
use miette::Diagnostic;
use serde_json::Value;

/// A place in a file of the access model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    pub path: String,
    pub position: Option<Position>,
}

impl Site {
    fn new(path: &str, position: Option<Position>) -> Site {
        Site {
            path: path.to_string(),
            position,
        }
    }

    /// `path:line:column`, `path:line` or `path`, as far as known.
    pub fn display(&self) -> String {
        match self.position {
            Some(p) => format!("{}:{}:{}", self.path, p.line, p.column),
            None => self.path.clone(),
        }
    }
}

/// Something wrong with the model itself: it does not parse, link or validate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub site: Site,
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    /// `path:line:column: message (hint)`.
    pub fn display(&self) -> String {
        match &self.hint {
            Some(hint) => format!("{}: {} ({hint})", self.site.display(), self.message),
            None => format!("{}: {}", self.site.display(), self.message),
        }
    }
}

/// A policy of the set: the name findings use and where it is written.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    /// The `@id` annotation; `link:<id>` for a template link; else Cedar's id (`policy0`).
    pub name: String,
    pub site: Site,
    /// Index of the policy file whose text Cedar's source offsets for this policy refer to.
    source: usize,
}

/// The schema and the entities as read against it.
#[derive(Debug)]
struct SchemaPart {
    schema: Schema,
    /// The entities parsed against the schema, or why they do not conform.
    entities: Result<Entities, Problem>,
}

/// A parsed and linked access model.
#[derive(Debug)]
pub struct AccessModel {
    /// The model's name (its directory, or `collectors.access`).
    pub name: String,
    /// The first policy file, where findings about the whole model point.
    pub path: String,
    texts: Vec<(String, String)>,
    policies: PolicySet,
    info: HashMap<PolicyId, PolicyInfo>,
    entities: Entities,
    entity_sites: HashMap<EntityUid, Site>,
    schema: Option<SchemaPart>,
}

impl AccessModel {
    /// Compiles the model of an `access` document; every problem found is returned at once.
    pub fn build(doc: &Document) -> Result<AccessModel, Vec<Problem>> {
        let data = &doc.data;
        let mut problems = Vec::new();
        for gap in array(data, "incomplete") {
            let path = str_field(gap, "path");
            problems.push(Problem {
                site: Site::new(path, None),
                message: format!(
                    "the access model is incomplete: `{path}` {}",
                    str_field(gap, "reason")
                ),
                hint: Some(
                    "fix the file (see the scan's errors) so the whole model is read".into(),
                ),
            });
        }
        let texts: Vec<(String, String)> = array(data, "policies")
            .iter()
            .map(|p| {
                (
                    str_field(p, "path").to_string(),
                    str_field(p, "text").to_string(),
                )
            })
            .collect();
        let (mut policies, mut info) = parse_policies(&texts, &mut problems);
        for file in array(data, "links") {
            link(file, &mut policies, &mut info, &mut problems);
        }
        let entity_files = array(data, "entities");
        let entities = parse_entities(entity_files, None).map_err(|p| problems.push(p));
        let schema = data
            .get("schema")
            .and_then(|s| parse_schema(s).map_err(|p| problems.extend(p)).ok());
        match entities {
            Ok(entities) if problems.is_empty() => {
                let schema = schema.map(|schema| SchemaPart {
                    entities: parse_entities(entity_files, Some(&schema)),
                    schema,
                });
                Ok(AccessModel {
                    name: str_field(data, "name").to_string(),
                    path: doc.path.to_string(),
                    texts,
                    policies,
                    info,
                    entity_sites: entity_sites(entity_files),
                    entities,
                    schema,
                })
            }
            _ => {
                problems.sort();
                problems.dedup();
                Err(problems)
            }
        }
    }

    /// The compiled policy set, template links included.
    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    /// The name and site of a policy of the set.
    pub fn policy(&self, id: &PolicyId) -> Option<&PolicyInfo> {
        self.info.get(id)
    }

    /// The name of a policy (its `@id`, `link:<id>`, or Cedar's id).
    pub fn policy_name(&self, id: &PolicyId) -> String {
        self.info
            .get(id)
            .map_or_else(|| id.to_string(), |i| i.name.clone())
    }

    /// The schema, when the model has one.
    pub fn schema(&self) -> Option<&Schema> {
        self.schema.as_ref().map(|s| &s.schema)
    }

    /// The entities: read against the schema when `use_schema` and the model has one. `Err`
    /// holds why the entities do not conform to the schema, and where.
    pub fn entities(&self, use_schema: bool) -> Result<&Entities, &Problem> {
        match &self.schema {
            Some(part) if use_schema => part.entities.as_ref(),
            _ => Ok(&self.entities),
        }
    }

    /// Where an entity is defined, when it is in the entity files.
    pub fn entity_site(&self, uid: &EntityUid) -> Option<&Site> {
        self.entity_sites.get(uid)
    }

    /// The entities of type `principal_type`, sorted.
    pub fn principals(&self, principal_type: &EntityTypeName) -> Vec<EntityUid> {
        let mut out: Vec<EntityUid> = self
            .entities
            .iter()
            .map(|e| e.uid())
            .filter(|uid| uid.type_name() == principal_type)
            .collect();
        out.sort();
        out
    }

    /// Strict validation of the policies against the schema (nothing without a schema): every
    /// error, named by policy and located in its file, sorted.
    pub fn validate(&self) -> Vec<ValidationIssue> {
        let Some(schema) = self.schema() else {
            return Vec::new();
        };
        let validator = cedar_policy::Validator::new(schema.clone());
        let result = validator.validate(&self.policies, cedar_policy::ValidationMode::Strict);
        let mut issues: Vec<ValidationIssue> = result
            .validation_errors()
            .map(|error| {
                let id = error.policy_id();
                let info = self.info.get(id);
                let site = match info {
                    Some(info) => {
                        let offset = first_offset(error);
                        let text = &self.texts[info.source].1;
                        match offset {
                            Some(offset) => Site::new(
                                &self.texts[info.source].0,
                                Some(LineIndex::new(text).position(offset)),
                            ),
                            None => info.site.clone(),
                        }
                    }
                    None => Site::new(&self.path, None),
                };
                ValidationIssue {
                    policy: self.policy_name(id),
                    site,
                    message: error.to_string(),
                    hint: help(error),
                }
            })
            .collect();
        issues.sort_by(|a, b| (&a.policy, &a.message).cmp(&(&b.policy, &b.message)));
        issues
    }
}

/// One error of Cedar's validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationIssue {
    /// The name of the policy (see [`PolicyInfo::name`]).
    pub policy: String,
    pub site: Site,
    pub message: String,
    /// Cedar's help, when it has some (e.g. the attribute that was probably meant).
    pub hint: Option<String>,
}

/// The sha256 of every file of an access document, sorted.
pub fn file_digests(data: &Value) -> Vec<String> {
    let mut digests: Vec<String> = ["policies", "entities", "links"]
        .into_iter()
        .flat_map(|key| array(data, key))
        .chain(data.get("schema"))
        .map(|f| str_field(f, "sha256").to_string())
        .collect();
    digests.sort();
    digests.dedup();
    digests
}

fn array<'v>(data: &'v Value, key: &str) -> &'v [Value] {
    data.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn str_field<'v>(value: &'v Value, key: &str) -> &'v str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The byte offset of a diagnostic's first label, if it has one.
fn first_offset(diagnostic: &dyn Diagnostic) -> Option<usize> {
    diagnostic.labels()?.next().map(|label| label.offset())
}

/// An error's message followed by its causes: Cedar's entity errors say what is wrong only
/// in their causes (`entity does not conform to the schema: in attribute …`).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = c.source();
    }
    message
}

fn help(diagnostic: &dyn Diagnostic) -> Option<String> {
    diagnostic.help().map(|h| h.to_string())
}

/// A statement of a policy file: a static policy or a template.
enum Statement {
    Policy(Policy),
    Template(Template),
}

impl Statement {
    fn text(&self) -> String {
        match self {
            Statement::Policy(p) => p.to_cedar().unwrap_or_default(),
            Statement::Template(t) => t.to_cedar(),
        }
    }

    fn annotation(&self, key: &str) -> Option<&str> {
        match self {
            Statement::Policy(p) => p.annotation(key),
            Statement::Template(t) => t.annotation(key),
        }
    }
}

/// Cedar numbers the statements of a text `policy0`, `policy1`, …
fn statement_number(id: &PolicyId) -> usize {
    id.to_string()
        .strip_prefix("policy")
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

/// Parses every policy file into one set. Statements keep Cedar's ids (`policy0`, …), numbered
/// across the files in path order as if they were one text.
fn parse_policies(
    texts: &[(String, String)],
    problems: &mut Vec<Problem>,
) -> (PolicySet, HashMap<PolicyId, PolicyInfo>) {
    let mut set = PolicySet::new();
    let mut info = HashMap::new();
    let mut next = 0usize;
    for (source, (path, text)) in texts.iter().enumerate() {
        // Cedar's parser recurses once per nesting level (several frames per parenthesis).
        if let Some(at) = bracket_depth_over(text, b"([{", b")]}", MAX_DEPTH, true) {
            problems.push(Problem {
                site: Site::new(path, Some(LineIndex::new(text).position(at))),
                message: format!("the policy text is {}", too_deep()),
                hint: Some("split the condition into several `when` clauses or policies".into()),
            });
            continue;
        }
        let parsed = match PolicySet::from_str(text) {
            Ok(parsed) => parsed,
            Err(errors) => {
                let mut index = LineIndex::new(text);
                for error in errors.iter() {
                    problems.push(Problem {
                        site: Site::new(path, first_offset(error).map(|o| index.position(o))),
                        message: error.to_string(),
                        hint: help(error),
                    });
                }
                continue;
            }
        };
        let mut statements: Vec<(usize, Statement)> = parsed
            .policies()
            .map(|p| (statement_number(p.id()), Statement::Policy(p.clone())))
            .chain(
                parsed
                    .templates()
                    .map(|t| (statement_number(t.id()), Statement::Template(t.clone()))),
            )
            .collect();
        statements.sort_by_key(|(n, _)| *n);
        let mut index = LineIndex::new(text);
        let mut cursor = 0;
        for (_, statement) in statements {
            let body = statement.text();
            // Cedar gives back each statement's own text; it is found in order in the file.
            let offset = match text[cursor..].find(&body) {
                Some(at) => {
                    cursor += at + body.len();
                    cursor - body.len()
                }
                None => cursor,
            };
            let id = PolicyId::new(format!("policy{next}"));
            next += 1;
            let name = statement
                .annotation("id")
                .map_or_else(|| id.to_string(), str::to_string);
            info.insert(
                id.clone(),
                PolicyInfo {
                    name,
                    site: Site::new(path, Some(index.position(offset))),
                    source,
                },
            );
            let added = match statement {
                Statement::Policy(p) => set.add(p.new_id(id)),
                Statement::Template(t) => set.add_template(t.new_id(id)),
            };
            if let Err(e) = added {
                problems.push(Problem {
                    site: Site::new(path, Some(index.position(offset))),
                    message: e.to_string(),
                    hint: None,
                });
            }
        }
    }
    (set, info)
}

/// Links the templates of `set` as one links file says.
fn link(
    file: &Value,
    set: &mut PolicySet,
    info: &mut HashMap<PolicyId, PolicyInfo>,
    problems: &mut Vec<Problem>,
) {
    let path = str_field(file, "path");
    let lines = array(file, "lines");
    for (i, entry) in array(file, "links").iter().enumerate() {
        let line = lines.get(i).and_then(Value::as_u64).unwrap_or(1);
        let site = Site::new(path, Some(Position::new(line as u32, 1)));
        if let Err(message) = link_one(entry, set, info, &site) {
            problems.push(Problem {
                site,
                message,
                hint: Some(
                    "a link is `{\"template_id\": \"<@id of a template>\", \"new_id\": \"<id>\", \
                     \"values\": {\"?principal\": \"User::\\\"alice\\\"\"}}`"
                        .into(),
                ),
            });
        }
    }
}

fn link_one(
    entry: &Value,
    set: &mut PolicySet,
    info: &mut HashMap<PolicyId, PolicyInfo>,
    site: &Site,
) -> Result<(), String> {
    let field = |keys: [&str; 2]| keys.iter().find_map(|k| entry.get(*k));
    let template_ref = entry
        .get("template_id")
        .and_then(Value::as_str)
        .ok_or("a link needs a `template_id`")?;
    let new_id = field(["new_id", "link_id"])
        .and_then(Value::as_str)
        .ok_or("a link needs a `new_id`")?;
    let values = field(["values", "args"])
        .and_then(Value::as_object)
        .ok_or("a link needs `values` for the template's slots")?;
    let template = set
        .templates()
        .find(|t| t.annotation("id") == Some(template_ref) || t.id().to_string() == template_ref)
        .map(|t| t.id().clone())
        .ok_or_else(|| format!("no template has the id `{template_ref}`"))?;
    let mut slots = HashMap::new();
    for (key, value) in values {
        let slot = match key.as_str() {
            "?principal" => SlotId::principal(),
            "?resource" => SlotId::resource(),
            other => {
                return Err(format!(
                    "unknown slot `{other}` (`?principal` or `?resource`)"
                ))
            }
        };
        let uid = uid_from_json(value).ok_or_else(|| {
            format!("the value of `{key}` is not an entity such as `User::\"alice\"`")
        })?;
        slots.insert(slot, uid);
    }
    let id = PolicyId::new(new_id);
    set.link(template.clone(), id.clone(), slots)
        .map_err(|e| e.to_string())?;
    let source = info.get(&template).map_or(0, |t| t.source);
    info.insert(
        id,
        PolicyInfo {
            name: format!("link:{new_id}"),
            site: site.clone(),
            source,
        },
    );
    Ok(())
}

/// An entity uid written as `Type::"id"`, `{"type", "id"}` or `{"__entity": {"type", "id"}}`.
pub fn uid_from_json(value: &Value) -> Option<EntityUid> {
    match value {
        Value::String(s) => EntityUid::from_str(s).ok(),
        Value::Object(o) => {
            let inner = o.get("__entity").unwrap_or(value);
            let type_name = EntityTypeName::from_str(inner.get("type")?.as_str()?).ok()?;
            let id = EntityId::new(inner.get("id")?.as_str()?);
            Some(EntityUid::from_type_name_and_id(type_name, id))
        }
        _ => None,
    }
}

/// Parses the entities of every entity file as one set. On failure, the problem is located
/// at the first entity that fails alone (or the first file that fails alone).
fn parse_entities(files: &[Value], schema: Option<&Schema>) -> Result<Entities, Problem> {
    if let Some(uid) = hierarchy_too_deep(files) {
        let site = entity_sites(files)
            .remove(&uid)
            .unwrap_or_else(|| Site::new(files.first().map_or("", |f| str_field(f, "path")), None));
        return Err(Problem {
            site,
            message: format!(
                "the parents of `{uid}` form a chain longer than {MAX_DEPTH} (the nesting limit)"
            ),
            hint: Some("flatten the group hierarchy".into()),
        });
    }
    let all: Vec<Value> = files
        .iter()
        .flat_map(|f| array(f, "entities").iter().cloned())
        .collect();
    let error = match Entities::from_json_value(Value::Array(all), schema) {
        Ok(entities) => return Ok(entities),
        Err(e) => e,
    };
    let hint = help(&error);
    for file in files {
        let path = str_field(file, "path");
        let lines = array(file, "lines");
        for (i, entity) in array(file, "entities").iter().enumerate() {
            if let Err(e) = Entities::from_json_value(Value::Array(vec![entity.clone()]), schema) {
                let line = lines.get(i).and_then(Value::as_u64).unwrap_or(1) as u32;
                return Err(Problem {
                    site: Site::new(path, Some(Position::new(line, 1))),
                    message: with_causes(&e),
                    hint: help(&e),
                });
            }
        }
    }
    let path = files.first().map_or("", |f| str_field(f, "path"));
    Err(Problem {
        site: Site::new(path, None),
        message: with_causes(&error),
        hint,
    })
}

/// An entity whose chain of parents is longer than [`MAX_DEPTH`], if any: Cedar computes the
/// transitive closure of the hierarchy recursively and in memory quadratic in its depth.
fn hierarchy_too_deep(files: &[Value]) -> Option<EntityUid> {
    let mut parents: HashMap<EntityUid, Vec<EntityUid>> = HashMap::new();
    for file in files {
        for entity in array(file, "entities") {
            let inner = entity.get("__entity").unwrap_or(entity);
            if let Some(uid) = inner.get("uid").and_then(uid_from_json) {
                let of = inner.get("parents").and_then(Value::as_array);
                parents
                    .entry(uid)
                    .or_default()
                    .extend(of.into_iter().flatten().filter_map(uid_from_json));
            }
        }
    }
    // Longest chain above each entity, by an explicit depth-first walk (cycles are left to
    // Cedar, which reports them).
    let mut depth: HashMap<&EntityUid, usize> = HashMap::new();
    for start in parents.keys() {
        let mut stack: Vec<(&EntityUid, usize)> = vec![(start, 0)];
        let mut on_path: HashSet<&EntityUid> = HashSet::from([start]);
        while let Some(&(node, next)) = stack.last() {
            let above = parents.get(node).map_or(&[][..], Vec::as_slice);
            if let Some(parent) = above.get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                if !depth.contains_key(parent) && on_path.insert(parent) {
                    stack.push((parent, 0));
                    if stack.len() > MAX_DEPTH {
                        return Some(start.clone());
                    }
                }
            } else {
                let d = 1 + above
                    .iter()
                    .filter_map(|p| depth.get(p))
                    .max()
                    .unwrap_or(&0);
                if d > MAX_DEPTH {
                    return Some(node.clone());
                }
                depth.insert(node, d);
                on_path.remove(node);
                stack.pop();
            }
        }
    }
    None
}

/// Where each entity of the entity files is defined.
fn entity_sites(files: &[Value]) -> HashMap<EntityUid, Site> {
    let mut sites = HashMap::new();
    for file in files {
        let path = str_field(file, "path");
        let lines = array(file, "lines");
        for (i, entity) in array(file, "entities").iter().enumerate() {
            if let Some(uid) = entity.get("uid").and_then(uid_from_json) {
                let line = lines.get(i).and_then(Value::as_u64).unwrap_or(1) as u32;
                sites
                    .entry(uid)
                    .or_insert_with(|| Site::new(path, Some(Position::new(line, 1))));
            }
        }
    }
    sites
}

/// Parses the schema, in Cedar or JSON syntax.
fn parse_schema(file: &Value) -> Result<Schema, Vec<Problem>> {
    let path = str_field(file, "path");
    let text = str_field(file, "text");
    let locate = |diagnostic: &dyn Diagnostic| {
        let position = first_offset(diagnostic).map(|o| LineIndex::new(text).position(o));
        Problem {
            site: Site::new(path, position),
            message: format!("invalid schema: {diagnostic}"),
            hint: help(diagnostic),
        }
    };
    if str_field(file, "syntax") == "json" {
        Schema::from_json_str(text).map_err(|e| vec![locate(&e)])
    } else {
        Schema::from_cedarschema_str(text)
            .map(|(schema, _warnings)| schema)
            .map_err(|e| vec![locate(&e)])
    }
}

/// Entities grouped by type, for messages that list what a model holds.
pub fn type_counts(entities: &Entities) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for entity in entities.iter() {
        *counts
            .entry(entity.uid().type_name().to_string())
            .or_default() += 1;
    }
    counts
}
