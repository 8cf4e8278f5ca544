//! `assay-fuzz`: fuzz every target for a time budget, or replay saved inputs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use assay_fuzz::supervisor::{self, Kind, Options};
use assay_fuzz::targets::{self, Target};
use assay_fuzz::worker::{self, WorkerFiles};

#[derive(Parser)]
#[command(
    name = "assay-fuzz",
    about = "Mutation fuzzing of assay's parsers and loaders"
)]
struct Cli {
    /// The repository checkout whose fixtures seed the targets.
    #[arg(long, global = true, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/.."))]
    repo: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fuzz the targets; exits 1 when an input crashed or hung a worker.
    Run {
        /// Seed of the input streams: the same seed gives the same inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Time budget of the whole run, shared equally by the targets.
        #[arg(long, default_value_t = 600.0)]
        total_seconds: f64,
        /// Upper limit of one target's share.
        #[arg(long, default_value_t = 600.0)]
        seconds_per_target: f64,
        /// At most this many inputs per target, within the time budget: the same seed and
        /// count give the same inputs on any machine (default: as many as the time allows).
        #[arg(long)]
        executions_per_target: Option<u64>,
        /// Where findings are saved (default: fuzz/artifacts of the repository).
        #[arg(long)]
        artifacts: Option<PathBuf>,
        /// Only these targets (default: all).
        targets: Vec<String>,
    },
    /// Run saved inputs through a target once each, under a worker's limits; exits non-zero
    /// as a worker would when one crashes or hangs.
    Replay {
        #[arg(long)]
        target: String,
        /// Scratch folder for the target's files.
        #[arg(long)]
        scratch: PathBuf,
        inputs: Vec<PathBuf>,
    },
    /// List the targets.
    List,
    /// A worker process (started by `run`).
    #[command(hide = true)]
    Worker {
        #[arg(long)]
        target: String,
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        stream: u64,
        #[arg(long)]
        seconds: f64,
        #[arg(long)]
        max_executions: u64,
        #[arg(long)]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::List => {
            for t in targets::all() {
                println!("{:<18} {}", t.name, t.about);
            }
            ExitCode::SUCCESS
        }
        Command::Worker {
            target,
            seed,
            stream,
            seconds,
            max_executions,
            dir,
        } => {
            let Some(target) = find(&target) else {
                return ExitCode::from(2);
            };
            worker::fuzz(
                target,
                &cli.repo,
                WorkerFiles { dir },
                seed,
                stream,
                worker::Budget {
                    seconds,
                    executions: max_executions,
                },
            );
            ExitCode::SUCCESS
        }
        Command::Replay {
            target,
            scratch,
            inputs,
        } => {
            let Some(target) = find(&target) else {
                return ExitCode::from(2);
            };
            let mut data = Vec::new();
            for path in inputs {
                match std::fs::read(&path) {
                    Ok(bytes) => data.push(bytes),
                    Err(e) => {
                        eprintln!("error: cannot read {}: {e}", path.display());
                        return ExitCode::from(2);
                    }
                }
            }
            worker::replay(target, &cli.repo, &scratch, data);
            ExitCode::SUCCESS
        }
        Command::Run {
            seed,
            total_seconds,
            seconds_per_target,
            executions_per_target,
            artifacts,
            targets: names,
        } => {
            let chosen: Vec<Target> = if names.is_empty() {
                targets::all()
            } else {
                let mut chosen = Vec::new();
                for name in &names {
                    match find(name) {
                        Some(t) => chosen.push(t),
                        None => return ExitCode::from(2),
                    }
                }
                chosen
            };
            let options = Options {
                seed,
                seconds_per_target,
                total_seconds,
                executions_per_target: executions_per_target.unwrap_or(u64::MAX),
                artifacts: artifacts.unwrap_or_else(|| cli.repo.join("fuzz/artifacts")),
                repo: cli.repo,
            };
            let reports = match supervisor::run(chosen, &options) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            let executions: u64 = reports.iter().map(|r| r.executions).sum();
            let crashes: usize = reports.iter().map(|r| r.count(Kind::Crash)).sum();
            let timeouts: usize = reports.iter().map(|r| r.count(Kind::Timeout)).sum();
            println!(
                "total: {} targets, {executions} executions, {crashes} crashes, {timeouts} timeouts (seed {seed})",
                reports.len()
            );
            if crashes + timeouts > 0 {
                println!("findings are saved under {}", options.artifacts.display());
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

fn find(name: &str) -> Option<Target> {
    let found = targets::find(name);
    if found.is_none() {
        eprintln!("error: no target `{name}` (see `assay-fuzz list`)");
    }
    found
}
