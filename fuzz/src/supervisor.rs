//! The supervisor: runs each target in a worker child process (this binary, re-executed)
//! for its share of the time budget, saves the input that killed a worker as an artifact
//! with the reason, restarts the worker, and reports per target what it ran and found.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::targets::Target;
use crate::worker::{Budget, WorkerFiles, EXIT_PANIC, EXIT_TIMEOUT, INPUT_TIMEOUT};

/// What a fuzz run covers.
pub struct Options {
    pub seed: u64,
    pub seconds_per_target: f64,
    pub total_seconds: f64,
    /// At most this many inputs per target, so that a run's inputs do not depend on the
    /// machine's speed (`u64::MAX`: as many as the time allows).
    pub executions_per_target: u64,
    pub repo: PathBuf,
    /// Findings are saved under `artifacts/<target>/`.
    pub artifacts: PathBuf,
}

/// A worker that did not finish normally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Crash,
    Timeout,
}

/// One finding: the input that killed a worker and why.
#[derive(Debug, Clone)]
pub struct Finding {
    pub kind: Kind,
    pub reason: String,
    /// Where the input was saved; `None` when an earlier input of this run had the same reason.
    pub artifact: Option<PathBuf>,
}

/// What one target's run did.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: &'static str,
    pub executions: u64,
    pub seconds: f64,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn count(&self, kind: Kind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }

    /// The findings whose reason had not been seen before in this run.
    pub fn distinct(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.artifact.is_some())
    }
}

/// Fuzzes every target in turn, each for an equal share of the total budget (at most
/// `seconds_per_target`), printing one line per target as it finishes.
pub fn run(targets: Vec<Target>, options: &Options) -> std::io::Result<Vec<Report>> {
    let work = tempfile::Builder::new().prefix("assay-fuzz").tempdir()?;
    let share =
        (options.total_seconds / targets.len().max(1) as f64).min(options.seconds_per_target);
    let mut reports = Vec::new();
    for target in targets {
        let report = fuzz_target(&target, options, work.path(), share)?;
        println!("{}", line(&report));
        for f in report.distinct() {
            if let Some(path) = &f.artifact {
                println!("    {} -> {}", f.reason, path.display());
            }
        }
        reports.push(report);
    }
    Ok(reports)
}

/// The summary line of a report.
pub fn line(r: &Report) -> String {
    format!(
        "{:<18} {:>9} executions {:>7.1} s {:>3} crashes {:>3} timeouts",
        r.target,
        r.executions,
        r.seconds,
        r.count(Kind::Crash),
        r.count(Kind::Timeout)
    )
}

