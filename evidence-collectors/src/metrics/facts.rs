//! Service-level facts from metric samples: request totals, errors, error rate and availability
//! from a request counter; latency quantiles (p50, p95, p99) from a request-duration histogram;
//! both overall and broken down by one label (such as `tenant`); and quantiles for every
//! histogram family.

use std::collections::BTreeMap;

use regex::Regex;
use serde_json::{json, Map, Value};

use super::exposition::{number, Exposition, MetricType, Sample};
use super::quantile::{histogram_quantile, Bucket};
use crate::lines::{pointer_push, LineMap, Position};

/// Request counters looked for when none is configured, in order.
const REQUEST_COUNTERS: [&str; 4] = [
    "http_requests_total",
    "http_server_requests_total",
    "http_server_requests_seconds_count",
    "requests_total",
];
/// Labels that carry a response status, looked for in order.
const STATUS_LABELS: [&str; 5] = [
    "code",
    "status",
    "status_code",
    "http_status_code",
    "http_response_status_code",
];
/// Request-duration histograms looked for when none is configured, in order.
const LATENCY_HISTOGRAMS: [&str; 4] = [
    "http_request_duration_seconds",
    "http_server_request_duration_seconds",
    "http_server_requests_seconds",
    "request_duration_seconds",
];
/// The label a breakdown uses when none is configured and the samples carry it.
pub const DEFAULT_BREAKDOWN: &str = "tenant";

/// Which metrics the facts come from.
#[derive(Debug, Clone)]
pub struct Selection {
    pub requests: Option<String>,
    pub error_label: Option<String>,
    /// Matches a whole status value that counts as an error.
    pub error_pattern: Regex,
    pub latency: Option<String>,
    pub by: Option<String>,
}

impl Selection {
    /// The selection with `error_pattern` (anchored) compiled.
    pub fn new(
        requests: Option<String>,
        error_label: Option<String>,
        error_pattern: Option<&str>,
        latency: Option<String>,
        by: Option<String>,
    ) -> Result<Selection, regex::Error> {
        let pattern = format!("^(?:{})$", error_pattern.unwrap_or("5.."));
        Ok(Selection {
            requests,
            error_label,
            error_pattern: Regex::new(&pattern)?,
            latency,
            by,
        })
    }
}

/// JSON for a float; NaN and infinities (which JSON cannot hold) become null.
fn float(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn round(v: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (v * scale).round() / scale
}

/// The facts of `e`, with the line of the first sample behind each.
pub fn derive(e: &Exposition, s: &Selection) -> (Value, LineMap) {
    let mut lines = LineMap::new();
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &e.families {
        *types.entry(f.kind.as_str()).or_default() += 1;
    }
    let mut out = Map::new();
    out.insert("families".into(), json!(e.families.len()));
    out.insert("samples".into(), json!(e.samples()));
    out.insert("types".into(), json!(types));
    out.insert("requests".into(), requests(e, s, &mut lines));
    out.insert("latency".into(), latency(e, s, &mut lines));
    out.insert("histograms".into(), histograms(e, &mut lines));
    (Value::Object(out), lines)
}

fn samples_named<'e>(e: &'e Exposition, name: &str) -> Vec<&'e Sample> {
    e.families
        .iter()
        .flat_map(|f| &f.samples)
        .filter(|x| x.name == name)
        .collect()
}

fn mark(lines: &mut LineMap, pointer: &str, line: u32) {
    lines.insert(pointer.to_string(), Position::new(line, 1));
}

/// The label to break down by: the configured one, else `tenant` when the samples carry it.
fn breakdown<'s>(s: &'s Selection, samples: &[&Sample]) -> Option<&'s str> {
    match &s.by {
        Some(by) => Some(by.as_str()),
        None => samples
            .iter()
            .any(|x| x.label(DEFAULT_BREAKDOWN).is_some())
            .then_some(DEFAULT_BREAKDOWN),
    }
}

#[derive(Default)]
struct Tally {
    total: f64,
    errors: f64,
    line: u32,
}

