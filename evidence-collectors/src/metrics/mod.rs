//! The metrics collector: service-level facts (availability, error rate, latency p50 / p95 /
//! p99, broken down by a label such as `tenant`) from Prometheus exposition files, live
//! `/metrics` endpoints and a Prometheus server's HTTP API, one [`Document`] of kind `metrics`
//! per source.
//!
//! **Convention**: exposition files named `*.prom`, `*.prom.txt`, `*.om`, `*.om.txt`,
//! `*.openmetrics` (OpenMetrics when the text ends with `# EOF`). **Configured**:
//! `collectors: {metrics: {files, endpoints, requests, error_label, error_pattern, latency,
//! by, timeout_seconds, prometheus: {url, window, queries: {NAME: {query, range, step}}}}}`.
//!
//! The data of every document: `source` (`kind`: file / endpoint / prometheus, and where),
//! `families`, `samples`, `types`, `requests` (metric, total, errors, error_rate,
//! availability in percent, `groups` by the breakdown label), `latency` (metric, count,
//! p50 / p95 / p99 in the histogram's unit and `_ms`, `groups`), `histograms` (quantiles of
//! every histogram family). Files carry the line of the samples behind each fact; the
//! Prometheus document also holds `queries` (each named query's series, with min / max / avg /
//! last for range queries) and the PromQL it ran for the service facts, computed over `window`
//! (default 30 days) with this collector's own histogram math on the summed buckets.

mod exposition;
mod facts;
mod http;
mod prometheus;
mod quantile;
mod settings;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::collector::{settings_error, Collection, Collector, Scope, SkippedFile, SourceError};
use crate::document::{Document, EvidenceKind, Format};
use crate::lines::{LineMap, Position};

use exposition::{parse, Exposition, Family, MetricType, Sample};
use facts::Selection;
use prometheus::Client;
use settings::{duration_seconds, Breakdown, PrometheusSettings, QuerySettings, Settings};

/// Collects service metrics.
pub struct MetricsCollector;

/// Why configured endpoints and Prometheus servers are not contacted: only the person running
/// assay may allow network access, never the repository being scanned.
pub const NETWORK_OFF: &str =
    "not fetched: network access is off (pass --allow-network or set ASSAY_ALLOW_NETWORK=1)";

impl Collector for MetricsCollector {
    fn kind(&self) -> EvidenceKind {
        EvidenceKind::Metrics
    }

    fn collect(&self, scope: &Scope) -> Result<Collection, SourceError> {
        let mut collection = Collection::default();
        let settings: Settings = match scope.settings(EvidenceKind::Metrics) {
            Ok(s) => s,
            Err(e) => return Ok(Collection::failed(e)),
        };
        let by = match settings.by.clone().map(Breakdown::labels).transpose() {
            Ok(by) => by,
            Err(m) => {
                collection.errors.push(settings_error(
                    EvidenceKind::Metrics,
                    format!("collectors.metrics.by: {m}"),
                ));
                return Ok(collection);
            }
        };
        let selection = match Selection::new(
            settings.requests.clone(),
            settings.error_label.clone(),
            settings.error_pattern.as_deref(),
            settings.latency.clone(),
            by,
        ) {
            Ok(s) => s,
            Err(e) => {
                collection.errors.push(settings_error(
                    EvidenceKind::Metrics,
                    format!("collectors.metrics.error_pattern: {e}"),
                ));
                return Ok(collection);
            }
        };
        let globs = match file_globs(settings.files.as_deref()) {
            Ok(g) => g,
            Err(m) => {
                collection.errors.push(settings_error(
                    EvidenceKind::Metrics,
                    format!("collectors.metrics.files: {m}"),
                ));
                return Ok(collection);
            }
        };
        if scope.root.is_dir() {
            let paths = scope.files(&|p| scope.admits(p) && globs.is_match(p));
            let found: Vec<Collection> = paths
                .par_iter()
                .map(|p| collect_file(scope, p, &selection))
                .collect();
            for c in found {
                collection.extend(c);
            }
        }
        let timeout = Duration::from_secs(settings.timeout_seconds.unwrap_or(10));
        if !scope.allow_network {
            let urls = settings.endpoints.iter();
            let server = settings.prometheus.iter().map(|p| &p.url);
            collection
                .skipped
                .extend(urls.chain(server).map(|url| SkippedFile {
                    path: url.clone(),
                    reason: NETWORK_OFF.into(),
                }));
            collection.sort();
            return Ok(collection);
        }
        for url in &settings.endpoints {
            match scrape(url, &selection, timeout) {
                Ok(doc) => collection.documents.push(doc),
                Err(e) => collection.errors.push(e),
            }
        }
        if let Some(p) = &settings.prometheus {
            let now = scope
                .now
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            let (doc, errors) = query_prometheus(p, &selection, now, timeout);
            collection.documents.extend(doc);
            collection.errors.extend(errors);
        }
        collection.sort();
        Ok(collection)
    }
}

