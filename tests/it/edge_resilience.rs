//! Resilience on the calls between nodes (issue 6): per-call timeouts that abandon while the callee keeps
//! working, edge retries against Brooker's retry-amplification figures (validation.md section 4), the
//! per-edge report, and the priority queue discipline against Cobham's non-preemptive priority formula.
//!
//! Seed spread, measured with `SPREAD=1 cargo test --test edge_resilience -- --nocapture` (seeds 1-10):
//! see the comment on each test for its figures; every bound below is wider than that spread.

use crate::common::instant_edge as plain_edge;
use archsim::metrics::Report;
use archsim::model::{
    ClassWeight, ClientParams, Dist, Edge, Node, NodeKind, QueueDiscipline, RetryBudget,
    RetryPolicy, Scenario, ServiceParams,
};
use archsim::sim::Simulation;

use super::common::{edge_report as edge, node_report as node, run};

fn service(workers: u32, time: Dist, error_probability: f64) -> NodeKind {
    NodeKind::Service(ServiceParams {
        replicas: 1,
        workers,
        queue_capacity: 100_000,
        service_time_ms: time,
        error_probability,
        ..ServiceParams::default()
    })
}

/// client -> caller (1 ms of work, plenty of workers) -> callee, with `guard` applied to the caller's edge.
fn chain(
    rate_rps: f64,
    callee_time: Dist,
    callee_error: f64,
    seed: u64,
    guard: impl FnOnce(&mut Edge),
) -> Scenario {
    let mut e = plain_edge("caller", "callee");
    guard(&mut e);
    Scenario {
        name: "edge chain".into(),
        duration_s: 40.0,
        warmup_s: 5.0,
        seed,
        nodes: vec![
            Node {
                id: "client".into(),
                kind: NodeKind::Client(ClientParams {
                    rate_rps,
                    ..ClientParams::default()
                }),
                pos: None,
                zone: None,
            },
            Node {
                id: "caller".into(),
                kind: service(10_000, Dist::constant(1.0), 0.0),
                pos: None,
                zone: None,
            },
            Node {
                id: "callee".into(),
                kind: service(10_000, callee_time, callee_error),
                pos: None,
                zone: None,
            },
        ],
        edges: vec![plain_edge("client", "caller"), e],
        ..Scenario::default()
    }
}

#[test]
fn an_edge_timeout_abandons_the_call_while_the_callee_keeps_working() {
    // The callee takes 100 ms; the caller gives up after 30 ms. Deterministic times: no seed spread.
    let s = chain(50.0, Dist::constant(100.0), 0.0, 1, |e| {
        e.timeout_ms = Some(30.0)
    });
    let r = run(&s);
    assert_eq!(r.requests.succeeded, 0, "every call times out");
    assert!(r.requests.failed > 1500, "failed {}", r.requests.failed);
    // The caller answers (a failure) after its 1 ms of work plus exactly the timeout (mean and max are exact;
    // the percentiles come from histogram buckets).
    let caller = node(&r, "caller");
    assert!(
        (caller.latency_ms.mean - 31.0).abs() < 1e-6 && (caller.latency_ms.max - 31.0).abs() < 1e-6,
        "caller latency {:?}",
        caller.latency_ms
    );
    // The callee finishes every abandoned call: all its arrivals complete (but those still in service).
    let callee = node(&r, "callee");
    assert_eq!(callee.failed, 0);
    assert!(
        callee.arrivals - callee.completed <= 10,
        "callee arrivals {} completed {}",
        callee.arrivals,
        callee.completed
    );
    let e = edge(&r, "caller", "callee");
    assert_eq!(e.retries, Some(0));
    let (calls, timeouts) = (e.calls, e.timeouts.unwrap());
    assert!(
        calls.abs_diff(timeouts) <= 3,
        "calls {calls} timeouts {timeouts}"
    );
    assert_eq!(e.failures, e.timeouts);

    // A timeout longer than the call changes nothing: the answer comes at 101 ms.
    let s = chain(50.0, Dist::constant(100.0), 0.0, 1, |e| {
        e.timeout_ms = Some(150.0)
    });
    let r = run(&s);
    assert_eq!(r.requests.failed, 0);
    assert!((r.latency_ms.p50 - 101.0).abs() < 0.1, "{:?}", r.latency_ms);
    assert_eq!(edge(&r, "caller", "callee").timeouts, Some(0));
}

