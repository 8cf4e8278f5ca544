//! CSV: a header, then one row per finding, in the order of the results document. Cells that
//! a spreadsheet would read as a formula are neutralised (see [`super::table::cell`]).

use super::table::Table;
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
    findings(results).to_csv()
}

/// One row per finding, in the order of the results document.
pub fn findings(results: &Results) -> Table {
    let mut rows = Vec::new();
    for c in &results.controls {
        let frameworks: Vec<String> = c.mappings.iter().map(|m| m.tag()).collect();
        let frameworks = frameworks.join(";");
        for f in &c.findings {
            let (path, line) = f
                .location
                .as_ref()
                .map_or((String::new(), String::new()), |l| {
                    (
                        l.path.clone(),
                        l.line.map_or_else(String::new, |n| n.to_string()),
                    )
                });
            rows.push(vec![
                c.id.clone(),
                c.severity.as_str().to_string(),
                f.status.as_str().to_string(),
                f.resource.clone().unwrap_or_default(),
                path,
                line,
                f.message.clone(),
                frameworks.clone(),
            ]);
        }
    }
    Table {
        sheet: "Findings",
        header: HEADER.to_vec(),
        rows,
    }
}
