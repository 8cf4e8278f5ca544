//! The evidence outputs of `assay scan`: `--pack`, `--site`, `--locker`, signing and chaining.

use std::path::{Path, PathBuf};

use clap::Args;
use ed25519_dalek::SigningKey;

use super::Exit;
use crate::config::ConfigFile;
use crate::documents::Declarations;
use crate::pack::evidence::{gather, Built};
use crate::pack::locker::trend_of;
use crate::pack::lockers::AnyLocker;
use crate::pack::sign;
use crate::pack::verify::{verify, VerifyOptions};
use crate::pack::{self, PackOptions};
use crate::period::Period;
use crate::report::Results;
use crate::site::{self, SiteInput, Templates, TrendPoint};

#[derive(Debug, Args)]
#[command(next_help_heading = "Evidence pack and site")]
pub struct EvidenceArgs {
    /// Write an evidence pack to DIR (a new directory): results, redacted evidence, the site
    /// and a manifest of digests; DIR.tar.gz is written beside it.
    #[arg(long, value_name = "DIR")]
    pack: Option<PathBuf>,
    /// Render the HTML evidence site into DIR.
    #[arg(long, value_name = "DIR")]
    site: Option<PathBuf>,
    /// Keep the pack in an evidence locker: the git repository at DIR (made when absent), one
    /// commit per scan, or s3://BUCKET/PREFIX, every object under COMPLIANCE Object Lock
    /// retention for `locker.retention_days` of assay.yaml; the pack chains to the locker's
    /// latest one.
    #[arg(long, env = "ASSAY_LOCKER", value_name = "DIR|s3://BUCKET/PREFIX")]
    locker: Option<PathBuf>,
    /// Sign the pack with the ed25519 secret key in FILE (default: ASSAY_SIGNING_KEY, if set).
    #[arg(long, value_name = "FILE")]
    sign_key: Option<PathBuf>,
    /// Chain the pack to the pack at DIR (or its .tar.gz), which must verify.
    #[arg(long, value_name = "DIR", conflicts_with = "previous_root")]
    previous_pack: Option<PathBuf>,
    /// Chain the pack to a previous pack's root digest.
    #[arg(long, value_name = "HEX")]
    previous_root: Option<String>,
    /// Site templates: files in DIR replace the built-in ones of the same name.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

/// Checked evidence options, ready before the scan runs.
pub struct Evidence {
    pack: Option<PathBuf>,
    site: Option<PathBuf>,
    locker: Option<AnyLocker>,
    /// Days of Object Lock retention for an S3 locker.
    retention_days: Option<u32>,
    key: Option<SigningKey>,
    previous_root: Option<String>,
    templates: Option<Templates>,
    parts: Vec<String>,
}

fn usage(message: String) -> Exit {
    eprintln!("assay: {message}");
    Exit::Usage
}

impl EvidenceArgs {
    /// Checks the options and loads keys, templates and the locker, so that mistakes show
    /// before a scan runs; `config` gives an S3 locker's retention.
    pub fn prepare(&self, config: &ConfigFile) -> Result<Evidence, Exit> {
        let packing = self.pack.is_some() || self.locker.is_some();
        if !packing {
            for (given, flag) in [
                (self.sign_key.is_some(), "--sign-key"),
                (self.previous_pack.is_some(), "--previous-pack"),
                (self.previous_root.is_some(), "--previous-root"),
            ] {
                if given {
                    return Err(usage(format!(
                        "{flag} needs a pack\n  hint: add --pack DIR or --locker DIR"
                    )));
                }
            }
        }
        let templates = if packing || self.site.is_some() {
            let loaded = match &self.templates {
                Some(dir) => Templates::with_overrides(dir),
                None => Templates::builtin(),
            };
            Some(loaded.map_err(usage)?)
        } else {
            None
        };
        let key = if packing {
            sign::given_key(self.sign_key.as_deref()).map_err(usage)?
        } else {
            None
        };
        if packing && key.is_none() {
            eprintln!(
                "assay: warning: the evidence pack will not be signed\n  hint: pass --sign-key FILE or set {} (make a key pair with `assay keygen`)",
                sign::SIGNING_KEY_ENV
            );
        }
        let locker = match &self.locker {
            Some(dir) => Some(AnyLocker::open(dir).map_err(usage)?),
            None => None,
        };
        let retention_days = config.locker.retention_days;
        if matches!(locker, Some(AnyLocker::S3(_))) && retention_days.is_none() {
            return Err(usage(
                "an s3:// evidence locker needs a retention period\n  hint: set `locker: {retention_days: N}` in assay.yaml (days every pack stays under COMPLIANCE Object Lock)".to_string(),
            ));
        }
        let previous_root = if let Some(dir) = &self.previous_pack {
            let verified = verify(dir, VerifyOptions::default()).map_err(|e| {
                usage(format!(
                    "--previous-pack `{}` does not verify: {e}",
                    dir.display()
                ))
            })?;
            Some(verified.root)
        } else if let Some(hex) = &self.previous_root {
            Some(pack::parse_root(hex).map_err(usage)?)
        } else if let Some(l) = &locker {
            l.latest_root().map_err(usage)?
        } else {
            None
        };
        Ok(Evidence {
            pack: self.pack.clone(),
            site: self.site.clone(),
            locker,
            retention_days,
            key,
            previous_root,
            templates,
            parts: Vec::new(),
        })
    }
}

impl Evidence {
    /// Whether anything is to be written: a pack, a site or a locker commit.
    pub fn wanted(&self) -> bool {
        self.templates.is_some()
    }

