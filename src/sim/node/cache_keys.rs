//! Caches with a key model: Zipf key popularity, an LRU of limited capacity, a TTL, and optional request
//! coalescing. A flush or an expiry of a hot key then produces a real stampede on the backing store.

use std::collections::BTreeMap;

use crate::model::KeyModel;
use crate::sim::world::{NONE, Outcome, World};
use crate::sim::zipf::Zipf;

/// One LRU entry.
#[derive(Clone, Copy, Debug)]
struct Entry {
    key: u32,
    filled_ns: u64,
    /// The version of the key's value it holds (counted only under a write policy, `cache_write.rs`).
    version: u32,
    prev: u32,
    next: u32,
}

/// A cache's keys.
#[derive(Clone, Debug)]
pub(crate) struct KeyCache {
    /// Key popularity (shared with sharded databases).
    zipf: Zipf,
    capacity: u32,
    ttl_ns: Option<u64>,
    coalesce: bool,
    /// Key -> entry index (`NONE` when not cached).
    slot_of: Vec<u32>,
    entries: Vec<Entry>,
    /// Most and least recently used entries.
    head: u32,
    tail: u32,
    /// Fetches in flight: the caller call of each miss sent to the backing store, with its key.
    fetching: BTreeMap<u32, u32>,
    /// With coalescing: per key being fetched, the lookups waiting for it.
    waiters: BTreeMap<u32, Vec<u32>>,
}

impl KeyCache {
    pub fn new(k: &KeyModel) -> Self {
        let zipf = Zipf::new(k.key_count, k.zipf_exponent);
        let n = zipf.len();
        Self {
            zipf,
            capacity: k.capacity.max(1),
            ttl_ns: k.ttl_s.map(crate::sim::secs_to_ns),
            coalesce: k.coalesce,
            slot_of: vec![NONE; n],
            entries: Vec::new(),
            head: NONE,
            tail: NONE,
            fetching: BTreeMap::new(),
            waiters: BTreeMap::new(),
        }
    }

