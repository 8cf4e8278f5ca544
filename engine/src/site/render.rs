//! The template set (built in, or overridden file by file from a directory) and the writer that
//! renders pages into the output folder and counts what it wrote.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use include_dir::{include_dir, Dir, DirEntry};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{merge_maps, Value};
use minijinja::{Environment, UndefinedBehavior};

static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../templates/site");

/// The page templates every template set must have.
const PAGES: [&str; 17] = [
    "overview.html",
    "framework.html",
    "requirement.html",
    "controls.html",
    "control.html",
    "evidence_index.html",
    "evidence.html",
    "waivers.html",
    "scan.html",
    "search.html",
    "documents.html",
    "layout.html",
    "org_layout.html",
    "org_overview.html",
    "org_team.html",
    "org_framework.html",
    "org_requirement.html",
];
/// Files below this folder of a template set are copied to the site as they are.
const ASSETS: &str = "assets/";

/// Templates and static assets of the site.
pub struct Templates {
    env: Environment<'static>,
    assets: BTreeMap<String, Vec<u8>>,
}

impl Templates {
    /// The templates embedded in the binary.
    pub fn builtin() -> Result<Templates, String> {
        Templates::load(None)
    }

    /// The built-in templates, each replaced by the file of the same name in `dir` when there
    /// is one (`dir` is laid out like `templates/site`: page templates and `assets/`).
    pub fn with_overrides(dir: &Path) -> Result<Templates, String> {
        Templates::load(Some(dir))
    }

    fn load(dir: Option<&Path>) -> Result<Templates, String> {
        let mut files: BTreeMap<String, (String, Vec<u8>)> = BTreeMap::new();
        embedded(&BUILTIN, &mut files);
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(format!(
                    "templates directory `{}` does not exist\n  hint: give --templates a folder laid out like the built-in set (overview.html, control.html, assets/site.css, ...)",
                    dir.display()
                ));
            }
            for rel in crate::pack::list_files(dir)? {
                let path = dir.join(&rel);
                let bytes = std::fs::read(&path)
                    .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
                files.insert(rel, (path.display().to_string(), bytes));
            }
        }
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| e.to_string())?;
        env.set_syntax(syntax);
        let mut assets = BTreeMap::new();
        for (name, (origin, bytes)) in files {
            if name.starts_with(ASSETS) {
                assets.insert(name, bytes);
            } else if name.ends_with(".html") {
                let source = String::from_utf8(bytes)
                    .map_err(|_| format!("template `{origin}` is not UTF-8"))?;
                env.add_template_owned(name, source)
                    .map_err(|e| template_error(&e, &origin))?;
            }
        }
        for page in PAGES {
            env.get_template(page).map_err(|e| {
                format!(
                    "the template set has no usable `{page}`: {}",
                    e.detail().unwrap_or("")
                )
            })?;
        }
        Ok(Templates { env, assets })
    }
}

fn template_error(e: &minijinja::Error, origin: &str) -> String {
    let at = e.line().map_or_else(String::new, |l| format!(":{l}"));
    format!(
        "{origin}{at}: {}\n  hint: fix the template, or remove it from --templates to use the built-in one",
        e.detail().map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind()))
    )
}

fn embedded(dir: &'static Dir<'static>, out: &mut BTreeMap<String, (String, Vec<u8>)>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::File(f) => {
                let rel = f
                    .path()
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(
                    rel.clone(),
                    (
                        format!("builtin:templates/site/{rel}"),
                        f.contents().to_vec(),
                    ),
                );
            }
            DirEntry::Dir(d) => embedded(d, out),
        }
    }
}

/// Size figures of a rendered site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteStats {
    /// HTML pages written.
    pub pages: usize,
    /// Every file written (pages, assets, search index).
    pub files: usize,
    pub bytes: u64,
    /// The heaviest page and its size in bytes.
    pub largest_page: (String, u64),
}

/// Renders pages into an output folder; safe to share between threads.
pub struct Site<'t> {
    templates: &'t Templates,
    out: PathBuf,
    stats: Mutex<SiteStats>,
}

impl<'t> Site<'t> {
    /// Creates `out` and copies the assets into it.
    pub fn new(templates: &'t Templates, out: &Path) -> Result<Site<'t>, String> {
        std::fs::create_dir_all(out)
            .map_err(|e| format!("cannot create `{}`: {e}", out.display()))?;
        let site = Site {
            templates,
            out: out.to_path_buf(),
            stats: Mutex::new(SiteStats::default()),
        };
        for (name, bytes) in &templates.assets {
            site.write(name, bytes)?;
        }
        Ok(site)
    }

    /// Renders `template` with `context` (plus `root`, the way back to the site's top, a key
    /// the context must not use) into the page at `path` (relative to the site, `/`
    /// separators).
    pub fn page(&self, template: &str, path: &str, context: Value) -> Result<(), String> {
        let root = "../".repeat(path.matches('/').count());
        let context = merge_maps([minijinja::context! { root => root }, context]);
        let html = self
            .templates
            .env
            .get_template(template)
            .and_then(|t| t.render(context))
            .map_err(|e| {
                format!(
                    "cannot render `{path}`: {}",
                    template_error(&e, e.name().unwrap_or(template))
                )
            })?;
        self.write(path, html.as_bytes())?;
        let mut stats = self.stats.lock().expect("stats lock");
        stats.pages += 1;
        let size = html.len() as u64;
        if size > stats.largest_page.1
            || (size == stats.largest_page.1 && path < stats.largest_page.0.as_str())
        {
            stats.largest_page = (path.to_string(), size);
        }
        Ok(())
    }

    /// Writes a file of the site.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<(), String> {
        let full = self.out.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&full, bytes)
            .map_err(|e| format!("cannot write `{}`: {e}", full.display()))?;
        let mut stats = self.stats.lock().expect("stats lock");
        stats.files += 1;
        stats.bytes += bytes.len() as u64;
        Ok(())
    }

    /// The figures of everything written.
    pub fn finish(self) -> SiteStats {
        self.stats.into_inner().expect("stats lock")
    }
}
