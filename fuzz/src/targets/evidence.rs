//! Evidence files of the scanned repository, each written where its collector finds it by
//! convention (or where `collectors.<kind>` in `assay.yaml` points) and read by that
//! collector's `collect`.

use assay_collectors::access::AccessCollector;
use assay_collectors::ai::AiCollector;
use assay_collectors::attestation::AttestationCollector;
use assay_collectors::audit_log::AuditLogCollector;
use assay_collectors::docs::DocsCollector;
use assay_collectors::forge::ForgeCollector;
use assay_collectors::metrics::MetricsCollector;
use assay_collectors::privacy::PrivacyCollector;
use assay_collectors::sbom::SbomCollector;
use assay_collectors::{Collector, Scope};
use serde_json::json;

use super::{none, texts, Sandbox, Target};

/// Collects the repository in `sandbox` holding `input` at `name`, with `settings` as the
/// collector's section of `assay.yaml`.
fn collect(
    sandbox: &Sandbox,
    collector: &dyn Collector,
    name: &str,
    input: &[u8],
    settings: Option<serde_json::Value>,
) {
    let dir = sandbox.with_file(name, input);
    let mut scope = Scope::new(dir);
    if let Some(settings) = settings {
        scope
            .settings
            .insert(collector.kind().as_str().to_string(), settings);
    }
    let _ = collector.collect(&scope);
}

/// An audit log at `audit.log`, read in `format`.
fn audit_log(sandbox: &Sandbox, input: &[u8], format: &str) {
    let settings = json!({"sources": [{"path": "audit.log", "format": format}],
                          "hash_chain": {"hash_field": "hash", "prev_field": "prev_hash"}});
    collect(
        sandbox,
        &AuditLogCollector,
        "audit.log",
        input,
        Some(settings),
    );
}

pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "attestation",
            about: "an attestation file under attestations/, read by the attestation collector",
            fixtures: |p| {
                p.contains("attestation") && (p.ends_with(".yaml") || p.ends_with(".yml"))
            },
            seeds: || {
                texts(&[
                    "control: att-physical-access\nstatement: Badge readers guard every entrance.\nattested_by: {name: Dana Reyes, role: Facilities, email: dana@example.com}\ndate: 2026-03-01\nexpires: 2027-03-01\nevidence: [badge-audit.pdf, ../../etc/passwd]\n",
                ])
            },
            tokens: &[
                "controls: ",
                "evidence: ",
                "expires: ",
                "date: ",
                "../",
                "/etc/hostname",
            ],
            run: |sandbox, input| {
                collect(
                    sandbox,
                    &AttestationCollector,
                    "attestations/a.yaml",
                    input,
                    None,
                );
            },
        },
        Target {
            name: "audit-jsonl",
            about: "a JSON Lines audit log, read by the audit-log collector with a hash chain",
            fixtures: |p| p.ends_with(".jsonl") || p.ends_with(".ndjson"),
            seeds: || {
                texts(&[
                    "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"stageTimestamp\":\"2026-01-01T00:00:00Z\",\"user\":{\"username\":\"admin\"},\"verb\":\"create\",\"hash\":\"a\",\"prev_hash\":\"0\"}\n{\"eventTime\":\"2026-01-02T00:00:00Z\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"errorCode\":\"Failed\"}\n",
                ])
            },
            tokens: &[
                "\"stageTimestamp\":",
                "\"eventTime\":",
                "\"user\":",
                "\"hash\":",
                "\"prev_hash\":",
                "\"email\":\"a@b.c\"",
                "AKIA",
            ],
            run: |sandbox, input| audit_log(sandbox, input, "jsonl"),
        },
        Target {
            name: "audit-csv",
            about: "a CSV audit log, read by the audit-log collector",
            fixtures: |p| p.ends_with(".csv"),
            seeds: || {
                texts(&["timestamp,actor,action,outcome\n2026-01-01T00:00:00Z,alice,login,failure\n\"2026-01-02\",\"b,ob\",\"sudo\",success\n"])
            },
            tokens: &[",", "\"", "\"\"", "timestamp", "actor", "\r\n"],
            run: |sandbox, input| audit_log(sandbox, input, "csv"),
        },
        Target {
            name: "audit-json",
            about: "a whole-document audit log (CloudTrail Records, Kubernetes EventList, array)",
            fixtures: |p| p.contains("audit") && p.ends_with(".json"),
            seeds: || {
                texts(&[
                    "{\"Records\":[{\"eventTime\":\"2026-01-01T00:00:00Z\",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"userIdentity\":{\"arn\":\"arn:aws:iam::1:root\"}}]}",
                    "{\"kind\":\"EventList\",\"items\":[{\"stageTimestamp\":\"2026-01-01T00:00:00Z\",\"verb\":\"get\"}]}",
                ])
            },
            tokens: &["\"Records\":", "\"items\":", "\"eventTime\":"],
            run: |sandbox, input| audit_log(sandbox, input, "json"),
        },
        Target {
            name: "sbom-json",
            about: "a CycloneDX or SPDX JSON SBOM, read by the SBOM collector",
            fixtures: |p| {
                p.ends_with(".json")
                    && (p.contains("bom") || p.contains("spdx") || p.contains("cdx"))
            },
            seeds: || {
                texts(&[
                    "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":[{\"name\":\"a\",\"version\":\"1\",\"purl\":\"pkg:npm/a@1\",\"licenses\":[{\"expression\":\"MIT OR (Apache-2.0 AND GPL-3.0-only WITH Classpath-exception-2.0)\"}]}],\"dependencies\":[{\"ref\":\"a\",\"dependsOn\":[\"a\"]}]}",
                ])
            },
            tokens: &[
                "\"spdxVersion\":\"SPDX-2.3\"",
                "\"bomFormat\":\"CycloneDX\"",
                " WITH ",
                " OR ",
                "LicenseRef-",
                "pkg:",
            ],
            run: |sandbox, input| collect(sandbox, &SbomCollector, "sbom.json", input, None),
        },
        Target {
            name: "sbom-xml",
            about: "a CycloneDX XML SBOM, read by the SBOM collector",
            fixtures: |p| p.ends_with(".xml") && (p.contains("bom") || p.contains("cdx")),
            seeds: || {
                texts(&[
                    "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"><components><component type=\"library\"><name>a&amp;b</name><version>1</version><licenses><license><id>MIT</id></license></licenses></component></components></bom>",
                ])
            },
            tokens: &[
                "<!DOCTYPE a [<!ENTITY e \"x\">]>",
                "&e;",
                "<![CDATA[",
                "]]>",
                "&#x0;",
                "<component>",
                "</component>",
            ],
            run: |sandbox, input| collect(sandbox, &SbomCollector, "bom.xml", input, None),
        },
        Target {
            name: "sbom-tag-value",
            about: "an SPDX tag-value SBOM, read by the SBOM collector",
            fixtures: |p| p.ends_with(".spdx"),
            seeds: || {
                texts(&[
                    "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nPackageName: a\nSPDXID: SPDXRef-a\nPackageVersion: 1\nPackageLicenseConcluded: MIT\nRelationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-a\nPackageComment: <text>multi\nline</text>\n",
                ])
            },
            tokens: &[
                "<text>",
                "</text>",
                "PackageName: ",
                "Relationship: ",
                "NOASSERTION",
            ],
            run: |sandbox, input| collect(sandbox, &SbomCollector, "sbom.spdx", input, None),
        },
        Target {
            name: "prometheus",
            about: "a Prometheus / OpenMetrics exposition file, read by the metrics collector",
            fixtures: |p| p.ends_with(".prom") || p.ends_with(".om") || p.ends_with(".openmetrics"),
            seeds: || {
                texts(&[
                    "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\",tenant=\"a\"} 1027 1395066363000\nhttp_requests_total{code=\"500\",tenant=\"a\"} 3\n# TYPE latency_seconds histogram\nlatency_seconds_bucket{le=\"0.1\"} 5\nlatency_seconds_bucket{le=\"+Inf\"} 9\nlatency_seconds_sum 2.5\nlatency_seconds_count 9\n# EOF\n",
                ])
            },
            tokens: &[
                "{le=\"+Inf\"}",
                "_bucket",
                "_count",
                "# TYPE ",
                "# EOF\n",
                "NaN",
                "\\\"",
                " # {trace_id=\"a\"} 1",
            ],
            run: |sandbox, input| collect(sandbox, &MetricsCollector, "metrics.prom", input, None),
        },
        Target {
            name: "ai-inventory",
            about: "ai-systems.yaml, read by the AI collector",
            fixtures: |p| p.contains("ai-systems"),
            seeds: none,
            tokens: &["systems:\n", "model_card: ", "../"],
            run: |sandbox, input| collect(sandbox, &AiCollector, "ai-systems.yaml", input, None),
        },
        Target {
            name: "privacy-records",
            about: "processing-activities.yaml, read by the privacy collector",
            fixtures: |p| p.contains("processing-activities"),
            seeds: none,
            tokens: &["activities:\n", "retention: ", "P1Y"],
            run: |sandbox, input| {
                collect(
                    sandbox,
                    &PrivacyCollector,
                    "processing-activities.yaml",
                    input,
                    None,
                )
            },
        },
        Target {
            name: "docs-markdown",
            about: "a Markdown policy under policies/, read by the docs collector",
            fixtures: |p| p.ends_with(".md"),
            seeds: || {
                texts(&["---\nowner: a\nreviewed: 2026-01-01\n---\n# Policy\n## Scope\n- item\n\n| a | b |\n|---|---|\n"])
            },
            tokens: &["\n# ", "\n## ", "---\n", "```", "| a |", "[x](y)"],
            run: |sandbox, input| collect(sandbox, &DocsCollector, "policies/p.md", input, None),
        },
        Target {
            name: "forge-export",
            about:
                "a GitHub or GitLab API response under .assay/forge/, read by the forge collector",
            fixtures: |p| p.contains("forge/") && p.ends_with(".json"),
            seeds: || {
                texts(&[
                    "[{\"number\":1,\"merge_commit_sha\":\"ab\",\"merged_at\":\"2026-01-01T00:00:00Z\",\"user\":{\"login\":\"a\"}}]",
                    "[{\"user\":{\"login\":\"b\"},\"state\":\"APPROVED\",\"pull_request_url\":\"https://api.github.com/repos/o/r/pulls/1\"}]",
                    "{\"iid\":1,\"approved_by\":[{\"user\":{\"username\":\"c\"}}]}",
                    "[{\"name\":\"main\",\"push_access_levels\":[{\"access_level\":0}]}]",
                ])
            },
            tokens: &[
                "\"url\":\"https://api.github.com/repos/o/r/branches/main/protection\"",
                "\"required_pull_request_reviews\":{}",
                "\"pull_request_url\":",
                "\"approved_by\":",
                "\"iid\":",
                "\"number\":",
            ],
            run: |sandbox, input| {
                collect(
                    sandbox,
                    &ForgeCollector,
                    ".assay/forge/export.json",
                    input,
                    None,
                )
            },
        },
        Target {
            name: "cedar-entities",
            about: "a Cedar entities file beside a fixed policy, read by the access collector",
            fixtures: |p| p.ends_with("entities.json"),
            seeds: none,
            tokens: &[
                "\"uid\":",
                "\"parents\":",
                "\"__entity\":",
                "\"__extn\":",
                "\"attrs\":",
            ],
            run: |sandbox, input| {
                let dir = sandbox.with_file("access/entities.json", input);
                super::write(&dir, "access/policies.cedar", POLICY.as_bytes());
                let _ = AccessCollector.collect(&Scope::new(dir));
            },
        },
    ]
}

/// A Cedar policy for targets that need one beside the fuzzed file.
pub const POLICY: &str = "permit(principal in Group::\"admins\", action, resource in Environment::\"production\");\nforbid(principal, action == Action::\"delete\", resource) unless { principal has mfa && principal.mfa };\n";
