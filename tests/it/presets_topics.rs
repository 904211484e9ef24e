//! The lessons of the topic presets (issue 15): a hot partition that idle consumers cannot help, and a
//! consumer crash whose rebalance delays one group while the other and the producers notice nothing.
//! Figures from the CLI at the seed as shipped are in each preset's description; the bounds here are loose
//! around them.

use archsim::metrics::{GroupReport, Report, TopicReport};
use archsim::model::{self, Scenario, presets};

use crate::common::{node_report, run, run_at};

fn preset(name: &str, sets: &[&str]) -> Scenario {
    let mut s = presets::load_preset(name).unwrap().unwrap();
    for spec in sets {
        model::apply_override(&mut s, spec).unwrap();
    }
    assert!(model::validate(&s).is_empty());
    s
}

fn topic<'a>(r: &'a Report, id: &str) -> &'a TopicReport {
    node_report(r, id).topic.as_ref().unwrap()
}

fn group<'a>(r: &'a Report, topic_id: &str, consumer: &str) -> &'a GroupReport {
    topic(r, topic_id)
        .groups
        .iter()
        .find(|g| g.consumer == consumer)
        .unwrap()
}

#[test]
fn metrics_hot_partition_lags_on_one_partition_until_the_keys_are_spread() {
    let r = run(&preset("metrics_hot_partition", &[]));
    let t = topic(&r, "metrics_log");
    let hot = &t.partitions[t.hottest_partition as usize];
    assert!(hot.share > 0.17, "hottest share {}", hot.share);
    // Its lag grows for the whole run while the consumers are mostly idle and every other partition keeps up.
    let rollup = group(&r, "metrics_log", "rollup");
    assert!(rollup.lag > 3_000, "rollup lag {}", rollup.lag);
    assert!(rollup.drained_at_s.is_none());
    assert!(node_report(&r, "rollup").utilization < 0.4);
    for p in &t.partitions {
        if p.partition != hot.partition {
            assert!(
                p.max_lag < 500,
                "partition {} lag {}",
                p.partition,
                p.max_lag
            );
        }
    }
    assert!(group(&r, "metrics_log", "alerting").lag < 50);
    // Producers are acknowledged as usual.
    assert_eq!(r.requests.failed + r.requests.rejected, 0);
    // Twice the consumers: the same lag.
    let more = run(&preset("metrics_hot_partition", &["rollup.replicas=12"]));
    let l = group(&more, "metrics_log", "rollup").lag as f64;
    assert!(
        (l / rollup.lag as f64 - 1.0).abs() < 0.2,
        "{l} against {}",
        rollup.lag
    );
    // Keys spread evenly: no partition lags.
    let even = run(&preset(
        "metrics_hot_partition",
        &["metrics_log.topic.zipf_exponent=0"],
    ));
    let g = group(&even, "metrics_log", "rollup");
    assert!(g.max_lag < 200, "even keys: peak lag {}", g.max_lag);
    // The flow model sees the hot partition as the rollup group's limit.
    let model =
        archsim::analysis::flow::FlowModel::new(&preset("metrics_hot_partition", &[])).unwrap();
    let (x, who) = model.breaking_point();
    assert_eq!(who.as_deref(), Some("rollup"));
    assert!(x.unwrap() < 1.0, "analytic breaking load {x:?}");
}

#[test]
fn chat_pubsub_rebalance_delays_one_group_only() {
    let r = run(&preset("chat_pubsub", &[]));
    let fanout = group(&r, "channels", "fanout");
    // Down 4 s, then 3 s of rebalance, at 2,000 messages/s.
    assert!(
        (11_000..17_000).contains(&fanout.max_lag),
        "fanout peak {}",
        fanout.max_lag
    );
    assert!((36.0..38.5).contains(&fanout.max_lag_at_s));
    let caught_up = fanout.drained_at_s.expect("fanout caught up");
    assert!(
        (44.0..56.0).contains(&caught_up),
        "caught up at {caught_up}"
    );
    assert_eq!(fanout.rebalances, 1);
    assert!(group(&r, "channels", "history").max_lag < 200);
    // Senders are answered as before.
    assert!(r.latency_ms.p99 < 60.0, "p99 {}", r.latency_ms.p99);
    // Without the rebalance pause the peak is about 4/7 of it.
    let quick = run(&preset("chat_pubsub", &["channels.topic.rebalance_ms=0"]));
    let q = group(&quick, "channels", "fanout");
    assert!(
        (q.max_lag as f64) < 0.7 * fanout.max_lag as f64,
        "{} against {}",
        q.max_lag,
        fanout.max_lag
    );
    // At 10x the chat API saturates.
    let r10 = run_at(&preset("chat_pubsub", &[]), 10.0);
    assert!(node_report(&r10, "chat_api").utilization > 0.95);
}
