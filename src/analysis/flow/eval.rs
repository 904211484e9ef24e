//! Solving the flow equations at one load: a forward pass for arrival rates (callers before callees), then
//! a backward pass for holding and response times (callees before callers), one function per node kind
//! where the kind has equations of its own.

#![allow(
    clippy::needless_range_loop,
    reason = "node, class and edge indices address several parallel tables at once"
)]

mod gateway;

use super::{Eval, FlowModel, NodeFlow, client_rate_rps, mean_ms, mean_of};
use crate::analysis::queueing;
use crate::model::{Arrival, CacheParams, DatabaseParams, NodeKind, QueueParams, ServiceParams};

/// What the backward pass reads (the forward pass's rates) and fills in, callees first.
struct Tables<'a> {
    /// Arrivals per ms, per node, per class.
    lambda: &'a [Vec<f64>],
    /// Worker time per ms a consumer spends on messages still travelling from their queue.
    hop_busy: &'a [f64],
    /// Response time per node per class, ms.
    resp: Vec<Vec<f64>>,
    /// A service's mean wait for a worker, ms (a queue's lag includes its consumers' wait).
    queue_wait: Vec<f64>,
    /// Per node, a wait per visit that replaces Erlang C's (closed-loop traffic reaches the node); empty
    /// when no client is a closed loop.
    forced_wait_ms: &'a [Option<f64>],
}

impl FlowModel {
    /// The model at `load`: closed-loop clients at their MVA throughput (`super::mva`).
    pub(super) fn eval(&self, load: f64) -> Eval {
        if self.closed.is_empty() {
            return self.eval_rates(load, &[], &[]);
        }
        let solved = self.solve_closed(load);
        self.eval_rates(load, &solved.rate_rps, &solved.wait_ms)
    }

    /// The model as the breaking-point searches see it: closed-loop clients at their no-queueing rate
    /// N / (R0 + Z) and no wait at the stations they reach, so that each station saturates at the loop's
    /// knee (open clients as in [`Self::eval`]).
    pub(super) fn eval_knee(&self, load: f64) -> Eval {
        if self.closed.is_empty() {
            return self.eval_rates(load, &[], &[]);
        }
        let (rates, waits) = self.knee_rates(load);
        self.eval_rates(load, &rates, &waits)
    }

    /// The model with the rates of the clients named in `closed_rps` (requests/s, replacing the rate of
    /// their own) and the waits in `forced_wait_ms` (either may be empty).
    pub(super) fn eval_rates(
        &self,
        load: f64,
        closed_rps: &[Option<f64>],
        forced_wait_ms: &[Option<f64>],
    ) -> Eval {
        let (lambda, hop_busy) = self.forward(load, closed_rps);
        self.backward(lambda, &hop_busy, forced_wait_ms)
    }

