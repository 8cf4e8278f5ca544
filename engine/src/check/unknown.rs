//! Terraform values known only after apply (`${var.cidr}`, `${aws_vpc.main.id}`) inside the
//! filters of a JSONPath: whether some value they could take would make the path select a
//! node, so that a check such as `absent: true` is never passed on an unknown.
//!
//! The values tried for each unknown are the literals the path compares with (and their
//! neighbours, for `<` and `>`), alone or as a one-element list; every combination is tried
//! over the unknowns at attributes the path names, within [`MAX_TRIALS`] evaluations. Past
//! that bound the answer is "it could" (the check is undecided, never passed).

use serde_json::Value;
use serde_json_path::JsonPath;

/// Most evaluations of the path one subject may cost; more combinations count as a match.
const MAX_TRIALS: usize = 4_096;

/// Most nodes a subject may have for its unknowns to be tried; a larger one counts as a match.
const MAX_NODES: usize = 10_000;

/// An unknown value found in a subject: its JSON pointer and JSONPath within the subject.
pub(super) struct Unknown<'v> {
    pub pointer: String,
    pub path: String,
    pub value: &'v Value,
}

/// Whether a value holds a Terraform expression left unevaluated (`${var.x}`, `arn:${…}`).
pub(super) fn is_unknown(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(assay_collectors::terraform::is_template)
}

/// The unknowns of `value` at attributes `source` (the path's text) names, when some value
/// they could take makes `path` select a node; empty when none could (or there are none).
pub(super) fn could_select<'v>(
    path: &JsonPath,
    source: &str,
    value: &'v Value,
) -> Vec<Unknown<'v>> {
    let mut unknowns = Vec::new();
    let mut budget = MAX_NODES;
    collect(value, "", "$", source, &mut unknowns, &mut budget);
    if unknowns.is_empty() {
        return unknowns;
    }
    let candidates = candidates(source);
    let trials = (0..unknowns.len()).try_fold(1usize, |n, _| {
        n.checked_mul(candidates.len()).filter(|n| *n <= MAX_TRIALS)
    });
    let (Some(_), true) = (trials, budget > 0) else {
        return unknowns;
    };
    let mut trial = value.clone();
    let mut choice = vec![0usize; unknowns.len()];
    loop {
        for (u, &c) in unknowns.iter().zip(&choice) {
            if let Some(slot) = trial.pointer_mut(&u.pointer) {
                *slot = candidates[c].clone();
            }
        }
        if !path.query(&trial).is_empty() {
            return unknowns;
        }
        // The next combination, the first unknown turning fastest.
        let mut i = 0;
        loop {
            if i == choice.len() {
                return Vec::new();
            }
            choice[i] += 1;
            if choice[i] < candidates.len() {
                break;
            }
            choice[i] = 0;
            i += 1;
        }
    }
}

/// Adds the unknown strings of `value` whose attribute (the nearest object key above them) the
/// path names; `budget` counts down the nodes visited.
fn collect<'v>(
    value: &'v Value,
    pointer: &str,
    path: &str,
    source: &str,
    out: &mut Vec<Unknown<'v>>,
    budget: &mut usize,
) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(
                    item,
                    &format!("{pointer}/{i}"),
                    &format!("{path}[{i}]"),
                    source,
                    out,
                    budget,
                );
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                let quoted = key.replace('\\', "\\\\").replace('\'', "\\'");
                collect(
                    item,
                    &format!("{pointer}/{escaped}"),
                    &format!("{path}['{quoted}']"),
                    source,
                    out,
                    budget,
                );
            }
        }
        _ if is_unknown(value) && names(source, attribute(pointer)) => out.push(Unknown {
            pointer: pointer.to_string(),
            path: path.to_string(),
            value,
        }),
        _ => {}
    }
}