impl Tally {
    fn json(&self) -> Value {
        let rate = if self.total > 0.0 {
            self.errors / self.total
        } else {
            f64::NAN
        };
        json!({
            "total": float(self.total),
            "errors": float(self.errors),
            "error_rate": float(round(rate, 8)),
            "availability": float(round((1.0 - rate) * 100.0, 6)),
        })
    }
}

fn requests(e: &Exposition, s: &Selection, lines: &mut LineMap) -> Value {
    let candidates: Vec<&str> = match &s.requests {
        Some(name) => vec![name.as_str()],
        None => REQUEST_COUNTERS.to_vec(),
    };
    let Some((metric, samples)) = candidates
        .iter()
        .map(|m| (*m, samples_named(e, m)))
        .find(|(_, found)| !found.is_empty())
    else {
        return Value::Null;
    };
    let status = s.error_label.as_deref().or_else(|| {
        STATUS_LABELS
            .into_iter()
            .find(|l| samples.iter().any(|x| x.label(l).is_some()))
    });
    let by = breakdown(s, &samples);
    let mut all = Tally {
        line: samples[0].line,
        ..Tally::default()
    };
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    for x in &samples {
        let error = status
            .and_then(|l| x.label(l))
            .is_some_and(|v| s.error_pattern.is_match(v));
        let add = |t: &mut Tally| {
            t.total += x.value;
            if error {
                t.errors += x.value;
            }
        };
        add(&mut all);
        if let Some(value) = by.and_then(|l| x.label(l)) {
            let group = groups.entry(value.to_string()).or_insert_with(|| Tally {
                line: x.line,
                ..Tally::default()
            });
            add(group);
        }
    }
    mark(lines, "/requests", all.line);
    let mut value = all.json();
    let fields = value.as_object_mut().expect("tally JSON is an object");
    fields.insert("metric".into(), json!(metric));
    fields.insert("status_label".into(), json!(status));
    fields.insert(
        "error_pattern".into(),
        json!(s
            .error_pattern
            .as_str()
            .trim_start_matches("^(?:")
            .trim_end_matches(")$")),
    );
    fields.insert("by".into(), json!(by));
    let mut group_json = Map::new();
    for (name, tally) in &groups {
        mark(lines, &pointer_push("/requests/groups", name), tally.line);
        group_json.insert(name.clone(), tally.json());
    }
    fields.insert("groups".into(), Value::Object(group_json));
    value
}

/// Bucket counts summed by upper bound (PromQL's `sum by (le)`), with the first line seen.
#[derive(Default)]
struct Buckets {
    by_le: BTreeMap<u64, Bucket>,
    count: f64,
    sum: f64,
    line: u32,
}

impl Buckets {
    fn add(&mut self, x: &Sample, family: &str) {
        if self.line == 0 {
            self.line = x.line;
        }
        let suffix = x.name.strip_prefix(family).unwrap_or("");
        match suffix {
            "_bucket" => {
                if let Some(le) = x.label("le").and_then(number) {
                    let entry = self
                        .by_le
                        .entry(le.to_bits())
                        .or_insert(Bucket { le, count: 0.0 });
                    entry.count += x.value;
                }
            }
            "_count" => self.count += x.value,
            "_sum" => self.sum += x.value,
            _ => {}
        }
    }

    fn json(&self, unit_ms: Option<f64>) -> Value {
        let buckets: Vec<Bucket> = self.by_le.values().copied().collect();
        let mut out = Map::new();
        let count = if self.count > 0.0 {
            self.count
        } else {
            buckets
                .iter()
                .find(|b| b.le == f64::INFINITY)
                .map_or(0.0, |b| b.count)
        };
        out.insert("count".into(), float(count));
        out.insert("sum".into(), float(self.sum));
        let mut forced = false;
        for (key, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
            let r = histogram_quantile(q, &buckets);
            forced |= r.forced_monotonic;
            out.insert(key.into(), float(r.value));
            if let Some(scale) = unit_ms {
                out.insert(format!("{key}_ms"), float(round(r.value * scale, 6)));
            }
        }
        out.insert("forced_monotonic".into(), json!(forced));
        Value::Object(out)
    }
}

