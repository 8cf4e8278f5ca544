//! A Markdown summary fit for a pull-request comment and a CI step summary: framework scores
//! rated 🟢 / 🟠 / 🔴, unreadable sources, failing controls with file:line and their fix, and
//! collapsed lists of warnings and waived items. Long lists collapse into `<details>`, and the
//! whole stays under [`MAX_BYTES`], with a note saying what was left out.

use std::fmt::Write;

use super::{ControlKind, ControlReport, Results};
use crate::model::{Finding, FindingStatus};
use crate::score::Rating;

/// The size limit: under the 65,536 characters of a GitHub comment, with room to spare.
pub const MAX_BYTES: usize = 60_000;
/// Items listed before the rest collapse into `<details>`.
const SHOWN: usize = 5;
/// Items listed at most per list; the rest are counted.
const LISTED: usize = 50;
/// Longest message kept, in characters.
const MESSAGE_CHARS: usize = 300;

/// Renders the summary.
pub fn render(results: &Results) -> String {
    let mut head = String::new();
    let s = &results.summary;
    let _ = writeln!(head, "## assay compliance report\n");
    let _ = writeln!(
        head,
        "**{} controls** · {} implemented · {} partial · {} not implemented · {} not assessed · {} not applicable · {} error\n",
        s.controls,
        s.implemented,
        s.partial,
        s.not_implemented,
        s.not_assessed,
        s.not_applicable,
        s.error
    );
    if !results.frameworks.is_empty() {
        let _ = writeln!(
            head,
            "| | Framework | Score | Automated | Attested | Evidenced automatically / by attestation only / not at all |"
        );
        let _ = writeln!(head, "|:-:|---|--:|--:|--:|--:|");
        let pct = |s: Option<f64>| s.map_or_else(|| "n/a".to_string(), |s| format!("{s:.1}%"));
        for f in &results.frameworks {
            let e = &f.evidenced;
            let _ = writeln!(
                head,
                "| {} | {} | {} | {} | {} | {:.1}% / {:.1}% / {:.1}% |",
                rating(f.rating),
                text(&f.name),
                pct(f.score),
                pct(f.automated_score),
                pct(f.attested_score),
                e.automated,
                e.attested_only,
                e.none
            );
        }
        let _ = writeln!(head);
    }

    let mut blocks = Vec::new();
    if !results.errors.is_empty() {
        let lines: Vec<String> = results
            .errors
            .iter()
            .map(|e| {
                let place = match (e.line, e.column) {
                    (Some(l), Some(c)) => format!("{}:{l}:{c}", e.path),
                    (Some(l), None) => format!("{}:{l}", e.path),
                    _ => e.path.clone(),
                };
                let hint = e
                    .hint
                    .as_ref()
                    .map_or_else(String::new, |h| format!(" (hint: {})", text(h)));
                format!("- {} — {}{hint}", code(&place), text(&e.message))
            })
            .collect();
        blocks.push(format!(
            "### ❗ Unreadable sources ({})\n\n{}",
            lines.len(),
            list(&lines, "more")
        ));
    }
    let mut failing: Vec<&ControlReport> = results
        .controls
        .iter()
        .filter(|c| c.kind == ControlKind::Automated && c.failed + c.errors > 0)
        .collect();
    failing.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
    if failing.is_empty() {
        blocks.push("### ✅ No failing controls\n\n".to_string());
    } else {
        blocks.push(format!("### ❌ Failing controls ({})\n\n", failing.len()));
        blocks.extend(failing.into_iter().map(failing_control));
    }
    let gaps: Vec<String> = results
        .controls
        .iter()
        .filter(|c| c.kind == ControlKind::Automated)
        .filter_map(|c| {
            let missing = c.missing_evidence.as_deref()?;
            Some(format!("- {} {}", code(&c.id), text(missing)))
        })
        .collect();
    if !gaps.is_empty() {
        blocks.push(collapsed(
            &format!("❔ Missing evidence, scored 0 ({})", gaps.len()),
            &gaps,
        ));
    }
    let unattested: Vec<String> = results
        .controls
        .iter()
        .filter(|c| c.kind == ControlKind::Attestation && c.failed + c.errors > 0)
        .flat_map(|c| {
            c.findings
                .iter()
                .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
                .map(move |f| format!("- {} {}", code(&c.id), item(f)))
        })
        .collect();
    let in_force: Vec<String> = results
        .controls
        .iter()
        .filter(|c| c.kind == ControlKind::Attestation)
        .flat_map(|c| {
            crate::signed_attestation::in_force_labels(&c.findings)
                .into_iter()
                .map(move |label| format!("- {} {}", code(&c.id), text(&label)))
        })
        .collect();
    if !in_force.is_empty() {
        blocks.push(collapsed(
            &format!("📝 Attestations in force ({})", in_force.len()),
            &in_force,
        ));
    }
    if !unattested.is_empty() {
        blocks.push(collapsed(
            &format!("📝 Attestations missing or expired ({})", unattested.len()),
            &unattested,
        ));
    }
    for (status, title) in [
        (FindingStatus::Warn, "⚠️ Warnings"),
        (FindingStatus::Waived, "🔕 Waived"),
    ] {
        let lines: Vec<String> = results
            .controls
            .iter()
            .flat_map(|c| {
                c.findings
                    .iter()
                    .filter(move |f| f.status == status)
                    .map(move |f| format!("- {} {}", code(&c.id), item(f)))
            })
            .collect();
        if !lines.is_empty() {
            blocks.push(collapsed(&format!("{title} ({})", lines.len()), &lines));
        }
    }

    let footer = format!(
        "---\n<sub>assay {} · {} documents in {} files · catalog sha256 {}</sub>\n",
        results.tool.version,
        results.scan.documents,
        results.scan.files,
        results.scan.catalog_digest.get(..12).unwrap_or_default()
    );
    assemble(head, blocks, footer)
}

