//! The API gateway node kind: per-key authentication, per-key rate limits (the rate limiter's algorithms,
//! one state per API key) and routing by request class. Defaults are documented here and in
//! `docs/scenario-format.md`.

use serde::{Deserialize, Serialize};

use super::resilience::{LimitAlgorithm, RateLimiterParams};
use super::{Dist, MAX_KEYS, Problem};

/// Steepest Zipf exponent accepted for the keys' popularity (at 5 the top key already takes 96% of the
/// traffic: steeper changes nothing a design would notice).
pub const MAX_GATEWAY_ZIPF: f64 = 5.0;

/// Longest validation-cache TTL accepted, s (one day).
pub const MAX_AUTH_CACHE_TTL_S: f64 = 86_400.0;

/// An API gateway. Each request carries one of `keys` API keys (tenants), drawn by Zipf popularity. A
/// worker authenticates the key (`auth_ms`, or `cached_auth_ms` for a key validated within
/// `auth_cache_ttl_s`), then the key's own rate limit (`limit`, any rate limiter algorithm but the queueing
/// one) admits the request or answers it with a 429, as a rate limiter does. An admitted request goes on over
/// the first outgoing edge whose `classes` carry its class; a request no edge carries fails (a 404). The
/// worker is free once the request is sent on (an event-driven proxy, not a thread per request).
///
/// Authentication comes before the limit because the limit is the key's, which a gateway only trusts
/// once the key is verified (Kong's key-auth plugin runs before its rate-limiting plugin for that reason):
/// a throttled request has paid its authentication. Defaults: 256 concurrent authentications, a queue of
/// 1000, constant 1 ms per authentication, 100 keys of equal popularity, no validation cache, no limit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GatewayParams {
    /// Time to authenticate a request's API key, on a worker. Default constant 1 ms.
    pub auth_ms: Dist,
    /// Concurrent authentications (workers). Default 256.
    pub concurrency: u32,
    /// Requests waiting for a worker before new ones are rejected (503, not 429). Default 1000.
    pub queue_capacity: u32,
    /// API keys (tenants) the requests carry, 1 to 1,000,000. Default 100.
    pub keys: u32,
    /// Zipf exponent of the keys' popularity: key k (from 0) has weight 1/(k+1)^s; 0 is uniform. 0 to 5.
    /// Default 0.
    pub zipf_exponent: f64,
    /// A per-key validation cache: a key fully authenticated within this many seconds pays
    /// `cached_auth_ms` instead of `auth_ms` (whether it is fresh is decided when the request arrives; a
    /// cached authentication does not extend the entry). Default: none (every request pays `auth_ms`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_cache_ttl_s: Option<f64>,
    /// Authentication time of a key found in the validation cache. Default constant 0.1 ms; ignored without
    /// `auth_cache_ttl_s`.
    pub cached_auth_ms: Dist,
    /// The rate limit each key gets (its own bucket or window per key; `per_client` must stay false and
    /// `LeakyBucketQueue` is not offered: a gateway answers at once). Default: none (no limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<RateLimiterParams>,
}

impl Default for GatewayParams {
    fn default() -> Self {
        Self {
            auth_ms: Dist::constant(1.0),
            concurrency: 256,
            queue_capacity: 1000,
            keys: 100,
            zipf_exponent: 0.0,
            auth_cache_ttl_s: None,
            cached_auth_ms: Dist::constant(0.1),
            limit: None,
        }
    }
}

