//! `assay init`: sets a repository up for assay. It writes a commented `assay.yaml`, an empty
//! waivers file (both naming their JSON Schema for editors, written beside them), a sample
//! control with its test cases, git-ignores `.assay-cache/`, and adds
//! the CI integration of each CI system the repository uses (the files of `ci/`, embedded in
//! the binary). Existing files are never overwritten unless `force` is set.

use std::path::Path;

use assay_collectors::confine::{self, Refused};
use assay_collectors::formats::yaml;
use clap::ValueEnum;
use serde_json::Value;

use crate::catalog::Soc2Category;
use crate::premerge::CACHE_DIR;
use crate::scaffold::{self, Lang};
use crate::schema::SchemaKind;

/// Where the sample control and the waivers file go.
const COMPLIANCE_DIR: &str = "compliance";
/// The id of the sample control.
const SAMPLE_CONTROL: &str = "example-team-label";

/// The start of the to-do that makes scheduled scans sign their packs.
const SIGNING: &str = "make a key pair with `assay keygen --out keys` (keep keys/assay-signing.key out of the repository) and, so that scheduled scans sign their evidence packs, store the secret key's contents as";

const ASSAY_YAML: &str = include_str!("assay.yaml");
const WAIVERS_YAML: &str = include_str!("waivers.yaml");
const GITHUB_PULL_REQUEST: &str = include_str!("../../../ci/github/pull-request.yml");
const GITHUB_SCHEDULED: &str = include_str!("../../../ci/github/scheduled-scan.yml");
const GITLAB: &str = include_str!("../../../ci/gitlab/assay.gitlab-ci.yml");
const PRE_COMMIT_HOOKS: &str = include_str!("../../../ci/pre-commit/.pre-commit-hooks.yaml");

/// A CI system assay integrates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Ci {
    #[value(name = "github")]
    GitHub,
    #[value(name = "gitlab")]
    GitLab,
    PreCommit,
}

impl Ci {
    pub fn name(self) -> &'static str {
        match self {
            Ci::GitHub => "GitHub Actions",
            Ci::GitLab => "GitLab CI",
            Ci::PreCommit => "pre-commit",
        }
    }
}

/// The CI systems the repository at `root` uses, judged by their files.
pub fn detect(root: &Path) -> Vec<Ci> {
    let mut found = Vec::new();
    if root.join(".github/workflows").is_dir() {
        found.push(Ci::GitHub);
    }
    if root.join(".gitlab-ci.yml").is_file() {
        found.push(Ci::GitLab);
    }
    if root.join(".pre-commit-config.yaml").is_file() {
        found.push(Ci::PreCommit);
    }
    found
}

/// What `init` did, as root-relative paths, and what is left for the user to do.
#[derive(Debug, Default)]
pub struct InitReport {
    pub detected: Vec<Ci>,
    pub written: Vec<String>,
    pub updated: Vec<String>,
    pub todo: Vec<String>,
}

/// What the organisation puts in scope; empty lists leave the defaults.
#[derive(Debug, Default, Clone)]
pub struct InitScope {
    pub frameworks: Vec<String>,
    pub soc2_categories: Vec<Soc2Category>,
    /// CI systems to set up beside those detected.
    pub ci: Vec<Ci>,
}

/// `assay.yaml` with the scope chosen written in place of the commented examples.
fn assay_yaml(scope: &InitScope) -> String {
    let mut text = ASSAY_YAML.to_string();
    if !scope.frameworks.is_empty() {
        text = text.replacen(
            "# frameworks: [soc2, iso27001]",
            &format!("frameworks: [{}]", scope.frameworks.join(", ")),
            1,
        );
    }
    if !scope.soc2_categories.is_empty() {
        let names: Vec<String> = scope
            .soc2_categories
            .iter()
            .filter_map(|c| c.to_possible_value().map(|v| v.get_name().to_string()))
            .collect();
        text = text.replacen(
            "# soc2_categories: [availability, confidentiality, processing_integrity, privacy]",
            &format!("soc2_categories: [{}]", names.join(", ")),
            1,
        );
    }
    text
}

