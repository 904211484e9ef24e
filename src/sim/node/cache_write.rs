//! A cache's write path (`writes` in the scenario): cache-aside, write-through, write-around and
//! write-behind, and the versions that make stale reads and lost writes countable.
//!
//! With a key model every key has two versions here: the latest write acknowledged to a client (`latest`)
//! and the latest the store has committed (`stored`); each cached entry holds the version it was filled
//! with. A read is stale when the version it is answered with is older than `latest` of its key at that
//! moment. A read miss takes the store's version as it was when the fetch left (the store reads it on
//! arrival, a hop later: the count errs by the races inside one hop), so a write that commits while a miss
//! is in flight leaves the old value cached under cache-aside: the race this module exists to show.
//!
//! Write-behind keeps every acknowledged, unflushed write as a carrier call at the cache (holding its
//! request like a queue's stored message) and sends them every `flush_interval_ms` in queries of up to
//! `batch_size`; a flush query that fails is sent again with the next flush. A crash of the cache destroys
//! the carriers not yet sent (`lost_writes`); a `Flush` fault empties the cached copies only.

use std::collections::BTreeMap;

use crate::model::{CacheParams, NodeKind, OnWrite, Scenario, WritePolicy};
use crate::sim::event::{Kind, Tick};
use crate::sim::ext::Ext;
use crate::sim::world::{NONE, Outcome, World};

/// One acknowledged write waiting for (or in) a write-behind flush.
#[derive(Clone, Copy, Debug)]
struct Dirty {
    /// The call that stands for it at the cache (it keeps the write's request alive).
    carrier: u32,
    key: u32,
    version: u32,
}

/// Counts for the report.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WriteCounts {
    /// Reads answered (hits and fills), with a key model.
    pub reads: u64,
    /// Of those, answered with a version older than the latest acknowledged write of the key.
    pub stale_reads: u64,
    /// Acknowledged writes.
    pub writes: u64,
    /// Write-behind: acknowledged writes a crash destroyed before they reached the store.
    pub lost_writes: u64,
    /// Is the policy write-behind (the only one that can lose acknowledged writes)?
    pub write_behind: bool,
}

/// A cache's write path at run time.
#[derive(Clone, Debug)]
pub(crate) struct CacheWriteRt {
    policy: WritePolicy,
    on_write: OnWrite,
    /// Per class index: is it a write?
    is_write: Vec<bool>,
    flush_interval_ns: u64,
    batch_size: usize,
    /// Per key: the latest acknowledged write's version, and the latest committed at the store (empty
    /// without a key model).
    latest: Vec<u32>,
    stored: Vec<u32>,
    /// Writes sent to the store, by the cache's call: their key.
    writing: BTreeMap<u32, u32>,
    /// Read misses sent to the store, by the cache's call: the store's version of the key when it left.
    fetching: BTreeMap<u32, u32>,
    /// Write-behind: acknowledged writes not yet flushed, oldest first.
    dirty: Vec<Dirty>,
    /// Write-behind: flush queries in flight, by their first carrier: the writes they carry.
    flushing: BTreeMap<u32, Vec<Dirty>>,
    pub counts: WriteCounts,
}

/// Compiles a cache's write path, if it has one, and schedules its first flush.
pub(super) fn build_ext(p: &CacheParams, i: usize, s: &Scenario, ext: &mut Ext) -> bool {
    let Some(w) = &p.writes else {
        return false;
    };
    // Class indices as the world numbers them: in the order the clients first name them.
    let mut classes: Vec<&str> = Vec::new();
    for n in &s.nodes {
        if let NodeKind::Client(c) = &n.kind {
            for cw in &c.classes {
                if !classes.contains(&cw.name.as_str()) {
                    classes.push(&cw.name);
                }
            }
        }
    }
    let keys = p.keys.as_ref().map_or(0, |k| k.key_count as usize);
    let (flush_interval_ns, batch_size) = match &w.policy {
        WritePolicy::WriteBehind(wb) => (
            crate::sim::secs_to_ns(wb.flush_interval_ms / 1e3).max(1),
            wb.batch_size.max(1) as usize,
        ),
        WritePolicy::CacheAside | WritePolicy::WriteThrough | WritePolicy::WriteAround => (0, 1),
    };
    ext.cache_writes[i] = Some(Box::new(CacheWriteRt {
        policy: w.policy.clone(),
        on_write: w.on_write,
        is_write: classes
            .iter()
            .map(|c| w.classes.iter().any(|wc| wc == c))
            .collect(),
        flush_interval_ns,
        batch_size,
        latest: vec![0; keys],
        stored: vec![0; keys],
        writing: BTreeMap::new(),
        fetching: BTreeMap::new(),
        dirty: Vec::new(),
        flushing: BTreeMap::new(),
        counts: WriteCounts {
            write_behind: flush_interval_ns > 0,
            ..WriteCounts::default()
        },
    }));
    true
}

