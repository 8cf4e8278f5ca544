//! The project configuration, `assay.yaml`, and how it combines with flags and environment.
//!
//! Precedence: CLI flags > `ASSAY_*` environment variables (both resolved by clap) > the file
//! (found in the scan root or a parent) > defaults.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::model::Severity;
use crate::pack::evidence::{Keep, KeepPolicy};
use crate::parse::read_yaml;
use crate::schema::SchemaKind;
use crate::score::Thresholds;

/// The file names searched for, in order.
pub const CONFIG_NAMES: [&str; 2] = ["assay.yaml", ".assay.yaml"];

/// `assay.yaml` as written.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The frameworks in scope, each an id or an id with the part chosen (baseline, service
    /// providers).
    pub frameworks: Option<Vec<crate::catalog::FrameworkChoice>>,
    pub builtin: Option<bool>,
    /// The waivers file, relative to the config file.
    pub waivers: Option<PathBuf>,
    #[serde(default)]
    pub suppressions: Suppressions,
    #[serde(default)]
    pub controls: Vec<PathBuf>,
    /// Per-collector settings, keyed by evidence kind (validated by the config schema).
    #[serde(default)]
    pub collectors: serde_json::Map<String, serde_json::Value>,
    pub thresholds: Option<ThresholdsFile>,
    #[serde(default)]
    pub gate: Gate,
    /// The SOC 2 Trust Services categories in scope beside Security (default: all).
    pub soc2_categories: Option<Vec<crate::catalog::Soc2Category>>,
    /// Requirements the organisation excludes from scope, with justification and approver.
    #[serde(default)]
    pub exclusions: Vec<crate::catalog::Exclusion>,
    /// Controls not evaluated, each with the reason (reported as skipped).
    #[serde(default)]
    pub skip: Vec<SkipEntry>,
    #[serde(default)]
    pub outputs: Vec<OutputSpec>,
    /// Time and size limits (see the README's "Limits").
    #[serde(default)]
    pub limits: assay_collectors::limits::Limits,
    /// How evidence files are kept in packs and shown on the site.
    #[serde(default)]
    pub evidence: EvidenceSettings,
    /// How packs are kept in an S3 evidence locker.
    #[serde(default)]
    pub locker: LockerSettings,
    /// The organisation the audit documents are issued for.
    pub organization: Option<Organization>,
    /// Who may sign attestations, and whether unsigned ones count.
    #[serde(default)]
    pub attestations: crate::signed_attestation::AttestationSettings,
    /// What names the scanned repository in results and packs.
    pub repository: Option<RepositorySettings>,
    /// Parameter values per control id (read with their positions into [`Config::parameters`]).
    #[serde(default, rename = "parameters")]
    _parameters: serde_json::Map<String, serde_json::Value>,
}

/// An entry of `skip:` in assay.yaml: a control id (or glob) and why it is not evaluated.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkipEntry {
    pub control: String,
    pub reason: String,
}

/// `repository:` in assay.yaml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepositorySettings {
    /// The repository's name, recorded when it has no remote (and beside the remote).
    pub name: String,
}

/// `evidence:` in assay.yaml.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSettings {
    /// How every evidence file is kept (default `full-redacted`).
    #[serde(default)]
    pub keep: Keep,
    /// Globs of files kept as digest only, whatever `keep` says.
    #[serde(default)]
    pub digest_only: Vec<String>,
}

impl EvidenceSettings {
    /// The keep policy these settings describe.
    pub fn policy(&self) -> Result<KeepPolicy, String> {
        KeepPolicy::new(self.keep, &self.digest_only)
    }
}

/// `locker:` in assay.yaml. Only the retention lives here: the bucket's credentials come from
/// the environment, never from the repository.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockerSettings {
    /// How many days every object of a pack written to an `s3://` locker stays under
    /// COMPLIANCE Object Lock retention.
    pub retention_days: Option<u32>,
}

/// `organization:` in assay.yaml: the header of the Statement of Applicability and the SOC 2
/// matrix.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: Option<String>,
    /// The scope statement of the management system.
    pub scope: Option<String>,
    /// Who owns the documents.
    pub owner: Option<String>,
    /// Who approves them.
    pub approver: Option<String>,
    /// The documents' version.
    pub version: Option<String>,
    /// When they were approved (YYYY-MM-DD).
    pub approved: Option<String>,
}

