//! The exports auditors work in: XLSX workbooks holding the same rows as their CSV (findings,
//! Statement of Applicability, SOC 2 matrix), and the scan report printed to PDF.

use crate::common;

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Reader, Xlsx};
use common::{assay, exited, fixture};

fn sample() -> PathBuf {
    fixture("sample-repo")
}

/// The rows of the CSV file, header first, with the `'` that neutralises a formula-like cell
/// taken off again (the workbook writes every cell as text, so it needs none).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|c| match c.strip_prefix('\'') {
                    Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
                        rest.to_string()
                    }
                    _ => c.to_string(),
                })
                .collect()
        })
        .collect()
}

/// The rows of the workbook's only worksheet, named `sheet`.
fn xlsx_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    assert_eq!(book.sheet_names(), vec![sheet.to_string()]);
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn scan_into(dir: &Path, formats: &str, extra: &[&str]) {
    let out = assay()
        .arg("scan")
        .arg(sample())
        .args(["--format", formats, "--output-dir"])
        .arg(dir)
        .args(extra)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        exited(&out, 1)
    );
}

#[test]
fn the_findings_workbook_holds_the_csv_rows() {
    let tmp = tempfile::tempdir().unwrap();
    scan_into(tmp.path(), "csv,xlsx", &[]);
    let csv = csv_rows(&tmp.path().join("results.csv"));
    let xlsx = xlsx_rows(&tmp.path().join("results.xlsx"), "Findings");
    assert!(csv.len() > 50, "the sample has findings: {}", csv.len());
    assert_eq!(xlsx, csv);
}

#[test]
fn the_workbook_is_the_same_bytes_whatever_the_thread_count() {
    let one = tempfile::tempdir().unwrap();
    let four = tempfile::tempdir().unwrap();
    scan_into(one.path(), "xlsx", &["--threads", "1"]);
    scan_into(four.path(), "xlsx", &["--threads", "4"]);
    assert_eq!(
        std::fs::read(one.path().join("results.xlsx")).unwrap(),
        std::fs::read(four.path().join("results.xlsx")).unwrap()
    );
}

#[test]
fn the_soa_and_the_soc2_matrix_are_workbooks_with_the_csv_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let out = assay()
        .arg("documents")
        .arg(sample())
        .arg("--out")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", exited(&out, 0));
    for (stem, sheet, rows) in [
        (
            "statement-of-applicability",
            "Statement of Applicability",
            Some(93),
        ),
        ("soc2-control-matrix", "SOC 2 control matrix", None),
    ] {
        let csv = csv_rows(&tmp.path().join(format!("{stem}.csv")));
        let xlsx = xlsx_rows(&tmp.path().join(format!("{stem}.xlsx")), sheet);
        assert_eq!(xlsx, csv, "{stem}");
        if let Some(rows) = rows {
            assert_eq!(
                csv.len(),
                rows + 1,
                "{stem}: a header and one row per Annex A control"
            );
        }
    }
    let soa = csv_rows(&tmp.path().join("statement-of-applicability.csv"));
    assert_eq!(soa[1][0], "A.5.1");
    assert_eq!(soa[93][0], "A.8.34");
    let matrix = csv_rows(&tmp.path().join("soc2-control-matrix.csv"));
    assert!(matrix.iter().any(|r| r[0] == "CC6.1" && !r[4].is_empty()));
}

#[test]
fn binary_formats_need_a_file() {
    for format in ["xlsx", "pdf"] {
        let out = assay()
            .arg("scan")
            .arg(sample())
            .args(["--format", format])
            .env("CHROMIUM", "/bin/true")
            .output()
            .unwrap();
        let stderr = exited(&out, 2);
        assert!(stderr.contains("binary format"), "{format}: {stderr}");
    }
}

/// `--format pdf` prints the scan report: the text `pdftotext` extracts lists the controls that
/// need action in the order of the report (most severe first). Needs Chromium and pdftotext:
/// skipped without them, failing under CI.
#[test]
fn the_scan_report_prints_to_pdf() {
    if !crate::cdp::can_print_pdf() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    scan_into(tmp.path(), "json,pdf", &[]);
    let pdf = tmp.path().join("results.pdf");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let out = std::process::Command::new("pdftotext")
        .arg("-raw")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text: String = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect();
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("results.json")).unwrap()).unwrap();
    let rank = |s: &str| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|x| *x == s)
    };
    let mut action: Vec<(usize, String)> = results["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            matches!(
                c["status"].as_str(),
                Some("not_implemented" | "partial" | "error" | "not_assessed")
            )
        })
        .map(|c| {
            (
                rank(c["severity"].as_str().unwrap()).unwrap(),
                c["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    action.sort();
    assert!(action.len() > 10, "the sample has controls to fix");
    let start = text
        .find("Controlsthatneedaction")
        .expect("the action section");
    let mut at = start;
    for (_, id) in &action {
        let found = text[at..]
            .find(id.as_str())
            .unwrap_or_else(|| panic!("{id} missing or out of order"));
        at += found + id.len();
    }
}
