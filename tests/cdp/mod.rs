//! A minimal Chrome DevTools Protocol client for the browser tests: starts headless Chromium,
//! attaches to one page over a WebSocket and records console messages, exceptions and network
//! requests while it navigates.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

/// How long one protocol answer or page load may take.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The Chromium binary: `$CHROMIUM`, else the first of the usual names on PATH; under
/// `CI=true` a missing one is a failure, not a skip.
pub fn find_chromium() -> Option<PathBuf> {
    let found = assay_engine::documents::pdf::find_chromium();
    assert!(
        found.is_some() || std::env::var("CI").as_deref() != Ok("true"),
        "a Chromium binary is needed under CI (Debian's `chromium`, or set CHROMIUM)"
    );
    found
}

/// Something a page did that the tests judge.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A console message of level error or warning, an uncaught exception or a log entry.
    Console(String),
    /// A request for a URL.
    Request(String),
}

/// A running browser with one attached page.
pub struct Browser {
    child: Child,
    socket: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    /// Events seen since the last [`Browser::take_events`].
    events: Vec<Event>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    /// Starts `binary` headless with a fresh profile and attaches to a new page.
    pub fn start(binary: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = Vec::new();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(at) = line.find("ws://") {
                        break line[at..].trim().to_string();
                    }
                    seen.push(line);
                }
                _ => panic!("chromium exited before listening:\n{}", seen.join("\n")),
            }
        };
        // Keep draining stderr so that Chromium never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let host = url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let stream = TcpStream::connect(&host).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        let (socket, _) = tungstenite::client(url.as_str(), stream).unwrap();
        let mut browser = Browser {
            child,
            socket,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
            _profile: profile,
        };
        let target = browser.call(None, "Target.createTarget", json!({"url": "about:blank"}));
        let attached = browser.call(
            None,
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        browser.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in [
            "Page.enable",
            "Runtime.enable",
            "Log.enable",
            "Network.enable",
        ] {
            browser.send(domain, json!({}));
        }
        browser
    }

    /// Sends a command to the page and returns its result.
    pub fn send(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.call(Some(&session), method, params)
    }

    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.try_call(session, method, params)
            .unwrap_or_else(|e| panic!("{method} failed: {e}"))
    }

    /// Sends a command and returns its result, or the error the browser answered with.
    fn try_call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.socket.send(Message::text(msg.to_string())).unwrap();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            assert!(Instant::now() < deadline, "no answer to {method}");
            let v = self.next_message();
            if v["id"] == id {
                return match v.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(v["result"].clone()),
                };
            }
        }
    }

    /// Reads one message, recording it when it is an event the tests judge.
    fn next_message(&mut self) -> Value {
        let text = match self.socket.read().unwrap() {
            Message::Text(t) => t.to_string(),
            _ => return Value::Null,
        };
        let v: Value = serde_json::from_str(&text).unwrap();
        let p = &v["params"];
        match v["method"].as_str().unwrap_or("") {
            "Runtime.consoleAPICalled"
                if matches!(p["type"].as_str(), Some("error" | "warning" | "assert")) =>
            {
                self.events.push(Event::Console(format!(
                    "console.{}: {}",
                    p["type"], p["args"]
                )));
            }
            "Runtime.exceptionThrown" => {
                self.events.push(Event::Console(format!(
                    "exception: {}",
                    p["exceptionDetails"]
                )));
            }
            "Log.entryAdded"
                if matches!(p["entry"]["level"].as_str(), Some("error" | "warning")) =>
            {
                self.events.push(Event::Console(format!(
                    "log {}: {} ({})",
                    p["entry"]["level"], p["entry"]["text"], p["entry"]["url"]
                )));
            }
            "Network.requestWillBeSent" => {
                if let Some(url) = p["request"]["url"].as_str() {
                    self.events.push(Event::Request(url.to_string()));
                }
            }
            _ => {}
        }
        v
    }

    /// Loads `url` and waits for its load event.
    pub fn navigate(&mut self, url: &str) {
        self.send("Page.navigate", json!({"url": url}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            assert!(Instant::now() < deadline, "{url} did not load");
            let v = self.next_message();
            if v["method"] == "Page.loadEventFired" {
                return;
            }
        }
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    pub fn eval(&mut self, expression: &str) -> Value {
        let r = self.send(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(e) = r.get("exceptionDetails") {
            panic!("`{expression}` threw: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Evaluates `expression` until it is true. While the page navigates (after a click on a
    /// link), an evaluation may find no page to run in; that counts as not yet true.
    pub fn wait_for(&mut self, expression: &str) {
        let deadline = Instant::now() + TIMEOUT;
        let params = json!({"expression": expression, "returnByValue": true, "awaitPromise": true});
        loop {
            let session = self.session.clone();
            match self.try_call(Some(&session), "Runtime.evaluate", params.clone()) {
                Ok(r) if r.get("exceptionDetails").is_some() => {
                    panic!("`{expression}` threw: {}", r["exceptionDetails"])
                }
                Ok(r) if r["result"]["value"] == Value::Bool(true) => return,
                Ok(_) => {}
                Err(e) if navigating(&e) => {}
                Err(e) => panic!("Runtime.evaluate failed: {e}"),
            }
            assert!(
                Instant::now() < deadline,
                "`{expression}` never became true"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Presses and releases a key (e.g. `Tab`).
    pub fn press(&mut self, key: &str, code: u32) {
        for kind in ["keyDown", "keyUp"] {
            self.send(
                "Input.dispatchKeyEvent",
                json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code}),
            );
        }
    }

    /// Sets the viewport size (CSS pixels); `mobile` emulates a phone.
    pub fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.send(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
    }

    /// A PNG of the viewport.
    pub fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine;
        let r = self.send("Page.captureScreenshot", json!({"format": "png"}));
        base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap())
            .unwrap()
    }

    /// The events recorded since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

/// Whether a protocol error says the page went away under a command because it navigated.
fn navigating(error: &Value) -> bool {
    let message = error["message"].as_str().unwrap_or_default();
    message.contains("navigated or closed") || message.contains("Cannot find context")
}

/// A `file://` URL for an absolute path.
pub fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Whether Chromium and pdftotext (poppler-utils) are here to print and read back a PDF. Under
/// CI their absence fails the test; elsewhere it is skipped, saying so.
pub fn can_print_pdf() -> bool {
    if find_chromium().is_some() && assay_collectors::render::on_path("pdftotext").is_some() {
        return true;
    }
    crate::common::tool_missing(
        "Chromium and pdftotext (poppler-utils) are needed under CI",
        "printing to PDF needs chromium and pdftotext (poppler-utils)",
    );
    false
}
