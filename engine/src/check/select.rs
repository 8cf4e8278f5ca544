//! Selecting the items a check applies to: documents filtered by file, format and kind, with
//! Terraform resources, Kubernetes pod specs, the objects of Kubernetes lists (`kind: List`,
//! `*List` with `items`) and `for_each` nodes split out as items of their own.

use std::collections::BTreeSet;

use assay_collectors::{pointer_push, terraform, Document, EvidenceKind, Format};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde_json::Value;
use serde_json_path::JsonPath;

use super::assert::compile_path;
use super::item_filter::ItemFilter;
use super::workload::View;
use crate::diag::Diagnostic;
use crate::parse::LocatedValue;

/// Which items of which documents a check looks at. Every filter that is set must match.
#[derive(Debug, Default)]
pub struct Selector {
    /// Evidence kinds read; empty means `config`.
    evidence: Vec<EvidenceKind>,
    files: Option<GlobSet>,
    formats: Vec<Format>,
    kinds: Vec<String>,
    api_versions: Vec<String>,
    resource_types: Vec<String>,
    /// Kubernetes workloads seen as their pod specs or containers.
    workloads: Option<View>,
    filter: Option<ItemFilter>,
    for_each: Option<JsonPath>,
}

/// One thing a check judges: a whole document, a Terraform resource, a pod spec or container,
/// or a `for_each` node.
#[derive(Debug)]
pub struct Item<'d> {
    pub document: &'d Document,
    /// JSON pointer of the item within its document.
    pub pointer: String,
    pub value: &'d Value,
    /// Human name: `aws_s3_bucket.logs`, `Deployment/default/web` or the file path.
    pub label: String,
    /// The Terraform resource (type, name) the item is or lies in.
    pub resource: Option<(&'d str, &'d str)>,
}

impl Item<'_> {
    pub fn line(&self) -> u32 {
        self.document.line(&self.pointer)
    }
}

