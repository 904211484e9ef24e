//! Issue 14: replication lag and stale reads, against the closed form. Writes to one key are Poisson at
//! rate w (the scenario's 200 writes/s over 1,000 uniform keys: w = 0.2/s), so a read at time s on a
//! replica misses a committed write if its key had a write whose lag has not yet run out: the writes still
//! in flight are Poisson with mean w E[lag], and P(stale) = 1 - exp(-w E[lag]) for any lag distribution.
//! With read-your-writes for R < L (constant lag L) a read goes to the primary if its key had a write in
//! the last R seconds, 1 - exp(-w R) of the reads, and is stale if it had one in the last L but not in the
//! last R: exp(-w R) - exp(-w L).
//!
//! Tolerances are several times the spread over seeds 1-10 (`SPREAD=1 cargo test --test it replication::
//! -- --nocapture` prints it; figures in the tests' comments).

use archsim::metrics::Report;
use archsim::model::{self, Dist, NodeKind, OnPartition, Quorum, Replication, Scenario};

use crate::common::{node_report, run, spread};

const FILE: &str = "scenarios/theory/replication_lag.ron";
/// Writes per key per second in the scenario.
const W: f64 = 0.2;

fn scenario(seed: u64, lag_ms: Dist, ryw_ms: Option<f64>) -> Scenario {
    let mut s = model::load(std::path::Path::new(FILE)).unwrap();
    s.seed = seed;
    let NodeKind::Database(d) = &mut s.nodes[1].kind else {
        panic!("the scenario's second node is the database")
    };
    let r = d.replication.get_or_insert_with(Box::default);
    r.lag_ms = lag_ms;
    r.read_your_writes_ms = ryw_ms;
    s
}

/// (reads, share on the primary (0 for a quorum, which has none), share stale) of the database.
fn shares(r: &Report) -> (u64, f64, f64) {
    let db = node_report(r, "db");
    let reads = db.reads.unwrap();
    let f = |x: Option<u64>| x.unwrap_or(0) as f64 / reads as f64;
    (reads, f(db.primary_reads), f(db.stale_reads))
}

fn stale_at(seed: u64, lag_ms: Dist, ryw_ms: Option<f64>) -> f64 {
    shares(&run(&scenario(seed, lag_ms, ryw_ms))).2
}

fn assert_near(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: simulated {got:.5}, theory {want:.5}, off by {:.5} > {tol}",
        (got - want).abs()
    );
}

#[test]
fn stale_reads_under_constant_lag_match_one_minus_exp_minus_w_l() {
    // Seeds 1-10: 0.1798 to 0.1820 around 1 - e^-0.2 = 0.1813 (at most 0.0015 off): tolerance 0.008.
    spread("stale share, constant lag 1 s", |seed| {
        stale_at(seed, Dist::constant(1000.0), None)
    });
    let want = 1.0 - (-W * 1.0f64).exp();
    for seed in [1, 2, 3] {
        let r = run(&scenario(seed, Dist::constant(1000.0), None));
        let (reads, primary, stale) = shares(&r);
        assert!(reads > 150_000, "too few reads for a tight test: {reads}");
        assert_eq!(primary, 0.0, "with replicas and no read-your-writes");
        assert_near("P(stale), L = 1 s", stale, want, 0.008);
    }
    // A shorter lag: 1 - e^-0.05 = 0.0488.
    let stale = stale_at(1, Dist::constant(250.0), None);
    assert_near(
        "P(stale), L = 0.25 s",
        stale,
        1.0 - (-W * 0.25f64).exp(),
        0.005,
    );
}

#[test]
fn random_lags_give_the_same_law_with_the_mean_lag() {
    // Exponential lag of mean 0.5 s: 1 - e^-0.1 = 0.0952, although a later write often lands before an
    // earlier one (the engine keeps each key's latest applied-at time, not its latest write's). Seeds
    // 1-10: 0.0934 to 0.0958 (at most 0.0018 off): tolerance 0.006.
    spread("stale share, exponential lag 0.5 s", |seed| {
        stale_at(seed, Dist::exp(500.0), None)
    });
    let want = 1.0 - (-W * 0.5f64).exp();
    for seed in [1, 2] {
        assert_near(
            "P(stale), exponential lag",
            stale_at(seed, Dist::exp(500.0), None),
            want,
            0.006,
        );
    }
}

