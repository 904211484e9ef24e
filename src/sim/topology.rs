//! Zones and regions at run time: the latency an edge pays between its ends' zones (folded into the edge at
//! build, so a hop costs one addition), the nodes an outage takes down, the nearest-healthy balancer's
//! choice, and the report of calls that crossed.

use super::ext::Ext;
use super::node::next_turn;
use super::sampler::to_ns;
use super::world::{EdgeRt, World};
use crate::metrics::{CrossingReport, HealthChange, RegionReport, TopologyReport};
use crate::model::{Crossing, FaultKind, NodeKind, Scenario, Topology};

/// `Ext::zone_of` for a node without a zone.
pub(crate) const NO_ZONE: u16 = u16::MAX;

/// How far a backend without a zone is from anywhere: behind every placed one, still usable.
const UNPLACED_NS: u64 = u64::MAX / 4;

/// The one-way latency the topology adds to every hop from node index `from` to `to`, ns.
pub(crate) fn edge_extra_ns(s: &Scenario, from: u32, to: u32) -> u64 {
    let Some(t) = &s.topology else {
        return 0;
    };
    let zone = |i: u32| s.nodes.get(i as usize).and_then(|n| n.zone.as_deref());
    to_ns(t.between(zone(from), zone(to)).1 * 1e6)
}

/// Fills the topology's tables in `ext` (outage members, zone indices and distances). True when the run
/// has a topology; a scenario without one pays nothing.
pub(crate) fn build(s: &Scenario, edges: &[EdgeRt], ext: &mut Ext) -> bool {
    let Some(t) = &s.topology else {
        return false;
    };
    let zones: Vec<&str> = t.zones().collect();
    ext.zone_of = s
        .nodes
        .iter()
        .map(|n| {
            n.zone
                .as_deref()
                .and_then(|z| zones.iter().position(|x| *x == z))
                .map_or(NO_ZONE, |i| i as u16)
        })
        .collect();
    ext.zone_region = zones
        .iter()
        .map(|z| t.region_of(z).map_or(NO_ZONE, |r| r as u16))
        .collect();
    ext.zone_ns = zones
        .iter()
        .map(|a| {
            zones
                .iter()
                .map(|b| to_ns(t.between(Some(a), Some(b)).1 * 1e6))
                .collect()
        })
        .collect();
    let crash = FaultKind::Crash(Default::default());
    ext.places = t
        .places()
        .iter()
        .map(|p| {
            t.members(s, p)
                .unwrap_or_default()
                .into_iter()
                .filter(|&i| crash.fits(s.nodes[i].kind.tag()))
                .map(|i| i as u32)
                .collect()
        })
        .collect();
    // A zone-less balancer is DNS or anycast, a zone-less CDN is at its users' edges: both are where
    // the user is.
    let global: Vec<bool> = s
        .nodes
        .iter()
        .map(|n| {
            n.zone.is_none()
                && match &n.kind {
                    NodeKind::LoadBalancer(_) => true,
                    NodeKind::Cache(c) => c.per_region,
                    NodeKind::Client(_)
                    | NodeKind::Service(_)
                    | NodeKind::Database(_)
                    | NodeKind::Queue(_)
                    | NodeKind::RateLimiter(_)
                    | NodeKind::Gateway(_) => false,
                }
        })
        .collect();
    if global.contains(&true) {
        ext.geo_edges = edges
            .iter()
            .map(|e| global.get(e.from as usize).copied().unwrap_or(false))
            .collect();
    }
    true
}

/// The route slot a nearest-healthy balancer sends to: among the backends its health checks hold up, the
/// ones nearest to `from` (a zone index), taking turns (`rr`) among equals. With every backend marked down
/// it fails open and picks among all of them the same way.
pub(crate) fn nearest_slot(
    ext: &Ext,
    edges: &[EdgeRt],
    route: &[u32],
    from: u16,
    rr: &mut u32,
) -> u32 {
    let dist = |e: u32| -> u64 {
        if from == NO_ZONE {
            return 0;
        }
        let to = ext
            .zone_of
            .get(edges[e as usize].to as usize)
            .copied()
            .unwrap_or(NO_ZONE);
        if to == NO_ZONE {
            return UNPLACED_NS;
        }
        ext.zone_ns[from as usize][to as usize]
    };
    let up = |e: u32| !ext.unhealthy.get(e as usize).copied().unwrap_or(false);
    let any_up = route.iter().any(|&e| up(e));
    let usable = |e: u32| !any_up || up(e);
    let best = route
        .iter()
        .filter(|&&e| usable(e))
        .map(|&e| dist(e))
        .min()
        .unwrap_or(0);
    let nearest = |&(_, &e): &(usize, &u32)| usable(e) && dist(e) == best;
    let count = route.iter().enumerate().filter(nearest).count() as u32;
    let k = next_turn(rr, count.max(1));
    route
        .iter()
        .enumerate()
        .filter(nearest)
        .nth(k as usize)
        .map_or(0, |(i, _)| i as u32)
}