/// How inline `assay:ignore` comments are treated.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suppressions {
    /// Honour them (default); when false each one is reported as an error.
    #[serde(default = "yes")]
    pub inline: bool,
}

impl Default for Suppressions {
    fn default() -> Self {
        Self { inline: true }
    }
}

fn yes() -> bool {
    true
}

/// Settings of the config-file collector.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigCollectorSettings {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub max_file_size: Option<u64>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdsFile {
    pub green: Option<f64>,
    pub amber: Option<f64>,
}

/// The CI gate.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    pub fail_under: Option<f64>,
    pub fail_on: Option<Severity>,
    /// Gate on attestations and missing company-level evidence too (default: automated
    /// findings only, which a pull request can fix).
    #[serde(default)]
    pub include_attestations: bool,
    /// Report only: never fail.
    #[serde(default)]
    pub soft_fail: bool,
}

/// An output to write: a format and a path (stdout when absent).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    pub format: OutputFormat,
    pub path: Option<PathBuf>,
}

/// The formats `assay scan` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// A human summary with colours.
    Terminal,
    /// The results document (schemas/results.schema.json).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// JUnit XML: a test suite per control family, a test case per control and resource.
    Junit,
    /// A Markdown summary for pull-request comments and CI step summaries.
    Markdown,
    /// One CSV row per finding.
    Csv,
    /// OSCAL assessment results (JSON).
    Oscal,
    /// An XLSX workbook of the findings: the CSV's rows, one worksheet (needs a file).
    Xlsx,
    /// The scan report printed to PDF by headless Chromium (needs a file and Chromium).
    Pdf,
}

impl OutputFormat {
    /// The file this format is written to under `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            OutputFormat::Terminal => "results.txt",
            OutputFormat::Json => "results.json",
            OutputFormat::Sarif => "results.sarif",
            OutputFormat::Junit => "results.junit.xml",
            OutputFormat::Markdown => "results.md",
            OutputFormat::Csv => "results.csv",
            OutputFormat::Oscal => "results.oscal.json",
            OutputFormat::Xlsx => "results.xlsx",
            OutputFormat::Pdf => "results.pdf",
        }
    }

    /// The name `--format` takes.
    pub fn name(self) -> String {
        use clap::ValueEnum;
        self.to_possible_value()
            .map_or_else(String::new, |v| v.get_name().to_string())
    }

    /// Whether the format is binary: written to a file only, never to a terminal or stdout.
    pub fn is_binary(self) -> bool {
        matches!(self, OutputFormat::Xlsx | OutputFormat::Pdf)
    }
}

/// The largest config file read.
const MAX_CONFIG_FILE: u64 = 16 * 1024 * 1024;

/// A loaded config file and where it was found.
#[derive(Debug, Default, Clone)]
pub struct Config {
    pub file: ConfigFile,
    /// The directory holding the file; relative paths in it resolve from here.
    pub base: Option<PathBuf>,
    pub path: Option<PathBuf>,
    /// Whether the file was named by the person running assay (`--config`), rather than
    /// found in the scanned tree: only then may the files it names lie outside its directory.
    pub explicit: bool,
    /// The control parameters the file sets.
    pub parameters: crate::catalog::Overrides,
    /// The file as written, and where each of its nodes starts by JSON pointer (also for
    /// diagnostics about its values).
    written: serde_json::Value,
    pub lines: assay_collectors::LineMap,
}

