//! Builtins whose regorus versions give other answers than OPA's, replaced by extensions of
//! the same name (regorus looks extensions up before its own builtins): `sprintf` (Go's
//! formatting: signs, widths, flags, `%v` of floats, bad verbs), `glob.match` (`**` and
//! the default `.` delimiter), and `numbers.range`/`numbers.range_step` (bounded in size).
//! One of assay's own: `assay.secret_name(name)`, whether a key or variable name says it
//! holds a secret, the rule that also decides what kept evidence redacts.

mod glob;
mod range;
mod sprintf;

use anyhow::{bail, Result};
use regorus::{Engine, Value};

/// Installs the replacements on `engine`.
pub fn register(engine: &mut Engine) -> Result<()> {
    engine.add_extension("sprintf".into(), 2, Box::new(sprintf_builtin))?;
    engine.add_extension("glob.match".into(), 3, Box::new(glob_match_builtin))?;
    engine.add_extension("numbers.range".into(), 2, Box::new(range::range))?;
    engine.add_extension("numbers.range_step".into(), 3, Box::new(range::range_step))?;
    engine.add_extension("assay.secret_name".into(), 1, Box::new(secret_name_builtin))?;
    Ok(())
}

fn secret_name_builtin(args: Vec<Value>) -> Result<Value> {
    Ok(Value::from(match args.first() {
        Some(Value::String(name)) => assay_collectors::secret_name::is_secret_name(name),
        _ => false,
    }))
}

fn sprintf_builtin(args: Vec<Value>) -> Result<Value> {
    let (Some(format), Some(values)) = (args.first(), args.get(1)) else {
        bail!("sprintf: expects 2 arguments");
    };
    let Value::String(format) = format else {
        bail!(
            "sprintf: operand 1 must be string but got {}",
            type_name(format)
        );
    };
    let Value::Array(values) = values else {
        bail!(
            "sprintf: operand 2 must be array but got {}",
            type_name(values)
        );
    };
    let values: Vec<Value> = values.iter().cloned().collect();
    Ok(Value::from(sprintf::sprintf(format, &values)))
}

fn glob_match_builtin(args: Vec<Value>) -> Result<Value> {
    let (Some(pattern), Some(delimiters), Some(text)) = (args.first(), args.get(1), args.get(2))
    else {
        bail!("glob.match: expects 3 arguments");
    };
    let (Value::String(pattern), Value::String(text)) = (pattern, text) else {
        bail!("glob.match: the pattern and the matched value must be strings");
    };
    let delimiters = match delimiters {
        Value::Null => None,
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|d| match d {
                    Value::String(s) => s.chars().next(),
                    _ => None,
                })
                .collect(),
        ),
        other => bail!(
            "glob.match: operand 2 must be array or null but got {}",
            type_name(other)
        ),
    };
    glob::matches(pattern, delimiters, text)
        .map(Value::from)
        .map_err(|e| anyhow::anyhow!("glob.match: {e}"))
}

/// OPA's name of a value's type, for error messages.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Set(_) => "set",
        Value::Object(_) => "object",
        Value::Undefined => "undefined",
    }
}

/// A value as OPA prints it: `null`, `[1, "a"]`, `{"k": true}`, `{1, 2}`, `set()`.
pub fn rego_text(value: &Value) -> String {
    let join = |items: Vec<String>| items.join(", ");
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if (1e-4..1e21).contains(&f.abs()) => f.to_string(),
            (None, Some(f)) => sprintf::sprintf("%v", &[Value::from(f)]),
            (None, None) => n.format_decimal(),
        },
        Value::String(s) => sprintf::quote(s),
        Value::Array(a) => format!("[{}]", join(a.iter().map(rego_text).collect())),
        Value::Set(s) if s.is_empty() => "set()".into(),
        Value::Set(s) => format!("{{{}}}", join(s.iter().map(rego_text).collect())),
        Value::Object(o) => format!(
            "{{{}}}",
            join(
                o.iter()
                    .map(|(k, v)| format!("{}: {}", rego_text(k), rego_text(v)))
                    .collect()
            )
        ),
        Value::Undefined => "undefined".into(),
    }
}
