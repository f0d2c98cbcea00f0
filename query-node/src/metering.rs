//! Metering for the hosted tier: before a statement runs, the billing service's quota gate
//! decides (cached snapshots); a refusal is SQLSTATE 53400 with a message naming meter,
//! usage, limit, plan and reset time. After a statement, its usage (one query, rows and bytes
//! scanned, CPU time) is sent as usage events whose ids derive from the statement id, so a retried
//! send is never counted twice.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use docfusion_billing::gate::{HttpSnapshotSource, QuotaGate};
use docfusion_types::usage::{UsageData, UsageEvent};
use docfusion_types::{BillingConfig, QuotaDecision};
use rust_decimal::Decimal;

use crate::engine::QueryOutput;
use crate::error::SqlError;

/// The node's connection to billing.
pub struct Metering {
    gate: Arc<QuotaGate<HttpSnapshotSource>>,
    config: BillingConfig,
    source: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for Metering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metering")
            .field("tenant", &self.config.tenant)
            .finish()
    }
}

/// The meter every statement counts against.
pub const QUERIES_METER: &str = "queries";

impl Metering {
    /// Metering for `config`; `node_name` identifies this node as the events' source.
    pub fn new(config: &BillingConfig, node_name: &str) -> Result<Self, SqlError> {
        let gate = QuotaGate::http(
            config.url.trim_end_matches('/'),
            Duration::from_millis(config.quota_refresh_ms),
        )
        .map_err(|e| SqlError::new("XX000", format!("billing.url: {e}")))?;
        Ok(Self {
            gate,
            config: config.clone(),
            source: format!("query-node/{node_name}"),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .map_err(|e| SqlError::new("XX000", format!("http client: {e}")))?,
        })
    }

    /// Asks the gate whether the tenant may run one more statement.
    pub async fn admit(&self) -> Result<QuotaDecision, SqlError> {
        self.admit_statement(false).await
    }

    /// Asks the gate whether the tenant may run one more statement that writes (`writes`,
    /// refused under a read-only limit) or reads.
    pub async fn admit_statement(&self, writes: bool) -> Result<QuotaDecision, SqlError> {
        let decision = self
            .gate
            .check(&self.config.tenant, QUERIES_METER, Decimal::ONE, writes)
            .await;
        match decision.to_sql_error() {
            Some((code, message)) => Err(SqlError::new(code, message)),
            None => Ok(decision),
        }
    }

    /// The usage events of one finished statement.
    pub fn events_for(&self, statement_id: &str, out: &QueryOutput) -> Vec<UsageEvent> {
        let now = Utc::now();
        let cpu_seconds = Decimal::from(out.cpu_nanos) / Decimal::from(1_000_000_000u64);
        [
            (QUERIES_METER, Decimal::ONE),
            ("rows_scanned", Decimal::from(out.rows_scanned)),
            ("bytes_scanned", Decimal::from(out.bytes_scanned)),
            ("cpu_seconds", cpu_seconds.round_dp(9)),
        ]
        .into_iter()
        .map(|(meter, value)| {
            UsageEvent::new(
                format!("{statement_id}/{meter}"),
                self.source.clone(),
                meter,
                self.config.tenant.clone(),
                now,
                UsageData {
                    cluster: self.config.cluster.clone(),
                    resource: statement_id.to_string(),
                    value,
                },
            )
        })
        .collect()
    }

    /// Sends a statement's usage in the background (retrying a few times: ids make retries
    /// safe) and counts it in the gate's cached balance at once.
    pub async fn report(&self, statement_id: &str, out: &QueryOutput) {
        let events = self.events_for(statement_id, out);
        for e in &events {
            self.gate
                .record(&self.config.tenant, &e.meter, e.data.value)
                .await;
        }
        let http = self.http.clone();
        let url = format!("{}/v1/events/batch", self.config.url.trim_end_matches('/'));
        tokio::spawn(async move {
            for attempt in 0..5u32 {
                match http.post(&url).json(&events).send().await {
                    Ok(r) if r.status().is_success() => return,
                    Ok(r) if r.status().is_client_error() => {
                        tracing::warn!(status = %r.status(), "billing refused usage events");
                        return;
                    }
                    _ => tokio::time::sleep(Duration::from_millis(200 << attempt)).await,
                }
            }
            tracing::warn!("usage events could not be delivered to billing");
        });
    }
}
