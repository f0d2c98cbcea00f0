//! Names of the change feed's replication slots and the rule that drops the slots of nodes
//! that are gone (so that no dead node makes a shard keep WAL forever).
//!
//! A slot is named `dfx_feed_<node>_<hash>_<incarnation>`: the node id (sanitised to what a
//! slot name may hold, cut to 24 characters), eight hex digits of the SHA-256 of the full
//! node id (so that ids that sanitise alike do not share a prefix) and the process' start
//! time in ms. A node drops, at start and then periodically, every inactive feed slot that
//! either carries its own node prefix with another incarnation (an earlier process of the
//! same node, which cannot come back: a restart builds a new slot from a snapshot), or whose
//! confirmed position lags the shard's WAL by more than `replica.slot_max_lag_mb`. A live
//! node confirms its position on every poll (every `replica.poll_interval_ms`, even when
//! nothing changed), so only a dead or stuck node's slot falls that far behind; and the lag
//! bounds exactly what a slot costs, the WAL it makes the shard keep.

use sha2::{Digest, Sha256};

use crate::write::twopc::Identity;

/// Every feed slot's name starts with this.
pub const SLOT_PREFIX: &str = "dfx_feed_";

/// The publication the feed reads (`FOR ALL TABLES`).
pub const PUBLICATION: &str = "docfusion_feed";

/// The prefix of every slot of node `node` (any incarnation).
pub fn node_prefix(node: &str) -> String {
    let sanitized: String = node
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() { c } else { '_' }
        })
        .take(24)
        .collect();
    let hash = Sha256::digest(node.as_bytes());
    format!("{SLOT_PREFIX}{sanitized}_{}_", hex::encode(&hash[..4]))
}

/// The slot name of this process.
pub fn slot_name(me: &Identity) -> String {
    format!("{}{}", node_prefix(&me.node), me.incarnation)
}

/// A feed slot as `pg_replication_slots` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotState {
    /// Slot name.
    pub name: String,
    /// A backend is using it right now.
    pub active: bool,
    /// Bytes of WAL between its confirmed position and the shard's current position
    /// (`None` when it has not confirmed anything yet).
    pub confirmed_lag_bytes: Option<u64>,
}

/// Which of `slots` a node with slot `mine` drops: inactive feed slots of earlier
/// incarnations of the same node, and inactive feed slots lagging more than `max_lag_bytes`.
/// Never its own slot, an active one, or a slot that is not a feed slot.
pub fn slots_to_drop(slots: &[SlotState], mine: &str, max_lag_bytes: u64) -> Vec<String> {
    let Some(prefix) = mine
        .rsplit_once('_')
        .map(|(p, _)| format!("{p}_"))
        .filter(|p| p.starts_with(SLOT_PREFIX))
    else {
        return Vec::new();
    };
    slots
        .iter()
        .filter(|s| s.name != mine && s.name.starts_with(SLOT_PREFIX) && !s.active)
        .filter(|s| {
            let earlier_self = s.name.starts_with(&prefix)
                && s.name[prefix.len()..].bytes().all(|b| b.is_ascii_digit());
            let too_far_behind = s.confirmed_lag_bytes.is_some_and(|lag| lag > max_lag_bytes);
            earlier_self || too_far_behind
        })
        .map(|s| s.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me(node: &str, incarnation: u64) -> Identity {
        Identity {
            node: node.into(),
            incarnation,
        }
    }

    #[test]
    fn slot_names_are_valid_and_carry_the_node() {
        let name = slot_name(&me("Query-Node-7.example", 1_700_000_000_123));
        assert!(name.starts_with("dfx_feed_query_node_7_example_"));
        assert!(name.ends_with("_1700000000123"));
        assert!(name.len() <= 63, "{name}");
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        );
        let long = slot_name(&me(&"n".repeat(64), u64::MAX));
        assert!(long.len() <= 63, "{long}");
        // Ids that sanitise alike still get different prefixes.
        assert_ne!(node_prefix("Node-A"), node_prefix("node_a"));
        assert_eq!(node_prefix("node-a"), node_prefix("node-a"));
    }

    #[test]
    fn dead_slots_are_dropped_live_ones_kept() {
        let mine = slot_name(&me("a", 200));
        let slot = |name: String, active: bool, lag: Option<u64>| SlotState {
            name,
            active,
            confirmed_lag_bytes: lag,
        };
        let slots = vec![
            slot(mine.clone(), false, Some(u64::MAX)),
            // An earlier process of this node.
            slot(slot_name(&me("a", 100)), false, Some(0)),
            // The same, but in use (cannot be dropped; Postgres would refuse anyway).
            slot(slot_name(&me("a", 150)), true, Some(0)),
            // Another node, recently confirmed: alive.
            slot(slot_name(&me("b", 100)), false, Some(10)),
            // Another node, far behind: dead.
            slot(slot_name(&me("c", 100)), false, Some(2_000)),
            // Not a feed slot at all.
            slot("subscriber_slot".into(), false, Some(1 << 40)),
            // A node whose id merely starts like ours.
            slot(format!("{}9_100", node_prefix("a")), false, Some(0)),
        ];
        let mut dropped = slots_to_drop(&slots, &mine, 1_000);
        dropped.sort();
        let mut expected = vec![slot_name(&me("a", 100)), slot_name(&me("c", 100))];
        expected.sort();
        // `<prefix>9_100` has a non-digit tail after our prefix: not ours.
        assert_eq!(dropped, expected);
    }

    #[test]
    fn a_foreign_name_drops_nothing() {
        let slots = vec![SlotState {
            name: "dfx_feed_x_00000000_1".into(),
            active: false,
            confirmed_lag_bytes: Some(0),
        }];
        assert!(slots_to_drop(&slots, "other", 0).is_empty());
    }
}
