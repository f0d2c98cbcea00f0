//! Quota decisions shared by billing (which computes balances) and the query node (which asks
//! before running a statement): the balance snapshot billing serves, the request, the
//! decision, and the pure function from the first two to the third.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// SQLSTATE `configuration_limit_exceeded`, returned for a denied or throttled statement.
pub const QUOTA_SQLSTATE: &str = "53400";

/// What happens when a limit is crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitAction {
    /// Statements that would use more are refused.
    Reject,
    /// Statements are refused with a retry-after; the tenant may retry later.
    Throttle,
    /// Reads go on; writes are refused.
    ReadOnly,
    /// Every statement is refused until the period resets or the plan changes.
    Suspend,
}

impl LimitAction {
    /// The name used in plans files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitAction::Reject => "reject",
            LimitAction::Throttle => "throttle",
            LimitAction::ReadOnly => "read_only",
            LimitAction::Suspend => "suspend",
        }
    }
}

/// Whether a limit is soft (acts once recorded usage has crossed it) or hard (acts on any
/// statement whose estimate would cross it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// Checked against recorded usage only.
    Soft,
    /// Checked against recorded usage plus the statement's estimate.
    Hard,
}

/// One limit on one meter, as billing serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitBalance {
    /// Soft or hard.
    pub kind: LimitKind,
    /// The quantity at which it acts.
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// What it does.
    pub action: LimitAction,
    /// For `throttle`: how long the caller should wait.
    pub retry_after_seconds: u64,
}

/// A meter's usage in the current period and its allowances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeterBalance {
    /// The meter, e.g. `rows_scanned`.
    pub meter: String,
    /// The period's aggregated usage so far.
    #[serde(with = "rust_decimal::serde::str")]
    pub used: Decimal,
    /// The quantity the base fee includes; above it, usage is billed as overage.
    #[serde(with = "rust_decimal::serde::str")]
    pub included: Decimal,
    /// Limits, in any order.
    #[serde(default)]
    pub limits: Vec<LimitBalance>,
}

/// What billing knows about a tenant's current period; served at
/// `GET /v1/tenants/{tenant}/quota` and cached by the gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaSnapshot {
    /// The tenant.
    pub tenant: String,
    /// The tenant's plan.
    pub plan: String,
    /// Start of the current billing period.
    pub period_start: DateTime<Utc>,
    /// End of the current billing period, when usage resets.
    pub period_end: DateTime<Utc>,
    /// Meters that have an allowance or a limit.
    pub meters: Vec<MeterBalance>,
}

/// What a statement is about to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotaRequest {
    /// The tenant running the statement.
    pub tenant: String,
    /// The meter the statement uses (e.g. `queries`, `rows_scanned`).
    pub meter: String,
    /// Estimated quantity the statement will add.
    #[serde(with = "rust_decimal::serde::str")]
    pub estimated: Decimal,
    /// Whether the statement writes (refused under `read_only`).
    pub writes: bool,
}

/// Which limit stopped a statement, with what a person needs to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitHit {
    /// The meter.
    pub meter: String,
    /// Usage recorded so far in the period.
    #[serde(with = "rust_decimal::serde::str")]
    pub used: Decimal,
    /// The limit crossed.
    #[serde(with = "rust_decimal::serde::str")]
    pub limit: Decimal,
    /// Soft or hard.
    pub kind: LimitKind,
    /// The action taken.
    pub action: LimitAction,
    /// The tenant's plan.
    pub plan: String,
    /// When usage resets (end of the period).
    pub resets_at: DateTime<Utc>,
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum QuotaDecision {
    /// Within the included quantity (or the meter is not limited).
    Allow,
    /// Allowed, and the usage above `included` is billed as overage.
    AllowWithOverage {
        /// The meter.
        meter: String,
        /// Quantity above the included amount after this statement.
        #[serde(with = "rust_decimal::serde::str")]
        overage: Decimal,
    },
    /// Refused for now; retry after the given number of seconds.
    Throttle {
        /// The limit that throttles.
        hit: LimitHit,
        /// Seconds to wait.
        retry_after_seconds: u64,
    },
    /// Refused until the period resets or the plan changes.
    Deny {
        /// The limit that denies.
        hit: LimitHit,
    },
}

impl QuotaDecision {
    /// Whether the statement may run.
    pub fn allows(&self) -> bool {
        matches!(
            self,
            QuotaDecision::Allow | QuotaDecision::AllowWithOverage { .. }
        )
    }

