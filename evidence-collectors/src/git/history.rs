//! Reading the history of one branch: a revwalk for the commits, a first-parent walk for the
//! changes that reached the branch, and per-commit work (signature, trailers, tree-to-tree
//! comparison) spread over threads, each with its own [`Repository`].

use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::path::PathBuf;

use git2::{Commit, Oid, Repository};
use globset::GlobSet;
use rayon::prelude::*;

use super::message::{self, PullRequestRef, Trailers};
use super::secrets::{self, BlobScan, SecretHit};
use super::settings::SecretScan;
use super::signature::{AllowedSigners, SignatureFormat, Verdict};
use super::tree_diff;
use crate::dlp::Scanner;

/// Commits handed to one task; each task opens the repository once.
const CHUNK: usize = 512;

/// A person and a time, from a commit header.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
}

/// A commit's signature.
#[derive(Debug, Clone)]
pub struct SignatureInfo {
    pub format: SignatureFormat,
    pub verdict: Verdict,
}

/// A secret added by a commit.
#[derive(Debug, Clone)]
pub struct AddedSecret {
    pub path: String,
    pub hit: SecretHit,
}

/// Everything read from one commit.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: Oid,
    /// The parents named in the commit (present even when a shallow clone lacks them).
    pub parents: Vec<Oid>,
    pub author: Stamp,
    pub committer: Stamp,
    pub subject: String,
    pub trailers: Trailers,
    pub pull_request: Option<PullRequestRef>,
    pub signature: Option<SignatureInfo>,
    /// Committed within the period.
    pub in_period: bool,
    /// Changed paths matching the sensitive globs (non-merge commits of the period).
    pub sensitive_paths: Vec<String>,
    pub secrets: Vec<AddedSecret>,
    /// Whether the secret scan covers the commit's changes.
    pub secret_scanned: bool,
    /// Blobs the secret scan left out (binary or too large).
    pub unscanned_blobs: usize,
    /// Why the commit's changes could not be read, if they could not.
    pub diff_error: Option<String>,
}

impl CommitInfo {
    pub fn is_merge(&self) -> bool {
        self.parents.len() > 1
    }
}

/// What to read from each commit.
pub struct Plan<'a> {
    pub git_dir: PathBuf,
    /// Start of the period (seconds since the epoch); `None` for the whole history.
    pub since: Option<i64>,
    pub sensitive: &'a GlobSet,
    pub secret_scan: SecretScan,
    pub signers: Option<&'a AllowedSigners>,
    pub scanner: &'a Scanner,
    /// Finds secrets and personal data in commit subjects, to redact them.
    pub redactor: &'a Scanner,
    /// Commits at the boundary of a shallow clone.
    pub boundary: &'a HashSet<Oid>,
}

/// The commits reachable from a tip, and the ones that could not be read.
#[derive(Debug, Default)]
pub struct Reachable {
    /// Newest first: by commit time, every commit before its parents.
    pub ids: Vec<Oid>,
    /// Commits named as a parent that cannot be read (missing or corrupt), with the reason,
    /// in id order. Their ancestors are not reached through them.
    pub unreadable: Vec<(Oid, String)>,
}

