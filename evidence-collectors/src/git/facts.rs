//! From per-commit facts to the document: the commits of the period, and the derived facts
//! change-management controls judge (review share, direct commits, signatures, changes to
//! protected paths by people outside CODEOWNERS, secrets in the history).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use git2::{Oid, Repository};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use super::codeowners::{Codeowners, Directory, Ownership};
use super::history::{CommitInfo, Stamp};
use super::message::{email_of, PullRequestRef, Trailers};
use super::review::{self, Evidence, Kind};
use super::secrets::{self, MAX_BLOB_SIZE};
use super::settings::SecretScan;
use super::signature::Verdict;
use crate::dlp::{Detector, Scanner};
use crate::forge::Exports;

/// What the facts are judged against.
pub struct Context<'a> {
    pub repo: &'a Repository,
    pub relative: &'a str,
    pub branch: &'a str,
    pub tip: Oid,
    pub since: Option<i64>,
    pub until: i64,
    pub days: u32,
    pub shallow: bool,
    /// The commits at the boundary of a shallow clone.
    pub boundary: &'a HashSet<Oid>,
    /// The first-parent commit whose parent is missing, if the walk stopped there.
    pub stopped_at: Option<Oid>,
    /// Reachable commits that cannot be read, with the reason.
    pub unreadable: &'a [(Oid, String)],
    /// The first-parent commits of the period, newest first.
    pub chain: &'a [Oid],
    pub codeowners: Option<&'a Codeowners>,
    pub directory: &'a Directory,
    pub sensitive_globs: &'a [String],
    pub secret_scan: SecretScan,
    pub scanner: &'a Scanner,
    /// The review facts of the forge exports (empty without exports).
    pub forge: &'a Exports,
    /// Why the secret-scan cache could not be read or written, if it could not.
    pub cache_note: Option<&'a str>,
}

fn time(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn date(seconds: i64) -> String {
    time(seconds).get(..10).unwrap_or_default().to_string()
}

fn short(id: Oid) -> String {
    id.to_string()[..12].to_string()
}

/// A person and a time as the document shows them. Typed, so that `json!` builds its value
/// once rather than copying a ready-made one.
#[derive(Serialize)]
struct Person<'a> {
    name: &'a str,
    email: &'a str,
    time: String,
}

fn person(s: &Stamp) -> Person<'_> {
    Person {
        name: &s.name,
        email: &s.email,
        time: time(s.time),
    }
}

/// `1a2b3c4d5e6f Subject (Author, 2024-05-01)`: how a commit is named in messages.
fn label(c: &CommitInfo) -> String {
    format!(
        "{} {} ({}, {})",
        short(c.id),
        c.subject,
        c.author.name,
        date(c.committer.time)
    )
}

fn share(part: usize, whole: usize) -> Value {
    if whole == 0 {
        Value::Null
    } else {
        json!((part as f64 / whole as f64 * 10_000.0).round() / 10_000.0)
    }
}

/// How a first-parent commit reached the branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Merge,
    Squash,
    Direct,
}

impl Via {
    fn of(c: &CommitInfo) -> Via {
        if c.is_merge() {
            Via::Merge
        } else if matches!(c.pull_request, Some(PullRequestRef::Squash(_))) {
            Via::Squash
        } else {
            Via::Direct
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Via::Merge => "merge",
            Via::Squash => "squash",
            Via::Direct => "direct",
        }
    }
}

/// A commit's signature as the document shows it: `signer` and `note` only when signed.
#[derive(Serialize)]
#[serde(untagged)]
enum SignatureFact<'a> {
    Absent {
        present: bool,
        format: Option<&'a str>,
        verified: Option<bool>,
    },
    Present {
        present: bool,
        format: &'a str,
        verified: Option<bool>,
        signer: Option<&'a str>,
        note: Option<&'a str>,
    },
}

fn signature_fact(c: &CommitInfo) -> SignatureFact<'_> {
    match &c.signature {
        None => SignatureFact::Absent {
            present: false,
            format: None,
            verified: None,
        },
        Some(sig) => {
            let (verified, signer, note) = match &sig.verdict {
                Verdict::Verified(who) => (Some(true), Some(who.as_str()), None),
                Verdict::Rejected(why) => (Some(false), None, Some(why.as_str())),
                Verdict::Unchecked(why) => (None, None, Some(why.as_str())),
            };
            SignatureFact::Present {
                present: true,
                format: sig.format.as_str(),
                verified,
                signer,
                note,
            }
        }
    }
}

