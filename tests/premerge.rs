//! `assay check` (pre-merge mode) and `assay baseline` on a fixture git repository built in a
//! temporary directory: only new failures, only affected controls, the base cached on disk.

use crate::common;
use crate::git_repo;

use std::process::Output;

use common::{assay, fixture, json};
use git_repo::GitRepo;
use serde_json::Value;

/// The fixture repository, committed once: `k8s/legacy.yaml` already fails `pm-image-pinned`.
fn repo() -> GitRepo {
    let repo = GitRepo::from(&fixture("premerge/repo"));
    repo.commit_all("base");
    repo
}

/// `assay check` with the fixture catalog only, in `dir`.
fn check(dir: &std::path::Path, extra: &[&str]) -> Output {
    assay()
        .arg("check")
        .arg(dir)
        .args(["--no-builtin", "--controls"])
        .arg(fixture("premerge/catalog"))
        .args(extra)
        .output()
        .unwrap()
}

/// The `check` section of a JSON run, with the exit code.
fn check_json(repo: &GitRepo, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["--base", "HEAD", "--format", "json"];
    args.extend_from_slice(extra);
    let out = check(repo.path(), &args);
    let code = out.status.code().unwrap();
    let results = json(&out);
    (code, results)
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

/// A change that adds one violation reports exactly that one, at its line, with the score
/// drop; the failure that was already there is not reported.
#[test]
fn a_new_violation_is_the_only_one_reported() {
    let repo = repo();
    repo.edit(
        "k8s/app.yaml",
        "envoyproxy/envoy:v1.31.0",
        "envoyproxy/envoy:latest",
    );
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 1, "{r}");
    let new = r["check"]["new_failures"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["control"], "pm-image-pinned");
    assert_eq!(new[0]["resource"], "Deployment/shop/web");
    assert_eq!(new[0]["path"], "k8s/app.yaml");
    assert_eq!(new[0]["line"], 13);
    assert!(new[0]["message"]
        .as_str()
        .unwrap()
        .contains("envoyproxy/envoy:latest"));
    // The view lists the new failure only, not the legacy one.
    let control = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "pm-image-pinned")
        .unwrap();
    assert_eq!(control["findings"].as_array().unwrap().len(), 1);
    assert_eq!(control["failed"], 1);
    let drops = r["check"]["score_drops"].as_array().unwrap();
    assert_eq!(drops.len(), 1);
    assert_eq!(drops[0]["framework"], "pm");
    assert!(drops[0]["drop"].as_f64().unwrap() > 0.0);
    assert_eq!(strings(&r["check"]["changed_paths"]), ["k8s/app.yaml"]);
}

/// A change that fixes the existing violation reports no failure, lists the fix and passes.
#[test]
fn a_fix_reports_nothing_new_and_passes() {
    let repo = repo();
    repo.edit("k8s/legacy.yaml", "busybox:latest", "busybox:1.37.0");
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{r}");
    assert!(r["check"]["new_failures"].as_array().unwrap().is_empty());
    let fixed = r["check"]["fixed"].as_array().unwrap();
    assert_eq!(fixed.len(), 1);
    assert_eq!(fixed[0]["resource"], "Deployment/shop/legacy");
    assert!(r["check"]["score_drops"].as_array().unwrap().is_empty());
}

/// Failures are keyed by control, resource and file, not by line: lines that move are not new.
#[test]
fn moved_lines_are_not_new_failures() {
    let repo = repo();
    repo.edit(
        "k8s/legacy.yaml",
        "apiVersion: apps/v1\n",
        "# kept until the migration\n\napiVersion: apps/v1\n",
    );
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{r}");
    assert!(r["check"]["new_failures"].as_array().unwrap().is_empty());
    assert!(r["check"]["fixed"].as_array().unwrap().is_empty());
    assert_eq!(
        strings(&r["check"]["evaluated_controls"]),
        ["pm-image-pinned"]
    );
}

