//! Sharded databases (issue 14) against their closed forms (docs/validation.md, section "Sharding and
//! key routing"): each shard's share of the queries is the summed Zipf probability of the keys the
//! documented hash routes to it, and its utilization is lambda x share x mean service time / connections;
//! consistent hashing moves about 1/(n+1) of the keys when a shard is added (Karger et al. 1997) and evens
//! out as virtual nodes are added; a hot key makes its shard the hottest, and it saturates first.
//!
//! Seed spread, measured with `SPREAD=1 cargo test --test it shards:: -- --nocapture` over seeds 1-10, is
//! given on each test; every tolerance is wider than it.

use archsim::metrics::{NodeReport, Report};
use archsim::model::{
    ClientParams, DatabaseParams, Dist, Edge, HashRing, Node, NodeKind, Scenario, ShardRouting,
    Shards, hash_shard,
};

use crate::common::{run, run_at};

fn db(r: &Report) -> &NodeReport {
    r.nodes.iter().find(|n| n.id == "db").unwrap()
}

/// client (Poisson `rate_rps`) -> db with `shards`, `pool` connections per shard, exponential reads of
/// mean `read_ms`, a queue of `queue` per shard.
fn sharded(
    rate_rps: f64,
    shards: Shards,
    pool: u32,
    read_ms: f64,
    queue: u32,
    seed: u64,
) -> Scenario {
    Scenario {
        name: "shards".into(),
        duration_s: 60.0,
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
                id: "db".into(),
                kind: NodeKind::Database(DatabaseParams {
                    pool_size: pool,
                    queue_capacity: queue,
                    read_time_ms: Dist::exp(read_ms),
                    shards: Some(shards),
                    ..DatabaseParams::default()
                }),
                pos: None,
                zone: None,
            },
        ],
        edges: vec![Edge {
            latency_ms: Dist::constant(0.0),
            ..Edge::new("client", "db")
        }],
        ..Scenario::default()
    }
}

fn zipf(count: u32, keys: u32, s: f64, routing: ShardRouting) -> Shards {
    Shards {
        count,
        keys,
        zipf_exponent: s,
        routing,
    }
}

fn spread() -> bool {
    std::env::var_os("SPREAD").is_some()
}