/// Puts the parts together, leaving out whole blocks from the first that would overflow.
fn assemble(head: String, blocks: Vec<String>, footer: String) -> String {
    let mut out = head;
    let total = blocks.len();
    for (i, block) in blocks.into_iter().enumerate() {
        let note = truncation_note(total - i);
        if out.len() + block.len() + note.len() + footer.len() > MAX_BYTES {
            out.push_str(&note);
            break;
        }
        out.push_str(&block);
    }
    out.push_str(&footer);
    out
}

fn truncation_note(left: usize) -> String {
    format!(
        "> **Truncated:** {left} more section(s) left out to keep this summary under {} KB; \
         the JSON or SARIF output has everything.\n\n",
        MAX_BYTES / 1000
    )
}

fn rating(r: Rating) -> &'static str {
    match r {
        Rating::Green => "🟢",
        Rating::Amber => "🟠",
        Rating::Red => "🔴",
        Rating::None => "⚪",
    }
}

fn failing_control(c: &ControlReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#### {} · {} · {}\n",
        c.severity.as_str().to_uppercase(),
        code(&c.id),
        text(&c.title)
    );
    let items = c.passed + c.failed + c.errors + c.waived;
    let mut facts = format!("{} of {items} items fail", c.failed + c.errors);
    if !c.mappings.is_empty() {
        let tags: Vec<String> = c.mappings.iter().map(|m| m.tag()).collect();
        let _ = write!(facts, " · {}", tags.join(", "));
    }
    let _ = writeln!(out, "{facts}\n");
    let lines: Vec<String> = c
        .findings
        .iter()
        .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
        .map(|f| format!("- {}", item(f)))
        .collect();
    out.push_str(&list(&lines, "more failing items"));
    let _ = writeln!(out, "**Fix:** {}\n", text(&c.remediation));
    out
}

/// `path:line` and the message of a finding; `error:` marks items that could not be judged.
fn item(f: &Finding) -> String {
    let place = f.location.as_ref().map(|l| match l.line {
        Some(line) => format!("{}:{line}", l.path),
        None => l.path.clone(),
    });
    let prefix = if f.status == FindingStatus::Error {
        "error: "
    } else {
        ""
    };
    match place {
        Some(p) => format!("{} — {prefix}{}", code(&p), text(&f.message)),
        None => format!("{prefix}{}", text(&f.message)),
    }
}

