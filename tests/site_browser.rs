//! The evidence site in a real browser: every kind of page opens in headless Chromium with no
//! console error and no request leaving the site, shows its key elements, renders hostile
//! evidence as text, works by keyboard, on a phone and in print; screenshots of the overview
//! and a control page are saved under target/site-screenshots/. Skipped (with a message) when
//! no Chromium is installed.

use crate::cdp;
use crate::common;

use std::path::PathBuf;

use assay_engine::model::FindingStatus;
use assay_engine::pack::digest::sha256_hex;
use assay_engine::pack::evidence::gather;
use assay_engine::report::Results;
use assay_engine::site::{self, SiteInput, Templates, TrendPoint, TrendScore};
use cdp::{file_url, find_chromium, Browser, Event};
use common::{assay, fixture};

/// Results of the pack fixture, grown so that a control's findings span two pages and one
/// finding is waived.
fn results() -> Results {
    let out = common::scan_catalog(
        fixture("pack/repo"),
        fixture("pack/catalog"),
        &["--format", "json", "--soft-fail"],
    );
    common::exited(&out, 0);
    let mut results: Results = serde_json::from_slice(&out.stdout).unwrap();
    let control = results
        .controls
        .iter_mut()
        .find(|c| c.id == "item-enabled")
        .unwrap();
    let failing = control
        .findings
        .iter()
        .find(|f| f.status == FindingStatus::Fail)
        .unwrap()
        .clone();
    for i in 0..250 {
        let mut f = failing.clone();
        f.resource = Some(format!("Item/default/extra-{i:03}"));
        if i == 7 {
            f.status = FindingStatus::Waived;
        }
        control.findings.push(f);
    }
    results
}

fn screenshots_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("site-screenshots")
}

