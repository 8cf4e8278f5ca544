//! `assay scan`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::project::ProjectArgs;
use super::{report_diagnostics, Exit};
use crate::config::{Config, OutputFormat, OutputSpec};
use crate::documents;
use crate::model::Severity;
use crate::report::{csv, json, junit, markdown, oscal, sarif, table, terminal, Results};
use crate::scan::{run_keeping, Gate, ShardRun, DEFAULT_FAIL_ON};

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    gate: GateArgs,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    evidence: super::evidence::EvidenceArgs,
    /// Scan only shard I of N (1-based, e.g. 2/7) and write a partial result for `assay merge`:
    /// per-file controls judge the files the shard owns, shard 1 also judges the repository-wide
    /// ones. A shard never fails the gate; the merge judges the whole.
    #[arg(long, env = "ASSAY_SHARD", value_name = "I/N")]
    shard: Option<crate::shard::Shard>,
}

/// The gate flags of `scan`, which `assay config` resolves too.
#[derive(Debug, Args)]
#[command(next_help_heading = "Gate")]
pub struct GateArgs {
    /// Fail (exit 1) when any framework scores under PCT percent.
    #[arg(long, env = "ASSAY_FAIL_UNDER", value_name = "PCT", value_parser = percent)]
    pub fail_under: Option<f64>,
    /// Fail (exit 1) when a control of this severity or worse has a failing item (default
    /// high; automated controls only unless `gate.include_attestations` is set).
    #[arg(long, env = "ASSAY_FAIL_ON", value_name = "SEVERITY")]
    pub fail_on: Option<Severity>,
    /// Report only: exit 0 whatever the scan finds (the summary still says what would fail).
    #[arg(long, env = "ASSAY_SOFT_FAIL")]
    pub soft_fail: bool,
}

impl GateArgs {
    /// The gate these flags and the config file's `gate:` set.
    pub fn gate(&self, settings: &crate::config::Gate) -> Gate {
        Gate {
            fail_under: self.fail_under.or(settings.fail_under),
            fail_on: self.fail_on.or(settings.fail_on).unwrap_or(DEFAULT_FAIL_ON),
            include_attestations: settings.include_attestations,
            soft_fail: self.soft_fail || settings.soft_fail,
        }
    }
}

/// What the terminal summary shows (other formats are unaffected).
#[derive(Debug, Args)]
#[command(next_help_heading = "Terminal display")]
pub struct ViewArgs {
    /// Show only the failing controls and the gate.
    #[arg(long, short)]
    quiet: bool,
    /// Show the places of failures without their messages and fixes.
    #[arg(long)]
    compact: bool,
    /// Show only failing controls of these severities, comma-separated (the gate is unchanged).
    #[arg(long, value_delimiter = ',', value_name = "SEVERITY")]
    severity: Vec<Severity>,
    /// Show everything: each failure with its message and fix, each control missing evidence,
    /// each attestation in force and each skipped file (the default fits about a screen).
    #[arg(long, short)]
    verbose: bool,
}

impl ViewArgs {
    pub(super) fn view(&self) -> terminal::View {
        terminal::View {
            quiet: self.quiet,
            compact: self.compact,
            severities: self.severity.clone(),
            verbose: self.verbose,
        }
    }
}

/// Where the results go, shared by `scan` and `check`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output formats, comma-separated; several need --output-dir.
    #[arg(
        long,
        env = "ASSAY_FORMAT",
        value_enum,
        value_delimiter = ',',
        value_name = "FORMAT"
    )]
    format: Vec<OutputFormat>,
    /// Write the output to FILE instead of stdout.
    #[arg(
        long,
        short,
        env = "ASSAY_OUTPUT",
        value_name = "FILE",
        conflicts_with = "output_dir"
    )]
    output: Option<PathBuf>,
    /// Write each format to DIR: results.json, results.sarif, results.junit.xml, results.md,
    /// results.csv, results.oscal.json, results.xlsx, results.pdf, results.txt (terminal).
    #[arg(long, env = "ASSAY_OUTPUT_DIR", value_name = "DIR")]
    output_dir: Option<PathBuf>,
}

/// A percentage between 0 and 100, with or without `%`.
pub(super) fn percent(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("`{s}` is not between 0 and 100"))
    }
}

