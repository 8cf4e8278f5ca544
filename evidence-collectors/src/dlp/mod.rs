//! Detectors for personal data and secrets in text: e-mail addresses, phone numbers, IP
//! addresses, IBANs, payment cards, national identity and tax numbers, passport numbers, dates
//! of birth, postal addresses and person names in context, cloud, chat, AI and payment service
//! keys, database URLs with a password, generic API keys, private keys and JWTs.
//!
//! A line is first run through one [`RegexSet`] that tells which detectors can match at all;
//! only those then search the line with their own pattern, and every candidate must pass its
//! detector's validation (IBAN mod-97, Luhn, check digits, the key before a value, a JWT header
//! that decodes, …). Findings keep counts, line numbers and *redacted* samples: the value
//! itself is never stored.

mod context;
mod national_id;
mod network;
mod phone;

use std::collections::BTreeMap;
use std::ops::Range;

use base64::Engine;
use regex::bytes::{Regex, RegexSet, RegexSetBuilder};
use serde_json::{json, Value};

/// Cache of the detector set's lazy DFA, per thread (the `regex` default is 2 MiB); it grows
/// only as far as the text needs.
const DFA_CACHE_BYTES: usize = 16 << 20;

/// One kind of sensitive value.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Detector {
    Email,
    Phone,
    Iban,
    PaymentCard,
    UsSsn,
    UsItin,
    UkNino,
    DeSteuerId,
    FrNir,
    NlBsn,
    PassportNumber,
    IpAddress,
    DateOfBirth,
    PostalAddress,
    PersonName,
    AwsAccessKeyId,
    GithubToken,
    SlackToken,
    OpenAiApiKey,
    AnthropicApiKey,
    StripeSecretKey,
    GoogleApiKey,
    AzureStorageKey,
    TwilioSid,
    SendgridApiKey,
    DatabaseUrlPassword,
    GenericApiKey,
    PrivateKey,
    Jwt,
}

/// Whether a detector finds personal data or a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    PersonalData,
    Secret,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::PersonalData => "personal_data",
            Category::Secret => "secret",
        }
    }
}

impl Detector {
    /// Every detector, in report order.
    pub const ALL: [Detector; 29] = [
        Detector::Email,
        Detector::Phone,
        Detector::Iban,
        Detector::PaymentCard,
        Detector::UsSsn,
        Detector::UsItin,
        Detector::UkNino,
        Detector::DeSteuerId,
        Detector::FrNir,
        Detector::NlBsn,
        Detector::PassportNumber,
        Detector::IpAddress,
        Detector::DateOfBirth,
        Detector::PostalAddress,
        Detector::PersonName,
        Detector::AwsAccessKeyId,
        Detector::GithubToken,
        Detector::SlackToken,
        Detector::OpenAiApiKey,
        Detector::AnthropicApiKey,
        Detector::StripeSecretKey,
        Detector::GoogleApiKey,
        Detector::AzureStorageKey,
        Detector::TwilioSid,
        Detector::SendgridApiKey,
        Detector::DatabaseUrlPassword,
        Detector::GenericApiKey,
        Detector::PrivateKey,
        Detector::Jwt,
    ];

