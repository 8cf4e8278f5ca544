//! TOML parser built on `toml_edit`, which keeps the byte span of every key and value.
//!
//! Tables and inline tables become JSON objects, arrays and arrays of tables become JSON arrays,
//! datetimes become their RFC 3339 text, and non-finite floats (`inf`, `nan`) become the strings
//! `"inf"`, `"-inf"` and `"nan"` because JSON has no number for them.

use serde_json::{Map, Number, Value};
use toml_edit::{Document, Item, TableLike};

use super::{lowercase_first, ParseError, Parsed};
use crate::lines::{pointer_push, LineIndex, LineMap, Position};

/// Parses a TOML document.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut index = LineIndex::new(text);
    let document = Document::parse(text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        ParseError::new(index.position(offset), lowercase_first(error.message()))
    })?;
    let mut converter = Converter {
        index,
        lines: LineMap::new(),
    };
    converter.lines.insert(String::new(), Position::new(1, 1));
    let data = converter.table(document.as_table(), "");
    Ok(Parsed {
        data,
        lines: converter.lines,
    })
}

struct Converter<'a> {
    index: LineIndex<'a>,
    lines: LineMap,
}

impl Converter<'_> {
    fn table(&mut self, table: &dyn TableLike, pointer: &str) -> Value {
        let mut map = Map::new();
        for (key, item) in table.iter() {
            let child = pointer_push(pointer, key);
            let span = table
                .key(key)
                .and_then(|k| k.span())
                .or_else(|| item.span());
            self.lines.insert_span(&mut self.index, &child, span);
            let value = self.item(item, &child);
            map.insert(key.to_owned(), value);
        }
        Value::Object(map)
    }

    fn item(&mut self, item: &Item, pointer: &str) -> Value {
        match item {
            Item::None => Value::Null,
            Item::Value(value) => self.value(value, pointer),
            Item::Table(table) => self.table(table, pointer),
            Item::ArrayOfTables(tables) => {
                let mut out = Vec::with_capacity(tables.len());
                for (i, table) in tables.iter().enumerate() {
                    let child = pointer_push(pointer, &i.to_string());
                    self.lines
                        .insert_span(&mut self.index, &child, table.span());
                    out.push(self.table(table, &child));
                }
                Value::Array(out)
            }
        }
    }

    fn value(&mut self, value: &toml_edit::Value, pointer: &str) -> Value {
        use toml_edit::Value as V;
        match value {
            V::String(s) => Value::String(s.value().clone()),
            V::Integer(i) => Value::from(*i.value()),
            V::Float(f) => float(*f.value()),
            V::Boolean(b) => Value::Bool(*b.value()),
            V::Datetime(d) => Value::String(d.value().to_string()),
            V::Array(array) => {
                let mut out = Vec::with_capacity(array.len());
                for (i, element) in array.iter().enumerate() {
                    let child = pointer_push(pointer, &i.to_string());
                    self.lines
                        .insert_span(&mut self.index, &child, element.span());
                    out.push(self.value(element, &child));
                }
                Value::Array(out)
            }
            V::InlineTable(table) => self.table(table, pointer),
        }
    }
}

