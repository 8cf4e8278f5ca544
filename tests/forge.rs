//! Change-management evidence end to end: the git history a scan judged is kept in the
//! evidence pack, listed in its manifest, redacted and shown on the site.

use crate::common;
use crate::git_repo;

use std::path::Path;

use common::{assay, control};
use git_repo::GitRepo;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A repository with a token in one commit subject and a squash-merged pull request.
fn history_with_a_token() -> (GitRepo, String) {
    let empty = tempfile::tempdir().unwrap();
    let repo = GitRepo::from(empty.path());
    let token = format!("ghp_{}", "Zq9X".repeat(9));
    repo.write("README.md", "# service\n");
    repo.commit_all(&format!("Rotate the deploy token {token}"));
    repo.write("src/app.txt", "app\n");
    repo.commit_all("Add the app (#7)");
    (repo, token)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn the_git_history_is_kept_listed_redacted_and_linked() {
    let (repo, token) = history_with_a_token();
    let out = tempfile::tempdir().unwrap();
    let pack = out.path().join("pack");
    let run = assay()
        .arg("scan")
        .arg(repo.path())
        .args(["--soft-fail", "--pack"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let manifest = read_json(&pack.join("manifest.json"));
    let entry = manifest["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == ".git")
        .expect("the manifest lists the git history");
    let digest = entry["sha256"].as_str().unwrap();
    let kept_name = format!("evidence/{digest}");
    let listed = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == kept_name.as_str())
        .expect("the manifest lists the kept file");
    let kept = std::fs::read(pack.join(&kept_name)).unwrap();
    assert_eq!(listed["sha256"], hex::encode(Sha256::digest(&kept)));
    assert_eq!(entry["redacted_sha256"], listed["sha256"]);

    let text = String::from_utf8(kept).unwrap();
    assert!(!text.contains(&token), "the token is kept verbatim");
    assert!(text.contains("Rotate the deploy token [REDACTED:github_token]"));
    assert!(text.contains("\"unreviewed_changes\""));
    assert!(text.contains("Add the app (#7)"));

    // Findings of the change-management controls name the kept file.
    let results = read_json(&pack.join("results.json"));
    let reviewed = control(&results, "cm-reviewed-changes");
    let finding = &reviewed["findings"][0];
    assert_eq!(finding["evidence"][0], digest);
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("`unreviewed_changes` in the git evidence (`.git`)"),
        "{message}"
    );

    // The site shows it and the finding links to it.
    let page = std::fs::read_to_string(pack.join(format!("site/evidence/{digest}.html"))).unwrap();
    assert!(page.contains("unreviewed_changes"));
    assert!(!page.contains(&token));
    // Links are written with `/` escaped as `&#x2f;`.
    let link = format!("evidence&#x2f;{digest}.html\"><code>.git</code></a>");
    let control_page =
        std::fs::read_to_string(pack.join("site/controls/cm-reviewed-changes.html")).unwrap();
    assert!(
        control_page.contains(&link),
        "the finding does not link the git evidence"
    );
    let index = std::fs::read_to_string(pack.join("site/evidence.html")).unwrap();
    assert!(index.contains(&format!("{digest}.html")));

    assay().arg("verify").arg(&pack).assert().success();
}

/// A recorded export of tests/fixtures/forge (see its SOURCE.md).
fn recorded(name: &str) -> std::path::PathBuf {
    common::fixture("forge").join(name)
}

/// A repository whose exports under `.assay/forge/` hold the recorded pull requests of
/// octokit.rb (#411 by joeyw, merged, no reviews exported) and the reviews of #841 (approved
/// by `<GITHUB_LOGIN>`), and whose commits are all by LizzHale (through
/// `collectors.git.identities`).
fn history_with_exports() -> GitRepo {
    let empty = tempfile::tempdir().unwrap();
    let repo = GitRepo::from(empty.path());
    repo.write(
        "assay.yaml",
        "collectors:\n  git:\n    identities: {tests@example.com: \"@LizzHale\"}\n",
    );
    for name in [
        "github/pulls-closed.json",
        "github/pulls-841-reviews.json",
        "github/branch-not-protected.json",
    ] {
        let target = Path::new(".assay/forge").join(Path::new(name).file_name().unwrap());
        repo.write(
            target.to_str().unwrap(),
            &std::fs::read_to_string(recorded(name)).unwrap(),
        );
    }
    repo.write("README.md", "# service\n");
    repo.commit_all("Add the README");
    for (file, subject) in [
        ("a.txt", "Fix the thing (#411)"),
        ("b.txt", "Add an alias (#841)"),
        ("c.txt", "Document it (#5000)"),
    ] {
        repo.write(file, "x\n");
        repo.commit_all(subject);
    }
    repo
}

#[test]
fn forge_exports_decide_which_changes_were_approved() {
    let repo = history_with_exports();
    let out = tempfile::tempdir().unwrap();
    let pack = out.path().join("pack");
    let run = assay()
        .arg("scan")
        .arg(repo.path())
        .args(["--soft-fail", "--format", "json", "--pack"])
        .arg(&pack)
        .arg("--forge-export")
        .arg(recorded("github/branch-protection-full.json"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let results = common::json(&run);

    let reviewed = common::findings(&results, "cm-reviewed-changes", "fail");
    assert_eq!(reviewed.len(), 1);
    let message = reviewed[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("only 0.25 of the changes")
            && message.contains("approved by someone other than their author in the forge exports"),
        "{message}"
    );

    // The kept git evidence says, per change, what the export showed.
    let manifest = read_json(&pack.join("manifest.json"));
    let digest = manifest["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == ".git")
        .unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let kept: Value =
        serde_json::from_slice(&std::fs::read(pack.join(format!("evidence/{digest}"))).unwrap())
            .unwrap();
    assert_eq!(kept["review"]["evidence"], "forge_export");
    assert_eq!(
        kept["review"]["exports"],
        serde_json::json!([
            ".assay/forge/pulls-841-reviews.json",
            ".assay/forge/pulls-closed.json"
        ])
    );
    let why: Vec<&str> = kept["unreviewed_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["review"]["says"].as_str().unwrap())
        .collect();
    assert_eq!(
        why,
        [
            "pull request #5000 is not in the forge exports",
            "the forge export holds no reviews or approvals of pull request #411 (.assay/forge/pulls-closed.json)",
            "no merge commit, pull-request reference or review trailer in the history",
        ]
    );
    let approved = kept["commits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["pull_request"] == 841)
        .unwrap();
    assert_eq!(approved["review"]["evidence"], "forge_approval");
    assert_eq!(
        approved["review"]["approved_by"],
        serde_json::json!(["<GITHUB_LOGIN>"])
    );

    // Branch protection: the command-line export passes, the recorded "not protected" fails.
    let protection = control(&results, "cm-branch-protection");
    let statuses: Vec<(&str, &str)> = protection["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["status"].as_str().unwrap(),
                f["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(statuses
        .iter()
        .any(|(s, m)| *s == "fail" && m.contains("branch not protected")));
    assert!(statuses.iter().any(|(s, _)| *s == "pass"), "{statuses:?}");
    // The exports inside the repository are kept in the pack like any evidence file.
    assert!(manifest["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == ".assay/forge/branch-not-protected.json"));
}

#[test]
fn without_exports_findings_say_approvals_were_not_verified() {
    let (repo, _) = history_with_a_token();
    let run = assay()
        .arg("scan")
        .arg(repo.path())
        .args(["--soft-fail", "--format", "json"])
        .output()
        .unwrap();
    let results = common::json(&run);
    let failed = common::findings(&results, "cm-reviewed-changes", "fail");
    let message = failed[0]["message"].as_str().unwrap();
    assert!(
        message.contains("approvals not verified, since no forge export was given"),
        "{message}"
    );
    // No export: the branch protection control is not assessed, and says what to provide.
    let protection = control(&results, "cm-branch-protection");
    assert_eq!(protection["status"], "not_assessed", "{protection}");
}

#[test]
fn a_missing_forge_export_is_a_usage_error() {
    let (repo, _) = history_with_a_token();
    let run = assay()
        .arg("scan")
        .arg(repo.path())
        .args(["--forge-export", "no-such-export.json"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("`no-such-export.json` is not a file"));
}
