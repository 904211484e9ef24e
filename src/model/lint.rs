//! What each edge does for its caller (its role), and designs that are valid but probably not what their
//! author meant. Both come from how the engine routes a request: a service calls each of its outgoing
//! edges that carry the request's class in turn (in the order the edges are written); a client, a cache and
//! a rate limiter send it over the first such edge only (a cache only on a miss); a load balancer picks one
//! of its edges; a queue hands each message to one consumer.

use super::{Edge, KindTag, Scenario};

/// What an edge does for the node that calls over it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EdgeRole {
    /// The caller's only way out, or a client's or rate limiter's edge: nothing to explain.
    Plain,
    /// A service's calls, made one after another for each request.
    Call {
        /// This edge's place in the order, from 1.
        n: usize,
        /// How many calls the caller makes.
        of: usize,
    },
    /// One of a service's calls made all at once (`Parallel`, or the first `k` of them: `FirstOf`).
    Parallel {
        /// Answers the caller waits for; `None` for all of them.
        first: Option<u32>,
    },
    /// A cache's backing store: called only on a miss.
    OnMiss,
    /// The store of a cache with a write path: called on a miss and for writes (`behind`: for the
    /// write-behind flushes).
    OnMissAndWrites {
        /// Writes reach it in write-behind flushes, not one by one.
        behind: bool,
    },
    /// One of a load balancer's backends (it has several), picked per request by its policy.
    Balanced,
    /// One of a queue's consumers (it has several), handed each message in turn.
    Consumer,
    /// One of a topic's consumer groups: it reads every message.
    Group,
    /// Never used: an earlier edge of the same caller takes every class this one carries, and the caller
    /// (a client, cache or rate limiter) uses only the first.
    Unused,
}

impl EdgeRole {
    /// The short label drawn on the edge ("1", "on miss"), empty for [`EdgeRole::Plain`].
    pub fn label(&self) -> String {
        match self {
            EdgeRole::Plain => String::new(),
            EdgeRole::Call { n, .. } => n.to_string(),
            EdgeRole::Parallel { first: None } => "parallel".into(),
            EdgeRole::Parallel { first: Some(k) } => format!("first {k}"),
            EdgeRole::OnMiss => "on miss".into(),
            EdgeRole::OnMissAndWrites { behind: false } => "miss + writes".into(),
            EdgeRole::OnMissAndWrites { behind: true } => "miss + flush".into(),
            EdgeRole::Balanced => "balanced".into(),
            EdgeRole::Consumer => "consumer".into(),
            EdgeRole::Group => "group".into(),
            EdgeRole::Unused => "unused".into(),
        }
    }

    /// One sentence for a tooltip.
    pub fn explain(&self, e: &Edge) -> String {
        match self {
            EdgeRole::Plain => format!("{} sends its requests to {}", e.from, e.to),
            EdgeRole::Call { n, of } => format!(
                "{} makes this call {n} of {of}, one after another, for each request it serves",
                e.from
            ),
            EdgeRole::Parallel { first: None } => format!(
                "{} makes all its calls at once and answers when every one is back",
                e.from
            ),
            EdgeRole::Parallel { first: Some(k) } => format!(
                "{} makes all its calls at once and answers with the first {k} successes",
                e.from
            ),
            EdgeRole::OnMiss => format!("{} asks {} only when a lookup misses", e.from, e.to),
            EdgeRole::OnMissAndWrites { behind: false } => format!(
                "{} asks {} when a lookup misses, and sends it every write before answering",
                e.from, e.to
            ),
            EdgeRole::OnMissAndWrites { behind: true } => format!(
                "{} asks {} when a lookup misses; writes it answers at once and flushes to {} in batches",
                e.from, e.to, e.to
            ),
            EdgeRole::Balanced => format!("{} sends each request to one of its backends", e.from),
            EdgeRole::Consumer => format!("{} hands each message to one consumer", e.from),
            EdgeRole::Group => format!(
                "{} is a consumer group of {}: it reads every message, one partition per consumer",
                e.to, e.from
            ),
            EdgeRole::Unused => format!(
                "Never used: {} sends over its first edge for these classes only",
                e.from
            ),
        }
    }
}

