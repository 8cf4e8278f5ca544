//! Writes a JSON Lines audit log of about SIZE_MB mebibytes for the benchmarks: one event every
//! 3 seconds with a valid SHA-256 hash chain (each `hash` over the RFC 8785 canonical JSON of
//! the event without it: for these ASCII events with integer values, sorted keys and no
//! whitespace), personal data and secrets seeded into 1 event in 1,000.
//!
//! Usage: generate_audit_log PATH [SIZE_MB]   (default 1024)

use std::fmt::Write as _;
use std::io::{BufWriter, Write};

use sha2::{Digest, Sha256};

const ACTIONS: [&str; 6] = ["read", "update", "login", "grant-role", "delete", "list"];
const SEEDS: [&str; 6] = [
    "jane.roe@contoso.org",
    "4111 1111 1111 1111",
    "DE89370400440532013000",
    "123-45-6789",
    "AKIAIOSFODNN7EXAMPLE",
    "+44 20 7946 0958",
];

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: generate_audit_log PATH [SIZE_MB]");
        std::process::exit(2);
    };
    let size_mb: u64 = args
        .next()
        .map_or(Ok(1024), |s| s.parse())
        .unwrap_or_else(|_| {
            eprintln!("SIZE_MB must be a whole number");
            std::process::exit(2);
        });
    let size = size_mb << 20;
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut prev = "0".repeat(64);
    let (mut written, mut i) = (0u64, 0u64);
    let (mut canonical, mut line) = (String::new(), String::new());
    while written < size {
        let seconds = i * 3;
        let (day, rest) = (seconds / 86_400, seconds % 86_400);
        let timestamp = format!(
            "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            1 + day / 28 % 12,
            1 + day % 28,
            rest / 3600,
            rest / 60 % 60,
            rest % 60
        );
        let actor = format!("svc-{:04}", i % 5000);
        let action = ACTIONS[(i % 6) as usize];
        let resource = format!("/api/v2/orders/{}/items/{}", i % 100_000, i % 7);
        let outcome = if i % 97 == 0 { "failure" } else { "success" };
        let request_id = format!("{:032x}", u128::from(i) * 2_654_435_761);
        let latency = i % 1500;
        let detail =
            (i % 1000 == 999).then(|| format!("contact {}", SEEDS[(i / 1000 % 6) as usize]));
        let detail_member = |key_first: bool| match &detail {
            Some(d) if key_first => format!("\"detail\":\"{d}\","),
            Some(d) => format!(",\"detail\":\"{d}\""),
            None => String::new(),
        };
        canonical.clear();
        let _ = write!(
            canonical,
            "{{\"action\":\"{action}\",\"actor\":\"{actor}\",{}\"latency_ms\":{latency},\
             \"outcome\":\"{outcome}\",\"prev_hash\":\"{prev}\",\"request_id\":\"{request_id}\",\
             \"resource\":\"{resource}\",\"timestamp\":\"{timestamp}\"}}",
            detail_member(true)
        );
        let hash = hex::encode(Sha256::digest(canonical.as_bytes()));
        line.clear();
        let _ = writeln!(
            line,
            "{{\"timestamp\":\"{timestamp}\",\"actor\":\"{actor}\",\"action\":\"{action}\",\
             \"resource\":\"{resource}\",\"outcome\":\"{outcome}\",\"request_id\":\"{request_id}\",\
             \"latency_ms\":{latency},\"prev_hash\":\"{prev}\"{},\"hash\":\"{hash}\"}}",
            detail_member(false)
        );
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        prev = hash;
        i += 1;
    }
    out.flush()?;
    println!("{i} events, {written} bytes");
    Ok(())
}
