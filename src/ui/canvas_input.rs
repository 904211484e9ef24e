//! The canvas's input: what the pointer is over, and what a wheel, drag, click, drop or right-click does
//! (commands pushed for the app, the camera moved, the gesture in progress kept on the canvas).

use std::collections::BTreeSet;

use egui::{Pos2, Rect, Response, Ui, Vec2};

use crate::model::{KindTag, Scenario};

use super::canvas::{Canvas, CanvasInput, Drag};
use super::canvas_draw as draw;
use super::command::{Command, Selection};
use super::edit::{Edit, connection_problem};
use super::theme;
use super::view;

/// Where everything is on screen this frame.
pub struct Geometry {
    /// The canvas.
    pub rect: Rect,
    /// Node centres, world coordinates, in node order.
    pub centers: Vec<Pos2>,
    /// Node boxes, screen coordinates, in node order.
    pub nodes: Vec<Rect>,
    /// Each edge's segment, border to border (`None` when its nodes overlap or one is missing).
    pub edges: Vec<Option<(Pos2, Pos2)>>,
    /// The pointer, when it is over the canvas.
    pub pointer: Option<Pos2>,
}

impl Geometry {
    pub fn new(canvas: &Canvas, s: &Scenario, rect: Rect, pointer: Option<Pos2>) -> Self {
        let centers = view::node_centers(s);
        let nodes: Vec<Rect> = centers
            .iter()
            .map(|&c| canvas.view.rect_to_screen(rect, view::node_rect(c)))
            .collect();
        let edges = s
            .edges
            .iter()
            .map(|e| match (s.node_index(&e.from), s.node_index(&e.to)) {
                (Some(a), Some(b)) => draw::edge_segment(nodes[a], nodes[b]),
                _ => None,
            })
            .collect();
        Self {
            rect,
            centers,
            nodes,
            edges,
            pointer: pointer.filter(|p| rect.contains(*p)),
        }
    }

    /// The topmost node under `p`.
    pub fn node_at(&self, p: Pos2) -> Option<usize> {
        self.nodes.iter().rposition(|r| r.contains(p))
    }

    /// The edge nearest `p`, within a few points.
    pub fn edge_at(&self, p: Pos2) -> Option<usize> {
        self.edges
            .iter()
            .enumerate()
            .filter_map(|(i, seg)| seg.map(|(a, b)| (i, draw::distance_to_segment(p, a, b))))
            .filter(|(_, d)| *d < 6.0)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i)
    }

    /// The node whose connect handle is under `p` (only nodes that may call out have one).
    fn handle_at(&self, s: &Scenario, p: Pos2) -> Option<usize> {
        self.nodes
            .iter()
            .rposition(|r| draw::handle_pos(*r).distance(p) <= theme::HANDLE_RADIUS + 4.0)
            .filter(|&i| s.nodes[i].kind.tag().may_call_out())
    }
}

/// What the input of this frame leaves for the painting.
#[derive(Default)]
pub struct Gestures {
    /// While a connection is dragged: the node under the pointer, and why it would be refused.
    pub connect_target: Option<(usize, Option<String>)>,
}

impl Canvas {
    /// Handles this frame's input over the canvas.
    pub(super) fn handle_input(
        &mut self,
        ui: &mut Ui,
        resp: &Response,
        geo: &Geometry,
        input: &CanvasInput<'_>,
        out: &mut Vec<Command>,
    ) -> Gestures {
        self.zoom_and_scroll(ui, resp, geo);
        if resp.drag_started()
            && let Some(origin) = ui.input(|i| i.pointer.press_origin())
        {
            self.drag = self.begin_drag(ui, resp, geo, input, origin, out);
        }
        let gestures = self.continue_drag(resp, geo, input.scenario, out);
        if resp.drag_stopped() {
            self.end_drag(ui, resp, geo, input, gestures.connect_target.clone(), out);
        }
        self.clicks(ui, resp, geo, input, out);
        self.drops(resp, geo, out);
        self.context_menu(resp, geo, input, out);
        gestures
    }

