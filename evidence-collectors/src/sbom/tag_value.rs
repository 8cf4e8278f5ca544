//! SPDX tag-value (2.2, 2.3), read into the shape of SPDX JSON (so one normalizer serves both),
//! with the line of every tag.
//!
//! Tags apply to the element last opened: `PackageName` opens a package, `FileName` a file,
//! `SnippetSPDXID` a snippet and `LicenseID` an extracted license; before the first of these
//! they describe the document. `<text>…</text>` values may span lines.

use serde_json::{json, Map, Value};

use crate::formats::{ParseError, Parsed};
use crate::lines::{LineMap, Position};

/// The element tags currently apply to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Document,
    Package,
    File,
    Snippet,
    License,
}

impl Section {
    fn array(self) -> Option<&'static str> {
        match self {
            Section::Document => None,
            Section::Package => Some("packages"),
            Section::File => Some("files"),
            Section::Snippet => Some("snippets"),
            Section::License => Some("hasExtractedLicensingInfos"),
        }
    }
}

/// The JSON member a tag is stored under, and whether it repeats.
fn member(section: Section, tag: &str) -> Option<(&'static str, bool)> {
    let found = match (section, tag) {
        (Section::Document, "SPDXVersion") => ("spdxVersion", false),
        (Section::Document, "DataLicense") => ("dataLicense", false),
        (Section::Document, "DocumentName") => ("name", false),
        (Section::Document, "DocumentNamespace") => ("documentNamespace", false),
        (Section::Document, "DocumentComment") => ("comment", false),
        (Section::Document, "ExternalDocumentRef") => ("externalDocumentRefs", true),
        (_, "SPDXID") => ("SPDXID", false),
        (Section::Package, "PackageName") => ("name", false),
        (Section::Package, "PackageVersion") => ("versionInfo", false),
        (Section::Package, "PackageFileName") => ("packageFileName", false),
        (Section::Package, "PackageSupplier") => ("supplier", false),
        (Section::Package, "PackageOriginator") => ("originator", false),
        (Section::Package, "PackageDownloadLocation") => ("downloadLocation", false),
        (Section::Package, "FilesAnalyzed") => ("filesAnalyzed", false),
        (Section::Package, "PackageHomePage") => ("homepage", false),
        (Section::Package, "PackageLicenseConcluded") => ("licenseConcluded", false),
        (Section::Package, "PackageLicenseDeclared") => ("licenseDeclared", false),
        (Section::Package, "PackageLicenseInfoFromFiles") => ("licenseInfoFromFiles", true),
        (Section::Package, "PackageCopyrightText") => ("copyrightText", false),
        (Section::Package, "PackageSummary") => ("summary", false),
        (Section::Package, "PackageDescription") => ("description", false),
        (Section::Package, "PackageComment") => ("comment", false),
        (Section::Package, "PrimaryPackagePurpose") => ("primaryPackagePurpose", false),
        (Section::Package, "ReleaseDate") => ("releaseDate", false),
        (Section::Package, "BuiltDate") => ("builtDate", false),
        (Section::File, "FileName") => ("fileName", false),
        (Section::File, "FileType") => ("fileTypes", true),
        (Section::File | Section::Snippet, "LicenseConcluded") => ("licenseConcluded", false),
        (Section::File, "LicenseInfoInFile") => ("licenseInfoInFiles", true),
        (Section::File, "FileCopyrightText") => ("copyrightText", false),
        (Section::Snippet, "SnippetSPDXID") => ("SPDXID", false),
        (Section::Snippet, "SnippetFromFileSPDXID") => ("snippetFromFile", false),
        (Section::License, "LicenseID") => ("licenseId", false),
        (Section::License, "ExtractedText") => ("extractedText", false),
        (Section::License, "LicenseName") => ("name", false),
        (Section::License, "LicenseCrossReference") => ("seeAlsos", true),
        _ => return None,
    };
    Some(found)
}

/// Collects the document as it is read.
struct Builder {
    document: Map<String, Value>,
    lines: LineMap,
    section: Section,
    /// Pointer of the element tags currently apply to (`""`: the document).
    current: String,
}

