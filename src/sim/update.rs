//! Changing parameters mid-run: the app's inspector edits a running simulation without restarting it.

use super::node::Behaviour;
use super::world::World;
use crate::model::{NodeKind, Scenario};

/// Can `b` be applied to a world built from `a` without rebuilding? Only parameters may differ: the same
/// nodes (ids and kinds, in order), the same edges (ends and class filters; their call options may change),
/// the same request classes,
/// duration, warm-up and seed, and the same fault timeline, health checks, key models and autoscalers.
pub(crate) fn same_structure(a: &Scenario, b: &Scenario) -> bool {
    let classes = |s: &Scenario| -> Vec<Vec<String>> {
        s.nodes
            .iter()
            // Only clients name classes.
            .map(|n| {
                if let NodeKind::Client(c) = &n.kind {
                    c.classes.iter().map(|c| c.name.clone()).collect()
                } else {
                    Vec::new()
                }
            })
            .collect()
    };
    let extras = |s: &Scenario| -> Vec<String> {
        s.nodes
            .iter()
            .map(|n| Behaviour::built_once(&n.kind))
            .collect()
    };
    a.duration_s == b.duration_s
        && a.warmup_s == b.warmup_s
        && a.seed == b.seed
        && a.nodes.len() == b.nodes.len()
        && a.nodes
            .iter()
            .zip(&b.nodes)
            .all(|(x, y)| x.id == y.id && x.kind.tag() == y.kind.tag() && x.zone == y.zone)
        && a.edges.len() == b.edges.len()
        && a.edges.iter().zip(&b.edges).all(|(x, y)| {
            // Call options (probability, repeats, hedge) are parameters: `Fans::take_params`.
            x.from == y.from && x.to == y.to && x.classes == y.classes
        })
        && classes(a) == classes(b)
        && a.faults == b.faults
        // Latencies between zones apply live; which zones and regions exist does not (outages name them).
        && a.topology.as_ref().map(|t| t.places()) == b.topology.as_ref().map(|t| t.places())
        && extras(a) == extras(b)
}

impl World {
    /// Takes every parameter from `fresh` (a world just built from the edited scenario) and keeps all live
    /// state: requests in flight, queues, statistics, random streams.
    pub(crate) fn take_params(&mut self, fresh: World) {
        let mut stubbed = false;
        for (e, f) in self.edges.iter_mut().zip(fresh.edges) {
            e.latency = f.latency;
            e.extra_ns = f.extra_ns;
            e.zero_latency = f.zero_latency;
            // A guard switched off stays, idle: attempt stubs still in flight need it to wind down.
            e.guard = match (e.guard.take(), f.guard) {
                (Some(mut old), new) => {
                    old.take_params(new.map_or_else(super::edge_guard::GuardRt::off, |b| *b));
                    Some(old)
                }
                (None, new) => new,
            };
            if e.guard.as_ref().is_some_and(|g| g.stubbed) {
                stubbed = true;
            }
        }
        for (i, (n, f)) in self.nodes.iter_mut().zip(fresh.nodes).enumerate() {
            n.touch(self.now);
            n.workers = f.workers;
            n.queue_cap = f.queue_cap;
            n.fifo = f.fifo;
            n.order = f.order;
            n.prio = f.prio;
            n.drop_oldest = f.drop_oldest;
            n.active = f.instances.len() as u32;
            while n.instances.len() < f.instances.len() {
                n.instances.push(Default::default());
            }
            // `same_structure` has checked that every node keeps its kind: a node whose fresh copy is of
            // another kind keeps its old parameters.
            debug_assert_eq!(n.tag, f.tag, "node {i} changed kind");
            n.beh.take_params(f.beh);
        }
        // Retry bookkeeping starts when a first client starts retrying, and stays on (its tables are only
        // read for requests noted while on; a slot noted earlier is overwritten when reused).
        if fresh.retries.on && !self.retries.on {
            self.retries.start(self.reqs.len());
        }
        // Call plans and hedges: new calls follow the new ones, calls in flight finish as they began.
        self.fans.take_params(fresh.fans);
        // Attempt stubs and runners answer through the optional machinery; once on, it stays on for those
        // in flight. (Its tables are built for every node and edge whether or not it is on.)
        self.features = self
            .features
            .union(fresh.features)
            .with_if(super::features::Feature::EdgeGuards, stubbed);
        self.retries.batch |= fresh.retries.batch;
        self.traffic.take_params(fresh.traffic);
        // New capacity takes waiting work at once; a client whose rate was 0 starts sending.
        for n in 0..self.nodes.len() {
            self.refresh_gap(n);
        }
        for n in 0..self.nodes.len() as u32 {
            self.fill_free_workers(n);
            let idle = self.nodes[n as usize]
                .beh
                .client()
                .is_some_and(|c| !c.scheduled);
            if idle {
                self.schedule_client(n);
            }
        }
    }
}
