//! The preset library: each preset is healthy at 1x and shows, at 10x, the lesson its description promises.
//!
//! Thresholds sit far from the measured values: over seeds 1-5 (`archsim run NAME --load L --seed S`) the
//! utilizations asserted here moved by under 0.01, lags by under 5%, and rejected shares by under 0.02.
//! Runs are cut to [`TEST_DURATION_S`] to keep the suite quick; lags that grow over the run are asserted
//! with thresholds scaled down accordingly (the descriptions quote the full-length runs).

use archsim::metrics::{NodeReport, Report};
use archsim::model::{self, Scenario, presets};
use archsim::sim::Simulation;

/// Simulated seconds per test run (the presets run 60-120 s).
const TEST_DURATION_S: f64 = 30.0;

fn scenario(name: &str, sets: &[&str]) -> Scenario {
    let mut s = presets::load_preset(name)
        .unwrap_or_else(|| panic!("no preset {name}"))
        .unwrap_or_else(|e| panic!("{e}"));
    s.duration_s = s.duration_s.min(TEST_DURATION_S);
    for spec in sets {
        model::apply_override(&mut s, spec).unwrap_or_else(|e| panic!("{e}"));
    }
    let problems = model::validate(&s);
    assert!(problems.is_empty(), "{name} with {sets:?}: {problems:?}");
    s
}

fn run(name: &str, load: f64, sets: &[&str]) -> Report {
    let mut sim = Simulation::new(&scenario(name, sets)).unwrap();
    sim.set_load(load);
    sim.run_to_end();
    sim.report()
}

fn node<'a>(r: &'a Report, id: &str) -> &'a NodeReport {
    r.nodes
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("{}: no node {id}", r.scenario))
}

fn util(r: &Report, id: &str) -> f64 {
    node(r, id).utilization
}

/// Median enqueue-to-done lag of a queue node, ms.
fn lag_p50_ms(r: &Report, id: &str) -> f64 {
    node(r, id)
        .lag_ms
        .as_ref()
        .unwrap_or_else(|| panic!("{id} is not a queue"))
        .p50
}

/// Share of the measured requests that were rejected.
fn rejected_share(r: &Report) -> f64 {
    r.requests.rejected as f64 / r.requests.offered as f64
}

/// Share that failed, timed out or was rejected (still in flight at the end does not count).
fn lost_share(r: &Report) -> f64 {
    let c = &r.requests;
    (c.failed + c.timed_out + c.rejected) as f64 / c.offered as f64
}

/// The 1x run of a preset: nothing lost, no node anywhere near saturation.
fn healthy(name: &str) -> Report {
    let r = run(name, 1.0, &[]);
    assert!(
        lost_share(&r) < 0.005,
        "{name} at 1x loses {:.4}",
        lost_share(&r)
    );
    for n in &r.nodes {
        assert!(
            n.utilization < 0.7,
            "{name} at 1x: {} is {:.2} busy",
            n.id,
            n.utilization
        );
        assert_eq!(n.rejected, 0, "{name} at 1x: {} rejects", n.id);
    }
    r
}

#[test]
fn chat_presence_takes_the_gateways_down_then_fan_out_lags() {
    let r1 = healthy("chat");
    assert!(lag_p50_ms(&r1, "broker") < 50.0);
    // Presence saturates and the gateways, waiting on it, saturate too: sends fail though chat has room.
    let r = run("chat", 10.0, &[]);
    assert!(util(&r, "presence") > 0.95 && util(&r, "gateway") > 0.95);
    assert!(util(&r, "chat") < 0.5, "chat {:.2}", util(&r, "chat"));
    assert!(
        rejected_share(&r) > 0.3,
        "rejected {:.3}",
        rejected_share(&r)
    );
    // Shedding heartbeats at presence frees the gateways; the fan-out workers become the limit.
    let r = run("chat", 10.0, &["presence.queue_capacity=0"]);
    assert!(
        util(&r, "gateway") < 0.6,
        "gateway {:.2}",
        util(&r, "gateway")
    );
    assert!(util(&r, "fanout") > 0.95);
    assert!(lag_p50_ms(&r, "broker") > 3000.0);
}

