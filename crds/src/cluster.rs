//! `DocFusionCluster.spec`: what a user declares — Postgres shards, query nodes, auth, TLS,
//! monitoring, billing identity, data retention and hibernation — with the CEL rules the
//! apiserver enforces on create and update.

// kube's `printcolumn(...)` repeats keys such as `type_` per column, which clippy mistakes
// for duplicated attributes.
#![allow(clippy::duplicated_attributes)]

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Affinity, ResourceRequirements, TopologySpreadConstraint};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::status::DocFusionClusterStatus;

/// Default Postgres image of the shards.
pub const DEFAULT_POSTGRES_IMAGE: &str = "postgres:17.6";
/// Default query node image.
pub const DEFAULT_QUERY_NODE_IMAGE: &str = "ghcr.io/docfusiondb/docfusiondb:0.1.0";
/// Most shards one cluster may declare (the shard map's slot count divides evenly up to here).
pub const MAX_SHARDS: i32 = 64;

/// A DocFusionDB cluster: sharded Postgres plus DataFusion query nodes.
#[derive(CustomResource, Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
#[kube(
    group = "docfusion.io",
    version = "v1alpha1",
    kind = "DocFusionCluster",
    plural = "docfusionclusters",
    singular = "docfusioncluster",
    shortname = "dfc",
    category = "docfusion",
    namespaced,
    status = "DocFusionClusterStatus",
    derive = "PartialEq",
    doc = "A DocFusionDB cluster: Postgres shards holding jsonb documents and DataFusion query nodes in front of them.",
    printcolumn(
        name = "Shards",
        type_ = "integer",
        description = "Number of Postgres shards",
        json_path = ".spec.shards.count"
    ),
    printcolumn(
        name = "Query nodes",
        type_ = "integer",
        description = "Desired query node replicas",
        json_path = ".spec.queryNodes.replicas"
    ),
    printcolumn(
        name = "Ready",
        type_ = "string",
        description = "Whether every shard and query node is ready",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "Phase",
        type_ = "string",
        description = "Lifecycle phase",
        json_path = ".status.phase"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    ),
    scale(
        spec_replicas_path = ".spec.queryNodes.replicas",
        status_replicas_path = ".status.queryNodes.readyReplicas",
        label_selector_path = ".status.queryNodes.selector"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "!has(self.tenant) || has(self.plan)",
        "message": "spec.plan is required when spec.tenant is set (billing needs both)"
    }
]))]
pub struct DocFusionClusterSpec {
    /// The Postgres shards that hold the documents.
    pub shards: ShardsSpec,
    /// The query nodes clients connect to.
    #[serde(default)]
    pub query_nodes: QueryNodesSpec,
    /// Credentials; generated into a Secret when no existing Secret is named.
    #[serde(default)]
    pub auth: AuthSpec,
    /// TLS for client connections to the query nodes.
    #[serde(default)]
    pub tls: TlsSpec,
    /// Prometheus Operator monitors.
    #[serde(default)]
    pub monitoring: MonitoringSpec,
    /// The billing plan of the hosted tier (e.g. `starter`, `pro`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The tenant this cluster is billed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub tenant: Option<String>,
    /// What happens to the shards' volumes when the cluster is deleted.
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,
    /// Scale every shard and query node to zero, keeping all volumes and Secrets.
    #[serde(default)]
    pub hibernate: bool,
}

/// The Postgres shards.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "self.count >= oldSelf.count",
        "message": "shards.count may only grow: removing a shard would drop its documents",
        "reason": "FieldValueForbidden"
    },
    {
        "rule": "!has(self.overrides) || self.overrides.all(o, o.index < self.count)",
        "message": "every shards.overrides[].index must be below shards.count"
    }
]))]
pub struct ShardsSpec {
    /// Number of shards. May only grow.
    #[schemars(range(min = 1, max = 64))]
    pub count: i32,
    /// Streaming replicas per shard, in addition to the primary (0 = primary only).
    #[serde(default)]
    #[schemars(range(min = 0, max = 5))]
    pub replicas: i32,
    /// The persistent volume of each Postgres instance.
    pub storage: StorageSpec,
    /// CPU and memory of each Postgres container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Postgres image and settings.
    #[serde(default)]
    pub postgres: PostgresSpec,
    /// Scheduling constraints of the shard pods; replaces the default anti-affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// How shard pods spread across zones or nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topology_spread_constraints: Vec<TopologySpreadConstraint>,
    /// Settings for individual shards, by shard index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["index"]))]
    pub overrides: Vec<ShardOverride>,
}

