//! The world: all simulation state, owned by one struct, and how it is built from a scenario.

use std::collections::VecDeque;

use std::collections::BTreeMap;

use super::event::{EventQueue, Kind};
use super::node::{Behaviour, BuildCtx};
use super::sampler::{Sampler, SimRng, stream};
use super::snapshot::TransitDot;
use crate::metrics::{Bucket, BucketHist, Latency, RequestCounts, Series};
use crate::model::{Arrival, KindTag, NodeKind, QueueDiscipline, Scenario};

/// "No index": a call with no parent answers its client.
pub(crate) const NONE: u32 = u32::MAX;

/// How a call ended, as carried back up the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Outcome {
    Ok = 0,
    Failed = 1,
    Rejected = 2,
    /// Refused by a rate limiter (HTTP 429).
    RateLimited = 3,
}

impl Outcome {
    /// The outcome the event's two outcome bits name: each of the four values is one.
    pub(crate) fn from_u8(v: u8) -> Self {
        match v & 3 {
            0 => Self::Ok,
            1 => Self::Failed,
            2 => Self::Rejected,
            3 => Self::RateLimited,
            _ => unreachable!("two bits hold 0 to 3"),
        }
    }
}

/// One hop of a request: the work one node does for it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Call {
    /// The client request it serves.
    pub req: u32,
    /// The call waiting for this one's response; `NONE` when the client is.
    pub parent: u32,
    /// The node doing the work.
    pub node: u32,
    /// The edge it arrived over (`NONE` for a message stored in a queue).
    pub via_edge: u32,
    /// When it reached the node (for a stored message: when it was stored).
    pub arrive_ns: u64,
    /// Request class index.
    pub class: u8,
    /// Replica / database instance serving it.
    pub instance: u16,
    /// Progress: next downstream call (service) or chosen backend slot (load balancer).
    pub step: u16,
}

/// A client request, alive while the client waits or any call still works for it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Req {
    pub issued_ns: u64,
    /// Live calls, plus one while the client still waits.
    pub refs: u32,
    /// Issued after the warm-up: counts in the summary.
    pub measured: bool,
    /// The client has its answer (or gave up).
    pub resolved: bool,
    /// Attempt number, 0 for the first (see `retry.rs`).
    pub attempt: u8,
}

/// One replica or database instance: its workers and waiting line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Instance {
    pub busy: u32,
    pub queue: VecDeque<u32>,
}

/// Per-node statistics. Areas are cumulative from time 0; the summary subtracts their value at the end of
/// the warm-up and each series bucket subtracts its value at the bucket's start.
#[derive(Clone, Debug)]
pub(crate) struct NodeStats {
    pub last_ns: u64,
    pub area_busy: f64,
    pub area_queue: f64,
    pub area_sys: f64,
    pub warm: [f64; 3],
    pub bucket0: [f64; 2],
    pub max_queue: u64,
    pub arrivals: u64,
    pub completed: u64,
    pub rejected: u64,
    pub failed: u64,
    /// Retries this node sent.
    pub retries: u64,
    pub latency: Latency,
    pub bucket_latency: BucketHist,
    pub bucket_completed: u32,
}

impl NodeStats {
    fn new() -> Self {
        Self {
            last_ns: 0,
            area_busy: 0.0,
            area_queue: 0.0,
            area_sys: 0.0,
            warm: [0.0; 3],
            bucket0: [0.0; 2],
            max_queue: 0,
            arrivals: 0,
            completed: 0,
            rejected: 0,
            failed: 0,
            retries: 0,
            latency: Latency::per_node(),
            bucket_latency: BucketHist::default(),
            bucket_completed: 0,
        }
    }
}

/// One node at run time.
#[derive(Clone, Debug)]
pub(crate) struct NodeRt {
    pub tag: KindTag,
    pub beh: Behaviour,
    pub instances: Vec<Instance>,
    /// Instances that take new work; the rest (after a live scale-down) only finish what they hold.
    pub active: u32,
    pub workers: u32,
    pub queue_cap: u32,
    /// Waiting calls leave in arrival order: the common case, tested alone so that it costs what it did
    /// before the other orders existed.
    pub fifo: bool,
    /// Which waiting call a free worker takes.
    pub order: Order,
    /// Per class: its priority under `Order::Priority` (empty otherwise).
    pub prio: Vec<u8>,
    /// A full queue drops its oldest call instead of the newcomer.
    pub drop_oldest: bool,
    pub rr: u32,
    /// Per class: outgoing edges that carry it, in file order.
    pub routes: Vec<Vec<u32>>,
    pub rng: SimRng,
    pub busy: u32,
    pub queued: u32,
    pub in_sys: u32,
    pub stats: NodeStats,
}

