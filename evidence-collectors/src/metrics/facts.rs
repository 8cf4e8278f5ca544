//! Service-level facts from metric samples: request totals, errors, error rate and availability
//! from a request counter; latency quantiles (p50, p95, p99) from a request-duration histogram;
//! with throughput when the window the counters cover is known; all of them in aggregate and
//! for every group of the breakdown labels (such as `service` and `tenant`) in `slo`; and
//! quantiles for every histogram family.

use std::collections::{BTreeMap, BTreeSet};

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
/// The labels a breakdown uses when none are configured, each when the samples carry it.
pub const DEFAULT_BREAKDOWN: [&str; 2] = ["service", "tenant"];
/// The gauge holding the process start, the beginning of the window of an exposition's counters.
const PROCESS_START: &str = "process_start_time_seconds";

/// Which metrics the facts come from.
#[derive(Debug, Clone)]
pub struct Selection {
    pub requests: Option<String>,
    pub error_label: Option<String>,
    /// Matches a whole status value that counts as an error.
    pub error_pattern: Regex,
    pub latency: Option<String>,
    /// The labels facts are broken down by, each used when the samples carry it.
    pub by: Vec<String>,
}

impl Selection {
    /// The selection with `error_pattern` (anchored) compiled.
    pub fn new(
        requests: Option<String>,
        error_label: Option<String>,
        error_pattern: Option<&str>,
        latency: Option<String>,
        by: Option<Vec<String>>,
    ) -> Result<Selection, regex::Error> {
        let pattern = format!("^(?:{})$", error_pattern.unwrap_or("5.."));
        Ok(Selection {
            requests,
            error_label,
            error_pattern: Regex::new(&pattern)?,
            latency,
            by: by.unwrap_or_else(|| DEFAULT_BREAKDOWN.map(String::from).to_vec()),
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

/// The facts of `e`, with the line of the first sample behind each; `window` is the number of
/// seconds its counters cover, when known.
pub fn derive(e: &Exposition, s: &Selection, window: Option<f64>) -> (Value, LineMap) {
    let mut lines = LineMap::new();
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &e.families {
        *types.entry(f.kind.as_str()).or_default() += 1;
    }
    let mut out = Map::new();
    out.insert("families".into(), json!(e.families.len()));
    out.insert("samples".into(), json!(e.samples()));
    out.insert("types".into(), json!(types));
    let (requests, tallies) = requests(e, s, &mut lines);
    let (latency, buckets, unit) = latency(e, s, &mut lines);
    let breakdown: BTreeSet<&str> = tallies
        .keys()
        .chain(buckets.keys())
        .flatten()
        .map(|(label, _)| label.as_str())
        .collect();
    out.insert("requests".into(), requests);
    out.insert("latency".into(), latency);
    out.insert("window_seconds".into(), window.map_or(Value::Null, float));
    out.insert("breakdown".into(), json!(breakdown));
    let groups = slo(&tallies, &buckets, unit, window, &mut lines);
    out.insert("slo".into(), groups);
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

/// The seconds the counters of an exposition cover: from the process start
/// (`process_start_time_seconds`) to the latest sample timestamp (milliseconds in the text
/// format, seconds in OpenMetrics); unknown unless the text carries both.
pub fn exposition_window(e: &Exposition, openmetrics: bool) -> Option<f64> {
    let start = samples_named(e, PROCESS_START)
        .iter()
        .map(|x| x.value)
        .filter(|v| v.is_finite())
        .reduce(f64::min)?;
    let scale = if openmetrics { 1.0 } else { 0.001 };
    let end = e
        .families
        .iter()
        .flat_map(|f| &f.samples)
        .filter_map(|x| x.timestamp)
        .map(|t| t * scale)
        .filter(|t| t.is_finite())
        .reduce(f64::max)?;
    (end > start).then_some(end - start)
}

/// A group of samples: the breakdown labels and values they share; empty for the aggregate.
type GroupKey = Vec<(String, String)>;

/// The breakdown labels some of `samples` carry, in the configured order.
fn breakdown<'s>(s: &'s Selection, samples: &[&Sample]) -> Vec<&'s str> {
    s.by.iter()
        .map(String::as_str)
        .filter(|l| samples.iter().any(|x| x.label(l).is_some()))
        .collect()
}

/// The groups a sample counts in: the aggregate, one group per breakdown label it carries,
/// and the combination of all of them when there are several. A sample without a breakdown
/// label counts in the aggregate only.
fn groups_of(x: &Sample, by: &[&str]) -> Vec<GroupKey> {
    let pairs: GroupKey = by
        .iter()
        .filter_map(|l| x.label(l).map(|v| (l.to_string(), v.to_string())))
        .collect();
    let mut out = vec![Vec::new()];
    out.extend(pairs.iter().map(|p| vec![p.clone()]));
    if pairs.len() > 1 && pairs.len() == by.len() {
        out.push(pairs);
    }
    out
}

/// A group's name: `all`, `tenant=acme`, `service=api,tenant=acme`.
fn group_name(key: &GroupKey) -> String {
    if key.is_empty() {
        return "all".into();
    }
    let pairs: Vec<String> = key.iter().map(|(l, v)| format!("{l}={v}")).collect();
    pairs.join(",")
}

/// One entry per group, the aggregate first: the request facts, throughput (requests per
/// second over `window`) and the latency quantiles of the samples in the group.
fn slo(
    tallies: &BTreeMap<GroupKey, Tally>,
    buckets: &BTreeMap<GroupKey, Buckets>,
    unit: Option<f64>,
    window: Option<f64>,
    lines: &mut LineMap,
) -> Value {
    let keys: BTreeSet<&GroupKey> = tallies.keys().chain(buckets.keys()).collect();
    let mut out = Vec::new();
    for (i, key) in keys.into_iter().enumerate() {
        let mut group = Map::new();
        group.insert("group".into(), json!(group_name(key)));
        let labels: BTreeMap<&str, &str> =
            key.iter().map(|(l, v)| (l.as_str(), v.as_str())).collect();
        group.insert("labels".into(), json!(labels));
        let tally = tallies.get(key);
        if let Some(Value::Object(fields)) = tally.map(Tally::json) {
            group.extend(fields);
        }
        let throughput = tally.zip(window).map(|(t, w)| float(round(t.total / w, 6)));
        group.insert("throughput_rps".into(), throughput.unwrap_or(Value::Null));
        let latency = buckets.get(key);
        group.insert(
            "latency".into(),
            latency.map_or(Value::Null, |b| b.json(unit)),
        );
        let line = [tally.map(|t| t.line), latency.map(|b| b.line)]
            .into_iter()
            .flatten()
            .filter(|l| *l > 0)
            .min()
            .unwrap_or(1);
        mark(lines, &format!("/slo/{i}"), line);
        out.push(Value::Object(group));
    }
    Value::Array(out)
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
            "error_percent": float(round(rate * 100.0, 6)),
            "availability": float(round((1.0 - rate) * 100.0, 6)),
        })
    }
}