#[test]
fn fan_out_on_write_delays_posts_but_keeps_reads_fast() {
    let r1 = healthy("news_feed_fanout_write");
    let r = run("news_feed_fanout_write", 10.0, &[]);
    assert!(util(&r, "fanout_worker") > 0.95);
    assert!(util(&r, "feed") < 0.9, "feed {:.2}", util(&r, "feed"));
    assert!(lost_share(&r) < 0.005, "lost {:.4}", lost_share(&r));
    assert!(lag_p50_ms(&r, "fanout_queue") > 5000.0);
    // Reads at 10x are as fast as at 1x (within 10%): the write side absorbed the load.
    assert!(r.latency_ms.p50 < 1.1 * r1.latency_ms.p50);
}

#[test]
fn fan_out_on_read_saturates_the_read_path_database() {
    let read = healthy("news_feed_fanout_read");
    let write = run("news_feed_fanout_write", 1.0, &[]);
    // Same hardware and workload: the read path is slower and the posts database carries it.
    let feed_p50 = |r: &Report| node(r, "feed").latency_ms.p50;
    assert!(feed_p50(&read) > 3.0 * feed_p50(&write));
    assert!(util(&read, "posts_db") > 0.4 && util(&write, "posts_db") < 0.05);
    let r = run("news_feed_fanout_read", 10.0, &[]);
    assert!(util(&r, "posts_db") > 0.95);
    assert!(util(&r, "social_graph") < 0.5);
    assert!(
        rejected_share(&r) > 0.5,
        "rejected {:.3}",
        rejected_share(&r)
    );
}

/// Calls per measured second over an edge.
fn edge_rps(r: &Report, from: &str, to: &str) -> f64 {
    let e = r
        .edges
        .iter()
        .find(|e| e.from == from && e.to == to)
        .unwrap_or_else(|| panic!("no edge {from} -> {to}"));
    e.calls as f64 / (r.sim_time_s - r.warmup_s)
}

/// The notification preset with its push brown-out moved to 10-25 s (inside the shortened test run), and
/// optionally without the retry budgets.
fn notification_brownout(budget: bool) -> Report {
    let mut s = scenario("notification", &[]);
    s.faults[0].at_s = 10.0;
    s.faults[0].duration_s = 15.0;
    if !budget {
        for e in &mut s.edges {
            if let Some(r) = e.retry.as_mut() {
                r.budget = None;
            }
        }
    }
    let mut sim = Simulation::new(&s).unwrap();
    sim.run_to_end();
    sim.report()
}

#[test]
fn notification_sheds_by_priority_and_budgets_its_provider_retries() {
    // 1x (before the brown-out at 45 s): healthy, the providers' errors hidden by edge retries.
    let r1 = healthy("notification");
    assert_eq!(r1.requests.failed, 0);
    let sms = r1.edges.iter().find(|e| e.to == "sms_provider").unwrap();
    assert!(sms.retries.unwrap() > 0 && sms.failures.unwrap() > 0);
    // 10x: each sender capped at 300/s, the dispatcher saturates and sheds by priority. Passcodes (210/s
    // admitted) all go out; alerts and promotions (510/s admitted) get well under half of the pool.
    let r = run("notification", 10.0, &[]);
    let limited = r.requests.rate_limited as f64 / r.requests.offered as f64;
    assert!(limited > 0.6, "rate limited {limited:.3}");
    assert!(util(&r, "dispatcher") > 0.95);
    assert!(node(&r, "dispatcher").rejected > 0);
    let otp = edge_rps(&r, "dispatcher", "sms_provider");
    assert!(otp > 190.0, "SMS calls {otp:.0}/s");
    let push = edge_rps(&r, "dispatcher", "push_provider");
    assert!(push < 300.0, "push calls {push:.0}/s");
    // The push brown-out: with the budgets few retries and no saturation; without them the retries fill the
    // shared dispatcher, whose queue grows, while passcodes still go out.
    let b = notification_brownout(true);
    let nb = notification_brownout(false);
    let push_retries = |r: &Report| {
        let e = r.edges.iter().find(|e| e.to == "push_provider").unwrap();
        e.retries.unwrap() as f64 / e.calls as f64
    };
    assert!(push_retries(&b) < 0.05, "budgeted {:.3}", push_retries(&b));
    assert!(
        push_retries(&nb) > 0.2,
        "unbudgeted {:.3}",
        push_retries(&nb)
    );
    assert!(node(&b, "dispatcher").max_queue_len < 100);
    assert!(node(&nb, "dispatcher").max_queue_len > 300);
    assert_eq!(b.requests.timed_out, 0);
    assert!(nb.requests.timed_out > 0);
    for r in [&b, &nb] {
        let otp = edge_rps(r, "dispatcher", "sms_provider");
        assert!((40.0..60.0).contains(&otp), "SMS calls {otp:.0}/s");
    }
}

