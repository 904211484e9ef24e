//! Idempotency keys and duplicate side effects.
//!
//! Every client request is one *logical request* with a key that all its attempts (client retries: new
//! request slots; edge retries and hedges: calls of the same slot) and copies (queue messages and their
//! redeliveries) carry. A *side effect* is a committed write at a database that counts them
//! (`side_effects` or `idempotency`), or a message finished by a consumer of an at-least-once queue.
//! A side effect of a key that already had one at the same node is a *duplicate*. A node with an
//! idempotency TTL remembers each key's last commit: a repeat within the TTL answers success without a
//! second side effect (*deduplicated*); after the TTL it commits, and counts, again.
//!
//! State is per live logical request only: no attempt or copy of a key can arrive once every request slot
//! of its logical request is free, so its record goes once they all are (noticed when a slot is reused),
//! and memory stays flat as simulated time grows. Nothing here runs unless some node counts side effects (`Idem::on`).

use std::collections::BTreeMap;

use super::world::World;
use crate::model::{NodeKind, Scenario};

/// A node's side-effect counters (since the warm-up) and its deduplication window.
#[derive(Clone, Debug, Default)]
pub(crate) struct Effects {
    /// Idempotency-key lifetime, ns; none: every side effect commits.
    pub ttl_ns: Option<u64>,
    pub side_effects: u64,
    pub duplicates: u64,
    pub deduplicated: u64,
}

/// A live logical request: its request slots still allocated, and where and when it last had a side
/// effect.
#[derive(Debug, Default)]
struct Logical {
    slots: u32,
    committed: Vec<(u32, u64)>,
}

/// The run's idempotency bookkeeping.
#[derive(Default)]
pub(crate) struct Idem {
    /// Does some node count side effects? Only then are keys given out.
    pub on: bool,
    next_key: u64,
    /// Per request slot: its logical request's key.
    key_of: Vec<u64>,
    live: BTreeMap<u64, Logical>,
    /// Per node: its counters, if it counts side effects.
    pub fx: Vec<Option<Effects>>,
}

impl Idem {
    /// The nodes that count side effects: databases with `side_effects` or `idempotency`, and the
    /// consumers of queues with a visibility timeout.
    pub(crate) fn new(s: &Scenario) -> Self {
        let mut fx: Vec<Option<Effects>> = vec![None; s.nodes.len()];
        for (i, n) in s.nodes.iter().enumerate() {
            match &n.kind {
                NodeKind::Database(d) if d.side_effects || d.idempotency.is_some() => {
                    fx[i] = Some(Effects {
                        ttl_ns: d
                            .idempotency
                            .as_ref()
                            .map(|k| super::sampler::to_ns(k.ttl_s * 1e9).max(1)),
                        ..Default::default()
                    });
                }
                NodeKind::Queue(q) if q.visibility_timeout_ms.is_some() || q.topic.is_some() => {
                    for e in s.edges.iter().filter(|e| e.from == n.id) {
                        if let Some(c) = s.node_index(&e.to) {
                            fx[c].get_or_insert_with(Effects::default);
                        }
                    }
                }
                // Everything else has no side effects to count: a database or queue without the options
                // above, and the kinds that never commit anything.
                NodeKind::Database(_)
                | NodeKind::Queue(_)
                | NodeKind::Client(_)
                | NodeKind::Service(_)
                | NodeKind::LoadBalancer(_)
                | NodeKind::Cache(_)
                | NodeKind::RateLimiter(_)
                | NodeKind::Gateway(_) => {}
            }
        }
        Self {
            on: fx.iter().any(Option::is_some),
            fx,
            ..Default::default()
        }
    }

    /// A request slot was allocated: for a new request (`retry_of` none) a fresh key, for a client retry
    /// the key of the attempt it repeats (whose slot is still held). A reused slot's previous request
    /// is over: it lets go of its logical request here rather than when the slot was freed, which would
    /// cost every scenario a test on the hot path.
    pub(crate) fn begin(&mut self, req: u32, retry_of: Option<u32>) {
        let key = match retry_of {
            Some(old) => self.key_of[old as usize],
            None => {
                self.next_key += 1;
                self.next_key
            }
        };
        let i = req as usize;
        if self.key_of.len() <= i {
            self.key_of.resize(i + 1, 0);
        }
        let before = std::mem::replace(&mut self.key_of[i], key);
        if before != 0 {
            self.end(before);
        }
        self.live.entry(key).or_default().slots += 1;
    }

