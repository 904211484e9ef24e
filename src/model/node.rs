//! Node kinds and their parameters. Every default is documented here and in `docs/scenario-format.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::gateway::GatewayParams;
use super::resilience::{QueueDiscipline, RateLimiterParams, RetryPolicy};
use super::{Autoscale, CallPattern, Dist, HealthCheck, KeyModel, Profile, Shards};

/// One component of the architecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Unique name, used by edges, `--set` and reports.
    pub id: String,
    /// What the node is, with its parameters.
    pub kind: NodeKind,
    /// Where the node sits on the canvas (purely visual). Default: none (the app lays it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos: Option<(f32, f32)>,
    /// The zone it runs in, one of the scenario's `topology` zones: calls to nodes in other zones pay the
    /// topology's latency, and a zone or region outage takes it down. Default: none (no place).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

/// What a node is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum NodeKind {
    /// Traffic source: open-loop arrivals, or closed-loop users.
    Client(ClientParams),
    /// Application server: replicas x workers, a bounded FIFO queue, calls downstream in sequence.
    Service(ServiceParams),
    /// Spreads requests over its outgoing edges.
    LoadBalancer(LoadBalancerParams),
    /// Look-aside cache: hits answer here, misses go on to the store behind it.
    Cache(CacheParams),
    /// Connection-pooled database with optional read replicas.
    Database(DatabaseParams),
    /// Message broker: acknowledges producers once stored; consumers pull asynchronously.
    Queue(QueueParams),
    /// Admits requests up to a rate and answers the rest with a 429.
    RateLimiter(RateLimiterParams),
    /// API gateway: authenticates each request's API key, limits each key's rate (429s) and routes by class.
    Gateway(GatewayParams),
}

/// The kinds, in palette order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum KindTag {
    /// See [`NodeKind::Client`].
    Client,
    /// See [`NodeKind::Service`].
    Service,
    /// See [`NodeKind::LoadBalancer`].
    LoadBalancer,
    /// See [`NodeKind::Cache`].
    Cache,
    /// See [`NodeKind::Database`].
    Database,
    /// See [`NodeKind::Queue`].
    Queue,
    /// See [`NodeKind::RateLimiter`].
    RateLimiter,
    /// See [`NodeKind::Gateway`].
    Gateway,
}

impl KindTag {
    /// Every kind, in palette order.
    pub const ALL: [KindTag; 8] = [
        KindTag::Client,
        KindTag::RateLimiter,
        KindTag::Gateway,
        KindTag::LoadBalancer,
        KindTag::Service,
        KindTag::Cache,
        KindTag::Queue,
        KindTag::Database,
    ];

    /// The snake_case name used in reports (`"load_balancer"`).
    pub fn as_str(self) -> &'static str {
        match self {
            KindTag::Client => "client",
            KindTag::Service => "service",
            KindTag::LoadBalancer => "load_balancer",
            KindTag::Cache => "cache",
            KindTag::Database => "database",
            KindTag::Queue => "queue",
            KindTag::RateLimiter => "rate_limiter",
            KindTag::Gateway => "gateway",
        }
    }

    /// Parameters a new node of this kind starts with.
    pub fn default_kind(self) -> NodeKind {
        match self {
            KindTag::Client => NodeKind::Client(ClientParams::default()),
            KindTag::Service => NodeKind::Service(ServiceParams::default()),
            KindTag::LoadBalancer => NodeKind::LoadBalancer(LoadBalancerParams::default()),
            KindTag::Cache => NodeKind::Cache(CacheParams::default()),
            KindTag::Database => NodeKind::Database(DatabaseParams::default()),
            KindTag::Queue => NodeKind::Queue(QueueParams::default()),
            KindTag::RateLimiter => NodeKind::RateLimiter(RateLimiterParams::default()),
            KindTag::Gateway => NodeKind::Gateway(GatewayParams::default()),
        }
    }

    /// May an edge start at a node of this kind? (Databases answer; they never call out.)
    pub fn may_call_out(self) -> bool {
        match self {
            KindTag::Database => false,
            KindTag::Client
            | KindTag::Service
            | KindTag::LoadBalancer
            | KindTag::Cache
            | KindTag::Queue
            | KindTag::RateLimiter
            | KindTag::Gateway => true,
        }
    }

    /// May an edge end at a node of this kind? (Clients only originate traffic.)
    pub fn may_be_called(self) -> bool {
        match self {
            KindTag::Client => false,
            KindTag::Service
            | KindTag::LoadBalancer
            | KindTag::Cache
            | KindTag::Database
            | KindTag::Queue
            | KindTag::RateLimiter
            | KindTag::Gateway => true,
        }
    }
}

