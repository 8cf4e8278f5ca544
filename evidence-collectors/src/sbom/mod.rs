//! The SBOM collector: CycloneDX (JSON and XML, 1.4–1.6) and SPDX (JSON and tag-value, 2.2 and
//! 2.3) bills of materials, normalized to one document shape with NTIA minimum elements,
//! license policy verdicts and vulnerability remediation deadlines; in-toto / SLSA provenance
//! statements with their subjects checked against the files of the scan root; and one
//! `inventory` document listing what was found, so that a missing SBOM can fail a control.
//!
//! Files are found by name (`bom.json`, `*.cdx.json`, `*.spdx`, `*.spdx.json`,
//! `*.intoto.jsonl`, `*.provenance.json`, …) or, for other `.json` / `.xml` files, by content;
//! `collectors.sbom.paths` in `assay.yaml` replaces that convention with globs.

mod cyclonedx;
mod dsse;
mod lenient;
mod license;
mod model;
mod provenance;
mod release;
mod settings;
mod slsa;
mod spdx;
mod tag_value;
mod vex;
mod xml;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub use license::{License, LicensePolicy, Verdict, DEFAULT_DENY};
pub use model::Deadlines;
pub use settings::Plan;

use crate::collector::{Collection, Collector, Scope, SkippedFile, SourceError};
use crate::confine;
use crate::document::{Document, EvidenceKind, Format};
use crate::formats::{self, Parsed};
use crate::lines::{LineMap, Position};
use model::Judgement;
use provenance::FileIndex;

/// Collects SBOMs and provenance statements.
pub struct SbomCollector;

/// Files larger than this are skipped with a note.
const MAX_SIZE: u64 = 512 * 1024 * 1024;
/// The object keys on the paths the normalized model points into (`at` in `cyclonedx` and
/// `spdx`): positions are recorded for nodes reached through these keys and array elements
/// only, not for every leaf of a large SBOM.
const LOCATED_KEYS: [&str; 17] = [
    "metadata",
    "timestamp",
    "authors",
    "tools",
    "component",
    "components",
    "licenses",
    "dependencies",
    "vulnerabilities",
    "packages",
    "licenseConcluded",
    "licenseDeclared",
    "externalRefs",
    "relationships",
    "creationInfo",
    "created",
    "creators",
];
fn located(key: &str) -> bool {
    LOCATED_KEYS.contains(&key)
}

/// How many leading bytes are read to recognize a file by its content.
const SNIFF: u64 = 64 * 1024;

/// What a file holds, judged by its name and first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    CycloneDxJson,
    CycloneDxXml,
    SpdxJson,
    SpdxTagValue,
    /// SPDX 3 JSON-LD, recognized but not read.
    Spdx3,
    /// In-toto statements; `true` when one per line.
    Provenance(bool),
}

impl Kind {
    fn format(self) -> Format {
        match self {
            Kind::CycloneDxXml => Format::Xml,
            Kind::SpdxTagValue => Format::TagValue,
            Kind::Provenance(true) => Format::Jsonl,
            _ => Format::Json,
        }
    }
}

