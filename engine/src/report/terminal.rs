//! The terminal summary: framework scores rated green / amber / red, failing controls with
//! file:line and a one-line fix, source errors and skipped files. Styles are ANSI escapes;
//! the caller writes through `anstream`, which drops them when `NO_COLOR` is set or the output
//! is not a terminal. Every user-derived string goes through [`visible`] first, so that file
//! names, values and messages cannot move the cursor, retitle the window or hide text.

use std::borrow::Cow;
use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::waivers::{WaiverReport, WaiverStatus};
use super::{ControlKind, ControlReport, Results};
use crate::model::{FindingStatus, Severity};
use crate::scan::Verdict;
use crate::score::{Implementation, Rating};

pub(super) const GREEN: Style = AnsiColor::Green.on_default();
pub(super) const AMBER: Style = AnsiColor::Yellow.on_default();
pub(super) const RED: Style = AnsiColor::Red.on_default();
pub(super) const BOLD: Style = Style::new().bold();
pub(super) const DIM: Style = Style::new().dimmed();

/// How many failing findings are listed per control before "… and N more".
const FINDINGS_PER_CONTROL: usize = 5;

/// `text` in `style`, as ANSI escapes (dropped by `anstream` where colours are off).
pub(super) fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// `text` with its control characters (C0, DEL, C1) and bidirectional overrides written as
/// visible escapes (`\x1b`, `\u{202e}`), so that they reach the terminal as text, not as
/// commands.
pub(super) fn visible(text: &str) -> Cow<'_, str> {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.contains(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !hidden(c) {
            out.push(c);
        } else if c.is_ascii() {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    Cow::Owned(out)
}

/// `path:line` (or the path alone), visible.
pub(super) fn place(path: &str, line: Option<u32>) -> String {
    match line {
        Some(line) => format!("{}:{line}", visible(path)),
        None => visible(path).into_owned(),
    }
}

fn rating_style(rating: Rating) -> Style {
    match rating {
        Rating::Green => GREEN,
        Rating::Amber => AMBER,
        Rating::Red => RED,
        Rating::None => DIM,
    }
}

/// A percentage as people write it: `42.1 %`.
fn percent(score: Option<f64>) -> String {
    score.map_or_else(|| "   n/a".to_string(), |s| format!("{s:5.1} %"))
}

/// The colour of a severity label.
fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => RED.bold(),
        Severity::High => RED,
        Severity::Medium => AMBER,
        Severity::Low | Severity::Info => DIM,
    }
}

/// A severity label, upper case, padded to the longest and coloured.
fn severity_label(severity: Severity) -> String {
    paint(
        severity_style(severity),
        &format!("{:8}", severity.as_str().to_uppercase()),
    )
}

/// `ids` joined, the first `shown` of them, then "and N more".
fn named(ids: &[&str], shown: usize) -> String {
    let mut out: Vec<String> = ids
        .iter()
        .take(shown)
        .map(|i| visible(i).into_owned())
        .collect();
    if ids.len() > shown {
        out.push(format!("and {} more", ids.len() - shown));
    }
    out.join(", ")
}

/// The waivers: how many applied, and each one that expired or matched nothing.
fn waivers(out: &mut String, waivers: &[WaiverReport]) {
    if waivers.is_empty() {
        return;
    }
    let applied = waivers
        .iter()
        .filter(|w| w.status == WaiverStatus::Applied)
        .count();
    let waived: usize = waivers
        .iter()
        .filter(|w| w.status == WaiverStatus::Applied)
        .map(|w| w.findings)
        .sum();
    let _ = writeln!(
        out,
        "\n{}  {applied} of {} applied, {waived} finding(s) waived",
        paint(BOLD, "Waivers"),
        waivers.len()
    );
    for w in waivers.iter().filter(|w| w.status != WaiverStatus::Applied) {
        let (style, what) = match w.status {
            WaiverStatus::Expired => (
                RED,
                format!(
                    "expired on {}; its {} finding(s) fail again",
                    visible(w.expires.as_deref().unwrap_or("?")),
                    w.findings
                ),
            ),
            _ => (AMBER, "matched no failing finding".to_string()),
        };
        let _ = writeln!(
            out,
            "  {} {}  {}  {what}",
            paint(style, "!"),
            paint(BOLD, &visible(&w.place())),
            visible(&w.control)
        );
    }
}

