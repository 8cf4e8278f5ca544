//! The git collector over real repositories built in temporary directories.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use git2::{Oid, Repository, Signature, Time};
use serde::Deserialize;
use serde_json::{json, Value};
use ssh_key::private::{Ed25519Keypair, PrivateKey};
use ssh_key::{HashAlg, LineEnding, SshSig};

use super::GitCollector;
use crate::collector::{Collector, Scope};

/// The scan time of every test: 2024-06-01T00:00:00Z.
const NOW: i64 = 1_717_200_000;
const DAY: i64 = 86_400;

type Files = BTreeMap<String, String>;
/// Returns the `gpgsig` header value for a commit buffer.
type Signer<'a> = &'a dyn Fn(&[u8]) -> String;

fn write_tree(repo: &Repository, files: &Files) -> Oid {
    let mut dirs: BTreeMap<String, Files> = BTreeMap::new();
    let mut builder = repo.treebuilder(None).unwrap();
    for (path, content) in files {
        match path.split_once('/') {
            Some((dir, rest)) => {
                dirs.entry(dir.to_string())
                    .or_default()
                    .insert(rest.to_string(), content.clone());
            }
            None => {
                let blob = repo.blob(content.as_bytes()).unwrap();
                builder.insert(path, blob, 0o100644).unwrap();
            }
        }
    }
    for (dir, sub) in dirs {
        let tree = write_tree(repo, &sub);
        builder.insert(&dir, tree, 0o040000).unwrap();
    }
    builder.write().unwrap()
}

fn who(name: &str, days_ago: i64) -> Signature<'static> {
    let email = format!("{}@corp.io", name.to_lowercase());
    Signature::new(name, &email, &Time::new(NOW - days_ago * DAY, 0)).unwrap()
}

/// Writes a commit with `files` as its whole tree; `sign` returns the `gpgsig` header value
/// for the commit buffer.
fn commit(
    repo: &Repository,
    files: &Files,
    message: &str,
    author: &str,
    days_ago: i64,
    parents: &[Oid],
    sign: Option<Signer<'_>>,
) -> Oid {
    let tree = repo.find_tree(write_tree(repo, files)).unwrap();
    let parents: Vec<git2::Commit<'_>> = parents
        .iter()
        .map(|p| repo.find_commit(*p).unwrap())
        .collect();
    let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    let sig = who(author, days_ago);
    match sign {
        None => repo
            .commit(None, &sig, &sig, message, &tree, &parent_refs)
            .unwrap(),
        Some(sign) => {
            let buffer = repo
                .commit_create_buffer(&sig, &sig, message, &tree, &parent_refs)
                .unwrap();
            let content = std::str::from_utf8(&buffer).unwrap().to_string();
            repo.commit_signed(&content, &sign(content.as_bytes()), Some("gpgsig"))
                .unwrap()
        }
    }
}

