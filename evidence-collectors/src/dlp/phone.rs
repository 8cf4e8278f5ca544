//! Phone numbers: international (E.164 with `+`, grouped or not: `+49 30 1234567`,
//! `+4915112345678`, `+44 (0)20 7946 0958`), national numbers with a trunk `0` as written in
//! Germany, France and the United Kingdom (`030 12345678`, `030/1234567`, `(030) 1234567`,
//! `01 23 45 67 89`, `020 7946 0958`, `07700 900123`), and North American numbers (`(415)
//! 555-2671`, `415.555.2671`, `1-415-555-2671`). A national number needs a separator after its
//! area code: a bare run of digits is an identifier more often than a phone number.

use super::national_id::digits;
use super::RefusedBefore;

/// The candidate pattern: international, trunk-0 national, North American.
pub(super) const PATTERN: &str = concat!(
    r"(?-u)\+[1-9][0-9]{0,2}(?:[ .\-]?\(?[0-9]{1,4}\)?){2,6}",
    r"|\(?0[1-9][0-9]{0,4}\)?(?:[ /.\-][0-9]{2,8}){1,4}",
    r"|(?:\b1[ .\-])?\(?\b[2-9][0-9]{2}\)?[ .\-][2-9][0-9]{2}[ .\-][0-9]{4}\b",
);

/// A phone number cannot follow a letter, a digit or one of these marks: it would be part of a
/// longer token.
pub(super) const REFUSED_BEFORE: RefusedBefore = RefusedBefore(b"_+.-:/");

/// Whether the candidate at `start..end` of `line` is a phone number.
pub(super) fn valid_phone(line: &[u8], start: usize, end: usize) -> bool {
    let value = &line[start..end];
    let before = start.checked_sub(1).map(|i| line[i]);
    let after = line.get(end).copied();
    let digit_at = |i: Option<usize>| i.and_then(|i| line.get(i)).is_some_and(u8::is_ascii_digit);
    if before.is_some_and(|b| REFUSED_BEFORE.refuses(b))
        || after.is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b':' | b'/'))
        // The tail of a longer grouped number: `1 85 05 78 006 084 91`.
        || (before == Some(b' ') && digit_at(start.checked_sub(2)))
        || (after == Some(b' ') && digit_at(Some(end + 1)))
    {
        return false;
    }
    let n = digits(value).len();
    match value.first() {
        Some(b'+') => (8..=15).contains(&n),
        Some(b'0') | Some(b'(') if value.iter().find(|b| b.is_ascii_digit()) == Some(&b'0') => {
            (9..=12).contains(&n) && national_separators(value) && !ssn_shaped(value)
        }
        _ => n == 10 || (n == 11 && value[0] == b'1'),
    }
}

/// Whether a trunk-0 number is grouped as phone numbers are: after the area code (which may
/// end with `)`, `/` or any separator) every group is set off by the same separator, so that
/// `01/02/2024 12` or `01.02.2024 12` is not read as a number.
fn national_separators(value: &[u8]) -> bool {
    let paren = usize::from(value[0] == b'(');
    let mut separators = value
        .split(u8::is_ascii_digit)
        .filter(|s| !s.is_empty())
        .skip(paren);
    let area = separators.next();
    let rest: Vec<&[u8]> = separators.collect();
    let same =
        area.is_some() && !rest.contains(&&b"/"[..]) && rest.windows(2).all(|w| w[0] == w[1]);
    // Dots group French numbers in pairs; other dotted runs are versions and identifiers.
    let paired = || value.split(|&b| b == b'.').skip(1).all(|g| g.len() == 2);
    same && (!value.contains(&b'.') || paired())
}

/// Whether `value` is grouped `ddd-dd-dddd`, as US social security numbers are.
fn ssn_shaped(value: &[u8]) -> bool {
    let groups: Vec<usize> = value.split(|&b| b == b'-').map(<[u8]>::len).collect();
    groups == [3, 2, 4]
}

/// A sample keeping the `+` and the last two digits.
pub(super) fn redact_phone(value: &str) -> String {
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let prefix = if value.starts_with('+') { "+" } else { "" };
    let tail = &digits[digits.len().saturating_sub(2)..];
    format!(
        "{prefix}{}{tail}",
        "*".repeat(digits.len().saturating_sub(2))
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::found;
    use super::super::{Detector, Scanner};

    fn phones(text: &str) -> Vec<String> {
        found(text)
            .into_iter()
            .filter(|(d, _)| *d == Detector::Phone)
            .map(|(_, v)| v)
            .collect()
    }

    #[test]
    fn international_and_national_formats() {
        for number in [
            "+44 20 7946 0958",
            "+4915112345678",
            "+49 30 12345678",
            "+49 (0)30 12345678",
            "+33 1 23 45 67 89",
            "+1 (415) 555-2671",
            "+1-415-555-2671",
            "030 12345678",
            "030/1234567",
            "(030) 1234567",
            "0170-1234567",
            "089 123 456 78",
            "01 23 45 67 89",
            "06.12.34.56.78",
            "020 7946 0958",
            "07700 900123",
            "(0161) 496 0000",
            "(415) 555-2671",
            "415-555-2671",
            "415.555.2671",
            "1-415-555-2671",
        ] {
            assert_eq!(phones(&format!("tel: {number}")), [number], "{number}");
        }
        assert_eq!(
            Scanner::all().scan(b"call +44 20 7946 0958")[0].sample,
            "+**********58"
        );
    }

    #[test]
    fn dates_times_versions_and_ids_are_not_phones() {
        for text in [
            "ip 192.168.64.1 at 2020-04-21T17:57:05",
            "+12",
            "date 01/02/2024 12:00",
            "date 01.02.2024 12",
            "01-02-2024",
            "v0.12.345",
            "took 0.25 s",
            "0000 0000 0000",
            "nir 1 85 05 78 006 084 91",
            "DE89 3704 0044 0532 0130 00",
            "0612345678",
            "id=415-555-26711",
            "2024-06-01 10:00:00,123",
            "tz +05:30",
            "void 078-05-1120",
            "ref 0123.45.678",
            "iban NL33 RABO 0268 6192 33",
        ] {
            assert!(phones(text).is_empty(), "{text}: {:?}", phones(text));
        }
    }
}
