//! The overview's trend chart: framework scores over the scans kept in an evidence locker,
//! laid out here as SVG coordinates for the template to draw inline.

use serde::{Deserialize, Serialize};

use crate::report::Results;

/// One framework's score in one scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendScore {
    pub id: String,
    pub name: String,
    pub score: Option<f64>,
}

/// The framework scores of one scan.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// When the scan finished (RFC 3339).
    pub label: String,
    pub scores: Vec<TrendScore>,
}

impl TrendPoint {
    /// The scores of a scan's results.
    pub fn of(results: &Results) -> TrendPoint {
        TrendPoint {
            label: results.scan.finished_at.clone(),
            scores: results
                .frameworks
                .iter()
                .map(|f| TrendScore {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    score: f.score,
                })
                .collect(),
        }
    }
}

/// `history` with the scan of `results` at the end, unless it is already the last point (as
/// when a site is rendered again for a scan kept in the locker).
pub fn with_current(mut history: Vec<TrendPoint>, results: &Results) -> Vec<TrendPoint> {
    let current = TrendPoint::of(results);
    if history.last() != Some(&current) {
        history.push(current);
    }
    history
}

/// Scans shown at most; older ones drop off the left.
const MAX_POINTS: usize = 60;
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 704.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 206.0;

/// A chart ready to draw.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub bottom: f64,
    pub scans: usize,
    pub series: Vec<Series>,
    pub y_ticks: Vec<Tick>,
    pub x_labels: Vec<Tick>,
}

/// One framework's line.
#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub name: String,
    /// Index for the line's style (colour and dash pattern).
    pub style: usize,
    /// SVG path data; gaps where a scan had no score.
    pub path: String,
    pub dots: Vec<Dot>,
    pub latest: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dot {
    pub x: String,
    pub y: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub x: String,
    pub y: String,
    pub text: String,
}

fn coord(v: f64) -> String {
    format!("{v:.1}")
}

/// Lays out the scores of `frameworks` (id, name) over `points`; `None` with fewer than two
/// scans, when there is no trend to show.
pub fn chart(points: &[TrendPoint], frameworks: &[(&str, &str)]) -> Option<Chart> {
    let points = &points[points.len().saturating_sub(MAX_POINTS)..];
    if points.len() < 2 || frameworks.is_empty() {
        return None;
    }
    let step = (RIGHT - LEFT) / (points.len() - 1) as f64;
    let x = |i: usize| LEFT + step * i as f64;
    let y = |score: f64| BOTTOM - (BOTTOM - TOP) * score.clamp(0.0, 100.0) / 100.0;
    let series = frameworks
        .iter()
        .enumerate()
        .map(|(style, (id, name))| {
            let mut path = String::new();
            let mut dots = Vec::new();
            let mut pen_down = false;
            let mut latest = "n/a".to_string();
            for (i, p) in points.iter().enumerate() {
                let score = p.scores.iter().find(|s| s.id == *id).and_then(|s| s.score);
                match score {
                    Some(s) => {
                        let (px, py) = (coord(x(i)), coord(y(s)));
                        path.push_str(if pen_down { " L" } else { " M" });
                        path.push_str(&format!("{px} {py}"));
                        pen_down = true;
                        latest = format!("{s:.1}%");
                        dots.push(Dot {
                            x: px,
                            y: py,
                            title: format!("{name}: {s:.1}% ({})", p.label),
                        });
                    }
                    None => {
                        pen_down = false;
                        latest = "n/a".to_string();
                    }
                }
            }
            Series {
                name: name.to_string(),
                style: style % 6,
                path: path.trim_start().to_string(),
                dots,
                latest,
            }
        })
        .collect();
    let y_ticks = [0.0, 25.0, 50.0, 75.0, 100.0]
        .iter()
        .map(|v| Tick {
            x: coord(LEFT - 6.0),
            y: coord(y(*v)),
            text: format!("{v:.0}%"),
        })
        .collect();
    let date = |p: &TrendPoint| p.label.get(..10).unwrap_or(&p.label).to_string();
    let last = points.len() - 1;
    let x_labels = [0, last]
        .iter()
        .map(|i| Tick {
            x: coord(x(*i)),
            y: coord(BOTTOM + 22.0),
            text: date(&points[*i]),
        })
        .collect();
    Some(Chart {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right: RIGHT,
        bottom: BOTTOM,
        scans: points.len(),
        series,
        y_ticks,
        x_labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, score: Option<f64>) -> TrendPoint {
        TrendPoint {
            label: label.to_string(),
            scores: vec![TrendScore {
                id: "soc2".into(),
                name: "SOC 2".into(),
                score,
            }],
        }
    }

    #[test]
    fn lines_break_where_a_score_is_missing() {
        let points = [
            point("2024-01-01T00:00:00Z", Some(0.0)),
            point("2024-01-02T00:00:00Z", Some(100.0)),
            point("2024-01-03T00:00:00Z", None),
            point("2024-01-04T00:00:00Z", Some(50.0)),
        ];
        let c = chart(&points, &[("soc2", "SOC 2")]).unwrap();
        let s = &c.series[0];
        assert_eq!(s.path, "M44.0 206.0 L264.0 12.0 M704.0 109.0");
        assert_eq!(s.dots.len(), 3);
        assert_eq!(s.latest, "50.0%");
        assert_eq!(c.x_labels[0].text, "2024-01-01");
        assert_eq!(c.x_labels[1].text, "2024-01-04");
        assert!(chart(&points[..1], &[("soc2", "SOC 2")]).is_none());
    }
}
