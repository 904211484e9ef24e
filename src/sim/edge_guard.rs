//! Resilience on the calls between nodes: per-call timeouts, retries (the client's `RetryRt`, reused) and
//! circuit breakers on edges, with the per-edge counters of the report.
//!
//! A call over an edge with a timeout or a retry policy goes through an *attempt stub*: a call slot on the
//! caller's node standing between the waiting parent and the child sent to the callee, one per attempt. The
//! child answers its stub, never the parent, so an abandoned attempt's late answer (or a stale timer) finds
//! a stub that no longer waits and only releases it, whatever the parent has moved on to. A stub lives
//! until its child has answered and its timer has fired (`refs`), like a client request and its timer.
//! Edges without a timeout or retries never make stubs; scenarios with none of them never get here (the
//! engine enters through `ext_on()`).

use super::breaker::{BreakerRt, BreakerState};
use super::event::{GuardWake, Kind};
use super::retry::RetryRt;
use super::snapshot::DotOutcome;
use super::world::{NONE, Outcome, World};
use crate::metrics::{BreakerReport, EdgeReport};
use crate::model::Edge;

/// An edge's resilience settings and counters (since the warm-up).
#[derive(Clone, Debug)]
pub(crate) struct GuardRt {
    pub breaker: Option<BreakerRt>,
    pub timeout_ns: Option<u64>,
    pub retry: Option<RetryRt>,
    /// Calls go through attempt stubs (a timeout or a retry policy is set).
    pub stubbed: bool,
    pub failures: u64,
    pub timeouts: u64,
    pub retries: u64,
}

impl GuardRt {
    /// The guard an edge needs, if any.
    pub(crate) fn new(e: &Edge) -> Option<Box<Self>> {
        if e.breaker.is_none() && e.timeout_ms.is_none() && e.retry.is_none() {
            return None;
        }
        Some(Box::new(Self {
            breaker: e.breaker.as_ref().map(BreakerRt::new),
            timeout_ns: e.timeout_ms.map(|t| super::sampler::to_ns(t * 1e6).max(1)),
            retry: e.retry.as_ref().map(RetryRt::new),
            stubbed: e.timeout_ms.is_some() || e.retry.is_some(),
            failures: 0,
            timeouts: 0,
            retries: 0,
        }))
    }

    /// A guard with everything off (an edge whose settings were all removed mid-run).
    pub(crate) fn off() -> Self {
        Self {
            breaker: None,
            timeout_ns: None,
            retry: None,
            stubbed: false,
            failures: 0,
            timeouts: 0,
            retries: 0,
        }
    }

    /// Takes edited parameters, keeping the breaker's state, the budget's tokens and the counters.
    pub(crate) fn take_params(&mut self, fresh: GuardRt) {
        self.breaker = match (self.breaker.take(), fresh.breaker) {
            (Some(mut old), Some(new)) => {
                old.take_params(new);
                Some(old)
            }
            (_, new) => new,
        };
        self.retry = match (self.retry.take(), fresh.retry) {
            (Some(mut old), Some(new)) => {
                old.take_params(new);
                Some(old)
            }
            (_, new) => new,
        };
        self.timeout_ns = fresh.timeout_ns;
        self.stubbed = fresh.stubbed;
    }

    /// Records the outcome of a call that reached the callee (or timed out). Out of line: inlined (with the
    /// breaker's window) into `answer` it costs every call of every scenario registers.
    #[inline(never)]
    pub(crate) fn record(&mut self, failed: bool, now: u64) {
        self.failures += failed as u64;
        if let Some(b) = self.breaker.as_mut() {
            b.record(failed, now);
        }
    }

    /// Restarts the counters at the end of the warm-up.
    pub(crate) fn warmup_end(&mut self, now: u64) {
        self.failures = 0;
        self.timeouts = 0;
        self.retries = 0;
        if let Some(b) = self.breaker.as_mut() {
            b.warmup_end(now);
        }
    }
}

