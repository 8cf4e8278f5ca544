//! Readers. JSON Lines are read in blocks split at newline boundaries and summarized in
//! parallel; CSV records are parsed in order and summarized in parallel batches; whole JSON
//! documents (`{"Records": [...]}`, an `EventList`, an array) are parsed once and their events
//! summarized in parallel chunks. In every case the part summaries merge in order, and the raw
//! bytes are hashed as they stream past, so memory stays bounded by the batch size.

use std::io::{self, Read};

use rayon::prelude::*;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::node::Node;
use super::summary::{Context, Summary};
use crate::dlp::Findings;
use crate::formats::{self, ParseError};
use crate::lines::Position;

/// Bytes per block of JSON Lines.
const BLOCK: usize = 4 << 20;
/// Bytes of JSON Lines read per round, whatever the core count: with one round summarized
/// while the next is read, the reader holds at most about twice this, plus two of the longest
/// lines allowed.
const ROUND_BYTES: usize = 32 << 20;
/// CSV records per batch.
const CSV_BATCH: usize = 8192;
/// Events per parallel chunk of a whole document.
const DOCUMENT_CHUNK: usize = 2048;

/// Parts handed to the thread pool at once: enough to keep every thread busy, few enough to
/// bound memory.
fn parts_per_round() -> usize {
    rayon::current_num_threads().max(1) * 2
}

/// A run of whole lines and the number of its first line.
struct Block {
    first_line: u64,
    bytes: Vec<u8>,
    /// Lines before `first_line` skipped for being longer than the line limit, with why.
    skipped: Vec<(u64, String)>,
}

/// Cuts a byte stream into blocks of whole lines, hashing every byte on the way; lines longer
/// than `max_line` bytes are skipped (still hashed) instead of being held in memory.
struct Blocks<R> {
    reader: R,
    carry: Vec<u8>,
    next_line: u64,
    hasher: Sha256,
    eof: bool,
    max_line: u64,
    /// Bytes read, and the last of them.
    read: u64,
    last_byte: Option<u8>,
}

impl<R: Read> Blocks<R> {
    #[cfg(test)]
    fn new(reader: R, max_line: u64) -> Self {
        Self::resume(reader, max_line, 1, Sha256::new())
    }

    /// Blocks of a stream that continues a file at line `next_line`, whose bytes so far
    /// `hasher` has hashed.
    fn resume(reader: R, max_line: u64, next_line: u64, hasher: Sha256) -> Self {
        Self {
            reader,
            carry: Vec::new(),
            next_line,
            hasher,
            eof: false,
            max_line,
            read: 0,
            last_byte: None,
        }
    }

