//! "Arrange": a layered drawing of the call graph, left to right by call depth, with the order inside each
//! column chosen to cross few edges (the barycentre heuristic of Sugiyama, Tagawa and Toda, 1981: each
//! node moves to the mean position of its neighbours in the next column, sweeping both ways, and the order
//! with the fewest crossings seen is kept).

use super::Scenario;
use super::graph::CallGraph;

/// Distance between columns (call depths), world units: a node (132 wide) plus room for an edge's chips.
pub const COLUMN_W: f32 = 240.0;
/// Distance between rows inside a column, world units: a node (56 high) plus room for its badge.
pub const ROW_H: f32 = 100.0;
/// Sweeps of the barycentre heuristic (each one down and back up).
const SWEEPS: usize = 12;

/// Every node's column: the longest chain of calls that reaches it from a node nothing calls (so every
/// edge points right). In a cycle (which validation refuses) the fewest hops from those nodes instead.
pub fn columns(s: &Scenario) -> Vec<usize> {
    let g = CallGraph::new(s);
    let n = g.len();
    let mut called = vec![false; n];
    for i in 0..n {
        for (_, j) in g.callees(i) {
            called[j] = true;
        }
    }
    let roots: Vec<usize> = (0..n).filter(|&i| !called[i]).collect();
    match g.topological_order() {
        Some(order) => {
            let mut col = vec![0usize; n];
            for i in order {
                for (_, j) in g.callees(i) {
                    col[j] = col[j].max(col[i] + 1);
                }
            }
            col
        }
        None => g
            .hops_from(if roots.is_empty() { &[0] } else { &roots })
            .into_iter()
            .map(|h| h.unwrap_or(0))
            .collect(),
    }
}

/// Edges crossing between neighbouring columns, for node order `rank` (position inside its column).
pub fn crossings(s: &Scenario, col: &[usize], rank: &[f32]) -> usize {
    let g = CallGraph::new(s);
    let mut spans: Vec<(usize, f32, f32)> = Vec::new();
    for i in 0..g.len() {
        for (_, j) in g.callees(i) {
            spans.push((col[i], rank[i], rank[j]));
        }
    }
    let mut n = 0;
    for (a, &(ca, a0, a1)) in spans.iter().enumerate() {
        for &(cb, b0, b1) in &spans[a + 1..] {
            if ca == cb && (a0 - b0) * (a1 - b1) < 0.0 {
                n += 1;
            }
        }
    }
    n
}

/// Node centres for the arranged drawing, in scenario order. Inside a column nodes start in the order of
/// their current height on the canvas (`y`), so arranging keeps what the person meant where it can.
pub fn arrange(s: &Scenario, y: &[f32]) -> Vec<(f32, f32)> {
    let n = s.nodes.len();
    if n == 0 {
        return Vec::new();
    }
    let col = columns(s);
    let n_cols = col.iter().max().map_or(1, |m| m + 1);
    let g = CallGraph::new(s);
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut callees: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, out) in callees.iter_mut().enumerate() {
        for (_, j) in g.callees(i) {
            out.push(j);
            callers[j].push(i);
        }
    }
    // Columns as lists of nodes, first by current height (ties: scenario order).
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); n_cols];
    for i in 0..n {
        layers[col[i]].push(i);
    }
    for l in &mut layers {
        l.sort_by(|&a, &b| y[a].total_cmp(&y[b]).then(a.cmp(&b)));
    }
    let ranks = |layers: &[Vec<usize>]| {
        let mut r = vec![0.0f32; n];
        for l in layers {
            for (k, &i) in l.iter().enumerate() {
                r[i] = k as f32;
            }
        }
        r
    };
    let mut best = layers.clone();
    let mut best_x = crossings(s, &col, &ranks(&layers));
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..n_cols).collect()
        } else {
            (0..n_cols.saturating_sub(1)).rev().collect()
        };
        for c in order {
            let r = ranks(&layers);
            let layer = &mut layers[c];
            let bary = |i: usize| {
                let nb = if down { &callers[i] } else { &callees[i] };
                if nb.is_empty() {
                    r[i]
                } else {
                    nb.iter().map(|&j| r[j]).sum::<f32>() / nb.len() as f32
                }
            };
            let mut keyed: Vec<(f32, f32, usize)> =
                layer.iter().map(|&i| (bary(i), r[i], i)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            *layer = keyed.into_iter().map(|(_, _, i)| i).collect();
        }
        let x = crossings(s, &col, &ranks(&layers));
        if x < best_x {
            best_x = x;
            best = layers.clone();
        }
    }
    let tallest = best.iter().map(Vec::len).max().unwrap_or(1);
    let mut pos = vec![(0.0, 0.0); n];
    for (c, l) in best.iter().enumerate() {
        // Each column centred on the tallest one's middle.
        let top = (tallest - l.len()) as f32 * ROW_H / 2.0;
        for (k, &i) in l.iter().enumerate() {
            pos[i] = (100.0 + c as f32 * COLUMN_W, 100.0 + top + k as f32 * ROW_H);
        }
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(nodes: &str, edges: &str) -> Scenario {
        let text = format!("(nodes: [{nodes}], edges: [{edges}])");
        super::super::parse(&text, "t.ron").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn columns_follow_the_longest_call_chain_so_every_edge_points_right() {
        let s = scenario(
            r#"(id: "u", kind: Client()), (id: "lb", kind: LoadBalancer()), (id: "a", kind: Service()),
               (id: "db", kind: Database())"#,
            // u calls db directly too: db must still sit right of a.
            r#"(from: "u", to: "lb"), (from: "lb", to: "a"), (from: "a", to: "db"), (from: "u", to: "db")"#,
        );
        assert_eq!(columns(&s), vec![0, 1, 2, 3]);
        let p = arrange(&s, &[0.0; 4]);
        for e in &s.edges {
            let (a, b) = (s.node_index(&e.from).unwrap(), s.node_index(&e.to).unwrap());
            assert!(p[a].0 < p[b].0, "{} -> {} points left: {p:?}", e.from, e.to);
        }
    }

    #[test]
    fn the_order_inside_a_column_uncrosses_the_edges() {
        // lb calls a then b; a calls y, b calls x. Drawn with x above y, the two edges cross.
        let s = scenario(
            r#"(id: "lb", kind: LoadBalancer()), (id: "a", kind: Service()), (id: "b", kind: Service()),
               (id: "x", kind: Database()), (id: "y", kind: Database())"#,
            r#"(from: "lb", to: "a"), (from: "lb", to: "b"), (from: "a", to: "y"), (from: "b", to: "x")"#,
        );
        let y = [0.0, 0.0, 100.0, 0.0, 100.0];
        let col = columns(&s);
        assert_eq!(
            crossings(&s, &col, &y),
            1,
            "the drawing as given crosses once"
        );
        let p = arrange(&s, &y);
        let rank: Vec<f32> = p.iter().map(|q| q.1).collect();
        assert_eq!(crossings(&s, &col, &rank), 0, "{p:?}");
        // Same column, different rows, a full row apart.
        assert_eq!(p[1].0, p[2].0);
        assert!((p[1].1 - p[2].1).abs() >= ROW_H);
    }
}
