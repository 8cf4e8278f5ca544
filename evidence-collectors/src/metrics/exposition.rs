//! A parser for the Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text:
//! `# HELP`, `# TYPE`, `# UNIT` and `# EOF` lines, samples with labels (escapes `\\`, `\"`,
//! `\n`), optional timestamps and OpenMetrics exemplars, and the quoted UTF-8 metric names of
//! newer exposition (`{"my.metric", label="v"}`). Samples are grouped into the family their
//! name belongs to (`_bucket`, `_sum`, `_count`, `_total`, `_created`, … suffixes).

use std::collections::HashMap;

use crate::formats::ParseError;
use crate::lines::Position;

/// A metric type, as declared by `# TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    Untyped,
}

impl MetricType {
    fn parse(text: &str) -> Option<MetricType> {
        Some(match text {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "gaugehistogram" => MetricType::GaugeHistogram,
            "summary" => MetricType::Summary,
            "info" => MetricType::Info,
            "stateset" => MetricType::StateSet,
            "untyped" | "unknown" => MetricType::Untyped,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Untyped => "untyped",
        }
    }

    /// The sample-name suffixes a family of this type uses.
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            MetricType::Counter => &["_total", "_created"],
            MetricType::Histogram => &["_bucket", "_count", "_sum", "_created"],
            MetricType::GaugeHistogram => &["_bucket", "_gcount", "_gsum"],
            MetricType::Summary => &["_count", "_sum", "_created"],
            MetricType::Info => &["_info"],
            MetricType::Gauge | MetricType::StateSet | MetricType::Untyped => &[],
        }
    }
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// As written: milliseconds in the text format, seconds in OpenMetrics.
    pub timestamp: Option<f64>,
    pub line: u32,
}

impl Sample {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A metric family: its declaration and samples.
#[derive(Debug, Clone)]
pub struct Family {
    pub name: String,
    pub kind: MetricType,
    pub help: Option<String>,
    pub unit: Option<String>,
    pub samples: Vec<Sample>,
}

/// A parsed exposition.
#[derive(Debug, Clone, Default)]
pub struct Exposition {
    pub families: Vec<Family>,
}

impl Exposition {
    pub fn samples(&self) -> usize {
        self.families.iter().map(|f| f.samples.len()).sum()
    }
}

/// Whether `text` reads as OpenMetrics: it ends with `# EOF`.
pub fn looks_like_openmetrics(text: &str) -> bool {
    text.trim_end().ends_with("# EOF")
}

struct Builder {
    families: Vec<Family>,
    index: HashMap<String, usize>,
    current: Option<usize>,
}

impl Builder {
    fn declare(&mut self, name: &str) -> usize {
        let at = *self.index.entry(name.to_string()).or_insert_with(|| {
            self.families.push(Family {
                name: name.to_string(),
                kind: MetricType::Untyped,
                help: None,
                unit: None,
                samples: Vec::new(),
            });
            self.families.len() - 1
        });
        self.current = Some(at);
        at
    }

    /// The family a sample named `name` belongs to.
    fn family_of(&mut self, name: &str) -> usize {
        let belongs = |f: &Family| {
            f.name == name
                || f.kind
                    .suffixes()
                    .iter()
                    .any(|s| name.strip_suffix(s) == Some(f.name.as_str()))
        };
        if let Some(at) = self.current.filter(|&at| belongs(&self.families[at])) {
            return at;
        }
        if let Some(&at) = self.index.get(name) {
            return at;
        }
        for suffix in [
            "_bucket", "_count", "_sum", "_total", "_created", "_gcount", "_gsum", "_info",
        ] {
            if let Some(base) = name.strip_suffix(suffix) {
                if let Some(&at) = self.index.get(base) {
                    if belongs(&self.families[at]) {
                        return at;
                    }
                }
            }
        }
        let at = self.declare(name);
        self.current = None;
        at
    }
}

/// Parses an exposition; `openmetrics` makes `# EOF` required and nothing allowed after it.
pub fn parse(text: &str, openmetrics: bool) -> Result<Exposition, ParseError> {
    let mut b = Builder {
        families: Vec::new(),
        index: HashMap::new(),
        current: None,
    };
    let mut eof_at = None;
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let content = raw.trim_end_matches('\r');
        if let Some(eof) = eof_at {
            if !content.trim().is_empty() {
                return Err(ParseError::new(
                    Position::new(line, 1),
                    format!("content after `# EOF` (line {eof})"),
                ));
            }
            continue;
        }
        let trimmed = content.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            if comment.trim() == "EOF" {
                eof_at = Some(line);
                continue;
            }
            metadata(&mut b, comment, line)?;
            continue;
        }
        let column = u32::try_from(content.len() - trimmed.len() + 1).unwrap_or(1);
        let sample = sample(trimmed, line, column, openmetrics)?;
        let at = b.family_of(&sample.name);
        b.families[at].samples.push(sample);
    }
    if openmetrics && eof_at.is_none() {
        let last = u32::try_from(text.lines().count().max(1)).unwrap_or(u32::MAX);
        return Err(ParseError::new(
            Position::new(last, 1),
            "OpenMetrics text must end with `# EOF`",
        ));
    }
    Ok(Exposition {
        families: b.families,
    })
}

