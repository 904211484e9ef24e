//! The scenario model: types, RON load/save, validation. Never imports the UI or reads the clock.

mod cache_policy;
mod calls;
mod cost;
mod dist;
mod error;
mod extras;
mod fault;
mod gateway;
pub mod graph;
mod idempotency;
mod io;
pub mod layout;
pub mod limits;
pub mod lint;
mod node;
mod overrides;
pub mod presets;
mod replication;
mod resilience;
mod run_spec;
mod scenario;
mod shards;
pub mod share;
mod topic;
pub mod topology;
mod trace;
mod traffic;
mod validate;
mod validate_client;

pub use cache_policy::{
    CacheWrites, MAX_BATCH_SIZE, MAX_FLUSH_INTERVAL_MS, OnWrite, WriteBehindParams, WritePolicy,
};
pub use calls::{CallPattern, HEDGE_WINDOW, Hedge, HedgeAfter, MAX_CALL_TIMES};
pub use cost::{HOURS_PER_MONTH, MAX_PRICE, Price, Prices, ResolvedPrice, SloSpec, default_price};
pub use dist::Dist;
pub use error::{Problem, ScenarioError};
pub use extras::{Autoscale, HealthCheck, KeyModel, MAX_KEYS};
pub use fault::{
    BrownoutParams, CrashParams, ErrorParams, Fault, FaultKind, FaultTarget, LatencyParams,
    PartitionParams, SlowParams, SpikeParams, SplitParams,
};
pub use gateway::{GatewayParams, MAX_AUTH_CACHE_TTL_S, MAX_GATEWAY_ZIPF};
pub use idempotency::{
    DEFAULT_MAX_DELIVERIES, Idempotency, MAX_DELIVERIES, MAX_TTL_S, MAX_VISIBILITY_MS,
};
#[cfg(not(target_arch = "wasm32"))]
pub use io::{check_writable, save, write_atomic};
pub use io::{from_str, load, parse, read, to_string};
pub use node::{
    Arrival, CacheParams, ClassWeight, ClientParams, DatabaseParams, KindTag, LbPolicy,
    LoadBalancerParams, Node, NodeKind, Optimistic, QueueParams, ServiceParams,
};
pub use overrides::apply_override;
pub use replication::{MAX_QUORUM_N, MAX_READ_YOUR_WRITES_MS, OnPartition, Quorum, Replication};
pub use resilience::{
    CircuitBreaker, Jitter, LimitAlgorithm, MAX_BACKOFF_MS, MAX_PRIORITY, MAX_RETRIES,
    MAX_TIMEOUT_MS, QueueDiscipline, RateLimiterParams, RetryBudget, RetryPolicy, breaker_problems,
    limiter_problems, retry_problems, timeout_problem,
};
pub use run_spec::{RunSpec, ValidScenario};
pub use scenario::{Edge, FORMAT_VERSION, Scenario, default_edge_latency};
pub use shards::{
    HashRing, MAX_SHARD_INSTANCES, MAX_SHARDS, MAX_VNODES, ShardRouting, Shards, hash_shard, mix64,
};
pub use topic::{MAX_PARTITIONS, MAX_REBALANCE_MS, Topic};
pub use topology::{Crossing, Link, Region, Topology};
pub use trace::{inline_traces, parse_trace};
pub use traffic::{MAX_MULTIPLIER, Profile};
pub use validate::{MAX_COUNT, MAX_DURATION_S, MAX_RATE_RPS, ensure_valid, validate};
