//! The operations an API documents: OpenAPI 3 and Swagger 2 files (YAML or JSON) read for
//! their `paths`, and plain documents searched for a method and path on one line.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::document::Format;
use crate::formats;

/// HTTP methods that name an operation under an OpenAPI path item.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// The operations of one API description, as `(METHOD, normalized path)`, including the
/// paths prefixed with the base path of each server (`servers[].url`, Swagger `basePath`).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Operations(BTreeSet<(String, String)>);

impl Operations {
    /// Whether the API documents `method` on `path` (path parameters match by position:
    /// `/users/{id}` documents `/users/{user_id}` and `/users/:id`).
    pub fn documents(&self, method: &str, path: &str) -> bool {
        self.0
            .contains(&(method.to_ascii_uppercase(), normalize_path(path)))
    }
}

/// Whether a file may hold an API description (it has `openapi` or `swagger`, and `paths`),
/// judged on its raw bytes before any decoding or parsing.
pub fn looks_like_api(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
    (has(b"openapi") || has(b"swagger")) && has(b"paths")
}

/// The operations of the API description in `text` (named `file_name`), or `None` when it is
/// not one (not YAML or JSON, no top-level `openapi` / `swagger` key, or no `paths` mapping).
pub fn operations(file_name: &str, text: &str) -> Option<Operations> {
    let format = match Format::detect(file_name)? {
        f @ (Format::Yaml | Format::Json) => f,
        _ => return None,
    };
    let parsed = formats::parse(format, text).ok()?;
    let data = &parsed.first()?.data;
    if data.get("openapi").is_none() && data.get("swagger").is_none() {
        return None;
    }
    let paths = data.get("paths")?.as_object()?;
    let mut bases: BTreeSet<String> = BTreeSet::from([String::new()]);
    if let Some(base) = data.get("basePath").and_then(Value::as_str) {
        bases.insert(base_path(base));
    }
    for server in data
        .get("servers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(url) = server.get("url").and_then(Value::as_str) {
            bases.insert(base_path(url));
        }
    }
    let mut out = BTreeSet::new();
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for method in METHODS.iter().filter(|m| item.contains_key(**m)) {
            for base in &bases {
                out.insert((
                    method.to_ascii_uppercase(),
                    normalize_path(&format!("{base}{path}")),
                ));
            }
        }
    }
    Some(Operations(out))
}

/// Whether a line of `text` names both `method` (as a word, any case) and `path`.
pub fn mentions(text: &str, method: &str, path: &str) -> bool {
    let method = method.to_ascii_uppercase();
    let wanted = normalize_path(path);
    text.lines().any(|line| {
        let upper = line.to_ascii_uppercase();
        let has_method = upper
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|word| word == method);
        has_method
            && line
                .split(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '|'))
                .any(|token| token.starts_with('/') && normalize_path(token) == wanted)
    })
}

/// The path part of a server URL (`https://api.example.com/v1/` → `/v1`), without a trailing
/// slash; server variables in it are kept as written.
fn base_path(url: &str) -> String {
    let rest = match url.split_once("://") {
        Some((_, after)) => after.find('/').map_or("", |i| &after[i..]),
        None => url,
    };
    rest.trim_end_matches('/').to_string()
}

/// A path with every parameter (`{id}`, `:id`) written `{}`, without a trailing slash or a
/// query string.
fn normalize_path(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if (s.starts_with('{') && s.ends_with('}')) || s.starts_with(':') {
                "{}"
            } else {
                s
            }
        })
        .collect();
    format!("/{}", segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_openapi_paths_with_server_prefixes() {
        let text = "openapi: 3.0.3\nservers:\n  - url: https://api.example.com/v1/\npaths:\n  /me/export:\n    get: {}\n  /me/{userId}:\n    delete: {}\n    parameters: []\n";
        let ops = operations("api/openapi.yaml", text).unwrap();
        assert_eq!(ops.0.len(), 4);
        assert!(ops.documents("GET", "/v1/me/export"));
        assert!(ops.documents("get", "/me/export"));
        assert!(ops.documents("DELETE", "/v1/me/:id"));
        assert!(!ops.documents("POST", "/v1/me/export"));
    }

    #[test]
    fn reads_swagger_json_with_base_path() {
        let text =
            r#"{"swagger": "2.0", "basePath": "/api", "paths": {"/users/{id}": {"patch": {}}}}"#;
        let ops = operations("swagger.json", text).unwrap();
        assert!(ops.documents("PATCH", "/api/users/{user}"));
        assert!(ops.documents("PATCH", "/users/{user}"));
    }

    #[test]
    fn other_files_are_no_api_descriptions() {
        assert!(looks_like_api(b"swagger: '2.0'\npaths: {}\n"));
        assert!(looks_like_api(b"{\"openapi\": \"3.1.0\", \"paths\": {}}"));
        assert!(!looks_like_api(b"openapi: 3.0.3\ninfo: {title: t}\n"));
        assert!(!looks_like_api(
            b"kind: Deployment\nspec: {paths: [/data]}\n"
        ));
        assert_eq!(operations("a.yaml", "paths: {}\n"), None);
        assert_eq!(operations("a.yaml", "openapi: [\n"), None);
        assert_eq!(operations("notes.md", "openapi: 3.0.0\npaths: {}\n"), None);
    }

    #[test]
    fn finds_method_and_path_on_one_line() {
        let text = "# Privacy API\n\n| `DELETE` | `/v1/me` | erases the account |\nGET /v1/me/export?format=json\n";
        assert!(mentions(text, "delete", "/v1/me"));
        assert!(mentions(text, "GET", "/v1/me/export"));
        assert!(!mentions(text, "GET", "/v1/me"));
    }
}
