//! Release folders (`collectors.sbom.release`, default `dist`): every artifact there, with the
//! provenance statements and SBOMs that cover it.
//!
//! An artifact is a file under a release folder that is not release metadata: not an SBOM or
//! statement the collector read, not a signature, certificate, checksum list or packaging
//! manifest ([`METADATA_SUFFIXES`], [`METADATA_NAMES`]), not a dotfile, and not matched by
//! `release.ignore`. A statement covers it when one of its subjects has the artifact's sha256
//! digest. An SBOM describes it when the SBOM is its sibling named `<artifact>.<suffix>`
//! (`app.tar.gz.cdx.json`, `app.tar.gz.spdx.json`), or when the component the SBOM describes
//! has the artifact's file name or its sha256 digest.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde_json::{json, Value};

use super::settings::ReleaseSettings;
use crate::document::{Document, EvidenceKind, Format};
use crate::lines::{LineMap, Position};

/// Name endings of release metadata: signatures, certificates, checksums, attestations, SBOMs.
pub const METADATA_SUFFIXES: [&str; 22] = [
    ".sig",
    ".asc",
    ".pem",
    ".crt",
    ".cert",
    ".sigstore",
    ".sigstore.json",
    ".bundle",
    ".att",
    ".sha256",
    ".sha512",
    ".sha256sum",
    ".sha512sum",
    ".md5",
    "checksums.txt",
    ".intoto.json",
    ".intoto.jsonl",
    ".provenance.json",
    ".cdx.json",
    ".cdx.xml",
    ".spdx",
    ".spdx.json",
];

/// Names of release metadata files (goreleaser's manifests among them).
pub const METADATA_NAMES: [&str; 7] = [
    "provenance.json",
    "sha256sums",
    "sha512sums",
    "checksums",
    "artifacts.json",
    "metadata.json",
    "config.yaml",
];

/// The release folders and what is not an artifact there.
pub struct Release {
    dirs: Vec<String>,
    ignore: GlobSet,
}

impl Release {
    /// Checks the settings; an error names the key at fault.
    pub fn new(settings: &ReleaseSettings) -> Result<Release, (String, String)> {
        let dirs = settings
            .dirs
            .clone()
            .unwrap_or_else(|| vec!["dist".to_string()])
            .iter()
            .map(|d| {
                let d = d.trim_start_matches("./").trim_end_matches('/');
                if d == "." { "" } else { d }.to_string()
            })
            .collect();
        let mut builder = GlobSetBuilder::new();
        for (i, g) in settings.ignore.iter().enumerate() {
            builder.add(Glob::new(g).map_err(|e| {
                (
                    format!("ignore[{i}]"),
                    format!("invalid glob `{g}`: {}", e.kind()),
                )
            })?);
        }
        let ignore = builder
            .build()
            .map_err(|e| ("ignore".to_string(), e.to_string()))?;
        Ok(Release { dirs, ignore })
    }

    /// The release folder `relative` lies in, if any.
    fn dir_of(&self, relative: &str) -> Option<&str> {
        self.dirs
            .iter()
            .find(|d| d.is_empty() || relative.starts_with(&format!("{d}/")))
            .map(String::as_str)
    }

    /// Whether the file `relative` (not read by the collector) is an artifact.
    fn is_artifact(&self, relative: &str) -> bool {
        let name = relative
            .rsplit('/')
            .next()
            .unwrap_or(relative)
            .to_ascii_lowercase();
        !name.starts_with('.')
            && !METADATA_NAMES.contains(&name.as_str())
            && !METADATA_SUFFIXES.iter().any(|s| name.ends_with(s))
            && !self.ignore.is_match(relative)
    }
}

/// One document per artifact of the release folders among `files`; `read` are the files the
/// collector read as SBOMs or statements, `documents` what it drew from them.
pub fn artifacts(
    release: &Release,
    files: &[String],
    read: &BTreeSet<&str>,
    documents: &[Document],
    root: &Path,
) -> Vec<Document> {
    let of_type = |t: &str| {
        documents
            .iter()
            .filter(|d| d.data["type"] == t)
            .collect::<Vec<_>>()
    };
    let statements = of_type("provenance");
    let sboms = of_type("sbom");
    files
        .par_iter()
        .filter_map(|f| Some((f, release.dir_of(f)?)))
        .filter(|(f, _)| !read.contains(f.as_str()) && release.is_artifact(f))
        .map(|(relative, dir)| {
            let sha256 = super::provenance::file_digest(root, relative, "sha256");
            let name = relative.rsplit('/').next().unwrap_or(relative);
            let folder = relative.rsplit_once('/').map_or("", |(d, _)| d);
            let covering: Vec<Value> = statements
                .iter()
                .filter(|s| {
                    sha256.is_some()
                        && s.data["subjects"].as_array().is_some_and(|subjects| {
                            subjects.iter().any(|subject| {
                                subject["digest"]["sha256"].as_str() == sha256.as_deref()
                            })
                        })
                })
                .map(|s| json!({"file": s.path.as_ref(), "signature": s.data["signature"]["status"]}))
                .collect();
            let describing: Vec<Value> = sboms
                .iter()
                .filter_map(|s| {
                    let how = describes(s, name, folder, sha256.as_deref())?;
                    Some(json!({"file": s.path.as_ref(), "by": how}))
                })
                .collect();
            let data = json!({
                "type": "release_artifact",
                "release_dir": dir,
                "name": name,
                "sha256": sha256.clone(),
                "provenance": covering,
                "provenance_count": covering.len(),
                "sboms": describing,
                "sbom_count": describing.len(),
            });
            let mut lines = LineMap::new();
            lines.insert(String::new(), Position::new(1, 1));
            Document {
                kind: EvidenceKind::Sbom,
                format: Format::Artifact,
                path: relative.as_str().into(),
                index: 0,
                data,
                lines,
                digest: Arc::from(sha256.unwrap_or_default()),
                suppressions: Arc::default(),
            }
        })
        .collect()
}

