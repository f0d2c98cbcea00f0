//! Invoice preview: a pure function of the plans, the tenant's plan segments in the period
//! (more than one when the plan changed) and each segment's usage totals. Base fees and
//! included quantities are prorated by the segment's share of the period, in seconds.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::period::Period;
use crate::plans::PlansFile;
use crate::pricing;

/// Part of a period during which one plan applied, with the usage recorded in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSegment {
    /// The plan's name in the plans file.
    pub plan: String,
    /// Start (inside the period).
    pub from: DateTime<Utc>,
    /// End (inside the period, after `from`).
    pub to: DateTime<Utc>,
    /// Aggregated usage per meter in this segment.
    pub usage: BTreeMap<String, Decimal>,
}

/// One invoice line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// The plan the line belongs to.
    pub plan: String,
    /// `base_fee` or `usage`.
    pub kind: String,
    /// The meter of a usage line.
    pub meter: Option<String>,
    /// Segment start.
    pub from: DateTime<Utc>,
    /// Segment end.
    pub to: DateTime<Utc>,
    /// Share of the period (1 when the plan held all period).
    pub proration: Decimal,
    /// Usage (usage lines).
    pub quantity: Decimal,
    /// Included quantity after proration (usage lines).
    pub included: Decimal,
    /// Quantity billed: usage above included.
    pub billable: Decimal,
    /// Amount, rounded to cents (half away from zero).
    pub amount: Decimal,
}

/// A previewed invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// The tenant.
    pub tenant: String,
    /// The period.
    pub period: Period,
    /// ISO currency.
    pub currency: String,
    /// Lines, base fees first then usage by meter, segment by segment.
    pub lines: Vec<InvoiceLine>,
    /// Sum of the lines.
    pub total: Decimal,
}

/// Segments that cannot be invoiced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvoiceError {
    /// A segment names a plan that the plans file lacks.
    #[error("segment {index}: no plan named {plan:?} in the plans file")]
    UnknownPlan {
        /// Segment index.
        index: usize,
        /// The name.
        plan: String,
    },
    /// A segment outside the period, empty, or overlapping the previous one.
    #[error("segment {index}: {reason}")]
    BadSegment {
        /// Segment index.
        index: usize,
        /// Why.
        reason: String,
    },
}

fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Computes the invoice of `tenant` for `period`.
pub fn preview(
    plans: &PlansFile,
    tenant: &str,
    period: Period,
    segments: &[PlanSegment],
) -> Result<Invoice, InvoiceError> {
    let period_seconds = Decimal::from(period.seconds().max(1));
    let mut lines = Vec::new();
    let mut previous_end = period.start;
    for (index, segment) in segments.iter().enumerate() {
        let bad = |reason: String| InvoiceError::BadSegment { index, reason };
        if segment.from >= segment.to {
            return Err(bad("from must be before to".into()));
        }
        if segment.from < previous_end || segment.to > period.end {
            return Err(bad(format!(
                "must lie inside the period {}..{} without overlapping the previous segment",
                period.start, period.end
            )));
        }
        previous_end = segment.to;
        let plan = plans
            .plan(&segment.plan)
            .ok_or_else(|| InvoiceError::UnknownPlan {
                index,
                plan: segment.plan.clone(),
            })?;
        let proration = Decimal::from((segment.to - segment.from).num_seconds()) / period_seconds;
        let line = |kind: &str, meter: Option<String>| InvoiceLine {
            plan: segment.plan.clone(),
            kind: kind.into(),
            meter,
            from: segment.from,
            to: segment.to,
            proration: proration.round_dp(6),
            quantity: Decimal::ZERO,
            included: Decimal::ZERO,
            billable: Decimal::ZERO,
            amount: Decimal::ZERO,
        };
        lines.push(InvoiceLine {
            amount: cents(plan.base_fee * proration),
            ..line("base_fee", None)
        });
        let meters: std::collections::BTreeSet<&String> =
            segment.usage.keys().chain(plan.prices.keys()).collect();
        for meter in meters {
            let quantity = segment.usage.get(meter).copied().unwrap_or_default();
            let included = plan.included.get(meter).copied().unwrap_or_default() * proration;
            let billable = (quantity - included).max(Decimal::ZERO);
            let amount = plan
                .prices
                .get(meter)
                .map_or(Decimal::ZERO, |price| pricing::charge(price, billable));
            lines.push(InvoiceLine {
                quantity,
                included: included.normalize(),
                billable: billable.normalize(),
                amount: cents(amount),
                ..line("usage", Some(meter.clone()))
            });
        }
    }
    let total = lines.iter().map(|line| line.amount).sum();
    Ok(Invoice {
        tenant: tenant.into(),
        period,
        currency: plans.currency.clone(),
        lines,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../plans.example.yaml");

    fn d(text: &str) -> Decimal {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn t(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn plans() -> PlansFile {
        PlansFile::from_yaml(EXAMPLE).unwrap_or_else(|e| panic!("{e}"))
    }

    fn april() -> Period {
        Period::month_containing(t("2026-04-10T00:00:00Z"))
    }

    fn whole(plan: &str, usage: &[(&str, &str)]) -> PlanSegment {
        PlanSegment {
            plan: plan.into(),
            from: april().start,
            to: april().end,
            usage: usage.iter().map(|(m, q)| ((*m).into(), d(q))).collect(),
        }
    }

    fn amount(invoice: &Invoice, meter: &str) -> Decimal {
        invoice
            .lines
            .iter()
            .filter(|l| l.meter.as_deref() == Some(meter))
            .map(|l| l.amount)
            .sum()
    }

    #[test]
    fn pro_by_hand_for_every_pricing_model() {
        let usage = [
            // graduated: 160M rows, 100M included → 60M billable:
            // 50M × 0.000002 = 100, 10M × 0.000001 = 10 → 110.00
            ("rows_scanned", "160000000"),
            // volume: 36000 included, 48000 used → 12000 billable, in tier 2:
            // 12000 × 0.0002 + 1 flat = 3.40
            ("storage_gb_hours", "48000"),
            // package: 2500 searches, none included → 3 packages × 0.10 = 0.30
            ("vector_searches", "2500"),
            // single-tier graduated: 12345 × 0.00002 = 0.2469 → 0.25
            ("cpu_seconds", "12345"),
            // unpriced meter: a line with no charge
            ("queries", "999"),
        ];
        let invoice = preview(&plans(), "acme", april(), &[whole("pro", &usage)])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(amount(&invoice, "rows_scanned"), d("110.00"));
        assert_eq!(amount(&invoice, "storage_gb_hours"), d("3.40"));
        assert_eq!(amount(&invoice, "vector_searches"), d("0.30"));
        assert_eq!(amount(&invoice, "cpu_seconds"), d("0.25"));
        assert_eq!(amount(&invoice, "queries"), d("0"));
        // 49 base + 110 + 3.40 + 0.30 + 0.25
        assert_eq!(invoice.total, d("162.95"));
        assert_eq!(invoice.currency, "USD");
    }

    #[test]
    fn enterprise_volume_and_usage_within_included_costs_nothing() {
        let invoice = preview(
            &plans(),
            "big",
            april(),
            &[whole(
                "enterprise",
                &[
                    ("rows_scanned", "25000000000"),
                    ("storage_gb_hours", "1000"),
                ],
            )],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        // 15e9 billable > 1e10 → whole quantity at 0.0000002 = 3000
        assert_eq!(amount(&invoice, "rows_scanned"), d("3000.00"));
        assert_eq!(amount(&invoice, "storage_gb_hours"), d("0"));
        assert_eq!(invoice.total, d("5000.00"));
    }

    #[test]
    fn plan_change_prorates_fee_and_included_by_seconds() {
        // April has 30 days; free for 12 days then pro for 18 days.
        let change = t("2026-04-13T00:00:00Z");
        let free = PlanSegment {
            plan: "free".into(),
            from: april().start,
            to: change,
            usage: [("rows_scanned".to_owned(), d("900000"))].into(),
        };
        let pro = PlanSegment {
            plan: "pro".into(),
            from: change,
            to: april().end,
            usage: [("rows_scanned".to_owned(), d("80000000"))].into(),
        };
        let invoice =
            preview(&plans(), "acme", april(), &[free, pro]).unwrap_or_else(|e| panic!("{e}"));
        let base: Vec<Decimal> = invoice
            .lines
            .iter()
            .filter(|l| l.kind == "base_fee")
            .map(|l| l.amount)
            .collect();
        // free 0; pro 49 × 18/30 = 29.40
        assert_eq!(base, [d("0"), d("29.40")]);
        // pro included 100M × 0.6 = 60M; 80M − 60M = 20M × 0.000002 = 40.00
        assert_eq!(amount(&invoice, "rows_scanned"), d("40.00"));
        assert_eq!(invoice.total, d("69.40"));
    }

    #[test]
    fn bad_segments_are_refused_with_their_index() {
        let mut segment = whole("gold", &[]);
        let err = preview(&plans(), "acme", april(), &[segment.clone()]);
        assert!(matches!(
            err,
            Err(InvoiceError::UnknownPlan { index: 0, .. })
        ));
        segment.plan = "pro".into();
        let overlapping = [segment.clone(), segment];
        let err = preview(&plans(), "acme", april(), &overlapping);
        assert!(matches!(
            err,
            Err(InvoiceError::BadSegment { index: 1, .. })
        ));
    }
}
