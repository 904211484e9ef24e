//! API gateways: a request draws its API key on arrival (Zipf popularity), takes a worker for the key's
//! authentication (shorter for a key in the validation cache), then meets the key's own rate limit (the
//! rate limiter's algorithms, one state per key: [`LimiterRt::per_key`]) and is answered with a 429, or goes
//! on over the first outgoing edge that carries its class (a 404-like failure when none does). The worker is
//! free once the request is sent on: the backend's answer passes back through without one.

use super::{Behaviour, BuildCtx, Built, LimiterRt, next_turn};
use crate::metrics::{GatewayReport, KeyThrottled, Routed};
use crate::model::{GatewayParams, QueueDiscipline};
use crate::sim::sampler::{Sampler, SimRng};
use crate::sim::world::{Call, NodeRt, Outcome, World};
use crate::sim::zipf::Zipf;

/// Bit of a call's key entry saying its authentication is a cached one.
const CACHED: u32 = 1 << 31;

/// A key never fully authenticated yet.
const NEVER: u64 = u64::MAX;

/// Throttled keys the report names, the most throttled first.
pub(crate) const TOP_KEYS: usize = 5;

/// A compiled gateway and its counters (since the warm-up).
#[derive(Clone, Debug)]
pub(crate) struct GatewayRt {
    auth: Sampler,
    cached_auth: Sampler,
    zipf: Zipf,
    /// The validation cache's TTL, ns (none: every request pays the full authentication).
    ttl_ns: Option<u64>,
    /// Per key, when its last full authentication ended (`NEVER` before); empty without a TTL.
    validated_ns: Vec<u64>,
    /// The per-key limit, if any.
    limit: Option<LimiterRt>,
    /// Per call slot: the key of the request it serves, with `CACHED` set for a cached authentication
    /// (a side table rather than a field of every `Call`, which only gateways would use).
    call_key: Vec<u32>,
    /// Authentications finished, and how many of them were cached.
    authenticated: u64,
    auth_cached: u64,
    /// Per key: requests answered with a 429 (empty without a limit).
    throttled: Vec<u64>,
    /// Per outgoing edge, in file order: the edge and the requests sent over it.
    routed: Vec<(u32, u64)>,
    /// Requests no outgoing edge carried (failed).
    unrouted: u64,
}

/// Compiles a gateway: one instance of `concurrency` workers and its queue.
pub(super) fn build<'a>(p: &GatewayParams, id: &str, ctx: &BuildCtx) -> Built<'a> {
    let keys = p.keys.max(1) as usize;
    let routed = ctx
        .s
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.from == id)
        .map(|(i, _)| (i as u32, 0))
        .collect();
    let ttl_ns = p.auth_cache_ttl_s.map(crate::sim::secs_to_ns);
    let g = GatewayRt {
        auth: Sampler::new(&p.auth_ms),
        cached_auth: Sampler::new(&p.cached_auth_ms),
        zipf: Zipf::new(p.keys, p.zipf_exponent),
        ttl_ns,
        validated_ns: if ttl_ns.is_some() {
            vec![NEVER; keys]
        } else {
            Vec::new()
        },
        limit: p.limit.as_ref().map(|l| LimiterRt::per_key(l, keys)),
        call_key: Vec::new(),
        authenticated: 0,
        auth_cached: 0,
        throttled: if p.limit.is_some() {
            vec![0; keys]
        } else {
            Vec::new()
        },
        routed,
        unrouted: 0,
    };
    Built {
        beh: Behaviour::Gateway(Box::new(g)),
        instances: 1,
        workers: p.concurrency,
        queue_cap: p.queue_capacity,
        discipline: QueueDiscipline::Fifo,
        class_priority: None,
    }
}

impl GatewayRt {
    /// Takes edited parameters and keeps the per-key state and the counters (a change of the keys or their
    /// popularity rebuilds the run: `Behaviour::built_once`).
    pub(super) fn take_params(&mut self, g: Box<GatewayRt>) {
        let g = *g;
        self.auth = g.auth;
        self.cached_auth = g.cached_auth;
        self.ttl_ns = g.ttl_ns;
        if self.validated_ns.len() != g.validated_ns.len() {
            self.validated_ns = g.validated_ns;
        }
        self.limit = match (self.limit.take(), g.limit) {
            (Some(mut old), Some(fresh)) => {
                old.take_params(fresh);
                Some(old)
            }
            (_, fresh) => fresh,
        };
        if self.throttled.len() < g.throttled.len() {
            self.throttled = g.throttled;
        }
    }

