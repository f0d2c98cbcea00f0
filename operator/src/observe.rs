//! Status as a pure function of what the children report: per-shard readiness, query node
//! readiness, the conditions (with stable transition times) and the phase.

use docfusion_crds::{
    ClusterPhase, ConditionReason, ConditionType, DocFusionCluster, DocFusionClusterStatus,
    QueryNodesStatus, ShardStatus,
};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use crate::names::{ClusterNames, Component};
use crate::resize::ResizeState;

/// One shard's StatefulSet as reported by the API server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObservedShard {
    pub index: i32,
    /// `spec.replicas` the StatefulSet was given.
    pub wanted: i32,
    pub ready: i32,
    /// Pods already at the newest revision.
    pub updated: i32,
    /// Whether the controller has seen the StatefulSet's newest spec and finished rolling it.
    pub rolled_out: bool,
    /// Volumes growing or unable to grow.
    pub resize: ResizeState,
}

impl ObservedShard {
    /// Reads a StatefulSet (as returned by an apply) for shard `index`.
    pub fn from_statefulset(index: i32, sts: &StatefulSet) -> Self {
        let wanted = sts.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let status = sts.status.clone().unwrap_or_default();
        let seen = status.observed_generation.unwrap_or(0) >= sts.metadata.generation.unwrap_or(0);
        let same_revision =
            status.update_revision.is_none() || status.update_revision == status.current_revision;
        let updated = status.updated_replicas.unwrap_or(0);
        Self {
            index,
            wanted,
            ready: status.ready_replicas.unwrap_or(0),
            updated,
            rolled_out: seen && same_revision && updated >= wanted,
            resize: ResizeState::default(),
        }
    }
}

/// The query node Deployment as reported by the API server.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObservedQueryNodes {
    pub wanted: i32,
    pub ready: i32,
    pub updated: i32,
    pub rolled_out: bool,
}

impl ObservedQueryNodes {
    /// Reads a Deployment (as returned by an apply).
    pub fn from_deployment(deploy: &Deployment) -> Self {
        let wanted = deploy.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let status = deploy.status.clone().unwrap_or_default();
        let seen =
            status.observed_generation.unwrap_or(0) >= deploy.metadata.generation.unwrap_or(0);
        let updated = status.updated_replicas.unwrap_or(0);
        let total = status.replicas.unwrap_or(0);
        Self {
            wanted,
            ready: status.ready_replicas.unwrap_or(0),
            updated,
            // Old pods still running (total > wanted) mean the rollout is not finished.
            rolled_out: seen && updated >= wanted && total <= wanted,
        }
    }
}

/// Everything the status is computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    pub shards: Vec<ObservedShard>,
    pub query_nodes: ObservedQueryNodes,
    /// Shards the rendered node config routes to; `None` = all of them.
    pub serving_shards: Option<i32>,
}

fn condition(
    type_: ConditionType,
    ok: bool,
    reason: ConditionReason,
    message: String,
    generation: Option<i64>,
    previous: Option<&DocFusionClusterStatus>,
    now: &Time,
) -> Condition {
    let status = if ok { "True" } else { "False" };
    // The transition time moves only when the status flips.
    let last_transition_time = previous
        .and_then(|p| p.condition(type_))
        .filter(|c| c.status == status)
        .map(|c| c.last_transition_time.clone())
        .unwrap_or_else(|| now.clone());
    Condition {
        type_: type_.as_str().into(),
        status: status.into(),
        reason: reason.as_str().into(),
        message,
        observed_generation: generation,
        last_transition_time,
    }
}

