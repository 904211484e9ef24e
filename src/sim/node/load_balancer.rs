//! Load balancers: a call goes on to one backend, picked by the policy (round robin, random, least
//! connections, power of two choices, consistent hashing on a key the request carries) among the edges that carry its class, skipping backends its health
//! checks marked down (`src/sim/health.rs`); the backend's answer goes back unchanged. No workers, no queue.

use super::{Behaviour, BuildCtx, Built, next_turn, pick};
use std::collections::BTreeMap;

use crate::model::{HashRing, LbPolicy, LoadBalancerParams, Scenario};
use crate::sim::ext::Ext;
use crate::sim::health::{Health, healthy_slot};
use crate::sim::world::{Call, Outcome, World};
use crate::sim::zipf::Zipf;

/// A balancer's compiled parameters and its bookkeeping.
#[derive(Clone, Debug)]
pub(crate) struct LbRt {
    pub policy: LbPolicy,
    /// Requests in flight per edge index (only edges out of this balancer are used).
    pub outstanding: Vec<u32>,
    pub rr: u32,
}

/// Compiles a balancer (its in-flight counts are indexed by edge).
pub(super) fn build<'a>(p: &LoadBalancerParams, ctx: &BuildCtx) -> Built<'a> {
    Built::without_workers(Behaviour::Lb(LbRt {
        policy: p.policy,
        outstanding: vec![0; ctx.s.edges.len()],
        rr: 0,
    }))
}

/// A consistent-hash balancer's key popularity and its rings, one per backend count (a class's route may
/// have fewer backends than another's).
#[derive(Clone, Debug)]
pub(crate) struct LbKeys {
    zipf: Zipf,
    rings: BTreeMap<u32, HashRing>,
}

/// Points per backend on a balancer's ring.
pub const LB_VNODES: u32 = 100;

impl LbKeys {
    /// The route slot owning `key` among `len` backends.
    fn slot(&mut self, key: u32, len: u32) -> u32 {
        self.rings
            .entry(len)
            .or_insert_with(|| HashRing::new(len, LB_VNODES))
            .shard_of(key)
    }
}

/// Health checks over the balancer's outgoing edges, and the key space of a consistent-hash balancer.
pub(super) fn build_ext(p: &LoadBalancerParams, i: usize, s: &Scenario, ext: &mut Ext) -> bool {
    let keyed = p.policy == LbPolicy::ConsistentHash;
    if keyed {
        let (keys, zipf) = p.key_space.unwrap_or((10_000, 1.0));
        ext.lb_keys[i] = Some(LbKeys {
            zipf: Zipf::new(keys, zipf),
            rings: BTreeMap::new(),
        });
    }
    let Some(h) = &p.health_check else {
        return keyed;
    };
    let id = &s.nodes[i].id;
    let outs = s
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.from == *id)
        .map(|(j, _)| j as u32)
        .collect();
    ext.health[i] = Some(Health::new(h, outs));
    true
}

impl LbRt {
    /// Takes an edited policy; the in-flight counts carry over.
    pub(super) fn take_params(&mut self, g: LbRt) {
        self.policy = g.policy;
    }
}

/// A call arrives: the policy picks a backend and the call goes on to it (or fails with none).
#[inline]
pub(super) fn arrive(w: &mut World, call: u32) {
    let c = w.calls[call as usize];
    let n = c.node as usize;
    let from = match w.nodes[n].beh.lb() {
        Some(lb) if lb.policy == LbPolicy::NearestHealthy => w.origin_zone(call, c.node),
        _ => crate::sim::topology::NO_ZONE,
    };
    let node = &mut w.nodes[n];
    let route = &node.routes[c.class as usize];
    let Behaviour::Lb(LbRt {
        policy,
        outstanding,
        rr,
    }) = &mut node.beh
    else {
        return;
    };
    if route.is_empty() {
        node.stats.failed += 1;
        w.respond(call, Outcome::Failed);
        return;
    }
    let len = route.len() as u32;
    let mut carried = None;
    let slot = match policy {
        LbPolicy::ConsistentHash => match w.ext.lb_keys[n].as_mut() {
            Some(k) => {
                let key = k.zipf.sample(&mut node.rng);
                carried = Some(key);
                k.slot(key, len)
            }
            None => next_turn(rr, len),
        },
        LbPolicy::RoundRobin => next_turn(rr, len),
        LbPolicy::Failover => route
            .iter()
            .position(|&e| !w.ext.unhealthy.get(e as usize).copied().unwrap_or(false))
            .unwrap_or(0) as u32,
        LbPolicy::NearestHealthy => {
            crate::sim::topology::nearest_slot(&w.ext, &w.edges, route, from, rr)
        }
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
                if outstanding[route[b as usize] as usize] < outstanding[route[a as usize] as usize]
                {
                    b
                } else {
                    a
                }
            }
        }
    };
    let slot = if !w.features.is_empty() {
        healthy_slot(&mut w.ext, route, slot)
    } else {
        slot
    };
    let edge = route[slot as usize];
    outstanding[edge as usize] += 1;
    w.calls[call as usize].step = slot as u16;
    if let Some(key) = carried {
        w.ext.carried_keys.insert(call, key);
    }
    w.call_child(call, edge);
}

/// The backend answered: one call fewer in flight to it, and the answer goes back.
#[inline]
pub(super) fn response(w: &mut World, parent: u32, p: Call, outcome: Outcome) {
    let node = &mut w.nodes[p.node as usize];
    let edge = node.routes[p.class as usize][p.step as usize];
    let keyed = match node.beh.lb_mut() {
        Some(lb) => {
            lb.outstanding[edge as usize] -= 1;
            lb.policy == LbPolicy::ConsistentHash
        }
        None => false,
    };
    if keyed {
        w.ext.carried_keys.remove(&parent);
    }
    w.respond(parent, outcome);
}
