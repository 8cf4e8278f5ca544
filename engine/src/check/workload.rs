//! The workload view of Kubernetes manifests: every workload kind yields the same item, its
//! pod spec (or each of its containers), so that a pod check is written once for Pod,
//! Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job and CronJob.

use assay_collectors::{pointer_push, Document, Format};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::select::{kubernetes_label, Item};

/// Each workload kind with the pointer of its pod spec.
const POD_SPECS: [(&str, &str); 8] = [
    ("Pod", "/spec"),
    ("Deployment", "/spec/template/spec"),
    ("StatefulSet", "/spec/template/spec"),
    ("DaemonSet", "/spec/template/spec"),
    ("ReplicaSet", "/spec/template/spec"),
    ("ReplicationController", "/spec/template/spec"),
    ("Job", "/spec/template/spec"),
    ("CronJob", "/spec/jobTemplate/spec/template/spec"),
];

/// The lists of a pod spec that hold containers.
const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// The item of a workload whose pod spec is missing: judged as an empty spec.
static MISSING: Value = Value::Null;

/// What a workload selector yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "workloads")]
pub enum View {
    /// One item per workload: its pod spec, with `$` the spec.
    Pods,
    /// One item per container, init container and ephemeral container of each pod spec.
    Containers,
}

impl View {
    /// The view named in `select: {workloads: …}`.
    pub fn named(name: &str) -> Option<View> {
        View::deserialize(Value::from(name)).ok()
    }

    /// Whether the document can hold Kubernetes manifests: YAML or JSON, or the manifests of a
    /// Terraform file's kubernetes provider resources.
    pub fn admits(doc: &Document) -> bool {
        matches!(doc.format, Format::Yaml | Format::Json | Format::Hcl)
    }

    /// The items of the workload manifest `object` at `at` in `doc` (the document itself, or
    /// an object of a Kubernetes list), in document order; labelled `Kind/namespace/name`.
    pub fn items<'d>(self, doc: &'d Document, at: &str, object: &'d Value) -> Vec<Item<'d>> {
        let Some(spec_at) = pod_spec_pointer(object) else {
            return Vec::new();
        };
        let label = kubernetes_label(object).unwrap_or_else(|| doc.path.to_string());
        let spec = object.pointer(spec_at).unwrap_or(&MISSING);
        let pointer = format!("{at}{spec_at}");
        match self {
            View::Pods => vec![Item {
                document: doc,
                pointer,
                value: spec,
                label,
                resource: None,
            }],
            View::Containers => CONTAINER_LISTS
                .iter()
                .filter_map(|list| Some((*list, spec.get(list)?.as_array()?)))
                .flat_map(|(list, containers)| {
                    let at = pointer_push(&pointer, list);
                    containers
                        .iter()
                        .enumerate()
                        .map(move |(i, c)| (format!("{at}/{i}"), c))
                })
                .map(|(pointer, value)| Item {
                    document: doc,
                    pointer,
                    value,
                    label: label.clone(),
                    resource: None,
                })
                .collect(),
        }
    }
}

/// Where the pod spec of a workload manifest is, by its `kind`.
fn pod_spec_pointer(data: &Value) -> Option<&'static str> {
    let kind = data.get("kind")?.as_str()?;
    POD_SPECS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, pointer)| *pointer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_support::documents;

    const CRONJOB: &str = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: backup\n  namespace: ops\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers:\n            - name: init\n          containers:\n            - name: main\n            - name: side\n";

    #[test]
    fn pods_point_at_the_pod_spec() {
        let docs = documents("cron.yaml", CRONJOB);
        let items = View::Pods.items(&docs[0], "", &docs[0].data);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].pointer, "/spec/jobTemplate/spec/template/spec");
        assert_eq!(items[0].label, "CronJob/ops/backup");
        assert_eq!(items[0].line(), 10);
        assert!(items[0].value.get("containers").is_some());
    }

    #[test]
    fn containers_cover_every_list_in_order() {
        let docs = documents("cron.yaml", CRONJOB);
        let items = View::Containers.items(&docs[0], "", &docs[0].data);
        let names: Vec<&str> = items
            .iter()
            .map(|i| i.value["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["main", "side", "init"]);
        let lines: Vec<u32> = items.iter().map(Item::line).collect();
        assert_eq!(lines, [14, 15, 12]);
    }

    #[test]
    fn other_kinds_and_missing_specs() {
        let docs = documents(
            "x.yaml",
            "kind: Service\nmetadata: {name: s}\n---\nkind: Deployment\nmetadata: {name: d}\n",
        );
        assert!(View::Pods.items(&docs[0], "", &docs[0].data).is_empty());
        let items = View::Pods.items(&docs[1], "", &docs[1].data);
        assert_eq!(items.len(), 1);
        assert!(items[0].value.is_null());
        assert!(View::Containers
            .items(&docs[1], "", &docs[1].data)
            .is_empty());
    }
}
