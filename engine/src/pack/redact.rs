//! The redaction pass run over every evidence file before it is kept. It replaces with
//! `[REDACTED:<kind>]`:
//! - every value the DLP detectors find (the same [`Scanner`] the audit-log and git collectors
//!   use): personal data, cloud and chat tokens, webhooks, JWTs, private key blocks;
//! - the value of an assignment to a secret-named key (`password`, `secret`, `token`, `api_key`,
//!   …) in YAML, JSON, HCL, .env and Dockerfile syntax, and the password of a URL;
//! - the `value:` beside a secret-named Kubernetes `env` `name:` and the `default` of a
//!   secret-named Terraform `variable`;
//! - the value on every line a secret control flagged, whether or not a pattern matches it.
//!
//! Line breaks are never touched, so line numbers in findings still point at the same lines.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::LazyLock;

use assay_collectors::dlp::{splice, Detector, Scanner};
use assay_collectors::secret_name::is_secret_name;
use regex::bytes::Regex;
use serde::{Deserialize, Serialize};

/// One replaced value: the 1-based line it was on and what it looked like.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Redaction {
    pub line: u32,
    pub kind: String,
}

/// The kind of a value redacted because a secret control flagged its line.
pub const FLAGGED: &str = "flagged_by_control";

static SCANNER: LazyLock<Scanner> = LazyLock::new(Scanner::all);
static PEM_END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----").expect("regex"));
/// The body of a whole key on one line, as in a JSON string with `\n` escapes.
static PEM_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(.*?)-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
        .expect("regex")
});
static BASE64_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/=]{8,}").expect("regex"));
/// `key = value`, `key: value`, `"key": "value"`, `KEY=value` where the key names a secret.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?P<key>[a-z0-9_.-]*(?P<word>password|passwd|passphrase|secret|token|api[_-]?key|private[_-]?key|credentials?)[a-z0-9_.-]*)["']?[ \t]*[:=][ \t]*(?:"(?P<dq>[^"\n]*)"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s"',;#{}\[\]()]+))"#,
    )
    .expect("regex")
});
/// The password of `scheme://user:password@host`.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z][a-z0-9+.-]*://[^\s:/@]+:(?P<pw>[^\s@/]+)@").expect("regex")
});
/// A YAML key at the start of a line, after an optional list dash: `  - name: X`.
static YAML_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(?P<indent>[ \t]*(?P<dash>-[ \t]+)?)(?P<key>[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:[ \t]*(?P<value>[^\r\n]*?)[ \t]*\r?\n?$"#)
        .expect("regex")
});
/// `variable "name" {`, the head of a Terraform variable block.
static TF_VARIABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*variable\s+"(?P<name>[^"]+)"\s*\{"#).expect("regex"));
/// `default = value` in a Terraform block.
static TF_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\bdefault\s*=\s*(?:"(?P<dq>[^"\n]*)"|(?P<bare>[^\s"{}\[\]#]+))"#).expect("regex")
});
/// The value after the first `:` or `=` of a line.
static ANY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[:=][ \t]*(?:"(?P<dq>[^"\n]+)"|'(?P<sq>[^'\n]+)'|(?P<bare>[^\s"',;#{}\[\]()][^\r\n]*?))[ \t,;]*\r?\n?$"#)
        .expect("regex")
});
/// Redacts `bytes`, returning the redacted bytes and every redaction, in line order. The value
/// on each 1-based line in `flagged` is redacted even when no detector matches it.
pub fn redact(bytes: &[u8], flagged: &BTreeSet<u32>) -> (Vec<u8>, Vec<Redaction>) {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    let mut spans: Vec<Vec<(Range<usize>, String)>> = vec![Vec::new(); lines.len()];
    let mut in_key_block = false;
    let mut tf_secret_depth: Option<i64> = None;
    for (index, line) in lines.iter().enumerate() {
        let found = &mut spans[index];
        if in_key_block {
            if PEM_END.is_match(line) {
                in_key_block = false;
            } else {
                found.extend(
                    BASE64_RUN
                        .find_iter(line)
                        .map(|m| (m.range(), "private_key".to_string())),
                );
            }
            continue;
        }
        for hit in SCANNER.scan(line) {
            if hit.detector == Detector::PrivateKey {
                match PEM_INLINE.captures_at(line, hit.range.start) {
                    Some(c) => found.push((c.get(1).expect("group").range(), "private_key".into())),
                    None => in_key_block = true,
                }
            } else if hit.detector != Detector::GenericApiKey
                || holds_secret(&line[hit.range.clone()])
            {
                found.push((hit.range, hit.detector.as_str().to_string()));
            }
        }
        assignments(line, found);
        for c in URL_PASSWORD.captures_iter(line) {
            let pw = c.name("pw").expect("group");
            if !pw.as_bytes().starts_with(b"$") {
                found.push((pw.range(), "url_password".into()));
            }
        }
        tf_variable_default(line, &mut tf_secret_depth, found);
    }
    for (index, found) in spans.iter_mut().enumerate() {
        if let Some(range) = env_value(&lines, index) {
            found.push((range, "env_secret".into()));
        }
    }
    for &number in flagged {
        let index = (number as usize).wrapping_sub(1);
        if let Some(line) = lines.get(index) {
            if spans[index].is_empty() {
                if let Some(range) = any_value(line) {
                    spans[index].push((range, FLAGGED.into()));
                }
            }
        }
    }

    let mut out = Vec::with_capacity(bytes.len());
    let mut redactions = Vec::new();
    for (index, (line, found)) in lines.iter().zip(spans).enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let (redacted, kinds) = splice(line, found, |kind| format!("[REDACTED:{kind}]"));
        out.extend(redacted);
        redactions.extend(
            kinds
                .into_iter()
                .map(|kind| Redaction { line: number, kind }),
        );
    }
    (out, redactions)
}

