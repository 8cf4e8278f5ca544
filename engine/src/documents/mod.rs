//! The audit documents, written from a results document and the repository's declaration
//! files: the ISO/IEC 27001 Statement of Applicability, the GDPR Art. 30 records of processing
//! activities, the EU AI Act technical documentation summary and the SOC 2 control matrix, and,
//! for the frameworks the scan scored, the NIST SP 800-53 control implementation summary, the
//! HIPAA Security Rule risk-analysis evidence table, the PCI DSS requirement evidence list and
//! the GoBD Verfahrensdokumentation skeleton; and the scan report. The SoA and the SOC 2 matrix
//! are also written as CSV and XLSX tables ([`tables`]).
//!
//! Each is rendered from `templates/documents` as Markdown and as self-contained HTML (inline
//! style, no script, no request leaving the file). Inside the evidence site the HTML links to
//! the site's control, finding and evidence pages. The output depends only on its inputs: the
//! only times shown are the scan's own.

mod ai_act;
mod attribution;
mod declared;
mod matrix;
pub mod pdf;
mod records;
mod scan_report;
mod soa;
mod tables;
mod templates;
mod view;

use std::path::Path;

use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;

pub use declared::{Declaration, Declarations};

use crate::pack::evidence::EvidenceSet;
use crate::period::Period;
use crate::report::table::{self, Table};
use crate::report::Results;
use templates::Templates;
use view::{Linker, Lookup, ScanFacts};

/// The folder of the evidence site the documents are written to.
pub const SITE_DIR: &str = "documents";

/// One of the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    StatementOfApplicability,
    ProcessingRecords,
    AiTechnicalDocumentation,
    Soc2ControlMatrix,
    NistImplementationSummary,
    HipaaRiskAnalysisEvidence,
    PciRequirementEvidence,
    GobdVerfahrensdokumentation,
    ScanReport,
}

impl Kind {
    /// Every document, in the order they are listed.
    pub const ALL: [Kind; 9] = [
        Kind::StatementOfApplicability,
        Kind::ProcessingRecords,
        Kind::AiTechnicalDocumentation,
        Kind::Soc2ControlMatrix,
        Kind::NistImplementationSummary,
        Kind::HipaaRiskAnalysisEvidence,
        Kind::PciRequirementEvidence,
        Kind::GobdVerfahrensdokumentation,
        Kind::ScanReport,
    ];

