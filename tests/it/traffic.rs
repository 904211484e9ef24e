//! Load profiles and closed-loop users (issue 15, "Traffic") against their closed forms (docs/validation.md,
//! section "Traffic"): arrivals under a profile against its integral (Poisson noise), a step profile's rate
//! per interval, a day's curve peaking where configured, the interactive response time law R = N / X - Z,
//! and exact Mean Value Analysis for N users, think time Z and one exponential server.
//!
//! Seed spread, measured with `SPREAD=1 cargo test --test it traffic:: -- --nocapture` over seeds 1-10
//! (printed by `spread`), is given on each test; every tolerance is wider than it.

use archsim::metrics::Report;
use archsim::model::{Profile, Scenario, from_str};

use crate::common::{run, spread};

/// One client (`arrival`, `profile`) straight into one server of `workers` workers with exponential
/// `service_ms`, zero network latency and a queue that never fills.
fn scenario(
    arrival: &str,
    profile: &str,
    service_ms: f64,
    workers: u32,
    duration_s: f64,
    warmup_s: f64,
    seed: u64,
) -> Scenario {
    let text = format!(
        r#"(
    version: 1, name: "traffic test", duration_s: {duration_s}, warmup_s: {warmup_s}, seed: {seed},
    nodes: [
        (id: "users", kind: Client(rate_rps: 100.0, arrival: {arrival}, profile: {profile})),
        (id: "server", kind: Service(replicas: 1, workers: {workers}, queue_capacity: 1000000,
            service_time_ms: Exponential(mean: {service_ms}))),
    ],
    edges: [(from: "users", to: "server", latency_ms: Constant(value: 0.0))],
)"#
    );
    from_str(&text, "traffic test").unwrap()
}

/// An open client at 100 requests/s under `profile`, into a server that never queues much.
fn open(profile: &str, duration_s: f64, seed: u64) -> Scenario {
    scenario("Poisson", profile, 0.1, 64, duration_s, 0.0, seed)
}

fn profile_of(s: &Scenario) -> Profile {
    match &s.nodes[0].kind {
        archsim::model::NodeKind::Client(c) => c.profile.clone().unwrap(),
        _ => unreachable!("node 0 is the client"),
    }
}

/// Arrivals per second bucket.
fn offered(r: &Report) -> &[f64] {
    &r.series.offered_rps
}

#[test]
fn arrivals_under_each_profile_match_its_integral() {
    // Expected arrivals = 100/s x the integral of the multiplier over 120 s; Poisson sd = sqrt(expected).
    // Seeds 1-10: z-scores from -1.05 to +1.05 over the four profiles; the test allows 4 sigma.
    let profiles = [
        "Diurnal(period_s: 60.0, peak_to_trough: 3.0, peak_at_s: 45.0)",
        "Steps([(20.0, 3.0), (40.0, 0.0), (50.0, 0.5)])",
        "Ramp(from: 0.0, to: 4.0, at_s: 30.0, over_s: 60.0)",
        "Trace(rates_rps: [50.0, 0.0, 0.0, 400.0, 120.0], step_s: 2.0)",
    ];
    for p in profiles {
        let z = |seed| {
            let s = open(p, 120.0, seed);
            let expected = profile_of(&s).base_rps(100.0) * profile_of(&s).integral(0.0, 120.0);
            let got = run(&s).requests.offered as f64;
            (got - expected) / expected.sqrt()
        };
        spread(p, z);
        let got = z(1);
        assert!(got.abs() < 4.0, "{p}: {got:.2} sigma from the integral");
    }
    // The closed forms themselves: a ramp from 0 to 4 over 60 s from t = 30 integrates to 2 x 60 + 4 x 30.
    let s = open(profiles[2], 120.0, 1);
    assert!((profile_of(&s).integral(0.0, 120.0) - 240.0).abs() < 1e-9);
    // A 3:1 day's curve averages 1 over whole periods.
    let s = open(profiles[0], 120.0, 1);
    assert!((profile_of(&s).integral(0.0, 120.0) - 120.0).abs() < 1e-9);
}

