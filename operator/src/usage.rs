//! Usage events for the hosted tier: query-node seconds and provisioned storage per cluster
//! and interval, with ids derived from cluster, meter and interval start so that a retried
//! emission is the same event (billing ingests idempotently by id).
//!
//! The meters match billing's plans file: `query_node_seconds` is a `sum` (ready nodes ×
//! seconds of the interval); `storage_gb_hours` is a `time_weighted_gauge` whose samples are
//! the provisioned GB, each standing for `sample_seconds` (= the interval, 60 s), which
//! billing turns into GB-hours.

use std::time::Duration;

use chrono::{DateTime, Utc};
use docfusion_crds::DocFusionCluster;
use docfusion_types::{UsageData, UsageEvent};
use rust_decimal::Decimal;

use crate::names::ClusterNames;
use crate::observe::Observed;
use crate::quantity::quantity_bytes;

/// Meter of ready query nodes × seconds.
pub const QUERY_NODE_SECONDS: &str = "query_node_seconds";
/// Meter of provisioned shard storage: a GB gauge sampled once per interval.
pub const STORAGE_GB_HOURS: &str = "storage_gb_hours";
/// The `source` of operator events.
pub const SOURCE: &str = "operator";

/// The start of the interval of `seconds` length that contains `now`.
pub fn interval_start(now: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    let seconds = seconds.max(1);
    let start = now.timestamp().div_euclid(seconds) * seconds;
    DateTime::from_timestamp(start, 0).unwrap_or(now)
}

/// How long until just after the next interval starts, so that periodic reconciles sample
/// every interval once instead of drifting past one.
pub fn until_next_interval(now: DateTime<Utc>, seconds: i64) -> Duration {
    let seconds = seconds.max(1);
    let into = now.timestamp().rem_euclid(seconds);
    // Whole seconds, one past the boundary: clocks of the operator and the API server differ
    // a little, and landing just before the boundary would sample the same interval twice.
    Duration::from_secs(u64::try_from(seconds - into + 1).unwrap_or(1))
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
    let gigabytes = bytes / Decimal::from(1_000_000_000u64) * Decimal::from(volumes);
    let node_seconds = Decimal::from(observed.query_nodes.ready.max(0)) * Decimal::from(seconds);
    [
        (QUERY_NODE_SECONDS, node_seconds),
        (STORAGE_GB_HOURS, gigabytes.round_dp(9).normalize()),
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
    fn interval_start_floors_to_the_interval() {
        let t = DateTime::from_timestamp(3_725, 0).expect("time");
        assert_eq!(interval_start(t, 60).timestamp(), 3_720);
        assert_eq!(interval_start(t, 3600).timestamp(), 3_600);
    }

    #[test]
    fn the_next_sample_is_just_after_the_next_interval_starts() {
        let t = DateTime::from_timestamp(3_725, 0).expect("time");
        // 3725 → next interval at 3780, plus one second.
        assert_eq!(until_next_interval(t, 60), Duration::from_secs(56));
        let on_boundary = DateTime::from_timestamp(3_780, 0).expect("time");
        assert_eq!(
            until_next_interval(on_boundary, 60),
            Duration::from_secs(61)
        );
    }

    #[test]
    fn events_measure_nodes_and_storage_with_deterministic_ids() {
        let c = cluster(
            "{tenant: acme, plan: pro, shards: {count: 2, replicas: 1, storage: {size: 10G}}}",
        );
        let names = ClusterNames::new("orders", "shop");
        let observed = Observed {
            serving_shards: None,
            shards: Vec::new(),
            query_nodes: ObservedQueryNodes {
                wanted: 3,
                ready: 3,
                updated: 3,
                rolled_out: true,
            },
        };
        let start = DateTime::from_timestamp(7_200, 0).expect("time");
        let events = usage_events(&c, &names, &observed, start, 60);
        assert_eq!(events.len(), 2);
        let nodes = &events[0];
        assert_eq!(nodes.meter, QUERY_NODE_SECONDS);
        assert_eq!(nodes.tenant, "acme");
        assert_eq!(nodes.data.value, Decimal::from(3 * 60));
        // The gauge: 2 shards × 2 instances × 10 GB provisioned now.
        assert_eq!(events[1].data.value, Decimal::from_str("40").expect("dec"));
        assert_eq!(
            events[1].id,
            UsageEvent::periodic_id("shop/orders", STORAGE_GB_HOURS, start)
        );
        assert!(events.iter().all(|e| e.validate().is_ok()));
        let again = usage_events(&c, &names, &observed, start, 60);
        assert_eq!(again, events, "a retry is the same event");
        let later = usage_events(
            &c,
            &names,
            &observed,
            DateTime::from_timestamp(7_260, 0).expect("t"),
            60,
        );
        assert_ne!(later[0].id, events[0].id);
    }

    fn events_now(spec: &str) -> Vec<UsageEvent> {
        let c = cluster(spec);
        usage_events(
            &c,
            &ClusterNames::new("a", "b"),
            &Observed::default(),
            Utc::now(),
            60,
        )
    }

    #[test]
    fn binary_sizes_are_billed_in_decimal_gigabytes() {
        let events =
            events_now("{tenant: acme, plan: pro, shards: {count: 1, storage: {size: 1Gi}}}");
        // 1 GiB = 1073741824 bytes = 1.073741824 GB.
        assert_eq!(
            events[1].data.value,
            Decimal::from_str("1.073741824").expect("dec")
        );
        assert_eq!(events[0].data.value, Decimal::ZERO, "no node ready");
    }

    #[test]
    fn clusters_without_a_tenant_are_not_billed() {
        assert!(events_now("shards: {count: 1, storage: {size: 1Gi}}").is_empty());
    }
}
