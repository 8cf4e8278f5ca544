//! The waivers file (`schemas/waivers.schema.json`): read with positions, validated, its
//! dates and globs checked, every problem reported at once with file:line:column.

use std::path::Path;

use assay_collectors::confine;
use globset::{Glob, GlobSet, GlobSetBuilder};
use jiff::civil::Date;
use serde::Deserialize;

use crate::diag::Diagnostic;
use crate::parse::{read_yaml, LocatedValue};
use crate::schema::SchemaKind;

/// A loaded waivers file.
#[derive(Debug, Clone)]
pub struct WaiverFile {
    /// The file as outputs name it (root-relative when inside the scan root; see
    /// `scan::shown_path`).
    pub path: String,
    pub waivers: Vec<Waiver>,
    /// The parsed file, for diagnostics that point into it.
    pub source: LocatedValue,
}

/// One justified exception.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// Position in the file's `waivers` list.
    pub index: usize,
    /// Line of the entry.
    pub line: u32,
    pub control: String,
    pub scope: WaiverScope,
    pub justification: String,
    pub approved_by: Option<String>,
    pub created: Option<Date>,
    pub expires: Option<Date>,
    pub risk: Option<String>,
}

/// Which findings of the control a waiver covers.
#[derive(Debug, Clone, Default)]
pub struct WaiverScope {
    paths: Vec<String>,
    globs: Option<GlobSet>,
    resources: Vec<String>,
}

/// An entry as written, before dates and globs are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    control: String,
    #[serde(default)]
    scope: ScopeEntry,
    justification: String,
    approved_by: Option<String>,
    created: Option<String>,
    expires: Option<String>,
    risk: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScopeEntry {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    globs: Vec<String>,
    #[serde(default)]
    resources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntries {
    waivers: Vec<Entry>,
}

impl WaiverScope {
    /// Whether a finding at `path` about `resource` is covered. Paths and globs are
    /// alternatives for the file; resources, when listed, must match as well.
    pub fn covers(&self, path: Option<&str>, resource: Option<&str>) -> bool {
        let file_listed = !self.paths.is_empty() || self.globs.is_some();
        let file_ok = !file_listed
            || path.is_some_and(|p| {
                self.paths.iter().any(|x| x == p)
                    || self.globs.as_ref().is_some_and(|g| g.is_match(p))
            });
        let resource_ok = self.resources.is_empty()
            || resource.is_some_and(|r| self.resources.iter().any(|x| x == r));
        file_ok && resource_ok
    }
}

impl Waiver {
    /// Whether the waiver no longer applies on `today` (it holds through its expiry date).
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| e < today)
    }

    /// The JSON pointer of one of the entry's keys.
    pub fn pointer(&self, key: &str) -> String {
        format!("/waivers/{}/{key}", self.index)
    }
}

/// The largest waivers file read.
pub const MAX_WAIVERS_FILE: u64 = 16 * 1024 * 1024;

impl WaiverFile {
    /// Reads and checks the waivers file at `path` (named on the command line, or by a config
    /// file and resolved inside its directory): a regular file (a FIFO or device is never
    /// opened) of at most [`MAX_WAIVERS_FILE`] bytes.
    pub fn read(path: &Path) -> Result<WaiverFile, Vec<Diagnostic>> {
        let display = path.display().to_string();
        let bytes = confine::read_named(path, MAX_WAIVERS_FILE).map_err(|reason| {
            vec![
                Diagnostic::new(&display, format!("cannot read waivers file: {reason}"))
                    .hint("check the path given by --waivers or by `waivers:` in assay.yaml"),
            ]
        })?;
        Self::parse(&display, &bytes)
    }

