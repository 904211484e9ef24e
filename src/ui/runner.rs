//! Drives a [`Simulation`] inside the frame loop: a slice of events per frame within a wall-clock budget.

use std::panic::{AssertUnwindSafe, catch_unwind};

use web_time::Instant;

use crate::metrics::Report;
use crate::model::{RunSpec, Scenario, ScenarioError, ValidScenario};
use crate::sim::{NS_PER_S, Simulation, Snapshot, TransitDot};

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// No simulation built yet (or reset).
    Idle,
    /// Advancing every frame.
    Running,
    /// Built, not advancing.
    Paused,
    /// Reached the scenario's duration.
    Finished,
}

/// Events between two looks at the wall clock while a slice runs: a few hundred microseconds of engine
/// time, so a slice overruns its budget by at most that (the governors' checks come every 65,536 events
/// and cost about as much as one event per node).
const EVENTS_PER_CHECK: u64 = 4_000;
/// Wall time one press of Step may take, s: a tenth of a simulated second of a heavy run may be far more.
const STEP_BUDGET_S: f64 = 0.05;

/// Speeds offered, in simulated seconds per wall second; `f64::INFINITY` is "as fast as possible".
pub const SPEEDS: [f64; 7] = [1.0, 2.0, 5.0, 10.0, 30.0, 100.0, f64::INFINITY];

/// Label for a speed, in simulated seconds per real second ("s/s"), so it never reads like the load
/// multiplier ("10x" always means load).
pub fn speed_label(speed: f64) -> String {
    if speed.is_infinite() {
        "Max".into()
    } else {
        format!("{speed} s/s")
    }
}

/// What the run is doing, in a few words, and when the simulation cannot keep up with the speed asked for,
/// why (the status then shows the speed achieved, never the one asked).
pub fn status_text(r: &Runner) -> (String, Option<String>) {
    let s = match r.state {
        RunState::Running if r.achieved_speed <= 0.0 => "running…".into(),
        RunState::Running if r.speed.is_infinite() => {
            format!("running at {:.0} s/s (Max)", r.achieved_speed)
        }
        RunState::Running if r.achieved_speed < 0.9 * r.speed => {
            return (
                format!(
                    "running at {:.1} s/s, not {}",
                    r.achieved_speed,
                    speed_label(r.speed)
                ),
                Some(
                    "The simulation cannot keep up with the clock speed asked for: simulating this load \
                     takes more CPU than a frame allows. The results are the same, they just take longer."
                        .into(),
                ),
            );
        }
        RunState::Running => format!("running at {}", speed_label(r.speed)),
        RunState::Paused if r.time_ns() == 0 => "ready".into(),
        RunState::Paused => "paused".into(),
        RunState::Finished => "finished".into(),
        RunState::Idle => String::new(),
    };
    (s, None)
}

/// The simulation the app is running, with what the panels show of it.
pub struct Runner {
    sim: Option<Simulation>,
    /// The scenario the simulation was built from (the editor's copy may have moved on).
    run_scenario: Option<Scenario>,
    /// Run state.
    pub state: RunState,
    /// Simulated seconds per wall second (`INFINITY`: as fast as the budget allows).
    pub speed: f64,
    /// Load multiplier on every client.
    pub load: f64,
    /// Latest live state.
    pub snapshot: Option<Snapshot>,
    /// Latest report (refreshed a few times a second).
    pub report: Option<Report>,
    /// Sampled requests in transit.
    pub dots: Vec<TransitDot>,
    /// Why the last start failed, or the engine stopped, in words.
    pub error: Option<String>,
    /// Wall milliseconds the last slice took.
    pub slice_ms: f64,
    /// Simulated seconds per wall second actually achieved over the last frames.
    pub achieved_speed: f64,
    report_age_s: f64,
    /// Simulated and wall seconds since the achieved speed was last measured.
    window: (f64, f64),
    /// Why the run no longer shows the design being edited (nodes or edges changed while it ran, or the
    /// design changed after it finished). The run, its charts and badges stay as they were until the
    /// person restarts: an edit never silently throws a run away.
    pub outdated: Option<String>,
}

impl Default for Runner {
    fn default() -> Self {
        Self {
            sim: None,
            run_scenario: None,
            state: RunState::Idle,
            speed: 10.0,
            load: 1.0,
            snapshot: None,
            report: None,
            dots: Vec::new(),
            error: None,
            slice_ms: 0.0,
            achieved_speed: 0.0,
            report_age_s: 0.0,
            window: (0.0, 0.0),
            outdated: None,
        }
    }
}

/// Runs `f`, turning an engine panic into an error message so that the app keeps working.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|e| {
        let msg = e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "unknown error".into());
        format!("the engine failed while {what}: {msg}")
    })
}

impl Runner {
    /// Is there a simulation (running, paused or finished)?
    pub fn has_sim(&self) -> bool {
        self.sim.is_some()
    }

    /// The scenario the current run was built from.
    pub fn run_scenario(&self) -> Option<&Scenario> {
        self.run_scenario.as_ref()
    }

