//! Reading the scanned repository without leaving it: every file a collector (or the engine)
//! reads on behalf of the repository is named by a root-relative path, resolved with its links
//! against the canonical scan root, refused when it lands outside, refused when it is not a
//! regular file (FIFOs and devices are never opened), and read up to a size limit. Files the
//! person running assay names (command-line paths) are read the same way, minus the root.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// Why a root-relative path was not read; its `Display` is the reason reported for the
/// skipped or failed item. No reason names a path of the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The path as written is absolute or climbs out with `..`.
    PathOutside,
    /// A link on the way points outside the scan root.
    LinkOutside,
    /// A FIFO, socket, device or directory where a file was expected.
    NotRegular,
    /// Larger than the limit (bytes).
    TooLarge(u64),
    /// Nothing at the path (or a broken link).
    Missing,
    /// The operating system refused (the OS reason, without a path).
    Unreadable(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::PathOutside => f.write_str("path leaves the scan root"),
            Refused::LinkOutside => f.write_str("link leaves the scan root"),
            Refused::NotRegular => f.write_str("not a regular file"),
            Refused::TooLarge(max) => write!(f, "larger than the {max}-byte limit"),
            Refused::Missing => f.write_str("no such file"),
            Refused::Unreadable(reason) => f.write_str(reason),
        }
    }
}

impl Refused {
    /// The refusal for an I/O error, keeping only the OS reason.
    pub fn from_io(e: &std::io::Error) -> Refused {
        match e.kind() {
            std::io::ErrorKind::NotFound => Refused::Missing,
            _ => Refused::Unreadable(os_reason(e)),
        }
    }

    /// Whether the refusal is about the path (outside the root, not a file) rather than about
    /// reading it: such items are skipped with a note instead of reported as errors.
    pub fn is_skip(&self) -> bool {
        matches!(
            self,
            Refused::PathOutside
                | Refused::LinkOutside
                | Refused::NotRegular
                | Refused::TooLarge(_)
        )
    }
}

/// The reason of an I/O error without any path, e.g. `permission denied`.
pub fn os_reason(e: &std::io::Error) -> String {
    e.kind().to_string()
}

