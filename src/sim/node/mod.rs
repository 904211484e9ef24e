//! Node kinds at run time: one module per kind, each owning its runtime state, how it is built from the
//! scenario, how it takes live parameter edits, and what it does when a call arrives, when its own work is
//! done and when a child's response comes back.
//!
//! This module only delegates. Its `match`es on [`Behaviour`] are the places a new kind is wired in (none
//! has a wildcard arm, so the compiler lists them); everything else in the engine asks through the
//! accessors (`Behaviour::client`, `Behaviour::queue`, ...) and never matches on the kind.
//! Dispatch is a plain `match` on the enum, forced inline natively like the handlers it calls: no trait
//! objects on the hot path (docs/benchmarks.md).

pub(crate) mod cache;
pub(crate) mod cache_keys;
pub(crate) mod cache_write;
pub(crate) mod client;
pub(crate) mod database;
pub(crate) mod gateway;
pub(crate) mod load_balancer;
pub(crate) mod occ;
pub(crate) mod queue;
pub(crate) mod rate_limiter;
pub(crate) mod replication;
pub(crate) mod service;
pub(crate) mod shards;
pub(crate) mod topic;

use std::collections::BTreeMap;

use super::ext::Ext;
use super::sampler::SimRng;
use super::world::{Outcome, World};
use crate::model::{NodeKind, QueueDiscipline, Scenario};

pub(crate) use cache::CacheRt;
pub(crate) use client::ClientRt;
pub(crate) use database::DatabaseRt;
pub(crate) use gateway::GatewayRt;
pub(crate) use load_balancer::LbRt;
pub(crate) use queue::QueueRt;
pub(crate) use rate_limiter::LimiterRt;
pub(crate) use service::ServiceRt;

/// Kind-specific behaviour and state.
///
/// `repr(u8)`: the variant is a tag byte of its own. Without it the compiler may encode the variant in a
/// spare value of some kind's field (a niche), and every `match` on a node's kind then decodes it: about
/// 2% more instructions per request on the benchmarks.
#[derive(Clone, Debug)]
#[repr(u8)]
pub(crate) enum Behaviour {
    Client(ClientRt),
    Service(ServiceRt),
    Lb(LbRt),
    Cache(CacheRt),
    Database(DatabaseRt),
    Queue(QueueRt),
    RateLimiter(LimiterRt),
    /// Boxed: its per-key tables would make every node's value larger.
    Gateway(Box<GatewayRt>),
}

/// What the world builder needs to compile one node: the scenario, the request classes in index order and
/// node ids by index.
pub(crate) struct BuildCtx<'a> {
    pub s: &'a Scenario,
    pub classes: &'a [String],
    pub by_id: BTreeMap<&'a str, u32>,
}

impl BuildCtx<'_> {
    /// The index of a node id (`NONE` if there is none: validation has ruled that out).
    pub fn index(&self, id: &str) -> u32 {
        self.by_id.get(id).copied().unwrap_or(super::world::NONE)
    }

    /// Request classes, at least one (a scenario without named classes has one unnamed class).
    pub fn n_classes(&self) -> usize {
        self.classes.len().max(1)
    }
}

/// A compiled node's kind part and its worker layout.
pub(crate) struct Built<'a> {
    pub beh: Behaviour,
    /// Replicas or database instances (0 for kinds without workers).
    pub instances: u32,
    /// Workers per instance.
    pub workers: u32,
    /// Waiting calls per instance.
    pub queue_cap: u32,
    /// The order its waiting calls are served in, with the per-class priorities it names.
    pub discipline: QueueDiscipline,
    pub class_priority: Option<&'a BTreeMap<String, u32>>,
}

impl<'a> Built<'a> {
    /// A kind with no workers and no waiting line of its own.
    pub fn without_workers(beh: Behaviour) -> Self {
        Self {
            beh,
            instances: 0,
            workers: 0,
            queue_cap: 0,
            discipline: QueueDiscipline::Fifo,
            class_priority: None,
        }
    }
}

