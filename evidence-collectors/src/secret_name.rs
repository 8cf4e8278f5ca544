//! Whether a key or variable name says it holds a secret. One rule for the secret controls
//! (their Rego calls it as `assay.secret_name(name)`) and for the redaction of kept evidence,
//! so that every value a control flags by its name is also redacted.

use std::sync::LazyLock;

use regex::Regex;

/// Names that say they hold a secret: password, passwd, passphrase, pass (as a word), secret,
/// token (as a word or an ending), api key, private key, credential(s).
static SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(pass(word|wd|phrase)|(^|[_.-])pass([_.-]|$)|pwd([_.-]|$)|secret|token([_.-]|s?$)|api[_.-]?key|private[_.-]?key|credentials?)",
    )
    .expect("regex")
});

/// Endings that name a secret's location or metadata rather than the secret itself
/// (`POSTGRES_PASSWORD_FILE`, `TOKEN_URL`, `secretName`, `token_ttl`).
static ABOUT_A_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[_.-](file|path|dir|url|uri|endpoint|host|port|name|arn|ref|id|type|header|ttl|expiry|expires|lifetime|timeout|length|enabled|rotation|version|policy)$",
    )
    .expect("regex")
});

/// Whether `name` says it holds a secret. Case does not matter; camelCase words count as
/// words (`dbPassword` as `db_password`, `secretName` as `secret_name`).
pub fn is_secret_name(name: &str) -> bool {
    let words = snake_case(name);
    SECRET.is_match(&words) && !ABOUT_A_SECRET.is_match(&words)
}

/// `name` in lower case with `_` where a lower-case letter or digit meets an upper-case one.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

    #[test]
    fn secret_names() {
        for name in [
            "password",
            "DB_PASSWORD",
            "dbPassword",
            "db-passwd",
            "passphrase",
            "PASS",
            "smtp_pass",
            "mysql_pwd",
            "client_secret",
            "SECRET_KEY_BASE",
            "GITHUB_TOKEN",
            "access_token",
            "tokens",
            "token.value",
            "apiKey",
            "API_KEY",
            "stripe-api-key",
            "privateKey",
            "private_key",
            "credentials",
            "aws_credential",
        ] {
            assert!(is_secret_name(name), "{name}");
        }
    }

    #[test]
    fn names_about_a_secret_or_unrelated() {
        for name in [
            "POSTGRES_PASSWORD_FILE",
            "password_path",
            "TOKEN_URL",
            "secretName",
            "secret_name",
            "token_ttl",
            "tokenizer",
            "passenger",
            "compass",
            "bypass_cache",
            "secret_arn",
            "kms_key_id",
            "api_endpoint",
            "password_policy",
            "secret_rotation",
            "username",
            "",
        ] {
            assert!(!is_secret_name(name), "{name}");
        }
    }
}
