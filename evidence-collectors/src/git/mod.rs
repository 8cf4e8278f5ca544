//! The git collector: the history of one branch over a period, as one [`Document`] of kind
//! `git` with per-commit facts and the derived facts change-management controls judge.
//!
//! **Convention** (when `collectors.git` is not configured): the scan root is read when it
//! holds a `.git`; its default branch (`origin/HEAD`, else `HEAD`) over the last 365 days.
//! **Configured**: `collectors: {git: {path, branch, days, sensitive_paths, allowed_signers,
//! identities, teams, secret_scan}}`; a configured path that is not a repository is reported
//! as a [`SourceError`], and the rest of the scan goes on.
//!
//! Commits have no lines, so provenance sits in the data itself: every fact names its commit
//! (and path, and line within the blob for secrets). The document's `path` is the repository's
//! `.git` relative to the scan root, and its `digest` is the sha256 of [`history_bytes`] of its
//! data: the git evidence file an evidence pack keeps, which names the branch tip and every
//! commit judged.
//!
//! The data: `repository` (path, branch, head, shallow), `period` (since, until, days),
//! `summary` (counts and shares), `commits` (every commit of the period: author, committer,
//! parents, subject (secrets and personal data in it, and secrets in names and trailers,
//! replaced by `[REDACTED:<kind>]`), first_parent, via (`merge` / `squash` / `direct` for first-parent
//! commits), pull_request, signature, trailers, sensitive_paths, and `review`: the review
//! evidence of a first-parent change, see [`review`]), `review` (`evidence`: `forge_export`
//! when forge exports hold pull requests, reviews or approvals, else `history`; the export
//! files; the count of each kind; the reviewed share under the evidence's name),
//! `direct_commits`, `unreviewed_changes` (each with its review evidence in words),
//! `unsigned_commits`, `signature_failures`, `sensitive_changes`,
//! `codeowners`, `codeowners_violations`, `secrets` (detector, commit, path, line, whether still
//! present at the tip; never the value), `incomplete` (what is missing from the evidence, for
//! the `period` and for the `secrets` scan: a shallow clone, commits or changes that cannot be
//! read; controls judge nothing while it is not empty) and `notes` on what else could not be
//! judged.

mod blob_cache;
mod codeowners;
mod facts;
mod history;
mod message;
mod review;
pub(crate) mod secrets;
mod settings;
mod signature;
mod tree_diff;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use git2::{Oid, Repository};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::collector::{settings_error, Collection, Collector, Scope, SourceError};
use crate::document::{Document, EvidenceKind, Format};
use crate::lines::LineMap;

use blob_cache::BlobCache;
use codeowners::{Codeowners, Directory};
pub use settings::{SecretScan, Settings, DEFAULT_SENSITIVE_PATHS};
use signature::AllowedSigners;

/// The directory in the git directory that holds assay's caches (scanned blobs, the base
/// evaluations of `assay check`): no commit can write there.
pub const CACHE_DIR: &str = "assay-cache";

/// Collects the history of a git repository.
pub struct GitCollector;

impl Collector for GitCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Git
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        let mut collection = Collection::default();
        let (settings, configured) = match scope.settings_of(EvidenceKind::Git) {
            Some(value) => match Settings::deserialize(value) {
                Ok(s) => (s, true),
                Err(e) => {
                    collection.errors.push(settings_error(
                        EvidenceKind::Git,
                        format!("collectors.git: {e}"),
                    ));
                    return Ok(collection);
                }
            },
            None => (Settings::default(), false),
        };
        let relative = settings.path.clone().unwrap_or_else(|| ".".to_string());
        let dir = scope.root.join(&relative);
        if !configured && !dir.join(".git").exists() {
            return Ok(collection);
        }
        match collect_repository(scope, &settings, &dir, &relative, &mut collection.errors) {
            Ok((document, _)) => collection.documents.push(document),
            Err(error) => collection.errors.push(error),
        }
        collection.sort();
        Ok(collection)
    }
}

/// The document path of a repository: its `.git`, relative to the scan root.
fn document_path(relative: &str) -> String {
    match relative.trim_end_matches('/') {
        "" | "." => ".git".to_string(),
        other => format!("{}/.git", other.trim_start_matches("./")),
    }
}

