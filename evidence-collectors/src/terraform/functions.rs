//! The Terraform built-in functions static evaluation knows, declared on an `hcl` evaluation
//! context. Functions that read files, call out or depend on time (`file`, `templatefile`,
//! `timestamp`, `uuid`) are left undeclared: a call to them stays unknown.
//!
//! `try` and `can` are not functions here: their arguments must be evaluated lazily, which
//! [`super::expr`] does before evaluation.

use std::collections::BTreeSet;

use base64::Engine as _;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl::{Map, Number, Value};
use sha2::Digest as _;

/// Longest string a function may build, in bytes.
const MAX_STRING: usize = 1 << 20;

/// Most elements a function may build into one list, set or map.
pub const MAX_ELEMENTS: usize = 10_000;

/// Most elements `range` may build (Terraform's own limit is 1024 too).
pub const MAX_RANGE: usize = 1024;

type Func = fn(FuncArgs) -> Result<Value, String>;

const FUNCTIONS: &[(&str, Func)] = &[
    ("abs", abs),
    ("alltrue", alltrue),
    ("anytrue", anytrue),
    ("base64decode", base64decode),
    ("base64encode", base64encode),
    ("ceil", ceil),
    ("chomp", chomp),
    ("coalesce", coalesce),
    ("coalescelist", coalescelist),
    ("compact", compact),
    ("concat", concat),
    ("contains", contains),
    ("distinct", distinct),
    ("element", element),
    ("endswith", endswith),
    ("flatten", flatten),
    ("floor", floor),
    ("format", format),
    ("index", index),
    ("join", join),
    ("jsondecode", jsondecode),
    ("jsonencode", jsonencode),
    ("keys", keys),
    ("length", length),
    ("lookup", lookup),
    ("lower", lower),
    ("max", max),
    ("merge", merge),
    ("min", min),
    ("one", one),
    ("range", range),
    ("replace", replace),
    ("reverse", reverse),
    ("sha256", sha256),
    ("slice", slice),
    ("sort", sort),
    ("split", split),
    ("startswith", startswith),
    ("strcontains", strcontains),
    ("substr", substr),
    ("sum", sum),
    ("title", title),
    ("tobool", tobool),
    ("tolist", tolist),
    ("tomap", tomap),
    ("tonumber", tonumber),
    ("toset", toset),
    ("tostring", tostring),
    ("trim", trim),
    ("trimprefix", trimprefix),
    ("trimspace", trimspace),
    ("trimsuffix", trimsuffix),
    ("upper", upper),
    ("values", values),
    ("zipmap", zipmap),
];

/// Declares every known function on `ctx`.
pub fn declare(ctx: &mut Context) {
    for (name, func) in FUNCTIONS {
        ctx.declare_func(
            *name,
            FuncDef::builder()
                .variadic_param(ParamType::Any)
                .build(*func),
        );
    }
}

fn arg(args: &FuncArgs, i: usize) -> Result<&Value, String> {
    args.get(i)
        .ok_or_else(|| format!("missing argument {}", i + 1))
}

fn string(args: &FuncArgs, i: usize) -> Result<String, String> {
    match arg(args, i)? {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("argument {} must be a string, got {other}", i + 1)),
    }
}

fn list(args: &FuncArgs, i: usize) -> Result<&Vec<Value>, String> {
    match arg(args, i)? {
        Value::Array(items) => Ok(items),
        _ => Err(format!("argument {} must be a list", i + 1)),
    }
}

fn map(args: &FuncArgs, i: usize) -> Result<&Map<String, Value>, String> {
    match arg(args, i)? {
        Value::Object(m) => Ok(m),
        _ => Err(format!("argument {} must be a map or object", i + 1)),
    }
}

fn number(value: &Value) -> Result<f64, String> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| "not a number".to_string()),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number")),
        other => Err(format!("{other} is not a number")),
    }
}

fn integer(value: &Value) -> Result<i64, String> {
    let f = number(value)?;
    if f.fract() != 0.0 || f.abs() > 9.0e15 {
        return Err(format!("{f} is not a whole number"));
    }
    Ok(f as i64)
}

fn from_f64(f: f64) -> Result<Value, String> {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Ok(Value::from(f as i64));
    }
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| "the result is not a finite number".to_string())
}

