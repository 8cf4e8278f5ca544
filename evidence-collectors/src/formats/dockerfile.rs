//! Dockerfile parser producing the instruction list conftest's Dockerfile parser (buildkit)
//! gives for one file:
//!
//! ```json
//! [{"Cmd": "from", "Flags": [], "Value": ["golang:1.22", "AS", "build"], "JSON": false,
//!   "Original": "FROM golang:1.22 AS build", "Stage": 0, "SubCmd": ""}]
//! ```
//!
//! `Value` follows buildkit's per-instruction rules: exec (JSON) form gives the array items and
//! `"JSON": true`; `RUN`/`CMD`/`ENTRYPOINT`/`SHELL` shell form gives the rest of the line as one
//! string; `ENV`/`LABEL` give alternating keys and values (`ENV k v` gives `[k, v]`), with quotes
//! kept as written as buildkit does; `ARG` gives its words; `MAINTAINER`, `USER`, `WORKDIR` and
//! `STOPSIGNAL` give the rest of the line; `HEALTHCHECK` gives its type then its command; all
//! others split on whitespace. Leading `--name=value` words are `Flags`.
//!
//! Handles line continuations (whose continuation lines may be comments or blank), comments,
//! the `# escape=` parser directive, heredocs on `RUN`/`COPY`/`ADD` (the body is kept in
//! `Original`, and for `RUN` also in the shell string) and `ONBUILD` (`SubCmd`).

use serde_json::{json, Value};

use super::{ParseError, Parsed};
use crate::lines::{pointer_push, LineMap, Position};

/// Instructions buildkit knows, lower-cased.
const INSTRUCTIONS: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// Parses a Dockerfile into a JSON array with one object per instruction.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let escape = escape_token(&lines)?;

    let mut map = LineMap::new();
    map.insert(String::new(), Position::new(1, 1));
    let mut instructions = Vec::new();
    let mut stages = 0usize;
    let mut next = 0;
    while next < lines.len() {
        let first = lines[next].trim_start();
        if first.is_empty() || first.starts_with('#') {
            next += 1;
            continue;
        }
        let indent = lines[next].len() - first.len();
        let position = Position::new(
            line_number(next),
            saturate(lines[next][..indent].chars().count() + 1),
        );
        let error = |message: String| ParseError::new(position, message);

        let (mut original, after) = join_continuations(&lines, next, escape);
        next = after;
        if original.trim_matches(is_space).is_empty() {
            // A lone continuation token: no instruction.
            continue;
        }
        let mut instruction = Instruction::parse(&original, escape).map_err(error)?;

        let heredocs = if instruction.takes_heredocs() {
            heredoc_names(&original)
        } else {
            Vec::new()
        };
        if !heredocs.is_empty() {
            let start = next;
            next = skip_heredocs(&lines, next, &heredocs).map_err(error)?;
            let bodies = lines[start..next].join("\n");
            original = format!("{original}\n{bodies}");
            if instruction.shell_form_run() {
                instruction.value[0] = format!("{}\n{bodies}", instruction.value[0]);
            }
        }

        if instruction.cmd == "from" {
            stages += 1;
        }
        let pointer = pointer_push("", &instructions.len().to_string());
        let object = json!({
            "Cmd": instruction.cmd,
            "SubCmd": instruction.sub_cmd,
            "Flags": instruction.flags,
            "Value": instruction.value,
            "JSON": instruction.json,
            "Original": original,
            "Stage": stages.saturating_sub(1),
        });
        record_all(&mut map, &pointer, &object, position);
        instructions.push(object);
    }
    Ok(Parsed {
        data: Value::Array(instructions),
        lines: map,
    })
}

fn line_number(index: usize) -> u32 {
    saturate(index + 1)
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Maps `pointer` and every node below it to `position`.
fn record_all(map: &mut LineMap, pointer: &str, value: &Value, position: Position) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                record_all(map, &pointer_push(pointer, key), member, position);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                record_all(map, &pointer_push(pointer, &i.to_string()), item, position);
            }
        }
        _ => {}
    }
    map.insert(pointer.to_owned(), position);
}

