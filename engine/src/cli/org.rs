//! `assay org`: scans the repositories of an org manifest (`scan`) and renders the portfolio
//! site of the results (`site`).

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Subcommand};

use super::project::{CatalogCache, ProjectArgs};
use super::{report_diagnostics, CatalogArgs, Exit};
use crate::org::record::{self, RepoRecord};
use crate::org::{OrgManifest, Portfolio, Repository};
use crate::report::json;
use crate::shard::Shard;
use crate::site::{self, PortfolioInput, Templates};

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Scan every repository of the manifest (those of one shard with --shard) into a folder
    /// each under --out: repository.json, results.json and its site.
    Scan(ScanArgs),
    /// Render the portfolio site from the outputs of `assay org scan` (one or more, e.g. one
    /// per shard).
    Site(SiteArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The org manifest.
    #[arg(value_name = "MANIFEST", default_value = "assay-org.yaml")]
    manifest: PathBuf,
    /// The folder the repositories' folders are written into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Scan only the repositories of shard I of N (by the hash of their name).
    #[arg(long, value_name = "I/N", default_value = "1/1")]
    shard: Shard,
    /// The scan time (RFC 3339) of every repository's scan, as `assay scan --now`.
    #[arg(long, env = "ASSAY_NOW", value_name = "TIME", value_parser = super::project::scan_time)]
    now: Option<std::time::SystemTime>,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Templates of the repositories' sites: files in DIR replace the built-in ones.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Outputs of `assay org scan`.
    #[arg(value_name = "DIR", required = true)]
    dirs: Vec<PathBuf>,
    /// The folder to write the portfolio into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The time ages of scans are measured to (RFC 3339; default `SOURCE_DATE_EPOCH`, else
    /// now).
    #[arg(long, env = "ASSAY_NOW", value_name = "TIME", value_parser = super::project::scan_time)]
    now: Option<std::time::SystemTime>,
    /// Templates: files in DIR replace the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

pub fn run(command: OrgCommand) -> Exit {
    let done = match command {
        OrgCommand::Scan(args) => scan(&args),
        OrgCommand::Site(args) => portfolio(&args),
    };
    done.unwrap_or_else(|message| {
        eprintln!("assay: {message}");
        Exit::Usage
    })
}

fn templates(dir: Option<&Path>) -> Result<Templates, String> {
    match dir {
        Some(dir) => Templates::with_overrides(dir),
        None => Templates::builtin(),
    }
}

/// Scans the repositories the shard owns; exit 1 when any of them could not be scanned.
fn scan(args: &ScanArgs) -> Result<Exit, String> {
    let templates = templates(args.templates.as_deref())?;
    let catalog = match super::load_catalog(&args.catalog.roots(&[], true)) {
        Ok(c) => c,
        Err(exit) => return Ok(exit),
    };
    let manifest = match OrgManifest::read(&args.manifest, &catalog) {
        Ok(m) => m,
        Err(errors) => return Ok(report_diagnostics(&errors)),
    };
    drop(catalog);
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create `{}`: {e}", args.out.display()))?;
    warn_of_stale_folders(&manifest, &args.out);
    let mine: Vec<&Repository> = manifest
        .manifest
        .repositories
        .iter()
        .filter(|r| args.shard.owns(&r.name))
        .collect();
    let started = Instant::now();
    let mut failed = 0;
    let cache = Arc::new(CatalogCache::default());
    for repo in &mine {
        let one = Instant::now();
        let record = scan_one(args, &manifest, repo, &templates, &cache)?;
        let outcome = match &record.error {
            Some(error) => {
                failed += 1;
                format!("not scanned: {}", error.lines().next().unwrap_or_default())
            }
            None => "scanned".to_string(),
        };
        eprintln!(
            "assay: {} {outcome} ({:.2} s)",
            repo.name,
            one.elapsed().as_secs_f64()
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "shard {}: {} of {} repositories in {:.1} s ({:.3} s per repository), {} not scanned, written to {}",
        args.shard,
        mine.len(),
        manifest.manifest.repositories.len(),
        seconds,
        seconds / mine.len().max(1) as f64,
        failed,
        args.out.display()
    );
    Ok(if failed > 0 {
        Exit::GateFailed
    } else {
        Exit::Passed
    })
}

/// Warns of repository folders in `out` that no repository of the manifest writes: left by an
/// earlier scan, they would still be rows of the portfolio.
fn warn_of_stale_folders(manifest: &OrgManifest, out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    let listed: std::collections::HashSet<PathBuf> = manifest
        .manifest
        .repositories
        .iter()
        .map(|r| record::folder(out, &r.name))
        .collect();
    let mut stale: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(record::RECORD).is_file() && !listed.contains(p))
        .collect();
    stale.sort();
    for folder in stale {
        eprintln!(
            "assay: warning: `{}` holds a repository the manifest no longer lists; the portfolio will show it until the folder is removed",
            folder.display()
        );
    }
}

/// Scans `repo` into its folder and writes its record; a repository that cannot be scanned is
/// a record with the reason. Errors are only those of writing the output.
fn scan_one(
    args: &ScanArgs,
    manifest: &OrgManifest,
    repo: &Repository,
    templates: &Templates,
    cache: &Arc<CatalogCache>,
) -> Result<RepoRecord, String> {
    let folder = record::folder(&args.out, &repo.name);
    for stale in [record::RESULTS, record::SITE] {
        let path = folder.join(stale);
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if let Err(e) = removed.or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(()),
            _ => Err(e),
        }) {
            return Err(format!("cannot remove `{}`: {e}", path.display()));
        }
    }
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create `{}`: {e}", folder.display()))?;
    let team = repo.team.as_ref();
    let mut owners = repo.owners.clone();
    if let Some(t) = team.and_then(|t| manifest.manifest.teams.get(t)) {
        owners.extend(
            t.owners
                .iter()
                .filter(|o| !repo.owners.contains(o))
                .cloned(),
        );
    }
    let frameworks = manifest.frameworks(repo);
    let mut record = RepoRecord {
        name: repo.name.clone(),
        path: repo.path.clone(),
        organization: manifest.manifest.organization.clone(),
        team: team.cloned(),
        team_name: team.map(|t| manifest.team_name(t)),
        owners,
        frameworks: frameworks
            .unwrap_or_default()
            .iter()
            .map(ToString::to_string)
            .collect(),
        error: None,
    };
    if let Err(error) = scan_repository(args, manifest, repo, templates, cache, &folder) {
        record.error = Some(error);
    }
    let text = serde_json::to_string_pretty(&record).map_err(|e| e.to_string())? + "\n";
    let path = folder.join(record::RECORD);
    std::fs::write(&path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    Ok(record)
}

