//! The forge collector over recorded GitHub responses (tests/fixtures/forge, see its
//! SOURCE.md) and over hostile files.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::response::Response;
use super::{load, ForgeCollector};
use crate::collector::{Collector, Scope};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/forge")
        .join(name)
}

fn read(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(name)).unwrap()).unwrap()
}

fn normalized(name: &str) -> Value {
    let value = read(name);
    let response = Response::recognize(&value).unwrap();
    let out = response.normalize(name);
    assert!(out.problems.is_empty(), "{:?}", out.problems);
    out.data
}

/// A scan root holding the given fixtures under `.assay/forge/`.
fn root_with(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let forge = dir.path().join(".assay/forge");
    std::fs::create_dir_all(&forge).unwrap();
    for name in files {
        let target = forge.join(Path::new(name).file_name().unwrap());
        std::fs::copy(fixture(name), target).unwrap();
    }
    dir
}

#[test]
fn recorded_github_pull_requests() {
    let data = normalized("github/pulls-closed.json");
    assert_eq!(data["forge"], "github");
    assert_eq!(data["api"], "pull_requests");
    let pulls = data["pull_requests"].as_array().unwrap();
    assert_eq!(pulls.len(), 30);
    assert_eq!(
        pulls[0],
        json!({
            "number": 411,
            "author": "joeyw",
            "state": "merged",
            "merged_at": "2014-01-22T00:47:17Z",
            "merge_commits": ["97e4964cc9222b18a62b9de62c4f5d1efb762db8"],
            "target_branch": "master",
        })
    );
    // #400 was closed unmerged: its merge_commit_sha is a test merge, never on a branch.
    let closed = pulls.iter().find(|p| p["number"] == 400).unwrap();
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["merge_commits"], json!([]));
}

#[test]
fn recorded_github_reviews() {
    let data = normalized("github/pulls-841-reviews.json");
    assert_eq!(data["api"], "reviews");
    let reviews = data["reviews"].as_array().unwrap();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[0]["pull_request"], 841);
    assert_eq!(reviews[0]["reviewer"], "<GITHUB_LOGIN>");
    assert_eq!(reviews[0]["state"], "APPROVED");
    assert_eq!(reviews[1]["reviewer"], "LizzHale");
    assert_eq!(reviews[1]["state"], "COMMENTED");
}

#[test]
fn recorded_github_branch_protection() {
    let checks = normalized("github/branch-protection-checks.json");
    assert_eq!(checks["api"], "protections");
    let p = &checks["protections"][0];
    assert_eq!(p["branch"], "master");
    assert_eq!(p["pull_request_required"], false);
    assert_eq!(p["required_approvals"], 0);
    assert_eq!(p["status_checks_required"], true);
    assert_eq!(p["strict_status_checks"], true);
    assert_eq!(p["enforce_admins"], true);
    assert_eq!(p["force_pushes_allowed"], Value::Null);

    let reviews = normalized("github/branch-protection-reviews.json");
    let p = &reviews["protections"][0];
    assert_eq!(p["pull_request_required"], true);
    assert_eq!(p["required_approvals"], 2);
    assert_eq!(p["code_owner_reviews"], false);

    let full = normalized("github/branch-protection-full.json");
    let p = &full["protections"][0];
    assert_eq!(p["branch"], "main");
    assert_eq!(p["required_approvals"], 1);
    assert_eq!(p["dismiss_stale_reviews"], true);
    assert_eq!(p["required_status_checks"], json!(["foo/bar"]));
    assert_eq!(p["force_pushes_allowed"], false);

    let none = normalized("github/branch-not-protected.json");
    let p = &none["protections"][0];
    assert_eq!(p["protected"], false);
    assert_eq!(p["pull_request_required"], false);
    assert!(p["label"]
        .as_str()
        .unwrap()
        .contains("branch not protected"));
}

#[test]
fn gitlab_merge_requests_of_open_requests_have_no_merge_commit() {
    let data = normalized("gitlab/merge-requests.json");
    assert_eq!(data["forge"], "gitlab");
    let mrs = data["pull_requests"].as_array().unwrap();
    assert_eq!(mrs.len(), 3);
    assert_eq!(mrs[0]["number"], 15442);
    assert_eq!(mrs[0]["author"], "hfyngvason");
    assert_eq!(mrs[0]["state"], "opened");
    assert_eq!(mrs[0]["merge_commits"], json!([]));
}

