//! Latency recording: an exact sum for the mean, and a log-linear histogram for percentiles that has the bins
//! of an hdrhistogram (HdrHistogram's layout and quantile rule, so the figures are the ones hdrhistogram gives;
//! a test checks that) with a record path a third as long: a record is a leading-zero count, two shifts and an
//! increment, with no resize or range branches. Every node records every completion, so this is hot.

use serde::{Deserialize, Serialize};

use super::{BucketHist, LatencySummary};

/// A latency recorder's contents as plain data (for sweep partial results that are merged later): the bin
/// layout and every non-empty bin as `(bin index, count)` in increasing order, plus the exact sum and
/// maximum. [`Latency::from_data`] rebuilds the recorder exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyData {
    /// Sub-bucket bits of the layout (10 end to end, 7 per node).
    pub sub_bits: u32,
    /// Non-empty bins: `(index, count)`.
    pub bins: Vec<(u32, u64)>,
    /// Exact sum of the samples, ns.
    pub sum_ns: u128,
    /// Largest sample, ns.
    pub max_ns: u64,
}

/// Largest latency the histograms resolve, in microseconds (one day).
const MAX_US: u64 = 86_400_000_000;
/// Values at or above this (2^37 us, the end of the last bin that covers `MAX_US`) are clamped to `MAX_US`,
/// as hdrhistogram's `saturating_record` does.
const TOP_US: u64 = 1 << 37;

/// Sub-bucket bits of a per-node recorder: hdrhistogram with 2 significant digits has 256 sub-buckets, 128 per
/// half.
pub(crate) const NODE_SUB_BITS: u32 = 7;

/// Bin of `us` (< 2^37) in the layout of an hdrhistogram with lowest value 1 and `2^sub_bits` sub-buckets
/// per half bucket: `2^(sub_bits+1)` bins of width 1, then `2^sub_bits` bins per octave, each twice as wide as
/// the octave's before. Branch-free: the octave is a leading-zero count.
#[inline(always)]
pub(crate) fn bin(us: u64, sub_bits: u32) -> usize {
    let mask = (2u64 << sub_bits) - 1;
    let octave = 63 - sub_bits - (us | mask).leading_zeros();
    ((octave as usize) << sub_bits) + (us >> octave) as usize
}

/// The smallest value in bin `i`.
pub(crate) fn bin_lower(i: usize, sub_bits: u32) -> u64 {
    let half = 1usize << sub_bits;
    let octave = i >> sub_bits;
    if octave == 0 {
        i as u64
    } else {
        (((i & (half - 1)) + half) as u64) << (octave - 1)
    }
}

/// A mergeable latency recorder. Values arrive in nanoseconds and are binned in microseconds.
///
/// Counts are `u32` (a bin saturates at 4.29 billion samples): half the memory of `u64`, and a record touches
/// fewer cache lines, which is most of its cost when a scenario has many nodes.
#[derive(Clone, Debug)]
pub struct Latency {
    counts: Box<[u32]>,
    sub_bits: u32,
    total: u64,
    sum_ns: u128,
    max_ns: u64,
}

impl Latency {
    /// Three significant digits: percentiles within 0.1% (end-to-end latency, queue lag).
    pub fn precise() -> Self {
        // hdrhistogram with 3 significant digits: 2048 sub-buckets, 1024 per half.
        Self::with_sub_bits(10)
    }

    /// Two significant digits: percentiles within 1%, an eighth of the memory (every node keeps one).
    pub fn per_node() -> Self {
        Self::with_sub_bits(NODE_SUB_BITS)
    }

    fn with_sub_bits(sub_bits: u32) -> Self {
        let len = bin(TOP_US - 1, sub_bits) + 1;
        Self {
            counts: vec![0; len].into_boxed_slice(),
            sub_bits,
            total: 0,
            sum_ns: 0,
            max_ns: 0,
        }
    }

    /// Records one latency.
    #[inline(always)]
    pub fn record_ns(&mut self, ns: u64) {
        let us = ns / 1000;
        let us = if us >= TOP_US { MAX_US } else { us };
        let i = bin(us, self.sub_bits);
        if let Some(c) = self.counts.get_mut(i) {
            *c = c.saturating_add(1);
        }
        self.total += 1;
        self.sum_ns += ns as u128;
        self.max_ns = self.max_ns.max(ns);
    }

    /// Records one latency of a per-node recorder ([`Self::per_node`]) here and in the node's per-bucket
    /// histogram, computing the bin once: the bucket histogram's bins are this one's, pairwise merged.
    /// Forced inline natively: every hop of every request records here, and the call costs about as much
    /// as the work (docs/benchmarks.md); only hinted on wasm32, where the copies cost download size.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub fn record_node_ns(&mut self, bucket: &mut BucketHist, ns: u64) {
        debug_assert_eq!(self.sub_bits, NODE_SUB_BITS);
        let us = ns / 1000;
        if us >= TOP_US {
            self.record_ns(ns);
            bucket.record_ns(ns);
            return;
        }
        let i = bin(us, NODE_SUB_BITS);
        if let Some(c) = self.counts.get_mut(i) {
            *c = c.saturating_add(1);
        }
        self.total += 1;
        self.sum_ns += ns as u128;
        self.max_ns = self.max_ns.max(ns);
        bucket.record_bin(super::bucket_hist::index_from_node_bin(i));
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Forgets every sample (keeps the memory).
    pub fn reset(&mut self) {
        if self.total == 0 {
            return;
        }
        self.counts.fill(0);
        self.total = 0;
        self.sum_ns = 0;
        self.max_ns = 0;
    }