/// A `# HELP`, `# TYPE` or `# UNIT` line; other comments are ignored.
fn metadata(b: &mut Builder, comment: &str, line: u32) -> Result<(), ParseError> {
    let mut parts = comment.trim_start().splitn(3, [' ', '\t']);
    let keyword = parts.next().unwrap_or("");
    if !matches!(keyword, "HELP" | "TYPE" | "UNIT") {
        return Ok(());
    }
    let name = parts.next().unwrap_or("").trim_matches('"');
    let rest = parts.next().unwrap_or("").trim();
    if name.is_empty() {
        return Err(ParseError::new(
            Position::new(line, 1),
            format!("`# {keyword}` needs a metric name"),
        ));
    }
    let at = b.declare(name);
    let family = &mut b.families[at];
    match keyword {
        "HELP" => family.help = Some(unescape(rest)),
        "UNIT" => family.unit = Some(rest.to_string()),
        _ => {
            family.kind = MetricType::parse(rest).ok_or_else(|| {
                ParseError::new(
                    Position::new(line, 1),
                    format!("unknown metric type `{rest}` for `{name}`"),
                )
            })?;
        }
    }
    Ok(())
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A cursor over one sample line.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
    line: u32,
    column: u32,
}

impl Cursor<'_> {
    fn error(&self, message: impl Into<String>) -> ParseError {
        self.error_at(self.at, message)
    }

    fn error_at(&self, at: usize, message: impl Into<String>) -> ParseError {
        let column = self.column + u32::try_from(self.text[..at].chars().count()).unwrap_or(0);
        ParseError::new(Position::new(self.line, column), message)
    }

    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn name(&mut self, first_ok: fn(char) -> bool, rest_ok: fn(char) -> bool) -> &str {
        let start = self.at;
        let mut end = 0;
        for (i, c) in self.text[start..].char_indices() {
            let ok = if i == 0 { first_ok(c) } else { rest_ok(c) };
            if !ok {
                break;
            }
            end = i + c.len_utf8();
        }
        self.at += end;
        &self.text[start..self.at]
    }

    fn quoted(&mut self) -> Result<String, ParseError> {
        if !self.eat('"') {
            return Err(self.error("expected `\"`"));
        }
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error("unterminated quoted string"));
            };
            self.at += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(next) = self.peek() else {
                        return Err(self.error("unterminated escape"));
                    };
                    self.at += next.len_utf8();
                    match next {
                        'n' => out.push('\n'),
                        '\\' | '"' => out.push(next),
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    }
                }
                other => out.push(other),
            }
        }
    }

    fn token(&mut self) -> &str {
        let start = self.at;
        while let Some(c) = self.peek().filter(|&c| c != ' ' && c != '\t') {
            self.at += c.len_utf8();
        }
        &self.text[start..self.at]
    }
}

fn metric_first(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}

fn metric_rest(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// Whether `name` is a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
pub fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(label_first) && chars.all(label_rest)
}

