//! The `assay` command line.

mod controls;
mod explain;
mod scan;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::catalog::{self, Catalog, CatalogRoot};
use crate::diag::Diagnostic;

/// Exit status: 0 passed, 1 the gate failed, 2 usage or configuration error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Passed = 0,
    GateFailed = 1,
    Usage = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "assay",
    version,
    about = "Policy-as-code compliance engine: SOC 2, ISO 27001, GDPR, EU AI Act"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan a directory with the catalog and score every framework.
    Scan(scan::ScanArgs),
    /// List, lint and test controls.
    #[command(subcommand)]
    Controls(controls::ControlsCommand),
    /// Show a control, its mappings, its check and how to fix a failure.
    Explain(explain::ExplainArgs),
}

/// Options shared by every command that loads a catalog.
#[derive(Debug, Clone, Args)]
pub struct CatalogArgs {
    /// Add a catalog directory (control folders with control.yaml, optional mappings/); repeatable.
    #[arg(
        long = "controls",
        value_name = "DIR",
        env = "ASSAY_CONTROLS",
        value_delimiter = ','
    )]
    pub controls: Vec<PathBuf>,
    /// Do not load the built-in catalog.
    #[arg(long)]
    pub no_builtin: bool,
}

impl CatalogArgs {
    fn roots(&self, extra: &[PathBuf], builtin: bool) -> Vec<CatalogRoot> {
        let mut roots = Vec::new();
        if builtin && !self.no_builtin {
            roots.push(CatalogRoot::Builtin);
        }
        roots.extend(
            self.controls
                .iter()
                .chain(extra)
                .cloned()
                .map(CatalogRoot::Dir),
        );
        roots
    }
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Controls(cmd) => controls::run(cmd),
        Command::Explain(args) => explain::run(args),
    };
    exit.into()
}

/// Loads a catalog, printing every diagnostic to stderr on failure.
fn load_catalog(roots: &[CatalogRoot]) -> Result<Catalog, Exit> {
    catalog::load(roots).map_err(|errors| report_diagnostics(&errors))
}

/// Prints diagnostics to stderr and returns the usage exit code.
fn report_diagnostics(errors: &[Diagnostic]) -> Exit {
    for e in errors {
        eprintln!("{e}");
    }
    eprintln!(
        "assay: {} error{} found; nothing was scanned",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    Exit::Usage
}