    /// The framework a document of requirement-by-requirement evidence is written from.
    pub fn framework(self) -> Option<&'static str> {
        match self {
            Kind::Soc2ControlMatrix => Some("soc2"),
            Kind::NistImplementationSummary => Some("nist-800-53"),
            Kind::HipaaRiskAnalysisEvidence => Some("hipaa"),
            Kind::PciRequirementEvidence => Some("pci-dss"),
            Kind::GobdVerfahrensdokumentation => Some("gobd"),
            _ => None,
        }
    }

    /// Whether the document is written only when the scan scored its framework (the four
    /// documents of the default frameworks are always written, saying so when it did not).
    fn only_when_scored(self) -> bool {
        self.framework().is_some() && self != Kind::Soc2ControlMatrix
    }

    /// The file name without its extension, also the name of its templates.
    pub fn stem(self) -> &'static str {
        match self {
            Kind::StatementOfApplicability => "statement-of-applicability",
            Kind::ProcessingRecords => "gdpr-article-30-records",
            Kind::AiTechnicalDocumentation => "eu-ai-act-technical-documentation",
            Kind::Soc2ControlMatrix => "soc2-control-matrix",
            Kind::NistImplementationSummary => "nist-800-53-control-implementation-summary",
            Kind::HipaaRiskAnalysisEvidence => "hipaa-risk-analysis-evidence",
            Kind::PciRequirementEvidence => "pci-dss-requirement-evidence",
            Kind::GobdVerfahrensdokumentation => "gobd-verfahrensdokumentation",
            Kind::ScanReport => "scan-report",
        }
    }

    /// The template the document is rendered from: its own, or the shared one of the
    /// requirement evidence documents.
    fn template(self) -> &'static str {
        if self.only_when_scored() {
            "framework-evidence"
        } else {
            self.stem()
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::StatementOfApplicability => "ISO/IEC 27001 Statement of Applicability",
            Kind::ProcessingRecords => "GDPR Article 30 records of processing activities",
            Kind::AiTechnicalDocumentation => "EU AI Act technical documentation summary",
            Kind::Soc2ControlMatrix => "SOC 2 control matrix",
            Kind::NistImplementationSummary => "NIST SP 800-53 control implementation summary",
            Kind::HipaaRiskAnalysisEvidence => "HIPAA Security Rule risk-analysis evidence table",
            Kind::PciRequirementEvidence => "PCI DSS requirement-by-requirement evidence list",
            Kind::GobdVerfahrensdokumentation => "GoBD Verfahrensdokumentation (skeleton)",
            Kind::ScanReport => "Compliance scan report",
        }
    }

    /// What the document holds, in one line.
    pub fn summary(self) -> &'static str {
        match self {
            Kind::StatementOfApplicability => "Every Annex A control: applicable or not and why, implementation status and evidence.",
            Kind::ProcessingRecords => "The declared processing activities (Art. 30(1)) and the problems the scan found for each.",
            Kind::AiTechnicalDocumentation => "Per declared AI system: the Annex IV headings and the Art. 13 and Art. 50 transparency information, checked against the scan.",
            Kind::Soc2ControlMatrix => "Per Trust Services Criterion: controls, test performed, result and evidence files with their digests.",
            Kind::NistImplementationSummary => "Per control and enhancement of the selected baseline, as a system security plan summarises it: implementation status and how it is implemented, with the evidence.",
            Kind::HipaaRiskAnalysisEvidence => "Per standard and implementation specification (Required or Addressable): the safeguards in place, their result and evidence, for the risk analysis of 164.308(a)(1)(ii)(A).",
            Kind::PciRequirementEvidence => "Per defined requirement (service-provider ones marked): the controls tested, their result and the evidence files.",
            Kind::GobdVerfahrensdokumentation => "The procedural documentation's four parts, with the evidence found for each GoBD requirement; the prose parts are for the taxpayer to write.",
            Kind::ScanReport => "The whole scan: framework scores, unreadable sources, the controls that need action with their failing items and evidence, and every control's result.",
        }
    }

    /// Column and wording of a requirement evidence document: what a requirement is called and
    /// the paragraph that introduces the table.
    fn wording(self) -> (&'static str, &'static str) {
        match self {
            Kind::NistImplementationSummary => ("Control", "One row per control or enhancement in scope and each assay control that evidences its implementation. The implementation status is the requirement's status in this scan (implemented, partially implemented, not implemented, not applicable); the controls, tests and evidence files describe how it is implemented."),
            Kind::HipaaRiskAnalysisEvidence => ("Standard / specification", "One row per standard or implementation specification and each safeguard that evidences it. Required specifications must be implemented; for an Addressable one, the organisation documents whether it is reasonable and appropriate (164.306(d)(3)). The result and evidence columns are the input to the risk analysis of 164.308(a)(1)(ii)(A)."),
            Kind::PciRequirementEvidence => ("Requirement", "One row per defined requirement and each control tested for it; requirements that apply to service providers only are marked. Evidence names the files the findings rest on, with their sha256 digests."),
            Kind::GobdVerfahrensdokumentation => ("Anforderung", "Die Verfahrensdokumentation besteht aus der allgemeinen Beschreibung, der Anwenderdokumentation, der technischen Systemdokumentation und der Betriebsdokumentation (GoBD Rz. 151 ff.). Die folgende Tabelle belegt je GoBD-Anforderung die technischen und organisatorischen Kontrollen mit den Nachweisen dieses Scans; die beschreibenden Teile ergänzt der Steuerpflichtige."),
            _ => ("Requirement", ""),
        }
    }
}

