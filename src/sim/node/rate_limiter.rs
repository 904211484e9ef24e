//! Rate limiter nodes: token bucket, leaky bucket (as a meter, and as a queue), fixed window, sliding window
//! (exact log).

use std::collections::VecDeque;

use super::{Behaviour, BuildCtx, Built};
use crate::model::{LimitAlgorithm, RateLimiterParams};
use crate::sim::event::Kind;
use crate::sim::world::{NONE, Outcome, World};

/// Compiles a rate limiter (one key per node when it limits per client).
pub(super) fn build<'a>(p: &RateLimiterParams, ctx: &BuildCtx) -> Built<'a> {
    Built::without_workers(Behaviour::RateLimiter(LimiterRt::new(p, ctx.s.nodes.len())))
}

/// A queueing leaky bucket holds requests until their turn to leave: their departures are events of the
/// optional paths.
pub(super) fn build_ext(p: &RateLimiterParams) -> bool {
    p.algorithm == LimitAlgorithm::LeakyBucketQueue
}

/// A request arrives: it goes on, waits for its turn (queueing leaky bucket), or gets a 429.
#[inline]
pub(super) fn arrive(w: &mut World, call: u32) {
    w.limit(call);
}

/// A waiting request's turn to leave a queueing leaky bucket came (the only `Done` a limiter has).
#[inline]
pub(super) fn done(w: &mut World, call: u32) {
    w.limiter_leave(call);
}

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
    /// Leaky bucket as a queue: when the last admitted request leaves (none yet: `None`).
    last_leave_ns: Option<u64>,
}

/// A compiled rate limiter.
#[derive(Clone, Debug)]
pub(crate) struct LimiterRt {
    algorithm: LimitAlgorithm,
    per_ns: f64,
    burst: f64,
    window_ns: u64,
    limit: u64,
    /// Leaky bucket as a queue: the spacing of departures, `1 / rate_rps` rounded to the ns.
    gap_ns: u64,
    per_client: bool,
    /// Per client node index when `per_client`, else one entry.
    keys: Vec<KeyState>,
    /// Requests limited (answered 429).
    pub limited: u64,
}

impl LimiterRt {
    pub(crate) fn new(p: &RateLimiterParams, nodes: usize) -> Self {
        if p.per_client {
            Self::per_key(p, nodes)
        } else {
            Self::keyed(p, 1, false)
        }
    }

    /// A limiter with one state per key `0..keys` (an API gateway's keys): `admit_at`'s first argument is
    /// then the key.
    pub(crate) fn per_key(p: &RateLimiterParams, keys: usize) -> Self {
        Self::keyed(p, keys, true)
    }

    fn keyed(p: &RateLimiterParams, n: usize, per_client: bool) -> Self {
        let window_ns = crate::sim::secs_to_ns(p.window_ms / 1000.0).max(1);
        let mut keys = vec![KeyState::default(); n];
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
            gap_ns: (1e9 / p.rate_rps).round().max(1.0) as u64,
            per_client,
            keys,
            limited: 0,
        }
    }

    /// Takes edited parameters; the state carries over when the keying and algorithm stay the same.
    pub(crate) fn take_params(&mut self, fresh: LimiterRt) {
        let keep = self.algorithm == fresh.algorithm
            && self.per_client == fresh.per_client
            && self.keys.len() == fresh.keys.len();
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
    #[cfg(test)]
    pub(crate) fn admit(&mut self, client: u32, now: u64) -> bool {
        self.admit_at(client, now).is_some()
    }

    /// Admits one request from `client` (a key, for a per-key limiter) at `now`, returning when it may go on (`now` except for a
    /// queueing leaky bucket), or limits it (`None`).
    pub(crate) fn admit_at(&mut self, client: u32, now: u64) -> Option<u64> {
        let i = if self.per_client { client as usize } else { 0 };
        let Some(k) = self.keys.get_mut(i) else {
            return Some(now);
        };
        if self.algorithm == LimitAlgorithm::LeakyBucketQueue {
            // Departures are spaced exactly `gap_ns` back to the last time the bucket was empty, and the
            // first of that run left when it arrived (at or before now), so the requests still in the
            // bucket (leaving at or after now) are the last `(last - now) / gap + 1`.
            let held = match k.last_leave_ns {
                Some(last) if last >= now => (last - now) / self.gap_ns + 1,
                _ => 0,
            };
            if held >= self.burst as u64 {
                self.limited += 1;
                return None;
            }
            let leave = k
                .last_leave_ns
                .map_or(now, |last| now.max(last + self.gap_ns));
            k.last_leave_ns = Some(leave);
            return Some(leave);
        }
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
            LimitAlgorithm::LeakyBucketQueue => true,
        };
        self.limited += !ok as u64;
        ok.then_some(now)
    }
}

