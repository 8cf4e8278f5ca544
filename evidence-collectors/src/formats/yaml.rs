//! YAML (1.2, multi-document) into JSON values with the position of every node.
//!
//! Built on the event parser of `yaml-rust2`, so every node keeps the line and column where it
//! starts. Scalars are resolved with the YAML 1.2 core schema (`on`/`yes` stay strings).
//! Anchors and aliases are expanded, within a budget of nodes relative to the document's size
//! (so a few hundred bytes of nested aliases cannot expand to gigabytes); merge keys (`<<`) are
//! applied. Nesting deeper than [`MAX_DEPTH`] is a parse error, found before anything recurses.
//! CloudFormation's short-form intrinsic tags become their long form (`!Ref X` is
//! `{"Ref": "X"}`, `!Sub s` is `{"Fn::Sub": s}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`),
//! as in a JSON template; other local tags are ignored.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::{ParseError, Parsed};
use crate::limits::{
    alias_node_budget, too_deep, ALIAS_NODES_MAX, ALIAS_NODES_MIN, ALIAS_NODES_PER_BYTE, MAX_DEPTH,
};
use crate::lines::{pointer_push, LineMap, Position};

/// Parses every document of a YAML stream. Empty documents (only comments) are skipped.
pub fn parse(text: &str) -> Result<Vec<Parsed>, ParseError> {
    let mut builder = Builder {
        alias_budget: alias_node_budget(text.len()),
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    // Events are pulled one by one (the library's own loader recurses once per nesting level).
    loop {
        let (event, marker) = parser.next_token().map_err(|e| {
            let m = e.marker();
            ParseError::new(position(m), e.info().to_string())
        })?;
        let end = event == Event::StreamEnd;
        builder.on_event(event, marker);
        if let Some(error) = builder.error.take() {
            return Err(error);
        }
        if end {
            return Ok(builder.documents);
        }
    }
}

fn position(marker: &Marker) -> Position {
    Position::new(marker.line() as u32, marker.col() as u32 + 1)
}

/// A container being filled, with the pointer of the node and (for maps) the pending key.
enum Frame {
    Seq {
        pointer: String,
        items: Vec<Value>,
        anchor: usize,
        /// The intrinsic function the sequence is the argument of (`!Join [...]`).
        intrinsic: Option<&'static str>,
        /// [`Builder::nodes`] when the sequence started.
        nodes_before: usize,
    },
    Map {
        pointer: String,
        entries: Map<String, Value>,
        key: Option<String>,
        /// Keys written in this mapping (merged keys may be overridden, written ones not).
        written: std::collections::HashSet<String>,
        /// Where the pending key starts: members are located at their key.
        key_position: Position,
        anchor: usize,
        /// The intrinsic function the mapping is the argument of.
        intrinsic: Option<&'static str>,
        /// [`Builder::nodes`] when the mapping started.
        nodes_before: usize,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    lines: LineMap,
    /// Each anchor with its value and the number of nodes in it.
    anchors: Vec<(usize, Value, usize)>,
    /// Nodes built so far, aliases counting every node they copy.
    nodes: usize,
    /// Nodes aliases may still add.
    alias_budget: usize,
    documents: Vec<Parsed>,
    root: Option<Value>,
    error: Option<ParseError>,
}

impl Builder {
    /// The pointer and position the next value gets (a mapping member is located at its
    /// key), or `None` when the next node is a mapping key.
    fn next_slot(&self, marker: &Marker) -> Option<(String, Position)> {
        match self.stack.last() {
            None => Some((String::new(), position(marker))),
            Some(Frame::Seq { pointer, items, .. }) => Some((
                pointer_push(pointer, &items.len().to_string()),
                position(marker),
            )),
            Some(Frame::Map {
                pointer,
                key,
                key_position,
                ..
            }) => key
                .as_ref()
                .map(|k| (pointer_push(pointer, k), *key_position)),
        }
    }

    fn push_value(&mut self, value: Value, marker: &Marker) {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map {
                entries,
                key,
                key_position,
                written,
                ..
            }) => match key.take() {
                Some(k) if k == "<<" => merge_into(entries, value),
                Some(k) => {
                    entries.insert(k, value);
                }
                None => {
                    // A non-scalar used as a key: keep going with its JSON text as the key.
                    let k = match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    if !written.insert(k.clone()) && self.error.is_none() {
                        self.error = Some(ParseError::new(
                            position(marker),
                            format!("duplicate key `{k}`"),
                        ));
                    }
                    *key = Some(k);
                    *key_position = position(marker);
                }
            },
        }
    }

    fn remember_anchor(&mut self, anchor: usize, value: &Value, nodes: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, value.clone(), nodes));
        }
    }

    /// A copy of the anchored value `id`, charged to the alias budget before it is copied.
    fn anchor(&mut self, id: usize, marker: &Marker) -> Value {
        let Some(index) = self.anchors.iter().rposition(|(a, ..)| *a == id) else {
            return Value::Null;
        };
        let nodes = self.anchors[index].2;
        if nodes > self.alias_budget {
            self.fail(
                marker,
                format!(
                    "aliases expand to more nodes than the alias limit allows ({} per byte of \
                     the document, at least {} and at most {}); write the repeated values out \
                     or split the file",
                    ALIAS_NODES_PER_BYTE, ALIAS_NODES_MIN, ALIAS_NODES_MAX
                ),
            );
            return Value::Null;
        }
        self.alias_budget -= nodes;
        self.nodes += nodes;
        self.anchors[index].1.clone()
    }

    /// Records the first error; parsing stops after the current event.
    fn fail(&mut self, marker: &Marker, message: String) {
        if self.error.is_none() {
            self.error = Some(ParseError::new(position(marker), message));
        }
    }

    /// Refuses a container nested deeper than [`MAX_DEPTH`].
    fn check_depth(&mut self, marker: &Marker) -> bool {
        if self.stack.len() >= MAX_DEPTH {
            self.fail(marker, too_deep());
            return false;
        }
        true
    }
}

