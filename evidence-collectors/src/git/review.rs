//! What shows that a change on the branch was reviewed, and how much that evidence says: an
//! approval in a forge export by someone other than the author, or only what the history
//! holds (a merge commit or `(#N)` pull-request reference, a review trailer), whose approvals
//! nobody verified.

use serde::{Serialize, Serializer};

use super::codeowners::Directory;
use super::history::CommitInfo;
use super::message::PullRequestRef;
use crate::forge::Exports;

/// The kind of review evidence of one change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A forge export shows an approval by someone other than the author.
    ForgeApproval,
    /// A forge export holds the change, without such an approval.
    ForgeNoApproval,
    /// The history names a pull request the forge exports do not hold.
    NotInForgeExport,
    /// A merge commit or `(#N)` reference in the history, without exports: not verified.
    PullRequestReference,
    /// A `Reviewed-by:` or `Approved-by:` trailer: not verified.
    ReviewTrailer,
    /// Nothing.
    None,
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ForgeApproval => "forge_approval",
            Kind::ForgeNoApproval => "forge_no_approval",
            Kind::NotInForgeExport => "not_in_forge_export",
            Kind::PullRequestReference => "pull_request_reference",
            Kind::ReviewTrailer => "review_trailer",
            Kind::None => "none",
        }
    }

    /// Whether the change counts as reviewed.
    pub fn reviewed(self) -> bool {
        matches!(
            self,
            Kind::ForgeApproval | Kind::PullRequestReference | Kind::ReviewTrailer
        )
    }
}

/// The review evidence of one first-parent change, serialised as the document shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    #[serde(rename = "evidence")]
    pub kind: Kind,
    pub pull_request: Option<u64>,
    /// Who opened the pull request, as the export or `collectors.git.identities` names them.
    pub author: Option<String>,
    /// Approvers other than the author.
    pub approved_by: Vec<String>,
    /// The export files the judgement read.
    pub sources: Vec<String>,
    /// The evidence in words, for findings.
    pub says: String,
}

/// Judges the review evidence of the first-parent commit `c`.
pub fn judge(c: &CommitInfo, exports: &Exports, directory: &Directory) -> Evidence {
    let number = c.pull_request.map(PullRequestRef::number);
    let mut evidence = Evidence {
        kind: Kind::None,
        pull_request: number,
        author: None,
        approved_by: Vec::new(),
        sources: Vec::new(),
        says: String::new(),
    };
    let exported = exports.has_reviews();
    if let Some(review) = exported
        .then(|| exports.review_of(&c.id.to_string(), number))
        .flatten()
    {
        let author = review.author.clone().or_else(|| {
            directory
                .identify(&c.author.email)
                .login
                .map(|l| l.trim_start_matches('@').to_string())
        });
        let sources = review.sources.join(", ");
        evidence.pull_request = Some(review.number);
        evidence.sources = review.sources.clone();
        evidence.author = author.clone();
        let n = review.number;
        match author {
            _ if !review.review_data => {
                evidence.kind = Kind::ForgeNoApproval;
                evidence.says = format!(
                    "the forge export holds no reviews or approvals of pull request #{n} ({sources})"
                );
            }
            None => {
                evidence.kind = Kind::ForgeNoApproval;
                evidence.says = format!(
                    "who opened pull request #{n} is not known, so no approval can be told apart from the author's: export the pull requests, or map the author's e-mail address in `collectors.git.identities` ({sources})"
                );
            }
            Some(author) => {
                evidence.approved_by = review.approvers_other_than(&author);
                if evidence.approved_by.is_empty() {
                    evidence.kind = Kind::ForgeNoApproval;
                    evidence.says = format!(
                        "pull request #{n} by {author} has no approval by anyone else in the forge export ({sources})"
                    );
                } else {
                    evidence.kind = Kind::ForgeApproval;
                    evidence.says = format!(
                        "pull request #{n} by {author} approved by {} in the forge export ({sources})",
                        evidence.approved_by.join(", ")
                    );
                }
            }
        }
        return evidence;
    }
    if c.trailers.has_review() {
        evidence.kind = Kind::ReviewTrailer;
        evidence.says =
            "a Reviewed-by/Approved-by trailer in the commit message; not verified".into();
    } else if let Some(n) = number {
        if exported {
            evidence.kind = Kind::NotInForgeExport;
            evidence.says = format!("pull request #{n} is not in the forge exports");
        } else {
            evidence.kind = Kind::PullRequestReference;
            evidence.says = format!(
                "{} in the history; approvals not verified",
                match c.pull_request {
                    Some(PullRequestRef::Merge(_)) => format!("merge commit of pull request #{n}"),
                    _ => format!("`(#{n})` pull-request reference"),
                }
            );
        }
    } else {
        evidence.says =
            "no merge commit, pull-request reference or review trailer in the history".into();
    }
    evidence
}
