//! `related` nodes of YAML assertions: from a Terraform resource item, the resources of given
//! types in the same module directory that refer to it through an attribute
//! (`referencing: bucket`) or that it refers to through one of its own (`referenced_by:`),
//! judged by the conditions under the node, `match` saying how many must meet them; from a
//! Kubernetes object, the objects of given kinds in its namespace (`same_namespace: true`).
//!
//! A reference is a mention of the resource's address in the attribute's text
//! (`aws_s3_bucket.b.id`, `${aws_s3_bucket.b.arn}`, `aws_s3_bucket.b["x"].id`) or, for a
//! literal, equality with the resource's literal `bucket` name.

use std::borrow::Cow;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use super::assert::{compile_node, compile_path, Ctx, Node, Outcome, Subject, Witness};
use super::resource_index::{
    is_terraform, literal_name, module_of, namespace_of, refers_to, strings, Resource,
    ResourceIndex,
};
use crate::diag::Diagnostic;
use crate::parse::LocatedValue;

/// At most this many resources are judged as related to one item; an item with more is an
/// `error` finding (a valid module has a handful).
pub const MAX_RELATED: usize = 1000;

/// A compiled `related` node.
#[derive(Debug)]
pub struct Relation {
    types: Vec<String>,
    direction: Direction,
    /// The attribute holding the reference, as written and compiled (none for a namespace).
    attribute: Option<(String, JsonPath)>,
    quantifier: Quantifier,
    /// What each related resource is judged by; `None`: being related is enough.
    conditions: Option<Node>,
    if_missing: Option<bool>,
    message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// The related resources refer to the item through their attribute.
    Referencing,
    /// The item refers to the related resources through its attribute.
    ReferencedBy,
    /// The related Kubernetes objects are in the item's namespace.
    SameNamespace,
}

/// How many related resources must meet a relation's conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "quantifier")]
pub enum Quantifier {
    Any,
    All,
    None,
}