    /// Reads into `buf` until it is full or the stream ends, hashing what it read; returns
    /// how many bytes it read.
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.reader.read(&mut buf[filled..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.hasher.update(&buf[..filled]);
        self.read += filled as u64;
        if filled > 0 {
            self.last_byte = Some(buf[filled - 1]);
        }
        Ok(filled)
    }

    /// Reads past the end of the current line; returns what follows its newline.
    fn skip_line(&mut self) -> io::Result<Vec<u8>> {
        let mut chunk = vec![0u8; 64 << 10];
        while !self.eof {
            let n = self.fill(&mut chunk)?;
            if let Some(at) = memchr::memchr(b'\n', &chunk[..n]) {
                return Ok(chunk[at + 1..n].to_vec());
            }
        }
        Ok(Vec::new())
    }

    fn next_block(&mut self) -> io::Result<Option<Block>> {
        // `carry` never holds a newline; after a skipped line `buf` may.
        let mut buf = std::mem::take(&mut self.carry);
        let mut skipped = Vec::new();
        while !self.eof {
            let start = buf.len();
            buf.resize(start + BLOCK, 0);
            let filled = self.fill(&mut buf[start..])?;
            buf.truncate(start + filled);
            if let Some(at) = memchr::memrchr(b'\n', &buf) {
                if !self.eof {
                    self.carry = buf[at + 1..].to_vec();
                    buf.truncate(at + 1);
                }
                break;
            }
            // No newline yet: `buf` is the start of one long line; read on up to the limit.
            if buf.len() as u64 > self.max_line {
                skipped.push((
                    self.next_line,
                    format!(
                        "line {}: longer than the line limit of {} bytes; skipped (raise \
                         `limits.line_bytes` in assay.yaml)",
                        self.next_line, self.max_line
                    ),
                ));
                self.next_line += 1;
                buf = self.skip_line()?;
            }
        }
        if buf.is_empty() && skipped.is_empty() {
            return Ok(None);
        }
        let first_line = self.next_line;
        self.next_line += memchr::memchr_iter(b'\n', &buf).count() as u64;
        Ok(Some(Block {
            first_line,
            bytes: buf,
            skipped,
        }))
    }

    fn next_round(&mut self) -> io::Result<Vec<Block>> {
        let (mut blocks, mut bytes) = (Vec::new(), 0);
        while blocks.len() < parts_per_round() && bytes < ROUND_BYTES {
            match self.next_block()? {
                Some(block) => {
                    bytes += block.bytes.len();
                    blocks.push(block);
                }
                None => break,
            }
        }
        Ok(blocks)
    }
}

/// The lines of `bytes` with their numbers, without line endings.
fn numbered_lines(first_line: u64, bytes: &[u8]) -> impl Iterator<Item = (u64, &[u8])> {
    let mut start = 0;
    let mut line = first_line;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    ends.filter_map(move |end| {
        let mut text = &bytes[start..end];
        start = end + 1;
        let number = line;
        line += 1;
        if let Some(stripped) = text.strip_suffix(b"\r") {
            text = stripped;
        }
        (!text.is_empty() || end < bytes.len()).then_some((number, text))
    })
}

/// `serde_json`'s message without its trailing position, prefixed with ours.
fn json_error(line: u64, error: &serde_json::Error) -> String {
    let full = error.to_string();
    let message = full
        .rsplit_once(" at line ")
        .map_or(full.as_str(), |(m, _)| m);
    format!(
        "line {line}, column {}: invalid JSON: {message}",
        error.column()
    )
}

fn summarize_block(block: &Block, ctx: &Context<'_>) -> Summary {
    let mut summary = Summary::default();
    for (line, reason) in &block.skipped {
        summary.malformed(*line, reason.clone());
    }
    for (line, text) in numbered_lines(block.first_line, &block.bytes) {
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        summary.scan_text(line, text, ctx);
        match Node::parse(text) {
            Ok(event) => summary.event(line, event, ctx),
            Err(e) => summary.malformed(line, json_error(line, &e)),
        }
    }
    summary
}

/// Where reading JSON Lines starts: the top of the file, or a checkpoint (`reader` then
/// yields the bytes after it).
pub struct Start {
    /// The number of the first line read.
    pub line: u64,
    /// The hash of the bytes before, still open.
    pub hasher: Sha256,
    /// The summary of the lines before.
    pub summary: Summary,
}

impl Default for Start {
    fn default() -> Self {
        Self {
            line: 1,
            hasher: Sha256::new(),
            summary: Summary::default(),
        }
    }
}

/// What reading JSON Lines yields: the summary of the whole log, and where it ends.
pub struct Jsonl {
    pub summary: Summary,
    /// The hash of every byte of the log, still open (to finish it, or to continue it).
    pub hasher: Sha256,
    /// Bytes read from `reader`, and the number of the line after the last.
    pub read: u64,
    pub next_line: u64,
    /// Whether the log ends at a line boundary (empty, or ending in a newline).
    pub whole_lines: bool,
}

/// Reads JSON Lines from `start`, skipping (and reporting) lines over `max_line` bytes.
pub fn read_jsonl<R: Read + Send>(
    reader: R,
    ctx: &Context<'_>,
    max_line: u64,
    start: Start,
) -> io::Result<Jsonl> {
    let mut blocks = Blocks::resume(reader, max_line, start.line, start.hasher);
    let mut total = start.summary;
    let mut pending = blocks.next_round()?;
    while !pending.is_empty() {
        let (next, parts) = rayon::join(
            || blocks.next_round(),
            || {
                pending
                    .par_iter()
                    .map(|b| summarize_block(b, ctx))
                    .collect::<Vec<_>>()
            },
        );
        for part in parts {
            total.merge(part, ctx.chain);
        }
        pending = next?;
    }
    Ok(Jsonl {
        summary: total,
        hasher: blocks.hasher,
        read: blocks.read,
        next_line: blocks.next_line,
        whole_lines: blocks.last_byte.is_none_or(|b| b == b'\n'),
    })
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// One CSV record as an event: `{column: value}`, plus the text the detectors scan
/// (`column=value` pairs, so that a secret under a `password` column is recognized).
fn csv_event(headers: &[String], record: &csv::ByteRecord) -> (Value, Vec<u8>) {
    let mut event = Map::new();
    let mut text = Vec::new();
    for (i, field) in record.iter().enumerate() {
        let name = headers
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("column{}", i + 1));
        if i > 0 {
            text.push(b'\t');
        }
        text.extend_from_slice(name.as_bytes());
        text.push(b'=');
        text.extend_from_slice(field);
        event.insert(
            name,
            Value::String(String::from_utf8_lossy(field).into_owned()),
        );
    }
    (Value::Object(event), text)
}

type Batch = Vec<(u64, csv::ByteRecord)>;

fn next_csv_round<R: Read>(reader: &mut csv::Reader<R>) -> Result<Vec<Batch>, csv::Error> {
    let mut round = Vec::new();
    'round: while round.len() < parts_per_round() {
        let mut batch = Vec::with_capacity(CSV_BATCH);
        while batch.len() < CSV_BATCH {
            let mut record = csv::ByteRecord::new();
            if !reader.read_byte_record(&mut record)? {
                if !batch.is_empty() {
                    round.push(batch);
                }
                break 'round;
            }
            let line = record.position().map_or(0, |p| p.line());
            batch.push((line, record));
        }
        round.push(batch);
    }
    Ok(round)
}

