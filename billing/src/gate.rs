//! The quota gate the query node calls before running a statement. It caches each tenant's
//! [`QuotaSnapshot`] from the billing service for a short interval, adds the usage the node
//! reported since, and decides locally ([`QuotaSnapshot::decide`]), so a statement costs no
//! round trip in the common case. If billing is unreachable and no snapshot is cached, the
//! gate fails open (allows) by default, or closed if configured: a billing outage should not
//! stop every tenant's queries.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use docfusion_types::{QuotaDecision, QuotaRequest, QuotaSnapshot};
use rust_decimal::Decimal;
use tokio::sync::RwLock;

/// Where the gate gets snapshots from.
pub trait SnapshotSource: Send + Sync {
    /// The tenant's current snapshot.
    fn snapshot(
        &self,
        tenant: &str,
    ) -> impl std::future::Future<Output = Result<QuotaSnapshot, GateError>> + Send;
}

/// A snapshot could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// HTTP failure or a non-2xx answer.
    #[error("billing service at {url}: {reason}")]
    Unavailable {
        /// The URL asked.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// Snapshots from the billing service: `GET {base}/v1/tenants/{tenant}/quota`.
#[derive(Debug, Clone)]
pub struct HttpSnapshotSource {
    base_url: String,
    http: reqwest::Client,
}

impl HttpSnapshotSource {
    /// A source for the billing service at `base_url` (e.g. `http://billing:8480`), with a
    /// 2 s request timeout.
    pub fn new(base_url: impl Into<String>) -> Result<HttpSnapshotSource, GateError> {
        let base_url = base_url.into();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| GateError::Unavailable {
                url: base_url.clone(),
                reason: e.to_string(),
            })?;
        Ok(HttpSnapshotSource { base_url, http })
    }
}

impl SnapshotSource for HttpSnapshotSource {
    async fn snapshot(&self, tenant: &str) -> Result<QuotaSnapshot, GateError> {
        let mut url = match reqwest::Url::parse(&self.base_url) {
            Ok(url) => url,
            Err(e) => {
                return Err(GateError::Unavailable {
                    url: self.base_url.clone(),
                    reason: e.to_string(),
                });
            }
        };
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .extend(["v1", "tenants", tenant, "quota"]);
        }
        let unavailable = |reason: String| GateError::Unavailable {
            url: url.to_string(),
            reason,
        };
        let response = self
            .http
            .get(url.clone())
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("HTTP {}", response.status())));
        }
        response
            .json::<QuotaSnapshot>()
            .await
            .map_err(|e| unavailable(e.to_string()))
    }
}

/// What to do when no snapshot can be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenUnavailable {
    /// Allow the statement (default).
    Allow,
    /// Refuse it with a throttle (retry after the refresh interval).
    Throttle,
}

#[derive(Debug, Clone)]
struct Cached {
    snapshot: QuotaSnapshot,
    fetched: Instant,
}

/// The gate: cached snapshots per tenant, refreshed after `refresh`.
pub struct QuotaGate<S: SnapshotSource> {
    source: S,
    refresh: Duration,
    when_unavailable: WhenUnavailable,
    cache: RwLock<HashMap<String, Cached>>,
}

impl QuotaGate<HttpSnapshotSource> {
    /// A gate on the billing service at `base_url`, refreshing every `refresh`.
    pub fn http(
        base_url: impl Into<String>,
        refresh: Duration,
    ) -> Result<Arc<QuotaGate<HttpSnapshotSource>>, GateError> {
        Ok(Arc::new(QuotaGate::new(
            HttpSnapshotSource::new(base_url)?,
            refresh,
            WhenUnavailable::Allow,
        )))
    }
}