impl CacheWriteRt {
    /// Is `class` a write here?
    pub(crate) fn is_write(&self, class: u8) -> bool {
        self.is_write.get(class as usize).copied().unwrap_or(false)
    }

    /// Write-behind's flush period (0 for the other policies): the first flush is due then.
    pub(crate) fn flush_interval_ns(&self) -> u64 {
        self.flush_interval_ns
    }

    /// A read is answered with `version` of `key`: counted, and stale (true) if a newer write was
    /// acknowledged.
    fn read_answered(&mut self, key: u32, version: u32) -> bool {
        self.counts.reads += 1;
        let stale = self.latest.get(key as usize).is_some_and(|&l| version < l);
        if stale {
            self.counts.stale_reads += 1;
        }
        stale
    }
}

impl World {
    /// Node `n`'s write path, if it is a cache with one.
    fn cache_writes(&mut self, n: usize) -> Option<&mut CacheWriteRt> {
        self.ext.cache_writes.get_mut(n)?.as_deref_mut()
    }

    /// A write's lookup time at the cache is over: to the store (cache-aside, write-through,
    /// write-around) or into the write-behind buffer, answered at once. Keys are drawn as a read's are.
    pub(crate) fn cache_write_done(&mut self, call: u32) {
        let now = self.now;
        let c = self.calls[call as usize];
        let n = c.node as usize;
        let carried = self.ext.carried_keys.get(&c.parent).copied();
        let key = match self.ext.keys[n].as_ref() {
            Some(kc) => kc.key_for(carried, &mut self.nodes[n].rng),
            None => 0,
        };
        self.release_worker(c.node, c.instance as u32);
        let Some(wr) = self.cache_writes(n) else {
            return self.respond(call, Outcome::Failed);
        };
        if matches!(wr.policy, WritePolicy::WriteBehind(_)) {
            let version = match wr.latest.get_mut(key as usize) {
                Some(l) => {
                    *l += 1;
                    *l
                }
                None => 0,
            };
            wr.counts.writes += 1;
            let carrier = self.alloc_call(c.req, NONE, c.node, NONE, c.class);
            if let Some(wr) = self.cache_writes(n) {
                wr.dirty.push(Dirty {
                    carrier,
                    key,
                    version,
                });
            }
            if let Some(kc) = self.ext.keys[n].as_mut() {
                kc.fill_version(key, now, version);
            }
            return self.respond(call, Outcome::Ok);
        }
        match self.nodes[n].routes[c.class as usize].first().copied() {
            Some(edge) => {
                if let Some(wr) = self.cache_writes(n) {
                    wr.writing.insert(call, key);
                }
                self.call_child(call, edge);
            }
            None => {
                self.nodes[n].stats.failed += 1;
                self.respond(call, Outcome::Failed);
            }
        }
    }

    /// A read's lookup hit at a key-model cache with a write path: counted (stale or not).
    pub(crate) fn cache_read_hit(&mut self, n: usize, key: u32) {
        let version = self.ext.keys[n]
            .as_ref()
            .and_then(|kc| kc.version_of(key))
            .unwrap_or(0);
        if let Some(wr) = self.ext.cache_writes[n].as_deref_mut()
            && wr.read_answered(key, version)
        {
            self.bucket.nodes[n].stale_reads += 1;
        }
    }

    /// A read miss leaves for the store: the version it will bring back.
    pub(crate) fn cache_read_fetch(&mut self, n: usize, call: u32, key: u32) {
        if let Some(wr) = self.cache_writes(n) {
            let v = wr.stored.get(key as usize).copied().unwrap_or(0);
            wr.fetching.insert(call, v);
        }
    }

    /// The version a read miss brought back (the version to fill and answer with), counting the read and
    /// the `waiters` that coalesced onto it; `None` if `call` was no read miss of a write path.
    pub(crate) fn cache_read_filled(
        &mut self,
        n: usize,
        call: u32,
        key: u32,
        waiters: usize,
        ok: bool,
    ) -> Option<u32> {
        let wr = self.ext.cache_writes.get_mut(n)?.as_deref_mut()?;
        let v = wr.fetching.remove(&call)?;
        if ok {
            for _ in 0..=waiters {
                if wr.read_answered(key, v) {
                    self.bucket.nodes[n].stale_reads += 1;
                }
            }
        }
        Some(v)
    }

