//! `assay org`: the manifest's errors at their lines, an org of three repositories in two teams
//! (and one that cannot be scanned) scanned whole and in two shards, its portfolio's rollups,
//! team pages and links, byte-identical whatever the thread count, opened in Chromium.

use crate::cdp;
use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cdp::{file_url, find_chromium, Browser, Event};
use common::{assay, exited, fixture};

const NOW: &str = "2026-06-10T12:00:00Z";
/// 2026-06-01T00:00:00Z: the scans are recorded nine and a half days before [`NOW`].
const EPOCH: &str = "1780272000";

/// An org in `dir`: alpha (a copy of the pack fixture: D1 and D.2 fail) and beta (both pass)
/// of team payments, gamma (no items: not applicable) of team identity, and delta, whose
/// directory is missing. The demo framework's D3 has no control: it lacks evidence everywhere.
fn org(dir: &Path) -> PathBuf {
    let repos = dir.join("repos");
    for name in ["alpha", "beta", "gamma"] {
        std::fs::create_dir_all(repos.join(name)).unwrap();
    }
    let pack = fixture("pack/repo");
    std::fs::create_dir_all(repos.join("alpha/config")).unwrap();
    for file in ["items.yaml", "config/app.yaml"] {
        std::fs::copy(pack.join(file), repos.join("alpha").join(file)).unwrap();
    }
    std::fs::write(
        repos.join("beta/items.yaml"),
        "kind: Item\nmetadata:\n  name: web\nenabled: true\ndebug: false\n",
    )
    .unwrap();
    std::fs::write(repos.join("gamma/README.md"), "nothing to judge\n").unwrap();
    let manifest = dir.join("assay-org.yaml");
    std::fs::write(
        &manifest,
        "organization: Example Corp
frameworks: [demo]
teams:
  payments:
    name: Payments
    owners: [pay-lead@example.com]
  identity:
    owners: [id-lead@example.com]
repositories:
  - name: alpha
    path: repos/alpha
    team: payments
    owners: [alice@example.com]
  - name: beta
    path: repos/beta
    team: payments
  - name: gamma
    path: repos/gamma
    team: identity
  - name: delta
    path: repos/delta
",
    )
    .unwrap();
    manifest
}

/// `assay org scan` of `manifest` into `out` with the demo catalog only.
fn org_scan(manifest: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    assay()
        .args(["org", "scan"])
        .arg(manifest)
        .arg("--out")
        .arg(out)
        .args(["--no-builtin", "--controls"])
        .arg(fixture("pack/catalog"))
        .args(extra)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap()
}

fn org_site(dirs: &[&Path], out: &Path, threads: &str) {
    let run = assay()
        .args(["org", "site"])
        .args(dirs)
        .arg("--out")
        .arg(out)
        .args(["--now", NOW, "--threads", threads])
        .output()
        .unwrap();
    exited(&run, 0);
}

/// Every file below `dir`, relative, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (
                p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                bytes,
            )
        })
        .collect()
}

fn page(site: &Path, path: &str) -> String {
    std::fs::read_to_string(site.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text of `html` with tags removed and whitespace collapsed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `html` with the entities minijinja writes decoded.
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn manifest_errors_name_their_lines() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("a")).unwrap();
    let manifest = tmp.path().join("assay-org.yaml");
    std::fs::write(
        &manifest,
        "frameworks: [demo]
teams:
  web: {}
repositories:
  - name: a
    path: a
    team: webs
  - name: b
    path: ../outside
  - name: a
    path: a
    frameworks: [soc3]
",
    )
    .unwrap();
    let run = org_scan(&manifest, &tmp.path().join("out"), &[]);
    let stderr = exited(&run, 2);
    let shown = manifest.display().to_string();
    for (line, message) in [
        (7, "unknown team `webs`"),
        (9, "`../outside` leaves the manifest's directory"),
        (10, "repository `a` is listed twice"),
        (12, "unknown framework `soc3`"),
    ] {
        assert!(
            stderr.contains(&format!("{shown}:{line}:")) && stderr.contains(message),
            "no `{message}` at line {line}:\n{stderr}"
        );
    }
    assert!(stderr.contains("did you mean `web`?"), "{stderr}");
    assert!(!tmp.path().join("out").exists(), "scanned despite errors");

    // An unknown key is an error at its line, before anything else is checked.
    std::fs::write(
        &manifest,
        "repositories:\n  - name: a\n    path: a\n    teem: web\n",
    )
    .unwrap();
    let stderr = exited(&org_scan(&manifest, &tmp.path().join("out"), &[]), 2);
    assert!(
        stderr.contains(&format!("{shown}:4:")) && stderr.contains("unknown key `teem`"),
        "{stderr}"
    );
}

