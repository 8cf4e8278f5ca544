//! Reading the history of one branch: one walk reads every commit (its parents, time, tree and,
//! within a budget, its text), the first-parent chain and the order come from that walk, and
//! per-commit work (signature, trailers, tree-to-tree comparison) is spread over threads, each
//! thread with its own [`Repository`].

use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::path::PathBuf;

use git2::{Commit, Oid, Repository};
use globset::GlobSet;
use rayon::prelude::*;

use super::blob_cache::BlobCache;
use super::message::{self, PullRequestRef, Trailers};
use super::secrets::{self, BlobScan, SecretHit};
use super::settings::SecretScan;
use super::signature::{AllowedSigners, SignatureFormat, Verdict};
use super::tree_diff::{self, Change};
use crate::dlp::Scanner;

/// Commits (or blobs) handed to one task. A repository is opened for each run of tasks rayon
/// hands one thread (`map_init`), not for each task, so that its object cache serves them all.
/// Tests use small tasks, so that their small histories spread over threads.
#[cfg(not(test))]
const CHUNK: usize = 512;
#[cfg(test)]
const CHUNK: usize = 16;

/// Bytes of commit text (names, e-mail addresses, messages) the walk keeps for the per-commit
/// reads; the commits beyond it are read again. Tests keep little, so that both ways are taken.
#[cfg(not(test))]
const TEXT_BUDGET: usize = 64 * 1024 * 1024;
#[cfg(test)]
const TEXT_BUDGET: usize = 4096;

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

/// A person and a time as written in a commit header.
#[derive(Debug)]
struct RawStamp {
    name: Vec<u8>,
    email: Vec<u8>,
    /// Seconds since the epoch.
    time: i64,
}

impl RawStamp {
    fn of(sig: &git2::Signature<'_>) -> RawStamp {
        RawStamp {
            name: sig.name_bytes().to_vec(),
            email: sig.email_bytes().to_vec(),
            time: sig.when().seconds(),
        }
    }
}

/// What the per-commit read takes from a commit besides its place in the history.
#[derive(Debug)]
struct Text {
    author: RawStamp,
    committer: RawStamp,
    /// The message, invalid UTF-8 replaced.
    message: String,
    /// Whether the header holds a signature.
    signed: bool,
}

impl Text {
    fn of(commit: &Commit<'_>) -> Text {
        Text {
            author: RawStamp::of(&commit.author()),
            committer: RawStamp::of(&commit.committer()),
            message: String::from_utf8_lossy(commit.message_raw_bytes()).into_owned(),
            signed: commit
                .raw_header()
                .is_ok_and(|h| h.starts_with("gpgsig") || h.contains("\ngpgsig")),
        }
    }

    /// The bytes it holds.
    fn size(&self) -> usize {
        let stamp = |s: &RawStamp| s.name.len() + s.email.len();
        stamp(&self.author) + stamp(&self.committer) + self.message.len()
    }
}

/// What the walk reads of a commit, so that no later step reads the commit again for it.
#[derive(Debug)]
struct Node {
    /// Committer time, seconds since the epoch.
    time: i64,
    /// The parents named in the header.
    parents: Vec<Oid>,
    tree: Oid,
    /// At the shallow boundary: its parents are not followed.
    boundary: bool,
    /// Kept while the walk's [`TEXT_BUDGET`] lasts; else the commit is read again for it.
    text: Option<Text>,
}

impl Node {
    fn of(commit: &Commit<'_>, boundary: bool, text: Option<Text>) -> Node {
        Node {
            time: commit.committer().when().seconds(),
            parents: header_parents(commit),
            tree: commit.tree_id(),
            boundary,
            text,
        }
    }

    /// The parents the walk follows.
    fn followed(&self) -> &[Oid] {
        if self.boundary {
            &[]
        } else {
            &self.parents
        }
    }
}

/// The commits reachable from a tip, and the ones that could not be read.
#[derive(Debug, Default)]
pub struct Reachable {
    /// Newest first: by commit time, every commit before its parents.
    pub ids: Vec<Oid>,
    /// Commits named as a parent that cannot be read (missing or corrupt), with the reason,
    /// in id order. Their ancestors are not reached through them.
    pub unreadable: Vec<(Oid, String)>,
    /// Every commit of `ids`.
    nodes: HashMap<Oid, Node>,
}

