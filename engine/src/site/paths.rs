//! Where each page of the site lives. Ids become file names through [`slug`], which keeps
//! letters, digits, `-` and `.` (but not a leading one) and writes any other byte as `_XX`, so
//! distinct ids never share a page and no id climbs out of its folder.

use super::FINDINGS_PER_PAGE;

/// A file-name-safe, URL-safe form of `id`.
pub fn slug(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for (i, b) in id.bytes().enumerate() {
        if b.is_ascii_alphanumeric() || b == b'-' || (b == b'.' && i > 0) {
            out.push(b as char);
        } else {
            out.push_str(&format!("_{b:02X}"));
        }
    }
    out
}

pub const OVERVIEW: &str = "index.html";
pub const CONTROLS: &str = "controls.html";
pub const EVIDENCE: &str = "evidence.html";
pub const WAIVERS: &str = "waivers.html";
pub const SCAN: &str = "scan.html";
pub const SEARCH: &str = "search.html";
/// The list of audit documents.
pub const DOCUMENTS: &str = "documents/index.html";
/// The observation period over the evidence locker's scans (`.md` and `.json` beside it).
pub const PERIOD: &str = "documents/period.html";
/// The search index of frameworks, requirements and controls.
pub const SEARCH_INDEX: &str = "search/index.js";

pub fn framework(id: &str) -> String {
    format!("frameworks/{}.html", slug(id))
}

pub fn requirement(framework: &str, id: &str) -> String {
    format!("frameworks/{}/{}.html", slug(framework), slug(id))
}

/// Page `page` (1-based) of a control's findings.
pub fn control_page(id: &str, page: usize) -> String {
    if page <= 1 {
        format!("controls/{}.html", slug(id))
    } else {
        format!("controls/{}/{page}.html", slug(id))
    }
}

/// The page and anchor of the finding at `index` in a control's list.
pub fn finding(control: &str, index: usize) -> String {
    format!(
        "{}#F{}",
        control_page(control, index / FINDINGS_PER_PAGE + 1),
        index + 1
    )
}

pub fn evidence(digest: &str) -> String {
    format!("evidence/{digest}.html")
}

/// Page `page` (1-based) of the list of evidence files.
pub fn evidence_index(page: usize) -> String {
    if page <= 1 {
        EVIDENCE.to_string()
    } else {
        format!("evidence/index-{page}.html")
    }
}

/// A shard of the findings search index.
pub fn search_shard(n: usize) -> String {
    format!("search/findings-{n}.js")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_distinct() {
        assert_eq!(slug("CC6.1"), "CC6.1");
        assert_eq!(slug("Art. 32(1)"), "Art._2032_281_29");
        assert_ne!(slug("a b"), slug("a_20b"));
        assert_eq!(slug("../x"), "_2E._2Fx");
        assert_eq!(finding("k8s-x", 0), "controls/k8s-x.html#F1");
        assert_eq!(
            finding("k8s-x", FINDINGS_PER_PAGE),
            format!("controls/k8s-x/2.html#F{}", FINDINGS_PER_PAGE + 1)
        );
    }
}
