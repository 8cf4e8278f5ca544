//! `assay site`: renders the HTML evidence site from a saved results file.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Exit;
use crate::config::{Config, ConfigFile};
use crate::documents::Declarations;
use crate::pack::evidence::{gather, KeepPolicy};
use crate::pack::locker::trend_of;
use crate::pack::lockers::AnyLocker;
use crate::period::Period;
use crate::report::Results;
use crate::site::{self, SiteInput, Templates};

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The results of a scan (`assay scan --format json --output FILE`, or a pack's results.json).
    #[arg(long, value_name = "FILE")]
    results: PathBuf,
    /// Directory to write the site into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The scanned directory, to read the evidence from (default: the results' scan root).
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Draw the trend from the packs kept in this evidence locker (a directory or
    /// s3://BUCKET/PREFIX), and report on the observation period they span.
    #[arg(long, env = "ASSAY_LOCKER", value_name = "DIR|s3://BUCKET/PREFIX")]
    locker: Option<PathBuf>,
    /// Templates: files in DIR replace the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

pub fn run(args: SiteArgs) -> Exit {
    match render(&args) {
        Ok(()) => Exit::Passed,
        Err(message) => {
            eprintln!("assay: {message}");
            Exit::Usage
        }
    }
}

fn render(args: &SiteArgs) -> Result<(), String> {
    let templates = match &args.templates {
        Some(dir) => Templates::with_overrides(dir)?,
        None => Templates::builtin()?,
    };
    let shown = args.results.display();
    let bytes = crate::report::read_saved(&args.results)?;
    let results: Results = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{shown}:{}:{}: not a results document: {e}\n  hint: write one with `assay scan --format json --output FILE`",
            e.line(),
            e.column()
        )
    })?;
    let root = args
        .root
        .clone()
        .unwrap_or_else(|| PathBuf::from(&results.scan.root));
    if !root.is_dir() {
        return Err(format!(
            "scan root `{}` is not a directory, so no evidence file can be shown\n  hint: pass the scanned directory with --root",
            root.display()
        ));
    }
    let history = match &args.locker {
        Some(dir) => Some(AnyLocker::open_existing(dir)?.results_history()?),
        None => None,
    };
    let stats = write_site(&results, &root, history, &templates, &args.out)?;
    println!(
        "site written to {}: {} pages, {} files, {:.1} MB; largest page {} ({:.1} kB)",
        args.out.display(),
        stats.pages,
        stats.files,
        stats.bytes as f64 / 1_000_000.0,
        stats.largest_page.0,
        stats.largest_page.1 as f64 / 1000.0
    );
    Ok(())
}

/// Renders the site of `results`, scanned in `root`, into `out`, with the trend and the
/// observation period of the locker `history` (each pack's name and results, oldest first).
pub(super) fn write_site(
    results: &Results,
    root: &Path,
    history: Option<Vec<(String, Vec<u8>)>>,
    templates: &Templates,
    out: &Path,
) -> Result<site::SiteStats, String> {
    let trend = site::with_current(trend_of(history.as_deref().unwrap_or_default())?, results);
    let period = history
        .map(|h| Period::of_locker(h, results, "this scan"))
        .transpose()?;
    let (declarations, policy) = declarations(root)?;
    let evidence = gather(results, root, &policy, &[]);
    if evidence.files.is_empty() && !evidence.mismatches.is_empty() {
        return Err(format!(
            "none of the {} files the findings point at is in `{}` as the scan read it, so the site would have no evidence\n  hint: pass the scanned directory with --root",
            evidence.mismatches.len(),
            root.display()
        ));
    }
    let input = SiteInput {
        results,
        evidence: &evidence,
        trend: &trend,
        documents: Some(&declarations),
        period: period.as_ref(),
    };
    site::render(&input, templates, out)
}

/// The declaration files under `root` for the audit documents, read with the `collectors:`
/// settings of its config file (problems are printed and leave the documents to say so), and
/// how its config file says evidence is kept.
fn declarations(root: &Path) -> Result<(Declarations, KeepPolicy), String> {
    let file = match Config::discover(root, None) {
        Ok(config) => config.file,
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("assay: the documents read the declaration files with default settings");
            ConfigFile::default()
        }
    };
    let declarations =
        Declarations::read(root, &file.collectors).for_organization(file.organization.clone());
    for problem in declarations.problems() {
        eprintln!("assay: {problem}");
    }
    Ok((declarations, file.evidence.policy()?))
}
