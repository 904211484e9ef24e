//! Resilience parameters: retry policies with backoff, jitter and budgets; queue disciplines.
//! Defaults are documented here and in `docs/scenario-format.md`.

use serde::{Deserialize, Serialize};

/// How the sleep before a retry is randomised (Brooker, "Exponential Backoff and Jitter", 2015).
/// With `v = min(cap, base * 2^n)` for the n-th retry (n = 0 for the first):
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Jitter {
    /// `sleep = v` (plain exponential backoff; with `backoff_base_ms: 0` the retry is immediate). Default.
    #[default]
    None,
    /// `sleep = U(0, v)`.
    Full,
    /// `sleep = v/2 + U(0, v/2)`.
    Equal,
    /// `sleep = min(cap, U(base, 3 * previous sleep))`, the first previous sleep being `base`.
    Decorrelated,
}

impl Jitter {
    /// Every variant, for pickers.
    pub const ALL: [Jitter; 4] = [
        Jitter::None,
        Jitter::Full,
        Jitter::Equal,
        Jitter::Decorrelated,
    ];
}

/// A retry budget: a token bucket shared by all requests of its owner. Each success earns
/// `earn_per_success` tokens (up to `capacity`); each retry spends one, and is skipped without a whole token.
/// Under heavy failure it caps retries at about `earn_per_success` per success (amplification ~1.1x with
/// the default), under light failure it behaves like plain retries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryBudget {
    /// Tokens a success earns. Default 0.1 (Brooker 2022).
    pub earn_per_success: f64,
    /// Most tokens held; the bucket starts full. Default 10.
    pub capacity: f64,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self {
            earn_per_success: 0.1,
            capacity: 10.0,
        }
    }
}

/// When and how a failed or timed-out attempt is tried again. Defaults: 3 retries, immediate (base 0),
/// cap 10 s, no jitter, no budget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetryPolicy {
    /// Retries after the first attempt: at most `1 + max_retries` attempts per request.
    pub max_retries: u32,
    /// Backoff base, ms: the sleep before the first retry (before jitter). 0 retries at once.
    pub backoff_base_ms: f64,
    /// Longest sleep, ms.
    pub backoff_cap_ms: f64,
    /// How the sleep is randomised.
    pub jitter: Jitter,
    /// Optional retry budget. Default: none (every allowed retry happens).
    pub budget: Option<RetryBudget>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            backoff_base_ms: 0.0,
            backoff_cap_ms: 10_000.0,
            jitter: Jitter::None,
            budget: None,
        }
    }
}

/// Order in which a node's waiting requests get a worker, and what happens when its queue is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueDiscipline {
    /// First in, first out; a full queue rejects the newcomer. The default.
    #[default]
    Fifo,
    /// Last in, first out (newest first): under overload the fresh requests, whose clients still wait, are
    /// served; a full queue rejects the newcomer.
    Lifo,
    /// First in, first out, but a full queue drops its oldest request (answered as rejected) to make room.
    DropOldest,
    /// Highest class priority first (the node's `class_priority`), first in, first out within a priority. A
    /// full queue makes room for a newcomer by dropping the newest waiting request of the lowest priority
    /// below the newcomer's (answered as rejected); otherwise it rejects the newcomer.
    Priority,
}

impl QueueDiscipline {
    /// Every variant, for pickers.
    pub const ALL: [QueueDiscipline; 4] = [
        QueueDiscipline::Fifo,
        QueueDiscipline::Lifo,
        QueueDiscipline::DropOldest,
        QueueDiscipline::Priority,
    ];
}

/// Highest class priority accepted.
pub const MAX_PRIORITY: u32 = 255;

/// Largest edge `timeout_ms` accepted (one hour).
pub const MAX_TIMEOUT_MS: f64 = 3_600_000.0;

/// Range problem of an optional timeout, as a message.
pub fn timeout_problem(t: Option<f64>) -> Option<String> {
    let t = t?;
    (!(t.is_finite() && t > 0.0 && t <= MAX_TIMEOUT_MS))
        .then(|| format!("is {t}; allowed: > 0 and <= {MAX_TIMEOUT_MS} ms"))
}

