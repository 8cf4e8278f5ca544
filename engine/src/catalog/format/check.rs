//! The check of a control file: its backends, selectors and assertion tree.
//!
//! These types define the format and are what a check is deserialized into when its control
//! is read; the backends still compile the check from the located document, so that each of
//! their errors names its line, and do not read these fields yet.
#![allow(dead_code)]

use std::collections::BTreeMap;

use assay_collectors::{EvidenceKind, Format};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::NAME_PATTERN;
use crate::check::rego::Mode;
use crate::check::{Quantifier, View};

/// The check: exactly one backend.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "check", extend("minProperties" = 1, "maxProperties" = 1))]
pub struct CheckSpec {
    pub assert: Option<AssertSpec>,
    pub rego: Option<RegoSpec>,
    pub cedar: Option<CedarSpec>,
    pub attestation: Option<AttestationSpec>,
}

/// YAML assertions over the selected items.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "assert", extend("minProperties" = 2))]
pub struct AssertSpec {
    pub select: Option<Select>,
    /// Bindings: JSONPaths from the item, each named once and written $NAME at the start of or inside the paths of the conditions and of message placeholders ({$NAME[0].name}); not under related, where $ is the related resource. Unknown and unused names are errors when the catalog loads.
    #[serde(rename = "let")]
    #[schemars(extend("propertyNames" = {"pattern": NAME_PATTERN}))]
    pub bindings: Option<BTreeMap<String, String>>,
    pub all: Option<Conditions>,
    pub any: Option<Conditions>,
    pub none: Option<Conditions>,
    /// Conditions of applicability, with then: an item that does not meet them is not judged by the check (no finding; a check that judges no item counts as when_empty says).
    pub when: Option<Conditions>,
    /// With when: the conditions judged, all of which must hold, on the items that meet when (instead of all / any / none).
    pub then: Option<Conditions>,
    /// Conditions the evidence must meet to be judged at all (e.g. a complete history); an item that does not meet them is an error finding with the condition's message.
    pub requires: Option<Conditions>,
    /// Failure message; placeholders {value} {path} {resource} {file} {name} {key}, {params.NAME} and {$.a.path} (the first node the JSONPath finds in the item), checked when the catalog loads; {{ is a literal brace.
    pub message: String,
    /// Message of a passing item (default: passed); placeholders {resource} {file} {name} and {$.a.path}.
    pub pass_message: Option<String>,
}

/// Which items of which documents the check looks at; every filter given must match.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "select")]
pub struct Select {
    /// Evidence kinds the check reads (default: config).
    #[serde(default)]
    #[schemars(schema_with = "evidence_kinds")]
    pub evidence: Option<Vec<EvidenceKind>>,
    pub files: Option<Strings>,
    #[serde(default)]
    #[schemars(schema_with = "selectable_formats")]
    pub formats: Option<Vec<Format>>,
    pub kinds: Option<Strings>,
    pub api_versions: Option<Strings>,
    pub resource_types: Option<Strings>,
    /// Kubernetes workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob in YAML or JSON) seen the same way whatever their kind. pods: one item per workload, its pod spec ($ is the spec: $.containers, $.securityContext). containers: one item per container, init container and ephemeral container. Items are labelled Kind/namespace/name.
    pub workloads: Option<View>,
    /// A filter on the item, `$[?@.spec]`.
    #[serde(rename = "where")]
    pub filter: Option<String>,
    /// Each node this JSONPath finds in the item becomes an item.
    pub for_each: Option<String>,
}

