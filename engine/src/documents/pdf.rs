//! PDF copies of the documents, printed from their self-contained HTML by headless Chromium
//! (`--print-to-pdf`): the browser auditors already read the site with lays out the tables,
//! page breaks and fonts, so the PDF shows exactly what the HTML does. Chromium is found as
//! `$CHROMIUM` or on PATH; each print is bounded in time and uses a throwaway profile, with
//! networking, extensions and background services off (the HTML requests nothing).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest one document may take to print.
const PRINT_TIMEOUT: Duration = Duration::from_secs(120);

/// The Chromium binary: `$CHROMIUM`, else the first of the usual names on PATH.
pub fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ]
            .map(|n| dir.join(n))
        })
        .find(|p| p.is_file())
}

/// Prints the HTML file `html` to `pdf` with `chromium`.
pub fn print(chromium: &Path, html: &Path, pdf: &Path) -> Result<(), String> {
    let profile = tempfile::tempdir().map_err(|e| format!("cannot make a browser profile: {e}"))?;
    let html = std::path::absolute(html).map_err(|e| format!("`{}`: {e}", html.display()))?;
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!(
            "file://{}",
            crate::report::relative_uri(&html.to_string_lossy())
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", chromium.display()))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > PRINT_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "Chromium did not print `{}` within {} s",
                    html.display(),
                    PRINT_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("waiting for Chromium: {e}")),
        }
    };
    let printed = std::fs::metadata(pdf).is_ok_and(|m| m.len() > 0);
    if !status.success() || !printed {
        return Err(format!(
            "Chromium could not print `{}` ({status})",
            html.display()
        ));
    }
    Ok(())
}
