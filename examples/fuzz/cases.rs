//! The scenario fuzzer's generator and invariants, shared by the fast slice in `cargo test`
//! (`tests/fuzz.rs`) and the long mode (`cargo run --release --example fuzz -- --cases N`).
//!
//! A case is a 64-bit seed: SplitMix64 turns it into bytes and `arbitrary::Unstructured` turns the bytes
//! into choices, so a seed printed for a failure reproduces it exactly (`--seed S`). Three targets:
//! scenarios (random valid ones with every node kind, fault, retry and breaker option, deep chains and wide
//! fan-outs, and near-valid ones with one value broken), the RON parser (valid files with bytes mutated)
//! and the share-link decoder (valid links mutated, and hand-made hostile payloads).

#![allow(
    dead_code,
    reason = "the test slice and the long mode each use part of it"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "a case's wall-time budget is the fuzzer's own measure, not the engine's"
)]

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use arbitrary::Unstructured;

use archsim::metrics::Report;
use archsim::model::{
    self, Arrival, Autoscale, BrownoutParams, CacheParams, CacheWrites, CallPattern,
    CircuitBreaker, ClassWeight, ClientParams, CrashParams, DatabaseParams, Dist, Edge,
    ErrorParams, Fault, FaultKind, GatewayParams, HealthCheck, Hedge, HedgeAfter, Jitter, KeyModel,
    LatencyParams, LbPolicy, LimitAlgorithm, LoadBalancerParams, Node, NodeKind, OnWrite,
    Optimistic, PartitionParams, QueueDiscipline, QueueParams, RateLimiterParams, RetryBudget,
    RetryPolicy, Scenario, ServiceParams, ShardRouting, Shards, SlowParams, SpikeParams,
    WriteBehindParams, WritePolicy,
};
use archsim::sim::{Budget, Simulation};

/// What one case came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Validation refused it (every problem named a place).
    Refused,
    /// It ran to its end time.
    Ran,
    /// A governor stopped it (memory, events at one instant) with a message.
    Governed,
}

/// The bytes behind a seed (SplitMix64), as many as a case can use.
pub fn bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut z = seed;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = z;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out.extend_from_slice(&(x ^ (x >> 31)).to_le_bytes());
    }
    out.truncate(n);
    out
}

struct G<'a> {
    u: Unstructured<'a>,
}

impl G<'_> {
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        self.u.int_in_range(lo..=hi).unwrap_or(lo)
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.int(0, 99) < percent
    }
    /// A float in [lo, hi].
    fn f(&mut self, lo: f64, hi: f64) -> f64 {
        let x = self.int(0, 1_000_000) as f64 / 1_000_000.0;
        lo + x * (hi - lo)
    }
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.int(0, items.len() as u32 - 1) as usize].clone()
    }
    fn dist(&mut self, mean_hi: f64) -> Dist {
        let m = self.f(0.0, mean_hi);
        match self.int(0, 6) {
            0 => Dist::Constant { value: m },
            1 | 2 => Dist::Exponential { mean: m.max(1e-3) },
            3 => Dist::Uniform {
                min: m * 0.5,
                max: m * 1.5,
            },
            4 => Dist::Normal {
                mean: m.max(1e-3),
                std_dev: m * 0.3,
            },
            5 => Dist::LogNormal {
                mean: m.max(1e-3),
                std_dev: m * 0.5 + 1e-3,
            },
            _ => Dist::Pareto {
                scale: (m * 0.5).max(1e-3),
                shape: self.f(1.1, 3.0),
            },
        }
    }
    fn retry(&mut self) -> Option<RetryPolicy> {
        self.chance(25).then(|| RetryPolicy {
            max_retries: self.int(0, 4),
            backoff_base_ms: self.f(0.0, 20.0),
            backoff_cap_ms: self.f(20.0, 500.0),
            jitter: self.pick(&Jitter::ALL),
            budget: self.chance(30).then(|| RetryBudget {
                earn_per_success: self.f(0.01, 0.5),
                capacity: self.f(1.0, 50.0),
            }),
        })
    }
    fn discipline(&mut self) -> QueueDiscipline {
        self.pick(&QueueDiscipline::ALL)
    }
}

