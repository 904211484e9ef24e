//! A small log-linear histogram for the per-second time series.
//!
//! Every node keeps one per bucket and it is cleared every simulated second, so it must be tiny and cheap:
//! 64 linear sub-buckets per power of two (1.6% resolution), `u32` counts, 10 KiB, and a record is a
//! leading-zero count and a shift. The run's summary percentiles still come from hdrhistogram ([`super::Latency`]).

const SUB_BITS: u32 = 6;
const SUB: usize = 1 << SUB_BITS;
/// Values are microseconds; 40 octaves reach 2^45 us (over a year).
const OCTAVES: usize = 40;

/// Per-bucket latency histogram (microsecond bins).
#[derive(Clone, Debug)]
pub struct BucketHist {
    counts: Box<[u32]>,
    total: u64,
}

impl Default for BucketHist {
    fn default() -> Self {
        Self {
            counts: vec![0; SUB * OCTAVES].into_boxed_slice(),
            total: 0,
        }
    }
}

#[inline]
fn index(us: u64) -> usize {
    if us < SUB as u64 {
        return us as usize;
    }
    let octave = 63 - us.leading_zeros() - SUB_BITS + 1; // >= 1
    let sub = (us >> (octave - 1)) as usize & (SUB - 1);
    ((octave as usize * SUB) + sub).min(SUB * OCTAVES - 1)
}

/// The smallest value that maps to bin `i`, in microseconds.
fn lower_bound(i: usize) -> u64 {
    let octave = (i / SUB) as u32;
    let sub = (i % SUB) as u64;
    if octave == 0 {
        sub
    } else {
        (SUB as u64 + sub) << (octave - 1)
    }
}

impl BucketHist {
    /// Records one latency in nanoseconds.
    #[inline]
    pub fn record_ns(&mut self, ns: u64) {
        self.counts[index(ns / 1000)] += 1;
        self.total += 1;
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Clears (cheap when already empty).
    pub fn reset(&mut self) {
        if self.total > 0 {
            self.counts.fill(0);
            self.total = 0;
        }
    }

    /// The `q` quantile in milliseconds (middle of its bin); NaN when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.total == 0 {
            return f64::NAN;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= rank {
                let lo = lower_bound(i) as f64;
                let hi = lower_bound(i + 1) as f64;
                return (lo + hi) / 2.0 / 1000.0;
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
}