/// Whether `text` is a Prometheus duration (`5m`, `1h30m`).
pub fn is_duration(text: &str) -> bool {
    duration_seconds(text).is_ok()
}

fn file_globs(files: Option<&[String]>) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    let defaults: Vec<String> = settings::DEFAULT_FILES
        .iter()
        .map(|s| s.to_string())
        .collect();
    for g in files.unwrap_or(&defaults) {
        builder.add(Glob::new(g).map_err(|e| format!("invalid glob `{g}`: {}", e.kind()))?);
    }
    builder.build().map_err(|e| e.to_string())
}

fn document(path: String, format: Format, data: Value, lines: LineMap, raw: &[u8]) -> Document {
    Document {
        kind: EvidenceKind::Metrics,
        format,
        path: Arc::from(path),
        index: 0,
        data,
        lines,
        digest: Arc::from(hex::encode(Sha256::digest(raw))),
        suppressions: Arc::default(),
    }
}

/// Parses exposition text and derives the facts; `source` describes where it came from.
fn facts_of(
    text: &str,
    openmetrics: bool,
    selection: &Selection,
    source: Value,
) -> Result<(Value, LineMap), crate::formats::ParseError> {
    let parsed = parse(text, openmetrics)?;
    let window = facts::exposition_window(&parsed, openmetrics);
    let (mut data, mut lines) = facts::derive(&parsed, selection, window);
    data["source"] = source;
    data["format"] = json!(if openmetrics {
        "openmetrics"
    } else {
        "prometheus"
    });
    lines.insert(String::new(), Position::new(1, 1));
    Ok((data, lines))
}

fn collect_file(scope: &Scope, path: &str, selection: &Selection) -> Collection {
    let mut c = Collection::default();
    let bytes = match scope.read(path) {
        Ok(bytes) => bytes,
        Err(reason) => return Collection::unread(path, reason),
    };
    let text = String::from_utf8_lossy(&bytes);
    let openmetrics = exposition::looks_like_openmetrics(&text);
    match facts_of(
        &text,
        openmetrics,
        selection,
        json!({"kind": "file", "path": path}),
    ) {
        Ok((data, lines)) => {
            let format = if openmetrics {
                Format::OpenMetrics
            } else {
                Format::Prometheus
            };
            c.documents
                .push(document(path.to_string(), format, data, lines, &bytes));
        }
        Err(e) => c.errors.push(SourceError {
            path: path.to_string(),
            position: Some(e.position),
            message: format!(
                "invalid {} exposition: {}",
                if openmetrics {
                    "OpenMetrics"
                } else {
                    "Prometheus"
                },
                e.message
            ),
            hint: Some("fix the line, or exclude the file from `collectors.metrics.files`".into()),
        }),
    }
    c
}

/// Scrapes a `/metrics` endpoint.
fn scrape(url: &str, selection: &Selection, timeout: Duration) -> Result<Document, SourceError> {
    let error = |message: String| SourceError {
        path: url.to_string(),
        position: None,
        message,
        hint: Some("check that the endpoint is up and reachable from here".into()),
    };
    let response = http::get(url, "text/plain;version=0.0.4", timeout).map_err(error)?;
    if response.status != 200 {
        return Err(error(format!("HTTP {} from the endpoint", response.status)));
    }
    let openmetrics = response
        .header("content-type")
        .is_some_and(|t| t.contains("openmetrics"));
    let text = String::from_utf8_lossy(&response.body);
    let (data, lines) = facts_of(
        &text,
        openmetrics,
        selection,
        json!({"kind": "endpoint", "url": url}),
    )
    .map_err(|e| SourceError {
        path: url.to_string(),
        position: Some(e.position),
        message: format!("invalid exposition: {}", e.message),
        hint: None,
    })?;
    let format = if openmetrics {
        Format::OpenMetrics
    } else {
        Format::Prometheus
    };
    Ok(document(
        url.to_string(),
        format,
        data,
        lines,
        &response.body,
    ))
}

/// Turns query results into samples named `name`, so that the facts are computed by the same
/// code as for files.
fn family(
    name: &str,
    sample_name: &str,
    kind: MetricType,
    series: &[prometheus::Series],
) -> Family {
    Family {
        name: name.to_string(),
        kind,
        help: None,
        unit: None,
        samples: series
            .iter()
            .filter_map(|s| {
                let (_, value) = *s.points.last()?;
                Some(Sample {
                    name: sample_name.to_string(),
                    labels: s
                        .labels
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    value,
                    timestamp: None,
                    line: 0,
                })
            })
            .collect(),
    }
}