/// What the terminal summary shows; every other format is unaffected.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// Only the failing controls and the gate: no framework scores, counts, attestations,
    /// waivers or skipped files.
    pub quiet: bool,
    /// Each failing control with the places of its failures only: no messages (which quote
    /// values) and no fix.
    pub compact: bool,
    /// Only failing controls of these severities (all when empty).
    pub severities: Vec<Severity>,
    /// Everything: each failing control with its failures and fix, each missing evidence,
    /// attestation and skipped file on its own line. By default the summary names the most
    /// severe failures one per line and the rest by severity, to stay about a screen long.
    pub verbose: bool,
}

impl View {
    fn shows(&self, severity: Severity) -> bool {
        self.severities.is_empty() || self.severities.contains(&severity)
    }
}

/// Renders the summary, ending with what the gate made of the scan.
pub fn render(results: &Results, verdict: &Verdict, view: &View) -> String {
    let mut out = String::new();
    if !view.quiet {
        header(&mut out, results);
        fix_first(&mut out, results, view);
    }
    failing_controls(&mut out, results, view);
    if !view.quiet {
        missing_evidence(&mut out, results, view.verbose);
        attestations(&mut out, results, view.verbose);
        write_errors(&mut out, results);
        waivers(&mut out, &results.waivers);
        skipped_controls(&mut out, results);
        skipped(&mut out, results, view.verbose);
    }
    verdict_lines(&mut out, verdict, view.verbose);
    out
}

/// The tool line, the framework scores and the control counts.
fn header(out: &mut String, results: &Results) {
    let s = &results.summary;
    let _ = writeln!(
        out,
        "{} {} · {} · {} documents in {} files · {} controls",
        paint(BOLD, "assay"),
        results.tool.version,
        visible(&results.scan.root),
        results.scan.documents,
        results.scan.files,
        s.controls
    );
    if let Some(repo) = results.scan.repository.as_ref().filter(|r| r.dirty) {
        let _ = writeln!(
            out,
            "{}: evidence was taken from {} modified and {} untracked file(s) not in the commit",
            paint(AMBER, "dirty work tree"),
            repo.modified.len(),
            repo.untracked.len() + repo.more
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", paint(BOLD, "Frameworks"));
    let width = results
        .frameworks
        .iter()
        .map(|f| visible(&f.name).len())
        .max()
        .unwrap_or(0);
    for f in &results.frameworks {
        let style = rating_style(f.rating);
        let before = f.score_before_waivers.map_or_else(String::new, |b| {
            paint(
                DIM,
                &format!("  ({} before waivers)", percent(Some(b)).trim_start()),
            )
        });
        let e = &f.evidenced;
        let parts = paint(
            DIM,
            &format!(
                "  (automated {}, attested {})",
                percent(f.automated_score).trim_start(),
                percent(f.attested_score).trim_start()
            ),
        );
        let evidenced = paint(
            DIM,
            &format!(
                "  evidenced: {:.1} % automatically, {:.1} % by attestation only, {:.1} % not at all",
                e.automated, e.attested_only, e.none
            ),
        );
        let _ = writeln!(
            out,
            "  {} {:width$}  {}{parts}{before}{evidenced}",
            paint(style, "●"),
            visible(&f.name),
            paint(style, &percent(f.score)),
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}  {} implemented · {} partial · {} not implemented · {} not assessed · {} not applicable · {} error",
        paint(BOLD, "Controls"),
        s.implemented,
        s.partial,
        s.not_implemented,
        s.not_assessed,
        s.not_applicable,
        s.error
    );
}

/// The failing controls whose fix raises the framework scores most, with the points gained
/// (the scan computes them from the scores) and the fix.
fn fix_first(out: &mut String, results: &Results, view: &View) {
    let shown: Vec<(&crate::score::FixGain, &ControlReport)> = results
        .fix_first
        .iter()
        .filter_map(|g| {
            let c = results.controls.iter().find(|c| c.id == g.control)?;
            view.shows(c.severity).then_some((g, c))
        })
        .collect();
    if shown.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}  the failures whose fix raises the scores most",
        paint(BOLD, "Fix first")
    );
    for (i, (gain, c)) in shown.iter().enumerate() {
        let points: Vec<String> = gain
            .gains
            .iter()
            .map(|g| format!("+{:.1} {}", g.points, visible(&g.framework)))
            .collect();
        let _ = writeln!(
            out,
            "  {}. {} {}  {}",
            i + 1,
            severity_label(c.severity),
            paint(BOLD, &visible(&c.id)),
            paint(GREEN, &points.join(" · ")),
        );
        if !view.compact {
            let _ = writeln!(
                out,
                "     {} {}",
                paint(GREEN, "fix:"),
                visible(&c.remediation)
            );
        }
    }
}