/// Whether `relative` stays inside the root as written: not absolute, and no `..` climbs above
/// the root.
fn lexically_inside(relative: &str) -> bool {
    if relative.starts_with('/') || relative.starts_with('\\') {
        return false;
    }
    let mut depth = 0usize;
    for c in Path::new(relative).components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// The normal form of the root-relative `relative` (`a/./b/../c` → `a/c`, `""` for the root),
/// or `None` when it is absolute or climbs out of the root as written.
pub fn lexical(relative: &str) -> Option<String> {
    if !lexically_inside(relative) {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in relative.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The canonical path of the root-relative `relative` (links resolved), when it stays inside
/// the canonical `root`. It may be a file, a directory or anything else.
pub fn resolve(root: &Path, relative: &str) -> Result<PathBuf, Refused> {
    if !lexically_inside(relative) {
        return Err(Refused::PathOutside);
    }
    let base = root.canonicalize().map_err(|e| Refused::from_io(&e))?;
    let target = base.join(relative).canonicalize().map_err(|e| {
        match base.join(relative).symlink_metadata() {
            // The path itself exists: a broken or looping link.
            Ok(_) => Refused::Missing,
            Err(_) => Refused::from_io(&e),
        }
    })?;
    if target.starts_with(&base) {
        Ok(target)
    } else {
        Err(Refused::LinkOutside)
    }
}

/// Where to write the root-relative `relative` so that the write stays inside the root: the
/// path as written must not climb out, nor be a link, and the nearest part of it that exists
/// must resolve inside the root (a file not yet there is created below it).
pub fn writable(root: &Path, relative: &str) -> Result<PathBuf, Refused> {
    if !lexically_inside(relative) {
        return Err(Refused::PathOutside);
    }
    let full = root.join(relative);
    if full
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        // A write goes through the link: it must resolve inside the root (a dangling one
        // could point anywhere).
        return match resolve(root, relative) {
            Ok(_) => Ok(full),
            Err(Refused::Missing) => Err(Refused::LinkOutside),
            Err(refused) => Err(refused),
        };
    }
    let mut existing = Path::new(relative);
    loop {
        match resolve(root, &existing.to_string_lossy()) {
            Ok(_) => return Ok(full),
            Err(Refused::Missing) => match existing.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => existing = parent,
                _ => return Ok(full),
            },
            Err(refused) => return Err(refused),
        }
    }
}

/// Whether the root-relative `relative` is a regular file inside the root.
pub fn is_file(root: &Path, relative: &str) -> bool {
    resolve(root, relative).is_ok_and(|p| p.metadata().is_ok_and(|m| m.is_file()))
}

/// Opens the root-relative `relative` for reading: a regular file inside the root, whose size
/// is at most `max` bytes.
pub fn open(root: &Path, relative: &str, max: u64) -> Result<(File, u64), Refused> {
    open_regular(&resolve(root, relative)?, max)
}

/// Opens `path` if it is a regular file of at most `max` bytes.
fn open_regular(path: &Path, max: u64) -> Result<(File, u64), Refused> {
    // The type is checked before opening, so that a FIFO or device is never opened (opening
    // a FIFO blocks until a writer comes), and again on the handle.
    let meta = path.metadata().map_err(|e| Refused::from_io(&e))?;
    if !meta.is_file() {
        return Err(Refused::NotRegular);
    }
    let file = open_nonblocking(path).map_err(|e| Refused::from_io(&e))?;
    let meta = file.metadata().map_err(|e| Refused::from_io(&e))?;
    if !meta.is_file() {
        return Err(Refused::NotRegular);
    }
    if meta.len() > max {
        return Err(Refused::TooLarge(max));
    }
    Ok((file, meta.len()))
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// `O_NONBLOCK` of the platform's `open(2)`.
#[cfg(any(target_os = "linux", target_os = "android"))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
const O_NONBLOCK: i32 = 0x0004;

/// The bytes of the root-relative `relative`, read as [`open`] opens it.
pub fn read(root: &Path, relative: &str, max: u64) -> Result<Vec<u8>, Refused> {
    read_opened(open(root, relative, max)?, max)
}

/// The bytes of `path`, named by the person running assay (or already resolved inside a root
/// with [`resolve`]): like [`read`], a regular file of at most `max` bytes, without a root.
pub fn read_named(path: &Path, max: u64) -> Result<Vec<u8>, Refused> {
    read_opened(open_regular(path, max)?, max)
}

fn read_opened((file, size): (File, u64), max: u64) -> Result<Vec<u8>, Refused> {
    // Sized from the metadata, so that a file is read in one call (and one more that finds
    // its end) rather than in a growing series of small reads.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Refused::from_io(&e))?;
    if bytes.len() as u64 > max {
        return Err(Refused::TooLarge(max));
    }
    Ok(bytes)
}

/// The sha256 (hex) of the root-relative `relative`, streamed (no size limit), read as
/// [`open`] opens it.
pub fn sha256(root: &Path, relative: &str) -> Result<String, Refused> {
    use sha2::{Digest, Sha256};
    let (mut file, _) = open(root, relative, u64::MAX)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 1 << 16];
    loop {
        match file.read(&mut buf).map_err(|e| Refused::from_io(&e))? {
            0 => return Ok(hex::encode(hasher.finalize())),
            n => hasher.update(&buf[..n]),
        }
    }
}

/// The root-relative form (with `/` separators) of a path written relative to the
/// root-relative directory `dir` (e.g. evidence named in an attestation file).
pub fn join(dir: &str, path: &str) -> String {
    if dir.is_empty() || path.starts_with('/') || path.starts_with('\\') {
        path.to_string()
    } else {
        format!("{dir}/{path}")
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn writes_stay_inside_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        std::fs::create_dir_all(root.join("out")).unwrap();
        std::os::unix::fs::symlink(tmp.path(), root.join("up")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("x.json"), root.join("file-link.json")).unwrap();
        assert_eq!(
            super::writable(&root, "out/new/results.json").unwrap(),
            root.join("out/new/results.json")
        );
        assert!(super::writable(&root, "results.json").is_ok());
        for (path, refused) in [
            ("../results.json", super::Refused::PathOutside),
            ("/tmp/results.json", super::Refused::PathOutside),
            ("up/results.json", super::Refused::LinkOutside),
            ("up/new/results.json", super::Refused::LinkOutside),
            ("file-link.json", super::Refused::LinkOutside),
        ] {
            assert_eq!(super::writable(&root, path), Err(refused), "{path}");
        }
    }

    use super::*;

    fn tree() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.yaml"), "a: 1\n").unwrap();
        std::fs::write(dir.path().join("outside.yaml"), "secret: 1\n").unwrap();
        (dir, root)
    }

    #[test]
    fn paths_inside_the_root_are_read() {
        let (_dir, root) = tree();
        assert_eq!(read(&root, "sub/a.yaml", 100).unwrap(), b"a: 1\n");
        assert_eq!(read(&root, "./sub/../sub/a.yaml", 100).unwrap(), b"a: 1\n");
        assert_eq!(read(&root, "sub/a.yaml", 2), Err(Refused::TooLarge(2)));
        assert_eq!(read(&root, "sub/none.yaml", 100), Err(Refused::Missing));
        assert_eq!(read(&root, "sub", 100), Err(Refused::NotRegular));
        assert_eq!(
            read_named(&root.join("sub/a.yaml"), 100).unwrap(),
            b"a: 1\n"
        );
        assert_eq!(
            read_named(&root.join("sub/a.yaml"), 2),
            Err(Refused::TooLarge(2))
        );
        assert_eq!(read_named(&root.join("sub"), 100), Err(Refused::NotRegular));
    }

    #[test]
    fn paths_leaving_the_root_are_refused() {
        let (dir, root) = tree();
        let absolute = dir.path().join("outside.yaml").display().to_string();
        assert_eq!(
            read(&root, "../outside.yaml", 100),
            Err(Refused::PathOutside)
        );
        assert_eq!(
            read(&root, "sub/../../outside.yaml", 100),
            Err(Refused::PathOutside)
        );
        assert_eq!(read(&root, &absolute, 100), Err(Refused::PathOutside));
    }

    #[cfg(unix)]
    #[test]
    fn links_are_resolved_before_the_check() {
        let (dir, root) = tree();
        let link = |target: &Path, name: &str| {
            std::os::unix::fs::symlink(target, root.join(name)).unwrap();
        };
        link(&dir.path().join("outside.yaml"), "out.yaml");
        link(Path::new("sub/a.yaml"), "in.yaml");
        link(Path::new("/dev/zero"), "zero.yaml");
        link(Path::new("nowhere.yaml"), "broken.yaml");
        assert_eq!(read(&root, "out.yaml", 100), Err(Refused::LinkOutside));
        assert_eq!(read(&root, "in.yaml", 100).unwrap(), b"a: 1\n");
        assert_eq!(read(&root, "zero.yaml", 100), Err(Refused::LinkOutside));
        assert_eq!(read(&root, "broken.yaml", 100), Err(Refused::Missing));
        assert!(is_file(&root, "in.yaml"));
        assert!(!is_file(&root, "out.yaml"));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_never_opened() {
        let (_dir, root) = tree();
        let status = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.yaml"))
            .status();
        if !status.is_ok_and(|s| s.success()) {
            assert!(std::env::var("CI").is_err(), "mkfifo is missing");
            eprintln!("skipped: mkfifo is missing");
            return;
        }
        // Opening the FIFO would block this test for ever.
        assert_eq!(read(&root, "pipe.yaml", 100), Err(Refused::NotRegular));
        assert_eq!(
            read_named(&root.join("pipe.yaml"), 100),
            Err(Refused::NotRegular)
        );
    }
}
