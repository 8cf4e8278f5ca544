//! `assay init`.

use std::path::PathBuf;

use clap::Args;

use super::{load_catalog, report_diagnostics, Exit};
use crate::catalog::{CatalogRoot, Soc2Category};
use crate::init;
use crate::scan::check_frameworks;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository to set up.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    force: bool,
    /// Frameworks in scope, comma-separated: ids of the built-in catalog (default: soc2,
    /// iso27001, gdpr, and eu-ai-act when AI systems are declared).
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    framework: Vec<String>,
    /// SOC 2 Trust Services categories in scope beside Security, comma-separated (default:
    /// all).
    #[arg(long, value_delimiter = ',', value_name = "CATEGORY", value_enum)]
    soc2_category: Vec<Soc2Category>,
    /// Set up these CI systems too, comma-separated (default: those the repository's files
    /// show).
    #[arg(long, value_delimiter = ',', value_name = "CI", value_enum)]
    ci: Vec<init::Ci>,
}

pub fn run(args: InitArgs) -> Exit {
    if !args.path.is_dir() {
        eprintln!(
            "assay: `{}` is not a directory\n  hint: run `assay init` at the top of the repository",
            args.path.display()
        );
        return Exit::Usage;
    }
    if !args.framework.is_empty() {
        let checked = load_catalog(&[CatalogRoot::Builtin]).and_then(|catalog| {
            check_frameworks(&catalog, &args.framework, "--framework")
                .map_err(|errors| report_diagnostics(&errors))
        });
        if let Err(exit) = checked {
            return exit;
        }
    }
    let scope = init::InitScope {
        frameworks: args.framework,
        soc2_categories: args.soc2_category,
        ci: args.ci,
    };
    let report = match init::init(&args.path, args.force, &scope) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let detected = if report.detected.is_empty() {
        "none (no .github/workflows, .gitlab-ci.yml or .pre-commit-config.yaml); `--ci github` or `--ci gitlab` sets one up".to_string()
    } else {
        report
            .detected
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("CI detected: {detected}");
    for path in &report.written {
        println!("  wrote   {path}");
    }
    for path in &report.updated {
        println!("  updated {path}");
    }
    for todo in &report.todo {
        println!("to do: {todo}");
    }
    println!("next: `assay scan` for a full scan, `assay check --base main` before a merge");
    Exit::Passed
}
