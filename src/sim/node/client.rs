//! Clients: their compiled traffic parameters, arrivals on their schedule, sending an attempt, timeouts,
//! and the answer reaching the client. (Client retries are in `src/sim/retry.rs`, batches in
//! `src/sim/ext.rs`.)

use super::{Behaviour, BuildCtx, Built};
use crate::model::{Arrival as ArrivalSpec, ClientParams};
use crate::sim::event::Kind;
use crate::sim::retry::RetryRt;
use crate::sim::sampler::{SimRng, unit};
use crate::sim::snapshot::DotOutcome;
use crate::sim::world::{NONE, Outcome, Req, World};
use rand_distr::{Distribution, Exp1};

/// A client's arrival process at run time. A `Batch` is not one: its requests go out from a tick
/// (`ext.rs`), and its gap is infinite, so the per-arrival code never sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ArrivalRt {
    Poisson,
    Constant,
    Bursty {
        on_s: f64,
        off_s: f64,
    },
    /// Poisson under the client's load profile (`World::traffic`, by node).
    Profiled,
}

use ArrivalRt as Arrival;

impl ArrivalRt {
    /// A closed-loop client is `Poisson` at rate 0: its users' requests are scheduled by `traffic.rs`.
    fn new(a: &ArrivalSpec, profiled: bool) -> Self {
        match *a {
            ArrivalSpec::Poisson if profiled => Self::Profiled,
            ArrivalSpec::Poisson | ArrivalSpec::Batch { .. } | ArrivalSpec::ClosedLoop { .. } => {
                Self::Poisson
            }
            ArrivalSpec::Constant => Self::Constant,
            ArrivalSpec::Bursty { on_s, off_s } => Self::Bursty { on_s, off_s },
        }
    }
}

/// A traffic source's compiled parameters.
#[derive(Clone, Debug)]
pub(crate) struct ClientRt {
    pub rate_rps: f64,
    pub arrival: ArrivalRt,
    /// Cumulative weights with their class index.
    pub class_cum: Vec<(f64, u8)>,
    pub timeout_ns: Option<u64>,
    /// Mean gap between arrivals at the current load, ns (infinite when the rate is 0).
    pub mean_gap_ns: f64,
    /// Is a `ClientNext` pending?
    pub scheduled: bool,
    /// The retry policy, with its budget's tokens.
    pub retry: Option<RetryRt>,
    /// Sending window, ns: nothing before `start_ns`, nothing from `stop_ns` on.
    pub start_ns: u64,
    pub stop_ns: u64,
    /// A one-off batch of this many requests (times the load) at `start_ns`; 0 for other arrivals. A plain
    /// integer, not an `Option`: an option's spare tag values would become the niche that encodes
    /// `Behaviour`'s variant, and every match on a node's behaviour would cost more.
    pub batch: u32,
}

/// Compiles a client: its class mix by index, its window and its rate at load 1.
pub(super) fn build<'a>(c: &ClientParams, ctx: &BuildCtx) -> Built<'a> {
    let mut cum = 0.0;
    let class_cum = c
        .classes
        .iter()
        .map(|cw| {
            cum += cw.weight;
            (
                cum,
                ctx.classes.iter().position(|x| *x == cw.name).unwrap_or(0) as u8,
            )
        })
        .collect();
    // A batch ignores the rate: 0 keeps the arrival process idle (its gap infinite).
    let batch = match c.arrival {
        ArrivalSpec::Batch { count } => count,
        ArrivalSpec::Poisson
        | ArrivalSpec::Constant
        | ArrivalSpec::Bursty { .. }
        | ArrivalSpec::ClosedLoop { .. } => 0,
    };
    // A closed loop's users set its rate; a trace's values are the rate itself (its base is 1).
    let rate_rps = match (&c.arrival, &c.profile) {
        (ArrivalSpec::ClosedLoop { .. }, _) => 0.0,
        _ if batch > 0 => 0.0,
        (_, Some(p)) => p.base_rps(c.rate_rps),
        (_, None) => c.rate_rps,
    };
    Built::without_workers(Behaviour::Client(ClientRt {
        rate_rps,
        arrival: ArrivalRt::new(&c.arrival, c.profile.is_some()),
        class_cum,
        timeout_ns: c.timeout_ms.map(|t| (t * 1e6).round() as u64),
        // Set by `World::refresh_gap` once the world (and its spike factors) is built.
        mean_gap_ns: f64::INFINITY,
        scheduled: false,
        retry: c.retry.as_ref().map(RetryRt::new),
        start_ns: crate::sim::secs_to_ns(c.start_s),
        stop_ns: c.stop_s.map_or(u64::MAX, crate::sim::secs_to_ns),
        batch,
    }))
}

