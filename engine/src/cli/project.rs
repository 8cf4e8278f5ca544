//! What `scan`, `check` and `baseline` share: the directory, its config file, the catalog,
//! the frameworks, the files in scope and the waivers, checked before anything runs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use assay_collectors::audit_log::Checkpoints;
use assay_collectors::Scope;
use clap::Args;
use globset::{Glob, GlobSet, GlobSetBuilder};

use super::{report_diagnostics, CatalogArgs, Exit};
use crate::catalog::{self, Catalog, CatalogRoot, FrameworkChoice, Skip};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::policy_dir::PolicyDirs;
use crate::scan::{check_frameworks, Clock, ScanRequest};
use crate::waiver::{WaiverFile, Waivers};

#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Directory to scan; `-` reads a YAML stream (rendered manifests) from standard input.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub catalog: CatalogArgs,
    #[command(flatten)]
    pub policy: PolicyDirs,
    /// Config file (default: assay.yaml in the scan root or a parent).
    #[arg(help_heading = "Scope")]
    #[arg(long, env = "ASSAY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Frameworks to score (ids such as soc2, iso27001, nist-800-53, pci-dss); default: every
    /// framework not marked opt-in.
    #[arg(help_heading = "Scope")]
    #[arg(
        long = "framework",
        env = "ASSAY_FRAMEWORKS",
        value_delimiter = ',',
        value_name = "ID"
    )]
    pub frameworks: Vec<String>,
    /// Evaluate only this control; an id or a glob such as `tf-aws-*`; repeatable.
    #[arg(help_heading = "Scope")]
    #[arg(long = "control", value_name = "ID")]
    pub only_controls: Vec<String>,
    /// Do not evaluate this control (reported as skipped); an id or a glob; repeatable.
    #[arg(help_heading = "Scope")]
    #[arg(long = "skip-control", value_name = "ID")]
    pub skip_controls: Vec<String>,
    /// Only collect files matching GLOB (relative to the scan root); repeatable.
    #[arg(help_heading = "Scope")]
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Never collect files matching GLOB; repeatable.
    #[arg(help_heading = "Scope")]
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Waivers file (default: `waivers:` of assay.yaml).
    #[arg(help_heading = "Scope")]
    #[arg(long, env = "ASSAY_WAIVERS", value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// The scan time (RFC 3339) that ages, deadlines and expiries are judged against
    /// (default: `SOURCE_DATE_EPOCH`, else now); also the time the scan is recorded at unless
    /// `SOURCE_DATE_EPOCH` is set, so that the same input gives byte-identical outputs.
    #[arg(help_heading = "Scope")]
    #[arg(long, env = "ASSAY_NOW", value_name = "TIME", value_parser = scan_time)]
    pub now: Option<std::time::SystemTime>,
    /// Let collectors contact the network: the metrics endpoints and Prometheus server named
    /// in assay.yaml are fetched only with this flag (or ASSAY_ALLOW_NETWORK=1).
    #[arg(help_heading = "Scope")]
    #[arg(
        long,
        env = "ASSAY_ALLOW_NETWORK",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub allow_network: bool,
    /// A GitHub or GitLab API response saved as JSON (pull requests, reviews, approvals,
    /// branch protection), read beside the exports under `.assay/forge/`; repeatable.
    #[arg(long = "forge-export", value_name = "FILE")]
    pub forge_exports: Vec<PathBuf>,
    /// Terraform variable file, applied to every root module after the terraform.tfvars and
    /// *.auto.tfvars of its directory; repeatable, later files win. Read as given, even
    /// outside the scan root.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Keep a checkpoint of every JSON Lines audit log in DIR (made when absent): the next
    /// scan reads only what was appended since, and checks that it continues the checkpoint.
    #[arg(long, value_name = "DIR")]
    pub checkpoints: Option<PathBuf>,
    /// With --checkpoints: verify every audit log from its first line, and renew its checkpoint.
    #[arg(long, requires = "checkpoints")]
    pub full: bool,
    /// The frameworks chosen by whoever runs the scan programmatically (an org manifest), with
    /// their parts; they take the place of `--framework` and of `frameworks:` in assay.yaml.
    #[arg(skip)]
    pub framework_choices: Option<Vec<FrameworkChoice>>,
    /// Catalogs loaded by earlier projects, for callers that open many (an org scan).
    #[arg(skip)]
    pub catalog_cache: Option<Arc<CatalogCache>>,
}

/// The catalog last loaded from some roots with no parameter values, handed out again (cloned:
/// each project narrows its own) to the next project with the same roots and no values either.
#[derive(Debug, Default)]
pub struct CatalogCache(Mutex<Option<(Vec<CatalogRoot>, Catalog)>>);