#[test]
fn a_timed_out_edge_call_is_retried_and_the_caller_stays_blocked() {
    // The callee answers after 100 ms half the time (exponential, mean 100 ms: P(< 70 ms) = 0.50); a 70 ms
    // timeout with 2 retries after a constant 20 ms backoff. Each attempt holds the caller; the caller's
    // time is 1 ms of work plus, per failed attempt, 70 ms and a 20 ms sleep.
    let s = chain(50.0, Dist::exp(100.0), 0.0, 3, |e| {
        e.timeout_ms = Some(70.0);
        e.retry = Some(RetryPolicy {
            max_retries: 2,
            backoff_base_ms: 20.0,
            backoff_cap_ms: 20.0,
            ..RetryPolicy::default()
        });
    });
    let r = run(&s);
    let e = edge(&r, "caller", "callee");
    let p = 1.0 - libm::exp(-0.7);
    let fail_all = (1.0 - p) * (1.0 - p) * (1.0 - p);
    let ok_share = r.requests.succeeded as f64 / r.requests.offered as f64;
    assert!(
        (ok_share - (1.0 - fail_all)).abs() < 0.02,
        "success share {ok_share:.3}, expected {:.3}",
        1.0 - fail_all
    );
    // Attempts per request: 1 + q + q^2 with q = 1 - p.
    let q = 1.0 - p;
    let per_req = e.calls as f64 / node(&r, "caller").arrivals as f64;
    assert!(
        (per_req - (1.0 + q + q * q)).abs() < 0.04,
        "attempts per request {per_req:.3}, expected {:.3}",
        1.0 + q + q * q
    );
    // A request that failed every attempt held its caller for 1 + 3 x 70 + 2 x 20 ms.
    let max = node(&r, "caller").latency_ms.max;
    assert!((max - 251.0).abs() < 0.1, "caller max {max}");
}

/// Dependency load per request (callee arrivals over caller arrivals) and success share.
fn amplification(p_fail: f64, budget: bool, seed: u64) -> (f64, f64) {
    let s = chain(200.0, Dist::exp(5.0), p_fail, seed, |e| {
        e.retry = Some(RetryPolicy {
            max_retries: 3,
            budget: budget.then(RetryBudget::default),
            ..RetryPolicy::default()
        });
    });
    let r = run(&s);
    let amp = node(&r, "callee").arrivals as f64 / node(&r, "caller").arrivals as f64;
    let ok = r.requests.succeeded as f64 / r.requests.offered as f64;
    (amp, ok)
}

/// Seeds 1-10 (200 requests/s for 35 s): amplification p = 1: 3.9996-4.0021 plain, 1.0000-1.0003 budgeted;
/// p = 0.9: 3.419-3.460 plain, 1.009-1.011 budgeted; p = 0.5 budgeted 1.052-1.053; p = 0.05: 1.048-1.057
/// plain and budgeted alike (the same runs: the budget never refused a retry), success 0.9996-1.0.
#[test]
fn edge_retries_multiply_a_failing_dependencys_load_and_a_budget_caps_it() {
    if std::env::var("SPREAD").is_ok() {
        for (p, b) in [
            (1.0, false),
            (0.9, false),
            (1.0, true),
            (0.9, true),
            (0.5, true),
            (0.05, false),
            (0.05, true),
        ] {
            let v: Vec<(f64, f64)> = (1..=10).map(|seed| amplification(p, b, seed)).collect();
            let amps: Vec<f64> = v.iter().map(|x| x.0).collect();
            let oks: Vec<f64> = v.iter().map(|x| x.1).collect();
            let mm = |x: &[f64]| {
                (
                    x.iter().cloned().fold(f64::MAX, f64::min),
                    x.iter().cloned().fold(f64::MIN, f64::max),
                )
            };
            println!("p {p} budget {b}: amp {:?} ok {:?}", mm(&amps), mm(&oks));
        }
    }
    // Brooker 2022: N = 3 retries against a fully failing dependency multiply its load by 1 + N.
    let (amp, ok) = amplification(1.0, false, 1);
    assert!((amp - 4.0).abs() < 0.01, "amplification {amp:.3}");
    assert_eq!(ok, 0.0);
    // Heavy failure: without a budget 1 + p + p^2 + p^3 = 3.44 at p = 0.9, with it about 1.0x: the budget only
    // earns 0.1 token per success.
    let (amp, _) = amplification(0.9, false, 1);
    assert!((amp - 3.439).abs() < 0.05, "amplification {amp:.3}");
    for p in [1.0, 0.9, 0.5] {
        let (amp, _) = amplification(p, true, 1);
        assert!(amp < 1.1, "p {p}: budgeted amplification {amp:.3}");
    }
    // At p = 0.5 the budget's 0.1 token per success pays for 0.05 retries per request: ~1.05x.
    let (amp, _) = amplification(0.5, true, 1);
    assert!(
        (amp - 1.05).abs() < 0.02,
        "p 0.5: budgeted amplification {amp:.3}"
    );
    // Light failure: the budget never runs dry and behaves like plain retries (1.053x, 99.9994% success).
    let (plain, plain_ok) = amplification(0.05, false, 1);
    let (budgeted, budgeted_ok) = amplification(0.05, true, 1);
    let theory = 1.0 + 0.05 + 0.0025 + 0.000125;
    assert!((plain - theory).abs() < 0.01, "plain {plain:.4}");
    assert!(
        (budgeted - plain).abs() < 0.005,
        "budgeted {budgeted:.4} vs plain {plain:.4}"
    );
    assert!(plain_ok > 0.999 && budgeted_ok > 0.999);
}