const CLASSES: [&str; 3] = ["read", "write", "default"];

/// A random scenario: mostly valid, sometimes with one value broken (near-valid).
#[allow(
    clippy::too_many_lines,
    reason = "one table of every field the fuzzer draws, read top to bottom; split, the draw order (and so every seed's case) would be harder to keep"
)]
pub fn scenario(seed: u64) -> Scenario {
    let data = bytes(seed, 4096);
    let mut g = G {
        u: Unstructured::new(&data),
    };
    let shape = g.int(0, 9);
    let n_clients = g.int(1, 3) as usize;
    // 0-5: a random graph; 6-7: a deep chain; 8-9: a wide fan-out.
    let n_other = match shape {
        0..=5 => g.int(1, 12),
        6 | 7 => g.int(10, 80),
        _ => g.int(6, 40),
    } as usize;
    let duration_s = g.f(0.5, 4.0);
    let mut s = Scenario {
        name: format!("fuzz {seed}"),
        duration_s,
        warmup_s: if g.chance(50) {
            g.f(0.0, duration_s * 0.5)
        } else {
            0.0
        },
        seed: g.int(0, u32::MAX) as u64,
        ..Scenario::default()
    };
    let total_rate = g.f(1.0, 800.0);
    for c in 0..n_clients {
        let classes: Vec<ClassWeight> = (0..g.int(1, 3))
            .map(|i| ClassWeight {
                name: CLASSES[i as usize].into(),
                weight: g.f(0.1, 1.0),
            })
            .collect();
        let arrival = match g.int(0, 7) {
            0..=3 => Arrival::Poisson,
            4 => Arrival::Constant,
            5 | 6 => Arrival::Bursty {
                on_s: g.f(1e-6, 0.5),
                off_s: g.f(0.0, 1.0),
            },
            _ => Arrival::Batch {
                count: g.int(1, 300),
            },
        };
        let start_s = if g.chance(20) {
            g.f(0.0, duration_s)
        } else {
            0.0
        };
        let params = ClientParams {
            rate_rps: total_rate / n_clients as f64,
            arrival,
            classes,
            timeout_ms: g.chance(40).then(|| g.f(1.0, 300.0)),
            retry: g.retry(),
            start_s,
            stop_s: g.chance(20).then(|| g.f(start_s, duration_s + 1.0)),
            profile: None,
        };
        s.nodes.push(Node {
            id: format!("client{c}"),
            kind: NodeKind::Client(params),
            pos: None,
            zone: None,
        });
    }
    for i in 0..n_other {
        let kind_no = match shape {
            6 | 7 if i + 1 < n_other => g.pick(&[0, 0, 0, 1, 2]),
            8 | 9 if i > 0 && i + 1 < n_other => 0,
            _ if i + 1 == n_other && g.chance(50) => 3,
            _ => g.int(0, 5),
        };
        let kind = match kind_no {
            0 => NodeKind::Service(ServiceParams {
                replicas: g.int(1, 4),
                workers: g.int(1, 16),
                queue_capacity: g.int(0, 200),
                service_time_ms: g.dist(15.0),
                error_probability: if g.chance(20) { g.f(0.0, 0.3) } else { 0.0 },
                autoscale: g.chance(10).then(|| Autoscale {
                    target_utilization: g.f(0.3, 0.9),
                    min_replicas: 1,
                    max_replicas: g.int(1, 8),
                    interval_s: g.f(0.1, 2.0),
                    scale_up_delay_s: g.f(0.0, 1.0),
                    cooldown_s: g.f(0.0, 2.0),
                }),
                queue_discipline: QueueDiscipline::Fifo,
                class_priority: BTreeMap::new(),
                calls: CallPattern::Sequential,
            }),
            1 => NodeKind::LoadBalancer(LoadBalancerParams {
                policy: g.pick(&LbPolicy::ALL),
                health_check: g.chance(20).then(|| HealthCheck {
                    interval_s: g.f(0.05, 1.0),
                    failure_threshold: g.int(1, 3),
                    recovery_threshold: g.int(1, 3),
                }),
                key_space: g.chance(20).then(|| (g.int(1, 5000), g.f(0.0, 1.5))),
            }),
            2 => NodeKind::Cache(CacheParams {
                hit_ratio: g.f(0.0, 1.0),
                class_hit_ratio: if g.chance(30) {
                    BTreeMap::from([("read".to_owned(), g.f(0.0, 1.0))])
                } else {
                    BTreeMap::new()
                },
                hit_latency_ms: g.dist(2.0),
                workers: g.int(1, 64),
                queue_capacity: g.int(0, 500),
                per_region: false,
                keys: g.chance(15).then(|| KeyModel {
                    key_count: g.int(1, 5000),
                    zipf_exponent: g.f(0.0, 1.5),
                    capacity: g.int(1, 1000),
                    ttl_s: g.chance(50).then(|| g.f(0.1, 5.0)),
                    coalesce: g.chance(50),
                }),
                writes: g.chance(20).then(|| CacheWrites {
                    policy: match g.int(0, 3) {
                        0 => WritePolicy::CacheAside,
                        1 => WritePolicy::WriteThrough,
                        2 => WritePolicy::WriteAround,
                        _ => WritePolicy::WriteBehind(WriteBehindParams {
                            flush_interval_ms: g.f(1.0, 500.0),
                            batch_size: g.int(1, 50),
                        }),
                    },
                    on_write: if g.chance(50) {
                        OnWrite::Update
                    } else {
                        OnWrite::Invalidate
                    },
                    classes: vec!["write".to_owned()],
                }),
            }),
            3 => {
                let optimistic = g.chance(15).then(|| Optimistic { rows: g.int(1, 50) });
                let counted = optimistic.is_none() && g.chance(20);
                let mut d = DatabaseParams {
                    pool_size: g.int(1, 32),
                    queue_capacity: g.int(0, 300),
                    read_time_ms: g.dist(8.0),
                    write_time_ms: g.dist(20.0),
                    read_replicas: g.int(0, 3),
                    write_classes: vec!["write".into()],
                    queue_discipline: QueueDiscipline::Fifo,
                    class_priority: BTreeMap::new(),
                    optimistic,
                    side_effects: counted,
                    idempotency: (counted && g.chance(50)).then(|| archsim::model::Idempotency {
                        ttl_s: g.f(0.001, 5.0),
                    }),
                    shards: None,
                    replication: None,
                };
                // Sharding and optimistic writes are not combined (validation refuses it).
                if d.optimistic.is_none() && g.chance(15) {
                    let count = g.int(1, 16);
                    d.shards = Some(Shards {
                        count,
                        keys: g.int(count, 5000),
                        zipf_exponent: g.f(0.0, 1.5),
                        routing: if g.chance(50) {
                            ShardRouting::Hash
                        } else {
                            ShardRouting::ConsistentHash {
                                vnodes: g.int(1, 200),
                            }
                        },
                    });
                }
                // Replication is not combined with optimistic writes (validation refuses it).
                if d.optimistic.is_none() && g.chance(15) {
                    let n = 1 + d.read_replicas;
                    let quorum = g.chance(50).then(|| archsim::model::Quorum {
                        n,
                        r: g.int(1, n),
                        w: g.int(1, n),
                        on_partition: g.pick(&[
                            archsim::model::OnPartition::Refuse,
                            archsim::model::OnPartition::ServeReachable,
                        ]),
                    });
                    d.replication = Some(Box::new(archsim::model::Replication {
                        lag_ms: g.dist(200.0),
                        keys: g.int(1, 5000),
                        read_your_writes_ms: (quorum.is_none() && g.chance(50))
                            .then(|| g.f(0.0, 500.0)),
                        quorum,
                    }));
                }
                NodeKind::Database(d)
            }
            4 => NodeKind::Queue(QueueParams {
                capacity: g.int(1, 10_000),
                ack_latency_ms: g.dist(2.0),
                visibility_timeout_ms: g.chance(20).then(|| g.f(1.0, 500.0)),
                max_deliveries: g.int(1, 6),
                topic: g.chance(25).then(|| archsim::model::Topic {
                    partitions: g.int(1, 16),
                    keys: if g.chance(50) { 0 } else { g.int(1, 500) },
                    zipf_exponent: g.f(0.0, 2.0),
                    rebalance_ms: g.f(0.0, 3000.0),
                }),
            }),
            // A gateway's per-key limit is a rate limiter's, without the per-client switch and the queue.
            _ if g.chance(35) => NodeKind::Gateway(GatewayParams {
                auth_ms: g.dist(1.0),
                concurrency: g.int(1, 64),
                queue_capacity: g.int(0, 300),
                keys: g.int(1, 2000),
                zipf_exponent: g.f(0.0, 2.0),
                auth_cache_ttl_s: g.chance(30).then(|| g.f(0.01, 5.0)),
                cached_auth_ms: g.dist(0.1),
                limit: g.chance(60).then(|| RateLimiterParams {
                    algorithm: g.pick(&[
                        LimitAlgorithm::TokenBucket,
                        LimitAlgorithm::LeakyBucket,
                        LimitAlgorithm::FixedWindow,
                        LimitAlgorithm::SlidingWindow,
                    ]),
                    rate_rps: g.f(1.0, 200.0),
                    burst: g.int(1, 50),
                    window_ms: g.f(10.0, 1000.0),
                    per_client: false,
                }),
            }),
            _ => NodeKind::RateLimiter(RateLimiterParams {
                algorithm: g.pick(&LimitAlgorithm::ALL),
                rate_rps: g.f(1.0, 500.0),
                burst: g.int(1, 200),
                window_ms: g.f(10.0, 1000.0),
                per_client: g.chance(50),
            }),
        };
        s.nodes.push(Node {
            id: format!("n{i}"),
            kind,
            pos: None,
            zone: None,
        });
    }
    let first = n_clients;
    // The rules validation checks, kept so that most cases run: a discipline with its priorities (on the
    // class every client sends), a queue only where a service comes after it to consume, a last node that
    // needs no downstream.
    for i in first..s.nodes.len() {
        let last = i + 1 == s.nodes.len();
        let service_after = s.nodes[i + 1..]
            .iter()
            .any(|n| matches!(n.kind, NodeKind::Service(_)));
        let needs_out = matches!(
            s.nodes[i].kind,
            NodeKind::LoadBalancer(_)
                | NodeKind::Cache(_)
                | NodeKind::RateLimiter(_)
                | NodeKind::Gateway(_)
        );
        if (matches!(s.nodes[i].kind, NodeKind::Queue(_)) && !service_after) || (last && needs_out)
        {
            s.nodes[i].kind = NodeKind::Service(ServiceParams::default());
        }
        let d = g.discipline();
        let prio = if d == QueueDiscipline::Priority {
            BTreeMap::from([("read".to_owned(), g.int(0, 255))])
        } else {
            BTreeMap::new()
        };
        match &mut s.nodes[i].kind {
            NodeKind::Service(p) => (p.queue_discipline, p.class_priority) = (d, prio),
            NodeKind::Database(p) => (p.queue_discipline, p.class_priority) = (d, prio),
            _ => {}
        }
    }
    let edge = |g: &mut G, from: usize, to: usize, s: &mut Scenario| {
        let mut e = Edge::new(s.nodes[from].id.clone(), s.nodes[to].id.clone());
        e.latency_ms = if g.chance(25) {
            Dist::constant(0.0)
        } else {
            g.dist(2.0)
        };
        let from_queue = matches!(s.nodes[from].kind, NodeKind::Queue(_));
        if from >= first && g.chance(10) {
            e.classes = vec!["read".into()];
        }
        if from >= first && !from_queue {
            if g.chance(15) {
                e.breaker = Some(CircuitBreaker {
                    failure_rate: g.f(0.1, 0.9),
                    window: g.int(1, 50),
                    open_ms: g.f(10.0, 2000.0),
                    probes: g.int(1, 5),
                });
            }
            e.timeout_ms = g.chance(15).then(|| g.f(1.0, 200.0));
            e.retry = g.retry();
        }
        s.edges.push(e);
    };
    for c in 0..n_clients {
        let to = first + g.int(0, (n_other as u32).min(3) - 1) as usize;
        edge(&mut g, c, to, &mut s);
    }
    for i in 0..n_other {
        let from = first + i;
        let rest = n_other - i - 1;
        if rest == 0 || matches!(s.nodes[from].kind, NodeKind::Database(_)) {
            continue;
        }
        let targets: Vec<usize> = match shape {
            6 | 7 => vec![from + 1],
            8 | 9 if i == 0 => (1..n_other).map(|k| first + k).collect(),
            8 | 9 => vec![first + n_other - 1],
            _ => (0..g.int(1, rest.min(3) as u32))
                .map(|_| from + 1 + g.int(0, rest as u32 - 1) as usize)
                .collect(),
        };
        let targets: Vec<usize> = if matches!(s.nodes[from].kind, NodeKind::Queue(_)) {
            // A queue's consumers are services: the first one after it, and any chosen that are.
            let mut t: Vec<usize> = targets
                .into_iter()
                .filter(|&t| matches!(s.nodes[t].kind, NodeKind::Service(_)))
                .collect();
            if let Some(sv) =
                (from + 1..s.nodes.len()).find(|&t| matches!(s.nodes[t].kind, NodeKind::Service(_)))
            {
                t.push(sv);
            }
            t
        } else {
            targets
        };
        let mut seen = Vec::new();
        for to in targets {
            if !seen.contains(&to) {
                seen.push(to);
                edge(&mut g, from, to, &mut s);
            }
        }
    }
    for _ in 0..g.int(0, 3) {
        let on_edge = g.chance(25) && !s.edges.is_empty();
        let mut quorum_n = 0;
        let (target, kind_no) = if on_edge {
            let e = g.pick(&s.edges);
            (format!("{}->{}", e.from, e.to), g.pick(&[3, 4]))
        } else {
            let n = g.pick(&s.nodes);
            let k = match n.kind {
                NodeKind::Client(_) => 7,
                NodeKind::Service(_) => g.pick(&[0, 1, 2, 8]),
                NodeKind::Cache(_) => 5,
                NodeKind::Database(ref d) => {
                    quorum_n = d
                        .replication
                        .as_ref()
                        .and_then(|r| r.quorum.as_ref())
                        .map_or(0, |q| q.n);
                    if quorum_n >= 2 {
                        g.pick(&[6, 1, 9])
                    } else {
                        g.pick(&[6, 1])
                    }
                }
                NodeKind::LoadBalancer(_) => 0,
                // Queues and rate limiters take no fault of their own.
                _ => continue,
            };
            (n.id, k)
        };
        let kind = match kind_no {
            0 => FaultKind::Crash(CrashParams {
                restart_warmup_s: g.f(0.0, 1.0),
                warmup_factor: g.f(1.0, 4.0),
            }),
            1 => FaultKind::Slow(SlowParams {
                factor: g.f(0.5, 10.0),
            }),
            2 => FaultKind::Errors(ErrorParams {
                probability: g.f(0.0, 1.0),
            }),
            3 => FaultKind::Partition(PartitionParams {
                connect_timeout_ms: g.f(0.0, 100.0),
            }),
            4 => FaultKind::Latency(LatencyParams {
                add_ms: g.f(0.0, 50.0),
            }),
            5 => FaultKind::Flush,
            6 => FaultKind::ReplicaLag,
            7 => FaultKind::Spike(SpikeParams {
                factor: g.f(0.1, 8.0),
            }),
            9 => FaultKind::Split(archsim::model::SplitParams {
                replicas_cut: g.int(1, quorum_n - 1),
            }),
            _ => FaultKind::Brownout(BrownoutParams {
                factor: g.f(1.0, 5.0),
                probability: g.f(0.0, 0.5),
            }),
        };
        s.faults.push(Fault {
            at_s: g.f(0.0, duration_s),
            duration_s: g.f(0.01, duration_s),
            target,
            kind,
        });
    }
    // Call plans, drawn from a generator of their own so that every case above stays what it was.
    let data = bytes(seed ^ 0x9e37_79b9_7f4a_7c15, 1024);
    let mut g2 = G {
        u: Unstructured::new(&data),
    };
    if g2.chance(30) {
        call_plans(&mut g2, &mut s);
    }
    // Zones and regions, from a generator of their own too.
    let data = bytes(seed ^ 0x5851_f42d_4c95_7f2d, 1024);
    let mut g3 = G {
        u: Unstructured::new(&data),
    };
    if g3.chance(25) {
        topology(&mut g3, &mut s);
    }
    if g.chance(25) {
        break_one_value(&mut g, &mut s);
    }
    s
}