/// A persistent volume request.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "quantity(self.size).isGreaterThan(quantity('0'))",
        "message": "storage.size must be positive"
    },
    {
        "rule": "!quantity(self.size).isLessThan(quantity(oldSelf.size))",
        "message": "storage.size may not shrink (volumes can only be expanded)"
    }
]))]
pub struct StorageSpec {
    /// Volume size, e.g. `10Gi`.
    #[schemars(schema_with = "quantity_string")]
    pub size: Quantity,
    /// StorageClass of the volumes; the cluster default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

/// The Postgres server of every shard instance.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "!has(self.parameters) || !('wal_level' in self.parameters) || self.parameters['wal_level'] == 'logical'",
        "message": "postgres.parameters.wal_level must stay 'logical': the change feed uses logical decoding"
    },
    {
        "rule": "!has(self.parameters) || !('max_prepared_transactions' in self.parameters) || int(self.parameters['max_prepared_transactions']) > 0",
        "message": "postgres.parameters.max_prepared_transactions must be > 0: multi-shard writes use two-phase commit"
    }
]))]
pub struct PostgresSpec {
    /// Postgres container image (14 or newer).
    #[serde(default = "default_postgres_image")]
    pub image: String,
    /// `postgresql.conf` settings passed as `-c key=value`; the operator's required settings
    /// (`wal_level=logical`, `max_prepared_transactions`) are added when absent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
}

/// Settings of one shard that differ from `spec.shards`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShardOverride {
    /// The shard index (0-based).
    #[schemars(range(min = 0, max = 63))]
    pub index: i32,
    /// CPU and memory of this shard's Postgres containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Extra or replaced Postgres parameters for this shard.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// Node selector for this shard's pods.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
}

/// The DataFusion query nodes.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "!has(self.replicaMemoryBudget) || quantity(self.replicaMemoryBudget).isGreaterThan(quantity('0'))",
        "message": "queryNodes.replicaMemoryBudget must be positive"
    }
]))]
pub struct QueryNodesSpec {
    /// Number of query nodes (scalable with `kubectl scale dfc/NAME --replicas=N`).
    #[serde(default = "default_query_node_replicas")]
    #[schemars(range(min = 0, max = 100))]
    pub replicas: i32,
    /// Query node container image.
    #[serde(default = "default_query_node_image")]
    pub image: String,
    /// CPU and memory of each query node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Memory the columnar replica may use on each node, e.g. `2Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "optional_quantity_string")]
    pub replica_memory_budget: Option<Quantity>,
    /// Overrides of the node config file's `limits` section.
    #[serde(default)]
    pub config: QueryNodeConfigOverrides,
}

/// Keys of the query node's config file (`limits.*`) that a cluster may override.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QueryNodeConfigOverrides {
    /// `limits.max_connections_per_shard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub max_connections_per_shard: Option<u32>,
    /// `limits.shard_connect_timeout_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub shard_connect_timeout_ms: Option<u64>,
    /// `limits.statement_timeout_ms` (0 = none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_timeout_ms: Option<u64>,
    /// `limits.batch_rows`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1_000_000))]
    pub batch_rows: Option<u32>,
    /// `limits.max_result_rows` (0 = unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_result_rows: Option<u64>,
    /// `limits.max_body_bytes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_body_bytes: Option<u64>,
    /// `limits.shutdown_grace_ms`: how long running statements may finish after SIGTERM.
    /// The pods' `terminationGracePeriodSeconds` is derived from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 600_000))]
    pub shutdown_grace_ms: Option<u64>,
}

/// Credentials: the Postgres role the query nodes use on the shards, and the user clients
/// log in to the query nodes with. Each is a Secret, generated once when not named here and
/// never overwritten.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthSpec {
    /// An existing Secret with keys `username` and `password` for the Postgres role the
    /// query nodes use on the shards (also the shards' superuser). When absent the operator
    /// generates `<cluster>-credentials` once and never overwrites it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub credentials_secret: Option<String>,
    /// An existing Secret with keys `username` and `password` that clients log in to the
    /// query nodes with (SCRAM-SHA-256 on the Postgres protocol, basic auth over HTTP), and
    /// optionally `token` (an HTTP bearer token) and `scramSalt` (base64 salt of the SCRAM
    /// verifier). When absent the operator generates `<cluster>-client` once and never
    /// overwrites it. Only a SCRAM verifier of the password reaches the node config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub client_secret: Option<String>,
}