impl Reachable {
    /// The committer time and first parent of `id`: from the walk, else read from `repo`.
    fn first_parent(&self, repo: &Repository, id: Oid) -> Result<(i64, Option<Oid>), git2::Error> {
        let read;
        let node = match self.nodes.get(&id) {
            Some(node) => node,
            None => {
                read = Node::of(&repo.find_commit(id)?, false, None);
                &read
            }
        };
        Ok((node.time, node.parents.first().copied()))
    }

    /// The tree of commit `id`: from the walk, else read from `repo`.
    fn tree(&self, repo: &Repository, id: Oid) -> Result<Oid, git2::Error> {
        match self.nodes.get(&id) {
            Some(node) => Ok(node.tree),
            None => Ok(repo.find_commit(id)?.tree_id()),
        }
    }
}

/// Walks the history from `tip`. Parents of the shallow `boundary` are not followed; any
/// other commit that cannot be read is recorded and the walk goes on around it.
pub fn reachable(repo: &Repository, tip: Oid, boundary: &HashSet<Oid>) -> Reachable {
    let mut seen = HashSet::from([tip]);
    let mut stack = vec![tip];
    let mut nodes: HashMap<Oid, Node> = HashMap::new();
    let mut unreadable = Vec::new();
    let mut kept = 0;
    while let Some(id) = stack.pop() {
        let node = match repo.find_commit(id) {
            Ok(commit) => {
                let text = (kept < TEXT_BUDGET).then(|| Text::of(&commit));
                kept += text.as_ref().map_or(0, Text::size);
                Node::of(&commit, boundary.contains(&id), text)
            }
            Err(e) => {
                unreadable.push((id, e.message().to_string()));
                continue;
            }
        };
        stack.extend(node.followed().iter().filter(|p| seen.insert(**p)));
        nodes.insert(id, node);
    }
    // Kahn's algorithm: a commit is ready once all its children are out; the newest ready
    // commit goes first (ties by id, for a stable order).
    let mut waiting: HashMap<Oid, usize> = HashMap::new();
    for node in nodes.values() {
        for p in node.followed().iter().filter(|p| nodes.contains_key(*p)) {
            *waiting.entry(*p).or_default() += 1;
        }
    }
    let mut ready: BinaryHeap<(i64, Oid)> = nodes
        .iter()
        .filter(|(id, _)| !waiting.contains_key(*id))
        .map(|(id, node)| (node.time, *id))
        .collect();
    let mut ids = Vec::with_capacity(nodes.len());
    while let Some((_, id)) = ready.pop() {
        ids.push(id);
        for p in nodes[&id].followed() {
            if let Some(n) = waiting.get_mut(p) {
                *n -= 1;
                if *n == 0 {
                    ready.push((nodes[p].time, *p));
                }
            }
        }
    }
    unreadable.sort();
    Reachable {
        ids,
        unreadable,
        nodes,
    }
}

/// The first-parent chain from `tip` back to the start of the period, and the commit where it
/// stopped early because a shallow clone lacks the parent, if it did. Commits the walk read
/// are not read again.
pub fn first_parent_chain(
    repo: &Repository,
    walk: &Reachable,
    tip: Oid,
    since: Option<i64>,
) -> Result<(Vec<Oid>, Option<Oid>), git2::Error> {
    let mut chain = Vec::new();
    let (mut current, mut step) = (tip, walk.first_parent(repo, tip)?);
    loop {
        let (time, parent) = step;
        if since.is_some_and(|s| time < s) {
            return Ok((chain, None));
        }
        chain.push(current);
        let Some(parent) = parent else {
            return Ok((chain, None));
        };
        match walk.first_parent(repo, parent) {
            Ok(next) => (current, step) = (parent, next),
            Err(_) => return Ok((chain, Some(current))),
        }
    }
}

/// How the secret scan came by the blobs it covers: read from the repository and scanned,
/// or found in the cache of earlier runs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BlobCount {
    pub read: usize,
    pub cached: usize,
}

/// A commit read, and the changes whose new blob the secret scan covers.
type Read = (CommitInfo, Vec<Change>);

/// A blob's scan, or why the blob cannot be read.
type Scanned = Result<BlobScan, String>;