impl Config {
    /// Loads `explicit`, or else the first config file found in `root` or one of its parents.
    pub fn discover(root: &Path, explicit: Option<&Path>) -> Result<Config, Vec<Diagnostic>> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => find_upwards(root),
        };
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let display = path.display().to_string();
        // Named on the command line, the file may be anywhere; found in the scanned tree, it
        // may not be a link leading out of its directory. Either way it is a regular file of
        // bounded size.
        let read = match (explicit, path.parent(), path.file_name()) {
            (None, Some(dir), Some(name)) => {
                assay_collectors::confine::read(dir, &name.to_string_lossy(), MAX_CONFIG_FILE)
            }
            _ => assay_collectors::confine::read_named(&path, MAX_CONFIG_FILE),
        };
        let bytes = read.map_err(|reason| {
            vec![
                Diagnostic::new(&display, format!("cannot read config: {reason}"))
                    .hint("check the path given to --config"),
            ]
        })?;
        let doc = read_yaml(&display, &bytes, SchemaKind::Config)?;
        let file: ConfigFile = serde_json::from_value(doc.value.clone())
            .map_err(|e| vec![Diagnostic::new(&display, e.to_string())])?;
        let base = path.parent().map(Path::to_path_buf);
        if let Some(t) = file.thresholds {
            let (green, amber) = (t.green.unwrap_or(90.0), t.amber.unwrap_or(70.0));
            if amber > green {
                return Err(vec![doc
                    .diagnostic(
                        "/thresholds/amber",
                        format!("amber threshold {amber} is above green {green}"),
                    )
                    .expected("amber <= green")]);
            }
        }
        Ok(Config {
            parameters: crate::catalog::Overrides::from_config(&doc),
            file,
            base,
            path: Some(path),
            explicit: explicit.is_some(),
            written: doc.value,
            lines: doc.lines,
        })
    }

    /// `FILE:LINE` of the node at `pointer` (e.g. `/gate/fail_on`) when the file sets it, the
    /// file named as results name files under the scan `root`.
    pub fn origin(&self, pointer: &str, root: &Path) -> Option<String> {
        let path = self.path.as_ref()?;
        self.written.pointer(pointer)?;
        let line = self.lines.line(pointer).unwrap_or(1);
        Some(format!("{}:{line}", crate::scan::shown_path(path, root)))
    }

    /// The file as written (schema-valid), when there is one.
    pub fn written(&self) -> Option<&serde_json::Value> {
        self.path.as_ref().map(|_| &self.written)
    }

    /// Resolves a path written in the config file against the file's directory.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        match &self.base {
            Some(base) if path.is_relative() => base.join(path),
            _ => path.to_path_buf(),
        }
    }

    /// Resolves a path of a file or folder the config file has assay read (`controls:`,
    /// `waivers:`). A config file found in the scanned tree may name only what lies inside its
    /// own directory once links are resolved; an error names the key and the reason.
    pub fn resolve_read(&self, key: &str, path: &Path) -> Result<PathBuf, Diagnostic> {
        self.confined(key, path, assay_collectors::confine::resolve)
    }

    /// Resolves a path the config file has assay write (`outputs:`), confined like
    /// [`Config::resolve_read`]: a repository's own config cannot make a scan write elsewhere.
    pub fn resolve_write(&self, key: &str, path: &Path) -> Result<PathBuf, Diagnostic> {
        self.confined(key, path, assay_collectors::confine::writable)
    }

    fn confined(
        &self,
        key: &str,
        path: &Path,
        check: fn(&Path, &str) -> Result<PathBuf, assay_collectors::confine::Refused>,
    ) -> Result<PathBuf, Diagnostic> {
        let (Some(base), false) = (&self.base, self.explicit) else {
            return Ok(self.resolve(path));
        };
        let written = path.to_string_lossy();
        check(base, &written).map_err(|reason| {
            let origin = self
                .path
                .as_ref()
                .and_then(|p| p.file_name())
                .map_or_else(|| "assay.yaml".to_string(), |n| n.to_string_lossy().into());
            Diagnostic::new(origin, format!("`{key}: {written}`: {reason}")).hint(
                "name a path inside the repository, relative to assay.yaml (or pass the file with --config)",
            )
        })
    }

    /// The settings of the config-file collector.
    pub fn config_collector(&self) -> ConfigCollectorSettings {
        self.file
            .collectors
            .get("config")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }

    pub fn thresholds(&self) -> Thresholds {
        let d = Thresholds::default();
        match self.file.thresholds {
            Some(t) => Thresholds {
                green: t.green.unwrap_or(d.green),
                amber: t.amber.unwrap_or(d.amber),
            },
            None => d,
        }
    }
}

fn find_upwards(root: &Path) -> Option<PathBuf> {
    let start = root.canonicalize().ok()?;
    start
        .ancestors()
        .flat_map(|dir| CONFIG_NAMES.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}