fn sniff(root: &Path, relative: &str) -> String {
    let mut head = Vec::new();
    if let Ok((file, _)) = confine::open(root, relative, u64::MAX) {
        let _ = file.take(SNIFF).read_to_end(&mut head);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// The kind of a file, or `None` when it is neither an SBOM nor a statement. `named` files
/// (configured paths) are taken even when their content is not recognized.
fn classify(relative: &str, root: &Path, configured: bool) -> Option<Kind> {
    classify_by(relative, configured, || sniff(root, relative))
}

/// [`classify`] with the file's first bytes given by `head` (called for `.json` and `.xml`
/// names only).
fn classify_by(relative: &str, configured: bool, head: impl FnOnce() -> String) -> Option<Kind> {
    let name = relative
        .rsplit('/')
        .next()
        .unwrap_or(relative)
        .to_ascii_lowercase();
    if let Some(per_line) = provenance::is_statement_file(&name) {
        return Some(Kind::Provenance(per_line));
    }
    if name.ends_with(".spdx") {
        return Some(Kind::SpdxTagValue);
    }
    let named_cyclonedx = ["bom", "sbom"]
        .iter()
        .any(|stem| name.starts_with(&format!("{stem}.")))
        || [".cdx.", ".bom.", ".sbom."]
            .iter()
            .any(|m| name.contains(m));
    if name.ends_with(".json") {
        let head = head();
        if head.contains("\"spdxVersion\"") {
            return Some(Kind::SpdxJson);
        }
        if head.contains("\"@context\"") && head.contains("spdx.org/rdf/3") {
            return Some(Kind::Spdx3);
        }
        if head.contains("\"bomFormat\"") && head.contains("CycloneDX") {
            return Some(Kind::CycloneDxJson);
        }
        if provenance::looks_like_statement(&head) {
            return Some(Kind::Provenance(false));
        }
        if name.ends_with(".spdx.json") {
            return Some(Kind::SpdxJson);
        }
        return (named_cyclonedx || configured).then_some(Kind::CycloneDxJson);
    }
    if name.ends_with(".xml") {
        let head = head();
        if head.contains("cyclonedx.org/schema/bom") || named_cyclonedx || configured {
            return Some(Kind::CycloneDxXml);
        }
    }
    None
}

impl Collector for SbomCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Sbom
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        let plan = Plan::new(scope.settings_of(EvidenceKind::Sbom))?;
        scope.root_dir()?;
        let (files, found, index) = discover(scope, &plan);
        let outcomes: Vec<Outcome> = found
            .par_iter()
            .map(|(relative, kind)| read_file(relative, *kind, &plan, &index, scope))
            .collect();
        let vex = vex::Vex::gather(outcomes.iter().filter_map(|o| match o {
            Outcome::Sbom(read) => Some((read.relative.as_str(), &read.sbom)),
            Outcome::Done(_) => None,
        }));
        let judge = Judgement {
            policy: &plan.policy,
            deadlines: &plan.deadlines,
            now: jiff::Timestamp::try_from(scope.now).unwrap_or_else(|_| jiff::Timestamp::now()),
            vex: &vex,
        };
        let results: Vec<Collection> = outcomes
            .into_par_iter()
            .map(|outcome| match outcome {
                Outcome::Done(collection) => collection,
                Outcome::Sbom(read) => read.finish(&judge),
            })
            .collect();
        let mut collection = Collection::default();
        for result in results {
            collection.extend(result);
        }
        collection.sort();
        collection.documents.push(inventory(&collection));
        let read: BTreeSet<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
        let artifacts = release::artifacts(
            &plan.release,
            &files,
            &read,
            &collection.documents,
            &scope.root,
        );
        collection.documents.extend(artifacts);
        collection.sort();
        Ok(collection)
    }
}

/// The SBOMs the SBOM collector reads under a scope's settings, for the config collector to
/// leave to it: held as a generic JSON document as well, with a position for every node, an
/// SBOM of a few megabytes would cost tens of times its size a second time.
pub struct Claimed(Option<Option<globset::GlobSet>>);

impl Claimed {
    /// What the scope's `collectors.sbom` settings claim; nothing when they are invalid (the
    /// SBOM collector reports them).
    pub fn of(scope: &Scope) -> Claimed {
        Claimed(
            Plan::new(scope.settings_of(EvidenceKind::Sbom))
                .ok()
                .map(|plan| plan.paths),
        )
    }

    /// Whether the file at `relative`, whose content starts with `head`, is a CycloneDX or
    /// SPDX 2 SBOM the SBOM collector reads (SPDX 3 documents, which it does not read, and
    /// provenance statements are not claimed).
    pub fn claims(&self, relative: &str, head: &[u8]) -> bool {
        let Some(paths) = &self.0 else {
            return false;
        };
        let configured = paths.as_ref().map(|p| p.is_match(relative));
        if configured == Some(false) {
            return false;
        }
        let head = || String::from_utf8_lossy(&head[..head.len().min(SNIFF as usize)]).into_owned();
        matches!(
            classify_by(relative, configured == Some(true), head),
            Some(Kind::CycloneDxJson | Kind::CycloneDxXml | Kind::SpdxJson | Kind::SpdxTagValue)
        )
    }
}

