//! Summaries of repeated timings: median and minimum.

use std::time::Duration;

/// The timings of one query on one side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Median of the runs, in milliseconds.
    pub median_ms: f64,
    /// Fastest run, in milliseconds.
    pub min_ms: f64,
}

/// The median and minimum of `runs`; `None` when there are none. An even number of runs
/// gives the mean of the two middle ones.
pub fn summarize(runs: &[Duration]) -> Option<Summary> {
    if runs.is_empty() {
        return None;
    }
    let mut ms: Vec<f64> = runs.iter().map(|d| d.as_secs_f64() * 1_000.0).collect();
    ms.sort_by(f64::total_cmp);
    let mid = ms.len() / 2;
    let median_ms = if ms.len() % 2 == 1 {
        ms[mid]
    } else {
        (ms[mid - 1] + ms[mid]) / 2.0
    };
    Some(Summary {
        median_ms,
        min_ms: ms[0],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        let s = summarize(&ms(&[9, 1, 5, 7, 3])).unwrap();
        assert_eq!(s.median_ms, 5.0);
        assert_eq!(s.min_ms, 1.0);
        let s = summarize(&ms(&[4, 2, 10, 8])).unwrap();
        assert_eq!(s.median_ms, 6.0);
        assert_eq!(s.min_ms, 2.0);
    }

    #[test]
    fn no_runs_no_summary() {
        assert_eq!(summarize(&[]), None);
    }
}
