//! Quotas end to end: a real billing service (ledger in a real Postgres) and a query node
//! over two real shards; a tenant over its hard limit gets SQLSTATE 53400 with a readable
//! message, and the statements it did run arrive in the ledger as usage.

use std::sync::Arc;
use std::time::{Duration, Instant};

mod harness;

use docfusion_test_support::TestPostgres;
use docfusion_types::{BillingConfig, NodeConfig, ShardConfig, UserConfig};
use docfusiondb::auth::{Authenticator, verifier_for};
use docfusiondb::node::Node;
use harness::billing::{BillingHarness, serve};
use serde_json::{Value, json};

const PLANS: &str = r#"
currency: USD
default_plan: tiny
meters:
  queries: {aggregation: count, unit: statements}
  rows_scanned: {aggregation: sum, unit: rows}
  bytes_scanned: {aggregation: sum, unit: bytes}
  cpu_seconds: {aggregation: sum, unit: CPU-seconds}
plans:
  tiny:
    display_name: Tiny
    base_fee: 0
    included: {queries: 3}
    limits:
      - {meter: queries, kind: hard, value: 3, action: reject}
"#;

#[tokio::test(flavor = "multi_thread")]
async fn over_quota_statements_get_53400_and_usage_reaches_the_ledger() {
    let mut pg = TestPostgres::start_many(3).await;
    let ledger_pg = pg.pop().unwrap();

    // Billing, as deployed: ledger in Postgres, HTTP service.
    let billing_service = BillingHarness::start(ledger_pg, PLANS).await;
    let billing = billing_service.url.clone();

    // The node, metered for tenant "acme".
    let mut config = NodeConfig {
        shards: pg
            .iter()
            .map(|s| ShardConfig {
                name: None,
                dsn: s.dsn(),
            })
            .collect(),
        billing: Some(BillingConfig {
            url: billing.clone(),
            tenant: "acme".into(),
            cluster: "acme-prod".into(),
            quota_refresh_ms: 60_000,
        }),
        ..NodeConfig::default()
    };
    config.auth.users.push(UserConfig {
        name: "acme".into(),
        password: verifier_for("acme-pw").to_string(),
    });
    let (auth, _) = Authenticator::from_config(&config).unwrap();
    let node = Node::start(config).await.unwrap();
    let base = serve(docfusiondb::server::http::router(
        node.engine().clone(),
        Arc::new(auth),
    ))
    .await;
    let http = reqwest::Client::new();
    let sql = |q: &'static str| {
        let http = http.clone();
        let url = format!("{base}/v1/sql");
        async move {
            let r = http
                .post(url)
                .basic_auth("acme", Some("acme-pw"))
                .json(&json!({"sql": q}))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };

    for _ in 0..3 {
        let (status, body) = sql("SELECT 1 AS one").await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = sql("SELECT 1 AS one").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "53400");
    let message = body["error"]["message"].as_str().unwrap();
    for part in [
        "meter \"queries\"",
        "used 3 of the hard limit of 3",
        "plan \"tiny\"",
        "resets at",
    ] {
        assert!(message.contains(part), "{message:?} should name {part}");
    }

    // The three statements that ran are in the ledger (usage is sent in the background).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let usage: Value = http
            .get(format!("{billing}/v1/tenants/acme/usage"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let text = usage.to_string();
        if text.contains("\"queries\"") && usage_total(&usage, "queries") == Some(3.0) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "usage never reached the ledger: {usage}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The total of `meter` in a usage answer, wherever the service nests it.
fn usage_total(v: &Value, meter: &str) -> Option<f64> {
    match v {
        Value::Object(map) => {
            if map.get("meter").and_then(Value::as_str) == Some(meter) {
                for key in ["total", "quantity", "value", "used"] {
                    if let Some(x) = map.get(key) {
                        return x
                            .as_f64()
                            .or_else(|| x.as_str().and_then(|s| s.parse().ok()));
                    }
                }
            }
            if let Some(n) = map.get(meter).and_then(|x| {
                x.as_f64()
                    .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
            }) {
                return Some(n);
            }
            map.values().find_map(|x| usage_total(x, meter))
        }
        Value::Array(items) => items.iter().find_map(|x| usage_total(x, meter)),
        _ => None,
    }
}
