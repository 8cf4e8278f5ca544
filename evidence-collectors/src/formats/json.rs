//! JSON parser: `serde_json` builds the value, then a single linear pass over the (now known to
//! be valid) text records where every node starts.
//!
//! The position pass keeps an explicit stack instead of recursing, so it handles the deepest
//! documents `serde_json` accepts and multi-megabyte SBOMs or Terraform plans alike. With
//! duplicate keys the last occurrence wins, as it does in the value `serde_json` returns.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, DeserializeOwned, Deserializer, Visitor};
use serde_json::Value;

use super::{ParseError, Parsed};
use crate::limits::{bracket_depth_over, too_deep, MAX_DEPTH};
use crate::lines::{pointer_push, LineIndex, LineMap, Position};

/// Parses a JSON document.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    parse_into(text, LineMap::new())
}

/// Deserializes a JSON document straight from its text into `T`, which keeps what it reads
/// and skips the rest (no value tree is built), and records the positions only of the nodes
/// reached through object keys `keep` accepts (see [`LineMap::keeping`]).
pub fn parse_typed<T: DeserializeOwned>(
    text: &str,
    keep: fn(&str) -> bool,
) -> Result<(T, LineMap), ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ParseError::new(Position::new(1, 1), "empty document"));
    }
    // serde_json skips an ignored member without counting its depth: nesting a value tree
    // would refuse (its 128th level) is refused here, wherever it is.
    if let Some(at) = bracket_depth_over(text, b"{[", b"}]", MAX_DEPTH - 1, true) {
        return Err(ParseError::new(
            LineIndex::new(text).position(at),
            too_deep(),
        ));
    }
    let data = serde_json::from_str(text).map_err(|error| syntax_error(text, &error))?;
    Ok((data, locate(text, LineMap::keeping(keep))))
}

fn parse_into(text: &str, lines: LineMap) -> Result<Parsed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(ParseError::new(Position::new(1, 1), "empty document"));
    }
    let data: Value = serde_json::from_str(text).map_err(|error| syntax_error(text, &error))?;
    Ok(Parsed {
        data,
        lines: locate(text, lines),
    })
}

/// Turns a `serde_json` error ("expected `:` at line 2 column 7") into a [`ParseError`] whose
/// column counts characters rather than bytes.
fn syntax_error(text: &str, error: &serde_json::Error) -> ParseError {
    let full = error.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(message, _)| message)
        .replace("EOF", "end of file");
    let line = error.line().max(1);
    let line_text = text.split('\n').nth(line - 1).unwrap_or("");
    // serde_json's column is the 1-based byte column of the offending byte.
    let byte_column = error.column().saturating_sub(1).min(line_text.len());
    let column = 1 + count_char_starts(&line_text.as_bytes()[..byte_column]);
    ParseError::new(Position::new(saturate(line), saturate(column)), message)
}

fn count_char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| is_char_start(b)).count()
}

fn is_char_start(byte: u8) -> bool {
    (byte & 0xC0) != 0x80
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An open object or array: where its pointer ends, and for arrays the next element index.
struct Container {
    pointer_len: usize,
    next_index: Option<usize>,
}

/// Records the position of every node of valid JSON `text` in `lines`.
fn locate(text: &str, mut lines: LineMap) -> LineMap {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        offset: 0,
        line: 1,
        column: 1,
    };
    let mut pointer = String::new();
    let mut stack: Vec<Container> = Vec::new();

    scanner.skip_whitespace();
    lines.insert(String::new(), scanner.position());
    // Invariant at the top of the loop: the scanner is at the start of a value whose pointer
    // is `pointer` and whose position has been recorded.
    loop {
        match scanner.peek() {
            Some(open @ (b'{' | b'[')) => {
                scanner.bump();
                stack.push(Container {
                    pointer_len: pointer.len(),
                    next_index: (open == b'[').then_some(0),
                });
                scanner.skip_whitespace();
                if !matches!(scanner.peek(), Some(b'}' | b']')) {
                    enter_child(&mut scanner, &mut stack, &mut pointer, &mut lines);
                    continue;
                }
            }
            Some(b'"') => scanner.skip_string(),
            Some(_) => scanner.skip_scalar(),
            None => return lines,
        }
        // The value just ended: close containers until one has a next child.
        loop {
            scanner.skip_whitespace();
            match scanner.peek() {
                Some(b',') => {
                    scanner.bump();
                    scanner.skip_whitespace();
                    enter_child(&mut scanner, &mut stack, &mut pointer, &mut lines);
                    break;
                }
                Some(b'}' | b']') => {
                    scanner.bump();
                    if let Some(container) = stack.pop() {
                        pointer.truncate(container.pointer_len);
                    }
                    if stack.is_empty() {
                        return lines;
                    }
                }
                _ => return lines,
            }
        }
    }
}

