//! Seeded random streams and compiled distributions. Everything here is portable: PCG generators with a
//! fixed algorithm and `rand_distr` on the pure-Rust `libm`, so a seed gives bit-identical samples on every
//! platform, natively and in WASM.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp1, LogNormal, Pareto, StandardNormal};
use rand_pcg::Pcg64Mcg;

use crate::model::Dist;

/// The generator every stream uses.
pub type SimRng = Pcg64Mcg;

/// FNV-1a: a stable hash (unlike std's hasher, guaranteed not to change between Rust versions).
pub fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The stream for one named component: depends only on the seed and the name, so adding a node leaves the
/// others' random numbers unchanged (common random numbers when comparing variants).
pub fn stream(seed: u64, name: &str) -> SimRng {
    SimRng::seed_from_u64(seed ^ stable_hash(name).rotate_left(17))
}

/// A uniform number in [0, 1) with 53 random bits.
#[inline]
pub fn unit(rng: &mut SimRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Rounds a non-negative duration to whole nanoseconds (`f64::round` is a libm call; this is two
/// instructions and gives the same result for the non-negative values used here).
#[inline]
pub fn to_ns(x: f64) -> u64 {
    (x.clamp(0.0, 1e18) + 0.5) as u64
}

/// A distribution compiled for sampling durations in nanoseconds.
#[derive(Clone, Debug)]
pub enum Sampler {
    /// Fixed value, ns.
    Constant(u64),
    /// Exponential with this mean, ns.
    Exponential(f64),
    /// Uniform on [min, min + span), ns.
    Uniform(f64, f64),
    /// Normal (mean, sd) in ns, truncated at 0.
    Normal(f64, f64),
    /// Log-normal, in ms, scaled to ns after sampling.
    LogNormal(LogNormal<f64>),
    /// Pareto, in ms.
    Pareto(Pareto<f64>),
}

const NS_PER_MS: f64 = 1e6;

impl Sampler {
    /// Compiles a validated distribution given in milliseconds.
    pub fn new(d: &Dist) -> Self {
        match *d {
            Dist::Constant { value } => Self::Constant((value * NS_PER_MS).round() as u64),
            Dist::Exponential { mean } => Self::Exponential(mean * NS_PER_MS),
            Dist::Uniform { min, max } => Self::Uniform(min * NS_PER_MS, (max - min) * NS_PER_MS),
            Dist::Normal { mean, std_dev } => Self::Normal(mean * NS_PER_MS, std_dev * NS_PER_MS),
            Dist::LogNormal { mean, std_dev } => {
                match LogNormal::from_mean_cv(mean, std_dev / mean) {
                    Ok(d) => Self::LogNormal(d),
                    Err(_) => Self::Constant((mean * NS_PER_MS).round() as u64),
                }
            }
            Dist::Pareto { scale, shape } => match Pareto::new(scale, shape) {
                Ok(d) => Self::Pareto(d),
                Err(_) => Self::Constant((scale * NS_PER_MS).round() as u64),
            },
        }
    }

    /// Draws one duration, ns.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        let ns = match self {
            Self::Constant(v) => return *v,
            Self::Exponential(mean) => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Self::Uniform(min, span) => min + unit(rng) * span,
            Self::Normal(mean, sd) => {
                // Resample negatives (truncation); clamp after a few tries so a silly sd cannot loop long.
                let mut x = -1.0;
                for _ in 0..16 {
                    let z: f64 = StandardNormal.sample(rng);
                    x = mean + sd * z;
                    if x >= 0.0 {
                        break;
                    }
                }
                x.max(0.0)
            }
            Self::LogNormal(d) => d.sample(rng) * NS_PER_MS,
            Self::Pareto(d) => d.sample(rng) * NS_PER_MS,
        };
        to_ns(ns)
    }
}
