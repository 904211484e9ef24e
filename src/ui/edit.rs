//! Edits: every change to the scenario, as data. Applying one never panics; a refused edit says why in words.

use crate::model::graph::{CallGraph, Illegal, connection_rules};
use crate::model::{Edge, KindTag, Node, NodeKind, Scenario};

use super::theme;

/// One undoable change to the scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// A new node of this kind centred at this world position (id chosen automatically).
    AddNode {
        /// Kind.
        kind: KindTag,
        /// Centre, world units.
        pos: (f32, f32),
    },
    /// A new edge `from -> to`, if the connection rules allow it.
    Connect {
        /// Caller.
        from: String,
        /// Callee.
        to: String,
    },
    /// Removes nodes (with their edges) and edges.
    Delete {
        /// Node ids.
        nodes: Vec<String>,
        /// Edges as `(from, to)`.
        edges: Vec<(String, String)>,
    },
    /// Sets node centres (moves, snapping, layout).
    SetPositions(Vec<(String, (f32, f32))>),
    /// Copies nodes (and the edges among them) beside the originals.
    Duplicate(Vec<String>),
    /// Renames a node; edges follow.
    Rename {
        /// Current id.
        old: String,
        /// New id.
        new: String,
    },
    /// Replaces a node's kind and parameters.
    SetKind {
        /// Node id.
        id: String,
        /// New parameters.
        kind: NodeKind,
    },
    /// Replaces the edge `from -> to` (latency, class filter).
    SetEdge {
        /// Caller.
        from: String,
        /// Callee.
        to: String,
        /// The new edge (its endpoints must stay the same). Boxed: an edge is the largest edit by far.
        edge: Box<Edge>,
    },
    /// The scheduled faults (the timeline), as a whole.
    SetFaults(Vec<crate::model::Fault>),
    /// Places a node in a zone of the topology, or in none.
    SetZone {
        /// Node id.
        id: String,
        /// Zone name, or none.
        zone: Option<String>,
    },
    /// Replaces the regions, zones and latencies (none: drop the topology and every node's zone).
    SetTopology(Option<crate::model::Topology>),
    /// Scenario-level fields: name, description, duration, warm-up, seed.
    SetMeta {
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Simulated seconds.
        duration_s: f64,
        /// Warm-up seconds.
        warmup_s: f64,
        /// RNG seed.
        seed: u64,
    },
}

/// What an applied edit means for the selection.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Applied {
    /// Node ids to select afterwards (empty: leave the selection alone).
    pub select_nodes: Vec<String>,
    /// Edge to select afterwards.
    pub select_edge: Option<(String, String)>,
}