/// Only the controls that could select a changed path are evaluated; the others are listed as
/// skipped. A change no control can see evaluates nothing.
#[test]
fn a_change_elsewhere_skips_unaffected_controls() {
    let repo = repo();
    repo.edit("Dockerfile", "USER 10001\n", "");
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 1, "{r}");
    assert_eq!(strings(&r["check"]["changed_paths"]), ["Dockerfile"]);
    assert_eq!(
        strings(&r["check"]["evaluated_controls"]),
        ["pm-dockerfile-user"]
    );
    assert_eq!(
        strings(&r["check"]["skipped_controls"]),
        ["pm-image-pinned", "pm-tf-bucket-private"]
    );
    assert_eq!(
        r["check"]["new_failures"][0]["control"],
        "pm-dockerfile-user"
    );

    let repo = self::repo();
    repo.write("README.md", "Only the prose changed.\n");
    repo.write("ignored/skip.yaml", "kind: Deployment\n");
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(strings(&r["check"]["changed_paths"]), ["README.md"]);
    assert!(r["check"]["evaluated_controls"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// A YAML file reaches the controls of CloudFormation templates only when it is parsed as a
/// template, in the base or now: a Kubernetes change leaves them unevaluated, a new template
/// evaluates them and reports its failure.
#[test]
fn yaml_reaches_template_controls_only_as_a_template() {
    let run = |repo: &GitRepo| {
        json(
            &assay()
                .arg("check")
                .arg(repo.path())
                .args(["--base", "HEAD", "--format", "json"])
                .output()
                .unwrap(),
        )
    };
    let template_control = "tf-aws-s3-public-acl";
    let repo = repo();
    repo.edit(
        "k8s/app.yaml",
        "envoyproxy/envoy:v1.31.0",
        "envoyproxy/envoy:latest",
    );
    let r = run(&repo);
    assert!(
        strings(&r["check"]["skipped_controls"]).contains(&template_control),
        "{}",
        r["check"]
    );
    assert!(!strings(&r["check"]["evaluated_controls"]).contains(&template_control));

    let repo = self::repo();
    repo.write(
        "stack.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Uploads:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: PublicReadWrite\n",
    );
    let r = run(&repo);
    assert!(
        strings(&r["check"]["evaluated_controls"]).contains(&template_control),
        "{}",
        r["check"]
    );
    assert!(
        r["check"]["new_failures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["control"] == template_control && f["path"] == "stack.yaml"),
        "{}",
        r["check"]["new_failures"]
    );
}

/// An untracked file is part of the change; a Terraform control is affected by its glob only.
#[test]
fn untracked_files_count_and_globs_select() {
    let repo = repo();
    repo.write(
        "infra/public.tf",
        "resource \"aws_s3_bucket\" \"site\" {\n  bucket = \"site\"\n  acl    = \"public-read\"\n}\n",
    );
    repo.write(
        "other/public.tf",
        "resource \"aws_s3_bucket\" \"x\" {\n  acl = \"public-read\"\n}\n",
    );
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 1, "{r}");
    let new = r["check"]["new_failures"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{new:?}");
    assert_eq!(new[0]["resource"], "aws_s3_bucket.site");
    assert_eq!(new[0]["line"], 3);
    assert_eq!(
        strings(&r["check"]["evaluated_controls"]),
        ["pm-tf-bucket-private"]
    );
}

/// The fixture repository with Terraform whose values come from other files: a root module
/// taking its ACL from `terraform.tfvars`, and a root calling a local module whose ACL is a
/// variable default of `variables.tf`. Both are private in the base.
fn terraform_repo() -> GitRepo {
    let repo = GitRepo::from(&fixture("premerge/repo"));
    repo.write(
        "infra/site/main.tf",
        "resource \"aws_s3_bucket\" \"site\" {\n  bucket = \"site\"\n  acl    = var.acl\n}\n",
    );
    repo.write("infra/site/variables.tf", "variable \"acl\" {}\n");
    repo.write("infra/site/terraform.tfvars", "acl = \"private\"\n");
    repo.write(
        "infra/app/main.tf",
        "module \"store\" {\n  source = \"../modules/bucket\"\n}\n",
    );
    repo.write(
        "infra/modules/bucket/main.tf",
        "resource \"aws_s3_bucket\" \"this\" {\n  acl = var.acl\n}\n",
    );
    repo.write(
        "infra/modules/bucket/variables.tf",
        "variable \"acl\" {\n  default = \"private\"\n}\n",
    );
    repo.commit_all("base");
    repo
}

/// `(resource, path, line)` of each new failure.
fn new_failures(r: &Value) -> Vec<(String, String, u64)> {
    r["check"]["new_failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["resource"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Terraform is evaluated per module directory: a changed tfvars file re-evaluates the module
/// it sets, and a changed variable default of a local module re-evaluates the module through
/// its caller; the base is evaluated the same way, so nothing else is new.
#[test]
fn terraform_changes_re_evaluate_their_module_directories() {
    let repo = terraform_repo();
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 0, "{r}");

    repo.edit("infra/site/terraform.tfvars", "private", "public-read");
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 1, "{r}");
    assert_eq!(
        new_failures(&r),
        [(
            "aws_s3_bucket.site".to_string(),
            "infra/site/main.tf".to_string(),
            3
        )]
    );
    assert_eq!(
        strings(&r["check"]["changed_paths"]),
        ["infra/site/terraform.tfvars"]
    );

    let repo = terraform_repo();
    repo.edit(
        "infra/modules/bucket/variables.tf",
        "private",
        "public-read",
    );
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 1, "{r}");
    assert_eq!(
        new_failures(&r),
        [(
            "module.store.aws_s3_bucket.this".to_string(),
            "infra/modules/bucket/main.tf".to_string(),
            2
        )]
    );
}

/// A new plan is judged whatever its name, like in a scan.
#[test]
fn plan_changes_are_evaluated() {
    let repo = terraform_repo();
    repo.write(
        "infra/site/plans/site.tfplan.json",
        r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
  {"address": "aws_s3_bucket.planned", "mode": "managed", "type": "aws_s3_bucket",
   "name": "planned", "values": {"acl": "public-read"}}
]}}}
"#,
    );
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(code, 1, "{r}");
    assert_eq!(
        new_failures(&r),
        [(
            "aws_s3_bucket.planned".to_string(),
            "infra/site/plans/site.tfplan.json".to_string(),
            3
        )]
    );
    assert_eq!(
        strings(&r["check"]["evaluated_controls"]),
        ["pm-tf-bucket-private"]
    );
}

