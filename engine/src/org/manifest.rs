//! The org manifest, `assay-org.yaml`: the repositories of an organisation, the teams that own
//! them and the frameworks scored for each. `schemas/org.schema.json` is generated from these
//! types (`ASSAY_UPDATE_SCHEMAS=1 cargo test` rewrites it); the file is validated against it
//! first, so that an unknown key is an error at its line, then checked against the catalog.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;

use crate::catalog::{Catalog, FrameworkChoice};
use crate::diag::Diagnostic;
use crate::parse::{read_yaml, LocatedValue};
use crate::schema::SchemaKind;

/// The largest manifest read.
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;

/// `assay-org.yaml` as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "assay org manifest",
    extend("$id" = "https://assay.dev/schemas/org.schema.json")
)]
pub struct Manifest {
    /// The organisation's name, the title of the portfolio site.
    #[schemars(length(min = 1))]
    pub organization: Option<String>,
    /// The frameworks scored for every repository that names none of its own, written as in assay.yaml: an id, or `{id, baseline}` / `{id, service_provider}`. Default: what each repository's assay.yaml says.
    pub frameworks: Option<Vec<FrameworkChoice>>,
    /// The teams, by id.
    #[serde(default)]
    pub teams: BTreeMap<String, Team>,
    /// The repositories, each a local directory.
    #[schemars(length(min = 1))]
    pub repositories: Vec<Repository>,
}

/// A team owning repositories.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "team")]
pub struct Team {
    /// The name shown (default: the id).
    #[schemars(length(min = 1))]
    pub name: Option<String>,
    /// The people or groups accountable for the team's repositories.
    #[serde(default)]
    pub owners: Vec<String>,
}

/// One repository of the organisation.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "repository")]
pub struct Repository {
    /// The repository's name, unique in the manifest; it decides the shard that scans it.
    #[schemars(length(min = 1))]
    pub name: String,
    /// The local directory, relative to the manifest and inside its directory, or absolute.
    #[schemars(length(min = 1))]
    pub path: String,
    /// The id of the team owning it, one of `teams`.
    pub team: Option<String>,
    /// The people accountable for it beside the team's owners.
    #[serde(default)]
    pub owners: Vec<String>,
    /// The frameworks scored for it (default: the manifest's `frameworks`).
    pub frameworks: Option<Vec<FrameworkChoice>>,
}

/// A checked manifest and where it was read from.
#[derive(Debug, Clone)]
pub struct OrgManifest {
    pub manifest: Manifest,
    /// The directory relative repository paths resolve from.
    pub base: PathBuf,
}

impl OrgManifest {
    /// Reads `path` and checks it against `catalog`: every problem is a diagnostic at its line.
    pub fn read(path: &Path, catalog: &Catalog) -> Result<OrgManifest, Vec<Diagnostic>> {
        let shown = path.display().to_string();
        let bytes =
            assay_collectors::confine::read_named(path, MAX_MANIFEST).map_err(|reason| {
                vec![Diagnostic::new(
                    &shown,
                    format!("cannot read the org manifest: {reason}"),
                )]
            })?;
        let doc = read_yaml(&shown, &bytes, SchemaKind::Org)?;
        let manifest: Manifest = serde_json::from_value(doc.value.clone())
            .map_err(|e| vec![Diagnostic::new(&shown, e.to_string())])?;
        let errors = problems(&manifest, &doc, catalog);
        if !errors.is_empty() {
            return Err(errors);
        }
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Ok(OrgManifest { manifest, base })
    }

    /// The frameworks scored for `repo`: its own, else the manifest's, else (`None`) those of
    /// its assay.yaml.
    pub fn frameworks<'a>(&'a self, repo: &'a Repository) -> Option<&'a [FrameworkChoice]> {
        repo.frameworks
            .as_deref()
            .or(self.manifest.frameworks.as_deref())
    }