/// Sets up the repository at `root`.
pub fn init(root: &Path, force: bool, scope: &InitScope) -> Result<InitReport, String> {
    let mut detected = detect(root);
    for ci in &scope.ci {
        if !detected.contains(ci) {
            detected.push(*ci);
        }
    }
    let control_dir = format!("{COMPLIANCE_DIR}/controls");
    let sample = format!("{control_dir}/{SAMPLE_CONTROL}");
    let schema = format!("{control_dir}/{}", scaffold::SCHEMA_FILE);
    let config = assay_yaml(scope);
    // The first line of assay.yaml and of waivers.yaml names these for editors.
    let mut files: Vec<(String, &str)> = vec![
        ("assay.yaml".into(), config.as_str()),
        (format!("{COMPLIANCE_DIR}/waivers.yaml"), WAIVERS_YAML),
        (
            format!("{COMPLIANCE_DIR}/config.schema.json"),
            SchemaKind::Config.source(),
        ),
        (
            format!("{COMPLIANCE_DIR}/waivers.schema.json"),
            SchemaKind::Waivers.source(),
        ),
    ];
    let mut todo = Vec::new();
    for ci in &detected {
        match ci {
            Ci::GitHub => {
                files.push((".github/workflows/assay.yml".into(), GITHUB_PULL_REQUEST));
                files.push((
                    ".github/workflows/assay-scheduled-scan.yml".into(),
                    GITHUB_SCHEDULED,
                ));
                todo.push(format!("{SIGNING} the repository secret ASSAY_SIGNING_KEY"));
            }
            Ci::GitLab => {
                files.push((".gitlab/assay.gitlab-ci.yml".into(), GITLAB));
                todo.push(
                    "include the GitLab jobs from .gitlab-ci.yml: `include: [{local: .gitlab/assay.gitlab-ci.yml}]`"
                        .to_string(),
                );
                todo.push(format!(
                    "{SIGNING} the masked CI/CD variable ASSAY_SIGNING_KEY"
                ));
            }
            Ci::PreCommit => {}
        }
    }

    let existing: Vec<&str> = files
        .iter()
        .map(|(p, _)| p.as_str())
        .chain([sample.as_str()])
        .filter(|p| root.join(p).exists())
        .collect();
    if !force && !existing.is_empty() {
        return Err(format!(
            "{} already exist{}: {}; nothing was written\n  hint: pass --force to overwrite them",
            if existing.len() == 1 {
                "a file"
            } else {
                "files"
            },
            if existing.len() == 1 { "s" } else { "" },
            existing
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    // A cloned repository may hold links leading out of it: none is written through, and
    // nothing is written when one would be.
    let extended = [".gitignore", ".pre-commit-config.yaml"];
    for path in files
        .iter()
        .map(|(p, _)| p.as_str())
        .chain([sample.as_str(), schema.as_str()])
        .chain(extended)
    {
        if let Err(reason) = confine::writable(root, path) {
            return Err(format!(
                "cannot write `{path}`: {reason}; nothing was written"
            ));
        }
    }

    let mut report = InitReport {
        detected: detected.clone(),
        todo,
        ..InitReport::default()
    };
    for (path, content) in &files {
        write(root, path, content)?;
        report.written.push(path.clone());
    }
    // The sample is replaced in place: its folder may not lead out of the repository.
    let sample_path = confine::writable(root, &sample)
        .map_err(|reason| format!("cannot write `{sample}`: {reason}"))?;
    if sample_path.exists() {
        std::fs::remove_dir_all(&sample_path)
            .map_err(|e| format!("cannot replace `{}`: {e}", sample_path.display()))?;
    }
    scaffold::create(&root.join(&control_dir), SAMPLE_CONTROL, Lang::Yaml)?;
    report.written.push(format!("{sample}/"));

    if ignore_cache(root)? {
        report.updated.push(".gitignore".into());
    }
    if detected.contains(&Ci::PreCommit) {
        match add_pre_commit_hook(root)? {
            HookChange::Added => report.updated.push(".pre-commit-config.yaml".into()),
            HookChange::Present => {}
            HookChange::Manual(snippet) => report.todo.push(format!(
                "add the assay hook to .pre-commit-config.yaml by hand (its layout could not be extended safely):\n{snippet}"
            )),
        }
    }
    Ok(report)
}

/// The largest existing file `init` extends (`.gitignore`, `.pre-commit-config.yaml`).
const MAX_EXTENDED_FILE: u64 = 16 * 1024 * 1024;

/// Writes `content` to the root-relative `relative`, refusing a path or link that leads out of
/// the repository (a cloned repository may hold such links).
fn write(root: &Path, relative: &str, content: &str) -> Result<(), String> {
    let path = confine::writable(root, relative)
        .map_err(|reason| format!("cannot write `{relative}`: {reason}"))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    }
    std::fs::write(&path, content).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// The text of the root-relative `relative`, read inside the repository; `None` when there is
/// no such file.
fn read_text(root: &Path, relative: &str) -> Result<Option<String>, String> {
    match confine::read(root, relative, MAX_EXTENDED_FILE) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| format!("cannot read `{relative}`: not UTF-8 text")),
        Err(Refused::Missing) => Ok(None),
        Err(reason) => Err(format!("cannot read `{relative}`: {reason}")),
    }
}

/// Adds `.assay-cache/` to `.gitignore` unless a line already ignores it; true when changed.
fn ignore_cache(root: &Path) -> Result<bool, String> {
    let current = read_text(root, ".gitignore")?.unwrap_or_default();
    let ignored = current.lines().any(|line| {
        let line = line.trim().trim_start_matches('/').trim_end_matches('/');
        line == CACHE_DIR
    });
    if ignored {
        return Ok(false);
    }
    let mut text = current;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "# Cached base evaluations of `assay check`\n{CACHE_DIR}/\n"
    ));
    write(root, ".gitignore", &text)?;
    Ok(true)
}