    /// Simulated time now, seconds.
    pub fn time_s(&self) -> f64 {
        self.sim
            .as_ref()
            .map_or(0.0, |s| s.time_ns() as f64 / NS_PER_S as f64)
    }

    /// End of the run, seconds.
    pub fn end_s(&self) -> f64 {
        self.sim
            .as_ref()
            .map_or(0.0, |s| s.end_ns() as f64 / NS_PER_S as f64)
    }

    /// Index of node `id` in the running simulation.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.run_scenario.as_ref()?.node_index(id)
    }

    /// Index of edge `from -> to` in the running simulation.
    pub fn edge_index(&self, from: &str, to: &str) -> Option<usize> {
        self.run_scenario
            .as_ref()?
            .edges
            .iter()
            .position(|e| e.from == from && e.to == to)
    }

    /// Builds a fresh simulation of `scenario` at time 0 with the current load. Problems come back in words.
    pub fn build(&mut self, scenario: &Scenario) -> Result<(), String> {
        self.outdated = None;
        // Validated once, with the limits computed before a run at the load the slider is at.
        let spec =
            ValidScenario::new(scenario.clone()).and_then(|v| RunSpec::new(v).at_load(self.load));
        let spec = match spec {
            Ok(spec) => spec,
            Err(e) => {
                let msg = match e {
                    ScenarioError::Invalid { problems, .. } => format!(
                        "Cannot run: {} problem(s). {}",
                        problems.len(),
                        problems
                            .iter()
                            .take(3)
                            .map(|p| p.to_string())
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                    other => format!("Cannot run: {other}"),
                };
                self.error = Some(msg.clone());
                return Err(msg);
            }
        };
        let sim = guarded("starting", || {
            let mut sim = Simulation::from_spec(&spec);
            sim.set_dot_sampling(true);
            sim
        });
        match sim {
            Ok(sim) => {
                self.snapshot = Some(sim.snapshot());
                self.report = None;
                self.report_age_s = f64::INFINITY;
                self.dots.clear();
                self.sim = Some(sim);
                self.run_scenario = Some(scenario.clone());
                self.error = None;
                Ok(())
            }
            Err(e) => {
                self.error = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Starts or resumes.
    pub fn run(&mut self, scenario: &Scenario) {
        if (self.sim.is_none() || self.state == RunState::Finished) && self.build(scenario).is_err()
        {
            return;
        }
        self.state = RunState::Running;
    }

    /// Stops advancing.
    pub fn pause(&mut self) {
        if self.state == RunState::Running {
            self.state = RunState::Paused;
        }
        self.refresh(true);
    }

    /// Advances one tenth of a simulated second (building the simulation first if needed).
    pub fn step(&mut self, scenario: &Scenario) {
        if self.sim.is_none() && self.build(scenario).is_err() {
            return;
        }
        if self.state != RunState::Finished {
            self.state = RunState::Paused;
        }
        if let Some(sim) = self.sim.as_mut() {
            let target = sim.time_ns() + NS_PER_S / 10;
            // In slices of events within a wall budget, like a frame: a tenth of a second of a heavy run
            // may be millions of events, and the window must keep drawing.
            let start = Instant::now();
            let stepped = guarded("stepping", || {
                while !sim.is_finished()
                    && sim.time_ns() < target.min(sim.end_ns())
                    && start.elapsed().as_secs_f64() < STEP_BUDGET_S
                {
                    if sim.step_events(target, EVENTS_PER_CHECK) == 0
                        && sim.time_ns() < target.min(sim.end_ns())
                    {
                        break;
                    }
                }
            });
            if let Err(e) = stepped {
                self.fail(e);
                return;
            }
            if sim.is_finished() {
                self.state = RunState::Finished;
            }
            if let Some(stop) = sim.stopped() {
                self.error = Some(stop.message.clone());
            }
        }
        self.refresh(true);
    }

    /// Throws the simulation away.
    pub fn reset(&mut self) {
        *self = Self {
            speed: self.speed,
            load: self.load,
            ..Self::default()
        };
    }

    /// Changes the load multiplier, live if running.
    pub fn set_load(&mut self, load: f64) {
        let load = if load.is_finite() {
            load.clamp(0.0, 1000.0)
        } else {
            1.0
        };
        if let Some(s) = &self.run_scenario
            && let Some(p) = crate::model::limits::problems(s, load).first()
        {
            // Over the limits at this load: keep the load the run has, and say why.
            self.error = Some(format!("Load {load}x refused: {p}"));
            return;
        }
        self.load = load;
        if let Some(sim) = self.sim.as_mut()
            && let Err(e) = guarded("changing the load", || sim.set_load(load))
        {
            self.fail(e);
        }
    }

    /// The edited scenario changed in a way that matters to the simulation. Parameter edits apply live, so
    /// "add replicas and watch it recover" happens mid-run. A run that has not started yet is rebuilt. A
    /// structural edit (nodes, edges, classes) or any edit after the run finished leaves the run as it is and
    /// marks it outdated, so its charts stay readable until the person restarts.
    pub fn scenario_changed(&mut self, scenario: &Scenario) {
        let strip = |s: &Scenario| {
            let mut s = s.clone();
            s.nodes.iter_mut().for_each(|n| n.pos = None);
            s
        };
        let same = self
            .run_scenario
            .as_ref()
            .is_some_and(|r| strip(r) == strip(scenario));
        if same {
            self.outdated = None;
            return;
        }
        let Some(sim) = self.sim.as_mut() else { return };
        if sim.time_ns() == 0 && self.state != RunState::Finished {
            // Nothing simulated yet: nothing to lose.
            if self.build(scenario).is_err() {
                self.state = RunState::Idle;
                self.sim = None;
            }
            return;
        }
        if self.state == RunState::Finished {
            self.outdated = Some(
                "These results are from the design before your edit: press Run to run it again."
                    .into(),
            );
            return;
        }
        match guarded("applying the edit", || sim.update_params(scenario)) {
            Ok(Ok(true)) => {
                self.run_scenario = Some(scenario.clone());
                self.outdated = None;
                self.refresh(true);
            }
            Ok(Ok(false)) => {
                self.outdated = Some(
                    "Nodes, edges, classes or scheduled faults changed: this run goes on with the design \
                     as it was. Press Restart to run the new design."
                        .into(),
                )
            }
            // Invalid while being edited: keep running the last valid design; the inspector shows why.
            Ok(Err(_)) => {}
            Err(e) => self.fail(e),
        }
    }

    /// Starts `fault` now in the running simulation; the message says why not (nothing running, or the
    /// fault does not fit its target).
    pub fn inject_fault(&mut self, fault: &crate::model::Fault) -> Result<(), String> {
        let Some(sim) = self.sim.as_mut() else {
            return Err("Run the simulation first, then inject faults".into());
        };
        match guarded("injecting a fault", || sim.inject_fault(fault)) {
            Ok(Ok(())) => {
                self.refresh(true);
                Ok(())
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => {
                self.fail(e.clone());
                Err(e)
            }
        }
    }

    /// Ends every fault in the running simulation (crashed nodes restart).
    pub fn clear_faults(&mut self) {
        if let Some(sim) = self.sim.as_mut() {
            sim.clear_faults();
            self.refresh(true);
        }
    }

    fn fail(&mut self, e: String) {
        self.error = Some(e);
        self.sim = None;
        self.run_scenario = None;
        self.state = RunState::Idle;
    }

    /// Advances by `dt_s` wall seconds times the speed, spending at most `budget_s` of wall time.
    pub fn tick(&mut self, dt_s: f64, budget_s: f64) {
        let dt_s = if dt_s.is_finite() {
            dt_s.clamp(0.0, 0.1)
        } else {
            0.0
        };
        if self.state != RunState::Running {
            return;
        }
        let Some(sim) = self.sim.as_mut() else {
            self.state = RunState::Idle;
            return;
        };
        let start = Instant::now();
        let t0 = sim.time_ns();
        let target = if self.speed.is_infinite() {
            sim.end_ns()
        } else {
            t0.saturating_add((dt_s * self.speed * NS_PER_S as f64) as u64)
        };
        let result = guarded("running", || {
            loop {
                let n = sim.step_events(target, EVENTS_PER_CHECK);
                if sim.time_ns() >= target.min(sim.end_ns()) || n == 0 {
                    break;
                }
                if start.elapsed().as_secs_f64() > budget_s {
                    break;
                }
            }
        });
        if let Err(e) = result {
            self.fail(e);
            return;
        }
        let advanced = (sim.time_ns() - t0) as f64 / NS_PER_S as f64;
        self.window.0 += advanced;
        self.window.1 += dt_s;
        if self.window.1 >= 0.5 {
            self.achieved_speed = self.window.0 / self.window.1;
            self.window = (0.0, 0.0);
        }
        self.slice_ms = start.elapsed().as_secs_f64() * 1000.0;
        let finished = sim.is_finished();
        if finished {
            self.state = RunState::Finished;
        }
        if let Some(stop) = sim.stopped() {
            // A governor ended the run: the message stays in place (toolbar and results) with the partial
            // report.
            self.error = Some(stop.message.clone());
        }
        self.report_age_s += dt_s;
        self.refresh(finished);
    }

    /// Takes a fresh snapshot and dots; a fresh report when `force` or when the last is old.
    fn refresh(&mut self, force: bool) {
        let Some(sim) = self.sim.as_ref() else { return };
        let want_report = force || self.report_age_s > 0.25;
        let r = guarded("reading results", || {
            let report = want_report.then(|| sim.report());
            (sim.snapshot(), sim.dots(), report)
        });
        match r {
            Ok((snap, dots, report)) => {
                self.snapshot = Some(snap);
                self.dots = dots;
                if let Some(rep) = report {
                    self.report = Some(rep);
                    self.report_age_s = 0.0;
                }
            }
            Err(e) => self.fail(e),
        }
    }

    /// Current simulated time in ns, for dot animation.
    pub fn time_ns(&self) -> u64 {
        self.sim.as_ref().map_or(0, Simulation::time_ns)
    }
}