impl GatewayParams {
    /// Range problems of every field, and its edges (`outs`: how many outgoing edges it has).
    pub(super) fn check(&self, p: &mut Vec<Problem>, place: &str, outs: usize) {
        super::validate::check_dist(p, place, "auth_ms", &self.auth_ms);
        super::validate::check_count(p, place, "concurrency", self.concurrency, 1);
        super::validate::check_count(p, place, "queue_capacity", self.queue_capacity, 0);
        if !(1..=MAX_KEYS).contains(&self.keys) {
            p.push(Problem::new(
                place,
                "keys",
                format!("is {}; allowed: 1 to {MAX_KEYS} keys", self.keys),
            ));
        }
        let z = self.zipf_exponent;
        if !(z.is_finite() && (0.0..=MAX_GATEWAY_ZIPF).contains(&z)) {
            p.push(Problem::new(
                place,
                "zipf_exponent",
                format!("is {z}; allowed: 0 to {MAX_GATEWAY_ZIPF}"),
            ));
        }
        if let Some(t) = self.auth_cache_ttl_s
            && !(t.is_finite() && t > 0.0 && t <= MAX_AUTH_CACHE_TTL_S)
        {
            p.push(Problem::new(
                place,
                "auth_cache_ttl_s",
                format!("is {t}; allowed: > 0 and <= {MAX_AUTH_CACHE_TTL_S} s"),
            ));
        }
        super::validate::check_dist(p, place, "cached_auth_ms", &self.cached_auth_ms);
        if let Some(l) = &self.limit {
            for (field, m) in super::limiter_problems(l) {
                p.push(Problem::new(place, format!("limit.{field}"), m));
            }
            if l.algorithm == LimitAlgorithm::LeakyBucketQueue {
                p.push(Problem::new(
                    place,
                    "limit.algorithm",
                    "is LeakyBucketQueue; a gateway answers at once and holds no requests: allowed: \
                     TokenBucket, LeakyBucket, FixedWindow, SlidingWindow",
                ));
            }
            if l.per_client {
                p.push(Problem::new(
                    place,
                    "limit.per_client",
                    "is true; a gateway's limit is always per API key: allowed: false",
                ));
            }
        }
        if outs == 0 {
            p.push(Problem::new(
                place,
                "edges",
                "a gateway needs at least one outgoing edge (the backends it routes to)",
            ));
        }
    }
}

impl GatewayParams {
    /// Each key's share of the requests, key 0 first: weight 1/(k+1)^s, normalised (the engine's Zipf
    /// table, `src/sim/zipf.rs`, draws by the same weights).
    pub fn key_shares(&self) -> Vec<f64> {
        let w: Vec<f64> = (1..=self.keys.max(1))
            .map(|i| libm::pow(f64::from(i), -self.zipf_exponent))
            .collect();
        let sum: f64 = w.iter().sum();
        w.into_iter().map(|x| x / sum).collect()
    }

    /// Requests/s the per-key limit admits out of `offered_rps` arriving as a Poisson stream:
    /// `sum over keys of min(offered_rps x share_k, rate_rps)` (every algorithm's sustained rate is
    /// `rate_rps`). Leaves out the burst (a bucket's `burst` more per key, once, and a window's requests at
    /// its edges) and the Poisson spread (a key offered about its limit loses a little more than this says).
    /// Without a limit, all of `offered_rps`.
    pub fn admitted_rps(&self, offered_rps: f64) -> f64 {
        let Some(l) = &self.limit else {
            return offered_rps;
        };
        self.key_shares()
            .iter()
            .map(|q| (offered_rps * q).min(l.rate_rps))
            .sum()
    }

    /// Mean authentication time, ms, at `offered_rps`. With a validation cache, a key offered `x` requests/s
    /// pays the full time `a` on a share `(1 + x a) / (1 + x (a + ttl))` of its requests: a full
    /// authentication, and the requests arriving while it runs (they find no entry yet), are followed by a
    /// TTL of cached ones, then a Poisson gap to the next request, which pays again. `None` if a time has
    /// no mean.
    pub fn mean_auth_ms(&self, offered_rps: f64) -> Option<f64> {
        let full = self.auth_ms.mean()?;
        let Some(ttl) = self.auth_cache_ttl_s else {
            return Some(full);
        };
        let cached = self.cached_auth_ms.mean()?;
        let a = full / 1000.0;
        let full_share: f64 = self
            .key_shares()
            .iter()
            .map(|q| {
                let x = offered_rps * q;
                q * (1.0 + x * a) / (1.0 + x * (a + ttl))
            })
            .sum();
        Some(full_share * full + (1.0 - full_share) * cached)
    }
}
