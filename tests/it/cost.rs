//! The cost model against hand computation from the price table (docs/cost-model.md), autoscaler
//! replica-hours against their closed form, the optimizer against brute force over every grid point,
//! its frontier, its shards, and SLO checks.

use std::sync::atomic::AtomicBool;

use archsim::analysis::optimize::{
    Knob, OptimizeSpec, candidate_scenario, flow_cost, merge, optimize, optimize_shard,
};
use archsim::analysis::optimize_step::OptimizeStepper;
use archsim::analysis::slo::{check_scenario, junit};
use archsim::analysis::sweep::{Point, Warmup, run_point};
use archsim::analysis::sweep_step::Stepped as _;
use archsim::model::{self, Autoscale, NodeKind, Price, Scenario};
use archsim::sim::Simulation;

fn preset(name: &str) -> Scenario {
    model::presets::preset(name)
        .expect("preset exists")
        .scenario()
        .expect("preset loads")
}

fn report(s: &Scenario, load: f64) -> archsim::metrics::Report {
    let mut sim = Simulation::new(s).expect("valid");
    sim.set_load(load);
    sim.run_to_end();
    sim.report()
}

/// The built-in table as documented (docs/cost-model.md), restated here so that a change to it must
/// change the documentation's numbers too.
const SERVICE_HOURLY: f64 = 0.0816;
const LB_HOURLY: f64 = 0.0225;
const LB_PER_MILLION: f64 = 0.0022;
const CACHE_HOURLY: f64 = 0.158;
const DB_HOURLY: f64 = 0.168;
const HOURS: f64 = 730.0;

#[test]
fn a_fixed_design_costs_what_the_price_table_says() {
    let mut s = preset("url_shortener");
    s.duration_s = 6.0;
    s.warmup_s = 1.0;
    let r = report(&s, 1.0);
    let c = r.cost.as_ref().expect("every report carries its cost");
    assert_eq!(c.currency, "USD");
    assert_eq!(c.hours_per_month, 730.0);
    let window = r.sim_time_s - r.warmup_s;
    let lb_rps = r.nodes[1].arrivals as f64 / window;
    // By hand: 3 app replicas, one balancer with its per-request charge, one cache node, a primary
    // and two read replicas; the users are not billed.
    let by_hand = [
        ("users", 0.0),
        (
            "lb",
            LB_HOURLY * HOURS + lb_rps * 3600.0 * HOURS / 1e6 * LB_PER_MILLION,
        ),
        ("app", 3.0 * SERVICE_HOURLY * HOURS),
        ("cache", CACHE_HOURLY * HOURS),
        ("db", 3.0 * DB_HOURLY * HOURS),
    ];
    for (id, want) in by_hand {
        let got = c.node(id).expect("node in the bill").monthly;
        assert!((got - want).abs() < 1e-9, "{id}: {got} against {want}");
    }
    let total: f64 = by_hand.iter().map(|x| x.1).sum();
    assert!((c.monthly - total).abs() < 1e-9);
    assert!((c.hourly - total / HOURS).abs() < 1e-12);
    let per_m = c.per_million_requests.expect("traffic");
    let month_requests_m = r.offered_rps * 3600.0 * HOURS / 1e6;
    assert!((per_m - total / month_requests_m).abs() < 1e-9);
    // The app tier alone: 3 x 0.0816 x 730 = 178.704.
    assert!((c.node("app").unwrap().monthly - 178.704).abs() < 1e-9);
}

#[test]
fn scenario_and_node_prices_override_the_table_in_that_order() {
    let mut s = preset("url_shortener");
    s.duration_s = 3.0;
    s.warmup_s = 1.0;
    s.prices.currency = Some("EUR".into());
    s.prices.kinds.insert(
        "database".into(),
        Price {
            hourly: Some(1.0),
            ..Price::default()
        },
    );
    s.prices.nodes.insert(
        "app".into(),
        Price {
            hourly: Some(0.5),
            per_million_requests: Some(2.0),
            per_gb: Some(0.1),
            kb_per_request: Some(10.0),
        },
    );
    let r = report(&s, 1.0);
    let c = r.cost.unwrap();
    assert_eq!(c.currency, "EUR");
    assert!((c.node("db").unwrap().monthly - 3.0 * 1.0 * HOURS).abs() < 1e-9);
    let app = c.node("app").unwrap();
    let rps = r.nodes[2].arrivals as f64 / (r.sim_time_s - r.warmup_s);
    let per_month = rps * 3600.0 * HOURS;
    assert!((app.instance_monthly - 3.0 * 0.5 * HOURS).abs() < 1e-9);
    assert!((app.request_monthly - per_month / 1e6 * 2.0).abs() < 1e-6);
    assert!((app.egress_monthly - per_month * 10.0 / 1e6 * 0.1).abs() < 1e-6);
    // The cache keeps the table's price.
    assert!((c.node("cache").unwrap().monthly - CACHE_HOURLY * HOURS).abs() < 1e-9);
}