/// One commit of the period as the document's `commits` list shows it.
#[derive(Serialize)]
struct CommitFact<'a> {
    commit: &'a str,
    parents: Vec<String>,
    author: &'a Person<'a>,
    committer: Person<'a>,
    subject: &'a str,
    first_parent: bool,
    via: Option<&'static str>,
    pull_request: Option<u64>,
    reviewed: Option<bool>,
    review: Option<&'a Evidence>,
    signature: SignatureFact<'a>,
    trailers: &'a Trailers,
    sensitive_paths: &'a [String],
}

/// A commit in the lists of direct commits and unreviewed changes (with its review evidence).
#[derive(Serialize)]
struct ChangeEntry<'a> {
    commit: &'a str,
    label: &'a str,
    author: &'a Person<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    review: Option<&'a Evidence>,
}

/// A commit in the lists of unsigned commits and signature failures (with the reason).
#[derive(Serialize)]
struct SignatureEntry<'a> {
    commit: &'a str,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// A typed fact as a document value. Serialising these types to a value cannot fail (string
/// keys, no maps with other keys), so a failure would be a bug shown as `null`, not a panic.
fn value(fact: impl Serialize) -> Value {
    serde_json::to_value(fact).unwrap_or_default()
}

/// One commit of the period as the document shows it, and its entries in the lists.
struct Judged {
    commit: Value,
    /// How a first-parent commit reached the branch, and its kind of review evidence.
    change: Option<(Via, Kind)>,
    direct: Option<Value>,
    unreviewed: Option<Value>,
    unsigned: Option<Value>,
    failure: Option<Value>,
}

/// The commit's facts, built from typed structs in one pass: every string is formatted once
/// and each value is created in place, never copied from another value.
fn judge(c: &CommitInfo, on_branch: bool, forge: &Exports, directory: &Directory) -> Judged {
    let via = on_branch.then(|| Via::of(c));
    let review = on_branch.then(|| review::judge(c, forge, directory));
    let id = c.id.to_string();
    let label = label(c);
    let author = person(&c.author);
    let (mut direct, mut unreviewed) = (None, None);
    if let (Some(via), Some(review)) = (via, &review) {
        if via == Via::Direct {
            direct = Some(value(ChangeEntry {
                commit: &id,
                label: &label,
                author: &author,
                review: None,
            }));
        }
        if !review.kind.reviewed() {
            unreviewed = Some(value(ChangeEntry {
                commit: &id,
                label: &format!("{label}: {}", review.says),
                author: &author,
                review: Some(review),
            }));
        }
    }
    let signature_entry = |reason| {
        value(SignatureEntry {
            commit: &id,
            label: &label,
            reason,
        })
    };
    let (mut unsigned, mut failure) = (None, None);
    match &c.signature {
        None => unsigned = Some(signature_entry(None)),
        Some(sig) => {
            if let Verdict::Rejected(reason) = &sig.verdict {
                failure = Some(signature_entry(Some(reason)));
            }
        }
    }
    let commit = value(CommitFact {
        commit: &id,
        parents: c.parents.iter().map(Oid::to_string).collect(),
        author: &author,
        committer: person(&c.committer),
        subject: &c.subject,
        first_parent: on_branch,
        via: via.map(Via::as_str),
        pull_request: c.pull_request.map(PullRequestRef::number),
        reviewed: review.as_ref().map(|r| r.kind.reviewed()),
        review: review.as_ref(),
        signature: signature_fact(c),
        trailers: &c.trailers,
        sensitive_paths: &c.sensitive_paths,
    });
    Judged {
        commit,
        change: via.zip(review.map(|r| r.kind)),
        direct,
        unreviewed,
        unsigned,
        failure,
    }
}

