//! The run report: what the CLI prints, `--json` writes and the app's results panel shows.
//! Field names are stable and documented in `docs/report-format.md`.

use serde::{Deserialize, Serialize};

/// Request outcomes, counted per request issued after the warm-up.
/// Conservation: `offered = succeeded + failed + timed_out + rejected + rate_limited + in_flight`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestCounts {
    /// Requests the clients issued.
    pub offered: u64,
    /// Answered successfully within the client's timeout.
    pub succeeded: u64,
    /// Answered with an error (a node's `error_probability`, or nowhere to route).
    pub failed: u64,
    /// The client gave up (its timeout passed first); the servers may still be working on it.
    pub timed_out: u64,
    /// Refused because a queue was full.
    pub rejected: u64,
    /// Issued but not yet resolved when the run stopped.
    pub in_flight: u64,
    /// Refused by a rate limiter (HTTP 429).
    pub rate_limited: u64,
    /// Extra attempts clients sent for these requests (their `retry` policies): the callee sees
    /// `offered + retries` attempts. Not part of the conservation law.
    pub retries: u64,
}

/// Latency percentiles in milliseconds, from an hdrhistogram (3 significant digits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LatencySummary {
    /// Number of samples.
    pub count: u64,
    /// Arithmetic mean (exact, not from buckets).
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest sample.
    pub max: f64,
}

/// Per-node results over the measured window (after warm-up).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeReport {
    /// Node id.
    pub id: String,
    /// Kind, snake_case (`"service"`, `"load_balancer"`...).
    pub kind: String,
    /// Time-averaged busy workers / total workers (0 for kinds without workers).
    pub utilization: f64,
    /// Time-averaged number waiting (for a queue node: its backlog).
    pub mean_queue_len: f64,
    /// Most waiting at once.
    pub max_queue_len: u64,
    /// Requests that reached the node.
    pub arrivals: u64,
    /// Requests the node answered, whatever the outcome (including errors and rejections from further
    /// down); its own refusals are in `rejected`. `arrivals = completed + rejected + still at the node`.
    pub completed: u64,
    /// Requests refused because its queue was full.
    pub rejected: u64,
    /// Requests that failed here (error probability, or no route).
    pub failed: u64,
    /// Retries this node sent (a client's retry policy).
    pub retries: u64,
    /// Completions per second.
    pub throughput_rps: f64,
    /// Time-averaged requests at the node (waiting + in service + waiting on downstream calls): Little's L.
    pub mean_in_system: f64,
    /// Time from arrival at the node to its response leaving it (for a queue: to the acknowledgement).
    pub latency_ms: LatencySummary,
    /// For a queue: time from enqueue until a consumer finished processing the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_ms: Option<LatencySummary>,
    /// For a database with optimistic concurrency: conditional writes tried. For a cache with a write
    /// path: writes acknowledged (by the store, or by the cache under write-behind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writes: Option<u64>,
    /// For a database with optimistic concurrency: conditional writes that failed on a version conflict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<u64>,
    /// For a database with `replication`: read queries answered (by the primary or a replica). For a
    /// cache with a write path and a key model: reads answered (hits, and misses once filled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reads: Option<u64>,
    /// For a database with `replication`: of those, reads the primary answered (no replicas, a
    /// `ReplicaLag` fault, or read-your-writes); never stale. Absent with a quorum (no primary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_reads: Option<u64>,
    /// For a database with `replication`: reads a replica answered while a write to their key that had
    /// committed on the primary was not yet applied there. For a cache with a write path and a key model:
    /// reads answered with an older value than the latest write acknowledged for the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_reads: Option<u64>,
    /// For a database with a replication `quorum`: queries refused because their coordinator reached
    /// fewer than R (reads) or W (writes) replicas (`on_partition: Refuse`); also counted in `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quorum_errors: Option<u64>,
    /// For an autoscaled service: replicas billed, time-averaged over the measured window (serving plus
    /// starting ones: a new replica is paid for from the moment the autoscaler asks for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billed_replicas: Option<f64>,
    /// For a sharded database: each shard's figures, shard 0 first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shards: Option<Vec<ShardReport>>,
    /// For a sharded database: the shard with the highest utilization (the first of equals), the one that
    /// saturates first as load rises.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hottest_shard: Option<u32>,
    /// A topic's partitions and consumer groups (queues with a `topic` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<TopicReport>,
    /// For a client of closed-loop users: the figures of the interactive response time law.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_loop: Option<ClosedLoopReport>,
    /// For a node counting side effects (a database with `side_effects` or `idempotency`, a consumer of a
    /// queue with a visibility timeout): committed writes or finished messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side_effects: Option<u64>,
    /// Of those, side effects of a logical request beyond its first at this node (e.g. double charges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicates: Option<u64>,
    /// For a database with `idempotency`: repeats of a remembered key answered without a side effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deduplicated: Option<u64>,
    /// For a queue with a visibility timeout: messages handed out again after the timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redelivered: Option<u64>,
    /// For a queue with a visibility timeout: messages given up after `max_deliveries` hand-outs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_lettered: Option<u64>,
    /// For a write-behind cache: acknowledged writes a crash destroyed before they were flushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_writes: Option<u64>,
    /// For a balancer with health checks: when it marked backends down and up (the first 100 changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Vec<super::HealthChange>>,
    /// For a gateway: its authentications, per-key 429s and routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<GatewayReport>,
}