#[test]
fn read_your_writes_moves_stale_reads_to_the_primary() {
    let lag = || Dist::constant(1000.0);
    let (_, p0, s0) = shares(&run(&scenario(1, lag(), None)));
    let (_, p_half, s_half) = shares(&run(&scenario(1, lag(), Some(500.0))));
    let (_, p_full, s_full) = shares(&run(&scenario(1, lag(), Some(1100.0))));
    // The ordering: a longer window sends more reads to the primary and leaves fewer stale.
    assert!(p0 < p_half && p_half < p_full, "{p0} {p_half} {p_full}");
    assert!(s0 > s_half && s_half > s_full, "{s0} {s_half} {s_full}");
    // The numbers: R = 0.5 s sends 1 - e^-0.1 = 0.0952 to the primary and leaves
    // e^-0.1 - e^-0.2 = 0.0861 stale. Seeds 1-10: primary 0.0946 to 0.0957, stale 0.0851 to 0.0869 (at
    // most 0.0010 off): tolerance 0.006.
    spread("primary share, ryw 0.5 s", |seed| {
        shares(&run(&scenario(seed, lag(), Some(500.0)))).1
    });
    spread("stale share, ryw 0.5 s", |seed| {
        shares(&run(&scenario(seed, lag(), Some(500.0)))).2
    });
    assert_near("primary share", p_half, 1.0 - (-W * 0.5f64).exp(), 0.006);
    assert_near(
        "stale share",
        s_half,
        (-W * 0.5f64).exp() - (-W * 1.0f64).exp(),
        0.006,
    );
    // A window longer than the lag leaves only the reads racing a write that commits while they run.
    assert!(s_full < 0.002, "{s_full}");
    assert_near(
        "primary share, R = 1.1 s",
        p_full,
        1.0 - (-W * 1.1f64).exp(),
        0.008,
    );
}

#[test]
fn a_sharded_database_checks_its_reads_against_the_shard_keys() {
    // 4 shards of 1,000 uniform keys, 2 replicas per shard: the same per-key write rate, so the same law.
    // Seeds 1-10: 0.1789 to 0.1829 (within 0.0024 of theory): tolerance 0.008; with read-your-writes
    // (0.5 s) the shard primaries answer 0.0931 to 0.0963 (theory 0.0952, within 0.0021): tolerance 0.006.
    let sharded = |seed: u64, ryw: Option<f64>| {
        let mut s = scenario(seed, Dist::constant(1000.0), ryw);
        if let NodeKind::Database(d) = &mut s.nodes[1].kind {
            d.shards = Some(model::Shards {
                count: 4,
                keys: 1000,
                ..model::Shards::default()
            });
            // Ignored beside shards: the shard keys count.
            d.replication.as_mut().unwrap().keys = 7;
        }
        run(&s)
    };
    spread("sharded stale share", |seed| shares(&sharded(seed, None)).2);
    spread("sharded primary share, ryw 0.5 s", |seed| {
        shares(&sharded(seed, Some(500.0))).1
    });
    let r = sharded(1, None);
    let (reads, primary, stale) = shares(&r);
    assert!(reads > 150_000, "{reads}");
    assert_eq!(primary, 0.0);
    assert_eq!(node_report(&r, "db").primary_reads, Some(0));
    assert_near("sharded P(stale)", stale, 1.0 - (-W * 1.0f64).exp(), 0.008);
    assert_eq!(node_report(&r, "db").shards.as_ref().unwrap().len(), 4);
    let (_, primary, stale_ryw) = shares(&sharded(1, Some(500.0)));
    assert_near(
        "sharded primary share",
        primary,
        1.0 - (-W * 0.5f64).exp(),
        0.006,
    );
    assert!(stale_ryw < stale, "{stale_ryw} {stale}");
}

#[test]
fn without_replication_the_report_has_no_read_counts() {
    let mut s = scenario(1, Dist::constant(1000.0), None);
    s.duration_s = 10.0;
    if let NodeKind::Database(d) = &mut s.nodes[1].kind {
        d.replication = None;
    }
    let r = run(&s);
    let json = serde_json::to_string(&r).unwrap();
    for f in ["\"reads\"", "primary_reads", "stale_reads"] {
        assert!(!json.contains(f), "{f} in {json}");
    }
}

