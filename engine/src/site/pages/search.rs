//! The search page and its index. The index is JSON wrapped in a script call (a plain JSON
//! file cannot be fetched from `file://`): `search/index.js` holds frameworks, requirements
//! and controls; findings follow in shards (`search/findings-N.js`) that the page loads only
//! when someone searches, so no file grows past a few MB.

use serde::Serialize;

use super::{crumb, here, implementation, page, pct, Index};
use crate::site::paths;
use crate::site::render::Site;
use crate::site::SiteInput;

/// Findings per shard of the index.
const SHARD: usize = 10_000;

/// One searchable entry: kind, title, detail, link (relative to the site's top).
type Entry = [String; 4];

#[derive(Serialize)]
struct IndexFile {
    shards: usize,
    items: Vec<Entry>,
}

#[derive(Serialize)]
struct SearchPage {
    controls: usize,
    requirements: usize,
    findings: usize,
}

pub fn render(site: &Site<'_>, input: &SiteInput<'_>, index: &Index<'_>) -> Result<(), String> {
    let r = input.results;
    let mut items: Vec<Entry> = Vec::new();
    for f in &r.frameworks {
        items.push([
            "framework".into(),
            f.name.clone(),
            format!("score {} · coverage {:.1}%", pct(f.score), f.coverage),
            paths::framework(&f.id),
        ]);
        for q in &f.requirements {
            items.push([
                "requirement".into(),
                format!("{} {}", f.name, q.id),
                q.title.clone(),
                paths::requirement(&f.id, &q.id),
            ]);
        }
    }
    for c in &r.controls {
        items.push([
            "control".into(),
            c.id.clone(),
            format!(
                "{} · {} · {} · {}",
                c.title,
                c.family,
                c.severity,
                implementation(c.status).1
            ),
            paths::control_page(&c.id, 1),
        ]);
    }
    let findings: Vec<Entry> = r
        .controls
        .iter()
        .flat_map(|c| {
            c.findings.iter().enumerate().map(move |(i, f)| {
                let mut detail = f.message.clone();
                if let Some(res) = &f.resource {
                    detail.push_str(" · ");
                    detail.push_str(res);
                }
                if let Some(l) = &f.location {
                    detail.push_str(" · ");
                    detail.push_str(&l.path);
                    if let Some(line) = l.line {
                        detail.push_str(&format!(":{line}"));
                    }
                }
                [
                    "finding".into(),
                    format!("{} · {}", c.id, f.status.as_str()),
                    detail,
                    paths::finding(&c.id, i),
                ]
            })
        })
        .collect();
    let shards: Vec<&[Entry]> = findings.chunks(SHARD).collect();
    for (n, shard) in shards.iter().enumerate() {
        site.write(&paths::search_shard(n), &script("shard", shard))?;
    }
    let requirements = r.frameworks.iter().map(|f| f.requirements.len()).sum();
    site.write(
        paths::SEARCH_INDEX,
        &script(
            "index",
            &IndexFile {
                shards: shards.len(),
                items,
            },
        ),
    )?;
    site.page(
        "search.html",
        paths::SEARCH,
        page(
            index,
            "Search",
            "search",
            vec![crumb("Overview", paths::OVERVIEW), here("Search")],
            &SearchPage {
                controls: r.controls.len(),
                requirements,
                findings: findings.len(),
            },
        ),
    )
}

/// `assaySearch.<call>(<json>);`, the form of every index file.
fn script<T: Serialize + ?Sized>(call: &str, data: &T) -> Vec<u8> {
    let json = serde_json::to_string(data).expect("search index serializes");
    format!("assaySearch.{call}({json});\n").into_bytes()
}
