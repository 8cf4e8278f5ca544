//! Evidence packs end to end: written by `assay scan --pack`, checked by `assay verify`, with
//! every kind of file tampered with, reproducible archives, signatures, chains and the locker.

use crate::common;

use std::path::{Path, PathBuf};

use assay_engine::documents::Declarations;
use assay_engine::pack::evidence::gather;
use assay_engine::pack::{self, PackOptions};
use assay_engine::report::Results;
use assay_engine::site::{self, Templates};
use common::{assay, fixture};
use serde_json::Value;

/// Scans the pack fixture with extra arguments; returns the output.
fn scan(extra: &[&std::ffi::OsStr]) -> std::process::Output {
    assay()
        .arg("scan")
        .arg(fixture("pack/repo"))
        .arg("--no-builtin")
        .arg("--controls")
        .arg(fixture("pack/catalog"))
        .args(["--format", "json", "--soft-fail"])
        .args(extra)
        .output()
        .unwrap()
}

/// Writes a pack of the fixture into `dir/name`; returns the pack's path.
fn pack_into(dir: &Path, name: &str, extra: &[&std::ffi::OsStr]) -> PathBuf {
    let pack = dir.join(name);
    let mut args: Vec<&std::ffi::OsStr> = vec!["--pack".as_ref(), pack.as_os_str()];
    args.extend_from_slice(extra);
    let out = scan(&args);
    gate_free(&out);
    assert!(
        pack.join("manifest.json").is_file(),
        "no manifest in {}",
        pack.display()
    );
    pack
}

fn verify(pack: &Path, extra: &[&str]) -> std::process::Output {
    assay()
        .arg("verify")
        .arg(pack)
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn manifest(pack: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(pack.join("manifest.json")).unwrap()).unwrap()
}

fn copy_tree(from: &Path, to: &Path) {
    for rel in pack::list_files(from).unwrap() {
        let target = to.join(&rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&rel), target).unwrap();
    }
}

/// Scans run with `--soft-fail` (report only), so they pass even though some items fail.
fn gate_free(out: &std::process::Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
}

