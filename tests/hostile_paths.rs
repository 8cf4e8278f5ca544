//! Hostile repositories: nothing outside the scan root is read (links, `../` and absolute paths
//! in `assay.yaml`, attestations and catalogs), special files are never opened, the scanned
//! repository cannot turn the network on, ignore files do not hide tracked files, and misuse
//! is a usage error (exit 2).

use crate::common;

use std::path::{Path, PathBuf};

use common::{assay, exited, EveryOutput};
use serde_json::Value;

/// The token planted outside the scan root; no output may ever hold it.
const CANARY: &str = "ASSAYCANARY-5e1d7c0b9a";

/// A fake private key holding the canary, as YAML (so that a schema error would quote it).
fn secret_yaml() -> String {
    format!(
        "key: |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ{CANARY}\n  -----END OPENSSH PRIVATE KEY-----\ntoken: {CANARY}\n"
    )
}

/// A pod the built-in `k8s-privileged-container` control fails.
const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.25\n      securityContext: {privileged: true}\n";

fn write(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}

#[cfg(unix)]
fn link(target: &Path, root: &Path, path: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, full).unwrap();
}

fn assert_no_canary(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.contains(CANARY), "{what} holds the canary:\n{text}");
    assert!(
        !text.contains("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"),
        "{what} holds the key"
    );
}

/// The skipped entries and errors of a results document, as (path, reason) pairs.
fn notes(results: &Value) -> Vec<(String, String)> {
    let skipped = results["skipped"].as_array().unwrap().iter().map(|s| {
        (
            s["path"].as_str().unwrap().to_string(),
            s["reason"].as_str().unwrap().to_string(),
        )
    });
    let errors = results["errors"].as_array().unwrap().iter().map(|e| {
        (
            e["path"].as_str().unwrap().to_string(),
            e["message"].as_str().unwrap().to_string(),
        )
    });
    skipped.chain(errors).collect()
}

fn noted(notes: &[(String, String)], path: &str, reason: &str) {
    assert!(
        notes.iter().any(|(p, r)| p == path && r.contains(reason)),
        "no note `{reason}` for `{path}` in {notes:#?}"
    );
}

/// A repository whose links, declared paths and attestation evidence all point at a secret
/// outside it.
#[cfg(unix)]
fn hostile_repo(tmp: &Path) -> PathBuf {
    let outside = tmp.join("outside");
    write(&outside, "secret.yaml", &secret_yaml());
    write(&outside, "secret.pem", &secret_yaml());
    let secret = outside.join("secret.yaml");
    let root = tmp.join("repo");
    let abs = secret.display().to_string();
    write(
        &root,
        "assay.yaml",
        &format!(
            "collectors:\n  privacy:\n    records: ../outside/secret.yaml\n  ai:\n    inventory: {abs}\n"
        ),
    );
    write(&root, "k8s/app.yaml", PRIVILEGED_POD);
    // Links the config walk meets.
    link(&secret, &root, "leak.yaml");
    link(
        Path::new("../../outside/secret.yaml"),
        &root,
        "k8s/relative-leak.yaml",
    );
    link(Path::new("app.yaml"), &root, "k8s/inside-link.yaml");
    // Links where collectors look by name.
    link(&secret, &root, "processing-activities.yaml");
    link(&secret, &root, "policies/security-policy.md");
    link(&outside.join("secret.pem"), &root, "sbom.cdx.json");
    link(&secret, &root, "audit/audit.jsonl");
    link(&secret, &root, "metrics.prom");
    link(&secret, &root, "access/policies.cedar");
    // An attestation whose evidence lies outside.
    write(
        &root,
        "attestations/physical.yaml",
        &format!(
            "control: att-physical-access\nstatement: Badge readers at every door.\nattested_by: Dana Reyes\ndate: 2026-01-01\nexpires: 2027-01-01\nevidence:\n  - ../../outside/secret.pem\n  - {}\n",
            outside.join("secret.pem").display()
        ),
    );
    root
}

