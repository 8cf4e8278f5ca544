//! `assay scan`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use assay_collectors::Scope;
use clap::Args;
use globset::{Glob, GlobSet, GlobSetBuilder};
use indicatif::{ProgressBar, ProgressStyle};

use super::{load_catalog, report_diagnostics, CatalogArgs, Exit};
use crate::config::{Config, OutputFormat, OutputSpec};
use crate::diag::Diagnostic;
use crate::model::Severity;
use crate::report::{json, terminal};
use crate::scan::{check_frameworks, gate, run as run_scan, ScanRequest};

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Directory to scan.
    #[arg(default_value = ".")]
    path: PathBuf,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Config file (default: assay.yaml in the scan root or a parent).
    #[arg(long, env = "ASSAY_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Frameworks to score (ids such as soc2, iso27001, gdpr, eu-ai-act); default all.
    #[arg(
        long = "framework",
        env = "ASSAY_FRAMEWORKS",
        value_delimiter = ',',
        value_name = "ID"
    )]
    frameworks: Vec<String>,
    /// Output format.
    #[arg(long, env = "ASSAY_FORMAT", value_enum)]
    format: Option<OutputFormat>,
    /// Write the output to FILE instead of stdout.
    #[arg(long, short, env = "ASSAY_OUTPUT", value_name = "FILE")]
    output: Option<PathBuf>,
    /// Fail (exit 1) when any framework scores under PCT percent.
    #[arg(long, env = "ASSAY_FAIL_UNDER", value_name = "PCT", value_parser = percent)]
    fail_under: Option<f64>,
    /// Fail (exit 1) when a control of this severity or worse has a failing item.
    #[arg(long, env = "ASSAY_FAIL_ON", value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Only collect files matching GLOB (relative to the scan root); repeatable.
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Never collect files matching GLOB; repeatable.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
}

fn percent(s: &str) -> Result<f64, String> {
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

fn globs(patterns: &[String], origin: &str) -> Result<Option<GlobSet>, Diagnostic> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        let glob = Glob::new(p).map_err(|e| {
            Diagnostic::new(origin, format!("invalid glob `{p}`: {}", e.kind()))
                .expected("a glob such as `**/*.yaml`")
        })?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| Diagnostic::new(origin, e.to_string()))
}

pub fn run(args: ScanArgs) -> Exit {
    if !args.path.is_dir() {
        eprintln!(
            "assay: scan root `{}` is not a directory\n  hint: pass the directory to scan, e.g. `assay scan .`",
            args.path.display()
        );
        return Exit::Usage;
    }
    let config = match Config::discover(&args.path, args.config.as_deref()) {
        Ok(c) => c,
        Err(errors) => return report_diagnostics(&errors),
    };
    let config_name = config
        .path
        .as_ref()
        .map_or_else(|| "command line".to_string(), |p| p.display().to_string());
    let extra: Vec<PathBuf> = config
        .file
        .controls
        .iter()
        .map(|p| config.resolve(p))
        .collect();
    let builtin = config.file.builtin.unwrap_or(true);
    let catalog = match load_catalog(&args.catalog.roots(&extra, builtin)) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let frameworks = if args.frameworks.is_empty() {
        config.file.frameworks.clone()
    } else {
        Some(args.frameworks.clone())
    };
    if let Some(wanted) = &frameworks {
        let origin = if args.frameworks.is_empty() {
            config_name.as_str()
        } else {
            "--framework"
        };
        if let Err(errors) = check_frameworks(&catalog, wanted, origin) {
            return report_diagnostics(&errors);
        }
    }
    let settings = config.config_collector();
    let include = if args.include.is_empty() {
        &settings.include
    } else {
        &args.include
    };
    let exclude: Vec<String> = settings
        .exclude
        .iter()
        .chain(&args.exclude)
        .cloned()
        .collect();
    let mut scope = Scope::new(&args.path);
    match (globs(include, &config_name), globs(&exclude, &config_name)) {
        (Ok(i), Ok(e)) => {
            scope.include = i;
            scope.exclude = e;
        }
        (Err(d), _) | (_, Err(d)) => return report_diagnostics(&[d]),
    }
    if let Some(max) = settings.max_file_size {
        scope.max_file_size = max;
    }
    scope.settings = config.file.collectors.clone();
    let request = ScanRequest {
        scope,
        frameworks,
        thresholds: config.thresholds(),
    };

    let bar = progress_bar(catalog.controls.len());
    let results = match run_scan(&catalog, &request, &|done, _| bar.set_position(done as u64)) {
        Ok(r) => r,
        Err(d) => {
            bar.finish_and_clear();
            return report_diagnostics(&[d]);
        }
    };
    bar.finish_and_clear();

    let fail_under = args.fail_under.or(config.file.gate.fail_under);
    let fail_on = args.fail_on.or(config.file.gate.fail_on);
    let reasons = gate(&results, fail_under, fail_on);

    let outputs =
        if args.format.is_some() || args.output.is_some() || config.file.outputs.is_empty() {
            vec![OutputSpec {
                format: args.format.unwrap_or(OutputFormat::Terminal),
                path: args.output.clone(),
            }]
        } else {
            config
                .file
                .outputs
                .iter()
                .map(|o| OutputSpec {
                    format: o.format,
                    path: o.path.as_ref().map(|p| config.resolve(p)),
                })
                .collect()
        };
    for output in outputs {
        let text = match output.format {
            OutputFormat::Json => json::render(&results),
            OutputFormat::Terminal => terminal::render(&results, &reasons),
        };
        let written = match &output.path {
            Some(path) => {
                let plain = anstream::adapter::strip_str(&text).to_string();
                std::fs::write(path, plain)
                    .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
            }
            None => {
                let mut out = anstream::stdout();
                out.write_all(text.as_bytes())
                    .map_err(|e| format!("cannot write to stdout: {e}"))
            }
        };
        if let Err(message) = written {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    }
    if reasons.is_empty() {
        Exit::Passed
    } else {
        Exit::GateFailed
    }
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
