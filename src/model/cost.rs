//! What a design costs to run, as written in the scenario: the optional `prices` block (a price per kind,
//! per node, currency) and the optional `slo` block (objectives `archsim check` holds the design to).
//! Both default to nothing written, so files without them read, run and report exactly as before; the
//! price defaults are the documented table in `docs/cost-model.md` ([`default_price`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{KindTag, Problem, Scenario};

/// Hours in the month every monthly figure uses (the cloud providers' convention: 8,760 h / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Largest price accepted in any field (per hour, per million requests or per GB): larger is a typo.
pub const MAX_PRICE: f64 = 1_000_000.0;

/// One price entry: what one instance (replica, database instance, cache node, balancer) costs per hour,
/// what a million requests reaching the node cost, and egress. Every field is optional; a missing one
/// falls back to the scenario's entry for the node's kind, then to the built-in table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Price {
    /// Per instance-hour (a service replica, a database primary or read replica, a cache node, a load
    /// balancer, a rate limiter or a queue broker), in the scenario's currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hourly: Option<f64>,
    /// Per million requests reaching the node (managed balancers, queues, API gateways bill this way).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_million_requests: Option<f64>,
    /// Per GB of responses leaving the node (egress); needs `kb_per_request`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_gb: Option<f64>,
    /// Response size per request, KB (1 KB = 1,000 bytes), for the egress charge. Default 0 (no egress).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kb_per_request: Option<f64>,
}

/// The scenario's price table: currency, an entry per kind, and per-node overrides. Everything left out
/// takes the built-in default (`docs/cost-model.md`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Prices {
    /// Currency code shown beside every figure. Default `"USD"` (the built-in table's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Per kind (`service`, `load_balancer`, `cache`, `database`, `queue`, `rate_limiter`, `gateway`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub kinds: BTreeMap<String, Price>,
    /// Per node id; these win over the kind's entry.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub nodes: BTreeMap<String, Price>,
}

impl Prices {
    /// True when nothing is written (the block is left out of saved files).
    pub fn is_empty(&self) -> bool {
        self.currency.is_none() && self.kinds.is_empty() && self.nodes.is_empty()
    }

    /// The currency figures are in.
    pub fn currency(&self) -> &str {
        self.currency.as_deref().unwrap_or("USD")
    }

    /// The price that applies to node `id` of kind `tag`: node entry, then kind entry, then the table.
    pub fn resolve(&self, id: &str, tag: KindTag) -> ResolvedPrice {
        let base = default_price(tag);
        let kind = self.kinds.get(tag.as_str());
        let node = self.nodes.get(id);
        let pick = |f: fn(&Price) -> Option<f64>, d: f64| {
            node.and_then(f).or_else(|| kind.and_then(f)).unwrap_or(d)
        };
        ResolvedPrice {
            hourly: pick(|p| p.hourly, base.hourly),
            per_million_requests: pick(|p| p.per_million_requests, base.per_million_requests),
            per_gb: pick(|p| p.per_gb, base.per_gb),
            kb_per_request: pick(|p| p.kb_per_request, base.kb_per_request),
        }
    }
}

/// A price with every field decided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ResolvedPrice {
    /// Per instance-hour.
    pub hourly: f64,
    /// Per million requests.
    pub per_million_requests: f64,
    /// Per GB of responses.
    pub per_gb: f64,
    /// Response size, KB.
    pub kb_per_request: f64,
}

/// The built-in table (AWS us-east-1 on-demand list prices for comparable sizes; sources and date in
/// `docs/cost-model.md`). Clients are the users: they cost nothing.
pub fn default_price(tag: KindTag) -> ResolvedPrice {
    let (hourly, per_million_requests) = match tag {
        KindTag::Client => (0.0, 0.0),
        // EC2 m7g.large (2 vCPU, 8 GiB), Linux.
        KindTag::Service => (0.0816, 0.0),
        // Application Load Balancer: $0.0225 per hour plus LCUs; one LCU ($0.008/h) buys 1,000 rule
        // evaluations per second, i.e. 3.6 M requests: $0.0022 per million.
        KindTag::LoadBalancer => (0.0225, 0.0022),
        // ElastiCache cache.m7g.large (2 vCPU, 6.38 GiB), one node.
        KindTag::Cache => (0.158, 0.0),
        // RDS for PostgreSQL db.m7g.large (2 vCPU, 8 GiB), Single-AZ, per instance (primary or replica).
        KindTag::Database => (0.168, 0.0),
        // SQS standard: $0.40 per million API requests; a message is sent, received and deleted: 3.
        KindTag::Queue => (0.0, 1.20),
        // API Gateway HTTP API: $1.00 per million requests (first 300 M a month).
        KindTag::RateLimiter => (0.0, 1.00),
        // API Gateway REST API, which API keys and per-key usage plans need: $3.50 per million requests
        // (first 333 M a month).
        KindTag::Gateway => (0.0, 3.50),
    };
    ResolvedPrice {
        hourly,
        per_million_requests,
        // Data transfer out to the internet, first 10 TB a month.
        per_gb: 0.09,
        kb_per_request: 0.0,
    }
}

