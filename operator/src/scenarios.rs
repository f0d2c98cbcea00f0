//! Reconcile scenarios against the fake API server: each test names a situation, scripts
//! the API calls the reconciler must make in order, and checks what it sent.

use std::sync::Arc;
use std::time::Duration;

use docfusion_crds::{ClusterPhase, ConditionType, DocFusionClusterStatus};
use http::Method;
use kube::runtime::controller::Action;
use serde_json::{Value, json};

use crate::controller::{error_policy, reconcile};
use crate::fixtures::*;
use crate::names::{CONFIG_HASH_ANNOTATION, FINALIZER, NODE_CONFIG_KEY};

const TWO_SHARDS: &str = "shards: {count: 2, storage: {size: 10Gi}}";
/// A reconcile never needs this long against an in-memory server; it bounds a hang.
const DEADLINE: Duration = Duration::from_secs(20);

async fn run_reconcile(
    cluster: docfusion_crds::DocFusionCluster,
    script: Vec<Expect>,
) -> (crate::Result<Action>, Vec<Recorded>, TestContext) {
    let TestContext {
        ctx,
        verifier,
        usage,
    } = test_context();
    let server = verifier.run(script);
    let result = tokio::time::timeout(DEADLINE, reconcile(Arc::new(cluster), ctx.clone()))
        .await
        .unwrap_or_else(|_| panic!("reconcile did not finish within {DEADLINE:?}"));
    if let Err(e) = &result {
        eprintln!("reconcile returned an error: {e:?}");
    }
    let recorded = server.finish().await;
    (
        result,
        recorded,
        TestContext {
            ctx,
            verifier: test_context().verifier,
            usage,
        },
    )
}

fn status_patch() -> Expect {
    let cluster = serde_json::to_value(finalized_cluster(TWO_SHARDS)).expect("json");
    expect(
        Method::PATCH,
        paths::CLUSTER_STATUS,
        Reply::WithStatusOf(cluster),
    )
}

fn status_sent(recorded: &[Recorded]) -> DocFusionClusterStatus {
    let call = recorded
        .iter()
        .find(|r| r.path == paths::CLUSTER_STATUS)
        .expect("status was written");
    serde_json::from_value(call.body["status"].clone()).expect("a valid status")
}

fn body_of<'a>(recorded: &'a [Recorded], method: Method, path: &str) -> &'a Value {
    &recorded
        .iter()
        .find(|r| r.method == method && r.path == path)
        .unwrap_or_else(|| panic!("no {method} {path}"))
        .body
}

