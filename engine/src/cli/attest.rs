//! `assay attest CONTROL`: writes an attestation file for an attestation control into the
//! project's attestation folder, dated today and expiring when the control says it must be
//! renewed, signed with `--sign-key` (or `ASSAY_SIGNING_KEY`) when given.

use std::path::{Path, PathBuf};

use clap::Args;
use ed25519_dalek::SigningKey;
use jiff::civil::Date;
use jiff::ToSpan;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{report_diagnostics, CatalogArgs, Exit};
use crate::catalog;
use crate::check::{Check, MIN_STATEMENT_CHARS};
use crate::config::Config;
use crate::diag::did_you_mean;
use crate::pack::sign;
use crate::signed_attestation;

#[derive(Debug, Args)]
pub struct AttestArgs {
    /// The attestation control to attest (`assay controls list` names them).
    control: String,
    /// The scanned directory whose attestation folder receives the file.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// What the attester states, in their own words.
    #[arg(long)]
    statement: String,
    /// Who attests.
    #[arg(long = "by", value_name = "NAME")]
    by: String,
    /// The attester's role.
    #[arg(long)]
    role: Option<String>,
    /// The attester's e-mail address.
    #[arg(long)]
    email: Option<String>,
    /// An evidence file, relative to the attestation folder; repeatable.
    #[arg(long = "evidence", value_name = "FILE")]
    evidence: Vec<String>,
    /// The day the attestation is given (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<Date>,
    /// The day it expires (default: the control's maximum age after `date`, or one year).
    #[arg(long, value_name = "YYYY-MM-DD")]
    expires: Option<Date>,
    /// Sign the attestation with the ed25519 secret key in FILE (default: ASSAY_SIGNING_KEY,
    /// if set); the scan checks it against `attestations.allowed_signers`.
    #[arg(long, value_name = "FILE")]
    sign_key: Option<PathBuf>,
    /// Replace an existing attestation file.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    catalog: CatalogArgs,
}

pub fn run(args: AttestArgs) -> Exit {
    match write(&args) {
        Ok(file) => {
            println!("attestation written to {}", file.display());
            Exit::Passed
        }
        Err(message) => {
            eprintln!("assay: {message}");
            Exit::Usage
        }
    }
}

