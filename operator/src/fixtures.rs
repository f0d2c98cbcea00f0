//! Test support: an `ApiServerVerifier` over `tower_test::mock` that plays the API server
//! for one reconcile. Each scenario reads as "this cluster, these API calls, in this order":
//! the verifier checks every request's method and path against the script, answers it,
//! records it, and fails on any call the script does not expect.

use std::sync::Arc;

use docfusion_crds::{DocFusionCluster, DocFusionClusterStatus};
use http::{Request, Response, StatusCode};
use kube::client::Body;
use kube::runtime::events::Reporter;
use kube::{Client, ResourceExt};
use prometheus::Registry;
use serde_json::{Value, json};
use tokio::sync::RwLock;
use tower_test::mock::{self, Handle};

use crate::build::test_cluster;
use crate::controller::{Context, Diagnostics};
use crate::metrics::Metrics;
use crate::names::FINALIZER;
use crate::usage_sink::UsageSink;
use docfusion_types::UsageEvent;

/// How the fake API server answers one request.
pub enum Reply {
    /// 200 with the request body (what a server-side apply of it returns), passed through
    /// a change, e.g. to add the status a child reports.
    Echo(fn(Value) -> Value),
    /// 200 with this JSON.
    Json(Value),
    /// An API error with this HTTP code.
    Status(u16),
    /// 200 with this object, its `status` replaced by the request's (a status apply).
    WithStatusOf(Value),
}

/// One expected request.
pub struct Expect {
    pub method: http::Method,
    pub path: String,
    pub reply: Reply,
}

/// A request as the verifier received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: http::Method,
    pub path: String,
    pub query: String,
    pub body: Value,
}

impl Recorded {
    pub fn call(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

pub fn same(v: Value) -> Value {
    v
}

/// Adds a fully ready status to an applied StatefulSet or Deployment.
pub fn ready(mut v: Value) -> Value {
    let replicas = v["spec"]["replicas"].clone();
    v["metadata"]["generation"] = json!(1);
    v["status"] = json!({
        "replicas": replicas, "readyReplicas": replicas, "updatedReplicas": replicas,
        "availableReplicas": replicas, "observedGeneration": 1,
        "currentRevision": "r1", "updateRevision": "r1"
    });
    v
}

pub fn expect(method: http::Method, path: impl Into<String>, reply: Reply) -> Expect {
    Expect {
        method,
        path: path.into(),
        reply,
    }
}

fn error_body(code: u16) -> Value {
    let reason = match code {
        404 => "NotFound",
        409 => "AlreadyExists",
        _ => "InternalError",
    };
    json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": format!("injected error {code}"), "reason": reason, "code": code
    })
}

pub struct ApiServerVerifier(Handle<Request<Body>, Response<Body>>);

impl ApiServerVerifier {
    /// Serves `script` in order, recording every request into the returned log. The
    /// caller checks with [`Served::finish`] once the reconcile returned.
    pub fn run(self, script: Vec<Expect>) -> Served {
        let mut handle = self.0;
        let log: Arc<std::sync::Mutex<Vec<Recorded>>> = Arc::default();
        let expected: Vec<String> = script
            .iter()
            .map(|e| format!("{} {}", e.method, e.path))
            .collect();
        let task_log = log.clone();
        let task = tokio::spawn(async move {
            for (step, e) in script.into_iter().enumerate() {
                let Some((request, send)) = handle.next_request().await else {
                    return;
                };
                let method = request.method().clone();
                let path = request.uri().path().to_string();
                let query = request.uri().query().unwrap_or_default().to_string();
                let bytes = request
                    .into_body()
                    .collect_bytes()
                    .await
                    .unwrap_or_default();
                let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                let calls_so_far: Vec<String> = task_log
                    .lock()
                    .map(|l| l.iter().map(Recorded::call).collect())
                    .unwrap_or_default();
                assert_eq!(
                    (&method, path.as_str()),
                    (&e.method, e.path.as_str()),
                    "step {step}: unexpected call; calls so far: {calls_so_far:?}"
                );
                let (code, reply) = match e.reply {
                    Reply::Echo(change) => (200, change(body.clone())),
                    Reply::Json(v) => (200, v),
                    Reply::Status(code) => (code, error_body(code)),
                    Reply::WithStatusOf(mut object) => {
                        object["status"] = body["status"].clone();
                        (200, object)
                    }
                };
                if let Ok(mut l) = task_log.lock() {
                    l.push(Recorded {
                        method,
                        path,
                        query,
                        body,
                    });
                }
                let response = Response::builder()
                    .status(StatusCode::from_u16(code).unwrap_or(StatusCode::OK))
                    .body(Body::from(serde_json::to_vec(&reply).unwrap_or_default()))
                    .unwrap_or_else(|e| panic!("response: {e}"));
                send.send_response(response);
            }
            // Any call beyond the script is a failure of the scenario.
            if let Some((request, _)) = handle.next_request().await {
                panic!(
                    "unexpected extra call {} {}",
                    request.method(),
                    request.uri().path()
                );
            }
        });
        Served {
            task,
            log,
            expected,
        }
    }
}

