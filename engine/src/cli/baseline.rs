//! `assay baseline`: the failure keys of a full scan, for `assay check --baseline FILE`.

use std::path::PathBuf;

use clap::Args;

use super::project::ProjectArgs;
use super::{report_diagnostics, Exit};
use crate::premerge::Baseline;
use crate::scan::run as run_scan;

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Where to write the baseline.
    #[arg(
        long,
        short,
        value_name = "FILE",
        default_value = "assay-baseline.json"
    )]
    output: PathBuf,
}

pub fn run(args: BaselineArgs) -> Exit {
    let project = match args.project.open() {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let results = match run_scan(&project.catalog, &project.request, &|_, _| {}) {
        Ok(r) => r,
        Err(d) => return report_diagnostics(&[d]),
    };
    let baseline = Baseline::of(&results);
    if let Err(e) = std::fs::write(&args.output, baseline.to_json()) {
        eprintln!("assay: cannot write `{}`: {e}", args.output.display());
        return Exit::Usage;
    }
    let failures: usize = baseline.failures.iter().map(|f| f.count).sum();
    eprintln!(
        "assay: baseline of {failures} failure{} written to {}",
        if failures == 1 { "" } else { "s" },
        args.output.display()
    );
    Exit::Passed
}