#[test]
fn plain_edges_report_calls_only() {
    let r = run(&chain(50.0, Dist::constant(1.0), 0.0, 1, |_| {}));
    let e = edge(&r, "caller", "callee");
    assert_eq!(e.failures, None);
    assert!(e.breaker.is_none());
    assert_eq!(e.calls, node(&r, "callee").arrivals);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["edges"][1]["failures"], serde_json::Value::Null);
    assert!(!archsim::cli::format_report(&r).contains("Edges with"));
}

#[test]
fn a_breaker_reports_its_state_openings_and_time_open() {
    // The callee always fails: the breaker (window 20, rate 0.5, open 1 s, 1 probe) opens after 20 calls, and
    // then once a second after each failed probe, so it is open nearly all the measured time.
    let r = run(&chain(100.0, Dist::constant(1.0), 1.0, 1, |e| {
        e.breaker = Some(archsim::model::CircuitBreaker {
            failure_rate: 0.5,
            window: 20,
            open_ms: 1000.0,
            probes: 1,
        });
    }));
    let e = edge(&r, "caller", "callee");
    let b = e.breaker.as_ref().unwrap();
    let measured_s = r.sim_time_s - r.warmup_s;
    assert!(b.opens >= 30 && b.opens <= 36, "opens {}", b.opens);
    assert!(
        b.time_open_s > 0.9 * measured_s && b.time_open_s <= measured_s,
        "{b:?}"
    );
    // Every call that went through failed (a probe sent just before the warm-up's end may count on one side).
    assert!(e.failures.unwrap().abs_diff(e.calls) <= 1, "{e:?}");
    assert!(b.fast_failed > 3000, "{b:?}");
    let text = archsim::cli::format_report(&r);
    assert!(
        text.contains("Edges with timeouts, retries or breakers"),
        "{text}"
    );
    assert!(text.contains("caller -> callee"), "{text}");
}

/// Two classes at one single-worker server through their own balancers, whose node latency is then the
/// server's sojourn time for that class.
fn two_classes(discipline: QueueDiscipline, seed: u64) -> Report {
    let client = |id: &str, class: &str, rate_rps: f64| Node {
        id: id.into(),
        kind: NodeKind::Client(ClientParams {
            rate_rps,
            classes: vec![ClassWeight {
                name: class.into(),
                weight: 1.0,
            }],
            ..ClientParams::default()
        }),
        pos: None,
        zone: None,
    };
    let lb = |id: &str| Node {
        id: id.into(),
        kind: NodeKind::LoadBalancer(Default::default()),
        pos: None,
        zone: None,
    };
    let mut server = ServiceParams {
        replicas: 1,
        workers: 1,
        queue_capacity: 100_000,
        service_time_ms: Dist::exp(10.0),
        queue_discipline: discipline,
        ..ServiceParams::default()
    };
    if discipline == QueueDiscipline::Priority {
        server.class_priority.insert("high".into(), 2);
        server.class_priority.insert("low".into(), 1);
    }
    let s = Scenario {
        name: "priority".into(),
        duration_s: 1000.0,
        warmup_s: 20.0,
        seed,
        nodes: vec![
            client("high_users", "high", 30.0),
            client("low_users", "low", 50.0),
            lb("lb_high"),
            lb("lb_low"),
            Node {
                id: "server".into(),
                kind: NodeKind::Service(server),
                pos: None,
                zone: None,
            },
        ],
        edges: vec![
            plain_edge("high_users", "lb_high"),
            plain_edge("low_users", "lb_low"),
            plain_edge("lb_high", "server"),
            plain_edge("lb_low", "server"),
        ],
        ..Scenario::default()
    };
    run(&s)
}