/// Walks the history from `tip`. Parents of the shallow `boundary` are not followed; any
/// other commit that cannot be read is recorded and the walk goes on around it.
pub fn reachable(repo: &Repository, tip: Oid, boundary: &HashSet<Oid>) -> Reachable {
    let mut seen = HashSet::from([tip]);
    let mut stack = vec![tip];
    let mut nodes: HashMap<Oid, (i64, Vec<Oid>)> = HashMap::new();
    let mut unreadable = Vec::new();
    while let Some(id) = stack.pop() {
        let commit = match repo.find_commit(id) {
            Ok(commit) => commit,
            Err(e) => {
                unreadable.push((id, e.message().to_string()));
                continue;
            }
        };
        let parents = if boundary.contains(&id) {
            Vec::new()
        } else {
            header_parents(&commit)
        };
        stack.extend(parents.iter().filter(|p| seen.insert(**p)));
        nodes.insert(id, (commit.committer().when().seconds(), parents));
    }
    // Kahn's algorithm: a commit is ready once all its children are out; the newest ready
    // commit goes first (ties by id, for a stable order).
    let mut waiting: HashMap<Oid, usize> = HashMap::new();
    for (_, parents) in nodes.values() {
        for p in parents.iter().filter(|p| nodes.contains_key(*p)) {
            *waiting.entry(*p).or_default() += 1;
        }
    }
    let mut ready: BinaryHeap<(i64, Oid)> = nodes
        .iter()
        .filter(|(id, _)| !waiting.contains_key(*id))
        .map(|(id, (time, _))| (*time, *id))
        .collect();
    let mut ids = Vec::with_capacity(nodes.len());
    while let Some((_, id)) = ready.pop() {
        ids.push(id);
        for p in &nodes[&id].1 {
            if let Some(n) = waiting.get_mut(p) {
                *n -= 1;
                if *n == 0 {
                    ready.push((nodes[p].0, *p));
                }
            }
        }
    }
    unreadable.sort();
    Reachable { ids, unreadable }
}

/// The first-parent chain from `tip` back to the start of the period, and the commit where it
/// stopped early because a shallow clone lacks the parent, if it did.
pub fn first_parent_chain(
    repo: &Repository,
    tip: Oid,
    since: Option<i64>,
) -> Result<(Vec<Oid>, Option<Oid>), git2::Error> {
    let mut chain = Vec::new();
    let mut current = repo.find_commit(tip)?;
    loop {
        if since.is_some_and(|s| current.committer().when().seconds() < s) {
            return Ok((chain, None));
        }
        chain.push(current.id());
        let Some(parent) = header_parents(&current).first().copied() else {
            return Ok((chain, None));
        };
        match repo.find_commit(parent) {
            Ok(next) => current = next,
            Err(_) => return Ok((chain, Some(current.id()))),
        }
    }
}

/// Reads every commit of `ids` in parallel; the result keeps the order of `ids`.
pub fn read_all(plan: &Plan<'_>, ids: &[Oid]) -> Result<Vec<CommitInfo>, git2::Error> {
    let chunks: Vec<Result<Vec<CommitInfo>, git2::Error>> = ids
        .par_chunks(CHUNK)
        .map(|chunk| {
            let repo = Repository::open(&plan.git_dir)?;
            chunk
                .iter()
                .map(|id| read_commit(&repo, plan, *id))
                .collect()
        })
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in chunks {
        out.extend(chunk?);
    }
    Ok(out)
}

/// The parent ids written in the commit header.
fn header_parents(commit: &Commit<'_>) -> Vec<Oid> {
    let Ok(header) = commit.raw_header() else {
        return commit.parent_ids().collect();
    };
    header
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.strip_prefix("parent "))
        .filter_map(|h| Oid::from_str(h.trim()).ok())
        .collect()
}

/// A person and a time; secrets in the name are redacted.
fn stamp(plan: &Plan<'_>, sig: &git2::Signature<'_>) -> Stamp {
    Stamp {
        name: plan
            .scanner
            .redact(&String::from_utf8_lossy(sig.name_bytes())),
        email: String::from_utf8_lossy(sig.email_bytes()).to_ascii_lowercase(),
        time: sig.when().seconds(),
    }
}

