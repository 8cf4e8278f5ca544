//! Evaluating the strings of a Terraform JSON-shaped document as HCL templates, with the
//! `hcl` crate's evaluator and the values one module instance knows.
//!
//! A value that cannot be known (an undeclared variable, a computed attribute, a function
//! static evaluation lacks, an error) leaves its string as written: `"${var.x}"` stays
//! `"${var.x}"`, so controls never take it for a literal and references stay visible.

use std::collections::BTreeSet;
use std::str::FromStr;

use hcl::eval::{Context, Evaluate};
use hcl::expr::{Expression, FuncCall, ObjectKey, Operation, TraversalOperator};
use hcl::template::{Directive, Element, Template};
use hcl::{Map, Value};
use serde_json::Value as Json;

use super::functions;
use crate::lines::{pointer_push, LineMap};

/// Most nodes a value declared to expressions (a variable, a local, an output) may have;
/// larger values stay unknown, so that expressions over them stay cheap.
pub const MAX_VALUE_NODES: usize = 100_000;

/// Most iterations nested `for` loops of one template may make, judged before evaluation from
/// the heaviest value a loop could iterate.
const MAX_ITERATIONS: usize = 1_000_000;

/// The names expressions of one module instance can reference, with their values.
#[derive(Clone)]
pub struct Env {
    ctx: Context<'static>,
    /// The declared top-level names and their values (the context does not expose its own).
    roots: Map<String, Value>,
    /// Roots whose objects hold only what is known (resources, modules): a missing attribute
    /// is unknown rather than an error.
    partial: BTreeSet<String>,
    /// The weight ([`weight`]) of the heaviest declared value: what one loop may iterate.
    heaviest: usize,
}

impl Env {
    pub fn new() -> Env {
        let mut ctx = Context::new();
        functions::declare(&mut ctx);
        Env {
            ctx,
            roots: Map::new(),
            partial: BTreeSet::new(),
            heaviest: functions::MAX_RANGE,
        }
    }

    /// Declares `name` (e.g. `var`, `local`, `count`, `aws_s3_bucket`). With `partial`, the
    /// value holds only the known attributes of what the name stands for.
    pub fn declare(&mut self, name: &str, value: Value, partial: bool) {
        self.heaviest = self.heaviest.max(weight(&value));
        self.ctx.declare_var(name, value.clone());
        self.roots.insert(name.to_string(), value);
        if partial {
            self.partial.insert(name.to_string());
        } else {
            self.partial.remove(name);
        }
    }

    /// A copy with `name` declared as well.
    pub fn with(&self, name: &str, value: Value) -> Env {
        let mut env = self.clone();
        env.declare(name, value, false);
        env
    }

    /// The value of a JSON string read as an HCL template; `None` when it cannot be known.
    /// Strings without interpolations or directives are themselves.
    pub fn string(&self, text: &str) -> Option<Json> {
        if !is_template(text) {
            return Some(Json::String(text.to_string()));
        }
        let mut template = Template::from_str(text).ok()?;
        // Nested loops over large values could run for hours: such templates stay unknown.
        let depth = template_for_depth(&template);
        if depth > 0 && self.heaviest.saturating_pow(depth) > MAX_ITERATIONS {
            return None;
        }
        for element in template.elements_mut() {
            if let Element::Interpolation(interpolation) = element {
                self.fold_try(&mut interpolation.expr);
            }
        }
        let value = match template.elements() {
            [Element::Interpolation(only)] => only.expr.evaluate(&self.ctx).ok()?,
            _ => Value::String(template.evaluate(&self.ctx).ok()?),
        };
        Some(to_json(&value))
    }

