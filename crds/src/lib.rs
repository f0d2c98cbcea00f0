//! The `DocFusionCluster` custom resource (`docfusion.io/v1alpha1`): the API a platform team
//! writes, the status the operator reports, and the CRD generated from both.

pub mod cluster;
pub mod crd_yaml;
pub mod status;

pub use cluster::{
    AuthSpec, DeletionPolicy, DocFusionCluster, DocFusionClusterSpec, MonitoringSpec, PostgresSpec,
    QueryNodeConfigOverrides, QueryNodesSpec, ROUTE_TO_ALL_SHARDS_ANNOTATION, ShardOverride,
    ShardsSpec, StorageSpec, TlsMode, TlsSpec,
};
pub use status::{
    ClusterPhase, ConditionReason, ConditionType, DocFusionClusterStatus, QueryNodesStatus,
    ShardStatus,
};

/// The API group of every DocFusionDB custom resource.
pub const GROUP: &str = "docfusion.io";