/// An edge's call options as drawn beside its role ("x3 p=0.3 hedged"); empty without any.
pub fn call_options(e: &Edge) -> String {
    let mut parts = Vec::new();
    if e.times != 1 {
        parts.push(format!("x{}", e.times));
    }
    if e.probability != 1.0 {
        parts.push(format!("p={}", super::limits::fmt(e.probability)));
    }
    if e.hedge.is_some() {
        parts.push("hedged".to_owned());
    }
    parts.join(" ")
}

/// Does edge `a` take every request edge `b` would (so `b`, after `a`, gets none from a first-edge caller)?
fn covers(a: &Edge, b: &Edge) -> bool {
    a.classes.is_empty() || (!b.classes.is_empty() && b.classes.iter().all(|c| a.carries(c)))
}

/// Can one request travel over both edges (do their classes overlap)?
fn overlap(a: &Edge, b: &Edge) -> bool {
    a.classes.is_empty() || b.classes.is_empty() || a.classes.iter().any(|c| b.carries(c))
}

/// Every edge's role, in the scenario's edge order.
pub fn edge_roles(s: &Scenario) -> Vec<EdgeRole> {
    s.edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let Some(from) = s.node(&e.from) else {
                return EdgeRole::Plain;
            };
            let siblings: Vec<usize> = (0..s.edges.len())
                .filter(|&j| s.edges[j].from == e.from)
                .collect();
            let shadowed = siblings
                .iter()
                .take_while(|&&j| j != i)
                .any(|&j| covers(&s.edges[j], e));
            let pattern = match &from.kind {
                crate::model::NodeKind::Service(p) => p.calls,
                _ => crate::model::CallPattern::Sequential,
            };
            match from.kind.tag() {
                KindTag::Service if pattern == crate::model::CallPattern::Parallel => {
                    EdgeRole::Parallel { first: None }
                }
                KindTag::Service if let crate::model::CallPattern::FirstOf(k) = pattern => {
                    EdgeRole::Parallel { first: Some(k) }
                }
                KindTag::Service | KindTag::Database if siblings.len() > 1 => EdgeRole::Call {
                    n: siblings.iter().position(|&j| j == i).map_or(1, |p| p + 1),
                    of: siblings.len(),
                },
                KindTag::Service | KindTag::Database => EdgeRole::Plain,
                KindTag::Client | KindTag::RateLimiter | KindTag::Gateway if shadowed => {
                    EdgeRole::Unused
                }
                KindTag::Client | KindTag::RateLimiter | KindTag::Gateway => EdgeRole::Plain,
                KindTag::Cache if shadowed => EdgeRole::Unused,
                KindTag::Cache => match &from.kind {
                    crate::model::NodeKind::Cache(c) if let Some(w) = &c.writes => {
                        EdgeRole::OnMissAndWrites {
                            behind: matches!(w.policy, crate::model::WritePolicy::WriteBehind(_)),
                        }
                    }
                    _ => EdgeRole::OnMiss,
                },
                KindTag::Queue
                    if matches!(&from.kind, crate::model::NodeKind::Queue(q) if q.topic.is_some()) =>
                {
                    EdgeRole::Group
                }
                // With one backend or consumer there is no choice to show.
                KindTag::LoadBalancer | KindTag::Queue if siblings.len() < 2 => EdgeRole::Plain,
                KindTag::LoadBalancer => EdgeRole::Balanced,
                KindTag::Queue => EdgeRole::Consumer,
            }
        })
        .collect()
}

/// A design that is valid but is probably not what was meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mistake {
    /// The edge it is about, as `(from, to)`.
    pub edge: (String, String),
    /// What happens, and how to change it, in words.
    pub message: String,
}

