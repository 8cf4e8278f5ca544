//! Terraform resources of a scan indexed for relations: which resources refer to which, by
//! reference text (`aws_s3_bucket.b.id`, `${aws_s3_bucket.b.arn}`, `aws_s3_bucket.b["x"].id`)
//! or by a literal bucket name, within one module directory; and Kubernetes objects by
//! namespace.
//!
//! Lookups cost the number of candidates found, never the number of resources: each resource
//! is filed under the addresses its strings mention and under its short literal strings, so
//! building the index is linear in the size of the Terraform documents.

use std::collections::HashMap;

use assay_collectors::{Document, EvidenceKind, Format};
use serde_json::Value;

use super::select::resource_body;

/// The attribute whose literal value names a resource besides its address (an S3 bucket's
/// `bucket`), so that `bucket = "acme-logs"` refers to the bucket named `acme-logs`.
const NAME_ATTRIBUTE: &str = "bucket";

/// Literal strings longer than this are not indexed: names are short (S3 allows 63 characters).
const MAX_LITERAL: usize = 255;

/// One Terraform resource of the scan.
#[derive(Debug)]
pub struct Resource<'d> {
    pub document: &'d Document,
    /// JSON pointer of the resource body within its document.
    pub pointer: String,
    pub value: &'d Value,
    pub kind: &'d str,
    pub name: &'d str,
}

/// `(module directory, resource type, resource name)`.
type Address<'d> = (&'d str, &'d str, &'d str);

/// Every Terraform resource of a scan, with lookups by address, by literal name and by the
/// addresses and literals their values mention. Ids are positions in `resources`, which follow
/// the documents' order, so every lookup is in a deterministic order.
#[derive(Debug, Default)]
pub struct ResourceIndex<'d> {
    pub resources: Vec<Resource<'d>>,
    by_address: HashMap<Address<'d>, Vec<usize>>,
    /// Resources by the literal value of their [`NAME_ATTRIBUTE`].
    by_name: HashMap<(&'d str, &'d str), Vec<usize>>,
    /// Resources by the addresses their string values mention.
    mentioning: HashMap<Address<'d>, Vec<usize>>,
    /// Resources by the short literal strings among their values.
    holding: HashMap<(&'d str, &'d str), Vec<usize>>,
    /// Kubernetes objects by namespace.
    in_namespace: HashMap<&'d str, Vec<usize>>,
}

/// The namespace of a Kubernetes object: a Namespace's own name, else `metadata.namespace`,
/// `default` when unset; `None` for a value that is no Kubernetes object.
pub fn namespace_of(object: &Value) -> Option<&str> {
    let kind = object.get("kind")?.as_str()?;
    object.get("apiVersion")?.as_str()?;
    let name = object.pointer("/metadata/name")?.as_str()?;
    if kind == "Namespace" {
        return Some(name);
    }
    Some(
        object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("default"),
    )
}

/// Whether a document is a Terraform configuration file (`.tf` or `.tf.json`).
pub fn is_terraform(doc: &Document) -> bool {
    doc.kind == EvidenceKind::Config
        && matches!(doc.format, Format::Hcl | Format::Json)
        && is_terraform_path(&doc.path)
}

/// Whether a root-relative path names a Terraform configuration file.
pub fn is_terraform_path(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".tf.json")
}

/// The Terraform module a file belongs to: its directory (`""` at the scan root). Resources
/// refer to each other by address only within one module.
pub fn module_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

impl<'d> ResourceIndex<'d> {
    /// Indexes every resource of the Terraform documents among `documents`, and every
    /// Kubernetes object (the objects of a list each on its own) of the other config documents.
    pub fn build(documents: &'d [Document]) -> Self {
        let mut index = ResourceIndex::default();
        for doc in documents.iter() {
            if doc.kind == EvidenceKind::Config && !is_terraform(doc) {
                index.add_kubernetes(doc);
            }
        }
        for doc in documents.iter().filter(|d| is_terraform(d)) {
            let module = module_of(&doc.path);
            let Some(types) = doc.data.get("resource").and_then(Value::as_object) else {
                continue;
            };
            for (kind, entries) in types {
                let Some(entries) = entries.as_object() else {
                    continue;
                };
                for (name, entry) in entries {
                    let (pointer, value) = resource_body(kind, name, entry);
                    index.add(
                        Resource {
                            document: doc,
                            pointer,
                            value,
                            kind,
                            name,
                        },
                        module,
                    );
                }
            }
        }
        index
    }

