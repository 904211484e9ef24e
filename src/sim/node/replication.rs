//! Replication lag at run time (a database's `replication`): each query draws a key on arrival; a write
//! that commits on the primary (its query done) at time t draws a lag and is applied on the replicas at
//! t + lag; a read a replica answers at time s (its query done) is stale if a write to its key that
//! committed before s is not yet applied at s.
//!
//! Exactness with random lags: per key only the latest applied-at time of all its committed writes is kept
//! (`visible`). Every write recorded so far committed at or before now, so "some committed write is not yet
//! applied at s = now" is exactly "the largest applied-at time of the key's writes is after now": a write
//! overtaken by a faster later one still makes the read stale until it lands itself (a replica applying
//! writes out of order, or one applying them in order and so holding the later one back: the read misses a
//! committed write either way). Read-your-writes keeps the latest commit time per key (`committed`).
//! All of it lives in `ext`, behind `ext_on`.

use crate::model::Replication;
use crate::sim::sampler::{Sampler, SimRng, to_ns};
use crate::sim::world::{Call, World};

use super::pick;

/// No write to the key has committed yet.
const NEVER: u64 = u64::MAX;

/// One database's replication state and read counters.
#[derive(Clone, Debug)]
pub(crate) struct ReplRt {
    lag: Sampler,
    keys: u32,
    /// Read-your-writes window, ns.
    ryw_ns: Option<u64>,
    /// Per key: commit time of its latest write (`NEVER` before the first).
    committed: Vec<u64>,
    /// Per key: the latest time any of its committed writes is applied on the replicas (0 before any).
    visible: Vec<u64>,
    /// Per call slot: the key its query drew.
    key_of: Vec<u32>,
    /// Since the warm-up: reads answered, those answered by the primary, and stale ones (on a replica).
    pub reads: u64,
    pub primary_reads: u64,
    pub stale: u64,
}

impl ReplRt {
    pub fn new(r: &Replication) -> Self {
        let keys = r.keys.max(1);
        Self {
            lag: Sampler::new(&r.lag_ms),
            keys,
            ryw_ns: r.read_your_writes_ms.map(|ms| to_ns(ms * 1e6)),
            committed: vec![NEVER; keys as usize],
            visible: vec![0; keys as usize],
            key_of: Vec::new(),
            reads: 0,
            primary_reads: 0,
            stale: 0,
        }
    }

    /// A query `call` arrives at `now`: draws its key; true if it is a read that read-your-writes sends to
    /// the primary (its key was written less than the window ago).
    pub fn arrive(&mut self, call: u32, write: bool, now: u64, rng: &mut SimRng) -> bool {
        let key = if self.keys == 1 {
            0
        } else {
            pick(rng, self.keys)
        };
        let slot = call as usize;
        if self.key_of.len() <= slot {
            self.key_of.resize(slot + 1, 0);
        }
        self.key_of[slot] = key;
        if write {
            return false;
        }
        let last = self.committed[key as usize];
        self.ryw_ns
            .is_some_and(|w| last != NEVER && now.saturating_sub(last) < w)
    }

    pub fn warmup_end(&mut self) {
        self.reads = 0;
        self.primary_reads = 0;
        self.stale = 0;
    }
}

impl World {
    /// A replicated database's query is done on its instance (0 the primary): a write commits and is
    /// scheduled onto the replicas, a read is counted (stale if its replica misses a committed write).
    #[inline(never)]
    pub(crate) fn repl_done(&mut self, call: u32, c: &Call) {
        let now = self.now;
        let n = c.node as usize;
        let Some(r) = self.ext.repl[n].as_mut() else {
            return;
        };
        let node = &mut self.nodes[n];
        let write = node
            .beh
            .database()
            .is_some_and(|d| d.is_write[c.class as usize]);
        let key = r.key_of.get(call as usize).copied().unwrap_or(0) as usize;
        if write {
            let at = now.saturating_add(r.lag.sample(&mut node.rng));
            r.committed[key] = now;
            r.visible[key] = r.visible[key].max(at);
        } else {
            r.reads += 1;
            if c.instance == 0 {
                r.primary_reads += 1;
            } else if r.visible[key] > now {
                r.stale += 1;
            }
        }
    }

    pub(crate) fn repl_warmup_end(&mut self) {
        for r in self.ext.repl.iter_mut().flatten() {
            r.warmup_end();
        }
    }

    /// `(reads, primary_reads, stale_reads)` of a replicated database.
    pub(crate) fn repl_counts(&self, n: usize) -> Option<(u64, u64, u64)> {
        self.ext
            .repl
            .get(n)
            .and_then(Option::as_ref)
            .map(|r| (r.reads, r.primary_reads, r.stale))
    }
}
