//! `assay explain-score`.

use std::path::PathBuf;

use clap::Args;

use super::Exit;
use crate::diag::did_you_mean;
use crate::report::{breakdown, Results};

#[derive(Debug, Args)]
pub struct ExplainScoreArgs {
    /// The framework id, e.g. soc2.
    framework: String,
    /// One requirement of it, e.g. CC6.1 (default: the whole framework).
    requirement: Option<String>,
    /// The results of the scan to explain (`assay scan --format json --output FILE`).
    #[arg(long, value_name = "FILE")]
    results: PathBuf,
}

pub fn run(args: ExplainScoreArgs) -> Exit {
    let shown = args.results.display();
    let results: Results = match crate::report::read_saved(&args.results).and_then(|bytes| {
            serde_json::from_slice(&bytes).map_err(|e| {
                format!("`{shown}` is not an assay results file: {e}\n  hint: write one with `assay scan --format json --output FILE`")
            })
        }) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let unknown = |what: &str, id: &str, known: Vec<&str>| {
        eprintln!("assay: no {what} `{id}` in `{shown}`");
        if let Some(close) = did_you_mean(id, known) {
            eprintln!("  hint: did you mean `{close}`?");
        }
        Exit::Usage
    };
    let Some(f) = results.frameworks.iter().find(|f| f.id == args.framework) else {
        let known = results.frameworks.iter().map(|f| f.id.as_str()).collect();
        return unknown("framework", &args.framework, known);
    };
    let text = match &args.requirement {
        None => breakdown::framework(&results, f),
        Some(id) => match f.requirements.iter().find(|r| &r.id == id) {
            Some(r) => breakdown::requirement(&results, f, r),
            None => {
                let known = f.requirements.iter().map(|r| r.id.as_str()).collect();
                return unknown("requirement", id, known);
            }
        },
    };
    print!("{text}");
    Exit::Passed
}
