//! A dry run: every object the operator would apply for a `DocFusionCluster` read from a
//! file, as YAML documents (`docfusion-operator --render FILE`), so that users can review them
//! and CI can validate them against the Kubernetes schemas without an API server. Secrets
//! are shown as they would be generated (fresh random values).

use docfusion_crds::DocFusionCluster;
use serde::Serialize;

use crate::build::secret::{ClientCredentials, client_auth, credentials_secret, generate_password};
use crate::build::{self, BuildContext};
use crate::names::DEFAULT_USERNAME;
use crate::{Error, Result};

/// The uid a rendered cluster gets when its file has none (the API server sets it).
const PLACEHOLDER_UID: &str = "00000000-0000-4000-8000-000000000000";

fn value<T: Serialize>(kind: &'static str, object: &T) -> Result<serde_json::Value> {
    serde_json::to_value(object).map_err(|source| Error::Serialize { kind, source })
}

/// The objects of `cluster` in the order the reconciler applies them.
pub fn render(cluster: &DocFusionCluster) -> Result<Vec<serde_json::Value>> {
    let mut cluster = cluster.clone();
    let meta = &mut cluster.metadata;
    meta.namespace.get_or_insert_with(|| "default".to_string());
    meta.uid.get_or_insert_with(|| PLACEHOLDER_UID.to_string());
    let uid = meta.uid.clone().unwrap_or_default();
    let creds = ClientCredentials::generate();
    let ctx = BuildContext::new(&cluster, DEFAULT_USERNAME)?.with_client(client_auth(&creds, &uid));
    let mut objects = Vec::new();
    if cluster.spec.auth.credentials_secret.is_none() {
        objects.push(value(
            "Secret",
            &credentials_secret(&ctx, &generate_password()),
        )?);
    }
    if cluster.spec.auth.client_secret.is_none() {
        objects.push(value(
            "Secret",
            &build::secret::client_secret(&ctx, &creds),
        )?);
    }
    objects.push(value(
        "ConfigMap",
        &build::config::postgres_config_map(&ctx),
    )?);
    let (node_config, hash) = build::config::node_config_map(&ctx)?;
    objects.push(value("ConfigMap", &node_config)?);
    for index in 0..cluster.spec.shards.count {
        objects.push(value(
            "Service",
            &build::shard::headless_service(&ctx, index),
        )?);
        objects.push(value(
            "StatefulSet",
            &build::shard::statefulset(&ctx, index, None),
        )?);
        if let Some(pdb) = build::shard::disruption_budget(&ctx, index) {
            objects.push(value("PodDisruptionBudget", &pdb)?);
        }
    }
    objects.push(value("Deployment", &build::query::deployment(&ctx, &hash))?);
    objects.push(value("Service", &build::query::client_service(&ctx))?);
    if let Some(pdb) = build::query::disruption_budget(&ctx) {
        objects.push(value("PodDisruptionBudget", &pdb)?);
    }
    objects.push(value(
        "NetworkPolicy",
        &build::network::shard_network_policy(&ctx),
    )?);
    for monitor in [
        build::monitor::service_monitor(&ctx),
        build::monitor::pod_monitor(&ctx),
    ]
    .into_iter()
    .flatten()
    {
        objects.push(value("monitor", &monitor)?);
    }
    Ok(objects)
}

/// The objects as one multi-document YAML stream.
pub fn render_yaml(cluster: &DocFusionCluster) -> Result<String> {
    let mut out = String::new();
    for object in render(cluster)? {
        out.push_str("---\n");
        out.push_str(&serde_yaml_ng::to_string(&object).map_err(Error::Yaml)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_production_example_renders_every_kind_in_apply_order() {
        let text = include_str!("../../docs/examples/production.yaml");
        let cluster: DocFusionCluster = serde_yaml_ng::from_str(text).expect("example");
        let objects = render(&cluster).expect("renders");
        let kinds: Vec<String> = objects
            .iter()
            .map(|o| o["kind"].as_str().unwrap_or("?").to_string())
            .collect();
        // Named Secrets are the user's: none rendered. 4 shards with a replica each: a PDB
        // per shard; 3 query nodes: a PDB; both monitors.
        let mut expected = vec!["ConfigMap", "ConfigMap"];
        for _ in 0..4 {
            expected.extend(["Service", "StatefulSet", "PodDisruptionBudget"]);
        }
        expected.extend([
            "Deployment",
            "Service",
            "PodDisruptionBudget",
            "NetworkPolicy",
            "ServiceMonitor",
            "PodMonitor",
        ]);
        assert_eq!(kinds, expected);
        assert!(
            objects
                .iter()
                .all(|o| o["metadata"]["namespace"] == "docfusion")
        );
        let yaml = render_yaml(&cluster).expect("yaml");
        assert_eq!(yaml.matches("---\n").count(), objects.len());
    }

    #[test]
    fn a_minimal_cluster_renders_its_generated_secrets() {
        let cluster: DocFusionCluster = serde_yaml_ng::from_str(
            "{apiVersion: docfusion.io/v1alpha1, kind: DocFusionCluster, metadata: {name: demo}, spec: {shards: {count: 1, storage: {size: 1Gi}}}}",
        )
        .expect("cluster");
        let objects = render(&cluster).expect("renders");
        let names: Vec<&str> = objects[..2]
            .iter()
            .filter_map(|o| o["metadata"]["name"].as_str())
            .collect();
        assert_eq!(names, ["demo-credentials", "demo-client"]);
        assert_eq!(objects[0]["metadata"]["namespace"], "default");
    }
}
