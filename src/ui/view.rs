//! The canvas camera (pan and zoom) and node placement.

use egui::{Pos2, Rect, Vec2, pos2, vec2};
use serde::{Deserialize, Serialize};

use crate::model::{KindTag, Scenario};

use super::theme;

/// Smallest and largest zoom.
pub const ZOOM_RANGE: (f32, f32) = (0.2, 3.0);

/// Pan and zoom: `screen = canvas.min + offset + world * zoom`. Persisted between sessions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct View {
    /// Screen offset of the world origin from the canvas corner, points.
    pub offset: [f32; 2],
    /// Screen points per world unit.
    pub zoom: f32,
}

impl Default for View {
    fn default() -> Self {
        Self {
            offset: [40.0, 40.0],
            zoom: 1.0,
        }
    }
}

impl View {
    fn sane(&self) -> (Vec2, f32) {
        let z = if self.zoom.is_finite() {
            self.zoom.clamp(ZOOM_RANGE.0, ZOOM_RANGE.1)
        } else {
            1.0
        };
        let o = vec2(self.offset[0], self.offset[1]);
        let o = if o.x.is_finite() && o.y.is_finite() {
            o
        } else {
            Vec2::ZERO
        };
        (o, z)
    }

    /// The zoom, clamped to the allowed range.
    pub fn zoom(&self) -> f32 {
        self.sane().1
    }

    /// World -> screen.
    pub fn to_screen(self, canvas: Rect, p: Pos2) -> Pos2 {
        let (o, z) = self.sane();
        canvas.min + o + p.to_vec2() * z
    }

    /// Screen -> world.
    pub fn to_world(self, canvas: Rect, p: Pos2) -> Pos2 {
        let (o, z) = self.sane();
        ((p - canvas.min - o) / z).to_pos2()
    }

    /// A world rectangle on screen.
    pub fn rect_to_screen(self, canvas: Rect, r: Rect) -> Rect {
        Rect::from_min_max(self.to_screen(canvas, r.min), self.to_screen(canvas, r.max))
    }

    /// Zooms by `factor` keeping the world point under `anchor` (screen) in place.
    pub fn zoom_about(&mut self, canvas: Rect, anchor: Pos2, factor: f32) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let world = self.to_world(canvas, anchor);
        let z = (self.zoom() * factor).clamp(ZOOM_RANGE.0, ZOOM_RANGE.1);
        let o = anchor - canvas.min - world.to_vec2() * z;
        self.zoom = z;
        self.offset = [o.x, o.y];
    }

    /// Pans by a screen delta.
    pub fn pan(&mut self, delta: Vec2) {
        let (o, _) = self.sane();
        let o = o + delta;
        self.offset = [o.x, o.y];
    }

    /// Fits the world rectangle `bounds` into the canvas with a margin.
    pub fn fit(&mut self, canvas: Rect, bounds: Rect) {
        if !bounds.is_finite() || bounds.width() <= 0.0 || canvas.width() <= 0.0 {
            *self = Self::default();
            return;
        }
        let bounds = bounds.expand(40.0);
        let z = (canvas.width() / bounds.width())
            .min(canvas.height() / bounds.height())
            .clamp(ZOOM_RANGE.0, 1.5);
        let o = canvas.size() / 2.0 - bounds.center().to_vec2() * z;
        self.zoom = z;
        self.offset = [o.x, o.y];
    }
}

/// Centre of every node in world units, in scenario order. Nodes without a stored position are laid out in
/// columns by their distance from the clients.
pub fn node_centers(s: &Scenario) -> Vec<Pos2> {
    let clients: Vec<usize> = (0..s.nodes.len())
        .filter(|&i| s.nodes[i].kind.tag() == KindTag::Client)
        .collect();
    let depth = crate::model::graph::CallGraph::new(s).hops_from(&clients);
    let mut per_col = std::collections::BTreeMap::new();
    s.nodes
        .iter()
        .enumerate()
        .map(|(i, node)| match node.pos {
            Some((x, y)) if x.is_finite() && y.is_finite() => pos2(x, y),
            _ => {
                let col = depth[i].unwrap_or(0);
                let row: &mut usize = per_col.entry(col).or_default();
                *row += 1;
                pos2(col as f32 * 180.0 + 80.0, *row as f32 * 100.0 + 300.0)
            }
        })
        .collect()
}

/// A node's box in world units.
pub fn node_rect(center: Pos2) -> Rect {
    Rect::from_center_size(center, theme::NODE_SIZE)
}

/// The world rectangle holding every node (`None` when there are none).
pub fn bounds(centers: &[Pos2]) -> Option<Rect> {
    centers
        .iter()
        .map(|&c| node_rect(c))
        .reduce(|a, b| a.union(b))
}

/// Rounds a world point to the grid.
pub fn snap(p: Pos2) -> Pos2 {
    let g = theme::GRID;
    pos2((p.x / g).round() * g, (p.y / g).round() * g)
}
