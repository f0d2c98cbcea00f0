//! Query node objects: the Deployment (rolled when the rendered config changes), the client
//! Service (Postgres protocol 5433, HTTP 8433) and a PDB when more than one node runs.
//!
//! Probes use the node's own endpoints: liveness `GET /healthz` (the process is up),
//! readiness `GET /readyz` (every shard answers). On SIGTERM the node drains for
//! `limits.shutdown_grace_ms`; the pod's grace period covers a short pre-stop pause (so that
//! Services stop sending new connections first), the drain, and a margin to stop cleanly.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource,
    EnvVar, HTTPGetAction, Lifecycle, LifecycleHandler, PodAffinityTerm, PodAntiAffinity,
    PodSecurityContext, PodSpec, PodTemplateSpec, Probe, SeccompProfile, SecretVolumeSource,
    SecurityContext, Service, ServicePort, ServiceSpec, SleepAction, Volume, VolumeMount,
    WeightedPodAffinityTerm,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::BuildContext;
use super::config::{NODE_DATA_DIR, shutdown_grace_ms};
use crate::names::{
    CONFIG_HASH_ANNOTATION, Component, NODE_CONFIG_DIR, NODE_CONFIG_KEY, QUERY_HTTP_PORT,
    QUERY_PG_PORT, TLS_DIR,
};

/// uid the query node image runs as.
const NODE_UID: i64 = 10001;
/// Seconds a terminating node keeps serving before SIGTERM, while endpoints drop it.
pub const PRE_STOP_SLEEP_SECONDS: i64 = 5;
/// Seconds past the drain for the node to close shards and exit before SIGKILL.
pub const STOP_MARGIN_SECONDS: i64 = 10;

/// Query nodes wanted right now: 0 when hibernated.
pub fn replicas(ctx: &BuildContext<'_>) -> i32 {
    if ctx.hibernated() {
        0
    } else {
        ctx.cluster.spec.query_nodes.replicas
    }
}

/// A container security context meeting the `restricted` Pod Security Standard.
pub fn restricted_container_security(read_only_root: bool) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        read_only_root_filesystem: Some(read_only_root),
        run_as_non_root: Some(true),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Capabilities::default()
        }),
        ..SecurityContext::default()
    }
}

fn port(name: &str, number: i32) -> ContainerPort {
    ContainerPort {
        name: Some(name.into()),
        container_port: number,
        ..ContainerPort::default()
    }
}

fn http_probe(path: &str, period: i32, failures: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::String("http".into()),
            ..HTTPGetAction::default()
        }),
        period_seconds: Some(period),
        // `/readyz` gives each shard two seconds to answer.
        timeout_seconds: Some(3),
        failure_threshold: Some(failures),
        ..Probe::default()
    }
}

/// The pod's `terminationGracePeriodSeconds`: pre-stop pause + the node's drain + margin.
pub fn termination_grace_seconds(ctx: &BuildContext<'_>) -> i64 {
    let drain = i64::try_from(shutdown_grace_ms(ctx).div_ceil(1000)).unwrap_or(i64::MAX / 2);
    PRE_STOP_SLEEP_SECONDS + drain + STOP_MARGIN_SECONDS
}