/// Objectives a design must meet, checked by `archsim check`: each bound is optional; at least one must
/// be given. Latency bounds are on successful requests, end to end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SloSpec {
    /// Load multipliers to check at (each a separate run). Default `[1.0]`.
    pub loads: Vec<f64>,
    /// Median latency bound, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p50_ms: Option<f64>,
    /// 99th percentile bound, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_ms: Option<f64>,
    /// 99.9th percentile bound, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p999_ms: Option<f64>,
    /// Largest share of offered requests that fail or time out (0 to 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    /// Largest share of offered requests refused by a full queue or a rate limiter (0 to 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_rate: Option<f64>,
    /// Most the design may cost per month (730 h), in the scenario's currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_cost: Option<f64>,
    /// Largest share of reads answered stale at any node that counts them (a cache with a write path and
    /// a key model, a database with replication), 0 to 1: a consistency budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_read_rate: Option<f64>,
}

impl Default for SloSpec {
    fn default() -> Self {
        Self {
            loads: vec![1.0],
            p50_ms: None,
            p99_ms: None,
            p999_ms: None,
            error_rate: None,
            rejection_rate: None,
            stale_read_rate: None,
            monthly_cost: None,
        }
    }
}

fn check_price(p: &mut Vec<Problem>, place: &str, prefix: &str, price: &Price) {
    let fields = [
        ("hourly", price.hourly),
        ("per_million_requests", price.per_million_requests),
        ("per_gb", price.per_gb),
        ("kb_per_request", price.kb_per_request),
    ];
    for (name, v) in fields {
        if let Some(v) = v
            && !(v.is_finite() && (0.0..=MAX_PRICE).contains(&v))
        {
            p.push(Problem::new(
                place,
                format!("{prefix}.{name}"),
                format!("is {v}; allowed: 0 to {MAX_PRICE}"),
            ));
        }
    }
}

/// Problems in the `prices` and `slo` blocks, naming the field, the value and what is allowed.
pub(super) fn check_cost(s: &Scenario) -> Vec<Problem> {
    let mut p = Vec::new();
    let place = "scenario";
    let pr = &s.prices;
    if let Some(c) = &pr.currency
        && (c.trim().is_empty() || c.chars().count() > 8)
    {
        p.push(Problem::new(
            place,
            "prices.currency",
            format!(
                "is '{c}'; allowed: a short code such as \"USD\" or \"EUR\" (1 to 8 characters)"
            ),
        ));
    }
    for (kind, price) in &pr.kinds {
        let known = KindTag::ALL
            .iter()
            .filter(|t| **t != KindTag::Client)
            .map(|t| t.as_str())
            .collect::<Vec<_>>();
        if !known.contains(&kind.as_str()) {
            p.push(Problem::new(
                place,
                format!("prices.kinds[\"{kind}\"]"),
                format!("names no billed kind; allowed: {}", known.join(", ")),
            ));
        }
        check_price(&mut p, place, &format!("prices.kinds[\"{kind}\"]"), price);
    }
    for (id, price) in &pr.nodes {
        match s.node(id) {
            None => p.push(Problem::new(
                place,
                format!("prices.nodes[\"{id}\"]"),
                format!(
                    "names node '{id}', which does not exist (nodes: {})",
                    s.nodes
                        .iter()
                        .map(|n| n.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            Some(n) if n.kind.tag() == KindTag::Client => p.push(Problem::new(
                place,
                format!("prices.nodes[\"{id}\"]"),
                "is a client; clients are the users and are not billed",
            )),
            Some(_) => {}
        }
        check_price(&mut p, place, &format!("prices.nodes[\"{id}\"]"), price);
    }
    if let Some(slo) = &s.slo {
        check_slo(&mut p, slo);
    }
    p
}

fn check_slo(p: &mut Vec<Problem>, slo: &SloSpec) {
    let place = "scenario";
    if slo.loads.is_empty() || slo.loads.len() > 20 {
        p.push(Problem::new(
            place,
            "slo.loads",
            format!(
                "has {} entries; allowed: 1 to 20 load multipliers",
                slo.loads.len()
            ),
        ));
    }
    for (i, &x) in slo.loads.iter().enumerate() {
        if !(x.is_finite() && x > 0.0 && x <= 1000.0) {
            p.push(Problem::new(
                place,
                format!("slo.loads[{i}]"),
                format!("is {x}; allowed: > 0 and <= 1000"),
            ));
        }
    }
    for (name, v) in [
        ("p50_ms", slo.p50_ms),
        ("p99_ms", slo.p99_ms),
        ("p999_ms", slo.p999_ms),
        ("monthly_cost", slo.monthly_cost),
    ] {
        if let Some(v) = v
            && !(v.is_finite() && v > 0.0)
        {
            p.push(Problem::new(
                place,
                format!("slo.{name}"),
                format!("is {v}; allowed: > 0"),
            ));
        }
    }
    for (name, v) in [
        ("error_rate", slo.error_rate),
        ("rejection_rate", slo.rejection_rate),
        ("stale_read_rate", slo.stale_read_rate),
    ] {
        if let Some(v) = v
            && !(0.0..=1.0).contains(&v)
        {
            let of = if name == "stale_read_rate" {
                "reads"
            } else {
                "offered requests"
            };
            p.push(Problem::new(
                place,
                format!("slo.{name}"),
                format!("is {v}; allowed: 0 to 1 (a share of {of})"),
            ));
        }
    }
    let any = slo.p50_ms.is_some()
        || slo.p99_ms.is_some()
        || slo.p999_ms.is_some()
        || slo.error_rate.is_some()
        || slo.rejection_rate.is_some()
        || slo.monthly_cost.is_some()
        || slo.stale_read_rate.is_some();
    if !any {
        p.push(Problem::new(
            place,
            "slo",
            "sets no objective; give at least one of p50_ms, p99_ms, p999_ms, error_rate, rejection_rate, monthly_cost, stale_read_rate",
        ));
    }
}