    /// The store answered one of the cache's own calls (a write, or a write-behind flush); false if
    /// `parent` is neither, e.g. a read miss.
    pub(crate) fn cache_write_response(&mut self, parent: u32, outcome: Outcome) -> bool {
        let now = self.now;
        let n = self.calls[parent as usize].node as usize;
        let Some(wr) = self.cache_writes(n) else {
            return false;
        };
        if let Some(batch) = wr.flushing.remove(&parent) {
            if outcome == Outcome::Ok {
                for d in &batch {
                    if let Some(s) = wr.stored.get_mut(d.key as usize) {
                        *s = (*s).max(d.version);
                    }
                }
                for d in batch {
                    self.free_call(d.carrier);
                }
            } else {
                // Kept for the next flush, ahead of the newer writes.
                let rest = std::mem::take(&mut wr.dirty);
                wr.dirty = batch.into_iter().chain(rest).collect();
            }
            return true;
        }
        let Some(key) = wr.writing.remove(&parent) else {
            return false;
        };
        if outcome == Outcome::Ok {
            wr.counts.writes += 1;
            let version = match (
                wr.latest.get_mut(key as usize),
                wr.stored.get_mut(key as usize),
            ) {
                (Some(l), Some(s)) => {
                    *l += 1;
                    *s = *l;
                    Some(*l)
                }
                _ => None,
            };
            let update = match wr.policy {
                WritePolicy::WriteThrough => Some(true),
                WritePolicy::CacheAside => Some(wr.on_write == OnWrite::Update),
                WritePolicy::WriteAround | WritePolicy::WriteBehind(_) => None,
            };
            if let (Some(kc), Some(v)) = (self.ext.keys[n].as_mut(), version) {
                match update {
                    Some(true) => kc.fill_version(key, now, v),
                    Some(false) => kc.remove(key),
                    None => {}
                }
            }
        }
        self.respond(parent, outcome);
        true
    }

    /// A write-behind cache's flush: everything buffered goes to the store in queries of `batch_size`
    /// writes; the next flush is scheduled. A crashed cache flushes nothing (its buffer is gone).
    pub(crate) fn cache_flush_tick(&mut self, node: u32) {
        let n = node as usize;
        let down = self.ext.node.get(n).is_some_and(|fx| fx.down > 0);
        let Some(wr) = self.cache_writes(n) else {
            return;
        };
        let interval = wr.flush_interval_ns;
        let size = wr.batch_size;
        let dirty = if down {
            Vec::new()
        } else {
            std::mem::take(&mut wr.dirty)
        };
        let now = self.now;
        self.queue
            .push(now + interval, Kind::Tick, node, Tick::Batch as u8);
        for chunk in dirty.chunks(size) {
            let lead = chunk[0].carrier;
            let class = self.calls[lead as usize].class;
            let Some(edge) = self.nodes[n].routes[class as usize].first().copied() else {
                // Validation requires the store's edge; without it the writes are lost.
                if let Some(wr) = self.cache_writes(n) {
                    wr.counts.lost_writes += chunk.len() as u64;
                }
                for d in chunk {
                    self.free_call(d.carrier);
                }
                continue;
            };
            if let Some(wr) = self.cache_writes(n) {
                wr.flushing.insert(lead, chunk.to_vec());
            }
            self.call_child(lead, edge);
        }
    }

    /// The cache crashed: buffered writes are lost, and the writes and read misses in flight will be
    /// answered as failures by the crash (their bookkeeping here is dropped). Flush queries in flight
    /// reach the store anyway.
    pub(crate) fn cache_write_crash(&mut self, n: usize) {
        let Some(wr) = self.cache_writes(n) else {
            return;
        };
        wr.writing.clear();
        wr.fetching.clear();
        let lost = std::mem::take(&mut wr.dirty);
        wr.counts.lost_writes += lost.len() as u64;
        for d in lost {
            self.free_call(d.carrier);
        }
    }

    /// The warm-up is over: the counts start again (the versions and buffers carry on).
    pub(crate) fn cache_writes_warmup_end(&mut self) {
        for w in self.ext.cache_writes.iter_mut().flatten() {
            w.counts = WriteCounts {
                write_behind: w.counts.write_behind,
                ..WriteCounts::default()
            };
        }
    }

    /// Is `call` a write-behind flush's carrier (no work of the node's a crash could lose)?
    pub(crate) fn is_flush_carrier(&self, n: usize, call: u32) -> bool {
        self.ext
            .cache_writes
            .get(n)
            .and_then(|w| w.as_deref())
            .is_some_and(|w| w.flushing.contains_key(&call))
    }

    /// The report's counts for node `n`, if it has a write path.
    pub(crate) fn cache_write_counts(&self, n: usize) -> Option<(WriteCounts, bool)> {
        let wr = self.ext.cache_writes.get(n)?.as_deref()?;
        Some((wr.counts, !wr.latest.is_empty()))
    }
}
