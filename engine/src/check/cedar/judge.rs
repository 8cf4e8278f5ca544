//! Judging one access model: asking the question, checking the answer, and writing the one
//! finding of the model, which names the offending principals and the policies that allowed
//! them (with file:line).

use std::collections::BTreeMap;

use assay_collectors::limits::CEDAR_REQUESTS;
use assay_collectors::Document;
use cedar_policy::{eval_expression, Context, EntityUid, EvalResult, PolicyId, Request};
use rayon::prelude::*;
use serde_json::Value;

use super::model::{file_digests, type_counts, AccessModel, Site};
use super::query::{Ask, REQUEST_ERROR};
use super::spec::{Actions, Kind, Limits, Question};
use crate::check::Budget;
use crate::model::{Finding, FindingStatus, Location};

/// How many principals a message names before it says "and N more".
const LISTED: usize = 10;

/// Principals allowed, with the policies that allowed each of them, per action.
type Grants = BTreeMap<EntityUid, Vec<(EntityUid, Vec<PolicyId>)>>;

/// The finding of one model, before it is placed.
struct Outcome {
    status: FindingStatus,
    message: String,
    /// Where the finding points; the model's first policy file when `None`.
    site: Option<Site>,
}

impl Outcome {
    fn error(message: String, site: Option<Site>) -> Outcome {
        Outcome {
            status: FindingStatus::Error,
            message,
            site,
        }
    }
}

impl Question {
    /// The finding of this question on one access model document.
    pub fn judge(&self, doc: &Document, budget: &Budget) -> Finding {
        let name = doc
            .data
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(&doc.path);
        let verdict = match AccessModel::build(doc) {
            Ok(model) => self.judge_model(&model, budget),
            Err(problems) => {
                let list: Vec<String> = problems.iter().map(|p| p.display()).collect();
                Outcome::error(
                    format!(
                        "the access model cannot be read: {}",
                        listing(list, usize::MAX)
                    ),
                    problems.first().map(|p| p.site.clone()),
                )
            }
        };
        let site = verdict.site.unwrap_or(Site {
            path: doc.path.to_string(),
            position: None,
        });
        Finding {
            status: verdict.status,
            resource: Some(format!("access model {name}")),
            message: verdict.message,
            location: Some(Location {
                path: site.path,
                line: site.position.map(|p| p.line),
            }),
            evidence: file_digests(&doc.data),
            item: 0,
            signature: None,
        }
    }

