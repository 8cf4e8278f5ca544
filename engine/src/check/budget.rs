//! The wall time one control's check may take over all its inputs (`limits.check_seconds`).
//! Rego and Cedar checks look at it between inputs and between authorization requests; once it
//! has run out they stop, and the control gets an `error` finding naming the limit.

use std::time::{Duration, Instant};

use assay_collectors::limits::Limits;

/// The deadline of one control's evaluation.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    deadline: Instant,
    seconds: u64,
}

impl Budget {
    /// A budget of `limits.check_seconds` starting now.
    pub fn start(limits: &Limits) -> Budget {
        let now = Instant::now();
        Budget {
            deadline: now
                .checked_add(Duration::from_secs(limits.check_seconds))
                .unwrap_or(now + Duration::from_secs(u32::MAX.into())),
            seconds: limits.check_seconds,
        }
    }

    /// The time left (zero once spent).
    pub fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Whether the time has run out.
    pub fn is_spent(&self) -> bool {
        self.left().is_zero()
    }

    /// Why evaluation stopped, for the control's error finding.
    pub fn spent_message(&self) -> String {
        format!(
            "evaluation stopped: the control's time budget of {} s ran out (raise \
             `limits.check_seconds` in assay.yaml)",
            self.seconds
        )
    }
}
