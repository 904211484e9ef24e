//! Latency recording: an exact sum for the mean, an hdrhistogram for percentiles.

use hdrhistogram::Histogram;

use super::LatencySummary;

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
