//! The simulator against queueing theory. Each case runs a file from `scenarios/theory/` (so anyone can
//! rerun it with `archsim run`) and compares with the closed form from `archsim::analysis::queueing`.
//!
//! Tolerances are several times the run-to-run spread, measured over 20 seeds with
//! `cargo run --release --no-default-features --example seed_spread 20` (standard deviation of the mean
//! sojourn, or of the mean wait where a wait is compared, relative to theory):
//! M/M/1 rho 0.5: 0.16%, rho 0.8: 0.59%, rho 0.9: 0.79% (tolerance 3%); M/M/8 rho 0.9 wait: 1.11%
//! (tolerance 5%); M/D/1 rho 0.8 wait: 0.55% (tolerance 3%). So a fixed seed that passes is no lucky draw,
//! and a 1-2% bias in the engine would still be caught at rho 0.5.

use archsim::analysis::queueing as q;
use archsim::metrics::Report;
use archsim::model::{self, apply_override};
use archsim::sim::Simulation;

fn run(file: &str) -> Report {
    let s = model::load(std::path::Path::new(file)).unwrap();
    let mut sim = Simulation::new(&s).unwrap();
    sim.run_to_end();
    sim.report()
}

fn assert_close(what: &str, got: f64, want: f64, rel_tol: f64) {
    let err = (got - want).abs() / want;
    assert!(
        err <= rel_tol,
        "{what}: simulated {got:.5}, theory {want:.5}, relative error {:.2}% > {:.1}%",
        err * 100.0,
        rel_tol * 100.0
    );
}

fn mm1_case(file: &str, lambda_rps: f64) {
    let r = run(file);
    let mu_rps = 100.0;
    let w_ms = q::mm1_mean_sojourn_s(lambda_rps, mu_rps).unwrap() * 1000.0;
    assert_close("M/M/1 mean time in system", r.latency_ms.mean, w_ms, 0.03);
    let server = &r.nodes[1];
    assert_close(
        "M/M/1 mean number in system",
        server.mean_in_system,
        q::mm1_mean_in_system(lambda_rps, mu_rps).unwrap(),
        0.03,
    );
    assert_close(
        "M/M/1 utilization",
        server.utilization,
        lambda_rps / mu_rps,
        0.01,
    );
    // Sojourn is exponential with mean W: p99 = W ln 100 (histogram precision 0.1%).
    assert_close("M/M/1 p99", r.latency_ms.p99, w_ms * 100f64.ln(), 0.04);
    assert!(
        r.requests.succeeded > 1_900_000,
        "too few customers for a tight test: {}",
        r.requests.succeeded
    );
}

#[test]
fn mm1_rho_05() {
    mm1_case("scenarios/theory/mm1_rho05.ron", 50.0);
}

#[test]
fn mm1_rho_08() {
    mm1_case("scenarios/theory/mm1_rho08.ron", 80.0);
}

#[test]
fn mm1_rho_09() {
    mm1_case("scenarios/theory/mm1_rho09.ron", 90.0);
}

#[test]
fn mmc_erlang_c_c8_rho_09() {
    let r = run("scenarios/theory/mmc8_rho09.ron");
    let wq_ms = q::mmc_mean_wait_s(8, 720.0, 100.0).unwrap() * 1000.0;
    // Mean wait = mean sojourn - mean service time (10 ms).
    assert_close(
        "M/M/8 mean wait (Erlang C)",
        r.latency_ms.mean - 10.0,
        wq_ms,
        0.05,
    );
    assert_close("M/M/8 utilization", r.nodes[1].utilization, 0.9, 0.01);
}

#[test]
fn md1_pollaczek_khinchine() {
    let r = run("scenarios/theory/md1_rho08.ron");
    let wq_ms = q::md1_mean_wait_s(80.0, 0.010).unwrap() * 1000.0;
    assert_close(
        "M/D/1 mean wait (P-K)",
        r.latency_ms.mean - 10.0,
        wq_ms,
        0.03,
    );
}

#[test]
fn mm1k_blocking_probability() {
    let r = run("scenarios/theory/mm1k_k10_rho09.ron");
    let p_k = q::mm1k_blocking_probability(90.0, 100.0, 10).unwrap();
    let blocked = r.requests.rejected as f64 / r.requests.offered as f64;
    assert_close("M/M/1/K blocking probability", blocked, p_k, 0.05);
    assert_eq!(
        r.nodes[1].max_queue_len, 9,
        "the queue holds at most K - 1 = 9"
    );
}

/// Mitzenmacher's supermarket model at n = 100, lambda = 0.9 (validation.md section 2), from
/// `scenarios/theory/power_of_two_n100.ron` (1.8 M customers). Mean time in system in service times:
/// power of two choices 2.65 (direct simulation at n = 100; the limit is 2.61); random is exactly M/M/1 at
/// rho 0.9 per server (Poisson splitting), 10. Spread over seeds 1-20 (`archsim run FILE --seed N
/// [--set lb.policy=Random]`): d = 2: 2.648 +- 0.013 (0.5%, range 2.623-2.674); random: 10.02 +- 0.15
/// (1.5%, range 9.76-10.33). Tolerances: 3% and 6%, about four to six standard deviations.
#[test]
fn power_of_two_choices_matches_the_supermarket_model() {
    let path = "scenarios/theory/power_of_two_n100.ron";
    let mut s = model::load(std::path::Path::new(path)).unwrap();
    let service_ms = 10.0;
    let mut sim = Simulation::new(&s).unwrap();
    sim.run_to_end();
    let d2 = sim.report().latency_ms.mean / service_ms;
    assert_close("power of two: mean time in system", d2, 2.65, 0.03);
    apply_override(&mut s, "lb.policy=Random").unwrap();
    let mut sim = Simulation::new(&s).unwrap();
    sim.run_to_end();
    let d1 = sim.report().latency_ms.mean / service_ms;
    assert_close("random: mean time in system", d1, 10.0, 0.06);
}