impl NodeRt {
    /// Total workers (0 for kinds without any).
    pub fn capacity(&self) -> u32 {
        self.workers * self.active
    }

    /// Brings the time-weighted areas up to `now`.
    #[inline]
    pub fn touch(&mut self, now: u64) {
        // Through `i64` (exact here: times and counts are far below 2^63): x86-64 converts a signed integer to
        // a float in one instruction but an unsigned 64-bit one only with a branchy sequence.
        let dt = now - self.stats.last_ns;
        if dt > 0 {
            let dt = dt as i64 as f64;
            self.stats.area_busy += self.busy as f64 * dt;
            self.stats.area_queue += self.queue_len() as i64 as f64 * dt;
            self.stats.area_sys += self.in_sys as f64 * dt;
            self.stats.last_ns = now;
        }
    }

    /// The next waiting call of an instance, by the node's discipline.
    #[inline]
    /// Under `Order::Priority` this finds nothing: the caller then asks [`Self::take_by_priority`], which needs
    /// the calls' classes (kept off the FIFO path, where passing them cost registers).
    pub fn take_waiting(&mut self, inst: u32) -> Option<u32> {
        let q = &mut self.instances[inst as usize].queue;
        if self.fifo {
            q.pop_front()
        } else if self.order == Order::Lifo {
            q.pop_back()
        } else {
            None
        }
    }

    /// The next waiting call under any discipline.
    pub fn take_any(&mut self, inst: u32, calls: &[Call]) -> Option<u32> {
        if self.order == Order::Priority {
            self.take_by_priority(inst, calls)
        } else {
            self.take_waiting(inst)
        }
    }

    /// The first (oldest) waiting call of the highest priority.
    pub fn take_by_priority(&mut self, inst: u32, calls: &[Call]) -> Option<u32> {
        take_by_priority(&mut self.instances[inst as usize].queue, &self.prio, calls)
    }

    /// Under `Order::Priority` with a full queue: removes and returns the newest waiting call of the lowest
    /// priority if that is below `class`'s, to make room for it.
    pub fn evict_for(&mut self, inst: u32, class: u8, calls: &[Call]) -> Option<u32> {
        if self.order != Order::Priority {
            return None;
        }
        let q = &mut self.instances[inst as usize].queue;
        let mut worst: Option<(usize, u8)> = None;
        for (i, &c) in q.iter().enumerate() {
            let p = self
                .prio
                .get(calls[c as usize].class as usize)
                .copied()
                .unwrap_or(0);
            if worst.is_none_or(|(_, w)| p <= w) {
                worst = Some((i, p));
            }
        }
        match worst {
            Some((i, p)) if p < self.prio.get(class as usize).copied().unwrap_or(0) => q.remove(i),
            _ => None,
        }
    }

    /// Waiting requests (a queue node: its backlog, which `queued` mirrors so that this needs no match on
    /// the kind: `touch` asks for it at every arrival and departure).
    #[inline]
    pub fn queue_len(&self) -> u64 {
        debug_assert!(
            self.beh
                .queue()
                .is_none_or(|q| q.topic.is_some() || q.backlog.len() == self.queued as usize)
        );
        self.queued as u64
    }
}

/// The order in which waiting calls get a worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Order {
    Fifo = 0,
    /// Newest first.
    Lifo,
    /// Highest class priority first, oldest first within a priority.
    Priority,
}

/// The first (oldest) waiting call of the highest priority: a scan, paid only by nodes that ask for
/// priorities, and out of line so that the FIFO path stays as it was.
#[cold]
#[inline(never)]
fn take_by_priority(q: &mut VecDeque<u32>, prio: &[u8], calls: &[Call]) -> Option<u32> {
    let mut best: Option<(usize, u8)> = None;
    for (i, &c) in q.iter().enumerate() {
        // An optimistic write's read and write steps carry class indices past the scenario's classes:
        // they keep their request's priority 0 here rather than index past the table.
        let p = prio
            .get(calls[c as usize].class as usize)
            .copied()
            .unwrap_or(0);
        if best.is_none_or(|(_, b)| p > b) {
            best = Some((i, p));
        }
    }
    best.and_then(|(i, _)| q.remove(i))
}

/// The order and per-class priorities a node's discipline asks for.
fn order_of(
    discipline: QueueDiscipline,
    prio: Option<&BTreeMap<String, u32>>,
    classes: &[String],
) -> (Order, Vec<u8>) {
    match discipline {
        QueueDiscipline::Lifo => (Order::Lifo, Vec::new()),
        QueueDiscipline::Priority => (
            Order::Priority,
            (0..classes.len().max(1))
                .map(|ci| {
                    classes
                        .get(ci)
                        .and_then(|c| prio.and_then(|p| p.get(c)))
                        .map_or(0, |&v| v.min(255) as u8)
                })
                .collect(),
        ),
        QueueDiscipline::Fifo | QueueDiscipline::DropOldest => (Order::Fifo, Vec::new()),
    }
}

