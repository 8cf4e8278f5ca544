//! Framework mappings: every requirement of a framework and the controls that evidence it.

use assay_collectors::Position;
use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::parse::LocatedValue;

/// One framework (SOC 2, ISO 27001, GDPR, EU AI Act, or a user's own).
#[derive(Debug, Clone)]
pub struct Framework {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    pub source: Option<String>,
    pub requirements: Vec<Requirement>,
    /// The files this framework was read from (several when a user catalog extends it).
    pub files: Vec<String>,
}

/// One requirement and the ids of its controls.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub id: String,
    pub title: String,
    pub controls: Vec<String>,
    /// Where each control id was named, for diagnostics.
    pub control_sites: Vec<(String, Option<Position>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    framework: String,
    name: Option<String>,
    version: Option<String>,
    source: Option<String>,
    requirements: Vec<RequirementEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementEntry {
    id: String,
    title: Option<String>,
    #[serde(default)]
    controls: Vec<String>,
}

impl Framework {
    /// Builds a framework from a schema-valid mapping document.
    pub fn from_document(doc: &LocatedValue) -> Result<Framework, Diagnostic> {
        let file: MappingFile = serde_json::from_value(doc.value.clone())
            .map_err(|e| Diagnostic::new(&doc.file, e.to_string()))?;
        let requirements = file
            .requirements
            .into_iter()
            .enumerate()
            .map(|(i, r)| Requirement {
                control_sites: (0..r.controls.len())
                    .map(|j| {
                        (
                            doc.file.clone(),
                            doc.lines
                                .position(&format!("/requirements/{i}/controls/{j}")),
                        )
                    })
                    .collect(),
                title: r.title.unwrap_or_default(),
                id: r.id,
                controls: r.controls,
            })
            .collect();
        Ok(Framework {
            name: file.name.unwrap_or_else(|| file.framework.clone()),
            id: file.framework,
            version: file.version,
            source: file.source,
            requirements,
            files: vec![doc.file.clone()],
        })
    }

    /// Adds the requirements and control links of `other` (same framework id) to this one.
    pub fn extend(&mut self, other: Framework) {
        for req in other.requirements {
            match self.requirements.iter_mut().find(|r| r.id == req.id) {
                Some(existing) => {
                    for (control, site) in req.controls.into_iter().zip(req.control_sites) {
                        if !existing.controls.contains(&control) {
                            existing.controls.push(control);
                            existing.control_sites.push(site);
                        }
                    }
                }
                None => self.requirements.push(req),
            }
        }
        self.files.extend(other.files);
    }
}