/// Bodies in the shape GitLab's API documentation gives (no recorded ones were at hand):
/// a merged merge request, its approvals and the protected branches.
#[test]
fn gitlab_approvals_and_protected_branches() {
    let dir = tempfile::tempdir().unwrap();
    let forge = dir.path().join(".assay/forge");
    std::fs::create_dir_all(&forge).unwrap();
    let write = |name: &str, v: Value| {
        std::fs::write(forge.join(name), serde_json::to_vec_pretty(&v).unwrap()).unwrap()
    };
    write(
        "mrs.json",
        json!([{"iid": 5, "state": "merged", "author": {"username": "ann"},
                "merge_commit_sha": null, "squash_commit_sha": "abc123", "target_branch": "main"}]),
    );
    write(
        "mr-5-approvals.json",
        json!({"id": 9, "iid": 5, "approved": true,
               "approved_by": [{"user": {"username": "ann"}}, {"user": {"username": "bob"}}]}),
    );
    write(
        "protected.json",
        json!([{"id": 1, "name": "main",
                "push_access_levels": [{"access_level": 0, "access_level_description": "No one"}],
                "merge_access_levels": [{"access_level": 40}],
                "allow_force_push": false, "code_owner_approval_required": true},
               {"id": 2, "name": "release",
                "push_access_levels": [{"access_level": 40}], "allow_force_push": true}]),
    );
    let loaded = load(&Scope::new(dir.path()));
    assert!(
        loaded.collection.errors.is_empty(),
        "{:?}",
        loaded.collection.errors
    );
    let review = loaded.exports.review_of("ABC123", None).unwrap();
    assert_eq!(review.number, 5);
    assert_eq!(review.author.as_deref(), Some("ann"));
    assert_eq!(review.approvers_other_than("ann"), ["bob"]);
    let protections = loaded
        .collection
        .documents
        .iter()
        .find(|d| d.data["api"] == "protections")
        .unwrap();
    let list = protections.data["protections"].as_array().unwrap();
    assert_eq!(list[0]["pull_request_required"], true);
    assert_eq!(list[0]["code_owner_reviews"], true);
    assert_eq!(list[1]["pull_request_required"], false);
    assert_eq!(list[1]["force_pushes_allowed"], true);
    // Each protection points at its line in the response.
    assert_eq!(protections.line("/protections/1"), 19);
}

#[test]
fn approvals_follow_each_reviewers_latest_decision() {
    let dir = root_with(&["github/pulls-841-reviews.json"]);
    let forge = dir.path().join(".assay/forge");
    // A later review by the approver requests changes on another pull request: only the
    // latest deciding review of each reviewer counts, comments never do.
    std::fs::write(
        forge.join("pulls-9-reviews.json"),
        json!([
            {"user": {"login": "bob"}, "state": "APPROVED", "submitted_at": "2024-01-01T00:00:00Z",
             "pull_request_url": "https://api.github.com/repos/o/r/pulls/9"},
            {"user": {"login": "bob"}, "state": "CHANGES_REQUESTED", "submitted_at": "2024-01-02T00:00:00Z",
             "pull_request_url": "https://api.github.com/repos/o/r/pulls/9"},
            {"user": {"login": "cy"}, "state": "COMMENTED", "submitted_at": "2024-01-03T00:00:00Z",
             "pull_request_url": "https://api.github.com/repos/o/r/pulls/9"}
        ])
        .to_string(),
    )
    .unwrap();
    let exports = load(&Scope::new(dir.path())).exports;
    let recorded = exports.review_of("0000", Some(841)).unwrap();
    assert!(recorded.review_data);
    assert_eq!(recorded.author, None, "841 is not in an exported list");
    assert_eq!(recorded.approvers, ["<GITHUB_LOGIN>"]);
    let nine = exports.review_of("0000", Some(9)).unwrap();
    assert!(nine.approvers.is_empty());
    assert!(exports.review_of("0000", Some(10)).is_none());
}

#[test]
fn merge_commits_find_their_pull_request() {
    let dir = root_with(&["github/pulls-closed.json"]);
    let exports = load(&Scope::new(dir.path())).exports;
    let by_commit = exports
        .review_of("97E4964CC9222B18A62B9DE62C4F5D1EFB762DB8", None)
        .unwrap();
    assert_eq!(by_commit.number, 411);
    assert_eq!(by_commit.author.as_deref(), Some("joeyw"));
    assert!(!by_commit.review_data, "no reviews were exported");
    assert_eq!(exports.files(), [".assay/forge/pulls-closed.json"]);
}