impl<S: SnapshotSource> QuotaGate<S> {
    /// A gate on any snapshot source.
    pub fn new(source: S, refresh: Duration, when_unavailable: WhenUnavailable) -> Self {
        QuotaGate {
            source,
            refresh,
            when_unavailable,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// Decides whether `tenant` may run a statement estimated to add `estimated` to
    /// `meter` (`writes`: whether it writes, refused under read-only).
    pub async fn check(
        &self,
        tenant: &str,
        meter: &str,
        estimated: Decimal,
        writes: bool,
    ) -> QuotaDecision {
        let request = QuotaRequest {
            tenant: tenant.into(),
            meter: meter.into(),
            estimated,
            writes,
        };
        match self.snapshot(tenant).await {
            Some(snapshot) => snapshot.decide(&request),
            None => match self.when_unavailable {
                WhenUnavailable::Allow => QuotaDecision::Allow,
                WhenUnavailable::Throttle => QuotaDecision::Throttle {
                    hit: docfusion_types::LimitHit {
                        meter: meter.into(),
                        used: Decimal::ZERO,
                        limit: Decimal::ZERO,
                        kind: docfusion_types::LimitKind::Hard,
                        action: docfusion_types::LimitAction::Throttle,
                        plan: "unknown (billing unavailable)".into(),
                        resets_at: chrono::Utc::now(),
                    },
                    retry_after_seconds: self.refresh.as_secs().max(1),
                },
            },
        }
    }

    /// Adds usage the node just reported to the cached balance, so that statements between
    /// two refreshes see it.
    pub async fn record(&self, tenant: &str, meter: &str, quantity: Decimal) {
        let mut cache = self.cache.write().await;
        if let Some(cached) = cache.get_mut(tenant)
            && let Some(balance) = cached
                .snapshot
                .meters
                .iter_mut()
                .find(|balance| balance.meter == meter)
        {
            balance.used += quantity;
        }
    }

    /// Drops a tenant's cached snapshot (e.g. after a plan change).
    pub async fn invalidate(&self, tenant: &str) {
        self.cache.write().await.remove(tenant);
    }

    /// The fresh cached snapshot, or a new one; a stale one if the source fails.
    async fn snapshot(&self, tenant: &str) -> Option<QuotaSnapshot> {
        if let Some(cached) = self.cache.read().await.get(tenant)
            && cached.fetched.elapsed() < self.refresh
        {
            return Some(cached.snapshot.clone());
        }
        match self.source.snapshot(tenant).await {
            Ok(snapshot) => {
                self.cache.write().await.insert(
                    tenant.into(),
                    Cached {
                        snapshot: snapshot.clone(),
                        fetched: Instant::now(),
                    },
                );
                Some(snapshot)
            }
            Err(e) => {
                tracing::warn!(tenant, error = %e, "quota snapshot unavailable");
                self.cache
                    .read()
                    .await
                    .get(tenant)
                    .map(|cached| cached.snapshot.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docfusion_types::{LimitAction, LimitBalance, LimitKind, MeterBalance};
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting {
        calls: AtomicUsize,
        fail: bool,
    }

    impl SnapshotSource for Counting {
        async fn snapshot(&self, tenant: &str) -> Result<QuotaSnapshot, GateError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return Err(GateError::Unavailable {
                    url: "test".into(),
                    reason: "down".into(),
                });
            }
            let end = "2026-04-01T00:00:00Z".parse().unwrap_or_default();
            Ok(QuotaSnapshot {
                tenant: tenant.into(),
                plan: "free".into(),
                period_start: end,
                period_end: end,
                meters: vec![MeterBalance {
                    meter: "queries".into(),
                    used: Decimal::from(9),
                    included: Decimal::from(10),
                    limits: vec![LimitBalance {
                        kind: LimitKind::Hard,
                        value: Decimal::from(10),
                        action: LimitAction::Reject,
                        retry_after_seconds: 60,
                    }],
                }],
            })
        }
    }

    #[tokio::test]
    async fn caches_counts_recorded_usage_and_fails_open() {
        let gate = QuotaGate::new(
            Counting {
                calls: AtomicUsize::new(0),
                fail: false,
            },
            Duration::from_secs(3600),
            WhenUnavailable::Allow,
        );
        assert!(
            gate.check("acme", "queries", Decimal::ONE, false)
                .await
                .allows()
        );
        gate.record("acme", "queries", Decimal::ONE).await;
        let denied = gate.check("acme", "queries", Decimal::ONE, false).await;
        assert_eq!(denied.label(), "deny");
        assert_eq!(
            gate.source.calls.load(Ordering::SeqCst),
            1,
            "second check was cached"
        );

        let down = QuotaGate::new(
            Counting {
                calls: AtomicUsize::new(0),
                fail: true,
            },
            Duration::from_secs(1),
            WhenUnavailable::Allow,
        );
        assert!(
            down.check("acme", "queries", Decimal::ONE, false)
                .await
                .allows()
        );
    }
}