/// The files under the root the scan admits, the SBOM and statement files among them, and an
/// index of every file by base name.
fn discover(scope: &Scope, plan: &Plan) -> (Vec<String>, Vec<(String, Kind)>, FileIndex) {
    let all = scope.files(&|_| true);
    let mut index = FileIndex::new();
    for relative in &all {
        let base = relative.rsplit('/').next().unwrap_or(relative).to_string();
        index.entry(base).or_default().push(relative.clone());
    }
    let found = all
        .par_iter()
        .filter(|relative| scope.admits(relative))
        .filter_map(|relative| {
            let configured = plan.paths.as_ref().map(|p| p.is_match(relative));
            if configured == Some(false) {
                return None;
            }
            classify(relative, &scope.root, configured == Some(true))
                .map(|kind| (relative.clone(), kind))
        })
        .collect();
    let admitted = all.into_iter().filter(|r| scope.admits(r)).collect();
    (admitted, found, index)
}

fn single_error(
    relative: &str,
    position: Option<Position>,
    message: String,
    hint: &str,
) -> Collection {
    Collection {
        errors: vec![SourceError {
            path: relative.to_string(),
            position,
            message,
            hint: Some(hint.into()),
        }],
        ..Collection::default()
    }
}

/// What reading one file gave: its documents and errors, or a normalized SBOM whose facts wait
/// for the VEX statements of the whole scan.
enum Outcome {
    Done(Collection),
    Sbom(Box<ReadSbom>),
}

/// A normalized SBOM, and what its document needs.
struct ReadSbom {
    relative: String,
    kind: Kind,
    digest: Arc<str>,
    sbom: model::Sbom,
}

impl ReadSbom {
    fn finish(self, judge: &Judgement<'_>) -> Collection {
        let (data, lines) = self.sbom.facts(judge);
        Collection {
            documents: vec![document(
                &self.relative,
                self.kind,
                &self.digest,
                0,
                data,
                lines,
            )],
            ..Collection::default()
        }
    }
}

fn document(
    relative: &str,
    kind: Kind,
    digest: &Arc<str>,
    index: usize,
    data: Value,
    lines: LineMap,
) -> Document {
    Document {
        kind: EvidenceKind::Sbom,
        format: kind.format(),
        path: relative.into(),
        index,
        data,
        lines,
        digest: digest.clone(),
        suppressions: Arc::default(),
    }
}

fn read_file(relative: &str, kind: Kind, plan: &Plan, index: &FileIndex, scope: &Scope) -> Outcome {
    let skip = |reason: String| Collection {
        skipped: vec![SkippedFile {
            path: relative.to_string(),
            reason,
        }],
        ..Collection::default()
    };
    if kind == Kind::Spdx3 {
        return Outcome::Done(skip(
            "SPDX 3.0 JSON-LD is not supported yet; export the SBOM as SPDX 2.3 or CycloneDX"
                .into(),
        ));
    }
    let bytes = match confine::read(&scope.root, relative, MAX_SIZE) {
        Ok(bytes) => bytes,
        Err(reason) => return Outcome::Done(Collection::unread(relative, reason)),
    };
    let digest: Arc<str> = hex::encode(Sha256::digest(&bytes)).into();
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t),
        Err(e) => {
            return Outcome::Done(single_error(
                relative,
                None,
                format!(
                    "not UTF-8 text (invalid byte at offset {})",
                    e.valid_up_to()
                ),
                "SBOMs are read as UTF-8 JSON, XML or SPDX tag-value",
            ))
        }
    };
    if let Kind::Provenance(per_line) = kind {
        return Outcome::Done(match provenance::read(text, per_line) {
            Ok(statements) => {
                let dir = relative.rsplit_once('/').map_or("", |(d, _)| d);
                Collection {
                    documents: statements
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            let (data, lines) =
                                provenance::facts(s, dir, index, &scope.root, plan);
                            document(relative, kind, &digest, i, data, lines)
                        })
                        .collect(),
                    ..Collection::default()
                }
            }
            Err(e) => single_error(
                relative,
                Some(e.position),
                format!("invalid provenance statement: {}", e.message),
                "a provenance file holds an in-toto statement or a DSSE envelope (one per line in .intoto.jsonl)",
            ),
        });
    }
    let read = match kind {
        Kind::CycloneDxJson => formats::json::parse_typed(text, located).map(cyclonedx_of),
        Kind::CycloneDxXml => {
            xml::parse(text, LineMap::keeping(located)).map(|p| cyclonedx_of(from_tree(p)))
        }
        Kind::SpdxJson => formats::json::parse_typed(text, located).map(spdx_of),
        // SPDX tag-value (SPDX 3 and statements were handled above).
        _ => tag_value::parse(text).map(|p| spdx_of(from_tree(p))),
    };
    // The normalized model holds what the facts need: free the raw bytes before building them.
    drop(bytes);
    match read {
        Ok(Ok(sbom)) => Outcome::Sbom(Box::new(ReadSbom {
            relative: relative.to_string(),
            kind,
            digest,
            sbom,
        })),
        Ok(Err(root)) => Outcome::Done(single_error(
            relative,
            root,
            "not a CycloneDX BOM: `bomFormat` is not `CycloneDX`".into(),
            "name CycloneDX files `*.cdx.json` / `bom.json`, or exclude this file",
        )),
        Err(e) => Outcome::Done(single_error(
            relative,
            Some(e.position),
            format!("invalid {}: {}", describe(kind), e.message),
            "fix the syntax, or exclude the file from the scan if it is not an SBOM",
        )),
    }
}

