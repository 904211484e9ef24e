//! Cache write policies (issue 14): write-behind's lost writes on a crash and write-around's stale reads,
//! against the closed forms in docs/validation.md (section "Cache write policies"), and the orderings
//! between the policies that a design review turns on.
//!
//! Seed spread, measured with `SPREAD=1 cargo test --test it cache_writes:: -- --nocapture` over seeds
//! 1-10, is given on each test; every tolerance is wider than it.

use crate::common::{node_report as node, run, spread};
use archsim::metrics::Report;
use archsim::model::{Scenario, from_str};

/// users -> cache -> db over instant edges: `read_share` of the requests are reads, the rest writes, over
/// `keys` uniform keys that all fit in the cache; `ttl`, `policy` and `faults` as RON.
struct Design<'a> {
    seed: u64,
    rate_rps: f64,
    read_share: f64,
    keys: u32,
    ttl: &'a str,
    policy: &'a str,
    faults: &'a str,
    duration_s: f64,
}

fn design(d: &Design<'_>) -> Scenario {
    let Design {
        seed,
        rate_rps,
        read_share,
        keys,
        ttl,
        policy,
        faults,
        duration_s,
    } = *d;
    let text = format!(
        r#"(
    version: 1,
    name: "cache writes",
    duration_s: {duration_s},
    warmup_s: 5.0,
    seed: {seed},
    nodes: [
        (id: "users", kind: Client(rate_rps: {rate_rps}, classes: [
            (name: "read", weight: {read_share}), (name: "write", weight: {write_share})])),
        (id: "cache", kind: Cache(
            hit_latency_ms: Exponential(mean: 0.2),
            workers: 10000,
            queue_capacity: 10000,
            keys: (key_count: {keys}, zipf_exponent: 0.0, capacity: {keys}, ttl_s: {ttl}),
            writes: (policy: {policy}),
        )),
        (id: "db", kind: Database(pool_size: 10000, queue_capacity: 10000,
            read_time_ms: Exponential(mean: 0.5), write_time_ms: Exponential(mean: 1.0))),
    ],
    edges: [
        (from: "users", to: "cache", latency_ms: Constant(value: 0.0)),
        (from: "cache", to: "db", latency_ms: Constant(value: 0.0)),
    ],
    faults: [{faults}],
)"#,
        write_share = 1.0 - read_share
    );
    from_str(&text, "cache_writes.ron").unwrap()
}

fn cache(r: &Report) -> (u64, u64, u64, u64) {
    let c = node(r, "cache");
    (
        c.writes.unwrap_or(0),
        c.reads.unwrap_or(0),
        c.stale_reads.unwrap_or(0),
        c.lost_writes.unwrap_or(0),
    )
}

/// Writes at rate lambda into a write-behind cache flushing every T: a crash at a random moment of the
/// flush cycle destroys the writes since the last flush, lambda x T / 2 on average. Twenty crashes at
/// evenly spread phases of the cycle, lambda = 200/s, T = 1 s: 100.
/// Spread (mean over the 20 phases, seeds 1-10): 96.95 to 102.95.
#[test]
fn a_write_behind_crash_loses_lambda_t_over_two_writes() {
    let mean_lost = |seed: u64| {
        let phases = 20;
        let total: u64 = (0..phases)
            .map(|i| {
                let at = 10.0 + (i as f64 + 0.5) / phases as f64;
                let faults =
                    format!("(at_s: {at}, duration_s: 1.0, target: \"cache\", kind: Crash())");
                let s = design(&Design {
                    seed: seed * 100 + i,
                    rate_rps: 200.0,
                    read_share: 0.0,
                    keys: 1000,
                    ttl: "None",
                    policy: "WriteBehind(flush_interval_ms: 1000.0, batch_size: 50)",
                    faults: &faults,
                    duration_s: 12.0,
                });
                cache(&run(&s)).3
            })
            .sum();
        total as f64 / phases as f64
    };
    spread("write-behind mean lost writes", mean_lost);
    let lost = mean_lost(1);
    assert!((lost - 100.0).abs() < 10.0, "lost {lost}, expected ~100");
}

/// Write-around with a TTL tau, per-key Poisson reads at r and writes at w, every key cached: an entry
/// lives tau, then the next read refills it. A hit at age a is stale if a write came since the fill,
/// 1 - exp(-w a); hits are spread evenly over the age, and a cycle has r tau hits for one miss, so
/// P(stale) = r tau / (1 + r tau) x (1 - (1 - exp(-w tau)) / (w tau)). 100 keys, 1,100 requests/s (r = 10/s,
/// w = 1/s per key), tau = 1 s: 0.3345. Spread (seeds 1-10): 0.3290 to 0.3459.
#[test]
fn write_around_serves_stale_reads_as_the_ttl_closed_form_says() {
    let p_stale = |seed: u64| {
        let s = design(&Design {
            seed,
            rate_rps: 1100.0,
            read_share: 10.0 / 11.0,
            keys: 100,
            ttl: "Some(1.0)",
            policy: "WriteAround",
            faults: "",
            duration_s: 65.0,
        });
        let (_, reads, stale, _) = cache(&run(&s));
        stale as f64 / reads as f64
    };
    spread("write-around P(stale)", p_stale);
    let (r, w, tau) = (10.0_f64, 1.0_f64, 1.0_f64);
    let expected = r * tau / (1.0 + r * tau) * (1.0 - (1.0 - (-w * tau).exp()) / (w * tau));
    let got = p_stale(1);
    assert!(
        (got - expected).abs() < 0.015,
        "P(stale) {got:.4}, expected {expected:.4}"
    );
}