    /// The detector's name in findings and settings.
    pub fn as_str(self) -> &'static str {
        match self {
            Detector::Email => "email",
            Detector::Phone => "phone",
            Detector::Iban => "iban",
            Detector::PaymentCard => "payment_card",
            Detector::UsSsn => "us_ssn",
            Detector::UsItin => "us_itin",
            Detector::UkNino => "uk_nino",
            Detector::DeSteuerId => "de_steuer_id",
            Detector::FrNir => "fr_nir",
            Detector::NlBsn => "nl_bsn",
            Detector::PassportNumber => "passport_number",
            Detector::IpAddress => "ip_address",
            Detector::DateOfBirth => "date_of_birth",
            Detector::PostalAddress => "postal_address",
            Detector::PersonName => "person_name",
            Detector::AwsAccessKeyId => "aws_access_key_id",
            Detector::GithubToken => "github_token",
            Detector::SlackToken => "slack_token",
            Detector::OpenAiApiKey => "openai_api_key",
            Detector::AnthropicApiKey => "anthropic_api_key",
            Detector::StripeSecretKey => "stripe_secret_key",
            Detector::GoogleApiKey => "google_api_key",
            Detector::AzureStorageKey => "azure_storage_key",
            Detector::TwilioSid => "twilio_sid",
            Detector::SendgridApiKey => "sendgrid_api_key",
            Detector::DatabaseUrlPassword => "database_url_password",
            Detector::GenericApiKey => "generic_api_key",
            Detector::PrivateKey => "private_key",
            Detector::Jwt => "jwt",
        }
    }

    /// The detector named `name`.
    pub fn from_name(name: &str) -> Option<Detector> {
        Detector::ALL.into_iter().find(|d| d.as_str() == name)
    }

    pub fn category(self) -> Category {
        match self {
            Detector::Email
            | Detector::Phone
            | Detector::Iban
            | Detector::PaymentCard
            | Detector::UsSsn
            | Detector::UsItin
            | Detector::UkNino
            | Detector::DeSteuerId
            | Detector::FrNir
            | Detector::NlBsn
            | Detector::PassportNumber
            | Detector::IpAddress
            | Detector::DateOfBirth
            | Detector::PostalAddress
            | Detector::PersonName => Category::PersonalData,
            _ => Category::Secret,
        }
    }

    /// The detector's pattern in the set that decides which detectors search a line: its
    /// candidate pattern, preceded, for the detectors whose validation refuses a candidate
    /// right after a letter, digit or one of a few punctuation marks, by a byte that is none of
    /// them. A necessary condition of a valid candidate, so the findings do not change; but an
    /// ISO timestamp (`2024-01-01T00:00:03Z`), which holds both phone-shaped and IPv6-shaped
    /// runs, no longer sends every line of a log to the phone and IP searches.
    fn set_pattern(self) -> String {
        let refused_before = match self {
            Detector::Phone => phone::REFUSED_BEFORE,
            Detector::IpAddress => network::REFUSED_BEFORE,
            _ => return self.pattern().to_string(),
        };
        format!(
            "(?-u)(?:^|{})(?:{})",
            refused_before.other(),
            self.pattern()
        )
    }

    /// The candidate pattern. Byte-oriented (no Unicode classes) so that the set stays a fast
    /// DFA. When the pattern has a capture group, group 1 is the value.
    pub fn pattern(self) -> &'static str {
        match self {
            Detector::Email => {
                r"(?i-u)[a-z0-9._%+\-]+@(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+[a-z]{2,24}\b"
            }
            Detector::Phone => phone::PATTERN,
            Detector::Iban => {
                r"(?-u)\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b"
            }
            Detector::PaymentCard => r"(?-u)\b[0-9](?:[ \-]?[0-9]){12,18}\b",
            Detector::UsSsn => r"(?-u)\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b",
            Detector::UsItin => r"(?-u)\b9[0-9]{2}-[0-9]{2}-[0-9]{4}\b",
            Detector::UkNino => {
                r"(?-u)\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]\b"
            }
            Detector::DeSteuerId => r"(?-u)\b[1-9][0-9](?: ?[0-9]{3}){3}\b",
            Detector::FrNir => {
                r"(?-u)\b[1278] ?[0-9]{2} ?[0-9]{2} ?(?:[0-9]{2}|2[AB]) ?[0-9]{3} ?[0-9]{3} ?[0-9]{2}\b"
            }
            Detector::NlBsn => context::NL_BSN,
            Detector::PassportNumber => context::PASSPORT_NUMBER,
            // IPv6 (validated by parsing, so the candidate may be loose), then IPv4.
            Detector::IpAddress => {
                r"(?-u)(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[0-9]{1,3}){0,3}|[0-9]{1,3}(?:\.[0-9]{1,3}){3}"
            }
            Detector::DateOfBirth => context::DATE_OF_BIRTH,
            Detector::PostalAddress => context::POSTAL_ADDRESS,
            Detector::PersonName => context::PERSON_NAME,
            Detector::AwsAccessKeyId => r"(?-u)\b(?:AKIA|ASIA)[A-Z2-7]{16}\b",
            Detector::GithubToken => {
                r"(?-u)\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})\b"
            }
            Detector::SlackToken => {
                r"(?-u)\bxox[abposr]-[0-9A-Za-z\-]{10,}|https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}"
            }
            // Every OpenAI key format (legacy user keys, project, service account and admin
            // keys) carries `T3BlbkFJ`, the base64 of "OpenAI", between two random parts.
            Detector::OpenAiApiKey => {
                r"(?-u)\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_\-]{20,160}T3BlbkFJ[A-Za-z0-9_\-]{20,160}"
            }
            // API keys (`api03`) and Admin API keys (`admin01`): 93 random characters and `AA`.
            Detector::AnthropicApiKey => r"(?-u)\bsk-ant-(?:api03|admin01)-[A-Za-z0-9_\-]{93}AA",
            // Live-mode secret and restricted keys; test-mode keys reach no real money or data.
            Detector::StripeSecretKey => r"(?-u)\b[rs]k_live_[A-Za-z0-9]{24,247}",
            Detector::GoogleApiKey => r"(?-u)\bAIza[A-Za-z0-9_\-]{35}",
            // The account key of a storage connection string: 64 bytes in base64.
            Detector::AzureStorageKey => r"(?i-u)\bAccountKey\s*=\s*([A-Za-z0-9+/]{86}==)",
            // Account SIDs (`AC`) and API key SIDs (`SK`): two letters and 32 hex digits.
            Detector::TwilioSid => r"(?-u)\b(?:AC|SK)[0-9a-fA-F]{32}\b",
            Detector::SendgridApiKey => r"(?-u)\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}",
            // `scheme://user:password@host` for PostgreSQL, MySQL, MariaDB, MongoDB, Redis and
            // AMQP, with an optional driver suffix (`postgresql+psycopg2`); group 1 is the password.
            Detector::DatabaseUrlPassword => {
                r#"(?i-u)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?)(?:\+[a-z0-9]+)?://[^\s:/@'"]*:([^\s/@'"]+)@[^\s/@'"]"#
            }
            Detector::GenericApiKey => {
                r#"(?i-u)\b(?:api[_\-]?key|api[_\-]?secret|access[_\-]?token|auth[_\-]?token|client[_\-]?secret|secret[_\-]?key|private[_\-]?token|password|passwd)\\?["']?\s*[:=]\s*\\?["']?([A-Za-z0-9_\-+/=.~!@#$%^&*]{8,})"#
            }
            Detector::PrivateKey => r"(?-u)-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
            Detector::Jwt => {
                r"(?-u)\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"
            }
        }
    }

    /// Whether the candidate at `range` of `line` is a real finding.
    fn validate(self, line: &[u8], range: Range<usize>) -> bool {
        let value = &line[range.clone()];
        let before = range.start.checked_sub(1).map(|i| line[i]);
        let after = line.get(range.end).copied();
        match self {
            Detector::Email => valid_email(value) && !in_url_userinfo(line, range.start),
            Detector::Phone => phone::valid_phone(line, range.start, range.end),
            Detector::Iban => valid_iban(value),
            Detector::PaymentCard => valid_card(value, before, after),
            Detector::UsSsn => national_id::valid_ssn(line, range.start, range.end),
            Detector::UsItin => national_id::valid_itin(line, range.start, range.end),
            Detector::UkNino => national_id::valid_nino(value),
            Detector::DeSteuerId => national_id::valid_steuer_id(line, range.start, range.end),
            Detector::FrNir => national_id::valid_nir(line, range.start, range.end),
            Detector::NlBsn => national_id::valid_bsn(value),
            Detector::PassportNumber => context::valid_passport(value),
            Detector::IpAddress => network::valid_ip(line, range.start, range.end),
            Detector::DateOfBirth => context::valid_date_of_birth(line, range.start, range.end),
            Detector::PostalAddress => context::valid_postal_address(line, range.start, range.end),
            Detector::PersonName => context::valid_person_name(line, range.start, range.end),
            Detector::AwsAccessKeyId
            | Detector::GithubToken
            | Detector::SlackToken
            | Detector::PrivateKey => true,
            Detector::OpenAiApiKey
            | Detector::AnthropicApiKey
            | Detector::GoogleApiKey
            | Detector::SendgridApiKey => !is_token_char(after) && !is_placeholder(value),
            Detector::StripeSecretKey => {
                !after.is_some_and(|b| b.is_ascii_alphanumeric()) && !is_placeholder(value)
            }
            Detector::AzureStorageKey | Detector::TwilioSid => !is_placeholder(value),
            Detector::DatabaseUrlPassword => !is_placeholder_password(value),
            Detector::GenericApiKey => valid_generic_secret(line, range),
            Detector::Jwt => jwt_algorithm(value).is_some(),
        }
    }

    /// A sample that shows the shape of the value without revealing it.
    fn redact(self, line: &[u8], range: Range<usize>) -> String {
        let value = String::from_utf8_lossy(&line[range.clone()]);
        let chars: Vec<char> = value.chars().collect();
        let keep = |head: usize, tail: usize| {
            let head = head.min(chars.len());
            let tail = tail.min(chars.len() - head);
            let mut out: String = chars[..head].iter().collect();
            out.push_str(&"*".repeat(chars.len() - head - tail));
            out.extend(&chars[chars.len() - tail..]);
            out
        };
        match self {
            Detector::Email => redact_email(&value),
            Detector::Phone => phone::redact_phone(&value),
            Detector::Iban => {
                let compact: String = chars.iter().filter(|c| !c.is_whitespace()).collect();
                let n = compact.len();
                format!(
                    "{}{}{}",
                    &compact[..2],
                    "*".repeat(n - 4),
                    &compact[n - 2..]
                )
            }
            Detector::PaymentCard => {
                let digits: String = chars.iter().filter(|c| c.is_ascii_digit()).collect();
                let n = digits.len();
                format!("{}{}", "*".repeat(n - 4), &digits[n - 4..])
            }
            Detector::UsSsn => format!("***-**-**{}", &value[value.len() - 2..]),
            Detector::UkNino => keep(1, 1),
            Detector::UsItin | Detector::DeSteuerId | Detector::FrNir | Detector::NlBsn => {
                national_id::redact_number(&line[range])
            }
            Detector::PassportNumber => keep(0, 2),
            Detector::IpAddress => network::redact_ip(&value),
            Detector::DateOfBirth => context::redact_date(&value),
            Detector::PostalAddress => "***".into(),
            Detector::PersonName => context::redact_person_name(&value),
            Detector::AwsAccessKeyId => keep(4, 0),
            Detector::GithubToken => match value.find('_') {
                _ if value.starts_with("github_pat_") => "github_pat_***".into(),
                Some(at) => format!("{}***", &value[..=at]),
                None => "***".into(),
            },
            Detector::SlackToken => {
                if value.starts_with("https://") {
                    "https://hooks.slack.com/services/***".into()
                } else {
                    format!("{}***", &value[..5])
                }
            }
            Detector::OpenAiApiKey => {
                let kind = ["sk-proj-", "sk-svcacct-", "sk-admin-"]
                    .into_iter()
                    .find(|p| value.starts_with(p))
                    .unwrap_or("sk-");
                format!("{kind}***")
            }
            Detector::AnthropicApiKey => {
                let kind = value.splitn(4, '-').take(3).collect::<Vec<_>>().join("-");
                format!("{kind}-***")
            }
            Detector::StripeSecretKey => format!("{}***", &value[..8]),
            Detector::GoogleApiKey => "AIza***".into(),
            Detector::TwilioSid => format!("{}***", &value[..2]),
            Detector::SendgridApiKey => "SG.***".into(),
            Detector::AzureStorageKey => "AccountKey=***".into(),
            Detector::DatabaseUrlPassword => {
                format!("{}://***:***@***", url_scheme(line, range.start))
            }
            Detector::GenericApiKey => {
                let keyword = generic_keyword(line, range.start);
                format!("{keyword}=***")
            }
            Detector::PrivateKey => value.into_owned(),
            Detector::Jwt => match jwt_algorithm(&line[range]) {
                Some(alg) => format!("eyJ***.eyJ***.*** (alg {alg})"),
                None => "eyJ***.eyJ***.***".into(),
            },
        }
    }
}

