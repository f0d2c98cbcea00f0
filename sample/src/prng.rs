//! SplitMix64: a tiny pseudo-random generator whose output is fixed by its definition, so
//! the same seed gives the same documents on every machine and with every dependency version
//! (`rand`'s `StdRng` may change algorithm between releases).

/// Added to the state on every step (2^64 / golden ratio).
const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The SplitMix64 generator of Steele, Lea and Flood ("Fast splittable pseudorandom number
/// generators", OOPSLA 2014), as in Vigna's reference `splitmix64.c`. Not cryptographic.
/// Sampling helpers use only integer arithmetic and exact float operations, never `libm`
/// functions whose last bits may differ between platforms.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// A generator for item `index` of stream `stream` under `seed`: independent of how many
    /// values other items drew, so any item can be generated on its own.
    pub fn for_item(seed: u64, stream: u64, index: u64) -> Self {
        let base = SplitMix64::new(seed ^ mix64(stream)).next_u64();
        SplitMix64::new(base ^ mix64(index.wrapping_add(GOLDEN_GAMMA)))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }

    /// A uniform integer in `0..n` (multiply-shift; the bias is below 2^-32 for our `n`).
    /// Returns 0 when `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform integer in `low..=high` (`low` if `high < low`).
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high.saturating_sub(low).saturating_add(1))
    }

    /// A uniform float in `[0, 1)` with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniformly chosen element. Panics on an empty slice (all our tables are non-empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An element of `(element, weight)` pairs, chosen with probability proportional to
    /// its weight.
    pub fn pick_weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        &self.pick_weighted_by(items, |(_, weight)| *weight).0
    }

    /// An element chosen with probability proportional to `weight(element)`.
    /// Panics on an empty slice or when all weights are 0.
    pub fn pick_weighted_by<'a, T>(&mut self, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
        let total: u64 = items.iter().map(|item| u64::from(weight(item))).sum();
        assert!(total > 0, "pick_weighted_by needs a positive total weight");
        let mut ticket = self.below(total);
        for item in items {
            let w = u64::from(weight(item));
            if ticket < w {
                return item;
            }
            ticket -= w;
        }
        unreachable!("ticket below the total weight")
    }

    /// `count` distinct elements of `(element, weight)` pairs, each pick proportional to the
    /// weights of the elements not yet picked (weighted sampling without replacement).
    pub fn distinct_weighted<'a, T>(&mut self, items: &'a [(T, u32)], count: usize) -> Vec<&'a T> {
        let mut remaining: Vec<&'a (T, u32)> = items.iter().filter(|(_, w)| *w > 0).collect();
        let mut picked = Vec::with_capacity(count.min(remaining.len()));
        while picked.len() < count && !remaining.is_empty() {
            let chosen = *self.pick_weighted_by(&remaining, |(_, weight)| *weight);
            remaining.retain(|item| !std::ptr::eq(*item, chosen));
            picked.push(&chosen.0);
        }
        picked
    }

    /// `count` distinct indices from `0..n`, in random order (partial Fisher–Yates).
    pub fn distinct_indices(&mut self, n: usize, count: usize) -> Vec<usize> {
        let mut pool: Vec<usize> = (0..n).collect();
        let count = count.min(n);
        for i in 0..count {
            let j = i + self.below((n - i) as u64) as usize;
            pool.swap(i, j);
        }
        pool.truncate(count);
        pool
    }
}

/// SplitMix64's output function (a 64-bit finaliser from MurmurHash3, variant 13).
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_implementation() {
        // splitmix64.c with x = 0: the published first outputs.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(rng.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn ranges_stay_in_bounds_and_cover_them() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [false; 6];
        for _ in 0..1000 {
            let v = rng.between(3, 8);
            assert!((3..=8).contains(&v));
            seen[(v - 3) as usize] = true;
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.between(5, 5), 5);
    }

    #[test]
    fn weighted_picks_follow_the_weights() {
        let mut rng = SplitMix64::new(11);
        let items = [("never", 0), ("rare", 1), ("common", 9)];
        let common = (0..10_000)
            .filter(|_| {
                let pick = *rng.pick_weighted(&items);
                assert_ne!(pick, "never");
                pick == "common"
            })
            .count();
        assert!(
            (8_700..9_300).contains(&common),
            "common picked {common} times"
        );
    }

    #[test]
    fn distinct_indices_are_distinct() {
        let mut rng = SplitMix64::new(3);
        let mut picked = rng.distinct_indices(10, 7);
        assert_eq!(picked.len(), 7);
        picked.sort_unstable();
        picked.dedup();
        assert_eq!(picked.len(), 7);
        assert!(picked.iter().all(|i| *i < 10));
        assert_eq!(rng.distinct_indices(3, 10).len(), 3);
    }

    #[test]
    fn weighted_sampling_without_replacement_prefers_heavy_items() {
        let mut rng = SplitMix64::new(5);
        let items = [("heavy", 50), ("zero", 0), ("a", 1), ("b", 1), ("c", 1)];
        let mut heavy_first = 0;
        for _ in 0..1000 {
            let picked = rng.distinct_weighted(&items, 3);
            assert_eq!(picked.len(), 3);
            assert!(!picked.contains(&&"zero"));
            let mut unique = picked.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), 3);
            heavy_first += usize::from(*picked[0] == "heavy");
        }
        assert!(heavy_first > 900, "heavy picked first {heavy_first} times");
        assert_eq!(rng.distinct_weighted(&items, 10).len(), 4);
    }

    #[test]
    fn item_streams_are_independent_and_repeatable() {
        let a = SplitMix64::for_item(42, 1, 5).next_u64();
        assert_eq!(a, SplitMix64::for_item(42, 1, 5).next_u64());
        assert_ne!(a, SplitMix64::for_item(42, 1, 6).next_u64());
        assert_ne!(a, SplitMix64::for_item(42, 2, 5).next_u64());
        assert_ne!(a, SplitMix64::for_item(43, 1, 5).next_u64());
    }
}
