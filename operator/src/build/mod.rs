//! Pure builders: from a `DocFusionCluster` to the exact objects it needs. No I/O here, so
//! every decision is tested without an API server.

pub mod config;
pub mod monitor;
pub mod network;
pub mod query;
pub mod secret;
pub mod shard;

use std::collections::BTreeMap;

use docfusion_crds::DocFusionCluster;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::{Resource, ResourceExt};

use crate::names::{ClusterNames, Component};
use crate::{Error, Result};

/// What every builder needs to know about the cluster besides its spec.
#[derive(Debug, Clone)]
pub struct BuildContext<'a> {
    pub cluster: &'a DocFusionCluster,
    pub names: ClusterNames,
    pub owner: OwnerReference,
    /// The Secret holding `username`/`password` (generated or user-provided).
    pub credentials_secret: String,
    /// The Postgres role the query nodes log in as.
    pub username: String,
    /// The user clients log in to the query nodes with; required to render the node config.
    pub client: Option<secret::ClientAuth>,
    /// The Secret holding the client credentials.
    pub client_secret: String,
    /// Shards the query nodes route documents to (`0..serving_shards`).
    pub serving_shards: i32,
}

impl<'a> BuildContext<'a> {
    /// Fails when the object lacks what the API server always sets (name, namespace, uid).
    pub fn new(cluster: &'a DocFusionCluster, username: impl Into<String>) -> Result<Self> {
        let namespace = cluster
            .namespace()
            .ok_or(Error::MissingField("metadata.namespace"))?;
        let name = cluster
            .meta()
            .name
            .clone()
            .ok_or(Error::MissingField("metadata.name"))?;
        let owner = cluster
            .controller_owner_ref(&())
            .ok_or(Error::MissingField("metadata.uid"))?;
        let names = ClusterNames::new(name, namespace);
        let credentials_secret = cluster
            .spec
            .auth
            .credentials_secret
            .clone()
            .unwrap_or_else(|| names.generated_credentials());
        let client_secret = cluster
            .spec
            .auth
            .client_secret
            .clone()
            .unwrap_or_else(|| names.generated_client_credentials());
        Ok(Self {
            cluster,
            names,
            owner,
            credentials_secret,
            username: username.into(),
            client: None,
            client_secret,
            serving_shards: serving_shards(cluster),
        })
    }

    /// The same context with the client user the node config renders.
    pub fn with_client(mut self, client: secret::ClientAuth) -> Self {
        self.client = Some(client);
        self
    }

    /// Metadata of a child object: name, namespace, labels, controller owner reference.
    pub fn meta(&self, name: String, labels: BTreeMap<String, String>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name),
            namespace: Some(self.names.namespace.clone()),
            labels: Some(labels),
            owner_references: Some(vec![self.owner.clone()]),
            ..ObjectMeta::default()
        }
    }

    /// Metadata with the standard labels of `component`.
    pub fn component_meta(&self, name: String, component: Component) -> ObjectMeta {
        self.meta(name, self.names.labels(component))
    }

    /// Whether the cluster is asked to hibernate.
    pub fn hibernated(&self) -> bool {
        self.cluster.spec.hibernate
    }
}

/// How many shards the query nodes route documents to. The node's shard map spreads hash
/// slots evenly over the shards it is given, so handing it more shards would move documents'
/// slots to shards that do not hold them. Until a rebalance exists, growing
/// `spec.shards.count` provisions the new shards but keeps routing to the ones that served
/// before (remembered in `status.servingShards`), unless the cluster carries the
/// `docfusion.io/route-to-all-shards: "true"` annotation.
pub fn serving_shards(cluster: &DocFusionCluster) -> i32 {
    let count = cluster.spec.shards.count.max(1);
    let route_all = cluster
        .annotations()
        .get(docfusion_crds::ROUTE_TO_ALL_SHARDS_ANNOTATION)
        .is_some_and(|v| v == "true");
    if route_all {
        return count;
    }
    // A new cluster, or one whose status predates the field (older operators rendered every
    // shard), serves all of its shards.
    cluster
        .status
        .as_ref()
        .and_then(|s| s.serving_shards)
        .map_or(count, |n| n.clamp(1, count))
}

#[cfg(test)]
pub(crate) mod test_cluster {
    use docfusion_crds::{DocFusionCluster, DocFusionClusterSpec};

    /// A cluster as the API server would hand it over (namespace, uid, generation set).
    pub fn cluster(spec_yaml: &str) -> DocFusionCluster {
        let spec: DocFusionClusterSpec =
            serde_yaml_ng::from_str(spec_yaml).unwrap_or_else(|e| panic!("bad test spec: {e}"));
        let mut cluster = DocFusionCluster::new("orders", spec);
        cluster.metadata.namespace = Some("shop".into());
        cluster.metadata.uid = Some("0b7c6a3e-1111-4c2a-9d1e-000000000001".into());
        cluster.metadata.generation = Some(1);
        cluster
    }

    pub const TWO_SHARDS: &str = "shards: {count: 2, storage: {size: 10Gi}}";

    /// A client user with a fixed password and salt, as the controller would pass it.
    pub fn client() -> super::secret::ClientAuth {
        let creds = super::secret::ClientCredentials {
            username: "app".into(),
            password: "app-password".into(),
            token: Some("app-token".into()),
            salt: Some(b"0123456789abcdef".to_vec()),
        };
        super::secret::client_auth(&creds, "uid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docfusion_crds::DocFusionClusterStatus;

    #[test]
    fn new_clusters_serve_every_shard_and_growth_keeps_the_old_count() {
        let mut c = test_cluster::cluster("shards: {count: 4, storage: {size: 1Gi}}");
        assert_eq!(serving_shards(&c), 4, "new cluster");
        c.status = Some(DocFusionClusterStatus::default());
        assert_eq!(serving_shards(&c), 4, "status from an older operator");
        c.status = Some(DocFusionClusterStatus {
            serving_shards: Some(2),
            ..Default::default()
        });
        assert_eq!(serving_shards(&c), 2, "grown from 2 to 4: still 2");
        c.annotations_mut().insert(
            docfusion_crds::ROUTE_TO_ALL_SHARDS_ANNOTATION.into(),
            "true".into(),
        );
        assert_eq!(serving_shards(&c), 4, "the annotation routes to all");
    }
}
