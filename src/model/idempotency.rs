//! Idempotency and at-least-once delivery: the options that make duplicate side effects visible (a
//! database's `side_effects`), suppress them (`idempotency`) or produce them (a queue's
//! `visibility_timeout_ms`), with their checks.

use serde::{Deserialize, Serialize};

use super::{DatabaseParams, Problem, QueueParams};

/// Longest idempotency-key lifetime accepted, seconds (one year): a key store never keeps keys longer.
pub const MAX_TTL_S: f64 = 365.0 * 24.0 * 3600.0;
/// Longest visibility timeout accepted, ms (one day).
pub const MAX_VISIBILITY_MS: f64 = 24.0 * 3600.0 * 1000.0;
/// Most deliveries of one message accepted.
pub const MAX_DELIVERIES: u32 = 1000;

/// Deduplication by idempotency key: a write whose key committed at this database less than `ttl_s` ago
/// answers success without committing again. Default TTL: 24 hours (what payment APIs commonly keep).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Idempotency {
    /// How long a committed key is remembered, seconds of simulated time from its first commit.
    pub ttl_s: f64,
}

impl Default for Idempotency {
    fn default() -> Self {
        Self { ttl_s: 86_400.0 }
    }
}

/// Default `max_deliveries` of a queue with a visibility timeout.
pub const DEFAULT_MAX_DELIVERIES: u32 = 5;

/// Is `v` the default `max_deliveries` (left out when saving)?
pub fn is_default_max_deliveries(v: &u32) -> bool {
    *v == DEFAULT_MAX_DELIVERIES
}

/// A database's duplicate-counting and deduplication options: `problems` for each bad field.
pub(crate) fn check_database(p: &mut Vec<Problem>, place: &str, d: &DatabaseParams) {
    if let Some(i) = &d.idempotency
        && !(i.ttl_s.is_finite() && i.ttl_s > 0.0 && i.ttl_s <= MAX_TTL_S)
    {
        p.push(Problem::new(
            place,
            "idempotency.ttl_s",
            format!("is {}; allowed: > 0 and <= {MAX_TTL_S} (one year)", i.ttl_s),
        ));
    }
    if (d.side_effects || d.idempotency.is_some()) && d.optimistic.is_some() {
        p.push(Problem::new(
            place,
            "optimistic",
            "cannot be combined with side_effects or idempotency yet; remove one of them",
        ));
    }
}

/// A queue's at-least-once delivery options.
pub(crate) fn check_queue(p: &mut Vec<Problem>, place: &str, q: &QueueParams) {
    if let Some(v) = q.visibility_timeout_ms
        && !(v.is_finite() && v > 0.0 && v <= MAX_VISIBILITY_MS)
    {
        p.push(Problem::new(
            place,
            "visibility_timeout_ms",
            format!("is {v}; allowed: > 0 and <= {MAX_VISIBILITY_MS} (one day)"),
        ));
    }
    if !(1..=MAX_DELIVERIES).contains(&q.max_deliveries) {
        p.push(Problem::new(
            place,
            "max_deliveries",
            format!("is {}; allowed: 1 to {MAX_DELIVERIES}", q.max_deliveries),
        ));
    }
}