    fn judge_model(&self, model: &AccessModel, budget: &Budget) -> Outcome {
        let issues = model.validate();
        if !issues.is_empty() {
            let list = issues
                .iter()
                .map(|i| {
                    let hint = i
                        .hint
                        .as_ref()
                        .map(|h| format!(" ({h})"))
                        .unwrap_or_default();
                    format!(
                        "policy `{}` at {}: {}{hint}",
                        i.policy,
                        i.site.display(),
                        i.message
                    )
                })
                .collect();
            return Outcome::error(
                format!(
                    "the policies fail validation against the schema: {}",
                    listing(list, usize::MAX)
                ),
                issues.first().map(|i| i.site.clone()),
            );
        }
        let entities = match model.entities(true) {
            Ok(entities) => entities,
            Err(problem) => {
                return Outcome::error(
                    format!(
                        "the entities do not conform to the schema: {}",
                        problem.display()
                    ),
                    Some(problem.site.clone()),
                )
            }
        };
        let mut principals: Vec<EntityUid> = self
            .principal_types
            .iter()
            .flat_map(|t| model.principals(t))
            .collect();
        if principals.is_empty() {
            let held: Vec<String> = type_counts(entities)
                .into_iter()
                .map(|(t, n)| format!("{n} {t}"))
                .collect();
            return Outcome::error(
                format!(
                    "the model has no entity of type {} to ask (it holds {})",
                    self.types(),
                    if held.is_empty() {
                        "no entities".to_string()
                    } else {
                        held.join(", ")
                    }
                ),
                None,
            );
        }
        let actions = match &self.actions {
            Actions::Listed(actions) => actions.clone(),
            Actions::Any => model.all_actions(&self.principal_types, &self.resource, true),
        };
        if let Some(filter) = &self.when {
            match self.select(entities, &principals, &actions, &filter.expression) {
                Ok(kept) => principals = kept,
                Err(failures) => {
                    let list = failures.iter().map(|(p, e)| format!("{p}: {e}")).collect();
                    return Outcome::error(
                        format!(
                            "`when: {}` cannot be evaluated: {}",
                            filter.source,
                            listing(list, LISTED)
                        ),
                        None,
                    );
                }
            }
        }
        let requests = actions.len().saturating_mul(principals.len());
        if requests > CEDAR_REQUESTS {
            return Outcome::error(
                format!(
                    "the question needs {requests} authorization requests ({} principals × {} \
                     actions), over the limit of {CEDAR_REQUESTS} per access model; name the \
                     actions or narrow the principals with `when`",
                    principals.len(),
                    actions.len()
                ),
                None,
            );
        }
        let mut per_action = Vec::new();
        for action in &actions {
            let ask = Ask {
                action,
                resource: &self.resource,
                context: &self.context,
                use_schema: true,
            };
            match model.decisions_for(&ask, &principals, Some(budget)) {
                Ok(decisions) => per_action.push((action.clone(), decisions)),
                Err(e) if budget.is_spent() => return Outcome::error(e, None),
                Err(e) => {
                    return Outcome::error(
                        format!("the entities do not conform to the schema: {e}"),
                        None,
                    )
                }
            }
        }
        let mut grants: Vec<(EntityUid, Grants)> = Vec::new();
        // Per principal, the first error of a request that could not be built, and the first
        // error of a policy that failed to evaluate.
        let mut invalid: BTreeMap<&EntityUid, &str> = BTreeMap::new();
        let mut failures: BTreeMap<&EntityUid, &str> = BTreeMap::new();
        for (action, decisions) in &per_action {
            let mut one = Grants::new();
            for (principal, policies) in &decisions.allowed {
                one.entry(principal.clone())
                    .or_default()
                    .push((action.clone(), policies.clone()));
            }
            grants.push((action.clone(), one));
            for (principal, errors) in &decisions.errors {
                for error in errors {
                    match error.strip_prefix(REQUEST_ERROR) {
                        Some(reason) => invalid.entry(principal).or_insert(reason),
                        None => failures.entry(principal).or_insert(error),
                    };
                }
            }
        }
        let mut verdict = match &self.kind {
            Kind::WhoCan(limits) => self.who_can(model, entities, limits, &union(grants)),
            Kind::NobodyCan => self.nobody_can(model, &union(grants)),
            Kind::SeparationOfDuties => self.separation(model, &grants),
        };
        if let Some((principal, reason)) = invalid.iter().next() {
            verdict.message.push_str(&format!(
                " (no request could be built for {} principal(s), so none of them is allowed; e.g. {principal}: {reason})",
                invalid.len()
            ));
        }
        if let Some((principal, error)) = failures.iter().next() {
            verdict.message.push_str(&format!(
                " (Cedar skipped policies that failed to evaluate for {} principal(s), e.g. {principal}: {error})",
                failures.len()
            ));
        }
        verdict
    }

    /// The principals for which `when` holds; `Err` lists those for which it cannot be
    /// evaluated.
    fn select(
        &self,
        entities: &cedar_policy::Entities,
        principals: &[EntityUid],
        actions: &[EntityUid],
        expression: &cedar_policy::Expression,
    ) -> Result<Vec<EntityUid>, Vec<(EntityUid, String)>> {
        let Some(action) = actions.first() else {
            return Ok(Vec::new());
        };
        let context = Context::from_json_value(self.context.clone(), None)
            .map_err(|e| vec![(self.resource.clone(), e.to_string())])?;
        let results: Vec<(EntityUid, Result<bool, String>)> = principals
            .par_iter()
            .map(|principal| {
                let result = Request::new(
                    principal.clone(),
                    action.clone(),
                    self.resource.clone(),
                    context.clone(),
                    None,
                )
                .map_err(|e| e.to_string())
                .and_then(|request| {
                    eval_expression(&request, entities, expression).map_err(|e| e.to_string())
                })
                .and_then(|value| match value {
                    EvalResult::Bool(b) => Ok(b),
                    other => Err(format!("`{other}` is not a boolean")),
                });
                (principal.clone(), result)
            })
            .collect();
        let mut kept = Vec::new();
        let mut failures = Vec::new();
        for (principal, result) in results {
            match result {
                Ok(true) => kept.push(principal),
                Ok(false) => {}
                Err(e) => failures.push((principal, e)),
            }
        }
        if failures.is_empty() {
            Ok(kept)
        } else {
            Err(failures)
        }
    }

