//! The conftest-compatibility suite (`../shared/corpus/dev/rego-suite`, answers computed by
//! OPA): every case runs through the code path of `assay scan --policy` — the policy set and
//! controls built by `PolicyDirs`, the documents of the config collector — and the counts and
//! sorted messages are compared with the expected ones, case by case.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use assay_collectors::{registry, Document, EvidenceKind, Scope};
use assay_engine::check::rego::EvalError;
use assay_engine::check::{Budget, Check};
use assay_engine::policy_dir::PolicyDirs;
use globset::{Glob, GlobSetBuilder};
use serde_json::Value;

/// Cases where regorus itself evaluates differently from OPA, with the reason. Neither an
/// engine setting nor a replacement builtin can change these; each must still differ (so the
/// entry goes once a regorus release fixes it), and every other case must match exactly.
const REGORUS_DEVIATIONS: &[(&str, &str)] = &[
    (
        "combined_unique_names",
        "regorus refuses `some k in {k | some k in keys}` (a comprehension variable named like the enclosing `some` variable): \"var `k` used before definition\"",
    ),
    (
        "terraform_required_tags",
        "regorus raises an error for `some k, _ in null`, where OPA iterates nothing",
    ),
];

/// What one file (or the combined input) gave, summed over its inputs and the namespaces.
#[derive(Debug, Default, PartialEq)]
struct Tally {
    documents: u64,
    failures: Vec<String>,
    warnings: Vec<String>,
    exceptions: Vec<String>,
    errors: Vec<String>,
}

fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assay_collectors::formats::yaml::parse(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .remove(0)
        .data
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn documents(case: &Path) -> Vec<Document> {
    let mut scope = Scope::new(case);
    let mut include = GlobSetBuilder::new();
    include.add(Glob::new("inputs/**").expect("glob"));
    scope.include = Some(include.build().expect("globset"));
    let mut docs = Vec::new();
    for collector in registry()
        .into_iter()
        .filter(|c| c.kind() == EvidenceKind::Config)
    {
        let found = collector.collect(&scope).expect("collect");
        assert!(
            found.errors.is_empty(),
            "{}: unparsable inputs: {:?}",
            case.display(),
            found.errors
        );
        docs.extend(found.documents);
    }
    docs.sort_by(|a, b| (&a.path, a.index).cmp(&(&b.path, b.index)));
    docs
}

/// Runs one case; `Err` holds the compile diagnostics when the policy set is refused.
fn run(case: &Path, rego_v0: bool) -> Result<BTreeMap<String, Tally>, String> {
    let spec = read_yaml(&case.join("case.yaml"));
    let data = case.join("data");
    let dirs = PolicyDirs {
        policies: vec![case.join("policy")],
        data: if data.is_dir() {
            vec![data]
        } else {
            Vec::new()
        },
        namespaces: strings(&spec["namespaces"]),
        all_namespaces: spec["all_namespaces"] == true,
        rego_v0,
        combine: spec["mode"] == "combined",
    };
    let (controls, _) = dirs.controls().map_err(|errors| {
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let docs = documents(case);
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for (n, control) in controls.iter().enumerate() {
        let Check::Rego(rego) = &control.check else {
            panic!("{} is not a Rego check", control.id);
        };
        let budget = Budget::start(&Default::default());
        for outcome in rego.outcomes(&docs, &budget) {
            let key = outcome.path.clone().unwrap_or_else(|| "combined".into());
            let tally = tallies.entry(key).or_default();
            if n == 0 {
                tally.documents += 1;
            }
            match outcome.result {
                Ok(o) => {
                    tally
                        .failures
                        .extend(o.failures.into_iter().map(|m| m.text));
                    tally
                        .warnings
                        .extend(o.warnings.into_iter().map(|m| m.text));
                    tally.exceptions.extend(o.exceptions.iter().map(|name| {
                        format!("data.{}.exception[_][_] == {name:?}", rego.namespace())
                    }));
                }
                Err(EvalError::Result(m)) => tally.errors.push(format!("conftest: {m}")),
                Err(e) => tally.errors.push(format!("eval_error: {}", e.message())),
            }
        }
    }
    for tally in tallies.values_mut() {
        tally.failures.sort();
        tally.warnings.sort();
        tally.exceptions.sort();
    }
    Ok(tallies)
}

/// The differences between what assay gave and `expected.yaml`, one line each.
fn compare(expected: &Value, actual: &Result<BTreeMap<String, Tally>, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let tallies = match (actual, expected.get("compile_error")) {
        (Err(_), Some(_)) => return problems,
        (Err(e), None) => return vec![format!("refused the policy: {e}")],
        (Ok(_), Some(want)) => return vec![format!("accepted a policy OPA refuses: {want}")],
        (Ok(t), None) => t,
    };
    let empty = serde_json::Map::new();
    let results = expected["results"].as_object().unwrap_or(&empty);
    let none = Tally::default();
    for (file, want) in results {
        let got = tallies.get(file).unwrap_or(&none);
        if want.get("error").is_some() {
            if got.errors.is_empty() {
                problems.push(format!("{file}: expected an error ({})", want["error"]));
            }
            continue;
        }
        if !got.errors.is_empty() {
            problems.push(format!("{file}: unexpected error {:?}", got.errors));
            continue;
        }
        let count = |key: &str| want[key].as_u64().unwrap_or(0);
        if got.documents != count("documents") {
            problems.push(format!(
                "{file}: {} documents, expected {}",
                got.documents,
                count("documents")
            ));
        }
        for (key, list, counted) in [
            ("failure_messages", &got.failures, "failures"),
            ("warning_messages", &got.warnings, "warnings"),
            ("exception_queries", &got.exceptions, "exceptions"),
        ] {
            let wanted = strings(&want[key]);
            if list.len() as u64 != count(counted) || *list != wanted {
                problems.push(format!(
                    "{file}: {counted} {list:?}, expected {} {wanted:?}",
                    count(counted)
                ));
            }
        }
    }
    for file in tallies.keys() {
        if !results.contains_key(file) {
            problems.push(format!("{file}: not in expected.yaml"));
        }
    }
    problems
}

#[test]
fn conftest_suite_gives_opas_answers() {
    let Some(suite) = common::corpus("rego-suite") else {
        return;
    };
    let mut cases: Vec<_> = std::fs::read_dir(&suite)
        .expect("suite")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.yaml").is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no case in {}", suite.display());
    let mut failed = Vec::new();
    let mut known = 0;
    println!("{:<36} {:<9} {:<7} result", "case", "mode", "engine");
    let mut row = |name: String, mode: &str, engine: &str, problems: Vec<String>| {
        let deviation = REGORUS_DEVIATIONS.iter().find(|(case, _)| *case == name);
        let verdict = match (problems.is_empty(), deviation) {
            (true, None) => "ok",
            (false, None) => "MISMATCH",
            (false, Some(_)) => "known regorus deviation",
            (true, Some(_)) => "MATCHES NOW: remove it from REGORUS_DEVIATIONS",
        };
        println!("{name:<36} {mode:<9} {engine:<7} {verdict}");
        if let Some((_, reason)) = deviation {
            println!("    {reason}");
        }
        for p in &problems {
            println!("    {p}");
        }
        match (problems.is_empty(), deviation) {
            (false, Some(_)) => known += 1,
            (true, None) => {}
            _ => failed.push(name),
        }
    };
    for case in &cases {
        let name = case
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let expected = read_yaml(&case.join("expected.yaml"));
        let mode = expected["mode"].as_str().unwrap_or("per-file").to_string();
        row(
            name.clone(),
            &mode,
            "v1",
            compare(&expected, &run(case, false)),
        );
        // A v0 module with a v1 twin: in v0 mode it must give the twin's answers.
        let twin = suite.join(format!("{name}_ported"));
        if twin.is_dir() {
            let expected = read_yaml(&twin.join("expected.yaml"));
            row(
                format!("{name} (as {name}_ported)"),
                &mode,
                "v0",
                compare(&expected, &run(case, true)),
            );
        }
    }
    println!(
        "rego suite: {} cases, {} known regorus deviations, {} unexpected",
        cases.len(),
        known,
        failed.len()
    );
    assert!(failed.is_empty(), "unexpected results: {failed:?}");
}
