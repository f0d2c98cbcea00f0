//! Where usage events go: billing's ingest endpoint (`POST {url}/v1/events/batch`) when a
//! billing URL is configured, else the log. Delivery never blocks a reconcile: events are
//! queued and a background task posts them, resending with backoff while billing is down or
//! answers 5xx. Ids are deterministic, so a resend is counted once by billing.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use docfusion_types::UsageEvent;
use serde_json::Value;
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::metrics::Metrics;

/// Where usage events go.
pub trait UsageSink: Send + Sync {
    /// Hands over events; ids make re-delivery harmless.
    fn emit(&self, events: Vec<UsageEvent>);
}

/// Writes usage events as JSON lines to the log (target `docfusion_usage`), for a log
/// shipper to forward when no billing URL is configured.
pub struct LogUsageSink;

impl UsageSink for LogUsageSink {
    fn emit(&self, events: Vec<UsageEvent>) {
        for event in events {
            match serde_json::to_string(&event) {
                Ok(line) => info!(target: "docfusion_usage", event = %line, "usage"),
                Err(e) => warn!(error = %e, "cannot serialise usage event"),
            }
        }
    }
}

/// How the HTTP sink talks to billing.
#[derive(Debug, Clone)]
pub struct HttpSinkSettings {
    /// Base URL of the billing service, e.g. `http://billing.billing.svc:8480`.
    pub url: String,
    /// First wait before a resend; doubles up to `max_retry`.
    pub first_retry: Duration,
    pub max_retry: Duration,
    /// Events kept while billing is unreachable; the oldest are dropped beyond this.
    pub max_pending: usize,
    /// Events per request.
    pub batch: usize,
    /// Timeout of one request.
    pub timeout: Duration,
}

impl HttpSinkSettings {
    /// Defaults: resend after 1 s doubling to 60 s, keep 100 000 events, 500 per request.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            first_retry: Duration::from_secs(1),
            max_retry: Duration::from_secs(60),
            max_pending: 100_000,
            batch: 500,
            timeout: Duration::from_secs(10),
        }
    }

    fn endpoint(&self) -> String {
        format!("{}/v1/events/batch", self.url.trim_end_matches('/'))
    }
}

/// Posts usage events to billing from a background task.
pub struct HttpUsageSink {
    queue: mpsc::Sender<Vec<UsageEvent>>,
    metrics: Arc<Metrics>,
}

/// What one POST achieved.
enum Delivery {
    /// 2xx: billing answered with one outcome per event.
    Answered(Vec<String>),
    /// 4xx: billing will never take this batch (malformed); resending would not help.
    Refused(String),
    /// Connection failure, timeout, 5xx or 429: resend later.
    Retry(String),
}

