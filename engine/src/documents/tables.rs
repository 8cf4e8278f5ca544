//! The Statement of Applicability and the SOC 2 control matrix as tables: one row per Annex A
//! control, one row per (criterion, control). `assay documents` writes them as CSV and XLSX,
//! the forms auditors sample from.

use super::matrix::Matrix;
use super::soa::Soa;
use crate::report::table::Table;

/// One row per Annex A control, in the order of the standard.
pub fn soa(soa: &Soa) -> Table {
    let rows = soa
        .themes
        .iter()
        .flat_map(|t| t.rows.iter().map(move |r| (t, r)))
        .map(|(theme, r)| {
            vec![
                r.id.clone(),
                r.title.clone(),
                theme.name.clone(),
                if r.applicable { "yes" } else { "no" }.to_string(),
                r.justification.clone().unwrap_or_default(),
                r.status.label.to_string(),
                r.score.clone(),
                r.evidenced.to_string(),
                r.controls
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
                r.earlier_ids.join("; "),
            ]
        })
        .collect();
    Table {
        sheet: "Statement of Applicability",
        header: vec![
            "control",
            "title",
            "theme",
            "applicable",
            "justification",
            "status",
            "score",
            "evidenced",
            "assay controls",
            "ISO 27001:2013 ids",
        ],
        rows,
    }
}

/// One row per criterion and control that evidences it; a criterion no control evidences has
/// one row saying so.
pub fn matrix(matrix: &Matrix) -> Table {
    let mut rows = Vec::new();
    for c in &matrix.criteria {
        let head = [
            c.id.clone(),
            c.title.clone(),
            c.status.label.to_string(),
            c.score.clone(),
        ];
        if c.controls.is_empty() {
            let mut row = head.to_vec();
            row.extend([
                String::new(),
                c.gap.clone().unwrap_or_default(),
                String::new(),
                String::new(),
            ]);
            rows.push(row);
        }
        for t in &c.controls {
            let mut row = head.to_vec();
            let mut evidence: Vec<String> = t
                .evidence
                .iter()
                .map(|e| match &e.path {
                    Some(path) => format!("{path} sha256:{}", e.digest),
                    None => format!("sha256:{}", e.digest),
                })
                .collect();
            if t.more_evidence > 0 {
                evidence.push(format!("{} more", t.more_evidence));
            }
            row.extend([
                t.control.id.clone(),
                t.test.clone(),
                format!(
                    "{} {} ({} passed, {} failed, {} errors, {} waived)",
                    t.control.status.label,
                    t.control.score,
                    t.counts.passed,
                    t.counts.failed,
                    t.counts.errors,
                    t.counts.waived
                ),
                evidence.join("; "),
            ]);
            rows.push(row);
        }
    }
    Table {
        sheet: "SOC 2 control matrix",
        header: vec![
            "criterion",
            "title",
            "criterion status",
            "criterion score",
            "control",
            "test performed",
            "result",
            "evidence",
        ],
        rows,
    }
}
