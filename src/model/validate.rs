//! Meaning-level checks: every problem names its node or edge, the field, the value and what is allowed.

use std::collections::{BTreeMap, BTreeSet};

use super::graph::{CallGraph, Illegal};
use super::{Dist, FORMAT_VERSION, KindTag, NodeKind, Problem, Scenario, ScenarioError};

/// Largest simulated duration accepted, in seconds (one week): beyond that a run is a mistake, not a plan.
pub const MAX_DURATION_S: f64 = 7.0 * 24.0 * 3600.0;
/// Largest client rate accepted, in requests per second.
pub const MAX_RATE_RPS: f64 = 10_000_000.0;
/// Largest replica, worker, pool or queue count accepted.
pub const MAX_COUNT: u32 = 1_000_000;

/// [`validate`] as a `Result`: every problem in one [`ScenarioError::Invalid`] named after the scenario.
pub fn ensure_valid(s: &Scenario) -> Result<(), ScenarioError> {
    let problems = validate(s);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ScenarioError::Invalid {
            file: s.name.clone(),
            problems,
        })
    }
}

/// The run length's problems: duration above 0 and at most [`MAX_DURATION_S`], warm-up at least 0 and below
/// the duration. Shared with `RunSpec::with_times`, which changes only these of a valid scenario.
pub(crate) fn time_problems(duration_s: f64, warmup_s: f64) -> Vec<Problem> {
    let top = "scenario";
    let mut p = Vec::new();
    if !(duration_s.is_finite() && duration_s > 0.0 && duration_s <= MAX_DURATION_S) {
        p.push(Problem::new(
            top,
            "duration_s",
            format!("is {duration_s}; allowed: > 0 and <= {MAX_DURATION_S}"),
        ));
    }
    if !(warmup_s.is_finite() && warmup_s >= 0.0 && warmup_s < duration_s.max(0.0)) {
        p.push(Problem::new(
            top,
            "warmup_s",
            format!("is {warmup_s}; allowed: >= 0 and < duration_s ({duration_s})"),
        ));
    }
    p
}

