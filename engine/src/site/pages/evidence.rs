//! The list of evidence files and the evidence viewer: the kept (redacted) file with line
//! numbers, the lines findings point at highlighted, its digests and collection time.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::{crumb, here, page, Badge, Capped, Index};
use crate::model::FindingStatus;
use crate::pack::evidence::{EvidenceFile, EvidenceMismatch, Keep};
use crate::pack::redact::Redaction;
use crate::site::paths;
use crate::site::render::Site;
use crate::site::SiteInput;

/// Files listed per page of the evidence list.
const FILES_PER_PAGE: usize = 1000;

#[derive(Serialize)]
struct FileRow {
    path: String,
    /// Further paths with the same content.
    also: usize,
    digest: String,
    size: u64,
    redactions: usize,
    /// `full-redacted`, `excerpt` or `digest-only`.
    keep: &'static str,
    /// Findings that fail, err or warn on this file.
    offending: usize,
    href: String,
}

#[derive(Serialize)]
struct IndexPage<'a> {
    files: Vec<FileRow>,
    total: usize,
    /// Files kept as digest only.
    digest_only: usize,
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
    mismatches: &'a [EvidenceMismatch],
}

#[derive(Serialize)]
struct FindingOnFile {
    control: String,
    href: String,
    status: Badge,
    line: Option<u32>,
    message: String,
}

#[derive(Serialize)]
struct Line {
    n: usize,
    text: String,
    /// The worst status of the findings on this line, as a CSS class.
    mark: Option<&'static str>,
    /// The controls with findings on this line.
    note: Option<String>,
    redacted: bool,
}

#[derive(Serialize)]
struct ViewerPage<'a> {
    path: &'a str,
    paths: &'a [String],
    digest: &'a str,
    redacted_digest: &'a str,
    size: u64,
    collected_at: &'a str,
    redactions: &'a [Redaction],
    /// `full-redacted`, `excerpt` (the cited lines) or `digest-only` (no content kept or shown).
    keep: &'static str,
    findings: Capped<FindingOnFile>,
    lines: Vec<Line>,
}

/// How a finding marks its line; worse statuses win.
fn mark(status: FindingStatus) -> Option<(u8, &'static str)> {
    match status {
        FindingStatus::Error => Some((4, "mark-error")),
        FindingStatus::Fail => Some((3, "mark-fail")),
        FindingStatus::Warn => Some((2, "mark-warn")),
        FindingStatus::Waived => Some((1, "mark-waived")),
        FindingStatus::Pass => None,
    }
}

pub fn render(site: &Site<'_>, input: &SiteInput<'_>, index: &Index<'_>) -> Result<(), String> {
    let files = &input.evidence.files;
    let pages = files.len().div_ceil(FILES_PER_PAGE).max(1);
    for p in 1..=pages {
        let rows = files
            .iter()
            .skip((p - 1) * FILES_PER_PAGE)
            .take(FILES_PER_PAGE)
            .map(|f| FileRow {
                path: f.paths.first().cloned().unwrap_or_default(),
                also: f.paths.len().saturating_sub(1),
                digest: f.digest.clone(),
                size: f.size,
                redactions: f.redactions.len(),
                keep: f.keep.as_str(),
                offending: offending(input, index, f),
                href: paths::evidence(&f.digest),
            })
            .collect();
        let data = IndexPage {
            files: rows,
            total: files.len(),
            digest_only: files.iter().filter(|f| f.keep == Keep::DigestOnly).count(),
            page: p,
            pages,
            prev: (p > 1).then(|| paths::evidence_index(p - 1)),
            next: (p < pages).then(|| paths::evidence_index(p + 1)),
            mismatches: &input.evidence.mismatches,
        };
        let mut crumbs = vec![crumb("Overview", paths::OVERVIEW)];
        if p == 1 {
            crumbs.push(here("Evidence"));
        } else {
            crumbs.push(crumb("Evidence", paths::EVIDENCE));
            crumbs.push(here(format!("page {p}")));
        }
        site.page(
            "evidence_index.html",
            &paths::evidence_index(p),
            page(index, "Evidence", "evidence", crumbs, &data),
        )?;
    }
    files
        .par_iter()
        .try_for_each(|f| viewer(site, input, index, f))
}

fn offending(input: &SiteInput<'_>, index: &Index<'_>, f: &EvidenceFile) -> usize {
    index.by_evidence.get(f.digest.as_str()).map_or(0, |found| {
        found
            .iter()
            .filter(|(ci, fi)| {
                let s = input.results.controls[*ci].findings[*fi].status;
                matches!(
                    s,
                    FindingStatus::Fail | FindingStatus::Error | FindingStatus::Warn
                )
            })
            .count()
    })
}

fn viewer(
    site: &Site<'_>,
    input: &SiteInput<'_>,
    index: &Index<'_>,
    f: &EvidenceFile,
) -> Result<(), String> {
    let found = index
        .by_evidence
        .get(f.digest.as_str())
        .map_or(&[][..], Vec::as_slice);
    let mut marks: BTreeMap<usize, ((u8, &'static str), Vec<&str>)> = BTreeMap::new();
    for (ci, fi) in found {
        let control = &input.results.controls[*ci];
        let finding = &control.findings[*fi];
        let (Some(m), Some(line)) = (
            mark(finding.status),
            finding.location.as_ref().and_then(|l| l.line),
        ) else {
            continue;
        };
        let entry = marks.entry(line as usize).or_insert((m, Vec::new()));
        entry.0 = entry.0.max(m);
        if !entry.1.contains(&control.id.as_str()) {
            entry.1.push(&control.id);
        }
    }
    let redacted_lines: std::collections::BTreeSet<usize> =
        f.redactions.iter().map(|r| r.line as usize).collect();
    let text = String::from_utf8_lossy(&f.content);
    let body = text.strip_suffix('\n').unwrap_or(&text);
    let lines = body
        .split('\n')
        .enumerate()
        .map(|(i, l)| {
            // An excerpt's lines carry their numbers in the original file.
            let n = f.lines.get(i).map_or(i + 1, |n| *n as usize);
            let m = marks.get(&n);
            Line {
                n,
                text: l.strip_suffix('\r').unwrap_or(l).to_string(),
                mark: m.map(|((_, class), _)| *class),
                note: m.map(|(_, controls)| controls.join(", ")),
                redacted: redacted_lines.contains(&n),
            }
        })
        .collect();
    let findings = Capped::new(found.iter().map(|(ci, fi)| {
        let control = &input.results.controls[*ci];
        let finding = &control.findings[*fi];
        FindingOnFile {
            control: control.id.clone(),
            href: paths::finding(&control.id, *fi),
            status: finding.status.into(),
            line: finding.location.as_ref().and_then(|l| l.line),
            message: finding.message.clone(),
        }
    }));
    let path = f.paths.first().map_or("", String::as_str);
    let data = ViewerPage {
        path,
        paths: &f.paths,
        digest: &f.digest,
        redacted_digest: &f.redacted_digest,
        size: f.size,
        collected_at: &f.collected_at,
        redactions: &f.redactions,
        keep: f.keep.as_str(),
        findings,
        lines,
    };
    let crumbs = vec![
        crumb("Overview", paths::OVERVIEW),
        crumb("Evidence", paths::EVIDENCE),
        here(path),
    ];
    site.page(
        "evidence.html",
        &paths::evidence(&f.digest),
        page(index, path, "evidence", crumbs, &data),
    )
}
