//! The reconciler: a thin async shell around the pure builders and status function. It
//! server-side-applies every child, creates (never overwrites) generated Secrets, writes the
//! status, publishes events on phase transitions, emits usage, and cleans up in a finalizer.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use docfusion_crds::{ClusterPhase, DeletionPolicy, DocFusionCluster};
use docfusion_types::UsageEvent;
use futures::StreamExt;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::runtime::finalizer::{Event as Finalizer, finalizer};
use kube::runtime::watcher;
use kube::{Client, Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use tokio::sync::RwLock;
use tracing::{Span, field, info, instrument, warn};

use crate::build::{self, BuildContext};
use crate::metrics::Metrics;
use crate::names::{
    ClusterNames, Component, DEFAULT_USERNAME, FIELD_MANAGER, FINALIZER, LABEL_COMPONENT,
    LABEL_INSTANCE,
};
use crate::observe::{Observed, ObservedQueryNodes, ObservedShard, compute_status};
use crate::usage::{interval_start, usage_events};
use crate::{Error, Result};

/// Length of one usage sampling interval.
pub const USAGE_INTERVAL_SECONDS: i64 = 60;

/// Where usage events go.
pub trait UsageSink: Send + Sync {
    /// Hands over events; ids make re-delivery harmless.
    fn emit(&self, events: Vec<UsageEvent>);
}

/// Writes usage events as JSON lines to the log (target `docfusion_usage`), where a log
/// shipper forwards them to billing.
pub struct LogUsageSink;

impl UsageSink for LogUsageSink {
    fn emit(&self, events: Vec<UsageEvent>) {
        for event in events {
            match serde_json::to_string(&event) {
                Ok(line) => info!(target: "docfusion_usage", event = %line, "usage"),
                Err(e) => warn!(error = %e, "cannot serialise usage event"),
            }
        }
    }
}

/// What `/` reports about the controller.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnostics {
    pub last_event: DateTime<Utc>,
    #[serde(skip)]
    pub reporter: Reporter,
}

impl Default for Diagnostics {
    fn default() -> Self {
        Self {
            last_event: Utc::now(),
            reporter: Reporter {
                controller: "docfusion-operator".into(),
                instance: std::env::var("POD_NAME").ok(),
            },
        }
    }
}

/// Shared state of every reconcile.
pub struct Context {
    pub client: Client,
    pub recorder: Recorder,
    pub metrics: Arc<Metrics>,
    pub diagnostics: Arc<RwLock<Diagnostics>>,
    pub usage: Arc<dyn UsageSink>,
    /// Consecutive failures per cluster, for the backoff.
    pub failures: Mutex<HashMap<String, u32>>,
}

