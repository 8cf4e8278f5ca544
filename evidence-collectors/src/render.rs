//! Helm charts and Kustomize directories, which hold templates rather than manifests.
//!
//! A chart is a directory with `Chart.yaml`; the files under its `templates/` are never parsed
//! as YAML. A Kustomize directory has a `kustomization.yaml` (or `.yml`); the patch files it
//! names are not workloads and are never judged as such. When `helm` / `kubectl` are on PATH,
//! each chart is rendered with `helm template` and each kustomization with `kubectl kustomize`;
//! the rendered manifests become YAML documents, attributed to the template named in helm's
//! `# Source:` comments (or to the `kustomization.yaml`), with lines counted within each
//! rendered document. A kustomization that another one of the scan builds (names under
//! `resources` or `bases`) is judged in that one's output only, not rendered on its own.
//! Without the program, one note per chart or kustomization says how to render it.
//!
//! Rendering never leaves the scan root and never uses the network: the files under the chart
//! or kustomization directories are copied (through [`confine`], so links leading out and
//! oversized files stay out) into a temporary directory, the program runs there with an empty
//! environment (no PATH, so no `git` for remote bases; an unreachable proxy for HTTP; its
//! own empty home), dependencies are never updated, and it is stopped after
//! [`RENDER_SECONDS`] or once its output passes the file size limit.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::collector::{Collection, Scope, SkippedFile, SourceError};
use crate::document::{Document, EvidenceKind, Format};
use crate::formats::yaml;
use crate::suppress;

/// Wall time one `helm template` or `kubectl kustomize` run may take.
pub const RENDER_SECONDS: u64 = 60;

/// Most bytes copied for rendering, all files under the charts and kustomizations together.
pub const MIRROR_BYTES: u64 = 256 << 20;

/// Most bytes of a renderer's error output kept for the message.
const STDERR_BYTES: u64 = 64 << 10;

/// The file names that make a directory a Kustomize directory.
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml"];

/// The renderers found on PATH (or given by a test).
#[derive(Debug, Clone, Default)]
pub struct Renderers {
    pub helm: Option<PathBuf>,
    pub kubectl: Option<PathBuf>,
}

impl Renderers {
    /// `helm` and `kubectl` as found on PATH.
    pub fn from_path() -> Self {
        Self {
            helm: on_path("helm"),
            kubectl: on_path("kubectl"),
        }
    }
}

/// The executable file `name` in a directory of PATH.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// One Kustomize directory.
#[derive(Debug)]
struct Kustomization {
    /// Root-relative directory (empty for the root).
    dir: String,
    /// Root-relative path of its `kustomization.yaml`.
    file: String,
    /// How many YAML documents the file itself holds: rendered documents are numbered after them.
    own_documents: usize,
    /// Whether another kustomization of the scan builds it (names its directory under
    /// `resources` or `bases`): it is then judged in that one's output only.
    built_by_other: bool,
}

/// The charts and Kustomize directories of a scan, found among the config files.
#[derive(Debug, Default)]
pub struct Sources {
    /// Root-relative chart directories rendered on their own (subcharts are rendered with
    /// their parent), empty for a chart at the root.
    charts: Vec<String>,
    /// Every chart directory, subcharts included.
    all_charts: Vec<String>,
    kustomizations: Vec<Kustomization>,
    /// Patch files and the kustomization that names them.
    patches: BTreeMap<String, String>,
}