/// A rendered document.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub kind: Kind,
    pub markdown: String,
    pub html: String,
    /// The document as a table (the SoA and the SOC 2 matrix), written as CSV and XLSX.
    pub table: Option<Table>,
}

/// What the documents are written from.
pub struct DocumentInput<'a> {
    pub results: &'a Results,
    pub declarations: &'a Declarations,
    /// The evidence kept by the site, when the documents are rendered into it (their HTML then
    /// links to the site's pages).
    pub site: Option<&'a EvidenceSet>,
    /// An observation period: the SOC 2 matrix then has a section on it.
    pub period: Option<&'a Period>,
}

/// Where a declaration file was read from, or why it could not be.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// `found`, `absent` or `invalid`.
    pub state: &'static str,
    pub path: Option<String>,
    pub digest: Option<String>,
    /// Where an absent file was looked for.
    pub looked_for: Vec<String>,
    /// Why an invalid file could not be used.
    pub problems: Vec<String>,
}

impl Source {
    fn of<T>(d: &Declaration<T>) -> Source {
        match d {
            Declaration::Found(found) => Source {
                state: "found",
                path: Some(found.path.clone()),
                digest: Some(found.digest.clone()),
                looked_for: Vec::new(),
                problems: Vec::new(),
            },
            Declaration::Absent { looked_for } => Source {
                state: "absent",
                path: None,
                digest: None,
                looked_for: looked_for.clone(),
                problems: Vec::new(),
            },
            Declaration::Invalid { path, problems } => Source {
                state: "invalid",
                path: Some(path.clone()),
                digest: None,
                looked_for: Vec::new(),
                problems: problems.clone(),
            },
        }
    }
}

/// Renders the documents, in [`Kind::ALL`] order: the four of the default frameworks always,
/// the others when the scan scored their framework.
pub fn render(input: &DocumentInput<'_>) -> Result<Vec<Rendered>, String> {
    let templates = Templates::builtin()?;
    let lookup = Lookup::new(input.results, Linker::new(input.site));
    let scan = ScanFacts::of(input.results);
    let home = lookup.links.home();
    Kind::ALL
        .into_iter()
        .filter(|kind| {
            !kind.only_when_scored()
                || kind
                    .framework()
                    .is_some_and(|f| lookup.framework(f).is_some())
        })
        .map(|kind| render_kind(kind, input, &templates, &lookup, &scan, &home))
        .collect()
}

/// Renders one document.
fn render_kind(
    kind: Kind,
    input: &DocumentInput<'_>,
    templates: &Templates,
    lookup: &Lookup<'_>,
    scan: &ScanFacts,
    home: &Option<String>,
) -> Result<Rendered, String> {
    let mut table = None;
    let doc = match kind {
        Kind::StatementOfApplicability => {
            let soa = soa::build(lookup);
            table = Some(tables::soa(&soa));
            Value::from(Serde(soa))
        }
        Kind::ScanReport => Value::from(Serde(scan_report::build(lookup))),
        Kind::ProcessingRecords => {
            Value::from(Serde(records::build(lookup, &input.declarations.privacy)))
        }
        Kind::AiTechnicalDocumentation => {
            Value::from(Serde(ai_act::build(lookup, &input.declarations.ai)))
        }
        Kind::Soc2ControlMatrix => {
            let matrix = matrix::build(lookup, "soc2");
            table = Some(tables::matrix(&matrix));
            Value::from(Serde(matrix))
        }
        Kind::NistImplementationSummary
        | Kind::HipaaRiskAnalysisEvidence
        | Kind::PciRequirementEvidence
        | Kind::GobdVerfahrensdokumentation => Value::from(Serde(matrix::build(
            lookup,
            kind.framework().unwrap_or_default(),
        ))),
    };
    let (requirement, intro) = kind.wording();
    // The period of the controls the matrix lists.
    let period = match (kind, input.period, lookup.framework("soc2")) {
        (Kind::Soc2ControlMatrix, Some(p), Some(f)) => Some(p.only(|id| {
            f.requirements
                .iter()
                .any(|r| r.controls.iter().any(|c| c == id))
        })),
        _ => None,
    };
    let ctx = context! {
        title => kind.title(),
        requirement => requirement,
        intro => intro,
        gobd => kind == Kind::GobdVerfahrensdokumentation,
        scan => Value::from(Serde(scan)),
        home => home.clone(),
        org => Value::from(Serde(&input.declarations.organization)),
        doc => doc,
        period => Value::from(Serde(period)),
    };
    Ok(Rendered {
        kind,
        markdown: tidy(&templates.render(&format!("{}.md", kind.template()), ctx.clone())?),
        html: templates.render(&format!("{}.html", kind.template()), ctx)?,
        table,
    })
}