impl ClientRt {
    /// Takes edited traffic parameters; whether an arrival is pending, and the retry budget's tokens, carry
    /// over. The caller then refreshes the gap (`World::refresh_gap`).
    pub(super) fn take_params(&mut self, g: ClientRt) {
        self.rate_rps = g.rate_rps;
        self.arrival = g.arrival;
        self.batch = g.batch;
        self.class_cum = g.class_cum;
        self.timeout_ns = g.timeout_ns;
        self.start_ns = g.start_ns;
        self.stop_ns = g.stop_ns;
        self.retry = match (self.retry.take(), g.retry) {
            (Some(mut old), Some(new)) => {
                old.take_params(new);
                Some(old)
            }
            (_, new) => new,
        };
    }
}

impl World {
    /// Sets client `n`'s mean gap between arrivals from its effective rate, rate x load x spike factor:
    /// the one place that computes it (at build, and after a load change, a spike fault or a parameter
    /// edit). Not a client: nothing to do.
    pub(crate) fn refresh_gap(&mut self, n: usize) {
        let spike = self.ext.node.get(n).map_or(1.0, |fx| fx.spike);
        let load = self.load;
        if let Some(c) = self.nodes[n].beh.client_mut() {
            c.mean_gap_ns = 1e9 / (c.rate_rps * load * spike);
        }
        if !self.traffic.closed.is_empty() {
            self.closed_refresh(n, spike);
        }
    }
}

/// A call reached a client (no edge leads into one: validation refuses it): it fails.
#[inline]
pub(super) fn arrive(w: &mut World, call: u32) {
    w.respond(call, Outcome::Failed);
}

impl World {
    /// Schedules a client's next arrival after `self.now` (none while its effective rate is 0).
    pub(crate) fn schedule_client(&mut self, c: u32) {
        self.schedule_client_inline(c);
    }

