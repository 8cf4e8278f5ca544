//! Personal data recognized by its context: the key or label before a value (`first_name:`,
//! `"date_of_birth": "…"`, `Passport No.`), then the value's own shape. Person names, postal
//! addresses, dates of birth, passport numbers and Dutch BSNs are common words and numbers
//! anywhere else, so none of them is reported without its key.

use std::ops::Range;

/// The key/value separator of YAML, JSON, logfmt, `.env` and INI: optional quotes (escaped
/// in JSON strings), `:` or `=`, optional quotes.
macro_rules! assigned {
    () => {
        r#"\\?["']?\s*[:=]\s*\\?["']?"#
    };
}

/// The same, or just blanks, as in prose and forms (`DOB 12/03/1985`, `Passport No. X1`).
macro_rules! labelled {
    () => {
        r#"\\?["']?(?:\s*[:=#]\s*|\s+)\\?["']?"#
    };
}

/// A key ending in a word that can name a person, then a run of capitalized words.
pub(super) const PERSON_NAME: &str = concat!(
    r"(?i-u)(?:name|customer|holder|recipient|patient|employee|contact|person|forename|vorname|nachname|prenom|voornaam|achternaam)",
    assigned!(),
    r"((?-i:[A-Z]|\xC3[\x80-\x9E])(?:(?-i:[A-Za-z'\-])|\xC3[\x80-\xBF])*(?:\x20(?:(?-i:[A-Za-z'\-.])|\xC3[\x80-\xBF])+){0,4})",
);

/// An address key, then the rest of the value up to its quote or the end of the line.
pub(super) const POSTAL_ADDRESS: &str = concat!(
    r"(?i-u)(?:address|adresse|adres|anschrift|street|strasse)(?:[_\-]?line)?(?:[_\-]?[12])?",
    assigned!(),
    r#"((?:[A-Za-z0-9]|[\xC0-\xFF])[^"'\r\n;|<>{}\[\]#\\]{3,118}(?:[A-Za-z0-9.]|[\x80-\xBF]))"#,
);

/// A birth-date label, then a date: ISO, day-month-year or month-day-year with `.`, `/` or
/// `-`, a month name in English or German, or `YYYYMMDD`.
pub(super) const DATE_OF_BIRTH: &str = concat!(
    r"(?i-u)(?:^|[^a-z])(?:dob|d\.o\.b\.?|date[_\-\x20]?of[_\-\x20]?birth|birth(?:[_\-]?date|day)?|geburtsdatum|geburtstag|geboortedatum|naissance|born(?:[_\-\x20]on)?)",
    labelled!(),
    r"([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}/[0-9]{2}/[0-9]{2}|[0-9]{1,2}[./\-][0-9]{1,2}[./\-][0-9]{4}",
    r"|[0-9]{1,2}\.?\x20(?:jan|feb|mar|m\xC3\xA4r|apr|may|mai|jun|jul|aug|sep|oct|okt|nov|dec|dez)[a-z]*\.?\x20[0-9]{4}",
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\x20[0-9]{1,2},?\x20[0-9]{4}|[0-9]{8})",
);

/// A passport label (English, French, German, Dutch; `number`, `no`, `nr`, `id` after it),
/// then six to nine capital letters and digits.
pub(super) const PASSPORT_NUMBER: &str = concat!(
    r"(?i-u)(?:^|[^a-z])(?:passport|passeport|reisepass|paspoort|passnummer|passnr)(?:[_\-.\x20]?(?:no|nr|num|number|nummer|numero|id|#))?\.?",
    labelled!(),
    r"((?-i:[A-Z0-9]{6,9}))\b",
);

/// A BSN label, then nine digits (or `dddd.dd.ddd`).
pub(super) const NL_BSN: &str = concat!(
    r"(?i-u)(?:^|[^a-z])(?:bsn|burgerservicenummer|sofi[_\-]?nummer|sofinummer)",
    labelled!(),
    r"([0-9]{9}|[0-9]{4}\.[0-9]{2}\.[0-9]{3})\b",
);

