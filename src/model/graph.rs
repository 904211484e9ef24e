//! The scenario's call graph, once: which connections are legal, whether the edges form a cycle (and
//! through which nodes), what reaches what, a topological order and path counts. Validation, the editor,
//! the canvas layout and the flow model all ask here, so the rules cannot drift apart.
//!
//! Built on petgraph. Node `i` of the graph is `scenario.nodes[i]` and edge `j` is `scenario.edges[j]`;
//! an edge naming a node that does not exist is left out (validation reports it on its own), so the graph
//! can be built from any scenario, valid or not, as the editor needs.

use std::collections::{BTreeSet, VecDeque};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use super::{Edge, KindTag, Node, Scenario};

/// Why a connection `from -> to` is not allowed, whatever else the scenario holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Illegal {
    /// The caller is of a kind that only answers (a database).
    CallerNeverCallsOut(KindTag),
    /// The callee is a client: clients only send traffic.
    CalleeIsClient,
    /// A queue hands its messages to services only (worker pools that pull them).
    QueueConsumerNotService(KindTag),
    /// Both ends are the same node.
    SelfCall,
}

impl Illegal {
    /// Is it about one end's kind alone (rather than about the pair)?
    pub fn is_about_one_end(self) -> bool {
        match self {
            Illegal::CallerNeverCallsOut(_) | Illegal::CalleeIsClient => true,
            Illegal::QueueConsumerNotService(_) | Illegal::SelfCall => false,
        }
    }

    /// The field of the edge the rule is about (`from` or `to`).
    pub fn field(self) -> &'static str {
        match self {
            Illegal::CallerNeverCallsOut(_) => "from",
            Illegal::CalleeIsClient | Illegal::QueueConsumerNotService(_) | Illegal::SelfCall => {
                "to"
            }
        }
    }
}

/// Every rule a connection between nodes of kinds `from` and `to` breaks, in the order validation reports
/// them (`same`: both ends are the same node). Either end may be unknown (`None`): its rules are skipped.
pub fn connection_rules(from: Option<KindTag>, to: Option<KindTag>, same: bool) -> Vec<Illegal> {
    let mut out = Vec::new();
    if let Some(f) = from
        && !f.may_call_out()
    {
        out.push(Illegal::CallerNeverCallsOut(f));
    }
    if let Some(t) = to
        && !t.may_be_called()
    {
        out.push(Illegal::CalleeIsClient);
    }
    if let (Some(KindTag::Queue), Some(t)) = (from, to)
        && t != KindTag::Service
    {
        out.push(Illegal::QueueConsumerNotService(t));
    }
    if same {
        out.push(Illegal::SelfCall);
    }
    out
}

/// The call graph of one scenario.
pub struct CallGraph {
    g: DiGraph<(), usize>,
}

impl CallGraph {
    /// The graph of `s`'s nodes and of its edges whose ends both exist (by the first node with each id).
    pub fn new(s: &Scenario) -> Self {
        Self::from_parts(&s.nodes, &s.edges)
    }

    /// The graph of `nodes` and `edges` before they make a scenario (an import adding arrows one by one).
    pub fn from_parts(nodes: &[Node], edges: &[Edge]) -> Self {
        let index = |id: &str| nodes.iter().position(|n| n.id == id);
        let mut g = DiGraph::with_capacity(nodes.len(), edges.len());
        for _ in nodes {
            g.add_node(());
        }
        for (j, e) in edges.iter().enumerate() {
            if let (Some(a), Some(b)) = (index(&e.from), index(&e.to)) {
                g.add_edge(NodeIndex::new(a), NodeIndex::new(b), j);
            }
        }
        Self { g }
    }

    /// Nodes.
    pub fn len(&self) -> usize {
        self.g.node_count()
    }

    /// No nodes at all?
    pub fn is_empty(&self) -> bool {
        self.g.node_count() == 0
    }

