//! Framework mappings: every requirement of a framework and the controls that evidence it.

use assay_collectors::Position;
use serde::{Deserialize, Serialize};

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
    /// Scored only when `frameworks:` or `--framework` names it.
    pub opt_in: bool,
    /// The baselines a configuration may select (e.g. NIST SP 800-53B `low`, `moderate`).
    pub baselines: Vec<String>,
    /// The ids of an earlier edition, each with the requirements it corresponds to.
    pub earlier: Option<EarlierEdition>,
}

/// The numbering of an earlier edition of a framework (ISO/IEC 27001:2013 beside 2022), so that
/// an earlier id named in a mapping, an exclusion or a report is understood as its current
/// requirements.
#[derive(Debug, Clone)]
pub struct EarlierEdition {
    pub name: String,
    pub version: Option<String>,
    pub ids: Vec<EarlierId>,
    /// The file the ids were read from.
    pub file: String,
}

/// One id of an earlier edition and the current requirement ids it corresponds to.
#[derive(Debug, Clone)]
pub struct EarlierId {
    pub id: String,
    pub now: Vec<String>,
    /// Where the id was listed, for diagnostics.
    pub position: Option<Position>,
}

/// One requirement and the ids of its controls.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub id: String,
    pub title: String,
    pub controls: Vec<String>,
    /// Why the requirement is not applicable by default (only meaningful without controls).
    pub not_applicable: Option<String>,
    /// Where each control id was named, for diagnostics.
    pub control_sites: Vec<(String, Option<Position>)>,
    /// The organisation's decision to exclude the requirement from scope.
    pub exclusion: Option<Exclusion>,
    /// The framework baselines the requirement belongs to.
    pub baselines: Vec<String>,
    /// It applies only to service providers (PCI DSS).
    pub service_provider: bool,
    /// The regulation's designation, e.g. HIPAA `Required` or `Addressable`.
    pub designation: Option<String>,
}

/// A SOC 2 Trust Services category: Security is always in scope, the others by choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Soc2Category {
    Security,
    Availability,
    Confidentiality,
    ProcessingIntegrity,
    Privacy,
}

impl Soc2Category {
    /// The category of a criterion by its series: CC, A, C, PI, P.
    pub fn of(criterion: &str) -> Soc2Category {
        let series = criterion.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        match series {
            "A" => Soc2Category::Availability,
            "C" => Soc2Category::Confidentiality,
            "PI" => Soc2Category::ProcessingIntegrity,
            "P" => Soc2Category::Privacy,
            _ => Soc2Category::Security,
        }
    }
}

/// An organisation-level exclusion of requirements from scope (ISO/IEC 27001 6.1.3 d), e.g. a
/// fully remote company excluding the physical controls A.7.1–A.7.4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub framework: String,
    pub requirements: Vec<String>,
    /// Why the requirements do not apply.
    pub reason: String,
    /// Who approved the exclusion.
    pub approved_by: String,
    /// When it was approved, `YYYY-MM-DD`.
    pub date: String,
}

/// One entry of `frameworks:` in assay.yaml: a framework id, or an id with the part of the
/// framework chosen (`{id: nist-800-53, baseline: moderate}`, `{id: pci-dss, service_provider: false}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum FrameworkChoice {
    Id(String),
    Selection(FrameworkSelection),
}

/// A framework with the part of it in scope.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameworkSelection {
    pub id: String,
    /// Keep only the requirements of this baseline.
    pub baseline: Option<String>,
    /// `false` leaves out the requirements that apply only to service providers.
    pub service_provider: Option<bool>,
}

impl FrameworkChoice {
    pub fn id(&self) -> &str {
        match self {
            FrameworkChoice::Id(id) => id,
            FrameworkChoice::Selection(s) => &s.id,
        }
    }
}