/// Two or three regions of one or two zones, nodes placed at random (some nowhere), global balancers, CDN
/// edge caches and an outage.
fn topology(g: &mut G, s: &mut Scenario) {
    let regions: Vec<archsim::model::Region> = (0..g.int(2, 3))
        .map(|r| archsim::model::Region {
            name: format!("r{r}"),
            zones: (0..g.int(1, 2)).map(|z| format!("r{r}z{z}")).collect(),
        })
        .collect();
    let zones: Vec<String> = regions.iter().flat_map(|r| r.zones.clone()).collect();
    let t = archsim::model::Topology {
        regions,
        cross_zone_ms: g.f(0.0, 2.0),
        cross_region_ms: g.f(0.0, 80.0),
        links: Vec::new(),
    };
    for n in &mut s.nodes {
        if g.chance(70) {
            n.zone = Some(g.pick(&zones));
        }
        match &mut n.kind {
            NodeKind::LoadBalancer(lb) if g.chance(50) => {
                lb.policy = g.pick(&[LbPolicy::NearestHealthy, LbPolicy::Failover]);
            }
            NodeKind::Cache(c) if c.keys.is_some() && c.writes.is_none() => {
                c.per_region = g.chance(60);
            }
            _ => {}
        }
    }
    if g.chance(50) {
        let places = t
            .places()
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        let duration_s = s.duration_s;
        s.faults.push(Fault {
            at_s: g.f(0.0, duration_s),
            duration_s: g.f(0.01, duration_s),
            target: g.pick(&places),
            kind: FaultKind::Outage,
        });
    }
    s.topology = Some(t);
}

