//! Which findings concern which entry of a declaration file (a processing activity, an AI
//! system). A finding belongs to an entry when it points into the entry's lines of the file,
//! into a file the entry declares (its model card), or names the entry's id as its resource.

use assay_collectors::declared::Declared;

use crate::report::Results;

/// One entry of a declaration file.
pub struct Entry<'a> {
    pub id: &'a str,
    /// The files the entry declares, root-relative.
    pub files: Vec<&'a str>,
}

/// (control, finding) positions in the results.
pub type Hits = Vec<(usize, usize)>;

/// The findings of each entry (in `entries` order) and those that point into the file but
/// at no entry; both in results order.
pub struct Attribution {
    pub entries: Vec<Hits>,
    pub elsewhere: Hits,
}

/// Attributes the findings of `results` to the entries of the array `list` (a top-level key
/// such as `activities`) of `declared`.
pub fn attribute<T>(
    results: &Results,
    declared: &Declared<T>,
    list: &str,
    entries: &[Entry<'_>],
) -> Attribution {
    let spans = spans(declared, list, entries.len());
    let mut out = Attribution {
        entries: vec![Vec::new(); entries.len()],
        elsewhere: Vec::new(),
    };
    for (ci, c) in results.controls.iter().enumerate() {
        for (fi, f) in c.findings.iter().enumerate() {
            let path = f.location.as_ref().map(|l| l.path.as_str());
            let line = f.location.as_ref().and_then(|l| l.line);
            let in_file = path == Some(declared.path.as_str());
            let mut hit = false;
            for (ei, e) in entries.iter().enumerate() {
                let by_line = in_file
                    && line
                        .is_some_and(|l| spans[ei].is_some_and(|(from, to)| l >= from && l < to));
                let by_file = path.is_some_and(|p| e.files.contains(&p));
                let by_name = f.resource.as_deref() == Some(e.id);
                if by_line || by_file || by_name {
                    out.entries[ei].push((ci, fi));
                    hit = true;
                }
            }
            if in_file && !hit {
                out.elsewhere.push((ci, fi));
            }
        }
    }
    out
}

/// The lines `[from, to)` of each entry of `/list`: from its first line to the next entry or
/// the next top-level key after it.
fn spans<T>(declared: &Declared<T>, list: &str, count: usize) -> Vec<Option<(u32, u32)>> {
    let starts: Vec<Option<u32>> = (0..count)
        .map(|i| declared.lines.line(&format!("/{list}/{i}")))
        .collect();
    let mut bounds: Vec<u32> = starts.iter().flatten().copied().collect();
    if let Some(map) = declared.data.as_object() {
        bounds.extend(map.keys().filter_map(|k| {
            declared
                .lines
                .line(&assay_collectors::lines::pointer_push("", k))
        }));
    }
    bounds.sort_unstable();
    bounds.dedup();
    starts
        .iter()
        .map(|start| {
            let from = (*start)?;
            let to = bounds
                .iter()
                .copied()
                .find(|b| *b > from)
                .unwrap_or(u32::MAX);
            Some((from, to))
        })
        .collect()
}
