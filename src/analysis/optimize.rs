//! The cheapest design that holds an SLO at a load: a grid search over knobs (`NODE.FIELD` values),
//! pruned by the flow model and confirmed by simulation.
//!
//! Every grid point is costed and checked by the flow model first (microseconds each): a point where some
//! node is overloaded (utilization at or above 1) or whose analytic mean latency already exceeds the p99
//! bound cannot meet the SLO and is pruned. The survivors are sorted by monthly cost and simulated, with
//! replications and confidence intervals, in rounds of `finalists` in cost order until two of them meet
//! the SLO (the chosen design and the runner-up); then the `frontier` survivors spread evenly over the
//! whole cost order that the rounds did not reach are simulated for the Pareto frontier of cost against
//! p99. Since every cheaper survivor was simulated and failed, the chosen point is the cheapest grid point
//! that meets the SLO by simulation (exactly what brute force over the grid finds, unless the flow model
//! prunes a point that would pass).
//!
//! [`Search`] is that procedure as a state machine (which candidates next, given the results so far), so
//! the same search runs in parallel here ([`optimize`]), a few events per frame in the browser
//! (`optimize_step`) and split over machines (`optimize_shard`). Each simulated candidate depends only on
//! its inputs, so the answer depends on neither the number of threads nor the slicing nor the sharding.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use super::capacity::Slo;
use super::flow::FlowModel;
use super::summary::PointResult;
use super::sweep::{Point, SweepError, Warmup, run_point};
use crate::metrics::cost_of;
use crate::model::{self, NodeKind, Scenario};

/// Most grid points one search considers: beyond that, name fewer knobs or narrower ranges.
pub const MAX_CANDIDATES: usize = 200_000;

/// One knob: a node parameter as in `--set` and the values it may take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Knob {
    /// `NODE.FIELD`, e.g. `app.replicas`.
    pub field: String,
    /// The values, in the order given.
    pub values: Vec<f64>,
}

/// Everything but the scenario that decides a search's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimizeSpec {
    /// Load multiplier the SLO must hold at.
    pub load: f64,
    /// End-to-end p99 bound, ms.
    pub slo_p99_ms: f64,
    /// Largest share of offered requests failing, timing out or rejected.
    pub slo_error_rate: f64,
    /// What varies (the grid is their product).
    pub knobs: Vec<Knob>,
    /// Replications per simulated candidate.
    pub replications: u32,
    /// Warm-up choice.
    pub warmup: Warmup,
    /// Candidates simulated per round, cheapest first.
    pub finalists: usize,
    /// More expensive candidates simulated for the frontier.
    pub frontier: usize,
}

impl OptimizeSpec {
    /// The SLO as the capacity search states it.
    pub fn slo(&self) -> Slo {
        Slo {
            p99_ms: self.slo_p99_ms,
            error_rate: self.slo_error_rate,
        }
    }
}

/// One grid point as the flow model sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Position in the grid (the last knob varies fastest).
    pub index: usize,
    /// `NODE.FIELD=VALUE` per knob.
    pub sets: Vec<String>,
    /// Monthly cost at the flow model's traffic.
    pub monthly_cost: f64,
    /// The flow model's end-to-end mean, ms (`None`: overloaded).
    pub analytic_mean_ms: Option<f64>,
    /// The flow model's highest per-instance utilization.
    pub analytic_peak_utilization: f64,
    /// Why the flow model ruled it out, if it did.
    pub pruned: Option<String>,
}

/// A simulated candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finalist {
    /// The grid point.
    pub candidate: Candidate,
    /// End-to-end p99 of successes, ms (mean over replications).
    pub p99_ms: f64,
    /// Half-width of the p99's 95% interval, ms (`None` with one replication).
    pub p99_half_width_ms: Option<f64>,
    /// Median, ms.
    pub p50_ms: f64,
    /// Failed + timed out + rejected, share of offered.
    pub failure_rate: f64,
    /// The busiest node in the simulation.
    pub busiest_node: String,
    /// Its utilization.
    pub busiest_utilization: f64,
    /// Replications run.
    pub replications: u32,
    /// Whether it meets the SLO (on the replication means).
    pub meets: bool,
}

