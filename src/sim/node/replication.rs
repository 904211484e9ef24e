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
//!
//! With a `quorum` the instances are equal replicas: each query's coordinator (the next instance in turn)
//! draws every reachable replica's time when the query takes its connection, keeps the R (W) fastest as the
//! query's replica set and holds the connection for the slowest of them, the R-th (W-th) order statistic.
//! Per key the latest write's replica set (`sync`, which has it at commit) and side (`side`, whose other
//! replicas have it from `visible` on) are kept; a read is stale if none of its replicas has the key's
//! latest write (replies merge by newest version).
//! All of it lives in `ext`, behind `ext_on()`.

use crate::model::{OnPartition, Quorum, Replication};
use crate::sim::sampler::{Sampler, SimRng, to_ns};
use crate::sim::world::{Call, World};

use super::{next_turn, pick};

/// No write to the key has committed yet.
const NEVER: u64 = u64::MAX;

/// One database's replication state and read counters.
#[derive(Clone, Debug)]
pub(crate) struct ReplRt {
    lag: Sampler,
    keys: u32,
    /// Instances per shard (1 + read replicas): instance i is a primary when i is a multiple of it.
    per: u32,
    /// Read-your-writes window, ns.
    ryw_ns: Option<u64>,
    /// Per key: commit time of its latest write (`NEVER` before the first).
    committed: Vec<u64>,
    /// Per key: the latest time any of its committed writes is applied on the replicas (0 before any).
    visible: Vec<u64>,
    /// Per call slot: the key its query drew.
    key_of: Vec<u32>,
    /// Quorum reads and writes, if the database has them.
    quorum: Option<QuorumRt>,
    /// Since the warm-up: reads answered, those answered by the primary, and stale ones (on a replica).
    pub reads: u64,
    pub primary_reads: u64,
    pub stale: u64,
}

impl ReplRt {
    /// `keys`: the replication's, or a sharded database's; `per`: instances per shard (1 + read replicas).
    pub fn new(r: &Replication, keys: u32, per: u32) -> Self {
        let keys = keys.max(1);
        Self {
            lag: Sampler::new(&r.lag_ms),
            keys,
            per: per.max(1),
            ryw_ns: r.read_your_writes_ms.map(|ms| to_ns(ms * 1e6)),
            committed: vec![NEVER; keys as usize],
            visible: vec![0; keys as usize],
            key_of: Vec::new(),
            quorum: r.quorum.as_ref().map(|q| QuorumRt::new(q, keys)),
            reads: 0,
            primary_reads: 0,
            stale: 0,
        }
    }

    /// A query `call` arrives at `now`: draws its key and picks its instance when replication decides it: a
    /// quorum's coordinator, or the primary for a read that read-your-writes sends there (its key was
    /// written less than the window ago). `None`: the database's usual choice.
    pub fn arrive(&mut self, call: u32, write: bool, now: u64, rng: &mut SimRng) -> Option<u32> {
        let key = if self.keys == 1 {
            0
        } else {
            pick(rng, self.keys)
        };
        self.arrive_key(call, key, write, now)
    }

    /// [`Self::arrive`] with the key drawn elsewhere (a sharded database's key model).
    pub fn arrive_key(&mut self, call: u32, key: u32, write: bool, now: u64) -> Option<u32> {
        let slot = call as usize;
        if self.key_of.len() <= slot {
            self.key_of.resize(slot + 1, 0);
        }
        self.key_of[slot] = key;
        if let Some(q) = self.quorum.as_mut() {
            return Some(next_turn(&mut q.turn, q.n));
        }
        if write {
            return None;
        }
        let last = self.committed[key as usize];
        self.ryw_ns
            .is_some_and(|w| last != NEVER && now.saturating_sub(last) < w)
            .then_some(0)
    }

    /// Does the database run quorums (then `arrive` gives a replica within the key's shard)?
    pub fn is_quorum(&self) -> bool {
        self.quorum.is_some()
    }

