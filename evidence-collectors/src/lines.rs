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
}

impl LineMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records where the node at `pointer` starts.
    pub fn insert(&mut self, pointer: String, position: Position) {
        self.positions.insert(pointer, position);
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
    fn escapes_tokens() {
        assert_eq!(pointer_push("/a", "b/c~d"), "/a/b~1c~0d");
    }
}
