//! Faults: timed events on the scenario's timeline (and injected live from the app) that break a node or an
//! edge for a while. Documented in `docs/scenario-format.md`, section `Fault`.

use serde::{Deserialize, Serialize};

use super::{KindTag, Problem, Scenario};

/// A timed fault: from `at_s` for `duration_s` seconds, `kind` hits `target`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// When the fault starts, in seconds of simulated time (>= 0).
    pub at_s: f64,
    /// How long it lasts, in seconds (> 0). It ends by itself; nothing needs to undo it.
    pub duration_s: f64,
    /// The node id, or the edge written `"from->to"`.
    pub target: String,
    /// What happens.
    pub kind: FaultKind,
}

/// What a fault does. Which kinds fit which targets: see [`FaultKind::fits`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FaultKind {
    /// The node is down: arrivals fail at once (connection refused), work in progress is lost and its callers
    /// see failures. It restarts when the fault ends, then runs slow for `restart_warmup_s`.
    Crash(CrashParams),
    /// Every service time at the node is multiplied by `factor`.
    Slow(SlowParams),
    /// The node fails each request it finishes with `probability` (after doing the work).
    Errors(ErrorParams),
    /// The edge is cut: calls over it fail after `connect_timeout_ms` without reaching the callee; responses
    /// sent back over it while it is cut arrive as failures.
    Partition(PartitionParams),
    /// Every hop over the edge (request and response) takes `add_ms` longer.
    Latency(LatencyParams),
    /// A network partition inside a quorum database: its last `replicas_cut` replicas and the others cannot
    /// reach each other. A coordinator reaches only its own side (what it does without a quorum is the
    /// database's `on_partition`, the CAP choice); a write made on one side reaches the other once the split
    /// heals, a replication lag later.
    Split(SplitParams),
    /// The cache loses its contents at `at_s`. With a key model the keys are gone and refill on demand; with
    /// a fixed hit ratio the ratio starts at 0 and climbs back linearly over `duration_s` (a cold start).
    Flush,
    /// The database's read replicas fall behind: reads that need fresh data cannot use them, so every read
    /// goes to the primary for the duration.
    ReplicaLag,
    /// The client's rate is multiplied by `factor`.
    Spike(SpikeParams),
    /// A struggling dependency: service times multiplied by `factor` and requests failed with `probability`.
    Brownout(BrownoutParams),
    /// A zone or a region goes dark: every node placed in it that a `Crash` can hit (services, balancers,
    /// caches, databases) crashes at once and restarts when the outage ends. The target names a zone or a
    /// region of the topology. Clients keep sending (the users are not in the data centre).
    Outage,
}

/// Parameters of [`FaultKind::Crash`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrashParams {
    /// After the restart the node runs cold (service times multiplied by `warmup_factor`) for this long,
    /// seconds. Default 0 (back at full speed at once).
    pub restart_warmup_s: f64,
    /// Service-time multiplier while warming up after the restart. Default 3.
    pub warmup_factor: f64,
}

impl Default for CrashParams {
    fn default() -> Self {
        Self {
            restart_warmup_s: 0.0,
            warmup_factor: 3.0,
        }
    }
}

/// Parameters of [`FaultKind::Slow`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlowParams {
    /// Service-time multiplier (> 0; 2 doubles every service time). Default 2.
    pub factor: f64,
}

impl Default for SlowParams {
    fn default() -> Self {
        Self { factor: 2.0 }
    }
}

/// Parameters of [`FaultKind::Errors`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ErrorParams {
    /// Probability that a request fails, 0..=1. Default 0.5.
    pub probability: f64,
}

impl Default for ErrorParams {
    fn default() -> Self {
        Self { probability: 0.5 }
    }
}

/// Parameters of [`FaultKind::Partition`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PartitionParams {
    /// How long a caller tries to connect before the call fails, ms (>= 0). Default 1000.
    pub connect_timeout_ms: f64,
}

impl Default for PartitionParams {
    fn default() -> Self {
        Self {
            connect_timeout_ms: 1000.0,
        }
    }
}

/// Parameters of [`FaultKind::Split`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SplitParams {
    /// Replicas on the minority side (the last ones), 1 to n - 1. Default 1.
    pub replicas_cut: u32,
}

