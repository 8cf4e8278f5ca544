//! `glob.match` as OPA has it (the syntax of Go's `gobwas/glob`): `*` matches any run of
//! characters other than the delimiters, `**` any run at all, `?` one non-delimiter
//! character, `[abc]`, `[a-z]` and `[!…]` classes, `{a,b}` alternatives (which may nest),
//! and `\` escapes. An empty delimiter list means `["."]`; `null` means none.
//!
//! Patterns are translated to anchored regular expressions, kept per thread for reuse.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

/// How many compiled patterns a thread keeps before starting over.
const CACHE_LIMIT: usize = 512;

thread_local! {
    static CACHE: RefCell<HashMap<(String, Vec<char>), Regex>> = RefCell::new(HashMap::new());
}

/// Whether `text` matches `pattern` with `delimiters` (`None`: no delimiters).
pub fn matches(pattern: &str, delimiters: Option<Vec<char>>, text: &str) -> Result<bool, String> {
    let delimiters = match delimiters {
        Some(d) if d.is_empty() => vec!['.'],
        Some(d) => d,
        None => Vec::new(),
    };
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (pattern.to_string(), delimiters);
        if let Some(re) = cache.get(&key) {
            return Ok(re.is_match(text));
        }
        let re = compile(pattern, &key.1)?;
        let found = re.is_match(text);
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, re);
        Ok(found)
    })
}

fn compile(pattern: &str, delimiters: &[char]) -> Result<Regex, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut pos = 0;
    let body = translate(&chars, &mut pos, delimiters, false)?;
    if pos < chars.len() {
        return Err(format!("unexpected `{}` in glob `{pattern}`", chars[pos]));
    }
    Regex::new(&format!("(?s)^(?:{body})$")).map_err(|e| format!("glob `{pattern}`: {e}"))
}

/// Translates from `pos` up to the end, or (inside `{…}`) up to an unnested `,` or `}`.
fn translate(
    chars: &[char],
    pos: &mut usize,
    delimiters: &[char],
    in_alternatives: bool,
) -> Result<String, String> {
    let not_delimiter = if delimiters.is_empty() {
        ".".to_string()
    } else {
        let set: String = delimiters
            .iter()
            .map(|d| regex::escape(&d.to_string()))
            .collect();
        format!("[^{set}]")
    };
    let mut out = String::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        match c {
            ',' | '}' if in_alternatives => return Ok(out),
            '*' => {
                if chars.get(*pos + 1) == Some(&'*') {
                    while chars.get(*pos + 1) == Some(&'*') {
                        *pos += 1;
                    }
                    out.push_str(".*");
                } else {
                    out.push_str(&format!("{not_delimiter}*"));
                }
            }
            '?' => out.push_str(&not_delimiter),
            '\\' => {
                *pos += 1;
                let escaped = chars.get(*pos).ok_or("glob ends with `\\`")?;
                out.push_str(&regex::escape(&escaped.to_string()));
            }
            '[' => out.push_str(&class(chars, pos)?),
            '{' => {
                let mut options = Vec::new();
                loop {
                    *pos += 1;
                    options.push(translate(chars, pos, delimiters, true)?);
                    match chars.get(*pos) {
                        Some(',') => continue,
                        Some('}') => break,
                        _ => return Err("unclosed `{` in glob".into()),
                    }
                }
                out.push_str(&format!("(?:{})", options.join("|")));
            }
            c => out.push_str(&regex::escape(&c.to_string())),
        }
        *pos += 1;
    }
    if in_alternatives {
        return Err("unclosed `{` in glob".into());
    }
    Ok(out)
}

/// A `[…]` class starting at `pos`; leaves `pos` on its `]`.
fn class(chars: &[char], pos: &mut usize) -> Result<String, String> {
    *pos += 1;
    let negated = chars.get(*pos) == Some(&'!');
    if negated {
        *pos += 1;
    }
    let mut items = String::new();
    while let Some(&c) = chars.get(*pos) {
        if c == ']' {
            let open = if negated { "[^" } else { "[" };
            return Ok(format!("{open}{items}]"));
        }
        if chars.get(*pos + 1) == Some(&'-') && chars.get(*pos + 2).is_some_and(|e| *e != ']') {
            let end = chars[*pos + 2];
            items.push_str(&format!(
                "{}-{}",
                regex::escape(&c.to_string()),
                regex::escape(&end.to_string())
            ));
            *pos += 3;
        } else {
            items.push_str(&regex::escape(&c.to_string()));
            *pos += 1;
        }
    }
    Err("unclosed `[` in glob".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, delimiters: &[char], text: &str) -> bool {
        matches(pattern, Some(delimiters.to_vec()), text).expect("valid glob")
    }

    #[test]
    fn stars_stop_at_delimiters_and_double_stars_do_not() {
        assert!(m("refs/heads/release/*", &['/'], "refs/heads/release/1.0"));
        assert!(!m(
            "refs/heads/release/*",
            &['/'],
            "refs/heads/release/1.0/hotfix"
        ));
        assert!(m("refs/tags/**", &['/'], "refs/tags/v1/rc"));
        assert!(m("**.env", &['/'], "x/y/prod.env"));
        assert!(m("**.env", &['/'], ".env"));
        assert!(!m("*.env", &['/'], "config/.env"));
    }

    #[test]
    fn empty_delimiters_mean_dot_and_null_means_none() {
        assert!(m("*.{pem,key}", &[], "certs/server.pem"));
        assert!(!m("*.pem", &[], "a.b.pem"));
        assert!(matches("*.pem", None, "a.b.pem").unwrap());
    }

    #[test]
    fn classes_alternatives_and_escapes() {
        assert!(m("[a-c]?[!x]", &[], "bzy"));
        assert!(!m("[a-c]?[!x]", &[], "bzx"));
        assert!(m("{api,web{-*,}}.example.com", &[], "web-1.example.com"));
        assert!(m("\\*", &[], "*"));
        assert!(matches("[ab", Some(vec![]), "a").is_err());
    }
}