impl Builder {
    fn open(&mut self, section: Section, line: u32) {
        self.section = section;
        let Some(array) = section.array() else {
            return;
        };
        let items = self
            .document
            .entry(array)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = items {
            self.current = format!("/{array}/{}", items.len());
            items.push(Value::Object(Map::new()));
        }
        self.lines
            .insert(self.current.clone(), Position::new(line, 1));
    }

    /// Stores `value` under `key` of the element tags currently apply to (the last element of
    /// the current section's array, or the document).
    fn set(&mut self, key: &str, repeated: bool, value: Value, line: u32) {
        let base = self.current.clone();
        let target = match self.section.array() {
            None => &mut self.document,
            Some(array) => match self
                .document
                .get_mut(array)
                .and_then(Value::as_array_mut)
                .and_then(|items| items.last_mut())
                .and_then(Value::as_object_mut)
            {
                Some(object) => object,
                None => return,
            },
        };
        let pointer = if repeated {
            let slot = target
                .entry(key)
                .or_insert_with(|| Value::Array(Vec::new()));
            match slot {
                Value::Array(items) => {
                    items.push(value);
                    format!("{base}/{key}/{}", items.len() - 1)
                }
                _ => return,
            }
        } else {
            target.insert(key.to_string(), value);
            format!("{base}/{key}")
        };
        self.lines.insert(pointer, Position::new(line, 1));
    }

    fn push_root(&mut self, array: &str, value: Value, line: u32) {
        let items = self
            .document
            .entry(array)
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = items {
            self.lines
                .insert(format!("/{array}/{}", items.len()), Position::new(line, 1));
            items.push(value);
        }
    }
}

/// Parses SPDX tag-value text.
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    let mut builder = Builder {
        document: Map::new(),
        lines: LineMap::new(),
        section: Section::Document,
        current: String::new(),
    };
    builder.lines.insert(String::new(), Position::new(1, 1));
    let mut creation = Map::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, raw)) = lines.next() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = trimmed.split_once(':') else {
            return Err(ParseError::new(
                Position::new(line, 1),
                format!("expected `Tag: value`, found `{}`", truncate(trimmed)),
            ));
        };
        let tag = tag.trim();
        let mut value = value.trim().to_string();
        if let Some(rest) = value.strip_prefix("<text>") {
            let mut collected = rest.to_string();
            // Only the line just added is searched, so that a long text takes linear time.
            let mut closed = collected.contains("</text>");
            while !closed {
                let Some((_, next)) = lines.next() else {
                    return Err(ParseError::new(
                        Position::new(line, 1),
                        format!("`{tag}`: `<text>` is never closed by `</text>`"),
                    ));
                };
                collected.push('\n');
                collected.push_str(next);
                closed = next.contains("</text>");
            }
            value = collected
                .split("</text>")
                .next()
                .unwrap_or_default()
                .to_string();
        }
        match tag {
            "PackageName" => builder.open(Section::Package, line),
            "FileName" => builder.open(Section::File, line),
            "SnippetSPDXID" => builder.open(Section::Snippet, line),
            "LicenseID" => builder.open(Section::License, line),
            _ => {}
        }
        match tag {
            "Creator" => {
                let creators = creation
                    .entry("creators")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = creators {
                    builder.lines.insert(
                        format!("/creationInfo/creators/{}", items.len()),
                        Position::new(line, 1),
                    );
                    items.push(Value::String(value));
                }
                builder
                    .lines
                    .insert("/creationInfo".into(), Position::new(line, 1));
            }
            "Created" | "CreatorComment" | "LicenseListVersion" => {
                let key = match tag {
                    "Created" => "created",
                    "CreatorComment" => "comment",
                    _ => "licenseListVersion",
                };
                builder
                    .lines
                    .insert(format!("/creationInfo/{key}"), Position::new(line, 1));
                creation.insert(key.into(), Value::String(value));
            }
            "Relationship" => {
                let mut parts = value.split_whitespace();
                let (Some(from), Some(kind), Some(to)) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(ParseError::new(
                        Position::new(line, 1),
                        format!(
                            "`Relationship` needs `SPDXRef-A TYPE SPDXRef-B`, found `{}`",
                            truncate(&value)
                        ),
                    ));
                };
                builder.push_root(
                    "relationships",
                    json!({"spdxElementId": from, "relationshipType": kind, "relatedSpdxElement": to}),
                    line,
                );
            }
            "PackageChecksum" | "FileChecksum" => {
                let (algorithm, checksum) = value.split_once(':').unwrap_or(("", &value));
                builder.set(
                    "checksums",
                    true,
                    json!({"algorithm": algorithm.trim(), "checksumValue": checksum.trim()}),
                    line,
                );
            }
            "ExternalRef" => {
                let mut parts = value.splitn(3, char::is_whitespace);
                let category = parts.next().unwrap_or_default();
                let kind = parts.next().unwrap_or_default();
                let locator = parts.next().unwrap_or_default().trim();
                builder.set(
                    "externalRefs",
                    true,
                    json!({"referenceCategory": category, "referenceType": kind, "referenceLocator": locator}),
                    line,
                );
            }
            _ => {
                if let Some((key, repeated)) = member(builder.section, tag) {
                    builder.set(key, repeated, Value::String(value), line);
                }
            }
        }
    }
    if !creation.is_empty() {
        builder
            .document
            .insert("creationInfo".into(), Value::Object(creation));
    }
    if !builder.document.contains_key("spdxVersion") {
        return Err(ParseError::new(
            Position::new(1, 1),
            "not an SPDX tag-value document: no `SPDXVersion` tag",
        ));
    }
    Ok(Parsed {
        data: Value::Object(builder.document),
        lines: builder.lines,
    })
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: demo
Creator: Tool: builder-1.0
Created: 2024-01-01T00:00:00Z

