//! Source positions of the nodes of a parsed document, keyed by RFC 6901 JSON pointer.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

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
///
/// Pointers are stored as a tree of reference tokens, each token once under its parent, so a
/// node nested d deep under long keys costs its own key rather than all d keys above it.
#[derive(Debug, Clone)]
pub struct LineMap {
    /// Node 0 is the root (`""`); every other node is one token below its parent.
    nodes: Vec<Node>,
    /// Node id by (parent id, token).
    children: HashMap<(u32, Box<str>), u32>,
    /// How many nodes have a position.
    recorded: usize,
    /// When set, only pointers whose every object key it accepts are recorded.
    keep: Option<fn(&str) -> bool>,
    /// The last pointer inserted and the node of each of its tokens: parsers insert in
    /// document order, so the next pointer mostly shares a prefix with it and is resolved
    /// from there instead of from the root.
    trail: Box<(String, Vec<u32>)>,
    /// Pointers whose node and everything below it are positioned in another file (a planned
    /// resource at its `.tf` block, a rendered document at the file declaring it), by pointer.
    elsewhere: BTreeMap<String, Arc<str>>,
}

#[derive(Debug, Clone)]
struct Node {
    parent: u32,
    token: Box<str>,
    position: Option<Position>,
}

impl Default for LineMap {
    fn default() -> Self {
        Self {
            nodes: vec![Node {
                parent: 0,
                token: Box::from(""),
                position: None,
            }],
            children: HashMap::new(),
            recorded: 0,
            keep: None,
            trail: Box::default(),
            elsewhere: BTreeMap::new(),
        }
    }
}

/// The reference tokens of a pointer, still escaped.
fn tokens(pointer: &str) -> impl Iterator<Item = &str> {
    pointer
        .strip_prefix('/')
        .unwrap_or(pointer)
        .split('/')
        .filter(move |_| !pointer.is_empty())
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
            if !tokens(&pointer).all(|token| is_index(token) || keep(token)) {
                return;
            }
        }
        let (last, mut ids) = std::mem::take(&mut *self.trail);
        let shared = tokens(&pointer)
            .zip(tokens(&last))
            .take_while(|(a, b)| a == b)
            .count()
            .min(ids.len());
        ids.truncate(shared);
        let mut id = ids.last().copied().unwrap_or(0);
        for token in tokens(&pointer).skip(shared) {
            let next = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
            id = *self
                .children
                .entry((id, Box::from(token)))
                .or_insert_with(|| {
                    self.nodes.push(Node {
                        parent: id,
                        token: Box::from(token),
                        position: None,
                    });
                    next
                });
            ids.push(id);
        }
        *self.trail = (pointer, ids);
        self.set(id, Some(position));
    }

    fn set(&mut self, id: u32, position: Option<Position>) {
        let node = &mut self.nodes[id as usize];
        match (node.position.is_some(), position.is_some()) {
            (false, true) => self.recorded += 1,
            (true, false) => self.recorded -= 1,
            _ => {}
        }
        node.position = position;
    }

    /// The node at `pointer`, if any pointer at or below it was inserted.
    fn find(&self, pointer: &str) -> Option<u32> {
        let mut id = 0;
        for token in tokens(pointer) {
            id = *self.children.get(&(id, Box::from(token)))?;
        }
        Some(id)
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
        let mut id = 0;
        let mut found = self.nodes[0].position;
        for token in tokens(pointer) {
            match self.children.get(&(id, Box::from(token))) {
                Some(&child) => id = child,
                None => break,
            }
            found = self.nodes[id as usize].position.or(found);
        }
        found
    }

    /// The line of the node at `pointer` (or of its nearest recorded ancestor).
    pub fn line(&self, pointer: &str) -> Option<u32> {
        self.position(pointer).map(|p| p.line)
    }

    /// Re-keys every pointer at or below `from` to sit below `to` instead (used when a node
    /// is wrapped into an array after the fact).
    pub fn move_prefix(&mut self, from: &str, to: &str) {
        let Some(top) = self.find(from) else {
            return;
        };
        let mut moved = Vec::new();
        for id in 0..self.nodes.len() {
            let Some(position) = self.nodes[id].position else {
                continue;
            };
            // The tokens from `top` down to this node, if it lies at or below `top`.
            let mut suffix = Vec::new();
            let mut at = u32::try_from(id).unwrap_or(u32::MAX);
            while at != top && at != 0 {
                let node = &self.nodes[at as usize];
                suffix.push(&*node.token);
                at = node.parent;
            }
            if at == top {
                let path: String = suffix.iter().rev().map(|t| format!("/{t}")).collect();
                moved.push((id, format!("{to}{path}"), position));
            }
        }
        for (id, _, _) in &moved {
            self.set(u32::try_from(*id).unwrap_or(u32::MAX), None);
        }
        for (_, pointer, position) in moved {
            self.insert(pointer, position);
        }
    }

    /// Records that the node at `pointer` and every node below it are positioned in the file
    /// `path` (root-relative) rather than in the document's own; the positions recorded for
    /// them must be positions of that file, the node at `pointer` included.
    pub fn place_in(&mut self, pointer: &str, path: Arc<str>) {
        self.elsewhere.insert(pointer.to_string(), path);
    }

    /// The file the node at `pointer` is positioned in when it is not the document's own:
    /// that of its nearest ancestor (or itself) placed with [`LineMap::place_in`].
    pub fn file(&self, pointer: &str) -> Option<&Arc<str>> {
        if self.elsewhere.is_empty() {
            return None;
        }
        let mut best = self.elsewhere.get("");
        let mut at = String::with_capacity(pointer.len());
        for token in tokens(pointer) {
            at.push('/');
            at.push_str(token);
            best = self.elsewhere.get(&at).or(best);
        }
        best
    }

    pub fn len(&self) -> usize {
        self.recorded
    }

    pub fn is_empty(&self) -> bool {
        self.recorded == 0
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
    fn moves_a_subtree() {
        let mut map = LineMap::new();
        map.insert("/a".into(), Position::new(2, 1));
        map.insert("/a/b".into(), Position::new(3, 1));
        map.insert("/ab".into(), Position::new(9, 1));
        map.move_prefix("/a", "/a/0");
        assert_eq!(map.line("/a/0"), Some(2));
        assert_eq!(map.line("/a/0/b"), Some(3));
        assert_eq!(map.line("/a/b"), None, "no longer recorded");
        assert_eq!(map.line("/ab"), Some(9));
        assert_eq!(map.len(), 3);
    }

    #[test]
    fn long_keys_are_stored_once() {
        let mut map = LineMap::new();
        let mut pointer = String::new();
        for depth in 0..128 {
            pointer = pointer_push(&pointer, &format!("{depth}{}", "k".repeat(1024)));
            map.insert(pointer.clone(), Position::new(depth + 1, 1));
        }
        let stored: usize = map.nodes.iter().map(|n| n.token.len()).sum();
        assert!(stored < 130 * 1024, "{stored} bytes of tokens");
        assert_eq!(map.line(&pointer), Some(128));
        assert_eq!(map.line(&format!("{pointer}/deeper")), Some(128));
    }

    #[test]
    fn escapes_tokens() {
        assert_eq!(pointer_push("/a", "b/c~d"), "/a/b~1c~0d");
    }
}