impl NodeKind {
    /// The kind without its parameters.
    pub fn tag(&self) -> KindTag {
        match self {
            NodeKind::Client(_) => KindTag::Client,
            NodeKind::Service(_) => KindTag::Service,
            NodeKind::LoadBalancer(_) => KindTag::LoadBalancer,
            NodeKind::Cache(_) => KindTag::Cache,
            NodeKind::Database(_) => KindTag::Database,
            NodeKind::Queue(_) => KindTag::Queue,
            NodeKind::RateLimiter(_) => KindTag::RateLimiter,
            NodeKind::Gateway(_) => KindTag::Gateway,
        }
    }
}

/// How a client's requests arrive.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Arrival {
    /// Poisson process: exponential gaps (the M in M/M/1). The default.
    #[default]
    Poisson,
    /// Evenly spaced arrivals (the D in D/M/1).
    Constant,
    /// On/off bursts: Poisson arrivals during `on_s` seconds, silence for `off_s`; the rate during a burst is
    /// raised so that the long-run mean stays `rate_rps`.
    Bursty {
        /// Length of a burst, s.
        on_s: f64,
        /// Silence between bursts, s.
        off_s: f64,
    },
    /// A one-off batch: `count` requests at once at `start_s` (multiplied by the load), then nothing; the
    /// client's `rate_rps` is ignored. E.g. N clients that each make one request (Brooker's backoff
    /// experiment), with their retries.
    Batch {
        /// Requests in the batch (at load 1).
        count: u32,
    },
    /// Closed-loop users: each of `users` sends a request, waits for its answer (or the client's timeout,
    /// after its retries), thinks for a draw of `think_time_ms`, and sends again; the client's `rate_rps` is
    /// ignored (the users and the system set the rate). Each user starts with a think time. The load
    /// multiplies the users, rounded to the nearest whole user.
    ClosedLoop {
        /// Users at load 1 (1 to 1,000,000).
        users: u32,
        /// Think time between an answer and the user's next request, ms.
        think_time_ms: Dist,
    },
}

/// A request class with its share of a client's traffic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassWeight {
    /// Class name, e.g. `"read"` or `"write"`; edges and caches can filter on it.
    pub name: String,
    /// Relative weight (need not sum to 1).
    pub weight: f64,
}

/// A traffic source. Defaults: 100 requests/s Poisson, one class `"default"`, no timeout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientParams {
    /// Mean arrival rate in requests per second (multiplied by `--load`).
    pub rate_rps: f64,
    /// Arrival process.
    pub arrival: Arrival,
    /// Mix of request classes. Default: `[(name: "default", weight: 1.0)]`.
    pub classes: Vec<ClassWeight>,
    /// The client gives up after this long (the servers keep working). Default: none (waits forever).
    /// With `retry`, this is per attempt.
    pub timeout_ms: Option<f64>,
    /// Retry a request whose attempt timed out, failed or was rejected. Default: none.
    pub retry: Option<RetryPolicy>,
    /// The client sends nothing before this time, seconds. Default 0.
    pub start_s: f64,
    /// The client sends nothing from this time on, seconds. Default: none (until the end).
    pub stop_s: Option<f64>,
    /// How the rate varies over the run (steps, a ramp, a day's curve, a trace), with Poisson arrivals.
    /// Default: none (a constant rate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
}

impl Default for ClientParams {
    fn default() -> Self {
        Self {
            rate_rps: 100.0,
            arrival: Arrival::Poisson,
            classes: vec![ClassWeight {
                name: "default".into(),
                weight: 1.0,
            }],
            timeout_ms: None,
            retry: None,
            start_s: 0.0,
            stop_s: None,
            profile: None,
        }
    }
}

/// An application server. Defaults: 1 replica x 8 workers, queue of 100 per replica, exponential 10 ms.
///
/// A worker holds the request for its own service time and then for its downstream calls over the outgoing
/// edges (in file order, skipping edges whose class filter excludes the request), made as `calls` says: a
/// thread-per-request server, so a slow dependency backs up into its callers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceParams {
    /// Identical instances; arrivals are spread over them round-robin, each has its own workers and queue.
    pub replicas: u32,
    /// Concurrent requests per replica.
    pub workers: u32,
    /// Waiting requests per replica before new ones are rejected. 0 rejects whenever all workers are busy.
    pub queue_capacity: u32,
    /// CPU time per request, before its downstream calls.
    pub service_time_ms: Dist,
    /// Probability that a request fails here (after its service time, without calling downstream).
    pub error_probability: f64,
    /// Autoscaling: `replicas` is then the starting count. Default: none (fixed replicas).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<Autoscale>,
    /// Order of the waiting line and what a full queue does. Default FIFO (reject the newcomer).
    pub queue_discipline: QueueDiscipline,
    /// Per request class, its priority (0 to 255, higher served first) under `queue_discipline: Priority`;
    /// unlisted classes have 0. Default: empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub class_priority: BTreeMap<String, u32>,
    /// How the downstream calls are made: `Sequential` (the default), `Parallel` (all at once, answer when
    /// all are back) or `FirstOf(k)` (all at once, answer with the first k successes).
    #[serde(skip_serializing_if = "CallPattern::is_sequential")]
    pub calls: CallPattern,
}