/// A compiled edge.
#[derive(Clone, Debug)]
pub(crate) struct EdgeRt {
    pub from: u32,
    pub to: u32,
    pub latency: Sampler,
    /// The topology's one-way latency between the two ends' zones, added to every hop, ns (0 in one zone).
    pub extra_ns: u64,
    /// Latency is the constant 0 (and no zone apart): hops are delivered without an event.
    pub zero_latency: bool,
    pub bucket_sends: u32,
    /// Sends of the closed buckets, and that figure at the end of the warm-up (added up per bucket, not per
    /// call, so the per-edge call count costs the hot path nothing).
    pub sends_total: u64,
    pub sends_warm: u64,
    /// Timeout, retries and circuit breaker guarding calls over this edge, with their counters.
    pub guard: Option<Box<super::edge_guard::GuardRt>>,
}

impl EdgeRt {
    /// One hop's latency: the edge's own, drawn from `rng`, plus the zones' distance.
    #[inline(always)]
    pub fn hop_ns(&self, rng: &mut SimRng) -> u64 {
        self.latency.sample(rng) + self.extra_ns
    }
}

/// All simulation state.
pub(crate) struct World {
    pub name: String,
    /// Node ids, in scenario order.
    pub ids: Vec<String>,
    pub seed: u64,
    pub load: f64,
    pub now: u64,
    pub end_ns: u64,
    pub warmup_ns: u64,
    pub events: u64,
    pub queue: EventQueue,
    pub nodes: Vec<NodeRt>,
    pub edges: Vec<EdgeRt>,
    pub calls: Vec<Call>,
    pub free_calls: Vec<u32>,
    pub reqs: Vec<Req>,
    pub free_reqs: Vec<u32>,
    /// Summary counts (requests issued after the warm-up).
    pub counts: RequestCounts,
    pub latency: Latency,
    /// The bucket being filled, and where it ends.
    pub bucket: Bucket,
    pub bucket_latency: BucketHist,
    pub bucket_end_ns: u64,
    pub series: Series,
    pub dots_on: bool,
    pub dots: VecDeque<TransitDot>,
    pub dot_counter: u32,
    /// The optional machinery in play (faults, health checks, key models, ...): when any, the handlers
    /// consult `ext` (see [`World::ext_on`]).
    pub features: super::features::Features,
    pub ext: super::ext::Ext,
    /// Client retry bookkeeping.
    pub retries: super::retry::Retries,
    /// Attempt stubs of calls over edges with a timeout or retries.
    pub stubs: super::edge_guard::Stubs,
    /// Call plans (parallel calls, probabilities, repeats, hedges) and their slots.
    pub fans: super::fanout::Fans,
    /// Load profiles and closed-loop users (empty unless a client has them).
    pub traffic: super::traffic::Traffic,
    /// Idempotency keys and side-effect counters (see `idem.rs`).
    pub idem: super::idem::Idem,
}

/// Most sampled in-transit dots kept.
pub(crate) const MAX_DOTS: usize = 512;

impl World {
    /// Some optional machinery is in play: the handlers consult `ext`. One test of one byte on the hot path.
    #[inline(always)]
    pub(crate) fn ext_on(&self) -> bool {
        !self.features.is_empty()
    }

