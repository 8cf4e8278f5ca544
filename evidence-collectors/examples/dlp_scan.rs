//! Runs the DLP detectors over every line of a file and prints what they found and how fast:
//! `cargo run --release -p assay-collectors --example dlp_scan -- FILE`. With `--patterns`
//! instead of a file it prints each detector's candidate pattern, one a line, for `rg -f`.
//! Used by bench/dlp.sh and bench/audit-log.sh.

use std::io::{BufRead, BufReader};
use std::time::Instant;

use assay_collectors::dlp::{Detector, Findings, Scanner};

fn main() {
    let Some(arg) = std::env::args().nth(1) else {
        eprintln!("usage: dlp_scan FILE | --patterns");
        std::process::exit(2);
    };
    if arg == "--patterns" {
        for detector in Detector::ALL {
            println!("{}", detector.pattern());
        }
        return;
    }
    let file = match std::fs::File::open(&arg) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{arg}: {e}");
            std::process::exit(2);
        }
    };
    let scanner = Scanner::all();
    let mut findings = Findings::default();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    let (mut number, mut bytes) = (0u64, 0u64);
    let started = Instant::now();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => bytes += n as u64,
            Err(e) => {
                eprintln!("{arg}: {e}");
                std::process::exit(1);
            }
        }
        number += 1;
        scanner.scan_into(number, &line, &mut findings);
    }
    let seconds = started.elapsed().as_secs_f64();
    for (detector, found) in &findings.by_detector {
        println!("{:<24} {:>10}", detector.as_str(), found.count);
    }
    println!(
        "{number} lines, {:.1} MB in {seconds:.2} s: {:.1} MB/s",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / seconds.max(1e-9)
    );
}
