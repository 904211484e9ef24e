//! Client retries: backoff with jitter (Brooker 2015) and retry budgets (token buckets).
//!
//! Each attempt is its own request slot (`Req`), so an abandoned attempt's late answer finds its slot
//! resolved and is dropped, while the next attempt carries the original issue time: the latency a client
//! sees includes its retries. The side tables here are only written when some client retries, so a
//! scenario without retries pays one predictable branch.

use super::event::Kind;
use super::sampler::{SimRng, unit};
use super::world::{NONE, Req, World};
use crate::model::{Jitter, RetryPolicy};

/// A compiled retry policy with its budget's live token count.
#[derive(Clone, Debug)]
pub(crate) struct RetryRt {
    pub max_retries: u32,
    pub base_ns: f64,
    pub cap_ns: f64,
    pub jitter: Jitter,
    /// `(earn per success, capacity)` when budgeted.
    pub budget: Option<(f64, f64)>,
    pub tokens: f64,
}

impl RetryRt {
    pub(crate) fn new(p: &RetryPolicy) -> Self {
        let budget = p.budget.as_ref().map(|b| (b.earn_per_success, b.capacity));
        Self {
            max_retries: p.max_retries,
            base_ns: p.backoff_base_ms * 1e6,
            cap_ns: p.backoff_cap_ms * 1e6,
            jitter: p.jitter,
            budget,
            tokens: budget.map_or(0.0, |b| b.1),
        }
    }

    /// Takes the policy's parameters from an edited copy, keeping the tokens (clamped to the new capacity;
    /// a budget switched on starts full).
    pub(crate) fn take_params(&mut self, fresh: RetryRt) {
        let tokens = match (self.budget, fresh.budget) {
            (Some(_), Some((_, cap))) => self.tokens.min(cap),
            _ => fresh.tokens,
        };
        *self = RetryRt { tokens, ..fresh };
    }

    /// The sleep before retry number `n` (0 for the first retry), ns; `prev_ns` is the previous sleep
    /// (decorrelated jitter only).
    pub(crate) fn sleep_ns(&self, n: u32, prev_ns: u64, rng: &mut SimRng) -> u64 {
        // ldexp is exact, and n is capped so 2^n stays finite.
        let v = libm::ldexp(self.base_ns, n.min(1000) as i32).min(self.cap_ns);
        let s = match self.jitter {
            Jitter::None => v,
            Jitter::Full => unit(rng) * v,
            Jitter::Equal => v / 2.0 + unit(rng) * (v / 2.0),
            Jitter::Decorrelated => {
                let prev = if n == 0 { self.base_ns } else { prev_ns as f64 };
                let hi = (3.0 * prev).max(self.base_ns);
                (self.base_ns + unit(rng) * (hi - self.base_ns)).min(self.cap_ns)
            }
        };
        s.round().max(0.0) as u64
    }

    /// May a retry happen now? Spends a token if budgeted.
    pub(crate) fn spend(&mut self) -> bool {
        match self.budget {
            None => true,
            Some(_) if self.tokens >= 1.0 => {
                self.tokens -= 1.0;
                true
            }
            Some(_) => false,
        }
    }

    pub(crate) fn earn(&mut self) {
        if let Some((earn, cap)) = self.budget {
            self.tokens = (self.tokens + earn).min(cap);
        }
    }
}

/// Per request slot: which client and class it belongs to, and its last backoff sleep; and when the last
/// request resolved.
#[derive(Default)]
pub(crate) struct Retries {
    /// Does any client retry or send a batch, or does some node count side effects (whose idempotency keys
    /// are given out under this flag)? Only then is this bookkeeping kept.
    pub on: bool,
    /// Does any client send a `Batch`? Then the report says when its last request resolved.
    pub batch: bool,
    /// When the last request issued after the warm-up resolved (its final outcome), ns.
    pub last_resolved_ns: Option<u64>,
    client_of: Vec<u32>,
    class_of: Vec<u8>,
    prev_sleep_ns: Vec<u64>,
}