/// One string or a non-empty list of strings.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "strings")]
pub enum Strings {
    One(String),
    Many(#[schemars(length(min = 1))] Vec<String>),
}

/// A non-empty list of conditions.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(rename = "conditions")]
pub struct Conditions(#[schemars(length(min = 1))] pub Vec<Condition>);

/// A condition on the nodes a JSONPath finds in the item, or a combination of conditions (all / any / none), an implication (when / then) or a relation.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "condition", extend("minProperties" = 1))]
pub struct Condition {
    pub all: Option<Conditions>,
    pub any: Option<Conditions>,
    pub none: Option<Conditions>,
    /// With then, an implication: the node holds where these conditions do not, and is then where they do.
    pub when: Option<Conditions>,
    pub then: Option<Conditions>,
    pub path: Option<String>,
    pub equals: Option<Value>,
    pub not_equals: Option<Value>,
    #[serde(rename = "in")]
    pub is_in: Option<ListOrParam>,
    pub not_in: Option<ListOrParam>,
    pub exists: Option<bool>,
    pub absent: Option<bool>,
    pub matches: Option<TextOrParam>,
    pub not_matches: Option<TextOrParam>,
    pub gt: Option<NumberOrParam>,
    pub gte: Option<NumberOrParam>,
    pub lt: Option<NumberOrParam>,
    pub lte: Option<NumberOrParam>,
    pub count: Option<Count>,
    pub if_missing: Option<IfMissing>,
    pub message: Option<String>,
    pub related: Option<Related>,
}

/// Bounds on the number of nodes the path yields; every bound given must hold ({gte: 1, lte: 3} is a range).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "count", extend("minProperties" = 1))]
pub struct Count {
    pub equals: Option<IntegerOrParam>,
    pub gt: Option<IntegerOrParam>,
    pub gte: Option<IntegerOrParam>,
    pub lt: Option<IntegerOrParam>,
    pub lte: Option<IntegerOrParam>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "if_missing")]
pub enum IfMissing {
    Pass,
    Fail,
}

/// The value of one of the control's parameters: its default, or what assay.yaml sets (times
/// `times`, when given).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "param")]
pub struct ParamRef {
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub param: String,
    /// A factor the numeric value is multiplied by where it stands, e.g. 365 to compare a
    /// parameter in years with a period in days.
    #[schemars(range(min = 0.0))]
    pub times: Option<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "number_or_param")]
pub enum NumberOrParam {
    Number(f64),
    Param(ParamRef),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "integer_or_param")]
pub enum IntegerOrParam {
    Integer(i64),
    Param(ParamRef),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "list_or_param")]
pub enum ListOrParam {
    List(Vec<Value>),
    Param(ParamRef),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "text_or_param")]
pub enum TextOrParam {
    Text(String),
    Param(ParamRef),
}

/// The Terraform resources related to the item (a resource), through exactly one of `referencing` and `referenced_by`, or the Kubernetes objects in the item's namespace with `same_namespace`; looked up among the resources of every .tf and .tf.json file of its directory (its module). A resource refers to another when the attribute's text holds the other's address (aws_s3_bucket.b.id, ${aws_s3_bucket.b.arn}, aws_s3_bucket.b["x"].id) or equals its literal `bucket` name; a resource named as one instance (b[0], b["x"]) is referred to with its own key or a computed one. Beside `related`, a node may have only a `message`, which is also the default message of the conditions under it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "related")]
pub struct Related {
    /// Types of the related resources, e.g. [aws_s3_bucket_server_side_encryption_configuration].
    pub resource_types: Strings,
    /// The related resources refer to the item through this attribute of theirs: a name (`bucket`) or a JSONPath.
    #[schemars(length(min = 1))]
    pub referencing: Option<String>,
    /// The item refers to the related resources through this attribute of its own: a name (`target_bucket`) or a JSONPath (`$.logging[*].target_bucket`).
    #[schemars(length(min = 1))]
    pub referenced_by: Option<String>,
    /// For a Kubernetes object: the related objects are the objects of `resource_types` (kinds, e.g. [NetworkPolicy]) anywhere in the scan whose namespace is the item's (a Namespace object's own name; `default` when unset).
    pub same_namespace: Option<bool>,
    /// How many related resources must meet the conditions: any (default, at least one), all (every one), none (not one).
    #[serde(rename = "match")]
    pub quantifier: Option<Quantifier>,
    /// Conditions each related resource is judged by, all of which it must meet; without them, being related is enough.
    pub conditions: Option<Conditions>,
    /// The outcome when no resource is related: by default `none` passes, `any` and `all` fail.
    pub if_missing: Option<IfMissing>,
}

