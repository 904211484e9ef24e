//! Call patterns and hedged calls (issue 14) against their closed forms (docs/validation.md, section
//! "Call patterns and hedging"): tail amplification of a parallel fan-out (Dean and Barroso 2013), the
//! minimum and order statistics of exponential callees under `FirstOf(k)`, a probabilistic edge's share of
//! the traffic, the failure rules, and hedging's latency distribution and extra load.
//!
//! Every callee here has more workers than it ever needs and every edge has zero latency, so nothing queues
//! and a call's time is its callee's service time: the closed forms hold exactly. Seed spread, measured with
//! `SPREAD=1 cargo test --test it calls:: -- --nocapture` over seeds 1-10 (printed by `spread`), is given on
//! each test; every tolerance is wider than it.

use crate::common::{
    edge_report as edge, instant_edge as e, node as n, node_report as node, spread,
};
use archsim::metrics::Report;
use archsim::model::{
    CallPattern, ClientParams, Dist, Edge, Hedge, HedgeAfter, Node, NodeKind, Scenario,
    ServiceParams,
};
use archsim::sim::Simulation;

fn service(time: Dist, calls: CallPattern) -> NodeKind {
    NodeKind::Service(ServiceParams {
        replicas: 1,
        workers: 100_000,
        queue_capacity: 100_000,
        service_time_ms: time,
        calls,
        ..ServiceParams::default()
    })
}

/// client -> root (no work of its own, `calls`) -> `leaves`.
fn fan(
    rate_rps: f64,
    duration_s: f64,
    seed: u64,
    calls: CallPattern,
    leaves: Vec<(Node, Edge)>,
) -> Scenario {
    let mut nodes = vec![
        n(
            "client",
            NodeKind::Client(ClientParams {
                rate_rps,
                ..ClientParams::default()
            }),
        ),
        n("root", service(Dist::constant(0.0), calls)),
    ];
    let mut edges = vec![e("client", "root")];
    for (leaf, edge) in leaves {
        nodes.push(leaf);
        edges.push(edge);
    }
    Scenario {
        name: "fan-out".into(),
        duration_s,
        warmup_s: 5.0,
        seed,
        nodes,
        edges,
        ..Scenario::default()
    }
}