fn bounded(s: String) -> Result<Value, String> {
    if s.len() > MAX_STRING {
        Err(format!("the result is longer than {MAX_STRING} bytes"))
    } else {
        Ok(Value::String(s))
    }
}

fn bounded_list(items: Vec<Value>) -> Result<Value, String> {
    if items.len() > MAX_ELEMENTS {
        Err(format!("the result has more than {MAX_ELEMENTS} elements"))
    } else {
        Ok(Value::Array(items))
    }
}

/// The string form Terraform gives a primitive value in string contexts.
fn display(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("a null value cannot become a string".into()),
        _ => Err("a collection cannot become a string".into()),
    }
}

fn abs(args: FuncArgs) -> Result<Value, String> {
    from_f64(number(arg(&args, 0)?)?.abs())
}

fn ceil(args: FuncArgs) -> Result<Value, String> {
    from_f64(number(arg(&args, 0)?)?.ceil())
}

fn floor(args: FuncArgs) -> Result<Value, String> {
    from_f64(number(arg(&args, 0)?)?.floor())
}

fn numbers(args: &FuncArgs) -> Result<Vec<f64>, String> {
    let values: Vec<&Value> = match args.first() {
        Some(Value::Array(items)) if args.len() == 1 => items.iter().collect(),
        _ => args.iter().collect(),
    };
    values.into_iter().map(number).collect()
}

fn max(args: FuncArgs) -> Result<Value, String> {
    let n = numbers(&args)?;
    from_f64(n.into_iter().reduce(f64::max).ok_or("no arguments")?)
}

fn min(args: FuncArgs) -> Result<Value, String> {
    let n = numbers(&args)?;
    from_f64(n.into_iter().reduce(f64::min).ok_or("no arguments")?)
}

fn sum(args: FuncArgs) -> Result<Value, String> {
    from_f64(list(&args, 0)?.iter().map(number).sum::<Result<f64, _>>()?)
}

fn all_bools(args: &FuncArgs) -> Result<Vec<bool>, String> {
    list(args, 0)?
        .iter()
        .map(|v| match v {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
            _ => Err("the list must hold booleans".to_string()),
        })
        .collect()
}

fn alltrue(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(all_bools(&args)?.into_iter().all(|b| b)))
}

fn anytrue(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(all_bools(&args)?.into_iter().any(|b| b)))
}

fn base64encode(args: FuncArgs) -> Result<Value, String> {
    bounded(base64::engine::general_purpose::STANDARD.encode(string(&args, 0)?))
}

fn base64decode(args: FuncArgs) -> Result<Value, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(string(&args, 0)?)
        .map_err(|e| e.to_string())?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "the decoded bytes are not UTF-8".into())
}

fn sha256(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(hex::encode(sha2::Sha256::digest(string(
        &args, 0,
    )?))))
}

fn chomp(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(
        string(&args, 0)?.trim_end_matches(['\n', '\r']).to_string(),
    ))
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(string(&args, 0)?.to_lowercase()))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(string(&args, 0)?.to_uppercase()))
}

fn title(args: FuncArgs) -> Result<Value, String> {
    let mut out = String::new();
    let mut start = true;
    for c in string(&args, 0)?.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !c.is_alphanumeric();
    }
    Ok(Value::String(out))
}

fn trimspace(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(string(&args, 0)?.trim().to_string()))
}

fn trim(args: FuncArgs) -> Result<Value, String> {
    let cut: Vec<char> = string(&args, 1)?.chars().collect();
    Ok(Value::String(
        string(&args, 0)?.trim_matches(cut.as_slice()).to_string(),
    ))
}

fn trimprefix(args: FuncArgs) -> Result<Value, String> {
    let s = string(&args, 0)?;
    let prefix = string(&args, 1)?;
    Ok(Value::String(
        s.strip_prefix(prefix.as_str()).unwrap_or(&s).to_string(),
    ))
}

fn trimsuffix(args: FuncArgs) -> Result<Value, String> {
    let s = string(&args, 0)?;
    let suffix = string(&args, 1)?;
    Ok(Value::String(
        s.strip_suffix(suffix.as_str()).unwrap_or(&s).to_string(),
    ))
}