#[test]
fn metrics_ingestion_is_limited_by_its_sink() {
    let r1 = healthy("metrics_ingestion");
    let r = run("metrics_ingestion", 10.0, &[]);
    assert!(util(&r, "tsdb") > 0.95);
    assert!(util(&r, "ingest") < 0.9);
    for p in 0..4 {
        assert!(lag_p50_ms(&r, &format!("partition_{p}")) > 5000.0);
    }
    // Dashboards share the saturated store.
    let q = |r: &Report| node(r, "query").latency_ms.p50;
    assert!(
        q(&r) > 1.3 * q(&r1),
        "query p50 {:.1} vs {:.1}",
        q(&r),
        q(&r1)
    );
    // A bigger store moves the limit to the one-consumer-per-partition processors.
    let r = run("metrics_ingestion", 10.0, &["tsdb.pool_size=128"]);
    assert!(util(&r, "tsdb") < 0.8);
    assert!(util(&r, "stream_proc_0") > 0.95);
}

#[test]
fn file_upload_api_is_held_by_object_store_writes() {
    healthy("file_upload");
    let r = run("file_upload", 10.0, &[]);
    assert!(util(&r, "upload_api") > 0.95);
    assert!(util(&r, "object_store") < 0.3 && util(&r, "thumbnailer") < 0.95);
    assert!(
        rejected_share(&r) > 0.2,
        "rejected {:.3}",
        rejected_share(&r)
    );
    let r = run("file_upload", 10.0, &["upload_api.workers=64"]);
    assert!(lost_share(&r) < 0.005, "lost {:.4}", lost_share(&r));
    assert!(util(&r, "thumbnailer") > 0.95);
    assert!(lag_p50_ms(&r, "processing_queue") > 2000.0);
}

#[test]
fn payment_processor_drags_the_whole_api_down() {
    let r1 = healthy("payment_api");
    // The processor is flaky, and the merchants' retries (same idempotency key) hide it.
    assert!(
        node(&r1, "processor").failed > 0,
        "the processor should be flaky"
    );
    assert!(r1.requests.retries > 0 && r1.requests.failed == 0);
    let r = run("payment_api", 10.0, &[]);
    assert!(util(&r, "processor") > 0.95 && util(&r, "payment_api") > 0.95);
    assert!(util(&r, "ledger_db") < 0.3);
    assert!(
        rejected_share(&r) > 0.5,
        "rejected {:.3}",
        rejected_share(&r)
    );
    // The retry budget caps the extra attempts; without it every rejected call is tried three times.
    let attempts = |r: &Report| 1.0 + r.requests.retries as f64 / r.requests.offered as f64;
    let unbudgeted = run("payment_api", 10.0, &["merchants.retry.budget=none"]);
    assert!(attempts(&r) < 1.2, "budgeted: {:.2}", attempts(&r));
    assert!(
        attempts(&unbudgeted) > 2.0,
        "unbudgeted: {:.2}",
        attempts(&unbudgeted)
    );
}

#[test]
fn watch_history_log_absorbs_writes_that_fall_behind() {
    let r1 = healthy("watch_history");
    let r = run("watch_history", 10.0, &[]);
    assert!(util(&r, "history_writer") > 0.95);
    assert!(util(&r, "events_store") < 0.9);
    // Viewers notice nothing; the positions go stale.
    assert!(lost_share(&r) < 0.005, "lost {:.4}", lost_share(&r));
    assert!(r.latency_ms.p50 < 1.1 * r1.latency_ms.p50);
    assert!(lag_p50_ms(&r, "event_queue") > 5000.0);
}

