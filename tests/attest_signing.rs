//! Signed attestations: `assay attest --sign-key` signs the statement, attester, dates and
//! evidence digests; the scan verifies the signature against `attestations.allowed_signers`
//! and every output says whether an attestation is signed, invalid, untrusted or unsigned.

use crate::common;

use std::path::{Path, PathBuf};

use common::{assay, control, exited, json, render_site, save_results};
use serde_json::Value;

const CONTROL: &str = "att-processing-integrity";
const STATEMENT: &str =
    "Every batch job is reconciled daily against the ledger; the CTO reviews mismatches weekly.";
const NOW: &str = "2026-07-01T00:00:00Z";

/// A project with an attestation folder holding one evidence file.
struct Project {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    keys: PathBuf,
}

impl Project {
    fn new() -> Project {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir_all(root.join("attestations")).unwrap();
        std::fs::write(
            root.join("attestations/reconciliation.txt"),
            "2026-05 reconciliation: 0 mismatches\n",
        )
        .unwrap();
        let keys = tmp.path().join("keys");
        Project {
            _tmp: tmp,
            root,
            keys,
        }
    }

    /// Makes a key pair named `name`; returns (secret key file, public key hex).
    fn keygen(&self, name: &str) -> (PathBuf, String) {
        let dir = self.keys.join(name);
        exited(
            &assay()
                .arg("keygen")
                .arg("--out")
                .arg(&dir)
                .output()
                .unwrap(),
            0,
        );
        let public = std::fs::read_to_string(dir.join("assay-signing.pub")).unwrap();
        let hex = public
            .lines()
            .find(|l| !l.starts_with('#'))
            .unwrap()
            .trim()
            .to_string();
        (dir.join("assay-signing.key"), hex)
    }

    fn config(&self, text: &str) {
        std::fs::write(self.root.join("assay.yaml"), text).unwrap();
    }

    /// `assay attest` for Dana Reyes, with `extra` arguments.
    fn attest(&self, extra: &[&str]) -> std::process::Output {
        assay()
            .args(["attest", CONTROL])
            .arg(&self.root)
            .args(["--by", "Dana Reyes", "--email", "dana@example.com"])
            .args(["--statement", STATEMENT])
            .args(["--evidence", "reconciliation.txt", "--date", "2026-06-01"])
            .args(["--force"])
            .args(extra)
            .output()
            .unwrap()
    }

    fn file(&self) -> PathBuf {
        self.root.join(format!("attestations/{CONTROL}.yaml"))
    }

    fn scan(&self) -> Value {
        json(&self.scan_with(&["--format", "json"]))
    }

    fn scan_with(&self, args: &[&str]) -> std::process::Output {
        assay()
            .arg("scan")
            .arg(&self.root)
            .args(["--now", NOW, "--soft-fail"])
            .args(args)
            .output()
            .unwrap()
    }

    /// The verbose terminal summary, which lists each attestation in force.
    fn terminal(&self) -> String {
        String::from_utf8_lossy(&self.scan_with(&["--verbose"]).stdout).into_owned()
    }
}

fn allowed(public: &str) -> String {
    format!(
        "attestations:\n  allowed_signers:\n    - {{name: Dana Reyes, email: dana@example.com, public_key: {public}}}\n"
    )
}

fn finding(r: &Value) -> &Value {
    &control(r, CONTROL)["findings"][0]
}

/// A page of the site rendered into `dir` from `results` of the scan of `repo`.
fn site_page(dir: &Path, repo: &Path, results: &Path, page: &str) -> String {
    let out = dir.join("site");
    render_site(results, &out, &["--root".as_ref(), repo.as_os_str()]);
    std::fs::read_to_string(out.join(page)).unwrap()
}