    /// Evaluates the JSON tree `value` found at `src` of the source document, to be stored at
    /// `dst`; every node's position is copied from `old` into `new`. Returns the value and
    /// whether every part of it is known.
    pub fn tree(
        &self,
        value: &Json,
        src: &str,
        dst: &str,
        old: &LineMap,
        new: &mut LineMap,
    ) -> (Json, bool) {
        if let Some(position) = old.position(src) {
            new.insert(dst.to_string(), position);
        }
        match value {
            Json::String(s) => match self.string(s) {
                Some(v) => (v, true),
                None => (value.clone(), false),
            },
            Json::Array(items) => {
                let mut known = true;
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let key = i.to_string();
                    let (v, k) = self.tree(
                        item,
                        &pointer_push(src, &key),
                        &pointer_push(dst, &key),
                        old,
                        new,
                    );
                    known &= k;
                    out.push(v);
                }
                (Json::Array(out), known)
            }
            Json::Object(map) => {
                let mut known = true;
                let mut out = serde_json::Map::new();
                for (key, item) in map {
                    if key == "dynamic" {
                        if let Some(rendered) =
                            self.dynamic(item, &pointer_push(src, key), dst, old, new, &mut out)
                        {
                            known &= rendered;
                            continue;
                        }
                    }
                    let (src, dst) = (pointer_push(src, key), pointer_push(dst, key));
                    // Blocks written beside rendered `dynamic` ones follow them.
                    let (v, k) = match (out.get(key), item) {
                        (Some(Json::Array(rendered)), Json::Array(blocks)) => {
                            let offset = rendered.len();
                            let mut all = (Vec::new(), true);
                            for (i, block) in blocks.iter().enumerate() {
                                let (v, k) = self.tree(
                                    block,
                                    &pointer_push(&src, &i.to_string()),
                                    &pointer_push(&dst, &(offset + i).to_string()),
                                    old,
                                    new,
                                );
                                all.0.push(v);
                                all.1 &= k;
                            }
                            (Json::Array(all.0), all.1)
                        }
                        _ => self.tree(item, &src, &dst, old, new),
                    };
                    known &= k;
                    merge_block(&mut out, key, v);
                }
                (Json::Object(out), known)
            }
            other => (other.clone(), true),
        }
    }

    /// Renders the `dynamic` blocks `spec` (`{"ingress": {"for_each": .., "content": [..]}}`)
    /// into `out` as the blocks they stand for. `None` (nothing rendered) when a `for_each`
    /// cannot be known; the `dynamic` entry is then kept as written.
    fn dynamic(
        &self,
        spec: &Json,
        src: &str,
        dst: &str,
        old: &LineMap,
        new: &mut LineMap,
        out: &mut serde_json::Map<String, Json>,
    ) -> Option<bool> {
        let Json::Object(kinds) = spec else {
            return None;
        };
        let mut rendered = Vec::new();
        for (label, body) in kinds {
            let Json::Object(body) = body else {
                return None;
            };
            let collection = self.string(body.get("for_each")?.as_str()?)?;
            let iterator = match body.get("iterator").and_then(Json::as_str) {
                Some(name) => name
                    .trim_start_matches("${")
                    .trim_end_matches('}')
                    .to_string(),
                None => label.clone(),
            };
            let content_src = pointer_push(&pointer_push(src, label), "content");
            let content = match body.get("content")? {
                Json::Array(items) if items.len() == 1 => {
                    (&items[0], pointer_push(&content_src, "0"))
                }
                other => (other, content_src),
            };
            for (key, value) in entries(&collection)?
                .into_iter()
                .take(functions::MAX_ELEMENTS)
            {
                let mut each = Map::new();
                each.insert("key".to_string(), key);
                each.insert("value".to_string(), value);
                rendered.push((
                    label.clone(),
                    self.with(&iterator, Value::Object(each)),
                    content.clone(),
                ));
            }
        }
        let mut known = true;
        for (label, env, (content, content_src)) in rendered {
            let index = out
                .get(&label)
                .and_then(Json::as_array)
                .map_or(0, Vec::len)
                .to_string();
            let at = pointer_push(&pointer_push(dst, &label), &index);
            let (v, k) = env.tree(content, &content_src, &at, old, new);
            known &= k;
            merge_block(out, &label, Json::Array(vec![v]));
        }
        Some(known)
    }

    /// Replaces each `try(..)` and `can(..)` call whose outcome is known by its value.
    /// Arguments are tried in order; an argument that fails while it references something
    /// unknown leaves the call in place (so the whole expression stays unknown).
    pub fn fold_try(&self, expr: &mut Expression) {
        if let Expression::FuncCall(call) = expr {
            let name = call.name.name.as_str();
            if call.name.namespace.is_empty() && (name == "try" || name == "can") {
                if let Some(value) = self.try_call(call, name == "can") {
                    *expr = value.into();
                }
                return;
            }
        }
        match expr {
            Expression::Array(items) => items.iter_mut().for_each(|e| self.fold_try(e)),
            Expression::Object(object) => object.values_mut().for_each(|e| self.fold_try(e)),
            Expression::Traversal(traversal) => self.fold_try(&mut traversal.expr),
            Expression::FuncCall(call) => call.args.iter_mut().for_each(|e| self.fold_try(e)),
            Expression::Parenthesis(inner) => self.fold_try(inner),
            Expression::Conditional(c) => {
                self.fold_try(&mut c.cond_expr);
                self.fold_try(&mut c.true_expr);
                self.fold_try(&mut c.false_expr);
            }
            Expression::Operation(op) => match op.as_mut() {
                Operation::Unary(u) => self.fold_try(&mut u.expr),
                Operation::Binary(b) => {
                    self.fold_try(&mut b.lhs_expr);
                    self.fold_try(&mut b.rhs_expr);
                }
            },
            // Inside `for` expressions the loop variables are unknown here: left as written.
            _ => {}
        }
    }

    fn try_call(&self, call: &FuncCall, can: bool) -> Option<Value> {
        for arg in &call.args {
            let mut arg = arg.clone();
            self.fold_try(&mut arg);
            match arg.evaluate(&self.ctx) {
                Ok(value) => return Some(if can { Value::Bool(true) } else { value }),
                Err(_) if self.mentions_unknown(&arg) => return None,
                Err(_) if can => return Some(Value::Bool(false)),
                Err(_) => {}
            }
        }
        None
    }

    /// Whether `expr` references a name or attribute whose value is not known.
    fn mentions_unknown(&self, expr: &Expression) -> bool {
        let mut unknown = false;
        visit(expr, &mut |e| {
            if let Some((root, path)) = reference(e) {
                unknown |= self.is_unknown(root, &path);
            }
        });
        unknown
    }

    fn is_unknown(&self, root: &str, path: &[&str]) -> bool {
        let Some(mut value) = self.roots.get(root) else {
            return true;
        };
        let depth = if self.partial.contains(root) {
            path.len()
        } else {
            path.len().min(1)
        };
        for name in &path[..depth] {
            match value {
                Value::Object(map) => match map.get(*name) {
                    Some(v) => value = v,
                    None => return true,
                },
                _ => return false,
            }
        }
        false
    }
}

