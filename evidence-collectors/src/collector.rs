//! The one interface every evidence source implements, and the registry of collectors.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;
use serde::de::DeserializeOwned;

use crate::access::AccessCollector;
use crate::ai::AiCollector;
use crate::attestation::AttestationCollector;
use crate::audit_log::AuditLogCollector;
use crate::config::ConfigCollector;
use crate::confine::{self, Refused};
use crate::docs::DocsCollector;
use crate::document::{Document, EvidenceKind};
use crate::forge::ForgeCollector;
use crate::git::GitCollector;
use crate::lines::Position;
use crate::metrics::MetricsCollector;
use crate::privacy::PrivacyCollector;
use crate::sbom::SbomCollector;
use crate::secrets::SecretsCollector;
use crate::walk::{self, Listing};

/// What a collector looks at.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The directory being scanned.
    pub root: PathBuf,
    /// When set, only files whose root-relative path matches are collected.
    pub include: Option<GlobSet>,
    /// Files whose root-relative path matches are never collected.
    pub exclude: Option<GlobSet>,
    /// Files larger than this are skipped with a note.
    pub max_file_size: u64,
    /// The `collectors:` section of `assay.yaml`; each collector reads the key named after
    /// its kind (already validated against the config schema).
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// The `limits:` section of `assay.yaml`.
    pub limits: crate::limits::Limits,
    /// The time of the scan. Collectors that judge ages (vulnerability deadlines) measure
    /// against it, so tests can fix it.
    pub now: std::time::SystemTime,
    /// Whether collectors may contact the network (metrics endpoints, a Prometheus server).
    /// Only the person running assay grants it, never the scanned repository's `assay.yaml`.
    pub allow_network: bool,
    /// Forge API exports named on the command line (`--forge-export FILE`): the person
    /// running assay's own files, read wherever they are.
    pub forge_exports: Vec<PathBuf>,
    /// Standard input given as the scan root (`assay scan -`): a YAML stream that is the only
    /// configuration file of the scan, named [`crate::config::STDIN_PATH`].
    pub stdin: Option<Arc<[u8]>>,
    /// Terraform variable files (`--var-file`) applied to every root module after the
    /// tfvars files of its directory. Named by the person running assay, so read as given,
    /// not confined to the root.
    pub terraform_var_files: Vec<PathBuf>,
    /// Where audit logs' checkpoints are kept (`--checkpoints DIR`, `--full`); none: every
    /// log is verified in full and no checkpoint is written.
    pub audit_checkpoints: Option<crate::audit_log::Checkpoints>,
    /// The walk of `root` shared by the collectors of one collection (see
    /// [`Scope::sharing_walk`]); without it each collector walks the tree itself.
    listing: Option<Arc<Listing>>,
}

impl Scope {
    /// Default limit on the size of one collected file.
    pub const DEFAULT_MAX_FILE_SIZE: u64 = 8 * 1024 * 1024;

    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            include: None,
            exclude: None,
            max_file_size: Self::DEFAULT_MAX_FILE_SIZE,
            settings: serde_json::Map::new(),
            limits: Default::default(),
            now: std::time::SystemTime::now(),
            allow_network: false,
            forge_exports: Vec::new(),
            stdin: None,
            terraform_var_files: Vec::new(),
            audit_checkpoints: None,
            listing: None,
        }
    }

    /// A copy of this scope whose collectors walk the tree once between them: the first that
    /// asks for [`Scope::files`] walks, the others filter what it found. The listing is never
    /// refreshed, so the copy serves one collection.
    pub fn sharing_walk(&self) -> Scope {
        Scope {
            listing: Some(Arc::new(Listing::new(&self.root))),
            ..self.clone()
        }
    }

    /// The root-relative paths (with `/` separators) of the files under the root that `keep`
    /// accepts, sorted; `.gitignore` is honoured and `.git` never entered.
    pub fn files(&self, keep: &(dyn Fn(&str) -> bool + Sync)) -> Vec<String> {
        self.listing
            .as_ref()
            .and_then(|l| l.files(&self.root, keep))
            .unwrap_or_else(|| walk::files(&self.root, keep))
    }

    /// What the walk of the root left out (links leaving the root, special files, unreadable
    /// directories, what the ignore rules skip), each with the reason.
    pub fn walk_skipped(&self) -> Vec<SkippedFile> {
        match self.listing.as_ref().and_then(|l| l.walked(&self.root)) {
            Some(walked) => walked.skipped.clone(),
            None => walk::walk(&self.root).skipped,
        }
    }

    /// The bytes of the root-relative `path`, confined to the root and the size limit (see
    /// [`confine::read`]).
    pub fn read(&self, path: &str) -> Result<Vec<u8>, Refused> {
        confine::read(&self.root, path, self.max_file_size)
    }

    /// The settings of the collector of `kind`, if `assay.yaml` has any.
    pub fn settings_of(&self, kind: EvidenceKind) -> Option<&serde_json::Value> {
        self.settings.get(kind.as_str())
    }

    /// The settings of the collector of `kind` as `T` (its defaults when `assay.yaml` has
    /// none); settings that do not fit are an error naming `collectors.<kind>`.
    pub fn settings<T: DeserializeOwned + Default>(
        &self,
        kind: EvidenceKind,
    ) -> Result<T, SourceError> {
        match self.settings_of(kind) {
            Some(value) => T::deserialize(value)
                .map_err(|e| settings_error(kind, format!("collectors.{}: {e}", kind.as_str()))),
            None => Ok(T::default()),
        }
    }

    /// The scan root, or the error collectors report when it is not a readable directory.
    pub fn root_dir(&self) -> Result<&Path, SourceError> {
        match std::fs::read_dir(&self.root) {
            Ok(_) => Ok(&self.root),
            Err(e) => Err(SourceError {
                path: self.root.display().to_string(),
                position: None,
                message: format!(
                    "scan root is not a readable directory: {}",
                    confine::os_reason(&e)
                ),
                hint: Some("pass an existing, readable directory to `assay scan`".into()),
            }),
        }
    }

    /// Whether the root-relative `path` is in scope.
    pub fn admits(&self, path: &str) -> bool {
        self.include.as_ref().is_none_or(|g| g.is_match(path))
            && !self.exclude.as_ref().is_some_and(|g| g.is_match(path))
    }
}

