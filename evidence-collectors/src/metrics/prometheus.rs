//! The Prometheus HTTP API: instant queries (`/api/v1/query`) and range queries
//! (`/api/v1/query_range`), with results read into series of (time, value) points.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::exposition::number;
use super::http::{self, encode};

/// One series of a query result.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    /// (seconds since the epoch, value); one point for instant vectors and scalars.
    pub points: Vec<(f64, f64)>,
}

/// A query's answer and the raw body it came in.
#[derive(Debug, Clone)]
pub struct Answer {
    pub result_type: String,
    pub series: Vec<Series>,
    pub body: Vec<u8>,
}

/// A Prometheus server.
pub struct Client {
    base: String,
    timeout: Duration,
}

impl Client {
    pub fn new(url: &str, timeout: Duration) -> Client {
        Client {
            base: url.trim_end_matches('/').to_string(),
            timeout,
        }
    }

    /// Evaluates `query` at `time` (seconds since the epoch).
    pub fn instant(&self, query: &str, time: f64) -> Result<Answer, String> {
        self.call(&format!(
            "{}/api/v1/query?query={}&time={time:.3}",
            self.base,
            encode(query)
        ))
    }

    /// Evaluates `query` over [`start`, `end`] every `step` seconds.
    pub fn range(&self, query: &str, start: f64, end: f64, step: f64) -> Result<Answer, String> {
        self.call(&format!(
            "{}/api/v1/query_range?query={}&start={start:.3}&end={end:.3}&step={step}",
            self.base,
            encode(query)
        ))
    }

    /// Checks that the server answers and says it is ready (`/-/ready`).
    pub fn ready(&self) -> Result<(), String> {
        let r = http::get(&format!("{}/-/ready", self.base), "*/*", self.timeout)?;
        if r.status == 200 {
            Ok(())
        } else {
            Err(format!(
                "{}/-/ready answered HTTP {}: the server is not ready",
                self.base, r.status
            ))
        }
    }

    fn call(&self, url: &str) -> Result<Answer, String> {
        let response = http::get(url, "application/json", self.timeout)?;
        let parsed: Value = serde_json::from_slice(&response.body).map_err(|e| {
            format!(
                "HTTP {}: the answer is not JSON ({e}); is this a Prometheus server?",
                response.status
            )
        })?;
        if parsed["status"] != "success" {
            return Err(format!(
                "Prometheus answered {} ({}): {}",
                response.status,
                parsed["errorType"].as_str().unwrap_or("error"),
                parsed["error"].as_str().unwrap_or("no message")
            ));
        }
        let (result_type, series) = read_result(&parsed["data"])?;
        Ok(Answer {
            result_type,
            series,
            body: response.body,
        })
    }
}

fn point(pair: &Value) -> Option<(f64, f64)> {
    let time = pair.get(0)?.as_f64()?;
    let value = number(pair.get(1)?.as_str()?)?;
    Some((time, value))
}

/// The `data` of a successful answer: vector, matrix, scalar or string.
fn read_result(data: &Value) -> Result<(String, Vec<Series>), String> {
    let result_type = data["resultType"].as_str().unwrap_or("").to_string();
    let malformed = || format!("malformed `{result_type}` result");
    let series = match result_type.as_str() {
        "vector" | "matrix" => data["result"]
            .as_array()
            .ok_or_else(malformed)?
            .iter()
            .map(|s| {
                let labels = s["metric"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                            .collect()
                    })
                    .unwrap_or_default();
                let points = if result_type == "vector" {
                    vec![point(&s["value"]).ok_or_else(malformed)?]
                } else {
                    s["values"]
                        .as_array()
                        .ok_or_else(malformed)?
                        .iter()
                        .map(|p| point(p).ok_or_else(malformed))
                        .collect::<Result<_, _>>()?
                };
                Ok(Series { labels, points })
            })
            .collect::<Result<Vec<_>, String>>()?,
        "scalar" => vec![Series {
            labels: BTreeMap::new(),
            points: vec![point(&data["result"]).ok_or_else(malformed)?],
        }],
        other => return Err(format!("unsupported result type `{other}`")),
    };
    Ok((result_type, series))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_vectors_matrices_and_scalars() {
        let (t, s) = read_result(&json!({"resultType": "vector", "result": [
            {"metric": {"le": "0.5"}, "value": [1700000000.5, "12"]},
            {"metric": {"le": "+Inf"}, "value": [1700000000.5, "NaN"]},
        ]}))
        .unwrap();
        assert_eq!(t, "vector");
        assert_eq!(s[0].labels["le"], "0.5");
        assert_eq!(s[0].points, vec![(1_700_000_000.5, 12.0)]);
        assert!(s[1].points[0].1.is_nan());
        let (_, m) = read_result(&json!({"resultType": "matrix", "result": [
            {"metric": {}, "values": [[1.0, "1"], [2.0, "3"]]},
        ]}))
        .unwrap();
        assert_eq!(m[0].points, vec![(1.0, 1.0), (2.0, 3.0)]);
        let (_, sc) =
            read_result(&json!({"resultType": "scalar", "result": [5.0, "0.999"]})).unwrap();
        assert_eq!(sc[0].points[0].1, 0.999);
        assert!(
            read_result(&json!({"resultType": "vector", "result": [{"value": [1, 2]}]})).is_err()
        );
    }
}
