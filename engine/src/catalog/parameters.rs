//! Control parameters: thresholds a control declares with a type and a default, that
//! `assay.yaml` may set per control, and that the check refers to.
//!
//! A check names a parameter as a whole value, `{param: max_admins}` (an operand, a count
//! bound, an attestation's `max_age_days`, a Cedar `max_principals`), or inside a message as
//! `{params.max_admins}`; Rego policies read every parameter at `data.assay.parameters`. The
//! references are resolved in the control document before its check is compiled, and the
//! resolved document is validated again, so that a value of the wrong type for its place is
//! reported at the place, with the parameter and where its value was set.

use std::collections::BTreeMap;

use assay_collectors::{pointer_push, Position};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::format::ParameterDecl;
use crate::diag::{did_you_mean, Diagnostic};
use crate::parse::LocatedValue;
use crate::schema::{validate, SchemaKind};

/// The type of a parameter's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "param_type")]
pub enum ParamType {
    Integer,
    Number,
    String,
    Boolean,
    /// A list of strings.
    Strings,
}

impl ParamType {
    const NAMES: [(&'static str, ParamType); 5] = [
        ("integer", ParamType::Integer),
        ("number", ParamType::Number),
        ("string", ParamType::String),
        ("boolean", ParamType::Boolean),
        ("strings", ParamType::Strings),
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("", |(n, _)| n)
    }

    /// Whether `value` is of this type (an integer is also a number).
    pub fn accepts(self, value: &Value) -> bool {
        match self {
            ParamType::Integer => value.is_i64() || value.is_u64(),
            ParamType::Number => value.is_number(),
            ParamType::String => value.is_string(),
            ParamType::Boolean => value.is_boolean(),
            ParamType::Strings => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
        }
    }
}

/// One parameter of a control, with the value it takes in this run.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub kind: ParamType,
    pub default: Value,
    pub description: String,
    /// The effective value: the default, or what `assay.yaml` sets.
    pub value: Value,
    /// Where the value was set when it is not the default (`assay.yaml:12:7`).
    pub set_at: Option<String>,
}

/// One value set in `assay.yaml` under `parameters: {CONTROL: {NAME: value}}`.
#[derive(Debug, Clone, PartialEq)]
struct Override {
    control: String,
    name: String,
    value: Value,
    position: Option<Position>,
}

/// The parameter values an `assay.yaml` sets, with the file they come from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    file: String,
    values: Vec<Override>,
}

impl Overrides {
    /// Whether no value is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Reads `parameters:` of a schema-valid config document.
    pub fn from_config(doc: &LocatedValue) -> Overrides {
        let mut values = Vec::new();
        if let Some(Value::Object(controls)) = doc.value.get("parameters") {
            for (control, params) in controls {
                let Value::Object(params) = params else {
                    continue;
                };
                let at = pointer_push("/parameters", control);
                for (name, value) in params {
                    values.push(Override {
                        control: control.clone(),
                        name: name.clone(),
                        value: value.clone(),
                        position: doc.lines.position(&pointer_push(&at, name)),
                    });
                }
            }
        }
        Overrides {
            file: doc.file.clone(),
            values,
        }
    }

    fn diagnostic(&self, o: &Override, message: String) -> Diagnostic {
        Diagnostic::new(&self.file, message)
            .at(o.position)
            .key(pointer_push(
                &pointer_push("/parameters", &o.control),
                &o.name,
            ))
    }

    /// Errors for values set for controls the catalog does not have (`ids` sorted).
    pub fn unknown_controls(&self, ids: &[String]) -> Vec<Diagnostic> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for o in &self.values {
            if ids.binary_search(&o.control).is_ok() || seen.contains(&&o.control) {
                continue;
            }
            seen.push(&o.control);
            let d = self.diagnostic(o, format!("no control `{}` in the catalog", o.control));
            out.push(
                match did_you_mean(&o.control, ids.iter().map(String::as_str)) {
                    Some(close) => d.hint(format!("did you mean `{close}`?")),
                    None => d.hint("`assay controls list` shows every control"),
                },
            );
        }
        out
    }
}