fn event_reasons(recorded: &[Recorded]) -> Vec<String> {
    recorded
        .iter()
        .filter(|r| r.path == paths::EVENTS)
        .map(|r| r.body["reason"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn new_cluster_first_gets_the_finalizer() {
    let cluster = crate::build::test_cluster::cluster(TWO_SHARDS);
    let mut finalized = serde_json::to_value(&cluster).expect("json");
    finalized["metadata"]["finalizers"] = json!([FINALIZER]);
    let (result, recorded, _) = run_reconcile(
        cluster,
        vec![expect(
            Method::PATCH,
            paths::CLUSTER,
            Reply::Json(finalized),
        )],
    )
    .await;
    assert_eq!(result.expect("ok"), Action::await_change());
    let ops = recorded[0].body.as_array().expect("json patch");
    assert!(
        ops.iter()
            .any(|op| op["op"] == "add" && op["value"] == json!([FINALIZER])),
        "{ops:?}"
    );
}

#[tokio::test]
async fn create_generates_credentials_applies_every_child_and_reports_provisioning() {
    let mut script = vec![
        expect(Method::GET, paths::GENERATED_SECRET, Reply::Status(404)),
        expect(Method::POST, paths::SECRETS, Reply::Echo(same)),
    ];
    script.extend(apply_children(2, same));
    script.extend([
        status_patch(),
        expect(Method::POST, paths::EVENTS, Reply::Echo(same)),
        expect(Method::POST, paths::EVENTS, Reply::Echo(same)),
    ]);
    let (result, recorded, _) = run_reconcile(finalized_cluster(TWO_SHARDS), script).await;
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Ok(Action::requeue(Duration::from_secs(30)))
    );

    let secret = body_of(&recorded, Method::POST, paths::SECRETS);
    assert_eq!(secret["stringData"]["username"], "docfusion");
    assert_eq!(
        secret["stringData"]["password"].as_str().map(str::len),
        Some(32)
    );

    for call in recorded.iter().filter(|r| r.method == Method::PATCH) {
        assert!(
            call.query.contains("fieldManager=docfusion-operator"),
            "{}: {}",
            call.path,
            call.query
        );
        assert!(
            call.query.contains("force=true"),
            "{}: {}",
            call.path,
            call.query
        );
        if call.path != paths::CLUSTER_STATUS {
            assert_eq!(
                call.body["metadata"]["ownerReferences"][0]["kind"], "DocFusionCluster",
                "{} is owned by the cluster",
                call.path
            );
        }
    }
    let sts = body_of(
        &recorded,
        Method::PATCH,
        &paths::statefulset("orders-shard-1"),
    );
    assert_eq!(sts["spec"]["replicas"], 1);

    let status = status_sent(&recorded);
    assert_eq!(status.phase, ClusterPhase::Provisioning);
    assert_eq!(status.shards.len(), 2);
    assert_eq!(
        status.credentials_secret.as_deref(),
        Some("orders-credentials")
    );
    assert_eq!(
        event_reasons(&recorded),
        ["CredentialsGenerated", "PhaseProvisioning"]
    );
}

#[tokio::test]
async fn existing_secret_is_read_and_never_overwritten() {
    let mut script = vec![expect(
        Method::GET,
        paths::GENERATED_SECRET,
        Reply::Json(existing_secret()),
    )];
    script.extend(apply_children(2, same));
    script.extend([
        status_patch(),
        expect(Method::POST, paths::EVENTS, Reply::Echo(same)),
    ]);
    let (result, recorded, _) = run_reconcile(finalized_cluster(TWO_SHARDS), script).await;
    result.expect("ok");
    let writes: Vec<String> = recorded
        .iter()
        .filter(|r| r.path.contains("/secrets") && r.method != Method::GET)
        .map(Recorded::call)
        .collect();
    assert!(writes.is_empty(), "secret written: {writes:?}");
    assert_eq!(event_reasons(&recorded), ["PhaseProvisioning"]);
}

#[tokio::test]
async fn children_becoming_ready_make_the_cluster_ready_and_bill_it() {
    let spec = "{tenant: acme, plan: pro, shards: {count: 2, storage: {size: 10Gi}}}";
    let previous = DocFusionClusterStatus {
        phase: ClusterPhase::Provisioning,
        ..Default::default()
    };
    let cluster = with_status(finalized_cluster(spec), previous);
    let mut script = vec![expect(
        Method::GET,
        paths::GENERATED_SECRET,
        Reply::Json(existing_secret()),
    )];
    script.extend(apply_children(2, ready));
    script.extend([
        status_patch(),
        expect(Method::POST, paths::EVENTS, Reply::Echo(same)),
    ]);
    let (result, recorded, t) = run_reconcile(cluster, script).await;
    assert_eq!(
        result.expect("ok"),
        Action::requeue(Duration::from_secs(60)),
        "billed clusters sample every minute"
    );
    let status = status_sent(&recorded);
    assert_eq!(status.phase, ClusterPhase::Ready);
    assert!(status.is_true(ConditionType::Ready));
    assert!(status.is_true(ConditionType::ShardsReady));
    assert_eq!(status.query_nodes.ready_replicas, 2);
    assert!(status.shards.iter().all(|s| s.ready));
    assert_eq!(event_reasons(&recorded), ["PhaseReady"]);
    let usage = t.usage.0.lock().map(|v| v.clone()).unwrap_or_default();
    let meters: Vec<&str> = usage.iter().map(|e| e.meter.as_str()).collect();
    assert_eq!(meters, ["query_node_seconds", "storage_gb_hours"]);
    assert_eq!(
        usage[0].data.value,
        rust_decimal::Decimal::from(120),
        "2 ready nodes × 60 s"
    );
    assert_eq!(
        t.ctx.metrics.clusters.with_label_values(&["Ready"]).get(),
        1
    );
}

async fn applied_config(spec: &str) -> (String, String) {
    let ready_status = DocFusionClusterStatus {
        phase: ClusterPhase::Ready,
        ..Default::default()
    };
    let cluster = with_status(finalized_cluster(spec), ready_status);
    let mut script = vec![expect(
        Method::GET,
        paths::GENERATED_SECRET,
        Reply::Json(existing_secret()),
    )];
    script.extend(apply_children(2, same));
    script.extend([
        status_patch(),
        expect(Method::POST, paths::EVENTS, Reply::Echo(same)),
    ]);
    let (result, recorded, _) = run_reconcile(cluster, script).await;
    result.expect("ok");
    assert_eq!(status_sent(&recorded).phase, ClusterPhase::Updating);
    let config = body_of(
        &recorded,
        Method::PATCH,
        &paths::configmap("orders-node-config"),
    )["data"][NODE_CONFIG_KEY]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let hash = body_of(&recorded, Method::PATCH, &paths::deployment("orders-query"))["spec"]["template"]
        ["metadata"]["annotations"][CONFIG_HASH_ANNOTATION]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (config, hash)
}

#[tokio::test]
async fn spec_change_rewrites_the_config_and_rolls_the_query_nodes() {
    let (config_a, hash_a) = applied_config(TWO_SHARDS).await;
    let (config_b, hash_b) = applied_config(
        "{queryNodes: {config: {statementTimeoutMs: 5000}}, shards: {count: 2, storage: {size: 10Gi}}}",
    )
    .await;
    assert!(
        config_b.contains("statement_timeout_ms: 5000"),
        "{config_b}"
    );
    assert!(!config_a.contains("statement_timeout_ms: 5000"));
    assert_eq!(hash_a, crate::build::config::config_hash(&config_a));
    assert_ne!(hash_a, hash_b, "a config change changes the pod template");
}

fn deleting(spec: &str) -> docfusion_crds::DocFusionCluster {
    let mut c = finalized_cluster(spec);
    c.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        k8s_openapi::jiff::Timestamp::UNIX_EPOCH,
    ));
    c
}