    /// Arrival rates per ms, per node and class, callers before callees; and each consumer's reserved
    /// hop time (the engine reserves the worker when it hands the message over, before the hop).
    fn forward(&self, load: f64, closed_rps: &[Option<f64>]) -> (Vec<Vec<f64>>, Vec<f64>) {
        let s = &self.scenario;
        let (n, k) = (s.nodes.len(), self.classes.len());
        let mut lambda = vec![vec![0.0; k]; n];
        let mut hop_busy = vec![0.0; n];
        for &ni in &self.order {
            let node = &s.nodes[ni];
            let routes = &self.routes[ni];
            match &node.kind {
                NodeKind::Client(c) => {
                    let wsum: f64 = c.classes.iter().map(|w| w.weight).sum();
                    // A one-off batch has no steady rate: the flow model sees no traffic from it.
                    let active = if matches!(c.arrival, Arrival::Batch { .. }) {
                        0.0
                    } else {
                        self.active_fraction(c.start_s, c.stop_s)
                    };
                    let given = closed_rps.get(ni).copied().flatten();
                    for cw in &c.classes {
                        let ci = self.class_index(&cw.name);
                        let rate = match given {
                            Some(x) => x * active * cw.weight / wsum / 1000.0,
                            None => client_rate_rps(c) * active * load * cw.weight / wsum / 1000.0,
                        };
                        lambda[ni][ci] += rate;
                        if let Some(&e) = routes[ci].first() {
                            lambda[self.edge_to[e]][ci] += rate;
                        }
                    }
                }
                NodeKind::Service(p) => {
                    for ci in 0..k {
                        let out = lambda[ni][ci] * (1.0 - p.error_probability);
                        for &e in &routes[ci] {
                            // Called with probability p, `times` times (hedges' second copies left out).
                            let edge = &s.edges[e];
                            lambda[self.edge_to[e]][ci] +=
                                out * edge.probability * edge.times as f64;
                        }
                    }
                }
                NodeKind::RateLimiter(r) => {
                    // Admitted: at most the limit (per client, the sum over clients is not known here,
                    // so only a global limit caps the flow), spread over the classes in proportion.
                    let total: f64 = (0..k).map(|ci| lambda[ni][ci]).sum();
                    let cap = r.rate_rps / 1000.0;
                    let pass = if !r.per_client && total > cap {
                        cap / total
                    } else {
                        1.0
                    };
                    for ci in 0..k {
                        if let Some(&e) = routes[ci].first() {
                            lambda[self.edge_to[e]][ci] += lambda[ni][ci] * pass;
                        }
                    }
                }
                NodeKind::Gateway(g) => {
                    // The per-key limit's closed form, spread over the classes in proportion.
                    let total: f64 = (0..k).map(|ci| lambda[ni][ci]).sum();
                    let pass = gateway::admitted_share(g, total);
                    for ci in 0..k {
                        if let Some(&e) = routes[ci].first() {
                            lambda[self.edge_to[e]][ci] += lambda[ni][ci] * pass;
                        }
                    }
                }
                NodeKind::LoadBalancer(_) => {
                    for ci in 0..k {
                        let m = routes[ci].len() as f64;
                        for &e in &routes[ci] {
                            lambda[self.edge_to[e]][ci] += lambda[ni][ci] / m;
                        }
                    }
                }
                NodeKind::Cache(p) => {
                    for ci in 0..k {
                        let (onward, _) = self.cache_shares(p, ci);
                        if let Some(&e) = routes[ci].first() {
                            lambda[self.edge_to[e]][ci] += lambda[ni][ci] * onward;
                        }
                    }
                }
                NodeKind::Queue(q) => {
                    // Competing consumers: each message goes to one of them, shared in proportion to
                    // their workers (free workers pull). A topic's groups each read every message.
                    let consumers = self.consumers(ni);
                    let total: f64 = if q.topic.is_some() {
                        1.0
                    } else {
                        consumers.iter().map(|&(_, w)| w).sum()
                    };
                    let consumers: Vec<(usize, f64)> = if q.topic.is_some() {
                        consumers.into_iter().map(|(e, _)| (e, 1.0)).collect()
                    } else {
                        consumers
                    };
                    for ci in 0..k {
                        for &(e, w) in &consumers {
                            let share = lambda[ni][ci] * w / total;
                            lambda[self.edge_to[e]][ci] += share;
                            hop_busy[self.edge_to[e]] += share * self.edge_ms[e];
                        }
                    }
                }
                NodeKind::Database(_) => {}
            }
        }
        (lambda, hop_busy)
    }

