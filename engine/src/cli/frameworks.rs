//! `assay frameworks list | coverage`: the frameworks of the catalog, and how each requirement
//! is evidenced (automated, attested, not applicable, unmapped) beside the last scan's score.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::controls::ListFormat;
use super::{load_catalog, CatalogArgs, Exit};
use crate::catalog::{Catalog, Framework};
use crate::config::{Config, OutputFormat};
use crate::diag::did_you_mean;
use crate::pack::locker::Locker;
use crate::report::Results;
use crate::site::TrendPoint;

#[derive(Debug, Subcommand)]
pub enum FrameworksCommand {
    /// List the frameworks of the catalog with their requirement and control counts.
    List(ListArgs),
    /// Requirements per framework by how they are evidenced, and the last scan's score.
    Coverage(CoverageArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    catalog: CatalogArgs,
    #[arg(long, value_enum, default_value = "text")]
    format: ListFormat,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// Show one framework, requirement by requirement (default: a summary of every framework).
    framework: Option<String>,
    /// Take the last scan's scores from a saved results file (default: the `json` output of
    /// assay.yaml, when it has been written).
    #[arg(long, value_name = "FILE", conflicts_with = "locker")]
    results: Option<PathBuf>,
    /// Take the last scan's scores from the newest pack of an evidence locker.
    #[arg(long, env = "ASSAY_LOCKER", value_name = "DIR")]
    locker: Option<PathBuf>,
    /// Config file whose `json` output holds the last scan (default: assay.yaml in the
    /// current directory or a parent).
    #[arg(long, env = "ASSAY_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Exit 1 when any requirement is unmapped (no control and no not-applicable reason).
    #[arg(long)]
    fail_on_unmapped: bool,
    #[command(flatten)]
    catalog: CatalogArgs,
    #[arg(long, value_enum, default_value = "text")]
    format: ListFormat,
}

pub fn run(command: FrameworksCommand) -> Exit {
    match command {
        FrameworksCommand::List(args) => list(args),
        FrameworksCommand::Coverage(args) => coverage(args),
    }
}

fn list(args: ListArgs) -> Exit {
    let catalog = match load_catalog(&args.catalog.roots(&[], true)) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let rows: Vec<Value> = catalog
        .frameworks
        .iter()
        .map(|f| {
            let mut controls: Vec<&str> = f
                .requirements
                .iter()
                .flat_map(|r| r.controls.iter().map(String::as_str))
                .collect();
            controls.sort_unstable();
            controls.dedup();
            json!({
                "id": f.id,
                "name": f.name,
                "version": f.version,
                "source": f.source,
                "requirements": f.requirements.len(),
                "controls": controls.len(),
            })
        })
        .collect();
    match args.format {
        ListFormat::Json => print_json(&json!({ "frameworks": rows })),
        ListFormat::Text => {
            println!(
                "{:<12} {:>12} {:>9}  name",
                "framework", "requirements", "controls"
            );
            for r in &rows {
                println!(
                    "{:<12} {:>12} {:>9}  {}{}",
                    r["id"].as_str().unwrap_or_default(),
                    count(&r["requirements"]),
                    count(&r["controls"]),
                    r["name"].as_str().unwrap_or_default(),
                    r["version"]
                        .as_str()
                        .map(|v| format!(" ({v})"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Exit::Passed
}

fn coverage(args: CoverageArgs) -> Exit {
    let catalog = match load_catalog(&args.catalog.roots(&[], true)) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let last = match last_scan(&args) {
        Ok(last) => last,
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let frameworks: Vec<&Framework> = match &args.framework {
        None => catalog.frameworks.iter().collect(),
        Some(id) => match catalog.frameworks.iter().find(|f| &f.id == id) {
            Some(f) => vec![f],
            None => {
                eprintln!("assay: no framework `{id}` in the catalog");
                let ids = catalog.frameworks.iter().map(|f| f.id.as_str());
                match did_you_mean(id, ids) {
                    Some(close) => eprintln!("  hint: did you mean `{close}`?"),
                    None => eprintln!("  hint: `assay frameworks list` shows every framework"),
                }
                return Exit::Usage;
            }
        },
    };
    let detailed = args.framework.is_some();
    let rows: Vec<Value> = frameworks
        .iter()
        .map(|f| row(&catalog, f, last.as_ref(), detailed))
        .collect();
    let unmapped: u64 = rows.iter().filter_map(|r| r["unmapped"].as_u64()).sum();
    match args.format {
        ListFormat::Json => print_json(&json!({
            "last_scan": last.as_ref().map(|l| l.label.clone()),
            "frameworks": rows,
        })),
        ListFormat::Text => print_text(&rows, last.as_ref()),
    }
    if args.fail_on_unmapped && unmapped > 0 {
        eprintln!("assay: {unmapped} requirement(s) unmapped");
        return Exit::GateFailed;
    }
    Exit::Passed
}

/// The framework scores of the last scan: from `--results`, `--locker`, or else the `json`
/// output assay.yaml names, when that file exists (inside the config file's directory, for a
/// config file found in the repository: elsewhere it is skipped with a note).
fn last_scan(args: &CoverageArgs) -> Result<Option<TrendPoint>, String> {
    let configured = || -> Result<Option<PathBuf>, String> {
        let config =
            Config::discover(Path::new("."), args.config.as_deref()).map_err(|errors| {
                let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
                shown.join("\n")
            })?;
        let Some(written) = config
            .file
            .outputs
            .iter()
            .filter(|o| o.format == OutputFormat::Json)
            .find_map(|o| o.path.as_ref())
        else {
            return Ok(None);
        };
        match config.resolve_read("outputs", written) {
            Ok(path) => Ok(Some(path).filter(|p| p.is_file())),
            // Not written yet: nothing at the path, not even a link.
            Err(_) if config.resolve(written).symlink_metadata().is_err() => Ok(None),
            Err(d) => {
                eprintln!("assay: note: the last scan is not read: {}", d.message);
                Ok(None)
            }
        }
    };
    let results = match (&args.results, &args.locker) {
        (Some(file), _) => Some(file.clone()),
        (None, None) => configured()?,
        (None, Some(_)) => None,
    };
    if let Some(file) = &results {
        let shown = file.display();
        let bytes = crate::report::read_saved(file)?;
        let results: Results = serde_json::from_slice(&bytes).map_err(|e| {
            format!("`{shown}` is not an assay results file: {e}\n  hint: write one with `assay scan --format json --output FILE`")
        })?;
        return Ok(Some(TrendPoint::of(&results)));
    }
    match &args.locker {
        Some(dir) if !dir.is_dir() => Err(format!(
            "evidence locker `{}` does not exist\n  hint: a locker is made by `assay scan --locker DIR`",
            dir.display()
        )),
        Some(dir) => Ok(Locker::open(dir)?.trend()?.pop()),
        None => Ok(None),
    }
}

fn row(catalog: &Catalog, f: &Framework, last: Option<&TrendPoint>, detailed: bool) -> Value {
    let counts = catalog.coverage_counts(f);
    let score = last.and_then(|l| l.scores.iter().find(|s| s.id == f.id));
    let mut row = json!({
        "id": f.id,
        "name": f.name,
        "requirements": counts.requirements,
        "automated": counts.automated,
        "attested": counts.attested,
        "not_applicable": counts.not_applicable,
        "unmapped": counts.unmapped,
        "coverage": counts.percent(),
        "last_score": score.and_then(|s| s.score),
    });
    if detailed {
        row["detail"] = f
            .requirements
            .iter()
            .map(|r| {
                let mut detail = json!({
                    "id": r.id,
                    "title": r.title,
                    "earlier_ids": f.earlier_ids(&r.id),
                    "coverage": catalog.coverage(r).as_str(),
                    "controls": r.controls,
                    "not_applicable": r.not_applicable,
                });
                if !r.baselines.is_empty() {
                    detail["baselines"] = json!(r.baselines);
                }
                if r.service_provider {
                    detail["service_provider"] = json!(true);
                }
                if let Some(designation) = &r.designation {
                    detail["designation"] = json!(designation);
                }
                detail
            })
            .collect();
    }
    row
}

fn print_text(rows: &[Value], last: Option<&TrendPoint>) {
    println!(
        "{:<12} {:>5} {:>9} {:>8} {:>5} {:>8} {:>9} {:>10}",
        "framework", "reqs", "automated", "attested", "n/a", "unmapped", "coverage", "last score"
    );
    for r in rows {
        let score = r["last_score"]
            .as_f64()
            .map(|s| format!("{s:.1}%"))
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<12} {:>5} {:>9} {:>8} {:>5} {:>8} {:>8.1}% {:>10}",
            r["id"].as_str().unwrap_or_default(),
            count(&r["requirements"]),
            count(&r["automated"]),
            count(&r["attested"]),
            count(&r["not_applicable"]),
            count(&r["unmapped"]),
            r["coverage"].as_f64().unwrap_or_default(),
            score
        );
    }
    match last {
        Some(l) => println!("\nlast scan: {}", l.label),
        None => println!(
            "\nno scan found: pass --results FILE or --locker DIR, or name a json output in assay.yaml"
        ),
    }
    for r in rows {
        let Some(detail) = r["detail"].as_array() else {
            continue;
        };
        println!();
        let width = detail
            .iter()
            .filter_map(|d| d["id"].as_str())
            .map(str::len)
            .max()
            .unwrap_or_default()
            .max(12);
        for d in detail {
            let how = d["coverage"].as_str().unwrap_or_default();
            let what = match d["not_applicable"].as_str() {
                Some(reason) if how == "not_applicable" => reason.to_string(),
                _ => d["controls"]
                    .as_array()
                    .map(|cs| {
                        cs.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default(),
            };
            let marks: Vec<String> = [
                d["designation"].as_str().map(str::to_lowercase),
                d["service_provider"]
                    .as_bool()
                    .map(|_| "service providers only".to_string()),
            ]
            .into_iter()
            .flatten()
            .collect();
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" [{}]", marks.join("; "))
            };
            println!(
                "  {:<width$} {:<14} {what}{marks}{}",
                d["id"].as_str().unwrap_or_default(),
                how,
                earlier(d)
            );
        }
    }
}

/// The earlier edition's ids of a requirement row, shown as `  (A.12.4.1 → A.8.15, …)`.
fn earlier(row: &Value) -> String {
    let ids: Vec<String> = row["earlier_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|old| format!("{old} → {}", row["id"].as_str().unwrap_or_default()))
        .collect();
    if ids.is_empty() {
        String::new()
    } else {
        format!("  ({})", ids.join(", "))
    }
}

fn count(value: &Value) -> u64 {
    value.as_u64().unwrap_or_default()
}

fn print_json(value: &Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("JSON values serialize")
    );
}
