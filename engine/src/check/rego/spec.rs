//! Compiling the `rego` check of a control file: modules beside `control.yaml` or inline,
//! data, the package and rules to run, and how inputs are formed.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use super::policy::{DataSource, PolicyOptions, PolicySet, DEFAULT_TIMEOUT};
use super::source::ModuleSource;
use super::{Mode, Rego};
use crate::catalog::ControlDir;
use crate::check::Selector;
use crate::diag::{did_you_mean, Diagnostic};
use crate::parse::LocatedValue;

/// The file names a string-or-list key holds, each with its pointer.
fn entries(doc: &LocatedValue, pointer: &str) -> Vec<(String, String)> {
    match doc.value.pointer(pointer) {
        Some(Value::String(s)) => vec![(pointer.to_string(), s.clone())],
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((format!("{pointer}/{i}"), v.as_str()?.to_string())))
            .collect(),
        _ => Vec::new(),
    }
}

impl Rego {
    /// Compiles the `rego` mapping at `pointer` of a control document; files it names are
    /// read from the control's folder `dir`.
    pub fn compile(
        doc: &LocatedValue,
        pointer: &str,
        dir: &ControlDir,
    ) -> Result<Rego, Vec<Diagnostic>> {
        let at = |key: &str| format!("{pointer}/{key}");
        let get = |key: &str| doc.value.pointer(&at(key));
        let mut errors = Vec::new();
        let select = Selector::compile(doc, &at("select")).unwrap_or_else(|e| {
            errors.extend(e);
            Selector::default()
        });

        let mut modules = Vec::new();
        if let Some(text) = get("inline").and_then(Value::as_str) {
            modules.push(inline_module(doc, &at("inline"), text, dir));
        }
        for (key, file) in entries(doc, &at("module")) {
            match read_text(dir, &file) {
                Ok(text) => modules.push(ModuleSource::file(dir.display(&file), text)),
                Err(e) => errors.push(
                    doc.diagnostic(&key, format!("cannot read module `{file}`: {e}"))
                        .hint("name a `.rego` file in the control's folder, relative to it"),
                ),
            }
        }
        if modules.is_empty() && errors.is_empty() {
            errors.push(
                doc.diagnostic(pointer, "a `rego` check needs a module")
                    .expected("`module: policy.rego` or `inline: |` with the module"),
            );
        }

        let mut data = Vec::new();
        if let Some(value) = get("data") {
            data.push(DataSource {
                origin: format!("{}:{}", doc.file, doc.line(&at("data"))),
                value: value.clone(),
            });
        }
        for (key, file) in entries(doc, &at("data_files")) {
            let parsed = dir
                .read(&file)
                .map_err(|e| {
                    doc.diagnostic(&key, format!("cannot read data file `{file}`: {e}"))
                        .hint("name a JSON or YAML file in the control's folder, relative to it")
                })
                .and_then(|bytes| DataSource::parse(&dir.display(&file), &bytes));
            match parsed {
                Ok(source) => data.push(source),
                Err(d) => errors.push(d),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let options = PolicyOptions {
            rego_v0: get("rego_v0").and_then(Value::as_bool).unwrap_or(false),
            timeout: get("limits")
                .and_then(|l| l.get("timeout_ms"))
                .and_then(Value::as_u64)
                .map_or(DEFAULT_TIMEOUT, Duration::from_millis),
        };
        let first_module = modules[0].file.clone();
        let policy = PolicySet::compile(modules, &data, options)?;

        let namespace = match get("query").and_then(Value::as_str) {
            Some(query) => query.strip_prefix("data.").unwrap_or(query).to_string(),
            None => policy
                .packages()
                .iter()
                .find(|(_, p)| p.file == first_module)
                .map(|(name, _)| name.clone())
                .unwrap_or_default(),
        };
        let Some(package) = policy.packages().get(&namespace) else {
            let known = policy.packages().keys().map(String::as_str);
            let mut d = doc
                .diagnostic(
                    &at("query"),
                    format!("no package `{namespace}` in the modules"),
                )
                .expected(format!(
                    "`data.` and one of {}",
                    policy
                        .packages()
                        .keys()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            if let Some(close) = did_you_mean(&namespace, known) {
                d = d.hint(format!("did you mean `data.{close}`?"));
            }
            return Err(vec![d]);
        };
        let mut rules = Vec::new();
        match get("entrypoints").and_then(Value::as_array) {
            Some(names) => {
                for (i, name) in names.iter().filter_map(Value::as_str).enumerate() {
                    match package.rules.get(name) {
                        Some(kind) => rules.push((name.to_string(), *kind)),
                        None => {
                            let mut d = doc
                                .diagnostic(
                                    &at(&format!("entrypoints/{i}")),
                                    format!("package `{namespace}` has no rule `{name}`"),
                                )
                                .expected("a `deny`, `violation` or `warn` rule of the package");
                            if let Some(close) =
                                did_you_mean(name, package.rules.keys().map(String::as_str))
                            {
                                d = d.hint(format!("did you mean `{close}`?"));
                            }
                            errors.push(d);
                        }
                    }
                }
            }
            None => rules.extend(package.rules.iter().map(|(r, k)| (r.clone(), *k))),
        }
        if rules.is_empty() && errors.is_empty() {
            errors.push(
                doc.diagnostic(
                    pointer,
                    format!("package `{namespace}` has no `deny`, `violation` or `warn` rule"),
                )
                .hint("name the rules that report problems by conftest's conventions, e.g. `deny contains msg if { … }`"),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Rego {
            control: doc
                .value
                .pointer("/id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            select,
            mode: get("mode")
                .and_then(|m| Mode::deserialize(m).ok())
                .unwrap_or(Mode::PerFile),
            policy: Arc::new(policy),
            namespace,
            rules,
        })
    }
}

fn read_text(dir: &ControlDir, file: &str) -> std::io::Result<String> {
    let bytes = dir.read(file)?;
    String::from_utf8(bytes.into_owned())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// An inline module, positioned inside `control.yaml`: a block scalar (`inline: |`) starts on
/// the line after its key, indented by the block's indentation.
fn inline_module(doc: &LocatedValue, pointer: &str, text: &str, dir: &ControlDir) -> ModuleSource {
    let key_line = doc.line(pointer);
    let raw = read_text(dir, "control.yaml").unwrap_or_default();
    let lines: Vec<&str> = raw.lines().collect();
    let value = lines
        .get(key_line.saturating_sub(1) as usize)
        .and_then(|l| l.split_once(':'))
        .map_or("", |(_, v)| v.trim_start());
    let (line_offset, column_offset) = if value.starts_with('|') || value.starts_with('>') {
        let indent = lines
            .iter()
            .skip(key_line as usize)
            .find(|l| !l.trim().is_empty())
            .map_or(0, |l| l.len() - l.trim_start().len());
        (key_line, indent as u32)
    } else {
        (key_line.saturating_sub(1), 0)
    };
    ModuleSource {
        file: doc.file.clone(),
        text: text.to_string(),
        line_offset,
        column_offset,
    }
}