/// The observation period report as Markdown and as self-contained HTML; `site`: the evidence
/// kept by the site it is written into (`documents/`), whose overview it then links to.
pub fn render_period(
    period: &Period,
    site: Option<&EvidenceSet>,
) -> Result<(String, String), String> {
    let templates = Templates::builtin()?;
    let ctx = context! {
        title => format!("Observation period {} to {}", period.from, period.to),
        tool => "assay",
        version => env!("CARGO_PKG_VERSION"),
        home => Linker::new(site).home(),
        p => Value::from(Serde(period)),
    };
    Ok((
        tidy(&templates.render("period.md", ctx.clone())?),
        templates.render("period.html", ctx)?,
    ))
}

/// Markdown with at most one blank line between blocks, no trailing spaces and one final
/// newline: what the templates leave between optional blocks, tidied.
fn tidy(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut blank = true;
    for line in markdown.lines().map(str::trim_end) {
        if line.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    if out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// Writes each document as `STEM.md` and `STEM.html` into `out` (created if needed), the
/// tabular ones also as `STEM.csv` and `STEM.xlsx` (dated `created`, the scan's time), and
/// each as `STEM.pdf` printed by `chromium` when given; returns the file names written.
pub fn write(
    documents: &[Rendered],
    out: &Path,
    created: &str,
    chromium: Option<&Path>,
) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create `{}`: {e}", out.display()))?;
    let mut written = Vec::new();
    for d in documents {
        for (ext, text) in [("md", &d.markdown), ("html", &d.html)] {
            let name = format!("{}.{ext}", d.kind.stem());
            let path = out.join(&name);
            std::fs::write(&path, text)
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
            written.push(name);
        }
        if let Some(t) = &d.table {
            let workbook = table::workbook(&[t], created)?;
            for (ext, bytes) in [("csv", t.to_csv().into_bytes()), ("xlsx", workbook)] {
                let name = format!("{}.{ext}", d.kind.stem());
                let path = out.join(&name);
                std::fs::write(&path, bytes)
                    .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
                written.push(name);
            }
        }
        if let Some(chromium) = chromium {
            let name = format!("{}.pdf", d.kind.stem());
            let html = out.join(format!("{}.html", d.kind.stem()));
            pdf::print(chromium, &html, &out.join(&name))?;
            written.push(name);
        }
    }
    Ok(written)
}

/// Prints the scan report of `results` to the PDF file `pdf` with `chromium`.
pub fn print_scan_report(results: &Results, chromium: &Path, pdf: &Path) -> Result<(), String> {
    let templates = Templates::builtin()?;
    let lookup = Lookup::new(results, Linker::new(None));
    let declarations = Declarations::none();
    let input = DocumentInput {
        results,
        declarations: &declarations,
        site: None,
        period: None,
    };
    let report = render_kind(
        Kind::ScanReport,
        &input,
        &templates,
        &lookup,
        &ScanFacts::of(results),
        &None,
    )?;
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let html = dir.path().join("scan-report.html");
    std::fs::write(&html, &report.html)
        .map_err(|e| format!("cannot write `{}`: {e}", html.display()))?;
    pdf::print(chromium, &html, pdf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_one_blank_line_between_blocks() {
        assert_eq!(
            tidy("\n# T  \n\n\n\npara\n| a |\n\n\n"),
            "# T\n\npara\n| a |\n"
        );
    }
}