/// Largest `max_retries` accepted.
pub const MAX_RETRIES: u32 = 100;
/// Longest backoff accepted, ms (one hour).
pub const MAX_BACKOFF_MS: f64 = 3_600_000.0;

/// Range problems of a retry policy, as `(field under the policy, message)`.
pub fn retry_problems(r: &RetryPolicy) -> Vec<(String, String)> {
    let mut p = Vec::new();
    if r.max_retries > MAX_RETRIES {
        p.push((
            "max_retries".into(),
            format!("is {}; allowed: 0 to {MAX_RETRIES}", r.max_retries),
        ));
    }
    let base_ok =
        r.backoff_base_ms.is_finite() && (0.0..=MAX_BACKOFF_MS).contains(&r.backoff_base_ms);
    if !base_ok {
        p.push((
            "backoff_base_ms".into(),
            format!(
                "is {}; allowed: 0 to {MAX_BACKOFF_MS} ms",
                r.backoff_base_ms
            ),
        ));
    }
    if !(r.backoff_cap_ms.is_finite() && (0.0..=MAX_BACKOFF_MS).contains(&r.backoff_cap_ms)) {
        p.push((
            "backoff_cap_ms".into(),
            format!("is {}; allowed: 0 to {MAX_BACKOFF_MS} ms", r.backoff_cap_ms),
        ));
    } else if base_ok && r.backoff_cap_ms < r.backoff_base_ms {
        p.push((
            "backoff_cap_ms".into(),
            format!(
                "is {}; it must be >= backoff_base_ms ({})",
                r.backoff_cap_ms, r.backoff_base_ms
            ),
        ));
    }
    if let Some(b) = &r.budget {
        if !(b.earn_per_success.is_finite() && (0.0..=1.0).contains(&b.earn_per_success)) {
            p.push((
                "budget.earn_per_success".into(),
                format!(
                    "is {}; allowed: 0 to 1 token per success",
                    b.earn_per_success
                ),
            ));
        }
        if !(b.capacity.is_finite() && (1.0..=1e9).contains(&b.capacity)) {
            p.push((
                "budget.capacity".into(),
                format!("is {}; allowed: 1 to 1e9 tokens", b.capacity),
            ));
        }
    }
    p
}

/// A circuit breaker on an edge (closed / open / half-open). Closed: calls pass and their outcomes fill a
/// window of the last `window` calls; when the window is full and the share of failures (errors,
/// rejections) reaches `failure_rate`, it opens. Open: calls fail at once, without reaching the callee, for
/// `open_ms`. Half-open: up to `probes` calls pass; one failure opens it again, `probes` successes close it.
/// Defaults: rate 0.5 over 20 calls, open 5 s, 3 probes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CircuitBreaker {
    /// Share of failed calls in the window that opens the breaker.
    pub failure_rate: f64,
    /// Calls in the sliding window (count-based).
    pub window: u32,
    /// How long it stays open before probing, ms.
    pub open_ms: f64,
    /// Trial calls let through when half-open.
    pub probes: u32,
}

impl Default for CircuitBreaker {
    fn default() -> Self {
        Self {
            failure_rate: 0.5,
            window: 20,
            open_ms: 5000.0,
            probes: 3,
        }
    }
}

/// Range problems of a circuit breaker, as `(field under the breaker, message)`.
pub fn breaker_problems(b: &CircuitBreaker) -> Vec<(String, String)> {
    let mut p = Vec::new();
    if !(b.failure_rate.is_finite() && b.failure_rate > 0.0 && b.failure_rate <= 1.0) {
        p.push((
            "failure_rate".into(),
            format!("is {}; allowed: > 0 and <= 1", b.failure_rate),
        ));
    }
    if !(1..=10_000).contains(&b.window) {
        p.push((
            "window".into(),
            format!("is {}; allowed: 1 to 10000 calls", b.window),
        ));
    }
    if !(b.open_ms.is_finite() && b.open_ms > 0.0 && b.open_ms <= MAX_BACKOFF_MS) {
        p.push((
            "open_ms".into(),
            format!("is {}; allowed: > 0 and <= {MAX_BACKOFF_MS} ms", b.open_ms),
        ));
    }
    if !(1..=10_000).contains(&b.probes) {
        p.push((
            "probes".into(),
            format!("is {}; allowed: 1 to 10000 calls", b.probes),
        ));
    }
    p
}

