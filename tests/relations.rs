//! End-to-end tests of relations between Terraform resources: S3 buckets configured in the AWS
//! provider v4+ style, by separate resources in other files of the bucket's module directory.

use crate::common;
use crate::git_repo;

use common::{assay, control, findings, json};
use git_repo::GitRepo;
use serde_json::Value;

const S3_CONTROLS: [&str; 5] = [
    "tf-aws-s3-access-logging",
    "tf-aws-s3-encryption",
    "tf-aws-s3-public-access-block",
    "tf-aws-s3-public-acl",
    "tf-aws-s3-versioning",
];

const BUCKET: &str = r#"terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

resource "aws_s3_bucket" "records" {
  bucket = "acme-records"
}
"#;

const SETTINGS: [(&str, &str); 5] = [
    (
        "infra/encryption.tf",
        r#"resource "aws_s3_bucket_server_side_encryption_configuration" "records" {
  bucket = aws_s3_bucket.records.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}
"#,
    ),
    (
        "infra/logging.tf",
        r#"resource "aws_s3_bucket_logging" "records" {
  bucket        = aws_s3_bucket.records.id
  target_bucket = "acme-central-access-logs"
  target_prefix = "records/"
}
"#,
    ),
    (
        "infra/versioning.tf",
        r#"resource "aws_s3_bucket_versioning" "records" {
  bucket = aws_s3_bucket.records.bucket
  versioning_configuration {
    status = "Enabled"
  }
}
"#,
    ),
    (
        "infra/access.tf",
        r#"resource "aws_s3_bucket_public_access_block" "records" {
  bucket                  = "acme-records"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#,
    ),
    (
        "infra/acl.tf.json",
        r#"{"resource": {"aws_s3_bucket_acl": {"records": {
  "bucket": "${aws_s3_bucket.records.id}",
  "acl": "private"
}}}}
"#,
    ),
];

fn write(root: &std::path::Path, path: &str, text: &str) {
    let target = root.join(path);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(target, text).unwrap();
}

fn scan(root: &std::path::Path) -> Value {
    let out = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json", "--soft-fail"])
        .output()
        .unwrap();
    common::exited(&out, 0);
    json(&out)
}

/// `(status, path:line)` of every finding of a control that is not a pass.
fn problems(results: &Value, id: &str) -> Vec<String> {
    control(results, id)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "pass")
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f["status"].as_str().unwrap(),
                f["location"]["path"].as_str().unwrap(),
                f["location"]["line"],
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_v4_style_bucket_passes_every_s3_control_and_fails_encryption_without_its_resource() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/main.tf", BUCKET);
    for (path, text) in SETTINGS {
        write(dir.path(), path, text);
    }
    let secure = scan(dir.path());
    for id in S3_CONTROLS {
        assert_eq!(problems(&secure, id), Vec::<String>::new(), "{id}");
        assert!(
            !findings(&secure, id, "pass").is_empty(),
            "{id} judged the bucket"
        );
    }

    std::fs::remove_file(dir.path().join("infra/encryption.tf")).unwrap();
    let without = scan(dir.path());
    for id in S3_CONTROLS {
        let found = problems(&without, id);
        if id == "tf-aws-s3-encryption" {
            assert_eq!(
                found,
                [
                    "fail infra/main.tf:7 bucket `aws_s3_bucket.records` declares no default \
                  encryption (no aws_s3_bucket_server_side_encryption_configuration resource or \
                  server_side_encryption_configuration block with an sse_algorithm)"
                ]
            );
        } else {
            assert_eq!(found, Vec::<String>::new(), "{id}");
        }
    }

    // The same resource in another directory is another module's: it does not count.
    write(dir.path(), "other/encryption.tf", SETTINGS[0].1);
    let elsewhere = scan(dir.path());
    assert_eq!(problems(&elsewhere, "tf-aws-s3-encryption").len(), 1);
}

/// Pre-merge checks judge a bucket again when only a related resource in another file changed:
/// deleting the encryption resource is a new failure at the bucket's line.
#[test]
fn a_change_to_a_related_file_is_a_new_failure_of_the_bucket() {
    let template = tempfile::tempdir().unwrap();
    write(template.path(), "infra/main.tf", BUCKET);
    for (path, text) in SETTINGS {
        write(template.path(), path, text);
    }
    let repo = GitRepo::from(template.path());
    repo.commit_all("base");
    std::fs::remove_file(repo.file("infra/encryption.tf")).unwrap();
    let out = assay()
        .arg("check")
        .arg(repo.path())
        .args(["--base", "HEAD", "--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    let new: Vec<String> = r["check"]["new_failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{}",
                f["control"].as_str().unwrap(),
                f["resource"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect();
    assert_eq!(
        new,
        ["tf-aws-s3-encryption aws_s3_bucket.records infra/main.tf:7"],
        "{}",
        r["check"]
    );
    common::exited(&out, 1);
}

/// Each separate resource of a v4-style bucket evidences its own control: without it, exactly
/// that control fails, at the bucket's line (an ACL resource is optional: none is private).
#[test]
fn each_separate_resource_evidences_its_own_control() {
    let failing_without = [
        ("infra/logging.tf", Some("tf-aws-s3-access-logging")),
        ("infra/versioning.tf", Some("tf-aws-s3-versioning")),
        ("infra/access.tf", Some("tf-aws-s3-public-access-block")),
        ("infra/acl.tf.json", None),
    ];
    for (left_out, control_failing) in failing_without {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "infra/main.tf", BUCKET);
        for (path, text) in SETTINGS.iter().filter(|(p, _)| *p != left_out) {
            write(dir.path(), path, text);
        }
        let results = scan(dir.path());
        for id in S3_CONTROLS {
            let found = problems(&results, id);
            if Some(id) == control_failing {
                assert_eq!(found.len(), 1, "{left_out}: {found:?}");
                assert!(found[0].starts_with("fail infra/main.tf:7 "), "{found:?}");
            } else {
                assert_eq!(found, Vec::<String>::new(), "{left_out}: {id}");
            }
        }
    }
}
