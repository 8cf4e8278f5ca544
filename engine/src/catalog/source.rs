//! Where catalog files come from: the copy embedded in the binary, or a directory on disk.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use assay_collectors::confine::{self, Refused};
use include_dir::{include_dir, Dir, DirEntry};

static BUILTIN_CONTROLS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../controls");
static BUILTIN_MAPPINGS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../mappings");

/// A catalog location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogRoot {
    /// The catalog shipped inside the binary (`controls/` and `mappings/` of this repository).
    Builtin,
    /// A directory with control folders (`**/control.yaml`) and optional `mappings/*.yaml`.
    Dir(PathBuf),
}

/// One file of a catalog.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// How the file is named in messages: `builtin:controls/…` or a path on disk.
    pub display: String,
    pub bytes: Cow<'static, [u8]>,
}

/// One test case of a control: a single file or a directory acting as a repository root.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// Path relative to the control's `tests/` folder, e.g. `fail/privileged.yaml`.
    pub name: String,
    /// The files of the case, as (path relative to the case root, content).
    pub files: Vec<(String, Cow<'static, [u8]>)>,
}

impl CatalogRoot {
    /// Every `control.yaml` with the directory that holds it (for its tests).
    pub fn control_files(&self) -> std::io::Result<Vec<(SourceFile, ControlDir)>> {
        match self {
            CatalogRoot::Builtin => {
                let mut out = Vec::new();
                embedded_controls(&BUILTIN_CONTROLS, &mut out);
                Ok(out)
            }
            CatalogRoot::Dir(root) => {
                let mut out = Vec::new();
                for path in walk(root)? {
                    if path.file_name().is_some_and(|n| n == "control.yaml")
                        && !is_under_tests(root, &path)
                    {
                        let bytes = read_inside(root, &relative(root, &path))?;
                        let dir = path.parent().unwrap_or(root).to_path_buf();
                        out.push((
                            SourceFile {
                                display: path.display().to_string(),
                                bytes: Cow::Owned(bytes),
                            },
                            ControlDir::Disk(dir),
                        ));
                    }
                }
                Ok(out)
            }
        }
    }

    /// Every mapping file (`mappings/*.yaml`).
    pub fn mapping_files(&self) -> std::io::Result<Vec<SourceFile>> {
        match self {
            CatalogRoot::Builtin => Ok(BUILTIN_MAPPINGS
                .files()
                .filter(|f| is_yaml(f.path()))
                .map(|f| SourceFile {
                    display: format!("builtin:mappings/{}", f.path().display()),
                    bytes: Cow::Borrowed(f.contents()),
                })
                .collect()),
            CatalogRoot::Dir(root) => {
                let dir = root.join("mappings");
                if !dir.is_dir() {
                    return Ok(Vec::new());
                }
                let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| is_yaml(p))
                    .collect();
                paths.sort();
                paths
                    .into_iter()
                    .map(|p| {
                        Ok(SourceFile {
                            display: p.display().to_string(),
                            bytes: Cow::Owned(read_inside(&dir, &file_name(&p))?),
                        })
                    })
                    .collect()
            }
        }
    }
}

/// The folder of one control, which holds its `tests/`.
#[derive(Debug, Clone)]
pub enum ControlDir {
    Embedded(&'static Dir<'static>),
    Disk(PathBuf),
}

