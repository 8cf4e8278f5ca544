//! A small blocking HTTP/1.0 client over `std::net::TcpStream`, enough for a `/metrics`
//! endpoint and the Prometheus HTTP API over plain `http://`. HTTP/1.0 keeps servers from
//! chunking the body; a chunked body is decoded all the same.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Responses larger than this are refused.
const MAX_BODY: u64 = 256 * 1024 * 1024;

/// A response: status, headers (names lower-cased) and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The parts of an `http://host[:port]/path?query` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub target: String,
}

impl Url {
    pub fn parse(url: &str) -> Result<Url, String> {
        let Some(rest) = url.strip_prefix("http://") else {
            return Err(if url.starts_with("https://") {
                format!("`{url}`: https is not supported; reach the server over plain http (a local port-forward or sidecar)")
            } else {
                format!("`{url}` is not an http:// URL")
            });
        };
        let (authority, target) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let port_of = |p: &str| {
            p.parse::<u16>()
                .map_err(|_| format!("`{url}`: invalid port `{p}`"))
        };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| format!("`{url}`: unclosed `[` in the host"))?;
            match after.strip_prefix(':') {
                Some(p) => (host, port_of(p)?),
                None => (host, 80),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, port_of(p)?),
                None => (authority, 80),
            }
        };
        if host.is_empty() {
            return Err(format!("`{url}` has no host"));
        }
        Ok(Url {
            host: host.to_string(),
            port,
            target: target.to_string(),
        })
    }
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// GETs `url`, waiting at most `timeout` to connect and between reads.
pub fn get(url: &str, accept: &str, timeout: Duration) -> Result<Response, String> {
    let parsed = Url::parse(url)?;
    let addrs: Vec<_> = (parsed.host.as_str(), parsed.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve `{}`: {e}", parsed.host))?
        .collect();
    let mut last = format!("no address for `{}`", parsed.host);
    let mut stream = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("cannot connect to {addr}: {e}"),
        }
    }
    let mut stream = stream.ok_or(last)?;
    let io = |e: std::io::Error| format!("{url}: {e}");
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    let host = if parsed.port == 80 {
        parsed.host.clone()
    } else {
        format!("{}:{}", parsed.host, parsed.port)
    };
    let request = format!(
        "GET {} HTTP/1.0\r\nHost: {host}\r\nAccept: {accept}\r\nUser-Agent: assay\r\nConnection: close\r\n\r\n",
        parsed.target
    );
    stream.write_all(request.as_bytes()).map_err(io)?;
    let mut raw = Vec::new();
    stream
        .take(MAX_BODY + 1)
        .read_to_end(&mut raw)
        .map_err(io)?;
    if raw.len() as u64 > MAX_BODY {
        return Err(format!(
            "{url}: the response is larger than {MAX_BODY} bytes"
        ));
    }
    parse_response(&raw).map_err(|m| format!("{url}: {m}"))
}

fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("the response has no header end")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("malformed status line `{status_line}`"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut response = Response {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    };
    if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        response.body = dechunk(&response.body)?;
    }
    Ok(response)
}

fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("truncated chunked body")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| format!("invalid chunk size `{size_text}`"))?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn urls() {
        assert_eq!(
            Url::parse("http://127.0.0.1:9090/api/v1/query?x=1").unwrap(),
            Url {
                host: "127.0.0.1".into(),
                port: 9090,
                target: "/api/v1/query?x=1".into()
            }
        );
        assert_eq!(Url::parse("http://localhost").unwrap().port, 80);
        assert_eq!(Url::parse("http://[::1]:9090/").unwrap().host, "::1");
        assert!(Url::parse("https://x")
            .unwrap_err()
            .contains("https is not supported"));
        assert!(Url::parse("http://x:port/")
            .unwrap_err()
            .contains("invalid port"));
        assert_eq!(encode("sum(rate(x[5m]))"), "sum%28rate%28x%5B5m%5D%29%29");
    }

    #[test]
    fn gets_plain_and_chunked_bodies_from_a_loopback_server() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            for body in [
                "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nup 1\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nup \r\n2\r\n1\n\r\n0\r\n\r\n",
            ] {
                let (mut conn, _) = listener.accept().unwrap();
                let mut request = [0u8; 1024];
                let n = conn.read(&mut request).unwrap();
                assert!(String::from_utf8_lossy(&request[..n]).starts_with("GET /metrics HTTP/1.0"));
                conn.write_all(body.as_bytes()).unwrap();
            }
        });
        let url = format!("http://127.0.0.1:{port}/metrics");
        for _ in 0..2 {
            let r = get(&url, "text/plain", Duration::from_secs(5)).unwrap();
            assert_eq!(r.status, 200);
            assert_eq!(r.body, b"up 1\n");
        }
        server.join().unwrap();
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let dead = format!("http://{}/metrics", closed.local_addr().unwrap());
        drop(closed);
        assert!(get(&dead, "text/plain", Duration::from_secs(2)).is_err());
    }
}
