//! Probability distributions for service times and network latencies.

use serde::{Deserialize, Serialize};

/// A non-negative random duration in **milliseconds** (the field that holds it carries `_ms` in its name).
///
/// Sampling uses `rand_distr` built on the pure-Rust `libm`, so a seed gives the same values natively and in WASM.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Dist {
    /// Always `value`.
    Constant {
        /// The value, in the unit of the field (ms for times).
        value: f64,
    },
    /// Exponential with the given mean (memoryless: the M in M/M/1).
    Exponential {
        /// Mean.
        mean: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Smallest value.
        min: f64,
        /// Largest value.
        max: f64,
    },
    /// Normal, truncated at 0 by resampling (so short tails stay realistic).
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        std_dev: f64,
    },
    /// Log-normal described by the mean and standard deviation **of the duration itself** (not of its log).
    LogNormal {
        /// Mean of the duration.
        mean: f64,
        /// Standard deviation of the duration.
        std_dev: f64,
    },
    /// Pareto (heavy tail) with minimum `scale` and tail index `shape` (mean is finite only for shape > 1).
    Pareto {
        /// Minimum value.
        scale: f64,
        /// Tail index: smaller is heavier (the variance is finite only above 2).
        shape: f64,
    },
    /// Mostly fast with rare stalls (a GC pause, a disk seek, a retransmission): exponential with mean
    /// `mean`, except that with probability `slow_probability` the duration is `slow_value` instead. The
    /// leaf of Dean and Barroso's "The Tail at Scale" (10 ms, but 1 s one time in a hundred).
    Bimodal {
        /// Mean of the fast, exponential mode.
        mean: f64,
        /// Probability of a stall, 0 to 1.
        slow_probability: f64,
        /// The stall's fixed duration.
        slow_value: f64,
    },
}

impl Default for Dist {
    fn default() -> Self {
        Self::Constant { value: 0.0 }
    }
}

impl Dist {
    /// Short names of every variant, in the order the UI lists them.
    pub const NAMES: [&'static str; 7] = [
        "Constant",
        "Exponential",
        "Uniform",
        "Normal",
        "LogNormal",
        "Pareto",
        "Bimodal",
    ];

    /// A constant duration.
    pub fn constant(value: f64) -> Self {
        Self::Constant { value }
    }

    /// An exponential duration with this mean.
    pub fn exp(mean: f64) -> Self {
        Self::Exponential { mean }
    }