/// Likely mistakes: a service that sends the same requests to a cache and to the store behind that cache
/// (every request then reads the store as well, so the cache saves nothing), and edges a first-edge caller
/// never uses.
pub fn likely_mistakes(s: &Scenario) -> Vec<Mistake> {
    let mut out = Vec::new();
    for (i, role) in edge_roles(s).iter().enumerate() {
        let e = &s.edges[i];
        if *role == EdgeRole::Unused {
            out.push(Mistake {
                edge: (e.from.clone(), e.to.clone()),
                message: format!(
                    "{} -> {} is never used: {} sends each request over its first edge that carries its \
                     class. Give the edges different classes, or delete this one.",
                    e.from, e.to, e.from
                ),
            });
        }
    }
    for caller in &s.nodes {
        if caller.kind.tag() != KindTag::Service {
            continue;
        }
        let outs: Vec<&Edge> = s.edges.iter().filter(|e| e.from == caller.id).collect();
        for to_cache in &outs {
            if s.node(&to_cache.to).map(|n| n.kind.tag()) != Some(KindTag::Cache) {
                continue;
            }
            for behind in s.edges.iter().filter(|e| e.from == to_cache.to) {
                let Some(direct) = outs.iter().find(|e| e.to == behind.to) else {
                    continue;
                };
                if overlap(to_cache, direct) {
                    out.push(Mistake {
                        edge: (direct.from.clone(), direct.to.clone()),
                        message: format!(
                            "{caller} sends the same requests to the cache {cache} and to {store} behind \
                             it: a service calls each of its edges in turn, so every request also reaches \
                             {store} and the cache saves nothing. To read through the cache, delete \
                             {caller} -> {store}, or give the two edges different classes (reads to \
                             {cache}, writes to {store}).",
                            caller = caller.id,
                            cache = to_cache.to,
                            store = behind.to,
                        ),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(edges: &str) -> Scenario {
        let text = format!(
            r#"(
            nodes: [
                (id: "users", kind: Client(rate_rps: 10)),
                (id: "app", kind: Service()),
                (id: "cache", kind: Cache()),
                (id: "db", kind: Database()),
            ],
            edges: [{edges}],
        )"#
        );
        super::super::parse(&text, "t.ron").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_cache_with_a_write_path_labels_its_store_edge_with_the_writes() {
        let text = include_str!("../../scenarios/cache_consistency.ron");
        let mut s = crate::model::from_str(text, "cache_consistency.ron").unwrap();
        let store = s.edges.iter().position(|e| e.from == "cache").unwrap();
        assert_eq!(edge_roles(&s)[store].label(), "miss + writes");
        crate::model::apply_override(
            &mut s,
            "cache.writes.policy=WriteBehind(flush_interval_ms: 500)",
        )
        .unwrap();
        assert_eq!(edge_roles(&s)[store].label(), "miss + flush");
        assert!(
            edge_roles(&s)[store]
                .explain(&s.edges[store])
                .contains("flushes to db")
        );
    }

    #[test]
    fn a_services_calls_are_numbered_and_a_caches_edge_is_on_miss() {
        let s = scenario(
            r#"(from: "users", to: "app"), (from: "app", to: "cache"), (from: "app", to: "db"),
               (from: "cache", to: "db")"#,
        );
        assert_eq!(
            edge_roles(&s),
            vec![
                EdgeRole::Plain,
                EdgeRole::Call { n: 1, of: 2 },
                EdgeRole::Call { n: 2, of: 2 },
                EdgeRole::OnMiss,
            ]
        );
        assert_eq!(edge_roles(&s)[3].label(), "on miss");
    }

    #[test]
    fn the_same_class_to_a_cache_and_the_store_behind_it_is_flagged() {
        let s = scenario(
            r#"(from: "users", to: "app"), (from: "app", to: "cache"), (from: "app", to: "db"),
               (from: "cache", to: "db")"#,
        );
        let m = likely_mistakes(&s);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].edge, ("app".to_owned(), "db".to_owned()));
        assert!(
            m[0].message.contains("cache saves nothing"),
            "{}",
            m[0].message
        );
    }

    #[test]
    fn reads_to_the_cache_and_writes_to_the_db_is_not_a_mistake() {
        let s = scenario(
            r#"(from: "users", to: "app"), (from: "app", to: "cache", classes: ["read"]),
               (from: "app", to: "db", classes: ["write"]), (from: "cache", to: "db")"#,
        );
        assert_eq!(likely_mistakes(&s), vec![]);
    }

    #[test]
    fn a_clients_second_edge_for_the_same_requests_is_unused() {
        let s = scenario(
            r#"(from: "users", to: "app"), (from: "users", to: "db"), (from: "app", to: "cache"),
               (from: "cache", to: "db")"#,
        );
        assert_eq!(edge_roles(&s)[1], EdgeRole::Unused);
        let m = likely_mistakes(&s);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].message.contains("never used"));
    }
}
