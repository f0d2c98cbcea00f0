//! The ledger against a real PostgreSQL: idempotency under shuffles, duplicates and
//! parallel replays; a connection dropped before commit; late and future events; period
//! close and the Stripe outbox through a fake Stripe; the HTTP service's 503.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use axum::extract::State;
use axum::routing::post;
use chrono::{DateTime, Utc};
use docfusion_billing::clock::ManualClock;
use docfusion_billing::invoice;
use docfusion_billing::ledger::{Ledger, LedgerError, LedgerPolicy, Outcome};
use docfusion_billing::metrics::Metrics;
use docfusion_billing::period::Period;
use docfusion_billing::plans::PlansFile;
use docfusion_billing::service::{AppState, router};
use docfusion_billing::stripe::{StripeConfig, StripeError, send_pending, send_pending_with_crash};
use docfusion_test_support::TestPostgres;
use docfusion_types::{UsageData, UsageEvent};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rust_decimal::Decimal;

const PLANS: &str = include_str!("../plans.example.yaml");

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

async fn start_postgres() -> TestPostgres {
    tokio::task::spawn_blocking(TestPostgres::start)
        .await
        .unwrap_or_else(|e| panic!("start postgres: {e}"))
}

async fn ledger_in(pg: &TestPostgres, database: &str, clock: &ManualClock) -> Ledger {
    let admin = pg.connect().await;
    admin
        .batch_execute(&format!("create database {database}"))
        .await
        .unwrap_or_else(|e| panic!("create database: {e}"));
    let plans = PlansFile::from_yaml(PLANS).unwrap_or_else(|e| panic!("{e}"));
    let ledger = Ledger::new(
        &pg.dsn_for_database(database),
        Arc::new(plans),
        Arc::new(clock.clone()),
        LedgerPolicy::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        ledger.migrate().await.unwrap_or_else(|e| panic!("{e}")),
        [1]
    );
    assert!(
        ledger
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty(),
        "migrations apply once"
    );
    ledger
}

fn event(
    id: &str,
    meter: &str,
    tenant: &str,
    time: &str,
    resource: &str,
    value: &str,
) -> UsageEvent {
    UsageEvent::new(
        id,
        "query-node/n0",
        meter,
        tenant,
        t(time),
        UsageData {
            cluster: "prod".into(),
            resource: resource.into(),
            value: d(value),
        },
    )
}

/// A varied set over several meters, minutes and tenants, with totals computed by hand
/// from the same list (the independent truth).
fn event_set(rng: &mut StdRng) -> Vec<UsageEvent> {
    use rand::Rng;
    let meters = [
        "rows_scanned",
        "queries",
        "query_nodes",
        "shards",
        "active_clusters",
        "storage_gb_hours",
    ];
    let mut events = Vec::new();
    for i in 0..240 {
        let meter = meters[i % meters.len()];
        let tenant = if i % 3 == 0 { "beta" } else { "acme" };
        let minute = rng.random_range(0..30);
        let second = rng.random_range(0..60);
        let value = format!("{}.{}", rng.random_range(0..1000), rng.random_range(0..100));
        let resource = format!("r{}", rng.random_range(0..7));
        events.push(event(
            &format!("e{i}"),
            meter,
            tenant,
            &format!("2026-03-10T10:{minute:02}:{second:02}Z"),
            &resource,
            &value,
        ));
    }
    events
}

fn expected_totals(events: &[UsageEvent], tenant: &str) -> BTreeMap<String, Decimal> {
    let mut by_meter: BTreeMap<&str, Vec<&UsageEvent>> = BTreeMap::new();
    for e in events.iter().filter(|e| e.tenant == tenant) {
        by_meter.entry(e.meter.as_str()).or_default().push(e);
    }
    by_meter
        .into_iter()
        .map(|(meter, es)| {
            let value = match meter {
                "rows_scanned" => es.iter().map(|e| e.data.value).sum(),
                "queries" => Decimal::from(es.len()),
                "query_nodes" => es.iter().map(|e| e.data.value).max().unwrap_or_default(),
                "shards" => es
                    .iter()
                    .max_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)))
                    .map(|e| e.data.value)
                    .unwrap_or_default(),
                "active_clusters" => Decimal::from(
                    es.iter()
                        .map(|e| &e.data.resource)
                        .collect::<BTreeSet<_>>()
                        .len(),
                ),
                // 60-second samples, 3600-second unit
                "storage_gb_hours" => {
                    es.iter().map(|e| e.data.value).sum::<Decimal>() * d("60") / d("3600")
                }
                other => panic!("unexpected meter {other}"),
            };
            (meter.to_owned(), value.normalize())
        })
        .collect()
}