/// TLS for client connections.
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "rule": "!self.enabled || has(self.secretName)",
        "message": "tls.secretName is required when tls.enabled is true"
    }
]))]
pub struct TlsSpec {
    /// Serve TLS to clients on the Postgres protocol.
    #[serde(default)]
    pub enabled: bool,
    /// `Require` (plaintext connections are refused) or `Allow` (TLS when the client asks).
    #[serde(default)]
    pub mode: TlsMode,
    /// A `kubernetes.io/tls` Secret (e.g. from cert-manager) mounted into the query nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
}

/// Whether the query nodes demand TLS or only offer it.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq, JsonSchema)]
pub enum TlsMode {
    /// Plaintext connections are refused.
    #[default]
    Require,
    /// TLS when the client asks for it, plaintext otherwise.
    Allow,
}

/// Prometheus Operator monitors (the CRDs of the Prometheus Operator must be installed).
#[derive(Serialize, Deserialize, Debug, Clone, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MonitoringSpec {
    /// A ServiceMonitor scraping the query nodes' `/metrics`.
    #[serde(default)]
    pub service_monitor: bool,
    /// A PodMonitor scraping a postgres-exporter sidecar added to every shard pod.
    #[serde(default)]
    pub pod_monitor: bool,
    /// The postgres-exporter image used when `podMonitor` is on.
    #[serde(default = "default_exporter_image")]
    pub exporter_image: String,
}

/// What deleting the cluster does to the shards' volumes.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq, JsonSchema)]
pub enum DeletionPolicy {
    /// Keep the PersistentVolumeClaims (the data) after the cluster is deleted.
    #[default]
    Retain,
    /// Delete the PersistentVolumeClaims with the cluster.
    Delete,
}

/// Annotation that lets the query nodes route documents to every shard of `spec.shards.count`
/// at once, accepting that documents stored under the previous shard map become unreachable
/// until they are reloaded (there is no rebalancing yet). For clusters that hold no data yet.
pub const ROUTE_TO_ALL_SHARDS_ANNOTATION: &str = "docfusion.io/route-to-all-shards";

/// Default postgres-exporter image.
pub const DEFAULT_EXPORTER_IMAGE: &str = "quay.io/prometheuscommunity/postgres-exporter:v0.17.1";

fn default_postgres_image() -> String {
    DEFAULT_POSTGRES_IMAGE.to_string()
}
fn default_query_node_image() -> String {
    DEFAULT_QUERY_NODE_IMAGE.to_string()
}
fn default_query_node_replicas() -> i32 {
    2
}
fn default_exporter_image() -> String {
    DEFAULT_EXPORTER_IMAGE.to_string()
}

fn quantity_string(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "string",
        "description": "A Kubernetes quantity such as 10Gi or 500M.",
        "x-kubernetes-validations": [
            { "rule": "isQuantity(self)", "message": "must be a quantity such as 10Gi" }
        ]
    })
}

fn optional_quantity_string(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut schema = quantity_string(g);
    schema.insert("nullable".into(), true.into());
    schema
}

impl Default for PostgresSpec {
    fn default() -> Self {
        Self {
            image: default_postgres_image(),
            parameters: BTreeMap::new(),
        }
    }
}

impl Default for QueryNodesSpec {
    fn default() -> Self {
        Self {
            replicas: default_query_node_replicas(),
            image: default_query_node_image(),
            resources: None,
            replica_memory_budget: None,
            config: QueryNodeConfigOverrides::default(),
        }
    }
}

impl ShardsSpec {
    /// Postgres instances per shard: the primary plus its streaming replicas.
    pub fn instances_per_shard(&self) -> i32 {
        1 + self.replicas.max(0)
    }

    /// The override of shard `index`, if any.
    pub fn override_for(&self, index: i32) -> Option<&ShardOverride> {
        self.overrides.iter().find(|o| o.index == index)
    }
}
