//! Prometheus Operator monitors as `DynamicObject`s (their types are not in k8s-openapi):
//! a ServiceMonitor for the query nodes, a PodMonitor for the shards' exporters.

use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::json;

use super::BuildContext;
use crate::names::Component;

/// `monitoring.coreos.com/v1` kind `kind`.
pub fn api_resource(kind: &str) -> ApiResource {
    ApiResource::from_gvk(&GroupVersionKind::gvk("monitoring.coreos.com", "v1", kind))
}

/// The ServiceMonitor of the query nodes' `/metrics`, when asked for.
pub fn service_monitor(ctx: &BuildContext<'_>) -> Option<DynamicObject> {
    if !ctx.cluster.spec.monitoring.service_monitor {
        return None;
    }
    let mut object = DynamicObject::new(&ctx.names.monitor(), &api_resource("ServiceMonitor"))
        .data(json!({
            "spec": {
                "selector": {"matchLabels": ctx.names.selector(Component::QueryNode)},
                "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}],
            }
        }));
    object.metadata = ctx.component_meta(ctx.names.monitor(), Component::QueryNode);
    Some(object)
}

/// The PodMonitor of the shards' postgres-exporter sidecars, when asked for.
pub fn pod_monitor(ctx: &BuildContext<'_>) -> Option<DynamicObject> {
    if !ctx.cluster.spec.monitoring.pod_monitor {
        return None;
    }
    let mut object =
        DynamicObject::new(&ctx.names.monitor(), &api_resource("PodMonitor")).data(json!({
            "spec": {
                "selector": {"matchLabels": ctx.names.selector(Component::Shard)},
                "podMetricsEndpoints": [{"port": "metrics", "interval": "30s"}],
            }
        }));
    object.metadata = ctx.component_meta(ctx.names.monitor(), Component::Shard);
    Some(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::test_cluster::{TWO_SHARDS, cluster};

    #[test]
    fn monitors_exist_only_when_asked_and_target_the_right_ports() {
        let c = cluster(TWO_SHARDS);
        let ctx = BuildContext::new(&c, "docfusion").expect("ctx");
        assert!(service_monitor(&ctx).is_none() && pod_monitor(&ctx).is_none());
        let c = cluster(
            "{monitoring: {serviceMonitor: true, podMonitor: true}, shards: {count: 1, storage: {size: 1Gi}}}",
        );
        let ctx = BuildContext::new(&c, "docfusion").expect("ctx");
        let sm = serde_json::to_value(service_monitor(&ctx).expect("sm")).expect("json");
        assert_eq!(sm["apiVersion"], "monitoring.coreos.com/v1");
        assert_eq!(sm["kind"], "ServiceMonitor");
        assert_eq!(sm["spec"]["endpoints"][0]["port"], "http");
        assert_eq!(
            sm["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"],
            "query-node"
        );
        let pm = serde_json::to_value(pod_monitor(&ctx).expect("pm")).expect("json");
        assert_eq!(pm["kind"], "PodMonitor");
        assert_eq!(pm["spec"]["podMetricsEndpoints"][0]["port"], "metrics");
        assert_eq!(
            pm["metadata"]["ownerReferences"][0]["kind"],
            "DocFusionCluster"
        );
    }
}