    fn types(&self) -> String {
        self.principal_types
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(" or ")
    }

    fn actions_text(&self) -> String {
        match &self.actions {
            Actions::Any => "any action".to_string(),
            Actions::Listed(actions) => actions
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }

    fn who_can(
        &self,
        model: &AccessModel,
        entities: &cedar_policy::Entities,
        limits: &Limits,
        grants: &Grants,
    ) -> Outcome {
        let what = format!("perform {} on {}", self.actions_text(), self.resource);
        let mut broken = Vec::new();
        let mut offenders: Vec<&EntityUid> = Vec::new();
        if let Some(max) = limits.max_principals.filter(|max| grants.len() > *max) {
            broken.push(format!(
                "{} principals may {what}, more than the {max} allowed: {}",
                grants.len(),
                self.grant_list(model, grants.iter())
            ));
            offenders.extend(grants.keys());
        }
        if let Some(group) = &limits.members_of {
            let outside: Vec<_> = grants
                .iter()
                .filter(|(p, _)| !entities.is_ancestor_of(group, p))
                .collect();
            if !outside.is_empty() {
                broken.push(format!(
                    "{} principal(s) outside {group} may {what}: {}",
                    outside.len(),
                    self.grant_list(model, outside.iter().copied())
                ));
                offenders.extend(outside.iter().map(|(p, _)| *p));
            }
        }
        if let Some((name, wanted)) = &limits.require_attribute {
            let lacking: Vec<(&EntityUid, String)> = grants
                .keys()
                .filter_map(|p| {
                    let found = entities.get(p).and_then(|e| e.attr(name));
                    let shown = match found {
                        Some(Ok(value)) if matches(&value, wanted) => return None,
                        Some(Ok(value)) => format!("has {name} = {value}"),
                        Some(Err(e)) => format!("has an unreadable {name}: {e}"),
                        None => format!("has no attribute `{name}`"),
                    };
                    let site = model
                        .entity_site(p)
                        .map(|s| format!(" ({})", line_of(s)))
                        .unwrap_or_default();
                    Some((p, format!("{p}{site} {shown}")))
                })
                .collect();
            if !lacking.is_empty() {
                broken.push(format!(
                    "{} principal(s) allowed to {what} lack {name} = {wanted}: {}",
                    lacking.len(),
                    listing(lacking.iter().map(|(_, s)| s.clone()).collect(), LISTED)
                ));
                offenders.extend(lacking.iter().map(|(p, _)| *p));
            }
        }
        if broken.is_empty() {
            let names: Vec<String> = grants.keys().map(ToString::to_string).collect();
            let message = if names.is_empty() {
                format!("no {} may {what}", self.types())
            } else {
                format!(
                    "{} principal(s) may {what}, as required: {}",
                    names.len(),
                    listing(names, LISTED)
                )
            };
            return pass(message);
        }
        Outcome {
            status: FindingStatus::Fail,
            message: broken.join("; "),
            site: offenders
                .first()
                .and_then(|p| first_site(model, grants.get(*p)?)),
        }
    }

    fn nobody_can(&self, model: &AccessModel, grants: &Grants) -> Outcome {
        let what = format!("perform {} on {}", self.actions_text(), self.resource);
        if grants.is_empty() {
            return pass(format!("no {} may {what}", self.types()));
        }
        Outcome {
            status: FindingStatus::Fail,
            message: format!(
                "{} principal(s) may {what}: {}",
                grants.len(),
                self.grant_list(model, grants.iter())
            ),
            site: grants.values().next().and_then(|g| first_site(model, g)),
        }
    }

    fn separation(&self, model: &AccessModel, grants: &[(EntityUid, Grants)]) -> Outcome {
        let [(first_action, first), (second_action, second)] = grants else {
            return Outcome::error(
                format!(
                    "separation of duties needs two actions, {} given",
                    grants.len()
                ),
                None,
            );
        };
        let both: Grants = first
            .iter()
            .filter_map(|(p, g)| {
                let mut g = g.clone();
                g.extend(second.get(p)?.iter().cloned());
                Some((p.clone(), g))
            })
            .collect();
        let what = format!(
            "perform both {first_action} and {second_action} on {}",
            self.resource
        );
        if both.is_empty() {
            return pass(format!("no {} may {what}", self.types()));
        }
        Outcome {
            status: FindingStatus::Fail,
            message: format!(
                "{} principal(s) may {what}: {}",
                both.len(),
                self.grant_list(model, both.iter())
            ),
            site: both.values().next().and_then(|g| first_site(model, g)),
        }
    }

    /// `User::"bob" (by `ops-deploy` at access/prod.cedar:4), …`, naming the action of each
    /// grant when the question asks about more than one.
    fn grant_list<'g>(
        &self,
        model: &AccessModel,
        grants: impl Iterator<Item = (&'g EntityUid, &'g Vec<(EntityUid, Vec<PolicyId>)>)>,
    ) -> String {
        let single = matches!(&self.actions, Actions::Listed(a) if a.len() == 1);
        let items = grants
            .map(|(principal, per_action)| {
                let parts: Vec<String> = per_action
                    .iter()
                    .map(|(action, policies)| {
                        let by: Vec<String> = policies
                            .iter()
                            .map(|id| match model.policy(id) {
                                Some(info) => {
                                    format!("`{}` at {}", info.name, line_of(&info.site))
                                }
                                None => format!("`{id}`"),
                            })
                            .collect();
                        if single {
                            format!("by {}", by.join(" and "))
                        } else {
                            format!("{action} by {}", by.join(" and "))
                        }
                    })
                    .collect();
                format!("{principal} ({})", parts.join("; "))
            })
            .collect();
        listing(items, LISTED)
    }
}

