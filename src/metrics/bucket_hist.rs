//! A small log-linear histogram for the per-second time series.
//!
//! Every node keeps one per bucket and it is cleared every simulated second, so it must be tiny and cheap:
//! 64 linear sub-buckets per power of two (1.6% resolution), `u32` counts, 10 KiB, and a record is a
//! leading-zero count and a shift. The run's summary percentiles still come from hdrhistogram ([`super::Latency`]).

const SUB_BITS: u32 = 6;
const SUB: usize = 1 << SUB_BITS;
/// Values are microseconds; 40 octaves reach 2^45 us (over a year).
const OCTAVES: usize = 40;

/// Per-bucket latency histogram (microsecond bins), with a count per octave so that a quantile reads at most
/// 40 + 64 counters and a reset clears only the octaves that were used: every node closes one of these every
/// simulated second, and scanning or clearing all 2,560 bins each time cost more than the records.
#[derive(Clone, Debug)]
pub struct BucketHist {
    counts: Box<[u32]>,
    octaves: [u32; OCTAVES],
    total: u64,
}

impl Default for BucketHist {
    fn default() -> Self {
        Self {
            counts: vec![0; SUB * OCTAVES].into_boxed_slice(),
            octaves: [0; OCTAVES],
            total: 0,
        }
    }
}

#[inline]
fn index(us: u64) -> usize {
    super::latency::bin(us, SUB_BITS).min(SUB * OCTAVES - 1)
}

/// This histogram's bin for a value whose per-node bin ([`super::latency::NODE_SUB_BITS`], twice as fine) is
/// `i`: the same below 128 us, pairwise merged above.
#[inline]
pub(crate) fn index_from_node_bin(i: usize) -> usize {
    const _: () = assert!(super::latency::NODE_SUB_BITS == SUB_BITS + 1);
    if i < 2 * SUB { i } else { (i >> 1) + SUB }
}

/// The smallest value that maps to bin `i`, in microseconds.
fn lower_bound(i: usize) -> u64 {
    super::latency::bin_lower(i, SUB_BITS)
}

impl BucketHist {
    /// Records one latency in nanoseconds.
    #[inline(always)]
    pub fn record_ns(&mut self, ns: u64) {
        let i = index(ns / 1000);
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        if let Some(o) = self.octaves.get_mut(i >> SUB_BITS) {
            *o += 1;
        }
        self.total += 1;
    }

    /// Records one sample in bin `i` (from [`index_from_node_bin`]).
    #[inline]
    pub(crate) fn record_bin(&mut self, i: usize) {
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        if let Some(o) = self.octaves.get_mut(i >> SUB_BITS) {
            *o += 1;
        }
        self.total += 1;
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Clears (cheap when already empty: only used octaves are cleared).
    pub fn reset(&mut self) {
        if self.total == 0 {
            return;
        }
        for (o, n) in self.octaves.iter_mut().enumerate() {
            if *n > 0 {
                self.counts[o * SUB..(o + 1) * SUB].fill(0);
                *n = 0;
            }
        }
        self.total = 0;
    }

    /// The `q` quantile in milliseconds (middle of its bin); NaN when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0u64;
        for (o, &n) in self.octaves.iter().enumerate() {
            if seen + (n as u64) < rank {
                seen += n as u64;
                continue;
            }
            for i in o * SUB..(o + 1) * SUB {
                seen += self.counts[i] as u64;
                if seen >= rank {
                    let lo = lower_bound(i) as f64;
                    let hi = lower_bound(i + 1) as f64;
                    return (lo + hi) / 2.0 / 1000.0;
                }
            }
        }
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_contiguous_and_increasing() {
        for i in 0..SUB * OCTAVES - 1 {
            assert!(lower_bound(i) < lower_bound(i + 1));
            assert_eq!(index(lower_bound(i)), i, "bin {i}");
            assert_eq!(index(lower_bound(i + 1) - 1), i, "top of bin {i}");
        }
    }

    #[test]
    fn quantiles_within_two_percent() {
        let mut h = BucketHist::default();
        for us in 1..=100_000u64 {
            h.record_ns(us * 1000);
        }
        for q in [0.5, 0.9, 0.99] {
            let want = q * 100.0;
            let got = h.quantile_ms(q);
            assert!((got - want).abs() / want < 0.02, "q{q}: {got} vs {want}");
        }
        h.reset();
        assert!(h.quantile_ms(0.5).is_nan());
    }

    #[test]
    fn a_reset_histogram_is_like_a_fresh_one() {
        let mut used = BucketHist::default();
        for us in [3u64, 700, 90_000, 5_000_000, 1 << 50] {
            used.record_ns(us * 1000);
        }
        used.reset();
        let mut fresh = BucketHist::default();
        for us in 1..=5_000u64 {
            used.record_ns(us * 7_000);
            fresh.record_ns(us * 7_000);
        }
        for q in [0.01, 0.5, 0.99, 1.0] {
            assert_eq!(used.quantile_ms(q), fresh.quantile_ms(q));
        }
        assert_eq!(used.counts, fresh.counts);
    }

    #[test]
    fn node_bins_map_onto_these_bins() {
        use super::super::latency::{NODE_SUB_BITS, bin};
        let mut us = 0u64;
        while us < 1 << 37 {
            assert_eq!(
                index_from_node_bin(bin(us, NODE_SUB_BITS)),
                index(us),
                "{us} us"
            );
            us += 1 + us / 97;
        }
    }
}
