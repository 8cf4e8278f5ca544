//! `collectors.sbom` in `assay.yaml`, and its checked form.

use globset::{Glob, GlobSet, GlobSetBuilder};
use jiff::SignedDuration;
use serde::Deserialize;

use super::license::{LicensePolicy, DEFAULT_DENY};
use super::model::Deadlines;
use crate::collector::SourceError;

/// The settings as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Globs of SBOM and provenance files; when absent, they are found by convention.
    pub paths: Option<Vec<String>>,
    #[serde(default)]
    pub license_policy: PolicySettings,
    #[serde(default)]
    pub remediation_deadlines: DeadlineSettings,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySettings {
    /// License ids (globs) allowed; empty allows all that are not denied.
    #[serde(default)]
    pub allow: Vec<String>,
    /// License ids (globs) denied; default the GPL and AGPL families.
    pub deny: Option<Vec<String>>,
}

/// Deadlines as `24h`, `7d`, `2w`, or `none`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineSettings {
    pub critical: Option<String>,
    pub high: Option<String>,
    pub medium: Option<String>,
    pub low: Option<String>,
}

/// Everything the collector needs, checked.
pub struct Plan {
    pub paths: Option<GlobSet>,
    pub policy: LicensePolicy,
    pub deadlines: Deadlines,
}

fn config_error(key: &str, message: String, hint: &str) -> SourceError {
    SourceError {
        path: "assay.yaml".into(),
        position: None,
        message: format!("`collectors.sbom.{key}`: {message}"),
        hint: Some(hint.into()),
    }
}

/// Reads `24h`, `7d`, `2w` (or `none`).
fn duration(key: &str, text: &str) -> Result<Option<SignedDuration>, SourceError> {
    if text == "none" {
        return Ok(None);
    }
    let error = || {
        config_error(
            key,
            format!("`{text}` is not a duration"),
            "write a number of hours, days or weeks (`24h`, `7d`, `2w`) or `none`",
        )
    };
    let split = text.len().checked_sub(1).ok_or_else(error)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| error())?;
    let hours = match unit {
        "h" => n,
        "d" => n * 24,
        "w" => n * 24 * 7,
        _ => return Err(error()),
    };
    Ok(Some(SignedDuration::from_hours(hours)))
}

impl Plan {
    /// Reads and checks the settings (`None`: all defaults).
    pub fn new(value: Option<&serde_json::Value>) -> Result<Plan, SourceError> {
        let settings: Settings = match value {
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
                config_error(
                    "",
                    e.to_string(),
                    "see the SBOM section of the collectors README",
                )
            })?,
            None => Settings::default(),
        };
        let paths = match &settings.paths {
            None => None,
            Some(globs) => {
                let mut builder = GlobSetBuilder::new();
                for (i, g) in globs.iter().enumerate() {
                    builder.add(Glob::new(g).map_err(|e| {
                        config_error(
                            &format!("paths[{i}]"),
                            format!("invalid glob `{g}`: {}", e.kind()),
                            "write a glob relative to the scan root, e.g. `dist/*.cdx.json`",
                        )
                    })?);
                }
                Some(
                    builder
                        .build()
                        .map_err(|e| config_error("paths", e.to_string(), "check the globs"))?,
                )
            }
        };
        let deny = settings
            .license_policy
            .deny
            .clone()
            .unwrap_or_else(|| DEFAULT_DENY.iter().map(|s| s.to_string()).collect());
        let policy = LicensePolicy::new(&settings.license_policy.allow, &deny).map_err(|e| {
            config_error(
                "license_policy",
                format!("invalid license glob: {e}"),
                "write SPDX ids or globs such as `GPL-*`",
            )
        })?;
        let defaults = Deadlines::default();
        let d = &settings.remediation_deadlines;
        let pick = |key: &str, written: &Option<String>, default| match written {
            Some(text) => duration(&format!("remediation_deadlines.{key}"), text),
            None => Ok(default),
        };
        let deadlines = Deadlines {
            critical: pick("critical", &d.critical, defaults.critical)?,
            high: pick("high", &d.high, defaults.high)?,
            medium: pick("medium", &d.medium, defaults.medium)?,
            low: pick("low", &d.low, defaults.low)?,
        };
        Ok(Plan {
            paths,
            policy,
            deadlines,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deadlines_and_policy_are_read() {
        let plan = Plan::new(Some(&json!({
            "remediation_deadlines": {"critical": "48h", "high": "2w", "medium": "none", "low": "90d"},
            "license_policy": {"allow": ["MIT"], "deny": []},
            "paths": ["dist/*.cdx.json"]
        })))
        .unwrap();
        assert_eq!(
            plan.deadlines.critical,
            Some(SignedDuration::from_hours(48))
        );
        assert_eq!(plan.deadlines.high, Some(SignedDuration::from_hours(336)));
        assert_eq!(plan.deadlines.medium, None);
        assert_eq!(plan.deadlines.low, Some(SignedDuration::from_hours(2160)));
        assert_eq!(plan.policy.to_json(), json!({"allow": ["MIT"], "deny": []}));
        assert!(plan.paths.unwrap().is_match("dist/app.cdx.json"));

        let defaults = Plan::new(None).unwrap();
        assert_eq!(defaults.deadlines, Deadlines::default());
        assert_eq!(
            defaults.policy.to_json()["deny"],
            json!(["AGPL-*", "GPL-*"])
        );
    }

    #[test]
    fn bad_values_name_their_key() {
        let error = Plan::new(Some(&json!({"remediation_deadlines": {"high": "7 days"}})))
            .err()
            .unwrap();
        assert_eq!(
            error.message,
            "`collectors.sbom.remediation_deadlines.high`: `7 days` is not a duration"
        );
        assert!(Plan::new(Some(&json!({"licence_policy": {}}))).is_err());
    }
}
