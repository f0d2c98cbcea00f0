//! Distance kernels on `f32` slices, written so that LLVM vectorises them: each keeps
//! `LANES` independent accumulators over fixed-size chunks (a float sum is not associative,
//! so a single accumulator would force the additions into one serial chain), then adds the
//! lanes and the tail. No allocation, no widening to `f64` per element.
//!
//! Both slices must have the same length; callers check (a mismatch is the user's error
//! 22000 "different vector dimensions", raised before a kernel runs). Were they to differ,
//! the kernels would read the common prefix only.

const LANES: usize = 16;

/// Sum over `i` of `f(a[i], b[i])`, in `LANES` accumulators.
#[inline(always)]
fn lane_sum(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> f32) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (a_chunks, a_tail) = a.as_chunks::<LANES>();
    let (b_chunks, b_tail) = b.as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for l in 0..LANES {
            acc[l] += f(x[l], y[l]);
        }
    }
    let mut tail = 0.0f32;
    for (x, y) in a_tail.iter().zip(b_tail) {
        tail += f(*x, *y);
    }
    acc.iter().sum::<f32>() + tail
}

/// Squared Euclidean distance.
pub fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    lane_sum(a, b, |x, y| {
        let d = x - y;
        d * d
    })
}

/// Euclidean (L2) distance: pgvector's `<->`.
pub fn l2_distance(a: &[f32], b: &[f32]) -> f32 {
    l2_squared(a, b).sqrt()
}

/// Inner (dot) product. pgvector's `<#>` is its negation.
pub fn inner_product(a: &[f32], b: &[f32]) -> f32 {
    lane_sum(a, b, |x, y| x * y)
}

/// The sums cosine distance needs, in one pass: (a·b, a·a, b·b).
pub fn cosine_parts(a: &[f32], b: &[f32]) -> (f32, f32, f32) {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (a_chunks, a_tail) = a.as_chunks::<LANES>();
    let (b_chunks, b_tail) = b.as_chunks::<LANES>();
    let mut dot = [0.0f32; LANES];
    let mut na = [0.0f32; LANES];
    let mut nb = [0.0f32; LANES];
    for (x, y) in a_chunks.iter().zip(b_chunks) {
        for l in 0..LANES {
            dot[l] += x[l] * y[l];
            na[l] += x[l] * x[l];
            nb[l] += y[l] * y[l];
        }
    }
    let (mut d, mut p, mut q) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a_tail.iter().zip(b_tail) {
        d += x * y;
        p += x * x;
        q += y * y;
    }
    (
        dot.iter().sum::<f32>() + d,
        na.iter().sum::<f32>() + p,
        nb.iter().sum::<f32>() + q,
    )
}

/// Cosine distance from [`cosine_parts`], as pgvector computes it: the similarity is taken
/// in double precision, clamped to [-1, 1], and subtracted from 1. A zero vector gives NaN
/// (0 / 0), as in pgvector.
pub fn cosine_distance_of_parts(dot: f32, norm_a: f32, norm_b: f32) -> f64 {
    let similarity = f64::from(dot) / (f64::from(norm_a) * f64::from(norm_b)).sqrt();
    // NaN stays NaN through clamp.
    1.0 - similarity.clamp(-1.0, 1.0)
}

/// Cosine distance: pgvector's `<=>`. NaN when either vector is zero.
pub fn cosine_distance(a: &[f32], b: &[f32]) -> f32 {
    let (dot, na, nb) = cosine_parts(a, b);
    cosine_distance_of_parts(dot, na, nb) as f32
}

/// Sum of squares of one vector (its squared L2 norm).
pub fn squared_norm(a: &[f32]) -> f32 {
    lane_sum(a, a, |x, _| x * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so that failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        }
        fn vector(&mut self, n: usize) -> Vec<f32> {
            (0..n).map(|_| self.next() * 10.0).collect()
        }
    }

    fn ref_l2(a: &[f32], b: &[f32]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
            .sum::<f64>()
            .sqrt()
    }
    fn ref_dot(a: &[f32], b: &[f32]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| f64::from(*x) * f64::from(*y))
            .sum()
    }
    fn ref_cosine(a: &[f32], b: &[f32]) -> f64 {
        1.0 - ref_dot(a, b) / (ref_dot(a, a).sqrt() * ref_dot(b, b).sqrt())
    }

    fn close(got: f64, want: f64, scale: f64) -> bool {
        (got - want).abs() <= 1e-4 * scale.max(1.0)
    }

    #[test]
    fn distances_match_a_double_precision_reference() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for n in [1, 2, 3, 15, 16, 17, 31, 100, 384, 768, 1000] {
            for _ in 0..20 {
                let (a, b) = (rng.vector(n), rng.vector(n));
                let scale = ref_dot(&a, &a).sqrt() * ref_dot(&b, &b).sqrt();
                let l2 = f64::from(l2_distance(&a, &b));
                assert!(close(l2, ref_l2(&a, &b), ref_l2(&a, &b)), "l2 n={n}");
                let ip = f64::from(inner_product(&a, &b));
                assert!(close(ip, ref_dot(&a, &b), scale), "ip n={n}: {ip}");
                let cos = f64::from(cosine_distance(&a, &b));
                assert!((cos - ref_cosine(&a, &b)).abs() < 1e-4, "cos n={n}: {cos}");
                let sq = f64::from(squared_norm(&a));
                assert!(close(sq, ref_dot(&a, &a), ref_dot(&a, &a)), "norm n={n}");
            }
        }
    }

    #[test]
    fn hand_computed_values() {
        assert_eq!(l2_distance(&[0.0, 0.0], &[3.0, 4.0]), 5.0);
        assert_eq!(inner_product(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]), 32.0);
        assert_eq!(cosine_distance(&[1.0, 0.0], &[0.0, 2.0]), 1.0);
        assert_eq!(cosine_distance(&[1.0, 1.0], &[-2.0, -2.0]), 2.0);
        assert_eq!(cosine_distance(&[3.0, 3.0], &[1.0, 1.0]), 0.0);
    }

    #[test]
    fn cosine_of_a_zero_vector_is_nan_as_in_pgvector() {
        assert!(cosine_distance(&[0.0, 0.0, 0.0], &[1.0, 2.0, 3.0]).is_nan());
        assert!(cosine_distance(&[0.0; 20], &[0.0; 20]).is_nan());
        assert_eq!(l2_distance(&[0.0; 20], &[0.0; 20]), 0.0);
    }

    #[test]
    fn similarity_is_clamped_so_distance_never_goes_negative() {
        // Rounding can push a·b/(|a||b|) just above 1 for parallel vectors.
        let a = [0.1f32, 0.2, 0.3, 1e-3, 7.0, 0.333];
        let d = cosine_distance(&a, &a);
        assert!((0.0..1e-6).contains(&d), "{d}");
    }
}
