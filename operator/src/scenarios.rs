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
use docfusion_types::{NodeConfig, ScramVerifier};

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

/// The status write and `events` event posts that end a reconcile.
fn status_and_events(events: usize) -> Vec<Expect> {
    let mut script = vec![status_patch()];
    script.extend((0..events).map(|_| expect(Method::POST, paths::EVENTS, Reply::Echo(same))));
    script
}

/// A reconcile of a cluster whose Secrets exist, without monitors, publishing `events`.
fn steady_script(shards: i32, children: fn(Value) -> Value, events: usize) -> Vec<Expect> {
    let mut script = existing_secrets();
    script.extend(apply_children(shards, children));
    script.extend(no_monitors());
    script.extend(status_and_events(events));
    script
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

fn rendered_config(recorded: &[Recorded]) -> NodeConfig {
    let text = body_of(
        recorded,
        Method::PATCH,
        &paths::configmap("orders-node-config"),
    )["data"][NODE_CONFIG_KEY]
        .as_str()
        .unwrap_or_default()
        .to_string();
    NodeConfig::from_yaml(&text).expect("the node accepts the rendered config")
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
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
        expect(Method::GET, paths::CLIENT_SECRET, Reply::Status(404)),
        expect(Method::POST, paths::SECRETS, Reply::Echo(same)),
    ];
    script.extend(apply_children(2, same));
    script.extend(no_monitors());
    script.extend(status_and_events(3));
    let (result, recorded, _) = run_reconcile(finalized_cluster(TWO_SHARDS), script).await;
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Ok(Action::requeue(Duration::from_secs(30)))
    );

    let posted: Vec<&Value> = recorded
        .iter()
        .filter(|r| r.method == Method::POST && r.path == paths::SECRETS)
        .map(|r| &r.body)
        .collect();
    let (role, client) = (posted[0], posted[1]);
    assert_eq!(role["metadata"]["name"], "orders-credentials");
    assert_eq!(role["stringData"]["username"], "docfusion");
    assert_eq!(
        role["stringData"]["password"].as_str().map(str::len),
        Some(32)
    );
    assert_eq!(client["metadata"]["name"], "orders-client");
    let client_password = client["stringData"]["password"].as_str().expect("password");
    assert_eq!(client_password.len(), 32);
    assert_ne!(client_password, role["stringData"]["password"]);
    assert!(client["stringData"]["token"].is_string());
    // The node config holds a verifier of exactly that password, with the kept salt.
    let config = rendered_config(&recorded);
    let verifier = ScramVerifier::parse(&config.auth.users[0].password).expect("verifier");
    assert!(verifier.matches_password(client_password));
    assert_eq!(
        client["stringData"]["scramSalt"].as_str(),
        Some(base64_of(&verifier.salt).as_str())
    );
    assert!(
        !body_of(
            &recorded,
            Method::PATCH,
            &paths::configmap("orders-node-config")
        )
        .to_string()
        .contains(client_password),
        "the password itself never reaches the ConfigMap"
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
    assert_eq!(status.credentials_secret.as_deref(), Some("orders-client"));
    assert_eq!(status.serving_shards, Some(2));
    assert_eq!(
        event_reasons(&recorded),
        [
            "CredentialsGenerated",
            "ClientCredentialsGenerated",
            "PhaseProvisioning"
        ]
    );
}

#[tokio::test]
async fn existing_secret_is_read_and_never_overwritten() {
    let script = steady_script(2, same, 1);
    let (result, recorded, _) = run_reconcile(finalized_cluster(TWO_SHARDS), script).await;
    result.expect("ok");
    let writes: Vec<String> = recorded
        .iter()
        .filter(|r| r.path.contains("/secrets") && r.method != Method::GET)
        .map(Recorded::call)
        .collect();
    assert!(writes.is_empty(), "secret written: {writes:?}");
    assert_eq!(event_reasons(&recorded), ["PhaseProvisioning"]);
    // The existing client Secret's password and salt make the verifier.
    let config = rendered_config(&recorded);
    assert_eq!(config.auth.users[0].name, "docfusion");
    let verifier = ScramVerifier::parse(&config.auth.users[0].password).expect("verifier");
    assert_eq!(verifier.salt, b"saltsaltsaltsalt");
    assert!(verifier.matches_password("client-pw"));
    // sha256("tok"), as `printf tok | sha256sum` prints it.
    assert_eq!(
        config.auth.tokens[0].sha256,
        "1a7674eb4ee78df7e1ac439a93c3fa8e3c945784d4dec9fd8e3011738b2f1d62"
    );
}

