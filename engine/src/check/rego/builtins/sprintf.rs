//! `sprintf` as OPA has it: Go's `fmt.Sprintf` over arguments converted the way OPA converts
//! them (integers to `int` or `*big.Int`, other numbers to `float64`, strings as they are,
//! every other value to its Rego text such as `{"a": [true, null]}` or `set()`). Bad verbs,
//! missing and extra arguments are written into the result as Go writes them.

use regorus::Value;

use super::rego_text;

/// One argument, typed as Go sees it.
enum Arg {
    Int(i64),
    /// An integer beyond 64 bits, in decimal.
    Big(String),
    Float(f64),
    Str(String),
}

impl Arg {
    fn from_value(value: &Value) -> Arg {
        match value {
            // Past 64 bits only floats still convert to f64 (integers beyond 2^53 do not).
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Arg::Int(i),
                (None, Some(f)) => Arg::Float(f),
                (None, None) => Arg::Big(n.format_decimal()),
            },
            Value::String(s) => Arg::Str(s.to_string()),
            other => Arg::Str(rego_text(other)),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Arg::Int(_) => "int",
            Arg::Big(_) => "*big.Int",
            Arg::Float(_) => "float64",
            Arg::Str(_) => "string",
        }
    }

    /// The argument as `%v` prints it.
    fn plain(&self) -> String {
        match self {
            Arg::Int(i) => i.to_string(),
            Arg::Big(s) | Arg::Str(s) => s.clone(),
            Arg::Float(f) if *f < 0.0 => format!("-{}", format_g(-f, None, false)),
            Arg::Float(f) => format_g(*f, None, false),
        }
    }
}

