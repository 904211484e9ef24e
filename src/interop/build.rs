//! From a parsed [`Diagram`] to a scenario: kinds from the mapping table, ids from the labels, default
//! parameters, edges the model can run, positions kept (or laid out), a client added when the drawing
//! has none; then the scenario validator says what is still missing.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::graph::{CallGraph, Illegal, connection_rules};
use crate::model::{Edge, KindTag, Node, NodeKind, Problem, Scenario, validate};

use super::diagram::{Diagram, Skipped};
use super::mapping::decide;
use super::text::slug;

/// Horizontal gap between layers when the app lays nodes out, world units.
const LAYER_DX: f32 = 200.0;
/// Vertical gap between nodes of a layer, world units.
const ROW_DY: f32 = 100.0;
/// Where the top-left node sits after import, world units (clear of the canvas edge).
const ORIGIN: (f32, f32) = (100.0, 80.0);
/// The rate a client gets when its label names none, requests per second.
pub const DEFAULT_RATE_RPS: f64 = 100.0;

/// An imported scenario and everything the user should check about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// The scenario (it may not validate: see `problems`).
    pub scenario: Scenario,
    /// One line per node: where it came from, its kind and why.
    pub mappings: Vec<Mapped>,
    /// Elements that did not become nodes or edges, with the reason and the fix.
    pub skipped: Vec<Skipped>,
    /// What was assumed (default kinds, rates, undirected lines read one way, an added client).
    pub guesses: Vec<String>,
    /// What the scenario validator says is still wrong or missing (empty: it runs).
    pub problems: Vec<Problem>,
}

/// How one box became a node.
#[derive(Clone, Debug, PartialEq)]
pub struct Mapped {
    /// The node id in the scenario.
    pub id: String,
    /// The box's label.
    pub label: String,
    /// Where the box is in the file.
    pub place: String,
    /// The kind it got.
    pub kind: KindTag,
    /// The rule that gave it.
    pub rule: String,
    /// No rule matched, or the rule is an approximation: check it.
    pub guessed: bool,
}

impl Import {
    /// The whole account as text (what `archsim import` prints).
    pub fn summary(&self) -> String {
        let mut out = format!(
            "Imported {} nodes and {} edges:\n",
            self.scenario.nodes.len(),
            self.scenario.edges.len()
        );
        for m in &self.mappings {
            out.push_str(&format!(
                "  {:<18} {:<13} {}{} [{}]\n",
                m.id,
                m.kind.as_str(),
                if m.guessed { "GUESS: " } else { "" },
                m.rule,
                m.place
            ));
        }
        if !self.skipped.is_empty() {
            out.push_str(&format!("Not imported ({}):\n", self.skipped.len()));
            for s in &self.skipped {
                out.push_str(&format!("  - {s}\n"));
            }
        }
        if !self.guesses.is_empty() {
            out.push_str(&format!("Guessed ({}), check these:\n", self.guesses.len()));
            for g in &self.guesses {
                out.push_str(&format!("  - {g}\n"));
            }
        }
        if self.problems.is_empty() {
            out.push_str("The scenario validates: it runs as it is.\n");
        } else {
            out.push_str(&format!("Before it runs, fix ({}):\n", self.problems.len()));
            for p in &self.problems {
                out.push_str(&format!("  - {p}\n"));
            }
        }
        out
    }
}