/// The most characters of a scanned file's content a message quotes.
pub const EXCERPT_CHARS: usize = 80;

/// How much of the first line is searched for secrets before an excerpt is cut.
const EXCERPT_SCAN: usize = 4096;

/// A quotable excerpt of content from a scanned file (a value named in an error message): its
/// first line, every secret or personal datum the detectors find replaced by its redacted
/// sample, cut to [`EXCERPT_CHARS`] characters (`…` marks a cut).
pub fn excerpt(text: &str) -> String {
    redacted_head(text, EXCERPT_CHARS)
}

/// A validator's `message` that quotes `quoted` (the JSON text of a value from a scanned file)
/// with the quote cut to an [`excerpt`]; the whole message is redacted and kept to one line of
/// a few excerpts' length.
pub fn excerpt_in(message: &str, quoted: &str) -> String {
    let message = if quoted.is_empty() {
        message.to_string()
    } else {
        message.replace(quoted, &excerpt(quoted))
    };
    redacted_head(&message, 4 * EXCERPT_CHARS)
}

/// The first line of `text`, redacted, cut to `max` characters.
fn redacted_head(text: &str, max: usize) -> String {
    static SCANNER: std::sync::LazyLock<Scanner> = std::sync::LazyLock::new(Scanner::all);
    let line = text.lines().next().unwrap_or("");
    let end = line.floor_char_boundary(EXCERPT_SCAN);
    let mut head = &line[..end];
    let mut hits = SCANNER.scan(head.as_bytes());
    // A private key's header is kept; the key material after it is not.
    let key_end = hits
        .iter()
        .filter(|h| h.detector == Detector::PrivateKey)
        .map(|h| head.ceil_char_boundary(h.range.end))
        .min();
    let key_block = key_end.is_some_and(|k| k < head.len());
    if let Some(k) = key_end {
        head = &head[..k];
        hits.retain(|h| h.range.start < k);
        for h in &mut hits {
            h.range.end = h.range.end.min(k);
        }
    }
    let spans = hits.into_iter().map(|h| (h.range, h.sample)).collect();
    let head = splice_str(head, spans, String::clone);
    let cut = key_block
        || head.chars().count() > max
        || end < line.len()
        || line.len() < text.trim_end().len();
    let mut out: String = head.chars().take(max).collect();
    if cut {
        out.push('…');
    }
    out
}

/// A compiled set of detectors.
pub struct Scanner {
    set: RegexSet,
    detectors: Vec<Detector>,
    regexes: Vec<Regex>,
    /// Values matching one of these are not reported (known service accounts, test keys).
    allow: Option<RegexSet>,
}

/// One validated finding on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub detector: Detector,
    /// Byte range of the value within the line.
    pub range: Range<usize>,
    /// The redacted sample.
    pub sample: String,
}

/// `text` with each span's range replaced by the span's replacement, and the payloads of the
/// spans kept, in order. Overlapping spans are joined and keep the first one's payload, so no
/// part of an overlapping value survives; empty and out-of-bounds ranges are dropped. The one
/// splicing step of every redaction: excerpts, short texts and kept evidence files.
pub fn splice<T>(
    text: &[u8],
    mut spans: Vec<(Range<usize>, T)>,
    replacement: impl Fn(&T) -> String,
) -> (Vec<u8>, Vec<T>) {
    spans.retain(|(r, _)| r.start < r.end && r.end <= text.len());
    spans.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut joined: Vec<(Range<usize>, T)> = Vec::with_capacity(spans.len());
    for (range, payload) in spans {
        match joined.last_mut() {
            Some((last, _)) if range.start < last.end => last.end = last.end.max(range.end),
            _ => joined.push((range, payload)),
        }
    }
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    let mut kept = Vec::with_capacity(joined.len());
    for (range, payload) in joined {
        out.extend_from_slice(&text[at..range.start]);
        out.extend_from_slice(replacement(&payload).as_bytes());
        at = range.end;
        kept.push(payload);
    }
    out.extend_from_slice(&text[at..]);
    (out, kept)
}

