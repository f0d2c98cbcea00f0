//! The HTTP service (axum): ingest, usage, quota, invoice preview, export, metrics, health.
//! Ingest acknowledges only after commit; when Postgres is down it answers 503 with
//! `Retry-After`, so producers resend and nothing acknowledged is lost.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use docfusion_types::{LimitBalance, MeterBalance, QuotaRequest, QuotaSnapshot, UsageEvent};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::invoice;
use crate::ledger::{Ledger, LedgerError, Outcome};
use crate::metrics::Metrics;
use crate::period::Period;

/// Seconds a producer should wait before resending when the ledger is down.
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// Shared state of the handlers.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The ledger.
    pub ledger: Ledger,
    /// The metrics.
    pub metrics: Arc<Metrics>,
}

/// The router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/events", post(ingest_one))
        .route("/v1/events/batch", post(ingest_batch))
        .route("/v1/tenants/{tenant}/usage", get(tenant_usage))
        .route("/v1/tenants/{tenant}/quota", get(tenant_quota))
        .route("/v1/tenants/{tenant}/plan", put(set_plan))
        .route("/v1/tenants/{tenant}/invoice", get(invoice_preview))
        .route("/v1/quota/check", post(quota_check))
        .route("/v1/export/windows", get(export_windows))
        .route("/v1/periods/close", post(close_periods))
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(state)
}

/// An error answer: JSON `{error}` with a status; 503 + Retry-After when the ledger is down.
struct ApiError(StatusCode, String);

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        let status = match &e {
            LedgerError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            LedgerError::Database { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            LedgerError::NotFound(_) => StatusCode::NOT_FOUND,
            LedgerError::Conflict(_) => StatusCode::CONFLICT,
        };
        ApiError(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.0, Json(json!({ "error": self.1 }))).into_response();
        if self.0 == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}

/// One event's result in an ingest answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct EventResult {
    /// The event id.
    pub id: String,
    /// accepted, late, duplicate, conflict, future, invalid.
    pub outcome: String,
    /// Why, for future and invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

async fn ingest(state: &AppState, events: &[UsageEvent]) -> Result<Vec<EventResult>, ApiError> {
    let started = Instant::now();
    let result = state.ledger.ingest(events).await;
    state
        .metrics
        .flush_seconds
        .observe(started.elapsed().as_secs_f64());
    let outcomes = match result {
        Ok(outcomes) => outcomes,
        Err(e) => {
            state.metrics.flush_failures.inc();
            return Err(e.into());
        }
    };
    Ok(events
        .iter()
        .zip(outcomes)
        .map(|(event, outcome)| {
            state
                .metrics
                .events
                .with_label_values(&[outcome.label()])
                .inc();
            let reason = match &outcome {
                Outcome::Future(r) | Outcome::Invalid(r) => Some(r.clone()),
                _ => None,
            };
            EventResult {
                id: event.id.clone(),
                outcome: outcome.label().into(),
                reason,
            }
        })
        .collect())
}

fn parse_events<T: serde::de::DeserializeOwned>(
    state: &AppState,
    body: &[u8],
) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        state.metrics.events.with_label_values(&["invalid"]).inc();
        ApiError(
            StatusCode::BAD_REQUEST,
            format!("invalid usage event JSON: {e}"),
        )
    })
}

