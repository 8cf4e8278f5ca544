//! `.env` parser producing a flat JSON object of string values.
//!
//! Supports `KEY=value` and `export KEY=value` (spaces around `=` allowed), single-quoted
//! literal values, double-quoted values with `\n`, `\r`, `\t`, `\"` and `\\` escapes (both
//! quote styles may span lines), unquoted values with a trailing ` # comment` stripped, empty
//! values, comment lines and blank lines. Variables (`${OTHER}`) are not expanded. A repeated
//! key takes its last value, as a shell sourcing the file would.

use serde_json::{Map, Value};

use super::{ParseError, Parsed};
use crate::lines::{pointer_push, LineMap, Position};

const EXPECTED: &str = "expected `KEY=value`";

/// Parses a `.env` file.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let mut values = Map::new();
    let mut positions = LineMap::new();
    positions.insert(String::new(), Position::new(1, 1));

    let mut next = 0;
    while let Some(&line) = lines.get(next) {
        next += 1;
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let assignment = trimmed
            .strip_prefix("export")
            .filter(|rest| rest.starts_with([' ', '\t']))
            .map_or(trimmed, str::trim_start);
        let key_column = line[..line.len() - assignment.len()].chars().count() + 1;
        let position = Position::new(
            u32::try_from(next).unwrap_or(u32::MAX),
            u32::try_from(key_column).unwrap_or(u32::MAX),
        );
        let error = |message: &str| ParseError::new(position, message);

        let (key, raw) = assignment.split_once('=').ok_or_else(|| error(EXPECTED))?;
        let key = key.trim_end();
        if !is_key(key) {
            return Err(error(EXPECTED));
        }
        let value = match raw.trim_start().chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let after_quote = &raw.trim_start()[1..];
                quoted(&lines, &mut next, after_quote, quote).map_err(error)?
            }
            _ => unquoted(raw),
        };
        positions.insert(pointer_push("", key), position);
        values.insert(key.to_owned(), Value::String(value));
    }
    Ok(Parsed {
        data: Value::Object(values),
        lines: positions,
    })
}

/// A variable name: a letter or `_`, then letters, digits, `_`, `.` or `-`.
fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// An unquoted value: trimmed, with a `#` that follows whitespace starting a comment.
fn unquoted(raw: &str) -> String {
    let comment = raw
        .char_indices()
        .find(|&(at, c)| c == '#' && raw[..at].ends_with([' ', '\t']))
        .map_or(raw.len(), |(at, _)| at);
    raw[..comment].trim().to_owned()
}

/// Reads a quoted value from `first` (the text after the opening quote) and, while it is not
/// closed, the following lines; `next` is advanced past the lines consumed.
fn quoted(
    lines: &[&str],
    next: &mut usize,
    first: &str,
    quote: char,
) -> Result<String, &'static str> {
    let mut value = String::new();
    let mut current = first;
    loop {
        let mut chars = current.char_indices();
        while let Some((at, c)) = chars.next() {
            if c == quote {
                let trailing = current[at + 1..].trim_start();
                if trailing.is_empty() || trailing.starts_with('#') {
                    return Ok(value);
                }
                return Err("unexpected text after the closing quote");
            }
            if c == '\\' && quote == '"' {
                match chars.next().map(|(_, escaped)| escaped) {
                    Some('n') => value.push('\n'),
                    Some('r') => value.push('\r'),
                    Some('t') => value.push('\t'),
                    Some(escaped @ ('"' | '\\')) => value.push(escaped),
                    Some(other) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => value.push('\\'),
                }
                continue;
            }
            value.push(c);
        }
        let Some(&line) = lines.get(*next) else {
            return Err("unterminated quoted value");
        };
        *next += 1;
        value.push('\n');
        current = line;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SAMPLE: &str = "# database settings\n\
DB_HOST=localhost\n\
export DB_PORT=5432\n\
\n\
EMPTY=\n\
SPACED = padded value   # trailing comment\n\
COLOR=#fff\n\
URL=http://x/#anchor\n\
SINGLE='literal $HOME \\n'\n\
DOUBLE=\"line1\\nline2 \\\"quoted\\\" back\\\\slash\" # comment\n\
MULTI=\"first\n\
second\"\n\
\x20 INDENTED=yes\n\
DB_HOST=override\n";

    #[test]
    fn parses_values() {
        let parsed = parse(SAMPLE).unwrap();
        assert_eq!(
            parsed.data,
            json!({
                "DB_HOST": "override",
                "DB_PORT": "5432",
                "EMPTY": "",
                "SPACED": "padded value",
                "COLOR": "#fff",
                "URL": "http://x/#anchor",
                "SINGLE": "literal $HOME \\n",
                "DOUBLE": "line1\nline2 \"quoted\" back\\slash",
                "MULTI": "first\nsecond",
                "INDENTED": "yes"
            })
        );
    }

    #[test]
    fn records_lines() {
        let parsed = parse(SAMPLE).unwrap();
        let line = |pointer: &str| parsed.lines.line(pointer).unwrap();
        assert_eq!(line(""), 1);
        assert_eq!(line("/DB_PORT"), 3);
        assert_eq!(line("/EMPTY"), 5);
        assert_eq!(line("/MULTI"), 11);
        assert_eq!(line("/INDENTED"), 13);
        // A repeated key is recorded at its last assignment, whose value wins.
        assert_eq!(line("/DB_HOST"), 14);
        assert_eq!(parsed.lines.position("/DB_PORT"), Some(Position::new(3, 8)));
        assert_eq!(
            parsed.lines.position("/INDENTED"),
            Some(Position::new(13, 3))
        );
        assert_eq!(parsed.lines.len(), 11);
    }

    #[test]
    fn errors_name_the_line() {
        let error = parse("A=1\nnot an assignment\n").unwrap_err();
        assert_eq!(error.position, Position::new(2, 1));
        assert_eq!(error.message, "expected `KEY=value`");

        let error = parse("A=1\n\n  1BAD=x\n").unwrap_err();
        assert_eq!(error.position, Position::new(3, 3));
        assert_eq!(error.message, "expected `KEY=value`");

        let error = parse("A=1\nB=\"open\nstill open\n").unwrap_err();
        assert_eq!(error.position, Position::new(2, 1));
        assert_eq!(error.message, "unterminated quoted value");

        let error = parse("A='x' y\n").unwrap_err();
        assert_eq!(error.message, "unexpected text after the closing quote");

        assert!(parse("export\n").is_err());
        assert!(parse("=value\n").is_err());
    }

    #[test]
    fn edge_inputs() {
        assert_eq!(parse("").unwrap().data, json!({}));
        assert_eq!(
            parse("\u{feff}A=1\r\nB='x'\r\n").unwrap().data,
            json!({"A": "1", "B": "x"})
        );
        assert_eq!(parse("export=1\n").unwrap().data, json!({"export": "1"}));
        assert_eq!(
            parse("A=\"ends with backslash\\").unwrap_err().message,
            "unterminated quoted value"
        );
        assert!(parse("\u{0}\u{1}").is_err());
        assert_eq!(parse("K=é # c\n").unwrap().data, json!({"K": "é"}));
    }

    #[test]
    fn conftest_sample() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/dev/configs/conftest-examples/dotenv/sample.env");
        let Ok(text) = std::fs::read_to_string(path) else {
            println!("skipped: ../shared corpus not present");
            return;
        };
        let parsed = parse(&text).unwrap();
        assert_eq!(
            parsed.data,
            json!({"APP_NAME": "test", "MYSQL_USER": "user2"})
        );
        assert_eq!(parsed.lines.line("/MYSQL_USER"), Some(2));
    }
}