impl ControlDir {
    /// Reads a file of the control's folder; `relative` uses `/` separators and stays inside
    /// the folder (no `..`, not absolute).
    pub fn read(&self, relative: &str) -> std::io::Result<Cow<'static, [u8]>> {
        if relative.is_empty()
            || relative.starts_with('/')
            || relative.split('/').any(|part| part == "..")
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path must be relative to the control's folder and stay inside it",
            ));
        }
        match self {
            ControlDir::Embedded(dir) => dir
                .get_file(dir.path().join(relative))
                .map(|f| Cow::Borrowed(f.contents()))
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")),
            ControlDir::Disk(dir) => read_inside(dir, relative).map(Cow::Owned),
        }
    }

    /// How a file of the control's folder is named in messages.
    pub fn display(&self, relative: &str) -> String {
        match self {
            ControlDir::Embedded(dir) => {
                format!("builtin:controls/{}/{relative}", dir.path().display())
            }
            ControlDir::Disk(dir) => dir.join(relative).display().to_string(),
        }
    }

    /// The test cases under `tests/pass`, `tests/fail`, `tests/warn` and `tests/error`, sorted.
    pub fn test_cases(&self) -> std::io::Result<Vec<TestCase>> {
        let mut cases = Vec::new();
        for outcome in ["pass", "fail", "warn", "error"] {
            match self {
                ControlDir::Embedded(dir) => {
                    let Some(DirEntry::Dir(group)) =
                        dir.get_entry(dir.path().join("tests").join(outcome))
                    else {
                        continue;
                    };
                    for entry in group.entries() {
                        let name = format!("{outcome}/{}", file_name(entry.path()));
                        let files = match entry {
                            DirEntry::File(f) => {
                                vec![(file_name(f.path()), Cow::Borrowed(f.contents()))]
                            }
                            DirEntry::Dir(d) => {
                                let mut files = Vec::new();
                                embedded_files(d, d.path(), &mut files);
                                files
                            }
                        };
                        cases.push(TestCase { name, files });
                    }
                }
                ControlDir::Disk(dir) => {
                    let group = dir.join("tests").join(outcome);
                    if !group.is_dir() {
                        continue;
                    }
                    for entry in std::fs::read_dir(&group)? {
                        let path = entry?.path();
                        let name = format!("{outcome}/{}", file_name(&path));
                        let files = if path.is_dir() {
                            walk(&path)?
                                .into_iter()
                                .map(|p| {
                                    let rel = relative(&path, &p);
                                    let bytes = read_inside(dir, &relative(dir, &p))?;
                                    Ok((rel, Cow::Owned(bytes)))
                                })
                                .collect::<std::io::Result<Vec<_>>>()?
                        } else {
                            let bytes = read_inside(dir, &relative(dir, &path))?;
                            vec![(file_name(&path), Cow::Owned(bytes))]
                        };
                        cases.push(TestCase { name, files });
                    }
                }
            }
        }
        cases.sort_by(|a, b| a.name.cmp(&b.name));
        for case in &mut cases {
            case.files.sort_by(|a, b| a.0.cmp(&b.0));
        }
        Ok(cases)
    }
}

fn embedded_controls(dir: &'static Dir<'static>, out: &mut Vec<(SourceFile, ControlDir)>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::File(f) if f.path().file_name().is_some_and(|n| n == "control.yaml") => {
                out.push((
                    SourceFile {
                        display: format!("builtin:controls/{}", f.path().display()),
                        bytes: Cow::Borrowed(f.contents()),
                    },
                    ControlDir::Embedded(dir),
                ));
            }
            DirEntry::Dir(d) if d.path().file_name().is_none_or(|n| n != "tests") => {
                embedded_controls(d, out)
            }
            _ => {}
        }
    }
}

fn embedded_files(
    dir: &'static Dir<'static>,
    base: &Path,
    out: &mut Vec<(String, Cow<'static, [u8]>)>,
) {
    for entry in dir.entries() {
        match entry {
            DirEntry::File(f) => out.push((relative(base, f.path()), Cow::Borrowed(f.contents()))),
            DirEntry::Dir(d) => embedded_files(d, base, out),
        }
    }
}

/// The largest catalog file read from disk.
const MAX_CATALOG_FILE: u64 = 16 * 1024 * 1024;

/// Reads the file at `relative` inside `dir`, refusing links that leave it and anything but
/// a regular file.
fn read_inside(dir: &Path, relative: &str) -> std::io::Result<Vec<u8>> {
    confine::read(dir, relative, MAX_CATALOG_FILE).map_err(|reason| {
        let kind = match reason {
            Refused::Missing => std::io::ErrorKind::NotFound,
            _ => std::io::ErrorKind::InvalidInput,
        };
        std::io::Error::new(kind, reason.to_string())
    })
}

/// YAML files placed directly in the catalog directory `root` (`DIR/x.yaml` instead of
/// `DIR/x/control.yaml`), which are not read as controls; none when `root` is itself a
/// control's folder.
pub fn misplaced_controls(root: &Path) -> Vec<PathBuf> {
    if root.join("control.yaml").exists() {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_yaml(p) && p.is_file())
        .collect();
    out.sort();
    out
}

/// Every file below `root`, sorted.
fn walk(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                if entry.file_name() != ".git" {
                    stack.push(path);
                }
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_under_tests(root: &Path, path: &Path) -> bool {
    path.strip_prefix(root)
        .map(|rel| rel.components().any(|c| c.as_os_str() == "tests"))
        .unwrap_or(false)
}

fn is_yaml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn relative(base: &Path, path: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
