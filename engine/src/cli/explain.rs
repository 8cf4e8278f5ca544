//! `assay explain CONTROL`: the control, its mappings, its parameters, its check source and
//! how to fix a failure.

use std::path::PathBuf;

use clap::Args;

use super::{CatalogArgs, Exit};
use crate::diag::did_you_mean;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The id of the control.
    control: String,
    /// The assay.yaml whose parameter values and catalogs apply (default: assay.yaml or
    /// .assay.yaml in the current directory or a parent).
    #[arg(long, env = "ASSAY_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    catalog: CatalogArgs,
}

pub fn run(args: ExplainArgs) -> Exit {
    let catalog = match super::configured_catalog(&args.catalog, args.config.as_deref()) {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let Some(control) = catalog.control(&args.control) else {
        let ids = catalog.controls.iter().map(|c| c.id.as_str());
        eprintln!("assay: no control `{}` in the catalog", args.control);
        if let Some(close) = did_you_mean(&args.control, ids) {
            eprintln!("  hint: did you mean `{close}`?");
        } else {
            eprintln!("  hint: `assay controls list` shows every control");
        }
        return Exit::Usage;
    };
    println!("{} — {}", control.id, control.title);
    println!(
        "severity: {}   family: {}",
        control.severity, control.family
    );
    println!("defined in: {}:{}", control.file, control.line);
    println!("\n{}", control.description.trim());
    println!("\nHow to fix a failure:\n  {}", control.remediation);
    if !control.parameters.is_empty() {
        println!("\nParameters (set them per control under `parameters:` in assay.yaml):");
        for p in &control.parameters {
            let origin = match &p.set_at {
                Some(at) => format!("set at {at}; default {}", p.default),
                None => "default".to_string(),
            };
            println!("  {} = {}   ({}, {origin})", p.name, p.value, p.kind.name());
            println!("      {}", p.description.trim());
        }
    }
    let mappings = catalog.mappings_of(&control.id);
    println!("\nEvidences:");
    if mappings.is_empty() {
        println!("  (no framework requirement is mapped to this control)");
    }
    for (framework, requirement) in mappings {
        let title = catalog
            .frameworks
            .iter()
            .find(|f| f.id == framework)
            .and_then(|f| f.requirements.iter().find(|r| r.id == requirement))
            .map(|r| r.title.as_str())
            .unwrap_or_default();
        println!("  {framework:10} {requirement:12} {title}");
    }
    if !control.references.is_empty() {
        println!("\nReferences:");
        for r in &control.references {
            println!("  {r}");
        }
    }
    if !control.related.is_empty() {
        println!(
            "\nEquivalent checks elsewhere: {}",
            control.related.join(", ")
        );
    }
    println!("\nSource ({}):\n", control.file);
    for line in control.source.lines() {
        println!("  {line}");
    }
    Exit::Passed
}
