//! What a commit message says: its subject, trailers (`Reviewed-by:`, `Approved-by:`,
//! `Co-authored-by:`, `Signed-off-by:`) and the pull request it merged, if any.

use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

use crate::dlp::Scanner;

/// The trailers of a commit message that matter for change management, serialised as the
/// document shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Trailers {
    pub reviewed_by: Vec<String>,
    pub approved_by: Vec<String>,
    pub co_authored_by: Vec<String>,
    pub signed_off_by: Vec<String>,
}

impl Trailers {
    /// Whether someone other than the author is recorded as reviewer or approver.
    pub fn has_review(&self) -> bool {
        !self.reviewed_by.is_empty() || !self.approved_by.is_empty()
    }

    /// The trailers with the secrets `scanner` finds redacted.
    pub fn redacted(mut self, scanner: &Scanner) -> Trailers {
        for list in [
            &mut self.reviewed_by,
            &mut self.approved_by,
            &mut self.co_authored_by,
            &mut self.signed_off_by,
        ] {
            for value in list.iter_mut() {
                *value = scanner.redact(value);
            }
        }
        self
    }
}

/// How a pull (or merge) request shows in a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullRequestRef {
    /// A merge commit: `Merge pull request #N from …` (GitHub), `See merge request …!N`
    /// (GitLab), `Merged PR N: …` (Azure DevOps), `Pull request #N: …` (Bitbucket).
    Merge(u64),
    /// A squash or rebase merge: the subject ends with `(#N)`.
    Squash(u64),
}

impl PullRequestRef {
    pub fn number(self) -> u64 {
        match self {
            PullRequestRef::Merge(n) | PullRequestRef::Squash(n) => n,
        }
    }
}

/// The first line of a message.
pub fn subject(message: &str) -> &str {
    message.lines().next().unwrap_or("").trim()
}

/// The trailers of the message's last paragraph, when every line of that paragraph is a
/// `Token: value` trailer (or a folded continuation line), as `git interpret-trailers` reads
/// them. A one-paragraph message (subject only) has no trailers.
pub fn trailers(message: &str) -> Trailers {
    let mut out = Trailers::default();
    let text = message.trim_end();
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    if paragraphs.len() < 2 {
        return out;
    }
    let last = paragraphs[paragraphs.len() - 1];
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in last.lines() {
        if line.starts_with([' ', '\t']) {
            match entries.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(line.trim());
                    continue;
                }
                None => return out,
            }
        }
        let Some((token, value)) = line.split_once(':') else {
            return out;
        };
        if token.is_empty() || !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return out;
        }
        entries.push((token.to_ascii_lowercase(), value.trim().to_string()));
    }
    for (token, value) in entries {
        let list = match token.as_str() {
            "reviewed-by" => &mut out.reviewed_by,
            "approved-by" => &mut out.approved_by,
            "co-authored-by" => &mut out.co_authored_by,
            "signed-off-by" => &mut out.signed_off_by,
            _ => continue,
        };
        list.push(value);
    }
    out
}

/// The pull request a commit merged, judged by its message and whether it is a merge commit.
pub fn pull_request(message: &str, is_merge: bool) -> Option<PullRequestRef> {
    static MERGE: OnceLock<Regex> = OnceLock::new();
    static GITLAB: OnceLock<Regex> = OnceLock::new();
    static SQUASH: OnceLock<Regex> = OnceLock::new();
    let first = subject(message);
    if is_merge {
        let merge = MERGE.get_or_init(|| {
            Regex::new(r"^(?:Merge pull request #(\d+)\b|Merged PR (\d+):|Merged in .* \(pull request #(\d+)\)|Pull request #(\d+):)")
                .expect("merge subject pattern compiles")
        });
        if let Some(c) = merge.captures(first) {
            return (1..=4)
                .find_map(|i| c.get(i))
                .and_then(|m| m.as_str().parse().ok())
                .map(PullRequestRef::Merge);
        }
        let gitlab = GITLAB.get_or_init(|| {
            Regex::new(r"(?m)^See merge request [^\s!]+!(\d+)\s*$")
                .expect("merge request pattern compiles")
        });
        return gitlab
            .captures(message)
            .and_then(|c| c[1].parse().ok())
            .map(PullRequestRef::Merge);
    }
    let squash =
        SQUASH.get_or_init(|| Regex::new(r"\(#(\d+)\)$").expect("squash subject pattern compiles"));
    squash
        .captures(first)
        .and_then(|c| c[1].parse().ok())
        .map(PullRequestRef::Squash)
}

/// The e-mail address in `Name <email>`, lower-cased; the whole value when it has no `<…>`.
pub fn email_of(identity: &str) -> String {
    match (identity.rfind('<'), identity.rfind('>')) {
        (Some(start), Some(end)) if start < end => identity[start + 1..end].trim(),
        _ => identity.trim(),
    }
    .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_come_from_the_last_paragraph_only() {
        let message = "Fix login\n\nReviewed-by: not a trailer here\nbecause this line is prose\n\nReviewed-by: Ann <ann@example.org>\nApproved-by: Bob <bob@example.org>\nCo-authored-by: Cy <cy@example.org>\n  continued\nSigned-off-by: Dee <dee@example.org>\n";
        let t = trailers(message);
        assert_eq!(t.reviewed_by, vec!["Ann <ann@example.org>"]);
        assert_eq!(t.approved_by, vec!["Bob <bob@example.org>"]);
        assert_eq!(t.co_authored_by, vec!["Cy <cy@example.org> continued"]);
        assert_eq!(t.signed_off_by, vec!["Dee <dee@example.org>"]);
        assert!(t.has_review());
        assert!(!trailers("Reviewed-by: Ann <ann@example.org>").has_review());
        assert!(!trailers("Fix\n\nsee http://x: no trailer").has_review());
    }

    #[test]
    fn pull_requests_by_forge_convention() {
        assert_eq!(
            pull_request("Merge pull request #42 from org/feature\n\nAdd x", true),
            Some(PullRequestRef::Merge(42))
        );
        assert_eq!(
            pull_request(
                "Merge branch 'f' into 'main'\n\nSee merge request group/app!7\n",
                true
            ),
            Some(PullRequestRef::Merge(7))
        );
        assert_eq!(
            pull_request("Merged PR 913: Update deps", true),
            Some(PullRequestRef::Merge(913))
        );
        assert_eq!(pull_request("Merge branch 'topic'", true), None);
        assert_eq!(
            pull_request("Add rate limiting (#118)\n\n* wip", false),
            Some(PullRequestRef::Squash(118))
        );
        assert_eq!(pull_request("Add rate limiting (#118) later", false), None);
        assert_eq!(pull_request("Merge pull request #3 from x/y", false), None);
    }

    #[test]
    fn emails_are_extracted_and_lowered() {
        assert_eq!(email_of("Ann <Ann@Example.org>"), "ann@example.org");
        assert_eq!(email_of("ann@example.org"), "ann@example.org");
    }
}
