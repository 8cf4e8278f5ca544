//! Fan-out: `assay scan --shard I/N` on each shard and `assay merge` of their results give the
//! results of one scan; merge refuses shards that do not make one whole.

use crate::common;
use crate::git_repo::GitRepo;

use std::path::{Path, PathBuf};

use common::{assay, exited, fixture};
use serde_json::Value;

const NOW: &str = "2026-11-02T09:00:00Z";

/// A repository with Terraform modules, Kubernetes manifests and a kustomization, workflows,
/// attestations, a waiver, an inline suppression and a git history of two commits.
fn repo() -> GitRepo {
    let repo = GitRepo::from(&fixture("sample-repo"));
    for (to, from) in [
        (
            "infra/stack/main.tf",
            "terraform-eval/modules/stack/main.tf",
        ),
        (
            "infra/stack/modules/bucket/main.tf",
            "terraform-eval/modules/stack/modules/bucket/main.tf",
        ),
        (
            "deploy/base/kustomization.yaml",
            "render/kustomize/base/kustomization.yaml",
        ),
        (
            "deploy/base/deployment.yaml",
            "render/kustomize/base/deployment.yaml",
        ),
        ("k8s/legacy.yaml", "premerge/repo/k8s/legacy.yaml"),
        ("k8s/app.yaml", "premerge/repo/k8s/app.yaml"),
    ] {
        repo.write(to, &std::fs::read_to_string(fixture(from)).unwrap());
    }
    repo.write(
        "compliance/waivers.yaml",
        "waivers:\n  - control: k8s-image-tag-pinned\n    scope:\n      paths: [k8s/legacy.yaml]\n    justification: Replaced by the new chart.\n    approved_by: security@example.com\n    expires: 2027-06-01\n",
    );
    repo.write("assay.yaml", "waivers: compliance/waivers.yaml\n");
    repo.commit_all("first");
    repo.edit("README.md", "", "Payments.\n");
    repo.commit_all("second");
    repo
}

/// Runs `assay` with `args` in `dir` at the pinned time; returns stdout, failing on an exit
/// code other than `code`.
fn run(dir: &Path, args: &[&str], code: i32) -> Vec<u8> {
    let out = assay()
        .current_dir(dir)
        .args(args)
        .args(["--now", NOW])
        .output()
        .unwrap();
    exited(&out, code);
    out.stdout
}

/// Scans shard `i` of `n` of `repo` into `dir/part-i-of-n.json`.
fn shard(repo: &Path, dir: &Path, i: u32, n: u32) -> PathBuf {
    let path = dir.join(format!("part-{i}-of-{n}.json"));
    let shard = format!("{i}/{n}");
    let out = path.to_str().unwrap();
    run(
        repo,
        &[
            "scan", ".", "--shard", &shard, "--format", "json", "-o", out,
        ],
        0,
    );
    path
}

