//! National identity and tax numbers, each checked against its issuing rules: the US SSN
//! (assignment rules) and ITIN (group ranges), the UK NINO (allocated prefixes), the German
//! Steuer-ID (digit structure and ISO 7064 MOD 11,10), the French NIR (birth month, department
//! and the 97 key, Corsica included) and the Dutch BSN (the 11-proof).

use super::context::key_before;

/// The decimal digits of `value`, as numbers.
pub(super) fn digits(value: &[u8]) -> Vec<u8> {
    value
        .iter()
        .filter(|b| b.is_ascii_digit())
        .map(|b| b - b'0')
        .collect()
}

/// Whether a number ends at `before` or starts at `after` a candidate: a digit, or a separator
/// (`-`, `.`, `/`, or a space) next to a digit, so the candidate is part of a longer number.
pub(super) fn continues_a_number(line: &[u8], start: usize, end: usize) -> bool {
    let is_sep = |b: u8| matches!(b, b'-' | b'.' | b'/' | b' ' | b'+');
    let digit_at = |i: Option<usize>| i.and_then(|i| line.get(i)).is_some_and(u8::is_ascii_digit);
    let before = start.checked_sub(1).map(|i| line[i]);
    let after = line.get(end).copied();
    before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'+')
        || after.is_some_and(|b| b.is_ascii_alphanumeric())
        || (before.is_some_and(is_sep) && digit_at(start.checked_sub(2)))
        || (after.is_some_and(is_sep) && digit_at(Some(end + 1)))
        || before == Some(b'-')
        || after == Some(b'-')
}

/// Whether every separator between the digit groups of `value` is the same byte, or there are
/// none: `12 345 678 901` and `12345678901`, not `12 345-678 901`.
fn consistent_separators(value: &[u8]) -> bool {
    let mut separators = value.iter().filter(|b| !b.is_ascii_alphanumeric());
    let first = separators.next();
    separators.all(|b| Some(b) == first)
}

/// A US social security number: areas 000, 666 and 900-999 are never assigned; nor are group
/// 00 and serial 0000; 078-05-1120 and 219-09-9999 were published in advertising and are void.
pub(super) fn valid_ssn(line: &[u8], start: usize, end: usize) -> bool {
    let value = &line[start..end];
    if matches!(start.checked_sub(1).map(|i| line[i]), Some(b'-' | b'.'))
        || matches!(line.get(end), Some(b'-' | b'.'))
    {
        return false;
    }
    let (area, group, serial) = ssn_parts(value);
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && value != b"078-05-1120"
        && value != b"219-09-9999"
}

/// A US individual taxpayer identification number: `9XX-GG-XXXX` where the group `GG` is
/// 50-65, 70-88, 90-92 or 94-99.
pub(super) fn valid_itin(line: &[u8], start: usize, end: usize) -> bool {
    if matches!(start.checked_sub(1).map(|i| line[i]), Some(b'-' | b'.'))
        || matches!(line.get(end), Some(b'-' | b'.'))
    {
        return false;
    }
    let (area, group, _) = ssn_parts(&line[start..end]);
    (900..=999).contains(&area) && matches!(group, 50..=65 | 70..=88 | 90..=92 | 94..=99)
}