#[test]
fn a_step_profile_sets_the_rate_of_each_interval() {
    // 100/s, then 300/s from 20 s, nothing from 40 s, 50/s from 50 s: per-interval counts against 100 x
    // multiplier x length, within 4 sigma (Poisson noise; the whole-run totals of this profile are within 0.94
    // sigma over seeds 1-10); the silent interval has exactly none.
    let s = open("Steps([(20.0, 3.0), (40.0, 0.0), (50.0, 0.5)])", 60.0, 1);
    let r = run(&s);
    let per_s = offered(&r);
    assert_eq!(r.series.bucket_s, 1.0);
    let count = |a: usize, b: usize| per_s[a..b].iter().sum::<f64>();
    for (a, b, rate) in [(0, 20, 100.0), (20, 40, 300.0), (50, 60, 50.0)] {
        let expected = rate * (b - a) as f64;
        let got = count(a, b);
        assert!(
            (got - expected).abs() < 4.0 * expected.sqrt(),
            "{a}-{b} s: {got} arrivals, expected {expected}"
        );
    }
    assert_eq!(count(40, 50), 0.0, "the multiplier is 0 from 40 s to 50 s");
}

/// The phase of the first harmonic of per-second counts over whole periods: where the curve peaks, s, and
/// its amplitude relative to the mean.
fn first_harmonic(per_s: &[f64], period_s: f64) -> (f64, f64) {
    let w = std::f64::consts::TAU / period_s;
    let (mut c, mut sn, mut total) = (0.0, 0.0, 0.0);
    for (i, &x) in per_s.iter().enumerate() {
        let t = i as f64 + 0.5;
        c += x * (w * t).cos();
        sn += x * (w * t).sin();
        total += x;
    }
    let peak = (sn.atan2(c) / w).rem_euclid(period_s);
    (peak, 2.0 * (c * c + sn * sn).sqrt() / total)
}

#[test]
fn a_diurnal_profile_peaks_where_configured() {
    // A 60 s "day" peaking at 45 s, peak 3.5x the trough: the first harmonic of the per-second counts over
    // four days peaks at 45 s with amplitude a = 2.5 / 4.5 = 0.556. Seeds 1-10: peak 44.75-45.15 s,
    // amplitude 0.547-0.573; the test allows 2 s and 0.04.
    let p = "Diurnal(period_s: 60.0, peak_to_trough: 3.5, peak_at_s: 45.0)";
    let harmonic = |seed| first_harmonic(offered(&run(&open(p, 240.0, seed))), 60.0);
    spread("diurnal peak, s", |seed| harmonic(seed).0);
    spread("diurnal amplitude", |seed| harmonic(seed).1);
    let (peak, amplitude) = harmonic(1);
    assert!((peak - 45.0).abs() < 2.0, "peak at {peak:.2} s");
    assert!(
        (amplitude - 2.5 / 4.5).abs() < 0.04,
        "amplitude {amplitude:.3}"
    );
    // The profile's own peak is where it says, 2 x 3.5 / 4.5 = 1.556 times the mean.
    let (m, at) = profile_of(&open(p, 240.0, 1)).peak();
    assert!((m - 7.0 / 4.5).abs() < 1e-12 && at == 45.0);
}

/// A closed loop of `users` with exponential think time `think_ms` on one exponential server of mean
/// `service_ms`; returns (users, X per s, R ms, Z ms, law R ms).
fn closed(
    users: u32,
    think_ms: f64,
    service_ms: f64,
    duration_s: f64,
    seed: u64,
) -> (f64, f64, f64, f64, f64) {
    let arrival =
        format!("ClosedLoop(users: {users}, think_time_ms: Exponential(mean: {think_ms}))");
    let s = scenario(&arrival, "None", service_ms, 1, duration_s, 20.0, seed);
    let r = run(&s);
    let c = r.nodes[0]
        .closed_loop
        .clone()
        .expect("a closed-loop client reports its loop");
    assert_eq!(c.users, users);
    (
        users as f64,
        c.throughput_rps,
        c.response_ms,
        c.think_time_ms,
        c.law_response_ms,
    )
}

