//! `collectors.sbom` in `assay.yaml`, and its checked form.

use globset::{Glob, GlobSet, GlobSetBuilder};
use jiff::SignedDuration;
use serde::Deserialize;

use super::dsse::TrustedKey;
use super::license::{LicensePolicy, DEFAULT_DENY};
use super::model::Deadlines;
use super::release::Release;
use super::slsa::TrustedBuilder;
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
    #[serde(default)]
    pub provenance: ProvenanceSettings,
    #[serde(default)]
    pub release: ReleaseSettings,
}

/// How provenance statements are verified.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceSettings {
    /// Public keys whose DSSE signatures verify a statement.
    #[serde(default)]
    pub keys: Vec<KeySettings>,
    /// Builder ids (globs) trusted, with their SLSA Build level; replaces the defaults.
    pub trusted_builders: Option<Vec<BuilderSettings>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySettings {
    /// The `keyid` signatures name the key by.
    pub id: String,
    /// PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub public_key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuilderSettings {
    pub id: String,
    #[serde(default = "default_level")]
    pub level: u8,
}

fn default_level() -> u8 {
    3
}

/// The release folders whose artifacts need an SBOM and a provenance statement.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseSettings {
    /// Folders relative to the scan root (default `dist`).
    pub dirs: Option<Vec<String>>,
    /// Globs (relative to the scan root) of further files that are not artifacts.
    #[serde(default)]
    pub ignore: Vec<String>,
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
    pub keys: Vec<TrustedKey>,
    pub builders: Vec<TrustedBuilder>,
    pub release: Release,
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
        let mut keys = Vec::new();
        for (i, k) in settings.provenance.keys.iter().enumerate() {
            let key = TrustedKey::from_pem(&k.id, &k.public_key).map_err(|e| {
                config_error(
                    &format!("provenance.keys[{i}] ({})", k.id),
                    e,
                    "paste the signer's public key as PEM (`-----BEGIN PUBLIC KEY-----`)",
                )
            })?;
            if keys.iter().any(|other: &TrustedKey| other.id == k.id) {
                return Err(config_error(
                    &format!("provenance.keys[{i}]"),
                    format!("the key id `{}` is listed twice", k.id),
                    "give each key its own id",
                ));
            }
            keys.push(key);
        }
        let builders = match &settings.provenance.trusted_builders {
            None => TrustedBuilder::defaults(),
            Some(list) => list
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    if !(1..=3).contains(&b.level) {
                        return Err(config_error(
                            &format!("provenance.trusted_builders[{i}].level"),
                            format!("{} is not a SLSA Build level", b.level),
                            "write 1, 2 or 3",
                        ));
                    }
                    TrustedBuilder::new(&b.id, b.level).map_err(|e| {
                        config_error(
                            &format!("provenance.trusted_builders[{i}].id"),
                            e,
                            "write a builder id, `*` matching within one path segment",
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let release = Release::new(&settings.release)
            .map_err(|(key, e)| config_error(&format!("release.{key}"), e, "check the globs"))?;
        Ok(Plan {
            paths,
            policy,
            deadlines,
            keys,
            builders,
            release,
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
