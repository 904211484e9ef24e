//! Services: a call takes a worker of the next replica in turn (or waits), works for the service time, may
//! fail with the error probability, then makes its downstream calls one after another and answers when the
//! last one is back. A failed dependency fails the call. A service fed by queues also pulls their messages
//! when a worker comes free (`src/sim/node/queue.rs`).

use super::{Behaviour, BuildCtx, Built, next_turn};
use crate::model::{KindTag, ServiceParams};
use crate::sim::autoscale::Scaler;
use crate::sim::ext::Ext;
use crate::sim::sampler::{Sampler, SimRng, unit};
use crate::sim::world::{Call, NodeRt, Outcome, World};

/// A service's compiled parameters.
#[derive(Clone, Debug)]
pub(crate) struct ServiceRt {
    pub work: Sampler,
    pub error_p: f64,
    /// Queues this service consumes from, with the edge from each.
    pub sources: Vec<(u32, u32)>,
    /// Its calls follow a plan (a parallel pattern, probabilities, repeats, hedges: `fanout.rs`).
    pub planned: bool,
}

/// Compiles a service: its replicas and workers, and the queues it consumes from.
pub(super) fn build<'a>(p: &'a ServiceParams, id: &str, ctx: &BuildCtx) -> Built<'a> {
    let s = ctx.s;
    let sources = s
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.to == id
                && s.node(&e.from)
                    .is_some_and(|f| f.kind.tag() == KindTag::Queue)
        })
        .map(|(i, e)| (ctx.index(&e.from), i as u32))
        .collect();
    Built {
        beh: Behaviour::Service(ServiceRt {
            work: Sampler::new(&p.service_time_ms),
            error_p: p.error_probability,
            sources,
            planned: crate::sim::fanout::needs_plan(s, id, p.calls),
        }),
        instances: p.replicas,
        workers: p.workers,
        queue_cap: p.queue_capacity,
        discipline: p.queue_discipline,
        class_priority: Some(&p.class_priority),
    }
}

/// An autoscaler, if the service has one.
pub(super) fn build_ext(p: &ServiceParams, i: usize, ext: &mut Ext) -> bool {
    let Some(a) = &p.autoscale else {
        return false;
    };
    ext.scalers[i] = Some(Scaler::new(a, p.replicas));
    true
}

impl ServiceRt {
    /// Takes an edited service time and error probability (replicas and workers are the node's).
    pub(super) fn take_params(&mut self, g: ServiceRt) {
        self.work = g.work;
        self.error_p = g.error_p;
        // Calls already started keep the way they began (a sequential step chain or a runner).
        self.planned = g.planned;
    }
}

/// A call arrives: the next replica in turn takes it on a worker, queues it, or turns it away (`admit`).
#[inline(always)]
pub(super) fn arrival_instance(node: &mut NodeRt) -> u32 {
    next_turn(&mut node.rr, node.active)
}

impl ServiceRt {
    /// Does this call fail (with the error probability)? Draws from `rng` only when the probability is
    /// above 0.
    #[inline(always)]
    pub(super) fn fails(&self, rng: &mut SimRng) -> bool {
        self.error_p > 0.0 && unit(rng) < self.error_p
    }
}

/// The service time is over: the call fails (`failed`, drawn by [`ServiceRt::fails`]), or starts its
/// downstream calls (through its plan's runner if it has one: `planned`).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline)]
pub(super) fn done(w: &mut World, call: u32, c: Call, failed: bool, planned: bool) {
    if failed {
        w.nodes[c.node as usize].stats.failed += 1;
        w.release_worker(c.node, c.instance as u32);
        w.respond(call, Outcome::Failed);
    } else if planned {
        w.plan_start(call);
    } else {
        w.calls[call as usize].step = 0;
        next_downstream(w, call);
    }
}

/// A downstream call answered: on to the next one, or (failed) the service call fails too.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline)]
pub(super) fn response(w: &mut World, parent: u32, p: Call, outcome: Outcome) {
    if outcome == Outcome::Ok {
        next_downstream(w, parent);
    } else {
        // A failed dependency fails the request; the worker is free again.
        w.release_worker(p.node, p.instance as u32);
        w.respond(parent, outcome);
    }
}

/// A service makes its next downstream call, or answers when none is left.
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline)]
fn next_downstream(w: &mut World, call: u32) {
    let c = w.calls[call as usize];
    let route = &w.nodes[c.node as usize].routes[c.class as usize];
    match route.get(c.step as usize).copied() {
        Some(edge) => {
            w.calls[call as usize].step += 1;
            w.call_child(call, edge);
        }
        None => {
            w.release_worker_inline(c.node, c.instance as u32);
            w.answer_inline(call, Outcome::Ok, true);
        }
    }
}
