//! `assay verify`: checks a pack's digests, root, chain link and signature.

use std::path::PathBuf;

use clap::Args;

use super::Exit;
use crate::pack::sign;
use crate::pack::verify::{verify, VerifyOptions};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The pack: its directory or its .tar.gz.
    pack: PathBuf,
    /// Require a signature by the ed25519 public key in FILE.
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,
    /// The previous pack of the chain (directory or .tar.gz): it must verify and its root
    /// must be this pack's previous_root.
    #[arg(long, value_name = "PACK")]
    previous: Option<PathBuf>,
}

/// Exit 0 when the pack verifies, 1 when it does not, 2 on a usage error.
pub fn run(args: VerifyArgs) -> Exit {
    // A pack that is not there is a usage error; one that does not verify fails the gate.
    if !args.pack.exists() {
        eprintln!(
            "assay: no pack at `{}`\n  hint: give a pack directory or its .tar.gz",
            args.pack.display()
        );
        return Exit::Usage;
    }
    let key = match sign::given_public_key(args.public_key.as_deref()) {
        Ok(k) => k,
        Err(message) => {
            eprintln!("assay: {message}");
            return Exit::Usage;
        }
    };
    let options = VerifyOptions {
        public_key: key.as_ref(),
        previous: args.previous.as_deref(),
    };
    match verify(&args.pack, options) {
        Ok(v) => {
            println!("ok: {} verifies", args.pack.display());
            println!("  files      {} (every sha256 and size matches)", v.files);
            println!("  evidence   {} files", v.evidence);
            println!("  root       {}", v.root);
            match &v.signer {
                Some(k) if key.is_some() => println!("  signature  ed25519, by the given key {k}"),
                Some(k) => println!(
                    "  signature  ed25519, valid for the key it names {k} (pass --public-key to check the signer)"
                ),
                None => println!("  signature  none (unsigned pack)"),
            }
            match (&v.previous_root, v.previous_checked) {
                (Some(r), true) => println!("  previous   {r} (the given previous pack)"),
                (Some(r), false) => {
                    println!("  previous   {r} (not checked; pass --previous PACK)")
                }
                (None, _) => println!("  previous   none (first pack of its chain)"),
            }
            Exit::Passed
        }
        Err(e) => {
            eprintln!("assay: verify failed: {e}");
            Exit::GateFailed
        }
    }
}
