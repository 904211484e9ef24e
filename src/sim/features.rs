//! Which optional machinery a run uses, decided once when it is built (a live fault adds [`Feature::Faults`]).
//!
//! The engine's handlers take the optional paths (`src/sim/ext.rs`) only when the set is not empty, so a
//! scenario that uses none of it pays one predictable branch per handler. Naming the features, rather than
//! keeping one flag, lets `Simulation::features` and the tests say which ones a run switched on: the
//! benchmark workloads must run with none (docs/benchmarks.md).

/// One part of the optional machinery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Feature {
    /// Zones and regions: latency between places, global balancers, outages (`src/sim/topology.rs`).
    Topology,
    /// A node's optional state: health checks, key models, cache write paths, autoscaling, optimistic
    /// writes, shards, replication, consistent hashing, a queueing leaky bucket (the kinds' `build_ext`).
    NodeState,
    /// Call plans: parallel calls, call probabilities, repeats, hedges (`src/sim/fanout.rs`).
    CallPlans,
    /// Side effects counted at services, idempotency keys (`src/sim/idem.rs`).
    SideEffects,
    /// Edge timeouts and retries, answered through attempt stubs (`src/sim/edge_guard.rs`).
    EdgeGuards,
    /// Faults on the timeline or injected live (`src/sim/faults.rs`).
    Faults,
}

impl Feature {
    /// Every feature, in the order reports list them.
    pub const ALL: [Feature; 6] = [
        Feature::Topology,
        Feature::NodeState,
        Feature::CallPlans,
        Feature::SideEffects,
        Feature::EdgeGuards,
        Feature::Faults,
    ];

    /// Its name in messages (`Features::names`).
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Topology => "topology",
            Feature::NodeState => "node state",
            Feature::CallPlans => "call plans",
            Feature::SideEffects => "side effects",
            Feature::EdgeGuards => "edge timeouts and retries",
            Feature::Faults => "faults",
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of [`Feature`]s, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features(u8);

impl Features {
    /// The set with `f` added when `on`.
    #[must_use]
    pub fn with_if(self, f: Feature, on: bool) -> Self {
        if on { Self(self.0 | f.bit()) } else { self }
    }

    /// Every feature of either set.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether `f` is in the set.
    pub fn has(self, f: Feature) -> bool {
        self.0 & f.bit() != 0
    }

    /// No optional machinery: the engine's plain paths only.
    #[inline(always)]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The features in the set, in [`Feature::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = Feature> {
        Feature::ALL.into_iter().filter(move |f| self.has(*f))
    }

    /// The names, comma-separated, or "none".
    pub fn names(self) -> String {
        if self.is_empty() {
            return "none".into();
        }
        self.iter()
            .map(Feature::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_holds_what_was_added_in_order() {
        let f = Features::default()
            .with_if(Feature::Faults, true)
            .with_if(Feature::Topology, true)
            .with_if(Feature::CallPlans, false);
        assert!(f.has(Feature::Faults) && f.has(Feature::Topology));
        assert!(!f.has(Feature::CallPlans) && !f.is_empty());
        assert_eq!(f.names(), "topology, faults");
        assert_eq!(Features::default().names(), "none");
        // Every feature has its own bit.
        let all = Feature::ALL
            .iter()
            .fold(Features::default(), |s, &f| s.with_if(f, true));
        assert_eq!(all.iter().count(), Feature::ALL.len());
    }
}