/// A gateway over the measured window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GatewayReport {
    /// Authentications finished (every request that got a worker; the throttled ones included).
    pub authenticated: u64,
    /// Of those, keys found in the validation cache (only with `auth_cache_ttl_s`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_cache_hits: Option<u64>,
    /// Requests its per-key limit answered with a 429 (also in the node's `rejected`, and in the clients'
    /// `rate_limited`).
    pub rate_limited: u64,
    /// Distinct keys that had at least one 429.
    pub keys_throttled: u64,
    /// The most throttled keys (at most 5), the most 429s first, the lower key among equals.
    pub top_throttled: Vec<KeyThrottled>,
    /// Requests sent on, per outgoing edge in file order.
    pub routed: Vec<Routed>,
    /// Requests no outgoing edge carried (their class has no route): failed, like a 404.
    pub unrouted: u64,
}

/// One throttled API key of a gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyThrottled {
    /// The key, from 0 (the most popular under a Zipf popularity).
    pub key: u32,
    /// Its 429s.
    pub rate_limited: u64,
}

/// Requests a gateway sent to one backend.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Routed {
    /// The backend (the edge's callee).
    pub backend: String,
    /// Requests sent over the edge (once each, whatever the edge's own retries).
    pub requests: u64,
}

/// A closed-loop client over the measured window: N users, mean think time Z, throughput X and mean
/// response time R, so that the interactive response time law R = N / X - Z can be checked (it holds up to
/// the requests in flight at the window's ends).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClosedLoopReport {
    /// Users at the end of the run (the file's users x load, rounded).
    pub users: u32,
    /// Mean think time drawn after the warm-up, ms.
    pub think_time_ms: f64,
    /// Requests that reached their final outcome (any outcome) after the warm-up, per second.
    pub throughput_rps: f64,
    /// Their mean response time (issue to final outcome, retries and timeouts included), ms.
    pub response_ms: f64,
    /// N / X - Z, ms: what the law says the mean response time is.
    pub law_response_ms: f64,
}

impl NodeReport {
    /// Names the hottest shard from the per-shard rows, if there are any.
    pub fn with_hottest_shard(mut self) -> Self {
        self.hottest_shard = self.shards.as_ref().and_then(|v| {
            v.iter()
                .fold(None::<&ShardReport>, |best, s| match best {
                    Some(b) if b.utilization >= s.utilization => Some(b),
                    _ => Some(s),
                })
                .map(|s| s.shard)
        });
        self
    }
}

/// A topic's partitions and consumer groups over the measured window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicReport {
    /// The partition that received the most messages (the lowest number among equals).
    pub hottest_partition: u32,
    /// Per partition, in partition order.
    pub partitions: Vec<PartitionReport>,
    /// Per consumer group (one per outgoing edge), in edge order.
    pub groups: Vec<GroupReport>,
}

/// One partition of a topic.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartitionReport {
    /// Its number, from 0.
    pub partition: u32,
    /// Messages appended.
    pub messages: u64,
    /// Its share of the topic's messages.
    pub share: f64,
    /// Messages appended per second.
    pub rate_rps: f64,
    /// The largest lag any group had on it.
    pub max_lag: u64,
}