/// Milliseconds per unit of a duration histogram, judged by its name's unit suffix.
fn ms_per_unit(name: &str) -> Option<f64> {
    if name.ends_with("_seconds") {
        Some(1000.0)
    } else if name.ends_with("_milliseconds") || name.ends_with("_ms") {
        Some(1.0)
    } else {
        None
    }
}

/// The histogram families: declared ones, and any family whose samples have `_bucket` + `le`.
fn histogram_families(e: &Exposition) -> Vec<(&str, Vec<&Sample>)> {
    e.families
        .iter()
        .filter(|f| {
            f.kind == MetricType::Histogram
                || (f.kind == MetricType::Untyped
                    && f.samples
                        .iter()
                        .any(|x| x.name.ends_with("_bucket") && x.label("le").is_some()))
        })
        .map(|f| {
            let name = if f.kind == MetricType::Histogram {
                f.name.as_str()
            } else {
                f.name.trim_end_matches("_bucket")
            };
            (name, f.samples.iter().collect())
        })
        .collect()
}

fn latency(e: &Exposition, s: &Selection, lines: &mut LineMap) -> Value {
    let families = histogram_families(e);
    let chosen = match &s.latency {
        Some(name) => families.iter().find(|(n, _)| n == name),
        None => LATENCY_HISTOGRAMS
            .iter()
            .find_map(|c| families.iter().find(|(n, _)| n == c))
            .or_else(|| {
                families.iter().find(|(n, _)| {
                    n.ends_with("request_duration_seconds") || n.ends_with("_latency_seconds")
                })
            }),
    };
    let Some((name, samples)) = chosen else {
        return Value::Null;
    };
    let by = breakdown(s, samples);
    let mut all = Buckets::default();
    let mut groups: BTreeMap<String, Buckets> = BTreeMap::new();
    for x in samples {
        all.add(x, name);
        if let Some(value) = by.and_then(|l| x.label(l)) {
            groups.entry(value.to_string()).or_default().add(x, name);
        }
    }
    let unit = ms_per_unit(name);
    mark(lines, "/latency", all.line);
    let mut value = all.json(unit);
    let fields = value.as_object_mut().expect("bucket JSON is an object");
    fields.insert("metric".into(), json!(name));
    fields.insert(
        "unit".into(),
        json!(unit.map(|u| if u == 1.0 { "milliseconds" } else { "seconds" })),
    );
    fields.insert("by".into(), json!(by));
    let mut group_json = Map::new();
    for (group, buckets) in &groups {
        mark(lines, &pointer_push("/latency/groups", group), buckets.line);
        group_json.insert(group.clone(), buckets.json(unit));
    }
    fields.insert("groups".into(), Value::Object(group_json));
    value
}

