//! `collectors.metrics` in `assay.yaml`, and Prometheus durations (`30d`, `1h30m`, `500ms`).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::exposition::is_label_name;

/// Exposition files found by convention when no `files` are configured.
pub const DEFAULT_FILES: [&str; 6] = [
    "**/*.prom",
    "**/*.prom.txt",
    "**/*.om",
    "**/*.om.txt",
    "**/*.openmetrics",
    "**/*.openmetrics.txt",
];

/// The settings as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Globs of exposition files, relative to the scan root (default: [`DEFAULT_FILES`]).
    pub files: Option<Vec<String>>,
    /// `/metrics` endpoints to scrape (plain `http://`).
    #[serde(default)]
    pub endpoints: Vec<String>,
    /// The request counter (default: the first of the usual names present).
    pub requests: Option<String>,
    /// The label holding the response status (default: `code`, `status`, …).
    pub error_label: Option<String>,
    /// A regex matching a whole status value that counts as an error (default `5..`).
    pub error_pattern: Option<String>,
    /// The request-duration histogram, without `_bucket` (default: the usual names).
    pub latency: Option<String>,
    /// The labels facts are broken down by (default: `service` and `tenant`, each when present).
    pub by: Option<Breakdown>,
    pub prometheus: Option<PrometheusSettings>,
    /// Seconds to wait for a server (default 10).
    pub timeout_seconds: Option<u64>,
}

/// `by`: one label or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Breakdown {
    One(String),
    Many(Vec<String>),
}

impl Breakdown {
    /// The labels, in the order written; an error names one that is not a label name.
    pub fn labels(self) -> Result<Vec<String>, String> {
        let labels = match self {
            Breakdown::One(label) => vec![label],
            Breakdown::Many(labels) => labels,
        };
        match labels.iter().find(|l| !is_label_name(l)) {
            Some(bad) => Err(format!(
                "`{bad}` is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)"
            )),
            None => Ok(labels),
        }
    }
}

/// A Prometheus server to query.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrometheusSettings {
    /// Base URL, e.g. `http://127.0.0.1:9090`.
    pub url: String,
    /// The window the service-level facts cover (default `30d`).
    pub window: Option<String>,
    /// Named queries whose results go into the document as they are.
    #[serde(default)]
    pub queries: BTreeMap<String, QuerySettings>,
}

/// One named query: instant, or a range query when `range` is set.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySettings {
    pub query: String,
    pub range: Option<String>,
    pub step: Option<String>,
}

/// Seconds in a Prometheus duration: one or more `<number><unit>` with units `ms`, `s`, `m`,
/// `h`, `d`, `w`, `y` (365 days).
pub fn duration_seconds(text: &str) -> Result<f64, String> {
    let bad = || format!("invalid duration `{text}`: expected e.g. `30d`, `1h30m`, `15s`, `500ms`");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            "y" => 31_536_000.0,
            _ => return Err(bad()),
        };
        total += n * scale;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("30d").unwrap(), 2_592_000.0);
        assert_eq!(duration_seconds("1h30m").unwrap(), 5400.0);
        assert_eq!(duration_seconds("500ms").unwrap(), 0.5);
        for bad in ["", "d", "30", "3x", "1.5h"] {
            assert!(duration_seconds(bad).is_err(), "{bad}");
        }
    }
}
