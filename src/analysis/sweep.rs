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
use super::sweep_step::{PilotRun, ReplicationRun};
use crate::metrics::{Latency, LatencyData};
use crate::model::{self, Scenario, ScenarioError};
use crate::sim::Simulation;

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

/// One node's numbers in one replication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeMetrics {
    /// Node id.
    pub id: String,
    /// Time-averaged utilization over the measured window.
    pub utilization: f64,
    /// Time-averaged queue length (backlog for a queue node).
    pub mean_queue_len: f64,
    /// Least-squares slope of the queue length over the measured window's 1 s buckets, per second:
    /// clearly positive means the queue grows without bound (overload).
    pub queue_growth_per_s: f64,
    /// Rejections at this node per second.
    pub rejected_rps: f64,
}

/// One replication of one point: the unit of work, and what partial results carry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replication {
    /// The point's index.
    pub point: usize,
    /// Replication number (0-based).
    pub replication: u32,
    /// Seed used.
    pub seed: u64,
    /// Warm-up used, seconds.
    pub warmup_s: f64,
    /// Requests issued per second.
    pub offered_rps: f64,
    /// Successful requests per second.
    pub throughput_rps: f64,
    /// End-to-end latency of successes, ms.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Failed / offered.
    pub error_rate: f64,
    /// Timed out / offered.
    pub timeout_rate: f64,
    /// Rejected / offered.
    pub reject_rate: f64,
    /// Simulation events.
    pub events: u64,
    /// Per node, scenario order.
    pub nodes: Vec<NodeMetrics>,
    /// The end-to-end latency histogram, so points merge exactly.
    pub latency: LatencyData,
}

/// Replication `r`'s seed: the scenario's own for r = 0, then a SplitMix64 scramble of (seed, r).
pub fn replication_seed(seed: u64, r: u32) -> u64 {
    if r == 0 {
        return seed;
    }
    let mut z = seed ^ u64::from(r).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The scenario of a point (its override applied), validated.
pub fn point_scenario(scenario: &Scenario, point: &Point) -> Result<Scenario, SweepError> {
    let mut s = scenario.clone();
    if let Some(spec) = &point.set {
        model::apply_override(&mut s, spec)?;
    }
    let problems = model::validate(&s);
    if !problems.is_empty() {
        return Err(ScenarioError::Invalid {
            file: match &point.set {
                Some(spec) => format!("{} (with --set {spec})", s.name),
                None => s.name.clone(),
            },
            problems,
        }
        .into());
    }
    Ok(s)
}

/// Slices a run is cut into so the cancel flag is seen while it runs.
const SLICES: u64 = 64;

/// Runs `sim` to its end in slices, checking `cancel` between them.
fn run_cancellable(sim: &mut Simulation, cancel: &AtomicBool) -> Result<(), SweepError> {
    let end = sim.end_ns();
    let slice = (end / SLICES).max(1);
    while !sim.is_finished() {
        if cancel.load(Ordering::Relaxed) {
            return Err(SweepError::Cancelled);
        }
        sim.step_until(sim.time_ns().saturating_add(slice).min(end));
    }
    Ok(())
}

/// A governor's stop of a finished run of `s` at `load`, as the error that names the run.
pub(super) fn check_stopped(s: &Scenario, load: f64, sim: &Simulation) -> Result<(), SweepError> {
    match sim.stopped() {
        Some(stop) => Err(SweepError::Stopped(format!(
            "a run at load {} (seed {}) {}",
            crate::model::limits::fmt(load),
            s.seed,
            stop.message
        ))),
        None => Ok(()),
    }
}

/// Runs one replication of `point`, with `warmup_s` seconds of warm-up.
pub fn run_replication(
    scenario: &Scenario,
    point: &Point,
    r: u32,
    warmup_s: f64,
    cancel: &AtomicBool,
) -> Result<Replication, SweepError> {
    let mut run = ReplicationRun::start(scenario, point, r, warmup_s)?;
    run_cancellable(run.sim_mut(), cancel)?;
    run.finish()
}

pub(super) fn measure(s: &Scenario, point: &Point, r: u32, sim: &Simulation) -> Replication {
    let rep = sim.report();
    let offered = rep.requests.offered.max(1) as f64;
    let series = &rep.series;
    let first = (s.warmup_s / series.bucket_s.max(1e-9)).ceil() as usize;
    let nodes = rep
        .nodes
        .iter()
        .zip(&series.nodes)
        .map(|(n, ns)| {
            let window_s = (rep.sim_time_s - rep.warmup_s).max(1e-9);
            NodeMetrics {
                id: n.id.clone(),
                utilization: n.utilization,
                mean_queue_len: n.mean_queue_len,
                queue_growth_per_s: slope(&ns.queue_len[first.min(ns.queue_len.len())..])
                    / series.bucket_s.max(1e-9),
                rejected_rps: n.rejected as f64 / window_s,
            }
        })
        .collect();
    Replication {
        point: point.index,
        replication: r,
        seed: s.seed,
        warmup_s: s.warmup_s,
        offered_rps: rep.offered_rps,
        throughput_rps: rep.throughput_rps,
        mean_ms: rep.latency_ms.mean,
        p50_ms: rep.latency_ms.p50,
        p99_ms: rep.latency_ms.p99,
        p999_ms: rep.latency_ms.p999,
        error_rate: rep.requests.failed as f64 / offered,
        timeout_rate: rep.requests.timed_out as f64 / offered,
        reject_rate: rep.requests.rejected as f64 / offered,
        events: rep.events,
        nodes,
        latency: sim.latency().to_data(),
    }
}

/// Least-squares slope per observation (0 for fewer than two).
fn slope(y: &[f64]) -> f64 {
    let n = y.len();
    if n < 2 {
        return 0.0;
    }
    let mx = (n - 1) as f64 / 2.0;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (v - my);
        sxx += dx * dx;
    }
    sxy / sxx
}

/// The `--warmup auto` choice for a point: a pilot run (seed [`replication_seed`]`(seed, u32::MAX)`,
/// so it is not one of the measured replications) records the 1 s series of the total queue length over
/// all nodes; MSER-5 picks the truncation, in seconds, at most half the run. The queue length is used
/// because it carries the start-from-empty bias: every queue starts at 0.
pub fn auto_warmup_s(
    scenario: &Scenario,
    point: &Point,
    cancel: &AtomicBool,
) -> Result<f64, SweepError> {
    let mut pilot = PilotRun::start(scenario, point)?;
    run_cancellable(pilot.sim_mut(), cancel)?;
    pilot.finish()
}

/// The warm-up a point uses under `warmup`.
pub fn point_warmup_s(
    scenario: &Scenario,
    point: &Point,
    warmup: Warmup,
    cancel: &AtomicBool,
) -> Result<f64, SweepError> {
    match warmup {
        Warmup::Scenario => Ok(scenario.warmup_s),
        Warmup::Fixed(w) => Ok(w),
        Warmup::Auto => auto_warmup_s(scenario, point, cancel),
    }
}

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
    let model = FlowModel::new(&point_scenario(scenario, &spec.axis.point(0))?)?;
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
