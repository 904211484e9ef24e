//! The analytic overlay: flow equations over a scenario's graph, solved in microseconds.
//!
//! Arrival rates follow the routing (clients pick the first edge carrying the class, load balancers split
//! evenly over the backends that carry it, caches send misses to their backing store, databases split reads
//! over the replicas and writes to the primary, queues hand messages to their consumers, services call every
//! downstream edge that carries the class, each with its `probability` and `times`). Each node with workers is an M/M/c station (Erlang
//! C), one per replica or database instance; a service's holding time is its own work plus the round trips
//! of its downstream calls, so a slow dependency raises its callers' utilization as it does in the engine.
//! Response times add up bottom-up, edge latencies counted both ways, into an end-to-end mean per class.
//!
//! What the model leaves out (and [`super::compare`] names when the simulation disagrees): finite queues
//! (it assumes infinite ones), client timeouts and retries, non-Poisson arrivals, non-exponential service
//! times beyond their mean, and load-balancing policies other than an even split. A client that sends only
//! between `start_s` and `stop_s` counts with its rate averaged over the measured window. Call patterns:
//! a sequential service waits for the sum of its calls' mean round trips, a parallel one for the largest
//! mean and a `FirstOf(k)` one for the k-th smallest; the mean of the slowest of n calls is more than the
//! slowest mean (tail amplification: a fan-out to 100 leaves that each stall 1% of the time stalls 63% of
//! the time), so for parallel calls the model is a lower bound. A client under a load profile is evaluated at the
//! profile's peak (rate x peak multiplier), closed-loop users at the throughput Mean Value Analysis gives
//! their loop (`mva.rs`; exact for one-server exponential stations, Seidmann's approximation for more
//! servers), with MVA's waits at the stations they reach. Hedges' second copies are not in its
//! rates, nor their effect on latency. Duplicate side effects are not modelled: it has no retries, so no
//! repeated writes, no idempotency-key deduplication and no queue redeliveries (a visibility timeout's
//! extra hand-outs are not in the consumers' rates). A cache's write path sends its writes to the store
//! (write-behind: one query per `batch_size` writes, answered without the store), but the extra read misses
//! that invalidations cause and the stale reads are not modelled. A quorum database's coordinators hold a
//! connection for the R-th (W-th) fastest of n replica times (the exponential order statistic of the
//! distribution's mean); its replication lag, stale reads and a `Split` fault (like every fault) are not modelled.

// The equations index several per-node, per-class tables by the same class number; iterator chains over
// one of them would hide that symmetry.
#![allow(
    clippy::needless_range_loop,
    reason = "node, class and edge indices address several parallel tables at once"
)]

use serde::Serialize;

use crate::model::{Arrival, Dist, NodeKind, Scenario, ScenarioError, ValidScenario};

mod eval;
mod mva;

/// Largest load multiplier the breaking-point search looks at; a node still below saturation there has
/// no breaking point (`None`).
pub const MAX_SEARCH_LOAD: f64 = 1e7;

/// One node's analytic numbers at one load.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NodeFlow {
    /// Node id.
    pub id: String,
    /// Kind, as in reports (`"service"`...).
    pub kind: String,
    /// Requests reaching the node per second, all classes (for a consumer service: messages it takes).
    pub arrival_rps: f64,
    /// Workers (or connections) over all replicas / instances; 0 for kinds without workers.
    pub servers: u32,
    /// Mean time a worker is held per request, ms (own work plus downstream round trips); infinite
    /// (`null` in JSON) when a dependency is overloaded.
    pub mean_hold_ms: f64,
    /// Offered utilization, arrival rate x holding time / servers, over all workers (what the report's
    /// `utilization` measures, which can never exceed 1): above 1 means overload. Infinite (`null` in
    /// JSON) when a dependency is overloaded; 0 without workers.
    pub utilization: f64,
    /// The same for the busiest replica or database instance (a primary taking every write can saturate
    /// while the read replicas idle): it reaching 1 is the node's breaking point.
    pub peak_utilization: f64,
    /// Mean wait for a worker (Erlang C), ms; `None` when the node (or what it waits on) is overloaded.
    pub mean_wait_ms: Option<f64>,
    /// Mean time from arrival to response leaving the node (what the report's node `latency_ms.mean`
    /// measures); `None` when overloaded.
    pub mean_response_ms: Option<f64>,
    /// For a queue: mean time from enqueue until a consumer finished (the report's `lag_ms.mean`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_lag_ms: Option<f64>,
    /// The load multiplier at which this node's utilization reaches 1 (its own breaking point, counting
    /// the slow-down of what it waits on); `None` if it never does (no workers or no traffic).
    pub saturation_load: Option<f64>,
}