    /// The directory of `repo`: an absolute path as written, a relative one below the
    /// manifest's directory with links resolved; refused when a link leads out of it.
    pub fn directory(&self, repo: &Repository) -> Result<PathBuf, String> {
        if Path::new(&repo.path).is_absolute() {
            return Ok(PathBuf::from(&repo.path));
        }
        assay_collectors::confine::resolve(&self.base, &repo.path).map_err(|reason| {
            format!(
                "`{}` relative to the manifest's directory: {}",
                repo.path,
                reason
                    .to_string()
                    .replace("scan root", "manifest's directory")
            )
        })
    }

    /// The shown name of team `id`.
    pub fn team_name(&self, id: &str) -> String {
        self.manifest
            .teams
            .get(id)
            .and_then(|t| t.name.clone())
            .unwrap_or_else(|| id.to_string())
    }
}

/// What the schema cannot say: unique names, known teams and frameworks, paths that stay in
/// the manifest's directory.
fn problems(manifest: &Manifest, doc: &LocatedValue, catalog: &Catalog) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let mut frameworks: Vec<(String, &FrameworkChoice)> = Vec::new();
    for (i, f) in manifest.frameworks.iter().flatten().enumerate() {
        frameworks.push((format!("/frameworks/{i}"), f));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, repo) in manifest.repositories.iter().enumerate() {
        let at = |key: &str| format!("/repositories/{i}/{key}");
        if let Some(first) = seen.insert(repo.name.as_str(), i) {
            errors.push(
                doc.diagnostic(
                    &at("name"),
                    format!("repository `{}` is listed twice", repo.name),
                )
                .hint(format!(
                    "the first is at line {}; names must be unique",
                    doc.line(&format!("/repositories/{first}/name"))
                )),
            );
        }
        if let Some(team) = &repo.team {
            if !manifest.teams.contains_key(team) {
                let known: Vec<String> = manifest.teams.keys().map(|k| format!("`{k}`")).collect();
                let d = doc
                    .diagnostic(&at("team"), format!("unknown team `{team}`"))
                    .expected(if known.is_empty() {
                        "a team defined under `teams:`".to_string()
                    } else {
                        format!("one of {}", known.join(", "))
                    });
                errors.push(
                    match crate::diag::did_you_mean(team, manifest.teams.keys().map(String::as_str))
                    {
                        Some(close) => d.hint(format!("did you mean `{close}`?")),
                        None => d.hint("add the team under `teams:`"),
                    },
                );
            }
        }
        let path = Path::new(&repo.path);
        if !path.is_absolute() && path.components().any(|c| c == Component::ParentDir) {
            errors.push(
                doc.diagnostic(
                    &at("path"),
                    format!("`{}` leaves the manifest's directory", repo.path),
                )
                .hint("name a directory below the manifest, or write its absolute path"),
            );
        }
        for (j, f) in repo.frameworks.iter().flatten().enumerate() {
            frameworks.push((at(&format!("frameworks/{j}")), f));
        }
    }
    for (pointer, choice) in frameworks {
        if let Err(found) =
            crate::scan::check_frameworks(catalog, &[choice.id().to_string()], &doc.file)
        {
            errors.extend(
                found
                    .into_iter()
                    .map(|d| d.at(doc.lines.position(&pointer)).key(&pointer)),
            );
        }
    }
    errors.sort();
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in schema is the one the types generate; `ASSAY_UPDATE_SCHEMAS=1` rewrites it.
    #[test]
    fn checked_in_org_schema_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/org.schema.json");
        let generated = format!(
            "{}\n",
            serde_json::to_string_pretty(&crate::catalog::schema_of::<Manifest>()).unwrap()
        );
        if std::env::var_os("ASSAY_UPDATE_SCHEMAS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(path).unwrap();
        assert!(
            checked_in == generated,
            "schemas/org.schema.json is not what the types in engine/src/org/manifest.rs generate: run `ASSAY_UPDATE_SCHEMAS=1 cargo test --workspace --locked --lib -- manifest::` and commit the result"
        );
    }
}