    /// The metric label of the decision.
    pub fn label(&self) -> &'static str {
        match self {
            QuotaDecision::Allow => "allow",
            QuotaDecision::AllowWithOverage { .. } => "allow_with_overage",
            QuotaDecision::Throttle { .. } => "throttle",
            QuotaDecision::Deny { .. } => "deny",
        }
    }

    /// For a refusal: the SQLSTATE (`53400`) and the message to send to the client.
    pub fn to_sql_error(&self) -> Option<(&'static str, String)> {
        self.to_sql_error_message()
            .map(|message| (QUOTA_SQLSTATE, message))
    }

    /// For a refusal: a message a person understands, naming meter, usage, limit, plan and
    /// when usage resets (or when to retry).
    pub fn to_sql_error_message(&self) -> Option<String> {
        match self {
            QuotaDecision::Allow | QuotaDecision::AllowWithOverage { .. } => None,
            QuotaDecision::Throttle {
                hit,
                retry_after_seconds,
            } => Some(format!(
                "quota exceeded: tenant is throttled on meter \"{}\": used {} of the {} limit \
                 of {} on plan \"{}\"; retry after {} s (usage resets at {})",
                hit.meter,
                hit.used.normalize(),
                kind_name(hit.kind),
                hit.limit.normalize(),
                hit.plan,
                retry_after_seconds,
                hit.resets_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )),
            QuotaDecision::Deny { hit } => {
                let what = match hit.action {
                    LimitAction::ReadOnly => "the tenant is read-only: writes are refused",
                    LimitAction::Suspend => "the tenant is suspended: statements are refused",
                    LimitAction::Reject | LimitAction::Throttle => "statement refused",
                };
                Some(format!(
                    "quota exceeded: {what}; meter \"{}\" used {} of the {} limit of {} on plan \
                     \"{}\"; usage resets at {}",
                    hit.meter,
                    hit.used.normalize(),
                    kind_name(hit.kind),
                    hit.limit.normalize(),
                    hit.plan,
                    hit.resets_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                ))
            }
        }
    }
}

fn kind_name(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::Soft => "soft",
        LimitKind::Hard => "hard",
    }
}

impl QuotaSnapshot {
    /// Decides a request against this snapshot. Hard limits are checked first, against
    /// `used + estimated`; then soft limits, against `used`; the strictest action wins
    /// (suspend, then reject/read-only, then throttle). Usage that passes is `allow`, or
    /// `allow_with_overage` once it goes above `included`.
    pub fn decide(&self, request: &QuotaRequest) -> QuotaDecision {
        let Some(balance) = self.meters.iter().find(|m| m.meter == request.meter) else {
            return self
                .suspended_elsewhere(request)
                .unwrap_or(QuotaDecision::Allow);
        };
        let after = balance.used + request.estimated;
        let mut worst: Option<(u8, QuotaDecision)> = None;
        for limit in &balance.limits {
            let crossed = match limit.kind {
                LimitKind::Hard => after > limit.value,
                LimitKind::Soft => balance.used >= limit.value,
            };
            if !crossed {
                continue;
            }
            if let Some(candidate) = self.apply(balance, limit, request) {
                let rank = severity(&candidate);
                if worst.as_ref().is_none_or(|(r, _)| rank > *r) {
                    worst = Some((rank, candidate));
                }
            }
        }
        if let Some((_, decision)) = worst {
            return decision;
        }
        if let Some(suspended) = self.suspended_elsewhere(request) {
            return suspended;
        }
        if after > balance.included {
            QuotaDecision::AllowWithOverage {
                meter: balance.meter.clone(),
                overage: after - balance.included,
            }
        } else {
            QuotaDecision::Allow
        }
    }

    /// A `suspend` limit crossed on any meter suspends the whole tenant.
    fn suspended_elsewhere(&self, request: &QuotaRequest) -> Option<QuotaDecision> {
        self.meters.iter().find_map(|balance| {
            balance.limits.iter().find_map(|limit| {
                let crossed = balance.used >= limit.value;
                (crossed && limit.action == LimitAction::Suspend)
                    .then(|| self.apply(balance, limit, request))
                    .flatten()
            })
        })
    }

    fn apply(
        &self,
        balance: &MeterBalance,
        limit: &LimitBalance,
        request: &QuotaRequest,
    ) -> Option<QuotaDecision> {
        let hit = LimitHit {
            meter: balance.meter.clone(),
            used: balance.used,
            limit: limit.value,
            kind: limit.kind,
            action: limit.action,
            plan: self.plan.clone(),
            resets_at: self.period_end,
        };
        match limit.action {
            LimitAction::Reject | LimitAction::Suspend => Some(QuotaDecision::Deny { hit }),
            LimitAction::ReadOnly => request.writes.then_some(QuotaDecision::Deny { hit }),
            LimitAction::Throttle => Some(QuotaDecision::Throttle {
                hit,
                retry_after_seconds: limit.retry_after_seconds.max(1),
            }),
        }
    }
}