/// The analytic model of a scenario at one load multiplier.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Flow {
    /// Load multiplier the numbers are for.
    pub load: f64,
    /// Per node, in scenario order.
    pub nodes: Vec<NodeFlow>,
    /// End-to-end mean latency over all clients' traffic (weighted by rate), ms, including every edge
    /// latency both ways; `None` when some node on a path is overloaded.
    pub end_to_end_mean_ms: Option<f64>,
    /// The load multiplier at which the first node reaches utilization 1: the analytic breaking point.
    pub breaking_load: Option<f64>,
    /// The node that saturates first on its own (not because something it calls did).
    pub bottleneck: Option<String>,
}

impl Flow {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&NodeFlow> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// The routing structure of a scenario, prepared once so that evaluating it at many loads is cheap.
#[derive(Clone, Debug)]
pub struct FlowModel {
    scenario: Scenario,
    classes: Vec<String>,
    /// Node indices, callers before callees.
    order: Vec<usize>,
    /// Per node, per class: outgoing edge indices carrying the class, in file order.
    routes: Vec<Vec<Vec<usize>>>,
    /// Per edge: mean one-way latency, ms, and the callee's index.
    edge_ms: Vec<f64>,
    edge_to: Vec<usize>,
    /// The closed-loop clients' stations (empty when no client is a closed loop).
    closed: Vec<mva::ClosedClient>,
}

/// Per node, per class: outgoing edge indices carrying the class.
type Routes = Vec<Vec<Vec<usize>>>;

/// The routes of balancers that send to a subset while everything is healthy, cut to it: a failover
/// balancer's primary; a nearest-healthy one's backends nearest to its own zone or, when it has none, to
/// the zone of the first client calling it directly (the engine measures from each request's client; the
/// flow model takes one place per balancer). Also, per edge, the latency a global (zone-less) balancer's
/// hops add from that client's zone to the backend's, ms.
fn nearest_tiers(s: &Scenario, mut routes: Routes) -> (Routes, Vec<f64>) {
    let mut geo = vec![0.0; s.edges.len()];
    let none = crate::model::Topology::default();
    let t = s.topology.as_ref().unwrap_or(&none);
    for (ni, n) in s.nodes.iter().enumerate() {
        let policy = match &n.kind {
            NodeKind::LoadBalancer(lb) => lb.policy,
            // A CDN's edges are where its users are: only the hops' latency below applies.
            NodeKind::Cache(c) if c.per_region => crate::model::LbPolicy::RoundRobin,
            _ => continue,
        };
        if policy == crate::model::LbPolicy::Failover {
            // The primary takes it all while healthy.
            for r in &mut routes[ni] {
                r.truncate(1);
            }
        }
        let from = n.zone.as_deref().or_else(|| {
            s.edges
                .iter()
                .filter(|e| e.to == n.id)
                .filter_map(|e| s.node(&e.from))
                .find(|c| matches!(c.kind, NodeKind::Client(_)))
                .and_then(|c| c.zone.as_deref())
        });
        let Some(from) = from else {
            continue;
        };
        let dist = |e: usize| {
            let to = s.node(&s.edges[e].to).and_then(|b| b.zone.as_deref());
            to.map_or(f64::INFINITY, |z| t.between(Some(from), Some(z)).1)
        };
        if policy == crate::model::LbPolicy::NearestHealthy {
            for r in &mut routes[ni] {
                let best = r.iter().map(|&e| dist(e)).fold(f64::INFINITY, f64::min);
                if best.is_finite() {
                    r.retain(|&e| dist(e) == best);
                }
            }
        }
        if n.zone.is_none() {
            for (ei, e) in s.edges.iter().enumerate() {
                if e.from == n.id && dist(ei).is_finite() {
                    geo[ei] = dist(ei);
                }
            }
        }
    }
    (routes, geo)
}

/// Per-node, per-class numbers while evaluating.
struct Eval {
    /// Arrivals per ms, per node, per class.
    lambda: Vec<Vec<f64>>,
    /// Response time per node per class, ms (infinite when overloaded).
    resp: Vec<Vec<f64>>,
    /// Node results.
    nodes: Vec<NodeFlow>,
    /// Node is at or above utilization 1 while everything it waits on is stable.
    own_overload: Vec<bool>,
    /// Worker time per ms on the node's own work (not waiting on its calls): MVA's demands.
    own_busy: Vec<f64>,
}

fn mean_ms(d: &Dist) -> f64 {
    d.mean().unwrap_or(f64::INFINITY)
}

impl FlowModel {
    /// Prepares the model; the scenario must validate.
    pub fn new(scenario: &Scenario) -> Result<Self, ScenarioError> {
        Ok(Self::from_valid(&ValidScenario::new(scenario.clone())?))
    }

