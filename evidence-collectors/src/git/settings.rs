//! `collectors.git` in `assay.yaml`, with the defaults used when it is absent.

use std::collections::BTreeMap;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

/// Paths whose changes matter most for change management: CI definitions, code ownership and
/// infrastructure code.
pub const DEFAULT_SENSITIVE_PATHS: [&str; 17] = [
    ".github/workflows/**",
    ".github/actions/**",
    ".gitlab-ci.yml",
    ".circleci/**",
    "Jenkinsfile",
    "azure-pipelines.yml",
    "**/CODEOWNERS",
    "**/*.tf",
    "**/*.tfvars",
    "terraform/**",
    "infra/**",
    "infrastructure/**",
    "deploy/**",
    "k8s/**",
    "kubernetes/**",
    "helm/**",
    "charts/**",
];

/// How much of the history the secret scan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretScan {
    /// Every commit reachable from the branch, whatever its age.
    #[default]
    All,
    /// Only the commits of the period.
    Period,
    /// No secret scan.
    Off,
}

/// The settings as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The repository, relative to the scan root (default: the scan root).
    pub path: Option<String>,
    /// The branch judged (default: the default branch, else HEAD).
    pub branch: Option<String>,
    /// The period, in days back from the scan time; 0 reads the whole history.
    #[serde(default = "default_days")]
    pub days: u32,
    /// Globs of sensitive paths (default: [`DEFAULT_SENSITIVE_PATHS`]).
    pub sensitive_paths: Option<Vec<String>>,
    /// An SSH allowed-signers file, relative to the scan root.
    pub allowed_signers: Option<String>,
    /// E-mail address → `@login`, to match authors against CODEOWNERS.
    #[serde(default)]
    pub identities: BTreeMap<String, String>,
    /// `@org/team` → members (`@login` or e-mail), to resolve team owners.
    #[serde(default)]
    pub teams: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub secret_scan: SecretScan,
}

fn default_days() -> u32 {
    365
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            path: None,
            branch: None,
            days: default_days(),
            sensitive_paths: None,
            allowed_signers: None,
            identities: BTreeMap::new(),
            teams: BTreeMap::new(),
            secret_scan: SecretScan::default(),
        }
    }
}

impl Settings {
    /// The sensitive-path globs, compiled; an invalid glob is named in the error.
    pub fn sensitive_set(&self) -> Result<(Vec<String>, GlobSet), String> {
        let globs: Vec<String> = match &self.sensitive_paths {
            Some(g) => g.clone(),
            None => DEFAULT_SENSITIVE_PATHS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        let mut builder = GlobSetBuilder::new();
        for g in &globs {
            let glob = Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {}", e.kind()))?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok((globs, set))
    }
}