    /// A request arrives: draws its key and notes whether its authentication will be a cached one.
    #[inline]
    fn arrive(&mut self, call: u32, now: u64, rng: &mut SimRng) {
        let key = self.zipf.sample(rng);
        let cached = self.ttl_ns.is_some_and(|ttl| {
            let at = self.validated_ns[key as usize];
            at != NEVER && now < at.saturating_add(ttl)
        });
        let i = call as usize;
        if i >= self.call_key.len() {
            self.call_key.resize(i + 1, 0);
        }
        self.call_key[i] = key | if cached { CACHED } else { 0 };
    }

    /// The call's authentication time, ns.
    #[inline]
    pub(super) fn auth_ns(&self, call: u32, rng: &mut SimRng) -> u64 {
        if self
            .call_key
            .get(call as usize)
            .is_some_and(|&k| k & CACHED != 0)
        {
            self.cached_auth.sample(rng)
        } else {
            self.auth.sample(rng)
        }
    }

    /// The call's key is authenticated at `now`: the validation cache learns it and the key's limit admits
    /// the request (true) or throttles it.
    fn authenticated(&mut self, call: u32, now: u64) -> bool {
        let entry = self.call_key.get(call as usize).copied().unwrap_or(0);
        let key = entry & !CACHED;
        self.authenticated += 1;
        if entry & CACHED != 0 {
            self.auth_cached += 1;
        } else if let Some(at) = self.validated_ns.get_mut(key as usize) {
            *at = now;
        }
        let Some(l) = self.limit.as_mut() else {
            return true;
        };
        let ok = l.admit_at(key, now).is_some();
        if !ok {
            self.throttled[key as usize] += 1;
        }
        ok
    }

    /// Counts a request sent over `edge`.
    fn routed_over(&mut self, edge: u32) {
        if let Some(r) = self.routed.iter_mut().find(|r| r.0 == edge) {
            r.1 += 1;
        }
    }

    /// The measured window starts: the counters restart (the keys' limits and cache entries carry on).
    pub(crate) fn warmup_end(&mut self) {
        self.authenticated = 0;
        self.auth_cached = 0;
        self.throttled.fill(0);
        for r in &mut self.routed {
            r.1 = 0;
        }
        self.unrouted = 0;
    }

    /// The report's gateway section; `backend` names an edge's callee.
    pub(crate) fn report(&self, backend: impl Fn(u32) -> String) -> GatewayReport {
        let mut hot: Vec<(u32, u64)> = (0..self.throttled.len() as u32)
            .map(|k| (k, self.throttled[k as usize]))
            .filter(|&(_, n)| n > 0)
            .collect();
        let keys_throttled = hot.len() as u64;
        // Most throttled first, the lower key among equals: a stable order for the reports.
        hot.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        hot.truncate(TOP_KEYS);
        GatewayReport {
            authenticated: self.authenticated,
            auth_cache_hits: self.ttl_ns.map(|_| self.auth_cached),
            rate_limited: self.throttled.iter().sum(),
            keys_throttled,
            top_throttled: hot
                .into_iter()
                .map(|(key, rate_limited)| KeyThrottled { key, rate_limited })
                .collect(),
            routed: self
                .routed
                .iter()
                .map(|&(e, requests)| Routed {
                    backend: backend(e),
                    requests,
                })
                .collect(),
            unrouted: self.unrouted,
        }
    }
}

/// A request arrives: it draws its key, then takes the worker (the gateway has one instance), waits or is
/// turned away (`admit`).
#[inline]
pub(super) fn arrival_instance(node: &mut NodeRt, call: u32, now: u64) -> u32 {
    if let Behaviour::Gateway(g) = &mut node.beh {
        g.arrive(call, now, &mut node.rng);
    }
    next_turn(&mut node.rr, node.active)
}

/// The key is authenticated: the worker is free; the request is throttled (429) or routed by its class.
pub(super) fn done(w: &mut World, call: u32, c: Call) {
    let now = w.now;
    let Behaviour::Gateway(g) = &mut w.nodes[c.node as usize].beh else {
        return;
    };
    let admitted = g.authenticated(call, now);
    w.release_worker(c.node, c.instance as u32);
    let node = &mut w.nodes[c.node as usize];
    if !admitted {
        node.stats.rejected += 1;
        return w.answer(call, Outcome::RateLimited, false);
    }
    let edge = node.routes[c.class as usize].first().copied();
    let Behaviour::Gateway(g) = &mut node.beh else {
        return;
    };
    match edge {
        Some(edge) => {
            g.routed_over(edge);
            w.call_child(call, edge);
        }
        None => {
            // No route for the class: a 404, counted as the gateway's failure.
            g.unrouted += 1;
            node.stats.failed += 1;
            w.respond(call, Outcome::Failed);
        }
    }
}
