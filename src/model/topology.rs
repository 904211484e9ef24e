//! Where nodes run: regions made of zones, and the network latency a call pays to go between them.
//! Documented in `docs/scenario-format.md`, section `Topology`, with the measurements behind the defaults.

use serde::{Deserialize, Serialize};

use super::{Problem, Scenario};

/// Default one-way latency added to a hop between two zones of one region, ms: half the round trip of
/// about 1 ms that measurements between AWS availability zones give (0.25 to 3.4 ms, best of 50 pings).
pub const DEFAULT_CROSS_ZONE_MS: f64 = 0.5;
/// Default one-way latency added to a hop between two regions the built-in table does not know, ms: half
/// of an 80 ms round trip, about US East to Western Europe or to the US West Coast.
pub const DEFAULT_CROSS_REGION_MS: f64 = 40.0;
/// The largest one-way latency a zone or region pair may be given, ms (half the Earth's circumference
/// in fibre is about 100 ms; a satellite hop is about 300).
pub const MAX_LINK_MS: f64 = 1000.0;
/// Most zones and regions a topology may declare (the engine keeps a zone-by-zone latency table).
pub const MAX_PLACES: usize = 256;

/// Round trips between AWS regions, ms, as measured and published in "Latency Between AWS Global Regions"
/// (averages of pings between EC2 instances; tabulated in docs/scenario-format.md). A pair of regions
/// named by these codes uses half the round trip as its one-way latency unless `links` says otherwise.
pub const KNOWN_RTT_MS: &[(&str, &str, f64)] = &[
    ("us-east-1", "us-west-1", 72.7),
    ("us-east-1", "us-west-2", 87.0),
    ("us-east-1", "eu-west-1", 80.5),
    ("us-east-1", "eu-central-1", 88.7),
    ("us-east-1", "ap-northeast-1", 145.3),
    ("us-east-1", "ap-southeast-1", 216.7),
    ("us-east-1", "ap-southeast-2", 230.0),
    ("us-east-1", "sa-east-1", 119.5),
    ("us-west-1", "us-west-2", 19.5),
    ("us-west-2", "eu-west-1", 137.0),
    ("us-west-2", "ap-northeast-1", 89.1),
    ("eu-west-1", "eu-central-1", 19.6),
    ("eu-west-1", "ap-northeast-1", 212.4),
    ("ap-northeast-1", "ap-southeast-1", 73.8),
    ("ap-northeast-1", "ap-northeast-2", 31.4),
];

/// The regions and zones of a design and the latency between them. Nodes name their zone (`Node::zone`);
/// a call between nodes in different zones pays the one-way latency here on top of its edge's own
/// `latency_ms` (which stays the hop inside a zone), on the way there and again on the way back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Topology {
    /// The regions, each with its zones. Zone and region names are unique across the topology.
    pub regions: Vec<Region>,
    /// One-way latency added between two zones of one region, ms (0 to 1000). Default 0.5.
    pub cross_zone_ms: f64,
    /// One-way latency added between two regions that neither `links` nor the built-in table of AWS
    /// region codes gives, ms (0 to 1000). Default 40.
    pub cross_region_ms: f64,
    /// One-way latencies between named regions, overriding `cross_region_ms` and the built-in table.
    /// Default: none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
}

impl Default for Topology {
    fn default() -> Self {
        Self {
            regions: Vec::new(),
            cross_zone_ms: DEFAULT_CROSS_ZONE_MS,
            cross_region_ms: DEFAULT_CROSS_REGION_MS,
            links: Vec::new(),
        }
    }
}

/// A region: a named group of zones far from the other regions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Region {
    /// Unique name (an AWS code such as `"us-east-1"` picks up the built-in latencies).
    pub name: String,
    /// Its zones, by unique name. A region needs at least one.
    pub zones: Vec<String>,
}

/// The one-way latency between two regions, ms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// One region.
    pub a: String,
    /// The other (the latency is the same both ways).
    pub b: String,
    /// One-way latency, ms (0 to 1000).
    pub one_way_ms: f64,
}

