//! Restore-test records: Markdown files whose YAML front matter says when a restore from backup
//! was tested (`date`), for which system (`system`), with which outcome (`result: pass|fail`)
//! and, optionally, whether the recovery objectives were met (`rto_met`, `rpo_met`) and how
//! long it took (`duration`); and the summary of all records against the scan time.

use jiff::civil::Date;
use serde_json::{json, Map, Value};

use super::policy::{as_text, front_matter};
use crate::lines::{pointer_push, LineMap, Position};

/// A parsed restore-test record and the problems found in it.
#[derive(Debug)]
pub struct Record {
    pub data: Value,
    pub lines: LineMap,
    /// Problems with the front matter, with their position.
    pub problems: Vec<(Position, String)>,
}

/// `pass` or `fail` for the spellings a team may use; `None` for anything else.
fn outcome(raw: &str) -> Option<&'static str> {
    match raw.trim().to_lowercase().as_str() {
        "pass" | "passed" | "success" | "succeeded" | "ok" => Some("pass"),
        "fail" | "failed" | "failure" => Some("fail"),
        _ => None,
    }
}

/// Parses the record at root-relative `path`, dating it against `today`.
pub fn parse(path: &str, text: &str, today: Date) -> Record {
    let matter = front_matter(text);
    let mut problems = matter.problems;
    let at = |key: &str| {
        matter
            .lines
            .as_ref()
            .and_then(|l| l.position(&pointer_push("", key)))
    };
    let top = Position::new(1, 1);
    if matter.data.is_null() && problems.is_empty() {
        problems.push((
            top,
            "a restore-test record needs YAML front matter with `date`, `system` and `result`"
                .to_string(),
        ));
    }
    let field = |key: &str| matter.data.get(key).and_then(as_text);
    let mut required = |key: &str| {
        let value = field(key);
        if value.is_none() && !matter.data.is_null() {
            problems.push((
                top,
                format!("the front matter names no `{key}` of the restore test"),
            ));
        }
        value
    };
    let system = required("system");
    let raw_date = required("date");
    let raw_result = required("result");
    let date =
        raw_date
            .as_deref()
            .and_then(|raw| match raw.get(..10).unwrap_or(raw).parse::<Date>() {
                Ok(d) if d > today => {
                    problems.push((
                        at("date").unwrap_or(top),
                        format!(
                        "`date: {raw}` is after the scan date {today}; the record is not counted"
                    ),
                    ));
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push((
                        at("date").unwrap_or(top),
                        format!("`date: {raw}` is not a date (YYYY-MM-DD)"),
                    ));
                    None
                }
            });
    let result = raw_result.as_deref().and_then(|raw| {
        let known = outcome(raw);
        if known.is_none() {
            problems.push((
                at("result").unwrap_or(top),
                format!("`result: {raw}` is neither pass nor fail"),
            ));
        }
        known
    });
    let flag = |key: &str| match matter.data.get(key) {
        Some(Value::Bool(b)) => Some(*b),
        _ => None,
    };
    let mut data = Map::new();
    data.insert("kind".into(), json!("RestoreTest"));
    data.insert("path".into(), json!(path));
    data.insert("system".into(), json!(system));
    data.insert("date".into(), json!(date.map(|d| d.to_string())));
    data.insert("result".into(), json!(result));
    data.insert("passed".into(), json!(result == Some("pass")));
    data.insert("rto_met".into(), json!(flag("rto_met")));
    data.insert("rpo_met".into(), json!(flag("rpo_met")));
    data.insert("duration".into(), json!(field("duration")));
    data.insert(
        "days_since".into(),
        json!(date.map(|d| (today - d).get_days())),
    );
    data.insert("front_matter".into(), matter.data.clone());
    let mut lines = LineMap::new();
    lines.insert(String::new(), top);
    for key in ["system", "date", "result", "rto_met", "rpo_met", "duration"] {
        if let Some(p) = at(key) {
            lines.insert(pointer_push("", key), p);
        }
    }
    if let Some(p) = at("date") {
        lines.insert("/days_since".into(), p);
    }
    Record {
        data: Value::Object(data),
        lines,
        problems,
    }
}

/// The facts of a record that the summary repeats.
fn brief(record: &Value) -> Value {
    json!({
        "path": record["path"],
        "system": record["system"],
        "date": record["date"],
        "result": record["result"],
        "days_since": record["days_since"],
    })
}

