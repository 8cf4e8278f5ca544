//! End-to-end tests of the input kinds beyond plain files: Helm charts and Kustomize
//! directories (rendered with helm / kubectl when on PATH, noted otherwise), standard input and
//! Kubernetes lists.

use crate::common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{assay, findings, fixture, json};
use serde_json::Value;

/// The directory holding `program` on PATH; `None` (after saying `skipped: …`) when it is
/// missing, a failure under `CI=true`, where `ci/install-helm-kubectl.sh` installs it.
fn tool_dir(program: &str) -> Option<PathBuf> {
    let found = assay_collectors::render::on_path(program);
    if found.is_none() {
        common::tool_missing(
            &format!("{program} is not on PATH: run ci/install-helm-kubectl.sh"),
            &format!("{program} is not on PATH (ci/install-helm-kubectl.sh installs it)"),
        );
    }
    found.map(|p| p.parent().unwrap().to_path_buf())
}

/// A copy of the rendering fixtures (a `helm create` chart and a Kustomize base with an
/// overlay).
fn render_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("render"), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Scans `root` with PATH set to `path` and returns the JSON results.
fn scan(root: &Path, path: &std::ffi::OsStr) -> Value {
    let out = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json", "--soft-fail"])
        .env("PATH", path)
        .output()
        .unwrap();
    common::exited(&out, 0);
    json(&out)
}