#[test]
fn bad_prices_and_slos_are_refused_with_field_and_range() {
    let mut s = preset("url_shortener");
    s.prices.kinds.insert(
        "servce".into(),
        Price {
            hourly: Some(-1.0),
            ..Price::default()
        },
    );
    s.prices.nodes.insert("nope".into(), Price::default());
    s.prices.nodes.insert("users".into(), Price::default());
    s.slo = Some(model::SloSpec {
        loads: vec![0.0],
        error_rate: Some(2.0),
        ..model::SloSpec::default()
    });
    let text: Vec<String> = model::validate(&s).iter().map(|p| p.to_string()).collect();
    let all = text.join("\n");
    for want in [
        "prices.kinds[\"servce\"]`: names no billed kind; allowed: ",
        "prices.kinds[\"servce\"].hourly`: is -1; allowed: 0 to 1000000",
        "prices.nodes[\"nope\"]`: names node 'nope', which does not exist",
        "prices.nodes[\"users\"]`: is a client",
        "slo.loads[0]`: is 0; allowed: > 0 and <= 1000",
        "slo.error_rate`: is 2; allowed: 0 to 1",
    ] {
        assert!(all.contains(want), "missing «{want}» in:\n{all}");
    }
    // An empty block is an error too (it would check nothing).
    let mut e = preset("url_shortener");
    e.slo = Some(model::SloSpec::default());
    assert!(
        model::validate(&e)
            .iter()
            .any(|p| p.field == "slo" && p.message.contains("sets no objective"))
    );
}

#[test]
fn files_without_the_new_blocks_save_as_before() {
    let s = preset("power_of_two");
    let mut plain = s.clone();
    plain.slo = None;
    let text = model::to_string(&plain);
    assert!(
        !text.contains("\n    prices:") && !text.contains("\n    slo:"),
        "{text}"
    );
    // A preset's block survives a save and a load.
    let again = model::parse(&model::to_string(&s), "x").unwrap();
    assert_eq!(again, s);
    // RON from the docs: a partial price table and an slo block.
    let doc = r#"(
        nodes: [
            (id: "c", kind: Client(rate_rps: 10.0)),
            (id: "api", kind: Service(replicas: 2)),
        ],
        edges: [(from: "c", to: "api")],
        prices: (currency: "EUR", kinds: {"service": (hourly: 0.1)}, nodes: {"api": (per_million_requests: 1.0)}),
        slo: (loads: [1.0, 2.0], p99_ms: 100.0, monthly_cost: 500.0),
    )"#;
    let d = model::parse(doc, "doc").expect("parses");
    assert!(model::validate(&d).is_empty());
    let p = d.prices.resolve("api", model::KindTag::Service);
    assert_eq!((p.hourly, p.per_million_requests), (0.1, 1.0));
}

/// Closed form: an autoscaler with `min_replicas: 4` over a service that starts with 1 asks for 3
/// more at its first evaluation (t = 10 s) and they start serving 5 s later; billing counts them from
/// the request. Over a 60 s run without warm-up the billed mean is (1 x 10 + 4 x 50) / 60 = 3.5.
#[test]
fn autoscaled_replicas_are_billed_from_the_moment_they_are_asked_for() {
    let text = r#"(
        duration_s: 60.0, warmup_s: 0.0, seed: 3,
        nodes: [
            (id: "c", kind: Client(rate_rps: 50.0)),
            (id: "api", kind: Service(replicas: 1, workers: 4, service_time_ms: Exponential(mean: 5.0),
                autoscale: (min_replicas: 4, max_replicas: 8, interval_s: 10.0, scale_up_delay_s: 5.0,
                    cooldown_s: 0.0, target_utilization: 0.6))),
        ],
        edges: [(from: "c", to: "api")],
    )"#;
    let s = model::parse(text, "autoscale").unwrap();
    assert!(matches!(
        &s.nodes[1].kind,
        NodeKind::Service(p) if p.autoscale == Some(Autoscale {
            target_utilization: 0.6, min_replicas: 4, max_replicas: 8, interval_s: 10.0,
            scale_up_delay_s: 5.0, cooldown_s: 0.0,
        })
    ));
    let r = report(&s, 1.0);
    let billed = r.nodes[1].billed_replicas.expect("autoscaled");
    assert!((billed - 3.5).abs() < 1e-9, "billed {billed}");
    let c = r.cost.unwrap();
    assert!((c.node("api").unwrap().monthly - 3.5 * SERVICE_HOURLY * HOURS).abs() < 1e-9);
    // A warm-up is excluded: from 20 s on, 4 replicas all along.
    let mut w = s.clone();
    w.warmup_s = 20.0;
    let billed = report(&w, 1.0).nodes[1].billed_replicas.unwrap();
    assert!((billed - 4.0).abs() < 1e-9, "billed {billed}");
    // Fixed services carry no such field.
    assert!(r.nodes[0].billed_replicas.is_none());
}

