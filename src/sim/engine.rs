//! Event handlers: how a request travels down the graph and its response back up.
//!
//! The handlers on every request's path are forced inline natively (one call fewer per hop; see
//! docs/benchmarks.md) but only hinted on wasm32, where the copies would cost download size.

use super::event::{Event, Kind};
use super::sampler::{SimRng, unit};
use super::snapshot::{DotOutcome, TransitDot};
use super::world::ArrivalRt as Arrival;
use super::world::{Behaviour, Call, MAX_DOTS, NONE, Order, Outcome, Req, World};
use crate::model::LbPolicy;
use rand_distr::{Distribution, Exp1};

impl World {
    /// Runs one event.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(crate) fn dispatch(&mut self, ev: Event) {
        let a = ev.a();
        match ev.kind() {
            Kind::ClientNext => self.client_next(a),
            Kind::Arrive => self.arrive(a),
            Kind::Done => self.done(a),
            Kind::Response => self.response(a, Outcome::from_u8(ev.outcome())),
            Kind::ClientResponse => self.client_response(a, Outcome::from_u8(ev.outcome())),
            Kind::Timeout => self.timeout(a),
            Kind::ConsumerStart => self.consumer_start(a),
            Kind::WarmupEnd => self.warmup_end(),
            Kind::Fault => self.fault_event(a, ev.outcome()),
            Kind::Tick => self.tick(a, ev.outcome()),
            Kind::Retry => self.retry_fire(a),
            Kind::Guard => self.guard_event(a, ev.outcome()),
        }
    }

    // ---- clients -------------------------------------------------------------------------------------

    /// Schedules a client's next arrival after `self.now` (none while its effective rate is 0).
    pub(crate) fn schedule_client(&mut self, c: u32) {
        self.schedule_client_inline(c);
    }

    /// [`Self::schedule_client`], inlined into the arrival handler: the hot path of every workload makes
    /// one call fewer per request (the other callers keep the out-of-line copy).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn schedule_client_inline(&mut self, c: u32) {
        let now = self.now;
        let node = &mut self.nodes[c as usize];
        let Behaviour::Client(cl) = &mut node.beh else {
            return;
        };
        // `mean_gap_ns` is 1e9 / (rate_rps * load), kept up to date wherever either changes: it is positive and
        // finite exactly when the effective rate is (a zero rate gives infinity, an infinite one 0, NaN stays NaN).
        if !positive_finite(cl.mean_gap_ns) {
            cl.scheduled = false;
            return;
        }
        // Before its window opens a client draws its first gap from the window's start.
        let now = now.max(cl.start_ns);
        let at = match cl.arrival {
            Arrival::Poisson => now + exp_gap_ns(&mut node.rng, cl.mean_gap_ns),
            Arrival::Constant => now + super::sampler::to_ns(cl.mean_gap_ns).max(1),
            Arrival::Bursty { on_s, off_s } => {
                let on = super::secs_to_ns(on_s).max(1);
                let period = on + super::secs_to_ns(off_s);
                // Faster during bursts so the long-run mean rate stays the configured one.
                let burst_gap_ns = cl.mean_gap_ns * (on as f64 / period as f64);
                // Poisson within on-windows; memorylessness lets a gap that crosses a silence restart at the
                // next window's start.
                let mut t = now;
                loop {
                    let phase = t % period;
                    if phase >= on {
                        t += period - phase;
                        continue;
                    }
                    let next = t + exp_gap_ns(&mut node.rng, burst_gap_ns);
                    let window_end = t - phase + on;
                    if next < window_end {
                        break next;
                    }
                    t = window_end + (period - on);
                }
            }
        };
        if at >= cl.stop_ns {
            cl.scheduled = false;
            return;
        }
        cl.scheduled = true;
        self.queue.push(at, Kind::ClientNext, c, 0);
    }

    #[inline]
    fn client_next(&mut self, c: u32) {
        let now = self.now;
        let (class, has_timeout) = {
            let node = &mut self.nodes[c as usize];
            let Behaviour::Client(cl) = &node.beh else {
                return;
            };
            // One class needs no draw (the common case, and the benchmarks').
            let class = match cl.class_cum.as_slice() {
                [] => 0,
                [(_, only)] => *only,
                cum => {
                    let u = unit(&mut node.rng) * cum[cum.len() - 1].0;
                    cum.iter()
                        .find(|(c, _)| u < *c)
                        .unwrap_or(&cum[cum.len() - 1])
                        .1
                }
            };
            (class, cl.timeout_ns.is_some())
        };
        let measured = now >= self.warmup_ns;
        // The client's hold, plus the pending timer's: a slot is reused only after its timer fired.
        let req = self.alloc_req(Req {
            issued_ns: now,
            refs: 1 + has_timeout as u32,
            measured,
            resolved: false,
            attempt: 0,
        });
        if measured {
            self.counts.offered += 1;
            self.counts.in_flight += 1;
        }
        self.bucket.offered += 1;
        if self.retries.on {
            self.retries.note(req, c, class, 0);
        }
        self.send_attempt_inline(c, req, class);
        self.schedule_client_inline(c);
    }

    /// Sends one attempt of a request (its slot already holds the timer's reference if there is a timeout).
    pub(crate) fn send_attempt(&mut self, c: u32, req: u32, class: u8) {
        self.send_attempt_inline(c, req, class);
    }

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn send_attempt_inline(&mut self, c: u32, req: u32, class: u8) {
        let now = self.now;
        let timeout_ns = match &self.nodes[c as usize].beh {
            Behaviour::Client(cl) => cl.timeout_ns,
            _ => None,
        };
        let route = self.nodes[c as usize].routes[class as usize]
            .first()
            .copied();
        match route {
            Some(edge)
                if self.edges[edge as usize]
                    .guard
                    .as_mut()
                    .and_then(|g| g.breaker.as_mut())
                    .is_some_and(|b| !b.admit(now)) =>
            {
                if let Some(t) = timeout_ns {
                    self.queue.push(now + t, Kind::Timeout, req, 0);
                }
                self.nodes[c as usize].stats.failed += 1;
                self.resolve(req, Outcome::Failed)
            }
            Some(edge) => {
                let to = self.edges[edge as usize].to;
                let call = self.alloc_call(req, NONE, to, edge, class);
                self.send(c, call, edge, Kind::Arrive, DotOutcome::Ok);
                if let Some(t) = timeout_ns {
                    self.queue.push(now + t, Kind::Timeout, req, 0);
                }
            }
            None => {
                if let Some(t) = timeout_ns {
                    self.queue.push(now + t, Kind::Timeout, req, 0);
                }
                self.resolve(req, Outcome::Failed)
            }
        }
    }

    fn timeout(&mut self, req: u32) {
        if !self.reqs[req as usize].resolved {
            self.reqs[req as usize].resolved = true;
            if !(self.retries.on && self.retry_after(req)) {
                let r = &self.reqs[req as usize];
                if r.measured {
                    self.counts.timed_out += 1;
                    self.counts.in_flight -= 1;
                    if self.retries.on {
                        self.retries.last_resolved_ns = Some(self.now);
                    }
                }
                self.bucket.timed_out += 1;
            }
            self.release_req(req); // the client's hold
        }
        self.release_req(req); // the timer's hold
    }

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn client_response(&mut self, call: u32, outcome: Outcome) {
        let req = self.calls[call as usize].req;
        self.free_call(call);
        if !self.reqs[req as usize].resolved {
            self.resolve(req, outcome);
        }
    }

    /// The client has its answer.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn resolve(&mut self, req: u32, outcome: Outcome) {
        self.reqs[req as usize].resolved = true;
        if self.retries.on {
            if outcome != Outcome::Ok && self.retry_after(req) {
                self.release_req(req);
                return;
            }
            if outcome == Outcome::Ok {
                self.retry_earn(req);
            }
            if self.reqs[req as usize].measured {
                self.retries.last_resolved_ns = Some(self.now);
            }
        }
        let r = &self.reqs[req as usize];
        let latency = self.now - r.issued_ns;
        let measured = r.measured;
        match outcome {
            Outcome::Ok => {
                self.bucket.succeeded += 1;
                self.bucket_latency.record_ns(latency);
                if measured {
                    self.counts.succeeded += 1;
                    self.latency.record_ns(latency);
                }
            }
            Outcome::Failed => {
                self.bucket.failed += 1;
                if measured {
                    self.counts.failed += 1;
                }
            }
            Outcome::Rejected => {
                self.bucket.rejected += 1;
                if measured {
                    self.counts.rejected += 1;
                }
            }
            Outcome::RateLimited => {
                self.bucket.rate_limited += 1;
                if measured {
                    self.counts.rate_limited += 1;
                }
            }
        }
        if measured {
            self.counts.in_flight -= 1;
        }
        self.release_req(req);
    }

    // ---- arrivals and work ---------------------------------------------------------------------------

    #[inline]
    fn arrive(&mut self, call: u32) {
        if self.ext_on && self.ext_arrive(call) {
            return;
        }
        let now = self.now;
        let c = &mut self.calls[call as usize];
        c.arrive_ns = now;
        let (n, class) = (c.node, c.class);
        let node = &mut self.nodes[n as usize];
        node.touch(now);
        node.in_sys += 1;
        node.stats.arrivals += 1;
        match &mut node.beh {
            Behaviour::Service { .. } | Behaviour::Cache { .. } => {
                let inst = next_turn(&mut node.rr, node.active);
                self.admit(call, inst);
            }
            Behaviour::Database {
                is_write, replicas, ..
            } => {
                let inst = if *replicas == 0 || is_write[class as usize] {
                    0
                } else {
                    1 + next_turn(&mut node.rr, *replicas)
                };
                self.admit(call, inst);
            }
            Behaviour::Lb { .. } => self.balance(call),
            Behaviour::RateLimiter(_) => self.limit(call),
            Behaviour::Queue { ack, .. } => {
                let t = ack.sample(&mut node.rng);
                self.queue.push(now + t, Kind::Done, call, 0);
            }
            Behaviour::Client(_) => self.respond(call, Outcome::Failed),
        }
    }

    /// A worker takes the call now, it waits in line, or it is turned away.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(crate) fn admit(&mut self, call: u32, inst: u32) {
        let n = self.calls[call as usize].node as usize;
        let node = &mut self.nodes[n];
        let workers = node.workers;
        let cap = node.queue_cap as usize;
        let i = &mut node.instances[inst as usize];
        self.calls[call as usize].instance = inst as u16;
        if i.busy < workers {
            i.busy += 1;
            node.busy += 1;
            self.start_work(call);
        } else if i.queue.len() < cap {
            i.queue.push_back(call);
            node.queued += 1;
            let q = node.queue_len();
            if q > node.stats.max_queue {
                node.stats.max_queue = q;
            }
        } else {
            self.admit_full(call, inst);
        }
    }

    /// The instance's queue is full: shed a waiter for the newcomer, or turn the newcomer away. Out of line,
    /// keeping `admit` small.
    #[cold]
    #[inline(never)]
    fn admit_full(&mut self, call: u32, inst: u32) {
        let n = self.calls[call as usize].node as usize;
        let node = &mut self.nodes[n];
        if node.drop_oldest
            && let Some(oldest) = node.instances[inst as usize].queue.pop_front()
        {
            // Load shedding: the oldest waiter has waited longest, so its caller is the likeliest to have
            // given up already; the newcomer takes its place.
            node.instances[inst as usize].queue.push_back(call);
            self.reject(oldest);
        } else if let Some(victim) =
            node.evict_for(inst, self.calls[call as usize].class, &self.calls)
        {
            // Priority: the newcomer takes the place of the newest waiter of a lower priority.
            node.instances[inst as usize].queue.push_back(call);
            self.reject(victim);
        } else {
            self.reject(call);
        }
    }

    /// Samples the node's own work for a call that holds a worker.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(crate) fn start_work(&mut self, call: u32) {
        let c = self.calls[call as usize];
        let node = &mut self.nodes[c.node as usize];
        let t = match &node.beh {
            Behaviour::Service { work, .. } | Behaviour::Cache { work, .. } => {
                work.sample(&mut node.rng)
            }
            Behaviour::Database {
                read,
                write,
                is_write,
                ..
            } => {
                if is_write[c.class as usize] {
                    write.sample(&mut node.rng)
                } else {
                    read.sample(&mut node.rng)
                }
            }
            _ => 0,
        };
        let t = if self.ext_on {
            self.ext_scale(c.node, t)
        } else {
            t
        };
        self.queue.push(self.now + t, Kind::Done, call, 0);
    }

    /// A worker finished with a call: it takes the next waiting call, or pulls a message, or goes idle.
    /// After a live scale-down (more busy than `workers`, or a retired instance) it only goes idle.
    #[inline]
    pub(crate) fn release_worker(&mut self, n: u32, inst: u32) {
        self.release_worker_inline(n, inst);
    }

    /// [`Self::release_worker`] inlined where a service answers after its last downstream call (the hot path).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn release_worker_inline(&mut self, n: u32, inst: u32) {
        let now = self.now;
        let node = &mut self.nodes[n as usize];
        node.touch(now);
        let over = node.instances[inst as usize].busy > node.workers;
        if !over && let Some(next) = node.take_waiting(inst) {
            node.queued -= 1;
            self.start_work(next);
            return;
        }
        // Checked only when nothing was taken, so the FIFO path pays nothing for priorities.
        if !over && node.order == Order::Priority {
            return self.release_worker_priority(n, inst);
        }
        if !over && inst < node.active && self.pull_message(n, inst) {
            return;
        }
        let node = &mut self.nodes[n as usize];
        node.instances[inst as usize].busy -= 1;
        node.busy -= 1;
    }

    /// `release_worker` under the priority discipline (which `take_waiting` leaves to this).
    #[cold]
    #[inline(never)]
    fn release_worker_priority(&mut self, n: u32, inst: u32) {
        let node = &mut self.nodes[n as usize];
        if let Some(next) = node.take_by_priority(inst, &self.calls) {
            node.queued -= 1;
            self.start_work(next);
            return;
        }
        if inst < node.active && self.pull_message(n, inst) {
            return;
        }
        let node = &mut self.nodes[n as usize];
        node.instances[inst as usize].busy -= 1;
        node.busy -= 1;
    }

    /// Gives a free worker of a consumer service a message from one of its queues; false if none waits.
    /// Always inlined: `release_worker`'s FIFO path had it inlined, and its other callers (the LIFO and
    /// priority path, `fill_free_workers`) made the compiler stop doing so.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn pull_message(&mut self, n: u32, inst: u32) -> bool {
        let now = self.now;
        let sources = match &self.nodes[n as usize].beh {
            Behaviour::Service { sources, .. } => sources.len(),
            _ => 0,
        };
        for k in 0..sources {
            let (q, edge) = match &self.nodes[n as usize].beh {
                Behaviour::Service { sources, .. } => sources[k],
                _ => return false,
            };
            let qn = &mut self.nodes[q as usize];
            qn.touch(now);
            let msg = match &mut qn.beh {
                Behaviour::Queue { backlog, .. } => backlog.pop_front(),
                _ => None,
            };
            if msg.is_some() {
                qn.queued -= 1;
            }
            if let Some(msg) = msg {
                self.deliver_message(q, msg, n, inst, edge);
                return true;
            }
        }
        false
    }

    /// Puts idle workers to work on waiting calls and queued messages (after capacity grew mid-run).
    pub(crate) fn fill_free_workers(&mut self, n: u32) {
        let now = self.now;
        self.nodes[n as usize].touch(now);
        for inst in 0..self.nodes[n as usize].active {
            loop {
                let node = &mut self.nodes[n as usize];
                let workers = node.workers;
                let i = &mut node.instances[inst as usize];
                if i.busy >= workers {
                    break;
                }
                i.busy += 1;
                node.busy += 1;
                if let Some(next) = node.take_any(inst, &self.calls) {
                    node.queued -= 1;
                    self.start_work(next);
                } else if !self.pull_message(n, inst) {
                    let node = &mut self.nodes[n as usize];
                    node.instances[inst as usize].busy -= 1;
                    node.busy -= 1;
                    break;
                }
            }
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn done(&mut self, call: u32) {
        if self.ext_on && self.ext_done(call) {
            return;
        }
        let c = self.calls[call as usize];
        let n = c.node as usize;
        let node = &mut self.nodes[n];
        match &node.beh {
            Behaviour::Service { error_p, .. } => {
                if *error_p > 0.0 && unit(&mut node.rng) < *error_p {
                    node.stats.failed += 1;
                    self.release_worker(c.node, c.instance as u32);
                    self.respond(call, Outcome::Failed);
                } else {
                    self.calls[call as usize].step = 0;
                    self.next_downstream(call);
                }
            }
            Behaviour::Cache { hit_by_class, .. } => {
                let hit = unit(&mut node.rng) < hit_by_class[c.class as usize];
                self.cache_lookup_done(call, hit);
            }
            Behaviour::Database { .. } => {
                self.release_worker(c.node, c.instance as u32);
                self.respond(call, Outcome::Ok);
            }
            Behaviour::Queue {
                backlog, capacity, ..
            } => {
                if backlog.len() >= *capacity as usize {
                    self.reject(call);
                } else {
                    let msg = self.alloc_call(c.req, NONE, c.node, NONE, c.class);
                    self.calls[msg as usize].arrive_ns = self.now;
                    self.respond(call, Outcome::Ok);
                    self.enqueue_message(c.node, msg);
                }
            }
            // (A queueing leaky bucket's departures are handled by `ext_done`.)
            Behaviour::Lb { .. } | Behaviour::Client(_) | Behaviour::RateLimiter(_) => {}
        }
    }

    /// A cache finished its lookup: a hit answers, a miss goes on to the backing store (or fails without one).
    #[inline]
    pub(crate) fn cache_lookup_done(&mut self, call: u32, hit: bool) {
        let c = self.calls[call as usize];
        let backing = self.nodes[c.node as usize].routes[c.class as usize]
            .first()
            .copied();
        self.release_worker(c.node, c.instance as u32);
        match (hit, backing) {
            (true, _) => self.respond(call, Outcome::Ok),
            (false, Some(edge)) => self.call_child(call, edge),
            (false, None) => {
                self.nodes[c.node as usize].stats.failed += 1;
                self.respond(call, Outcome::Failed)
            }
        }
    }

    /// A service makes its next downstream call, or answers when none is left.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn next_downstream(&mut self, call: u32) {
        let c = self.calls[call as usize];
        let route = &self.nodes[c.node as usize].routes[c.class as usize];
        match route.get(c.step as usize).copied() {
            Some(edge) => {
                self.calls[call as usize].step += 1;
                self.call_child(call, edge);
            }
            None => {
                self.release_worker_inline(c.node, c.instance as u32);
                self.answer_inline(call, Outcome::Ok, true);
            }
        }
    }

    #[inline]
    fn balance(&mut self, call: u32) {
        let c = self.calls[call as usize];
        let n = c.node as usize;
        let node = &mut self.nodes[n];
        let route = &node.routes[c.class as usize];
        let Behaviour::Lb {
            policy,
            outstanding,
            rr,
        } = &mut node.beh
        else {
            return;
        };
        if route.is_empty() {
            node.stats.failed += 1;
            self.respond(call, Outcome::Failed);
            return;
        }
        let len = route.len() as u32;
        let slot = match policy {
            LbPolicy::RoundRobin => next_turn(rr, len),
            LbPolicy::Random => pick(&mut node.rng, len),
            LbPolicy::LeastConnections => {
                let mut best = 0;
                for (i, &e) in route.iter().enumerate() {
                    if outstanding[e as usize] < outstanding[route[best] as usize] {
                        best = i;
                    }
                }
                best as u32
            }
            LbPolicy::PowerOfTwo => {
                let a = pick(&mut node.rng, len);
                if len == 1 {
                    a
                } else {
                    let b = (a + 1 + pick(&mut node.rng, len - 1)) % len;
                    if outstanding[route[b as usize] as usize]
                        < outstanding[route[a as usize] as usize]
                    {
                        b
                    } else {
                        a
                    }
                }
            }
        };
        let slot = if self.ext_on {
            super::health::healthy_slot(&mut self.ext, route, slot)
        } else {
            slot
        };
        let edge = route[slot as usize];
        outstanding[edge as usize] += 1;
        self.calls[call as usize].step = slot as u16;
        self.call_child(call, edge);
    }

    /// Sends a child call over `edge` on behalf of `parent`.
    #[inline]
    pub(crate) fn call_child(&mut self, parent: u32, edge: u32) {
        let p = self.calls[parent as usize];
        if let Some(g) = self.edges[edge as usize].guard.as_mut() {
            if g.stubbed {
                return self.guarded_call(parent, edge);
            }
            if let Some(b) = g.breaker.as_mut()
                && !b.admit(self.now)
            {
                // Open breaker: the call fails here at once, without reaching the callee.
                self.nodes[p.node as usize].stats.failed += 1;
                return self.response(parent, Outcome::Failed);
            }
        }
        let to = self.edges[edge as usize].to;
        let child = self.alloc_call(p.req, parent, to, edge, p.class);
        self.send(p.node, child, edge, Kind::Arrive, DotOutcome::Ok);
    }

    #[inline]
    pub(crate) fn response(&mut self, parent: u32, outcome: Outcome) {
        if self.ext_on && self.ext_response(parent, outcome) {
            return;
        }
        let p = self.calls[parent as usize];
        let node = &mut self.nodes[p.node as usize];
        match &mut node.beh {
            Behaviour::Service { .. } => {
                if outcome == Outcome::Ok {
                    self.next_downstream(parent);
                } else {
                    // A failed dependency fails the request; the worker is free again.
                    self.release_worker(p.node, p.instance as u32);
                    self.respond(parent, outcome);
                }
            }
            Behaviour::Lb { outstanding, .. } => {
                let edge = node.routes[p.class as usize][p.step as usize];
                outstanding[edge as usize] -= 1;
                self.respond(parent, outcome);
            }
            Behaviour::Cache { .. } | Behaviour::RateLimiter(_) => self.respond(parent, outcome),
            Behaviour::Queue { lag, lost, .. } => {
                // A consumer finished a message.
                if outcome == Outcome::Ok {
                    lag.record_ns(self.now - p.arrive_ns);
                } else {
                    *lost += 1;
                }
                self.free_call(parent);
            }
            Behaviour::Database { .. } | Behaviour::Client(_) => {}
        }
    }

    /// The node turns a call away (its queue is full): counted as its rejection, not as a completion.
    #[inline]
    fn reject(&mut self, call: u32) {
        self.nodes[self.calls[call as usize].node as usize]
            .stats
            .rejected += 1;
        self.answer(call, Outcome::Rejected, false);
    }

    /// The node is finished with a call (whatever the outcome, including a rejection from further down).
    #[inline]
    pub(crate) fn respond(&mut self, call: u32, outcome: Outcome) {
        self.answer(call, outcome, true);
    }

    /// Records the answer and sends it back over the edge the call came by.
    #[inline]
    pub(crate) fn answer(&mut self, call: u32, outcome: Outcome, completed: bool) {
        self.answer_inline(call, outcome, completed);
    }

    /// [`Self::answer`] inlined where a service answers after its last downstream call (the hot path).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn answer_inline(&mut self, call: u32, outcome: Outcome, completed: bool) {
        let now = self.now;
        let c = self.calls[call as usize];
        // A stubbed edge's outcomes are recorded where the caller sees them (timeouts included).
        if let Some(g) = self.edges[c.via_edge as usize].guard.as_mut()
            && !g.stubbed
        {
            g.record(outcome != Outcome::Ok, now);
        }
        let node = &mut self.nodes[c.node as usize];
        node.touch(now);
        node.in_sys -= 1;
        if completed {
            let lat = now - c.arrive_ns;
            node.stats.completed += 1;
            node.stats.bucket_completed += 1;
            let st = &mut node.stats;
            st.latency.record_node_ns(&mut st.bucket_latency, lat);
        }
        // Only the animation needs the outcome's colour: skip the request lookup (a cache miss) without it.
        let dot = match outcome {
            Outcome::Ok if self.dots_on && self.reqs[c.req as usize].resolved => {
                DotOutcome::Timeout
            }
            Outcome::Ok => DotOutcome::Ok,
            Outcome::Failed => DotOutcome::Error,
            Outcome::Rejected | Outcome::RateLimited => DotOutcome::Rejected,
        };
        if c.parent == NONE {
            self.send_back(c.node, call, c.via_edge, Kind::ClientResponse, outcome, dot);
        } else {
            // The parent outlives this call (it waits for it), so the response event names the parent.
            self.free_call(call);
            self.send_back(c.node, c.parent, c.via_edge, Kind::Response, outcome, dot);
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------------

    /// Schedules `kind` for `call` after the edge's latency, sampled from the sender's stream.
    /// A hop over an edge whose latency is the constant 0 is delivered at once, without an event: same
    /// result, half the events for the theory scenarios and benchmarks.
    #[inline(always)]
    pub(crate) fn send(&mut self, sender: u32, call: u32, edge: u32, kind: Kind, dot: DotOutcome) {
        if self.ext_on && self.ext_send(sender, call, edge, kind) {
            return;
        }
        let e = &mut self.edges[edge as usize];
        e.bucket_sends += 1;
        if e.zero_latency {
            return self.deliver(kind, call, 0);
        }
        let lat = e.latency.sample(&mut self.nodes[sender as usize].rng);
        self.sample_dot(edge, false, lat, dot);
        self.queue.push(self.now + lat, kind, call, 0);
    }

    #[inline(always)]
    fn send_back(
        &mut self,
        sender: u32,
        call: u32,
        edge: u32,
        kind: Kind,
        outcome: Outcome,
        dot: DotOutcome,
    ) {
        if self.ext_on && self.ext_send_back(sender, call, edge, kind, outcome) {
            return;
        }
        if self.edges[edge as usize].zero_latency {
            return self.deliver(kind, call, outcome as u8);
        }
        let lat = self.edges[edge as usize]
            .latency
            .sample(&mut self.nodes[sender as usize].rng);
        self.sample_dot(edge, true, lat, dot);
        self.queue.push(self.now + lat, kind, call, outcome as u8);
    }

    #[inline(always)]
    fn deliver(&mut self, kind: Kind, a: u32, outcome: u8) {
        match kind {
            Kind::Arrive => self.arrive(a),
            Kind::Response => self.response(a, Outcome::from_u8(outcome)),
            Kind::ClientResponse => self.client_response(a, Outcome::from_u8(outcome)),
            Kind::ConsumerStart => self.consumer_start(a),
            _ => unreachable!("only hops are sent over edges"),
        }
    }

    #[inline]
    pub(crate) fn sample_dot(&mut self, edge: u32, response: bool, lat: u64, outcome: DotOutcome) {
        if !self.dots_on {
            return;
        }
        self.dot_counter = self.dot_counter.wrapping_add(1);
        if !self.dot_counter.is_multiple_of(8) && outcome == DotOutcome::Ok {
            return;
        }
        if self.dots.len() >= MAX_DOTS {
            self.dots.pop_front();
        }
        self.dots.push_back(TransitDot {
            edge: edge as usize,
            response,
            depart_ns: self.now,
            arrive_ns: self.now + lat.max(1),
            outcome,
        });
    }

    #[inline(always)]
    pub(crate) fn alloc_req(&mut self, r: Req) -> u32 {
        if let Some(i) = self.free_reqs.pop() {
            self.reqs[i as usize] = r;
            i
        } else {
            self.reqs.push(r);
            (self.reqs.len() - 1) as u32
        }
    }

    /// Drops the client's hold on a request.
    #[inline(always)]
    fn release_req(&mut self, req: u32) {
        let r = &mut self.reqs[req as usize];
        r.refs -= 1;
        if r.refs == 0 {
            self.free_reqs.push(req);
        }
    }

    #[inline(always)]
    pub(crate) fn alloc_call(
        &mut self,
        req: u32,
        parent: u32,
        node: u32,
        via_edge: u32,
        class: u8,
    ) -> u32 {
        self.reqs[req as usize].refs += 1;
        let c = Call {
            req,
            parent,
            node,
            via_edge,
            arrive_ns: self.now,
            class,
            instance: 0,
            step: 0,
        };
        if let Some(i) = self.free_calls.pop() {
            self.calls[i as usize] = c;
            i
        } else {
            self.calls.push(c);
            (self.calls.len() - 1) as u32
        }
    }

    #[inline(always)]
    pub(crate) fn free_call(&mut self, call: u32) {
        let req = self.calls[call as usize].req;
        self.free_calls.push(call);
        self.release_req(req);
    }
}

/// An exponential gap with mean `mean_gap_ns` (a Poisson process), at least 1 ns so time always advances.
#[inline]
fn exp_gap_ns(rng: &mut SimRng, mean_gap_ns: f64) -> u64 {
    let e: f64 = Exp1.sample(rng);
    super::sampler::to_ns(e * mean_gap_ns).max(1)
}

/// Is `x` positive and finite (not NaN, not 0, not infinite)? Through the bits: written as two comparisons,
/// LLVM turns it into a floating-point class test that costs two dozen integer instructions on x86-64, once
/// per client arrival. Positive finite doubles are exactly the bit patterns 1..=0x7FEF_FFFF_FFFF_FFFF.
#[inline(always)]
fn positive_finite(x: f64) -> bool {
    x.to_bits().wrapping_sub(1) < 0x7FEF_FFFF_FFFF_FFFF
}

/// The next of `n` (> 0) in turn: `counter` cycles through 0..n, like a free-running counter taken modulo `n`
/// while `n` stays the same (after a live change of `n` it restarts at 0 if it is past the end). A compare
/// instead of `%`: a division costs 20-40 cycles, and every arrival at a replicated node and every balanced
/// request takes a turn.
#[inline]
fn next_turn(counter: &mut u32, n: u32) -> u32 {
    let i = if *counter >= n { 0 } else { *counter };
    *counter = i + 1;
    i
}

/// Uniform integer in `0..n` (n > 0), by Lemire's multiply-shift (bias below 2^-32 for small n).
#[inline]
fn pick(rng: &mut SimRng, n: u32) -> u32 {
    use rand::Rng;
    ((rng.next_u32() as u64 * n as u64) >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::positive_finite;

    #[test]
    fn positive_finite_matches_the_comparisons() {
        let cases = [
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            5e-324,
            1.0,
            1e300,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            -1.0,
            -5e-324,
        ];
        for x in cases {
            assert_eq!(positive_finite(x), x > 0.0 && x < f64::INFINITY, "{x:e}");
        }
    }
}