/// Whether a JSON string is an HCL template (has an interpolation or a directive).
pub fn is_template(text: &str) -> bool {
    text.contains("${") || text.contains("%{")
}

/// Adds the evaluated `value` under `key`, appending to the blocks already rendered there by a
/// `dynamic` block when both are lists of blocks.
fn merge_block(out: &mut serde_json::Map<String, Json>, key: &str, value: Json) {
    match (out.get_mut(key), value) {
        (Some(Json::Array(existing)), Json::Array(more)) => existing.extend(more),
        (Some(_), _) => {}
        (None, value) => {
            out.insert(key.to_string(), value);
        }
    }
}

/// The `(key, value)` pairs a `for_each` iterates: a map's entries, or a list's (set's)
/// elements keyed by themselves. `None` for anything else.
pub fn entries(collection: &Json) -> Option<Vec<(Value, Value)>> {
    match collection {
        Json::Object(map) => Some(
            map.iter()
                .map(|(k, v)| (Value::String(k.clone()), from_json(v)))
                .collect(),
        ),
        Json::Array(items) => Some(items.iter().map(|v| (from_json(v), from_json(v))).collect()),
        _ => None,
    }
}

/// The root name and attribute names of a reference such as `var.a` or `aws_s3_bucket.b.id`.
fn reference(expr: &Expression) -> Option<(&str, Vec<&str>)> {
    match expr {
        Expression::Variable(v) => Some((v.as_str(), Vec::new())),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let path = t
                .operators
                .iter()
                .map_while(|op| match op {
                    TraversalOperator::GetAttr(name) => Some(name.as_str()),
                    _ => None,
                })
                .collect();
            Some((root.as_str(), path))
        }
        _ => None,
    }
}

/// Calls `f` on `expr` and every expression inside it, templates included.
pub fn visit(expr: &Expression, f: &mut dyn FnMut(&Expression)) {
    f(expr);
    children(expr, &mut |child| visit(child, f));
}

/// Calls `f` on each expression directly inside `expr` (those of its templates included).
fn children(expr: &Expression, f: &mut dyn FnMut(&Expression)) {
    match expr {
        Expression::Array(items) => items.iter().for_each(f),
        Expression::Object(object) => {
            for (key, value) in object {
                if let ObjectKey::Expression(key) = key {
                    f(key);
                }
                f(value);
            }
        }
        Expression::TemplateExpr(template) => {
            if let Ok(template) = Template::from_expr(template) {
                template_children(&template, f);
            }
        }
        Expression::Traversal(t) => {
            f(&t.expr);
            for op in &t.operators {
                if let TraversalOperator::Index(e) = op {
                    f(e);
                }
            }
        }
        Expression::FuncCall(call) => call.args.iter().for_each(f),
        Expression::Parenthesis(inner) => f(inner),
        Expression::Conditional(c) => {
            f(&c.cond_expr);
            f(&c.true_expr);
            f(&c.false_expr);
        }
        Expression::Operation(op) => match op.as_ref() {
            Operation::Unary(u) => f(&u.expr),
            Operation::Binary(b) => {
                f(&b.lhs_expr);
                f(&b.rhs_expr);
            }
        },
        Expression::ForExpr(e) => {
            f(&e.collection_expr);
            if let Some(k) = &e.key_expr {
                f(k);
            }
            f(&e.value_expr);
            if let Some(c) = &e.cond_expr {
                f(c);
            }
        }
        _ => {}
    }
}

