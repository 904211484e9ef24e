//! Painting the whole diagram for a frame, back to front: edges with their labels, the request dots above
//! them, the nodes, their badges (placed clear of every other node), then the gesture in progress.

use std::collections::BTreeMap;

use egui::{Painter, Rect, Stroke, StrokeKind};

use crate::model::KindTag;

use super::canvas::{CanvasInput, Drag};
use super::canvas_anim::{self as anim, DotAnim};
use super::canvas_badge;
use super::canvas_draw::{self as draw, NodeFlags};
use super::canvas_input::{Geometry, Gestures};
use super::theme::{self, Theme};

/// What the scene painter needs besides the input and the geometry.
pub struct SceneCtx<'a> {
    pub painter: &'a Painter,
    pub theme: &'a Theme,
    pub zoom: f32,
    /// Drawn for a PNG export: no hover, no selection, no handles.
    pub clean: bool,
    pub read_only: bool,
}

/// What was drawn where, for the tests and scripts that look.
#[derive(Clone, Debug, Default)]
pub struct Drawn {
    /// Each badge: its node and screen rectangle.
    pub badges: Vec<(String, Rect)>,
    /// The dots drawn on each edge of the design, in edge order: how far along each was (0 to 1).
    pub dots: Vec<Vec<f32>>,
}

/// Regions and zones as labelled boxes behind their nodes (a region around its zones' boxes).
pub fn paint_places(cx: &SceneCtx<'_>, geo: &Geometry, s: &crate::model::Scenario) {
    let Some(t) = &s.topology else {
        return;
    };
    let z = cx.zoom;
    let font = egui::FontId::proportional((11.0 * z).clamp(8.0, 14.0));
    let bounds = |zones: &[String]| -> Option<Rect> {
        s.nodes
            .iter()
            .zip(&geo.nodes)
            .filter(|(n, _)| n.zone.as_ref().is_some_and(|x| zones.contains(x)))
            .map(|(_, r)| *r)
            .reduce(|a, b| a.union(b))
    };
    for r in &t.regions {
        let Some(area) = bounds(&r.zones) else {
            continue;
        };
        let outer = area.expand(30.0 * z);
        let th = cx.theme;
        cx.painter.rect(
            outer,
            10.0 * z,
            th.region_fill,
            Stroke::new(1.5, th.region_stroke),
            StrokeKind::Inside,
        );
        cx.painter.text(
            outer.left_top() + egui::vec2(8.0 * z, 3.0 * z),
            egui::Align2::LEFT_TOP,
            &r.name,
            font.clone(),
            th.region_stroke,
        );
        for zone in &r.zones {
            let Some(inner) = bounds(std::slice::from_ref(zone)) else {
                continue;
            };
            let inner = inner.expand(13.0 * z);
            cx.painter.rect_stroke(
                inner,
                6.0 * z,
                Stroke::new(1.0, th.zone_stroke),
                StrokeKind::Inside,
            );
            // Below the nodes: their badges sit above them.
            cx.painter.text(
                inner.left_bottom() + egui::vec2(5.0 * z, -z),
                egui::Align2::LEFT_BOTTOM,
                zone,
                egui::FontId::proportional((9.5 * z).clamp(7.0, 12.0)),
                th.zone_stroke,
            );
        }
    }
}

/// Edges with their chips: selected or hovered ones highlighted, broken ones dashed.
pub fn paint_edges(cx: &SceneCtx<'_>, geo: &Geometry, input: &CanvasInput<'_>, drag: &Drag) {
    let (s, runner) = (input.scenario, input.runner);
    let snapshot = runner.snapshot.as_ref().filter(|_| runner.has_sim());
    let hovered_edge = geo
        .pointer
        .filter(|_| matches!(drag, Drag::None))
        .and_then(|p| geo.edge_at(p));
    for (i, e) in s.edges.iter().enumerate() {
        let Some(seg) = geo.edges[i] else { continue };
        let live = snapshot.and_then(|sn| sn.edges.get(runner.edge_index(&e.from, &e.to)?));
        let broken = snapshot.is_some_and(|sn| {
            let node_broken = |id: &str| {
                runner
                    .node_index(id)
                    .and_then(|k| sn.nodes.get(k))
                    .is_some_and(|l| !l.up || l.degraded)
            };
            live.is_some_and(|l| l.down) || node_broken(&e.from) || node_broken(&e.to)
        });
        let selected = !cx.clean
            && (input
                .selection
                .edges
                .contains(&(e.from.clone(), e.to.clone()))
                || hovered_edge == Some(i));
        let look = draw::EdgeLook {
            rps: live.map(|l| l.throughput_rps),
            selected,
            broken,
            role: {
                let role = input.roles.get(i).map(|r| r.label()).unwrap_or_default();
                let opts = crate::model::lint::call_options(e);
                format!("{role} {opts}").trim().to_owned()
            },
            fork: matches!(
                input.roles.get(i),
                Some(crate::model::lint::EdgeRole::Parallel { .. })
            ),
            warn: input
                .mistakes
                .iter()
                .any(|m| m.edge.0 == e.from && m.edge.1 == e.to),
        };
        draw::paint_edge(cx.painter, seg, e, &look, cx.zoom, cx.theme);
    }
}

