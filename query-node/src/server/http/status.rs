//! The open status endpoints: liveness (`/healthz`, `/health`), readiness (`/readyz`: every
//! shard answers `SELECT 1` in time) and the Prometheus metrics (`/metrics`).

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::HttpState;
use crate::error::{SqlError, sqlstate};
use crate::shards::{Shard, shard_error};

/// How long a shard may take to answer the readiness probe.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// Answer of `GET /healthz`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: String,
}

fn alive() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".to_string(),
    })
}

/// Liveness: the process is up (shards are not checked).
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "status",
    responses((status = 200, description = "The process is up", body = Health))
)]
pub async fn healthz() -> axum::Json<Health> {
    alive()
}

/// The same as `/healthz`, kept for clients of earlier versions.
#[utoipa::path(
    get,
    path = "/health",
    tag = "status",
    responses((status = 200, description = "The process is up", body = Health))
)]
#[deprecated(note = "use /healthz")]
pub async fn health() -> axum::Json<Health> {
    alive()
}

/// Answer of `GET /readyz`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not ready`.
    #[schema(example = "ready")]
    pub status: String,
    /// Every shard and its state.
    pub shards: Vec<ShardState>,
    /// Names of the shards that did not answer (empty when ready).
    pub failing: Vec<String>,
}

/// One shard's answer to the readiness probe.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShardState {
    /// The shard's name.
    #[schema(example = "shard-0")]
    pub name: String,
    /// `up` or `down`.
    #[schema(example = "up")]
    pub state: String,
    /// Why it is down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Readiness: 200 when every shard answers `SELECT 1` within two seconds, else 503 naming
/// the shards that did not.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "status",
    responses(
        (status = 200, description = "Every shard answers", body = Readiness),
        (status = 503, description = "Some shard does not answer; `failing` names them", body = Readiness),
    )
)]
pub async fn readyz(State(state): State<HttpState>) -> Response {
    let probes = state.engine.shards().shards().iter().map(probe);
    let shards: Vec<ShardState> = futures::future::join_all(probes).await;
    let failing: Vec<String> = shards
        .iter()
        .filter(|s| s.error.is_some())
        .map(|s| s.name.clone())
        .collect();
    let (status, text) = if failing.is_empty() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    };
    let body = Readiness {
        status: text.to_string(),
        shards,
        failing,
    };
    (status, axum::Json(body)).into_response()
}

async fn probe(shard: &Shard) -> ShardState {
    let answered = async {
        let conn = shard.connect().await?;
        conn.simple_query("SELECT 1")
            .await
            .map_err(|e| shard_error(&shard.name, &e))?;
        Ok::<(), SqlError>(())
    };
    let outcome = match tokio::time::timeout(READY_TIMEOUT, answered).await {
        Ok(result) => result,
        Err(_) => Err(SqlError::new(
            sqlstate::UNABLE_TO_CONNECT,
            format!(
                "shard {} did not answer within {} ms",
                shard.name,
                READY_TIMEOUT.as_millis()
            ),
        )),
    };
    ShardState {
        name: shard.name.clone(),
        state: if outcome.is_ok() { "up" } else { "down" }.to_string(),
        error: outcome.err().map(|e| e.message),
    }
}

/// The node's metrics in Prometheus' text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "status",
    responses((status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain"))
)]
pub async fn metrics_text() -> Response {
    (
        [(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)],
        crate::metrics::metrics().render(),
    )
        .into_response()
}
