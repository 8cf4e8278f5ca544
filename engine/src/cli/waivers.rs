//! `assay waivers lint`: checks a waivers file against its schema, the catalog and the
//! calendar.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{load_catalog, report_diagnostics, CatalogArgs, Exit};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::waiver::{self, WaiverFile};

#[derive(Debug, Subcommand)]
pub enum WaiversCommand {
    /// Check a waivers file: schema, unknown controls, expired and soon-expiring entries.
    Lint(LintArgs),
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// The waivers file (default: `waivers:` of assay.yaml).
    file: Option<PathBuf>,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Config file (default: assay.yaml in the current directory or a parent).
    #[arg(long, env = "ASSAY_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Warn about waivers that expire within N days.
    #[arg(long, value_name = "N", default_value_t = 30)]
    warn_days: u32,
}

pub fn run(command: WaiversCommand) -> Exit {
    match command {
        WaiversCommand::Lint(args) => lint(args),
    }
}

/// A diagnostic printed as a warning.
fn warning(d: &Diagnostic) -> String {
    let mut text = format!("{}: warning: {}", d.location(), d.message);
    if let Some(hint) = &d.hint {
        text.push_str(&format!("\n  hint: {hint}"));
    }
    text
}

fn lint(args: LintArgs) -> Exit {
    let config = match Config::discover(std::path::Path::new("."), args.config.as_deref()) {
        Ok(c) => c,
        Err(errors) => return report_diagnostics(&errors),
    };
    let path = match (&args.file, &config.file.waivers) {
        (Some(p), _) => p.clone(),
        // A config file found in the repository names only what lies inside its directory.
        (None, Some(p)) => match config.resolve_read("waivers", p) {
            Ok(path) => path,
            Err(d) => return report_diagnostics(&[d]),
        },
        (None, None) => {
            eprintln!(
                "assay: no waivers file to lint\n  hint: name it, `assay waivers lint waivers.yaml`, or set `waivers:` in assay.yaml"
            );
            return Exit::Usage;
        }
    };
    let file = match WaiverFile::read(&path) {
        Ok(f) => f,
        Err(errors) => return report_diagnostics(&errors),
    };
    let extra: Vec<PathBuf> = match config
        .file
        .controls
        .iter()
        .map(|p| config.resolve_read("controls", p))
        .collect()
    {
        Ok(extra) => extra,
        Err(d) => return report_diagnostics(&[d]),
    };
    let catalog = match load_catalog(
        &args
            .catalog
            .roots(&extra, config.file.builtin.unwrap_or(true)),
    ) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let today = waiver::day_of(std::time::SystemTime::now());
    let found = waiver::lint(&file, &catalog, today, i64::from(args.warn_days));
    for w in &found.warnings {
        eprintln!("{}", warning(w));
    }
    if !found.errors.is_empty() {
        for e in &found.errors {
            eprintln!("{e}");
        }
        eprintln!(
            "assay: {} error{} in {}",
            found.errors.len(),
            if found.errors.len() == 1 { "" } else { "s" },
            file.path
        );
        return Exit::Usage;
    }
    println!(
        "{}: {} waiver{} checked, {} warning{}",
        file.path,
        file.waivers.len(),
        if file.waivers.len() == 1 { "" } else { "s" },
        found.warnings.len(),
        if found.warnings.len() == 1 { "" } else { "s" }
    );
    Exit::Passed
}