fn severity(decision: &QuotaDecision) -> u8 {
    match decision {
        QuotaDecision::Allow => 0,
        QuotaDecision::AllowWithOverage { .. } => 1,
        QuotaDecision::Throttle { .. } => 2,
        QuotaDecision::Deny { hit } if hit.action == LimitAction::Suspend => 4,
        QuotaDecision::Deny { .. } => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn end() -> DateTime<Utc> {
        match Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0) {
            chrono::LocalResult::Single(t) => t,
            _ => unreachable!("valid fixed date"),
        }
    }

    fn snapshot(used: i64, limits: Vec<LimitBalance>) -> QuotaSnapshot {
        QuotaSnapshot {
            tenant: "acme".into(),
            plan: "free".into(),
            period_start: end() - chrono::Duration::days(31),
            period_end: end(),
            meters: vec![MeterBalance {
                meter: "rows_scanned".into(),
                used: Decimal::from(used),
                included: Decimal::from(100),
                limits,
            }],
        }
    }

    fn limit(kind: LimitKind, value: i64, action: LimitAction) -> LimitBalance {
        LimitBalance {
            kind,
            value: Decimal::from(value),
            action,
            retry_after_seconds: 30,
        }
    }

    fn request(estimated: i64, writes: bool) -> QuotaRequest {
        QuotaRequest {
            tenant: "acme".into(),
            meter: "rows_scanned".into(),
            estimated: Decimal::from(estimated),
            writes,
        }
    }

    #[test]
    fn allow_then_overage_below_limits() {
        let s = snapshot(50, vec![limit(LimitKind::Hard, 1000, LimitAction::Reject)]);
        assert_eq!(s.decide(&request(50, false)), QuotaDecision::Allow);
        assert_eq!(
            s.decide(&request(60, false)),
            QuotaDecision::AllowWithOverage {
                meter: "rows_scanned".into(),
                overage: Decimal::from(10)
            }
        );
        let other = QuotaRequest {
            meter: "cpu_seconds".into(),
            ..request(1, false)
        };
        assert_eq!(s.decide(&other), QuotaDecision::Allow);
    }

    #[test]
    fn hard_limit_counts_the_estimate_soft_limit_only_recorded_usage() {
        let hard = snapshot(990, vec![limit(LimitKind::Hard, 1000, LimitAction::Reject)]);
        assert!(hard.decide(&request(10, false)).allows());
        let denied = hard.decide(&request(11, false));
        assert_eq!(denied.label(), "deny");

        let soft = snapshot(
            990,
            vec![limit(LimitKind::Soft, 1000, LimitAction::Throttle)],
        );
        assert!(soft.decide(&request(500, false)).allows());
        let soft = snapshot(
            1000,
            vec![limit(LimitKind::Soft, 1000, LimitAction::Throttle)],
        );
        match soft.decide(&request(1, false)) {
            QuotaDecision::Throttle {
                retry_after_seconds,
                ..
            } => assert_eq!(retry_after_seconds, 30),
            other => panic!("expected throttle, got {other:?}"),
        }
    }

    #[test]
    fn read_only_refuses_writes_only_and_strictest_action_wins() {
        let s = snapshot(
            2000,
            vec![limit(LimitKind::Hard, 1000, LimitAction::ReadOnly)],
        );
        assert!(s.decide(&request(1, false)).allows());
        assert_eq!(s.decide(&request(1, true)).label(), "deny");

        let s = snapshot(
            2000,
            vec![
                limit(LimitKind::Soft, 500, LimitAction::Throttle),
                limit(LimitKind::Hard, 1000, LimitAction::Reject),
            ],
        );
        assert_eq!(s.decide(&request(1, false)).label(), "deny");
    }

    #[test]
    fn suspend_on_one_meter_refuses_every_meter() {
        let s = snapshot(
            2000,
            vec![limit(LimitKind::Hard, 1000, LimitAction::Suspend)],
        );
        let other = QuotaRequest {
            meter: "queries".into(),
            ..request(1, false)
        };
        let message = s.decide(&other).to_sql_error_message().unwrap_or_default();
        assert!(message.contains("suspended"), "{message}");
    }

    #[test]
    fn the_error_message_names_meter_used_limit_plan_and_reset() {
        let s = snapshot(
            1500,
            vec![limit(LimitKind::Hard, 1000, LimitAction::Reject)],
        );
        let decision = s.decide(&request(1, false));
        let (sqlstate, message) = decision.to_sql_error().unwrap_or_default();
        assert_eq!(sqlstate, "53400");
        assert_eq!(
            message,
            "quota exceeded: statement refused; meter \"rows_scanned\" used 1500 of the hard \
             limit of 1000 on plan \"free\"; usage resets at 2026-04-01T00:00:00Z"
        );
        assert_eq!(QuotaDecision::Allow.to_sql_error(), None);
        let json = serde_json::to_string(&decision).unwrap_or_default();
        let back: QuotaDecision = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, decision);
    }
}
