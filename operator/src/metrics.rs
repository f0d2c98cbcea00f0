//! Prometheus metrics of the operator: reconciles, failures by error label, reconcile
//! duration, clusters by phase, and the delivery of usage events to billing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use docfusion_crds::ClusterPhase;
use prometheus::{
    Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
};

use crate::Error;

/// The operator's metrics, registered on one registry.
pub struct Metrics {
    pub reconciles: IntCounter,
    pub failures: IntCounterVec,
    pub duration: Histogram,
    pub clusters: IntGaugeVec,
    /// Usage events by what became of them: billing's outcome (`accepted`, `duplicate`,
    /// `late`, `conflict`, `future`, `invalid`), or `refused` (4xx) / `dropped` (queue full).
    pub usage_events: IntCounterVec,
    /// Posts to billing that failed and will be resent.
    pub usage_delivery_failures: IntCounter,
    phases: Mutex<HashMap<String, ClusterPhase>>,
}

impl Metrics {
    /// Creates the metrics and registers them on `registry`.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let reconciles = IntCounter::new(
            "docfusion_operator_reconciles_total",
            "Reconciles of DocFusionCluster objects",
        )?;
        let failures = IntCounterVec::new(
            Opts::new(
                "docfusion_operator_reconcile_failures_total",
                "Failed reconciles, by error label",
            ),
            &["error"],
        )?;
        let duration = Histogram::with_opts(
            HistogramOpts::new(
                "docfusion_operator_reconcile_duration_seconds",
                "Duration of one reconcile",
            )
            .buckets(vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0]),
        )?;
        let clusters = IntGaugeVec::new(
            Opts::new("docfusion_operator_clusters", "DocFusionClusters by phase"),
            &["phase"],
        )?;
        let usage_events = IntCounterVec::new(
            Opts::new(
                "docfusion_operator_usage_events_total",
                "Usage events sent to billing, by outcome",
            ),
            &["outcome"],
        )?;
        let usage_delivery_failures = IntCounter::new(
            "docfusion_operator_usage_delivery_failures_total",
            "Posts of usage events to billing that failed and will be resent",
        )?;
        registry.register(Box::new(usage_events.clone()))?;
        registry.register(Box::new(usage_delivery_failures.clone()))?;
        registry.register(Box::new(reconciles.clone()))?;
        registry.register(Box::new(failures.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(clusters.clone()))?;
        for phase in ClusterPhase::ALL {
            clusters.with_label_values(&[phase.as_str()]).set(0);
        }
        Ok(Self {
            reconciles,
            failures,
            duration,
            clusters,
            usage_events,
            usage_delivery_failures,
            phases: Mutex::new(HashMap::new()),
        })
    }

    /// The usage event counter of `outcome`.
    pub fn usage_events_with(&self, outcome: &str) -> IntCounter {
        self.usage_events.with_label_values(&[outcome])
    }

    /// Counts a reconcile and returns a guard that records its duration when dropped.
    pub fn reconcile_started(&self) -> DurationGuard<'_> {
        self.reconciles.inc();
        DurationGuard {
            histogram: &self.duration,
            start: Instant::now(),
        }
    }

    /// Counts a failed reconcile under the error's label.
    pub fn reconcile_failed(&self, error: &Error) {
        self.failures
            .with_label_values(&[error.metric_label().as_str()])
            .inc();
    }

    /// Records the phase of cluster `key` (`namespace/name`).
    pub fn set_phase(&self, key: &str, phase: ClusterPhase) {
        self.update_phases(|phases| {
            phases.insert(key.to_string(), phase);
        });
    }

    /// Forgets a deleted cluster.
    pub fn forget(&self, key: &str) {
        self.update_phases(|phases| {
            phases.remove(key);
        });
    }

    fn update_phases(&self, change: impl FnOnce(&mut HashMap<String, ClusterPhase>)) {
        // A poisoned lock only means another reconcile panicked mid-update; the map is
        // still a valid map, so keep counting.
        let mut phases = self.phases.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut phases);
        for phase in ClusterPhase::ALL {
            let count = phases.values().filter(|p| **p == phase).count();
            self.clusters
                .with_label_values(&[phase.as_str()])
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
    }
}

/// Observes the reconcile duration when dropped.
pub struct DurationGuard<'a> {
    histogram: &'a Histogram,
    start: Instant,
}

impl Drop for DurationGuard<'_> {
    fn drop(&mut self) {
        self.histogram.observe(self.start.elapsed().as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_counted_per_cluster_not_per_reconcile() {
        let registry = Registry::new();
        let m = Metrics::register(&registry).expect("register");
        m.set_phase("a/x", ClusterPhase::Provisioning);
        m.set_phase("a/x", ClusterPhase::Ready);
        m.set_phase("a/y", ClusterPhase::Ready);
        let gauge = |p: ClusterPhase| m.clusters.with_label_values(&[p.as_str()]).get();
        assert_eq!(gauge(ClusterPhase::Ready), 2);
        assert_eq!(gauge(ClusterPhase::Provisioning), 0);
        m.forget("a/y");
        assert_eq!(gauge(ClusterPhase::Ready), 1);
        {
            let _guard = m.reconcile_started();
        }
        assert_eq!(m.reconciles.get(), 1);
        assert_eq!(m.duration.get_sample_count(), 1);
        m.reconcile_failed(&Error::MissingField("metadata.uid"));
        assert_eq!(m.failures.with_label_values(&["missing_field"]).get(), 1);
    }
}
