//! `docfusion-operator`: elects a leader through a Lease, then runs the DocFusionCluster
//! controller; serves `/metrics`, `/healthz` and `/` (diagnostics) on every replica.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use clap::Parser;
use docfusion_operator::controller::{self, Context, Diagnostics};
use docfusion_operator::leader::{LeaseSettings, campaign};
use docfusion_operator::metrics::Metrics;
use docfusion_operator::usage_sink::{HttpSinkSettings, HttpUsageSink, LogUsageSink, UsageSink};
use prometheus::{Encoder, Registry, TextEncoder};
use tokio::sync::{RwLock, watch};
use tracing::{error, info};

#[derive(Parser, Debug)]
#[command(version, about = "Kubernetes operator for DocFusionDB clusters")]
struct Args {
    /// Address of the /metrics, /healthz and diagnostics server.
    #[arg(
        long,
        env = "DOCFUSION_OPERATOR_LISTEN",
        default_value = "0.0.0.0:8080"
    )]
    listen: SocketAddr,
    /// Namespace of the leader-election Lease (the operator's own namespace).
    #[arg(long, env = "POD_NAMESPACE", default_value = "docfusion-system")]
    lease_namespace: String,
    /// Name of the leader-election Lease.
    #[arg(
        long,
        env = "DOCFUSION_OPERATOR_LEASE",
        default_value = "docfusion-operator"
    )]
    lease_name: String,
    /// This replica's identity in the Lease.
    #[arg(long, env = "POD_NAME", default_value = "docfusion-operator")]
    identity: String,
    /// Seconds a leader's claim is valid without renewal.
    #[arg(long, env = "DOCFUSION_OPERATOR_LEASE_SECONDS", default_value_t = 15)]
    lease_seconds: u64,
    /// Base URL of the billing service; usage events are posted to its
    /// `/v1/events/batch`. Without it they are written to the log (target `docfusion_usage`).
    #[arg(long, env = "DOCFUSION_BILLING_URL")]
    billing_url: Option<String>,
    /// Print the objects the operator would create for the DocFusionCluster in this YAML
    /// file, and exit (a dry run; no cluster access).
    #[arg(long, value_name = "FILE")]
    render: Option<std::path::PathBuf>,
}

#[derive(Clone)]
struct AppState {
    registry: Registry,
    diagnostics: Arc<RwLock<Diagnostics>>,
    leading: watch::Receiver<bool>,
}

async fn serve_metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut buffer = Vec::new();
    match TextEncoder::new().encode(&state.registry.gather(), &mut buffer) {
        Ok(()) => (StatusCode::OK, buffer).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn serve_diagnostics(State(state): State<AppState>) -> impl IntoResponse {
    let d = state.diagnostics.read().await.clone();
    Json(serde_json::json!({
        "last_event": d.last_event,
        "leading": *state.leading.borrow(),
    }))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,kube=warn".into()),
        )
        .init();
    let args = Args::parse();
    if let Some(path) = &args.render {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let cluster: docfusion_crds::DocFusionCluster = serde_yaml_ng::from_str(&text)
            .with_context(|| format!("{} is not a DocFusionCluster", path.display()))?;
        print!("{}", docfusion_operator::render::render_yaml(&cluster)?);
        return Ok(());
    }
    let client = kube::Client::try_default()
        .await
        .context("cannot build a Kubernetes client (in-cluster config or KUBECONFIG)")?;
    let registry = Registry::new();
    let metrics = Arc::new(Metrics::register(&registry).context("cannot register metrics")?);
    let diagnostics = Arc::new(RwLock::new(Diagnostics::default()));
    let reporter = diagnostics.read().await.reporter.clone();

    let (leading_tx, leading) = watch::channel(false);
    let settings = LeaseSettings {
        name: args.lease_name.clone(),
        namespace: args.lease_namespace.clone(),
        identity: args.identity.clone(),
        duration: Duration::from_secs(args.lease_seconds.max(2)),
        renew_every: Duration::from_secs((args.lease_seconds / 3).max(1)),
    };
    tokio::spawn(campaign(client.clone(), settings, leading_tx));

    let app = Router::new()
        .route("/metrics", get(serve_metrics))
        .route("/healthz", get(healthz))
        .route("/", get(serve_diagnostics))
        .with_state(AppState {
            registry,
            diagnostics: diagnostics.clone(),
            leading: leading.clone(),
        });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    info!(listen = %args.listen, "serving /metrics and /healthz");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            error!(error = %e, "metrics server stopped");
        }
    });

    let mut wait = leading.clone();
    wait.wait_for(|l| *l)
        .await
        .context("leader election stopped")?;
    info!(identity = %args.identity, "leading; starting the controller");
    let usage: Arc<dyn UsageSink> = match &args.billing_url {
        Some(url) => {
            info!(url = %url, "posting usage events to billing");
            Arc::new(
                HttpUsageSink::start(HttpSinkSettings::new(url.clone()), metrics.clone())
                    .map_err(|e| anyhow::anyhow!("--billing-url: {e}"))?,
            )
        }
        None => Arc::new(LogUsageSink),
    };
    let ctx = Arc::new(Context::new(client, metrics, diagnostics, usage, reporter));
    let mut lost = leading.clone();
    let lost_leadership = async move {
        let _ = lost.wait_for(|l| !*l).await;
    };
    controller::run(ctx, lost_leadership).await?;
    // Either leadership was lost or the watch ended: exit so that the pod restarts as a
    // follower rather than risk two reconcilers.
    anyhow::bail!("controller stopped (leadership lost or watch ended)")
}