/// `backoff_jitter`: 100 clients contend for one row. Full jitter (as shipped) finishes in seconds with
/// about 8 attempts per client; plain exponential backoff (jitter None) does more than twice the work and
/// takes over ten times as long; no backoff does three times the work. (Seed 1; over seeds 1-100 the write
/// counts vary by 1-3% and completion times by 10-20%: tests/backoff.rs.)
#[test]
fn backoff_jitter_full_jitter_beats_plain_exponential_backoff() {
    let full = run("backoff_jitter", 1.0, &[]);
    let writes = |r: &Report| node(r, "row").writes.unwrap() as f64;
    let done_ms = |r: &Report| r.last_resolved_ms.expect("the batch completed");
    assert_eq!(full.requests.succeeded, 100);
    assert!(
        (700.0..=900.0).contains(&writes(&full)),
        "{}",
        writes(&full)
    );
    assert!(done_ms(&full) < 10_000.0, "{}", done_ms(&full));
    // The preset's run is long enough for plain exponential backoff to finish (~63 s).
    let mut s = scenario("backoff_jitter", &["clients.retry.jitter=None"]);
    s.duration_s = 120.0;
    let mut sim = Simulation::new(&s).unwrap();
    sim.run_to_end();
    let expo = sim.report();
    assert_eq!(expo.requests.succeeded, 100);
    assert!(writes(&expo) > 2.0 * writes(&full), "{}", writes(&expo));
    assert!(done_ms(&expo) > 10.0 * done_ms(&full), "{}", done_ms(&expo));
    let none = run("backoff_jitter", 1.0, &["clients.retry.backoff_base_ms=0"]);
    assert!(writes(&none) > 2.5 * writes(&full), "{}", writes(&none));
    // At 10x (a batch of 1,000) the work per client grows with the crowd even with full jitter.
    let ten = run("backoff_jitter", 10.0, &[]);
    assert_eq!(ten.requests.offered, 1000);
    assert!(writes(&ten) / 1000.0 > writes(&full) / 100.0);
}

#[test]
fn power_of_two_choices_beats_random_and_round_robin() {
    // Over seeds 1-5 with these 30 s runs, mean / p99 ms: PowerOfTwo 17.9-19.2 / 72.6-79.0, Random
    // 36.0-40.4 / 144-194 (theory for M/M/1 at 0.75: mean 40), RoundRobin 22.5-25.4 / 89-121,
    // LeastConnections 12.0-13.0 / 53.6-58.7.
    let policy = |p: &str| run("power_of_two", 1.0, &[&format!("lb.policy={p}")]);
    let (two, random, rr, jsq) = (
        policy("PowerOfTwo"),
        policy("Random"),
        policy("RoundRobin"),
        policy("LeastConnections"),
    );
    for r in [&two, &random, &rr, &jsq] {
        assert_eq!(r.requests.rejected, 0, "{}", r.scenario);
    }
    let mean = |r: &Report| r.latency_ms.mean;
    assert!(
        mean(&two) < 0.6 * mean(&random),
        "two choices {:.1} ms against random {:.1} ms",
        mean(&two),
        mean(&random)
    );
    assert!(
        mean(&random) > 32.0 && mean(&random) < 48.0,
        "random is M/M/1 at 0.75: ~40 ms"
    );
    assert!(two.latency_ms.p99 < 0.6 * random.latency_ms.p99);
    assert!(mean(&two) < mean(&rr) && mean(&jsq) < mean(&two));
    // At 10x, 7,500 requests/s meet a capacity of 1,000: the full queues reject most of them.
    let r10 = run("power_of_two", 10.0, &[]);
    assert!(rejected_share(&r10) > 0.8, "{:.3}", rejected_share(&r10));
}

