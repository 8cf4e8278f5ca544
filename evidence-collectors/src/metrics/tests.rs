//! The metrics collector over files, a loopback `/metrics` endpoint and, when it is installed,
//! a real Prometheus server fed with backfilled data.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::{MetricsCollector, NETWORK_OFF};
use crate::collector::{Collector, Scope};

const EXPOSITION: &str = "# HELP http_requests_total Requests.
# TYPE http_requests_total counter
http_requests_total{tenant=\"acme\",code=\"200\"} 99990
http_requests_total{tenant=\"acme\",code=\"500\"} 10
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{tenant=\"acme\",le=\"0.1\"} 90000
http_request_duration_seconds_bucket{tenant=\"acme\",le=\"0.5\"} 99000
http_request_duration_seconds_bucket{tenant=\"acme\",le=\"+Inf\"} 100000
http_request_duration_seconds_sum{tenant=\"acme\"} 8000
http_request_duration_seconds_count{tenant=\"acme\"} 100000
";

/// A scope of `root` with network access allowed, as `--allow-network` gives it.
fn scope(root: &Path, settings: Option<Value>) -> Scope {
    let mut scope = Scope::new(root);
    scope.allow_network = true;
    if let Some(s) = settings {
        scope.settings.insert("metrics".into(), s);
    }
    scope
}

#[test]
fn files_found_by_convention_with_lines_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("slo")).unwrap();
    std::fs::write(dir.path().join("slo/api.prom"), EXPOSITION).unwrap();
    std::fs::write(
        dir.path().join("slo/broken.om.txt"),
        "x 1\ny{a=1} 2\n# EOF\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("slo/notes.txt"), "not metrics").unwrap();
    let c = MetricsCollector.collect(&scope(dir.path(), None)).unwrap();
    assert_eq!(c.documents.len(), 1);
    let doc = &c.documents[0];
    assert_eq!(doc.path.as_ref(), "slo/api.prom");
    assert_eq!(doc.data["format"], "prometheus");
    assert_eq!(
        doc.data["source"],
        json!({"kind": "file", "path": "slo/api.prom"})
    );
    assert_eq!(doc.data["requests"]["availability"], 99.99);
    // Rank 95000 within (0.1, 0.5]: 0.1 + 0.4 * 5000 / 9000 seconds.
    assert_eq!(doc.data["latency"]["p95_ms"], 322.222222);
    assert_eq!(doc.data["slo"][1]["group"], "tenant=acme");
    assert_eq!(doc.line("/slo/1"), 3);
    assert_eq!(doc.line("/latency"), 6);
    assert_eq!(
        doc.digest.as_ref(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            EXPOSITION.as_bytes()
        ))
    );
    assert_eq!(c.errors.len(), 1);
    assert_eq!(c.errors[0].path, "slo/broken.om.txt");
    assert_eq!(
        c.errors[0].position.map(|p| (p.line, p.column)),
        Some((2, 5))
    );
    assert!(c.errors[0]
        .message
        .starts_with("invalid OpenMetrics exposition"));
}

#[test]
fn scrapes_a_loopback_endpoint() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/metrics", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut request = [0u8; 2048];
        let _ = conn.read(&mut request).unwrap();
        let reply = format!(
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n\r\n{EXPOSITION}"
        );
        conn.write_all(reply.as_bytes()).unwrap();
    });
    let dir = tempfile::tempdir().unwrap();
    let c = MetricsCollector
        .collect(&scope(
            dir.path(),
            Some(json!({"endpoints": [url], "files": []})),
        ))
        .unwrap();
    server.join().unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.documents[0].path.as_ref(), url);
    assert_eq!(c.documents[0].data["source"]["kind"], "endpoint");
    assert_eq!(c.documents[0].data["requests"]["errors"], 10.0);
    // A dead endpoint is an error, not an abort.
    let c = MetricsCollector
        .collect(&scope(
            dir.path(),
            Some(json!({"endpoints": [url], "timeout_seconds": 2})),
        ))
        .unwrap();
    assert!(c.documents.is_empty());
    assert!(
        c.errors[0].message.contains("cannot connect"),
        "{:?}",
        c.errors
    );
}

#[test]
fn nothing_is_fetched_unless_the_network_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let mut scope = scope(
        dir.path(),
        Some(
            json!({"endpoints": ["http://127.0.0.1:1/metrics"], "prometheus": {"url": "http://127.0.0.1:1"}}),
        ),
    );
    scope.allow_network = false;
    let c = MetricsCollector.collect(&scope).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert!(c.documents.is_empty());
    let skipped: Vec<(&str, &str)> = c
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("http://127.0.0.1:1", NETWORK_OFF),
            ("http://127.0.0.1:1/metrics", NETWORK_OFF)
        ]
    );
}

#[test]
fn bad_settings_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let c = MetricsCollector
        .collect(&scope(dir.path(), Some(json!({"error_pattern": "5(("}))))
        .unwrap();
    assert!(c.errors[0]
        .message
        .starts_with("collectors.metrics.error_pattern"));
    let c = MetricsCollector
        .collect(&scope(
            dir.path(),
            Some(json!({"by": ["tenant", "a) or vector(1"]})),
        ))
        .unwrap();
    assert!(
        c.errors[0]
            .message
            .contains("`a) or vector(1` is not a label name"),
        "{:?}",
        c.errors
    );
    let c = MetricsCollector
        .collect(&scope(
            dir.path(),
            Some(json!({"prometheus": {"url": "http://127.0.0.1:1", "window": "a month"}})),
        ))
        .unwrap();
    assert!(
        c.errors[0].message.contains("invalid duration `a month`"),
        "{:?}",
        c.errors
    );
}

