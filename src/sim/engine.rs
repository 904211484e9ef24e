//! Event handlers: how a request travels down the graph and its response back up. What a node does with
//! a call depends on its kind, and is in that kind's module (`src/sim/node/`); this file holds what every
//! kind shares: counting arrivals, workers and waiting lines, child calls and answers.
//!
//! The handlers on every request's path are forced inline natively (one call fewer per hop; see
//! docs/benchmarks.md) but only hinted on wasm32, where the copies would cost download size.

use super::event::{Event, FaultEdge, GuardWake, Kind, Tick};
use super::snapshot::DotOutcome;
use super::world::{NONE, Order, Outcome, World};

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
            Kind::Fault => self.fault_event(a, FaultEdge::from_bits(ev.outcome())),
            Kind::Tick => self.tick(a, Tick::from_bits(ev.outcome())),
            Kind::Retry => self.retry_fire(a),
            Kind::Guard => self.guard_event(a, GuardWake::from_bits(ev.outcome())),
        }
    }

    // ---- arrivals and work ---------------------------------------------------------------------------

    #[inline]
    pub(super) fn arrive(&mut self, call: u32) {
        if self.ext_on() && self.ext_arrive(call) {
            return;
        }
        self.kind_arrive(call);
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
        let t = node.beh.work_ns(call, c.class, &mut node.rng);
        let t = if self.ext_on() {
            let t = if self.ext.repl[c.node as usize].is_some() {
                self.repl_work(call, &c, t)
            } else {
                t
            };
            let t = self.ext_scale(c.node, t);
            if self.ext.shards[c.node as usize].is_some() {
                self.shard_started(&c, t);
            }
            t
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
    pub(crate) fn release_worker_inline(&mut self, n: u32, inst: u32) {
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
        if self.ext_on() && self.ext_done(call) {
            return;
        }
        self.kind_done(call);
    }

    /// Sends a child call over `edge` on behalf of `parent`.
    #[inline]
    pub(crate) fn call_child(&mut self, parent: u32, edge: u32) {
        if !self.edge_takes_call(parent, edge) {
            return;
        }
        let p = self.calls[parent as usize];
        let to = self.edges[edge as usize].to;
        let child = self.alloc_call(p.req, parent, to, edge, p.class);
        self.send(p.node, child, edge, Kind::Arrive, DotOutcome::Ok);
    }

    /// Whether a call over `edge` goes straight to the callee: false when the edge's guard took it over
    /// (an edge with a timeout or retries sends it through an attempt stub of its own) or its open breaker
    /// failed it at once. Every call and hedge copy passes here, so the rules are in one place.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(crate) fn edge_takes_call(&mut self, parent: u32, edge: u32) -> bool {
        if let Some(g) = self.edges[edge as usize].guard.as_mut() {
            if g.stubbed {
                self.guarded_call(parent, edge);
                return false;
            }
            if let Some(b) = g.breaker.as_mut()
                && !b.admit(self.now)
            {
                // Open breaker: the call fails here at once, without reaching the callee.
                let node = self.calls[parent as usize].node;
                self.nodes[node as usize].stats.failed += 1;
                self.response(parent, Outcome::Failed);
                return false;
            }
        }
        true
    }

    #[inline]
    pub(crate) fn response(&mut self, parent: u32, outcome: Outcome) {
        if self.ext_on() && self.ext_response(parent, outcome) {
            return;
        }
        self.kind_response(parent, outcome);
    }

    /// The node turns a call away (its queue is full): counted as its rejection, not as a completion.
    #[inline]
    pub(crate) fn reject(&mut self, call: u32) {
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
    pub(crate) fn answer_inline(&mut self, call: u32, outcome: Outcome, completed: bool) {
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
}
