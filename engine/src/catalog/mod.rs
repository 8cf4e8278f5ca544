//! The catalog: controls and framework mappings, loaded from the built-in set and from the
//! user's directories, validated as a whole before anything runs.

mod control;
mod load;
mod mapping;
mod source;

pub use control::{Control, TestExpectation, TestSpec};
pub use load::{load, Catalog};
pub use mapping::{Coverage, CoverageCounts, Framework, Requirement};
pub use source::{CatalogRoot, ControlDir, SourceFile, TestCase};