fn march() -> Period {
    Period::month_containing(t("2026-03-10T00:00:00Z"))
}

#[tokio::test]
async fn any_shuffle_and_duplication_gives_the_same_totals() {
    let pg = start_postgres().await;
    let clock = ManualClock::new(t("2026-03-10T12:00:00Z"));
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let events = event_set(&mut rng);
    for round in 0..3 {
        let ledger = ledger_in(&pg, &format!("shuffle_{round}"), &clock).await;
        let mut replay: Vec<UsageEvent> = events.clone();
        let duplicates: Vec<UsageEvent> = events.choose_multiple(&mut rng, 80).cloned().collect();
        replay.extend(duplicates);
        replay.shuffle(&mut rng);
        let mut outcomes: HashMap<&'static str, usize> = HashMap::new();
        for batch in replay.chunks(rand::Rng::random_range(&mut rng, 1..40)) {
            for outcome in ledger.ingest(batch).await.unwrap_or_else(|e| panic!("{e}")) {
                *outcomes.entry(outcome.label()).or_default() += 1;
            }
        }
        assert_eq!(
            outcomes.get("accepted"),
            Some(&events.len()),
            "round {round}"
        );
        assert_eq!(outcomes.get("duplicate"), Some(&80), "round {round}");
        for tenant in ["acme", "beta"] {
            let usage = ledger
                .usage(tenant, march(), None, None)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                usage.meters,
                expected_totals(&events, tenant),
                "round {round} {tenant}"
            );
        }
    }
}

