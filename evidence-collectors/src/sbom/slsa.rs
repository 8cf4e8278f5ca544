//! SLSA build levels: which builders a project trusts (`collectors.sbom.provenance.trusted_builders`)
//! and at what level, the level a provenance statement claims and the level its signature and
//! builder confirm.

use globset::{GlobBuilder, GlobMatcher};
use serde_json::{json, Value};

/// The builders trusted when `trusted_builders` is not set: the slsa-github-generator reusable
/// workflows at a release tag (Build L3) and GitHub-hosted runners of artifact attestations
/// (Build L2).
pub const DEFAULT_TRUSTED_BUILDERS: [(&str, u8); 2] = [
    (
        "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/*_slsa3.yml@refs/tags/v*",
        3,
    ),
    ("https://github.com/actions/runner/github-hosted", 2),
];

/// The predicate type of a SLSA verification summary, which states the levels it verified.
const VERIFICATION_SUMMARY: &str = "https://slsa.dev/verification_summary/v1";

/// A trusted builder: a glob over builder ids (`*` stays within a path segment) and the SLSA
/// Build level its provenance stands for.
pub struct TrustedBuilder {
    pub pattern: String,
    matcher: GlobMatcher,
    pub level: u8,
}

impl TrustedBuilder {
    pub fn new(pattern: &str, level: u8) -> Result<TrustedBuilder, String> {
        let matcher = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))?
            .compile_matcher();
        Ok(TrustedBuilder {
            pattern: pattern.to_string(),
            matcher,
            level,
        })
    }

    pub fn defaults() -> Vec<TrustedBuilder> {
        DEFAULT_TRUSTED_BUILDERS
            .iter()
            .map(|(p, l)| TrustedBuilder::new(p, *l).expect("valid default builder globs"))
            .collect()
    }
}

/// The highest `SLSA_BUILD_LEVEL_n` a verification summary lists.
fn summary_level(predicate: &Value) -> Option<u8> {
    predicate
        .get("verifiedLevels")?
        .as_array()?
        .iter()
        .filter_map(|l| l.as_str()?.strip_prefix("SLSA_BUILD_LEVEL_")?.parse().ok())
        .max()
}

/// The SLSA facts of a statement: its build type, whether its builder is trusted, and its
/// Build level as `claimed` (a verification summary's verified level, else the level of the
/// trusted builder named, else 1 for any provenance) and `confirmed` (the claimed level when
/// the signature verified with a configured key and the builder is trusted, else at most 1).
/// For a statement that is not SLSA provenance, levels are 0.
pub fn facts(
    predicate_type: &str,
    predicate: &Value,
    builder: Option<&str>,
    signature_verified: bool,
    trusted: &[TrustedBuilder],
) -> Value {
    let is_provenance = predicate_type.starts_with("https://slsa.dev/provenance/");
    let build_type = predicate
        .pointer("/buildDefinition/buildType")
        .or_else(|| predicate.get("buildType"))
        .and_then(Value::as_str);
    let trusted_as = builder.and_then(|id| trusted.iter().find(|t| t.matcher.is_match(id)));
    let claimed = if predicate_type == VERIFICATION_SUMMARY {
        summary_level(predicate).unwrap_or(0)
    } else if is_provenance {
        trusted_as.map_or(1, |t| t.level)
    } else {
        0
    };
    let confirmed = if signature_verified && trusted_as.is_some() {
        claimed
    } else {
        claimed.min(1)
    };
    let mut facts = json!({
        "build_type": build_type,
        "builder_trusted": trusted_as.is_some(),
        "slsa_build_level": {"claimed": claimed, "confirmed": confirmed},
    });
    if let Some(t) = trusted_as {
        facts["trusted_builder"] = json!(t.pattern);
    } else {
        facts["builder_problem"] = json!(match builder {
            Some(id) => format!("builder `{id}` is not among the trusted builders"),
            None => "the statement names no builder".to_string(),
        });
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATOR: &str = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v2.0.0";

    #[test]
    fn levels_follow_builder_and_signature() {
        let trusted = TrustedBuilder::defaults();
        let v1 = json!({"buildDefinition": {"buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"}});
        let f = facts(
            "https://slsa.dev/provenance/v1",
            &v1,
            Some(GENERATOR),
            true,
            &trusted,
        );
        assert_eq!(f["builder_trusted"], true);
        assert_eq!(f["slsa_build_level"], json!({"claimed": 3, "confirmed": 3}));
        assert_eq!(
            f["build_type"],
            "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1"
        );
        // Unsigned: the claim stands, but only level 1 is confirmed.
        let f = facts(
            "https://slsa.dev/provenance/v1",
            &v1,
            Some(GENERATOR),
            false,
            &trusted,
        );
        assert_eq!(f["slsa_build_level"], json!({"claimed": 3, "confirmed": 1}));
        // `*` does not cross a `/`: a workflow of another repository is not the generator.
        let fork = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/x/evil_slsa3.yml@refs/tags/v1";
        let f = facts(
            "https://slsa.dev/provenance/v0.2",
            &json!({"buildType": "b"}),
            Some(fork),
            true,
            &trusted,
        );
        assert_eq!(f["builder_trusted"], false);
        assert_eq!(f["slsa_build_level"], json!({"claimed": 1, "confirmed": 1}));
        assert!(f["builder_problem"]
            .as_str()
            .unwrap()
            .contains("not among the trusted builders"));
        let f = facts(
            "https://slsa.dev/provenance/v1",
            &v1,
            Some("https://github.com/actions/runner/github-hosted"),
            true,
            &trusted,
        );
        assert_eq!(f["slsa_build_level"]["confirmed"], 2);
    }

    #[test]
    fn verification_summaries_state_their_level() {
        let custom = vec![TrustedBuilder::new("https://verifier.example/*", 3).unwrap()];
        let f = facts(
            VERIFICATION_SUMMARY,
            &json!({"verifiedLevels": ["SLSA_BUILD_LEVEL_2", "FEDRAMP_HIGH"]}),
            None,
            true,
            &custom,
        );
        assert_eq!(f["slsa_build_level"]["claimed"], 2);
        assert_eq!(f["builder_problem"], "the statement names no builder");
        assert!(TrustedBuilder::new("a[", 3).is_err());
    }
}