/// A source that could not be read or parsed. The rest of the collection goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// Root-relative path of the source.
    pub path: String,
    /// Where the problem is, when known.
    pub position: Option<Position>,
    pub message: String,
    /// What the user can do about it.
    pub hint: Option<String>,
}

/// A problem with the `collectors.<kind>` section of `assay.yaml`.
pub fn settings_error(kind: EvidenceKind, message: String) -> SourceError {
    SourceError {
        path: "assay.yaml".into(),
        position: None,
        message,
        hint: Some(format!(
            "see `collectors.{}` in schemas/config.schema.json",
            kind.as_str()
        )),
    }
}

/// A file left out on purpose (binary, too large), with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// Everything one collector found.
#[derive(Debug, Default)]
pub struct Collection {
    pub documents: Vec<Document>,
    pub errors: Vec<SourceError>,
    pub skipped: Vec<SkippedFile>,
}

impl Collection {
    /// Sorts every list so that the result does not depend on thread scheduling.
    pub fn sort(&mut self) {
        self.documents
            .sort_by(|a, b| (&a.path, a.index).cmp(&(&b.path, b.index)));
        self.errors.sort_by(|a, b| {
            (&a.path, a.position, &a.message).cmp(&(&b.path, b.position, &b.message))
        });
        self.skipped
            .sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
        // Collectors walking the same tree note the same oversize file.
        self.skipped.dedup();
    }

    /// A collection noting that the root-relative `path` was not read: skipped with the
    /// reason when the path is refused (outside the root, not a regular file, too large), an
    /// error otherwise.
    pub fn unread(path: &str, reason: Refused) -> Collection {
        let mut c = Collection::default();
        if reason.is_skip() {
            c.skipped.push(SkippedFile {
                path: path.to_string(),
                reason: reason.to_string(),
            });
        } else {
            c.errors.push(SourceError {
                path: path.to_string(),
                position: None,
                message: format!("cannot read file: {reason}"),
                hint: Some("check the file's permissions".into()),
            });
        }
        c
    }

    /// A collection holding only `error`: what a collector returns when it cannot start.
    pub fn failed(error: SourceError) -> Collection {
        Collection {
            errors: vec![error],
            ..Collection::default()
        }
    }

    pub fn extend(&mut self, other: Collection) {
        self.documents.extend(other.documents);
        self.errors.extend(other.errors);
        self.skipped.extend(other.skipped);
    }
}

/// One source of evidence.
pub trait Collector: Send + Sync {
    /// The kind of evidence this collector yields.
    fn kind(&self) -> EvidenceKind;
    /// Gathers the evidence in `scope`. Problems with single sources go into
    /// [`Collection::errors`]; only a scope that cannot be read at all is an `Err`.
    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError>;
}

/// Every collector assay knows, one line each.
pub fn registry() -> Vec<Box<dyn Collector>> {
    vec![
        Box::new(ConfigCollector),
        Box::new(AuditLogCollector),
        Box::new(SbomCollector),
        Box::new(AccessCollector),
        Box::new(GitCollector),
        Box::new(MetricsCollector),
        Box::new(DocsCollector),
        Box::new(PrivacyCollector),
        Box::new(AiCollector),
        Box::new(AttestationCollector),
        Box::new(SecretsCollector),
        Box::new(ForgeCollector),
    ]
}