/// `path` below the root-relative directory `dir` (`""` for the root)?
fn below(dir: &str, path: &str) -> bool {
    dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn in_dir(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// `path` written relative to the root-relative `dir`, normalized; `None` when it leaves the
/// root or is absolute.
fn resolve(dir: &str, path: &str) -> Option<String> {
    if path.starts_with('/') || path.contains("://") {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The patch files a kustomization names (`patches`, `patchesStrategicMerge`,
/// `patchesJson6902`), relative to its directory.
fn patch_files(kustomization: &Value) -> Vec<&str> {
    let mut found = Vec::new();
    for key in ["patches", "patchesJson6902"] {
        if let Some(Value::Array(items)) = kustomization.get(key) {
            found.extend(items.iter().filter_map(|p| p.get("path")?.as_str()));
        }
    }
    if let Some(Value::Array(items)) = kustomization.get("patchesStrategicMerge") {
        // An entry is a file name or an inline patch (several lines).
        found.extend(
            items
                .iter()
                .filter_map(Value::as_str)
                .filter(|p| !p.contains('\n')),
        );
    }
    found
}

impl Sources {
    /// The charts and kustomizations among the root-relative config files `paths`; each
    /// kustomization file is read (through `scope`) for the patches it names.
    pub fn find(scope: &Scope, paths: &[String]) -> Sources {
        let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
        let all_charts: Vec<String> = paths
            .iter()
            .filter(|p| name(p) == "Chart.yaml")
            .map(|p| parent(p).to_string())
            .collect();
        // Top-level charts with templates to render (a `Chart.yaml` alone renders nothing).
        let charts = all_charts
            .iter()
            .filter(|c| {
                !all_charts
                    .iter()
                    .any(|outer| outer != *c && below(&in_dir(outer, "charts"), c))
            })
            .filter(|c| {
                let templates = in_dir(c, "templates");
                paths.iter().any(|p| below(&templates, p))
            })
            .cloned()
            .collect();
        let mut sources = Sources {
            charts,
            all_charts,
            ..Sources::default()
        };
        // Directories other kustomizations build as their bases.
        let mut built: Vec<String> = Vec::new();
        for file in paths
            .iter()
            .filter(|p| KUSTOMIZATION_FILES.contains(&name(p).as_str()))
        {
            let dir = parent(file).to_string();
            // An unreadable or invalid kustomization is reported when it is parsed as YAML.
            let docs = scope
                .read(file)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .and_then(|text| yaml::parse(&text).ok())
                .unwrap_or_default();
            let Some(data) = docs.first().map(|d| &d.data) else {
                continue;
            };
            for patch in patch_files(data) {
                if let Some(path) = resolve(&dir, patch) {
                    sources.patches.entry(path).or_insert_with(|| file.clone());
                }
            }
            // A component is only built as part of another kustomization.
            if data.get("kind").and_then(Value::as_str) == Some("Component") {
                continue;
            }
            for key in ["resources", "bases"] {
                let entries = data
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten();
                for entry in entries.filter_map(Value::as_str) {
                    if let Some(base) = resolve(&dir, entry).filter(|b| *b != dir) {
                        built.push(base);
                    }
                }
            }
            sources.kustomizations.push(Kustomization {
                dir,
                file: file.clone(),
                own_documents: docs.len(),
                built_by_other: false,
            });
        }
        for k in &mut sources.kustomizations {
            k.built_by_other = built.contains(&k.dir);
        }
        sources
    }

    /// Whether the config file at `path` is read through rendering rather than parsed: a
    /// chart template or a kustomize patch.
    pub fn replaces(&self, path: &str) -> bool {
        self.patches.contains_key(path) || self.is_template(path)
    }

    fn is_template(&self, path: &str) -> bool {
        self.all_charts
            .iter()
            .any(|chart| below(&in_dir(chart, "templates"), path))
    }

    /// The notes on the patch files, which are never judged on their own.
    fn patch_notes(&self) -> Vec<SkippedFile> {
        self.patches
            .iter()
            .map(|(patch, kustomization)| SkippedFile {
                path: patch.clone(),
                reason: format!(
                    "kustomize patch named by {kustomization}: judged in the rendered output, \
                     not as a workload"
                ),
            })
            .collect()
    }

    /// Renders every chart and kustomization with `renderers`, or notes why not.
    pub fn render(&self, scope: &Scope, renderers: &Renderers) -> Collection {
        let mut collection = Collection {
            skipped: self.patch_notes(),
            ..Collection::default()
        };
        if self.charts.is_empty() && self.kustomizations.is_empty() {
            return collection;
        }
        let needed = (renderers.helm.is_some() && !self.charts.is_empty())
            || (renderers.kubectl.is_some() && !self.kustomizations.is_empty());
        let mirror = match needed.then(|| Mirror::of(scope, self)) {
            Some(Ok(m)) => Some(m),
            Some(Err(e)) => {
                collection.errors.push(SourceError {
                    path: ".".into(),
                    position: None,
                    message: format!("charts and kustomizations not rendered: {e}"),
                    hint: Some(
                        "check that the temporary directory is writable, or pass rendered \
                         manifests with `assay scan -`"
                            .into(),
                    ),
                });
                None
            }
            None => None,
        };
        let jobs: Vec<Job> = self
            .charts
            .iter()
            .map(|dir| Job::Chart(dir.as_str()))
            // A base is judged in the output of the overlays that build it.
            .chain(
                self.kustomizations
                    .iter()
                    .filter(|k| !k.built_by_other)
                    .map(Job::Kustomize),
            )
            .collect();
        let parts: Vec<Collection> = jobs
            .par_iter()
            .map(|job| match (job.program(renderers), &mirror) {
                (Some(program), Some(mirror)) => job.render(program, mirror, scope),
                _ => job.not_rendered(),
            })
            .collect();
        for part in parts {
            collection.extend(part);
        }
        collection
    }
}

/// The files under the charts and kustomizations, copied into a temporary directory.
struct Mirror {
    dir: tempfile::TempDir,
    /// sha256 (hex) of each copied file.
    digests: BTreeMap<String, Arc<str>>,
}

impl Mirror {
    fn of(scope: &Scope, sources: &Sources) -> std::io::Result<Mirror> {
        let dirs: Vec<&str> = sources
            .charts
            .iter()
            .map(String::as_str)
            .chain(sources.kustomizations.iter().map(|k| k.dir.as_str()))
            .collect();
        let files = scope.files(&|p| {
            scope.admits(p)
                && !p.split('/').any(|c| c == crate::config::CACHE_DIR)
                && dirs.iter().any(|d| below(d, p))
        });
        let dir = tempfile::tempdir()?;
        let tree = dir.path().join("tree");
        std::fs::create_dir_all(&tree)?;
        std::fs::create_dir_all(dir.path().join("home"))?;
        let mut digests = BTreeMap::new();
        let mut copied = 0u64;
        for file in files {
            // What cannot be read is noted by the walk or the YAML parse; rendering does without.
            let Ok(bytes) = scope.read(&file) else {
                continue;
            };
            copied += bytes.len() as u64;
            if copied > MIRROR_BYTES {
                return Err(std::io::Error::other(format!(
                    "the files under the charts and kustomizations pass {} MiB",
                    MIRROR_BYTES >> 20
                )));
            }
            let target = tree.join(&file);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&target, &bytes)?;
            digests.insert(file, hex::encode(Sha256::digest(&bytes)).into());
        }
        Ok(Mirror { dir, digests })
    }

    fn path_of(&self, dir: &str) -> PathBuf {
        self.dir.path().join("tree").join(dir)
    }
}

/// One chart or kustomization to render.
enum Job<'s> {
    Chart(&'s str),
    Kustomize(&'s Kustomization),
}

impl Job<'_> {
    fn program<'r>(&self, renderers: &'r Renderers) -> Option<&'r Path> {
        match self {
            Job::Chart(_) => renderers.helm.as_deref(),
            Job::Kustomize(_) => renderers.kubectl.as_deref(),
        }
    }

    /// The note of a chart or kustomization whose renderer is missing.
    fn not_rendered(&self) -> Collection {
        let (path, what, program) = match self {
            Job::Chart(dir) => (
                format!("{}/", in_dir(dir, "templates")),
                "Helm chart",
                "helm",
            ),
            Job::Kustomize(k) => (k.file.clone(), "Kustomize directory", "kubectl"),
        };
        Collection {
            skipped: vec![SkippedFile {
                path,
                reason: format!(
                    "{what} not rendered: install {program} or pass rendered manifests with \
                     `assay scan -`"
                ),
            }],
            ..Collection::default()
        }
    }

    fn render(&self, program: &Path, mirror: &Mirror, scope: &Scope) -> Collection {
        let (args, origin, what): (Vec<std::ffi::OsString>, String, &str) = match self {
            Job::Chart(dir) => (
                vec![
                    "template".into(),
                    "release".into(),
                    mirror.path_of(dir).into_os_string(),
                ],
                in_dir(dir, "Chart.yaml"),
                "helm template",
            ),
            Job::Kustomize(k) => (
                vec!["kustomize".into(), mirror.path_of(&k.dir).into_os_string()],
                k.file.clone(),
                "kubectl kustomize",
            ),
        };
        let failed = |message: String| {
            Collection::failed(SourceError {
                path: origin.clone(),
                position: None,
                message,
                hint: Some(format!(
                    "run `{what}` on it to see the problem; dependencies are never downloaded \
                     (run `helm dependency build` first), or pass rendered manifests with \
                     `assay scan -`"
                )),
            })
        };
        let output = match run(program, &args, mirror.dir.path(), scope.max_file_size) {
            Ok(text) => text,
            Err(message) => return failed(format!("`{what}` failed: {message}")),
        };
        match self {
            Job::Chart(dir) => chart_documents(&output, dir, &origin, mirror),
            Job::Kustomize(k) => {
                let digest = mirror.digests.get(&k.file).cloned().unwrap_or_default();
                let mut collection = Collection::default();
                for (i, chunk) in split_documents(&output).into_iter().enumerate() {
                    let at = Attribution {
                        path: &k.file,
                        index: k.own_documents + i,
                        digest: &digest,
                        what,
                    };
                    at.add(chunk, &mut collection);
                }
                collection
            }
        }
    }
}

/// Where the documents of one rendered chunk are attributed.
struct Attribution<'a> {
    path: &'a str,
    index: usize,
    digest: &'a Arc<str>,
    what: &'a str,
}

impl Attribution<'_> {
    /// Parses `chunk` (one rendered document) into `collection`.
    fn add(&self, chunk: &str, collection: &mut Collection) {
        match yaml::parse(chunk) {
            Ok(parsed) => {
                let path: Arc<str> = self.path.into();
                let suppressions: Arc<[suppress::Suppression]> =
                    suppress::scan(Format::Yaml, chunk).into();
                collection
                    .documents
                    .extend(parsed.into_iter().map(|p| Document {
                        kind: EvidenceKind::Config,
                        format: Format::Yaml,
                        path: path.clone(),
                        index: self.index,
                        data: p.data,
                        lines: p.lines,
                        digest: self.digest.clone(),
                        suppressions: suppressions.clone(),
                    }));
            }
            Err(e) => collection.errors.push(SourceError {
                path: self.path.to_string(),
                position: Some(e.position),
                message: format!(
                    "invalid yaml in the output of `{}` (line within the rendered document): {}",
                    self.what, e.message
                ),
                hint: None,
            }),
        }
    }
}

