//! Override files (`override.tf`, `*_override.tf` and their `.tf.json` forms), merged into the
//! blocks they override as Terraform merges them
//! (<https://developer.hashicorp.com/terraform/language/files/override>): an argument or nested
//! block type of an override block replaces the same one of the original block, a local
//! replaces the local of the same name, `lifecycle` merges argument by argument. Override
//! files are merged in name order. The merged values keep the positions of the original
//! block; an override block with no original stays in its file as a block of its own.

use serde_json::{Map, Value as Json};

use crate::document::Document;

/// Top-level block types whose blocks are identified by a type and a name.
const TWO_LABELS: &[&str] = &["resource", "data"];

/// Top-level block types whose blocks are identified by a name.
const ONE_LABEL: &[&str] = &["variable", "output", "module", "provider"];

/// Whether a lower-cased file name is an override file.
pub fn is_override(name: &str) -> bool {
    let stem = name
        .strip_suffix(".tf.json")
        .or_else(|| name.strip_suffix(".tf"))
        .unwrap_or(name);
    stem == "override" || stem.ends_with("_override")
}

/// Merges the override documents among `files` (indices into `documents`, one module
/// directory) into the others, removing what they merged from them.
pub fn merge(documents: &mut [Document], files: &[usize]) {
    let name = |d: &Document| {
        d.path
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let (mut overrides, primaries): (Vec<usize>, Vec<usize>) = files
        .iter()
        .partition(|&&f| is_override(&name(&documents[f])));
    overrides.sort_by_key(|&f| name(&documents[f]));
    for file in overrides {
        let Json::Object(mut data) = std::mem::take(&mut documents[file].data) else {
            continue;
        };
        for kind in TWO_LABELS.iter().chain(ONE_LABEL) {
            let Some(Json::Object(blocks)) = data.get_mut(*kind) else {
                continue;
            };
            let two = TWO_LABELS.contains(kind);
            blocks.retain(|label, body| {
                if two {
                    let Json::Object(named) = body else {
                        return true;
                    };
                    named.retain(|name, body| {
                        !merge_into(documents, &primaries, &[kind, label, name], body)
                    });
                    !named.is_empty()
                } else {
                    !merge_into(documents, &primaries, &[kind, label], body)
                }
            });
            if blocks.is_empty() {
                data.remove(*kind);
            }
        }
        if let Some(Json::Array(locals)) = data.get_mut("locals") {
            for block in locals.iter_mut() {
                if let Json::Object(block) = block {
                    block.retain(|name, value| !merge_local(documents, &primaries, name, value));
                }
            }
            locals.retain(|b| b.as_object().is_some_and(|b| !b.is_empty()));
            if locals.is_empty() {
                data.remove("locals");
            }
        }
        documents[file].data = Json::Object(data);
    }
}

/// The body of a block as a mapping (a single-element list of a block is its element).
fn body_mut(value: &mut Json) -> Option<&mut Map<String, Json>> {
    match value {
        Json::Object(map) => Some(map),
        Json::Array(items) if items.len() == 1 => items[0].as_object_mut(),
        _ => None,
    }
}

/// Merges the override block `body` into the original at `path` (block type and labels) in
/// the first primary document holding one; whether there was one.
fn merge_into(
    documents: &mut [Document],
    primaries: &[usize],
    path: &[&str],
    body: &mut Json,
) -> bool {
    let Some(overriding) = body_mut(body) else {
        return false;
    };
    let pointer = path.iter().fold(String::new(), |at, key| {
        crate::lines::pointer_push(&at, key)
    });
    for &file in primaries {
        let Some(node) = documents[file].data.pointer_mut(&pointer) else {
            continue;
        };
        let Some(original) = body_mut(node) else {
            continue;
        };
        for (key, value) in overriding.iter() {
            match (key.as_str(), original.get_mut(key), value) {
                ("lifecycle", Some(old), new) => {
                    if let (Some(old), Some(new)) = (
                        body_mut(old),
                        new.as_object().or_else(|| {
                            new.as_array()
                                .filter(|a| a.len() == 1)
                                .and_then(|a| a[0].as_object())
                        }),
                    ) {
                        old.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
                _ => {
                    original.insert(key.clone(), value.clone());
                }
            }
        }
        return true;
    }
    false
}

/// Replaces the local `name` of the primary documents by `value`; whether one was there.
fn merge_local(documents: &mut [Document], primaries: &[usize], name: &str, value: &Json) -> bool {
    for &file in primaries {
        let Some(Json::Array(blocks)) = documents[file].data.get_mut("locals") else {
            continue;
        };
        for block in blocks {
            if let Some(slot) = block.get_mut(name) {
                *slot = value.clone();
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_override;

    #[test]
    fn override_file_names() {
        assert!(is_override("override.tf"));
        assert!(is_override("bucket_override.tf"));
        assert!(is_override("override.tf.json"));
        assert!(!is_override("overrides.tf"));
        assert!(!is_override("main.tf"));
    }
}