/// The status of `cluster` given what its children report. `previous` keeps transition
/// times stable and tells a first start from a later outage.
pub fn compute_status(
    cluster: &DocFusionCluster,
    names: &ClusterNames,
    observed: &Observed,
    previous: Option<&DocFusionClusterStatus>,
    credentials_secret: &str,
    now: Time,
) -> DocFusionClusterStatus {
    let generation = cluster.metadata.generation;
    let hibernate = cluster.spec.hibernate;
    let count = cluster.spec.shards.count;
    let serving = observed.serving_shards.unwrap_or(count).min(count);
    let shards: Vec<ShardStatus> = observed
        .shards
        .iter()
        .map(|s| ShardStatus {
            index: s.index,
            name: names.shard(s.index),
            instances: s.wanted,
            ready_instances: s.ready,
            ready: s.wanted > 0 && s.ready >= s.wanted,
            primary: names.shard_primary_host(s.index),
            serving: s.index < serving,
        })
        .collect();
    let resizing: i32 = observed.shards.iter().map(|s| s.resize.growing).sum();
    let blocked: Vec<String> = observed
        .shards
        .iter()
        .flat_map(|s| s.resize.blocked.iter().cloned())
        .collect();
    let q = &observed.query_nodes;
    let running = observed.shards.iter().map(|s| s.ready).sum::<i32>() + q.ready;
    let not_ready: Vec<String> = shards
        .iter()
        .filter(|s| !s.ready)
        .map(|s| format!("shard-{} {}/{}", s.index, s.ready_instances, s.instances))
        .collect();
    let expected_shards = usize::try_from(cluster.spec.shards.count).unwrap_or(0);
    let shards_ready = !hibernate && shards.len() == expected_shards && not_ready.is_empty();
    let nodes_ready = !hibernate && q.ready >= q.wanted && q.rolled_out;
    let ready = shards_ready && nodes_ready;
    let rolling = observed.shards.iter().any(|s| !s.rolled_out) || !q.rolled_out;
    let previous_phase = previous.map(|p| p.phase).unwrap_or_default();
    let first_start = matches!(
        previous_phase,
        ClusterPhase::Pending
            | ClusterPhase::Provisioning
            | ClusterPhase::Hibernating
            | ClusterPhase::Hibernated
    );
    let c = |t, ok, r, m: String| condition(t, ok, r, m, generation, previous, &now);
    use ConditionReason as R;
    use ConditionType as T;
    let (conditions, phase) = if hibernate {
        let done = running == 0;
        let reason = if done {
            R::ScaledToZero
        } else {
            R::ScalingToZero
        };
        let message = format!("{running} pods still running");
        (
            vec![
                c(
                    T::Ready,
                    false,
                    R::Hibernating,
                    "hibernated on request".into(),
                ),
                c(
                    T::ShardsReady,
                    false,
                    R::Hibernating,
                    "hibernated on request".into(),
                ),
                c(
                    T::QueryNodesReady,
                    false,
                    R::Hibernating,
                    "hibernated on request".into(),
                ),
                c(
                    T::Progressing,
                    !done,
                    if done { R::Stable } else { R::ScalingToZero },
                    message.clone(),
                ),
                c(T::Degraded, false, R::Stable, String::new()),
                c(T::Hibernated, done, reason, message),
            ],
            if done {
                ClusterPhase::Hibernated
            } else {
                ClusterPhase::Hibernating
            },
        )
    } else {
        let rebalance_pending = serving < count;
        let shard_message = if shards_ready && rebalance_pending {
            format!(
                "{} shards ready; shards {serving}..{} hold no documents: rebalancing is not implemented yet, so the query nodes route to shards 0..{} only (annotation {}=\"true\" routes to all, for clusters without data)",
                shards.len(),
                count - 1,
                serving - 1,
                docfusion_crds::ROUTE_TO_ALL_SHARDS_ANNOTATION
            )
        } else if shards_ready {
            format!("{} shards ready", shards.len())
        } else if shards.len() != expected_shards {
            format!("{} of {expected_shards} shards observed", shards.len())
        } else {
            format!("not ready: {}", not_ready.join(", "))
        };
        let node_message = format!("{}/{} query nodes ready", q.ready, q.wanted);
        let progressing_reason = if ready {
            if resizing > 0 {
                R::ResizingVolumes
            } else {
                R::Stable
            }
        } else if first_start {
            R::Creating
        } else if rolling {
            R::RollingOut
        } else if resizing > 0 {
            R::ResizingVolumes
        } else {
            R::Stable
        };
        let progressing = progressing_reason != R::Stable;
        // Like a Deployment's ProgressDeadlineExceeded: not progressing, and why.
        let (progressing_reason, progressing_message) = match (progressing, blocked.is_empty()) {
            (false, false) => (R::VolumeExpansionNotAllowed, blocked.join("; ")),
            (true, _) if progressing_reason == R::ResizingVolumes => (
                progressing_reason,
                format!(
                    "{resizing} volumes growing to {}",
                    cluster.spec.shards.storage.size.0
                ),
            ),
            _ => (progressing_reason, String::new()),
        };
        let degraded = !ready && !progressing;
        let phase = if ready && !progressing {
            ClusterPhase::Ready
        } else if progressing_reason == R::Creating {
            ClusterPhase::Provisioning
        } else if progressing {
            ClusterPhase::Updating
        } else {
            ClusterPhase::Degraded
        };
        (
            vec![
                c(
                    T::Ready,
                    ready,
                    if ready {
                        R::AllReady
                    } else if !shards_ready {
                        R::ShardsNotReady
                    } else {
                        R::QueryNodesNotReady
                    },
                    format!("{shard_message}; {node_message}"),
                ),
                c(
                    T::ShardsReady,
                    shards_ready,
                    if shards_ready && rebalance_pending {
                        R::RebalancePending
                    } else if shards_ready {
                        R::AllReady
                    } else {
                        R::ShardsNotReady
                    },
                    shard_message,
                ),
                c(
                    T::QueryNodesReady,
                    nodes_ready,
                    if nodes_ready {
                        R::AllReady
                    } else {
                        R::QueryNodesNotReady
                    },
                    node_message,
                ),
                c(
                    T::Progressing,
                    progressing,
                    progressing_reason,
                    progressing_message,
                ),
                c(
                    T::Degraded,
                    degraded,
                    if degraded {
                        R::InstancesUnavailable
                    } else {
                        R::Stable
                    },
                    if degraded {
                        "instances are not ready and no rollout explains it".into()
                    } else {
                        String::new()
                    },
                ),
                c(T::Hibernated, false, R::Running, String::new()),
            ],
            phase,
        )
    };
    DocFusionClusterStatus {
        phase,
        observed_generation: generation,
        conditions,
        shards,
        query_nodes: QueryNodesStatus {
            replicas: q.wanted,
            ready_replicas: q.ready,
            selector: names.selector_string(Component::QueryNode),
        },
        endpoint: Some(names.endpoint()),
        credentials_secret: Some(credentials_secret.to_string()),
        serving_shards: Some(serving),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::test_cluster::{TWO_SHARDS, cluster};
    use k8s_openapi::jiff::Timestamp;

    fn at(seconds: i64) -> Time {
        Time(Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH))
    }
    fn names() -> ClusterNames {
        ClusterNames::new("orders", "shop")
    }
    fn shard(index: i32, wanted: i32, ready: i32) -> ObservedShard {
        ObservedShard {
            index,
            wanted,
            ready,
            updated: wanted,
            rolled_out: true,
            resize: ResizeState::default(),
        }
    }
    fn nodes(wanted: i32, ready: i32) -> ObservedQueryNodes {
        ObservedQueryNodes {
            wanted,
            ready,
            updated: wanted,
            rolled_out: true,
        }
    }
    fn reason(s: &DocFusionClusterStatus, t: ConditionType) -> (String, String) {
        let c = s.condition(t).expect("condition present");
        (c.status.clone(), c.reason.clone())
    }

    #[test]
    fn fresh_cluster_is_provisioning_until_everything_is_ready() {
        let c = cluster(TWO_SHARDS);
        let observed = Observed {
            shards: vec![shard(0, 1, 1), shard(1, 1, 0)],
            query_nodes: nodes(2, 0),
            serving_shards: None,
        };
        let s = compute_status(&c, &names(), &observed, None, "orders-credentials", at(10));
        assert_eq!(s.phase, ClusterPhase::Provisioning);
        assert_eq!(
            reason(&s, ConditionType::Ready),
            ("False".into(), "ShardsNotReady".into())
        );
        assert_eq!(
            reason(&s, ConditionType::Progressing),
            ("True".into(), "Creating".into())
        );
        assert_eq!(reason(&s, ConditionType::Degraded).0, "False");
        assert!(
            s.condition(ConditionType::ShardsReady)
                .is_some_and(|c| c.message.contains("shard-1 0/1"))
        );
        assert!(!s.shards[1].ready);
        assert_eq!(
            s.shards[0].primary,
            "orders-shard-0-0.orders-shard-0.shop.svc"
        );
        assert_eq!(s.endpoint.as_deref(), Some("orders.shop.svc:5433"));
        assert_eq!(s.observed_generation, Some(1));
        assert_eq!(s.conditions.len(), 6);
    }

    #[test]
    fn all_ready_is_ready_and_transition_times_only_move_on_flips() {
        let c = cluster(TWO_SHARDS);
        let observed = Observed {
            shards: vec![shard(0, 1, 1), shard(1, 1, 1)],
            query_nodes: nodes(2, 2),
            serving_shards: None,
        };
        let first = compute_status(&c, &names(), &observed, None, "s", at(10));
        assert_eq!(first.phase, ClusterPhase::Ready);
        assert!(first.is_true(ConditionType::Ready));
        assert_eq!(first.query_nodes.ready_replicas, 2);
        let second = compute_status(&c, &names(), &observed, Some(&first), "s", at(99));
        let t = |s: &DocFusionClusterStatus| {
            s.condition(ConditionType::Ready)
                .map(|c| c.last_transition_time.clone())
        };
        assert_eq!(
            t(&second),
            Some(at(10)),
            "unchanged status keeps its transition time"
        );
        let broken = Observed {
            shards: vec![shard(0, 1, 0), shard(1, 1, 1)],
            query_nodes: nodes(2, 2),
            serving_shards: None,
        };
        let third = compute_status(&c, &names(), &broken, Some(&second), "s", at(200));
        assert_eq!(t(&third), Some(at(200)));
    }

    #[test]
    fn an_outage_after_ready_is_degraded_but_a_rollout_is_updating() {
        let c = cluster(TWO_SHARDS);
        let ok = Observed {
            shards: vec![shard(0, 1, 1), shard(1, 1, 1)],
            query_nodes: nodes(2, 2),
            serving_shards: None,
        };
        let ready = compute_status(&c, &names(), &ok, None, "s", at(1));
        let outage = Observed {
            shards: vec![shard(0, 1, 1), shard(1, 1, 0)],
            query_nodes: nodes(2, 2),
            serving_shards: None,
        };
        let s = compute_status(&c, &names(), &outage, Some(&ready), "s", at(2));
        assert_eq!(s.phase, ClusterPhase::Degraded);
        assert_eq!(
            reason(&s, ConditionType::Degraded),
            ("True".into(), "InstancesUnavailable".into())
        );
        let mut rolling = outage.clone();
        rolling.query_nodes = ObservedQueryNodes {
            wanted: 2,
            ready: 1,
            updated: 1,
            rolled_out: false,
        };
        rolling.shards[1] = shard(1, 1, 1);
        let s = compute_status(&c, &names(), &rolling, Some(&ready), "s", at(3));
        assert_eq!(s.phase, ClusterPhase::Updating);
        assert_eq!(
            reason(&s, ConditionType::Progressing),
            ("True".into(), "RollingOut".into())
        );
        assert_eq!(reason(&s, ConditionType::QueryNodesReady).0, "False");
        assert_eq!(reason(&s, ConditionType::Degraded).0, "False");
    }

    #[test]
    fn grown_shards_are_provisioned_but_the_status_says_they_hold_no_documents() {
        let c = cluster("shards: {count: 4, storage: {size: 1Gi}}");
        let observed = Observed {
            shards: (0..4).map(|i| shard(i, 1, 1)).collect(),
            query_nodes: nodes(2, 2),
            serving_shards: Some(2),
        };
        let s = compute_status(&c, &names(), &observed, None, "s", at(1));
        assert_eq!(s.phase, ClusterPhase::Ready);
        assert_eq!(s.serving_shards, Some(2));
        assert_eq!(
            reason(&s, ConditionType::ShardsReady),
            ("True".into(), "RebalancePending".into())
        );
        let message = &s.condition(ConditionType::ShardsReady).expect("c").message;
        assert!(
            message.contains("shards 2..3 hold no documents"),
            "{message}"
        );
        assert!(message.contains("route to shards 0..1"), "{message}");
        let serving: Vec<bool> = s.shards.iter().map(|s| s.serving).collect();
        assert_eq!(serving, [true, true, false, false]);
        let all = Observed {
            serving_shards: None,
            ..observed
        };
        let s = compute_status(&c, &names(), &all, None, "s", at(1));
        assert_eq!(s.serving_shards, Some(4));
        assert_eq!(reason(&s, ConditionType::ShardsReady).1, "AllReady");
    }

    #[test]
    fn growing_volumes_are_progress_and_blocked_ones_say_why() {
        let c = cluster(TWO_SHARDS);
        let mut observed = Observed {
            shards: vec![shard(0, 1, 1), shard(1, 1, 1)],
            query_nodes: nodes(2, 2),
            serving_shards: None,
        };
        let ready = compute_status(&c, &names(), &observed, None, "s", at(1));
        observed.shards[1].resize = ResizeState {
            growing: 1,
            blocked: vec![],
        };
        let s = compute_status(&c, &names(), &observed, Some(&ready), "s", at(2));
        assert_eq!(
            reason(&s, ConditionType::Progressing),
            ("True".into(), "ResizingVolumes".into())
        );
        assert!(
            s.is_true(ConditionType::Ready),
            "resizing online keeps serving"
        );
        assert_eq!(s.phase, ClusterPhase::Updating);
        observed.shards[1].resize = ResizeState {
            growing: 0,
            blocked: vec![
                "data-orders-shard-1-0: StorageClass standard does not allow volume expansion"
                    .into(),
            ],
        };
        let s = compute_status(&c, &names(), &observed, Some(&ready), "s", at(3));
        assert_eq!(
            reason(&s, ConditionType::Progressing),
            ("False".into(), "VolumeExpansionNotAllowed".into())
        );
        assert!(
            s.condition(ConditionType::Progressing)
                .is_some_and(|c| c.message.contains("StorageClass standard"))
        );
        assert_eq!(s.phase, ClusterPhase::Ready);
        assert_eq!(reason(&s, ConditionType::Degraded).0, "False");
    }

    #[test]
    fn hibernation_reports_hibernating_then_hibernated() {
        let c = cluster("{hibernate: true, shards: {count: 1, storage: {size: 1Gi}}}");
        let stopping = Observed {
            shards: vec![shard(0, 0, 1)],
            query_nodes: nodes(0, 1),
            serving_shards: None,
        };
        let s = compute_status(&c, &names(), &stopping, None, "s", at(1));
        assert_eq!(s.phase, ClusterPhase::Hibernating);
        assert_eq!(
            reason(&s, ConditionType::Hibernated),
            ("False".into(), "ScalingToZero".into())
        );
        let stopped = Observed {
            shards: vec![shard(0, 0, 0)],
            query_nodes: nodes(0, 0),
            serving_shards: None,
        };
        let s = compute_status(&c, &names(), &stopped, Some(&s), "s", at(2));
        assert_eq!(s.phase, ClusterPhase::Hibernated);
        assert_eq!(
            reason(&s, ConditionType::Hibernated),
            ("True".into(), "ScaledToZero".into())
        );
        assert_eq!(
            reason(&s, ConditionType::Ready),
            ("False".into(), "Hibernating".into())
        );
    }

    #[test]
    fn children_are_read_from_their_api_status() {
        let sts: StatefulSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "orders-shard-0", "generation": 2},
            "spec": {"replicas": 2, "serviceName": "x", "selector": {}, "template": {}},
            "status": {"replicas": 2, "readyReplicas": 1, "updatedReplicas": 2, "observedGeneration": 2,
                       "currentRevision": "a", "updateRevision": "a"}
        })).expect("sts");
        let shard = ObservedShard::from_statefulset(0, &sts);
        assert_eq!((shard.wanted, shard.ready, shard.rolled_out), (2, 1, true));
        let deploy: Deployment = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "orders-query", "generation": 3},
            "spec": {"replicas": 2, "selector": {}, "template": {}},
            "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 1, "observedGeneration": 3}
        })).expect("deploy");
        let q = ObservedQueryNodes::from_deployment(&deploy);
        assert_eq!((q.wanted, q.ready, q.rolled_out), (2, 2, false));
    }
}
