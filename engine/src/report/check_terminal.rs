//! The terminal view of `assay check`: only what is new against the base, each new failure
//! with file:line and its control's fix, then score drops, fixes and errors in changed files.

use std::fmt::Write;

use super::check::CheckMode;
use super::terminal::{self, paint, visible, write_errors, AMBER, BOLD, DIM, GREEN, RED};
use super::Results;
use crate::model::{Finding, FindingStatus};

/// `path:line` of a finding (empty when it has no location).
fn place(f: &Finding) -> String {
    f.location
        .as_ref()
        .map_or_else(String::new, |l| terminal::place(&l.path, l.line))
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Renders the check; `gate` holds the reasons it fails (empty: passed). Results without a
/// `check` section render as an empty comparison.
pub fn render(results: &Results, gate: &[String]) -> String {
    let mut out = String::new();
    let Some(check) = &results.check else {
        return out;
    };
    let against = match (check.mode, &check.base_commit) {
        (CheckMode::Base, Some(commit)) => {
            format!(
                "base {} ({})",
                visible(&check.base),
                commit.get(..12).unwrap_or(commit)
            )
        }
        _ => format!("baseline {}", visible(&check.base)),
    };
    let changed = match check.mode {
        CheckMode::Base => format!("{} · ", plural(check.changed_paths.len(), "changed path")),
        CheckMode::Baseline => String::new(),
    };
    let _ = writeln!(
        out,
        "{} check · {against} · {changed}{} of {} controls evaluated (cache {})",
        paint(BOLD, "assay"),
        check.evaluated_controls.len(),
        check.evaluated_controls.len() + check.skipped_controls.len(),
        check.cache.as_str(),
    );

    let mut controls: Vec<_> = results
        .controls
        .iter()
        .filter(|c| c.failed + c.errors > 0)
        .collect();
    controls.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
    if controls.is_empty() {
        let _ = writeln!(out, "\n{}", paint(GREEN, "No new failures"));
    } else {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                BOLD,
                &format!("New failures ({})", check.new_failures.len())
            )
        );
    }
    for c in controls {
        let _ = writeln!(
            out,
            "\n  {} {:8} {}  {}",
            paint(RED, "✗"),
            paint(BOLD, &c.severity.as_str().to_uppercase()),
            paint(BOLD, &visible(&c.id)),
            visible(&c.title)
        );
        for f in c
            .findings
            .iter()
            .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
        {
            let _ = writeln!(
                out,
                "      {}  {}",
                paint(BOLD, &place(f)),
                visible(&f.message)
            );
        }
        let _ = writeln!(
            out,
            "      {} {}",
            paint(GREEN, "fix:"),
            visible(&c.remediation)
        );
    }
    let waived: Vec<_> = results
        .controls
        .iter()
        .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
        .filter(|(_, f)| f.status == FindingStatus::Waived)
        .collect();
    if !waived.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(BOLD, &format!("Newly waived ({})", waived.len()))
        );
        for (c, f) in waived {
            let _ = writeln!(
                out,
                "  {} {}  {}  {}",
                paint(DIM, "~"),
                visible(&c.id),
                place(f),
                visible(&f.message)
            );
        }
    }
    if !check.score_drops.is_empty() {
        let _ = writeln!(out, "\n{}", paint(BOLD, "Score drops"));
        for d in &check.score_drops {
            let style = if d.drop > check.max_score_drop {
                RED
            } else {
                AMBER
            };
            let _ = writeln!(
                out,
                "  {} {}  {:.1}% → {:.1}%  ({:.1} points)",
                paint(style, "▼"),
                visible(&d.framework),
                d.base,
                d.head,
                d.drop
            );
        }
    }
    if !check.fixed.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                GREEN,
                &format!("Fixed: {}", plural(check.fixed.len(), "failure"))
            )
        );
    }
    write_errors(&mut out, results);
    let _ = writeln!(out);
    if gate.is_empty() {
        let _ = writeln!(out, "{}", paint(GREEN, "Result: passed"));
    } else {
        let _ = writeln!(out, "{}", paint(RED, "Result: failed"));
        for reason in gate {
            let _ = writeln!(out, "  - {}", visible(reason));
        }
    }
    out
}
