//! Sharded databases: how many shards, the key popularity, and the rule that maps a key to its shard. The
//! routing functions are plain integer arithmetic (no `std::hash::Hasher`, whose output may change between
//! Rust releases), so a key lands on the same shard natively, in WASM and in the tests that check the
//! engine against them.

use serde::{Deserialize, Serialize};

use super::{MAX_KEYS, Problem};

/// Most shards a database may have.
pub const MAX_SHARDS: u32 = 256;
/// Most virtual nodes per shard on a consistent-hash ring.
pub const MAX_VNODES: u32 = 1000;
/// Most instances (shards x (1 + read replicas)) a sharded database may run: a call names its instance
/// in 16 bits.
pub const MAX_SHARD_INSTANCES: u32 = 4096;

/// A database split into shards. Each query draws a key (Zipf over `keys`) and goes to the shard `routing`
/// gives; each shard is its own primary with its own `pool_size` connections and `queue_capacity`, plus
/// the database's `read_replicas` *per shard*. Defaults: 4 shards, 10,000 keys, uniform, `Hash`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Shards {
    /// Number of shards, 1 to 256. Default 4.
    pub count: u32,
    /// Distinct keys, `count` to 1,000,000 (every shard can own a key). Default 10,000.
    pub keys: u32,
    /// Zipf exponent s (key k, counted from 1, has weight 1/k^s), 0 to 10; 0 is uniform. Default 0.
    pub zipf_exponent: f64,
    /// How a key is mapped to a shard. Default `Hash`.
    pub routing: ShardRouting,
}

impl Default for Shards {
    fn default() -> Self {
        Self {
            count: 4,
            keys: 10_000,
            zipf_exponent: 0.0,
            routing: ShardRouting::Hash,
        }
    }
}

/// The rule from a key to its shard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardRouting {
    /// `mix64(key) mod count` ([`hash_shard`]): even in expectation, but changing the count moves almost
    /// every key.
    #[default]
    Hash,
    /// A ring of `count x vnodes` points; a key goes to the first point clockwise of its hash
    /// ([`HashRing`]). Adding a shard moves only about 1/(count+1) of the keys (Karger et al. 1997).
    ConsistentHash {
        /// Points per shard on the ring, 1 to 1000: more points even out the shards' key ranges.
        vnodes: u32,
    },
}

/// SplitMix64's finaliser (Steele, Lea and Flood 2014): a fixed bijection of u64 whose output bits all
/// depend on every input bit. It is the hash behind both routing rules.
pub fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `Hash` routing: key `key` (0-based, 0 the most popular) goes to shard `mix64(key) mod count`.
pub fn hash_shard(key: u32, count: u32) -> u32 {
    (mix64(key as u64) % count.max(1) as u64) as u32
}

/// A consistent-hash ring: point `v` of shard `s` sits at `mix64((s + 1) << 32 | v)` (never the hash of a
/// key, whose input is below 2^32); a key at `mix64(key)` belongs to the first point at or after it, wrapping
/// round past the top. Ties between points (vanishingly rare) go to the lower shard.
#[derive(Clone, Debug)]
pub struct HashRing {
    /// (position, shard), sorted.
    points: Vec<(u64, u32)>,
}

impl HashRing {
    /// The ring of `count` shards with `vnodes` points each.
    pub fn new(count: u32, vnodes: u32) -> Self {
        let mut points: Vec<(u64, u32)> = (0..count.max(1))
            .flat_map(|s| {
                (0..vnodes.max(1)).map(move |v| (mix64(((s as u64 + 1) << 32) | v as u64), s))
            })
            .collect();
        points.sort_unstable();
        Self { points }
    }

    /// The shard that owns `key`.
    pub fn shard_of(&self, key: u32) -> u32 {
        let h = mix64(key as u64);
        let i = self.points.partition_point(|&(p, _)| p < h);
        self.points[if i == self.points.len() { 0 } else { i }].1
    }
}

