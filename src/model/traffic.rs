//! Load profiles: how a client's rate changes over the run (steps, a ramp, a day's curve, a replayed trace).
//! The rate at time t is `rate_rps x load x multiplier(t)` (a trace gives the rate itself: `trace(t) x
//! load`). The engine draws a Poisson process under that rate by thinning (`src/sim/traffic.rs`); the
//! closed forms here (peak, integral) serve the limits, the flow model and the tests.

use serde::{Deserialize, Serialize};

use super::Problem;
use super::limits::MAX_TRACE_POINTS;

/// Largest multiplier a profile may use (a step, a ramp end): beyond it the offered-load limits refuse the
/// scenario anyway.
pub const MAX_MULTIPLIER: f64 = 10_000.0;

/// How a client's rate varies over the run, as a multiplier of its `rate_rps` (time is the simulation
/// clock, seconds from the run's start, warm-up included).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Profile {
    /// `(at_s, multiplier)` pairs, sorted by time: the multiplier is 1 before the first step, and each
    /// step's from its `at_s` until the next. E.g. `Steps([(60, 3.0), (120, 1.0)])`: 3x for a minute.
    Steps(Vec<(f64, f64)>),
    /// The multiplier goes linearly from `from` (until `at_s`) to `to` (at `at_s + over_s`, and after).
    Ramp {
        /// Multiplier at the start, >= 0.
        from: f64,
        /// Multiplier at the end, >= 0.
        to: f64,
        /// When the ramp starts, s. Default 0.
        #[serde(default)]
        at_s: f64,
        /// How long it takes, s (> 0).
        over_s: f64,
    },
    /// A day's curve: a sinusoid of period `period_s` whose highest rate is `peak_to_trough` times its
    /// lowest, highest at `peak_at_s` (and every period after). Its mean over a period is 1, so `rate_rps` is
    /// the day's average: multiplier(t) = 1 + a cos(2 pi (t - peak_at_s) / period_s), a = (r - 1) / (r + 1).
    Diurnal {
        /// Length of a "day", s (> 0); a short one compresses a day into a run.
        period_s: f64,
        /// Peak rate over trough rate, >= 1 (1 is flat).
        peak_to_trough: f64,
        /// When the peak comes, s from the start (any value; taken modulo the period).
        #[serde(default)]
        peak_at_s: f64,
    },
    /// Replays measured rates: `rates_rps[i]` requests/s during `[i x step_s, (i + 1) x step_s)`, repeated
    /// after the last value. The client's `rate_rps` is ignored (the trace is the rate; the load still
    /// multiplies it). `file`, a CSV beside the scenario file, is read when the scenario is loaded and its
    /// rates written into `rates_rps` (so a saved file or a share link carries them); while `rates_rps` is
    /// not empty the file is not read again.
    Trace {
        /// Per-interval rates, requests/s, each >= 0 and finite; at most [`MAX_TRACE_POINTS`].
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        rates_rps: Vec<f64>,
        /// Interval length, s (> 0). Default 1.
        #[serde(default = "one")]
        step_s: f64,
        /// Where the rates came from (a path relative to the scenario file). Default: none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
    },
}

fn one() -> f64 {
    1.0
}

impl Profile {
    /// The diurnal curve's amplitude a, from its peak-to-trough ratio r: (1 + a) / (1 - a) = r.
    fn amplitude(ratio: f64) -> f64 {
        (ratio - 1.0) / (ratio + 1.0)
    }

    /// The client's base rate under this profile: its `rate_rps`, or 1 for a trace (whose values are rates).
    pub fn base_rps(&self, rate_rps: f64) -> f64 {
        match self {
            Profile::Trace { .. } => 1.0,
            Profile::Steps(_) | Profile::Ramp { .. } | Profile::Diurnal { .. } => rate_rps,
        }
    }

    /// The multiplier at `t_s` seconds.
    pub fn multiplier(&self, t_s: f64) -> f64 {
        match self {
            Profile::Steps(steps) => steps
                .iter()
                .rev()
                .find(|(at, _)| *at <= t_s)
                .map_or(1.0, |s| s.1),
            Profile::Ramp {
                from,
                to,
                at_s,
                over_s,
            } => {
                let f = ((t_s - at_s) / over_s).clamp(0.0, 1.0);
                from + (to - from) * f
            }
            Profile::Diurnal {
                period_s,
                peak_to_trough,
                peak_at_s,
            } => {
                let phase = std::f64::consts::TAU * (t_s - peak_at_s) / period_s;
                1.0 + Self::amplitude(*peak_to_trough) * libm::cos(phase)
            }
            Profile::Trace {
                rates_rps, step_s, ..
            } => {
                if rates_rps.is_empty() || t_s < 0.0 {
                    return 0.0;
                }
                let i = (t_s / step_s).floor() as usize % rates_rps.len();
                rates_rps[i]
            }
        }
    }