    /// Holding and response times, callees before callers, and each node's figures.
    fn backward(
        &self,
        lambda: Vec<Vec<f64>>,
        hop_busy: &[f64],
        forced_wait_ms: &[Option<f64>],
    ) -> Eval {
        let s = &self.scenario;
        let (n, k) = (s.nodes.len(), self.classes.len());
        let mut t = Tables {
            lambda: &lambda,
            hop_busy,
            resp: vec![vec![0.0; k]; n],
            queue_wait: vec![0.0; n],
            forced_wait_ms,
        };
        let mut nodes: Vec<Option<NodeFlow>> = vec![None; n];
        let mut own_overload = vec![false; n];
        let mut own_busy = vec![0.0; n];
        for &ni in self.order.iter().rev() {
            let node = &s.nodes[ni];
            let routes = &self.routes[ni];
            let lam: f64 = lambda[ni].iter().sum();
            let mut flow = NodeFlow {
                id: node.id.clone(),
                kind: node.kind.tag().as_str().to_owned(),
                arrival_rps: lam * 1000.0,
                servers: 0,
                mean_hold_ms: 0.0,
                utilization: 0.0,
                peak_utilization: 0.0,
                mean_wait_ms: Some(0.0),
                mean_response_ms: None,
                mean_lag_ms: None,
                saturation_load: None,
            };
            match &node.kind {
                NodeKind::Client(_) | NodeKind::RateLimiter(_) => {
                    for ci in 0..k {
                        t.resp[ni][ci] = routes[ci]
                            .first()
                            .map_or(0.0, |&e| self.round_trip(e, &t.resp, ci));
                    }
                    flow.mean_wait_ms = None;
                }
                NodeKind::LoadBalancer(_) => {
                    for ci in 0..k {
                        let m = routes[ci].len() as f64;
                        t.resp[ni][ci] = routes[ci]
                            .iter()
                            .map(|&e| self.round_trip(e, &t.resp, ci) / m)
                            .sum();
                    }
                }
                NodeKind::Queue(q) => match &q.topic {
                    Some(topic) => {
                        let groups = (&mut nodes[..], &mut own_overload[..]);
                        self.back_topic(ni, q, topic, lam, &mut t, &mut flow, groups)
                    }
                    None => self.back_queue(ni, q, lam, &mut t, &mut flow),
                },
                NodeKind::Service(p) => {
                    own_overload[ni] = self.back_service(ni, p, &mut t, &mut flow);
                }
                NodeKind::Cache(p) => own_overload[ni] = self.back_cache(ni, p, &mut t, &mut flow),
                NodeKind::Gateway(g) => {
                    own_overload[ni] = self.back_gateway(ni, g, lam, &mut t, &mut flow);
                }
                NodeKind::Database(p) => {
                    own_overload[ni] = self.back_database(ni, p, lam, &mut t, &mut flow);
                }
            }
            flow.mean_response_ms = if lam > 0.0 {
                let r: f64 = (0..k)
                    .filter(|&ci| lambda[ni][ci] > 0.0)
                    .map(|ci| lambda[ni][ci] * t.resp[ni][ci])
                    .sum::<f64>()
                    / lam;
                Some(r).filter(|x| x.is_finite())
            } else {
                Some(0.0)
            };
            if matches!(node.kind, NodeKind::Client(_)) {
                flow.mean_response_ms = None;
            }
            // Worker time per ms on the node's own work, not on waiting for its calls (MVA's demand).
            own_busy[ni] = match &node.kind {
                NodeKind::Service(p) => lam * mean_ms(&p.service_time_ms) + hop_busy[ni],
                NodeKind::Cache(_) | NodeKind::Database(_) | NodeKind::Gateway(_) => {
                    flow.utilization * f64::from(flow.servers)
                }
                NodeKind::Client(_)
                | NodeKind::LoadBalancer(_)
                | NodeKind::Queue(_)
                | NodeKind::RateLimiter(_) => 0.0,
            };
            nodes[ni] = Some(flow);
        }
        let resp = t.resp;
        Eval {
            lambda,
            resp,
            nodes: nodes
                .into_iter()
                .map(|f| f.expect("every node is in the order"))
                .collect(),
            own_overload,
            own_busy,
        }
    }

    /// The edge's latency both ways plus the callee's response time.
    fn round_trip(&self, e: usize, resp: &[Vec<f64>], ci: usize) -> f64 {
        2.0 * self.edge_ms[e] + resp[self.edge_to[e]][ci]
    }

