//! One audit event, normalized: its timestamp, actor, action, resource and outcome, read through
//! a field mapping, and the rules that classify it.

use jiff::Timestamp;
use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::node::Node;

/// The five fields every audit event is read into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Timestamp,
    Actor,
    Action,
    Resource,
    Outcome,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Timestamp,
        Field::Actor,
        Field::Action,
        Field::Resource,
        Field::Outcome,
    ];

    /// The fields every event must have unless a source says otherwise: who did what to
    /// which target, and when.
    pub const REQUIRED: [Field; 4] = [
        Field::Timestamp,
        Field::Actor,
        Field::Action,
        Field::Resource,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Timestamp => "timestamp",
            Field::Actor => "actor",
            Field::Action => "action",
            Field::Resource => "resource",
            Field::Outcome => "outcome",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Where a field is read from: the first of `paths` (JSON pointers) that holds a value, else
/// `default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    pub paths: Vec<String>,
    pub default: Option<String>,
}

/// A classification rule: every regex that is set must match its field (which must be present).
#[derive(Debug, Clone)]
pub struct Rule {
    pub actor: Option<Regex>,
    pub action: Option<Regex>,
    pub resource: Option<Regex>,
    pub outcome: Option<Regex>,
}

impl Rule {
    fn matches(&self, event: &Normalized) -> bool {
        [
            (&self.actor, Field::Actor),
            (&self.action, Field::Action),
            (&self.resource, Field::Resource),
            (&self.outcome, Field::Outcome),
        ]
        .iter()
        .all(|(regex, field)| match regex {
            None => true,
            Some(r) => event.value(*field).is_some_and(|v| r.is_match(v)),
        })
    }
}

/// How the events of one source are read and classified.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// One spec per [`Field`], in [`Field::ALL`] order.
    pub fields: [FieldSpec; 5],
    pub privileged: Vec<Rule>,
    pub failed_authentication: Vec<Rule>,
    /// The fields an event must have to be complete.
    pub required: Vec<Field>,
}

/// The normalized view of one event.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// The parsed timestamp; `None` when absent or unreadable.
    pub timestamp: Option<Timestamp>,
    values: [Option<String>; 5],
}

impl Normalized {
    /// The text of a field, if the event has it.
    pub fn value(&self, field: Field) -> Option<&str> {
        self.values[field.index()].as_deref()
    }

    /// The fields the event has, as JSON (the timestamp in RFC 3339).
    pub fn to_json(&self) -> Value {
        let mut out = serde_json::Map::new();
        for field in Field::ALL {
            let value = match field {
                Field::Timestamp => self.timestamp.map(|t| t.to_string()),
                other => self.value(other).map(str::to_string),
            };
            if let Some(value) = value {
                out.insert(field.as_str().into(), Value::String(value));
            }
        }
        Value::Object(out)
    }

    /// Whether the field is present (for the timestamp: present and readable).
    pub fn has(&self, field: Field) -> bool {
        match field {
            Field::Timestamp => self.timestamp.is_some(),
            other => self.value(other).is_some(),
        }
    }
}

impl Mapping {
    /// Reads the fields of `event` and parses its timestamp.
    pub fn extract(&self, event: &Node<'_>) -> Normalized {
        let mut out = Normalized::default();
        for field in Field::ALL {
            let spec = &self.fields[field.index()];
            let found = spec
                .paths
                .iter()
                .find_map(|p| event.pointer(p).filter(|v| !is_empty(v)));
            match (field, found) {
                (Field::Timestamp, Some(v)) => {
                    out.timestamp = parse_timestamp(v);
                    out.values[field.index()] = Some(text(v));
                }
                (_, Some(v)) => out.values[field.index()] = Some(text(v)),
                (_, None) => out.values[field.index()].clone_from(&spec.default),
            }
        }
        if out.timestamp.is_none() {
            if let Some(default) = &self.fields[Field::Timestamp.index()].default {
                out.timestamp = parse_timestamp(&Node::String(default.as_str().into()));
            }
        }
        out
    }

    pub fn is_privileged(&self, event: &Normalized) -> bool {
        self.privileged.iter().any(|r| r.matches(event))
    }

    pub fn is_failed_authentication(&self, event: &Normalized) -> bool {
        self.failed_authentication.iter().any(|r| r.matches(event))
    }
}

