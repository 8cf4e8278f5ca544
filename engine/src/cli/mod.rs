//! The `assay` command line.

mod attest;
mod baseline;
mod check;
mod config;
mod controls;
mod documents;
mod evidence;
mod explain;
mod explain_score;
mod frameworks;
mod init;
mod keygen;
mod locker;
mod merge;
mod org;
mod parse;
mod period;
mod project;
mod scan;
mod site;
mod verify;
mod waivers;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::catalog::{self, Catalog, CatalogRoot};
use crate::config::Config;
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
    /// Worker threads for collection and evaluation (default: one per core). Outputs are the
    /// same whatever the count.
    #[arg(long, global = true, env = "ASSAY_THREADS", value_name = "N")]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan a directory with the catalog and score every framework.
    Scan(scan::ScanArgs),
    /// Pre-merge check: only the new failures against a git revision or a baseline file.
    Check(check::CheckArgs),
    /// Write a baseline (the failure keys of a full scan) for `check --baseline`.
    Baseline(baseline::BaselineArgs),
    /// List, lint and test controls.
    #[command(subcommand)]
    Controls(controls::ControlsCommand),
    /// Write an attestation for a control no machine can check.
    Attest(attest::AttestArgs),
    /// List frameworks and show how each requirement is evidenced.
    #[command(subcommand)]
    Frameworks(frameworks::FrameworksCommand),
    /// Show a control, its mappings, its check and how to fix a failure.
    Explain(explain::ExplainArgs),
    /// Show how a framework's (or one requirement's) score is computed from a saved scan.
    ExplainScore(explain_score::ExplainScoreArgs),
    /// Render the HTML evidence site from a saved results file.
    Site(site::SiteArgs),
    /// Scan the repositories of an org manifest (assay-org.yaml) and render their portfolio.
    #[command(subcommand)]
    Org(org::OrgCommand),
    /// Write the audit documents (ISO 27001 SoA, GDPR Art. 30 records, AI Act technical
    /// documentation, SOC 2 matrix) as Markdown and HTML.
    Documents(documents::DocumentsArgs),
    /// Report on an observation period: each control in every scan an evidence locker kept
    /// between two dates, the weekly cadence and its gaps, remediation times and lifecycle.
    Period(period::PeriodArgs),
    /// Merge the shards' results of a fan-out (`scan --shard I/N`) into the whole scan's
    /// results and pack.
    Merge(merge::MergeArgs),
    /// Check an evidence pack: every digest, the root, the chain link and the signature.
    Verify(verify::VerifyArgs),
    /// Make an ed25519 key pair for signing evidence packs.
    Keygen(keygen::KeygenArgs),
    /// Check an evidence locker: every pack and the chain between them.
    #[command(subcommand)]
    Locker(locker::LockerCommand),
    /// Set a repository up: assay.yaml, a sample control, .gitignore and the CI integration.
    Init(init::InitArgs),
    /// Print the effective configuration: each value with its origin (flag, environment,
    /// assay.yaml:LINE or default).
    Config(config::ConfigArgs),
    /// Check waivers files.
    #[command(subcommand)]
    Waivers(waivers::WaiversCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; read it with `man -l -`).
    Man,
    /// Print the documents controls see for some files, as JSON (Terraform evaluated).
    Parse(parse::ParseArgs),
}

/// Options shared by every command that loads a catalog.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Catalog")]
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

/// Stack size of the thread that runs a command and of rayon's workers. Parsers and checks
/// refuse input nested deeper than the nesting limit; this leaves ample room below it for the
/// libraries that recurse (jsonschema, Cedar, regorus, minijinja).
const STACK_BYTES: usize = 64 << 20;

/// Parses the arguments and runs the command on a thread with a known, generous stack.
pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(e) = rayon::ThreadPoolBuilder::new()
        .num_threads(cli.threads.unwrap_or(0))
        .stack_size(STACK_BYTES)
        .build_global()
    {
        eprintln!("assay: cannot start worker threads: {e}");
        return Exit::Usage.into();
    }
    let worker = std::thread::Builder::new()
        .name("assay".into())
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli, &matches));
    match worker {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Err(e) => {
            eprintln!("assay: cannot start the work thread: {e}");
            Exit::Usage.into()
        }
    }
}

fn run(cli: Cli, matches: &clap::ArgMatches) -> ExitCode {
    let exit = match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Check(args) => check::run(args),
        Command::Baseline(args) => baseline::run(args),
        Command::Controls(cmd) => controls::run(cmd),
        Command::Attest(args) => attest::run(args),
        Command::Frameworks(cmd) => frameworks::run(cmd),
        Command::Explain(args) => explain::run(args),
        Command::ExplainScore(args) => explain_score::run(args),
        Command::Site(args) => site::run(args),
        Command::Org(cmd) => org::run(cmd),
        Command::Documents(args) => documents::run(args),
        Command::Period(args) => period::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Locker(cmd) => locker::run(cmd),
        Command::Waivers(cmd) => waivers::run(cmd),
        Command::Init(args) => init::run(args),
        Command::Config(args) => config::run(args, matches),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "assay", &mut std::io::stdout());
            Exit::Passed
        }
        Command::Man => {
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => Exit::Passed,
                Err(e) => {
                    eprintln!("assay: cannot write the manual page: {e}");
                    Exit::Usage
                }
            }
        }
        Command::Parse(args) => parse::run(args),
    };
    exit.into()
}

/// The `assay.yaml` of the current directory (or `explicit`) and the catalog directories its
/// `controls:` names.
fn configured_dirs(explicit: Option<&Path>) -> Result<(Config, Vec<PathBuf>), Exit> {
    let config =
        Config::discover(Path::new("."), explicit).map_err(|errors| report_diagnostics(&errors))?;
    let dirs = config
        .file
        .controls
        .iter()
        .map(|p| config.resolve_read("controls", p))
        .collect::<Result<Vec<PathBuf>, _>>()
        .map_err(|d| report_diagnostics(&[d]))?;
    Ok((config, dirs))
}

/// The catalog as the project configures it: the built-in one unless `builtin: false`, the
/// directories of `controls:` and `--controls`, with the parameter values of `assay.yaml`.
fn configured_catalog(args: &CatalogArgs, explicit: Option<&Path>) -> Result<Catalog, Exit> {
    let (config, dirs) = configured_dirs(explicit)?;
    let roots = args.roots(&dirs, config.file.builtin.unwrap_or(true));
    catalog::load_with(&roots, &config.parameters).map_err(|errors| report_diagnostics(&errors))
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
