//! YAML assertions: conditions written with RFC 9535 JSONPath, combined with all / any / none.
//!
//! A condition's path yields a node list. Comparison operators must hold for every node; each
//! node that does not is an offender, and the finding points at its line. An empty node list
//! passes the negative operators (`not_equals`, `not_in`, `not_matches`, `absent`) and fails
//! the positive ones, unless the condition says otherwise with `if_missing`.
//!
//! `requires` lists conditions the evidence itself must meet to be judged at all (a complete
//! history, say): an item that does not meet them is an `error` finding naming what is
//! missing, never a pass or a fail.
//!
//! `when` lists conditions of applicability: an item that does not meet them is not judged by
//! the check (no finding, like an item `select.where` leaves out), and `then` lists the
//! conditions judged where it holds. Inside a list of conditions, `{when: [...], then: [...]}`
//! is an implication: it holds where `when` does not.
//!
//! A `related` node judges the Terraform resources related to the item (see [`Relation`]);
//! one that cannot be judged leaves its node undecided, and an item whose outcome depends on
//! an undecided node is an `error` finding.

use std::borrow::Cow;

use assay_collectors::{Document, EvidenceKind};
use regex::Regex;
use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use super::bindings;
use super::budget::Budget;
use super::message::{check_template, render};
use super::relation::Relation;
use super::resource_index::ResourceIndex;
use super::select::{Item, Selector};
use super::unknown;
use super::Inputs;
use crate::diag::Diagnostic;
use crate::model::{Finding, FindingStatus, Location};
use crate::parse::LocatedValue;

/// A compiled `assert` check.
#[derive(Debug)]
pub struct Assert {
    select: Selector,
    /// Conditions for the item to be judged by this check: an item that does not meet them
    /// gets no finding (`when`).
    when: Option<Node>,
    /// Conditions for the item to be judged at all.
    requires: Option<Node>,
    root: Node,
    message: String,
    /// Whether some node looks up related resources.
    relations: bool,
    /// The message of a `pass` finding (default: `passed`).
    pass_message: Option<String>,
}

#[derive(Debug)]
pub(super) enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    None(Vec<Node>),
    /// `{when: [...], then: [...]}` in a list: `then` where `when` holds; holds elsewhere.
    Implies(Box<Node>, Box<Node>),
    Condition(Box<Condition>),
    Related(Box<Relation>),
}

#[derive(Debug)]
pub(super) struct Condition {
    path: JsonPath,
    /// The path as written: which attributes it reads, which literals it compares with.
    source: String,
    op: Op,
    if_missing: Option<bool>,
    message: Option<String>,
}

