//! Policies the scanned repository or the person running assay supplies: Rego modules
//! (compiled as `--policy` does, then evaluated over fixed documents) and Cedar access
//! models (collected, then asked the built-in catalog's Cedar questions).

use std::sync::OnceLock;

use assay_collectors::access::AccessCollector;
use assay_collectors::config::collect_bytes;
use assay_collectors::limits::Limits;
use assay_collectors::{Collector, Document, Scope};
use assay_engine::check::{Budget, Check};
use assay_engine::policy_dir::PolicyDirs;

use super::evidence::POLICY;
use super::{texts, write, Sandbox, Target};

/// The documents Rego policies are evaluated over: the Rego test inputs of the repository.
fn rego_inputs(sandbox: &Sandbox) -> &'static [Document] {
    static INPUTS: OnceLock<Vec<Document>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        let dir = sandbox.repo().join("tests/fixtures/rego/inputs");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .filter_map(|name| Some((name, std::fs::read(dir.join(name)).ok()?)))
            .flat_map(|(name, bytes)| collect_bytes(name, &bytes).documents)
            .collect()
    })
}

pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "rego",
            about: "a Rego module of a --policy folder, compiled by PolicyDirs::controls and \
                    evaluated over the repository's Rego test inputs",
            fixtures: |p| p.ends_with(".rego"),
            seeds: || {
                texts(&[
                    "package main\nimport rego.v1\ndeny contains msg if {\n  some c in input.spec.containers\n  not startswith(c.image, \"registry/\")\n  msg := sprintf(\"%v\", [c.image])\n}\nwarn contains x if { x := count([y | y := walk(input)[_]]) }\n",
                    "package main\ndeny[msg] {\n  input.kind == \"Pod\"\n  msg := \"pod\"\n}\n",
                ])
            },
            tokens: &[
                "package main\n",
                "import rego.v1\n",
                "deny contains msg if ",
                "every x in input ",
                "some k, v in ",
                "walk(input, [p, v])",
                "regex.match(\"(a+)+$\", ",
                "numbers.range(0, 1e9)",
                "f(x) := f(x)\n",
                "http.send({})",
                "opa.runtime()",
                "json.unmarshal(",
                "input[_][_]",
            ],
            run: |sandbox, input| {
                let dir = sandbox.with_file("policy/fuzzed.rego", input);
                let text = String::from_utf8_lossy(input);
                let dirs = PolicyDirs {
                    policies: vec![dir.join("policy")],
                    all_namespaces: true,
                    rego_v0: text.contains("[msg] {"),
                    ..PolicyDirs::default()
                };
                if let Ok((controls, _)) = dirs.controls() {
                    for control in controls {
                        control.check.evaluate(rego_inputs(sandbox), &budget());
                    }
                }
            },
        },
        Target {
            name: "cedar",
            about: "Cedar policies of an access model, collected by the access collector and \
                    asked the built-in catalog's Cedar questions",
            fixtures: |p| p.ends_with(".cedar"),
            seeds: || texts(&[POLICY]),
            tokens: &[
                "permit(",
                "forbid(",
                "principal",
                "action in [",
                "resource",
                " when { ",
                " unless { ",
                "principal in Group::\"admins\"",
                "context.a.b",
                "if true then 1 else 2",
                "ip(\"10.0.0.0/8\")",
                "@id(\"a\")",
                "?principal",
                "like \"*a*\"",
            ],
            run: |sandbox, input| {
                let dir = sandbox.with_file("access/policies.cedar", input);
                write(&dir, "access/entities.json", ENTITIES.as_bytes());
                let Ok(collection) = AccessCollector.collect(&Scope::new(dir)) else {
                    return;
                };
                for control in &sandbox.builtin_catalog().controls {
                    if matches!(control.check, Check::Cedar(_)) {
                        control.check.evaluate(&collection.documents, &budget());
                    }
                }
            },
        },
    ]
}

/// Entities for the fuzzed Cedar policies.
const ENTITIES: &str = r#"[
  {"uid": {"type": "Group", "id": "admins"}, "attrs": {}, "parents": []},
  {"uid": {"type": "User", "id": "amara"}, "attrs": {"mfa": true, "shared": false}, "parents": [{"type": "Group", "id": "admins"}]},
  {"uid": {"type": "User", "id": "admin"}, "attrs": {"mfa": false, "shared": true}, "parents": []},
  {"uid": {"type": "Environment", "id": "production"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Database", "id": "prod-db"}, "attrs": {}, "parents": [{"type": "Environment", "id": "production"}]}
]"#;

/// The default per-control time budget, as a scan gives every check.
fn budget() -> Budget {
    Budget::start(&Limits::default())
}