    /// A split fault on the database starts (nothing without a quorum: validation requires one).
    pub fn split(&mut self, cut: u32, now: u64, until_ns: u64) {
        if let Some(q) = self.quorum.as_mut() {
            q.split(cut, now, until_ns);
        }
    }

    /// A split fault ends at `now` (early, when the app clears the faults).
    pub fn heal(&mut self, now: u64) {
        if let Some(q) = self.quorum.as_mut() {
            q.cut_until_ns = q.cut_until_ns.min(now);
        }
    }

    pub fn warmup_end(&mut self) {
        self.reads = 0;
        self.primary_reads = 0;
        self.stale = 0;
        if let Some(q) = self.quorum.as_mut() {
            q.errors = 0;
        }
    }
}

/// A quorum's parameters and per-key, per-call replica sets.
#[derive(Clone, Debug)]
struct QuorumRt {
    n: u32,
    r: u32,
    w: u32,
    serve_reachable: bool,
    /// The minority side of the cut (instances n - cut to n - 1), and every replica.
    side_b: u64,
    all: u64,
    /// The cut holds from `cut_from_ns` until `cut_until_ns`.
    cut_from_ns: u64,
    cut_until_ns: u64,
    /// Per key: the replicas that acked its latest write, the side it was written on, and when the other
    /// side has it (the cut's end plus a lag, for a write made during the cut).
    sync: Vec<u64>,
    side: Vec<u64>,
    other: Vec<u64>,
    /// Per call slot: the replicas its query waited for (0: refused, no quorum reachable).
    set_of: Vec<u64>,
    turn: u32,
    /// Draws of one query's replicas: (time, replica).
    scratch: Vec<(u64, u32)>,
    /// Queries refused for want of a quorum, since the warm-up.
    errors: u64,
}

impl QuorumRt {
    fn new(q: &Quorum, keys: u32) -> Self {
        let n = q.n.clamp(1, 64);
        let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        Self {
            side_b: 0,
            cut_from_ns: u64::MAX,
            cut_until_ns: 0,
            other: vec![0; keys as usize],
            n,
            r: q.r.clamp(1, n),
            w: q.w.clamp(1, n),
            serve_reachable: q.on_partition == OnPartition::ServeReachable,
            all,
            sync: vec![0; keys as usize],
            side: vec![0; keys as usize],
            set_of: Vec::new(),
            turn: 0,
            scratch: Vec::with_capacity(n as usize),
            errors: 0,
        }
    }

    /// A split fault starts: the last `cut` replicas lose the others from `now` until `until_ns`, the
    /// fault's scheduled end (a write made during it reaches the other side a lag after that).
    fn split(&mut self, cut: u32, now: u64, until_ns: u64) {
        let cut = cut.clamp(1, self.n.max(2) - 1);
        self.side_b = self.all & !(self.all >> cut);
        self.cut_from_ns = now;
        self.cut_until_ns = until_ns;
    }

    /// The replicas coordinator `inst` reaches at `now`: its side while the cut holds, else all.
    fn reachable(&self, inst: u16, now: u64) -> u64 {
        if !(self.cut_from_ns..self.cut_until_ns).contains(&now) {
            self.all
        } else if self.side_b >> inst & 1 == 1 {
            self.side_b
        } else {
            self.all & !self.side_b
        }
    }
}

