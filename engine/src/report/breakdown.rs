//! How a framework score is computed, from a results document: each requirement's share of the
//! framework mean, each control's weight in a requirement, the findings that moved it, scores
//! per domain and the gaps that would raise the score most. `assay explain-score` prints it.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{ControlKind, ControlReport, FrameworkReport, RequirementReport, Results};
use crate::model::FindingStatus;
use crate::score::round;

/// How many failing findings are shown per control.
const FINDINGS_SHOWN: usize = 3;
/// How many gaps the gap list names.
const GAPS_SHOWN: usize = 10;

/// The domain of a requirement for gap analysis: the ISO 27001 Annex A theme, the SOC 2
/// series, else the part of the id before its first dot or digit.
pub fn domain(framework: &str, requirement: &str) -> String {
    let theme = |prefix: &str| requirement.starts_with(prefix);
    match framework {
        "iso27001" if theme("A.5.") => "organizational".into(),
        "iso27001" if theme("A.6.") => "people".into(),
        "iso27001" if theme("A.7.") => "physical".into(),
        "iso27001" if theme("A.8.") => "technological".into(),
        "soc2" if theme("CC") => requirement.split('.').next().unwrap_or(requirement).into(),
        _ => requirement
            .split(|c: char| c == '.' || c.is_ascii_digit())
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or(requirement)
            .into(),
    }
}

/// The requirements that count in the framework mean.
fn scored(f: &FrameworkReport) -> Vec<(&RequirementReport, f64)> {
    f.requirements
        .iter()
        .filter_map(|r| r.score.map(|s| (r, s)))
        .collect()
}