/// Maps a diagram to a scenario named `name` (see the module doc).
pub fn build(d: Diagram, name: &str) -> Import {
    let mut skipped = d.skipped;
    let mut guesses = d.guesses;
    let mut mappings = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    let mut id_of: BTreeMap<String, String> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();

    for b in &d.boxes {
        let decision = decide(
            &b.classes,
            &b.label,
            b.icon.as_deref(),
            b.shape.as_deref(),
            &b.key,
        );
        if b.label.trim().is_empty() && decision.guessed {
            skipped.push(Skipped::new(
                &b.place,
                format!("box '{}'", b.key),
                "it has no text, and its shape and icon match no rule",
                "type a name into it (e.g. \"Orders DB\"), or add its shape to the table in docs/import.md",
            ));
            continue;
        }
        let rate = rate_in(&b.label);
        let name = match rate {
            Some((_, ref range)) => {
                format!("{} {}", &b.label[..range.start], &b.label[range.end..])
            }
            None => b.label.clone(),
        };
        let trimmed = name.trim();
        let verbatim = !trimmed.is_empty()
            && !trimmed.starts_with(|c: char| c.is_ascii_digit() || c == '-')
            && trimmed
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        let base = [
            if verbatim {
                trimmed.to_owned()
            } else {
                slug(&name)
            },
            slug(&b.key),
        ]
        .into_iter()
        .find(|s| !s.is_empty() && !s.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or_else(|| format!("node_{}", slug(&b.key)));
        let id = unique(&base, &used);
        used.insert(id.clone());
        id_of.insert(b.key.clone(), id.clone());
        let mut kind = decision.kind.default_kind();
        if let NodeKind::Client(c) = &mut kind {
            match rate {
                Some((r, _)) => c.rate_rps = r,
                None => guesses.push(format!(
                    "client '{id}' sends {DEFAULT_RATE_RPS} requests/s (its label names no rate; write e.g. \"Users (2000 rps)\")"
                )),
            }
        }
        if let Some(note) = decision.note {
            guesses.push(format!("'{id}' ({}): {note}", b.label.trim()));
        }
        mappings.push(Mapped {
            id: id.clone(),
            label: b.label.clone(),
            place: b.place.clone(),
            kind: decision.kind,
            rule: decision.rule,
            guessed: decision.guessed,
        });
        nodes.push(Node {
            id,
            kind,
            pos: b.pos,
            zone: None,
        });
    }

    let tag_of = |id: &str, nodes: &[Node]| nodes.iter().find(|n| n.id == id).map(|n| n.kind.tag());
    let mut edges: Vec<Edge> = Vec::new();
    for l in &d.links {
        let what = format!("arrow {} -> {}", l.from, l.to);
        let (Some(from), Some(to)) = (id_of.get(&l.from), id_of.get(&l.to)) else {
            let missing = if id_of.contains_key(&l.from) {
                &l.to
            } else {
                &l.from
            };
            skipped.push(Skipped::new(
                &l.place,
                what,
                format!("'{missing}' is not an imported box"),
                "connect the arrow to a box",
            ));
            continue;
        };
        let (ft, tt) = (tag_of(from, &nodes), tag_of(to, &nodes));
        // The call graph's rules, most telling first; a queue feeding a non-service is left to validation.
        let rules = connection_rules(ft, tt, from == to);
        let breaks = |r: Illegal| rules.contains(&r);
        let reason = if breaks(Illegal::SelfCall) {
            Some((
                "it starts and ends at the same box".to_owned(),
                "remove it".to_owned(),
            ))
        } else if breaks(Illegal::CalleeIsClient) {
            Some((
                format!(
                    "it points into client '{to}'; clients only send traffic (answers return along the arrow that brought the request)"
                ),
                "draw the arrow from the client instead".to_owned(),
            ))
        } else if rules
            .iter()
            .any(|r| matches!(r, Illegal::CallerNeverCallsOut(_)))
        {
            Some((
                format!("it starts at database '{from}'; databases answer and never call out"),
                format!("if '{from}' calls out, give it a label that maps to a service"),
            ))
        } else if edges.iter().any(|e| e.from == *from && e.to == *to) {
            Some((
                "the same connection is drawn twice".to_owned(),
                "nothing to do".to_owned(),
            ))
        } else if reaches(&nodes, &edges, to, from) {
            Some((
                format!(
                    "it closes a loop back to '{to}'; requests flow one way and answers return along the same arrows"
                ),
                "remove the back arrow (or use two boxes)".to_owned(),
            ))
        } else {
            None
        };
        match reason {
            Some((r, fix)) => skipped.push(Skipped::new(&l.place, what, r, fix)),
            None => edges.push(Edge::new(from.clone(), to.clone())),
        }
    }

    if !nodes.is_empty() && !nodes.iter().any(|n| n.kind.tag() == KindTag::Client) {
        let called: BTreeSet<&str> = edges.iter().map(|e| e.to.as_str()).collect();
        let entries: Vec<String> = nodes
            .iter()
            .filter(|n| !called.contains(n.id.as_str()))
            .map(|n| n.id.clone())
            .collect();
        let entries = if entries.is_empty() {
            vec![nodes[0].id.clone()]
        } else {
            entries
        };
        let id = unique("users", &used);
        guesses.push(format!(
            "the drawing has no client, so client '{id}' ({DEFAULT_RATE_RPS} requests/s) was added, calling {} (the boxes nothing calls)",
            entries.iter().map(|e| format!("'{e}'")).collect::<Vec<_>>().join(", ")
        ));
        for e in &entries {
            edges.push(Edge::new(id.clone(), e.clone()));
        }
        nodes.insert(
            0,
            Node {
                id,
                kind: KindTag::Client.default_kind(),
                pos: None,
                zone: None,
            },
        );
    }

    place_nodes(&mut nodes, &edges);
    let scenario = Scenario {
        name: name.to_owned(),
        description: format!(
            "Imported from a diagram ({} boxes). Parameters are archsim's defaults: set the clients' rates and each tier's capacity before trusting the numbers.",
            d.boxes.len()
        ),
        nodes,
        edges,
        ..Scenario::default()
    };
    let problems = validate(&scenario);
    Import {
        scenario,
        mappings,
        skipped,
        guesses,
        problems,
    }
}

fn unique(base: &str, used: &BTreeSet<String>) -> String {
    if !used.contains(base) {
        return base.to_owned();
    }
    (2..)
        .map(|i| format!("{base}_{i}"))
        .find(|c| !used.contains(c))
        .expect("some suffix is free")
}

/// Is `to` reachable from `from` over `edges` (both are among `nodes`)?
fn reaches(nodes: &[Node], edges: &[Edge], from: &str, to: &str) -> bool {
    let index = |id: &str| nodes.iter().position(|n| n.id == id);
    match (index(from), index(to)) {
        (Some(a), Some(b)) => CallGraph::from_parts(nodes, edges).reaches(a, b),
        (None, _) | (_, None) => false,
    }
}

/// A rate in a label (`2000 rps`, `2k req/s`, `1,500 qps`, `50 requests/s`) and where it is.
fn rate_in(label: &str) -> Option<(f64, std::ops::Range<usize>)> {
    let lower = label.to_ascii_lowercase();
    for unit in ["requests per second", "requests/s", "req/s", "rps", "qps"] {
        let Some(i) = lower.find(unit) else { continue };
        let head = lower[..i].trim_end();
        let (head, k) = match head.strip_suffix('k') {
            Some(h) => (h.trim_end(), 1000.0),
            None => (head, 1.0),
        };
        // Just past the last character that is not part of the number (which may be wider than a byte).
        let start = head
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_digit() || c == '.' || c == ','))
            .map_or(0, |(j, c)| j + c.len_utf8());
        let num: String = head[start..].chars().filter(|&c| c != ',').collect();
        if let Ok(v) = num.parse::<f64>()
            && v.is_finite()
            && v > 0.0
        {
            return Some((v * k, start..i + unit.len()));
        }
    }
    None
}