enum HookChange {
    Added,
    Present,
    /// The file could not be extended safely; the snippet to add by hand.
    Manual(String),
}

/// The hook definitions of `ci/pre-commit/.pre-commit-hooks.yaml`, without their comments.
fn hook_lines() -> Vec<&'static str> {
    PRE_COMMIT_HOOKS
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .collect()
}

/// A `repo: local` entry of `repos:` holding the assay hook, indented by `indent` spaces.
fn local_repo(indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut text = format!("{pad}- repo: local\n{pad}  hooks:\n");
    for line in hook_lines() {
        text.push_str(&format!("{pad}    {line}\n"));
    }
    text
}

/// The number of entries of `repos:` in a pre-commit config, when it parses.
fn repos(text: &str) -> Option<Vec<Value>> {
    let docs = yaml::parse(text).ok()?;
    docs.first()?.data.get("repos")?.as_array().cloned()
}

/// Appends the assay hook as a repo-local hook to `.pre-commit-config.yaml`. The result is
/// parsed back and kept only when it has exactly one more repository, the assay one.
fn add_pre_commit_hook(root: &Path) -> Result<HookChange, String> {
    let name = ".pre-commit-config.yaml";
    let text = read_text(root, name)?
        .ok_or_else(|| format!("cannot read `{name}`: {}", Refused::Missing))?;
    if text.contains("id: assay-check") {
        return Ok(HookChange::Present);
    }
    let Some(before) = repos(&text) else {
        return Ok(HookChange::Manual(local_repo(2)));
    };
    // The indentation of the existing entries of `repos:` (0 when there are none).
    let indent = text
        .lines()
        .skip_while(|l| !l.starts_with("repos:"))
        .skip(1)
        .find(|l| l.trim_start().starts_with("- "))
        .map_or(0, |l| l.len() - l.trim_start().len());
    let mut candidate = text.clone();
    if !candidate.ends_with('\n') {
        candidate.push('\n');
    }
    candidate.push_str(&local_repo(indent));
    let after = repos(&candidate).unwrap_or_default();
    let added_local = after.len() == before.len() + 1
        && after
            .last()
            .and_then(|r| r.get("repo"))
            .and_then(Value::as_str)
            == Some("local");
    if !added_local {
        return Ok(HookChange::Manual(local_repo(2)));
    }
    write(root, name, &candidate)?;
    Ok(HookChange::Added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_a_local_hook_at_the_existing_indentation() {
        let dir = tempfile::tempdir().unwrap();
        let config = "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n      - id: trailing-whitespace\n";
        std::fs::write(dir.path().join(".pre-commit-config.yaml"), config).unwrap();
        assert!(matches!(
            add_pre_commit_hook(dir.path()).unwrap(),
            HookChange::Added
        ));
        let text = std::fs::read_to_string(dir.path().join(".pre-commit-config.yaml")).unwrap();
        let all = repos(&text).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1]["hooks"][0]["entry"], "assay check --base HEAD");
        assert!(matches!(
            add_pre_commit_hook(dir.path()).unwrap(),
            HookChange::Present
        ));
    }

    #[test]
    fn flow_style_configs_are_left_to_the_user() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".pre-commit-config.yaml"), "repos: []\n").unwrap();
        assert!(matches!(
            add_pre_commit_hook(dir.path()).unwrap(),
            HookChange::Manual(_)
        ));
    }
}
