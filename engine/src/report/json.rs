//! The JSON renderer.

use super::Results;

/// The results document as pretty-printed JSON, ending with a newline.
pub fn render(results: &Results) -> String {
    let mut out = serde_json::to_string_pretty(results).expect("results serialize");
    out.push('\n');
    out
}