impl Default for SplitParams {
    fn default() -> Self {
        Self { replicas_cut: 1 }
    }
}

/// Parameters of [`FaultKind::Latency`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LatencyParams {
    /// Extra one-way latency per hop, ms (> 0). Default 100.
    pub add_ms: f64,
}

impl Default for LatencyParams {
    fn default() -> Self {
        Self { add_ms: 100.0 }
    }
}

/// Parameters of [`FaultKind::Spike`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpikeParams {
    /// Rate multiplier (> 0). Default 5.
    pub factor: f64,
}

impl Default for SpikeParams {
    fn default() -> Self {
        Self { factor: 5.0 }
    }
}

/// Parameters of [`FaultKind::Brownout`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BrownoutParams {
    /// Service-time multiplier (> 0). Default 3.
    pub factor: f64,
    /// Probability that a request fails, 0..=1. Default 0.2.
    pub probability: f64,
}

impl Default for BrownoutParams {
    fn default() -> Self {
        Self {
            factor: 3.0,
            probability: 0.2,
        }
    }
}

/// What a fault's target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultTarget {
    /// Index into `scenario.nodes`.
    Node(usize),
    /// Index into `scenario.edges`.
    Edge(usize),
    /// A zone or region: index into [`super::Topology::places`].
    Place(usize),
}

impl FaultKind {
    /// Every kind with its default parameters, for pickers.
    pub fn all() -> Vec<FaultKind> {
        vec![
            FaultKind::Crash(CrashParams::default()),
            FaultKind::Slow(SlowParams::default()),
            FaultKind::Errors(ErrorParams::default()),
            FaultKind::Brownout(BrownoutParams::default()),
            FaultKind::Flush,
            FaultKind::ReplicaLag,
            FaultKind::Split(SplitParams::default()),
            FaultKind::Spike(SpikeParams::default()),
            FaultKind::Partition(PartitionParams::default()),
            FaultKind::Latency(LatencyParams::default()),
            FaultKind::Outage,
        ]
    }

    /// The variant's name as written in a file (`"Crash"`).
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Crash(_) => "Crash",
            FaultKind::Slow(_) => "Slow",
            FaultKind::Errors(_) => "Errors",
            FaultKind::Partition(_) => "Partition",
            FaultKind::Latency(_) => "Latency",
            FaultKind::Flush => "Flush",
            FaultKind::ReplicaLag => "ReplicaLag",
            FaultKind::Split(_) => "Split",
            FaultKind::Spike(_) => "Spike",
            FaultKind::Brownout(_) => "Brownout",
            FaultKind::Outage => "Outage",
        }
    }

    /// Does this kind hit edges (rather than nodes)?
    pub fn on_edge(&self) -> bool {
        matches!(self, FaultKind::Partition(_) | FaultKind::Latency(_))
    }

    /// Can this kind hit a node of kind `tag`? (Edge kinds fit no node.)
    pub fn fits(&self, tag: KindTag) -> bool {
        use KindTag as K;
        match self {
            FaultKind::Crash(_) => {
                matches!(tag, K::Service | K::LoadBalancer | K::Cache | K::Database)
            }
            FaultKind::Slow(_) | FaultKind::Errors(_) | FaultKind::Brownout(_) => {
                matches!(tag, K::Service | K::Cache | K::Database)
            }
            FaultKind::Flush => tag == K::Cache,
            FaultKind::ReplicaLag | FaultKind::Split(_) => tag == K::Database,
            FaultKind::Spike(_) => tag == K::Client,
            FaultKind::Partition(_) | FaultKind::Latency(_) | FaultKind::Outage => false,
        }
    }
}

impl FaultKind {
    /// Can this kind hit this node? As [`FaultKind::fits`], and a split needs a quorum to cut apart.
    pub fn fits_node(&self, kind: &super::NodeKind) -> bool {
        match (self, kind) {
            (FaultKind::Split(_), super::NodeKind::Database(d)) => {
                d.replication.as_ref().is_some_and(|r| r.quorum.is_some())
            }
            // A quorum has no primary for the reads to fall back on.
            (FaultKind::ReplicaLag, super::NodeKind::Database(d)) => {
                d.replication.as_ref().is_none_or(|r| r.quorum.is_none())
            }
            _ => self.fits(kind.tag()),
        }
    }
}

