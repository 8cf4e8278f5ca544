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

use assay_collectors::{Document, EvidenceKind};
use regex::Regex;
use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use super::message::render;
use super::select::{Item, Selector};
use crate::diag::Diagnostic;
use crate::model::{Finding, FindingStatus, Location};
use crate::parse::LocatedValue;

/// A compiled `assert` check.
#[derive(Debug)]
pub struct Assert {
    select: Selector,
    /// Conditions for the item to be judged at all.
    requires: Option<Node>,
    root: Node,
    message: String,
    /// The message of a `pass` finding (default: `passed`).
    pass_message: Option<String>,
}

#[derive(Debug)]
enum Node {
    All(Vec<Node>),
    Any(Vec<Node>),
    None(Vec<Node>),
    Condition(Box<Condition>),
}

#[derive(Debug)]
struct Condition {
    path: JsonPath,
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
    Compare(Cmp, f64),
    Count(Cmp, f64),
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
    /// Compiles the `assert` mapping at `pointer`.
    pub fn compile(doc: &LocatedValue, pointer: &str) -> Result<Assert, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let select = Selector::compile(doc, &format!("{pointer}/select")).unwrap_or_else(|e| {
            errors.extend(e);
            Selector::default()
        });
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
        let combinators: Vec<&str> = ["all", "any", "none"]
            .into_iter()
            .filter(|k| object.is_some_and(|o| o.contains_key(*k)))
            .collect();
        let root = if combinators.len() == 1 {
            compile_node(doc, pointer, &mut errors)
        } else {
            errors.push(
                doc.diagnostic(
                    pointer,
                    "an assertion needs exactly one of `all`, `any`, `none`",
                )
                .expected("one combinator at the top of `assert`"),
            );
            None
        };
        let requires = match object.and_then(|o| o.get("requires")) {
            None => None,
            Some(Value::Array(list)) => {
                let nodes: Vec<Node> = (0..list.len())
                    .filter_map(|i| {
                        compile_node(doc, &format!("{pointer}/requires/{i}"), &mut errors)
                    })
                    .collect();
                Some(Node::All(nodes))
            }
            Some(_) => {
                errors.push(
                    doc.diagnostic(
                        &format!("{pointer}/requires"),
                        "expected a list of conditions",
                    )
                    .expected("`requires: [{path: ..., absent: true, message: ...}]`"),
                );
                None
            }
        };
        match root {
            Some(root) if errors.is_empty() => Ok(Assert {
                select,
                requires,
                root,
                message,
                pass_message,
            }),
            _ => Err(errors),
        }
    }

    /// The evidence kinds the check reads.
    pub fn evidence(&self) -> Vec<EvidenceKind> {
        self.select.evidence()
    }

    /// Which items the check looks at.
    pub fn selector(&self) -> &Selector {
        &self.select
    }

    /// Evaluates every selected item of every document.
    pub fn evaluate(&self, documents: &[Document]) -> Vec<Finding> {
        let mut findings = Vec::new();
        for doc in documents {
            for item in self.select.items(doc) {
                let number = findings.len() + 1;
                findings.extend(self.judge(&item, number));
            }
        }
        findings
    }

    /// One `pass` finding for an item that holds; else one finding per offending node, each at
    /// its own line (the item's line when no node is named): `error` when the item does not
    /// meet `requires`, `fail` when it breaks the conditions.
    fn judge(&self, item: &Item<'_>, number: usize) -> Vec<Finding> {
        if let Some(requires) = &self.requires {
            let outcome = requires.eval(item.value, &self.message);
            if !outcome.holds {
                return self.offenders(item, number, FindingStatus::Error, &outcome);
            }
        }
        let outcome = self.root.eval(item.value, &self.message);
        if outcome.holds {
            let message = self
                .pass_message
                .as_deref()
                .map_or_else(|| "passed".to_string(), |t| render(t, item, None, "$"));
            return vec![self.finding(item, number, FindingStatus::Pass, message, &item.pointer)];
        }
        self.offenders(item, number, FindingStatus::Fail, &outcome)
    }

    /// One finding of `status` per offender of `outcome` (one at the item when none is named).
    fn offenders(
        &self,
        item: &Item<'_>,
        number: usize,
        status: FindingStatus,
        outcome: &Outcome<'_, '_>,
    ) -> Vec<Finding> {
        if outcome.witnesses.is_empty() {
            let message = render(&self.message, item, None, "$");
            return vec![self.finding(item, number, status, message, &item.pointer)];
        }
        outcome
            .witnesses
            .iter()
            .map(|w| {
                let message = render(w.template, item, w.value, &w.path);
                let pointer = format!("{}{}", item.pointer, w.pointer);
                self.finding(item, number, status, message, &pointer)
            })
            .collect()
    }

    /// A finding on item `number` at the node `pointer` points to.
    fn finding(
        &self,
        item: &Item<'_>,
        number: usize,
        status: FindingStatus,
        message: String,
        pointer: &str,
    ) -> Finding {
        Finding {
            status,
            resource: Some(item.label.clone()),
            message,
            location: Some(Location {
                path: item.document.path.to_string(),
                line: Some(item.document.line(pointer)),
            }),
            evidence: vec![item.document.digest.to_string()],
            item: number,
            signature: None,
        }
    }
}