/// The request facts in aggregate, and the tally of every group.
fn requests(
    e: &Exposition,
    s: &Selection,
    lines: &mut LineMap,
) -> (Value, BTreeMap<GroupKey, Tally>) {
    let candidates: Vec<&str> = match &s.requests {
        Some(name) => vec![name.as_str()],
        None => REQUEST_COUNTERS.to_vec(),
    };
    let Some((metric, samples)) = candidates
        .iter()
        .map(|m| (*m, samples_named(e, m)))
        .find(|(_, found)| !found.is_empty())
    else {
        return (Value::Null, BTreeMap::new());
    };
    let status = s.error_label.as_deref().or_else(|| {
        STATUS_LABELS
            .into_iter()
            .find(|l| samples.iter().any(|x| x.label(l).is_some()))
    });
    let by = breakdown(s, &samples);
    let mut groups: BTreeMap<GroupKey, Tally> = BTreeMap::new();
    for x in &samples {
        let error = status
            .and_then(|l| x.label(l))
            .is_some_and(|v| s.error_pattern.is_match(v));
        for key in groups_of(x, &by) {
            let t = groups.entry(key).or_insert_with(|| Tally {
                line: x.line,
                ..Tally::default()
            });
            t.total += x.value;
            if error {
                t.errors += x.value;
            }
        }
    }
    let all = &groups[&GroupKey::new()];
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
    (value, groups)
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

/// The latency facts in aggregate, the buckets of every group, and the milliseconds per unit
/// of the histogram when its name tells the unit.
fn latency(
    e: &Exposition,
    s: &Selection,
    lines: &mut LineMap,
) -> (Value, BTreeMap<GroupKey, Buckets>, Option<f64>) {
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
        return (Value::Null, BTreeMap::new(), None);
    };
    let by = breakdown(s, samples);
    let mut groups: BTreeMap<GroupKey, Buckets> = BTreeMap::new();
    for x in samples {
        for key in groups_of(x, &by) {
            groups.entry(key).or_default().add(x, name);
        }
    }
    let all = groups.entry(GroupKey::new()).or_default();
    let unit = ms_per_unit(name);
    mark(lines, "/latency", all.line);
    let mut value = all.json(unit);
    let fields = value.as_object_mut().expect("bucket JSON is an object");
    fields.insert("metric".into(), json!(name));
    fields.insert(
        "unit".into(),
        json!(unit.map(|u| if u == 1.0 { "milliseconds" } else { "seconds" })),
    );
    (value, groups, unit)
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
        derive(&parse(text, false).unwrap(), s, None)
    }

    fn default_selection() -> Selection {
        Selection::new(None, None, None, None, None).unwrap()
    }

    /// The `slo` entry of the group named `name`, and its index.
    fn group<'v>(v: &'v Value, name: &str) -> (usize, &'v Value) {
        v["slo"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .find(|(_, g)| g["group"] == name)
            .unwrap_or_else(|| panic!("no group {name} in {}", v["slo"]))
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
        assert_eq!(v["breakdown"], json!(["tenant"]));
        let names: Vec<&Value> = v["slo"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| &g["group"])
            .collect();
        assert_eq!(names, ["all", "tenant=acme", "tenant=globex"]);
        assert_eq!(group(&v, "all").1["availability"], 99.818182);
        assert_eq!(group(&v, "tenant=acme").1["availability"], 99.9);
        let (i, globex) = group(&v, "tenant=globex");
        assert_eq!(globex["availability"], 99.0);
        assert_eq!(globex["error_rate"], 0.01);
        assert_eq!(globex["labels"], json!({"tenant": "globex"}));
        assert_eq!(globex["throughput_rps"], Value::Null);
        assert_eq!(lines.line(&format!("/slo/{i}")), Some(4));
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
        let all = &group(&v, "all").1["latency"];
        assert_eq!(all["p95_ms"], 500.0);
        assert_eq!(all["p99_ms"], l["p99_ms"]);
        // acme p95: rank 950 within (0.1, 0.5]: 0.1 + 0.4 * 150/190.
        let acme = group(&v, "tenant=acme").1["latency"]["p95"]
            .as_f64()
            .unwrap();
        assert!((acme - (0.1 + 0.4 * 150.0 / 190.0)).abs() < 1e-12);
        // The globex group starts at its first request counter (line 4), before its buckets.
        let (i, _) = group(&v, "tenant=globex");
        assert_eq!(lines.line(&format!("/slo/{i}")), Some(4));
        assert_eq!(
            v["histograms"]["http_request_duration_seconds"]["series"],
            2
        );
    }

    /// Samples without a breakdown label count in the aggregate only: no group is made up for
    /// them, and a service and tenant breakdown adds their combination.
    #[test]
    fn groups_by_service_and_tenant_and_aggregate_only_without_labels() {
        let bare = "# TYPE http_requests_total counter
http_requests_total{code=\"200\"} 999
http_requests_total{code=\"500\"} 1
";
        let (v, _) = facts(bare, &default_selection());
        assert_eq!(v["breakdown"], json!([]));
        assert_eq!(v["slo"].as_array().unwrap().len(), 1);
        assert_eq!(v["slo"][0]["group"], "all");
        assert_eq!(v["slo"][0]["availability"], 99.9);
        let both = "# TYPE http_requests_total counter
http_requests_total{service=\"api\",tenant=\"acme\",code=\"200\"} 90
http_requests_total{service=\"api\",tenant=\"acme\",code=\"500\"} 10
http_requests_total{service=\"web\",tenant=\"acme\",code=\"200\"} 100
http_requests_total{service=\"web\",code=\"200\"} 100
";
        let (v, lines) = facts(both, &default_selection());
        assert_eq!(v["breakdown"], json!(["service", "tenant"]));
        let names: Vec<&str> = v["slo"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["group"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "all",
                "service=api",
                "service=api,tenant=acme",
                "service=web",
                "service=web,tenant=acme",
                "tenant=acme"
            ]
        );
        assert_eq!(group(&v, "service=web").1["total"], 200.0);
        assert_eq!(group(&v, "tenant=acme").1["availability"], 95.0);
        assert_eq!(group(&v, "service=api,tenant=acme").1["availability"], 90.0);
        let (i, _) = group(&v, "service=web");
        assert_eq!(lines.line(&format!("/slo/{i}")), Some(4));
    }

    /// Throughput needs the window: from the process start to the samples' timestamps in an
    /// exposition, or the query window of a Prometheus server.
    #[test]
    fn throughput_over_the_window() {
        let text = "# TYPE process_start_time_seconds gauge
process_start_time_seconds 1700000000
# TYPE http_requests_total counter
http_requests_total{tenant=\"acme\",code=\"200\"} 36000 1700003600000
http_requests_total{tenant=\"globex\",code=\"200\"} 3600 1700003600000
";
        let parsed = parse(text, false).unwrap();
        let window = exposition_window(&parsed, false);
        assert_eq!(window, Some(3600.0));
        let (v, _) = derive(&parsed, &default_selection(), window);
        assert_eq!(v["window_seconds"], 3600.0);
        assert_eq!(group(&v, "all").1["throughput_rps"], 11.0);
        assert_eq!(group(&v, "tenant=globex").1["throughput_rps"], 1.0);
        // Without timestamps the window is unknown.
        let undated = parse(&text.replace(" 1700003600000", ""), false).unwrap();
        assert_eq!(exposition_window(&undated, false), None);
    }

    #[test]
    fn configured_metrics_and_error_pattern() {
        let s = Selection::new(
            Some("http_requests_total".into()),
            Some("code".into()),
            Some("503"),
            None,
            Some(vec!["code".into()]),
        )
        .unwrap();
        let (v, _) = facts(TEXT, &s);
        assert_eq!(v["requests"]["errors"], 10.0);
        assert_eq!(v["requests"]["error_pattern"], "503");
        assert_eq!(group(&v, "code=503").1["availability"], 0.0);
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
        assert_eq!(v["slo"], json!([]));
    }
}
