//! What a run's topology did: calls between zones and regions, and the health checks that failed traffic
//! over.

use serde::{Deserialize, Serialize};

/// The regions and zones of a run and the calls that crossed between them (after the warm-up).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopologyReport {
    /// Calls (requests sent over an edge) that stayed in one zone, or had an end without a zone.
    pub local_calls: u64,
    /// Calls between two zones of one region.
    pub cross_zone_calls: u64,
    /// Calls between two regions.
    pub cross_region_calls: u64,
    /// Each region, its zones and the nodes placed in them.
    pub regions: Vec<RegionReport>,
    /// Every edge whose ends are in different zones, with the latency it adds.
    pub crossings: Vec<CrossingReport>,
}

/// One region of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegionReport {
    /// Its name.
    pub name: String,
    /// Its zones.
    pub zones: Vec<String>,
    /// The nodes placed in its zones, in scenario order.
    pub nodes: Vec<String>,
}

/// An edge between zones.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CrossingReport {
    /// Caller.
    pub from: String,
    /// Callee.
    pub to: String,
    /// `"zone"` (two zones of one region) or `"region"`.
    pub crossing: String,
    /// One-way latency the topology adds to each hop, ms.
    pub added_ms: f64,
    /// Calls over it after the warm-up.
    pub calls: u64,
}

/// A balancer's health checks marked a backend down or up again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthChange {
    /// The backend (the edge's callee).
    pub backend: String,
    /// When, seconds of simulated time.
    pub at_s: f64,
    /// Marked up (true) or down (false).
    pub up: bool,
}
