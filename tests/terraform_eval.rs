//! Terraform evaluated as Terraform means it: variables (defaults, tfvars, `--var-file`),
//! locals, functions, `count`/`for_each`/`dynamic`, local modules and plans, seen through
//! `assay parse` and through the findings of the public-ACL control.

use crate::common;

use std::path::Path;

use common::{assay, findings, fixture, json};
use serde_json::{json, Value};

/// `assay parse FILE --root ROOT` as JSON, with extra arguments.
fn parse(root: &Path, file: &str, extra: &[&str]) -> Value {
    let out = assay()
        .arg("parse")
        .arg(root.join(file))
        .arg("--root")
        .arg(root)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)[file].clone()
}

/// A scan of `root` with only the public-ACL control, as results JSON.
fn scan(root: &Path, extra: &[&str]) -> Value {
    let out = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json", "--no-builtin", "--controls"])
        .arg(fixture("../../controls/terraform-aws"))
        .args(extra)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

/// `(resource, file, line)` of each failing finding of the public-ACL control: one per public
/// ACL, at its own line.
fn public_acl_failures(results: &Value) -> Vec<(String, String, u64)> {
    let mut out: Vec<_> = findings(results, "tf-aws-s3-public-acl", "fail")
        .into_iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap_or_default().to_string(),
                f["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["location"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn variables_tfvars_locals_and_functions_are_resolved() {
    let root = fixture("terraform-eval/values");
    let doc = parse(&root, "main.tf", &[]);
    let resources = &doc["resource"];
    let main = &resources["aws_s3_bucket"]["main"];
    // terraform.tfvars sets env, *.auto.tfvars (loaded after it) overrides acl.
    assert_eq!(main["bucket"], "acme-prod-main");
    assert_eq!(main["acl"], "log-delivery-write");
    assert_eq!(main["tags"], json!({"team": "data", "env": "prod"}));
    let acl = &resources["aws_s3_bucket_acl"]["main"];
    // A literal attribute of another resource resolves; a computed one stays a reference.
    assert_eq!(acl["bucket"], "acme-prod-main");
    assert_eq!(acl["owner"], "${aws_s3_bucket.main.id}");
    assert_eq!(acl["label"], "acme-prod-007");
    assert_eq!(acl["size"], "t3.small");
    assert_eq!(acl["picked"], "fallback");
    // `try` over an unknown variable stays unknown instead of taking its fallback.
    assert_eq!(acl["acl"], "${local.guess}");
    assert_eq!(acl["unset"], "${var.unset}");
    assert_eq!(
        acl["other"],
        "${data.aws_caller_identity.current.account_id}"
    );
    let db = &resources["aws_db_instance"]["db"];
    assert_eq!(db["storage_encrypted"], true);
    assert_eq!(db["identifier"], "ACME-PROD");
    // Locals show their values too.
    assert_eq!(doc["locals"][0]["label"], "acme-prod-007");
}

#[test]
fn count_for_each_and_dynamic_blocks_expand() {
    let root = fixture("terraform-eval/values");
    let doc = parse(&root, "main.tf", &[]);
    let buckets = doc["resource"]["aws_s3_bucket"].as_object().unwrap();
    let keys: Vec<&str> = buckets.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "main",
            "per_name[\"a\"]",
            "per_name[\"b\"]",
            "numbered[0]",
            "numbered[1]"
        ],
        "count = 0 leaves no instance"
    );
    assert_eq!(buckets["per_name[\"b\"]"]["bucket"], "acme-prod-b");
    assert_eq!(buckets["numbered[1]"]["bucket"], "acme-prod-1");
    let ingress = &doc["resource"]["aws_security_group"]["web"]["ingress"];
    assert_eq!(
        ingress,
        &json!([
            {"from_port": 22, "to_port": 22},
            {"from_port": 443, "to_port": 443},
            {"from_port": 80, "to_port": 80}
        ])
    );
    assert!(doc["resource"]["aws_security_group"]["web"]
        .get("dynamic")
        .is_none());
}

#[test]
fn var_files_apply_after_tfvars_and_addresses_keep_their_lines() {
    let root = fixture("terraform-eval/values");
    let dir = tempfile::tempdir().unwrap();
    let var_file = dir.path().join("public.tfvars");
    std::fs::write(&var_file, "acl = \"public-read\"\nencrypted = false\n").unwrap();
    let var_file = var_file.to_str().unwrap();
    let doc = parse(&root, "main.tf", &["--var-file", var_file]);
    assert_eq!(
        doc["resource"]["aws_s3_bucket"]["main"]["acl"],
        "public-read"
    );
    assert_eq!(
        doc["resource"]["aws_db_instance"]["db"]["storage_encrypted"],
        false
    );
    assert!(doc["resource"]["aws_s3_bucket"]
        .get("none[0]")
        .is_some_and(|b| b["bucket"] == "never"));

    let without = scan(&root, &[]);
    assert_eq!(public_acl_failures(&without), []);
    let with = scan(&root, &["--var-file", var_file]);
    assert_eq!(
        public_acl_failures(&with),
        [("aws_s3_bucket.main".to_string(), "main.tf".to_string(), 38)]
    );
}

