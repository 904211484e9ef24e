//! Sharded databases at run time: each query draws a key from the shard's Zipf table, the key's shard is
//! looked up in a table built once from the routing rule (`model::Shards::route_table`), and the query goes
//! to that shard's primary (writes, or while its replicas lag) or to its replicas in turn. Shard `s` owns
//! instances `s x (1 + read_replicas)` to `s x (1 + read_replicas) + read_replicas`, so pools and queues
//! are the ordinary instance machinery. Per-shard figures are kept here, beside the engine's per-node ones:
//! busy time and waiting time summed as queries start (utilization and, by Little's law, the mean queue),
//! latency as they finish.

use crate::metrics::{Latency, LatencySummary};
use crate::model::Shards;
use crate::sim::sampler::SimRng;
use crate::sim::world::{Call, World};
use crate::sim::zipf::Zipf;

use super::next_turn;

/// One shard's counters over the measured window.
#[derive(Clone, Debug)]
struct ShardStats {
    arrivals: u64,
    completed: u64,
    busy_ns: u64,
    wait_ns: u64,
    latency: Latency,
}

/// A sharded database's routing and per-shard counters.
#[derive(Clone, Debug)]
pub(crate) struct ShardRt {
    zipf: Zipf,
    /// Key -> shard.
    shard_of: Vec<u16>,
    /// Instances per shard: the primary and its read replicas.
    per: u32,
    /// Per shard, the next read replica's turn.
    turn: Vec<u32>,
    stats: Vec<ShardStats>,
}

/// One shard's figures, as the report shows them.
pub(crate) struct ShardFigures {
    pub arrivals: u64,
    pub completed: u64,
    pub busy_ns: u64,
    pub wait_ns: u64,
    pub latency_ms: LatencySummary,
}

impl ShardRt {
    pub fn new(sh: &Shards, read_replicas: u32) -> Self {
        let n = sh.count.max(1) as usize;
        Self {
            zipf: Zipf::new(sh.keys, sh.zipf_exponent),
            shard_of: sh.route_table().into_iter().map(|s| s as u16).collect(),
            per: 1 + read_replicas,
            turn: vec![0; n],
            stats: (0..n)
                .map(|_| ShardStats {
                    arrivals: 0,
                    completed: 0,
                    busy_ns: 0,
                    wait_ns: 0,
                    latency: Latency::per_node(),
                })
                .collect(),
        }
    }

    /// A query arrives: draw its key, find its shard, and pick the instance within the shard.
    pub fn route(&mut self, write: bool, lagging: bool, rng: &mut SimRng) -> u32 {
        let key = self.zipf.sample(rng);
        self.route_key(key, write, lagging)
    }

    /// Draws a query's key (a replicated database checks its reads against it).
    pub fn draw_key(&mut self, rng: &mut SimRng) -> u32 {
        self.zipf.sample(rng)
    }

    /// Picks the instance for a query on `key`: its shard's primary (a write, or `primary`), else the
    /// shard's next replica.
    pub fn route_key(&mut self, key: u32, write: bool, primary: bool) -> u32 {
        let s = self.shard_of[key as usize] as usize;
        self.stats[s].arrivals += 1;
        let base = s as u32 * self.per;
        if self.per == 1 || write || primary {
            base
        } else {
            base + 1 + next_turn(&mut self.turn[s], self.per - 1)
        }
    }

    /// The first instance (the primary) of `key`'s shard.
    pub fn base_of(&self, key: u32) -> u32 {
        self.shard_of[key as usize] as u32 * self.per
    }

    fn shard(&self, instance: u16) -> usize {
        (instance as u32 / self.per) as usize
    }

    /// Connections each shard has (pool x instances per shard), for its utilization.
    pub fn connections(&self, pool: u32) -> u64 {
        pool as u64 * self.per as u64
    }

    pub fn warmup_end(&mut self) {
        for s in &mut self.stats {
            s.arrivals = 0;
            s.completed = 0;
            s.busy_ns = 0;
            s.wait_ns = 0;
            s.latency.reset();
        }
    }

    pub fn figures(&self) -> Vec<ShardFigures> {
        self.stats
            .iter()
            .map(|s| ShardFigures {
                arrivals: s.arrivals,
                completed: s.completed,
                busy_ns: s.busy_ns,
                wait_ns: s.wait_ns,
                latency_ms: s.latency.summary(),
            })
            .collect()
    }
}

impl World {
    /// A sharded database's query took a connection after waiting `now - arrive`, for `work_ns`.
    #[inline(never)]
    pub(crate) fn shard_started(&mut self, c: &Call, work_ns: u64) {
        let now = self.now;
        if let Some(sh) = self.ext.shards[c.node as usize].as_mut() {
            let s = sh.shard(c.instance);
            let st = &mut sh.stats[s];
            st.busy_ns += work_ns;
            st.wait_ns += now - c.arrive_ns;
        }
    }

    /// A sharded database's query is done.
    #[inline(never)]
    pub(crate) fn shard_done(&mut self, c: &Call) {
        let now = self.now;
        if let Some(sh) = self.ext.shards[c.node as usize].as_mut() {
            let s = sh.shard(c.instance);
            let st = &mut sh.stats[s];
            st.completed += 1;
            st.latency.record_ns(now - c.arrive_ns);
        }
    }

    pub(crate) fn shards_warmup_end(&mut self) {
        for sh in self.ext.shards.iter_mut().flatten() {
            sh.warmup_end();
        }
    }
}
