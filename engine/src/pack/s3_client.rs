//! The few S3 requests the evidence locker makes (put with Object Lock retention, get of one
//! version, list), signed with AWS Signature V4 by `rusty-s3` and sent by `ureq`.
//!
//! The endpoint and credentials come from the standard AWS environment variables only, never
//! from the scanned repository or `assay.yaml`: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`, `AWS_REGION` (or `AWS_DEFAULT_REGION`) and `AWS_ENDPOINT_URL_S3` or
//! `AWS_ENDPOINT_URL` for servers other than AWS.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use quick_xml::events::Event;
use quick_xml::name::QName;
use quick_xml::Reader;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use ureq::http::Response;
use ureq::{Agent, Body};

/// How long a signed request stays valid.
const SIGNED_FOR: Duration = Duration::from_secs(15 * 60);
/// The most bytes of an error response kept for its message.
const ERROR_BYTES: u64 = 64 * 1024;
/// The most bytes of one listing page.
const LISTING_BYTES: u64 = 16 << 20;
/// The Object Lock mode every locked object carries: no one, not even the account's root user,
/// can delete or shorten it before the retention date.
pub const COMPLIANCE: &str = "COMPLIANCE";

/// `s3://bucket/prefix` as given to `--locker`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    /// The key prefix, without leading or trailing `/` (may be empty).
    pub prefix: String,
}

impl S3Url {
    /// Parses `s3://bucket[/prefix]`; `None` when `text` is not an `s3://` URL.
    pub fn parse(text: &str) -> Option<Result<S3Url, String>> {
        let rest = text.strip_prefix("s3://")?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !valid_bucket {
            return Some(Err(format!(
                "`{text}`: `{bucket}` is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)"
            )));
        }
        let prefix = prefix.trim_matches('/');
        if prefix
            .split('/')
            .any(|p| p == "." || p == ".." || (p.is_empty() && !prefix.is_empty()))
        {
            return Some(Err(format!(
                "`{text}`: the key prefix `{prefix}` has an empty, `.` or `..` segment"
            )));
        }
        Some(Ok(S3Url {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        }))
    }
}

/// The Object Lock retention of an object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// `COMPLIANCE` or `GOVERNANCE`.
    pub mode: String,
    /// RFC 3339, as the server gave it.
    pub retain_until: String,
}

/// An object version read back.
pub struct Fetched<T> {
    pub body: T,
    pub retention: Option<Retention>,
}

/// A bucket and the credentials to reach it.
pub struct Client {
    bucket: Bucket,
    credentials: Credentials,
    agent: Agent,
}

impl Client {
    /// A client for `bucket`, configured from the AWS environment variables.
    pub fn from_env(bucket: &str) -> Result<Client, String> {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let credentials = Credentials::from_env().ok_or(
            "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)",
        )?;
        let region = var("AWS_REGION")
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".to_string());
        let (endpoint, style) = match var("AWS_ENDPOINT_URL_S3").or_else(|| var("AWS_ENDPOINT_URL"))
        {
            Some(url) => (url, UrlStyle::Path),
            // Virtual-host URLs of bucket names with dots do not match AWS's certificate.
            None if bucket.contains('.') => {
                (format!("https://s3.{region}.amazonaws.com"), UrlStyle::Path)
            }
            None => (
                format!("https://s3.{region}.amazonaws.com"),
                UrlStyle::VirtualHost,
            ),
        };
        let url = endpoint
            .parse()
            .map_err(|e| format!("the S3 endpoint `{endpoint}` is not a URL: {e}"))?;
        let bucket = Bucket::new(url, style, bucket.to_string(), region)
            .map_err(|e| format!("S3 bucket `{bucket}` at `{endpoint}`: {e}"))?;
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .build()
            .into();
        Ok(Client {
            bucket,
            credentials,
            agent,
        })
    }

