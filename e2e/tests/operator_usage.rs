//! The operator's usage reaches a real billing service (ledger in a real Postgres) through
//! billing's own ingest endpoint, in the units billing's meters expect, and a repeated
//! emission of the same interval is recorded once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
mod harness;

use docfusion_billing::period::Period;
use docfusion_crds::{DocFusionCluster, DocFusionClusterSpec};
use docfusion_operator::metrics::Metrics;
use docfusion_operator::names::ClusterNames;
use docfusion_operator::observe::{Observed, ObservedQueryNodes};
use docfusion_operator::usage::{interval_start, usage_events};
use docfusion_operator::usage_sink::{HttpSinkSettings, HttpUsageSink, UsageSink};
use docfusion_test_support::TestPostgres;
use rust_decimal::Decimal;

/// The plans file billing ships: the operator's meters must be defined there as it sends them.
const PLANS: &str = include_str!("../../billing/plans.example.yaml");

#[tokio::test(flavor = "multi_thread")]
async fn operator_usage_is_ingested_once_in_billing_units() {
    let ledger_pg = TestPostgres::start_many(1).await.pop().unwrap();
    let billing = harness::billing::BillingHarness::start(ledger_pg, PLANS).await;
    let ledger = billing.ledger.clone();

    // A cluster of 2 shards × 30 GB (60 GB provisioned) with 2 ready query nodes.
    let spec: DocFusionClusterSpec = serde_yaml_ng::from_str(
        "{tenant: acme, plan: pro, shards: {count: 2, storage: {size: 30G}}}",
    )
    .unwrap();
    let cluster = DocFusionCluster::new("orders", spec);
    let names = ClusterNames::new("orders", "shop");
    let observed = Observed {
        query_nodes: ObservedQueryNodes {
            wanted: 2,
            ready: 2,
            updated: 2,
            rolled_out: true,
        },
        ..Observed::default()
    };
    let second = interval_start(Utc::now(), 60);
    let first = second - chrono::Duration::seconds(60);
    let sample = |start| usage_events(&cluster, &names, &observed, start, 60);

    let registry = prometheus::Registry::new();
    let metrics = Arc::new(Metrics::register(&registry).unwrap());
    let sink =
        HttpUsageSink::start(HttpSinkSettings::new(billing.url.clone()), metrics.clone()).unwrap();
    sink.emit(sample(first));
    // A second reconcile in the same interval, then the next interval.
    sink.emit(sample(first));
    sink.emit(sample(second));

    let deadline = Instant::now() + Duration::from_secs(30);
    let count = |outcome: &str| metrics.usage_events_with(outcome).get();
    while count("accepted") + count("duplicate") < 6 {
        assert!(
            Instant::now() < deadline,
            "billing did not answer every event: accepted {}, duplicate {}",
            count("accepted"),
            count("duplicate")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!((count("accepted"), count("duplicate")), (4, 2));

    // Both intervals, summed over the period(s) they fall in.
    let mut periods = vec![Period::month_containing(first)];
    if Period::month_containing(second) != periods[0] {
        periods.push(Period::month_containing(second));
    }
    let mut totals = std::collections::BTreeMap::<String, Decimal>::new();
    for period in periods {
        for (meter, value) in ledger
            .usage("acme", period, None, None)
            .await
            .unwrap()
            .meters
        {
            *totals.entry(meter).or_default() += value;
        }
    }
    // 2 ready nodes × 60 s × 2 intervals.
    assert_eq!(totals["query_node_seconds"], Decimal::from(240));
    // 60 GB held for 2 minutes = 60 × 120 / 3600 = 2 GB-hours.
    assert_eq!(totals["storage_gb_hours"], Decimal::from(2));
}
