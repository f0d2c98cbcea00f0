//! A billing service as deployed: its ledger in a real Postgres, its HTTP service on a free
//! local port.

use std::sync::Arc;

use docfusion_billing::clock::SystemClock;
use docfusion_billing::ledger::{Ledger, LedgerPolicy};
use docfusion_billing::metrics::Metrics;
use docfusion_billing::plans::PlansFile;
use docfusion_billing::service::{AppState, router};
use docfusion_test_support::TestPostgres;

/// Serves `app` on a free local port; returns its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

pub struct BillingHarness {
    /// Base URL of the HTTP service.
    pub url: String,
    /// The ledger behind it, to read totals directly.
    pub ledger: Ledger,
    /// Keeps the ledger's Postgres running.
    pub postgres: TestPostgres,
}

impl BillingHarness {
    /// Billing with the plans file `plans`, its ledger in `postgres`.
    pub async fn start(postgres: TestPostgres, plans: &str) -> BillingHarness {
        let ledger = Ledger::new(
            &postgres.dsn(),
            Arc::new(PlansFile::from_yaml(plans).unwrap()),
            Arc::new(SystemClock),
            LedgerPolicy::default(),
        )
        .unwrap();
        ledger.migrate().await.unwrap();
        let url = serve(router(AppState {
            ledger: ledger.clone(),
            metrics: Arc::new(Metrics::new().unwrap()),
        }))
        .await;
        BillingHarness {
            url,
            ledger,
            postgres,
        }
    }
}
