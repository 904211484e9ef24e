//! Optional machinery outside the engine's hot path: faults, load-balancer health checks, key-model caches
//! and autoscaling. The engine's handlers call in here only when `World::ext_on()` is true, so a scenario that
//! uses none of it pays one predictable branch per handler. What is one kind's (a key-model cache's
//! lookup, a leaky bucket's departures, an optimistic write) is that kind's module's (`src/sim/node/`),
//! which asks `ext_on()` itself; here is only what applies to every kind (crashes, fault errors, zombies,
//! attempt stubs) and the state the kinds keep here.

use std::collections::{BTreeMap, BTreeSet};

use super::autoscale::Scaler;
use super::event::{Kind, Tick};
use super::faults::{EdgeFx, FaultRun, NodeFx};
use super::features::{Feature, Features};
use super::health::Health;
use super::node::cache_keys::KeyCache;
use super::world::{NONE, Outcome, World};
use crate::model::{KindTag, Scenario};

/// State of the optional machinery.
#[derive(Default)]
pub(crate) struct Ext {
    /// Every fault scheduled or injected, in the order it was added (the fault event's payload indexes it).
    pub faults: Vec<FaultRun>,
    /// Per node: the combined effect of its active faults.
    pub node: Vec<NodeFx>,
    /// Per edge: the combined effect of its active faults.
    pub edge: Vec<EdgeFx>,
    /// Calls lost in a crash whose pending event (work done, or a child's response) has yet to arrive; the
    /// event then only frees them.
    pub zombies: BTreeSet<u32>,
    /// Per load balancer with health checks.
    pub health: Vec<Option<Health>>,
    /// Per edge: marked down by its balancer's health checks.
    pub unhealthy: Vec<bool>,
    /// Backends marked down or up, as (edge, when, up), the first `MAX_HEALTH_LOG`.
    pub health_log: Vec<(u32, u64, bool)>,
    /// Per edge, when some balancer of a design with zones has none (else empty): the edge leaves such a
    /// global balancer, so its hops pay the latency from the request's client to the backend.
    pub geo_edges: Vec<bool>,
    /// Requests a global balancer sent between zones and between regions (after the warm-up).
    pub geo_calls: [u64; 2],
    /// Per zone: its region's index.
    pub zone_region: Vec<u16>,
    /// Per zone or region of the topology: the nodes an outage there takes down.
    pub places: Vec<Vec<u32>>,
    /// Per node: its zone's index in `zone_ns` (`NO_ZONE` when it has none).
    pub zone_of: Vec<u16>,
    /// One-way latency between zones, ns, indexed by zone.
    pub zone_ns: Vec<Vec<u64>>,
    /// Turn counter spreading a marked-down backend's share over the healthy ones.
    pub remap_turn: u32,
    /// Per cache with a key model.
    pub keys: Vec<Option<KeyCache>>,
    /// Per CDN cache (`per_region`): one more key cache per region of the topology, used by the requests
    /// of that region's clients (`keys` serves clients without a zone). Empty for every other node.
    pub edge_caches: Vec<Vec<KeyCache>>,
    /// Per cache with a write path (`writes`).
    pub cache_writes: Vec<Option<Box<super::node::cache_write::CacheWriteRt>>>,
    /// Per service with autoscaling.
    pub scalers: Vec<Option<Scaler>>,
    /// Per database with optimistic concurrency.
    pub occ: Vec<Option<super::node::occ::Occ>>,
    /// Per sharded database: its key routing and per-shard counters.
    pub shards: Vec<Option<super::node::shards::ShardRt>>,
    /// Per database with replication: keys, replica lag and stale-read counters.
    pub repl: Vec<Option<super::node::replication::ReplRt>>,
    /// Per consistent-hash balancer: its key space and rings.
    pub lb_keys: Vec<Option<super::node::load_balancer::LbKeys>>,
    /// The key a consistent-hash balancer drew for a call (by the balancer's call): a key-model cache it
    /// calls directly looks up this key instead of drawing its own.
    pub carried_keys: BTreeMap<u32, u32>,
}