/// Reads the parser directives at the top of the file and returns the escape token.
fn escape_token(lines: &[&str]) -> Result<char, ParseError> {
    let mut escape = '\\';
    let mut seen: Vec<String> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some((key, value)) = directive(line.trim_start()) else {
            break;
        };
        let key = key.to_ascii_lowercase();
        if key != "escape" && key != "syntax" {
            break;
        }
        let error =
            |message: String| ParseError::new(Position::new(line_number(index), 1), message);
        if seen.contains(&key) {
            return Err(error(format!(
                "only one `{key}` parser directive can be used"
            )));
        }
        if key == "escape" {
            escape = match value {
                "\\" => '\\',
                "`" => '`',
                _ => {
                    return Err(error(format!(
                        "invalid escape token `{value}`; expected `\\` or `` ` ``"
                    )))
                }
            };
        }
        seen.push(key);
    }
    Ok(escape)
}

/// Splits a `# key=value` parser directive.
fn directive(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.strip_prefix('#')?.split_once('=')?;
    let key = key.trim();
    let value = value.trim();
    let mut chars = key.chars();
    let valid_key = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric());
    (valid_key && !value.is_empty()).then_some((key, value))
}

/// Joins the instruction starting at line `start` with its continuation lines. Returns the
/// joined text and the index of the line after the instruction.
fn join_continuations(lines: &[&str], start: usize, escape: char) -> (String, usize) {
    let first = lines[start].trim_start();
    let Some(mut joined) = strip_continuation(first, escape).map(str::to_owned) else {
        return (first.to_owned(), start + 1);
    };
    let mut next = start + 1;
    while let Some(line) = lines.get(next) {
        next += 1;
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match strip_continuation(line, escape) {
            Some(part) => joined.push_str(part),
            None => {
                joined.push_str(line);
                break;
            }
        }
    }
    (joined, next)
}

/// `line` without its trailing continuation token, or `None` if it does not continue. An
/// escaped escape token (`\\`) at the end of a line is not a continuation.
fn strip_continuation(line: &str, escape: char) -> Option<&str> {
    let before = line.trim_end_matches([' ', '\t']).strip_suffix(escape)?;
    (!before.ends_with(escape)).then_some(before)
}

/// Whitespace as buildkit's line parsers see it.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{b}' | '\u{c}' | '\r')
}

/// Splits off the first whitespace-delimited word.
fn first_word(text: &str) -> (&str, &str) {
    let text = text.trim_matches(is_space);
    match text.find(is_space) {
        Some(end) => (&text[..end], text[end..].trim_start_matches(is_space)),
        None => (text, ""),
    }
}

/// One instruction, before its position and stage are known.
struct Instruction {
    cmd: String,
    sub_cmd: String,
    flags: Vec<String>,
    value: Vec<String>,
    json: bool,
}

impl Instruction {
    fn parse(line: &str, escape: char) -> Result<Self, String> {
        let (word, rest) = first_word(line);
        let cmd = word.to_ascii_lowercase();
        if cmd != "onbuild" {
            return Self::simple(word, rest, escape);
        }
        let (sub_word, _) = first_word(rest);
        if sub_word.is_empty() {
            return Ok(Self::new(cmd, Vec::new(), Vec::new(), false));
        }
        if sub_word.eq_ignore_ascii_case("onbuild") {
            return Err("`ONBUILD ONBUILD` is not allowed".into());
        }
        let sub = Self::parse(rest, escape)?;
        Ok(Self {
            cmd,
            sub_cmd: sub.cmd,
            ..sub
        })
    }

    fn new(cmd: String, flags: Vec<String>, value: Vec<String>, json: bool) -> Self {
        Self {
            cmd,
            sub_cmd: String::new(),
            flags,
            value,
            json,
        }
    }

    /// Parses an instruction other than `ONBUILD`.
    fn simple(word: &str, rest: &str, escape: char) -> Result<Self, String> {
        let cmd = word.to_ascii_lowercase();
        if !INSTRUCTIONS.contains(&cmd.as_str()) {
            return Err(format!("unknown instruction `{word}`"));
        }
        let (flags, args) = extract_flags(rest);
        let (value, json) = match cmd.as_str() {
            "add" | "copy" | "volume" => match json_array(args)? {
                Some(items) => (items, true),
                None => (whitespace_words(args), false),
            },
            "run" | "cmd" | "entrypoint" | "shell" => shell_or_exec(args)?,
            "env" | "label" => (name_values(&cmd, args, escape)?, false),
            "arg" => (words(args, escape), false),
            "expose" | "from" => (whitespace_words(args), false),
            "healthcheck" => {
                let (kind, command) = first_word(args);
                let (mut value, json) = shell_or_exec(command)?;
                if !kind.is_empty() {
                    value.insert(0, kind.to_owned());
                }
                (value, json)
            }
            // maintainer, stopsignal, user, workdir
            _ => (whole(args), false),
        };
        Ok(Self::new(cmd, flags, value, json))
    }