impl Default for ServiceParams {
    fn default() -> Self {
        Self {
            replicas: 1,
            workers: 8,
            queue_capacity: 100,
            service_time_ms: Dist::exp(10.0),
            error_probability: 0.0,
            autoscale: None,
            queue_discipline: QueueDiscipline::Fifo,
            class_priority: BTreeMap::new(),
            calls: CallPattern::Sequential,
        }
    }
}

/// Load-balancing policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LbPolicy {
    /// Each backend in turn. The default.
    #[default]
    RoundRobin,
    /// A backend drawn uniformly at random.
    Random,
    /// The backend with the fewest requests in flight from this balancer (ties: first in edge order).
    LeastConnections,
    /// Two backends drawn at random, the one with fewer in flight wins (Mitzenmacher's power of two choices).
    PowerOfTwo,
    /// Key affinity: the balancer draws the request's key from its `key_space` and sends it to the backend
    /// that owns the key on a consistent-hash ring (100 points per backend, as `Shards`' `HashRing`). A
    /// key-model cache called directly behind it looks up that same key, so each cache sees only its slice.
    ConsistentHash,
    /// Global load balancing: the backends nearest (by the topology's latency) to the request's client, or
    /// to the balancer when the client has no zone, take turns; its health checks take a dead region out,
    /// and then the next nearest healthy backends take the traffic. Without `health_check` a dead backend
    /// keeps its share.
    NearestHealthy,
    /// Primary and standby (DNS failover routing): every request goes to the first backend, in edge
    /// order, that its health checks hold up; the next one takes over only when the first is marked down.
    /// Without `health_check` the first backend gets everything, dead or alive.
    Failover,
}

impl LbPolicy {
    /// Every policy, for pickers.
    pub const ALL: [LbPolicy; 7] = [
        LbPolicy::RoundRobin,
        LbPolicy::Random,
        LbPolicy::LeastConnections,
        LbPolicy::PowerOfTwo,
        LbPolicy::ConsistentHash,
        LbPolicy::NearestHealthy,
        LbPolicy::Failover,
    ];
}

/// A load balancer. It adds no processing time of its own (edge latency still applies).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadBalancerParams {
    /// How a backend is chosen among the outgoing edges that accept the request's class.
    pub policy: LbPolicy,
    /// Active health checks of the backends. Default: none (a crashed backend keeps getting requests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    /// With `policy: ConsistentHash`: the keys requests carry, `(keys, zipf_exponent)` as for `Shards`.
    /// Default: none (then 10,000 keys, Zipf 1). Ignored by the other policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_space: Option<(u32, f64)>,
}

/// A cache. Defaults: hit ratio 0.8, 64 concurrent lookups, exponential 1 ms, unbounded-ish queue of 1000.
///
/// Hits answer after the lookup. Misses go on, after the lookup, to the first outgoing edge that accepts the
/// class (the backing store); the response comes back through the cache.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheParams {
    /// Probability that a lookup hits, for classes not listed in `class_hit_ratio`.
    pub hit_ratio: f64,
    /// Per-class hit ratios, e.g. `{"write": 0.0}`.
    pub class_hit_ratio: BTreeMap<String, f64>,
    /// Lookup time (hit or miss).
    pub hit_latency_ms: Dist,
    /// Concurrent lookups.
    pub workers: u32,
    /// Waiting lookups before new ones are rejected.
    pub queue_capacity: u32,
    /// Key model (Zipf popularity, LRU capacity, TTL, coalescing) instead of the fixed hit ratios, which
    /// are then ignored. Default: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<KeyModel>,
    /// The write path (cache-aside, write-through, write-around, write-behind) and which classes are
    /// writes. Default: none (every request is a lookup, misses read through to the store).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writes: Option<super::CacheWrites>,
    /// A CDN's edge caches: with a key model and a topology, requests from each region's clients use that
    /// region's own cache (`capacity` keys each, warming and expiring on its own), and requests from
    /// clients without a zone share one more. Default false (one cache for everyone).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub per_region: bool,
}

