//! The discrete-event engine. Build-then-run: [`Simulation::new`], then [`Simulation::step_until`] in slices
//! (the app) or [`Simulation::run_to_end`] (the CLI). Integer nanosecond clock; events at the same time run in
//! the order they were scheduled; a seeded PCG stream per node. No wall clock, no threads, no UI.

mod autoscale;
mod breaker;
mod edge_guard;
mod engine;
mod event;
mod ext;
mod fanout;
mod faults;
mod features;
mod governor;
mod health;
mod idem;
mod node;
mod plumbing;
mod report;
mod retry;
mod sampler;
mod snapshot;
mod stats;
mod topology;
mod traffic;
mod update;
mod world;
mod zipf;

pub use features::{Feature, Features};
pub use governor::{Budget, DEFAULT_INSTANT_EVENTS, DEFAULT_MEMORY_MIB, Stop, StopLimit};
pub use sampler::{SimRng, stable_hash, stream};
pub use snapshot::{DotOutcome, EdgeLive, NodeLive, Snapshot, TransitDot};

use crate::metrics::{Bucket, FaultReport, Latency, Report};
use crate::model::{Fault, RunSpec, Scenario, ScenarioError, ValidScenario, ensure_valid};
use world::World;

/// Nanoseconds per second.
pub const NS_PER_S: u64 = 1_000_000_000;
/// Nanoseconds per millisecond.
pub const NS_PER_MS: u64 = 1_000_000;

/// Converts seconds to the engine's nanosecond clock (saturating).
pub fn secs_to_ns(s: f64) -> u64 {
    (s * NS_PER_S as f64)
        .round()
        .clamp(0.0, u64::MAX as f64 / 2.0) as u64
}

fn metrics_bucket(nodes: usize, edges: usize) -> Bucket {
    Bucket {
        nodes: vec![Default::default(); nodes],
        edge_sends: vec![0; edges],
        ..Default::default()
    }
}

/// A running simulation of one scenario: one world struct owns all of its state.
pub struct Simulation {
    world: World,
    /// The scenario it was built from, with any live parameter changes applied.
    scenario: Scenario,
    /// Memory and zero-time budgets, checked between chunks of events.
    governor: governor::Governor,
    /// Set when a governor (or the caller) ended the run early; no event runs after it.
    stopped: Option<Stop>,
}

impl Simulation {
    /// Builds the world of one run at time 0: the spec's scenario with its seed, duration and warm-up, at
    /// its load multiplier. Infallible: a [`RunSpec`] is checked when it is made.
    ///
    /// The first arrival of each client is drawn at the written rate and the load applies from then on,
    /// exactly as a [`Self::set_load`] right after the build would (so a run at load 1 is the build as
    /// written, and every face of the program gets the same run from the same spec).
    pub fn from_spec(spec: &RunSpec) -> Self {
        let scenario = spec.effective_scenario();
        let mut sim = Self {
            world: World::build(&scenario),
            scenario,
            governor: governor::Governor::new(Budget::default()),
            stopped: None,
        };
        if spec.load() != 1.0 {
            sim.set_load(spec.load());
        }
        sim
    }

    /// Validates the scenario and builds the world at time 0 with load multiplier 1: [`Self::from_spec`] of
    /// the scenario as written.
    pub fn new(scenario: &Scenario) -> Result<Self, ScenarioError> {
        let valid = ValidScenario::new(scenario.clone())?;
        Ok(Self::from_spec(&RunSpec::new(valid)))
    }

    /// Applies edited parameters mid-run (replicas, workers, queue sizes, distributions, hit ratios, rates,
    /// policies, edge latencies), keeping everything in flight. Returns `Ok(false)`, changing nothing, when
    /// the structure differs (nodes, edges, classes, duration, warm-up or seed): rebuild with
    /// [`Self::new`] then. Extra capacity takes waiting work at once; after a scale-down the retired
    /// replicas or workers finish what they hold and take nothing new.
    pub fn update_params(&mut self, scenario: &Scenario) -> Result<bool, ScenarioError> {
        ensure_valid(scenario)?;
        if !update::same_structure(&self.scenario, scenario) {
            return Ok(false);
        }
        self.world.take_params(World::build(scenario));
        self.world.ext_after_params();
        self.world.name = scenario.name.clone();
        self.scenario = scenario.clone();
        Ok(true)
    }