/// How many failing controls the default summary names one per line.
const NAMED_ONE_PER_LINE: usize = 12;

/// The failing automated controls, most severe first: by default the high and critical ones
/// one per line with their first failure and the others by severity; with `--verbose` (or
/// `--compact`) each with its failures (or their places) and fix.
fn failing_controls(out: &mut String, results: &Results, view: &View) {
    let mut failing: Vec<_> = results
        .controls
        .iter()
        .filter(|c| c.kind == ControlKind::Automated)
        .filter(|c| view.shows(c.severity))
        .filter(|c| {
            matches!(
                c.status,
                Implementation::Partial | Implementation::NotImplemented | Implementation::Error
            )
        })
        .collect();
    failing.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
    if failing.is_empty() {
        return;
    }
    if !view.verbose && !view.compact {
        return failing_brief(out, &failing);
    }
    for c in failing {
        let style = if c.status == Implementation::Error {
            RED
        } else {
            AMBER
        };
        let _ = writeln!(
            out,
            "\n  {} {} {}  {}  {}",
            paint(style, "✗"),
            severity_label(c.severity),
            paint(BOLD, &visible(&c.id)),
            visible(&c.title),
            paint(
                DIM,
                &format!(
                    "({} of {} items fail)",
                    c.failed + c.errors,
                    c.passed + c.failed + c.errors
                )
            ),
        );
        let bad: Vec<_> = c
            .findings
            .iter()
            .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
            .collect();
        if view.compact {
            let places: Vec<String> = bad
                .iter()
                .take(FINDINGS_PER_CONTROL)
                .map(|f| {
                    f.location.as_ref().map_or_else(
                        || visible(f.resource.as_deref().unwrap_or("(repository)")).into_owned(),
                        |l| place(&l.path, l.line),
                    )
                })
                .collect();
            let _ = writeln!(out, "      {}", paint(BOLD, &places.join("  ")));
        }
        for f in bad
            .iter()
            .take(FINDINGS_PER_CONTROL)
            .filter(|_| !view.compact)
        {
            let place = f
                .location
                .as_ref()
                .map_or_else(String::new, |l| place(&l.path, l.line));
            let _ = writeln!(
                out,
                "      {}  {}",
                paint(BOLD, &place),
                visible(&f.message)
            );
        }
        if bad.len() > FINDINGS_PER_CONTROL {
            let _ = writeln!(
                out,
                "      {}",
                paint(
                    DIM,
                    &format!("… and {} more", bad.len() - FINDINGS_PER_CONTROL)
                )
            );
        }
        if !view.compact {
            let _ = writeln!(
                out,
                "      {} {}",
                paint(GREEN, "fix:"),
                visible(&c.remediation)
            );
        }
    }
}