/// Keeps the source's positions (moved so the drawing starts near the canvas origin) and lays out the
/// nodes without one in layers by their distance from the clients.
fn place_nodes(nodes: &mut [Node], edges: &[Edge]) {
    let (mut min_x, mut min_y) = (f32::INFINITY, f32::INFINITY);
    for p in nodes.iter().filter_map(|n| n.pos) {
        min_x = min_x.min(p.0);
        min_y = min_y.min(p.1);
    }
    if min_x.is_finite() {
        for n in nodes.iter_mut() {
            if let Some(p) = &mut n.pos {
                *p = (
                    (p.0 - min_x + ORIGIN.0).round(),
                    (p.1 - min_y + ORIGIN.1).round(),
                );
            }
        }
    }
    // Longest distance from a node nothing calls (edges are acyclic here: loops were dropped).
    let index: BTreeMap<String, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.clone(), i))
        .collect();
    let mut layer = vec![0usize; nodes.len()];
    for _ in 0..nodes.len() {
        let mut changed = false;
        for e in edges {
            if let (Some(&f), Some(&t)) = (index.get(e.from.as_str()), index.get(e.to.as_str()))
                && layer[t] < layer[f] + 1
            {
                layer[t] = layer[f] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let placed_any = nodes.iter().any(|n| n.pos.is_some());
    let mut rows: BTreeMap<usize, usize> = BTreeMap::new();
    let positions: Vec<Option<(f32, f32)>> = nodes.iter().map(|n| n.pos).collect();
    for (i, n) in nodes.iter_mut().enumerate() {
        if n.pos.is_some() {
            continue;
        }
        if placed_any {
            // A node added to a positioned drawing (the client): left of what it calls.
            let targets: Vec<(f32, f32)> = edges
                .iter()
                .filter(|e| e.from == n.id)
                .filter_map(|e| index.get(e.to.as_str()).and_then(|&t| positions[t]))
                .collect();
            if !targets.is_empty() {
                let x = targets.iter().map(|p| p.0).fold(f32::INFINITY, f32::min) - LAYER_DX;
                let y = targets.iter().map(|p| p.1).sum::<f32>() / targets.len() as f32;
                n.pos = Some((x.round(), y.round()));
                continue;
            }
        }
        let row = rows.entry(layer[i]).or_insert(0);
        n.pos = Some((
            ORIGIN.0 + LAYER_DX * layer[i] as f32,
            ORIGIN.1 + ROW_DY * *row as f32,
        ));
        *row += 1;
    }
    // Keep everything on the visible side of the origin (the added client may sit left of x = 0).
    let min_x = nodes
        .iter()
        .filter_map(|n| n.pos.map(|p| p.0))
        .fold(f32::INFINITY, f32::min);
    if min_x.is_finite() && min_x < ORIGIN.0 {
        for n in nodes.iter_mut() {
            if let Some(p) = &mut n.pos {
                p.0 += ORIGIN.0 - min_x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_in_labels() {
        let r = |s: &str| rate_in(s).map(|(v, _)| v);
        assert_eq!(r("Users (2000 rps)"), Some(2000.0));
        assert_eq!(r("Mobile 2k req/s"), Some(2000.0));
        assert_eq!(r("1,500 qps"), Some(1500.0));
        assert_eq!(r("Users"), None);
        assert_eq!(r("rps"), None);
        assert_eq!(rate_in("Users 20 rps now").map(|(_, x)| x), Some(6..12));
    }
}