/// The key right before the value at `start`: `name` in `"name": "…"`, `name: …`, `name=…`
/// and `name …`, in snake case and lower case, the last part of a dotted path
/// (`customer.firstName` gives `first_name`).
pub(super) fn key_before(line: &[u8], start: usize) -> Option<String> {
    let mut i = start;
    let skip = |i: &mut usize, f: &dyn Fn(u8) -> bool| {
        while *i > 0 && f(line[*i - 1]) {
            *i -= 1;
        }
    };
    skip(&mut i, &|b| matches!(b, b'"' | b'\'' | b'\\'));
    skip(&mut i, &|b| b == b' ' || b == b'\t');
    if i > 0 && matches!(line[i - 1], b':' | b'=' | b'#') {
        i -= 1;
    }
    skip(&mut i, &|b| b == b' ' || b == b'\t');
    skip(&mut i, &|b| matches!(b, b'"' | b'\'' | b'\\'));
    let end = i;
    skip(&mut i, &|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
    });
    let key = std::str::from_utf8(&line[i..end]).ok()?;
    let key = key.trim_end_matches('.').rsplit('.').next()?;
    (!key.is_empty()).then(|| snake_case(key))
}

/// `key` in lower snake case: `firstName` and `first-name` give `first_name`.
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut previous_lower = false;
    for c in key.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c == '-' {
            '_'
        } else {
            c.to_ascii_lowercase()
        });
    }
    out
}

/// Keys whose value is one part of a name: a single word is enough.
const NAME_PART_KEYS: &[&str] = &[
    "first_name",
    "firstname",
    "given_name",
    "givenname",
    "forename",
    "middle_name",
    "last_name",
    "lastname",
    "surname",
    "family_name",
    "familyname",
    "maiden_name",
    "vorname",
    "nachname",
    "prenom",
    "voornaam",
    "achternaam",
];

/// Keys whose value is a person's full name: two words at least, so that `name: Checkout`
/// is not one.
const FULL_NAME_KEYS: &[&str] = &[
    "name",
    "full_name",
    "fullname",
    "display_name",
    "customer",
    "customer_name",
    "client_name",
    "contact",
    "contact_name",
    "person",
    "person_name",
    "patient",
    "patient_name",
    "employee",
    "employee_name",
    "cardholder",
    "card_holder",
    "cardholder_name",
    "card_holder_name",
    "account_holder",
    "account_holder_name",
    "holder_name",
    "recipient",
    "recipient_name",
];

/// Lower-case words inside names: `Ludwig van Beethoven`, `Charles de Gaulle`.
const PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "du", "la", "le", "da", "di", "del", "della", "dos", "das",
    "ter", "ten", "bin", "al", "zu", "y",
];