    /// Writes `body` at `key` under COMPLIANCE retention until `retain_until` (RFC 3339),
    /// with the Content-MD5 S3 requires for Object Lock. Returns the new version's id.
    pub fn put_locked(&self, key: &str, body: &[u8], retain_until: &str) -> Result<String, String> {
        let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(body));
        let mut action = self.bucket.put_object(Some(&self.credentials), key);
        let headers = [
            ("content-md5", md5.as_str()),
            ("x-amz-object-lock-mode", COMPLIANCE),
            ("x-amz-object-lock-retain-until-date", retain_until),
        ];
        for (name, value) in headers {
            action.headers_mut().insert(name, value);
        }
        let url = action.sign(SIGNED_FOR);
        let mut request = self.agent.put(url.as_str());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send(body).map_err(|e| self.failed("PUT", key, e))?;
        let response = self.expect_ok("PUT", key, response)?;
        header(&response, "x-amz-version-id").ok_or_else(|| {
            format!(
                "PUT s3://{}/{key}: the server returned no version id; the bucket needs versioning and Object Lock",
                self.bucket.name()
            )
        })
    }

    /// Reads the object `key` (the given version, else the current one) into memory, refusing
    /// more than `cap` bytes; `None` when there is no such object.
    pub fn get(
        &self,
        key: &str,
        version: Option<&str>,
        cap: u64,
    ) -> Result<Option<Fetched<Vec<u8>>>, String> {
        let Some(mut fetched) = self.get_reader(key, version)? else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        (&mut fetched.body)
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("GET {}: {e}", self.shown(key)))?;
        if bytes.len() as u64 > cap {
            return Err(format!(
                "GET {}: larger than the {cap} bytes allowed",
                self.shown(key)
            ));
        }
        Ok(Some(Fetched {
            body: bytes,
            retention: fetched.retention,
        }))
    }

    /// Opens the object `key` (the given version, else the current one) as a stream.
    pub fn get_reader(
        &self,
        key: &str,
        version: Option<&str>,
    ) -> Result<Option<Fetched<impl Read>>, String> {
        let mut action = self.bucket.get_object(Some(&self.credentials), key);
        if let Some(v) = version {
            action.query_mut().insert("versionId", v);
        }
        let url = action.sign(SIGNED_FOR);
        let response = self
            .agent
            .get(url.as_str())
            .call()
            .map_err(|e| self.failed("GET", key, e))?;
        if response.status().as_u16() == 404 {
            return Ok(None);
        }
        let response = self.expect_ok("GET", key, response)?;
        let retention = match (
            header(&response, "x-amz-object-lock-mode"),
            header(&response, "x-amz-object-lock-retain-until-date"),
        ) {
            (Some(mode), Some(retain_until)) => Some(Retention { mode, retain_until }),
            _ => None,
        };
        Ok(Some(Fetched {
            body: response.into_body().into_reader(),
            retention,
        }))
    }

    /// The first version of every key under `prefix`, keys sorted, from the listing of all
    /// versions: a key hidden behind a delete marker or written over is still listed, with the
    /// version it was first written as.
    pub fn first_versions(&self, prefix: &str) -> Result<Vec<(String, String)>, String> {
        let mut first: BTreeMap<String, String> = BTreeMap::new();
        let mut marker: Option<(String, String)> = None;
        loop {
            // A bucket-level GET: the object URL of the empty key is the bucket's.
            let mut action = self.bucket.get_object(Some(&self.credentials), "");
            let query = action.query_mut();
            query.insert("versions", "");
            query.insert("prefix", prefix);
            if let Some((key, version)) = &marker {
                query.insert("key-marker", key.clone());
                query.insert("version-id-marker", version.clone());
            }
            let url = action.sign(SIGNED_FOR);
            let response = self
                .agent
                .get(url.as_str())
                .call()
                .map_err(|e| self.failed("LIST", prefix, e))?;
            let mut response = self.expect_ok("LIST", prefix, response)?;
            let text = response
                .body_mut()
                .with_config()
                .limit(LISTING_BYTES)
                .read_to_string()
                .map_err(|e| self.failed("LIST", prefix, e))?;
            let page = parse_versions(&text).map_err(|e| {
                format!(
                    "LIST {}: not an S3 version listing: {e}",
                    self.shown(prefix)
                )
            })?;
            // Versions of a key come newest first: the last one seen is the first written.
            for (key, version) in page.versions {
                first.insert(key, version);
            }
            match page.next {
                Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
                _ => break,
            }
        }
        Ok(first.into_iter().collect())
    }

    fn shown(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket.name())
    }

    fn failed(&self, method: &str, key: &str, e: ureq::Error) -> String {
        format!("{method} {}: {e}", self.shown(key))
    }

    /// The response when its status is 2xx, else an error naming S3's error code and message.
    fn expect_ok(
        &self,
        method: &str,
        key: &str,
        mut response: Response<Body>,
    ) -> Result<Response<Body>, String> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let text = response
            .body_mut()
            .with_config()
            .limit(ERROR_BYTES)
            .lossy_utf8(true)
            .read_to_string()
            .unwrap_or_default();
        let field = |name: &str| {
            let open = format!("<{name}>");
            let start = text.find(&open)? + open.len();
            let end = start + text[start..].find(&format!("</{name}>"))?;
            Some(text[start..end].to_string())
        };
        let detail = match (field("Code"), field("Message")) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code,
            _ => status.canonical_reason().unwrap_or("error").to_string(),
        };
        Err(format!(
            "{method} {}: the server answered {} ({detail})",
            self.shown(key),
            status.as_u16()
        ))
    }
}

