//! The document templates (`templates/documents`, embedded in the binary) and the filters the
//! Markdown templates write user text with: `md` for text, `code` for code spans. Both keep a
//! value on one line and escape `|`, so table rows stay whole.

use include_dir::{include_dir, Dir};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{Environment, UndefinedBehavior};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../templates/documents");

/// The compiled templates.
pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The templates embedded in the binary.
    pub fn builtin() -> Result<Templates, String> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| e.to_string())?;
        env.set_syntax(syntax);
        env.add_filter("md", |v: Value| md(&text(&v)));
        env.add_filter("code", |v: Value| code(&text(&v)));
        for file in BUILTIN.files() {
            let name = file.path().to_string_lossy().to_string();
            let source = file
                .contents_utf8()
                .ok_or_else(|| format!("template `{name}` is not UTF-8"))?;
            env.add_template_owned(name.clone(), source.to_string())
                .map_err(|e| format!("builtin:templates/documents/{name}: {e}"))?;
        }
        Ok(Templates { env })
    }

    /// Renders the template `name` with `context`.
    pub fn render(&self, name: &str, context: Value) -> Result<String, String> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(context))
            .map_err(|e| {
                format!(
                    "cannot render the document template `{}`{}: {e}",
                    e.name().unwrap_or(name),
                    e.line().map_or_else(String::new, |l| format!(":{l}"))
                )
            })
    }
}

/// A template value as text (strings without quotes).
fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// User text for Markdown, on one line: Markdown and HTML syntax escaped outside its `code
/// spans`, which render literally anyway (only `|` is escaped inside them).
pub fn md(s: &str) -> String {
    crate::report::markdown::inline(&one_line(s), true)
}

/// User text as a Markdown code span, on one line. Backticks are swapped for a lookalike so
/// the span stays closed; `|` is escaped, which tables need even inside code spans.
pub fn code(s: &str) -> String {
    format!("`{}`", one_line(s).replace('`', "ˋ").replace('|', "\\|"))
}

/// Control characters (newlines included) as spaces, runs of spaces as one.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control() || c == ' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_stays_in_its_cell() {
        assert_eq!(md("a | b\nc"), "a \\| b c");
        assert_eq!(
            md("<b>*x*</b> & [y](z)"),
            "&lt;b&gt;\\*x\\*&lt;/b&gt; &amp; \\[y\\](z)"
        );
        assert_eq!(code("x|`y`"), "`x\\|ˋyˋ`");
        assert_eq!(md("run `a_b | c` then *d*"), "run `a_b \\| c` then \\*d\\*");
        assert_eq!(md("odd ` tick_x"), "odd \\` tick\\_x");
    }

    #[test]
    fn every_builtin_template_compiles() {
        let t = Templates::builtin().unwrap();
        let period = std::iter::once("period");
        for name in super::super::Kind::ALL
            .map(|k| k.template())
            .into_iter()
            .chain(period)
        {
            for ext in ["md", "html"] {
                assert!(
                    t.env.get_template(&format!("{name}.{ext}")).is_ok(),
                    "{name}.{ext}"
                );
            }
        }
    }
}