    /// The pack of a merge: it lists the root digests of the shards' packs it is made of.
    pub fn with_parts(self, parts: Vec<String>) -> Evidence {
        Evidence { parts, ..self }
    }

    /// Writes the site, the pack and the locker commit for a finished scan of `root`, with the
    /// evidence the scan `built`; `config` says how evidence is kept and where the site's
    /// documents find the declaration files.
    pub fn write(
        &self,
        results: &Results,
        built: &[Built],
        root: &Path,
        config: &ConfigFile,
    ) -> Result<(), Exit> {
        let Some(templates) = &self.templates else {
            return Ok(());
        };
        let policy = config.evidence.policy().map_err(usage)?;
        let evidence = gather(results, root, &policy, built);
        // This scan is not in the locker yet: it always ends the trend.
        let history = match &self.locker {
            Some(l) => l.results_history().map_err(usage)?,
            None => Vec::new(),
        };
        let mut trend = trend_of(&history).map_err(usage)?;
        trend.push(TrendPoint::of(results));
        // A pack for an S3 locker alone is written to a temporary folder, then uploaded.
        let s3_name = match &self.locker {
            Some(AnyLocker::S3(l)) => {
                Some(l.new_pack_name(&results.scan.finished_at).map_err(usage)?)
            }
            _ => None,
        };
        let period = match &self.locker {
            Some(l) => {
                // Named as the pack will be in the locker.
                let name = match (l, &s3_name) {
                    (AnyLocker::Git(g), _) => {
                        let dir = g.new_pack_dir(&results.scan.finished_at);
                        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
                        name.unwrap_or_default()
                    }
                    (AnyLocker::S3(_), name) => name.clone().unwrap_or_default(),
                };
                Some(Period::of_locker(history, results, &name).map_err(usage)?)
            }
            None => None,
        };
        // The scan has reported any problem of the declaration files already.
        let declarations = Declarations::read(root, &config.collectors)
            .for_organization(config.organization.clone());
        if let Some(dir) = &self.site {
            let input = SiteInput {
                results,
                evidence: &evidence,
                trend: &trend,
                documents: Some(&declarations),
                period: period.as_ref(),
            };
            let stats = site::render(&input, templates, dir).map_err(usage)?;
            eprintln!(
                "assay: site written to {} ({} pages)",
                dir.display(),
                stats.pages
            );
        }
        let staging;
        let target = match (&self.pack, &self.locker, &s3_name) {
            (Some(dir), _, _) => dir.clone(),
            (None, Some(AnyLocker::Git(l)), _) => l.new_pack_dir(&results.scan.finished_at),
            (None, Some(AnyLocker::S3(_)), Some(name)) => {
                staging = tempfile::tempdir()
                    .map_err(|e| usage(format!("cannot make a temporary folder: {e}")))?;
                staging.path().join(name)
            }
            _ => return Ok(()),
        };
        let options = PackOptions {
            previous_root: self.previous_root.clone(),
            parts: self.parts.clone(),
            signing_key: self.key.as_ref(),
            templates,
            trend: &trend,
            documents: Some(&declarations),
            period: period.as_ref(),
        };
        let written = pack::write(results, &evidence, &target, &options).map_err(usage)?;
        let signed = written
            .signer
            .as_ref()
            .map_or_else(|| ", unsigned".to_string(), |k| format!(", signed by {k}"));
        if s3_name.is_none() || self.pack.is_some() {
            eprintln!(
                "assay: evidence pack written to {} and {} ({} files, root {}{signed})",
                written.dir.display(),
                written.archive.display(),
                written.files,
                written.root,
            );
        }
        match (&self.locker, &s3_name) {
            (Some(AnyLocker::Git(l)), _) => {
                let in_locker = if self.pack.is_some() {
                    let copy = l.new_pack_dir(&results.scan.finished_at);
                    copy_dir(&written.dir, &copy).map_err(usage)?;
                    copy
                } else {
                    written.dir.clone()
                };
                let commit = l
                    .commit(&in_locker, &written.root, &summary(results))
                    .map_err(usage)?;
                eprintln!(
                    "assay: pack kept in the evidence locker as {} (commit {})",
                    in_locker.display(),
                    &commit[..commit.len().min(12)]
                );
            }
            (Some(AnyLocker::S3(l)), Some(name)) => {
                let days = self.retention_days.unwrap_or_default();
                let until = l
                    .store(&written.dir, &written.archive, name, days)
                    .map_err(usage)?;
                eprintln!(
                    "assay: pack {name} kept in the evidence locker {} ({} files, root {}{signed}), under COMPLIANCE retention until {until}",
                    l.shown(),
                    written.files,
                    written.root,
                );
            }
            _ => {}
        }
        Ok(())
    }
}

/// The frameworks' scores, one a line, for a locker commit's message.
fn summary(results: &Results) -> String {
    results
        .frameworks
        .iter()
        .map(|f| {
            let score = f
                .score
                .map_or_else(|| "n/a".to_string(), |s| format!("{s:.1}%"));
            format!("{}: {score}", f.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Copies the files of a pack directory into `to` (a new directory).
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    for rel in pack::list_files(from)? {
        let target = to.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::copy(from.join(&rel), &target)
            .map_err(|e| format!("cannot copy into `{}`: {e}", target.display()))?;
    }
    Ok(())
}