    /// Whether heredocs are read for this instruction (`RUN`, `COPY`, `ADD`, not in exec form).
    fn takes_heredocs(&self) -> bool {
        let cmd = if self.sub_cmd.is_empty() {
            &self.cmd
        } else {
            &self.sub_cmd
        };
        matches!(cmd.as_str(), "run" | "copy" | "add") && !self.json
    }

    /// Whether this is a shell-form `RUN`, whose single value is the whole command.
    fn shell_form_run(&self) -> bool {
        (self.cmd == "run" || self.sub_cmd == "run") && !self.json && self.value.len() == 1
    }
}

/// Splits leading `--name=value` words (quotes removed) from the arguments.
fn extract_flags(rest: &str) -> (Vec<String>, &str) {
    let mut flags = Vec::new();
    let mut rest = rest.trim_start_matches(is_space);
    while rest.starts_with("--") {
        let mut flag = String::new();
        let mut quote = None;
        let mut end = rest.len();
        let mut chars = rest.char_indices();
        while let Some((at, c)) = chars.next() {
            match (quote, c) {
                (None, c) if is_space(c) => {
                    end = at;
                    break;
                }
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (_, '\\') => {
                    if let Some((_, escaped)) = chars.next() {
                        flag.push(escaped);
                    }
                }
                _ => flag.push(c),
            }
        }
        rest = rest[end..].trim_start_matches(is_space);
        if flag == "--" {
            break;
        }
        flags.push(flag);
    }
    (flags, rest)
}