fn assignments(line: &[u8], found: &mut Vec<(Range<usize>, String)>) {
    for c in ASSIGNMENT.captures_iter(line) {
        let Some(value) = c
            .name("dq")
            .or_else(|| c.name("sq"))
            .or_else(|| c.name("bare"))
        else {
            continue;
        };
        let key = String::from_utf8_lossy(&c["key"]);
        if !is_secret_name(&key) || !holds_secret(value.as_bytes()) {
            continue;
        }
        let word = String::from_utf8_lossy(&c["word"]).to_ascii_lowercase();
        let kind = match word.as_str() {
            "passwd" | "passphrase" => "password".to_string(),
            w if w.starts_with("api") => "api_key".to_string(),
            w if w.starts_with("private") => "private_key".to_string(),
            w if w.starts_with("credential") => "credentials".to_string(),
            w => w.to_string(),
        };
        found.push((value.range(), kind));
    }
}

/// Tracks `variable "<secret name>" { … }` blocks by brace depth and records their `default`.
fn tf_variable_default(
    line: &[u8],
    depth: &mut Option<i64>,
    found: &mut Vec<(Range<usize>, String)>,
) {
    let head = TF_VARIABLE
        .captures(line)
        .filter(|c| is_secret_name(&String::from_utf8_lossy(&c["name"])));
    if head.is_some() {
        *depth = Some(0);
    }
    let Some(level) = depth.as_mut() else {
        return;
    };
    if let Some(c) = TF_DEFAULT.captures(line) {
        if let Some(value) = c.name("dq").or_else(|| c.name("bare")) {
            if holds_secret(value.as_bytes()) {
                found.push((value.range(), "variable_default".into()));
            }
        }
    }
    for b in line {
        match b {
            b'{' => *level += 1,
            b'}' => *level -= 1,
            _ => {}
        }
    }
    if *level <= 0 {
        *depth = None;
    }
}

/// The range of a Kubernetes env `value:` on line `index` when the same list entry has a
/// secret-named `name:` (before or after it).
fn env_value(lines: &[&[u8]], index: usize) -> Option<Range<usize>> {
    let here = YAML_KEY.captures(lines[index])?;
    if !here["key"].eq(b"value") {
        return None;
    }
    let value = here.name("value")?;
    let column = here.name("indent")?.end();
    let quoted = |v: &[u8]| v.len() >= 2 && matches!(v[0], b'"' | b'\'') && v.last() == Some(&v[0]);
    let range = if quoted(value.as_bytes()) {
        value.start() + 1..value.end() - 1
    } else {
        value.range()
    };
    let text = &lines[index][range.clone()];
    if !holds_secret(text)
        || text.starts_with(b"$(")
        || text.starts_with(b"|")
        || text.starts_with(b">")
    {
        return None;
    }
    let sibling = |i: usize| {
        let c = YAML_KEY.captures(lines[i])?;
        (c.name("indent")?.end() == column).then_some(c)
    };
    let secret_name = |c: &regex::bytes::Captures| {
        c["key"].eq(b"name")
            && is_secret_name(String::from_utf8_lossy(&c["value"]).trim_matches(['"', '\'']))
    };
    // The entry's keys after this one, up to the next list item.
    let mut i = index + 1;
    while i < lines.len() && i <= index + 8 {
        let Some(c) = sibling(i) else { break };
        if c.name("dash").is_some() {
            break;
        }
        if secret_name(&c) {
            return Some(range);
        }
        i += 1;
    }
    // The entry's keys before it, back to its list dash.
    if here.name("dash").is_some() {
        return None;
    }
    let mut i = index;
    while i > 0 && i + 8 > index {
        i -= 1;
        let Some(c) = sibling(i) else { break };
        if secret_name(&c) {
            return Some(range);
        }
        if c.name("dash").is_some() {
            break;
        }
    }
    None
}

/// The value after the first `:` or `=` of a flagged line.
fn any_value(line: &[u8]) -> Option<Range<usize>> {
    let c = ANY_VALUE.captures(line)?;
    let value = c
        .name("dq")
        .or_else(|| c.name("sq"))
        .or_else(|| c.name("bare"))?;
    holds_secret(value.as_bytes()).then(|| value.range())
}