/// The answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimizeResult {
    /// Scenario name.
    pub scenario: String,
    /// Currency of every cost.
    pub currency: String,
    /// The search definition.
    pub spec: OptimizeSpec,
    /// The design as given, costed at the same load.
    pub baseline_monthly_cost: f64,
    /// Grid points.
    pub candidates: usize,
    /// Of those, ruled out by the flow model (or invalid).
    pub pruned: usize,
    /// Simulated candidates, by cost (ties by grid index).
    pub finalists: Vec<Finalist>,
    /// Index into `finalists` of the cheapest that meets the SLO.
    pub chosen: Option<usize>,
    /// The next cheapest that meets it.
    pub runner_up: Option<usize>,
    /// Indices into `finalists` of the Pareto frontier (cost up, p99 down) among those meeting the
    /// error bound.
    pub frontier: Vec<usize>,
}

impl OptimizeResult {
    /// The chosen finalist.
    pub fn chosen(&self) -> Option<&Finalist> {
        self.chosen.map(|i| &self.finalists[i])
    }

    /// The runner-up.
    pub fn runner_up(&self) -> Option<&Finalist> {
        self.runner_up.map(|i| &self.finalists[i])
    }
}

/// Progress of a search: candidates simulated out of those planned so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptimizeProgress {
    /// Finished.
    pub done: usize,
    /// Planned so far.
    pub total: usize,
}

/// Sensible knobs when none are named: the replicas of every fixed-size service and the read replicas of
/// every database (what the price table bills), from 1 (0 for read replicas) to enough for `load`.
pub fn default_knobs(scenario: &Scenario, load: f64) -> Vec<Knob> {
    let scale = load.max(1.0) * 1.5;
    let mut knobs = Vec::new();
    for n in &scenario.nodes {
        match &n.kind {
            NodeKind::Service(s) if s.autoscale.is_none() => {
                let hi = ((f64::from(s.replicas) * scale).ceil() as u32).clamp(8, 200);
                knobs.push(Knob {
                    field: format!("{}.replicas", n.id),
                    values: (1..=hi).map(f64::from).collect(),
                });
            }
            NodeKind::Database(d) => {
                let hi = (d.read_replicas * 2).clamp(4, 50);
                knobs.push(Knob {
                    field: format!("{}.read_replicas", n.id),
                    values: (0..=hi).map(f64::from).collect(),
                });
            }
            NodeKind::Service(_)
            | NodeKind::Client(_)
            | NodeKind::LoadBalancer(_)
            | NodeKind::Cache(_)
            | NodeKind::Queue(_)
            | NodeKind::RateLimiter(_)
            | NodeKind::Gateway(_) => {}
        }
    }
    knobs
}

/// `NODE.FIELD=VALUE` with integral values written without a fraction.
fn set_of(field: &str, v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{field}={}", v as i64)
    } else {
        format!("{field}={v}")
    }
}

/// The scenario of a grid point, its overrides applied and validated.
pub fn candidate_scenario(scenario: &Scenario, sets: &[String]) -> Result<Scenario, SweepError> {
    let mut s = scenario.clone();
    for spec in sets {
        model::apply_override(&mut s, spec)?;
    }
    model::ensure_valid(&s).map_err(|e| match e {
        model::ScenarioError::Invalid { problems, .. } => model::ScenarioError::Invalid {
            file: format!("{} (with {})", scenario.name, sets.join(", ")),
            problems,
        },
        other => other,
    })?;
    Ok(s)
}

/// The monthly cost of `scenario` at `load` by the flow model's traffic (instances as configured).
pub fn flow_cost(scenario: &Scenario, load: f64) -> Result<f64, SweepError> {
    let flow = FlowModel::new(scenario)?.eval_flow(load);
    Ok(flow_cost_of(scenario, &flow, load))
}

