//! The node's Prometheus metrics (served at `GET /metrics`): connections, statements by
//! protocol and outcome, statement latency, rows and bytes returned, and per-shard scan time.
//!
//! Metrics live in one registry per process, like every Prometheus client library's default.

use std::sync::LazyLock;
use std::time::Duration;

use crate::error::{SqlError, sqlstate};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The node's metrics.
pub struct Metrics {
    registry: Registry,
    /// Open client connections, by protocol.
    pub connections: IntGaugeVec,
    /// Connections accepted since start, by protocol.
    pub connections_total: IntCounterVec,
    /// Failed authentications, by protocol.
    pub auth_failures_total: IntCounterVec,
    /// Statements, by protocol and outcome (`ok`, `error`, `canceled`).
    pub statements_total: IntCounterVec,
    /// Statements running now, by protocol.
    pub statements_running: IntGaugeVec,
    /// Statement latency, by protocol.
    pub statement_seconds: HistogramVec,
    /// Rows returned to clients, by protocol.
    pub rows_returned_total: IntCounterVec,
    /// Bytes of result data returned to clients, by protocol.
    pub bytes_returned_total: IntCounterVec,
    /// Time from the start of a shard scan to its last row, by shard.
    pub shard_scan_seconds: HistogramVec,
    /// Statements answered by the prepared point-read fast path, by shard.
    pub point_reads_total: IntCounterVec,
    /// Queries the point-read fast path sent to each shard (one may answer many reads).
    pub point_read_shard_queries_total: IntCounterVec,
    /// Rows the replica loaded from each shard's snapshot at its last (re)build.
    pub replica_rows_loaded: IntGaugeVec,
    /// Live rows the replica holds, by shard.
    pub replica_rows: IntGaugeVec,
    /// Memory the replica holds, by shard and collection.
    pub replica_memory_bytes: IntGaugeVec,
    /// Row changes the replica applied from the change feed, by shard.
    pub replica_changes_total: IntCounterVec,
    /// 1 when the shard's replica is ready to serve, else 0.
    pub replica_ready: IntGaugeVec,
}

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

fn build() -> Result<Metrics, prometheus::Error> {
    let registry = Registry::new_custom(Some("docfusion".into()), None)?;
    let connections = IntGaugeVec::new(
        Opts::new("connections", "Open client connections"),
        &["protocol"],
    )?;
    let connections_total = IntCounterVec::new(
        Opts::new("connections_total", "Client connections accepted"),
        &["protocol"],
    )?;
    let auth_failures_total = IntCounterVec::new(
        Opts::new("auth_failures_total", "Failed authentications"),
        &["protocol"],
    )?;
    let statements_total = IntCounterVec::new(
        Opts::new("statements_total", "Statements run, by outcome"),
        &["protocol", "outcome"],
    )?;
    let statements_running = IntGaugeVec::new(
        Opts::new("statements_running", "Statements running now"),
        &["protocol"],
    )?;
    let statement_seconds = HistogramVec::new(
        HistogramOpts::new("statement_duration_seconds", "Statement latency")
            .buckets(LATENCY_BUCKETS.to_vec()),
        &["protocol"],
    )?;
    let rows_returned_total = IntCounterVec::new(
        Opts::new("rows_returned_total", "Rows returned to clients"),
        &["protocol"],
    )?;
    let bytes_returned_total = IntCounterVec::new(
        Opts::new("bytes_returned_total", "Result bytes returned to clients"),
        &["protocol"],
    )?;
    let shard_scan_seconds = HistogramVec::new(
        HistogramOpts::new("shard_scan_duration_seconds", "Duration of shard scans")
            .buckets(LATENCY_BUCKETS.to_vec()),
        &["shard"],
    )?;
    let point_reads_total = IntCounterVec::new(
        Opts::new(
            "point_reads_total",
            "Prepared reads by id answered by the fast path",
        ),
        &["shard"],
    )?;
    let replica_rows_loaded = IntGaugeVec::new(
        Opts::new(
            "replica_rows_loaded",
            "Rows loaded from the shard's snapshot by the replica's last build",
        ),
        &["shard"],
    )?;
    let replica_rows = IntGaugeVec::new(
        Opts::new("replica_rows", "Live rows the replica holds"),
        &["shard"],
    )?;
    let replica_memory_bytes = IntGaugeVec::new(
        Opts::new("replica_memory_bytes", "Memory the replica holds"),
        &["shard", "collection"],
    )?;
    let replica_changes_total = IntCounterVec::new(
        Opts::new(
            "replica_changes_total",
            "Row changes applied from the change feed",
        ),
        &["shard"],
    )?;
    let replica_ready = IntGaugeVec::new(
        Opts::new("replica_ready", "1 when the shard's replica serves queries"),
        &["shard"],
    )?;
    registry.register(Box::new(replica_rows_loaded.clone()))?;
    registry.register(Box::new(replica_rows.clone()))?;
    registry.register(Box::new(replica_memory_bytes.clone()))?;
    registry.register(Box::new(replica_changes_total.clone()))?;
    registry.register(Box::new(replica_ready.clone()))?;
    registry.register(Box::new(connections.clone()))?;
    registry.register(Box::new(connections_total.clone()))?;
    registry.register(Box::new(auth_failures_total.clone()))?;
    registry.register(Box::new(statements_total.clone()))?;
    registry.register(Box::new(statements_running.clone()))?;
    registry.register(Box::new(statement_seconds.clone()))?;
    registry.register(Box::new(rows_returned_total.clone()))?;
    registry.register(Box::new(bytes_returned_total.clone()))?;
    registry.register(Box::new(shard_scan_seconds.clone()))?;
    let point_read_shard_queries_total = IntCounterVec::new(
        Opts::new(
            "point_read_shard_queries_total",
            "Shard queries sent by the point-read fast path; concurrent reads share one",
        ),
        &["shard"],
    )?;
    registry.register(Box::new(point_reads_total.clone()))?;
    registry.register(Box::new(point_read_shard_queries_total.clone()))?;
    Ok(Metrics {
        registry,
        connections,
        connections_total,
        auth_failures_total,
        statements_total,
        statements_running,
        statement_seconds,
        rows_returned_total,
        bytes_returned_total,
        shard_scan_seconds,
        point_reads_total,
        point_read_shard_queries_total,
        replica_rows_loaded,
        replica_rows,
        replica_memory_bytes,
        replica_changes_total,
        replica_ready,
    })
}

