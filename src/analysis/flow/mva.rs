//! Closed-loop users in the flow model: Mean Value Analysis (M. Reiser and S. S. Lavenberg, "Mean-Value
//! Analysis of Closed Multichain Queuing Networks", JACM 27(2), 1980).
//!
//! A closed-loop client has no rate of its own: N users each send, wait for the answer and think for Z, so
//! its throughput X is what the stations' queues let through. Each node with workers that the client's
//! requests reach is one station with demand D (its own work per request: visits x mean time, for a service
//! its service time, not the time its workers wait on calls, which is counted at the callees) and c
//! servers. MVA climbs from 1 user to N: with Q_k(n - 1) the mean queue at station k with one user fewer,
//! an arriving request finds that queue (the arrival theorem), so its residence there is
//! R_k(n) = D_k (1 + Q_k(n - 1)); then X(n) = n / (Z + delays + sum of R_k(n)) and Q_k(n) = X(n) R_k(n).
//! Exact for one-server exponential stations. A station of c servers is Seidmann's approximation: a
//! one-server queue of demand D / c plus a pure delay of D (c - 1) / c, exact at light load (R = D) and in
//! the limit (X = c / D). Other traffic at a station (open clients, other closed loops) slows the loop by
//! 1 / (1 - its utilization) there; several closed-loop clients are solved in turn until their rates
//! settle. Past [`EXACT_USERS`] users the recursion switches to Bard-Schweitzer's fixed point
//! (Q_k(N - 1) ~ (N - 1) / N Q_k(N)), whose error shrinks as N grows.

use super::FlowModel;
use crate::model::{Arrival, NodeKind};

/// Users up to which MVA runs the exact recursion (one step per user); beyond, Bard-Schweitzer.
const EXACT_USERS: u64 = 20_000;

/// A tiny client rate (requests per ms) at which the model is evaluated to read demands and visits: the
/// model is linear in the rates below any rate limiter's cap, so this is the per-request figure exactly.
const PROBE_PER_MS: f64 = 1e-9;

/// One closed-loop client's loop, prepared once.
#[derive(Clone, Debug)]
pub(super) struct ClosedClient {
    /// The client's node index.
    pub node: usize,
    /// Users at load 1.
    pub users: f64,
    /// Mean think time, ms.
    pub think_ms: f64,
    /// Mean response with no queueing anywhere, ms (the model at zero traffic, over the class mix).
    pub r0_ms: f64,
    /// The stations its requests reach.
    pub stations: Vec<Station>,
}

/// A node with workers that a closed-loop client's requests reach.
#[derive(Clone, Debug)]
pub(super) struct Station {
    pub node: usize,
    /// Its own work per client request, ms (visits x mean time).
    pub demand_ms: f64,
    /// Workers over all replicas or instances.
    pub servers: f64,
    /// Arrivals per client request.
    pub visits: f64,
}

/// What the loops give at one load: each closed-loop client's throughput, and the mean wait per visit
/// at the nodes they reach (which replaces Erlang C's, since a closed loop never overloads a queue).
pub(super) struct Solved {
    /// Per node: the closed-loop client's throughput, requests/s (`None` for other nodes).
    pub rate_rps: Vec<Option<f64>>,
    /// Per node: the mean wait per visit, ms, when closed-loop traffic reaches it.
    pub wait_ms: Vec<Option<f64>>,
}

impl FlowModel {
    /// The closed-loop clients' stations, read from the model at zero traffic and at a probe rate.
    pub(super) fn prepare_closed(&self) -> Vec<ClosedClient> {
        let s = &self.scenario;
        let n = s.nodes.len();
        let mut out = Vec::new();
        let idle = self.eval_rates(0.0, &vec![Some(0.0); n], &[]);
        for (ni, node) in s.nodes.iter().enumerate() {
            let NodeKind::Client(c) = &node.kind else {
                continue;
            };
            let Arrival::ClosedLoop {
                users,
                think_time_ms,
            } = &c.arrival
            else {
                continue;
            };
            let wsum: f64 = c.classes.iter().map(|w| w.weight).sum();
            let r0_ms = c
                .classes
                .iter()
                .map(|w| w.weight / wsum * idle.resp[ni][self.class_index(&w.name)])
                .sum();
            let mut probe = vec![Some(0.0); n];
            probe[ni] = Some(PROBE_PER_MS * 1000.0);
            let e = self.eval_rates(0.0, &probe, &[]);
            // The forward pass averages the rate over the part of the window the client sends in.
            let sent = PROBE_PER_MS * self.active_fraction(c.start_s, c.stop_s);
            let stations = (0..n)
                .filter(|&j| sent > 0.0 && e.nodes[j].servers > 0 && e.own_busy[j] > 0.0)
                .map(|j| Station {
                    node: j,
                    demand_ms: e.own_busy[j] / sent,
                    servers: f64::from(e.nodes[j].servers),
                    visits: e.nodes[j].arrival_rps / 1000.0 / sent,
                })
                .collect();
            out.push(ClosedClient {
                node: ni,
                users: f64::from(*users),
                think_ms: think_time_ms.mean().unwrap_or(0.0).max(0.0),
                r0_ms,
                stations,
            });
        }
        out
    }