/// Resolves the parameters of the control document `doc`: reads their declarations, applies
/// `overrides` (every one of them for this control), and replaces each reference in the check
/// by its value. Every problem of the control is returned at once; problems of the values set
/// in assay.yaml go to `config_errors`, and the control keeps its defaults for them.
pub fn resolve(
    doc: &mut LocatedValue,
    overrides: &Overrides,
    config_errors: &mut Vec<Diagnostic>,
) -> Result<Vec<Parameter>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut params = declared(doc, &mut errors);
    let id = doc
        .value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    for o in overrides.values.iter().filter(|o| o.control == id) {
        let names = params.iter().map(|p| p.name.as_str());
        let close = did_you_mean(&o.name, names).map(str::to_string);
        let Some(param) = params.iter_mut().find(|p| p.name == o.name) else {
            let known: Vec<String> = params.iter().map(|p| format!("`{}`", p.name)).collect();
            let d = overrides
                .diagnostic(o, format!("control `{id}` has no parameter `{}`", o.name))
                .expected(if known.is_empty() {
                    "no parameters: this control takes none".to_string()
                } else {
                    format!("one of {}", known.join(", "))
                });
            config_errors.push(match close {
                Some(close) => d.hint(format!("did you mean `{close}`?")),
                None => d.hint(format!("`assay explain {id}` lists its parameters")),
            });
            continue;
        };
        if !param.kind.accepts(&o.value) {
            config_errors.push(
                overrides
                    .diagnostic(
                        o,
                        format!(
                            "parameter `{}` of `{id}` takes {}, got `{}`",
                            o.name,
                            article(param.kind),
                            o.value
                        ),
                    )
                    .expected(format!(
                        "{} such as `{}`",
                        article(param.kind),
                        param.default
                    )),
            );
            continue;
        }
        param.value = o.value.clone();
        let position = o
            .position
            .map_or(String::new(), |p| format!(":{}:{}", p.line, p.column));
        param.set_at = Some(format!("{}{position}", overrides.file));
    }

    let values: Map<String, Value> = params
        .iter()
        .map(|p| (p.name.clone(), p.value.clone()))
        .collect();
    let mut uses = Uses::default();
    if let Some(check) = doc.value.get_mut("check") {
        substitute(check, "/check", None, &values, &mut uses);
    }
    for (pointer, name) in &uses.unknown {
        let mut d = doc.diagnostic(pointer, format!("unknown parameter `{name}`"));
        d = match did_you_mean(name, values.keys().map(String::as_str)) {
            Some(close) => d.hint(format!("did you mean `{close}`?")),
            None => {
                d.hint("declare it under `parameters:` with a type, a default and a description")
            }
        };
        errors.push(d);
    }
    let rego = doc.value.pointer("/check/rego").is_some();
    if !rego {
        for p in params.iter().filter(|p| !uses.names.contains(&p.name)) {
            errors.push(
                doc.diagnostic(&pointer_push("/parameters", &p.name), format!("parameter `{}` is never used", p.name))
                    .hint("refer to it in the check as `{param: NAME}` or in a message as `{params.NAME}`, or remove it"),
            );
        }
    }
    if rego && !params.is_empty() {
        inject_rego_data(doc, values, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if !uses.sites.is_empty() {
        // The values now stand where the references stood: check them against the schema.
        let problems = validate(SchemaKind::Control, &doc.file, &doc.value, &doc.lines);
        if !problems.is_empty() {
            return Err(problems
                .into_iter()
                .map(|d| explain_site(d, &uses.sites, &params))
                .collect());
        }
    }
    Ok(params)
}

/// The parameters declared under `parameters:` of a schema-valid control.
fn declared(doc: &LocatedValue, errors: &mut Vec<Diagnostic>) -> Vec<Parameter> {
    let Some(Value::Object(decls)) = doc.value.get("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, decl) in decls {
        let at = pointer_push("/parameters", name);
        // A declaration the schema rejected is reported as such.
        let Ok(ParameterDecl {
            kind,
            default,
            description,
        }) = ParameterDecl::deserialize(decl)
        else {
            continue;
        };
        if !kind.accepts(&default) {
            errors.push(
                doc.diagnostic(
                    &pointer_push(&at, "default"),
                    format!("the default of `{name}` is not {}", article(kind)),
                )
                .expected(article(kind)),
            );
        }
        out.push(Parameter {
            name: name.clone(),
            kind,
            value: default.clone(),
            default,
            description,
            set_at: None,
        });
    }
    out
}

fn article(kind: ParamType) -> String {
    match kind {
        ParamType::Integer => "an integer".into(),
        ParamType::Strings => "a list of strings".into(),
        other => format!("a {}", other.name()),
    }
}

/// What the substitution found.
#[derive(Default)]
struct Uses {
    /// The parameters referred to.
    names: Vec<String>,
    /// (pointer, parameter) of each value that replaced a `{param: …}`.
    sites: BTreeMap<String, String>,
    /// (pointer, name) of each reference to an undeclared parameter.
    unknown: Vec<(String, String)>,
}

impl Uses {
    fn used(&mut self, name: &str) {
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
    }
}

/// Replaces, below `value` (at `pointer`, under the key `key`), each `{param: NAME}` by the
/// parameter's value and each `{params.NAME}` of a message or pass message by its text.
fn substitute(
    value: &mut Value,
    pointer: &str,
    key: Option<&str>,
    values: &Map<String, Value>,
    uses: &mut Uses,
) {
    if let Some((name, times)) = reference(value) {
        match values.get(&name) {
            Some(v) => {
                *value = scaled(v, times);
                uses.used(&name);
                uses.sites.insert(pointer.to_string(), name);
            }
            None => uses.unknown.push((pointer.to_string(), name)),
        }
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                substitute(v, &pointer_push(pointer, k), Some(k), values, uses);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                substitute(v, &format!("{pointer}/{i}"), None, values, uses);
            }
        }
        Value::String(text)
            if matches!(key, Some("message" | "pass_message")) && text.contains("{params.") =>
        {
            *text = fill_message(text, pointer, values, uses);
        }
        _ => {}
    }
}

