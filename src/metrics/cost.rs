//! What a design costs per month, from the scenario's price table and a run's (or the flow model's)
//! measurements: instances x hourly price x 730 h, plus per-request and egress charges on the requests
//! that reached each node. Computed after a run from its report, never inside the engine.

use serde::{Deserialize, Serialize};

use super::Report;
use crate::model::{HOURS_PER_MONTH, KindTag, NodeKind, Scenario};

/// One node's share of the bill.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeCost {
    /// Node id.
    pub id: String,
    /// Kind, snake_case.
    pub kind: String,
    /// Instances billed: replicas (time-averaged, warm-up of new ones included, for an autoscaled
    /// service), database primary plus read replicas, one cache node or balancer, 0 for clients.
    pub instances: f64,
    /// Price per instance-hour that applied.
    pub hourly_price: f64,
    /// Price per million requests that applied.
    pub per_million_requests_price: f64,
    /// Requests per second that reached the node (what per-request prices bill).
    pub requests_rps: f64,
    /// Instance charge per month: `instances x hourly_price x 730`.
    pub instance_monthly: f64,
    /// Request charge per month: `requests_rps x 3600 x 730 / 1e6 x per_million_requests_price`.
    pub request_monthly: f64,
    /// Egress per month: `requests_rps x 3600 x 730 x kb_per_request / 1e6 x per_gb`.
    pub egress_monthly: f64,
    /// The node's total per month.
    pub monthly: f64,
}

/// The bill of a design at the measured (or modelled) traffic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostReport {
    /// Currency of every figure.
    pub currency: String,
    /// Hours per month the monthly figures use (730).
    pub hours_per_month: f64,
    /// Total per hour.
    pub hourly: f64,
    /// Total per month.
    pub monthly: f64,
    /// Monthly total over the month's offered requests, per million (`null` in JSON without traffic).
    pub per_million_requests: Option<f64>,
    /// Per node, in scenario order.
    pub nodes: Vec<NodeCost>,
}

impl CostReport {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&NodeCost> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// How many instances a node bills when nothing measured says otherwise (fixed replicas).
pub fn configured_instances(kind: &NodeKind) -> f64 {
    match kind {
        NodeKind::Client(_) => 0.0,
        NodeKind::Service(s) => f64::from(s.replicas),
        // Each shard is a primary with its own read replicas.
        NodeKind::Database(d) => {
            (1.0 + f64::from(d.read_replicas)) * f64::from(d.shards.as_ref().map_or(1, |s| s.count))
        }
        NodeKind::LoadBalancer(_)
        | NodeKind::Cache(_)
        | NodeKind::Queue(_)
        | NodeKind::RateLimiter(_)
        | NodeKind::Gateway(_) => 1.0,
    }
}

/// The bill for `scenario` given, per node in scenario order, the requests per second reaching it and
/// (for autoscaled services) the time-averaged instances billed, and the offered requests per second.
pub fn cost_of(
    scenario: &Scenario,
    requests_rps: &[f64],
    instances: &[Option<f64>],
    offered_rps: f64,
) -> CostReport {
    let seconds_per_month = HOURS_PER_MONTH * 3600.0;
    let nodes: Vec<NodeCost> = scenario
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let tag = n.kind.tag();
            let price = scenario.prices.resolve(&n.id, tag);
            let billed = tag != KindTag::Client;
            let inst = if billed {
                instances
                    .get(i)
                    .copied()
                    .flatten()
                    .unwrap_or_else(|| configured_instances(&n.kind))
            } else {
                0.0
            };
            let rps = if billed {
                requests_rps.get(i).copied().unwrap_or(0.0).max(0.0)
            } else {
                0.0
            };
            let per_month = rps * seconds_per_month;
            let instance_monthly = inst * price.hourly * HOURS_PER_MONTH;
            let request_monthly = per_month / 1e6 * price.per_million_requests;
            let egress_monthly = per_month * price.kb_per_request / 1e6 * price.per_gb;
            NodeCost {
                id: n.id.clone(),
                kind: tag.as_str().to_owned(),
                instances: inst,
                hourly_price: if billed { price.hourly } else { 0.0 },
                per_million_requests_price: if billed {
                    price.per_million_requests
                } else {
                    0.0
                },
                requests_rps: rps,
                instance_monthly,
                request_monthly,
                egress_monthly,
                monthly: instance_monthly + request_monthly + egress_monthly,
            }
        })
        .collect();
    let monthly: f64 = nodes.iter().map(|n| n.monthly).sum();
    let requests_per_month = offered_rps * seconds_per_month;
    CostReport {
        currency: scenario.prices.currency().to_owned(),
        hours_per_month: HOURS_PER_MONTH,
        hourly: monthly / HOURS_PER_MONTH,
        monthly,
        per_million_requests: (requests_per_month > 0.0)
            .then(|| monthly / (requests_per_month / 1e6)),
        nodes,
    }
}

/// The bill at a run's measured traffic: each node's arrivals over the measured window, and the billed
/// replicas the autoscaler kept.
pub fn cost_of_report(scenario: &Scenario, report: &Report) -> CostReport {
    let window_s = (report.sim_time_s - report.warmup_s).max(0.0);
    let rps: Vec<f64> = report
        .nodes
        .iter()
        .map(|n| {
            if window_s > 0.0 {
                n.arrivals as f64 / window_s
            } else {
                0.0
            }
        })
        .collect();
    let inst: Vec<Option<f64>> = report.nodes.iter().map(|n| n.billed_replicas).collect();
    cost_of(scenario, &rps, &inst, report.offered_rps)
}
