//! CSV: a header, then one row per finding, in the order of the results document. Cells that
//! a spreadsheet would read as a formula are neutralised (see [`cell`]).

use std::borrow::Cow;

use super::Results;

const HEADER: [&str; 8] = [
    "control",
    "severity",
    "status",
    "resource",
    "path",
    "line",
    "message",
    "frameworks",
];

/// The findings as CSV; `frameworks` holds `framework:requirement` tags separated by `;`.
pub fn render(results: &Results) -> String {
    let mut out = ::csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER)
        .expect("writing to memory cannot fail");
    for c in &results.controls {
        let frameworks: Vec<String> = c.mappings.iter().map(|m| m.tag()).collect();
        let frameworks = frameworks.join(";");
        for f in &c.findings {
            let (path, line) = f.location.as_ref().map_or(("", String::new()), |l| {
                (
                    l.path.as_str(),
                    l.line.map_or_else(String::new, |n| n.to_string()),
                )
            });
            let record = [
                c.id.as_str(),
                c.severity.as_str(),
                f.status.as_str(),
                f.resource.as_deref().unwrap_or(""),
                path,
                &line,
                &f.message,
                &frameworks,
            ];
            out.write_record(record.map(cell).iter().map(|c| c.as_bytes()))
                .expect("writing to memory cannot fail");
        }
    }
    let bytes = out.into_inner().expect("flushing to memory cannot fail");
    String::from_utf8(bytes).expect("every field is UTF-8")
}

/// A cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading `'`, as OWASP recommends against CSV injection.
fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formula_cells_are_neutralised() {
        for formula in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(cell(formula), format!("'{formula}"));
        }
        assert_eq!(cell("a=b"), "a=b");
        assert_eq!(cell(""), "");
    }
}