    /// Builds the world for a validated scenario.
    pub fn build(s: &Scenario) -> Self {
        let mut classes: Vec<String> = Vec::new();
        let class_of = |name: &str, classes: &mut Vec<String>| -> u8 {
            if let Some(i) = classes.iter().position(|c| c == name) {
                i as u8
            } else {
                classes.push(name.to_owned());
                (classes.len() - 1) as u8
            }
        };
        for n in &s.nodes {
            if let NodeKind::Client(c) = &n.kind {
                for cw in &c.classes {
                    class_of(&cw.name, &mut classes);
                }
            }
        }
        // A map, not `Scenario::node_index` (a scan): per edge and per node that made building a chain of
        // 2,000 services cubic, seconds before the first event.
        let ctx = BuildCtx {
            s,
            classes: &classes,
            by_id: s
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.id.as_str(), i as u32))
                .collect(),
        };
        let mut out_edges: Vec<Vec<u32>> = vec![Vec::new(); s.nodes.len()];
        for (i, e) in s.edges.iter().enumerate() {
            if let Some(v) = out_edges.get_mut(ctx.index(&e.from) as usize) {
                v.push(i as u32);
            }
        }

        let edges: Vec<EdgeRt> = s
            .edges
            .iter()
            .map(|e| {
                let (from, to) = (ctx.index(&e.from), ctx.index(&e.to));
                let extra_ns = super::topology::edge_extra_ns(s, from, to);
                EdgeRt {
                    from,
                    to,
                    latency: Sampler::new(&e.latency_ms),
                    extra_ns,
                    zero_latency: extra_ns == 0
                        && e.latency_ms == crate::model::Dist::constant(0.0),
                    bucket_sends: 0,
                    sends_total: 0,
                    sends_warm: 0,
                    guard: super::edge_guard::GuardRt::new(e),
                }
            })
            .collect();

        let nodes: Vec<NodeRt> = (0..s.nodes.len())
            .map(|ni| compile_node(&ctx, ni, &out_edges[ni]))
            .collect();

        let bucket = Bucket {
            nodes: vec![Default::default(); nodes.len()],
            edge_sends: vec![0; edges.len()],
            ..Default::default()
        };
        let idem = super::idem::Idem::new(s);
        let mut w = World {
            name: s.name.clone(),
            ids: s.nodes.iter().map(|n| n.id.clone()).collect(),
            seed: s.seed,
            load: 1.0,
            now: 0,
            end_ns: super::secs_to_ns(s.duration_s),
            warmup_ns: super::secs_to_ns(s.warmup_s),
            events: 0,
            queue: EventQueue::default(),
            nodes,
            edges,
            calls: Vec::new(),
            free_calls: Vec::new(),
            reqs: Vec::new(),
            free_reqs: Vec::new(),
            counts: RequestCounts::default(),
            latency: Latency::precise(),
            bucket,
            bucket_latency: BucketHist::default(),
            bucket_end_ns: super::NS_PER_S,
            series: Series::new(super::NS_PER_S),
            dots_on: false,
            dots: VecDeque::new(),
            dot_counter: 0,
            features: Default::default(),
            ext: Default::default(),
            retries: super::retry::Retries::new(
                // Closed-loop users need each request's owner, which the retry bookkeeping keeps; so do
                // idempotency keys.
                idem.on
                    || s.nodes.iter().any(|n| {
                        matches!(&n.kind, NodeKind::Client(c) if c.retry.is_some())
                            || super::traffic::uses_closed_loop(&n.kind)
                    }),
                s.nodes.iter().any(|n| {
                    matches!(&n.kind, NodeKind::Client(c) if matches!(c.arrival, Arrival::Batch { .. }))
                }),
            ),
            stubs: Default::default(),
            fans: Default::default(),
            traffic: super::traffic::Traffic::build(s),
            idem,
        };
        w.build_ext(s);
        for i in 0..w.nodes.len() {
            w.refresh_gap(i);
        }
        if w.warmup_ns > 0 {
            w.queue.push(w.warmup_ns, Kind::WarmupEnd, 0, 0);
        }
        for i in 0..w.nodes.len() {
            match w.nodes[i].beh.client() {
                Some(c) if c.batch > 0 => {
                    let at = c.start_ns;
                    w.queue
                        .push(at, Kind::Tick, i as u32, super::event::Tick::Batch as u8);
                }
                Some(_) => w.schedule_client(i as u32),
                None => {}
            }
        }
        w
    }
}

/// Compiles node `ni`: its routes per class (over `out_edges`, its outgoing edges in file order), its
/// kind's part (built by the kind's module) and its worker layout and waiting order.
fn compile_node(ctx: &BuildCtx, ni: usize, out_edges: &[u32]) -> NodeRt {
    let (s, classes) = (ctx.s, ctx.classes);
    let n = &s.nodes[ni];
    let n_classes = ctx.n_classes();
    let routes: Vec<Vec<u32>> = (0..n_classes)
        .map(|ci| {
            out_edges
                .iter()
                .copied()
                .filter(|&i| {
                    classes
                        .get(ci)
                        .is_none_or(|c| s.edges[i as usize].carries(c))
                })
                .collect()
        })
        .collect();
    let built = Behaviour::build(&n.kind, &n.id, ctx);
    let (order, prio) = order_of(built.discipline, built.class_priority, classes);
    let instances = built.instances;
    NodeRt {
        tag: n.kind.tag(),
        beh: built.beh,
        instances: (0..instances).map(|_| Instance::default()).collect(),
        active: instances,
        workers: built.workers,
        queue_cap: built.queue_cap,
        fifo: order == Order::Fifo,
        order,
        prio,
        drop_oldest: built.discipline == QueueDiscipline::DropOldest,
        rr: 0,
        routes,
        rng: stream(s.seed, &n.id),
        busy: 0,
        queued: 0,
        in_sys: 0,
        stats: NodeStats::new(),
    }
}
