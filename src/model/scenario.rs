//! The scenario: everything a simulation run needs, as written in a `.ron` file.

use serde::{Deserialize, Serialize};

use super::{Dist, Fault, Node, Prices, SloSpec};

/// The scenario format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A complete, self-contained description of an architecture and its workload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Format version (currently 1). Files from a newer version are refused rather than misread.
    pub version: u32,
    /// Display name.
    pub name: String,
    /// What the design is, where its numbers come from, and what to try.
    pub description: String,
    /// Simulated time to run, in seconds. Default 60.
    pub duration_s: f64,
    /// Initial simulated time excluded from the summary statistics, in seconds. Default 5.
    pub warmup_s: f64,
    /// RNG seed: the same scenario and seed give byte-identical results everywhere. Default 1.
    pub seed: u64,
    /// The components.
    pub nodes: Vec<Node>,
    /// Directed connections: who calls whom.
    pub edges: Vec<Edge>,
    /// Timed faults (crash, slow-down, partition...): the timeline, in any order. Default: none.
    pub faults: Vec<Fault>,
    /// What each node costs (per kind and per node, currency). Default: the built-in price table.
    #[serde(skip_serializing_if = "Prices::is_empty")]
    pub prices: Prices,
    /// Objectives `archsim check` holds the design to. Default: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slo: Option<SloSpec>,
    /// Regions, zones and the latency between them; nodes name their zone. Default: none (every node in
    /// one place, edges pay only their own latency).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topology: Option<super::Topology>,
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            version: FORMAT_VERSION,
            name: "Untitled".into(),
            description: String::new(),
            duration_s: 60.0,
            warmup_s: 5.0,
            seed: 1,
            nodes: Vec::new(),
            edges: Vec::new(),
            faults: Vec::new(),
            prices: Prices::default(),
            slo: None,
            topology: None,
        }
    }
}

/// The default one-way network latency of an edge: 0.25 ms, a typical same-zone hop.
pub fn default_edge_latency() -> Dist {
    Dist::constant(0.25)
}

/// A directed connection from a caller to a callee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edge {
    /// Caller node id.
    pub from: String,
    /// Callee node id.
    pub to: String,
    /// One-way network latency, applied to the request and again to the response. Default constant 0.25 ms.
    #[serde(default = "default_edge_latency")]
    pub latency_ms: Dist,
    /// Request classes this edge carries; empty (the default) means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<String>,
    /// A circuit breaker guarding calls over this edge. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaker: Option<super::CircuitBreaker>,
    /// Per-call timeout, ms: the caller gives up on a call over this edge after this long (the callee keeps
    /// working on it) and treats it as failed. Default: none (waits forever). With `retry`, per attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// Retry a call over this edge that failed, was rejected or timed out, with backoff, jitter and an
    /// optional budget (the same policy clients use). The caller's worker stays busy meanwhile. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<super::RetryPolicy>,
    /// Probability that a request calls this edge at all (one draw per request and edge). Default 1.
    /// Only on edges from a service.
    #[serde(
        default = "super::calls::one",
        skip_serializing_if = "super::calls::is_one"
    )]
    pub probability: f64,
    /// Calls per request over this edge (one after another under `Sequential`, at once otherwise), 1 to
    /// 1000. Default 1. Only on edges from a service.
    #[serde(
        default = "super::calls::one_time",
        skip_serializing_if = "super::calls::is_one_time"
    )]
    pub times: u32,
    /// Send a second copy of a slow call and take the first answer. Default: none. Only on edges from a
    /// service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hedge: Option<super::Hedge>,
}

impl Edge {
    /// An edge with default latency and no class filter.
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Self {
            from: from.into(),
            to: to.into(),
            latency_ms: default_edge_latency(),
            classes: Vec::new(),
            breaker: None,
            timeout_ms: None,
            retry: None,
            probability: 1.0,
            times: 1,
            hedge: None,
        }
    }

    /// Does this edge carry requests of `class`?
    pub fn carries(&self, class: &str) -> bool {
        self.classes.is_empty() || self.classes.iter().any(|c| c == class)
    }
}

impl Scenario {
    /// The node with this id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Mutable access to the node with this id.
    pub fn node_mut(&mut self, id: &str) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|n| n.id == id)
    }

    /// Index of the node with this id.
    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }
}