/// The items of a JSON array of strings, `None` if `args` is not a JSON array.
fn json_array(args: &str) -> Result<Option<Vec<String>>, String> {
    if !args.starts_with('[') {
        return Ok(None);
    }
    let Ok(items) = serde_json::from_str::<Vec<Value>>(args) else {
        return Ok(None);
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(s) => Ok(s),
            _ => Err("when using json array syntax, arrays must contain only strings".to_owned()),
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

/// Exec form as its items, or shell form as one string.
fn shell_or_exec(args: &str) -> Result<(Vec<String>, bool), String> {
    Ok(match json_array(args)? {
        Some(items) => (items, true),
        None => (whole(args), false),
    })
}

fn whole(args: &str) -> Vec<String> {
    if args.is_empty() {
        Vec::new()
    } else {
        vec![args.to_owned()]
    }
}

fn whitespace_words(args: &str) -> Vec<String> {
    args.split(is_space)
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `ENV`/`LABEL` arguments as alternating names and values.
fn name_values(cmd: &str, args: &str, escape: char) -> Result<Vec<String>, String> {
    let words = words(args, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        // Legacy `ENV name value`: the value is the rest of the line.
        let (name, value) = first_word(args);
        if value.is_empty() {
            return Err(format!("`{}` must have two arguments", cmd.to_uppercase()));
        }
        return Ok(vec![name.to_owned(), value.to_owned()]);
    }
    let mut out = Vec::with_capacity(words.len() * 2);
    for word in &words {
        let Some((name, value)) = word.split_once('=') else {
            return Err(format!(
                "can't find `=` in `{word}`; must be of the form `name=value`"
            ));
        };
        out.push(name.to_owned());
        out.push(value.to_owned());
    }
    Ok(out)
}

/// Splits on whitespace outside quotes, keeping quotes and escapes as written (buildkit leaves
/// their removal to the build). An escape token at the very end is dropped.
fn words(args: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = args.chars();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == escape && q != '\'' {
                match chars.next() {
                    Some(escaped) => {
                        word.push(c);
                        word.push(escaped);
                    }
                    None => quote = None,
                }
                continue;
            }
            if c == q {
                quote = None;
            }
            word.push(c);
            continue;
        }
        if c.is_whitespace() {
            if in_word && (blank_ok || !word.is_empty()) {
                words.push(std::mem::take(&mut word));
            }
            in_word = false;
            blank_ok = false;
            continue;
        }
        in_word = true;
        if c == escape {
            if let Some(escaped) = chars.next() {
                word.push(c);
                word.push(escaped);
            }
            continue;
        }
        if c == '\'' || c == '"' {
            quote = Some(c);
            blank_ok = true;
        }
        word.push(c);
    }
    if (in_word || quote.is_some()) && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// A heredoc opened on an instruction line.
struct Heredoc {
    name: String,
    /// `<<-`: leading tabs are ignored when matching the terminator.
    strip_tabs: bool,
}

/// The heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`, `2<<EOF`) opened by the words of `line`.
fn heredoc_names(line: &str) -> Vec<Heredoc> {
    line.split(is_space)
        .filter_map(|word| {
            let (descriptor, after) = word.split_once("<<")?;
            if !descriptor.chars().all(|c| c.is_ascii_digit()) || after.contains('<') {
                return None;
            }
            let (strip_tabs, name) = match after.strip_prefix('-') {
                Some(name) => (true, name),
                None => (false, after),
            };
            let name: String = name.chars().filter(|&c| c != '\'' && c != '"').collect();
            (!name.is_empty()).then_some(Heredoc { name, strip_tabs })
        })
        .collect()
}

/// Skips the bodies of `heredocs`, which start at line `start`; returns the index of the line
/// after the last terminator.
fn skip_heredocs(lines: &[&str], start: usize, heredocs: &[Heredoc]) -> Result<usize, String> {
    let mut next = start;
    for heredoc in heredocs {
        loop {
            let Some(line) = lines.get(next) else {
                return Err(format!("unterminated heredoc `{}`", heredoc.name));
            };
            next += 1;
            let candidate = if heredoc.strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if candidate == heredoc.name {
                break;
            }
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instruction(
        cmd: &str,
        flags: &[&str],
        value: &[&str],
        json: bool,
        original: &str,
        stage: usize,
    ) -> Value {
        json!({
            "Cmd": cmd, "SubCmd": "", "Flags": flags, "Value": value, "JSON": json,
            "Original": original, "Stage": stage,
        })
    }

    #[test]
    fn multi_stage_build() {
        let text = "\
# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
WORKDIR /src
COPY --from=build --chown=\"app:app\" /out/app /app
RUN --mount=type=cache,target=/root/.cache go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static:nonroot
USER 65532:65532
ENTRYPOINT [\"/app\", \"--serve\"]
";
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.data,
            json!([
                instruction(
                    "from",
                    &[],
                    &["golang:1.22", "AS", "build"],
                    false,
                    "FROM golang:1.22 AS build",
                    0
                ),
                instruction("workdir", &[], &["/src"], false, "WORKDIR /src", 0),
                instruction(
                    "copy",
                    &["--from=build", "--chown=app:app"],
                    &["/out/app", "/app"],
                    false,
                    "COPY --from=build --chown=\"app:app\" /out/app /app",
                    0
                ),
                instruction(
                    "run",
                    &["--mount=type=cache,target=/root/.cache"],
                    &["go build -o /out/app ./cmd/app"],
                    false,
                    "RUN --mount=type=cache,target=/root/.cache go build -o /out/app ./cmd/app",
                    0
                ),
                instruction(
                    "from",
                    &[],
                    &["gcr.io/distroless/static:nonroot"],
                    false,
                    "FROM gcr.io/distroless/static:nonroot",
                    1
                ),
                instruction("user", &[], &["65532:65532"], false, "USER 65532:65532", 1),
                instruction(
                    "entrypoint",
                    &[],
                    &["/app", "--serve"],
                    true,
                    "ENTRYPOINT [\"/app\", \"--serve\"]",
                    1
                ),
            ])
        );
        let line = |pointer: &str| parsed.lines.line(pointer).unwrap();
        assert_eq!(line(""), 1);
        assert_eq!(line("/0"), 2);
        assert_eq!(line("/2/Flags/1"), 4);
        assert_eq!(line("/4"), 7);
        assert_eq!(line("/6/Value/1"), 9);
        // The root, each instruction and its 7 members, 3 flags and 11 values.
        assert_eq!(parsed.lines.len(), 1 + 7 * 8 + 3 + 11);
    }

    #[test]
    fn continuations_comments_and_blank_lines() {
        let text = "FROM alpine\n\n  # a comment\nRUN apk add \\\n    curl \\\n# comment inside\n\n    git\n  EXPOSE 80 \\\n  443/udp\n";
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.data[1]["Original"],
            json!("RUN apk add     curl     git")
        );
        assert_eq!(parsed.data[1]["Value"], json!(["apk add     curl     git"]));
        assert_eq!(parsed.data[2]["Value"], json!(["80", "443/udp"]));
        assert_eq!(parsed.data.as_array().unwrap().len(), 3);
        assert_eq!(parsed.lines.line("/1"), Some(4));
        assert_eq!(parsed.lines.position("/2"), Some(Position::new(9, 3)));
    }

    #[test]
    fn escaped_escape_is_not_a_continuation() {
        let parsed = parse("FROM a\nRUN echo \\\\\nUSER x\n").unwrap();
        assert_eq!(parsed.data[1]["Value"], json!(["echo \\\\"]));
        assert_eq!(parsed.data[2]["Cmd"], json!("user"));
    }

    #[test]
    fn escape_directive() {
        let text =
            "# escape=`\nFROM mcr.microsoft.com/windows\nWORKDIR C:\\app\\\nRUN dir `\n  /s\n";
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.data[1]["Value"], json!(["C:\\app\\"]));
        assert_eq!(parsed.data[2]["Original"], json!("RUN dir   /s"));
        assert_eq!(parsed.lines.line("/2"), Some(4));

        let error = parse("# escape=x\nFROM a\n").unwrap_err();
        assert_eq!(error.position, Position::new(1, 1));
        let error = parse("# escape=`\n# escape=`\nFROM a\n").unwrap_err();
        assert_eq!(error.position, Position::new(2, 1));
        assert_eq!(
            error.message,
            "only one `escape` parser directive can be used"
        );
        // A directive after an instruction is only a comment.
        assert!(parse("FROM a\n# escape=x\n").is_ok());
    }

    #[test]
    fn env_label_and_arg() {
        let text = "ENV A=1 B=\"two words\" C=\nENV LEGACY value with  spaces\nLABEL org.opencontainers.image.title='x y' \\\n  version=2\nARG VERSION\nARG TAG=\"latest\"\n";
        let parsed = parse(text).unwrap();
        assert_eq!(
            parsed.data[0]["Value"],
            json!(["A", "1", "B", "\"two words\"", "C", ""])
        );
        assert_eq!(
            parsed.data[1]["Value"],
            json!(["LEGACY", "value with  spaces"])
        );
        assert_eq!(
            parsed.data[2]["Value"],
            json!(["org.opencontainers.image.title", "'x y'", "version", "2"])
        );
        assert_eq!(parsed.data[3]["Value"], json!(["VERSION"]));
        assert_eq!(parsed.data[4]["Value"], json!(["TAG=\"latest\""]));
        assert_eq!(parsed.data[0]["Stage"], json!(0));

        let error = parse("FROM a\nENV ONLYNAME\n").unwrap_err();
        assert_eq!(error.position, Position::new(2, 1));
        assert_eq!(error.message, "`ENV` must have two arguments");
        let error = parse("LABEL a=1 b\n").unwrap_err();
        assert!(
            error.message.starts_with("can't find `=` in `b`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn forms_of_run_cmd_healthcheck_and_onbuild() {
        let text = "FROM a\nCMD [\"sh\", \"-c\", \"echo hi\"]\nCMD echo [not json\nHEALTHCHECK --interval=5m CMD curl -f http://localhost/\nHEALTHCHECK NONE\nONBUILD RUN --mount=x make\nONBUILD COPY . /src\nSTOPSIGNAL SIGTERM\nVOLUME [\"/data\"]\nADD a b c\nmaintainer Jane Doe <j@d>\n";
        let parsed = parse(text).unwrap();
        let data = &parsed.data;
        assert_eq!(data[1]["Value"], json!(["sh", "-c", "echo hi"]));
        assert_eq!(data[1]["JSON"], json!(true));
        assert_eq!(data[2]["Value"], json!(["echo [not json"]));
        assert_eq!(data[2]["JSON"], json!(false));
        assert_eq!(data[3]["Flags"], json!(["--interval=5m"]));
        assert_eq!(
            data[3]["Value"],
            json!(["CMD", "curl -f http://localhost/"])
        );
        assert_eq!(data[4]["Value"], json!(["NONE"]));
        assert_eq!(data[5]["Cmd"], json!("onbuild"));
        assert_eq!(data[5]["SubCmd"], json!("run"));
        assert_eq!(data[5]["Flags"], json!(["--mount=x"]));
        assert_eq!(data[5]["Value"], json!(["make"]));
        assert_eq!(data[6]["SubCmd"], json!("copy"));
        assert_eq!(data[6]["Value"], json!([".", "/src"]));
        assert_eq!(data[7]["Value"], json!(["SIGTERM"]));
        assert_eq!(data[8]["Value"], json!(["/data"]));
        assert_eq!(data[8]["JSON"], json!(true));
        assert_eq!(data[9]["Value"], json!(["a", "b", "c"]));
        assert_eq!(data[10]["Cmd"], json!("maintainer"));
        assert_eq!(data[10]["Value"], json!(["Jane Doe <j@d>"]));

        let error = parse("FROM a\nCMD [\"a\", 1]\n").unwrap_err();
        assert_eq!(error.position, Position::new(2, 1));
        assert_eq!(
            error.message,
            "when using json array syntax, arrays must contain only strings"
        );
        assert!(parse("ONBUILD ONBUILD RUN x\n").is_err());
    }

    #[test]
    fn heredocs() {
        let text = "FROM a\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nCOPY <<-\"CONF\" /etc/app.conf\n\tkey=value\n\tCONF\nRUN [\"echo\", \"<<NOT\"]\nUSER app\n";
        let parsed = parse(text).unwrap();
        let data = &parsed.data;
        assert_eq!(
            data[1]["Original"],
            json!("RUN <<EOF\napt-get update\napt-get install -y curl\nEOF")
        );
        assert_eq!(
            data[1]["Value"],
            json!(["<<EOF\napt-get update\napt-get install -y curl\nEOF"])
        );
        assert_eq!(data[2]["Value"], json!(["<<-\"CONF\"", "/etc/app.conf"]));
        assert_eq!(
            data[2]["Original"],
            json!("COPY <<-\"CONF\" /etc/app.conf\n\tkey=value\n\tCONF")
        );
        assert_eq!(data[3]["Value"], json!(["echo", "<<NOT"]));
        assert_eq!(data[4]["Cmd"], json!("user"));
        assert_eq!(parsed.lines.line("/2"), Some(6));
        assert_eq!(parsed.lines.line("/4"), Some(10));

        let error = parse("FROM a\nRUN <<EOF\necho\n").unwrap_err();
        assert_eq!(error.position, Position::new(2, 1));
        assert_eq!(error.message, "unterminated heredoc `EOF`");
    }

    #[test]
    fn unknown_instruction_is_an_error() {
        let error = parse("FROM a\n\n  FOO bar\n").unwrap_err();
        assert_eq!(error.position, Position::new(3, 3));
        assert_eq!(error.message, "unknown instruction `FOO`");
    }

    #[test]
    fn empty_and_garbage_input() {
        assert_eq!(parse("").unwrap().data, json!([]));
        assert_eq!(parse("\n# only comments\n\n").unwrap().data, json!([]));
        assert!(parse("\u{0}\u{1}\u{2}").is_err());
        assert_eq!(parse("\\\n\n").unwrap().data, json!([]));
        let parsed = parse("\u{feff}FROM a\r\nRUN x \\\r\n  y\r\n").unwrap();
        assert_eq!(parsed.data[1]["Original"], json!("RUN x   y"));
    }

    /// The conftest inputs in the shared rego suite were produced by conftest from Dockerfiles
    /// whose instructions are their `Original` lines; re-parsing those must give the same JSON.
    #[test]
    fn matches_conftest_inputs() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpus/dev/rego-suite");
        if !root.is_dir() {
            println!("skipped: ../shared corpus not present");
            return;
        }
        let mut checked = 0;
        for case in ["dockerfile_base_images", "dockerfile_user_and_run"] {
            let Ok(entries) = std::fs::read_dir(root.join(case).join("inputs")) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let expected: Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                let expected = &expected[0];
                let text: String = expected
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| format!("{}\n", i["Original"].as_str().unwrap()))
                    .collect();
                assert_eq!(&parse(&text).unwrap().data, expected, "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked > 0);
    }
}