#[test]
fn local_modules_take_their_inputs_expand_and_prefix_their_addresses() {
    let root = fixture("terraform-eval/modules");
    let results = scan(&root, &[]);
    let module_file = "stack/modules/bucket/main.tf".to_string();
    assert_eq!(
        public_acl_failures(&results),
        [
            (
                "module.replicas[\"us\"].aws_s3_bucket.this".to_string(),
                module_file.clone(),
                12
            ),
            (
                "module.site.aws_s3_bucket.this".to_string(),
                module_file,
                12
            )
        ]
    );
    let doc = parse(&root, "stack/modules/bucket/main.tf", &[]);
    let buckets = &doc["resource"]["aws_s3_bucket"];
    assert_eq!(buckets["module.site.this"]["bucket"], "acme-site");
    assert_eq!(buckets["module.logs.this"]["acl"], "private");
    assert_eq!(buckets["module.replicas[\"eu\"].this"]["bucket"], "acme-eu");
    // Module outputs reach the caller: a literal passes through, a computed one stays.
    let stack = parse(&root, "stack/main.tf", &[]);
    let policy = &stack["resource"]["aws_s3_bucket_policy"]["site"];
    assert_eq!(policy["bucket"], "acme-site");
    assert_eq!(policy["policy"], "${module.site.arn}");

    let errors: Vec<(String, String)> = results["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        errors.iter().any(|(path, m)| path == "stack/main.tf"
            && m.contains("`../../../outside` leaves the scan root")),
        "{errors:?}"
    );
    assert_eq!(
        errors
            .iter()
            .filter(|(path, m)| path == "loop/main.tf" && m.contains("a cycle"))
            .count(),
        2,
        "{errors:?}"
    );
    // The module in a cycle is still evaluated as a root, once.
    let looped = parse(&root, "loop/main.tf", &[]);
    assert_eq!(
        looped["resource"]["aws_s3_bucket"]["looped"]["acl"],
        "private"
    );
}

#[test]
fn plans_are_terraform_resources_located_in_the_plan() {
    let root = fixture("terraform-eval/plan");
    let doc = parse(&root, "plan.json", &[]);
    let keys: Vec<String> = doc["resource"]["aws_s3_bucket_acl"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["site", "module.logs.this[\"a\"]"]);
    // The plan itself is kept as it is.
    assert_eq!(doc["format_version"], "1.2");
    let results = scan(&root, &[]);
    assert_eq!(
        public_acl_failures(&results),
        [(
            "aws_s3_bucket_acl.site".to_string(),
            "plan.json".to_string(),
            46
        )]
    );
}

/// A plan under the configuration it was planned from: each planned resource is judged once,
/// at the `resource` block that declares it (in a local module too).
#[test]
fn plans_under_their_configuration_are_located_at_the_blocks() {
    let root = fixture("terraform-eval/plan-config");
    let results = scan(&root, &[]);
    assert_eq!(
        public_acl_failures(&results),
        [(
            "aws_s3_bucket_acl.site".to_string(),
            "main.tf".to_string(),
            21
        )]
    );
    let places: Vec<(String, String, u64)> = findings(&results, "tf-aws-s3-versioning", "fail")
        .into_iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap().to_string(),
                f["location"]["path"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            ("aws_s3_bucket.site".to_string(), "main.tf".to_string(), 15),
            (
                "module.logs.aws_s3_bucket.this".to_string(),
                "modules/bucket/main.tf".to_string(),
                5
            )
        ]
    );
    // The configuration leaves the planned resources to the plan.
    let main = parse(&root, "main.tf", &[]);
    assert!(main["resource"].get("aws_s3_bucket").is_none(), "{main}");
}

/// An override file replaces the attribute of the block it overrides (the block is judged once,
/// in its own file), and tfvars strings take the type of their variable (`"2"` counts,
/// `"true"` decides a conditional).
#[test]
fn override_files_merge_and_variables_convert_to_their_types() {
    let root = fixture("terraform-eval/override-types");
    let results = scan(&root, &[]);
    assert_eq!(
        public_acl_failures(&results),
        [
            (
                "aws_s3_bucket.copy[0]".to_string(),
                "main.tf".to_string(),
                17
            ),
            (
                "aws_s3_bucket.copy[1]".to_string(),
                "main.tf".to_string(),
                17
            ),
            ("aws_s3_bucket.site".to_string(), "main.tf".to_string(), 11),
        ]
    );
    let failures = findings(&results, "tf-aws-s3-public-acl", "fail");
    assert!(failures.iter().any(|f| f["message"]
        .as_str()
        .unwrap()
        .contains("`public-read-write`")));
    let merged = parse(&root, "site_override.tf", &[]);
    assert_eq!(
        merged,
        json!({}),
        "the override file keeps nothing it merged"
    );
}

#[test]
fn hostile_expansion_is_bounded_and_reported() {
    let root = fixture("terraform-eval/hostile");
    let results = scan(&root, &[]);
    let messages: Vec<&str> = results["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("1000000 instances, over the limit of 10000")),
        "{messages:?}"
    );
    // Over a limit, the resource is one item as written; the rest of the file is evaluated.
    let failing: Vec<String> = public_acl_failures(&results)
        .into_iter()
        .map(|(resource, _, _)| resource)
        .collect();
    assert_eq!(
        failing,
        [
            "aws_s3_bucket.after",
            "aws_s3_bucket.keyed",
            "aws_s3_bucket.many"
        ]
    );
    let doc = parse(&root, "main.tf", &[]);
    let after = &doc["resource"]["aws_s3_bucket"]["after"];
    assert_eq!(
        after["note"], "${local.a}",
        "locals in a cycle stay as written"
    );
    assert_eq!(after["big"], json!([0, 1, 2, 3, 4]));
    // A billion nested iterations are refused before they start.
    assert_eq!(after["loops"], "${local.nested}");
}

#[test]
fn parse_refuses_files_outside_its_root() {
    let out = assay()
        .arg("parse")
        .arg(fixture("terraform-eval/plan/plan.json"))
        .arg("--root")
        .arg(fixture("terraform-eval/values"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a file inside the root"));
}