/// Reads CSV with a header row; returns the summary and the sha256 of the bytes read.
pub fn read_csv<R: Read + Send>(
    reader: R,
    ctx: &Context<'_>,
) -> Result<(Summary, String), csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(Hashing {
            inner: reader,
            hasher: Sha256::new(),
        });
    let headers: Vec<String> = reader
        .byte_headers()?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let mut total = Summary::default();
    let mut pending = next_csv_round(&mut reader)?;
    while !pending.is_empty() {
        let (next, parts) = rayon::join(
            || next_csv_round(&mut reader),
            || {
                pending
                    .par_iter()
                    .map(|batch| {
                        let mut summary = Summary::default();
                        for (line, record) in batch {
                            let (event, text) = csv_event(&headers, record);
                            summary.scan_text(*line, &text, ctx);
                            summary.event(*line, Node::from(&event), ctx);
                        }
                        summary
                    })
                    .collect::<Vec<_>>()
            },
        );
        for part in parts {
            total.merge(part, ctx.chain);
        }
        pending = next?;
    }
    // Drain what the CSV reader has not pulled yet, so the digest covers every byte.
    let mut rest = reader.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(csv::Error::from)?;
    Ok((total, hex::encode(rest.hasher.finalize())))
}

/// The events of a whole JSON document and the lines they start on.
#[derive(Debug)]
pub struct DocumentEvents {
    pub events: Vec<Value>,
    /// The line each event starts on.
    pub lines: Vec<u64>,
}

/// Parses a JSON document that holds events: `{"Records": [...]}`, `{"items": [...]}`, a
/// top-level array, or one event object.
pub fn parse_document(text: &str) -> Result<DocumentEvents, ParseError> {
    let parsed = formats::json::parse(text)?;
    let line_of = |pointer: &str| u64::from(parsed.lines.line(pointer).unwrap_or(1));
    let (prefix, events) = match parsed.data {
        Value::Object(mut object) => {
            let key = ["Records", "items"]
                .into_iter()
                .find(|k| object.get(*k).is_some_and(Value::is_array));
            match key.and_then(|k| object.remove(k).map(|v| (k, v))) {
                Some((key, Value::Array(events))) => (format!("/{key}"), events),
                _ => {
                    return Ok(DocumentEvents {
                        events: vec![Value::Object(object)],
                        lines: vec![line_of("")],
                    })
                }
            }
        }
        Value::Array(events) => (String::new(), events),
        _ => {
            return Err(ParseError::new(
                parsed.lines.position("").unwrap_or(Position::new(1, 1)),
                "expected an object or an array of audit events",
            ))
        }
    };
    let lines = (0..events.len())
        .map(|i| line_of(&format!("{prefix}/{i}")))
        .collect();
    Ok(DocumentEvents { events, lines })
}