/// Parallel and first-of-k services, probabilities, repeats and hedges on their edges.
fn call_plans(g: &mut G, s: &mut Scenario) {
    for i in 0..s.nodes.len() {
        let id = s.nodes[i].id.clone();
        let NodeKind::Service(p) = &mut s.nodes[i].kind else {
            continue;
        };
        let outs = s.edges.iter().filter(|e| e.from == id).count() as u32;
        p.calls = match g.int(0, 3) {
            0 => CallPattern::Sequential,
            1 => CallPattern::Parallel,
            _ => CallPattern::FirstOf(g.int(1, outs.max(1))),
        };
        for e in s.edges.iter_mut().filter(|e| e.from == id) {
            if g.chance(30) {
                e.probability = g.f(0.0, 1.0);
            }
            if g.chance(20) {
                e.times = g.int(1, 4);
            }
            if g.chance(25) {
                e.hedge = Some(Hedge {
                    after_ms: if g.chance(50) {
                        HedgeAfter::Fixed(g.f(0.0, 50.0))
                    } else {
                        HedgeAfter::P95
                    },
                    cancel: g.chance(50),
                });
            }
        }
    }
}

/// Near-valid: one value out of range, one name wrong, one structure broken.
fn break_one_value(g: &mut G, s: &mut Scenario) {
    let bad = g.pick(&[f64::NAN, -1.0, 0.0, 1e300, f64::INFINITY, -0.0]);
    let n = g.int(0, s.nodes.len() as u32 - 1) as usize;
    match g.int(0, 11) {
        0 => s.duration_s = bad,
        1 => s.warmup_s = s.duration_s + 1.0,
        2 => s.nodes[n].id = s.nodes[0].id.clone(),
        3 if !s.edges.is_empty() => s.edges[0].to = "nowhere".into(),
        4 if !s.edges.is_empty() => s.edges[0].latency_ms = Dist::Exponential { mean: bad },
        5 => s.nodes.retain(|n| !matches!(n.kind, NodeKind::Client(_))),
        6 if s.nodes.len() > 1 => {
            // A loop back to the first node behind the clients.
            let to = s
                .nodes
                .iter()
                .position(|n| !matches!(n.kind, NodeKind::Client(_)));
            if let Some(to) = to {
                let from = s.nodes[s.nodes.len() - 1].id.clone();
                s.edges.push(Edge::new(from, s.nodes[to].id.clone()));
            }
        }
        7 => s.version = 0,
        _ => match &mut s.nodes[n].kind {
            NodeKind::Client(c) => c.rate_rps = bad,
            NodeKind::Service(p) => p.workers = 0,
            NodeKind::Cache(p) => p.hit_ratio = bad,
            NodeKind::Database(p) => p.read_time_ms = Dist::Uniform { min: 2.0, max: bad },
            NodeKind::Queue(p) => p.capacity = 0,
            NodeKind::RateLimiter(p) => p.rate_rps = bad,
            NodeKind::Gateway(p) => p.zipf_exponent = bad,
            NodeKind::LoadBalancer(_) => s.nodes[n].id = String::new(),
        },
    }
}