/// [`splice`] over UTF-8 text: a range cut inside a character is widened to the character.
pub fn splice_str<T>(
    text: &str,
    spans: Vec<(Range<usize>, T)>,
    replacement: impl Fn(&T) -> String,
) -> String {
    let spans = spans
        .into_iter()
        .filter(|(r, _)| r.end <= text.len())
        .map(|(r, p)| {
            (
                text.floor_char_boundary(r.start)..text.ceil_char_boundary(r.end),
                p,
            )
        })
        .collect();
    let (out, _) = splice(text.as_bytes(), spans, replacement);
    String::from_utf8_lossy(&out).into_owned()
}

impl Scanner {
    /// A scanner running `detectors`; values matching one of the `allow` regexes are ignored.
    pub fn new(detectors: &[Detector], allow: &[String]) -> Result<Scanner, regex::Error> {
        let mut detectors = detectors.to_vec();
        detectors.sort();
        detectors.dedup();
        let patterns: Vec<&str> = detectors.iter().map(|d| d.pattern()).collect();
        let allow = if allow.is_empty() {
            None
        } else {
            Some(RegexSet::new(allow)?)
        };
        // The set's lazy DFA needs room for the states of ~30 patterns at once: with the
        // default 2 MiB cache it is cleared every few lines and falls back to the far slower
        // NFA (2.3 MB/s on log text, against 33 MB/s with room).
        Ok(Scanner {
            set: RegexSetBuilder::new(detectors.iter().map(|d| d.set_pattern()))
                .dfa_size_limit(DFA_CACHE_BYTES)
                .build()?,
            regexes: patterns
                .iter()
                .map(|p| Regex::new(p))
                .collect::<Result<_, _>>()?,
            detectors,
            allow,
        })
    }

    /// A scanner running every detector with no allow list.
    pub fn all() -> Scanner {
        Scanner::new(&Detector::ALL, &[]).expect("the built-in patterns compile")
    }

    /// The validated findings of one line (or any short text), in detector order.
    pub fn scan(&self, line: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for index in self.set.matches(line).iter() {
            let detector = self.detectors[index];
            for range in candidates(&self.regexes[index], line) {
                let range = match detector {
                    Detector::PersonName => context::narrow_person_name(line, range),
                    _ => range,
                };
                if range.is_empty() || !detector.validate(line, range.clone()) {
                    continue;
                }
                if self
                    .allow
                    .as_ref()
                    .is_some_and(|a| a.is_match(&line[range.clone()]))
                {
                    continue;
                }
                hits.push(Hit {
                    detector,
                    sample: detector.redact(line, range.clone()),
                    range,
                });
            }
        }
        // A value a service's own format or a checksum names is not counted again as a generic
        // key, or as a phone number (the digit groups of an IBAN).
        let loose = |d: Detector| matches!(d, Detector::GenericApiKey | Detector::Phone);
        let named: Vec<Range<usize>> = hits
            .iter()
            .filter(|h| !loose(h.detector))
            .map(|h| h.range.clone())
            .collect();
        hits.retain(|h| {
            !loose(h.detector)
                || !named
                    .iter()
                    .any(|r| r.start < h.range.end && h.range.start < r.end)
        });
        hits
    }

    /// `text` with every value found replaced by `[REDACTED:<detector>]` (overlapping values
    /// are joined), for short texts shown in findings such as commit subjects.
    pub fn redact(&self, text: &str) -> String {
        let spans = self
            .scan(text.as_bytes())
            .into_iter()
            .map(|h| (h.range, h.detector))
            .collect();
        splice_str(text, spans, |d| format!("[REDACTED:{}]", d.as_str()))
    }

    /// Scans `line` (1-based `number`) and records what it finds in `findings`.
    pub fn scan_into(&self, number: u64, line: &[u8], findings: &mut Findings) {
        for hit in self.scan(line) {
            findings.record(hit.detector, number, hit.sample);
        }
    }
}

/// The bytes a detector's candidate cannot directly follow: ASCII letters and digits, and
/// these marks.
pub(crate) struct RefusedBefore(pub &'static [u8]);

impl RefusedBefore {
    fn refuses(&self, byte: u8) -> bool {
        byte.is_ascii_alphanumeric() || self.0.contains(&byte)
    }

    /// A byte-regex class of every other byte.
    fn other(&self) -> String {
        let marks: String = self
            .0
            .iter()
            .map(|&b| regex::escape(&char::from(b).to_string()))
            .collect();
        format!("[^A-Za-z0-9{marks}]")
    }
}

/// The ranges of a pattern's candidates in `line`: group 1 when the pattern has one, else the
/// whole match (found without the slower capture search).
fn candidates(regex: &Regex, line: &[u8]) -> Vec<Range<usize>> {
    if regex.captures_len() > 1 {
        regex
            .captures_iter(line)
            .filter_map(|c| c.get(1).map(|m| m.range()))
            .collect()
    } else {
        regex.find_iter(line).map(|m| m.range()).collect()
    }
}

/// How many line numbers are kept per detector.
pub const MAX_LINES: usize = 20;
/// How many distinct redacted samples are kept per detector.
pub const MAX_SAMPLES: usize = 3;

/// What one detector found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DetectorFindings {
    pub count: u64,
    /// The first [`MAX_LINES`] distinct lines, ascending when recorded in line order.
    pub lines: Vec<u64>,
    /// The first [`MAX_SAMPLES`] distinct redacted samples.
    pub samples: Vec<String>,
}

/// Findings by detector. Merging summaries of consecutive parts of a source in order gives the
/// same result as scanning it in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Findings {
    pub by_detector: BTreeMap<Detector, DetectorFindings>,
}

impl Findings {
    pub fn record(&mut self, detector: Detector, line: u64, sample: String) {
        let entry = self.by_detector.entry(detector).or_default();
        entry.count += 1;
        if entry.lines.len() < MAX_LINES && entry.lines.last() != Some(&line) {
            entry.lines.push(line);
        }
        if entry.samples.len() < MAX_SAMPLES && !entry.samples.contains(&sample) {
            entry.samples.push(sample);
        }
    }