/// The first run evaluates the base and stores it; the second reads it back, and gives the same
/// answer; `--no-cache` leaves the cache alone.
#[test]
fn the_second_run_uses_the_cache() {
    let repo = repo();
    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    let (_, first) = check_json(&repo, &[]);
    let (_, second) = check_json(&repo, &[]);
    let (_, off) = check_json(&repo, &["--no-cache"]);
    assert_eq!(first["check"]["cache"], "miss");
    assert_eq!(second["check"]["cache"], "hit");
    assert_eq!(off["check"]["cache"], "off");
    assert_eq!(
        first["check"]["new_failures"],
        second["check"]["new_failures"]
    );
    assert_eq!(
        second["check"]["new_failures"],
        off["check"]["new_failures"]
    );
    // The cache lives in the git directory, out of reach of commits and of the diff.
    assert!(repo.file(".git/assay-cache").is_dir());
    assert!(!repo.file(".assay-cache").exists());
    assert_eq!(strings(&second["check"]["changed_paths"]), ["k8s/app.yaml"]);
}

/// A base read from the cache scores as the one just evaluated: findings that judge one item
/// together (the two unpinned containers of one Deployment, for `pm-no-latest`) still count as
/// one item.
#[test]
fn a_cached_base_scores_like_a_fresh_one() {
    let repo = repo();
    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    repo.edit("k8s/app.yaml", "envoy:v1.31.0", "envoy:latest");
    repo.write(
        "k8s/ok.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ok, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: ok, image: redis:7.4.1}\n",
    );
    repo.commit_all("two unpinned containers in one workload");
    repo.write(
        "k8s/new.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: new, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: new, image: redis:latest}\n",
    );
    let first = check_attested(&repo, &[]);
    let second = check_attested(&repo, &[]);
    let off = check_attested(&repo, &["--no-cache"]);
    assert_eq!(
        (&first["check"]["cache"], &second["check"]["cache"]),
        (&"miss".into(), &"hit".into())
    );
    let drops = &off["check"]["score_drops"];
    assert_eq!(drops.as_array().unwrap().len(), 1, "{drops}");
    assert_eq!(first["check"]["score_drops"], *drops);
    assert_eq!(second["check"]["score_drops"], *drops);
}

