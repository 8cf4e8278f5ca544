//! `assay init`.

use std::path::PathBuf;

use clap::Args;

use super::Exit;
use crate::init;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository to set up.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    force: bool,
}

pub fn run(args: InitArgs) -> Exit {
    if !args.path.is_dir() {
        eprintln!(
            "assay: `{}` is not a directory\n  hint: run `assay init` at the top of the repository",
            args.path.display()
        );
        return Exit::Usage;
    }
    let report = match init::init(&args.path, args.force) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let detected = if report.detected.is_empty() {
        "none (no .github/workflows, .gitlab-ci.yml or .pre-commit-config.yaml)".to_string()
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