fn small_spec(finalists: usize) -> OptimizeSpec {
    OptimizeSpec {
        load: 10.0,
        slo_p99_ms: 200.0,
        slo_error_rate: 0.001,
        knobs: vec![
            Knob {
                field: "app.replicas".into(),
                values: vec![3.0, 4.0, 5.0, 6.0, 8.0],
            },
            Knob {
                field: "db.read_replicas".into(),
                values: vec![0.0, 1.0],
            },
        ],
        replications: 2,
        warmup: Warmup::Scenario,
        finalists,
        frontier: 3,
    }
}

fn short_url_shortener() -> Scenario {
    let mut s = preset("url_shortener");
    s.duration_s = 4.0;
    s.warmup_s = 1.0;
    s
}

/// Golden: on a 10-point grid the optimizer's answer is what simulating every grid point (the same
/// replications, the same seeds) and taking the cheapest that meets the SLO gives.
#[test]
fn the_optimizer_agrees_with_brute_force_over_the_grid() {
    let s = short_url_shortener();
    let cancel = AtomicBool::new(false);
    for finalists in [1, 3] {
        let spec = small_spec(finalists);
        let r = optimize(&s, &spec, &|_| {}, &cancel).expect("search runs");
        let mut brute: Vec<(f64, usize, Vec<String>, bool)> = Vec::new();
        let mut index = 0;
        for a in &spec.knobs[0].values {
            for b in &spec.knobs[1].values {
                let sets = vec![format!("app.replicas={a}"), format!("db.read_replicas={b}")];
                let cs = candidate_scenario(&s, &sets).unwrap();
                let point = Point {
                    index,
                    load: spec.load,
                    set: None,
                    value: spec.load,
                };
                let p =
                    run_point(&cs, &point, spec.replications, spec.warmup, None, &cancel).unwrap();
                brute.push((
                    flow_cost(&cs, spec.load).unwrap(),
                    index,
                    sets,
                    spec.slo().met_by(&p),
                ));
                index += 1;
            }
        }
        brute.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        let mut meeting = brute.iter().filter(|b| b.3);
        let best = meeting.next().expect("some grid point meets the SLO");
        let second = meeting.next().expect("two grid points meet it");
        let chosen = r.chosen().expect("the optimizer finds one");
        assert_eq!(chosen.candidate.sets, best.2, "finalists {finalists}");
        assert!((chosen.candidate.monthly_cost - best.0).abs() < 1e-9);
        assert_eq!(r.runner_up().unwrap().candidate.sets, second.2);
        // The design as given (3 app replicas) breaks at 10x; the answer needs more.
        assert!(!brute.iter().any(|b| b.2[0] == "app.replicas=3" && b.3));
        assert!(
            r.pruned > 0,
            "the flow model rules out the overloaded points"
        );
        assert!(r.finalists.len() < r.candidates);
    }
}