fn fuzz_target(
    target: &Target,
    options: &Options,
    work: &Path,
    seconds: f64,
) -> std::io::Result<Report> {
    let started = Instant::now();
    let files = WorkerFiles {
        dir: work.join(target.name),
    };
    let mut report = Report {
        target: target.name,
        executions: 0,
        seconds: 0.0,
        findings: Vec::new(),
    };
    let mut seen = BTreeSet::new();
    let mut stream = 0u64;
    loop {
        let left = Budget {
            seconds: seconds - started.elapsed().as_secs_f64(),
            executions: options
                .executions_per_target
                .saturating_sub(report.executions),
        };
        if left.seconds <= 0.0 || left.executions == 0 {
            break;
        }
        if files.dir.exists() {
            std::fs::remove_dir_all(&files.dir)?;
        }
        std::fs::create_dir_all(&files.dir)?;
        let outcome = run_worker(target.name, options, &files, stream, left)?;
        report.executions += std::fs::read_to_string(files.executions())
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let Some((kind, reason, key)) = failure(outcome, &files) else {
            break;
        };
        let artifact = if seen.insert(key) {
            Some(save(
                target.name,
                &options.artifacts,
                &files,
                &kind,
                &reason,
            )?)
        } else {
            None
        };
        report.findings.push(Finding {
            kind,
            reason,
            artifact,
        });
        stream += 1;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Runs one worker within `budget` (plus an input's timeout and some grace, after which it is
/// killed); `None` when it had to be killed.
fn run_worker(
    target: &str,
    options: &Options,
    files: &WorkerFiles,
    stream: u64,
    budget: Budget,
) -> std::io::Result<Option<ExitStatus>> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("worker")
        .args(["--target", target])
        .args(["--seed", &options.seed.to_string()])
        .args(["--stream", &stream.to_string()])
        .args(["--seconds", &format!("{:.3}", budget.seconds)])
        .args(["--max-executions", &budget.executions.to_string()])
        .arg("--dir")
        .arg(&files.dir)
        .arg("--repo")
        .arg(&options.repo)
        // Fewer malloc arenas keep the address-space cap about the heap, not reservations.
        .env("MALLOC_ARENA_MAX", "2")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(files.stderr())?)
        .spawn()?;
    let limit = Duration::from_secs_f64(budget.seconds) + INPUT_TIMEOUT + Duration::from_secs(30);
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if started.elapsed() > limit {
            child.kill()?;
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// How a worker failed: its kind, the reason shown, and the key findings are told apart by
/// (the reason without numbers, which vary between inputs hitting the same bug). `None` when
/// it finished normally.
fn failure(outcome: Option<ExitStatus>, files: &WorkerFiles) -> Option<(Kind, String, String)> {
    let stderr = std::fs::read_to_string(files.stderr()).unwrap_or_default();
    let described = describe(&stderr);
    let (kind, reason) = match outcome {
        None => (
            Kind::Timeout,
            "hung: the worker outlived its budget and was killed".to_string(),
        ),
        Some(s) if s.success() => return None,
        Some(s) if s.code() == Some(EXIT_TIMEOUT) => (Kind::Timeout, described),
        Some(s) if s.code() == Some(EXIT_PANIC) => (Kind::Crash, format!("panic: {described}")),
        Some(s) => (Kind::Crash, format!("{}: {described}", status_text(s))),
    };
    let key = reason.replace(|c: char| c.is_ascii_digit(), "");
    Some((kind, reason, key))
}

/// The informative lines of a worker's standard error: the panic location and message, the
/// stack overflow or allocation failure, the timeout.
fn describe(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("note: "))
        .collect();
    let start = lines
        .iter()
        .rposition(|l| {
            l.contains("panicked at")
                || l.contains("overflowed its stack")
                || l.starts_with("memory allocation of")
                || l.starts_with("timeout:")
        })
        .unwrap_or(lines.len().saturating_sub(2));
    let mut text = lines[start..].join(" ");
    text.truncate(text.floor_char_boundary(400));
    if text.is_empty() {
        "no message".into()
    } else {
        text
    }
}

fn status_text(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                libc::SIGABRT => "SIGABRT",
                libc::SIGSEGV => "SIGSEGV",
                libc::SIGBUS => "SIGBUS",
                libc::SIGKILL => "SIGKILL",
                libc::SIGILL => "SIGILL",
                _ => "signal",
            };
            return format!("killed by {name} ({signal})");
        }
    }
    format!("exit code {}", status.code().unwrap_or(-1))
}

/// Saves the worker's current input as `<artifacts>/<target>/<kind>-<sha256>`, with the
/// reason beside it in a `.txt` file.
fn save(
    target: &str,
    artifacts: &Path,
    files: &WorkerFiles,
    kind: &Kind,
    reason: &str,
) -> std::io::Result<PathBuf> {
    let input = std::fs::read(files.current()).unwrap_or_default();
    let dir = artifacts.join(target);
    std::fs::create_dir_all(&dir)?;
    let prefix = match kind {
        Kind::Crash => "crash",
        Kind::Timeout => "timeout",
    };
    let path = dir.join(format!("{prefix}-{}", hex::encode(Sha256::digest(&input))));
    std::fs::write(&path, &input)?;
    std::fs::write(path.with_extension("txt"), format!("{reason}\n"))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_panics_overflows_and_allocation_failures() {
        let panic = "thread 'fuzz-input' panicked at src/a.rs:3:9:\nindex out of bounds\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            describe(panic),
            "thread 'fuzz-input' panicked at src/a.rs:3:9: index out of bounds"
        );
        let overflow = "noise\n\nthread 'rayon' has overflowed its stack\nfatal runtime error: stack overflow\n";
        assert_eq!(
            describe(overflow),
            "thread 'rayon' has overflowed its stack fatal runtime error: stack overflow"
        );
        assert_eq!(
            describe("memory allocation of 8 bytes failed\n"),
            "memory allocation of 8 bytes failed"
        );
        assert_eq!(describe(""), "no message");
    }
}
