//! `assay locker verify`: every pack of an evidence locker and the chain between them.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Exit;
use crate::pack::chain::breaks;
use crate::pack::lockers::AnyLocker;
use crate::pack::sign;

#[derive(Debug, Subcommand)]
pub enum LockerCommand {
    /// Verify every pack of a locker (digests, retention, signature) and that each names the
    /// root of the one before it; exit 1 on any break.
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The locker: a git locker's directory or s3://BUCKET/PREFIX (credentials from the AWS
    /// environment variables).
    #[arg(long, env = "ASSAY_LOCKER", value_name = "DIR|s3://BUCKET/PREFIX")]
    locker: PathBuf,
    /// Require every pack to be signed by the ed25519 public key in FILE.
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,
}

pub fn run(command: LockerCommand) -> Exit {
    match command {
        LockerCommand::Verify(args) => verify(&args),
    }
}

/// Exit 0 when every pack verifies and links, 1 on a break, 2 when the locker cannot be read.
fn verify(args: &VerifyArgs) -> Exit {
    let key = match sign::given_public_key(args.public_key.as_deref()) {
        Ok(k) => k,
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let checks = match AnyLocker::open_existing(&args.locker)
        .and_then(|locker| locker.check_packs(key.as_ref()))
    {
        Ok(c) => c,
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let broken = breaks(&checks);
    for check in &checks {
        match (&check.outcome, broken.iter().find(|b| b.pack == check.name)) {
            (_, Some(b)) => println!("BROKEN {}: {}", b.pack, b.problem),
            (Ok(v), None) => println!("ok     {}  root {}", check.name, v.root),
            (Err(_), None) => {}
        }
    }
    let shown = args.locker.display();
    if broken.is_empty() {
        println!(
            "ok: {shown}: {} pack{}, every one verifies and names the root of the one before it",
            checks.len(),
            if checks.len() == 1 { "" } else { "s" }
        );
        Exit::Passed
    } else {
        eprintln!(
            "assay: locker verify failed: {} of {} packs of {shown} break the chain",
            broken.len(),
            checks.len()
        );
        Exit::GateFailed
    }
}