impl World {
    /// Sets up the optional machinery the scenario asks for (faults on the timeline, health checks, key
    /// models, autoscaling) and schedules its first events. Leaves `features` empty when there is none.
    pub(crate) fn build_ext(&mut self, s: &Scenario) {
        let n = s.nodes.len();
        let mut ext = Ext {
            node: vec![NodeFx::default(); n],
            edge: vec![EdgeFx::default(); s.edges.len()],
            health: (0..n).map(|_| None).collect(),
            unhealthy: vec![false; s.edges.len()],
            keys: (0..n).map(|_| None).collect(),
            edge_caches: (0..n).map(|_| Vec::new()).collect(),
            cache_writes: (0..n).map(|_| None).collect(),
            scalers: (0..n).map(|_| None).collect(),
            occ: (0..n).map(|_| None).collect(),
            shards: (0..n).map(|_| None).collect(),
            repl: (0..n).map(|_| None).collect(),
            lb_keys: (0..n).map(|_| None).collect(),
            ..Default::default()
        };
        let topology = super::topology::build(s, &self.edges, &mut ext);
        let mut node_state = false;
        for (i, node) in s.nodes.iter().enumerate() {
            node_state |= self.nodes[i].beh.build_ext(&node.kind, i, s, &mut ext);
        }
        self.ext = ext;
        // Services with call plans answer through their runners (see `fanout.rs`).
        let plans = self.build_plans(s);
        let mut faults = false;
        for f in &s.faults {
            if let Ok(target) = f.resolve(s) {
                self.add_fault(f, target, super::secs_to_ns(f.at_s), false);
                faults = true;
            }
        }
        self.features = Features::default()
            .with_if(Feature::Topology, topology)
            .with_if(Feature::NodeState, node_state)
            .with_if(Feature::CallPlans, plans)
            // Nodes counting side effects take their hooks on the optional paths (see `idem.rs`).
            .with_if(Feature::SideEffects, self.idem.on)
            // Edge timeouts and retries route answers through attempt stubs (see `edge_guard.rs`).
            .with_if(
                Feature::EdgeGuards,
                s.edges
                    .iter()
                    .any(|e| e.timeout_ms.is_some() || e.retry.is_some()),
            )
            .with_if(Feature::Faults, faults);
        for i in 0..n {
            if let Some(h) = &self.ext.health[i] {
                let at = h.interval_ns;
                self.queue
                    .push(at, Kind::Tick, i as u32, Tick::Health as u8);
            }
            if let Some(sc) = &self.ext.scalers[i] {
                let at = sc.interval_ns;
                self.queue.push(at, Kind::Tick, i as u32, Tick::Scale as u8);
            }
            if let Some(at) = self.ext.cache_writes[i]
                .as_ref()
                .map(|w| w.flush_interval_ns())
                .filter(|&at| at > 0)
            {
                self.queue.push(at, Kind::Tick, i as u32, Tick::Batch as u8);
            }
        }
    }

    /// A periodic or delayed event of the optional machinery.
    pub(crate) fn tick(&mut self, node: u32, sub: Tick) {
        match sub {
            Tick::Health => self.health_tick(node),
            Tick::Scale => self.scale_tick(node),
            Tick::Batch => self.batch_tick(node),
            Tick::ScaleReady => self.scale_ready(node),
        }
    }

    /// A client's batch (or a write-behind cache's flush, `cache_write.rs`): the client's requests (times the load now) go out at this instant, in order, each from its
    /// own `ClientNext` (whose follow-up scheduling finds the client's rate 0 and adds nothing).
    fn batch_tick(&mut self, c: u32) {
        if self.ext.cache_writes[c as usize].is_some() {
            return self.cache_flush_tick(c);
        }
        let count = self.nodes[c as usize].beh.client().map_or(0, |cl| cl.batch);
        let size = (count as f64 * self.load).round() as u64;
        for _ in 0..size {
            self.queue.push(self.now, Kind::ClientNext, c, 0);
        }
    }

    /// Handles an arrival the optional machinery changes (a crashed node, an optimistic transaction: its
    /// returning write is not counted again); false to go on normally.
    pub(crate) fn ext_arrive(&mut self, call: u32) -> bool {
        if self.cancelled_on_arrival(call) {
            return true;
        }
        let n = self.calls[call as usize].node as usize;
        let down = self.ext.node[n].down;
        if down > 0 {
            // Connection refused: fails at once, without doing any work. (A transaction coming back for
            // its write was counted at the node when it started.)
            let now = self.now;
            let returning = self.occ_returning(call);
            let node = &mut self.nodes[n];
            node.touch(now);
            if !returning {
                node.in_sys += 1;
                node.stats.arrivals += 1;
                self.calls[call as usize].arrive_ns = now;
            }
            node.stats.failed += 1;
            self.answer(call, Outcome::Failed, false);
            return true;
        }
        self.occ_arrive(call)
    }

