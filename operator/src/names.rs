//! Names and labels of every object the operator creates for a cluster, in one place so
//! builders, status and cleanup agree.

use std::collections::BTreeMap;

/// The field manager of every server-side apply.
pub const FIELD_MANAGER: &str = "docfusion-operator";
/// The finalizer that keeps a cluster until its cleanup ran.
pub const FINALIZER: &str = "docfusion.io/cleanup";
/// Pod template annotation carrying the hash of the rendered node config.
pub const CONFIG_HASH_ANNOTATION: &str = "docfusion.io/config-hash";
/// The key of the node config file inside its ConfigMap.
pub const NODE_CONFIG_KEY: &str = "docfusiondb.yaml";
/// Where the query node reads its config file.
pub const NODE_CONFIG_DIR: &str = "/etc/docfusion";
/// Where the client TLS Secret is mounted in query nodes (not under the read-only config
/// mount: a mount point cannot be created inside it).
pub const TLS_DIR: &str = "/etc/docfusion-tls";
/// Postgres database holding the collections.
pub const DATABASE: &str = "docfusion";
/// The role the operator generates credentials for.
pub const DEFAULT_USERNAME: &str = "docfusion";
/// The user clients log in to the query nodes with when the operator generates it.
pub const DEFAULT_CLIENT_USERNAME: &str = "docfusion";
/// Postgres port of the shards.
pub const POSTGRES_PORT: i32 = 5432;
/// Postgres wire protocol port of the query nodes.
pub const QUERY_PG_PORT: i32 = 5433;
/// HTTP port of the query nodes (`/v1/sql`, `/metrics`, `/healthz`, `/readyz`).
pub const QUERY_HTTP_PORT: i32 = 8433;
/// postgres-exporter port.
pub const EXPORTER_PORT: i32 = 9187;

/// Label keys.
pub const LABEL_NAME: &str = "app.kubernetes.io/name";
pub const LABEL_INSTANCE: &str = "app.kubernetes.io/instance";
pub const LABEL_COMPONENT: &str = "app.kubernetes.io/component";
pub const LABEL_MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const LABEL_SHARD: &str = "docfusion.io/shard";

/// Which part of a cluster an object belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Shard,
    QueryNode,
}

impl Component {
    fn as_str(self) -> &'static str {
        match self {
            Component::Shard => "shard",
            Component::QueryNode => "query-node",
        }
    }
}

/// The names of one cluster's objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterNames {
    pub cluster: String,
    pub namespace: String,
}

impl ClusterNames {
    pub fn new(cluster: impl Into<String>, namespace: impl Into<String>) -> Self {
        Self {
            cluster: cluster.into(),
            namespace: namespace.into(),
        }
    }
    /// StatefulSet, headless Service and PDB of shard `index`.
    pub fn shard(&self, index: i32) -> String {
        format!("{}-shard-{index}", self.cluster)
    }
    /// DNS name of shard `index`'s primary (ordinal 0 of its StatefulSet).
    pub fn shard_primary_host(&self, index: i32) -> String {
        let shard = self.shard(index);
        format!("{shard}-0.{shard}.{}.svc", self.namespace)
    }
    /// Query node Deployment and PDB.
    pub fn query_nodes(&self) -> String {
        format!("{}-query", self.cluster)
    }
    /// The client Service (Postgres protocol and HTTP).
    pub fn client_service(&self) -> String {
        self.cluster.clone()
    }
    /// The client endpoint reported in status.
    pub fn endpoint(&self) -> String {
        format!(
            "{}.{}.svc:{QUERY_PG_PORT}",
            self.client_service(),
            self.namespace
        )
    }
    /// ConfigMap with the query node config file.
    pub fn node_config(&self) -> String {
        format!("{}-node-config", self.cluster)
    }
    /// ConfigMap with the shards' `pg_hba.conf`.
    pub fn postgres_config(&self) -> String {
        format!("{}-postgres-config", self.cluster)
    }
    /// The generated credentials Secret.
    pub fn generated_credentials(&self) -> String {
        format!("{}-credentials", self.cluster)
    }
    /// The generated Secret with the credentials clients log in to the query nodes with.
    pub fn generated_client_credentials(&self) -> String {
        format!("{}-client", self.cluster)
    }
    /// NetworkPolicy guarding the shards.
    pub fn shard_network_policy(&self) -> String {
        format!("{}-shards", self.cluster)
    }
    /// ServiceMonitor of the query nodes / PodMonitor of the shards.
    pub fn monitor(&self) -> String {
        self.cluster.clone()
    }

    /// Labels of every object of this cluster.
    pub fn cluster_labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (LABEL_NAME.to_string(), "docfusiondb".to_string()),
            (LABEL_INSTANCE.to_string(), self.cluster.clone()),
            (
                LABEL_MANAGED_BY.to_string(),
                "docfusion-operator".to_string(),
            ),
        ])
    }
    /// Selector labels of a component's pods (stable: never change them on a live cluster).
    pub fn selector(&self, component: Component) -> BTreeMap<String, String> {
        BTreeMap::from([
            (LABEL_NAME.to_string(), "docfusiondb".to_string()),
            (LABEL_INSTANCE.to_string(), self.cluster.clone()),
            (LABEL_COMPONENT.to_string(), component.as_str().to_string()),
        ])
    }
    /// Selector labels of shard `index`'s pods.
    pub fn shard_selector(&self, index: i32) -> BTreeMap<String, String> {
        let mut labels = self.selector(Component::Shard);
        labels.insert(LABEL_SHARD.to_string(), index.to_string());
        labels
    }
    /// All labels of an object of `component` (selector plus cluster labels).
    pub fn labels(&self, component: Component) -> BTreeMap<String, String> {
        let mut labels = self.cluster_labels();
        labels.extend(self.selector(component));
        labels
    }
    /// The selector as a string, for the scale subresource.
    pub fn selector_string(&self, component: Component) -> String {
        self.selector(component)
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}