/// The first lines as a list, the rest (up to [`LISTED`]) in `<details>`.
fn list(lines: &[String], more: &str) -> String {
    let mut out = String::new();
    for line in lines.iter().take(SHOWN) {
        let _ = writeln!(out, "{line}");
    }
    out.push('\n');
    if lines.len() > SHOWN {
        out.push_str(&collapsed(
            &format!("{} {more}", lines.len() - SHOWN),
            &lines[SHOWN..],
        ));
    }
    out
}

/// Lines (up to [`LISTED`]) in a collapsed `<details>` block.
fn collapsed(summary: &str, lines: &[String]) -> String {
    let mut out = format!("<details><summary>{summary}</summary>\n\n");
    for line in lines.iter().take(LISTED) {
        let _ = writeln!(out, "{line}");
    }
    if lines.len() > LISTED {
        let _ = writeln!(out, "- … and {} more", lines.len() - LISTED);
    }
    out.push_str("\n</details>\n\n");
    out
}

/// Inline code on one line; backticks inside are swapped for a lookalike so the span stays
/// closed.
fn code(s: &str) -> String {
    format!("`{}`", spaced(s).replace('`', "ˋ"))
}

/// Control characters (line breaks included) as spaces, so user text cannot start a line.
fn spaced(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// User text on one line, shortened to [`MESSAGE_CHARS`], with HTML and Markdown syntax
/// escaped outside its `code spans` (which render literally anyway).
fn text(s: &str) -> String {
    let one_line = spaced(s);
    let short: String = if one_line.chars().count() > MESSAGE_CHARS {
        one_line.chars().take(MESSAGE_CHARS).chain(['…']).collect()
    } else {
        one_line
    };
    inline(&short, false)
}

/// One line of user text with HTML and Markdown syntax escaped outside its `code spans`,
/// which render literally anyway; in a table cell (`in_table`) a `|` is escaped inside them
/// too, as GitHub-flavoured tables require.
pub(crate) fn inline(line: &str, in_table: bool) -> String {
    let spans: Vec<&str> = line.split('`').collect();
    let mut out = String::with_capacity(line.len());
    for (i, part) in spans.iter().enumerate() {
        // Odd parts are code when a backtick closes them; an unclosed one is plain text.
        let inside = i % 2 == 1 && i + 1 < spans.len();
        if i > 0 {
            out.push_str(if i % 2 == 0 || inside { "`" } else { "\\`" });
        }
        if inside {
            if in_table {
                out.push_str(&part.replace('|', "\\|"));
            } else {
                out.push_str(part);
            }
            continue;
        }
        for c in part.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '&' => out.push_str("&amp;"),
                '\\' | '*' | '_' | '[' | ']' | '|' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_outside_code_spans_only() {
        assert_eq!(text("a <b> `x<y>` *c*"), "a &lt;b&gt; `x<y>` \\*c\\*");
        assert_eq!(text("odd ` tick <"), "odd \\` tick &lt;");
        assert_eq!(text("line\nbreak"), "line break");
        assert_eq!(
            code("a.yaml\n# heading\r\u{1b}]8;;x"),
            "`a.yaml # heading  ]8;;x`"
        );
    }

    #[test]
    fn long_text_is_shortened() {
        let long = "x".repeat(MESSAGE_CHARS + 10);
        assert_eq!(text(&long).chars().count(), MESSAGE_CHARS + 1);
    }

    #[test]
    fn blocks_past_the_limit_are_left_out_with_a_note() {
        let block = format!("{}\n", "y".repeat(10_000));
        let out = assemble(String::new(), vec![block; 10], String::new());
        assert!(out.len() <= MAX_BYTES);
        assert!(out.contains("**Truncated:** 5 more section(s)"), "{out}");
    }
}
