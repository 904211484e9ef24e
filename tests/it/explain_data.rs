//! "Explain the last run" and `archsim check` on data problems (issue 14): a hot shard named as the cause
//! behind the caller that waits on it, stale reads and lost writes named with their node, and a stale-read
//! budget in the SLO broken by the node that serves them.

use archsim::analysis::explain::explain_run;
use archsim::analysis::slo::judge;
use archsim::metrics::Report;
use archsim::model::{Scenario, apply_override, presets};
use archsim::sim::Simulation;

fn preset(name: &str, sets: &[&str]) -> Scenario {
    let mut s = presets::load_preset(name).unwrap().unwrap();
    s.duration_s = 30.0;
    for set in sets {
        apply_override(&mut s, set).unwrap();
    }
    s
}

fn run(s: &Scenario, load: f64) -> Report {
    let mut sim = Simulation::new(s).unwrap();
    sim.set_load(load);
    sim.run_to_end();
    sim.report()
}

/// sharded_hot_key at 2x: the API is saturated because it waits on one saturated shard of a store whose
/// average is well below saturation; the explanation blames the store and says why.
#[test]
fn a_saturated_hot_shard_is_the_cause_behind_the_api_waiting_on_it() {
    let s = preset("sharded_hot_key", &[]);
    let r = run(&s, 2.0);
    let db = r.nodes.iter().find(|n| n.id == "orders_db").unwrap();
    assert!(
        db.utilization < 0.95,
        "the store as a whole is not saturated"
    );
    let e = explain_run(&s, &r);
    assert_eq!(e.bottleneck.as_deref(), Some("orders_db"), "{}", e.text);
    assert!(
        e.text.contains("api waits on orders_db") && e.text.contains("orders_db has a hot shard"),
        "{}",
        e.text
    );
    // At 1x nothing saturates, but the hot shard is already named.
    let e = explain_run(&s, &run(&s, 1.0));
    assert!(e.text.contains("has a hot shard: shard 7"), "{}", e.text);
}

/// cache_consistency: write-around's stale reads and write-behind's lost writes are named with their node;
/// a 1% stale-read budget passes cache-aside and fails write-around, naming the cache.
#[test]
fn stale_reads_and_lost_writes_are_explained_and_held_to_a_budget() {
    let around = preset("cache_consistency", &["cache.writes.policy=WriteAround"]);
    let r = run(&around, 1.0);
    let e = explain_run(&around, &r);
    assert!(
        e.text.contains("cache served") && e.text.contains("stale reads"),
        "{}",
        e.text
    );
    let slo = around.slo.clone().unwrap();
    assert_eq!(slo.stale_read_rate, Some(0.01));
    let v = judge(&around, &slo, &r, 1.0);
    let stale = v.iter().find(|v| v.objective == "stale_read_rate").unwrap();
    assert!(!stale.passed && stale.measured > 0.3, "{stale:?}");
    assert_eq!(stale.broke_first.as_deref(), Some("cache"));

    let aside = preset("cache_consistency", &[]);
    let v = judge(&aside, &slo, &run(&aside, 1.0), 1.0);
    // (The 30 s run's error rate is over its 1x bound: the second the cache is down is 5% of it.)
    let stale = v.iter().find(|v| v.objective == "stale_read_rate").unwrap();
    assert!(stale.passed && stale.measured > 0.001, "{stale:?}");

    let behind = preset(
        "cache_consistency",
        &["cache.writes.policy=WriteBehind(flush_interval_ms: 1000, batch_size: 100)"],
    );
    let e = explain_run(&behind, &run(&behind, 1.0));
    assert!(
        e.text.contains("cache lost") && e.text.contains("acknowledged writes"),
        "{}",
        e.text
    );
}

/// A stale-read budget outside 0 to 1 is named with its field, value and range.
#[test]
fn a_stale_read_budget_out_of_range_is_refused() {
    let mut s = preset("cache_consistency", &[]);
    if let Some(slo) = s.slo.as_mut() {
        slo.stale_read_rate = Some(1.7);
    }
    let text: Vec<String> = archsim::model::validate(&s)
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(
        text.iter().any(|t| t.contains("slo.stale_read_rate")
            && t.contains("is 1.7")
            && t.contains("0 to 1 (a share of reads)")),
        "{text:?}"
    );
}

/// A load sweep of sharded_hot_key: each point carries the hottest shard's utilization, which saturates
/// near 1x while the database's average is about half; the sweep's explanation names the database and its
/// hot shard as what broke first, ahead of the API that saturates at 2x.
#[test]
fn a_sweep_shows_the_hottest_shard_and_its_explanation_names_it() {
    use archsim::analysis::explain::explain_sweep;
    use archsim::analysis::sweep::{Axis, SweepSpec, Warmup, run_sweep};
    let mut s = preset("sharded_hot_key", &[]);
    s.duration_s = 12.0;
    let spec = SweepSpec {
        axis: Axis::Load(vec![0.5, 1.25, 2.0]),
        replications: 2,
        warmup: Warmup::Scenario,
        precision: None,
    };
    let r = run_sweep(
        &s,
        &spec,
        &|_| {},
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    let hot = |i: usize| {
        let n = r.points[i].node("orders_db").unwrap();
        (
            n.hottest_shard_utilization.unwrap().mean,
            n.utilization.mean,
        )
    };
    let (h0, u0) = hot(0);
    let (h1, u1) = hot(1);
    assert!(h0 < 0.7 && u0 < 0.3, "0.5x: hottest {h0}, mean {u0}");
    assert!(h1 >= 0.95 && u1 < 0.8, "1.25x: hottest {h1}, mean {u1}");
    assert!(
        r.points[0]
            .node("api")
            .unwrap()
            .hottest_shard_utilization
            .is_none()
    );
    let e = explain_sweep(&s, &r);
    assert_eq!(e.bottleneck.as_deref(), Some("orders_db"), "{}", e.text);
    assert_eq!(e.saturated_at_load, Some(1.25));
    assert!(
        e.text
            .starts_with("orders_db's hottest shard saturated first"),
        "{}",
        e.text
    );
}

/// The flow model holds a quorum coordinator's connection for the R-th (W-th) fastest replica time: on the
/// quorum preset without its cut (N = 3, R = W = 2, exponential 3 ms reads and 6 ms writes, 80% reads) a
/// query's mean hold is 0.8 x 3 x (1/3 + 1/2) + 0.2 x 6 x (1/3 + 1/2) = 3.0 ms, which the simulation's store
/// latency matches (nothing queues at 5% busy).
#[test]
fn the_flow_model_knows_quorum_order_statistics() {
    use archsim::analysis::flow::FlowModel;
    let mut s = preset("quorum_partition", &[]);
    s.faults.clear();
    let flow = FlowModel::new(&s).unwrap().eval_flow(1.0);
    let hold = flow.node("store").unwrap().mean_hold_ms;
    assert!((hold - 3.0).abs() < 1e-9, "model hold {hold}");
    let sim = run(&s, 1.0);
    let measured = sim
        .nodes
        .iter()
        .find(|n| n.id == "store")
        .unwrap()
        .latency_ms
        .mean;
    assert!(
        (measured / hold - 1.0).abs() < 0.05,
        "simulated {measured} vs {hold}"
    );
}