/// How the SBOM `sbom` describes the artifact `name` in `folder` with digest `sha256`: as its
/// sibling, by the described component's name, or by its digest.
fn describes(
    sbom: &Document,
    name: &str,
    folder: &str,
    sha256: Option<&str>,
) -> Option<&'static str> {
    let path: &str = &sbom.path;
    let (sbom_folder, sbom_name) = path.rsplit_once('/').unwrap_or(("", path));
    if sbom_folder == folder
        && sbom_name
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('.'))
    {
        return Some("sibling");
    }
    let primary = &sbom.data["primary"];
    if primary["name"].as_str() == Some(name) {
        return Some("name");
    }
    let digest_matches = primary["hashes"].as_array().is_some_and(|hashes| {
        hashes.iter().any(|h| {
            let alg = h["alg"].as_str().unwrap_or_default().replace('-', "");
            alg.eq_ignore_ascii_case("sha256")
                && h["value"]
                    .as_str()
                    .is_some_and(|v| Some(v.to_ascii_lowercase().as_str()) == sha256)
        })
    });
    digest_matches.then_some("digest")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn doc(path: &str, data: Value) -> Document {
        Document {
            kind: EvidenceKind::Sbom,
            format: Format::Json,
            path: path.into(),
            index: 0,
            data,
            lines: LineMap::new(),
            digest: "".into(),
            suppressions: Arc::default(),
        }
    }

    #[test]
    fn artifacts_need_a_statement_and_an_sbom() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("dist")).unwrap();
        for name in [
            "app",
            "cli",
            "lib.tar.gz",
            "checksums.txt",
            "app.sig",
            ".keep",
        ] {
            std::fs::write(dir.path().join("dist").join(name), name).unwrap();
        }
        let digest = |s: &str| hex::encode(Sha256::digest(s));
        let files: Vec<String> = [
            "README.md",
            "dist/.keep",
            "dist/app",
            "dist/app.cdx.json",
            "dist/app.sig",
            "dist/checksums.txt",
            "dist/cli",
            "dist/lib.tar.gz",
            "dist/provenance.json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let documents = vec![
            doc(
                "dist/provenance.json",
                json!({"type": "provenance", "signature": {"status": "verified"},
                       "subjects": [{"digest": {"sha256": digest("app")}},
                                    {"digest": {"sha256": digest("lib.tar.gz")}}]}),
            ),
            doc(
                "dist/app.cdx.json",
                json!({"type": "sbom", "primary": {"name": "other"}}),
            ),
            doc(
                "sbom/lib.spdx.json",
                json!({"type": "sbom", "primary": {"name": "lib",
                       "hashes": [{"alg": "SHA-256", "value": digest("lib.tar.gz").to_uppercase()}]}}),
            ),
            doc(
                "sbom/cli.spdx.json",
                json!({"type": "sbom", "primary": {"name": "cli"}}),
            ),
        ];
        let read: BTreeSet<&str> = ["dist/app.cdx.json", "dist/provenance.json"].into();
        let release = Release::new(&ReleaseSettings::default()).unwrap();
        let found = artifacts(&release, &files, &read, &documents, dir.path());
        let summary: Vec<(String, Value, Value)> = found
            .iter()
            .map(|d| {
                (
                    d.path.to_string(),
                    d.data["provenance_count"].clone(),
                    d.data["sboms"].clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "dist/app".to_string(),
                    json!(1),
                    json!([{"file": "dist/app.cdx.json", "by": "sibling"}])
                ),
                (
                    "dist/cli".to_string(),
                    json!(0),
                    json!([{"file": "sbom/cli.spdx.json", "by": "name"}])
                ),
                (
                    "dist/lib.tar.gz".to_string(),
                    json!(1),
                    json!([{"file": "sbom/lib.spdx.json", "by": "digest"}])
                ),
            ]
        );
        assert_eq!(found[0].data["provenance"][0]["signature"], "verified");

        let ignoring = Release::new(&ReleaseSettings {
            dirs: Some(vec!["./dist/".into()]),
            ignore: vec!["dist/cli".into()],
        })
        .unwrap();
        assert_eq!(
            artifacts(&ignoring, &files, &read, &documents, dir.path()).len(),
            2
        );
        assert!(Release::new(&ReleaseSettings {
            dirs: None,
            ignore: vec!["a[".into()],
        })
        .is_err());
    }
}
