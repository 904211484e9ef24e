//! A run is one checked spec: `ValidScenario` from validation, `RunSpec` with the seed, length and load,
//! `Simulation::from_spec`, and one stepping loop (`run_in_slices`) shared by the CLI and the sweeps.

use std::ops::ControlFlow;

use archsim::model::{self, RunSpec, ScenarioError, ValidScenario, presets};
use archsim::sim::Simulation;

use super::common::run_at;

fn url_shortener() -> model::Scenario {
    presets::load_preset("url_shortener").unwrap().unwrap()
}

fn json(sim: &Simulation) -> String {
    serde_json::to_string(&sim.report()).unwrap()
}

#[test]
fn an_invalid_scenario_never_becomes_a_valid_one() {
    let mut s = url_shortener();
    s.duration_s = -3.0;
    let Err(ScenarioError::Invalid { file, problems }) = ValidScenario::named(s, "short.ron")
    else {
        panic!("a negative duration must be refused");
    };
    assert_eq!(file, "short.ron");
    assert!(
        problems
            .iter()
            .any(|p| p.field == "duration_s" && p.message.contains("-3")),
        "{problems:?}"
    );
}

#[test]
fn the_spec_checks_each_knob_when_it_is_set() {
    let valid = ValidScenario::new(url_shortener()).unwrap();
    // The load: the shared range, named with its value.
    for bad in [0.0, -1.0, f64::NAN, 1e9] {
        let e = RunSpec::new(valid.clone()).at_load(bad).unwrap_err();
        assert!(e.to_string().contains("load"), "{bad}: {e}");
    }
    // The length: the warm-up must stay below the duration.
    let e = RunSpec::new(valid.clone())
        .with_times(10.0, 10.0)
        .unwrap_err();
    assert!(e.to_string().contains("warmup_s"), "{e}");
    let spec = RunSpec::new(valid.clone())
        .with_seed(99)
        .with_times(12.0, 2.0)
        .unwrap()
        .at_load(3.0)
        .unwrap();
    assert_eq!(
        (spec.seed(), spec.duration_s(), spec.warmup_s(), spec.load()),
        (99, 12.0, 2.0, 3.0)
    );
    let s = spec.effective_scenario();
    assert_eq!((s.seed, s.duration_s, s.warmup_s), (99, 12.0, 2.0));
}

#[test]
fn a_spec_at_a_load_runs_exactly_like_a_build_then_set_load() {
    // Byte-identical reports: the spec is how every face builds a run, so it must be today's run.
    let s = url_shortener();
    let spec = RunSpec::new(ValidScenario::new(s.clone()).unwrap())
        .at_load(10.0)
        .unwrap();
    let mut sim = Simulation::from_spec(&spec);
    sim.run_to_end();
    assert_eq!(
        json(&sim),
        serde_json::to_string(&run_at(&s, 10.0)).unwrap()
    );
}

#[test]
fn the_shared_loop_gives_the_one_run_result_and_can_be_broken_off() {
    let s = url_shortener();
    let spec = RunSpec::new(ValidScenario::new(s.clone()).unwrap());
    let mut whole = Simulation::from_spec(&spec);
    whole.run_to_end();
    let mut sliced = Simulation::from_spec(&spec);
    let mut slices = 0;
    let finished = sliced.run_in_slices(10_000, |_| {
        slices += 1;
        ControlFlow::Continue(())
    });
    assert!(finished && slices > 10, "{slices} slices");
    assert_eq!(json(&sliced), json(&whole));
    // A check that says stop ends the loop at once, short of the end.
    let mut cut = Simulation::from_spec(&spec);
    let mut asked = 0;
    assert!(!cut.run_in_slices(10_000, |_| {
        asked += 1;
        if asked == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }));
    assert_eq!(asked, 3);
    assert!(
        !cut.is_finished() && cut.events() <= 30_000,
        "{}",
        cut.events()
    );
}