/// One attempt stub's bookkeeping (indexed by its call slot; `edge == NONE` for calls that are not stubs).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stub {
    edge: u32,
    /// Attempt number, 0 for the first.
    attempt: u8,
    /// Pending events naming it: its child's answer, its timer, its backoff sleep.
    refs: u8,
    /// The parent still waits for this attempt.
    waiting: bool,
    /// The backoff sleep before this attempt, ns (decorrelated jitter).
    prev_sleep_ns: u64,
}

const NOT_A_STUB: Stub = Stub {
    edge: NONE,
    attempt: 0,
    refs: 0,
    waiting: false,
    prev_sleep_ns: 0,
};

/// The attempt stubs of a run.
#[derive(Default)]
pub(crate) struct Stubs {
    v: Vec<Stub>,
}

impl Stubs {
    /// Is this call an attempt stub?
    #[inline]
    pub(crate) fn is(&self, call: u32) -> bool {
        self.v.get(call as usize).is_some_and(|s| s.edge != NONE)
    }

    fn set(&mut self, call: u32, s: Stub) {
        let i = call as usize;
        if self.v.len() <= i {
            self.v.resize(i + 1, NOT_A_STUB);
        }
        self.v[i] = s;
    }
}

impl World {
    fn guard(&mut self, edge: u32) -> &mut GuardRt {
        self.edges[edge as usize]
            .guard
            .as_deref_mut()
            .expect("a stubbed edge has a guard")
    }

    /// A call over an edge with a timeout or retries: its first attempt goes out through a stub.
    pub(crate) fn guarded_call(&mut self, parent: u32, edge: u32) {
        let stub = self.new_stub(parent, edge, 0, 0);
        self.fire_attempt(stub);
    }

    fn new_stub(&mut self, parent: u32, edge: u32, attempt: u8, prev_sleep_ns: u64) -> u32 {
        let p = self.calls[parent as usize];
        let stub = self.alloc_call(p.req, parent, p.node, edge, p.class);
        self.stubs.set(
            stub,
            Stub {
                edge,
                attempt,
                refs: 0,
                waiting: true,
                prev_sleep_ns,
            },
        );
        stub
    }

    /// Sends a stub's attempt (unless the breaker fails it at once), with its timer.
    fn fire_attempt(&mut self, stub: u32) {
        let now = self.now;
        let s = self.calls[stub as usize];
        let edge = s.via_edge;
        let g = self.guard(edge);
        if let Some(b) = g.breaker.as_mut()
            && !b.admit(now)
        {
            // As on an unguarded edge: the open breaker's failure counts at the caller.
            self.nodes[s.node as usize].stats.failed += 1;
            return self.attempt_failed(stub, Outcome::Failed);
        }
        let timeout = g.timeout_ns;
        // Held before sending: over zero-latency edges the answer can come back within `send`.
        self.stubs.v[stub as usize].refs += 1 + timeout.is_some() as u8;
        if let Some(t) = timeout {
            self.queue
                .push(now + t, Kind::Guard, stub, GuardWake::Timeout as u8);
        }
        let to = self.edges[edge as usize].to;
        let child = self.alloc_call(s.req, stub, to, edge, s.class);
        self.send(s.node, child, edge, Kind::Arrive, DotOutcome::Ok);
    }

    /// The callee's answer reached an attempt stub.
    pub(crate) fn stub_response(&mut self, stub: u32, outcome: Outcome) {
        let now = self.now;
        let st = &mut self.stubs.v[stub as usize];
        st.refs -= 1;
        if !std::mem::replace(&mut st.waiting, false) {
            // An abandoned attempt: the parent gave up on it already.
            return self.release_stub(stub);
        }
        let edge = st.edge;
        let g = self.guard(edge);
        g.record(outcome != Outcome::Ok, now);
        if outcome == Outcome::Ok {
            if let Some(r) = g.retry.as_mut() {
                r.earn();
            }
            self.finish_stub(stub, Outcome::Ok);
        } else {
            self.attempt_failed(stub, outcome);
        }
    }

