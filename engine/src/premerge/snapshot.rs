//! A snapshot of one revision: the raw findings (before waivers) of every control that reads
//! config files, with what the collector read per file. Cached on disk for the base, and
//! patched with the changed files to give the working tree.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use assay_collectors::suppress::Suppression;
use assay_collectors::{Collection, Document, Format, Position, SkippedFile, SourceError};
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Control};
use crate::eval::ControlResult;
use crate::model::Finding;
use crate::scan::Inventory;
use crate::waiver::SuppressionMap;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// Raw findings by control id.
    #[serde(with = "numbered")]
    pub findings: BTreeMap<String, Vec<Finding>>,
    /// What was read of each file.
    pub files: BTreeMap<String, FileRead>,
    /// Inline suppressions per file.
    pub suppressions: BTreeMap<String, Vec<StoredSuppression>>,
    pub errors: Vec<StoredError>,
    pub skipped: Vec<StoredSkip>,
}

/// What the collector read of one file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileRead {
    pub documents: usize,
    /// The formats its documents were parsed as.
    pub formats: BTreeSet<Format>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredSuppression {
    line: u32,
    column: u32,
    control: String,
    reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredError {
    path: String,
    position: Option<(u32, u32)>,
    message: String,
    hint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredSkip {
    path: String,
    reason: String,
}

impl Snapshot {
    /// What `collection` holds, with `findings` (by control id) over it.
    pub fn new(collection: &Collection, findings: BTreeMap<String, Vec<Finding>>) -> Snapshot {
        Snapshot::of_documents(collection, &|_| true, findings)
    }

    /// Like [`Snapshot::new`], counting only the documents `keep` accepts.
    pub fn of_documents(
        collection: &Collection,
        keep: &dyn Fn(&Document) -> bool,
        findings: BTreeMap<String, Vec<Finding>>,
    ) -> Snapshot {
        let mut snapshot = Snapshot {
            findings,
            ..Snapshot::default()
        };
        snapshot.add_files(collection, keep);
        snapshot
    }

    /// Adds the findings and what was read of `other`, a snapshot of other controls and
    /// other evidence; a note both made is kept once.
    pub fn merge(&mut self, other: Snapshot) {
        self.findings.extend(other.findings);
        for (path, read) in other.files {
            let file = self.files.entry(path).or_default();
            file.documents += read.documents;
            file.formats.extend(read.formats);
        }
        self.suppressions.extend(other.suppressions);
        self.errors.extend(other.errors);
        self.errors.sort_by(|a, b| {
            (&a.path, a.position, &a.message).cmp(&(&b.path, b.position, &b.message))
        });
        self.errors.dedup();
        self.skipped.extend(other.skipped);
        self.skipped
            .sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
        self.skipped.dedup();
    }

    fn add_files(&mut self, collection: &Collection, keep: &dyn Fn(&Document) -> bool) {
        for doc in collection.documents.iter().filter(|d| keep(d)) {
            let file = self.files.entry(doc.path.to_string()).or_default();
            file.documents += 1;
            file.formats.insert(doc.format);
            if !doc.suppressions.is_empty() {
                self.suppressions
                    .entry(doc.path.to_string())
                    .or_insert_with(|| {
                        doc.suppressions
                            .iter()
                            .map(|s| StoredSuppression {
                                line: s.position.line,
                                column: s.position.column,
                                control: s.control.clone(),
                                reason: s.reason.clone(),
                            })
                            .collect()
                    });
            }
        }
        self.errors
            .extend(collection.errors.iter().map(|e| StoredError {
                path: e.path.clone(),
                position: e.position.map(|p| (p.line, p.column)),
                message: e.message.clone(),
                hint: e.hint.clone(),
            }));
        self.skipped
            .extend(collection.skipped.iter().map(|s| StoredSkip {
                path: s.path.clone(),
                reason: s.reason.clone(),
            }));
    }

    /// This snapshot with the files at `changed` replaced by what `head` read of them, and
    /// the findings of the controls in `evaluated` replaced.
    pub fn patched(
        &self,
        changed: &BTreeSet<String>,
        head: &Collection,
        evaluated: BTreeMap<String, Vec<Finding>>,
    ) -> Snapshot {
        let keep = |path: &String| !changed.contains(path);
        let mut next = Snapshot {
            findings: self.findings.clone(),
            files: self
                .files
                .iter()
                .filter(|(p, _)| keep(p))
                .map(|(p, read)| (p.clone(), read.clone()))
                .collect(),
            suppressions: self
                .suppressions
                .iter()
                .filter(|(p, _)| keep(p))
                .map(|(p, s)| (p.clone(), s.clone()))
                .collect(),
            errors: self
                .errors
                .iter()
                .filter(|e| keep(&e.path))
                .cloned()
                .collect(),
            skipped: self
                .skipped
                .iter()
                .filter(|s| keep(&s.path))
                .cloned()
                .collect(),
        };
        next.add_files(head, &|_| true);
        next.findings.extend(evaluated);
        next
    }

    /// The findings of every control of the snapshot, as control results in catalog order.
    pub fn into_results(mut self, catalog: &Catalog) -> Vec<ControlResult> {
        catalog
            .controls
            .iter()
            .filter_map(|control| {
                Some(ControlResult {
                    control: control.clone(),
                    findings: self.findings.remove(&control.id)?,
                })
            })
            .collect()
    }

    /// Whether every finding of `control` names its file, so that the findings on unchanged
    /// files can be kept when others change.
    pub fn located(&self, control: &Control) -> bool {
        self.findings
            .get(&control.id)
            .is_some_and(|fs| fs.iter().all(|f| f.location.is_some()))
    }

    /// The findings of `control` on files outside `changed`.
    pub fn findings_outside(&self, control: &Control, changed: &BTreeSet<String>) -> Vec<Finding> {
        self.findings
            .get(&control.id)
            .map(|fs| {
                fs.iter()
                    .filter(|f| {
                        f.location
                            .as_ref()
                            .is_none_or(|l| !changed.contains(&l.path))
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The inline suppressions, as waivers are applied from them.
    pub fn suppression_map(&self) -> SuppressionMap {
        self.suppressions
            .iter()
            .map(|(path, list)| {
                let list: Arc<[Suppression]> = list
                    .iter()
                    .map(|s| Suppression {
                        position: Position::new(s.line, s.column),
                        control: s.control.clone(),
                        reason: s.reason.clone(),
                    })
                    .collect();
                (path.clone(), list)
            })
            .collect()
    }

    /// What the collector read, as the results report it.
    pub fn inventory(&self) -> Inventory {
        let mut skipped: Vec<&StoredSkip> = self.skipped.iter().collect();
        skipped.sort_by(|a, b| a.path.cmp(&b.path));
        Inventory {
            documents: self.files.values().map(|f| f.documents).sum(),
            files: self.files.len(),
            errors: self
                .errors
                .iter()
                .map(|e| SourceError {
                    path: e.path.clone(),
                    position: e.position.map(|(l, c)| Position::new(l, c)),
                    message: e.message.clone(),
                    hint: e.hint.clone(),
                })
                .collect(),
            skipped: skipped
                .into_iter()
                .map(|s| SkippedFile {
                    path: s.path.clone(),
                    reason: s.reason.clone(),
                })
                .collect(),
        }
    }
}

/// Findings stored with the item each judges ([`Finding::item`] is no part of the outputs, but
/// scores count items, so a base read from the cache must keep it).
mod numbered {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::model::Finding;

    pub fn serialize<S: Serializer>(
        findings: &BTreeMap<String, Vec<Finding>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let numbered: BTreeMap<&String, Vec<(usize, &Finding)>> = findings
            .iter()
            .map(|(id, fs)| (id, fs.iter().map(|f| (f.item, f)).collect()))
            .collect();
        numbered.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, Vec<Finding>>, D::Error> {
        let numbered = BTreeMap::<String, Vec<(usize, Finding)>>::deserialize(deserializer)?;
        Ok(numbered
            .into_iter()
            .map(|(id, fs)| {
                let findings = fs
                    .into_iter()
                    .map(|(item, mut f)| {
                        f.item = item;
                        f
                    })
                    .collect();
                (id, findings)
            })
            .collect())
    }
}

/// The findings of `results`, by control id.
pub fn by_control(results: Vec<ControlResult>) -> BTreeMap<String, Vec<Finding>> {
    results
        .into_iter()
        .map(|r| (r.control.id.clone(), r.findings))
        .collect()
}
