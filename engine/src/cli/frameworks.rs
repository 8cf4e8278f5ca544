//! `assay frameworks list | coverage | crosswalk | export | import`: the frameworks of the
//! catalog, how each requirement is evidenced (automated, attested, not applicable, unmapped)
//! beside the last scan's score, which requirements of two frameworks share controls, the
//! mappings as an OSCAL component definition, and mapping skeletons from OSCAL catalogs.

use std::path::{Path, PathBuf};

use assay_collectors::limits::OSCAL_DOCUMENT_BYTES;
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::controls::ListFormat;
use super::{load_catalog, CatalogArgs, Exit};
use crate::catalog::{self, oscal_import, Catalog, Framework};
use crate::config::{Config, OutputFormat};
use crate::diag::did_you_mean;
use crate::pack::lockers::AnyLocker;
use crate::report::{oscal_component, Results};
use crate::site::TrendPoint;

#[derive(Debug, Subcommand)]
pub enum FrameworksCommand {
    /// List the frameworks of the catalog with their requirement and control counts.
    List(ListArgs),
    /// Requirements per framework by how they are evidenced, and the last scan's score.
    Coverage(CoverageArgs),
    /// For each requirement of framework A, the requirements of B that share controls with it.
    Crosswalk(CrosswalkArgs),
    /// Write framework mappings as an OSCAL component definition.
    Export(ExportArgs),
    /// Write a mapping skeleton from an OSCAL catalog, optionally narrowed by a profile.
    Import(ImportArgs),
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
    /// Take the last scan's scores from the newest pack of an evidence locker (a directory or
    /// s3://BUCKET/PREFIX).
    #[arg(long, env = "ASSAY_LOCKER", value_name = "DIR|s3://BUCKET/PREFIX")]
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

#[derive(Debug, Args)]
pub struct CrosswalkArgs {
    /// The framework whose requirements are listed.
    from: String,
    /// The framework they are matched against.
    to: String,
    #[command(flatten)]
    catalog: CatalogArgs,
    #[arg(long, value_enum, default_value = "text")]
    format: ListFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The frameworks to export (default: every framework of the catalog).
    frameworks: Vec<String>,
    #[arg(long, value_enum, default_value = "oscal-component")]
    format: ExportFormat,
    #[command(flatten)]
    catalog: CatalogArgs,
}

/// What `assay frameworks export` writes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    /// OSCAL 1.1 component definition (JSON).
    OscalComponent,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The OSCAL catalog (JSON), e.g. NIST SP 800-53 or a resolved baseline catalog.
    catalog: PathBuf,
    /// An OSCAL profile (JSON) selecting controls of the catalog by id.
    #[arg(long, value_name = "PROFILE")]
    profile: Option<PathBuf>,
    /// The framework id of the mapping (default: from the catalog's file name).
    #[arg(long)]
    id: Option<String>,
    /// Write the mapping here (default: standard output).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(command: FrameworksCommand) -> Exit {
    match command {
        FrameworksCommand::List(args) => list(args),
        FrameworksCommand::Coverage(args) => coverage(args),
        FrameworksCommand::Crosswalk(args) => crosswalk(args),
        FrameworksCommand::Export(args) => export(args),
        FrameworksCommand::Import(args) => import(args),
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
        Some(id) => match find(&catalog, id) {
            Ok(f) => vec![f],
            Err(e) => return e,
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

fn crosswalk(args: CrosswalkArgs) -> Exit {
    let catalog = match load_catalog(&args.catalog.roots(&[], true)) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let (from, to) = match (find(&catalog, &args.from), find(&catalog, &args.to)) {
        (Ok(from), Ok(to)) => (from, to),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let rows = catalog::crosswalk(from, to);
    match args.format {
        ListFormat::Json => print_json(&json!({
            "from": from.id,
            "to": to.id,
            "requirements": rows,
        })),
        ListFormat::Text => {
            let linked = rows.iter().filter(|r| !r.matches.is_empty()).count();
            println!(
                "{} -> {}: {linked} of {} requirements share controls",
                from.id,
                to.id,
                rows.len()
            );
            for row in &rows {
                println!("\n{}  {}", row.id, row.title);
                if row.matches.is_empty() {
                    println!("  (no {} requirement shares a control)", to.id);
                }
                for m in &row.matches {
                    println!("  {:<12} {}", m.id, m.controls.join(", "));
                }
            }
        }
    }
    Exit::Passed
}

fn export(args: ExportArgs) -> Exit {
    let catalog = match load_catalog(&args.catalog.roots(&[], true)) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let frameworks: Vec<&Framework> = if args.frameworks.is_empty() {
        catalog.frameworks.iter().collect()
    } else {
        match args
            .frameworks
            .iter()
            .map(|id| find(&catalog, id))
            .collect()
        {
            Ok(fs) => fs,
            Err(e) => return e,
        }
    };
    let now = match super::project::source_date_epoch() {
        Ok(epoch) => epoch.unwrap_or_else(|| {
            jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
                .expect("the current second is a valid time")
        }),
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let ExportFormat::OscalComponent = args.format;
    match oscal_component::render(&frameworks, &now.to_string()) {
        Ok(text) => {
            print!("{text}");
            Exit::Passed
        }
        Err(message) => {
            eprintln!("assay: {message}");
            Exit::Usage
        }
    }
}

fn import(args: ImportArgs) -> Exit {
    match imported(&args) {
        Ok(()) => Exit::Passed,
        Err(message) => {
            eprintln!("assay: {message}");
            Exit::Usage
        }
    }
}

fn imported(args: &ImportArgs) -> Result<(), String> {
    let id = match &args.id {
        Some(id) => id.clone(),
        None => slug(&args.catalog),
    };
    if !id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "`{id}` is no framework id: lowercase letters, digits and `-`, as in `nist-moderate`"
        ));
    }
    let catalog = read_oscal(&args.catalog)?;
    let selection = match &args.profile {
        Some(path) => Some(
            oscal_import::Selection::of_profile(&read_oscal(path)?)
                .map_err(|e| format!("{}: {e}", path.display()))?,
        ),
        None => None,
    };
    let skeleton = oscal_import::import(&catalog, selection.as_ref(), &id)
        .map_err(|e| format!("{}: {e}", args.catalog.display()))?;
    let from: Vec<String> = std::iter::once(&args.catalog)
        .chain(&args.profile)
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    let yaml = skeleton.to_yaml(&from.join(" and "));
    match &args.out {
        Some(path) => std::fs::write(path, yaml)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?,
        None => print!("{yaml}"),
    }
    eprintln!(
        "assay: {} requirement(s) imported as `{id}`{}",
        skeleton.requirements.len(),
        match skeleton.withdrawn {
            0 => String::new(),
            n => format!(", {n} withdrawn control(s) left out"),
        }
    );
    Ok(())
}

/// An OSCAL JSON document, read within [`OSCAL_DOCUMENT_BYTES`].
fn read_oscal(path: &Path) -> Result<Value, String> {
    let bytes = assay_collectors::confine::read_named(path, OSCAL_DOCUMENT_BYTES)
        .map_err(|reason| format!("cannot read `{}`: {reason}", path.display()))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}:{}: not OSCAL JSON: {e}", path.display(), e.line()))
}

/// A framework id from a file name: `NIST_SP-800-53_rev5_LOW.json` → `nist-sp-800-53-rev5-low`.
fn slug(path: &Path) -> String {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let words: Vec<String> = stem
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.join("-")
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
        Some(dir) => Ok(AnyLocker::open_existing(dir)?.trend()?.pop()),
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

/// The framework `id` of the catalog, or a usage error naming the closest id.
fn find<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a Framework, Exit> {
    if let Some(f) = catalog.frameworks.iter().find(|f| f.id == id) {
        return Ok(f);
    }
    eprintln!("assay: no framework `{id}` in the catalog");
    let ids = catalog.frameworks.iter().map(|f| f.id.as_str());
    match did_you_mean(id, ids) {
        Some(close) => eprintln!("  hint: did you mean `{close}`?"),
        None => eprintln!("  hint: `assay frameworks list` shows every framework"),
    }
    Err(Exit::Usage)
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
