//! `assay documents`: writes the audit documents (Statement of Applicability, Art. 30
//! records, AI Act technical documentation, SOC 2 matrix) as Markdown and HTML, from a scan
//! of ROOT or from a saved results file.

use std::path::{Path, PathBuf};

use clap::Args;
use jiff::civil::Date;

use super::project::ProjectArgs;
use super::{report_diagnostics, Exit};
use crate::config::{Config, ConfigFile};
use crate::documents::{self, Declarations, DocumentInput};
use crate::period::parse_day;
use crate::report::Results;
use crate::scan::run as run_scan;

#[derive(Debug, Args)]
pub struct DocumentsArgs {
    #[command(flatten)]
    project: ProjectArgs,
    /// Directory to write the documents into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Render from the results of an earlier scan instead of scanning; the declaration files
    /// are read from ROOT, by default the scan root the results name.
    #[arg(long, value_name = "FILE")]
    results: Option<PathBuf>,
    /// Also print each document to PDF (`STEM.pdf`) with headless Chromium ($CHROMIUM or
    /// `chromium` on PATH).
    #[arg(long)]
    pdf: bool,
    /// Add an observation period section to the SOC 2 matrix: the matrix's controls over the
    /// scans this evidence locker kept from --period-from to --period-to.
    #[arg(long, value_name = "DIR", requires_all = ["period_from", "period_to"])]
    locker: Option<PathBuf>,
    /// First day of the observation period (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_day, requires = "locker")]
    period_from: Option<Date>,
    /// Last day of the observation period, included (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_day, requires = "locker")]
    period_to: Option<Date>,
}

pub fn run(args: DocumentsArgs) -> Exit {
    let chromium = match (args.pdf, documents::pdf::find_chromium()) {
        (false, _) => None,
        (true, Some(chromium)) => Some(chromium),
        (true, None) => {
            eprintln!("assay: --pdf needs Chromium: install it (Debian: `apt-get install chromium`) or set CHROMIUM to its binary");
            return Exit::Usage;
        }
    };
    let period = match (&args.locker, args.period_from, args.period_to) {
        (Some(dir), Some(from), Some(to)) => match super::period::load(dir, from, to) {
            Ok(period) => Some(period),
            Err(message) => {
                eprintln!("assay: {message}");
                return Exit::Usage;
            }
        },
        _ => None,
    };
    let (results, config) = match &args.results {
        Some(file) => match saved(file, &args.project) {
            Ok(loaded) => loaded,
            Err(exit) => return exit,
        },
        None => match scan(&args.project) {
            Ok(scanned) => scanned,
            Err(exit) => return exit,
        },
    };
    let root = match &args.results {
        Some(_) => declarations_root(&args.project.path, &results),
        None => args.project.path.clone(),
    };
    let declarations =
        Declarations::read(&root, &config.collectors).for_organization(config.organization.clone());
    for problem in declarations.problems() {
        eprintln!("assay: {problem}");
    }
    let input = DocumentInput {
        results: &results,
        declarations: &declarations,
        site: None,
        period: period.as_ref(),
    };
    let written = documents::render(&input).and_then(|docs| {
        documents::write(
            &docs,
            &args.out,
            &results.scan.finished_at,
            chromium.as_deref(),
        )
    });
    match written {
        Ok(files) => {
            println!(
                "documents written to {}: {}",
                args.out.display(),
                files.join(", ")
            );
            Exit::Passed
        }
        Err(message) => {
            eprintln!("assay: {message}");
            Exit::Usage
        }
    }
}

/// Scans the project; the results and its config.
fn scan(project: &ProjectArgs) -> Result<(Results, ConfigFile), Exit> {
    let opened = project.open()?;
    let results = run_scan(&opened.catalog, &opened.request, &|_, _| {})
        .map_err(|d| report_diagnostics(&[d]))?;
    Ok((results, opened.config.file))
}

/// Where the declaration files of saved results are read: ROOT when one is given, else the
/// scan root the results name (when it is still a directory here).
fn declarations_root(given: &Path, results: &Results) -> PathBuf {
    let scanned = PathBuf::from(&results.scan.root);
    if given == Path::new(".") && scanned.is_dir() {
        scanned
    } else {
        given.to_path_buf()
    }
}

/// Reads a saved results file; the results and the config of the directory the declaration
/// files are read from.
fn saved(file: &Path, project: &ProjectArgs) -> Result<(Results, ConfigFile), Exit> {
    let shown = file.display();
    let read = crate::report::read_saved(file).and_then(|bytes| {
            serde_json::from_slice::<Results>(&bytes).map_err(|e| {
                format!(
                    "{shown}:{}:{}: not a results document: {e}\n  hint: write one with `assay scan --format json --output FILE`",
                    e.line(),
                    e.column()
                )
            })
        });
    let results = read.map_err(|message| {
        eprintln!("assay: {message}");
        Exit::Usage
    })?;
    let root = declarations_root(&project.path, &results);
    if !root.is_dir() {
        eprintln!(
            "assay: `{}` is not a directory\n  hint: pass the scanned directory as ROOT; the declaration files are read from it",
            root.display()
        );
        return Err(Exit::Usage);
    }
    let config = Config::discover(&root, project.config.as_deref())
        .map_err(|errors| report_diagnostics(&errors))?;
    Ok((results, config.file))
}