/// `Behaviour::$get` (and `$get_mut`): the kind's state if the node is of that kind. Not a `match` that
/// lists the kinds: a new kind does not change what "is this a queue?" means.
macro_rules! accessors {
    ($($(#[$doc:meta])* $variant:ident($ty:ty): $get:ident, $get_mut:ident;)*) => {
        impl Behaviour {
            $(
                $(#[$doc])*
                #[inline]
                #[allow(dead_code, reason = "not every kind's state is asked for both ways")]
                pub(crate) fn $get(&self) -> Option<&$ty> {
                    if let Behaviour::$variant(x) = self { Some(x) } else { None }
                }

                $(#[$doc])*
                #[inline]
                #[allow(dead_code, reason = "not every kind's state is asked for both ways")]
                pub(crate) fn $get_mut(&mut self) -> Option<&mut $ty> {
                    if let Behaviour::$variant(x) = self { Some(x) } else { None }
                }
            )*
        }
    };
}

accessors! {
    /// The client's state, if this is a client.
    Client(ClientRt): client, client_mut;
    /// The service's state, if this is a service (consumers pull messages through it).
    Service(ServiceRt): service, service_mut;
    /// The load balancer's state, if this is one.
    Lb(LbRt): lb, lb_mut;
    /// The cache's state, if this is one.
    Cache(CacheRt): cache, cache_mut;
    /// The database's state, if this is one.
    Database(DatabaseRt): database, database_mut;
    /// The queue's state, if this is a message queue.
    Queue(QueueRt): queue, queue_mut;
    /// The rate limiter's state, if this is one.
    RateLimiter(LimiterRt): limiter, limiter_mut;
    /// The gateway's state, if this is one.
    Gateway(Box<GatewayRt>): gateway, gateway_mut;
}

impl Behaviour {
    /// Compiles one node of the scenario.
    pub(crate) fn build<'a>(kind: &'a NodeKind, id: &str, ctx: &BuildCtx) -> Built<'a> {
        match kind {
            NodeKind::Client(p) => client::build(p, ctx),
            NodeKind::Service(p) => service::build(p, id, ctx),
            NodeKind::LoadBalancer(p) => load_balancer::build(p, ctx),
            NodeKind::Cache(p) => cache::build(p, ctx),
            NodeKind::Database(p) => database::build(p, ctx),
            NodeKind::Queue(p) => queue::build(p, id, ctx),
            NodeKind::RateLimiter(p) => rate_limiter::build(p, ctx),
            NodeKind::Gateway(p) => gateway::build(p, id, ctx),
        }
    }

    /// Sets up the kind's optional machinery in `ext` (health checks, key models, autoscaling, optimistic
    /// writes, a queueing leaky bucket); true if it needs the optional paths (the run's
    /// [`super::features::Feature::NodeState`]).
    pub(crate) fn build_ext(
        &mut self,
        kind: &NodeKind,
        i: usize,
        s: &Scenario,
        ext: &mut Ext,
    ) -> bool {
        match kind {
            NodeKind::LoadBalancer(p) => load_balancer::build_ext(p, i, s, ext),
            NodeKind::Cache(p) => cache::build_ext(p, i, s, ext),
            NodeKind::RateLimiter(p) => rate_limiter::build_ext(p),
            NodeKind::Database(p) => match self {
                Behaviour::Database(db) => db.build_ext(p, i, ext),
                Behaviour::Client(_)
                | Behaviour::Service(_)
                | Behaviour::Lb(_)
                | Behaviour::Cache(_)
                | Behaviour::Queue(_)
                | Behaviour::RateLimiter(_)
                | Behaviour::Gateway(_) => false,
            },
            NodeKind::Service(p) => service::build_ext(p, i, ext),
            NodeKind::Client(_) | NodeKind::Queue(_) | NodeKind::Gateway(_) => false,
        }
    }

    /// Takes the parameters of `fresh` (built from the edited scenario) and keeps the live state. A node
    /// whose fresh copy is of another kind keeps its old parameters (`same_structure` rules that out).
    pub(crate) fn take_params(&mut self, fresh: Behaviour) {
        match (self, fresh) {
            (Behaviour::Client(c), Behaviour::Client(g)) => c.take_params(g),
            (Behaviour::Service(s), Behaviour::Service(g)) => s.take_params(g),
            (Behaviour::Lb(l), Behaviour::Lb(g)) => l.take_params(g),
            (Behaviour::Cache(c), Behaviour::Cache(g)) => c.take_params(g),
            (Behaviour::Database(d), Behaviour::Database(g)) => d.take_params(g),
            (Behaviour::Queue(q), Behaviour::Queue(g)) => q.take_params(g),
            (Behaviour::RateLimiter(l), Behaviour::RateLimiter(g)) => l.take_params(g),
            (Behaviour::Gateway(l), Behaviour::Gateway(g)) => l.take_params(g),
            (
                Behaviour::Client(_)
                | Behaviour::Service(_)
                | Behaviour::Lb(_)
                | Behaviour::Cache(_)
                | Behaviour::Database(_)
                | Behaviour::Queue(_)
                | Behaviour::RateLimiter(_)
                | Behaviour::Gateway(_),
                _,
            ) => {}
        }
    }

    /// The kind's optional machinery that is built once per run (health checks, key models, autoscalers,
    /// optimistic writes, a queueing leaky bucket, a batch), in a comparable form: a live parameter edit
    /// that changes it needs a rebuild (`update.rs`).
    pub(crate) fn built_once(kind: &NodeKind) -> String {
        match kind {
            // A consistent-hash balancer's key space lives in `ext`.
            NodeKind::LoadBalancer(p) => format!(
                "{:?} {:?}",
                p.health_check,
                (p.policy == crate::model::LbPolicy::ConsistentHash).then_some(p.key_space)
            ),
            NodeKind::Cache(p) => format!("{:?} {:?}", p.keys, p.writes),
            NodeKind::Service(p) => format!("{:?}", p.autoscale),
            // A sharded database's instances are laid out by shard and replica count.
            NodeKind::Database(p) => format!(
                "{:?} {:?} {} {:?} {:?}",
                p.optimistic,
                p.shards.as_ref().map(|s| (s, p.read_replicas)),
                p.side_effects,
                p.idempotency,
                p.replication
            ),
            // The queueing form holds requests in `ext`'s care (its departures are ext events).
            NodeKind::RateLimiter(p) => format!("{}", rate_limiter::build_ext(p)),
            // A batch is sent from a tick scheduled when the run is built.
            NodeKind::Client(c) => format!(
                "{}",
                matches!(c.arrival, crate::model::Arrival::Batch { .. })
            ),
            NodeKind::Queue(q) => format!("{:?} {:?}", q.visibility_timeout_ms, q.topic),
            // The key table and its per-key state are laid out by the key count and popularity.
            NodeKind::Gateway(g) => format!("{} {}", g.keys, g.zipf_exponent),
        }
    }

    /// Samples the node's own work for `call` (of `class`) that holds a worker, ns (0 for kinds that do no
    /// timed work on a worker).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(crate) fn work_ns(&self, call: u32, class: u8, rng: &mut SimRng) -> u64 {
        match self {
            Behaviour::Service(s) => s.work.sample(rng),
            Behaviour::Gateway(g) => g.auth_ns(call, rng),
            Behaviour::Cache(c) => c.work.sample(rng),
            Behaviour::Database(d) => d.work_ns(class, rng),
            Behaviour::Client(_)
            | Behaviour::Lb(_)
            | Behaviour::Queue(_)
            | Behaviour::RateLimiter(_) => 0,
        }
    }
}

impl World {
    /// A call reached its node: it is counted there, then the node's kind takes it. Kinds with workers
    /// only pick the instance (from the node borrowed here: a second lookup after the counting's stores
    /// costs the hot path a bounds check and a reload of the kind), and the shared `admit` takes it on.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(super) fn kind_arrive(&mut self, call: u32) {
        let now = self.now;
        let c = &mut self.calls[call as usize];
        c.arrive_ns = now;
        let (n, class) = (c.node, c.class);
        let node = &mut self.nodes[n as usize];
        node.touch(now);
        node.in_sys += 1;
        node.stats.arrivals += 1;
        match &mut node.beh {
            Behaviour::Service(_) => {
                let inst = service::arrival_instance(node);
                self.admit(call, inst);
            }
            Behaviour::Cache(_) => {
                let inst = cache::arrival_instance(node);
                self.admit(call, inst);
            }
            Behaviour::Database(db) => {
                let (ext_on, fx) = (!self.features.is_empty(), &self.ext.node);
                let lagging = || ext_on && fx[n as usize].lag > 0;
                let inst = if ext_on && let Some(sh) = self.ext.shards[n as usize].as_mut() {
                    let write = db.is_write[class as usize];
                    if let Some(r) = self.ext.repl[n as usize].as_mut() {
                        // The shard's key is the one replication checks (read-your-writes: its primary).
                        let key = sh.draw_key(&mut node.rng);
                        match r.arrive_key(call, key, write, now) {
                            // A quorum's coordinator, within the key's shard.
                            Some(rel) if r.is_quorum() => {
                                // Counts the shard's arrival (as a write: no replica turn taken).
                                sh.route_key(key, true, false);
                                sh.base_of(key) + rel
                            }
                            primary => sh.route_key(key, write, lagging() || primary.is_some()),
                        }
                    } else {
                        sh.route(write, lagging(), &mut node.rng)
                    }
                } else if ext_on
                    && let Some(r) = self.ext.repl[n as usize].as_mut()
                    && let Some(inst) =
                        r.arrive(call, db.is_write[class as usize], now, &mut node.rng)
                {
                    // A quorum's coordinator, or the primary for a lately written key (read-your-writes).
                    inst
                } else {
                    db.arrival_instance(class, &mut node.rr, lagging)
                };
                self.admit(call, inst);
            }
            Behaviour::Queue(q) => {
                let t = q.ack_ns(&mut node.rng);
                self.queue.push(now + t, super::event::Kind::Done, call, 0);
            }
            Behaviour::Lb(_) => load_balancer::arrive(self, call),
            Behaviour::RateLimiter(_) => rate_limiter::arrive(self, call),
            Behaviour::Gateway(_) => {
                let inst = gateway::arrival_instance(node, call, now);
                self.admit(call, inst);
            }
            Behaviour::Client(_) => client::arrive(self, call),
        }
    }

    /// A node's own work for a call ended (its `Done` event).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(super) fn kind_done(&mut self, call: u32) {
        let c = self.calls[call as usize];
        let node = &mut self.nodes[c.node as usize];
        match &node.beh {
            Behaviour::Service(s) => {
                // Drawn from the node borrowed here: a second lookup in `service::done` costs the hot path.
                let failed = s.fails(&mut node.rng);
                let planned = s.planned;
                service::done(self, call, c, failed, planned)
            }
            Behaviour::Cache(_) => cache::done(self, call, c),
            Behaviour::Database(_) => database::done(self, call, c),
            Behaviour::Queue(_) => queue::done(self, call, c),
            Behaviour::RateLimiter(_) => rate_limiter::done(self, call),
            Behaviour::Gateway(_) => gateway::done(self, call, c),
            // No timed work of their own: no `Done` event is ever scheduled for them.
            Behaviour::Lb(_) | Behaviour::Client(_) => {}
        }
    }

    /// A child's answer reached the call that made it.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(super) fn kind_response(&mut self, parent: u32, outcome: Outcome) {
        let p = self.calls[parent as usize];
        match &self.nodes[p.node as usize].beh {
            Behaviour::Service(_) => service::response(self, parent, p, outcome),
            Behaviour::Lb(_) => load_balancer::response(self, parent, p, outcome),
            Behaviour::Cache(_) => cache::response(self, parent, outcome),
            Behaviour::RateLimiter(_) | Behaviour::Gateway(_) => self.respond(parent, outcome),
            Behaviour::Queue(_) => queue::response(self, parent, p, outcome),
            // They make no child calls.
            Behaviour::Database(_) | Behaviour::Client(_) => {}
        }
    }
}

/// The next of `n` (> 0) in turn: `counter` cycles through 0..n, like a free-running counter taken modulo `n`
/// while `n` stays the same (after a live change of `n` it restarts at 0 if it is past the end). A compare
/// instead of `%`: a division costs 20-40 cycles, and every arrival at a replicated node and every balanced
/// request takes a turn.
#[inline]
pub(crate) fn next_turn(counter: &mut u32, n: u32) -> u32 {
    let i = if *counter >= n { 0 } else { *counter };
    *counter = i + 1;
    i
}

/// Uniform integer in `0..n` (n > 0), by Lemire's multiply-shift (bias below 2^-32 for small n).
#[inline]
pub(crate) fn pick(rng: &mut SimRng, n: u32) -> u32 {
    use rand::Rng;
    ((rng.next_u32() as u64 * n as u64) >> 32) as u32
}