impl Context {
    pub fn new(
        client: Client,
        metrics: Arc<Metrics>,
        diagnostics: Arc<RwLock<Diagnostics>>,
        usage: Arc<dyn UsageSink>,
        reporter: Reporter,
    ) -> Self {
        Self {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            metrics,
            diagnostics,
            usage,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn with_failures(&self, change: impl FnOnce(&mut HashMap<String, u32>) -> u32) -> u32 {
        // A poisoned lock only means a panic elsewhere; the counters are still usable.
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        change(&mut map)
    }
}

fn cluster_key(cluster: &DocFusionCluster) -> String {
    format!(
        "{}/{}",
        cluster.namespace().unwrap_or_default(),
        cluster.name_any()
    )
}

/// Requeue delay after `failures` consecutive failures: 5 s doubling to at most 5 min.
pub fn backoff(failures: u32) -> Duration {
    let exp = failures.saturating_sub(1).min(6);
    Duration::from_secs((5u64 << exp).min(300))
}

/// Reconciles one cluster inside the finalizer.
#[instrument(skip(cluster, ctx), fields(cluster = %cluster.name_any(), namespace = field::Empty, phase = field::Empty))]
pub async fn reconcile(cluster: Arc<DocFusionCluster>, ctx: Arc<Context>) -> Result<Action> {
    let _timer = ctx.metrics.reconcile_started();
    ctx.diagnostics.write().await.last_event = Utc::now();
    let namespace = cluster
        .namespace()
        .ok_or(Error::MissingField("metadata.namespace"))?;
    Span::current().record("namespace", namespace.as_str());
    let api: Api<DocFusionCluster> = Api::namespaced(ctx.client.clone(), &namespace);
    let key = cluster_key(&cluster);
    let action = finalizer(&api, FINALIZER, cluster, |event| async {
        match event {
            Finalizer::Apply(cluster) => apply(cluster, ctx.clone()).await,
            Finalizer::Cleanup(cluster) => cleanup(cluster, ctx.clone()).await,
        }
    })
    .await
    .map_err(|e| Error::Finalizer(Box::new(e)))?;
    ctx.with_failures(|m| {
        m.remove(&key);
        0
    });
    Ok(action)
}

/// Counts the failure under its label and requeues with backoff.
pub fn error_policy(cluster: Arc<DocFusionCluster>, error: &Error, ctx: Arc<Context>) -> Action {
    warn!(cluster = %cluster.name_any(), error = %error, "reconcile failed");
    ctx.metrics.reconcile_failed(error);
    let key = cluster_key(&cluster);
    let failures = ctx.with_failures(|m| {
        let n = m.entry(key.clone()).or_insert(0);
        *n += 1;
        *n
    });
    Action::requeue(backoff(failures))
}

fn apply_params() -> PatchParams {
    PatchParams::apply(FIELD_MANAGER).force()
}

/// Server-side-applies a namespaced child and returns it as the API server stored it.
async fn apply_child<K>(client: &Client, namespace: &str, object: &K) -> Result<K>
where
    K: Resource<Scope = NamespaceResourceScope, DynamicType = ()>
        + Clone
        + DeserializeOwned
        + Serialize
        + Debug,
{
    let name = object
        .meta()
        .name
        .clone()
        .ok_or(Error::MissingField("child metadata.name"))?;
    let api: Api<K> = Api::namespaced(client.clone(), namespace);
    Ok(api
        .patch(&name, &apply_params(), &Patch::Apply(object))
        .await?)
}

fn is_not_found(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

/// Deletes a child that the spec no longer wants; absence is success.
async fn delete_child<K>(api: Api<K>, name: &str) -> Result<()>
where
    K: Resource + Clone + DeserializeOwned + Debug,
{
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Applies a child when wanted, deletes it when not.
async fn apply_or_delete<K>(
    client: &Client,
    namespace: &str,
    name: String,
    object: Option<K>,
) -> Result<()>
where
    K: Resource<Scope = NamespaceResourceScope, DynamicType = ()>
        + Clone
        + DeserializeOwned
        + Serialize
        + Debug,
{
    match object {
        Some(object) => apply_child(client, namespace, &object).await.map(|_| ()),
        None => delete_child(Api::<K>::namespaced(client.clone(), namespace), &name).await,
    }
}

async fn apply_or_delete_monitor(
    client: &Client,
    namespace: &str,
    kind: &str,
    name: &str,
    object: Option<DynamicObject>,
) -> Result<()> {
    let resource = build::monitor::api_resource(kind);
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
    match object {
        Some(object) => {
            api.patch(name, &apply_params(), &Patch::Apply(&object))
                .await?;
            Ok(())
        }
        None => delete_child(api, name).await,
    }
}

/// The credentials Secret's name, the username in it, and whether it was just generated.
/// A generated Secret is created once; an existing one is read, never written.
async fn ensure_credentials(
    client: &Client,
    cluster: &DocFusionCluster,
    names: &ClusterNames,
) -> Result<(String, String, bool)> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &names.namespace);
    if let Some(name) = &cluster.spec.auth.credentials_secret {
        let secret = secrets
            .get_opt(name)
            .await?
            .ok_or_else(|| Error::InvalidSecret {
                secret: name.clone(),
                message: "named in spec.auth.credentialsSecret but does not exist".into(),
            })?;
        let username =
            build::secret::username_of(&secret).map_err(|message| Error::InvalidSecret {
                secret: name.clone(),
                message,
            })?;
        return Ok((name.clone(), username, false));
    }
    let name = names.generated_credentials();
    if let Some(existing) = secrets.get_opt(&name).await? {
        let username =
            build::secret::username_of(&existing).map_err(|message| Error::InvalidSecret {
                secret: name.clone(),
                message,
            })?;
        return Ok((name, username, false));
    }
    let ctx = BuildContext::new(cluster, DEFAULT_USERNAME)?;
    let secret = build::secret::credentials_secret(&ctx, &build::secret::generate_password());
    match secrets.create(&PostParams::default(), &secret).await {
        Ok(_) => Ok((name, DEFAULT_USERNAME.to_string(), true)),
        // Created by a racing reconcile: theirs stands, ours is dropped.
        Err(kube::Error::Api(s)) if s.code == 409 => {
            Ok((name, DEFAULT_USERNAME.to_string(), false))
        }
        Err(e) => Err(e.into()),
    }
}

async fn publish(ctx: &Context, cluster: &DocFusionCluster, event: Event) {
    let reference = cluster.object_ref(&());
    if let Err(e) = ctx.recorder.publish(&event, &reference).await {
        // Events are best effort: a full event quota must not stop reconciling.
        warn!(error = %e, reason = %event.reason, "cannot publish event");
    }
}

async fn apply(cluster: Arc<DocFusionCluster>, ctx: Arc<Context>) -> Result<Action> {
    let client = &ctx.client;
    let namespace = cluster
        .namespace()
        .ok_or(Error::MissingField("metadata.namespace"))?;
    let names = ClusterNames::new(cluster.name_any(), namespace.clone());
    let (secret_name, username, generated) = ensure_credentials(client, &cluster, &names).await?;
    let bctx = BuildContext::new(&cluster, username)?;
    let ns = namespace.as_str();

    apply_child(client, ns, &build::config::postgres_config_map(&bctx)).await?;
    let (node_config, config_hash) = build::config::node_config_map(&bctx)?;
    apply_child::<ConfigMap>(client, ns, &node_config).await?;

    let mut observed = Observed::default();
    for index in 0..cluster.spec.shards.count {
        apply_child(client, ns, &build::shard::headless_service(&bctx, index)).await?;
        let sts = apply_child(client, ns, &build::shard::statefulset(&bctx, index)).await?;
        observed
            .shards
            .push(ObservedShard::from_statefulset(index, &sts));
        apply_or_delete::<PodDisruptionBudget>(
            client,
            ns,
            names.shard(index),
            build::shard::disruption_budget(&bctx, index),
        )
        .await?;
    }
    let deploy = apply_child(client, ns, &build::query::deployment(&bctx, &config_hash)).await?;
    observed.query_nodes = ObservedQueryNodes::from_deployment(&deploy);
    apply_child::<Service>(client, ns, &build::query::client_service(&bctx)).await?;
    apply_or_delete::<PodDisruptionBudget>(
        client,
        ns,
        names.query_nodes(),
        build::query::disruption_budget(&bctx),
    )
    .await?;
    apply_child::<NetworkPolicy>(client, ns, &build::network::shard_network_policy(&bctx)).await?;
    apply_or_delete_monitor(
        client,
        ns,
        "ServiceMonitor",
        &names.monitor(),
        build::monitor::service_monitor(&bctx),
    )
    .await?;
    apply_or_delete_monitor(
        client,
        ns,
        "PodMonitor",
        &names.monitor(),
        build::monitor::pod_monitor(&bctx),
    )
    .await?;

    let previous = cluster.status.clone();
    let status = compute_status(
        &cluster,
        &names,
        &observed,
        previous.as_ref(),
        &secret_name,
        Time(k8s_openapi::jiff::Timestamp::now()),
    );
    let api: Api<DocFusionCluster> = Api::namespaced(client.clone(), ns);
    let patch = json!({
        "apiVersion": "docfusion.io/v1alpha1",
        "kind": "DocFusionCluster",
        "status": status,
    });
    api.patch_status(&names.cluster, &apply_params(), &Patch::Apply(&patch))
        .await?;
    Span::current().record("phase", status.phase.as_str());
    ctx.metrics.set_phase(&cluster_key(&cluster), status.phase);

    if generated {
        publish(
            &ctx,
            &cluster,
            Event {
                type_: EventType::Normal,
                reason: "CredentialsGenerated".into(),
                note: Some(format!("generated Secret {secret_name}")),
                action: "CreateSecret".into(),
                secondary: None,
            },
        )
        .await;
    }
    let previous_phase = previous.map(|p| p.phase).unwrap_or_default();
    if previous_phase != status.phase {
        publish(
            &ctx,
            &cluster,
            Event {
                type_: if status.phase == ClusterPhase::Degraded {
                    EventType::Warning
                } else {
                    EventType::Normal
                },
                reason: format!("Phase{}", status.phase.as_str()),
                note: Some(format!(
                    "phase {} -> {}",
                    previous_phase.as_str(),
                    status.phase.as_str()
                )),
                action: "Reconcile".into(),
                secondary: None,
            },
        )
        .await;
    }

    let start = interval_start(Utc::now(), USAGE_INTERVAL_SECONDS);
    let events = usage_events(&cluster, &names, &observed, start, USAGE_INTERVAL_SECONDS);
    let billed = !events.is_empty();
    if billed {
        ctx.usage.emit(events);
    }
    Ok(match (status.phase, billed) {
        (_, true) => Action::requeue(Duration::from_secs(USAGE_INTERVAL_SECONDS as u64)),
        (ClusterPhase::Ready | ClusterPhase::Hibernated, false) => {
            Action::requeue(Duration::from_secs(300))
        }
        _ => Action::requeue(Duration::from_secs(30)),
    })
}

/// Runs before the cluster disappears: deletes the volumes only under `deletionPolicy:
/// Delete`; children go with the cluster through their owner references.
async fn cleanup(cluster: Arc<DocFusionCluster>, ctx: Arc<Context>) -> Result<Action> {
    let namespace = cluster
        .namespace()
        .ok_or(Error::MissingField("metadata.namespace"))?;
    let names = ClusterNames::new(cluster.name_any(), namespace.clone());
    let (reason, note) = match cluster.spec.deletion_policy {
        DeletionPolicy::Delete => {
            let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), &namespace);
            let selector = format!(
                "{LABEL_INSTANCE}={},{LABEL_COMPONENT}={}",
                names.cluster,
                names.selector(Component::Shard)[LABEL_COMPONENT]
            );
            pvcs.delete_collection(
                &DeleteParams::background(),
                &ListParams::default().labels(&selector),
            )
            .await?;
            (
                "VolumesDeleted",
                format!("deleted the shards' PVCs ({selector})"),
            )
        }
        DeletionPolicy::Retain => (
            "VolumesRetained",
            format!(
                "kept the shards' PVCs (label {LABEL_INSTANCE}={}); delete them by hand to free the storage",
                names.cluster
            ),
        ),
    };
    publish(
        &ctx,
        &cluster,
        Event {
            type_: EventType::Normal,
            reason: reason.into(),
            note: Some(note),
            action: "Delete".into(),
            secondary: None,
        },
    )
    .await;
    ctx.metrics.forget(&cluster_key(&cluster));
    Ok(Action::await_change())
}