/// Reads every commit of the walk in parallel; the result keeps the order of its `ids`,
/// whatever the thread count. The blobs the secret scan covers are gathered from all commits
/// first and scanned in parallel, each once, and not at all when `cache` holds its scan.
pub fn read_all(
    plan: &Plan<'_>,
    walk: &Reachable,
    cache: &mut BlobCache,
) -> Result<(Vec<CommitInfo>, BlobCount), git2::Error> {
    let chunks: Vec<Result<Vec<Read>, git2::Error>> = walk
        .ids
        .par_chunks(CHUNK)
        .map_init(
            || (Repository::open(&plan.git_dir), Names::new()),
            |(repo, names), chunk| {
                let repo = repo.as_ref().map_err(copy_error)?;
                chunk
                    .iter()
                    .map(|id| read_commit(repo, plan, walk, names, *id))
                    .collect()
            },
        )
        .collect();
    let mut read = Vec::with_capacity(walk.ids.len());
    for chunk in chunks {
        read.extend(chunk?);
    }
    let mut count = BlobCount::default();
    let mut scans = HashMap::new();
    let added = read.iter().flat_map(|(_, changes)| changes).map(|c| c.new);
    scan_blobs(plan, cache, added.flatten(), &mut scans, &mut count)?;
    // The blob a secret was found in is compared with the one it replaced, so that a value
    // already there is not counted as added.
    let replaced = read.iter().flat_map(|(_, changes)| changes).filter_map(|c| {
        let with_hits = matches!(c.new.and_then(|id| scans.get(&id)), Some(Ok(BlobScan::Hits(h))) if !h.is_empty());
        c.old.filter(|_| with_hits)
    });
    let replaced: Vec<Oid> = replaced.collect();
    scan_blobs(plan, cache, replaced.into_iter(), &mut scans, &mut count)?;
    let commits = read
        .into_iter()
        .map(|(mut info, changes)| {
            for change in changes {
                added_secrets(plan, &scans, change, &mut info);
            }
            info
        })
        .collect();
    Ok((commits, count))
}

/// Adds to `scans` the blobs of `ids` it lacks: from `cache`, else read and scanned in
/// parallel (and recorded in `cache`).
fn scan_blobs(
    plan: &Plan<'_>,
    cache: &mut BlobCache,
    ids: impl Iterator<Item = Oid>,
    scans: &mut HashMap<Oid, Scanned>,
    count: &mut BlobCount,
) -> Result<(), git2::Error> {
    let mut wanted = Vec::new();
    for id in ids {
        if scans.contains_key(&id) {
            continue;
        }
        match cache.get(id) {
            Some(scan) => {
                count.cached += 1;
                scans.insert(id, Ok(scan));
            }
            None => {
                // Pending; replaced below.
                scans.insert(id, Err(String::new()));
                wanted.push(id);
            }
        }
    }
    count.read += wanted.len();
    let chunks: Vec<Result<Vec<Scanned>, git2::Error>> = wanted
        .par_chunks(CHUNK)
        .map_init(
            || Repository::open(&plan.git_dir),
            |repo, chunk| {
                let repo = repo.as_ref().map_err(copy_error)?;
                Ok(chunk
                    .iter()
                    .map(|id| {
                        secrets::scan_blob(repo, plan.scanner, *id).map_err(|e| e.message().into())
                    })
                    .collect())
            },
        )
        .collect();
    let mut wanted = wanted.into_iter();
    for chunk in chunks {
        // The chunk's scans drive the pairing: `zip` takes from its first iterator before
        // finding the second one empty, and would drop the next chunk's first id.
        for (scan, id) in chunk?.into_iter().zip(wanted.by_ref()) {
            if let Ok(scan) = &scan {
                cache.insert(id, scan.clone());
            }
            scans.insert(id, scan);
        }
    }
    Ok(())
}

/// Adds the secrets `change` brings to the commit `info` (the values its new blob holds that
/// the old one did not), or the reason its blobs cannot be read.
fn added_secrets(
    plan: &Plan<'_>,
    scans: &HashMap<Oid, Scanned>,
    change: Change,
    info: &mut CommitInfo,
) {
    let scan = |id: Option<Oid>| id.and_then(|id| scans.get(&id));
    let hits = match scan(change.new) {
        Some(Ok(BlobScan::Hits(hits))) if !hits.is_empty() => hits,
        Some(Ok(BlobScan::Hits(_))) | None => return,
        Some(Ok(BlobScan::Skipped)) => {
            info.unscanned_blobs += 1;
            return;
        }
        Some(Err(message)) => return unreadable(plan, info, message),
    };
    let fresh = match scan(change.old) {
        None | Some(Ok(BlobScan::Skipped)) => hits.clone(),
        Some(Ok(BlobScan::Hits(old))) => secrets::added(hits.clone(), old),
        Some(Err(message)) => return unreadable(plan, info, message),
    };
    info.secrets
        .extend(fresh.into_iter().map(|hit| AddedSecret {
            path: change.path.clone(),
            hit,
        }));
}