/// The failing controls in brief: the high and critical ones (at most
/// [`NAMED_ONE_PER_LINE`]) one per line with the place of their first failure, the others one
/// line per severity.
fn failing_brief(out: &mut String, failing: &[&ControlReport]) {
    let mut counts: Vec<(Severity, Vec<&str>)> = Vec::new();
    for c in failing {
        match counts.iter_mut().find(|(s, _)| *s == c.severity) {
            Some((_, ids)) => ids.push(&c.id),
            None => counts.push((c.severity, vec![&c.id])),
        }
    }
    let by_severity: Vec<String> = counts
        .iter()
        .map(|(s, ids)| format!("{} {}", ids.len(), s.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "\n{}  {} ({}); --verbose shows every failure and its fix",
        paint(BOLD, "Failing controls"),
        failing.len(),
        by_severity.join(", ")
    );
    let one_per_line: Vec<&&ControlReport> = failing
        .iter()
        .filter(|c| c.severity >= Severity::High)
        .take(NAMED_ONE_PER_LINE)
        .collect();
    for c in &one_per_line {
        let bad: Vec<_> = c
            .findings
            .iter()
            .filter(|f| matches!(f.status, FindingStatus::Fail | FindingStatus::Error))
            .collect();
        let first = bad
            .first()
            .and_then(|f| f.location.as_ref())
            .map_or_else(String::new, |l| place(&l.path, l.line));
        let more = match bad.len() {
            0 | 1 => String::new(),
            n => format!(" +{}", n - 1),
        };
        let _ = writeln!(
            out,
            "  {} {} {}  {}  {}",
            paint(RED, "✗"),
            severity_label(c.severity),
            paint(BOLD, &visible(&c.id)),
            visible(&c.title),
            paint(DIM, &format!("{first}{more}")),
        );
    }
    for (severity, ids) in &counts {
        let rest: Vec<&str> = ids
            .iter()
            .filter(|id| !one_per_line.iter().any(|c| c.id == **id))
            .copied()
            .collect();
        if !rest.is_empty() {
            let _ = writeln!(
                out,
                "  {} {} {}",
                paint(AMBER, "✗"),
                severity_label(*severity),
                named(&rest, 8)
            );
        }
    }
}

/// The controls skipped on purpose: one line per reason, naming them.
fn skipped_controls(out: &mut String, results: &Results) {
    if results.skipped_controls.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}  {} control(s) not evaluated",
        paint(BOLD, "Skipped controls"),
        results.skipped_controls.len()
    );
    let mut reasons: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for c in &results.skipped_controls {
        match reasons
            .iter_mut()
            .find(|(r, o, _)| *r == c.reason && *o == c.origin)
        {
            Some((_, _, ids)) => ids.push(&c.id),
            None => reasons.push((&c.reason, &c.origin, vec![&c.id])),
        }
    }
    for (reason, origin, ids) in reasons {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            paint(DIM, "-"),
            paint(BOLD, &visible(&ids.join(", "))),
            paint(DIM, &format!("{} ({})", visible(reason), visible(origin)))
        );
    }
}

/// The files collection skipped, with why (their count alone unless `verbose`).
fn skipped(out: &mut String, results: &Results, verbose: bool) {
    if !results.skipped.is_empty() && !verbose {
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                DIM,
                &format!(
                    "Skipped {} file(s); --verbose lists them with the reason",
                    results.skipped.len()
                )
            )
        );
    } else if !results.skipped.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint(DIM, &format!("Skipped {} file(s):", results.skipped.len()))
        );
        for sk in &results.skipped {
            let _ = writeln!(
                out,
                "  {}",
                paint(
                    DIM,
                    &format!("{} ({})", visible(&sk.path), visible(&sk.reason))
                )
            );
        }
    }
}

/// How many failures the last line names before "and N more".
const FAILURES_NAMED: usize = 5;

/// The gate section; its last line says whether the gate passed, names what failed it, or
/// says that no gate is set.
fn verdict_lines(out: &mut String, verdict: &Verdict, verbose: bool) {
    let _ = writeln!(out);
    match &verdict.gate {
        Some(gate) => {
            let _ = writeln!(out, "{}  fails on {gate}", paint(BOLD, "Gate"));
        }
        None => {
            let _ = writeln!(
                out,
                "{}  none set (--soft-fail: report only)",
                paint(BOLD, "Gate")
            );
        }
    }
    let listed = if verbose {
        verdict.failures.len()
    } else {
        FAILURES_NAMED
    };
    for f in verdict.failures.iter().take(listed) {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            paint(RED, "✗"),
            paint(BOLD, &visible(&f.subject)),
            visible(&f.reason)
        );
    }
    let mut names: Vec<String> = verdict
        .failures
        .iter()
        .take(FAILURES_NAMED)
        .map(|f| visible(&f.subject).into_owned())
        .collect();
    let more = verdict.failures.len().saturating_sub(FAILURES_NAMED);
    if more > 0 {
        names.push(format!("and {more} more"));
    }
    let line = match (&verdict.gate, names.is_empty()) {
        (Some(_), true) => paint(GREEN, "Result: passed"),
        (Some(_), false) => paint(RED, &format!("Result: gate failed on {}", names.join(", "))),
        (None, true) => paint(DIM, "Result: no gate set; nothing would have failed one"),
        (None, false) => paint(
            AMBER,
            &format!(
                "Result: no gate set; without --soft-fail the gate would fail on {}",
                names.join(", ")
            ),
        ),
    };
    let _ = writeln!(out, "{line}");
}