/// Scans one repository and writes its results and site into `folder`.
fn scan_repository(
    args: &ScanArgs,
    manifest: &OrgManifest,
    repo: &Repository,
    templates: &Templates,
    cache: &Arc<CatalogCache>,
    folder: &Path,
) -> Result<(), String> {
    let root = manifest.directory(repo)?;
    let mut project = ProjectArgs::new(root.clone(), args.catalog.clone());
    project.now = args.now;
    project.framework_choices = manifest.frameworks(repo).map(<[_]>::to_vec);
    project.catalog_cache = Some(Arc::clone(cache));
    let project = project.check().map_err(|refusal| refusal.to_string())?;
    let results = crate::scan::run(&project.catalog, &project.request, &|_, _| {})
        .map_err(|d| d.to_string())?;
    let path = folder.join(record::RESULTS);
    std::fs::write(&path, json::render(&results))
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    super::site::write_site(&results, &root, None, templates, &folder.join(record::SITE))?;
    Ok(())
}

/// Renders the portfolio of the org scan outputs.
fn portfolio(args: &SiteArgs) -> Result<Exit, String> {
    let templates = templates(args.templates.as_deref())?;
    let now = match args.now {
        Some(t) => jiff::Timestamp::try_from(t).map_err(|e| e.to_string())?,
        None => super::project::source_date_epoch()?.unwrap_or_else(jiff::Timestamp::now),
    };
    let started = Instant::now();
    let portfolio = Portfolio::read(&args.dirs)?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create `{}`: {e}", args.out.display()))?;
    let out = args
        .out
        .canonicalize()
        .map_err(|e| format!("cannot resolve `{}`: {e}", args.out.display()))?;
    let repo_sites: Vec<Option<String>> = portfolio
        .repos
        .iter()
        .map(|r| {
            let site = r.folder.join(record::SITE);
            r.has_site
                .then(|| site.canonicalize().ok())
                .flatten()
                .map(|site| format!("{}/", relative(&out, &site)))
        })
        .collect();
    let input = PortfolioInput {
        portfolio: &portfolio,
        now,
        repo_sites: &repo_sites,
    };
    let stats = site::render_portfolio(&input, &templates, &args.out)?;
    println!(
        "portfolio of {} repositories written to {} in {:.1} s: {} pages, {} files, {:.1} MB; largest page {} ({:.1} kB)",
        portfolio.repos.len(),
        args.out.display(),
        started.elapsed().as_secs_f64(),
        stats.pages,
        stats.files,
        stats.bytes as f64 / 1_000_000.0,
        stats.largest_page.0,
        stats.largest_page.1 as f64 / 1000.0
    );
    Ok(Exit::Passed)
}

/// The way from the folder `from` to `to` (both absolute, links resolved) as a relative URI.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let parts: Vec<String> = std::iter::repeat_n("..".to_string(), from.len() - common)
        .chain(
            to[common..]
                .iter()
                .map(|c| c.as_os_str().to_string_lossy().into_owned()),
        )
        .collect();
    crate::report::relative_uri(&parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn relative_links_climb_to_the_common_folder() {
        let at = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(at("/w/site", "/w/scan/api/site"), "../scan/api/site");
        assert_eq!(at("/w/scan/portfolio", "/w/scan/api/site"), "../api/site");
        assert_eq!(at("/w", "/w/my repo/site"), "my%20repo/site");
    }
}