#[test]
fn news_feed_fanout_shows_tail_amplification_and_hedging_fixes_it_for_a_few_percent() {
    // As the description says: the feed waits for 20 shards, so its p99 is a shard stall (250 ms) while a
    // shard's own p99 is ~25 ms; a hedge at the p95 on the feed's edge brings the feed's p99 under 100 ms
    // for about 5% more shard calls. Over seeds 1-5 (30 s runs): feed p99 254-255 ms unhedged against a
    // shard's 26.6-27.1 ms; hedged 32.6-33.8 ms for 5.19-5.28% more shard calls.
    let plain = healthy("news_feed_fanout");
    let (feed, shard) = (node(&plain, "feed"), node(&plain, "post_shards"));
    assert!(
        feed.latency_ms.p99 > 5.0 * shard.latency_ms.p99 && feed.latency_ms.p99 >= 240.0,
        "feed p99 {} against a shard's {}",
        feed.latency_ms.p99,
        shard.latency_ms.p99
    );
    let mut s = scenario("news_feed_fanout", &[]);
    let e = s.edges.iter_mut().find(|e| e.to == "post_shards").unwrap();
    e.hedge = Some(model::Hedge {
        after_ms: model::HedgeAfter::P95,
        cancel: false,
    });
    let mut sim = Simulation::new(&s).unwrap();
    sim.run_to_end();
    let hedged = sim.report();
    let hf = node(&hedged, "feed");
    assert!(
        hf.latency_ms.p99 < 100.0 && hf.latency_ms.p99 < feed.latency_ms.p99 / 3.0,
        "hedged feed p99 {} (unhedged {})",
        hf.latency_ms.p99,
        feed.latency_ms.p99
    );
    let edge = hedged.edges.iter().find(|e| e.to == "post_shards").unwrap();
    let extra = edge.hedges.unwrap() as f64 / (edge.calls - edge.hedges.unwrap()) as f64;
    assert!((0.03..0.08).contains(&extra), "extra shard calls {extra}");
}

#[test]
fn sharded_hot_key_shows_one_red_shard_while_the_store_looks_half_idle() {
    // As the description says: at 1x shard 7 (the hot key's) runs at ~93% while the database averages ~47%
    // and every other shard sits at 29-51%; its p99 is several times theirs. At 1.5x it saturates and
    // rejects, the others still have room. Uniform keys (zipf 0) even the shards out. Over seeds 1-5 (30 s
    // runs) the hot shard read 0.911-0.939, the next one 0.507-0.526, the store 0.467-0.471, and the hot
    // shard's p99 56.8-120 ms against the others' 22.3-24.8 ms.
    let r = healthy("sharded_hot_key");
    let db = node(&r, "orders_db");
    let rows = db.shards.as_ref().unwrap();
    assert_eq!(db.hottest_shard, Some(7));
    let hot = &rows[7];
    assert!(hot.utilization > 0.88, "hot shard at {}", hot.utilization);
    assert!(
        db.utilization < 0.55,
        "the store averages {}",
        db.utilization
    );
    for s in rows.iter().filter(|s| s.shard != 7) {
        assert!(
            s.utilization < 0.6,
            "shard {} at {}",
            s.shard,
            s.utilization
        );
        assert!(
            hot.latency_ms.p99 > 2.0 * s.latency_ms.p99,
            "shard {} p99 {}",
            s.shard,
            s.latency_ms.p99
        );
    }
    let r = run("sharded_hot_key", 1.5, &[]);
    let rows = node(&r, "orders_db").shards.as_ref().unwrap();
    assert!(rows[7].utilization > 0.97 && node(&r, "orders_db").rejected > 0);
    assert!(
        rows.iter()
            .filter(|s| s.shard != 7)
            .all(|s| s.utilization < 0.85)
    );
    let r = run(
        "sharded_hot_key",
        1.0,
        &["orders_db.shards.zipf_exponent=0"],
    );
    let rows = node(&r, "orders_db").shards.as_ref().unwrap();
    assert!(
        rows.iter().all(|s| (0.38..0.58).contains(&s.utilization)),
        "uniform keys: {rows:?}"
    );
}

