//! Circuit breakers on edges: closed / open / half-open, over a count window of call outcomes.

use std::collections::VecDeque;

use crate::model::CircuitBreaker;

/// Where a breaker is in its cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BreakerState {
    Closed,
    /// Failing fast until the time, ns.
    Open {
        until_ns: u64,
    },
    /// Letting `probes` trial calls through; counts those sent and succeeded.
    HalfOpen {
        sent: u32,
        ok: u32,
    },
}

/// A breaker's parameters and state.
#[derive(Clone, Debug)]
pub(crate) struct BreakerRt {
    failure_rate: f64,
    window: usize,
    open_ns: u64,
    probes: u32,
    pub state: BreakerState,
    /// Outcomes of the last calls while closed (true = failed), and how many of them failed.
    recent: VecDeque<bool>,
    failures: usize,
    /// Times it opened.
    pub opened: u64,
    /// Calls failed at once while open.
    pub fast_failed: u64,
    /// Time it was or will be open over all its openings, ns, and that figure at the end of the warm-up.
    open_total_ns: u64,
    open_warm_ns: u64,
}

impl BreakerRt {
    pub(crate) fn new(b: &CircuitBreaker) -> Self {
        Self {
            failure_rate: b.failure_rate,
            window: b.window as usize,
            open_ns: super::secs_to_ns(b.open_ms / 1000.0),
            probes: b.probes,
            state: BreakerState::Closed,
            recent: VecDeque::new(),
            failures: 0,
            opened: 0,
            fast_failed: 0,
            open_total_ns: 0,
            open_warm_ns: 0,
        }
    }

    /// Takes edited parameters, keeping the state and counts.
    pub(crate) fn take_params(&mut self, fresh: BreakerRt) {
        self.failure_rate = fresh.failure_rate;
        self.window = fresh.window;
        self.open_ns = fresh.open_ns;
        self.probes = fresh.probes;
        while self.recent.len() > self.window {
            if self.recent.pop_front() == Some(true) {
                self.failures -= 1;
            }
        }
    }

    /// May a call go through now? Counts a refused one.
    pub(crate) fn admit(&mut self, now: u64) -> bool {
        if let BreakerState::Open { until_ns } = self.state
            && now >= until_ns
        {
            self.state = BreakerState::HalfOpen { sent: 0, ok: 0 };
        }
        let pass = match &mut self.state {
            BreakerState::Closed => true,
            BreakerState::Open { .. } => false,
            BreakerState::HalfOpen { sent, .. } => {
                let pass = *sent < self.probes;
                *sent += pass as u32;
                pass
            }
        };
        if !pass {
            self.fast_failed += 1;
        }
        pass
    }

    /// Records the outcome of a call that went through.
    pub(crate) fn record(&mut self, failed: bool, now: u64) {
        match &mut self.state {
            BreakerState::Closed => {
                self.recent.push_back(failed);
                self.failures += failed as usize;
                if self.recent.len() > self.window && self.recent.pop_front() == Some(true) {
                    self.failures -= 1;
                }
                if self.recent.len() == self.window
                    && self.failures as f64 >= self.failure_rate * self.window as f64
                {
                    self.open(now);
                }
            }
            // Answers to calls sent before it opened.
            BreakerState::Open { .. } => {}
            BreakerState::HalfOpen { ok, .. } => {
                if failed {
                    self.open(now);
                } else {
                    *ok += 1;
                    if *ok >= self.probes {
                        self.state = BreakerState::Closed;
                    }
                }
            }
        }
    }

    /// Time spent open up to `now`, ns.
    fn open_ns_until(&self, now: u64) -> u64 {
        let ahead = match self.state {
            BreakerState::Open { until_ns } => until_ns.saturating_sub(now),
            _ => 0,
        };
        self.open_total_ns - ahead
    }

    /// Time spent open since the end of the warm-up, ns.
    pub(crate) fn open_ns_since_warmup(&self, now: u64) -> u64 {
        self.open_ns_until(now) - self.open_warm_ns
    }

    /// Restarts the counts at the end of the warm-up.
    pub(crate) fn warmup_end(&mut self, now: u64) {
        self.opened = 0;
        self.fast_failed = 0;
        self.open_warm_ns = self.open_ns_until(now);
    }

    fn open(&mut self, now: u64) {
        self.state = BreakerState::Open {
            until_ns: now + self.open_ns,
        };
        self.open_total_ns += self.open_ns;
        self.opened += 1;
        self.recent.clear();
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> BreakerRt {
        BreakerRt::new(&CircuitBreaker {
            failure_rate: 0.5,
            window: 4,
            open_ms: 1.0,
            probes: 2,
        })
    }

    #[test]
    fn opens_at_the_failure_rate_over_a_full_window() {
        let mut b = breaker();
        for (i, failed) in [true, false, true].into_iter().enumerate() {
            assert!(b.admit(i as u64));
            b.record(failed, i as u64);
            assert_eq!(b.state, BreakerState::Closed, "window not full yet");
        }
        b.record(false, 3);
        assert_eq!(
            b.state,
            BreakerState::Open {
                until_ns: 3 + 1_000_000
            }
        );
        assert!(!b.admit(10), "open: fail fast");
        assert_eq!(b.fast_failed, 1);
    }

    #[test]
    fn stays_closed_below_the_rate() {
        let mut b = breaker();
        for i in 0..100 {
            b.record(i % 4 == 0, i); // 25% failures
        }
        assert_eq!(b.state, BreakerState::Closed);
    }

    #[test]
    fn half_open_probes_close_it_or_reopen_it() {
        let mut b = breaker();
        for i in 0..4 {
            b.record(true, i);
        }
        let until = 3 + 1_000_000;
        assert!(!b.admit(until - 1));
        assert!(b.admit(until), "half-open: first probe");
        assert!(b.admit(until), "second probe");
        assert!(!b.admit(until), "no more than `probes` in trial");
        b.record(false, until + 1);
        b.record(false, until + 2);
        assert_eq!(b.state, BreakerState::Closed);

        for i in 0..4 {
            b.record(true, until + 10 + i);
        }
        let until2 = until + 13 + 1_000_000;
        assert!(b.admit(until2));
        b.record(true, until2 + 5);
        assert_eq!(
            b.state,
            BreakerState::Open {
                until_ns: until2 + 5 + 1_000_000
            },
            "a failed probe opens it again"
        );
        assert_eq!(b.opened, 3);
    }
}
