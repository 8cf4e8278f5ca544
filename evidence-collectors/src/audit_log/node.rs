//! A parsed event that borrows its text from the line it was read from: a string without
//! escapes is a slice of the line, an object a vector of members. Parsing every event of a
//! multi-gigabyte log into [`serde_json::Value`] (a `String` per key and value, a hash map per
//! object) took a quarter of the reader's time.
//!
//! A key written twice in one object means what it means in a [`Value`]: its last value
//! counts, found by [`Node::get`], written once in canonical form, and kept where the key
//! first stood in [`Node::to_value`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::formats::json::Key;

/// One JSON value of an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Members in the order written, repeated keys included.
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// Parses one JSON text, borrowing what it can from `text`.
    pub fn parse(text: &'a [u8]) -> serde_json::Result<Node<'a>> {
        serde_json::from_slice(text)
    }

    /// The value of `key` in an object (the last, if the key is repeated).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Removes `key` from an object; returns its value (the last, if the key is repeated).
    pub fn remove(&mut self, key: &str) -> Option<Node<'a>> {
        let Node::Object(members) = self else {
            return None;
        };
        let last = members.iter().rposition(|(k, _)| k == key)?;
        let (_, removed) = members.remove(last);
        members.retain(|(k, _)| k != key);
        Some(removed)
    }

    /// The value at the JSON pointer `pointer` (RFC 6901), as [`Value::pointer`] finds it;
    /// tokens without a `~` escape are not copied.
    pub fn pointer(&self, pointer: &str) -> Option<&Node<'a>> {
        if pointer.is_empty() {
            return Some(self);
        }
        pointer
            .strip_prefix('/')?
            .split('/')
            .try_fold(self, |target, token| {
                let token = if token.contains('~') {
                    Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
                } else {
                    Cow::Borrowed(token)
                };
                match target {
                    Node::Object(_) => target.get(&token),
                    Node::Array(items) => index(&token).and_then(|i| items.get(i)),
                    _ => None,
                }
            })
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// The same value as a [`Value`].
    pub fn to_value(&self) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Object(members) => {
                let mut map = Map::new();
                for (key, value) in members {
                    map.insert(key.to_string(), value.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl<'a> From<&'a Value> for Node<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(Cow::Borrowed(s)),
            Value::Array(items) => Node::Array(items.iter().map(Node::from).collect()),
            Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::from(v)))
                    .collect(),
            ),
        }
    }
}

/// An array index as RFC 6901 writes it: digits, without a leading zero.
fn index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() > 1) {
        return None;
    }
    token.parse().ok()
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Node<'de>, E> {
        Ok(Number::from_f64(n).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(key) = map.next_key::<Key<'de>>()? {
            members.push((key.0, map.next_value()?));
        }
        Ok(Node::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = br#"{"a": "plain", "b\n": "esc\"aped", "n": [1, -2, 3.5, null, true]}"#;
        let node = Node::parse(text).unwrap();
        assert!(matches!(
            node.get("a"),
            Some(Node::String(Cow::Borrowed("plain")))
        ));
        assert!(matches!(node.get("b\n"), Some(Node::String(Cow::Owned(s))) if s == "esc\"aped"));
        let value: Value = serde_json::from_slice(text).unwrap();
        assert_eq!(node.to_value(), value);
        assert_eq!(Node::from(&value), node);
    }

    #[test]
    fn repeated_keys_mean_what_they_mean_in_a_value() {
        let text = br#"{"a": 1, "b": 2, "a": 3}"#;
        let mut node = Node::parse(text).unwrap();
        let value: Value = serde_json::from_slice(text).unwrap();
        assert_eq!(node.get("a"), Some(&Node::Number(3.into())));
        assert_eq!(node.to_value().to_string(), value.to_string());
        assert_eq!(node.remove("a"), Some(Node::Number(3.into())));
        assert_eq!(node.to_value(), json!({"b": 2}));
    }

    #[test]
    fn pointers_resolve_as_rfc_6901_says() {
        let value = json!({"a/b": {"m~n": [10, 20]}, "user": {"name": "x"}, "": 1, "l": [0]});
        let node = Node::from(&value);
        for pointer in [
            "",
            "/user/name",
            "/a~1b/m~0n/1",
            "/a~1b/m~0n/01",
            "/a~1b/m~0n/+1",
            "/a~1b/m~0n/2",
            "/",
            "/l/0",
            "/user/name/x",
            "user",
            "/missing",
        ] {
            assert_eq!(
                node.pointer(pointer).map(Node::to_value).as_ref(),
                value.pointer(pointer),
                "{pointer}"
            );
        }
    }
}