#[cfg(unix)]
#[test]
fn nothing_outside_the_scan_root_reaches_any_output() {
    let tmp = tempfile::tempdir().unwrap();
    let root = hostile_repo(tmp.path());
    let every = EveryOutput::of(&root, &["--now", "2026-06-01T00:00:00Z"]);
    for (what, bytes) in &every.outputs {
        assert_no_canary(what, bytes);
    }
    assert!(
        every.outputs.len() > 10,
        "only {} outputs",
        every.outputs.len()
    );
    let out = every.path("out");

    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let notes = notes(&results);
    for path in [
        "leak.yaml",
        "k8s/relative-leak.yaml",
        "processing-activities.yaml",
        "policies/security-policy.md",
        "sbom.cdx.json",
        "audit/audit.jsonl",
        "metrics.prom",
        "access/policies.cedar",
    ] {
        noted(&notes, path, "link leaves the scan root");
    }
    noted(
        &notes,
        "../outside/secret.yaml",
        "path leaves the scan root",
    );
    let abs = tmp.path().join("outside/secret.yaml").display().to_string();
    noted(&notes, &abs, "path leaves the scan root");
    noted(
        &notes,
        "attestations/physical.yaml",
        "evidence `../../outside/secret.pem` not read: path leaves the scan root",
    );
    // A link that stays inside the root is read like the file it points at.
    let failing = common::findings(&results, "k8s-privileged-container", "fail");
    for path in ["k8s/app.yaml", "k8s/inside-link.yaml"] {
        assert!(
            failing.iter().any(|f| f["location"]["path"] == path),
            "`{path}` was not scanned: {failing:#?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn special_files_are_never_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    link(Path::new("/dev/zero"), &root, "zero.yaml");
    link(Path::new("/dev/zero"), &root, "processing-activities.yaml");
    let fifo = root.join("pipe.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let has_fifo = made.is_ok_and(|s| s.success());
    if !has_fifo {
        assert!(std::env::var("CI").is_err(), "mkfifo is missing under CI");
        eprintln!("skipped: mkfifo is missing; the FIFO case is not run");
    }
    let scan = assay()
        .arg("scan")
        .arg(&root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&scan.stderr);
    assert!(matches!(scan.status.code(), Some(0 | 1)), "{stderr}");
    let results = common::json(&scan);
    let notes = notes(&results);
    noted(&notes, "zero.yaml", "link leaves the scan root");
    noted(
        &notes,
        "processing-activities.yaml",
        "link leaves the scan root",
    );
    if has_fifo {
        noted(&notes, "pipe.yaml", "not a regular file");
    }
}

/// A TCP listener on 127.0.0.1 that records whether anything connected.
fn listener() -> (String, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/metrics", server.local_addr().unwrap());
    let contacted = std::sync::Arc::new(AtomicBool::new(false));
    let flag = contacted.clone();
    std::thread::spawn(move || {
        for stream in server.incoming() {
            let Ok(mut stream) = stream else { continue };
            flag.store(true, Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let body = "# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} 5\n";
            let _ = std::io::Write::write_all(
                &mut stream,
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    (url, contacted)
}

#[test]
fn the_repository_cannot_turn_the_network_on() {
    use std::sync::atomic::Ordering;
    let (url, contacted) = listener();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "assay.yaml",
        &format!("collectors:\n  metrics:\n    endpoints: [\"{url}\"]\n"),
    );
    let scan = |extra: &[&str], env: Option<&str>| {
        let mut cmd = assay();
        cmd.arg("scan")
            .arg(root)
            .args(["--format", "json"])
            .args(extra);
        if let Some(value) = env {
            cmd.env("ASSAY_ALLOW_NETWORK", value);
        }
        cmd.output().unwrap()
    };
    let off = scan(&[], None);
    assert!(matches!(off.status.code(), Some(0 | 1)));
    assert!(
        !contacted.load(Ordering::SeqCst),
        "the endpoint was contacted"
    );
    noted(
        &notes(&common::json(&off)),
        &url,
        "network access is off (pass --allow-network",
    );

    let on = scan(&["--allow-network"], None);
    assert!(matches!(on.status.code(), Some(0 | 1)));
    assert!(
        contacted.swap(false, Ordering::SeqCst),
        "--allow-network did not fetch"
    );
    let by_env = scan(&[], Some("1"));
    assert!(matches!(by_env.status.code(), Some(0 | 1)));
    assert!(
        contacted.load(Ordering::SeqCst),
        "ASSAY_ALLOW_NETWORK=1 did not fetch"
    );
}

fn git(root: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .current_dir(root)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?}");
}

fn has_git() -> bool {
    let found = std::process::Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(std::env::var("CI").is_err(), "git is missing under CI");
        eprintln!("skipped: git is missing");
    }
    found
}

#[test]
fn ignore_files_do_not_hide_tracked_files() {
    if !has_git() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(root, "k8s/pod.yaml", PRIVILEGED_POD);
    write(root, "deploy/app.yaml", "a: 1\n");
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "init"]);
    // A later change adds ignore rules over tracked files, and untracked files below them.
    write(root, ".ignore", "k8s/\n*.yaml\n");
    write(root, "k8s/untracked.yaml", "b: 2\n");
    write(root, "build/out.yaml", "c: 3\n");
    write(root, ".gitignore", "build/\n");
    let scan = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(matches!(scan.status.code(), Some(0 | 1)));
    let results = common::json(&scan);
    let failing = common::findings(&results, "k8s-privileged-container", "fail");
    assert!(
        failing
            .iter()
            .any(|f| f["location"]["path"] == "k8s/pod.yaml"),
        "the tracked pod was hidden by .ignore: {failing:#?}"
    );
    let notes = notes(&results);
    noted(&notes, "build/", "matched a .gitignore or .ignore rule");
    noted(&notes, "k8s/", "the files git tracks below it are scanned");
    assert!(
        !notes
            .iter()
            .any(|(p, _)| p == "build/out.yaml" || p == "k8s/untracked.yaml"),
        "an ignored directory is listed once, not file by file"
    );
    assert!(
        !notes
            .iter()
            .any(|(p, _)| p == "k8s/pod.yaml" || p == "deploy/app.yaml"),
        "a tracked file is listed as skipped"
    );
}

/// Ways to run a command as the unprivileged user `nobody` (65534) when the tests run as root,
/// who reads every file whatever its permissions.
#[cfg(unix)]
const UNPRIVILEGED: [&[&str]; 2] = [
    &[
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ],
    &["runuser", "-u", "nobody", "--"],
];

/// The wrapper and binary that run `assay` as `nobody`, the binary copied into `dir` when that
/// user cannot reach it where it was built; `None` when no wrapper works here.
#[cfg(unix)]
fn unprivileged_assay(dir: &Path) -> Option<Vec<std::ffi::OsString>> {
    let built = PathBuf::from(env!("CARGO_BIN_EXE_assay"));
    let copied = dir.join("assay");
    for wrapper in UNPRIVILEGED {
        for binary in [&built, &copied] {
            if binary == &copied && !copied.exists() && std::fs::copy(&built, &copied).is_err() {
                continue;
            }
            let mut command: Vec<std::ffi::OsString> = wrapper.iter().map(Into::into).collect();
            command.push(binary.into());
            let runs = std::process::Command::new(&command[0])
                .args(&command[1..])
                .arg("--version")
                .output()
                .is_ok_and(|out| out.status.success());
            if runs {
                return Some(command);
            }
        }
    }
    None
}

#[cfg(unix)]
#[test]
fn unreadable_places_are_named_without_machine_paths() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    let tmp = tempfile::tempdir().unwrap();
    // Reachable by whichever user runs the scan.
    mode(tmp.path(), 0o755);
    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    write(&root, "locked/b.yaml", "b: 2\n");
    let locked = root.join("locked");
    mode(&locked, 0o000);
    // Root reads the locked directory anyway: the scans then run as `nobody`.
    let wrapper = if std::fs::read_dir(&locked).is_ok() {
        match unprivileged_assay(tmp.path()) {
            Some(command) => Some(command),
            None => {
                mode(&locked, 0o755);
                assert!(
                    std::env::var("CI").is_err(),
                    "running as root, and neither setpriv nor runuser can drop privileges"
                );
                eprintln!(
                    "skipped: running as root, and neither setpriv nor runuser can drop privileges"
                );
                return;
            }
        }
    } else {
        None
    };
    let assay = || match &wrapper {
        Some(command) => {
            let mut cmd = assert_cmd::Command::new(&command[0]);
            cmd.args(&command[1..]);
            common::isolated(cmd)
        }
        None => assay(),
    };
    let scan = assay()
        .arg("scan")
        .arg(&root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let results = common::json(&scan);
    let notes = notes(&results);
    noted(&notes, "locked", "permission denied");
    let tmp_path = tmp.path().display().to_string();
    assert!(
        !notes
            .iter()
            .any(|(p, r)| p.contains(&tmp_path) || r.contains(&tmp_path)),
        "{notes:?}"
    );
    // An unreadable scan root is a usage error, not an empty repository.
    mode(&root, 0o000);
    let scan = assay().arg("scan").arg(&root).output().unwrap();
    mode(&root, 0o755);
    mode(&locked, 0o755);
    let stderr = exited(&scan, 2);
    assert!(
        stderr.contains("cannot be read: permission denied"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn config_paths_leaving_the_root_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "outside/waivers.yaml", &secret_yaml());
    write(
        tmp.path(),
        "outside/catalog/leak/control.yaml",
        &secret_yaml(),
    );
    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    for config in [
        "waivers: ../outside/waivers.yaml\n",
        "controls: [../outside/catalog]\n",
    ] {
        write(&root, "assay.yaml", config);
        let scan = assay().arg("scan").arg(&root).output().unwrap();
        let stderr = exited(&scan, 2);
        assert!(stderr.contains("path leaves the scan root"), "{stderr}");
        assert_no_canary("stderr", stderr.as_bytes());
        assert_no_canary("stdout", &scan.stdout);
    }
    link(
        &tmp.path().join("outside/waivers.yaml"),
        &root,
        "waivers.yaml",
    );
    write(&root, "assay.yaml", "waivers: waivers.yaml\n");
    let scan = assay().arg("scan").arg(&root).output().unwrap();
    let stderr = exited(&scan, 2);
    assert!(stderr.contains("link leaves the scan root"), "{stderr}");
    assert_no_canary("stderr", stderr.as_bytes());
}

/// Makes a FIFO at `path`; false when `mkfifo` is missing (a failure under CI).
#[cfg(unix)]
fn fifo(path: &Path) -> bool {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    if made.is_ok_and(|s| s.success()) {
        return true;
    }
    assert!(std::env::var("CI").is_err(), "mkfifo is missing under CI");
    eprintln!("skipped: mkfifo is missing; the FIFO case is not run");
    false
}

/// Ends a run that opened a FIFO (and so waits for a writer for ever) instead of hanging the
/// test; a run that never opens one ends at once.
const FIFO_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

/// `assay waivers lint` reads the waivers file a repository's assay.yaml names as a scan does:
/// never outside the repository, never a FIFO, never more than the size limit.
#[cfg(unix)]
#[test]
fn waivers_lint_reads_nothing_outside_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "outside/waivers.yaml", &secret_yaml());
    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    link(
        &tmp.path().join("outside/waivers.yaml"),
        &root,
        "linked.yaml",
    );
    let mut cases = vec![
        ("../outside/waivers.yaml", "path leaves the scan root"),
        ("linked.yaml", "link leaves the scan root"),
        ("large.yaml", "larger than the 16777216-byte limit"),
    ];
    write(&root, "large.yaml", &"# padding\n".repeat(1_700_000));
    if fifo(&root.join("pipe.yaml")) {
        cases.push(("pipe.yaml", "not a regular file"));
    }
    for (waivers, reason) in cases {
        write(&root, "assay.yaml", &format!("waivers: {waivers}\n"));
        let out = assay()
            .current_dir(&root)
            .args(["waivers", "lint"])
            .timeout(FIFO_GUARD)
            .output()
            .unwrap();
        let stderr = exited(&out, 2);
        assert!(stderr.contains(reason), "{waivers}: {stderr}");
        assert_no_canary("stderr", stderr.as_bytes());
        assert_no_canary("stdout", &out.stdout);
    }
    // A catalog folder named by the repository's config stays inside it too.
    write(&root, "waivers.yaml", "waivers: []\n");
    write(&root, "assay.yaml", "controls: [../outside]\n");
    let out = assay()
        .current_dir(&root)
        .args(["waivers", "lint", "waivers.yaml"])
        .output()
        .unwrap();
    let stderr = exited(&out, 2);
    assert!(stderr.contains("path leaves the scan root"), "{stderr}");
}

/// `assay frameworks coverage` reads the last scan from the `json` output a repository's
/// assay.yaml names only inside the repository (elsewhere it says so and goes on without it),
/// and never opens a FIFO, whether the config or the command line names it.
#[cfg(unix)]
#[test]
fn frameworks_coverage_reads_nothing_outside_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    let saved = tmp.path().join("outside/results.json");
    std::fs::create_dir_all(saved.parent().unwrap()).unwrap();
    let scan = assay()
        .args(["scan", "--soft-fail", "--format", "json", "--output"])
        .arg(&saved)
        .arg(&root)
        .output()
        .unwrap();
    exited(&scan, 0);
    link(&saved, &root, "reports/linked.json");
    let coverage = |root: &Path, extra: &[&str]| {
        assay()
            .current_dir(root)
            .args(["frameworks", "coverage", "--format", "json"])
            .args(extra)
            .timeout(FIFO_GUARD)
            .output()
            .unwrap()
    };
    for (path, reason) in [
        ("../outside/results.json", "path leaves the scan root"),
        ("reports/linked.json", "link leaves the scan root"),
    ] {
        write(
            &root,
            "assay.yaml",
            &format!("outputs:\n  - {{format: json, path: {path}}}\n"),
        );
        let out = coverage(&root, &[]);
        let stderr = exited(&out, 0);
        assert!(stderr.contains(reason), "{path}: {stderr}");
        assert_eq!(common::json(&out)["last_scan"], Value::Null, "{path}");
    }
    if fifo(&root.join("reports/pipe.json")) {
        write(
            &root,
            "assay.yaml",
            "outputs:\n  - {format: json, path: reports/pipe.json}\n",
        );
        let out = coverage(&root, &[]);
        exited(&out, 0);
        assert_eq!(common::json(&out)["last_scan"], Value::Null);
        let out = coverage(tmp.path(), &["--results", "repo/reports/pipe.json"]);
        let stderr = exited(&out, 2);
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }
}

#[cfg(unix)]
#[test]
fn a_repository_config_writes_nowhere_outside_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    link(tmp.path(), &root, "up");
    for (config, reason) in [
        ("../escaped.json", "path leaves the scan root"),
        ("up/escaped.json", "link leaves the scan root"),
    ] {
        write(
            &root,
            "assay.yaml",
            &format!("outputs:\n  - {{format: json, path: {config}}}\n"),
        );
        let scan = assay().arg("scan").arg(&root).output().unwrap();
        let stderr = exited(&scan, 2);
        assert!(stderr.contains(reason), "{config}: {stderr}");
        assert!(!tmp.path().join("escaped.json").exists(), "{config}");
    }
    // Inside the repository, outputs are written as before.
    write(
        &root,
        "assay.yaml",
        "outputs:\n  - {format: json, path: reports/results.json}\n",
    );
    let scan = assay()
        .args(["scan", "--soft-fail"])
        .arg(&root)
        .output()
        .unwrap();
    exited(&scan, 0);
    assert!(root.join("reports/results.json").is_file());
}