impl CatalogCache {
    fn load(&self, roots: &[CatalogRoot]) -> Result<Catalog, Vec<Diagnostic>> {
        let mut slot = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((loaded, catalog)) = &*slot {
            if loaded == roots {
                return Ok(catalog.clone());
            }
        }
        let catalog = catalog::load(roots)?;
        *slot = Some((roots.to_vec(), catalog.clone()));
        Ok(catalog)
    }
}

impl ProjectArgs {
    /// The arguments of `assay scan DIR` with no flag, with the catalog of `catalog`.
    pub fn new(path: PathBuf, catalog: CatalogArgs) -> ProjectArgs {
        ProjectArgs {
            path,
            catalog,
            policy: PolicyDirs::default(),
            config: None,
            frameworks: Vec::new(),
            only_controls: Vec::new(),
            skip_controls: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            waivers: None,
            now: None,
            allow_network: false,
            forge_exports: Vec::new(),
            var_files: Vec::new(),
            checkpoints: None,
            full: false,
            framework_choices: None,
            catalog_cache: None,
        }
    }
}

/// `SOURCE_DATE_EPOCH` (whole seconds since the epoch), when set.
pub(super) fn source_date_epoch() -> Result<Option<jiff::Timestamp>, String> {
    let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    text.trim()
        .parse::<i64>()
        .ok()
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .map(Some)
        .ok_or_else(|| {
            format!("SOURCE_DATE_EPOCH `{text}` is not a number of seconds since 1970-01-01")
        })
}

/// The time findings are judged against and the clock the scan is recorded by:
/// `SOURCE_DATE_EPOCH` pins the record (and the judging time when `--now` is absent), `--now`
/// pins both unless `SOURCE_DATE_EPOCH` is set; with neither, both are the wall clock.
fn times(
    now: Option<std::time::SystemTime>,
    epoch: Option<jiff::Timestamp>,
) -> (Option<std::time::SystemTime>, Clock) {
    let pinned = now.and_then(|t| jiff::Timestamp::try_from(t).ok());
    let judged = now.or(epoch.map(std::time::SystemTime::from));
    let clock = epoch.or(pinned).map_or(Clock::Wall, Clock::Pinned);
    (judged, clock)
}

pub(super) fn scan_time(text: &str) -> Result<std::time::SystemTime, String> {
    text.parse::<jiff::Timestamp>()
        .map(std::time::SystemTime::from)
        .map_err(|e| format!("`{text}` is not an RFC 3339 time such as 2026-06-01T00:00:00Z: {e}"))
}

/// Why a project cannot be scanned: diagnostics of its files, or a plain message.
#[derive(Debug)]
pub enum Refusal {
    Diagnostics(Vec<Diagnostic>),
    Message(String),
}

impl From<Vec<Diagnostic>> for Refusal {
    fn from(errors: Vec<Diagnostic>) -> Refusal {
        Refusal::Diagnostics(errors)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Diagnostics(errors) => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("\n"))
            }
            Refusal::Message(message) => f.write_str(message),
        }
    }
}

/// A checked project, ready to scan.
pub struct Project {
    pub config: Config,
    pub catalog: Catalog,
    pub request: ScanRequest,
    /// The settings that change what is collected and how Rego policies run, as text.
    pub settings: String,
    /// The empty directory standing for the scan root when the input is standard input, kept
    /// until the scan is over.
    pub _empty_root: Option<tempfile::TempDir>,
}

impl Project {
    /// sha256 over everything that decides a scan's findings and scores beside the catalog and
    /// the tree: what is collected, the frameworks, thresholds, waivers, the judging time when
    /// pinned and the repository's name. The shards of one fan-out and their merge must agree on it.
    pub fn shard_settings(&self) -> String {
        let r = &self.request;
        let waivers = r
            .waivers
            .file
            .as_ref()
            .map(|f| (&f.path, f.source.value.to_string()));
        // Unpinned, every shard judges by its own wall clock: pin it (`--now`,
        // `SOURCE_DATE_EPOCH`) for ages and expiries to be judged alike.
        let judged = match r.clock {
            Clock::Wall => None,
            Clock::Pinned(_) => jiff::Timestamp::try_from(r.scope.now).ok(),
        };
        crate::pack::digest::sha256_hex(
            format!(
                "{}\nframeworks={:?}\nthresholds={:?}\nwaivers={waivers:?}\ninline={}\nnow={judged:?}\nrepository={:?}\nallow_network={}",
                self.settings,
                r.frameworks,
                r.thresholds,
                r.waivers.inline,
                r.repository_name,
                r.scope.allow_network,
            )
            .as_bytes(),
        )
    }
}

/// Whether `path` is `-`: standard input.
pub fn is_stdin(path: &std::path::Path) -> bool {
    path.as_os_str() == "-"
}

