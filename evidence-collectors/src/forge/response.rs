//! Telling which API call a saved response answers, and normalizing it: pull and merge
//! requests, reviews, approvals and branch protection rules of GitHub and GitLab.

use serde_json::{json, Value};

/// A recognized API response.
#[derive(Debug, Clone, Copy)]
pub enum Response<'a> {
    /// GitHub `GET /repos/{o}/{r}/pulls`.
    GithubPulls(&'a [Value]),
    /// GitHub `GET /repos/{o}/{r}/pulls/{n}/reviews`.
    GithubReviews(&'a [Value]),
    /// GitHub `GET /repos/{o}/{r}/branches/{b}/protection`.
    GithubProtection(&'a Value),
    /// GitHub's 404 answer to the same call: `{"message": "Branch not protected"}`.
    GithubUnprotected,
    /// GitLab `GET /projects/:id/merge_requests`.
    GitlabMergeRequests(&'a [Value]),
    /// GitLab `GET /projects/:id/merge_requests/:iid/approvals`.
    GitlabApprovals(&'a Value),
    /// GitLab `GET /projects/:id/protected_branches`.
    GitlabProtectedBranches(&'a [Value]),
}

/// A response normalized: the document data, the pointer in the response of each item of its
/// list, and the items left out with the reason.
pub struct Normalized {
    pub data: Value,
    /// `(item index in the list, pointer of the item in the response)`.
    pub items: Vec<(usize, String)>,
    /// `(pointer in the response, reason)`.
    pub problems: Vec<(String, String)>,
}

impl<'a> Response<'a> {
    /// What `value` answers, or why it is not read.
    pub fn recognize(value: &'a Value) -> Result<Response<'a>, String> {
        let unknown = || {
            "not a GitHub or GitLab API response assay reads (see the export layout in evidence-collectors/README.md)".to_string()
        };
        match value {
            Value::Array(items) => {
                let Some(first) = items.iter().find_map(Value::as_object) else {
                    return Err(if items.is_empty() {
                        "an empty list: which API call it answers cannot be told".to_string()
                    } else {
                        unknown()
                    });
                };
                let has = |key: &str| first.contains_key(key);
                if has("pull_request_url") && has("state") {
                    Ok(Response::GithubReviews(items))
                } else if has("number") && has("merge_commit_sha") {
                    Ok(Response::GithubPulls(items))
                } else if has("iid") && has("author") {
                    Ok(Response::GitlabMergeRequests(items))
                } else if has("name") && has("push_access_levels") {
                    Ok(Response::GitlabProtectedBranches(items))
                } else {
                    Err(unknown())
                }
            }
            Value::Object(object) => {
                if object.get("message").and_then(Value::as_str) == Some("Branch not protected") {
                    Ok(Response::GithubUnprotected)
                } else if object
                    .get("url")
                    .and_then(Value::as_str)
                    .and_then(protected_branch)
                    .is_some()
                {
                    Ok(Response::GithubProtection(value))
                } else if object.get("approved_by").is_some_and(Value::is_array)
                    && object.contains_key("iid")
                {
                    Ok(Response::GitlabApprovals(value))
                } else {
                    Err(unknown())
                }
            }
            _ => Err(unknown()),
        }
    }

    fn forge(&self) -> &'static str {
        match self {
            Response::GithubPulls(_)
            | Response::GithubReviews(_)
            | Response::GithubProtection(_)
            | Response::GithubUnprotected => "github",
            _ => "gitlab",
        }
    }

    /// The `api` of the document: what its list holds.
    pub fn api(&self) -> &'static str {
        match self {
            Response::GithubPulls(_) | Response::GitlabMergeRequests(_) => "pull_requests",
            Response::GithubReviews(_) => "reviews",
            Response::GitlabApprovals(_) => "approvals",
            Response::GithubProtection(_)
            | Response::GithubUnprotected
            | Response::GitlabProtectedBranches(_) => "protections",
        }
    }

    /// The normalized document of the response saved at `path`.
    pub fn normalize(&self, path: &str) -> Normalized {
        let mut list = Vec::new();
        let mut items = Vec::new();
        let mut problems = Vec::new();
        let mut push = |at: String, item: Result<Value, String>| match item {
            Ok(v) => {
                items.push((list.len(), at));
                list.push(v);
            }
            Err(reason) => problems.push((at, reason)),
        };
        match self {
            Response::GithubPulls(pulls) => {
                for (i, p) in pulls.iter().enumerate() {
                    push(format!("/{i}"), github_pull(p));
                }
            }
            Response::GithubReviews(reviews) => {
                for (i, r) in reviews.iter().enumerate() {
                    push(format!("/{i}"), github_review(r));
                }
            }
            Response::GithubProtection(p) => push(String::new(), Ok(github_protection(p, path))),
            Response::GithubUnprotected => push(String::new(), Ok(unprotected(path))),
            Response::GitlabMergeRequests(mrs) => {
                for (i, m) in mrs.iter().enumerate() {
                    push(format!("/{i}"), gitlab_merge_request(m));
                }
            }
            Response::GitlabApprovals(a) => match a.get("iid").and_then(Value::as_u64) {
                Some(iid) => {
                    for (i, entry) in a["approved_by"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        let item = login(&entry["user"], "username")
                            .map(|who| json!({"pull_request": iid, "approver": who}))
                            .ok_or_else(|| "approval without a user name".to_string());
                        push(format!("/approved_by/{i}"), item);
                    }
                }
                None => push(
                    "/iid".into(),
                    Err("approvals without the merge request's `iid`".into()),
                ),
            },
            Response::GitlabProtectedBranches(branches) => {
                for (i, b) in branches.iter().enumerate() {
                    push(format!("/{i}"), gitlab_protected_branch(b, path));
                }
            }
        }
        let mut data = json!({"forge": self.forge(), "api": self.api()});
        data[self.api()] = Value::Array(list);
        Normalized {
            data,
            items,
            problems,
        }
    }
}

/// The branch of a protection URL: `…/branches/{b}/protection`.
fn protected_branch(url: &str) -> Option<&str> {
    let rest = url.strip_suffix("/protection")?;
    let (head, branch) = rest.rsplit_once('/')?;
    head.ends_with("/branches").then_some(branch)
}

/// The user name of a user object (`login` on GitHub, `username` on GitLab).
fn login(user: &Value, key: &str) -> Option<String> {
    user.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn text(value: &Value, key: &str) -> Value {
    value
        .get(key)
        .and_then(Value::as_str)
        .map_or(Value::Null, |s| json!(s))
}

fn enabled(value: &Value, key: &str) -> Value {
    value
        .get(key)
        .and_then(|v| v.get("enabled"))
        .and_then(Value::as_bool)
        .map_or(Value::Null, Value::Bool)
}

fn github_pull(p: &Value) -> Result<Value, String> {
    let number = p
        .get("number")
        .and_then(Value::as_u64)
        .ok_or("pull request without a `number`")?;
    let merged = p.get("merged_at").is_some_and(|m| !m.is_null());
    // An open or closed-unmerged pull request's merge_commit_sha is a test merge, never on
    // the branch.
    let merge_commits: Vec<Value> = if merged {
        p.get("merge_commit_sha")
            .and_then(Value::as_str)
            .map(|s| json!(s))
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    Ok(json!({
        "number": number,
        "author": p.get("user").and_then(|u| login(u, "login")),
        "state": if merged { "merged" } else { p.get("state").and_then(Value::as_str).unwrap_or("unknown") },
        "merged_at": text(p, "merged_at"),
        "merge_commits": merge_commits,
        "target_branch": p.get("base").map_or(Value::Null, |b| text(b, "ref")),
    }))
}

fn github_review(r: &Value) -> Result<Value, String> {
    let number = r
        .get("pull_request_url")
        .and_then(Value::as_str)
        .and_then(|u| u.rsplit('/').next())
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or("review whose `pull_request_url` names no pull request number")?;
    let reviewer = r
        .get("user")
        .and_then(|u| login(u, "login"))
        .ok_or("review without a user (a deleted account)")?;
    let state = r
        .get("state")
        .and_then(Value::as_str)
        .ok_or("review without a `state`")?;
    Ok(json!({
        "pull_request": number,
        "reviewer": reviewer,
        "state": state,
        "submitted_at": text(r, "submitted_at"),
        "commit": text(r, "commit_id"),
    }))
}

fn gitlab_merge_request(m: &Value) -> Result<Value, String> {
    let iid = m
        .get("iid")
        .and_then(Value::as_u64)
        .ok_or("merge request without an `iid`")?;
    let merged = m.get("state").and_then(Value::as_str) == Some("merged");
    let merge_commits: Vec<Value> = if merged {
        ["merge_commit_sha", "squash_commit_sha"]
            .iter()
            .filter_map(|k| m.get(*k).and_then(Value::as_str))
            .map(|s| json!(s))
            .collect()
    } else {
        Vec::new()
    };
    Ok(json!({
        "number": iid,
        "author": m.get("author").and_then(|u| login(u, "username")),
        "state": m.get("state").and_then(Value::as_str).unwrap_or("unknown"),
        "merged_at": text(m, "merged_at"),
        "merge_commits": merge_commits,
        "target_branch": text(m, "target_branch"),
    }))
}

fn label(forge: &str, branch: Option<&str>, path: &str) -> String {
    match branch {
        Some(b) => format!("{forge} protection of branch `{b}` ({path})"),
        None => format!("{forge}: branch not protected ({path})"),
    }
}

fn github_protection(p: &Value, path: &str) -> Value {
    let branch = p["url"].as_str().and_then(protected_branch);
    let reviews = p
        .get("required_pull_request_reviews")
        .filter(|r| r.is_object());
    let checks = p.get("required_status_checks").filter(|c| c.is_object());
    let mut contexts: Vec<String> = checks
        .map(|c| {
            let listed = c["contexts"].as_array().into_iter().flatten();
            let named = c["checks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|k| &k["context"]);
            listed
                .chain(named)
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    contexts.sort();
    contexts.dedup();
    json!({
        "branch": branch,
        "label": label("github", branch, path),
        "protected": true,
        "pull_request_required": reviews.is_some(),
        "required_approvals": match reviews {
            Some(r) => r.get("required_approving_review_count").cloned().unwrap_or(Value::Null),
            None => json!(0),
        },
        "code_owner_reviews": reviews.and_then(|r| r["require_code_owner_reviews"].as_bool()).unwrap_or(false),
        "dismiss_stale_reviews": reviews.and_then(|r| r["dismiss_stale_reviews"].as_bool()).unwrap_or(false),
        "status_checks_required": checks.is_some(),
        "required_status_checks": contexts,
        "strict_status_checks": checks.and_then(|c| c["strict"].as_bool()).unwrap_or(false),
        "enforce_admins": enabled(p, "enforce_admins"),
        "force_pushes_allowed": enabled(p, "allow_force_pushes"),
    })
}

fn unprotected(path: &str) -> Value {
    json!({
        "branch": null,
        "label": label("github", None, path),
        "protected": false,
        "pull_request_required": false,
        "required_approvals": 0,
        "code_owner_reviews": false,
        "dismiss_stale_reviews": false,
        "status_checks_required": false,
        "required_status_checks": [],
        "strict_status_checks": false,
        "enforce_admins": false,
        "force_pushes_allowed": true,
    })
}

fn gitlab_protected_branch(b: &Value, path: &str) -> Result<Value, String> {
    let name = b
        .get("name")
        .and_then(Value::as_str)
        .ok_or("protected branch without a `name`")?;
    let push: Vec<u64> = b["push_access_levels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["access_level"].as_u64())
        .collect();
    Ok(json!({
        "branch": name,
        "label": label("gitlab", Some(name), path),
        "protected": true,
        // Access level 0 is "No one": every change goes through a merge request.
        "pull_request_required": !push.is_empty() && push.iter().all(|l| *l == 0),
        // Required approvals are project or rule settings, not part of this response.
        "required_approvals": null,
        "code_owner_reviews": b["code_owner_approval_required"].as_bool().unwrap_or(false),
        "dismiss_stale_reviews": null,
        "status_checks_required": null,
        "required_status_checks": [],
        "strict_status_checks": null,
        "enforce_admins": null,
        "force_pushes_allowed": b["allow_force_push"].as_bool().map_or(Value::Null, Value::Bool),
    }))
}