/// Words of the names of jobs, steps, services, teams and products, which are capitalized in
/// the same `name:` fields as people's names (`name: Run Tests`, `customer: Acme Corp`).
#[rustfmt::skip]
const NOT_NAMES: &[&str] = &[
    // Verbs of CI steps and jobs.
    "add", "analyze", "apply", "approve", "archive", "audit", "backup", "benchmark", "bootstrap",
    "build", "bump", "cache", "check", "checkout", "clean", "cleanup", "clone", "collect",
    "commit", "compile", "configure", "copy", "create", "debug", "delete", "deploy", "destroy",
    "disable", "download", "dump", "enable", "export", "extract", "fetch", "format", "generate",
    "get", "import", "init", "initialize", "install", "label", "lint", "list", "load", "login",
    "logout", "make", "merge", "migrate", "monitor", "notify", "pack", "plan", "prepare",
    "print", "prune", "publish", "pull", "push", "read", "rebuild", "release", "remove",
    "rename", "report", "restart", "restore", "retry", "review", "rotate", "run", "save", "scan",
    "seed", "send", "set", "setup", "show", "sign", "start", "stop", "sync", "tag", "test",
    "trigger", "update", "upgrade", "upload", "use", "validate", "verify", "wait", "watch",
    "write",
    // Nouns of software, infrastructure and organizations.
    "access", "account", "accounts", "action", "actions", "admin", "agent", "alert", "alerts",
    "analysis", "analytics", "api", "app", "application", "archive", "artifact", "artifacts",
    "assets", "auth", "automation", "backend", "balancer", "base", "billing", "bot", "branch",
    "bucket", "bundle", "cart", "catalog", "certificate", "changelog", "chart", "client",
    "cloud", "cluster", "code", "collector", "config", "configuration", "connector", "console",
    "container", "containers", "controller", "core", "coverage", "cron", "daemon", "dashboard",
    "data", "database", "default", "dependencies", "deployment", "dev", "development", "disk",
    "dns", "docker", "docs", "documentation", "domain", "engine", "environment", "events",
    "exporter", "feature", "files", "firewall", "frontend", "function", "gateway", "group",
    "health", "image", "images", "index", "infra", "infrastructure", "ingress", "instance",
    "integration", "internal", "inventory", "invoice", "job", "jobs", "key", "keys", "lambda",
    "latency", "layer", "library", "load", "logging", "logs", "main", "manager", "matrix",
    "metrics", "module", "modules", "monitoring", "network", "nightly", "node", "nodes",
    "notification", "notifications", "operator", "order", "orders", "package", "packages",
    "pages", "payment", "payments", "pipeline", "platform", "plugin", "pod", "policy", "pool",
    "portal", "primary", "production", "project", "provider", "proxy", "queue", "registry",
    "replica", "repo", "repository", "request", "requests", "resource", "role", "router",
    "rule", "rules", "runner", "scheduler", "schema", "script", "scripts", "sdk", "search",
    "secret", "secrets", "security", "server", "service", "services", "settings", "shipping",
    "site", "stack", "stage", "staging", "status", "step", "steps", "storage", "store",
    "subnet", "suite", "system", "table", "task", "tasks", "team", "template", "terminal",
    "tests", "tool", "tools", "topic", "traffic", "unit", "user", "users", "utils", "vault",
    "version", "volume", "web", "webhook", "worker", "workers", "workflow", "zone",
    // Products, languages and company forms.
    "ag", "android", "ansible", "aws", "azure", "bv", "co", "company", "corp", "corporation",
    "gcp", "github", "gitlab", "gmbh", "go", "google", "grafana", "helm", "inc", "ios", "java",
    "jenkins", "kafka", "kubernetes", "linux", "llc", "ltd", "macos", "maven", "mysql", "nginx",
    "npm", "plc", "postgres", "prometheus", "python", "redis", "ruby", "rust", "sa", "sas",
    "slack", "terraform", "ubuntu", "windows", "yarn",
    // Repository automation and metrics.
    "assign", "benchmarks", "canary", "close", "codeql", "commits", "compliance", "count",
    "cpu", "dependabot", "duration", "error", "errors", "fuzz", "greetings", "hotfix", "issue",
    "issues", "labeler", "license", "licenses", "lock", "memory", "performance", "pr", "preview",
    "rate", "regression", "reviewers", "rollback", "sbom", "scanning", "size", "smoke", "stale",
    "throughput", "total", "triage", "uptime", "usage", "welcome",
    // Qualifiers.
    "all", "auto", "daily", "e2e", "east", "end", "full", "new", "north", "old", "public",
    "private", "quick", "south", "weekly", "west",
];

/// Whether `word` can be part of a person's name: capitalized (`Jane`, `O'Brien`, `Jean-Luc`,
/// `McDonald`, `Émile`), an initial (`F.`) or a particle (`van`).
fn name_word(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if PARTICLES.contains(&word) {
        return true;
    }
    if word.len() == 2 && first.is_uppercase() && word.ends_with('.') {
        return true;
    }
    first.is_uppercase()
        && word.chars().any(char::is_lowercase)
        && word
            .chars()
            .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
}