/// (control, resource, path, line) of every failing Kubernetes finding.
fn k8s_failures(results: &Value) -> Vec<(String, String, String, Option<u64>)> {
    let mut found: Vec<_> = results["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with("k8s-"))
        .flat_map(|c| {
            c["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["status"] == "fail")
                .map(move |f| {
                    (
                        c["id"].as_str().unwrap().to_string(),
                        f["resource"].as_str().unwrap_or_default().to_string(),
                        f["location"]["path"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        f["location"]["line"].as_u64(),
                    )
                })
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

fn notes(results: &Value) -> Vec<(String, String)> {
    results["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// With helm and kubectl, the chart's manifests are judged at their templates and the overlay's
/// privileged sidecar (added by a patch) at the overlay; the patch itself is never a workload.
#[test]
fn charts_and_kustomizations_are_rendered_with_helm_and_kubectl() {
    let (Some(helm), Some(kubectl)) = (tool_dir("helm"), tool_dir("kubectl")) else {
        return;
    };
    let tree = render_tree();
    let path = std::env::join_paths([helm, kubectl]).unwrap();
    let r = scan(tree.path(), &path);
    assert_eq!(r["errors"], serde_json::json!([]), "{:#}", r["errors"]);
    let failures = k8s_failures(&r);
    let at = |control: &str, resource: &str| {
        failures
            .iter()
            .filter(|f| f.0 == control && f.1 == resource)
            .map(|f| (f.2.as_str(), f.3))
            .collect::<Vec<_>>()
    };
    // The chart's deployment, at its template; lines count within the rendered document.
    assert_eq!(
        at("k8s-run-as-non-root", "Deployment/default/release-web"),
        vec![("web/templates/deployment.yaml", Some(29))]
    );
    assert_eq!(
        at(
            "k8s-resource-limits",
            "Pod/default/release-web-test-connection"
        ),
        vec![("web/templates/tests/test-connection.yaml", None)]
    );
    assert_eq!(
        at("k8s-privileged-container", "Deployment/prod/api"),
        vec![("kustomize/overlays/prod/kustomization.yaml", None)]
    );
    // The base is judged in the overlay's output, not rendered on its own.
    assert!(at("k8s-privileged-container", "Deployment/default/api").is_empty());
    assert!(
        !failures.iter().any(|f| f.2.ends_with("debug-sidecar.yaml")),
        "{failures:?}"
    );
    assert_eq!(
        notes(&r),
        vec![(
            "kustomize/overlays/prod/debug-sidecar.yaml".to_string(),
            "kustomize patch named by kustomize/overlays/prod/kustomization.yaml: judged in the \
             rendered output, not as a workload"
                .to_string()
        )]
    );
}

/// A chart that does not render and a kustomization with a remote base are source errors naming
/// them, found without the network; the rest of the scan goes on.
#[test]
fn a_failing_render_is_a_source_error_and_never_reaches_the_network() {
    let (Some(helm), Some(kubectl)) = (tool_dir("helm"), tool_dir("kubectl")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write(
        "bad/Chart.yaml",
        "apiVersion: v2\nname: bad\nversion: 0.1.0\n",
    );
    write(
        "bad/templates/cm.yaml",
        "{{ fail \"values.name is required\" }}\n",
    );
    write(
        "remote/kustomization.yaml",
        "resources:\n  - https://github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v3.3.1\n",
    );
    write("pod.yaml", LIST);
    let path = std::env::join_paths([helm, kubectl]).unwrap();
    let r = scan(dir.path(), &path);
    let errors: Vec<(&str, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, "bad/Chart.yaml");
    assert!(
        errors[0].1.starts_with("`helm template` failed: ")
            && errors[0].1.contains("values.name is required"),
        "{errors:?}"
    );
    assert_eq!(errors[1].0, "remote/kustomization.yaml");
    assert!(
        errors[1].1.starts_with("`kubectl kustomize` failed: "),
        "{errors:?}"
    );
    assert_eq!(findings(&r, "k8s-privileged-container", "fail").len(), 1);
}

/// Without helm and kubectl, templates are not parse errors and patches not workloads: each
/// chart and kustomization gets one note saying how to render it.
#[test]
fn without_helm_or_kubectl_each_is_noted_never_a_parse_error() {
    let tree = render_tree();
    let empty = tempfile::tempdir().unwrap();
    let r = scan(tree.path(), empty.path().as_os_str());
    assert_eq!(r["errors"], serde_json::json!([]), "{:#}", r["errors"]);
    // Only the plain manifest of the kustomize base is judged: no template, no patch.
    let failures = k8s_failures(&r);
    assert!(!failures.is_empty());
    assert!(
        failures
            .iter()
            .all(|f| f.2 == "kustomize/base/deployment.yaml"),
        "{failures:?}"
    );
    let notes = notes(&r);
    let paths: Vec<&str> = notes.iter().map(|n| n.0.as_str()).collect();
    assert_eq!(
        paths,
        // The base is built by the overlay: only the overlay is noted.
        vec![
            "kustomize/overlays/prod/debug-sidecar.yaml",
            "kustomize/overlays/prod/kustomization.yaml",
            "web/templates/",
        ]
    );
    assert_eq!(
        notes[2].1,
        "Helm chart not rendered: install helm or pass rendered manifests with `assay scan -`"
    );
    assert!(notes[1]
        .1
        .starts_with("Kustomize directory not rendered: install kubectl"));
}

const LIST: &str = "\
apiVersion: v1
kind: List
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: calm}
    spec:
      template:
        spec:
          containers:
            - name: app
              image: nginx
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: wild, namespace: ops}
    spec:
      template:
        spec:
          containers:
            - name: app
              image: nginx
              securityContext:
                privileged: true
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings}
";

/// Each object of a `kind: List` is judged on its own, at its own lines.
#[test]
fn kubernetes_list_items_are_judged_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("all.yaml"), LIST).unwrap();
    let out = assay()
        .arg("scan")
        .arg(dir.path())
        .args(["--format", "json", "--soft-fail"])
        .output()
        .unwrap();
    let r = json(&out);
    let fail = findings(&r, "k8s-privileged-container", "fail");
    assert_eq!(fail.len(), 1, "{fail:?}");
    assert_eq!(fail[0]["resource"], "Deployment/ops/wild");
    assert_eq!(fail[0]["location"]["path"], "all.yaml");
    assert_eq!(fail[0]["location"]["line"], 23);
    let pass = findings(&r, "k8s-privileged-container", "pass");
    let resources: Vec<&Value> = pass.iter().map(|f| &f["resource"]).collect();
    assert_eq!(resources, vec!["Deployment/default/calm"]);
}

/// `assay scan -` judges the YAML stream on standard input as documents of `<stdin>`.
#[test]
fn standard_input_is_scanned_as_a_stream_of_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let stream = format!("{LIST}---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  hostNetwork: true\n  containers: [{{name: c, image: nginx}}]\n");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .current_dir(dir.path())
        .args(["scan", "-", "--format", "json", "--soft-fail"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let r = json(&out);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(r["scan"]["root"], "<stdin>");
    let fail = findings(&r, "k8s-privileged-container", "fail");
    assert_eq!(fail.len(), 1);
    assert_eq!(fail[0]["location"]["path"], "<stdin>");
    assert_eq!(fail[0]["location"]["line"], 23);
    let host = findings(&r, "k8s-host-namespaces", "fail");
    assert_eq!(host.len(), 1);
    assert_eq!(host[0]["resource"], "Pod/default/p");
    assert_eq!(host[0]["location"]["line"], 32);
}

/// Standard input larger than the file size limit is a usage error, not a partial scan.
#[test]
fn oversized_standard_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("assay.yaml"),
        "collectors:\n  config:\n    max_file_size: 100\n",
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_assay"))
        .current_dir(dir.path())
        .args(["scan", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(LIST.as_bytes());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("larger than the file size limit (100 bytes)"),
        "{stderr}"
    );
}

/// (control, status, resource, line) of every Terraform AWS finding.
fn aws_findings(results: &Value) -> Vec<(String, String, String, u64)> {
    let mut found: Vec<_> = results["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with("tf-aws-"))
        .flat_map(|c| {
            c["findings"].as_array().unwrap().iter().map(move |f| {
                (
                    c["id"].as_str().unwrap().to_string(),
                    f["status"].as_str().unwrap().to_string(),
                    f["resource"].as_str().unwrap_or_default().to_string(),
                    f["location"]["line"].as_u64().unwrap_or(0),
                )
            })
        })
        .collect();
    found.sort();
    found
}

/// Real templates (YAML with short-form intrinsics, and JSON) are judged by the Terraform AWS
/// controls through the CloudFormation mapping, at the lines of their properties.
#[test]
fn cloudformation_templates_are_judged_by_the_terraform_aws_controls() {
    let r = scan(
        &fixture("cloudformation"),
        &std::env::var_os("PATH").unwrap_or_default(),
    );
    assert_eq!(r["errors"], serde_json::json!([]));
    let fails: Vec<_> = aws_findings(&r)
        .into_iter()
        .filter(|f| f.1 == "fail")
        .collect();
    let expected = [
        // The access log bucket and the replica bucket log nowhere.
        (
            "tf-aws-s3-access-logging",
            "aws_s3_bucket.ObjectStorageLogBucket",
            74,
        ),
        (
            "tf-aws-s3-access-logging",
            "aws_s3_bucket.ObjectStorageReplicaBucket",
            136,
        ),
        // SSH open to the default of the SSHLocation parameter, 0.0.0.0/0: at the rule.
        (
            "tf-aws-sg-admin-ports-open",
            "aws_security_group.InstanceSecurityGroup",
            126,
        ),
    ];
    let fails: Vec<(&str, &str, u64)> = fails
        .iter()
        .map(|f| (f.0.as_str(), f.2.as_str(), f.3))
        .collect();
    assert_eq!(fails, expected);
    let encrypted = findings(&r, "tf-aws-s3-encryption", "pass");
    assert_eq!(encrypted.len(), 3);
}

const TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Encrypt: {Type: String}
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicRead
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}
      LoggingConfiguration: {DestinationBucketName: !Ref Logs}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      StorageEncrypted: !Ref Encrypt
  Data:
    Type: AWS::EC2::Volume
    Properties:
      Size: 10
      Encrypted: false
  Rdp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Sg, IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: 0.0.0.0/0}
  Admin:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: '*'
            Resource: '*'
";

/// Each mapped resource type reaches the control that reads it; a value left to an intrinsic
/// the template cannot resolve (a parameter without a default) never passes.
#[test]
fn cloudformation_mapping_covers_buckets_databases_volumes_rules_and_policies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stack.yaml"), TEMPLATE).unwrap();
    let r = scan(dir.path(), &std::env::var_os("PATH").unwrap_or_default());
    let fails: Vec<(String, String, u64)> = aws_findings(&r)
        .into_iter()
        .filter(|f| f.1 == "fail")
        .map(|f| (f.0, f.2, f.3))
        .collect();
    let expected = [
        ("tf-aws-ebs-encryption", "aws_ebs_volume.Data", 22),
        ("tf-aws-iam-wildcard-policy", "stack.yaml#1", 26),
        ("tf-aws-rds-encryption", "aws_db_instance.Db", 17),
        // The public ACL (one finding, at its own line: no public access block overrides it).
        ("tf-aws-s3-public-acl", "aws_s3_bucket.Site", 8),
        (
            "tf-aws-sg-admin-ports-open",
            "aws_security_group_rule.Rdp",
            25,
        ),
    ]
    .map(|(c, r, l)| (c.to_string(), r.to_string(), l));
    assert_eq!(fails, expected);
    let rds = &findings(&r, "tf-aws-rds-encryption", "fail")[0];
    assert!(
        rds["message"]
            .as_str()
            .unwrap()
            .contains("{\"Ref\":\"Encrypt\"}"),
        "{rds}"
    );
}

/// Real compose files: the host network and unpinned images are found per service, at the
/// service's lines.
#[test]
fn compose_files_are_judged_per_service() {
    let r = scan(
        &fixture("compose"),
        &std::env::var_os("PATH").unwrap_or_default(),
    );
    let mut fails: Vec<(String, String, u64)> = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with("compose-"))
        .flat_map(|c| {
            findings(&r, c["id"].as_str().unwrap(), "fail")
                .into_iter()
                .map(|f| {
                    (
                        f["message"].as_str().unwrap().to_string(),
                        f["location"]["path"].as_str().unwrap().to_string(),
                        f["location"]["line"].as_u64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    fails.sort();
    let plex = "plex/compose.yaml".to_string();
    let pihole = "pihole-cloudflared-DoH/compose.yaml".to_string();
    assert_eq!(
        fails,
        vec![
            (
                "service `cloudflared` image `visibilityspots/cloudflared` has no tag or digest, so it resolves to `latest`".to_string(),
                pihole.clone(),
                4
            ),
            (
                "service `pihole` image `pihole/pihole:latest` uses the mutable `latest` tag"
                    .to_string(),
                pihole,
                20
            ),
            (
                "service `plex` image `linuxserver/plex` has no tag or digest, so it resolves to `latest`".to_string(),
                plex.clone(),
                3
            ),
            (
                "service `plex` uses the host's network (network_mode: host)".to_string(),
                plex,
                5
            ),
        ]
    );
}

const TF_KUBERNETES: &str = r#"resource "kubernetes_deployment_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }
  spec {
    template {
      spec {
        host_network = true
        container {
          name  = "app"
          image = "nginx:1.27"
          security_context {
            privileged = true
          }
        }
      }
    }
  }
}

resource "kubernetes_cluster_role" "everything" {
  metadata {
    name = "everything"
  }
  rule {
    api_groups = ["*"]
    resources  = ["*"]
    verbs      = ["*"]
  }
}
"#;

/// Workloads declared with Terraform's kubernetes provider are judged by the Kubernetes
/// controls, at the lines of their blocks.
#[test]
fn terraform_kubernetes_resources_are_judged_as_manifests() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("k8s.tf"), TF_KUBERNETES).unwrap();
    let r = scan(dir.path(), &std::env::var_os("PATH").unwrap_or_default());
    let at = |control: &str| {
        findings(&r, control, "fail")
            .iter()
            .map(|f| {
                (
                    f["resource"].as_str().unwrap().to_string(),
                    f["location"]["path"].as_str().unwrap().to_string(),
                    f["location"]["line"].as_u64().unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let web = |line| {
        vec![(
            "Deployment/shop/web".to_string(),
            "k8s.tf".to_string(),
            line,
        )]
    };
    assert_eq!(at("k8s-privileged-container"), web(14));
    assert_eq!(at("k8s-host-namespaces"), web(9));
    // The wildcard resources and verbs of the rule.
    let role = |line| {
        (
            "ClusterRole/default/everything".to_string(),
            "k8s.tf".to_string(),
            line,
        )
    };
    assert_eq!(at("k8s-rbac-wildcard"), vec![role(28), role(29)]);
}

/// The manifests of `kubernetes_*` resources come from the evaluated Terraform: a privileged
/// flag and a namespace from variables and locals are seen with their values.
#[test]
fn terraform_kubernetes_resources_are_evaluated_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("k8s.tf"),
        "variable \"debug\" {\n  default = true\n}\n\nlocals {\n  ns = \"shop\"\n}\n\n\
         resource \"kubernetes_pod_v1\" \"probe\" {\n  metadata {\n    name      = \"probe\"\n    \
         namespace = local.ns\n  }\n  spec {\n    container {\n      name  = \"probe\"\n      \
         image = \"busybox:1.37\"\n      security_context {\n        privileged = var.debug\n      \
         }\n    }\n  }\n}\n",
    )
    .unwrap();
    let r = scan(dir.path(), &std::env::var_os("PATH").unwrap_or_default());
    let failing: Vec<(String, u64)> = findings(&r, "k8s-privileged-container", "fail")
        .iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(failing, [("Pod/shop/probe".to_string(), 19)]);
}

/// Real ARM templates are judged by the Terraform Azure controls through the same mapping
/// table, named by their parameters' defaults.
#[test]
fn arm_templates_are_judged_by_the_terraform_azure_controls() {
    let r = scan(
        &fixture("arm"),
        &std::env::var_os("PATH").unwrap_or_default(),
    );
    assert_eq!(r["errors"], serde_json::json!([]));
    let fails: Vec<(String, String, String, u64)> = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with("tf-azure-"))
        .flat_map(|c| {
            findings(&r, c["id"].as_str().unwrap(), "fail")
                .into_iter()
                .map(|f| {
                    (
                        c["id"].as_str().unwrap().to_string(),
                        f["resource"].as_str().unwrap().to_string(),
                        f["location"]["path"].as_str().unwrap().to_string(),
                        f["location"]["line"].as_u64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let expected = [
        (
            "tf-azure-nsg-admin-ports-open",
            "azurerm_network_security_group.SecGroupNet",
            "vm-simple-linux.json",
            189,
        ),
        (
            "tf-azure-storage-secure-transfer",
            "azurerm_storage_account.[format('store{0}', uniqueString(resourceGroup().id))]",
            "storage-account-create.json",
            45,
        ),
    ]
    .map(|(c, r, p, l)| (c.to_string(), r.to_string(), p.to_string(), l));
    assert_eq!(fails, expected);
}