impl Retries {
    /// Bookkeeping, on if some client retries or sends a batch.
    pub(crate) fn new(retry: bool, batch: bool) -> Self {
        Self {
            on: retry || batch,
            batch,
            ..Default::default()
        }
    }

    /// Turns retries on mid-run: the `slots` requests already allocated have no recorded owner and are
    /// never retried.
    pub(crate) fn start(&mut self, slots: usize) {
        self.on = true;
        self.client_of.clear();
        self.client_of.resize(slots, NONE);
        self.class_of.resize(slots, 0);
        self.prev_sleep_ns.resize(slots, 0);
    }

    /// The client that owns request slot `req`, or `NONE` when none was recorded.
    pub(crate) fn client_of(&self, req: usize) -> u32 {
        self.client_of.get(req).copied().unwrap_or(NONE)
    }

    /// Records the owner of a fresh request slot.
    pub(crate) fn note(&mut self, req: u32, client: u32, class: u8, prev_sleep_ns: u64) {
        let i = req as usize;
        if self.client_of.len() <= i {
            self.client_of.resize(i + 1, NONE);
            self.class_of.resize(i + 1, 0);
            self.prev_sleep_ns.resize(i + 1, 0);
        }
        self.client_of[i] = client;
        self.class_of[i] = class;
        self.prev_sleep_ns[i] = prev_sleep_ns;
    }
}

impl World {
    fn client_retry(&mut self, c: u32) -> Option<&mut RetryRt> {
        self.nodes[c as usize]
            .beh
            .client_mut()
            .and_then(|cl| cl.retry.as_mut())
    }

    /// An attempt just failed, timed out or was rejected (and is marked resolved): starts the next attempt
    /// if the policy and budget allow. Returns whether it did; the caller then counts no outcome yet.
    pub(crate) fn retry_after(&mut self, req: u32) -> bool {
        let i = req as usize;
        if self.retries.client_of.get(i).is_none_or(|&c| c == NONE) {
            return false;
        }
        let (c, class, prev) = (
            self.retries.client_of[i],
            self.retries.class_of[i],
            self.retries.prev_sleep_ns[i],
        );
        let old = self.reqs[i];
        let n = old.attempt as u32;
        let Some(rt) = self.client_retry(c) else {
            return false;
        };
        if n >= rt.max_retries || !rt.spend() {
            return false;
        }
        let rt = rt.clone();
        let (sleep, timeout) = {
            let node = &mut self.nodes[c as usize];
            let sleep = rt.sleep_ns(n, prev, &mut node.rng);
            node.stats.retries += 1;
            let timeout = node.beh.client().is_some_and(|cl| cl.timeout_ns.is_some());
            (sleep, timeout)
        };
        if old.measured {
            self.counts.retries += 1;
        }
        self.bucket.retries += 1;
        let next = self.alloc_req(Req {
            issued_ns: old.issued_ns,
            refs: 1 + timeout as u32,
            measured: old.measured,
            resolved: false,
            attempt: old.attempt.saturating_add(1),
        });
        if self.idem.on {
            self.idem.begin(next, Some(req));
        }
        self.retries.note(next, c, class, sleep);
        if sleep == 0 {
            self.send_attempt(c, next, class);
        } else {
            self.queue.push(self.now + sleep, Kind::Retry, next, 0);
        }
        true
    }

    /// A backoff sleep ended: the attempt goes out.
    pub(crate) fn retry_fire(&mut self, req: u32) {
        let i = req as usize;
        let (c, class) = (self.retries.client_of[i], self.retries.class_of[i]);
        self.send_attempt(c, req, class);
    }

    /// A request succeeded: its client's budget earns.
    pub(crate) fn retry_earn(&mut self, req: u32) {
        let c = self
            .retries
            .client_of
            .get(req as usize)
            .copied()
            .unwrap_or(NONE);
        if c != NONE
            && let Some(rt) = self.client_retry(c)
        {
            rt.earn();
        }
    }
}
