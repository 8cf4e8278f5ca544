//! End-to-end tests of `assay scan` over fixture repositories.

use crate::common;

use common::{assay, control, findings, fixture, json};
use serde_json::Value;

fn operators_scan(extra: &[&str]) -> std::process::Output {
    assay()
        .arg("scan")
        .arg(fixture("operators/repo"))
        .arg("--no-builtin")
        .arg("--controls")
        .arg(fixture("operators/catalog"))
        .args(["--format", "json"])
        .args(extra)
        .output()
        .unwrap()
}

/// Every operator and combinator gives the expected verdict on each item, and failures point
/// at the offending node's line with the offending value quoted.
#[test]
fn every_operator_and_combinator() {
    let out = operators_scan(&["--soft-fail"]);
    common::exited(&out, 0);
    let r = json(&out);
    let expect_pass = |id: &str, passing: &str| {
        let pass = findings(&r, id, "pass");
        let fail = findings(&r, id, "fail");
        assert_eq!(
            (pass.len(), fail.len()),
            (1, 1),
            "{id}: {:?}",
            control(&r, id)
        );
        let resource = |f: &Value| f["resource"].as_str().unwrap().to_string();
        assert_eq!(resource(pass[0]), format!("Item/default/{passing}"), "{id}");
    };
    for (id, passing) in [
        ("op-equals", "a"),
        ("op-not-equals", "a"),
        ("op-in", "a"),
        ("op-not-in", "a"),
        ("op-exists", "b"),
        ("op-absent", "a"),
        ("op-matches", "a"),
        ("op-not-matches", "a"),
        ("op-gt", "b"),
        ("op-gte", "b"),
        ("op-lt", "a"),
        ("op-lte", "a"),
        ("op-count", "a"),
    ] {
        expect_pass(id, passing);
    }
    // The failing node of op-equals is `flag: false` on line 16 of the second document.
    let fail = &findings(&r, "op-equals", "fail")[0];
    assert_eq!(fail["location"]["path"], "items.yaml");
    assert_eq!(fail["location"]["line"], 16);
    assert_eq!(fail["message"], "item `b`: value `false` at flag");
    // A missing node fails a positive operator at the item itself.
    let missing = &findings(&r, "op-exists", "fail")[0];
    assert_eq!(
        missing["message"],
        "item `a`: value `(missing)` at the item"
    );
    assert_eq!(missing["location"]["line"], 2);

    assert_eq!(findings(&r, "comb-any", "pass").len(), 2);
    let none = findings(&r, "comb-none", "fail");
    assert_eq!(none.len(), 1);
    assert_eq!(none[0]["message"], "item `b` says `world`");
    assert_eq!(findings(&r, "comb-nested", "pass").len(), 2);

    let tf = findings(&r, "tf-public", "fail");
    assert_eq!(tf.len(), 1);
    assert_eq!(tf[0]["resource"], "aws_s3_bucket.open");
    assert_eq!(tf[0]["message"], "aws_s3_bucket.open has acl `public-read`");
    assert_eq!(tf[0]["location"]["line"], 4);
}

/// Scores: control share of items, requirement weighted mean, framework mean and coverage.
#[test]
fn scores_roll_up_to_requirements_and_frameworks() {
    let r = json(&operators_scan(&[]));
    assert_eq!(control(&r, "op-equals")["score"], 50.0);
    assert_eq!(control(&r, "op-equals")["status"], "partial");
    assert_eq!(control(&r, "comb-any")["status"], "implemented");
    let fw = &r["frameworks"][0];
    assert_eq!(fw["id"], "test");
    // Within the framework, item `a` fails op-gt and item `b` fails op-equals and comb-none:
    // neither is sound, so each mapped control counts its passing item as failing. T1 =
    // mean(0, 0), T2 = 0, T3 unmapped: framework 0, coverage 2/3.
    let adjusted = &fw["adjusted_controls"];
    assert_eq!(
        adjusted.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["comb-none", "op-equals", "op-gt"]
    );
    assert_eq!(adjusted["op-equals"]["score"], 0.0);
    assert_eq!(adjusted["op-equals"]["failing_elsewhere"], 1);
    assert_eq!(fw["requirements"][0]["score"], 0.0);
    assert_eq!(fw["score"], 0.0);
    assert_eq!(fw["coverage"], 66.67);
    assert_eq!(fw["requirements"][2]["status"], "not_assessed");
    assert_eq!(fw["rating"], "red");
}

