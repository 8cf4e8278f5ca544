//! `assay parse FILE…`: the documents controls see for some files, as JSON (like
//! `conftest parse`). Terraform shows its evaluated form: variables, locals and functions
//! resolved, `count`/`for_each` expanded, local modules called, plans given `resource`.

use std::path::{Path, PathBuf};

use assay_collectors::{config::ConfigCollector, Collector, Scope};
use clap::Args;
use serde_json::{Map, Value};

use super::Exit;

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files to show, inside the root.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The directory collected as a scan would (Terraform modules and tfvars files are read
    /// from it).
    #[arg(long, default_value = ".", value_name = "DIR")]
    root: PathBuf,
    /// Terraform variable file applied to every root module, as for `assay scan`; repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
}

/// The root-relative form of `file`, with `/` separators, if it lies inside `root`.
fn relative(root: &Path, file: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let file = file.canonicalize().ok()?;
    let rel = file.strip_prefix(&root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

pub fn run(args: ParseArgs) -> Exit {
    if !args.root.is_dir() {
        eprintln!("assay: root `{}` is not a directory", args.root.display());
        return Exit::Usage;
    }
    let mut wanted = Vec::new();
    for file in &args.files {
        match relative(&args.root, file) {
            Some(path) => wanted.push(path),
            None => {
                eprintln!(
                    "assay: `{}` is not a file inside the root `{}`\n  hint: pass --root DIR for files elsewhere",
                    file.display(),
                    args.root.display()
                );
                return Exit::Usage;
            }
        }
    }
    let mut scope = Scope::new(&args.root);
    scope.terraform_var_files = args.var_files.clone();
    let collection = match ConfigCollector.collect(&scope) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("assay: {}: {}", e.path, e.message);
            return Exit::Usage;
        }
    };
    let mut out = Map::new();
    let mut exit = Exit::Passed;
    for path in &wanted {
        let docs: Vec<_> = collection
            .documents
            .iter()
            .filter(|d| &*d.path == path.as_str())
            .collect();
        for doc in &docs {
            let key = if doc.index == 0 {
                path.clone()
            } else {
                format!("{path}#{}", doc.index)
            };
            out.insert(key, doc.data.clone());
        }
        for e in collection.errors.iter().filter(|e| &e.path == path) {
            let line = e
                .position
                .map(|p| format!(":{}", p.line))
                .unwrap_or_default();
            eprintln!("{}{line}: {}", e.path, e.message);
        }
        for s in collection.skipped.iter().filter(|s| &s.path == path) {
            eprintln!("{}: skipped: {}", s.path, s.reason);
        }
        if docs.is_empty() {
            eprintln!("assay: `{path}` yields no configuration document");
            exit = Exit::Usage;
        }
    }
    match serde_json::to_string_pretty(&Value::Object(out)) {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("assay: {e}");
            return Exit::Usage;
        }
    }
    exit
}