#[test]
fn the_portfolio_rolls_up_teams_and_requirements_and_shards_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = org(tmp.path());
    let whole = tmp.path().join("whole");
    // delta cannot be scanned: a row with the reason, exit 1, everything else complete.
    let run = org_scan(&manifest, &whole, &[]);
    exited(&run, 1);
    let record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(whole.join("delta/repository.json")).unwrap())
            .unwrap();
    assert!(
        record["error"].as_str().unwrap().contains("repos/delta"),
        "{record}"
    );
    for name in ["alpha", "beta", "gamma"] {
        assert!(whole.join(name).join("results.json").is_file(), "{name}");
        assert!(whole.join(name).join("site/index.html").is_file(), "{name}");
    }

    // Shard 1/2 and 2/2 split the repositories between them; together they are the whole.
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    org_scan(&manifest, &one, &["--shard", "1/2"]);
    org_scan(&manifest, &two, &["--shard", "2/2"]);
    let (one_files, two_files) = (tree(&one), tree(&two));
    let repos = |t: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
        t.keys()
            .filter_map(|k| k.strip_suffix("/repository.json").map(str::to_string))
            .collect()
    };
    assert!(!repos(&one_files).is_empty() && !repos(&two_files).is_empty());
    let mut union: BTreeMap<String, Vec<u8>> = one_files;
    for (k, v) in two_files {
        assert!(union.insert(k.clone(), v).is_none(), "{k} in both shards");
    }
    assert_eq!(
        union,
        tree(&whole),
        "shard 1/2 ∪ 2/2 differs from the whole"
    );

    // The portfolio, from both shards, is the same whatever the thread count.
    let site = tmp.path().join("portfolio");
    org_site(&[&one, &two], &site, "1");
    let again = tmp.path().join("portfolio-4");
    org_site(&[&one, &two], &again, "4");
    assert_eq!(tree(&site), tree(&again), "differs with 4 threads");

    // Overview: a row per repository with its team, score, failing controls and age.
    let index = text(&page(&site, "index.html"));
    assert!(
        index.contains("Demo Framework 66.7% mean of 2 scores in 3 repositories lowest 33.3%"),
        "{index}"
    );
    assert!(
        index.contains("4 repositories · 2 teams · 1 framework · 1 not scanned"),
        "{index}"
    );
    for row in [
        "alpha repos/alpha Payments demo 33.3% 2 9 d",
        "beta repos/beta Payments demo 100.0% 0 9 d",
        "gamma repos/gamma identity demo n/a 0 9 d",
        "delta repos/delta — demo error `repos/delta` relative to the manifest's directory: no such file",
    ] {
        assert!(index.contains(row), "no row `{row}` in {index}");
    }
    // A team's page lists its repositories only, with the owners of the team and of each.
    let payments = text(&page(&site, "teams/payments.html"));
    assert!(payments.contains("alice@example.com"), "{payments}");
    assert!(payments.contains("pay-lead@example.com"), "{payments}");
    assert!(payments.contains("alpha") && payments.contains("beta"));
    assert!(!payments.contains("gamma") && !payments.contains("delta"));
    let identity = text(&page(&site, "teams/identity.html"));
    assert!(identity.contains("gamma") && !identity.contains("alpha"));

    // Rollups: requirement → repositories passing, failing, lacking evidence.
    let framework = text(&page(&site, "frameworks/demo.html"));
    for line in [
        "D1 items are switched on 1 1 0 1",
        "D.2 no debugging in production 1 1 0 1",
        "D3 not covered by any control 0 0 3 0",
    ] {
        assert!(framework.contains(line), "no `{line}` in {framework}");
    }
    let d1 = unescape(&page(&site, "frameworks/demo/D1.html"));
    let failing = d1.split("id=\"failing-h\"").nth(1).unwrap();
    let failing = failing.split("</section>").next().unwrap();
    assert!(
        failing.contains("alpha") && !failing.contains("beta"),
        "{d1}"
    );
    assert!(text(&d1).contains("1 failing · 0 lacking evidence · 1 passing · 1 not applicable"));
    // Drill-down: each repository links to the requirement's page in its own site.
    assert!(
        d1.contains("href=\"../../../one/alpha/site/frameworks/demo/D1.html\"")
            || d1.contains("href=\"../../../two/alpha/site/frameworks/demo/D1.html\""),
        "{d1}"
    );
    every_link_resolves(&site);

    // A damaged record is a row with the reason, the rest of the portfolio complete.
    std::fs::write(whole.join("gamma/repository.json"), "{\"name\": 7").unwrap();
    let damaged = tmp.path().join("damaged");
    org_site(&[&whole], &damaged, "2");
    let index = text(&page(&damaged, "index.html"));
    assert!(
        index.contains("gamma — ")
            && index.contains("gamma/repository.json:1:10: not a repository record"),
        "{index}"
    );
    assert!(
        index.contains("beta repos/beta Payments demo 100.0%"),
        "{index}"
    );
}

