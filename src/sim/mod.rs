//! The discrete-event engine. Build-then-run: [`Simulation::new`], then [`Simulation::step_until`] in slices
//! (the app) or [`Simulation::run_to_end`] (the CLI). Integer nanosecond clock; events at the same time run in
//! the order they were scheduled; a seeded PCG RNG per node. No wall clock, no threads, no UI.

mod snapshot;

pub use snapshot::{DotOutcome, EdgeLive, NodeLive, Snapshot, TransitDot};

use crate::metrics::Report;
use crate::model::{Scenario, ScenarioError};

/// Nanoseconds per second.
pub const NS_PER_S: u64 = 1_000_000_000;
/// Nanoseconds per millisecond.
pub const NS_PER_MS: u64 = 1_000_000;

/// Converts seconds to the engine's nanosecond clock (saturating).
pub fn secs_to_ns(s: f64) -> u64 {
    (s * NS_PER_S as f64).round().clamp(0.0, u64::MAX as f64) as u64
}

/// A running simulation of one scenario: one world struct owns all of its state.
pub struct Simulation {
    _todo: (),
}

impl Simulation {
    /// Validates the scenario and builds the world at time 0 with load multiplier 1.
    pub fn new(scenario: &Scenario) -> Result<Self, ScenarioError> {
        let _ = scenario;
        todo!()
    }
    /// Multiplies every client's rate by `load` from now on (1 = as written; 10 = the 10x stress test).
    pub fn set_load(&mut self, load: f64) {
        let _ = load;
        todo!()
    }
    /// The current load multiplier.
    pub fn load(&self) -> f64 {
        todo!()
    }
    /// Current simulated time, ns.
    pub fn time_ns(&self) -> u64 {
        todo!()
    }
    /// End of the run (the scenario's duration), ns.
    pub fn end_ns(&self) -> u64 {
        todo!()
    }
    /// Has the simulation reached its end time?
    pub fn is_finished(&self) -> bool {
        todo!()
    }
    /// Events processed so far.
    pub fn events(&self) -> u64 {
        todo!()
    }
    /// Processes every event up to and including `time_ns` (capped at the end), then sets the clock there.
    pub fn step_until(&mut self, time_ns: u64) {
        let _ = time_ns;
        todo!()
    }
    /// Like [`Self::step_until`] but stops after `max_events` events (for a per-frame time budget);
    /// returns the number processed.
    pub fn step_events(&mut self, time_ns: u64, max_events: u64) -> u64 {
        let _ = (time_ns, max_events);
        todo!()
    }
    /// Runs to the scenario's end.
    pub fn run_to_end(&mut self) {
        todo!()
    }
    /// The live state, cheaply.
    pub fn snapshot(&self) -> Snapshot {
        todo!()
    }
    /// The full report so far (percentiles, per-node table, time series). `wall_time_s` is left 0.
    pub fn report(&self) -> Report {
        todo!()
    }
    /// Turns on sampling of in-transit requests for animation (off by default: it costs a little).
    pub fn set_dot_sampling(&mut self, on: bool) {
        let _ = on;
        todo!()
    }
    /// Recently sampled in-transit requests; draw those with `depart_ns <= now < arrive_ns`.
    pub fn dots(&self) -> Vec<TransitDot> {
        todo!()
    }
}