    /// Files the Kubernetes objects of `doc` under their namespaces.
    fn add_kubernetes(&mut self, doc: &'d Document) {
        let mut objects = vec![(String::new(), &doc.data)];
        if let Some(items) = doc.data.get("items").and_then(Value::as_array) {
            objects.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (format!("/items/{i}"), o)),
            );
        }
        for (pointer, object) in objects {
            let Some(namespace) = namespace_of(object) else {
                continue;
            };
            let id = self.resources.len();
            self.in_namespace.entry(namespace).or_default().push(id);
            self.resources.push(Resource {
                document: doc,
                pointer,
                value: object,
                kind: object["kind"].as_str().unwrap_or_default(),
                name: object["metadata"]["name"].as_str().unwrap_or_default(),
            });
        }
    }

    /// The Kubernetes objects of `namespace`, in scan order.
    pub fn in_namespace(&self, namespace: &str) -> &[usize] {
        self.in_namespace.get(namespace).map_or(&[], Vec::as_slice)
    }

    fn add(&mut self, resource: Resource<'d>, module: &'d str) {
        let id = self.resources.len();
        let file = |list: &mut Vec<usize>| {
            if list.last() != Some(&id) {
                list.push(id);
            }
        };
        file(
            self.by_address
                .entry((module, resource.kind, instance_of(resource.name).0))
                .or_default(),
        );
        if let Some(name) = literal_name(resource.value) {
            file(self.by_name.entry((module, name)).or_default());
        }
        for text in strings(resource.value) {
            for (kind, name) in mentions(text) {
                file(self.mentioning.entry((module, kind, name)).or_default());
            }
            if is_literal(text) && text.len() <= MAX_LITERAL {
                file(self.holding.entry((module, text)).or_default());
            }
        }
        self.resources.push(resource);
    }

    /// The resources of `module` that may refer to the resource `kind.name` (any instance of
    /// it) whose literal name is `name_literal`: a superset, in order, for the caller to
    /// confirm; `Err` with
    /// their number (at most, before removing repeats) when there are more than `limit`.
    pub fn candidates_referring(
        &self,
        module: &str,
        kind: &str,
        name: &str,
        name_literal: Option<&str>,
        limit: usize,
    ) -> Result<Vec<usize>, usize> {
        let by_reference = self.mentioning.get(&(module, kind, instance_of(name).0));
        let by_literal = name_literal.and_then(|l| self.holding.get(&(module, l)));
        let count = by_reference.map_or(0, Vec::len) + by_literal.map_or(0, Vec::len);
        if count > limit {
            return Err(count);
        }
        Ok(merge(by_reference, by_literal))
    }

    /// The resources of `module` that `text` may refer to, by address (any instance) or literal
    /// name: a superset, in order, for the caller to confirm.
    pub fn referred_by(&self, module: &str, text: &str) -> Vec<usize> {
        let mut found: Vec<usize> = mentions(text)
            .filter_map(|(kind, name)| self.by_address.get(&(module, kind, name)))
            .flatten()
            .copied()
            .collect();
        if is_literal(text) {
            found.extend(self.by_name.get(&(module, text)).into_iter().flatten());
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Two increasing id lists merged into one, without repeats.
fn merge(a: Option<&Vec<usize>>, b: Option<&Vec<usize>>) -> Vec<usize> {
    let mut out: Vec<usize> = a.into_iter().chain(b).flatten().copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The literal value of a resource's [`NAME_ATTRIBUTE`].
pub fn literal_name(body: &Value) -> Option<&str> {
    body.get(NAME_ATTRIBUTE)
        .and_then(Value::as_str)
        .filter(|s| is_literal(s))
}

/// A string without interpolation: its value is its text.
fn is_literal(text: &str) -> bool {
    !text.is_empty() && !text.contains("${")
}

/// Every string in `value`, depth first.
pub fn strings(value: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => out.push(s.as_str()),
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(map) => stack.extend(map.values().rev()),
            _ => {}
        }
    }
    out
}

fn is_identifier_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// The `type.name` pairs `text` mentions as references: two identifiers joined by a dot, not
/// preceded by a dot or an identifier character (so `data.aws_s3_bucket.b` and `var.x.y`
/// mention `data.aws_s3_bucket` and `var.x` only).
fn mentions(text: &str) -> impl Iterator<Item = (&str, &str)> {
    mentions_at(text).map(|(kind, name, _)| (kind, name))
}

/// [`mentions`] with the position in `text` where each mention ends.
fn mentions_at(text: &str) -> impl Iterator<Item = (&str, &str, usize)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let start = at;
            let preceded =
                start > 0 && (is_identifier_char(bytes[start - 1]) || bytes[start - 1] == b'.');
            if preceded || !(bytes[start].is_ascii_alphabetic() || bytes[start] == b'_') {
                at += 1;
                continue;
            }
            let kind_end = identifier_end(bytes, start);
            at = kind_end;
            if bytes.get(kind_end) != Some(&b'.') {
                continue;
            }
            let name_end = identifier_end(bytes, kind_end + 1);
            if name_end == kind_end + 1 {
                continue;
            }
            at = name_end;
            return Some((
                &text[start..kind_end],
                &text[kind_end + 1..name_end],
                name_end,
            ));
        }
        None
    })
}

fn identifier_end(bytes: &[u8], from: usize) -> usize {
    from + bytes[from..]
        .iter()
        .take_while(|c| is_identifier_char(**c))
        .count()
}