#[test]
fn priority_queue_matches_cobhams_formula() {
    // M/M/1, service mean 10 ms, high 30/s over low 50/s (rho 0.8), non-preemptive. Cobham: W0 = sum lambda
    // E[S^2] / 2 = 8 ms; wait(high) = W0 / (1 - 0.3) = 11.43 ms, wait(low) = W0 / ((1 - 0.3)(1 - 0.8)) =
    // 57.14 ms; sojourn adds the 10 ms of service: 21.43 ms and 67.14 ms. FIFO gives both 50 ms.
    // Seeds 1-10 (1,000 s each): high 21.0-22.0 ms, low 62.9-70.3 ms; FIFO 47.2-52.9 ms.
    if std::env::var("SPREAD").is_ok() {
        for seed in 1..=10 {
            let r = two_classes(QueueDiscipline::Priority, seed);
            let f = two_classes(QueueDiscipline::Fifo, seed);
            println!(
                "seed {seed}: high {:.2} low {:.2} fifo {:.2} {:.2}",
                node(&r, "lb_high").latency_ms.mean,
                node(&r, "lb_low").latency_ms.mean,
                node(&f, "lb_high").latency_ms.mean,
                node(&f, "lb_low").latency_ms.mean
            );
        }
    }
    let r = two_classes(QueueDiscipline::Priority, 1);
    let high = node(&r, "lb_high").latency_ms.mean;
    let low = node(&r, "lb_low").latency_ms.mean;
    assert!(
        (high - 21.43).abs() < 1.5,
        "high {high:.2} ms, Cobham 21.43"
    );
    assert!((low - 67.14).abs() < 8.0, "low {low:.2} ms, Cobham 67.14");
    let f = two_classes(QueueDiscipline::Fifo, 1);
    for lb in ["lb_high", "lb_low"] {
        let m = node(&f, lb).latency_ms.mean;
        assert!((m - 50.0).abs() < 6.0, "FIFO {lb} {m:.2} ms, M/M/1 50");
    }
}

// ---- validation --------------------------------------------------------------------------------------

const BASE: &str = r#"(
    version: 1,
    name: "test",
    nodes: [
        (id: "users", kind: Client(rate_rps: 100.0, classes: [(name: "a", weight: 1.0), (name: "b", weight: 1.0)])),
        (id: "app", kind: Service()),
        (id: "db", kind: Database()),
    ],
    edges: [
        (from: "users", to: "app"),
        (from: "app", to: "db"),
    ],
)"#;

