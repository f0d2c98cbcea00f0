//! Idempotent ingest: each event and its minute-window rollup are written in one
//! transaction; a repeated id is a duplicate (same payload) or a conflict (different payload,
//! the first wins). Event time picks the window and the period; a period closed to late
//! events books them as adjustments in the open period.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use docfusion_types::UsageEvent;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Ledger, LedgerError, LedgerPolicy};
use crate::period::{Period, minute_window};
use crate::plans::PlansFile;

/// What happened to one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum Outcome {
    /// Recorded in its own period.
    Accepted,
    /// Recorded as an adjustment in the open period: its own had closed.
    Late,
    /// Already recorded with the same payload.
    Duplicate,
    /// Already recorded with a different payload; the first stays.
    Conflict,
    /// More than the allowed skew in the future; not recorded.
    Future(String),
    /// Broke a rule (the reason names the field); not recorded.
    Invalid(String),
}

impl Outcome {
    /// The metric label.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Late => "late",
            Outcome::Duplicate => "duplicate",
            Outcome::Conflict => "conflict",
            Outcome::Future(_) => "future",
            Outcome::Invalid(_) => "invalid",
        }
    }
}

/// The checks that need no database: validity, known meter, not too far in the future.
pub fn classify(
    plans: &PlansFile,
    policy: &LedgerPolicy,
    now: DateTime<Utc>,
    event: &UsageEvent,
) -> Option<Outcome> {
    if let Err(e) = event.validate() {
        return Some(Outcome::Invalid(e.to_string()));
    }
    if !plans.meters.contains_key(&event.meter) {
        return Some(Outcome::Invalid(format!(
            "usage event field `type`: no meter named {:?} in the plans file",
            event.meter
        )));
    }
    if event.time > now + policy.max_future {
        return Some(Outcome::Future(format!(
            "usage event field `time`: {} is more than {} s after the billing service's clock \
             ({})",
            event.time.to_rfc3339(),
            policy.max_future.num_seconds(),
            now.to_rfc3339()
        )));
    }
    None
}

