//! Rate limiter nodes: token bucket, leaky bucket (as a meter), fixed window, sliding window (exact log).

use std::collections::VecDeque;

use super::world::{Behaviour, NONE, Outcome, World};
use crate::model::{LimitAlgorithm, RateLimiterParams};

/// One key's state (the whole limiter's when global).
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyState {
    /// Tokens (token bucket) or level (leaky bucket), and when it was last brought up to date.
    level: f64,
    last_ns: u64,
    /// Fixed window: the current window's index and its count.
    window: u64,
    count: u64,
    /// Sliding window: times of the admitted requests still inside it.
    log: VecDeque<u64>,
}

/// A compiled rate limiter.
#[derive(Clone, Debug)]
pub(crate) struct LimiterRt {
    algorithm: LimitAlgorithm,
    per_ns: f64,
    burst: f64,
    window_ns: u64,
    limit: u64,
    per_client: bool,
    /// Per client node index when `per_client`, else one entry.
    keys: Vec<KeyState>,
    /// Requests limited (answered 429).
    pub limited: u64,
}

impl LimiterRt {
    pub(crate) fn new(p: &RateLimiterParams, nodes: usize) -> Self {
        let window_ns = super::secs_to_ns(p.window_ms / 1000.0).max(1);
        let mut keys = vec![KeyState::default(); if p.per_client { nodes } else { 1 }];
        for k in &mut keys {
            k.level = if p.algorithm == LimitAlgorithm::TokenBucket {
                p.burst as f64
            } else {
                0.0
            };
        }
        Self {
            algorithm: p.algorithm,
            per_ns: p.rate_rps / 1e9,
            burst: p.burst as f64,
            window_ns,
            limit: (p.rate_rps * p.window_ms / 1000.0).round().max(1.0) as u64,
            per_client: p.per_client,
            keys,
            limited: 0,
        }
    }

    /// Takes edited parameters; the state carries over when the keying and algorithm stay the same.
    pub(crate) fn take_params(&mut self, fresh: LimiterRt) {
        let keep = self.algorithm == fresh.algorithm && self.per_client == fresh.per_client;
        let limited = self.limited;
        if keep {
            let keys = std::mem::take(&mut self.keys);
            *self = LimiterRt { keys, ..fresh };
        } else {
            *self = fresh;
        }
        self.limited = limited;
    }

    /// Admits or limits one request from `client` at `now`.
    pub(crate) fn admit(&mut self, client: u32, now: u64) -> bool {
        let i = if self.per_client { client as usize } else { 0 };
        let Some(k) = self.keys.get_mut(i) else {
            return true;
        };
        let ok = match self.algorithm {
            LimitAlgorithm::TokenBucket => {
                k.level = (k.level + (now - k.last_ns) as f64 * self.per_ns).min(self.burst);
                k.last_ns = now;
                let ok = k.level >= 1.0;
                if ok {
                    k.level -= 1.0;
                }
                ok
            }
            LimitAlgorithm::LeakyBucket => {
                k.level = (k.level - (now - k.last_ns) as f64 * self.per_ns).max(0.0);
                k.last_ns = now;
                let ok = k.level + 1.0 <= self.burst;
                if ok {
                    k.level += 1.0;
                }
                ok
            }
            LimitAlgorithm::FixedWindow => {
                let w = now / self.window_ns;
                if w != k.window {
                    k.window = w;
                    k.count = 0;
                }
                let ok = k.count < self.limit;
                k.count += ok as u64;
                ok
            }
            LimitAlgorithm::SlidingWindow => {
                while k.log.front().is_some_and(|&t| t + self.window_ns <= now) {
                    k.log.pop_front();
                }
                let ok = (k.log.len() as u64) < self.limit;
                if ok {
                    k.log.push_back(now);
                }
                ok
            }
        };
        self.limited += !ok as u64;
        ok
    }
}

impl World {
    /// The client node a call's request came from: the root call's edge starts there.
    fn origin_client(&self, mut call: u32) -> u32 {
        while self.calls[call as usize].parent != NONE {
            call = self.calls[call as usize].parent;
        }
        self.edges[self.calls[call as usize].via_edge as usize].from
    }

    /// A request reaches a rate limiter: on it goes, or back comes a 429.
    pub(crate) fn limit(&mut self, call: u32) {
        let c = self.calls[call as usize];
        let per_client = matches!(&self.nodes[c.node as usize].beh,
            Behaviour::RateLimiter(l) if l.per_client);
        let client = if per_client {
            self.origin_client(call)
        } else {
            0
        };
        let now = self.now;
        let node = &mut self.nodes[c.node as usize];
        let Behaviour::RateLimiter(l) = &mut node.beh else {
            return;
        };
        if !l.admit(client, now) {
            node.stats.rejected += 1;
            return self.answer(call, Outcome::RateLimited, false);
        }
        match node.routes[c.class as usize].first().copied() {
            Some(edge) => self.call_child(call, edge),
            None => {
                node.stats.failed += 1;
                self.respond(call, Outcome::Failed)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(algorithm: LimitAlgorithm) -> LimiterRt {
        LimiterRt::new(
            &RateLimiterParams {
                algorithm,
                rate_rps: 10.0,
                burst: 5,
                window_ms: 1000.0,
                per_client: false,
            },
            1,
        )
    }

    /// Admitted out of `n` requests spaced `gap_ms` apart from t = 0.
    fn admitted(l: &mut LimiterRt, n: u64, gap_ms: u64) -> u64 {
        (0..n)
            .filter(|i| l.admit(0, i * gap_ms * 1_000_000))
            .count() as u64
    }

    #[test]
    fn bursts_pass_up_to_the_bucket_then_the_rate() {
        // 100 requests at once: the bucket's 5 pass.
        assert_eq!(
            admitted(&mut limiter(LimitAlgorithm::TokenBucket), 100, 0),
            5
        );
        assert_eq!(
            admitted(&mut limiter(LimitAlgorithm::LeakyBucket), 100, 0),
            5
        );
        // 100/s for 10 s against 10/s: about 5 + 10 x 10.
        let n = admitted(&mut limiter(LimitAlgorithm::TokenBucket), 1000, 10);
        assert!((100..=106).contains(&n), "{n}");
        let n = admitted(&mut limiter(LimitAlgorithm::LeakyBucket), 1000, 10);
        assert!((100..=106).contains(&n), "{n}");
    }

    #[test]
    fn windows_allow_rate_times_window() {
        // 100/s for 10 s: 10 per window.
        assert_eq!(
            admitted(&mut limiter(LimitAlgorithm::FixedWindow), 1000, 10),
            100
        );
        assert_eq!(
            admitted(&mut limiter(LimitAlgorithm::SlidingWindow), 1000, 10),
            100
        );
    }

    #[test]
    fn a_fixed_window_lets_twice_the_limit_through_across_a_boundary_and_a_sliding_one_does_not() {
        let at = |ms: u64| ms * 1_000_000;
        let mut fixed = limiter(LimitAlgorithm::FixedWindow);
        let mut sliding = limiter(LimitAlgorithm::SlidingWindow);
        let times: Vec<u64> = (0..20).map(|i| at(990 + i)).collect(); // 990..1009 ms
        let f = times.iter().filter(|&&t| fixed.admit(0, t)).count();
        let s = times.iter().filter(|&&t| sliding.admit(0, t)).count();
        assert_eq!(f, 20, "10 before the boundary at 1 s, 10 after");
        assert_eq!(s, 10);
    }
}