fn compile_node(doc: &LocatedValue, pointer: &str, errors: &mut Vec<Diagnostic>) -> Option<Node> {
    let Some(object) = doc.value.pointer(pointer).and_then(Value::as_object) else {
        errors.push(doc.diagnostic(pointer, "expected a mapping"));
        return None;
    };
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

fn compile_condition(
    doc: &LocatedValue,
    pointer: &str,
    object: &Map<String, Value>,
    errors: &mut Vec<Diagnostic>,
) -> Option<Condition> {
    let at = |key: &str| format!("{pointer}/{key}");
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
    if ops.len() != 1 {
        errors.push(
            doc.diagnostic(
                pointer,
                format!(
                    "a condition needs exactly one operator, found {}",
                    ops.len()
                ),
            )
            .expected(format!(
                "one of {}",
                OPERATORS.map(|o| format!("`{o}`")).join(", ")
            )),
        );
        return None;
    }
    let key = ops[0].as_str();
    let operand = &object[key];
    let number = |v: &Value| v.as_f64();
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
            let (name, value) = operand.as_object().and_then(|o| o.iter().next())?;
            let cmp = if name == "equals" {
                Cmp::Eq
            } else {
                Cmp::KEYS.iter().find(|(k, _)| k == name)?.1
            };
            Op::Count(cmp, number(value)?)
        }
        other => {
            let cmp = Cmp::KEYS.iter().find(|(k, _)| *k == other)?.1;
            Op::Compare(cmp, number(operand)?)
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

/// A node that supports or breaks a condition, relative to the item.
struct Witness<'v, 't> {
    pointer: String,
    path: String,
    value: Option<&'v Value>,
    template: &'t str,
}

struct Outcome<'v, 't> {
    holds: bool,
    /// When the node holds: the nodes that made it hold; otherwise the offenders.
    witnesses: Vec<Witness<'v, 't>>,
}

impl Node {
    fn eval<'v, 't>(&'t self, item: &'v Value, message: &'t str) -> Outcome<'v, 't> {
        match self {
            Node::Condition(c) => c.eval(item, message),
            Node::All(children) => {
                let results: Vec<_> = children.iter().map(|c| c.eval(item, message)).collect();
                let holds = results.iter().all(|r| r.holds);
                let witnesses = results
                    .into_iter()
                    .filter(|r| r.holds == holds)
                    .flat_map(|r| r.witnesses)
                    .collect();
                Outcome { holds, witnesses }
            }
            Node::Any(children) => {
                let results: Vec<_> = children.iter().map(|c| c.eval(item, message)).collect();
                let holds = results.iter().any(|r| r.holds);
                let witnesses = results
                    .into_iter()
                    .filter(|r| r.holds == holds)
                    .flat_map(|r| r.witnesses)
                    .collect();
                Outcome { holds, witnesses }
            }
            Node::None(children) => {
                let results: Vec<_> = children.iter().map(|c| c.eval(item, message)).collect();
                let holds = !results.iter().any(|r| r.holds);
                // A `none` breaks where one of its conditions holds: those nodes are the offenders.
                let witnesses = results
                    .into_iter()
                    .filter(|r| r.holds != holds)
                    .flat_map(|r| r.witnesses)
                    .collect();
                Outcome { holds, witnesses }
            }
        }
    }
}

impl Condition {
    fn eval<'v, 't>(&'t self, item: &'v Value, message: &'t str) -> Outcome<'v, 't> {
        let template = self.message.as_deref().unwrap_or(message);
        let nodes = self.path.query_located(item);
        let witness = |pointer: String, path: String, value: Option<&'v Value>| Witness {
            pointer,
            path,
            value,
            template,
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
        let whole = |holds: bool| Outcome {
            holds,
            witnesses: vec![witness(String::new(), "$".into(), None)],
        };
        match &self.op {
            Op::Exists(wanted) => {
                let found = !nodes.is_empty();
                if found {
                    Outcome {
                        holds: *wanted,
                        witnesses: all_nodes(),
                    }
                } else {
                    whole(!*wanted)
                }
            }
            Op::Count(cmp, n) => {
                let holds = cmp.holds(nodes.len() as f64, *n);
                if nodes.is_empty() {
                    whole(holds)
                } else {
                    Outcome {
                        holds,
                        witnesses: all_nodes(),
                    }
                }
            }
            op => {
                if nodes.is_empty() {
                    let negative =
                        matches!(op, Op::NotEquals(_) | Op::NotIn(_) | Op::NotMatches(_));
                    return whole(self.if_missing.unwrap_or(negative));
                }
                let (good, bad): (Vec<_>, Vec<_>) =
                    nodes.iter().partition(|n| op.accepts(n.node()));
                let holds = bad.is_empty();
                let chosen = if holds { good } else { bad };
                Outcome {
                    holds,
                    witnesses: chosen
                        .into_iter()
                        .map(|n| {
                            witness(
                                n.location().to_json_pointer(),
                                n.location().to_string(),
                                Some(n.node()),
                            )
                        })
                        .collect(),
                }
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
            Op::Compare(cmp, n) => as_number(value).is_some_and(|v| cmp.holds(v, *n)),
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
