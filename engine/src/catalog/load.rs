//! Loading and validating a whole catalog: every error of every file is reported in one run.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::control::Control;
use super::mapping::{
    Coverage, CoverageCounts, Exclusion, Framework, FrameworkChoice, Requirement, Soc2Category,
};
use super::parameters::{self, Overrides};
use super::source::{self, CatalogRoot, ControlDir, SourceFile};
use crate::check::Check;
use crate::diag::{did_you_mean, Diagnostic};
use crate::parse::{read_yaml, read_yaml_unchecked};
use crate::schema::SchemaKind;

/// A validated catalog: controls sorted by id, frameworks sorted by id.
#[derive(Debug, Default, Clone)]
pub struct Catalog {
    pub controls: Vec<Arc<Control>>,
    pub frameworks: Vec<Framework>,
    /// sha256 over the names and contents of every control and mapping file.
    pub digest: String,
    /// The controls taken out by a skip, with the reason (see [`Catalog::select`]).
    pub skipped: Vec<super::SkippedControl>,
}

impl Catalog {
    pub fn control(&self, id: &str) -> Option<&Arc<Control>> {
        self.controls
            .binary_search_by(|c| c.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.controls[i])
    }

    /// The (framework id, requirement id) pairs a control is mapped to.
    pub fn mappings_of(&self, control: &str) -> Vec<(&str, &str)> {
        self.frameworks
            .iter()
            .flat_map(|f| {
                f.requirements
                    .iter()
                    .filter(|r| r.controls.iter().any(|c| c == control))
                    .map(move |r| (f.id.as_str(), r.id.as_str()))
            })
            .collect()
    }

    /// How `requirement` is evidenced by this catalog's controls.
    pub fn coverage(&self, requirement: &Requirement) -> Coverage {
        let controls: Vec<&Arc<Control>> = requirement
            .controls
            .iter()
            .filter_map(|id| self.control(id))
            .collect();
        if controls.iter().any(|c| !c.check.is_attestation()) {
            Coverage::Automated
        } else if !controls.is_empty() {
            Coverage::Attested
        } else if requirement.not_applicable.is_some() {
            Coverage::NotApplicable
        } else {
            Coverage::Unmapped
        }
    }

    /// Keeps only the `frameworks` in scope and the controls mapped to them, so that evaluation,
    /// every output and the gate see the scope alone.
    pub fn scope_to(&mut self, frameworks: &[String]) {
        self.frameworks.retain(|f| frameworks.contains(&f.id));
        let mapped: std::collections::BTreeSet<&str> = self
            .frameworks
            .iter()
            .flat_map(|f| &f.requirements)
            .flat_map(|r| &r.controls)
            .map(String::as_str)
            .collect();
        self.controls.retain(|c| mapped.contains(c.id.as_str()));
        self.skipped.retain(|c| mapped.contains(c.id.as_str()));
    }

    /// Keeps, of SOC 2, the Security criteria (CC) and those of the Trust Services
    /// `categories` chosen beside them.
    pub fn soc2_categories(&mut self, categories: &[Soc2Category]) {
        if let Some(soc2) = self.frameworks.iter_mut().find(|f| f.id == "soc2") {
            soc2.requirements.retain(|r| {
                let category = Soc2Category::of(&r.id);
                category == Soc2Category::Security || categories.contains(&category)
            });
        }
    }