fn is_empty(value: &Node<'_>) -> bool {
    match value {
        Node::Null => true,
        Node::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn text(value: &Node<'_>) -> String {
    match value {
        Node::String(s) => s.to_string(),
        other => other.to_value().to_string(),
    }
}

/// Reads a timestamp: RFC 3339 / ISO 8601 text (without an offset it is taken as UTC), or a
/// Unix time in seconds, milliseconds, microseconds or nanoseconds (judged by magnitude).
pub fn parse_timestamp(value: &Node<'_>) -> Option<Timestamp> {
    match value {
        Node::Number(n) => {
            if let Some(i) = n.as_i64() {
                from_unix(i)
            } else {
                n.as_f64().and_then(|f| {
                    Timestamp::from_duration(jiff::SignedDuration::try_from_secs_f64(f).ok()?).ok()
                })
            }
        }
        Node::String(s) => {
            let s = s.trim();
            if let Ok(t) = s.parse::<Timestamp>() {
                return Some(t);
            }
            if let Ok(civil) = s.parse::<jiff::civil::DateTime>() {
                return civil
                    .to_zoned(jiff::tz::TimeZone::UTC)
                    .ok()
                    .map(|z| z.timestamp());
            }
            if let Ok(i) = s.parse::<i64>() {
                return from_unix(i);
            }
            s.parse::<f64>().ok().and_then(|f| {
                Timestamp::from_duration(jiff::SignedDuration::try_from_secs_f64(f).ok()?).ok()
            })
        }
        _ => None,
    }
}

fn from_unix(n: i64) -> Option<Timestamp> {
    let magnitude = n.unsigned_abs();
    if magnitude >= 100_000_000_000_000_000 {
        Some(Timestamp::from_nanosecond(i128::from(n)).ok()?)
    } else if magnitude >= 100_000_000_000_000 {
        Timestamp::from_microsecond(n).ok()
    } else if magnitude >= 100_000_000_000 {
        Timestamp::from_millisecond(n).ok()
    } else {
        Timestamp::from_second(n).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit_log::preset::Preset;
    use serde_json::json;

    fn mapping(preset: Preset) -> Mapping {
        Mapping {
            fields: Field::ALL.map(|f| preset.field(f)),
            privileged: preset.privileged(),
            failed_authentication: preset.failed_authentication(),
            required: Field::REQUIRED.to_vec(),
        }
    }

    #[test]
    fn timestamps_in_every_common_shape() {
        let expect = "2022-03-22T14:21:53.225Z";
        for v in [
            json!("2022-03-22T14:21:53.225Z"),
            json!("2022-03-22T15:21:53.225+01:00"),
            json!("2022-03-22 14:21:53.225"),
            json!(1_647_958_913_225_i64),
            json!("1647958913225"),
        ] {
            assert_eq!(
                parse_timestamp(&Node::from(&v)).unwrap().to_string(),
                expect,
                "{v}"
            );
        }
        assert_eq!(
            parse_timestamp(&Node::from(&json!(1_647_958_913)))
                .unwrap()
                .to_string(),
            "2022-03-22T14:21:53Z"
        );
        assert_eq!(
            parse_timestamp(&Node::from(&json!("2024-12-17T10:30:00.0000000Z")))
                .unwrap()
                .to_string(),
            "2024-12-17T10:30:00Z"
        );
        assert!(parse_timestamp(&Node::from(&json!("yesterday"))).is_none());
        assert!(parse_timestamp(&Node::from(&json!(true))).is_none());
    }

    #[test]
    fn kubernetes_fields_and_rules() {
        let m = mapping(Preset::Kubernetes);
        let exec = json!({
            "apiVersion": "audit.k8s.io/v1", "kind": "Event", "verb": "create",
            "user": {"username": "alice"},
            "requestURI": "/api/v1/namespaces/default/pods/web-1/exec?command=bash",
            "responseStatus": {"code": 101},
            "requestReceivedTimestamp": "2018-10-26T13:38:34.867116Z"
        });
        let e = m.extract(&Node::from(&exec));
        assert_eq!(e.value(Field::Actor), Some("alice"));
        assert_eq!(e.value(Field::Outcome), Some("101"));
        assert!(e.has(Field::Timestamp));
        assert!(m.is_privileged(&e));
        assert!(!m.is_failed_authentication(&e));

        let denied = json!({"verb": "get", "requestURI": "/api", "responseStatus": {"code": 401}});
        let e = m.extract(&Node::from(&denied));
        assert!(m.is_failed_authentication(&e));
        assert!(!m.is_privileged(&e));
        assert!(!e.has(Field::Actor));
        assert!(!e.has(Field::Timestamp));
    }

    #[test]
    fn cloudtrail_defaults_and_rules() {
        let m = mapping(Preset::Cloudtrail);
        let login = json!({
            "eventTime": "2019-01-01T00:00:00Z", "eventName": "ConsoleLogin",
            "eventSource": "signin.amazonaws.com",
            "userIdentity": {"arn": "arn:aws:iam::123456789012:user/bob"},
            "responseElements": {"ConsoleLogin": "Failure"}
        });
        assert!(m.is_failed_authentication(&m.extract(&Node::from(&login))));
        let root = json!({
            "eventTime": "2019-01-01T00:00:00Z", "eventName": "GetObject",
            "eventSource": "s3.amazonaws.com",
            "userIdentity": {"arn": "arn:aws:iam::123456789012:root"}
        });
        let e = m.extract(&Node::from(&root));
        assert_eq!(e.value(Field::Outcome), Some("Success"));
        assert!(m.is_privileged(&e));
    }
}
