//! The inspector's rows for an API gateway: its workers, keys, validation cache and per-key limit (the
//! rate limiter's rows, without the per-client switch and the queueing algorithm a gateway does not offer).

use egui::Ui;

use crate::model::{GatewayParams, LimitAlgorithm, RateLimiterParams};

use super::dist_ui::dist_ui;
use super::rows::{count, count_row_ui, number_row_ui, switch_row_ui};

/// The limit algorithms a gateway offers: all but the queueing leaky bucket (a gateway holds no requests).
const GATEWAY_ALGORITHMS: [LimitAlgorithm; 4] = [
    LimitAlgorithm::TokenBucket,
    LimitAlgorithm::LeakyBucket,
    LimitAlgorithm::FixedWindow,
    LimitAlgorithm::SlidingWindow,
];

/// A gateway's rows (inside the two-column grid); returns whether one changed.
pub fn gateway_rows_ui(ui: &mut Ui, g: &mut GatewayParams) -> bool {
    let mut changed = false;
    changed |= count(
        ui,
        "Concurrency",
        "Authentications at once (workers); a worker is free once the request is sent on",
        &mut g.concurrency,
        4096,
    );
    changed |= count(
        ui,
        "Queue",
        "Requests waiting for a worker before new ones are rejected (503)",
        &mut g.queue_capacity,
        10_000,
    );
    changed |= count_row_ui(
        ui,
        "API keys",
        "Keys (tenants) the requests carry, each with its own limit",
        &mut g.keys,
        1..=crate::model::MAX_KEYS,
    );
    changed |= number_row_ui(
        ui,
        "Key skew",
        "Zipf exponent of the keys' popularity: 0 is uniform, 1 and above a few hot tenants",
        &mut g.zipf_exponent,
        0.0..=crate::model::MAX_GATEWAY_ZIPF,
        0.01,
        "",
    );
    changed |= switch_row_ui(
        ui,
        "Auth cache",
        "Remember a validated key for a TTL: its requests then pay the cached auth time",
        &mut g.auth_cache_ttl_s,
        || 60.0,
    );
    if let Some(ttl) = g.auth_cache_ttl_s.as_mut() {
        changed |= number_row_ui(
            ui,
            "  cache TTL",
            "How long a validated key stays in the cache",
            ttl,
            0.001..=crate::model::MAX_AUTH_CACHE_TTL_S,
            1.0,
            " s",
        );
    }
    changed |= switch_row_ui(
        ui,
        "Per-key limit",
        "Give every API key its own rate limit; over it, requests get a 429",
        &mut g.limit,
        || RateLimiterParams {
            rate_rps: 10.0,
            burst: 10,
            ..RateLimiterParams::default()
        },
    );
    if let Some(l) = g.limit.as_mut() {
        changed |= super::resilience_ui::limit_rows_ui(ui, l, &GATEWAY_ALGORITHMS);
    }
    changed
}

/// A gateway's time distributions: its authentication, and a cached one with the validation cache.
pub fn gateway_dists_ui(ui: &mut Ui, g: &mut GatewayParams) -> bool {
    let mut changed = dist_ui(ui, "Auth time", &mut g.auth_ms);
    if g.auth_cache_ttl_s.is_some() {
        changed |= dist_ui(ui, "Cached auth time", &mut g.cached_auth_ms);
    }
    changed
}