/// The git document of the repository in `dir`, and how the secret scan came by its blobs.
fn collect_repository(
    scope: &Scope,
    settings: &Settings,
    dir: &Path,
    relative: &str,
    errors: &mut Vec<SourceError>,
) -> Result<(Document, history::BlobCount), SourceError> {
    let error = |message: String, hint: &str| SourceError {
        path: relative.to_string(),
        position: None,
        message,
        hint: Some(hint.to_string()),
    };
    let repo = Repository::open(dir).map_err(|e| {
        error(
            format!("not a git repository: {}", e.message()),
            "point `collectors.git.path` at a clone (a directory holding `.git`), or remove it",
        )
    })?;
    let (branch, tip) = resolve_branch(&repo, settings.branch.as_deref())
        .map_err(|m| error(m, "name an existing branch in `collectors.git.branch`"))?;
    let (sensitive_globs, sensitive) = settings.sensitive_set().map_err(|m| {
        settings_error(
            EvidenceKind::Git,
            format!("collectors.git.sensitive_paths: {m}"),
        )
    })?;
    let now = jiff::Timestamp::try_from(scope.now)
        .map(|t| t.as_second())
        .unwrap_or_default();
    let since = (settings.days > 0).then(|| now - i64::from(settings.days) * 86_400);
    let signers = settings
        .allowed_signers
        .as_deref()
        .and_then(|path| read_signers(&scope.root, path, errors));
    let boundary = shallow_boundary(&repo);
    let git_err = |e: git2::Error| {
        error(
            format!("cannot read the history: {}", e.message()),
            "run `git fsck` on the repository",
        )
    };
    let walk = history::reachable(&repo, tip, &boundary);
    let (chain, stopped_at) =
        history::first_parent_chain(&repo, &walk, tip, since).map_err(git_err)?;
    let scanner = secrets::secret_scanner();
    let redactor = crate::dlp::Scanner::all();
    let plan = history::Plan {
        git_dir: repo.path().to_path_buf(),
        since,
        sensitive: &sensitive,
        secret_scan: settings.secret_scan,
        signers: signers.as_ref(),
        scanner: &scanner,
        redactor: &redactor,
        boundary: &boundary,
    };
    // Blob scans are kept across runs beside the pre-merge cache, where no commit can put a file.
    let scanning = settings.secret_scan != SecretScan::Off;
    let cache_dir = repo.path().join(CACHE_DIR);
    let (mut cache, mut cache_note) = if scanning {
        BlobCache::load(&cache_dir, secrets::detector_digest())
    } else {
        (BlobCache::new(&cache_dir, secrets::detector_digest()), None)
    };
    let (commits, blobs) = history::read_all(&plan, &walk, &mut cache).map_err(git_err)?;
    if scanning {
        if let Err(note) = cache.store() {
            cache_note.get_or_insert(note);
        }
    }
    let codeowners = read_codeowners(&repo, tip);
    let mut directory = Directory::default();
    for (email, login) in &settings.identities {
        let login = if login.starts_with('@') {
            login.clone()
        } else {
            format!("@{login}")
        };
        directory.logins.insert(email.to_ascii_lowercase(), login);
    }
    for (team, members) in &settings.teams {
        directory
            .teams
            .insert(team.to_ascii_lowercase(), members.clone());
    }
    // The forge collector reports the exports' problems; here only their review facts count.
    let forge = crate::forge::load(scope).exports;
    let context = facts::Context {
        repo: &repo,
        relative,
        branch: &branch,
        tip,
        since,
        until: now,
        days: settings.days,
        shallow: repo.is_shallow(),
        boundary: &boundary,
        stopped_at,
        unreadable: &walk.unreadable,
        chain: &chain,
        codeowners: codeowners.as_ref(),
        directory: &directory,
        sensitive_globs: &sensitive_globs,
        secret_scan: settings.secret_scan,
        scanner: &scanner,
        forge: &forge,
        cache_note: cache_note.as_deref(),
    };
    let data = facts::build(&context, &commits);
    let digest = history_digest(&data);
    let document = Document {
        kind: EvidenceKind::Git,
        format: Format::Git,
        path: Arc::from(document_path(relative)),
        index: 0,
        data,
        lines: LineMap::new(),
        digest: Arc::from(digest),
        suppressions: Arc::default(),
    };
    Ok((document, blobs))
}