    /// The rates at which the breaking-point searches see the loops, with no wait at their stations:
    /// N / (R0 + Z), the throughput with no queueing (the light-load asymptote). It reaches a station's
    /// capacity c / D at N* = (R0 + Z) c / D users, the knee past which that station bounds the loop: the
    /// closed loop's breaking point. (With Erlang C's waits instead, a caller holding workers on a station
    /// near its knee would saturate first in the model, which the loop's bounded queue does not allow.)
    pub(super) fn knee_rates(&self, load: f64) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
        let n = self.scenario.nodes.len();
        let (mut rate, mut wait) = (vec![None; n], vec![None; n]);
        for c in &self.closed {
            rate[c.node] = Some(c.users * load / (c.r0_ms + c.think_ms).max(1e-9) * 1000.0);
            for st in &c.stations {
                wait[st.node] = Some(0.0);
            }
        }
        (rate, wait)
    }

    /// Solves every closed loop at `load` (users x load, rounded as the engine does).
    pub(super) fn solve_closed(&self, load: f64) -> Solved {
        let n = self.scenario.nodes.len();
        // Utilization per node of the open clients alone.
        let mut zero = vec![None; n];
        for c in &self.closed {
            zero[c.node] = Some(0.0);
        }
        let open = self.eval_rates(load, &zero, &[]);
        let open_util: Vec<f64> = (0..n)
            .map(|j| {
                let c = f64::from(open.nodes[j].servers);
                if c > 0.0 { open.own_busy[j] / c } else { 0.0 }
            })
            .collect();
        let m = self.closed.len();
        let mut x = vec![0.0; m];
        let mut resid: Vec<Vec<f64>> = self
            .closed
            .iter()
            .map(|c| vec![0.0; c.stations.len()])
            .collect();
        let rounds = if m == 1 { 1 } else { 200 };
        for _ in 0..rounds {
            let before = x.clone();
            for i in 0..m {
                let c = &self.closed[i];
                let users = (c.users * load).round().max(0.0) as u64;
                // Demands slowed by what else keeps each station busy.
                let stations: Vec<(f64, f64)> = c
                    .stations
                    .iter()
                    .map(|st| {
                        let others: f64 = (0..m)
                            .filter(|&o| o != i)
                            .flat_map(|o| {
                                let xo = x[o];
                                self.closed[o]
                                    .stations
                                    .iter()
                                    .filter(move |so| so.node == st.node)
                                    .map(move |so| xo * so.demand_ms / so.servers)
                            })
                            .sum();
                        let busy = open_util[st.node] + others;
                        let d = if busy < 1.0 {
                            st.demand_ms / (1.0 - busy)
                        } else {
                            f64::INFINITY
                        };
                        (d, st.servers)
                    })
                    .collect();
                let own: f64 = c.stations.iter().map(|st| st.demand_ms).sum();
                let delay = c.think_ms + (c.r0_ms - own).max(0.0);
                let (xi, ri) = mva(users, delay, &stations);
                x[i] = xi;
                resid[i] = ri;
            }
            let settled = x
                .iter()
                .zip(&before)
                .all(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(1e-300));
            if settled {
                break;
            }
        }
        let mut rate_rps = vec![None; n];
        let (mut num, mut den) = (vec![0.0; n], vec![0.0; n]);
        for (i, c) in self.closed.iter().enumerate() {
            rate_rps[c.node] = Some(x[i] * 1000.0);
            for (st, r) in c.stations.iter().zip(&resid[i]) {
                let w = (r - st.demand_ms).max(0.0) / st.visits;
                if x[i] > 0.0 && w.is_finite() {
                    num[st.node] += x[i] * st.visits * w;
                    den[st.node] += x[i] * st.visits;
                }
            }
        }
        let wait_ms = (0..n)
            .map(|j| (den[j] > 0.0).then(|| num[j] / den[j]))
            .collect();
        Solved { rate_rps, wait_ms }
    }
}

/// MVA for `users` users with a pure delay of `delay_ms` (think time and every latency that is not a
/// queue) and stations of (demand ms, servers); a multi-server station is Seidmann's one-server queue of
/// demand D / c plus a delay of D (c - 1) / c. Returns the throughput per ms and each station's residence
/// time per request, ms (both parts). A station of infinite demand stops the loop: X = 0.
fn mva(users: u64, delay_ms: f64, stations: &[(f64, f64)]) -> (f64, Vec<f64>) {
    let k = stations.len();
    if users == 0 || stations.iter().any(|s| !s.0.is_finite()) {
        return (0.0, vec![f64::INFINITY; k]);
    }
    let queue: Vec<f64> = stations.iter().map(|&(d, c)| d / c.max(1.0)).collect();
    let fixed: Vec<f64> = stations
        .iter()
        .zip(&queue)
        .map(|(&(d, _), q)| d - q)
        .collect();
    let delay = delay_ms + fixed.iter().sum::<f64>();
    let mut q = vec![0.0; k];
    let mut r = vec![0.0; k];
    let mut x = 0.0;
    for n in 1..=users.min(EXACT_USERS) {
        for j in 0..k {
            r[j] = queue[j] * (1.0 + q[j]);
        }
        // A loop with no time in it at all (no think time, nothing on the path) is floored at 1 ns.
        x = n as f64 / (delay + r.iter().sum::<f64>()).max(1e-6);
        for j in 0..k {
            q[j] = x * r[j];
        }
    }
    if users > EXACT_USERS {
        // Bard-Schweitzer from the exact queues scaled up to N users.
        let nf = users as f64;
        let scale = nf / EXACT_USERS as f64;
        for v in &mut q {
            *v *= scale;
        }
        for _ in 0..10_000 {
            for j in 0..k {
                r[j] = queue[j] * (1.0 + q[j] * (nf - 1.0) / nf);
            }
            let next = nf / (delay + r.iter().sum::<f64>()).max(1e-6);
            for j in 0..k {
                q[j] = next * r[j];
            }
            let done = (next - x).abs() <= 1e-13 * next;
            x = next;
            if done {
                break;
            }
        }
    }
    let resid = r.iter().zip(&fixed).map(|(a, b)| a + b).collect();
    (x, resid)
}