/// The area, group and serial of `AAA-GG-SSSS`.
fn ssn_parts(value: &[u8]) -> (u32, u32, u32) {
    let mut parts = value.split(|&b| b == b'-').map(|p| {
        p.iter()
            .fold(0u32, |acc, &b| acc * 10 + u32::from(b.wrapping_sub(b'0')))
    });
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

/// A UK National Insurance number. The pattern already excludes D, F, I, Q, U and V as either
/// prefix letter and O as the second; BG, GB, KN, NK, NT, TN and ZZ are not allocated.
pub(super) fn valid_nino(value: &[u8]) -> bool {
    const NOT_ALLOCATED: [&[u8]; 7] = [b"BG", b"GB", b"NK", b"KN", b"TN", b"NT", b"ZZ"];
    !NOT_ALLOCATED.contains(&&value[..2])
}

/// A German tax identification number (Steuer-ID): 11 digits, the first not 0; in the first
/// ten exactly one digit occurs twice or three times (three never all side by side) and the
/// others at most once; the last is the ISO 7064 MOD 11,10 check digit. About one random
/// 11-digit number in 250 passes, so the unspaced form (an order or invoice number as often)
/// needs a label before it (`steuer_id`, `Steuer-ID`, `IdNr`, `tax_id`, `TIN`); the written
/// form `12 345 678 901` does not.
pub(super) fn valid_steuer_id(line: &[u8], start: usize, end: usize) -> bool {
    let value = &line[start..end];
    if !consistent_separators(value) || continues_a_number(line, start, end) {
        return false;
    }
    let labelled = || {
        key_before(line, start).is_some_and(|k| {
            [
                "steuer",
                "idnr",
                "id_nr",
                "tax",
                "tin",
                "identifikationsnummer",
            ]
            .iter()
            .any(|w| k.contains(w))
        })
    };
    if !value.contains(&b' ') && !labelled() {
        return false;
    }
    let d = digits(value);
    if d.len() != 11 || d[0] == 0 {
        return false;
    }
    let mut counts = [0u8; 10];
    for &x in &d[..10] {
        counts[usize::from(x)] += 1;
    }
    let repeated: Vec<u8> = (0..10u8).filter(|&x| counts[usize::from(x)] > 1).collect();
    let [twice] = repeated[..] else {
        return false;
    };
    match counts[usize::from(twice)] {
        2 => {}
        3 if !d[..10].windows(3).any(|w| w.iter().all(|&x| x == twice)) => {}
        _ => return false,
    }
    let mut product = 10u32;
    for &x in &d[..10] {
        let mut sum = (u32::from(x) + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    let check = (11 - product) % 10;
    check == u32::from(d[10])
}

/// A French social security number (NIR): sex 1 or 2 (7 or 8 for provisional numbers), year, month
/// (01-12, or 20-42 and 50-99 when unknown), department (2A and 2B for Corsica), commune, order
/// and a key of 97 minus the first 13 digits mod 97, with 2A read as 19 and 2B as 18.
pub(super) fn valid_nir(line: &[u8], start: usize, end: usize) -> bool {
    let value = &line[start..end];
    if !consistent_separators(value) || continues_a_number(line, start, end) {
        return false;
    }
    let compact: Vec<u8> = value.iter().copied().filter(|b| *b != b' ').collect();
    if compact.len() != 15 {
        return false;
    }
    let month = u32::from(compact[3] - b'0') * 10 + u32::from(compact[4] - b'0');
    if month == 0 || (13..=19).contains(&month) || (43..=49).contains(&month) {
        return false;
    }
    let department = &compact[5..7];
    if department == b"00" {
        return false;
    }
    let corsica = match department {
        b"2A" => Some(b"19"),
        b"2B" => Some(b"18"),
        _ => None,
    };
    let mut number = 0u64;
    for (i, &b) in compact[..13].iter().enumerate() {
        let b = match corsica {
            Some(code) if (5..7).contains(&i) => code[i - 5],
            _ => b,
        };
        if !b.is_ascii_digit() {
            return false;
        }
        number = number * 10 + u64::from(b - b'0');
    }
    let key = u64::from(compact[13] - b'0') * 10 + u64::from(compact[14] - b'0');
    (1..=97).contains(&key) && key == 97 - number % 97
}

/// A Dutch citizen service number (BSN): nine digits whose weighted sum 9·d1 + 8·d2 + … +
/// 2·d8 − d9 is a non-zero multiple of 11 (the 11-proof).
pub(super) fn valid_bsn(value: &[u8]) -> bool {
    let d = digits(value);
    if d.len() != 9 {
        return false;
    }
    let sum: i32 = d[..8]
        .iter()
        .zip((2..=9).rev())
        .map(|(&x, w)| i32::from(x) * w)
        .sum::<i32>()
        - i32::from(d[8]);
    sum != 0 && sum % 11 == 0
}

/// A sample keeping the last two digits.
pub(super) fn redact_number(value: &[u8]) -> String {
    let d = digits(value);
    let tail: String = d[d.len().saturating_sub(2)..]
        .iter()
        .map(|x| char::from(b'0' + x))
        .collect();
    format!("{}{tail}", "*".repeat(d.len().saturating_sub(2)))
}

#[cfg(test)]
mod tests {
    use super::super::tests::kinds;
    use super::super::{Detector, Scanner};

    #[test]
    fn ssn_follows_the_assignment_rules() {
        assert_eq!(kinds("ssn 123-45-6789"), vec![Detector::UsSsn]);
        for void in [
            "000-12-3456",
            "666-12-3456",
            "123-00-4567",
            "123-45-0000",
            "078-05-1120",
        ] {
            assert!(kinds(void).is_empty(), "{void}");
        }
        assert!(kinds("2020-123-45-6789").is_empty());
        assert_eq!(Scanner::all().scan(b"123-45-6789")[0].sample, "***-**-**89");
    }

    #[test]
    fn itin_has_a_9_area_and_an_itin_group() {
        assert_eq!(kinds("itin 912-78-1234"), vec![Detector::UsItin]);
        assert_eq!(kinds("912-94-1234"), vec![Detector::UsItin]);
        assert_eq!(kinds("912-55-1234"), vec![Detector::UsItin]);
        // Area 9 with a group outside the ITIN ranges is neither an ITIN nor an SSN.
        for void in ["900-12-3456", "912-93-1234", "912-89-1234", "912-66-1234"] {
            assert!(kinds(void).is_empty(), "{void}");
        }
        assert_eq!(Scanner::all().scan(b"912-78-1234")[0].sample, "*******34");
    }

    #[test]
    fn nino_excludes_unallocated_prefixes() {
        assert_eq!(kinds("NINO AB123456C"), vec![Detector::UkNino]);
        assert_eq!(kinds("AB 12 34 56 A"), vec![Detector::UkNino]);
        assert!(kinds("GB123456A").is_empty());
        assert!(kinds("DA123456A").is_empty());
        assert!(kinds("AO123456A").is_empty());
        assert!(kinds("AB123456E").is_empty());
    }

    #[test]
    fn steuer_id_needs_its_structure_and_check_digit() {
        assert_eq!(kinds("Steuer-ID: 86095742719"), vec![Detector::DeSteuerId]);
        assert_eq!(kinds("idnr 86 095 742 719"), vec![Detector::DeSteuerId]);
        assert_eq!(kinds("tax_id=65929970489"), vec![Detector::DeSteuerId]);
        // Unspaced and without a label: an order number as likely.
        assert!(kinds("order 65929970489").is_empty());
        // The check digit is wrong.
        assert!(kinds("idnr 86095742718").is_empty());
        // No digit repeated in the first ten, and a digit four times.
        assert!(kinds("idnr 12345678903").is_empty());
        assert!(kinds("idnr 11112345672").is_empty());
        // Mixed separators, a leading zero, part of a longer number.
        assert!(kinds("86 095-742 719").is_empty());
        assert!(kinds("idnr 06095742719").is_empty());
        assert!(kinds("idnr 186095742719").is_empty());
        assert_eq!(
            Scanner::all().scan(b"86 095 742 719")[0].sample,
            "*********19"
        );
    }

    #[test]
    fn nir_has_a_valid_key_and_corsica_departments() {
        assert_eq!(kinds("nir 1 85 05 78 006 084 91"), vec![Detector::FrNir]);
        assert_eq!(kinds("185057800608491"), vec![Detector::FrNir]);
        assert_eq!(kinds("2 90 12 2A 004 123 67"), vec![Detector::FrNir]);
        assert_eq!(kinds("2 90 12 2B 004 123 94"), vec![Detector::FrNir]);
        // Wrong key, impossible month, department 00.
        assert!(kinds("1 85 05 78 006 084 92").is_empty());
        assert!(kinds("1 85 15 78 006 084 91").is_empty());
        assert!(kinds("185050000608463").is_empty());
    }

    #[test]
    fn bsn_needs_context_and_the_11_proof() {
        assert_eq!(kinds("bsn: 111222333"), vec![Detector::NlBsn]);
        assert_eq!(
            kinds(r#"{"burgerservicenummer": "123456782"}"#),
            vec![Detector::NlBsn]
        );
        assert_eq!(kinds("BSN 1234.56.782"), vec![Detector::NlBsn]);
        // Fails the 11-proof; no context.
        assert!(kinds("bsn: 123456789").is_empty());
        assert!(kinds("order 123456782").is_empty());
    }
}
