//! RFC 8785 (JCS) canonical JSON of a parsed event, written straight into a buffer.
//!
//! Hashing every event of a multi-gigabyte log makes canonicalization the hottest path of the
//! audit-log reader, so structure and strings are written here without copying a key or a
//! value: members in UTF-16 code-unit order (a repeated key once, with its last value),
//! strings with exactly the escapes RFC 8785 prescribes, integers in the range
//! IEEE 754 doubles hold exactly as plain digits. Every other number goes through
//! `serde_json_canonicalizer`, whose ECMAScript number formatting is the reference.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::node::Node;

/// Integers up to 2^53 are exact in an IEEE 754 double and print as plain digits.
const EXACT_INTEGER: u64 = 1 << 53;

/// Appends the canonical JSON of `value` to `out`.
pub fn write(value: &Node<'_>, out: &mut Vec<u8>) {
    match value {
        Node::Null => out.extend_from_slice(b"null"),
        Node::Bool(true) => out.extend_from_slice(b"true"),
        Node::Bool(false) => out.extend_from_slice(b"false"),
        Node::Number(n) => number(n, out),
        Node::String(s) => string(s, out),
        Node::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        Node::Object(members) => {
            out.push(b'{');
            let mut sorted: Vec<_> = members.iter().collect();
            // Stable: of a repeated key, the last value stays last; it is the one kept.
            sorted.sort_by(|a, b| utf16_order(&a.0, &b.0));
            sorted.dedup_by(|later, kept| {
                let repeated = later.0 == kept.0;
                if repeated {
                    *kept = *later;
                }
                repeated
            });
            for (i, (key, value)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                string(key, out);
                out.push(b':');
                write(value, out);
            }
            out.push(b'}');
        }
    }
}

/// Orders keys by their UTF-16 code units, as RFC 8785 requires.
fn utf16_order(a: &str, b: &str) -> Ordering {
    // Byte order is code point order, and UTF-16 order too unless the first characters that
    // differ are not both ASCII (U+E000..U+FFFF sort after the surrogates of U+10000 and up).
    let (a_bytes, b_bytes) = (a.as_bytes(), b.as_bytes());
    match a_bytes.iter().zip(b_bytes).find(|(x, y)| x != y) {
        None => a_bytes.len().cmp(&b_bytes.len()),
        Some((x, y)) if x.is_ascii() && y.is_ascii() => x.cmp(y),
        Some(_) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

fn number(n: &Number, out: &mut Vec<u8>) {
    if let Some(u) = n.as_u64().filter(|u| *u <= EXACT_INTEGER) {
        out.extend_from_slice(u.to_string().as_bytes());
    } else if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= EXACT_INTEGER) {
        out.extend_from_slice(i.to_string().as_bytes());
    } else {
        // Serializing one finite number cannot fail.
        let text = serde_json_canonicalizer::to_vec(&Value::Number(n.clone())).unwrap_or_default();
        out.extend_from_slice(&text);
    }
}

fn string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Most strings need no escape: one branch-free pass (which the compiler vectorizes) finds
    // that, and the text is copied whole.
    let plain = !bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0c => b"\\f",
            b'\r' => b"\\r",
            0x00..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn canonical(value: &Value) -> String {
        let mut out = Vec::new();
        write(&Node::from(value), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rfc_8785_examples() {
        // Section 3.2.2.
        let input: Value = serde_json::from_str(
            r#"{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
                "literals": [null, true, false]}"#,
        )
        .unwrap();
        assert_eq!(
            canonical(&input),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
        // Section 3.2.3: members sort by UTF-16 code units.
        let input: Value = serde_json::from_str(
            r#"{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
                "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
                "\u00f6": "Latin Small Letter O With Diaeresis"}"#,
        )
        .unwrap();
        assert_eq!(
            canonical(&input),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\
             \"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\
             \"\u{1F600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
    }

    #[test]
    fn a_repeated_key_is_written_once_with_its_last_value() {
        let node = Node::parse(br#"{"b": 1, "a": 2, "b": 3, "a": {"x": 1, "x": 4}}"#).unwrap();
        let mut out = Vec::new();
        write(&node, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"a":{"x":4},"b":3}"#);
    }

    #[test]
    fn agrees_with_the_reference_crate() {
        let values = [
            json!({"b": 1, "a": [1, -2, 9007199254740992u64, 9007199254740993u64, -9007199254740993i64]}),
            json!({"z\u{1F600}": 1, "z\u{e000}": 2, "zz": 3, "Z": {"\u{7f}\u{2028}": "\u{0}\u{1f}\u{7f}"}}),
            json!({"f": [0.1, -0.0, 1.0, 1e21, 1e-7, 123456789012345680000.0, 5e-324]}),
            json!([
                "tab\there",
                "quote\"back\\slash",
                "\u{8}\u{c}",
                "€ü日本",
                ""
            ]),
            json!({"nested": {"deep": {"x": [true, false, null, {}], "y": []}}}),
            json!(u64::MAX),
            json!(i64::MIN),
        ];
        for value in values {
            assert_eq!(
                canonical(&value),
                serde_json_canonicalizer::to_string(&value).unwrap(),
                "{value}"
            );
        }
    }
}