/// The problems of BASE with `from` replaced by `to`, as `(place, field, message)`.
fn problems(from: &str, to: &str) -> Vec<(String, String, String)> {
    assert!(BASE.contains(from), "BASE has no {from:?}");
    let text = BASE.replacen(from, to, 1);
    match archsim::model::from_str(&text, "bad.ron") {
        Ok(_) => Vec::new(),
        Err(archsim::model::ScenarioError::Invalid { problems, .. }) => problems
            .into_iter()
            .map(|p| (p.place.clone(), p.field.clone(), p.to_string()))
            .collect(),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn edge_timeouts_and_retries_are_validated() {
    assert!(problems("", "").is_empty());
    let ok = problems(
        r#"(from: "app", to: "db")"#,
        r#"(from: "app", to: "db", timeout_ms: 50, retry: (max_retries: 2, budget: ()))"#,
    );
    assert!(ok.is_empty(), "{ok:?}");
    for bad in ["-5", "0", "inf", "4000000"] {
        let p = problems(
            r#"(from: "app", to: "db")"#,
            &format!(r#"(from: "app", to: "db", timeout_ms: {bad})"#),
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            (p[0].0.as_str(), p[0].1.as_str()),
            ("edge 'app -> db'", "timeout_ms")
        );
        assert!(
            p[0].2.contains("allowed: > 0 and <= 3600000 ms"),
            "{}",
            p[0].2
        );
    }
    let p = problems(
        r#"(from: "app", to: "db")"#,
        r#"(from: "app", to: "db", retry: (max_retries: 500, backoff_base_ms: -1))"#,
    );
    let fields: Vec<&str> = p.iter().map(|x| x.1.as_str()).collect();
    assert_eq!(
        fields,
        ["retry.max_retries", "retry.backoff_base_ms"],
        "{p:?}"
    );
    // A client's edge: the client's own settings apply.
    let p = problems(
        r#"(from: "users", to: "app")"#,
        r#"(from: "users", to: "app", timeout_ms: 10, retry: ())"#,
    );
    let fields: Vec<&str> = p.iter().map(|x| x.1.as_str()).collect();
    assert_eq!(fields, ["timeout_ms", "retry"], "{p:?}");
    assert!(p[0].2.contains("client's own timeout_ms"), "{}", p[0].2);
}

#[test]
fn class_priorities_are_validated() {
    let ok = problems(
        "Service()",
        r#"Service(queue_discipline: Priority, class_priority: {"a": 2, "b": 1})"#,
    );
    assert!(ok.is_empty(), "{ok:?}");
    let p = problems("Service()", r#"Service(class_priority: {"a": 2})"#);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].2.contains("only with queue_discipline: Priority"),
        "{}",
        p[0].2
    );
    let p = problems(
        "Database()",
        r#"Database(queue_discipline: Priority, class_priority: {"a": 300, "zz": 1})"#,
    );
    let fields: Vec<&str> = p.iter().map(|x| x.1.as_str()).collect();
    assert_eq!(
        fields,
        [r#"class_priority["a"]"#, "class_priority"],
        "{p:?}"
    );
    assert!(p[0].2.contains("allowed: 0 to 255"));
    assert!(p[1].2.contains("'zz'"));
}

// ---- edges under faults and live edits ---------------------------------------------------------------

const FAULTY: &str = r#"(
    name: "guarded chain under faults", duration_s: 60, warmup_s: 2, seed: SEED,
    nodes: [
        (id: "users", kind: Client(rate_rps: 300, timeout_ms: 400)),
        (id: "lb", kind: LoadBalancer(policy: LeastConnections)),
        (id: "api", kind: Service(replicas: 2, workers: 16, service_time_ms: Exponential(mean: 2))),
        (id: "cache", kind: Cache(hit_ratio: 0.5, workers: 16)),
        (id: "db", kind: Database(pool_size: 8, read_time_ms: Exponential(mean: 20))),
    ],
    edges: [
        (from: "users", to: "lb"),
        (from: "lb", to: "api", timeout_ms: 300, retry: (max_retries: 1)),
        (from: "api", to: "cache", timeout_ms: 50, retry: (max_retries: 2, backoff_base_ms: 5, jitter: Full),
            breaker: (failure_rate: 0.5, window: 20, open_ms: 1000, probes: 2)),
        (from: "cache", to: "db", latency_ms: Exponential(mean: 1), timeout_ms: 40,
            retry: (max_retries: 3, backoff_base_ms: 2, jitter: Decorrelated, budget: ())),
    ],
    faults: [
        (at_s: 10, duration_s: 5, target: "db", kind: Crash()),
        (at_s: 20, duration_s: 3, target: "api", kind: Crash()),
        (at_s: 26, duration_s: 3, target: "cache", kind: Crash()),
        (at_s: 32, duration_s: 4, target: "cache->db", kind: Partition(connect_timeout_ms: 100)),
        (at_s: 40, duration_s: 5, target: "db", kind: Slow(factor: 4)),
    ],
)"#;

fn conserved(r: &Report) {
    let c = &r.requests;
    assert_eq!(
        c.offered,
        c.succeeded + c.failed + c.timed_out + c.rejected + c.rate_limited + c.in_flight,
        "{c:?}"
    );
}

#[test]
fn guarded_edges_survive_crashes_partitions_and_live_edits() {
    for seed in 1..=3 {
        let text = FAULTY.replace("SEED", &seed.to_string());
        let s = archsim::model::from_str(&text, "t.ron").unwrap_or_else(|e| panic!("{e}"));
        let r = run(&s);
        conserved(&r);
        let e = edge(&r, "cache", "db");
        assert!(e.timeouts.unwrap() > 0 && e.retries.unwrap() > 0, "{e:?}");
        assert!(edge(&r, "api", "cache").breaker.as_ref().unwrap().opens > 0);
        // Late, the system is healthy again: nothing is stuck.
        let late: f64 = r.series.succeeded_rps[50..58].iter().sum::<f64>() / 8.0;
        assert!(late > 250.0, "seed {seed}: goodput at the end {late:.0}/s");

        // The same run with the guards switched off and on again mid-run.
        let mut sim = Simulation::new(&s).unwrap();
        let mut off = s.clone();
        for e in &mut off.edges {
            e.timeout_ms = None;
            e.retry = None;
            e.breaker = None;
        }
        sim.step_until(12 * archsim::sim::NS_PER_S);
        assert!(sim.update_params(&off).unwrap());
        sim.step_until(30 * archsim::sim::NS_PER_S);
        assert!(sim.update_params(&s).unwrap());
        sim.run_to_end();
        conserved(&sim.report());
    }
}