/// Checks a scenario and returns every problem found (empty when valid).
pub fn validate(s: &Scenario) -> Vec<Problem> {
    let mut p = Vec::new();
    let top = "scenario";
    if s.version > FORMAT_VERSION {
        p.push(newer_version_problem(s.version));
    } else if s.version == 0 {
        p.push(Problem::new(top, "version", "is 0; allowed: 1"));
    }
    p.extend(time_problems(s.duration_s, s.warmup_s));
    if s.nodes.is_empty() {
        p.push(Problem::new(
            top,
            "nodes",
            "is empty; a scenario needs at least a client and a node it calls",
        ));
    }

    let mut ids = BTreeMap::new();
    for (i, n) in s.nodes.iter().enumerate() {
        if n.id.trim().is_empty() {
            p.push(Problem::new(
                format!("node #{}", i + 1),
                "id",
                "is empty; give every node a unique name",
            ));
        } else if n.id.contains("->") || n.id.contains('.') {
            p.push(Problem::new(
                format!("node '{}'", n.id),
                "id",
                "contains '.' or '->'; those separate node and field in `--set` and edge names",
            ));
        } else if ids.insert(n.id.as_str(), i).is_some() {
            p.push(Problem::new(
                format!("node '{}'", n.id),
                "id",
                "is used by more than one node; ids must be unique",
            ));
        }
    }

    // Classes that some client emits: edge filters naming anything else are typos.
    let emitted: BTreeSet<&str> = s
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Client(c) => Some(c.classes.iter().map(|c| c.name.as_str())),
            NodeKind::Service(_)
            | NodeKind::LoadBalancer(_)
            | NodeKind::Cache(_)
            | NodeKind::Database(_)
            | NodeKind::Queue(_)
            | NodeKind::RateLimiter(_)
            | NodeKind::Gateway(_) => None,
        })
        .flatten()
        .collect();

    let mut out_edges: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut seen_edges = BTreeSet::new();
    for (i, e) in s.edges.iter().enumerate() {
        let place = format!("edge '{} -> {}'", e.from, e.to);
        let from = ids.get(e.from.as_str()).map(|&i| s.nodes[i].kind.tag());
        let to = ids.get(e.to.as_str()).map(|&i| s.nodes[i].kind.tag());
        // Each end's problem (missing, or of a kind that may not be there), then the pair's.
        let rules = super::graph::connection_rules(from, to, e.from == e.to);
        let missing = [
            (from.is_none(), "from", &e.from),
            (to.is_none(), "to", &e.to),
        ];
        for (gone, field, id) in missing {
            if gone {
                p.push(Problem::new(
                    &place,
                    field,
                    format!("names node '{id}', which does not exist"),
                ));
            }
            for &rule in rules
                .iter()
                .filter(|r| r.is_about_one_end() && r.field() == field)
            {
                p.push(Problem::new(&place, field, illegal_message(rule, e)));
            }
        }
        for &rule in rules.iter().filter(|r| !r.is_about_one_end()) {
            p.push(Problem::new(&place, rule.field(), illegal_message(rule, e)));
        }
        if !seen_edges.insert((e.from.as_str(), e.to.as_str())) {
            p.push(Problem::new(
                &place,
                "",
                "appears twice; list each connection once (use `classes` to filter)",
            ));
        }
        check_dist(&mut p, &place, "latency_ms", &e.latency_ms);
        if let Some(b) = &e.breaker {
            for (field, m) in super::breaker_problems(b) {
                p.push(Problem::new(&place, format!("breaker.{field}"), m));
            }
        }
        check_edge_resilience(&mut p, &place, e, from);
        super::calls::edge_problems(&mut p, &place, e, from == Some(KindTag::Service));
        for c in &e.classes {
            if !emitted.contains(c.as_str()) {
                p.push(Problem::new(
                    &place,
                    "classes",
                    format!(
                        "names class '{c}', which no client sends (known: {})",
                        list(&emitted)
                    ),
                ));
            }
        }
        out_edges.entry(e.from.as_str()).or_default().push(i);
    }

    for n in &s.nodes {
        check_node(
            &mut p,
            s,
            n,
            out_edges
                .get(n.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]),
            &emitted,
        );
    }

    p.extend(match &s.topology {
        Some(t) => t.problems(s),
        None => super::topology::orphan_zone_problems(s),
    });
    p.extend(super::fault::check_faults(s));
    p.extend(super::cost::check_cost(s));

    if p.is_empty()
        && let Some(cycle) = CallGraph::new(s).cycle()
    {
        let names: Vec<String> = cycle
            .iter()
            .chain(cycle.first())
            .map(|&i| format!("'{}'", s.nodes[i].id))
            .collect();
        p.push(Problem::new(
            top,
            "edges",
            format!(
                "form a cycle ({}); a request would travel around it forever (break the loop)",
                names.join(" -> ")
            ),
        ));
    }
    if p.is_empty() {
        // Each value is in range: now what they ask of the engine together.
        p.extend(super::limits::problems(s, 1.0));
    }
    p
}

/// The problem for a file written by a newer archsim (also used when such a file does not even parse).
pub(super) fn newer_version_problem(version: u32) -> Problem {
    Problem::new(
        "scenario",
        "version",
        format!(
            "is {version}; this archsim reads versions up to {FORMAT_VERSION} (the file was written by a newer archsim: update archsim)"
        ),
    )
}

fn list(set: &BTreeSet<&str>) -> String {
    if set.is_empty() {
        "none".into()
    } else {
        set.iter().copied().collect::<Vec<_>>().join(", ")
    }
}

/// An edge's per-call timeout and retry policy: in range, and only where a node waits on the call.
fn check_edge_resilience(
    p: &mut Vec<Problem>,
    place: &str,
    e: &super::Edge,
    from: Option<KindTag>,
) {
    if let Some(m) = super::timeout_problem(e.timeout_ms) {
        p.push(Problem::new(place, "timeout_ms", m));
    }
    if let Some(r) = &e.retry {
        for (field, m) in super::retry_problems(r) {
            p.push(Problem::new(place, format!("retry.{field}"), m));
        }
    }
    let why = match from {
        Some(KindTag::Client) => "a client's calls use the client's own timeout_ms and retry",
        Some(KindTag::Queue) => {
            "a queue hands messages to its consumers; nothing waits on the call"
        }
        Some(
            KindTag::Service
            | KindTag::LoadBalancer
            | KindTag::Cache
            | KindTag::Database
            | KindTag::RateLimiter
            | KindTag::Gateway,
        )
        | None => return,
    };
    for (field, set) in [
        ("timeout_ms", e.timeout_ms.is_some()),
        ("retry", e.retry.is_some()),
    ] {
        if set {
            p.push(Problem::new(
                place,
                field,
                format!("is set on an edge from '{}'; {why}", e.from),
            ));
        }
    }
}

