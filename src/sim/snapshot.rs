//! Cheap views of the live simulation state, for drawing every frame.

use crate::metrics::RequestCounts;
use crate::model::KindTag;

/// Live state of one node.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeLive {
    /// Node kind.
    pub kind: Option<KindTag>,
    /// Busy workers / total workers right now (0..=1).
    pub utilization: f64,
    /// Requests waiting right now (a queue node: its backlog).
    pub queue_len: u64,
    /// Total waiting room (sum over replicas); 0 when unbounded or not applicable.
    pub queue_capacity: u64,
    /// Requests at the node right now (waiting + in service + awaiting downstream).
    pub in_flight: u64,
    /// False while the node is crashed.
    pub up: bool,
    /// Replicas (instances) taking new work right now; 0 while crashed or for kinds without instances.
    pub replicas: u32,
    /// True while a fault slows it, makes it fail requests, flushed it, or it warms up after a restart.
    pub degraded: bool,
    /// Completions per second over the last full bucket.
    pub throughput_rps: f64,
    /// Node-latency p99 over the last full bucket, ms (NaN when nothing completed).
    pub p99_ms: f64,
    /// For a sharded database: the shard count, and the hottest shard with its utilization over the
    /// measured time so far (a smoother figure than a shard's few connections right now).
    pub shards: Option<(u32, u32, f64)>,
    /// Duplicate side effects since the warm-up (0 for nodes that do not count them).
    pub duplicates: u64,
    /// For a cache with a write path and a key model: stale reads since the warm-up.
    pub stale_reads: u64,
    /// For a write-behind cache: acknowledged writes its crashes destroyed since the warm-up.
    pub lost_writes: u64,
}

/// Live state of one edge.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EdgeLive {
    /// Requests sent over the edge per second over the last full bucket.
    pub throughput_rps: f64,
    /// Cut by a partition fault, or its backend marked down by the balancer's health checks.
    pub down: bool,
}

/// How a sampled request in transit will end (as far as known when it was sent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DotOutcome {
    /// A request going down, or a successful response.
    Ok,
    /// An error response.
    Error,
    /// A response to a request whose client already gave up.
    Timeout,
    /// A rejection travelling back.
    Rejected,
}

/// A sampled message on an edge, for the animated dots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransitDot {
    /// Index into `scenario.edges`.
    pub edge: usize,
    /// True when travelling from `edge.to` back to `edge.from` (a response).
    pub response: bool,
    /// Departure time, ns.
    pub depart_ns: u64,
    /// Arrival time, ns.
    pub arrive_ns: u64,
    /// How it ends.
    pub outcome: DotOutcome,
}

/// A cheap copy of the live state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Simulated time, ns.
    pub time_ns: u64,
    /// Events processed so far.
    pub events: u64,
    /// Outcomes so far (after warm-up).
    pub requests: RequestCounts,
    /// Per node, in scenario order.
    pub nodes: Vec<NodeLive>,
    /// Per edge, in scenario order.
    pub edges: Vec<EdgeLive>,
}
