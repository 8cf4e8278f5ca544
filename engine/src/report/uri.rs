//! Paths as URI references, for the formats that link to files (SARIF, OSCAL).

use std::fmt::Write;

/// A relative path as a URI reference: `/` kept, characters outside RFC 3986's unreserved and
/// sub-delims sets percent-encoded byte by byte.
pub fn relative_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b'@' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::relative_uri;

    #[test]
    fn reserved_and_non_ascii_bytes_are_encoded() {
        assert_eq!(relative_uri("a b/c#1.yaml"), "a%20b/c%231.yaml");
        assert_eq!(relative_uri("dir/ü.tf"), "dir/%C3%BC.tf");
        assert_eq!(relative_uri("k8s/deploy-1.yaml"), "k8s/deploy-1.yaml");
        assert_eq!(relative_uri("50%.yaml"), "50%25.yaml");
    }
}
