//! The lessons of the traffic presets (issue 15): a diurnal peak that saturates a sender sized for the
//! average, and closed-loop users whose throughput the think time bounds. Figures from the release CLI at
//! seed as shipped are in each preset's description; the bounds here are loose around them.

use archsim::metrics::Report;
use archsim::model::{self, Scenario, presets};

use crate::common::{run, run_at};

fn preset(name: &str, sets: &[&str]) -> Scenario {
    let mut s = presets::load_preset(name).unwrap().unwrap();
    for spec in sets {
        model::apply_override(&mut s, spec).unwrap();
    }
    assert!(model::validate(&s).is_empty());
    s
}

fn util(r: &Report, id: &str) -> f64 {
    r.nodes.iter().find(|n| n.id == id).unwrap().utilization
}

/// The highest per-second p99 in `[a, b)` seconds.
fn worst_p99(r: &Report, a: usize, b: usize) -> f64 {
    r.series.p99_ms[a..b]
        .iter()
        .copied()
        .filter(|x| !x.is_nan())
        .fold(0.0, f64::max)
}

#[test]
fn notification_diurnal_fails_at_the_peak_not_on_average() {
    let r = run(&preset("notification_diurnal", &[]));
    // Offered load follows the day: the seconds around the peak (20 s) carry about 3.5x the trough (50 s).
    let o = &r.series.offered_rps;
    let mean = |a: usize, b: usize| o[a..b].iter().sum::<f64>() / (b - a) as f64;
    let (peak, trough) = (mean(15, 26), mean(45, 56));
    assert!(
        (2.5..4.5).contains(&(peak / trough)),
        "peak {peak:.0}/s, trough {trough:.0}/s"
    );
    // On average the sender looks fine, yet at the peak its queue takes p99 to seconds.
    assert!(
        util(&r, "sender") < 0.8,
        "sender {:.2} busy",
        util(&r, "sender")
    );
    assert!(
        worst_p99(&r, 0, 10) < 200.0,
        "morning p99 {:.0} ms",
        worst_p99(&r, 0, 10)
    );
    assert!(
        worst_p99(&r, 20, 40) > 1000.0,
        "evening p99 {:.0} ms",
        worst_p99(&r, 20, 40)
    );
    // Peak capacity fixes it; so does a flat day at the same average.
    let fixed = run(&preset("notification_diurnal", &["sender.workers=6"]));
    assert!(
        worst_p99(&fixed, 0, 60) < 300.0,
        "6 workers: p99 {:.0} ms",
        worst_p99(&fixed, 0, 60)
    );
    let flat = run(&preset(
        "notification_diurnal",
        &["events.profile.peak_to_trough=1"],
    ));
    assert!(
        flat.latency_ms.p99 < 300.0,
        "flat day: p99 {:.0} ms",
        flat.latency_ms.p99
    );
}

#[test]
fn checkout_closed_loop_throughput_is_bounded_by_think_time() {
    let x = |r: &Report| r.nodes[0].closed_loop.clone().unwrap().throughput_rps;
    let base = run(&preset("checkout_closed_loop", &[]));
    assert!(util(&base, "checkout") > 0.97);
    // Doubling the bottleneck raises throughput by about a fifth, not twice: N / Z = 100/s bounds it.
    let doubled = run(&preset("checkout_closed_loop", &["checkout.workers=8"]));
    let gain = x(&doubled) / x(&base);
    assert!(
        (1.1..1.35).contains(&gain),
        "X {:.1} -> {:.1}/s",
        x(&base),
        x(&doubled)
    );
    assert!(x(&doubled) < 100.0 && util(&doubled, "checkout") < 0.75);
    let again = run(&preset("checkout_closed_loop", &["checkout.workers=16"]));
    assert!(
        (x(&again) - x(&doubled)).abs() / x(&doubled) < 0.03,
        "16 workers: {:.1}/s",
        x(&again)
    );
    // Twice the users saturate the doubled checkout again.
    let more = run_at(
        &preset("checkout_closed_loop", &["checkout.workers=8"]),
        2.0,
    );
    assert!(
        x(&more) > 140.0 && util(&more, "checkout") > 0.97,
        "400 users: {:.1}/s",
        x(&more)
    );
}

#[test]
fn the_flow_model_puts_the_checkout_loop_where_the_simulation_does() {
    // The flow model solves the loop by MVA (checkout's 4 workers by Seidmann's multi-server
    // approximation): X = 79.95/s against 78.86/s simulated at 4 workers (1.4%), 96.79 against 96.86 at 8,
    // 97.17 against 96.98 at 16 (seed 11). Seidmann's one fast server plus a delay lets slightly more
    // through a saturated 4-server station than the real one, so the test allows 2.5%. The old open-stream
    // figure, N / Z = 100/s, was 27% high at 4 workers.
    let x = |r: &Report| r.nodes[0].closed_loop.clone().unwrap().throughput_rps;
    for (sets, workers) in [
        (vec![], 4.0),
        (vec!["checkout.workers=8"], 8.0),
        (vec!["checkout.workers=16"], 16.0),
    ] {
        let s = preset("checkout_closed_loop", &sets);
        let flow = archsim::analysis::flow::analyze(&s, 1.0).unwrap();
        let model = flow.node("shoppers").unwrap().arrival_rps;
        let sim = x(&run(&s));
        assert!(
            (model - sim).abs() / sim < 0.025,
            "{sets:?}: model X {model:.2}/s, simulated {sim:.2}/s"
        );
        // The breaking point is the knee, N* = (R0 + Z) c / S users of checkout: R0 = 57 ms (3 + 50 and
        // four 1 ms hops), Z = 2,000 ms, S / c = 12.5 ms at 4 workers: 164.56 users, 0.8228x of 200.
        let knee = 2057.0 * workers / 50.0 / 200.0;
        let got = flow.breaking_load.unwrap();
        assert!(
            (got - knee).abs() < 1e-6,
            "{sets:?}: knee {got}, expected {knee}"
        );
        assert_eq!(flow.bottleneck.as_deref(), Some("checkout"));
    }
}
