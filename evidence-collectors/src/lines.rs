//! Source positions of the nodes of a parsed document, keyed by RFC 6901 JSON pointer.

use std::collections::HashMap;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

/// Map from JSON pointer (`""` is the root, `/spec/containers/0`) to the position where that
/// node starts in the source. Keys of objects map to the position of the key.
#[derive(Debug, Clone, Default)]
pub struct LineMap {
    positions: HashMap<String, Position>,
    /// When set, only pointers whose every object key it accepts are recorded.
    keep: Option<fn(&str) -> bool>,
}

impl LineMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// A map that records only the nodes reached through object keys `keep` accepts (array
    /// indexes always pass). Readers of large documents that consult a few known paths (SBOMs)
    /// thus skip a pointer per leaf; other nodes are found at their nearest recorded ancestor.
    pub fn keeping(keep: fn(&str) -> bool) -> Self {
        Self {
            keep: Some(keep),
            ..Self::default()
        }
    }

    /// Records where the node at `pointer` starts.
    pub fn insert(&mut self, pointer: String, position: Position) {
        if let Some(keep) = self.keep {
            let is_index =
                |token: &str| !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
            if !pointer
                .split('/')
                .skip(1)
                .all(|token| is_index(token) || keep(token))
            {
                return;
            }
        }
        self.positions.insert(pointer, position);
    }

    /// Records that the node at `pointer` starts at byte `span.start` of the text `index`
    /// covers; nodes without a span (synthesised by a parser) are left out.
    pub fn insert_span(
        &mut self,
        index: &mut LineIndex,
        pointer: &str,
        span: Option<std::ops::Range<usize>>,
    ) {
        if let Some(span) = span {
            self.insert(pointer.to_owned(), index.position(span.start));
        }
    }

    /// The position of the node at `pointer`, or of its nearest recorded ancestor.
    pub fn position(&self, pointer: &str) -> Option<Position> {
        let mut current = pointer;
        loop {
            if let Some(position) = self.positions.get(current) {
                return Some(*position);
            }
            match current.rfind('/') {
                Some(index) => current = &current[..index],
                None => return None,
            }
        }
    }

    /// The line of the node at `pointer` (or of its nearest recorded ancestor).
    pub fn line(&self, pointer: &str) -> Option<u32> {
        self.position(pointer).map(|p| p.line)
    }

    /// Re-keys every pointer at or below `from` to sit below `to` instead (used when a node
    /// is wrapped into an array after the fact).
    pub fn move_prefix(&mut self, from: &str, to: &str) {
        let moved: Vec<(String, Position)> = self
            .positions
            .iter()
            .filter(|(k, _)| k.as_str() == from || k.starts_with(&format!("{from}/")))
            .map(|(k, v)| (format!("{to}{}", &k[from.len()..]), *v))
            .collect();
        self.positions
            .retain(|k, _| !(k.as_str() == from || k.starts_with(&format!("{from}/"))));
        self.positions.extend(moved);
    }

    pub fn len(&self) -> usize {
        self.positions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

/// Appends one reference token to a JSON pointer, escaping `~` and `/` as RFC 6901 requires.
pub fn pointer_push(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            _ => out.push(c),
        }
    }
    out
}

/// Converts byte offsets into 1-based positions whose columns count characters.
///
/// Lookups are a binary search over line starts plus a character count within the line; the
/// count resumes from the previous lookup when it is further along the same line, so visiting
/// the nodes of a long single-line document in order stays linear. Shared by the parsers whose
/// libraries report byte spans.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset at which each line starts.
    starts: Vec<usize>,
    /// The previous lookup: (line index, byte offset, column).
    last: (usize, usize, u32),
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self {
            text,
            starts,
            last: (0, 0, 1),
        }
    }

    /// The position of the byte at `offset` (clamped to the end of the text).
    pub fn position(&mut self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let (from, column) = match self.last {
            (last_line, last_offset, column) if last_line == line && last_offset <= offset => {
                (last_offset, column)
            }
            _ => (self.starts[line], 1),
        };
        let column = column + count_chars(&self.text.as_bytes()[from..offset]);
        self.last = (line, offset, column);
        Position::new(saturate(line + 1), column)
    }
}

/// Number of UTF-8 characters starting in `bytes`.
fn count_chars(bytes: &[u8]) -> u32 {
    saturate(bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count())
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_nearest_ancestor() {
        let mut map = LineMap::new();
        map.insert(String::new(), Position::new(1, 1));
        map.insert("/spec".into(), Position::new(4, 1));
        assert_eq!(map.line("/spec/containers/0"), Some(4));
        assert_eq!(map.line("/metadata"), Some(1));
    }

    #[test]
    fn keeping_records_kept_keys_and_indexes_only() {
        let mut map = LineMap::keeping(|key| key == "items");
        for (i, pointer) in ["", "/items", "/items/0", "/items/0/name", "/other/items"]
            .into_iter()
            .enumerate()
        {
            map.insert(pointer.into(), Position::new(i as u32 + 1, 1));
        }
        assert_eq!(map.len(), 3);
        assert_eq!(map.line("/items/0/name"), Some(3));
        assert_eq!(map.line("/other/items"), Some(1));
    }

    #[test]
    fn escapes_tokens() {
        assert_eq!(pointer_push("/a", "b/c~d"), "/a/b~1c~0d");
    }
}