    /// [`Self::schedule_client`], inlined into the arrival handler: the hot path of every workload makes
    /// one call fewer per request (the other callers keep the out-of-line copy).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn schedule_client_inline(&mut self, c: u32) {
        let now = self.now;
        let node = &mut self.nodes[c as usize];
        let Behaviour::Client(cl) = &mut node.beh else {
            return;
        };
        // `mean_gap_ns` is 1e9 / (rate_rps * load), kept up to date wherever either changes: it is positive and
        // finite exactly when the effective rate is (a zero rate gives infinity, an infinite one 0, NaN stays NaN).
        if !positive_finite(cl.mean_gap_ns) {
            cl.scheduled = false;
            return;
        }
        // Before its window opens a client draws its first gap from the window's start.
        let now = now.max(cl.start_ns);
        let at = match cl.arrival {
            Arrival::Poisson => now + exp_gap_ns(&mut node.rng, cl.mean_gap_ns),
            Arrival::Constant => now + crate::sim::sampler::to_ns(cl.mean_gap_ns).max(1),
            Arrival::Bursty { on_s, off_s } => {
                let on = crate::sim::secs_to_ns(on_s).max(1);
                let period = on.saturating_add(crate::sim::secs_to_ns(off_s));
                // Faster during bursts so the long-run mean rate stays the configured one.
                let burst_gap_ns = cl.mean_gap_ns * (on as f64 / period as f64);
                bursty_next(now, on, period, exp_gap_ns(&mut node.rng, burst_gap_ns))
            }
            Arrival::Profiled => match self.traffic.profiles.get(c as usize) {
                Some(Some(p)) => p.next_ns(now, cl.mean_gap_ns, cl.stop_ns, &mut node.rng),
                _ => u64::MAX,
            },
        };
        if at >= cl.stop_ns {
            cl.scheduled = false;
            return;
        }
        cl.scheduled = true;
        self.queue.push(at, Kind::ClientNext, c, 0);
    }

    #[inline]
    pub(crate) fn client_next(&mut self, c: u32) {
        let now = self.now;
        let (class, has_timeout) = {
            let node = &mut self.nodes[c as usize];
            let Behaviour::Client(cl) = &node.beh else {
                return;
            };
            // One class needs no draw (the common case, and the benchmarks').
            let class = match cl.class_cum.as_slice() {
                [] => 0,
                [(_, only)] => *only,
                cum => {
                    let u = unit(&mut node.rng) * cum[cum.len() - 1].0;
                    cum.iter()
                        .find(|(c, _)| u < *c)
                        .unwrap_or(&cum[cum.len() - 1])
                        .1
                }
            };
            (class, cl.timeout_ns.is_some())
        };
        let measured = now >= self.warmup_ns;
        // The client's hold, plus the pending timer's: a slot is reused only after its timer fired.
        let req = self.alloc_req(Req {
            issued_ns: now,
            refs: 1 + has_timeout as u32,
            measured,
            resolved: false,
            attempt: 0,
        });
        if measured {
            self.counts.offered += 1;
            self.counts.in_flight += 1;
        }
        self.bucket.offered += 1;
        // Idempotency keys ride on the retry bookkeeping's flag (on whenever they are), so a scenario with
        // neither pays the one test it paid before.
        if self.retries.on {
            if self.idem.on {
                self.idem.begin(req, None);
            }
            self.retries.note(req, c, class, 0);
        }
        self.send_attempt_inline(c, req, class);
        self.schedule_client_inline(c);
    }

    /// Sends one attempt of a request (its slot already holds the timer's reference if there is a timeout).
    pub(crate) fn send_attempt(&mut self, c: u32, req: u32, class: u8) {
        self.send_attempt_inline(c, req, class);
    }

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn send_attempt_inline(&mut self, c: u32, req: u32, class: u8) {
        let now = self.now;
        let timeout_ns = self.nodes[c as usize]
            .beh
            .client()
            .and_then(|cl| cl.timeout_ns);
        let route = self.nodes[c as usize].routes[class as usize]
            .first()
            .copied();
        match route {
            Some(edge)
                if self.edges[edge as usize]
                    .guard
                    .as_mut()
                    .and_then(|g| g.breaker.as_mut())
                    .is_some_and(|b| !b.admit(now)) =>
            {
                if let Some(t) = timeout_ns {
                    self.queue.push(now + t, Kind::Timeout, req, 0);
                }
                self.nodes[c as usize].stats.failed += 1;
                self.resolve(req, Outcome::Failed)
            }
            Some(edge) => {
                let to = self.edges[edge as usize].to;
                let call = self.alloc_call(req, NONE, to, edge, class);
                self.send(c, call, edge, Kind::Arrive, DotOutcome::Ok);
                if let Some(t) = timeout_ns {
                    self.queue.push(now + t, Kind::Timeout, req, 0);
                }
            }
            None => {
                if let Some(t) = timeout_ns {
                    self.queue.push(now + t, Kind::Timeout, req, 0);
                }
                self.resolve(req, Outcome::Failed)
            }
        }
    }

    pub(crate) fn timeout(&mut self, req: u32) {
        if !self.reqs[req as usize].resolved {
            self.reqs[req as usize].resolved = true;
            if !(self.retries.on && self.retry_after(req)) {
                let r = &self.reqs[req as usize];
                if r.measured {
                    self.counts.timed_out += 1;
                    self.counts.in_flight -= 1;
                    if self.retries.on {
                        self.retries.last_resolved_ns = Some(self.now);
                    }
                }
                self.bucket.timed_out += 1;
                if self.retries.on {
                    self.closed_done(req);
                }
            }
            self.release_req(req); // the client's hold
        }
        self.release_req(req); // the timer's hold
    }

    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    pub(crate) fn client_response(&mut self, call: u32, outcome: Outcome) {
        let req = self.calls[call as usize].req;
        self.free_call(call);
        if !self.reqs[req as usize].resolved {
            self.resolve(req, outcome);
        }
    }

    /// The client has its answer.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    #[cfg_attr(target_arch = "wasm32", inline)]
    fn resolve(&mut self, req: u32, outcome: Outcome) {
        self.reqs[req as usize].resolved = true;
        if self.retries.on {
            if outcome != Outcome::Ok && self.retry_after(req) {
                self.release_req(req);
                return;
            }
            if outcome == Outcome::Ok {
                self.retry_earn(req);
            }
            if self.reqs[req as usize].measured {
                self.retries.last_resolved_ns = Some(self.now);
            }
            if !self.traffic.closed.is_empty() {
                self.closed_done(req);
            }
        }
        let r = &self.reqs[req as usize];
        let latency = self.now - r.issued_ns;
        let measured = r.measured;
        match outcome {
            Outcome::Ok => {
                self.bucket.succeeded += 1;
                self.bucket_latency.record_ns(latency);
                if measured {
                    self.counts.succeeded += 1;
                    self.latency.record_ns(latency);
                }
            }
            Outcome::Failed => {
                self.bucket.failed += 1;
                if measured {
                    self.counts.failed += 1;
                }
            }
            Outcome::Rejected => {
                self.bucket.rejected += 1;
                if measured {
                    self.counts.rejected += 1;
                }
            }
            Outcome::RateLimited => {
                self.bucket.rate_limited += 1;
                if measured {
                    self.counts.rate_limited += 1;
                }
            }
        }
        if measured {
            self.counts.in_flight -= 1;
        }
        self.release_req(req);
    }
}