#[test]
fn the_response_time_law_holds_from_engine_counts() {
    // R = N / X - Z is an identity up to the requests in flight at the window's ends: within 1% of R
    // (seeds 1-10: 0.01%-0.22% at N = 5, 0.02%-0.07% at N = 20).
    for users in [5, 20] {
        let law = |seed| {
            let (_, _, r, _, law) = closed(users, 100.0, 10.0, 600.0, seed);
            (r - law).abs() / r
        };
        spread(&format!("law, N = {users}"), law);
        let (n, x, r, z, law) = closed(users, 100.0, 10.0, 600.0, 1);
        assert!(
            (r - law).abs() / r < 0.01,
            "N {n}: R {r:.3} ms, N/X - Z {law:.3} ms (X {x:.2}/s, Z {z:.2} ms)"
        );
    }
}

/// Exact MVA for one queueing station of mean service `s` and a delay of `z` (think time): R(n) = S (1 +
/// Q(n - 1)), X(n) = n / (R(n) + Z), Q(n) = X(n) R(n). Returns (X, R) at `users`, in per-ms and ms.
fn mva(users: u32, s: f64, z: f64) -> (f64, f64) {
    let (mut q, mut x, mut r) = (0.0, 0.0, 0.0);
    for n in 1..=users {
        r = s * (1.0 + q);
        x = n as f64 / (r + z);
        q = x * r;
    }
    (x, r)
}

#[test]
fn closed_loop_users_match_exact_mva() {
    // S = 10 ms, Z = 100 ms: throughput and response time within 2% of MVA for N = 1, 5, 20, 50 (the
    // knee N* = (S + Z) / S = 11). 3,000 s per N. Seeds 1-10, the larger of the two errors: N = 1
    // 0.3%-1.3%, N = 5 0.1%-1.35%, N = 20 0.1%-0.5%, N = 50 0.1%-0.35%.
    for users in [1, 5, 20, 50] {
        let (x_mva, r_mva) = mva(users, 10.0, 100.0);
        let err = |seed| {
            let (_, x, r, _, _) = closed(users, 100.0, 10.0, 3000.0, seed);
            ((x / 1e3 - x_mva).abs() / x_mva).max((r - r_mva).abs() / r_mva)
        };
        spread(&format!("MVA, N = {users}"), err);
        let (_, x, r, _, _) = closed(users, 100.0, 10.0, 3000.0, 1);
        assert!(
            (x / 1e3 - x_mva).abs() / x_mva < 0.02,
            "N {users}: X {x:.3}/s against MVA {:.3}/s",
            x_mva * 1e3
        );
        assert!(
            (r - r_mva).abs() / r_mva < 0.02,
            "N {users}: R {r:.3} ms against MVA {r_mva:.3} ms"
        );
    }
}