    /// The variant's name, as written in scenario files.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Constant { .. } => "Constant",
            Self::Exponential { .. } => "Exponential",
            Self::Uniform { .. } => "Uniform",
            Self::Normal { .. } => "Normal",
            Self::LogNormal { .. } => "LogNormal",
            Self::Pareto { .. } => "Pareto",
            Self::Bimodal { .. } => "Bimodal",
        }
    }

    /// A distribution of the named kind with the same mean as `self` (for the UI's distribution picker).
    pub fn with_kind(&self, name: &str) -> Self {
        let m = self
            .mean()
            .filter(|m| m.is_finite())
            .unwrap_or(1.0)
            .max(0.0);
        match name {
            "Constant" => Self::Constant { value: m },
            "Exponential" => Self::Exponential { mean: m },
            "Uniform" => Self::Uniform {
                min: 0.0,
                max: 2.0 * m,
            },
            "Normal" => Self::Normal {
                mean: m,
                std_dev: m / 4.0,
            },
            "LogNormal" => Self::LogNormal {
                mean: m,
                std_dev: m,
            },
            "Bimodal" => Self::Bimodal {
                mean: m,
                slow_probability: 0.01,
                slow_value: 100.0 * m,
            },
            _ => Self::Pareto {
                scale: m / 2.0,
                shape: 2.0,
            },
        }
    }

    /// The theoretical mean, if finite. Truncation of the normal at 0 is ignored (it matters only when
    /// `std_dev` is comparable to `mean`).
    pub fn mean(&self) -> Option<f64> {
        match *self {
            Self::Constant { value } => Some(value),
            Self::Exponential { mean } => Some(mean),
            Self::Uniform { min, max } => Some((min + max) / 2.0),
            Self::Normal { mean, .. } => Some(mean),
            Self::LogNormal { mean, .. } => Some(mean),
            Self::Pareto { scale, shape } => (shape > 1.0).then(|| shape * scale / (shape - 1.0)),
            Self::Bimodal {
                mean,
                slow_probability: p,
                slow_value,
            } => Some((1.0 - p) * mean + p * slow_value),
        }
    }

    /// The theoretical second moment E\[S²\], if finite (used by Pollaczek-Khinchine estimates).
    pub fn second_moment(&self) -> Option<f64> {
        match *self {
            Self::Constant { value } => Some(value * value),
            Self::Exponential { mean } => Some(2.0 * mean * mean),
            Self::Uniform { min, max } => Some((min * min + min * max + max * max) / 3.0),
            Self::Normal { mean, std_dev } | Self::LogNormal { mean, std_dev } => {
                Some(mean * mean + std_dev * std_dev)
            }
            Self::Pareto { scale, shape } => {
                (shape > 2.0).then(|| shape * scale * scale / (shape - 2.0))
            }
            Self::Bimodal {
                mean,
                slow_probability: p,
                slow_value,
            } => Some((1.0 - p) * 2.0 * mean * mean + p * slow_value * slow_value),
        }
    }

    /// Multiplies every time parameter by `factor` (used for slow-downs and unit changes).
    pub fn scaled(&self, factor: f64) -> Self {
        match *self {
            Self::Constant { value } => Self::Constant {
                value: value * factor,
            },
            Self::Exponential { mean } => Self::Exponential {
                mean: mean * factor,
            },
            Self::Uniform { min, max } => Self::Uniform {
                min: min * factor,
                max: max * factor,
            },
            Self::Normal { mean, std_dev } => Self::Normal {
                mean: mean * factor,
                std_dev: std_dev * factor,
            },
            Self::LogNormal { mean, std_dev } => Self::LogNormal {
                mean: mean * factor,
                std_dev: std_dev * factor,
            },
            Self::Pareto { scale, shape } => Self::Pareto {
                scale: scale * factor,
                shape,
            },
            Self::Bimodal {
                mean,
                slow_probability,
                slow_value,
            } => Self::Bimodal {
                mean: mean * factor,
                slow_probability,
                slow_value: slow_value * factor,
            },
        }
    }

    /// The named numeric parameters, for validation messages and `--set` overrides.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Self::Constant { value } => vec![("value", value)],
            Self::Exponential { mean } => vec![("mean", mean)],
            Self::Uniform { min, max } => vec![("min", min), ("max", max)],
            Self::Normal { mean, std_dev } | Self::LogNormal { mean, std_dev } => {
                vec![("mean", mean), ("std_dev", std_dev)]
            }
            Self::Pareto { scale, shape } => vec![("scale", scale), ("shape", shape)],
            Self::Bimodal {
                mean,
                slow_probability,
                slow_value,
            } => vec![
                ("mean", mean),
                ("slow_probability", slow_probability),
                ("slow_value", slow_value),
            ],
        }
    }

    /// Mutable access to the named numeric parameters (for editors and overrides).
    pub fn params_mut(&mut self) -> Vec<(&'static str, &mut f64)> {
        match self {
            Self::Constant { value } => vec![("value", value)],
            Self::Exponential { mean } => vec![("mean", mean)],
            Self::Uniform { min, max } => vec![("min", min), ("max", max)],
            Self::Normal { mean, std_dev } | Self::LogNormal { mean, std_dev } => {
                vec![("mean", mean), ("std_dev", std_dev)]
            }
            Self::Pareto { scale, shape } => vec![("scale", scale), ("shape", shape)],
            Self::Bimodal {
                mean,
                slow_probability,
                slow_value,
            } => vec![
                ("mean", mean),
                ("slow_probability", slow_probability),
                ("slow_value", slow_value),
            ],
        }
    }

    /// Checks the parameters; returns the problem in words, naming the parameter, value and allowed range.
    pub fn check(&self) -> Result<(), String> {
        match self.problem() {
            Some((name, message)) => Err(format!("{name} {message}")),
            None => Ok(()),
        }
    }

    /// The first bad parameter, as its name and "is VALUE; allowed ..." (validation puts the name in the
    /// field path, e.g. `service_time_ms.mean`, the same path `--set` uses).
    pub(super) fn problem(&self) -> Option<(&'static str, String)> {
        for (name, v) in self.params() {
            if !v.is_finite() {
                return Some((name, format!("is {v}; it must be a finite number")));
            }
        }
        let nonneg = |name: &'static str, v: f64| {
            (v < 0.0).then(|| (name, format!("is {v}; it must be >= 0")))
        };
        let positive = |name: &'static str, v: f64| {
            (v <= 0.0).then(|| (name, format!("is {v}; it must be > 0")))
        };
        match *self {
            Self::Constant { value } => nonneg("value", value),
            Self::Exponential { mean } => nonneg("mean", mean),
            Self::Uniform { min, max } => nonneg("min", min).or_else(|| {
                (max < min).then(|| ("max", format!("is {max}; it must be >= min ({min})")))
            }),
            Self::Normal { mean, std_dev } => {
                nonneg("mean", mean).or_else(|| nonneg("std_dev", std_dev))
            }
            Self::LogNormal { mean, std_dev } => {
                positive("mean", mean).or_else(|| nonneg("std_dev", std_dev))
            }
            Self::Pareto { scale, shape } => {
                positive("scale", scale).or_else(|| positive("shape", shape))
            }
            Self::Bimodal {
                mean,
                slow_probability: p,
                slow_value,
            } => nonneg("mean", mean)
                .or_else(|| {
                    (!(0.0..=1.0).contains(&p))
                        .then(|| ("slow_probability", format!("is {p}; allowed: 0 to 1")))
                })
                .or_else(|| nonneg("slow_value", slow_value)),
        }
    }
}
