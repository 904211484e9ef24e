//! Faults at run time: starting and ending them, crashing and restarting nodes, and the report of what ran.

use std::collections::BTreeSet;

use super::event::{FaultEdge, Kind};
use super::world::{NONE, Outcome, World};
use crate::metrics::FaultReport;
use crate::model::{Fault, FaultKind, FaultTarget};

/// One fault on the run's timeline (from the scenario, or injected live).
#[derive(Clone, Debug)]
pub(crate) struct FaultRun {
    pub fault: Fault,
    pub target: FaultTarget,
    pub start_ns: u64,
    /// Planned end; moved earlier when the fault is cleared.
    pub end_ns: u64,
    pub started: bool,
    pub ended: bool,
    /// Injected from the app rather than read from the scenario.
    pub live: bool,
    /// Cleared before it started: it never runs.
    pub cancelled: bool,
}

impl FaultRun {
    fn active(&self) -> bool {
        self.started && !self.ended
    }
}

/// The combined effect of a node's active faults.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeFx {
    /// Active crashes (down while > 0).
    pub down: u32,
    /// Service-time multiplier.
    pub slow: f64,
    /// Probability of failing a finished request.
    pub error_p: f64,
    /// Active replica-lag faults (reads go to the primary while > 0).
    pub lag: u32,
    /// Client rate multiplier.
    pub spike: f64,
    /// A fixed-hit-ratio cache's cold start: the ratio climbs from 0 at the start to full at the end.
    pub flush_start_ns: u64,
    pub flush_end_ns: u64,
    /// Running cold after a restart until this time, with this service-time multiplier.
    pub warm_until_ns: u64,
    pub warm_factor: f64,
    /// Instances taking work before the crash, restored at the restart.
    pub saved_active: u32,
}

impl Default for NodeFx {
    fn default() -> Self {
        Self {
            down: 0,
            slow: 1.0,
            error_p: 0.0,
            lag: 0,
            spike: 1.0,
            flush_start_ns: 0,
            flush_end_ns: 0,
            warm_until_ns: 0,
            warm_factor: 1.0,
            saved_active: 0,
        }
    }
}

/// The combined effect of an edge's active faults.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct EdgeFx {
    /// Active partitions (cut while > 0).
    pub cut: u32,
    /// How long a caller tries before a call over the cut edge fails, ns.
    pub connect_ns: u64,
    /// Extra one-way latency, ns.
    pub add_ns: u64,
}

impl World {
    /// Adds a fault starting at `start_ns`: a live one starts at once, a timeline one by event.
    pub(crate) fn add_fault(&mut self, f: &Fault, target: FaultTarget, start_ns: u64, live: bool) {
        let end_ns = start_ns.saturating_add(super::secs_to_ns(f.duration_s).max(1));
        let idx = self.ext.faults.len() as u32;
        self.ext.faults.push(FaultRun {
            fault: f.clone(),
            target,
            start_ns,
            end_ns,
            started: false,
            ended: false,
            live,
            cancelled: false,
        });
        if live {
            self.start_fault(idx);
        } else {
            self.queue
                .push(start_ns, Kind::Fault, idx, FaultEdge::Start as u8);
        }
        self.queue
            .push(end_ns, Kind::Fault, idx, FaultEdge::End as u8);
    }

    /// A fault starts or ends.
    pub(crate) fn fault_event(&mut self, idx: u32, edge: FaultEdge) {
        match edge {
            FaultEdge::Start => self.start_fault(idx),
            FaultEdge::End => self.end_fault(idx),
        }
    }

