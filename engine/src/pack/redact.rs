//! The redaction pass run over every evidence file before it is kept: private key blocks, AWS
//! access key ids, JWTs and the values of `password` / `secret` / `token` / `api_key`
//! assignments are replaced with `[REDACTED:<kind>]`. Line breaks are never touched, so line
//! numbers in findings still point at the same lines.

use std::sync::LazyLock;

use regex::bytes::{Captures, Regex};
use serde::{Deserialize, Serialize};

/// One replaced value: the 1-based line it was on and what it looked like.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Redaction {
    pub line: u32,
    pub kind: String,
}

static PEM_BEGIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----").expect("regex"));
static PEM_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----END [A-Z0-9 ]*PRIVATE KEY-----").expect("regex"));
/// A whole key on one line, as in a JSON string with `\n` escapes.
static PEM_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(.*?)(-----END [A-Z0-9 ]*PRIVATE KEY-----)")
        .expect("regex")
});
static BASE64_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/=]{8,}").expect("regex"));
static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*").expect("regex")
});
static AWS_KEY_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b").expect("regex")
});
/// `key = value`, `key: value`, `"key": "value"`, `KEY=value` where the key names a secret.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?P<key>[a-z0-9_.-]*(?P<word>password|passwd|secret|token|api[_-]?key)[a-z0-9_.-]*)["']?[ \t]*[:=][ \t]*(?:"(?P<dq>[^"\n]*)"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s"',;#{}\[\]()]+))"#,
    )
    .expect("regex")
});
/// Key endings that name a secret without holding one (`secretName`, `token_ttl`, ...).
const NOT_A_SECRET_KEY: [&str; 9] = [
    "name", "ref", "arn", "path", "file", "length", "policy", "ttl", "type",
];

/// Redacts `bytes`, returning the redacted bytes and every redaction, in line order.
pub fn redact(bytes: &[u8]) -> (Vec<u8>, Vec<Redaction>) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut redactions = Vec::new();
    let mut in_key_block = false;
    for (index, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let mut kinds = Vec::new();
        let mut text = line.to_vec();
        if in_key_block {
            if PEM_END.is_match(&text) {
                in_key_block = false;
            } else {
                text = replace(&BASE64_RUN, &text, "private_key", &mut kinds);
            }
        } else {
            text = replace_inline_keys(&text, &mut kinds);
            if PEM_BEGIN.is_match(&text) && !PEM_END.is_match(&text) {
                in_key_block = true;
            }
            text = replace(&JWT, &text, "jwt", &mut kinds);
            text = replace(&AWS_KEY_ID, &text, "aws_access_key_id", &mut kinds);
            text = replace_assignments(&text, &mut kinds);
        }
        redactions.extend(
            kinds
                .into_iter()
                .map(|kind| Redaction { line: number, kind }),
        );
        out.extend_from_slice(&text);
    }
    (out, redactions)
}

fn marker(kind: &str) -> Vec<u8> {
    format!("[REDACTED:{kind}]").into_bytes()
}

fn replace(re: &Regex, text: &[u8], kind: &str, kinds: &mut Vec<String>) -> Vec<u8> {
    let mut hit = false;
    let replaced = re.replace_all(text, |_: &Captures| {
        hit = true;
        marker(kind)
    });
    if hit {
        kinds.push(kind.to_string());
    }
    replaced.into_owned()
}

fn replace_inline_keys(text: &[u8], kinds: &mut Vec<String>) -> Vec<u8> {
    let mut hit = false;
    let replaced = PEM_INLINE.replace_all(text, |c: &Captures| {
        hit = true;
        let mut v = c[1].to_vec();
        v.extend(marker("private_key"));
        v.extend_from_slice(&c[3]);
        v
    });
    if hit {
        kinds.push("private_key".to_string());
    }
    replaced.into_owned()
}

fn replace_assignments(text: &[u8], kinds: &mut Vec<String>) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut last = 0;
    for c in ASSIGNMENT.captures_iter(text) {
        let Some(value) = c
            .name("dq")
            .or_else(|| c.name("sq"))
            .or_else(|| c.name("bare"))
        else {
            continue;
        };
        let key = String::from_utf8_lossy(&c["key"]).to_ascii_lowercase();
        if !holds_secret(&key, value.as_bytes()) {
            continue;
        }
        let word = String::from_utf8_lossy(&c["word"]).to_ascii_lowercase();
        let kind = match word.as_str() {
            "passwd" => "password".to_string(),
            w if w.starts_with("api") => "api_key".to_string(),
            w => w.to_string(),
        };
        out.extend_from_slice(&text[last..value.start()]);
        out.extend(marker(&kind));
        last = value.end();
        kinds.push(kind);
    }
    out.extend_from_slice(&text[last..]);
    out
}