/// The leading words of the candidate at `range` that can form a name, without trailing
/// particles: `Jane` of `Jane last` in `first_name=Jane last_name=Doe`.
pub(super) fn narrow_person_name(line: &[u8], range: Range<usize>) -> Range<usize> {
    let text = String::from_utf8_lossy(&line[range.clone()]);
    let mut end = 0;
    let mut at = 0;
    for word in text.split(' ') {
        if !name_word(word) {
            break;
        }
        at += word.len();
        if !PARTICLES.contains(&word) && !word.ends_with('.') {
            end = at;
        }
        at += 1;
    }
    range.start..range.start + end
}

/// Whether the (narrowed) candidate is a person's name under a key that names a person.
pub(super) fn valid_person_name(line: &[u8], start: usize, end: usize) -> bool {
    let Some(key) = key_before(line, start) else {
        return false;
    };
    let min_words = if NAME_PART_KEYS.contains(&key.as_str()) {
        1
    } else if FULL_NAME_KEYS.contains(&key.as_str()) {
        2
    } else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(&line[start..end]) else {
        return false;
    };
    let words: Vec<&str> = text.split(' ').collect();
    let named = words
        .iter()
        .filter(|w| !PARTICLES.contains(w) && !w.ends_with('.'))
        .count();
    !text.is_empty()
        && named >= min_words
        && !words
            .iter()
            .any(|w| NOT_NAMES.contains(&w.to_lowercase().as_str()))
}

/// A sample keeping each word's first letter: `J*** D***`.
pub(super) fn redact_person_name(value: &str) -> String {
    value
        .split(' ')
        .map(|w| format!("{}***", w.chars().next().unwrap_or('*')))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Keys whose value is a postal address (not `ip_address`, `email_address`, `bind_address`).
const ADDRESS_KEYS: &[&str] = &[
    "address",
    "street",
    "street_address",
    "address_line",
    "address_line1",
    "address_line_1",
    "address1",
    "addressline1",
    "street_line1",
    "billing_address",
    "shipping_address",
    "home_address",
    "postal_address",
    "mailing_address",
    "delivery_address",
    "residential_address",
    "customer_address",
    "anschrift",
    "adresse",
    "strasse",
    "adres",
];

/// Street types as words: English, French, German, Dutch.
const STREET_WORDS: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "way",
    "court",
    "ct",
    "place",
    "pl",
    "terrace",
    "close",
    "crescent",
    "square",
    "sq",
    "highway",
    "hwy",
    "parkway",
    "pkwy",
    "row",
    "mews",
    "rue",
    "av",
    "bd",
    "chemin",
    "allée",
    "allee",
    "impasse",
    "quai",
    "route",
    "cours",
    "passage",
    "straße",
    "strasse",
    "str",
    "weg",
    "platz",
    "gasse",
    "ring",
    "damm",
    "straat",
    "laan",
    "gracht",
    "plein",
    "kade",
    "singel",
];

/// Street types as the end of a compound word: `Hauptstraße`, `Keizersgracht`.
const STREET_SUFFIXES: &[&str] = &[
    "straße", "strasse", "str.", "weg", "platz", "allee", "gasse", "ring", "damm", "ufer",
    "straat", "laan", "gracht", "plein", "kade", "singel", "dijk",
];

/// Whether the candidate is a postal address under an address key: a house number and a
/// street type (`12 Main St`, `Musterstraße 12`, `12 rue de la Paix`, `Keizersgracht 123`).
pub(super) fn valid_postal_address(line: &[u8], start: usize, end: usize) -> bool {
    if !key_before(line, start).is_some_and(|k| ADDRESS_KEYS.contains(&k.as_str())) {
        return false;
    }
    let text = String::from_utf8_lossy(&line[start..end]).to_lowercase();
    if text.contains("://") || text.contains('@') {
        return false;
    }
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let house_number = tokens.iter().any(|t| {
        let digits = t.chars().take_while(char::is_ascii_digit).count();
        (1..=5).contains(&digits)
            && t[digits..].len() <= 3
            && t[digits..]
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '/')
    });
    let street = tokens.iter().any(|t| {
        STREET_WORDS.contains(&t.trim_end_matches('.'))
            || STREET_SUFFIXES
                .iter()
                .any(|s| t.len() > s.len() + 2 && t.ends_with(s))
    });
    house_number && street
}

