//! The audit documents, written from a results document and the repository's declaration
//! files: the ISO/IEC 27001 Statement of Applicability, the GDPR Art. 30 records of processing
//! activities, the EU AI Act technical documentation summary and the SOC 2 control matrix.
//!
//! Each is rendered from `templates/documents` as Markdown and as self-contained HTML (inline
//! style, no script, no request leaving the file). Inside the evidence site the HTML links to
//! the site's control, finding and evidence pages. The output depends only on its inputs: the
//! only times shown are the scan's own.

mod ai_act;
mod attribution;
mod declared;
mod records;
mod soa;
mod soc2;
mod templates;
mod view;

use std::path::Path;

use minijinja::context;
use minijinja::value::{Serde, Value};
use serde::Serialize;

pub use declared::{Declaration, Declarations};

use crate::pack::evidence::EvidenceSet;
use crate::report::Results;
use templates::Templates;
use view::{Linker, Lookup, ScanFacts};

/// The folder of the evidence site the documents are written to.
pub const SITE_DIR: &str = "documents";

/// One of the four documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    StatementOfApplicability,
    ProcessingRecords,
    AiTechnicalDocumentation,
    Soc2ControlMatrix,
}

impl Kind {
    /// Every document, in the order they are listed.
    pub const ALL: [Kind; 4] = [
        Kind::StatementOfApplicability,
        Kind::ProcessingRecords,
        Kind::AiTechnicalDocumentation,
        Kind::Soc2ControlMatrix,
    ];

    /// The file name without its extension, also the name of its templates.
    pub fn stem(self) -> &'static str {
        match self {
            Kind::StatementOfApplicability => "statement-of-applicability",
            Kind::ProcessingRecords => "gdpr-article-30-records",
            Kind::AiTechnicalDocumentation => "eu-ai-act-technical-documentation",
            Kind::Soc2ControlMatrix => "soc2-control-matrix",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::StatementOfApplicability => "ISO/IEC 27001 Statement of Applicability",
            Kind::ProcessingRecords => "GDPR Article 30 records of processing activities",
            Kind::AiTechnicalDocumentation => "EU AI Act technical documentation summary",
            Kind::Soc2ControlMatrix => "SOC 2 control matrix",
        }
    }

    /// What the document holds, in one line.
    pub fn summary(self) -> &'static str {
        match self {
            Kind::StatementOfApplicability => "Every Annex A control: applicable or not and why, implementation status and evidence.",
            Kind::ProcessingRecords => "The declared processing activities (Art. 30(1)) and the problems the scan found for each.",
            Kind::AiTechnicalDocumentation => "Per declared AI system: the Annex IV headings and the Art. 13 and Art. 50 transparency information, checked against the scan.",
            Kind::Soc2ControlMatrix => "Per Trust Services Criterion: controls, test performed, result and evidence files with their digests.",
        }
    }
}

/// A rendered document.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub kind: Kind,
    pub markdown: String,
    pub html: String,
}

/// What the documents are written from.
pub struct DocumentInput<'a> {
    pub results: &'a Results,
    pub declarations: &'a Declarations,
    /// The evidence kept by the site, when the documents are rendered into it (their HTML then
    /// links to the site's pages).
    pub site: Option<&'a EvidenceSet>,
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

/// Renders the four documents, in [`Kind::ALL`] order.
pub fn render(input: &DocumentInput<'_>) -> Result<Vec<Rendered>, String> {
    let templates = Templates::builtin()?;
    let lookup = Lookup::new(input.results, Linker::new(input.site));
    let scan = ScanFacts::of(input.results);
    let home = lookup.links.home();
    Kind::ALL
        .into_iter()
        .map(|kind| {
            let doc = match kind {
                Kind::StatementOfApplicability => Value::from(Serde(soa::build(&lookup))),
                Kind::ProcessingRecords => {
                    Value::from(Serde(records::build(&lookup, &input.declarations.privacy)))
                }
                Kind::AiTechnicalDocumentation => {
                    Value::from(Serde(ai_act::build(&lookup, &input.declarations.ai)))
                }
                Kind::Soc2ControlMatrix => Value::from(Serde(soc2::build(&lookup))),
            };
            let ctx = context! {
                title => kind.title(),
                scan => Value::from(Serde(&scan)),
                home => home.clone(),
                org => Value::from(Serde(&input.declarations.organization)),
                doc => doc,
            };
            Ok(Rendered {
                kind,
                markdown: tidy(&templates.render(&format!("{}.md", kind.stem()), ctx.clone())?),
                html: templates.render(&format!("{}.html", kind.stem()), ctx)?,
            })
        })
        .collect()
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

/// Writes each document as `STEM.md` and `STEM.html` into `out` (created if needed) and
/// returns the file names written.
pub fn write(documents: &[Rendered], out: &Path) -> Result<Vec<String>, String> {
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
    }
    Ok(written)
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
