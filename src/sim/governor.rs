//! Run-time governors: what the limits computed before a run (`crate::model::limits`) cannot know. A run
//! whose requests pile up (an overloaded node with a huge queue, retries feeding themselves) holds more and
//! more state; a loop of zero-time work keeps the clock at one instant. Either would take the process's
//! memory or never end, so the engine looks at both between chunks of events (never per event: the hot
//! loop stays as it was) and ends the run with a message that names the limit, the node that drove it and
//! the simulated time. The caller's report is then partial and marked stopped. Wall time is the caller's
//! to govern (the engine never reads the clock): it ends the run through [`super::Simulation::stop`].

use super::world::{Call, Req, World};
use crate::model::limits::fmt;

/// Events between two governor checks. Between checks state can grow by at most this many events' worth
/// (a few MiB), which is what the budgets' precision is.
pub(crate) const CHECK_EVERY_EVENTS: u64 = 1 << 16;

/// Default memory budget for a run's requests in flight, MiB: far above a healthy run (the benchmarks hold
/// about 1 MiB of them), low enough that two parallel runs stay well under the machine's memory.
pub const DEFAULT_MEMORY_MIB: u64 = 192;
/// Default cap on events at one simulated instant: a zero-time loop; about two seconds of engine time.
pub const DEFAULT_INSTANT_EVENTS: u64 = 20_000_000;

/// What a run may use while it goes. Set through [`super::Simulation::set_budget`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Memory for requests in flight (their calls, pending events and waiting lines), MiB.
    pub memory_mib: u64,
    /// Events at one simulated instant.
    pub instant_events: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            memory_mib: DEFAULT_MEMORY_MIB,
            instant_events: DEFAULT_INSTANT_EVENTS,
        }
    }
}

/// Which limit ended a run early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopLimit {
    /// The memory budget for requests in flight.
    Memory,
    /// Events at one simulated instant.
    InstantEvents,
    /// The caller's wall-time budget (or another reason the caller gave).
    Caller,
}

/// Why and when a run was ended before its end time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// The limit.
    pub limit: StopLimit,
    /// Simulated time it was hit, ns.
    pub at_ns: u64,
    /// The whole sentence, for the report and the screen.
    pub message: String,
}

/// The governor's memory between checks.
#[derive(Clone, Debug, Default)]
pub(crate) struct Governor {
    pub budget: Budget,
    /// Events run since the last check (carried across calls, so small per-frame slices are checked too).
    pub since_check: u64,
    /// The instant the last check saw, and the event count and per-node arrivals when it began.
    instant_ns: u64,
    instant_events0: u64,
    arrivals0: Vec<u64>,
}

impl Governor {
    pub fn new(budget: Budget) -> Self {
        Self {
            budget,
            instant_ns: u64::MAX,
            ..Self::default()
        }
    }

    /// Checks the budgets against the world after a chunk of events.
    #[cold]
    #[inline(never)]
    pub fn check(&mut self, w: &World) -> Option<Stop> {
        let bytes = held_bytes(w);
        if bytes > self.budget.memory_mib.saturating_mul(1 << 20) {
            let (node, held) = w
                .nodes
                .iter()
                .enumerate()
                .max_by_key(|(i, n)| (n.in_sys, std::cmp::Reverse(*i)))
                .map_or(("?".to_owned(), 0), |(i, n)| (w.ids[i].clone(), n.in_sys));
            let live = w.calls.len() - w.free_calls.len();
            return Some(Stop {
                limit: StopLimit::Memory,
                at_ns: w.now,
                message: format!(
                    "stopped at {} s simulated: requests in flight hold about {} MiB ({} calls), over the \
                     memory budget of {} MiB; node '{node}' holds the most ({} calls). The work arrives \
                     faster than it is done: lower the load or add capacity there, or raise the budget \
                     (--max-memory-mib)",
                    secs(w.now),
                    bytes >> 20,
                    fmt(live as f64),
                    self.budget.memory_mib,
                    fmt(held as f64)
                ),
            });
        }
        if w.now != self.instant_ns {
            self.instant_ns = w.now;
            self.instant_events0 = w.events;
            self.arrivals0.clear();
            self.arrivals0
                .extend(w.nodes.iter().map(|n| n.stats.arrivals));
            return None;
        }
        let at_instant = w.events - self.instant_events0;
        if at_instant > self.budget.instant_events {
            let busiest = w
                .nodes
                .iter()
                .zip(&self.arrivals0)
                .enumerate()
                .max_by_key(|(i, (n, a0))| (n.stats.arrivals - **a0, std::cmp::Reverse(*i)))
                .map_or("?".to_owned(), |(i, _)| w.ids[i].clone());
            return Some(Stop {
                limit: StopLimit::InstantEvents,
                at_ns: w.now,
                message: format!(
                    "stopped at {} s simulated: {} events ran at that one instant, over the limit of \
                     {} (work that takes no time calling work that takes no time); node '{busiest}' took the \
                     most calls: give its service time or its edges a latency above 0, or remove the loop of \
                     retries or fan-out",
                    secs(w.now),
                    fmt(at_instant as f64),
                    fmt(self.budget.instant_events as f64)
                ),
            });
        }
        None
    }
}

fn secs(ns: u64) -> String {
    format!("{:.3}", ns as f64 / 1e9)
}

/// An estimate of the memory the run's requests in flight hold: the call and request tables, the event
/// heap and the waiting lines, by their allocated capacity.
pub(crate) fn held_bytes(w: &World) -> u64 {
    let lines: usize = w
        .nodes
        .iter()
        .map(|n| {
            let inst: usize = n.instances.iter().map(|i| i.queue.capacity()).sum();
            let backlog = n.beh.queue().map_or(0, |q| q.backlog.capacity());
            inst + backlog
        })
        .sum();
    let bytes = w.calls.capacity() * size_of::<Call>()
        + w.reqs.capacity() * size_of::<Req>()
        + (w.free_calls.capacity() + w.free_reqs.capacity() + lines) * size_of::<u32>()
        + w.queue.capacity() * 16;
    bytes as u64
}