/// Every problem names where it is: `scenario`, a node, an edge or a fault, and a field.
fn check_problems(problems: &[model::Problem]) -> Result<(), String> {
    for p in problems {
        let placed = p.place == "scenario"
            || p.place.starts_with("node '")
            || p.place.starts_with("node #")
            || p.place.starts_with("edge '")
            || p.place.starts_with("fault");
        if !placed || p.field.is_empty() || p.message.is_empty() {
            return Err(format!("a problem without a place or field: {p:?}"));
        }
        if p.message.len() > 1000 {
            return Err(format!(
                "a problem of {} characters: {p:?}",
                p.message.len()
            ));
        }
    }
    Ok(())
}

/// Runs a scenario under a governor's budget, with a wall-clock deadline (the whole case's).
fn run(s: &Scenario, started: Instant, deadline: Duration) -> Result<Report, String> {
    let mut sim = Simulation::new(s).map_err(|e| format!("valid but not built: {e}"))?;
    sim.set_budget(Budget {
        memory_mib: 64,
        instant_events: 2_000_000,
    });
    let end = sim.end_ns();
    while !sim.is_finished() {
        sim.step_events(end, 1 << 16);
        if started.elapsed() > deadline {
            return Err(format!(
                "did not end within {deadline:?} of wall time (at {} of {} ns, {} events)",
                sim.time_ns(),
                end,
                sim.events()
            ));
        }
    }
    Ok(sim.report())
}

