//! Results of a scan and one renderer per output format.

pub mod json;
mod results;
pub mod terminal;

pub use results::{
    ControlReport, FrameworkReport, RequirementReport, Results, ScanInfo, SkippedReport,
    SourceErrorReport, Summary, Tool, SCHEMA_VERSION,
};