/// The monthly cost of `scenario` at the traffic of `flow` (the flow model at `load`).
pub fn flow_cost_of(scenario: &Scenario, flow: &super::flow::Flow, load: f64) -> f64 {
    let rps: Vec<f64> = flow
        .nodes
        .iter()
        .map(|n| {
            if n.arrival_rps.is_finite() {
                n.arrival_rps
            } else {
                0.0
            }
        })
        .collect();
    let offered: f64 = scenario
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Client(c) => Some(c.rate_rps * load),
            NodeKind::Service(_)
            | NodeKind::LoadBalancer(_)
            | NodeKind::Cache(_)
            | NodeKind::Database(_)
            | NodeKind::Queue(_)
            | NodeKind::RateLimiter(_)
            | NodeKind::Gateway(_) => None,
        })
        .sum();
    cost_of(scenario, &rps, &[], offered).monthly
}

/// Every grid point, costed and checked by the flow model.
pub fn plan(scenario: &Scenario, spec: &OptimizeSpec) -> Result<Vec<Candidate>, SweepError> {
    check_spec(spec)?;
    let total: usize = spec
        .knobs
        .iter()
        .try_fold(1usize, |acc, k| acc.checked_mul(k.values.len()))
        .filter(|&t| t <= MAX_CANDIDATES)
        .ok_or_else(|| {
            SweepError::Spec(format!(
                "the grid has more than {MAX_CANDIDATES} points; vary fewer knobs or narrower ranges"
            ))
        })?;
    let mut out = Vec::with_capacity(total);
    for index in 0..total {
        let mut rest = index;
        let mut sets = vec![String::new(); spec.knobs.len()];
        for (k, knob) in spec.knobs.iter().enumerate().rev() {
            let n = knob.values.len();
            sets[k] = set_of(&knob.field, knob.values[rest % n]);
            rest /= n;
        }
        let c = match candidate_scenario(scenario, &sets) {
            // A knob's field that does not exist is the user's mistake, reported at once.
            Err(SweepError::Scenario(model::ScenarioError::Override { spec, message })) => {
                return Err(SweepError::Scenario(model::ScenarioError::Override {
                    spec,
                    message,
                }));
            }
            Err(e) => Candidate {
                index,
                sets,
                monthly_cost: f64::INFINITY,
                analytic_mean_ms: None,
                analytic_peak_utilization: f64::INFINITY,
                pruned: Some(format!("invalid: {e}")),
            },
            Ok(s) => {
                let flow = FlowModel::new(&s)?.eval_flow(spec.load);
                let peak = flow
                    .nodes
                    .iter()
                    .map(|n| n.peak_utilization)
                    .fold(
                        0.0_f64,
                        |a, b| if b.is_nan() { f64::INFINITY } else { a.max(b) },
                    );
                let pruned = if peak >= 1.0 {
                    let worst = flow
                        .nodes
                        .iter()
                        .max_by(|a, b| a.peak_utilization.total_cmp(&b.peak_utilization))
                        .map_or(String::new(), |n| n.id.clone());
                    Some(format!("overloaded ({worst} at {:.0}% busy)", peak * 100.0))
                } else {
                    match flow.end_to_end_mean_ms {
                        None => Some("overloaded".to_owned()),
                        Some(m) if m > spec.slo_p99_ms => Some(format!(
                            "analytic mean {m:.1} ms is already above the p99 bound"
                        )),
                        Some(_) => None,
                    }
                };
                Candidate {
                    index,
                    sets,
                    monthly_cost: flow_cost_of(&s, &flow, spec.load),
                    analytic_mean_ms: flow.end_to_end_mean_ms,
                    analytic_peak_utilization: peak,
                    pruned,
                }
            }
        };
        out.push(c);
    }
    Ok(out)
}

fn check_spec(spec: &OptimizeSpec) -> Result<(), SweepError> {
    if spec.knobs.is_empty() {
        return Err(SweepError::Spec(
            "nothing to vary: name a knob with --vary NODE.FIELD=LO:HI".into(),
        ));
    }
    if let Some(k) = spec.knobs.iter().find(|k| k.values.is_empty()) {
        return Err(SweepError::Spec(format!("knob {} has no values", k.field)));
    }
    if spec.replications == 0 || spec.finalists == 0 {
        return Err(SweepError::Spec(
            "replications and finalists must be at least 1".into(),
        ));
    }
    if !(spec.load.is_finite() && spec.load > 0.0) {
        return Err(SweepError::Spec(format!(
            "the load is {}; it must be > 0",
            spec.load
        )));
    }
    Ok(())
}

