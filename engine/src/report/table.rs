//! A table of text cells, written as CSV and as an XLSX workbook from the same rows, so the
//! spreadsheet an auditor opens holds exactly what the CSV holds.

use std::borrow::Cow;

use rust_xlsxwriter::{DocProperties, Format, Workbook, XlsxError};

/// Widest a column is set to, in characters; longer cells wrap.
const MAX_WIDTH: usize = 80;

/// A header row and the rows under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The worksheet's name (at most 31 characters, as Excel requires).
    pub sheet: &'static str,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The table as CSV. Cells a spreadsheet would run as a formula are neutralised (see
    /// [`cell`]).
    pub fn to_csv(&self) -> String {
        let mut out = ::csv::Writer::from_writer(Vec::new());
        out.write_record(&self.header)
            .expect("writing to memory cannot fail");
        for row in &self.rows {
            out.write_record(
                row.iter()
                    .map(|c| cell(c))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|c| c.as_bytes()),
            )
            .expect("writing to memory cannot fail");
        }
        let bytes = out.into_inner().expect("flushing to memory cannot fail");
        String::from_utf8(bytes).expect("every field is UTF-8")
    }
}

/// A workbook with one worksheet per table: a bold, frozen header row with a filter, columns
/// sized to their content. Every cell is written as text, so nothing in it is ever evaluated.
/// `created` (RFC 3339, the scan's time) is the workbook's creation date, so the same results
/// give the same bytes.
pub fn workbook(tables: &[&Table], created: &str) -> Result<Vec<u8>, String> {
    build(tables, created).map_err(|e| format!("cannot write the workbook: {e}"))
}

fn build(tables: &[&Table], created: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let mut properties = DocProperties::new().set_author("assay");
    if let Ok(at) = created.parse::<jiff::Timestamp>() {
        let utc = at.to_zoned(jiff::tz::TimeZone::UTC).datetime();
        properties = properties.set_creation_datetime(&utc);
    }
    book.set_properties(&properties);
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(table.sheet)?;
        for (col, name) in table.header.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, *name, &bold)?;
        }
        let mut widths: Vec<usize> = table.header.iter().map(|h| h.chars().count()).collect();
        for (r, row) in table.rows.iter().enumerate() {
            for (col, text) in row.iter().enumerate() {
                let chars = text.chars().count();
                if col < widths.len() {
                    widths[col] = widths[col].max(chars.min(MAX_WIDTH));
                }
                let at = (r + 1) as u32;
                if chars > MAX_WIDTH {
                    sheet.write_string_with_format(at, col as u16, text, &wrap)?;
                } else {
                    sheet.write_string(at, col as u16, text)?;
                }
            }
        }
        for (col, width) in widths.iter().enumerate() {
            sheet.set_column_width(col as u16, (*width + 2) as f64)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        let last_col = table.header.len().saturating_sub(1) as u16;
        sheet.autofilter(0, 0, table.rows.len() as u32, last_col)?;
    }
    book.save_to_buffer()
}

/// A cell a spreadsheet will not run: one starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return gets a leading `'`, as OWASP recommends against CSV injection.
pub fn cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn sample() -> Table {
        Table {
            sheet: "Findings",
            header: vec!["control", "message"],
            rows: vec![
                vec!["a".into(), "=1+1".into()],
                vec!["b".into(), "x".repeat(200)],
            ],
        }
    }

    #[test]
    fn csv_has_the_header_and_every_row() {
        let csv = sample().to_csv();
        assert!(csv.starts_with("control,message\na,'=1+1\nb,xxx"));
    }

    #[test]
    fn the_workbook_is_the_same_bytes_for_the_same_input() {
        let t = sample();
        let a = workbook(&[&t], "2026-01-02T03:04:05Z").unwrap();
        let b = workbook(&[&t], "2026-01-02T03:04:05Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..2], b"PK", "an XLSX workbook is a zip archive");
        let c = workbook(&[&t], "2027-01-02T03:04:05Z").unwrap();
        assert_ne!(a, c, "the creation date is the scan's");
    }
}
