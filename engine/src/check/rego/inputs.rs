//! The inputs a policy is evaluated with, following conftest: each selected document, with a
//! top-level array split into one input per element where conftest splits it.

use std::collections::BTreeMap;

use assay_collectors::{Document, Format};
use serde_json::Value;

use super::super::select::{kubernetes_label, Selector};

/// One input: a selected item of a document, or one element of its top-level array.
#[derive(Debug)]
pub struct Input<'d> {
    pub document: &'d Document,
    /// JSON pointer of the input within its document.
    pub pointer: String,
    pub value: &'d Value,
    /// Human name: the item's label; for an element of a split array its Kubernetes label or
    /// the item's label with `[i]`.
    pub label: String,
}

/// The inputs of per-file mode, in document order.
///
/// conftest evaluates each value its parser gives for a file, and splits a value that is an
/// array into its elements: the documents of a multi-document YAML file (each kept whole), the
/// elements of a single document that is an array (JSON or YAML), and the one instruction list
/// of a Dockerfile (our parser already gives that list as the document, so it is not split
/// again).
pub fn per_file<'d>(select: &Selector, documents: &'d [Document]) -> Vec<Input<'d>> {
    let mut per_path: BTreeMap<&str, usize> = BTreeMap::new();
    for doc in documents {
        *per_path.entry(doc.path.as_ref()).or_default() += 1;
    }
    let mut inputs = Vec::new();
    for doc in documents {
        let single = per_path.get(doc.path.as_ref()) == Some(&1);
        for item in select.items(doc) {
            match item.value {
                Value::Array(elements)
                    if item.pointer.is_empty() && single && doc.format != Format::Dockerfile =>
                {
                    inputs.extend(elements.iter().enumerate().map(|(i, value)| {
                        Input {
                            document: doc,
                            pointer: format!("/{i}"),
                            value,
                            label: kubernetes_label(value)
                                .unwrap_or_else(|| format!("{}[{i}]", item.label)),
                        }
                    }));
                }
                value => inputs.push(Input {
                    document: doc,
                    pointer: item.pointer,
                    value,
                    label: item.label,
                }),
            }
        }
    }
    inputs
}

/// The one input of combined mode (`conftest --combine`): `[{"path": …, "contents": …}]` over
/// the per-file inputs, in path order.
pub fn combined(inputs: &[Input<'_>]) -> Value {
    let mut entries: Vec<(&str, &Value)> = inputs
        .iter()
        .map(|i| (i.document.path.as_ref(), i.value))
        .collect();
    // Stable: the inputs of one file keep their order.
    entries.sort_by(|a, b| a.0.cmp(b.0));
    Value::Array(
        entries
            .into_iter()
            .map(|(path, contents)| serde_json::json!({"path": path, "contents": contents}))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use assay_collectors::config::collect_bytes;

    fn documents(files: &[(&str, &str)]) -> Vec<Document> {
        let mut docs: Vec<Document> = files
            .iter()
            .flat_map(|(path, text)| collect_bytes(path, text.as_bytes()).documents)
            .collect();
        docs.sort_by(|a, b| (&a.path, a.index).cmp(&(&b.path, b.index)));
        docs
    }

    fn labels(docs: &[Document]) -> Vec<String> {
        per_file(&Selector::default(), docs)
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn splits_single_document_arrays_only() {
        let docs = documents(&[
            ("a.json", r#"[{"kind": "A"}, {}]"#),
            ("empty.json", "[]"),
            ("multi.yaml", "- 1\n- 2\n---\n- 3\n"),
            ("Dockerfile", "FROM alpine\nUSER app\n"),
        ]);
        assert_eq!(
            labels(&docs),
            vec![
                "Dockerfile",
                "a.json[0]",
                "a.json[1]",
                "multi.yaml",
                "multi.yaml#1"
            ]
        );
        let inputs = per_file(&Selector::default(), &docs);
        assert_eq!(inputs[0].value.as_array().map(Vec::len), Some(2));
        assert_eq!(inputs[2].pointer, "/1");
    }

    #[test]
    fn combines_inputs_in_path_order() {
        let docs = documents(&[("b.yaml", "x: 1\n---\nx: 2\n"), ("a.json", "[3]")]);
        let inputs = per_file(&Selector::default(), &docs);
        assert_eq!(
            combined(&inputs),
            serde_json::json!([
                {"path": "a.json", "contents": 3},
                {"path": "b.yaml", "contents": {"x": 1}},
                {"path": "b.yaml", "contents": {"x": 2}},
            ])
        );
    }
}