fn files(entries: &[(&str, &str)]) -> Files {
    entries
        .iter()
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

fn signing_key() -> PrivateKey {
    PrivateKey::from(Ed25519Keypair::from_seed(&[42; 32]))
}

/// The history every test reads, oldest first:
/// c0 (400 days ago, outside the period) root with CODEOWNERS; c1 direct, adds an AWS key;
/// c2 direct, removes it; f1 on a side branch changes a workflow (author outside CODEOWNERS);
/// m1 merges pull request #12; c3 squash-merged (#13), SSH-signed, changes Terraform with an
/// owner's approval; c4 direct with a Reviewed-by trailer and an OpenPGP-looking signature;
/// c5 direct, unreviewed, adds a private key that stays.
struct History {
    dir: tempfile::TempDir,
    ids: BTreeMap<&'static str, Oid>,
}

fn build_history() -> History {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let mut ids = BTreeMap::new();
    let mut state = files(&[
        ("README.md", "# app\n"),
        (
            ".github/CODEOWNERS",
            "* @ann\n.github/workflows/ @org/infra ann@corp.io\n*.tf @bob\n",
        ),
        (".github/workflows/ci.yml", "on: push\n"),
        ("infra/main.tf", "resource \"x\" \"y\" {}\n"),
    ]);
    let c0 = commit(&repo, &state, "Initial commit", "Ann", 400, &[], None);
    ids.insert("c0", c0);
    state.insert(
        "config/app.env".into(),
        "REGION=eu-west-1\nAWS_KEY=AKIAJ7Q3ZLMN4PXR2WTY\n".into(),
    );
    let c1 = commit(&repo, &state, "Add config", "Bob", 300, &[c0], None);
    ids.insert("c1", c1);
    state.insert("config/app.env".into(), "REGION=eu-west-1\n".into());
    let c2 = commit(&repo, &state, "Remove key", "Bob", 290, &[c1], None);
    ids.insert("c2", c2);
    let mut side = state.clone();
    side.insert(
        ".github/workflows/ci.yml".into(),
        "on: [push, pull_request]\n".into(),
    );
    let f1 = commit(
        &repo,
        &side,
        "Run CI on pull requests",
        "Carol",
        201,
        &[c2],
        None,
    );
    ids.insert("f1", f1);
    let m1 = commit(
        &repo,
        &side,
        "Merge pull request #12 from corp/ci\n\nRun CI on pull requests",
        "Ann",
        199,
        &[c2, f1],
        None,
    );
    ids.insert("m1", m1);
    let mut state = side;
    state.insert("infra/main.tf".into(), "resource \"x\" \"z\" {}\n".into());
    let key = signing_key();
    let ssh_sign = |content: &[u8]| {
        SshSig::sign(&key, "git", HashAlg::Sha512, content)
            .unwrap()
            .to_pem(LineEnding::LF)
            .unwrap()
    };
    let c3 = commit(
        &repo,
        &state,
        "Tune infrastructure (#13)\n\nCo-authored-by: Eve <eve@corp.io>\nApproved-by: Bob <bob@corp.io>\n",
        "Dave",
        100,
        &[m1],
        Some(&ssh_sign),
    );
    ids.insert("c3", c3);
    state.insert("README.md".into(), "# app\n\nFixed.\n".into());
    let pgp = |_: &[u8]| {
        "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n-----END PGP SIGNATURE-----".to_string()
    };
    let c4 = commit(
        &repo,
        &state,
        "Hotfix typo\n\nReviewed-by: Ann <ann@corp.io>\n",
        "Eve",
        50,
        &[c3],
        Some(&pgp),
    );
    ids.insert("c4", c4);
    state.insert(
        "deploy/key.pem".into(),
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n".into(),
    );
    let c5 = commit(&repo, &state, "Quick deploy fix", "Bob", 10, &[c4], None);
    ids.insert("c5", c5);
    repo.reference("refs/heads/main", c5, true, "test").unwrap();
    repo.set_head("refs/heads/main").unwrap();
    std::fs::write(
        dir.path().join("allowed_signers"),
        format!("dave@corp.io {}\n", key.public_key().to_openssh().unwrap()),
    )
    .unwrap();
    History { dir, ids }
}

fn scope(root: &Path, settings: Option<Value>) -> Scope {
    let mut scope = Scope::new(root);
    scope.now = UNIX_EPOCH + Duration::from_secs(NOW as u64);
    if let Some(s) = settings {
        scope.settings.insert("git".into(), s);
    }
    scope
}

fn settings() -> Value {
    json!({
        "allowed_signers": "allowed_signers",
        "identities": {"bob@corp.io": "bob", "dave@corp.io": "@dave"},
        "teams": {"@org/infra": ["@dave"]},
    })
}

fn commits_of(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| e["commit"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn facts_of_a_real_history() {
    let h = build_history();
    let c = GitCollector
        .collect(&scope(h.dir.path(), Some(settings())))
        .unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let doc = &c.documents[0];
    assert_eq!(doc.path.as_ref(), ".git");
    let id = |k: &str| h.ids[k].to_string();
    let data = &doc.data;
    assert_eq!(data["repository"]["branch"], "main");
    assert_eq!(data["repository"]["head"], id("c5"));
    assert_eq!(
        doc.digest.as_ref(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            super::history_bytes(data)
        ))
    );
    let s = &data["summary"];
    assert_eq!(s["commits"], 7, "c0 is outside the 365-day period");
    assert_eq!(s["changes"], 6);
    assert_eq!(s["merges"], 1);
    assert_eq!(s["pull_requests"], 2);
    assert_eq!(s["reviewed"], 3);
    assert_eq!(s["reviewed_share"], 0.5);
    assert_eq!(
        commits_of(&data["direct_commits"]),
        vec![id("c5"), id("c4"), id("c2"), id("c1")]
    );
    assert_eq!(
        commits_of(&data["unreviewed_changes"]),
        vec![id("c5"), id("c2"), id("c1")]
    );

    // Per-commit facts.
    let commit = |k: &str| {
        data["commits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["commit"] == id(k))
            .unwrap()
            .clone()
    };
    let m1 = commit("m1");
    assert_eq!(m1["via"], "merge");
    assert_eq!(m1["pull_request"], 12);
    assert_eq!(m1["parents"], json!([id("c2"), id("f1")]));
    let f1 = commit("f1");
    assert_eq!(f1["first_parent"], false);
    assert_eq!(f1["via"], Value::Null);
    assert_eq!(f1["sensitive_paths"], json!([".github/workflows/ci.yml"]));
    let c3 = commit("c3");
    assert_eq!(c3["via"], "squash");
    assert_eq!(c3["pull_request"], 13);
    assert_eq!(
        c3["trailers"]["co_authored_by"],
        json!(["Eve <eve@corp.io>"])
    );
    assert_eq!(c3["signature"]["format"], "ssh");
    assert_eq!(c3["signature"]["verified"], true);
    assert_eq!(c3["signature"]["signer"], "dave@corp.io");
    assert_eq!(c3["author"]["email"], "dave@corp.io");
    assert_eq!(c3["committer"]["time"], "2024-02-22T00:00:00Z");
    let c4 = commit("c4");
    assert_eq!(c4["via"], "direct");
    assert_eq!(c4["reviewed"], true);
    // Without forge exports, review evidence is what the history shows.
    assert_eq!(data["review"]["evidence"], "history");
    assert_eq!(data["review"]["history"]["reviewed_share"], 0.5);
    assert_eq!(
        data["review"]["statement"],
        "3 of 6 change(s) show review evidence in the history: 1 merge commit(s) or `(#N)` pull-request reference(s), 2 Reviewed-by/Approved-by trailer(s); approvals not verified, since no forge export was given"
    );
    let kind = |k: &str| commit(k)["review"]["evidence"].clone();
    assert_eq!(kind("m1"), "pull_request_reference");
    assert_eq!(kind("c3"), "review_trailer");
    assert_eq!(kind("c4"), "review_trailer");
    assert_eq!(kind("c5"), "none");
    assert_eq!(kind("f1"), Value::Null, "not a change of the branch");
    assert_eq!(
        commit("m1")["review"]["says"],
        "merge commit of pull request #12 in the history; approvals not verified"
    );
    assert_eq!(c4["trailers"]["reviewed_by"], json!(["Ann <ann@corp.io>"]));
    assert_eq!(c4["signature"]["present"], true);
    assert_eq!(c4["signature"]["format"], "openpgp");
    assert_eq!(c4["signature"]["verified"], Value::Null);
    assert_eq!(s["signed"], 2);
    assert_eq!(s["verified"], 1);
    assert_eq!(s["unsigned"], 5);

    // CODEOWNERS: Carol is outside `@org/infra ann@corp.io`; Bob is not `@ann`; Dave's
    // Terraform change was approved by its owner Bob.
    assert_eq!(data["codeowners"]["path"], ".github/CODEOWNERS");
    let violations: Vec<(String, String)> = data["codeowners_violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["commit"].as_str().unwrap().to_string(),
                v["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        violations,
        vec![
            (id("c5"), "deploy/key.pem".to_string()),
            (id("f1"), ".github/workflows/ci.yml".to_string()),
        ]
    );
    let tf = data["sensitive_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "infra/main.tf")
        .unwrap();
    assert_eq!(tf["author_is_owner"], false);
    assert_eq!(tf["approved_by_owner"], true);
    assert_eq!(tf["owners"], json!(["@bob"]));
    assert_eq!(tf["codeowners_line"], 3);

    // Secrets: the AWS key added by c1 and removed by c2, the private key added by c5.
    let secrets = data["secrets"].as_array().unwrap();
    assert_eq!(secrets.len(), 2, "{secrets:?}");
    assert_eq!(secrets[0]["detector"], "private_key");
    assert_eq!(secrets[0]["commit"], id("c5"));
    assert_eq!(secrets[0]["present_at_head"], true);
    assert_eq!(secrets[1]["detector"], "aws_access_key_id");
    assert_eq!(secrets[1]["commit"], id("c1"));
    assert_eq!(secrets[1]["path"], "config/app.env");
    assert_eq!(secrets[1]["line"], 2);
    assert_eq!(secrets[1]["present_at_head"], false);
    assert_eq!(s["secrets_at_head"], 1);
    let text = data.to_string();
    assert!(!text.contains("AKIAJ7Q3ZLMN4PXR2WTY"), "the secret leaked");
}

#[test]
fn ssh_signatures_without_allowed_signers_are_unverified() {
    let h = build_history();
    let c = GitCollector.collect(&scope(h.dir.path(), None)).unwrap();
    let data = &c.documents[0].data;
    let c3 = data["commits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["commit"] == h.ids["c3"].to_string())
        .unwrap();
    assert_eq!(c3["signature"]["present"], true);
    assert_eq!(c3["signature"]["verified"], Value::Null);
    assert_eq!(
        c3["signature"]["note"],
        "no allowed-signers file is configured"
    );
    // Without identities, Dave's login is unknown: his change cannot be judged.
    assert!(data["notes"].as_array().unwrap().iter().any(|n| n
        .as_str()
        .unwrap()
        .contains("could not be judged against CODEOWNERS")));
}

#[test]
fn a_wrong_key_is_rejected() {
    let h = build_history();
    let other = PrivateKey::from(Ed25519Keypair::from_seed(&[1; 32]));
    std::fs::write(
        h.dir.path().join("allowed_signers"),
        format!(
            "dave@corp.io {}\n",
            other.public_key().to_openssh().unwrap()
        ),
    )
    .unwrap();
    let c = GitCollector
        .collect(&scope(h.dir.path(), Some(settings())))
        .unwrap();
    let failures = &c.documents[0].data["signature_failures"];
    assert_eq!(commits_of(failures), vec![h.ids["c3"].to_string()]);
}

#[test]
fn the_period_and_the_secret_scan_are_configurable() {
    let h = build_history();
    let c = GitCollector
        .collect(&scope(
            h.dir.path(),
            Some(json!({"days": 60, "secret_scan": "period"})),
        ))
        .unwrap();
    let data = &c.documents[0].data;
    assert_eq!(data["summary"]["commits"], 2);
    assert_eq!(data["period"]["since"], "2024-04-02T00:00:00Z");
    // Only c5's key was added within the period.
    assert_eq!(data["secrets"].as_array().unwrap().len(), 1);
}

#[test]
fn a_shallow_clone_says_what_it_cannot_judge() {
    let h = build_history();
    let clone = tempfile::tempdir().unwrap();
    let target = clone.path().join("shallow");
    let status = std::process::Command::new("git")
        .args(["clone", "--quiet", "--depth", "2", "--branch", "main"])
        .arg(format!("file://{}", h.dir.path().display()))
        .arg(&target)
        .status();
    let Ok(status) = status else {
        eprintln!("skipped: the git command-line tool is not installed");
        return;
    };
    assert!(status.success());
    let c = GitCollector.collect(&scope(&target, None)).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let data = &c.documents[0].data;
    assert_eq!(data["repository"]["shallow"], true);
    assert_eq!(data["repository"]["branch"], "main");
    assert_eq!(data["summary"]["commits"], 2);
    let period = data["incomplete"]["period"].to_string();
    assert!(period.contains("shallow clone"), "{period}");
    assert!(period.contains("fetch-depth: 0"), "{period}");
    assert!(period.contains("first-parent history stops at"), "{period}");
    let secrets = data["incomplete"]["secrets"].to_string();
    assert!(secrets.contains("shallow clone"), "{secrets}");
    // The boundary commit (c4) is still classified from its own header.
    assert_eq!(
        commits_of(&data["direct_commits"]),
        vec![h.ids["c5"].to_string(), h.ids["c4"].to_string()]
    );
}

#[test]
fn not_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    // Unconfigured: nothing to collect, nothing to complain about.
    let c = GitCollector.collect(&scope(dir.path(), None)).unwrap();
    assert!(c.documents.is_empty() && c.errors.is_empty());
    // Configured: a clear error, and the collection still returns.
    let c = GitCollector
        .collect(&scope(dir.path(), Some(json!({"path": "."}))))
        .unwrap();
    assert!(c.documents.is_empty());
    assert_eq!(c.errors.len(), 1);
    assert!(
        c.errors[0].message.starts_with("not a git repository"),
        "{:?}",
        c.errors
    );
    assert!(c.errors[0]
        .hint
        .as_deref()
        .unwrap()
        .contains("collectors.git.path"));
    // Unknown keys are reported.
    let c = GitCollector
        .collect(&scope(dir.path(), Some(json!({"branches": "main"}))))
        .unwrap();
    assert!(
        c.errors[0].message.contains("unknown field `branches`"),
        "{:?}",
        c.errors
    );
}

/// Forge exports decide for the changes they hold: bodies in the shape of GitHub's pulls and
/// reviews responses (the recorded ones are exercised in tests/forge.rs).
#[test]
fn forge_exports_decide_review_evidence() {
    let h = build_history();
    let id = |k: &str| h.ids[k].to_string();
    let forge = h.dir.path().join(".assay/forge");
    std::fs::create_dir_all(&forge).unwrap();
    let pulls = json!([
        {"number": 12, "user": {"login": "carol"}, "merged_at": "2023-11-14T00:00:00Z",
         "merge_commit_sha": id("m1"), "state": "closed"},
        {"number": 13, "user": {"login": "dave"}, "merged_at": "2024-02-22T00:00:00Z",
         "merge_commit_sha": id("c3"), "state": "closed"}
    ]);
    let review = |n: u64, who: &str, state: &str| {
        json!({"user": {"login": who}, "state": state, "submitted_at": "2024-01-01T00:00:00Z",
               "pull_request_url": format!("https://api.github.com/repos/corp/app/pulls/{n}")})
    };
    std::fs::write(forge.join("pulls.json"), pulls.to_string()).unwrap();
    std::fs::write(
        forge.join("pulls-12-reviews.json"),
        json!([
            review(12, "ann", "APPROVED"),
            review(12, "carol", "APPROVED")
        ])
        .to_string(),
    )
    .unwrap();
    // The author approving their own pull request is no approval.
    std::fs::write(
        forge.join("pulls-13-reviews.json"),
        json!([review(13, "dave", "APPROVED")]).to_string(),
    )
    .unwrap();
    let c = GitCollector
        .collect(&scope(h.dir.path(), Some(settings())))
        .unwrap();
    let data = &c.documents[0].data;
    assert_eq!(data["review"]["evidence"], "forge_export");
    assert_eq!(data["review"]["history"], Value::Null);
    let commit = |k: &str| {
        data["commits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["commit"] == id(k))
            .unwrap()["review"]
            .clone()
    };
    assert_eq!(commit("m1")["evidence"], "forge_approval");
    assert_eq!(commit("m1")["approved_by"], json!(["ann"]));
    assert_eq!(commit("m1")["author"], "carol");
    // c3's Approved-by trailer does not outweigh the export of its pull request.
    assert_eq!(commit("c3")["evidence"], "forge_no_approval");
    assert_eq!(
        commit("c3")["says"],
        "pull request #13 by dave has no approval by anyone else in the forge export (.assay/forge/pulls-13-reviews.json, .assay/forge/pulls.json)"
    );
    assert_eq!(commit("c4")["evidence"], "review_trailer");
    assert_eq!(data["review"]["forge_export"]["reviewed_share"], 0.3333);
    assert_eq!(data["review"]["kinds"]["forge_approval"], 1);
}

/// Runs the collector as `GitCollector::collect` does, returning the evidence file and how
/// the secret scan came by its blobs.
fn collect_counting(root: &Path, settings: Value) -> (Vec<u8>, super::history::BlobCount) {
    let scope = scope(root, Some(settings.clone()));
    let settings = super::Settings::deserialize(&settings).unwrap();
    let mut errors = Vec::new();
    let (document, count) =
        super::collect_repository(&scope, &settings, root, ".", &mut errors).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let bytes = super::history_bytes(&document.data);
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    assert_eq!(*document.digest, *digest);
    (bytes, count)
}

fn cache_file(root: &Path) -> std::path::PathBuf {
    root.join(".git")
        .join(super::CACHE_DIR)
        .join(super::blob_cache::FILE)
}

#[test]
fn a_second_run_reads_no_blob_already_scanned() {
    let h = build_history();
    let settings = json!({"days": 0});
    let (first, cold) = collect_counting(h.dir.path(), settings.clone());
    // c0's four files, the key file added and changed, the workflow, Terraform, README, PEM.
    assert_eq!(cold.read, 10, "{cold:?}");
    assert_eq!(cold.cached, 0);
    assert!(cache_file(h.dir.path()).is_file());
    let (second, warm) = collect_counting(h.dir.path(), settings.clone());
    assert_eq!(warm.read, 0, "{warm:?}");
    assert_eq!(warm.cached, cold.read);
    assert_eq!(first, second);
    let data: Value = serde_json::from_slice(&second).unwrap();
    assert_eq!(data["secrets"].as_array().unwrap().len(), 2);

    // A corrupt cache is ignored with a note, every blob is read again, the findings stay.
    let mut bytes = std::fs::read(cache_file(h.dir.path())).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(cache_file(h.dir.path()), &bytes).unwrap();
    let (third, again) = collect_counting(h.dir.path(), settings.clone());
    assert_eq!(again.read, cold.read);
    let third: Value = serde_json::from_slice(&third).unwrap();
    assert_eq!(third["secrets"], data["secrets"]);
    let notes = third["notes"].to_string();
    assert!(
        notes.contains(
            "secret-scan cache `secret-blobs.bin` is unreadable (its checksum does not match)"
        ),
        "{notes}"
    );
    // ...and rewritten, so the next run reads nothing again.
    let (_, rewritten) = collect_counting(h.dir.path(), settings);
    assert_eq!(rewritten.read, 0);
}

/// A history of `n` commits on `main`, every seventh one a merge of a side commit, some
/// adding secrets, touching files in a few directories.
fn generated_history(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let mut state = files(&[("README.md", "# generated\n")]);
    let mut tip = commit(&repo, &state, "Initial commit", "Ann", 500, &[], None);
    let people = ["Ann", "Bob", "Carol", "Dave"];
    for i in 1..n {
        let path = format!("src/dir{}/file{}.txt", i % 5, (i * 31) % 40);
        let content = match i % 97 {
            0 => {
                let tail: String = (0..4)
                    .map(|k| char::from(b'A' + (i / 26usize.pow(k) % 26) as u8))
                    .collect();
                format!("key {i}\nAWS_KEY=AKIAJ7Q3ZLMN4PXR{tail}\n")
            }
            _ => format!("revision {i}\n"),
        };
        state.insert(path, content);
        let who = people[i % people.len()];
        let days = 400 - (i * 400 / n) as i64;
        if i % 7 == 0 {
            let side = commit(
                &repo,
                &state,
                &format!("Topic {i}"),
                who,
                days,
                &[tip],
                None,
            );
            let message = format!("Merge pull request #{i} from corp/topic-{i}");
            tip = commit(&repo, &state, &message, "Ann", days, &[tip, side], None);
        } else {
            let message = format!("Change {i}\n\nSigned-off-by: {who} <{who}@corp.io>\n");
            tip = commit(&repo, &state, &message, who, days, &[tip], None);
        }
    }
    repo.reference("refs/heads/main", tip, true, "test")
        .unwrap();
    repo.set_head("refs/heads/main").unwrap();
    dir
}

#[test]
fn the_same_history_whatever_the_thread_count() {
    // Many more commits than one parallel task takes, so that several threads share the work.
    let dir = generated_history(300);
    let run = |threads: usize| {
        let _ = std::fs::remove_file(cache_file(dir.path()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| collect_counting(dir.path(), json!({"days": 0})))
    };
    let (one, one_count) = run(1);
    let (four, four_count) = run(4);
    assert_eq!(one_count, four_count);
    assert!(one == four, "the evidence differs between 1 and 4 threads");
    let data: Value = serde_json::from_slice(&one).unwrap();
    assert!(data["summary"]["commits"].as_u64().unwrap() > 300);
    // Every blob's scan is its own: the keys of commits 291, 194 and 97 (newest first), and
    // nothing unreadable.
    assert_eq!(data["incomplete"], json!({"period": [], "secrets": []}));
    let secrets: Vec<(&str, &str)> = data["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s["label"].as_str().unwrap()))
        .collect();
    assert_eq!(secrets.len(), 3, "{secrets:?}");
    for ((path, label), i) in secrets.iter().zip([291, 194, 97]) {
        assert_eq!(*path, format!("src/dir{}/file{}.txt", i % 5, (i * 31) % 40));
        assert!(label.contains(&format!(" Change {i} ")), "{label}");
    }
}