/// Multi-document YAML gives one item per document, each located in its own document.
#[test]
fn multi_document_yaml() {
    let r = json(&operators_scan(&[]));
    let lines: Vec<u64> = control(&r, "op-gt")["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![5, 10]);
    assert_eq!(r["scan"]["documents"], 3);
}

/// A malformed file becomes an error entry naming file:line; the rest of the scan goes on.
#[test]
fn malformed_input_is_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("operators/repo/items.yaml"),
        dir.path().join("items.yaml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "kind: Item\nspec: [1, 2\n").unwrap();
    std::fs::write(dir.path().join("blob.json"), b"\x00\x01\x02binary").unwrap();
    let out = common::scan_catalog(
        dir.path(),
        fixture("operators/catalog"),
        &["--format", "json", "--soft-fail"],
    );
    assert_eq!(out.status.code(), Some(0));
    let r = json(&out);
    assert_eq!(r["errors"][0]["path"], "broken.yaml");
    assert_eq!(r["errors"][0]["status"], "error");
    assert!(r["errors"][0]["line"].as_u64().unwrap() >= 2);
    assert_eq!(r["skipped"][0]["path"], "blob.json");
    assert_eq!(findings(&r, "op-equals", "fail").len(), 1);
    // The terminal summary names the file and line too.
    let text = common::scan_catalog(dir.path(), fixture("operators/catalog"), &[]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("broken.yaml:3:1"), "{stdout}");
}

/// A broken control stops the run before scanning: exit 2 and file:line:column on stderr.
#[test]
fn broken_control_exits_2_with_location() {
    let dir = tempfile::tempdir().unwrap();
    let control = dir.path().join("bad");
    std::fs::create_dir_all(&control).unwrap();
    std::fs::write(
        control.join("control.yaml"),
        "id: bad\ntitle: t\ndescription: d\nfamily: x\nseverity: hihg\nremediation: r\ncheck:\n  assert:\n    all:\n      - path: \"$.a[\"\n        equals: 1\n    message: m\n",
    )
    .unwrap();
    let out = common::scan_catalog(fixture("operators/repo"), dir.path(), &[]);
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains("control.yaml:5:1: error: invalid value `hihg`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `high`?"), "{stderr}");
    assert!(
        stderr.contains("control.yaml:10:9: error: invalid JSONPath"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

/// The same input gives the same JSON, but for timestamps, whatever the thread count.
#[test]
fn output_is_deterministic_across_thread_counts() {
    let run = |threads: &str| {
        let out = assay()
            .args(["--threads", threads, "scan"])
            .arg(fixture("sample-repo"))
            .args(["--format", "json"])
            .output()
            .unwrap();
        let mut r = json(&out);
        r["scan"]["started_at"] = Value::Null;
        r["scan"]["finished_at"] = Value::Null;
        serde_json::to_string(&r).unwrap()
    };
    let one = run("1");
    assert_eq!(one, run("4"));
    assert_eq!(one, run("2"));
}

/// Exit codes: 0 passed, 1 gate failed (the default gate, --fail-under, --fail-on), 2 usage
/// errors; `--soft-fail` only reports.
#[test]
fn exit_codes() {
    let code = |extra: &[&str]| operators_scan(extra).status.code();
    // The default gate: `tf-public` (critical) and `comb-none` (high) fail.
    assert_eq!(code(&[]), Some(1));
    assert_eq!(code(&["--soft-fail"]), Some(0));
    assert_eq!(code(&["--fail-under", "60", "--soft-fail"]), Some(0));
    assert_eq!(code(&["--fail-under", "60"]), Some(1));
    assert_eq!(code(&["--fail-on", "critical"]), Some(1));
    assert_eq!(code(&["--framework", "tset"]), Some(2));
    assert_eq!(code(&["--fail-under", "120"]), Some(2));
    assert_eq!(code(&["--no-such-flag"]), Some(2));
    let missing = assay().args(["scan", "/nonexistent/dir"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let unknown = assay()
        .args(["scan", "--framework", "tset", "--no-builtin", "--controls"])
        .arg(fixture("operators/catalog"))
        .arg(fixture("operators/repo"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `test`?"));
}

/// The gate names what failed it in the terminal summary.
#[test]
fn gate_reasons_are_printed() {
    let out = common::scan_catalog(
        fixture("operators/repo"),
        fixture("operators/catalog"),
        &["--fail-on", "critical"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("Result: gate failed on tf-public"),
        "{stdout}"
    );
    assert!(
        stdout.contains("tf-public  (critical) has 1 failing item(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("infra.tf.json:4"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}'),
        "NO_COLOR must switch colours off"
    );
}

/// Precedence: CLI flags over ASSAY_* environment over assay.yaml over defaults.
#[test]
fn config_precedence() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("operators/repo/items.yaml"),
        dir.path().join("items.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("assay.yaml"),
        "builtin: false\ngate:\n  fail_under: 60\n  fail_on: critical\n",
    )
    .unwrap();
    let run = |env: Option<&str>, flag: Option<&str>| {
        let mut cmd = assay();
        cmd.arg("scan")
            .arg(dir.path())
            .arg("--controls")
            .arg(fixture("operators/catalog"))
            .args(["--format", "json"]);
        if let Some(v) = env {
            cmd.env("ASSAY_FAIL_UNDER", v);
        }
        if let Some(v) = flag {
            cmd.args(["--fail-under", v]);
        }
        cmd.output().unwrap().status.code()
    };
    assert_eq!(run(None, None), Some(1), "file: fail_under 60 > score 0");
    assert_eq!(run(Some("0"), None), Some(0), "env overrides file");
    assert_eq!(run(Some("0"), Some("90")), Some(1), "flag overrides env");
    std::fs::write(dir.path().join("assay.yaml"), "gate:\n  fail_undr: 60\n").unwrap();
    let out = assay().arg("scan").arg(dir.path()).output().unwrap();
    let stderr = common::exited(&out, 2);
    assert!(
        stderr.contains("assay.yaml:2:3: error: unknown key `fail_undr`"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `fail_under`?"), "{stderr}");
}

/// `--output` writes the JSON to a file, and that JSON validates against the results schema.
#[test]
fn json_output_matches_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results.json");
    let out = assay()
        .arg("scan")
        .arg(fixture("sample-repo"))
        .args(["--format", "json", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
    let results: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let schema: Value =
        serde_json::from_str(include_str!("../schemas/results.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&results)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(results["schema_version"], "1.4.0");
    assert!(results["controls"].as_array().unwrap().len() >= 15);
}

fn sample_scan(extra: &[&str]) -> String {
    let out = assay()
        .arg("scan")
        .arg(fixture("sample-repo"))
        .args(["--soft-fail", "--now", "2026-11-22T00:00:00Z"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// `--quiet`, `--compact` and `--severity` change what the terminal shows, never the gate.
#[test]
fn terminal_display_flags() {
    let full = sample_scan(&[]);
    assert!(
        full.contains("Frameworks") && full.contains("fix:"),
        "{full}"
    );

    let quiet = sample_scan(&["--quiet"]);
    assert!(!quiet.contains("Frameworks"), "{quiet}");
    assert!(quiet.contains("k8s-privileged-container"), "{quiet}");
    assert!(quiet.contains("Result: no gate set"), "{quiet}");
    assert!(quiet.lines().count() < full.lines().count());

    let compact = sample_scan(&["--compact"]);
    assert!(!compact.contains("fix: Use acl"), "{compact}");
    assert!(compact.contains("terraform/main.tf:35"), "{compact}");
    assert!(!compact.contains("uses the canned ACL"), "{compact}");

    let critical = sample_scan(&["--severity", "critical"]);
    assert!(critical.contains("CRITICAL"), "{critical}");
    for other in ["HIGH ", "MEDIUM ", "LOW "] {
        assert!(
            !critical.contains(&format!("✗ {other}")),
            "{other}: {critical}"
        );
    }
}

/// The default summary of the sample repository fits about a screen; `--verbose` shows every
/// failure with its message and fix, each control missing evidence and each attestation.
#[test]
fn terminal_summary_fits_a_screen_and_verbose_shows_everything() {
    let brief = sample_scan(&[]);
    assert!(
        brief.lines().count() <= 60,
        "{} lines:\n{brief}",
        brief.lines().count()
    );
    let verbose = sample_scan(&["--verbose"]);
    assert!(verbose.lines().count() > 100, "{verbose}");
    let results = json(
        &assay()
            .arg("scan")
            .arg(fixture("sample-repo"))
            .args(["--now", "2026-11-22T00:00:00Z", "--format", "json"])
            .output()
            .unwrap(),
    );
    // Every failing automated control is named in the verbose summary, the high and critical
    // ones in the brief one too; their findings only in the verbose one.
    for c in results["controls"].as_array().unwrap() {
        let failing = c["kind"] == "automated"
            && ["partial", "not_implemented", "error"].contains(&c["status"].as_str().unwrap());
        if failing {
            let id = c["id"].as_str().unwrap();
            assert!(verbose.contains(id), "{id}");
            if ["high", "critical"].contains(&c["severity"].as_str().unwrap()) {
                assert!(brief.contains(&format!("{id}  ")), "{id}");
            }
        }
    }
    assert!(
        verbose.contains("uses the canned ACL `public-read`"),
        "{verbose}"
    );
    assert!(
        !brief.contains("uses the canned ACL `public-read`"),
        "{brief}"
    );
    // Percentages are written as percentages, and no message quotes a raw JSONPath.
    for line in brief.lines().filter(|l| l.starts_with("  ● ")) {
        let glued = line
            .as_bytes()
            .windows(2)
            .any(|w| w[0].is_ascii_digit() && w[1] == b'%');
        assert!(!glued && line.contains(" %  (automated "), "{line}");
    }
    assert!(!verbose.contains("$['"), "{verbose}");
    assert!(
        verbose.contains("`containers[0].securityContext.runAsUser` is `0`"),
        "{verbose}"
    );
}

/// "Fix first" names the failing controls whose fix raises the scores most, in the order of
/// the results' `fix_first`, with the points each framework gains: waiving every failure of
/// the first one (waived findings score as passing) raises each framework by those points.
#[test]
fn fix_first_names_the_fixes_that_raise_the_scores_most() {
    let scan_json = |extra: &[&str]| {
        json(
            &assay()
                .arg("scan")
                .arg(fixture("sample-repo"))
                .args(["--now", "2026-11-22T00:00:00Z", "--format", "json"])
                .args(extra)
                .output()
                .unwrap(),
        )
    };
    let results = scan_json(&[]);
    let fix_first = results["fix_first"].as_array().unwrap();
    assert!(
        !fix_first.is_empty() && fix_first.len() <= 5,
        "{fix_first:?}"
    );
    let total = |f: &Value| -> f64 {
        f["gains"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["points"].as_f64().unwrap())
            .sum()
    };
    for pair in fix_first.windows(2) {
        assert!(total(&pair[0]) >= total(&pair[1]), "{fix_first:?}");
    }
    let text = sample_scan(&[]);
    let block: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Fix first"))
        .skip(1)
        .filter(|l| !l.trim_start().starts_with("fix:"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(block.len(), fix_first.len(), "{text}");
    for (i, (line, f)) in block.iter().zip(fix_first).enumerate() {
        let id = f["control"].as_str().unwrap();
        assert!(line.starts_with(&format!("  {}. ", i + 1)), "{line}");
        assert!(line.contains(id), "{line}");
        for g in f["gains"].as_array().unwrap() {
            let shown = format!(
                "+{:.1} {}",
                g["points"].as_f64().unwrap(),
                g["framework"].as_str().unwrap()
            );
            assert!(line.contains(&shown), "{line} lacks {shown}");
        }
    }

    let first = &fix_first[0];
    let id = first["control"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let waivers = dir.path().join("waivers.yaml");
    std::fs::write(
        &waivers,
        format!("waivers:\n  - control: {id}\n    justification: what fixing it would score\n"),
    )
    .unwrap();
    let fixed = scan_json(&["--waivers", waivers.to_str().unwrap()]);
    let score = |r: &Value, framework: &str| -> f64 {
        r["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == framework)
            .unwrap()["score"]
            .as_f64()
            .unwrap()
    };
    for g in first["gains"].as_array().unwrap() {
        let framework = g["framework"].as_str().unwrap();
        let gained = score(&fixed, framework) - score(&results, framework);
        assert!(
            (gained - g["points"].as_f64().unwrap()).abs() < 0.02,
            "{framework}: {gained} vs {g}"
        );
    }
}

/// `controls list --framework/--family` list only what they name; an unknown framework is a
/// usage error.
#[test]
fn controls_list_filters() {
    let list = |args: &[&str]| {
        let out = assay()
            .args(["controls", "list", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        json(&out).as_array().unwrap().clone()
    };
    let all = list(&[]);
    let gdpr = list(&["--framework", "gdpr"]);
    assert!(!gdpr.is_empty() && gdpr.len() < all.len());
    assert!(gdpr.iter().all(|c| c["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["framework"] == "gdpr")));
    let secrets = list(&["--family", "secrets"]);
    assert!(!secrets.is_empty());
    assert!(secrets.iter().all(|c| c["family"] == "secrets"));
    let out = assay()
        .args(["controls", "list", "--framework", "soc-2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The completion script loads in bash and the manual page renders with `man -l`.
#[test]
fn completions_and_manual_page() {
    let script = assay().args(["completions", "bash"]).output().unwrap();
    assert_eq!(script.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("assay.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    let loaded = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}' && complete -p assay", path.display()))
        .output()
        .unwrap();
    assert!(loaded.status.success(), "{loaded:?}");
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("assay"));

    let page = assay().arg("man").output().unwrap();
    assert_eq!(page.status.code(), Some(0));
    let man_page = dir.path().join("assay.1");
    std::fs::write(&man_page, &page.stdout).unwrap();
    let rendered = std::process::Command::new("man")
        .arg("-l")
        .arg(&man_page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output();
    match rendered {
        Ok(out) => {
            assert!(out.status.success(), "{out:?}");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("Policy-as-code compliance engine"), "{text}");
            assert!(text.contains("completions"), "{text}");
        }
        Err(e) if std::env::var_os("CI").is_some() => panic!("man is needed in CI: {e}"),
        Err(e) => eprintln!("skipped: cannot run man ({e}); install man-db"),
    }
}

/// With the built-in catalog, a workflow expanding a commit message into a script, a Dockerfile
/// without HEALTHCHECK and an Anthropic key in a source file each give one failing finding at
/// the offending line, and the key itself appears nowhere in the results.
#[test]
fn pipeline_image_and_key_findings_at_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    };
    write(
        ".github/workflows/notify.yml",
        "name: notify\non: push\npermissions: {}\njobs:\n  say:\n    runs-on: ubuntu-24.04\n    steps:\n      - name: Announce\n        run: echo \"${{ github.event.head_commit.message }}\"\n",
    );
    write(
        "Dockerfile",
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nUSER 10001\nCMD [\"python\", \"app.py\"]\n",
    );
    // Assembled at run time: no key-shaped literal in this repository.
    let key = format!(
        "sk-ant-{}-{}AA",
        "api03",
        "FakeKey0nly_".repeat(8).get(..93).unwrap()
    );
    write("app.py", &format!("import os\n\nCLIENT_KEY = \"{key}\"\n"));
    let out = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let r = json(&out);
    for (id, path, line, fragment) in [
        (
            "gha-script-injection",
            ".github/workflows/notify.yml",
            9,
            "`${{ github.event.head_commit.message }}`",
        ),
        ("docker-healthcheck", "Dockerfile", 1, "has no HEALTHCHECK"),
        (
            "secrets-in-files",
            "app.py",
            3,
            "anthropic_api_key in app.py:3",
        ),
    ] {
        let failed = findings(&r, id, "fail");
        assert_eq!(failed.len(), 1, "{id}: {failed:?}");
        let f = failed[0];
        assert_eq!(f["location"]["path"], path, "{id}: {f}");
        assert_eq!(f["location"]["line"], line, "{id}: {f}");
        assert!(
            f["message"].as_str().unwrap().contains(fragment),
            "{id}: {f}"
        );
    }
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&key));
}
