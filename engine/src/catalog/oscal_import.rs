//! A mapping skeleton from an OSCAL catalog, optionally narrowed by a profile: the catalog's
//! controls (groups and nested enhancements flattened, in catalog order, withdrawn ones left
//! out) as requirements with their titles and no controls yet.

use std::collections::BTreeSet;

use serde_json::Value;

/// A framework read from OSCAL, ready to be written as a mapping file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skeleton {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    /// `(id, title)` in catalog order.
    pub requirements: Vec<(String, String)>,
    /// Controls marked withdrawn, left out.
    pub withdrawn: usize,
}

/// The controls a profile selects from its catalog.
#[derive(Debug, Default)]
pub struct Selection {
    include_all: bool,
    /// Ids included, with whether their child controls come along.
    include: Vec<(String, bool)>,
    exclude: BTreeSet<String>,
}

impl Selection {
    /// The selection of a profile document (`{"profile": {"imports": [...]}}`): every import's
    /// `include-all`, `include-controls` and `exclude-controls` by `with-ids`, applied to the one
    /// catalog given (the imports' `href`s are not followed).
    pub fn of_profile(doc: &Value) -> Result<Selection, String> {
        let imports = doc
            .pointer("/profile/imports")
            .and_then(Value::as_array)
            .ok_or("not an OSCAL profile: no `profile.imports` array")?;
        let mut selection = Selection::default();
        for import in imports {
            if import.get("include-all").is_some() {
                selection.include_all = true;
            }
            for include in list(import, "include-controls") {
                if include.get("matching").is_some() {
                    return Err(
                        "`include-controls` by `matching` patterns is not supported: \
                                name the controls with `with-ids`"
                            .into(),
                    );
                }
                let children = include["with-child-controls"] == "yes";
                for id in ids(include)? {
                    selection.include.push((id, children));
                }
            }
            for exclude in list(import, "exclude-controls") {
                if exclude.get("matching").is_some() {
                    return Err(
                        "`exclude-controls` by `matching` patterns is not supported: \
                                name the controls with `with-ids`"
                            .into(),
                    );
                }
                selection.exclude.extend(ids(exclude)?);
            }
        }
        Ok(selection)
    }

    fn everything() -> Selection {
        Selection {
            include_all: true,
            ..Selection::default()
        }
    }
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn ids(selector: &Value) -> Result<Vec<String>, String> {
    list(selector, "with-ids")
        .iter()
        .map(|id| {
            id.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("`with-ids` holds a non-string: {id}"))
        })
        .collect()
}

/// The skeleton of catalog document `doc` (`{"catalog": {...}}`) as `profile` selects it
/// (everything without one). Fails when the document is no catalog or the profile names ids
/// the catalog does not have.
pub fn import(doc: &Value, profile: Option<&Selection>, id: &str) -> Result<Skeleton, String> {
    let catalog = doc
        .get("catalog")
        .filter(|c| c.is_object())
        .ok_or("not an OSCAL catalog: no `catalog` object")?;
    let everything = Selection::everything();
    let selection = profile.unwrap_or(&everything);
    let mut walk = Walk {
        selection,
        requirements: Vec::new(),
        withdrawn: 0,
        seen: BTreeSet::new(),
    };
    walk.items(catalog, false)?;
    let missing: Vec<&str> = selection
        .include
        .iter()
        .map(|(id, _)| id.as_str())
        .filter(|id| !walk.seen.contains(*id))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(10).copied().collect();
        return Err(format!(
            "{} control(s) the profile includes are not in the catalog: {}{}",
            missing.len(),
            shown.join(", "),
            if missing.len() > shown.len() {
                ", …"
            } else {
                ""
            }
        ));
    }
    let metadata = &catalog["metadata"];
    Ok(Skeleton {
        id: id.to_string(),
        name: metadata["title"].as_str().unwrap_or(id).to_string(),
        version: metadata["version"].as_str().map(str::to_string),
        requirements: walk.requirements,
        withdrawn: walk.withdrawn,
    })
}

struct Walk<'a> {
    selection: &'a Selection,
    requirements: Vec<(String, String)>,
    withdrawn: usize,
    /// Every control id of the catalog.
    seen: BTreeSet<String>,
}

impl Walk<'_> {
    /// The groups and controls of `parent` (a catalog, group or control), depth first. The
    /// depth is bounded by the JSON parser's nesting limit.
    fn items(&mut self, parent: &Value, parent_included: bool) -> Result<(), String> {
        for group in list(parent, "groups") {
            self.items(group, false)?;
        }
        for control in list(parent, "controls") {
            let id = control["id"]
                .as_str()
                .ok_or("a control without a string `id`")?;
            if !self.seen.insert(id.to_string()) {
                return Err(format!("control `{id}` appears twice"));
            }
            let named = self.selection.include.iter().find(|(i, _)| i == id);
            let included = !self.selection.exclude.contains(id)
                && (self.selection.include_all || parent_included || named.is_some());
            let withdrawn = list(control, "props").iter().any(|p| {
                p["name"] == "status"
                    && p["value"]
                        .as_str()
                        .is_some_and(|v| v.eq_ignore_ascii_case("withdrawn"))
            });
            if withdrawn {
                self.withdrawn += usize::from(included);
            } else if included {
                let title = control["title"].as_str().unwrap_or_default();
                self.requirements
                    .push((requirement_id(id), title.to_string()));
            }
            let children = included && named.is_some_and(|(_, children)| *children);
            self.items(control, children || (parent_included && included))?;
        }
        Ok(())
    }
}

