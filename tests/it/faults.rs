//! Faults on the timeline and injected live: crash and recovery, spike, slow-down, partition, determinism.

use archsim::model::{self, Fault, FaultKind, Scenario, SlowParams};
use archsim::sim::{NS_PER_S, Simulation};

fn scenario(text: &str) -> Scenario {
    model::from_str(text, "test.ron").unwrap_or_else(|e| panic!("{e}"))
}

use super::common::run;

/// Sum of a per-second series over buckets `from..to`.
fn sum(v: &[f64], from: usize, to: usize) -> f64 {
    v[from..to].iter().sum()
}

const THREE_TIER: &str = r#"(
    name: "three tier", duration_s: 60, warmup_s: 0, seed: SEED,
    nodes: [
        (id: "users", kind: Client(rate_rps: 200)),
        (id: "api", kind: Service(replicas: 2, workers: 8, service_time_ms: Exponential(mean: 5))),
        (id: "db", kind: Database(pool_size: 16, read_time_ms: Exponential(mean: 5))),
    ],
    edges: [(from: "users", to: "api"), (from: "api", to: "db")],
    faults: [FAULTS],
)"#;

fn three_tier(seed: u64, faults: &str) -> Scenario {
    scenario(
        &THREE_TIER
            .replace("SEED", &seed.to_string())
            .replace("FAULTS", faults),
    )
}

#[test]
fn a_crash_fails_the_callers_during_the_window_and_the_system_recovers() {
    let s = three_tier(
        1,
        r#"(at_s: 20, duration_s: 10, target: "db", kind: Crash())"#,
    );
    let mut sim = Simulation::new(&s).unwrap();
    sim.step_until(25 * NS_PER_S);
    let snap = sim.snapshot();
    assert!(!snap.nodes[2].up, "db should be down at 25 s");
    assert!(snap.nodes[1].up && snap.nodes[0].up);
    sim.run_to_end();
    let r = sim.report();
    let se = &r.series;
    // Before: all good. During (whole buckets 20..30): every request fails, fast. After 31 s: all good.
    assert_eq!(sum(&se.failed_rps, 0, 20), 0.0);
    let offered_in = sum(&se.offered_rps, 20, 30);
    let failed_in = sum(&se.failed_rps, 20, 30);
    assert!(
        failed_in >= 0.99 * offered_in,
        "failed {failed_in} of {offered_in}"
    );
    assert!(sum(&se.succeeded_rps, 21, 30) == 0.0);
    assert_eq!(sum(&se.failed_rps, 31, 60), 0.0);
    let ok_after = sum(&se.succeeded_rps, 31, 60);
    let offered_after = sum(&se.offered_rps, 31, 60);
    assert!(
        ok_after >= 0.99 * offered_after,
        "{ok_after} {offered_after}"
    );
    assert_eq!(r.faults.len(), 1);
    assert_eq!((r.faults[0].start_s, r.faults[0].end_s), (20.0, 30.0));
    let c = r.requests;
    assert_eq!(
        c.offered,
        c.succeeded + c.failed + c.timed_out + c.rejected + c.in_flight
    );
}

#[test]
fn a_crash_loses_the_work_in_progress_and_its_callers_see_failures_at_once() {
    // Slow database (1 s per query), 20 queries/s evenly spaced: the 20 issued at 9.55..=10.5 s are in
    // progress when it crashes at 10.52 s. They fail at the crash, not when their work would have ended.
    let s = scenario(
        r#"(
        duration_s: 14, warmup_s: 0,
        nodes: [
            (id: "users", kind: Client(rate_rps: 20, arrival: Constant)),
            (id: "db", kind: Database(pool_size: 100, read_time_ms: Constant(value: 1000))),
        ],
        edges: [(from: "users", to: "db", latency_ms: Constant(value: 0))],
        faults: [(at_s: 10.52, duration_s: 2, target: "db", kind: Crash())],
    )"#,
    );
    let mut sim = Simulation::new(&s).unwrap();
    sim.step_until(10_520_000_001);
    let failed_at_crash = sim.snapshot().requests.failed;
    assert_eq!(
        failed_at_crash, 20,
        "the 20 queries in progress fail at once"
    );
    sim.run_to_end();
    let r = sim.report();
    // Issued in (9.52, 10.52]: lost. Issued in (10.52, 12.52]: refused. Nothing succeeds from 10.52 s until
    // 1 s after the restart.
    assert_eq!(
        r.series.succeeded_rps[10], 11.0,
        "only those issued at 9.0..=9.5 s"
    );
    assert_eq!(r.series.succeeded_rps[11], 0.0);
    assert_eq!(r.series.succeeded_rps[12], 0.0);
    assert!(r.series.succeeded_rps[13] > 0.0, "recovered");
    let c = r.requests;
    assert_eq!(
        c.offered,
        c.succeeded + c.failed + c.timed_out + c.rejected + c.in_flight
    );
}