/// Survivors of the flow model, cheapest first (ties: grid order).
pub(super) fn survivors(cands: &[Candidate]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cands.len())
        .filter(|&i| cands[i].pruned.is_none())
        .collect();
    order.sort_by(|&a, &b| {
        cands[a]
            .monthly_cost
            .total_cmp(&cands[b].monthly_cost)
            .then(a.cmp(&b))
    });
    order
}

/// The positions in the cost order of the survivors simulated for the frontier: `count` spread evenly
/// over all `len` of them (those the rounds already reached are not simulated twice).
pub(super) fn frontier_positions(len: usize, count: usize) -> Vec<usize> {
    if len == 0 || count == 0 {
        return Vec::new();
    }
    let mut v: Vec<usize> = (1..=count)
        .map(|j| (len * j / (count + 1)).min(len - 1))
        .collect();
    v.dedup();
    v
}

/// How far the rounds go, from the results at the positions of the cost order: the end of the first
/// round (of `per_round` positions) after which at least two simulated candidates meet the SLO, or `len`.
/// `None` if a result the rounds need is missing.
pub(super) fn rounds_end(
    len: usize,
    per_round: usize,
    meets_at: impl Fn(usize) -> Option<bool>,
) -> Option<usize> {
    let mut pos = 0;
    let mut meeting = 0;
    while pos < len && meeting < 2 {
        let end = (pos + per_round).min(len);
        for p in pos..end {
            meeting += usize::from(meets_at(p)?);
        }
        pos = end;
    }
    Some(pos)
}

/// The search as a state machine: [`Search::next_batch`] names the candidates to simulate next,
/// [`Search::record`] takes their results, [`Search::conclude`] gives the answer once no batch is left.
pub struct Search {
    cands: Vec<Candidate>,
    order: Vec<usize>,
    pos: usize,
    frontier_done: bool,
    finalists: Vec<Finalist>,
}

impl Search {
    /// Plans the search: every grid point costed and checked by the flow model.
    pub fn new(scenario: &Scenario, spec: &OptimizeSpec) -> Result<Self, SweepError> {
        let cands = plan(scenario, spec)?;
        let order = survivors(&cands);
        Ok(Self {
            cands,
            order,
            pos: 0,
            frontier_done: false,
            finalists: Vec::new(),
        })
    }

    /// Every grid point.
    pub fn candidates(&self) -> &[Candidate] {
        &self.cands
    }

    /// The grid indices to simulate next (empty: the search is over). Call [`Search::record`] with
    /// their results before asking again.
    pub fn next_batch(&mut self, spec: &OptimizeSpec) -> Vec<usize> {
        let len = self.order.len();
        let meeting = self.finalists.iter().filter(|f| f.meets).count();
        if self.pos < len && meeting < 2 {
            let end = (self.pos + spec.finalists.max(1)).min(len);
            let batch = self.order[self.pos..end].to_vec();
            self.pos = end;
            return batch;
        }
        if self.frontier_done {
            return Vec::new();
        }
        self.frontier_done = true;
        frontier_positions(len, spec.frontier)
            .into_iter()
            .filter(|&k| k >= self.pos)
            .map(|k| self.order[k])
            .collect()
    }

    /// Takes the results of the last batch.
    pub fn record(&mut self, finalists: Vec<Finalist>) {
        self.finalists.extend(finalists);
    }

    /// The answer from everything recorded.
    pub fn conclude(
        self,
        scenario: &Scenario,
        spec: &OptimizeSpec,
    ) -> Result<OptimizeResult, SweepError> {
        conclude(scenario, spec, &self.cands, self.finalists)
    }
}

