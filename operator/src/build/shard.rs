//! Per-shard objects: the Postgres StatefulSet (primary at ordinal 0, streaming replicas
//! after it), its headless Service, and a PodDisruptionBudget only where one cannot block a
//! drain forever (never for a single-instance shard).

use std::collections::BTreeMap;

use docfusion_crds::DeletionPolicy;
use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec,
};
use k8s_openapi::api::core::v1::{
    Affinity, ConfigMapVolumeSource, Container, ContainerPort, EnvVar, EnvVarSource, ExecAction,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PodAffinityTerm, PodAntiAffinity,
    PodSecurityContext, PodSpec, PodTemplateSpec, Probe, SeccompProfile, SecretKeySelector,
    Service, ServicePort, ServiceSpec, Volume, VolumeMount, VolumeResourceRequirements,
    WeightedPodAffinityTerm,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::BuildContext;
use super::config::PG_HBA_KEY;
use crate::names::{DATABASE, EXPORTER_PORT, POSTGRES_PORT};

/// Postgres settings the query node depends on; a user's value wins only where the CRD's CEL
/// rules allow it (wal_level must stay logical, max_prepared_transactions > 0).
pub const REQUIRED_PARAMETERS: [(&str, &str); 5] = [
    ("wal_level", "logical"),
    ("max_prepared_transactions", "100"),
    ("max_wal_senders", "10"),
    ("max_replication_slots", "10"),
    ("hot_standby", "on"),
];

/// Where the Postgres data volume is mounted and where PGDATA lives inside it.
const DATA_MOUNT: &str = "/var/lib/postgresql/data";
const PGDATA: &str = "/var/lib/postgresql/data/pgdata";
const HBA_MOUNT: &str = "/etc/docfusion/postgres";
/// uid/gid of `postgres` in the official Debian-based image.
const POSTGRES_UID: i64 = 999;

/// Postgres instances of shard `index` right now: 0 when hibernated.
pub fn instances(ctx: &BuildContext<'_>) -> i32 {
    if ctx.hibernated() {
        0
    } else {
        ctx.cluster.spec.shards.instances_per_shard()
    }
}

/// `-c key=value` settings of shard `index`: required ones, then the cluster's, then the
/// shard override's.
pub fn postgres_parameters(ctx: &BuildContext<'_>, index: i32) -> BTreeMap<String, String> {
    let shards = &ctx.cluster.spec.shards;
    let mut params: BTreeMap<String, String> = REQUIRED_PARAMETERS
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    params.extend(shards.postgres.parameters.clone());
    if let Some(o) = shards.override_for(index) {
        params.extend(o.parameters.clone());
    }
    params.insert("hba_file".into(), format!("{HBA_MOUNT}/{PG_HBA_KEY}"));
    params
}

/// Starts Postgres; on a replica ordinal with an empty volume, first clones the primary
/// with `pg_basebackup -R` so the instance comes up as a streaming standby.
fn entrypoint_script(ctx: &BuildContext<'_>, index: i32) -> String {
    let primary = ctx.names.shard_primary_host(index);
    format!(
        r#"set -eu
ordinal="${{HOSTNAME##*-}}"
if [ "$ordinal" != "0" ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
  PGPASSWORD="$POSTGRES_PASSWORD" pg_basebackup -h {primary} -p {POSTGRES_PORT} -U "$POSTGRES_USER" -D "$PGDATA" -R -X stream
fi
exec docker-entrypoint.sh postgres "$@""#
    )
}

fn secret_env(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.into(),
                key: key.into(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..EnvVar::default()
    }
}

fn pg_isready_probe(period: i32, failures: i32) -> Probe {
    Probe {
        exec: Some(ExecAction {
            command: Some(vec![
                "sh".into(),
                "-c".into(),
                format!(
                    "pg_isready -h 127.0.0.1 -p {POSTGRES_PORT} -U \"$POSTGRES_USER\" -d {DATABASE}"
                ),
            ]),
        }),
        period_seconds: Some(period),
        timeout_seconds: Some(5),
        failure_threshold: Some(failures),
        ..Probe::default()
    }
}

/// Spread instances of one shard over nodes, preferred so that small clusters still schedule.
fn default_anti_affinity(ctx: &BuildContext<'_>, index: i32) -> Affinity {
    Affinity {
        pod_anti_affinity: Some(PodAntiAffinity {
            preferred_during_scheduling_ignored_during_execution: Some(vec![
                WeightedPodAffinityTerm {
                    weight: 100,
                    pod_affinity_term: PodAffinityTerm {
                        label_selector: Some(LabelSelector {
                            match_labels: Some(ctx.names.shard_selector(index)),
                            ..LabelSelector::default()
                        }),
                        topology_key: "kubernetes.io/hostname".into(),
                        ..PodAffinityTerm::default()
                    },
                },
            ]),
            ..PodAntiAffinity::default()
        }),
        ..Affinity::default()
    }
}

fn exporter_container(ctx: &BuildContext<'_>) -> Container {
    Container {
        name: "exporter".into(),
        image: Some(ctx.cluster.spec.monitoring.exporter_image.clone()),
        env: Some(vec![
            env(
                "DATA_SOURCE_URI",
                &format!("127.0.0.1:{POSTGRES_PORT}/{DATABASE}?sslmode=disable"),
            ),
            secret_env("DATA_SOURCE_USER", &ctx.credentials_secret, "username"),
            secret_env("DATA_SOURCE_PASS", &ctx.credentials_secret, "password"),
        ]),
        ports: Some(vec![ContainerPort {
            name: Some("metrics".into()),
            container_port: EXPORTER_PORT,
            ..ContainerPort::default()
        }]),
        security_context: Some(super::query::restricted_container_security(true)),
        ..Container::default()
    }
}

/// The size and class of the volumes a StatefulSet creates for new instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeTemplate {
    pub size: String,
    pub storage_class: Option<String>,
}

impl VolumeTemplate {
    /// What the spec asks for.
    pub fn from_spec(ctx: &BuildContext<'_>) -> Self {
        let storage = &ctx.cluster.spec.shards.storage;
        Self {
            size: storage.size.0.clone(),
            storage_class: storage.storage_class.clone(),
        }
    }

    /// What an existing StatefulSet was created with. A StatefulSet's claim templates are
    /// immutable, so a later apply must repeat them; larger sizes reach existing volumes by
    /// patching their claims instead (see `crate::resize`).
    pub fn of_statefulset(sts: &StatefulSet) -> Option<Self> {
        let claim = sts
            .spec
            .as_ref()?
            .volume_claim_templates
            .as_ref()?
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some(DATA_VOLUME))?;
        let spec = claim.spec.as_ref()?;
        let size = spec
            .resources
            .as_ref()?
            .requests
            .as_ref()?
            .get("storage")?
            .0
            .clone();
        Some(Self {
            size,
            storage_class: spec.storage_class_name.clone(),
        })
    }
}