/// A response header as text.
fn header(response: &Response<Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// One page of a ListObjectVersions answer: each object version's key and version id, in the
/// order given (delete markers left out), and the markers of the next page when truncated.
struct VersionPage {
    versions: Vec<(String, String)>,
    next: Option<(String, String)>,
}

fn parse_versions(text: &str) -> Result<VersionPage, String> {
    let mut reader = Reader::from_str(text);
    let mut page = VersionPage {
        versions: Vec::new(),
        next: None,
    };
    let (mut in_version, mut key, mut version) = (false, None, None);
    let (mut truncated, mut next_key, mut next_version) = (false, None, None);
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                let name = e.name().into_inner().to_string();
                let mut text = || -> Result<String, String> {
                    let raw = reader.read_text(QName(&name)).map_err(|e| e.to_string())?;
                    quick_xml::escape::unescape(&raw)
                        .map(|t| t.into_owned())
                        .map_err(|e| e.to_string())
                };
                match name.as_str() {
                    "Version" => in_version = true,
                    "Key" if in_version => key = Some(text()?),
                    "VersionId" if in_version => version = Some(text()?),
                    "IsTruncated" => truncated = text()? == "true",
                    "NextKeyMarker" => next_key = Some(text()?),
                    "NextVersionIdMarker" => next_version = Some(text()?),
                    _ => {}
                }
            }
            Event::End(e) if e.name().into_inner() == "Version" => {
                in_version = false;
                match (key.take(), version.take()) {
                    (Some(k), Some(v)) => page.versions.push((k, v)),
                    _ => return Err("a <Version> without <Key> or <VersionId>".to_string()),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if truncated {
        page.next = next_key.zip(next_version);
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_s3_urls() {
        assert_eq!(S3Url::parse("/tmp/locker"), None);
        assert_eq!(
            S3Url::parse("s3://evidence-bucket/audits/payments/"),
            Some(Ok(S3Url {
                bucket: "evidence-bucket".into(),
                prefix: "audits/payments".into()
            }))
        );
        assert_eq!(
            S3Url::parse("s3://evidence-bucket"),
            Some(Ok(S3Url {
                bucket: "evidence-bucket".into(),
                prefix: String::new()
            }))
        );
        for bad in [
            "s3://",
            "s3://Upper",
            "s3://ok-bucket/a/../b",
            "s3://ok-bucket/a//b",
        ] {
            assert!(matches!(S3Url::parse(bad), Some(Err(_))), "{bad}");
        }
    }

    #[test]
    fn reads_a_version_listing() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>evidence</Name><IsTruncated>true</IsTruncated>
  <NextKeyMarker>p/index/b.json</NextKeyMarker><NextVersionIdMarker>v3</NextVersionIdMarker>
  <DeleteMarker><Key>p/index/a.json</Key><VersionId>v9</VersionId><IsLatest>true</IsLatest></DeleteMarker>
  <Version><Key>p/index/a.json</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest></Version>
  <Version><Key>p/index/a&amp;b.json</Key><VersionId>v1</VersionId></Version>
</ListVersionsResult>"#;
        let page = parse_versions(xml).unwrap();
        assert_eq!(
            page.versions,
            vec![
                ("p/index/a.json".to_string(), "v2".to_string()),
                ("p/index/a&b.json".to_string(), "v1".to_string())
            ]
        );
        assert_eq!(page.next, Some(("p/index/b.json".into(), "v3".into())));
        assert!(parse_versions("<Version><Key>k</Key></Version>").is_err());
    }
}