#[test]
fn bad_replication_options_are_named_errors() {
    let bad = |f: &dyn Fn(&mut Replication)| {
        let mut s = scenario(1, Dist::constant(1000.0), None);
        if let NodeKind::Database(d) = &mut s.nodes[1].kind {
            f(d.replication.as_mut().unwrap());
        }
        model::ensure_valid(&s).unwrap_err().to_string()
    };
    let msg = bad(&|r| r.lag_ms = Dist::constant(-5.0));
    assert!(
        msg.contains("node 'db'") && msg.contains("replication.lag_ms.value") && msg.contains("-5"),
        "{msg}"
    );
    let msg = bad(&|r| r.lag_ms = Dist::exp(f64::NAN));
    assert!(
        msg.contains("replication.lag_ms.mean") && msg.contains("NaN"),
        "{msg}"
    );
    let msg = bad(&|r| r.keys = 0);
    assert!(
        msg.contains("replication.keys") && msg.contains("is 0") && msg.contains("1 to 1000000"),
        "{msg}"
    );
    let msg = bad(&|r| r.read_your_writes_ms = Some(-1.0));
    assert!(
        msg.contains("replication.read_your_writes_ms")
            && msg.contains("is -1")
            && msg.contains("allowed: 0 to"),
        "{msg}"
    );
    // Not combined with optimistic writes: a clear refusal, not a silent mix.
    let mut s = scenario(1, Dist::constant(1000.0), None);
    if let NodeKind::Database(d) = &mut s.nodes[1].kind {
        d.optimistic = Some(model::Optimistic::default());
    }
    let msg = model::ensure_valid(&s).unwrap_err().to_string();
    assert!(
        msg.contains("replication") && msg.contains("optimistic"),
        "{msg}"
    );
    // A typo inside the new struct is a syntax error naming the field.
    let text = std::fs::read_to_string(FILE)
        .unwrap()
        .replace("keys: 1000)", "key: 1000)");
    let err = model::parse(&text, FILE).unwrap_err().to_string();
    assert!(err.contains("key"), "{err}");
}

// ---- quorums -----------------------------------------------------------------------------------------

/// The scenario as n = 1 + `read_replicas` quorum replicas, each query's replica time exponential of mean
/// 10 ms, with only `class` traffic (`"read"` or `"write"`, or both as in the file when `None`).
fn quorum(seed: u64, replicas: u32, q: Quorum, class: Option<&str>, lag_ms: Dist) -> Scenario {
    let mut s = scenario(seed, lag_ms, None);
    if let NodeKind::Database(d) = &mut s.nodes[1].kind {
        d.read_replicas = replicas;
        d.read_time_ms = Dist::exp(10.0);
        d.write_time_ms = Dist::exp(10.0);
        d.replication.as_mut().unwrap().quorum = Some(q);
    }
    if let (Some(class), NodeKind::Client(c)) = (class, &mut s.nodes[0].kind) {
        c.classes.retain(|k| k.name == class);
    }
    s
}

/// A Split fault on "db": the last `cut` replicas cut off from `at_s` for `for_s` seconds.
fn split(at_s: f64, for_s: f64, cut: u32) -> model::Fault {
    model::Fault {
        at_s,
        duration_s: for_s,
        target: "db".into(),
        kind: model::FaultKind::Split(model::SplitParams { replicas_cut: cut }),
    }
}

fn q(n: u32, r: u32, w: u32) -> Quorum {
    Quorum {
        n,
        r,
        w,
        ..Quorum::default()
    }
}

/// Mean of the k-th fastest of n exponential times of mean m: m (1/n + 1/(n-1) + ... + 1/(n-k+1)).
fn kth_of_n(m: f64, k: u32, n: u32) -> f64 {
    m * (n - k + 1..=n).map(|i| 1.0 / i as f64).sum::<f64>()
}

fn db_mean_ms(s: &Scenario) -> f64 {
    node_report(&run(s), "db").latency_ms.mean
}

