//! Structure-aware mutation: byte-level edits, splices of two seeds, and the shapes hostile
//! input takes (deep nesting, alias bombs, huge numbers, control characters, invalid UTF-8,
//! long lines), stacked a few at a time on a seed.

use crate::rng::Rng;

/// Inputs never grow past this, so one input cannot exhaust the worker by size alone.
pub const MAX_INPUT: usize = 4 << 20;

/// An opening and closing pattern repeated to build deep nesting.
pub type Nest = (&'static [u8], &'static [u8]);

/// Nesting shapes every format's parser should survive.
pub const NESTS: &[Nest] = &[
    (b"[", b"]"),
    (b"{\"a\":", b"}"),
    (b"{a: ", b"}"),
    (b"- ", b""),
    (b"(", b")"),
    (b"a = [", b"]"),
    (b"<a>", b"</a>"),
];

const HUGE_NUMBERS: &[&[u8]] = &[
    b"1e999999",
    b"-1e-999999",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000.0",
    b"0.0000000000000000000000000000000000000000000000000000000000000000000000001e-330",
    b"NaN",
    b"-inf",
    b"0x7fffffffffffffff",
    b"99999-99-99",
    b"9999-12-31T23:59:60Z",
];

const CONTROL: &[&[u8]] = &[
    b"\0",
    b"\x1b[31m",
    b"\x1b]8;;https://x/\x07",
    b"\r",
    b"\r\n",
    b"\t",
    b"\x7f",
    b"\xe2\x80\xae",
    b"\xef\xbb\xbf",
    b"=cmd|' /C calc'!A0",
];

const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xfe\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
];

/// The mutation engine of one target.
pub struct Mutator {
    seeds: Vec<Vec<u8>>,
    dictionary: Vec<Vec<u8>>,
}

impl Mutator {
    /// `seeds` must not be empty; `tokens` are the target's keywords, to which the
    /// identifier-like words of the seeds are added.
    pub fn new(seeds: Vec<Vec<u8>>, tokens: &[&str]) -> Mutator {
        assert!(!seeds.is_empty(), "a target needs at least one seed");
        let mut dictionary: Vec<Vec<u8>> = tokens.iter().map(|t| t.as_bytes().to_vec()).collect();
        let mut words: Vec<Vec<u8>> = seeds.iter().flat_map(|s| words_of(s)).collect();
        words.sort();
        words.dedup();
        words.truncate(2000);
        dictionary.extend(words);
        Mutator { seeds, dictionary }
    }

    pub fn seeds(&self) -> &[Vec<u8>] {
        &self.seeds
    }

    /// The next input: a seed with one to four mutations stacked on it.
    pub fn generate(&self, rng: &mut Rng) -> Vec<u8> {
        let mut data = rng.pick(&self.seeds).clone();
        for _ in 0..rng.between(1, 4) {
            self.mutate(&mut data, rng);
        }
        data.truncate(MAX_INPUT);
        data
    }

    fn mutate(&self, data: &mut Vec<u8>, rng: &mut Rng) {
        match rng.below(16) {
            0 => flip_bit(data, rng),
            1 => set_byte(data, rng),
            2 => {
                let bytes: Vec<u8> = (0..rng.between(1, 8))
                    .map(|_| rng.next_u64() as u8)
                    .collect();
                insert(data, rng, &bytes)
            }
            3 => delete_range(data, rng),
            4 => duplicate_range(data, rng),
            5 => {
                let other = rng.pick(&self.seeds).clone();
                splice(data, &other, rng)
            }
            6 => nest(data, rng),
            7 => alias_bomb(data, rng),
            8 => {
                let n = *rng.pick(HUGE_NUMBERS);
                replace_number(data, rng, n)
            }
            9 => {
                let control = *rng.pick(CONTROL);
                insert(data, rng, control)
            }
            10 => {
                let bad = *rng.pick(INVALID_UTF8);
                insert(data, rng, bad)
            }
            11 => long_line(data, rng),
            12 | 13 if !self.dictionary.is_empty() => {
                let token = rng.pick(&self.dictionary).clone();
                insert(data, rng, &token)
            }
            12 | 13 => flip_bit(data, rng),
            14 => replace_line(data, rng, &self.seeds),
            _ => deep_indent(data, rng),
        }
    }
}