#[test]
fn a_spike_multiplies_arrivals_by_its_factor_over_the_window() {
    // 200/s Poisson, x3 over [20, 30): 6000 expected in the window (sd 77), 2000 per 10 s outside (sd 45).
    // Tolerance 5% and 8%: over seeds 1..=10 the window's count stayed within 3.1% of 6000 and the 10 s
    // before and after within 4.0% of 2000.
    for seed in [1, 2, 3] {
        let s = three_tier(
            seed,
            r#"(at_s: 20, duration_s: 10, target: "users", kind: Spike(factor: 3))"#,
        );
        let r = run(&s);
        let inside = sum(&r.series.offered_rps, 20, 30);
        let before = sum(&r.series.offered_rps, 10, 20);
        let after = sum(&r.series.offered_rps, 31, 41);
        assert!(
            (inside / 6000.0 - 1.0).abs() < 0.05,
            "seed {seed}: {inside}"
        );
        assert!(
            (before / 2000.0 - 1.0).abs() < 0.08,
            "seed {seed}: {before}"
        );
        assert!((after / 2000.0 - 1.0).abs() < 0.08, "seed {seed}: {after}");
    }
}

#[test]
fn slow_at_factor_two_doubles_the_mean_latency_under_light_load() {
    // M/M/1 at rho = 0.05: mean sojourn 10/(1-0.05) = 10.53 ms; slowed x2 it is M/M/1 at rho = 0.1 with
    // mean service 20 ms: 22.22 ms, a ratio of 2.11. 20,000 samples each: the means' standard error is about
    // 0.7% (and both runs share their random numbers), so the ratio is within 3% (measured over seeds 1..=8:
    // 2.104 to 2.119).
    let text = |faults: &str| {
        format!(
            r#"(duration_s: 4000, warmup_s: 0, seed: 3,
            nodes: [
                (id: "users", kind: Client(rate_rps: 5)),
                (id: "app", kind: Service(workers: 1, queue_capacity: 1000, service_time_ms: Exponential(mean: 10))),
            ],
            edges: [(from: "users", to: "app")],
            faults: [{faults}],
        )"#
        )
    };
    let base = run(&scenario(&text("")));
    let slow = run(&scenario(&text(
        r#"(at_s: 0, duration_s: 5000, target: "app", kind: Slow(factor: 2))"#,
    )));
    let ratio = slow.nodes[1].latency_ms.mean / base.nodes[1].latency_ms.mean;
    assert!(
        (ratio / (22.22 / 10.53) - 1.0).abs() < 0.03,
        "ratio {ratio}"
    );
}

#[test]
fn a_partition_stops_traffic_on_the_edge_and_fails_calls_after_the_connect_timeout() {
    let s = three_tier(
        1,
        r#"(at_s: 20, duration_s: 10, target: "api->db", kind: Partition(connect_timeout_ms: 200))"#,
    );
    let mut sim = Simulation::new(&s).unwrap();
    sim.step_until(25 * NS_PER_S);
    assert!(sim.snapshot().edges[1].down, "the cut edge shows as down");
    sim.run_to_end();
    let r = sim.report();
    let db = &r.series.nodes[2];
    // The database finishes what it had by 20.1 s and then sees nothing until 30 s.
    assert_eq!(sum(&db.throughput_rps, 21, 30), 0.0);
    assert!(sum(&db.throughput_rps, 31, 40) > 1700.0, "9 s at 200/s");
    // Every request fails: each call over the cut edge holds an api worker for the 200 ms connect timeout,
    // so the 16 workers manage 80 failures/s and the rest of the 200/s are turned away by the full queues.
    // (From 23 s: by then the queues are full and every second resolves as many as arrive.)
    let offered = sum(&r.series.offered_rps, 23, 29);
    let failed = sum(&r.series.failed_rps, 23, 29);
    let rejected = sum(&r.series.rejected_rps, 23, 29);
    assert_eq!(sum(&r.series.succeeded_rps, 21, 29), 0.0);
    assert!(
        ((failed + rejected) / offered - 1.0).abs() < 0.02,
        "{failed} + {rejected} of {offered}"
    );
    assert!(
        (failed / 6.0 / 80.0 - 1.0).abs() < 0.05,
        "{failed} failed in 6 s"
    );
}

