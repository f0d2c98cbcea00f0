//! The reconciler: a thin async shell around the pure builders and status function. It
//! server-side-applies every child, creates (never overwrites) generated Secrets, writes the
//! status, publishes events on phase transitions, emits usage, and cleans up in a finalizer.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use docfusion_crds::{
    ClusterPhase, ConditionReason, ConditionType, DeletionPolicy, DocFusionCluster,
    DocFusionClusterStatus,
};
use futures::StreamExt;
use k8s_openapi::NamespaceResourceScope;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Secret, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
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
use tracing::{Span, field, instrument, warn};

use crate::build::secret::{ClientCredentials, client_auth, client_credentials_of};
use crate::build::shard::VolumeTemplate;
use crate::build::{self, BuildContext};
use crate::metrics::Metrics;
use crate::names::{
    ClusterNames, Component, FIELD_MANAGER, FINALIZER, LABEL_COMPONENT, LABEL_INSTANCE,
};
use crate::observe::{Observed, ObservedQueryNodes, ObservedShard, compute_status};
use crate::quantity::is_smaller;
use crate::resize::{self, ResizeState, VolumeAction};
use crate::usage::{interval_start, until_next_interval, usage_events};
pub use crate::usage_sink::{LogUsageSink, UsageSink};
use crate::{Error, Result};

/// Length of one usage sampling interval.
pub const USAGE_INTERVAL_SECONDS: i64 = 60;

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

/// A Secret the cluster either names (read, never written) or has generated for it
/// (created once when missing, never overwritten). Returns its name, what `read` found in
/// it, and whether this reconcile created it.
async fn ensure_secret<T>(
    client: &Client,
    namespace: &str,
    named: Option<&String>,
    field: &str,
    generated_name: String,
    read: impl Fn(&Secret) -> Result<T, String>,
    generate: impl FnOnce() -> (Secret, T),
) -> Result<(String, T, bool)> {
    let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let read_named = |name: &str, secret: &Secret| {
        read(secret).map_err(|message| Error::InvalidSecret {
            secret: name.to_string(),
            message,
        })
    };
    if let Some(name) = named {
        let secret = secrets
            .get_opt(name)
            .await?
            .ok_or_else(|| Error::InvalidSecret {
                secret: name.clone(),
                message: format!("named in {field} but does not exist"),
            })?;
        return Ok((name.clone(), read_named(name, &secret)?, false));
    }
    let name = generated_name;
    if let Some(existing) = secrets.get_opt(&name).await? {
        let value = read_named(&name, &existing)?;
        return Ok((name, value, false));
    }
    let (secret, value) = generate();
    match secrets.create(&PostParams::default(), &secret).await {
        Ok(_) => Ok((name, value, true)),
        // Created by a racing reconcile: theirs stands, ours is dropped.
        Err(kube::Error::Api(s)) if s.code == 409 => {
            let theirs = secrets.get(&name).await?;
            let value = read_named(&name, &theirs)?;
            Ok((name, value, false))
        }
        Err(e) => Err(e.into()),
    }
}

/// Grows the volumes of shard `index` to `wanted` where their StorageClass allows it.
/// Returns what is growing or blocked, and how many claims this reconcile patched.
async fn resize_volumes(
    client: &Client,
    names: &ClusterNames,
    index: i32,
    wanted: &str,
) -> Result<(ResizeState, usize)> {
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), &names.namespace);
    let selector = names
        .shard_selector(index)
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let listed = claims
        .list(&ListParams::default().labels(&selector))
        .await?
        .items;
    let classes: Api<StorageClass> = Api::all(client.clone());
    let mut expandable = BTreeMap::new();
    for class in resize::classes_to_check(wanted, &listed) {
        let allowed = classes
            .get_opt(&class)
            .await?
            .and_then(|c| c.allow_volume_expansion)
            .unwrap_or(false);
        expandable.insert(class, allowed);
    }
    let actions = resize::plan(wanted, &listed, &expandable);
    let mut patched = 0;
    for action in &actions {
        if let VolumeAction::Expand { claim } = action {
            claims
                .patch(
                    claim,
                    &PatchParams::default(),
                    &Patch::Merge(resize::expand_patch(wanted)),
                )
                .await?;
            patched += 1;
        }
    }
    Ok((ResizeState::of(&actions), patched))
}