#[tokio::test]
async fn parallel_replays_count_each_event_once_and_conflicts_keep_the_first() {
    let pg = start_postgres().await;
    let clock = ManualClock::new(t("2026-03-10T12:00:00Z"));
    let ledger = ledger_in(&pg, "parallel", &clock).await;
    let mut rng = StdRng::seed_from_u64(7);
    let events = event_set(&mut rng);
    let mut tasks = Vec::new();
    for replica in 0..4u64 {
        let ledger = ledger.clone();
        let mut mine = events.clone();
        mine.shuffle(&mut StdRng::seed_from_u64(replica));
        tasks.push(tokio::spawn(async move {
            let mut accepted = 0;
            for batch in mine.chunks(25) {
                let outcomes = ledger.ingest(batch).await.unwrap_or_else(|e| panic!("{e}"));
                accepted += outcomes.iter().filter(|o| **o == Outcome::Accepted).count();
            }
            accepted
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        accepted += task.await.unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(
        accepted,
        events.len(),
        "each event accepted by exactly one replay"
    );
    let usage = ledger
        .usage("acme", march(), None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(usage.meters, expected_totals(&events, "acme"));

    let mut changed = events[1].clone();
    changed.data.value += Decimal::ONE;
    let outcome = ledger
        .ingest(&[changed])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome, [Outcome::Conflict]);
    let after = ledger
        .usage("acme", march(), None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after.meters, usage.meters, "the first payload wins");
    let conflicts: i64 = pg
        .connect_to_database("parallel")
        .await
        .query_one("select count(*) from billing_conflicts", &[])
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .get(0);
    assert_eq!(conflicts, 1, "the conflict is counted");
}

#[tokio::test]
async fn a_connection_dropped_before_commit_loses_nothing_and_the_retry_counts_once() {
    let pg = start_postgres().await;
    let clock = ManualClock::new(t("2026-03-10T12:00:00Z"));
    let ledger = ledger_in(&pg, "dropped", &clock).await;
    let admin = pg.connect().await;
    let batch = vec![
        event(
            "a",
            "rows_scanned",
            "acme",
            "2026-03-10T10:00:10Z",
            "s1",
            "100",
        ),
        event(
            "b",
            "rows_scanned",
            "acme",
            "2026-03-10T10:00:20Z",
            "s2",
            "23.5",
        ),
    ];
    let result = ledger
        .ingest_with_before_commit(&batch, async |pid| {
            admin
                .execute("select pg_terminate_backend($1)", &[&pid])
                .await
                .unwrap_or_else(|e| panic!("terminate: {e}"));
        })
        .await;
    assert!(
        matches!(result, Err(LedgerError::Unavailable(_))),
        "{result:?}"
    );
    let usage = ledger
        .usage("acme", march(), None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(usage.meters.is_empty(), "nothing committed: {usage:?}");

    let retried = ledger
        .ingest(&batch)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(retried, [Outcome::Accepted, Outcome::Accepted]);
    let again = ledger
        .ingest(&batch)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, [Outcome::Duplicate, Outcome::Duplicate]);
    let usage = ledger
        .usage("acme", march(), None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(usage.meters.get("rows_scanned"), Some(&d("123.5")));
}

#[tokio::test]
async fn late_events_adjust_the_next_period_and_future_events_are_refused() {
    let pg = start_postgres().await;
    let clock = ManualClock::new(t("2026-03-31T23:50:00Z"));
    let ledger = ledger_in(&pg, "late", &clock).await;
    let future = event("f", "rows_scanned", "acme", "2026-03-31T23:55:01Z", "", "5");
    let edge = event("g", "rows_scanned", "acme", "2026-03-31T23:55:00Z", "", "5");
    let outcomes = ledger
        .ingest(&[future, edge])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcomes[0].label(), "future");
    assert_eq!(
        outcomes[1],
        Outcome::Accepted,
        "exactly 5 minutes ahead is allowed"
    );

    // Inside the one-hour grace after March ends: still booked in March.
    clock.set(t("2026-04-01T00:30:00Z"));
    let in_grace = event("h", "rows_scanned", "acme", "2026-03-31T23:59:00Z", "", "7");
    assert_eq!(
        ledger
            .ingest(&[in_grace])
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        [Outcome::Accepted]
    );

    // After the grace time March closes; later March events adjust April.
    clock.set(t("2026-04-01T01:00:00Z"));
    assert_eq!(
        ledger
            .close_due_periods()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        1
    );
    let late = event(
        "i",
        "rows_scanned",
        "acme",
        "2026-03-15T08:00:00Z",
        "",
        "11",
    );
    assert_eq!(
        ledger
            .ingest(std::slice::from_ref(&late))
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        [Outcome::Late]
    );
    assert_eq!(
        ledger
            .ingest(&[late])
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        [Outcome::Duplicate]
    );

    let march_usage = ledger
        .usage("acme", march(), None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(march_usage.meters.get("rows_scanned"), Some(&d("12")));
    let april = march().next();
    let april_usage = ledger
        .usage("acme", april, None, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(april_usage.meters.get("rows_scanned"), Some(&d("11")));

    // Export holds only closed periods; the adjustment shows in April's once it closes.
    let closed = ledger
        .closed_windows(march())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let total: Decimal = closed.iter().map(|w| w.total).sum();
    assert_eq!(total, d("12"));
    assert!(
        ledger
            .closed_windows(april)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_empty()
    );
}

#[tokio::test]
async fn invoice_preview_from_the_ledger_matches_the_hand_computation() {
    let pg = start_postgres().await;
    let clock = ManualClock::new(t("2026-04-20T00:00:00Z"));
    let ledger = ledger_in(&pg, "invoice", &clock).await;
    ledger
        .set_plan("acme", "free", t("2026-01-01T00:00:00Z"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    ledger
        .set_plan("acme", "pro", t("2026-04-13T00:00:00Z"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let events = vec![
        event(
            "1",
            "rows_scanned",
            "acme",
            "2026-04-05T00:00:00Z",
            "",
            "900000",
        ),
        event(
            "2",
            "rows_scanned",
            "acme",
            "2026-04-15T00:00:00Z",
            "",
            "80000000",
        ),
    ];
    ledger
        .ingest(&events)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let april = march().next();
    let segments = ledger
        .invoice_segments("acme", april)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let invoice = invoice::preview(ledger.plans(), "acme", april, &segments)
        .unwrap_or_else(|e| panic!("{e}"));
    // free 12 days: 0; pro 18/30 of 49 = 29.40; 80M − 60M prorated included = 20M × 0.000002 = 40
    assert_eq!(invoice.total, d("69.40"));
}

/// (customer, event name, value) of a meter event the fake kept.
type KeptEvent = (String, String, Decimal);

/// A fake Stripe: records every identifier it is sent and keeps the first of each.
#[derive(Clone, Default)]
struct FakeStripe {
    received: Arc<Mutex<Vec<String>>>,
    kept: Arc<Mutex<BTreeMap<String, KeptEvent>>>,
}

async fn fake_meter_events(
    State(fake): State<FakeStripe>,
    axum::extract::Form(form): axum::extract::Form<HashMap<String, String>>,
) -> axum::http::StatusCode {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let identifier = field("identifier");
    fake.received
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(identifier.clone());
    let value: Decimal = field("payload[value]").parse().unwrap_or_default();
    fake.kept
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(identifier)
        .or_insert((
            field("payload[stripe_customer_id]"),
            field("event_name"),
            value,
        ));
    axum::http::StatusCode::OK
}

#[tokio::test]
async fn stripe_export_survives_a_crash_between_its_2xx_and_our_bookkeeping() {
    let pg = start_postgres().await;
    let clock = ManualClock::new(t("2026-03-10T12:00:00Z"));
    let ledger = ledger_in(&pg, "stripe", &clock).await;
    let mut rng = StdRng::seed_from_u64(99);
    let events = event_set(&mut rng);
    ledger
        .ingest(&events)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    clock.set(t("2026-04-01T02:00:00Z"));
    assert_eq!(
        ledger
            .close_due_periods()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        2
    );
    assert_eq!(
        ledger
            .close_due_periods()
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        0,
        "closing is idempotent"
    );

    let fake = FakeStripe::default();
    let app = axum::Router::new()
        .route("/v1/billing/meter_events", post(fake_meter_events))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let config = StripeConfig {
        base_url: format!("http://{addr}"),
        api_key: "sk_test".into(),
    };
    let http = reqwest::Client::new();

    let pending = ledger
        .pending_outbox(100)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pairs: BTreeSet<(&str, &str)> = events
        .iter()
        .map(|e| (e.tenant.as_str(), e.meter.as_str()))
        .collect();
    assert_eq!(
        pending.len(),
        pairs.len(),
        "one meter event per tenant and meter"
    );
    let crash_on = pending[3].identifier.clone();
    let crashed = send_pending_with_crash(&ledger, &http, &config, None, Some(&crash_on)).await;
    assert!(matches!(crashed, Err(StripeError::SimulatedCrash(ref id)) if *id == crash_on));
    let metrics = Metrics::new().unwrap_or_else(|e| panic!("{e}"));
    let sent = send_pending(&ledger, &http, &config, Some(&metrics))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sent,
        pending.len() - 3,
        "the three sent before the crash are not resent"
    );
    assert_eq!(
        send_pending(&ledger, &http, &config, None)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        0
    );
    assert_eq!(metrics.outbox_pending.get(), 0);

    let received = fake
        .received
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    assert_eq!(
        received.len(),
        pending.len() + 1,
        "one identifier was sent twice"
    );
    assert_eq!(received.iter().filter(|id| **id == crash_on).count(), 2);
    let kept = fake.kept.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut stripe_totals: BTreeMap<(String, String), Decimal> = BTreeMap::new();
    for (tenant, meter, value) in kept.values() {
        *stripe_totals
            .entry((tenant.clone(), meter.clone()))
            .or_default() += *value;
    }
    for tenant in ["acme", "beta"] {
        let usage = ledger
            .usage(tenant, march(), None, None)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for (meter, value) in usage.meters {
            assert_eq!(
                stripe_totals.get(&(tenant.to_owned(), meter.clone())),
                Some(&value),
                "{tenant} {meter}"
            );
        }
    }
}

async fn wait_for<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = Instant::now() + StdDuration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_service_answers_503_with_retry_after_while_postgres_is_down() {
    let pg = start_postgres().await;
    let clock = ManualClock::new(t("2026-03-10T12:00:00Z"));
    let ledger = ledger_in(&pg, "service", &clock).await;
    let metrics = Arc::new(Metrics::new().unwrap_or_else(|e| panic!("{e}")));
    let app = router(AppState {
        ledger: ledger.clone(),
        metrics,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let base = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();

    let one = event("s1", "queries", "acme", "2026-03-10T11:00:00Z", "", "1");
    let response = http
        .post(format!("{base}/v1/events"))
        .json(&one)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 200);
    let bad = serde_json::json!({"id":"x","source":"s","type":"nope","subject":"acme",
        "time":"2026-03-10T11:00:00Z","data":{"cluster":"c","value":"1"}});
    let response = http
        .post(format!("{base}/v1/events"))
        .json(&bad)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap_or_default();
    assert!(body.contains("`type`"), "{body}");

    let quota: docfusion_types::QuotaSnapshot = http
        .get(format!("{base}/v1/tenants/acme/quota"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(quota.plan, "free");
    let queries = quota
        .meters
        .iter()
        .find(|m| m.meter == "queries")
        .map(|m| m.used);
    assert_eq!(queries, Some(Decimal::ONE));

    let metrics_text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        metrics_text.contains("billing_events_total{outcome=\"accepted\"} 1"),
        "{metrics_text}"
    );
    assert!(
        metrics_text.contains("billing_events_total{outcome=\"invalid\"} 1"),
        "{metrics_text}"
    );

    // Postgres goes away: ingest and health say 503 with Retry-After, nothing is acknowledged.
    let pg = tokio::task::spawn_blocking(move || drop(pg));
    pg.await.unwrap_or_else(|e| panic!("{e}"));
    let two = event("s2", "queries", "acme", "2026-03-10T11:00:01Z", "", "1");
    wait_for("ingest to answer 503", || {
        let request = http.post(format!("{base}/v1/events")).json(&two).send();
        async move {
            match request.await {
                Ok(response) => {
                    response.status() == 503
                        && response
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            == Some("5")
                }
                Err(_) => false,
            }
        }
    })
    .await;
    let health = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(health.status(), 503);
}
