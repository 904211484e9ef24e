//! One replication of one sweep point: its seed, its scenario, the run (cancellable between slices) and
//! the figures a sweep keeps from it. The unit of work [`super::sweep`] schedules and combines.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::sweep::{Point, SweepError, Warmup};
use super::sweep_step::{PilotRun, ReplicationRun};
use crate::metrics::LatencyData;
use crate::model::{self, RunSpec, Scenario, ValidScenario};
use crate::sim::Simulation;

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
    /// For a sharded database: its hottest shard's utilization (a hot shard saturates while the node's
    /// average looks healthy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hottest_shard_utilization: Option<f64>,
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
pub fn point_scenario(scenario: &Scenario, point: &Point) -> Result<ValidScenario, SweepError> {
    let mut s = scenario.clone();
    if let Some(spec) = &point.set {
        model::apply_override(&mut s, spec)?;
    }
    let file = match &point.set {
        Some(spec) => format!("{} (with --set {spec})", s.name),
        None => s.name.clone(),
    };
    Ok(ValidScenario::named(s, &file)?)
}

/// The run of replication `r` (seed [`replication_seed`]) of a point at its load, with `warmup_s` of warm-up
/// (at most 90% of the run).
pub(super) fn replication_spec(
    valid: ValidScenario,
    seed: u64,
    load: f64,
    warmup_s: f64,
) -> Result<RunSpec, SweepError> {
    let duration_s = valid.duration_s;
    Ok(RunSpec::new(valid)
        .with_seed(seed)
        .with_times(duration_s, warmup_s.min(duration_s * 0.9))?
        .at_load(load)?)
}

/// Events between two looks at the cancel flag (a few milliseconds of engine time).
const EVENTS_PER_SLICE: u64 = 1 << 16;

/// Runs `sim` to its end in slices (`Simulation::run_in_slices`), checking `cancel` between them.
fn run_cancellable(sim: &mut Simulation, cancel: &AtomicBool) -> Result<(), SweepError> {
    let mut cancelled = false;
    sim.run_in_slices(EVENTS_PER_SLICE, |_| {
        cancelled = cancel.load(Ordering::Relaxed);
        if cancelled {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    if cancelled {
        Err(SweepError::Cancelled)
    } else {
        Ok(())
    }
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
                hottest_shard_utilization: n
                    .shards
                    .as_ref()
                    .zip(n.hottest_shard)
                    .and_then(|(sh, h)| sh.get(h as usize))
                    .map(|sh| sh.utilization),
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