fn read_commit(repo: &Repository, plan: &Plan<'_>, id: Oid) -> Result<CommitInfo, git2::Error> {
    let commit = repo.find_commit(id)?;
    let parents = header_parents(&commit);
    let text = String::from_utf8_lossy(commit.message_raw_bytes()).into_owned();
    let committer = stamp(plan, &commit.committer());
    let in_period = plan.since.is_none_or(|s| committer.time >= s);
    let is_merge = parents.len() > 1;
    let signed = commit
        .raw_header()
        .is_ok_and(|h| h.starts_with("gpgsig") || h.contains("\ngpgsig"));
    // Signatures are judged for the commits of the period only.
    let signature = (signed && in_period).then(|| signature_of(repo, plan, id));
    let scan_secrets = !is_merge
        && match plan.secret_scan {
            SecretScan::All => true,
            SecretScan::Period => in_period,
            SecretScan::Off => false,
        };
    let mut info = CommitInfo {
        id,
        author: stamp(plan, &commit.author()),
        committer,
        subject: plan.redactor.redact(message::subject(&text)),
        trailers: message::trailers(&text).redacted(plan.scanner),
        pull_request: message::pull_request(&text, is_merge),
        parents,
        signature,
        in_period,
        sensitive_paths: Vec::new(),
        secrets: Vec::new(),
        secret_scanned: scan_secrets,
        unscanned_blobs: 0,
        diff_error: None,
    };
    if !is_merge && (in_period || scan_secrets) {
        if let Err(e) = read_changes(repo, plan, &commit, in_period, scan_secrets, &mut info) {
            info.diff_error = Some(if plan.boundary.contains(&id) {
                "the parent is missing from this shallow clone".into()
            } else {
                e.message().to_string()
            });
        }
    }
    Ok(info)
}

fn signature_of(repo: &Repository, plan: &Plan<'_>, id: Oid) -> SignatureInfo {
    match repo.extract_signature(&id, None) {
        Ok((sig, signed)) => {
            let format = SignatureFormat::of(&sig);
            let verdict = match (format, plan.signers) {
                (SignatureFormat::Ssh, Some(signers)) => signers.verify(&sig, &signed),
                (SignatureFormat::Ssh, None) => {
                    Verdict::Unchecked("no allowed-signers file is configured".into())
                }
                (SignatureFormat::OpenPgp, _) => {
                    Verdict::Unchecked("OpenPGP signatures are not verified (no keyring)".into())
                }
                (SignatureFormat::X509, _) => {
                    Verdict::Unchecked("X.509 signatures are not verified".into())
                }
                (SignatureFormat::Unknown, _) => {
                    Verdict::Unchecked("unrecognised signature format".into())
                }
            };
            SignatureInfo { format, verdict }
        }
        Err(e) => SignatureInfo {
            format: SignatureFormat::Unknown,
            verdict: Verdict::Rejected(format!("cannot extract the signature: {}", e.message())),
        },
    }
}

/// Compares the commit's tree with its first parent's (the empty tree for a root commit):
/// sensitive paths for commits of the period, added secrets when the scan covers the commit.
fn read_changes(
    repo: &Repository,
    plan: &Plan<'_>,
    commit: &Commit<'_>,
    in_period: bool,
    scan_secrets: bool,
    info: &mut CommitInfo,
) -> Result<(), git2::Error> {
    let new_tree = commit.tree()?;
    let old_tree = match info.parents.first() {
        Some(parent) => Some(repo.find_commit(*parent)?.tree()?),
        None => None,
    };
    let mut sensitive = BTreeSet::new();
    for change in tree_diff::changes(repo, old_tree.as_ref(), Some(&new_tree))? {
        if in_period && plan.sensitive.is_match(&change.path) {
            sensitive.insert(change.path.clone());
        }
        let Some(new_id) = change.new.filter(|_| scan_secrets) else {
            continue;
        };
        let hits = match secrets::scan_blob(repo, plan.scanner, new_id)? {
            BlobScan::Hits(hits) => hits,
            BlobScan::Skipped => {
                info.unscanned_blobs += 1;
                continue;
            }
        };
        if hits.is_empty() {
            continue;
        }
        let fresh = match change.old {
            None => hits,
            Some(old_id) => match secrets::scan_blob(repo, plan.scanner, old_id)? {
                BlobScan::Hits(old) => secrets::added(hits, &old),
                BlobScan::Skipped => hits,
            },
        };
        info.secrets
            .extend(fresh.into_iter().map(|hit| AddedSecret {
                path: change.path.clone(),
                hit,
            }));
    }
    info.sensitive_paths = sensitive.into_iter().collect();
    Ok(())
}