impl Edit {
    /// Edits with the same key, one after another, make a single undo step (a drag, a slider).
    pub fn merge_key(&self) -> Option<String> {
        match self {
            Edit::SetPositions(p) => Some(format!(
                "move:{}",
                p.iter()
                    .map(|(id, _)| id.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            )),
            Edit::SetKind { id, .. } => Some(format!("kind:{id}")),
            Edit::SetEdge { from, to, .. } => Some(format!("edge:{from}->{to}")),
            Edit::SetMeta { .. } => Some("meta".into()),
            Edit::SetFaults(_) => Some("faults".into()),
            Edit::SetTopology(_) => Some("topology".into()),
            _ => None,
        }
    }

    /// Does this edit change only the drawing (positions), not what is simulated?
    pub fn is_visual_only(&self) -> bool {
        matches!(self, Edit::SetPositions(_))
    }

    /// Applies the edit. On error the scenario is unchanged.
    pub fn apply(self, s: &mut Scenario) -> Result<Applied, String> {
        match self {
            Edit::AddNode { kind, pos } => {
                if !(pos.0.is_finite() && pos.1.is_finite()) {
                    return Err("cannot place a node at a position that is not a number".into());
                }
                let id = unique_id(s, kind.as_str());
                s.nodes.push(Node {
                    id: id.clone(),
                    kind: kind.default_kind(),
                    pos: Some(pos),
                    zone: None,
                });
                Ok(Applied {
                    select_nodes: vec![id],
                    ..Default::default()
                })
            }
            Edit::Connect { from, to } => {
                if let Some(why) = connection_problem(s, &from, &to) {
                    return Err(why);
                }
                s.edges.push(Edge::new(from.clone(), to.clone()));
                Ok(Applied {
                    select_edge: Some((from, to)),
                    ..Default::default()
                })
            }
            Edit::Delete { nodes, edges } => {
                s.nodes.retain(|n| !nodes.contains(&n.id));
                // Faults scheduled on what goes, go with it.
                s.faults.retain(|f| {
                    let (a, b) = f.target.split_once("->").unwrap_or((&f.target, ""));
                    !nodes.iter().any(|n| n == a || n == b)
                        && !edges.iter().any(|(x, y)| x == a && y == b)
                });
                s.prices.nodes.retain(|id, _| !nodes.contains(id));
                s.edges.retain(|e| {
                    !nodes.contains(&e.from)
                        && !nodes.contains(&e.to)
                        && !edges.iter().any(|(f, t)| *f == e.from && *t == e.to)
                });
                Ok(Applied::default())
            }
            Edit::SetPositions(list) => {
                for (id, p) in list {
                    if let Some(n) = s.node_mut(&id)
                        && p.0.is_finite()
                        && p.1.is_finite()
                    {
                        n.pos = Some(p);
                    }
                }
                Ok(Applied::default())
            }
            Edit::Duplicate(ids) => {
                let mut renamed = Vec::new();
                for id in &ids {
                    let Some(n) = s.node(id).cloned() else {
                        continue;
                    };
                    let new_id = unique_id(s, &n.id);
                    let pos = n
                        .pos
                        .map(|(x, y)| (x + 2.0 * theme::GRID, y + 2.0 * theme::GRID));
                    s.nodes.push(Node {
                        id: new_id.clone(),
                        pos,
                        zone: None,
                        ..n
                    });
                    renamed.push((id.clone(), new_id));
                }
                let map = |id: &str| {
                    renamed
                        .iter()
                        .find(|(o, _)| o == id)
                        .map(|(_, n)| n.clone())
                };
                let copies: Vec<Edge> = s
                    .edges
                    .iter()
                    .filter_map(|e| {
                        Some(Edge {
                            from: map(&e.from)?,
                            to: map(&e.to)?,
                            ..e.clone()
                        })
                    })
                    .collect();
                s.edges.extend(copies);
                Ok(Applied {
                    select_nodes: renamed.into_iter().map(|(_, n)| n).collect(),
                    ..Default::default()
                })
            }
            Edit::Rename { old, new } => {
                let new = new.trim().to_owned();
                if new == old {
                    return Ok(Applied::default());
                }
                if let Some(why) = id_problem(&new) {
                    return Err(why);
                }
                if s.node(&new).is_some() {
                    return Err(format!(
                        "a node called '{new}' already exists; ids must be unique"
                    ));
                }
                let Some(n) = s.node_mut(&old) else {
                    return Err(format!("there is no node '{old}' any more"));
                };
                n.id = new.clone();
                for f in &mut s.faults {
                    f.target = match f.target.split_once("->") {
                        Some((a, b)) => {
                            let end = |x: &str| if x == old { new.clone() } else { x.to_owned() };
                            format!("{}->{}", end(a), end(b))
                        }
                        None if f.target == old => new.clone(),
                        None => continue,
                    };
                }
                // The node's own prices follow it.
                if let Some(price) = s.prices.nodes.remove(&old) {
                    s.prices.nodes.insert(new.clone(), price);
                }
                for e in &mut s.edges {
                    if e.from == old {
                        e.from = new.clone();
                    }
                    if e.to == old {
                        e.to = new.clone();
                    }
                }
                Ok(Applied {
                    select_nodes: vec![new],
                    ..Default::default()
                })
            }
            Edit::SetZone { id, zone } => set_zone(s, &id, zone),
            Edit::SetTopology(t) => {
                set_topology(s, t);
                Ok(Applied::default())
            }
            Edit::SetKind { id, kind } => {
                let Some(n) = s.node_mut(&id) else {
                    return Err(format!("there is no node '{id}' any more"));
                };
                if n.kind.tag() != kind.tag() {
                    return Err("a node's kind cannot change; delete it and add a new one".into());
                }
                n.kind = kind;
                Ok(Applied::default())
            }
            Edit::SetEdge { from, to, edge } => {
                if edge.from != from || edge.to != to {
                    return Err(
                        "an edge's endpoints cannot change; delete it and connect again".into(),
                    );
                }
                let Some(e) = s.edges.iter_mut().find(|e| e.from == from && e.to == to) else {
                    return Err(format!("there is no edge '{from} -> {to}' any more"));
                };
                *e = *edge;
                Ok(Applied::default())
            }
            Edit::SetFaults(faults) => {
                s.faults = faults;
                Ok(Applied::default())
            }
            Edit::SetMeta {
                name,
                description,
                duration_s,
                warmup_s,
                seed,
            } => {
                s.name = name;
                s.description = description;
                s.duration_s = duration_s;
                s.warmup_s = warmup_s;
                s.seed = seed;
                Ok(Applied::default())
            }
        }
    }
}

/// Why `from -> to` may not be connected, in words, using the same rules as validation
/// ([`crate::model::graph`]); `None` if it may.
pub fn connection_problem(s: &Scenario, from: &str, to: &str) -> Option<String> {
    let (Some(a), Some(b)) = (s.node_index(from), s.node_index(to)) else {
        return Some("both ends must be existing nodes".into());
    };
    let (ta, tb) = (s.nodes[a].kind.tag(), s.nodes[b].kind.tag());
    let rules = connection_rules(Some(ta), Some(tb), from == to);
    // The editor names a self-connection first: it is the likeliest slip of a drag.
    let rule = rules
        .iter()
        .find(|r| **r == Illegal::SelfCall)
        .or(rules.first());
    if let Some(&rule) = rule {
        return Some(match rule {
            Illegal::SelfCall => "a node cannot call itself".into(),
            Illegal::CallerNeverCallsOut(t) => format!(
                "'{from}' is a {}: it answers requests and never calls out",
                theme::kind_label(t).to_lowercase()
            ),
            Illegal::CalleeIsClient => {
                format!("'{to}' is a client: clients only send traffic, nothing can call them")
            }
            Illegal::QueueConsumerNotService(t) => format!(
                "a queue's consumers must be services; '{to}' is a {}",
                theme::kind_label(t).to_lowercase()
            ),
        });
    }
    if s.edges.iter().any(|e| e.from == from && e.to == to) {
        return Some(format!("'{from}' already calls '{to}'"));
    }
    if CallGraph::new(s).reaches(b, a) {
        return Some(format!(
            "'{to}' already leads back to '{from}': this would make a loop"
        ));
    }
    None
}

/// Why `id` is not a usable node id, if it is not.
pub fn id_problem(id: &str) -> Option<String> {
    if id.trim().is_empty() {
        Some("a node needs a name".into())
    } else if id.contains("->") || id.contains('.') {
        Some("names cannot contain '.' or '->'".into())
    } else {
        None
    }
}

/// `base`, or `base2`, `base3`... whichever is free.
pub fn unique_id(s: &Scenario, base: &str) -> String {
    let stem = base.trim_end_matches(|c: char| c.is_ascii_digit());
    let stem = if stem.is_empty() { "node" } else { stem };
    if s.node(base).is_none() && !base.is_empty() {
        return base.to_owned();
    }
    (2..)
        .map(|i| format!("{stem}{i}"))
        .find(|id| s.node(id).is_none())
        .unwrap_or_else(|| stem.to_owned())
}

/// Places node `id` in `zone` (which the topology must declare), or in none.
fn set_zone(s: &mut Scenario, id: &str, zone: Option<String>) -> Result<Applied, String> {
    let known = zone.as_ref().is_none_or(|z| {
        s.topology
            .as_ref()
            .is_some_and(|t| t.zones().any(|x| x == z))
    });
    if !known {
        return Err("that zone is not in the topology; add it under Zones and regions".into());
    }
    let Some(n) = s.node_mut(id) else {
        return Err(format!("there is no node '{id}' any more"));
    };
    n.zone = zone;
    Ok(Applied::default())
}

/// Replaces the topology: a zone that is gone takes its nodes out of it, and an outage on a place that is
/// gone goes too.
fn set_topology(s: &mut Scenario, t: Option<crate::model::Topology>) {
    // A rename (same places, one name changed as it is typed) carries the nodes and outages with it.
    let owned = |t: Option<&crate::model::Topology>| -> Vec<String> {
        t.map(|t| t.places().into_iter().map(str::to_owned).collect())
            .unwrap_or_default()
    };
    let (old, new) = (owned(s.topology.as_ref()), owned(t.as_ref()));
    if old.len() == new.len() {
        for (o, n) in old.iter().zip(&new).filter(|(o, n)| o != n) {
            for node in &mut s.nodes {
                if node.zone.as_ref() == Some(o) {
                    node.zone = Some(n.clone());
                }
            }
            for f in &mut s.faults {
                if f.kind == crate::model::FaultKind::Outage && &f.target == o {
                    f.target = n.clone();
                }
            }
        }
    }
    let places: Vec<String> = t
        .as_ref()
        .map(|t| t.places().into_iter().map(str::to_owned).collect())
        .unwrap_or_default();
    let zones: Vec<String> = t
        .as_ref()
        .map(|t| t.zones().map(str::to_owned).collect())
        .unwrap_or_default();
    for n in &mut s.nodes {
        if n.zone.as_ref().is_some_and(|z| !zones.contains(z)) {
            n.zone = None;
        }
    }
    s.faults
        .retain(|f| f.kind != crate::model::FaultKind::Outage || places.contains(&f.target));
    s.topology = t;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> Scenario {
        let mut s = Scenario::default();
        Edit::AddNode {
            kind: KindTag::Client,
            pos: (0.0, 0.0),
        }
        .apply(&mut s)
        .unwrap();
        Edit::AddNode {
            kind: KindTag::Database,
            pos: (200.0, 0.0),
        }
        .apply(&mut s)
        .unwrap();
        s
    }

    #[test]
    fn connection_rules_match_validation() {
        let s = two();
        assert!(connection_problem(&s, "client", "database").is_none());
        assert!(connection_problem(&s, "database", "client").is_some());
        assert!(connection_problem(&s, "client", "client").is_some());
        // Every pair of kinds: the editor refuses exactly what validation refuses, and a loop.
        for a in KindTag::ALL {
            for b in KindTag::ALL {
                let mut s = Scenario::default();
                for (id, kind) in [("a", a), ("b", b)] {
                    s.nodes.push(Node {
                        id: id.into(),
                        kind: kind.default_kind(),
                        pos: None,
                        zone: None,
                    });
                }
                let refused = connection_problem(&s, "a", "b");
                let validation = crate::model::graph::connection_rules(Some(a), Some(b), false);
                assert_eq!(refused.is_some(), !validation.is_empty(), "{a:?} -> {b:?}");
                if refused.is_none() && connection_problem(&s, "b", "a").is_none() {
                    s.edges.push(Edge::new("a", "b"));
                    let back = connection_problem(&s, "b", "a").unwrap_or_default();
                    assert!(back.contains("loop"), "{b:?} -> {a:?}: {back}");
                }
            }
        }
    }

    #[test]
    fn rename_moves_edges_and_refuses_bad_names() {
        let mut s = two();
        Edit::Connect {
            from: "client".into(),
            to: "database".into(),
        }
        .apply(&mut s)
        .unwrap();
        Edit::Rename {
            old: "database".into(),
            new: "db".into(),
        }
        .apply(&mut s)
        .unwrap();
        assert_eq!(s.edges[0].to, "db");
        assert!(
            Edit::Rename {
                old: "db".into(),
                new: "a.b".into()
            }
            .apply(&mut s)
            .is_err()
        );
        assert!(
            Edit::Rename {
                old: "db".into(),
                new: "client".into()
            }
            .apply(&mut s)
            .is_err()
        );
    }

    #[test]
    fn duplicate_copies_inner_edges() {
        let mut s = two();
        Edit::Connect {
            from: "client".into(),
            to: "database".into(),
        }
        .apply(&mut s)
        .unwrap();
        let a = Edit::Duplicate(vec!["client".into(), "database".into()])
            .apply(&mut s)
            .unwrap();
        assert_eq!(a.select_nodes, vec!["client2", "database2"]);
        assert_eq!(s.edges.len(), 2);
    }
}
