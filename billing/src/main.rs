//! The `docfusion-billing` service: migrates the ledger, serves the HTTP API, closes
//! periods whose grace time is over and sends the Stripe outbox in the background.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use docfusion_billing::clock::SystemClock;
use docfusion_billing::ledger::{Ledger, LedgerPolicy};
use docfusion_billing::metrics::Metrics;
use docfusion_billing::plans::PlansFile;
use docfusion_billing::service::{AppState, router};
use docfusion_billing::stripe::{StripeConfig, send_pending};

/// Every option is also an environment variable.
#[derive(Debug, Parser)]
#[command(
    name = "docfusion-billing",
    about = "DocFusionDB usage metering and billing"
)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "BILLING_LISTEN", default_value = "127.0.0.1:8480")]
    listen: String,
    /// The ledger database (libpq string or postgres:// URL).
    #[arg(long, env = "BILLING_DATABASE_URL")]
    database_url: String,
    /// The plans file.
    #[arg(long, env = "BILLING_PLANS", default_value = "plans.yaml")]
    plans: PathBuf,
    /// Seconds after a period's end during which late events still count in it.
    #[arg(long, env = "BILLING_GRACE_SECONDS", default_value_t = 3600)]
    grace_seconds: i64,
    /// Stripe API base URL; the outbox is not sent when absent.
    #[arg(long, env = "BILLING_STRIPE_URL")]
    stripe_url: Option<String>,
    /// Stripe secret key.
    #[arg(long, env = "BILLING_STRIPE_KEY", default_value = "")]
    stripe_key: String,
    /// Seconds between background rounds (closing periods, sending the outbox).
    #[arg(long, env = "BILLING_TICK_SECONDS", default_value_t = 60)]
    tick_seconds: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let plans = PlansFile::load(&args.plans)?;
    let policy = LedgerPolicy {
        grace: chrono::Duration::seconds(args.grace_seconds),
        ..LedgerPolicy::default()
    };
    let ledger = Ledger::new(
        &args.database_url,
        Arc::new(plans),
        Arc::new(SystemClock),
        policy,
    )?;
    let applied = ledger.migrate().await.context("migrate the ledger")?;
    tracing::info!(?applied, "ledger migrated");
    let metrics = Arc::new(Metrics::new()?);

    let background = {
        let ledger = ledger.clone();
        let metrics = metrics.clone();
        let stripe = args.stripe_url.clone().map(|base_url| StripeConfig {
            base_url,
            api_key: args.stripe_key.clone(),
        });
        let tick = Duration::from_secs(args.tick_seconds.max(1));
        async move {
            let http = reqwest::Client::new();
            let mut interval = tokio::time::interval(tick);
            loop {
                interval.tick().await;
                if let Err(e) = ledger.close_due_periods().await {
                    tracing::warn!(error = %e, "closing periods failed");
                }
                if let Some(stripe) = &stripe
                    && let Err(e) = send_pending(&ledger, &http, stripe, Some(&metrics)).await
                {
                    tracing::warn!(error = %e, "sending the stripe outbox failed");
                }
            }
        }
    };
    tokio::spawn(background);

    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("listen on {}", args.listen))?;
    tracing::info!(listen = %args.listen, "docfusion-billing serving");
    axum::serve(listener, router(AppState { ledger, metrics }))
        .await
        .context("serve")?;
    Ok(())
}
