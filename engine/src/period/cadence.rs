//! Dates and ISO weeks of an observation period: when a scan happened, which weeks the period
//! spans, which of them no scan covers, and how far apart the scans are.

use jiff::civil::Date;
use jiff::tz::Offset;
use jiff::{Timestamp, ToSpan};
use serde::Serialize;

/// The longest period accepted, in days (ten years): the list of weeks stays bounded.
pub const MAX_DAYS: i32 = 3660;

/// A `YYYY-MM-DD` date, as `--from` and `--to` take it.
pub fn parse_day(text: &str) -> Result<Date, String> {
    let valid = text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
    valid
        .then(|| text.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

/// The instant of an RFC 3339 time such as a scan's `finished_at`.
pub fn instant(time: &str) -> Result<Timestamp, String> {
    time.parse()
        .map_err(|e| format!("`{time}` is not an RFC 3339 time: {e}"))
}

/// The UTC day of an RFC 3339 time.
pub fn day_of(time: &str) -> Result<Date, String> {
    Ok(utc_day(instant(time)?))
}

/// The UTC day of an instant.
pub fn utc_day(at: Timestamp) -> Date {
    Offset::UTC.to_datetime(at).date()
}

/// The ISO week of a day, named like `2026-W17`.
pub fn week_of(day: Date) -> String {
    let w = day.iso_week_date();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// Every ISO week that has a day in `[from, to]`, in order.
pub fn weeks(from: Date, to: Date) -> Vec<String> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let week = week_of(day);
        if out.last() != Some(&week) {
            out.push(week);
        }
        match day.checked_add(1.day()) {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

/// Whole days from `a` to `b`.
pub fn days_between(a: Date, b: Date) -> i64 {
    i64::from((b - a).get_days())
}

/// How often the period was scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cadence {
    /// ISO weeks with a day in the period.
    pub weeks: usize,
    /// Of those, the weeks with at least one scan.
    pub weeks_scanned: usize,
    /// The weeks with no scan, like `2026-W17`.
    pub gaps: Vec<String>,
    /// The median number of days between consecutive scans (the lower one of two middles);
    /// none with fewer than two scans.
    pub median_interval_days: Option<i64>,
    /// The most days between consecutive scans; none with fewer than two scans.
    pub longest_interval_days: Option<i64>,
}

impl Cadence {
    /// The cadence of scans on `days` (in order) over `[from, to]`.
    pub fn of(from: Date, to: Date, days: &[Date]) -> Cadence {
        let all = weeks(from, to);
        let scanned: std::collections::BTreeSet<String> =
            days.iter().map(|d| week_of(*d)).collect();
        let gaps: Vec<String> = all
            .iter()
            .filter(|w| !scanned.contains(*w))
            .cloned()
            .collect();
        let mut intervals: Vec<i64> = days.windows(2).map(|w| days_between(w[0], w[1])).collect();
        intervals.sort_unstable();
        Cadence {
            weeks: all.len(),
            weeks_scanned: all.len() - gaps.len(),
            gaps,
            median_interval_days: (!intervals.is_empty())
                .then(|| intervals[(intervals.len() - 1) / 2]),
            longest_interval_days: intervals.last().copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        parse_day(text).unwrap()
    }

    #[test]
    fn days_parse_strictly() {
        assert_eq!(d("2026-01-05"), jiff::civil::date(2026, 1, 5));
        for bad in [
            "2026-02-30",
            "2026-1-5",
            "20260105",
            "",
            "2026-01-05T00:00:00Z",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
        assert_eq!(
            day_of("2026-01-04T23:30:00-02:00").unwrap(),
            d("2026-01-05"),
            "the UTC day"
        );
        assert!(day_of("yesterday").is_err());
    }

    #[test]
    fn weeks_are_iso_weeks_across_year_ends() {
        // 2025-12-29 is the Monday of 2026-W01; 2027-01-03 is the Sunday of 2026-W53.
        assert_eq!(week_of(d("2025-12-29")), "2026-W01");
        assert_eq!(week_of(d("2027-01-03")), "2026-W53");
        assert_eq!(
            weeks(d("2025-12-28"), d("2026-01-12")),
            ["2025-W52", "2026-W01", "2026-W02", "2026-W03"]
        );
        assert_eq!(weeks(d("2026-01-05"), d("2026-01-05")), ["2026-W02"]);
    }

    #[test]
    fn gaps_and_intervals() {
        let scans = [
            d("2026-01-05"),
            d("2026-01-12"),
            d("2026-01-26"),
            d("2026-01-27"),
        ];
        let c = Cadence::of(d("2026-01-05"), d("2026-02-01"), &scans);
        assert_eq!(c.weeks, 4);
        assert_eq!(c.weeks_scanned, 3);
        assert_eq!(c.gaps, ["2026-W04"]);
        assert_eq!(c.median_interval_days, Some(7));
        assert_eq!(c.longest_interval_days, Some(14));
        let none = Cadence::of(d("2026-01-05"), d("2026-01-11"), &[]);
        assert_eq!(none.gaps, ["2026-W02"]);
        assert_eq!(none.median_interval_days, None);
    }
}