/// The flags, width and precision of one verb.
#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    zero: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Formats `format` with `args` as Go's `fmt.Sprintf` does.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let args: Vec<Arg> = args.iter().map(Arg::from_value).collect();
    let mut out = String::with_capacity(format.len() + 16);
    let mut chars = format.chars().peekable();
    let mut next = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&f) = chars.peek() {
            match f {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                ' ' => spec.space = true,
                '0' => spec.zero = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        spec.width = digits(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(digits(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.get(next) {
            Some(arg) => out.push_str(&format_arg(verb, &spec, arg)),
            None => out.push_str(&format!("%!{verb}(MISSING)")),
        }
        next += 1;
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..]
            .iter()
            .map(|a| format!("{}={}", a.type_name(), a.plain()))
            .collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        chars.next();
    }
    n
}

fn bad_verb(verb: char, arg: &Arg) -> String {
    format!("%!{verb}({}={})", arg.type_name(), arg.plain())
}

fn format_arg(verb: char, spec: &Spec, arg: &Arg) -> String {
    if verb == 'T' {
        return pad(spec, arg.type_name().to_string());
    }
    match arg {
        Arg::Int(i) => format_int(verb, spec, *i < 0, &i.unsigned_abs().to_string(), *i, arg),
        Arg::Big(s) => {
            let negative = s.starts_with('-');
            match verb {
                'v' | 'd' | 's' => format_digits(spec, negative, s.trim_start_matches('-')),
                _ => bad_verb(verb, arg),
            }
        }
        Arg::Float(f) => format_float(verb, spec, *f).unwrap_or_else(|| bad_verb(verb, arg)),
        Arg::Str(s) => match verb {
            'v' | 's' => pad(spec, truncate(s, spec.precision)),
            'q' => pad(spec, quote(&truncate(s, spec.precision))),
            'x' => pad(spec, hex(s.as_bytes(), false)),
            'X' => pad(spec, hex(s.as_bytes(), true)),
            _ => bad_verb(verb, arg),
        },
    }
}

fn format_int(
    verb: char,
    spec: &Spec,
    negative: bool,
    decimal: &str,
    value: i64,
    arg: &Arg,
) -> String {
    let magnitude = value.unsigned_abs();
    let (body, prefix) = match verb {
        'v' | 'd' => (decimal.to_string(), ""),
        'b' => (format!("{magnitude:b}"), if spec.sharp { "0b" } else { "" }),
        'o' => (format!("{magnitude:o}"), if spec.sharp { "0" } else { "" }),
        'O' => (format!("{magnitude:o}"), "0o"),
        'x' => (format!("{magnitude:x}"), if spec.sharp { "0x" } else { "" }),
        'X' => (format!("{magnitude:X}"), if spec.sharp { "0X" } else { "" }),
        'c' => {
            return match u32::try_from(value).ok().and_then(char::from_u32) {
                Some(c) => pad(spec, c.to_string()),
                None => pad(spec, '\u{fffd}'.to_string()),
            }
        }
        'q' => {
            return match u32::try_from(value).ok().and_then(char::from_u32) {
                Some(c) => pad(spec, format!("'{}'", escape_char(c, '\''))),
                None => pad(spec, "'\u{fffd}'".to_string()),
            }
        }
        'U' => return pad(spec, format!("U+{magnitude:04X}")),
        _ => return bad_verb(verb, arg),
    };
    let body = match spec.precision {
        Some(p) if body.len() < p => format!("{}{body}", "0".repeat(p - body.len())),
        Some(0) if value == 0 => String::new(),
        _ => body,
    };
    format_digits(spec, negative, &format!("{prefix}{body}"))
}

/// A number's digits with its sign, padded (zeros go after the sign).
fn format_digits(spec: &Spec, negative: bool, digits: &str) -> String {
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    if spec.zero && !spec.minus && spec.precision.is_none() {
        if let Some(width) = spec.width {
            let used = sign.len() + digits.chars().count();
            if used < width {
                return format!("{sign}{}{digits}", "0".repeat(width - used));
            }
        }
    }
    pad(spec, format!("{sign}{digits}"))
}

fn format_float(verb: char, spec: &Spec, f: f64) -> Option<String> {
    let body = match verb {
        'v' => format_g(f.abs(), None, false),
        'g' | 'G' => format_g(f.abs(), spec.precision, verb == 'G'),
        'e' | 'E' => format_e(f.abs(), spec.precision.unwrap_or(6), verb == 'E'),
        'f' | 'F' => format!("{:.*}", spec.precision.unwrap_or(6), f.abs()),
        _ => return None,
    };
    if f.is_nan() {
        return Some(pad(spec, "NaN".into()));
    }
    if f.is_infinite() {
        let sign = if f < 0.0 {
            "-"
        } else if spec.plus {
            "+"
        } else {
            ""
        };
        return Some(pad(spec, format!("{sign}Inf")));
    }
    Some(format_digits(spec, f.is_sign_negative() && f != 0.0, &body))
}

/// `%e`: one digit, `precision` decimals, and an exponent of at least two digits.
fn format_e(f: f64, precision: usize, upper: bool) -> String {
    let text = format!("{f:.precision$e}");
    go_exponent(&text, upper)
}

/// Rust's `1.5e3` as Go writes it: `1.5e+03`.
fn go_exponent(text: &str, upper: bool) -> String {
    let Some((mantissa, exponent)) = text.split_once('e') else {
        return text.to_string();
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exponent),
    };
    let e = if upper { 'E' } else { 'e' };
    format!("{mantissa}{e}{sign}{digits:0>2}")
}

/// `%g` (and `%v`) of a non-negative number: the shortest digits (or `precision` significant ones), in `%e` form when
/// the exponent is under -4 or at least the precision (6 for the shortest), else in `%f` form.
fn format_g(f: f64, precision: Option<usize>, upper: bool) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let sci = match precision {
        None => format!("{f:e}"),
        Some(p) => format!("{f:.*e}", p.max(1) - 1),
    };
    let Some((mantissa, exponent)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nd = digits.len() as i32;
    let eprec = match precision {
        None => 6,
        Some(p) => {
            let p = p.max(1) as i32;
            if p > nd && nd > exp {
                nd
            } else {
                p
            }
        }
    };
    if exp < -4 || exp >= eprec {
        let mut m = digits[..1].to_string();
        if nd > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        go_exponent(&format!("{m}e{exp}"), upper)
    } else {
        let decimals = (nd - exp - 1).max(0) as usize;
        format!("{f:.decimals$}")
    }
}

/// Pads to the width with spaces (or zeros with the `0` flag), on the left unless `-`.
fn pad(spec: &Spec, text: String) -> String {
    let Some(width) = spec.width else {
        return text;
    };
    let len = text.chars().count();
    if len >= width {
        return text;
    }
    let fill = if spec.zero && !spec.minus { "0" } else { " " }.repeat(width - len);
    if spec.minus {
        text + &fill
    } else {
        fill + &text
    }
}

fn truncate(s: &str, precision: Option<usize>) -> String {
    match precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    }
}

