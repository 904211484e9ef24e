//! Call options edited mid-run (the app's inspector while a run is on): a service's pattern and an edge's
//! hedge change without a rebuild, calls in flight finish the way they began, and the latency follows
//! the new pattern's closed form from the next calls on.
//!
//! The design: a root with no work of its own calls 4 leaves of exponential 20 ms (ample workers, edges of
//! zero latency, so nothing queues). Sequential, a request takes the sum of 4 such times: an Erlang-4 of
//! mean 80 ms, median 73.4 ms. `FirstOf(1)`, it takes their minimum: exponential of mean 5 ms, median
//! 5 ln 2 = 3.47 ms. 100 requests/s, so each 1 s bucket's median is from about 100 requests.

use archsim::model::ServiceParams;
use archsim::model::{CallPattern, ClientParams, Dist, Hedge, HedgeAfter, NodeKind, Scenario};
use archsim::sim::Simulation;

use crate::common::{instant_edge, node};

fn design(calls: CallPattern) -> Scenario {
    let svc = |t: Dist, calls: CallPattern| {
        NodeKind::Service(ServiceParams {
            workers: 1000,
            queue_capacity: 1000,
            service_time_ms: t,
            calls,
            ..ServiceParams::default()
        })
    };
    let mut nodes = vec![
        node(
            "client",
            NodeKind::Client(ClientParams {
                rate_rps: 100.0,
                ..ClientParams::default()
            }),
        ),
        node("root", svc(Dist::constant(0.0), calls)),
    ];
    let mut edges = vec![instant_edge("client", "root")];
    for i in 0..4 {
        let id = format!("leaf{i}");
        nodes.push(node(&id, svc(Dist::exp(20.0), CallPattern::Sequential)));
        edges.push(instant_edge("root", &id));
    }
    Scenario {
        name: "live calls".into(),
        duration_s: 60.0,
        warmup_s: 1.0,
        seed: 7,
        nodes,
        edges,
        ..Scenario::default()
    }
}

fn set_pattern(s: &mut Scenario, calls: CallPattern) {
    if let NodeKind::Service(p) = &mut s.nodes[1].kind {
        p.calls = calls;
    }
}

/// The mean of the per-second medians from `from_s` to `to_s` (buckets wholly inside).
fn median_ms(r: &archsim::metrics::Report, from_s: f64, to_s: f64) -> f64 {
    let s = &r.series;
    let v: Vec<f64> = s
        .t_s
        .iter()
        .zip(&s.p50_ms)
        .filter(|&(&t, m)| t >= from_s && t + 1.0 <= to_s && m.is_finite())
        .map(|(_, &m)| m)
        .collect();
    assert!(v.len() >= 8, "{} buckets in {from_s}-{to_s} s", v.len());
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn a_pattern_and_a_hedge_changed_mid_run_apply_live_and_calls_in_flight_finish() {
    let mut s = design(CallPattern::Sequential);
    let mut sim = Simulation::new(&s).unwrap();
    sim.step_until(15_000_000_000);
    // 15 s: first of the 4 answers (a call plan appears where there was none).
    set_pattern(&mut s, CallPattern::FirstOf(1));
    assert!(
        sim.update_params(&s).unwrap(),
        "applied live, not a rebuild"
    );
    sim.step_until(30_000_000_000);
    // 30 s: one after another again, the first leaf hedged after a fixed 10 ms (a sequential plan).
    set_pattern(&mut s, CallPattern::Sequential);
    s.edges[1].hedge = Some(Hedge {
        after_ms: HedgeAfter::Fixed(10.0),
        cancel: true,
    });
    assert!(sim.update_params(&s).unwrap());
    sim.step_until(45_000_000_000);
    // 45 s: no options at all (no plan: the runners in flight finish on the one they started with).
    s.edges[1].hedge = None;
    assert!(sim.update_params(&s).unwrap());
    sim.run_to_end();
    let r = sim.report();

    let q = &r.requests;
    assert_eq!(q.failed + q.rejected + q.timed_out, 0, "{q:?}");
    assert_eq!(q.offered, q.succeeded + q.in_flight, "{q:?}");
    // Erlang-4 median 73.4 ms, then the minimum's 3.47 ms. A hedge after 10 ms makes that one leaf's time
    // min(X1, 10 + X2), of mean 20 (1 - e^-0.5) + 10 e^-0.5 = 13.9 ms instead of 20: the request's median
    // falls by about 6 ms, to about 67 ms. Seed spread (seeds 1-10, 13-14 per-second medians each):
    // sequential 70.6-74.8 and 72.1-75.3 ms, first-of-1 3.40-3.70 ms, hedged 66.4-69.3 ms, hedges
    // 853-946; every tolerance below is wider.
    let seq = median_ms(&r, 1.0, 15.0);
    let first = median_ms(&r, 16.0, 30.0);
    let hedged = median_ms(&r, 31.0, 45.0);
    let plain = median_ms(&r, 46.0, 60.0);
    assert!((seq - 73.4).abs() < 8.0, "sequential median {seq}");
    assert!((first - 3.47).abs() < 1.0, "first-of-1 median {first}");
    assert!(
        (plain - 73.4).abs() < 8.0,
        "sequential again: median {plain}"
    );
    assert!((63.0..71.0).contains(&hedged), "hedged median {hedged}");
    let e = r
        .edges
        .iter()
        .find(|e| e.to == "leaf0")
        .expect("root -> leaf0");
    // The hedge's second copies went out in its 15 s only: P(X > 10) = e^-0.5 = 61% of ~1,500 calls, 910.
    let hedges = e.hedges.expect("a hedge count once it had a hedge");
    assert!((700..=1100).contains(&hedges), "{hedges} hedges");
}
