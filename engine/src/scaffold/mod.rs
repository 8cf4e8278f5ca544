//! `assay controls new`: writes a control folder with a passing and a failing test case, ready
//! for `assay controls test`.

use std::path::{Path, PathBuf};

/// A check language a control can be scaffolded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// A YAML assertion over JSONPath.
    Yaml,
    /// A conftest-style Rego policy beside the control.
    Rego,
    /// A Cedar question over an access model.
    Cedar,
}

/// The files of a new control, relative to its folder.
fn files(id: &str, lang: Lang) -> Vec<(&'static str, String)> {
    match lang {
        Lang::Yaml => vec![
            (
                "control.yaml",
                include_str!("yaml/control.yaml").replace("{{id}}", id),
            ),
            (
                "tests/pass/deployment.yaml",
                include_str!("yaml/pass.yaml").to_string(),
            ),
            (
                "tests/fail/deployment.yaml",
                include_str!("yaml/fail.yaml").to_string(),
            ),
        ],
        Lang::Rego => vec![
            (
                "control.yaml",
                include_str!("rego/control.yaml").replace("{{id}}", id),
            ),
            ("policy.rego", include_str!("rego/policy.rego").to_string()),
            (
                "tests/pass/deployment.yaml",
                include_str!("rego/pass.yaml").to_string(),
            ),
            (
                "tests/fail/deployment.yaml",
                include_str!("rego/fail.yaml").to_string(),
            ),
        ],
        Lang::Cedar => vec![
            (
                "control.yaml",
                include_str!("cedar/control.yaml").replace("{{id}}", id),
            ),
            (
                "tests/pass/disjoint-duties/entities.json",
                include_str!("cedar/entities.json").to_string(),
            ),
            (
                "tests/pass/disjoint-duties/policies.cedar",
                include_str!("cedar/pass.cedar").to_string(),
            ),
            (
                "tests/fail/one-person-does-both/entities.json",
                include_str!("cedar/entities.json").to_string(),
            ),
            (
                "tests/fail/one-person-does-both/policies.cedar",
                include_str!("cedar/fail.cedar").to_string(),
            ),
        ],
    }
}

/// The control schema's file in a catalog directory, which the first line of each scaffolded
/// `control.yaml` names for editors (`# yaml-language-server: $schema=../control.schema.json`).
pub const SCHEMA_FILE: &str = "control.schema.json";

/// Writes the control `id` under `dir/id/`, and the control schema of this version of assay as
/// `dir/control.schema.json`; refuses to overwrite an existing control folder.
pub fn create(dir: &Path, id: &str, lang: Lang) -> Result<PathBuf, String> {
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !valid {
        return Err(format!(
            "`{id}` is not a valid control id (lower-case letters, digits, `-` and `.`, e.g. `k8s-no-latest-tag`)"
        ));
    }
    let root = dir.join(id);
    if root.exists() {
        return Err(format!(
            "`{}` already exists; pick another id or remove it",
            root.display()
        ));
    }
    for (relative, content) in files(id, lang) {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&path, content)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    let schema = dir.join(SCHEMA_FILE);
    std::fs::write(&schema, crate::schema::SchemaKind::Control.source())
        .map_err(|e| format!("cannot write `{}`: {e}", schema.display()))?;
    Ok(root)
}
