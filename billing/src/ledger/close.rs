//! Closing periods once their grace time is over: the period's totals become Stripe outbox
//! rows (identifier fixed now, before any attempt) in the same transaction that marks the
//! period closed; later events for it become adjustments. Also the export of closed windows.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Ledger, LedgerError};
use crate::period::Period;

/// A rollup row of a closed period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClosedWindow {
    /// Tenant.
    pub tenant: String,
    /// Meter.
    pub meter: String,
    /// Cluster.
    pub cluster: String,
    /// Window start (event time, minute).
    pub window_start: DateTime<Utc>,
    /// The period it is billed in.
    pub booked_period: DateTime<Utc>,
    /// Whether it is a late adjustment from an earlier period.
    pub adjustment: bool,
    /// Sum of values.
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// Number of events.
    pub events: i64,
    /// Largest value.
    #[serde(with = "rust_decimal::serde::str")]
    pub max_value: Decimal,
    /// Value of the latest event.
    #[serde(with = "rust_decimal::serde::str")]
    pub latest_value: Decimal,
}

/// A Stripe meter event waiting to be (or already) sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    /// Stripe's `identifier`: fixed when the row was written.
    pub identifier: String,
    /// Tenant (Stripe customer).
    pub tenant: String,
    /// Meter (Stripe `event_name`).
    pub meter: String,
    /// The event's timestamp (last second of the period).
    pub event_time: DateTime<Utc>,
    /// Quantity.
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// Attempts so far.
    pub attempts: i32,
}

/// The outbox identifier of a (tenant, meter, period): stable, so a re-run of the close
/// cannot make a second row.
fn outbox_identifier(tenant: &str, meter: &str, period_start: DateTime<Utc>) -> String {
    let mut hasher = Sha256::new();
    for part in [tenant, meter, &period_start.to_rfc3339()] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let mut id = String::from("dfb_");
    for byte in hasher.finalize().iter().take(16) {
        let _ = write!(id, "{byte:02x}");
    }
    id
}

impl Ledger {
    /// Closes every (tenant, period) whose grace time is over; returns how many.
    pub async fn close_due_periods(&self) -> Result<usize, LedgerError> {
        let now = self.clock.now();
        let current = Period::month_containing(now);
        let client = self.client().await?;
        let candidates = client
            .query(
                "select distinct w.tenant, w.booked_period from billing_windows w \
                 where w.booked_period < $1 and not exists (select 1 from \
                 billing_closed_periods c where c.tenant = w.tenant \
                 and c.period_start = w.booked_period) order by 1, 2",
                &[&current.start],
            )
            .await
            .map_err(LedgerError::db("periods to close"))?;
        drop(client);
        let mut closed = 0;
        for row in candidates {
            let tenant: String = row.get(0);
            let start: DateTime<Utc> = row.get(1);
            let period = Period::month_containing(start);
            if now < period.end + self.policy.grace {
                continue;
            }
            if self.close_period(&tenant, period).await? {
                closed += 1;
            }
        }
        Ok(closed)
    }

    /// Closes one period of one tenant now (whatever the clock): marks it closed and writes
    /// its outbox rows, atomically. Returns false if it was closed already.
    pub async fn close_period(&self, tenant: &str, period: Period) -> Result<bool, LedgerError> {
        let now = self.clock.now();
        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(LedgerError::db("begin close"))?;
        tx.execute(
            "select pg_advisory_xact_lock(hashtextextended($1 || '/' || ($2::timestamptz)::text, 0))",
            &[&tenant, &period.start],
        )
        .await
        .map_err(LedgerError::db("period lock"))?;
        let inserted = tx
            .execute(
                "insert into billing_closed_periods (tenant, period_start, closed_at) \
                 values ($1, $2, $3) on conflict do nothing",
                &[&tenant, &period.start, &now],
            )
            .await
            .map_err(LedgerError::db("mark closed"))?;
        if inserted == 0 {
            return Ok(false);
        }
        // Totals read under the lock (through another connection, which sees every ingest
        // that committed before it): nothing can be booked into this period any more.
        let usage = self.usage(tenant, period, None, None).await?.meters;
        let event_time = period.end - Duration::seconds(1);
        for (meter, value) in &usage {
            tx.execute(
                "insert into billing_stripe_outbox (identifier, tenant, meter, period_start, \
                 event_time, value, created_at) values ($1, $2, $3, $4, $5, $6, $7) \
                 on conflict (identifier) do nothing",
                &[
                    &outbox_identifier(tenant, meter, period.start),
                    &tenant,
                    meter,
                    &period.start,
                    &event_time,
                    value,
                    &now,
                ],
            )
            .await
            .map_err(LedgerError::db("write outbox"))?;
        }
        tx.commit().await.map_err(LedgerError::db("commit close"))?;
        Ok(true)
    }

