//! The config-file collector: walks the scan root in parallel (honouring `.gitignore`) and
//! parses every YAML, JSON, TOML, HCL, Dockerfile and `.env` file into [`Document`]s; Helm
//! charts and Kustomize directories are rendered first (see [`render`]), and the Terraform
//! among the documents is then evaluated ([`crate::terraform`]). CycloneDX and SPDX SBOMs are
//! left to the SBOM collector ([`crate::sbom::Claimed`]).

use std::sync::Arc;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::collector::{Collection, Collector, Scope, SkippedFile, SourceError};
use crate::document::{Document, EvidenceKind, Format};
use crate::formats::{self, Parsed};
use crate::render;
use crate::sbom::Claimed;
use crate::suppress::{self, Suppression};
use crate::{cloud_templates, terraform_kubernetes};

/// Collects configuration files.
pub struct ConfigCollector;

/// assay's own cache directory (base evaluations of `assay check`, installed tools in CI),
/// never collected.
pub const CACHE_DIR: &str = ".assay-cache";

/// The path of the documents read from standard input (`assay scan -`).
pub const STDIN_PATH: &str = "<stdin>";

/// How many leading bytes are inspected for a NUL byte to tell binary files apart.
const BINARY_PROBE: usize = 8192;

impl Collector for ConfigCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Config
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        scope.root_dir()?;
        if let Some(bytes) = &scope.stdin {
            return Ok(collect_bytes_as(bytes, STDIN_PATH, Format::Yaml));
        }
        let paths = scope.files(&|p| {
            let name = p.rsplit('/').next().unwrap_or(p);
            Format::detect(name).is_some()
                && scope.admits(p)
                && !p.split('/').any(|c| c == CACHE_DIR)
        });
        // Chart templates and kustomize patches are read through rendering instead.
        let rendered = render::Sources::find(scope, &paths);
        let paths: Vec<String> = paths
            .into_iter()
            .filter(|p| !rendered.replaces(p))
            .collect();
        let sboms = Claimed::of(scope);
        let found: Vec<Collection> = paths
            .par_iter()
            .map(|relative| {
                let name = relative.rsplit('/').next().unwrap_or(relative);
                match (Format::detect(name), scope.read(relative)) {
                    // SBOMs are the SBOM collector's evidence.
                    (Some(_), Ok(bytes)) if sboms.claims(relative, &bytes) => Collection::default(),
                    (Some(format), Ok(bytes)) => collect_bytes_as(&bytes, relative, format),
                    (_, Err(reason)) => Collection::unread(relative, reason),
                    (None, Ok(_)) => Collection::default(),
                }
            })
            .collect();
        let mut collection = rendered.render(scope, &render::Renderers::from_path());
        for c in found {
            collection.extend(c);
        }
        // The config collector walks the whole tree, so it reports what the walk left out.
        collection.skipped.extend(
            scope
                .walk_skipped()
                .into_iter()
                .filter(|s| scope.admits(s.path.trim_end_matches('/'))),
        );
        collection.sort();
        crate::terraform::evaluate(
            &mut collection,
            &scope.terraform_var_files,
            scope.max_file_size,
        );
        Ok(collection)
    }
}

enum FileResult {
    Documents(Vec<Document>),
    Error(SourceError),
    Skipped(SkippedFile),
}

/// The collection of one file of `format` read from disk.
fn collect_bytes_as(bytes: &[u8], relative: &str, format: Format) -> Collection {
    let mut collection = Collection::default();
    match parse_bytes(bytes, relative.to_string(), format) {
        FileResult::Documents(docs) => collection.documents = docs,
        FileResult::Error(e) => collection.errors.push(e),
        FileResult::Skipped(s) => collection.skipped.push(s),
    }
    collection
}

/// Parses one in-memory file (root-relative `path`) as the collector would parse it on disk.
/// Files of no known format yield an empty collection. Terraform is evaluated with that file
/// alone as its module.
pub fn collect_bytes(path: &str, bytes: &[u8]) -> Collection {
    let mut collection = parse_file(path, bytes);
    crate::terraform::evaluate(&mut collection, &[], Scope::DEFAULT_MAX_FILE_SIZE);
    collection
}

/// Parses one in-memory file like [`collect_bytes`], leaving Terraform unevaluated: for
/// readers that gather the files of a tree and evaluate them together
/// ([`crate::terraform::evaluate`]).
pub fn parse_file(path: &str, bytes: &[u8]) -> Collection {
    let name = path.rsplit('/').next().unwrap_or(path);
    match Format::detect(name) {
        Some(format) => collect_bytes_as(bytes, path, format),
        None => Collection::default(),
    }
}