/// Calls `f` on the expressions of a template's interpolations and directives, and on those
/// of the templates nested in its directives.
fn template_children(template: &Template, f: &mut dyn FnMut(&Expression)) {
    for element in template.elements() {
        match element {
            Element::Literal(_) => {}
            Element::Interpolation(i) => f(&i.expr),
            Element::Directive(d) => match d.as_ref() {
                Directive::If(d) => {
                    f(&d.cond_expr);
                    template_children(&d.true_template, f);
                    if let Some(t) = &d.false_template {
                        template_children(t, f);
                    }
                }
                Directive::For(d) => {
                    f(&d.collection_expr);
                    template_children(&d.template, f);
                }
            },
        }
    }
}

fn visit_template(template: &Template, f: &mut dyn FnMut(&Expression)) {
    template_children(template, &mut |e| visit(e, f));
}

/// How deeply `for` expressions and `%{ for }` directives nest in `expr`.
fn for_depth(expr: &Expression) -> u32 {
    if let Expression::TemplateExpr(template) = expr {
        return Template::from_expr(template).map_or(0, |t| template_for_depth(&t));
    }
    let mut deepest = 0;
    children(expr, &mut |child| deepest = deepest.max(for_depth(child)));
    deepest + u32::from(matches!(expr, Expression::ForExpr(_)))
}

fn template_for_depth(template: &Template) -> u32 {
    let mut deepest = 0;
    for element in template.elements() {
        let depth = match element {
            Element::Literal(_) => 0,
            Element::Interpolation(i) => for_depth(&i.expr),
            Element::Directive(d) => match d.as_ref() {
                Directive::If(d) => for_depth(&d.cond_expr)
                    .max(template_for_depth(&d.true_template))
                    .max(d.false_template.as_ref().map_or(0, template_for_depth)),
                Directive::For(d) => {
                    for_depth(&d.collection_expr).max(1 + template_for_depth(&d.template))
                }
            },
        };
        deepest = deepest.max(depth);
    }
    deepest
}

/// The names of `root.NAME` references (e.g. the locals a local uses) in the templates of a
/// JSON tree.
pub fn referenced(value: &Json, root: &str, out: &mut BTreeSet<String>) {
    match value {
        Json::String(s) if is_template(s) => {
            if let Ok(template) = Template::from_str(s) {
                visit_template(&template, &mut |e| {
                    if let Some((r, path)) = reference(e) {
                        if r == root {
                            if let Some(name) = path.first() {
                                out.insert((*name).to_string());
                            }
                        }
                    }
                });
            }
        }
        Json::Array(items) => items.iter().for_each(|v| referenced(v, root, out)),
        Json::Object(map) => map.values().for_each(|v| referenced(v, root, out)),
        _ => {}
    }
}

/// The nodes of a value plus its string bytes over 64: a bound on what iterating it or
/// interpolating it costs.
fn weight(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(weight).sum::<usize>(),
        Value::Object(map) => 1 + map.values().map(weight).sum::<usize>(),
        Value::String(s) => 1 + s.len() / 64,
        _ => 1,
    }
}

/// The number of nodes of a JSON value.
pub fn nodes(value: &Json) -> usize {
    match value {
        Json::Array(items) => 1 + items.iter().map(nodes).sum::<usize>(),
        Json::Object(map) => 1 + map.values().map(nodes).sum::<usize>(),
        _ => 1,
    }
}

pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Json::Null, Json::Number)
            }
        }
        Value::String(s) => Json::String(s.clone()),
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Object(map) => {
            Json::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

pub fn from_json(value: &Json) -> Value {
    match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().map_or(Value::Null, Value::from)
            }
        }
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(from_json).collect()),
        Json::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

/// The JSON tree with only its literal parts: strings that are templates are dropped (from
/// objects) — what another resource may read of a resource's attributes.
pub fn literal_part(value: &Json) -> Option<Json> {
    match value {
        Json::String(s) if is_template(s) => None,
        Json::Array(items) => items
            .iter()
            .map(literal_part)
            .collect::<Option<Vec<_>>>()
            .map(Json::Array),
        Json::Object(map) => Some(Json::Object(
            map.iter()
                .filter_map(|(k, v)| literal_part(v).map(|v| (k.clone(), v)))
                .collect(),
        )),
        other => Some(other.clone()),
    }
}