/// A control id in NIST's printed form: `ac-2` → `AC-2`, `ac-2.1` → `AC-2(1)`; ids of another
/// shape are kept as they are.
pub fn requirement_id(id: &str) -> String {
    let mut parts = id.split('.');
    let base = parts.next().unwrap_or_default();
    let nist = base.split_once('-').is_some_and(|(family, number)| {
        !family.is_empty()
            && family.bytes().all(|b| b.is_ascii_lowercase())
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
    });
    let rest: Vec<&str> = parts.collect();
    if !nist
        || rest
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return id.to_string();
    }
    let mut out = base.to_ascii_uppercase();
    for part in rest {
        out.push_str(&format!("({part})"));
    }
    out
}

impl Skeleton {
    /// The mapping file: a header comment, then framework, name, version and every requirement
    /// with `controls: []`. Strings are written as JSON strings, which YAML reads unchanged.
    pub fn to_yaml(&self, from: &str) -> String {
        let quote = |s: &str| serde_json::to_string(s).expect("strings serialize");
        let mut out = format!(
            "# Imported from the OSCAL document(s) {from} by `assay frameworks import`.\n\
             # Name the controls that evidence each requirement, or give a requirement that does\n\
             # not apply by default a `not_applicable` reason.\n\n\
             framework: {}\nname: {}\n",
            self.id,
            quote(&self.name)
        );
        if let Some(version) = &self.version {
            out.push_str(&format!("version: {}\n", quote(version)));
        }
        out.push_str("new_framework: true\nrequirements:\n");
        for (id, title) in &self.requirements {
            out.push_str(&format!(
                "  - id: {}\n    title: {}\n    controls: []\n",
                quote(id),
                quote(title)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nist_ids_take_their_printed_form() {
        assert_eq!(requirement_id("ac-2"), "AC-2");
        assert_eq!(requirement_id("ac-2.1"), "AC-2(1)");
        assert_eq!(requirement_id("si-4.10"), "SI-4(10)");
        assert_eq!(requirement_id("A.5.1"), "A.5.1");
        assert_eq!(requirement_id("ac-2.x"), "ac-2.x");
        assert_eq!(requirement_id("ac-"), "ac-");
    }

    fn catalog() -> Value {
        let withdrawn = json!([{"name": "status", "value": "withdrawn"}]);
        json!({"catalog": {
            "metadata": {"title": "Tiny", "version": "1"},
            "groups": [
                {"id": "ac", "title": "Access", "controls": [
                    {"id": "ac-1", "title": "Policy"},
                    {"id": "ac-2", "title": "Accounts", "controls": [
                        {"id": "ac-2.1", "title": "Automated"},
                        {"id": "ac-2.2", "title": "Gone", "props": withdrawn},
                    ]},
                ]},
                {"id": "au", "title": "Audit", "groups": [
                    {"id": "au-x", "title": "Nested", "controls": [{"id": "au-1", "title": "Audit policy"}]}
                ]},
            ]
        }})
    }

    fn ids_of(s: &Skeleton) -> Vec<&str> {
        s.requirements.iter().map(|(id, _)| id.as_str()).collect()
    }

    #[test]
    fn a_catalog_flattens_in_order_without_withdrawn_controls() {
        let s = import(&catalog(), None, "tiny").unwrap();
        assert_eq!(ids_of(&s), ["AC-1", "AC-2", "AC-2(1)", "AU-1"]);
        assert_eq!(s.withdrawn, 1);
        assert_eq!((s.name.as_str(), s.version.as_deref()), ("Tiny", Some("1")));
    }

    #[test]
    fn a_profile_selects_by_id_with_children_and_exclusions() {
        let profile = json!({"profile": {"imports": [{"href": "#x",
            "include-controls": [
                {"with-ids": ["au-1"]},
                {"with-ids": ["ac-2"], "with-child-controls": "yes"}
            ],
            "exclude-controls": [{"with-ids": ["ac-2.1"]}]}]}});
        let selection = Selection::of_profile(&profile).unwrap();
        let s = import(&catalog(), Some(&selection), "tiny").unwrap();
        assert_eq!(ids_of(&s), ["AC-2", "AU-1"]);
        let unknown = json!({"profile": {"imports": [{"href": "#x",
            "include-controls": [{"with-ids": ["zz-9"]}]}]}});
        let selection = Selection::of_profile(&unknown).unwrap();
        let err = import(&catalog(), Some(&selection), "tiny").unwrap_err();
        assert!(err.contains("zz-9"), "{err}");
    }

    #[test]
    fn documents_of_another_kind_are_refused() {
        assert!(import(&json!({"profile": {}}), None, "x").is_err());
        assert!(Selection::of_profile(&catalog()).is_err());
        let twice = json!({"catalog": {"controls": [{"id": "a-1"}, {"id": "a-1"}]}});
        let err = import(&twice, None, "x").unwrap_err();
        assert!(err.contains("`a-1` appears twice"), "{err}");
    }
}