/// Class priorities: in range, naming classes that exist, and only under the priority discipline.
fn check_priority(
    p: &mut Vec<Problem>,
    place: &str,
    discipline: super::QueueDiscipline,
    prio: &std::collections::BTreeMap<String, u32>,
    emitted: &BTreeSet<&str>,
) {
    if !prio.is_empty() && discipline != super::QueueDiscipline::Priority {
        p.push(Problem::new(
            place,
            "class_priority",
            format!(
                "is set but queue_discipline is {discipline:?}; priorities apply only with queue_discipline: Priority"
            ),
        ));
    }
    for (class, &v) in prio {
        if v > super::MAX_PRIORITY {
            p.push(Problem::new(
                place,
                format!("class_priority[\"{class}\"]"),
                format!("is {v}; allowed: 0 to {}", super::MAX_PRIORITY),
            ));
        }
        if !emitted.contains(class.as_str()) {
            p.push(Problem::new(
                place,
                "class_priority",
                format!(
                    "names class '{class}', which no client sends (known: {})",
                    list(emitted)
                ),
            ));
        }
    }
}

/// What validation says about an edge that breaks a connection rule.
fn illegal_message(rule: Illegal, e: &super::Edge) -> String {
    match rule {
        Illegal::CallerNeverCallsOut(tag) => format!(
            "'{}' is a {}; a {} answers requests and never calls out",
            e.from,
            tag.as_str(),
            tag.as_str()
        ),
        Illegal::CalleeIsClient => format!(
            "'{}' is a client; clients only send traffic, nothing can call them",
            e.to
        ),
        Illegal::QueueConsumerNotService(t) => format!(
            "'{}' is a {}; a queue's consumers must be services (worker pools)",
            e.to,
            t.as_str()
        ),
        Illegal::SelfCall => "is the node itself; a node cannot call itself".into(),
    }
}

pub(super) fn check_dist(p: &mut Vec<Problem>, place: &str, field: &str, d: &Dist) {
    if let Some((param, m)) = d.problem() {
        p.push(Problem::new(
            place,
            format!("{field}.{param}"),
            format!("{m} ({} distribution)", d.name()),
        ));
    }
}

pub(super) fn check_count(p: &mut Vec<Problem>, place: &str, field: &str, v: u32, min: u32) {
    if v < min || v > MAX_COUNT {
        p.push(Problem::new(
            place,
            field,
            format!("is {v}; allowed: {min} to {MAX_COUNT}"),
        ));
    }
}

fn check_prob(p: &mut Vec<Problem>, place: &str, field: &str, v: f64) {
    if !(0.0..=1.0).contains(&v) {
        p.push(Problem::new(
            place,
            field,
            format!("is {v}; a probability must be between 0 and 1"),
        ));
    }
}