#[test]
fn quorum_latency_is_the_kth_order_statistic() {
    // n = 5 replicas, R = 2, W = 3: reads take 10 (1/5 + 1/4) = 4.5 ms, writes 10 (1/5 + 1/4 + 1/3) =
    // 7.83 ms, and R = 5 the slowest of five, 10 H_5 = 22.8 ms. Nothing queues (1,000 connections per
    // replica). Seeds 1-10: reads 4.490 to 4.510 ms, writes 7.816 to 7.850 ms (within 0.23% of theory):
    // tolerance 2%.
    spread("quorum read mean ms, R = 2 of 5", |seed| {
        db_mean_ms(&quorum(
            seed,
            4,
            q(5, 2, 3),
            Some("read"),
            Dist::constant(0.0),
        ))
    });
    spread("quorum write mean ms, W = 3 of 5", |seed| {
        db_mean_ms(&quorum(
            seed,
            4,
            q(5, 2, 3),
            Some("write"),
            Dist::constant(0.0),
        ))
    });
    let rel = |what: &str, got: f64, want: f64| {
        assert!(
            (got - want).abs() / want <= 0.02,
            "{what}: simulated {got:.4} ms, theory {want:.4} ms"
        );
    };
    for seed in [1, 2] {
        let read = db_mean_ms(&quorum(
            seed,
            4,
            q(5, 2, 3),
            Some("read"),
            Dist::constant(0.0),
        ));
        rel("R = 2 of 5", read, kth_of_n(10.0, 2, 5));
        let write = db_mean_ms(&quorum(
            seed,
            4,
            q(5, 2, 3),
            Some("write"),
            Dist::constant(0.0),
        ));
        rel("W = 3 of 5", write, kth_of_n(10.0, 3, 5));
    }
    let all = db_mean_ms(&quorum(1, 4, q(5, 5, 5), Some("read"), Dist::constant(0.0)));
    rel("R = 5 of 5", all, kth_of_n(10.0, 5, 5));
    let one = db_mean_ms(&quorum(1, 4, q(5, 1, 1), Some("read"), Dist::constant(0.0)));
    rel("R = 1 of 5", one, kth_of_n(10.0, 1, 5));
}

#[test]
fn overlapping_quorums_never_read_stale_and_sloppy_ones_follow_the_hypergeometric_law() {
    let lag = || Dist::constant(1000.0);
    // R + W > n: every read set meets the latest write's ack set.
    let r = run(&quorum(1, 4, q(5, 2, 4), None, lag()));
    let db = node_report(&r, "db");
    assert!(db.reads.unwrap() > 150_000);
    assert_eq!(db.stale_reads, Some(0));
    assert_eq!(db.quorum_errors, Some(0));
    assert_eq!(db.primary_reads, None, "a quorum has no primary");
    // R + W <= n: stale if the key's latest write is younger than the lag (1 - e^-wL) and the R replicas
    // read miss its W acks: C(n - W, R) / C(n, R). R = W = 1 of 5: 0.8 x 0.1813 = 0.1450; R = W = 2 of 5:
    // 0.3 x 0.1813 = 0.0544. Seeds 1-10: 0.1424 to 0.1475 and 0.0535 to 0.0556 (within 0.0026 and 0.0012
    // of theory): tolerances 0.008 and 0.005.
    let young = 1.0 - (-W * 1.0f64).exp();
    spread("stale share, R = W = 1 of 5", |seed| {
        shares(&run(&quorum(seed, 4, q(5, 1, 1), None, lag()))).2
    });
    spread("stale share, R = W = 2 of 5", |seed| {
        shares(&run(&quorum(seed, 4, q(5, 2, 2), None, lag()))).2
    });
    for seed in [1, 2] {
        let s11 = shares(&run(&quorum(seed, 4, q(5, 1, 1), None, lag()))).2;
        assert_near("R = W = 1 of 5", s11, 0.8 * young, 0.008);
        let s22 = shares(&run(&quorum(seed, 4, q(5, 2, 2), None, lag()))).2;
        assert_near("R = W = 2 of 5", s22, 0.3 * young, 0.005);
    }
}

