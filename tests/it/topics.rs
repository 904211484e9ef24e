//! Kafka-like topics: partitions, consumer groups, rebalances, dead letters and at-least-once delivery,
//! against closed forms (docs/validation.md, section "Topics and consumer lag").
//!
//! Every edge here takes no time, so a delivery's cycle is its consumer's service time alone. Seed spread,
//! measured with `SPREAD=1 cargo test --test it topics:: -- --nocapture` over seeds 1-10, is given on each
//! test; every tolerance is wider than it.

use crate::common::{instant_edge as e, node as n, node_report, run, spread};
use archsim::metrics::{GroupReport, Report, TopicReport};
use archsim::model::{
    Arrival, ClientParams, CrashParams, Dist, Fault, FaultKind, NodeKind, QueueParams, Scenario,
    ServiceParams, Topic,
};

fn consumer(replicas: u32, workers: u32, time: Dist, error_probability: f64) -> NodeKind {
    NodeKind::Service(ServiceParams {
        replicas,
        workers,
        queue_capacity: 0,
        service_time_ms: time,
        error_probability,
        ..ServiceParams::default()
    })
}

fn topic_node(topic: Topic, visibility_timeout_ms: Option<f64>, max_deliveries: u32) -> NodeKind {
    NodeKind::Queue(QueueParams {
        capacity: 1_000_000,
        ack_latency_ms: Dist::constant(0.0),
        visibility_timeout_ms,
        max_deliveries,
        topic: Some(topic),
    })
}

/// producer (rate, arrival) -> log (the topic) -> each consumer of `consumers`.
fn scenario(
    seed: u64,
    rate_rps: f64,
    arrival: Arrival,
    log: NodeKind,
    consumers: Vec<(&str, NodeKind)>,
    duration_s: f64,
) -> Scenario {
    let mut nodes = vec![
        n(
            "producer",
            NodeKind::Client(ClientParams {
                rate_rps,
                arrival,
                ..ClientParams::default()
            }),
        ),
        n("log", log),
    ];
    let mut edges = vec![e("producer", "log")];
    for (id, kind) in consumers {
        edges.push(e("log", id));
        nodes.push(n(id, kind));
    }
    Scenario {
        name: "topic".into(),
        duration_s,
        warmup_s: 5.0,
        seed,
        nodes,
        edges,
        ..Scenario::default()
    }
}

fn topic(r: &Report) -> &TopicReport {
    node_report(r, "log").topic.as_ref().unwrap()
}

fn group<'a>(r: &'a Report, consumer: &str) -> &'a GroupReport {
    topic(r)
        .groups
        .iter()
        .find(|g| g.consumer == consumer)
        .unwrap()
}

/// One partition at `lambda` messages/s, a group of two consumers serving `mu`/s each one at a time
/// (constant times), the consumer crashed at 20 s for `down_s` and a rebalance of `rebalance_s` after.
fn paused(seed: u64, lambda: f64, mu: f64, down_s: f64, rebalance_s: f64) -> Scenario {
    let mut s = scenario(
        seed,
        lambda,
        Arrival::Constant,
        topic_node(
            Topic {
                partitions: 1,
                rebalance_ms: rebalance_s * 1e3,
                ..Topic::default()
            },
            None,
            5,
        ),
        vec![("consumer", consumer(2, 1, Dist::constant(1e3 / mu), 0.0))],
        120.0,
    );
    s.faults = vec![Fault {
        at_s: 20.0,
        duration_s: down_s,
        target: "consumer".into(),
        kind: FaultKind::Crash(CrashParams::default()),
    }];
    s
}

#[test]
fn the_lag_after_a_consumer_pause_peaks_at_lambda_p_and_drains_in_lambda_p_over_mu_minus_lambda() {
    // Fluid approximation: a pause of P = down + rebalance stores lambda P messages; the consumer then
    // drains them at mu - lambda. Lag counts the message in flight, so the peak is lambda P + 1.
    // Seed spread (seeds 1-10, constant rates): every seed drains in 20.0067 s and 20.0000 s against
    // 20 s (the first append after the restart starts the rebalance, up to one gap late). Tolerance 3%.
    for (lambda, mu, down_s, rebalance_s) in [(100.0, 150.0, 8.0, 2.0), (200.0, 250.0, 3.0, 2.0)] {
        let p = down_s + rebalance_s;
        let peak = lambda * p;
        let drain_s = peak / (mu - lambda);
        let resume_s = 20.0 + p;
        spread(&format!("drain {lambda} {mu}"), |seed| {
            let r = run(&paused(seed, lambda, mu, down_s, rebalance_s));
            group(&r, "consumer").drained_at_s.unwrap() - resume_s
        });
        let r = run(&paused(1, lambda, mu, down_s, rebalance_s));
        let g = group(&r, "consumer");
        assert!(
            (g.max_lag as f64 - peak).abs() <= 0.03 * peak,
            "peak lag {} against lambda P = {peak}",
            g.max_lag
        );
        assert!(
            (g.max_lag_at_s - resume_s).abs() < 0.05,
            "peak at {} s, resume at {resume_s} s",
            g.max_lag_at_s
        );
        let drained = g.drained_at_s.expect("the lag drained") - resume_s;
        assert!(
            (drained - drain_s).abs() <= 0.03 * drain_s,
            "drained in {drained} s against lambda P / (mu - lambda) = {drain_s} s"
        );
        assert_eq!(g.rebalances, 1);
        // Everything sent was finished once.
        let c = node_report(&r, "consumer");
        assert_eq!(c.duplicates, Some(0));
        assert!(g.lag <= 1, "lag {} at the end", g.lag);
    }
}

