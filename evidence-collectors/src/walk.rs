//! Finding files under the scan root in parallel, honouring `.gitignore` and never entering
//! `.git`, for collectors that pick files by name.

use std::path::Path;
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

/// The root-relative paths (with `/` separators) of the files `keep` accepts, sorted.
pub fn files(root: &Path, keep: &(dyn Fn(&str) -> bool + Sync)) -> Vec<String> {
    let found = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    return WalkState::Continue;
                };
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    let relative = relative(root, entry.path());
                    if keep(&relative) {
                        found
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(relative);
                    }
                }
                WalkState::Continue
            })
        });
    let mut paths = found.into_inner().unwrap_or_else(|e| e.into_inner());
    paths.sort();
    paths
}

/// The root-relative path of `path`, with `/` separators.
pub fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads a file of at most `max` bytes; `Ok(None)` when it is larger.
pub fn read_limited(path: &Path, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    if file.metadata()?.len() > max {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}