/// The documents of `helm template` output for the chart in `dir`, each attributed to the
/// template its `# Source:` comment names (the chart's `Chart.yaml` when it names none).
fn chart_documents(output: &str, dir: &str, chart_file: &str, mirror: &Mirror) -> Collection {
    let mut collection = Collection::default();
    let mut next_index: BTreeMap<String, usize> = BTreeMap::new();
    for chunk in split_documents(output) {
        let path = chunk
            .lines()
            .find_map(|l| l.strip_prefix("# Source: "))
            // `<chart name>/templates/x.yaml`, `<chart name>/charts/sub/templates/x.yaml`
            .and_then(|source| source.trim().split_once('/'))
            .map(|(_, inside)| in_dir(dir, inside))
            .filter(|p| mirror.digests.contains_key(p))
            .unwrap_or_else(|| chart_file.to_string());
        let index = next_index.entry(path.clone()).or_default();
        let digest = mirror.digests.get(&path).cloned().unwrap_or_default();
        Attribution {
            path: &path,
            index: *index,
            digest: &digest,
            what: "helm template",
        }
        .add(chunk, &mut collection);
        *index += 1;
    }
    collection
}

/// The documents of a YAML stream, split at `---` lines, without the empty ones.
fn split_documents(stream: &str) -> Vec<&str> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in stream.split_inclusive('\n') {
        if line.trim_end() == "---" {
            chunks.push(&stream[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    chunks.push(&stream[start..]);
    chunks
        .into_iter()
        .filter(|c| {
            c.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect()
}

/// Runs `program` in `work` with an empty environment, for at most [`RENDER_SECONDS`]; its
/// standard output (at most `limit` bytes) as text, or why it failed.
fn run(
    program: &Path,
    args: &[std::ffi::OsString],
    work: &Path,
    limit: u64,
) -> Result<String, String> {
    let home = work.join("home");
    let mut child = Command::new(program)
        .args(args)
        .current_dir(work)
        .env_clear()
        .env("HOME", &home)
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("KUBECONFIG", home.join("kubeconfig"))
        // Nothing listens there: any HTTP(S) fetch fails at once.
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("HTTPS_PROXY", "http://127.0.0.1:9")
        .env("NO_PROXY", "")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let stdout = child.stdout.take().map(|s| bounded_reader(s, limit));
    let stderr = child.stderr.take().map(|s| bounded_reader(s, STDERR_BYTES));
    let deadline = Instant::now() + Duration::from_secs(RENDER_SECONDS);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let joined = |reader: Option<std::thread::JoinHandle<(Vec<u8>, bool)>>| {
        reader.and_then(|r| r.join().ok()).unwrap_or_default()
    };
    let (out, overflow) = joined(stdout);
    let (err, _) = joined(stderr);
    if overflow {
        return Err(format!(
            "its output is larger than the file size limit ({limit} bytes)"
        ));
    }
    let Some(status) = status else {
        return Err(format!("it did not finish within {RENDER_SECONDS} s"));
    };
    if !status.success() {
        let err = String::from_utf8_lossy(&err);
        let reason = err
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .find(|l| l.starts_with("Error") || l.starts_with("error"))
            .or_else(|| err.lines().map(str::trim).rfind(|l| !l.is_empty()))
            .unwrap_or("no error message");
        let reason: String = reason.chars().take(300).collect();
        return Err(format!("{status}: {reason}"));
    }
    String::from_utf8(out).map_err(|_| "its output is not UTF-8 text".to_string())
}

/// Reads `source` on a thread, keeping at most `limit` bytes; stops reading (closing the pipe,
/// so the program stops writing) past the limit and then says so.
fn bounded_reader(
    source: impl Read + Send + 'static,
    limit: u64,
) -> std::thread::JoinHandle<(Vec<u8>, bool)> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let read = source.take(limit + 1).read_to_end(&mut kept);
        let over = kept.len() as u64 > limit;
        kept.truncate(limit as usize);
        (kept, over || read.is_err())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn patches(sources: &Sources) -> BTreeSet<&str> {
        sources.patches.keys().map(String::as_str).collect()
    }

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        dir
    }

    #[test]
    fn finds_charts_subcharts_kustomizations_and_patches() {
        let dir = tree(&[
            ("deploy/chart/Chart.yaml", "name: web\n"),
            ("deploy/chart/charts/db/Chart.yaml", "name: db\n"),
            (
                "k/overlay/kustomization.yaml",
                "resources: [../base]\npatches:\n  - path: patch.yaml\n  - patch: |-\n      x\npatchesStrategicMerge: [./more/sm.yaml, ../../../outside.yaml]\npatchesJson6902:\n  - path: ../j.yaml\n",
            ),
            ("k/base/kustomization.yaml", "resources: [d.yaml]\n"),
            ("k/comp/kustomization.yaml", "kind: Component\n"),
        ]);
        let paths: Vec<String> = [
            "deploy/chart/Chart.yaml",
            "deploy/chart/templates/deployment.yaml",
            "deploy/chart/charts/db/Chart.yaml",
            "k/base/kustomization.yaml",
            "k/comp/kustomization.yaml",
            "k/overlay/kustomization.yaml",
        ]
        .map(String::from)
        .to_vec();
        let sources = Sources::find(&Scope::new(dir.path()), &paths);
        assert_eq!(sources.charts, vec!["deploy/chart"]);
        assert!(sources.replaces("deploy/chart/templates/deployment.yaml"));
        assert!(sources.replaces("deploy/chart/charts/db/templates/sts.yaml"));
        assert!(!sources.replaces("deploy/chart/values.yaml"));
        assert!(!sources.replaces("deploy/chart-templates/x.yaml"));
        assert_eq!(
            patches(&sources),
            BTreeSet::from(["k/j.yaml", "k/overlay/more/sm.yaml", "k/overlay/patch.yaml"])
        );
        let dirs: Vec<&str> = sources
            .kustomizations
            .iter()
            .map(|k| k.dir.as_str())
            .collect();
        assert_eq!(dirs, vec!["k/base", "k/overlay"]);
        // The base is built by the overlay: only the overlay is rendered.
        let built: Vec<bool> = sources
            .kustomizations
            .iter()
            .map(|k| k.built_by_other)
            .collect();
        assert_eq!(built, vec![true, false]);
    }

    #[test]
    fn a_chart_without_templates_is_not_rendered() {
        let dir = tree(&[("chart/Chart.yaml", "name: web\n")]);
        let sources = Sources::find(&Scope::new(dir.path()), &["chart/Chart.yaml".to_string()]);
        assert!(sources.charts.is_empty());
    }

    #[test]
    fn without_renderers_each_chart_and_kustomization_gets_one_note() {
        let dir = tree(&[
            ("chart/Chart.yaml", "name: web\n"),
            ("chart/templates/d.yaml", "{{ .Values.x }}\n"),
            ("k/kustomization.yaml", "patches: [{path: p.yaml}]\n"),
        ]);
        let paths = [
            "chart/Chart.yaml",
            "chart/templates/d.yaml",
            "k/kustomization.yaml",
        ]
        .map(String::from);
        let scope = Scope::new(dir.path());
        let c = Sources::find(&scope, &paths).render(&scope, &Renderers::default());
        assert!(c.documents.is_empty() && c.errors.is_empty());
        let notes: Vec<(&str, &str)> = c
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert_eq!(notes[0].0, "k/p.yaml");
        assert!(notes[0]
            .1
            .starts_with("kustomize patch named by k/kustomization.yaml"));
        assert_eq!(notes[1].0, "chart/templates/");
        assert_eq!(
            notes[1].1,
            "Helm chart not rendered: install helm or pass rendered manifests with `assay scan -`"
        );
        assert_eq!(notes[2].0, "k/kustomization.yaml");
        assert!(notes[2].1.starts_with("Kustomize directory not rendered"));
    }

    #[test]
    fn splits_streams_and_attributes_helm_sources() {
        let stream = "---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/charts/db/templates/b.yaml\nkind: B\n---\n# Source: web/templates/a.yaml\nkind: A2\n---\n# Source: web/templates/gone.yaml\nkind: C\n---\n# only a comment\n";
        assert_eq!(split_documents(stream).len(), 4);
        let dir = tree(&[
            ("c/Chart.yaml", "name: web\n"),
            ("c/templates/a.yaml", "kind: A\n"),
            ("c/charts/db/templates/b.yaml", "kind: B\n"),
        ]);
        let scope = Scope::new(dir.path());
        let sources = Sources::find(
            &scope,
            &["c/Chart.yaml", "c/templates/a.yaml"].map(String::from),
        );
        let mirror = Mirror::of(&scope, &sources).unwrap();
        let c = chart_documents(stream, "c", "c/Chart.yaml", &mirror);
        let docs: Vec<(&str, usize, &str, u32)> = c
            .documents
            .iter()
            .map(|d| {
                (
                    d.path.as_ref(),
                    d.index,
                    d.data["kind"].as_str().unwrap(),
                    d.line("/kind"),
                )
            })
            .collect();
        assert_eq!(
            docs,
            vec![
                ("c/templates/a.yaml", 0, "A", 2),
                ("c/charts/db/templates/b.yaml", 0, "B", 2),
                ("c/templates/a.yaml", 1, "A2", 2),
                ("c/Chart.yaml", 0, "C", 2),
            ]
        );
        assert_eq!(
            c.documents[0].digest.as_ref(),
            hex::encode(Sha256::digest(b"kind: A\n"))
        );
    }

    #[test]
    fn paths_resolve_inside_the_root_only() {
        assert_eq!(resolve("a/b", "../c.yaml").as_deref(), Some("a/c.yaml"));
        assert_eq!(resolve("", "./x/./y.yaml").as_deref(), Some("x/y.yaml"));
        assert_eq!(resolve("a", "../../x.yaml"), None);
        assert_eq!(resolve("a", "/etc/passwd"), None);
        assert_eq!(resolve("a", "https://example.com/p.yaml"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_program_that_does_not_stop_is_stopped_and_output_is_bounded() {
        let work = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(work.path().join("home")).unwrap();
        let sh = Path::new("/bin/sh");
        let args = |script: &str| vec!["-c".into(), script.into()];
        let err = run(sh, &args("while :; do echo yes; done"), work.path(), 1000).unwrap_err();
        assert!(err.contains("larger than the file size limit"), "{err}");
        let err = run(
            sh,
            &args("echo Error: no chart >&2; exit 3"),
            work.path(),
            1000,
        )
        .unwrap_err();
        assert!(err.contains("Error: no chart"), "{err}");
        assert_eq!(
            run(sh, &args("echo ok"), work.path(), 1000).unwrap(),
            "ok\n"
        );
    }
}
