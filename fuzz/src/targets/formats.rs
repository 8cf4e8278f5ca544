//! Config files in each format, read as the config collector reads a file of the scanned
//! repository (`assay_collectors::config::collect_bytes`).

use assay_collectors::config::collect_bytes;

use super::{texts, Target};
use crate::seeds::file_name;

pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "config-yaml",
            about: "a YAML file of the scanned repository (anchors, aliases, multiple documents)",
            fixtures: |p| p.ends_with(".yaml") || p.ends_with(".yml"),
            seeds: || {
                texts(&[
                    "a: &x [1, 2]\nb: *x\n---\n- {c: !!binary aGk=}\n",
                    "<<: {a: 1}\nk: |\n  text\n? [complex]\n: key\n",
                ])
            },
            tokens: &[
                "&a ",
                "*a",
                "<<: ",
                "---\n",
                "...\n",
                "!!str ",
                "? ",
                "|-\n",
                ">\n",
                "%YAML 1.2\n",
            ],
            run: |_, input| {
                collect_bytes("deploy/app.yaml", input);
            },
        },
        Target {
            name: "config-json",
            about: "a JSON file of the scanned repository",
            fixtures: |p| p.ends_with(".json"),
            seeds: || texts(&["{\"a\": [1, 2.5e3, null, true], \"b\": \"\\u00e9\\ud83d\\ude00\"}"]),
            tokens: &["\\u0000", "\\ud800", "null", "true", "-0", "1E400"],
            run: |_, input| {
                collect_bytes("app/settings.json", input);
            },
        },
        Target {
            name: "config-toml",
            about: "a TOML file of the scanned repository",
            fixtures: |p| p.ends_with(".toml"),
            seeds: || {
                texts(&[
                    "[package]\nname = \"x\"\n[[bin]]\npath = 'a'\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nt = 1979-05-27T07:32:00Z\n",
                ])
            },
            tokens: &[
                "[[",
                "]]",
                "\"\"\"",
                "'''",
                "inf",
                "nan",
                "0x",
                "1979-05-27",
            ],
            run: |_, input| {
                collect_bytes("Cargo.toml", input);
            },
        },
        Target {
            name: "config-hcl",
            about: "a Terraform / HCL file of the scanned repository",
            fixtures: |p| p.ends_with(".tf") || p.ends_with(".hcl") || p.ends_with(".tfvars"),
            seeds: || {
                texts(&[
                    "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x-${var.env}\"\n  tags = { a = 1 }\n  dynamic \"rule\" {\n    for_each = var.rules\n    content { id = rule.value }\n  }\n}\nvariable \"env\" { default = <<EOT\nheredoc\nEOT\n}\n",
                ])
            },
            tokens: &[
                "${",
                "%{",
                "<<EOT\n",
                "EOT\n",
                "for_each",
                "[for x in y : x]",
                "? :",
            ],
            run: |_, input| {
                collect_bytes("infra/main.tf", input);
            },
        },
        Target {
            name: "config-dockerfile",
            about: "a Dockerfile of the scanned repository",
            fixtures: |p| file_name(p).starts_with("Dockerfile") || p.ends_with(".dockerfile"),
            seeds: || {
                texts(&[
                    "# syntax=docker/dockerfile:1\nFROM alpine:3.20 AS build\nARG V=1\nRUN apk add \\\n  curl && \\\n  echo ok\nCOPY --from=build /a /b\nUSER 1000\nHEALTHCHECK CMD [\"true\"]\nENTRYPOINT [\"/b\"]\n",
                ])
            },
            tokens: &[
                "FROM ",
                "RUN ",
                "USER ",
                "\\\n",
                "<<EOF\n",
                "EOF\n",
                "[\"",
                "--mount=type=secret",
            ],
            run: |_, input| {
                collect_bytes("Dockerfile", input);
            },
        },
        Target {
            name: "config-dotenv",
            about: "a .env file of the scanned repository",
            fixtures: |p| file_name(p).starts_with(".env"),
            seeds: || {
                texts(&[
                    "# settings\nexport DB_PASSWORD=\"s3cr3t\\n\"\nAPI_KEY='abc'\nEMPTY=\nMULTI=\"a\nb\"\nREF=${API_KEY}\n",
                ])
            },
            tokens: &["export ", "=\"", "${", "\\n", "#"],
            run: |_, input| {
                collect_bytes(".env", input);
            },
        },
    ]
}
