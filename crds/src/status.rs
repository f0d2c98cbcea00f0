//! `DocFusionCluster.status`: what the operator observed, written only by the operator.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The observed state of a cluster.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocFusionClusterStatus {
    /// A one-word summary of the conditions.
    #[serde(default)]
    pub phase: ClusterPhase,
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `ShardsReady`, `QueryNodesReady`, `Progressing`, `Degraded`, `Hibernated`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,
    /// One entry per shard, in index order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardStatus>,
    /// The query nodes (also the scale subresource's status).
    #[serde(default)]
    pub query_nodes: QueryNodesStatus,
    /// Where clients connect: `<host>:5433` (Postgres protocol); HTTP is on 8433.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Name of the Secret holding the credentials clients log in with (`username`,
    /// `password`, and `token` for HTTP when generated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_secret: Option<String>,
    /// How many shards the query nodes route documents to (shards `0..servingShards`). Shards
    /// added by growing `spec.shards.count` are provisioned but hold no documents until a
    /// rebalance moves hash slots onto them, which is not implemented yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serving_shards: Option<i32>,
}

/// One shard as observed.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShardStatus {
    /// Shard index.
    pub index: i32,
    /// The shard's StatefulSet.
    pub name: String,
    /// Postgres instances wanted (0 when hibernated).
    pub instances: i32,
    /// Postgres instances passing their readiness probe.
    pub ready_instances: i32,
    /// Whether every wanted instance is ready.
    pub ready: bool,
    /// The primary's address inside the cluster.
    pub primary: String,
    /// Whether the query nodes route documents to this shard (see `servingShards`).
    #[serde(default)]
    pub serving: bool,
}

/// The query nodes as observed.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueryNodesStatus {
    /// Query nodes wanted.
    #[serde(default)]
    pub replicas: i32,
    /// Query nodes passing their readiness probe.
    #[serde(default)]
    pub ready_replicas: i32,
    /// Label selector of the query node pods (for the scale subresource / HPA).
    #[serde(default)]
    pub selector: String,
}

/// A one-word summary of a cluster's state.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq, Hash, JsonSchema)]
pub enum ClusterPhase {
    /// Nothing observed yet.
    #[default]
    Pending,
    /// Created and coming up for the first time.
    Provisioning,
    /// Every shard and query node is ready.
    Ready,
    /// A spec change is rolling out.
    Updating,
    /// Something that was running is not ready and no rollout explains it.
    Degraded,
    /// Scaling to zero.
    Hibernating,
    /// Scaled to zero; data kept.
    Hibernated,
}

impl ClusterPhase {
    /// Every phase, for metrics that report a gauge per phase.
    pub const ALL: [ClusterPhase; 7] = [
        ClusterPhase::Pending,
        ClusterPhase::Provisioning,
        ClusterPhase::Ready,
        ClusterPhase::Updating,
        ClusterPhase::Degraded,
        ClusterPhase::Hibernating,
        ClusterPhase::Hibernated,
    ];

    /// The phase as written in the status.
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterPhase::Pending => "Pending",
            ClusterPhase::Provisioning => "Provisioning",
            ClusterPhase::Ready => "Ready",
            ClusterPhase::Updating => "Updating",
            ClusterPhase::Degraded => "Degraded",
            ClusterPhase::Hibernating => "Hibernating",
            ClusterPhase::Hibernated => "Hibernated",
        }
    }
}

/// The condition types a cluster reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConditionType {
    /// Every shard and query node is ready.
    Ready,
    /// Every shard has all its instances ready.
    ShardsReady,
    /// Every query node is ready and up to date.
    QueryNodesReady,
    /// A rollout or first start is under way.
    Progressing,
    /// Something that should run does not, and no rollout explains it.
    Degraded,
    /// The cluster is scaled to zero.
    Hibernated,
}

impl ConditionType {
    /// Every condition type, in the order they are reported.
    pub const ALL: [ConditionType; 6] = [
        ConditionType::Ready,
        ConditionType::ShardsReady,
        ConditionType::QueryNodesReady,
        ConditionType::Progressing,
        ConditionType::Degraded,
        ConditionType::Hibernated,
    ];

    /// The `type` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionType::Ready => "Ready",
            ConditionType::ShardsReady => "ShardsReady",
            ConditionType::QueryNodesReady => "QueryNodesReady",
            ConditionType::Progressing => "Progressing",
            ConditionType::Degraded => "Degraded",
            ConditionType::Hibernated => "Hibernated",
        }
    }
}

/// The machine-readable `reason` of a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConditionReason {
    /// Everything wanted is ready.
    AllReady,
    /// Some shard instances are not ready.
    ShardsNotReady,
    /// Some query nodes are not ready or not updated.
    QueryNodesNotReady,
    /// Children are being created for the first time.
    Creating,
    /// A spec change is being rolled out.
    RollingOut,
    /// Nothing is changing.
    Stable,
    /// Instances that were updated are not ready.
    InstancesUnavailable,
    /// Hibernation requested; pods are stopping.
    ScalingToZero,
    /// Hibernation requested and every pod is gone.
    ScaledToZero,
    /// Hibernation not requested.
    Running,
    /// The cluster is hibernated (for Ready/ShardsReady/QueryNodesReady).
    Hibernating,
    /// Shards were added but hold no documents: rebalancing is not implemented yet.
    RebalancePending,
    /// Volumes were asked to grow and have not reached the new size yet.
    ResizingVolumes,
    /// Volumes were asked to grow but their StorageClass does not allow expansion.
    VolumeExpansionNotAllowed,
}

impl ConditionReason {
    /// The `reason` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionReason::AllReady => "AllReady",
            ConditionReason::ShardsNotReady => "ShardsNotReady",
            ConditionReason::QueryNodesNotReady => "QueryNodesNotReady",
            ConditionReason::Creating => "Creating",
            ConditionReason::RollingOut => "RollingOut",
            ConditionReason::Stable => "Stable",
            ConditionReason::InstancesUnavailable => "InstancesUnavailable",
            ConditionReason::ScalingToZero => "ScalingToZero",
            ConditionReason::ScaledToZero => "ScaledToZero",
            ConditionReason::Running => "Running",
            ConditionReason::Hibernating => "Hibernating",
            ConditionReason::RebalancePending => "RebalancePending",
            ConditionReason::ResizingVolumes => "ResizingVolumes",
            ConditionReason::VolumeExpansionNotAllowed => "VolumeExpansionNotAllowed",
        }
    }
}

impl DocFusionClusterStatus {
    /// The condition of `type_`, if reported.
    pub fn condition(&self, type_: ConditionType) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.type_ == type_.as_str())
    }

    /// Whether condition `type_` is `True`.
    pub fn is_true(&self, type_: ConditionType) -> bool {
        self.condition(type_).is_some_and(|c| c.status == "True")
    }
}