    fn start_fault(&mut self, idx: u32) {
        let now = self.now;
        let run = &mut self.ext.faults[idx as usize];
        if run.started {
            return;
        }
        run.started = true;
        run.start_ns = now;
        let (target, kind) = (run.target, run.fault.kind.clone());
        match target {
            FaultTarget::Edge(e) => self.recompute_edge(e),
            FaultTarget::Place(p) => {
                for n in self.place_members(p) {
                    let was_down = self.ext.node[n].down > 0;
                    self.recompute_node(n);
                    if !was_down && self.ext.node[n].down > 0 {
                        self.crash(n as u32);
                    }
                }
            }
            FaultTarget::Node(n) => {
                let was_down = self.ext.node[n].down > 0;
                self.recompute_node(n);
                match kind {
                    FaultKind::Crash(_) if !was_down => self.crash(n as u32),
                    FaultKind::Flush => {
                        if let Some(k) = &mut self.ext.keys[n] {
                            k.flush();
                        }
                        // A purge empties every edge.
                        for k in &mut self.ext.edge_caches[n] {
                            k.flush();
                        }
                    }
                    FaultKind::Split(p) => {
                        let end_ns = self.ext.faults[idx as usize].end_ns;
                        if let Some(r) = &mut self.ext.repl[n] {
                            r.split(p.replicas_cut, now, end_ns);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn end_fault(&mut self, idx: u32) {
        let now = self.now;
        let run = &mut self.ext.faults[idx as usize];
        if !run.active() {
            return;
        }
        run.ended = true;
        run.end_ns = now;
        let (target, kind) = (run.target, run.fault.kind.clone());
        match target {
            FaultTarget::Edge(e) => self.recompute_edge(e),
            FaultTarget::Place(p) => {
                for n in self.place_members(p) {
                    let was_down = self.ext.node[n].down > 0;
                    self.recompute_node(n);
                    if was_down && self.ext.node[n].down == 0 {
                        self.restart(n as u32, 0, 1.0);
                    }
                }
            }
            FaultTarget::Node(n) => {
                self.recompute_node(n);
                if let FaultKind::Split(_) = kind
                    && let Some(r) = &mut self.ext.repl[n]
                {
                    r.heal(now);
                }
                if let FaultKind::Crash(c) = kind
                    && self.ext.node[n].down == 0
                {
                    self.restart(
                        n as u32,
                        super::secs_to_ns(c.restart_warmup_s),
                        c.warmup_factor,
                    );
                }
            }
        }
    }

    /// The nodes an outage of zone or region `p` takes down.
    fn place_members(&self, p: usize) -> Vec<usize> {
        self.ext.places[p].iter().map(|&n| n as usize).collect()
    }

    /// Ends every active fault now and drops the scheduled ones that have not started.
    pub(crate) fn clear_faults(&mut self) {
        for i in 0..self.ext.faults.len() {
            let run = &mut self.ext.faults[i];
            if !run.started {
                // Never to start: its events find it ended and do nothing.
                run.started = true;
                run.ended = true;
                run.cancelled = true;
            } else if !run.ended {
                self.end_fault(i as u32);
            }
        }
    }

    fn recompute_edge(&mut self, e: usize) {
        let mut fx = EdgeFx::default();
        for run in self.ext.faults.iter().filter(|r| r.active()) {
            if run.target != FaultTarget::Edge(e) {
                continue;
            }
            match &run.fault.kind {
                FaultKind::Partition(p) => {
                    fx.cut += 1;
                    fx.connect_ns = fx
                        .connect_ns
                        .max(super::sampler::to_ns(p.connect_timeout_ms * 1e6));
                }
                FaultKind::Latency(l) => fx.add_ns += super::sampler::to_ns(l.add_ms * 1e6),
                _ => {}
            }
        }
        self.ext.edge[e] = fx;
    }

    fn recompute_node(&mut self, n: usize) {
        let old = self.ext.node[n];
        let mut fx = NodeFx {
            warm_until_ns: old.warm_until_ns,
            warm_factor: old.warm_factor,
            saved_active: old.saved_active,
            ..NodeFx::default()
        };
        let mut ok_p = 1.0;
        for run in self.ext.faults.iter().filter(|r| r.active()) {
            let here = match run.target {
                FaultTarget::Node(m) => m == n,
                FaultTarget::Place(p) => self.ext.places[p].contains(&(n as u32)),
                FaultTarget::Edge(_) => false,
            };
            if !here {
                continue;
            }
            match &run.fault.kind {
                FaultKind::Crash(_) | FaultKind::Outage => fx.down += 1,
                FaultKind::Slow(s) => fx.slow *= s.factor,
                FaultKind::Errors(e) => ok_p *= 1.0 - e.probability,
                FaultKind::Brownout(b) => {
                    fx.slow *= b.factor;
                    ok_p *= 1.0 - b.probability;
                }
                FaultKind::ReplicaLag => fx.lag += 1,
                FaultKind::Spike(s) => fx.spike *= s.factor,
                FaultKind::Flush => {
                    fx.flush_start_ns = run.start_ns;
                    fx.flush_end_ns = run.end_ns;
                }
                FaultKind::Partition(_) | FaultKind::Latency(_) | FaultKind::Split(_) => {}
            }
        }
        fx.error_p = 1.0 - ok_p;
        self.ext.node[n] = fx;
        if fx.spike != old.spike {
            self.respike(n);
        }
    }

    /// Recomputes a client's arrival gap for its spike factor (after a spike or a parameter change).
    pub(crate) fn respike(&mut self, n: usize) {
        self.refresh_gap(n);
        let idle = self.nodes[n].beh.client().is_some_and(|c| !c.scheduled);
        if idle {
            self.schedule_client(n as u32);
        }
    }

    /// Re-applies fault effects that a parameter change or a load change overwrote.
    pub(crate) fn ext_after_params(&mut self) {
        if !self.ext_on() {
            return;
        }
        for n in 0..self.nodes.len() {
            if self.ext.node[n].spike != 1.0 {
                self.respike(n);
            }
            if self.ext.node[n].down > 0 {
                let node = &mut self.nodes[n];
                self.ext.node[n].saved_active = node.active;
                node.active = 0;
            }
        }
    }

    /// The node goes down: waiting work is failed, work in progress is lost (its callers get failures at
    /// once; the pending events of the lost calls only free them), and it takes nothing new.
    fn crash(&mut self, n: u32) {
        let now = self.now;
        let node = &mut self.nodes[n as usize];
        node.touch(now);
        let mut waiting: Vec<u32> = Vec::new();
        for inst in &mut node.instances {
            waiting.extend(inst.queue.drain(..));
            inst.busy = 0;
        }
        // A queue node's stored messages survive (a durable broker); `queued` mirrors its backlog.
        node.queued = node.beh.queue().map_or(0, |q| {
            q.topic
                .as_ref()
                .map_or(q.backlog.len() as u32, |t| t.total_lag())
        });
        node.busy = 0;
        self.ext.node[n as usize].saved_active = node.active;
        node.active = 0;
        if let Some(k) = &mut self.ext.keys[n as usize] {
            waiting.extend(k.take_waiters());
            k.flush();
        }
        for k in &mut self.ext.edge_caches[n as usize] {
            waiting.extend(k.take_waiters());
            k.flush();
        }
        self.cache_write_crash(n as usize);

        // Work in progress: calls in service (a `Done` or `ConsumerStart` pending), or waiting for a child
        // (a `Response` pending, or a live child on its way).
        let mut free = vec![false; self.calls.len()];
        for &f in &self.free_calls {
            free[f as usize] = true;
        }
        let at_n = |c: u32| self.calls[c as usize].node == n;
        // A consumer's message still on its way was never counted in the node (`consumer_start` counts
        // it): its proxy's answer must not take it out again.
        let mut on_the_way: BTreeSet<u32> = BTreeSet::new();
        let mut lost: BTreeSet<u32> = BTreeSet::new();
        for ev in self.queue.pending() {
            match ev.kind() {
                Kind::Done | Kind::Response if at_n(ev.a()) => {
                    lost.insert(ev.a());
                }
                Kind::ConsumerStart if at_n(ev.a()) => {
                    lost.insert(ev.a());
                    on_the_way.insert(ev.a());
                }
                _ => {}
            }
        }
        for (i, c) in self.calls.iter().enumerate() {
            if !free[i]
                && c.parent != NONE
                && !self.ext.zombies.contains(&(i as u32))
                && self.calls[c.parent as usize].node == n
                && !free[c.parent as usize]
            {
                lost.insert(c.parent);
            }
        }
        for z in &self.ext.zombies {
            lost.remove(z);
        }
        // An attempt stub (or a call plan's runner, hedge or copy) is no work of the node's: its parent (if
        // still waiting) is lost above, and the stub passes its child's answer on to that zombie, which then
        // frees it.
        lost.retain(|&c| {
            !self.stubs.is(c)
                && !self.fans.is(c)
                && !self.is_flush_carrier(n as usize, c)
                && !self.is_topic_slot(n as usize, c)
        });

        for call in waiting {
            self.nodes[n as usize].stats.failed += 1;
            self.answer(call, Outcome::Failed, false);
        }
        for call in lost {
            let c = self.calls[call as usize];
            if on_the_way.contains(&call) {
                self.nodes[n as usize].in_sys += 1;
            }
            let proxy = self.alloc_call(c.req, c.parent, c.node, c.via_edge, c.class);
            self.calls[proxy as usize].arrive_ns = c.arrive_ns;
            self.nodes[n as usize].stats.failed += 1;
            self.answer(proxy, Outcome::Failed, false);
            // The proxy answered the parent, which moves on and may be freed and its slot reused: the
            // zombie no longer stands for it, and a walk up from its children must stop here (a stale
            // link could lead back down to them: a loop that never ends).
            self.calls[call as usize].parent = NONE;
            self.ext.zombies.insert(call);
        }
    }

    /// The node is back: it takes work again, running cold for `warm_ns`.
    fn restart(&mut self, n: u32, warm_ns: u64, warm_factor: f64) {
        let now = self.now;
        let fx = &mut self.ext.node[n as usize];
        fx.warm_until_ns = now + warm_ns;
        fx.warm_factor = warm_factor;
        let node = &mut self.nodes[n as usize];
        node.touch(now);
        node.active = fx.saved_active;
        while node.instances.len() < node.active as usize {
            node.instances.push(Default::default());
        }
        self.fill_free_workers(n);
    }

    /// Is the node down / degraded right now (for the snapshot)?
    pub(crate) fn node_state(&self, n: usize) -> (bool, bool) {
        if !self.ext_on() {
            return (true, false);
        }
        let fx = &self.ext.node[n];
        let degraded = fx.slow != 1.0
            || fx.error_p > 0.0
            || fx.lag > 0
            || fx.spike != 1.0
            || fx.flush_end_ns > self.now
            || fx.warm_until_ns > self.now;
        (fx.down == 0, degraded)
    }

    /// The faults that have started so far, for the report.
    pub(crate) fn fault_reports(&self) -> Vec<FaultReport> {
        self.ext
            .faults
            .iter()
            .filter(|r| r.started && !r.cancelled)
            .map(|r| FaultReport {
                target: r.fault.target.clone(),
                kind: r.fault.kind.name().to_owned(),
                start_s: r.start_ns as f64 / 1e9,
                end_s: r.end_ns as f64 / 1e9,
                live: r.live,
            })
            .collect()
    }
}