/// Moves from the start of the next member or element of the innermost container to the start
/// of its value, updating `pointer` and recording the position.
fn enter_child(
    scanner: &mut Scanner<'_>,
    stack: &mut [Container],
    pointer: &mut String,
    lines: &mut LineMap,
) {
    let Some(container) = stack.last_mut() else {
        return;
    };
    let position = scanner.position();
    let token = match container.next_index.as_mut() {
        Some(index) => {
            *index += 1;
            (*index - 1).to_string()
        }
        None => {
            let key = scanner.read_key();
            scanner.skip_whitespace();
            scanner.bump(); // the `:`
            scanner.skip_whitespace();
            key
        }
    };
    *pointer = pointer_push(&pointer[..container.pointer_len], &token);
    lines.insert(pointer.clone(), position);
}

/// A cursor over JSON text that tracks the 1-based line and character column.
struct Scanner<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u32,
    column: u32,
}

impl Scanner<'_> {
    fn position(&self) -> Position {
        Position::new(self.line, self.column)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.offset).copied()
    }

    fn bump(&mut self) {
        let Some(&byte) = self.bytes.get(self.offset) else {
            return;
        };
        self.offset += 1;
        if byte == b'\n' {
            self.line = self.line.saturating_add(1);
            self.column = 1;
        } else if is_char_start(byte) {
            // Passing the first byte of a character moves to the next column.
            self.column = self.column.saturating_add(1);
        }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    /// Skips a string starting at its opening quote, including the closing quote.
    fn skip_string(&mut self) {
        self.bump();
        while let Some(byte) = self.peek() {
            self.bump();
            match byte {
                b'\\' => self.bump(),
                b'"' => return,
                _ => {}
            }
        }
    }

    /// Skips a number, `true`, `false` or `null`.
    fn skip_scalar(&mut self) {
        while let Some(byte) = self.peek() {
            if matches!(byte, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                return;
            }
            self.bump();
        }
    }

    /// Reads an object key (a string) and returns its decoded text.
    fn read_key(&mut self) -> String {
        let start = self.offset;
        self.skip_string();
        let raw = &self.bytes[start..self.offset];
        if raw.contains(&b'\\') {
            serde_json::from_slice(raw).unwrap_or_default()
        } else {
            String::from_utf8_lossy(raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default())
                .into_owned()
        }
    }
}

