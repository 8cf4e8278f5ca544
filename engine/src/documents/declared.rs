//! The declaration files the GDPR and AI Act documents are written from, read with the
//! collectors' typed models: found, absent (with where they were looked for) or invalid (with
//! every problem at its line).

use std::path::Path;

use assay_collectors::ai::{self, AiSystems};
use assay_collectors::collector::SourceError;
use assay_collectors::confine::{self, Refused};
use assay_collectors::declared::Declared;
use assay_collectors::privacy::{self, ProcessingRecords};
use assay_collectors::Scope;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::config::Organization;

/// One declaration file, as far as it could be read.
#[derive(Debug, Clone)]
pub enum Declaration<T> {
    /// Read and valid.
    Found(Declared<T>),
    /// Not there: the root-relative paths it was looked for at, in order.
    Absent { looked_for: Vec<String> },
    /// There but unusable: each problem as `path:line:column: message` with its hint.
    Invalid { path: String, problems: Vec<String> },
}

impl<T> Declaration<T> {
    /// The problems to tell the user about (none when the file was read or is simply absent).
    pub fn problems(&self) -> &[String] {
        match self {
            Declaration::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

/// The record of processing activities and the AI system inventory of a repository.
#[derive(Debug, Clone)]
pub struct Declarations {
    pub privacy: Declaration<ProcessingRecords>,
    pub ai: Declaration<AiSystems>,
    /// `organization:` of `assay.yaml`: the header of the SoA and the SOC 2 matrix.
    pub organization: Option<Organization>,
}

impl Declarations {
    /// No declaration read: for the documents that rest on the results alone (the scan report).
    pub fn none() -> Declarations {
        Declarations {
            privacy: Declaration::Absent {
                looked_for: Vec::new(),
            },
            ai: Declaration::Absent {
                looked_for: Vec::new(),
            },
            organization: None,
        }
    }

    /// Reads both files under `root`; `collectors` is the `collectors:` section of
    /// `assay.yaml`, whose `privacy.records` and `ai.inventory` may name other paths.
    pub fn read(root: &Path, collectors: &Map<String, Value>) -> Declarations {
        let privacy = match settings::<privacy::Settings>(collectors, "privacy") {
            Ok(s) => {
                let configured = s.records.clone();
                load(root, configured, &privacy::DEFAULT_PATHS, || {
                    privacy::read(root, &s, Scope::DEFAULT_MAX_FILE_SIZE)
                })
            }
            Err(problem) => invalid_settings(problem),
        };
        let ai = match settings::<ai::Settings>(collectors, "ai") {
            Ok(s) => {
                let configured = s.inventory.clone();
                load(root, configured, &ai::DEFAULT_PATHS, || {
                    ai::read(root, &s, Scope::DEFAULT_MAX_FILE_SIZE)
                })
            }
            Err(problem) => invalid_settings(problem),
        };
        Declarations {
            privacy,
            ai,
            organization: None,
        }
    }

    /// These declarations issued for `organization`.
    pub fn for_organization(self, organization: Option<Organization>) -> Declarations {
        Declarations {
            organization,
            ..self
        }
    }

    /// Every problem of both files, for the terminal.
    pub fn problems(&self) -> Vec<String> {
        self.privacy
            .problems()
            .iter()
            .chain(self.ai.problems())
            .cloned()
            .collect()
    }
}

fn settings<T: Default + for<'de> Deserialize<'de>>(
    collectors: &Map<String, Value>,
    key: &str,
) -> Result<T, String> {
    match collectors.get(key) {
        Some(value) => T::deserialize(value).map_err(|e| {
            format!(
                "assay.yaml: collectors.{key}: {e}\n  hint: see the `collectors` section of schemas/config.schema.json"
            )
        }),
        None => Ok(T::default()),
    }
}

fn invalid_settings<T>(problem: String) -> Declaration<T> {
    Declaration::Invalid {
        path: "assay.yaml".into(),
        problems: vec![problem],
    }
}

fn load<T>(
    root: &Path,
    configured: Option<String>,
    defaults: &[&str],
    read: impl FnOnce() -> Result<Option<Declared<T>>, Vec<SourceError>>,
) -> Declaration<T> {
    let looked_for: Vec<String> = match configured {
        Some(path) if confine::resolve(root, &path) == Err(Refused::Missing) => {
            return Declaration::Absent {
                looked_for: vec![path],
            }
        }
        Some(path) => vec![path],
        None => defaults.iter().map(|p| p.to_string()).collect(),
    };
    match read() {
        Ok(Some(declared)) => Declaration::Found(declared),
        Ok(None) => Declaration::Absent { looked_for },
        Err(errors) => Declaration::Invalid {
            path: errors
                .first()
                .map_or_else(|| looked_for.join(", "), |e| e.path.clone()),
            problems: errors.iter().map(describe).collect(),
        },
    }
}

/// `path:line:column: message` and the hint on a second line.
fn describe(e: &SourceError) -> String {
    let place = match e.position {
        Some(p) => format!("{}:{}:{}", e.path, p.line, p.column),
        None => e.path.clone(),
    };
    match &e.hint {
        Some(hint) => format!("{place}: {}\n  hint: {hint}", e.message),
        None => format!("{place}: {}", e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_files_name_where_they_were_looked_for() {
        let dir = tempfile::tempdir().unwrap();
        let d = Declarations::read(dir.path(), &Map::new());
        match &d.privacy {
            Declaration::Absent { looked_for } => {
                assert_eq!(looked_for[0], "processing-activities.yaml");
                assert_eq!(looked_for.len(), privacy::DEFAULT_PATHS.len());
            }
            other => panic!("expected absent, got {other:?}"),
        }
        let configured: Map<String, Value> =
            serde_json::from_str(r#"{"ai": {"inventory": "gov/ai.yaml"}}"#).unwrap();
        match Declarations::read(dir.path(), &configured).ai {
            Declaration::Absent { looked_for } => assert_eq!(looked_for, ["gov/ai.yaml"]),
            other => panic!("expected absent, got {other:?}"),
        }
    }

    #[test]
    fn invalid_files_report_each_problem_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("processing-activities.yaml"),
            "activities:\n  - id: billing\n    name: Billing\n    colour: red\n",
        )
        .unwrap();
        let d = Declarations::read(dir.path(), &Map::new());
        let problems = d.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("processing-activities.yaml:4:"),
            "{}",
            problems[0]
        );
        assert!(problems[0].contains("unknown key `colour`"));
        assert!(problems[0].contains("hint: "));
    }
}
