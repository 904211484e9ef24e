//! Helpers shared by the test modules.

use archsim::metrics::Report;
use archsim::model::Scenario;
use archsim::sim::Simulation;

/// Runs `s` to its end at the load it is written for and returns the report.
pub fn run(s: &Scenario) -> Report {
    let mut sim = Simulation::new(s).unwrap();
    sim.run_to_end();
    sim.report()
}

/// Runs `s` to its end at load multiplier `load` and returns the report.
pub fn run_at(s: &Scenario, load: f64) -> Report {
    let mut sim = Simulation::new(s).unwrap();
    sim.set_load(load);
    sim.run_to_end();
    sim.report()
}
