//! Rego modules with where they came from, and regorus's error texts turned into located
//! diagnostics and one-line messages.

use assay_collectors::Position;

use crate::diag::Diagnostic;

/// One Rego module: its text and how its positions map into the file a user edits.
#[derive(Debug, Clone)]
pub struct ModuleSource {
    /// The file in messages: the `.rego` file, or `control.yaml` for an inline module.
    pub file: String,
    pub text: String,
    /// Lines before the module's first line in `file` (inline modules).
    pub line_offset: u32,
    /// Columns before the module's text on each line in `file` (the indentation of an inline
    /// block).
    pub column_offset: u32,
}

impl ModuleSource {
    /// A module that is a file of its own.
    pub fn file(file: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            text: text.into(),
            line_offset: 0,
            column_offset: 0,
        }
    }

    /// The position in `file` of a line and column regorus reports for the module. regorus
    /// counts a tab as four columns; the position counts characters.
    pub fn position(&self, line: u32, column: u32) -> Position {
        let text = self
            .text
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or_default();
        let mut seen = 1;
        let mut chars = 1;
        for c in text.chars() {
            if seen >= column {
                break;
            }
            seen += if c == '\t' { 4 } else { 1 };
            chars += 1;
        }
        Position::new(line + self.line_offset, chars + self.column_offset)
    }
}

/// A problem regorus reported, split into its location and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegoError {
    /// The module's name as given to regorus, its line and its column.
    pub at: Option<(String, u32, u32)>,
    pub message: String,
}

impl RegoError {
    /// Reads regorus's error text: `\n--> file:line:col\n  |\n…\nerror: message`. Texts of
    /// another shape are kept whole, on one line.
    pub fn parse(text: &str) -> RegoError {
        let at = text.lines().find_map(|line| {
            let rest = line.trim_start().strip_prefix("--> ")?;
            let mut parts = rest.rsplitn(3, ':');
            let column = parts.next()?.trim().parse().ok()?;
            let line = parts.next()?.trim().parse().ok()?;
            Some((parts.next()?.to_string(), line, column))
        });
        let message = match text.lines().find_map(|l| l.strip_prefix("error: ")) {
            Some(m) => m.trim_end_matches(':').trim().to_string(),
            None => text.split_whitespace().collect::<Vec<_>>().join(" "),
        };
        RegoError { at, message }
    }

    /// The module the error is in and its position there, mapped into the user's file.
    fn located<'m>(&self, modules: &'m [ModuleSource]) -> Option<(&'m ModuleSource, Position)> {
        let (name, line, column) = self.at.as_ref()?;
        let module = modules.iter().find(|m| &m.file == name)?;
        Some((module, module.position(*line, *column)))
    }

    /// A diagnostic at the error's position (or at `fallback` when regorus gave none).
    pub fn diagnostic(&self, modules: &[ModuleSource], fallback: &str) -> Diagnostic {
        match self.located(modules) {
            Some((module, position)) => {
                Diagnostic::new(&module.file, &self.message).at(Some(position))
            }
            None => Diagnostic::new(fallback, &self.message),
        }
    }

    /// `file:line:column: message`, or the message alone when there is no position.
    pub fn one_line(&self, modules: &[ModuleSource]) -> String {
        match self.located(modules) {
            Some((module, p)) => {
                format!("{}:{}:{}: {}", module.file, p.line, p.column, self.message)
            }
            None => self.message.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_location_and_message() {
        let text = "\n--> builtin:controls/k/p.rego:4:7\n  |\n4 |   msg := x\n  |       ^\nerror: expecting `}` while parsing set";
        let e = RegoError::parse(text);
        assert_eq!(e.at, Some(("builtin:controls/k/p.rego".into(), 4, 7)));
        assert_eq!(e.message, "expecting `}` while parsing set");
    }

    #[test]
    fn maps_inline_positions_into_the_control_file() {
        let inline = ModuleSource {
            file: "c/control.yaml".into(),
            text: "package p\n\ndeny if {\n".into(),
            line_offset: 12,
            column_offset: 6,
        };
        let e = RegoError {
            at: Some(("c/control.yaml".into(), 3, 5)),
            message: "boom".into(),
        };
        assert_eq!(e.one_line(&[inline]), "c/control.yaml:15:11: boom");
        let d = e.diagnostic(&[], "c/control.yaml");
        assert_eq!(d.to_string(), "c/control.yaml: error: boom");
    }

    #[test]
    fn counts_a_tab_as_one_character() {
        let module = ModuleSource::file("p.rego", "package p\n\tmsg := 1\n");
        assert_eq!(module.position(2, 9), Position::new(2, 6));
        assert_eq!(module.position(1, 3), Position::new(1, 3));
    }

    #[test]
    fn keeps_texts_without_location_on_one_line() {
        let e = RegoError::parse("execution exceeded time limit\n(elapsed=1ns)");
        assert_eq!(e.at, None);
        assert_eq!(e.message, "execution exceeded time limit (elapsed=1ns)");
    }
}