## a package
PackageName: left-pad
SPDXID: SPDXRef-left-pad
PackageVersion: 1.3.0
PackageSupplier: Organization: npm
PackageChecksum: SHA256: abc123
PackageLicenseDeclared: MIT
ExternalRef: PACKAGE-MANAGER purl pkg:npm/left-pad@1.3.0
PackageCopyrightText: <text>Copyright
  the authors</text>

FileName: ./index.js
SPDXID: SPDXRef-file
LicenseConcluded: MIT

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-left-pad
";

    #[test]
    fn reads_the_json_shape_with_lines() {
        let parsed = parse(DOC).unwrap();
        let d = &parsed.data;
        assert_eq!(d["spdxVersion"], "SPDX-2.3");
        assert_eq!(d["creationInfo"]["creators"][0], "Tool: builder-1.0");
        let p = &d["packages"][0];
        assert_eq!(p["name"], "left-pad");
        assert_eq!(p["SPDXID"], "SPDXRef-left-pad");
        assert_eq!(p["supplier"], "Organization: npm");
        assert_eq!(p["checksums"][0]["checksumValue"], "abc123");
        assert_eq!(
            p["externalRefs"][0]["referenceLocator"],
            "pkg:npm/left-pad@1.3.0"
        );
        assert_eq!(p["copyrightText"], "Copyright\n  the authors");
        assert_eq!(d["files"][0]["SPDXID"], "SPDXRef-file");
        assert_eq!(d["relationships"][0]["relationshipType"], "DESCRIBES");
        assert_eq!(parsed.lines.line("/packages/0"), Some(9));
        assert_eq!(parsed.lines.line("/packages/0/versionInfo"), Some(11));
        assert_eq!(parsed.lines.line("/relationships/0"), Some(23));
        assert_eq!(parsed.lines.line("/creationInfo/created"), Some(6));
    }

    #[test]
    fn errors_name_their_line() {
        let error = parse("SPDXVersion: SPDX-2.3\nthis is not a tag\n").unwrap_err();
        assert_eq!(error.position.line, 2);
        assert!(error.message.contains("expected `Tag: value`"));
        let error = parse("SPDXVersion: SPDX-2.3\nPackageComment: <text>open\n").unwrap_err();
        assert_eq!(error.position.line, 2);
        assert!(error.message.contains("never closed"));
        let error = parse("SPDXVersion: SPDX-2.3\nRelationship: A B\n").unwrap_err();
        assert_eq!(error.position.line, 2);
        assert!(parse("PackageName: x\n")
            .unwrap_err()
            .message
            .contains("SPDXVersion"));
    }
}