    /// Appends the findings of a later part of the same source.
    pub fn merge(&mut self, later: Findings) {
        for (detector, found) in later.by_detector {
            let entry = self.by_detector.entry(detector).or_default();
            entry.count += found.count;
            for line in found.lines {
                if entry.lines.len() < MAX_LINES && entry.lines.last() != Some(&line) {
                    entry.lines.push(line);
                }
            }
            for sample in found.samples {
                if entry.samples.len() < MAX_SAMPLES && !entry.samples.contains(&sample) {
                    entry.samples.push(sample);
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_detector.is_empty()
    }

    /// Total findings of one category.
    pub fn total(&self, category: Category) -> u64 {
        self.by_detector
            .iter()
            .filter(|(d, _)| d.category() == category)
            .map(|(_, f)| f.count)
            .sum()
    }

    /// `{"personal_data": n, "secrets": n, "findings": {"email": {"count", "lines", "samples",
    /// "category"}, …}}`.
    pub fn to_json(&self) -> Value {
        let findings: serde_json::Map<String, Value> = self
            .by_detector
            .iter()
            .map(|(d, f)| {
                (
                    d.as_str().to_string(),
                    json!({
                        "category": d.category().as_str(),
                        "count": f.count,
                        "lines": f.lines,
                        "samples": f.samples,
                    }),
                )
            })
            .collect();
        json!({
            "personal_data": self.total(Category::PersonalData),
            "secrets": self.total(Category::Secret),
            "findings": findings,
        })
    }
}

/// Whether `byte` can continue a token of letters, digits, `_` and `-`: a token followed by one
/// is longer than its format allows.
fn is_token_char(byte: Option<u8>) -> bool {
    byte.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Whether a key-shaped value is a stand-in: a run of six identical characters
/// (`sk-ant-api03-xxxxxx…`, `AC000000…`) or fewer than six distinct characters.
fn is_placeholder(value: &[u8]) -> bool {
    let mut seen = [false; 256];
    let mut run = 0;
    for (i, &b) in value.iter().enumerate() {
        seen[usize::from(b)] = true;
        run = if i > 0 && value[i - 1] == b {
            run + 1
        } else {
            1
        };
        if run >= 6 {
            return true;
        }
    }
    seen.iter().filter(|&&s| s).count() < 6
}

/// Whether the password of a database URL is a stand-in: a reference to a variable or template
/// (`${PASSWORD}`, `$PASSWORD`, `%s`, `{{ pw }}`, `<password>`), masked (`***`, `xxxx`), or a
/// word that names the field instead of filling it (`password`, `changeme`, …).
fn is_placeholder_password(value: &[u8]) -> bool {
    const WORDS: [&[u8]; 10] = [
        b"password",
        b"passwd",
        b"pass",
        b"pwd",
        b"secret",
        b"changeme",
        b"example",
        b"placeholder",
        b"redacted",
        b"dummy",
    ];
    let lower = value.to_ascii_lowercase();
    matches!(value.first(), Some(b'$' | b'%' | b'<' | b'{' | b'*'))
        || [&b"xxx"[..], b"***", b"${", b"{{"]
            .iter()
            .any(|p| lower.windows(p.len()).any(|w| w == *p))
        || WORDS.contains(&lower.as_slice())
}

/// The scheme of the URL whose password starts at `password_start`.
fn url_scheme(line: &[u8], password_start: usize) -> String {
    let head = &line[..password_start];
    let Some(sep) = head.windows(3).rposition(|w| w == b"://") else {
        return "url".into();
    };
    let start = head[..sep]
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'+'))
        .map_or(0, |i| i + 1);
    String::from_utf8_lossy(&head[start..sep]).to_ascii_lowercase()
}

fn valid_email(value: &[u8]) -> bool {
    let Some(at) = value.iter().position(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&value[..at], &value[at + 1..]);
    let tld = domain.rsplit(|&b| b == b'.').next().unwrap_or_default();
    const FILE_TYPES: [&[u8]; 8] = [
        b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"css", b"ico",
    ];
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with(b".")
        && !local.ends_with(b".")
        && !local.windows(2).any(|w| w == b"..")
        && !FILE_TYPES.iter().any(|t| tld.eq_ignore_ascii_case(t))
}

/// Whether `start` lies in the user information of a URL (`scheme://user:password@host`),
/// where `password@host` is no e-mail address.
fn in_url_userinfo(line: &[u8], start: usize) -> bool {
    let head = &line[..start];
    let token = head
        .iter()
        .rposition(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'='))
        .map_or(head, |i| &head[i + 1..]);
    token
        .windows(3)
        .position(|w| w == b"://")
        .is_some_and(|at| !token[at + 3..].contains(&b'/'))
}

fn redact_email(value: &str) -> String {
    let (local, domain) = value.split_once('@').unwrap_or((value, ""));
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***.{tld}", first(local), first(host))
}

/// IBAN lengths by country (the ISO 13616 registry).
#[rustfmt::skip]
const IBAN_LENGTHS: [(&str, usize); 88] = [
    ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16),
    ("BG", 22), ("BH", 22), ("BI", 27), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22),
    ("CY", 28), ("CZ", 24), ("DE", 22), ("DJ", 27), ("DK", 18), ("DO", 28), ("EE", 20),
    ("EG", 29), ("ES", 24), ("FI", 18), ("FK", 18), ("FO", 18), ("FR", 27), ("GB", 22),
    ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27), ("GT", 28), ("HN", 28), ("HR", 21),
    ("HU", 28), ("IE", 22), ("IL", 23), ("IQ", 23), ("IS", 26), ("IT", 27), ("JO", 30),
    ("KW", 30), ("KZ", 20), ("LB", 28), ("LC", 32), ("LI", 21), ("LT", 20), ("LU", 20),
    ("LV", 21), ("LY", 25), ("MC", 27), ("MD", 24), ("ME", 22), ("MK", 19), ("MN", 20),
    ("MR", 27), ("MT", 31), ("MU", 30), ("NI", 28), ("NL", 18), ("NO", 15), ("OM", 23),
    ("PK", 24), ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22),
    ("RU", 33), ("SA", 24), ("SC", 31), ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24),
    ("SM", 27), ("SO", 23), ("ST", 25), ("SV", 28), ("TL", 23), ("TN", 24), ("TR", 26),
    ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20),
];

fn valid_iban(value: &[u8]) -> bool {
    let compact: Vec<u8> = value.iter().copied().filter(|b| *b != b' ').collect();
    let Ok(country) = std::str::from_utf8(&compact[..2]) else {
        return false;
    };
    let expected = IBAN_LENGTHS
        .iter()
        .find(|(c, _)| *c == country)
        .map(|(_, n)| *n);
    if expected != Some(compact.len()) {
        return false;
    }
    // Move the first four characters to the end, read letters as 10..35, and take mod 97.
    let rearranged = compact[4..].iter().chain(&compact[..4]);
    let mut remainder: u32 = 0;
    for &b in rearranged {
        let v = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            _ => return false,
        };
        remainder = if v >= 10 {
            (remainder * 100 + v) % 97
        } else {
            (remainder * 10 + v) % 97
        };
    }
    remainder == 1
}

fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(*d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether a card number of `len` digits starting with `d` belongs to a known card network.
fn known_card_network(d: &[u8]) -> bool {
    let prefix = |n: usize| d[..n].iter().fold(0u32, |acc, &x| acc * 10 + u32::from(x));
    let len = d.len();
    match d[0] {
        4 => matches!(len, 13 | 16 | 19),
        5 => (51..=55).contains(&prefix(2)) && len == 16,
        2 => (2221..=2720).contains(&prefix(4)) && len == 16,
        3 => {
            (matches!(prefix(2), 34 | 37) && len == 15)
                || ((3528..=3589).contains(&prefix(4)) && (16..=19).contains(&len))
                || ((300..=305).contains(&prefix(3)) || matches!(prefix(2), 36 | 38 | 39))
                    && (14..=19).contains(&len)
        }
        6 => {
            (prefix(4) == 6011
                || (644..=649).contains(&prefix(3))
                || prefix(2) == 65
                || prefix(2) == 62)
                && (16..=19).contains(&len)
        }
        _ => false,
    }
}

fn valid_card(value: &[u8], before: Option<u8>, after: Option<u8>) -> bool {
    // After a `+` the digits are a phone number.
    if matches!(before, Some(b'-' | b'.' | b'+')) || matches!(after, Some(b'-' | b'.')) {
        return false;
    }
    let separators: Vec<u8> = value
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_digit())
        .collect();
    if separators.windows(2).any(|w| w[0] != w[1]) {
        return false;
    }
    let digits: Vec<u8> = value
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| b - b'0')
        .collect();
    (13..=19).contains(&digits.len()) && known_card_network(&digits) && luhn(&digits)
}

/// The keyword before a generic secret, lower-cased (`api_key`, `password`, …).
fn generic_keyword(line: &[u8], value_start: usize) -> String {
    static KEYWORD: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let keyword = KEYWORD.get_or_init(|| {
        Regex::new(r"(?i-u)(api[_\-]?key|api[_\-]?secret|access[_\-]?token|auth[_\-]?token|client[_\-]?secret|secret[_\-]?key|private[_\-]?token|password|passwd)")
            .expect("keyword pattern compiles")
    });
    keyword
        .find_iter(&line[..value_start])
        .last()
        .map(|m| String::from_utf8_lossy(m.as_bytes()).to_ascii_lowercase())
        .unwrap_or_else(|| "secret".into())
}

