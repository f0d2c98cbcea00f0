//! The service's Prometheus metrics.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// Every metric the service exports.
#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    /// Events by outcome: accepted, late, duplicate, conflict, future, invalid.
    pub events: IntCounterVec,
    /// Duration of an ingest transaction (event rows and rollups).
    pub flush_seconds: Histogram,
    /// Ingest transactions that failed (nothing acknowledged).
    pub flush_failures: IntCounter,
    /// Quota decisions served, by decision.
    pub quota_decisions: IntCounterVec,
    /// Stripe outbox rows not yet sent.
    pub outbox_pending: IntGauge,
    /// Stripe send attempts by result (sent, failed).
    pub outbox_attempts: IntCounterVec,
}

impl Metrics {
    /// New metrics in their own registry.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let events = IntCounterVec::new(
            Opts::new("billing_events_total", "Usage events by outcome"),
            &["outcome"],
        )?;
        let flush_seconds = Histogram::with_opts(HistogramOpts::new(
            "billing_flush_duration_seconds",
            "Duration of ingest transactions",
        ))?;
        let flush_failures = IntCounter::new(
            "billing_flush_failures_total",
            "Ingest transactions that failed",
        )?;
        let quota_decisions = IntCounterVec::new(
            Opts::new(
                "billing_quota_decisions_total",
                "Quota decisions by decision",
            ),
            &["decision"],
        )?;
        let outbox_pending =
            IntGauge::new("billing_outbox_pending", "Stripe outbox rows not yet sent")?;
        let outbox_attempts = IntCounterVec::new(
            Opts::new(
                "billing_outbox_attempts_total",
                "Stripe send attempts by result",
            ),
            &["result"],
        )?;
        for outcome in [
            "accepted",
            "late",
            "duplicate",
            "conflict",
            "future",
            "invalid",
        ] {
            events.with_label_values(&[outcome]);
        }
        registry.register(Box::new(events.clone()))?;
        registry.register(Box::new(flush_seconds.clone()))?;
        registry.register(Box::new(flush_failures.clone()))?;
        registry.register(Box::new(quota_decisions.clone()))?;
        registry.register(Box::new(outbox_pending.clone()))?;
        registry.register(Box::new(outbox_attempts.clone()))?;
        Ok(Metrics {
            registry,
            events,
            flush_seconds,
            flush_failures,
            quota_decisions,
            outbox_pending,
            outbox_attempts,
        })
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let encoder = TextEncoder::new();
        if encoder
            .encode(&self.registry.gather(), &mut buffer)
            .is_err()
        {
            return String::new();
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}
