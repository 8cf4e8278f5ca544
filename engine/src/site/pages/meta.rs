//! The scan metadata page (tool, catalog, commit, times, unread sources) and the waivers and
//! attestations page.

use serde::Serialize;

use super::{crumb, here, page, Capped, FindingRow, Index};
use crate::model::FindingStatus;
use crate::pack::evidence::EvidenceMismatch;
use crate::report::{ControlKind, SkippedReport, SourceErrorReport, Summary};
use crate::score::Implementation;
use crate::site::paths;
use crate::site::render::Site;
use crate::site::SiteInput;

#[derive(Serialize)]
struct ScanPage<'a> {
    tool: &'a str,
    tool_version: &'a str,
    schema_version: &'a str,
    scan_root: &'a str,
    started_at: &'a str,
    finished_at: &'a str,
    catalog_digest: &'a str,
    commit: Option<&'a str>,
    repository: Option<&'a crate::vcs::Provenance>,
    documents: usize,
    files: usize,
    summary: &'a Summary,
    evidence_files: usize,
    errors: Capped<&'a SourceErrorReport>,
    skipped: Capped<&'a SkippedReport>,
    mismatches: &'a [EvidenceMismatch],
}

#[derive(Serialize)]
struct Waived {
    control: String,
    href: String,
    finding: FindingRow,
    /// When the waivers of the control that waived findings expire.
    expires: Option<String>,
}

/// One attestation control: attested and in force, or why not.
#[derive(Serialize)]
struct Attested {
    control: String,
    title: String,
    href: String,
    status: &'static str,
    /// One row per finding: the attestation in force, or what is missing or expired.
    findings: Vec<AttestationRow>,
}

/// A finding on an attestation, with the verdict on its signature.
#[derive(Serialize)]
struct AttestationRow {
    #[serde(flatten)]
    finding: FindingRow,
    /// `signed by …`, `unsigned`, `invalid`, …; empty for a missing attestation.
    signature: String,
}

#[derive(Serialize)]
struct WaiversPage<'a> {
    /// Every waiver and inline suppression of the scan: the exceptions register.
    register: &'a [crate::report::waivers::WaiverReport],
    waived: Capped<Waived>,
    attestations: Vec<Attested>,
    attested: usize,
}

pub fn render(site: &Site<'_>, input: &SiteInput<'_>, index: &Index<'_>) -> Result<(), String> {
    let r = input.results;
    let data = ScanPage {
        tool: &r.tool.name,
        tool_version: &r.tool.version,
        schema_version: &r.schema_version,
        scan_root: &r.scan.root,
        started_at: &r.scan.started_at,
        finished_at: &r.scan.finished_at,
        catalog_digest: &r.scan.catalog_digest,
        commit: r.scan.commit.as_deref(),
        repository: r.scan.repository.as_ref(),
        documents: r.scan.documents,
        files: r.scan.files,
        summary: &r.summary,
        evidence_files: input.evidence.files.len(),
        errors: Capped::new(r.errors.iter()),
        skipped: Capped::new(r.skipped.iter()),
        mismatches: &input.evidence.mismatches,
    };
    site.page(
        "scan.html",
        paths::SCAN,
        page(
            index,
            "Scan",
            "scan",
            vec![crumb("Overview", paths::OVERVIEW), here("Scan")],
            &data,
        ),
    )?;

    let waived: Vec<Waived> = r
        .controls
        .iter()
        .flat_map(|c| {
            c.findings
                .iter()
                .enumerate()
                .filter(|(_, f)| f.status == FindingStatus::Waived)
                .map(move |(i, f)| (c, i, f))
        })
        .map(|(c, i, f)| Waived {
            expires: waiver_expiry(&r.waivers, &c.id),
            control: c.id.clone(),
            href: paths::finding(&c.id, i),
            finding: FindingRow::new(input, index, i, f),
        })
        .collect();
    let attestations: Vec<Attested> = r
        .controls
        .iter()
        .filter(|c| c.kind == ControlKind::Attestation)
        .map(|c| Attested {
            control: c.id.clone(),
            title: c.title.clone(),
            href: paths::control_page(&c.id, 0),
            status: match c.status {
                Implementation::Implemented => "implemented",
                Implementation::Error => "error",
                _ => "not_implemented",
            },
            findings: c
                .findings
                .iter()
                .enumerate()
                .map(|(i, f)| AttestationRow {
                    finding: FindingRow::new(input, index, i, f),
                    signature: f
                        .signature
                        .as_ref()
                        .map(crate::signed_attestation::Verdict::label)
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    site.page(
        "waivers.html",
        paths::WAIVERS,
        page(
            index,
            "Waivers and attestations",
            "waivers",
            vec![
                crumb("Overview", paths::OVERVIEW),
                here("Waivers and attestations"),
            ],
            &WaiversPage {
                register: &r.waivers,
                waived: Capped::new(waived.into_iter()),
                attested: attestations
                    .iter()
                    .filter(|a| a.status == "implemented")
                    .count(),
                attestations,
            },
        ),
    )
}

/// When the waivers that waived findings of `control` expire, joined; `None` when none says.
fn waiver_expiry(
    register: &[crate::report::waivers::WaiverReport],
    control: &str,
) -> Option<String> {
    let dates: std::collections::BTreeSet<&str> = register
        .iter()
        .filter(|w| w.control == control && w.findings > 0)
        .filter_map(|w| w.expires.as_deref())
        .collect();
    (!dates.is_empty()).then(|| dates.into_iter().collect::<Vec<_>>().join(", "))
}
