//! `assay controls list | lint | test`.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::{configured_catalog, configured_dirs, load_catalog, CatalogArgs, Exit};
use crate::catalog::Control;
use crate::scaffold::{self, Lang};
use crate::testing;

#[derive(Debug, Subcommand)]
pub enum ControlsCommand {
    /// List the controls of the catalog with their frameworks.
    List(ListArgs),
    /// Validate catalog directories (and the built-in catalog) without scanning.
    Lint(LintArgs),
    /// Run every control's test cases.
    Test(TestArgs),
    /// Scaffold a new control with a passing and a failing test case.
    New(NewArgs),
    /// Show a control: the same as `assay explain CONTROL`.
    Show(super::explain::ExplainArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TestFormat {
    Text,
    Junit,
}

/// `--config`, for the subcommands that read the catalogs `assay.yaml` configures.
#[derive(Debug, Args)]
struct ConfigArg {
    /// The assay.yaml whose `controls:` catalogs and `builtin:` apply (default: assay.yaml or
    /// .assay.yaml in the current directory or a parent).
    #[arg(long, env = "ASSAY_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    catalog: CatalogArgs,
    #[command(flatten)]
    config: ConfigArg,
    #[arg(long, value_enum, default_value = "text")]
    format: ListFormat,
    /// Only controls mapped to this framework (soc2, iso27001, gdpr, eu-ai-act, ...).
    #[arg(long, value_name = "ID")]
    framework: Option<String>,
    /// Only controls of this family (kubernetes, terraform-aws, secrets, ...).
    #[arg(long, value_name = "FAMILY")]
    family: Option<String>,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Catalog directories to check, together with the built-in catalog.
    dirs: Vec<PathBuf>,
    #[command(flatten)]
    catalog: CatalogArgs,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Catalog directories whose controls are tested (default: those assay.yaml's `controls:`
    /// names, else the built-in catalog).
    dirs: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
    /// Output format: `text` in the style of `cargo test`, or `junit` XML for CI.
    #[arg(long, value_enum, default_value = "text")]
    format: TestFormat,
    #[command(flatten)]
    catalog: CatalogArgs,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The id of the new control (lower-case, e.g. `k8s-no-latest-tag`).
    id: String,
    /// The check language.
    #[arg(long, value_enum, default_value = "yaml")]
    lang: Lang,
    /// The catalog directory to create it in (default: the first of assay.yaml's `controls:`,
    /// else `controls`).
    #[arg(long)]
    dir: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
}

pub fn run(command: ControlsCommand) -> Exit {
    match command {
        ControlsCommand::List(args) => list(args),
        ControlsCommand::Lint(args) => lint(args),
        ControlsCommand::Test(args) => test(args),
        ControlsCommand::New(args) => new(args),
        ControlsCommand::Show(args) => super::explain::run(args),
    }
}

fn new(args: NewArgs) -> Exit {
    let (dir, configured) = match &args.dir {
        Some(dir) => (dir.clone(), true),
        None => match configured_dirs(args.config.config.as_deref()) {
            Ok((_, dirs)) => match dirs.into_iter().next() {
                Some(dir) => (dir, true),
                None => (PathBuf::from("controls"), false),
            },
            Err(exit) => return exit,
        },
    };
    match scaffold::create(&dir, &args.id, args.lang) {
        Ok(path) => {
            println!("created {}", path.display());
            if !configured {
                println!(
                    "note: assay.yaml names no catalog directory; add `controls: [{}]` to it so that scans load the control and leave its test cases out",
                    dir.display()
                );
            }
            println!(
                "next: edit {}/control.yaml, then run `assay controls test`",
                path.display(),
            );
            Exit::Passed
        }
        Err(message) => {
            eprintln!("assay: {message}");
            Exit::Usage
        }
    }
}

fn list(args: ListArgs) -> Exit {
    let catalog = match configured_catalog(&args.catalog, args.config.config.as_deref()) {
        Ok(c) => c,
        Err(e) => return e,
    };
    if let Some(id) = args
        .framework
        .as_ref()
        .filter(|id| !catalog.frameworks.iter().any(|f| &f.id == *id))
    {
        let known: Vec<&str> = catalog.frameworks.iter().map(|f| f.id.as_str()).collect();
        eprintln!(
            "assay: no framework `{id}` in the catalog (known: {})",
            known.join(", ")
        );
        return Exit::Usage;
    }
    let shown: Vec<&Control> = catalog
        .controls
        .iter()
        .map(|c| &**c)
        .filter(|c| args.family.as_ref().is_none_or(|f| &c.family == f))
        .filter(|c| {
            args.framework.as_ref().is_none_or(|id| {
                catalog
                    .mappings_of(&c.id)
                    .into_iter()
                    .any(|(f, _)| f == id.as_str())
            })
        })
        .collect();
    match args.format {
        ListFormat::Json => {
            let controls: Vec<_> = shown
                .iter()
                .map(|c| {
                    let mappings: Vec<_> = catalog
                        .mappings_of(&c.id)
                        .into_iter()
                        .map(|(f, r)| json!({"framework": f, "requirement": r}))
                        .collect();
                    json!({
                        "id": c.id, "title": c.title, "family": c.family,
                        "severity": c.severity, "check": c.check.language(),
                        "file": c.file, "mappings": mappings,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&controls).expect("serializable")
            );
        }
        ListFormat::Text => {
            let width = shown.iter().map(|c| c.id.len()).max().unwrap_or(0);
            for c in &shown {
                let frameworks: std::collections::BTreeSet<&str> = catalog
                    .mappings_of(&c.id)
                    .into_iter()
                    .map(|(f, _)| f)
                    .collect();
                println!(
                    "{:width$}  {:8}  {:20}  {:11}  {}  [{}]",
                    c.id,
                    c.severity.as_str(),
                    c.family,
                    c.check.language(),
                    c.title,
                    frameworks.into_iter().collect::<Vec<_>>().join(", ")
                );
            }
            let attested = shown.iter().filter(|c| c.check.is_attestation()).count();
            println!(
                "{} controls ({} automated, {attested} attestations), {} frameworks",
                shown.len(),
                shown.len() - attested,
                catalog.frameworks.len()
            );
        }
    }
    Exit::Passed
}

fn lint(args: LintArgs) -> Exit {
    match load_catalog(&args.catalog.roots(&args.dirs, true)) {
        Ok(catalog) => {
            println!(
                "ok: {} controls and {} frameworks are valid",
                catalog.controls.len(),
                catalog.frameworks.len()
            );
            Exit::Passed
        }
        Err(exit) => exit,
    }
}

fn test(args: TestArgs) -> Exit {
    let mut dirs = args.dirs.clone();
    if dirs.is_empty() && args.catalog.controls.is_empty() {
        match configured_dirs(args.config.config.as_deref()) {
            Ok((_, configured)) => dirs = configured,
            Err(exit) => return exit,
        }
    }
    let builtin = dirs.is_empty() && args.catalog.controls.is_empty();
    let catalog = match load_catalog(&args.catalog.roots(&dirs, builtin)) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let reports = testing::run(&catalog.controls);
    let failed = reports.iter().filter(|r| !r.passed()).count();
    match args.format {
        TestFormat::Junit => print!("{}", testing::junit(&reports)),
        TestFormat::Text => print_text(&reports, failed),
    }
    if failed == 0 {
        Exit::Passed
    } else {
        Exit::GateFailed
    }
}

/// The results in the style of `cargo test`: one line per case, then the differences.
fn print_text(reports: &[testing::CaseReport], failed: usize) {
    println!("running {} control test cases", reports.len());
    for r in reports {
        let verdict = if r.passed() { "ok" } else { "FAILED" };
        println!("test {}::{} ... {verdict}", r.control, r.case);
    }
    for r in reports.iter().filter(|r| !r.passed()) {
        println!("\n---- {}::{} ----", r.control, r.case);
        for p in &r.problems {
            println!("  {p}");
        }
    }
    let passed = reports.len() - failed;
    println!(
        "\ntest result: {}. {passed} passed; {failed} failed",
        if failed == 0 { "ok" } else { "FAILED" }
    );
}