#[cfg(unix)]
#[test]
fn a_control_file_links_nowhere_outside_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "outside/secret.rego", &secret_yaml());
    let catalog = tmp.path().join("catalog");
    write(
        &catalog,
        "leaky/control.yaml",
        "id: leaky\ntitle: Leaky\ndescription: Reads a module outside its folder.\nfamily: test\nseverity: low\ncheck:\n  rego:\n    module: leak.rego\n    select:\n      evidence: [config]\n",
    );
    link(
        &tmp.path().join("outside/secret.rego"),
        &catalog,
        "leaky/leak.rego",
    );
    let out = assay()
        .args(["controls", "lint"])
        .arg(&catalog)
        .output()
        .unwrap();
    let stderr = exited(&out, 2);
    assert!(stderr.contains("link leaves the scan root"), "{stderr}");
    assert_no_canary("stderr", stderr.as_bytes());
    assert_no_canary("stdout", &out.stdout);
}

/// A catalog's mapping files and a repository's own assay.yaml are read inside their folders:
/// a link leading out is refused, a FIFO never opened.
#[cfg(unix)]
#[test]
fn mappings_and_the_config_file_stay_inside_their_folders() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "outside/secret.yaml", &secret_yaml());
    let secret = tmp.path().join("outside/secret.yaml");
    let catalog = tmp.path().join("catalog");
    write(
        &catalog,
        "local/control.yaml",
        "id: local\ntitle: Local\ndescription: A control.\nfamily: test\nseverity: low\nremediation: none\ncheck:\n  assert:\n    select:\n      evidence: [config]\n    all:\n      - {path: $.a, exists: true}\n    message: no a\n",
    );
    link(&secret, &catalog, "mappings/leak.yaml");
    let lint = || {
        assay()
            .args(["controls", "lint"])
            .arg(&catalog)
            .timeout(FIFO_GUARD)
            .output()
            .unwrap()
    };
    let out = lint();
    let stderr = exited(&out, 2);
    assert!(stderr.contains("link leaves the scan root"), "{stderr}");
    assert_no_canary("stderr", stderr.as_bytes());
    std::fs::remove_file(catalog.join("mappings/leak.yaml")).unwrap();
    if fifo(&catalog.join("mappings/pipe.yaml")) {
        let stderr = exited(&lint(), 2);
        assert!(stderr.contains("not a regular file"), "{stderr}");
    }

    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    link(&secret, &root, "assay.yaml");
    let scan = assay().arg("scan").arg(&root).output().unwrap();
    let stderr = exited(&scan, 2);
    assert!(
        stderr.contains("cannot read config: link leaves the scan root"),
        "{stderr}"
    );
    assert_no_canary("stderr", stderr.as_bytes());
    assert_no_canary("stdout", &scan.stdout);
}