/// The outcome label of a statement that ended with `error` (`None`: it succeeded).
pub fn statement_outcome(error: Option<&SqlError>) -> &'static str {
    match error {
        None => "ok",
        Some(e) if e.code == sqlstate::QUERY_CANCELED => "canceled",
        Some(_) => "error",
    }
}

static METRICS: LazyLock<Metrics> =
    LazyLock::new(|| build().expect("metric names and labels are valid"));

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

impl Metrics {
    /// Records a finished statement.
    pub fn statement(&self, protocol: &str, outcome: &str, elapsed: Duration) {
        self.statements_total
            .with_label_values(&[protocol, outcome])
            .inc();
        self.statement_seconds
            .with_label_values(&[protocol])
            .observe(elapsed.as_secs_f64());
    }

    /// Records a finished statement by its result: `ok`, `canceled` (SQLSTATE 57014) or
    /// `error`.
    pub fn statement_result<T>(
        &self,
        protocol: &str,
        result: &Result<T, SqlError>,
        elapsed: Duration,
    ) {
        self.statement(protocol, statement_outcome(result.as_ref().err()), elapsed);
    }

    /// Records rows and bytes sent to a client.
    pub fn returned(&self, protocol: &str, rows: u64, bytes: u64) {
        self.rows_returned_total
            .with_label_values(&[protocol])
            .inc_by(rows);
        self.bytes_returned_total
            .with_label_values(&[protocol])
            .inc_by(bytes);
    }

    /// The metrics in Prometheus' text exposition format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let families = self.registry.gather();
        if TextEncoder::new().encode(&families, &mut out).is_err() {
            return String::new();
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_metrics_carry_their_names_and_labels() {
        let m = metrics();
        m.statement("test", "ok", Duration::from_millis(3));
        m.returned("test", 2, 40);
        m.shard_scan_seconds
            .with_label_values(&["shard-0"])
            .observe(0.01);
        let text = m.render();
        assert!(text.contains("docfusion_statements_total{outcome=\"ok\",protocol=\"test\"}"));
        assert!(text.contains("docfusion_statement_duration_seconds_bucket"));
        assert!(text.contains("docfusion_rows_returned_total{protocol=\"test\"}"));
        assert!(text.contains("docfusion_shard_scan_duration_seconds_count{shard=\"shard-0\"}"));
    }

    #[test]
    fn outcomes_follow_the_sqlstate() {
        assert_eq!(statement_outcome(None), "ok");
        let canceled = SqlError::new(sqlstate::QUERY_CANCELED, "canceling statement");
        assert_eq!(statement_outcome(Some(&canceled)), "canceled");
        let missing = SqlError::new(sqlstate::UNDEFINED_TABLE, "no such table");
        assert_eq!(statement_outcome(Some(&missing)), "error");
    }
}
