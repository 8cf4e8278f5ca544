//! One Markdown policy: its YAML front matter (owner, approved_by, last_reviewed,
//! next_review), its headings, which required policy it is, and the facts derived from them
//! (days since the last review against the scan time, RTO and RPO statements).

use std::sync::OnceLock;

use jiff::civil::Date;
use regex::Regex;
use serde_json::{json, Map, Value};

use crate::formats::yaml;
use crate::lines::{pointer_push, LineMap, Position};

/// The policies the frameworks expect, with the words that name them in file names and
/// titles.
pub const REQUIRED: [(&str, &str, &[&str]); 5] = [
    (
        "information_security",
        "Information security policy",
        &["information-security", "infosec", "security-policy", "isms"],
    ),
    (
        "access_control",
        "Access control policy",
        &["access-control", "access-management"],
    ),
    (
        "incident_response",
        "Incident response plan",
        &["incident-response", "incident-management"],
    ),
    (
        "disaster_recovery",
        "Disaster recovery plan",
        &[
            "disaster-recovery",
            "dr-plan",
            "business-continuity",
            "bcdr",
        ],
    ),
    (
        "data_retention",
        "Data retention policy",
        &["data-retention", "retention-policy", "record-retention"],
    ),
];

/// A heading of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub line: u32,
}

/// A parsed policy and the problems found in it.
#[derive(Debug)]
pub struct Policy {
    pub data: Value,
    pub lines: LineMap,
    /// Problems with the front matter, with their position.
    pub problems: Vec<(Position, String)>,
}

/// `information-security` for `Information_Security Policy`.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Which required policy a document is: its front matter `type`, else a keyword of its file
/// name or title.
fn classify(declared: Option<&str>, stem: &str, title: &str) -> Option<&'static str> {
    if let Some(t) = declared {
        let t = normalize(t).replace('-', "_");
        return REQUIRED.iter().map(|r| r.0).find(|id| *id == t);
    }
    let names = [normalize(stem), normalize(title)];
    REQUIRED
        .iter()
        .find(|(_, _, words)| words.iter().any(|w| names.iter().any(|n| n.contains(w))))
        .map(|r| r.0)
}

/// The YAML between a leading `---` line and the next `---` or `...` line, with the `---` line
/// blanked so that positions match the file; and the line the body starts at.
fn front_matter_text(text: &str) -> Option<(String, usize)> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let mut yaml = String::from("\n");
    for (i, line) in lines.enumerate() {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Some((yaml, i + 2));
        }
        yaml.push_str(line);
    }
    None
}

/// ATX (`## Title`) and setext (`Title` over `===` / `---`) headings outside fenced code.
pub(crate) fn headings(text: &str, from_line: usize) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    let mut previous: Option<(usize, &str)> = None;
    for (i, raw) in text.lines().enumerate().skip(from_line) {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if let Some(marker) = fence {
            if trimmed.starts_with(marker) {
                fence = None;
            }
            previous = None;
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            previous = None;
            continue;
        }
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes)
            && trimmed[hashes..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t')
        {
            let text = trimmed[hashes..].trim().trim_end_matches('#').trim();
            out.push(Heading {
                level: hashes as u8,
                text: text.to_string(),
                line: number,
            });
            previous = None;
            continue;
        }
        let underline = !trimmed.is_empty()
            && (trimmed.chars().all(|c| c == '=') || trimmed.chars().all(|c| c == '-'));
        if let (true, Some((at, title))) = (underline, previous) {
            out.push(Heading {
                level: if trimmed.starts_with('=') { 1 } else { 2 },
                text: title.trim().to_string(),
                line: u32::try_from(at + 1).unwrap_or(u32::MAX),
            });
            previous = None;
            continue;
        }
        previous = (!trimmed.is_empty()).then_some((i, line));
    }
    out
}

/// A recovery objective stated in the text: `RTO: 4 hours`, `Recovery Point Objective is 15
/// minutes`.
fn objective(text: &str, from_line: usize, which: &str) -> Option<(String, u32)> {
    static RTO: OnceLock<Regex> = OnceLock::new();
    static RPO: OnceLock<Regex> = OnceLock::new();
    let make = |names: &str| {
        Regex::new(&format!(
            r"(?i)\b(?:{names})\b[^0-9\n]{{0,40}}?(\d+(?:\.\d+)?\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|[smhd])\b)"
        ))
        .expect("objective pattern compiles")
    };
    let re = if which == "rto" {
        RTO.get_or_init(|| make("RTO|recovery[ -]time[ -]objective"))
    } else {
        RPO.get_or_init(|| make("RPO|recovery[ -]point[ -]objective"))
    };
    text.lines()
        .enumerate()
        .skip(from_line)
        .find_map(|(i, line)| {
            re.captures(line)
                .map(|c| (c[1].to_string(), u32::try_from(i + 1).unwrap_or(u32::MAX)))
        })
}