/// A Rego policy run by conftest's conventions: deny/violation rules report failures, warn rules warnings, exception rules waive them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "rego",
    extend("oneOf" = [{"required": ["module"]}, {"required": ["inline"]}])
)]
pub struct RegoSpec {
    /// Rego file(s) in the control's folder, relative to it.
    pub module: Option<Strings>,
    /// The Rego module itself, as a block (`inline: |`).
    #[schemars(length(min = 1))]
    pub inline: Option<String>,
    /// The package whose rules are evaluated, e.g. `data.kubernetes.rbac` (default: the package of the first module).
    #[schemars(regex(pattern = r"^data(\.[A-Za-z_][A-Za-z0-9_]*)+$"))]
    pub query: Option<String>,
    /// The rules to evaluate (default: every deny, violation and warn rule of the package).
    #[schemars(
        length(min = 1),
        extend("uniqueItems" = true),
        inner(regex(pattern = r"^(deny|violation|warn)(_[a-zA-Z0-9]+)*$"))
    )]
    pub entrypoints: Option<Vec<String>>,
    /// per_file: one evaluation per document; combined: one over all, input = [{path, contents}] (like conftest --combine).
    pub mode: Option<Mode>,
    pub select: Option<Select>,
    /// Control parameters, merged at the data root.
    pub data: Option<Map<String, Value>>,
    /// JSON or YAML files in the control's folder, relative to it, merged at the data root.
    #[schemars(length(min = 1), inner(regex(pattern = r"\.(json|ya?ml)$")))]
    pub data_files: Option<Vec<String>>,
    /// Read the modules as Rego v0 (`deny[msg] { ... }`).
    pub rego_v0: Option<bool>,
    pub limits: Option<RegoLimits>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "rego_limits", extend("minProperties" = 1))]
pub struct RegoLimits {
    /// Time one input may take; evaluation stops past it with an error finding (default 5000).
    #[schemars(range(min = 1, max = 600_000))]
    pub timeout_ms: Option<u64>,
}

/// A question asked of every access model (Cedar policies and entities) with Cedar's authorizer.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "cedar", extend("minProperties" = 1, "maxProperties" = 1))]
pub struct CedarSpec {
    pub who_can: Option<CedarWhoCan>,
    pub nobody_can: Option<CedarNobodyCan>,
    pub separation_of_duties: Option<CedarSeparationOfDuties>,
}

/// A Cedar entity uid such as 'Action::"deploy"'.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(rename = "cedar_uid")]
pub struct CedarUid(#[schemars(length(min = 1))] pub String);

/// Entity types whose every entity is asked, e.g. [User, ServiceAccount].
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(rename = "principal_types")]
pub struct PrincipalTypes(#[schemars(length(min = 1), inner(length(min = 1)))] pub Vec<String>);

/// Several actions (a principal allowed one of them counts), or `any`: every action of the model.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "cedar_actions")]
pub enum CedarActions {
    Any(AnyAction),
    List(#[schemars(length(min = 1))] Vec<CedarUid>),
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "any_action")]
pub enum AnyAction {
    Any,
}

/// The principals allowed an action on a resource must satisfy every assertion given.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "cedar_who_can",
    extend(
        "oneOf" = [{"required": ["action"]}, {"required": ["actions"]}],
        "anyOf" = [{"required": ["max_principals"]}, {"required": ["members_of"]}, {"required": ["require_attribute"]}]
    )
)]
pub struct CedarWhoCan {
    pub principal_types: PrincipalTypes,
    pub resource: CedarUid,
    /// The context record of every request (default {}).
    pub context: Option<Map<String, Value>>,
    /// A Cedar boolean expression over `principal` that narrows the principals asked, e.g. `principal has shared && principal.shared`.
    #[schemars(length(min = 1))]
    pub when: Option<String>,
    pub action: Option<CedarUid>,
    pub actions: Option<CedarActions>,
    /// At most this many principals may be allowed.
    pub max_principals: Option<CountOrParam>,
    pub members_of: Option<CedarUid>,
    /// Every allowed principal has this attribute with this value, e.g. {name: mfa, equals: true}.
    pub require_attribute: Option<RequireAttribute>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "require_attribute")]
