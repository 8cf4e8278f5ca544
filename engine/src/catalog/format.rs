//! The control file format: the types a `control.yaml` is read into, and from which
//! `schemas/control.schema.json` is generated (`ASSAY_UPDATE_SCHEMAS=1 cargo test` rewrites
//! it; a test fails while the checked-in file differs). The documentation comments of the
//! fields are the schema's descriptions.
//!
//! A document is validated against the schema first, for errors at `file:line` with the key
//! and a "did you mean" hint, then deserialized: the header is used as these types hold it,
//! and the check is compiled by its backend from the located document, so that its own errors
//! name lines too.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use super::control::{TestSpec, WhenEmpty};
use super::parameters::ParamType;
use crate::model::Severity;

mod check;

pub use check::CheckSpec;

/// Lower-case names with underscores: parameters and bindings.
const NAME_PATTERN: &str = "^[a-z][a-z0-9_]*$";

/// One control of an assay catalog: what it checks, how severe a failure is, how to fix it, and its check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "assay control",
    extend("$id" = "https://assay.dev/schemas/control.schema.json")
)]
pub struct ControlFile {
    /// Unique id, lower-case kebab-case.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9.-]*$"))]
    pub id: String,
    /// The good state, in a few words.
    #[schemars(length(min = 1))]
    pub title: String,
    #[schemars(length(min = 1))]
    pub description: String,
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub family: String,
    pub severity: Severity,
    /// One line: how to fix a failure.
    #[schemars(length(min = 1))]
    pub remediation: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// Ids of equivalent checks in other tools: checkov ids as checkov writes them (`CKV_K8S_16`, `CKV2_GHA_1`), ids of any other tool after its name and a colon (`trivy:KSV023`).
    #[serde(default)]
    #[schemars(inner(regex(
        pattern = r"^(CKV2?_[A-Z0-9]+_[0-9]+|[a-z][a-z0-9-]*:[A-Za-z0-9_.-]+)$"
    )))]
    pub related: Vec<String>,
    /// Thresholds of the check that an organisation may set to its own policy: `parameters: {CONTROL_ID: {NAME: value}}` in assay.yaml. The check refers to one as a whole value, `{param: NAME}`, or in a message as `{params.NAME}`; Rego policies read them at `data.assay.parameters`.
    /// Read one by one when they are resolved, so that each error names its declaration.
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": NAME_PATTERN}))]
    #[allow(dead_code)]
    pub parameters: BTreeMap<String, ParameterDecl>,
    /// Compiled from the located document by [`crate::check::Check::compile`].
    #[allow(dead_code)]
    pub check: CheckSpec,
    /// What a check that selected nothing means. not_applicable: the subject does not exist (no S3 bucket), nothing to judge, left out of the score. not_assessed: the evidence is missing (no access model, no restore test record), a gap that scores 0 and is listed as missing evidence. Default: not_applicable when the check reads only config or ai evidence, else not_assessed.
    pub when_empty: Option<WhenEmpty>,
    #[serde(default)]
    pub tests: Vec<TestSpec>,
}

/// A parameter's declaration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "parameter")]
pub struct ParameterDecl {
    /// strings: a list of strings.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// The value when assay.yaml sets none; of the parameter's type.
    pub default: Value,
    /// What the value means, with its unit (days, percent).
    #[schemars(length(min = 1))]
    pub description: String,
}

/// The JSON Schema of a control file, as checked into `schemas/control.schema.json`.
pub fn control_schema() -> Value {
    schema_of::<ControlFile>()
}

/// The JSON Schema (draft 2020-12) of an assay file format read into `T`, tidied as
/// [`tidy`] says.
pub fn schema_of<T: JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    tidy(&mut schema);
    schema
}

/// Removes the `null` schemars allows for an `Option` (a control leaves a key out to leave it
/// unset, and a key written without a value is an error), and writes the names of an enum
/// whose variants are documented as one `enum`, so that a wrong name is told with the list.
fn tidy(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if map.get("default").is_some_and(Value::is_null) {
                map.remove("default");
            }
            if let Some(Value::Array(options)) = map.get_mut("enum") {
                options.retain(|o| !o.is_null());
            }
            if let Some(Value::Array(variants)) = map.get_mut("anyOf") {
                variants.retain(|v| v.get("type") != Some(&json!("null")));
                if let [Value::Object(only)] = &variants[..] {
                    let only = only.clone();
                    map.remove("anyOf");
                    for (k, v) in only {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            if let Some(Value::Array(variants)) = map.get("oneOf") {
                let names: Option<Vec<Value>> = variants
                    .iter()
                    .map(|v| match (v.get("const"), v.get("enum")) {
                        (Some(name), _) => Some(vec![name.clone()]),
                        (None, Some(Value::Array(names))) => Some(names.clone()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(|lists| lists.concat());
                if let Some(names) = names {
                    map.remove("oneOf");
                    map.insert("type".into(), json!("string"));
                    map.insert("enum".into(), Value::Array(names));
                }
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::check::{EVIDENCE_KINDS, SELECTABLE_FORMATS};
    use super::*;
    use assay_collectors::{EvidenceKind, Format};

    /// The checked-in schema is the one the types generate; `ASSAY_UPDATE_SCHEMAS=1` rewrites it.
    #[test]
    fn checked_in_schema_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../schemas/control.schema.json"
        );
        let generated = format!(
            "{}\n",
            serde_json::to_string_pretty(&control_schema()).unwrap()
        );
        if std::env::var_os("ASSAY_UPDATE_SCHEMAS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(path).unwrap();
        assert!(
            checked_in == generated,
            "schemas/control.schema.json is not what the types in engine/src/catalog/format.rs generate: run `ASSAY_UPDATE_SCHEMAS=1 cargo test --workspace --locked --lib -- format::` and commit the result"
        );
    }

    /// A wrong key anywhere in a control, header or assertion tree, is reported at its line
    /// with the keys the generated schema allows there.
    #[test]
    fn wrong_keys_are_located() {
        let text = "id: t\ntitel: T\ndescription: D\nfamily: f\nseverity: low\nremediation: R\ncheck:\n  assert:\n    all:\n      - any:\n          - {pathh: $.a, exists: true}\n    message: m\n";
        let (_, errors) = crate::parse::read_yaml_unchecked(
            "c.yaml",
            text.as_bytes(),
            crate::schema::SchemaKind::Control,
        )
        .unwrap();
        let shown: Vec<String> = errors
            .iter()
            .map(|d| {
                let p = d.position.unwrap();
                format!(
                    "{}:{}:{} {} ({})",
                    d.file,
                    p.line,
                    p.column,
                    d.message,
                    d.hint.as_deref().unwrap_or("")
                )
            })
            .collect();
        assert!(
            shown.contains(&"c.yaml:2:1 unknown key `titel` (did you mean `title`?)".to_string()),
            "{shown:?}"
        );
        assert!(
            shown.contains(&"c.yaml:11:14 unknown key `pathh` (did you mean `path`?)".to_string()),
            "{shown:?}"
        );
    }

    /// The lists of names in the schema are those serde reads.
    #[test]
    fn listed_names_deserialize() {
        for kind in EVIDENCE_KINDS {
            let read: EvidenceKind = serde_json::from_value(json!(kind.as_str())).unwrap();
            assert_eq!(read, kind);
        }
        for format in SELECTABLE_FORMATS {
            let read: Format = serde_json::from_value(json!(format.as_str())).unwrap();
            assert_eq!(read, format);
        }
    }
}