/// Standard input, at most `max` bytes.
fn read_stdin(max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "standard input is larger than the file size limit ({max} bytes)\n  hint: raise `collectors.config.max_file_size` in assay.yaml or split the stream"
        ));
    }
    Ok(bytes)
}

/// `DIR/**` for each catalog directory below the scan `root`, relative to it.
fn catalog_globs<'a>(root: &Path, dirs: impl Iterator<Item = &'a PathBuf>) -> Vec<String> {
    let Ok(root) = root.canonicalize() else {
        return Vec::new();
    };
    dirs.filter_map(|dir| dir.canonicalize().ok())
        .filter_map(|dir| {
            let inside = dir.strip_prefix(&root).ok()?;
            let parts: Vec<String> = inside
                .components()
                .map(|c| globset::escape(&c.as_os_str().to_string_lossy()))
                .collect();
            (!parts.is_empty()).then(|| format!("{}/**", parts.join("/")))
        })
        .collect()
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

impl ProjectArgs {
    /// The controls to skip: `skip:` of the config file, then `--skip-control`.
    fn skips(&self, config: &Config, root: &std::path::Path) -> Vec<Skip> {
        let written = config.file.skip.iter().enumerate().map(|(i, s)| Skip {
            control: s.control.clone(),
            reason: s.reason.clone(),
            origin: config
                .origin(&format!("/skip/{i}"), root)
                .unwrap_or_else(|| "assay.yaml".into()),
        });
        let flagged = self.skip_controls.iter().map(|id| Skip {
            control: id.clone(),
            reason: "skipped with --skip-control".into(),
            origin: "--skip-control".into(),
        });
        written.chain(flagged).collect()
    }

    /// Loads the config, the catalog and the waivers and builds the scan request; every
    /// problem is printed and turned into the usage exit code.
    pub fn open(&self) -> Result<Project, Exit> {
        self.check().map_err(|refusal| match refusal {
            Refusal::Diagnostics(errors) => report_diagnostics(&errors),
            Refusal::Message(message) => {
                eprintln!("assay: {message}");
                Exit::Usage
            }
        })
    }

    /// Like [`ProjectArgs::open`], handing the problems back instead of printing them.
    pub fn check(&self) -> Result<Project, Refusal> {
        let stdin = is_stdin(&self.path);
        // Standard input is judged with the configuration of the current directory.
        let base = if stdin {
            std::path::Path::new(".")
        } else {
            &self.path
        };
        if !stdin && !self.path.is_dir() {
            return Err(Refusal::Message(format!(
                "scan root `{}` is not a directory\n  hint: pass the directory to scan, e.g. `assay scan .`",
                self.path.display()
            )));
        }
        if let Err(e) = std::fs::read_dir(base) {
            return Err(Refusal::Message(format!(
                "scan root `{}` cannot be read: {}\n  hint: check the directory's permissions",
                base.display(),
                assay_collectors::confine::os_reason(&e)
            )));
        }
        let config = Config::discover(base, self.config.as_deref())?;
        let config_name = config
            .path
            .as_ref()
            .map_or_else(|| "command line".to_string(), |p| p.display().to_string());
        let extra: Vec<PathBuf> = config
            .file
            .controls
            .iter()
            .map(|p| config.resolve_read("controls", p))
            .collect::<Result<_, _>>()
            .map_err(|d| vec![d])?;
        let builtin = config.file.builtin.unwrap_or(true);
        let roots = self.catalog.roots(&extra, builtin);
        let mut catalog = match &self.catalog_cache {
            Some(cache) if config.parameters.is_empty() => cache.load(&roots)?,
            _ => catalog::load_with(&roots, &config.parameters)?,
        };
        let unknown = catalog.unknown_exclusion_frameworks(
            &config.file.exclusions,
            &config_name,
            &config.lines,
        );
        if !unknown.is_empty() {
            return Err(unknown.into());
        }
        catalog.select_controls(&self.only_controls, &self.skips(&config, base))?;
        if let Some(categories) = &config.file.soc2_categories {
            catalog.soc2_categories(categories);
        }
        let (choices, origin): (Option<Vec<FrameworkChoice>>, &str) = match &self.framework_choices
        {
            Some(chosen) => (Some(chosen.clone()), "org manifest"),
            None if self.frameworks.is_empty() => {
                (config.file.frameworks.clone(), config_name.as_str())
            }
            None => (
                Some(
                    self.frameworks
                        .iter()
                        .cloned()
                        .map(FrameworkChoice::Id)
                        .collect(),
                ),
                "--framework",
            ),
        };
        let choices = choices.as_deref();
        let frameworks = choices.map(|c| c.iter().map(|c| c.id().to_string()).collect::<Vec<_>>());
        if let (Some(wanted), Some(choices)) = (&frameworks, choices) {
            check_frameworks(&catalog, wanted, origin)?;
            catalog.scope_to(wanted);
            catalog.select_parts(choices, origin)?;
        }
        catalog.exclude(&config.file.exclusions, &config_name, &config.lines)?;
        // Policies named on the command line are evaluated whatever the scope.
        self.policy.add_to(&mut catalog)?;
        let collector = config.config_collector();
        let include = if self.include.is_empty() {
            &collector.include
        } else {
            &self.include
        };
        // The catalogs' own folders hold control test cases, examples of failures: they are
        // never collected as the repository's configuration.
        let catalogs = catalog_globs(&self.path, self.catalog.controls.iter().chain(&extra));
        let exclude: Vec<String> = collector
            .exclude
            .iter()
            .chain(&self.exclude)
            .cloned()
            .chain(catalogs)
            .collect();
        let empty_root = match stdin {
            true => Some(tempfile::tempdir().map_err(|e| {
                Refusal::Message(format!("cannot create a temporary directory: {e}"))
            })?),
            false => None,
        };
        let mut scope = Scope::new(empty_root.as_ref().map_or(&*self.path, |d| d.path()));
        scope.include = globs(include, &config_name).map_err(|d| vec![d])?;
        scope.exclude = globs(&exclude, &config_name).map_err(|d| vec![d])?;
        if let Some(max) = collector.max_file_size {
            scope.max_file_size = max;
        }
        if stdin {
            let bytes = read_stdin(scope.max_file_size).map_err(Refusal::Message)?;
            scope.stdin = Some(bytes.into());
        }
        scope.settings = config.file.collectors.clone();
        scope.limits = config.file.limits;
        let epoch = source_date_epoch().map_err(|message| {
            Refusal::from(vec![Diagnostic::new("SOURCE_DATE_EPOCH", message)
                .hint("set it to an integer such as 1780272000, or unset it")])
        })?;
        let (judged, clock) = times(self.now, epoch);
        if let Some(now) = judged {
            scope.now = now;
        }
        scope.allow_network = self.allow_network;
        if let Some(missing) = self.forge_exports.iter().find(|f| !f.is_file()) {
            return Err(Refusal::from(vec![Diagnostic::new(
                "--forge-export",
                format!("`{}` is not a file", missing.display()),
            )
            .hint("give a JSON file holding one GitHub or GitLab API response")]));
        }
        scope.forge_exports = self.forge_exports.clone();
        scope.terraform_var_files = self.var_files.clone();
        scope.audit_checkpoints = self.checkpoints.clone().map(|dir| Checkpoints {
            dir,
            full: self.full,
        });
        let waiver_path = match &self.waivers {
            Some(p) => Some(p.clone()),
            None => match &config.file.waivers {
                Some(p) => Some(config.resolve_read("waivers", p).map_err(|d| vec![d])?),
                None => None,
            },
        };
        let file = match waiver_path {
            Some(p) => {
                let mut file = WaiverFile::read(&p)?;
                file.path = crate::scan::shown_path(&p, &self.path);
                Some(Arc::new(file))
            }
            None => None,
        };
        crate::signed_attestation::check_settings(&config.file.attestations)
            .map_err(|m| vec![Diagnostic::new(config_name.clone(), m)])?;
        let settings = format!(
            "include={include:?}\nexclude={exclude:?}\nmax={}\ncollectors={}\npolicy={:?}\nattestations={:?}\nvar_files={:?}\ncontrols={:?}",
            scope.max_file_size,
            serde_json::Value::Object(scope.settings.clone()),
            self.policy,
            config.file.attestations,
            scope.terraform_var_files,
            catalog.controls.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
        Ok(Project {
            request: ScanRequest {
                scope,
                frameworks,
                thresholds: config.thresholds(),
                waivers: Waivers {
                    file,
                    inline: config.file.suppressions.inline,
                },
                clock,
                attestations: config.file.attestations.clone(),
                repository_name: config.file.repository.as_ref().map(|r| r.name.clone()),
                shard: None,
            },
            config,
            catalog,
            settings,
            _empty_root: empty_root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> jiff::Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn source_date_epoch_pins_the_record_and_now_the_judgement() {
        let now = at("2026-06-01T00:00:00Z");
        let epoch = at("2020-01-01T00:00:00Z");
        let (judged, clock) = times(Some(now.into()), None);
        assert_eq!((judged, clock), (Some(now.into()), Clock::Pinned(now)));
        let (judged, clock) = times(None, Some(epoch));
        assert_eq!((judged, clock), (Some(epoch.into()), Clock::Pinned(epoch)));
        let (judged, clock) = times(Some(now.into()), Some(epoch));
        assert_eq!((judged, clock), (Some(now.into()), Clock::Pinned(epoch)));
        assert_eq!(times(None, None), (None, Clock::Wall));
        assert_eq!(Clock::Pinned(epoch).now(), "2020-01-01T00:00:00Z");
    }
}