#[test]
fn the_flow_model_solves_a_closed_loop_by_exact_mva() {
    // The analytic model's throughput (the client's rate) and end-to-end mean against MVA computed here,
    // for one exponential server (S = 10 ms, Z = 100 ms) below, at and far above the knee N* = 11, and
    // at load 2.5 (25 users), and at 50,000 users (load 1,000), past the 20,000 users where the model
    // switches to Bard-Schweitzer. Exact up to rounding below it; the test allows 0.5%.
    for (users, load) in [
        (1, 1.0),
        (5, 1.0),
        (11, 1.0),
        (50, 1.0),
        (10, 2.5),
        (400, 1.0),
        (50, 1000.0),
    ] {
        let arrival =
            format!("ClosedLoop(users: {users}, think_time_ms: Exponential(mean: 100.0))");
        let s = scenario(&arrival, "None", 10.0, 1, 60.0, 10.0, 1);
        let flow = archsim::analysis::flow::analyze(&s, load).unwrap();
        let n = (users as f64 * load).round() as u32;
        let (x_mva, r_mva) = mva(n, 10.0, 100.0);
        let x = flow.node("users").unwrap().arrival_rps / 1e3;
        let r = flow.end_to_end_mean_ms.unwrap();
        assert!(
            (x - x_mva).abs() / x_mva < 0.005,
            "N {n}: model X {:.4}/s against MVA {:.4}/s",
            x * 1e3,
            x_mva * 1e3
        );
        assert!(
            (r - r_mva).abs() / r_mva < 0.005,
            "N {n}: model R {r:.3} ms against MVA {r_mva:.3} ms"
        );
        let u = flow.node("server").unwrap().utilization;
        assert!(
            (u - x_mva * 10.0).abs() < 0.005,
            "N {n}: utilization {u:.4}"
        );
    }
    // The breaking point is the knee, N* / N = 11 / 5 for 5 users (no longer N / Z = 1 / S: 2).
    let s = scenario(
        "ClosedLoop(users: 5, think_time_ms: Exponential(mean: 100.0))",
        "None",
        10.0,
        1,
        60.0,
        10.0,
        1,
    );
    let flow = archsim::analysis::flow::analyze(&s, 1.0).unwrap();
    let knee = flow.breaking_load.unwrap();
    assert!((knee - 11.0 / 5.0).abs() < 1e-6, "knee at {knee}");
    assert_eq!(flow.bottleneck.as_deref(), Some("server"));
}

#[test]
fn the_load_multiplies_closed_loop_users() {
    // 10 users at load 2.5 are 25 (rounded). At load 0.04 there are 0: the 10 users the run was built with
    // each send the request they were about to send, then leave as it resolves (no user thinks again).
    let s = scenario(
        "ClosedLoop(users: 10, think_time_ms: Constant(value: 50.0))",
        "None",
        1.0,
        4,
        30.0,
        0.0,
        1,
    );
    let r = crate::common::run_at(&s, 2.5);
    assert_eq!(r.nodes[0].closed_loop.as_ref().unwrap().users, 25);
    let r = crate::common::run_at(&s, 0.04);
    assert_eq!(r.nodes[0].closed_loop.as_ref().unwrap().users, 0);
    assert_eq!(r.requests.offered, 10);
    assert!(crate::common::run(&s).requests.offered > 1000);
}

