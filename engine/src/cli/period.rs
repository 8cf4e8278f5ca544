//! `assay period`: the observation period report over the scans kept in an evidence locker.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use jiff::civil::Date;

use super::Exit;
use crate::documents;
use crate::pack::lockers::AnyLocker;
use crate::period::{self, parse_day, Period};

#[derive(Debug, Args)]
pub struct PeriodArgs {
    /// The evidence locker whose scans make the period (`assay scan --locker DIR` or
    /// `s3://BUCKET/PREFIX`).
    #[arg(long, env = "ASSAY_LOCKER", value_name = "DIR")]
    locker: PathBuf,
    /// First day of the period (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    from: Date,
    /// Last day of the period, included (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    to: Date,
    /// Output formats, comma-separated; several need --out.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "markdown")]
    format: Vec<PeriodFormat>,
    /// Write each format to DIR (period.json, period.md, period.html) instead of stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PeriodFormat {
    Json,
    Markdown,
    Html,
}

impl PeriodFormat {
    fn file(self) -> &'static str {
        match self {
            PeriodFormat::Json => "period.json",
            PeriodFormat::Markdown => "period.md",
            PeriodFormat::Html => "period.html",
        }
    }
}

pub fn run(args: PeriodArgs) -> Exit {
    match report(&args) {
        Ok(()) => Exit::Passed,
        Err(message) => {
            eprintln!("assay: {message}");
            Exit::Usage
        }
    }
}

fn report(args: &PeriodArgs) -> Result<(), String> {
    let mut formats = args.format.clone();
    formats.dedup();
    if formats.len() > 1 && args.out.is_none() {
        return Err("several formats need --out DIR, one file each".to_string());
    }
    let period = load(&args.locker, args.from, args.to)?;
    for u in &period.unreadable {
        eprintln!("assay: pack {} left out: {}", u.pack, u.reason);
    }
    let (markdown, html) = documents::render_period(&period, None)?;
    let text = |f: PeriodFormat| match f {
        PeriodFormat::Json => period::json(&period),
        PeriodFormat::Markdown => markdown.clone(),
        PeriodFormat::Html => html.clone(),
    };
    let Some(out) = &args.out else {
        print!("{}", text(formats[0]));
        return Ok(());
    };
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create `{}`: {e}", out.display()))?;
    let mut written = Vec::new();
    for f in formats {
        let path = out.join(f.file());
        std::fs::write(&path, text(f))
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        written.push(f.file());
    }
    println!(
        "period {} to {} written to {}: {} ({} scans, {} weeks without a scan)",
        period.from,
        period.to,
        out.display(),
        written.join(", "),
        period.scans.len(),
        period.cadence.gaps.len()
    );
    Ok(())
}

/// The period `[from, to]` over the scans of the locker `locker` names (a directory or
/// `s3://BUCKET/PREFIX`), which must exist.
pub fn load(locker: &Path, from: Date, to: Date) -> Result<Period, String> {
    period::check_bounds(from, to)?;
    let is_s3 = locker.to_str().is_some_and(|l| l.starts_with("s3://"));
    if !is_s3 && !locker.join(".git").exists() {
        return Err(format!(
            "`{}` is not an evidence locker\n  hint: a locker is made by `assay scan --locker DIR`",
            locker.display()
        ));
    }
    Period::compute(
        &AnyLocker::open_existing(locker)?.results_history()?,
        from,
        to,
    )
}