    /// A request slot of logical request `key` is over: the record goes with its last slot.
    fn end(&mut self, key: u64) {
        if let Some(l) = self.live.get_mut(&key) {
            l.slots -= 1;
            if l.slots == 0 {
                self.live.remove(&key);
            }
        }
    }

    /// Live logical requests (memory check in the tests).
    #[cfg(test)]
    pub(crate) fn live_len(&self) -> usize {
        self.live.len()
    }

    /// Restarts the counters at the end of the warm-up (the keys' history stays).
    pub(crate) fn warmup_end(&mut self) {
        for f in self.fx.iter_mut().flatten() {
            f.side_effects = 0;
            f.duplicates = 0;
            f.deduplicated = 0;
        }
    }
}

impl World {
    /// Request `req`'s logical request has a side effect at `node` now, if that node counts them. Returns
    /// false when the node's idempotency window suppresses it (the caller answers success all the same).
    pub(crate) fn side_effect(&mut self, node: u32, req: u32) -> bool {
        let now = self.now;
        let idem = &mut self.idem;
        let Some(fx) = idem.fx.get_mut(node as usize).and_then(Option::as_mut) else {
            return true;
        };
        let Some(&key) = idem.key_of.get(req as usize) else {
            return true;
        };
        let Some(l) = idem.live.get_mut(&key) else {
            return true;
        };
        match l.committed.iter_mut().find(|(n, _)| *n == node) {
            Some((_, at)) => {
                if fx.ttl_ns.is_some_and(|ttl| now - *at < ttl) {
                    fx.deduplicated += 1;
                    return false;
                }
                *at = now;
                fx.duplicates += 1;
                if let Some(b) = self.bucket.nodes.get_mut(node as usize) {
                    b.duplicates += 1;
                }
            }
            None => l.committed.push((node, now)),
        }
        fx.side_effects += 1;
        true
    }

    /// A node's side-effect counters for the report.
    pub(crate) fn effects(&self, node: usize) -> Option<&Effects> {
        self.idem.fx.get(node).and_then(Option::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::presets::load_preset;
    use crate::sim::Simulation;

    /// Keys live as long as their logical request: ten times the simulated time, the same few hundred
    /// records, not ten times as many.
    #[test]
    fn key_and_message_state_stays_flat_as_simulated_time_grows() {
        let live = |duration_s: f64| {
            let mut s = load_preset("payment_idempotency").unwrap().unwrap();
            s.duration_s = duration_s;
            if let crate::model::NodeKind::Database(d) = &mut s.nodes[3].kind {
                d.idempotency = Some(crate::model::Idempotency::default());
            }
            let mut sim = Simulation::new(&s).unwrap();
            sim.run_to_end();
            let r = sim.report();
            let commits = r.nodes[3].side_effects.unwrap();
            (sim.world.idem.live_len(), commits)
        };
        let (short, c_short) = live(60.0);
        let (long, c_long) = live(600.0);
        assert!(c_long > 9 * c_short, "{c_short} {c_long}");
        assert!(short < 1500 && long < 1500, "live keys {short} then {long}");
    }

    /// Message copies under a visibility timeout are freed once answered and timed out.
    #[test]
    fn redelivery_state_stays_flat_as_simulated_time_grows() {
        let watched = |duration_s: f64| {
            let text = r#"(version: 1, name: "q", duration_s: 10.0, warmup_s: 1.0, seed: 3,
                nodes: [
                    (id: "c", kind: Client(rate_rps: 100.0)),
                    (id: "q", kind: Queue(visibility_timeout_ms: 50.0, max_deliveries: 3)),
                    (id: "w", kind: Service(replicas: 1, workers: 1000, service_time_ms: Exponential(mean: 40.0))),
                ],
                edges: [(from: "c", to: "q"), (from: "q", to: "w")])"#;
            let mut s = crate::model::from_str(text, "q.ron").unwrap();
            s.duration_s = duration_s;
            let mut sim = Simulation::new(&s).unwrap();
            sim.run_to_end();
            let n = sim.world.nodes[1]
                .beh
                .queue()
                .and_then(|q| q.vis.as_ref())
                .map(|v| v.watched());
            (n.unwrap(), sim.report().nodes[1].redelivered.unwrap())
        };
        let (short, r_short) = watched(10.0);
        let (long, r_long) = watched(200.0);
        assert!(r_long > 15 * r_short.max(1), "{r_short} {r_long}");
        assert!(
            short < 200 && long < 200,
            "watched copies {short} then {long}"
        );
    }
}