fn check_node(
    p: &mut Vec<Problem>,
    s: &Scenario,
    n: &super::Node,
    outs: &[usize],
    emitted: &BTreeSet<&str>,
) {
    let place = format!("node '{}'", n.id);
    let place = place.as_str();
    match &n.kind {
        NodeKind::Client(c) => super::validate_client::check_client(p, s, place, c, outs),
        NodeKind::Service(sv) => {
            check_count(p, place, "replicas", sv.replicas, 1);
            check_count(p, place, "workers", sv.workers, 1);
            check_count(p, place, "queue_capacity", sv.queue_capacity, 0);
            check_dist(p, place, "service_time_ms", &sv.service_time_ms);
            check_prob(p, place, "error_probability", sv.error_probability);
            if let Some(a) = &sv.autoscale {
                a.check(p, place);
            }
            check_priority(p, place, sv.queue_discipline, &sv.class_priority, emitted);
            super::calls::pattern_problems(p, place, s, sv.calls, outs);
        }
        NodeKind::LoadBalancer(lb)
            if lb.key_space.is_some_and(|(k, z)| {
                !((1..=super::MAX_KEYS).contains(&k) && z.is_finite() && (0.0..=10.0).contains(&z))
            }) =>
        {
            let (k, z) = lb.key_space.unwrap_or_default();
            p.push(Problem::new(
                place,
                "key_space",
                format!(
                    "is ({k}, {z}); allowed: 1 to {} keys, Zipf exponent 0 to 10",
                    super::MAX_KEYS
                ),
            ));
        }
        NodeKind::LoadBalancer(lb) => {
            if let Some(h) = &lb.health_check {
                h.check(p, place);
            }
            if outs.is_empty() {
                p.push(Problem::new(
                    place,
                    "edges",
                    "a load balancer needs at least one outgoing edge (its backends)",
                ));
            }
        }
        NodeKind::Cache(c) => {
            check_prob(p, place, "hit_ratio", c.hit_ratio);
            for (class, &r) in &c.class_hit_ratio {
                check_prob(p, place, &format!("class_hit_ratio[\"{class}\"]"), r);
                if !emitted.contains(class.as_str()) {
                    p.push(Problem::new(
                        place,
                        "class_hit_ratio",
                        format!(
                            "names class '{class}', which no client sends (known: {})",
                            list(emitted)
                        ),
                    ));
                }
            }
            check_dist(p, place, "hit_latency_ms", &c.hit_latency_ms);
            check_count(p, place, "workers", c.workers, 1);
            check_count(p, place, "queue_capacity", c.queue_capacity, 0);
            if let Some(k) = &c.keys {
                k.check(p, place);
            }
            if let Some(w) = &c.writes {
                w.check(p, place, emitted);
            }
            if c.per_region {
                let why = if c.keys.is_none() {
                    Some(
                        "needs a key model (`keys`): a fixed hit ratio is the same in every region",
                    )
                } else if c.writes.is_some() {
                    Some("cannot be combined with `writes` (edge caches serve reads)")
                } else if s.topology.is_none() {
                    Some("needs a `topology`: the regions are its")
                } else {
                    None
                };
                if let Some(why) = why {
                    p.push(Problem::new(
                        place,
                        "per_region",
                        format!("is true but {why}"),
                    ));
                }
            }
            let misses = c.keys.is_some()
                || c.writes.is_some()
                || c.hit_ratio < 1.0
                || c.class_hit_ratio.values().any(|&r| r < 1.0);
            if misses && outs.is_empty() {
                p.push(Problem::new(
                    place,
                    "edges",
                    "misses have nowhere to go; connect the cache to its backing store (or set hit_ratio to 1)",
                ));
            }
        }
        NodeKind::Database(d) => {
            check_count(p, place, "pool_size", d.pool_size, 1);
            check_count(p, place, "queue_capacity", d.queue_capacity, 0);
            check_dist(p, place, "read_time_ms", &d.read_time_ms);
            check_dist(p, place, "write_time_ms", &d.write_time_ms);
            if let Some(o) = &d.optimistic {
                check_count(p, place, "optimistic.rows", o.rows, 1);
            }
            if let Some(sh) = &d.shards {
                sh.check(p, place, d.read_replicas, d.optimistic.is_some());
            }
            if d.read_replicas > 1000 {
                p.push(Problem::new(
                    place,
                    "read_replicas",
                    format!("is {}; allowed: 0 to 1000", d.read_replicas),
                ));
            }
            check_priority(p, place, d.queue_discipline, &d.class_priority, emitted);
            super::idempotency::check_database(p, place, d);
            if let Some(r) = &d.replication {
                r.check(p, place, d);
            }
        }
        NodeKind::RateLimiter(r) => {
            for (field, m) in super::limiter_problems(r) {
                p.push(Problem::new(place, field, m));
            }
            if outs.is_empty() {
                p.push(Problem::new(
                    place,
                    "edges",
                    "a rate limiter needs an outgoing edge (the service it protects)",
                ));
            }
        }
        NodeKind::Gateway(g) => g.check(p, place, outs.len()),
        NodeKind::Queue(q) => {
            check_count(p, place, "capacity", q.capacity, 1);
            check_dist(p, place, "ack_latency_ms", &q.ack_latency_ms);
            super::idempotency::check_queue(p, place, q);
            if let Some(t) = &q.topic {
                t.check(p, place);
            }
            if outs.is_empty() {
                p.push(Problem::new(
                    place,
                    "edges",
                    "a queue needs at least one consumer (an outgoing edge to a service)",
                ));
            }
        }
    }
}
