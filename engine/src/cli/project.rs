//! What `scan`, `check` and `baseline` share: the directory, its config file, the catalog,
//! the frameworks, the files in scope and the waivers, checked before anything runs.

use std::path::PathBuf;
use std::sync::Arc;

use assay_collectors::Scope;
use clap::Args;
use globset::{Glob, GlobSet, GlobSetBuilder};

use super::{load_catalog, report_diagnostics, CatalogArgs, Exit};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::policy_dir::PolicyDirs;
use crate::scan::{check_frameworks, ScanRequest};
use crate::waiver::{WaiverFile, Waivers};

#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Directory to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    #[command(flatten)]
    pub catalog: CatalogArgs,
    #[command(flatten)]
    pub policy: PolicyDirs,
    /// Config file (default: assay.yaml in the scan root or a parent).
    #[arg(long, env = "ASSAY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Frameworks to score (ids such as soc2, iso27001, gdpr, eu-ai-act); default all.
    #[arg(
        long = "framework",
        env = "ASSAY_FRAMEWORKS",
        value_delimiter = ',',
        value_name = "ID"
    )]
    pub frameworks: Vec<String>,
    /// Only collect files matching GLOB (relative to the scan root); repeatable.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Never collect files matching GLOB; repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Waivers file (default: `waivers:` of assay.yaml).
    #[arg(long, env = "ASSAY_WAIVERS", value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// The scan time (RFC 3339) that ages, deadlines and expiries are judged against
    /// (default: now); pins results for reproducible reports.
    #[arg(long, env = "ASSAY_NOW", value_name = "TIME", value_parser = scan_time)]
    pub now: Option<std::time::SystemTime>,
}

fn scan_time(text: &str) -> Result<std::time::SystemTime, String> {
    text.parse::<jiff::Timestamp>()
        .map(std::time::SystemTime::from)
        .map_err(|e| format!("`{text}` is not an RFC 3339 time such as 2026-06-01T00:00:00Z: {e}"))
}

/// A checked project, ready to scan.
pub struct Project {
    pub config: Config,
    pub catalog: Catalog,
    pub request: ScanRequest,
    /// The settings that change what is collected and how Rego policies run, as text.
    pub settings: String,
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
    /// Loads the config, the catalog and the waivers and builds the scan request; every
    /// problem is printed and turned into the usage exit code.
    pub fn open(&self) -> Result<Project, Exit> {
        if !self.path.is_dir() {
            eprintln!(
                "assay: scan root `{}` is not a directory\n  hint: pass the directory to scan, e.g. `assay scan .`",
                self.path.display()
            );
            return Err(Exit::Usage);
        }
        let config = Config::discover(&self.path, self.config.as_deref())
            .map_err(|errors| report_diagnostics(&errors))?;
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
        let mut catalog = load_catalog(&self.catalog.roots(&extra, builtin))?;
        if let Some(categories) = &config.file.soc2_categories {
            catalog.soc2_categories(categories);
        }
        let frameworks = if self.frameworks.is_empty() {
            config.file.frameworks.clone()
        } else {
            Some(self.frameworks.clone())
        };
        if let Some(wanted) = &frameworks {
            let origin = if self.frameworks.is_empty() {
                config_name.as_str()
            } else {
                "--framework"
            };
            check_frameworks(&catalog, wanted, origin)
                .map_err(|errors| report_diagnostics(&errors))?;
            catalog.scope_to(wanted);
        }
        catalog
            .exclude(&config.file.exclusions, &config_name)
            .map_err(|errors| report_diagnostics(&errors))?;
        // Policies named on the command line are evaluated whatever the scope.
        self.policy
            .add_to(&mut catalog)
            .map_err(|errors| report_diagnostics(&errors))?;
        let collector = config.config_collector();
        let include = if self.include.is_empty() {
            &collector.include
        } else {
            &self.include
        };
        let exclude: Vec<String> = collector
            .exclude
            .iter()
            .chain(&self.exclude)
            .cloned()
            .collect();
        let mut scope = Scope::new(&self.path);
        scope.include = globs(include, &config_name).map_err(|d| report_diagnostics(&[d]))?;
        scope.exclude = globs(&exclude, &config_name).map_err(|d| report_diagnostics(&[d]))?;
        if let Some(max) = collector.max_file_size {
            scope.max_file_size = max;
        }
        scope.settings = config.file.collectors.clone();
        if let Some(now) = self.now {
            scope.now = now;
        }
        let waiver_path = match &self.waivers {
            Some(p) => Some(p.clone()),
            None => config.file.waivers.as_ref().map(|p| config.resolve(p)),
        };
        let file = match waiver_path {
            Some(p) => Some(Arc::new(
                WaiverFile::read(&p).map_err(|errors| report_diagnostics(&errors))?,
            )),
            None => None,
        };
        let settings = format!(
            "include={include:?}\nexclude={exclude:?}\nmax={}\ncollectors={}\npolicy={:?}",
            scope.max_file_size,
            serde_json::Value::Object(scope.settings.clone()),
            self.policy
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
            },
            config,
            catalog,
            settings,
        })
    }
}
