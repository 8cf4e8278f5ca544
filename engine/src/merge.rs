//! `assay merge`: the partial results of the N shards of one scan (`assay scan --shard I/N`)
//! made into the result of the whole, scored by the same code a single scan uses. Shards of
//! different catalogs, settings, commits or fan-outs, and a missing or repeated shard, are
//! refused.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::catalog::Catalog;
use crate::eval::ControlResult;
use crate::model::Finding;
use crate::report::shard::{MergedPart, MergedReport, ShardReport};
use crate::report::waivers::{WaiverReport, WaiverStatus};
use crate::report::{json, Results};
use crate::scan::{assemble, default_scope, Inventory, ScanRequest};
use crate::shard::Shard;

/// One shard's result as read.
#[derive(Debug, Clone)]
pub struct Part {
    /// Where it was read from, as messages name it.
    pub origin: String,
    pub results: Results,
    /// The root digest of the evidence pack it came in, once the pack verified.
    pub pack_root: Option<String>,
}

/// Merges the shards' results into the result of the whole scan. `catalog`, `request` and
/// `settings` (see `Project::shard_settings`) are the merge's own, which the shards' must match.
pub fn merge(
    catalog: &Catalog,
    request: &ScanRequest,
    settings: &str,
    parts: Vec<Part>,
) -> Result<Results, String> {
    let parts = in_shard_order(parts)?;
    let (first, first_shard) = (&parts[0].0, &parts[0].1);
    for (part, shard) in &parts {
        agree(first, part, "catalog", |r| {
            r.results.scan.catalog_digest.clone()
        })?;
        agree(first, part, "commit", |r| r.results.scan.commit.clone())?;
        agree(first, part, "assay version", |r| {
            r.results.tool.version.clone()
        })?;
        // Where the sources failed; messages may name a temporary directory of their own.
        agree(first, part, "source errors", |r| {
            let errors = r.results.errors.iter();
            errors
                .map(|e| (e.path.clone(), e.line, e.column))
                .collect::<Vec<_>>()
        })?;
        agree(first, part, "skipped files", |r| {
            json_of(&r.results.skipped)
        })?;
        agree(first, part, "documents", |r| r.results.scan.documents)?;
        if shard.settings != first_shard.settings {
            return Err(differ(first, part, "scan settings"));
        }
        if shard.ai_systems_declared != first_shard.ai_systems_declared {
            return Err(differ(first, part, "AI system declarations"));
        }
    }
    if first.results.scan.catalog_digest != catalog.digest {
        return Err(format!(
            "`{}` was scanned with another catalog than this merge loads\n  hint: merge with the catalog flags and assay.yaml the shards used",
            first.origin
        ));
    }
    if first_shard.settings != settings {
        return Err(format!(
            "`{}` was scanned with other settings than this merge's (assay.yaml, --framework, waivers, --now/SOURCE_DATE_EPOCH)\n  hint: merge in a checkout of the same commit, with the same flags and environment as the shards",
            first.origin
        ));
    }
    let scoped;
    let catalog = match default_scope(catalog, request, first_shard.ai_systems_declared) {
        Some(c) => {
            scoped = c;
            &scoped
        }
        None => catalog,
    };
    let mut results: Vec<ControlResult> = catalog
        .controls
        .iter()
        .map(|c| ControlResult {
            control: Arc::clone(c),
            findings: Vec::new(),
        })
        .collect();
    let index: BTreeMap<&str, usize> = catalog
        .controls
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    // Item numbers are the check's own within one shard: each shard's are moved past the
    // previous shards', so that items of different shards never count as one.
    let mut offsets = vec![0usize; results.len()];
    for (part, shard) in &parts {
        let ids: Vec<&str> = part
            .results
            .controls
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        if ids
            != catalog
                .controls
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
        {
            return Err(format!(
                "`{}` evaluated other controls than this merge's catalog\n  hint: merge with the catalog flags and assay.yaml the shards used",
                part.origin
            ));
        }
        for control in &part.results.controls {
            let i = index[control.id.as_str()];
            let items = shard.items.get(&control.id).map_or(&[][..], |v| &v[..]);
            if items.len() != control.findings.len() {
                return Err(format!(
                    "`{}`: the item numbers of control `{}` do not match its findings\n  hint: give the results file as the shard wrote it",
                    part.origin, control.id
                ));
            }
            let offset = offsets[i];
            for (finding, item) in control.findings.iter().zip(items) {
                let item = match *item {
                    0 => 0,
                    n => n.checked_add(offset).ok_or_else(|| {
                        format!(
                            "`{}`: the item numbers of control `{}` are out of range",
                            part.origin, control.id
                        )
                    })?,
                };
                offsets[i] = offsets[i].max(item);
                results[i].findings.push(Finding {
                    item,
                    ..finding.clone()
                });
            }
        }
    }
    for r in &mut results {
        r.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    let waivers = merged_waivers(&parts)?;
    let started_at = parts
        .iter()
        .map(|(p, _)| p.results.scan.started_at.clone())
        .min()
        .unwrap_or_default();
    let mut merged = assemble(
        catalog,
        request,
        Inventory::default(),
        results,
        waivers,
        started_at.clone(),
    );
    // What the shards read is the same whole tree: the first shard's record of it stands.
    merged.scan = first.results.scan.clone();
    merged.scan.started_at = started_at;
    merged.scan.finished_at = parts
        .iter()
        .map(|(p, _)| p.results.scan.finished_at.clone())
        .max()
        .unwrap_or_default();
    merged.errors = first.results.errors.clone();
    merged.skipped = first.results.skipped.clone();
    merged.merged = Some(MergedReport {
        shards: parts.len() as u32,
        parts: parts
            .iter()
            .map(|(p, s)| MergedPart {
                part: s.part.clone(),
                pack_root: p.pack_root.clone(),
                results_sha256: crate::pack::digest::sha256_hex(
                    json::render(&p.results).as_bytes(),
                ),
            })
            .collect(),
    });
    Ok(merged)
}

/// The parts sorted by shard, each with its shard record, once every shard 1..=N of one
/// fan-out is there exactly once.
fn in_shard_order(parts: Vec<Part>) -> Result<Vec<(Part, ShardReport)>, String> {
    if parts.is_empty() {
        return Err("nothing to merge\n  hint: name the shards' packs or results files".into());
    }
    let mut by_index: BTreeMap<u32, (Part, ShardReport)> = BTreeMap::new();
    let mut count = None;
    for part in parts {
        let Some(record) = part.results.shard.clone() else {
            return Err(format!(
                "`{}` is not a shard's result\n  hint: merge what `assay scan --shard I/N` wrote",
                part.origin
            ));
        };
        let shard: Shard = record
            .part
            .parse()
            .map_err(|e| format!("`{}`: {e}", part.origin))?;
        match count {
            None => count = Some(shard.count()),
            Some(n) if n != shard.count() => {
                return Err(format!(
                    "`{}` is shard {shard} but the others are of {n} shards",
                    part.origin
                ))
            }
            Some(_) => {}
        }
        if let Some((earlier, _)) = by_index.get(&shard.index()) {
            return Err(format!(
                "shard {shard} is given twice: `{}` and `{}`",
                earlier.origin, part.origin
            ));
        }
        by_index.insert(shard.index(), (part, record));
    }
    let count = count.unwrap_or(1);
    let missing: Vec<String> = (1..=count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "shard {} missing: a merge needs every shard of the fan-out",
            missing.join(", ")
        ));
    }
    Ok(by_index.into_values().collect())
}