/// How a rate limiter decides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LimitAlgorithm {
    /// Tokens refill at `rate_rps` up to `burst`; a request takes one or is limited. The default.
    #[default]
    TokenBucket,
    /// A bucket of size `burst` leaking at `rate_rps`; each request adds one, and is limited if it would
    /// overflow (the leaky bucket as a meter).
    LeakyBucket,
    /// At most `rate_rps x window_ms` requests per window aligned to multiples of `window_ms`.
    FixedWindow,
    /// At most `rate_rps x window_ms` requests in any `window_ms` ending now (an exact sliding log).
    SlidingWindow,
    /// The leaky bucket as a queue (a traffic shaper): requests wait in a bucket of `burst` places and
    /// leave one every `1 / rate_rps`; a request that finds the bucket full is limited.
    LeakyBucketQueue,
}

impl LimitAlgorithm {
    /// Every variant, for pickers.
    pub const ALL: [LimitAlgorithm; 5] = [
        LimitAlgorithm::TokenBucket,
        LimitAlgorithm::LeakyBucket,
        LimitAlgorithm::LeakyBucketQueue,
        LimitAlgorithm::FixedWindow,
        LimitAlgorithm::SlidingWindow,
    ];
}

/// A rate limiter (e.g. an API gateway's): admitted requests go on over its first outgoing edge that carries
/// the class; the others are answered at once with a 429 (`rate_limited`). Defaults: token bucket, 100/s,
/// burst 100, window 1 s, global.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimiterParams {
    /// The algorithm.
    pub algorithm: LimitAlgorithm,
    /// Sustained rate allowed, requests/s (per client when `per_client`).
    pub rate_rps: f64,
    /// Bucket size for the bucket algorithms, requests (for `LeakyBucketQueue`: places in its queue, the
    /// request leaving now included).
    pub burst: u32,
    /// Window for the window algorithms, ms.
    pub window_ms: f64,
    /// One limit per originating client node instead of one for all.
    pub per_client: bool,
}

impl Default for RateLimiterParams {
    fn default() -> Self {
        Self {
            algorithm: LimitAlgorithm::TokenBucket,
            rate_rps: 100.0,
            burst: 100,
            window_ms: 1000.0,
            per_client: false,
        }
    }
}

/// Range problems of a rate limiter, as `(field, message)`.
pub fn limiter_problems(r: &RateLimiterParams) -> Vec<(String, String)> {
    let mut p = Vec::new();
    if !(r.rate_rps.is_finite() && r.rate_rps > 0.0 && r.rate_rps <= 1e7) {
        p.push((
            "rate_rps".into(),
            format!("is {}; allowed: > 0 and <= 10000000 requests/s", r.rate_rps),
        ));
    }
    if !(1..=10_000_000).contains(&r.burst) {
        p.push((
            "burst".into(),
            format!("is {}; allowed: 1 to 10000000 requests", r.burst),
        ));
    }
    if !(r.window_ms.is_finite() && r.window_ms >= 1.0 && r.window_ms <= MAX_BACKOFF_MS) {
        p.push((
            "window_ms".into(),
            format!("is {}; allowed: 1 to {MAX_BACKOFF_MS} ms", r.window_ms),
        ));
    } else if matches!(
        r.algorithm,
        LimitAlgorithm::FixedWindow | LimitAlgorithm::SlidingWindow
    ) && r.rate_rps.is_finite()
        && r.rate_rps * r.window_ms / 1000.0 > 1e6
    {
        p.push((
            "window_ms".into(),
            format!(
                "allows {} requests per window; at most 1000000 (shorten the window)",
                r.rate_rps * r.window_ms / 1000.0
            ),
        ));
    }
    p
}