fn label_first(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn label_rest(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A float as the formats write it: decimal, `+Inf`, `-Inf`, `NaN`.
pub fn number(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        "NaN" | "nan" => Some(f64::NAN),
        _ => text.parse().ok().filter(|v: &f64| v.is_finite()),
    }
}

fn sample(text: &str, line: u32, column: u32, openmetrics: bool) -> Result<Sample, ParseError> {
    let mut c = Cursor {
        text,
        at: 0,
        line,
        column,
    };
    let mut name = c.name(metric_first, metric_rest).to_string();
    let mut labels = Vec::new();
    if !openmetrics {
        // The text format allows spaces before the label set.
        let before = c.at;
        c.skip_spaces();
        if c.peek() != Some('{') {
            c.at = before;
        }
    }
    if c.eat('{') {
        loop {
            c.skip_spaces();
            if c.eat('}') {
                break;
            }
            let key = if c.peek() == Some('"') {
                c.quoted()?
            } else {
                let key = c.name(label_first, label_rest);
                if key.is_empty() {
                    return Err(c.error("expected a label name"));
                }
                key.to_string()
            };
            c.skip_spaces();
            if !c.eat('=') {
                if name.is_empty() && labels.is_empty() {
                    // `{"metric.name", …}`: the quoted name of newer expositions.
                    name = key;
                } else {
                    return Err(c.error(format!("expected `=` after label `{key}`")));
                }
            } else {
                c.skip_spaces();
                let value = c.quoted()?;
                labels.push((key, value));
            }
            c.skip_spaces();
            if c.eat(',') {
                continue;
            }
            if c.eat('}') {
                break;
            }
            return Err(c.error("expected `,` or `}` in the label set"));
        }
    }
    if name.is_empty() {
        return Err(c.error("expected a metric name"));
    }
    if !matches!(c.peek(), Some(' ' | '\t')) {
        return Err(c.error("expected a space before the value"));
    }
    c.skip_spaces();
    let value_at = c.at;
    let raw_value = c.token().to_string();
    let value = number(&raw_value)
        .ok_or_else(|| c.error_at(value_at, format!("invalid sample value `{raw_value}`")))?;
    c.skip_spaces();
    let mut timestamp = None;
    if c.peek().is_some_and(|ch| ch != '#') {
        let at = c.at;
        let raw = c.token().to_string();
        timestamp =
            Some(number(&raw).ok_or_else(|| c.error_at(at, format!("invalid timestamp `{raw}`")))?);
        c.skip_spaces();
    }
    // Anything left is an OpenMetrics exemplar (`# {labels} value [timestamp]`).
    if c.peek().is_some_and(|ch| ch != '#') {
        return Err(c.error("unexpected text after the sample"));
    }
    Ok(Sample {
        name,
        labels,
        value,
        timestamp,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Exposition {
        fn family(&self, name: &str) -> Option<&Family> {
            self.families.iter().find(|f| f.name == name)
        }
    }

    #[test]
    fn text_format_with_types_and_escapes() {
        let text = "# HELP http_requests_total Requests \\\\ served\\n.\n# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\",path=\"/a \\\"b\\\"\"} 1027 1395066363000\nhttp_requests_total{code=\"500\",} 3\n# a comment\n# TYPE rpc_duration_seconds summary\nrpc_duration_seconds{quantile=\"0.5\"} 4.7\nrpc_duration_seconds_sum 17\nrpc_duration_seconds_count 2693\nmetric_without_type +Inf\n";
        let e = parse(text, false).unwrap();
        let names: Vec<&str> = e.families.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "http_requests_total",
                "rpc_duration_seconds",
                "metric_without_type"
            ]
        );
        let f = &e.families[0];
        assert_eq!(f.kind, MetricType::Counter);
        assert_eq!(f.help.as_deref(), Some("Requests \\ served\n."));
        assert_eq!(f.samples[0].label("path"), Some("/a \"b\""));
        assert_eq!(f.samples[0].timestamp, Some(1_395_066_363_000.0));
        assert_eq!(f.samples[1].line, 4);
        assert_eq!(e.families[1].samples.len(), 3);
        assert_eq!(e.families[2].samples[0].value, f64::INFINITY);
    }

    #[test]
    fn openmetrics_families_exemplars_and_eof() {
        let text = "# TYPE foo counter\n# UNIT foo seconds\nfoo_total 17.0 1520879607.789 # {trace_id=\"KOO5S4vxi0o\"} 0.67\nfoo_created 1520430000.123\n# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 0.3\n# EOF\n";
        let e = parse(text, true).unwrap();
        let foo = e.family("foo").unwrap();
        assert_eq!(foo.samples.len(), 2);
        assert_eq!(foo.unit.as_deref(), Some("seconds"));
        assert_eq!(foo.samples[0].value, 17.0);
        assert_eq!(e.family("h").unwrap().samples.len(), 4);
        let missing = parse("# TYPE foo counter\nfoo_total 1\n", true).unwrap_err();
        assert!(missing.message.contains("# EOF"));
        let after = parse("foo 1\n# EOF\nbar 2\n", true).unwrap_err();
        assert_eq!(after.position.line, 3);
    }

    #[test]
    fn quoted_utf8_names() {
        let e = parse("{\"my.metric\", env=\"prod\"} 3\n", false).unwrap();
        assert_eq!(e.families[0].name, "my.metric");
        assert_eq!(e.families[0].samples[0].label("env"), Some("prod"));
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("ok 1\nbad{code=\"200\" 1\n", false).unwrap_err();
        assert_eq!(e.position, Position::new(2, 16));
        assert!(e.message.contains("`,` or `}`"), "{}", e.message);
        let e = parse("x one\n", false).unwrap_err();
        assert_eq!(e.position, Position::new(1, 3));
        assert!(e.message.contains("invalid sample value `one`"));
        let e = parse("# TYPE x blob\n", false).unwrap_err();
        assert!(e.message.contains("unknown metric type `blob`"));
    }

    #[test]
    fn every_corpus_file_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/dev/prometheus/exposition");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: corpus not found at {}", dir.display());
            return;
        };
        let mut parsed = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let e = parse(&text, looks_like_openmetrics(&text))
                .unwrap_or_else(|err| panic!("{}: {err:?}", path.display()));
            assert!(e.samples() > 0, "{}", path.display());
            parsed += 1;
        }
        assert_eq!(parsed, 5);
    }
}
