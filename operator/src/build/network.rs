//! The NetworkPolicy that lets only this cluster's query nodes (and the shards' own
//! replicas) reach the shards' Postgres port.

use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::BuildContext;
use crate::names::{Component, EXPORTER_PORT, POSTGRES_PORT};

fn peer(ctx: &BuildContext<'_>, component: Component) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(LabelSelector {
            match_labels: Some(ctx.names.selector(component)),
            ..LabelSelector::default()
        }),
        ..NetworkPolicyPeer::default()
    }
}

fn tcp(port: i32) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(port)),
        protocol: Some("TCP".into()),
        ..NetworkPolicyPort::default()
    }
}

/// Ingress to shard pods: Postgres from query nodes and from the shards (replication);
/// the exporter port from anywhere when the PodMonitor is on.
pub fn shard_network_policy(ctx: &BuildContext<'_>) -> NetworkPolicy {
    let mut ingress = vec![NetworkPolicyIngressRule {
        from: Some(vec![
            peer(ctx, Component::QueryNode),
            peer(ctx, Component::Shard),
        ]),
        ports: Some(vec![tcp(POSTGRES_PORT)]),
    }];
    if ctx.cluster.spec.monitoring.pod_monitor {
        ingress.push(NetworkPolicyIngressRule {
            from: None,
            ports: Some(vec![tcp(EXPORTER_PORT)]),
        });
    }
    NetworkPolicy {
        metadata: ctx.component_meta(ctx.names.shard_network_policy(), Component::Shard),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(ctx.names.selector(Component::Shard)),
                ..LabelSelector::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(ingress),
            ..NetworkPolicySpec::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::test_cluster::{TWO_SHARDS, cluster};

    #[test]
    fn only_query_nodes_and_shards_reach_postgres() {
        let c = cluster(TWO_SHARDS);
        let ctx = BuildContext::new(&c, "docfusion").expect("ctx");
        let spec = shard_network_policy(&ctx).spec.expect("spec");
        assert_eq!(spec.policy_types, Some(vec!["Ingress".to_string()]));
        let rules = spec.ingress.expect("ingress");
        assert_eq!(rules.len(), 1, "no exporter rule without podMonitor");
        let components: Vec<String> = rules[0]
            .from
            .iter()
            .flatten()
            .filter_map(|p| p.pod_selector.as_ref()?.match_labels.as_ref())
            .map(|l| l["app.kubernetes.io/component"].clone())
            .collect();
        assert_eq!(components, ["query-node", "shard"]);
        assert!(
            rules[0]
                .from
                .iter()
                .flatten()
                .all(|p| p.namespace_selector.is_none() && p.ip_block.is_none()),
            "no other namespace or address"
        );
        let selected = spec
            .pod_selector
            .and_then(|s| s.match_labels)
            .expect("selector");
        assert_eq!(selected["app.kubernetes.io/instance"], "orders");
    }
}
