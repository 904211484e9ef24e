//! Seeded random streams and compiled distributions. Everything here aims to be portable: PCG generators
//! with a fixed algorithm, `rand_distr`'s ziggurat samplers, and `libm` (pure Rust) wherever a
//! transcendental function's result becomes a duration, so a seed gives the same samples natively and in
//! WASM. (The ziggurats call `exp` only to accept or reject in their rare wedge cases.)

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp1, StandardNormal};
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

/// Rounds a non-negative duration to whole nanoseconds, at most 1e18 (about 32 years, so adding it to the clock
/// cannot overflow). `f64::round` is a libm call; this is a few instructions and gives the same result for the
/// non-negative values used here. Negative and NaN give 0. Through `i64`: x86-64 converts a float to a signed
/// integer in one instruction but to an unsigned one only with a branchy sequence.
#[inline]
#[allow(
    unsafe_code,
    reason = "`to_int_unchecked` behind an explicit range check: the saturating `as` cost a third more"
)]
pub fn to_ns(x: f64) -> u64 {
    const MAX_NS: u64 = 1_000_000_000_000_000_000;
    let y = x + 0.5;
    if y > 0.0 && y < MAX_NS as f64 {
        // SAFETY: `y` is finite (not NaN: the comparisons fail for it) and within 0..1e18, so truncating it
        // fits an i64. A plain `as` would add the saturation fix-ups that cost a third of this function.
        unsafe { y.to_int_unchecked::<i64>() as u64 }
    } else if y >= MAX_NS as f64 {
        MAX_NS
    } else {
        0
    }
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
    /// Log-normal: `exp(mu + sigma z)` ms with z standard normal.
    LogNormal { mu: f64, sigma: f64 },
    /// Pareto by inversion: `scale * u^(-1/shape)` ms.
    Pareto { scale: f64, inv_shape: f64 },
    /// Exponential with mean `.0` ns, or with probability `.1.0` the constant `.1.1` ns (boxed: the other
    /// variants fit in two words, and the samplers sit in the engine's hot structures).
    Bimodal(f64, Box<(f64, u64)>),
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
                // Moments of the duration -> parameters of its logarithm.
                let cv = std_dev / mean;
                let sigma2 = libm::log1p(cv * cv);
                Self::LogNormal {
                    mu: libm::log(mean) - sigma2 / 2.0,
                    sigma: libm::sqrt(sigma2),
                }
            }
            Dist::Pareto { scale, shape } => Self::Pareto {
                scale,
                inv_shape: 1.0 / shape,
            },
            Dist::Bimodal {
                mean,
                slow_probability,
                slow_value,
            } => Self::Bimodal(
                mean * NS_PER_MS,
                Box::new((slow_probability, (slow_value * NS_PER_MS).round() as u64)),
            ),
        }
    }

    /// Draws one duration, ns. The two common cases are inline; the rest are out of line so that this stays
    /// small enough to inline into the engine's handlers.
    #[inline(always)]
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        match self {
            Self::Constant(v) => *v,
            Self::Exponential(mean) => {
                let e: f64 = Exp1.sample(rng);
                to_ns(e * mean)
            }
            _ => self.sample_other(rng),
        }
    }

    #[inline(never)]
    fn sample_other(&self, rng: &mut SimRng) -> u64 {
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
            // `libm` directly, not num-traits: feature unification can route num-traits to the platform's
            // libm, whose last bit may differ from WASM's; these values feed the clock directly.
            Self::LogNormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                libm::exp(mu + sigma * z) * NS_PER_MS
            }
            Self::Pareto { scale, inv_shape } => {
                // 1 - u is in (0, 1], so the power is finite.
                scale * libm::pow(1.0 - unit(rng), -inv_shape) * NS_PER_MS
            }
            Self::Bimodal(mean, slow) => {
                if unit(rng) < slow.0 {
                    return slow.1;
                }
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
        };
        to_ns(ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_ns_rounds_and_clamps_like_the_saturating_cast() {
        let reference = |x: f64| ((x + 0.5) as i64).clamp(0, 1_000_000_000_000_000_000) as u64;
        let cases = [
            0.0,
            -0.0,
            0.49,
            0.5,
            1.5,
            2.4999,
            1e6,
            123456.7,
            -3.0,
            9.99e17,
            1e18,
            1.5e18,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            5e-324,
        ];
        for x in cases {
            assert_eq!(to_ns(x), reference(x), "{x:e}");
        }
    }

    fn mean_of(d: &Dist, n: usize) -> f64 {
        let s = Sampler::new(d);
        let mut rng = stream(3, "test");
        (0..n).map(|_| s.sample(&mut rng) as f64 / 1e6).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_the_declared_means() {
        for d in [
            Dist::exp(10.0),
            Dist::Uniform { min: 2.0, max: 6.0 },
            Dist::Normal {
                mean: 10.0,
                std_dev: 2.0,
            },
            Dist::LogNormal {
                mean: 4.0,
                std_dev: 3.0,
            },
            Dist::Pareto {
                scale: 1.0,
                shape: 3.0,
            },
            Dist::Bimodal {
                mean: 10.0,
                slow_probability: 0.01,
                slow_value: 1000.0,
            },
        ] {
            let want = d.mean().unwrap();
            let got = mean_of(&d, 400_000);
            assert!(
                (got - want).abs() / want < 0.01,
                "{d:?}: sample mean {got}, declared {want}"
            );
        }
    }

    #[test]
    fn log_normal_standard_deviation_is_the_declared_one() {
        let s = Sampler::new(&Dist::LogNormal {
            mean: 4.0,
            std_dev: 3.0,
        });
        let mut rng = stream(5, "sd");
        let xs: Vec<f64> = (0..400_000)
            .map(|_| s.sample(&mut rng) as f64 / 1e6)
            .collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
        assert!((sd - 3.0).abs() / 3.0 < 0.03, "sd {sd}");
    }
}
