//! Kubernetes objects declared with Terraform's kubernetes provider (`kubernetes_deployment`,
//! `kubernetes_pod_v1`, …), seen as the manifests they create, so that the Kubernetes controls
//! judge them.
//!
//! Each resource of a mapped type becomes a manifest with the `apiVersion` and `kind` of its
//! type: block names become the manifest's field names (`security_context` is
//! `securityContext`, a repeated `container` block is the `containers` list, `host_pid` is
//! `hostPID`), single blocks lose their one-element array, and attribute values (label maps,
//! resource limits, lists) are kept as written. Every node is located at the attribute or
//! block it comes from. The manifests are derived again from the evaluated Terraform
//! (variables, locals, `count`/`for_each` resolved); what cannot be known stays as written
//! (`"${var.image}"`).

use serde_json::{Map, Value};

use crate::lines::{pointer_push, LineMap};

/// Resource types (without a `_v1` suffix) and the `apiVersion` and `kind` they create.
const KINDS: &[(&str, &str, &str)] = &[
    ("kubernetes_pod", "v1", "Pod"),
    ("kubernetes_deployment", "apps/v1", "Deployment"),
    ("kubernetes_stateful_set", "apps/v1", "StatefulSet"),
    ("kubernetes_daemonset", "apps/v1", "DaemonSet"),
    ("kubernetes_daemon_set", "apps/v1", "DaemonSet"),
    (
        "kubernetes_replication_controller",
        "v1",
        "ReplicationController",
    ),
    ("kubernetes_job", "batch/v1", "Job"),
    ("kubernetes_cron_job", "batch/v1", "CronJob"),
    ("kubernetes_role", "rbac.authorization.k8s.io/v1", "Role"),
    (
        "kubernetes_cluster_role",
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
    ),
];

/// Repeated blocks whose manifest field is a list with another name.
const LISTS: &[(&str, &str)] = &[
    ("container", "containers"),
    ("init_container", "initContainers"),
    ("volume", "volumes"),
    ("volume_mount", "volumeMounts"),
    ("port", "ports"),
    ("env", "env"),
    ("env_from", "envFrom"),
    ("toleration", "tolerations"),
    ("image_pull_secrets", "imagePullSecrets"),
    ("host_aliases", "hostAliases"),
    ("rule", "rules"),
];

/// Field names that camel case does not give.
const NAMES: &[(&str, &str)] = &[
    ("host_pid", "hostPID"),
    ("host_ipc", "hostIPC"),
    ("api_groups", "apiGroups"),
];

/// The manifests of the Kubernetes resources of a Terraform document (`data` located by
/// `lines`), each with where its nodes come from.
pub fn manifests(data: &Value, lines: &LineMap) -> Vec<(Value, LineMap)> {
    let Some(resources) = data.get("resource").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (kind, by_name) in resources {
        let base = kind.strip_suffix("_v1").unwrap_or(kind);
        let Some((_, api_version, manifest_kind)) = KINDS.iter().find(|(t, ..)| *t == base) else {
            continue;
        };
        let Some(by_name) = by_name.as_object() else {
            continue;
        };
        for (name, body) in by_name {
            let mut at = pointer_push(&pointer_push("/resource", kind), name);
            // `.tf.json` may wrap a resource body in a one-element array.
            let body = match body {
                Value::Array(items) if items.len() == 1 => {
                    at.push_str("/0");
                    &items[0]
                }
                other => other,
            };
            let mut out = LineMap::new();
            let Value::Object(mut manifest) = block(body, &at, "", lines, &mut out) else {
                continue;
            };
            manifest.insert("apiVersion".into(), Value::from(*api_version));
            manifest.insert("kind".into(), Value::from(*manifest_kind));
            if let Some(position) = lines.position(&at) {
                for key in ["", "/apiVersion", "/kind"] {
                    out.insert(key.to_string(), position);
                }
            }
            found.push((Value::Object(manifest), out));
        }
    }
    found
}

/// The manifest form of a block body at `from` (in the Terraform document), placed at `to`.
fn block(body: &Value, from: &str, to: &str, lines: &LineMap, out: &mut LineMap) -> Value {
    let Value::Object(fields) = body else {
        return body.clone();
    };
    let mut manifest = Map::new();
    for (key, value) in fields {
        let from_key = pointer_push(from, key);
        let blocks = value
            .as_array()
            .filter(|items| !items.is_empty() && items.iter().all(Value::is_object));
        let (name, converted) = match (blocks, LISTS.iter().find(|(b, _)| b == key)) {
            (Some(items), Some((_, list))) => {
                let list_at = pointer_push(to, list);
                let converted = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let (f, t) = (format!("{from_key}/{i}"), format!("{list_at}/{i}"));
                        locate(lines, &f, &t, out);
                        block(item, &f, &t, lines, out)
                    })
                    .collect();
                (list.to_string(), Value::Array(converted))
            }
            (Some(items), None) => {
                let name = field_name(key);
                let f = format!("{from_key}/0");
                (
                    name.clone(),
                    block(&items[0], &f, &pointer_push(to, &name), lines, out),
                )
            }
            (None, _) => (field_name(key), value.clone()),
        };
        locate(lines, &from_key, &pointer_push(to, &name), out);
        manifest.insert(name, converted);
    }
    Value::Object(manifest)
}

fn locate(lines: &LineMap, from: &str, to: &str, out: &mut LineMap) {
    if let Some(position) = lines.position(from) {
        out.insert(to.to_string(), position);
    }
}

/// `snake_case` as the manifest's `camelCase`, with the exceptions of [`NAMES`].
fn field_name(key: &str) -> String {
    if let Some((_, name)) = NAMES.iter().find(|(k, _)| *k == key) {
        return name.to_string();
    }
    let mut name = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                name.extend(c.to_uppercase());
                upper = false;
            }
            c => name.push(c),
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::hcl;
    use serde_json::json;

    #[test]
    fn deployments_become_manifests_located_at_their_blocks() {
        let text = r#"
resource "kubernetes_deployment_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
    labels    = { app_name = "web" }
  }
  spec {
    template {
      spec {
        host_pid = true
        container {
          name  = "app"
          image = var.image
          security_context {
            privileged = true
          }
        }
        container {
          name  = "sidecar"
          image = "envoy:1.31"
          resources {
            limits = { cpu = "1" }
          }
        }
      }
    }
  }
}
resource "aws_s3_bucket" "b" {}
"#;
        let parsed = hcl::parse(text).unwrap();
        let found = manifests(&parsed.data, &parsed.lines);
        assert_eq!(found.len(), 1);
        let (manifest, lines) = &found[0];
        assert_eq!(
            manifest,
            &json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "shop", "labels": {"app_name": "web"}},
                "spec": {"template": {"spec": {
                    "hostPID": true,
                    "containers": [
                        {"name": "app", "image": "${var.image}", "securityContext": {"privileged": true}},
                        {"name": "sidecar", "image": "envoy:1.31", "resources": {"limits": {"cpu": "1"}}},
                    ],
                }}},
            })
        );
        let line = |p: &str| lines.line(p).unwrap();
        assert_eq!(line(""), 2);
        assert_eq!(line("/spec/template/spec/hostPID"), 11);
        assert_eq!(line("/spec/template/spec/containers/0"), 12);
        assert_eq!(
            line("/spec/template/spec/containers/0/securityContext/privileged"),
            16
        );
        assert_eq!(
            line("/spec/template/spec/containers/1/resources/limits"),
            23
        );
    }
}