/// Every relative link of every page of `site` leads to a file.
fn every_link_resolves(site: &Path) {
    let mut checked = 0;
    for file in common::files(site) {
        if file.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = unescape(&std::fs::read_to_string(&file).unwrap());
        for part in html.split("href=\"").skip(1) {
            let href = part.split('"').next().unwrap();
            let target = href.split('#').next().unwrap();
            if target.is_empty() {
                continue;
            }
            assert!(
                !target.contains(':'),
                "{}: {href} leaves the site",
                file.display()
            );
            let resolved = file.parent().unwrap().join(target.replace("%20", " "));
            assert!(
                resolved.is_file(),
                "{}: {href} leads nowhere",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} links");
}

#[test]
fn the_portfolio_opens_in_chromium() {
    let Some(chromium) = find_chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "no chromium binary found under CI"
        );
        eprintln!(
            "skipped: no chromium binary found (install Debian's `chromium`, or set CHROMIUM)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let manifest = org(tmp.path());
    let scan = tmp.path().join("scan");
    org_scan(&manifest, &scan, &[]);
    let site = tmp.path().join("portfolio");
    org_site(&[&scan], &site, "2");
    let top = tmp.path().canonicalize().unwrap();
    let base = format!("{}/", file_url(&top));
    let pages = [
        ("portfolio/index.html", "document.querySelectorAll('table.portfolio tbody tr').length === 4 && document.querySelectorAll('.cards .card').length === 1"),
        ("portfolio/teams/payments.html", "document.querySelectorAll('table.portfolio tbody tr').length === 2"),
        ("portfolio/frameworks/demo.html", "document.querySelectorAll('table.rollup tbody tr').length === 3"),
        ("portfolio/frameworks/demo/D1.html", "document.querySelectorAll('ul.failing li').length === 1 && !!document.querySelector('ul.passing a[href$=\"frameworks/demo/D1.html\"]')"),
    ];
    let mut browser = Browser::start(&chromium);
    let mut requests = Vec::new();
    for (page, check) in pages {
        browser.navigate(&format!("{base}{page}"));
        browser.wait_for(check);
        for e in browser.take_events() {
            match e {
                Event::Console(m) => panic!("{page}: {m}"),
                Event::Request(url) => requests.push((page, url)),
            }
        }
    }
    // Drill-down: the link of a repository opens its own site.
    browser.navigate(&format!("{base}portfolio/index.html"));
    browser.wait_for("!!document.querySelector('table.portfolio tbody th a')");
    browser.eval("document.querySelector('table.portfolio tbody th a').click()");
    browser.wait_for("location.href.endsWith('scan/alpha/site/index.html') && document.querySelectorAll('.cards .card').length === 1");
    for (page, url) in &requests {
        assert!(url.starts_with(&base), "{page} requested {url}");
    }
}

#[test]
fn a_repository_is_scanned_as_assay_scan_does_and_links_out_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().canonicalize().unwrap();
    let org_dir = top.join("org");
    std::fs::create_dir_all(org_dir.join("repos")).unwrap();
    let beta = org_dir.join("repos/beta");
    std::fs::create_dir_all(&beta).unwrap();
    std::fs::write(
        beta.join("items.yaml"),
        "kind: Item\nmetadata:\n  name: web\nenabled: false\ndebug: true\n",
    )
    .unwrap();
    // A folder outside the manifest's, reached through a link inside it.
    std::fs::create_dir_all(top.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(top.join("elsewhere"), org_dir.join("repos/out")).unwrap();
    let manifest = org_dir.join("assay-org.yaml");
    std::fs::write(
        &manifest,
        "frameworks: [demo]\nrepositories:\n  - name: beta\n    path: repos/beta\n  - name: out\n    path: repos/out\n",
    )
    .unwrap();
    let scanned = top.join("scan");
    exited(&org_scan(&manifest, &scanned, &[]), 1);
    let record = std::fs::read_to_string(scanned.join("out/repository.json")).unwrap();
    assert!(
        record.contains("link leaves the manifest's directory"),
        "{record}"
    );
    assert!(!scanned.join("out/results.json").exists());

    // A folder left by a repository the manifest no longer lists is pointed out.
    let listed = manifest.with_file_name("assay-org-beta.yaml");
    std::fs::write(
        &listed,
        "frameworks: [demo]\nrepositories:\n  - name: beta\n    path: repos/beta\n",
    )
    .unwrap();
    let stderr = exited(&org_scan(&listed, &scanned, &[]), 0);
    assert!(
        stderr.contains(&format!(
            "`{}` holds a repository the manifest no longer lists",
            scanned.join("out").display()
        )),
        "{stderr}"
    );

    // The results are those of `assay scan` of the same directory with the same frameworks.
    let direct = assay()
        .arg("scan")
        .arg(&beta)
        .args(["--no-builtin", "--controls"])
        .arg(fixture("pack/catalog"))
        .args(["--framework", "demo", "--format", "json", "--soft-fail"])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    exited(&direct, 0);
    assert_eq!(
        String::from_utf8(direct.stdout).unwrap(),
        std::fs::read_to_string(scanned.join("beta/results.json")).unwrap()
    );
}