/// The git evidence file of a git document's `data`: pretty JSON ending in a newline. Its
/// sha256 is the document's digest, so findings on the history name the file a pack keeps.
pub fn history_bytes(data: &serde_json::Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(data).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The sha256 (hex) of [`history_bytes`], streamed rather than held: the file of a long
/// history runs to hundreds of megabytes.
fn history_digest(data: &serde_json::Value) -> String {
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 16, Hashing(Sha256::new()));
    // Writing a `Value` to a sink that never fails cannot fail.
    let _ = serde_json::to_writer_pretty(&mut out, data);
    let _ = std::io::Write::write_all(&mut out, b"\n");
    let _ = std::io::Write::flush(&mut out);
    let (Hashing(hasher), _) = out.into_parts();
    hex::encode(hasher.finalize())
}

/// The branch to judge and its tip: the configured one (a local branch, then `origin/NAME`,
/// then any revision), else the default branch `origin/HEAD` points at, else `HEAD`.
fn resolve_branch(repo: &Repository, configured: Option<&str>) -> Result<(String, Oid), String> {
    let tip = |spec: &str| {
        repo.revparse_single(spec)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
    };
    if let Some(name) = configured {
        for spec in [
            format!("refs/heads/{name}"),
            format!("refs/remotes/origin/{name}"),
            name.to_string(),
        ] {
            if let Ok(id) = tip(&spec) {
                return Ok((name.to_string(), id));
            }
        }
        return Err(format!("branch `{name}` not found in the repository"));
    }
    if let Ok(reference) = repo.find_reference("refs/remotes/origin/HEAD") {
        if let Ok(Some(target)) = reference.symbolic_target() {
            let name = target
                .trim_start_matches("refs/remotes/origin/")
                .to_string();
            if let Ok(id) = tip(&format!("refs/heads/{name}")).or_else(|_| tip(target)) {
                return Ok((name, id));
            }
        }
    }
    let head = repo
        .head()
        .map_err(|e| format!("the repository has no commits to judge: {}", e.message()))?;
    let name = head.shorthand().unwrap_or("HEAD").to_string();
    let id = head
        .peel_to_commit()
        .map_err(|e| format!("HEAD does not point at a commit: {}", e.message()))?
        .id();
    Ok((name, id))
}

/// The largest `.git/shallow` read (about 400,000 boundary commits).
const MAX_SHALLOW_FILE: u64 = 16 * 1024 * 1024;

/// The commits listed in `.git/shallow` (empty for a full clone, or when it is not a regular
/// file inside the git directory).
fn shallow_boundary(repo: &Repository) -> HashSet<Oid> {
    crate::confine::read(repo.path(), "shallow", MAX_SHALLOW_FILE)
        .map(|bytes| {
            String::from_utf8_lossy(&bytes)
                .lines()
                .filter_map(|l| Oid::from_str(l.trim()).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The CODEOWNERS file at the branch tip, in GitHub's order of precedence.
fn read_codeowners(repo: &Repository, tip: Oid) -> Option<Codeowners> {
    let tree = repo.find_commit(tip).ok()?.tree().ok()?;
    codeowners::LOCATIONS.iter().find_map(|path| {
        let entry = tree.get_path(Path::new(path)).ok()?;
        let blob = repo.find_blob(entry.id()).ok()?;
        Some(Codeowners::parse(
            path,
            &String::from_utf8_lossy(blob.content()),
        ))
    })
}

/// Reads the allowed-signers file; problems become source errors.
fn read_signers(root: &Path, path: &str, errors: &mut Vec<SourceError>) -> Option<AllowedSigners> {
    let text = match crate::confine::read(root, path, crate::Scope::DEFAULT_MAX_FILE_SIZE) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(reason) => {
            errors.push(SourceError {
                path: path.to_string(),
                position: None,
                message: format!("cannot read the allowed-signers file: {reason}"),
                hint: Some(
                    "fix `collectors.git.allowed_signers` (relative to the scan root)".into(),
                ),
            });
            return None;
        }
    };
    let (signers, problems) = AllowedSigners::parse(&text);
    errors.extend(problems.into_iter().map(|(line, message)| SourceError {
        path: path.to_string(),
        position: Some(crate::lines::Position::new(line, 1)),
        message: format!("allowed signers: {message}"),
        hint: Some("each line reads `principals [options] keytype base64-key`".into()),
    }));
    Some(signers)
}

#[cfg(test)]
mod tests;
