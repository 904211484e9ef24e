//! One sweep point's result: every metric as mean ± 95% half-width over replications, pooled percentiles
//! from the merged histograms, the busiest node, and the analytic model beside it.

use serde::Serialize;

use super::flow::FlowModel;
use super::stats::Estimate;
use super::sweep::{Point, Replication, SweepError, pooled_latency};
use crate::metrics::LatencySummary;
use crate::model::Scenario;

/// One node's numbers at one point, over replications.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeEstimate {
    /// Node id.
    pub id: String,
    /// Time-averaged utilization.
    pub utilization: Estimate,
    /// Time-averaged queue length.
    pub mean_queue_len: Estimate,
    /// Queue growth, requests per second (see [`super::sweep::NodeMetrics::queue_growth_per_s`]).
    pub queue_growth_per_s: Estimate,
    /// Rejections per second at this node.
    pub rejected_rps: Estimate,
    /// Analytic utilization over all workers at this load (may exceed 1; `null` in JSON when infinite).
    pub analytic_utilization: f64,
    /// For a sharded database: its hottest shard's utilization (each replication's hottest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hottest_shard_utilization: Option<Estimate>,
}

/// The analytic model at a point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnalyticPoint {
    /// End-to-end mean latency, ms; `None` when overloaded.
    pub end_to_end_mean_ms: Option<f64>,
    /// The node with the highest analytic (peak) utilization.
    pub busiest_node: String,
    /// Its peak utilization (above 1: overloaded; `null` in JSON when infinite).
    pub busiest_utilization: f64,
}

/// A sweep point's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PointResult {
    /// Position in the sweep.
    pub index: usize,
    /// Load multiplier.
    pub load: f64,
    /// The swept value (the load for a load sweep).
    pub value: f64,
    /// The override, for a parameter sweep.
    pub set: Option<String>,
    /// Replications run.
    pub replications: u32,
    /// Warm-up used, seconds.
    pub warmup_s: f64,
    /// Requests issued per second.
    pub offered_rps: Estimate,
    /// Successful requests per second (goodput).
    pub throughput_rps: Estimate,
    /// Mean end-to-end latency of successes, ms.
    pub mean_ms: Estimate,
    /// Median, ms (mean of the replications' medians).
    pub p50_ms: Estimate,
    /// 99th percentile, ms.
    pub p99_ms: Estimate,
    /// 99.9th percentile, ms.
    pub p999_ms: Estimate,
    /// Failed / offered.
    pub error_rate: Estimate,
    /// Timed out / offered.
    pub timeout_rate: Estimate,
    /// Rejected / offered.
    pub reject_rate: Estimate,
    /// Percentiles of all replications' successes pooled (histograms merged exactly).
    pub pooled_latency_ms: LatencySummary,
    /// The node with the highest mean utilization.
    pub busiest_node: String,
    /// Its utilization.
    pub busiest_utilization: Estimate,
    /// Every node, scenario order.
    pub nodes: Vec<NodeEstimate>,
    /// The analytic model at this point.
    pub analytic: AnalyticPoint,
    /// Simulation events over all replications.
    pub events: u64,
    /// What the point's design costs per month at the flow model's traffic at this load (instances as
    /// configured; per-request charges grow with the load): cost against load (`docs/cost-model.md`).
    pub monthly_cost: f64,
}

impl PointResult {
    /// Failed + timed out + rejected, as a share of offered (mean over replications).
    pub fn failure_rate(&self) -> f64 {
        self.error_rate.mean + self.timeout_rate.mean + self.reject_rate.mean
    }

    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&NodeEstimate> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// Summarizes one point's replications (in replication order) for the point's scenario.
pub fn summarize_point(
    scenario: &Scenario,
    point: &Point,
    reps: &[Replication],
) -> Result<PointResult, SweepError> {
    let est = |f: &dyn Fn(&Replication) -> f64| {
        Estimate::from_values(&reps.iter().map(f).collect::<Vec<_>>())
    };
    let flow = FlowModel::new(scenario)?.eval_flow(point.load);
    let nodes: Vec<NodeEstimate> = scenario
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| NodeEstimate {
            id: n.id.clone(),
            utilization: est(&|r| r.nodes[i].utilization),
            mean_queue_len: est(&|r| r.nodes[i].mean_queue_len),
            queue_growth_per_s: est(&|r| r.nodes[i].queue_growth_per_s),
            rejected_rps: est(&|r| r.nodes[i].rejected_rps),
            analytic_utilization: flow.nodes[i].utilization,
            hottest_shard_utilization: reps
                .iter()
                .map(|r| r.nodes[i].hottest_shard_utilization)
                .collect::<Option<Vec<f64>>>()
                .filter(|v| !v.is_empty())
                .map(|v| Estimate::from_values(&v)),
        })
        .collect();
    // Ties go to the first node in scenario order.
    let busiest = nodes
        .iter()
        .enumerate()
        .fold(None::<(usize, f64)>, |best, (i, n)| match best {
            Some((_, u)) if u >= n.utilization.mean => best,
            _ => Some((i, n.utilization.mean)),
        })
        .map_or(0, |b| b.0);
    let abusy = flow
        .nodes
        .iter()
        .enumerate()
        .fold(None::<(usize, f64)>, |best, (i, n)| match best {
            Some((_, u)) if u >= n.peak_utilization => best,
            _ => Some((i, n.peak_utilization)),
        })
        .map_or(0, |b| b.0);
    Ok(PointResult {
        index: point.index,
        load: point.load,
        value: point.value,
        set: point.set.clone(),
        replications: reps.len() as u32,
        warmup_s: reps.first().map_or(scenario.warmup_s, |r| r.warmup_s),
        offered_rps: est(&|r| r.offered_rps),
        throughput_rps: est(&|r| r.throughput_rps),
        mean_ms: est(&|r| r.mean_ms),
        p50_ms: est(&|r| r.p50_ms),
        p99_ms: est(&|r| r.p99_ms),
        p999_ms: est(&|r| r.p999_ms),
        error_rate: est(&|r| r.error_rate),
        timeout_rate: est(&|r| r.timeout_rate),
        reject_rate: est(&|r| r.reject_rate),
        pooled_latency_ms: pooled_latency(reps).summary(),
        busiest_node: nodes.get(busiest).map_or(String::new(), |n| n.id.clone()),
        busiest_utilization: nodes
            .get(busiest)
            .map_or_else(Estimate::default, |n| n.utilization),
        analytic: AnalyticPoint {
            end_to_end_mean_ms: flow.end_to_end_mean_ms,
            busiest_node: flow
                .nodes
                .get(abusy)
                .map_or(String::new(), |n| n.id.clone()),
            busiest_utilization: flow.nodes.get(abusy).map_or(0.0, |n| n.peak_utilization),
        },
        nodes,
        events: reps.iter().map(|r| r.events).sum(),
        monthly_cost: super::optimize::flow_cost_of(scenario, &flow, point.load),
    })
}