impl World {
    /// A quorum query takes its coordinator's connection: draws each reachable replica's time and returns
    /// how long the query holds the connection (`t`, unchanged, without a quorum; 0 for a refused query).
    #[inline(never)]
    pub(crate) fn repl_work(&mut self, call: u32, c: &Call, t: u64) -> u64 {
        let n = c.node as usize;
        let Some(r) = self.ext.repl[n].as_mut() else {
            return t;
        };
        // The replica within its shard (the database's instance without shards).
        let rel = (c.instance as u32 % r.per) as u16;
        let Some(q) = r.quorum.as_mut() else {
            return t;
        };
        let node = &mut self.nodes[n];
        let Some(db) = node.beh.database() else {
            return t;
        };
        let write = db.is_write[c.class as usize];
        let reach = q.reachable(rel, self.now);
        let need = if write { q.w } else { q.r };
        let slot = call as usize;
        if q.set_of.len() <= slot {
            q.set_of.resize(slot + 1, 0);
        }
        let avail = reach.count_ones();
        if avail < need && !q.serve_reachable {
            q.set_of[slot] = 0;
            return 0;
        }
        let k = need.min(avail) as usize;
        let sampler = if write { &db.write } else { &db.read };
        q.scratch.clear();
        for i in 0..q.n {
            if reach >> i & 1 == 1 {
                q.scratch.push((sampler.sample(&mut node.rng), i));
            }
        }
        q.scratch.sort_unstable();
        let chosen = &q.scratch[..k];
        q.set_of[slot] = chosen.iter().fold(0, |m, &(_, i)| m | 1 << i);
        chosen.last().map_or(0, |&(t, _)| t)
    }

    /// A replicated database's query is done on its instance (0 the primary): a write commits and is
    /// scheduled onto the replicas, a read is counted (stale if its replica misses a committed write).
    /// False if the query fails: a quorum query refused for want of a quorum.
    #[inline(never)]
    pub(crate) fn repl_done(&mut self, call: u32, c: &Call) -> bool {
        let now = self.now;
        let n = c.node as usize;
        let Some(r) = self.ext.repl[n].as_mut() else {
            return true;
        };
        let node = &mut self.nodes[n];
        let write = node
            .beh
            .database()
            .is_some_and(|d| d.is_write[c.class as usize]);
        let key = r.key_of.get(call as usize).copied().unwrap_or(0) as usize;
        if let Some(q) = r.quorum.as_mut() {
            let set = q.set_of.get(call as usize).copied().unwrap_or(0);
            if set == 0 {
                q.errors += 1;
                return false;
            }
            if write {
                let lag = r.lag.sample(&mut node.rng);
                r.committed[key] = now;
                r.visible[key] = now.saturating_add(lag);
                q.sync[key] = set;
                q.side[key] = q.reachable((c.instance as u32 % r.per) as u16, now);
                // Made during the cut: the other side has it once the cut heals, a lag later.
                q.other[key] = if q.side[key] == q.all {
                    r.visible[key]
                } else {
                    q.cut_until_ns.saturating_add(lag)
                };
            } else {
                r.reads += 1;
                let has_latest = set & q.sync[key] != 0
                    || (now >= r.visible[key] && set & q.side[key] != 0)
                    || (now >= q.other[key] && set & !q.side[key] != 0);
                if r.committed[key] != NEVER && !has_latest {
                    r.stale += 1;
                    self.bucket.nodes[n].stale_reads += 1;
                }
            }
            return true;
        }
        if write {
            let at = now.saturating_add(r.lag.sample(&mut node.rng));
            r.committed[key] = now;
            r.visible[key] = r.visible[key].max(at);
        } else {
            r.reads += 1;
            if (c.instance as u32).is_multiple_of(r.per) {
                r.primary_reads += 1;
            } else if r.visible[key] > now {
                r.stale += 1;
                self.bucket.nodes[n].stale_reads += 1;
            }
        }
        true
    }

    pub(crate) fn repl_warmup_end(&mut self) {
        for r in self.ext.repl.iter_mut().flatten() {
            r.warmup_end();
        }
    }

    /// Queries a quorum database refused for want of a quorum.
    pub(crate) fn quorum_errors(&self, n: usize) -> Option<u64> {
        self.ext
            .repl
            .get(n)
            .and_then(Option::as_ref)
            .and_then(|r| r.quorum.as_ref())
            .map(|q| q.errors)
    }

    /// `(reads, primary_reads, stale_reads)` of a replicated database; no primary reads with a quorum
    /// (it has no primary).
    pub(crate) fn repl_counts(&self, n: usize) -> Option<(u64, Option<u64>, u64)> {
        self.ext.repl.get(n).and_then(Option::as_ref).map(|r| {
            (
                r.reads,
                r.quorum.is_none().then_some(r.primary_reads),
                r.stale,
            )
        })
    }
}
