//! The catalog: controls and framework mappings, loaded from the built-in set and from the
//! user's directories, validated as a whole before anything runs.

mod control;
mod crosswalk;
mod format;
mod load;
mod mapping;
pub mod oscal_import;
mod parameters;
mod selection;
mod source;

pub use control::{Control, TestExpectation, TestSpec, WhenEmpty};
pub use crosswalk::{crosswalk, CrosswalkMatch, CrosswalkRow};
pub use format::{control_schema, schema_of};
pub use load::{load, load_with, Catalog};
pub use mapping::{
    Coverage, CoverageCounts, Exclusion, Framework, FrameworkChoice, FrameworkSelection,
    Requirement, Soc2Category,
};
pub use parameters::{Overrides, ParamType, Parameter};
pub use selection::{Skip, SkippedControl};
pub use source::{CatalogRoot, ControlDir, SourceFile, TestCase};