/// Runs the controller until `shutdown` resolves: watches clusters and every child kind.
pub async fn run(
    ctx: Arc<Context>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) -> Result<()> {
    let client = ctx.client.clone();
    let clusters: Api<DocFusionCluster> = Api::all(client.clone());
    // Fail early with a clear message when the CRD is not installed.
    clusters
        .list(&ListParams::default().limit(1))
        .await
        .map_err(Error::Kube)?;
    let owned =
        watcher::Config::default().labels("app.kubernetes.io/managed-by=docfusion-operator");
    Controller::new(clusters, watcher::Config::default().any_semantic())
        .owns(Api::<StatefulSet>::all(client.clone()), owned.clone())
        .owns(Api::<Deployment>::all(client.clone()), owned.clone())
        .owns(Api::<Service>::all(client.clone()), owned.clone())
        .owns(Api::<ConfigMap>::all(client.clone()), owned.clone())
        .owns(
            Api::<PodDisruptionBudget>::all(client.clone()),
            owned.clone(),
        )
        .owns(Api::<NetworkPolicy>::all(client.clone()), owned.clone())
        .owns(Api::<Secret>::all(client.clone()), owned)
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, ctx)
        .for_each(|result| async move {
            if let Err(e) = result {
                warn!(error = %e, "reconcile loop error");
            }
        })
        .await;
    Ok(())
}