/// `assay check` with the fixture catalog and two more controls, at a pinned time: one attested
/// in `attestations/`, one judging all the images of a Deployment as one item.
fn check_attested(repo: &GitRepo, extra: &[&str]) -> Value {
    let catalog = repo.file(".git/pm-catalog");
    if !catalog.exists() {
        copy_dir(&fixture("premerge/catalog"), &catalog);
        std::fs::create_dir_all(catalog.join("pm-reviewed")).unwrap();
        std::fs::write(
            catalog.join("pm-reviewed/control.yaml"),
            "id: pm-reviewed\ntitle: Access is reviewed\ndescription: A person attests the quarterly access review.\nfamily: access\nseverity: medium\nremediation: Review access and attest it.\ncheck:\n  attestation:\n    max_age_days: 365\n",
        )
        .unwrap();
        std::fs::create_dir_all(catalog.join("pm-no-latest")).unwrap();
        std::fs::write(
            catalog.join("pm-no-latest/control.yaml"),
            "id: pm-no-latest\ntitle: No latest images\ndescription: No container of a Deployment runs a latest image.\nfamily: workloads\nseverity: high\nremediation: Pin the images.\ncheck:\n  assert:\n    select:\n      kinds: [Deployment]\n    all:\n      - path: \"$.spec.template.spec.containers[*].image\"\n        not_matches: \":latest$\"\n    message: \"`{value}` is mutable\"\n",
        )
        .unwrap();
        let mappings = catalog.join("mappings/pm.yaml");
        let text = std::fs::read_to_string(&mappings).unwrap();
        std::fs::write(
            &mappings,
            text.replace(
                "[pm-tf-bucket-private]",
                "[pm-tf-bucket-private, pm-reviewed]",
            )
            .replace("pm-dockerfile-user]", "pm-dockerfile-user, pm-no-latest]"),
        )
        .unwrap();
    }
    let out = assay()
        .arg("check")
        .arg(repo.path())
        .args(["--no-builtin", "--controls"])
        .arg(&catalog)
        .args(["--base", "HEAD", "--format", "json"])
        .args(["--now", "2026-06-01T00:00:00Z"])
        .args(extra)
        .env("SOURCE_DATE_EPOCH", "1780272000")
        .output()
        .unwrap();
    json(&out)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The cached evaluations of the working tree's other evidence, newest last.
fn tree_entries(repo: &GitRepo) -> Vec<std::path::PathBuf> {
    let mut entries: Vec<_> = std::fs::read_dir(repo.file(".git/assay-cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("tree-")
        })
        .collect();
    entries.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    entries
}

/// The results with the cache use blanked, for comparing cached and uncached runs.
fn without_cache_use(mut r: Value) -> Value {
    r["check"]["cache"] = Value::Null;
    r
}

/// Evidence that is files of the tree (here an attestation) is read from the cache while no
/// file of the tree changes; any change (here to the attestation) reads it again, and the
/// results follow; cached or not, the results are the same.
#[test]
fn tree_evidence_is_cached_until_a_file_changes() {
    let repo = repo();
    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    let attestation = "control: pm-reviewed\nstatement: Every account was reviewed by its owner on 2026-02-27.\nattested_by: {name: Ana Ortiz, role: CISO}\ndate: 2026-03-01\nexpires: 2027-03-01\n";

    let first = check_attested(&repo, &[]);
    let entries = tree_entries(&repo);
    assert_eq!(entries.len(), 1);
    let stored = std::fs::read_to_string(&entries[0]).unwrap();
    assert_eq!(
        without_cache_use(first.clone()),
        without_cache_use(check_attested(&repo, &["--no-cache"]))
    );

    // Read back, not evaluated again: what the entry says is what the results show.
    let marked = stored.replacen(
        "\"files\":{",
        "\"files\":{\"from-the-cache.yaml\":{\"documents\":1,\"formats\":[\"yaml\"]},",
        1,
    );
    assert_ne!(marked, stored);
    std::fs::write(&entries[0], &marked).unwrap();
    let second = check_attested(&repo, &[]);
    assert_eq!(
        second["scan"]["files"].as_u64(),
        first["scan"]["files"].as_u64().map(|n| n + 1),
        "{}",
        second["scan"]
    );
    assert_eq!(tree_entries(&repo).len(), 1);
    std::fs::write(&entries[0], &stored).unwrap();

    // The attestation appears: evaluated again, and the framework scores it.
    let score = |r: &Value| r["frameworks"][0]["score"].clone();
    repo.write("attestations/access-review.yaml", attestation);
    let attested = check_attested(&repo, &[]);
    assert_eq!(tree_entries(&repo).len(), 2);
    assert_ne!(
        score(&attested),
        score(&first),
        "{}",
        attested["frameworks"]
    );
    assert!(attested["scan"]["files"].as_u64() > first["scan"]["files"].as_u64());
    assert_eq!(
        without_cache_use(attested.clone()),
        without_cache_use(check_attested(&repo, &["--no-cache"]))
    );

    // It expires: evaluated again, and the score falls back.
    repo.write(
        "attestations/access-review.yaml",
        &attestation.replace("expires: 2027-03-01", "expires: 2026-04-01"),
    );
    let expired = check_attested(&repo, &[]);
    assert_eq!(tree_entries(&repo).len(), 3);
    assert_eq!(score(&expired), score(&first), "{}", expired["frameworks"]);
    assert_eq!(
        without_cache_use(expired),
        without_cache_use(check_attested(&repo, &["--no-cache"]))
    );
}

/// The working tree is compared with any revision, not only HEAD.
#[test]
fn compares_with_an_older_revision() {
    let repo = repo();
    let base = repo.repo.head().unwrap().peel_to_commit().unwrap().id();
    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    repo.commit_all("unpin nginx");
    let (code, r) = check_json(&repo, &[]);
    assert_eq!(
        (code, r["check"]["new_failures"].as_array().unwrap().len()),
        (0, 0)
    );
    let base = base.to_string();
    let out = check(repo.path(), &["--base", &base, "--format", "json"]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(r["check"]["base_commit"], base.as_str());
    assert_eq!(r["check"]["new_failures"][0]["line"], 11);
}

/// `--max-score-drop` lets a small drop through, and `--fail-on` ignores lesser severities.
#[test]
fn gate_options() {
    let repo = repo();
    repo.edit("Dockerfile", "USER 10001\n", "");
    let (code, _) = check_json(&repo, &["--fail-on", "high", "--max-score-drop", "100"]);
    assert_eq!(code, 0, "a medium failure passes --fail-on high");
    let (code, _) = check_json(&repo, &["--fail-on", "medium", "--max-score-drop", "100"]);
    assert_eq!(code, 1);
}

/// SARIF for `check` holds only the new failures, on the offending line.
#[test]
fn sarif_lists_only_new_failures() {
    let repo = repo();
    repo.edit(
        "k8s/app.yaml",
        "envoyproxy/envoy:v1.31.0",
        "envoyproxy/envoy:latest",
    );
    let out = check(repo.path(), &["--base", "HEAD", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif = json(&out);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["ruleId"], "pm-image-pinned");
    let location = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "k8s/app.yaml");
    assert_eq!(location["region"]["startLine"], 13);
}

/// The terminal output names the new failure with file:line and the fix.
#[test]
fn terminal_shows_new_failures_with_fix() {
    let repo = repo();
    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    let out = check(repo.path(), &["--base", "HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("New failures (1)"), "{text}");
    assert!(text.contains("k8s/app.yaml:11"), "{text}");
    assert!(
        text.contains("fix: Pin the image to a version tag or a digest."),
        "{text}"
    );
    assert!(!text.contains("k8s/legacy.yaml"), "{text}");
    assert!(text.contains("Result: failed"), "{text}");
}

/// A scan root below the top of the work tree sees its own files only.
#[test]
fn scan_root_in_a_subdirectory() {
    let repo = repo();
    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    repo.edit("Dockerfile", "USER 10001\n", "");
    let out = check(&repo.file("k8s"), &["--base", "HEAD", "--format", "json"]);
    let r = json(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(strings(&r["check"]["changed_paths"]), ["app.yaml"]);
    let new = r["check"]["new_failures"].as_array().unwrap();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["path"], "app.yaml");
}

/// Usage errors exit 2 with a hint: no git repository, an unknown revision, no base at all.
#[test]
fn usage_errors() {
    let plain = tempfile::tempdir().unwrap();
    let out = check(plain.path(), &["--base", "main"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not inside a git work tree"));

    let repo = repo();
    let out = check(repo.path(), &["--base", "no-such-branch"]);
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains("unknown revision `no-such-branch`"),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");

    let out = check(repo.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
}

/// `assay baseline` writes the sorted failure keys with the catalog digest; `check --baseline`
/// reports only what is not in it, without git.
#[test]
fn baseline_file_round_trip() {
    let repo = repo();
    let file = repo.file("baseline.json");
    let out = assay()
        .arg("baseline")
        .arg(repo.path())
        .args(["--no-builtin", "--controls"])
        .arg(fixture("premerge/catalog"))
        .arg("--output")
        .arg(&file)
        .output()
        .unwrap();
    common::exited(&out, 0);
    let baseline: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["catalog_digest"].as_str().unwrap().len(), 64);
    assert_eq!(
        baseline["failures"],
        serde_json::json!([{
            "control": "pm-image-pinned",
            "resource": "Deployment/shop/legacy",
            "path": "k8s/legacy.yaml",
            "count": 1
        }])
    );

    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    std::fs::remove_dir_all(repo.file(".git")).unwrap();
    let base = file.display().to_string();
    let out = check(repo.path(), &["--baseline", &base, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    assert_eq!(r["check"]["mode"], "baseline");
    let new = r["check"]["new_failures"].as_array().unwrap();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0]["resource"], "Deployment/shop/web");
    assert!(r["check"]["notes"].as_array().unwrap().is_empty());

    std::fs::write(&file, "{\"version\": 1,\n \"bogus\": true}").unwrap();
    let out = check(repo.path(), &["--baseline", &base]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(":2:"));
}

/// The results of `check` validate against the results schema.
#[test]
fn check_results_follow_the_schema() {
    let repo = repo();
    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    let (_, r) = check_json(&repo, &[]);
    let errors = assay_engine::schema::validate(
        assay_engine::schema::SchemaKind::Results,
        "results.json",
        &r,
        &assay_collectors::LineMap::new(),
    );
    assert!(errors.is_empty(), "{errors:?}");
}