/// `assay init` in a cloned repository writes nothing through links leading out of it, to
/// files that exist (`.gitignore`, extended in place) or not yet (`assay.yaml`).
#[cfg(unix)]
#[test]
fn init_writes_nothing_outside_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "outside/dotfile", "keep\n");
    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    link(&tmp.path().join("outside/dotfile"), &root, ".gitignore");
    let init = || assay().arg("init").arg(&root).output().unwrap();
    let stderr = exited(&init(), 2);
    assert!(
        stderr.contains("cannot write `.gitignore`: link leaves the scan root"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("outside/dotfile")).unwrap(),
        "keep\n"
    );
    assert!(!root.join("assay.yaml").exists(), "nothing is written");
    std::fs::remove_file(root.join(".gitignore")).unwrap();
    link(&tmp.path().join("outside/new.yaml"), &root, "assay.yaml");
    let stderr = exited(&init(), 2);
    assert!(stderr.contains("link leaves the scan root"), "{stderr}");
    assert!(!tmp.path().join("outside/new.yaml").exists());
    // Without the links, the repository is set up.
    std::fs::remove_file(root.join("assay.yaml")).unwrap();
    exited(&init(), 0);
    assert!(root.join("assay.yaml").is_file());
    assert!(std::fs::read_to_string(root.join(".gitignore"))
        .unwrap()
        .contains(".assay-cache/"));
}