/// `payment_idempotency`: timeouts and retries against a processor that stalls 4% of the time charge about
/// 4% of customers twice (the first attempt commits after the client gave up); the idempotency key the
/// description asks for removes every double charge and changes nothing else. Over seeds 1-5 the duplicate
/// share moved between 0.039 and 0.043 (`archsim run payment_idempotency --seed S`, 60 s runs).
#[test]
fn payment_retries_double_charge_until_the_idempotency_key_is_on() {
    let r = healthy("payment_idempotency");
    let charges = node(&r, "charges");
    let share = charges.duplicates.unwrap() as f64 / charges.side_effects.unwrap() as f64;
    assert!((0.025..0.06).contains(&share), "duplicate share {share:.4}");
    assert!(r.requests.retries > 0 && r.requests.failed == 0);
    let keyed = run(
        "payment_idempotency",
        1.0,
        &["charges.idempotency=(ttl_s: 86400)"],
    );
    let k = node(&keyed, "charges");
    assert_eq!(k.duplicates, Some(0));
    assert_eq!(k.deduplicated, charges.duplicates);
    assert_eq!(keyed.requests, r.requests);
}

/// `cache_consistency`: cache-aside with invalidation serves a few stale reads through its race and makes
/// every write cost a miss; write-through removes nearly all stale reads and the extra misses; write-around
/// serves stale reads for the TTL; write-behind relieves the database and speeds writes up, but its crash
/// loses the writes since the last flush. Over seeds 1-5 (30 s runs) the stale shares moved by under a
/// third of the margins asserted here.
#[test]
fn cache_consistency_trades_stale_reads_latency_and_lost_writes() {
    let of = |policy: &str| {
        let r = run(
            "cache_consistency",
            1.0,
            &[&format!("cache.writes.policy={policy}")],
        );
        let c = node(&r, "cache").clone();
        let stale = c.stale_reads.unwrap() as f64 / c.reads.unwrap() as f64;
        (stale, c, node(&r, "db").throughput_rps)
    };
    let (aside, _, db_aside) = of("CacheAside");
    let (through, _, db_through) = of("WriteThrough");
    let (around, _, _) = of("WriteAround");
    let (behind, wb, db_behind) = of("WriteBehind(flush_interval_ms: 1000, batch_size: 100)");
    assert!(
        (0.002..0.02).contains(&aside),
        "cache-aside stale {aside:.4}"
    );
    assert!(through < 0.001, "write-through stale {through:.4}");
    assert!(around > 0.3, "write-around stale {around:.4}");
    assert!(
        db_through < 0.8 * db_aside,
        "db {db_through} vs {db_aside} q/s"
    );
    // (In a 30 s run the refill after the crash is a large part of the store's load: 0.62 measured.)
    assert!(
        db_behind < 0.75 * db_through,
        "db {db_behind} vs {db_through} q/s"
    );
    // The crash at 20.5 s, half a second after a flush, at ~200 writes/s.
    let lost = wb.lost_writes.unwrap();
    assert!((50..170).contains(&lost), "lost {lost}");
    assert!(behind > through, "lost writes read stale: {behind:.4}");
}

/// `quorum_partition`: with R = W = 2 of 3 and one replica cut off for 20 s, refusing (CP) fails a third
/// of the queries during the cut and serves no stale read; serving the reachable replicas (AP) fails none
/// and serves stale reads; R = W = 1 serves stale reads even under Refuse. (The test's 30 s run holds 20 s
/// measured, 10 s of them cut: about a sixth refused.)
#[test]
fn quorum_partition_trades_errors_for_stale_reads() {
    let cp = run("quorum_partition", 1.0, &[]);
    let store = node(&cp, "store");
    let refused = store.quorum_errors.unwrap() as f64 / cp.requests.offered as f64;
    assert!((0.12..0.22).contains(&refused), "refused {refused:.4}");
    assert_eq!(store.stale_reads, Some(0));
    let ap = run(
        "quorum_partition",
        1.0,
        &["store.replication.quorum.on_partition=ServeReachable"],
    );
    let s = node(&ap, "store");
    let stale = s.stale_reads.unwrap() as f64 / s.reads.unwrap() as f64;
    assert_eq!((ap.requests.failed, s.quorum_errors), (0, Some(0)));
    assert!(stale > 0.05, "AP stale {stale:.4}");
    let one = run(
        "quorum_partition",
        1.0,
        &[
            "store.replication.quorum.r=1",
            "store.replication.quorum.w=1",
        ],
    );
    let o = node(&one, "store");
    assert!(o.stale_reads.unwrap() > 0 && o.latency_ms.p50 < 0.6 * store.latency_ms.p50);
}