#[test]
fn a_cut_replica_makes_cp_refuse_and_ap_serve_stale() {
    // n = 3, R = W = 2, the last replica cut off from the other two for the whole run, no lag within a
    // side. Coordinators take turns, so a third of the queries start on the minority side.
    let cap = |seed: u64, on_partition: OnPartition| {
        let mut s = quorum(
            seed,
            2,
            Quorum {
                on_partition,
                ..q(3, 2, 2)
            },
            None,
            Dist::constant(0.0),
        );
        // Every key written at least once before the window (e^-10 of them not).
        s.warmup_s = 50.0;
        s.duration_s = 250.0;
        s.faults.push(split(0.0, 250.0, 1));
        run(&s)
    };
    // CP: the minority side refuses (1/3 of the queries fail), nothing served is stale.
    let r = cap(1, OnPartition::Refuse);
    let db = node_report(&r, "db");
    let refused = db.quorum_errors.unwrap() as f64 / db.arrivals as f64;
    assert_near("CP refused share", refused, 1.0 / 3.0, 0.002);
    assert_eq!(db.stale_reads, Some(0), "CP serves no stale read");
    assert_eq!(db.failed, db.quorum_errors.unwrap());
    assert!(r.requests.failed > 0);
    // AP: everything is served, and a read is stale when the key's latest write was made on the other
    // side: 2 (2/3)(1/3) = 4/9 of the reads. Seeds 1-10: 0.4431 to 0.4474 (within 0.0030 of 4/9):
    // tolerance 0.01.
    spread("AP stale share", |seed| {
        shares(&cap(seed, OnPartition::ServeReachable)).2
    });
    for seed in [1, 2] {
        let r = cap(seed, OnPartition::ServeReachable);
        let db = node_report(&r, "db");
        assert_eq!(db.quorum_errors, Some(0));
        assert_eq!(r.requests.failed, 0);
        assert_near("AP stale share", shares(&r).2, 4.0 / 9.0, 0.01);
    }
}

#[test]
fn a_timed_split_refuses_or_goes_stale_only_while_it_holds() {
    // The same cluster split from 100 s to 200 s of a window from 50 s to 250 s, no lag.
    let cap = |seed: u64, on_partition: OnPartition| {
        let mut s = quorum(
            seed,
            2,
            Quorum {
                on_partition,
                ..q(3, 2, 2)
            },
            None,
            Dist::constant(0.0),
        );
        s.warmup_s = 50.0;
        s.duration_s = 250.0;
        s.faults.push(split(100.0, 100.0, 1));
        run(&s)
    };
    // CP: a third of the queries during half the window are refused, 1/6; after the cut heals, every
    // 2-replica read meets the majority side, which has every write: nothing is stale.
    let r = cap(1, OnPartition::Refuse);
    let db = node_report(&r, "db");
    let refused = db.quorum_errors.unwrap() as f64 / db.arrivals as f64;
    assert_near("CP refused share", refused, 1.0 / 6.0, 0.003);
    assert_eq!(db.stale_reads, Some(0));
    // AP: stale only during the cut, once the key has a write made in it on the other side: at time t
    // into the cut (1 - e^-wt) 4/9; over the 100 s (1 - (1 - e^-20) / 20) 4/9 = 0.4222, half the window:
    // 0.2111. Seeds 1-10: 0.2092 to 0.2120 (within 0.0019): tolerance 0.008.
    spread("AP stale share, timed cut", |seed| {
        shares(&cap(seed, OnPartition::ServeReachable)).2
    });
    let w_d: f64 = W * 100.0;
    let want = 0.5 * (1.0 - (1.0 - (-w_d).exp()) / w_d) * 4.0 / 9.0;
    for seed in [1, 2] {
        let r = cap(seed, OnPartition::ServeReachable);
        assert_eq!(node_report(&r, "db").quorum_errors, Some(0));
        assert_near("AP stale share, timed cut", shares(&r).2, want, 0.008);
    }
}