#[test]
fn a_signed_attestation_verifies_and_is_shown_as_signed_everywhere() {
    let p = Project::new();
    let (key, public) = p.keygen("dana");
    p.config(&allowed(&public));
    exited(&p.attest(&["--sign-key", key.to_str().unwrap()]), 0);
    let written = std::fs::read_to_string(p.file()).unwrap();
    assert!(
        written.contains(&format!("public_key: {public}")),
        "{written}"
    );

    let r = p.scan();
    let c = control(&r, CONTROL);
    assert_eq!(c["status"], "implemented", "{c}");
    let f = finding(&r);
    assert_eq!(f["signature"]["status"], "signed");
    assert_eq!(f["signature"]["signer"], "Dana Reyes <dana@example.com>");
    assert_eq!(f["signature"]["public_key"], public.as_str());
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("(signed by Dana Reyes <dana@example.com>)"));

    let text = p.terminal();
    assert!(
        text.contains(&format!(
            "✓ {CONTROL}  signed by Dana Reyes <dana@example.com>"
        )),
        "{text}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let results = save_results(&p.root, tmp.path(), &["--now", NOW]);
    let waivers = site_page(tmp.path(), &p.root, &results, "waivers.html");
    assert!(
        waivers.contains("<td>signed by Dana Reyes &lt;dana@example.com&gt;</td>"),
        "{waivers}"
    );
    let explained = assay()
        .args(["explain-score", "soc2", "PI1.1", "--results"])
        .arg(&results)
        .output()
        .unwrap();
    exited(&explained, 0);
    let explained = String::from_utf8_lossy(&explained.stdout);
    assert!(
        explained.contains("attestation: signed by Dana Reyes <dana@example.com>"),
        "{explained}"
    );
    assert!(
        explained.contains("of which from attested controls:"),
        "{explained}"
    );
}

#[test]
fn the_signing_key_may_come_from_the_environment() {
    let p = Project::new();
    let (key, public) = p.keygen("dana");
    p.config(&allowed(&public));
    let secret = std::fs::read_to_string(&key).unwrap();
    let hex = secret.lines().find(|l| !l.starts_with('#')).unwrap();
    let out = assay()
        .args(["attest", CONTROL])
        .arg(&p.root)
        .args(["--by", "Dana Reyes", "--email", "dana@example.com"])
        .args(["--statement", STATEMENT])
        .args(["--evidence", "reconciliation.txt", "--date", "2026-06-01"])
        .env("ASSAY_SIGNING_KEY", hex)
        .output()
        .unwrap();
    exited(&out, 0);
    assert_eq!(finding(&p.scan())["signature"]["status"], "signed");
}

#[test]
fn a_tampered_statement_or_changed_evidence_is_invalid_and_does_not_count() {
    let p = Project::new();
    let (key, public) = p.keygen("dana");
    p.config(&allowed(&public));
    exited(&p.attest(&["--sign-key", key.to_str().unwrap()]), 0);
    let signed = std::fs::read_to_string(p.file()).unwrap();

    // One word of the statement changed after signing.
    std::fs::write(p.file(), signed.replace("weekly", "monthly")).unwrap();
    let r = p.scan();
    assert_eq!(control(&r, CONTROL)["status"], "not_implemented");
    let f = finding(&r);
    assert_eq!(f["status"], "fail");
    assert_eq!(f["signature"]["status"], "invalid");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("does not count: its signature is invalid"),
        "{message}"
    );

    // The statement restored, the evidence file changed.
    std::fs::write(p.file(), &signed).unwrap();
    assert_eq!(finding(&p.scan())["signature"]["status"], "signed");
    std::fs::write(
        p.root.join("attestations/reconciliation.txt"),
        "2026-05 reconciliation: 3 mismatches\n",
    )
    .unwrap();
    let r = p.scan();
    assert_eq!(control(&r, CONTROL)["status"], "not_implemented");
    assert_eq!(finding(&r)["signature"]["status"], "invalid");
    let text = p.terminal();
    assert!(text.contains(", invalid)"), "{text}");
}