#[test]
fn every_group_reads_every_message_and_a_slow_group_lags_alone() {
    // Two groups on one topic: a fast one and one whose single consumer is slower than the 4 partitions'
    // rate lets it be. Both see every message; only the slow one builds lag.
    let s = scenario(
        1,
        400.0,
        Arrival::Poisson,
        topic_node(Topic::default(), None, 5),
        vec![
            ("fast", consumer(6, 4, Dist::exp(2.0), 0.0)),
            ("slow", consumer(1, 6, Dist::constant(20.0), 0.0)),
        ],
        60.0,
    );
    let r = run(&s);
    let t = topic(&r);
    let appended: u64 = t.partitions.iter().map(|p| p.messages).sum();
    let (fast, slow) = (group(&r, "fast"), group(&r, "slow"));
    // The fast group finishes all but the few in flight; the slow one (6 x 50/s = 300/s < 400/s) falls
    // behind by about 100 messages a second.
    assert!(fast.lag < 20, "fast lag {}", fast.lag);
    assert!(
        fast.delivered + 20 >= appended,
        "{} of {appended}",
        fast.delivered
    );
    assert!(
        slow.lag as f64 > 0.8 * 100.0 * 55.0,
        "slow lag {} after 55 s at ~100/s",
        slow.lag
    );
    assert_eq!(fast.idle_members, 0);
    assert_eq!(slow.members, 1);
}

#[test]
fn keys_pick_partitions_by_hash_and_a_hot_key_makes_a_hot_partition() {
    // 8 partitions over 1,000 Zipf(1.1) keys: each partition's count against its share from the
    // documented hash, as a binomial z-score. Seed spread (seeds 1-10): worst |z| 1.09 to 2.85. Tolerance 4.5.
    let t = Topic {
        partitions: 8,
        keys: 1000,
        zipf_exponent: 1.1,
        ..Topic::default()
    };
    let shares = t.partition_shares();
    let build = |seed| {
        scenario(
            seed,
            2000.0,
            Arrival::Poisson,
            topic_node(t.clone(), None, 5),
            vec![("c", consumer(8, 2, Dist::exp(0.1), 0.0))],
            30.0,
        )
    };
    let worst_z = |r: &Report| {
        let tr = topic(r);
        let total: u64 = tr.partitions.iter().map(|p| p.messages).sum();
        tr.partitions
            .iter()
            .map(|p| {
                let q = shares[p.partition as usize];
                let sd = (total as f64 * q * (1.0 - q)).sqrt();
                ((p.messages as f64 - total as f64 * q) / sd).abs()
            })
            .fold(0.0, f64::max)
    };
    spread("worst partition z", |seed| worst_z(&run(&build(seed))));
    let r = run(&build(1));
    assert!(worst_z(&r) < 4.5, "worst z {}", worst_z(&r));
    let hottest = shares
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .unwrap()
        .0 as u32;
    assert_eq!(topic(&r).hottest_partition, hottest);
    assert!(
        shares[hottest as usize] > 2.0 / 8.0,
        "the hot key's partition takes {:.3}",
        shares[hottest as usize]
    );
}

#[test]
fn a_partition_is_read_one_message_at_a_time_so_consumers_past_the_partition_count_sit_idle() {
    // 2 partitions of 150/s each; a message takes 10 ms, so a partition gives at most 100/s however many
    // consumers the group has: 200/s finished of 300/s, and 2 of 4 members idle.
    let s = scenario(
        1,
        300.0,
        Arrival::Poisson,
        topic_node(
            Topic {
                partitions: 2,
                ..Topic::default()
            },
            None,
            5,
        ),
        vec![("c", consumer(4, 8, Dist::constant(10.0), 0.0))],
        60.0,
    );
    let r = run(&s);
    let g = group(&r, "c");
    assert_eq!(g.idle_members, 2);
    let c = node_report(&r, "c");
    assert!(
        (c.throughput_rps - 200.0).abs() < 2.0,
        "throughput {}",
        c.throughput_rps
    );
    assert!(c.utilization < 0.07, "utilization {}", c.utilization);
}

