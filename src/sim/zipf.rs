//! Zipf key popularity, shared by the caches' key model and the sharded databases: one table, one sampler,
//! so a key drawn by either follows the same law bit for bit.

use super::sampler::{SimRng, unit};

/// Cumulative popularity of `n` keys, key 0 the most popular (weight 1/(k+1)^s); sampled by binary search
/// (O(log n) per draw).
#[derive(Clone, Debug)]
pub(crate) struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub fn new(keys: u32, exponent: f64) -> Self {
        let n = keys.max(1) as usize;
        let mut cdf = Vec::with_capacity(n);
        let mut sum = 0.0;
        for i in 1..=n {
            // libm, not std: the table decides which key is drawn, so it must be the same on every platform.
            sum += libm::pow(i as f64, -exponent);
            cdf.push(sum);
        }
        Self { cdf }
    }

    /// Keys in the table.
    pub fn len(&self) -> usize {
        self.cdf.len()
    }

    /// Draws a key by its popularity.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> u32 {
        let u = unit(rng) * self.cdf[self.cdf.len() - 1];
        (self.cdf.partition_point(|&c| c <= u) as u32).min(self.cdf.len() as u32 - 1)
    }
}