fn pass(message: String) -> Outcome {
    Outcome {
        status: FindingStatus::Pass,
        message,
        site: None,
    }
}

/// Merges the grants of several actions: per principal, every action that allowed it.
fn union(grants: Vec<(EntityUid, Grants)>) -> Grants {
    let mut all = Grants::new();
    for (_, one) in grants {
        for (principal, per_action) in one {
            all.entry(principal).or_default().extend(per_action);
        }
    }
    all
}

/// The site of the first policy of a principal's first grant.
fn first_site(model: &AccessModel, grants: &[(EntityUid, Vec<PolicyId>)]) -> Option<Site> {
    let id = grants.first()?.1.first()?;
    model.policy(id).map(|info| info.site.clone())
}

/// `path:line` of a site.
fn line_of(site: &Site) -> String {
    match site.position {
        Some(p) => format!("{}:{}", site.path, p.line),
        None => site.path.clone(),
    }
}

/// Up to `limit` items joined by commas, then "and N more".
fn listing(items: Vec<String>, limit: usize) -> String {
    let total = items.len();
    let mut shown: Vec<String> = items.into_iter().take(limit).collect();
    if total > shown.len() {
        shown.push(format!("and {} more", total - limit));
    }
    shown.join(", ")
}

/// Whether a Cedar value equals a value written in the control (YAML/JSON).
fn matches(value: &EvalResult, wanted: &Value) -> bool {
    match (value, wanted) {
        (EvalResult::Bool(a), Value::Bool(b)) => a == b,
        (EvalResult::Long(a), Value::Number(b)) => b.as_i64() == Some(*a),
        (EvalResult::String(a), Value::String(b)) => a == b,
        (EvalResult::ExtensionValue(a), Value::String(b)) => a == b,
        (EvalResult::EntityUid(a), Value::String(b)) => {
            b.parse::<EntityUid>().is_ok_and(|b| *a == b)
        }
        (EvalResult::Set(set), Value::Array(items)) => {
            set.len() == items.len() && items.iter().all(|i| set.iter().any(|v| matches(v, i)))
        }
        (EvalResult::Record(record), Value::Object(fields)) => {
            record.len() == fields.len()
                && fields
                    .iter()
                    .all(|(k, v)| record.get(k).is_some_and(|r| matches(r, v)))
        }
        _ => false,
    }
}