    /// The largest multiplier at any time, and a time at which it is reached (the first, for steps and
    /// traces; the first peak for a day's curve).
    pub fn peak(&self) -> (f64, f64) {
        match self {
            Profile::Steps(steps) => {
                steps.iter().fold(
                    (1.0, 0.0),
                    |best, &(at, m)| if m > best.0 { (m, at) } else { best },
                )
            }
            Profile::Ramp {
                from,
                to,
                at_s,
                over_s,
            } => {
                if to > from {
                    (*to, at_s + over_s)
                } else {
                    (*from, 0.0)
                }
            }
            Profile::Diurnal {
                period_s,
                peak_to_trough,
                peak_at_s,
            } => (
                1.0 + Self::amplitude(*peak_to_trough),
                peak_at_s.rem_euclid(*period_s),
            ),
            Profile::Trace {
                rates_rps, step_s, ..
            } => rates_rps
                .iter()
                .enumerate()
                .fold((0.0, 0.0), |best, (i, &r)| {
                    if r > best.0 {
                        (r, i as f64 * step_s)
                    } else {
                        best
                    }
                }),
        }
    }

    /// The integral of the multiplier from `t0_s` to `t1_s` (exact): the expected arrivals over that time
    /// are this times the base rate and the load.
    pub fn integral(&self, t0_s: f64, t1_s: f64) -> f64 {
        if t1_s <= t0_s {
            return 0.0;
        }
        match self {
            Profile::Steps(steps) => {
                // Breakpoints inside (t0, t1), each piece at its constant multiplier.
                let mut total = 0.0;
                let mut t = t0_s;
                for &(at, _) in steps.iter().filter(|(at, _)| *at > t0_s && *at < t1_s) {
                    total += self.multiplier(t) * (at - t);
                    t = at;
                }
                total + self.multiplier(t) * (t1_s - t)
            }
            Profile::Ramp { at_s, over_s, .. } => {
                // Piecewise linear: trapezoids between the ramp's ends.
                let cuts = [
                    t0_s,
                    at_s.clamp(t0_s, t1_s),
                    (at_s + over_s).clamp(t0_s, t1_s),
                    t1_s,
                ];
                cuts.windows(2)
                    .map(|w| (w[1] - w[0]) * (self.multiplier(w[0]) + self.multiplier(w[1])) / 2.0)
                    .sum()
            }
            Profile::Diurnal {
                period_s,
                peak_to_trough,
                peak_at_s,
            } => {
                let w = std::f64::consts::TAU / period_s;
                let a = Self::amplitude(*peak_to_trough);
                let sin = |t: f64| libm::sin(w * (t - peak_at_s));
                (t1_s - t0_s) + a / w * (sin(t1_s) - sin(t0_s))
            }
            Profile::Trace {
                rates_rps, step_s, ..
            } => {
                if rates_rps.is_empty() {
                    return 0.0;
                }
                let (a, b) = (t0_s.max(0.0), t1_s.max(0.0));
                let first = (a / step_s).floor() as u64;
                let last = (b / step_s).ceil() as u64;
                (first..last)
                    .map(|i| {
                        let (lo, hi) = (i as f64 * step_s, (i + 1) as f64 * step_s);
                        let overlap = hi.min(b) - lo.max(a);
                        rates_rps[(i % rates_rps.len() as u64) as usize] * overlap.max(0.0)
                    })
                    .sum()
            }
        }
    }

    /// Where a stretch of multiplier 0 at `t_s` ends: the first later time the multiplier is positive (or
    /// `t_s` itself when it is not 0 there), `None` when it stays 0 for ever. Lets a generator skip silence
    /// instead of drawing through it.
    pub fn next_positive(&self, t_s: f64) -> Option<f64> {
        if self.multiplier(t_s) > 0.0 {
            return Some(t_s);
        }
        match self {
            Profile::Steps(steps) => steps
                .iter()
                .find(|(at, m)| *at > t_s && *m > 0.0)
                .map(|s| s.0),
            Profile::Ramp {
                to, at_s, over_s, ..
            } => {
                // 0 before the ramp (from = 0) ends when it starts, if it rises; 0 at its end stays.
                (t_s < *at_s && *to > 0.0)
                    .then_some(*at_s)
                    .or((t_s >= *at_s && t_s < at_s + over_s).then_some(t_s))
            }
            // Never 0: its trough is the peak over a finite ratio.
            Profile::Diurnal { .. } => Some(t_s),
            Profile::Trace {
                rates_rps, step_s, ..
            } => {
                let n = rates_rps.len() as u64;
                let i = (t_s.max(0.0) / step_s).floor() as u64;
                (1..=n)
                    .find(|k| rates_rps[((i + k) % n.max(1)) as usize] > 0.0)
                    .map(|k| (i + k) as f64 * step_s)
            }
        }
    }