#[test]
fn each_shard_gets_the_popularity_of_its_keys_and_the_utilization_it_implies() {
    // 8 shards, Zipf s = 0.8 over 2,000 keys, hash routing; 2,000 queries/s of exponential 2 ms on 4
    // connections per shard. Expected share from the documented hash, computed here independently.
    let sh = zipf(8, 2_000, 0.8, ShardRouting::Hash);
    let keys = sh.keys as usize;
    let w: Vec<f64> = (1..=keys).map(|k| (k as f64).powf(-0.8)).collect();
    let total: f64 = w.iter().sum();
    let mut share = [0.0; 8];
    for (k, wk) in w.iter().enumerate() {
        share[hash_shard(k as u32, 8) as usize] += wk / total;
    }
    assert!((share.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    let seeds: Vec<u64> = if spread() {
        (1..=10).collect()
    } else {
        vec![3]
    };
    let (mut worst_z, mut worst_u) = (0.0f64, 0.0f64);
    for seed in seeds {
        let r = run(&sharded(2_000.0, sh.clone(), 4, 2.0, 10_000, seed));
        let rows = db(&r).shards.as_ref().unwrap();
        assert_eq!(rows.len(), 8);
        let n: u64 = rows.iter().map(|s| s.arrivals).sum();
        for (s, row) in rows.iter().enumerate() {
            // Multinomial count: mean n p, standard deviation sqrt(n p (1 - p)).
            let mean = n as f64 * share[s];
            let sd = (mean * (1.0 - share[s])).sqrt();
            let z = (row.arrivals as f64 - mean) / sd;
            // Utilization = lambda x share x E[S] / connections (lambda 2,000/s, E[S] 2 ms, 4 connections).
            let want_u = 2_000.0 * share[s] * 0.002 / 4.0;
            let rel = row.utilization / want_u - 1.0;
            worst_z = worst_z.max(z.abs());
            worst_u = worst_u.max(rel.abs());
            // Seeds 1-10: |z| at most 2.9 (80 shard counts), |relative utilization error| at most 3.2%.
            assert!(
                z.abs() < 4.5,
                "seed {seed} shard {s}: {} arrivals, want {mean:.0} +- {sd:.0}",
                row.arrivals
            );
            assert!(
                rel.abs() < 0.06,
                "seed {seed} shard {s}: utilization {} want {want_u}",
                row.utilization
            );
        }
        let hottest = db(&r).hottest_shard.unwrap() as usize;
        let max = rows.iter().map(|s| s.utilization).fold(0.0, f64::max);
        assert_eq!(rows[hottest].utilization, max);
    }
    if spread() {
        println!("shares: worst |z| {worst_z:.2}, worst relative utilization error {worst_u:.4}");
    }
}

/// Fraction of `keys` keys whose shard differs between `a` and `b`.
fn moved(a: &HashRing, b: &HashRing, keys: u32) -> f64 {
    (0..keys)
        .filter(|&k| a.shard_of(k) != b.shard_of(k))
        .count() as f64
        / keys as f64
}

/// Max over mean of the keys per shard.
fn imbalance(ring: &HashRing, n: u32, keys: u32) -> f64 {
    let mut c = vec![0u32; n as usize];
    for k in 0..keys {
        c[ring.shard_of(k) as usize] += 1;
    }
    *c.iter().max().unwrap() as f64 / (keys as f64 / n as f64)
}

#[test]
fn consistent_hashing_moves_one_key_in_n_plus_one_and_evens_out_with_vnodes() {
    // The ring is a fixed function, so there is no seed; its randomness is over where the points fall. With
    // V points per shard the new shard's arc is a sum of V spacings: relative spread about 1/sqrt(V) (10%
    // at V = 100). Measured, 100,000 keys, V = 100: n = 4 -> 5 0.2086 (1/5 = 0.2), 8 -> 9 0.1003 (0.111),
    // 16 -> 17 0.0544 (0.0588); tolerance 25% relative. Hash routing moves about n/(n+1) instead.
    let keys = 100_000;
    for n in [4u32, 8, 16] {
        let a = HashRing::new(n, 100);
        let b = HashRing::new(n + 1, 100);
        let f = moved(&a, &b, keys);
        let want = 1.0 / (n + 1) as f64;
        assert!(
            (f / want - 1.0).abs() < 0.25,
            "n = {n}: moved {f}, want {want}"
        );
        // Every moved key moved to the new shard: the old shards' points are all still on the ring.
        assert!((0..keys).all(|k| a.shard_of(k) == b.shard_of(k) || b.shard_of(k) == n));
        let hashed = (0..keys)
            .filter(|&k| hash_shard(k, n) != hash_shard(k, n + 1))
            .count() as f64
            / keys as f64;
        let want_hash = n as f64 / (n + 1) as f64;
        assert!(
            (hashed - want_hash).abs() < 0.02,
            "hash n = {n}: moved {hashed}"
        );
        if spread() {
            println!("n {n}: ring moved {f:.4} (1/(n+1) {want:.4}), hash moved {hashed:.4}");
        }
    }
    // Max/mean keys per shard, 10 shards: V = 1 is lopsided, V = 100 near even (measured 3.17 and 1.26; the
    // ring is fixed, so these are exact for this hash, and the limits sit on the published behaviour).
    let (one, hundred) = (
        imbalance(&HashRing::new(10, 1), 10, keys),
        imbalance(&HashRing::new(10, 100), 10, keys),
    );
    if spread() {
        println!("imbalance V=1 {one:.3}, V=100 {hundred:.3}");
    }
    assert!(hundred < 1.3, "V = 100: {hundred}");
    assert!(
        one > 1.6 && one > hundred + 0.4,
        "V = 1: {one}, V = 100: {hundred}"
    );
}

#[test]
fn a_hot_key_makes_its_shard_the_hottest_and_it_saturates_first() {
    // Zipf s = 1.1 over 10,000 keys: key 0 alone draws 15.1% of the queries; with hash routing over 8
    // shards its shard (mix64(0) mod 8 = 7) gets 24.7%, twice the mean 12.5%. 8 shards x 2 connections,
    // exponential 2 ms: a shard's capacity is 1,000 queries/s. At 3,000/s the hot shard runs at 0.74, the
    // others 0.12-0.41; at 4,500/s (hot offered 1,110/s) it saturates and turns queries away while the
    // others stay under 0.62 and reject nothing.
    let sh = zipf(8, 10_000, 1.1, ShardRouting::Hash);
    let hot = hash_shard(0, 8);
    assert_eq!(hot, 7);
    if spread() {
        let hot_u: Vec<f64> = (1..=10)
            .map(|seed| {
                db(&run(&sharded(3_000.0, sh.clone(), 2, 2.0, 50, seed)))
                    .shards
                    .as_ref()
                    .unwrap()[7]
                    .utilization
            })
            .collect();
        println!("hot shard utilization at 3,000/s, seeds 1-10: {hot_u:?}");
    }
    let s = sharded(3_000.0, sh, 2, 2.0, 50, 5);
    let r = run(&s);
    let d = db(&r);
    assert_eq!(d.hottest_shard, Some(hot));
    let rows = d.shards.as_ref().unwrap();
    // Seeds 1-10: hot shard 0.734-0.748 (closed form 3,000 x 0.247 x 2 ms / 2 = 0.741).
    let u_hot = rows[hot as usize].utilization;
    assert!((u_hot - 0.741).abs() < 0.04, "hot shard at {u_hot}");
    let r2 = run_at(&s, 1.5);
    let rows2 = db(&r2).shards.as_ref().unwrap();
    assert_eq!(db(&r2).hottest_shard, Some(hot));
    let hot2 = &rows2[hot as usize];
    let rejected = hot2.arrivals - hot2.completed.min(hot2.arrivals);
    assert!(hot2.utilization > 0.95, "hot shard at {}", hot2.utilization);
    assert!(
        db(&r2).rejected > 0 && rejected > 0,
        "the hot shard turns queries away"
    );
    for row in rows2.iter().filter(|row| row.shard != hot) {
        assert!(
            row.utilization < 0.7,
            "shard {} at {}",
            row.shard,
            row.utilization
        );
        assert!(
            row.completed + 5 >= row.arrivals,
            "shard {} rejects",
            row.shard
        );
    }
}

/// client -> lb (`policy`, keys Zipf 0.8 over 10,000) -> 4 LRU caches of 500 keys (the same key model) ->
/// one database. Returns the caches' hit ratio: 1 - database queries / cache lookups.
fn cache_tier_hit_ratio(policy: archsim::model::LbPolicy, seed: u64) -> f64 {
    use archsim::model::{CacheParams, KeyModel, LoadBalancerParams};
    let mut s = sharded(2_000.0, Shards::default(), 64, 1.0, 10_000, seed);
    s.nodes[1].kind = NodeKind::Database(DatabaseParams {
        pool_size: 64,
        read_time_ms: Dist::exp(1.0),
        ..DatabaseParams::default()
    });
    s.edges.clear();
    s.nodes.push(Node {
        id: "lb".into(),
        kind: NodeKind::LoadBalancer(LoadBalancerParams {
            policy,
            key_space: Some((10_000, 0.8)),
            ..LoadBalancerParams::default()
        }),
        pos: None,
        zone: None,
    });
    let e = |a: &str, b: &str| Edge {
        latency_ms: Dist::constant(0.0),
        ..Edge::new(a, b)
    };
    s.edges.push(e("client", "lb"));
    for i in 0..4 {
        let id = format!("cache{i}");
        s.nodes.push(Node {
            id: id.clone(),
            kind: NodeKind::Cache(CacheParams {
                keys: Some(KeyModel {
                    key_count: 10_000,
                    zipf_exponent: 0.8,
                    capacity: 500,
                    ttl_s: None,
                    coalesce: false,
                }),
                ..CacheParams::default()
            }),
            pos: None,
            zone: None,
        });
        s.edges.push(e("lb", &id));
        s.edges.push(e(&id, "db"));
    }
    let r = run(&s);
    let lookups: u64 = r
        .nodes
        .iter()
        .filter(|n| n.kind == "cache")
        .map(|n| n.completed)
        .sum();
    1.0 - db(&r).completed as f64 / lookups as f64
}

#[test]
fn a_consistent_hash_balancer_gives_each_cache_its_slice_of_the_keys() {
    // Round robin: every cache sees all 10,000 keys and holds 500 of them; consistent hashing: each sees
    // about a quarter of the keys, so the four hold 2,000 different ones between them. Seeds 1-10: round
    // robin 0.329-0.333, consistent hash 0.564-0.572 (a gap of 0.23-0.24; the test asks for 0.15).
    use archsim::model::LbPolicy;
    let seeds: Vec<u64> = if spread() {
        (1..=10).collect()
    } else {
        vec![2]
    };
    for seed in seeds {
        let rr = cache_tier_hit_ratio(LbPolicy::RoundRobin, seed);
        let ch = cache_tier_hit_ratio(LbPolicy::ConsistentHash, seed);
        if spread() {
            println!("seed {seed}: round robin {rr:.4}, consistent hash {ch:.4}");
        }
        assert!(
            ch > rr + 0.15,
            "seed {seed}: consistent hash {ch} against round robin {rr}"
        );
    }
}
