//! Time-varying and closed-loop traffic: clients under a load profile, and closed-loop users.
//!
//! A profiled client draws a non-homogeneous Poisson process by thinning (Lewis and Shedler 1979):
//! candidates come at the profile's peak rate and each is kept with probability multiplier(t) / peak, which
//! is exact for any bounded rate and needs only the generator's own stream (deterministic). Stretches where
//! the multiplier is 0 are skipped to their end instead of drawn through.
//!
//! A closed-loop client has no rate: each of its users is one `ClientNext` in flight or one request
//! outstanding. When a request reaches its final outcome (after the client's retries), its user thinks and
//! sends again. The load and spike factors set how many users there are (rounded): new users start with a
//! think time; users over the count retire when their request resolves. The tables here are empty unless a
//! scenario uses them, so other scenarios pay nothing.

use super::event::Kind;
use super::sampler::{Sampler, SimRng, unit};
use super::world::{NONE, World};
use crate::model::{Arrival, NodeKind, Profile, Scenario};
use rand_distr::{Distribution, Exp1};

/// A profile compiled for drawing.
#[derive(Clone, Debug)]
pub(crate) struct ProfileRt {
    profile: Profile,
    /// The largest multiplier (the thinning's candidate rate, relative to the base).
    peak: f64,
}

impl ProfileRt {
    /// The next arrival strictly after `now_ns` at base mean gap `mean_gap_ns` (rate x load x spike at
    /// multiplier 1), or `u64::MAX` when there is none before `stop_ns`.
    pub(crate) fn next_ns(
        &self,
        now_ns: u64,
        mean_gap_ns: f64,
        stop_ns: u64,
        rng: &mut SimRng,
    ) -> u64 {
        if self.peak.is_nan() || self.peak <= 0.0 {
            return u64::MAX;
        }
        let gap_ns = mean_gap_ns / self.peak;
        let mut t = now_ns;
        loop {
            let e: f64 = Exp1.sample(rng);
            t = t.saturating_add(super::sampler::to_ns(e * gap_ns).max(1));
            if t >= stop_ns {
                return u64::MAX;
            }
            let t_s = t as f64 / 1e9;
            let m = self.profile.multiplier(t_s);
            if m <= 0.0 {
                match self.profile.next_positive(t_s) {
                    Some(next_s) => t = t.max(super::secs_to_ns(next_s)),
                    None => return u64::MAX,
                }
                continue;
            }
            if unit(rng) * self.peak < m {
                return t;
            }
        }
    }
}

/// One closed-loop client's users and what they measured.
#[derive(Clone, Debug)]
pub(crate) struct ClosedRt {
    /// Users at load 1.
    users: u32,
    think: Sampler,
    /// Users in circulation (thinking, or waiting on a request).
    live: u32,
    /// Users there should be: users x load x spike, rounded.
    pub target: u32,
    /// Requests that reached their final outcome after the warm-up, and their summed response time.
    pub done: u64,
    pub response_ns: f64,
    /// Think times started after the warm-up, and their sum.
    pub thinks: u64,
    pub think_ns: f64,
}

/// The traffic tables, indexed by node; empty when no client uses a profile or closed-loop users.
#[derive(Clone, Debug, Default)]
pub(crate) struct Traffic {
    pub profiles: Vec<Option<ProfileRt>>,
    pub closed: Vec<Option<ClosedRt>>,
}

impl Traffic {
    pub(crate) fn build(s: &Scenario) -> Self {
        let client = |n: &crate::model::Node| {
            if let NodeKind::Client(c) = &n.kind {
                Some(c.clone())
            } else {
                None
            }
        };
        let mut t = Traffic::default();
        if s.nodes
            .iter()
            .any(|n| client(n).is_some_and(|c| c.profile.is_some()))
        {
            t.profiles = s
                .nodes
                .iter()
                .map(|n| {
                    let p = client(n)?.profile?;
                    Some(ProfileRt {
                        peak: p.peak().0,
                        profile: p,
                    })
                })
                .collect();
        }
        if s.nodes.iter().any(|n| uses_closed_loop(&n.kind)) {
            t.closed = s
                .nodes
                .iter()
                .map(|n| match client(n)?.arrival {
                    Arrival::ClosedLoop {
                        users,
                        think_time_ms,
                    } => Some(ClosedRt {
                        users,
                        think: Sampler::new(&think_time_ms),
                        live: 0,
                        target: 0,
                        done: 0,
                        response_ns: 0.0,
                        thinks: 0,
                        think_ns: 0.0,
                    }),
                    _ => None,
                })
                .collect();
        }
        t
    }

