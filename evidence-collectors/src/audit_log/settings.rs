//! `collectors.audit_log` in `assay.yaml`, and its compiled form.

use std::collections::BTreeMap;

use globset::{Glob, GlobMatcher};
use regex::Regex;
use serde::Deserialize;

use super::chain::ChainRules;
use super::event::{Field, FieldSpec, Mapping, Rule};
use super::preset::Preset;
use crate::collector::SourceError;
use crate::dlp::{Detector, Scanner};
use crate::lines::pointer_push;

/// The settings as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The logs to read; when empty, logs are found by convention.
    #[serde(default)]
    pub sources: Vec<SourceSettings>,
    /// How many days a log must cover (default 90).
    pub retention_days: Option<f64>,
    #[serde(default)]
    pub hash_chain: ChainSettings,
    #[serde(default)]
    pub dlp: DlpSettings,
}

/// One configured log source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSettings {
    /// A glob relative to the scan root.
    pub path: String,
    pub format: Option<LogFormat>,
    pub preset: Option<Preset>,
    #[serde(default)]
    pub fields: BTreeMap<Field, FieldSetting>,
    pub privileged: Option<Vec<RuleSetting>>,
    pub failed_authentication: Option<Vec<RuleSetting>>,
    /// The fields every event must have (default: timestamp, actor, action, resource).
    pub required_fields: Option<Vec<Field>>,
    /// How reports name the source (default: its `path`).
    pub name: Option<String>,
}

/// How a log file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// One JSON event per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON document holding the events: `{"Records": [...]}` (CloudTrail), a Kubernetes
    /// `EventList` (`{"items": [...]}`) or a top-level array.
    Json,
}

/// A field: a pointer or column name, several (first present wins), or those with a default.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum FieldSetting {
    One(String),
    Many(Vec<String>),
    Full {
        paths: Vec<String>,
        default: Option<String>,
    },
}

/// A classification rule as written: regexes over the normalized fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetting {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub resource: Option<String>,
    pub outcome: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSettings {
    pub hash_field: Option<String>,
    pub prev_field: Option<String>,
    /// The first event's expected `prev_hash` (default 64 zeros).
    pub genesis: Option<String>,
    /// Whether the first event must link to the genesis value (default true).
    pub check_genesis: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DlpSettings {
    /// Detector names to run (default: all).
    pub detectors: Option<Vec<String>>,
    /// Regexes of values never reported.
    #[serde(default)]
    pub allow: Vec<String>,
}

/// A configured source, compiled.
pub struct SourcePlan {
    pub matcher: GlobMatcher,
    pub format: Option<LogFormat>,
    pub preset: Option<Preset>,
    fields: BTreeMap<Field, FieldSpec>,
    privileged: Option<Vec<Rule>>,
    failed_authentication: Option<Vec<Rule>>,
    required: Option<Vec<Field>>,
    /// The source's name: as configured, else its glob.
    pub name: String,
}

impl SourcePlan {
    /// The mapping for this source: the preset's, with the configured fields and rules on top.
    pub fn mapping(&self, preset: Preset) -> Mapping {
        let mut mapping = preset_mapping(preset);
        for (field, spec) in &self.fields {
            mapping.fields[*field as usize] = spec.clone();
        }
        if let Some(rules) = &self.privileged {
            mapping.privileged = rules.clone();
        }
        if let Some(rules) = &self.failed_authentication {
            mapping.failed_authentication = rules.clone();
        }
        if let Some(required) = &self.required {
            mapping.required = required.clone();
        }
        mapping
    }
}

/// The preset's mapping, unchanged.
pub fn preset_mapping(preset: Preset) -> Mapping {
    Mapping {
        fields: Field::ALL.map(|f| preset.field(f)),
        privileged: preset.privileged(),
        failed_authentication: preset.failed_authentication(),
        required: Field::REQUIRED.to_vec(),
    }
}

/// Everything the collector needs, checked.
pub struct Plan {
    pub sources: Vec<SourcePlan>,
    pub retention_days: f64,
    pub chain: ChainRules,
    pub dlp: Scanner,
}

/// Default retention requirement, in days.
pub const DEFAULT_RETENTION_DAYS: f64 = 90.0;

fn config_error(key: &str, message: String, hint: &str) -> SourceError {
    SourceError {
        path: "assay.yaml".into(),
        position: None,
        message: format!("`collectors.audit_log.{key}`: {message}"),
        hint: Some(hint.into()),
    }
}

fn regex(key: &str, src: &str) -> Result<Regex, SourceError> {
    Regex::new(src).map_err(|e| {
        config_error(
            key,
            format!("invalid regular expression: {e}"),
            "the syntax is Rust's `regex` crate (no look-around)",
        )
    })
}

fn rules(key: &str, written: &Option<Vec<RuleSetting>>) -> Result<Option<Vec<Rule>>, SourceError> {
    let Some(written) = written else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (i, r) in written.iter().enumerate() {
        let compile = |name: &str, src: &Option<String>| {
            src.as_deref()
                .map(|s| regex(&format!("{key}[{i}].{name}"), s))
                .transpose()
        };
        out.push(Rule {
            actor: compile("actor", &r.actor)?,
            action: compile("action", &r.action)?,
            resource: compile("resource", &r.resource)?,
            outcome: compile("outcome", &r.outcome)?,
        });
    }
    Ok(Some(out))
}

/// A field path as written: a JSON pointer, or a top-level key / CSV column name.
fn pointer(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        pointer_push("", path)
    }
}

