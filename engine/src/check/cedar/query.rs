//! Asking Cedar's authorizer one request, or the same request for every principal of a type
//! (in parallel), and collecting the decisions with the policies that determined them.

use std::collections::{BTreeMap, BTreeSet};

use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityId, EntityTypeName, EntityUid, PolicyId,
    Request, Schema,
};
use rayon::prelude::*;
use serde_json::Value;

use super::model::AccessModel;
use crate::check::Budget;

/// How the error of a request that cannot be built starts (the rest says why).
pub const REQUEST_ERROR: &str = "failed to build request: ";

/// The decision on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    /// Cedar's reason set: the permits that allowed, or the forbids that denied (sorted).
    pub determining: Vec<PolicyId>,
    /// Policies that failed to evaluate (Cedar skips them), or why no request could be built.
    pub errors: Vec<String>,
}

/// The request every principal asked makes.
#[derive(Debug, Clone, Copy)]
pub struct Ask<'q> {
    pub action: &'q EntityUid,
    pub resource: &'q EntityUid,
    /// The context record (JSON).
    pub context: &'q Value,
    /// Read the entities against the schema and validate the request (when there is one).
    pub use_schema: bool,
}

/// The decisions for every principal of a type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decisions {
    /// How many principals were asked.
    pub principals_checked: usize,
    /// Allowed principals and the permits that allowed them.
    pub allowed: BTreeMap<EntityUid, Vec<PolicyId>>,
    /// Principals denied by forbids that fired, and those forbids.
    pub denied_by_forbid: BTreeMap<EntityUid, Vec<PolicyId>>,
    /// Principals whose request hit errors, and the errors.
    pub errors: BTreeMap<EntityUid, Vec<String>>,
}

impl AccessModel {
    /// Cedar's decision on one request. `Err` holds why the entities do not conform to the
    /// schema (when `use_schema`).
    pub fn authorize(
        &self,
        principal: &EntityUid,
        action: &EntityUid,
        resource: &EntityUid,
        context: &Value,
        use_schema: bool,
    ) -> Result<Verdict, String> {
        let env = Env::new(self, use_schema)?;
        let context = env.context(context, action);
        Ok(env.decide(principal, action, resource, &context))
    }

    /// The decision for every principal of `principal_type`, asked in parallel.
    pub fn decisions(
        &self,
        ask: &Ask<'_>,
        principal_type: &EntityTypeName,
    ) -> Result<Decisions, String> {
        self.decisions_for(ask, &self.principals(principal_type), None)
    }

    /// The decision for each of `principals`, asked in parallel; with a `budget`, no request
    /// is started once it has run out (and the budget's message is the error).
    pub fn decisions_for(
        &self,
        ask: &Ask<'_>,
        principals: &[EntityUid],
        budget: Option<&Budget>,
    ) -> Result<Decisions, String> {
        let env = Env::new(self, ask.use_schema)?;
        let context = env.context(ask.context, ask.action);
        let spent = || budget.is_some_and(Budget::is_spent);
        let verdicts: Option<Vec<Verdict>> = principals
            .par_iter()
            .map(|principal| {
                (!spent()).then(|| env.decide(principal, ask.action, ask.resource, &context))
            })
            .collect();
        let verdicts = match (verdicts, budget) {
            (Some(verdicts), _) => verdicts,
            (None, Some(budget)) => return Err(budget.spent_message()),
            (None, None) => Vec::new(),
        };
        let mut out = Decisions {
            principals_checked: principals.len(),
            ..Decisions::default()
        };
        for (principal, verdict) in principals.iter().zip(verdicts) {
            if !verdict.errors.is_empty() {
                out.errors.insert(principal.clone(), verdict.errors);
            }
            if verdict.allowed {
                out.allowed.insert(principal.clone(), verdict.determining);
            } else if !verdict.determining.is_empty() {
                out.denied_by_forbid
                    .insert(principal.clone(), verdict.determining);
            }
        }
        Ok(out)
    }

    /// Every action a question about "any action" asks for. With a schema: the actions that
    /// apply to one of `principal_types` and the resource's type. Without: every action named
    /// in the policies or the entities, plus `Action::"*"`, which stands for the actions no
    /// policy names (only policies that leave the action open can allow those).
    pub fn all_actions(
        &self,
        principal_types: &[EntityTypeName],
        resource: &EntityUid,
        use_schema: bool,
    ) -> Vec<EntityUid> {
        if let Some(schema) = self.schema().filter(|_| use_schema) {
            let found: BTreeSet<EntityUid> = principal_types
                .iter()
                .flat_map(|p| schema.actions_for_principal_and_resource(p, resource.type_name()))
                .cloned()
                .collect();
            return found.into_iter().collect();
        }
        let is_action = |uid: &EntityUid| uid.type_name().basename() == "Action";
        let mut found: BTreeSet<EntityUid> = self
            .policies()
            .policies()
            .flat_map(|p| p.entity_literals())
            .filter(is_action)
            .collect();
        if let Ok(entities) = self.entities(false) {
            found.extend(entities.iter().map(|e| e.uid()).filter(is_action));
        }
        let types: BTreeSet<&EntityTypeName> = found.iter().map(|a| a.type_name()).collect();
        let open_type = match types.into_iter().collect::<Vec<_>>().as_slice() {
            [only] => (*only).clone(),
            _ => "Action"
                .parse()
                .expect("`Action` is a valid entity type name"),
        };
        found.insert(EntityUid::from_type_name_and_id(
            open_type,
            EntityId::new("*"),
        ));
        found.into_iter().collect()
    }
}

/// What every decision of one question shares.
struct Env<'m> {
    authorizer: Authorizer,
    model: &'m AccessModel,
    entities: &'m Entities,
    schema: Option<&'m Schema>,
}

impl<'m> Env<'m> {
    fn new(model: &'m AccessModel, use_schema: bool) -> Result<Env<'m>, String> {
        Ok(Env {
            authorizer: Authorizer::new(),
            model,
            entities: model.entities(use_schema).map_err(|p| p.message.clone())?,
            schema: model.schema().filter(|_| use_schema),
        })
    }

    /// The context record for `action`, read against the schema when there is one.
    fn context(&self, context: &Value, action: &EntityUid) -> Result<Context, String> {
        Context::from_json_value(context.clone(), self.schema.map(|s| (s, action)))
            .map_err(|e| e.to_string())
    }

    /// One decision. A request that cannot be built (bad context, or invalid for the schema)
    /// is a deny with the reason as its error.
    fn decide(
        &self,
        principal: &EntityUid,
        action: &EntityUid,
        resource: &EntityUid,
        context: &Result<Context, String>,
    ) -> Verdict {
        let request = context.clone().and_then(|context| {
            Request::new(
                principal.clone(),
                action.clone(),
                resource.clone(),
                context,
                self.schema,
            )
            .map_err(|e| e.to_string())
        });
        let request = match request {
            Ok(request) => request,
            Err(message) => {
                return Verdict {
                    allowed: false,
                    determining: Vec::new(),
                    errors: vec![format!("{REQUEST_ERROR}{message}")],
                }
            }
        };
        let response =
            self.authorizer
                .is_authorized(&request, self.model.policies(), self.entities);
        let mut determining: Vec<PolicyId> = response.diagnostics().reason().cloned().collect();
        determining.sort_by_key(|id| self.model.policy_name(id));
        let mut errors: Vec<String> = response
            .diagnostics()
            .errors()
            .map(ToString::to_string)
            .collect();
        errors.sort();
        Verdict {
            allowed: response.decision() == Decision::Allow,
            determining,
            errors,
        }
    }
}