async fn ingest_one(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let event: UsageEvent = match parse_events(&state, &body) {
        Ok(event) => event,
        Err(e) => return e.into_response(),
    };
    match ingest(&state, std::slice::from_ref(&event)).await {
        Ok(mut results) => {
            let result = results.pop();
            let status = match result.as_ref().map(|r| r.outcome.as_str()) {
                Some("conflict") => StatusCode::CONFLICT,
                Some("future") | Some("invalid") => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::OK,
            };
            (status, Json(result)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn ingest_batch(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let events: Vec<UsageEvent> = match parse_events(&state, &body) {
        Ok(events) => events,
        Err(e) => return e.into_response(),
    };
    match ingest(&state, &events).await {
        Ok(results) => Json(json!({ "results": results })).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `?period=2026-03` (a month) or absent for the current period.
#[derive(Debug, Deserialize)]
struct PeriodQuery {
    period: Option<String>,
    format: Option<String>,
}

fn period_of(state: &AppState, query: &PeriodQuery) -> Result<Period, ApiError> {
    match &query.period {
        None => Ok(Period::month_containing(state.ledger.clock().now())),
        Some(text) => {
            let start = format!("{text}-01T00:00:00Z");
            start
                .parse::<DateTime<Utc>>()
                .map(Period::month_containing)
                .map_err(|_| {
                    ApiError(
                        StatusCode::BAD_REQUEST,
                        format!("query parameter `period`: expected YYYY-MM, got {text:?}"),
                    )
                })
        }
    }
}

async fn tenant_usage(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    let period = period_of(&state, &query)?;
    let usage = state.ledger.usage(&tenant, period, None, None).await?;
    Ok(Json(usage).into_response())
}

async fn snapshot(state: &AppState, tenant: &str) -> Result<QuotaSnapshot, ApiError> {
    let now = state.ledger.clock().now();
    let period = Period::month_containing(now);
    let segments = state.ledger.plan_segments(tenant, period).await?;
    let plan_name = segments
        .iter()
        .rev()
        .find(|(_, from, _)| *from <= now)
        .map(|(plan, _, _)| plan.clone())
        .unwrap_or_else(|| state.ledger.plans().default_plan.clone());
    let usage = state.ledger.usage(tenant, period, None, None).await?;
    let plans = state.ledger.plans();
    let plan = plans.plan(&plan_name).ok_or_else(|| {
        ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("tenant {tenant:?} has plan {plan_name:?}, which the plans file lacks"),
        )
    })?;
    let mut names: Vec<&String> = plan
        .included
        .keys()
        .chain(plan.limits.iter().map(|l| &l.meter))
        .collect();
    names.sort();
    names.dedup();
    let meters = names
        .into_iter()
        .map(|meter| MeterBalance {
            meter: meter.clone(),
            used: usage.meters.get(meter).copied().unwrap_or_default(),
            included: plan.included.get(meter).copied().unwrap_or_default(),
            limits: plan
                .limits
                .iter()
                .filter(|l| &l.meter == meter)
                .map(|l| LimitBalance {
                    kind: l.kind,
                    value: l.value,
                    action: l.action,
                    retry_after_seconds: l.retry_after_seconds,
                })
                .collect(),
        })
        .collect();
    Ok(QuotaSnapshot {
        tenant: tenant.into(),
        plan: plan_name,
        period_start: period.start,
        period_end: period.end,
        meters,
    })
}

async fn tenant_quota(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(snapshot(&state, &tenant).await?).into_response())
}

async fn quota_check(
    State(state): State<AppState>,
    Json(request): Json<QuotaRequest>,
) -> Result<Response, ApiError> {
    let decision = snapshot(&state, &request.tenant).await?.decide(&request);
    state
        .metrics
        .quota_decisions
        .with_label_values(&[decision.label()])
        .inc();
    Ok(Json(decision).into_response())
}

#[derive(Debug, Deserialize)]
struct PlanChange {
    plan: String,
    effective_from: Option<DateTime<Utc>>,
}

async fn set_plan(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Json(change): Json<PlanChange>,
) -> Result<Response, ApiError> {
    let from = change
        .effective_from
        .unwrap_or_else(|| state.ledger.clock().now());
    state.ledger.set_plan(&tenant, &change.plan, from).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn invoice_preview(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    let period = period_of(&state, &query)?;
    let segments = state.ledger.invoice_segments(&tenant, period).await?;
    let invoice = invoice::preview(state.ledger.plans(), &tenant, period, &segments)
        .map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(Json(invoice).into_response())
}

async fn export_windows(
    State(state): State<AppState>,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    let period = period_of(&state, &query)?;
    let windows = state.ledger.closed_windows(period).await?;
    match query.format.as_deref().unwrap_or("jsonl") {
        "jsonl" => {
            let mut body = String::new();
            for window in &windows {
                body.push_str(&serde_json::to_string(window).unwrap_or_default());
                body.push('\n');
            }
            Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response())
        }
        "csv" => {
            let mut body = String::from(
                "tenant,meter,cluster,window_start,booked_period,adjustment,total,events,\
                 max_value,latest_value\n",
            );
            for w in &windows {
                body.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{}\n",
                    csv_field(&w.tenant),
                    csv_field(&w.meter),
                    csv_field(&w.cluster),
                    w.window_start.to_rfc3339(),
                    w.booked_period.to_rfc3339(),
                    w.adjustment,
                    w.total,
                    w.events,
                    w.max_value,
                    w.latest_value
                ));
            }
            Ok(([(header::CONTENT_TYPE, "text/csv")], body).into_response())
        }
        other => Err(ApiError(
            StatusCode::BAD_REQUEST,
            format!("query parameter `format`: expected csv or jsonl, got {other:?}"),
        )),
    }
}

/// Quotes a CSV field when it holds a comma, quote or newline.
pub fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

async fn close_periods(State(state): State<AppState>) -> Result<Response, ApiError> {
    let closed = state.ledger.close_due_periods().await?;
    Ok(Json(json!({ "closed": closed })).into_response())
}

async fn metrics(State(state): State<AppState>) -> Response {
    if let Ok(pending) = state.ledger.outbox_pending_count().await {
        state.metrics.outbox_pending.set(pending);
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.ledger.healthy().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        ApiError(
            StatusCode::SERVICE_UNAVAILABLE,
            "ledger database unavailable".into(),
        )
        .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("acme"), "acme");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