impl Plan {
    /// Reads and checks the settings (`None`: all defaults).
    pub fn new(value: Option<&serde_json::Value>) -> Result<Plan, SourceError> {
        let settings: Settings = match value {
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
                config_error(
                    "",
                    e.to_string(),
                    "see the audit-log section of the collectors README",
                )
            })?,
            None => Settings::default(),
        };
        let mut sources = Vec::new();
        for (i, s) in settings.sources.iter().enumerate() {
            let matcher = Glob::new(&s.path)
                .map_err(|e| {
                    config_error(
                        &format!("sources[{i}].path"),
                        format!("invalid glob `{}`: {}", s.path, e.kind()),
                        "write a glob relative to the scan root, e.g. `logs/**/*.jsonl`",
                    )
                })?
                .compile_matcher();
            let fields = s
                .fields
                .iter()
                .map(|(field, setting)| {
                    let spec = match setting {
                        FieldSetting::One(p) => FieldSpec {
                            paths: vec![pointer(p)],
                            default: None,
                        },
                        FieldSetting::Many(ps) => FieldSpec {
                            paths: ps.iter().map(|p| pointer(p)).collect(),
                            default: None,
                        },
                        FieldSetting::Full { paths, default } => FieldSpec {
                            paths: paths.iter().map(|p| pointer(p)).collect(),
                            default: default.clone(),
                        },
                    };
                    (*field, spec)
                })
                .collect();
            sources.push(SourcePlan {
                matcher,
                format: s.format,
                preset: s.preset,
                fields,
                privileged: rules(&format!("sources[{i}].privileged"), &s.privileged)?,
                failed_authentication: rules(
                    &format!("sources[{i}].failed_authentication"),
                    &s.failed_authentication,
                )?,
                required: s.required_fields.clone(),
                name: s.name.clone().unwrap_or_else(|| s.path.clone()),
            });
        }
        let detectors = match &settings.dlp.detectors {
            None => Detector::ALL.to_vec(),
            Some(names) => names
                .iter()
                .map(|n| {
                    Detector::from_name(n).ok_or_else(|| {
                        config_error(
                            "dlp.detectors",
                            format!("unknown detector `{n}`"),
                            &format!(
                                "use one of {}",
                                Detector::ALL.map(|d| d.as_str()).join(", ")
                            ),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        for (i, a) in settings.dlp.allow.iter().enumerate() {
            regex(&format!("dlp.allow[{i}]"), a)?;
        }
        let dlp = Scanner::new(&detectors, &settings.dlp.allow)
            .map_err(|e| config_error("dlp.allow", e.to_string(), "check the regexes"))?;
        let defaults = ChainRules::default();
        let chain = ChainRules {
            hash_field: settings
                .hash_chain
                .hash_field
                .unwrap_or(defaults.hash_field),
            prev_field: settings
                .hash_chain
                .prev_field
                .unwrap_or(defaults.prev_field),
            genesis: if settings.hash_chain.check_genesis == Some(false) {
                None
            } else {
                settings
                    .hash_chain
                    .genesis
                    .map(|g| g.to_ascii_lowercase())
                    .or(defaults.genesis)
            },
        };
        Ok(Plan {
            sources,
            retention_days: settings.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS),
            chain,
            dlp,
        })
    }

    /// The configured source a root-relative path belongs to.
    pub fn source_for(&self, path: &str) -> Option<&SourcePlan> {
        self.sources.iter().find(|s| s.matcher.is_match(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_accept_names_pointers_lists_and_defaults() {
        let plan = Plan::new(Some(&json!({
            "sources": [{
                "path": "logs/*.csv",
                "preset": "generic",
                "fields": {
                    "timestamp": "time",
                    "actor": ["/user/name", "user"],
                    "outcome": {"paths": ["status"], "default": "ok"}
                },
                "privileged": [{"action": "^sudo$"}]
            }],
            "retention_days": 365,
            "hash_chain": {"hash_field": "digest", "check_genesis": false},
            "dlp": {"detectors": ["email"], "allow": ["@corp\\.example$"]}
        })))
        .unwrap();
        let source = plan.source_for("logs/a.csv").unwrap();
        let mapping = source.mapping(Preset::Generic);
        assert_eq!(mapping.fields[0].paths, vec!["/time"]);
        assert_eq!(mapping.fields[1].paths, vec!["/user/name", "/user"]);
        assert_eq!(mapping.fields[4].default.as_deref(), Some("ok"));
        assert_eq!(mapping.privileged.len(), 1);
        assert_eq!(plan.retention_days, 365.0);
        assert_eq!(plan.chain.hash_field, "digest");
        assert_eq!(plan.chain.genesis, None);
        assert!(plan.source_for("other/a.csv").is_none());
    }

    #[test]
    fn bad_settings_name_their_key() {
        let error = Plan::new(Some(
            &json!({"sources": [{"path": "a", "privileged": [{"action": "("}]}]}),
        ))
        .err()
        .unwrap();
        assert!(error.message.starts_with("`collectors.audit_log.sources[0].privileged[0].action`: invalid regular expression"), "{}", error.message);
        let error = Plan::new(Some(&json!({"dlp": {"detectors": ["emial"]}})))
            .err()
            .unwrap();
        assert!(error.message.contains("unknown detector `emial`"));
        let error = Plan::new(Some(&json!({"retention": 3}))).err().unwrap();
        assert!(error.message.contains("unknown field `retention`"));
    }
}