/// `nist-800-53 (baseline moderate)`, `pci-dss (no service-provider requirements)`, or the id.
impl std::fmt::Display for FrameworkChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())?;
        if let FrameworkChoice::Selection(s) = self {
            if let Some(baseline) = &s.baseline {
                write!(f, " (baseline {baseline})")?;
            }
            if s.service_provider == Some(false) {
                f.write_str(" (no service-provider requirements)")?;
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    framework: String,
    name: Option<String>,
    version: Option<String>,
    source: Option<String>,
    /// Read where the catalog is loaded: the file declares a framework of its own.
    #[serde(default, rename = "new_framework")]
    _new_framework: bool,
    #[serde(default)]
    opt_in: bool,
    #[serde(default)]
    baselines: Vec<String>,
    #[serde(default)]
    requirements: Vec<RequirementEntry>,
    earlier_edition: Option<EarlierEditionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EarlierEditionEntry {
    name: String,
    version: Option<String>,
    ids: Vec<EarlierIdEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EarlierIdEntry {
    id: String,
    now: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequirementEntry {
    id: String,
    title: Option<String>,
    #[serde(default)]
    controls: Vec<String>,
    not_applicable: Option<String>,
    #[serde(default)]
    baselines: Vec<String>,
    #[serde(default)]
    service_provider: bool,
    designation: Option<String>,
    /// Read where the catalog is loaded: the requirement is added to a built-in framework.
    #[serde(default, rename = "new")]
    _new: bool,
}

/// How a requirement is evidenced, judged from the catalog alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// At least one automated control evidences it.
    Automated,
    /// Only attestations (statements by people) evidence it.
    Attested,
    /// No control, and the mapping says why it does not apply by default.
    NotApplicable,
    /// No control and no reason: a gap in the catalog.
    Unmapped,
}

impl Coverage {
    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Automated => "automated",
            Coverage::Attested => "attested",
            Coverage::NotApplicable => "not_applicable",
            Coverage::Unmapped => "unmapped",
        }
    }
}

/// How many requirements of a framework are evidenced which way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageCounts {
    pub requirements: usize,
    pub automated: usize,
    pub attested: usize,
    pub not_applicable: usize,
    pub unmapped: usize,
}

impl CoverageCounts {
    /// Adds one requirement evidenced as `coverage`.
    pub fn add(&mut self, coverage: Coverage) {
        self.requirements += 1;
        match coverage {
            Coverage::Automated => self.automated += 1,
            Coverage::Attested => self.attested += 1,
            Coverage::NotApplicable => self.not_applicable += 1,
            Coverage::Unmapped => self.unmapped += 1,
        }
    }

    /// Percent of the applicable requirements evidenced by at least one control.
    pub fn percent(&self) -> f64 {
        let applicable = self.requirements - self.not_applicable;
        if applicable == 0 {
            return 0.0;
        }
        crate::score::round(100.0 * (self.automated + self.attested) as f64 / applicable as f64)
    }
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
                not_applicable: r.not_applicable,
                exclusion: None,
                baselines: r.baselines,
                service_provider: r.service_provider,
                designation: r.designation,
            })
            .collect();
        let earlier = file.earlier_edition.map(|e| EarlierEdition {
            name: e.name,
            version: e.version,
            ids: e
                .ids
                .into_iter()
                .enumerate()
                .map(|(i, entry)| EarlierId {
                    position: doc.lines.position(&format!("/earlier_edition/ids/{i}/id")),
                    id: entry.id,
                    now: entry.now,
                })
                .collect(),
            file: doc.file.clone(),
        });
        Ok(Framework {
            name: file.name.unwrap_or_else(|| file.framework.clone()),
            id: file.framework,
            version: file.version,
            source: file.source,
            requirements,
            files: vec![doc.file.clone()],
            opt_in: file.opt_in,
            baselines: file.baselines,
            earlier,
        })
    }

    /// The current requirement ids an earlier edition's `id` corresponds to (empty when it is
    /// not an earlier id).
    pub fn now_ids(&self, id: &str) -> &[String] {
        self.earlier
            .as_ref()
            .and_then(|e| e.ids.iter().find(|x| x.id == id))
            .map_or(&[], |x| x.now.as_slice())
    }

    /// The earlier edition's ids that correspond to the requirement `id`, in their order.
    pub fn earlier_ids(&self, id: &str) -> Vec<&str> {
        self.earlier.as_ref().map_or_else(Vec::new, |e| {
            e.ids
                .iter()
                .filter(|x| x.now.iter().any(|n| n == id))
                .map(|x| x.id.as_str())
                .collect()
        })
    }

    /// `id` if it is a requirement, else the requirements an earlier id corresponds to.
    pub fn resolve(&self, id: &str) -> Vec<String> {
        if self.requirements.iter().any(|r| r.id == id) {
            vec![id.to_string()]
        } else {
            self.now_ids(id).to_vec()
        }
    }

    /// Adds the requirements and control links of `other` (same framework id) to this one.
    pub fn extend(&mut self, other: Framework) {
        if self.requirements.is_empty() && !other.requirements.is_empty() {
            // What was read so far lists an earlier edition's ids only: the file with the
            // requirements names the framework.
            self.name = other.name;
            self.version = other.version;
            self.source = other.source;
        }
        for req in other.requirements {
            match self.requirements.iter_mut().find(|r| r.id == req.id) {
                Some(existing) => {
                    if req.not_applicable.is_some() {
                        existing.not_applicable = req.not_applicable;
                    }
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
        match (&mut self.earlier, other.earlier) {
            (Some(mine), Some(theirs)) => mine.ids.extend(theirs.ids),
            (mine @ None, theirs) => *mine = theirs,
            (Some(_), None) => {}
        }
    }
}