/// Applies a YAML merge key: keys already present win over merged ones.
fn merge_into(entries: &mut Map<String, Value>, value: Value) {
    let sources = match value {
        Value::Array(items) => items,
        other => vec![other],
    };
    for source in sources {
        if let Value::Object(map) = source {
            for (k, v) in map {
                entries.entry(k).or_insert(v);
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, marker: Marker) {
        match event {
            Event::DocumentStart => {
                self.lines = LineMap::new();
                self.root = None;
            }
            Event::DocumentEnd => {
                // A document holding only comments (or only `null`) carries no evidence.
                if let Some(data) = self.root.take().filter(|d| !d.is_null()) {
                    let lines = std::mem::take(&mut self.lines);
                    self.documents.push(Parsed { data, lines });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let value = resolve_scalar(&text, style, tag.as_ref().map(|t| t.suffix.as_str()));
                self.nodes += 1;
                match self.next_slot(&marker) {
                    Some((pointer, at)) => {
                        let value = match intrinsic(&tag) {
                            Some(function) => {
                                self.lines.insert(pointer.clone(), at);
                                self.lines.insert(pointer_push(&pointer, function), at);
                                scalar_intrinsic(function, value)
                            }
                            None => value,
                        };
                        self.lines.insert(pointer, at);
                        self.remember_anchor(anchor, &value, 1);
                        self.push_value(value, &marker);
                    }
                    None => {
                        let key = match value {
                            Value::String(s) => s,
                            Value::Null => "null".to_string(),
                            other => other.to_string(),
                        };
                        self.push_value(Value::String(key), &marker);
                    }
                }
            }
            Event::Alias(id) => {
                let value = self.anchor(id, &marker);
                match self.next_slot(&marker) {
                    Some((pointer, at)) => {
                        self.lines.insert(pointer, at);
                        self.push_value(value, &marker);
                    }
                    None => self.push_value(value, &marker),
                }
            }
            Event::SequenceStart(anchor, tag) => {
                if !self.check_depth(&marker) {
                    return;
                }
                let (mut pointer, at) = self.next_slot(&marker).unwrap_or_default();
                self.lines.insert(pointer.clone(), at);
                let intrinsic = intrinsic(&tag);
                if let Some(function) = intrinsic {
                    pointer = pointer_push(&pointer, function);
                    self.lines.insert(pointer.clone(), at);
                }
                self.stack.push(Frame::Seq {
                    pointer,
                    items: Vec::new(),
                    anchor,
                    intrinsic,
                    nodes_before: self.nodes,
                });
                self.nodes += 1;
            }
            Event::MappingStart(anchor, tag) => {
                if !self.check_depth(&marker) {
                    return;
                }
                let (mut pointer, at) = self.next_slot(&marker).unwrap_or_default();
                self.lines.insert(pointer.clone(), at);
                let intrinsic = intrinsic(&tag);
                if let Some(function) = intrinsic {
                    pointer = pointer_push(&pointer, function);
                    self.lines.insert(pointer.clone(), at);
                }
                self.stack.push(Frame::Map {
                    pointer,
                    entries: Map::new(),
                    key: None,
                    written: Default::default(),
                    key_position: at,
                    anchor,
                    intrinsic,
                    nodes_before: self.nodes,
                });
                self.nodes += 1;
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    anchor,
                    intrinsic,
                    nodes_before,
                    ..
                }) = self.stack.pop()
                {
                    let value = wrap(intrinsic, Value::Array(items));
                    self.remember_anchor(anchor, &value, self.nodes - nodes_before);
                    self.push_value(value, &marker);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map {
                    entries,
                    anchor,
                    intrinsic,
                    nodes_before,
                    ..
                }) = self.stack.pop()
                {
                    let value = wrap(intrinsic, Value::Object(entries));
                    self.remember_anchor(anchor, &value, self.nodes - nodes_before);
                    self.push_value(value, &marker);
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
}

/// The CloudFormation intrinsic functions written as short-form tags, with their long-form key.
const INTRINSICS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("FindInMap", "Fn::FindInMap"),
    ("ForEach", "Fn::ForEach"),
    ("GetAtt", "Fn::GetAtt"),
    ("GetAZs", "Fn::GetAZs"),
    ("ImportValue", "Fn::ImportValue"),
    ("Join", "Fn::Join"),
    ("Length", "Fn::Length"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("Sub", "Fn::Sub"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Transform", "Fn::Transform"),
    ("And", "Fn::And"),
    ("Equals", "Fn::Equals"),
    ("If", "Fn::If"),
    ("Not", "Fn::Not"),
    ("Or", "Fn::Or"),
];

/// The long-form key of a CloudFormation short-form tag (`!Ref`, `!Sub`, …).
fn intrinsic(tag: &Option<Tag>) -> Option<&'static str> {
    let tag = tag.as_ref().filter(|t| t.handle == "!")?;
    INTRINSICS
        .iter()
        .find(|(short, _)| *short == tag.suffix)
        .map(|(_, long)| *long)
}

/// `value` as the argument of `function` (the value itself without one).
fn wrap(function: Option<&str>, value: Value) -> Value {
    match function {
        Some(f) => Value::Object(Map::from_iter([(f.to_string(), value)])),
        None => value,
    }
}

/// The long form of a scalar intrinsic: `!GetAtt Res.Attr` names its two parts.
fn scalar_intrinsic(function: &'static str, value: Value) -> Value {
    let value = match (function, value) {
        ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
            Some((resource, attribute)) => Value::Array(vec![resource.into(), attribute.into()]),
            None => Value::String(s),
        },
        (_, value) => value,
    };
    wrap(Some(function), value)
}

/// Resolves a scalar with the YAML 1.2 core schema; quoted and block scalars are strings.
fn resolve_scalar(text: &str, style: TScalarStyle, tag: Option<&str>) -> Value {
    if style != TScalarStyle::Plain {
        return Value::String(text.to_string());
    }
    match tag {
        Some("str") => return Value::String(text.to_string()),
        Some("int") | Some("float") | Some("bool") | Some("null") | None => {}
        Some(_) => return Value::String(text.to_string()),
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => return Value::String(text.to_string()),
        _ => {}
    }
    if let Some(n) = parse_int(text) {
        return Value::Number(n);
    }
    if looks_like_float(text) {
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

fn parse_int(text: &str) -> Option<Number> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, body) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(oct) = digits.strip_prefix("0o") {
        (8, oct)
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(body, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude).ok()?;
        Some(Number::from(-value))
    } else {
        Some(Number::from(magnitude))
    }
}

fn looks_like_float(text: &str) -> bool {
    let body = text.trim_start_matches(['-', '+']);
    !body.is_empty()
        && body.chars().any(|c| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn multi_document_stream_with_lines() {
        let text = "a: 1\nb:\n  - x\n  - y: true\n---\nkind: Pod\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].data, json!({"a": 1, "b": ["x", {"y": true}]}));
        assert_eq!(docs[0].lines.line("/a"), Some(1));
        assert_eq!(docs[0].lines.line("/b/0"), Some(3));
        assert_eq!(docs[0].lines.line("/b/1/y"), Some(4));
        assert_eq!(docs[0].lines.position("/b"), Some(Position::new(2, 1)));
        assert_eq!(docs[0].lines.position("/b/1/y"), Some(Position::new(4, 5)));
        assert_eq!(docs[1].data, json!({"kind": "Pod"}));
        assert_eq!(docs[1].lines.line("/kind"), Some(6));
    }

    #[test]
    fn core_schema_scalars() {
        let docs = parse("on: push\nn: 010\nf: 1.5\nq: '1'\nz: ~\nh: 0x1f\nv: 1.2.3\n").unwrap();
        assert_eq!(
            docs[0].data,
            json!({"on": "push", "n": 10, "f": 1.5, "q": "1", "z": null, "h": 31, "v": "1.2.3"})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let text = "base: &b\n  cpu: 1\n  mem: 2\nother:\n  <<: *b\n  mem: 3\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs[0].data["other"], json!({"cpu": 1, "mem": 3}));
    }

    #[test]
    fn empty_documents_are_skipped() {
        assert!(parse("# only a comment\n").unwrap().is_empty());
        assert_eq!(parse("---\n---\na: 1\n").unwrap().len(), 1);
    }

    #[test]
    fn syntax_error_has_position() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.position.line >= 2, "{err:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "- ".repeat(6_000) + "x\n";
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nesting limit"), "{err:?}");
        // The scanner stops deep flow collections itself.
        let flow = "[".repeat(6_000) + &"]".repeat(6_000);
        assert!(parse(&flow).is_err());
        assert!(parse(&("- ".repeat(MAX_DEPTH) + "x\n")).is_ok());
        assert!(parse(&("- ".repeat(MAX_DEPTH + 1) + "x\n")).is_err());
    }

    #[test]
    fn alias_expansion_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("alias limit"), "{err:?}");
        assert!(err.position.line > 3, "{err:?}");
        // Ordinary reuse stays well inside the budget.
        let docs = parse("base: &b {cpu: 1}\nx: *b\ny: *b\n").unwrap();
        assert_eq!(docs[0].data["y"], json!({"cpu": 1}));
    }

    #[test]
    fn cloudformation_short_form_tags_take_their_long_form() {
        let text = "a: !Ref Name\nb: !GetAtt Role.Arn\nc: !Join\n  - ''\n  - [x, !Ref y]\nd: !If [On, 1, !Ref AWS::NoValue]\ne: !Sub {s: t}\nf: !custom x\n";
        let docs = parse(text).unwrap();
        assert_eq!(
            docs[0].data,
            json!({
                "a": {"Ref": "Name"},
                "b": {"Fn::GetAtt": ["Role", "Arn"]},
                "c": {"Fn::Join": ["", ["x", {"Ref": "y"}]]},
                "d": {"Fn::If": ["On", 1, {"Ref": "AWS::NoValue"}]},
                "e": {"Fn::Sub": {"s": "t"}},
                "f": "x",
            })
        );
        let line = |p: &str| docs[0].lines.line(p);
        assert_eq!(line("/a/Ref"), Some(1));
        assert_eq!(line("/c/Fn::Join/1/1/Ref"), Some(5));
        assert_eq!(line("/d/Fn::If/2"), Some(6));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.position.line, 3);
        assert!(err.message.contains("duplicate key `a`"));
    }
}