    /// Parses and checks a waivers file held in memory.
    pub fn parse(path: &str, bytes: &[u8]) -> Result<WaiverFile, Vec<Diagnostic>> {
        let source = read_yaml(path, bytes, SchemaKind::Waivers)?;
        let entries: FileEntries = serde_json::from_value(source.value.clone())
            .map_err(|e| vec![Diagnostic::new(path, e.to_string())])?;
        let mut errors = Vec::new();
        let waivers: Vec<Waiver> = entries
            .waivers
            .into_iter()
            .enumerate()
            .map(|(index, entry)| compile(&source, index, entry, &mut errors))
            .collect();
        for w in &waivers {
            if let (Some(created), Some(expires)) = (w.created, w.expires) {
                if created > expires {
                    errors.push(
                        source
                            .diagnostic(
                                &w.pointer("expires"),
                                format!("waiver expires on {expires}, before it was created on {created}"),
                            )
                            .expected("`expires` on or after `created`"),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(WaiverFile {
                path: path.to_string(),
                waivers,
                source,
            })
        } else {
            errors.sort();
            Err(errors)
        }
    }
}

fn compile(
    source: &LocatedValue,
    index: usize,
    entry: Entry,
    errors: &mut Vec<Diagnostic>,
) -> Waiver {
    let at = |key: &str| format!("/waivers/{index}/{key}");
    let mut date = |key: &str, text: Option<String>| {
        let text = text?;
        match text.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(
                    source
                        .diagnostic(&at(key), format!("`{text}` is not a calendar date"))
                        .expected("a date written YYYY-MM-DD, such as 2025-06-30"),
                );
                None
            }
        }
    };
    let created = date("created", entry.created);
    let expires = date("expires", entry.expires);
    let globs = if entry.scope.globs.is_empty() {
        None
    } else {
        let mut builder = GlobSetBuilder::new();
        for (i, g) in entry.scope.globs.iter().enumerate() {
            match Glob::new(g) {
                Ok(glob) => {
                    builder.add(glob);
                }
                Err(e) => errors.push(
                    source
                        .diagnostic(
                            &at(&format!("scope/globs/{i}")),
                            format!("invalid glob `{g}`: {}", e.kind()),
                        )
                        .expected("a glob such as `legacy/**/*.yaml`"),
                ),
            }
        }
        builder.build().ok()
    };
    Waiver {
        index,
        line: source.line(&format!("/waivers/{index}")),
        control: entry.control,
        scope: WaiverScope {
            paths: entry.scope.paths,
            globs,
            resources: entry.scope.resources,
        },
        justification: entry.justification,
        approved_by: entry.approved_by,
        created,
        expires,
        risk: entry.risk,
    }
}

/// The dates of a waiver as the results print them.
pub fn date_text(date: Option<Date>) -> Option<String> {
    date.map(|d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_and_scopes() {
        let text = "waivers:\n  - control: k8s-x\n    scope:\n      globs: [\"legacy/**\"]\n      resources: [Pod/default/a]\n    justification: legacy\n    expires: 2030-01-31\n";
        let file = WaiverFile::parse("w.yaml", text.as_bytes()).unwrap();
        let w = &file.waivers[0];
        assert_eq!(w.line, 2);
        assert!(w.scope.covers(Some("legacy/a.yaml"), Some("Pod/default/a")));
        assert!(!w.scope.covers(Some("legacy/a.yaml"), Some("Pod/default/b")));
        assert!(!w.scope.covers(Some("new/a.yaml"), Some("Pod/default/a")));
        assert!(!w.expired("2030-01-31".parse().unwrap()));
        assert!(w.expired("2030-02-01".parse().unwrap()));
    }

    #[test]
    fn locates_bad_dates_globs_and_order() {
        let text = "waivers:\n  - control: k8s-x\n    justification: j\n    created: 2024-05-01\n    expires: 2024-02-30\n  - control: k8s-y\n    justification: j\n    scope: {globs: [\"a[\"]}\n    created: 2024-05-01\n    expires: 2024-04-01\n";
        let errors = WaiverFile::parse("w.yaml", text.as_bytes()).unwrap_err();
        let shown: Vec<String> = errors
            .iter()
            .map(|d| format!("{}: {}", d.location(), d.message))
            .collect();
        assert_eq!(
            shown,
            vec![
                "w.yaml:5:5: `2024-02-30` is not a calendar date".to_string(),
                "w.yaml:8:21: invalid glob `a[`: unclosed character class; missing ']'".to_string(),
                "w.yaml:10:5: waiver expires on 2024-04-01, before it was created on 2024-05-01"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn schema_requires_a_justification() {
        let errors = WaiverFile::parse("w.yaml", b"waivers:\n  - control: k8s-x\n").unwrap_err();
        assert_eq!(errors[0].message, "missing required key `justification`");
        assert_eq!(errors[0].position.map(|p| p.line), Some(2));
    }
}
