//! CycloneDX XML, read with `quick-xml` into the shape of CycloneDX JSON (so one normalizer
//! serves both), with the position of every element.
//!
//! The mapping follows the CycloneDX schemas: plural wrapper elements (`<components>`,
//! `<hashes>`, `<vulnerabilities>`, …) become arrays; attributes become members; an element
//! with attributes and text keeps its text as `content` (`<hash alg="SHA-256">…</hash>` becomes
//! `{"alg": "SHA-256", "content": "…"}`, as in JSON); `<licenses>` holds tagged entries
//! (`{"license": {…}}` / `{"expression": "…"}`); nested `<dependency ref>` elements become
//! `dependsOn`.

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{Map, Value};

use crate::formats::{ParseError, Parsed};
use crate::limits::{too_deep, MAX_DEPTH};
use crate::lines::{pointer_push, LineIndex, LineMap, Position};

/// One element of the document tree.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
    position: Position,
}

/// Wrapper elements whose children form an array.
const ARRAYS: [&str; 24] = [
    "components",
    "services",
    "hashes",
    "vulnerabilities",
    "ratings",
    "affects",
    "authors",
    "externalReferences",
    "properties",
    "cwes",
    "advisories",
    "references",
    "responses",
    "versions",
    "endpoints",
    "individuals",
    "organizations",
    "annotations",
    "compositions",
    "assemblies",
    "lifecycles",
    "contacts",
    "patches",
    "resolves",
];

/// Parses CycloneDX XML text, recording positions in `lines`.
pub fn parse(text: &str, mut lines: LineMap) -> Result<Parsed, ParseError> {
    let mut index = LineIndex::new(text);
    let root = read_tree(text, &mut index)?;
    let version = root
        .attributes
        .iter()
        .find(|(k, _)| k == "xmlns")
        .and_then(|(_, ns)| ns.strip_prefix("http://cyclonedx.org/schema/bom/"))
        .map(str::to_string);
    let mut data = convert(root, "", &mut lines);
    if let Value::Object(object) = &mut data {
        if let Some(version) = version {
            object.insert("specVersion".into(), Value::String(version));
        }
        object.insert("bomFormat".into(), Value::String("CycloneDX".into()));
    }
    Ok(Parsed { data, lines })
}

fn xml_error(index: &mut LineIndex<'_>, offset: u64, message: String) -> ParseError {
    ParseError::new(
        index.position(usize::try_from(offset).unwrap_or(usize::MAX)),
        message,
    )
}

/// Reads the element tree; the root is the document element.
fn read_tree(text: &str, index: &mut LineIndex<'_>) -> Result<Element, ParseError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| xml_error(index, reader.error_position(), format!("invalid XML: {e}")))?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                let mut element = Element {
                    name: start.local_name().as_ref().to_string(),
                    position: index.position(usize::try_from(at).unwrap_or(usize::MAX)),
                    ..Element::default()
                };
                for attribute in start.attributes() {
                    let attribute = attribute
                        .map_err(|e| xml_error(index, at, format!("invalid XML attribute: {e}")))?;
                    let key = attribute.key;
                    let name = match key.prefix() {
                        Some(p) if p.as_ref() == "xmlns" => continue,
                        _ => key.local_name().as_ref().to_string(),
                    };
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| xml_error(index, at, format!("invalid XML attribute: {e}")))?;
                    element.attributes.push((name, value.into_owned()));
                }
                // The tree is converted recursively: refuse it before it gets too deep.
                if stack.len() > MAX_DEPTH {
                    return Err(ParseError::new(element.position, too_deep()));
                }
                stack.push(element);
                if matches!(event, Event::Empty(_)) {
                    close(&mut stack);
                }
            }
            Event::End(_) => close(&mut stack),
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r)
                        .map(str::to_string)
                        .ok_or_else(|| {
                            xml_error(index, at, format!("unknown XML entity `&{};`", &*r))
                        })?,
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if stack.len() > 1 {
        let open = &stack[stack.len() - 1];
        return Err(ParseError::new(
            open.position,
            format!("invalid XML: `<{}>` is never closed", open.name),
        ));
    }
    let document = stack.pop().unwrap_or_default();
    document
        .children
        .into_iter()
        .next()
        .ok_or_else(|| ParseError::new(Position::new(1, 1), "empty XML document"))
}

fn close(stack: &mut Vec<Element>) {
    if stack.len() > 1 {
        if let Some(mut element) = stack.pop() {
            // Indentation between child elements is not content: do not hold it.
            if !element.children.is_empty() && element.text.trim().is_empty() {
                element.text = String::new();
            }
            if let Some(parent) = stack.last_mut() {
                parent.children.push(element);
            }
        }
    }
}

/// `text` without surrounding whitespace, reusing its buffer when there is none.
fn trimmed(text: String) -> String {
    if text.trim().len() == text.len() {
        text
    } else {
        text.trim().to_string()
    }
}