fn write(args: &AttestArgs) -> Result<PathBuf, String> {
    let config = project_config(&args.path)?;
    // The project's parameter values: an attestation expires at the age its scan accepts.
    let catalog = catalog::load_with(&args.catalog.roots(&[], true), &config.parameters).map_err(
        |errors| {
            report_diagnostics(&errors);
            "the catalog does not load with this project's assay.yaml".to_string()
        },
    )?;
    let control = catalog.control(&args.control).ok_or_else(|| {
        let ids = catalog
            .controls
            .iter()
            .filter(|c| c.check.is_attestation())
            .map(|c| c.id.as_str());
        match did_you_mean(&args.control, ids) {
            Some(close) => format!(
                "no control `{}` in the catalog\n  hint: did you mean `{close}`?",
                args.control
            ),
            None => format!(
                "no control `{}` in the catalog\n  hint: `assay controls list` shows every control",
                args.control
            ),
        }
    })?;
    let Check::Attestation(check) = &control.check else {
        return Err(format!(
            "`{}` is checked by a machine ({}), not attested\n  hint: attestation controls have `attestation` in `assay controls list`",
            control.id,
            control.check.language()
        ));
    };
    for (what, text) in [("--statement", &args.statement), ("--by", &args.by)] {
        if text.trim().is_empty() {
            return Err(format!("{what} is empty"));
        }
    }
    // Refuse what the next scan would fail.
    let said = args.statement.trim().chars().count();
    if said < MIN_STATEMENT_CHARS {
        return Err(format!(
            "--statement is {said} characters; a statement needs at least {MIN_STATEMENT_CHARS}\n  hint: say what is in place and how it is known"
        ));
    }
    if check.evidence_required() && args.evidence.is_empty() {
        return Err(format!(
            "`{}` requires evidence: pass --evidence FILE (relative to the attestation folder)",
            control.id
        ));
    }
    let date = match args.date {
        Some(d) => d,
        None => jiff::Zoned::now()
            .with_time_zone(jiff::tz::TimeZone::UTC)
            .date(),
    };
    let expires = match args.expires {
        Some(e) => e,
        None => date
            .checked_add(check.max_age_days().unwrap_or(365).days())
            .map_err(|e| format!("cannot compute the expiry date: {e}"))?,
    };
    if expires <= date {
        return Err(format!(
            "--expires {expires} is not after the attestation date {date}"
        ));
    }
    let dir = attestation_dir(&args.path, &config);
    for file in &args.evidence {
        if !dir.join(file).is_file() {
            return Err(format!(
                "evidence file `{}` does not exist\n  hint: evidence paths are relative to the attestation folder `{}`",
                file,
                dir.display()
            ));
        }
    }
    let target = dir.join(format!("{}.yaml", control.id));
    if target.exists() && !args.force {
        return Err(format!(
            "`{}` exists\n  hint: pass --force to replace it",
            target.display()
        ));
    }
    let key = sign::given_key(args.sign_key.as_deref())?;
    let mut text = render(args, &control.id, &control.title, date, expires);
    if let Some(key) = key {
        text.push_str(&signature(args, &control.id, &dir, date, expires, &key)?);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    std::fs::write(&target, text)
        .map_err(|e| format!("cannot write `{}`: {e}", target.display()))?;
    Ok(target)
}

/// The `assay.yaml` of the project at `root`, if it has one.
fn project_config(root: &Path) -> Result<Config, String> {
    if !root.is_dir() {
        return Err(format!("`{}` is not a directory", root.display()));
    }
    Config::discover(root, None).map_err(|errors| {
        report_diagnostics(&errors);
        "assay.yaml is not valid".to_string()
    })
}

/// The attestation folder of the project at `root`: `collectors.attestation.dir` of its
/// `assay.yaml`, or `attestations/`.
fn attestation_dir(root: &Path, config: &Config) -> PathBuf {
    let configured = config
        .file
        .collectors
        .get("attestation")
        .and_then(|a| a.get("dir"))
        .and_then(|d| d.as_str())
        .unwrap_or(assay_collectors::attestation::DEFAULT_DIR)
        .to_string();
    root.join(configured)
}

/// The `signature:` line: a detached signature over the attestation's content as the scan
/// will read it, evidence files hashed as they are now.
fn signature(
    args: &AttestArgs,
    id: &str,
    dir: &Path,
    date: Date,
    expires: Date,
    key: &SigningKey,
) -> Result<String, String> {
    let evidence = args
        .evidence
        .iter()
        .map(|file| {
            let bytes = std::fs::read(dir.join(file))
                .map_err(|e| format!("cannot read evidence file `{file}`: {e}"))?;
            Ok(json!({"path": file, "sha256": hex::encode(Sha256::digest(&bytes))}))
        })
        .collect::<Result<Vec<Value>, String>>()?;
    let facts = json!({
        "controls": [id],
        "statement": args.statement.trim(),
        "attested_by": {"name": args.by.trim(), "role": args.role.as_deref().map(str::trim), "email": args.email.as_deref().map(str::trim)},
        "date": date.to_string(),
        "expires": expires.to_string(),
        "evidence": evidence,
    });
    let (public_key, signature) = sign::sign_detached(key, &signed_attestation::message(&facts));
    Ok(format!(
        "signature: {{algorithm: {}, public_key: {public_key}, signature: {signature}}}\n",
        sign::ALGORITHM
    ))
}

/// The attestation file; every free text is a JSON string, which YAML reads unchanged.
fn render(args: &AttestArgs, id: &str, title: &str, date: Date, expires: Date) -> String {
    let quote = |s: &str| serde_json::to_string(s.trim()).expect("strings serialize");
    let mut by = format!("name: {}", quote(&args.by));
    if let Some(role) = &args.role {
        by.push_str(&format!(", role: {}", quote(role)));
    }
    if let Some(email) = &args.email {
        by.push_str(&format!(", email: {}", quote(email)));
    }
    let mut text = format!(
        "# {title}\ncontrol: {id}\nstatement: {}\nattested_by: {{{by}}}\ndate: {date}\nexpires: {expires}\n",
        quote(&args.statement)
    );
    if !args.evidence.is_empty() {
        let files: Vec<String> = args.evidence.iter().map(|f| quote(f)).collect();
        text.push_str(&format!("evidence: [{}]\n", files.join(", ")));
    }
    text
}