/// One consumer group of a topic: the service on one of its outgoing edges.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupReport {
    /// The consumer service.
    pub consumer: String,
    /// Members the partitions are shared among at the end (the service's active replicas).
    pub members: u32,
    /// Members with no partition (more members than partitions).
    pub idle_members: u32,
    /// Messages appended that the group has not finished, at the end.
    pub lag: u64,
    /// The largest lag, summed over partitions, and when it was reached (seconds of simulated time).
    pub max_lag: u64,
    /// When `max_lag` was reached.
    pub max_lag_at_s: f64,
    /// When the group caught up after its peak: the lag first fell back to at most one message per
    /// partition (those in flight). Absent if it has not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drained_at_s: Option<f64>,
    /// Stopped for a rebalance at the end.
    pub paused: bool,
    /// Rebalances (pauses after a change of membership).
    pub rebalances: u64,
    /// Hand-outs of messages.
    pub delivered: u64,
    /// Messages handed out again: after a failure, a visibility timeout or a rebalance.
    pub redelivered: u64,
    /// Messages given up after `max_deliveries` failed hand-outs.
    pub dead_lettered: u64,
}

/// One shard of a sharded database over the measured window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShardReport {
    /// Shard index, 0 to count - 1.
    pub shard: u32,
    /// Queries routed to it.
    pub arrivals: u64,
    /// Queries it answered.
    pub completed: u64,
    /// Connection time of the queries it started / (its connections x the window): the busy share of its
    /// primary's and replicas' pools.
    pub utilization: f64,
    /// Mean queries waiting for a connection: their summed waits / the window (Little's law).
    pub mean_queue_len: f64,
    /// Arrival at the shard to the answer.
    pub latency_ms: LatencySummary,
}

/// Time series in fixed buckets. Every vector has one entry per bucket.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeriesReport {
    /// Bucket width in seconds (1 s unless the run was long enough to coarsen it).
    pub bucket_s: f64,
    /// Start of each bucket, seconds of simulated time.
    pub t_s: Vec<f64>,
    /// Requests issued per second.
    pub offered_rps: Vec<f64>,
    /// Successful responses per second.
    pub succeeded_rps: Vec<f64>,
    /// Errors per second.
    pub failed_rps: Vec<f64>,
    /// Client timeouts per second.
    pub timed_out_rps: Vec<f64>,
    /// Rejections per second.
    pub rejected_rps: Vec<f64>,
    /// Retries sent per second: `offered_rps + retries_rps` is the load the system sees.
    pub retries_rps: Vec<f64>,
    /// Requests refused by a rate limiter (429) per second.
    pub rate_limited_rps: Vec<f64>,
    /// End-to-end latency percentiles of requests that completed in the bucket (NaN, `null` in JSON, when
    /// none did).
    #[serde(deserialize_with = "nullable_f64s")]
    pub p50_ms: Vec<f64>,
    /// 95th percentile.
    #[serde(deserialize_with = "nullable_f64s")]
    pub p95_ms: Vec<f64>,
    /// 99th percentile.
    #[serde(deserialize_with = "nullable_f64s")]
    pub p99_ms: Vec<f64>,
    /// Per node, in scenario order.
    pub nodes: Vec<NodeSeries>,
}

/// One node's time series.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NodeSeries {
    /// Node id.
    pub id: String,
    /// Time-averaged utilization in the bucket.
    pub utilization: Vec<f64>,
    /// Time-averaged queue length in the bucket.
    pub queue_len: Vec<f64>,
    /// Completions per second.
    pub throughput_rps: Vec<f64>,
    /// 99th percentile of the node's own latency (NaN, `null` in JSON, when nothing completed).
    #[serde(deserialize_with = "nullable_f64s")]
    pub p99_ms: Vec<f64>,
    /// A cache's hit ratio (0 to 1): 1 - calls it sent to its backing store / lookups it answered, so a
    /// flush shows as a fall and a climb back. Only for caches (absent from JSON for other kinds); NaN,
    /// `null` in JSON, in a bucket with no lookups.
    #[serde(
        default,
        deserialize_with = "nullable_f64s",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub hit_ratio: Vec<f64>,
    /// Stale reads per second, for a node that counts them (a cache with a write path and a key model, a
    /// database with replication); absent from JSON for other nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stale_reads_rps: Vec<f64>,
    /// Duplicate side effects per second (a retry or a redelivery repeating a charge), for a node that
    /// counts side effects; absent from JSON for other nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates_rps: Vec<f64>,
    /// A topic's lag per consumer group at the end of each bucket, in edge order; absent from JSON for
    /// other nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_lag: Vec<GroupLagSeries>,
}

