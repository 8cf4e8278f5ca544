//! `assay waivers lint`: a waivers file checked against the catalog and the calendar.

use jiff::civil::Date;
use jiff::ToSpan;

use super::file::WaiverFile;
use crate::catalog::Catalog;
use crate::diag::{did_you_mean, Diagnostic};

/// Problems found in a waivers file: errors fail the lint, warnings are printed.
#[derive(Debug, Default)]
pub struct Lint {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// Checks every waiver of `file`: its control must exist in `catalog`, it must not have
/// expired by `today`, and one that expires within `warn_days` days is a warning.
pub fn lint(file: &WaiverFile, catalog: &Catalog, today: Date, warn_days: i64) -> Lint {
    let mut out = Lint::default();
    let horizon = today.checked_add(warn_days.days()).unwrap_or(Date::MAX);
    let ids: Vec<&str> = catalog.controls.iter().map(|c| c.id.as_str()).collect();
    for w in &file.waivers {
        if catalog.control(&w.control).is_none() {
            let d = file
                .source
                .diagnostic(
                    &w.pointer("control"),
                    format!("waiver names unknown control `{}`", w.control),
                )
                .expected("the id of a control in the catalog");
            out.errors.push(match did_you_mean(&w.control, ids.iter().copied()) {
                Some(close) => d.hint(format!("did you mean `{close}`?")),
                None => d.hint("list the catalog with `assay controls list`, or add the catalog that defines it with --controls"),
            });
        }
        let Some(expires) = w.expires else {
            out.warnings.push(
                file.source
                    .diagnostic(
                        &w.pointer("control"),
                        format!("waiver of `{}` never expires", w.control),
                    )
                    .hint("add `expires: YYYY-MM-DD` so that the exception is reviewed again"),
            );
            continue;
        };
        let at = w.pointer("expires");
        if expires < today {
            out.errors.push(
                file.source
                    .diagnostic(
                        &at,
                        format!("waiver of `{}` expired on {expires}", w.control),
                    )
                    .hint(
                        "renew it with a new approval and date, or remove it and fix the findings",
                    ),
            );
        } else if expires <= horizon {
            let days = (expires - today).get_days();
            out.warnings.push(
                file.source
                    .diagnostic(
                        &at,
                        format!(
                            "waiver of `{}` expires on {expires}, in {days} day{}",
                            w.control,
                            if days == 1 { "" } else { "s" }
                        ),
                    )
                    .hint("plan the fix or the renewal before it lapses"),
            );
        }
    }
    out
}