/// Simulates candidates (parallel on native builds), results in the order given.
pub(super) fn simulate(
    scenario: &Scenario,
    spec: &OptimizeSpec,
    cands: &[&Candidate],
    tick: &(dyn Fn() + Sync),
    cancel: &AtomicBool,
) -> Result<Vec<Finalist>, SweepError> {
    let one = |c: &&Candidate| -> Result<Finalist, SweepError> {
        let s = candidate_scenario(scenario, &c.sets)?;
        let point = Point {
            index: c.index,
            load: spec.load,
            set: None,
            value: spec.load,
        };
        let p = run_point(&s, &point, spec.replications, spec.warmup, None, cancel)?;
        tick();
        Ok(finalist(c, &p, spec.slo()))
    };
    #[cfg(not(target_arch = "wasm32"))]
    let out: Vec<Result<Finalist, SweepError>> = {
        use rayon::prelude::*;
        cands.par_iter().map(one).collect()
    };
    #[cfg(target_arch = "wasm32")]
    let out: Vec<Result<Finalist, SweepError>> = cands.iter().map(one).collect();
    out.into_iter().collect()
}

pub(super) fn finalist(c: &Candidate, p: &PointResult, slo: Slo) -> Finalist {
    Finalist {
        candidate: c.clone(),
        p99_ms: p.p99_ms.mean,
        p99_half_width_ms: p.p99_ms.half_width,
        p50_ms: p.p50_ms.mean,
        failure_rate: p.failure_rate(),
        busiest_node: p.busiest_node.clone(),
        busiest_utilization: p.busiest_utilization.mean,
        replications: p.replications,
        meets: slo.met_by(p),
    }
}

/// Orders the finalists by cost and picks the chosen point, the runner-up and the frontier.
pub fn conclude(
    scenario: &Scenario,
    spec: &OptimizeSpec,
    cands: &[Candidate],
    mut finalists: Vec<Finalist>,
) -> Result<OptimizeResult, SweepError> {
    finalists.sort_by(|a, b| {
        a.candidate
            .monthly_cost
            .total_cmp(&b.candidate.monthly_cost)
            .then(a.candidate.index.cmp(&b.candidate.index))
    });
    finalists.dedup_by_key(|f| f.candidate.index);
    let mut meeting = finalists.iter().enumerate().filter(|(_, f)| f.meets);
    let chosen = meeting.next().map(|(i, _)| i);
    let runner_up = meeting.next().map(|(i, _)| i);
    let mut frontier = Vec::new();
    let mut best = f64::INFINITY;
    for (i, f) in finalists.iter().enumerate() {
        if f.failure_rate <= spec.slo_error_rate && f.p99_ms < best {
            best = f.p99_ms;
            frontier.push(i);
        }
    }
    Ok(OptimizeResult {
        scenario: scenario.name.clone(),
        currency: scenario.prices.currency().to_owned(),
        spec: spec.clone(),
        baseline_monthly_cost: flow_cost(scenario, spec.load)?,
        candidates: cands.len(),
        pruned: cands.iter().filter(|c| c.pruned.is_some()).count(),
        finalists,
        chosen,
        runner_up,
        frontier,
    })
}

/// Runs the whole search. `progress` is called after each simulated candidate; raising `cancel` stops
/// it with [`SweepError::Cancelled`].
pub fn optimize(
    scenario: &Scenario,
    spec: &OptimizeSpec,
    progress: &(dyn Fn(OptimizeProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<OptimizeResult, SweepError> {
    let mut search = Search::new(scenario, spec)?;
    let done = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let tick = || {
        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
        progress(OptimizeProgress {
            done: d,
            total: total.load(Ordering::Relaxed),
        });
    };
    loop {
        let batch = search.next_batch(spec);
        if batch.is_empty() {
            break;
        }
        let planned = total.fetch_add(batch.len(), Ordering::Relaxed) + batch.len();
        progress(OptimizeProgress {
            done: done.load(Ordering::Relaxed),
            total: planned,
        });
        let cands: Vec<&Candidate> = batch.iter().map(|&i| &search.cands[i]).collect();
        let results = simulate(scenario, spec, &cands, &tick, cancel)?;
        search.record(results);
    }
    search.conclude(scenario, spec)
}

pub use super::optimize_shard::{OPTIMIZE_PARTIAL_FORMAT, OptimizePartial, merge, optimize_shard};
