//! `assay scan --policy DIR`: directories of conftest-style Rego policies run as they are,
//! without YAML wrappers. All modules and data form one policy set, compiled once; each
//! queried package becomes a control `policy.<package>`, mapped to no framework.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::catalog::{Catalog, Control, ControlDir, WhenEmpty};
use crate::check::rego::{DataSource, Mode, ModuleSource, PolicyOptions, PolicySet, Rego};
use crate::check::Check;
use crate::diag::{did_you_mean, Diagnostic};
use crate::model::Severity;

/// What `--policy`, `--data`, `--namespace`, `--all-namespaces`, `--rego-v0` and `--combine`
/// ask for.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Rego policies (conftest conventions)")]
pub struct PolicyDirs {
    /// Run the Rego policies in DIR (or a `.rego` file) as controls `policy.<package>`;
    /// repeatable.
    #[arg(long = "policy", value_name = "DIR")]
    pub policies: Vec<PathBuf>,
    /// Merge a JSON or YAML data file (or every one in a directory) at the data root;
    /// repeatable.
    #[arg(long = "data", value_name = "PATH", requires = "policies")]
    pub data: Vec<PathBuf>,
    /// Package to query (default: main); repeatable.
    #[arg(long = "namespace", value_name = "NS", requires = "policies")]
    pub namespaces: Vec<String>,
    /// Query every package that has deny, violation or warn rules.
    #[arg(long, requires = "policies", conflicts_with = "namespaces")]
    pub all_namespaces: bool,
    /// Read the policies as Rego v0 (`deny[msg] { … }`).
    #[arg(long, requires = "policies")]
    pub rego_v0: bool,
    /// Evaluate all documents together as one input, like `conftest --combine`.
    #[arg(long, requires = "policies")]
    pub combine: bool,
}

/// The sha256 and name of each file read, sorted.
pub type FileDigests = Vec<(String, String)>;