/// Whether the candidate is a calendar date between 1880 and 2100. A numeric day and month
/// may be in either order (`03/12/1985` is valid as 3 December and as 12 March).
pub(super) fn valid_date_of_birth(line: &[u8], start: usize, end: usize) -> bool {
    if line.get(end).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let text = String::from_utf8_lossy(&line[start..end]).to_lowercase();
    let numbers: Vec<u32> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    let month_name = text
        .split(|c: char| !c.is_alphabetic())
        .find(|w| !w.is_empty())
        .and_then(month_number);
    match (month_name, numbers.as_slice()) {
        (Some(month), &[day, year]) => real_date(year, month, day),
        (None, &[ymd]) if text.len() == 8 => real_date(ymd / 10000, ymd / 100 % 100, ymd % 100),
        (None, &[a, b, c]) if a > 31 => real_date(a, b, c),
        (None, &[a, b, year]) => real_date(year, b, a) || real_date(year, a, b),
        _ => false,
    }
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &["jan"],
        &["feb"],
        &["mar", "mär"],
        &["apr"],
        &["may", "mai"],
        &["jun"],
        &["jul"],
        &["aug"],
        &["sep"],
        &["oct", "okt"],
        &["nov"],
        &["dec", "dez"],
    ];
    MONTHS
        .iter()
        .position(|names| names.iter().any(|n| word.starts_with(n)))
        .map(|i| i as u32 + 1)
}

fn real_date(year: u32, month: u32, day: u32) -> bool {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1880..=2100).contains(&year) && (1..=days).contains(&day)
}

/// A date's sample: its shape with every digit and letter masked.
pub(super) fn redact_date(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_alphanumeric() { '*' } else { c })
        .collect()
}

/// Whether a passport candidate holds a digit and is no stand-in (`000000000`, `123456789`).
pub(super) fn valid_passport(value: &[u8]) -> bool {
    let ascending = value.windows(2).all(|w| w[1] == w[0] + 1);
    let mut distinct = value.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    value.iter().any(u8::is_ascii_digit) && distinct.len() >= 3 && !ascending
}

#[cfg(test)]
mod tests {
    use super::super::tests::{found, kinds};
    use super::super::{Detector, Scanner};
    use super::key_before;

    fn of(detector: Detector, text: &str) -> Vec<String> {
        found(text)
            .into_iter()
            .filter(|(d, _)| *d == detector)
            .map(|(_, v)| v)
            .collect()
    }