/// A running script.
pub struct Served {
    task: tokio::task::JoinHandle<()>,
    log: Arc<std::sync::Mutex<Vec<Recorded>>>,
    expected: Vec<String>,
}

impl Served {
    /// Called after the reconcile returned: every scripted call happened, in order, and no
    /// other; returns the recorded requests.
    pub async fn finish(self) -> Vec<Recorded> {
        // Let the server task observe anything the reconcile sent last.
        tokio::task::yield_now().await;
        if self.task.is_finished() {
            if let Err(e) = self.task.await
                && e.is_panic()
            {
                std::panic::resume_unwind(e.into_panic());
            }
        } else {
            self.task.abort();
        }
        let log = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        let made: Vec<String> = log.iter().map(Recorded::call).collect();
        assert_eq!(
            made, self.expected,
            "the reconcile made other calls than scripted"
        );
        log
    }
}

/// Collects usage events in memory.
#[derive(Default)]
pub struct MemoryUsageSink(pub std::sync::Mutex<Vec<UsageEvent>>);

impl UsageSink for MemoryUsageSink {
    fn emit(&self, events: Vec<UsageEvent>) {
        if let Ok(mut v) = self.0.lock() {
            v.extend(events);
        }
    }
}

pub struct TestContext {
    pub ctx: Arc<Context>,
    pub verifier: ApiServerVerifier,
    pub usage: Arc<MemoryUsageSink>,
}

/// A context whose client talks to the verifier.
pub fn test_context() -> TestContext {
    let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
    let client = Client::new(service, "shop");
    let registry = Registry::new();
    let metrics = Arc::new(Metrics::register(&registry).unwrap_or_else(|e| panic!("{e}")));
    let usage = Arc::new(MemoryUsageSink::default());
    let ctx = Context::new(
        client,
        metrics,
        Arc::new(RwLock::new(Diagnostics::default())),
        usage.clone(),
        Reporter {
            controller: "docfusion-operator".into(),
            instance: None,
        },
    );
    TestContext {
        ctx: Arc::new(ctx),
        verifier: ApiServerVerifier(handle),
        usage,
    }
}

/// The standard test cluster (`orders` in `shop`) with our finalizer, from a spec in YAML.
pub fn finalized_cluster(spec_yaml: &str) -> DocFusionCluster {
    let mut c = test_cluster::cluster(spec_yaml);
    c.finalizers_mut().push(FINALIZER.to_string());
    c
}

pub fn with_status(mut c: DocFusionCluster, status: DocFusionClusterStatus) -> DocFusionCluster {
    c.status = Some(status);
    c
}

/// The API paths of the standard test cluster.
pub mod paths {
    pub const CLUSTER: &str =
        "/apis/docfusion.io/v1alpha1/namespaces/shop/docfusionclusters/orders";
    pub const CLUSTER_STATUS: &str =
        "/apis/docfusion.io/v1alpha1/namespaces/shop/docfusionclusters/orders/status";
    pub const SECRETS: &str = "/api/v1/namespaces/shop/secrets";
    pub const GENERATED_SECRET: &str = "/api/v1/namespaces/shop/secrets/orders-credentials";
    pub const CLIENT_SECRET: &str = "/api/v1/namespaces/shop/secrets/orders-client";
    pub const EVENTS: &str = "/apis/events.k8s.io/v1/namespaces/shop/events";
    pub const PVCS: &str = "/api/v1/namespaces/shop/persistentvolumeclaims";
    pub fn configmap(name: &str) -> String {
        format!("/api/v1/namespaces/shop/configmaps/{name}")
    }
    pub fn service(name: &str) -> String {
        format!("/api/v1/namespaces/shop/services/{name}")
    }
    pub fn statefulset(name: &str) -> String {
        format!("/apis/apps/v1/namespaces/shop/statefulsets/{name}")
    }
    pub fn deployment(name: &str) -> String {
        format!("/apis/apps/v1/namespaces/shop/deployments/{name}")
    }
    pub fn pdb(name: &str) -> String {
        format!("/apis/policy/v1/namespaces/shop/poddisruptionbudgets/{name}")
    }
    pub fn network_policy(name: &str) -> String {
        format!("/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/{name}")
    }
    pub fn storage_class(name: &str) -> String {
        format!("/apis/storage.k8s.io/v1/storageclasses/{name}")
    }
    pub fn pvc(name: &str) -> String {
        format!("/api/v1/namespaces/shop/persistentvolumeclaims/{name}")
    }
    pub fn monitor(plural: &str, name: &str) -> String {
        format!("/apis/monitoring.coreos.com/v1/namespaces/shop/{plural}/{name}")
    }
}

