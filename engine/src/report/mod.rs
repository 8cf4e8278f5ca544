//! Results of a scan and one renderer per output format.

pub mod breakdown;
pub mod check;
pub mod check_terminal;
pub mod csv;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod oscal;
mod results;
pub mod sarif;
pub mod terminal;
mod uri;
pub mod waivers;

pub use results::{
    ControlKind, ControlReport, FrameworkReport, MappingRef, RequirementReport, Results, ScanInfo,
    SkippedReport, SourceErrorReport, Summary, Tool, SCHEMA_VERSION,
};
