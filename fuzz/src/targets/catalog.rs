//! Files the person running assay or the scanned repository supplies about the scan itself:
//! control and mapping YAML of a catalog folder, `assay.yaml` (with the collector settings it
//! hands to the collectors) and the waivers file.

use std::time::{Duration, UNIX_EPOCH};

use assay_collectors::{registry, EvidenceKind, Scope};
use assay_engine::catalog::{load, CatalogRoot};
use assay_engine::config::Config;
use assay_engine::waiver::{day_of, lint, WaiverFile};

use super::{texts, write, Target};

pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "control",
            about: "a control.yaml of a catalog folder, loaded by catalog::load",
            fixtures: |p| p.ends_with("/control.yaml"),
            seeds: || texts(&[CONTROL]),
            tokens: &[
                "check:\n",
                "assert:\n",
                "rego:\n",
                "cedar:\n",
                "attestation:\n",
                "select: ",
                "where: ",
                "expect: ",
                "all: ",
                "any: ",
                "not: ",
                "$..*",
                "$[?(@.a)]",
                "matches: ",
                "(a+)+$",
                "tests:\n",
                "case: ",
            ],
            run: |sandbox, input| {
                let dir = sandbox.with_file("catalog/fuzzed/control.yaml", input);
                let _ = load(&[CatalogRoot::Dir(dir.join("catalog"))]);
            },
        },
        Target {
            name: "mapping",
            about: "a framework mapping of a catalog folder's mappings/, loaded by catalog::load",
            fixtures: |p| p.starts_with("mappings/") || p.contains("/mappings/"),
            seeds: || {
                texts(&[
                    "framework: f\nname: F\nversion: '1'\nrequirements:\n  - id: A.1\n    title: T\n    controls: [fuzz-control]\n  - id: A.2\n    title: U\n    controls: []\n    not_applicable: none\n",
                ])
            },
            tokens: &[
                "requirements:\n",
                "controls: ",
                "not_applicable: ",
                "- id: ",
            ],
            run: |sandbox, input| {
                let dir = sandbox.with_file("catalog/mappings/fuzzed.yaml", input);
                write(
                    &dir,
                    "catalog/fuzz-control/control.yaml",
                    CONTROL.as_bytes(),
                );
                let _ = load(&[CatalogRoot::Dir(dir.join("catalog"))]);
            },
        },
        Target {
            name: "assay-yaml",
            about: "assay.yaml, loaded by Config::discover, its collector settings given to every \
                    collector that makes no network request",
            fixtures: |p| p.ends_with("assay.yaml"),
            seeds: || {
                texts(&[
                    "frameworks: [soc2]\nbuiltin: true\nwaivers: waivers.yaml\ncontrols: [catalog]\nthresholds: {green: 90, amber: 70}\ngate: {fail_under: 80, fail_on: high}\noutputs: [{format: sarif, path: out.sarif}]\ncollectors:\n  config: {include: ['**/*.yaml'], exclude: [vendor/**], max_file_size: 1000}\n  audit_log: {sources: [{path: 'logs/*.jsonl', format: jsonl, preset: kubernetes}], retention_days: 30}\n  attestation: {dir: compliance}\n  sbom: {}\n",
                ])
            },
            tokens: &[
                "collectors:\n",
                "sources:\n",
                "path: ",
                "dir: ",
                "../",
                "/etc/passwd",
                "**",
            ],
            run: |sandbox, input| {
                let dir = sandbox.with_file("assay.yaml", input);
                let Ok(config) = Config::discover(&dir, Some(&dir.join("assay.yaml"))) else {
                    return;
                };
                config.config_collector();
                config.thresholds();
                let mut scope = Scope::new(&dir);
                scope.settings = config.file.collectors.clone();
                for collector in registry() {
                    // The metrics collector's settings name endpoints it would contact.
                    if collector.kind() != EvidenceKind::Metrics {
                        let _ = collector.collect(&scope);
                    }
                }
            },
        },
        Target {
            name: "waivers",
            about: "a waivers file, parsed by WaiverFile::parse and linted against the built-in \
                    catalog",
            fixtures: |p| p.contains("waiver"),
            seeds: || {
                texts(&[
                    "waivers:\n  - control: k8s-image-tag-pinned\n    scope:\n      paths: [deploy/legacy.yaml]\n      globs: ['legacy/**']\n      resources: [Deployment/default/web]\n    justification: Replaced in Q3.\n    approved_by: security@example.com\n    created: 2025-01-15\n    expires: 2025-09-30\n    risk: low\n",
                ])
            },
            tokens: &[
                "waivers:\n",
                "- control: ",
                "scope:\n",
                "globs: ",
                "expires: ",
                "{a,b}",
                "[!a]",
            ],
            run: |sandbox, input| {
                if let Ok(file) = WaiverFile::parse("waivers.yaml", input) {
                    let today = day_of(UNIX_EPOCH + Duration::from_secs(1_767_225_600));
                    lint(&file, sandbox.builtin_catalog(), today, 30);
                }
            },
        },
    ]
}

/// A small valid control, for targets that need one beside the fuzzed file.
const CONTROL: &str = "id: fuzz-control\ntitle: Fuzz control\ndescription: A control the fuzz targets load.\nfamily: fuzz\nseverity: low\nremediation: None.\ncheck:\n  assert:\n    select:\n      formats: [yaml]\n    all:\n      - path: \"$.spec.replicas\"\n        exists: true\n        message: no replicas\n";
