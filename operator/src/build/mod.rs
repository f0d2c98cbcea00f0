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
        Ok(Self {
            cluster,
            names,
            owner,
            credentials_secret,
            username: username.into(),
        })
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
}