/// Records that the changes of `info` cannot be read (the first reason given).
fn unreadable(plan: &Plan<'_>, info: &mut CommitInfo, message: &str) {
    if info.diff_error.is_none() {
        info.diff_error = Some(if plan.boundary.contains(&info.id) {
            "the parent is missing from this shallow clone".into()
        } else {
            message.to_string()
        });
    }
}

/// A copy of `e`: the error of opening a repository shared by a run of tasks.
fn copy_error(e: &git2::Error) -> git2::Error {
    git2::Error::new(e.code(), e.class(), e.message())
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

/// Names as written in commits and as redacted, so that each name is scanned once per run of tasks.
type Names = HashMap<Vec<u8>, String>;

/// A person and a time; secrets in the name are redacted.
fn stamp(plan: &Plan<'_>, names: &mut Names, raw: &RawStamp) -> Stamp {
    let name = match names.get(&raw.name) {
        Some(name) => name.clone(),
        None => {
            let name = plan.scanner.redact(&String::from_utf8_lossy(&raw.name));
            names.insert(raw.name.clone(), name.clone());
            name
        }
    };
    Stamp {
        name,
        email: String::from_utf8_lossy(&raw.email).to_ascii_lowercase(),
        time: raw.time,
    }
}

/// Reads one commit: its facts, and the changes whose new blob the secret scan covers.
fn read_commit(
    repo: &Repository,
    plan: &Plan<'_>,
    walk: &Reachable,
    names: &mut Names,
    id: Oid,
) -> Result<Read, git2::Error> {
    let node = &walk.nodes[&id];
    let read;
    let text = match &node.text {
        Some(text) => text,
        None => {
            read = Text::of(&repo.find_commit(id)?);
            &read
        }
    };
    let parents = node.parents.clone();
    let body = &text.message;
    let committer = stamp(plan, names, &text.committer);
    let in_period = plan.since.is_none_or(|s| committer.time >= s);
    let is_merge = parents.len() > 1;
    // Signatures are judged for the commits of the period only.
    let signature = (text.signed && in_period).then(|| signature_of(repo, plan, id));
    let scan_secrets = !is_merge
        && match plan.secret_scan {
            SecretScan::All => true,
            SecretScan::Period => in_period,
            SecretScan::Off => false,
        };
    let mut info = CommitInfo {
        id,
        author: stamp(plan, names, &text.author),
        committer,
        subject: plan.redactor.redact(message::subject(body)),
        trailers: message::trailers(body).redacted(plan.scanner),
        pull_request: message::pull_request(body, is_merge),
        parents,
        signature,
        in_period,
        sensitive_paths: Vec::new(),
        secrets: Vec::new(),
        secret_scanned: scan_secrets,
        unscanned_blobs: 0,
        diff_error: None,
    };
    let mut to_scan = Vec::new();
    if !is_merge && (in_period || scan_secrets) {
        match read_changes(repo, plan, walk, node.tree, in_period, &info.parents) {
            Ok((sensitive, changes)) => {
                info.sensitive_paths = sensitive;
                if scan_secrets {
                    to_scan = changes;
                    to_scan.retain(|c| c.new.is_some());
                }
            }
            Err(e) => unreadable(plan, &mut info, e.message()),
        }
    }
    Ok((info, to_scan))
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

/// Compares the commit's tree with its first parent's (the empty tree for a root commit): the
/// sensitive paths changed (for commits of the period) and the blob-level changes. The tree
/// ids come from the walk, without reading the commit or its parent.
fn read_changes(
    repo: &Repository,
    plan: &Plan<'_>,
    walk: &Reachable,
    tree: Oid,
    in_period: bool,
    parents: &[Oid],
) -> Result<(Vec<String>, Vec<Change>), git2::Error> {
    let new_tree = repo.find_tree(tree)?;
    let old_tree = match parents.first() {
        Some(parent) => Some(repo.find_tree(walk.tree(repo, *parent)?)?),
        None => None,
    };
    let changes = tree_diff::changes(repo, old_tree.as_ref(), Some(&new_tree))?;
    let sensitive: BTreeSet<&String> = changes
        .iter()
        .map(|c| &c.path)
        .filter(|path| in_period && plan.sensitive.is_match(path))
        .collect();
    Ok((sensitive.into_iter().cloned().collect(), changes))
}