/// Reads the members a normalizer needs from a value tree (formats converted to the JSON
/// shape), freeing the tree as it goes. Lenient members take any value, so this cannot fail.
fn from_tree<T: Default + serde::de::DeserializeOwned>(parsed: Parsed) -> (T, LineMap) {
    (
        serde_json::from_value(parsed.data).unwrap_or_default(),
        parsed.lines,
    )
}

/// The normalized CycloneDX BOM, located in its source with positions `lines`; or, when the
/// document does not say it is a CycloneDX BOM, where it starts.
fn cyclonedx_of((bom, lines): (cyclonedx::Bom, LineMap)) -> Result<model::Sbom, Option<Position>> {
    if bom.is_cyclonedx() {
        Ok(cyclonedx::normalize(bom, &lines))
    } else {
        Err(lines.position(""))
    }
}

fn spdx_of((document, lines): (spdx::Document, LineMap)) -> Result<model::Sbom, Option<Position>> {
    Ok(spdx::normalize(document, &lines))
}

fn describe(kind: Kind) -> &'static str {
    match kind {
        Kind::CycloneDxJson => "CycloneDX JSON",
        Kind::CycloneDxXml => "CycloneDX XML",
        Kind::SpdxJson => "SPDX JSON",
        Kind::SpdxTagValue => "SPDX tag-value",
        Kind::Spdx3 => "SPDX 3 JSON-LD",
        Kind::Provenance(_) => "provenance statement",
    }
}

/// The inventory of the scan: which SBOMs and statements were found. Its path is `.` (the
/// scan root); it is no file, so it has no digest (the files it lists have theirs).
fn inventory(collection: &Collection) -> Document {
    let of_type = |t: &str| {
        collection
            .documents
            .iter()
            .filter(|d| d.data.get("type").and_then(Value::as_str) == Some(t))
            .collect::<Vec<_>>()
    };
    let sboms = of_type("sbom");
    let statements = of_type("provenance");
    let data = json!({
        "type": "inventory",
        "sbom_count": sboms.len(),
        "sboms": sboms.iter().map(|d| json!({
            "path": d.path.as_ref(),
            "format": d.data["format"],
            "spec_version": d.data["spec_version"],
        })).collect::<Vec<_>>(),
        "provenance_count": statements.len(),
        "provenance": statements.iter().map(|d| d.path.as_ref()).collect::<Vec<_>>(),
        "unsupported": collection.skipped.iter().map(|s| json!({"path": s.path, "reason": s.reason})).collect::<Vec<_>>(),
        "unreadable": collection.errors.iter().map(|e| e.path.clone()).collect::<Vec<_>>(),
    });
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    Document {
        kind: EvidenceKind::Sbom,
        format: Format::Json,
        path: ".".into(),
        index: 0,
        data,
        lines,
        digest: "".into(),
        suppressions: Arc::default(),
    }
}