impl Fault {
    /// Resolves the target in `s`, or says why it cannot.
    pub fn resolve(&self, s: &Scenario) -> Result<FaultTarget, String> {
        let places = s.topology.as_ref().map(|t| t.places()).unwrap_or_default();
        let place = places.iter().position(|p| *p == self.target.trim());
        if self.kind == FaultKind::Outage {
            return match place {
                Some(i) => Ok(FaultTarget::Place(i)),
                None if places.is_empty() => Err(format!(
                    "names '{}', but an Outage hits a zone or region and the scenario has no topology",
                    self.target
                )),
                None => Err(format!(
                    "names '{}', which is no zone or region of the topology (known: {})",
                    self.target,
                    places.join(", ")
                )),
            };
        }
        if place.is_some() && s.node_index(&self.target).is_none() {
            return Err(format!(
                "names zone or region '{}'; only an Outage hits a zone or region",
                self.target
            ));
        }
        if let Some((a, b)) = self.target.split_once("->") {
            let (a, b) = (a.trim(), b.trim());
            return match s.edges.iter().position(|e| e.from == a && e.to == b) {
                Some(i) => Ok(FaultTarget::Edge(i)),
                None => Err(format!("names edge '{a} -> {b}', which does not exist")),
            };
        }
        match s.node_index(&self.target) {
            Some(i) => Ok(FaultTarget::Node(i)),
            None => Err(format!(
                "names node '{}', which does not exist (an edge is written \"from->to\")",
                self.target
            )),
        }
    }