/// Where a latency between two regions comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LatencySource {
    /// A `links` entry of the scenario.
    Set,
    /// Half a measured round trip from [`KNOWN_RTT_MS`].
    Measured,
    /// `cross_region_ms`, for a pair the table does not know.
    Default,
}

/// How far apart two nodes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Crossing {
    /// Same zone, or a node without a zone at either end: the edge's own latency only.
    Local,
    /// Two zones of one region.
    Zone,
    /// Two regions.
    Region,
}

impl Crossing {
    /// The name used in reports (`"zone"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Crossing::Local => "local",
            Crossing::Zone => "zone",
            Crossing::Region => "region",
        }
    }
}

impl Topology {
    /// The region holding `zone`, by index.
    pub fn region_of(&self, zone: &str) -> Option<usize> {
        self.regions
            .iter()
            .position(|r| r.zones.iter().any(|z| z == zone))
    }

    /// Every region and zone name, each region followed by its zones: what an outage can target
    /// ([`super::FaultTarget::Place`] indexes this list).
    pub fn places(&self) -> Vec<&str> {
        self.regions
            .iter()
            .flat_map(|r| {
                std::iter::once(r.name.as_str()).chain(r.zones.iter().map(String::as_str))
            })
            .collect()
    }

    /// Every zone name, region by region.
    pub fn zones(&self) -> impl Iterator<Item = &str> {
        self.regions
            .iter()
            .flat_map(|r| r.zones.iter().map(String::as_str))
    }

    /// The one-way latency between two regions, ms: `links`, then the built-in table, then
    /// `cross_region_ms`.
    pub fn region_ms(&self, a: &str, b: &str) -> f64 {
        self.region_latency(a, b).0
    }

    /// The one-way latency between two regions, ms, and where it comes from (the inspector shows both).
    pub fn region_latency(&self, a: &str, b: &str) -> (f64, LatencySource) {
        if a == b {
            return (0.0, LatencySource::Default);
        }
        let pair = |x: &str, y: &str| (x == a && y == b) || (x == b && y == a);
        if let Some(l) = self.links.iter().find(|l| pair(&l.a, &l.b)) {
            return (l.one_way_ms, LatencySource::Set);
        }
        KNOWN_RTT_MS.iter().find(|(x, y, _)| pair(x, y)).map_or(
            (self.cross_region_ms, LatencySource::Default),
            |&(_, _, rtt)| (rtt / 2.0, LatencySource::Measured),
        )
    }

    /// How far apart two zones are, and the one-way latency added between them, ms. An unknown or missing
    /// zone is local to everything.
    pub fn between(&self, a: Option<&str>, b: Option<&str>) -> (Crossing, f64) {
        let (Some(a), Some(b)) = (a, b) else {
            return (Crossing::Local, 0.0);
        };
        if a == b {
            return (Crossing::Local, 0.0);
        }
        match (self.region_of(a), self.region_of(b)) {
            (Some(ra), Some(rb)) if ra == rb => (Crossing::Zone, self.cross_zone_ms),
            (Some(ra), Some(rb)) => (
                Crossing::Region,
                self.region_ms(&self.regions[ra].name, &self.regions[rb].name),
            ),
            _ => (Crossing::Local, 0.0),
        }
    }