/// The request dots, over the edges and their labels; returns where they were drawn on each edge.
pub fn paint_dots(
    cx: &SceneCtx<'_>,
    geo: &Geometry,
    input: &CanvasInput<'_>,
    dots: &DotAnim,
) -> Vec<Vec<f32>> {
    let s = input.scenario;
    let mut per_edge = vec![Vec::new(); s.edges.len()];
    let Some(run) = input.runner.run_scenario() else {
        return per_edge;
    };
    // The run's edges by index onto the design's (the design may have changed since the run began).
    let by_ends: BTreeMap<(&str, &str), usize> = s
        .edges
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| ((e.from.as_str(), e.to.as_str()), i))
        .collect();
    let to_design: Vec<Option<usize>> = run
        .edges
        .iter()
        .map(|re| by_ends.get(&(re.from.as_str(), re.to.as_str())).copied())
        .collect();
    let mut out = anim::DotPainter::new(cx.zoom);
    for d in dots.visible() {
        let Some(&Some(i)) = to_design.get(d.edge) else {
            continue;
        };
        if let Some(seg) = geo.edges[i] {
            out.dot(cx.painter, seg, &d, cx.zoom, cx.theme);
            per_edge[i].push(d.along);
        }
    }
    out.finish(cx.painter);
    per_edge
}

/// The nodes, then their badges (which must land clear of every other node); returns the badges.
pub fn paint_nodes(
    cx: &SceneCtx<'_>,
    geo: &Geometry,
    input: &CanvasInput<'_>,
    gestures: &Gestures,
) -> Vec<(String, Rect)> {
    let (s, runner, t) = (input.scenario, input.runner, cx.theme);
    let snapshot = runner.snapshot.as_ref().filter(|_| runner.has_sim());
    let hovered_node = geo.pointer.and_then(|p| geo.node_at(p));
    let visible = |r: &Rect| r.intersects(geo.rect.expand(40.0));
    let mut badges = Vec::new();
    let lives: Vec<_> = s
        .nodes
        .iter()
        .map(|n| snapshot.and_then(|sn| sn.nodes.get(runner.node_index(&n.id)?)))
        .collect();
    for (i, n) in s.nodes.iter().enumerate() {
        if !visible(&geo.nodes[i]) {
            continue;
        }
        let selected = input.selection.nodes.contains(&n.id);
        let flags = NodeFlags {
            selected: !cx.clean && selected,
            hovered: !cx.clean && hovered_node == Some(i),
            problem: input.problem_nodes.contains(&n.id),
            connect_target: gestures
                .connect_target
                .as_ref()
                .filter(|(j, _)| *j == i)
                .map(|(_, p)| p.is_none()),
            handle: !cx.clean
                && !cx.read_only
                && n.kind.tag().may_call_out()
                && (hovered_node == Some(i) || selected),
        };
        draw::paint_node(cx.painter, geo.nodes[i], n, lives[i], flags, cx.zoom, t);
    }
    if cx.zoom <= 0.4 {
        return badges;
    }
    let mut placed = Vec::new();
    for (i, n) in s.nodes.iter().enumerate() {
        let Some(live) = lives[i].filter(|_| visible(&geo.nodes[i])) else {
            continue;
        };
        // A client's badge shows what it sends (its own completions are counted at the far end).
        let sending = (n.kind.tag() == KindTag::Client).then(|| {
            s.edges
                .iter()
                .filter(|e| e.from == n.id)
                .filter_map(|e| snapshot?.edges.get(runner.edge_index(&e.from, &e.to)?))
                .map(|l| l.throughput_rps)
                .sum::<f64>()
        });
        let look = canvas_badge::badge_look(live, sending, t);
        let at = canvas_badge::paint_badge(cx.painter, i, &geo.nodes, &placed, &look, cx.zoom, t);
        placed.push(at);
        badges.push((n.id.clone(), at));
    }
    badges
}

/// The gesture in progress: the selection band, the connection being drawn, a component being dropped.
pub fn paint_gesture(
    cx: &SceneCtx<'_>,
    geo: &Geometry,
    input: &CanvasInput<'_>,
    drag: &Drag,
    gestures: &Gestures,
    dnd: Option<KindTag>,
) {
    let (painter, t) = (cx.painter, cx.theme);
    match drag {
        Drag::Band { start, .. } => {
            if let Some(p) = geo.pointer {
                let band = Rect::from_two_pos(*start, p);
                painter.rect_filled(band, 2.0, t.selection.gamma_multiply(0.12));
                painter.rect_stroke(band, 2.0, Stroke::new(1.0, t.selection), StrokeKind::Inside);
            }
        }
        Drag::Connect { from } => {
            let (Some(i), Some(p)) = (input.scenario.node_index(from), geo.pointer) else {
                return;
            };
            let a = draw::handle_pos(geo.nodes[i]);
            let (color, end) = match &gestures.connect_target {
                Some((j, None)) => (t.ok, super::icons::border_point(geo.nodes[*j], a)),
                Some((_, Some(_))) => (t.error, p),
                None => (t.selection, p),
            };
            painter.line_segment([a, end], Stroke::new(2.0, color));
            super::icons::arrow_head(painter, end, (end - a).normalized(), 10.0, color);
            if let Some((_, Some(why))) = &gestures.connect_target {
                draw::paint_hint(painter, p, &format!("Cannot connect: {why}"), t.error, t);
            }
        }
        Drag::None | Drag::Move { .. } | Drag::Pan => {}
    }
    if let (Some(kind), Some(p)) = (dnd, geo.pointer) {
        let ghost = Rect::from_center_size(p, theme::NODE_SIZE * cx.zoom);
        painter.rect_stroke(
            ghost,
            theme::NODE_ROUNDING * cx.zoom,
            Stroke::new(1.5, theme::kind_color(kind)),
            StrokeKind::Inside,
        );
    }
}