/// A Prometheus server started for one test, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn installed(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Upper bounds of the test histogram.
const BOUNDS: [f64; 5] = [0.05, 0.1, 0.25, 0.5, 1.0];

/// OpenMetrics samples for the last two hours, one point a minute: per minute and tenant, 100
/// requests (1 or 5 failing) whose durations fill the buckets in fixed proportions.
fn backfill_text(now: i64) -> String {
    let tenants = [
        ("acme", [60, 80, 95, 99, 100], 1),
        ("globex", [10, 20, 50, 90, 98], 5),
    ];
    let mut out = String::from("# TYPE http_request_duration_seconds histogram\n");
    let minutes: Vec<i64> = (1..=120).rev().map(|m| now - m * 60).collect();
    for (i, t) in minutes.iter().enumerate() {
        let n = i as u64 + 1;
        for (tenant, cumulative, _) in &tenants {
            for (le, c) in BOUNDS.iter().zip(cumulative) {
                out.push_str(&format!(
                    "http_request_duration_seconds_bucket{{tenant=\"{tenant}\",le=\"{le}\"}} {} {t}\n",
                    c * n
                ));
            }
            out.push_str(&format!(
                "http_request_duration_seconds_bucket{{tenant=\"{tenant}\",le=\"+Inf\"}} {} {t}\n",
                100 * n
            ));
            out.push_str(&format!(
                "http_request_duration_seconds_count{{tenant=\"{tenant}\"}} {} {t}\n",
                100 * n
            ));
            out.push_str(&format!(
                "http_request_duration_seconds_sum{{tenant=\"{tenant}\"}} {} {t}\n",
                20 * n
            ));
        }
    }
    out.push_str("# TYPE http_requests counter\n");
    for (i, t) in minutes.iter().enumerate() {
        let n = i as u64 + 1;
        for (tenant, _, failing) in &tenants {
            out.push_str(&format!(
                "http_requests_total{{tenant=\"{tenant}\",code=\"200\"}} {} {t}\n",
                (100 - failing) * n
            ));
            out.push_str(&format!(
                "http_requests_total{{tenant=\"{tenant}\",code=\"500\"}} {} {t}\n",
                failing * n
            ));
        }
    }
    out.push_str("# EOF\n");
    out
}

#[test]
fn a_real_prometheus_server_agrees_on_p95() {
    if !installed("prometheus") || !installed("promtool") {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "prometheus and promtool are needed under CI"
        );
        eprintln!(
            "skipped: prometheus and promtool are not installed (Debian package `prometheus`)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let input = dir.path().join("samples.om");
    std::fs::write(&input, backfill_text(now)).unwrap();
    let data = dir.path().join("data");
    let out = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 1m\n").unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let _server = Server(
        Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = super::Client::new(&url, Duration::from_secs(2));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while client.ready().is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "prometheus did not become ready"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let promql_p95 = "histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket[1h])))";
    let mut scope = scope(
        dir.path(),
        Some(json!({
            "files": [],
            "prometheus": {
                "url": url,
                "window": "1h",
                "queries": {
                    "p95": {"query": promql_p95},
                    "error_ratio": {
                        "query": "sum(rate(http_requests_total{code=~\"5..\"}[10m])) / sum(rate(http_requests_total[10m]))",
                        "range": "1h",
                        "step": "5m",
                    },
                },
            },
        })),
    );
    scope.now = UNIX_EPOCH + Duration::from_secs(now as u64);
    let c = MetricsCollector.collect(&scope).unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let doc = &c.documents[0];
    assert_eq!(doc.path.as_ref(), url);
    let data = &doc.data;
    let ours = data["latency"]["p95"]
        .as_f64()
        .expect("a p95 from our own math");
    let theirs = data["queries"]["p95"]["series"][0]["value"]
        .as_f64()
        .expect("a p95 from PromQL");
    // Within one bucket: no farther apart than the width of the bucket PromQL's answer is in.
    let upper = BOUNDS.iter().copied().find(|b| *b >= theirs).unwrap_or(1.0);
    let lower = BOUNDS.iter().copied().rfind(|b| *b < upper).unwrap_or(0.0);
    assert!(
        (ours - theirs).abs() <= upper - lower,
        "our p95 {ours} vs PromQL {theirs}"
    );
    eprintln!("p95: ours {ours}, PromQL {theirs}");
    // 6 failing of 200 requests a minute.
    let availability = data["requests"]["availability"].as_f64().unwrap();
    assert!((availability - 97.0).abs() < 1e-6, "{availability}");
    let group = |name: &str| {
        data["slo"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == name)
            .unwrap_or_else(|| panic!("no group {name}"))
    };
    assert_eq!(group("tenant=acme")["availability"], 99.0);
    assert!(
        group("tenant=globex")["latency"]["p95_ms"]
            .as_f64()
            .unwrap()
            > 500.0
    );
    // 100 requests a minute per tenant over the window of an hour.
    assert_eq!(data["window_seconds"], 3600.0);
    let throughput = group("all")["throughput_rps"].as_f64().unwrap();
    assert!((throughput - 200.0 / 60.0).abs() < 0.01, "{throughput}");
    let acme = group("tenant=acme")["throughput_rps"].as_f64().unwrap();
    assert!((acme - 100.0 / 60.0).abs() < 0.01, "{acme}");
    let range = &data["queries"]["error_ratio"];
    assert_eq!(range["type"], "range");
    assert!(range["series"][0]["points"].as_u64().unwrap() >= 10);
    assert!((range["series"][0]["last"].as_f64().unwrap() - 0.03).abs() < 1e-9);
}