    /// Wheel, ctrl+wheel and pinch zoom about the pointer; a sideways scroll pans.
    fn zoom_and_scroll(&mut self, ui: &Ui, resp: &Response, geo: &Geometry) {
        let Some(p) = geo.pointer.filter(|_| resp.hovered()) else {
            return;
        };
        let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta()));
        let factor = pinch * (scroll.y * 0.0025).exp();
        if (factor - 1.0).abs() > 1e-4 {
            self.view.zoom_about(geo.rect, p, factor);
        }
        if scroll.x.abs() > 0.0 {
            self.view.pan(Vec2::new(scroll.x, 0.0));
        }
    }

    /// What a drag starting at `origin` does: connect from a handle, move nodes, select an area or pan.
    fn begin_drag(
        &self,
        ui: &Ui,
        resp: &Response,
        geo: &Geometry,
        input: &CanvasInput<'_>,
        origin: Pos2,
        out: &mut Vec<Command>,
    ) -> Drag {
        let s = input.scenario;
        let shift = ui.input(|i| i.modifiers.shift);
        if !resp.dragged_by(egui::PointerButton::Primary) {
            return Drag::Pan;
        }
        if !self.read_only
            && let Some(i) = geo.handle_at(s, origin)
        {
            return Drag::Connect {
                from: s.nodes[i].id.clone(),
            };
        }
        let Some(i) = geo.node_at(origin).filter(|_| !self.read_only) else {
            return if shift {
                Drag::Band {
                    start: origin,
                    additive: true,
                }
            } else {
                Drag::Pan
            };
        };
        let id = &s.nodes[i].id;
        let mut ids: BTreeSet<String> = if input.selection.nodes.contains(id) {
            input.selection.nodes.clone()
        } else if shift {
            let mut sel = input.selection.nodes.clone();
            sel.insert(id.clone());
            sel
        } else {
            [id.clone()].into()
        };
        ids.retain(|id| s.node(id).is_some());
        if !input.selection.nodes.contains(id) {
            out.push(Command::Select(Selection {
                nodes: ids.clone(),
                ..Default::default()
            }));
        }
        let starts = ids
            .iter()
            .filter_map(|id| Some((id.clone(), geo.centers[s.node_index(id)?])))
            .collect();
        Drag::Move {
            starts,
            grab: self.view.to_world(geo.rect, origin),
        }
    }

    /// Pans, moves the dragged nodes, or finds the node a connection would go to.
    fn continue_drag(
        &mut self,
        resp: &Response,
        geo: &Geometry,
        s: &Scenario,
        out: &mut Vec<Command>,
    ) -> Gestures {
        let mut gestures = Gestures::default();
        match &self.drag {
            Drag::Pan if resp.dragged() => self.view.pan(resp.drag_delta()),
            Drag::Move { starts, grab } if resp.dragged() => {
                let Some(p) = geo.pointer.or(resp.interact_pointer_pos()) else {
                    return gestures;
                };
                let delta = self.view.to_world(geo.rect, p) - *grab;
                if delta.length() > 0.5 {
                    let moved = starts
                        .iter()
                        .map(|(id, c)| {
                            let n = self.snapped(*c + delta);
                            (id.clone(), (n.x, n.y))
                        })
                        .collect();
                    out.push(Command::Edit(Edit::SetPositions(moved)));
                }
            }
            Drag::Connect { from } => {
                if let Some(j) = geo.pointer.and_then(|p| geo.node_at(p)) {
                    gestures.connect_target =
                        Some((j, connection_problem(s, from, &s.nodes[j].id)));
                }
            }
            _ => {}
        }
        gestures
    }

    /// Ends a move (one undo step), an area selection or a connection (made, or refused with why).
    fn end_drag(
        &mut self,
        ui: &Ui,
        resp: &Response,
        geo: &Geometry,
        input: &CanvasInput<'_>,
        target: Option<(usize, Option<String>)>,
        out: &mut Vec<Command>,
    ) {
        let s = input.scenario;
        match std::mem::take(&mut self.drag) {
            Drag::Move { .. } => out.push(Command::EndGesture),
            Drag::Band { start, additive } => {
                let Some(end) = resp.interact_pointer_pos().or(geo.pointer) else {
                    return;
                };
                let band = Rect::from_two_pos(start, end);
                let mut sel = if additive {
                    input.selection.clone()
                } else {
                    Selection::default()
                };
                for (i, r) in geo.nodes.iter().enumerate() {
                    if band.intersects(*r) {
                        sel.nodes.insert(s.nodes[i].id.clone());
                    }
                }
                out.push(Command::Select(sel));
            }
            Drag::Connect { from } => {
                let Some((j, problem)) = target else { return };
                let to = s.nodes[j].id.clone();
                match problem {
                    None => out.push(Command::Edit(Edit::Connect { from, to })),
                    Some(why) => {
                        let at = geo.pointer.unwrap_or(geo.rect.center());
                        let until = ui.input(|i| i.time) + 3.0;
                        self.hint = Some((format!("Cannot connect: {why}"), at, until));
                        out.push(Command::Notify(format!(
                            "Cannot connect {from} -> {to}: {why}"
                        )));
                    }
                }
            }
            Drag::None | Drag::Pan => {}
        }
    }

    /// A click selects (Shift adds); a double-click renames a node or adds one on empty space.
    fn clicks(
        &self,
        ui: &Ui,
        resp: &Response,
        geo: &Geometry,
        input: &CanvasInput<'_>,
        out: &mut Vec<Command>,
    ) {
        let s = input.scenario;
        let Some(p) = resp.interact_pointer_pos() else {
            return;
        };
        if resp.double_clicked() {
            if geo.node_at(p).is_some() {
                out.push(Command::FocusRename);
            } else {
                let w = self.snapped(self.view.to_world(geo.rect, p));
                out.push(Command::Edit(Edit::AddNode {
                    kind: input.add_kind,
                    pos: (w.x, w.y),
                }));
            }
        } else if resp.clicked() {
            let mut sel = if ui.input(|i| i.modifiers.shift) {
                input.selection.clone()
            } else {
                Selection::default()
            };
            if let Some(i) = geo.node_at(p) {
                let id = s.nodes[i].id.clone();
                if !sel.nodes.remove(&id) {
                    sel.nodes.insert(id);
                }
            } else if let Some(e) = geo.edge_at(p) {
                let key = (s.edges[e].from.clone(), s.edges[e].to.clone());
                if !sel.edges.remove(&key) {
                    sel.edges.insert(key);
                }
            }
            out.push(Command::Select(sel));
        }
    }

    /// A component dropped from the palette is added where it lands.
    fn drops(&self, resp: &Response, geo: &Geometry, out: &mut Vec<Command>) {
        if let Some(kind) = resp.dnd_release_payload::<KindTag>()
            && let Some(p) = geo.pointer
        {
            let w = self.snapped(self.view.to_world(geo.rect, p));
            out.push(Command::Edit(Edit::AddNode {
                kind: *kind,
                pos: (w.x, w.y),
            }));
        }
    }

    /// A right-click on a node selects it (unless it is part of the selection) and opens its menu.
    fn context_menu(
        &mut self,
        resp: &Response,
        geo: &Geometry,
        input: &CanvasInput<'_>,
        out: &mut Vec<Command>,
    ) {
        let s = input.scenario;
        if resp.secondary_clicked() {
            self.menu_node = resp
                .interact_pointer_pos()
                .and_then(|p| geo.node_at(p))
                .map(|i| s.nodes[i].id.clone());
            if let Some(id) = &self.menu_node
                && !input.selection.nodes.contains(id)
            {
                out.push(Command::Select(Selection::node(id.clone())));
            }
        }
        if !self.read_only {
            resp.context_menu(|ui| {
                super::canvas_menu::context_menu_ui(ui, self.menu_node.as_deref(), input, out);
            });
        }
    }

    /// `w` on the grid when snapping is on.
    fn snapped(&self, w: Pos2) -> Pos2 {
        if self.snap { view::snap(w) } else { w }
    }
}