    /// A node's work time under its faults (slow-down, brown-out, warm-up after a restart).
    pub(crate) fn ext_scale(&self, n: u32, t: u64) -> u64 {
        let fx = &self.ext.node[n as usize];
        let mut f = fx.slow;
        if self.now < fx.warm_until_ns {
            f *= fx.warm_factor;
        }
        if f == 1.0 {
            t
        } else {
            super::sampler::to_ns(t as f64 * f)
        }
    }

    /// Handles a finished piece of work the optional machinery changes; false to go on normally.
    pub(crate) fn ext_done(&mut self, call: u32) -> bool {
        if !self.ext.zombies.is_empty() && self.ext.zombies.remove(&call) {
            self.free_call(call);
            return true;
        }
        let c = self.calls[call as usize];
        let n = c.node as usize;
        let p = self.ext.node[n].error_p;
        if p > 0.0 && self.nodes[n].tag != KindTag::Queue {
            let node = &mut self.nodes[n];
            if super::sampler::unit(&mut node.rng) < p {
                node.stats.failed += 1;
                self.release_worker(c.node, c.instance as u32);
                self.respond(call, Outcome::Failed);
                return true;
            }
        }
        false
    }

    /// Handles a child's response the optional machinery changes; false to go on normally.
    pub(crate) fn ext_response(&mut self, parent: u32, outcome: Outcome) -> bool {
        if self.stubs.is(parent) {
            self.stub_response(parent, outcome);
            return true;
        }
        if self.fans.is(parent) {
            self.fan_response(parent, outcome);
            return true;
        }
        if !self.ext.zombies.is_empty() && self.ext.zombies.remove(&parent) {
            let p = self.calls[parent as usize];
            let node = &mut self.nodes[p.node as usize];
            let edge = node.routes[p.class as usize].get(p.step as usize).copied();
            if let (Some(lb), Some(e)) = (node.beh.lb_mut(), edge) {
                lb.outstanding[e as usize] -= 1;
            }
            self.free_call(parent);
            return true;
        }
        false
    }

    /// Sends over an edge with a fault (cut, or extra latency); false to send normally.
    pub(crate) fn ext_send(&mut self, sender: u32, call: u32, edge: u32, kind: Kind) -> bool {
        let fx = self.ext.edge[edge as usize];
        if fx.cut > 0 && kind == Kind::Arrive {
            // The callee is unreachable: the caller learns after the connect timeout.
            self.edges[edge as usize].bucket_sends += 1;
            let c = self.calls[call as usize];
            let at = self.now + fx.connect_ns;
            if c.parent == NONE {
                self.queue
                    .push(at, Kind::ClientResponse, call, Outcome::Failed as u8);
            } else {
                self.free_call(call);
                self.queue
                    .push(at, Kind::Response, c.parent, Outcome::Failed as u8);
            }
            return true;
        }
        let add_ns = fx.add_ns + self.geo_send_ns(call, edge);
        if add_ns > 0 {
            self.edges[edge as usize].bucket_sends += 1;
            let lat =
                self.edges[edge as usize].hop_ns(&mut self.nodes[sender as usize].rng) + add_ns;
            self.queue.push(self.now + lat, kind, call, 0);
            return true;
        }
        false
    }

    /// Sends a response back over an edge with a fault; false to send normally.
    pub(crate) fn ext_send_back(
        &mut self,
        sender: u32,
        call: u32,
        edge: u32,
        kind: Kind,
        outcome: Outcome,
    ) -> bool {
        let fx = self.ext.edge[edge as usize];
        let add_ns = fx.add_ns + self.geo_ns(call, edge);
        if fx.cut == 0 && add_ns == 0 {
            return false;
        }
        // A response sent into a cut link never makes it: the caller sees the connection fail.
        let outcome = if fx.cut > 0 { Outcome::Failed } else { outcome };
        let lat = self.edges[edge as usize].hop_ns(&mut self.nodes[sender as usize].rng) + add_ns;
        self.queue.push(self.now + lat, kind, call, outcome as u8);
        true
    }
}