pub struct RequireAttribute {
    #[schemars(length(min = 1))]
    pub name: String,
    pub equals: Value,
}

/// No principal may perform the action(s) on the resource.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "cedar_nobody_can",
    extend("oneOf" = [{"required": ["action"]}, {"required": ["actions"]}])
)]
pub struct CedarNobodyCan {
    pub principal_types: PrincipalTypes,
    pub resource: CedarUid,
    /// The context record of every request (default {}).
    pub context: Option<Map<String, Value>>,
    /// A Cedar boolean expression over `principal` that narrows the principals asked, e.g. `principal has shared && principal.shared`.
    #[schemars(length(min = 1))]
    pub when: Option<String>,
    pub action: Option<CedarUid>,
    pub actions: Option<CedarActions>,
}

/// No principal may perform both actions on the resource.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "cedar_separation_of_duties")]
pub struct CedarSeparationOfDuties {
    pub principal_types: PrincipalTypes,
    pub resource: CedarUid,
    /// The context record of every request (default {}).
    pub context: Option<Map<String, Value>>,
    /// A Cedar boolean expression over `principal` that narrows the principals asked, e.g. `principal has shared && principal.shared`.
    #[schemars(length(min = 1))]
    pub when: Option<String>,
    /// The two duties no principal may hold both of.
    #[schemars(length(min = 2, max = 2))]
    pub actions: Vec<CedarUid>,
}

/// Passes when a person has attested the control in the attestation folder and the attestation has not expired.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "attestation")]
pub struct AttestationSpec {
    /// An attestation older than this no longer counts, whatever its `expires` says (e.g. 365 for yearly training).
    pub max_age_days: Option<DaysOrParam>,
    /// The attestation must attach at least one evidence file, and every file it names must exist (default false: named files must exist).
    pub evidence_required: Option<bool>,
    /// An attestation in force that expires within this many days draws a warning (default 30).
    pub renew_within_days: Option<CountOrParam>,
}

/// A whole number from 0, or a parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "count_or_param")]
pub enum CountOrParam {
    Count(u64),
    Param(ParamRef),
}

/// A number of days from 1, or a parameter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
#[schemars(rename = "days_or_param")]
pub enum DaysOrParam {
    Days(#[schemars(range(min = 1))] u64),
    Param(ParamRef),
}

/// The evidence kinds a check may read.
pub(super) const EVIDENCE_KINDS: [EvidenceKind; 12] = [
    EvidenceKind::Config,
    EvidenceKind::AuditLog,
    EvidenceKind::Sbom,
    EvidenceKind::Access,
    EvidenceKind::Git,
    EvidenceKind::Metrics,
    EvidenceKind::Docs,
    EvidenceKind::Attestation,
    EvidenceKind::Ai,
    EvidenceKind::Privacy,
    EvidenceKind::Secrets,
    EvidenceKind::Forge,
];

/// The formats of configuration files a selector may name.
pub(super) const SELECTABLE_FORMATS: [Format; 12] = [
    Format::Yaml,
    Format::Json,
    Format::Toml,
    Format::Hcl,
    Format::Dockerfile,
    Format::Dotenv,
    Format::Jsonl,
    Format::Csv,
    Format::Xml,
    Format::TagValue,
    Format::CloudFormation,
    Format::Arm,
];

fn evidence_kinds(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = EVIDENCE_KINDS.iter().map(|k| k.as_str()).collect();
    Schema::try_from(json!({
        "type": "array",
        "items": {"type": "string", "enum": names},
        "minItems": 1,
    }))
    .expect("an object")
}

fn selectable_formats(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = SELECTABLE_FORMATS.iter().map(|f| f.as_str()).collect();
    Schema::try_from(json!({"type": "array", "items": {"type": "string", "enum": names}}))
        .expect("an object")
}