/// A value next to a secret-looking key is reported when it looks random: long enough, more
/// than one class of character, and no placeholder.
fn valid_generic_secret(line: &[u8], range: Range<usize>) -> bool {
    let value = &line[range.clone()];
    let keyword = generic_keyword(line, range.start);
    let is_password = keyword.starts_with("pass");
    let min_len = if is_password { 8 } else { 16 };
    if value.len() < min_len {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    const PLACEHOLDERS: [&[u8]; 8] = [
        b"redacted",
        b"xxxx",
        b"****",
        b"example",
        b"changeme",
        b"placeholder",
        b"dummy",
        b"${",
    ];
    if PLACEHOLDERS
        .iter()
        .any(|p| lower.windows(p.len()).any(|w| w == *p))
    {
        return false;
    }
    let classes = [
        value.iter().any(u8::is_ascii_lowercase),
        value.iter().any(u8::is_ascii_uppercase),
        value.iter().any(u8::is_ascii_digit),
        value.iter().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&c| c)
    .count();
    classes >= 2 && shannon_entropy(value) >= if is_password { 2.5 } else { 3.0 }
}

/// Bits of entropy per byte of `value`.
fn shannon_entropy(value: &[u8]) -> f64 {
    let mut counts = [0u32; 256];
    for &b in value {
        counts[usize::from(b)] += 1;
    }
    let n = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// The `alg` of a JWT whose header decodes to a JSON object, else `None`.
fn jwt_algorithm(token: &[u8]) -> Option<String> {
    let header = token.split(|&b| b == b'.').next()?;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let decoded = engine.decode(header).ok()?;
    let value: Value = serde_json::from_slice(&decoded).ok()?;
    value.get("alg")?.as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn found(text: &str) -> Vec<(Detector, String)> {
        Scanner::all()
            .scan(text.as_bytes())
            .into_iter()
            .map(|h| (h.detector, text[h.range].to_string()))
            .collect()
    }

    pub(super) fn kinds(text: &str) -> Vec<Detector> {
        found(text).into_iter().map(|(d, _)| d).collect()
    }

    #[test]
    fn overlapping_spans_are_joined_so_nothing_of_either_survives() {
        let (out, kept) = super::splice(
            b"key=abcdefghij tail",
            vec![
                (8..14, "second"),
                (4..10, "first"),
                (3..3, "empty"),
                (18..40, "outside"),
            ],
            |k| format!("[{k}]"),
        );
        assert_eq!(String::from_utf8(out).unwrap(), "key=[first] tail");
        assert_eq!(kept, ["first"]);
        // A range cut inside a character is widened to it.
        assert_eq!(
            super::splice_str("aéb", vec![(2..3, ())], |_| "*".into()),
            "a*b"
        );
    }

    #[test]
    fn emails_are_found_and_redacted() {
        let hits = Scanner::all().scan(b"{\"user\": \"jane.doe@example.com\"}");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].detector, Detector::Email);
        assert_eq!(hits[0].sample, "j***@e***.com");
        assert!(kinds("logo@2x.png").is_empty());
        assert!(kinds("a..b@example.com").is_empty());
        // The password and host of a URL are not an address.
        assert!(!kinds("redis://:S3cret@cache.internal").contains(&Detector::Email));
        assert_eq!(kinds("mailto:jane.doe@example.com"), vec![Detector::Email]);
    }

    #[test]
    fn iban_needs_the_country_length_and_mod_97() {
        assert_eq!(
            kinds("iban GB82 WEST 1234 5698 7654 32"),
            vec![Detector::Iban]
        );
        assert_eq!(kinds("DE89370400440532013000"), vec![Detector::Iban]);
        // One digit changed: the checksum fails.
        assert!(kinds("DE89370400440532013001").is_empty());
        // Right checksum rule but a wrong length for the country.
        assert!(kinds("GB82WEST123456987654").is_empty());
        let hit = &Scanner::all().scan(b"DE89370400440532013000")[0];
        assert_eq!(hit.sample, "DE******************00");
    }

    #[test]
    fn cards_need_luhn_and_a_network() {
        assert_eq!(
            kinds("card 4111 1111 1111 1111 ok"),
            vec![Detector::PaymentCard]
        );
        assert_eq!(kinds("5500-0000-0000-0004"), vec![Detector::PaymentCard]);
        assert_eq!(kinds("amex 378282246310005"), vec![Detector::PaymentCard]);
        // Luhn fails.
        assert!(kinds("4111 1111 1111 1112").is_empty());
        // Luhn holds (epoch millis) but no card network starts with 1.
        assert!(!kinds("1621305118553").contains(&Detector::PaymentCard));
        // Mixed separators are not a card.
        assert!(kinds("4111 1111-1111 1111").is_empty());
        let hit = &Scanner::all().scan(b"4111111111111111")[0];
        assert_eq!(hit.sample, "************1111");
    }

    #[test]
    fn tokens_and_keys() {
        assert_eq!(
            kinds("AKIAIOSFODNN7EXAMPLE"),
            vec![Detector::AwsAccessKeyId]
        );
        assert!(kinds("AKIAI123456789EXAMPLE").is_empty());
        let gh = format!("token ghp_{}", "a1B2".repeat(9));
        assert_eq!(kinds(&gh), vec![Detector::GithubToken]);
        assert_eq!(
            kinds("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp"),
            vec![Detector::SlackToken]
        );
        assert_eq!(
            kinds("-----BEGIN RSA PRIVATE KEY-----"),
            vec![Detector::PrivateKey]
        );
        assert_eq!(
            kinds("-----BEGIN OPENSSH PRIVATE KEY-----"),
            vec![Detector::PrivateKey]
        );
        assert!(kinds("-----BEGIN PUBLIC KEY-----").is_empty());
    }

    /// The secrets found in `line` (a URL's user and host also read as an e-mail address).
    fn secrets(line: &str) -> Vec<Hit> {
        Scanner::all()
            .scan(line.as_bytes())
            .into_iter()
            .filter(|h| h.detector.category() == Category::Secret)
            .collect()
    }

    /// `n` characters of an obviously fake key body drawn from `alphabet`.
    fn fake(n: usize, alphabet: &str) -> String {
        alphabet.chars().cycle().take(n).collect()
    }

    const BODY: &str = "FakeKeyForTests0nly_NotReal-9876543210";
    const HEX: &str = "0123456789abcdeffedcba9876543210";

    /// Each service key: values in the vendor's format are found with a sample that keeps only
    /// the prefix, and placeholders or near-misses are not.
    #[test]
    fn service_keys_by_their_formats() {
        let openai_legacy = format!(
            "sk-{}T3BlbkFJ{}",
            fake(20, "FakeOpenAi0123456789"),
            fake(20, "TestOnly9876543210ab")
        );
        let openai_project = format!("sk-proj-{}T3BlbkFJ{}", fake(74, BODY), fake(74, BODY));
        let anthropic = format!("sk-ant-api03-{}AA", fake(93, BODY));
        let anthropic_admin = format!("sk-ant-admin01-{}AA", fake(93, BODY));
        let stripe = format!("sk_live_{}", fake(24, "FakeStripeKey0123456789"));
        let restricted = format!("rk_live_{}", fake(99, "FakeStripeKey0123456789"));
        let google = format!("AIza{}", fake(35, BODY));
        let azure = format!(
            "AccountKey={}==",
            fake(86, "FakeAzureStorageKey+/0123456789")
        );
        let twilio_account = format!("AC{}", fake(32, HEX));
        let twilio_key = format!("SK{}", fake(32, HEX));
        let sendgrid = format!("SG.{}.{}", fake(22, BODY), fake(43, BODY));
        for (line, detector, sample) in [
            (format!("OPENAI_API_KEY={openai_legacy}"), Detector::OpenAiApiKey, "sk-***"),
            (format!("client = OpenAI(api_key=\"{openai_project}\")"), Detector::OpenAiApiKey, "sk-proj-***"),
            (format!("ANTHROPIC_API_KEY={anthropic}"), Detector::AnthropicApiKey, "sk-ant-api03-***"),
            (format!("admin: '{anthropic_admin}'"), Detector::AnthropicApiKey, "sk-ant-admin01-***"),
            (format!("stripe.api_key = \"{stripe}\""), Detector::StripeSecretKey, "sk_live_***"),
            (format!("STRIPE_RK={restricted}"), Detector::StripeSecretKey, "rk_live_***"),
            (format!("maps?key={google}&q=x"), Detector::GoogleApiKey, "AIza***"),
            (format!("DefaultEndpointsProtocol=https;AccountName=fake;{azure};EndpointSuffix=core.windows.net"), Detector::AzureStorageKey, "AccountKey=***"),
            (format!("account_sid = \"{twilio_account}\""), Detector::TwilioSid, "AC***"),
            (format!("TWILIO_API_KEY={twilio_key}"), Detector::TwilioSid, "SK***"),
            (format!("SENDGRID={sendgrid}"), Detector::SendgridApiKey, "SG.***"),
            ("DATABASE_URL=postgres://app:Fake-Pa55word@db.internal:5432/orders".into(), Detector::DatabaseUrlPassword, "postgres://***:***@***"),
            ("url: postgresql+psycopg2://app:Fake-Pa55word@db/orders".into(), Detector::DatabaseUrlPassword, "postgresql+psycopg2://***:***@***"),
            ("MYSQL=mysql://root:Fake-Pa55word@127.0.0.1/app".into(), Detector::DatabaseUrlPassword, "mysql://***:***@***"),
            ("mongodb+srv://svc:Fake-Pa55word@cluster0.example.net/db".into(), Detector::DatabaseUrlPassword, "mongodb+srv://***:***@***"),
            ("CACHE=rediss://:Fake-Pa55word@cache:6380/0".into(), Detector::DatabaseUrlPassword, "rediss://***:***@***"),
            ("BROKER=amqp://guest:Fake-Pa55word@mq:5672/".into(), Detector::DatabaseUrlPassword, "amqp://***:***@***"),
        ] {
            let hits = secrets(&line);
            assert_eq!(hits.len(), 1, "{line}: {hits:?}");
            assert_eq!(hits[0].detector, detector, "{line}");
            assert_eq!(hits[0].sample, sample, "{line}");
            assert!(!line[hits[0].range.clone()].is_empty());
        }
        // The password alone is the value of a database URL.
        let url = "postgres://app:Fake-Pa55word@db/orders";
        let hit = &secrets(url)[0];
        assert_eq!(&url[hit.range.clone()], "Fake-Pa55word");

        let near_misses = [
            "OPENAI_API_KEY=sk-...xxxx".to_string(),
            format!("sk-{}", fake(48, BODY)),
            format!("sk-ant-api03-{}AA", "x".repeat(93)),
            format!("sk-ant-api03-{}", fake(60, BODY)),
            format!("sk-ant-api03-{}AAB", fake(93, BODY)),
            format!("sk_test_{}", fake(24, "FakeStripeKey0123456789")),
            format!("sk_live_{}", "x".repeat(24)),
            format!("AIza{}", fake(30, BODY)),
            format!("AIza{}", fake(36, BODY)),
            format!("AccountKey={}==", fake(40, BODY)),
            format!("AC{}", "0".repeat(32)),
            format!("AC{}", fake(31, HEX)),
            format!("SID={}", fake(34, HEX)),
            "SG.short.key".to_string(),
            "postgres://user:${PASSWORD}@db:5432/app".into(),
            "postgres://user:$DB_PASSWORD@db:5432/app".into(),
            "mysql://root:<password>@localhost/app".into(),
            "mongodb://admin:password@localhost".into(),
            "redis://:{{ redis_password }}@cache".into(),
            "amqp://user:****@mq".into(),
            "postgres://db.internal:5432/app".into(),
            "https://user:Fake-Pa55word@example.com".into(),
        ];
        for line in near_misses {
            assert!(secrets(&line).is_empty(), "{line}: {:?}", secrets(&line));
        }
    }

    /// A key named by a service format is one finding, not also a generic one.
    #[test]
    fn a_service_key_is_not_also_a_generic_key() {
        let line = format!(
            "api_key: \"sk_live_{}\"",
            fake(24, "FakeStripeKey0123456789")
        );
        assert_eq!(kinds(&line), vec![Detector::StripeSecretKey]);
    }

    #[test]
    fn redaction_replaces_each_value_by_its_kind() {
        let token = format!("ghp_{}", "a1B2".repeat(9));
        let subject = format!("Fix deploy: use {token} and AKIAIOSFODNN7EXAMPLE — ok");
        assert_eq!(
            Scanner::all().redact(&subject),
            "Fix deploy: use [REDACTED:github_token] and [REDACTED:aws_access_key_id] — ok"
        );
        assert_eq!(Scanner::all().redact("Bump version"), "Bump version");
    }

    #[test]
    fn generic_keys_need_randomness() {
        assert_eq!(
            kinds(r#"{"api_key": "Zx81kQ2mN9pLr7Tv4Wb"}"#),
            vec![Detector::GenericApiKey]
        );
        assert_eq!(kinds("password=S3cure!Pass"), vec![Detector::GenericApiKey]);
        assert!(kinds(r#"{"api_key": "aaaaaaaaaaaaaaaaaaaa"}"#).is_empty());
        assert!(kinds(r#"{"password": "<REDACTED>"}"#).is_empty());
        assert!(kinds(r#"{"password": "${DB_PASSWORD}"}"#).is_empty());
        let hit = &Scanner::all().scan(br#"{"API_KEY": "Zx81kQ2mN9pLr7Tv4Wb"}"#)[0];
        assert_eq!(hit.sample, "api_key=***");
        assert_eq!(
            &r#"{"API_KEY": "Zx81kQ2mN9pLr7Tv4Wb"}"#[hit.range.clone()],
            "Zx81kQ2mN9pLr7Tv4Wb"
        );
    }

    #[test]
    fn jwt_header_must_decode() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        let hits = Scanner::all().scan(jwt.as_bytes());
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].detector, Detector::Jwt);
        assert_eq!(hits[0].sample, "eyJ***.eyJ***.*** (alg HS256)");
        assert!(kinds("eyJub3Rqc29u.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig").is_empty());
    }

    #[test]
    fn allow_list_and_detector_choice() {
        let scanner = Scanner::new(&[Detector::Email], &[r"@example\.com$".to_string()]).unwrap();
        assert!(scanner.scan(b"ops@example.com").is_empty());
        assert_eq!(scanner.scan(b"ops@corp.io 123-45-6789").len(), 1);
    }

    #[test]
    fn merging_in_order_equals_one_pass() {
        let scanner = Scanner::all();
        let lines: Vec<String> = (1..=30)
            .map(|i| format!("user{}@example.org 123-45-67{:02}", i % 4, i))
            .collect();
        let mut whole = Findings::default();
        for (i, l) in lines.iter().enumerate() {
            scanner.scan_into(i as u64 + 1, l.as_bytes(), &mut whole);
        }
        let mut first = Findings::default();
        let mut second = Findings::default();
        for (i, l) in lines.iter().enumerate() {
            let target = if i < 13 { &mut first } else { &mut second };
            scanner.scan_into(i as u64 + 1, l.as_bytes(), target);
        }
        first.merge(second);
        assert_eq!(first, whole);
        let email = &whole.by_detector[&Detector::Email];
        assert_eq!(email.count, 30);
        assert_eq!(email.lines.len(), MAX_LINES);
        assert_eq!(email.samples, vec!["u***@e***.org"]);
        assert_eq!(whole.to_json()["personal_data"], 60);
    }

    #[test]
    fn no_value_leaks_into_the_summary() {
        let seeded = [
            "jane.roe@contoso.org",
            "4111111111111111",
            "DE89370400440532013000",
            "123-45-6789",
            "AB123456C",
            "AKIAIOSFODNN7EXAMPLE",
            "+44 20 7946 0958",
        ];
        let scanner = Scanner::all();
        let mut findings = Findings::default();
        for (i, v) in seeded.iter().enumerate() {
            scanner.scan_into(
                i as u64 + 1,
                format!("value: {v}").as_bytes(),
                &mut findings,
            );
        }
        assert_eq!(findings.by_detector.len(), seeded.len());
        let text = findings.to_json().to_string();
        for v in seeded {
            assert!(!text.contains(v), "{v} leaked into {text}");
        }
    }

    #[test]
    fn excerpts_are_short_one_line_and_redacted() {
        let gh = format!("ghp_{}", "a1B2".repeat(9));
        let quoted = excerpt(&format!("token {gh} and more\nsecond line"));
        assert!(!quoted.contains(&gh), "{quoted}");
        assert!(!quoted.contains("second line"), "{quoted}");
        assert!(quoted.ends_with('…'), "{quoted}");
        let long = excerpt(&"x".repeat(500));
        assert_eq!(long.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt("short"), "short");
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n";
        let message = format!("{} is not of type \"object\"", serde_json::json!(key));
        let shown = excerpt_in(&message, &serde_json::json!(key).to_string());
        assert!(!shown.contains("b3BlbnNzaC1rZXktdjEAAAA"), "{shown}");
        assert!(shown.contains("PRIVATE KEY-----…"), "{shown}");
        let shown = excerpt_in("\"plain\" is not of type \"object\"", "\"plain\"");
        assert_eq!(shown, "\"plain\" is not of type \"object\"");
    }
}