#[tokio::test]
async fn deletion_with_retain_keeps_the_volumes() {
    let cluster = deleting(TWO_SHARDS);
    let gone = serde_json::to_value(&cluster).expect("json");
    let (result, recorded, _) = run_reconcile(
        cluster,
        vec![
            expect(Method::POST, paths::EVENTS, Reply::Echo(same)),
            expect(Method::PATCH, paths::CLUSTER, Reply::Json(gone)),
        ],
    )
    .await;
    assert_eq!(result.expect("ok"), Action::await_change());
    assert!(
        !recorded
            .iter()
            .any(|r| r.path.contains("persistentvolumeclaims"))
    );
    assert_eq!(event_reasons(&recorded), ["VolumesRetained"]);
    let ops = recorded[1].body.as_array().expect("finalizer removal");
    assert!(ops.iter().any(|op| op["op"] == "remove"));
}

#[tokio::test]
async fn deletion_with_delete_removes_the_volumes_first() {
    let cluster = deleting("{deletionPolicy: Delete, shards: {count: 2, storage: {size: 10Gi}}}");
    let gone = serde_json::to_value(&cluster).expect("json");
    let empty = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaimList", "metadata": {}, "items": []});
    let (result, recorded, _) = run_reconcile(
        cluster,
        vec![
            expect(Method::DELETE, paths::PVCS, Reply::Json(empty)),
            expect(Method::POST, paths::EVENTS, Reply::Echo(same)),
            expect(Method::PATCH, paths::CLUSTER, Reply::Json(gone)),
        ],
    )
    .await;
    result.expect("ok");
    let selector = &recorded[0].query;
    assert!(
        selector.contains("labelSelector=app.kubernetes.io%2Finstance%3Dorders%2Capp.kubernetes.io%2Fcomponent%3Dshard"),
        "{selector}"
    );
    assert_eq!(event_reasons(&recorded), ["VolumesDeleted"]);
}

#[tokio::test]
async fn api_error_requeues_with_backoff_and_counts_the_failure() {
    let cluster = finalized_cluster(TWO_SHARDS);
    let (result, _, t) = run_reconcile(
        cluster.clone(),
        vec![expect(
            Method::GET,
            paths::GENERATED_SECRET,
            Reply::Status(500),
        )],
    )
    .await;
    let error = result.expect_err("the API failed");
    assert_eq!(error.metric_label(), "api_500");
    let cluster = Arc::new(cluster);
    let first = error_policy(cluster.clone(), &error, t.ctx.clone());
    let second = error_policy(cluster, &error, t.ctx.clone());
    assert_eq!(first, Action::requeue(Duration::from_secs(5)));
    assert_eq!(second, Action::requeue(Duration::from_secs(10)));
    assert_eq!(
        t.ctx.metrics.failures.with_label_values(&["api_500"]).get(),
        2
    );
    assert_eq!(t.ctx.metrics.reconciles.get(), 1);
}

#[test]
fn backoff_doubles_up_to_five_minutes() {
    use crate::controller::backoff;
    let secs: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
    assert_eq!(secs, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
}

#[test]
fn fixture_cluster_is_named_orders() {
    assert_eq!(cluster_name(&finalized_cluster(TWO_SHARDS)), "orders");
}