#[test]
fn every_page_kind_works_in_chromium() {
    let Some(chromium) = find_chromium() else {
        eprintln!(
            "skipped: no chromium binary found (install Debian's `chromium`, or set CHROMIUM)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    let results = results();
    let evidence = gather(&results, &fixture("pack/repo"), &Default::default(), &[]);
    let history = vec![TrendPoint {
        label: "2024-01-01T00:00:00Z".into(),
        scores: vec![TrendScore {
            id: "demo".into(),
            name: "Demo Framework".into(),
            score: Some(20.0),
        }],
    }];
    let trend = site::with_current(history, &results);
    let input = SiteInput {
        results: &results,
        evidence: &evidence,
        trend: &trend,
        documents: None,
        period: None,
    };
    site::render(&input, &Templates::builtin().unwrap(), &dir).unwrap();
    let dir = dir.canonicalize().unwrap();
    let app = sha256_hex(&std::fs::read(fixture("pack/repo/config/app.yaml")).unwrap());
    let base = format!("{}/", file_url(&dir));

    // (page, what must hold once it has loaded)
    let pages: Vec<(String, String)> = [
        ("index.html".into(), "document.querySelectorAll('.cards .card').length === 1 && !!document.querySelector('figure.trend svg path') && document.querySelectorAll('#worst-h ~ .table-wrap tbody tr').length === 2"),
        // The score breakdown: the requirements' contributions add up to the score shown.
        ("frameworks/demo.html".into(), "document.querySelectorAll('main tbody tr').length === 3 && document.querySelectorAll('nav.crumbs li').length === 2 && !!document.getElementById('score-parts') && !!document.getElementById('evidenced') && Math.abs([...document.querySelectorAll('td.contribution')].map(td => parseFloat(td.textContent)).filter(x => !isNaN(x)).reduce((a, b) => a + b, 0) - parseFloat(document.querySelector('.score .value').textContent)) < 0.06"),
        ("frameworks/demo/D.2.html".into(), "document.querySelectorAll('nav.crumbs li').length === 3 && !!document.querySelector('main a[href$=\"controls/item-no-debug.html\"]') && document.querySelectorAll('#weights tbody tr').length >= 1 && document.getElementById('requirement-formula').textContent.endsWith(document.querySelector('.lede').textContent.match(/score ([0-9.]+%)/)[1])"),
        ("controls.html".into(), "document.querySelectorAll('main tbody tr').length === 2"),
        ("controls/item-enabled.html".into(), "document.querySelectorAll('table.findings tbody tr').length === 200 && !!document.getElementById('F1') && !!document.querySelector('nav.pager a[rel=next]') && !!document.querySelector('table.findings a[href*=\"evidence/\"][href*=\"#L\"]')"),
        ("controls/item-enabled/2.html".into(), "document.querySelectorAll('table.findings tbody tr').length > 50 && !!document.getElementById('F201') && document.querySelectorAll('nav.crumbs li').length === 4"),
        ("evidence.html".into(), "document.querySelectorAll('main tbody tr').length === 2"),
        (format!("evidence/{app}.html"), "document.title.startsWith('config/app.yaml') && document.querySelector('#L5 code').textContent.includes('<script>document.title = \"pwned\"</script>') && document.querySelector('#L6 code').textContent.includes('<img src=x') && document.querySelectorAll('main img, main script').length === 0 && document.querySelector('#L4').classList.contains('mark-fail') && document.body.textContent.includes('sha256')"),
        ("waivers.html".into(), "document.querySelectorAll('#waived-h ~ .table-wrap tbody tr').length === 1 && document.body.textContent.includes('has no attestation controls')"),
        ("scan.html".into(), &format!("document.body.textContent.includes('{}')", results.scan.catalog_digest)),
        ("search.html?q=extra-007".into(), "document.querySelectorAll('#search-results li').length === 1 && document.querySelector('#search-results a').getAttribute('href').startsWith('controls/item-enabled.html#F')"),
    ]
    .into_iter()
    .map(|(p, c): (String, &str)| (p, c.to_string()))
    .collect();
    let mut browser = Browser::start(&chromium);
    let mut requests = Vec::new();
    for (page, check) in &pages {
        browser.navigate(&format!("{base}{page}"));
        browser.wait_for(check);
        for e in browser.take_events() {
            match e {
                Event::Console(m) => panic!("{page}: {m}"),
                Event::Request(url) => requests.push((page.clone(), url)),
            }
        }
    }
    for (page, url) in &requests {
        assert!(
            url.starts_with(&base),
            "{page} requested {url}, outside the site"
        );
    }
    let asked = |suffix: &str| requests.iter().any(|(_, u)| u.ends_with(suffix));
    assert!(
        asked("assets/site.css") && asked("search/findings-0.js"),
        "{requests:?}"
    );

    // Keyboard: the first Tab lands on the skip link, which leads to the content.
    browser.navigate(&format!("{base}index.html"));
    browser.press("Tab", 9);
    browser.wait_for("document.activeElement.classList.contains('skip')");
    browser.press("Enter", 13);
    browser.wait_for("location.hash === '#main'");

    // Screenshots at 1280 px.
    let shots = screenshots_dir();
    std::fs::create_dir_all(&shots).unwrap();
    browser.viewport(1280, 900, false);
    for (page, name) in [
        ("index.html", "overview.png"),
        ("controls/item-enabled.html", "control.png"),
    ] {
        browser.navigate(&format!("{base}{page}"));
        let png = browser.screenshot();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        std::fs::write(shots.join(name), png).unwrap();
    }

    // A phone: no page is wider than the screen (tables and code scroll in their own box).
    browser.viewport(390, 844, true);
    for page in [
        "index.html",
        "controls/item-enabled.html",
        &format!("evidence/{app}.html"),
    ] {
        browser.navigate(&format!("{base}{page}"));
        browser.wait_for("document.documentElement.scrollWidth <= window.innerWidth + 1");
    }

    // Print: the navigation goes, the content stays.
    browser.send(
        "Emulation.setEmulatedMedia",
        serde_json::json!({"media": "print"}),
    );
    browser.navigate(&format!("{base}controls/item-enabled.html"));
    browser.wait_for("getComputedStyle(document.querySelector('header.top')).display === 'none' && getComputedStyle(document.querySelector('table.findings')).display !== 'none'");
    for e in browser.take_events() {
        if let Event::Console(m) = e {
            panic!("{m}");
        }
    }
}

/// The audit documents and the attestation listing of a scan of the sample repository with
/// the built-in catalog, in the site and standalone, in a real browser: every document shows
/// its rows, its links lead to pages of the site, and nothing is fetched from elsewhere.
#[test]
fn audit_documents_and_attestations_work_in_chromium() {
    let Some(chromium) = find_chromium() else {
        eprintln!(
            "skipped: no chromium binary found (install Debian's `chromium`, or set CHROMIUM)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let results = common::save_results(
        &fixture("sample-repo"),
        tmp.path(),
        &["--now", "2026-11-22T00:00:00Z"],
    );
    let site_dir = tmp.path().join("site");
    let root = fixture("sample-repo");
    common::render_site(&results, &site_dir, &["--root".as_ref(), root.as_os_str()]);
    let standalone = tmp.path().join("docs");
    let out = assay()
        .args(["documents", "--results"])
        .arg(&results)
        .arg("--out")
        .arg(&standalone)
        .output()
        .unwrap();
    common::exited(&out, 0);
    let saved: Results = serde_json::from_slice(&std::fs::read(&results).unwrap()).unwrap();
    let attestations = saved
        .controls
        .iter()
        .filter(|c| c.kind == assay_engine::report::ControlKind::Attestation)
        .count();

    let site = format!("{}/", file_url(&site_dir.canonicalize().unwrap()));
    let docs = format!("{}/", file_url(&standalone.canonicalize().unwrap()));
    let pages: Vec<(String, String)> = vec![
        (format!("{site}documents/index.html"), "document.querySelectorAll('main a[href$=\".html\"]').length >= 4".into()),
        (format!("{site}documents/statement-of-applicability.html"), "document.querySelectorAll('tr[id^=\"req-A.\"]').length === 93 && !!document.querySelector('main a[href=\"../controls/policy-access-control.html\"]')".into()),
        (format!("{site}documents/gdpr-article-30-records.html"), "['payments', 'credit-check', 'support'].every(id => !!document.getElementById('activity-' + id))".into()),
        (format!("{site}documents/eu-ai-act-technical-documentation.html"), "document.querySelectorAll('section.heading').length === 22 && document.body.textContent.includes('90 days')".into()),
        (format!("{site}documents/soc2-control-matrix.html"), "new Set([...document.querySelectorAll('tr[data-criterion]')].map(r => r.dataset.criterion)).size === 61".into()),
        (format!("{site}waivers.html"), format!("document.querySelectorAll('table.attestations tbody tr').length >= {attestations} && document.body.textContent.includes('attested by Priya Raman (CTO)')")),
        (format!("{docs}statement-of-applicability.html"), "document.querySelectorAll('tr[id^=\"req-A.\"]').length === 93 && document.querySelectorAll('link[rel=stylesheet], script[src], img').length === 0".into()),
    ];
    let mut browser = Browser::start(&chromium);
    for (page, check) in &pages {
        browser.navigate(page);
        browser.wait_for(check);
        for e in browser.take_events() {
            match e {
                Event::Console(m) => panic!("{page}: {m}"),
                Event::Request(url) => assert!(
                    url.starts_with(&site) || url.starts_with(&docs),
                    "{page} requested {url}, outside the site"
                ),
            }
        }
    }
    // A link from the Statement of Applicability opens its control's page.
    browser.navigate(&format!("{site}documents/statement-of-applicability.html"));
    browser.wait_for(
        "!!document.querySelector('main a[href=\"../controls/policy-access-control.html\"]')",
    );
    browser.eval(
        "document.querySelector('main a[href=\"../controls/policy-access-control.html\"]').click()",
    );
    browser.wait_for("location.pathname.endsWith('/controls/policy-access-control.html') && document.title.includes('policy-access-control')");
}

/// A kept file with a secret a control flagged shows `[REDACTED:…]` in place of the value and
/// lists the redaction; a waived control's score carries a "waived" badge; the exceptions
/// register shows each waiver's approver and expiry.
#[test]
fn redactions_and_the_exceptions_register_in_chromium() {
    let Some(chromium) = find_chromium() else {
        eprintln!(
            "skipped: no chromium binary found (install Debian's `chromium`, or set CHROMIUM)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("k8s")).unwrap();
    // Assembled at run time: no secret-looking literal in this repository.
    let secret = format!("{}-{}-{}", "plain", "Literal", 4242);
    let deployment = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: orders:1.0\n          env:\n            - name: DB_PASSWORD\n              value: {secret}\n"
    );
    std::fs::write(repo.join("k8s/deployment.yaml"), &deployment).unwrap();
    std::fs::write(
        repo.join("waivers.yaml"),
        "waivers:\n  - control: k8s-resource-limits\n    justification: Limits come from the namespace quota.\n    approved_by: ciso@example.com\n    created: 2026-01-01\n    expires: 2999-12-31\n    risk: low\n",
    )
    .unwrap();
    let site_dir = tmp.path().join("site");
    let out = assay()
        .arg("scan")
        .arg(&repo)
        .arg("--waivers")
        .arg(repo.join("waivers.yaml"))
        .args(["--format", "json", "--output"])
        .arg(tmp.path().join("results.json"))
        .arg("--site")
        .arg(&site_dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let digest = sha256_hex(deployment.as_bytes());
    let base = format!("{}/", file_url(&site_dir.canonicalize().unwrap()));
    let pages = [
        (
            format!("{base}evidence/{digest}.html"),
            "document.querySelector('#L13 code').textContent.includes('[REDACTED:') && !document.body.textContent.includes('plain-Literal') && [...document.querySelectorAll('dd a[href=\"#L13\"]')].length === 1 && document.querySelector('#L13').classList.contains('redacted')".to_string(),
        ),
        (
            format!("{base}controls.html"),
            "[...document.querySelectorAll('main tbody tr')].some(r => r.textContent.includes('k8s-resource-limits') && !!r.querySelector('.badge.waived'))".to_string(),
        ),
        (
            format!("{base}waivers.html"),
            "!!document.querySelector('table.register') && document.querySelector('table.register').textContent.includes('ciso@example.com') && document.querySelector('table.register').textContent.includes('2999-12-31') && !document.body.textContent.includes('Expires: not recorded')".to_string(),
        ),
    ];
    let mut browser = Browser::start(&chromium);
    for (page, check) in &pages {
        browser.navigate(page);
        browser.wait_for(check);
        for e in browser.take_events() {
            if let Event::Console(m) = e {
                panic!("{page}: {m}");
            }
        }
    }
}