impl PolicyDirs {
    /// Compiles the policies and builds one control per queried package, with the digests of
    /// the files read.
    pub fn controls(&self) -> Result<(Vec<Control>, FileDigests), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut digests = Vec::new();
        let mut modules = Vec::new();
        for root in &self.policies {
            match files_below(root, &["rego"]) {
                Ok(files) if files.is_empty() => errors.push(
                    Diagnostic::new(root.display().to_string(), "no `.rego` file found")
                        .hint("pass a directory of Rego policies, or a `.rego` file"),
                ),
                Ok(files) => {
                    for (name, bytes) in files {
                        digests.push((hex::encode(Sha256::digest(&bytes)), name.clone()));
                        match String::from_utf8(bytes) {
                            Ok(text) => modules.push(ModuleSource::file(name, text)),
                            Err(_) => errors.push(
                                Diagnostic::new(name, "not UTF-8 text")
                                    .hint("save the module as UTF-8"),
                            ),
                        }
                    }
                }
                Err(e) => errors.push(unreadable(root, e)),
            }
        }
        let mut data = Vec::new();
        for root in &self.data {
            match files_below(root, &["json", "yaml", "yml"]) {
                Ok(files) => {
                    for (name, bytes) in files {
                        digests.push((hex::encode(Sha256::digest(&bytes)), name.clone()));
                        match DataSource::parse(&name, &bytes) {
                            Ok(source) => data.push(source),
                            Err(d) => errors.push(d),
                        }
                    }
                }
                Err(e) => errors.push(unreadable(root, e)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let options = PolicyOptions {
            rego_v0: self.rego_v0,
            ..PolicyOptions::default()
        };
        let policy = Arc::new(PolicySet::compile(modules, &data, options)?);
        let namespaces = self.namespaces_of(&policy)?;
        let mode = if self.combine {
            Mode::Combined
        } else {
            Mode::PerFile
        };
        let sources: Vec<String> = self
            .policies
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let dir = self.policies.first().map_or_else(PathBuf::new, |p| {
            if p.is_dir() {
                p.clone()
            } else {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            }
        });
        let controls = namespaces
            .into_iter()
            .map(|namespace| {
                let package = &policy.packages()[&namespace];
                let id = format!("policy.{namespace}");
                Control {
                    title: format!("Rego policy `{namespace}`"),
                    description: format!(
                        "The conftest rules (deny, violation, warn) of package `{namespace}` from {}.",
                        sources.join(", ")
                    ),
                    family: "policy".into(),
                    severity: Severity::High,
                    remediation: "Fix what each failure names, or waive the rule for the input \
                                  with an `exception` rule."
                        .into(),
                    references: Vec::new(),
                    related: Vec::new(),
                    parameters: Vec::new(),
                    check: Check::Rego(Rego::new(&id, policy.clone(), &namespace, mode)),
                    when_empty: WhenEmpty::NotApplicable,
                    source: package
                        .files
                        .iter()
                        .filter_map(|f| policy.modules().iter().find(|m| &m.file == f))
                        .map(|m| format!("# {}\n{}", m.file, m.text))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    tests: Vec::new(),
                    file: package.file.clone(),
                    line: package.line,
                    dir: ControlDir::Disk(dir.clone()),
                    id,
                }
            })
            .collect();
        digests.sort();
        Ok((controls, digests))
    }

    /// The packages to query: every package with conftest rules, or the named ones (`main` by
    /// default), each of which must exist.
    fn namespaces_of(&self, policy: &PolicySet) -> Result<Vec<String>, Vec<Diagnostic>> {
        let packages = policy.packages();
        if self.all_namespaces {
            return Ok(packages
                .iter()
                .filter(|(_, p)| !p.rules.is_empty())
                .map(|(name, _)| name.clone())
                .collect());
        }
        let wanted = if self.namespaces.is_empty() {
            vec!["main".to_string()]
        } else {
            self.namespaces.clone()
        };
        let origin = if self.namespaces.is_empty() {
            "--policy"
        } else {
            "--namespace"
        };
        let known: Vec<String> = packages.keys().map(|k| format!("`{k}`")).collect();
        let errors: Vec<Diagnostic> = wanted
            .iter()
            .filter(|ns| !packages.contains_key(*ns))
            .map(|ns| {
                let d = Diagnostic::new(origin, format!("no package `{ns}` in the policies"))
                    .expected(format!("one of {}", known.join(", ")));
                match did_you_mean(ns, packages.keys().map(String::as_str)) {
                    Some(close) => d.hint(format!("did you mean `--namespace {close}`?")),
                    None => d.hint("name the packages with --namespace NAME, or query every package with --all-namespaces"),
                }
            })
            .collect();
        if errors.is_empty() {
            let mut wanted = wanted;
            wanted.sort();
            wanted.dedup();
            Ok(wanted)
        } else {
            Err(errors)
        }
    }

    /// Adds the policy controls to `catalog`, and the policy and data files to its digest.
    pub fn add_to(&self, catalog: &mut Catalog) -> Result<(), Vec<Diagnostic>> {
        if self.policies.is_empty() {
            return Ok(());
        }
        let (controls, digests) = self.controls()?;
        let clashes: Vec<Diagnostic> = controls
            .iter()
            .filter_map(|c| {
                let existing = catalog.control(&c.id)?;
                Some(
                    Diagnostic::new(&c.file, format!("duplicate control id `{}`", c.id)).hint(
                        format!(
                            "`{}` is already defined at {}:{}; rename the package",
                            c.id, existing.file, existing.line
                        ),
                    ),
                )
            })
            .collect();
        if !clashes.is_empty() {
            return Err(clashes);
        }
        catalog.controls.extend(controls.into_iter().map(Arc::new));
        catalog.controls.sort_by(|a, b| a.id.cmp(&b.id));
        let mut hasher = Sha256::new();
        hasher.update(&catalog.digest);
        for (digest, name) in &digests {
            hasher.update(format!("\n{digest}  {name}"));
        }
        catalog.digest = hex::encode(hasher.finalize());
        Ok(())
    }
}

fn unreadable(root: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::new(root.display().to_string(), format!("cannot read: {e}"))
        .hint("pass an existing, readable file or directory")
}

/// `root` itself when it is a file, else every file below it with one of `extensions`
/// (hidden folders skipped), sorted, with their contents.
fn files_below(root: &Path, extensions: &[&str]) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let has_extension = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| extensions.contains(&e))
    };
    if root.is_file() {
        return Ok(vec![(root.display().to_string(), std::fs::read(root)?)]);
    }
    let mut paths = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                if !entry.file_name().to_string_lossy().starts_with('.') {
                    stack.push(path);
                }
            } else if has_extension(&path) {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| Ok((p.display().to_string(), std::fs::read(&p)?)))
        .collect()
}