#[test]
fn failed_deliveries_are_retried_in_place_and_dead_lettered_after_max_deliveries() {
    // Each hand-out fails with probability f, independently: a message is dead-lettered with probability
    // f^k (k = max_deliveries) and handed out again after each other failure. f = 0.5, k = 3: 0.125 dead,
    // 0.5 + 0.25 = 0.75 redeliveries per message. Seed spread (seeds 1-10): dead share 0.1226 to 0.1281.
    // Tolerance 0.01 and 0.03.
    let build = |seed| {
        scenario(
            seed,
            200.0,
            Arrival::Poisson,
            topic_node(Topic::default(), None, 3),
            vec![("c", consumer(6, 2, Dist::exp(1.0), 0.5))],
            60.0,
        )
    };
    let dead_share = |r: &Report| {
        let g = group(r, "c");
        g.dead_lettered as f64 / (g.delivered - g.redelivered) as f64
    };
    spread("dead-letter share", |seed| dead_share(&run(&build(seed))));
    let r = run(&build(1));
    let g = group(&r, "c");
    let messages = (g.delivered - g.redelivered) as f64;
    assert!((dead_share(&r) - 0.125).abs() < 0.01, "{}", dead_share(&r));
    assert!(
        (g.redelivered as f64 / messages - 0.75).abs() < 0.03,
        "{} redeliveries per message",
        g.redelivered as f64 / messages
    );
}

#[test]
fn a_visibility_timeout_redelivers_and_the_consumer_counts_the_duplicates() {
    // Exponential 10 ms work against a 20 ms timeout: a hand-out times out with probability e^-2, the
    // message goes out again while the first consumer keeps working and then finishes it too: one
    // duplicate side effect per timeout. Timeouts per message: p / (1 - p) = 0.1565 for p = e^-2.
    // Seed spread (seeds 1-10): 0.1531 to 0.1628 (at most 0.0063 off). Tolerance 0.012.
    let build = |seed| {
        scenario(
            seed,
            300.0,
            Arrival::Poisson,
            topic_node(Topic::default(), Some(20.0), 1000),
            vec![("c", consumer(6, 4, Dist::exp(10.0), 0.0))],
            60.0,
        )
    };
    let per_message = |r: &Report| {
        let g = group(r, "c");
        g.redelivered as f64 / (g.delivered - g.redelivered) as f64
    };
    spread("timeouts per message", |seed| {
        per_message(&run(&build(seed)))
    });
    let r = run(&build(1));
    let p = (-2.0f64).exp();
    assert!(
        (per_message(&r) - p / (1.0 - p)).abs() < 0.012,
        "{}",
        per_message(&r)
    );
    let g = group(&r, "c");
    let dups = node_report(&r, "c").duplicates.unwrap();
    assert!(
        (dups as f64 - g.redelivered as f64).abs() <= 10.0,
        "{dups} duplicates for {} redeliveries",
        g.redelivered
    );
}

#[test]
fn a_bad_topic_is_named_with_its_range() {
    let mut s = scenario(
        1,
        10.0,
        Arrival::Poisson,
        topic_node(
            Topic {
                partitions: 0,
                zipf_exponent: -1.0,
                rebalance_ms: f64::NAN,
                ..Topic::default()
            },
            None,
            5,
        ),
        vec![("c", consumer(1, 1, Dist::exp(1.0), 0.0))],
        10.0,
    );
    let text = archsim::model::validate(&s)
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    for want in [
        "topic.partitions",
        "1 to 1024",
        "topic.zipf_exponent",
        "topic.rebalance_ms",
    ] {
        assert!(text.contains(want), "{want} missing from:\n{text}");
    }
    s.nodes[1].kind = topic_node(Topic::default(), None, 5);
    assert!(archsim::model::validate(&s).is_empty());
}

#[test]
fn set_makes_a_queue_a_topic_and_changes_its_fields() {
    let mut s = archsim::model::presets::load_preset("job_scheduler")
        .unwrap()
        .unwrap();
    archsim::model::apply_override(&mut s, "jobs_queue.topic=(partitions: 8)").unwrap();
    archsim::model::apply_override(&mut s, "jobs_queue.topic.keys=100").unwrap();
    let NodeKind::Queue(q) = &s.node("jobs_queue").unwrap().kind else {
        panic!("jobs_queue is a queue");
    };
    let t = q.topic.as_ref().unwrap();
    assert_eq!((t.partitions, t.keys), (8, 100));
    assert_eq!(t.rebalance_ms, Topic::default().rebalance_ms);
    let err = archsim::model::apply_override(&mut s, "jobs_queue.topic.partitions=0")
        .map(|_| archsim::model::validate(&s))
        .map(|p| {
            p.iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap();
    assert!(err.contains("topic.partitions"), "{err}");
}