    fn unlink(&mut self, i: u32) {
        let Entry { prev, next, .. } = self.entries[i as usize];
        if prev == NONE {
            self.head = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next == NONE {
            self.tail = prev;
        } else {
            self.entries[next as usize].prev = prev;
        }
    }

    fn push_front(&mut self, i: u32) {
        self.entries[i as usize].prev = NONE;
        self.entries[i as usize].next = self.head;
        if self.head != NONE {
            self.entries[self.head as usize].prev = i;
        }
        self.head = i;
        if self.tail == NONE {
            self.tail = i;
        }
    }

    /// Is `key` cached and fresh? A hit becomes the most recently used.
    fn lookup(&mut self, key: u32, now: u64) -> bool {
        let i = self.slot_of[key as usize];
        if i == NONE {
            return false;
        }
        let fresh = self
            .ttl_ns
            .is_none_or(|ttl| now - self.entries[i as usize].filled_ns < ttl);
        if fresh {
            self.unlink(i);
            self.push_front(i);
        }
        fresh
    }

    /// Stores a freshly fetched `key`, evicting the least recently used beyond capacity.
    #[cfg(test)]
    fn fill(&mut self, key: u32, now: u64) {
        self.fill_version(key, now, 0);
    }

    /// Stores `key` at `version` (a fill or a write under a write policy), evicting the least recently
    /// used beyond capacity.
    pub(super) fn fill_version(&mut self, key: u32, now: u64, version: u32) {
        let mut i = self.slot_of[key as usize];
        if i != NONE {
            self.unlink(i);
        } else if (self.entries.len() as u32) < self.capacity {
            i = self.entries.len() as u32;
            self.entries.push(Entry {
                key,
                filled_ns: now,
                version,
                prev: NONE,
                next: NONE,
            });
        } else {
            i = self.tail;
            self.unlink(i);
            let old = self.entries[i as usize].key;
            self.slot_of[old as usize] = NONE;
        }
        self.entries[i as usize].key = key;
        self.entries[i as usize].filled_ns = now;
        self.entries[i as usize].version = version;
        self.slot_of[key as usize] = i;
        self.push_front(i);
    }

    /// The version a cached `key` holds (after a `lookup` that hit).
    pub(super) fn version_of(&self, key: u32) -> Option<u32> {
        let i = self.slot_of[key as usize];
        (i != NONE).then(|| self.entries[i as usize].version)
    }

    /// Drops `key` (an invalidation); its slot is reused by the next fill.
    pub(super) fn remove(&mut self, key: u32) {
        let i = self.slot_of[key as usize];
        if i == NONE {
            return;
        }
        self.unlink(i);
        self.slot_of[key as usize] = NONE;
        // Move the last entry into the hole so `entries` stays dense (its length is the fill level).
        let last = self.entries.len() as u32 - 1;
        if i != last {
            self.unlink(last);
            let moved = self.entries[last as usize];
            self.entries[i as usize] = moved;
            self.slot_of[moved.key as usize] = i;
            self.relink_at(i, moved.prev, moved.next);
        }
        self.entries.pop();
    }

    /// Puts entry `i` back in the list between `prev` and `next` (after it was moved to index `i`).
    fn relink_at(&mut self, i: u32, prev: u32, next: u32) {
        self.entries[i as usize].prev = prev;
        self.entries[i as usize].next = next;
        if prev == NONE {
            self.head = i;
        } else {
            self.entries[prev as usize].next = i;
        }
        if next == NONE {
            self.tail = i;
        } else {
            self.entries[next as usize].prev = i;
        }
    }

    /// The key a request to this cache reads or writes: a consistent-hash balancer's carried key, else
    /// one drawn from the popularity model.
    pub(super) fn key_for(
        &self,
        carried: Option<u32>,
        rng: &mut crate::sim::sampler::SimRng,
    ) -> u32 {
        match carried {
            Some(k) => k % self.zipf.len() as u32,
            None => self.zipf.sample(rng),
        }
    }

    /// Forgets every key (a flush, or a restart after a crash). Fetches in flight still fill when they land.
    pub fn flush(&mut self) {
        for e in &self.entries {
            self.slot_of[e.key as usize] = NONE;
        }
        self.entries.clear();
        self.head = NONE;
        self.tail = NONE;
    }

    /// Takes the lookups waiting on fetches (a crash fails them) and forgets the fetches.
    pub fn take_waiters(&mut self) -> Vec<u32> {
        self.fetching.clear();
        std::mem::take(&mut self.waiters)
            .into_values()
            .flatten()
            .collect()
    }
}

/// Node `n`'s key cache number `i` (see `World::cache_index`).
fn key_cache(ext: &mut crate::sim::ext::Ext, n: usize, i: usize) -> Option<&mut KeyCache> {
    match i {
        0 => ext.keys[n].as_mut(),
        r => ext.edge_caches[n].get_mut(r - 1),
    }
}

impl World {
    /// Which of node `n`'s key caches serves `call`: 0 for the node's own, r + 1 for region r's edge cache
    /// of a CDN (`per_region`), by the zone of the request's client.
    fn cache_index(&self, n: usize, call: u32) -> usize {
        if self.ext.edge_caches[n].is_empty() {
            return 0;
        }
        let client = self.origin_client(call);
        match self.ext.zone_of.get(client as usize).copied() {
            Some(z) if z != crate::sim::topology::NO_ZONE => {
                self.ext.zone_region[z as usize] as usize + 1
            }
            _ => 0,
        }
    }

    /// A key-model cache finished a lookup: hit, join a fetch in flight (coalescing), or fetch.
    #[inline(never)]
    pub(crate) fn key_cache_done(&mut self, call: u32) {
        let now = self.now;
        let c = self.calls[call as usize];
        let n = c.node as usize;
        let ci = self.cache_index(n, call);
        let carried = self.ext.carried_keys.get(&c.parent).copied();
        let Some(kc) = key_cache(&mut self.ext, n, ci) else {
            return;
        };
        // A key carried from a consistent-hash balancer (its call is this one's parent) is looked up as is.
        let key = kc.key_for(carried, &mut self.nodes[n].rng);
        let hit = kc.lookup(key, now);
        let joined =
            !hit && kc.coalesce && kc.waiters.get_mut(&key).map(|w| w.push(call)).is_some();
        self.release_worker(c.node, c.instance as u32);
        if hit {
            self.cache_read_hit(n, key);
            return self.respond(call, Outcome::Ok);
        }
        if joined {
            return;
        }
        match self.nodes[n].routes[c.class as usize].first().copied() {
            Some(edge) => {
                let kc = key_cache(&mut self.ext, n, ci).expect("checked above");
                kc.fetching.insert(call, key);
                if kc.coalesce {
                    kc.waiters.insert(key, Vec::new());
                }
                self.cache_read_fetch(n, call, key);
                self.call_child(call, edge);
            }
            None => {
                self.nodes[n].stats.failed += 1;
                self.respond(call, Outcome::Failed);
            }
        }
    }