    /// Adds another recorder's samples (exact). Both must have the same precision.
    pub fn merge(&mut self, other: &Latency) {
        debug_assert_eq!(self.sub_bits, other.sub_bits);
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
        self.total += other.total;
        self.sum_ns += other.sum_ns;
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    /// The `q` quantile (0..=1) in milliseconds; NaN when empty. hdrhistogram's rule: the first bin whose
    /// running count reaches `ceil(q * n)` (at least 1), reported as the highest value of that bin (the lowest
    /// for q = 0).
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let q = q.min(1.0);
        let target = ((q * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= target {
                let us = if q == 0.0 {
                    bin_lower(i, self.sub_bits)
                } else {
                    bin_lower(i + 1, self.sub_bits) - 1
                };
                return us as f64 / 1000.0;
            }
        }
        0.0
    }

    /// Mean in milliseconds (exact); 0 when empty.
    pub fn mean_ms(&self) -> f64 {
        let n = self.count();
        if n == 0 {
            0.0
        } else {
            self.sum_ns as f64 / n as f64 / 1e6
        }
    }

    /// The recorded samples as data that can be saved and merged exactly (see [`LatencyData`]).
    pub fn to_data(&self) -> LatencyData {
        LatencyData {
            sub_bits: self.sub_bits,
            bins: self
                .counts
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .map(|(i, &c)| (i as u32, u64::from(c)))
                .collect(),
            sum_ns: self.sum_ns,
            max_ns: self.max_ns,
        }
    }

    /// Rebuilds a recorder from saved data: the same bins, counts, sum and maximum, so its summary equals
    /// the original's. Only the two layouts in use (7 and 10 sub-bucket bits) are accepted; bins outside
    /// the layout are dropped.
    pub fn from_data(data: &LatencyData) -> Self {
        let mut l = if data.sub_bits == NODE_SUB_BITS {
            Self::per_node()
        } else {
            Self::precise()
        };
        for &(i, n) in &data.bins {
            if let Some(c) = l.counts.get_mut(i as usize) {
                let n = n.min(u64::from(u32::MAX)) as u32;
                *c = c.saturating_add(n);
                l.total += u64::from(n);
            }
        }
        l.sum_ns = data.sum_ns;
        l.max_ns = data.max_ns;
        l
    }

    /// The summary the report shows. Percentiles are 0 when there were no samples.
    pub fn summary(&self) -> LatencySummary {
        let q = |x: f64| {
            let v = self.quantile_ms(x);
            if v.is_nan() { 0.0 } else { v }
        };
        LatencySummary {
            count: self.count(),
            mean: self.mean_ms(),
            p50: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
            p999: q(0.999),
            max: self.max_ns as f64 / 1e6,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hdrhistogram::Histogram;

    #[test]
    fn bins_are_contiguous_and_increasing() {
        for sub_bits in [7, 10] {
            let len = bin(TOP_US - 1, sub_bits) + 1;
            for i in 0..len - 1 {
                assert!(bin_lower(i, sub_bits) < bin_lower(i + 1, sub_bits));
                assert_eq!(bin(bin_lower(i, sub_bits), sub_bits), i, "bin {i}");
                assert_eq!(
                    bin(bin_lower(i + 1, sub_bits) - 1, sub_bits),
                    i,
                    "top of {i}"
                );
            }
            assert_eq!(bin_lower(len, sub_bits), TOP_US);
        }
    }

    /// The report's percentiles must be hdrhistogram's: same bins, same quantile rule, on samples spread over
    /// many octaves (including 0, sub-microsecond and clamped values).
    #[test]
    fn quantiles_equal_hdrhistogram() {
        for (sigfig, mut ours) in [(2u8, Latency::per_node()), (3, Latency::precise())] {
            let mut hdr = Histogram::<u32>::new_with_bounds(1, MAX_US, sigfig).unwrap();
            let mut x: u64 = 7;
            let mut add = |ns: u64, ours: &mut Latency| {
                ours.record_ns(ns);
                hdr.saturating_record(ns / 1000);
            };
            add(0, &mut ours);
            add(999, &mut ours);
            add(u64::MAX / 3, &mut ours);
            add(100_000_000_000_000, &mut ours); // between MAX_US and TOP_US: its own bin in both
            for _ in 0..200_000 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Roughly log-uniform over 1 ns .. 2^40 ns.
                let ns = (x >> 24) >> ((x >> 58) % 40);
                add(ns, &mut ours);
            }
            assert_eq!(ours.count(), hdr.len());
            for q in [0.0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1.0] {
                assert_eq!(
                    ours.quantile_ms(q),
                    hdr.value_at_quantile(q) as f64 / 1000.0,
                    "sigfig {sigfig}, q {q}"
                );
            }
        }
    }

    #[test]
    fn data_round_trip_is_exact() {
        let mut a = Latency::precise();
        for ns in [0, 1_500, 2_000_000, 3_333_333, 90_000_000_000] {
            a.record_ns(ns);
        }
        let b = Latency::from_data(&a.to_data());
        assert_eq!(a.summary(), b.summary());
        assert_eq!(a.to_data(), b.to_data());
    }

    #[test]
    fn merge_adds_samples_and_reset_forgets_them() {
        let mut a = Latency::per_node();
        let mut b = Latency::per_node();
        for ns in [1_000_000, 2_000_000, 3_000_000] {
            a.record_ns(ns);
            b.record_ns(ns * 10);
        }
        a.merge(&b);
        assert_eq!(a.count(), 6);
        assert_eq!(a.summary().max, 30.0);
        assert!((a.mean_ms() - 11.0).abs() < 1e-12);
        a.reset();
        assert_eq!(a.count(), 0);
        assert!(a.quantile_ms(0.5).is_nan());
    }
}