#[test]
fn an_allowed_key_signing_for_someone_else_is_invalid() {
    let p = Project::new();
    let (key, public) = p.keygen("dana");
    p.config(&format!(
        "attestations:\n  allowed_signers:\n    - {{name: Sam Okafor, public_key: {public}}}\n"
    ));
    exited(&p.attest(&["--sign-key", key.to_str().unwrap()]), 0);
    let f = finding(&p.scan()).clone();
    assert_eq!(f["status"], "fail");
    assert_eq!(f["signature"]["status"], "invalid");
    assert!(f["signature"]["reason"]
        .as_str()
        .unwrap()
        .contains("allowed signer Sam Okafor, but attested_by names Dana Reyes"));
}

#[test]
fn an_unknown_key_is_untrusted_and_counts_only_when_signatures_are_not_required() {
    let p = Project::new();
    let (_, public) = p.keygen("dana");
    let (stranger, _) = p.keygen("stranger");
    p.config(&allowed(&public));
    exited(&p.attest(&["--sign-key", stranger.to_str().unwrap()]), 0);
    let r = p.scan();
    assert_eq!(control(&r, CONTROL)["status"], "implemented");
    let f = finding(&r);
    assert_eq!(f["signature"]["status"], "untrusted");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("(untrusted signature by key"));

    p.config(&format!("{}  require_signature: true\n", allowed(&public)));
    let r = p.scan();
    assert_eq!(control(&r, CONTROL)["status"], "not_implemented");
    let f = finding(&r);
    assert_eq!(f["status"], "fail");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("attestations.require_signature is set"));
}

#[test]
fn an_unsigned_attestation_is_marked_unsigned_in_every_output() {
    let p = Project::new();
    exited(&p.attest(&[]), 0);
    let r = p.scan();
    assert_eq!(control(&r, CONTROL)["status"], "implemented");
    let f = finding(&r);
    assert_eq!(f["signature"]["status"], "unsigned");
    assert!(f["message"].as_str().unwrap().contains("(unsigned)"));

    let text = p.terminal();
    assert!(text.contains(&format!("✓ {CONTROL}  unsigned")), "{text}");
    let md = String::from_utf8_lossy(&p.scan_with(&["--format", "markdown"]).stdout).into_owned();
    assert!(md.contains(&format!("- `{CONTROL}` unsigned")), "{md}");

    let tmp = tempfile::tempdir().unwrap();
    let results = save_results(&p.root, tmp.path(), &["--now", NOW]);
    let waivers = site_page(tmp.path(), &p.root, &results, "waivers.html");
    assert!(waivers.contains("<td>unsigned</td>"), "{waivers}");
    let docs = tmp.path().join("docs");
    let out = assay()
        .arg("documents")
        .arg(&p.root)
        .arg("--results")
        .arg(&results)
        .arg("--out")
        .arg(&docs)
        .output()
        .unwrap();
    exited(&out, 0);
    let matrix = std::fs::read_to_string(docs.join("soc2-control-matrix.md")).unwrap();
    assert!(
        matrix.contains("Attestation reviewed (unsigned;"),
        "{matrix}"
    );
    let explained = assay()
        .args(["explain-score", "soc2", "PI1.1", "--results"])
        .arg(&results)
        .output()
        .unwrap();
    exited(&explained, 0);
    let explained = String::from_utf8_lossy(&explained.stdout);
    assert!(explained.contains("attestation: unsigned"), "{explained}");
}

#[test]
fn require_signature_fails_unsigned_attestations() {
    let p = Project::new();
    exited(&p.attest(&[]), 0);
    p.config("attestations: {require_signature: true}\n");
    let r = p.scan();
    assert_eq!(control(&r, CONTROL)["status"], "not_implemented");
    let f = finding(&r);
    assert_eq!(f["status"], "fail");
    assert_eq!(f["signature"]["status"], "unsigned");
    assert_eq!(f["signature"]["required"], true);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("it is unsigned and attestations.require_signature is set"));
}

#[test]
fn a_bad_allowed_signer_key_is_a_configuration_error() {
    let p = Project::new();
    exited(&p.attest(&[]), 0);
    p.config("attestations:\n  allowed_signers:\n    - {name: Dana, public_key: 0123}\n");
    let out = p.scan_with(&["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