impl World {
    /// The latency a hop over `edge` pays on top of the edge's own when it leaves a global (zone-less)
    /// balancer in a design with zones: from the request's client's zone to the backend's, ns. Such a
    /// balancer is DNS or anycast: it is where the user is, so the user's distance to the region it picks
    /// is paid on this hop, both ways.
    #[inline]
    pub(crate) fn geo_ns(&self, call: u32, edge: u32) -> u64 {
        self.geo_hop(call, edge).0
    }

    /// [`Self::geo_ns`] for a request's hop, counting it as a call between zones or regions (after the
    /// warm-up): the edge's ends say nothing of where such a call goes.
    pub(crate) fn geo_send_ns(&mut self, call: u32, edge: u32) -> u64 {
        let (ns, crossing) = self.geo_hop(call, edge);
        if ns > 0 && self.now >= self.warmup_ns {
            match crossing {
                Crossing::Zone => self.ext.geo_calls[0] += 1,
                Crossing::Region => self.ext.geo_calls[1] += 1,
                Crossing::Local => {}
            }
        }
        ns
    }

    fn geo_hop(&self, call: u32, edge: u32) -> (u64, Crossing) {
        if !self
            .ext
            .geo_edges
            .get(edge as usize)
            .copied()
            .unwrap_or(false)
        {
            return (0, Crossing::Local);
        }
        let from = self.origin_zone(call, u32::MAX);
        let to = self.ext.zone_of[self.edges[edge as usize].to as usize];
        if from == NO_ZONE || to == NO_ZONE || from == to {
            return (0, Crossing::Local);
        }
        let same_region = self.ext.zone_region[from as usize] == self.ext.zone_region[to as usize];
        let crossing = if same_region {
            Crossing::Zone
        } else {
            Crossing::Region
        };
        (self.ext.zone_ns[from as usize][to as usize], crossing)
    }

    /// The zone a nearest-healthy balancer measures from for `call`: its request's client's zone, else the
    /// balancer's own.
    pub(crate) fn origin_zone(&self, call: u32, lb: u32) -> u16 {
        let zone = |n: u32| self.ext.zone_of.get(n as usize).copied().unwrap_or(NO_ZONE);
        match zone(self.origin_client(call)) {
            NO_ZONE => zone(lb),
            z => z,
        }
    }

    /// The calls that crossed zones and regions, for the report.
    pub(crate) fn topology_report(&self, s: &Scenario) -> Option<TopologyReport> {
        let t: &Topology = s.topology.as_ref()?;
        let mut r = TopologyReport::default();
        for (i, e) in s.edges.iter().enumerate() {
            let rt = &self.edges[i];
            let calls = rt.sends_total + rt.bucket_sends as u64 - rt.sends_warm;
            let zone = |i: u32| s.nodes.get(i as usize).and_then(|n| n.zone.as_deref());
            let (c, ms) = t.between(zone(rt.from), zone(rt.to));
            match c {
                Crossing::Local => r.local_calls += calls,
                Crossing::Zone => r.cross_zone_calls += calls,
                Crossing::Region => r.cross_region_calls += calls,
            }
            if c != Crossing::Local {
                r.crossings.push(CrossingReport {
                    from: e.from.clone(),
                    to: e.to.clone(),
                    crossing: c.as_str().into(),
                    added_ms: ms,
                    calls,
                });
            }
        }
        // Calls from a global balancer went where its users are: between zones or regions.
        let [zone, region] = self.ext.geo_calls;
        r.local_calls -= (zone + region).min(r.local_calls);
        r.cross_zone_calls += zone;
        r.cross_region_calls += region;
        r.regions = t
            .regions
            .iter()
            .map(|reg| RegionReport {
                name: reg.name.clone(),
                zones: reg.zones.clone(),
                nodes: t
                    .members(s, &reg.name)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|i| s.nodes[i].id.clone())
                    .collect(),
            })
            .collect();
        Some(r)
    }

    /// Balancer `lb`'s health changes, the first 100 (None without health checks or changes).
    pub(crate) fn health_changes(&self, lb: usize) -> Option<Vec<HealthChange>> {
        let v: Vec<HealthChange> = self
            .ext
            .health_log
            .iter()
            .filter(|(e, _, _)| self.edges[*e as usize].from as usize == lb)
            .take(100)
            .map(|&(e, at, up)| HealthChange {
                backend: self.ids[self.edges[e as usize].to as usize].clone(),
                at_s: at as f64 / 1e9,
                up,
            })
            .collect();
        (!v.is_empty()).then_some(v)
    }
}
