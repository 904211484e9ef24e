//! Databases: a primary and `read_replicas` read replicas, each with a connection pool and a waiting line.
//! Writes (the classes named in `write_classes`) go to the primary, reads to the replicas in turn (to the
//! primary when there are none, or while a `ReplicaLag` fault makes them stale); a query holds a
//! connection for its read or write time and answers. Optimistic writes (a read, the round trip, then a
//! conditional write) are in `occ.rs`, next to this file; sharding (a key per query picks the shard, whose
//! primary and replicas are instances of this node) in `shards.rs`.

use super::occ::Occ;
use super::replication::ReplRt;
use super::shards::ShardRt;
use super::{Behaviour, BuildCtx, Built, next_turn};
use crate::model::DatabaseParams;
use crate::sim::ext::Ext;
use crate::sim::sampler::{Sampler, SimRng};
use crate::sim::world::{Call, Outcome, World};

/// A database's compiled parameters.
#[derive(Clone, Debug)]
pub(crate) struct DatabaseRt {
    pub read: Sampler,
    pub write: Sampler,
    /// Per class index: is it a write? (With optimistic writes, two phase classes follow the scenario's.)
    pub is_write: Vec<bool>,
    pub replicas: u32,
}

/// Compiles a database: instance 0 is the primary, 1 to `read_replicas` the replicas.
pub(super) fn build<'a>(p: &'a DatabaseParams, ctx: &BuildCtx) -> Built<'a> {
    let is_write = (0..ctx.n_classes())
        .map(|ci| {
            ctx.classes
                .get(ci)
                .is_some_and(|c| p.write_classes.contains(c))
        })
        .collect();
    Built {
        beh: Behaviour::Database(DatabaseRt {
            read: Sampler::new(&p.read_time_ms),
            write: Sampler::new(&p.write_time_ms),
            is_write,
            replicas: p.read_replicas,
        }),
        instances: (1 + p.read_replicas) * p.shards.as_ref().map_or(1, |s| s.count.max(1)),
        workers: p.pool_size,
        queue_cap: p.queue_capacity,
        discipline: p.queue_discipline,
        class_priority: Some(&p.class_priority),
    }
}

impl DatabaseRt {
    /// Optimistic writes, if the database has them: their phase classes join the write table.
    pub(super) fn build_ext(&mut self, p: &DatabaseParams, i: usize, ext: &mut Ext) -> bool {
        let mut on = false;
        if let Some(r) = &p.replication {
            // Validation rules out optimistic writes beside it. With shards the shard's keys are the ones
            // checked, and a quorum spans each shard's instances.
            let keys = p.shards.as_ref().map_or(r.keys, |s| s.keys);
            ext.repl[i] = Some(ReplRt::new(r, keys, 1 + p.read_replicas));
            on = true;
        }
        if let Some(sh) = &p.shards {
            ext.shards[i] = Some(ShardRt::new(sh, p.read_replicas));
            return true;
        }
        let Some(o) = &p.optimistic else {
            return on;
        };
        let occ = Occ::new(o, self.is_write.len());
        self.is_write = occ.phase_table(std::mem::take(&mut self.is_write));
        ext.occ[i] = Some(occ);
        true
    }

    /// Takes edited query times, write classes and replica count.
    pub(super) fn take_params(&mut self, g: DatabaseRt) {
        self.read = g.read;
        self.write = g.write;
        self.is_write = g.is_write;
        self.replicas = g.replicas;
    }

    /// A query arrives: writes (and every query while the replicas lag, which `lagging` tells) go to the
    /// primary, reads to the next replica in turn (`rr` is the node's turn counter); `admit` takes it on.
    #[inline(always)]
    pub(super) fn arrival_instance(
        &self,
        class: u8,
        rr: &mut u32,
        lagging: impl FnOnce() -> bool,
    ) -> u32 {
        if self.replicas == 0 || self.is_write[class as usize] || lagging() {
            0
        } else {
            1 + next_turn(rr, self.replicas)
        }
    }

    /// A query's time on its connection, ns: the write time for a write class, else the read time.
    #[inline(always)]
    pub(super) fn work_ns(&self, class: u8, rng: &mut SimRng) -> u64 {
        if self.is_write[class as usize] {
            self.write.sample(rng)
        } else {
            self.read.sample(rng)
        }
    }
}

/// The query is done: the connection is free and the answer goes back (an optimistic transaction's read
/// or conditional write goes its own way, `occ.rs`).
#[cfg_attr(not(target_arch = "wasm32"), inline(always))]
#[cfg_attr(target_arch = "wasm32", inline)]
pub(super) fn done(w: &mut World, call: u32, c: Call) {
    if w.ext_on() {
        if w.occ_done(call) {
            return;
        }
        w.shard_done(&c);
        if !w.repl_done(call, &c) {
            w.nodes[c.node as usize].stats.failed += 1;
            w.release_worker(c.node, c.instance as u32);
            w.respond(call, Outcome::Failed);
            return;
        }
        if w.idem.on
            && w.nodes[c.node as usize]
                .beh
                .database()
                .is_some_and(|d| d.is_write[c.class as usize])
        {
            // A deduplicated repeat answers success too: the key check ran in the write's own
            // transaction, which held the connection for the write time.
            w.side_effect(c.node, c.req);
        }
    }
    w.release_worker(c.node, c.instance as u32);
    w.respond(call, Outcome::Ok);
}