#[test]
fn a_sharded_quorum_works_within_each_shard() {
    // 4 shards of 5 replicas each (R = W = 1): each key lives on its shard's replicas, so the latency and
    // the stale share are those of one 5-replica cluster: R = 1 of 5 mean 10/5 = 2 ms and 0.8 x 0.1813 =
    // 0.1450 stale. Seeds 1-10: 0.1428 to 0.1460 (within 0.0022): tolerance 0.008.
    let sharded = |seed: u64, class: Option<&str>| {
        let mut s = quorum(seed, 4, q(5, 1, 1), class, Dist::constant(1000.0));
        if let NodeKind::Database(d) = &mut s.nodes[1].kind {
            d.shards = Some(model::Shards {
                count: 4,
                keys: 1000,
                ..model::Shards::default()
            });
        }
        run(&s)
    };
    spread("sharded quorum stale share", |seed| {
        shares(&sharded(seed, None)).2
    });
    let r = sharded(1, None);
    let db = node_report(&r, "db");
    let rows = db.shards.as_ref().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|s| s.arrivals > 40_000), "{rows:?}");
    assert_near(
        "sharded quorum stale",
        shares(&r).2,
        0.8 * (1.0 - (-W * 1.0f64).exp()),
        0.008,
    );
    let read_ms = node_report(&sharded(1, Some("read")), "db").latency_ms.mean;
    assert!(
        (read_ms - kth_of_n(10.0, 1, 5)).abs() / 2.0 < 0.02,
        "{read_ms}"
    );
}

#[test]
fn bad_quorums_are_named_errors() {
    let check = |replicas: u32, qu: Quorum, ryw: Option<f64>, want: &[&str]| {
        let mut s = quorum(1, replicas, qu, None, Dist::constant(0.0));
        if let NodeKind::Database(d) = &mut s.nodes[1].kind {
            d.replication.as_mut().unwrap().read_your_writes_ms = ryw;
        }
        let msg = model::ensure_valid(&s).unwrap_err().to_string();
        for w in want {
            assert!(msg.contains(w), "{w} not in {msg}");
        }
    };
    check(
        2,
        q(5, 2, 2),
        None,
        &["replication.quorum.n", "is 5", "(3)"],
    );
    check(
        2,
        q(3, 0, 2),
        None,
        &["replication.quorum.r", "is 0", "1 to n (3)"],
    );
    check(2, q(3, 2, 4), None, &["replication.quorum.w", "is 4"]);
    check(
        2,
        q(3, 2, 2),
        Some(100.0),
        &["replication.read_your_writes_ms", "quorum"],
    );
    // A split names its replicas within the quorum, and needs a quorum to split.
    let mut s = quorum(1, 2, q(3, 2, 2), None, Dist::constant(0.0));
    s.faults.push(split(1.0, 1.0, 3));
    let msg = model::ensure_valid(&s).unwrap_err().to_string();
    for w in [
        "fault #1 (db)",
        "kind.replicas_cut",
        "is 3",
        "1 to n - 1 (2)",
    ] {
        assert!(msg.contains(w), "{w} not in {msg}");
    }
    let mut s = quorum(1, 2, q(3, 2, 2), None, Dist::constant(0.0));
    s.faults.push(model::Fault {
        kind: model::FaultKind::ReplicaLag,
        ..split(1.0, 1.0, 1)
    });
    let msg = model::ensure_valid(&s).unwrap_err().to_string();
    assert!(
        msg.contains("is ReplicaLag") && msg.contains("has none"),
        "{msg}"
    );
    let mut s = scenario(1, Dist::constant(0.0), None);
    s.faults.push(split(1.0, 1.0, 1));
    let msg = model::ensure_valid(&s).unwrap_err().to_string();
    assert!(msg.contains("no replication.quorum"), "{msg}");
}

#[test]
fn a_live_split_holds_from_its_injection_until_it_is_cleared() {
    // Injected at 100 s for an hour, cleared at 200 s: the timed split's CP share, 1/6 of the window.
    use archsim::sim::{NS_PER_S, Simulation};
    let mut s = quorum(1, 2, q(3, 2, 2), None, Dist::constant(0.0));
    s.warmup_s = 50.0;
    s.duration_s = 250.0;
    let mut sim = Simulation::new(&s).unwrap();
    sim.step_until(100 * NS_PER_S);
    sim.inject_fault(&split(0.0, 3600.0, 1)).unwrap();
    sim.step_until(200 * NS_PER_S);
    sim.clear_faults();
    sim.run_to_end();
    let r = sim.report();
    let db = node_report(&r, "db");
    let refused = db.quorum_errors.unwrap() as f64 / db.arrivals as f64;
    assert_near("CP refused share, live split", refused, 1.0 / 6.0, 0.003);
    assert_eq!(db.stale_reads, Some(0));
    assert_eq!(r.faults.len(), 1);
    assert_eq!((r.faults[0].start_s, r.faults[0].end_s), (100.0, 200.0));
}