/// The automated controls that found no evidence: gaps scoring 0, with what to provide (one
/// line per kind of evidence unless `verbose`).
fn missing_evidence(out: &mut String, results: &Results, verbose: bool) {
    let gaps: Vec<&ControlReport> = results
        .controls
        .iter()
        .filter(|c| c.kind == ControlKind::Automated && c.status == Implementation::NotAssessed)
        .collect();
    if gaps.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}  {} control(s) not assessed, scored 0",
        paint(BOLD, "Missing evidence"),
        gaps.len()
    );
    if !verbose {
        let mut asks: Vec<(&str, Vec<&str>)> = Vec::new();
        for c in &gaps {
            let ask = c.missing_evidence.as_deref().unwrap_or_default();
            match asks.iter_mut().find(|(a, _)| *a == ask) {
                Some((_, ids)) => ids.push(&c.id),
                None => asks.push((ask, vec![&c.id])),
            }
        }
        for (ask, ids) in asks {
            let _ = writeln!(
                out,
                "  {} {}  {}",
                paint(AMBER, "?"),
                paint(BOLD, &named(&ids, 2)),
                visible(ask.trim_start_matches("no evidence found; "))
            );
        }
        return;
    }
    for c in gaps {
        let _ = writeln!(
            out,
            "  {} {}  {}",
            paint(AMBER, "?"),
            paint(BOLD, &visible(&c.id)),
            visible(c.missing_evidence.as_deref().unwrap_or_default())
        );
    }
}

/// The attestation controls in one section: how many are in force, each one in force with its
/// signature (`signed by …`, `unsigned`), each expired, incomplete or invalid attestation with
/// its file and signature, each renewal due, and the ids nobody has attested.
fn attestations(out: &mut String, results: &Results, verbose: bool) {
    let controls: Vec<&ControlReport> = results
        .controls
        .iter()
        .filter(|c| c.kind == ControlKind::Attestation)
        .collect();
    if controls.is_empty() {
        return;
    }
    let in_force = controls
        .iter()
        .filter(|c| c.status == Implementation::Implemented)
        .count();
    let _ = writeln!(
        out,
        "\n{}  {in_force} of {} in force",
        paint(BOLD, "Attestations"),
        controls.len()
    );
    let mut missing = Vec::new();
    for c in &controls {
        for label in crate::signed_attestation::in_force_labels(&c.findings)
            .into_iter()
            .filter(|_| verbose)
        {
            let style = if label.starts_with("signed") {
                GREEN
            } else {
                AMBER
            };
            let _ = writeln!(
                out,
                "  {} {}  {}",
                paint(style, "✓"),
                paint(BOLD, &visible(&c.id)),
                paint(style, &visible(&label))
            );
        }
        for f in &c.findings {
            let (mark, style) = match f.status {
                // A missing attestation rests on no evidence at all.
                FindingStatus::Fail if f.evidence.is_empty() => {
                    missing.push(visible(&c.id));
                    continue;
                }
                FindingStatus::Fail | FindingStatus::Error => ("✗", AMBER),
                FindingStatus::Warn => ("!", AMBER),
                _ => continue,
            };
            let mut place = f
                .location
                .as_ref()
                .map_or_else(String::new, |l| place(&l.path, None));
            if let Some(verdict) = &f.signature {
                place.push_str(&format!(", {}", verdict.label()));
            }
            let _ = writeln!(
                out,
                "  {} {}  {}  {}",
                paint(style, mark),
                paint(BOLD, &visible(&c.id)),
                visible(&f.message),
                paint(DIM, &format!("({})", visible(&place)))
            );
        }
    }
    if !missing.is_empty() {
        let _ = writeln!(
            out,
            "  {} {} not attested: {}",
            paint(AMBER, "✗"),
            missing.len(),
            missing.join(", ")
        );
        let _ = writeln!(
            out,
            "      {} assay attest CONTROL --by NAME --role ROLE --statement TEXT",
            paint(GREEN, "fix:")
        );
    }
}

/// The sources that could not be read or parsed, with file:line:column and a hint.
pub(super) fn write_errors(out: &mut String, results: &Results) {
    if !results.errors.is_empty() {
        let _ = writeln!(out, "\n{}", paint(BOLD, "Errors"));
        for e in &results.errors {
            let place = match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{}:{c}", place(&e.path, Some(l))),
                _ => place(&e.path, e.line),
            };
            let _ = writeln!(
                out,
                "  {} {}  {}",
                paint(RED, "!"),
                paint(BOLD, &place),
                visible(&e.message)
            );
            if let Some(h) = &e.hint {
                let _ = writeln!(out, "      {} {}", paint(DIM, "hint:"), visible(h));
            }
        }
    }
}