/// Whether `text` refers to the resource `kind.name` (`aws_s3_bucket.b.id`,
/// `${aws_s3_bucket.b.arn}`, `aws_s3_bucket.b["x"].id`, `aws_s3_bucket.b[0].bucket`). When
/// `name` is one instance (`b[0]`, `b["x"]`), a reference to another literal key is not to it;
/// one whose key is computed (`b[each.key]`) or that has none (`b[*]`, `b`) may be.
pub fn refers_to(text: &str, kind: &str, name: &str) -> bool {
    let (base, key) = instance_of(name);
    mentions_at(text).any(|(k, n, end)| {
        k == kind && n == base && key.is_none_or(|key| may_be_instance(&text[end..], key))
    })
}

/// A resource name split into its base and its instance key: `b[0]` is (`b`, `0`),
/// `b["x"]` is (`b`, `"x"`), `b` is (`b`, none).
fn instance_of(name: &str) -> (&str, Option<&str>) {
    match name.split_once('[') {
        Some((base, rest)) if name.ends_with(']') => (base, Some(rest[..rest.len() - 1].trim())),
        _ => (name, None),
    }
}

/// Whether a reference continuing with `rest` may be to the instance keyed `key`.
fn may_be_instance(rest: &str, key: &str) -> bool {
    let Some(written) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) else {
        return true;
    };
    let written = written.0.trim();
    let literal = written.parse::<u64>().is_ok()
        || (written.len() >= 2 && written.starts_with('"') && written.ends_with('"'));
    !literal || written == key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_of_kubernetes_objects() {
        let object = |text: &str| serde_json::from_str::<Value>(text).unwrap();
        let ns =
            object(r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}"#);
        assert_eq!(namespace_of(&ns), Some("shop"));
        let deploy = object(
            r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}}"#,
        );
        assert_eq!(namespace_of(&deploy), Some("shop"));
        let unset = object(r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}"#);
        assert_eq!(namespace_of(&unset), Some("default"));
        let other = object(r#"{"kind": "Pod", "metadata": {"name": "p"}}"#);
        assert_eq!(namespace_of(&other), None);
    }

    #[test]
    fn reference_forms() {
        for text in [
            "aws_s3_bucket.b.id",
            "${aws_s3_bucket.b.id}",
            "${aws_s3_bucket.b.arn}/*",
            "arn:${aws_s3_bucket.b.bucket}",
            "${aws_s3_bucket.b[\"x\"].id}",
            "${aws_s3_bucket.b[0].id}",
            "${aws_s3_bucket.b[each.key].id}",
            "${[for x in aws_s3_bucket.b : x.id]}",
            "${aws_s3_bucket.b}",
        ] {
            assert!(refers_to(text, "aws_s3_bucket", "b"), "{text}");
        }
        for text in [
            "${aws_s3_bucket.bb.id}",
            "${aws_s3_bucket.b-2.id}",
            "${data.aws_s3_bucket.b.id}",
            "${var.aws_s3_bucket.b}",
            "${xaws_s3_bucket.b.id}",
            "${aws_s3_bucket_acl.b.id}",
            "aws_s3_bucket",
            "b",
            "",
        ] {
            assert!(!refers_to(text, "aws_s3_bucket", "b"), "{text}");
        }
    }

    #[test]
    fn instance_keys() {
        for (text, name, refers) in [
            ("${aws_s3_bucket.b[0].id}", "b[0]", true),
            ("${aws_s3_bucket.b[1].id}", "b[0]", false),
            ("${aws_s3_bucket.b[count.index].id}", "b[0]", true),
            ("${aws_s3_bucket.b[\"x\"].id}", "b[\"x\"]", true),
            ("${aws_s3_bucket.b[\"y\"].id}", "b[\"x\"]", false),
            ("${aws_s3_bucket.b[each.key].id}", "b[\"x\"]", true),
            ("${aws_s3_bucket.b[*].id}", "b[\"x\"]", true),
            ("${aws_s3_bucket.b[0].id}", "b", true),
            ("${aws_s3_bucket.bb[0].id}", "b[0]", false),
        ] {
            assert_eq!(
                refers_to(text, "aws_s3_bucket", name),
                refers,
                "{text} {name}"
            );
        }
        assert_eq!(instance_of("b[\"x\"]"), ("b", Some("\"x\"")));
        assert_eq!(instance_of("b"), ("b", None));
    }

    #[test]
    fn mentions_every_address_once_in_order() {
        let found: Vec<_> = mentions("${aws_kms_key.k.arn} in ${aws_s3_bucket.b.id}.x").collect();
        assert_eq!(found, [("aws_kms_key", "k"), ("aws_s3_bucket", "b")],);
        assert_eq!(mentions("a.").count(), 0);
        assert_eq!(mentions(".a.b").count(), 0);
        assert_eq!(mentions("é.a.b c.d").collect::<Vec<_>>(), [("c", "d")]);
    }

    #[test]
    fn modules_are_directories() {
        assert_eq!(module_of("main.tf"), "");
        assert_eq!(module_of("infra/s3/main.tf"), "infra/s3");
    }
}