fn histograms(e: &Exposition, lines: &mut LineMap) -> Value {
    let mut out = Map::new();
    for (name, samples) in histogram_families(e) {
        let mut all = Buckets::default();
        let mut series: Vec<Vec<(&str, &str)>> = Vec::new();
        for x in &samples {
            all.add(x, name);
            let key: Vec<(&str, &str)> = x
                .labels
                .iter()
                .filter(|(k, _)| k != "le")
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            if !series.contains(&key) {
                series.push(key);
            }
        }
        let mut value = all.json(ms_per_unit(name));
        value["series"] = json!(series.len());
        mark(lines, &pointer_push("/histograms", name), all.line);
        out.insert(name.to_string(), value);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::exposition::parse;

    const TEXT: &str = "# TYPE http_requests_total counter
http_requests_total{tenant=\"acme\",code=\"200\"} 9990
http_requests_total{tenant=\"acme\",code=\"503\"} 10
http_requests_total{tenant=\"globex\",code=\"200\"} 990
http_requests_total{tenant=\"globex\",code=\"500\"} 10
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{tenant=\"acme\",le=\"0.1\"} 800
http_request_duration_seconds_bucket{tenant=\"acme\",le=\"0.5\"} 990
http_request_duration_seconds_bucket{tenant=\"acme\",le=\"+Inf\"} 1000
http_request_duration_seconds_sum{tenant=\"acme\"} 90
http_request_duration_seconds_count{tenant=\"acme\"} 1000
http_request_duration_seconds_bucket{tenant=\"globex\",le=\"0.1\"} 0
http_request_duration_seconds_bucket{tenant=\"globex\",le=\"0.5\"} 50
http_request_duration_seconds_bucket{tenant=\"globex\",le=\"+Inf\"} 100
http_request_duration_seconds_sum{tenant=\"globex\"} 60
http_request_duration_seconds_count{tenant=\"globex\"} 100
";

    fn facts(text: &str, s: &Selection) -> (Value, LineMap) {
        derive(&parse(text, false).unwrap(), s)
    }

    fn default_selection() -> Selection {
        Selection::new(None, None, None, None, None).unwrap()
    }

    #[test]
    fn availability_and_error_rate_by_tenant() {
        let (v, lines) = facts(TEXT, &default_selection());
        let r = &v["requests"];
        assert_eq!(r["metric"], "http_requests_total");
        assert_eq!(r["status_label"], "code");
        assert_eq!(r["total"], 11000.0);
        assert_eq!(r["errors"], 20.0);
        assert_eq!(r["availability"], 99.818182);
        assert_eq!(r["by"], "tenant");
        assert_eq!(r["groups"]["acme"]["availability"], 99.9);
        assert_eq!(r["groups"]["globex"]["availability"], 99.0);
        assert_eq!(r["groups"]["globex"]["error_rate"], 0.01);
        assert_eq!(lines.line("/requests/groups/globex"), Some(4));
        assert_eq!(lines.line("/requests"), Some(2));
    }

    #[test]
    fn latency_quantiles_overall_and_by_tenant() {
        let (v, lines) = facts(TEXT, &default_selection());
        let l = &v["latency"];
        assert_eq!(l["metric"], "http_request_duration_seconds");
        assert_eq!(l["count"], 1100.0);
        // Overall buckets: 0.1 → 800, 0.5 → 1040, +Inf → 1100. Rank 1045 for p95 is in +Inf.
        assert_eq!(l["p95"], 0.5);
        assert_eq!(l["p95_ms"], 500.0);
        // p50: rank 550 within (0, 0.1]: 0.1 * 550/800.
        assert_eq!(l["p50_ms"], 68.75);
        // acme p95: rank 950 within (0.1, 0.5]: 0.1 + 0.4 * 150/190.
        let acme = l["groups"]["acme"]["p95"].as_f64().unwrap();
        assert!((acme - (0.1 + 0.4 * 150.0 / 190.0)).abs() < 1e-12);
        assert_eq!(lines.line("/latency/groups/globex"), Some(12));
        assert_eq!(
            v["histograms"]["http_request_duration_seconds"]["series"],
            2
        );
    }

    #[test]
    fn configured_metrics_and_error_pattern() {
        let s = Selection::new(
            Some("http_requests_total".into()),
            Some("code".into()),
            Some("503"),
            None,
            Some("code".into()),
        )
        .unwrap();
        let (v, _) = facts(TEXT, &s);
        assert_eq!(v["requests"]["errors"], 10.0);
        assert_eq!(v["requests"]["error_pattern"], "503");
        assert_eq!(v["requests"]["groups"]["503"]["availability"], 0.0);
        let missing = Selection::new(
            Some("nope_total".into()),
            None,
            None,
            Some("nope".into()),
            None,
        )
        .unwrap();
        let (v, _) = facts(TEXT, &missing);
        assert_eq!(v["requests"], Value::Null);
        assert_eq!(v["latency"], Value::Null);
    }
}