#[test]
fn every_fault_kind_runs_deterministically_and_slicing_does_not_change_results() {
    let text = r#"(
        duration_s: 40, warmup_s: 2, seed: 7,
        nodes: [
            (id: "users", kind: Client(rate_rps: 300, timeout_ms: 500)),
            (id: "lb", kind: LoadBalancer(policy: LeastConnections, health_check: (interval_s: 1, failure_threshold: 2))),
            (id: "a", kind: Service(workers: 8)),
            (id: "b", kind: Service(workers: 8)),
            (id: "cache", kind: Cache(hit_ratio: 0.9)),
            (id: "db", kind: Database(read_replicas: 2)),
        ],
        edges: [
            (from: "users", to: "lb"), (from: "lb", to: "a"), (from: "lb", to: "b"),
            (from: "a", to: "cache"), (from: "b", to: "cache"), (from: "cache", to: "db"),
        ],
        faults: [
            (at_s: 5, duration_s: 5, target: "a", kind: Crash(restart_warmup_s: 3)),
            (at_s: 8, duration_s: 4, target: "b", kind: Slow(factor: 3)),
            (at_s: 12, duration_s: 4, target: "db", kind: Errors(probability: 0.3)),
            (at_s: 14, duration_s: 4, target: "lb->b", kind: Partition()),
            (at_s: 16, duration_s: 4, target: "a->cache", kind: Latency(add_ms: 50)),
            (at_s: 20, duration_s: 5, target: "cache", kind: Flush),
            (at_s: 22, duration_s: 5, target: "db", kind: ReplicaLag),
            (at_s: 26, duration_s: 5, target: "users", kind: Spike(factor: 2)),
            (at_s: 30, duration_s: 5, target: "cache", kind: Brownout()),
            (at_s: 33, duration_s: 3, target: "db", kind: Crash()),
        ],
    )"#;
    let s = scenario(text);
    let one = serde_json::to_string(&run(&s)).unwrap();
    assert_eq!(one, serde_json::to_string(&run(&s)).unwrap());
    let mut sim = Simulation::new(&s).unwrap();
    let mut t = 0;
    while !sim.is_finished() {
        t += 333_333_333;
        sim.step_until(t);
    }
    assert_eq!(one, serde_json::to_string(&sim.report()).unwrap());
    let r = sim.report();
    assert_eq!(r.faults.len(), 10);
    let c = r.requests;
    assert_eq!(
        c.offered,
        c.succeeded + c.failed + c.timed_out + c.rejected + c.in_flight
    );
    assert!(c.failed > 0 && c.succeeded > 0);
}

#[test]
fn a_live_fault_applies_from_now_and_clear_faults_ends_it() {
    let s = three_tier(1, "");
    let mut sim = Simulation::new(&s).unwrap();
    sim.step_until(10 * NS_PER_S);
    let slow = Fault {
        at_s: 0.0,
        duration_s: 100.0,
        target: "api".into(),
        kind: FaultKind::Slow(SlowParams { factor: 4.0 }),
    };
    sim.inject_fault(&slow).unwrap();
    assert!(sim.snapshot().nodes[1].degraded);
    sim.step_until(20 * NS_PER_S);
    sim.clear_faults();
    assert!(!sim.snapshot().nodes[1].degraded);
    sim.run_to_end();
    let r = sim.report();
    let p = &r.series.nodes[1].p99_ms;
    assert!(p[15] > 2.5 * p[5], "slowed: {} vs {}", p[15], p[5]);
    assert!(p[30] < 1.5 * p[5], "recovered: {} vs {}", p[30], p[5]);
    assert_eq!(r.faults.len(), 1);
    assert!(r.faults[0].live);
    assert_eq!((r.faults[0].start_s, r.faults[0].end_s), (10.0, 20.0));
    // A bad fault is refused with a clear message and changes nothing.
    let bad = Fault {
        target: "nope".into(),
        ..slow
    };
    let err = sim.inject_fault(&bad).unwrap_err().to_string();
    assert!(err.contains("names node 'nope'"), "{err}");
}

