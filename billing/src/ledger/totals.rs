//! Period totals per meter, aggregated from the rollups (or the events, for unique counts)
//! as each meter's aggregation says; tenants' plan history.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::{Ledger, LedgerError};
use crate::invoice::PlanSegment;
use crate::period::Period;
use crate::plans::Aggregation;

/// A tenant's usage in one period, per meter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeriodUsage {
    /// The tenant.
    pub tenant: String,
    /// The period.
    pub period: Period,
    /// Aggregated quantity per meter.
    pub meters: BTreeMap<String, Decimal>,
}

/// A plan assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantPlan {
    /// The plan.
    pub plan: String,
    /// From when.
    pub effective_from: DateTime<Utc>,
}

impl Ledger {
    /// The aggregated usage of `tenant` booked in `period`, optionally limited to windows
    /// starting before `to` and (if given) at or after `from`.
    pub async fn usage(
        &self,
        tenant: &str,
        period: Period,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<PeriodUsage, LedgerError> {
        let client = self.client().await?;
        let (low, high) = (from, to);
        let rows = client
            .query(
                "select meter, sum(total), sum(events)::numeric, max(max_value), \
                 (array_agg(latest_value order by latest_time desc, latest_id desc))[1] \
                 from billing_windows where tenant = $1 and booked_period = $2 \
                 and ($3::timestamptz is null or window_start >= $3) \
                 and ($4::timestamptz is null or window_start < $4) group by meter",
                &[&tenant, &period.start, &low, &high],
            )
            .await
            .map_err(LedgerError::db("period totals"))?;
        let mut meters = BTreeMap::new();
        for row in rows {
            let meter: String = row.get(0);
            let Some(definition) = self.plans.meters.get(&meter) else {
                continue;
            };
            let sum: Decimal = row.get(1);
            let value = match definition.aggregation {
                Aggregation::Sum => sum,
                Aggregation::Count => row.get(2),
                Aggregation::Max => row.get(3),
                Aggregation::Latest => row.get(4),
                Aggregation::UniqueCount => continue,
                Aggregation::TimeWeightedGauge => {
                    let sample = Decimal::from(definition.sample_seconds.unwrap_or(0));
                    let unit = Decimal::from(definition.unit_seconds.unwrap_or(1).max(1));
                    sum * sample / unit
                }
            };
            meters.insert(meter, value.normalize());
        }
        let unique = client
            .query(
                "select meter, count(distinct resource) from billing_events \
                 where tenant = $1 and booked_period = $2 \
                 and ($3::timestamptz is null or event_time >= $3) \
                 and ($4::timestamptz is null or event_time < $4) group by meter",
                &[&tenant, &period.start, &low, &high],
            )
            .await
            .map_err(LedgerError::db("unique counts"))?;
        for row in unique {
            let meter: String = row.get(0);
            let is_unique = self
                .plans
                .meters
                .get(&meter)
                .is_some_and(|m| m.aggregation == Aggregation::UniqueCount);
            if is_unique {
                let count: i64 = row.get(1);
                meters.insert(meter, Decimal::from(count));
            }
        }
        Ok(PeriodUsage {
            tenant: tenant.into(),
            period,
            meters,
        })
    }

    /// Assigns `plan` to `tenant` from `effective_from` on.
    pub async fn set_plan(
        &self,
        tenant: &str,
        plan: &str,
        effective_from: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        if self.plans.plan(plan).is_none() {
            return Err(LedgerError::NotFound(format!(
                "no plan named {plan:?} in the plans file"
            )));
        }
        let client = self.client().await?;
        client
            .execute(
                "insert into billing_tenant_plans (tenant, plan, effective_from) \
                 values ($1, $2, $3) on conflict (tenant, effective_from) \
                 do update set plan = excluded.plan",
                &[&tenant, &plan, &effective_from],
            )
            .await
            .map_err(LedgerError::db("set plan"))?;
        Ok(())
    }

    /// The plan segments of `tenant` in `period` (the default plan where none is assigned).
    pub async fn plan_segments(
        &self,
        tenant: &str,
        period: Period,
    ) -> Result<Vec<(String, DateTime<Utc>, DateTime<Utc>)>, LedgerError> {
        let client = self.client().await?;
        let rows = client
            .query(
                "select plan, effective_from from billing_tenant_plans where tenant = $1 \
                 and effective_from < $3 and effective_from >= coalesce((select \
                 max(effective_from) from billing_tenant_plans where tenant = $1 and \
                 effective_from <= $2), '-infinity') order by effective_from",
                &[&tenant, &period.start, &period.end],
            )
            .await
            .map_err(LedgerError::db("plan history"))?;
        let mut changes: Vec<(String, DateTime<Utc>)> = rows
            .iter()
            .map(|row| (row.get(0), row.get::<_, DateTime<Utc>>(1).max(period.start)))
            .collect();
        if changes.first().is_none_or(|(_, from)| *from > period.start) {
            changes.insert(0, (self.plans.default_plan.clone(), period.start));
        }
        let mut segments = Vec::new();
        for (index, (plan, from)) in changes.iter().enumerate() {
            let to = changes.get(index + 1).map_or(period.end, |(_, next)| *next);
            if from < &to {
                segments.push((plan.clone(), *from, to));
            }
        }
        Ok(segments)
    }

    /// The invoice inputs of a period: each plan segment with its usage. Adjustments
    /// (windows from an earlier period) count in the first segment.
    pub async fn invoice_segments(
        &self,
        tenant: &str,
        period: Period,
    ) -> Result<Vec<PlanSegment>, LedgerError> {
        let mut segments = Vec::new();
        for (plan, from, to) in self.plan_segments(tenant, period).await? {
            let low = (from > period.start).then_some(from);
            let high = (to < period.end).then_some(to);
            let usage = self.usage(tenant, period, low, high).await?;
            segments.push(PlanSegment {
                plan,
                from,
                to,
                usage: usage.meters,
            });
        }
        Ok(segments)
    }
}