/// The orderings: write-through and update-on-write never serve a stale read here; cache-aside with
/// invalidation only through the race (a miss that fetched before a write's commit fills after it);
/// write-around far more (20 hot keys: every write makes a cached copy stale for good); write-behind
/// answers writes fastest and sends the store one query per batch.
#[test]
fn the_policies_order_as_a_design_review_expects() {
    let of = |policy: &str| {
        let s = design(&Design {
            seed: 3,
            rate_rps: 1000.0,
            read_share: 0.8,
            keys: 20,
            ttl: "None",
            policy,
            faults: "",
            duration_s: 35.0,
        });
        let r = run(&s);
        let db = node(&r, "db").arrivals;
        (cache(&r), db, node(&r, "cache").latency_ms.p50)
    };
    let ((w_aside, reads, stale_aside, _), _, _) = of("CacheAside");
    let ((_, _, stale_update, _), _, _) = of("CacheAside, on_write: Update");
    let ((_, _, stale_through, _), db_through, _) = of("WriteThrough");
    let ((_, _, stale_around, _), _, _) = of("WriteAround");
    let ((w_behind, _, stale_behind, lost), db_behind, _) =
        of("WriteBehind(flush_interval_ms: 500.0, batch_size: 100)");
    assert!(
        reads > 20_000 && w_aside > 5_000,
        "{reads} reads, {w_aside} writes"
    );
    assert_eq!(
        (stale_through, stale_update, stale_behind, lost),
        (0, 0, 0, 0)
    );
    assert!(stale_aside > 0, "the cache-aside race happens");
    assert!(
        stale_around > 50 * stale_aside,
        "write-around {stale_around} vs cache-aside {stale_aside}"
    );
    // Write-behind: ~200 writes/s over 20 keys in batches of up to 100 every 0.5 s (~100 per flush):
    // about one store query per 100 writes, against one per write (plus the misses) for write-through.
    assert!(
        (db_behind as f64) < 0.05 * db_through as f64 && w_behind > 5_000,
        "write-behind sent {db_behind} store queries, write-through {db_through}"
    );
}

/// Without `writes` a cache is the read-through cache it was: no write counts in the report.
#[test]
fn a_cache_without_a_write_path_reports_no_write_counts() {
    let s = from_str(
        include_str!("../../scenarios/cache_stampede.ron"),
        "cache_stampede.ron",
    )
    .unwrap();
    let r = run(&s);
    let c = node(&r, "cache");
    assert_eq!(
        (c.writes, c.reads, c.stale_reads, c.lost_writes),
        (None, None, None, None)
    );
}

/// The flow model sends a write-through cache's every write to the store and a write-behind cache's
/// writes as one query per batch: 200 writes/s in batches of 50 is 4 queries/s in full batches, and the
/// simulation sends that plus the partial batches; write-behind's writes do not wait for the store.
#[test]
fn the_flow_model_counts_write_behind_as_one_store_query_per_batch() {
    use archsim::analysis::flow::FlowModel;
    let of = |policy: &str| {
        let s = design(&Design {
            seed: 2,
            rate_rps: 200.0,
            read_share: 0.0,
            keys: 1000,
            ttl: "None",
            policy,
            faults: "",
            duration_s: 65.0,
        });
        let flow = FlowModel::new(&s).unwrap().eval_flow(1.0);
        let model_db = flow.node("db").unwrap().arrival_rps;
        let sim_db = node(&run(&s), "db").throughput_rps;
        (model_db, sim_db, flow.end_to_end_mean_ms.unwrap())
    };
    let (m_behind, s_behind, e_behind) =
        of("WriteBehind(flush_interval_ms: 1000.0, batch_size: 50)");
    let (m_through, s_through, e_through) = of("WriteThrough");
    assert!((m_behind - 4.0).abs() < 1e-9, "model {m_behind}");
    // The simulation adds a flush's partial last batch (a Poisson count of ~200 writes is not a multiple of
    // 50 most of the time): 4.45 queries/s measured, between the full batches and one more per flush.
    assert!((4.0..5.0).contains(&s_behind), "simulation {s_behind}");
    assert!((m_through - 200.0).abs() < 1e-9, "model {m_through}");
    assert!(
        (s_through / 200.0 - 1.0).abs() < 0.05,
        "simulation {s_through}"
    );
    // Write-through's answers wait for the 1 ms store write; write-behind's do not.
    assert!(e_through > e_behind + 0.9, "{e_through} vs {e_behind}");
}

/// The stale reads over time (the node's chart in the app): the series adds up to the report's count
/// over the measured window, for a cache and for a replicated database; a node that counts none has no
/// series.
#[test]
fn the_stale_read_series_adds_up_to_the_report() {
    use archsim::model::presets;
    for (preset, id) in [
        ("cache_consistency", "cache"),
        ("quorum_partition", "store"),
    ] {
        let mut s = presets::load_preset(preset).unwrap().unwrap();
        s.duration_s = 30.0;
        if preset == "quorum_partition" {
            archsim::model::apply_override(
                &mut s,
                "store.replication.quorum.on_partition=ServeReachable",
            )
            .unwrap();
        }
        let r = run(&s);
        let n = node(&r, id);
        let series = r.series.nodes.iter().find(|x| x.id == id).unwrap();
        let measured: f64 = r
            .series
            .t_s
            .iter()
            .zip(&series.stale_reads_rps)
            .filter(|(t, _)| **t >= r.warmup_s)
            .map(|(_, x)| x * r.series.bucket_s)
            .sum();
        let total = n.stale_reads.unwrap();
        assert!(total > 100, "{preset}: {total} stale reads");
        assert!(
            (measured - total as f64).abs() < 0.5,
            "{preset}: series {measured} vs report {total}"
        );
        let other = r.series.nodes.iter().find(|x| x.id == "users").unwrap();
        assert!(other.stale_reads_rps.is_empty());
    }
}
