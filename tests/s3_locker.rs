//! The S3 evidence locker against a real S3-compatible server with Object Lock: moto's
//! standalone server (PyPI `moto[server]`, which `.ci/run` installs), started on a free
//! loopback port for each test. moto because it implements Object Lock as S3 does where the
//! locker relies on it: buckets created with Object Lock are versioned, a PUT with retention
//! needs Content-MD5, a locked version cannot be deleted, GET returns the retention headers.
//! (Unlike S3, moto lets PutObjectRetention shorten a COMPLIANCE retention, so that refusal is
//! not tested here.) Requests the tests make themselves (creating the bucket, tampering) are
//! plain HTTP, so what is refused is refused by the server, not by assay.
//! Skipped without `moto_server` on PATH, failing under CI.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use serde_json::Value;

use crate::common;

const BUCKET: &str = "evidence";

/// A moto server on a free port, killed when dropped.
struct Moto {
    child: Child,
    port: u16,
}

/// A response as the server sent it.
struct Answer {
    status: u16,
    /// The header block, names lowercased.
    headers: String,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .map(str::trim)
    }
}

impl Moto {
    fn start() -> Option<Moto> {
        if assay_collectors::render::on_path("moto_server").is_none() {
            common::tool_missing(
                "moto_server (pip install 'moto[server]') is needed under CI",
                "the S3 locker tests need moto_server (pip install 'moto[server]')",
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let moto = Moto { child, port };
        // Readiness, not timing: wait until it answers, for at most about two minutes.
        for _ in 0..1200 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(moto);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not start listening on port {port}");
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One HTTP/1.1 request with a placeholder signature: moto reads the access key from it
    /// (anonymous requests may not read objects) but does not check signatures by default.
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n\
             Content-Type: application/octet-stream\r\n\
             Authorization: AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\n",
            self.port,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {head}"));
        let headers = head
            .lines()
            .skip(1)
            .map(|l| match l.split_once(':') {
                Some((n, v)) => format!("{}: {}", n.to_ascii_lowercase(), v.trim()),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        Answer {
            status,
            headers,
            body: body.to_string(),
        }
    }

    /// Creates the bucket with Object Lock enabled (which turns versioning on).
    fn lock_bucket(&self) {
        let made = self.request(
            "PUT",
            &format!("/{BUCKET}"),
            &[("x-amz-bucket-object-lock-enabled", "true")],
            b"",
        );
        assert_eq!(made.status, 200, "{}", made.body);
    }

    /// A PUT under COMPLIANCE retention for a day, as the locker writes.
    fn put_locked(&self, key: &str, body: &[u8]) -> Answer {
        let until = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24))
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(body));
        self.request(
            "PUT",
            &format!("/{BUCKET}/{key}"),
            &[
                ("Content-MD5", &md5),
                ("x-amz-object-lock-mode", "COMPLIANCE"),
                ("x-amz-object-lock-retain-until-date", &until),
            ],
            body,
        )
    }

    /// `assay` with the AWS environment pointing at this server.
    fn assay(&self) -> assert_cmd::Command {
        let mut cmd = common::assay();
        for (name, value) in [
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", &self.endpoint()),
        ] {
            cmd.env(name, value);
        }
        cmd.env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_ENDPOINT_URL_S3");
        cmd
    }

    /// `assay scan` of `repo` into `locker`, with `extra` arguments; returns the pack's root.
    fn scan(&self, repo: &Path, locker: &str, extra: &[&str]) -> String {
        let out = self
            .assay()
            .arg("scan")
            .arg(repo)
            .args(["--locker", locker])
            .args(extra)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
        assert!(
            stderr.contains("under COMPLIANCE retention until"),
            "{stderr}"
        );
        root_in(&stderr)
    }

    fn verify(&self, locker: &str, extra: &[&str]) -> Output {
        self.assay()
            .args(["locker", "verify", "--locker", locker])
            .args(extra)
            .output()
            .unwrap()
    }

    /// The keys under `prefix` with at least one version, sorted.
    fn keys(&self, prefix: &str) -> Vec<String> {
        let listing = self.request(
            "GET",
            &format!("/{BUCKET}?versions&prefix={prefix}"),
            &[],
            b"",
        );
        assert_eq!(listing.status, 200, "{}", listing.body);
        let mut keys: Vec<String> = listing
            .body
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split_once("</Key>").map(|(k, _)| k.to_string()))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The root digest a scan's stderr reports for the pack it wrote.
fn root_in(stderr: &str) -> String {
    let at = stderr
        .find("root ")
        .unwrap_or_else(|| panic!("no root in {stderr}"))
        + 5;
    stderr[at..at + 64].to_string()
}

/// A small repository whose assay.yaml sets a one-day retention.
fn repo(dir: &Path) {
    std::fs::write(dir.join("assay.yaml"), "locker:\n  retention_days: 1\n").unwrap();
    std::fs::write(dir.join("README.md"), "# payments\n").unwrap();
    std::fs::write(dir.join("Dockerfile"), "FROM debian:12\nUSER app\n").unwrap();
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Three signed packs under COMPLIANCE retention; deleting a locked version is refused, writing
/// over a key or hiding it behind a delete marker leaves the locked version read, and
/// `locker verify` still passes; an unlocked object posing as a pack breaks it.
#[test]
fn s3_locker_keeps_packs_under_compliance_retention() {
    let Some(moto) = Moto::start() else { return };
    moto.lock_bucket();
    let tmp = tempfile::tempdir().unwrap();
    repo(tmp.path());
    let keys = tmp.path().join("keys");
    common::assay()
        .args(["keygen", "--out"])
        .arg(&keys)
        .assert()
        .success();
    let sign = [
        "--sign-key",
        keys.join("assay-signing.key").to_str().unwrap(),
    ]
    .map(String::from);
    let sign: Vec<&str> = sign.iter().map(String::as_str).collect();
    let locker = "s3://evidence/team/audit";
    let roots: Vec<String> = (0..3)
        .map(|_| moto.scan(tmp.path(), locker, &sign))
        .collect();

    let indexes = moto.keys("team/audit/index/");
    assert_eq!(indexes.len(), 3, "{indexes:?}");
    let names: Vec<&str> = indexes
        .iter()
        .map(|k| {
            k.strip_prefix("team/audit/index/")
                .unwrap()
                .strip_suffix(".json")
                .unwrap()
        })
        .collect();

    // Every object of a pack carries COMPLIANCE retention for the configured day.
    let first = moto.request("GET", &format!("/{BUCKET}/{}", indexes[0]), &[], b"");
    assert_eq!(first.status, 200);
    let index: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(index["root"], roots[0].as_str());
    assert_eq!(index["previous_root"], Value::Null);
    let archive_key = format!("team/audit/packs/{}.tar.gz", names[0]);
    let archive_version = index["archive"].as_str().unwrap();
    let results_version = index["files"]["results.json"].as_str().unwrap();
    let now = jiff::Timestamp::now();
    for path in [
        format!("/{BUCKET}/{}", indexes[0]),
        format!("/{BUCKET}/{archive_key}?versionId={archive_version}"),
        format!(
            "/{BUCKET}/team/audit/packs/{}/results.json?versionId={results_version}",
            names[0]
        ),
    ] {
        let got = moto.request("HEAD", &path, &[], b"");
        assert_eq!(got.status, 200, "{path}");
        assert_eq!(
            got.header("x-amz-object-lock-mode"),
            Some("COMPLIANCE"),
            "{path}"
        );
        let until: jiff::Timestamp = got
            .header("x-amz-object-lock-retain-until-date")
            .unwrap_or_else(|| panic!("{path} has no retention date"))
            .parse()
            .unwrap();
        let left = until.duration_since(now);
        assert!(
            left > jiff::SignedDuration::from_hours(23)
                && left <= jiff::SignedDuration::from_hours(25),
            "{path} is retained until {until}"
        );
    }
    // The packs chain: each index names the root of the one before.
    for (i, key) in indexes.iter().enumerate().skip(1) {
        let index: Value = serde_json::from_str(
            &moto
                .request("GET", &format!("/{BUCKET}/{key}"), &[], b"")
                .body,
        )
        .unwrap();
        assert_eq!(index["previous_root"], roots[i - 1].as_str());
    }

    // The third pack's site draws the trend of the two before it, read back from the bucket.
    let overview = moto.request(
        "GET",
        &format!("/{BUCKET}/team/audit/packs/{}/site/index.html", names[2]),
        &[],
        b"",
    );
    assert!(
        overview.body.contains("<svg"),
        "no trend chart from the S3 locker"
    );

    // The server refuses to delete a locked version.
    let deleted = moto.request(
        "DELETE",
        &format!("/{BUCKET}/{archive_key}?versionId={archive_version}"),
        &[],
        b"",
    );
    assert_eq!(deleted.status, 403, "{}", deleted.body);
    assert!(deleted.body.contains("AccessDenied"), "{}", deleted.body);
    // Writing over a pack's file adds a version beside the locked one; a delete without a
    // version only adds a delete marker. Neither changes what the locker reads.
    let forged = moto.request(
        "PUT",
        &format!("/{BUCKET}/team/audit/packs/{}/results.json", names[0]),
        &[],
        b"{}",
    );
    assert_eq!(forged.status, 200, "{}", forged.body);
    let locked = moto.request(
        "GET",
        &format!(
            "/{BUCKET}/team/audit/packs/{}/results.json?versionId={results_version}",
            names[0]
        ),
        &[],
        b"",
    );
    assert!(locked.body.contains("\"frameworks\""), "{}", locked.body);
    let hidden = moto.request("DELETE", &format!("/{BUCKET}/{}", indexes[1]), &[], b"");
    assert_eq!(hidden.status, 204, "{}", hidden.body);

    let public = keys.join("assay-signing.pub");
    let out = moto.verify(locker, &["--public-key", public.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, root) in names.iter().zip(&roots) {
        assert!(
            text.contains(&format!("ok     {name}  root {root}")),
            "{text}"
        );
    }
    assert!(text.contains("3 packs"), "{text}");

    // An unlocked object posing as the latest pack's index breaks the chain, named.
    let third = moto.request("GET", &format!("/{BUCKET}/{}", indexes[2]), &[], b"");
    let fake = format!("{}-", names[2]);
    let posed = third.body.replace(
        &format!("\"pack\": \"{}\"", names[2]),
        &format!("\"pack\": \"{fake}\""),
    );
    let put = moto.request(
        "PUT",
        &format!("/{BUCKET}/team/audit/index/{fake}.json"),
        &[],
        posed.as_bytes(),
    );
    assert_eq!(put.status, 200, "{}", put.body);
    let out = moto.verify(locker, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "BROKEN {fake}: `index/{fake}.json` is not under Object Lock retention"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("ok     {}", names[2])), "{text}");
}

/// A pack missing from the chain, and a locked forgery inserted into it, are breaks named by
/// pack; a pack signed by another key fails `--public-key`.
#[test]
fn s3_locker_verify_finds_a_missing_and_an_inserted_pack() {
    let Some(moto) = Moto::start() else { return };
    moto.lock_bucket();
    let tmp = tempfile::tempdir().unwrap();
    repo(tmp.path());
    let locker = "s3://evidence/gap";
    // The second pack of the chain goes elsewhere: the locker holds the first and the third.
    let first = moto.scan(tmp.path(), locker, &[]);
    let elsewhere = tmp.path().join("out/second");
    let out = moto
        .assay()
        .arg("scan")
        .arg(tmp.path())
        .arg("--pack")
        .arg(&elsewhere)
        .args(["--previous-root", &first])
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)));
    let second = root_in(&String::from_utf8_lossy(&out.stderr));
    moto.scan(tmp.path(), locker, &["--previous-root", &second]);
    let names: Vec<String> = moto
        .keys("gap/index/")
        .iter()
        .map(|k| {
            k.trim_start_matches("gap/index/")
                .trim_end_matches(".json")
                .to_string()
        })
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    let out = moto.verify(locker, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "BROKEN {}: previous_root {second} is not the root of the pack before it, {} ({first}): a pack is missing or was replaced",
            names[1], names[0]
        )),
        "{text}"
    );

    // A locked copy of the first pack's index under a new name: its objects are not there.
    let index = moto.request(
        "GET",
        &format!("/{BUCKET}/gap/index/{}.json", names[0]),
        &[],
        b"",
    );
    let fake = format!("{}-", names[0]);
    let forged = index.body.replace(
        &format!("\"pack\": \"{}\"", names[0]),
        &format!("\"pack\": \"{fake}\""),
    );
    let put = moto.put_locked(&format!("gap/index/{fake}.json"), forged.as_bytes());
    assert_eq!(put.status, 200, "{}", put.body);
    let out = moto.verify(locker, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("BROKEN {fake}: `packs/{fake}.tar.gz` version")),
        "{text}"
    );
    assert!(
        text.contains(&format!("ok     {}  root {first}", names[0])),
        "{text}"
    );

    // The packs are unsigned: requiring a key fails each.
    let keys = tmp.path().join("keys");
    common::assay()
        .args(["keygen", "--out"])
        .arg(&keys)
        .assert()
        .success();
    let public = keys.join("assay-signing.pub");
    let out = moto.verify(locker, &["--public-key", public.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains(&format!("BROKEN {}: ", names[0])), "{text}");
}