#[test]
fn bad_faults_are_reported_with_their_field_value_and_range() {
    let s = THREE_TIER.replace("SEED", "1").replace(
        "FAULTS",
        r#"(at_s: -1, duration_s: NaN, target: "ghost", kind: Crash()),
           (at_s: 1, duration_s: 1, target: "db", kind: Errors(probability: 1.5)),
           (at_s: 1, duration_s: 1, target: "api", kind: Slow(factor: 0)),
           (at_s: 1, duration_s: 1, target: "users", kind: Crash()),
           (at_s: 1, duration_s: 1, target: "api", kind: Partition()),
           (at_s: 1, duration_s: 1, target: "api->db", kind: Spike()),
           (at_s: 1, duration_s: 1, target: "api", kind: Flush)"#,
    );
    let err = model::from_str(&s, "x.ron").unwrap_err().to_string();
    for want in [
        "fault #1 (ghost), field `at_s`: is -1; it must be >= 0 seconds",
        "fault #1 (ghost), field `duration_s`: is NaN",
        "names node 'ghost', which does not exist",
        "fault #2 (db), field `kind.probability`: is 1.5; a probability must be between 0 and 1",
        "fault #3 (api), field `kind.factor`: is 0; a multiplier must be > 0",
        "is Crash, which does not apply to 'users' (a client)",
        "is Partition, which cuts or slows an edge",
        "is Spike, which hits a node; target 'api->db' is an edge",
        "is Flush, which does not apply to 'api' (a service); it applies to a cache",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
}

#[test]
fn a_flushed_caches_hit_ratio_series_falls_to_zero_and_climbs_back_linearly() {
    // A fixed-ratio cache flushed at 20 s for 10 s starts cold: its ratio climbs linearly from 0 to 0.8
    // over the window (scenario-format.md, Fault kinds), so the bucket [20 + k, 21 + k) averages
    // 0.8 x (k + 0.5) / 10. About 2,000 lookups per bucket: the binomial spread of one bucket's ratio is at
    // most sqrt(0.25 / 2000) = 0.011; seeds 1 to 5 stayed within 0.03 of it, the tolerance is 0.05.
    for seed in [1, 2, 3, 4, 5] {
        let s = scenario(&format!(
            r#"(
            duration_s: 40, warmup_s: 0, seed: {seed},
            nodes: [
                (id: "users", kind: Client(rate_rps: 2000)),
                (id: "cache", kind: Cache(hit_ratio: 0.8)),
                (id: "db", kind: Database()),
            ],
            edges: [(from: "users", to: "cache"), (from: "cache", to: "db")],
            faults: [(at_s: 20, duration_s: 10, target: "cache", kind: Flush)],
        )"#
        ));
        let r = run(&s);
        let cache = r.series.nodes.iter().find(|n| n.id == "cache").unwrap();
        let users = r.series.nodes.iter().find(|n| n.id == "users").unwrap();
        assert!(users.hit_ratio.is_empty(), "only caches have a hit ratio");
        let h = &cache.hit_ratio;
        assert_eq!(h.len(), r.series.t_s.len());
        for (i, &t) in r.series.t_s.iter().enumerate() {
            // Buckets straddling a change (the first, and the flush's ends) are left out.
            let expected = match t as i64 {
                2..=19 | 31..=39 => 0.8,
                20..=29 => 0.8 * ((t - 20.0) + 0.5) / 10.0,
                _ => continue,
            };
            assert!(
                (h[i] - expected).abs() < 0.05,
                "seed {seed}, bucket at {t} s: hit ratio {} against {expected}",
                h[i]
            );
        }
    }
}