/// One consumer group's lag over time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupLagSeries {
    /// The group's consumer service.
    pub consumer: String,
    /// Messages appended that the group had not finished, at the end of each bucket.
    pub lag: Vec<f64>,
}

/// A fault that ran (or is running) during the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultReport {
    /// The node id, or the edge as `"from->to"`.
    pub target: String,
    /// The fault kind's name (`"Crash"`, `"Slow"`...).
    pub kind: String,
    /// When it started, seconds of simulated time.
    pub start_s: f64,
    /// When it ended, or will end if it is still running, seconds.
    pub end_s: f64,
    /// Injected live from the app rather than read from the scenario's timeline.
    pub live: bool,
}

/// One edge's calls over the measured window (after the warm-up).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EdgeReport {
    /// Caller node id.
    pub from: String,
    /// Callee node id.
    pub to: String,
    /// Calls sent over the edge, every retry included (calls an open breaker failed at once are not sent).
    pub calls: u64,
    /// Calls whose answer was not a success (errors, rejections, rate limits) or that timed out. Counted only
    /// on edges with a timeout, retry policy or breaker (`null` on the others: counting there would cost
    /// every call).
    pub failures: Option<u64>,
    /// Calls the caller gave up on after the edge's `timeout_ms` (also in `failures`); `null` as above.
    pub timeouts: Option<u64>,
    /// Retries sent (also in `calls`); `null` as above.
    pub retries: Option<u64>,
    /// The edge's circuit breaker, if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaker: Option<BreakerReport>,
    /// Hedged calls' second copies sent (also in `calls`); left out on edges without a hedge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hedges: Option<u64>,
}

/// A circuit breaker's state at the end of the run and what it did over the measured window.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BreakerReport {
    /// `"closed"`, `"open"` or `"half_open"`.
    pub state: String,
    /// Times it opened.
    pub opens: u64,
    /// Calls it failed at once while open (or half-open with its probes taken).
    pub fast_failed: u64,
    /// Time spent open, seconds.
    pub time_open_s: f64,
}

/// A complete run report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// RNG seed used.
    pub seed: u64,
    /// Load multiplier applied to every client's rate.
    pub load: f64,
    /// Simulated time reached, seconds.
    pub sim_time_s: f64,
    /// Warm-up excluded from the summary, seconds.
    pub warmup_s: f64,
    /// Events processed.
    pub events: u64,
    /// Request outcomes.
    pub requests: RequestCounts,
    /// End-to-end latency of successful requests.
    pub latency_ms: LatencySummary,
    /// Successful requests per second over the measured window.
    pub throughput_rps: f64,
    /// Requests issued per second over the measured window.
    pub offered_rps: f64,
    /// Per node, in scenario order.
    pub nodes: Vec<NodeReport>,
    /// Time series.
    pub series: SeriesReport,
    /// Wall-clock seconds the run took (filled in by the caller; the engine never reads the clock).
    pub wall_time_s: f64,
    /// Faults that started during the run, in the order they were added (left out of the JSON when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultReport>,
    /// Per edge, in scenario order.
    pub edges: Vec<EdgeReport>,
    /// When some client sends a `Batch`: the simulated time, ms, at which the last request issued after the
    /// warm-up got its final outcome (the batch's completion time), if every one has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_resolved_ms: Option<f64>,
    /// Set when the run was ended before its end time by a governor (memory, events at one instant, wall
    /// time): the limit, the node that drove it and the simulated time. The figures are then partial, up to
    /// `sim_time_s`. Left out of the JSON for a run that reached its end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// What the design costs at the measured traffic (`docs/cost-model.md`); filled in by
    /// `Simulation::report` from the scenario's prices, never by the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<super::CostReport>,
    /// Calls between zones and regions. Only with a `topology`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topology: Option<super::TopologyReport>,
}

/// JSON has no NaN: serde_json writes it as `null`; read `null` back as NaN so a saved report loads again.
fn nullable_f64s<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let v: Vec<Option<f64>> = Deserialize::deserialize(d)?;
    Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
}