    /// Keeps, of each framework chosen with a part (`baseline`, `service_provider: false`),
    /// the requirements of that part. A baseline the framework does not declare, or a
    /// service-provider choice for a framework without such requirements, is an error of
    /// `origin`.
    pub fn select_parts(
        &mut self,
        choices: &[FrameworkChoice],
        origin: &str,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        for (i, choice) in choices.iter().enumerate() {
            let FrameworkChoice::Selection(selection) = choice else {
                continue;
            };
            let Some(framework) = self.frameworks.iter_mut().find(|f| f.id == selection.id) else {
                continue;
            };
            if let Some(baseline) = &selection.baseline {
                if framework.baselines.contains(baseline) {
                    framework
                        .requirements
                        .retain(|r| r.baselines.contains(baseline));
                } else {
                    let known = framework.baselines.iter().map(String::as_str);
                    let close = did_you_mean(baseline, known).map(str::to_string);
                    let d = Diagnostic::new(
                        origin,
                        format!("`{}` has no baseline `{baseline}`", framework.id),
                    )
                    .key(format!("/frameworks/{i}/baseline"))
                    .expected(if framework.baselines.is_empty() {
                        "no baseline: this framework has none".to_string()
                    } else {
                        format!("one of {}", framework.baselines.join(", "))
                    });
                    errors.push(match close {
                        Some(close) => d.hint(format!("did you mean `{close}`?")),
                        None => d,
                    });
                }
            }
            if selection.service_provider == Some(false) {
                if framework.requirements.iter().any(|r| r.service_provider) {
                    framework.requirements.retain(|r| !r.service_provider);
                } else {
                    errors.push(
                        Diagnostic::new(
                            origin,
                            format!(
                                "`{}` has no requirement for service providers only",
                                framework.id
                            ),
                        )
                        .key(format!("/frameworks/{i}/service_provider")),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Applies the organisation's exclusions: each requirement named leaves the scope (no
    /// control evidences it, it does not apply, its justification and approver recorded).
    /// An earlier edition's id excludes the requirements it corresponds to. Unknown
    /// requirements are errors of `origin`, at their line in `lines`.
    pub fn exclude(
        &mut self,
        exclusions: &[Exclusion],
        origin: &str,
        lines: &assay_collectors::LineMap,
    ) -> Result<(), Vec<Diagnostic>> {
        let mut errors = Vec::new();
        for (i, exclusion) in exclusions.iter().enumerate() {
            let Some(framework) = self
                .frameworks
                .iter_mut()
                .find(|f| f.id == exclusion.framework)
            else {
                // A framework out of scope: nothing to exclude from.
                continue;
            };
            for (j, id) in exclusion.requirements.iter().enumerate() {
                let known = framework.requirements.iter().map(|r| r.id.as_str());
                let close = did_you_mean(id, known).map(str::to_string);
                // An earlier edition's id excludes the requirements it corresponds to.
                let resolved = framework.resolve(id);
                let mut excluded = framework
                    .requirements
                    .iter_mut()
                    .filter(|r| resolved.contains(&r.id))
                    .peekable();
                match excluded.peek() {
                    Some(_) => {
                        for req in excluded {
                            req.controls.clear();
                            req.control_sites.clear();
                            req.not_applicable = Some(format!(
                                "{} (excluded by {} on {})",
                                exclusion.reason, exclusion.approved_by, exclusion.date
                            ));
                            req.exclusion = Some(exclusion.clone());
                        }
                    }
                    None => {
                        let key = format!("/exclusions/{i}/requirements/{j}");
                        let d = Diagnostic::new(
                            origin,
                            format!("`{}` has no requirement `{id}` to exclude", framework.id),
                        )
                        .at(lines.position(&key))
                        .key(key);
                        errors.push(match close {
                            Some(close) => d.hint(format!("did you mean `{close}`?")),
                            None => d,
                        });
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Errors for the exclusions that name a framework the catalog lacks (checked before the
    /// catalog is scoped, as [`Catalog::exclude`] skips the frameworks out of scope).
    pub fn unknown_exclusion_frameworks(
        &self,
        exclusions: &[Exclusion],
        origin: &str,
        lines: &assay_collectors::LineMap,
    ) -> Vec<Diagnostic> {
        let ids = || self.frameworks.iter().map(|f| f.id.as_str());
        exclusions
            .iter()
            .enumerate()
            .filter(|(_, e)| !ids().any(|id| id == e.framework))
            .map(|(i, e)| {
                let key = format!("/exclusions/{i}/framework");
                let d = Diagnostic::new(
                    origin,
                    format!("no framework `{}` to exclude from", e.framework),
                )
                .at(lines.position(&key))
                .key(key);
                match did_you_mean(&e.framework, ids()) {
                    Some(close) => d.hint(format!("did you mean `{close}`?")),
                    None => d.hint("`assay frameworks list` shows every framework"),
                }
            })
            .collect()
    }

    /// The coverage counts of every requirement of `framework`.
    pub fn coverage_counts(&self, framework: &Framework) -> CoverageCounts {
        let mut counts = CoverageCounts::default();
        for requirement in &framework.requirements {
            counts.add(self.coverage(requirement));
        }
        counts
    }
}

/// Loads every root, in order, and validates the result as a whole; every parameter takes its
/// default.
pub fn load(roots: &[CatalogRoot]) -> Result<Catalog, Vec<Diagnostic>> {
    load_with(roots, &Overrides::default())
}

/// Loads every root like [`load`], the parameters taking the values `overrides` sets.
pub fn load_with(roots: &[CatalogRoot], overrides: &Overrides) -> Result<Catalog, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let mut controls = Vec::new();
    let mut frameworks: BTreeMap<String, Framework> = BTreeMap::new();
    let mut file_digests: Vec<(String, String)> = Vec::new();
    // The requirement ids of each built-in framework: closed sets other catalogs extend.
    let mut builtin: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // The id of every control file, loaded or not.
    let mut known: Vec<String> = Vec::new();

    for root in roots {
        let is_builtin = matches!(root, CatalogRoot::Builtin);
        let control_files = match root.control_files() {
            Ok(files) => files,
            Err(e) => {
                diagnostics.push(unreadable(root, e));
                continue;
            }
        };
        if let CatalogRoot::Dir(dir) = root {
            let misplaced = source::misplaced_controls(dir);
            if control_files.is_empty() && misplaced.is_empty() && !dir.join("mappings").is_dir() {
                diagnostics.push(
                    Diagnostic::new(dir.display().to_string(), "no controls in this catalog directory")
                        .hint("a catalog holds one folder per control, `DIR/<folder>/control.yaml`, and optional `DIR/mappings/*.yaml`"),
                );
            }
            diagnostics.extend(misplaced.into_iter().map(|p| {
                let stem = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                Diagnostic::new(
                    p.display().to_string(),
                    "not read: a control lives in its own folder, as `DIR/<folder>/control.yaml`",
                )
                .hint(format!(
                    "move it to `{}`",
                    dir.join(stem).join("control.yaml").display()
                ))
            }));
        }
        file_digests.extend(
            control_files
                .iter()
                .map(|(f, _)| (digest_name(root, &f.display), sha256(&f.bytes))),
        );
        // Each control (or its errors), its id when it has one, and the errors of the values
        // assay.yaml sets for it.
        let results: Vec<_> = control_files
            .into_par_iter()
            .map(|(file, dir)| {
                let mut config_errors = Vec::new();
                let read = read_control(&file, dir, overrides, &mut config_errors);
                (read, config_errors)
            })
            .collect();
        for ((id, result), config_errors) in results {
            known.extend(id);
            diagnostics.extend(config_errors);
            match result {
                Ok(control) => controls.push(control),
                Err(errors) => diagnostics.extend(errors),
            }
        }
        match root.mapping_files() {
            Ok(files) => {
                for file in files {
                    file_digests.push((digest_name(root, &file.display), sha256(&file.bytes)));
                    match read_yaml(&file.display, &file.bytes, SchemaKind::Mapping) {
                        Ok(doc) => match Framework::from_document(&doc) {
                            Ok(mut framework) => {
                                diagnostics.extend(duplicate_requirements(&doc, &framework));
                                if !is_builtin && framework.earlier.is_some() {
                                    // Earlier numberings come with the built-in frameworks
                                    // only: their size stays fixed whatever a catalog holds.
                                    diagnostics.push(
                                        doc.diagnostic(
                                            "/earlier_edition",
                                            "an earlier edition's numbering is part of the built-in catalog",
                                        )
                                        .hint("map controls to the earlier ids, or to the current ones"),
                                    );
                                    continue;
                                }
                                if is_builtin {
                                    builtin.entry(framework.id.clone()).or_default().extend(
                                        framework.requirements.iter().map(|r| r.id.clone()),
                                    );
                                } else if !builtin.is_empty() {
                                    let extended = frameworks.get(&framework.id);
                                    let errors =
                                        extension_errors(&doc, &framework, &builtin, extended);
                                    if !errors.is_empty() {
                                        diagnostics.extend(errors);
                                        continue;
                                    }
                                    if let Some(extended) = extended {
                                        resolve_earlier_ids(&mut framework, extended);
                                    }
                                }
                                match frameworks.get_mut(&framework.id) {
                                    Some(existing) => existing.extend(framework),
                                    None => {
                                        frameworks.insert(framework.id.clone(), framework);
                                    }
                                }
                            }
                            Err(d) => diagnostics.push(d),
                        },
                        Err(errors) => diagnostics.extend(errors),
                    }
                }
            }
            Err(e) => diagnostics.push(unreadable(root, e)),
        }
    }

    controls.sort_by(|a, b| a.id.cmp(&b.id).then(a.file.cmp(&b.file)));
    for pair in controls.windows(2) {
        if pair[0].id == pair[1].id {
            diagnostics.push(
                Diagnostic::new(
                    &pair[1].file,
                    format!("duplicate control id `{}`", pair[1].id),
                )
                .at(Some(assay_collectors::Position::new(pair[1].line, 1)))
                .key("/id")
                .hint(format!(
                    "`{}` is already defined at {}:{}; control ids must be unique",
                    pair[0].id, pair[0].file, pair[0].line
                )),
            );
        }
    }
    controls.dedup_by(|a, b| a.id == b.id);

    known.sort();
    diagnostics.extend(overrides.unknown_controls(&known));
    let ids: Vec<&str> = controls.iter().map(|c| c.id.as_str()).collect();
    // The values set change the checks: they are part of what the digest names.
    for control in &controls {
        if control.parameters.iter().any(|p| p.set_at.is_some()) {
            let values: serde_json::Map<String, serde_json::Value> = control
                .parameters
                .iter()
                .map(|p| (p.name.clone(), p.value.clone()))
                .collect();
            let text = serde_json::Value::Object(values).to_string();
            file_digests.push((
                format!("parameters:{}", control.id),
                sha256(text.as_bytes()),
            ));
        }
    }
    for framework in frameworks.values() {
        diagnostics.extend(earlier_edition_errors(framework));
        for req in &framework.requirements {
            for (control, (file, position)) in req.controls.iter().zip(&req.control_sites) {
                if ids.binary_search(&control.as_str()).is_err() {
                    let mut d = Diagnostic::new(
                        file,
                        format!(
                            "requirement `{}` maps to unknown control `{control}`",
                            req.id
                        ),
                    )
                    .at(*position)
                    .expected("the id of a control in the catalog");
                    if let Some(close) = did_you_mean(control, ids.iter().copied()) {
                        d = d.hint(format!("did you mean `{close}`?"));
                    } else {
                        d = d.hint(
                            "check the id, or add the catalog that defines it with --controls",
                        );
                    }
                    diagnostics.push(d);
                }
            }
        }
    }

    if diagnostics.is_empty() {
        file_digests.sort();
        let mut hasher = Sha256::new();
        for (name, digest) in &file_digests {
            hasher.update(format!("{digest}  {name}\n"));
        }
        Ok(Catalog {
            controls: controls.into_iter().map(Arc::new).collect(),
            frameworks: frameworks.into_values().collect(),
            digest: hex::encode(hasher.finalize()),
            skipped: Vec::new(),
        })
    } else {
        diagnostics.sort();
        diagnostics.dedup();
        Err(diagnostics)
    }
}

/// Reads, resolves and compiles one control file: its id when it has one, and the control or
/// every error of the file. Errors of the values assay.yaml sets go to `config_errors`.
fn read_control(
    file: &SourceFile,
    dir: ControlDir,
    overrides: &Overrides,
    config_errors: &mut Vec<Diagnostic>,
) -> (Option<String>, Result<Control, Vec<Diagnostic>>) {
    let (mut doc, mut errors) =
        match read_yaml_unchecked(&file.display, &file.bytes, SchemaKind::Control) {
            Ok(read) => read,
            Err(errors) => return (None, Err(errors)),
        };
    let id = doc
        .value
        .get("id")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    if errors.is_empty() {
        let control = parameters::resolve(&mut doc, overrides, config_errors)
            .and_then(|params| Control::from_document(&doc, dir, params));
        return (id, control);
    }
    // Report the check's own problems too, so that one run shows them all; its parameters
    // resolved first, so that a reference is not taken for a misplaced value.
    if let Err(more) = parameters::resolve(&mut doc, overrides, config_errors) {
        errors.extend(more);
    }
    if let Err(more) = Check::compile(&doc, "/check", &dir) {
        errors.extend(more);
    }
    (id, Err(errors))
}

fn unreadable(root: &CatalogRoot, e: std::io::Error) -> Diagnostic {
    let name = match root {
        CatalogRoot::Builtin => "builtin".to_string(),
        CatalogRoot::Dir(p) => p.display().to_string(),
    };
    let d = Diagnostic::new(name, format!("cannot read catalog: {e}"));
    match root {
        // `--controls k8s-image-tag-pinned` meant `--control`: a bare word, not a path.
        CatalogRoot::Dir(p) if e.kind() == std::io::ErrorKind::NotFound && looks_like_an_id(p) => d
            .hint(format!(
            "`--controls` adds a catalog directory; to run only some controls, use `--control {}`",
            p.display()
        )),
        _ => d.hint("pass an existing, readable directory"),
    }
}

/// A single path component of the characters of a control id or glob (`tf-aws-*`).
fn looks_like_an_id(p: &std::path::Path) -> bool {
    let text = p.to_string_lossy();
    !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '*' | '?')
        })
}

/// What is wrong with a user mapping beside the built-in frameworks: a framework id that is
/// not built-in unless the file declares `new_framework: true` (so that `soc-2` is not a fifth
/// framework), a built-in id declared new, requirement ids a built-in framework lacks (unless
/// an earlier edition's id, or declared `new: true`), and `new: true` on an id it has.
/// `extended` is the framework as loaded so far, with its earlier edition.
fn extension_errors(
    doc: &crate::parse::LocatedValue,
    framework: &Framework,
    builtin: &BTreeMap<String, Vec<String>>,
    extended: Option<&Framework>,
) -> Vec<Diagnostic> {
    let declared_new = doc.value["new_framework"] == true;
    let Some(known) = builtin.get(&framework.id) else {
        if declared_new {
            return Vec::new();
        }
        let mut d = doc
            .diagnostic(
                "/framework",
                format!("unknown framework `{}`", framework.id),
            )
            .expected(format!(
                "a built-in framework ({}), or `new_framework: true` to declare one of your own",
                builtin
                    .keys()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        if let Some(close) = did_you_mean(&framework.id, builtin.keys().map(String::as_str)) {
            d = d.hint(format!("did you mean `{close}`?"));
        }
        return vec![d];
    };
    if declared_new {
        return vec![doc
            .diagnostic(
                "/new_framework",
                format!("`{}` is a built-in framework, not a new one", framework.id),
            )
            .hint("remove `new_framework: true` to extend it, or choose another framework id")];
    }
    let earlier = |id: &str| extended.is_some_and(|f| !f.now_ids(id).is_empty());
    let mut errors = Vec::new();
    for (i, r) in framework.requirements.iter().enumerate() {
        let declared_new = doc.value["requirements"][i]["new"] == true;
        let exists = known.contains(&r.id) || earlier(&r.id);
        if declared_new && exists {
            errors.push(
                doc.diagnostic(
                    &format!("/requirements/{i}/new"),
                    format!("`{}` already has a requirement `{}`", framework.id, r.id),
                )
                .hint("remove `new: true` to map controls to it"),
            );
        } else if !declared_new && !exists {
            let d = doc
                .diagnostic(
                    &format!("/requirements/{i}/id"),
                    format!("`{}` has no requirement `{}`", framework.id, r.id),
                )
                .expected(format!(
                    "a requirement id of the built-in `{}`, or `new: true` to add one",
                    framework.id
                ));
            errors.push(
                match did_you_mean(&r.id, known.iter().map(String::as_str)) {
                    Some(close) => d.hint(format!("did you mean `{close}`?")),
                    None => d.hint(format!(
                        "`assay frameworks coverage {}` lists its requirements",
                        framework.id
                    )),
                },
            );
        }
    }
    errors
}

/// Replaces each requirement of `framework` named by an id of `extended`'s earlier edition by
/// the current requirements it corresponds to, with the same controls.
fn resolve_earlier_ids(framework: &mut Framework, extended: &Framework) {
    let requirements = std::mem::take(&mut framework.requirements);
    for req in requirements {
        match extended.now_ids(&req.id) {
            [] => framework.requirements.push(req),
            now => framework
                .requirements
                .extend(now.iter().map(|id| Requirement {
                    id: id.clone(),
                    ..req.clone()
                })),
        }
    }
}

/// What is wrong with a framework's earlier edition: an id that is also a current requirement
/// id, or that corresponds to a requirement the framework lacks.
fn earlier_edition_errors(framework: &Framework) -> Vec<Diagnostic> {
    let Some(earlier) = &framework.earlier else {
        return Vec::new();
    };
    let current: std::collections::BTreeSet<&str> = framework
        .requirements
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    let mut errors = Vec::new();
    for entry in &earlier.ids {
        let at = |message: String| Diagnostic::new(&earlier.file, message).at(entry.position);
        if current.contains(&entry.id.as_str()) {
            errors.push(at(format!(
                "`{}` is a current requirement of `{}`, not an earlier id",
                entry.id, framework.id
            )));
        }
        for now in entry.now.iter().filter(|n| !current.contains(&n.as_str())) {
            let d = at(format!(
                "earlier id `{}` corresponds to `{now}`, which `{}` has no requirement of",
                entry.id, framework.id
            ));
            errors.push(match did_you_mean(now, current.iter().copied()) {
                Some(close) => d.hint(format!("did you mean `{close}`?")),
                None => d,
            });
        }
    }
    errors
}

fn duplicate_requirements(
    doc: &crate::parse::LocatedValue,
    framework: &Framework,
) -> Vec<Diagnostic> {
    let mut seen = BTreeMap::new();
    let mut out = Vec::new();
    for (i, req) in framework.requirements.iter().enumerate() {
        if let Some(first) = seen.insert(req.id.as_str(), i) {
            out.push(
                doc.diagnostic(
                    &format!("/requirements/{i}/id"),
                    format!("duplicate requirement id `{}`", req.id),
                )
                .hint(format!(
                    "already listed at line {}",
                    doc.line(&format!("/requirements/{first}/id"))
                )),
            );
        }
    }
    out
}

/// The name a catalog file has in the catalog digest: relative to its catalog directory, so
/// that the digest does not depend on where the catalog sits on a machine.
fn digest_name(root: &CatalogRoot, display: &str) -> String {
    match root {
        CatalogRoot::Builtin => display.to_string(),
        CatalogRoot::Dir(dir) => std::path::Path::new(display)
            .strip_prefix(dir)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|_| display.to_string()),
    }
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