/// An object key, borrowed from the text when it holds no escapes.
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_every_node() {
        let text =
            "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    {\"c\": null}\n  ],\n  \"d/e\": \"x\"\n}\n";
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.data,
            json!({"a": 1, "b": [true, {"c": null}], "d/e": "x"})
        );
        let line = |pointer: &str| parsed.lines.line(pointer).unwrap();
        assert_eq!(line(""), 1);
        assert_eq!(line("/a"), 2);
        assert_eq!(line("/b"), 3);
        assert_eq!(line("/b/0"), 4);
        assert_eq!(line("/b/1"), 5);
        assert_eq!(line("/d~1e"), 7);
        assert_eq!(parsed.lines.position("/b/1/c"), Some(Position::new(5, 6)));
        assert_eq!(parsed.lines.len(), 7);
    }

    #[test]
    fn records_only_kept_keys_and_their_elements() {
        let text = "{\n  \"items\": [\n    {\"name\": \"a\",\n     \"items\": [1]}\n  ],\n  \"other\": {\"items\": 2}\n}\n";
        let (_, lines) = parse_typed::<Value>(text, |key| key == "items").unwrap();
        let recorded = |pointer: &str| lines.position(pointer).map(|p| p.line);
        assert_eq!(recorded("/items/0"), Some(3));
        assert_eq!(recorded("/items/0/items/0"), Some(4));
        // Not recorded: found at the nearest recorded ancestor.
        assert_eq!(recorded("/items/0/name"), Some(3));
        assert_eq!(recorded("/other/items"), Some(1));
        assert_eq!(lines.len(), 5, "root, /items, /items/0 and its items");
    }

    #[test]
    fn typed_reading_refuses_what_a_value_tree_would() {
        #[derive(serde::Deserialize)]
        struct Named {
            #[allow(dead_code)]
            name: String,
        }
        let deep = |levels: usize| {
            format!(
                "{{\"name\": \"a\",\n \"skipped\": {}{}}}",
                "[".repeat(levels),
                "]".repeat(levels)
            )
        };
        // serde_json stops at a value's 128th level, the root object being the first.
        assert!(parse(&deep(126)).is_ok());
        assert!(parse(&deep(127)).is_err());
        assert!(parse_typed::<Named>(&deep(126), |_| true).is_ok());
        let error = parse_typed::<Named>(&deep(127), |_| true).err().unwrap();
        assert_eq!(error.position, Position::new(2, 139));
        assert!(error.message.contains("nesting limit"), "{}", error.message);
        let error = parse_typed::<Named>("{\"name\": 1}", |_| true)
            .err()
            .unwrap();
        assert_eq!(error.position, Position::new(1, 10));
        assert!(
            error.message.starts_with("invalid type"),
            "{}",
            error.message
        );
        let error = parse_typed::<Named>(" \n", |_| true).err().unwrap();
        assert_eq!(error.message, "empty document");
    }

    #[test]
    fn root_position_skips_leading_whitespace() {
        let parsed = parse("\n\n  [1, 2]").unwrap();
        assert_eq!(parsed.lines.position(""), Some(Position::new(3, 3)));
        assert_eq!(parsed.lines.position("/1"), Some(Position::new(3, 7)));
    }

    #[test]
    fn columns_count_characters_and_skip_escapes() {
        let text = r#"{"é\"}": "ü\\", "k\u00e9y": [ "a", 2 ], "z": {}}"#;
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.lines.position("/é\"}"), Some(Position::new(1, 2)));
        assert_eq!(parsed.lines.position("/kéy"), Some(Position::new(1, 17)));
        assert_eq!(parsed.lines.position("/kéy/1"), Some(Position::new(1, 36)));
        assert_eq!(parsed.lines.position("/z"), Some(Position::new(1, 41)));
    }

    #[test]
    fn scalar_and_empty_containers() {
        let parsed = parse(" 42 ").unwrap();
        assert_eq!(parsed.data, json!(42));
        assert_eq!(parsed.lines.position(""), Some(Position::new(1, 2)));
        let parsed = parse("{\"a\": [], \"b\": {}, \"c\": [[]]}").unwrap();
        assert_eq!(parsed.lines.len(), 5);
        assert_eq!(parsed.lines.position("/c/0"), Some(Position::new(1, 26)));
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let parsed = parse("{\n\"a\": 1,\n\"a\": 2\n}").unwrap();
        assert_eq!(parsed.data, json!({"a": 2}));
        assert_eq!(parsed.lines.line("/a"), Some(3));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = parse("{\n  \"a\" 1\n}").unwrap_err();
        assert_eq!(error.position, Position::new(2, 7));
        assert_eq!(error.message, "expected `:`");

        let error = parse("{\"é\": tru}").unwrap_err();
        assert_eq!(error.position, Position::new(1, 10));
        assert_eq!(error.message, "expected ident");

        let error = parse("[1,").unwrap_err();
        assert_eq!(error.message, "end of file while parsing a value");
        assert_eq!(error.position.line, 1);
    }

    #[test]
    fn empty_document_is_an_error() {
        for text in ["", "  \n\t"] {
            let error = parse(text).unwrap_err();
            assert_eq!(error.position, Position::new(1, 1));
            assert_eq!(error.message, "empty document");
        }
    }

    #[test]
    fn garbage_does_not_panic() {
        for text in [
            "\u{0}\u{1}",
            "{{{{",
            "\"unterminated",
            "[1, 2] 3",
            "\u{feff}",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
        assert_eq!(parse("\u{feff}{}").unwrap().data, json!({}));
    }

    #[test]
    fn long_single_line_is_linear() {
        let text = format!("[{}1]", "1,".repeat(200_000));
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.lines.len(), 200_002);
        assert_eq!(
            parsed.lines.position("/200000"),
            Some(Position::new(1, 400_002))
        );
    }
}