/// Whether `value` looks like a literal secret rather than a number, a flag, a reference to one
/// (`${DB_PASSWORD}`, `var.db_password`) or an empty string.
fn holds_secret(value: &[u8]) -> bool {
    let value = String::from_utf8_lossy(value);
    let v = value.trim();
    if v.is_empty()
        || v.starts_with('$')
        || v.starts_with("[REDACTED:")
        || v.parse::<f64>().is_ok()
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "none" | "yes" | "no" | "~" | "\"\"" | "''"
        )
    {
        return false;
    }
    let reference = ["var.", "local.", "data.", "module.", "each.", "self."];
    !reference.iter().any(|r| v.starts_with(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_flagged(text: &str, flagged: &[u32]) -> (String, Vec<(u32, String)>) {
        let (out, r) = redact(text.as_bytes(), &flagged.iter().copied().collect());
        (
            String::from_utf8(out).unwrap(),
            r.into_iter().map(|r| (r.line, r.kind)).collect(),
        )
    }

    fn run(text: &str) -> (String, Vec<(u32, String)>) {
        run_flagged(text, &[])
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
            "- name: DB_PASSWORD_FILE\n  value: /run/secrets/db\n",
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
    fn detector_values_personal_data_and_tokens() {
        let gh = format!("ghp_{}", "a1B2".repeat(9));
        let slack = format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            "0A1B2C3D", "4E5F6G7H", "abcdEFGH12345678ijkl"
        );
        let text = format!(
            "{{\"k\": \"-----BEGIN PRIVATE KEY-----\\nMIIBVQ\\n-----END PRIVATE KEY-----\\n\"}}\n\
             aws_access_key_id AKIAIOSFODNN7EXAMPLE\n\
             auth eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-x\n\
             uses: {gh}\n\
             notify {slack}\n\
             {{\"user\": \"jane.roe@contoso.org\", \"iban\": \"DE89370400440532013000\"}}\n"
        );
        let (out, r) = run(&text);
        assert!(out.starts_with(
            "{\"k\": \"-----BEGIN PRIVATE KEY-----[REDACTED:private_key]-----END PRIVATE KEY-----"
        ));
        assert!(out.contains("aws_access_key_id [REDACTED:aws_access_key_id]\n"));
        assert!(out.contains("auth [REDACTED:jwt]\n"));
        assert!(out.contains("uses: [REDACTED:github_token]\n"));
        assert!(out.contains("notify [REDACTED:slack_token]\n"));
        assert!(out.contains("\"user\": \"[REDACTED:email]\", \"iban\": \"[REDACTED:iban]\""));
        let kinds: Vec<&str> = r.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "private_key",
                "aws_access_key_id",
                "jwt",
                "github_token",
                "slack_token",
                "email",
                "iban"
            ]
        );
    }

    #[test]
    fn kubernetes_env_value_beside_a_secret_name() {
        let text = concat!(
            "env:\n",
            "  - name: DB_PASSWORD\n",
            "    value: hunter2hunter2\n",
            "  - value: \"s3cret-token\"\n",
            "    name: stripeApiKey\n",
            "  - name: LOG_LEVEL\n",
            "    value: debug\n",
        );
        let (out, r) = run(text);
        assert!(out.contains("    value: [REDACTED:env_secret]\n"));
        assert!(out.contains("  - value: \"[REDACTED:env_secret]\"\n"));
        assert!(out.contains("    value: debug\n"));
        assert_eq!(r, vec![(3, "env_secret".into()), (4, "env_secret".into())]);
    }

    #[test]
    fn terraform_secret_variable_default_and_url_password() {
        let text = concat!(
            "variable \"db_password\" {\n",
            "  type    = string\n",
            "  default = \"Sup3rS3cret\"\n",
            "}\n",
            "variable \"region\" {\n",
            "  default = \"eu-west-1\"\n",
            "}\n",
            "url = \"postgres://app:pa55word@db:5432/app\"\n",
            "mirror = \"https://ci:pa55word@mirror.internal/simple\"\n",
        );
        let (out, r) = run(text);
        assert!(out.contains("  default = \"[REDACTED:variable_default]\"\n"));
        assert!(out.contains("default = \"eu-west-1\""));
        // A database URL's password is named by the detector, any other URL's by its shape.
        assert!(out.contains("postgres://app:[REDACTED:database_url_password]@db"));
        assert!(out.contains("https://ci:[REDACTED:url_password]@mirror"));
        assert_eq!(
            r,
            vec![
                (3, "variable_default".into()),
                (8, "database_url_password".into()),
                (9, "url_password".into())
            ]
        );
    }

    #[test]
    fn a_flagged_line_is_redacted_without_a_pattern() {
        let text = "  conn: plainvalue\nother: kept\n";
        let (out, r) = run_flagged(text, &[1, 9]);
        assert_eq!(out, "  conn: [REDACTED:flagged_by_control]\nother: kept\n");
        assert_eq!(r, vec![(1, FLAGGED.into())]);
    }
}
