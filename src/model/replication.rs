//! Replication lag and read consistency of a database with read replicas: how long a committed write takes
//! to reach the replicas, the keys queries spread over (so a read can be checked against the writes to its
//! key), and an optional read-your-writes window that sends a recently written key's reads to the primary.

use serde::{Deserialize, Serialize};

use super::{DatabaseParams, Dist, MAX_KEYS, Problem};

/// Longest read-your-writes window accepted, ms (one day).
pub const MAX_READ_YOUR_WRITES_MS: f64 = 24.0 * 3600.0 * 1000.0;

/// Asynchronous replication from the primary to the read replicas. Every query (read or write) draws a key
/// uniformly from `keys`; a write that commits on the primary at time t is applied on every replica at
/// t + a draw of `lag_ms`, and a read a replica answers at time s is **stale** if some write to its key
/// committed before s is not yet applied there. Defaults: constant 100 ms lag, 1,000 keys, no
/// read-your-writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Replication {
    /// Time from a write's commit on the primary until the replicas have applied it, ms (one draw per
    /// write, shared by all replicas).
    pub lag_ms: Dist,
    /// Keys the reads and writes spread over, uniformly (each query draws its own), 1 to 1,000,000. A
    /// sharded database uses its shards' keys (and their Zipf popularity) instead.
    pub keys: u32,
    /// Read-your-writes, approximated per key: for this long after a write to key k committed, reads of k
    /// go to the primary (as if every reader of k were the session that wrote it). Default: none (reads go
    /// to the replicas in turn). Written even when none, so `--set db.replication.read_your_writes_ms=500`
    /// finds it.
    pub read_your_writes_ms: Option<f64>,
    /// Leaderless quorum reads and writes over the database's instances instead of primary and replicas.
    /// Default: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quorum: Option<Quorum>,
}

/// Most instances a quorum spans (a query's replica set is a 64-bit mask).
pub const MAX_QUORUM_N: u32 = 64;

/// Quorum replication (Dynamo style): the database's `n = 1 + read_replicas` instances are equal replicas.
/// Each query is coordinated by the next instance in turn, which holds one connection while it asks every
/// replica it can reach; a read answers with the R fastest replies (the newest version among them), a write
/// once W replicas acked (those have it at once, the others `lag_ms` later). Each replica's time is a draw
/// of `read_time_ms` or `write_time_ms`. A network partition between the replicas is a fault on the
/// timeline, [`super::FaultKind::Split`]; `on_partition` says what a coordinator does while it cannot reach
/// R (or W) of them. Defaults: n 3, R 2, W 2, `Refuse`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quorum {
    /// Replicas: must be the database's instances, 1 + `read_replicas` (1 to 64); per shard when sharded.
    pub n: u32,
    /// Replies a read waits for, 1 to n.
    pub r: u32,
    /// Acks a write waits for, 1 to n.
    pub w: u32,
    /// What a coordinator that reaches fewer than R (W) replicas does.
    pub on_partition: OnPartition,
}

impl Default for Quorum {
    fn default() -> Self {
        Self {
            n: 3,
            r: 2,
            w: 2,
            on_partition: OnPartition::Refuse,
        }
    }
}

/// CAP's choice for a coordinator that cannot reach a quorum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OnPartition {
    /// Consistency: the query fails at once (counted in `quorum_errors` and `failed`).
    #[default]
    Refuse,
    /// Availability: the query is served by the replicas the coordinator reaches (all of them, if fewer
    /// than the quorum); reads that miss the key's latest write are counted stale.
    ServeReachable,
}

impl Default for Replication {
    fn default() -> Self {
        Self {
            lag_ms: Dist::constant(100.0),
            keys: 1000,
            read_your_writes_ms: None,
            quorum: None,
        }
    }
}

impl Replication {
    /// Every problem with the replication options of database `d` at `place`.
    pub(super) fn check(&self, p: &mut Vec<Problem>, place: &str, d: &DatabaseParams) {
        super::validate::check_dist(p, place, "replication.lag_ms", &self.lag_ms);
        if !(1..=MAX_KEYS).contains(&self.keys) {
            p.push(Problem::new(
                place,
                "replication.keys",
                format!("is {}; allowed: 1 to {MAX_KEYS}", self.keys),
            ));
        }
        if let Some(v) = self.read_your_writes_ms
            && !(v.is_finite() && (0.0..=MAX_READ_YOUR_WRITES_MS).contains(&v))
        {
            p.push(Problem::new(
                place,
                "replication.read_your_writes_ms",
                format!("is {v}; allowed: 0 to {MAX_READ_YOUR_WRITES_MS} (one day)"),
            ));
        }
        if let Some(q) = &self.quorum {
            q.check(p, place, d.read_replicas);
            if self.read_your_writes_ms.is_some() {
                p.push(Problem::new(
                    place,
                    "replication.read_your_writes_ms",
                    "cannot be combined with `quorum` (a quorum has no primary); remove one of them",
                ));
            }
        }
        if d.optimistic.is_some() {
            p.push(Problem::new(
                place,
                "replication",
                "cannot be combined with optimistic yet; remove one of `replication` and `optimistic`",
            ));
        }
    }
}

impl Quorum {
    fn check(&self, p: &mut Vec<Problem>, place: &str, read_replicas: u32) {
        let instances = 1 + read_replicas as u64;
        if self.n as u64 != instances || self.n > MAX_QUORUM_N {
            p.push(Problem::new(
                place,
                "replication.quorum.n",
                format!(
                    "is {}; allowed: 1 + read_replicas ({instances}), at most {MAX_QUORUM_N}",
                    self.n
                ),
            ));
        }
        for (field, v) in [("r", self.r), ("w", self.w)] {
            if !(1..=self.n).contains(&v) {
                p.push(Problem::new(
                    place,
                    format!("replication.quorum.{field}"),
                    format!("is {v}; allowed: 1 to n ({})", self.n),
                ));
            }
        }
    }
}
