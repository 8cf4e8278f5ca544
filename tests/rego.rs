//! End-to-end tests of Rego checks: `assay scan --policy` over conftest-style policies
//! (failures, warnings, waived exceptions, object results, namespaces, combined input, v0,
//! compile errors, runaway policies) and controls written in Rego.

use crate::common;

use common::{assay, control, fixture, json};
use serde_json::Value;

fn rego(path: &str) -> String {
    fixture(&format!("rego/{path}")).display().to_string()
}

/// `(status, resource, message, path, line)` of every finding of a control.
fn rows(results: &Value, id: &str) -> Vec<(String, String, String, String, u64)> {
    control(results, id)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
            (
                text(&f["status"]),
                text(&f["resource"]),
                text(&f["message"]),
                text(&f["location"]["path"]),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn scan_policy(root: &str, extra: &[&str]) -> std::process::Output {
    assay()
        .args([
            "scan",
            &rego(root),
            "--no-builtin",
            "--format",
            "json",
            "--soft-fail",
        ])
        .args(extra)
        .output()
        .expect("assay runs")
}

fn row(
    status: &str,
    resource: &str,
    message: &str,
    path: &str,
    line: u64,
) -> (String, String, String, String, u64) {
    (
        status.into(),
        resource.into(),
        message.into(),
        path.into(),
        line,
    )
}

/// deny (strings), violation_* (objects with msg), warn_* and an exception that waives deny
/// for one document; findings carry the input file and the line its document starts at.
#[test]
fn policy_dir_reports_failures_warnings_and_waived_results() {
    let out = scan_policy(
        "inputs",
        &[
            "--policy",
            &rego("policy"),
            "--policy",
            &rego("lib"),
            "--data",
            &rego("data"),
        ],
    );
    common::exited(&out, 0);
    let results = json(&out);
    let ids: Vec<&str> = results["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, vec!["policy.main"], "only namespace main by default");
    assert_eq!(
        rows(&results, "policy.main"),
        vec![
            row("pass", "Deployment/default/api", "passed", "api.json", 1),
            row("pass", "ConfigMap/default/a", "passed", "settings.json", 2),
            row("pass", "ConfigMap/default/b", "passed", "settings.json", 3),
            row(
                "fail",
                "Deployment/default/web",
                "Deployment/web: container app is privileged",
                "workloads.yaml",
                1
            ),
            row(
                "fail",
                "Deployment/default/web",
                "Deployment/web: image nginx:latest uses the latest tag",
                "workloads.yaml",
                1
            ),
            row(
                "warn",
                "Deployment/default/web",
                "web: 1 replica(s), fewer than 2",
                "workloads.yaml",
                1
            ),
            row(
                "waived",
                "Pod/default/batch",
                "Pod/batch: container worker is privileged (waived by an exception for `deny`)",
                "workloads.yaml",
                15
            ),
        ]
    );
    let c = control(&results, "policy.main");
    // Two failures of one Deployment: one failing item.
    assert_eq!(
        (c["failed"].as_u64(), c["waived"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(
        c["family"] == "policy"
            && results["frameworks"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["requirements"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|r| !r["controls"].to_string().contains("policy.main"))),
        "policy controls are mapped to no framework"
    );
}

/// `--namespace` picks packages, `--all-namespaces` takes every package with rules (the
/// helper package `lib.k8s` has none), and an unknown package is refused with a hint.
#[test]
fn namespaces_select_packages() {
    let policies = [
        "--policy",
        &rego("policy"),
        "--policy",
        &rego("lib"),
        "--data",
        &rego("data"),
    ];
    let ids = |out: &std::process::Output| -> Vec<String> {
        json(out)["controls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let all = scan_policy("inputs", &[&policies[..], &["--all-namespaces"]].concat());
    assert_eq!(ids(&all), vec!["policy.main", "policy.other"]);
    let other = scan_policy(
        "inputs",
        &[&policies[..], &["--namespace", "other"]].concat(),
    );
    assert_eq!(ids(&other), vec!["policy.other"]);
    let fails: Vec<_> = rows(&json(&other), "policy.other")
        .into_iter()
        .filter(|r| r.0 == "fail")
        .collect();
    assert_eq!(
        fails,
        vec![row(
            "fail",
            "ConfigMap/default/a",
            "ConfigMaps must not hold passwords",
            "settings.json",
            2
        )]
    );

    let unknown = scan_policy(
        "inputs",
        &[&policies[..], &["--namespace", "otehr"]].concat(),
    );
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert_eq!(unknown.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no package `otehr` in the policies"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `--namespace other`?"),
        "{stderr}"
    );
}

/// `--combine` evaluates every document at once as `[{path, contents}]`, so a policy can see
/// a name defined in two files.
#[test]
fn combined_mode_sees_all_documents_together() {
    let out = scan_policy(
        "combined/inputs",
        &["--policy", &rego("combined/policy"), "--combine"],
    );
    common::exited(&out, 0);
    let results = json(&out);
    let c = control(&results, "policy.main");
    let findings = c["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["status"], "fail");
    assert_eq!(findings[0]["message"], "Service/web is defined 2 times");
    assert_eq!(findings[0]["resource"], "combined input (3 documents)");
    assert_eq!(findings[0]["evidence"].as_array().map(Vec::len), Some(2));

    let per_file = scan_policy("combined/inputs", &["--policy", &rego("combined/policy")]);
    let results = json(&per_file);
    assert!(rows(&results, "policy.main").iter().all(|r| r.0 == "pass"));
}

/// A syntax error names the module's file:line:column and nothing is scanned.
#[test]
fn syntax_error_names_file_line_and_column() {
    let out = scan_policy("inputs", &["--policy", &rego("broken")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:4:6: error: expecting `}}`",
            rego("broken/bad.rego")
        )),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was scanned"), "{stderr}");
}

/// Rules that depend on each other never finish: every input ends as an `error` finding that
/// names the control, and the scan goes on.
#[test]
fn endless_recursion_ends_as_error_findings() {
    let out = scan_policy("inputs", &["--policy", &rego("recursive-rule")]);
    common::exited(&out, 0);
    let results = json(&out);
    let c = control(&results, "policy.main");
    assert_eq!(c["status"], "error");
    let rows = rows(&results, "policy.main");
    assert_eq!(rows.len(), 5, "one error per input: {rows:?}");
    for (status, _, message, _, _) in rows {
        assert_eq!(status, "error");
        assert!(
            message.starts_with("control `policy.main`: Rego evaluation failed: "),
            "{message}"
        );
        assert!(
            message.contains("loop.rego:4:1: recursion detected"),
            "{message}"
        );
    }
}

/// A recursive function would overflow the stack: it is refused before anything runs, as
/// OPA refuses it.
#[test]
fn recursive_function_is_refused_at_compile_time() {
    let out = scan_policy("inputs", &["--policy", &rego("recursive-function")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("fact.rego:3:1: error: function `data.main.fact` is recursive: data.main.fact → data.main.fact"), "{stderr}");
}

/// v0 modules are refused with a hint, and read with `--rego-v0`.
#[test]
fn v0_policies_need_the_flag() {
    let out = scan_policy("inputs", &["--policy", &rego("v0")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("legacy.rego:3:11: error: `if` keyword is required before rule body"),
        "{stderr}"
    );
    assert!(stderr.contains("--rego-v0"), "{stderr}");

    let out = scan_policy("inputs", &["--policy", &rego("v0"), "--rego-v0"]);
    common::exited(&out, 0);
    let fails: Vec<String> = rows(&json(&out), "policy.main")
        .into_iter()
        .filter(|r| r.0 == "fail")
        .map(|r| r.2)
        .collect();
    assert_eq!(fails, vec!["api may run as root", "web may run as root"]);
}

/// A control written in Rego (module beside control.yaml, parameters, a data file, a
/// selector) passes its own pass and fail cases.
#[test]
fn rego_control_passes_its_test_cases() {
    let out = assay()
        .args(["controls", "test", "--no-builtin"])
        .arg(rego("catalog"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("test rego-image-registry::fail/public-images.yaml ... ok"),
        "{stdout}"
    );
    assert!(
        stdout.contains("test rego-image-registry::pass/approved.yaml ... ok"),
        "{stdout}"
    );
}

/// A policy that loops for too long is stopped by its time limit and reported as an error
/// naming the control.
#[test]
fn runaway_policy_is_stopped_by_the_time_limit() {
    let out = assay()
        .args([
            "scan",
            &rego("runaway/rego-runaway/tests/error"),
            "--no-builtin",
            "--format",
            "json",
            "--controls",
        ])
        .arg(rego("runaway"))
        .output()
        .unwrap();
    common::exited(&out, 0);
    let results = json(&out);
    let rows = rows(&results, "rego-runaway");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "error");
    assert_eq!(
        rows[0].2,
        "control `rego-runaway`: evaluation stopped: the input took longer than the time limit of 200 ms"
    );
}

/// Errors in an inline module point into control.yaml: its line plus the block's offset,
/// its column plus the block's indentation.
#[test]
fn inline_module_errors_point_into_control_yaml() {
    let out = assay()
        .args(["controls", "lint", "--no-builtin"])
        .arg(rego("bad-inline"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    let file = rego("bad-inline/rego-bad-inline/control.yaml");
    assert!(
        stderr.contains(&format!("{file}:13:15: error: expecting `}}`")),
        "{stderr}"
    );
}