/// Builds the document data from the commits read, in walk order (newest first).
pub fn build(cx: &Context<'_>, commits: &[CommitInfo]) -> Value {
    let first_parent: HashSet<Oid> = cx.chain.iter().copied().collect();
    let period: Vec<&CommitInfo> = commits.iter().filter(|c| c.in_period).collect();
    let mut notes = Vec::new();

    // Each commit's JSON is built in parallel; the lists and counts are gathered in order.
    let (forge, directory) = (cx.forge, cx.directory);
    let judged: Vec<Judged> = period
        .par_iter()
        .map(|c| judge(c, first_parent.contains(&c.id), forge, directory))
        .collect();
    let mut commit_list = Vec::with_capacity(period.len());
    let mut direct = Vec::new();
    let mut unreviewed = Vec::new();
    let mut unsigned = Vec::new();
    let mut failures = Vec::new();
    let (mut changes, mut merges, mut pull_requests, mut reviewed_count) = (0, 0, 0, 0);
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    let (mut signed, mut verified) = (0, 0);
    for (c, judged) in period.iter().zip(judged) {
        if let Some((via, kind)) = judged.change {
            changes += 1;
            merges += usize::from(via == Via::Merge);
            pull_requests += usize::from(c.pull_request.is_some());
            *kinds.entry(kind.as_str()).or_default() += 1;
            reviewed_count += usize::from(kind.reviewed());
        }
        direct.extend(judged.direct);
        unreviewed.extend(judged.unreviewed);
        if let Some(sig) = &c.signature {
            signed += 1;
            verified += usize::from(matches!(sig.verdict, Verdict::Verified(_)));
        }
        unsigned.extend(judged.unsigned);
        failures.extend(judged.failure);
        commit_list.push(judged.commit);
    }

    let (sensitive_changes, violations, unresolved) = ownership(cx, &period, &mut notes);
    let secret_list = secrets_json(cx, commits);
    let at_head = secret_list
        .iter()
        .filter(|s| s["present_at_head"] == json!(true))
        .count();

    let (incomplete_period, incomplete_secrets) = incomplete(cx, commits);
    let unscanned: usize = commits.iter().map(|c| c.unscanned_blobs).sum();
    if unscanned > 0 {
        notes.push(format!(
            "{unscanned} blob(s) were not scanned for secrets: binary, or larger than {} KiB",
            MAX_BLOB_SIZE / 1024
        ));
    }
    notes.extend(cx.cache_note.map(str::to_string));
    if cx.secret_scan == SecretScan::Off {
        notes.push("the secret scan is off (`collectors.git.secret_scan: off`)".into());
    }
    if unresolved > 0 {
        notes.push(format!(
            "{unresolved} change(s) to protected paths could not be judged against CODEOWNERS: map authors' e-mail addresses to logins with `collectors.git.identities` and teams to members with `collectors.git.teams`"
        ));
    }

    let exported = cx.forge.has_reviews();
    let evidence = if exported { "forge_export" } else { "history" };
    let count = |kind: Kind| kinds.get(kind.as_str()).copied().unwrap_or(0);
    let statement = if exported {
        format!(
            "{reviewed_count} of {changes} change(s) reviewed: {} approved by someone other than their author in the forge exports ({}), {} with a Reviewed-by/Approved-by trailer (not verified)",
            count(Kind::ForgeApproval),
            cx.forge.files().join(", "),
            count(Kind::ReviewTrailer),
        )
    } else {
        format!(
            "{reviewed_count} of {changes} change(s) show review evidence in the history: {} merge commit(s) or `(#N)` pull-request reference(s), {} Reviewed-by/Approved-by trailer(s); approvals not verified, since no forge export was given",
            count(Kind::PullRequestReference),
            count(Kind::ReviewTrailer),
        )
    };
    let mut review_section = json!({
        "evidence": evidence,
        "exports": cx.forge.files(),
        "kinds": kinds,
        "statement": statement,
    });
    review_section[evidence] = json!({"reviewed_share": share(reviewed_count, changes)});
    if !exported && changes > 0 && kinds.contains_key(Kind::PullRequestReference.as_str()) {
        notes.push("review evidence comes from the history alone: a merge commit or `(#N)` reference says a pull request existed, not that anyone approved it; save the forge's pull requests and reviews under `.assay/forge/` to verify approvals".into());
    }

    // The long lists are moved in afterwards: `json!` would copy them value by value.
    let mut data = json!({
        "repository": {
            "path": cx.relative,
            "branch": cx.branch,
            "head": cx.tip.to_string(),
            "shallow": cx.shallow,
        },
        "period": {
            "since": cx.since.map(time),
            "until": time(cx.until),
            "days": cx.days,
        },
        "summary": {
            "commits": period.len(),
            "changes": changes,
            "merges": merges,
            "pull_requests": pull_requests,
            "reviewed": reviewed_count,
            "reviewed_share": share(reviewed_count, changes),
            "direct_commits": direct.len(),
            "signed": signed,
            "unsigned": unsigned.len(),
            "verified": verified,
            "signed_share": share(signed, period.len()),
            "sensitive_changes": sensitive_changes.len(),
            "codeowners_violations": violations.len(),
            "codeowners_unresolved": unresolved,
            "secrets": secret_list.len(),
            "secrets_at_head": at_head,
        },
        "review": review_section,
        "commits": [],
        "direct_commits": [],
        "unreviewed_changes": [],
        "unsigned_commits": [],
        "signature_failures": [],
        "sensitive_paths": cx.sensitive_globs,
        "sensitive_changes": [],
        "codeowners": cx.codeowners.map(|c| json!({
            "path": c.path,
            "rules": c.rules.len(),
            "errors": c.errors.iter().map(|(line, m)| json!({"line": line, "message": m})).collect::<Vec<_>>(),
        })),
        "codeowners_violations": [],
        "secrets": [],
        "incomplete": {"period": incomplete_period, "secrets": incomplete_secrets},
        "notes": notes,
    });
    for (key, list) in [
        ("commits", commit_list),
        ("direct_commits", direct),
        ("unreviewed_changes", unreviewed),
        ("unsigned_commits", unsigned),
        ("signature_failures", failures),
        ("sensitive_changes", sensitive_changes),
        ("codeowners_violations", violations),
        ("secrets", secret_list),
    ] {
        data[key] = Value::Array(list);
    }
    data
}