/// Name of the data volume claim template (claims are `data-<statefulset>-<ordinal>`).
pub const DATA_VOLUME: &str = "data";

/// The StatefulSet of shard `index`. `existing` is the StatefulSet as the API server has it,
/// if any: its (immutable) claim template is kept.
pub fn statefulset(
    ctx: &BuildContext<'_>,
    index: i32,
    existing: Option<&StatefulSet>,
) -> StatefulSet {
    let spec = &ctx.cluster.spec;
    let shards = &spec.shards;
    let name = ctx.names.shard(index);
    let selector = ctx.names.shard_selector(index);
    let mut labels = ctx.names.labels(crate::names::Component::Shard);
    labels.extend(selector.clone());
    let shard_override = shards.override_for(index);
    let args: Vec<String> = postgres_parameters(ctx, index)
        .into_iter()
        .flat_map(|(k, v)| ["-c".to_string(), format!("{k}={v}")])
        .collect();
    let resources = shard_override
        .and_then(|o| o.resources.clone())
        .or_else(|| shards.resources.clone());
    let mut containers = vec![Container {
        name: "postgres".into(),
        image: Some(shards.postgres.image.clone()),
        command: Some(vec![
            "sh".into(),
            "-c".into(),
            entrypoint_script(ctx, index),
            "--".into(),
        ]),
        args: Some(args),
        env: Some(vec![
            secret_env("POSTGRES_USER", &ctx.credentials_secret, "username"),
            secret_env("POSTGRES_PASSWORD", &ctx.credentials_secret, "password"),
            env("POSTGRES_DB", DATABASE),
            env("PGDATA", PGDATA),
        ]),
        ports: Some(vec![ContainerPort {
            name: Some("postgres".into()),
            container_port: POSTGRES_PORT,
            ..ContainerPort::default()
        }]),
        readiness_probe: Some(pg_isready_probe(5, 3)),
        liveness_probe: Some(pg_isready_probe(10, 6)),
        // Crash recovery or a base backup can take long: liveness waits for the first success.
        startup_probe: Some(pg_isready_probe(10, 360)),
        resources,
        volume_mounts: Some(vec![
            VolumeMount {
                name: DATA_VOLUME.into(),
                mount_path: DATA_MOUNT.into(),
                ..VolumeMount::default()
            },
            VolumeMount {
                name: "postgres-config".into(),
                mount_path: HBA_MOUNT.into(),
                read_only: Some(true),
                ..VolumeMount::default()
            },
        ]),
        security_context: Some(super::query::restricted_container_security(false)),
        ..Container::default()
    }];
    if spec.monitoring.pod_monitor {
        containers.push(exporter_container(ctx));
    }
    let node_selector = shard_override
        .map(|o| o.node_selector.clone())
        .filter(|s| !s.is_empty());
    let volume = existing
        .and_then(VolumeTemplate::of_statefulset)
        .unwrap_or_else(|| VolumeTemplate::from_spec(ctx));
    StatefulSet {
        metadata: ctx.meta(name.clone(), labels.clone()),
        spec: Some(StatefulSetSpec {
            replicas: Some(instances(ctx)),
            service_name: Some(name),
            selector: LabelSelector {
                match_labels: Some(selector),
                ..LabelSelector::default()
            },
            // The primary (ordinal 0) must be up before a replica can clone it.
            pod_management_policy: Some("OrderedReady".into()),
            persistent_volume_claim_retention_policy: Some(
                StatefulSetPersistentVolumeClaimRetentionPolicy {
                    when_deleted: Some(
                        match spec.deletion_policy {
                            DeletionPolicy::Retain => "Retain",
                            DeletionPolicy::Delete => "Delete",
                        }
                        .into(),
                    ),
                    // Hibernation and scale-down keep the volumes.
                    when_scaled: Some("Retain".into()),
                },
            ),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.clone()),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers,
                    affinity: Some(
                        shards
                            .affinity
                            .clone()
                            .unwrap_or_else(|| default_anti_affinity(ctx, index)),
                    ),
                    topology_spread_constraints: Some(shards.topology_spread_constraints.clone())
                        .filter(|t| !t.is_empty()),
                    node_selector,
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(POSTGRES_UID),
                        run_as_group: Some(POSTGRES_UID),
                        fs_group: Some(POSTGRES_UID),
                        seccomp_profile: Some(SeccompProfile {
                            type_: "RuntimeDefault".into(),
                            ..SeccompProfile::default()
                        }),
                        ..PodSecurityContext::default()
                    }),
                    termination_grace_period_seconds: Some(60),
                    volumes: Some(vec![Volume {
                        name: "postgres-config".into(),
                        config_map: Some(ConfigMapVolumeSource {
                            name: ctx.names.postgres_config(),
                            ..ConfigMapVolumeSource::default()
                        }),
                        ..Volume::default()
                    }]),
                    ..PodSpec::default()
                }),
            },
            volume_claim_templates: Some(vec![PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(DATA_VOLUME.into()),
                    labels: Some(labels),
                    ..ObjectMeta::default()
                },
                spec: Some(PersistentVolumeClaimSpec {
                    access_modes: Some(vec!["ReadWriteOnce".into()]),
                    storage_class_name: volume.storage_class,
                    resources: Some(VolumeResourceRequirements {
                        requests: Some(BTreeMap::from([(
                            "storage".to_string(),
                            Quantity(volume.size),
                        )])),
                        ..VolumeResourceRequirements::default()
                    }),
                    ..PersistentVolumeClaimSpec::default()
                }),
                ..PersistentVolumeClaim::default()
            }]),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    }
}