    /// The problems with this fault in `s` (empty when it can be applied). `place` names it in messages.
    pub fn problems(&self, s: &Scenario, place: &str) -> Vec<Problem> {
        let mut p = Vec::new();
        let mut bad = |field: &str, msg: String| p.push(Problem::new(place, field, msg));
        if !(self.at_s.is_finite() && self.at_s >= 0.0) {
            bad("at_s", format!("is {}; it must be >= 0 seconds", self.at_s));
        }
        if !(self.duration_s.is_finite() && self.duration_s > 0.0) {
            bad(
                "duration_s",
                format!("is {}; it must be > 0 seconds", self.duration_s),
            );
        }
        let factor = |bad: &mut dyn FnMut(&str, String), field: &str, v: f64| {
            if !(v.is_finite() && v > 0.0 && v <= 1000.0) {
                bad(
                    field,
                    format!("is {v}; a multiplier must be > 0 and <= 1000"),
                );
            }
        };
        let prob = |bad: &mut dyn FnMut(&str, String), field: &str, v: f64| {
            if !(0.0..=1.0).contains(&v) {
                bad(
                    field,
                    format!("is {v}; a probability must be between 0 and 1"),
                );
            }
        };
        match &self.kind {
            FaultKind::Crash(c) => {
                if !(c.restart_warmup_s.is_finite() && c.restart_warmup_s >= 0.0) {
                    bad(
                        "kind.restart_warmup_s",
                        format!("is {}; it must be >= 0 seconds", c.restart_warmup_s),
                    );
                }
                factor(&mut bad, "kind.warmup_factor", c.warmup_factor);
            }
            FaultKind::Slow(x) => factor(&mut bad, "kind.factor", x.factor),
            FaultKind::Spike(x) => factor(&mut bad, "kind.factor", x.factor),
            FaultKind::Errors(e) => prob(&mut bad, "kind.probability", e.probability),
            FaultKind::Brownout(b) => {
                factor(&mut bad, "kind.factor", b.factor);
                prob(&mut bad, "kind.probability", b.probability);
            }
            FaultKind::Partition(x) => {
                if !(x.connect_timeout_ms.is_finite()
                    && (0.0..=3_600_000.0).contains(&x.connect_timeout_ms))
                {
                    bad(
                        "kind.connect_timeout_ms",
                        format!("is {}; allowed: 0 to 3600000 ms", x.connect_timeout_ms),
                    );
                }
            }
            FaultKind::Latency(x) => {
                if !(x.add_ms.is_finite() && x.add_ms > 0.0 && x.add_ms <= 3_600_000.0) {
                    bad(
                        "kind.add_ms",
                        format!("is {}; allowed: > 0 and <= 3600000 ms", x.add_ms),
                    );
                }
            }
            FaultKind::Flush | FaultKind::ReplicaLag | FaultKind::Split(_) | FaultKind::Outage => {}
        }
        match self.resolve(s) {
            Ok(FaultTarget::Place(_)) => {}
            Err(m) => bad("target", m),
            Ok(FaultTarget::Edge(_)) if !self.kind.on_edge() => bad(
                "kind",
                format!(
                    "is {}, which hits a node; target '{}' is an edge",
                    self.kind.name(),
                    self.target
                ),
            ),
            Ok(FaultTarget::Node(i)) => {
                let tag = s.nodes[i].kind.tag();
                if self.kind.on_edge() {
                    bad(
                        "kind",
                        format!(
                            "is {}, which cuts or slows an edge; write the target as \"from->to\"",
                            self.kind.name()
                        ),
                    );
                } else if !self.kind.fits(tag) {
                    bad(
                        "kind",
                        format!(
                            "is {}, which does not apply to '{}' (a {}); {}",
                            self.kind.name(),
                            self.target,
                            tag.as_str(),
                            fits_hint(&self.kind)
                        ),
                    );
                } else if !self.kind.fits_node(&s.nodes[i].kind) {
                    // A database's kind fits, its replication does not (the rule is `fits_node`'s).
                    let t = &self.target;
                    let why = if matches!(self.kind, FaultKind::Split(_)) {
                        format!("cuts a quorum's replicas apart; '{t}' has no replication.quorum")
                    } else {
                        format!(
                            "sends reads to the primary; '{t}' runs a quorum, which has none (a Split cuts its replicas apart)"
                        )
                    };
                    bad("kind", format!("is {}, which {why}", self.kind.name()));
                } else if let FaultKind::Split(x) = &self.kind
                    && let Some(n) = quorum_n(s, i)
                    && !(1..n).contains(&x.replicas_cut)
                {
                    bad(
                        "kind.replicas_cut",
                        format!(
                            "is {}; allowed: 1 to n - 1 ({}) for '{}'",
                            x.replicas_cut,
                            n.saturating_sub(1),
                            self.target
                        ),
                    );
                }
            }
            Ok(FaultTarget::Edge(e)) => {
                let from = s.node(&s.edges[e].from).map(|n| n.kind.tag());
                if matches!(self.kind, FaultKind::Partition(_)) && from == Some(KindTag::Queue) {
                    bad(
                        "target",
                        format!(
                            "'{}' connects a queue to its consumer, which pulls messages rather than connecting; crash the consumer instead",
                            self.target
                        ),
                    );
                }
            }
        }
        p
    }
}

fn fits_hint(k: &FaultKind) -> &'static str {
    match k {
        FaultKind::Crash(_) => "crash a service, load balancer, cache or database",
        FaultKind::Slow(_) | FaultKind::Errors(_) | FaultKind::Brownout(_) => {
            "it applies to a service, cache or database"
        }
        FaultKind::Flush => "it applies to a cache",
        FaultKind::ReplicaLag => "it applies to a database (with read replicas)",
        FaultKind::Split(_) => "it applies to a database with a replication quorum",
        FaultKind::Spike(_) => "it applies to a client",
        FaultKind::Partition(_) | FaultKind::Latency(_) => "it applies to an edge",
        FaultKind::Outage => "it hits a zone or region of the topology",
    }
}

/// The replicas of node `i`'s quorum, if it is a database with one.
fn quorum_n(s: &Scenario, i: usize) -> Option<u32> {
    match &s.nodes.get(i)?.kind {
        super::NodeKind::Database(d) => d.replication.as_ref()?.quorum.as_ref().map(|q| q.n),
        _ => None,
    }
}

/// The problems of every fault on the scenario's timeline.
pub(super) fn check_faults(s: &Scenario) -> Vec<Problem> {
    s.faults
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.problems(s, &format!("fault #{} ({})", i + 1, f.target)))
        .collect()
}
