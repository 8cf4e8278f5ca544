//! `assay keygen`: a new ed25519 key pair for signing packs.

use std::path::PathBuf;

use clap::Args;

use super::Exit;
use crate::pack::sign::{self, SIGNING_KEY_ENV};

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Directory for assay-signing.key (secret) and assay-signing.pub (public); existing keys
    /// are never overwritten.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: KeygenArgs) -> Exit {
    let made = sign::generate().and_then(|key| {
        sign::write_key_pair(&args.out, &key).map(|paths| (paths, key.verifying_key()))
    });
    match made {
        Ok(((secret, public), key)) => {
            println!("secret key: {} (keep it private)", secret.display());
            println!("public key: {}", public.display());
            println!("public key (hex): {}", sign::public_hex(&key));
            println!(
                "sign with `assay scan --pack DIR --sign-key {}` (or set {SIGNING_KEY_ENV}); check with `assay verify DIR --public-key {}`",
                secret.display(),
                public.display()
            );
            Exit::Passed
        }
        Err(message) => {
            eprintln!("assay: {message}");
            Exit::Usage
        }
    }
}