    /// The backing store answered a key-model cache's fetch: fill the key, answer the caller and everyone
    /// who waited for the same key.
    #[inline(never)]
    pub(crate) fn key_cache_response(&mut self, parent: u32, outcome: Outcome) {
        let now = self.now;
        let n = self.calls[parent as usize].node as usize;
        // The cache that sent the fetch holds it (a CDN's edge caches each keep their own).
        let ci = (0..=self.ext.edge_caches[n].len())
            .find(|&i| {
                match i {
                    0 => self.ext.keys[n].as_ref(),
                    r => self.ext.edge_caches[n].get(r - 1),
                }
                .is_some_and(|kc| kc.fetching.contains_key(&parent))
            })
            .unwrap_or(0);
        let (key, waiting) = match key_cache(&mut self.ext, n, ci) {
            Some(kc) => match kc.fetching.remove(&parent) {
                Some(key) => (Some(key), kc.waiters.remove(&key).unwrap_or_default()),
                None => (None, Vec::new()),
            },
            None => (None, Vec::new()),
        };
        if let Some(key) = key {
            let ok = outcome == Outcome::Ok;
            // Under a write policy the fill carries the version the store had when the fetch left.
            let version = self
                .cache_read_filled(n, parent, key, waiting.len(), ok)
                .unwrap_or(0);
            if let (true, Some(kc)) = (ok, key_cache(&mut self.ext, n, ci)) {
                kc.fill_version(key, now, version);
            }
        }
        self.respond(parent, outcome);
        for w in waiting {
            self.respond(w, outcome);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(keys: u32, exponent: f64, capacity: u32, ttl_s: Option<f64>) -> KeyCache {
        KeyCache::new(&KeyModel {
            key_count: keys,
            zipf_exponent: exponent,
            capacity,
            ttl_s,
            coalesce: false,
        })
    }

    #[test]
    fn zipf_sampling_matches_the_popularity_law() {
        // s = 1 over 1000 keys: P(key k) = 1/(k H_1000), H_1000 = 7.4855. 200,000 draws: the standard error of
        // the top key's share (0.1336) is 0.00076, so 3% relative is over 5 standard errors.
        let c = cache(1000, 1.0, 1, None);
        let mut rng = crate::sim::stream(1, "zipf");
        let mut counts = vec![0u32; 1000];
        for _ in 0..200_000 {
            counts[c.zipf.sample(&mut rng) as usize] += 1;
        }
        let h = 7.485_470_860_550_345;
        for k in [1usize, 2, 10] {
            let want = 1.0 / (k as f64 * h);
            let got = counts[k - 1] as f64 / 200_000.0;
            assert!(
                (got / want - 1.0).abs() < 0.03 + 0.5 / (want * 200_000.0).sqrt(),
                "key {k}: {got} vs {want}"
            );
        }
        // Uniform at s = 0.
        let c = cache(4, 0.0, 1, None);
        let mut counts = [0u32; 4];
        for _ in 0..40_000 {
            counts[c.zipf.sample(&mut rng) as usize] += 1;
        }
        assert!(
            counts.iter().all(|&n| (9_500..10_500).contains(&n)),
            "{counts:?}"
        );
    }

    #[test]
    fn removing_a_key_keeps_the_lru_order_of_the_others() {
        let mut c = cache(10, 1.0, 3, None);
        c.fill_version(1, 0, 7);
        c.fill(2, 0);
        c.fill(3, 0); // order, most recent first: 3 2 1
        assert_eq!(c.version_of(1), Some(7));
        c.remove(1); // the first filled, stored at index 0: the last entry moves into its slot
        assert_eq!((c.version_of(1), c.entries.len()), (None, 2));
        c.remove(1); // absent: nothing happens
        c.fill(4, 0); // room again: nothing evicted
        assert!(c.lookup(2, 0) && c.lookup(3, 0) && c.lookup(4, 0));
        c.fill(5, 0); // full: evicts the least recently used, 2
        assert!(!c.lookup(2, 0) && c.lookup(3, 0) && c.lookup(4, 0) && c.lookup(5, 0));
        c.remove(5);
        c.remove(4);
        c.remove(3);
        assert_eq!((c.head, c.tail, c.entries.len()), (NONE, NONE, 0));
    }

    #[test]
    fn lru_evicts_the_least_recently_used_and_ttl_expires() {
        let mut c = cache(10, 1.0, 2, Some(1.0));
        c.fill(1, 0);
        c.fill(2, 0);
        assert!(c.lookup(1, 10)); // 1 is now the most recent
        c.fill(3, 20); // evicts 2
        assert!(c.lookup(1, 30) && c.lookup(3, 30) && !c.lookup(2, 30));
        assert!(!c.lookup(1, 1_000_000_000), "filled at 0, expired at 1 s");
        assert!(c.lookup(3, 1_000_000_019), "filled at 20 ns");
        c.flush();
        assert!(!c.lookup(3, 1_000_000_019));
        assert_eq!(c.entries.len(), 0);
    }
}