/// Parses the raw bytes of one file into documents, a parse error or a skip note.
fn parse_bytes(bytes: &[u8], relative: String, format: Format) -> FileResult {
    if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
        return FileResult::Skipped(SkippedFile {
            path: relative,
            reason: "binary content".into(),
        });
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return FileResult::Skipped(SkippedFile {
            path: relative,
            reason: "not UTF-8 text".into(),
        });
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match formats::parse(format, text) {
        Ok(parsed) => {
            let path: Arc<str> = relative.into();
            let digest: Arc<str> = hex::encode(Sha256::digest(bytes)).into();
            let suppressions: Arc<[Suppression]> = suppress::scan(format, text).into();
            let views: Vec<(Format, Parsed)> = parsed.iter().flat_map(|p| views(format, p)).collect();
            let documents = parsed
                .into_iter()
                .map(|p| (format, p))
                .chain(views)
                .enumerate()
                .map(|(index, (format, p))| Document {
                    kind: EvidenceKind::Config,
                    format,
                    path: path.clone(),
                    index,
                    data: p.data,
                    lines: p.lines,
                    digest: digest.clone(),
                    suppressions: suppressions.clone(),
                })
                .collect();
            FileResult::Documents(documents)
        }
        Err(e) => FileResult::Error(SourceError {
            path: relative,
            position: Some(e.position),
            message: format!("invalid {}: {}", format.as_str(), e.message),
            hint: Some(format!(
                "fix the syntax, or exclude the file from the scan if it is not {} (e.g. a template)",
                format.as_str()
            )),
        }),
    }
}

/// The other documents one parsed document is also judged as, numbered after the file's own: a
/// CloudFormation or ARM template as Terraform resources, the Kubernetes resources of a Terraform file
/// as manifests.
fn views(format: Format, parsed: &Parsed) -> Vec<(Format, Parsed)> {
    let mut found = Vec::new();
    if matches!(format, Format::Yaml | Format::Json) {
        found.extend(
            cloud_templates::terraform_view(&parsed.data, &parsed.lines)
                .map(|(format, data, lines)| (format, Parsed { data, lines })),
        );
    }
    if matches!(format, Format::Hcl | Format::Json) {
        found.extend(
            terraform_kubernetes::manifests(&parsed.data, &parsed.lines)
                .into_iter()
                .map(|(data, lines)| (format, Parsed { data, lines })),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_parses_skips_and_reports() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
        std::fs::write(root.join(".github/workflows/ci.yml"), "on: push\n").unwrap();
        std::fs::write(root.join("a.yaml"), "a: 1\n---\nb: 2\n").unwrap();
        std::fs::write(root.join("bad.yaml"), "a: [1\n").unwrap();
        std::fs::write(root.join("bin.json"), b"{\0}").unwrap();
        std::fs::write(root.join("ignored.yaml"), "x: 1\n").unwrap();
        std::fs::write(root.join(".gitignore"), "ignored.yaml\n").unwrap();
        std::fs::write(root.join("notes.txt"), "not config").unwrap();

        let c = ConfigCollector.collect(&Scope::new(root)).unwrap();
        let docs: Vec<_> = c
            .documents
            .iter()
            .map(|d| (d.path.to_string(), d.index))
            .collect();
        assert_eq!(
            docs,
            vec![
                (".github/workflows/ci.yml".to_string(), 0),
                ("a.yaml".to_string(), 0),
                ("a.yaml".to_string(), 1)
            ]
        );
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].path, "bad.yaml");
        assert!(c.errors[0].position.is_some());
        assert_eq!(c.skipped[0].path, "bin.json");
        assert_eq!(c.skipped[0].reason, "binary content");
        assert_eq!(c.documents[1].digest, c.documents[2].digest);
    }

    #[test]
    fn oversized_files_are_skipped_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("big.json"), "[1,2,3,4,5,6,7,8,9]").unwrap();
        let mut scope = Scope::new(dir.path());
        scope.max_file_size = 4;
        let c = ConfigCollector.collect(&scope).unwrap();
        assert!(c.documents.is_empty());
        assert!(c.skipped[0].reason.contains("limit"));
    }

    #[test]
    fn sboms_are_left_to_the_sbom_collector() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let cyclonedx = r#"{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []}"#;
        std::fs::create_dir_all(root.join("sboms")).unwrap();
        std::fs::write(root.join("sboms/bom.json"), cyclonedx).unwrap();
        std::fs::write(root.join("sboms/inventory.json"), cyclonedx).unwrap();
        std::fs::write(
            root.join("sboms/app.spdx.json"),
            r#"{"spdxVersion": "SPDX-2.3", "packages": []}"#,
        )
        .unwrap();
        std::fs::write(
            root.join("sboms/app3.json"),
            r#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}"#,
        )
        .unwrap();
        std::fs::write(root.join("package.json"), r#"{"name": "app"}"#).unwrap();
        std::fs::write(root.join("bom.json"), cyclonedx).unwrap();
        let paths = |scope: &Scope| {
            let c = ConfigCollector.collect(scope).unwrap();
            c.documents
                .iter()
                .map(|d| d.path.to_string())
                .collect::<Vec<_>>()
        };

        // By name or by content; SPDX 3, which the SBOM collector does not read, stays.
        let scope = Scope::new(root);
        assert_eq!(paths(&scope), ["package.json", "sboms/app3.json"]);
        // With configured SBOM paths, only the files they match are claimed.
        let mut scope = Scope::new(root);
        scope.settings.insert(
            "sbom".into(),
            serde_json::json!({"paths": ["sboms/*.json"]}),
        );
        assert_eq!(
            paths(&scope),
            ["bom.json", "package.json", "sboms/app3.json"]
        );
    }
}
