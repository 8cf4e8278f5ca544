//! Compiling the `cedar` check of a control file into a [`Question`]: which principals ask,
//! for which actions on which resource, and what the answer must satisfy.

use std::str::FromStr;

use cedar_policy::{Context, EntityTypeName, EntityUid, Expression};
use serde_json::Value;

use crate::diag::{did_you_mean, Diagnostic};
use crate::parse::LocatedValue;

/// The question kinds, as written in a control.
const KINDS: [&str; 3] = ["who_can", "nobody_can", "separation_of_duties"];

/// A question asked of every access model.
#[derive(Debug)]
pub struct Question {
    pub kind: Kind,
    /// The principals asked: every entity of these types (that passes `when`).
    pub principal_types: Vec<EntityTypeName>,
    pub actions: Actions,
    pub resource: EntityUid,
    /// The context record of every request.
    pub context: Value,
    /// A Cedar expression over `principal` that narrows the principals asked.
    pub when: Option<Filter>,
}

/// What the answer must satisfy.
#[derive(Debug)]
pub enum Kind {
    /// The principals allowed one of the actions must satisfy every limit.
    WhoCan(Box<Limits>),
    /// No principal may perform any of the actions.
    NobodyCan,
    /// No principal may perform both actions.
    SeparationOfDuties,
}

/// Assertions on the principals a `who_can` question finds.
#[derive(Debug, Default)]
pub struct Limits {
    pub max_principals: Option<usize>,
    pub members_of: Option<EntityUid>,
    /// An attribute every allowed principal must have, with the value it must have.
    pub require_attribute: Option<(String, Value)>,
}

/// The actions a question is about.
#[derive(Debug)]
pub enum Actions {
    Listed(Vec<EntityUid>),
    /// Every action of the model (see `AccessModel::all_actions`).
    Any,
}

/// A compiled `when` expression and its source.
#[derive(Debug)]
pub struct Filter {
    pub source: String,
    pub expression: Expression,
}

const UID_EXAMPLE: &str =
    "an entity such as `Action::\"deploy\"` (type, `::`, the id in double quotes)";
const UID_HINT: &str = "in YAML, single-quote the whole uid: 'Action::\"deploy\"'";

impl Question {
    /// Compiles the `cedar` mapping at `pointer`; every problem is reported at once.
    pub fn compile(doc: &LocatedValue, pointer: &str) -> Result<Question, Vec<Diagnostic>> {
        let object = doc.value.pointer(pointer).and_then(Value::as_object);
        let keys: Vec<&String> = object.map(|o| o.keys().collect()).unwrap_or_default();
        let [kind] = keys.as_slice() else {
            return Err(vec![doc
                .diagnostic(pointer, "a `cedar` check asks exactly one question")
                .expected(KINDS.map(|k| format!("`{k}`")).join(", "))]);
        };
        if !KINDS.contains(&kind.as_str()) {
            let mut d = doc
                .diagnostic(
                    &format!("{pointer}/{kind}"),
                    format!("unknown question `{kind}`"),
                )
                .expected(KINDS.map(|k| format!("`{k}`")).join(", "));
            if let Some(close) = did_you_mean(kind, KINDS) {
                d = d.hint(format!("did you mean `{close}`?"));
            }
            return Err(vec![d]);
        }
        let mut c = Compiler {
            doc,
            at: format!("{pointer}/{kind}"),
            errors: Vec::new(),
        };
        let principal_types = c.principal_types();
        let actions = c.actions(kind.as_str() == "separation_of_duties");
        let resource = c.uid("resource");
        let context = c.context();
        let when = c.when();
        let kind = match kind.as_str() {
            "who_can" => Kind::WhoCan(Box::new(c.limits())),
            "nobody_can" => Kind::NobodyCan,
            _ => Kind::SeparationOfDuties,
        };
        match (resource, c.errors.is_empty()) {
            (Some(resource), true) => Ok(Question {
                kind,
                principal_types,
                actions,
                resource,
                context,
                when,
            }),
            (_, _) => Err(c.errors),
        }
    }
}

/// Reads the fields of one question, collecting diagnostics.
struct Compiler<'d> {
    doc: &'d LocatedValue,
    at: String,
    errors: Vec<Diagnostic>,
}