fn merge(repo: &Path, parts: &[PathBuf], extra: &[&str], code: i32) -> Vec<u8> {
    let mut args = vec!["merge", ".", "--format", "json", "--soft-fail"];
    args.extend_from_slice(extra);
    args.push("--from");
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    run(repo, &args, code)
}

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// Fails unless `results` is valid against schemas/results.schema.json.
fn assert_valid_results(results: &Value) {
    let schema: Value =
        serde_json::from_str(include_str!("../schemas/results.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(results)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn merged_shards_score_as_one_scan() {
    let repo = repo();
    let whole = run(
        repo.path(),
        &["scan", ".", "--format", "json", "--soft-fail"],
        0,
    );
    let whole_json = parse(&whole);
    // The fixture exercises what must not be split: history, relations, waivers.
    assert!(whole_json["waivers"][0]["findings"].as_u64() > Some(0));
    assert!(whole_json["scan"]["commit"].is_string());
    let findings = |r: &Value| -> usize {
        r["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["findings"].as_array().unwrap().len())
            .sum()
    };
    for n in [1, 2, 7] {
        let dir = tempfile::tempdir().unwrap();
        let parts: Vec<PathBuf> = (1..=n)
            .map(|i| shard(repo.path(), dir.path(), i, n))
            .collect();
        if n > 1 {
            // Each shard holds a share of the findings only.
            for p in &parts {
                let part = parse(&std::fs::read(p).unwrap());
                assert_valid_results(&part);
                assert!(findings(&part) < findings(&whole_json), "{n} shards");
            }
        }
        let merged = merge(repo.path(), &parts, &[], 0);
        let mut merged = parse(&merged);
        assert_valid_results(&merged);
        let record = merged.as_object_mut().unwrap().remove("merged").unwrap();
        assert_eq!(record["shards"], n);
        assert_eq!(record["parts"].as_array().unwrap().len(), n as usize);
        assert!(
            merged == whole_json,
            "{n} shards: the merged results differ from the single scan's:\n{}",
            diff(&whole_json, &merged)
        );
    }
}

/// The first top-level field that differs, for the failure message.
fn diff(a: &Value, b: &Value) -> String {
    for (key, value) in a.as_object().unwrap() {
        if b.get(key) != Some(value) {
            return format!(
                "`{key}`:\n{value}\n---\n{}",
                b.get(key).unwrap_or(&Value::Null)
            );
        }
    }
    "extra fields".into()
}

#[test]
fn merge_refuses_what_is_not_one_fan_out() {
    let repo = repo();
    let dir = tempfile::tempdir().unwrap();
    let parts: Vec<PathBuf> = (1..=3)
        .map(|i| shard(repo.path(), dir.path(), i, 3))
        .collect();
    let stderr = |bytes: &[PathBuf], extra: &[&str]| {
        let mut args = vec!["merge", ".", "--format", "json", "--from"];
        args.extend(bytes.iter().map(|p| p.to_str().unwrap()));
        args.extend_from_slice(extra);
        let out = assay()
            .current_dir(repo.path())
            .args(&args)
            .args(["--now", NOW])
            .output()
            .unwrap();
        exited(&out, 2);
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(stderr(&parts[..2], &[]).contains("shard 3/3 missing"));
    let twice = [parts[0].clone(), parts[1].clone(), parts[1].clone()];
    assert!(stderr(&twice, &[]).contains("shard 2/3 is given twice"));
    let other = shard(repo.path(), dir.path(), 1, 2);
    let mixed = [other, parts[1].clone(), parts[2].clone()];
    assert!(stderr(&mixed, &[]).contains("is shard 2/3 but the others are of 2 shards"));
    // Another framework scope is another scan.
    let scoped = stderr(&parts, &["--framework", "soc2"]);
    assert!(scoped.contains("other settings"), "{scoped}");
    // A single scan's results are no shard's.
    let whole = dir.path().join("whole.json");
    run(
        repo.path(),
        &[
            "scan",
            ".",
            "--format",
            "json",
            "--soft-fail",
            "-o",
            whole.to_str().unwrap(),
        ],
        0,
    );
    assert!(stderr(&[whole], &[]).contains("is not a shard's result"));
    // Edited partial results: item numbers that do not fit, or do not match the findings.
    let edit = |part: &PathBuf, name: &str, change: &dyn Fn(&mut Value)| -> PathBuf {
        let mut json = parse(&std::fs::read(part).unwrap());
        for items in json["shard"]["items"].as_object_mut().unwrap().values_mut() {
            change(items);
        }
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
        path
    };
    let huge = |items: &mut Value| {
        for item in items.as_array_mut().unwrap() {
            if item != 0 {
                *item = Value::from(u64::MAX);
            }
        }
    };
    let edited = [
        parts[0].clone(),
        edit(&parts[1], "huge-2.json", &huge),
        edit(&parts[2], "huge-3.json", &huge),
    ];
    assert!(stderr(&edited, &[]).contains("are out of range"));
    let short = edit(&parts[1], "short.json", &|items| {
        items.as_array_mut().unwrap().push(Value::from(1));
    });
    let edited = [parts[0].clone(), short, parts[2].clone()];
    assert!(stderr(&edited, &[]).contains("do not match its findings"));
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{\"schema_version\": ").unwrap();
    let edited = [parts[0].clone(), parts[1].clone(), garbage];
    assert!(stderr(&edited, &[]).contains("is not an assay results file"));
    // A shard of another commit.
    repo.edit("README.md", "Payments.\n", "Payments and refunds.\n");
    repo.commit_all("third");
    let later = shard(repo.path(), dir.path(), 3, 3);
    let stale = [parts[0].clone(), parts[1].clone(), later];
    assert!(stderr(&stale, &[]).contains("differ in their commit"));
}

/// Signed shard packs merge into a pack whose manifest lists each shard pack's root; a shard
/// pack that does not verify is refused.
#[test]
fn merged_pack_chains_to_the_shard_packs() {
    let repo = repo();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    let out = assay()
        .args(["keygen", "--out"])
        .arg(&key)
        .output()
        .unwrap();
    exited(&out, 0);
    let secret = key.join("assay-signing.key").to_str().unwrap().to_string();
    let public = key.join("assay-signing.pub").to_str().unwrap().to_string();
    let packs: Vec<PathBuf> = (1..=2)
        .map(|i| {
            let pack = dir.path().join(format!("shard-{i}"));
            let shard = format!("{i}/2");
            run(
                repo.path(),
                &[
                    "scan",
                    ".",
                    "--shard",
                    &shard,
                    "--format",
                    "json",
                    "--pack",
                    pack.to_str().unwrap(),
                    "--sign-key",
                    &secret,
                ],
                0,
            );
            pack
        })
        .collect();
    let roots: Vec<Value> = packs
        .iter()
        .map(|p| parse(&std::fs::read(p.join("manifest.json")).unwrap())["root"].clone())
        .collect();
    let merged_pack = dir.path().join("merged");
    let merged = merge(
        repo.path(),
        &packs,
        &[
            "--public-key",
            &public,
            "--pack",
            merged_pack.to_str().unwrap(),
            "--sign-key",
            &secret,
        ],
        0,
    );
    let merged = parse(&merged);
    assert_eq!(merged["merged"]["parts"][1]["pack_root"], roots[1]);
    let manifest = parse(&std::fs::read(merged_pack.join("manifest.json")).unwrap());
    assert_eq!(manifest["parts"], Value::Array(roots));
    // It keeps the evidence a single scan's pack keeps, the git history among it.
    let whole_pack = dir.path().join("whole");
    let args = [
        "scan",
        ".",
        "--soft-fail",
        "--pack",
        whole_pack.to_str().unwrap(),
    ];
    run(repo.path(), &args, 0);
    let whole = parse(&std::fs::read(whole_pack.join("manifest.json")).unwrap());
    assert!(whole["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == ".git"));
    assert_eq!(manifest["evidence"], whole["evidence"]);
    assert_eq!(
        manifest["evidence_mismatches"],
        whole["evidence_mismatches"]
    );
    let verified = assay().arg("verify").arg(&merged_pack).output().unwrap();
    exited(&verified, 0);

    // A shard pack whose results were edited does not verify, and is not merged.
    let results = packs[1].join("results.json");
    let text = std::fs::read_to_string(&results).unwrap();
    std::fs::write(&results, text.replacen("\"pass\"", "\"fail\"", 1)).unwrap();
    let out = assay()
        .current_dir(repo.path())
        .args(["merge", ".", "--format", "json", "--from"])
        .args(&packs)
        .args(["--now", NOW])
        .output()
        .unwrap();
    exited(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not verify"));
}
