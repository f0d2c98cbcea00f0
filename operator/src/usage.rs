//! Usage events for the hosted tier: query-node seconds and storage GB-hours per cluster and
//! interval, with ids derived from cluster, meter and interval start so that a retried
//! emission is the same event (billing ingests idempotently by id).

use chrono::{DateTime, Utc};
use docfusion_crds::DocFusionCluster;
use docfusion_types::{UsageData, UsageEvent};
use rust_decimal::Decimal;

use crate::names::ClusterNames;
use crate::observe::Observed;

/// Meter of ready query nodes × seconds.
pub const QUERY_NODE_SECONDS: &str = "query_node_seconds";
/// Meter of provisioned shard storage in GB × hours.
pub const STORAGE_GB_HOURS: &str = "storage_gb_hours";
/// The `source` of operator events.
pub const SOURCE: &str = "operator";

/// Bytes in a Kubernetes quantity such as `10Gi`, `500M` or `1073741824`; `None` when the
/// text is not a plain (non-exponent) quantity.
pub fn quantity_bytes(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: Decimal = number.parse().ok()?;
    let factor: u64 = match suffix {
        "" => 1,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        "T" => 1_000_000_000_000,
        "P" => 1_000_000_000_000_000,
        "Ki" => 1 << 10,
        "Mi" => 1 << 20,
        "Gi" => 1 << 30,
        "Ti" => 1 << 40,
        "Pi" => 1 << 50,
        _ => return None,
    };
    number.checked_mul(Decimal::from(factor))
}

/// The start of the interval of `seconds` length that contains `now`.
pub fn interval_start(now: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    let seconds = seconds.max(1);
    let start = now.timestamp().div_euclid(seconds) * seconds;
    DateTime::from_timestamp(start, 0).unwrap_or(now)
}

/// The usage of `cluster` over the interval `[start, start + seconds)`, sampled from what was
/// observed. Clusters without a tenant are not billed. Storage is billed while hibernated
/// (the volumes are kept); query nodes only while ready.
pub fn usage_events(
    cluster: &DocFusionCluster,
    names: &ClusterNames,
    observed: &Observed,
    start: DateTime<Utc>,
    seconds: i64,
) -> Vec<UsageEvent> {
    let Some(tenant) = cluster.spec.tenant.clone() else {
        return Vec::new();
    };
    let resource = format!("{}/{}", names.namespace, names.cluster);
    let volumes =
        i64::from(cluster.spec.shards.count) * i64::from(cluster.spec.shards.instances_per_shard());
    let bytes = quantity_bytes(&cluster.spec.shards.storage.size.0).unwrap_or_default();
    let seconds_dec = Decimal::from(seconds);
    let gb_hours = (bytes / Decimal::from(1_000_000_000u64)) * Decimal::from(volumes) * seconds_dec
        / Decimal::from(3600);
    let node_seconds = Decimal::from(observed.query_nodes.ready.max(0)) * seconds_dec;
    [
        (QUERY_NODE_SECONDS, node_seconds),
        (STORAGE_GB_HOURS, gb_hours.round_dp(6).normalize()),
    ]
    .into_iter()
    .map(|(meter, value)| {
        UsageEvent::new(
            UsageEvent::periodic_id(&resource, meter, start),
            SOURCE,
            meter,
            tenant.clone(),
            start,
            UsageData {
                cluster: resource.clone(),
                resource: resource.clone(),
                value,
            },
        )
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::test_cluster::cluster;
    use crate::observe::ObservedQueryNodes;
    use std::str::FromStr;

    #[test]
    fn quantities_convert_to_bytes() {
        assert_eq!(quantity_bytes("10Gi"), Some(Decimal::from(10u64 << 30)));
        assert_eq!(quantity_bytes("500M"), Some(Decimal::from(500_000_000u64)));
        assert_eq!(quantity_bytes("1.5Gi"), Some(Decimal::from(3u64 << 29)));
        assert_eq!(quantity_bytes("42"), Some(Decimal::from(42)));
        assert_eq!(quantity_bytes("ten"), None);
        assert_eq!(quantity_bytes("1e3"), None);
    }

    #[test]
    fn interval_start_floors_to_the_interval() {
        let t = DateTime::from_timestamp(3_725, 0).expect("time");
        assert_eq!(interval_start(t, 60).timestamp(), 3_720);
        assert_eq!(interval_start(t, 3600).timestamp(), 3_600);
    }

    #[test]
    fn events_measure_nodes_and_storage_with_deterministic_ids() {
        let c = cluster(
            "{tenant: acme, plan: pro, shards: {count: 2, replicas: 1, storage: {size: 10G}}}",
        );
        let names = ClusterNames::new("orders", "shop");
        let observed = Observed {
            shards: Vec::new(),
            query_nodes: ObservedQueryNodes {
                wanted: 3,
                ready: 3,
                updated: 3,
                rolled_out: true,
            },
        };
        let start = DateTime::from_timestamp(7_200, 0).expect("time");
        let events = usage_events(&c, &names, &observed, start, 3600);
        assert_eq!(events.len(), 2);
        let nodes = &events[0];
        assert_eq!(nodes.meter, QUERY_NODE_SECONDS);
        assert_eq!(nodes.tenant, "acme");
        assert_eq!(nodes.data.value, Decimal::from(3 * 3600));
        // 2 shards × 2 instances × 10 GB for one hour.
        assert_eq!(events[1].data.value, Decimal::from_str("40").expect("dec"));
        assert_eq!(
            events[1].id,
            UsageEvent::periodic_id("shop/orders", STORAGE_GB_HOURS, start)
        );
        assert!(events.iter().all(|e| e.validate().is_ok()));
        let again = usage_events(&c, &names, &observed, start, 3600);
        assert_eq!(again, events, "a retry is the same event");
        let later = usage_events(
            &c,
            &names,
            &observed,
            DateTime::from_timestamp(10_800, 0).expect("t"),
            3600,
        );
        assert_ne!(later[0].id, events[0].id);
    }

    #[test]
    fn clusters_without_a_tenant_are_not_billed() {
        let c = cluster("shards: {count: 1, storage: {size: 1Gi}}");
        let events = usage_events(
            &c,
            &ClusterNames::new("a", "b"),
            &Observed::default(),
            Utc::now(),
            60,
        );
        assert!(events.is_empty());
    }
}
