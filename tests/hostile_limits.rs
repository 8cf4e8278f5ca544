//! Hostile inputs that used to overflow the stack, exhaust memory or run for minutes: each one
//! must end in bounded time and memory as a parse error, an `error` finding or a clear failure
//! naming the limit, with the rest of the scan complete. Peak memory is the child process's own
//! accounting (`wait4`'s `ru_maxrss`).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{control, fixture};
use serde_json::Value;

/// Peak resident memory allowed to any run below.
const PEAK_LIMIT_KIB: i64 = 512 * 1024;

/// A finished run of `assay`: exit code, stdout, stderr and peak resident memory (KiB).
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    peak_kib: i64,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); exit {:?}: {}",
                self.code, self.stderr
            )
        })
    }

    fn exited(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "{}", self.stderr);
        assert!(
            self.peak_kib < PEAK_LIMIT_KIB,
            "peak memory {} MiB",
            self.peak_kib / 1024
        );
        self
    }
}

/// Runs `assay args…` and measures its peak memory with `wait4`, which reports on that one
/// child whatever else the test process runs.
#[allow(unsafe_code)]
fn run(args: &[&std::ffi::OsStr]) -> Run {
    let out = tempfile::tempdir().unwrap();
    let (stdout_path, stderr_path) = (out.path().join("out"), out.path().join("err"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_assay"));
    for (key, _) in std::env::vars() {
        if key.starts_with("ASSAY_") {
            cmd.env_remove(key);
        }
    }
    // Reaped by `wait4` below, which also reports its peak memory.
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own unwaited child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Run {
        code,
        stdout: std::fs::read(stdout_path).unwrap(),
        stderr: std::fs::read_to_string(stderr_path).unwrap_or_default(),
        peak_kib: usage.ru_maxrss,
    }
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

/// `assay scan DIR --no-builtin --controls CATALOG --format json`, reporting only (the
/// hostile item's error finding would fail the default gate).
fn scan(dir: &Path, catalog: &Path) -> Run {
    run(&[
        os("scan"),
        os("--soft-fail"),
        dir.as_os_str(),
        os("--no-builtin"),
        os("--controls"),
        catalog.as_os_str(),
        os("--format"),
        os("json"),
    ])
}

/// The scan errors of a results document as `(path, line, message)`.
fn errors(results: &Value) -> Vec<(String, u64, String)> {
    results["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap_or_default().to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A YAML file in which nine levels of aliases each repeat the level below ten times.
fn billion_laughs() -> String {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = format!("*a{}", i - 1);
        let items = [p.as_str(); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    text
}

/// YAML nested 6,000 deep, JSON, HCL and billion-laughs YAML in a scanned repository: each is a
/// scan error naming the file and the limit, and the well-formed file is still judged.
#[test]
fn deep_and_expanding_config_files_are_scan_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("operators/repo/items.yaml"),
        dir.path().join("items.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("deep.yaml"), "- ".repeat(6_000) + "x\n").unwrap();
    std::fs::write(dir.path().join("laughs.yaml"), billion_laughs()).unwrap();
    std::fs::write(
        dir.path().join("deep.tf"),
        "locals {\n  x = ".to_string() + &"[".repeat(6_000) + &"]".repeat(6_000) + "\n}\n",
    )
    .unwrap();
    let out = scan(dir.path(), &fixture("operators/catalog"));
    let results = out.exited(0).json();
    let errors = errors(&results);
    let of = |path: &str| {
        errors
            .iter()
            .find(|e| e.0 == path)
            .unwrap_or_else(|| panic!("no error for {path}: {errors:?}"))
    };
    assert!(of("deep.yaml").2.contains("nesting limit"), "{errors:?}");
    assert_eq!(of("deep.yaml").1, 1);
    assert!(of("laughs.yaml").2.contains("alias limit"), "{errors:?}");
    assert!(of("deep.tf").2.contains("nesting limit"), "{errors:?}");
    assert_eq!(of("deep.tf").1, 2);
    assert!(!control(&results, "op-equals")["findings"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// A deeply nested or alias-bomb `assay.yaml` is a configuration error (exit 2) naming the
/// limit, not a crash.
#[test]
fn hostile_assay_yaml_is_a_configuration_error() {
    for (name, text, limit) in [
        ("deep", "- ".repeat(60_000) + "x\n", "nesting limit"),
        ("laughs", billion_laughs(), "alias limit"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("assay.yaml"), text).unwrap();
        let out = scan(dir.path(), &fixture("operators/catalog"));
        out.exited(2);
        assert!(out.stderr.contains(limit), "{name}: {}", out.stderr);
        assert!(out.stderr.contains("assay.yaml"), "{name}: {}", out.stderr);
    }
}

/// CycloneDX XML nested 2,000 deep is a scan error at its line.
#[test]
fn deep_cyclonedx_xml_is_a_scan_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">\n"
        .to_string()
        + &"<components>".repeat(2_000)
        + &"</components>".repeat(2_000)
        + "</bom>\n";
    std::fs::write(dir.path().join("app.cdx.xml"), text).unwrap();
    let out = run(&[
        os("scan"),
        dir.path().as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let results = out.exited(0).json();
    let errors = errors(&results);
    let error = errors
        .iter()
        .find(|e| e.0 == "app.cdx.xml")
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert!(error.2.contains("nesting limit"), "{error:?}");
    assert_eq!(error.1, 3);
}

/// JSON SBOMs nested 2,000 deep, in a member the collector reads and in one it skips unread,
/// are scan errors at their line, and the rest of each file's directory is still scanned.
#[test]
fn deep_json_sboms_are_scan_errors() {
    let dir = tempfile::tempdir().unwrap();
    let deep = "[".repeat(2_000) + &"]".repeat(2_000);
    std::fs::write(
        dir.path().join("skipped.cdx.json"),
        format!("{{\"bomFormat\": \"CycloneDX\",\n \"properties\": {deep}}}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("read.spdx.json"),
        format!("{{\"spdxVersion\": \"SPDX-2.3\",\n\n \"packages\": {deep}}}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("fine.cdx.json"),
        "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"components\": []}\n",
    )
    .unwrap();
    let out = run(&[
        os("scan"),
        os("--soft-fail"),
        dir.path().as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let results = out.exited(0).json();
    let errors = errors(&results);
    for (file, line, format) in [
        ("skipped.cdx.json", 2, "CycloneDX JSON"),
        ("read.spdx.json", 3, "SPDX JSON"),
    ] {
        // The config collector reads the same files as JSON and reports them too.
        let error = errors
            .iter()
            .find(|e| e.0 == file && e.2.starts_with(&format!("invalid {format}")))
            .unwrap_or_else(|| panic!("{errors:?}"));
        assert!(error.2.contains("nesting limit"), "{error:?}");
        assert_eq!(error.1, line, "{error:?}");
    }
    assert!(!errors.iter().any(|e| e.0 == "fine.cdx.json"), "{errors:?}");
    assert_eq!(control(&results, "sbom-present")["status"], "implemented");
}

/// Writes an access model (policies and entities) into a fresh folder.
fn access_model(policies: &str, entities: &Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policies.cedar"), policies).unwrap();
    std::fs::write(
        dir.path().join("entities.json"),
        serde_json::to_string(entities).unwrap(),
    )
    .unwrap();
    dir
}

fn entity(kind: &str, id: &str, parents: &[(&str, String)]) -> Value {
    serde_json::json!({
        "uid": {"type": kind, "id": id},
        "attrs": {},
        "parents": parents
            .iter()
            .map(|(t, i)| serde_json::json!({"type": t, "id": i}))
            .collect::<Vec<_>>(),
    })
}

/// Every finding of the Cedar fixture catalog's controls over one model.
fn cedar_findings(run: &Run) -> Vec<Value> {
    run.json()["controls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap().clone())
        .collect()
}

/// A Cedar policy with 150 nested parentheses is an error finding at its line; 100 still
/// parse and are judged (the stack holds what the limit lets through).
#[test]
fn deeply_parenthesised_cedar_policies_are_error_findings() {
    let entities = Value::Array(vec![
        entity("Group", "admins", &[]),
        entity("User", "amara", &[("Group", "admins".into())]),
        entity("Environment", "production", &[]),
    ]);
    let policy = |depth: usize| {
        format!(
            "@id(\"deep\")\npermit (principal in Group::\"admins\", action == Action::\"admin\", resource)\nwhen {{ {}true{} }};\n",
            "(".repeat(depth),
            ")".repeat(depth)
        )
    };
    let deep = access_model(&policy(150), &entities);
    let out = scan(deep.path(), &fixture("cedar/catalog"));
    out.exited(0);
    for f in cedar_findings(&out) {
        assert_eq!(f["status"], "error", "{f:#}");
        assert!(
            f["message"].as_str().unwrap().contains("nesting limit"),
            "{f:#}"
        );
        assert_eq!(f["location"]["path"], "policies.cedar");
        assert_eq!(f["location"]["line"], 3);
    }
    let fine = access_model(&policy(100), &entities);
    let out = scan(fine.path(), &fixture("cedar/catalog"));
    out.exited(0);
    assert!(cedar_findings(&out)
        .iter()
        .any(|f| f["status"] == "pass" || f["status"] == "fail"));
}

/// A chain of 3,000 groups, each the parent of the next, is an error finding naming the
/// entity whose ancestry is too deep.
#[test]
fn a_long_group_chain_is_an_error_finding() {
    let mut entities: Vec<Value> = (0..3_000)
        .map(|i| {
            let parents = if i == 0 {
                Vec::new()
            } else {
                vec![("Group", format!("g{}", i - 1))]
            };
            entity("Group", &format!("g{i}"), &parents)
        })
        .collect();
    entities.push(entity("User", "amara", &[("Group", "g2999".into())]));
    entities.push(entity("Environment", "production", &[]));
    let model = access_model(
        "permit (principal in Group::\"g0\", action == Action::\"admin\", resource);\n",
        &Value::Array(entities),
    );
    let out = scan(model.path(), &fixture("cedar/catalog"));
    out.exited(0);
    for f in cedar_findings(&out) {
        assert_eq!(f["status"], "error", "{f:#}");
        let message = f["message"].as_str().unwrap();
        assert!(message.contains("(the nesting limit)"), "{message}");
        assert_eq!(f["location"]["path"], "entities.json");
    }
}

/// Writes a one-control catalog holding `check` (YAML, indented under `check:`).
fn catalog(id: &str, check: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let control = dir.path().join(id);
    std::fs::create_dir(&control).unwrap();
    std::fs::write(
        control.join("control.yaml"),
        format!(
            "id: {id}\ntitle: A hostile check\ndescription: Exercises a limit.\nfamily: testing\n\
             severity: low\nremediation: None.\ncheck:\n{check}"
        ),
    )
    .unwrap();
    dir
}

/// `numbers.range(1, 4e8)` is an error finding naming the range limit; it used to reserve
/// gigabytes and abort the process.
#[test]
fn a_huge_rego_range_is_an_error_finding() {
    let catalog = catalog(
        "rego-range",
        "  rego:\n    inline: |\n      package range\n\n      deny contains \"never\" if {\n        some i in numbers.range(1, 400000000)\n        i < 0\n      }\n",
    );
    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("app.yaml"), "kind: App\n").unwrap();
    let out = scan(repo.path(), catalog.path());
    let results = out.exited(0).json();
    let findings = control(&results, "rego-range")["findings"]
        .as_array()
        .unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["status"], "error");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("range limit"),
        "{:#}",
        findings[0]
    );
}

/// Many inputs that each run to their own time limit end together when the control's
/// budget (`limits.check_seconds`) runs out: one error finding for the inputs left.
#[test]
fn a_rego_control_stops_at_its_time_budget() {
    let catalog = catalog(
        "rego-slow",
        "  rego:\n    inline: |\n      package slow\n\n      deny contains \"never\" if {\n        some i in numbers.range(1, 100000)\n        some j in numbers.range(1, 100000)\n        i + j < 0\n      }\n    limits:\n      timeout_ms: 2000\n",
    );
    let repo = tempfile::tempdir().unwrap();
    for i in 0..40 {
        std::fs::write(repo.path().join(format!("app{i:02}.yaml")), "kind: App\n").unwrap();
    }
    std::fs::write(
        repo.path().join("assay.yaml"),
        "limits: {check_seconds: 1}\n",
    )
    .unwrap();
    let out = scan(repo.path(), catalog.path());
    let results = out.exited(0).json();
    let findings = control(&results, "rego-slow")["findings"]
        .as_array()
        .unwrap();
    assert!(
        findings.iter().all(|f| f["status"] == "error"),
        "{findings:#?}"
    );
    assert!(
        findings.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("`limits.check_seconds`")),
        "{findings:#?}"
    );
    assert!(findings.len() < 40, "the inputs left share one finding");
}

/// An access model of 500 users and one policy naming 1,000 actions, asked about any action:
/// the Cedar check stops at the control's budget with an error finding.
#[test]
fn a_cedar_control_stops_at_its_time_budget() {
    let actions: Vec<String> = (0..1_000).map(|i| format!("Action::\"a{i}\"")).collect();
    let policy = format!(
        "permit (principal in Group::\"admins\", action in [{}], resource);\n",
        actions.join(", ")
    );
    let mut entities = vec![
        entity("Group", "admins", &[]),
        entity("Environment", "production", &[]),
    ];
    entities
        .extend((0..500).map(|i| entity("User", &format!("u{i}"), &[("Group", "admins".into())])));
    let model = access_model(&policy, &Value::Array(entities));
    std::fs::write(
        model.path().join("assay.yaml"),
        "limits: {check_seconds: 1}\n",
    )
    .unwrap();
    let catalog = catalog(
        "cedar-any",
        "  cedar:\n    who_can:\n      principal_types: [User]\n      actions: any\n      resource: 'Environment::\"production\"'\n      members_of: 'Group::\"admins\"'\n",
    );
    let out = scan(model.path(), catalog.path());
    let results = out.exited(0).json();
    let findings = control(&results, "cedar-any")["findings"]
        .as_array()
        .unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["status"], "error");
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("`limits.check_seconds`"),
        "{:#}",
        findings[0]
    );
}

/// A gzip-compressed tar holding one entry with `size` declared bytes and `body` written.
fn tar_gz(path: &Path, name: &str, size: u64, body: impl FnOnce(&mut dyn Write)) {
    let file = std::fs::File::create(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut header = tar::Header::new_gnu();
    header.set_path(name).unwrap();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    gz.write_all(header.as_bytes()).unwrap();
    body(&mut gz);
    gz.finish().unwrap();
}

/// A tiny archive claiming a 64 GiB entry fails `verify` (exit 1), `verify --previous` and
/// `scan --previous-pack` (exit 2) with a message naming the limit.
#[test]
fn an_archive_claiming_a_huge_entry_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("claim.tar.gz");
    tar_gz(&pack, "evidence/x", 64 << 30, |_| {});
    assert!(std::fs::metadata(&pack).unwrap().len() < 200);
    let out = run(&[os("verify"), pack.as_os_str()]);
    out.exited(1);
    assert!(out.stderr.contains("pack limit"), "{}", out.stderr);

    let out = run(&[
        os("verify"),
        pack.as_os_str(),
        os("--previous"),
        pack.as_os_str(),
    ]);
    out.exited(1);
    assert!(out.stderr.contains("pack limit"), "{}", out.stderr);

    let repo = tempfile::tempdir().unwrap();
    std::fs::write(repo.path().join("app.yaml"), "kind: App\n").unwrap();
    let out_pack = dir.path().join("out");
    let out = run(&[
        os("scan"),
        repo.path().as_os_str(),
        os("--no-builtin"),
        os("--controls"),
        fixture("operators/catalog").as_os_str(),
        os("--pack"),
        out_pack.as_os_str(),
        os("--previous-pack"),
        pack.as_os_str(),
    ]);
    out.exited(2);
    assert!(out.stderr.contains("pack limit"), "{}", out.stderr);
}

/// A 600 MiB entry that compresses to well under a megabyte is hashed as a stream: `verify`
/// fails (no manifest) within the memory bound instead of holding the entry.
#[test]
fn a_gzip_bomb_is_streamed_not_held() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("bomb.tar.gz");
    let size: u64 = 600 << 20;
    tar_gz(&pack, "results.json", size, |out| {
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..(size >> 20) {
            out.write_all(&zeros).unwrap();
        }
        out.write_all(&[0u8; 1024]).unwrap();
    });
    assert!(std::fs::metadata(&pack).unwrap().len() < 4 << 20);
    let out = run(&[os("verify"), pack.as_os_str()]);
    out.exited(1);
    assert!(out.stderr.contains("not an assay pack"), "{}", out.stderr);
}

/// An audit-log line over `limits.line_bytes` is reported with its line number and skipped
/// instead of being held in memory; the configured source then yields no event, which fails
/// the gate.
#[test]
fn an_overlong_audit_log_line_is_skipped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("logs")).unwrap();
    let mut log = std::fs::File::create(dir.path().join("logs/app.jsonl")).unwrap();
    log.write_all(b"\n{\"pad\": \"").unwrap();
    log.write_all(&vec![b'x'; 40 << 20]).unwrap();
    log.write_all(b"\"}\n").unwrap();
    drop(log);
    std::fs::write(
        dir.path().join("assay.yaml"),
        "limits: {line_bytes: 1048576}\ncollectors:\n  audit_log:\n    sources:\n      - path: \"logs/*.jsonl\"\n",
    )
    .unwrap();
    let out = run(&[
        os("scan"),
        dir.path().as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let results = out.exited(1).json();
    let errors = errors(&results);
    let error = errors
        .iter()
        .find(|e| e.0 == "logs/app.jsonl")
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(error.1, 2, "{error:?}");
    assert!(error.2.contains("line limit of 1048576 bytes"), "{error:?}");
}

/// A CycloneDX JSON SBOM of `count` components (about 500 bytes each), every NTIA element set.
fn large_cyclonedx(count: usize) -> String {
    let mut text = String::from(
        "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n  \"metadata\": {\n    \
         \"timestamp\": \"2024-01-01T00:00:00Z\",\n    \"authors\": [{\"name\": \"Build\"}],\n    \
         \"component\": {\"name\": \"app\", \"version\": \"1.0\", \"bom-ref\": \"app\", \
         \"purl\": \"pkg:generic/app@1.0\", \"supplier\": {\"name\": \"Acme\"}}\n  },\n  \
         \"components\": [\n",
    );
    for i in 0..count {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!(
            "    {{\n      \"type\": \"library\",\n      \"bom-ref\": \"pkg:npm/c{i}@1.{i}.0\",\n      \
             \"name\": \"component-{i}\",\n      \"version\": \"1.{i}.0\",\n      \
             \"purl\": \"pkg:npm/c{i}@1.{i}.0\",\n      \"supplier\": {{\"name\": \"Supplier {}\"}},\n      \
             \"licenses\": [{{\"license\": {{\"id\": \"MIT\"}}}}],\n      \
             \"hashes\": [{{\"alg\": \"SHA-256\", \"content\": \"{}\"}}],\n      \
             \"description\": \"{}\"\n    }}",
            i % 100,
            "ab".repeat(32),
            "A component used to measure the memory of a scan. ".repeat(3),
        ));
    }
    text.push_str("\n  ],\n  \"dependencies\": [{\"ref\": \"app\", \"dependsOn\": [\"pkg:npm/c0@1.0.0\"]}]\n}\n");
    text
}

/// A 30 MB CycloneDX SBOM is judged by the built-in catalog within a peak memory of nine times
/// its size: it used to cost over twenty (a copy of every parsed node's pointer, and a copy of
/// the whole facts document for each control's `where` filter), then twelve (a value tree of
/// the whole file). Its members are now read straight into the normalized model, and what
/// remains is mostly the facts document: an object of about 2 KB per 500-byte component.
#[test]
fn a_large_cyclonedx_sbom_is_scanned_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let text = large_cyclonedx(60_000);
    let size = i64::try_from(text.len()).unwrap();
    assert!(size > 30 << 20, "{size} bytes");
    std::fs::write(dir.path().join("bom.json"), text).unwrap();
    let out = run(&[
        os("scan"),
        os("--soft-fail"),
        dir.path().as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let results = out.exited(0).json();
    assert_eq!(errors(&results), Vec::new());
    for id in [
        "sbom-present",
        "sbom-ntia-complete",
        "sbom-no-denied-licenses",
    ] {
        assert_eq!(control(&results, id)["status"], "implemented", "{id}");
    }
    assert!(
        out.peak_kib * 1024 < 9 * size,
        "peak memory {} MiB for a {} MiB SBOM",
        out.peak_kib / 1024,
        size >> 20
    );
}

/// A CycloneDX JSON SBOM of about `size` bytes shaped like `bench/generate_sbom.py`'s (and like
/// what SBOM generators write): components with a supplier, license, hash, purl, description,
/// external references and properties, a dependency entry each and a vulnerability every 50.
fn generated_cyclonedx(size: usize) -> String {
    let mut text = String::from(
        "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\",\n  \
         \"serialNumber\": \"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\",\n  \
         \"metadata\": {\"timestamp\": \"2024-01-01T00:00:00Z\", \"authors\": [{\"name\": \"Build\"}], \
         \"component\": {\"bom-ref\": \"app\", \"name\": \"app\", \"version\": \"1.0\", \
         \"purl\": \"pkg:generic/app@1.0\", \"supplier\": {\"name\": \"Acme\"}}},\n  \"components\": [\n",
    );
    let purl = |i: usize| format!("pkg:npm/component-{i}@1.{}.{}", i % 97, i % 13);
    let mut count = 0;
    while text.len() < size * 7 / 8 {
        if count > 0 {
            text.push_str(",\n");
        }
        let (i, p) = (count, purl(count));
        text.push_str(&format!(
            "    {{\n      \"type\": \"library\",\n      \"bom-ref\": \"{p}\",\n      \
             \"supplier\": {{\"name\": \"Supplier {s}\", \"url\": [\"https://supplier{s}.example\"]}},\n      \
             \"name\": \"component-{i}\",\n      \"version\": \"1.{v}.{w}\",\n      \
             \"description\": \"A generated component used to measure the memory of an SBOM scan.\",\n      \
             \"licenses\": [{{\"license\": {{\"id\": \"{license}\"}}}}],\n      \
             \"hashes\": [{{\"alg\": \"SHA-256\", \"content\": \"{i:064x}\"}}],\n      \
             \"purl\": \"{p}\",\n      \
             \"externalReferences\": [{{\"type\": \"website\", \"url\": \"https://component-{i}.example\"}}, \
             {{\"type\": \"vcs\", \"url\": \"https://git.example/component-{i}.git\"}}],\n      \
             \"properties\": [{{\"name\": \"cdx:npm:package:path\", \"value\": \"node_modules/component-{i}\"}}]\n    }}",
            s = i % 300,
            v = i % 97,
            w = i % 13,
            license = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC"][i % 4],
        ));
        count += 1;
    }
    text.push_str("\n  ],\n  \"dependencies\": [\n");
    for i in 0..count {
        let after = if i + 1 < count {
            format!("\"{}\"", purl(i + 1))
        } else {
            String::new()
        };
        let comma = if i > 0 { ",\n" } else { "" };
        text.push_str(&format!(
            "{comma}    {{\"ref\": \"{}\", \"dependsOn\": [{after}]}}",
            purl(i)
        ));
    }
    text.push_str("\n  ],\n  \"vulnerabilities\": [\n");
    for i in 0..count / 50 {
        let comma = if i > 0 { ",\n" } else { "" };
        text.push_str(&format!(
            "{comma}    {{\"id\": \"CVE-2024-{}\", \"ratings\": [{{\"score\": 5.0, \"severity\": \"medium\"}}], \
             \"published\": \"2024-01-01T00:00:00Z\", \"analysis\": {{\"state\": \"not_affected\"}}, \
             \"affects\": [{{\"ref\": \"{}\"}}]}}",
            10_000 + i,
            purl(i * 50)
        ));
    }
    text.push_str("\n  ]\n}\n");
    text
}

/// A 20 MB SBOM is judged by the built-in catalog within eight times its size, though the
/// file size limit lets every collector read it: the config collector leaves SBOMs to the SBOM
/// collector (as a generic JSON document with a position for every node, it alone cost over
/// twenty times the file), which reads only the members its model needs.
#[test]
fn a_generated_sbom_is_scanned_within_eight_times_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let text = generated_cyclonedx(20 << 20);
    let size = i64::try_from(text.len()).unwrap();
    assert!(size > 19 << 20, "{size} bytes");
    std::fs::write(dir.path().join("bom.json"), text).unwrap();
    std::fs::write(
        dir.path().join("assay.yaml"),
        "collectors:\n  config:\n    max_file_size: 67108864\n",
    )
    .unwrap();
    let out = run(&[
        os("scan"),
        os("--soft-fail"),
        dir.path().as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let results = out.exited(0).json();
    assert_eq!(errors(&results), Vec::new());
    assert_eq!(results["skipped"], serde_json::json!([]));
    for id in [
        "sbom-present",
        "sbom-ntia-complete",
        "sbom-no-denied-licenses",
        "sbom-vulnerabilities-remediated",
    ] {
        assert_eq!(control(&results, id)["status"], "implemented", "{id}");
    }
    assert!(
        out.peak_kib * 1024 < 8 * size,
        "peak memory {} MiB for a {} MiB SBOM",
        out.peak_kib / 1024,
        size >> 20
    );
}

/// A YAML file 126 mappings deep under 1 KiB keys with 2,000 leaves at the bottom (2.4 MB):
/// each leaf's position used to be stored under its full pointer, 126 KiB apiece (300 MiB in
/// all); pointers now share their ancestors' keys.
#[test]
fn long_keys_deep_down_cost_their_size() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for depth in 0..126 {
        text.push_str(&format!(
            "{}k{depth:03}{}:\n",
            " ".repeat(depth),
            "x".repeat(1020)
        ));
    }
    for leaf in 0..2_000 {
        text.push_str(&format!(
            "{}leaf{leaf:06}{}: 1\n",
            " ".repeat(126),
            "y".repeat(1014)
        ));
    }
    std::fs::write(dir.path().join("deep.yaml"), text).unwrap();
    let out = run(&[
        os("scan"),
        os("--soft-fail"),
        dir.path().as_os_str(),
        os("--format"),
        os("json"),
    ]);
    let results = out.exited(0).json();
    assert_eq!(errors(&results), Vec::new());
    assert!(
        out.peak_kib < 128 * 1024,
        "peak memory {} MiB",
        out.peak_kib / 1024
    );
}

/// Relations over 10,000 buckets, each with its encryption resource in another file of the
/// module, are judged through the resource index (every bucket passes); 2,000 buckets sharing
/// one literal name that 1,001 resources refer to are each an error finding naming the limit
/// of related resources, instead of two million comparisons.
#[test]
fn relations_over_many_resources_stay_linear() {
    let repo = tempfile::tempdir().unwrap();
    let write = |path: &str, text: String| {
        let target = repo.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    };
    let buckets = (0..10_000)
        .map(|i| format!("resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"acme-{i}\"\n}}\n"))
        .collect();
    let encryption = (0..10_000)
        .map(|i| {
            format!(
                "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"b{i}\" {{\n  \
                 bucket = aws_s3_bucket.b{i}.id\n  rule {{\n    \
                 apply_server_side_encryption_by_default {{\n      sse_algorithm = \"AES256\"\n    \
                 }}\n  }}\n}}\n"
            )
        })
        .collect();
    write("scale/main.tf", buckets);
    write("scale/encryption.tf", encryption);
    let clash = (0..2_000)
        .map(|i| format!("resource \"aws_s3_bucket\" \"c{i}\" {{\n  bucket = \"acme-same\"\n}}\n"))
        .chain((0..1_001).map(|i| {
            format!(
                "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"c{i}\" {{\n  \
                 bucket = \"acme-same\"\n}}\n"
            )
        }))
        .collect();
    write("clash/main.tf", clash);
    let catalog = fixture("../../controls/terraform-aws");
    let out = scan(repo.path(), &catalog);
    let results = out.exited(0).json();
    let findings = control(&results, "tf-aws-s3-encryption")["findings"]
        .as_array()
        .unwrap();
    let of = |path: &str, status: &str| {
        findings
            .iter()
            .filter(|f| f["location"]["path"] == path && f["status"] == status)
            .collect::<Vec<_>>()
    };
    assert_eq!(of("scale/main.tf", "pass").len(), 10_000);
    let errors = of("clash/main.tf", "error");
    assert_eq!(errors.len(), 2_000, "one error per bucket of the clash");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains("more than the 1000 one item may have"),
        "{message}"
    );
    assert_eq!(findings.len(), 12_000, "nothing else is reported");
}

/// A 64 MiB audit log with an e-mail address on one line is scanned and packed in bounded
/// memory on eight threads: the pack used to read the whole file, copy it and redact the copy
/// (three times its size), and the reader held two rounds of two 8 MiB blocks per thread (256
/// MiB on eight); the pack now streams the file, checks its digest on the way and keeps only
/// the cited lines, and a round of blocks is at most 32 MiB whatever the thread count.
#[test]
fn a_large_audit_log_is_packed_as_an_excerpt_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("logs")).unwrap();
    let path = dir.path().join("logs/api.audit.jsonl");
    let mut log = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let (seeded, mut line) = (300_000u32, 0u32);
    while log.get_ref().metadata().unwrap().len() < 64 << 20 {
        for _ in 0..10_000 {
            line += 1;
            let detail = if line == seeded {
                ",\"detail\":\"contact jane.roe@contoso.org\""
            } else {
                ""
            };
            writeln!(
                log,
                "{{\"timestamp\":\"2024-01-01T00:{:02}:{:02}Z\",\"actor\":\"svc-{}\",\"action\":\"read\",\"resource\":\"/api/orders/{line}\",\"outcome\":\"success\"{detail}}}",
                line / 60 % 60,
                line % 60,
                line % 50
            )
            .unwrap();
        }
        log.flush().unwrap();
    }
    drop(log);
    let size = i64::try_from(std::fs::metadata(&path).unwrap().len()).unwrap();
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("../controls/audit-logging");
    let pack = dir.path().join("pack");
    let out = run(&[
        os("scan"),
        os("--soft-fail"),
        dir.path().join("logs").as_os_str(),
        os("--no-builtin"),
        os("--controls"),
        catalog.as_os_str(),
        os("--threads"),
        os("8"),
        os("--format"),
        os("json"),
        os("--pack"),
        pack.as_os_str(),
    ]);
    let results = out.exited(0).json();
    assert_eq!(
        control(&results, "audit-log-no-sensitive-data")["status"],
        "not_implemented"
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(pack.join("manifest.json")).unwrap()).unwrap();
    let entry = manifest["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "api.audit.jsonl")
        .unwrap_or_else(|| panic!("{manifest}"));
    assert_eq!(entry["keep"], "excerpt", "{entry}");
    assert_eq!(entry["size"], size);
    let lines = entry["lines"].as_array().unwrap();
    assert!(lines.contains(&seeded.into()), "{entry}");
    assert!(entry["redactions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["line"] == seeded && r["kind"] == "email"));
    let kept = std::fs::read_to_string(
        pack.join("evidence")
            .join(entry["sha256"].as_str().unwrap()),
    )
    .unwrap();
    assert_eq!(kept.lines().count(), lines.len());
    assert!(
        kept.contains("[REDACTED:email]") && !kept.contains("jane.roe"),
        "{kept}"
    );
    assert!(
        // About 110 MiB: two rounds of blocks, each thread's detector cache and the program;
        // either old behaviour alone would pass 190 MiB.
        out.peak_kib * 1024 < size * 5 / 2,
        "peak memory {} MiB for a {} MiB log",
        out.peak_kib / 1024,
        size >> 20
    );
}