/// Validation's message for `profile` on the test client, all problems joined.
fn problems_of(profile: &str, arrival: &str) -> String {
    let text = format!(
        r#"(version: 1, name: "t", duration_s: 10.0, nodes: [
        (id: "users", kind: Client(arrival: {arrival}, profile: {profile})),
        (id: "server", kind: Service()),
    ], edges: [(from: "users", to: "server")])"#
    );
    match from_str(&text, "t.ron") {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_profiles_are_named_by_field_and_value() {
    let e = problems_of("Steps([(20.0, 2.0), (10.0, 1.0)])", "Poisson");
    assert!(
        e.contains(
            "node 'users', field `profile.Steps`: step 2 is at 10 s, not after step 1 at 20 s"
        ),
        "{e}"
    );
    let e = problems_of("Steps([(0.0, -1.0)])", "Poisson");
    assert!(
        e.contains("step 1 has multiplier -1; allowed: 0 to 10000"),
        "{e}"
    );
    let e = problems_of("Diurnal(period_s: 0.0, peak_to_trough: 0.5)", "Poisson");
    assert!(
        e.contains("`profile.period_s`: is 0; it must be > 0 seconds"),
        "{e}"
    );
    assert!(
        e.contains("`profile.peak_to_trough`: is 0.5; allowed: 1 (flat) to 10000"),
        "{e}"
    );
    let e = problems_of("Ramp(from: 1.0, to: 2.0, over_s: 10.0)", "Constant");
    assert!(e.contains("`profile`: shapes Poisson arrivals only"), "{e}");
    let e = problems_of("Trace(rates_rps: [1.0, -2.0])", "Poisson");
    assert!(e.contains("value 2 is -2; allowed: 0 to"), "{e}");
    let e = problems_of(
        "None",
        "ClosedLoop(users: 0, think_time_ms: Constant(value: 10.0))",
    );
    assert!(e.contains("`arrival.users`: is 0; allowed: 1 to"), "{e}");
    assert_eq!(
        problems_of("Diurnal(period_s: 60.0, peak_to_trough: 3.0)", "Poisson"),
        ""
    );
}

#[test]
fn a_scenario_without_the_new_options_saves_as_before() {
    let s = open("None", 10.0, 1);
    let text = archsim::model::to_string(&s);
    assert!(!text.contains("profile"), "{text}");
    let s = open(
        "Diurnal(period_s: 60.0, peak_to_trough: 3.0, peak_at_s: 45.0)",
        10.0,
        1,
    );
    let back = from_str(&archsim::model::to_string(&s), "again").unwrap();
    assert_eq!(back, s);
}

/// A fresh folder for one test's files.
fn folder(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("archsim-traffic-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn trace_scenario(file: &str) -> String {
    format!(
        r#"(version: 1, name: "t", duration_s: 10.0, nodes: [
        (id: "users", kind: Client(profile: Trace(file: "{file}", step_s: 2.0))),
        (id: "server", kind: Service()),
    ], edges: [(from: "users", to: "server")])"#
    )
}

#[test]
fn a_trace_file_is_read_beside_the_scenario_and_inlined() {
    let d = folder("ok");
    std::fs::create_dir_all(d.join("traces")).unwrap();
    // `second,rate_rps` with a gap: the interval at 2 s is 0.
    std::fs::write(
        d.join("traces/t.csv"),
        "# evening\nsecond,rate_rps\n0,10\n4,30\n",
    )
    .unwrap();
    std::fs::write(d.join("s.ron"), trace_scenario("traces/t.csv")).unwrap();
    let s = archsim::model::load(&d.join("s.ron")).unwrap();
    let Profile::Trace { rates_rps, .. } = profile_of(&s) else {
        panic!("a trace")
    };
    assert_eq!(rates_rps, vec![10.0, 0.0, 30.0]);
    // Saved, the rates travel with the scenario (a share link needs no file).
    let text = archsim::model::to_string(&s);
    assert!(text.contains("rates_rps"), "{text}");
    assert_eq!(from_str(&text, "saved").unwrap(), s);
    let link = archsim::model::share::encode(&s);
    assert_eq!(archsim::model::share::decode(&link).unwrap(), s);
    // Timestamps are counted per interval of step_s (2 s): 3 requests in [0, 2), 1 in [4, 6).
    std::fs::write(d.join("traces/t.csv"), "timestamp_s\n0.5\n1.9\n0.1\n4.2\n").unwrap();
    let s = archsim::model::load(&d.join("s.ron")).unwrap();
    let Profile::Trace { rates_rps, .. } = profile_of(&s) else {
        panic!("a trace")
    };
    assert_eq!(rates_rps, vec![1.5, 0.0, 0.5]);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_bad_trace_row_is_named_by_file_line_and_value() {
    let d = folder("bad");
    std::fs::write(d.join("t.csv"), "rate_rps\n10\n20\nabc\n5\n").unwrap();
    std::fs::write(d.join("s.ron"), trace_scenario("t.csv")).unwrap();
    let e = archsim::model::load(&d.join("s.ron"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.csv"), "{e}");
    assert!(
        e.contains("line 4: rate 'abc' is not a number >= 0 (the trace of node 'users')"),
        "{e}"
    );
    // A missing file is an error naming it.
    std::fs::write(d.join("s.ron"), trace_scenario("missing.csv")).unwrap();
    let e = archsim::model::load(&d.join("s.ron"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.csv"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}