    #[test]
    fn the_key_before_a_value() {
        let key = |line: &str, value: &str| key_before(line.as_bytes(), line.find(value).unwrap());
        assert_eq!(
            key(r#"{"firstName": "Jane"}"#, "Jane").as_deref(),
            Some("first_name")
        );
        assert_eq!(
            key("customer.last-name=Doe", "Doe").as_deref(),
            Some("last_name")
        );
        assert_eq!(key("  name: Jane Doe", "Jane").as_deref(), Some("name"));
        assert_eq!(
            key(r#"{\"name\":\"Jane\"}"#, "Jane").as_deref(),
            Some("name")
        );
        assert_eq!(key("Jane", "Jane"), None);
    }

    #[test]
    fn person_names_under_person_keys() {
        let name = |t: &str| of(Detector::PersonName, t);
        assert_eq!(name(r#"{"name": "Jane Doe"}"#), ["Jane Doe"]);
        assert_eq!(name("first_name: Jürgen"), ["Jürgen"]);
        assert_eq!(name("lastName=O'Brien"), ["O'Brien"]);
        assert_eq!(
            name("customer: Ludwig van Beethoven"),
            ["Ludwig van Beethoven"]
        );
        assert_eq!(name("cardholder=\"Émile F. Zola\""), ["Émile F. Zola"]);
        assert_eq!(name("first_name=Jane last_name=Doe"), ["Jane", "Doe"]);
        assert_eq!(name("author: Jane Doe <jane@x>").len(), 0);
        assert_eq!(
            Scanner::all().scan(b"name: Jane Doe")[0].sample,
            "J*** D***"
        );
        for text in [
            "name: Checkout",
            "- name: Run Tests",
            "name: Build and Deploy",
            "name: Set Up Python",
            "name: Payments API",
            "name: Close Stale Issues",
            r#""name": "Error Rate""#,
            "customer: Acme Corp",
            "name: my-service",
            "file_name: Report Final",
            "app-name: Jane Doe",
            "hostname: Web Server",
            "name: {{ .Values.name }}",
            "first_name: ${FIRST_NAME}",
        ] {
            assert!(name(text).is_empty(), "{text}: {:?}", name(text));
        }
    }

    #[test]
    fn postal_addresses_need_a_number_and_a_street() {
        let address = |t: &str| of(Detector::PostalAddress, t);
        for value in [
            "1600 Pennsylvania Ave NW, Washington, DC 20500",
            "10 Downing Street, London SW1A 2AA",
            "Musterstraße 12, 10115 Berlin",
            "12 rue de la Paix, 75002 Paris",
            "Keizersgracht 123, 1015 CJ Amsterdam",
        ] {
            assert_eq!(address(&format!(r#"{{"address": "{value}"}}"#)), [value]);
        }
        assert_eq!(
            address("billing_address: 221b Baker Street"),
            ["221b Baker Street"]
        );
        assert_eq!(address("street: Hauptstr. 5"), ["Hauptstr. 5"]);
        for text in [
            "address: 0.0.0.0:8080",
            "ip_address: 10 Main Street",
            "listen_address: \":9090\"",
            "address: Main Street",
            "email_address: jane@example.com",
            "address: 42",
        ] {
            assert!(address(text).is_empty(), "{text}");
        }
        assert_eq!(Scanner::all().scan(b"address: 12 Main St")[0].sample, "***");
    }

    #[test]
    fn dates_of_birth_after_a_birth_label() {
        let dob = |t: &str| of(Detector::DateOfBirth, t);
        assert_eq!(dob(r#"{"date_of_birth": "1985-03-12"}"#), ["1985-03-12"]);
        assert_eq!(dob("dateOfBirth=12.03.1985"), ["12.03.1985"]);
        assert_eq!(dob("DOB 03/31/1985"), ["03/31/1985"]);
        assert_eq!(dob("Geburtsdatum: 12. März 1985"), ["12. März 1985"]);
        assert_eq!(dob("born on March 12, 1985"), ["March 12, 1985"]);
        assert_eq!(dob("birthdate: 19850312"), ["19850312"]);
        assert_eq!(dob("dob: 1985-03-12T00:00:00Z"), ["1985-03-12"]);
        for text in [
            "created: 1985-03-12",
            "dob: 1985-02-30",
            "dob: 31/31/1985",
            "birthday_reminder: true",
            "dob: 1700-01-01",
        ] {
            assert!(dob(text).is_empty(), "{text}");
        }
        assert_eq!(
            Scanner::all().scan(b"dob: 1985-03-12")[0].sample,
            "****-**-**"
        );
    }

    #[test]
    fn passport_numbers_after_a_passport_label() {
        let passport = |t: &str| of(Detector::PassportNumber, t);
        assert_eq!(passport("passport_number: C01X00T47"), ["C01X00T47"]);
        assert_eq!(passport(r#"{"passportNo": "533380006"}"#), ["533380006"]);
        assert_eq!(passport("Passport No.: 12AB34567"), ["12AB34567"]);
        assert_eq!(passport("Reisepass C4F5GH2K1"), ["C4F5GH2K1"]);
        for text in [
            "passport: true",
            "passport.authenticate('jwt')",
            "passport_expiry: 2031-05-01",
            "passport: 000000000",
            "passport_number: 123456789",
            "passport: ABCDEFGHI",
            "passport-jwt@4.0.1",
        ] {
            assert!(kinds(text).is_empty(), "{text}");
        }
    }
}