    /// The node indices in a zone or region called `place`, or `None` when there is no such place.
    pub fn members(&self, s: &Scenario, place: &str) -> Option<Vec<usize>> {
        let zones: Vec<&str> = match self.regions.iter().find(|r| r.name == place) {
            Some(r) => r.zones.iter().map(String::as_str).collect(),
            None if self.zones().any(|z| z == place) => vec![place],
            None => return None,
        };
        Some(
            s.nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| n.zone.as_deref().is_some_and(|z| zones.contains(&z)))
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// The problems with this topology and with the nodes' zones in `s`.
    pub fn problems(&self, s: &Scenario) -> Vec<Problem> {
        let mut p = Vec::new();
        let top = "topology";
        let ms = |p: &mut Vec<Problem>, place: &str, field: &str, v: f64| {
            if !(v.is_finite() && (0.0..=MAX_LINK_MS).contains(&v)) {
                p.push(Problem::new(
                    place,
                    field,
                    format!("is {v}; allowed: 0 to {MAX_LINK_MS} ms"),
                ));
            }
        };
        ms(&mut p, top, "cross_zone_ms", self.cross_zone_ms);
        ms(&mut p, top, "cross_region_ms", self.cross_region_ms);
        let mut names = std::collections::BTreeSet::new();
        let mut count = 0;
        for r in &self.regions {
            let place = format!("region '{}'", r.name);
            if r.name.trim().is_empty() {
                p.push(Problem::new(top, "regions", "has a region with no name"));
            } else if !names.insert(r.name.as_str()) {
                p.push(Problem::new(
                    &place,
                    "name",
                    "is used twice; zone and region names must be unique",
                ));
            }
            if r.zones.is_empty() {
                p.push(Problem::new(
                    &place,
                    "zones",
                    "is empty; a region needs at least one zone",
                ));
            }
            for z in &r.zones {
                if z.trim().is_empty() {
                    p.push(Problem::new(&place, "zones", "has a zone with no name"));
                } else if !names.insert(z.as_str()) {
                    p.push(Problem::new(
                        &place,
                        "zones",
                        format!("names '{z}' again; zone and region names must be unique"),
                    ));
                }
            }
            count += 1 + r.zones.len();
        }
        if count > MAX_PLACES {
            p.push(Problem::new(
                top,
                "regions",
                format!("declares {count} zones and regions; allowed: at most {MAX_PLACES}"),
            ));
        }
        for (i, l) in self.links.iter().enumerate() {
            let place = format!("topology link #{} ({} - {})", i + 1, l.a, l.b);
            for (field, name) in [("a", &l.a), ("b", &l.b)] {
                if !self.regions.iter().any(|r| &r.name == name) {
                    p.push(Problem::new(
                        &place,
                        field,
                        format!("names '{name}', which is no region of the topology"),
                    ));
                }
            }
            ms(&mut p, &place, "one_way_ms", l.one_way_ms);
        }
        for n in &s.nodes {
            if let Some(z) = &n.zone
                && !self.zones().any(|x| x == z)
            {
                p.push(Problem::new(
                    format!("node '{}'", n.id),
                    "zone",
                    format!(
                        "is '{z}', which is no zone of the topology ({})",
                        self.zone_list()
                    ),
                ));
            }
        }
        p
    }

    fn zone_list(&self) -> String {
        let z: Vec<&str> = self.zones().collect();
        if z.is_empty() {
            "it declares none".into()
        } else {
            format!("zones: {}", z.join(", "))
        }
    }
}

/// How far apart the ends of edge `e` of `s` are, and the one-way latency the topology adds to each hop
/// over it, ms (local and 0 without a topology).
pub fn edge_crossing(s: &Scenario, e: &super::Edge) -> (Crossing, f64) {
    let Some(t) = &s.topology else {
        return (Crossing::Local, 0.0);
    };
    let zone = |id: &str| s.node(id).and_then(|n| n.zone.as_deref());
    t.between(zone(&e.from), zone(&e.to))
}

/// A node names a zone but the scenario has no topology.
pub fn orphan_zone_problems(s: &Scenario) -> Vec<Problem> {
    s.nodes
        .iter()
        .filter_map(|n| {
            n.zone.as_ref().map(|z| {
                Problem::new(
                    format!("node '{}'", n.id),
                    "zone",
                    format!(
                        "is '{z}', but the scenario has no `topology` declaring zones; add \
                         topology: (regions: [(name: \"...\", zones: [\"{z}\"])])"
                    ),
                )
            })
        })
        .collect()
}
