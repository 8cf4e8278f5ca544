//! Inline suppressions: `# assay:ignore CONTROL-ID reason text` comments in config files,
//! captured from the raw text while the file is collected so that nothing is read twice.
//!
//! A comment starts with `#` (YAML, TOML, HCL, `.env`, Dockerfile) or `//` (HCL) at the start
//! of a line or after whitespace; Dockerfile comments must stand on a line of their own. JSON
//! has no comments and so no suppressions. Which finding a suppression covers (its own line
//! or the line below) and whether it is allowed is decided by the engine.

use memchr::memmem;

use crate::document::Format;
use crate::lines::Position;

/// The word that starts a suppression inside a comment.
pub const MARKER: &str = "assay:ignore";

/// One `assay:ignore` comment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Suppression {
    /// Where the comment's marker starts.
    pub position: Position,
    /// The control id named after the marker; empty when none is given.
    pub control: String,
    /// The text after the control id; `None` when nothing follows it.
    pub reason: Option<String>,
}

/// The comment openers of `format`, and whether a comment may follow code on the same line.
fn comment_syntax(format: Format) -> Option<(&'static [&'static str], bool)> {
    match format {
        Format::Yaml | Format::Toml | Format::Dotenv => Some((&["#"], true)),
        Format::Hcl => Some((&["#", "//"], true)),
        Format::Dockerfile => Some((&["#"], false)),
        // JSON has no comments; the other formats are not read as configuration.
        _ => None,
    }
}

/// Every suppression comment in `text`, in source order.
pub fn scan(format: Format, text: &str) -> Vec<Suppression> {
    let Some((openers, trailing)) = comment_syntax(format) else {
        return Vec::new();
    };
    if memmem::find(text.as_bytes(), MARKER.as_bytes()).is_none() {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| line.contains(MARKER))
        .filter_map(|(index, line)| {
            let at = marker_in_comment(line, openers, trailing)?;
            let column = line[..at].chars().count() as u32 + 1;
            let rest = &line[at + MARKER.len()..];
            // `assay:ignored` or `assay:ignore-foo` are other words, not the marker.
            if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
                return None;
            }
            let rest = rest.trim().trim_end_matches("*/").trim_end();
            let (control, reason) = match rest.split_once(char::is_whitespace) {
                Some((control, reason)) => (control, Some(reason.trim())),
                None => (rest, None),
            };
            Some(Suppression {
                position: Position::new(index as u32 + 1, column),
                control: control.to_string(),
                reason: reason.filter(|r| !r.is_empty()).map(str::to_string),
            })
        })
        .collect()
}

/// The byte offset of the marker when it is the first word of a comment on `line`.
fn marker_in_comment(line: &str, openers: &[&str], trailing: bool) -> Option<usize> {
    let indent = line.len() - line.trim_start().len();
    openers.iter().find_map(|opener| {
        line.match_indices(opener).find_map(|(at, _)| {
            let starts_line = at == indent;
            let after_space = trailing && line[..at].ends_with([' ', '\t']);
            if !(starts_line || after_space) {
                return None;
            }
            let body = &line[at + opener.len()..];
            let gap = body.len() - body.trim_start().len();
            body.trim_start()
                .starts_with(MARKER)
                .then_some(at + opener.len() + gap)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(format: Format, text: &str) -> Vec<(u32, u32, String, Option<String>)> {
        scan(format, text)
            .into_iter()
            .map(|s| (s.position.line, s.position.column, s.control, s.reason))
            .collect()
    }

    #[test]
    fn reads_control_and_reason_on_own_and_trailing_lines() {
        let text =
            "a: 1\n# assay:ignore k8s-x legacy pod, removed in Q3\nb: 2 # assay:ignore k8s-y\n";
        assert_eq!(
            found(Format::Yaml, text),
            vec![
                (
                    2,
                    3,
                    "k8s-x".to_string(),
                    Some("legacy pod, removed in Q3".to_string())
                ),
                (3, 8, "k8s-y".to_string(), None),
            ]
        );
    }

    #[test]
    fn hcl_accepts_slashes_and_block_comment_ends() {
        let text = "resource \"a\" \"b\" { // assay:ignore tf-x kept for the demo */\n}\n";
        assert_eq!(
            found(Format::Hcl, text),
            vec![(
                1,
                23,
                "tf-x".to_string(),
                Some("kept for the demo".to_string())
            )]
        );
        assert!(found(Format::Yaml, "a: 1 // assay:ignore tf-x why\n").is_empty());
    }

    #[test]
    fn dockerfile_comments_stand_alone() {
        let text =
            "# assay:ignore docker-x base image is internal\nRUN echo # assay:ignore docker-y no\n";
        assert_eq!(
            found(Format::Dockerfile, text),
            vec![(
                1,
                3,
                "docker-x".to_string(),
                Some("base image is internal".to_string())
            )]
        );
    }

    #[test]
    fn ignores_strings_json_and_longer_words() {
        assert!(found(Format::Yaml, "a: \"x#assay:ignore k8s-x why\"\n").is_empty());
        assert!(found(Format::Yaml, "# assay:ignored k8s-x why\n").is_empty());
        assert!(found(Format::Json, "{\"a\": \"# assay:ignore k8s-x why\"}").is_empty());
        assert_eq!(
            found(Format::Toml, "# assay:ignore\n"),
            vec![(1, 3, String::new(), None)]
        );
    }
}