#[derive(Debug)]
enum Op {
    Equals(Value),
    NotEquals(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Exists(bool),
    Matches(Regex),
    NotMatches(Regex),
    /// Every bound must hold (`{gte: 1, lte: 3}` is a range).
    Compare(Vec<(Cmp, f64)>),
    /// Every bound must hold of the number of nodes.
    Count(Vec<(Cmp, f64)>),
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Cmp {
    const KEYS: [(&'static str, Cmp); 4] = [
        ("gt", Cmp::Gt),
        ("gte", Cmp::Gte),
        ("lt", Cmp::Lt),
        ("lte", Cmp::Lte),
    ];

    /// Whether `left` meets every bound.
    fn all_hold(bounds: &[(Cmp, f64)], left: f64) -> bool {
        bounds.iter().all(|(cmp, right)| cmp.holds(left, *right))
    }

    /// The comparison named `key` (`gt`, `gte`, `lt`, `lte`).
    fn find(key: &str) -> Option<Cmp> {
        Cmp::KEYS.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
    }

    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Cmp::Eq => left == right,
            Cmp::Gt => left > right,
            Cmp::Gte => left >= right,
            Cmp::Lt => left < right,
            Cmp::Lte => left <= right,
        }
    }
}

const OPERATORS: [&str; 13] = [
    "equals",
    "not_equals",
    "in",
    "not_in",
    "exists",
    "absent",
    "matches",
    "not_matches",
    "gt",
    "gte",
    "lt",
    "lte",
    "count",
];

/// Compiles a JSONPath expression found at `pointer`, locating syntax errors.
pub(super) fn compile_path(
    doc: &LocatedValue,
    pointer: &str,
    src: &str,
) -> Result<JsonPath, Diagnostic> {
    JsonPath::parse(src).map_err(|e| {
        Diagnostic::new(
            &doc.file,
            format!("invalid JSONPath `{src}`: {}", e.message()),
        )
        .at(doc.lines.position(pointer))
        .key(pointer)
        .expected("an RFC 9535 JSONPath such as `$.spec.containers[*].image`")
        .hint(format!(
            "the expression breaks at its character {}",
            e.position()
        ))
    })
}

impl Assert {
    /// Compiles the `assert` mapping at `pointer`, its `let` bindings expanded first.
    pub fn compile(doc: &LocatedValue, pointer: &str) -> Result<Assert, Vec<Diagnostic>> {
        let (doc, binding_errors) = bindings::expand(doc, pointer)?;
        let doc = &doc;
        let mut errors = Vec::new();
        let select = Selector::compile(doc, &format!("{pointer}/select")).unwrap_or_else(|e| {
            errors.extend(e);
            Selector::default()
        });
        errors.extend(check_template(doc, &format!("{pointer}/message")));
        errors.extend(check_template(doc, &format!("{pointer}/pass_message")));
        let object = doc.value.pointer(pointer).and_then(Value::as_object);
        let message = object
            .and_then(|o| o.get("message"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let pass_message = object
            .and_then(|o| o.get("pass_message"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let combinators: Vec<&str> = ["all", "any", "none", "then"]
            .into_iter()
            .filter(|k| object.is_some_and(|o| o.contains_key(*k)))
            .collect();
        let root = match combinators[..] {
            ["then"] => compile_list(doc, pointer, "then", &mut errors),
            [_] => compile_node(doc, pointer, &mut errors),
            _ => {
                errors.push(
                    doc.diagnostic(
                        pointer,
                        "an assertion needs exactly one of `all`, `any`, `none`, `then`",
                    )
                    .expected("one combinator at the top of `assert` (`then` with `when`)"),
                );
                None
            }
        };
        let when = compile_list(doc, pointer, "when", &mut errors);
        errors.extend(pairing(doc, pointer, object));
        let requires = compile_list(doc, pointer, "requires", &mut errors);
        // A path with an unknown binding is reported once, as such.
        errors.retain(|e| !binding_errors.iter().any(|b| b.key == e.key));
        errors.splice(0..0, binding_errors);
        match root {
            Some(root) if errors.is_empty() => Ok(Assert {
                select,
                relations: root.has_relations()
                    || requires.as_ref().is_some_and(Node::has_relations)
                    || when.as_ref().is_some_and(Node::has_relations),
                when,
                requires,
                root,
                message,
                pass_message,
            }),
            _ => Err(errors),
        }
    }

    /// Whether the check looks up resources related to its items, so that an item's findings
    /// depend on other files of its Terraform module too.
    pub fn has_relations(&self) -> bool {
        self.relations
    }

    /// The evidence kinds the check reads.
    pub fn evidence(&self) -> Vec<EvidenceKind> {
        self.select.evidence()
    }

    /// Which items the check looks at.
    pub fn selector(&self) -> &Selector {
        &self.select
    }

    /// Evaluates every selected item of every document within `budget`; once it is spent, the
    /// items left are one `error` finding naming the limit.
    pub fn evaluate(&self, inputs: &Inputs<'_>, budget: &Budget) -> Vec<Finding> {
        let index = self.relations.then(|| inputs.resources());
        let mut findings = Vec::new();
        for doc in inputs.documents {
            for item in self.select.items(doc) {
                if budget.is_spent() {
                    findings.push(Finding {
                        status: FindingStatus::Error,
                        resource: Some(item.label.clone()),
                        message: budget.spent_message(),
                        location: Some(Location {
                            path: item.document.place(&item.pointer).0.to_string(),
                            line: Some(item.line()),
                        }),
                        evidence: Vec::new(),
                        item: findings.len() + 1,
                        signature: None,
                    });
                    return findings;
                }
                let number = findings.len() + 1;
                findings.extend(self.judge(&item, number, index, budget));
            }
        }
        findings
    }

    /// No finding for an item that does not meet `when`; one `pass` finding for an item that
    /// holds; else one finding per offending node, each at its own line (the item's line when
    /// no node is named): `error` when the item does not meet `requires` or its outcome is
    /// undecided (`when`'s too), `fail` when it breaks the conditions.
    pub(super) fn judge(
        &self,
        item: &Item<'_>,
        number: usize,
        index: Option<&ResourceIndex<'_>>,
        budget: &Budget,
    ) -> Vec<Finding> {
        let subject = Subject {
            document: item.document,
            pointer: &item.pointer,
            value: item.value,
            resource: item.resource,
            negated: false,
        };
        let ctx = Ctx {
            message: &self.message,
            index,
            budget: *budget,
        };
        if let Some(when) = &self.when {
            let outcome = when.eval(&subject, &ctx);
            if outcome.undecided {
                return self.offenders(item, number, FindingStatus::Error, &outcome);
            }
            if !outcome.holds {
                return Vec::new();
            }
        }
        if let Some(requires) = &self.requires {
            let outcome = requires.eval(&subject, &ctx);
            if !outcome.holds {
                return self.offenders(item, number, FindingStatus::Error, &outcome);
            }
        }
        let outcome = self.root.eval(&subject, &ctx);
        if outcome.undecided {
            return self.offenders(item, number, FindingStatus::Error, &outcome);
        }
        if outcome.holds {
            let message = self
                .pass_message
                .as_deref()
                .map_or_else(|| "passed".to_string(), |t| render(t, item, None, "$"));
            return vec![self.finding(
                item,
                number,
                FindingStatus::Pass,
                message,
                item.document,
                &item.pointer,
            )];
        }
        self.offenders(item, number, FindingStatus::Fail, &outcome)
    }

    /// One finding of `status` per offender of `outcome` (one at the item when none is named);
    /// offenders giving the same message at the same line are one finding.
    fn offenders(
        &self,
        item: &Item<'_>,
        number: usize,
        status: FindingStatus,
        outcome: &Outcome<'_, '_>,
    ) -> Vec<Finding> {
        if outcome.witnesses.is_empty() {
            let message = render(&self.message, item, None, "$");
            return vec![self.finding(item, number, status, message, item.document, &item.pointer)];
        }
        let mut findings: Vec<Finding> = Vec::new();
        for w in &outcome.witnesses {
            let message = render(&w.template, item, w.value, &w.path);
            let finding = self.finding(item, number, status, message, w.document, &w.pointer);
            if !findings
                .iter()
                .any(|f| f.location == finding.location && f.message == finding.message)
            {
                findings.push(finding);
            }
        }
        findings
    }

    /// A finding on item `number` at the node `pointer` points to in `document` (the item's
    /// own document, or that of a related resource).
    fn finding(
        &self,
        item: &Item<'_>,
        number: usize,
        status: FindingStatus,
        message: String,
        document: &Document,
        pointer: &str,
    ) -> Finding {
        let mut evidence: Vec<String> = item.document.evidence_digest().into_iter().collect();
        if document.digest != item.document.digest {
            evidence.extend(document.evidence_digest());
        }
        Finding {
            status,
            resource: Some(item.label.clone()),
            message,
            location: Some(Location {
                path: document.place(pointer).0.to_string(),
                line: Some(document.line(pointer)),
            }),
            evidence,
            item: number,
            signature: None,
        }
    }
}

pub(super) fn compile_node(
    doc: &LocatedValue,
    pointer: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<Node> {
    let Some(object) = doc.value.pointer(pointer).and_then(Value::as_object) else {
        errors.push(doc.diagnostic(pointer, "expected a mapping"));
        return None;
    };
    if object.contains_key("related") {
        return Relation::compile(doc, pointer, object, errors).map(|r| Node::Related(Box::new(r)));
    }
    // The top-level `assert` mapping pairs `when` and `then` itself.
    let top = pointer.ends_with("/assert");
    if !top && (object.contains_key("when") || object.contains_key("then")) {
        errors.extend(pairing(doc, pointer, Some(object)));
        if let Some(other) = object.keys().find(|k| *k != "when" && *k != "then") {
            errors.push(
                doc.diagnostic(
                    &format!("{pointer}/{other}"),
                    format!("`{other}` cannot stand beside `when` and `then`"),
                )
                .hint("conditions go under `when` or `then`"),
            );
            return None;
        }
        let when = compile_list(doc, pointer, "when", errors)?;
        let then = compile_list(doc, pointer, "then", errors)?;
        return Some(Node::Implies(Box::new(when), Box::new(then)));
    }
    for (key, make) in [
        ("all", Node::All as fn(Vec<Node>) -> Node),
        ("any", Node::Any),
        ("none", Node::None),
    ] {
        if let Some(Value::Array(children)) = object.get(key) {
            // The top-level `assert` mapping also holds `select` and `message`.
            let nested = !pointer.ends_with("/assert");
            if let Some(other) = object.keys().find(|k| nested && *k != key) {
                errors.push(
                    doc.diagnostic(
                        &format!("{pointer}/{other}"),
                        format!("`{other}` cannot stand beside `{key}`"),
                    )
                    .hint(format!(
                        "move the condition into its own entry of the `{key}` list"
                    )),
                );
            }
            let nodes: Vec<Node> = (0..children.len())
                .filter_map(|i| compile_node(doc, &format!("{pointer}/{key}/{i}"), errors))
                .collect();
            return (nodes.len() == children.len()).then(|| make(nodes));
        }
    }
    compile_condition(doc, pointer, object, errors).map(|c| Node::Condition(Box::new(c)))
}

/// The list of conditions under `key` of the mapping at `pointer`, all of which must hold;
/// `None` when absent or in error.
fn compile_list(
    doc: &LocatedValue,
    pointer: &str,
    key: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<Node> {
    let at = format!("{pointer}/{key}");
    match doc.value.pointer(&at)? {
        Value::Array(list) => {
            let nodes: Vec<Node> = (0..list.len())
                .filter_map(|i| compile_node(doc, &format!("{at}/{i}"), errors))
                .collect();
            (nodes.len() == list.len()).then_some(Node::All(nodes))
        }
        _ => {
            errors.push(
                doc.diagnostic(&at, "expected a list of conditions")
                    .expected(format!("`{key}: [{{path: ..., equals: ...}}]`")),
            );
            None
        }
    }
}

/// An error when the mapping `object` at `pointer` has one of `when` and `then` without the
/// other.
fn pairing(
    doc: &LocatedValue,
    pointer: &str,
    object: Option<&Map<String, Value>>,
) -> Option<Diagnostic> {
    let has = |k: &str| object.is_some_and(|o| o.contains_key(k));
    match (has("when"), has("then")) {
        (true, false) => Some(
            doc.diagnostic(&format!("{pointer}/when"), "`when` needs `then`")
                .expected("`then:` with the conditions judged where `when` holds"),
        ),
        (false, true) => Some(
            doc.diagnostic(&format!("{pointer}/then"), "`then` needs `when`")
                .hint("without a condition of applicability, write `all:`"),
        ),
        _ => None,
    }
}

fn compile_condition(
    doc: &LocatedValue,
    pointer: &str,
    object: &Map<String, Value>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Condition> {
    let at = |key: &str| format!("{pointer}/{key}");
    errors.extend(check_template(doc, &at("message")));
    let Some(Value::String(path_src)) = object.get("path") else {
        errors.push(
            doc.diagnostic(pointer, "a condition needs a `path`")
                .expected("`path:` with a JSONPath, or one of `all`, `any`, `none`"),
        );
        return None;
    };
    let ops: Vec<&String> = object
        .keys()
        .filter(|k| OPERATORS.contains(&k.as_str()))
        .collect();
    // The numeric comparisons combine into a range; any other operator stands alone.
    let range = ops.len() > 1 && ops.iter().all(|k| Cmp::find(k).is_some());
    if ops.len() != 1 && !range {
        errors.push(
            doc.diagnostic(
                pointer,
                format!(
                    "a condition needs exactly one operator, found {}",
                    ops.len()
                ),
            )
            .expected(format!(
                "one of {}, or several of `gt`, `gte`, `lt`, `lte` for a range",
                OPERATORS.map(|o| format!("`{o}`")).join(", ")
            )),
        );
        return None;
    }
    let key = ops[0].as_str();
    let operand = &object[key];
    let regex = |src: &str, errors: &mut Vec<Diagnostic>| match Regex::new(src) {
        Ok(r) => Some(r),
        Err(e) => {
            errors.push(
                doc.diagnostic(&at(key), format!("invalid regular expression: {e}"))
                    .hint("the syntax is Rust's `regex` crate (no look-around)"),
            );
            None
        }
    };
    let op = match key {
        "equals" => Op::Equals(operand.clone()),
        "not_equals" => Op::NotEquals(operand.clone()),
        "in" => Op::In(operand.as_array().cloned().unwrap_or_default()),
        "not_in" => Op::NotIn(operand.as_array().cloned().unwrap_or_default()),
        "exists" => Op::Exists(operand.as_bool().unwrap_or(true)),
        "absent" => Op::Exists(!operand.as_bool().unwrap_or(true)),
        "matches" => Op::Matches(regex(operand.as_str().unwrap_or_default(), errors)?),
        "not_matches" => Op::NotMatches(regex(operand.as_str().unwrap_or_default(), errors)?),
        "count" => {
            let Some(bounds) = operand.as_object().filter(|o| !o.is_empty()) else {
                errors.push(
                    doc.diagnostic(&at("count"), "`count` needs bounds")
                        .expected("a mapping such as `{gte: 1, lte: 3}`"),
                );
                return None;
            };
            let entries = bounds.iter().map(|(k, v)| (format!("count/{k}"), k, v));
            Op::Count(bounds_of(doc, pointer, entries, true, errors)?)
        }
        _ => {
            let entries = ops.iter().map(|k| (k.to_string(), *k, &object[k.as_str()]));
            Op::Compare(bounds_of(doc, pointer, entries, false, errors)?)
        }
    };
    let path = match compile_path(doc, &at("path"), path_src) {
        Ok(p) => p,
        Err(d) => {
            errors.push(d);
            return None;
        }
    };
    Some(Condition {
        path,
        source: path_src.clone(),
        op,
        if_missing: object
            .get("if_missing")
            .and_then(Value::as_str)
            .map(|s| s == "pass"),
        message: object
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// The bounds `(key, operand)` of a comparison or (with `equals` allowed) a count, every one
/// of them checked: an unknown comparison or an operand that is not a number is an error at
/// its key.
fn bounds_of<'a>(
    doc: &LocatedValue,
    pointer: &str,
    entries: impl Iterator<Item = (String, &'a String, &'a Value)>,
    counting: bool,
    errors: &mut Vec<Diagnostic>,
) -> Option<Vec<(Cmp, f64)>> {
    let mut bounds = Vec::new();
    let mut ok = true;
    for (at, key, operand) in entries {
        let at = format!("{pointer}/{at}");
        let cmp = match key.as_str() {
            "equals" if counting => Some(Cmp::Eq),
            other => Cmp::find(other),
        };
        match (cmp, operand.as_f64()) {
            (Some(cmp), Some(n)) => bounds.push((cmp, n)),
            (None, _) => {
                ok = false;
                errors.push(
                    doc.diagnostic(&at, format!("unknown comparison `{key}`"))
                        .expected("`equals`, `gt`, `gte`, `lt` or `lte`"),
                );
            }
            (_, None) => {
                ok = false;
                errors.push(
                    doc.diagnostic(&at, format!("`{key}` needs a number, got `{operand}`"))
                        .expected("a number"),
                );
            }
        }
    }
    ok.then_some(bounds)
}

/// What conditions are judged against: an item, or a resource related to it.
#[derive(Clone, Copy)]
pub(super) struct Subject<'v> {
    pub document: &'v Document,
    /// JSON pointer of the subject within `document`.
    pub pointer: &'v str,
    pub value: &'v Value,
    /// The Terraform resource (type, name) the subject is or lies in.
    pub resource: Option<(&'v str, &'v str)>,
    /// Whether the subject is judged under an odd number of `none`s: a condition that does
    /// not hold then counts towards a pass.
    pub negated: bool,
}

/// What every node of one item's evaluation shares.
pub(super) struct Ctx<'v, 't> {
    /// The message of conditions that have none of their own.
    pub message: &'t str,
    /// The scan's Terraform resources, when the check has relations.
    pub index: Option<&'v ResourceIndex<'v>>,
    /// Relations stop when it is spent, leaving the item undecided.
    pub budget: Budget,
}

/// A node that supports or breaks a condition.
pub(super) struct Witness<'v, 't> {
    pub document: &'v Document,
    /// JSON pointer of the node within `document`.
    pub pointer: String,
    /// JSONPath of the node relative to the subject judged.
    pub path: String,
    pub value: Option<&'v Value>,
    pub template: Cow<'t, str>,
}

impl<'v, 't> Witness<'v, 't> {
    /// The subject as a whole.
    pub fn whole(subject: &Subject<'v>, template: Cow<'t, str>) -> Self {
        Witness {
            document: subject.document,
            pointer: subject.pointer.to_string(),
            path: "$".into(),
            value: None,
            template,
        }
    }
}

pub(super) struct Outcome<'v, 't> {
    pub holds: bool,
    /// The node could not be judged (then `holds` is false): the witnesses say why.
    pub undecided: bool,
    /// When the node holds: the nodes that made it hold; otherwise the offenders.
    pub witnesses: Vec<Witness<'v, 't>>,
}

impl<'v, 't> Outcome<'v, 't> {
    pub fn decided(holds: bool, witnesses: Vec<Witness<'v, 't>>) -> Self {
        Outcome {
            holds,
            undecided: false,
            witnesses,
        }
    }

    /// Combines the outcomes of several parts: when a decided part holds (`decisive` true) or
    /// breaks (`decisive` false), the whole is `then`, witnessed by those parts; otherwise an
    /// undecided part leaves the whole undecided; otherwise the whole is `!then`, witnessed by
    /// every part. `all` is (false, false), `any` (true, true), `none` (true, false).
    pub fn combine(parts: Vec<Outcome<'v, 't>>, decisive: bool, then: bool) -> Self {
        let settles = |o: &Outcome<'_, '_>| !o.undecided && o.holds == decisive;
        if parts.iter().any(settles) {
            let witnesses = parts.into_iter().filter(settles).flat_map(|o| o.witnesses);
            return Outcome::decided(then, witnesses.collect());
        }
        if parts.iter().any(|o| o.undecided) {
            let witnesses = parts
                .into_iter()
                .filter(|o| o.undecided)
                .flat_map(|o| o.witnesses);
            return Outcome {
                holds: false,
                undecided: true,
                witnesses: witnesses.collect(),
            };
        }
        Outcome::decided(!then, parts.into_iter().flat_map(|o| o.witnesses).collect())
    }
}

impl Node {
    pub(super) fn eval<'v, 't>(
        &'t self,
        subject: &Subject<'v>,
        ctx: &Ctx<'v, 't>,
    ) -> Outcome<'v, 't> {
        let children = |nodes: &'t [Node]| -> Vec<Outcome<'v, 't>> {
            nodes.iter().map(|c| c.eval(subject, ctx)).collect()
        };
        match self {
            Node::Condition(c) => c.eval(subject, ctx),
            Node::Related(r) => r.eval(subject, ctx),
            Node::All(nodes) => Outcome::combine(children(nodes), false, false),
            Node::Any(nodes) => {
                // When every alternative breaks, the offenders are those of the first: the
                // others are ways out that were not taken (a mitigating resource), not more
                // offenders, so each offender is one finding at its own line.
                let parts = children(nodes);
                let first = parts.first().map_or(0, |p| p.witnesses.len());
                let mut outcome = Outcome::combine(parts, true, true);
                if !outcome.holds && !outcome.undecided && first > 0 {
                    outcome.witnesses.truncate(first);
                }
                outcome
            }
            // A `none` breaks where one of its conditions holds: those nodes are the offenders.
            Node::None(nodes) => {
                let flipped = Subject {
                    negated: !subject.negated,
                    ..*subject
                };
                let parts = nodes.iter().map(|c| c.eval(&flipped, ctx)).collect();
                Outcome::combine(parts, true, false)
            }
            Node::Implies(when, then) => {
                let applies = when.eval(subject, ctx);
                if applies.undecided {
                    applies
                } else if applies.holds {
                    then.eval(subject, ctx)
                } else {
                    Outcome::decided(true, vec![Witness::whole(subject, ctx.message.into())])
                }
            }
        }
    }

    pub(super) fn has_relations(&self) -> bool {
        match self {
            Node::Condition(_) => false,
            Node::Related(_) => true,
            Node::All(nodes) | Node::Any(nodes) | Node::None(nodes) => {
                nodes.iter().any(Node::has_relations)
            }
            Node::Implies(when, then) => when.has_relations() || then.has_relations(),
        }
    }
}

impl Condition {
    fn eval<'v, 't>(&'t self, subject: &Subject<'v>, ctx: &Ctx<'v, 't>) -> Outcome<'v, 't> {
        let template = self.message.as_deref().unwrap_or(ctx.message);
        let nodes = self.path.query_located(subject.value);
        let witness = |pointer: String, path: String, value: Option<&'v Value>| Witness {
            document: subject.document,
            pointer: format!("{}{pointer}", subject.pointer),
            path,
            value,
            template: Cow::Borrowed(template),
        };
        let all_nodes = || {
            nodes
                .iter()
                .map(|n| {
                    witness(
                        n.location().to_json_pointer(),
                        n.location().to_string(),
                        Some(n.node()),
                    )
                })
                .collect::<Vec<_>>()
        };
        let whole =
            |holds: bool| Outcome::decided(holds, vec![Witness::whole(subject, template.into())]);
        // Undecided for the unknown values `witnesses` point at.
        let undecided = |witnesses: Vec<Witness<'v, 't>>| Outcome {
            holds: false,
            undecided: true,
            witnesses: witnesses
                .into_iter()
                .map(|w| Witness {
                    template: Cow::Borrowed(
                        "`{resource}` is not judged: `{value}` at {path} is known only after apply",
                    ),
                    ..w
                })
                .collect(),
        };
        match &self.op {
            Op::Exists(wanted) => {
                if nodes.is_empty() {
                    // Finding nothing counts towards a pass: an unknown that could make the
                    // path find something leaves the condition undecided.
                    if *wanted == subject.negated && subject.resource.is_some() {
                        let unknowns =
                            unknown::could_select(&self.path, &self.source, subject.value);
                        if !unknowns.is_empty() {
                            return undecided(
                                unknowns
                                    .into_iter()
                                    .map(|u| witness(u.pointer, u.path, Some(u.value)))
                                    .collect(),
                            );
                        }
                    }
                    whole(!*wanted)
                } else {
                    Outcome::decided(*wanted, all_nodes())
                }
            }
            Op::Count(bounds) => {
                let holds = Cmp::all_hold(bounds, nodes.len() as f64);
                if nodes.is_empty() {
                    whole(holds)
                } else {
                    Outcome::decided(holds, all_nodes())
                }
            }
            op => {
                let negative = matches!(op, Op::NotEquals(_) | Op::NotIn(_) | Op::NotMatches(_));
                if nodes.is_empty() {
                    return whole(self.if_missing.unwrap_or(negative));
                }
                // A Terraform value known only after apply (a variable without a value, a
                // computed attribute) can satisfy neither a negative condition nor a bound,
                // nor fail a positive one under `none`: unless a known node already breaks the
                // condition, the node is undecided and the item an error saying so, never a
                // pass. (A positive condition it fails elsewhere fails the item.)
                let guarded = (negative || matches!(op, Op::Compare(_)) || subject.negated)
                    && subject.resource.is_some();
                let (unknown, nodes): (Vec<_>, Vec<_>) = nodes
                    .iter()
                    .partition(|n| guarded && unknown::is_unknown(n.node()));
                let (good, bad): (Vec<_>, Vec<_>) =
                    nodes.into_iter().partition(|n| op.accepts(n.node()));
                if bad.is_empty() && !unknown.is_empty() {
                    return undecided(
                        unknown
                            .into_iter()
                            .map(|n| {
                                witness(
                                    n.location().to_json_pointer(),
                                    n.location().to_string(),
                                    Some(n.node()),
                                )
                            })
                            .collect(),
                    );
                }
                let holds = bad.is_empty();
                let chosen = if holds { good } else { bad };
                Outcome::decided(
                    holds,
                    chosen
                        .into_iter()
                        .map(|n| {
                            witness(
                                n.location().to_json_pointer(),
                                n.location().to_string(),
                                Some(n.node()),
                            )
                        })
                        .collect(),
                )
            }
        }
    }
}

impl Op {
    /// Whether one node satisfies a comparison operator.
    fn accepts(&self, value: &Value) -> bool {
        match self {
            Op::Equals(expected) => loose_eq(value, expected),
            Op::NotEquals(expected) => !loose_eq(value, expected),
            Op::In(options) => options.iter().any(|o| loose_eq(value, o)),
            Op::NotIn(options) => !options.iter().any(|o| loose_eq(value, o)),
            Op::Matches(re) => scalar_text(value).is_some_and(|t| re.is_match(&t)),
            Op::NotMatches(re) => !scalar_text(value).is_some_and(|t| re.is_match(&t)),
            Op::Compare(bounds) => as_number(value).is_some_and(|v| Cmp::all_hold(bounds, v)),
            Op::Exists(_) | Op::Count(..) => true,
        }
    }
}

/// Equality that treats numbers by value (`1` equals `1.0`).
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// The text a regex is matched against: strings as they are, numbers and booleans printed.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Numbers, and strings that hold a number (HCL and .env values are often quoted).
fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{control, documents};

    fn compile(check: &str) -> Result<Assert, Vec<Diagnostic>> {
        let (doc, errors) = control(check);
        assert!(errors.is_empty(), "{errors:?}");
        Assert::compile(&doc, "/check/assert")
    }

    fn statuses(assert: &Assert, yaml: &str) -> Vec<FindingStatus> {
        let docs = documents("x.yaml", yaml);
        let budget = Budget::start(&Default::default());
        assert
            .evaluate(&Inputs::new(&docs), &budget)
            .into_iter()
            .map(|f| f.status)
            .collect()
    }

    #[test]
    fn count_applies_every_bound() {
        let check = compile(
            "  assert:\n    all:\n      - path: $.items[*]\n        count: {gte: 1, lte: 3}\n    message: m\n",
        )
        .unwrap();
        assert_eq!(statuses(&check, "items: [1]"), [FindingStatus::Pass]);
        assert_eq!(statuses(&check, "items: [1, 2, 3]"), [FindingStatus::Pass]);
        let five = statuses(&check, "items: [1, 2, 3, 4, 5]");
        assert!(five.iter().all(|s| *s == FindingStatus::Fail), "{five:?}");
        assert_eq!(statuses(&check, "items: []"), [FindingStatus::Fail]);
    }

    /// A Terraform value known only after apply passes no negative condition and no bound: its
    /// item is an error, unless a known value already breaks the condition.
    #[test]
    fn unknown_terraform_values_are_never_passed() {
        let check = compile(
            "  assert:\n    select:\n      resource_types: [aws_s3_bucket]\n    all:\n      - path: $.acl\n        not_in: [public-read]\n      - none:\n          - path: $.days\n            gt: 30\n    message: m\n",
        )
        .unwrap();
        let docs = documents(
            "main.tf",
            "resource:\n  aws_s3_bucket:\n    a: {acl: '${var.acl}', days: 1}\n    b: {acl: public-read, days: '${var.d}'}\n    c: {acl: private, days: '${var.d}'}\n    d: {acl: private, days: 7}\n",
        );
        let budget = Budget::start(&Default::default());
        let findings = check.evaluate(&Inputs::new(&docs), &budget);
        let status = |name: &str| {
            findings
                .iter()
                .filter(|f| f.resource.as_deref() == Some(name))
                .map(|f| f.status)
                .max_by_key(|s| *s as u8)
                .unwrap()
        };
        assert_eq!(status("aws_s3_bucket.a"), FindingStatus::Error);
        assert_eq!(status("aws_s3_bucket.b"), FindingStatus::Fail);
        assert_eq!(status("aws_s3_bucket.c"), FindingStatus::Error);
        assert_eq!(status("aws_s3_bucket.d"), FindingStatus::Pass);
        assert!(findings
            .iter()
            .any(|f| f.message.contains("known only after apply")));
    }

    /// Under `none`, an unknown fails a positive condition without passing the item: a known
    /// offender still fails it, an unknown alone leaves it undecided; `absent` paths whose
    /// filters an unknown could satisfy are undecided too.
    #[test]
    fn unknowns_under_none_and_absent_are_undecided() {
        let check = compile(
            "  assert:\n    select:\n      resource_types: [t]\n    all:\n      - none:\n          - path: $.cidrs[*]\n            in: ['0.0.0.0/0']\n      - path: $.rules[?@.port == 22]\n        absent: true\n    message: m\n",
        )
        .unwrap();
        let docs = documents(
            "main.tf",
            "resource:\n  t:\n    a: {cidrs: ['${var.c}']}\n    b: {cidrs: ['0.0.0.0/0'], rules: [{port: '${var.p}'}]}\n    c: {cidrs: ['10.0.0.0/8']}\n    d: {rules: [{port: '${var.p}'}]}\n    e: {rules: [{port: 80}], other: '${var.o}'}\n",
        );
        let budget = Budget::start(&Default::default());
        let findings = check.evaluate(&Inputs::new(&docs), &budget);
        let status = |name: &str| {
            let of: Vec<_> = findings
                .iter()
                .filter(|f| f.resource.as_deref() == Some(name))
                .map(|f| f.status)
                .collect();
            assert_eq!(of.len(), 1, "{name}: {findings:?}");
            of[0]
        };
        assert_eq!(status("t.a"), FindingStatus::Error);
        assert_eq!(status("t.b"), FindingStatus::Fail);
        assert_eq!(status("t.c"), FindingStatus::Pass);
        assert_eq!(status("t.d"), FindingStatus::Error);
        assert_eq!(status("t.e"), FindingStatus::Pass);
        let d = findings
            .iter()
            .find(|f| f.resource.as_deref() == Some("t.d"))
            .unwrap();
        assert!(
            d.message
                .contains("`${var.p}` at rules[0].port is known only after apply"),
            "{}",
            d.message
        );
    }

    /// A failing `any` is reported by the offenders of its first alternative only.
    #[test]
    fn a_failing_any_reports_its_first_alternative() {
        let check = compile(
            "  assert:\n    any:\n      - path: $.acl\n        equals: private\n        message: acl\n      - path: $.blocked\n        equals: true\n        message: blocked\n    message: m\n",
        )
        .unwrap();
        let docs = documents("x.yaml", "acl: public\nblocked: false\n");
        let budget = Budget::start(&Default::default());
        let findings = check.evaluate(&Inputs::new(&docs), &budget);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages, ["acl"]);
        assert_eq!(findings[0].location.as_ref().unwrap().line, Some(1));
    }

    #[test]
    fn comparisons_combine_into_a_range() {
        let check = compile(
            "  assert:\n    all:\n      - path: $.n\n        gt: 1\n        lte: 3\n    message: m\n",
        )
        .unwrap();
        assert_eq!(statuses(&check, "n: 3"), [FindingStatus::Pass]);
        assert_eq!(statuses(&check, "n: 1"), [FindingStatus::Fail]);
        assert_eq!(statuses(&check, "n: 4"), [FindingStatus::Fail]);
    }

    /// The schema offers exactly the operators and count bounds the compiler applies.
    #[test]
    fn schema_and_compiler_agree_on_operators() {
        let schema: Value =
            serde_json::from_str(crate::schema::SchemaKind::Control.source()).unwrap();
        let condition = &schema["$defs"]["condition"]["properties"];
        let mut offered: Vec<&str> = condition
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| {
                ![
                    "all",
                    "any",
                    "none",
                    "related",
                    "when",
                    "then",
                    "path",
                    "if_missing",
                    "message",
                ]
                .contains(k)
            })
            .collect();
        let mut compiled = OPERATORS.to_vec();
        offered.sort();
        compiled.sort();
        assert_eq!(offered, compiled);
        let mut bounds: Vec<&str> = schema["$defs"]["count"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        bounds.sort();
        let mut applied: Vec<&str> = Cmp::KEYS.iter().map(|(k, _)| *k).collect();
        applied.push("equals");
        applied.sort();
        assert_eq!(bounds, applied);
    }

    /// An item that does not meet `when` gets no finding; the others are judged by `then`.
    #[test]
    fn when_leaves_items_unjudged() {
        let check = compile(
            "  assert:\n    when:\n      - {path: $.protocol, in: [HTTPS, TLS]}\n    then:\n      - {path: $.policy, matches: '^TLS12'}\n    message: m\n",
        )
        .unwrap();
        assert_eq!(
            statuses(&check, "protocol: HTTPS\npolicy: TLS12-x"),
            [FindingStatus::Pass]
        );
        assert_eq!(
            statuses(&check, "protocol: TLS\npolicy: old"),
            [FindingStatus::Fail]
        );
        assert!(statuses(&check, "protocol: HTTP\npolicy: old").is_empty());
        assert!(statuses(&check, "policy: old").is_empty());
    }

    /// In a list, `{when, then}` holds where `when` does not.
    #[test]
    fn nested_when_is_an_implication() {
        let check = compile(
            "  assert:\n    all:\n      - {path: $.name, exists: true}\n      - when: [{path: $.protocol, equals: HTTP}]\n        then: [{path: $.redirect, equals: true}]\n    message: m\n",
        )
        .unwrap();
        assert_eq!(
            statuses(&check, "name: a\nprotocol: HTTPS"),
            [FindingStatus::Pass]
        );
        assert_eq!(
            statuses(&check, "name: a\nprotocol: HTTP"),
            [FindingStatus::Fail]
        );
        assert_eq!(
            statuses(&check, "name: a\nprotocol: HTTP\nredirect: true"),
            [FindingStatus::Pass]
        );
        assert_eq!(statuses(&check, "protocol: HTTPS"), [FindingStatus::Fail]);
    }

    #[test]
    fn when_and_then_go_together() {
        for (check, message) in [
            (
                "    when: [{path: $.a, exists: true}]\n    all: [{path: $.b, exists: true}]\n",
                "`when` needs `then`",
            ),
            (
                "    then: [{path: $.b, exists: true}]\n    all: [{path: $.b, exists: true}]\n",
                "exactly one of `all`, `any`, `none`, `then`",
            ),
            (
                "    all:\n      - then: [{path: $.b, exists: true}]\n",
                "`then` needs `when`",
            ),
        ] {
            let (doc, _) = control(&format!("  assert:\n{check}    message: m\n"));
            let errors = Assert::compile(&doc, "/check/assert").unwrap_err();
            assert!(
                errors.iter().any(|e| e.message.contains(message)),
                "{check}: {errors:?}"
            );
        }
    }

    /// Bindings stand for their path in conditions and in messages.
    #[test]
    fn let_bindings_expand_in_paths_and_messages() {
        let check = compile(
            "  assert:\n    let: {c: \"$['containers','initContainers']\"}\n    all:\n      - path: $c[?@.privileged == true].name\n        absent: true\n        message: \"`{value}` is privileged; first: {$c[0].name}\"\n    message: m\n",
        )
        .unwrap();
        let docs = documents(
            "x.yaml",
            "containers: [{name: a}]\ninitContainers: [{name: b, privileged: true}]\n",
        );
        let budget = Budget::start(&Default::default());
        let findings = check.evaluate(&Inputs::new(&docs), &budget);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].status, FindingStatus::Fail);
        assert_eq!(findings[0].message, "`b` is privileged; first: a");
        assert_eq!(findings[0].location.as_ref().unwrap().line, Some(2));
    }

    #[test]
    fn other_operators_stand_alone() {
        let errors = compile(
            "  assert:\n    all:\n      - path: $.n\n        gte: 1\n        equals: 3\n    message: m\n",
        )
        .unwrap_err();
        assert!(
            errors[0].message.contains("exactly one operator, found 2"),
            "{errors:?}"
        );
    }
}