/// The framework breakdown: every scored requirement with its contribution to the mean, the
/// requirements left out and why, scores per domain and per control family, and the gaps.
pub fn framework(results: &Results, f: &FrameworkReport) -> String {
    let mut out = String::new();
    let scored = scored(f);
    let n = scored.len();
    let _ = writeln!(out, "{} ({}): {}", f.name, f.id, pct(f.score));
    let _ = writeln!(
        out,
        "  automated evidence alone {} · attestations alone {}",
        pct(f.automated_score),
        pct(f.attested_score)
    );
    let e = &f.evidenced;
    let _ = writeln!(
        out,
        "  applicable requirements evidenced: {:.1}% automatically, {:.1}% by attestation only, {:.1}% not at all",
        e.automated, e.attested_only, e.none
    );
    let _ = writeln!(
        out,
        "\nThe score is the mean of the {n} scored requirements: each contributes score / {n}.\n"
    );
    let _ = writeln!(
        out,
        "  {:<12} {:>8} {:>13}  {:<14} controls",
        "requirement", "score", "contribution", "evidence"
    );
    let mut total = 0.0;
    for (r, s) in &scored {
        let contribution = s / n as f64;
        total += contribution;
        let _ = writeln!(
            out,
            "  {:<12} {:>7.2}% {:>13.4}  {:<14} {}",
            r.id,
            s,
            contribution,
            serde_plain(&r.evidence),
            r.controls.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "  {:<12} {:>8} {:>13.4}  = {} (rounded to two decimals)",
        "sum",
        "",
        total,
        pct(Some(round(total)))
    );
    let left_out: Vec<String> = f
        .requirements
        .iter()
        .filter(|r| r.score.is_none())
        .map(|r| {
            let why = match (&r.exclusion, &r.not_applicable) {
                (Some(x), _) => format!("excluded by {} on {}", x.approved_by, x.date),
                (None, Some(reason)) => format!("not applicable: {reason}"),
                _ if r.controls.is_empty() => "no control evidences it".to_string(),
                _ => "its controls found nothing to judge".to_string(),
            };
            format!("  {:<12} {why}", r.id)
        })
        .collect();
    if !left_out.is_empty() {
        let _ = writeln!(out, "\nLeft out of the mean ({}):", left_out.len());
        for line in left_out {
            let _ = writeln!(out, "{line}");
        }
    }
    domains(&mut out, f, results);
    gaps(&mut out, f);
    out
}

/// Mean scores per domain and per control family.
fn domains(out: &mut String, f: &FrameworkReport, results: &Results) {
    let mut by_domain: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (r, s) in scored(f) {
        by_domain.entry(domain(&f.id, &r.id)).or_default().push(s);
    }
    let _ = writeln!(out, "\nBy domain:");
    for (name, scores) in &by_domain {
        let _ = writeln!(
            out,
            "  {name:<16} {:>7.2}%  ({} requirement(s))",
            round(scores.iter().sum::<f64>() / scores.len() as f64),
            scores.len()
        );
    }
    let mut by_family: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mapped = |c: &&ControlReport| c.mappings.iter().any(|m| m.framework == f.id);
    for c in results.controls.iter().filter(mapped) {
        if let Some(s) = f.counted_score(c).0 {
            by_family.entry(c.family.as_str()).or_default().push(s);
        }
    }
    let _ = writeln!(out, "\nBy control family (mean control score):");
    for (name, scores) in &by_family {
        let _ = writeln!(
            out,
            "  {name:<20} {:>7.2}%  ({} control(s))",
            round(scores.iter().sum::<f64>() / scores.len() as f64),
            scores.len()
        );
    }
}

/// The applicable requirements with the least evidence, ordered by how much the framework
/// score would rise were each fully met.
fn gaps(out: &mut String, f: &FrameworkReport) {
    let scored = scored(f);
    let n = scored.len().max(1) as f64;
    let mut gaps: Vec<(&RequirementReport, f64)> = scored
        .iter()
        .filter(|(_, s)| *s < 100.0)
        .map(|(r, s)| (*r, (100.0 - s) / n))
        .collect();
    gaps.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
    if gaps.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nGaps, by what meeting each would add to the score:");
    for (r, gain) in gaps.iter().take(GAPS_SHOWN) {
        let _ = writeln!(
            out,
            "  +{gain:>6.2} points  {:<12} {} ({})",
            r.id,
            r.title,
            serde_plain(&r.evidence)
        );
    }
    if gaps.len() > GAPS_SHOWN {
        let _ = writeln!(out, "  … and {} more", gaps.len() - GAPS_SHOWN);
    }
}

/// One requirement: each control's weight and score, the weighted mean, and the failing
/// findings that pulled it down.
pub fn requirement(results: &Results, f: &FrameworkReport, r: &RequirementReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {} — {}: {}", f.id, r.id, r.title, pct(r.score));
    if let Some(x) = &r.exclusion {
        let _ = writeln!(
            out,
            "  excluded from scope: {} (approved by {} on {})",
            x.reason, x.approved_by, x.date
        );
        return out;
    }
    let _ = writeln!(
        out,
        "  automated controls alone {} · attestations alone {}",
        pct(r.automated_score),
        pct(r.attested_score)
    );
    let controls: Vec<&ControlReport> = r
        .controls
        .iter()
        .filter_map(|id| results.controls.iter().find(|c| &c.id == id))
        .collect();
    if controls.is_empty() {
        let _ = writeln!(out, "  no control evidences it: it is not assessed");
        return out;
    }
    let _ = writeln!(
        out,
        "\nThe score is the severity-weighted mean of its scored controls (critical 4, high 3, medium 2, low 1, info 0.5).\n"
    );
    let (mut weighted, mut weights) = (0.0, 0.0);
    for c in &controls {
        let weight = c.severity.weight();
        let kind = match c.kind {
            ControlKind::Automated => "automated",
            ControlKind::Attestation => "attestation",
        };
        let (score, failing_elsewhere) = f.counted_score(c);
        let counted = match score {
            Some(s) => {
                weighted += weight * s;
                weights += weight;
                format!("{s:.2}% × {weight}")
            }
            None => "left out (nothing to judge)".to_string(),
        };
        let _ = writeln!(
            out,
            "  {:<34} {:<11} {:<8} {:<16} {}",
            c.id,
            kind,
            c.severity.as_str(),
            serde_plain(&c.status),
            counted
        );
        let items = c.passed + c.failed + c.errors + c.waived;
        if items > 0 {
            let _ = writeln!(
                out,
                "      {} of {items} item(s) pass{}",
                c.passed + c.waived,
                if c.waived > 0 {
                    format!(" ({} waived)", c.waived)
                } else {
                    String::new()
                }
            );
        }
        if failing_elsewhere > 0 {
            let _ = writeln!(
                out,
                "      {failing_elsewhere} of them count as failing here: they fail another automated control of {}",
                f.id
            );
        }
        if let Some(missing) = &c.missing_evidence {
            let _ = writeln!(out, "      {missing}");
        }
        if c.kind == ControlKind::Attestation {
            let _ = writeln!(out, "      attestation: {}", signatures(c));
        }
        let failing: Vec<_> = c
            .findings
            .iter()
            .filter(|x| matches!(x.status, FindingStatus::Fail | FindingStatus::Error))
            .collect();
        for x in failing.iter().take(FINDINGS_SHOWN) {
            let place = x
                .location
                .as_ref()
                .map_or_else(String::new, |l| match l.line {
                    Some(line) => format!("{}:{line}  ", l.path),
                    None => format!("{}  ", l.path),
                });
            let _ = writeln!(out, "      ✗ {place}{}", x.message);
        }
        if failing.len() > FINDINGS_SHOWN {
            let _ = writeln!(out, "      … and {} more", failing.len() - FINDINGS_SHOWN);
        }
    }
    if weights > 0.0 {
        let _ = writeln!(
            out,
            "\n  = {weighted:.2} / {weights} = {}",
            pct(Some(round(weighted / weights)))
        );
        let attested: Vec<&&ControlReport> = controls
            .iter()
            .filter(|c| c.kind == ControlKind::Attestation && f.counted_score(c).0.is_some())
            .collect();
        if !attested.is_empty() {
            let points: f64 = attested
                .iter()
                .map(|c| c.severity.weight() * f.counted_score(c).0.unwrap_or(0.0))
                .sum();
            let how: Vec<String> = attested
                .iter()
                .map(|c| format!("{}: {}", c.id, signatures(c)))
                .collect();
            let _ = writeln!(
                out,
                "  of which from attested controls: {points:.2} / {weights} = {:.2} percentage points ({})",
                points / weights,
                how.join("; ")
            );
        }
    }
    out
}

/// The signatures of an attestation control's attestations in force, or that none is.
fn signatures(c: &ControlReport) -> String {
    let labels = crate::signed_attestation::in_force_labels(&c.findings);
    if labels.is_empty() {
        "none in force".to_string()
    } else {
        labels.join(", ")
    }
}

fn pct(score: Option<f64>) -> String {
    score.map_or_else(|| "n/a".to_string(), |s| format!("{s:.2}%"))
}

/// The snake_case name a value serializes to, e.g. `not_assessed`.
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_follow_themes_and_series() {
        assert_eq!(domain("iso27001", "A.7.2"), "physical");
        assert_eq!(domain("iso27001", "A.8.24"), "technological");
        assert_eq!(domain("soc2", "CC6.1"), "CC6");
        assert_eq!(domain("soc2", "PI1.3"), "PI");
        assert_eq!(domain("soc2", "A1.2"), "A");
        assert_eq!(domain("gdpr", "Art.30"), "Art");
    }
}