impl World {
    /// The client node a call's request came from: the root call's edge starts there.
    pub(crate) fn origin_client(&self, mut call: u32) -> u32 {
        // Parent links of live calls lead to live calls and end at a root, so the walk is at most the
        // live calls long; the bound turns a broken link into a wrong key rather than a loop that never
        // ends.
        for _ in 0..self.calls.len() {
            let parent = self.calls[call as usize].parent;
            if parent == NONE {
                break;
            }
            call = parent;
        }
        // A message a consumer took from a queue starts a chain of its own with no edge behind it: no
        // client to count it against (`admit_at` lets an unknown client through).
        self.edges
            .get(self.calls[call as usize].via_edge as usize)
            .map_or(NONE, |e| e.from)
    }

    /// A request reaches a rate limiter: on it goes, or back comes a 429.
    pub(crate) fn limit(&mut self, call: u32) {
        let c = self.calls[call as usize];
        let per_client = self.nodes[c.node as usize]
            .beh
            .limiter()
            .is_some_and(|l| l.per_client);
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
        let Some(leave) = l.admit_at(client, now) else {
            node.stats.rejected += 1;
            return self.answer(call, Outcome::RateLimited, false);
        };
        if leave > now {
            // It waits in the bucket (shown as the node's queue) until its turn to leave.
            node.queued += 1;
            let q = node.queue_len();
            if q > node.stats.max_queue {
                node.stats.max_queue = q;
            }
            self.queue.push(leave, Kind::Done, call, 0);
            return;
        }
        self.limiter_forward(call);
    }

    /// A request's turn to leave a queueing leaky bucket came.
    #[inline(never)]
    pub(crate) fn limiter_leave(&mut self, call: u32) {
        let now = self.now;
        let node = &mut self.nodes[self.calls[call as usize].node as usize];
        node.touch(now);
        node.queued -= 1;
        self.limiter_forward(call);
    }

    /// An admitted request goes on over the first edge that carries its class.
    fn limiter_forward(&mut self, call: u32) {
        let c = self.calls[call as usize];
        let node = &mut self.nodes[c.node as usize];
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

    #[test]
    fn a_queueing_leaky_bucket_spaces_departures_exactly_and_overflows_past_its_size() {
        let mut l = limiter(LimitAlgorithm::LeakyBucketQueue); // 10/s: a gap of 100 ms; 5 places
        let ms = 1_000_000;
        // 100 requests at once: 5 fit (the first leaves at once), 95 are limited.
        let leave: Vec<Option<u64>> = (0..100).map(|_| l.admit_at(0, 0)).collect();
        let admitted: Vec<u64> = leave.iter().flatten().copied().collect();
        assert_eq!(admitted, vec![0, 100 * ms, 200 * ms, 300 * ms, 400 * ms]);
        assert_eq!(l.limited, 95);
        l.limited = 0;
        // Just after the second left, two places are free again: newcomers leave a gap after the last.
        assert_eq!(l.admit_at(0, 100 * ms + 1), Some(500 * ms));
        assert_eq!(l.admit_at(0, 100 * ms + 1), Some(600 * ms));
        assert_eq!(l.admit_at(0, 100 * ms + 1), None);
        // Once it has drained, a request leaves at once.
        assert_eq!(l.admit_at(0, 2000 * ms), Some(2000 * ms));
        // A steady 20/s into 10/s: departures exactly 100 ms apart; about every other request overflows.
        let mut l = limiter(LimitAlgorithm::LeakyBucketQueue);
        let out: Vec<u64> = (0..200)
            .filter_map(|i| l.admit_at(0, i * 50 * ms))
            .collect();
        assert!(out.windows(2).all(|w| w[1] - w[0] == 100 * ms), "{out:?}");
        // Admitted: one per 100 ms over the 10 s of arrivals (0 to 9900 ms), plus the bucket's 5 still
        // waiting after the last arrival (at 9950 ms).
        assert_eq!(out.len(), 100 + 5);
        assert_eq!(l.limited, 200 - 105);
    }
}
