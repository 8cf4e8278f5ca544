//! `assay check`: only the new failures of the working tree against a git revision or a
//! baseline file.

use std::path::PathBuf;

use clap::Args;

use super::project::ProjectArgs;
use super::scan::{emit, outputs, percent, OutputArgs};
use super::{report_diagnostics, Exit};
use crate::model::Severity;
use crate::premerge::{self, Baseline, CheckOptions};
use crate::report::check_terminal;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("against").required(true).args(["base", "baseline"])))]
pub struct CheckArgs {
    /// Compare with this git revision (branch, tag or commit), read from git objects.
    #[arg(long, value_name = "REF")]
    base: Option<String>,
    /// Compare with a baseline file written by `assay baseline`.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    output: OutputArgs,
    /// Fail (exit 1) when a framework score drops by more than PCT points.
    #[arg(long, value_name = "PCT", default_value = "0", value_parser = percent)]
    max_score_drop: f64,
    /// Fail only on new failures of controls of this severity or worse (default: any).
    #[arg(long, env = "ASSAY_FAIL_ON", value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Evaluate the base again instead of reading it from the cache (assay-cache/ in the git
    /// directory).
    #[arg(long)]
    no_cache: bool,
}

pub fn run(args: CheckArgs) -> Exit {
    let project = match args.project.open() {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let outputs = match outputs(&args.output, &project.config) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let options = CheckOptions {
        cache: !args.no_cache,
        settings: project.settings.clone(),
        max_score_drop: args.max_score_drop,
    };
    let checked = if let Some(reference) = &args.base {
        premerge::against_revision(&project.catalog, &project.request, reference, &options)
    } else if let Some(file) = &args.baseline {
        Baseline::read(file).and_then(|baseline| {
            premerge::against_baseline(
                &project.catalog,
                &project.request,
                &baseline,
                &file.display().to_string(),
                &options,
            )
        })
    } else {
        eprintln!("assay: check needs --base REF or --baseline FILE");
        return Exit::Usage;
    };
    let results = match checked {
        Ok(r) => r,
        Err(d) => return report_diagnostics(&[d]),
    };
    let fail_on = args.fail_on.or(project.config.file.gate.fail_on);
    let reasons = results
        .check
        .as_ref()
        .map(|c| premerge::gate(c, fail_on))
        .unwrap_or_default();
    if let Err(exit) = emit(outputs, &results, &|| {
        check_terminal::render(&results, &reasons)
    }) {
        return exit;
    }
    if reasons.is_empty() {
        Exit::Passed
    } else {
        Exit::GateFailed
    }
}
