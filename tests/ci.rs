//! The CI integrations in `ci/`: valid YAML, the assay commands they run work on a fixture
//! repository, our own built-in controls pass on them, and `assay init` installs them.

use crate::common;
use crate::git_repo;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assay_collectors::formats::yaml;
use common::{assay, fixture, json};
use git_repo::GitRepo;
use serde_json::Value;

/// A file under `ci/`.
fn ci(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../ci")
        .join(path)
}

/// Every document of a YAML file, parsed by the collectors' YAML parser.
fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    yaml::parse(&text)
        .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
        .into_iter()
        .map(|d| d.data)
        .collect()
}

fn document(path: &str) -> Value {
    let mut docs = documents(&ci(path));
    assert_eq!(docs.len(), 1, "{path}");
    docs.remove(0)
}

/// The directory holding the `assay` binary under test.
fn bin_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin("assay")
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs a shell script in `dir` with the assay binary first on PATH and `env` set.
fn bash(dir: &Path, script: &str, env: &BTreeMap<String, String>) -> Output {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(script).current_dir(dir).env("PATH", path);
    for (key, _) in std::env::vars() {
        if key.starts_with("ASSAY_") {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env).env("NO_COLOR", "1");
    cmd.output().unwrap()
}

/// Whether a script runs assay itself (a line that starts with `assay `).
fn runs_assay(script: &str) -> bool {
    script.lines().any(|l| l.trim_start().starts_with("assay "))
}

/// `text` with every `${{ expression }}` replaced from `values`; an unknown expression fails
/// the test, so that the workflows and this test stay in step.
fn expand(text: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let end = rest[start..].find("}}").expect("closed expression") + start;
        let expression = rest[start + 3..end].trim();
        let value = values
            .get(expression)
            .unwrap_or_else(|| panic!("the test does not know `{expression}`"));
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The fixture repository committed as the base, with the built-in catalog in mind.
fn repo() -> (GitRepo, String) {
    let repo = GitRepo::from(&fixture("premerge/repo"));
    let base = repo.commit_all("base").to_string();
    (repo, base)
}

/// The steps of a GitHub workflow or composite action.
fn steps(doc: &Value) -> Vec<Value> {
    if let Some(steps) = doc.pointer("/runs/steps").and_then(Value::as_array) {
        return steps.clone();
    }
    doc["jobs"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|job| job["steps"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Every YAML file of ci/ parses, and each has the shape its CI system expects.
#[test]
fn ci_files_are_valid_yaml() {
    let mut seen = Vec::new();
    for dir in ["github", "gitlab", "pre-commit", "kubernetes"] {
        for entry in std::fs::read_dir(ci(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                assert!(!documents(&path).is_empty(), "{name}");
                seen.push(format!("{dir}/{name}"));
            }
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "github/action.yml",
            "github/matrix-scan.yml",
            "github/pull-request.yml",
            "github/release.yml",
            "github/scheduled-scan.yml",
            "gitlab/assay.gitlab-ci.yml",
            "gitlab/matrix-scan.gitlab-ci.yml",
            "kubernetes/cronjob.yaml",
            "kubernetes/indexed-job.yaml",
            "pre-commit/.pre-commit-hooks.yaml",
        ]
    );
    assert_eq!(document("github/action.yml")["runs"]["using"], "composite");
    for workflow in [
        "github/matrix-scan.yml",
        "github/pull-request.yml",
        "github/release.yml",
        "github/scheduled-scan.yml",
    ] {
        let doc = document(workflow);
        assert_eq!(
            doc["permissions"],
            serde_json::json!({"contents": "read"}),
            "{workflow}"
        );
        assert!(doc["jobs"].is_object(), "{workflow}");
    }
    let hooks = document("pre-commit/.pre-commit-hooks.yaml");
    assert_eq!(hooks[0]["entry"], "assay check --base HEAD");
    let kinds: Vec<Value> = documents(&ci("kubernetes/cronjob.yaml"))
        .iter()
        .map(|d| d["kind"].clone())
        .collect();
    assert_eq!(kinds, ["ConfigMap", "CronJob", "NetworkPolicy"]);
}

/// The `run:` scripts of the GitHub action and workflows that invoke assay, run as GitHub
/// would run them (expressions expanded, outputs and summary files provided), against a
/// fixture repository: a clean change passes, an unpinned image fails with SARIF and summary.
#[test]
fn github_run_scripts_work() {
    let (repo, base) = repo();
    let temp = tempfile::tempdir().unwrap();
    let keys = temp.path().join("keys");
    common::exited(
        &assay()
            .arg("keygen")
            .arg("--out")
            .arg(&keys)
            .output()
            .unwrap(),
        0,
    );
    let secret = std::fs::read_to_string(keys.join("assay-signing.key")).unwrap();
    let values: BTreeMap<&str, String> = [
        ("github.event.pull_request.base.sha", base.clone()),
        ("secrets.ASSAY_SIGNING_KEY", secret),
        (
            "github.event.pull_request.base.sha || github.event.before",
            base.clone(),
        ),
        ("inputs.args", String::new()),
        ("inputs.fail-on", String::new()),
        ("runner.temp", temp.path().display().to_string()),
    ]
    .into_iter()
    .collect();
    let mut ran = Vec::new();
    for (file, unpinned) in [
        ("github/action.yml", false),
        ("github/pull-request.yml", false),
        ("github/action.yml", true),
        ("github/pull-request.yml", true),
        ("github/scheduled-scan.yml", true),
    ] {
        if unpinned {
            repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
        }
        for step in steps(&document(file)) {
            let Some(script) = step["run"].as_str().filter(|s| runs_assay(s)) else {
                continue;
            };
            let files = tempfile::tempdir().unwrap();
            let output = files.path().join("output");
            let summary = files.path().join("summary");
            let mut env: BTreeMap<String, String> = step["env"]
                .as_object()
                .map(|e| {
                    e.iter()
                        .map(|(k, v)| (k.clone(), expand(v.as_str().unwrap(), &values)))
                        .collect()
                })
                .unwrap_or_default();
            env.insert("GITHUB_OUTPUT".into(), output.display().to_string());
            env.insert("GITHUB_STEP_SUMMARY".into(), summary.display().to_string());
            let out = bash(repo.path(), &expand(script, &values), &env);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{file}: {stderr}");
            let outputs = std::fs::read_to_string(&output).unwrap_or_default();
            // `check` fails on the new failure; the scheduled `scan` fails the default gate on
            // the repository's failures of severity high or worse.
            let fails = unpinned || file.ends_with("scheduled-scan.yml");
            let expected = if fails {
                "exit-code=1\n"
            } else {
                "exit-code=0\n"
            };
            assert_eq!(outputs, expected, "{file}: {stderr}");
            let summary = std::fs::read_to_string(&summary).unwrap();
            assert!(summary.contains("## assay"), "{file}: {summary}");
            if file.ends_with("scheduled-scan.yml") {
                for made in ["pack/manifest.json", "pack.tar.gz", "site/index.html"] {
                    assert!(repo.file(made).exists(), "{file}: {made}");
                }
                let manifest: Value = serde_json::from_str(
                    &std::fs::read_to_string(repo.file("pack/manifest.json")).unwrap(),
                )
                .unwrap();
                assert_eq!(
                    manifest["signature"]["algorithm"], "ed25519",
                    "the scheduled scan signs its pack"
                );
                assert!(!stderr.contains("will not be signed"), "{stderr}");
            } else {
                let sarif: Value = serde_json::from_str(
                    &std::fs::read_to_string(temp.path().join("assay/results.sarif")).unwrap(),
                )
                .unwrap();
                let rules: Vec<&str> = sarif["runs"][0]["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["ruleId"].as_str().unwrap())
                    .collect();
                let expected: &[&str] = if unpinned {
                    &["k8s-image-tag-pinned"]
                } else {
                    &[]
                };
                assert_eq!(rules, expected, "{file}");
            }
            ran.push(file);
        }
        if unpinned {
            repo.edit("k8s/app.yaml", "nginx:latest", "nginx:1.27.2");
        }
    }
    assert_eq!(ran.len(), 5, "{ran:?}");
}

/// The `script:` lines of the GitLab template that invoke assay, with GitLab's variables.
#[test]
fn gitlab_script_lines_work() {
    let (repo, base) = repo();
    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    let doc = document("gitlab/assay.gitlab-ci.yml");
    let env: BTreeMap<String, String> =
        [("CI_MERGE_REQUEST_DIFF_BASE_SHA".to_string(), base)].into();
    let run = |job: &str| -> Vec<i32> {
        doc[job]["script"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| runs_assay(s))
            .map(|s| bash(repo.path(), s, &env).status.code().unwrap())
            .collect()
    };
    assert_eq!(run("assay-check"), [1]);
    let junit = std::fs::read_to_string(repo.file("assay-results/results.junit.xml")).unwrap();
    assert!(junit.contains("k8s-image-tag-pinned"), "{junit}");
    assert_eq!(
        doc["assay-check"]["artifacts"]["reports"]["junit"],
        "assay-results/results.junit.xml"
    );
    let codes = run("assay-scheduled-scan");
    assert_eq!(codes.len(), 1);
    for path in doc["assay-scheduled-scan"]["artifacts"]["paths"]
        .as_array()
        .unwrap()
    {
        assert!(repo.file(path.as_str().unwrap()).exists(), "{path}");
    }
}

/// The pre-commit hook's entry passes on a clean change and fails on an added violation.
#[test]
fn pre_commit_hook_entry_works() {
    let (repo, _) = repo();
    let hooks = document("pre-commit/.pre-commit-hooks.yaml");
    let entry = hooks[0]["entry"].as_str().unwrap();
    let env = BTreeMap::new();
    assert_eq!(bash(repo.path(), entry, &env).status.code(), Some(0));
    repo.edit("k8s/app.yaml", "nginx:1.27.2", "nginx:latest");
    let out = bash(repo.path(), entry, &env);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("k8s/app.yaml:11"));
}

/// The CronJob's assay container, with its paths mapped into temporary directories: the scan
/// keeps a pack in the evidence locker and renders the site; a second run chains to it.
#[test]
fn kubernetes_cronjob_command_works() {
    let (repo, _) = repo();
    let evidence = tempfile::tempdir().unwrap();
    let docs = documents(&ci("kubernetes/cronjob.yaml"));
    let container = docs[1]
        .pointer("/spec/jobTemplate/spec/template/spec/containers/0")
        .unwrap();
    assert_eq!(container["command"], serde_json::json!(["assay"]));
    let args: Vec<String> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a.as_str()
                .unwrap()
                .replace("/workspace/repo", &repo.path().display().to_string())
                .replace("/evidence", &evidence.path().display().to_string())
        })
        .collect();
    for run in 0..2 {
        let out = assay().args(&args).output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "run {run}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(evidence.path().join("locker/.git").is_dir());
    assert!(evidence.path().join("site/index.html").is_file());
}

/// `assay scan ci/` with the built-in catalog: every file parses and no finding on them fails;
/// copied where GitHub reads workflows, the workflows pass the GitHub Actions controls.
#[test]
fn our_controls_pass_on_our_ci_files() {
    let out = assay()
        .arg("scan")
        .arg(ci(""))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    assert!(
        r["errors"].as_array().unwrap().is_empty(),
        "{}",
        r["errors"]
    );
    let mut judged = 0;
    for c in r["controls"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            // Findings about the tree as a whole (no SBOM, no policy documents) are not on them.
            let Some(path) = f["location"]["path"].as_str().filter(|p| ci(p).is_file()) else {
                continue;
            };
            judged += 1;
            assert!(
                f["status"] == "pass",
                "{} fails on {path}: {}",
                c["id"],
                f["message"]
            );
        }
    }
    assert!(
        judged >= 6,
        "the CronJob was judged by the Kubernetes controls"
    );

    let dir = tempfile::tempdir().unwrap();
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    for name in [
        "matrix-scan.yml",
        "pull-request.yml",
        "release.yml",
        "scheduled-scan.yml",
    ] {
        std::fs::copy(ci(&format!("github/{name}")), workflows.join(name)).unwrap();
    }
    // The container image's Dockerfile, at the repository root.
    std::fs::copy(ci("../Dockerfile"), dir.path().join("Dockerfile")).unwrap();
    let r = json(
        &assay()
            .arg("scan")
            .arg(dir.path())
            .args(["--format", "json"])
            .output()
            .unwrap(),
    );
    for id in [
        "gha-actions-pinned-sha",
        "gha-workflow-permissions",
        "gha-script-injection",
        "gha-checkout-persist-credentials",
    ] {
        let c = common::control(&r, id);
        assert_eq!(
            (c["passed"].as_u64(), c["failed"].as_u64()),
            (Some(4), Some(0)),
            "{id}: {c}"
        );
    }
    for c in r["controls"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        if id.starts_with("docker-") {
            assert_eq!(c["failed"].as_u64(), Some(0), "{id} on the Dockerfile: {c}");
        }
    }
    let nonroot = common::control(&r, "docker-nonroot-user");
    assert_eq!(nonroot["passed"].as_u64(), Some(1), "{nonroot}");
}

/// A fake release of `version` for `target` in `dir`: the archive layout of
/// ci/release/build.sh, whose `assay` prints a marker, and its SHA256SUMS.
fn fake_release(dir: &Path, version: &str, target: &str) -> String {
    let name = format!("assay-{version}-{target}");
    let stage = tempfile::tempdir().unwrap();
    std::fs::create_dir(stage.path().join(&name)).unwrap();
    let binary = stage.path().join(&name).join("assay");
    std::fs::write(&binary, "#!/bin/sh\necho installed-assay\n").unwrap();
    let script = format!(
        "tar -C '{}' -czf '{}/{name}.tar.gz' '{name}' && cd '{}' && sha256sum '{name}.tar.gz' > SHA256SUMS",
        stage.path().display(),
        dir.display(),
        dir.display()
    );
    assert!(Command::new("sh")
        .arg("-c")
        .arg(script)
        .status()
        .unwrap()
        .success());
    format!("{name}.tar.gz")
}

/// ci/install.sh installs the archive its SHA256SUMS vouches for and refuses a tampered or
/// unlisted one, installing nothing then.
#[test]
fn install_script_checks_the_release_checksums() {
    let target = "x86_64-unknown-linux-musl";
    let install = |release: &Path, into: &Path| -> Output {
        Command::new("sh")
            .arg(ci("install.sh"))
            .args(["v9.9.9"])
            .arg(into)
            .env(
                "ASSAY_DOWNLOAD_BASE",
                format!("file://{}", release.display()),
            )
            .env("ASSAY_TARGET", target)
            .output()
            .unwrap()
    };
    let release = tempfile::tempdir().unwrap();
    let archive = fake_release(release.path(), "v9.9.9", target);
    let into = tempfile::tempdir().unwrap();
    let out = install(release.path(), &into.path().join("bin"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ran = Command::new(into.path().join("bin/assay"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&ran.stdout), "installed-assay\n");

    let mut bytes = std::fs::read(release.path().join(&archive)).unwrap();
    bytes.push(b'x');
    std::fs::write(release.path().join(&archive), bytes).unwrap();
    let out = install(release.path(), &into.path().join("tampered"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("checksum mismatch"));
    assert!(!into.path().join("tampered/assay").exists());

    std::fs::write(release.path().join("SHA256SUMS"), "").unwrap();
    let out = install(release.path(), &into.path().join("unlisted"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not listed in SHA256SUMS"));
}

/// `assay init` finds the CI systems, writes the config, the sample control and the matching
/// CI files from ci/, refuses to overwrite them without --force, and what it writes passes.
#[test]
fn init_sets_a_repository_up() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::write(root.join(".gitlab-ci.yml"), "stages: [test]\n").unwrap();
    std::fs::write(
        root.join(".pre-commit-config.yaml"),
        "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n      - id: check-yaml\n",
    )
    .unwrap();
    std::fs::write(root.join(".gitignore"), "target/").unwrap();

    let out = assay().arg("init").arg(root).output().unwrap();
    common::exited(&out, 0);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("CI detected: GitHub Actions, GitLab CI, pre-commit"),
        "{stdout}"
    );
    for (written, source) in [
        (".github/workflows/assay.yml", "github/pull-request.yml"),
        (
            ".github/workflows/assay-scheduled-scan.yml",
            "github/scheduled-scan.yml",
        ),
        (".gitlab/assay.gitlab-ci.yml", "gitlab/assay.gitlab-ci.yml"),
    ] {
        assert_eq!(
            std::fs::read_to_string(root.join(written)).unwrap(),
            std::fs::read_to_string(ci(source)).unwrap(),
            "{written}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(root.join(".gitignore")).unwrap(),
        "target/\n# Cached base evaluations of `assay check`\n.assay-cache/\n"
    );
    let precommit = std::fs::read_to_string(root.join(".pre-commit-config.yaml")).unwrap();
    let config = &yaml::parse(&precommit).unwrap()[0].data;
    assert_eq!(config["repos"][1]["repo"], "local");
    assert_eq!(
        config["repos"][1]["hooks"][0]["entry"],
        "assay check --base HEAD"
    );

    // assay.yaml and waivers.yaml name their schema for editors; it is written beside them,
    // and what init writes is valid against it.
    for (file, schema) in [
        ("assay.yaml", "compliance/config.schema.json"),
        ("compliance/waivers.yaml", "compliance/waivers.schema.json"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let named = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# yaml-language-server: $schema="))
            .unwrap_or_else(|| panic!("{file} names no schema"));
        let at = root.join(file).parent().unwrap().join(named);
        assert_eq!(at, root.join(schema), "{file}");
        let schema: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&at).unwrap()).unwrap();
        let doc = yaml::parse(&text).unwrap();
        let instance = doc
            .first()
            .map_or(serde_json::Value::Null, |d| d.data.clone());
        let instance = if instance.is_null() {
            serde_json::json!({})
        } else {
            instance
        };
        assert!(
            jsonschema::is_valid(&schema, &instance),
            "{file} is not valid against {named}"
        );
    }

    let again = assay().arg("init").arg(root).output().unwrap();
    let stderr = common::exited(&again, 2);
    assert!(
        stderr.contains("`assay.yaml`") && stderr.contains("--force"),
        "{stderr}"
    );
    std::fs::write(root.join("assay.yaml"), "frameworks: [soc2]\n").unwrap();
    let forced = assay()
        .arg("init")
        .arg(root)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0));
    assert!(std::fs::read_to_string(root.join("assay.yaml"))
        .unwrap()
        .contains("waivers: compliance/waivers.yaml"));
    assert_eq!(
        std::fs::read_to_string(root.join(".pre-commit-config.yaml")).unwrap(),
        precommit,
        "the hook is added once"
    );

    let tested = assay()
        .arg("controls")
        .arg("test")
        .arg(root.join("compliance/controls"))
        .output()
        .unwrap();
    assert_eq!(
        tested.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&tested.stdout)
    );
    let r = json(
        &assay()
            .current_dir(root)
            .args(["scan", ".", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert!(
        r["errors"].as_array().unwrap().is_empty(),
        "{}",
        r["errors"]
    );
    assert!(r["waivers"].is_null());
    let example = common::control(&r, "example-team-label");
    assert_eq!(
        example["failed"], 0,
        "the sample control's test cases are not scanned"
    );
    for id in ["gha-actions-pinned-sha", "gha-workflow-permissions"] {
        assert_eq!(common::control(&r, id)["failed"], 0, "{id}");
    }
}

/// A new user's path in one go: `assay init` in a fresh git repository without CI files
/// (`--ci github`), `assay controls new`, a check written, `assay controls test`, `assay scan`:
/// the new control lands in the catalog assay.yaml configures, its test cases are not scanned
/// as the repository's configuration, and it runs.
#[test]
fn a_new_users_path_from_init_to_scan() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git2::Repository::init(root).unwrap();
    std::fs::create_dir_all(root.join("k8s")).unwrap();
    std::fs::write(
        root.join("k8s/web.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    team: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.2\n",
    )
    .unwrap();
    let run = |args: &[&str]| assay().current_dir(root).args(args).output().unwrap();
    let scan = || {
        let out = run(&["scan", ".", "--format", "json"]);
        assert!(out.status.code().unwrap() < 2, "{out:?}");
        json(&out)
    };
    let before = scan();

    let init = run(&["init", "--ci", "github"]);
    common::exited(&init, 0);
    let stdout = String::from_utf8_lossy(&init.stdout);
    assert!(
        stdout.contains("wrote   .github/workflows/assay-scheduled-scan.yml"),
        "{stdout}"
    );
    assert!(stdout.contains("ASSAY_SIGNING_KEY"), "{stdout}");
    let scheduled =
        std::fs::read_to_string(root.join(".github/workflows/assay-scheduled-scan.yml")).unwrap();
    assert!(scheduled.contains("ASSAY_SIGNING_KEY: ${{ secrets.ASSAY_SIGNING_KEY }}"));

    let new = run(&["controls", "new", "web-owner-label"]);
    common::exited(&new, 0);
    let control_dir = root.join("compliance/controls/web-owner-label");
    let scaffold = std::fs::read_to_string(control_dir.join("control.yaml")).unwrap();
    assert!(
        scaffold.starts_with("# yaml-language-server: $schema=../control.schema.json\n"),
        "{scaffold}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("compliance/controls/control.schema.json")).unwrap(),
        include_str!("../schemas/control.schema.json"),
        "the schema line leads to the control schema"
    );
    // The example `init` wrote is not one of the built-in controls under another name.
    let builtin = json(
        &assay()
            .args(["controls", "list", "--format", "json"])
            .output()
            .unwrap(),
    );
    let example =
        std::fs::read_to_string(root.join("compliance/controls/example-team-label/control.yaml"))
            .unwrap();
    let example = &yaml::parse(&example).unwrap()[0].data;
    for c in builtin.as_array().unwrap() {
        assert_ne!(c["title"], example["title"], "{}", c["id"]);
    }

    // The user writes the check and its test cases.
    std::fs::write(
        control_dir.join("control.yaml"),
        "# yaml-language-server: $schema=../control.schema.json\nid: web-owner-label\ntitle: Workloads name an owner\ndescription: Every workload names the person on call for it.\nfamily: custom\nseverity: medium\nremediation: Add an `owner` label.\ncheck:\n  assert:\n    select:\n      kinds: [Deployment]\n    all:\n      - path: $.metadata.labels.owner\n        exists: true\n    message: \"`{resource}` names no owner\"\ntests:\n  - {case: fail/deployment.yaml, expect: fail, count: 1, message: names no owner}\n",
    )
    .unwrap();
    std::fs::write(
        control_dir.join("tests/pass/deployment.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  labels:\n    owner: dana\n",
    )
    .unwrap();

    let tested = run(&["controls", "test"]);
    let text = String::from_utf8_lossy(&tested.stdout);
    assert_eq!(tested.status.code(), Some(0), "{text}");
    assert!(
        text.contains("test web-owner-label::fail/deployment.yaml ... ok"),
        "{text}"
    );
    assert!(text.contains("test example-team-label::"), "{text}");
    let listed = String::from_utf8_lossy(&run(&["controls", "list"]).stdout).into_owned();
    assert!(listed.contains("web-owner-label"), "{listed}");
    common::exited(&run(&["explain", "web-owner-label"]), 0);

    let after = scan();
    let ours = common::control(&after, "web-owner-label");
    assert_eq!(ours["failed"], 1, "{ours}");
    assert_eq!(ours["findings"][0]["location"]["path"], "k8s/web.yaml");
    assert_eq!(common::control(&after, "example-team-label")["failed"], 0);
    // No finding comes from the scaffold's test cases: every built-in control fails exactly
    // the items it failed before init.
    let failures = |r: &Value| -> Vec<String> {
        r["controls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| !c["id"].as_str().unwrap().contains("-label"))
            .flat_map(|c| {
                c["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["status"] == "fail")
                    .map(move |f| format!("{} {}", c["id"], f["location"]["path"]))
            })
            .filter(|f| f.contains("compliance/") || f.contains("k8s/"))
            .collect()
    };
    assert_eq!(failures(&after), failures(&before));
}

/// The strict JSON schema of each Kubernetes kind in `ci/kubernetes/`, from the Kubernetes
/// v1.37.0 OpenAPI document (tests/fixtures/kubernetes-schema/SOURCE.md).
fn kubernetes_validator(kind: &str) -> jsonschema::Validator {
    let dir = fixture("kubernetes-schema/v1.37.0");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let file = match kind {
        "ConfigMap" => "configmap-v1.json",
        "CronJob" => "cronjob-batch-v1.json",
        "Job" => "job-batch-v1.json",
        "NetworkPolicy" => "networkpolicy-networking-v1.json",
        other => panic!("no schema for kind {other} under tests/fixtures/kubernetes-schema"),
    };
    let registry = jsonschema::Registry::new()
        .add(
            "https://kubernetes.io/api/_definitions.json",
            read("_definitions.json"),
        )
        .unwrap()
        .prepare()
        .unwrap();
    jsonschema::options()
        .with_registry(&registry)
        .build(&read(file))
        .unwrap()
}

/// Every manifest of ci/kubernetes/ is valid against the Kubernetes API's schema of its kind,
/// which refuses a misspelt field.
#[test]
fn kubernetes_manifests_match_the_api_schema() {
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(ci("kubernetes")).unwrap() {
        let path = entry.unwrap().path();
        for doc in documents(&path) {
            let kind = doc["kind"].as_str().unwrap().to_string();
            let errors: Vec<String> = kubernetes_validator(&kind)
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}: {kind}: {errors:#?}", path.display());
            checked.push(kind);
        }
    }
    checked.sort();
    assert_eq!(
        checked,
        [
            "ConfigMap",
            "ConfigMap",
            "CronJob",
            "Job",
            "Job",
            "NetworkPolicy",
            "NetworkPolicy"
        ]
    );
    let mut job = documents(&ci("kubernetes/indexed-job.yaml")).remove(1);
    job["spec"]["completionsMode"] = Value::from("Indexed");
    assert!(!kubernetes_validator("Job").is_valid(&job));
}

/// The fan-out recipes run as their CI systems would run them, on a fixture repository: four
/// shards each write a signed partial pack, and the merge verifies them and writes one signed
/// pack listing the four shard packs' roots.
#[test]
fn fan_out_recipes_work() {
    let (repo, _) = repo();
    let temp = tempfile::tempdir().unwrap();
    let keys = temp.path().join("keys");
    common::exited(
        &assay()
            .arg("keygen")
            .arg("--out")
            .arg(&keys)
            .output()
            .unwrap(),
        0,
    );
    let now = "2026-12-07T03:17:00Z".to_string();
    let merged_parts = |manifest: &Path| -> usize {
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(manifest).unwrap()).unwrap();
        assert_eq!(manifest["signature"]["algorithm"], "ed25519");
        manifest["parts"].as_array().unwrap().len()
    };

    // Kubernetes: the Indexed Job's pods (JOB_COMPLETION_INDEX 0..3), then the merge Job's.
    let docs = documents(&ci("kubernetes/indexed-job.yaml"));
    let shards = temp.path().join("k8s-shards");
    std::fs::create_dir_all(&shards).unwrap();
    let script = |doc: &Value, pointer: &str| -> String {
        let container = doc.pointer(pointer).unwrap();
        assert_eq!(container["command"], serde_json::json!(["/bin/sh", "-c"]));
        container["args"][0]
            .as_str()
            .unwrap()
            .replace("/workspace/repo", &repo.path().display().to_string())
            .replace("/shards", &shards.display().to_string())
            .replace("/keys", &keys.display().to_string())
    };
    assert_eq!(docs[1]["spec"]["completionMode"], "Indexed");
    let count = docs[1]["spec"]["completions"].as_u64().unwrap();
    let env: BTreeMap<String, String> = [
        ("SHARDS".to_string(), count.to_string()),
        ("ASSAY_NOW".to_string(), now.clone()),
    ]
    .into();
    for index in 0..count {
        let mut env = env.clone();
        env.insert("JOB_COMPLETION_INDEX".into(), index.to_string());
        let out = bash(
            temp.path(),
            &script(&docs[1], "/spec/template/spec/containers/0"),
            &env,
        );
        common::exited(&out, 0);
    }
    let wait = script(&docs[2], "/spec/template/spec/initContainers/1");
    common::exited(&bash(temp.path(), &wait, &env), 0);
    let merge = script(&docs[2], "/spec/template/spec/containers/0");
    let out = bash(temp.path(), &merge, &env);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let run = shards.join("20261207T031700Z");
    assert_eq!(
        merged_parts(&run.join("merged/manifest.json")),
        count as usize
    );
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["merged"]["shards"], count);

    // GitHub Actions: the matrix's shard jobs, the artifacts as download-artifact lays them
    // out, then the merge job.
    let workflow = document("github/matrix-scan.yml");
    let shards: Vec<u64> = workflow
        .pointer("/jobs/shard/strategy/matrix/shard")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    assert_eq!(workflow["env"]["SHARDS"], shards.len().to_string());
    let secret = std::fs::read_to_string(keys.join("assay-signing.key")).unwrap();
    let github = |job: &str, shard: Option<u64>| {
        let values: BTreeMap<&str, String> = [
            ("secrets.ASSAY_SIGNING_KEY", secret.clone()),
            ("needs.plan.outputs.now", now.clone()),
            ("matrix.shard", shard.unwrap_or(0).to_string()),
        ]
        .into_iter()
        .collect();
        let output = temp.path().join("github-output");
        let mut codes = Vec::new();
        for step in workflow["jobs"][job]["steps"].as_array().unwrap() {
            let Some(script) = step["run"].as_str().filter(|s| runs_assay(s)) else {
                continue;
            };
            let mut env: BTreeMap<String, String> = workflow["env"]
                .as_object()
                .unwrap()
                .iter()
                .chain(step["env"].as_object().into_iter().flatten())
                .map(|(k, v)| (k.clone(), expand(v.as_str().unwrap(), &values)))
                .collect();
            env.insert("GITHUB_OUTPUT".into(), output.display().to_string());
            env.insert(
                "GITHUB_STEP_SUMMARY".into(),
                temp.path().join("summary").display().to_string(),
            );
            codes.push(bash(repo.path(), &expand(script, &values), &env));
        }
        codes
    };
    // Each job has a checkout of its own: what a shard wrote is moved out of the tree.
    let artifacts = temp.path().join("github-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    for shard in &shards {
        let ran = github("shard", Some(*shard));
        assert_eq!(ran.len(), 1);
        common::exited(&ran[0], 0);
        let to = artifacts.join(format!("assay-shard-{shard}"));
        std::fs::rename(repo.file(&format!("shard-{shard}")), to).unwrap();
        for made in [
            format!("shard-{shard}.json"),
            format!("shard-{shard}.tar.gz"),
        ] {
            std::fs::remove_file(repo.file(&made)).unwrap();
        }
    }
    std::fs::rename(&artifacts, repo.file("shards")).unwrap();
    let ran = github("merge", None);
    assert_eq!(ran.len(), 1);
    common::exited(&ran[0], 0);
    let output = std::fs::read_to_string(temp.path().join("github-output")).unwrap();
    assert!(
        matches!(output.as_str(), "exit-code=0\n" | "exit-code=1\n"),
        "{output}"
    );
    assert_eq!(merged_parts(&repo.file("pack/manifest.json")), shards.len());
    for made in ["pack", "shards"] {
        std::fs::remove_dir_all(repo.file(made)).unwrap();
    }
    std::fs::remove_file(repo.file("pack.tar.gz")).unwrap();

    // GitLab: the parallel matrix's jobs, then the merge job, each job's lines in one shell.
    let pipeline = document("gitlab/matrix-scan.gitlab-ci.yml");
    let lines = |job: &str| -> String {
        let script = pipeline[job]["script"].as_array().unwrap().iter();
        script
            .map(|l| l.as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let shards: Vec<String> = pipeline
        .pointer("/assay-shard/parallel/matrix/0/SHARD")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    let mut env: BTreeMap<String, String> = pipeline["variables"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    assert_eq!(env["SHARDS"], shards.len().to_string());
    env.insert("CI_PIPELINE_CREATED_AT".into(), now.clone());
    env.insert("ASSAY_SIGNING_KEY".into(), secret.clone());
    let artifacts = temp.path().join("gitlab-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    for shard in &shards {
        let mut env = env.clone();
        env.insert("SHARD".into(), shard.clone());
        common::exited(&bash(repo.path(), &lines("assay-shard"), &env), 0);
        for made in std::fs::read_dir(repo.file("shards")).unwrap() {
            let made = made.unwrap();
            std::fs::rename(made.path(), artifacts.join(made.file_name())).unwrap();
        }
    }
    std::fs::remove_dir(repo.file("shards")).unwrap();
    std::fs::rename(&artifacts, repo.file("shards")).unwrap();
    let out = bash(repo.path(), &lines("assay-merge"), &env);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert_eq!(merged_parts(&repo.file("pack/manifest.json")), shards.len());
}