/// The query node Deployment; `config_hash` is the hash of the rendered node config.
pub fn deployment(ctx: &BuildContext<'_>, config_hash: &str) -> Deployment {
    let spec = &ctx.cluster.spec;
    let nodes = &spec.query_nodes;
    let selector = ctx.names.selector(Component::QueryNode);
    let labels = ctx.names.labels(Component::QueryNode);
    let mut env = vec![
        EnvVar {
            name: "DOCFUSION_CONFIG".into(),
            value: Some(format!("{NODE_CONFIG_DIR}/{NODE_CONFIG_KEY}")),
            ..EnvVar::default()
        },
        // The config file is not secret; the shard password stays in the Secret.
        EnvVar {
            name: "PGPASSWORD".into(),
            value_from: Some(k8s_openapi::api::core::v1::EnvVarSource {
                secret_key_ref: Some(k8s_openapi::api::core::v1::SecretKeySelector {
                    name: ctx.credentials_secret.clone(),
                    key: "password".into(),
                    optional: Some(false),
                }),
                ..Default::default()
            }),
            ..EnvVar::default()
        },
    ];
    if let Some(budget) = &nodes.replica_memory_budget {
        env.push(EnvVar {
            name: "DOCFUSION_REPLICA_MEMORY_BUDGET".into(),
            value: Some(budget.0.clone()),
            ..EnvVar::default()
        });
    }
    let mut mounts = vec![
        VolumeMount {
            name: "config".into(),
            mount_path: NODE_CONFIG_DIR.into(),
            read_only: Some(true),
            ..VolumeMount::default()
        },
        VolumeMount {
            name: "data".into(),
            mount_path: NODE_DATA_DIR.into(),
            ..VolumeMount::default()
        },
    ];
    let mut volumes = vec![
        Volume {
            name: "config".into(),
            config_map: Some(ConfigMapVolumeSource {
                name: ctx.names.node_config(),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        },
        Volume {
            name: "data".into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        },
    ];
    if let (true, Some(secret)) = (spec.tls.enabled, spec.tls.secret_name.as_ref()) {
        mounts.push(VolumeMount {
            name: "tls".into(),
            mount_path: TLS_DIR.into(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
        volumes.push(Volume {
            name: "tls".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret.clone()),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    Deployment {
        metadata: ctx.meta(ctx.names.query_nodes(), labels.clone()),
        spec: Some(DeploymentSpec {
            replicas: Some(replicas(ctx)),
            selector: LabelSelector {
                match_labels: Some(selector.clone()),
                ..LabelSelector::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    annotations: Some(BTreeMap::from([(
                        CONFIG_HASH_ANNOTATION.to_string(),
                        config_hash.to_string(),
                    )])),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: "docfusiondb".into(),
                        image: Some(nodes.image.clone()),
                        args: Some(vec![
                            "serve".into(),
                            "--config".into(),
                            format!("{NODE_CONFIG_DIR}/{NODE_CONFIG_KEY}"),
                        ]),
                        env: Some(env),
                        ports: Some(vec![
                            port("postgres", QUERY_PG_PORT),
                            port("http", QUERY_HTTP_PORT),
                        ]),
                        readiness_probe: Some(http_probe("/readyz", 5, 3)),
                        liveness_probe: Some(http_probe("/healthz", 10, 6)),
                        // Start-up resolves in-doubt transactions first: up to 5 minutes.
                        startup_probe: Some(http_probe("/healthz", 5, 60)),
                        lifecycle: Some(Lifecycle {
                            pre_stop: Some(LifecycleHandler {
                                sleep: Some(SleepAction {
                                    seconds: PRE_STOP_SLEEP_SECONDS,
                                }),
                                ..LifecycleHandler::default()
                            }),
                            ..Lifecycle::default()
                        }),
                        resources: nodes.resources.clone(),
                        volume_mounts: Some(mounts),
                        security_context: Some(restricted_container_security(true)),
                        ..Container::default()
                    }],
                    affinity: Some(Affinity {
                        pod_anti_affinity: Some(PodAntiAffinity {
                            preferred_during_scheduling_ignored_during_execution: Some(vec![
                                WeightedPodAffinityTerm {
                                    weight: 100,
                                    pod_affinity_term: PodAffinityTerm {
                                        label_selector: Some(LabelSelector {
                                            match_labels: Some(selector),
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
                    }),
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(NODE_UID),
                        run_as_group: Some(NODE_UID),
                        fs_group: Some(NODE_UID),
                        seccomp_profile: Some(SeccompProfile {
                            type_: "RuntimeDefault".into(),
                            ..SeccompProfile::default()
                        }),
                        ..PodSecurityContext::default()
                    }),
                    volumes: Some(volumes),
                    termination_grace_period_seconds: Some(termination_grace_seconds(ctx)),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

/// The client Service: Postgres protocol on 5433 and HTTP on 8433.
pub fn client_service(ctx: &BuildContext<'_>) -> Service {
    let service_port = |name: &str, number: i32| ServicePort {
        name: Some(name.into()),
        port: number,
        target_port: Some(IntOrString::String(name.into())),
        ..ServicePort::default()
    };
    Service {
        metadata: ctx.component_meta(ctx.names.client_service(), Component::QueryNode),
        spec: Some(ServiceSpec {
            selector: Some(ctx.names.selector(Component::QueryNode)),
            ports: Some(vec![
                service_port("postgres", QUERY_PG_PORT),
                service_port("http", QUERY_HTTP_PORT),
            ]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// A PDB keeping one query node up during drains, only when more than one runs.
pub fn disruption_budget(ctx: &BuildContext<'_>) -> Option<PodDisruptionBudget> {
    if replicas(ctx) < 2 {
        return None;
    }
    Some(PodDisruptionBudget {
        metadata: ctx.component_meta(ctx.names.query_nodes(), Component::QueryNode),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(ctx.names.selector(Component::QueryNode)),
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

    #[test]
    fn deployment_mounts_the_config_and_carries_its_hash() {
        let c = cluster(TWO_SHARDS);
        let ctx = BuildContext::new(&c, "docfusion").expect("ctx");
        let deploy = deployment(&ctx, "abc123");
        assert_eq!(deploy.metadata.name.as_deref(), Some("orders-query"));
        let spec = deploy.spec.expect("spec");
        assert_eq!(spec.replicas, Some(2), "default replicas");
        let template = spec.template;
        let hash = template
            .metadata
            .and_then(|m| m.annotations)
            .expect("annotations");
        assert_eq!(hash[CONFIG_HASH_ANNOTATION], "abc123");
        let pod = template.spec.expect("pod");
        let container = &pod.containers[0];
        assert_eq!(
            container.args.clone().expect("args"),
            ["serve", "--config", "/etc/docfusion/docfusiondb.yaml"]
        );
        let config_volume = pod.volumes.expect("volumes")[0].config_map.clone();
        assert_eq!(
            config_volume.map(|c| c.name).as_deref(),
            Some("orders-node-config")
        );
        let security = container.security_context.clone().expect("security");
        assert_eq!(security.read_only_root_filesystem, Some(true));
        assert_eq!(security.allow_privilege_escalation, Some(false));
        let ports: Vec<i32> = container
            .ports
            .clone()
            .expect("ports")
            .iter()
            .map(|p| p.container_port)
            .collect();
        assert_eq!(ports, [5433, 8433]);
        let env = container.env.clone().expect("env");
        let password = env
            .iter()
            .find(|e| e.name == "PGPASSWORD")
            .expect("PGPASSWORD");
        let key = password
            .value_from
            .as_ref()
            .and_then(|v| v.secret_key_ref.as_ref());
        assert_eq!(key.map(|k| k.name.as_str()), Some("orders-credentials"));
    }

    #[test]
    fn probes_use_healthz_and_readyz_and_grace_covers_the_drain() {
        let c = cluster(TWO_SHARDS);
        let ctx = BuildContext::new(&c, "docfusion").expect("ctx");
        let pod = deployment(&ctx, "h")
            .spec
            .and_then(|s| s.template.spec)
            .expect("pod");
        let container = &pod.containers[0];
        let path = |p: &Option<Probe>| {
            p.as_ref()
                .and_then(|p| p.http_get.as_ref())
                .map(|g| (g.path.clone().unwrap_or_default(), g.port.clone()))
        };
        let http = IntOrString::String("http".into());
        assert_eq!(
            path(&container.readiness_probe),
            Some(("/readyz".to_string(), http.clone()))
        );
        assert_eq!(
            path(&container.liveness_probe),
            Some(("/healthz".to_string(), http.clone()))
        );
        assert_eq!(
            path(&container.startup_probe),
            Some(("/healthz".to_string(), http))
        );
        let sleep = container
            .lifecycle
            .as_ref()
            .and_then(|l| l.pre_stop.as_ref())
            .and_then(|h| h.sleep.as_ref())
            .map(|s| s.seconds);
        assert_eq!(sleep, Some(5));
        // Default drain 30 s: 5 s pause + 30 s + 10 s margin.
        assert_eq!(pod.termination_grace_period_seconds, Some(45));
        let c = cluster(
            "{queryNodes: {config: {shutdownGraceMs: 90500}}, shards: {count: 1, storage: {size: 1Gi}}}",
        );
        let ctx = BuildContext::new(&c, "docfusion").expect("ctx");
        // 90.5 s rounds up to 91.
        assert_eq!(termination_grace_seconds(&ctx), 5 + 91 + 10);
    }

    #[test]
    fn tls_budget_and_hibernation_shape_the_deployment() {
        let c = cluster(
            "{hibernate: true, tls: {enabled: true, secretName: t}, queryNodes: {replicaMemoryBudget: 2Gi}, shards: {count: 1, storage: {size: 1Gi}}}",
        );
        let ctx = BuildContext::new(&c, "docfusion").expect("ctx");
        let spec = deployment(&ctx, "h").spec.expect("spec");
        assert_eq!(spec.replicas, Some(0));
        let pod = spec.template.spec.expect("pod");
        let tls = pod
            .volumes
            .expect("volumes")
            .into_iter()
            .find(|v| v.name == "tls");
        assert_eq!(
            tls.and_then(|v| v.secret)
                .and_then(|s| s.secret_name)
                .as_deref(),
            Some("t")
        );
        let mount = pod.containers[0]
            .volume_mounts
            .iter()
            .flatten()
            .find(|m| m.name == "tls")
            .map(|m| m.mount_path.clone());
        assert_eq!(mount.as_deref(), Some("/etc/docfusion-tls"));
        let env = pod.containers[0].env.clone().expect("env");
        assert!(
            env.iter()
                .any(|e| e.name == "DOCFUSION_REPLICA_MEMORY_BUDGET"
                    && e.value.as_deref() == Some("2Gi"))
        );
        assert!(disruption_budget(&ctx).is_none());
    }

    #[test]
    fn client_service_exposes_postgres_and_http() {
        let c = cluster(TWO_SHARDS);
        let ctx = BuildContext::new(&c, "docfusion").expect("ctx");
        let svc = client_service(&ctx);
        assert_eq!(svc.metadata.name.as_deref(), Some("orders"));
        let ports = svc.spec.and_then(|s| s.ports).expect("ports");
        let pairs: Vec<(Option<String>, i32)> =
            ports.into_iter().map(|p| (p.name, p.port)).collect();
        assert_eq!(
            pairs,
            [(Some("postgres".into()), 5433), (Some("http".into()), 8433)]
        );
        let pdb = disruption_budget(&ctx)
            .expect("2 nodes: pdb")
            .spec
            .expect("spec");
        assert_eq!(pdb.max_unavailable, Some(IntOrString::Int(1)));
    }
}