#[test]
fn a_pack_verifies_and_any_changed_byte_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = pack_into(tmp.path(), "pack", &[]);
    let ok = verify(&pack, &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(text.contains("signature  none"), "{text}");
    let archive = tmp.path().join("pack.tar.gz");
    let ok = verify(&archive, &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    let m = manifest(&pack);
    let files: Vec<String> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    // The audit documents travel in the pack's site, covered by the manifest.
    assert!(
        files.contains(&"site/documents/statement-of-applicability.html".to_string()),
        "{files:?}"
    );
    let evidence = files.iter().find(|f| f.starts_with("evidence/")).unwrap();
    let page = files
        .iter()
        .find(|f| f.starts_with("site/controls/"))
        .unwrap();
    for target in [
        "results.json",
        evidence.as_str(),
        "site/index.html",
        page.as_str(),
        "site/assets/site.css",
        "site/search/index.js",
        "manifest.json",
    ] {
        for at in [0.1, 0.5, 0.9] {
            let copy = tmp
                .path()
                .join(format!("tampered-{}", target.replace('/', "_")));
            let _ = std::fs::remove_dir_all(&copy);
            copy_tree(&pack, &copy);
            let path = copy.join(target);
            let mut bytes = std::fs::read(&path).unwrap();
            let i = ((bytes.len() as f64) * at) as usize;
            bytes[i] ^= 0x01;
            std::fs::write(&path, bytes).unwrap();
            let out = verify(&copy, &[]);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{target} at {at}: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(&format!("`{target}`")),
                "{target} at {at}: {}",
                stderr(&out)
            );
        }
    }

    // A file added to, or removed from, the pack is named too.
    let copy = tmp.path().join("extra");
    copy_tree(&pack, &copy);
    std::fs::write(copy.join("site/extra.html"), "<p>not from assay</p>").unwrap();
    let out = verify(&copy, &[]);
    assert!(
        stderr(&out).contains("`site/extra.html`: not listed"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(copy.join("site/extra.html")).unwrap();
    std::fs::remove_file(copy.join(evidence)).unwrap();
    let out = verify(&copy, &[]);
    assert!(
        stderr(&out).contains(&format!("`{evidence}`: missing")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_changed_byte_inside_the_archive_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    pack_into(tmp.path(), "pack", &[]);
    let archive = tmp.path().join("pack.tar.gz");
    let contents = pack::archive::read(&archive).unwrap();
    assert!(contents.manifest.is_some() && contents.files.contains_key("results.json"));
    let mut entries = std::collections::BTreeMap::new();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(&archive).unwrap(),
    ));
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().display().to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        entries.insert(path, bytes);
    }
    let target = "site/index.html";
    let mut changed = entries.clone();
    let page = changed.get_mut(target).unwrap();
    let i = page.len() / 2;
    page[i] ^= 0x20;
    // Rebuild a tampered archive with plain tar + gzip.
    let bad = tmp.path().join("bad.tar.gz");
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&bad).unwrap(),
        flate2::Compression::default(),
    );
    let mut tar = tar::Builder::new(gz);
    for (path, bytes) in &changed {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        tar.append_data(&mut h, path, bytes.as_slice()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
    let out = verify(&bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("`{target}`")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn evidence_is_kept_by_original_digest_with_secrets_redacted() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = pack_into(tmp.path(), "pack", &[]);
    let m = manifest(&pack);
    let entry = m["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "items.yaml")
        .expect("items.yaml kept");
    let original = std::fs::read(fixture("pack/repo/items.yaml")).unwrap();
    let digest = entry["sha256"].as_str().unwrap();
    assert_eq!(digest, pack::digest::sha256_hex(&original));
    let kept = std::fs::read_to_string(pack.join("evidence").join(digest)).unwrap();
    assert_eq!(
        entry["redacted_sha256"].as_str().unwrap(),
        pack::digest::sha256_hex(kept.as_bytes())
    );
    assert!(!kept.contains("hunter2") && !kept.contains("AKIAIOSFODNN7EXAMPLE"));
    assert!(kept.contains("password: [REDACTED:password]"), "{kept}");
    assert_eq!(
        kept.lines().count(),
        String::from_utf8(original).unwrap().lines().count()
    );
    let redactions: Vec<(u64, &str)> = entry["redactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        redactions,
        vec![(14, "password"), (15, "aws_access_key_id")]
    );
    // The results in the pack are the JSON renderer's output, byte for byte.
    let results: Results =
        serde_json::from_slice(&std::fs::read(pack.join("results.json")).unwrap()).unwrap();
    assert_eq!(
        assay_engine::report::json::render(&results).as_bytes(),
        std::fs::read(pack.join("results.json")).unwrap()
    );
    // Neither the secret nor the raw key reaches the site.
    let page =
        std::fs::read_to_string(pack.join("site/evidence").join(format!("{digest}.html"))).unwrap();
    assert!(!page.contains("hunter2") && page.contains("[REDACTED:password]"));
}

#[test]
fn the_same_input_gives_a_byte_identical_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let out = scan(&[]);
    gate_free(&out);
    let results: Results = serde_json::from_slice(&out.stdout).unwrap();
    let evidence = gather(&results, &fixture("pack/repo"), &Default::default(), &[]);
    assert!(!evidence.files.is_empty());
    let templates = Templates::builtin().unwrap();
    let trend = site::with_current(Vec::new(), &results);
    let declarations = Declarations::read(&fixture("pack/repo"), &serde_json::Map::new());
    let options = PackOptions {
        previous_root: Some("ab".repeat(32)),
        parts: Vec::new(),
        signing_key: None,
        templates: &templates,
        trend: &trend,
        documents: Some(&declarations),
        period: None,
    };
    let a = pack::write(&results, &evidence, &tmp.path().join("a"), &options).unwrap();
    let b = pack::write(&results, &evidence, &tmp.path().join("b"), &options).unwrap();
    assert_eq!(a.root, b.root);
    let (x, y) = (
        std::fs::read(&a.archive).unwrap(),
        std::fs::read(&b.archive).unwrap(),
    );
    assert!(x == y, "archives differ");
    // Fixed times, owners and modes, sorted entries.
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(x.as_slice()));
    let mut names = Vec::new();
    for e in tar.entries().unwrap() {
        let e = e.unwrap();
        let h = e.header();
        assert_eq!(
            (
                h.mtime().unwrap(),
                h.uid().unwrap(),
                h.gid().unwrap(),
                h.mode().unwrap()
            ),
            (0, 0, 0, 0o644)
        );
        names.push(e.path().unwrap().display().to_string());
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(&x[4..8], &[0, 0, 0, 0], "gzip header time is set");
    // A pack is never written over.
    let err = pack::write(&results, &evidence, &tmp.path().join("a"), &options).unwrap_err();
    assert!(err.contains("not empty"), "{err}");
}

#[test]
fn signed_packs_verify_against_the_signer_only() {
    let tmp = tempfile::tempdir().unwrap();
    let keys = tmp.path().join("keys");
    let out = assay()
        .args(["keygen", "--out"])
        .arg(&keys)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let secret = keys.join("assay-signing.key");
    let public = keys.join("assay-signing.pub");
    let again = assay()
        .args(["keygen", "--out"])
        .arg(&keys)
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(2),
        "keys must never be overwritten"
    );

    let pack = pack_into(
        tmp.path(),
        "signed",
        &["--sign-key".as_ref(), secret.as_os_str()],
    );
    let public_arg = public.to_str().unwrap();
    let ok = verify(&pack, &["--public-key", public_arg]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("by the given key"));

    let other = tmp.path().join("other");
    assay()
        .args(["keygen", "--out"])
        .arg(&other)
        .output()
        .unwrap();
    let other_pub = other.join("assay-signing.pub");
    let bad = verify(&pack, &["--public-key", other_pub.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("`manifest.json`: signed by key"),
        "{}",
        stderr(&bad)
    );

    // The key may come from the environment instead of a file.
    let hex = std::fs::read_to_string(&secret)
        .unwrap()
        .lines()
        .find(|l| !l.starts_with('#'))
        .unwrap()
        .to_string();
    let from_env = tmp.path().join("from-env");
    let out = assay()
        .env("ASSAY_SIGNING_KEY", &hex)
        .arg("scan")
        .arg(fixture("pack/repo"))
        .args(["--no-builtin", "--controls"])
        .arg(fixture("pack/catalog"))
        .arg("--pack")
        .arg(&from_env)
        .arg("--soft-fail")
        .output()
        .unwrap();
    gate_free(&out);
    let ok = verify(&from_env, &["--public-key", public_arg]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    // An unsigned pack fails when a signer is required; a bad key file is a usage error.
    let unsigned = pack_into(tmp.path(), "unsigned", &[]);
    let out = verify(&unsigned, &["--public-key", public_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not signed"));
    std::fs::write(tmp.path().join("junk.key"), "not a key\n").unwrap();
    let junk = tmp.path().join("junk.key");
    let out = scan(&[
        "--pack".as_ref(),
        tmp.path().join("x").as_os_str(),
        "--sign-key".as_ref(),
        junk.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("junk.key"), "{}", stderr(&out));
}

#[test]
fn packs_chain_to_the_previous_root() {
    let tmp = tempfile::tempdir().unwrap();
    let first = pack_into(tmp.path(), "first", &[]);
    let second = pack_into(
        tmp.path(),
        "second",
        &["--previous-pack".as_ref(), first.as_os_str()],
    );
    let root = manifest(&first)["root"].as_str().unwrap().to_string();
    assert_eq!(manifest(&second)["previous_root"], root.as_str());
    let ok = verify(&second, &["--previous", first.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).contains(&root));

    // Linked to an explicit root, the chain check against another pack fails.
    let third = pack_into(
        tmp.path(),
        "third",
        &["--previous-root".as_ref(), "AB".repeat(32).as_ref()],
    );
    assert_eq!(manifest(&third)["previous_root"], "ab".repeat(32));
    let out = verify(&third, &["--previous", first.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not the root of"),
        "{}",
        stderr(&out)
    );

    let out = scan(&[
        "--pack".as_ref(),
        tmp.path().join("fourth").as_os_str(),
        "--previous-root".as_ref(),
        "xyz".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a root digest"));
}

#[test]
fn the_locker_keeps_one_commit_per_scan_and_draws_the_trend() {
    let tmp = tempfile::tempdir().unwrap();
    let locker = tmp.path().join("locker");
    for _ in 0..2 {
        let out = scan(&["--locker".as_ref(), locker.as_os_str()]);
        gate_free(&out);
        assert!(
            stderr(&out).contains("kept in the evidence locker"),
            "{}",
            stderr(&out)
        );
    }
    let repo = git2::Repository::open(&locker).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    let commits: Vec<git2::Commit> = walk
        .map(|id| repo.find_commit(id.unwrap()).unwrap())
        .collect();
    assert_eq!(commits.len(), 2);
    let mut packs: Vec<PathBuf> = std::fs::read_dir(locker.join("packs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    packs.sort();
    assert_eq!(packs.len(), 2);
    let (older, newer) = (&packs[0], &packs[1]);
    assert_eq!(
        manifest(newer)["previous_root"],
        manifest(older)["root"],
        "the locker chains each pack to the one before"
    );
    let ok = verify(newer, &["--previous", older.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let overview = std::fs::read_to_string(newer.join("site/index.html")).unwrap();
    assert!(overview.contains("<svg"), "no trend chart after two scans");
    assert!(overview.contains("Demo Framework: latest"));
    // The status is clean: everything but the ignored archives is committed.
    let mut options = git2::StatusOptions::new();
    options.include_ignored(false).include_untracked(true);
    let statuses = repo.statuses(Some(&mut options)).unwrap();
    let dirty: Vec<String> = statuses
        .iter()
        .map(|s| s.path().unwrap_or("").to_string())
        .collect();
    assert!(dirty.is_empty(), "{dirty:?}");
}

#[test]
fn locker_verify_checks_every_pack_of_a_git_locker_and_names_a_break() {
    let tmp = tempfile::tempdir().unwrap();
    let locker = tmp.path().join("locker");
    for _ in 0..2 {
        gate_free(&scan(&["--locker".as_ref(), locker.as_os_str()]));
    }
    let check = || {
        assay()
            .args(["locker", "verify", "--locker"])
            .arg(&locker)
            .output()
            .unwrap()
    };
    let out = check();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("2 packs, every one verifies"), "{text}");
    let mut packs: Vec<PathBuf> = std::fs::read_dir(locker.join("packs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    packs.sort();
    std::fs::write(packs[0].join("results.json"), "{}").unwrap();
    let out = check();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    let name = packs[0].file_name().unwrap().to_str().unwrap();
    assert!(
        text.contains(&format!("BROKEN {name}: `results.json`")),
        "{text}"
    );
    let out = assay()
        .args(["locker", "verify", "--locker"])
        .arg(tmp.path().join("absent"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
}

#[test]
fn the_site_renders_from_saved_results_and_escapes_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("results.json");
    let out = scan(&["--output".as_ref(), results.as_os_str()]);
    gate_free(&out);
    let site = tmp.path().join("site");
    let out = assay()
        .args(["site", "--results"])
        .arg(&results)
        .arg("--root")
        .arg(fixture("pack/repo"))
        .arg("--out")
        .arg(&site)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for page in [
        "index.html",
        "controls.html",
        "controls/item-enabled.html",
        "frameworks/demo.html",
        "frameworks/demo/D.2.html",
        "evidence.html",
        "waivers.html",
        "scan.html",
        "search.html",
        "search/index.js",
        "assets/site.css",
        "assets/print.css",
        "assets/search.js",
    ] {
        assert!(site.join(page).is_file(), "missing {page}");
    }
    let app = std::fs::read(fixture("pack/repo/config/app.yaml")).unwrap();
    let digest = pack::digest::sha256_hex(&app);
    let viewer =
        std::fs::read_to_string(site.join("evidence").join(format!("{digest}.html"))).unwrap();
    assert!(viewer.contains("&lt;script&gt;document.title = &quot;pwned&quot;&lt;&#x2f;script&gt;"));
    assert!(!viewer.contains("<script>document.title"));
    assert!(!viewer.contains("<img src=x"));
    // The failing line is highlighted and anchored.
    assert!(
        viewer.contains(r#"<div id="L4" class="line mark-fail""#),
        "{viewer}"
    );
    // No page refers to anything outside the site.
    for rel in pack::list_files(&site).unwrap() {
        if rel.ends_with(".html") || rel.ends_with(".css") {
            let text = std::fs::read_to_string(site.join(&rel)).unwrap();
            for bad in ["http://", "https://", "//fonts", "url(http"] {
                assert!(!text.contains(bad), "{rel} refers to `{bad}`");
            }
        }
    }

    let broken = tmp.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("overview.html"),
        "{% extends \"layout.html\" %}\n{% block content %}{{ x | }}{% endblock %}\n",
    )
    .unwrap();
    let out = assay()
        .args(["site", "--results"])
        .arg(&results)
        .arg("--root")
        .arg(fixture("pack/repo"))
        .arg("--templates")
        .arg(&broken)
        .arg("--out")
        .arg(tmp.path().join("nope"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("overview.html:2:"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        broken.join("overview.html"),
        "{% extends \"layout.html\" %}{% block content %}<p>house style {{ summary.controls }}</p>{% endblock %}",
    )
    .unwrap();
    let out = assay()
        .args(["site", "--results"])
        .arg(&results)
        .arg("--root")
        .arg(fixture("pack/repo"))
        .arg("--templates")
        .arg(&broken)
        .arg("--out")
        .arg(tmp.path().join("styled"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let index = std::fs::read_to_string(tmp.path().join("styled/index.html")).unwrap();
    assert!(index.contains("<p>house style 2</p>"), "{index}");
}