    /// A stub's timer or backoff sleep ended. Out of line: the dispatcher stays small enough to inline.
    #[cold]
    #[inline(never)]
    pub(crate) fn guard_event(&mut self, stub: u32, wake: GuardWake) {
        match wake {
            GuardWake::Hedge => return self.hedge_due(stub),
            GuardWake::Redeliver => return self.visibility_due(stub),
            GuardWake::Timeout | GuardWake::Backoff => {}
        }
        let now = self.now;
        let st = &mut self.stubs.v[stub as usize];
        st.refs -= 1;
        if wake == GuardWake::Backoff {
            return self.fire_attempt(stub);
        }
        if !std::mem::replace(&mut st.waiting, false) {
            return self.release_stub(stub);
        }
        // The caller gives up; the callee keeps working on the call, and its answer will find the stub
        // no longer waiting.
        let edge = st.edge;
        let g = self.guard(edge);
        g.timeouts += 1;
        g.record(true, now);
        self.attempt_failed(stub, Outcome::Failed);
    }

    /// An attempt failed: the next one goes out if the policy and budget allow, else the parent gets the
    /// failure.
    fn attempt_failed(&mut self, stub: u32, outcome: Outcome) {
        self.stubs.v[stub as usize].waiting = false;
        let s = self.calls[stub as usize];
        let st = self.stubs.v[stub as usize];
        let g = self.edges[s.via_edge as usize]
            .guard
            .as_deref_mut()
            .expect("a stubbed edge has a guard");
        let sleep = match g.retry.as_mut() {
            Some(rt) if (st.attempt as u32) < rt.max_retries => {
                if !rt.spend() {
                    return self.finish_stub(stub, outcome);
                }
                g.retries += 1;
                let rng = &mut self.nodes[s.node as usize].rng;
                Some(rt.sleep_ns(st.attempt as u32, st.prev_sleep_ns, rng))
            }
            _ => None,
        };
        let Some(sleep) = sleep else {
            return self.finish_stub(stub, outcome);
        };
        self.nodes[s.node as usize].stats.retries += 1;
        let next = self.new_stub(s.parent, s.via_edge, st.attempt.saturating_add(1), sleep);
        // The old stub no longer stands for the parent (a crash scan must not follow it there).
        self.calls[stub as usize].parent = NONE;
        self.release_stub(stub);
        if sleep == 0 {
            self.fire_attempt(next);
        } else {
            // The caller's worker stays blocked through the sleep, as a synchronous caller's would.
            self.stubs.v[next as usize].refs = 1;
            self.queue.push(
                self.now + sleep,
                Kind::Guard,
                next,
                GuardWake::Backoff as u8,
            );
        }
    }

    /// The stub's parent gets the outcome.
    fn finish_stub(&mut self, stub: u32, outcome: Outcome) {
        let parent = self.calls[stub as usize].parent;
        self.calls[stub as usize].parent = NONE;
        self.release_stub(stub);
        self.response(parent, outcome);
    }

    /// Frees a stub nothing names any more.
    fn release_stub(&mut self, stub: u32) {
        let st = &mut self.stubs.v[stub as usize];
        if st.refs == 0 && !st.waiting {
            st.edge = NONE;
            self.free_call(stub);
        }
    }

    /// The per-edge part of the report.
    pub(crate) fn edge_reports(&self) -> Vec<EdgeReport> {
        self.edges
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let g = e.guard.as_deref();
                EdgeReport {
                    hedges: self.hedges_sent(i),
                    from: self.ids[e.from as usize].clone(),
                    to: self.ids[e.to as usize].clone(),
                    calls: e.sends_total + e.bucket_sends as u64 - e.sends_warm,
                    failures: g.map(|g| g.failures),
                    timeouts: g.map(|g| g.timeouts),
                    retries: g.map(|g| g.retries),
                    breaker: g.and_then(|g| g.breaker.as_ref()).map(|b| BreakerReport {
                        state: match b.state {
                            BreakerState::Closed => "closed",
                            BreakerState::Open { until_ns } if until_ns > self.now => "open",
                            _ => "half_open",
                        }
                        .to_owned(),
                        opens: b.opened,
                        fast_failed: b.fast_failed,
                        time_open_s: b.open_ns_since_warmup(self.now) as f64 / 1e9,
                    }),
                }
            })
            .collect()
    }
}