fn strings(doc: &LocatedValue, pointer: &str) -> Vec<String> {
    match doc.value.pointer(pointer) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

impl Selector {
    /// Compiles the `select` mapping at `pointer` (absent: select every document).
    pub fn compile(doc: &LocatedValue, pointer: &str) -> Result<Selector, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut selector = Selector::default();
        if doc.value.pointer(pointer).is_none() {
            return Ok(selector);
        }
        let globs = strings(doc, &format!("{pointer}/files"));
        if !globs.is_empty() {
            let mut builder = GlobSetBuilder::new();
            for (i, g) in globs.iter().enumerate() {
                match Glob::new(g) {
                    Ok(glob) => {
                        builder.add(glob);
                    }
                    Err(e) => {
                        let at = match doc.value.pointer(&format!("{pointer}/files")) {
                            Some(Value::Array(_)) => format!("{pointer}/files/{i}"),
                            _ => format!("{pointer}/files"),
                        };
                        errors.push(
                            doc.diagnostic(&at, format!("invalid glob `{g}`: {}", e.kind()))
                                .expected("a glob such as `**/*.tf`"),
                        );
                    }
                }
            }
            match builder.build() {
                Ok(set) => selector.files = Some(set),
                Err(e) => errors.push(doc.diagnostic(&format!("{pointer}/files"), e.to_string())),
            }
        }
        selector.evidence = strings(doc, &format!("{pointer}/evidence"))
            .iter()
            .filter_map(|k| serde_json::from_value(Value::String(k.clone())).ok())
            .collect();
        selector.formats = strings(doc, &format!("{pointer}/formats"))
            .iter()
            .filter_map(|f| serde_json::from_value(Value::String(f.clone())).ok())
            .collect();
        selector.kinds = strings(doc, &format!("{pointer}/kinds"));
        selector.api_versions = strings(doc, &format!("{pointer}/api_versions"));
        selector.resource_types = strings(doc, &format!("{pointer}/resource_types"));
        let at = format!("{pointer}/workloads");
        if let Some(Value::String(name)) = doc.value.pointer(&at) {
            selector.workloads = View::named(name);
            if selector.workloads.is_none() {
                errors.push(
                    doc.diagnostic(&at, format!("unknown workload view `{name}`"))
                        .expected("`pods` (one item per pod spec) or `containers`"),
                );
            } else if !selector.resource_types.is_empty() {
                errors.push(
                    doc.diagnostic(&at, "`workloads` and `resource_types` cannot be combined")
                        .hint("Kubernetes workloads and Terraform resources are different documents: write two controls"),
                );
            }
        }
        for key in ["where", "for_each"] {
            let at = format!("{pointer}/{key}");
            if let Some(Value::String(src)) = doc.value.pointer(&at) {
                if key == "where" && !src.trim_start().starts_with("$[?") {
                    errors.push(
                        doc.diagnostic(&at, format!("`where` must be a filter on the item, got `{src}`"))
                            .expected("a filter selector such as `$[?@.spec.hostNetwork == true]`")
                            .hint("`where` runs against `[item]`: write `$[?<test on @>]`; to test existence use `$[?@.jobs]`"),
                    );
                    continue;
                }
                match compile_path(doc, &at, src) {
                    Ok(path) if key == "where" => {
                        selector.filter = Some(ItemFilter::new(src, path))
                    }
                    Ok(path) => selector.for_each = Some(path),
                    Err(d) => errors.push(d),
                }
            }
        }
        if errors.is_empty() {
            Ok(selector)
        } else {
            Err(errors)
        }
    }

    /// The evidence kinds this selector reads.
    pub fn evidence(&self) -> Vec<EvidenceKind> {
        if self.evidence.is_empty() {
            vec![EvidenceKind::Config]
        } else {
            self.evidence.clone()
        }
    }

    /// Whether a config file at the root-relative `path` could hold items for this selector,
    /// judged by its name (file globs) and format; content filters are not consulted. The
    /// formats are those its documents were parsed as (`formats`, as in [`Self::admits`]);
    /// when none are known, the format its name suggests, YAML and JSON files counting as
    /// possible CloudFormation or ARM templates.
    pub fn could_select(&self, path: &str, formats: &BTreeSet<Format>) -> bool {
        let reads_config =
            self.evidence.is_empty() || self.evidence.contains(&EvidenceKind::Config);
        let name = path.rsplit('/').next().unwrap_or(path);
        let admitted = |f: &Format| self.formats.is_empty() || self.formats.contains(f);
        let template = |f: Format| {
            matches!(f, Format::Yaml | Format::Json)
                && (self.formats.contains(&Format::CloudFormation)
                    || self.formats.contains(&Format::Arm))
        };
        let format = if formats.is_empty() {
            Format::detect(name).is_some_and(|f| admitted(&f) || template(f))
        } else {
            formats.iter().any(admitted)
        };
        // A JSON file may be a Terraform plan, selected whatever its name (see `admits`).
        let plan = !self.resource_types.is_empty() && name.to_ascii_lowercase().ends_with(".json");
        reads_config && (plan || self.files.as_ref().is_none_or(|g| g.is_match(path))) && format
    }

    /// Whether the document can hold items at all (evidence kind, file and format match).
    fn admits(&self, doc: &Document) -> bool {
        let kind_ok = if self.evidence.is_empty() {
            doc.kind == EvidenceKind::Config
        } else {
            self.evidence.contains(&doc.kind)
        };
        if !kind_ok {
            return false;
        }
        // A Terraform plan holds Terraform resources whatever its file is called.
        let plan = !self.resource_types.is_empty() && terraform::plan::is_plan(&doc.data);
        if !plan
            && self
                .files
                .as_ref()
                .is_some_and(|g| !g.is_match(doc.path.as_ref()))
        {
            return false;
        }
        if !self.formats.is_empty() && !self.formats.contains(&doc.format) {
            return false;
        }
        if self.workloads.is_some() && !View::admits(doc) {
            return false;
        }
        true
    }

    /// Whether an object's kind and apiVersion match.
    fn kind_matches(&self, object: &Value) -> bool {
        let field = |name: &str| object.get(name).and_then(Value::as_str);
        if !self.kinds.is_empty()
            && !field("kind").is_some_and(|k| self.kinds.iter().any(|x| x == k))
        {
            return false;
        }
        if !self.api_versions.is_empty()
            && !field("apiVersion").is_some_and(|k| self.api_versions.iter().any(|x| x == k))
        {
            return false;
        }
        true
    }

    /// The objects of a Kubernetes list (`apiVersion`, a kind ending in `List` and an `items`
    /// array), each judged on its own unless the selector asks for that list kind itself.
    fn list_items<'d>(&self, data: &'d Value) -> Option<&'d Vec<Value>> {
        let kind = data.get("kind")?.as_str()?;
        data.get("apiVersion")?.as_str()?;
        if !kind.ends_with("List") || self.kinds.iter().any(|k| k == kind) {
            return None;
        }
        data.get("items")?.as_array()
    }

    /// The items of `doc` this selector picks, in document order.
    pub fn items<'d>(&self, doc: &'d Document) -> Vec<Item<'d>> {
        if !self.admits(doc) {
            return Vec::new();
        }
        let mut base = Vec::new();
        // The objects to judge: each object of a Kubernetes list, else the document itself.
        let list = self.list_items(&doc.data);
        let objects: Vec<(String, &'d Value)> = match list {
            Some(objects) => objects
                .iter()
                .enumerate()
                .map(|(i, object)| (format!("/items/{i}"), object))
                .collect(),
            None => vec![(String::new(), &doc.data)],
        };
        if let Some(view) = self.workloads {
            for (at, object) in objects {
                if self.kind_matches(object) {
                    base.extend(view.items(doc, &at, object));
                }
            }
        } else if list.is_some() {
            for (pointer, object) in objects {
                if !self.kind_matches(object) {
                    continue;
                }
                base.push(Item {
                    document: doc,
                    label: kubernetes_label(object)
                        .unwrap_or_else(|| format!("{}{pointer}", document_label(doc))),
                    pointer,
                    value: object,
                    resource: None,
                });
            }
        } else if !self.kind_matches(&doc.data) {
            return Vec::new();
        } else if self.resource_types.is_empty() {
            base.push(Item {
                document: doc,
                pointer: String::new(),
                value: &doc.data,
                label: document_label(doc),
                resource: None,
            });
        } else {
            let types = doc.data.get("resource").and_then(Value::as_object);
            for kind in &self.resource_types {
                let Some((kind, Value::Object(resources))) =
                    types.and_then(|t| t.get_key_value(kind))
                else {
                    continue;
                };
                for (name, body) in resources {
                    let (pointer, value) = resource_body(kind, name, body);
                    base.push(Item {
                        document: doc,
                        pointer,
                        value,
                        label: terraform::address(kind, name),
                        resource: Some((kind, name)),
                    });
                }
            }
        }
        let mut items: Vec<Item<'d>> = base
            .into_iter()
            .filter(|item| self.filter.as_ref().is_none_or(|f| f.keeps(item.value)))
            .collect();
        if let Some(for_each) = &self.for_each {
            items = items
                .into_iter()
                .flat_map(|item| {
                    for_each
                        .query_located(item.value)
                        .into_iter()
                        .map(|node| Item {
                            document: item.document,
                            pointer: format!(
                                "{}{}",
                                item.pointer,
                                node.location().to_json_pointer()
                            ),
                            value: node.node(),
                            label: item.label.clone(),
                            resource: item.resource,
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
        }
        items
    }
}

/// The JSON pointer and body of the resource `name` of type `kind`, whose entry under
/// `resource.<kind>` is `entry` (`.tf.json` may wrap a body in a one-element array).
pub(super) fn resource_body<'d>(kind: &str, name: &str, entry: &'d Value) -> (String, &'d Value) {
    let pointer = pointer_push(&pointer_push("/resource", kind), name);
    match entry {
        Value::Array(items) if items.len() == 1 => (format!("{pointer}/0"), &items[0]),
        other => (pointer, other),
    }
}

/// The label of a whole document: `Kind/namespace/name` for Kubernetes objects, else its path
/// (with `#N` for the N-th document of a multi-document file).
pub fn document_label(doc: &Document) -> String {
    if let Some(label) = kubernetes_label(&doc.data) {
        return label;
    }
    if doc.index == 0 {
        doc.path.to_string()
    } else {
        format!("{}#{}", doc.path, doc.index)
    }
}

/// `Kind/namespace/name` of a Kubernetes object (namespace `default` when unset).
pub fn kubernetes_label(data: &Value) -> Option<String> {
    let kind = data.get("kind").and_then(Value::as_str)?;
    let name = data.pointer("/metadata/name").and_then(Value::as_str)?;
    let namespace = data
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    Some(format!("{kind}/{namespace}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::{control, documents};

    /// The selector of a control whose `select:` is `select` (YAML flow mapping).
    fn selector(select: &str) -> Result<Selector, Vec<Diagnostic>> {
        let (doc, _) = control(&format!(
            "  assert:\n    select: {select}\n    all:\n      - {{path: $.a, exists: true}}\n"
        ));
        Selector::compile(&doc, "/check/assert/select")
    }

    fn labels(selector: &Selector, docs: &[Document]) -> Vec<String> {
        docs.iter()
            .flat_map(|d| selector.items(d))
            .map(|i| format!("{}@{}", i.label, i.line()))
            .collect()
    }

    const MANIFESTS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {replicas: 3}
---
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: one}
  - apiVersion: v1
    kind: Service
    metadata: {name: two}
";

    #[test]
    fn kinds_pick_documents_and_the_objects_of_lists() {
        let docs = documents("k8s/app.yaml", MANIFESTS);
        let services = selector("{kinds: [Service]}").unwrap();
        assert_eq!(
            labels(&services, &docs),
            ["Service/default/web@6", "Service/default/two@16"]
        );
        let lists = selector("{kinds: [List]}").unwrap();
        assert_eq!(
            labels(&lists, &docs),
            ["app.yaml#2@10"].map(|l| format!("k8s/{l}"))
        );
        let apps = selector("{api_versions: [apps/v1]}").unwrap();
        assert_eq!(labels(&apps, &docs), ["Deployment/shop/web@1"]);
    }

    #[test]
    fn where_filters_items_and_for_each_splits_them_at_their_lines() {
        let docs = documents("k8s/app.yaml", MANIFESTS);
        let replicated =
            selector("{kinds: [Deployment], where: '$[?@.spec.replicas > 2]'}").unwrap();
        assert_eq!(labels(&replicated, &docs), ["Deployment/shop/web@1"]);
        let single = selector("{kinds: [Deployment], where: '$[?@.spec.replicas < 2]'}").unwrap();
        assert!(labels(&single, &docs).is_empty());
        let each = selector("{kinds: [List], for_each: '$.items[*]'}").unwrap();
        let items: Vec<String> = docs
            .iter()
            .flat_map(|d| each.items(d))
            .map(|i| format!("{}@{}", i.pointer, i.line()))
            .collect();
        assert_eq!(items, ["/items/0@13", "/items/1@16"]);
    }

    #[test]
    fn files_and_formats_decide_what_a_selector_could_read() {
        let by_name = BTreeSet::new();
        let tf = selector("{files: ['infra/**/*.tf'], resource_types: [aws_s3_bucket]}").unwrap();
        assert!(tf.could_select("infra/prod/main.tf", &by_name));
        assert!(!tf.could_select("modules/main.tf", &by_name));
        let yaml = selector("{formats: [yaml]}").unwrap();
        assert!(yaml.could_select("k8s/app.yaml", &by_name));
        assert!(!yaml.could_select("main.tf", &by_name));
        let cfn = selector("{formats: [cloudformation]}").unwrap();
        assert!(
            cfn.could_select("stack.yaml", &by_name),
            "YAML may hold a template"
        );
        let parsed = |formats: &[Format]| formats.iter().copied().collect::<BTreeSet<_>>();
        assert!(
            !cfn.could_select("k8s/app.yaml", &parsed(&[Format::Yaml])),
            "a file parsed as plain YAML holds no template"
        );
        assert!(cfn.could_select(
            "stack.yaml",
            &parsed(&[Format::Yaml, Format::CloudFormation])
        ));
        assert!(yaml.could_select("k8s/app.yaml", &parsed(&[Format::Yaml])));
        let sbom = selector("{evidence: [sbom]}").unwrap();
        assert!(
            !sbom.could_select("k8s/app.yaml", &by_name),
            "reads no config file"
        );
        assert!(labels(&sbom, &documents("k8s/app.yaml", MANIFESTS)).is_empty());
    }

    #[test]
    fn invalid_selections_are_errors_at_their_keys() {
        let messages = |select: &str| -> Vec<String> {
            selector(select)
                .unwrap_err()
                .iter()
                .map(|d| d.to_string())
                .collect()
        };
        assert!(messages("{files: ['a/[b']}")[0].contains("invalid glob `a/[b`"));
        assert!(messages("{workloads: jobs}")[0].contains("unknown workload view `jobs`"));
        assert!(
            messages("{workloads: pods, resource_types: [x]}")[0].contains("cannot be combined")
        );
        assert!(messages("{where: '$.spec'}")[0].contains("`where` must be a filter"));
    }
}
