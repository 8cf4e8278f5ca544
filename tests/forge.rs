//! Change-management evidence end to end: the git history a scan judged is kept in the
//! evidence pack, listed in its manifest, redacted and shown on the site.

mod common;
#[path = "common/git_repo.rs"]
mod git_repo;

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
