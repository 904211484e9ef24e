//! Resilience mechanisms against published results (validation.md section 4): the retry storm, a
//! metastable failure, and each of its fixes. The scenario is the shipped preset `scenarios/retry_storm.ron`;
//! each fix is one parameter change, as a user would make it in the inspector.
//!
//! Seed spread (seeds 1-20, `archsim run scenarios/retry_storm.ron --seed N --json`, means over 200-300 s):
//! the storm: goodput 0.0 in every run, attempts 320.4 +- 2.9/s (314-325); no retries, retry budget, LIFO and
//! queue bound 20: goodput 80.0-80.1 +- 0.8/s (min 78.2), attempts 80.1-80.4 +- 0.8/s (max 81.8); before the
//! spike (5-30 s) goodput 76.4-83.3/s. The bounds below are several standard deviations wide.

use archsim::metrics::Report;
use archsim::model::{self, NodeKind, QueueDiscipline, RetryBudget, Scenario};
use archsim::sim::Simulation;

fn storm() -> Scenario {
    model::load(std::path::Path::new("scenarios/retry_storm.ron")).unwrap()
}

fn run(s: &Scenario) -> Report {
    let mut sim = Simulation::new(s).unwrap();
    sim.run_to_end();
    sim.report()
}

/// Mean of a per-second series over `[from_s, to_s)`.
fn mean_over(r: &Report, v: &[f64], from_s: f64, to_s: f64) -> f64 {
    let pts: Vec<f64> = r
        .series
        .t_s
        .iter()
        .zip(v)
        .filter(|(t, _)| **t >= from_s && **t < to_s)
        .map(|(_, x)| *x)
        .collect();
    pts.iter().sum::<f64>() / pts.len() as f64
}

/// Goodput and attempts per second after the system has had time to settle (the spike ends at 40 s; with a retry budget the backlog of abandoned work takes until ~150 s to drain).
fn after_spike(r: &Report) -> (f64, f64) {
    let s = &r.series;
    let attempts: Vec<f64> = s
        .offered_rps
        .iter()
        .zip(&s.retries_rps)
        .map(|(o, x)| o + x)
        .collect();
    (
        mean_over(r, &s.succeeded_rps, 200.0, 300.0),
        mean_over(r, &attempts, 200.0, 300.0),
    )
}

fn client_mut<'a>(s: &'a mut Scenario, id: &str) -> &'a mut model::ClientParams {
    match &mut s.node_mut(id).unwrap().kind {
        NodeKind::Client(c) => c,
        _ => panic!("{id} is not a client"),
    }
}

fn server_mut(s: &mut Scenario) -> &mut model::ServiceParams {
    match &mut s.node_mut("server").unwrap().kind {
        NodeKind::Service(p) => p,
        _ => panic!("server is not a service"),
    }
}

#[test]
fn retry_storm_is_healthy_before_the_spike() {
    let r = run(&storm());
    let before = mean_over(&r, &r.series.succeeded_rps, 5.0, 30.0);
    assert!(
        (70.0..=90.0).contains(&before),
        "goodput before the spike {before:.1}/s, expected ~80"
    );
}

#[test]
fn retry_storm_stays_down_after_the_spike() {
    let (goodput, attempts) = after_spike(&run(&storm()));
    assert!(
        goodput < 5.0,
        "goodput after the spike {goodput:.1}/s, expected ~0"
    );
    // 80 requests/s x 4 attempts = 320: amplification near 1 + max_retries.
    assert!(
        (290.0..=350.0).contains(&attempts),
        "attempts after the spike {attempts:.1}/s, expected ~4 x 80"
    );
}

fn assert_recovers(s: &Scenario, what: &str) {
    let (goodput, attempts) = after_spike(&run(s));
    assert!(
        (74.0..=86.0).contains(&goodput),
        "{what}: goodput after the spike {goodput:.1}/s, expected ~80"
    );
    assert!(
        attempts < 90.0,
        "{what}: attempts after the spike {attempts:.1}/s, expected near 80"
    );
}

#[test]
fn retry_storm_recovers_without_retries() {
    let mut s = storm();
    client_mut(&mut s, "users").retry = None;
    client_mut(&mut s, "spike").retry = None;
    assert_recovers(&s, "no retries");
}

#[test]
fn retry_storm_recovers_with_a_retry_budget() {
    let mut s = storm();
    client_mut(&mut s, "users").retry.as_mut().unwrap().budget = Some(RetryBudget::default());
    assert_recovers(&s, "retry budget");
}

#[test]
fn retry_storm_recovers_with_lifo() {
    let mut s = storm();
    server_mut(&mut s).queue_discipline = QueueDiscipline::Lifo;
    assert_recovers(&s, "LIFO");
}

#[test]
fn retry_storm_recovers_with_a_bounded_queue() {
    let mut s = storm();
    server_mut(&mut s).queue_capacity = 20;
    assert_recovers(&s, "queue bound 20");
}