impl HttpUsageSink {
    /// Starts the delivery task; it ends when the sink is dropped and the queue is empty.
    pub fn start(settings: HttpSinkSettings, metrics: Arc<Metrics>) -> Result<Self, String> {
        if !(settings.url.starts_with("http://") || settings.url.starts_with("https://")) {
            return Err(format!(
                "billing URL {:?} is not an http(s) URL",
                settings.url
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let (queue, rx) = mpsc::channel(1024);
        tokio::spawn(deliver(settings, http, rx, metrics.clone()));
        Ok(Self { queue, metrics })
    }
}

impl UsageSink for HttpUsageSink {
    fn emit(&self, events: Vec<UsageEvent>) {
        let n = events.len() as u64;
        if self.queue.try_send(events).is_err() {
            warn!(events = n, "usage queue full or closed: events dropped");
            self.metrics.usage_events_with("dropped").inc_by(n);
        }
    }
}

async fn post(http: &reqwest::Client, url: &str, batch: &[UsageEvent]) -> Delivery {
    let response = match http.post(url).json(batch).send().await {
        Ok(r) => r,
        Err(e) => return Delivery::Retry(e.to_string()),
    };
    let status = response.status();
    if status.is_server_error() || status.as_u16() == 429 {
        return Delivery::Retry(format!("HTTP {status}"));
    }
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Delivery::Refused(format!("HTTP {status}: {body}"));
    }
    let outcomes: Option<Vec<String>> = serde_json::from_str::<Value>(&body).ok().and_then(|v| {
        v["results"].as_array().map(|results| {
            results
                .iter()
                .map(|r| r["outcome"].as_str().unwrap_or("unknown").to_string())
                .collect()
        })
    });
    match outcomes {
        Some(outcomes) if outcomes.len() == batch.len() => Delivery::Answered(outcomes),
        // Taken (2xx) but not in the documented shape: do not resend.
        _ => Delivery::Answered(vec!["unknown".to_string(); batch.len()]),
    }
}

async fn deliver(
    settings: HttpSinkSettings,
    http: reqwest::Client,
    mut rx: mpsc::Receiver<Vec<UsageEvent>>,
    metrics: Arc<Metrics>,
) {
    let url = settings.endpoint();
    let mut pending: VecDeque<UsageEvent> = VecDeque::new();
    let mut wait = settings.first_retry;
    loop {
        if pending.is_empty() {
            match rx.recv().await {
                Some(events) => pending.extend(events),
                None => return,
            }
        }
        while let Ok(events) = rx.try_recv() {
            pending.extend(events);
        }
        let excess = pending.len().saturating_sub(settings.max_pending);
        if excess > 0 {
            pending.drain(..excess);
            warn!(
                events = excess,
                "billing unreachable for long: oldest usage events dropped"
            );
            metrics.usage_events_with("dropped").inc_by(excess as u64);
        }
        let n = pending.len().min(settings.batch.max(1));
        let batch: Vec<UsageEvent> = pending.iter().take(n).cloned().collect();
        match post(&http, &url, &batch).await {
            Delivery::Answered(outcomes) => {
                pending.drain(..n);
                wait = settings.first_retry;
                for (event, outcome) in batch.iter().zip(&outcomes) {
                    metrics.usage_events_with(outcome).inc();
                    if !matches!(outcome.as_str(), "accepted" | "duplicate" | "late") {
                        warn!(id = %event.id, meter = %event.meter, outcome = %outcome, "billing did not record a usage event");
                    }
                }
            }
            Delivery::Refused(reason) => {
                pending.drain(..n);
                warn!(events = n, %reason, "billing refused a batch of usage events");
                metrics.usage_events_with("refused").inc_by(n as u64);
            }
            Delivery::Retry(reason) => {
                warn!(%reason, url = %url, retry_in = ?wait, "cannot deliver usage events; will resend");
                metrics.usage_delivery_failures.inc();
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(settings.max_retry);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Json;
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::routing::post;
    use chrono::DateTime;
    use docfusion_types::UsageData;
    use rust_decimal::Decimal;
    use std::collections::HashSet;
    use std::sync::Mutex;
    use std::time::Instant;

    /// A stand-in for billing's ingest: fails the first `fail_first` requests with 503, then
    /// answers like billing does (accepted, or duplicate for an id seen before).
    #[derive(Default)]
    struct FakeBilling {
        fail_first: usize,
        requests: Mutex<Vec<Value>>,
        seen: Mutex<HashSet<String>>,
    }

    async fn ingest(
        State(billing): State<Arc<FakeBilling>>,
        Json(events): Json<Vec<Value>>,
    ) -> (StatusCode, Json<Value>) {
        let n = {
            let mut requests = billing.requests.lock().unwrap_or_else(|e| e.into_inner());
            requests.push(Value::Array(events.clone()));
            requests.len()
        };
        if n <= billing.fail_first {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"error": "ledger down"})),
            );
        }
        let mut seen = billing.seen.lock().unwrap_or_else(|e| e.into_inner());
        let results: Vec<Value> = events
            .iter()
            .map(|e| {
                let id = e["id"].as_str().unwrap_or_default().to_string();
                let outcome = if seen.insert(id.clone()) {
                    "accepted"
                } else {
                    "duplicate"
                };
                serde_json::json!({"id": id, "outcome": outcome})
            })
            .collect();
        (
            StatusCode::OK,
            Json(serde_json::json!({ "results": results })),
        )
    }

    /// Serves `app` on a free local port; returns its base URL.
    async fn serve(app: axum::Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let url = format!(
            "http://{}",
            listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
        );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        url
    }

    fn events() -> Vec<UsageEvent> {
        let start = DateTime::from_timestamp(7_200, 0).unwrap_or_default();
        ["query_node_seconds", "storage_gb_hours"]
            .into_iter()
            .map(|meter| {
                UsageEvent::new(
                    UsageEvent::periodic_id("shop/orders", meter, start),
                    "operator",
                    meter,
                    "acme",
                    start,
                    UsageData {
                        cluster: "shop/orders".into(),
                        resource: "shop/orders".into(),
                        value: Decimal::from(120),
                    },
                )
            })
            .collect()
    }

    async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn events_are_resent_until_billing_takes_them_and_counted_once() {
        let billing = Arc::new(FakeBilling {
            fail_first: 2,
            ..FakeBilling::default()
        });
        let url = serve(
            axum::Router::new()
                .route("/v1/events/batch", post(ingest))
                .with_state(billing.clone()),
        )
        .await;
        let registry = prometheus::Registry::new();
        let metrics = Arc::new(Metrics::register(&registry).unwrap_or_else(|e| panic!("{e}")));
        let mut settings = HttpSinkSettings::new(format!("{url}/"));
        settings.first_retry = Duration::from_millis(10);
        let sink =
            HttpUsageSink::start(settings, metrics.clone()).unwrap_or_else(|e| panic!("{e}"));
        sink.emit(events());
        let count = |outcome: &str| metrics.usage_events_with(outcome).get();
        wait_for("the events to be accepted", || count("accepted") == 2).await;
        assert_eq!(metrics.usage_delivery_failures.get(), 2, "two 503s");
        {
            let requests = billing.requests.lock().unwrap_or_else(|e| e.into_inner());
            assert_eq!(requests.len(), 3);
            assert!(
                requests.iter().all(|r| *r == requests[0]),
                "every resend is the same batch"
            );
            // The wire format is billing's: CloudEvents fields and a string decimal.
            assert_eq!(requests[0][1]["type"], "storage_gb_hours");
            assert_eq!(requests[0][1]["subject"], "acme");
            assert_eq!(requests[0][1]["data"]["value"], "120");
            assert_eq!(requests[0][1]["specversion"], "1.0");
        }
        // The next reconcile in the same interval emits the same events: billing sees
        // duplicates, nothing is counted twice.
        sink.emit(events());
        wait_for("the duplicates", || count("duplicate") == 2).await;
        assert_eq!(count("accepted"), 2);
    }

    #[tokio::test]
    async fn a_batch_billing_refuses_is_dropped_not_resent_forever() {
        async fn refuse() -> (StatusCode, &'static str) {
            (StatusCode::BAD_REQUEST, "invalid usage event JSON")
        }
        let url = serve(axum::Router::new().route("/v1/events/batch", post(refuse))).await;
        let registry = prometheus::Registry::new();
        let metrics = Arc::new(Metrics::register(&registry).unwrap_or_else(|e| panic!("{e}")));
        let sink = HttpUsageSink::start(HttpSinkSettings::new(url), metrics.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        sink.emit(events());
        wait_for("the refusal", || {
            metrics.usage_events_with("refused").get() == 2
        })
        .await;
        assert_eq!(metrics.usage_delivery_failures.get(), 0);
    }

    #[test]
    fn a_url_that_is_not_http_is_refused_up_front() {
        let registry = prometheus::Registry::new();
        let metrics = Arc::new(Metrics::register(&registry).unwrap_or_else(|e| panic!("{e}")));
        let e = HttpUsageSink::start(HttpSinkSettings::new("billing:8480"), metrics)
            .err()
            .unwrap_or_default();
        assert!(e.contains("\"billing:8480\" is not an http(s) URL"), "{e}");
    }
}
