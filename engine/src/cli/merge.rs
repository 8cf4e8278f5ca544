//! `assay merge`.

use std::collections::BTreeSet;

use assay_collectors::EvidenceKind;
use std::path::{Path, PathBuf};

use clap::Args;

use super::project::ProjectArgs;
use super::scan::{emit, outputs, GateArgs, OutputArgs, ViewArgs};
use super::Exit;
use crate::merge::{merge, Part};
use crate::pack::evidence::Built;
use crate::pack::manifest::RESULTS_FILE;
use crate::pack::sign;
use crate::pack::verify::{verify, VerifyOptions};
use crate::report::{terminal, Results};

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' evidence packs (directories, which must verify) or results files, one per
    /// shard 1..N of `assay scan --shard I/N`.
    #[arg(long = "from", value_name = "PACK", num_args = 1.., required = true)]
    inputs: Vec<PathBuf>,
    /// Require every shard's pack to be signed by the ed25519 public key in FILE.
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,
    #[command(flatten)]
    project: ProjectArgs,
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    gate: GateArgs,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    evidence: super::evidence::EvidenceArgs,
}

fn usage(message: String) -> Exit {
    eprintln!("assay: {message}");
    Exit::Usage
}

pub fn run(args: MergeArgs) -> Exit {
    let project = match args.project.open() {
        Ok(p) => p,
        Err(exit) => return exit,
    };
    let outputs = match outputs(&args.output, &project.config) {
        Ok(o) => o,
        Err(message) => return usage(message),
    };
    let evidence = match args.evidence.prepare(&project.config.file) {
        Ok(e) => e,
        Err(exit) => return exit,
    };
    let key = match sign::given_public_key(args.public_key.as_deref()) {
        Ok(k) => k,
        Err(message) => return usage(message),
    };
    let mut parts = Vec::new();
    for input in &args.inputs {
        match read_part(input, key.as_ref()) {
            Ok(part) => parts.push(part),
            Err(message) => return usage(message),
        }
    }
    let roots: Vec<String> = parts.iter().filter_map(|p| p.pack_root.clone()).collect();
    let settings = project.shard_settings();
    let results = match merge(&project.catalog, &project.request, &settings, parts) {
        Ok(r) => r,
        Err(message) => return usage(message),
    };
    let verdict = args.gate.gate(&project.config.file.gate).judge(&results);
    let view = args.view.view();
    if let Err(exit) = emit(outputs, &results, &|| {
        terminal::render(&results, &verdict, &view)
    }) {
        return exit;
    }
    // The git history the shards judged is evidence no file holds: read it again here.
    let built = if evidence.wanted() {
        let git = BTreeSet::from([EvidenceKind::Git]);
        match crate::scan::collect(&git, &project.request.scope) {
            Ok(collection) => Built::of(&collection.documents),
            Err(d) => return super::report_diagnostics(&[d]),
        }
    } else {
        Vec::new()
    };
    let written = evidence.with_parts(roots).write(
        &results,
        &built,
        &args.project.path,
        &project.config.file,
    );
    if let Err(exit) = written {
        return exit;
    }
    if verdict.failed() {
        Exit::GateFailed
    } else {
        Exit::Passed
    }
}

/// Reads one shard's result: `results.json` of a pack directory once the pack verifies (and is
/// signed by `key`, when given), or a results file.
fn read_part(input: &Path, key: Option<&ed25519_dalek::VerifyingKey>) -> Result<Part, String> {
    let shown = input.display().to_string();
    let (file, pack_root) = if input.is_dir() {
        let options = VerifyOptions {
            public_key: key,
            previous: None,
        };
        let verified =
            verify(input, options).map_err(|e| format!("pack `{shown}` does not verify: {e}"))?;
        (input.join(RESULTS_FILE), Some(verified.root))
    } else if shown.ends_with(".tar.gz") {
        return Err(format!(
            "`{shown}` is a pack archive\n  hint: unpack it and give the pack directory"
        ));
    } else if key.is_some() {
        return Err(format!(
            "`{shown}` is a results file, which carries no signature\n  hint: give the shard's signed pack directory, or leave out --public-key"
        ));
    } else {
        (input.to_path_buf(), None)
    };
    let bytes = crate::report::read_saved(&file)?;
    let results: Results = serde_json::from_slice(&bytes)
        .map_err(|e| format!("`{}` is not an assay results file: {e}", file.display()))?;
    Ok(Part {
        origin: shown,
        results,
        pack_root,
    })
}
