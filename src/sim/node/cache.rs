//! Caches: a lookup takes a worker for the hit latency, then hits (answers) or misses (calls its backing
//! store over its first outgoing edge that carries the class, and answers with the store's answer).
//!
//! Writes, under a write policy, take their own path (`cache_write.rs`). Three forms of the hit decision, all reached from [`done`]: a fixed hit ratio per class (here), a key
//! model with Zipf popularity, an LRU and TTLs (`cache_keys.rs`, next to this file), and a fixed-ratio cache
//! warming up after a `Flush` fault ([`World::flushed_cache_done`]).

use super::cache_keys::KeyCache;
use super::{Behaviour, BuildCtx, Built, next_turn};
use crate::model::{CacheParams, QueueDiscipline, Scenario};
use crate::sim::ext::Ext;
use crate::sim::sampler::{Sampler, unit};
use crate::sim::world::{Call, NodeRt, Outcome, World};

/// A cache's compiled parameters.
#[derive(Clone, Debug)]
pub(crate) struct CacheRt {
    /// The lookup's time on a worker (the hit latency).
    pub work: Sampler,
    /// Hit ratio per class index.
    pub hit_by_class: Vec<f64>,
}

/// Compiles a cache: one instance with its workers, the hit ratio resolved per class.
pub(super) fn build<'a>(p: &CacheParams, ctx: &BuildCtx) -> Built<'a> {
    let hit_by_class = (0..ctx.n_classes())
        .map(|ci| {
            ctx.classes
                .get(ci)
                .and_then(|c| p.class_hit_ratio.get(c))
                .copied()
                .unwrap_or(p.hit_ratio)
        })
        .collect();
    Built {
        beh: Behaviour::Cache(CacheRt {
            work: Sampler::new(&p.hit_latency_ms),
            hit_by_class,
        }),
        instances: 1,
        workers: p.workers,
        queue_cap: p.queue_capacity,
        discipline: QueueDiscipline::Fifo,
        class_priority: None,
    }
}

/// A key model and a write path, if the cache has them.
pub(super) fn build_ext(p: &CacheParams, i: usize, s: &Scenario, ext: &mut Ext) -> bool {
    let writes = super::cache_write::build_ext(p, i, s, ext);
    let Some(k) = &p.keys else {
        return writes;
    };
    ext.keys[i] = Some(KeyCache::new(k));
    if p.per_region
        && let Some(t) = &s.topology
    {
        ext.edge_caches[i] = t.regions.iter().map(|_| KeyCache::new(k)).collect();
    }
    true
}

impl CacheRt {
    /// Takes an edited hit latency and hit ratios.
    pub(super) fn take_params(&mut self, g: CacheRt) {
        self.work = g.work;
        self.hit_by_class = g.hit_by_class;
    }
}

/// A lookup arrives: it takes a worker (the cache has one instance), waits, or is turned away (`admit`).
#[inline(always)]
pub(super) fn arrival_instance(node: &mut NodeRt) -> u32 {
    next_turn(&mut node.rr, node.active)
}

/// The lookup's time is over: hit or miss, by the key model, the warming ratio after a flush, or the
/// fixed ratio.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline)]
pub(super) fn done(w: &mut World, call: u32, c: Call) {
    if w.ext_on() && done_ext(w, call, c) {
        return;
    }
    let node = &mut w.nodes[c.node as usize];
    let Behaviour::Cache(cache) = &node.beh else {
        return;
    };
    let hit = unit(&mut node.rng) < cache.hit_by_class[c.class as usize];
    w.cache_lookup_done(call, hit);
}

/// [`done`] for a cache with a key model or under a `Flush` fault; false for a plain lookup. Out of line:
/// the hot path only tests `ext_on()`.
#[cold]
#[inline(never)]
fn done_ext(w: &mut World, call: u32, c: Call) -> bool {
    let n = c.node as usize;
    if w.ext.cache_writes[n]
        .as_ref()
        .is_some_and(|wr| wr.is_write(c.class))
    {
        w.cache_write_done(call);
        return true;
    }
    if w.ext.keys[n].is_some() {
        w.key_cache_done(call);
        return true;
    }
    if w.ext.node[n].flush_end_ns > w.now {
        w.flushed_cache_done(call);
        return true;
    }
    false
}

/// The backing store answered a miss: the answer goes back (a key-model cache first fills the key and
/// answers the lookups that waited for it).
#[inline]
pub(super) fn response(w: &mut World, parent: u32, outcome: Outcome) {
    if w.ext_on() && w.cache_write_response(parent, outcome) {
        return;
    }
    if w.ext_on() && w.ext.keys[w.calls[parent as usize].node as usize].is_some() {
        return w.key_cache_response(parent, outcome);
    }
    w.respond(parent, outcome);
}

impl World {
    /// A cache finished its lookup: a hit answers, a miss goes on to the backing store (or fails without one).
    /// Forced inline natively into the lookup's `done` (the hot path of every cached design).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
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

    /// A fixed-hit-ratio cache during a cold start: the hit ratio climbs linearly from 0 over the window.
    pub(crate) fn flushed_cache_done(&mut self, call: u32) {
        let c = self.calls[call as usize];
        let n = c.node as usize;
        let fx = self.ext.node[n];
        let warmth =
            (self.now - fx.flush_start_ns) as f64 / (fx.flush_end_ns - fx.flush_start_ns) as f64;
        let node = &mut self.nodes[n];
        let Behaviour::Cache(cache) = &node.beh else {
            return;
        };
        let ratio = cache.hit_by_class[c.class as usize] * warmth;
        let hit = unit(&mut node.rng) < ratio;
        self.cache_lookup_done(call, hit);
    }
}