    /// Prepares the model of a scenario already validated: no second validation.
    pub fn from_valid(valid: &ValidScenario) -> Self {
        let scenario: &Scenario = valid;
        let mut classes: Vec<String> = Vec::new();
        for n in &scenario.nodes {
            if let NodeKind::Client(c) = &n.kind {
                for cw in &c.classes {
                    if !classes.contains(&cw.name) {
                        classes.push(cw.name.clone());
                    }
                }
            }
        }
        let n = scenario.nodes.len();
        let idx = |id: &str| scenario.node_index(id).unwrap_or(0);
        let edge_to: Vec<usize> = scenario.edges.iter().map(|e| idx(&e.to)).collect();
        let edge_ms: Vec<f64> = scenario
            .edges
            .iter()
            .map(|e| mean_ms(&e.latency_ms) + crate::model::topology::edge_crossing(scenario, e).1)
            .collect();
        let routes = (0..n)
            .map(|ni| {
                classes
                    .iter()
                    .map(|c| {
                        (0..scenario.edges.len())
                            .filter(|&ei| {
                                let e = &scenario.edges[ei];
                                idx(&e.from) == ni && e.carries(c)
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let (routes, geo_ms) = nearest_tiers(scenario, routes);
        let edge_ms = edge_ms
            .into_iter()
            .zip(geo_ms)
            .map(|(a, b): (f64, f64)| a + b)
            .collect();
        // Lowest index first among the ready nodes: a deterministic order (validation has ruled out
        // cycles, so there is one).
        let order = crate::model::graph::CallGraph::new(scenario)
            .topological_order()
            .unwrap_or_default();
        let mut model = Self {
            scenario: scenario.clone(),
            classes,
            order,
            routes,
            edge_ms,
            edge_to,
            closed: Vec::new(),
        };
        model.closed = model.prepare_closed();
        model
    }

    /// The scenario the model was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The analytic numbers at `load`, with every node's saturation load and the breaking point.
    pub fn at(&self, load: f64) -> Flow {
        let mut flow = self.eval_flow(load);
        for i in 0..flow.nodes.len() {
            flow.nodes[i].saturation_load = self.saturation_load(i);
        }
        let (breaking, bottleneck) = self.breaking_point();
        flow.breaking_load = breaking;
        flow.bottleneck = bottleneck;
        flow
    }

    /// The load multiplier at which the first node saturates, and that node (the one whose own utilization
    /// reaches 1 while what it waits on is still stable). `None` if nothing saturates below
    /// [`MAX_SEARCH_LOAD`].
    pub fn breaking_point(&self) -> (Option<f64>, Option<String>) {
        let Some(x) = self.first_load_where(|e| e.own_overload.iter().any(|&b| b)) else {
            return (None, None);
        };
        // Just above the breaking point, the node overloaded on its own with the highest utilization.
        let e = self.eval_knee(x * (1.0 + 1e-9));
        let best = (0..e.nodes.len())
            .filter(|&i| e.own_overload[i])
            .max_by(|&a, &b| {
                e.nodes[a]
                    .peak_utilization
                    .total_cmp(&e.nodes[b].peak_utilization)
            });
        (Some(x), best.map(|i| e.nodes[i].id.clone()))
    }

    /// The load at which node `i`'s utilization reaches 1; `None` if it stays below up to
    /// [`MAX_SEARCH_LOAD`].
    pub fn saturation_load(&self, i: usize) -> Option<f64> {
        self.first_load_where(|e| e.nodes[i].peak_utilization >= 1.0)
    }

    /// Smallest load (relative precision 1e-10) at which `pred` holds; utilizations grow with load, so
    /// the predicates used here are monotone.
    fn first_load_where(&self, pred: impl Fn(&Eval) -> bool) -> Option<f64> {
        let mut hi = 1.0;
        while !pred(&self.eval_knee(hi)) {
            hi *= 2.0;
            if hi > MAX_SEARCH_LOAD {
                return None;
            }
        }
        let mut lo = 0.0;
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if pred(&self.eval_knee(mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
            if hi - lo <= hi * 1e-10 {
                break;
            }
        }
        Some(hi)
    }

    /// Only the flow at `load` (no breaking-point search): what the other searches call repeatedly.
    pub fn eval_flow(&self, load: f64) -> Flow {
        let e = self.eval(load);
        let s = &self.scenario;
        let mut total = 0.0;
        let mut weighted = 0.0;
        for (ni, node) in s.nodes.iter().enumerate() {
            let NodeKind::Client(_) = &node.kind else {
                continue;
            };
            for (ci, _) in self.classes.iter().enumerate() {
                let rate = e.lambda[ni][ci];
                if rate <= 0.0 {
                    continue;
                }
                total += rate;
                weighted += rate * e.resp[ni][ci];
            }
        }
        let e2e = (total > 0.0).then(|| weighted / total);
        Flow {
            load,
            nodes: e.nodes,
            end_to_end_mean_ms: e2e.filter(|x| x.is_finite()),
            breaking_load: None,
            bottleneck: None,
        }
    }

    /// The share of the measured window (warm-up to end) in which a client with this start and stop
    /// time sends: its rate averaged over the window (over the whole run if the window is empty).
    fn active_fraction(&self, start_s: f64, stop_s: Option<f64>) -> f64 {
        let s = &self.scenario;
        let (mut from, to) = (s.warmup_s, s.duration_s);
        if to <= from {
            from = 0.0;
        }
        let on = start_s.max(from);
        let off = stop_s.unwrap_or(to).min(to);
        if to > from {
            ((off - on) / (to - from)).clamp(0.0, 1.0)
        } else {
            1.0
        }
    }

    fn class_index(&self, name: &str) -> usize {
        self.classes.iter().position(|c| c == name).unwrap_or(0)
    }

    /// Of class `ci`'s requests at a cache, the share that goes on to the store, and the share whose answer
    /// waits for the store: the misses for a lookup, every write under a write path that writes to the
    /// store first, and under write-behind one query per `batch_size` writes (answered without waiting).
    fn cache_shares(&self, p: &crate::model::CacheParams, ci: usize) -> (f64, f64) {
        let is_write = p
            .writes
            .as_ref()
            .filter(|w| self.classes.get(ci).is_some_and(|c| w.classes.contains(c)));
        if let Some(w) = is_write {
            return match &w.policy {
                // Linear in the rate (the routing is solved once per unit of load): full batches, one
                // query per `batch_size` writes; a flush's last, partial batch is left out.
                crate::model::WritePolicy::WriteBehind(wb) => {
                    (1.0 / f64::from(wb.batch_size.max(1)), 0.0)
                }
                crate::model::WritePolicy::CacheAside
                | crate::model::WritePolicy::WriteThrough
                | crate::model::WritePolicy::WriteAround => (1.0, 1.0),
            };
        }
        let miss = 1.0 - self.hit_ratio(p, ci);
        (miss, miss)
    }

    fn hit_ratio(&self, p: &crate::model::CacheParams, ci: usize) -> f64 {
        if let Some(k) = &p.keys {
            return key_model_hit_ratio(k);
        }
        p.class_hit_ratio
            .get(&self.classes[ci])
            .copied()
            .unwrap_or(p.hit_ratio)
    }

    /// A queue's consumer edges with the consumer's worker count (its share of the messages).
    fn consumers(&self, qi: usize) -> Vec<(usize, f64)> {
        let s = &self.scenario;
        s.edges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.from == s.nodes[qi].id)
            .map(|(ei, _)| {
                let w = match &s.nodes[self.edge_to[ei]].kind {
                    NodeKind::Service(p) => f64::from(p.replicas) * f64::from(p.workers),
                    NodeKind::Client(_)
                    | NodeKind::LoadBalancer(_)
                    | NodeKind::Cache(_)
                    | NodeKind::Database(_)
                    | NodeKind::Queue(_)
                    | NodeKind::RateLimiter(_)
                    | NodeKind::Gateway(_) => 1.0,
                };
                (ei, w)
            })
            .collect()
    }

    fn fed_by_queue(&self, ni: usize) -> bool {
        let s = &self.scenario;
        s.edges.iter().any(|e| {
            e.to == s.nodes[ni].id
                && s.node(&e.from)
                    .is_some_and(|n| matches!(n.kind, NodeKind::Queue(_)))
        })
    }

    /// Does any client send non-Poisson traffic? (Then the M in M/M/c is an approximation.)
    pub fn has_non_poisson_arrivals(&self) -> bool {
        self.scenario.nodes.iter().any(
            |n| matches!(&n.kind, NodeKind::Client(c) if !matches!(c.arrival, Arrival::Poisson)),
        )
    }
}

fn mean_of(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// The analytic numbers for `scenario` at `load`, with the breaking point (convenience for
/// [`FlowModel::new`] then [`FlowModel::at`]).
pub fn analyze(scenario: &Scenario, load: f64) -> Result<Flow, ScenarioError> {
    Ok(FlowModel::new(scenario)?.at(load))
}

/// Steady-state hit ratio of a key-model cache, approximated as the popularity mass of the `capacity` most
/// popular keys (an LRU under independent Zipf requests holds mostly those). It ignores the TTL's refills
/// and the cold start, so it overestimates hits for short TTLs and large, flat key spaces.
fn key_model_hit_ratio(k: &crate::model::KeyModel) -> f64 {
    let n = k.key_count.max(1);
    let held = k.capacity.min(n);
    let (mut top, mut all) = (0.0, 0.0);
    for i in 1..=n {
        let w = libm::pow(i as f64, -k.zipf_exponent);
        all += w;
        if i <= held {
            top += w;
        }
    }
    top / all
}

/// An open client's steady rate for the model, requests/s: under a load profile, the rate at the
/// profile's peak (the model is then the design at its busiest moment). A closed-loop client's rate is
/// MVA's throughput (`super::mva`), always passed in; N / Z (its most) is only a fallback.
pub(super) fn client_rate_rps(c: &crate::model::ClientParams) -> f64 {
    match (&c.arrival, &c.profile) {
        (
            Arrival::ClosedLoop {
                users,
                think_time_ms,
            },
            _,
        ) => *users as f64 / (think_time_ms.mean().unwrap_or(0.0).max(1.0) / 1e3),
        (_, Some(p)) => p.base_rps(c.rate_rps) * p.peak().0,
        (_, None) => c.rate_rps,
    }
}