/// Changes to sensitive paths with their owners, the ones made by people outside CODEOWNERS
/// (and not approved by an owner), and how many could not be judged.
fn ownership(
    cx: &Context<'_>,
    period: &[&CommitInfo],
    notes: &mut Vec<String>,
) -> (Vec<Value>, Vec<Value>, usize) {
    let mut changes = Vec::new();
    let mut violations = Vec::new();
    let mut unresolved = 0;
    if cx.codeowners.is_none() {
        notes.push("no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS) at the branch tip: who may change protected paths cannot be judged".into());
    }
    for c in period {
        if c.sensitive_paths.is_empty() {
            continue;
        }
        let author = cx.directory.identify(&c.author.email);
        let approvers: Vec<_> = c
            .trailers
            .approved_by
            .iter()
            .chain(&c.trailers.reviewed_by)
            .map(|who| cx.directory.identify(&email_of(who)))
            .collect();
        for path in &c.sensitive_paths {
            let rule = cx.codeowners.and_then(|co| co.rule_for(path));
            let owners: Option<&[String]> = rule.map(|r| r.owners.as_slice());
            let verdict = owners
                .filter(|o| !o.is_empty())
                .map(|o| cx.directory.ownership(&author, o));
            let approved = owners.is_some_and(|o| {
                approvers
                    .iter()
                    .any(|a| cx.directory.ownership(a, o) == Ownership::Owner)
            });
            let entry = json!({
                "commit": c.id.to_string(),
                "path": path,
                "author": person(&c.author),
                "label": format!("{path} changed by {} in {}", c.author.email, label(c)),
                "owners": owners,
                "codeowners_pattern": rule.map(|r| r.pattern.as_str()),
                "codeowners_line": rule.map(|r| r.line),
                "author_is_owner": match verdict {
                    Some(Ownership::Owner) => json!(true),
                    Some(Ownership::NotOwner) => json!(false),
                    _ => Value::Null,
                },
                "approved_by_owner": approved,
            });
            match verdict {
                Some(Ownership::NotOwner) if !approved => violations.push(entry.clone()),
                Some(Ownership::Unknown) if !approved => unresolved += 1,
                _ => {}
            }
            changes.push(entry);
        }
    }
    (changes, violations, unresolved)
}