/// The time of the next arrival of an on/off source, `gap_ns` of on-time after `now`: Poisson within the
/// on-windows `[k * period, k * period + on)` is a Poisson process in on-time alone, so the gap is counted in
/// on-time and mapped back to the clock in constant time, however many silences it crosses (a loop that
/// redrew per window could spin forever when no gap fits a window).
#[inline]
fn bursty_next(now: u64, on: u64, period: u64, gap_ns: u64) -> u64 {
    let (window, phase) = (now / period, now % period);
    let on_time = window.saturating_mul(on).saturating_add(phase.min(on));
    let target = on_time.saturating_add(gap_ns);
    (target / on)
        .saturating_mul(period)
        .saturating_add(target % on)
}

/// An exponential gap with mean `mean_gap_ns` (a Poisson process), at least 1 ns so time always advances.
#[inline]
fn exp_gap_ns(rng: &mut SimRng, mean_gap_ns: f64) -> u64 {
    let e: f64 = Exp1.sample(rng);
    crate::sim::sampler::to_ns(e * mean_gap_ns).max(1)
}

/// Is `x` positive and finite (not NaN, not 0, not infinite)? Through the bits: written as two comparisons,
/// LLVM turns it into a floating-point class test that costs two dozen integer instructions on x86-64, once
/// per client arrival. Positive finite doubles are exactly the bit patterns 1..=0x7FEF_FFFF_FFFF_FFFF.
#[inline(always)]
fn positive_finite(x: f64) -> bool {
    x.to_bits().wrapping_sub(1) < 0x7FEF_FFFF_FFFF_FFFF
}

#[cfg(test)]
mod tests {
    use super::{bursty_next, positive_finite};

    #[test]
    fn bursty_gaps_count_on_time_only() {
        // On 10 ns of every 100: 5 ns of on-time from t = 0 is t = 5; 15 from 0 is the next window's 5th ns.
        assert_eq!(bursty_next(0, 10, 100, 5), 5);
        assert_eq!(bursty_next(0, 10, 100, 15), 105);
        // From inside a silence the count starts at the next window.
        assert_eq!(bursty_next(50, 10, 100, 1), 101);
        // A one-nanosecond window per second with gaps of a nanosecond: one arrival per window, at once.
        assert_eq!(bursty_next(0, 1, 1_000_000_001, 1), 1_000_000_001);
        // Huge gaps saturate instead of overflowing.
        assert_eq!(bursty_next(5, 1, u64::MAX, u64::MAX), u64::MAX);
    }

    #[test]
    fn positive_finite_matches_the_comparisons() {
        let cases = [
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            5e-324,
            1.0,
            1e300,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            -1.0,
            -5e-324,
        ];
        for x in cases {
            assert_eq!(positive_finite(x), x > 0.0 && x < f64::INFINITY, "{x:e}");
        }
    }
}
