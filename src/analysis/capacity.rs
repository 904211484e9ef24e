//! Capacity search: the largest load multiplier that still meets a latency and error SLO, found by
//! bisection with replications at each probe, and the node that saturates there.

use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::flow::FlowModel;
use super::stats::Estimate;
use super::summary::PointResult;
use super::sweep::{Point, Precision, SweepError, Warmup, run_point};
use crate::model::Scenario;

/// A service-level objective.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Slo {
    /// End-to-end p99 latency of successes must be at most this, ms (mean over replications).
    pub p99_ms: f64,
    /// Failed + timed out + rejected requests, as a share of offered, must be at most this.
    pub error_rate: f64,
}

impl Slo {
    /// Does a point meet it (on the replication means)?
    pub fn met_by(&self, p: &PointResult) -> bool {
        p.p99_ms.mean <= self.p99_ms && p.failure_rate() <= self.error_rate && p.p99_ms.n > 0
    }
}

/// How the search runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CapacityOptions {
    /// Replications per probe.
    pub replications: u32,
    /// Warm-up choice.
    pub warmup: Warmup,
    /// Optional precision target per probe.
    pub precision: Option<Precision>,
    /// Stop bisecting when the bracket is this narrow, relative (0.02 = 2%).
    pub rel_tolerance: f64,
    /// Most probes in all.
    pub max_probes: u32,
}

impl Default for CapacityOptions {
    fn default() -> Self {
        Self {
            replications: 3,
            warmup: Warmup::Scenario,
            precision: None,
            rel_tolerance: 0.02,
            max_probes: 16,
        }
    }
}

/// The node that saturates at the breaking point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bottleneck {
    /// Node id.
    pub id: String,
    /// Its utilization at the first failing probe.
    pub utilization: Estimate,
    /// Its mean queue length there.
    pub mean_queue_len: Estimate,
    /// Its queue growth there, requests per second.
    pub queue_growth_per_s: Estimate,
    /// Its utilization at the last passing probe.
    pub utilization_at_capacity: Option<Estimate>,
}

/// The answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Capacity {
    /// The objective.
    pub slo: Slo,
    /// Largest probed load multiplier that met the SLO (`None`: not even the smallest probe did).
    pub max_load: Option<f64>,
    /// Smallest probed load that failed it (`None`: nothing failed up to the search limit).
    pub first_failing_load: Option<f64>,
    /// The first node to saturate: the busiest node at the first failing probe.
    pub bottleneck: Option<Bottleneck>,
    /// The analytic breaking point (utilization 1) and bottleneck, for comparison.
    pub analytic_breaking_load: Option<f64>,
    /// See above.
    pub analytic_bottleneck: Option<String>,
    /// Every probe, in the order run.
    pub probes: Vec<PointResult>,
}

/// Highest load the upward search tries.
const MAX_LOAD: f64 = 10_000.0;
/// Lowest load the downward search tries: the shared limit.
const MIN_LOAD: f64 = crate::model::limits::MIN_LOAD;

/// Finds the largest load multiplier that meets `slo`. Probes start at 1x and at the analytic breaking
/// point, bracket the answer by doubling or halving, then bisect. Each probe is a
/// [`run_point`] with the given replications (parallel inside); `progress` gets each finished probe.
pub fn find_capacity(
    scenario: &Scenario,
    slo: Slo,
    opts: CapacityOptions,
    progress: &dyn Fn(&PointResult),
    cancel: &AtomicBool,
) -> Result<Capacity, SweepError> {
    let model = FlowModel::new(scenario)?;
    if !crate::model::limits::offers_traffic(scenario) {
        return Err(SweepError::Spec(
            "no client sends any traffic (every rate_rps is 0, or every client stops before it starts): \
             there is no load to find the capacity of"
                .into(),
        ));
    }
    if let Some(why) = crate::model::limits::replications_problem("replications", opts.replications)
    {
        return Err(SweepError::Spec(why));
    }
    // The search goes no higher than the load the limits allow (offered rate, batch size, events).
    let top_load = crate::model::limits::max_load(scenario).min(MAX_LOAD);
    let (analytic, analytic_node) = model.breaking_point();
    let mut probes: Vec<PointResult> = Vec::new();
    let probe = |load: f64, probes: &mut Vec<PointResult>| -> Result<bool, SweepError> {
        let point = Point {
            index: probes.len(),
            load,
            set: None,
            value: load,
        };
        let p = run_point(
            scenario,
            &point,
            opts.replications,
            opts.warmup,
            opts.precision,
            cancel,
        )?;
        let ok = slo.met_by(&p);
        progress(&p);
        probes.push(p);
        Ok(ok)
    };
    let (mut lo, mut hi): (Option<f64>, Option<f64>) = (None, None);
    if probe(1.0, &mut probes)? {
        lo = Some(1.0);
        // The analytic breaking point is usually close above the answer: try it first.
        let mut x = analytic.filter(|&a| a > 1.0).unwrap_or(2.0);
        while hi.is_none() && x <= top_load && (probes.len() as u32) < opts.max_probes {
            if probe(x, &mut probes)? {
                lo = Some(x);
                x *= 2.0;
            } else {
                hi = Some(x);
            }
        }
    } else {
        hi = Some(1.0);
        let mut x = 0.5;
        while lo.is_none() && x >= MIN_LOAD && (probes.len() as u32) < opts.max_probes {
            if probe(x, &mut probes)? {
                lo = Some(x);
            } else {
                hi = Some(x);
                x /= 2.0;
            }
        }
    }
    if let (Some(mut l), Some(mut h)) = (lo, hi) {
        while (h - l) > opts.rel_tolerance * l && (probes.len() as u32) < opts.max_probes {
            let mid = 0.5 * (l + h);
            if probe(mid, &mut probes)? {
                l = mid;
            } else {
                h = mid;
            }
        }
        lo = Some(l);
        hi = Some(h);
    }
    let at = |load: Option<f64>| load.and_then(|x| probes.iter().find(|p| p.load == x));
    let bottleneck = at(hi).map(|p| {
        let n = p.node(&p.busiest_node);
        Bottleneck {
            id: p.busiest_node.clone(),
            utilization: p.busiest_utilization,
            mean_queue_len: n.map_or_else(Estimate::default, |n| n.mean_queue_len),
            queue_growth_per_s: n.map_or_else(Estimate::default, |n| n.queue_growth_per_s),
            utilization_at_capacity: at(lo)
                .and_then(|q| q.node(&p.busiest_node))
                .map(|n| n.utilization),
        }
    });
    Ok(Capacity {
        slo,
        max_load: lo,
        first_failing_load: hi,
        bottleneck,
        analytic_breaking_load: analytic,
        analytic_bottleneck: analytic_node,
        probes,
    })
}