/// Each secret once, at the commit that first added it, with whether the branch tip still
/// holds it at the same path.
fn secrets_json(cx: &Context<'_>, commits: &[CommitInfo]) -> Vec<Value> {
    let mut first: BTreeMap<(String, Detector, [u8; 32]), (usize, u64)> = BTreeMap::new();
    for (index, c) in commits.iter().enumerate().rev() {
        for s in &c.secrets {
            first
                .entry((s.path.clone(), s.hit.detector, s.hit.value))
                .or_insert((index, s.hit.line));
        }
    }
    let tip_tree = cx.repo.find_commit(cx.tip).and_then(|c| c.tree()).ok();
    let mut at_tip: HashMap<String, Vec<secrets::SecretHit>> = HashMap::new();
    let mut found: Vec<(usize, Value)> = first
        .into_iter()
        .map(|((path, detector, value), (index, line))| {
            let tip_hits = at_tip.entry(path.clone()).or_insert_with(|| {
                tip_tree
                    .as_ref()
                    .and_then(|t| t.get_path(Path::new(&path)).ok())
                    .and_then(|e| cx.repo.find_blob(e.id()).ok())
                    .map(|b| secrets::scan_text(cx.scanner, b.content()))
                    .unwrap_or_default()
            });
            let present = tip_hits
                .iter()
                .any(|h| h.value == value && h.detector == detector);
            let c = &commits[index];
            (
                index,
                json!({
                    "detector": detector.as_str(),
                    "commit": c.id.to_string(),
                    "path": path,
                    "line": line,
                    "added": time(c.committer.time),
                    "author": person(&c.author),
                    "present_at_head": present,
                    "label": format!("{} in {path}:{line}, added by {}", detector.as_str(), label(c)),
                }),
            )
        })
        .collect();
    found.sort_by(|a, b| {
        (a.0, a.1["path"].as_str(), a.1["line"].as_u64()).cmp(&(
            b.0,
            b.1["path"].as_str(),
            b.1["line"].as_u64(),
        ))
    });
    found.into_iter().map(|(_, v)| v).collect()
}

/// What is missing from the evidence: for the commits of the period, and for the blobs the
/// secret scan covers (a shallow clone, commits that cannot be read, changes that cannot be
/// read). Controls judge nothing over incomplete evidence.
fn incomplete(cx: &Context<'_>, commits: &[CommitInfo]) -> (Vec<String>, Vec<String>) {
    let (mut period, mut secrets) = (Vec::new(), Vec::new());
    let scanning = cx.secret_scan != SecretScan::Off;
    if let Some((id, reason)) = cx.unreadable.first() {
        let message = format!(
            "{} commit(s) of the history cannot be read, nor what lies behind them (e.g. {}: {reason}); run `git fsck`",
            cx.unreadable.len(),
            short(*id),
        );
        period.push(message.clone());
        if scanning {
            secrets.push(message);
        }
    }
    if cx.shallow {
        let oldest = commits.iter().map(|c| c.committer.time).min();
        let covered = matches!((oldest, cx.since), (Some(oldest), Some(since)) if oldest <= since);
        let message = format!(
            "shallow clone: the history available starts at {}{}; the commits before it and the changes made by the {} commit(s) at the shallow boundary are missing. Fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` with actions/checkout)",
            oldest.map(time).unwrap_or_else(|| "(nothing)".into()),
            if covered { "" } else { ", inside the period" },
            cx.boundary.len(),
        );
        if !covered {
            period.push(message.clone());
        }
        if cx.secret_scan == SecretScan::All || (scanning && !covered) {
            secrets.push(message);
        }
    }
    if let Some(at) = cx.stopped_at {
        period.push(format!(
            "the first-parent history stops at {} because its parent is missing: changes before it are not counted",
            short(at)
        ));
    }
    let failed = |wanted: &dyn Fn(&CommitInfo) -> bool| {
        let failed: Vec<&CommitInfo> = commits
            .iter()
            .filter(|c| c.diff_error.is_some() && !cx.boundary.contains(&c.id) && wanted(c))
            .collect();
        failed.first().map(|example| {
            format!(
                "the changes of {} commit(s) cannot be read (e.g. {}: {}); run `git fsck`",
                failed.len(),
                short(example.id),
                example.diff_error.as_deref().unwrap_or_default()
            )
        })
    };
    period.extend(failed(&|c| c.in_period));
    secrets.extend(failed(&|c| c.secret_scanned));
    (period, secrets)
}
