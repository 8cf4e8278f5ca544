//! Presets: where the five normalized fields sit in the events of well-known audit logs, and
//! which events count as privileged actions or failed authentications.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::event::{Field, FieldSpec, Rule};

/// A known log shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Kubernetes audit events, `audit.k8s.io/v1` and `v1beta1`.
    Kubernetes,
    /// AWS CloudTrail records.
    Cloudtrail,
    /// Okta System Log events.
    Okta,
    /// Google Cloud audit log entries.
    Gcp,
    /// Azure activity log entries.
    Azure,
    /// GitHub organization and enterprise audit log events.
    Github,
    /// Flat events with common field names (`timestamp`, `actor`, `action`, …).
    Generic,
}

/// A rule written as (actor, action, resource, outcome) regexes; `None` matches anything.
type RuleSrc = [Option<&'static str>; 4];

impl Preset {
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Kubernetes => "kubernetes",
            Preset::Cloudtrail => "cloudtrail",
            Preset::Okta => "okta",
            Preset::Gcp => "gcp",
            Preset::Azure => "azure",
            Preset::Github => "github",
            Preset::Generic => "generic",
        }
    }

    /// The preset an event looks like.
    pub fn detect(event: &Value) -> Preset {
        let has = |pointer: &str| event.pointer(pointer).is_some_and(|v| !v.is_null());
        let text = |pointer: &str| event.pointer(pointer).and_then(Value::as_str);
        if text("/apiVersion").is_some_and(|v| v.starts_with("audit.k8s.io/"))
            || (text("/kind") == Some("Event") && has("/auditID"))
        {
            Preset::Kubernetes
        } else if has("/eventSource") && has("/eventName") && has("/eventTime") {
            Preset::Cloudtrail
        } else if has("/eventType") && has("/published") && has("/actor") {
            Preset::Okta
        } else if has("/protoPayload") {
            Preset::Gcp
        } else if has("/operationName") && (has("/resourceId") || has("/callerIpAddress")) {
            Preset::Azure
        } else if has("/action") && has("/actor") && (has("/created_at") || has("/@timestamp")) {
            Preset::Github
        } else {
            Preset::Generic
        }
    }

    /// Candidate JSON pointers (first present wins) and default of each field.
    pub fn field(self, field: Field) -> FieldSpec {
        let (paths, default): (&[&str], Option<&str>) = match (self, field) {
            (Preset::Kubernetes, Field::Timestamp) => (
                &["/requestReceivedTimestamp", "/timestamp", "/stageTimestamp"],
                None,
            ),
            (Preset::Kubernetes, Field::Actor) => (&["/user/username"], None),
            (Preset::Kubernetes, Field::Action) => (&["/verb"], None),
            (Preset::Kubernetes, Field::Resource) => {
                (&["/requestURI", "/objectRef/resource"], None)
            }
            (Preset::Kubernetes, Field::Outcome) => (&["/responseStatus/code"], None),

            (Preset::Cloudtrail, Field::Timestamp) => (&["/eventTime"], None),
            (Preset::Cloudtrail, Field::Actor) => (
                &[
                    "/userIdentity/arn",
                    "/userIdentity/principalId",
                    "/userIdentity/userName",
                    "/userIdentity/invokedBy",
                ],
                None,
            ),
            (Preset::Cloudtrail, Field::Action) => (&["/eventName"], None),
            (Preset::Cloudtrail, Field::Resource) => (&["/eventSource"], None),
            (Preset::Cloudtrail, Field::Outcome) => (
                &["/errorCode", "/responseElements/ConsoleLogin"],
                Some("Success"),
            ),

            (Preset::Okta, Field::Timestamp) => (&["/published"], None),
            (Preset::Okta, Field::Actor) => (&["/actor/alternateId", "/actor/id"], None),
            (Preset::Okta, Field::Action) => (&["/eventType"], None),
            (Preset::Okta, Field::Resource) => (
                &[
                    "/target/0/alternateId",
                    "/target/0/displayName",
                    "/client/ipAddress",
                ],
                None,
            ),
            (Preset::Okta, Field::Outcome) => (&["/outcome/result"], None),

            (Preset::Gcp, Field::Timestamp) => (&["/timestamp", "/receiveTimestamp"], None),
            (Preset::Gcp, Field::Actor) => {
                (&["/protoPayload/authenticationInfo/principalEmail"], None)
            }
            (Preset::Gcp, Field::Action) => (&["/protoPayload/methodName"], None),
            (Preset::Gcp, Field::Resource) => {
                (&["/protoPayload/resourceName", "/resource/type"], None)
            }
            (Preset::Gcp, Field::Outcome) => (&["/protoPayload/status/code"], Some("0")),

            (Preset::Azure, Field::Timestamp) => (&["/time", "/eventTimestamp"], None),
            (Preset::Azure, Field::Actor) => (&["/caller", "/identity/claims/name"], None),
            (Preset::Azure, Field::Action) => (&["/operationName", "/operationName/value"], None),
            (Preset::Azure, Field::Resource) => (&["/resourceId"], None),
            (Preset::Azure, Field::Outcome) => (&["/resultType", "/status/value"], None),

            (Preset::Github, Field::Timestamp) => (&["/@timestamp", "/created_at"], None),
            (Preset::Github, Field::Actor) => (&["/actor"], None),
            (Preset::Github, Field::Action) => (&["/action"], None),
            (Preset::Github, Field::Resource) => (&["/repo", "/org", "/business"], None),
            (Preset::Github, Field::Outcome) => (&["/conclusion", "/outcome"], Some("success")),

            (Preset::Generic, Field::Timestamp) => (
                &[
                    "/timestamp",
                    "/time",
                    "/@timestamp",
                    "/ts",
                    "/eventTime",
                    "/date",
                ],
                None,
            ),
            (Preset::Generic, Field::Actor) => (
                &["/actor", "/user", "/username", "/principal", "/subject"],
                None,
            ),
            (Preset::Generic, Field::Action) => (
                &["/action", "/event", "/operation", "/verb", "/method"],
                None,
            ),
            (Preset::Generic, Field::Resource) => {
                (&["/resource", "/target", "/object", "/path", "/uri"], None)
            }
            (Preset::Generic, Field::Outcome) => {
                (&["/outcome", "/result", "/status", "/status_code"], None)
            }
        };
        FieldSpec {
            paths: paths.iter().map(|p| p.to_string()).collect(),
            default: default.map(str::to_string),
        }
    }

    /// Rules that mark an event as a privileged action.
    pub fn privileged(self) -> Vec<Rule> {
        let rules: &[RuleSrc] = match self {
            Preset::Kubernetes => &[
                [
                    None,
                    Some("^(create|update|patch|delete|deletecollection|bind|escalate|impersonate)$"),
                    Some("/(clusterroles|clusterrolebindings|roles|rolebindings|secrets)(/|\\?|$)|^(clusterroles|clusterrolebindings|roles|rolebindings|secrets)$"),
                    None,
                ],
                [None, None, Some("/pods/[^/]+/(exec|attach|portforward)(\\?|$)"), None],
            ],
            Preset::Cloudtrail => &[
                [Some(":root$"), None, None, None],
                [
                    None,
                    Some("^(Create|Delete|Put|Attach|Detach|Update|Add|Remove)"),
                    Some("^iam\\.amazonaws\\.com$"),
                    None,
                ],
                [
                    None,
                    Some("^(StopLogging|DeleteTrail|UpdateTrail|PutEventSelectors|DisableKey|ScheduleKeyDeletion)$"),
                    None,
                    None,
                ],
            ],
            Preset::Okta => &[[
                None,
                Some("^(user\\.account\\.privilege\\.grant|group\\.privilege\\.grant|user\\.session\\.impersonation\\.(grant|initiate)|policy\\.lifecycle\\.(update|delete)|system\\.)"),
                None,
                None,
            ]],
            Preset::Gcp => &[[
                None,
                Some("(?i)(setIamPolicy|CreateServiceAccountKey|CreateRole|UpdateRole|DeleteRole)"),
                None,
                None,
            ]],
            Preset::Azure => &[[
                None,
                Some("(?i)^microsoft\\.authorization/(roleassignments|roledefinitions|policyassignments|locks)/"),
                None,
                None,
            ]],
            Preset::Github => &[[
                None,
                Some("^(org\\.(add_member|update_member|remove_member|update_actions_secret)|team\\.(add_member|promote_maintainer)|protected_branch\\.(destroy|policy_override)|repo\\.(destroy|access)|business\\.|personal_access_token\\.)"),
                None,
                None,
            ]],
            Preset::Generic => &[[
                None,
                Some("(?i)(admin|privilege|sudo|grant|role|permission)"),
                None,
                None,
            ]],
        };
        rules.iter().map(rule).collect()
    }

    /// Rules that mark an event as a failed authentication.
    pub fn failed_authentication(self) -> Vec<Rule> {
        let rules: &[RuleSrc] = match self {
            Preset::Kubernetes => &[[None, None, None, Some("^401$")]],
            Preset::Cloudtrail => &[
                [None, Some("^ConsoleLogin$"), None, Some("^Failure$")],
                [
                    None,
                    None,
                    None,
                    Some("^(InvalidClientTokenId|SignatureDoesNotMatch|IncompleteSignature|ExpiredToken)$"),
                ],
            ],
            Preset::Okta => &[[
                None,
                Some("^user\\.(session\\.start|authentication\\.)"),
                None,
                Some("^(FAILURE|DENY)$"),
            ]],
            Preset::Gcp => &[[None, None, None, Some("^16$")]],
            Preset::Azure => &[[None, Some("(?i)sign-?in"), None, Some("(?i)fail")]],
            Preset::Github => &[[None, Some("\\.(failed_login|login_failed)$"), None, None]],
            Preset::Generic => &[[
                None,
                Some("(?i)(login|logon|sign-?in|auth)"),
                None,
                Some("(?i)(fail|denied|error|401)"),
            ]],
        };
        rules.iter().map(rule).collect()
    }
}