impl Relation {
    /// Compiles the node at `pointer`, a mapping with `related` (and an optional `message`).
    pub(super) fn compile(
        doc: &LocatedValue,
        pointer: &str,
        node: &Map<String, Value>,
        errors: &mut Vec<Diagnostic>,
    ) -> Option<Relation> {
        let at = format!("{pointer}/related");
        let before = errors.len();
        if let Some(other) = node.keys().find(|k| *k != "related" && *k != "message") {
            errors.push(
                doc.diagnostic(
                    &format!("{pointer}/{other}"),
                    format!("`{other}` cannot stand beside `related`"),
                )
                .hint("conditions on the related resources go under `related.conditions`"),
            );
        }
        let Some(spec) = node.get("related").and_then(Value::as_object) else {
            errors.push(
                doc.diagnostic(&at, "expected a mapping")
                    .expected("`related: {resource_types: [...], referencing: bucket, ...}`"),
            );
            return None;
        };
        let types: Vec<String> = match spec.get("resource_types") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if types.is_empty() {
            errors.push(
                doc.diagnostic(&at, "a relation needs `resource_types`")
                    .expected(
                    "the Terraform types of the related resources, e.g. `[aws_s3_bucket_logging]`",
                ),
            );
        }
        let directions: Vec<(&str, Direction)> = [
            ("referencing", Direction::Referencing),
            ("referenced_by", Direction::ReferencedBy),
            ("same_namespace", Direction::SameNamespace),
        ]
        .into_iter()
        .filter(|(k, _)| spec.contains_key(*k))
        .collect();
        let [(key, direction)] = directions[..] else {
            errors.push(
                doc.diagnostic(&at, "a relation needs exactly one of `referencing`, `referenced_by`, `same_namespace`")
                    .expected("`referencing: bucket` (they refer to the item through their `bucket`), `referenced_by: target_bucket` (the item refers to them through its `target_bucket`) or `same_namespace: true` (Kubernetes objects in the item's namespace)"),
            );
            return None;
        };
        let attribute = match spec.get(key) {
            Some(Value::Bool(true)) if direction == Direction::SameNamespace => Some(None),
            Some(Value::String(src)) if direction != Direction::SameNamespace => {
                attribute_path(doc, &format!("{at}/{key}"), src, errors).map(Some)
            }
            _ if direction == Direction::SameNamespace => {
                errors.push(
                    doc.diagnostic(&format!("{at}/{key}"), "expected `true`")
                        .expected("`same_namespace: true`"),
                );
                None
            }
            _ => {
                errors.push(
                    doc.diagnostic(
                        &format!("{at}/{key}"),
                        "expected an attribute name or a JSONPath",
                    )
                    .expected("`bucket` or `$.logging[*].target_bucket`"),
                );
                None
            }
        };
        let quantifier = match spec.get("match").map(Quantifier::deserialize) {
            None => Quantifier::Any,
            Some(Ok(quantifier)) => quantifier,
            Some(Err(_)) => {
                errors.push(
                    doc.diagnostic(&format!("{at}/match"), "unknown quantifier")
                        .expected("`any` (default), `all` or `none`"),
                );
                Quantifier::Any
            }
        };
        let conditions = match spec.get("conditions") {
            None => None,
            Some(Value::Array(list)) if !list.is_empty() => {
                let nodes: Vec<Node> = (0..list.len())
                    .filter_map(|i| compile_node(doc, &format!("{at}/conditions/{i}"), errors))
                    .collect();
                Some(Node::All(nodes))
            }
            Some(_) => {
                errors.push(
                    doc.diagnostic(&format!("{at}/conditions"), "expected a list of conditions")
                        .expected("`conditions: [{path: ..., equals: ...}]`, all of which a related resource must meet"),
                );
                None
            }
        };
        let if_missing = match spec.get("if_missing").map(|m| m.as_str()) {
            None => None,
            Some(Some("pass")) => Some(true),
            Some(Some("fail")) => Some(false),
            Some(_) => {
                errors
                    .push(doc.diagnostic(&format!("{at}/if_missing"), "expected `pass` or `fail`"));
                None
            }
        };
        if errors.len() > before {
            return None;
        }
        Some(Relation {
            types,
            direction,
            attribute: attribute?,
            quantifier,
            conditions,
            if_missing,
            message: node
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }

    /// Judges the resources related to `subject`. None related: the node holds for `none`
    /// and fails for `any` and `all`, unless `if_missing` says otherwise.
    pub(super) fn eval<'v, 't>(
        &'t self,
        subject: &Subject<'v>,
        ctx: &Ctx<'v, 't>,
    ) -> Outcome<'v, 't> {
        let template = self.message.as_deref().unwrap_or(ctx.message);
        let related = match ctx.index.map(|index| self.related(subject, index)) {
            Some(Ok(related)) => related,
            Some(Err(count)) => {
                let through = self.attribute.as_ref().map_or("its namespace", |a| &a.0);
                let reason = format!(
                    "`{{resource}}` is not judged: {count} resources may be related through \
                     `{through}`, more than the {MAX_RELATED} one item may have"
                );
                return Outcome {
                    holds: false,
                    undecided: true,
                    witnesses: vec![Witness::whole(subject, Cow::Owned(reason))],
                };
            }
            None => Vec::new(),
        };
        if related.is_empty() {
            let holds = self
                .if_missing
                .unwrap_or(self.quantifier == Quantifier::None);
            return Outcome::decided(holds, vec![Witness::whole(subject, template.into())]);
        }
        let inner = Ctx {
            message: template,
            index: ctx.index,
            budget: ctx.budget,
        };
        let mut parts = Vec::with_capacity(related.len());
        for r in related {
            // Nested relations multiply: the budget is looked at before each related resource.
            if ctx.budget.is_spent() {
                return Outcome {
                    holds: false,
                    undecided: true,
                    witnesses: vec![Witness::whole(
                        subject,
                        Cow::Owned(ctx.budget.spent_message()),
                    )],
                };
            }
            let related = Subject {
                document: r.document,
                pointer: &r.pointer,
                value: r.value,
                resource: (self.direction != Direction::SameNamespace).then_some((r.kind, r.name)),
                negated: subject.negated != (self.quantifier == Quantifier::None),
            };
            parts.push(match &self.conditions {
                Some(conditions) => conditions.eval(&related, &inner),
                None => Outcome::decided(true, vec![Witness::whole(&related, template.into())]),
            });
        }
        match self.quantifier {
            Quantifier::Any => Outcome::combine(parts, true, true),
            Quantifier::All => Outcome::combine(parts, false, false),
            Quantifier::None => Outcome::combine(parts, true, false),
        }
    }

    /// The resources related to `subject`, in scan order; `Err` with their number when there
    /// are more than [`MAX_RELATED`] candidates.
    fn related<'v>(
        &self,
        subject: &Subject<'v>,
        index: &'v ResourceIndex<'v>,
    ) -> Result<Vec<&'v Resource<'v>>, usize> {
        let of_type = |r: &Resource<'_>| self.types.iter().any(|t| t == r.kind);
        let ids = match (self.direction, &self.attribute) {
            (Direction::SameNamespace, _) => {
                let Some(namespace) = namespace_of(subject.value) else {
                    return Ok(Vec::new());
                };
                let ids: Vec<usize> = index
                    .in_namespace(namespace)
                    .iter()
                    .copied()
                    .filter(|id| of_type(&index.resources[*id]))
                    .collect();
                if ids.len() > MAX_RELATED {
                    return Err(ids.len());
                }
                ids
            }
            (_, None) => Vec::new(),
            (_, Some(_)) if !is_terraform(subject.document) => Vec::new(),
            (Direction::Referencing, Some((_, path))) => {
                let Some((kind, name)) = subject.resource else {
                    return Ok(Vec::new());
                };
                let module = module_of(&subject.document.path);
                let literal = literal_name(subject.value);
                index
                    .candidates_referring(module, kind, name, literal, MAX_RELATED)?
                    .into_iter()
                    .filter(|id| {
                        let r = &index.resources[*id];
                        of_type(r)
                            && path
                                .query(r.value)
                                .into_iter()
                                .flat_map(strings)
                                .any(|s| refers_to(s, kind, name) || literal == Some(s))
                    })
                    .collect()
            }
            (Direction::ReferencedBy, Some((_, path))) => {
                let module = module_of(&subject.document.path);
                let mut ids: Vec<usize> = Vec::new();
                for text in path.query(subject.value).into_iter().flat_map(strings) {
                    let found = index.referred_by(module, text);
                    if ids.len() + found.len() > MAX_RELATED {
                        return Err(ids.len() + found.len());
                    }
                    ids.extend(found.into_iter().filter(|id| {
                        let r = &index.resources[*id];
                        refers_to(text, r.kind, r.name) || literal_name(r.value) == Some(text)
                    }));
                }
                ids.sort_unstable();
                ids.dedup();
                ids.retain(|id| of_type(&index.resources[*id]));
                ids
            }
        };
        Ok(ids.into_iter().map(|id| &index.resources[id]).collect())
    }
}

/// The attribute of a relation: a name (`bucket`) or a JSONPath (`$.logging[*].target_bucket`).
fn attribute_path(
    doc: &LocatedValue,
    pointer: &str,
    src: &str,
    errors: &mut Vec<Diagnostic>,
) -> Option<(String, JsonPath)> {
    let is_name = !src.is_empty()
        && src
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    let text = if is_name {
        format!("$['{src}']")
    } else {
        src.to_string()
    };
    match compile_path(doc, pointer, &text) {
        Ok(path) => Some((src.to_string(), path)),
        Err(d) => {
            errors.push(d);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use assay_collectors::config::collect_bytes;
    use assay_collectors::Document;

    use super::super::{Assert, Budget, Inputs};
    use crate::model::FindingStatus;
    use crate::parse::read_yaml_unchecked;
    use crate::schema::SchemaKind;

    /// An assertion over `aws_s3_bucket` items whose body (under `assert:`) is `body`.
    fn assertion(body: &str) -> Assert {
        let text = format!(
            "id: t\ntitle: t\ndescription: t\nfamily: t\nseverity: low\nremediation: t\n\
             check:\n  assert:\n    select: {{resource_types: [aws_s3_bucket]}}\n    \
             message: \"{{resource}} fails\"\n{body}"
        );
        let (doc, errors) =
            read_yaml_unchecked("c.yaml", text.as_bytes(), SchemaKind::Control).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        Assert::compile(&doc, "/check/assert").unwrap()
    }

    fn documents(files: &[(&str, &str)]) -> Vec<Document> {
        let mut docs: Vec<Document> = files
            .iter()
            .flat_map(|(path, text)| collect_bytes(path, text.as_bytes()).documents)
            .collect();
        docs.sort_by(|a, b| (&a.path, a.index).cmp(&(&b.path, b.index)));
        docs
    }

    /// `status resource path:line` of every finding, sorted.
    fn run(assert: &Assert, files: &[(&str, &str)]) -> Vec<String> {
        let docs = documents(files);
        let budget = Budget::start(&Default::default());
        let mut out: Vec<String> = assert
            .evaluate(&Inputs::new(&docs), &budget)
            .iter()
            .map(|f| {
                let at = f.location.as_ref().unwrap();
                format!(
                    "{} {} {}:{}",
                    f.status.as_str(),
                    f.resource.as_deref().unwrap_or_default(),
                    at.path,
                    at.line.unwrap_or_default()
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Fails at each encryption configuration related to a bucket, so that findings list them.
    const LIST_RELATED: &str = "    all:\n      - related:\n          resource_types: \
        [aws_s3_bucket_server_side_encryption_configuration]\n          referencing: bucket\n          \
        match: none\n";

    const BUCKETS: &str = r#"resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
}

resource "aws_s3_bucket" "other" {
  bucket = "acme-other"
}

resource "aws_s3_bucket" "alone" {
  bucket = "${var.prefix}-alone"
}
"#;

    #[test]
    fn matches_every_reference_form_within_the_module_directory() {
        let encryption = r#"resource "aws_s3_bucket_server_side_encryption_configuration" "id" {
  bucket = aws_s3_bucket.b.id
}
resource "aws_s3_bucket_server_side_encryption_configuration" "template" {
  bucket = "${aws_s3_bucket.b.bucket}"
}
resource "aws_s3_bucket_server_side_encryption_configuration" "instance" {
  bucket = aws_s3_bucket.b["x"].id
}
resource "aws_s3_bucket_server_side_encryption_configuration" "literal" {
  bucket = "acme-b"
}
resource "aws_s3_bucket_server_side_encryption_configuration" "unrelated" {
  bucket                = aws_s3_bucket.other.id
  expected_bucket_owner = aws_s3_bucket.b.id
}
resource "aws_s3_bucket_server_side_encryption_configuration" "data_source" {
  bucket = data.aws_s3_bucket.b.id
}
resource "aws_s3_bucket_logging" "other_type" {
  bucket = aws_s3_bucket.b.id
}
"#;
        let json = r#"{"resource": {"aws_s3_bucket_server_side_encryption_configuration": {
  "json": {"bucket": "${aws_s3_bucket.b.arn}"}
}}}"#;
        let elsewhere = r#"resource "aws_s3_bucket_server_side_encryption_configuration" "elsewhere" {
  bucket = aws_s3_bucket.b.id
}
"#;
        let found = run(
            &assertion(LIST_RELATED),
            &[
                ("m/main.tf", BUCKETS),
                ("m/encryption.tf", encryption),
                ("m/json.tf.json", json),
                ("m/sub/main.tf", elsewhere),
                ("main.tf", elsewhere),
            ],
        );
        assert_eq!(
            found,
            [
                "fail aws_s3_bucket.b m/encryption.tf:1",
                "fail aws_s3_bucket.b m/encryption.tf:10",
                "fail aws_s3_bucket.b m/encryption.tf:4",
                "fail aws_s3_bucket.b m/encryption.tf:7",
                "fail aws_s3_bucket.b m/json.tf.json:2",
                "fail aws_s3_bucket.other m/encryption.tf:13",
                "pass aws_s3_bucket.alone m/main.tf:9",
            ]
        );
    }

    #[test]
    fn instances_are_told_apart_by_literal_keys() {
        let json = r#"{"resource": {
"aws_s3_bucket": {
  "b[0]": {"bucket": "${var.prefix}-0"},
  "b[1]": {"bucket": "${var.prefix}-1"}
},
"aws_s3_bucket_server_side_encryption_configuration": {
  "first": {"bucket": "${aws_s3_bucket.b[0].id}"},
  "each": {"bucket": "${aws_s3_bucket.b[count.index].id}"},
  "second": {"bucket": "${aws_s3_bucket.b[1].id}"}
}}}"#;
        assert_eq!(
            run(&assertion(LIST_RELATED), &[("main.tf.json", json)]),
            [
                "fail aws_s3_bucket.b[0] main.tf.json:7",
                "fail aws_s3_bucket.b[0] main.tf.json:8",
                "fail aws_s3_bucket.b[1] main.tf.json:8",
                "fail aws_s3_bucket.b[1] main.tf.json:9",
            ]
        );
    }

    #[test]
    fn follows_references_the_item_makes() {
        let assert = assertion(
            "    all:\n      - related:\n          resource_types: [aws_s3_bucket]\n          \
             referenced_by: $.logging[*].target_bucket\n          conditions:\n            \
             - {path: $.bucket, matches: '^acme-'}\n",
        );
        let files = r#"resource "aws_s3_bucket" "by_address" {
  logging {
    target_bucket = aws_s3_bucket.logs.id
  }
}
resource "aws_s3_bucket" "by_name" {
  logging {
    target_bucket = "acme-logs"
  }
}
resource "aws_s3_bucket" "unknown" {
  logging {
    target_bucket = "someone-elses-logs"
  }
}
resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"#;
        assert_eq!(
            run(&assert, &[("main.tf", files)]),
            [
                "fail aws_s3_bucket.logs main.tf:16",
                "fail aws_s3_bucket.unknown main.tf:11",
                "pass aws_s3_bucket.by_address main.tf:1",
                "pass aws_s3_bucket.by_name main.tf:6",
            ]
        );
    }

    #[test]
    fn quantifiers_judge_each_related_resource() {
        let files = [
            ("main.tf", BUCKETS),
            (
                "sse.tf",
                r#"resource "aws_s3_bucket_server_side_encryption_configuration" "good" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "bad" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "none"
    }
  }
}
"#,
            ),
        ];
        let with = |quantifier: &str, extra: &str| {
            assertion(&format!(
                "    all:\n      - related:\n          resource_types: \
                 [aws_s3_bucket_server_side_encryption_configuration]\n          \
                 referencing: bucket\n          match: {quantifier}\n{extra}          \
                 conditions:\n            - path: $.rule..sse_algorithm\n              \
                 in: [AES256, 'aws:kms']\n"
            ))
        };
        let b = |outcome: &str| {
            let mut all = vec![
                "fail aws_s3_bucket.alone main.tf:9".to_string(),
                "fail aws_s3_bucket.other main.tf:5".to_string(),
                outcome.to_string(),
            ];
            all.sort();
            all
        };
        assert_eq!(
            run(&with("any", ""), &files),
            b("pass aws_s3_bucket.b main.tf:1")
        );
        assert_eq!(
            run(&with("all", ""), &files),
            b("fail aws_s3_bucket.b sse.tf:13")
        );
        let none = run(&with("none", ""), &files);
        assert_eq!(
            none,
            [
                "fail aws_s3_bucket.b sse.tf:5",
                "pass aws_s3_bucket.alone main.tf:9",
                "pass aws_s3_bucket.other main.tf:5",
            ]
        );
        let lenient = run(&with("any", "          if_missing: pass\n"), &files);
        assert_eq!(
            lenient,
            [
                "pass aws_s3_bucket.alone main.tf:9",
                "pass aws_s3_bucket.b main.tf:1",
                "pass aws_s3_bucket.other main.tf:5",
            ]
        );
    }

    #[test]
    fn too_many_related_resources_leave_the_item_undecided() {
        let mut text = String::from(BUCKETS);
        for i in 0..=super::MAX_RELATED {
            text.push_str(&format!(
                "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"c{i}\" {{\n  bucket = \"acme-b\"\n}}\n"
            ));
        }
        let docs = documents(&[("main.tf", &text)]);
        let budget = Budget::start(&Default::default());
        let findings = assertion(LIST_RELATED).evaluate(&Inputs::new(&docs), &budget);
        let b: Vec<_> = findings
            .iter()
            .filter(|f| f.resource.as_deref() == Some("aws_s3_bucket.b"))
            .collect();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].status, FindingStatus::Error);
        assert!(
            b[0].message
                .starts_with("`aws_s3_bucket.b` is not judged: ")
                && b[0]
                    .message
                    .ends_with("more than the 1000 one item may have"),
            "{}",
            b[0].message
        );
        // An alternative that holds decides the item all the same.
        let either = assertion(&format!(
            "    any:\n      - {{path: $.bucket, equals: acme-b}}\n{}",
            &LIST_RELATED["    all:\n".len()..]
        ));
        let findings = either.evaluate(&Inputs::new(&docs), &budget);
        assert!(findings
            .iter()
            .any(|f| f.resource.as_deref() == Some("aws_s3_bucket.b")
                && f.status == FindingStatus::Pass));
    }

    #[test]
    fn a_spent_budget_stops_between_items() {
        let docs = documents(&[("main.tf", BUCKETS)]);
        let limits = assay_collectors::limits::Limits {
            check_seconds: 0,
            ..Default::default()
        };
        let findings =
            assertion(LIST_RELATED).evaluate(&Inputs::new(&docs), &Budget::start(&limits));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].status, FindingStatus::Error);
        assert!(findings[0].message.contains("`limits.check_seconds`"));
    }

    #[test]
    fn a_budget_spent_inside_an_item_leaves_it_undecided() {
        let docs = documents(&[(
            "main.tf",
            &format!(
                "{BUCKETS}resource \"aws_s3_bucket_server_side_encryption_configuration\" \"e\" \
                 {{\n  bucket = aws_s3_bucket.b.id\n}}\n"
            ),
        )]);
        let inputs = Inputs::new(&docs);
        let assert = assertion(LIST_RELATED);
        let item = &assert.selector().items(&docs[0])[0];
        assert_eq!(item.label, "aws_s3_bucket.b");
        let spent = Budget::start(&assay_collectors::limits::Limits {
            check_seconds: 0,
            ..Default::default()
        });
        let findings = assert.judge(item, 1, Some(inputs.resources()), &spent);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].status, FindingStatus::Error);
        assert!(findings[0].message.contains("`limits.check_seconds`"));
    }

    #[test]
    fn relations_are_validated_when_the_catalog_loads() {
        let compile = |body: &str| {
            let text = format!(
                "id: t\ntitle: t\ndescription: t\nfamily: t\nseverity: low\nremediation: t\n\
                 check:\n  assert:\n    message: m\n    all:\n      - related:\n{body}"
            );
            let (doc, schema_errors) =
                read_yaml_unchecked("c.yaml", text.as_bytes(), SchemaKind::Control).unwrap();
            schema_errors
                .into_iter()
                .chain(
                    Assert::compile(&doc, "/check/assert")
                        .err()
                        .unwrap_or_default(),
                )
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        };
        for (body, expected) in [
            ("          referencing: bucket\n", "needs `resource_types`"),
            ("          resource_types: [x]\n", "exactly one of `referencing`"),
            (
                "          resource_types: [x]\n          referencing: b\n          referenced_by: c\n",
                "exactly one of `referencing`",
            ),
            (
                "          resource_types: [x]\n          referencing: '$.a['\n",
                "invalid JSONPath",
            ),
            (
                "          resource_types: [x]\n          referencing: b\n          match: some\n",
                "unknown quantifier",
            ),
            (
                "          resource_types: [x]\n          referencing: b\n          conditions: [{path: $.a}]\n",
                "exactly one operator",
            ),
            (
                "          resource_types: [x]\n          referencing: b\n        path: $.a\n",
                "cannot stand beside `related`",
            ),
            (
                "          resource_types: [x]\n          referncing: b\n",
                "did you mean `referencing`?",
            ),
        ] {
            let errors = compile(body);
            assert!(errors.contains(expected), "{body}: {errors}");
        }
        assert_eq!(
            compile("          resource_types: [x]\n          referencing: b\n"),
            ""
        );
    }
}
