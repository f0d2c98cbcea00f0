//! Opt-in suite against a real cluster (kind, k3d, …); never run in CI here, where no
//! apiserver exists. Run with a kubeconfig pointing at a throwaway cluster:
//!
//! ```sh
//! kubectl apply -f crds/docfusioncluster.yaml
//! DOCFUSION_REAL_CLUSTER=1 cargo test --workspace --test real_cluster -- --ignored
//! ```
//!
//! It runs the controller in-process, creates a cluster in a fresh namespace, waits (with a
//! deadline) for the operator to create the children and report status, checks that the
//! node config holds a SCRAM verifier of the generated client password (and not the
//! password), then deletes the cluster and checks that the Secrets were kept (deletionPolicy
//! Retain).

use std::sync::Arc;
use std::time::{Duration, Instant};

use docfusion_crds::{DocFusionCluster, DocFusionClusterSpec};
use docfusion_operator::controller::{self, Context, LogUsageSink};
use docfusion_operator::metrics::Metrics;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Api, DeleteParams, PostParams};
use kube::runtime::events::Reporter;

async fn wait_for<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    deadline: Duration,
    mut probe: impl FnMut() -> F,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(start.elapsed() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
#[ignore = "needs a real cluster: DOCFUSION_REAL_CLUSTER=1 cargo test --workspace --test real_cluster -- --ignored"]
async fn cluster_comes_up_and_deletion_keeps_volumes() {
    if std::env::var("DOCFUSION_REAL_CLUSTER").is_err() {
        panic!("set DOCFUSION_REAL_CLUSTER=1 and a kubeconfig for a throwaway cluster");
    }
    let client = kube::Client::try_default().await.expect("kubeconfig");
    let ns = format!("dfc-e2e-{}", std::process::id());
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut namespace = Namespace::default();
    namespace.metadata.name = Some(ns.clone());
    namespaces
        .create(&PostParams::default(), &namespace)
        .await
        .expect("namespace");

    let registry = prometheus::Registry::new();
    let ctx = Arc::new(Context::new(
        client.clone(),
        Arc::new(Metrics::register(&registry).expect("metrics")),
        Arc::default(),
        Arc::new(LogUsageSink),
        Reporter {
            controller: "docfusion-operator-e2e".into(),
            instance: None,
        },
    ));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let controller = tokio::spawn(controller::run(ctx, async move {
        let _ = stop_rx.await;
    }));

    let spec: DocFusionClusterSpec = serde_yaml_ng::from_str(
        "shards: {count: 2, storage: {size: 1Gi}}\nqueryNodes: {replicas: 1}",
    )
    .expect("spec");
    let clusters: Api<DocFusionCluster> = Api::namespaced(client.clone(), &ns);
    clusters
        .create(&PostParams::default(), &DocFusionCluster::new("e2e", spec))
        .await
        .expect("create cluster");

    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), &ns);
    wait_for("shard StatefulSets", Duration::from_secs(60), || async {
        statefulsets.get_opt("e2e-shard-1").await.ok().flatten()
    })
    .await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let secret = secrets
        .get("e2e-credentials")
        .await
        .expect("generated secret");
    let status = wait_for("status", Duration::from_secs(60), || async {
        clusters.get("e2e").await.ok().and_then(|c| c.status)
    })
    .await;
    assert_eq!(status.shards.len(), 2);
    assert_eq!(status.credentials_secret.as_deref(), Some("e2e-client"));
    let client_secret = secrets.get("e2e-client").await.expect("client secret");
    let password = client_secret
        .data
        .as_ref()
        .and_then(|d| d.get("password"))
        .map(|p| String::from_utf8_lossy(&p.0).into_owned())
        .expect("password");
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), &ns);
    let text = maps
        .get("e2e-node-config")
        .await
        .expect("node config")
        .data
        .and_then(|d| d.get("docfusiondb.yaml").cloned())
        .expect("config file");
    assert!(
        !text.contains(&password),
        "the password is not in the ConfigMap"
    );
    let config = docfusion_types::NodeConfig::from_yaml(&text).expect("a valid node config");
    let verifier =
        docfusion_types::ScramVerifier::parse(&config.auth.users[0].password).expect("verifier");
    assert!(verifier.matches_password(&password));

    clusters
        .delete("e2e", &DeleteParams::default())
        .await
        .expect("delete");
    wait_for("cluster gone", Duration::from_secs(120), || async {
        matches!(clusters.get_opt("e2e").await, Ok(None)).then_some(())
    })
    .await;
    // Retain: the generated Secrets have no owner reference and survive.
    let kept = secrets.get("e2e-credentials").await.expect("secret kept");
    assert_eq!(kept.data, secret.data);
    let kept = secrets.get("e2e-client").await.expect("client secret kept");
    assert_eq!(kept.data, client_secret.data);

    let _ = stop_tx.send(());
    let _ = controller.await;
    let _ = namespaces.delete(&ns, &DeleteParams::default()).await;
}
