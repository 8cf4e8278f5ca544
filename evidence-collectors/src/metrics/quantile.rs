//! Quantiles from classic histogram buckets, computed the way PromQL's `histogram_quantile`
//! computes them, edge cases included:
//! - the buckets are sorted by upper bound, and the highest must be `+Inf` (else NaN);
//! - buckets with the same upper bound are merged; counts that differ from the previous one by
//!   a relative 1e-12 or less are treated as equal (float noise);
//! - counts are made monotonic by carrying the running maximum forward;
//! - fewer than two buckets, or no observations, give NaN;
//! - a quantile that falls into the `+Inf` bucket is the upper bound of the second-highest;
//! - the lowest bucket is interpolated from 0 when its upper bound is positive; when it is 0 or
//!   negative, its upper bound is returned;
//! - otherwise the value is interpolated linearly within the bucket holding the rank.

/// One bucket: observations less than or equal to `le`, cumulative.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub le: f64,
    pub count: f64,
}

/// What computing a quantile involved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantile {
    pub value: f64,
    /// Counts had to be made monotonic (inconsistent input).
    pub forced_monotonic: bool,
}

/// The `q`-quantile of `buckets` (in any order).
pub fn histogram_quantile(q: f64, buckets: &[Bucket]) -> Quantile {
    let plain = |value: f64| Quantile {
        value,
        forced_monotonic: false,
    };
    if q.is_nan() || buckets.is_empty() {
        return plain(f64::NAN);
    }
    if q < 0.0 {
        return plain(f64::NEG_INFINITY);
    }
    if q > 1.0 {
        return plain(f64::INFINITY);
    }
    let mut sorted = buckets.to_vec();
    sorted.sort_by(|a, b| a.le.total_cmp(&b.le));
    if sorted.last().is_none_or(|b| b.le != f64::INFINITY) {
        return plain(f64::NAN);
    }
    let mut merged: Vec<Bucket> = Vec::with_capacity(sorted.len());
    for b in sorted {
        match merged.last_mut() {
            Some(last) if last.le == b.le => last.count += b.count,
            _ => merged.push(b),
        }
    }
    smooth_float_noise(&mut merged, 1e-12);
    let forced_monotonic = make_monotonic(&mut merged);
    let with = |value: f64| Quantile {
        value,
        forced_monotonic,
    };
    if merged.len() < 2 {
        return with(f64::NAN);
    }
    let n = merged.len();
    let observations = merged[n - 1].count;
    if observations == 0.0 {
        return with(f64::NAN);
    }
    let mut rank = q * observations;
    let b = merged[..n - 1].partition_point(|bucket| bucket.count < rank);
    if b == n - 1 {
        return with(merged[n - 2].le);
    }
    if b == 0 && merged[0].le <= 0.0 {
        return with(merged[0].le);
    }
    let (mut start, end, mut count) = (0.0, merged[b].le, merged[b].count);
    if b > 0 {
        start = merged[b - 1].le;
        count -= merged[b - 1].count;
        rank -= merged[b - 1].count;
    }
    with(start + (end - start) * (rank / count))
}

/// Treats counts within a relative `tolerance` of the previous count as equal to it.
fn smooth_float_noise(buckets: &mut [Bucket], tolerance: f64) {
    let mut previous = buckets[0].count;
    for b in buckets.iter_mut().skip(1) {
        let delta = (b.count - previous).abs();
        if delta == 0.0 {
            continue;
        }
        if delta / b.count <= tolerance {
            b.count = previous;
        } else {
            previous = b.count;
        }
    }
}

/// Carries the running maximum forward; true when some count had to be raised.
fn make_monotonic(buckets: &mut [Bucket]) -> bool {
    let mut forced = false;
    let mut max = buckets[0].count;
    for b in buckets.iter_mut().skip(1) {
        if b.count > max {
            max = b.count;
        } else if b.count < max {
            b.count = max;
            forced = true;
        }
    }
    forced
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buckets(pairs: &[(f64, f64)]) -> Vec<Bucket> {
        pairs
            .iter()
            .map(|&(le, count)| Bucket { le, count })
            .collect()
    }

    fn q(q: f64, pairs: &[(f64, f64)]) -> f64 {
        histogram_quantile(q, &buckets(pairs)).value
    }

    #[test]
    fn interpolates_within_the_bucket() {
        let b = [
            (0.1, 50.0),
            (0.5, 90.0),
            (1.0, 100.0),
            (f64::INFINITY, 100.0),
        ];
        // Rank 50 is the top of the first bucket, interpolated from 0.
        assert!((q(0.5, &b) - 0.1).abs() < 1e-12);
        // Rank 70: halfway through (0.1, 0.5].
        assert!((q(0.7, &b) - 0.3).abs() < 1e-12);
        assert!((q(0.95, &b) - 0.75).abs() < 1e-12);
        // Order of input does not matter.
        let mut shuffled = b;
        shuffled.reverse();
        assert!((q(0.95, &shuffled) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn edge_cases_match_promql() {
        let inf = f64::INFINITY;
        // In the +Inf bucket: the second-highest upper bound.
        assert_eq!(q(0.99, &[(1.0, 10.0), (2.0, 20.0), (inf, 100.0)]), 2.0);
        // No +Inf bucket, too few buckets, no observations: NaN.
        assert!(q(0.5, &[(1.0, 10.0), (2.0, 20.0)]).is_nan());
        assert!(q(0.5, &[(inf, 10.0)]).is_nan());
        assert!(q(0.5, &[(1.0, 0.0), (inf, 0.0)]).is_nan());
        // Lowest bucket with a bound <= 0 returns that bound.
        assert_eq!(q(0.1, &[(-1.0, 5.0), (1.0, 10.0), (inf, 10.0)]), -1.0);
        // q outside [0, 1].
        assert_eq!(q(-0.1, &[(1.0, 1.0), (inf, 1.0)]), f64::NEG_INFINITY);
        assert_eq!(q(1.1, &[(1.0, 1.0), (inf, 1.0)]), inf);
        assert!(q(f64::NAN, &[(1.0, 1.0), (inf, 1.0)]).is_nan());
        // Same upper bound twice: merged.
        assert!((q(0.5, &[(1.0, 5.0), (1.0, 5.0), (2.0, 20.0), (inf, 20.0)]) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn monotonicity_is_forced_and_reported() {
        let inf = f64::INFINITY;
        let r = histogram_quantile(
            0.5,
            &buckets(&[(1.0, 10.0), (2.0, 8.0), (3.0, 20.0), (inf, 20.0)]),
        );
        assert!(r.forced_monotonic);
        // After the fix (10, 10, 20, 20): rank 10 falls at the top of the first bucket.
        assert!((r.value - 1.0).abs() < 1e-12);
        let clean = histogram_quantile(0.5, &buckets(&[(1.0, 10.0), (inf, 20.0)]));
        assert!(!clean.forced_monotonic);
    }
}