fn float(f: f64) -> Value {
    match Number::from_f64(f) {
        Some(n) => Value::Number(n),
        None if f.is_nan() => Value::String("nan".into()),
        None if f > 0.0 => Value::String("inf".into()),
        None => Value::String("-inf".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        // toml_edit stops at its own recursion limit (80, below ours).
        let arrays = "x = ".to_string() + &"[".repeat(5_000) + &"]".repeat(5_000) + "\n";
        assert!(parse(&arrays).is_err());
        let tables = "x = ".to_string() + &"{a = ".repeat(5_000) + "1" + &"}".repeat(5_000);
        assert!(parse(&tables).is_err());
        let keys = "[".to_string() + &vec!["a"; 5_000].join(".") + "]\n";
        assert!(parse(&keys).is_err());
    }

    const SAMPLE: &str = r#"title = "demo"
a.b.c = 1

[server]
host = "example.com"
ports = [ 80,
  443 ]
started = 1979-05-27 07:32:00Z
day = 1979-05-27
ratio = 0.5
limit = inf
inline = { x = 1, "y/z" = "q" }

[x.y]
enabled = true

[[products]]
name = "a"

[[products]]
name = "b"
"#;

    #[test]
    fn converts_values() {
        let parsed = parse(SAMPLE).unwrap();
        assert_eq!(
            parsed.data,
            json!({
                "title": "demo",
                "a": {"b": {"c": 1}},
                "server": {
                    "host": "example.com",
                    "ports": [80, 443],
                    "started": "1979-05-27T07:32:00Z",
                    "day": "1979-05-27",
                    "ratio": 0.5,
                    "limit": "inf",
                    "inline": {"x": 1, "y/z": "q"}
                },
                "x": {"y": {"enabled": true}},
                "products": [{"name": "a"}, {"name": "b"}]
            })
        );
    }

    #[test]
    fn records_lines_of_every_node() {
        let parsed = parse(SAMPLE).unwrap();
        let line = |pointer: &str| parsed.lines.line(pointer).unwrap();
        assert_eq!(line(""), 1);
        assert_eq!(line("/title"), 1);
        assert_eq!(line("/a/b/c"), 2);
        assert_eq!(line("/server"), 4);
        assert_eq!(line("/server/host"), 5);
        assert_eq!(line("/server/ports"), 6);
        assert_eq!(line("/server/ports/0"), 6);
        assert_eq!(line("/server/ports/1"), 7);
        assert_eq!(line("/server/started"), 8);
        assert_eq!(line("/server/inline/y~1z"), 12);
        assert_eq!(line("/x/y/enabled"), 15);
        assert_eq!(line("/products/0"), 17);
        assert_eq!(line("/products/1/name"), 21);
        assert_eq!(
            parsed.lines.position("/server/ports/1"),
            Some(Position::new(7, 3))
        );
        assert_eq!(
            parsed.lines.position("/server/inline/x"),
            Some(Position::new(12, 12))
        );
    }

    #[test]
    fn every_node_has_an_exact_entry() {
        let parsed = parse(SAMPLE).unwrap();
        // 1 root + every member and element in the converted value.
        fn count(value: &Value) -> usize {
            match value {
                Value::Object(map) => map.values().map(|v| 1 + count(v)).sum(),
                Value::Array(items) => items.iter().map(|v| 1 + count(v)).sum(),
                _ => 0,
            }
        }
        assert_eq!(parsed.lines.len(), 1 + count(&parsed.data));
    }

    #[test]
    fn columns_count_characters() {
        let parsed = parse("k = { \"é\" = 1, b = 2 }").unwrap();
        assert_eq!(parsed.lines.position("/k/b"), Some(Position::new(1, 16)));
    }

    #[test]
    fn reports_syntax_errors_with_position() {
        let error = parse("a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(error.position, Position::new(2, 5));
        assert!(error.message.starts_with("extra `=`"), "{}", error.message);

        let error = parse("a = 1\n[a]\n").unwrap_err();
        assert_eq!(error.position, Position::new(2, 2));
        assert_eq!(error.message, "duplicate key");
    }

    #[test]
    fn empty_and_garbage_input_do_not_panic() {
        assert_eq!(parse("").unwrap().data, json!({}));
        assert!(parse("\u{0}\u{1}\u{fffd}[[").is_err());
        assert!(parse("x = \"").is_err());
    }

    #[test]
    fn line_index_resumes_and_restarts() {
        let mut index = LineIndex::new("ab\ncdé f");
        assert_eq!(index.position(0), Position::new(1, 1));
        assert_eq!(index.position(7), Position::new(2, 4));
        assert_eq!(index.position(8), Position::new(2, 5));
        assert_eq!(index.position(4), Position::new(2, 2));
        assert_eq!(index.position(99), Position::new(2, 6));
    }
}
