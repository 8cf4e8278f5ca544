//! Waivers: justified exceptions to controls, from a waivers file and from inline
//! `assay:ignore` comments, applied to findings after evaluation and before scoring.

mod apply;
mod file;
mod lint;

pub use apply::{apply, suppressions_of, Applied, SuppressionMap, Waivers};
pub use file::{Waiver, WaiverFile, WaiverScope};
pub use lint::{lint, Lint};

/// The calendar day (UTC) of `time`, against which expiry dates are judged.
pub fn day_of(time: std::time::SystemTime) -> jiff::civil::Date {
    jiff::Timestamp::try_from(time)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}