#[tokio::test]
async fn children_becoming_ready_make_the_cluster_ready_and_bill_it() {
    let spec = "{tenant: acme, plan: pro, shards: {count: 2, storage: {size: 10Gi}}}";
    let previous = DocFusionClusterStatus {
        phase: ClusterPhase::Provisioning,
        ..Default::default()
    };
    let cluster = with_status(finalized_cluster(spec), previous);
    let script = steady_script(2, ready, 1);
    let (result, recorded, t) = run_reconcile(cluster, script).await;
    let action = result.expect("ok");
    assert!(
        (2..=61).any(|s| action == Action::requeue(Duration::from_secs(s))),
        "billed clusters sample once per minute, just after it starts: {action:?}"
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
    // The gauge sample: 2 shards × 10 GiB = 21.474836480 GB provisioned.
    assert_eq!(
        usage[1].data.value,
        "21.47483648".parse::<rust_decimal::Decimal>().expect("dec")
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
    let script = steady_script(2, same, 1);
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
    let (config_again, hash_again) = applied_config(TWO_SHARDS).await;
    assert_eq!(
        (config_again, hash_again),
        (config_a, hash_a),
        "re-rendering the same spec and Secrets (verifier included) does not roll the nodes"
    );
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

fn ready_cluster(spec: &str) -> docfusion_crds::DocFusionCluster {
    with_status(
        finalized_cluster(spec),
        DocFusionClusterStatus {
            phase: ClusterPhase::Ready,
            serving_shards: Some(2),
            ..Default::default()
        },
    )
}

#[tokio::test]
async fn monitoring_applies_a_service_monitor_and_a_pod_monitor() {
    let spec = "{monitoring: {serviceMonitor: true, podMonitor: true}, shards: {count: 2, storage: {size: 10Gi}}}";
    let mut script = existing_secrets();
    script.extend(apply_children(2, ready));
    script.extend([
        expect(
            Method::PATCH,
            paths::monitor("servicemonitors", "orders"),
            Reply::Echo(same),
        ),
        expect(
            Method::PATCH,
            paths::monitor("podmonitors", "orders"),
            Reply::Echo(same),
        ),
        status_patch(),
    ]);
    let (result, recorded, _) = run_reconcile(ready_cluster(spec), script).await;
    result.expect("ok");
    let sm = body_of(
        &recorded,
        Method::PATCH,
        &paths::monitor("servicemonitors", "orders"),
    );
    assert_eq!(sm["kind"], "ServiceMonitor");
    assert_eq!(sm["spec"]["endpoints"][0]["path"], "/metrics");
    let pm = body_of(
        &recorded,
        Method::PATCH,
        &paths::monitor("podmonitors", "orders"),
    );
    assert_eq!(pm["kind"], "PodMonitor");
    assert_eq!(
        pm["metadata"]["ownerReferences"][0]["kind"],
        "DocFusionCluster"
    );
    // The exporter sidecar the PodMonitor scrapes is in every shard pod.
    let sts = body_of(
        &recorded,
        Method::PATCH,
        &paths::statefulset("orders-shard-0"),
    );
    assert_eq!(
        sts["spec"]["template"]["spec"]["containers"][1]["name"],
        "exporter"
    );
}

#[tokio::test]
async fn a_named_client_secret_that_does_not_exist_stops_before_any_write() {
    let spec = "{auth: {clientSecret: app-login}, shards: {count: 2, storage: {size: 10Gi}}}";
    let mut script = existing_secrets();
    // The role Secret is read, then the named client Secret is missing.
    script[1] = expect(
        Method::GET,
        "/api/v1/namespaces/shop/secrets/app-login",
        Reply::Status(404),
    );
    let (result, recorded, _) = run_reconcile(finalized_cluster(spec), script).await;
    let error = result.expect_err("missing secret");
    assert_eq!(error.metric_label(), "invalid_secret");
    assert!(
        error
            .to_string()
            .contains("secret app-login: named in spec.auth.clientSecret but does not exist"),
        "{error}"
    );
    assert!(recorded.iter().all(|r| r.method == Method::GET));
}

/// The StatefulSet of shard `index` as it exists after being created from a 10Gi spec.
fn existing_statefulset(index: i32) -> Value {
    let small = crate::build::test_cluster::cluster(TWO_SHARDS);
    let ctx = crate::build::BuildContext::new(&small, "docfusion").expect("ctx");
    let sts = crate::build::shard::statefulset(&ctx, index, None);
    ready(serde_json::to_value(sts).expect("json"))
}

fn claims_of(index: i32, class: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "PersistentVolumeClaimList", "metadata": {},
        "items": [{
            "metadata": {"name": format!("data-orders-shard-{index}-0"), "namespace": "shop"},
            "spec": {"storageClassName": class, "resources": {"requests": {"storage": "10Gi"}}},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}}
        }]
    })
}

fn storage_class(name: &str, expandable: bool) -> Value {
    json!({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": name}, "provisioner": "csi.example.com",
        "allowVolumeExpansion": expandable
    })
}