/// Converts an element to its JSON shape, recording positions under `pointer`. The element is
/// consumed, so the tree is freed as its values are built.
fn convert(element: Element, pointer: &str, lines: &mut LineMap) -> Value {
    lines.insert(pointer.to_string(), element.position);
    let name = element.name.as_str();
    if name == "licenses" {
        return Value::Array(
            element
                .children
                .into_iter()
                .enumerate()
                .map(|(i, child)| {
                    let at = format!("{pointer}/{i}");
                    lines.insert(at.clone(), child.position);
                    let key = child.name.clone();
                    let value = convert(child, &pointer_push(&at, &key), lines);
                    let mut tagged = Map::new();
                    tagged.insert(key, value);
                    Value::Object(tagged)
                })
                .collect(),
        );
    }
    if name == "dependencies" {
        return Value::Array(
            element
                .children
                .into_iter()
                .enumerate()
                .map(|(i, child)| dependency(child, &format!("{pointer}/{i}"), lines))
                .collect(),
        );
    }
    let tool_list = name == "tools" && element.children.iter().all(|c| c.name == "tool");
    if ARRAYS.contains(&name) || tool_list {
        return Value::Array(
            element
                .children
                .into_iter()
                .enumerate()
                .map(|(i, child)| convert(child, &format!("{pointer}/{i}"), lines))
                .collect(),
        );
    }
    let text = trimmed(element.text);
    if element.attributes.is_empty() && element.children.is_empty() {
        return Value::String(text);
    }
    let mut object = Map::new();
    for (key, value) in element.attributes {
        lines.insert(pointer_push(pointer, &key), element.position);
        object.insert(key, Value::String(value));
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for child in &element.children {
        *counts.entry(child.name.clone()).or_default() += 1;
    }
    for child in element.children {
        let key = child.name.clone();
        let at = pointer_push(pointer, &key);
        if counts.get(&key).is_some_and(|&n| n > 1) {
            let slot = object
                .entry(key)
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = slot {
                let item_at = format!("{at}/{}", items.len());
                items.push(convert(child, &item_at, lines));
                lines.insert(at, element.position);
            }
        } else {
            let value = convert(child, &at, lines);
            object.insert(key, value);
        }
    }
    if !text.is_empty() {
        object.insert("content".into(), Value::String(text));
    }
    Value::Object(object)
}

/// `<dependency ref="a"><dependency ref="b"/></dependency>` → `{"ref": "a", "dependsOn": ["b"]}`.
fn dependency(element: Element, pointer: &str, lines: &mut LineMap) -> Value {
    lines.insert(pointer.to_string(), element.position);
    let reference = |attributes: Vec<(String, String)>| {
        attributes
            .into_iter()
            .find(|(k, _)| k == "ref")
            .map(|(_, v)| Value::String(v))
            .unwrap_or(Value::Null)
    };
    let mut object = Map::new();
    object.insert("ref".into(), reference(element.attributes));
    lines.insert(format!("{pointer}/ref"), element.position);
    if !element.children.is_empty() {
        let depends_on = element
            .children
            .into_iter()
            .enumerate()
            .map(|(i, child)| {
                lines.insert(format!("{pointer}/dependsOn/{i}"), child.position);
                reference(child.attributes)
            })
            .collect();
        lines.insert(format!("{pointer}/dependsOn"), element.position);
        object.insert("dependsOn".into(), Value::Array(depends_on));
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BOM: &str = r#"<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" serialNumber="urn:uuid:1" version="1">
  <metadata>
    <timestamp>2024-01-01T00:00:00Z</timestamp>
    <authors><author><name>Ann</name></author></authors>
  </metadata>
  <components>
    <component type="library" bom-ref="a">
      <name>left-pad</name>
      <version>1.3.0</version>
      <hashes><hash alg="SHA-256">abc</hash></hashes>
      <licenses><license><id>MIT</id></license><expression>MIT OR Apache-2.0</expression></licenses>
      <purl>pkg:npm/left-pad@1.3.0?a=1&amp;b=2</purl>
    </component>
  </components>
  <dependencies>
    <dependency ref="a"><dependency ref="b"/></dependency>
  </dependencies>
</bom>
"#;

    #[test]
    fn reads_the_json_shape_with_positions() {
        let parsed = parse(BOM, LineMap::new()).unwrap();
        let d = &parsed.data;
        assert_eq!(d["specVersion"], "1.5");
        assert_eq!(d["bomFormat"], "CycloneDX");
        assert_eq!(d["serialNumber"], "urn:uuid:1");
        assert_eq!(d["metadata"]["authors"][0]["name"], "Ann");
        let c = &d["components"][0];
        assert_eq!(c["bom-ref"], "a");
        assert_eq!(c["hashes"][0], json!({"alg": "SHA-256", "content": "abc"}));
        assert_eq!(c["licenses"][0], json!({"license": {"id": "MIT"}}));
        assert_eq!(c["licenses"][1], json!({"expression": "MIT OR Apache-2.0"}));
        assert_eq!(c["purl"], "pkg:npm/left-pad@1.3.0?a=1&b=2");
        assert_eq!(
            d["dependencies"][0],
            json!({"ref": "a", "dependsOn": ["b"]})
        );
        assert_eq!(parsed.lines.line("/components/0"), Some(8));
        assert_eq!(parsed.lines.line("/components/0/version"), Some(10));
        assert_eq!(parsed.lines.line("/dependencies/0/dependsOn/0"), Some(17));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "<bom>\n".to_string() + &"<a>".repeat(2_000) + &"</a>".repeat(2_000) + "</bom>";
        let err = parse(&text, LineMap::new()).unwrap_err();
        assert!(err.message.contains("nesting limit"), "{err:?}");
        assert_eq!(err.position.line, 2);
    }

    #[test]
    fn errors_have_positions() {
        let error = parse("<bom>\n  <components>\n  </bom>", LineMap::new()).unwrap_err();
        assert_eq!(error.position.line, 3);
        assert!(error.message.contains("invalid XML"), "{}", error.message);
        let error = parse("<bom>\n  <components>", LineMap::new()).unwrap_err();
        assert!(error.message.contains("never closed") || error.message.contains("invalid XML"));
        assert!(parse("", LineMap::new()).is_err());
    }
}