/// The nearest object key of a JSON pointer (list indices skipped), unescaped.
fn attribute(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .find(|t| !t.is_empty() && !t.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~")
}

/// Whether the path text names `attribute` (as `.name` or `'name'`).
fn names(source: &str, attribute: String) -> bool {
    !attribute.is_empty()
        && (source.contains(&format!(".{attribute}"))
            || source.contains(&format!("'{attribute}'"))
            || source.contains(&format!("\"{attribute}\"")))
}

/// The values an unknown may be given: the literals of the path (numbers with their
/// neighbours, `true`, `false`, `null`), each also as a one-element list.
fn candidates(source: &str) -> Vec<Value> {
    let mut scalars: Vec<Value> = vec![Value::Bool(true), Value::Bool(false), Value::Null];
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' || c == b'"' {
            let mut text = String::new();
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != c {
                if bytes[j] == b'\\' && j + 1 < bytes.len() {
                    j += 1;
                }
                text.push(bytes[j] as char);
                j += 1;
            }
            // Byte-wise copying is only right for ASCII; other literals are re-sliced.
            let text = if text.is_ascii() {
                text
            } else {
                source.get(i + 1..j).unwrap_or_default().to_string()
            };
            scalars.push(Value::String(text));
            i = j + 1;
        } else if c.is_ascii_digit()
            || (c == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let preceded = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j].is_ascii_digit() || bytes[j] == b'.') {
                j += 1;
            }
            if !preceded {
                if let Ok(n) = source[i..j].parse::<f64>() {
                    for m in [n - 1.0, n, n + 1.0] {
                        scalars.push(number(m));
                    }
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    let mut seen = Vec::new();
    for s in scalars {
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    let lists: Vec<Value> = seen.iter().map(|s| Value::Array(vec![s.clone()])).collect();
    seen.extend(lists);
    seen
}

/// A JSON number, whole when it is.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn selects(path: &str, value: Value) -> Vec<String> {
        let compiled = JsonPath::parse(path).unwrap();
        could_select(&compiled, path, &value)
            .into_iter()
            .map(|u| format!("{} {}", u.path, u.value))
            .collect()
    }

    #[test]
    fn an_unknown_that_could_match_is_named() {
        let path =
            "$.ingress[?@.cidr_blocks[?@ == '0.0.0.0/0'] && @.from_port <= 22 && @.to_port >= 22]";
        assert_eq!(
            selects(
                path,
                json!({"ingress": [{"cidr_blocks": ["${var.cidr}"], "from_port": 22, "to_port": 22}]})
            ),
            ["$['ingress'][0]['cidr_blocks'][0] \"${var.cidr}\""]
        );
        // A whole list unknown, and two unknowns that must match together.
        assert_eq!(
            selects(path, json!({"ingress": [{"cidr_blocks": "${var.cidrs}", "from_port": 22, "to_port": 22}]})).len(),
            1
        );
        assert_eq!(
            selects(path, json!({"ingress": [{"cidr_blocks": ["${var.c}"], "from_port": "${var.p}", "to_port": 22}]})).len(),
            2
        );
    }

    #[test]
    fn unknowns_that_cannot_match_or_are_not_read_are_not() {
        let path =
            "$.ingress[?@.cidr_blocks[?@ == '0.0.0.0/0'] && @.from_port <= 22 && @.to_port >= 22]";
        // A known private range: no port makes it open.
        assert!(selects(path, json!({"ingress": [{"cidr_blocks": ["10.0.0.0/8"], "from_port": "${var.p}", "to_port": 22}]})).is_empty());
        // An unknown the path does not read.
        assert!(selects(path, json!({"vpc_id": "${aws_vpc.main.id}", "ingress": []})).is_empty());
    }

    #[test]
    fn too_many_combinations_count_as_a_match() {
        let path = "$[?@.a == 1 && @.b == 2 && @.c == 3 && @.d == 4]";
        let found = selects(
            path,
            json!({"a": "${x}", "b": "${x}", "c": "${x}", "d": "${x}", "e": 0}),
        );
        assert_eq!(found.len(), 4);
    }
}