    /// Takes edited parameters: new profiles; closed-loop users keep their count in circulation and their
    /// measurements (the caller then refreshes the targets).
    pub(crate) fn take_params(&mut self, fresh: Traffic) {
        self.profiles = fresh.profiles;
        let old = std::mem::take(&mut self.closed);
        self.closed = fresh.closed;
        for (i, slot) in self.closed.iter_mut().enumerate() {
            if let (Some(new), Some(Some(was))) = (slot.as_mut(), old.get(i)) {
                new.live = was.live;
                new.done = was.done;
                new.response_ns = was.response_ns;
                new.thinks = was.thinks;
                new.think_ns = was.think_ns;
            }
        }
    }
}

/// Does a node of this kind send closed-loop users? (The engine then keeps each request's owner.)
pub(crate) fn uses_closed_loop(k: &NodeKind) -> bool {
    matches!(k, NodeKind::Client(c) if matches!(c.arrival, Arrival::ClosedLoop { .. }))
}

impl World {
    /// Brings closed-loop client `n`'s users to users x load x `spike`: new ones start thinking now (or at
    /// the client's start); surplus ones retire as their requests resolve.
    pub(crate) fn closed_refresh(&mut self, n: usize, spike: f64) {
        let load = self.load;
        let Some(cl) = self.traffic.closed.get_mut(n).and_then(Option::as_mut) else {
            return;
        };
        let Some(c) = self.nodes[n].beh.client() else {
            return;
        };
        let (start, stop) = (self.now.max(c.start_ns), c.stop_ns);
        let target = (cl.users as f64 * load * spike).round();
        cl.target = if target.is_finite() {
            target.min(u32::MAX as f64) as u32
        } else {
            0
        };
        let rng = &mut self.nodes[n].rng;
        for _ in cl.live..cl.target {
            let at = start.saturating_add(cl.think.sample(rng));
            if at < stop {
                cl.live += 1;
                self.queue.push(at, Kind::ClientNext, n as u32, 0);
            }
        }
    }

    /// Request `req` reached its final outcome: if a closed-loop user sent it, the user records its response
    /// time, then thinks and sends again (or retires when there are more users than the load asks for, or
    /// the client's window has closed).
    pub(crate) fn closed_done(&mut self, req: u32) {
        let i = req as usize;
        let c = self.retries.client_of(i);
        if c == NONE {
            return;
        }
        let Some(cl) = self
            .traffic
            .closed
            .get_mut(c as usize)
            .and_then(Option::as_mut)
        else {
            return;
        };
        let (now, r) = (self.now, self.reqs[i]);
        // Completions in the measured window, whenever issued (the operational X = C / T): requests cut by
        // the window's two ends then roughly cancel, where counting by issue time would miss both.
        if now >= self.warmup_ns {
            cl.done += 1;
            cl.response_ns += (now - r.issued_ns) as f64;
        }
        if cl.live > cl.target {
            cl.live -= 1;
            return;
        }
        let think = cl.think.sample(&mut self.nodes[c as usize].rng);
        if now >= self.warmup_ns {
            cl.thinks += 1;
            cl.think_ns += think as f64;
        }
        let at = now.saturating_add(think);
        if self.nodes[c as usize]
            .beh
            .client()
            .is_none_or(|x| at >= x.stop_ns)
        {
            cl.live -= 1;
            return;
        }
        self.queue.push(at, Kind::ClientNext, c, 0);
    }
}

impl World {
    /// Closed-loop client `n`'s figures over a measured window of `window_s` seconds; `None` for other nodes.
    pub(crate) fn closed_report(
        &self,
        n: usize,
        window_s: f64,
    ) -> Option<crate::metrics::ClosedLoopReport> {
        let cl = self.traffic.closed.get(n)?.as_ref()?;
        let per = |sum: f64, count: u64| {
            if count > 0 {
                sum / count as f64 / 1e6
            } else {
                0.0
            }
        };
        let x = if window_s > 0.0 {
            cl.done as f64 / window_s
        } else {
            0.0
        };
        let z = per(cl.think_ns, cl.thinks);
        Some(crate::metrics::ClosedLoopReport {
            users: cl.target,
            think_time_ms: z,
            throughput_rps: x,
            response_ms: per(cl.response_ns, cl.done),
            law_response_ms: if x > 0.0 {
                cl.target as f64 / x * 1e3 - z
            } else {
                0.0
            },
        })
    }
}