/// Queries a Prometheus server: the service facts over the window, then the named queries.
fn query_prometheus(
    p: &PrometheusSettings,
    selection: &Selection,
    now: f64,
    timeout: Duration,
) -> (Option<Document>, Vec<SourceError>) {
    let mut errors = Vec::new();
    let error = |message: String| SourceError {
        path: p.url.clone(),
        position: None,
        message,
        hint: Some("check `collectors.metrics.prometheus` and that the server is reachable".into()),
    };
    let window = p.window.clone().unwrap_or_else(|| "30d".to_string());
    let seconds = match duration_seconds(&window) {
        Ok(seconds) => seconds,
        Err(m) => {
            return (
                None,
                vec![settings_error(
                    EvidenceKind::Metrics,
                    format!("collectors.metrics.prometheus.window: {m}"),
                )],
            )
        }
    };
    let client = Client::new(&p.url, timeout);
    if let Err(m) = client.ready() {
        return (None, vec![error(m)]);
    }
    let by: String = selection.by.iter().map(|l| format!(", {l}")).collect();
    let requests = selection
        .requests
        .as_deref()
        .unwrap_or("http_requests_total");
    let status = selection.error_label.as_deref().unwrap_or("code");
    let latency = selection
        .latency
        .as_deref()
        .unwrap_or("http_request_duration_seconds");
    let requests_query = format!("sum by ({status}{by}) (increase({requests}[{window}]))");
    let latency_query = format!("sum by (le{by}) (increase({latency}_bucket[{window}]))");
    let mut raw = Vec::new();
    let mut families = Vec::new();
    for (query, name, sample, kind) in [
        (&requests_query, requests, requests, MetricType::Counter),
        (
            &latency_query,
            latency,
            &*format!("{latency}_bucket"),
            MetricType::Histogram,
        ),
    ] {
        match client.instant(query, now) {
            Ok(answer) => {
                raw.extend_from_slice(&answer.body);
                families.push(family(name, sample, kind, &answer.series));
            }
            Err(m) => errors.push(error(format!("`{query}`: {m}"))),
        }
    }
    let exposition = Exposition { families };
    let (mut data, _) = facts::derive(&exposition, selection, Some(seconds));
    let mut queries = Map::new();
    for (name, q) in &p.queries {
        let result = run_query(&client, q, now, &mut raw);
        if let Err(m) = &result {
            errors.push(error(format!("query `{name}`: {m}")));
        }
        queries.insert(
            name.clone(),
            result.unwrap_or_else(|m| json!({"query": q.query, "error": m})),
        );
    }
    data["source"] = json!({
        "kind": "prometheus",
        "url": p.url,
        "window": window,
        "time": jiff::Timestamp::from_second(now as i64).map(|t| t.to_string()).unwrap_or_default(),
        "service_queries": {"requests": requests_query, "latency": latency_query},
    });
    data["format"] = json!("prometheus_api");
    data["queries"] = Value::Object(queries);
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    (
        Some(document(p.url.clone(), Format::Json, data, lines, &raw)),
        errors,
    )
}

fn series_json(s: &prometheus::Series, range: bool) -> Value {
    let labels: BTreeMap<&str, &str> = s
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let value = |v: f64| serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
    if !range {
        return json!({"labels": labels, "value": s.points.first().map(|p| value(p.1))});
    }
    let finite: Vec<f64> = s
        .points
        .iter()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .collect();
    let stat = |f: fn(f64, f64) -> f64| finite.iter().copied().reduce(f).map(value);
    json!({
        "labels": labels,
        "points": s.points.len(),
        "min": stat(f64::min),
        "max": stat(f64::max),
        "avg": (!finite.is_empty()).then(|| value(finite.iter().sum::<f64>() / finite.len() as f64)),
        "last": s.points.last().map(|p| value(p.1)),
    })
}

fn run_query(
    client: &Client,
    q: &QuerySettings,
    now: f64,
    raw: &mut Vec<u8>,
) -> Result<Value, String> {
    let answer = match &q.range {
        None => client.instant(&q.query, now)?,
        Some(range) => {
            let span = duration_seconds(range)?;
            let step = match &q.step {
                Some(step) => duration_seconds(step)?,
                None => (span / 250.0).max(1.0).round(),
            };
            client.range(&q.query, now - span, now, step)?
        }
    };
    raw.extend_from_slice(&answer.body);
    let range = q.range.is_some();
    Ok(json!({
        "query": q.query,
        "type": if range { "range" } else { "instant" },
        "range": q.range,
        "step": q.step,
        "result_type": answer.result_type,
        "series": answer.series.iter().map(|s| series_json(s, range)).collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
mod tests;
