//! Optional node features: load-balancer health checks, a key model for caches, autoscaling for services.
//! Each is `None` by default, so files without them behave exactly as before.

use serde::{Deserialize, Serialize};

use super::{MAX_COUNT, Problem};

/// Largest key space a cache's key model accepts: the popularity table costs 8 bytes per key.
pub const MAX_KEYS: u32 = 1_000_000;

/// A load balancer's active health checks: every `interval_s` it probes each backend; after
/// `failure_threshold` failed probes in a row the backend gets no new requests, after `recovery_threshold`
/// good probes in a row it gets them again. A probe fails when the backend is crashed or the edge is cut.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthCheck {
    /// Seconds between probes (> 0). Default 5.
    pub interval_s: f64,
    /// Failed probes in a row that mark a backend down (>= 1). Default 3.
    pub failure_threshold: u32,
    /// Good probes in a row that mark it up again (>= 1). Default 2.
    pub recovery_threshold: u32,
}

impl Default for HealthCheck {
    fn default() -> Self {
        Self {
            interval_s: 5.0,
            failure_threshold: 3,
            recovery_threshold: 2,
        }
    }
}

/// A cache's key model, replacing the fixed hit ratio: each lookup draws a key from a Zipf popularity over
/// `key_count` keys; a lookup hits when the key is cached and younger than `ttl_s`. Misses fetch from the
/// backing store and fill the cache (least recently used keys are evicted beyond `capacity`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeyModel {
    /// Distinct keys, 1 to 1,000,000. Default 10,000.
    pub key_count: u32,
    /// Zipf exponent s (key k has weight 1/k^s); 0 is uniform, about 1 is typical of web traffic. Default 1.
    pub zipf_exponent: f64,
    /// Keys the cache holds (LRU), 1 to 1,000,000. Default 1,000.
    pub capacity: u32,
    /// Seconds a filled key stays valid. Default: none (never expires).
    pub ttl_s: Option<f64>,
    /// Request coalescing: while one miss for a key is fetching, other lookups of that key wait for its
    /// answer instead of going to the backing store. Default false.
    pub coalesce: bool,
}

impl Default for KeyModel {
    fn default() -> Self {
        Self {
            key_count: 10_000,
            zipf_exponent: 1.0,
            capacity: 1_000,
            ttl_s: None,
            coalesce: false,
        }
    }
}

/// A service's autoscaler: every `interval_s` it compares the utilization over the last interval with
/// `target_utilization` and asks for `ceil(replicas x utilization / target)` replicas, within
/// `min_replicas..=max_replicas`. New replicas take work after `scale_up_delay_s` (cold start); after a
/// change it waits `cooldown_s` before the next one. Scale-down retires replicas at once (they finish what
/// they hold).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Autoscale {
    /// Utilization the autoscaler aims for, in (0, 1]. Default 0.6.
    pub target_utilization: f64,
    /// Fewest replicas (>= 1). Default 1.
    pub min_replicas: u32,
    /// Most replicas (>= min_replicas). Default 10.
    pub max_replicas: u32,
    /// Seconds between evaluations (> 0). Default 10.
    pub interval_s: f64,
    /// Seconds before a new replica takes work (>= 0). Default 30.
    pub scale_up_delay_s: f64,
    /// Seconds after a change before the next one (>= 0). Default 60.
    pub cooldown_s: f64,
}

impl Default for Autoscale {
    fn default() -> Self {
        Self {
            target_utilization: 0.6,
            min_replicas: 1,
            max_replicas: 10,
            interval_s: 10.0,
            scale_up_delay_s: 30.0,
            cooldown_s: 60.0,
        }
    }
}

fn positive(p: &mut Vec<Problem>, place: &str, field: &str, v: f64) {
    if !(v.is_finite() && v > 0.0) {
        p.push(Problem::new(
            place,
            field,
            format!("is {v}; it must be > 0"),
        ));
    }
}

fn non_negative(p: &mut Vec<Problem>, place: &str, field: &str, v: f64) {
    if !(v.is_finite() && v >= 0.0) {
        p.push(Problem::new(
            place,
            field,
            format!("is {v}; it must be >= 0"),
        ));
    }
}

fn count(p: &mut Vec<Problem>, place: &str, field: &str, v: u32, min: u32, max: u32) {
    if v < min || v > max {
        p.push(Problem::new(
            place,
            field,
            format!("is {v}; allowed: {min} to {max}"),
        ));
    }
}

impl HealthCheck {
    pub(super) fn check(&self, p: &mut Vec<Problem>, place: &str) {
        positive(p, place, "health_check.interval_s", self.interval_s);
        count(
            p,
            place,
            "health_check.failure_threshold",
            self.failure_threshold,
            1,
            MAX_COUNT,
        );
        count(
            p,
            place,
            "health_check.recovery_threshold",
            self.recovery_threshold,
            1,
            MAX_COUNT,
        );
    }
}

impl KeyModel {
    pub(super) fn check(&self, p: &mut Vec<Problem>, place: &str) {
        count(p, place, "keys.key_count", self.key_count, 1, MAX_KEYS);
        count(p, place, "keys.capacity", self.capacity, 1, MAX_KEYS);
        if !(self.zipf_exponent.is_finite() && (0.0..=10.0).contains(&self.zipf_exponent)) {
            p.push(Problem::new(
                place,
                "keys.zipf_exponent",
                format!("is {}; allowed: 0 to 10", self.zipf_exponent),
            ));
        }
        if let Some(t) = self.ttl_s {
            positive(p, place, "keys.ttl_s", t);
        }
    }
}

impl Autoscale {
    pub(super) fn check(&self, p: &mut Vec<Problem>, place: &str) {
        let u = self.target_utilization;
        if !(u.is_finite() && u > 0.0 && u <= 1.0) {
            p.push(Problem::new(
                place,
                "autoscale.target_utilization",
                format!("is {u}; allowed: > 0 and <= 1"),
            ));
        }
        count(
            p,
            place,
            "autoscale.min_replicas",
            self.min_replicas,
            1,
            MAX_COUNT,
        );
        count(
            p,
            place,
            "autoscale.max_replicas",
            self.max_replicas,
            self.min_replicas.max(1),
            MAX_COUNT,
        );
        positive(p, place, "autoscale.interval_s", self.interval_s);
        non_negative(
            p,
            place,
            "autoscale.scale_up_delay_s",
            self.scale_up_delay_s,
        );
        non_negative(p, place, "autoscale.cooldown_s", self.cooldown_s);
    }
}