/// The name in `{param: NAME}`, and the factor of `{param: NAME, times: N}`.
fn reference(value: &Value) -> Option<(String, Option<f64>)> {
    let map = value.as_object()?;
    let name = map.get("param")?.as_str()?.to_string();
    match (map.len(), map.get("times")) {
        (1, None) => Some((name, None)),
        (2, Some(times)) => Some((name, Some(times.as_f64()?))),
        _ => None,
    }
}

/// A parameter's value in the unit of the place it stands: multiplied by `times` (a year
/// parameter compared with a period in days, `times: 365`). A value that is not a number stays
/// as it is, and the schema reports it at its place.
fn scaled(value: &Value, times: Option<f64>) -> Value {
    let (Some(times), Some(x)) = (times, value.as_f64()) else {
        return value.clone();
    };
    let product = x * times;
    if product.fract() == 0.0 && product.abs() < 9.0e15 {
        Value::from(product as i64)
    } else {
        serde_json::Number::from_f64(product).map_or(Value::Null, Value::Number)
    }
}

/// A message with each `{params.NAME}` replaced by the value's text, its braces doubled so
/// that they stay text when the message is rendered.
fn fill_message(text: &str, pointer: &str, values: &Map<String, Value>, uses: &mut Uses) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{params.") {
        out.push_str(&rest[..start]);
        let after = &rest[start + "{params.".len()..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match values.get(name) {
            Some(v) => {
                let shown = match v {
                    Value::String(s) => s.clone(),
                    Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                out.push_str(&shown.replace('{', "{{"));
                uses.used(name);
            }
            None => {
                uses.unknown.push((pointer.to_string(), name.to_string()));
                out.push_str(&rest[start..start + "{params.".len() + end + 1]);
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Puts the parameters at `data.assay.parameters` of a `rego` check.
fn inject_rego_data(
    doc: &mut LocatedValue,
    values: Map<String, Value>,
    errors: &mut Vec<Diagnostic>,
) {
    let Some(Value::Object(rego)) = doc.value.pointer_mut("/check/rego") else {
        return;
    };
    let data = rego
        .entry("data")
        .or_insert_with(|| Value::Object(Map::new()));
    let assay = data.as_object_mut().map(|d| {
        d.entry("assay")
            .or_insert_with(|| Value::Object(Map::new()))
    });
    match assay.and_then(Value::as_object_mut) {
        Some(assay) if !assay.contains_key("parameters") => {
            assay.insert("parameters".into(), Value::Object(values));
        }
        _ => errors.push(
            doc.diagnostic(
                "/check/rego/data",
                "`data.assay.parameters` is reserved for the control's parameters",
            )
            .hint("use another key in `data:`"),
        ),
    }
}

/// A schema violation at a place a parameter's value was put, told as such.
fn explain_site(
    d: Diagnostic,
    sites: &BTreeMap<String, String>,
    params: &[Parameter],
) -> Diagnostic {
    let site = d.key.as_ref().and_then(|key| {
        sites
            .iter()
            .find(|(pointer, _)| key == *pointer || key.starts_with(&format!("{pointer}/")))
    });
    let Some((_, name)) = site else {
        return d;
    };
    let Some(param) = params.iter().find(|p| &p.name == name) else {
        return d;
    };
    let origin = param
        .set_at
        .as_deref()
        .map_or_else(|| "its default".to_string(), |at| format!("set at {at}"));
    Diagnostic {
        message: format!(
            "parameter `{name}` = `{}` ({origin}) does not fit here: {}",
            param.value, d.message
        ),
        ..d
    }
}
