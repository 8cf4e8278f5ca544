//! The review facts of every export joined per pull or merge request: who opened it, which
//! commits merged it, and who approved it, as the git collector asks for them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Pull and merge requests of the exports, by number.
#[derive(Debug, Default)]
pub struct Exports {
    /// Every export file holding pull requests, reviews or approvals, sorted.
    files: BTreeSet<String>,
    changes: BTreeMap<u64, Change>,
    /// Merge commit id → pull request number.
    by_commit: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
struct Change {
    author: Option<String>,
    /// GitHub reviews: (submitted at, order read, reviewer, state).
    reviews: Vec<(String, usize, String, String)>,
    /// GitLab approvers.
    approvers: BTreeSet<String>,
    /// Whether any file holds its reviews or approvals.
    review_data: bool,
    sources: BTreeSet<String>,
}

/// What the exports say about one merged change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeReview {
    pub number: u64,
    /// The login of who opened it, when an export names it.
    pub author: Option<String>,
    /// Whether an export holds its reviews or approvals (else nothing is known of them).
    pub review_data: bool,
    /// Who approved it: GitLab approvers, and GitHub reviewers whose latest deciding review
    /// (approved, changes requested, dismissed) approves. Sorted.
    pub approvers: Vec<String>,
    /// The export files it comes from, sorted.
    pub sources: Vec<String>,
}

impl ChangeReview {
    /// The approvers other than `author` (compared without case).
    pub fn approvers_other_than(&self, author: &str) -> Vec<String> {
        self.approvers
            .iter()
            .filter(|a| !a.eq_ignore_ascii_case(author.trim_start_matches('@')))
            .cloned()
            .collect()
    }
}

impl Exports {
    /// Whether any export holds pull requests, reviews or approvals.
    pub fn has_reviews(&self) -> bool {
        !self.files.is_empty()
    }

    /// The export files holding review facts.
    pub fn files(&self) -> Vec<String> {
        self.files.iter().cloned().collect()
    }

    /// Adds the normalized document `data` of the export at `path`.
    pub(super) fn add(&mut self, path: &str, data: &Value) {
        let list = |key: &str| data[key].as_array().map_or(&[][..], Vec::as_slice);
        match data["api"].as_str() {
            Some("pull_requests") => {
                for p in list("pull_requests") {
                    let Some(number) = p["number"].as_u64() else {
                        continue;
                    };
                    let change = self.entry(number, path);
                    if let Some(author) = p["author"].as_str() {
                        change.author = Some(author.to_string());
                    }
                    for sha in p["merge_commits"].as_array().into_iter().flatten() {
                        if let Some(sha) = sha.as_str() {
                            self.by_commit.insert(sha.to_ascii_lowercase(), number);
                        }
                    }
                }
            }
            Some("reviews") => {
                for r in list("reviews") {
                    let (Some(number), Some(reviewer), Some(state)) = (
                        r["pull_request"].as_u64(),
                        r["reviewer"].as_str(),
                        r["state"].as_str(),
                    ) else {
                        continue;
                    };
                    let change = self.entry(number, path);
                    change.review_data = true;
                    let order = change.reviews.len();
                    let at = r["submitted_at"].as_str().unwrap_or_default().to_string();
                    change.reviews.push((
                        at,
                        order,
                        reviewer.to_string(),
                        state.to_ascii_uppercase(),
                    ));
                }
            }
            Some("approvals") => {
                let numbers: BTreeSet<u64> = list("approvals")
                    .iter()
                    .filter_map(|a| a["pull_request"].as_u64())
                    .collect();
                for a in list("approvals") {
                    let (Some(number), Some(who)) =
                        (a["pull_request"].as_u64(), a["approver"].as_str())
                    else {
                        continue;
                    };
                    self.entry(number, path).approvers.insert(who.to_string());
                }
                for number in numbers {
                    if let Some(change) = self.changes.get_mut(&number) {
                        change.review_data = true;
                    }
                }
            }
            _ => {}
        }
    }

    /// The change `number`, noting that the export at `path` names it.
    fn entry(&mut self, number: u64, path: &str) -> &mut Change {
        self.files.insert(path.to_string());
        let change = self.changes.entry(number).or_default();
        change.sources.insert(path.to_string());
        change
    }

    /// The review facts of the change that merged `commit` (by its merge commit id), else of
    /// pull request `number`.
    pub fn review_of(&self, commit: &str, number: Option<u64>) -> Option<ChangeReview> {
        let number = self
            .by_commit
            .get(&commit.to_ascii_lowercase())
            .copied()
            .or(number)?;
        let change = self.changes.get(&number)?;
        let mut reviews: Vec<&(String, usize, String, String)> = change.reviews.iter().collect();
        reviews.sort();
        let mut latest: BTreeMap<&str, &str> = BTreeMap::new();
        for (_, _, reviewer, state) in reviews {
            if matches!(
                state.as_str(),
                "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
            ) {
                latest.insert(reviewer, state);
            }
        }
        let mut approvers: BTreeSet<String> = change.approvers.clone();
        approvers.extend(
            latest
                .into_iter()
                .filter(|(_, state)| *state == "APPROVED")
                .map(|(who, _)| who.to_string()),
        );
        Some(ChangeReview {
            number,
            author: change.author.clone(),
            review_data: change.review_data,
            approvers: approvers.into_iter().collect(),
            sources: change.sources.iter().cloned().collect(),
        })
    }
}
