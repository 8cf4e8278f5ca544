//! What the files an AI system's inventory entry points at hold: the headings and front matter
//! keys of its Markdown documents, whether its notice tells people they deal with an AI, and
//! which metric names the Prometheus rule and exposition files of the tree mention.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::docs::policy;
use crate::formats::yaml;
use crate::lines::Position;

/// A Markdown (or plain text) document an inventory entry points at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    /// Whether the file exists inside the scan root and could be read.
    pub present: bool,
    /// Heading texts, in order.
    pub headings: Vec<String>,
    /// Top-level front matter keys, sorted.
    pub keys: Vec<String>,
    /// The first line that tells the reader they deal with an AI system.
    pub mentions_ai_line: Option<u32>,
    /// Problems with the front matter, with their position.
    pub problems: Vec<(Position, String)>,
}

/// Words that tell a reader they deal with an AI system: `AI` (capitals), artificial
/// intelligence, chatbot, language model, LLM, machine learning, automated or virtual
/// assistant.
static MENTIONS_AI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\bAI\b|\bLLMs?\b|(?i:\bartificial intelligence\b|\bchat ?bots?\b|\blanguage models?\b|\bmachine[- ]learning\b|\b(?:automated|virtual) (?:assistant|agent)s?\b)",
    )
    .expect("pattern compiles")
});

/// Reads the document `text`.
pub fn doc(text: &str) -> Doc {
    let matter = policy::front_matter(text);
    let mut keys: Vec<String> = matter
        .data
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    let mentions_ai_line = text
        .lines()
        .enumerate()
        .skip(matter.body_from)
        .find(|(_, line)| MENTIONS_AI.is_match(line))
        .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX));
    Doc {
        present: true,
        headings: policy::headings(text, matter.body_from)
            .into_iter()
            .map(|h| h.text)
            .collect(),
        keys,
        mentions_ai_line,
        problems: matter.problems,
    }
}

/// Reads the document at the root-relative `path` with `read` (absent: a document not
/// present); `read` confines the path to the scan root.
pub fn read_doc(path: &str, read: &dyn Fn(&str) -> Option<String>) -> Doc {
    read(path).map(|text| doc(&text)).unwrap_or_default()
}

/// The metric names a Prometheus exposition file mentions: sample names, and the family names
/// of `# TYPE` and `# HELP` lines.
pub fn exposition_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        let name = match line.strip_prefix('#') {
            Some(comment) => {
                let mut parts = comment.split_whitespace();
                match parts.next() {
                    Some("TYPE" | "HELP" | "UNIT") => parts.next(),
                    _ => None,
                }
            }
            None => line
                .split(|c: char| c == '{' || c.is_whitespace())
                .next()
                .filter(|n| !n.is_empty()),
        };
        if let Some(name) = name {
            add_name(&mut out, name);
        }
    }
    out
}

/// Whether a file may be a YAML rule file (it has `groups:`), judged on its raw bytes before
/// any decoding or parsing.
pub fn may_hold_rules(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"groups:").is_some()
}

/// The metric names the recording and alerting rules of a YAML rule file (rule groups or a
/// `PrometheusRule`) use or record; empty for other YAML and broken files.
pub fn rule_names(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if !may_hold_rules(text.as_bytes()) {
        return out;
    }
    let Ok(documents) = yaml::parse(text) else {
        return out;
    };
    for document in &documents {
        let groups = document
            .data
            .get("groups")
            .or_else(|| document.data.pointer("/spec/groups"));
        for rule in groups
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|g| g.get("rules").and_then(Value::as_array))
            .flatten()
        {
            for key in ["expr", "record"] {
                if let Some(text) = rule.get(key).and_then(Value::as_str) {
                    for token in identifiers(text) {
                        add_name(&mut out, token);
                    }
                }
            }
        }
    }
    out
}

/// The identifiers of a PromQL expression (metric names among function and label names).
fn identifiers(expr: &str) -> impl Iterator<Item = &str> {
    static IDENT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[a-zA-Z_:][a-zA-Z0-9_:]*").expect("pattern compiles"));
    IDENT.find_iter(expr).map(|m| m.as_str())
}

/// Adds a metric name and, for the series of a histogram, summary or counter, the name of
/// its family.
fn add_name(out: &mut BTreeSet<String>, name: &str) {
    for suffix in ["_bucket", "_sum", "_count", "_total", "_created"] {
        if let Some(family) = name.strip_suffix(suffix).filter(|f| !f.is_empty()) {
            out.insert(family.to_string());
        }
    }
    out.insert(name.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headings_keys_and_ai_mentions() {
        let text = "---\nlicense: mit\ndatasets: [tickets]\n---\n# Support assistant\n\nAnswers are written by an AI system.\n\n## Limitations\n";
        let d = doc(text);
        assert!(d.present);
        assert_eq!(d.headings, vec!["Support assistant", "Limitations"]);
        assert_eq!(d.keys, vec!["datasets", "license"]);
        assert_eq!(d.mentions_ai_line, Some(7));
        assert_eq!(doc("# Help\n\nSaid the sailor.\n").mentions_ai_line, None);
        assert_eq!(
            doc("You are chatting with a Chatbot.\n").mentions_ai_line,
            Some(1)
        );
    }

    #[test]
    fn names_from_exposition_files() {
        let text = "# HELP model_drift_score Drift.\n# TYPE model_drift_score gauge\nmodel_drift_score{model=\"a\"} 0.1\nllm_latency_seconds_bucket{le=\"1\"} 3\n";
        let names = exposition_names(text);
        assert!(names.contains("model_drift_score"));
        assert!(names.contains("llm_latency_seconds"));
        assert!(names.contains("llm_latency_seconds_bucket"));
        assert!(!names.contains("le"));
    }

    #[test]
    fn names_from_rule_files() {
        let text = "groups:\n  - name: ai\n    rules:\n      - record: ai:override_rate:ratio\n        expr: sum(rate(ai_overrides_total[1h])) / sum(rate(ai_decisions_total[1h]))\n";
        let names = rule_names(text);
        assert!(names.contains("ai:override_rate:ratio"));
        assert!(names.contains("ai_overrides_total"));
        assert!(names.contains("ai_decisions"));
        assert!(rule_names("a: 1\n").is_empty());
        assert!(rule_names("groups: [\n").is_empty());
        assert!(may_hold_rules(text.as_bytes()));
        assert!(!may_hold_rules(b"kind: Deployment\nspec: {replicas: 2}\n"));
        assert!(!may_hold_rules(b"\xff\xfe groups \n"));
    }
}