/// Runs `s`; returns the report and the fraction of successful requests that took longer than `t_ms`
/// (from the precise end-to-end recorder, by bisection on its quantiles).
fn run_tail(s: &Scenario, t_ms: &[f64]) -> (Report, Vec<f64>) {
    let mut sim = Simulation::new(s).unwrap();
    sim.run_to_end();
    let lat = sim.latency();
    let above = t_ms
        .iter()
        .map(|&t| {
            let (mut lo, mut hi) = (0.0, 1.0);
            for _ in 0..50 {
                let mid = (lo + hi) / 2.0;
                if lat.quantile_ms(mid) <= t {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            1.0 - lo
        })
        .collect();
    (sim.report(), above)
}

/// The Tail at Scale's leaf: 10 ms (exponential) but 1 s one time in a hundred.
fn stalling_leaf() -> Dist {
    Dist::Bimodal {
        mean: 10.0,
        slow_probability: 0.01,
        slow_value: 1000.0,
    }
}

fn hundred_leaves(seed: u64) -> Scenario {
    let leaves = (0..100)
        .map(|i| {
            let id = format!("leaf{i}");
            (
                n(&id, service(stalling_leaf(), CallPattern::Sequential)),
                e("root", &id),
            )
        })
        .collect();
    fan(20.0, 105.0, seed, CallPattern::Parallel, leaves)
}

#[test]
fn a_parallel_fan_out_to_100_leaves_takes_a_second_63_percent_of_the_time() {
    // Each leaf stalls (1 s) with probability 0.01; a request waits for all 100, so it takes at least 1 s
    // unless none stalls: 1 - 0.99^100 = 0.634. About 2,000 requests per run: binomial sd 0.011.
    // Seed spread (seeds 1-10): 0.6159 to 0.6482; tolerance 0.04.
    let want = 1.0 - 0.99f64.powi(100);
    spread("P(T >= 1 s), 100 leaves", |seed| {
        run_tail(&hundred_leaves(seed), &[990.0]).1[0]
    });
    let (r, above) = run_tail(&hundred_leaves(1), &[990.0]);
    assert!(
        (above[0] - want).abs() < 0.04,
        "P(T >= 1 s) = {}, want {want:.3}",
        above[0]
    );
    // Every leaf got every request, and a leaf's own p99 stays far below the root's: the amplification.
    let leaf = node(&r, "leaf7");
    assert_eq!(leaf.arrivals, node(&r, "root").arrivals);
    assert!(r.latency_ms.p50 >= 990.0, "p50 {}", r.latency_ms.p50);
    assert!(
        leaf.latency_ms.p50 < 20.0,
        "leaf p50 {}",
        leaf.latency_ms.p50
    );
}

fn first_of(k: u32, seed: u64) -> Scenario {
    let leaf = n("leaf", service(Dist::exp(20.0), CallPattern::Sequential));
    let edge = Edge {
        times: 4,
        ..e("root", "leaf")
    };
    fan(
        100.0,
        105.0,
        seed,
        CallPattern::FirstOf(k),
        vec![(leaf, edge)],
    )
}

#[test]
fn first_of_k_of_exponential_callees_is_their_k_th_order_statistic() {
    // The k-th smallest of n exponentials of mean m has mean m x (1/n + 1/(n-1) + ... + 1/(n-k+1)):
    // FirstOf(1) of 4 at 20 ms is 5 ms, FirstOf(2) is 11.67 ms. 10,000 requests per run: the mean's
    // relative sd is about 1%. Seed spread (seeds 1-10): FirstOf(1) 4.94 to 5.04 ms, FirstOf(2) 11.55 to
    // 11.82 ms; tolerance 3%.
    spread("FirstOf(1) of 4, mean ms", |seed| {
        run_tail(&first_of(1, seed), &[]).0.latency_ms.mean
    });
    spread("FirstOf(2) of 4, mean ms", |seed| {
        run_tail(&first_of(2, seed), &[]).0.latency_ms.mean
    });
    for (k, want) in [(1, 20.0 / 4.0), (2, 20.0 * (1.0 / 4.0 + 1.0 / 3.0))] {
        let (r, _) = run_tail(&first_of(k, 1), &[]);
        let got = r.latency_ms.mean;
        assert!(
            (got - want).abs() / want < 0.03,
            "FirstOf({k}) of 4: mean {got} ms, want {want:.2}"
        );
        // Every copy is sent and worked on: the late ones are dropped by the root, not by the leaf.
        let leaf = node(&r, "leaf");
        let root = node(&r, "root");
        assert!(
            leaf.arrivals.abs_diff(4 * root.arrivals) <= 8,
            "leaf {} root {}",
            leaf.arrivals,
            root.arrivals
        );
        assert_eq!(r.requests.failed, 0);
    }
}

fn probable(seed: u64) -> Scenario {
    let a = n("always", service(Dist::exp(1.0), CallPattern::Sequential));
    let b = n(
        "sometimes",
        service(Dist::exp(1.0), CallPattern::Sequential),
    );
    let twice = Edge {
        times: 2,
        ..e("root", "always")
    };
    let maybe = Edge {
        probability: 0.3,
        times: 3,
        ..e("root", "sometimes")
    };
    fan(
        100.0,
        105.0,
        seed,
        CallPattern::Sequential,
        vec![(a, twice), (b, maybe)],
    )
}

#[test]
fn an_edge_with_probability_p_gets_p_times_its_callers_traffic() {
    // 10,000 root calls: "always" gets exactly 2 per call; "sometimes" 3 per call with probability 0.3,
    // i.e. 0.9 per call on average (sd of the mean 3 x sqrt(0.21 / 10,000) = 0.014). Seed spread (seeds
    // 1-10): 0.869 to 0.921 calls per root call; tolerance 0.05.
    spread("calls per root call, p = 0.3 x 3", |seed| {
        let r = run_tail(&probable(seed), &[]).0;
        node(&r, "sometimes").arrivals as f64 / node(&r, "root").arrivals as f64
    });
    let (r, _) = run_tail(&probable(1), &[]);
    let root = node(&r, "root").arrivals as f64;
    let always = node(&r, "always").arrivals as f64;
    let sometimes = node(&r, "sometimes").arrivals as f64;
    assert!(
        (always / root - 2.0).abs() < 0.01,
        "always {always} root {root}"
    );
    assert!(
        (sometimes / root - 0.9).abs() < 0.05,
        "sometimes {sometimes} root {root}"
    );
    // Sequential: the root holds its worker for every call in turn, ~2 + 0.9 calls of 1 ms each.
    assert!(
        (r.latency_ms.mean - 2.9).abs() < 0.15,
        "mean {}",
        r.latency_ms.mean
    );
    // Whenever "sometimes" is called, it is called 3 times: its arrivals are a multiple of 3 (up to the
    // calls cut by the warm-up and the end).
    assert_eq!(r.requests.failed, 0);
}

fn failing(calls: CallPattern, seed: u64) -> Scenario {
    let leaves = (0..2)
        .map(|i| {
            let id = format!("leaf{i}");
            let kind = NodeKind::Service(ServiceParams {
                workers: 100_000,
                service_time_ms: Dist::exp(1.0),
                error_probability: 0.5,
                ..ServiceParams::default()
            });
            (n(&id, kind), e("root", &id))
        })
        .collect();
    fan(200.0, 25.0, seed, calls, leaves)
}

#[test]
fn parallel_fails_with_any_failed_call_and_first_of_only_when_every_call_fails() {
    // Two leaves failing half the time: Parallel needs both (fails 1 - 0.25 = 75%), FirstOf(1) needs one
    // (fails 25%), Sequential stops at the first failure (75%, like Parallel, but the second leaf is called
    // only after the first succeeded: half as often). 4,000 requests: binomial sd 0.007; tolerance 0.03.
    for (calls, want) in [
        (CallPattern::Parallel, 0.75),
        (CallPattern::FirstOf(1), 0.25),
        (CallPattern::Sequential, 0.75),
    ] {
        let r = run_tail(&failing(calls, 1), &[]).0;
        let q = &r.requests;
        let share = q.failed as f64 / (q.failed + q.succeeded) as f64;
        assert!(
            (share - want).abs() < 0.03,
            "{calls:?}: failed share {share}, want {want}"
        );
        let (a, b) = (node(&r, "leaf0").arrivals, node(&r, "leaf1").arrivals);
        if calls == CallPattern::Sequential {
            assert!((b as f64 / a as f64 - 0.5).abs() < 0.05, "{a} {b}");
        } else {
            assert!(a.abs_diff(b) <= 4, "both leaves get every request: {a} {b}");
        }
    }
}

fn hedged(after: Option<HedgeAfter>, leaf: Dist, seed: u64) -> Scenario {
    let l = n("leaf", service(leaf, CallPattern::Sequential));
    let edge = Edge {
        hedge: after.map(|after_ms| Hedge {
            after_ms,
            cancel: false,
        }),
        ..e("root", "leaf")
    };
    fan(200.0, 105.0, seed, CallPattern::Sequential, vec![(l, edge)])
}

#[test]
fn a_hedge_after_d_follows_the_closed_form_and_costs_p_x_above_d_extra_calls() {
    // Exponential callee of mean 10 ms, hedge after 20 ms: P(T > t) = e^(-t/10) for t <= 20 and
    // e^(-t/10) x e^(-(t-20)/10) above; the second copy goes out for P(X > 20) = e^-2 = 13.5% of the calls;
    // mean 10 (1 - e^-2 / 2) = 9.32 ms. 20,000 requests per run. Seed spread (seeds 1-10): extra load
    // 0.1308 to 0.1411 (e^-2 = 0.1353), P(T > 30) 0.0166 to 0.0195 (e^-4 = 0.0183); tolerances 0.01 and
    // 0.003 + 5%.
    let s = |seed| hedged(Some(HedgeAfter::Fixed(20.0)), Dist::exp(10.0), seed);
    spread("hedge after 20 ms: extra load", |seed| {
        let r = run_tail(&s(seed), &[]).0;
        edge(&r, "root", "leaf").hedges.unwrap() as f64 / node(&r, "root").arrivals as f64
    });
    spread("hedge after 20 ms: P(T > 30)", |seed| {
        run_tail(&s(seed), &[30.0]).1[0]
    });
    let (r, above) = run_tail(&s(1), &[10.0, 30.0, 40.0]);
    let ex = |t: f64| {
        let d = 20.0;
        let p = (-t / 10.0f64).exp();
        if t <= d {
            p
        } else {
            p * (-(t - d) / 10.0f64).exp()
        }
    };
    for (t, got) in [10.0, 30.0, 40.0].iter().zip(&above) {
        let want = ex(*t);
        assert!(
            (got - want).abs() < 0.003 + 0.05 * want,
            "P(T > {t}) = {got}, want {want:.4}"
        );
    }
    let hedges = edge(&r, "root", "leaf").hedges.unwrap() as f64;
    let extra = hedges / node(&r, "root").arrivals as f64;
    assert!((extra - (-2.0f64).exp()).abs() < 0.01, "extra load {extra}");
    // Both copies are sent over the edge and worked on by the leaf.
    let calls = edge(&r, "root", "leaf").calls as f64;
    assert!(
        (calls - node(&r, "root").arrivals as f64 - hedges).abs() < 10.0,
        "calls {calls}, hedges {hedges}"
    );
    let want_mean = 10.0 * (1.0 - (-2.0f64).exp() / 2.0);
    assert!(
        (r.latency_ms.mean - want_mean).abs() / want_mean < 0.02,
        "mean {}, want {want_mean:.3}",
        r.latency_ms.mean
    );
    // No hedge: the report leaves the count out, and the tail is the callee's own.
    let (plain, above) = run_tail(&hedged(None, Dist::exp(10.0), 1), &[30.0]);
    assert_eq!(edge(&plain, "root", "leaf").hedges, None);
    assert!((above[0] - (-3.0f64).exp()).abs() < 0.005, "{}", above[0]);
}

#[test]
fn hedging_at_the_p95_cuts_the_p999_for_about_5_percent_more_calls() {
    // The published ordering fact (Dean and Barroso 2013): a hedge sent at the callee's p95 costs about 5%
    // more requests and cuts the far tail. Leaf: 10 ms exponential, 2% stalls of 500 ms; unhedged the p99.9
    // is a stall (500 ms); hedged, both copies must stall (0.02^2 = 0.04%), so the p99.9 falls below 100 ms.
    // Seed spread (seeds 1-10): extra load 0.0513 to 0.0533, hedged p99.9 65.7 to 77.5 ms; bounds 0.04 to
    // 0.06 and 100 ms.
    let leaf = Dist::Bimodal {
        mean: 10.0,
        slow_probability: 0.02,
        slow_value: 500.0,
    };
    let s = |seed| hedged(Some(HedgeAfter::P95), leaf.clone(), seed);
    spread("hedge at p95: extra load", |seed| {
        let r = run_tail(&s(seed), &[]).0;
        edge(&r, "root", "leaf").hedges.unwrap() as f64 / node(&r, "root").arrivals as f64
    });
    spread("hedge at p95: p99.9 ms", |seed| {
        run_tail(&s(seed), &[]).0.latency_ms.p999
    });
    let (plain, _) = run_tail(&hedged(None, leaf.clone(), 1), &[]);
    let (r, _) = run_tail(&s(1), &[]);
    let extra = edge(&r, "root", "leaf").hedges.unwrap() as f64 / node(&r, "root").arrivals as f64;
    assert!((0.04..0.06).contains(&extra), "extra load {extra}");
    assert!(
        plain.latency_ms.p999 >= 499.0,
        "unhedged p99.9 {}",
        plain.latency_ms.p999
    );
    assert!(
        r.latency_ms.p999 < 100.0,
        "hedged p99.9 {} (unhedged {})",
        r.latency_ms.p999,
        plain.latency_ms.p999
    );
}

#[test]
fn a_cancelled_hedge_leaves_the_callees_queue_unserved() {
    // A callee with one worker and a queue (busy about 60% of the time), and a hedge after 1 ms that
    // cancels: when the first copy answers, a second copy still waiting in the queue is dropped there, so
    // the callee completes fewer calls than it was sent; without cancel it completes them all. Seed spread
    // (seeds 1-10): 0.913 to 0.919 of the calls sent completed with cancel; bound 0.95.
    let s = |cancel: bool, seed: u64| {
        let leaf = n(
            "leaf",
            NodeKind::Service(ServiceParams {
                workers: 1,
                queue_capacity: 100_000,
                service_time_ms: Dist::exp(2.0),
                ..ServiceParams::default()
            }),
        );
        let edge = Edge {
            hedge: Some(Hedge {
                after_ms: HedgeAfter::Fixed(1.0),
                cancel,
            }),
            ..e("root", "leaf")
        };
        fan(
            200.0,
            45.0,
            seed,
            CallPattern::Sequential,
            vec![(leaf, edge)],
        )
    };
    let done = |r: &Report| node(r, "leaf").completed as f64 / edge(r, "root", "leaf").calls as f64;
    spread("cancel: share of copies completed", |seed| {
        done(&run_tail(&s(true, seed), &[]).0)
    });
    let (kept, _) = run_tail(&s(false, 1), &[]);
    let (cut, _) = run_tail(&s(true, 1), &[]);
    assert!(done(&kept) > 0.99, "without cancel {}", done(&kept));
    assert!(done(&cut) < 0.95, "with cancel {}", done(&cut));
    assert!(
        cut.latency_ms.mean < kept.latency_ms.mean,
        "cancelling frees the callee: {} against {}",
        cut.latency_ms.mean,
        kept.latency_ms.mean
    );
    assert_eq!(cut.requests.failed, 0);
}

#[test]
fn the_flow_model_carries_probabilities_and_times_and_bounds_parallel_latency_below() {
    // Rates: "always" 2 x, "sometimes" 0.3 x 3 = 0.9 x the root's 100 requests/s, as the simulation
    // measured in `an_edge_with_probability_p_gets_p_times_its_callers_traffic`. Means: sequential, the
    // root waits 2 + 0.9 calls of 1 ms.
    let flow = archsim::analysis::flow::analyze(&probable(1), 1.0).unwrap();
    let rate = |id: &str| flow.node(id).unwrap().arrival_rps;
    assert!((rate("always") - 200.0).abs() < 1e-6, "{}", rate("always"));
    assert!(
        (rate("sometimes") - 90.0).abs() < 1e-6,
        "{}",
        rate("sometimes")
    );
    let hold = flow.node("root").unwrap().mean_hold_ms;
    assert!((hold - 2.9).abs() < 1e-6, "root holds {hold} ms");
    // Parallel to 100 stalling leaves (one leaf node called 100 times): the model's mean is one leaf's mean
    // (19.9 ms), a lower bound far below the simulated mean (most requests take a second).
    let leaf = n("leaf", service(stalling_leaf(), CallPattern::Sequential));
    let edge = Edge {
        times: 100,
        ..e("root", "leaf")
    };
    let s = fan(20.0, 45.0, 1, CallPattern::Parallel, vec![(leaf, edge)]);
    let flow = archsim::analysis::flow::analyze(&s, 1.0).unwrap();
    let model = flow.node("root").unwrap().mean_hold_ms;
    let leaf_mean = 0.99 * 10.0 + 0.01 * 1000.0;
    assert!((model - leaf_mean).abs() < 1e-6, "model {model}");
    let (r, _) = run_tail(&s, &[]);
    assert!(
        r.latency_ms.mean > 10.0 * model,
        "simulated {} against the bound {model}",
        r.latency_ms.mean
    );
}

#[test]
fn bad_call_options_are_refused_naming_the_field_the_value_and_the_range() {
    let mut s = first_of(5, 1);
    let edge = s.edges.iter_mut().find(|e| e.to == "leaf").unwrap();
    edge.probability = 1.5;
    edge.times = 0;
    edge.hedge = Some(Hedge {
        after_ms: HedgeAfter::Fixed(-1.0),
        cancel: false,
    });
    let client_edge = s.edges.iter_mut().find(|e| e.from == "client").unwrap();
    client_edge.times = 2;
    let text: Vec<String> = archsim::model::validate(&s)
        .iter()
        .map(|p| p.to_string())
        .collect();
    let has = |what: &str| text.iter().any(|t| t.contains(what));
    assert!(
        has("edge 'root -> leaf'") && has("probability") && has("between 0 and 1"),
        "{text:?}"
    );
    assert!(has("times") && has("is 0; allowed: 1 to 1000"), "{text:?}");
    assert!(has("hedge.after_ms") && has("Fixed(-1)"), "{text:?}");
    assert!(
        has("FirstOf(5)") && has("FirstOf(1) to FirstOf(0)"),
        "{text:?}"
    );
    assert!(
        has("edge 'client -> root'") && has("not a service"),
        "{text:?}"
    );
    // Omitted options read as the defaults, and a saved file leaves them out.
    let plain = fan(1.0, 10.0, 1, CallPattern::Sequential, vec![]);
    let ron = archsim::model::to_string(&plain);
    assert!(
        !ron.contains(" probability:") && !ron.contains(" times:") && !ron.contains(" calls:"),
        "{ron}"
    );
}