/// The YAML front matter of a Markdown file and where its body starts.
pub(crate) struct FrontMatter {
    /// The front matter mapping; `Null` when there is none or it is broken.
    pub data: Value,
    /// The 0-based index of the first body line.
    pub body_from: usize,
    /// Positions of the front matter's keys, when it parsed.
    pub lines: Option<LineMap>,
    /// Problems with the front matter, with their position.
    pub problems: Vec<(Position, String)>,
}

/// Reads the YAML front matter of `text` (none: a `Null` mapping and the body from line 1).
pub(crate) fn front_matter(text: &str) -> FrontMatter {
    let mut problems = Vec::new();
    let (data, body_from, lines) = match front_matter_text(text) {
        Some((yaml_text, end)) => match yaml::parse(&yaml_text) {
            Ok(mut docs) if !docs.is_empty() => {
                let doc = docs.remove(0);
                if doc.data.is_object() {
                    (doc.data, end, Some(doc.lines))
                } else {
                    problems.push((
                        Position::new(2, 1),
                        "the front matter is not a mapping".to_string(),
                    ));
                    (Value::Null, end, None)
                }
            }
            Ok(_) => (Value::Null, end, None),
            Err(e) => {
                problems.push((
                    e.position,
                    format!("invalid YAML front matter: {}", e.message),
                ));
                (Value::Null, end, None)
            }
        },
        None => (Value::Null, 0, None),
    };
    FrontMatter {
        data,
        body_from,
        lines,
        problems,
    }
}

/// A scalar (or a list of scalars, joined with `, `) as trimmed text; `None` when empty.
pub(super) fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().filter_map(as_text).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