/// A reconcile of a cluster grown from 10Gi to 20Gi whose claims are in StorageClass
/// `class`: the claims are listed, the class is read, and expandable claims are patched.
fn resize_script(class: &'static str, expandable: bool, events: usize) -> Vec<Expect> {
    let mut script = existing_secrets();
    script.extend(apply_children_with(2, ready, move |i| {
        let mut after = vec![
            expect(Method::GET, paths::PVCS, Reply::Json(claims_of(i, class))),
            expect(
                Method::GET,
                paths::storage_class(class),
                Reply::Json(storage_class(class, expandable)),
            ),
        ];
        if expandable {
            after.push(expect(
                Method::PATCH,
                paths::pvc(&format!("data-orders-shard-{i}-0")),
                Reply::Echo(same),
            ));
        }
        (Reply::Json(existing_statefulset(i)), after)
    }));
    script.extend(no_monitors());
    script.extend(status_and_events(events));
    script
}

const GROWN: &str = "shards: {count: 2, storage: {size: 20Gi}}";

#[tokio::test]
async fn a_larger_size_expands_existing_claims_and_keeps_the_template() {
    let (spec, script) = (GROWN, resize_script("fast", true, 2));
    let (result, recorded, _) = run_reconcile(ready_cluster(spec), script).await;
    result.expect("ok");
    // The immutable claim template stays as created; the claims are patched instead.
    let sts = body_of(
        &recorded,
        Method::PATCH,
        &paths::statefulset("orders-shard-1"),
    );
    assert_eq!(
        sts["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"],
        "10Gi"
    );
    let list = recorded
        .iter()
        .find(|r| r.path == paths::PVCS)
        .expect("claims listed");
    assert!(
        list.query.contains("docfusion.io%2Fshard%3D0"),
        "{}",
        list.query
    );
    let patch = body_of(
        &recorded,
        Method::PATCH,
        &paths::pvc("data-orders-shard-1-0"),
    );
    assert_eq!(
        *patch,
        json!({"spec": {"resources": {"requests": {"storage": "20Gi"}}}})
    );
    let status = status_sent(&recorded);
    let progressing = status
        .condition(ConditionType::Progressing)
        .expect("progressing");
    assert_eq!(
        (progressing.status.as_str(), progressing.reason.as_str()),
        ("True", "ResizingVolumes")
    );
    assert_eq!(progressing.message, "2 volumes growing to 20Gi");
    assert!(status.is_true(ConditionType::Ready));
    assert_eq!(
        event_reasons(&recorded),
        ["VolumesExpanding", "PhaseUpdating"]
    );
}

#[tokio::test]
async fn a_class_without_expansion_leaves_claims_alone_and_says_so() {
    let (spec, script) = (GROWN, resize_script("standard", false, 1));
    let (result, recorded, _) = run_reconcile(ready_cluster(spec), script).await;
    result.expect("ok");
    assert!(!recorded.iter().any(|r| r.path.starts_with(&paths::pvc(""))));
    let status = status_sent(&recorded);
    assert_eq!(status.phase, ClusterPhase::Ready, "the cluster still works");
    let progressing = status
        .condition(ConditionType::Progressing)
        .expect("progressing");
    assert_eq!(
        (progressing.status.as_str(), progressing.reason.as_str()),
        ("False", "VolumeExpansionNotAllowed")
    );
    assert!(
        progressing.message.contains(
            "data-orders-shard-0-0: StorageClass standard does not allow volume expansion"
        ),
        "{}",
        progressing.message
    );
    let warning = recorded
        .iter()
        .find(|r| r.path == paths::EVENTS)
        .expect("event");
    assert_eq!(warning.body["reason"], "VolumeExpansionNotAllowed");
    assert_eq!(warning.body["type"], "Warning");
}

#[tokio::test]
async fn growing_the_shard_count_provisions_shards_but_keeps_routing_to_the_old_ones() {
    let spec = "shards: {count: 3, storage: {size: 10Gi}}";
    let script = steady_script(3, ready, 1);
    let (result, recorded, _) = run_reconcile(ready_cluster(spec), script).await;
    result.expect("ok");
    assert!(
        recorded
            .iter()
            .any(|r| r.method == Method::PATCH && r.path == paths::statefulset("orders-shard-2")),
        "the new shard's StatefulSet is applied"
    );
    let config = rendered_config(&recorded);
    assert_eq!(
        config.shards.len(),
        2,
        "the shard map is not changed under the data"
    );
    let status = status_sent(&recorded);
    assert_eq!(status.serving_shards, Some(2));
    assert_eq!(status.shards.len(), 3);
    assert!(!status.shards[2].serving);
    let shards_ready = status
        .condition(ConditionType::ShardsReady)
        .expect("condition");
    assert_eq!(
        (shards_ready.status.as_str(), shards_ready.reason.as_str()),
        ("True", "RebalancePending")
    );
    assert_eq!(event_reasons(&recorded), ["RebalancePending"]);
}