/// Saved results and baselines named on the command line are read only when they are regular
/// files: a FIFO is refused instead of waited on.
#[cfg(unix)]
#[test]
fn saved_results_named_on_the_command_line_are_never_fifos() {
    let tmp = tempfile::tempdir().unwrap();
    let pipe = tmp.path().join("pipe.json");
    if !fifo(&pipe) {
        return;
    }
    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    let out_dir = tmp.path().join("out");
    let runs: [&[&std::ffi::OsStr]; 5] = [
        &[
            "site".as_ref(),
            "--results".as_ref(),
            pipe.as_os_str(),
            "--out".as_ref(),
            out_dir.as_os_str(),
        ],
        &[
            "explain-score".as_ref(),
            "--results".as_ref(),
            pipe.as_os_str(),
            "soc2".as_ref(),
        ],
        &[
            "documents".as_ref(),
            "--results".as_ref(),
            pipe.as_os_str(),
            "--out".as_ref(),
            out_dir.as_os_str(),
            root.as_os_str(),
        ],
        &[
            "frameworks".as_ref(),
            "coverage".as_ref(),
            "--results".as_ref(),
            pipe.as_os_str(),
        ],
        &[
            "check".as_ref(),
            "--baseline".as_ref(),
            pipe.as_os_str(),
            root.as_os_str(),
        ],
    ];
    for args in runs {
        let out = assay().args(args).timeout(FIFO_GUARD).output().unwrap();
        let stderr = exited(&out, 2);
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
}

#[test]
fn misuse_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    // A control file directly in the catalog directory.
    let catalog = tmp.path().join("catalog");
    write(&catalog, "x.yaml", "id: x\n");
    let out = assay()
        .args(["controls", "lint"])
        .arg(&catalog)
        .output()
        .unwrap();
    let stderr = exited(&out, 2);
    assert!(stderr.contains("x.yaml"), "{stderr}");
    assert!(stderr.contains("x/control.yaml"), "{stderr}");
    // An empty catalog directory.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    for args in [&["controls", "lint"][..], &["controls", "test"]] {
        let out = assay().args(args).arg(&empty).output().unwrap();
        let stderr = exited(&out, 2);
        assert!(stderr.contains("no controls"), "{stderr}");
    }
    // Catalogs and packs that are not there.
    for args in [
        &["controls", "lint", "/nonexistent"][..],
        &["controls", "list", "--controls", "/nonexistent"],
        &["scan", ".", "--controls", "/nonexistent"],
        &["verify", "/nonexistent"],
    ] {
        let out = assay().args(args).output().unwrap();
        let stderr = exited(&out, 2);
        assert!(stderr.contains("/nonexistent"), "{args:?}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn pack_writing_never_follows_a_planted_link() {
    let tmp = tempfile::tempdir().unwrap();
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    let root = tmp.path().join("repo");
    write(&root, "app.yaml", "a: 1\n");
    let pack = tmp.path().join("pack");
    std::os::unix::fs::symlink(&victim, tmp.path().join("pack.tar.gz.partial")).unwrap();
    let scan = assay()
        .arg("scan")
        .arg(&root)
        .args(["--format", "json", "--pack"])
        .arg(&pack)
        .output()
        .unwrap();
    assert!(
        matches!(scan.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    assert!(tmp.path().join("pack.tar.gz").is_file());
    assert!(!tmp.path().join("pack.tar.gz.partial").exists());
}