/// The summary of every dated record (`records` holds the `RestoreTest` data): how many there
/// are, the latest one whatever its result, and the latest passing one with its age.
pub fn summary(records: &[&Value]) -> Value {
    let mut dated: Vec<&Value> = records
        .iter()
        .copied()
        .filter(|r| r["date"].is_string())
        .collect();
    // Latest first; ties by path, so that the choice does not depend on the walk.
    dated.sort_by(|a, b| {
        (b["date"].as_str(), a["path"].as_str()).cmp(&(a["date"].as_str(), b["path"].as_str()))
    });
    let latest = dated.first();
    let latest_pass = dated.iter().find(|r| r["passed"] == true);
    let mut systems: Vec<&str> = records
        .iter()
        .filter_map(|r| r["system"].as_str())
        .collect();
    systems.sort_unstable();
    systems.dedup();
    let mut paths: Vec<&str> = records.iter().filter_map(|r| r["path"].as_str()).collect();
    paths.sort_unstable();
    json!({
        "kind": "RestoreTests",
        "count": records.len(),
        "passed": records.iter().filter(|r| r["passed"] == true).count(),
        "failed": records.iter().filter(|r| r["result"] == "fail").count(),
        "systems": systems,
        "paths": paths,
        "latest": latest.map_or(Value::Null, |r| brief(r)),
        "latest_date": latest.map_or(Value::Null, |r| r["date"].clone()),
        "latest_path": latest.map_or(Value::Null, |r| r["path"].clone()),
        "latest_pass": latest_pass.map_or(Value::Null, |r| brief(r)),
        "days_since_latest_pass": latest_pass.map_or(Value::Null, |r| r["days_since"].clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        "2024-06-01".parse().unwrap()
    }

    #[test]
    fn front_matter_fields() {
        let r = parse(
            "docs/restore-tests/2024-03-02-orders-db.md",
            "---\ndate: 2024-03-02\nsystem: orders-db\nresult: Passed\nrto_met: true\nrpo_met: false\nduration: 47m\n---\n# Orders database restore\n",
            today(),
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let d = &r.data;
        assert_eq!(d["kind"], "RestoreTest");
        assert_eq!(d["system"], "orders-db");
        assert_eq!(d["date"], "2024-03-02");
        assert_eq!(d["result"], "pass");
        assert_eq!(d["passed"], true);
        assert_eq!(d["rto_met"], true);
        assert_eq!(d["rpo_met"], false);
        assert_eq!(d["duration"], "47m");
        assert_eq!(d["days_since"], 91);
        assert_eq!(r.lines.line("/result"), Some(4));
        assert_eq!(r.lines.line("/days_since"), Some(2));
    }

    #[test]
    fn bad_records_are_located() {
        let r = parse("dr/restore-tests/a.md", "# Restore\n", today());
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].1.contains("needs YAML front matter"));
        assert_eq!(r.data["passed"], false);

        let r = parse(
            "dr/restore-tests/b.md",
            "---\ndate: last week\nsystem: vault\nresult: partial\n---\n",
            today(),
        );
        let problems: Vec<(u32, &str)> = r
            .problems
            .iter()
            .map(|(p, m)| (p.line, m.as_str()))
            .collect();
        assert_eq!(
            problems,
            vec![
                (2, "`date: last week` is not a date (YYYY-MM-DD)"),
                (4, "`result: partial` is neither pass nor fail"),
            ]
        );
        assert_eq!(r.data["date"], Value::Null);
        assert_eq!(r.data["result"], Value::Null);

        let r = parse(
            "dr/restore-tests/c.md",
            "---\ndate: 2024-07-01\nresult: pass\n---\n",
            today(),
        );
        let messages: Vec<&str> = r.problems.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "the front matter names no `system` of the restore test",
                "`date: 2024-07-01` is after the scan date 2024-06-01; the record is not counted",
            ]
        );
        assert_eq!(r.data["days_since"], Value::Null);
    }

    #[test]
    fn summary_of_records() {
        let records: Vec<Value> = [
            ("r/1.md", "2023-01-10", "pass", "db"),
            ("r/2.md", "2024-05-01", "fail", "db"),
            ("r/3.md", "2023-11-20", "pass", "vault"),
            ("r/4.md", "2022-01-01", "fail", "db"),
        ]
        .iter()
        .map(|(path, date, result, system)| {
            parse(
                path,
                &format!("---\ndate: {date}\nsystem: {system}\nresult: {result}\n---\n"),
                today(),
            )
            .data
        })
        .collect();
        let refs: Vec<&Value> = records.iter().collect();
        let s = summary(&refs);
        assert_eq!(s["count"], 4);
        assert_eq!(s["passed"], 2);
        assert_eq!(s["failed"], 2);
        assert_eq!(s["systems"], json!(["db", "vault"]));
        assert_eq!(s["latest_path"], "r/2.md");
        assert_eq!(s["latest"]["result"], "fail");
        assert_eq!(s["latest_pass"]["path"], "r/3.md");
        assert_eq!(s["days_since_latest_pass"], 194);

        let none = summary(&[]);
        assert_eq!(none["count"], 0);
        assert_eq!(none["latest"], Value::Null);
        assert_eq!(none["days_since_latest_pass"], Value::Null);
    }
}