fn startswith(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(
        string(&args, 0)?.starts_with(&string(&args, 1)?),
    ))
}

fn endswith(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(string(&args, 0)?.ends_with(&string(&args, 1)?)))
}

fn strcontains(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Bool(string(&args, 0)?.contains(&string(&args, 1)?)))
}

/// `replace(string, substring, replacement)`; a substring written `/re/` is a regular
/// expression whose `$1` groups the replacement may use.
fn replace(args: FuncArgs) -> Result<Value, String> {
    let s = string(&args, 0)?;
    let from = string(&args, 1)?;
    let to = string(&args, 2)?;
    let out = match from
        .strip_prefix('/')
        .and_then(|f| f.strip_suffix('/'))
        .filter(|f| !f.is_empty())
    {
        Some(pattern) => {
            let re = regex::RegexBuilder::new(pattern)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| e.to_string())?;
            re.replace_all(&s, to.as_str()).into_owned()
        }
        None if from.is_empty() => s,
        None => {
            let count = s.matches(from.as_str()).count();
            if count.saturating_mul(to.len()) > MAX_STRING {
                return Err(format!("the result is longer than {MAX_STRING} bytes"));
            }
            s.replace(from.as_str(), &to)
        }
    };
    bounded(out)
}

fn split(args: FuncArgs) -> Result<Value, String> {
    let separator = string(&args, 0)?;
    let s = string(&args, 1)?;
    if separator.is_empty() {
        return Err("the separator is empty".into());
    }
    bounded_list(
        s.split(separator.as_str())
            .map(|part| Value::String(part.to_string()))
            .collect(),
    )
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let separator = string(&args, 0)?;
    let mut parts = Vec::new();
    for i in 1..args.len() {
        for item in list(&args, i)? {
            parts.push(display(item)?);
        }
    }
    bounded(parts.join(&separator))
}

fn substr(args: FuncArgs) -> Result<Value, String> {
    let chars: Vec<char> = string(&args, 0)?.chars().collect();
    let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let mut offset = integer(arg(&args, 1)?)?;
    if offset < 0 {
        offset += len;
    }
    let offset = offset.clamp(0, len);
    let length = integer(arg(&args, 2)?)?;
    let end = if length < 0 {
        len
    } else {
        offset.saturating_add(length).min(len)
    };
    Ok(Value::String(
        chars[offset as usize..end.max(offset) as usize]
            .iter()
            .collect(),
    ))
}

/// `format(spec, values...)` with the verbs `%s %d %f %t %v %q %%`, a width (`%5s`, `%-5s`,
/// `%03d`) and decimals (`%.2f`).
fn format(args: FuncArgs) -> Result<Value, String> {
    let spec = string(&args, 0)?;
    let mut out = String::new();
    let mut next = 1;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut precision = None;
        let (mut width, mut zero, mut left) = (0usize, false, false);
        while let Some(&f) = chars.peek() {
            match f {
                '.' => precision = Some(0usize),
                '0' if width == 0 && precision.is_none() => zero = true,
                '-' => left = true,
                '0'..='9' => {
                    let digit = f as usize - '0' as usize;
                    match &mut precision {
                        Some(p) => *p = (*p * 10 + digit).min(64),
                        None => width = (width * 10 + digit).min(1024),
                    }
                }
                '+' | '#' | ' ' => {}
                _ => break,
            }
            chars.next();
        }
        let verb = chars.next().ok_or("the format ends inside a verb")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let value = arg(&args, next).map_err(|_| "too few arguments for the format")?;
        next += 1;
        let text = match verb {
            's' | 'v' | 't' => match value {
                Value::Array(_) | Value::Object(_) => json_text(value)?,
                other => display(other)?,
            },
            'd' => integer(value)?.to_string(),
            'f' => format!("{:.*}", precision.unwrap_or(6), number(value)?),
            'q' => serde_json::to_string(&display(value)?).unwrap_or_default(),
            other => return Err(format!("unsupported format verb `%{other}`")),
        };
        let pad = width.saturating_sub(text.chars().count());
        if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if zero && matches!(verb, 'd' | 'f') {
            let (sign, digits) = match text.strip_prefix('-') {
                Some(rest) => ("-", rest),
                None => ("", text.as_str()),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
        if out.len() > MAX_STRING {
            return Err(format!("the result is longer than {MAX_STRING} bytes"));
        }
    }
    Ok(Value::String(out))
}

fn json_text(value: &Value) -> Result<String, String> {
    let text = serde_json::to_string(&super::expr::to_json(value)).map_err(|e| e.to_string())?;
    if text.len() > MAX_STRING {
        return Err(format!("the result is longer than {MAX_STRING} bytes"));
    }
    Ok(text)
}

fn jsonencode(args: FuncArgs) -> Result<Value, String> {
    json_text(arg(&args, 0)?).map(Value::String)
}

fn jsondecode(args: FuncArgs) -> Result<Value, String> {
    let text = string(&args, 0)?;
    if crate::limits::bracket_depth_over(&text, b"{[", b"}]", crate::limits::MAX_DEPTH, true)
        .is_some()
    {
        return Err(crate::limits::too_deep());
    }
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok(super::expr::from_json(&json))
}

fn length(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::from(match arg(&args, 0)? {
        Value::Array(items) => items.len(),
        Value::Object(m) => m.len(),
        Value::String(s) => s.chars().count(),
        other => return Err(format!("{other} has no length")),
    }))
}

fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for i in 0..args.len() {
        out.extend(list(&args, i)?.iter().cloned());
        if out.len() > MAX_ELEMENTS {
            break;
        }
    }
    bounded_list(out)
}

fn merge(args: FuncArgs) -> Result<Value, String> {
    let mut out = Map::new();
    for value in args.iter() {
        match value {
            Value::Object(m) => {
                for (k, v) in m {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Null => {}
            _ => return Err("merge takes maps or objects".into()),
        }
    }
    Ok(Value::Object(out))
}

fn lookup(args: FuncArgs) -> Result<Value, String> {
    let m = map(&args, 0)?;
    let key = string(&args, 1)?;
    match (m.get(&key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!("no key `{key}` and no default")),
    }
}

fn keys(args: FuncArgs) -> Result<Value, String> {
    let mut keys: Vec<&String> = map(&args, 0)?.keys().collect();
    keys.sort();
    Ok(Value::Array(
        keys.into_iter().map(|k| Value::String(k.clone())).collect(),
    ))
}

fn values(args: FuncArgs) -> Result<Value, String> {
    let m = map(&args, 0)?;
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    Ok(Value::Array(
        keys.into_iter().map(|k| m[k].clone()).collect(),
    ))
}

fn contains(args: FuncArgs) -> Result<Value, String> {
    let needle = arg(&args, 1)?;
    Ok(Value::Bool(list(&args, 0)?.contains(needle)))
}

fn index(args: FuncArgs) -> Result<Value, String> {
    let needle = arg(&args, 1)?;
    list(&args, 0)?
        .iter()
        .position(|v| v == needle)
        .map(Value::from)
        .ok_or_else(|| "the value is not in the list".into())
}

fn element(args: FuncArgs) -> Result<Value, String> {
    let items = list(&args, 0)?;
    if items.is_empty() {
        return Err("the list is empty".into());
    }
    let i = integer(arg(&args, 1)?)?;
    if i < 0 {
        return Err("the index is negative".into());
    }
    Ok(items[(i as usize) % items.len()].clone())
}

fn coalesce(args: FuncArgs) -> Result<Value, String> {
    args.iter()
        .find(|v| !matches!(v, Value::Null) && !matches!(v, Value::String(s) if s.is_empty()))
        .cloned()
        .ok_or_else(|| "every argument is null or empty".into())
}

fn coalescelist(args: FuncArgs) -> Result<Value, String> {
    args.iter()
        .find(|v| matches!(v, Value::Array(items) if !items.is_empty()))
        .cloned()
        .ok_or_else(|| "every list is empty".into())
}

fn compact(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Array(
        list(&args, 0)?
            .iter()
            .filter(|v| !matches!(v, Value::Null) && !matches!(v, Value::String(s) if s.is_empty()))
            .cloned()
            .collect(),
    ))
}

fn distinct(args: FuncArgs) -> Result<Value, String> {
    let mut out: Vec<Value> = Vec::new();
    for v in list(&args, 0)? {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(Value::Array(out))
}

fn flatten(args: FuncArgs) -> Result<Value, String> {
    fn into(out: &mut Vec<Value>, items: &[Value], depth: usize) -> Result<(), String> {
        if depth > crate::limits::MAX_DEPTH {
            return Err(crate::limits::too_deep());
        }
        for item in items {
            match item {
                Value::Array(inner) => into(out, inner, depth + 1)?,
                other => out.push(other.clone()),
            }
            if out.len() > MAX_ELEMENTS {
                return Err(format!("the result has more than {MAX_ELEMENTS} elements"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    into(&mut out, list(&args, 0)?, 0)?;
    Ok(Value::Array(out))
}

fn reverse(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::Array(
        list(&args, 0)?.iter().rev().cloned().collect(),
    ))
}

fn slice(args: FuncArgs) -> Result<Value, String> {
    let items = list(&args, 0)?;
    let start = integer(arg(&args, 1)?)?;
    let end = integer(arg(&args, 2)?)?;
    if start < 0 || end < start || end as usize > items.len() {
        return Err("the slice is out of range".into());
    }
    Ok(Value::Array(items[start as usize..end as usize].to_vec()))
}

fn sort(args: FuncArgs) -> Result<Value, String> {
    let mut strings = list(&args, 0)?
        .iter()
        .map(display)
        .collect::<Result<Vec<_>, _>>()?;
    strings.sort();
    Ok(Value::Array(
        strings.into_iter().map(Value::String).collect(),
    ))
}

fn one(args: FuncArgs) -> Result<Value, String> {
    match list(&args, 0)?.as_slice() {
        [] => Ok(Value::Null),
        [only] => Ok(only.clone()),
        _ => Err("the list has more than one element".into()),
    }
}

fn range(args: FuncArgs) -> Result<Value, String> {
    let n = numbers(&args)?;
    let (start, end, step) = match n.as_slice() {
        [end] => (0.0, *end, 1.0),
        [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
        [start, end, step] => (*start, *end, *step),
        _ => return Err("range takes one to three numbers".into()),
    };
    if step == 0.0 || (end - start) / step > MAX_RANGE as f64 {
        return Err(format!("the range has more than {MAX_RANGE} elements"));
    }
    let mut out = Vec::new();
    let mut at = start;
    while (step > 0.0 && at < end) || (step < 0.0 && at > end) {
        out.push(from_f64(at)?);
        at += step;
    }
    bounded_list(out)
}

fn zipmap(args: FuncArgs) -> Result<Value, String> {
    let keys = list(&args, 0)?;
    let values = list(&args, 1)?;
    if keys.len() != values.len() {
        return Err("the lists differ in length".into());
    }
    let mut out = Map::new();
    for (k, v) in keys.iter().zip(values) {
        out.insert(display(k)?, v.clone());
    }
    Ok(Value::Object(out))
}

fn tomap(args: FuncArgs) -> Result<Value, String> {
    map(&args, 0).map(|m| Value::Object(m.clone()))
}

fn tolist(args: FuncArgs) -> Result<Value, String> {
    list(&args, 0).map(|items| Value::Array(items.clone()))
}

/// `toset`: the distinct elements, strings sorted as Terraform orders a set of strings.
fn toset(args: FuncArgs) -> Result<Value, String> {
    let items = list(&args, 0)?;
    if items.iter().all(|v| matches!(v, Value::String(_))) {
        let set: BTreeSet<String> = items
            .iter()
            .filter_map(|v| v.as_str())
            .map(String::from)
            .collect();
        return Ok(Value::Array(set.into_iter().map(Value::String).collect()));
    }
    distinct(args)
}

fn tostring(args: FuncArgs) -> Result<Value, String> {
    match arg(&args, 0)? {
        Value::Null => Ok(Value::Null),
        other => display(other).map(Value::String),
    }
}

fn tonumber(args: FuncArgs) -> Result<Value, String> {
    match arg(&args, 0)? {
        Value::Null => Ok(Value::Null),
        other => from_f64(number(other)?),
    }
}

fn tobool(args: FuncArgs) -> Result<Value, String> {
    match arg(&args, 0)? {
        Value::Null => Ok(Value::Null),
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        other => Err(format!("{other} is not a boolean")),
    }
}
