//! The fuzz targets: one per parser or loader, each calling the real public entry point with
//! the input as the file it would read. Loaders that read directories get the input
//! materialised in a fresh folder of the worker's [`Sandbox`].

mod catalog;
mod checks;
mod evidence;
mod formats;
mod pack;
mod selftest;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assay_engine::catalog::{self as engine_catalog, Catalog, CatalogRoot};

use crate::seeds::Fixtures;

/// One parser or loader under test.
pub struct Target {
    pub name: &'static str,
    /// What the input is and which entry point reads it.
    pub about: &'static str,
    /// The repository fixture files (by repository-relative path) that seed this target.
    pub fixtures: fn(&str) -> bool,
    /// Seeds written for this target, added to the fixtures.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Keywords of the format, for the mutator's dictionary.
    pub tokens: &'static [&'static str],
    /// Runs one input. Anything but a normal return (panic, abort, hang) is a finding.
    pub run: fn(&Sandbox, &[u8]),
}

impl Target {
    /// The seed corpus: the matching fixtures and the target's own seeds.
    pub fn corpus(&self, fixtures: &Fixtures) -> Vec<Vec<u8>> {
        let mut corpus = fixtures.matching(self.fixtures);
        corpus.extend((self.seeds)());
        corpus
    }
}

/// Every target, in the order the runner runs them.
pub fn all() -> Vec<Target> {
    [
        formats::targets(),
        catalog::targets(),
        evidence::targets(),
        checks::targets(),
        pack::targets(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The target called `name`, among [`all`] and the self-test targets that fail on purpose.
pub fn find(name: &str) -> Option<Target> {
    all()
        .into_iter()
        .chain(selftest::targets())
        .find(|t| t.name == name)
}

/// The scratch space of one worker: a folder the worker's owner removes, and the repository
/// checkout.
pub struct Sandbox {
    dir: PathBuf,
    repo: PathBuf,
    builtin: OnceLock<Catalog>,
}

impl Sandbox {
    pub fn new(dir: &Path, repo: &Path) -> Sandbox {
        Sandbox {
            dir: dir.to_path_buf(),
            repo: repo.to_path_buf(),
            builtin: OnceLock::new(),
        }
    }

    /// An empty folder for the next input (the previous input's files are removed).
    pub fn fresh(&self) -> PathBuf {
        let dir = self.dir.join("input");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("clear the sandbox");
        }
        std::fs::create_dir_all(&dir).expect("create the sandbox");
        dir
    }

    /// A fresh folder holding `input` at the relative path `name` (parents created).
    pub fn with_file(&self, name: &str, input: &[u8]) -> PathBuf {
        let dir = self.fresh();
        write(&dir, name, input);
        dir
    }

    /// The repository checkout the fixtures come from.
    pub fn repo(&self) -> &Path {
        &self.repo
    }

    /// The catalog built into assay, loaded once per worker.
    pub fn builtin_catalog(&self) -> &Catalog {
        self.builtin.get_or_init(|| {
            engine_catalog::load(&[CatalogRoot::Builtin]).expect("the built-in catalog loads")
        })
    }
}

/// Writes `bytes` to `dir/name`, creating parent folders.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create a sandbox folder");
    }
    std::fs::write(path, bytes).expect("write a sandbox file");
}

/// No hand-written seeds.
fn none() -> Vec<Vec<u8>> {
    Vec::new()
}

/// Hand-written seeds from string literals.
fn texts(seeds: &[&str]) -> Vec<Vec<u8>> {
    seeds.iter().map(|s| s.as_bytes().to_vec()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_target_has_seeds() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let fixtures = Fixtures::scan(&repo);
        let targets = all();
        let mut names: Vec<&str> = targets.iter().map(|t| t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), targets.len());
        for t in &targets {
            assert!(!t.corpus(&fixtures).is_empty(), "{} has no seed", t.name);
        }
    }

    #[test]
    fn every_target_runs_its_seeds() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let fixtures = Fixtures::scan(&repo);
        let scratch = tempfile::tempdir().unwrap();
        let sandbox = Sandbox::new(scratch.path(), &repo);
        for t in all() {
            for seed in t.corpus(&fixtures).iter().take(3) {
                (t.run)(&sandbox, seed);
            }
        }
    }
}
