//! A selector's `where` filter. It is written as a filter on a one-element array holding the
//! item (`$[?@.type == 'sbom']`); running it that way needs a copy of the item, which for a
//! large document (an SBOM with 100,000 components) costs as much memory as the document.
//! When the filter reads the item only through `@`, the same test is run on the item itself.

use serde_json::Value;
use serde_json_path::JsonPath;

#[derive(Debug)]
pub struct ItemFilter {
    /// The filter as written, run against `[item]`.
    wrapped: JsonPath,
    /// `$[?test]` with the test's own `@` read as `$`: run on an object or array item, it
    /// returns each child when the test holds of the item, none otherwise.
    direct: Option<JsonPath>,
}

impl ItemFilter {
    /// `compiled` is `source` already parsed (with its diagnostics reported by the caller).
    pub fn new(source: &str, compiled: JsonPath) -> Self {
        Self {
            wrapped: compiled,
            direct: on_item(source).and_then(|text| JsonPath::parse(&text).ok()),
        }
    }

    /// Whether the filter keeps `item`.
    pub fn keeps(&self, item: &Value) -> bool {
        let has_children = match item {
            Value::Object(map) => !map.is_empty(),
            Value::Array(list) => !list.is_empty(),
            _ => false,
        };
        match &self.direct {
            Some(direct) if has_children => !direct.query(item).is_empty(),
            _ => !self
                .wrapped
                .query(&Value::Array(vec![item.clone()]))
                .is_empty(),
        }
    }
}

/// `$[?test]` rewritten so that the test reads the root instead of the current node: each `@`
/// of the outer filter (not those of nested filters, nor inside string literals) becomes `$`.
/// `None` when the filter cannot be rewritten that way: it reads the root `$` (the wrapping
/// array), or has segments after the filter.
fn on_item(source: &str) -> Option<String> {
    let rest = source.trim().strip_prefix("$[?")?;
    let mut out = String::from("$[?");
    // For each open bracket inside the outer filter, whether it opened a nested filter.
    let mut brackets: Vec<bool> = Vec::new();
    let mut quote: Option<char> = None;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == '\\' {
                out.push(chars.next()?);
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '$' => return None,
            '@' if !brackets.contains(&true) => {
                out.push('$');
                continue;
            }
            '[' => {
                let tail: String = chars.clone().collect();
                brackets.push(tail.trim_start().starts_with('?'));
            }
            // Closes a nested bracket, or (none open) the outer filter.
            ']' if brackets.pop().is_none() => {
                out.push(']');
                let trailing: String = chars.collect();
                return trailing.trim().is_empty().then_some(out);
            }
            _ => {}
        }
        out.push(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn filter(source: &str) -> ItemFilter {
        ItemFilter::new(source, JsonPath::parse(source).unwrap())
    }

    #[test]
    fn rewrites_only_the_outer_current_node() {
        assert_eq!(
            on_item("$[?@.type == 'sbom']").as_deref(),
            Some("$[?$.type == 'sbom']")
        );
        assert_eq!(
            on_item("$[?@.jobs[?@.x == '@']]").as_deref(),
            Some("$[?$.jobs[?@.x == '@']]")
        );
        assert_eq!(
            on_item("$[?length(@.a[0]) > 1 && @[\"b]\"]]").as_deref(),
            Some("$[?length($.a[0]) > 1 && $[\"b]\"]]")
        );
        assert_eq!(on_item("$[?@.a == $[0].b]"), None, "reads the wrapper");
        assert_eq!(on_item("$[?@.a][0]"), None, "a segment after the filter");
    }

    #[test]
    fn direct_and_wrapped_runs_agree() {
        let items = [
            json!({"type": "sbom", "components": [{"x": 1}], "n": 3}),
            json!({"type": "inventory", "components": [], "n": 0}),
            json!({}),
            json!([1, 2]),
            json!("sbom"),
            json!({"jobs": {"a": {"x": "@"}, "b": {"x": 2}}}),
        ];
        let sources = [
            "$[?@.type == 'sbom']",
            "$[?@.n > 1]",
            "$[?!@.type]",
            "$[?@.components[?@.x == 1]]",
            "$[?length(@.components) == 0]",
            "$[?@.jobs[?@.x == '@']]",
            "$[?@ == 'sbom']",
            "$[?@[0] == 1]",
        ];
        for source in sources {
            let f = filter(source);
            assert!(f.direct.is_some(), "{source} is run on the item");
            for item in &items {
                let wrapped = !f
                    .wrapped
                    .query(&Value::Array(vec![item.clone()]))
                    .is_empty();
                assert_eq!(f.keeps(item), wrapped, "{source} on {item}");
            }
        }
    }
}