/// An error unless `first` and `part` agree on `what`.
fn agree<T: PartialEq>(
    first: &Part,
    part: &Part,
    what: &str,
    of: impl Fn(&Part) -> T,
) -> Result<(), String> {
    if of(first) == of(part) {
        Ok(())
    } else {
        Err(differ(first, part, what))
    }
}

fn differ(first: &Part, part: &Part, what: &str) -> String {
    format!(
        "`{}` and `{}` differ in their {what}: they are not shards of one scan\n  hint: run every shard on the same commit with the same catalog, assay.yaml, flags and assay version",
        first.origin, part.origin
    )
}

fn json_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The waivers as the whole scan reports them: each shard reports every waiver with the
/// findings it waived among its own; the counts add up.
fn merged_waivers(parts: &[(Part, ShardReport)]) -> Result<Vec<WaiverReport>, String> {
    let first = &parts[0].0;
    let mut merged = first.results.waivers.clone();
    for (part, _) in &parts[1..] {
        let same = part.results.waivers.len() == merged.len()
            && part.results.waivers.iter().zip(&merged).all(|(a, b)| {
                (&a.source, &a.path, a.line, &a.control) == (&b.source, &b.path, b.line, &b.control)
            });
        if !same {
            return Err(differ(first, part, "waivers"));
        }
        for (total, w) in merged.iter_mut().zip(&part.results.waivers) {
            total.findings += w.findings;
            if w.status == WaiverStatus::Applied && total.status == WaiverStatus::Unmatched {
                total.status = WaiverStatus::Applied;
            }
        }
    }
    Ok(merged)
}