/// Whether condition `type_` has just taken `reason`.
fn became(
    previous: Option<&DocFusionClusterStatus>,
    status: &DocFusionClusterStatus,
    type_: ConditionType,
    reason: ConditionReason,
) -> bool {
    let has = |s: &DocFusionClusterStatus| {
        s.condition(type_)
            .is_some_and(|c| c.reason == reason.as_str())
    };
    has(status) && !previous.is_some_and(has)
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
    let ns = namespace.as_str();
    let uid = cluster
        .metadata
        .uid
        .clone()
        .ok_or(Error::MissingField("metadata.uid"))?;
    let template = BuildContext::new(&cluster, crate::names::DEFAULT_USERNAME)?;
    let (_, username, generated_role) = ensure_secret(
        client,
        ns,
        cluster.spec.auth.credentials_secret.as_ref(),
        "spec.auth.credentialsSecret",
        names.generated_credentials(),
        build::secret::username_of,
        || {
            let secret =
                build::secret::credentials_secret(&template, &build::secret::generate_password());
            (secret, crate::names::DEFAULT_USERNAME.to_string())
        },
    )
    .await?;
    let (client_secret, credentials, generated_client) = ensure_secret(
        client,
        ns,
        cluster.spec.auth.client_secret.as_ref(),
        "spec.auth.clientSecret",
        names.generated_client_credentials(),
        client_credentials_of,
        || {
            let creds = ClientCredentials::generate();
            (build::secret::client_secret(&template, &creds), creds)
        },
    )
    .await?;
    // PBKDF2 (4096 rounds) is CPU work: off the async threads.
    let auth = tokio::task::spawn_blocking(move || client_auth(&credentials, &uid))
        .await
        .map_err(|_| Error::MissingField("client credentials (verifier task failed)"))?;
    let bctx = BuildContext::new(&cluster, username)?.with_client(auth);

    apply_child(client, ns, &build::config::postgres_config_map(&bctx)).await?;
    let (node_config, config_hash) = build::config::node_config_map(&bctx)?;
    apply_child::<ConfigMap>(client, ns, &node_config).await?;

    let mut observed = Observed {
        serving_shards: Some(bctx.serving_shards),
        ..Observed::default()
    };
    let statefulsets: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let wanted_size = cluster.spec.shards.storage.size.0.clone();
    let mut expanded = 0;
    for index in 0..cluster.spec.shards.count {
        apply_child(client, ns, &build::shard::headless_service(&bctx, index)).await?;
        let existing = statefulsets.get_opt(&names.shard(index)).await?;
        let sts = apply_child(
            client,
            ns,
            &build::shard::statefulset(&bctx, index, existing.as_ref()),
        )
        .await?;
        let mut shard = ObservedShard::from_statefulset(index, &sts);
        // The template keeps the size the StatefulSet was created with; a larger spec
        // reaches the existing volumes through their claims.
        let template_smaller = existing
            .as_ref()
            .and_then(VolumeTemplate::of_statefulset)
            .and_then(|t| is_smaller(&t.size, &wanted_size))
            .unwrap_or(false);
        if template_smaller {
            let (state, patched) = resize_volumes(client, &names, index, &wanted_size).await?;
            shard.resize = state;
            expanded += patched;
        }
        observed.shards.push(shard);
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
        &client_secret,
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

    let mut events = Vec::new();
    if generated_role {
        events.push((
            EventType::Normal,
            "CredentialsGenerated",
            format!("generated Secret {}", names.generated_credentials()),
        ));
    }
    if generated_client {
        events.push((
            EventType::Normal,
            "ClientCredentialsGenerated",
            format!("generated Secret {client_secret} with the clients' user, password and token"),
        ));
    }
    if expanded > 0 {
        events.push((
            EventType::Normal,
            "VolumesExpanding",
            format!("asked {expanded} volumes to grow to {wanted_size}"),
        ));
    }
    let message_of = |t: ConditionType| {
        status
            .condition(t)
            .map(|c| c.message.clone())
            .unwrap_or_default()
    };
    if became(
        previous.as_ref(),
        &status,
        ConditionType::Progressing,
        ConditionReason::VolumeExpansionNotAllowed,
    ) {
        events.push((
            EventType::Warning,
            "VolumeExpansionNotAllowed",
            message_of(ConditionType::Progressing),
        ));
    }
    if became(
        previous.as_ref(),
        &status,
        ConditionType::ShardsReady,
        ConditionReason::RebalancePending,
    ) {
        events.push((
            EventType::Warning,
            "RebalancePending",
            message_of(ConditionType::ShardsReady),
        ));
    }
    for (type_, reason, note) in events {
        publish(
            &ctx,
            &cluster,
            Event {
                type_,
                reason: reason.into(),
                note: Some(note),
                action: "Reconcile".into(),
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

    let now = Utc::now();
    let start = interval_start(now, USAGE_INTERVAL_SECONDS);
    let usage = usage_events(&cluster, &names, &observed, start, USAGE_INTERVAL_SECONDS);
    let billed = !usage.is_empty();
    if billed {
        ctx.usage.emit(usage);
    }
    Ok(match (status.phase, billed) {
        // Sample every interval once: just after the next one starts.
        (_, true) => Action::requeue(until_next_interval(now, USAGE_INTERVAL_SECONDS)),
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