/// Writing to an s3:// locker needs a retention period and credentials from the environment;
/// both are usage errors before anything is scanned.
#[test]
fn s3_locker_needs_retention_and_credentials() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("README.md"), "# x\n").unwrap();
    let scan = |env: &[(&str, &str)]| {
        let mut cmd = common::assay();
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_S3",
        ] {
            cmd.env_remove(name);
        }
        cmd.envs(env.iter().copied())
            .arg("scan")
            .arg(tmp.path())
            .args(["--locker", "s3://evidence/audit"])
            .output()
            .unwrap()
    };
    let stderr = common::exited(&scan(&[]), 2);
    assert!(
        stderr.contains("no S3 credentials: set AWS_ACCESS_KEY_ID"),
        "{stderr}"
    );
    let creds = [
        ("AWS_ACCESS_KEY_ID", "k"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
    ];
    let stderr = common::exited(&scan(&creds), 2);
    assert!(stderr.contains("needs a retention period"), "{stderr}");
    assert!(stderr.contains("retention_days"), "{stderr}");
    let out = common::assay()
        .args(["locker", "verify", "--locker", "s3://Bad_Bucket/x"])
        .output()
        .unwrap();
    let stderr = common::exited(&out, 2);
    assert!(stderr.contains("is not an S3 bucket name"), "{stderr}");
}
