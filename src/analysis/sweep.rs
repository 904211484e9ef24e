//! Load and parameter sweeps with replications, confidence intervals, warm-up truncation, sharding and
//! exact merging. The app's stress-test panel and the CLI (`archsim sweep`, `capacity`, `merge`) share it.
//!
//! The unit of work is one **replication** of one **point**: a full simulation run. Replication r of every
//! point uses the seed [`replication_seed`]`(scenario.seed, r)` (common random numbers across points, which
//! makes the curve smoother than independent seeds would; replication 0 is the scenario's own seed, so a
//! one-replication point equals `archsim run --load X`). Units run in parallel with rayon on native builds
//! and in order on wasm; each unit's result depends only on its inputs and they are combined in unit order,
//! so results do not depend on the number of threads.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use super::flow::FlowModel;
use super::stats::Estimate;
use super::summary::{PointResult, summarize_point};
use crate::metrics::Latency;
use crate::model::{Scenario, ScenarioError};

/// What a sweep varies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Axis {
    /// The load multiplier takes each value.
    Load(Vec<f64>),
    /// A node parameter (`NODE.FIELD`, as in `--set`) takes each value, at a fixed load multiplier.
    Param {
        /// `NODE.FIELD`, e.g. `app.replicas`.
        field: String,
        /// The values.
        values: Vec<f64>,
        /// The load multiplier for every point.
        load: f64,
    },
}

