//! Which shard owns a document: ids hash into a fixed number of slots, and slots map to
//! shards. Slots (not `hash % shards`) let a later resharding move whole slots. Every writer
//! and reader routes through [`ShardMap::shard_for`].

/// Number of hash slots. Fixed forever: changing it would move every document.
pub const SLOT_COUNT: u32 = 4096;

/// The assignment of slots to shards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMap {
    slot_to_shard: Vec<u16>,
    shard_count: usize,
}

impl ShardMap {
    /// Contiguous, equal-sized slot ranges for `shard_count` shards (the initial layout).
    pub fn uniform(shard_count: usize) -> Self {
        assert!(
            (1..=u16::MAX as usize).contains(&shard_count),
            "shard count out of range"
        );
        let slot_to_shard = (0..SLOT_COUNT)
            .map(|slot| ((slot as u64 * shard_count as u64) / SLOT_COUNT as u64) as u16)
            .collect();
        Self {
            slot_to_shard,
            shard_count,
        }
    }

    /// Number of shards in the map.
    pub fn shard_count(&self) -> usize {
        self.shard_count
    }

    /// The slot of a document id.
    pub fn slot_for(id: &str) -> u32 {
        (stable_hash(id.as_bytes()) % SLOT_COUNT as u64) as u32
    }

    /// The index of the shard that owns document `id`.
    pub fn shard_for(&self, id: &str) -> usize {
        self.slot_to_shard[Self::slot_for(id) as usize] as usize
    }

    /// The distinct shards owning any of `ids`, in ascending order.
    pub fn shards_for<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        let mut shards: Vec<usize> = ids.into_iter().map(|id| self.shard_for(id)).collect();
        shards.sort_unstable();
        shards.dedup();
        shards
    }
}

/// FNV-1a over the bytes followed by the 64-bit finaliser of MurmurHash3 (for avalanche on
/// short, similar ids). Defined here rather than taken from `std` because the value is
/// persisted implicitly in where data lives: it must never change between versions.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_values_are_pinned() {
        // A compatibility promise: stored documents were placed by these values. Computed
        // independently (a few lines of Python over the same definition), never to change.
        assert_eq!(stable_hash(b""), 0xefd0_1f60_ba99_2926);
        assert_eq!(stable_hash(b"hello"), 0xe9c5_62c0_fdb2_3244);
        assert_eq!(stable_hash(b"lst-000001"), 0x0b0d_4389_35f5_1896);
        assert_eq!(ShardMap::slot_for("lst-000001"), 2198);
    }

    #[test]
    fn uniform_map_covers_every_shard_with_equal_ranges() {
        for n in [1usize, 2, 3, 7, 16] {
            let m = ShardMap::uniform(n);
            let mut counts = vec![0u32; n];
            for s in &m.slot_to_shard {
                counts[*s as usize] += 1;
            }
            let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(max - min <= 1, "n={n}: {counts:?}");
            // contiguous: shard index never decreases along the slots
            assert!(m.slot_to_shard.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn documents_spread_evenly_over_shards() {
        let m = ShardMap::uniform(4);
        let mut counts = [0u32; 4];
        for i in 0..40_000 {
            counts[m.shard_for(&format!("lst-{i:06}"))] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn shards_for_is_sorted_and_distinct() {
        let m = ShardMap::uniform(3);
        let ids = ["a", "b", "c", "d", "e", "f", "a"];
        let got = m.shards_for(ids.iter().copied());
        let mut expected: Vec<usize> = ids.iter().map(|i| m.shard_for(i)).collect();
        expected.sort();
        expected.dedup();
        assert_eq!(got, expected);
    }
}