pub fn run(args: ScanArgs) -> Exit {
    let mut project = match args.project.open() {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    if let Some(shard) = args.shard {
        project.request.shard = Some(ShardRun {
            shard,
            settings: project.shard_settings(),
        });
    }
    let outputs = match outputs(&args.output, &project.config) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let evidence = match args.evidence.prepare(&project.config.file) {
        Ok(e) => e,
        Err(exit) => return exit,
    };
    let (config, catalog, request) = (&project.config, &project.catalog, &project.request);

    let bar = progress_bar(catalog.controls.len());
    let scanned = run_keeping(catalog, request, &|done, _| bar.set_position(done as u64));
    let (results, built) = match scanned {
        Ok(r) => r,
        Err(d) => {
            bar.finish_and_clear();
            return report_diagnostics(&[d]);
        }
    };
    bar.finish_and_clear();

    let verdict = args.gate.gate(&config.file.gate).judge(&results);

    let view = args.view.view();
    if let Err(exit) = emit(outputs, &results, &|| {
        terminal::render(&results, &verdict, &view)
    }) {
        return exit;
    }
    if let Err(exit) = evidence.write(&results, &built, &args.project.path, &config.file) {
        return exit;
    }
    if verdict.failed() && args.shard.is_none() {
        Exit::GateFailed
    } else {
        Exit::Passed
    }
}

/// Writes `results` to every output; `terminal` renders the terminal format.
pub(super) fn emit(
    outputs: Vec<OutputSpec>,
    results: &Results,
    terminal: &dyn Fn() -> String,
) -> Result<(), Exit> {
    for output in outputs {
        let written = match (output.format, &output.path) {
            (OutputFormat::Pdf, Some(path)) => print_report(results, path),
            (OutputFormat::Xlsx, Some(path)) => {
                table::workbook(&[&csv::findings(results)], &results.scan.finished_at)
                    .and_then(|bytes| write_file(path, &bytes))
            }
            (format @ (OutputFormat::Xlsx | OutputFormat::Pdf), None) => Err(format!(
                "`{}` is a binary format: give it a file",
                format.name()
            )),
            (format, path) => {
                let text = match format {
                    OutputFormat::Terminal => terminal(),
                    OutputFormat::Json => json::render(results),
                    OutputFormat::Sarif => sarif::render(results),
                    OutputFormat::Junit => junit::render(results),
                    OutputFormat::Markdown => markdown::render(results),
                    OutputFormat::Csv => csv::render(results),
                    OutputFormat::Oscal => oscal::render(results),
                    OutputFormat::Xlsx | OutputFormat::Pdf => String::new(),
                };
                write_text(format == OutputFormat::Terminal, path.as_deref(), text)
            }
        };
        if let Err(message) = written {
            eprintln!("assay: {message}");
            return Err(Exit::Usage);
        }
    }
    Ok(())
}

/// Writes a text format to `path`, or to stdout (the terminal format with its colours when
/// stdout takes them).
fn write_text(terminal: bool, path: Option<&Path>, text: String) -> Result<(), String> {
    match path {
        Some(path) => {
            let text = if terminal {
                anstream::adapter::strip_str(&text).to_string()
            } else {
                text
            };
            write_file(path, text.as_bytes())
        }
        None if terminal => anstream::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write to stdout: {e}")),
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write to stdout: {e}")),
    }
}

/// Prints the scan report (the `scan-report` document) to the PDF file `path`.
fn print_report(results: &Results, path: &Path) -> Result<(), String> {
    let chromium = documents::pdf::find_chromium().ok_or(NO_CHROMIUM)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    }
    documents::print_scan_report(results, &chromium, path)
}

/// Why `--format pdf` cannot run here.
const NO_CHROMIUM: &str = "--format pdf needs Chromium: install it (Debian: `apt-get install chromium`) or set CHROMIUM to its binary";

/// Where each output goes: `--format` with `--output` or `--output-dir` when given, else the
/// `outputs:` of the config file, else the terminal summary on stdout. A binary format needs a
/// file, and `pdf` needs Chromium: both are refused before anything is scanned.
pub(super) fn outputs(args: &OutputArgs, config: &Config) -> Result<Vec<OutputSpec>, String> {
    let outputs = requested_outputs(args, config)?;
    for o in &outputs {
        if o.format.is_binary() && o.path.is_none() {
            return Err(format!(
                "`{}` is a binary format: give it a file\n  hint: `--output {}` or `--output-dir DIR`",
                o.format.name(),
                o.format.file_name()
            ));
        }
        if o.format == OutputFormat::Pdf && documents::pdf::find_chromium().is_none() {
            return Err(NO_CHROMIUM.to_string());
        }
    }
    Ok(outputs)
}

fn requested_outputs(args: &OutputArgs, config: &Config) -> Result<Vec<OutputSpec>, String> {
    let mut formats: Vec<OutputFormat> = Vec::new();
    for f in &args.format {
        if !formats.contains(f) {
            formats.push(*f);
        }
    }
    if let Some(dir) = &args.output_dir {
        if formats.is_empty() {
            return Err("--output-dir needs --format\n  hint: e.g. `--format json,sarif,junit --output-dir out`".into());
        }
        return Ok(formats
            .into_iter()
            .map(|format| OutputSpec {
                format,
                path: Some(dir.join(format.file_name())),
            })
            .collect());
    }
    if formats.len() > 1 {
        let files: Vec<String> = formats
            .iter()
            .map(|f| format!("out/{}", f.file_name()))
            .collect();
        return Err(format!(
            "{} formats need --output-dir, one file each\n  hint: `--output-dir out` writes {}",
            formats.len(),
            files.join(", ")
        ));
    }
    if !formats.is_empty() || args.output.is_some() || config.file.outputs.is_empty() {
        return Ok(vec![OutputSpec {
            format: formats.first().copied().unwrap_or(OutputFormat::Terminal),
            path: args.output.clone(),
        }]);
    }
    config
        .file
        .outputs
        .iter()
        .map(|o| {
            let path = match &o.path {
                Some(p) => Some(
                    config
                        .resolve_write("outputs", p)
                        .map_err(|d| d.to_string())?,
                ),
                None => None,
            };
            Ok(OutputSpec {
                format: o.format,
                path,
            })
        })
        .collect()
}

/// Writes `bytes` to `path`, creating its directory when missing.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// A progress bar on stderr when stderr is a terminal; hidden otherwise.
fn progress_bar(total: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} evaluating controls {bar:30} {pos}/{len}")
    {
        bar.set_style(style);
    }
    bar
}
