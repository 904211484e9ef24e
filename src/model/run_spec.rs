//! What a run is, checked once: a [`ValidScenario`] (a scenario that passed validation) and a [`RunSpec`]
//! (that scenario with the seed, length and load multiplier of one run). The engine builds only from a
//! `RunSpec` (`Simulation::from_spec`), so no face of the program can start a run on an unchecked scenario
//! or at a load outside the shared range, and nothing checks the same scenario twice.

use std::ops::Deref;

use super::limits;
use super::validate::{time_problems, validate};
use super::{Problem, Scenario, ScenarioError};

/// A scenario that passed [`validate`]: the only kind the engine and the flow model are built from.
/// Read it through `Deref`; to change it, take it apart with [`Self::into_scenario`] and validate again.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidScenario(Scenario);

impl ValidScenario {
    /// Validates `scenario`; every problem found is in the error, named by place and field.
    pub fn new(scenario: Scenario) -> Result<Self, ScenarioError> {
        let problems = validate(&scenario);
        if problems.is_empty() {
            Ok(Self(scenario))
        } else {
            Err(ScenarioError::Invalid {
                file: scenario.name.clone(),
                problems,
            })
        }
    }

    /// Like [`Self::new`] with `file` naming the scenario in the error (a path, or "X (with --set ...)").
    pub fn named(scenario: Scenario, file: &str) -> Result<Self, ScenarioError> {
        Self::new(scenario).map_err(|e| match e {
            ScenarioError::Invalid { problems, .. } => ScenarioError::Invalid {
                file: file.to_owned(),
                problems,
            },
            other => other,
        })
    }

    /// The scenario, to edit (it is no longer known to be valid).
    pub fn into_scenario(self) -> Scenario {
        self.0
    }
}

impl Deref for ValidScenario {
    type Target = Scenario;

    fn deref(&self) -> &Scenario {
        &self.0
    }
}

/// One run: a valid scenario with the seed, duration, warm-up and load multiplier it runs with. The CLI,
/// the sweeps, the app and the web page all build their runs as one of these; its fields can only be set
/// through the checked builders below, so a `RunSpec` is always one the engine can run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    scenario: ValidScenario,
    seed: u64,
    duration_s: f64,
    warmup_s: f64,
    load: f64,
}

impl RunSpec {
    /// The run as the scenario is written: its seed, duration and warm-up, at load 1.
    pub fn new(scenario: ValidScenario) -> Self {
        Self {
            seed: scenario.seed,
            duration_s: scenario.duration_s,
            warmup_s: scenario.warmup_s,
            load: 1.0,
            scenario,
        }
    }

    /// With another seed (any value is a valid seed).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// With another length. Only what the length changes is checked again (the rest of the scenario was
    /// validated once): duration above 0 and at most [`super::MAX_DURATION_S`], warm-up at least 0 and
    /// below the duration, then the work limits (the event limit grows with the duration) at this spec's
    /// load. A sweep's many replications therefore cost one validation, not one each.
    pub fn with_times(mut self, duration_s: f64, warmup_s: f64) -> Result<Self, ScenarioError> {
        let mut problems = time_problems(duration_s, warmup_s);
        if problems.is_empty() {
            let mut s = self.effective_scenario();
            s.duration_s = duration_s;
            s.warmup_s = warmup_s;
            problems = limits::problems(&s, self.load);
        }
        if !problems.is_empty() {
            let file = if self.load == 1.0 {
                self.scenario.name.clone()
            } else {
                format!("{} at load {}", self.scenario.name, limits::fmt(self.load))
            };
            return Err(ScenarioError::Invalid { file, problems });
        }
        self.duration_s = duration_s;
        self.warmup_s = warmup_s;
        Ok(self)
    }

    /// At load multiplier `load` (every client's rate times `load`): refused outside the shared range
    /// ([`limits::MIN_LOAD`] to [`limits::MAX_LOAD`]) and when the run would be over the work limits
    /// computed before a run at that load (offered rate, batch size, calls per request, events), each
    /// problem naming the figure, the limit and the knob.
    pub fn at_load(mut self, load: f64) -> Result<Self, ScenarioError> {
        let file = format!("{} at load {}", self.scenario.name, limits::fmt(load));
        if let Some(why) = limits::load_problem(load) {
            return Err(ScenarioError::Invalid {
                file,
                problems: vec![Problem::new("run", "load", why)],
            });
        }
        let problems = limits::problems(&self.effective_scenario(), load);
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid { file, problems });
        }
        self.load = load;
        Ok(self)
    }

    /// The scenario it runs (before the seed, length and load of this run are applied).
    pub fn scenario(&self) -> &ValidScenario {
        &self.scenario
    }

    /// The RNG seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Simulated length, seconds.
    pub fn duration_s(&self) -> f64 {
        self.duration_s
    }

    /// Warm-up excluded from the figures, seconds.
    pub fn warmup_s(&self) -> f64 {
        self.warmup_s
    }

    /// The load multiplier.
    pub fn load(&self) -> f64 {
        self.load
    }

    /// The scenario with this run's seed, duration and warm-up written in (still valid: each was checked
    /// when it was set). The load stays a multiplier applied by the engine, never written into rates.
    pub fn effective_scenario(&self) -> Scenario {
        let mut s = self.scenario.0.clone();
        s.seed = self.seed;
        s.duration_s = self.duration_s;
        s.warmup_s = self.warmup_s;
        s
    }
}