    /// The rollups of a closed period (all tenants that closed it), for CSV/JSONL export.
    pub async fn closed_windows(&self, period: Period) -> Result<Vec<ClosedWindow>, LedgerError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "select w.tenant, w.meter, w.cluster, w.window_start, w.booked_period, \
                 w.adjustment, w.total, w.events, w.max_value, w.latest_value \
                 from billing_windows w join billing_closed_periods c \
                 on c.tenant = w.tenant and c.period_start = w.booked_period \
                 where w.booked_period = $1 \
                 order by w.tenant, w.meter, w.cluster, w.window_start",
                &[&period.start],
            )
            .await
            .map_err(LedgerError::db("export windows"))?;
        Ok(rows
            .iter()
            .map(|row| ClosedWindow {
                tenant: row.get(0),
                meter: row.get(1),
                cluster: row.get(2),
                window_start: row.get(3),
                booked_period: row.get(4),
                adjustment: row.get(5),
                total: row.get(6),
                events: row.get(7),
                max_value: row.get(8),
                latest_value: row.get(9),
            })
            .collect())
    }

    /// Outbox rows not yet sent, oldest first.
    pub async fn pending_outbox(&self, limit: i64) -> Result<Vec<OutboxRow>, LedgerError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "select identifier, tenant, meter, event_time, value, attempts \
                 from billing_stripe_outbox where sent_at is null \
                 order by created_at, identifier limit $1",
                &[&limit],
            )
            .await
            .map_err(LedgerError::db("read outbox"))?;
        Ok(rows
            .iter()
            .map(|row| OutboxRow {
                identifier: row.get(0),
                tenant: row.get(1),
                meter: row.get(2),
                event_time: row.get(3),
                value: row.get(4),
                attempts: row.get(5),
            })
            .collect())
    }

    /// Number of unsent outbox rows.
    pub async fn outbox_pending_count(&self) -> Result<i64, LedgerError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "select count(*) from billing_stripe_outbox where sent_at is null",
                &[],
            )
            .await
            .map_err(LedgerError::db("count outbox"))?;
        Ok(row.get(0))
    }

    /// Records an attempt: sent (2xx) or failed with `error`.
    pub async fn record_outbox_attempt(
        &self,
        identifier: &str,
        error: Option<&str>,
    ) -> Result<(), LedgerError> {
        let now = self.clock.now();
        let client = self.client().await?;
        let sent_at = error.is_none().then_some(now);
        client
            .execute(
                "update billing_stripe_outbox set attempts = attempts + 1, \
                 sent_at = coalesce(sent_at, $2), last_error = $3 where identifier = $1",
                &[&identifier, &sent_at, &error],
            )
            .await
            .map_err(LedgerError::db("record outbox attempt"))?;
        Ok(())
    }

    /// Total per (tenant, meter) of the outbox, sent or not (what Stripe should end with).
    pub async fn outbox_totals(&self) -> Result<Vec<(String, String, Decimal)>, LedgerError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "select tenant, meter, sum(value) from billing_stripe_outbox \
                 group by 1, 2 order by 1, 2",
                &[],
            )
            .await
            .map_err(LedgerError::db("outbox totals"))?;
        Ok(rows
            .iter()
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_identifiers_are_stable_and_distinct() {
        let start: DateTime<Utc> = "2026-03-01T00:00:00Z".parse().unwrap_or_default();
        let a = outbox_identifier("acme", "rows_scanned", start);
        assert_eq!(a, outbox_identifier("acme", "rows_scanned", start));
        assert_ne!(a, outbox_identifier("acme", "queries", start));
        assert!(a.starts_with("dfb_") && a.len() == 36, "{a}");
    }
}