/// The calls that apply every child of a single-instance cluster with `shards` shards and
/// 2 query nodes, after the Secret steps. Children answer with `children` (e.g. `ready`);
/// the StatefulSets do not exist yet.
pub fn apply_children(shards: i32, children: fn(Value) -> Value) -> Vec<Expect> {
    apply_children_with(shards, children, |_| (Reply::Status(404), Vec::new()))
}

/// Like [`apply_children`], with `per_shard(index)` giving the answer to the GET of the
/// shard's existing StatefulSet and the calls expected right after it is applied.
pub fn apply_children_with(
    shards: i32,
    children: fn(Value) -> Value,
    per_shard: impl Fn(i32) -> (Reply, Vec<Expect>),
) -> Vec<Expect> {
    use http::Method;
    let mut script = vec![
        expect(
            Method::PATCH,
            paths::configmap("orders-postgres-config"),
            Reply::Echo(same),
        ),
        expect(
            Method::PATCH,
            paths::configmap("orders-node-config"),
            Reply::Echo(same),
        ),
    ];
    for i in 0..shards {
        let name = format!("orders-shard-{i}");
        let (existing, after) = per_shard(i);
        script.push(expect(
            Method::PATCH,
            paths::service(&name),
            Reply::Echo(same),
        ));
        script.push(expect(Method::GET, paths::statefulset(&name), existing));
        script.push(expect(
            Method::PATCH,
            paths::statefulset(&name),
            Reply::Echo(children),
        ));
        script.extend(after);
        // Single-instance shards have no PDB: a stale one is deleted (404 = none there).
        script.push(expect(
            Method::DELETE,
            paths::pdb(&name),
            Reply::Status(404),
        ));
    }
    script.extend([
        expect(
            Method::PATCH,
            paths::deployment("orders-query"),
            Reply::Echo(children),
        ),
        expect(Method::PATCH, paths::service("orders"), Reply::Echo(same)),
        expect(Method::PATCH, paths::pdb("orders-query"), Reply::Echo(same)),
        expect(
            Method::PATCH,
            paths::network_policy("orders-shards"),
            Reply::Echo(same),
        ),
    ]);
    script
}

/// The monitor calls when `spec.monitoring` asks for neither (stale ones are deleted).
pub fn no_monitors() -> Vec<Expect> {
    use http::Method;
    vec![
        expect(
            Method::DELETE,
            paths::monitor("servicemonitors", "orders"),
            Reply::Status(404),
        ),
        expect(
            Method::DELETE,
            paths::monitor("podmonitors", "orders"),
            Reply::Status(404),
        ),
    ]
}

/// The Secret calls of a cluster whose generated Secrets already exist.
pub fn existing_secrets() -> Vec<Expect> {
    use http::Method;
    vec![
        expect(
            Method::GET,
            paths::GENERATED_SECRET,
            Reply::Json(existing_secret()),
        ),
        expect(
            Method::GET,
            paths::CLIENT_SECRET,
            Reply::Json(existing_client_secret()),
        ),
    ]
}

/// An existing client Secret: user `docfusion`, password `client-pw`, token `tok`, salt
/// `c2FsdHNhbHRzYWx0c2FsdA==` ("saltsaltsaltsalt").
pub fn existing_client_secret() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "orders-client", "namespace": "shop"},
        "data": {
            "username": "ZG9jZnVzaW9u", "password": "Y2xpZW50LXB3", "token": "dG9r",
            "scramSalt": "YzJGc2RITmhiSFJ6WVd4MGMyRnNkQT09"
        }
    })
}

/// An existing credentials Secret as the API server returns it.
pub fn existing_secret() -> Value {
    json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "orders-credentials", "namespace": "shop"},
        "data": {"username": "ZG9jZnVzaW9u", "password": "b2xkLXBhc3N3b3Jk"}
    })
}

/// The name of the cluster the fixtures use.
pub fn cluster_name(c: &DocFusionCluster) -> String {
    c.name_any()
}