#[test]
fn the_frontier_is_monotone_and_dominates() {
    let s = short_url_shortener();
    let spec = small_spec(2);
    let r = optimize(&s, &spec, &|_| {}, &AtomicBool::new(false)).unwrap();
    assert!(r.frontier.len() >= 2, "{:?}", r.frontier);
    for w in r.frontier.windows(2) {
        let (a, b) = (&r.finalists[w[0]], &r.finalists[w[1]]);
        assert!(a.candidate.monthly_cost <= b.candidate.monthly_cost);
        assert!(b.p99_ms < a.p99_ms, "p99 falls along the frontier");
    }
    // Every simulated design within the error bound is dominated by (or on) the frontier.
    for f in r
        .finalists
        .iter()
        .filter(|f| f.failure_rate <= spec.slo_error_rate)
    {
        assert!(r.frontier.iter().any(|&i| {
            let g = &r.finalists[i];
            g.candidate.monthly_cost <= f.candidate.monthly_cost && g.p99_ms <= f.p99_ms
        }));
    }
    // Finalists are in cost order.
    for w in r.finalists.windows(2) {
        assert!(w[0].candidate.monthly_cost <= w[1].candidate.monthly_cost);
    }
}

/// Sharded == unsharded, for searches of one round and of several (one or two finalists a round, so the
/// rounds go on until two designs meet the SLO), over 1, 2 and 3 shards.
#[test]
fn optimizer_shards_merge_into_the_unsharded_answer() {
    let s = short_url_shortener();
    let cancel = AtomicBool::new(false);
    for finalists in [1, 2, 10] {
        let spec = small_spec(finalists);
        let whole = optimize(&s, &spec, &|_| {}, &cancel).unwrap();
        let rounds = whole
            .finalists
            .iter()
            .filter(|f| {
                f.candidate.monthly_cost <= whole.runner_up().unwrap().candidate.monthly_cost
            })
            .count()
            .div_ceil(finalists);
        // One finalist a round needs at least two rounds (two designs must meet the SLO).
        if finalists == 1 {
            assert!(rounds >= 2, "finalists {finalists}: {rounds} round(s)");
        }
        for shards in [1, 2, 3] {
            let parts: Vec<_> = (0..shards)
                .map(|i| optimize_shard(&s, &spec, i, shards, &|_| {}, &cancel).unwrap())
                .collect();
            let merged = merge(&parts).unwrap();
            assert_eq!(merged, whole, "finalists {finalists}, {shards} shards");
            if shards > 1 {
                assert!(
                    merge(&parts[..shards as usize - 1]).is_err(),
                    "a missing shard is refused"
                );
            }
        }
    }
}

/// The browser's search, stepped a thousand events at a time, gives the threaded search's answer.
#[test]
fn the_stepped_search_equals_the_threaded_one() {
    let s = short_url_shortener();
    let spec = small_spec(2);
    let cancel = AtomicBool::new(false);
    let whole = optimize(&s, &spec, &|_| {}, &cancel).unwrap();
    let mut stepper = OptimizeStepper::new(&s, &spec).unwrap();
    let mut steps = 0u64;
    let stepped = loop {
        steps += 1;
        if let Some(r) = stepper.step(1_000, &cancel).unwrap() {
            break r;
        }
    };
    assert_eq!(stepped, whole);
    assert_eq!(stepper.progress().0, whole.finalists.len());
    // Each replication of 4 s at 10x is some 400,000 events: hundreds of steps each.
    let reps = whole.finalists.len() as u64 * u64::from(spec.replications);
    assert!(steps > reps * 100, "{steps} steps for {reps} replications");
    // Cancel stops it at the next step.
    let mut again = OptimizeStepper::new(&s, &spec).unwrap();
    assert!(again.step(1_000, &cancel).unwrap().is_none());
    assert!(again.step(1_000, &AtomicBool::new(true)).is_err());
}

#[test]
fn slo_checks_name_the_node_that_broke_first_and_write_junit() {
    let mut s = preset("url_shortener");
    s.duration_s = 6.0;
    s.warmup_s = 1.0;
    let mut slo = s.slo.clone().expect("the preset carries an slo block");
    slo.loads = vec![1.0, 10.0];
    s.slo = Some(slo);
    let c = check_scenario(&s, "url.ron").unwrap().unwrap();
    assert!(!c.passed());
    let at1: Vec<_> = c.verdicts.iter().filter(|v| v.load == 1.0).collect();
    assert!(
        at1.iter().all(|v| v.passed),
        "the preset meets its SLO at 1x"
    );
    let broken: Vec<_> = c.verdicts.iter().filter(|v| !v.passed).collect();
    assert!(!broken.is_empty());
    assert!(broken.iter().all(|v| v.load == 10.0));
    assert!(
        broken
            .iter()
            .all(|v| v.broke_first.as_deref() == Some("app"))
    );
    let xml = junit(&[c]);
    assert!(xml.contains("<failure message=\"measured"), "{xml}");
}