/// The headless Service giving each instance of shard `index` a stable DNS name.
pub fn headless_service(ctx: &BuildContext<'_>, index: i32) -> Service {
    let mut labels = ctx.names.labels(crate::names::Component::Shard);
    labels.extend(ctx.names.shard_selector(index));
    Service {
        metadata: ctx.meta(ctx.names.shard(index), labels),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            // Replicas must resolve the primary before it is Ready (during its first start).
            publish_not_ready_addresses: Some(true),
            selector: Some(ctx.names.shard_selector(index)),
            ports: Some(vec![ServicePort {
                name: Some("postgres".into()),
                port: POSTGRES_PORT,
                target_port: Some(IntOrString::String("postgres".into())),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// The PDB of shard `index`, or `None` where a PDB could only block drains: single-instance
/// shards and hibernated clusters. Unhealthy pods may always be evicted, so a broken pod
/// never holds a drain hostage.
pub fn disruption_budget(ctx: &BuildContext<'_>, index: i32) -> Option<PodDisruptionBudget> {
    if instances(ctx) < 2 {
        return None;
    }
    let mut labels = ctx.names.labels(crate::names::Component::Shard);
    labels.extend(ctx.names.shard_selector(index));
    Some(PodDisruptionBudget {
        metadata: ctx.meta(ctx.names.shard(index), labels),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(ctx.names.shard_selector(index)),
                ..LabelSelector::default()
            }),
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".into()),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::test_cluster::{TWO_SHARDS, cluster};

    fn ctx_for(c: &docfusion_crds::DocFusionCluster) -> BuildContext<'_> {
        BuildContext::new(c, "docfusion").expect("ctx")
    }

    fn postgres(sts: &StatefulSet) -> Container {
        sts.spec
            .as_ref()
            .and_then(|s| s.template.spec.as_ref())
            .map(|p| p.containers[0].clone())
            .expect("postgres container")
    }

    #[test]
    fn statefulset_runs_logical_postgres_with_2pc_on_a_pvc() {
        let c = cluster(TWO_SHARDS);
        let ctx = ctx_for(&c);
        let sts = statefulset(&ctx, 1, None);
        assert_eq!(sts.metadata.name.as_deref(), Some("orders-shard-1"));
        let owner = &sts.metadata.owner_references.as_ref().expect("owned")[0];
        assert_eq!(owner.kind, "DocFusionCluster");
        assert_eq!(owner.controller, Some(true));
        let spec = sts.spec.as_ref().expect("spec");
        assert_eq!(spec.replicas, Some(1));
        assert_eq!(spec.service_name.as_deref(), Some("orders-shard-1"));
        let args = postgres(&sts).args.expect("args").join(" ");
        assert!(args.contains("-c wal_level=logical"), "{args}");
        assert!(args.contains("-c max_prepared_transactions=100"), "{args}");
        assert!(
            args.contains("-c hba_file=/etc/docfusion/postgres/pg_hba.conf"),
            "{args}"
        );
        let pvc = &spec.volume_claim_templates.as_ref().expect("pvc")[0];
        let pvc_spec = pvc.spec.as_ref().expect("pvc spec");
        let size = pvc_spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .map(|r| r["storage"].0.clone());
        assert_eq!(size.as_deref(), Some("10Gi"));
        let retention = spec
            .persistent_volume_claim_retention_policy
            .as_ref()
            .expect("retention");
        assert_eq!(retention.when_deleted.as_deref(), Some("Retain"));
        assert_eq!(retention.when_scaled.as_deref(), Some("Retain"));
    }

    #[test]
    fn statefulset_has_probes_anti_affinity_and_runs_as_postgres() {
        let c = cluster(TWO_SHARDS);
        let sts = statefulset(&ctx_for(&c), 0, None);
        let container = postgres(&sts);
        assert!(container.readiness_probe.is_some());
        assert!(container.liveness_probe.is_some());
        assert!(container.startup_probe.is_some());
        let pod = sts.spec.and_then(|s| s.template.spec).expect("pod");
        let anti = pod
            .affinity
            .and_then(|a| a.pod_anti_affinity)
            .and_then(|a| a.preferred_during_scheduling_ignored_during_execution)
            .expect("anti-affinity");
        let selector = anti[0].pod_affinity_term.label_selector.clone();
        let labels = selector.and_then(|s| s.match_labels).expect("labels");
        assert_eq!(labels["docfusion.io/shard"], "0");
        let security = pod.security_context.expect("security");
        assert_eq!(security.run_as_non_root, Some(true));
        assert_eq!(security.run_as_user, Some(999));
    }

    #[test]
    fn replicas_overrides_and_user_parameters_are_applied_per_shard() {
        let c = cluster(
            r#"
shards:
  count: 2
  replicas: 2
  storage: {size: 10Gi, storageClass: fast}
  postgres: {parameters: {shared_buffers: 1GB, max_prepared_transactions: "50"}}
  overrides:
    - index: 1
      parameters: {shared_buffers: 4GB}
      nodeSelector: {pool: big}
"#,
        );
        let ctx = ctx_for(&c);
        let sts0 = statefulset(&ctx, 0, None);
        let sts1 = statefulset(&ctx, 1, None);
        assert_eq!(sts0.spec.as_ref().and_then(|s| s.replicas), Some(3));
        let args0 = postgres(&sts0).args.expect("args").join(" ");
        let args1 = postgres(&sts1).args.expect("args").join(" ");
        assert!(args0.contains("shared_buffers=1GB") && args1.contains("shared_buffers=4GB"));
        assert!(args0.contains("max_prepared_transactions=50"));
        let selector1 = sts1
            .spec
            .clone()
            .and_then(|s| s.template.spec)
            .and_then(|p| p.node_selector);
        assert_eq!(selector1.map(|s| s["pool"].clone()).as_deref(), Some("big"));
        let class = sts0
            .spec
            .and_then(|s| s.volume_claim_templates)
            .and_then(|v| {
                v[0].spec
                    .as_ref()
                    .and_then(|s| s.storage_class_name.clone())
            });
        assert_eq!(class.as_deref(), Some("fast"));
        // The replica script clones the primary of its own shard.
        let script = postgres(&sts1).command.expect("command").join(" ");
        assert!(script.contains("pg_basebackup -h orders-shard-1-0.orders-shard-1.shop.svc"));
    }

    #[test]
    fn hibernation_scales_to_zero_and_delete_policy_deletes_claims() {
        let c = cluster(
            "{hibernate: true, deletionPolicy: Delete, shards: {count: 1, replicas: 1, storage: {size: 1Gi}}}",
        );
        let ctx = ctx_for(&c);
        let sts = statefulset(&ctx, 0, None);
        let spec = sts.spec.expect("spec");
        assert_eq!(spec.replicas, Some(0));
        assert_eq!(
            spec.persistent_volume_claim_retention_policy
                .and_then(|r| r.when_deleted)
                .as_deref(),
            Some("Delete")
        );
        assert!(disruption_budget(&ctx, 0).is_none(), "no PDB for zero pods");
    }

    #[test]
    fn pdb_only_for_shards_with_replicas_and_never_blocks_on_unhealthy_pods() {
        let c = cluster(TWO_SHARDS);
        assert!(
            disruption_budget(&ctx_for(&c), 0).is_none(),
            "single instance: no PDB"
        );
        let c = cluster("shards: {count: 2, replicas: 1, storage: {size: 1Gi}}");
        let pdb = disruption_budget(&ctx_for(&c), 1)
            .expect("pdb")
            .spec
            .expect("spec");
        assert_eq!(pdb.max_unavailable, Some(IntOrString::Int(1)));
        assert!(pdb.min_available.is_none());
        assert_eq!(
            pdb.unhealthy_pod_eviction_policy.as_deref(),
            Some("AlwaysAllow")
        );
    }

    #[test]
    fn an_existing_claim_template_is_kept_when_the_spec_grows() {
        let small = cluster(TWO_SHARDS);
        let existing = statefulset(&ctx_for(&small), 0, None);
        let grown = cluster("shards: {count: 2, storage: {size: 50Gi, storageClass: other}}");
        let ctx = ctx_for(&grown);
        let fresh = statefulset(&ctx, 0, None);
        assert_eq!(
            VolumeTemplate::of_statefulset(&fresh),
            Some(VolumeTemplate {
                size: "50Gi".into(),
                storage_class: Some("other".into())
            }),
            "a new StatefulSet takes the spec"
        );
        let applied = statefulset(&ctx, 0, Some(&existing));
        assert_eq!(
            VolumeTemplate::of_statefulset(&applied),
            Some(VolumeTemplate {
                size: "10Gi".into(),
                storage_class: None
            }),
            "an existing one keeps its immutable template"
        );
        assert_eq!(
            serde_json::to_value(applied.spec.as_ref().map(|s| &s.volume_claim_templates))
                .expect("json"),
            serde_json::to_value(existing.spec.as_ref().map(|s| &s.volume_claim_templates))
                .expect("json"),
        );
    }

    #[test]
    fn headless_service_publishes_not_ready_addresses() {
        let c = cluster(TWO_SHARDS);
        let svc = headless_service(&ctx_for(&c), 1);
        let spec = svc.spec.expect("spec");
        assert_eq!(spec.cluster_ip.as_deref(), Some("None"));
        assert_eq!(spec.publish_not_ready_addresses, Some(true));
        assert_eq!(spec.selector.expect("selector")["docfusion.io/shard"], "1");
        assert_eq!(spec.ports.expect("ports")[0].port, 5432);
    }

    #[test]
    fn pod_monitor_adds_an_exporter_sidecar() {
        let c =
            cluster("{monitoring: {podMonitor: true}, shards: {count: 1, storage: {size: 1Gi}}}");
        let sts = statefulset(&ctx_for(&c), 0, None);
        let containers = sts
            .spec
            .and_then(|s| s.template.spec)
            .expect("pod")
            .containers;
        assert_eq!(containers.len(), 2);
        assert_eq!(containers[1].name, "exporter");
    }
}