    /// A queue answers its producers at the ack latency; its lag is the wait for a free consumer worker,
    /// the hop there and back, and the consumer's own work (filled in before it: callees come first).
    fn back_queue(
        &self,
        ni: usize,
        q: &QueueParams,
        lam: f64,
        t: &mut Tables,
        flow: &mut NodeFlow,
    ) {
        let k = self.classes.len();
        let ack = mean_ms(&q.ack_latency_ms);
        for ci in 0..k {
            t.resp[ni][ci] = ack;
        }
        let consumers = self.consumers(ni);
        let total: f64 = consumers.iter().map(|&(_, w)| w).sum();
        let mut lag = 0.0;
        for ci in 0..k {
            if t.lambda[ni][ci] <= 0.0 {
                continue;
            }
            for &(e, w) in &consumers {
                let to = self.edge_to[e];
                lag += t.lambda[ni][ci] * w / total
                    * (t.queue_wait[to] + self.round_trip(e, &t.resp, ci));
            }
        }
        flow.mean_lag_ms = (lam > 0.0).then(|| lag / lam).filter(|x| x.is_finite());
    }

    /// A topic answers its producers at the ack latency. Each partition is read one message at a time by
    /// each group, so it is a single server whose service is the round trip to the consumer: partition p
    /// of a group runs at rho_p = lambda x share_p x that round trip, and the hottest partition's rho is
    /// the consumer's peak utilization (a hot partition saturates a group that has idle workers). The lag
    /// is that round trip plus an M/M/1 wait per partition, averaged over partitions and groups; it does
    /// not count a consumer replica with fewer workers than partitions, where partitions also wait for a
    /// worker.
    #[allow(
        clippy::too_many_arguments,
        reason = "one step of the backward pass, like its siblings"
    )]
    fn back_topic(
        &self,
        ni: usize,
        q: &QueueParams,
        topic: &crate::model::Topic,
        lam: f64,
        t: &mut Tables,
        flow: &mut NodeFlow,
        (nodes, own_overload): (&mut [Option<NodeFlow>], &mut [bool]),
    ) {
        let k = self.classes.len();
        let ack = mean_ms(&q.ack_latency_ms);
        for ci in 0..k {
            t.resp[ni][ci] = ack;
        }
        if lam <= 0.0 {
            return;
        }
        let shares = topic.partition_shares();
        let hottest = shares.iter().copied().fold(0.0, f64::max);
        let consumers = self.consumers(ni);
        let mut lag = 0.0;
        for &(e, _) in &consumers {
            let to = self.edge_to[e];
            let cycle: f64 = (0..k)
                .filter(|&ci| t.lambda[ni][ci] > 0.0)
                .map(|ci| t.lambda[ni][ci] * self.round_trip(e, &t.resp, ci))
                .sum::<f64>()
                / lam;
            if let Some(c) = nodes[to].as_mut() {
                let rho = lam * hottest * cycle;
                c.peak_utilization = c.peak_utilization.max(rho);
                // The group's hottest partition saturates on its own, whatever the consumer's workers.
                own_overload[to] |= rho >= 1.0;
            }
            lag += shares
                .iter()
                .map(|s| {
                    let rho = lam * s * cycle;
                    if rho >= 1.0 {
                        f64::INFINITY
                    } else {
                        s * (cycle + rho / (1.0 - rho) * cycle)
                    }
                })
                .sum::<f64>();
        }
        flow.mean_lag_ms = (!consumers.is_empty())
            .then(|| lag / consumers.len() as f64)
            .filter(|x| x.is_finite());
    }

    /// A service holds a worker for its own work plus its downstream round trips, in sequence; returns
    /// whether it is overloaded on its own (not because something it waits on is).
    fn back_service(
        &self,
        ni: usize,
        p: &ServiceParams,
        t: &mut Tables,
        flow: &mut NodeFlow,
    ) -> bool {
        let (k, routes) = (self.classes.len(), &self.routes[ni]);
        let mut hold = vec![0.0; k];
        for ci in 0..k {
            let down = self.downstream_ms(p.calls, &routes[ci], &t.resp, ci);
            let go_on = 1.0 - p.error_probability;
            hold[ci] = mean_ms(&p.service_time_ms) + if go_on > 0.0 { go_on * down } else { 0.0 };
        }
        let w = self.station(
            flow,
            &t.lambda[ni],
            &hold,
            t.hop_busy[ni],
            p.replicas,
            p.workers,
        );
        let w = forced(t, ni, flow).unwrap_or(w);
        // A consumer's wait happens in the queue it pulls from: its own response starts when it takes
        // the message (the report measures it the same way).
        let fed_by_queue = self.fed_by_queue(ni);
        t.queue_wait[ni] = w;
        for ci in 0..k {
            t.resp[ni][ci] = if fed_by_queue { hold[ci] } else { w + hold[ci] };
        }
        if fed_by_queue {
            flow.mean_wait_ms = Some(0.0);
        }
        flow.peak_utilization >= 1.0 && flow.mean_hold_ms.is_finite()
    }

    /// The mean time a service waits on its downstream calls. Sequential: the sum of the round trips, each
    /// edge's weighted by its probability and `times`. Parallel and `FirstOf(k)`: the largest (or the k-th
    /// smallest) of the mean round trips of the calls, edges with a probability above 0 counted `times`
    /// times. That is a lower bound for all of them (the mean of a maximum is at least the maximum of the
    /// means) and leaves tail amplification and hedges out: the notes say so.
    fn downstream_ms(
        &self,
        calls: crate::model::CallPattern,
        route: &[usize],
        resp: &[Vec<f64>],
        ci: usize,
    ) -> f64 {
        use crate::model::CallPattern;
        let edges = &self.scenario.edges;
        let k = match calls {
            CallPattern::Sequential => {
                return route
                    .iter()
                    .map(|&e| {
                        edges[e].probability * edges[e].times as f64 * self.round_trip(e, resp, ci)
                    })
                    .sum();
            }
            CallPattern::Parallel => usize::MAX,
            CallPattern::FirstOf(k) => k as usize,
        };
        let mut trips: Vec<f64> = route
            .iter()
            .filter(|&&e| edges[e].probability > 0.0)
            .flat_map(|&e| {
                std::iter::repeat_n(self.round_trip(e, resp, ci), edges[e].times as usize)
            })
            .collect();
        if trips.is_empty() {
            return 0.0;
        }
        trips.sort_by(f64::total_cmp);
        trips[k.min(trips.len()) - 1]
    }

    /// A cache is one station of lookups; misses (and writes that wait for the store) add the round trip to
    /// the store behind it.
    fn back_cache(&self, ni: usize, p: &CacheParams, t: &mut Tables, flow: &mut NodeFlow) -> bool {
        let (k, routes) = (self.classes.len(), &self.routes[ni]);
        let look = mean_ms(&p.hit_latency_ms);
        let hold = vec![look; k];
        let w = self.station(flow, &t.lambda[ni], &hold, 0.0, 1, p.workers);
        let w = forced(t, ni, flow).unwrap_or(w);
        for ci in 0..k {
            let (_, waits) = self.cache_shares(p, ci);
            let down = routes[ci]
                .first()
                .map_or(0.0, |&e| self.round_trip(e, &t.resp, ci));
            t.resp[ni][ci] = w + look + if waits > 0.0 { waits * down } else { 0.0 };
        }
        flow.peak_utilization >= 1.0
    }

    /// Primary: writes, plus reads when there are no replicas; each replica: its share of the reads.
    /// Every instance is an M/M/c station with `pool_size` connections. A sharded database is that per
    /// shard, each fed its share of every class (the summed key probabilities its routing gives it: exact
    /// in expectation); its response is the share-weighted mean, its peak the hottest shard's.
    fn back_database(
        &self,
        ni: usize,
        p: &DatabaseParams,
        lam: f64,
        t: &mut Tables,
        flow: &mut NodeFlow,
    ) -> bool {
        let k = self.classes.len();
        let shares = p
            .shards
            .as_ref()
            .map_or_else(|| vec![1.0], |s| s.shard_shares());
        let mut resp = vec![0.0; k];
        let (mut busy_all, mut wait_all, mut peak) = (0.0, 0.0, 0.0f64);
        for &q in &shares {
            let shard = self.database_shard(ni, p, q, t);
            for (r, x) in resp.iter_mut().zip(&shard.resp) {
                *r += q * x;
            }
            busy_all += shard.busy;
            wait_all += shard.wait_weighted;
            peak = peak.max(shard.peak);
        }
        t.resp[ni][..k].copy_from_slice(&resp);
        let instances = (1 + p.read_replicas).saturating_mul(shares.len() as u32);
        let c = f64::from(p.pool_size);
        flow.servers = p.pool_size.saturating_mul(instances);
        flow.mean_hold_ms = if lam > 0.0 { busy_all / lam } else { 0.0 };
        flow.utilization = busy_all / (c * f64::from(instances));
        flow.peak_utilization = peak;
        flow.mean_wait_ms = (lam > 0.0)
            .then(|| wait_all / lam)
            .or(Some(0.0))
            .filter(|x| x.is_finite());
        flow.peak_utilization >= 1.0
    }

    /// One shard (the whole database when unsharded) fed the share `q` of the node's traffic.
    fn database_shard(&self, ni: usize, p: &DatabaseParams, q: f64, t: &Tables) -> DbShard {
        if let Some(quorum) = p.replication.as_deref().and_then(|r| r.quorum.as_ref()) {
            return self.quorum_shard(ni, p, quorum, q, t);
        }
        let k = self.classes.len();
        let (read, write) = (mean_ms(&p.read_time_ms), mean_ms(&p.write_time_ms));
        let is_write = |ci: usize| p.write_classes.contains(&self.classes[ci]);
        let reps = p.read_replicas as f64;
        let (mut lam_p, mut busy_p, mut lam_r, mut busy_r) = (0.0, 0.0, 0.0, 0.0);
        for ci in 0..k {
            let l = t.lambda[ni][ci] * q;
            if is_write(ci) {
                lam_p += l;
                busy_p += l * write;
            } else if p.read_replicas == 0 {
                lam_p += l;
                busy_p += l * read;
            } else {
                lam_r += l / reps;
                busy_r += l / reps * read;
            }
        }
        let c = f64::from(p.pool_size);
        let wait = |l: f64, busy: f64| -> f64 {
            if l <= 0.0 {
                return 0.0;
            }
            let hold = busy / l;
            queueing::mmc_mean_wait_s(p.pool_size, l, 1.0 / hold).unwrap_or(f64::INFINITY)
        };
        let (wp, wr) = match t.forced_wait_ms.get(ni).copied().flatten() {
            Some(w) => (w, w),
            None => (wait(lam_p, busy_p), wait(lam_r, busy_r)),
        };
        let resp = (0..k)
            .map(|ci| {
                let (w, time) = if is_write(ci) {
                    (wp, write)
                } else if p.read_replicas == 0 {
                    (wp, read)
                } else {
                    (wr, read)
                };
                w + time
            })
            .collect();
        DbShard {
            resp,
            busy: busy_p + busy_r * reps,
            wait_weighted: lam_p * wp + lam_r * reps * wr,
            peak: (busy_p / c).max(busy_r / c),
        }
    }

    /// A quorum database (or shard): its `n` equal replicas coordinate the queries in turn, each holding a
    /// connection for the R-th (reads) or W-th (writes) fastest of n replica times. For exponential times
    /// of mean m the k-th fastest of n has mean m (1/n + ... + 1/(n - k + 1)), used here for any
    /// distribution's mean (exact for exponential times); a `Split` fault is not modelled.
    fn quorum_shard(
        &self,
        ni: usize,
        p: &DatabaseParams,
        quorum: &crate::model::Quorum,
        q: f64,
        t: &Tables,
    ) -> DbShard {
        let k = self.classes.len();
        let n = 1 + p.read_replicas;
        let nf = f64::from(n);
        let kth_fastest =
            |of: u32| -> f64 { (n - of.min(n) + 1..=n).map(|i| 1.0 / f64::from(i)).sum() };
        let read = mean_ms(&p.read_time_ms) * kth_fastest(quorum.r);
        let write = mean_ms(&p.write_time_ms) * kth_fastest(quorum.w);
        let is_write = |ci: usize| p.write_classes.contains(&self.classes[ci]);
        let (mut lam_i, mut busy_i) = (0.0, 0.0);
        for ci in 0..k {
            let l = t.lambda[ni][ci] * q / nf;
            lam_i += l;
            busy_i += l * if is_write(ci) { write } else { read };
        }
        let w = if let Some(w) = t.forced_wait_ms.get(ni).copied().flatten() {
            w
        } else if lam_i > 0.0 {
            queueing::mmc_mean_wait_s(p.pool_size, lam_i, lam_i / busy_i).unwrap_or(f64::INFINITY)
        } else {
            0.0
        };
        let resp = (0..k)
            .map(|ci| w + if is_write(ci) { write } else { read })
            .collect();
        DbShard {
            resp,
            busy: busy_i * nf,
            wait_weighted: lam_i * nf * w,
            peak: busy_i / f64::from(p.pool_size),
        }
    }

    /// An M/M/c station of `replicas` x `workers` fed evenly: fills the node's utilization, hold and wait,
    /// and returns the mean wait in ms (infinite when overloaded). `extra_busy` is worker time per ms not
    /// in `hold` (a consumer's reserved hop).
    fn station(
        &self,
        flow: &mut NodeFlow,
        lambda: &[f64],
        hold: &[f64],
        extra_busy: f64,
        replicas: u32,
        workers: u32,
    ) -> f64 {
        let lam: f64 = lambda.iter().sum();
        flow.servers = replicas.saturating_mul(workers);
        if lam <= 0.0 {
            flow.mean_hold_ms = mean_of(hold);
            return 0.0;
        }
        // Classes that never arrive add nothing, even when their hold is infinite (0 x inf is NaN).
        let busy: f64 = lambda
            .iter()
            .zip(hold)
            .filter(|(l, _)| **l > 0.0)
            .map(|(l, h)| l * h)
            .sum::<f64>()
            + extra_busy;
        let mean_hold = busy / lam;
        flow.mean_hold_ms = mean_hold;
        flow.utilization = busy / f64::from(flow.servers);
        flow.peak_utilization = flow.utilization;
        let per_replica = lam / f64::from(replicas);
        let w = if mean_hold.is_finite() && mean_hold > 0.0 {
            queueing::mmc_mean_wait_s(workers, per_replica, 1.0 / mean_hold)
                .unwrap_or(f64::INFINITY)
        } else if mean_hold == 0.0 {
            0.0
        } else {
            f64::INFINITY
        };
        flow.mean_wait_ms = Some(w).filter(|x| x.is_finite());
        w
    }
}

/// One database shard's figures in the flow model.
struct DbShard {
    /// Mean response per class, ms.
    resp: Vec<f64>,
    /// Connection time per ms over its instances.
    busy: f64,
    /// Arrival rate x mean wait, summed over its instances.
    wait_weighted: f64,
    /// Its busiest instance's utilization.
    peak: f64,
}

/// A station's wait when closed-loop traffic reaches it: MVA's, which also becomes the node's figure.
fn forced(t: &Tables, ni: usize, flow: &mut NodeFlow) -> Option<f64> {
    let w = t.forced_wait_ms.get(ni).copied().flatten()?;
    flow.mean_wait_ms = Some(w);
    Some(w)
}