fn rule(src: &RuleSrc) -> Rule {
    let compile =
        |s: &Option<&str>| s.map(|p| regex::Regex::new(p).expect("preset regex compiles"));
    Rule {
        actor: compile(&src[0]),
        action: compile(&src[1]),
        resource: compile(&src[2]),
        outcome: compile(&src[3]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn detects_known_shapes() {
        let cases = [
            (
                json!({"apiVersion": "audit.k8s.io/v1", "kind": "Event"}),
                Preset::Kubernetes,
            ),
            (json!({"kind": "Event", "auditID": "x"}), Preset::Kubernetes),
            (
                json!({"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "eventTime": "t"}),
                Preset::Cloudtrail,
            ),
            (
                json!({"eventType": "user.session.start", "published": "t", "actor": {}}),
                Preset::Okta,
            ),
            (json!({"protoPayload": {}}), Preset::Gcp),
            (
                json!({"operationName": "x", "resourceId": "y"}),
                Preset::Azure,
            ),
            (
                json!({"action": "repo.create", "actor": "a", "created_at": 1}),
                Preset::Github,
            ),
            (json!({"ts": 1}), Preset::Generic),
        ];
        for (event, preset) in cases {
            assert_eq!(Preset::detect(&event), preset, "{event}");
        }
    }

    #[test]
    fn every_preset_compiles_its_rules() {
        for preset in [
            Preset::Kubernetes,
            Preset::Cloudtrail,
            Preset::Okta,
            Preset::Gcp,
            Preset::Azure,
            Preset::Github,
            Preset::Generic,
        ] {
            assert!(!preset.privileged().is_empty());
            assert!(!preset.failed_authentication().is_empty());
        }
    }
}