impl Shards {
    /// Every key's shard, key 0 first.
    pub fn route_table(&self) -> Vec<u32> {
        match self.routing {
            ShardRouting::Hash => (0..self.keys).map(|k| hash_shard(k, self.count)).collect(),
            ShardRouting::ConsistentHash { vnodes } => {
                let ring = HashRing::new(self.count, vnodes);
                (0..self.keys).map(|k| ring.shard_of(k)).collect()
            }
        }
    }

    /// Each key's probability of being drawn: weight 1/(k+1)^s, normalised (libm's pow, the engine's).
    pub fn key_probabilities(&self) -> Vec<f64> {
        let w: Vec<f64> = (1..=self.keys.max(1))
            .map(|i| libm::pow(i as f64, -self.zipf_exponent))
            .collect();
        let sum: f64 = w.iter().sum();
        w.into_iter().map(|x| x / sum).collect()
    }

    /// Each shard's share of the queries: the sum of the probabilities of the keys routed to it. Exact in
    /// expectation; the flow model splits the database's rate by it.
    pub fn shard_shares(&self) -> Vec<f64> {
        let mut share = vec![0.0; self.count.max(1) as usize];
        for (p, s) in self.key_probabilities().into_iter().zip(self.route_table()) {
            share[s as usize] += p;
        }
        share
    }

    pub(super) fn check(
        &self,
        p: &mut Vec<Problem>,
        place: &str,
        read_replicas: u32,
        optimistic: bool,
    ) {
        if optimistic {
            p.push(Problem::new(
                place,
                "shards",
                "cannot be combined with optimistic writes yet; remove one of `shards` and `optimistic`",
            ));
        }
        let range = |p: &mut Vec<Problem>, field: &str, v: u32, min: u32, max: u32, why: &str| {
            if v < min || v > max {
                p.push(Problem::new(
                    place,
                    field,
                    format!("is {v}; allowed: {min} to {max}{why}"),
                ));
            }
        };
        range(p, "shards.count", self.count, 1, MAX_SHARDS, "");
        range(
            p,
            "shards.keys",
            self.keys,
            self.count.clamp(1, MAX_SHARDS),
            MAX_KEYS,
            " (at least one key per shard)",
        );
        if !(self.zipf_exponent.is_finite() && (0.0..=10.0).contains(&self.zipf_exponent)) {
            p.push(Problem::new(
                place,
                "shards.zipf_exponent",
                format!("is {}; allowed: 0 to 10", self.zipf_exponent),
            ));
        }
        if let ShardRouting::ConsistentHash { vnodes } = self.routing {
            range(p, "shards.routing.vnodes", vnodes, 1, MAX_VNODES, "");
        }
        let instances = self.count as u64 * (1 + read_replicas as u64);
        if self.count <= MAX_SHARDS && instances > MAX_SHARD_INSTANCES as u64 {
            p.push(Problem::new(
                place,
                "shards.count",
                format!(
                    "is {} with {read_replicas} read replicas per shard: {instances} instances; allowed: at most {MAX_SHARD_INSTANCES}",
                    self.count
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fixed_and_spreads_keys() {
        // Reference values of SplitMix64 seeded at 0: its first output is mix64(0).
        assert_eq!(mix64(0), 0xE220_A839_7B1D_CDAF);
        let mut n = [0u32; 8];
        for k in 0..80_000 {
            n[hash_shard(k, 8) as usize] += 1;
        }
        assert!(n.iter().all(|&c| (9_600..10_400).contains(&c)), "{n:?}");
    }

    #[test]
    fn the_ring_gives_every_shard_keys_and_wraps() {
        let r = HashRing::new(4, 50);
        let mut n = [0u32; 4];
        for k in 0..40_000 {
            n[r.shard_of(k) as usize] += 1;
        }
        assert!(n.iter().all(|&c| c > 5_000), "{n:?}");
        let top = r.points.last().unwrap();
        assert!(
            top.0 < u64::MAX,
            "a hash above the top point wraps to the first"
        );
    }
}
