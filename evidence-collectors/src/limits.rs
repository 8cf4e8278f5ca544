//! What any single input may cost: nesting depth, YAML alias expansion, line length, pack
//! sizes, and the per-control budget of a check. Inputs over a limit are reported (file:line
//! and the limit's name), never allowed to exhaust the stack, memory or time.
//!
//! [`Limits`] holds the ones `assay.yaml` can change (its `limits:` section); the constants are
//! fixed bounds far above what real files need.

use serde::Deserialize;

/// The limits `assay.yaml` can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Wall time one control's check may take over all its inputs, in seconds.
    pub check_seconds: u64,
    /// Longest line a line-oriented evidence file (an audit log) may have, in bytes; longer
    /// lines are reported and skipped.
    pub line_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            check_seconds: 60,
            line_bytes: 16 << 20,
        }
    }
}

/// Deepest nesting of objects, arrays, blocks or parentheses any parser accepts (serde_json
/// stops at 128 too). Deeper input is a parse error at the node that goes too deep.
pub const MAX_DEPTH: usize = 128;

/// The fewest nodes YAML aliases may add to a document, whatever its size.
pub const ALIAS_NODES_MIN: usize = 100_000;

/// Nodes YAML aliases may add per byte of the document, above [`ALIAS_NODES_MIN`].
pub const ALIAS_NODES_PER_BYTE: usize = 10;

/// The most nodes YAML aliases may add to one document, whatever its size: each node costs
/// memory (its value and its position), so the budget may not grow with the file unbounded.
pub const ALIAS_NODES_MAX: usize = 1_000_000;

/// Largest `manifest.json` read from a pack.
pub const PACK_MANIFEST_BYTES: u64 = 64 << 20;

/// Largest OSCAL document (catalog or profile) read for an import.
pub const OSCAL_DOCUMENT_BYTES: u64 = 256 << 20;

/// Most bytes read from a pack, all files together (after decompression).
pub const PACK_TOTAL_BYTES: u64 = 4 << 30;

/// Most elements one call of Rego's `numbers.range`/`numbers.range_step` may build.
pub const RANGE_ELEMENTS: u64 = 1_000_000;

/// Most authorization requests one Cedar question may make of one access model (principals
/// times actions).
pub const CEDAR_REQUESTS: usize = 1_000_000;

/// How many nodes YAML aliases may add to a document of `text_len` bytes.
pub fn alias_node_budget(text_len: usize) -> usize {
    ALIAS_NODES_MIN
        .max(text_len.saturating_mul(ALIAS_NODES_PER_BYTE))
        .min(ALIAS_NODES_MAX)
}

/// The message of a parse error for input nested deeper than [`MAX_DEPTH`].
pub fn too_deep() -> String {
    format!("nested deeper than {MAX_DEPTH} levels (the nesting limit)")
}

/// The byte offset where the nesting of `open`/`close` brackets in `text` first exceeds
/// `limit`, if it does; with `skip_strings`, brackets inside double-quoted strings (with
/// backslash escapes) do not count. Lets a recursive parser be refused input it would
/// overflow the stack on.
pub fn bracket_depth_over(
    text: &str,
    open: &[u8],
    close: &[u8],
    limit: usize,
    skip_strings: bool,
) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (at, &b) in text.as_bytes().iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' && skip_strings {
            in_string = true;
        } else if open.contains(&b) {
            depth += 1;
            if depth > limit {
                return Some(at);
            }
        } else if close.contains(&b) {
            depth = depth.saturating_sub(1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracket_depth_ignores_strings() {
        assert_eq!(bracket_depth_over("((()))", b"(", b")", 3, true), None);
        assert_eq!(bracket_depth_over("(((())))", b"(", b")", 3, true), Some(3));
        let quoted = r#"("((((\"((")"#;
        assert_eq!(bracket_depth_over(quoted, b"(", b")", 1, true), None);
        assert_eq!(bracket_depth_over(quoted, b"(", b")", 1, false), Some(2));
        assert_eq!(bracket_depth_over("{[{[", b"{[", b"}]", 3, true), Some(3));
    }

    #[test]
    fn alias_budget_grows_with_the_document() {
        assert_eq!(alias_node_budget(400), ALIAS_NODES_MIN);
        assert_eq!(alias_node_budget(50_000), 500_000);
        assert_eq!(alias_node_budget(2 << 20), ALIAS_NODES_MAX);
    }
}