    /// A short label for the canvas and tables: "steps x3", "ramp 1-4x", "diurnal x3.5", "trace 3,600 s".
    pub fn label(&self) -> String {
        let g = |x: f64| {
            let s = format!("{x:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        };
        match self {
            Profile::Steps(_) => format!("steps to x{}", g(self.peak().0)),
            Profile::Ramp { from, to, .. } => format!("ramp x{}-{}", g(*from), g(*to)),
            Profile::Diurnal { peak_to_trough, .. } => format!("diurnal x{}", g(*peak_to_trough)),
            Profile::Trace {
                rates_rps, step_s, ..
            } => format!("trace {} s", g(rates_rps.len() as f64 * step_s)),
        }
    }

    /// Every problem with the profile's fields, at `place` (the node) under `profile.`.
    pub fn problems(&self, place: &str) -> Vec<Problem> {
        let mut p = Vec::new();
        let mut bad = |field: &str, msg: String| p.push(Problem::new(place, field, msg));
        let mult_ok = |m: f64| m.is_finite() && (0.0..=MAX_MULTIPLIER).contains(&m);
        match self {
            Profile::Steps(steps) => {
                if steps.is_empty() {
                    bad(
                        "profile.Steps",
                        "is empty; list at least one (at_s, multiplier) step".into(),
                    );
                }
                for (i, &(at, m)) in steps.iter().enumerate() {
                    if !(at.is_finite() && at >= 0.0) {
                        bad(
                            "profile.Steps",
                            format!("step {} is at {at} s; times must be >= 0", i + 1),
                        );
                    }
                    if !mult_ok(m) {
                        bad(
                            "profile.Steps",
                            format!(
                                "step {} has multiplier {m}; allowed: 0 to {MAX_MULTIPLIER}",
                                i + 1
                            ),
                        );
                    }
                    if i > 0 && at.partial_cmp(&steps[i - 1].0) != Some(std::cmp::Ordering::Greater)
                    {
                        bad(
                            "profile.Steps",
                            format!(
                                "step {} is at {at} s, not after step {} at {} s; list steps in time order",
                                i + 1,
                                i,
                                steps[i - 1].0
                            ),
                        );
                    }
                }
            }
            Profile::Ramp {
                from,
                to,
                at_s,
                over_s,
            } => {
                for (name, m) in [("profile.from", *from), ("profile.to", *to)] {
                    if !mult_ok(m) {
                        bad(name, format!("is {m}; allowed: 0 to {MAX_MULTIPLIER}"));
                    }
                }
                if !(at_s.is_finite() && *at_s >= 0.0) {
                    bad(
                        "profile.at_s",
                        format!("is {at_s}; it must be >= 0 seconds"),
                    );
                }
                if !(over_s.is_finite() && *over_s > 0.0) {
                    bad(
                        "profile.over_s",
                        format!("is {over_s}; it must be > 0 seconds"),
                    );
                }
            }
            Profile::Diurnal {
                period_s,
                peak_to_trough,
                peak_at_s,
            } => {
                if !(period_s.is_finite() && *period_s > 0.0) {
                    bad(
                        "profile.period_s",
                        format!("is {period_s}; it must be > 0 seconds"),
                    );
                }
                if !(peak_to_trough.is_finite() && (1.0..=MAX_MULTIPLIER).contains(peak_to_trough))
                {
                    bad(
                        "profile.peak_to_trough",
                        format!("is {peak_to_trough}; allowed: 1 (flat) to {MAX_MULTIPLIER}"),
                    );
                }
                if !peak_at_s.is_finite() {
                    bad(
                        "profile.peak_at_s",
                        format!("is {peak_at_s}; it must be a number of seconds"),
                    );
                }
            }
            Profile::Trace {
                rates_rps,
                step_s,
                file,
            } => {
                if rates_rps.is_empty() {
                    let why = match file {
                        Some(f) => format!(
                            "is empty; the trace file '{f}' was not read (load the scenario from its file)"
                        ),
                        None => "is empty; give the rates, or a `file` to read them from".into(),
                    };
                    bad("profile.rates_rps", why);
                }
                if rates_rps.len() > MAX_TRACE_POINTS {
                    bad(
                        "profile.rates_rps",
                        format!("has {} values; at most {MAX_TRACE_POINTS}", rates_rps.len()),
                    );
                }
                if let Some((i, r)) = rates_rps
                    .iter()
                    .enumerate()
                    .find(|(_, r)| !(r.is_finite() && **r >= 0.0 && **r <= super::MAX_RATE_RPS))
                {
                    bad(
                        "profile.rates_rps",
                        format!(
                            "value {} is {r}; allowed: 0 to {} requests/s",
                            i + 1,
                            super::MAX_RATE_RPS
                        ),
                    );
                }
                if !(step_s.is_finite() && *step_s > 0.0) {
                    bad(
                        "profile.step_s",
                        format!("is {step_s}; it must be > 0 seconds"),
                    );
                }
            }
        }
        p
    }
}

/// A client's profile problems, and the arrival processes a profile cannot shape (it modulates a Poisson
/// stream; constant, on/off, batch and closed-loop clients have their own timing).
pub(super) fn client_problems(c: &super::ClientParams, place: &str) -> Vec<Problem> {
    let Some(profile) = &c.profile else {
        return Vec::new();
    };
    let mut p = profile.problems(place);
    if c.arrival != super::Arrival::Poisson {
        p.push(Problem::new(
            place,
            "profile",
            "shapes Poisson arrivals only; set `arrival: Poisson` or remove the profile",
        ));
    }
    p
}