impl Axis {
    /// Number of points.
    pub fn len(&self) -> usize {
        match self {
            Axis::Load(v) | Axis::Param { values: v, .. } => v.len(),
        }
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i`: its load multiplier and, for a parameter sweep, its `--set` override.
    pub fn point(&self, i: usize) -> Point {
        match self {
            Axis::Load(v) => Point {
                index: i,
                load: v[i],
                set: None,
                value: v[i],
            },
            Axis::Param {
                field,
                values,
                load,
            } => Point {
                index: i,
                load: *load,
                set: Some(format!("{field}={}", values[i])),
                value: values[i],
            },
        }
    }
}

/// `n` values from `start` to `end` inclusive, evenly spaced (`log`: evenly spaced in ratio, start and
/// end > 0). One point gives `start`.
pub fn spaced(start: f64, end: f64, n: usize, log: bool) -> Vec<f64> {
    if n == 1 {
        return vec![start];
    }
    (0..n)
        .map(|i| {
            let t = i as f64 / (n - 1) as f64;
            if i == n - 1 {
                end
            } else if log {
                start * libm::pow(end / start, t)
            } else {
                start + (end - start) * t
            }
        })
        .collect()
}

/// Longest run of the quick default of the sweeps and the search (CLI and app), simulated seconds: many
/// runs make a sweep, and the replications' intervals show what the shorter runs cost in precision.
pub const QUICK_DURATION_S: f64 = 10.0;
/// Longest warm-up of the quick default, simulated seconds.
pub const QUICK_WARMUP_S: f64 = 2.0;

/// `scenario` with the quick default's run length: at most [`QUICK_DURATION_S`] and
/// [`QUICK_WARMUP_S`].
pub fn quick(scenario: &Scenario) -> Scenario {
    let mut s = scenario.clone();
    s.duration_s = s.duration_s.min(QUICK_DURATION_S);
    s.warmup_s = s.warmup_s.min(QUICK_WARMUP_S);
    s
}

/// One point of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Position in the sweep.
    pub index: usize,
    /// Load multiplier.
    pub load: f64,
    /// `NODE.FIELD=VALUE` applied before the run, for a parameter sweep.
    pub set: Option<String>,
    /// The swept value (the load for a load sweep).
    pub value: f64,
}

/// How the warm-up is chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Warmup {
    /// The scenario's `warmup_s`.
    #[default]
    Scenario,
    /// A fixed number of seconds.
    Fixed(f64),
    /// MSER-5 on a pilot run's 1 s series of the total queue length (see [`auto_warmup_s`]).
    Auto,
}

/// When to stop adding replications to a point.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Precision {
    /// Target relative half-width of the 95% interval of the p99 latency (e.g. 0.05).
    pub target: f64,
    /// Most replications per point.
    pub max_replications: u32,
}

/// Everything but the scenario that decides a sweep's numbers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    /// What varies.
    pub axis: Axis,
    /// Replications per point (at least 1; with a precision target, the first batch).
    pub replications: u32,
    /// Warm-up choice.
    pub warmup: Warmup,
    /// Optional sequential stopping rule (not with sharding: a shard cannot see the other replications).
    pub precision: Option<Precision>,
}

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario, or a point's override, is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The cancel flag was raised.
    #[error("cancelled")]
    Cancelled,
    /// Partial results that do not fit together.
    #[error("{0}")]
    Merge(String),
    /// A bad sweep definition.
    #[error("{0}")]
    Spec(String),
    /// A run was ended by a governor (memory, events at one instant): which point, and why.
    #[error("{0}")]
    Stopped(String),
}

pub use super::replication::{
    NodeMetrics, Replication, auto_warmup_s, point_scenario, point_warmup_s, replication_seed,
    run_replication,
};

/// Progress of a sweep: units (replications) done out of those known so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Replications finished.
    pub done: usize,
    /// Replications planned so far (grows when a precision target adds some).
    pub total: usize,
}

/// Everything a finished sweep (or a merge of shards) reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepResult {
    /// Scenario name.
    pub scenario: String,
    /// The scenario's seed (replication seeds derive from it).
    pub seed: u64,
    /// Simulated seconds per run.
    pub duration_s: f64,
    /// The sweep definition.
    pub spec: SweepSpec,
    /// The analytic breaking point of the scenario as given (at the first point's parameter value for a
    /// parameter sweep), and its bottleneck.
    pub analytic_breaking_load: Option<f64>,
    /// The node the analytic model says saturates first.
    pub analytic_bottleneck: Option<String>,
    /// One per point, in order.
    pub points: Vec<PointResult>,
}

/// Runs `f` over `items` in parallel (native) or in order (wasm); results in item order either way.
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(target_arch = "wasm32")]
    {
        items.iter().map(f).collect()
    }
}

/// Counts finished replications for the progress callback.
pub(super) struct Tracker<'a> {
    pub(super) progress: &'a (dyn Fn(Progress) + Sync),
    pub(super) done: AtomicUsize,
    pub(super) total: usize,
}

/// Runs the given units (pairs of point index and replication number).
pub(super) fn run_units(
    scenario: &Scenario,
    spec: &SweepSpec,
    warmups: &[f64],
    units: &[(usize, u32)],
    tracker: &Tracker,
    cancel: &AtomicBool,
) -> Result<Vec<Replication>, SweepError> {
    par_map(units, |&(p, r)| {
        let out = run_replication(scenario, &spec.axis.point(p), r, warmups[p], cancel);
        if out.is_ok() {
            let done = tracker.done.fetch_add(1, Ordering::Relaxed) + 1;
            (tracker.progress)(Progress {
                done,
                total: tracker.total,
            });
        }
        out
    })
    .into_iter()
    .collect()
}

pub(super) fn check_spec(spec: &SweepSpec) -> Result<(), SweepError> {
    if spec.axis.is_empty() {
        return Err(SweepError::Spec("the sweep has no points".into()));
    }
    if spec.replications == 0 {
        return Err(SweepError::Spec("replications must be at least 1".into()));
    }
    use crate::model::limits;
    if spec.axis.len() > limits::MAX_SWEEP_POINTS {
        return Err(SweepError::Spec(format!(
            "the sweep has {} points; allowed: at most {}",
            spec.axis.len(),
            limits::MAX_SWEEP_POINTS
        )));
    }
    if let Some(why) = limits::replications_problem("replications", spec.replications) {
        return Err(SweepError::Spec(why));
    }
    if let Some(p) = spec.precision {
        if let Some(why) = limits::precision_problem(p.target) {
            return Err(SweepError::Spec(why));
        }
        if let Some(why) = limits::replications_problem("max replications", p.max_replications) {
            return Err(SweepError::Spec(why));
        }
    }
    Ok(())
}

/// Refuses, before anything runs, a sweep with a point whose load or run is over the limits
/// (`crate::model::limits`): the first such point, with the figure, the limit and the knob.
pub fn check_points(scenario: &Scenario, spec: &SweepSpec) -> Result<(), SweepError> {
    use crate::model::limits;
    for i in 0..spec.axis.len() {
        let point = spec.axis.point(i);
        if let Some(why) = limits::load_problem(point.load) {
            return Err(SweepError::Spec(format!("point {}: {why}", i + 1)));
        }
        let s = point_scenario(scenario, &point)?;
        let problems = limits::problems(&s, point.load);
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid {
                file: format!("{} at load {}", s.name, limits::fmt(point.load)),
                problems,
            }
            .into());
        }
    }
    Ok(())
}

pub(super) fn warmups(
    scenario: &Scenario,
    spec: &SweepSpec,
    points: &[usize],
    cancel: &AtomicBool,
) -> Result<Vec<f64>, SweepError> {
    let mut out = vec![scenario.warmup_s; spec.axis.len()];
    let computed: Result<Vec<f64>, SweepError> = par_map(points, |&p| {
        point_warmup_s(scenario, &spec.axis.point(p), spec.warmup, cancel)
    })
    .into_iter()
    .collect();
    for (&p, w) in points.iter().zip(computed?) {
        out[p] = w;
    }
    Ok(out)
}

/// Runs a whole sweep: every point, its replications (and more, up to the precision target), in
/// parallel on native builds. `progress` is called after each replication (from worker threads);
/// raising `cancel` stops it with [`SweepError::Cancelled`].
pub fn run_sweep(
    scenario: &Scenario,
    spec: &SweepSpec,
    progress: &(dyn Fn(Progress) + Sync),
    cancel: &AtomicBool,
) -> Result<SweepResult, SweepError> {
    check_spec(spec)?;
    check_points(scenario, spec)?;
    let n = spec.axis.len();
    let all: Vec<usize> = (0..n).collect();
    let warm = warmups(scenario, spec, &all, cancel)?;
    let mut reps: Vec<Vec<Replication>> = vec![Vec::new(); n];
    let mut units = first_units(spec);
    let mut tracker = Tracker {
        progress,
        done: AtomicUsize::new(0),
        total: units.len(),
    };
    loop {
        for rep in run_units(scenario, spec, &warm, &units, &tracker, cancel)? {
            reps[rep.point].push(rep);
        }
        units = more_replications(spec.precision, &reps);
        if units.is_empty() {
            break;
        }
        tracker.total += units.len();
    }
    summarize(scenario, spec, reps.into_iter().flatten().collect())
}

/// The first batch of units: every point's replications 0..k, point by point.
pub(super) fn first_units(spec: &SweepSpec) -> Vec<(usize, u32)> {
    (0..spec.axis.len())
        .flat_map(|p| (0..spec.replications).map(move |r| (p, r)))
        .collect()
}

/// Sequential stopping: one more replication for every point whose p99 interval is still wider than
/// the precision target (none without a target). Decided from the results only (`reps`, per point, in
/// replication order), so it is as deterministic as they are.
pub(super) fn more_replications(
    precision: Option<Precision>,
    reps: &[Vec<Replication>],
) -> Vec<(usize, u32)> {
    let Some(prec) = precision else {
        return Vec::new();
    };
    (0..reps.len())
        .filter(|&p| {
            let k = reps[p].len() as u32;
            let p99: Vec<f64> = reps[p].iter().map(|r| r.p99_ms).collect();
            let rel = Estimate::from_values(&p99).relative_half_width();
            k < prec.max_replications && rel.is_none_or(|h| h > prec.target)
        })
        .map(|p| (p, reps[p].len() as u32))
        .collect()
}

/// Combines replications (from one run or from merged shards) into the sweep result. Every point needs
/// replications 0..k with no gap; they are ordered by replication number before any sum is taken.
pub fn summarize(
    scenario: &Scenario,
    spec: &SweepSpec,
    mut reps: Vec<Replication>,
) -> Result<SweepResult, SweepError> {
    check_spec(spec)?;
    reps.sort_by_key(|r| (r.point, r.replication));
    let n = spec.axis.len();
    let mut by_point: Vec<Vec<Replication>> = vec![Vec::new(); n];
    for r in reps {
        if r.point >= n {
            return Err(SweepError::Merge(format!(
                "replication for point {} but the sweep has {n} points",
                r.point
            )));
        }
        by_point[r.point].push(r);
    }
    let model = FlowModel::from_valid(&point_scenario(scenario, &spec.axis.point(0))?);
    let (breaking, bottleneck) = model.breaking_point();
    let mut points = Vec::with_capacity(n);
    for (p, reps) in by_point.into_iter().enumerate() {
        for (k, r) in reps.iter().enumerate() {
            if r.replication as usize != k {
                return Err(SweepError::Merge(format!(
                    "point {p}: replication {k} is missing or repeated (found {})",
                    r.replication
                )));
            }
        }
        if reps.is_empty() {
            return Err(SweepError::Merge(format!("point {p} has no replications")));
        }
        let point = spec.axis.point(p);
        let ps = point_scenario(scenario, &point)?;
        points.push(summarize_point(&ps, &point, &reps)?);
    }
    Ok(SweepResult {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        duration_s: scenario.duration_s,
        spec: spec.clone(),
        analytic_breaking_load: breaking,
        analytic_bottleneck: bottleneck,
        points,
    })
}

/// Runs one point (its warm-up choice, its replications and any precision-driven extras) and summarizes
/// it: what the app calls for each point of its stress test, with its own progress bar and cancel flag.
pub fn run_point(
    scenario: &Scenario,
    point: &Point,
    replications: u32,
    warmup: Warmup,
    precision: Option<Precision>,
    cancel: &AtomicBool,
) -> Result<PointResult, SweepError> {
    let spec = SweepSpec {
        axis: Axis::Load(vec![point.load]),
        replications,
        warmup,
        precision,
    };
    // A one-point sweep of the point's own scenario (its override applied) at its load.
    let ps = point_scenario(scenario, point)?;
    let result = run_sweep(&ps, &spec, &|_| {}, cancel)?;
    let mut p = result
        .points
        .into_iter()
        .next()
        .ok_or_else(|| SweepError::Spec("no point".into()))?;
    p.index = point.index;
    p.value = point.value;
    p.set = point.set.clone();
    Ok(p)
}

/// Pools replications' latency histograms (exact: bins add).
pub fn pooled_latency(reps: &[Replication]) -> Latency {
    let mut it = reps.iter();
    let Some(first) = it.next() else {
        return Latency::precise();
    };
    let mut l = Latency::from_data(&first.latency);
    for r in it {
        l.merge(&Latency::from_data(&r.latency));
    }
    l
}