/// Parses the policy at root-relative `path`, judging review dates against `today`.
pub fn parse(path: &str, text: &str, today: Date) -> Policy {
    let mut lines = LineMap::new();
    lines.insert(String::new(), Position::new(1, 1));
    let FrontMatter {
        data: matter,
        body_from,
        lines: matter_lines,
        mut problems,
    } = front_matter(text);
    let field = |key: &str| matter.get(key).and_then(as_text);
    let at = |key: &str| {
        matter_lines
            .as_ref()
            .and_then(|l| l.position(&pointer_push("", key)))
    };
    let heads = headings(text, body_from);
    let stem = path.rsplit('/').next().unwrap_or(path);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let title = field("title")
        .or_else(|| heads.iter().find(|h| h.level == 1).map(|h| h.text.clone()))
        .unwrap_or_else(|| stem.to_string());
    let declared = field("type").or_else(|| field("policy"));
    let kind = classify(declared.as_deref(), stem, &title);
    let mut date_of = |key: &str| -> Option<Date> {
        let raw = field(key)?;
        match raw.get(..10).unwrap_or(&raw).parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push((
                    at(key).unwrap_or(Position::new(1, 1)),
                    format!("`{key}: {raw}` is not a date (YYYY-MM-DD)"),
                ));
                None
            }
        }
    };
    let last_reviewed = date_of("last_reviewed");
    let next_review = date_of("next_review");
    let days_since_review = last_reviewed.map(|d| (today - d).get_days());
    let mut data = Map::new();
    data.insert("kind".into(), json!("Policy"));
    data.insert("path".into(), json!(path));
    data.insert("type".into(), json!(kind));
    data.insert("title".into(), json!(title));
    data.insert("front_matter".into(), matter.clone());
    data.insert("owner".into(), json!(field("owner")));
    data.insert("approved_by".into(), json!(field("approved_by")));
    data.insert("approved".into(), json!(field("approved_by").is_some()));
    data.insert(
        "last_reviewed".into(),
        json!(last_reviewed.map(|d| d.to_string())),
    );
    data.insert(
        "next_review".into(),
        json!(next_review.map(|d| d.to_string())),
    );
    data.insert("days_since_review".into(), json!(days_since_review));
    data.insert(
        "review_overdue".into(),
        json!(next_review.map(|d| d < today)),
    );
    for key in [
        "owner",
        "approved_by",
        "last_reviewed",
        "next_review",
        "type",
        "title",
    ] {
        if let Some(p) = at(key) {
            lines.insert(pointer_push("", key), p);
        }
    }
    if let Some(p) = at("last_reviewed") {
        lines.insert("/days_since_review".into(), p);
    }
    if let Some(matter_lines) = &matter_lines {
        if let Value::Object(m) = &matter {
            for key in m.keys() {
                if let Some(p) = matter_lines.position(&pointer_push("", key)) {
                    lines.insert(pointer_push("/front_matter", key), p);
                }
            }
        }
    }
    let heading_json: Vec<Value> = heads
        .iter()
        .enumerate()
        .map(|(i, h)| {
            lines.insert(format!("/headings/{i}"), Position::new(h.line, 1));
            json!({"level": h.level, "text": h.text, "line": h.line})
        })
        .collect();
    data.insert("headings".into(), Value::Array(heading_json));
    for which in ["rto", "rpo"] {
        let stated = field(which)
            .map(|v| (v, at(which).map_or(1, |p| p.line)))
            .or_else(|| objective(text, body_from, which));
        if let Some((_, line)) = &stated {
            lines.insert(pointer_push("", which), Position::new(*line, 1));
        }
        data.insert(
            which.into(),
            stated.map_or(
                Value::Null,
                |(value, line)| json!({"value": value, "line": line}),
            ),
        );
    }
    Policy {
        data: Value::Object(data),
        lines,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DR: &str = "---\nowner: Head of Infrastructure\napproved_by: [CTO, CISO]\nlast_reviewed: 2024-03-01\nnext_review: 2025-03-01\n---\n# Disaster Recovery\n\n```\n# not a heading\n```\nObjectives\n----------\n\nThe Recovery Time Objective (RTO) is 4 hours.\nRPO: 15 minutes for the primary database.\n";

    fn today() -> Date {
        "2024-06-01".parse().unwrap()
    }

    #[test]
    fn front_matter_headings_and_objectives() {
        let p = parse("policies/dr.md", DR, today());
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let d = &p.data;
        assert_eq!(d["type"], "disaster_recovery");
        assert_eq!(d["title"], "Disaster Recovery");
        assert_eq!(d["owner"], "Head of Infrastructure");
        assert_eq!(d["approved_by"], "CTO, CISO");
        assert_eq!(d["approved"], true);
        assert_eq!(d["days_since_review"], 92);
        assert_eq!(d["review_overdue"], false);
        assert_eq!(
            d["headings"],
            json!([
                {"level": 1, "text": "Disaster Recovery", "line": 7},
                {"level": 2, "text": "Objectives", "line": 12},
            ])
        );
        assert_eq!(d["rto"], json!({"value": "4 hours", "line": 15}));
        assert_eq!(d["rpo"], json!({"value": "15 minutes", "line": 16}));
        assert_eq!(p.lines.line("/owner"), Some(2));
        assert_eq!(p.lines.line("/days_since_review"), Some(4));
        assert_eq!(p.lines.line("/headings/1"), Some(12));
    }

    #[test]
    fn classification_by_type_name_or_title() {
        let typed = parse(
            "policies/p1.md",
            "---\ntype: access control\n---\n# Whatever\n",
            today(),
        );
        assert_eq!(typed.data["type"], "access_control");
        let named = parse("docs/policies/Incident_Response.md", "# IR\n", today());
        assert_eq!(named.data["type"], "incident_response");
        let titled = parse("policies/x.md", "# Information Security Policy\n", today());
        assert_eq!(titled.data["type"], "information_security");
        let other = parse("policies/travel.md", "# Travel\n", today());
        assert_eq!(other.data["type"], Value::Null);
        assert_eq!(other.data["owner"], Value::Null);
        assert_eq!(other.data["approved"], false);
    }

    #[test]
    fn bad_front_matter_is_located() {
        let p = parse("policies/a.md", "---\nowner: [a\n---\n# A\n", today());
        assert_eq!(p.problems.len(), 1);
        assert!(p.problems[0].1.starts_with("invalid YAML front matter"));
        let p = parse(
            "policies/b.md",
            "---\nowner: Ann\nlast_reviewed: last spring\n---\n",
            today(),
        );
        assert_eq!(p.problems[0].0.line, 3);
        assert!(p.problems[0].1.contains("is not a date"));
        assert_eq!(p.data["days_since_review"], Value::Null);
    }
}