    /// Multiplies every client's rate by `load` from now on (1 = as written; 10 = the 10x stress test).
    /// Arrivals already scheduled keep their time; the gaps after them use the new rate. Values that are
    /// not finite or are negative count as 0 (no traffic).
    pub fn set_load(&mut self, load: f64) {
        let load = if load.is_finite() && load > 0.0 {
            load
        } else {
            0.0
        };
        self.world.load = load;
        for i in 0..self.world.nodes.len() {
            self.world.refresh_gap(i);
            let idle = self.world.nodes[i]
                .beh
                .client()
                .is_some_and(|c| !c.scheduled);
            if idle {
                self.world.schedule_client(i as u32);
            }
        }
        self.world.ext_after_params();
    }

    /// Starts `fault` now, live, for its `duration_s` (its `at_s` is ignored). The fault is checked against
    /// the scenario first (target, kind, ranges); on a problem nothing changes.
    pub fn inject_fault(&mut self, fault: &Fault) -> Result<(), ScenarioError> {
        let problems = fault.problems(&self.scenario, &format!("fault ({})", fault.target));
        let target = match fault.resolve(&self.scenario) {
            Ok(t) if problems.is_empty() => t,
            _ => {
                return Err(ScenarioError::Invalid {
                    file: self.scenario.name.clone(),
                    problems,
                });
            }
        };
        let w = &mut self.world;
        w.features = w.features.with_if(Feature::Faults, true);
        let now = w.now;
        w.add_fault(fault, target, now, true);
        Ok(())
    }

    /// Ends every fault now (timeline and live ones; crashed nodes restart) and cancels those yet to start.
    pub fn clear_faults(&mut self) {
        self.world.clear_faults();
    }

    /// The faults that have started so far (timeline and live), with their start and (planned) end times.
    pub fn faults(&self) -> Vec<FaultReport> {
        self.world.fault_reports()
    }

    /// The current load multiplier.
    pub fn load(&self) -> f64 {
        self.world.load
    }

    /// The optional machinery this run uses (empty: the engine's plain paths only, as in the benchmarks).
    pub fn features(&self) -> Features {
        self.world.features
    }

    /// Current simulated time, ns.
    pub fn time_ns(&self) -> u64 {
        self.world.now
    }

    /// End of the run (the scenario's duration), ns.
    pub fn end_ns(&self) -> u64 {
        self.world.end_ns
    }

    /// Has the simulation reached its end time, or been stopped by a governor?
    pub fn is_finished(&self) -> bool {
        self.world.now >= self.world.end_ns || self.stopped.is_some()
    }

    /// Replaces the run-time budgets ([`Budget::default`] until then).
    pub fn set_budget(&mut self, budget: Budget) {
        self.governor.budget = budget;
    }

    /// Why the run ended before its end time, if it did.
    pub fn stopped(&self) -> Option<&Stop> {
        self.stopped.as_ref()
    }

    /// Ends the run now for a reason of the caller's (its wall-time budget): no event runs after this, and
    /// the report says why.
    pub fn stop(&mut self, message: String) {
        if self.stopped.is_none() {
            self.stopped = Some(Stop {
                limit: StopLimit::Caller,
                at_ns: self.world.now,
                message,
            });
        }
    }

    /// Events processed so far.
    pub fn events(&self) -> u64 {
        self.world.events
    }

    /// Processes every event up to and including `time_ns` (capped at the end), then sets the clock there.
    pub fn step_until(&mut self, time_ns: u64) {
        self.step_events(time_ns, u64::MAX);
    }

