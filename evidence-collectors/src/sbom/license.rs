//! Licenses: SPDX expressions parsed with the `spdx` crate, and the allow / deny policy they are
//! judged against.

use globset::{GlobBuilder, GlobMatcher};
use serde_json::{json, Map, Value};
use spdx::expression::{Expression, ExpressionReq};
use spdx::ParseMode;

/// Licenses denied by default: the GPL and AGPL families, whose copyleft terms conflict with
/// distributing proprietary software.
pub const DEFAULT_DENY: [&str; 2] = ["AGPL-*", "GPL-*"];

/// An allow / deny list of license ids (globs such as `GPL-*`, case-insensitive).
#[derive(Debug, Clone)]
pub struct LicensePolicy {
    allow: Vec<(String, GlobMatcher)>,
    deny: Vec<(String, GlobMatcher)>,
}

/// How a component's license fares under the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The expression can be satisfied with licenses the policy permits.
    Allowed,
    /// Every way to satisfy the expression uses a denied license.
    Denied,
    /// Every way to satisfy it uses a license outside the allow list (none denied outright).
    NotAllowed,
    /// No license, `NOASSERTION`, or an expression that does not parse.
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::NotAllowed => "not_allowed",
            Verdict::Unknown => "unknown",
        }
    }
}

fn matcher(pattern: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(GlobBuilder::new(pattern)
        .case_insensitive(true)
        .build()?
        .compile_matcher())
}

impl LicensePolicy {
    /// A policy from allow and deny globs; an empty allow list permits everything not denied.
    pub fn new(allow: &[String], deny: &[String]) -> Result<LicensePolicy, globset::Error> {
        let compile = |patterns: &[String]| {
            patterns
                .iter()
                .map(|p| Ok((p.clone(), matcher(p)?)))
                .collect::<Result<Vec<_>, globset::Error>>()
        };
        Ok(LicensePolicy {
            allow: compile(allow)?,
            deny: compile(deny)?,
        })
    }

    /// The default policy: nothing on an allow list, the GPL family denied.
    pub fn default_policy() -> LicensePolicy {
        let deny: Vec<String> = DEFAULT_DENY.iter().map(|s| s.to_string()).collect();
        LicensePolicy::new(&[], &deny).expect("default globs compile")
    }

    fn denies(&self, id: &str) -> bool {
        self.deny.iter().any(|(_, m)| m.is_match(id))
    }

    fn allows(&self, id: &str) -> bool {
        self.allow.is_empty() || self.allow.iter().any(|(_, m)| m.is_match(id))
    }

    /// The policy as written, for the evidence.
    pub fn to_json(&self) -> Value {
        json!({
            "allow": self.allow.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            "deny": self.deny.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        })
    }
}

/// A component's license expression, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct License {
    pub expression: String,
    /// Whether the expression is valid SPDX (deprecated ids accepted).
    pub valid: bool,
    /// The license ids it names, in order of appearance, without duplicates.
    pub ids: Vec<String>,
    pub verdict: Verdict,
}

/// The id a requirement names: `MIT`, `GPL-2.0-or-later`, `LicenseRef-x`, plus its exception.
fn requirement_id(req: &ExpressionReq) -> String {
    req.req.license.to_string()
}

impl License {
    /// Parses `expression` and judges it under `policy`.
    pub fn parse(expression: &str, policy: &LicensePolicy) -> License {
        let text = expression.trim();
        let strict = ParseMode {
            allow_deprecated: true,
            ..ParseMode::STRICT
        };
        let (valid, parsed) = match Expression::parse_mode(text, strict) {
            Ok(e) => (true, Some(e)),
            Err(_) => (false, Expression::parse_mode(text, ParseMode::LAX).ok()),
        };
        let Some(parsed) = parsed else {
            return License {
                expression: text.to_string(),
                valid: false,
                ids: Vec::new(),
                verdict: Verdict::Unknown,
            };
        };
        let mut ids: Vec<String> = Vec::new();
        for req in parsed.requirements() {
            let id = requirement_id(req);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let verdict = if parsed.evaluate(|r| {
            let id = r.license.to_string();
            !policy.denies(&id) && policy.allows(&id)
        }) {
            Verdict::Allowed
        } else if parsed.evaluate(|r| !policy.denies(&r.license.to_string())) {
            Verdict::NotAllowed
        } else {
            Verdict::Denied
        };
        License {
            expression: text.to_string(),
            valid,
            ids,
            verdict,
        }
    }

    /// The license of a component with no usable license information.
    pub fn unknown(expression: Option<&str>) -> License {
        License {
            expression: expression.unwrap_or_default().to_string(),
            valid: false,
            ids: Vec::new(),
            verdict: Verdict::Unknown,
        }
    }

    /// The license's facts; the map is sized exactly, as a large SBOM holds one per component.
    pub fn to_json(&self) -> Value {
        let mut facts = Map::with_capacity(4);
        facts.insert("expression".into(), json!(self.expression));
        facts.insert("valid".into(), json!(self.valid));
        facts.insert("ids".into(), json!(self.ids));
        facts.insert("policy".into(), json!(self.verdict.as_str()));
        Value::Object(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_parsed_and_judged() {
        let policy = LicensePolicy::default_policy();
        let l = License::parse("MIT OR GPL-3.0-only", &policy);
        assert!(l.valid);
        assert_eq!(l.ids, vec!["MIT", "GPL-3.0-only"]);
        assert_eq!(l.verdict, Verdict::Allowed);
        let l = License::parse("Apache-2.0 AND AGPL-3.0-or-later", &policy);
        assert_eq!(l.verdict, Verdict::Denied);
        // Deprecated ids are valid SPDX and still denied.
        let l = License::parse("GPL-2.0", &policy);
        assert!(l.valid);
        assert_eq!(l.verdict, Verdict::Denied);
        let l = License::parse("GPL-2.0+", &policy);
        assert_eq!(l.verdict, Verdict::Denied);
        // LGPL is not in the default deny list.
        assert_eq!(
            License::parse("LGPL-2.1-only", &policy).verdict,
            Verdict::Allowed
        );
        // Not SPDX: read leniently, flagged invalid.
        let l = License::parse("Apache 2.0", &policy);
        assert!(!l.valid);
        let l = License::parse("My own words", &policy);
        assert_eq!(l.verdict, Verdict::Unknown);
        assert!(l.ids.is_empty());
    }

    #[test]
    fn allow_lists_and_license_refs() {
        let policy = LicensePolicy::new(
            &["MIT".to_string(), "apache-*".to_string()],
            &["GPL-*".to_string()],
        )
        .unwrap();
        assert_eq!(
            License::parse("Apache-2.0", &policy).verdict,
            Verdict::Allowed
        );
        assert_eq!(
            License::parse("BSD-3-Clause", &policy).verdict,
            Verdict::NotAllowed
        );
        assert_eq!(
            License::parse("BSD-3-Clause OR GPL-2.0-only", &policy).verdict,
            Verdict::NotAllowed
        );
        assert_eq!(
            License::parse("GPL-2.0-only", &policy).verdict,
            Verdict::Denied
        );
        let l = License::parse("LicenseRef-Golang-BSD-plus-Patents", &policy);
        assert!(l.valid);
        assert_eq!(l.ids, vec!["LicenseRef-Golang-BSD-plus-Patents"]);
    }
}