/// Summarizes the events of a whole document, and scans its text line by line.
pub fn summarize_document(document: DocumentEvents, text: &str, ctx: &Context<'_>) -> Summary {
    let DocumentEvents { events, lines } = document;
    let parts: Vec<Summary> = events
        .par_chunks(DOCUMENT_CHUNK)
        .zip(lines.par_chunks(DOCUMENT_CHUNK))
        .map(|(events, lines)| {
            let mut summary = Summary::default();
            for (event, line) in events.iter().zip(lines) {
                summary.event(*line, Node::from(event), ctx);
            }
            summary
        })
        .collect();
    let mut total = Summary::default();
    for part in parts {
        total.merge(part, ctx.chain);
    }
    let text_lines: Vec<(u64, &[u8])> = numbered_lines(1, text.as_bytes()).collect();
    let findings: Vec<Findings> = text_lines
        .par_chunks(DOCUMENT_CHUNK)
        .map(|chunk| {
            let mut findings = Findings::default();
            for (line, bytes) in chunk {
                ctx.dlp.scan_into(*line, bytes, &mut findings);
            }
            findings
        })
        .collect();
    let mut all = Findings::default();
    for f in findings {
        all.merge(f);
    }
    total.set_findings(all);
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_lines_handle_crlf_blank_and_unterminated_lines() {
        let got: Vec<(u64, &[u8])> = numbered_lines(5, b"a\r\n\nb\nc").collect();
        assert_eq!(
            got,
            vec![
                (5, &b"a"[..]),
                (6, &b""[..]),
                (7, &b"b"[..]),
                (8, &b"c"[..])
            ]
        );
        let got: Vec<(u64, &[u8])> = numbered_lines(1, b"a\n").collect();
        assert_eq!(got, vec![(1, &b"a"[..])]);
    }

    #[test]
    fn blocks_cut_at_newlines_and_count_lines() {
        let text: Vec<u8> = (0..50_000)
            .flat_map(|i| {
                format!("{{\"n\": {i}, \"pad\": \"{}\"}}\n", "x".repeat(i % 700)).into_bytes()
            })
            .collect();
        let mut blocks = Blocks::new(&text[..], u64::MAX);
        let mut seen = 0u64;
        let mut joined = Vec::new();
        while let Some(block) = blocks.next_block().unwrap() {
            assert_eq!(block.first_line, seen + 1);
            assert!(block.bytes.ends_with(b"\n"));
            seen += memchr::memchr_iter(b'\n', &block.bytes).count() as u64;
            joined.extend_from_slice(&block.bytes);
        }
        assert!(seen == 50_000 && joined == text);
        assert!(text.len() > 2 * BLOCK, "the test must span several blocks");
        assert_eq!(
            hex::encode(blocks.hasher.finalize()),
            hex::encode(Sha256::digest(&text))
        );
    }

    #[test]
    fn lines_over_the_limit_are_skipped_and_reported() {
        let long = "x".repeat(3 * BLOCK);
        let text = format!("{{\"a\": 1}}\n\"{long}\"\n{{\"b\": 2}}\n\"{long}\"");
        let mut blocks = Blocks::new(text.as_bytes(), 1 << 20);
        let mut skipped = Vec::new();
        let mut lines = Vec::new();
        let mut largest = 0;
        while let Some(block) = blocks.next_block().unwrap() {
            skipped.extend(block.skipped.iter().map(|(line, _)| *line));
            lines.extend(numbered_lines(block.first_line, &block.bytes).map(|(n, _)| n));
            largest = largest.max(block.bytes.capacity());
        }
        assert_eq!(skipped, [2, 4]);
        assert_eq!(lines, [1, 3]);
        assert!(largest < 2 * BLOCK + (1 << 20), "held {largest} bytes");
        assert_eq!(
            hex::encode(blocks.hasher.finalize()),
            hex::encode(Sha256::digest(text.as_bytes()))
        );
    }

    #[test]
    fn documents_locate_their_events() {
        let text = "{\"Records\": [\n  {\"eventName\": \"A\"},\n  {\"eventName\": \"B\"}\n]}";
        let doc = parse_document(text).unwrap();
        assert_eq!(doc.lines, vec![2, 3]);
        let doc = parse_document("\n{\"eventName\": \"A\"}").unwrap();
        assert_eq!(doc.lines, vec![2]);
        let error = parse_document("{\"Records\": [\n  {\"eventName\": }\n]}").unwrap_err();
        assert_eq!(error.position.line, 2);
        assert!(parse_document("42").is_err());
    }
}