#[test]
fn the_collector_makes_one_document_per_export() {
    let dir = root_with(&[
        "github/pulls-closed.json",
        "github/branch-protection-reviews.json",
    ]);
    let c = ForgeCollector.collect(&Scope::new(dir.path())).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let paths: Vec<&str> = c.documents.iter().map(|d| d.path.as_ref()).collect();
    assert_eq!(
        paths,
        [
            ".assay/forge/branch-protection-reviews.json",
            ".assay/forge/pulls-closed.json"
        ]
    );
    let bytes = std::fs::read(fixture("github/pulls-closed.json")).unwrap();
    assert_eq!(
        c.documents[1].digest.as_ref(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
    );
}

#[test]
fn hostile_exports_are_reported_and_the_rest_is_read() {
    let dir = root_with(&["github/branch-protection-checks.json"]);
    let forge = dir.path().join(".assay/forge");
    std::fs::write(forge.join("broken.json"), "[{\"number\": 1,\n  \"merge").unwrap();
    std::fs::write(forge.join("other.json"), "{\"hello\": 1}").unwrap();
    std::fs::write(forge.join("empty.json"), "[]").unwrap();
    std::fs::write(
        forge.join("pulls.json"),
        "[\n  {\"number\": 3, \"merge_commit_sha\": null, \"user\": {\"login\": \"a\"}},\n  {\"number\": \"x\", \"merge_commit_sha\": null}\n]",
    )
    .unwrap();
    let mut scope = Scope::new(dir.path());
    scope.max_file_size = 1 << 20;
    let c = ForgeCollector.collect(&scope).unwrap();
    let errors: Vec<(String, Option<u32>, String)> = c
        .errors
        .iter()
        .map(|e| {
            (
                e.path.clone(),
                e.position.map(|p| p.line),
                e.message.clone(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, ".assay/forge/broken.json");
    assert_eq!(errors[0].1, Some(2));
    assert!(errors[0].2.starts_with("not JSON"));
    assert_eq!(errors[1].0, ".assay/forge/pulls.json");
    assert_eq!(errors[1].1, Some(3), "the bad item's line");
    assert!(errors[1].2.contains("without a `number`"));
    let skipped: Vec<&str> = c.skipped.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        skipped,
        [".assay/forge/empty.json", ".assay/forge/other.json"]
    );
    let docs: Vec<&str> = c.documents.iter().map(|d| d.path.as_ref()).collect();
    assert_eq!(
        docs,
        [
            ".assay/forge/branch-protection-checks.json",
            ".assay/forge/pulls.json"
        ]
    );
    assert_eq!(
        c.documents[1].data["pull_requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn configured_exports_stay_inside_the_root() {
    let dir = root_with(&["github/branch-protection-checks.json"]);
    let with = |exports: Value| {
        let mut scope = Scope::new(dir.path());
        scope
            .settings
            .insert("forge".into(), json!({ "exports": exports }));
        ForgeCollector.collect(&scope).unwrap()
    };
    let outside = with(json!(["../elsewhere/*.json"]));
    assert!(outside.documents.is_empty());
    assert!(outside.errors[0].message.contains("leaves the scan root"));
    let absolute = with(json!(["/etc/*.json"]));
    assert!(absolute.errors[0].message.contains("leaves the scan root"));
    let none = with(json!(["exports/*.json"]));
    assert!(none.errors[0].message.contains("match no file"));
    let found = with(json!([".assay/forge/branch-*.json"]));
    assert!(found.errors.is_empty());
    assert_eq!(found.documents.len(), 1);

    #[cfg(unix)]
    {
        // A link leaving the root is skipped, never read.
        let outside = tempfile::tempdir().unwrap();
        std::fs::copy(
            fixture("github/pulls-closed.json"),
            outside.path().join("p.json"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("p.json"),
            dir.path().join(".assay/forge/link.json"),
        )
        .unwrap();
        let c = ForgeCollector.collect(&Scope::new(dir.path())).unwrap();
        assert_eq!(c.documents.len(), 1);
        assert!(!c.documents.iter().any(|d| d.path.contains("link")));
    }
}

#[test]
fn command_line_exports_are_read_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let mut scope = Scope::new(dir.path());
    scope.forge_exports = vec![fixture("github/pulls-841-reviews.json")];
    let c = ForgeCollector.collect(&scope).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.documents.len(), 1);
    assert_eq!(c.documents[0].data["api"], "reviews");
    // An absolute path is named by its file name only.
    assert_eq!(
        c.documents[0].path.as_ref(),
        "--forge-export pulls-841-reviews.json"
    );
    scope.forge_exports = vec![dir.path().join("missing.json")];
    let c = ForgeCollector.collect(&scope).unwrap();
    assert_eq!(c.errors.len(), 1);
    assert!(c.errors[0].message.contains("no such file"));
}
