//! A queue node as a Kafka-like partitioned log: a producer's key picks the partition, order is kept per
//! partition, every consumer group (each outgoing edge of the queue) reads every message, and a group's
//! partitions are shared out among its consumer service's replicas. Documented with every default in
//! `docs/scenario-format.md`; the engine is `src/sim/node/topic.rs`.

use serde::{Deserialize, Serialize};

use super::Problem;

/// Most partitions of one topic.
pub const MAX_PARTITIONS: u32 = 1024;
/// Longest rebalance pause accepted, ms (ten minutes).
pub const MAX_REBALANCE_MS: f64 = 600_000.0;

/// The queue's messages go to partitions of a log instead of one shared backlog.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Topic {
    /// Partitions of the log. Each is read by one consumer of a group at a time, one message at a time:
    /// a partition's order is kept, and one slow message holds up the messages behind it. Default 6.
    pub partitions: u32,
    /// Distinct message keys; a message's key picks its partition by hash (the same key always lands on
    /// the same partition). 0, the default: messages have no key and go to the partitions in turn.
    pub keys: u32,
    /// Skew of the keys (Zipf exponent; 0 = uniform, about 1 = a few hot keys and so a hot partition).
    /// Default 0.
    pub zipf_exponent: f64,
    /// How long a group stops reading when its membership changes (a consumer crashes, comes back or is
    /// scaled), ms: the time to notice and to hand the partitions out again. Every partition of the
    /// group waits (an eager rebalance), and messages in flight are handed out again afterwards (at least
    /// once). Default 3,000 ms.
    pub rebalance_ms: f64,
}

impl Default for Topic {
    fn default() -> Self {
        Self {
            partitions: 6,
            keys: 0,
            zipf_exponent: 0.0,
            rebalance_ms: 3_000.0,
        }
    }
}

impl Topic {
    /// Each bad field, with its allowed range.
    pub(crate) fn check(&self, p: &mut Vec<Problem>, place: &str) {
        if !(1..=MAX_PARTITIONS).contains(&self.partitions) {
            p.push(Problem::new(
                place,
                "topic.partitions",
                format!("is {}; allowed: 1 to {MAX_PARTITIONS}", self.partitions),
            ));
        }
        if self.keys > super::MAX_KEYS {
            p.push(Problem::new(
                place,
                "topic.keys",
                format!(
                    "is {}; allowed: 0 (no key) to {}",
                    self.keys,
                    super::MAX_KEYS
                ),
            ));
        }
        if !(self.zipf_exponent.is_finite() && (0.0..=10.0).contains(&self.zipf_exponent)) {
            p.push(Problem::new(
                place,
                "topic.zipf_exponent",
                format!("is {}; allowed: 0 to 10", self.zipf_exponent),
            ));
        }
        if !(self.rebalance_ms.is_finite() && (0.0..=MAX_REBALANCE_MS).contains(&self.rebalance_ms))
        {
            p.push(Problem::new(
                place,
                "topic.rebalance_ms",
                format!(
                    "is {}; allowed: 0 to {MAX_REBALANCE_MS} (ten minutes)",
                    self.rebalance_ms
                ),
            ));
        }
    }

    /// Each partition's share of the messages: equal without keys, else the Zipf key weights summed by
    /// the partition their hash picks (the flow model and the tests use it).
    pub fn partition_shares(&self) -> Vec<f64> {
        let n = self.partitions.max(1) as usize;
        if self.keys == 0 {
            return vec![1.0 / n as f64; n];
        }
        let mut shares = vec![0.0; n];
        let mut total = 0.0;
        for k in 0..self.keys {
            let w = libm::pow((k + 1) as f64, -self.zipf_exponent);
            shares[super::hash_shard(k, n as u32) as usize] += w;
            total += w;
        }
        shares.iter().map(|s| s / total).collect()
    }
}