/// A stable hash of what an event says (not who sent it): equal for true retries.
fn payload_hash(event: &UsageEvent) -> String {
    let mut hasher = Sha256::new();
    let value = event.data.value.normalize().to_string();
    let micros = event.time.timestamp_micros().to_string();
    for part in [
        event.meter.as_str(),
        event.data.cluster.as_str(),
        event.data.resource.as_str(),
        value.as_str(),
        micros.as_str(),
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    let mut hex = String::with_capacity(64);
    for byte in hasher.finalize().iter() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Key of a rollup row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct WindowKey {
    tenant: String,
    meter: String,
    cluster: String,
    window_start: DateTime<Utc>,
    booked_period: DateTime<Utc>,
    adjustment: bool,
}

/// A rollup delta.
#[derive(Debug, Clone)]
struct WindowDelta {
    total: Decimal,
    events: i64,
    max_value: Decimal,
    latest: (DateTime<Utc>, String, Decimal),
}

impl WindowDelta {
    fn add(&mut self, event: &UsageEvent) {
        self.total += event.data.value;
        self.events += 1;
        self.max_value = self.max_value.max(event.data.value);
        let candidate = (event.time, event.id.clone(), event.data.value);
        if (&candidate.0, &candidate.1) > (&self.latest.0, &self.latest.1) {
            self.latest = candidate;
        }
    }
}

impl Ledger {
    /// Ingests a batch; returns one outcome per event, in order. Either every recorded event
    /// of the batch and its rollups commit, or nothing does (then the error is returned and
    /// the caller may resend the same batch).
    pub async fn ingest(&self, events: &[UsageEvent]) -> Result<Vec<Outcome>, LedgerError> {
        self.ingest_with_before_commit(events, async |_| {}).await
    }

    /// [`Ledger::ingest`] with a hook run just before `COMMIT`, given the backend pid of
    /// the connection (fault-injection tests terminate it there).
    #[doc(hidden)]
    pub async fn ingest_with_before_commit(
        &self,
        events: &[UsageEvent],
        before_commit: impl AsyncFn(i32),
    ) -> Result<Vec<Outcome>, LedgerError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.ingest_once(events, &before_commit).await {
                Err(e) if e.is_retryable() && attempt < 5 => continue,
                other => return other,
            }
        }
    }

    async fn ingest_once(
        &self,
        events: &[UsageEvent],
        before_commit: &impl AsyncFn(i32),
    ) -> Result<Vec<Outcome>, LedgerError> {
        let now = self.clock.now();
        let mut outcomes: Vec<Option<Outcome>> = events
            .iter()
            .map(|event| classify(&self.plans, &self.policy, now, event))
            .collect();
        // Lock order: events by primary key first, then rollups by key, so that concurrent
        // batches cannot deadlock on each other.
        let mut order: Vec<usize> = (0..events.len())
            .filter(|&i| outcomes[i].is_none())
            .collect();
        order.sort_by(|&a, &b| {
            let key = |e: &UsageEvent| (e.tenant.clone(), e.source.clone(), e.id.clone());
            key(&events[a]).cmp(&key(&events[b]))
        });
        if order.is_empty() {
            return Ok(outcomes
                .into_iter()
                .map(|o| o.unwrap_or(Outcome::Accepted))
                .collect());
        }

        let mut client = self.client().await?;
        let tx = client
            .transaction()
            .await
            .map_err(LedgerError::db("begin ingest"))?;
        let insert = tx
            .prepare(
                "insert into billing_events (tenant, source, id, meter, cluster, resource, \
                 value, event_time, received_at, booked_period, adjustment, payload_hash) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 on conflict (tenant, source, id) do nothing",
            )
            .await
            .map_err(LedgerError::db("prepare event insert"))?;
        let existing = tx
            .prepare(
                "select payload_hash from billing_events \
                 where tenant = $1 and source = $2 and id = $3",
            )
            .await
            .map_err(LedgerError::db("prepare event lookup"))?;

        // Which periods take late events: locked shared against a concurrent close.
        let mut period_open: BTreeMap<(String, DateTime<Utc>), bool> = BTreeMap::new();
        let current = Period::month_containing(now);
        let mut windows: BTreeMap<WindowKey, WindowDelta> = BTreeMap::new();
        for &i in &order {
            let event = &events[i];
            let own = Period::month_containing(event.time);
            let key = (event.tenant.clone(), own.start);
            let open = match period_open.get(&key) {
                Some(open) => *open,
                None => {
                    let open = self
                        .period_takes_events(&tx, &event.tenant, own, now)
                        .await?;
                    period_open.insert(key, open);
                    open
                }
            };
            let (booked, adjustment) = if open {
                (own.start, false)
            } else {
                (current.start, true)
            };
            let hash = payload_hash(event);
            let inserted = tx
                .execute(
                    &insert,
                    &[
                        &event.tenant,
                        &event.source,
                        &event.id,
                        &event.meter,
                        &event.data.cluster,
                        &event.data.resource,
                        &event.data.value,
                        &event.time,
                        &now,
                        &booked,
                        &adjustment,
                        &hash,
                    ],
                )
                .await
                .map_err(LedgerError::db("insert event"))?;
            if inserted == 1 {
                outcomes[i] = Some(if adjustment {
                    Outcome::Late
                } else {
                    Outcome::Accepted
                });
                let window = WindowKey {
                    tenant: event.tenant.clone(),
                    meter: event.meter.clone(),
                    cluster: event.data.cluster.clone(),
                    window_start: minute_window(event.time),
                    booked_period: booked,
                    adjustment,
                };
                windows
                    .entry(window)
                    .or_insert_with(|| WindowDelta {
                        total: Decimal::ZERO,
                        events: 0,
                        max_value: event.data.value,
                        latest: (event.time, event.id.clone(), event.data.value),
                    })
                    .add(event);
                continue;
            }
            let row = tx
                .query_one(&existing, &[&event.tenant, &event.source, &event.id])
                .await
                .map_err(LedgerError::db("look up existing event"))?;
            let first_hash: String = row.get(0);
            if first_hash == hash {
                outcomes[i] = Some(Outcome::Duplicate);
            } else {
                let payload = serde_json::to_value(event).unwrap_or_default();
                tx.execute(
                    "insert into billing_conflicts (tenant, source, id, payload_hash, payload, \
                     received_at) values ($1, $2, $3, $4, $5, $6)",
                    &[
                        &event.tenant,
                        &event.source,
                        &event.id,
                        &hash,
                        &payload,
                        &now,
                    ],
                )
                .await
                .map_err(LedgerError::db("record conflict"))?;
                outcomes[i] = Some(Outcome::Conflict);
            }
        }

        let upsert = tx
            .prepare(
                "insert into billing_windows as w (tenant, meter, cluster, window_start, \
                 booked_period, adjustment, total, events, max_value, latest_time, latest_id, \
                 latest_value) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 on conflict (tenant, meter, cluster, window_start, booked_period) do update set \
                 total = w.total + excluded.total, \
                 events = w.events + excluded.events, \
                 max_value = greatest(w.max_value, excluded.max_value), \
                 latest_value = case when (excluded.latest_time, excluded.latest_id) > \
                     (w.latest_time, w.latest_id) then excluded.latest_value else w.latest_value end, \
                 latest_id = case when (excluded.latest_time, excluded.latest_id) > \
                     (w.latest_time, w.latest_id) then excluded.latest_id else w.latest_id end, \
                 latest_time = greatest(w.latest_time, excluded.latest_time)",
            )
            .await
            .map_err(LedgerError::db("prepare rollup"))?;
        for (key, delta) in &windows {
            tx.execute(
                &upsert,
                &[
                    &key.tenant,
                    &key.meter,
                    &key.cluster,
                    &key.window_start,
                    &key.booked_period,
                    &key.adjustment,
                    &delta.total,
                    &delta.events,
                    &delta.max_value,
                    &delta.latest.0,
                    &delta.latest.1,
                    &delta.latest.2,
                ],
            )
            .await
            .map_err(LedgerError::db("upsert rollup"))?;
        }
        let pid: i32 = tx
            .query_one("select pg_backend_pid()", &[])
            .await
            .map_err(LedgerError::db("backend pid"))?
            .get(0);
        before_commit(pid).await;
        tx.commit()
            .await
            .map_err(LedgerError::db("commit ingest"))?;
        Ok(outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Outcome::Accepted))
            .collect())
    }

    /// Whether `period` of `tenant` still takes events: inside the grace time and not
    /// closed. Takes the period's lock shared, so a close waits for this transaction.
    async fn period_takes_events(
        &self,
        tx: &tokio_postgres::Transaction<'_>,
        tenant: &str,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<bool, LedgerError> {
        if now >= period.end + self.policy.grace {
            return Ok(false);
        }
        tx.execute(
            "select pg_advisory_xact_lock_shared(hashtextextended($1 || '/' || ($2::timestamptz)::text, 0))",
            &[&tenant, &period.start],
        )
        .await
        .map_err(LedgerError::db("period lock"))?;
        let closed = tx
            .query_opt(
                "select 1 from billing_closed_periods where tenant = $1 and period_start = $2",
                &[&tenant, &period.start],
            )
            .await
            .map_err(LedgerError::db("period state"))?;
        Ok(closed.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docfusion_types::UsageData;

    fn event(value: &str) -> UsageEvent {
        UsageEvent::new(
            "q1",
            "n0",
            "rows_scanned",
            "acme",
            "2026-03-01T10:00:00Z".parse().unwrap_or_default(),
            UsageData {
                cluster: "c".into(),
                resource: "r".into(),
                value: value.parse().unwrap_or_default(),
            },
        )
    }

    #[test]
    fn payload_hash_ignores_scale_and_sender_but_not_quantity() {
        assert_eq!(payload_hash(&event("12.5")), payload_hash(&event("12.50")));
        let mut other_source = event("12.5");
        other_source.source = "n1".into();
        assert_eq!(payload_hash(&event("12.5")), payload_hash(&other_source));
        assert_ne!(payload_hash(&event("12.5")), payload_hash(&event("12.6")));
    }
}
