//! Billing periods (calendar months in UTC) and one-minute rollup windows.

use chrono::{DateTime, Datelike, Duration, DurationRound, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A half-open interval `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    /// First instant inside.
    pub start: DateTime<Utc>,
    /// First instant after.
    pub end: DateTime<Utc>,
}

impl Period {
    /// The calendar month (UTC) that contains `t`.
    pub fn month_containing(t: DateTime<Utc>) -> Period {
        let start = month_start(t.year(), t.month());
        let (year, month) = if t.month() == 12 {
            (t.year() + 1, 1)
        } else {
            (t.year(), t.month() + 1)
        };
        Period {
            start,
            end: month_start(year, month),
        }
    }

    /// The month after this one.
    pub fn next(&self) -> Period {
        Period::month_containing(self.end)
    }

    /// Whether `t` is inside.
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }

    /// Length in whole seconds.
    pub fn seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }
}

fn month_start(year: i32, month: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The start of the one-minute window that holds `t`.
pub fn minute_window(t: DateTime<Utc>) -> DateTime<Utc> {
    t.duration_trunc(Duration::minutes(1)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn months_and_minutes() {
        let p = Period::month_containing(t("2026-12-31T23:59:59.999Z"));
        assert_eq!(p.start, t("2026-12-01T00:00:00Z"));
        assert_eq!(p.end, t("2027-01-01T00:00:00Z"));
        assert_eq!(p.next().end, t("2027-02-01T00:00:00Z"));
        assert!(p.contains(p.start) && !p.contains(p.end));
        assert_eq!(
            Period::month_containing(t("2026-02-10T00:00:00Z")).seconds(),
            28 * 86400
        );
        assert_eq!(
            minute_window(t("2026-03-01T10:07:59.9Z")),
            t("2026-03-01T10:07:00Z")
        );
    }
}