fn hex(bytes: &[u8], upper: bool) -> String {
    bytes
        .iter()
        .map(|b| {
            if upper {
                format!("{b:02X}")
            } else {
                format!("{b:02x}")
            }
        })
        .collect()
}

/// A double-quoted Go string literal (`strconv.Quote`).
pub(super) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        out.push_str(&escape_char(c, '"'));
    }
    out.push('"');
    out
}

/// One character of a Go literal quoted with `quote`.
fn escape_char(c: char, quote: char) -> String {
    match c {
        '\x07' => "\\a".into(),
        '\x08' => "\\b".into(),
        '\x0c' => "\\f".into(),
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        '\t' => "\\t".into(),
        '\x0b' => "\\v".into(),
        '\\' => "\\\\".into(),
        c if c == quote => format!("\\{c}"),
        c if (c as u32) < 0x20 || c == '\x7f' => format!("\\x{:02x}", c as u32),
        c if c.is_control() => format!("\\u{:04x}", c as u32),
        c => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Vec<Value> {
        match Value::from_json_str(json).expect("valid JSON") {
            Value::Array(a) => a.iter().cloned().collect(),
            other => vec![other],
        }
    }

    #[test]
    fn formats_numbers_as_go_does() {
        assert_eq!(
            sprintf("%d %d %v %v", &v("[-7, 12345678901, 1e21, 2.5]")),
            "-7 12345678901 1e+21 2.5"
        );
        assert_eq!(
            sprintf("%.2f|%5.1f|%-6d|%05d", &v("[2.5, 3.14159, 42, -42]")),
            "2.50|  3.1|42    |-0042"
        );
        assert_eq!(
            sprintf("%x %X %o %b %#x", &v("[255, 255, 8, 5, 255]")),
            "ff FF 10 101 0xff"
        );
        assert_eq!(
            sprintf(
                "%e %g %g %g",
                &v("[1234.5678, 0.00001234, 1234567.5, 1234567.0]")
            ),
            "1.234568e+03 1.234e-05 1.2345675e+06 %!g(int=1234567)"
        );
        assert_eq!(sprintf("%v", &v("[4.0]")), "4");
    }

    #[test]
    fn formats_strings_and_other_values() {
        assert_eq!(
            sprintf("%s|%q|%v", &v(r#"["hi", "a\"b\n", null]"#)),
            "hi|\"a\\\"b\\n\"|null"
        );
        assert_eq!(
            sprintf("%v %v", &v(r#"[{"b": 1, "a": [true, "x"]}, []]"#)),
            "{\"a\": [true, \"x\"], \"b\": 1} []"
        );
        assert_eq!(
            sprintf("%-4s|%4s|%.2s", &v(r#"["ab", "ab", "abc"]"#)),
            "ab  |  ab|ab"
        );
    }

    #[test]
    fn writes_bad_verbs_and_argument_count_problems_like_go() {
        assert_eq!(sprintf("%d", &v(r#"["x"]"#)), "%!d(string=x)");
        assert_eq!(sprintf("%s", &v("[42]")), "%!s(int=42)");
        assert_eq!(sprintf("%d %d", &v("[1]")), "1 %!d(MISSING)");
        assert_eq!(sprintf("%d", &v(r#"[1, "x"]"#)), "1%!(EXTRA string=x)");
        assert_eq!(sprintf("100%%", &[]), "100%");
    }
}