/// Identifier-like words (3 to 24 bytes) of a seed.
fn words_of(seed: &[u8]) -> Vec<Vec<u8>> {
    seed.split(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-' || *b == b'.'))
        .filter(|w| (3..=24).contains(&w.len()))
        .map(<[u8]>::to_vec)
        .collect()
}

fn position(data: &[u8], rng: &mut Rng) -> usize {
    rng.below(data.len() + 1)
}

/// A range `start..end` of `data` at most `max` long.
fn range(data: &[u8], rng: &mut Rng, max: usize) -> (usize, usize) {
    let start = position(data, rng);
    let end = (start + rng.below(max.min(data.len() - start) + 1)).min(data.len());
    (start, end)
}

fn flip_bit(data: &mut [u8], rng: &mut Rng) {
    if !data.is_empty() {
        let i = rng.below(data.len());
        data[i] ^= 1 << rng.below(8);
    }
}

fn set_byte(data: &mut [u8], rng: &mut Rng) {
    const INTERESTING: &[u8] = b"\0\xff\n\"':{}[]-&*!#|>%\\ \t,=<";
    if !data.is_empty() {
        let i = rng.below(data.len());
        data[i] = *rng.pick(INTERESTING);
    }
}

fn insert(data: &mut Vec<u8>, rng: &mut Rng, bytes: &[u8]) {
    let at = position(data, rng);
    data.splice(at..at, bytes.iter().copied());
}

fn delete_range(data: &mut Vec<u8>, rng: &mut Rng) {
    let (start, end) = range(data, rng, 64);
    data.drain(start..end);
}

fn duplicate_range(data: &mut Vec<u8>, rng: &mut Rng) {
    let (start, end) = range(data, rng, 256);
    let copy = data[start..end].to_vec();
    let times = if rng.one_in(8) {
        rng.between(2, 200)
    } else {
        1
    };
    let at = position(data, rng);
    let repeated: Vec<u8> = copy.repeat(times);
    data.splice(at..at, repeated);
}

/// The head of `data` followed by the tail of `other`.
fn splice(data: &mut Vec<u8>, other: &[u8], rng: &mut Rng) {
    let cut = position(data, rng);
    let from = position(other, rng);
    data.truncate(cut);
    data.extend_from_slice(&other[from..]);
}

/// An opening pattern repeated thousands of times, closed again (or left open).
fn nest(data: &mut Vec<u8>, rng: &mut Rng) {
    let (open, close) = *rng.pick(NESTS);
    let depth = *rng.pick(&[64, 1_000, 10_000, 100_000]);
    let mut bomb = open.repeat(depth);
    if rng.one_in(3) {
        bomb.extend_from_slice(b"1");
        bomb.extend(close.repeat(depth));
    }
    insert(data, rng, &bomb);
}

/// YAML lines indented one space deeper each: `a:\n a:\n  a:` …
fn deep_indent(data: &mut Vec<u8>, rng: &mut Rng) {
    let depth = *rng.pick(&[100, 2_000, 20_000]);
    let mut out = Vec::new();
    for i in 0..depth {
        out.extend(std::iter::repeat_n(b' ', i));
        out.extend_from_slice(if rng.one_in(2) { b"a:\n" } else { b"- \n" });
    }
    insert(data, rng, &out);
}

/// Anchors each referring to the previous one several times: expanding them all takes
/// exponential time and memory.
fn alias_bomb(data: &mut Vec<u8>, rng: &mut Rng) {
    let levels = rng.between(5, 12);
    let width = rng.between(4, 10);
    let mut out = b"\nb0: &b0 [lol]\n".to_vec();
    for i in 1..levels {
        let refs: Vec<String> = (0..width).map(|_| format!("*b{}", i - 1)).collect();
        out.extend(format!("b{i}: &b{i} [{}]\n", refs.join(",")).bytes());
    }
    if rng.one_in(2) {
        data.extend(out);
    } else {
        *data = out;
    }
}

/// A number of `data` (or a random place) replaced by `number`.
fn replace_number(data: &mut Vec<u8>, rng: &mut Rng, number: &[u8]) {
    let digits: Vec<usize> = data
        .iter()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_digit())
        .map(|(i, _)| i)
        .collect();
    if digits.is_empty() {
        return insert(data, rng, number);
    }
    let start = *rng.pick(&digits);
    let mut end = start;
    while end < data.len() && (data[end].is_ascii_digit() || data[end] == b'.') {
        end += 1;
    }
    data.splice(start..end, number.iter().copied());
}

fn long_line(data: &mut Vec<u8>, rng: &mut Rng) {
    let len = *rng.pick(&[70_000, 300_000, 1_100_000]);
    let byte = *rng.pick(b"a\"x{ 9");
    insert(data, rng, &vec![byte; len]);
}

/// A line of `data` replaced by a line of some seed: keeps the structure of the format.
fn replace_line(data: &mut Vec<u8>, rng: &mut Rng, seeds: &[Vec<u8>]) {
    let donor = rng.pick(seeds);
    let lines: Vec<&[u8]> = donor.split(|b| *b == b'\n').collect();
    let line = rng.pick(&lines).to_vec();
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            data.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    let start = *rng.pick(&starts);
    let end = data[start..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(data.len(), |p| start + p);
    data.splice(start..end, line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_inputs() {
        let m = Mutator::new(vec![b"a: [1, 2]\nb: {c: d}\n".to_vec()], &["key"]);
        let run = |seed| {
            let mut rng = Rng::new(seed);
            (0..50).map(|_| m.generate(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }

    #[test]
    fn mutations_reach_every_hostile_shape() {
        let m = Mutator::new(vec![b"a: 1\n".to_vec()], &[]);
        let mut rng = Rng::new(1);
        let longest_run = |i: &[u8], pred: &dyn Fn(u8) -> bool| {
            i.split(|b| !pred(*b)).map(<[u8]>::len).max().unwrap_or(0)
        };
        let mut seen = [false; 4];
        for _ in 0..250 {
            let i = m.generate(&mut rng);
            assert!(i.len() <= MAX_INPUT);
            seen[0] |= longest_run(&i, &|b| b == b'[') >= 1000;
            seen[1] |= i.windows(4).any(|w| w == b"&b3 ");
            seen[2] |= std::str::from_utf8(&i).is_err();
            seen[3] |= longest_run(&i, &|b| b != b'\n') > 65_536;
        }
        assert_eq!(seen, [true; 4]);
    }
}
