//! Load-balancer health checks: periodic probes that take crashed or unreachable backends out of rotation.

use super::event::Kind;
use super::event::Tick;
use super::ext::Ext;
use super::world::World;
use crate::model::HealthCheck;

/// One balancer's health-check state.
#[derive(Clone, Debug)]
pub(crate) struct Health {
    pub interval_ns: u64,
    failure_threshold: u32,
    recovery_threshold: u32,
    /// The balancer's outgoing edges, with their failed and good probes in a row.
    backends: Vec<(u32, u32, u32)>,
}

impl Health {
    pub fn new(h: &HealthCheck, out_edges: Vec<u32>) -> Self {
        Self {
            interval_ns: super::secs_to_ns(h.interval_s).max(1),
            failure_threshold: h.failure_threshold,
            recovery_threshold: h.recovery_threshold,
            backends: out_edges.into_iter().map(|e| (e, 0, 0)).collect(),
        }
    }
}

impl World {
    /// Probes every backend of balancer `lb`: a probe fails when the backend is crashed or the edge is cut.
    pub(crate) fn health_tick(&mut self, lb: u32) {
        let Some(mut h) = self.ext.health[lb as usize].take() else {
            return;
        };
        for (edge, fails, oks) in &mut h.backends {
            let e = *edge as usize;
            let to = self.edges[e].to as usize;
            let ok = self.ext.node[to].down == 0 && self.ext.edge[e].cut == 0;
            if ok {
                *oks += 1;
                *fails = 0;
                if self.ext.unhealthy[e] && *oks >= h.recovery_threshold {
                    self.ext.unhealthy[e] = false;
                    log_change(&mut self.ext.health_log, *edge, self.now, true);
                }
            } else {
                *fails += 1;
                *oks = 0;
                if !self.ext.unhealthy[e] && *fails >= h.failure_threshold {
                    self.ext.unhealthy[e] = true;
                    log_change(&mut self.ext.health_log, *edge, self.now, false);
                }
            }
        }
        let next = self.now + h.interval_ns;
        self.ext.health[lb as usize] = Some(h);
        self.queue.push(next, Kind::Tick, lb, Tick::Health as u8);
    }
}

/// Most health changes a run keeps for its report (a flapping backend must not grow memory with time).
const MAX_HEALTH_LOG: usize = 1000;

/// Notes that the backend at the end of `edge` was marked up or down at `at_ns`.
fn log_change(log: &mut Vec<(u32, u64, bool)>, edge: u32, at_ns: u64, up: bool) {
    if log.len() < MAX_HEALTH_LOG {
        log.push((edge, at_ns, up));
    }
}

/// The route slot to use instead of `slot` when its backend is marked down: the healthy backends take turns
/// (so they share the lost backend's traffic evenly, whatever the policy). When every backend is down the
/// balancer fails open and keeps `slot`.
#[inline]
pub(crate) fn healthy_slot(ext: &mut Ext, route: &[u32], slot: u32) -> u32 {
    if !ext.unhealthy[route[slot as usize] as usize] {
        return slot;
    }
    let healthy = route
        .iter()
        .filter(|&&e| !ext.unhealthy[e as usize])
        .count() as u32;
    if healthy == 0 {
        return slot;
    }
    let k = ext.remap_turn % healthy;
    ext.remap_turn = ext.remap_turn.wrapping_add(1);
    route
        .iter()
        .enumerate()
        .filter(|&(_, &e)| !ext.unhealthy[e as usize])
        .nth(k as usize)
        .map_or(slot, |(i, _)| i as u32)
}

/// Is `edge` marked down by its balancer's health checks? (For the snapshot.)
pub(crate) fn edge_down(ext: &Ext, edge: usize) -> bool {
    ext.unhealthy.get(edge).copied().unwrap_or(false)
}
