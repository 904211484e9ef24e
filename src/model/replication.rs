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
    /// Keys the reads and writes spread over, uniformly (each query draws its own), 1 to 1,000,000.
    pub keys: u32,
    /// Read-your-writes, approximated per key: for this long after a write to key k committed, reads of k
    /// go to the primary (as if every reader of k were the session that wrote it). Default: none (reads go
    /// to the replicas in turn). Written even when none, so `--set db.replication.read_your_writes_ms=500`
    /// finds it.
    pub read_your_writes_ms: Option<f64>,
}

impl Default for Replication {
    fn default() -> Self {
        Self {
            lag_ms: Dist::constant(100.0),
            keys: 1000,
            read_your_writes_ms: None,
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
        for (set, field) in [
            (d.shards.is_some(), "shards"),
            (d.optimistic.is_some(), "optimistic"),
        ] {
            if set {
                p.push(Problem::new(
                    place,
                    "replication",
                    format!("cannot be combined with {field} yet; remove one of `replication` and `{field}`"),
                ));
            }
        }
    }
}