/// The invariants on a finished report.
fn check_report(r: &Report) -> Result<(), String> {
    let q = &r.requests;
    let resolved = q.succeeded + q.failed + q.timed_out + q.rejected + q.rate_limited + q.in_flight;
    if q.offered != resolved {
        return Err(format!(
            "requests not conserved: offered {} != succeeded + failed + timed out + rejected + rate \
             limited + in flight = {resolved} ({q:?})",
            q.offered
        ));
    }
    for n in &r.nodes {
        if !(0.0..=1.0).contains(&n.utilization) {
            return Err(format!("node '{}' utilization {}", n.id, n.utilization));
        }
    }
    Ok(())
}

/// One scenario case: generated, validated, run twice, both runs within `deadline` of wall time. `Err`
/// says which invariant broke.
pub fn scenario_case(seed: u64, deadline: Duration) -> Result<Outcome, String> {
    let started = Instant::now();
    let caught = catch_unwind(AssertUnwindSafe(|| -> Result<Outcome, String> {
        let s = scenario(seed);
        let problems = model::validate(&s);
        if !problems.is_empty() {
            check_problems(&problems)?;
            if Simulation::new(&s).is_ok() {
                return Err("invalid, yet the engine built it".into());
            }
            return Ok(Outcome::Refused);
        }
        let a = run(&s, started, deadline)?;
        check_report(&a)?;
        let b = run(&s, started, deadline)?;
        let (ja, jb) = (
            serde_json::to_string(&a).map_err(|e| e.to_string())?,
            serde_json::to_string(&b).map_err(|e| e.to_string())?,
        );
        if ja != jb {
            return Err("the same seed gave two different reports".into());
        }
        Ok(if a.stopped.is_some() {
            Outcome::Governed
        } else {
            Outcome::Ran
        })
    }));
    caught.unwrap_or_else(|p| Err(format!("panicked: {}", panic_text(&p))))
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// Mutates text: flips, inserts, deletes, duplicates or cuts a few bytes (kept to UTF-8 by lossy
/// conversion, as a file read from disk would be by `read_to_string`... or refused before parsing).
fn mutate(g: &mut G, text: &str) -> String {
    let mut b = text.as_bytes().to_vec();
    // Zero edits sometimes: the untouched file must load and round-trip.
    for _ in 0..g.int(0, 6) {
        if b.is_empty() {
            break;
        }
        let i = g.int(0, b.len() as u32 - 1) as usize;
        match g.int(0, 6) {
            0 => b[i] = g.int(0, 255) as u8,
            1 => b.insert(i, g.pick(b"()[,:\"9.-e")),
            2 => {
                b.remove(i);
            }
            3 => b.truncate(i),
            4 => {
                let chunk: Vec<u8> = b[i..b.len().min(i + 40)].to_vec();
                b.splice(i..i, chunk);
            }
            5 => {
                b.splice(i..i, b"1e308".iter().copied());
            }
            _ => {
                b.splice(0..0, "\u{feff}".bytes());
            }
        };
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// One RON-parser case: a valid file, mutated, parsed and validated. Never a panic; an error always says
/// where (line and column, or a place); a file that still parses round-trips through the writer.
pub fn ron_case(seed: u64) -> Result<Outcome, String> {
    let caught = catch_unwind(AssertUnwindSafe(|| -> Result<Outcome, String> {
        let text = model::to_string(&scenario(seed));
        let data = bytes(seed ^ 0xA5A5_5A5A, 512);
        let mut g = G {
            u: Unstructured::new(&data),
        };
        let bad = mutate(&mut g, &text);
        match model::from_str(&bad, "fuzz.ron") {
            Ok(s) => {
                let again = model::parse(&model::to_string(&s), "again")
                    .map_err(|e| format!("a parsed scenario does not parse again: {e}"))?;
                if again != s {
                    return Err("a parsed scenario does not round-trip".into());
                }
                Ok(Outcome::Ran)
            }
            Err(model::ScenarioError::Syntax { line, col, .. }) if line >= 1 && col >= 1 => {
                Ok(Outcome::Refused)
            }
            Err(model::ScenarioError::Invalid { problems, .. }) => {
                check_problems(&problems)?;
                Ok(Outcome::Refused)
            }
            Err(e) => Err(format!("an error without a position: {e}")),
        }
    }));
    caught.unwrap_or_else(|p| Err(format!("panicked: {}", panic_text(&p))))
}

/// One share-link case: a valid link mutated, or a hostile payload (huge version, a deflate bomb, junk).
/// Never a panic, always an answer within a second.
pub fn share_case(seed: u64) -> Result<Outcome, String> {
    let caught = catch_unwind(AssertUnwindSafe(|| -> Result<Outcome, String> {
        let data = bytes(seed ^ 0x5A5A_A5A5, 512);
        let mut g = G {
            u: Unstructured::new(&data),
        };
        let fragment = match g.int(0, 9) {
            0 => format!("s={}.{}", g.int(0, u32::MAX), "AAAA"),
            1 => format!(
                "s=99999999999999999999999.{}",
                "x".repeat(g.int(0, 100) as usize)
            ),
            2 => {
                // A deflate bomb: a few KiB that unpack to megabytes.
                let big = "(".repeat(g.int(300_000, 2_000_000) as usize);
                model::share::encode_text(&big)
            }
            3 => model::share::encode_text(&mutate(&mut g, &model::to_string(&scenario(seed)))),
            4 | 5 => model::share::encode(&scenario(seed)),
            _ => mutate(&mut g, &model::share::encode(&scenario(seed))),
        };
        let started = Instant::now();
        let result = model::share::decode(&fragment);
        if started.elapsed() > Duration::from_secs(1) {
            return Err(format!("decoding took {:?}", started.elapsed()));
        }
        match result {
            Ok(s) => {
                if !model::validate(&s).is_empty() {
                    return Err("a link decoded to an invalid scenario".into());
                }
                Ok(Outcome::Ran)
            }
            Err(e) if !e.to_string().is_empty() => Ok(Outcome::Refused),
            Err(_) => Err("an empty refusal".into()),
        }
    }));
    caught.unwrap_or_else(|p| Err(format!("panicked: {}", panic_text(&p))))
}