    /// The nodes `i` calls directly, as `(edge index, callee)`, in edge order.
    pub fn callees(&self, i: usize) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = self
            .g
            .edges_directed(NodeIndex::new(i), Direction::Outgoing)
            .map(|e| (*e.weight(), e.target().index()))
            .collect();
        // petgraph lists a node's edges newest first; the scenario's order is the file's.
        out.sort_unstable();
        out
    }

    /// A cycle, if the edges form one: its nodes in calling order, the first (the lowest index on any
    /// cycle) not repeated at the end. A node calling itself is a cycle of one.
    pub fn cycle(&self) -> Option<Vec<usize>> {
        // The strongly connected components with more than one node, or with a self-loop, hold the cycles.
        let mut best: Option<usize> = None;
        for scc in petgraph::algo::tarjan_scc(&self.g) {
            let looped = scc.len() > 1 || self.g.find_edge(scc[0], scc[0]).is_some();
            if looped {
                let low = scc.iter().map(|n| n.index()).min()?;
                best = Some(best.map_or(low, |b| b.min(low)));
            }
        }
        let start = best?;
        // Shortest way back to `start` (breadth first, edges in file order: deterministic).
        let mut prev = vec![usize::MAX; self.len()];
        let mut frontier = VecDeque::from([start]);
        while let Some(i) = frontier.pop_front() {
            for (_, j) in self.callees(i) {
                if j == start {
                    let mut path = vec![i];
                    let mut k = i;
                    while k != start {
                        k = prev[k];
                        path.push(k);
                    }
                    path.reverse();
                    return Some(path);
                }
                if prev[j] == usize::MAX {
                    prev[j] = i;
                    frontier.push_back(j);
                }
            }
        }
        None
    }

    /// Is there a path `a -> ... -> b` (a node reaches itself)?
    pub fn reaches(&self, a: usize, b: usize) -> bool {
        petgraph::algo::has_path_connecting(&self.g, NodeIndex::new(a), NodeIndex::new(b), None)
    }

    /// A topological order (callers before callees), the lowest index first among the nodes that are
    /// ready: the same order for the same scenario on every run. `None` if the edges form a cycle.
    pub fn topological_order(&self) -> Option<Vec<usize>> {
        let n = self.len();
        let mut indegree = vec![0usize; n];
        for e in self.g.edge_references() {
            indegree[e.target().index()] += 1;
        }
        let mut ready: BTreeSet<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for e in self
                .g
                .edges_directed(NodeIndex::new(i), Direction::Outgoing)
            {
                let t = e.target().index();
                indegree[t] -= 1;
                if indegree[t] == 0 {
                    ready.insert(t);
                }
            }
        }
        (order.len() == n).then_some(order)
    }

    /// Per node, the number of distinct paths to it from `sources` (a source counts one path to itself),
    /// saturating at `u64::MAX`: how many ways one request can reach a node. `None` if the edges form a
    /// cycle (the count would be infinite).
    pub fn path_counts(&self, sources: &[usize]) -> Option<Vec<u64>> {
        let order = self.topological_order()?;
        let mut count = vec![0u64; self.len()];
        for &s in sources {
            count[s] = count[s].saturating_add(1);
        }
        for i in order {
            for e in self
                .g
                .edges_directed(NodeIndex::new(i), Direction::Outgoing)
            {
                let t = e.target().index();
                count[t] = count[t].saturating_add(count[i]);
            }
        }
        Some(count)
    }

    /// Per node, the fewest hops from any of `sources` (`None`: not reachable from them).
    pub fn hops_from(&self, sources: &[usize]) -> Vec<Option<usize>> {
        let mut hops = vec![None; self.len()];
        let mut frontier = VecDeque::new();
        for &s in sources {
            if hops[s].is_none() {
                hops[s] = Some(0);
                frontier.push_back(s);
            }
        }
        while let Some(i) = frontier.pop_front() {
            let d = hops[i].unwrap_or(0) + 1;
            for (_, j) in self.callees(i) {
                if hops[j].is_none() {
                    hops[j] = Some(d);
                    frontier.push_back(j);
                }
            }
        }
        hops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(kinds: &[KindTag], edges: &[(usize, usize)]) -> Scenario {
        let nodes = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| Node {
                id: format!("n{i}"),
                kind: k.default_kind(),
                pos: None,
                zone: None,
            })
            .collect();
        let edges = edges
            .iter()
            .map(|&(a, b)| Edge::new(format!("n{a}"), format!("n{b}")))
            .collect();
        Scenario {
            nodes,
            edges,
            ..Scenario::default()
        }
    }

    const S: KindTag = KindTag::Service;

    #[test]
    fn a_cycle_is_named_by_its_nodes_in_calling_order() {
        // 0 -> 1 -> 2 -> 3 -> 1, and 2 -> 4: the cycle is 1, 2, 3.
        let g = CallGraph::new(&scenario(
            &[S; 5],
            &[(0, 1), (1, 2), (2, 4), (2, 3), (3, 1)],
        ));
        assert_eq!(g.cycle(), Some(vec![1, 2, 3]));
        assert_eq!(g.topological_order(), None);
        assert_eq!(g.path_counts(&[0]), None);
        let g = CallGraph::new(&scenario(&[S; 2], &[(1, 1)]));
        assert_eq!(g.cycle(), Some(vec![1]));
        let g = CallGraph::new(&scenario(&[S; 3], &[(0, 1), (1, 2)]));
        assert_eq!(g.cycle(), None);
    }

    #[test]
    fn topological_order_takes_the_lowest_ready_index_first() {
        // 3 -> 1, 0 -> 2, 2 -> 1: ready {0, 3}; 0, then 2 is ready with 3; 2 < 3.
        let g = CallGraph::new(&scenario(&[S; 4], &[(3, 1), (0, 2), (2, 1)]));
        assert_eq!(g.topological_order(), Some(vec![0, 2, 3, 1]));
    }

    #[test]
    fn paths_reachability_and_hops_on_a_diamond() {
        // 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, 3 -> 4; 5 stands alone.
        let g = CallGraph::new(&scenario(
            &[S; 6],
            &[(0, 1), (0, 2), (1, 3), (2, 3), (3, 4)],
        ));
        assert_eq!(g.path_counts(&[0]), Some(vec![1, 1, 1, 2, 2, 0]));
        assert!(g.reaches(0, 4) && g.reaches(2, 4) && g.reaches(4, 4));
        assert!(!g.reaches(4, 0) && !g.reaches(0, 5));
        assert_eq!(
            g.hops_from(&[0]),
            vec![Some(0), Some(1), Some(1), Some(2), Some(3), None]
        );
        assert_eq!(g.callees(0), vec![(0, 1), (1, 2)]);
    }

    #[test]
    fn edges_to_unknown_nodes_are_left_out() {
        let mut s = scenario(&[S; 2], &[(0, 1)]);
        s.edges.push(Edge::new("n1", "ghost"));
        let g = CallGraph::new(&s);
        assert_eq!(g.callees(1), vec![]);
        assert_eq!(g.topological_order(), Some(vec![0, 1]));
    }

    #[test]
    fn connection_rules_follow_the_kinds() {
        use KindTag::*;
        assert_eq!(
            connection_rules(Some(Service), Some(Database), false),
            vec![]
        );
        assert_eq!(
            connection_rules(Some(Database), Some(Client), false),
            vec![
                Illegal::CallerNeverCallsOut(Database),
                Illegal::CalleeIsClient
            ]
        );
        assert_eq!(
            connection_rules(Some(Queue), Some(Cache), false),
            vec![Illegal::QueueConsumerNotService(Cache)]
        );
        assert_eq!(connection_rules(Some(Queue), Some(Service), false), vec![]);
        assert_eq!(
            connection_rules(None, Some(Service), true),
            vec![Illegal::SelfCall]
        );
        assert_eq!(Illegal::CallerNeverCallsOut(Database).field(), "from");
    }
}