/// Whether an assignment to `key` of `value` looks like a literal secret rather than a
/// number, a flag, a reference to one (`${DB_PASSWORD}`, `var.db_password`) or a name.
fn holds_secret(key: &str, value: &[u8]) -> bool {
    let value = String::from_utf8_lossy(value);
    let v = value.trim();
    if v.is_empty()
        || v.starts_with('$')
        || v.starts_with("[REDACTED:")
        || v.parse::<f64>().is_ok()
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "none" | "yes" | "no" | "~"
        )
    {
        return false;
    }
    let reference = ["var.", "local.", "data.", "module.", "each.", "self."];
    if reference.iter().any(|r| v.starts_with(r)) {
        return false;
    }
    let key = key.trim_end_matches(['_', '-', '.']);
    !NOT_A_SECRET_KEY.iter().any(|end| key.ends_with(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (String, Vec<(u32, String)>) {
        let (out, r) = redact(text.as_bytes());
        (
            String::from_utf8(out).unwrap(),
            r.into_iter().map(|r| (r.line, r.kind)).collect(),
        )
    }

    #[test]
    fn assignments_in_every_syntax() {
        let (out, r) = run(concat!(
            "db_password = \"hunter2\"\n",
            "api_token: abc123\n",
            "{\"clientSecret\": \"s3cr3t\"}\n",
            "ENV NPM_TOKEN=xyz\n",
            "API_KEY='k'\n",
        ));
        assert_eq!(
            out,
            concat!(
                "db_password = \"[REDACTED:password]\"\n",
                "api_token: [REDACTED:token]\n",
                "{\"clientSecret\": \"[REDACTED:secret]\"}\n",
                "ENV NPM_TOKEN=[REDACTED:token]\n",
                "API_KEY='[REDACTED:api_key]'\n",
            )
        );
        assert_eq!(
            r,
            vec![
                (1, "password".into()),
                (2, "token".into()),
                (3, "secret".into()),
                (4, "token".into()),
                (5, "api_key".into())
            ]
        );
    }

    #[test]
    fn references_numbers_and_names_are_kept() {
        let text = concat!(
            "password = var.db_password\n",
            "token_ttl = 3600\n",
            "secretName: tls-cert\n",
            "password: ${DB_PASSWORD}\n",
            "minimum_password_length = 14\n",
            "require_token: true\n",
        );
        let (out, r) = run(text);
        assert_eq!(out, text);
        assert!(r.is_empty());
    }

    #[test]
    fn private_key_block_keeps_its_lines() {
        let text = "key: |\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIEpAIBAAKCAQEA7\n  abcdEFGH1234==\n  -----END RSA PRIVATE KEY-----\nafter: 1\n";
        let (out, r) = run(text);
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(out.contains("  [REDACTED:private_key]\n  [REDACTED:private_key]\n"));
        assert!(out.ends_with("-----END RSA PRIVATE KEY-----\nafter: 1\n"));
        assert_eq!(
            r,
            vec![(3, "private_key".into()), (4, "private_key".into())]
        );
    }

    #[test]
    fn inline_key_aws_key_and_jwt() {
        let (out, r) = run(concat!(
            "{\"k\": \"-----BEGIN PRIVATE KEY-----\\nMIIBVQ\\n-----END PRIVATE KEY-----\\n\"}\n",
            "aws_access_key_id AKIAIOSFODNN7EXAMPLE\n",
            "auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-x\n",
        ));
        assert!(out.starts_with(
            "{\"k\": \"-----BEGIN PRIVATE KEY-----[REDACTED:private_key]-----END PRIVATE KEY-----"
        ));
        assert!(out.contains("aws_access_key_id [REDACTED:aws_access_key_id]\n"));
        assert!(out.contains("auth [REDACTED:jwt]\n"));
        assert_eq!(
            r,
            vec![
                (1, "private_key".into()),
                (2, "aws_access_key_id".into()),
                (3, "jwt".into())
            ]
        );
    }
}
