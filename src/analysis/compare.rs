//! The analytic overlay beside a simulated [`Report`]: per node and end to end, with the places where
//! they disagree and the likely reason.

use serde::Serialize;

use super::flow::{Flow, FlowModel};
use crate::metrics::Report;
use crate::model::{Dist, NodeKind};

/// How far apart analytic and simulated numbers may be before a node is flagged.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Tolerance {
    /// Utilization: absolute difference allowed (e.g. 0.05 = five points of utilization).
    pub utilization_abs: f64,
    /// Mean latency: relative difference allowed (e.g. 0.25 = 25%).
    pub latency_rel: f64,
    /// Mean latency: absolute difference always allowed, ms (edge jitter, bin widths).
    pub latency_abs_ms: f64,
}

impl Default for Tolerance {
    /// 5 points of utilization; latency within 25% or 0.5 ms.
    fn default() -> Self {
        Self {
            utilization_abs: 0.05,
            latency_rel: 0.25,
            latency_abs_ms: 0.5,
        }
    }
}

/// Why the simulation and the model may differ at a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The model says utilization >= 1 (no steady state), or close to it: the simulation is capped by
    /// finite queues and a finite run.
    Saturation,
    /// The node's bounded queue rejected requests; the model assumes an infinite queue.
    FiniteQueue,
    /// Clients retried (the servers saw more attempts than requests); the model counts each request once.
    Retries,
    /// Clients gave up (timeouts); the model has no abandonment.
    Timeouts,
    /// Arrivals are not Poisson (bursty or constant clients).
    Burstiness,
    /// Service or latency times are not exponential; M/M/c uses only their means.
    ServiceVariability,
    /// None of the above is visible: the approximation itself (even splitting, tandem effects).
    Approximation,
}

impl Reason {
    /// A short phrase for text output.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Saturation => "saturation (the model has no steady state near utilization 1)",
            Reason::FiniteQueue => "finite queue rejections (the model assumes an infinite queue)",
            Reason::Retries => "client retries (the model counts each request once)",
            Reason::Timeouts => "client timeouts (the model has no abandonment)",
            Reason::Burstiness => "bursty arrivals (the model assumes Poisson)",
            Reason::ServiceVariability => {
                "non-exponential service times (M/M/c uses only the mean)"
            }
            Reason::Approximation => "the approximation itself (even splits, tandem queues)",
        }
    }
}

/// One node, analytic beside simulated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeComparison {
    /// Node id.
    pub id: String,
    /// Analytic utilization over all workers (may exceed 1).
    pub analytic_utilization: f64,
    /// Simulated utilization.
    pub simulated_utilization: f64,
    /// Analytic mean latency at the node, ms (`None`: overloaded).
    pub analytic_latency_ms: Option<f64>,
    /// Simulated mean latency at the node, ms.
    pub simulated_latency_ms: f64,
    /// Within tolerance on both.
    pub agrees: bool,
    /// When they disagree: the likely reason.
    pub reason: Option<Reason>,
}

/// The overlay: every node and the end-to-end mean.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The analytic model at the report's load.
    pub flow: Flow,
    /// Per node (clients left out), scenario order.
    pub nodes: Vec<NodeComparison>,
    /// Simulated end-to-end mean, ms.
    pub simulated_end_to_end_mean_ms: f64,
    /// End-to-end means agree within the latency tolerance.
    pub end_to_end_agrees: bool,
}

impl Comparison {
    /// Nodes flagged as disagreeing.
    pub fn disagreements(&self) -> impl Iterator<Item = &NodeComparison> {
        self.nodes.iter().filter(|n| !n.agrees)
    }
}

fn is_exponential(d: &Dist) -> bool {
    matches!(d, Dist::Exponential { .. })
}

/// Puts the analytic model of `model`'s scenario at `report.load` beside the simulated `report` (of the
/// same scenario), flagging nodes outside `tol`.
pub fn compare(model: &FlowModel, report: &Report, tol: Tolerance) -> Comparison {
    let flow = model.at(report.load);
    let s = model.scenario();
    let offered = report.requests.offered.max(1) as f64;
    let timeouts = report.requests.timed_out as f64 / offered;
    let lat_ok = |a: Option<f64>, sim: f64| {
        a.is_some_and(|a| {
            let d = (a - sim).abs();
            d <= tol.latency_abs_ms || d <= tol.latency_rel * sim.abs().max(a.abs())
        })
    };
    let mut nodes = Vec::new();
    for (i, node) in s.nodes.iter().enumerate() {
        let (Some(f), Some(r)) = (flow.nodes.get(i), report.nodes.get(i)) else {
            continue;
        };
        if matches!(node.kind, NodeKind::Client(_)) {
            continue;
        }
        let util_ok = (f.utilization - r.utilization).abs() <= tol.utilization_abs;
        let sim_lat = r.latency_ms.mean;
        let agrees = util_ok && (r.latency_ms.count == 0 || lat_ok(f.mean_response_ms, sim_lat));
        let reason = (!agrees).then(|| {
            let variable = match &node.kind {
                NodeKind::Service(p) => !is_exponential(&p.service_time_ms),
                NodeKind::Cache(p) => !is_exponential(&p.hit_latency_ms),
                NodeKind::Gateway(p) => !is_exponential(&p.auth_ms),
                NodeKind::Database(p) => {
                    !is_exponential(&p.read_time_ms) || !is_exponential(&p.write_time_ms)
                }
                NodeKind::Client(_)
                | NodeKind::LoadBalancer(_)
                | NodeKind::Queue(_)
                | NodeKind::RateLimiter(_) => false,
            };
            if f.peak_utilization >= 0.95 || f.mean_response_ms.is_none() {
                Reason::Saturation
            } else if report.requests.retries > 0 {
                Reason::Retries
            } else if r.rejected > 0 {
                Reason::FiniteQueue
            } else if timeouts > 0.001 {
                Reason::Timeouts
            } else if model.has_non_poisson_arrivals() {
                Reason::Burstiness
            } else if variable {
                Reason::ServiceVariability
            } else {
                Reason::Approximation
            }
        });
        nodes.push(NodeComparison {
            id: node.id.clone(),
            analytic_utilization: f.utilization,
            simulated_utilization: r.utilization,
            analytic_latency_ms: f.mean_response_ms,
            simulated_latency_ms: sim_lat,
            agrees,
            reason,
        });
    }
    let sim_e2e = report.latency_ms.mean;
    Comparison {
        end_to_end_agrees: lat_ok(flow.end_to_end_mean_ms, sim_e2e),
        simulated_end_to_end_mean_ms: sim_e2e,
        flow,
        nodes,
    }
}
