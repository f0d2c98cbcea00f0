//! Sends the outbox to Stripe's meter events API: each row with its fixed identifier,
//! marked sent only after a 2xx. Stripe dedupes identifiers for 24 h only, so a row once
//! marked sent is never sent again (our own dedupe); a crash between Stripe's 2xx and our
//! bookkeeping resends the same identifier, which Stripe (or the test's fake) ignores.

use crate::ledger::{Ledger, LedgerError, OutboxRow};
use crate::metrics::Metrics;

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// API base, `https://api.stripe.com` in production.
    pub base_url: String,
    /// Secret key (`sk_…`), sent as a bearer token.
    pub api_key: String,
}

/// A send round that stopped early.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Injected by tests: the process "died" after Stripe's 2xx, before bookkeeping.
    #[error("simulated crash after sending {0}")]
    SimulatedCrash(String),
}

/// The form body of one meter event.
pub fn meter_event_form(row: &OutboxRow) -> Vec<(&'static str, String)> {
    vec![
        ("event_name", row.meter.clone()),
        ("identifier", row.identifier.clone()),
        ("timestamp", row.event_time.timestamp().to_string()),
        ("payload[stripe_customer_id]", row.tenant.clone()),
        ("payload[value]", row.value.normalize().to_string()),
    ]
}

/// Sends pending rows once; returns how many were marked sent.
pub async fn send_pending(
    ledger: &Ledger,
    http: &reqwest::Client,
    config: &StripeConfig,
    metrics: Option<&Metrics>,
) -> Result<usize, StripeError> {
    send_pending_with_crash(ledger, http, config, metrics, None).await
}

/// [`send_pending`], "crashing" right after the 2xx of the row with identifier `crash_after`.
#[doc(hidden)]
pub async fn send_pending_with_crash(
    ledger: &Ledger,
    http: &reqwest::Client,
    config: &StripeConfig,
    metrics: Option<&Metrics>,
    crash_after: Option<&str>,
) -> Result<usize, StripeError> {
    let url = format!(
        "{}/v1/billing/meter_events",
        config.base_url.trim_end_matches('/')
    );
    let mut sent = 0;
    for row in ledger.pending_outbox(500).await? {
        let response = http
            .post(&url)
            .bearer_auth(&config.api_key)
            .form(&meter_event_form(&row))
            .send()
            .await;
        let error = match response {
            Ok(response) if response.status().is_success() => None,
            Ok(response) => {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                Some(format!(
                    "HTTP {status}: {}",
                    body.chars().take(500).collect::<String>()
                ))
            }
            Err(e) => Some(format!("request failed: {e}")),
        };
        if error.is_none() && crash_after == Some(row.identifier.as_str()) {
            return Err(StripeError::SimulatedCrash(row.identifier));
        }
        if let Some(metrics) = metrics {
            let label = if error.is_none() { "sent" } else { "failed" };
            metrics.outbox_attempts.with_label_values(&[label]).inc();
        }
        if error.is_none() {
            sent += 1;
        } else {
            tracing::warn!(identifier = %row.identifier, error = ?error, "stripe meter event failed");
        }
        ledger
            .record_outbox_attempt(&row.identifier, error.as_deref())
            .await?;
    }
    if let Some(metrics) = metrics {
        metrics
            .outbox_pending
            .set(ledger.outbox_pending_count().await?);
    }
    Ok(sent)
}