impl Compiler<'_> {
    fn pointer(&self, key: &str) -> String {
        format!("{}/{key}", self.at)
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.doc.value.pointer(&self.pointer(key))
    }

    fn require(&mut self, key: &str, what: &str) {
        self.errors.push(
            self.doc
                .diagnostic(&self.at, format!("the question needs `{key}`"))
                .expected(what.to_string()),
        );
    }

    /// An entity uid at `pointer`.
    fn uid_at(&mut self, pointer: &str, text: &str) -> Option<EntityUid> {
        match EntityUid::from_str(text) {
            Ok(uid) => Some(uid),
            Err(e) => {
                self.errors.push(
                    self.doc
                        .diagnostic(pointer, format!("invalid entity uid `{text}`: {e}"))
                        .expected(UID_EXAMPLE)
                        .hint(UID_HINT),
                );
                None
            }
        }
    }

    fn uid(&mut self, key: &str) -> Option<EntityUid> {
        match self.get(key).and_then(Value::as_str).map(str::to_string) {
            Some(text) => self.uid_at(&self.pointer(key), &text),
            None => {
                self.require(key, UID_EXAMPLE);
                None
            }
        }
    }

    fn principal_types(&mut self) -> Vec<EntityTypeName> {
        let Some(Value::Array(items)) = self.get("principal_types").cloned() else {
            self.require(
                "principal_types",
                "a list of entity types such as `[User, ServiceAccount]`",
            );
            return Vec::new();
        };
        let mut types = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let text = item.as_str().unwrap_or_default();
            match EntityTypeName::from_str(text) {
                Ok(t) => types.push(t),
                Err(e) => self.errors.push(
                    self.doc
                        .diagnostic(
                            &self.pointer(&format!("principal_types/{i}")),
                            format!("invalid entity type `{text}`: {e}"),
                        )
                        .expected("an entity type such as `User` or `Acme::User`"),
                ),
            }
        }
        types
    }

    /// `action: <uid>` or `actions: [<uid>, …]` (or `actions: any`); separation of duties
    /// takes exactly two.
    fn actions(&mut self, pair: bool) -> Actions {
        let listed = |c: &mut Self, items: &[Value]| {
            let uids: Vec<EntityUid> = items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let pointer = c.pointer(&format!("actions/{i}"));
                    c.uid_at(&pointer, v.as_str().unwrap_or_default())
                })
                .collect();
            Actions::Listed(uids)
        };
        match (self.get("action").cloned(), self.get("actions").cloned()) {
            (Some(_), Some(_)) => {
                self.errors.push(
                    self.doc
                        .diagnostic(&self.pointer("actions"), "`action` and `actions` together")
                        .hint("list every action under `actions`"),
                );
                Actions::Listed(Vec::new())
            }
            (Some(Value::String(text)), None) if !pair => {
                let pointer = self.pointer("action");
                Actions::Listed(self.uid_at(&pointer, &text).into_iter().collect())
            }
            (None, Some(Value::Array(items))) if !pair || items.len() == 2 => listed(self, &items),
            (None, Some(Value::String(any))) if any == "any" && !pair => Actions::Any,
            _ if pair => {
                self.require("actions", "the two duties to keep apart, e.g. `actions: ['Action::\"approve\"', 'Action::\"deploy\"']`");
                Actions::Listed(Vec::new())
            }
            _ => {
                self.require(
                    "action",
                    "`action: <uid>`, `actions: [<uid>, …]` or `actions: any`",
                );
                Actions::Listed(Vec::new())
            }
        }
    }

    fn context(&mut self) -> Value {
        let Some(context) = self.get("context").cloned() else {
            return Value::Object(Default::default());
        };
        if let Err(e) = Context::from_json_value(context.clone(), None) {
            self.errors.push(
                self.doc
                    .diagnostic(&self.pointer("context"), format!("invalid context: {e}"))
                    .expected("a mapping of context attributes, e.g. `{mfa: true}`"),
            );
        }
        context
    }

    fn when(&mut self) -> Option<Filter> {
        let source = self.get("when")?.as_str()?.to_string();
        match Expression::from_str(&source) {
            Ok(expression) => Some(Filter { source, expression }),
            Err(e) => {
                self.errors.push(
                    self.doc
                        .diagnostic(
                            &self.pointer("when"),
                            format!("invalid Cedar expression: {e}"),
                        )
                        .expected("a Cedar boolean expression over `principal`, e.g. `principal has shared && principal.shared`"),
                );
                None
            }
        }
    }

    fn limits(&mut self) -> Limits {
        let mut limits = Limits {
            max_principals: self
                .get("max_principals")
                .and_then(Value::as_u64)
                .map(|n| n as usize),
            ..Limits::default()
        };
        if self.get("members_of").is_some() {
            limits.members_of = self.uid("members_of");
        }
        if let Some(attribute) = self.get("require_attribute") {
            let name = attribute.get("name").and_then(Value::as_str);
            match (name, attribute.get("equals")) {
                (Some(name), Some(value)) if !name.is_empty() => {
                    limits.require_attribute = Some((name.to_string(), value.clone()))
                }
                _ => self.errors.push(
                    self.doc
                        .diagnostic(
                            &self.pointer("require_attribute"),
                            "`require_attribute` needs a `name` and the value it `equals`",
                        )
                        .expected("e.g. `{name: mfa, equals: true}`"),
                ),
            }
        }
        if limits.max_principals.is_none()
            && limits.members_of.is_none()
            && limits.require_attribute.is_none()
            && self.get("members_of").is_none()
        {
            self.errors.push(
                self.doc
                    .diagnostic(&self.at, "a `who_can` question needs an assertion")
                    .expected("`max_principals`, `members_of` or `require_attribute`"),
            );
        }
        limits
    }
}
