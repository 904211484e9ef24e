//! Latency recording: an exact sum for the mean, an hdrhistogram for percentiles.

use hdrhistogram::Histogram;

use serde::{Deserialize, Serialize};

use super::LatencySummary;

/// A latency recorder's contents as plain data (for sweep partial results that are merged later):
/// every non-empty bin as `(highest value of the bin in microseconds, count)`, in increasing order, plus
/// the exact sum and maximum. [`Latency::from_data`] rebuilds the recorder exactly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyData {
    /// Significant digits of the histogram (3 end to end).
    pub sigfig: u8,
    /// Non-empty bins: `(value_us, count)`.
    pub counts_us: Vec<(u64, u64)>,
    /// Exact sum of the samples, ns.
    pub sum_ns: u128,
    /// Largest sample, ns.
    pub max_ns: u64,
}

/// Largest latency the histograms resolve, in microseconds (one day); larger values are clamped.
const MAX_US: u64 = 86_400_000_000;

/// A mergeable latency recorder. Values arrive in nanoseconds and are binned in microseconds.
///
/// Counts are `u32` (a bin saturates at 4.29 billion samples): half the memory of `u64`, and a record touches
/// fewer cache lines, which is most of its cost when a scenario has many nodes.
#[derive(Clone, Debug)]
pub struct Latency {
    hist: Histogram<u32>,
    sum_ns: u128,
    max_ns: u64,
}

impl Latency {
    /// Three significant digits: percentiles within 0.1% (end-to-end latency, queue lag).
    pub fn precise() -> Self {
        Self::with_sigfig(3)
    }

    /// Two significant digits: percentiles within 1%, an eighth of the memory (every node keeps one).
    pub fn per_node() -> Self {
        Self::with_sigfig(2)
    }

    fn with_sigfig(sigfig: u8) -> Self {
        Self {
            hist: Histogram::new_with_bounds(1, MAX_US, sigfig)
                .expect("constant histogram bounds are valid"),
            sum_ns: 0,
            max_ns: 0,
        }
    }

    /// Records one latency.
    #[inline]
    pub fn record_ns(&mut self, ns: u64) {
        self.hist.saturating_record(ns / 1000);
        self.sum_ns += ns as u128;
        self.max_ns = self.max_ns.max(ns);
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.hist.len()
    }

    /// Forgets every sample (keeps the memory).
    pub fn reset(&mut self) {
        if self.hist.is_empty() {
            return;
        }
        self.hist.reset();
        self.sum_ns = 0;
        self.max_ns = 0;
    }

    /// Adds another recorder's samples (exact).
    pub fn merge(&mut self, other: &Latency) {
        // Both share bounds, so adding cannot fail.
        let _ = self.hist.add(&other.hist);
        self.sum_ns += other.sum_ns;
        self.max_ns = self.max_ns.max(other.max_ns);
    }

    /// The `q` quantile (0..=1) in milliseconds; NaN when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.hist.is_empty() {
            return f64::NAN;
        }
        self.hist.value_at_quantile(q) as f64 / 1000.0
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
            sigfig: self.hist.sigfig(),
            counts_us: self
                .hist
                .iter_recorded()
                .map(|v| (v.value_iterated_to(), v.count_at_value() as u64))
                .collect(),
            sum_ns: self.sum_ns,
            max_ns: self.max_ns,
        }
    }

    /// Rebuilds a recorder from saved data: the same bins, counts, sum and maximum, so its summary equals
    /// the original's.
    pub fn from_data(data: &LatencyData) -> Self {
        let mut l = Self::with_sigfig(data.sigfig.clamp(1, 5));
        for &(us, n) in &data.counts_us {
            // `us` is the highest value of its bin, so it lands in the same bin again.
            let _ = l
                .hist
                .record_n(us.clamp(1, MAX_US), n.min(u64::from(u32::MAX)) as u32);
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
