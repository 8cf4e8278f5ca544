//! Results of a scan and one renderer per output format.

pub mod breakdown;
pub mod check;
pub mod check_terminal;
pub mod csv;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod oscal;
pub mod oscal_component;
mod results;
pub mod sarif;
pub mod shard;
pub mod table;
pub mod terminal;
mod uri;
pub mod waivers;

pub use results::{
    ControlKind, ControlReport, FrameworkReport, MappingRef, RequirementReport, Results, ScanInfo,
    SkippedReport, SourceErrorReport, Summary, Tool, SCHEMA_VERSION,
};
pub(crate) use uri::relative_uri;

/// The largest saved results (or baseline) file read.
pub const MAX_RESULTS_FILE: u64 = 1 << 30;

/// The bytes of a saved results file named on the command line: a regular file (a FIFO is
/// never opened) of at most [`MAX_RESULTS_FILE`] bytes; the error says why not.
pub fn read_saved(path: &std::path::Path) -> Result<Vec<u8>, String> {
    assay_collectors::confine::read_named(path, MAX_RESULTS_FILE)
        .map_err(|reason| format!("cannot read `{}`: {reason}", path.display()))
}