    /// Like [`Self::step_until`] but stops after `max_events` events (for a per-frame time budget);
    /// returns the number processed. The clock moves to `time_ns` only if every event up to it ran. The
    /// governors look at the run between chunks of [`governor::CHECK_EVERY_EVENTS`] events; when one
    /// trips, the run stops where it is ([`Self::stopped`]).
    pub fn step_events(&mut self, time_ns: u64, max_events: u64) -> u64 {
        if self.stopped.is_some() {
            return 0;
        }
        let w = &mut self.world;
        let until = time_ns.min(w.end_ns);
        let mut total = 0;
        loop {
            let chunk =
                (max_events - total).min(governor::CHECK_EVERY_EVENTS - self.governor.since_check);
            let mut n = 0;
            while n < chunk {
                let Some(ev) = w.queue.pop_until(until) else {
                    break;
                };
                let t = ev.time_ns();
                while t >= w.bucket_end_ns {
                    w.close_bucket();
                }
                w.now = t;
                w.dispatch(ev);
                n += 1;
            }
            w.events += n;
            total += n;
            self.governor.since_check += n;
            if self.governor.since_check >= governor::CHECK_EVERY_EVENTS {
                self.governor.since_check = 0;
                if let Some(stop) = self.governor.check(w) {
                    self.stopped = Some(stop);
                    return total;
                }
            }
            if n < chunk || total >= max_events {
                break;
            }
        }
        let drained = w.queue.peek_time().is_none_or(|t| t > until);
        if drained && until > w.now {
            while until >= w.bucket_end_ns {
                w.close_bucket();
            }
            w.now = until;
        }
        total
    }

    /// Processes exactly one event (if any is due before the end); returns whether one ran.
    pub fn step(&mut self) -> bool {
        let end = self.world.end_ns;
        self.step_events(end, 1) == 1
    }

    /// Runs to the end in slices of at most `events_per_slice` events, asking `between` after each whether
    /// to go on (a cancel flag, a wall-time budget, a progress bar): the one stepping loop the CLI and the
    /// sweeps share (the app and the web page run one bounded slice per frame with [`Self::step_events`]).
    /// `between` may also [`Self::stop`] the run. Returns whether the run reached its end time (false when
    /// `between` broke off or a governor or `between` stopped it).
    pub fn run_in_slices(
        &mut self,
        events_per_slice: u64,
        mut between: impl FnMut(&mut Self) -> std::ops::ControlFlow<()>,
    ) -> bool {
        let end = self.world.end_ns;
        while !self.is_finished() {
            self.step_events(end, events_per_slice.max(1));
            if between(self).is_break() {
                return false;
            }
        }
        self.stopped.is_none()
    }

    /// Runs to the scenario's end.
    pub fn run_to_end(&mut self) {
        let end = self.world.end_ns;
        self.step_until(end);
    }

    /// The live state, cheaply.
    pub fn snapshot(&self) -> Snapshot {
        self.world.snapshot()
    }

    /// The full report so far (percentiles, per-node table, time series, and what the design costs at
    /// the measured traffic). `wall_time_s` is left 0.
    pub fn report(&self) -> Report {
        let mut r = self.world.report();
        r.stopped = self.stopped.as_ref().map(|s| s.message.clone());
        r.cost = Some(crate::metrics::cost_of_report(&self.scenario, &r));
        r.topology = self.world.topology_report(&self.scenario);
        r
    }

    /// The end-to-end latency recorder behind the report's `latency_ms` (successful requests issued after
    /// the warm-up): sweeps save and merge it exactly.
    pub fn latency(&self) -> &Latency {
        &self.world.latency
    }

    /// Turns on sampling of in-transit requests for animation (off by default: it costs a little).
    pub fn set_dot_sampling(&mut self, on: bool) {
        self.world.dots_on = on;
        if !on {
            self.world.dots.clear();
        }
    }

    /// Every sampled message still held (the last few hundred, in departure order), arrived or not: the
    /// app gives each a minimum time on screen, so a sub-millisecond hop is seen at all.
    pub fn sampled_dots(&self) -> Vec<TransitDot> {
        self.world.dots.iter().copied().collect()
    }

    /// Recently sampled in-transit requests; draw those with `depart_ns <= now < arrive_ns`.
    pub fn dots(&self) -> Vec<TransitDot> {
        let now = self.world.now;
        self.world
            .dots
            .iter()
            .filter(|d| d.arrive_ns > now)
            .copied()
            .collect()
    }
}