impl Default for CacheParams {
    fn default() -> Self {
        Self {
            hit_ratio: 0.8,
            class_hit_ratio: BTreeMap::new(),
            hit_latency_ms: Dist::exp(1.0),
            workers: 64,
            queue_capacity: 1000,
            keys: None,
            writes: None,
            per_region: false,
        }
    }
}

/// A database. Defaults: 16 connections, queue of 200, reads exponential 5 ms, writes exponential 15 ms,
/// no read replicas, class `"write"` is a write.
///
/// Writes go to the primary. Reads go round-robin over the read replicas, or to the primary if there are none.
/// Each instance (primary or replica) has its own pool and queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseParams {
    /// Connections per instance (concurrent queries).
    pub pool_size: u32,
    /// Waiting queries per instance before new ones are rejected.
    pub queue_capacity: u32,
    /// Time per read query.
    pub read_time_ms: Dist,
    /// Time per write query.
    pub write_time_ms: Dist,
    /// Read replicas beside the primary.
    pub read_replicas: u32,
    /// Request classes that are writes.
    pub write_classes: Vec<String>,
    /// Order of each instance's waiting line and what a full queue does. Default FIFO.
    pub queue_discipline: QueueDiscipline,
    /// Per request class, its priority (0 to 255, higher served first) under `queue_discipline: Priority`;
    /// unlisted classes have 0. Default: empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub class_priority: BTreeMap<String, u32>,
    /// Optimistic concurrency for writes: each write is a read of the row's version and a conditional
    /// write that fails on a conflict. Default: none (writes always succeed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimistic: Option<Optimistic>,
    /// Split into shards by key, each shard a primary with its own pool, queue and `read_replicas`.
    /// Default: none (one primary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<Shards>,
    /// Count committed writes as side effects: the report gives `side_effects` and `duplicates` (writes of
    /// a logical request beyond its first, e.g. a retried payment charged twice). Default false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub side_effects: bool,
    /// Deduplicate writes by idempotency key for a TTL (implies `side_effects`). Default: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency: Option<super::Idempotency>,
    /// Replication lag and read consistency: per-key writes reach the replicas after `lag_ms`, stale
    /// reads are counted, and reads of a recently written key may go to the primary. Default: none (reads
    /// on replicas are never checked). Boxed: it would make every node kind's value larger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replication: Option<Box<super::Replication>>,
}

/// Optimistic concurrency control on a database's writes. A write request is a transaction the caller
/// runs: it reads the row's version (a read query), gets the answer back over the edge, and sends a
/// conditional write (a write query, on the primary) that commits only if no other write committed to
/// the row since the read; otherwise it fails with a conflict. Default: one row (every write contends).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Optimistic {
    /// Rows the writes spread over, uniformly at random (each attempt draws its row).
    pub rows: u32,
}

impl Default for Optimistic {
    fn default() -> Self {
        Self { rows: 1 }
    }
}

impl Default for DatabaseParams {
    fn default() -> Self {
        Self {
            pool_size: 16,
            queue_capacity: 200,
            read_time_ms: Dist::exp(5.0),
            write_time_ms: Dist::exp(15.0),
            read_replicas: 0,
            write_classes: vec!["write".into()],
            queue_discipline: QueueDiscipline::Fifo,
            class_priority: BTreeMap::new(),
            optimistic: None,
            shards: None,
            side_effects: false,
            idempotency: None,
            replication: None,
        }
    }
}

/// A message broker. Defaults: backlog of 100,000, constant 1 ms to store.
///
/// The producer is acknowledged once the message is stored. Consumers are the services on the queue's
/// outgoing edges: each pulls a message whenever one of its workers is free, so the backlog lives here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueParams {
    /// Messages held before new ones are rejected.
    pub capacity: u32,
    /// Time to store a message before acknowledging it.
    pub ack_latency_ms: Dist,
    /// At-least-once delivery: a message whose consumer has not finished it this long after it was handed
    /// out is handed out again (the first consumer keeps working). Default: none (each message is
    /// delivered once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility_timeout_ms: Option<f64>,
    /// With a visibility timeout: deliveries of one message, the first included, after which an
    /// unfinished message is dead-lettered instead of handed out again. Default 5.
    #[serde(skip_serializing_if = "super::idempotency::is_default_max_deliveries")]
    pub max_deliveries: u32,
    /// A Kafka-like partitioned log instead of one shared backlog: partitions, keyed routing, a consumer
    /// group per outgoing edge and rebalances (`super::Topic`). Default: none (a work queue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<super::Topic>,
}

impl Default for QueueParams {
    fn default() -> Self {
        Self {
            capacity: 100_000,
            ack_latency_ms: Dist::constant(1.0),
            visibility_timeout_ms: None,
            max_deliveries: super::idempotency::DEFAULT_MAX_DELIVERIES,
            topic: None,
        }
    }
}
