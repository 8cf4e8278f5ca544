//! Evidence an auditor can trust: a repository seeded with secrets and personal data of every
//! detector kind, in every file kind assay keeps and in its git history, leaks none of them into
//! any output, pack, archive, site or document; every offender is reported at its own line;
//! every location exists; the audit documents cite only real evidence.
//!
//! The seeded values are assembled from parts at run time, so that no real-looking secret is
//! written into this repository.

use crate::common;
use crate::git_repo;

use std::collections::BTreeSet;

use common::{assay, exited, files, EveryOutput};
use git_repo::GitRepo;
use serde_json::Value;

/// The seeded repository and every value planted in it.
struct Seeded {
    repo: GitRepo,
    values: Vec<String>,
}

/// An IBAN of `country` with `bban`, with its check digits computed (ISO 13616 mod 97).
fn iban(country: &str, bban: &str) -> String {
    let digits: String = format!("{bban}{country}00")
        .chars()
        .map(|c| c.to_digit(36).map(|d| d.to_string()).unwrap_or_default())
        .collect();
    let remainder = digits
        .chars()
        .fold(0u32, |r, c| (r * 10 + c.to_digit(10).unwrap()) % 97);
    format!("{country}{:02}{bban}", 98 - remainder)
}

/// A Luhn-valid 16-digit Visa number from 15 leading digits.
fn card(lead: &str) -> String {
    let digits: Vec<u32> = lead.chars().map(|c| c.to_digit(10).unwrap()).collect();
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                *d
            }
        })
        .sum();
    format!("{lead}{}", (10 - sum % 10) % 10)
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Letters and digits derived from `seed`, `n` long, from `alphabet`.
fn token(seed: usize, n: usize, alphabet: &str) -> String {
    let chars: Vec<char> = alphabet.chars().collect();
    let mut state = (seed as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chars[(state % chars.len() as u64) as usize]
        })
        .collect()
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Builds the seeded repository: files of every kind and a history with secrets added and
/// removed again.
fn seeded() -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let repo = GitRepo {
        repo: git2::Repository::init(dir.path()).unwrap(),
        dir,
    };
    let mut values: Vec<String> = Vec::new();
    let mut keep = |v: String| -> String {
        values.push(v.clone());
        v
    };
    let emails: Vec<String> = (0..12)
        .map(|i| keep(format!("{}.{}{i}@{}-mail.org", "jane", "roe", "contoso")))
        .collect();
    let phones: Vec<String> = (0..6)
        .map(|i| keep(format!("+44 20 7946 {:04}", 1200 + i * 7)))
        .collect();
    let ibans: Vec<String> = (0..6)
        .map(|i| keep(iban("DE", &format!("3704004405320130{:02}", 10 + i))))
        .collect();
    let cards: Vec<String> = (0..6)
        .map(|i| keep(card(&format!("4111222233{:05}", 31_000 + i))))
        .collect();
    let ssns: Vec<String> = (0..5)
        .map(|i| keep(format!("{}-{}-{:04}", 213 + i, 47, 6100 + i)))
        .collect();
    let ninos: Vec<String> = (0..5)
        .map(|i| {
            keep(format!(
                "JK{:06}{}",
                314_150 + i,
                "ABCD".as_bytes()[i % 4] as char
            ))
        })
        .collect();
    let aws: Vec<String> = (0..6)
        .map(|i| keep(format!("{}{}{}", "AK", "IA", token(i, 16, UPPER32))))
        .collect();
    let github: Vec<String> = (0..6)
        .map(|i| keep(format!("{}{}_{}", "gh", "p", token(100 + i, 36, ALNUM))))
        .collect();
    let slack_tokens: Vec<String> = (0..3)
        .map(|i| {
            keep(format!(
                "{}{}-{}-{}",
                "xo",
                "xb",
                token(200 + i, 12, "0123456789"),
                token(300 + i, 24, ALNUM)
            ))
        })
        .collect();
    let webhooks: Vec<String> = (0..3)
        .map(|i| {
            keep(format!(
                "https://hooks.{}.com/services/T{}/B{}/{}",
                "slack",
                token(400 + i, 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                token(500 + i, 8, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                token(600 + i, 24, ALNUM)
            ))
        })
        .collect();
    let api_keys: Vec<String> = (0..5)
        .map(|i| keep(format!("Zx8{}kQ2m{}", token(700 + i, 10, ALNUM), i)))
        .collect();
    let jwts: Vec<String> = (0..3)
        .map(|i| {
            keep(format!(
                "{}.{}.{}",
                b64url(br#"{"alg":"HS256","typ":"JWT"}"#),
                b64url(format!(r#"{{"sub":"user-{i}","admin":true}}"#).as_bytes()),
                token(800 + i, 43, ALNUM)
            ))
        })
        .collect();
    let key_bodies: Vec<String> = (0..4).map(|i| keep(token(900 + i, 64, ALNUM))).collect();
    // Values no pattern detector knows: found only by the secret controls and the
    // secret-named keys around them.
    let plain: Vec<String> = (0..10)
        .map(|i| keep(format!("plain{}Value{i}", token(1000 + i, 6, ALNUM))))
        .collect();
    // Keys of services, each in its vendor's format, on lines whose names say nothing of a
    // secret: only the format detectors find them.
    let services: Vec<String> = vec![
        keep(format!(
            "{}-{}-{}AA",
            "sk",
            "ant-api03",
            token(1100, 93, ALNUM)
        )),
        keep(format!(
            "{}-{}-{}{}FJ{}",
            "sk",
            "proj",
            token(1101, 74, ALNUM),
            "T3Blbk",
            token(1102, 74, ALNUM)
        )),
        keep(format!("{}_{}_{}", "sk", "live", token(1103, 24, ALNUM))),
        keep(format!("{}{}{}", "AI", "za", token(1104, 35, ALNUM))),
        keep(format!(
            "{}.{}.{}",
            "SG",
            token(1105, 22, ALNUM),
            token(1106, 43, ALNUM)
        )),
        keep(format!(
            "{}{}{}",
            "A",
            "C",
            token(1107, 32, "0123456789abcdef")
        )),
        keep(format!("{}==", token(1108, 86, ALNUM))),
        keep(format!("Pw{}", token(1109, 12, ALNUM))),
    ];
    let begin = format!("-----BEGIN {} KEY-----", "RSA PRIVATE");
    let end = format!("-----END {} KEY-----", "RSA PRIVATE");

    repo.write(
        "k8s/deployment.yaml",
        &format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n  annotations:\n    owner: {e0}\n    oncall: {e8} {e9}\n    escalation: {e10}, {e11}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.example.com/orders:1.0\n          env:\n            - name: DB_PASSWORD\n              value: {p0}\n            - name: LOG_LEVEL\n              value: debug\n            - name: STRIPE_API_KEY\n              value: \"{p1}\"\n            - name: SUPPORT_PHONE\n              value: \"{ph0}\"\n            - name: GITHUB_TOKEN\n              value: {g0}\n",
            e0 = emails[0],
            e8 = emails[8],
            e9 = emails[9],
            e10 = emails[10],
            e11 = emails[11],
            p0 = plain[0],
            p1 = plain[1],
            ph0 = phones[0],
            g0 = github[0],
        ),
    );
    repo.write(
        "infra/main.tf",
        &format!(
            "variable \"db_password\" {{\n  type    = string\n  default = \"{p2}\"\n}}\n\nvariable \"api_token\" {{\n  default = \"{p3}\"\n}}\n\nresource \"aws_db_instance\" \"main\" {{\n  engine   = \"postgres\"\n  username = \"app\"\n  password = \"{p4}\"\n  tags = {{\n    owner = \"{e1}\"\n    key   = \"{a0}\"\n  }}\n}}\n\nlocals {{\n  slack = \"{w0}\"\n  iban  = \"{i0}\"\n}}\n",
            p2 = plain[2],
            p3 = plain[3],
            p4 = plain[4],
            e1 = emails[1],
            a0 = aws[0],
            w0 = webhooks[0],
            i0 = ibans[0],
        ),
    );
    repo.write(
        ".env",
        &format!(
            "DB_PASSWORD={p5}\nAPI_KEY={k0}\nSLACK_WEBHOOK={w1}\nGH_PAT={g1}\nCACHE_URL=redis://cache:{p6}@cache.internal:6379\nAWS_ACCESS_KEY_ID={a1}\nADMIN_EMAIL={e2}\n",
            p5 = plain[5],
            k0 = api_keys[0],
            w1 = webhooks[1],
            g1 = github[1],
            p6 = plain[6],
            a1 = aws[1],
            e2 = emails[2],
        ),
    );
    repo.write(
        "Dockerfile",
        &format!(
            "FROM node:20\n# maintainer {e3}\nENV NPM_TOKEN={p7}\nENV SLACK_TOKEN={s0}\nARG JWT={j0}\nUSER root\nRUN echo {a2} > /tmp/k\n",
            e3 = emails[3],
            p7 = plain[7],
            s0 = slack_tokens[0],
            j0 = jwts[0],
            a2 = aws[2],
        ),
    );
    repo.write(
        ".github/workflows/ci.yml",
        &format!(
            "name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      SLACK_WEBHOOK_URL: {w2}\n      DEPLOY_TOKEN: {g2}\n      CONTACT: {e4}\n    steps:\n      - uses: actions/checkout@v4\n      - uses: aws-actions/configure-aws-credentials@main\n      - run: echo {s1} {j1}\n",
            w2 = webhooks[2],
            g2 = github[2],
            e4 = emails[4],
            s1 = slack_tokens[1],
            j1 = jwts[1],
        ),
    );
    repo.write(
        "config/service.yaml",
        &format!(
            "service:\n  api_key: \"{k1}\"\n  client_secret: {k2}\n  auth: {j2}\n  signing_key: |\n    {begin}\n    {b0}\n    {b1}\n    {end}\n  billing_iban: {i1}\n  escalation: \"{ph1}\"\n  token: {s2}\n",
            k1 = api_keys[1],
            k2 = api_keys[2],
            j2 = jwts[2],
            b0 = key_bodies[0],
            b1 = key_bodies[1],
            i1 = ibans[1],
            ph1 = phones[1],
            s2 = slack_tokens[2],
        ),
    );
    repo.write(
        "config/keys.json",
        &format!(
            "{{\n  \"private_key\": \"{begin}\\n{b2}\\n{b3}\\n{end}\\n\",\n  \"apiKey\": \"{k3}\",\n  \"aws\": \"{a3}\",\n  \"card\": \"{c0}\"\n}}\n",
            b2 = key_bodies[2],
            b3 = key_bodies[3],
            k3 = api_keys[3],
            a3 = aws[3],
            c0 = cards[0],
        ),
    );
    repo.write(
        "src/clients.py",
        &format!(
            "ANTHROPIC = \"{}\"\nOPENAI = \"{}\"\nSTRIPE = \"{}\"\nMAPS = \"{}\"\nMAIL = \"{}\"\nSMS = \"{}\"\nSTORE = \"DefaultEndpointsProtocol=https;AccountName=orders;AccountKey={};EndpointSuffix=core.windows.net\"\nDB = \"postgres://orders:{}@db.internal:5432/orders\"\n",
            services[0], services[1], services[2], services[3], services[4], services[5], services[6], services[7],
        ),
    );
    let mut log = String::new();
    for i in 0..5 {
        log.push_str(&format!(
            "{{\"ts\":\"2026-12-0{}T10:00:00Z\",\"actor\":\"{}\",\"action\":\"login\",\"outcome\":\"success\",\"phone\":\"{}\",\"iban\":\"{}\",\"card\":\"{}\",\"ssn\":\"{}\",\"nino\":\"{}\"}}\n",
            i + 1,
            emails[(i % 3) + 5],
            phones[i % 4 + 2],
            ibans[i % 4 + 2],
            cards[i % 5 + 1],
            ssns[i],
            ninos[i],
        ));
    }
    log.push_str(&format!(
        "{{\"ts\":\"2026-12-06T10:00:00Z\",\"actor\":\"svc\",\"action\":\"deploy\",\"outcome\":\"success\",\"token\":\"{}\",\"key\":\"{}\",\"gh\":\"{}\",\"api_key\":\"{}\",\"aws\":\"{}\",\"pw\":\"password={}\"}}\n",
        github[3], aws[4], github[4], api_keys[4], aws[5], plain[8]
    ));
    repo.write("logs/audit/events.jsonl", &log);
    repo.write(
        "assay.yaml",
        "collectors:\n  audit_log:\n    sources:\n      - path: \"logs/audit/*.jsonl\"\n        preset: generic\n",
    );
    repo.commit_all("Initial import");
    // A secret committed and removed again lives on in the history only.
    repo.write(
        "config/old.env",
        &format!("GITHUB_TOKEN={}\nPASSWORD={}\n", github[5], plain[9]),
    );
    repo.commit_all("Add deploy settings");
    std::fs::remove_file(repo.file("config/old.env")).unwrap();
    // Commit subjects are quoted by the change-management findings; scanning them for personal
    // data is a separate change, so this history's subjects hold none.
    repo.commit_all("Remove deploy settings");
    Seeded { repo, values }
}

/// The values of `values` found in `text`, as "value in what".
fn leaks(values: &[String], text: &[u8], what: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(text);
    values
        .iter()
        .filter(|v| text.contains(v.as_str()))
        .map(|v| format!("{v} in {what}"))
        .collect()
}

#[test]
fn no_seeded_value_survives_into_any_output() {
    let seeded = seeded();
    let root = seeded.repo.path();
    assert!(seeded.values.len() >= 88, "{} values", seeded.values.len());
    let every = EveryOutput::of(root, &[]);
    let found: Vec<String> = every
        .outputs
        .iter()
        .flat_map(|(what, bytes)| leaks(&seeded.values, bytes, what))
        .collect();
    assert!(
        every.outputs.len() > 50,
        "only {} outputs were written",
        every.outputs.len()
    );
    assert!(
        found.is_empty(),
        "{} leaks:\n{}",
        found.len(),
        found.join("\n")
    );
    let pack = every.path("pack");

    // Every kept file that held a seeded value lists what was redacted, with its line.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(pack.join("manifest.json")).unwrap()).unwrap();
    let entries = manifest["evidence"].as_array().unwrap();
    let kept: BTreeSet<&str> = entries
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    for path in [
        "k8s/deployment.yaml",
        "infra/main.tf",
        ".env",
        "Dockerfile",
        ".github/workflows/ci.yml",
        "logs/audit/events.jsonl",
    ] {
        assert!(kept.contains(path), "{path} was not kept: {kept:?}");
    }
    for e in entries {
        let path = e["path"].as_str().unwrap();
        if path == ".git" {
            // The git history is built from the repository, not read from a file; the leak
            // scan above covers it.
            continue;
        }
        let original = std::fs::read(root.join(path)).unwrap();
        let held = seeded
            .values
            .iter()
            .any(|v| String::from_utf8_lossy(&original).contains(v.as_str()));
        let redactions = e["redactions"].as_array().unwrap();
        if held {
            assert!(!redactions.is_empty(), "{path} lists no redaction");
            assert!(redactions.iter().all(|r| r["line"].as_u64().unwrap() > 0));
        }
        // The service keys are redacted as what their formats say they are.
        if path == "src/clients.py" {
            let kinds: Vec<(u64, &str)> = redactions
                .iter()
                .map(|r| (r["line"].as_u64().unwrap(), r["kind"].as_str().unwrap()))
                .collect();
            assert_eq!(
                kinds,
                [
                    (1, "anthropic_api_key"),
                    (2, "openai_api_key"),
                    (3, "stripe_secret_key"),
                    (4, "google_api_key"),
                    (5, "sendgrid_api_key"),
                    (6, "twilio_sid"),
                    (7, "azure_storage_key"),
                    (8, "database_url_password"),
                ]
            );
        }
    }
    assert!(kept.contains("src/clients.py"), "{kept:?}");
}

#[test]
fn every_offender_at_its_own_line_and_every_location_exists() {
    let seeded = seeded();
    let root = seeded.repo.path();
    let out = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failing = |id: &str| -> Vec<(String, u64)> {
        common::findings(&results, id, "fail")
            .into_iter()
            .map(|f| {
                (
                    f["message"].as_str().unwrap().to_string(),
                    f["location"]["line"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    };
    // Two unpinned actions: two findings, each at its `uses:` line.
    let pins = failing("gha-actions-pinned-sha");
    assert_eq!(pins.len(), 2, "{pins:?}");
    assert!(pins
        .iter()
        .any(|(m, l)| m.contains("actions/checkout@v4") && *l == 11));
    assert!(pins
        .iter()
        .any(|(m, l)| m.contains("configure-aws-credentials@main") && *l == 12));
    // A Rego control points at the offending value, not at line 1.
    let env = failing("k8s-secret-env-literal");
    let lines: BTreeSet<u64> = env.iter().map(|(_, l)| *l).collect();
    assert_eq!(lines, BTreeSet::from([17, 21, 25]), "{env:?}");
    let defaults = failing("tf-variable-secret-default");
    let lines: BTreeSet<u64> = defaults.iter().map(|(_, l)| *l).collect();
    assert_eq!(lines, BTreeSet::from([3, 7]), "{defaults:?}");
    // The control's score counts items, not findings: one workflow, one failing item.
    let control = common::control(&results, "gha-actions-pinned-sha");
    assert_eq!(control["failed"], 1, "{control}");

    // Every location names a regular file of the tree and a line inside it.
    for c in results["controls"].as_array().unwrap() {
        for f in c["findings"].as_array().unwrap() {
            let Some(location) = f.get("location") else {
                continue;
            };
            let path = location["path"].as_str().unwrap();
            let file = root.join(path);
            assert!(
                file.is_file() && path != ".git" && !path.starts_with(".git/"),
                "{} points at `{path}`, which is no file",
                c["id"]
            );
            if let Some(line) = location["line"].as_u64() {
                let lines = std::fs::read_to_string(&file).unwrap().lines().count() as u64;
                assert!(
                    (1..=lines.max(1)).contains(&line),
                    "{} points at {path}:{line}, past its {lines} lines",
                    c["id"]
                );
            }
        }
    }
    let sarif = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    for r in sarif["runs"][0]["results"].as_array().unwrap() {
        for l in r["locations"].as_array().into_iter().flatten() {
            if let Some(uri) = l["physicalLocation"]["artifactLocation"]["uri"].as_str() {
                assert!(root.join(uri).is_file(), "SARIF points at `{uri}`");
            }
        }
    }
}

#[test]
fn documents_cite_only_real_evidence() {
    let seeded = seeded();
    let work = tempfile::tempdir().unwrap();
    let docs = work.path().join("docs");
    let out = assay()
        .arg("documents")
        .arg(seeded.repo.path())
        .arg("--out")
        .arg(&docs)
        .output()
        .unwrap();
    exited(&out, 0);
    let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    for stem in ["statement-of-applicability", "soc2-control-matrix"] {
        for ext in ["md", "html"] {
            let text = std::fs::read_to_string(docs.join(format!("{stem}.{ext}"))).unwrap();
            assert!(
                !text.contains(&empty[..12]),
                "{stem}.{ext} cites empty input"
            );
            assert!(!text.contains("Attestation reviewed"), "{stem}.{ext}");
            assert!(!text.contains("`ai-systems.yaml` sha256"), "{stem}.{ext}");
            assert!(
                text.contains("Document owner") && text.contains("not recorded"),
                "{stem}.{ext} has no document control header"
            );
        }
    }
    let matrix = std::fs::read_to_string(docs.join("soc2-control-matrix.md")).unwrap();
    assert!(matrix.contains("No attestation on file"), "{matrix}");
    let soa = std::fs::read_to_string(docs.join("statement-of-applicability.md")).unwrap();
    for row in soa.lines().filter(|l| l.contains("| Yes |")) {
        assert!(
            !row.contains("| not applicable |"),
            "an applicable row says not applicable: {row}"
        );
    }
}

#[test]
fn the_site_from_another_directory_finds_its_evidence_or_fails() {
    let seeded = seeded();
    let root = seeded.repo.path();
    let work = tempfile::tempdir().unwrap();
    let results = work.path().join("results.json");
    let out = assay()
        .current_dir(root)
        .args(["scan", ".", "--format", "json", "--output"])
        .arg(&results)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)));
    // From elsewhere, the recorded root `.` names no evidence: refused with exit 2.
    let refused = assay()
        .current_dir(work.path())
        .arg("site")
        .arg("--results")
        .arg(&results)
        .arg("--out")
        .arg(work.path().join("site-bad"))
        .output()
        .unwrap();
    exited(&refused, 2);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--root"));
    // With --root it finds it.
    let site = work.path().join("site");
    let ok = assay()
        .current_dir(work.path())
        .arg("site")
        .arg("--results")
        .arg(&results)
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(&site)
        .output()
        .unwrap();
    exited(&ok, 0);
    let pages = files(&site.join("evidence"));
    assert!(pages.len() > 5, "{} evidence pages", pages.len());
}

#[test]
fn digest_only_files_leave_no_content_and_the_pack_verifies() {
    let seeded = seeded();
    let root = seeded.repo.path();
    std::fs::write(
        root.join("assay.yaml"),
        "collectors:\n  audit_log:\n    sources:\n      - path: \"logs/audit/*.jsonl\"\n        preset: generic\nevidence:\n  digest_only: [\"logs/**\"]\n",
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let pack = work.path().join("pack");
    let out = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json", "--output"])
        .arg(work.path().join("results.json"))
        .arg("--pack")
        .arg(&pack)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(pack.join("manifest.json")).unwrap()).unwrap();
    let log = manifest["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "logs/audit/events.jsonl")
        .expect("the audit log is listed");
    assert_eq!(log["keep"], "digest-only");
    let digest = log["sha256"].as_str().unwrap();
    assert!(!pack.join("evidence").join(digest).exists());
    let page = std::fs::read_to_string(pack.join(format!("site/evidence/{digest}.html"))).unwrap();
    assert!(page.contains("digest only"), "{page}");
    // Every other file is still kept in full, redacted.
    let env = manifest["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == ".env")
        .unwrap();
    assert!(env.get("keep").is_none());
    assert!(pack
        .join("evidence")
        .join(env["sha256"].as_str().unwrap())
        .is_file());
    let verified = assay().arg("verify").arg(&pack).output().unwrap();
    exited(&verified, 0);
}

#[test]
fn a_dirty_tree_is_flagged_in_results_site_and_pack() {
    let seeded = seeded();
    let root = seeded.repo.path();
    std::fs::write(root.join("Dockerfile"), "FROM node:20\nUSER app\n").unwrap();
    std::fs::write(root.join("notes.yaml"), "a: 1\n").unwrap();
    let work = tempfile::tempdir().unwrap();
    let pack = work.path().join("pack");
    let out = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json"])
        .arg("--pack")
        .arg(&pack)
        .output()
        .unwrap();
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    let repository = &results["scan"]["repository"];
    assert_eq!(repository["dirty"], true, "{repository}");
    assert_eq!(repository["modified"], serde_json::json!(["Dockerfile"]));
    assert_eq!(repository["untracked"], serde_json::json!(["notes.yaml"]));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(pack.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["scan"]["repository"]["dirty"], true);
    let page = std::fs::read_to_string(pack.join("site/scan.html")).unwrap();
    assert!(
        page.contains("dirty") && page.contains("notes.yaml"),
        "{page}"
    );
}

#[test]
fn a_secret_still_at_head_is_flagged_in_its_file_and_in_the_history() {
    let repo = GitRepo::from(tempfile::tempdir().unwrap().path());
    let github = format!("ghp_{}", token(7, 36, ALNUM));
    repo.write("README.md", "# app\n");
    repo.commit_all("Initial import");
    repo.write(
        "deploy/settings.py",
        &format!("REGION = 'eu-west-1'\nTOKEN = '{github}'\n"),
    );
    let added = repo.commit_all("Add deploy settings");
    repo.write("README.md", "# app\n\nDeployed from deploy/.\n");
    repo.commit_all("Document the deployment");

    let out = assay()
        .arg("scan")
        .arg(repo.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    exited(&out, 1);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&github));
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The file at HEAD: one finding at the value's line, naming the kind.
    let in_file = common::findings(&results, "secrets-in-files", "fail");
    assert_eq!(in_file.len(), 1, "{in_file:?}");
    assert_eq!(in_file[0]["location"]["path"], "deploy/settings.py");
    assert_eq!(in_file[0]["location"]["line"], 2);
    let message = in_file[0]["message"].as_str().unwrap();
    assert!(message.contains("github_token"), "{message}");
    // The history: the commit that added it, with path and line.
    let history = common::findings(&results, "cm-no-secrets-in-history", "fail");
    assert_eq!(history.len(), 1, "{history:?}");
    let message = history[0]["message"].as_str().unwrap();
    assert!(
        message.contains("deploy/settings.py:2") && message.contains(&added.to_string()[..7]),
        "{message}"
    );
    // Every other file is judged and passes.
    assert_eq!(common::control(&results, "secrets-in-files")["failed"], 1);
}

#[test]
fn no_output_names_the_absolute_path_of_the_scanned_directory() {
    let seeded = seeded();
    let root = seeded.repo.path();
    seeded.repo.write(
        "compliance/waivers.yaml",
        "waivers:\n  - control: gha-actions-pinned-sha\n    justification: Pinned by the platform team.\n    approved_by: security@example.com\n    expires: 2999-12-31\n",
    );
    let work = tempfile::tempdir().unwrap();
    let (outputs, pack, site) = (
        work.path().join("out"),
        work.path().join("pack"),
        work.path().join("site"),
    );
    let scan = assay()
        .arg("scan")
        .arg(root)
        .args(["--format", "json,sarif,junit,markdown,csv,oscal,terminal"])
        .arg("--waivers")
        .arg(root.join("compliance/waivers.yaml"))
        .arg("--output-dir")
        .arg(&outputs)
        .arg("--pack")
        .arg(&pack)
        .arg("--site")
        .arg(&site)
        .output()
        .unwrap();
    assert!(
        matches!(scan.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    let terminal = assay().arg("scan").arg(root).output().unwrap();
    let results: Value =
        serde_json::from_slice(&std::fs::read(outputs.join("results.json")).unwrap()).unwrap();
    let name = root.file_name().unwrap().to_str().unwrap();
    assert_eq!(results["scan"]["root"], name);
    // The site renders from the saved results with --root.
    let rendered = work.path().join("site-again");
    let again = assay()
        .arg("site")
        .arg("--results")
        .arg(outputs.join("results.json"))
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(&rendered)
        .output()
        .unwrap();
    exited(&again, 0);

    let absolute = [
        root.display().to_string(),
        root.canonicalize().unwrap().display().to_string(),
    ];
    let mut found = leaks(&absolute, &scan.stdout, "scan stdout");
    found.extend(leaks(&absolute, &terminal.stdout, "terminal"));
    let mut checked = 0;
    for dir in [&outputs, &pack, &site, &rendered] {
        for file in files(dir) {
            checked += 1;
            let bytes = std::fs::read(&file).unwrap();
            found.extend(leaks(&absolute, &bytes, &file.display().to_string()));
        }
    }
    assert!(checked > 50, "only {checked} files were written");
    assert!(pack.join("manifest.json").is_file());
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_repository_named_in_the_config_is_recorded_without_git() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("export");
    std::fs::create_dir_all(root.join("k8s")).unwrap();
    std::fs::write(
        root.join("assay.yaml"),
        "repository:\n  name: payments-api\n",
    )
    .unwrap();
    std::fs::write(
        root.join("k8s/pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: web\n      image: nginx:latest\n",
    )
    .unwrap();
    let (pack, site) = (dir.path().join("pack"), dir.path().join("site"));
    let out = assay()
        .arg("scan")
        .arg(&root)
        .args(["--format", "json", "--pack"])
        .arg(&pack)
        .arg("--site")
        .arg(&site)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)));
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        results["scan"]["repository"],
        serde_json::json!({"name": "payments-api", "dirty": false})
    );
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(pack.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["scan"]["repository"]["name"], "payments-api");
    let page = std::fs::read_to_string(site.join("scan.html")).unwrap();
    assert!(page.contains("payments-api"), "{page}");
    assert!(!page.contains("Work tree"));
    // A name that is not a string is a configuration error.
    std::fs::write(root.join("assay.yaml"), "repository: {name: [1]}\n").unwrap();
    let bad = assay().arg("scan").arg(&root).output().unwrap();
    exited(&bad, 2);
}
