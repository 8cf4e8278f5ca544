//! Diagnostics: errors a user can cause, each with file:line:column, the offending key, what
//! was expected and a hint.

use std::fmt;

use assay_collectors::Position;

/// One problem in a user-supplied file (control, mapping, config).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    pub position: Option<Position>,
    /// The key or JSON pointer the problem is about, e.g. `/check/assert/all/0/path`.
    pub key: Option<String>,
    pub message: String,
    pub expected: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            position: None,
            key: None,
            message: message.into(),
            expected: None,
            hint: None,
        }
    }

    pub fn at(mut self, position: Option<Position>) -> Self {
        self.position = position;
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `file:line:column`, or just `file` when the position is unknown.
    pub fn location(&self) -> String {
        match self.position {
            Some(p) => format!("{}:{}:{}", self.file, p.line, p.column),
            None => self.file.clone(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: error: {}", self.location(), self.message)?;
        if let Some(key) = &self.key {
            write!(f, "\n  key: `{key}`")?;
        }
        if let Some(expected) = &self.expected {
            write!(f, "\n  expected: {expected}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The closest candidate to `input`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(input, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_key_expected_and_hint() {
        let d = Diagnostic::new("c.yaml", "unknown key `severty`")
            .at(Some(Position::new(3, 1)))
            .key("/severty")
            .expected("one of `id`, `severity`")
            .hint("did you mean `severity`?");
        assert_eq!(
            d.to_string(),
            "c.yaml:3:1: error: unknown key `severty`\n  key: `/severty`\n  expected: one of `id`, `severity`\n  hint: did you mean `severity`?"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("severty", ["severity", "title"]),
            Some("severity")
        );
        assert_eq!(did_you_mean("zzz", ["severity", "title"]), None);
    }
}
