//! The diagram canvas: pan and zoom, select, move, connect, drop from the palette, live state.

use std::collections::BTreeSet;

use egui::{Pos2, Rect, Sense, Stroke, StrokeKind, Ui, Vec2};
use serde::{Deserialize, Serialize};

use crate::model::{KindTag, Scenario};

use super::canvas_draw::{self as draw, NodeFlags};
use super::command::{Command, Selection};
use super::edit::{Edit, connection_problem};
use super::runner::Runner;
use super::theme::{self, Theme};
use super::view::{self, View};

/// What a drag on the canvas is doing.
#[derive(Clone, Debug, Default)]
enum Drag {
    #[default]
    None,
    /// Moving nodes: their centres when the drag began, and the world point grabbed.
    Move {
        starts: Vec<(String, Pos2)>,
        grab: Pos2,
    },
    /// Drawing a connection from this node.
    Connect { from: String },
    /// Rubber-band selection from this screen point.
    Band { start: Pos2, additive: bool },
    /// Panning the view.
    Pan,
}

/// Canvas state: the persisted camera and snap setting, plus the gesture in progress.
#[derive(Serialize, Deserialize)]
#[serde(default)]
pub struct Canvas {
    /// Pan and zoom.
    pub view: View,
    /// Snap node centres to the grid when moving or adding.
    pub snap: bool,
    #[serde(skip)]
    drag: Drag,
    /// Fit the view at the next frame (after loading a scenario).
    #[serde(skip)]
    pub fit_requested: bool,
    /// Screen rectangle of the canvas last frame (for the PNG export).
    #[serde(skip)]
    pub last_rect: Option<Rect>,
    /// A message shown near a point until a time (refused connection).
    #[serde(skip)]
    hint: Option<(String, Pos2, f64)>,
    /// The node the open right-click menu is for.
    #[serde(skip)]
    menu_node: Option<String>,
    /// Draw the diagram only this frame (no hints, zoom label, handles, hover or selection): the frame a
    /// PNG export captures.
    #[serde(skip)]
    pub clean: bool,
    /// Nothing on this canvas edits (embed mode): no connect handles, no node drags, no context menu and
    /// no editing hints; a drag pans, the wheel zooms.
    #[serde(skip)]
    pub read_only: bool,
}

impl Default for Canvas {
    fn default() -> Self {
        Self {
            view: View::default(),
            snap: true,
            drag: Drag::None,
            fit_requested: false,
            last_rect: None,
            hint: None,
            menu_node: None,
            clean: false,
            read_only: false,
        }
    }
}

/// What the canvas needs to draw.
pub struct CanvasInput<'a> {
    /// The scenario being edited.
    pub scenario: &'a Scenario,
    /// Current selection.
    pub selection: &'a Selection,
    /// The run, for live state.
    pub runner: &'a Runner,
    /// Nodes with validation problems.
    pub problem_nodes: &'a BTreeSet<String>,
    /// Kind added by a double-click on empty space.
    pub add_kind: KindTag,
    /// Each edge's role, in edge order (drawn on it: "1", "on miss").
    pub roles: &'a [crate::model::lint::EdgeRole],
    /// Likely mistakes (their edges are drawn in the warning colour).
    pub mistakes: &'a [crate::model::lint::Mistake],
}

impl Canvas {
    /// Draws the canvas filling `ui` and pushes what the person did onto `out`.
    pub fn canvas_ui(&mut self, ui: &mut Ui, input: &CanvasInput<'_>, out: &mut Vec<Command>) {
        let t = Theme::from_visuals(ui.visuals());
        let (rect, resp) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        self.last_rect = Some(rect);
        let s = input.scenario;
        let centers = view::node_centers(s);
        if self.fit_requested {
            self.fit_requested = false;
            self.fit(rect, &centers);
        }
        let painter = ui.painter_at(rect);
        let zoom = self.view.zoom();
        let screen_rects: Vec<Rect> = centers
            .iter()
            .map(|&c| self.view.rect_to_screen(rect, view::node_rect(c)))
            .collect();
        let pointer = ui
            .input(|i| i.pointer.hover_pos())
            .filter(|p| rect.contains(*p));
        let node_at = |p: Pos2| screen_rects.iter().rposition(|r| r.contains(p));
        let read_only = self.read_only;
        let handle_at = |p: Pos2| {
            if read_only {
                return None;
            }
            screen_rects
                .iter()
                .rposition(|r| draw::handle_pos(*r).distance(p) <= theme::HANDLE_RADIUS + 4.0)
                .filter(|&i| s.nodes[i].kind.tag().may_call_out())
        };
        let edge_segs: Vec<Option<(Pos2, Pos2)>> = s
            .edges
            .iter()
            .map(|e| match (s.node_index(&e.from), s.node_index(&e.to)) {
                (Some(a), Some(b)) => draw::edge_segment(screen_rects[a], screen_rects[b]),
                _ => None,
            })
            .collect();
        let edge_at = |p: Pos2| {
            edge_segs
                .iter()
                .enumerate()
                .filter_map(|(i, seg)| seg.map(|(a, b)| (i, draw::distance_to_segment(p, a, b))))
                .filter(|(_, d)| *d < 6.0)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(i, _)| i)
        };

        // Zoom (wheel, ctrl+wheel, pinch) about the pointer.
        if let Some(p) = pointer
            && resp.hovered()
        {
            let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta, i.zoom_delta()));
            let factor = pinch * (scroll.y * 0.0025).exp();
            if (factor - 1.0).abs() > 1e-4 {
                self.view.zoom_about(rect, p, factor);
            }
            if scroll.x.abs() > 0.0 {
                self.view.pan(Vec2::new(scroll.x, 0.0));
            }
        }

        let shift = ui.input(|i| i.modifiers.shift);
        // Begin a drag.
        if resp.drag_started()
            && let Some(origin) = ui.input(|i| i.pointer.press_origin())
        {
            let primary = resp.dragged_by(egui::PointerButton::Primary);
            self.drag = if !primary {
                Drag::Pan
            } else if let Some(i) = handle_at(origin) {
                Drag::Connect {
                    from: s.nodes[i].id.clone(),
                }
            } else if !read_only && let Some(i) = node_at(origin) {
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
                    .filter_map(|id| Some((id.clone(), centers[s.node_index(id)?])))
                    .collect();
                Drag::Move {
                    starts,
                    grab: self.view.to_world(rect, origin),
                }
            } else if shift {
                Drag::Band {
                    start: origin,
                    additive: true,
                }
            } else {
                Drag::Pan
            };
        }

        // Continue it.
        let mut connect_target: Option<(usize, Option<String>)> = None;
        match &self.drag {
            Drag::Pan if resp.dragged() => self.view.pan(resp.drag_delta()),
            Drag::Move { starts, grab } if resp.dragged() => {
                if let Some(p) = pointer.or(resp.interact_pointer_pos()) {
                    let delta = self.view.to_world(rect, p) - *grab;
                    let moved: Vec<(String, (f32, f32))> = starts
                        .iter()
                        .map(|(id, c)| {
                            let mut n = *c + delta;
                            if self.snap {
                                n = view::snap(n);
                            }
                            (id.clone(), (n.x, n.y))
                        })
                        .collect();
                    if delta.length() > 0.5 {
                        out.push(Command::Edit(Edit::SetPositions(moved)));
                    }
                }
            }
            Drag::Connect { from } => {
                if let Some(p) = pointer
                    && let Some(j) = node_at(p)
                {
                    connect_target = Some((j, connection_problem(s, from, &s.nodes[j].id)));
                }
            }
            _ => {}
        }

        // End it.
        if resp.drag_stopped() {
            match std::mem::take(&mut self.drag) {
                Drag::Move { .. } => out.push(Command::EndGesture),
                Drag::Band { start, additive } => {
                    if let Some(end) = resp.interact_pointer_pos().or(pointer) {
                        let band = Rect::from_two_pos(start, end);
                        let mut sel = if additive {
                            input.selection.clone()
                        } else {
                            Selection::default()
                        };
                        for (i, r) in screen_rects.iter().enumerate() {
                            if band.intersects(*r) {
                                sel.nodes.insert(s.nodes[i].id.clone());
                            }
                        }
                        out.push(Command::Select(sel));
                    }
                }
                Drag::Connect { from } => {
                    if let Some((j, problem)) = connect_target.take() {
                        let to = s.nodes[j].id.clone();
                        match problem {
                            None => out.push(Command::Edit(Edit::Connect { from, to })),
                            Some(why) => {
                                let at = pointer.unwrap_or(rect.center());
                                self.hint = Some((
                                    format!("Cannot connect: {why}"),
                                    at,
                                    ui.input(|i| i.time) + 3.0,
                                ));
                                out.push(Command::Notify(format!(
                                    "Cannot connect {from} -> {to}: {why}"
                                )));
                            }
                        }
                    }
                }
                _ => {}
            }
        }

        // Clicks.
        if let Some(p) = resp.interact_pointer_pos() {
            if resp.double_clicked() {
                if node_at(p).is_some() {
                    out.push(Command::FocusRename);
                } else {
                    let mut w = self.view.to_world(rect, p);
                    if self.snap {
                        w = view::snap(w);
                    }
                    out.push(Command::Edit(Edit::AddNode {
                        kind: input.add_kind,
                        pos: (w.x, w.y),
                    }));
                }
            } else if resp.clicked() {
                let mut sel = if shift {
                    input.selection.clone()
                } else {
                    Selection::default()
                };
                if let Some(i) = node_at(p) {
                    let id = s.nodes[i].id.clone();
                    if !sel.nodes.remove(&id) {
                        sel.nodes.insert(id);
                    }
                } else if let Some(e) = edge_at(p) {
                    let key = (s.edges[e].from.clone(), s.edges[e].to.clone());
                    if !sel.edges.remove(&key) {
                        sel.edges.insert(key);
                    }
                }
                out.push(Command::Select(sel));
            }
        }

        // Drops from the palette.
        if let Some(kind) = resp.dnd_release_payload::<KindTag>()
            && let Some(p) = pointer
        {
            let mut w = self.view.to_world(rect, p);
            if self.snap {
                w = view::snap(w);
            }
            out.push(Command::Edit(Edit::AddNode {
                kind: *kind,
                pos: (w.x, w.y),
            }));
        }

        // A right-click on a node selects it (unless it is part of the selection) and opens its menu.
        if resp.secondary_clicked() {
            self.menu_node = resp
                .interact_pointer_pos()
                .and_then(node_at)
                .map(|i| s.nodes[i].id.clone());
            if let Some(id) = &self.menu_node
                && !input.selection.nodes.contains(id)
            {
                out.push(Command::Select(Selection::node(id.clone())));
            }
        }
        if !read_only {
            resp.context_menu(|ui| {
                super::canvas_menu::context_menu_ui(ui, self.menu_node.as_deref(), input, out);
            });
        }

        // ---- Paint ----
        draw::paint_grid(&painter, rect, &self.view, &t);
        let runner = input.runner;
        let snapshot = runner.snapshot.as_ref().filter(|_| runner.has_sim());
        let hovered_edge = pointer
            .filter(|_| matches!(self.drag, Drag::None))
            .and_then(edge_at);
        for (i, e) in s.edges.iter().enumerate() {
            let Some(seg) = edge_segs[i] else { continue };
            let rps = snapshot
                .and_then(|sn| sn.edges.get(runner.edge_index(&e.from, &e.to)?))
                .map(|l| l.throughput_rps);
            let selected = !self.clean
                && (input
                    .selection
                    .edges
                    .contains(&(e.from.clone(), e.to.clone()))
                    || hovered_edge == Some(i));
            let broken = snapshot.is_some_and(|sn| {
                let node_broken = |id: &str| {
                    runner
                        .node_index(id)
                        .and_then(|k| sn.nodes.get(k))
                        .is_some_and(|l| !l.up || l.degraded)
                };
                runner
                    .edge_index(&e.from, &e.to)
                    .and_then(|k| sn.edges.get(k))
                    .is_some_and(|l| l.down)
                    || node_broken(&e.from)
                    || node_broken(&e.to)
            });
            draw::paint_edge(
                &painter,
                seg,
                e,
                &draw::EdgeLook {
                    rps,
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
                },
                zoom,
                &t,
            );
        }
        if let Some(run) = runner.run_scenario() {
            let now = runner.time_ns();
            for d in runner.dots.iter().take(3000) {
                let Some(re) = run.edges.get(d.edge) else {
                    continue;
                };
                let Some(i) = s
                    .edges
                    .iter()
                    .position(|e| e.from == re.from && e.to == re.to)
                else {
                    continue;
                };
                if let Some(seg) = edge_segs[i]
                    && d.depart_ns <= now
                {
                    draw::paint_dot(&painter, seg, d, now, zoom, &t);
                }
            }
        }
        let hovered_node = pointer.and_then(node_at);
        for (i, n) in s.nodes.iter().enumerate() {
            let r = screen_rects[i];
            if !r.intersects(rect.expand(40.0)) {
                continue;
            }
            let live = snapshot.and_then(|sn| sn.nodes.get(runner.node_index(&n.id)?));
            let clean = self.clean;
            let flags = NodeFlags {
                selected: !clean && input.selection.nodes.contains(&n.id),
                hovered: !clean && hovered_node == Some(i),
                problem: input.problem_nodes.contains(&n.id),
                connect_target: connect_target
                    .as_ref()
                    .filter(|(j, _)| *j == i)
                    .map(|(_, p)| p.is_none()),
                handle: !clean
                    && !read_only
                    && n.kind.tag().may_call_out()
                    && (hovered_node == Some(i) || input.selection.nodes.contains(&n.id)),
            };
            let sending = (n.kind.tag() == KindTag::Client)
                .then(|| {
                    let sn = snapshot?;
                    let total = s
                        .edges
                        .iter()
                        .filter(|e| e.from == n.id)
                        .filter_map(|e| sn.edges.get(runner.edge_index(&e.from, &e.to)?))
                        .map(|l| l.throughput_rps)
                        .sum::<f64>();
                    Some(total)
                })
                .flatten();
            draw::paint_node(&painter, r, n, live, sending, flags, zoom, &t);
        }
        match &self.drag {
            Drag::Band { start, .. } => {
                if let Some(p) = pointer {
                    let band = Rect::from_two_pos(*start, p);
                    painter.rect_filled(band, 2.0, t.selection.gamma_multiply(0.12));
                    painter.rect_stroke(
                        band,
                        2.0,
                        Stroke::new(1.0, t.selection),
                        StrokeKind::Inside,
                    );
                }
            }
            Drag::Connect { from } => {
                if let (Some(i), Some(p)) = (s.node_index(from), pointer) {
                    let a = draw::handle_pos(screen_rects[i]);
                    let (color, end) = match &connect_target {
                        Some((j, None)) => (t.ok, icons_border(screen_rects[*j], a)),
                        Some((_, Some(_))) => (t.error, p),
                        None => (t.selection, p),
                    };
                    painter.line_segment([a, end], Stroke::new(2.0, color));
                    super::icons::arrow_head(&painter, end, (end - a).normalized(), 10.0, color);
                    if let Some((_, Some(why))) = &connect_target {
                        draw::paint_hint(
                            &painter,
                            p,
                            &format!("Cannot connect: {why}"),
                            t.error,
                            &t,
                        );
                    }
                }
            }
            _ => {}
        }
        if let Some(payload) = resp.dnd_hover_payload::<KindTag>()
            && let Some(p) = pointer
        {
            let ghost = Rect::from_center_size(p, theme::NODE_SIZE * zoom);
            painter.rect_stroke(
                ghost,
                theme::NODE_ROUNDING * zoom,
                Stroke::new(1.5, theme::kind_color(*payload)),
                StrokeKind::Inside,
            );
        }
        if self.clean {
            return;
        }
        let now = ui.input(|i| i.time);
        if let Some((text, at, until)) = &self.hint {
            if now < *until {
                draw::paint_hint(&painter, *at, text, t.error, &t);
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(200));
            } else {
                self.hint = None;
            }
        }
        self.paint_hints(&painter, rect, s.nodes.is_empty(), &t);
    }

    /// The text over the canvas: the empty-canvas prompt, the gesture hints and the zoom label.
    fn paint_hints(&self, painter: &egui::Painter, rect: Rect, empty: bool, t: &Theme) {
        // A reader of an embedded design cannot edit it: hints about editing would only mislead.
        if self.read_only {
            if empty {
                painter.text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    "This design is empty.",
                    egui::FontId::proportional(15.0),
                    t.weak_text,
                );
            }
            return;
        }
        let zoom = self.view.zoom();
        if empty {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Empty canvas: drag a component from the palette, or double-click here.\nOr pick a preset with File > Presets (Ctrl+P).",
                egui::FontId::proportional(15.0),
                t.weak_text,
            );
        }
        // Wrapped short of the zoom label at the right, so the two never overlap in a narrow window.
        let hint = painter.layout(
            "Double-click: add · drag a node's handle: connect · Shift-drag: select area · drag: pan · wheel: zoom · F: fit · F1: help".into(),
            egui::FontId::proportional(11.0),
            t.weak_text,
            (rect.width() - 110.0).max(120.0),
        );
        painter.galley(
            rect.left_bottom() + egui::vec2(10.0, -8.0 - hint.size().y),
            hint,
            t.weak_text,
        );
        painter.text(
            rect.right_bottom() + egui::vec2(-10.0, -8.0),
            egui::Align2::RIGHT_BOTTOM,
            format!(
                "{:.0}%{}",
                zoom * 100.0,
                if self.snap { "  ·  snap" } else { "" }
            ),
            egui::FontId::proportional(11.0),
            t.weak_text,
        );
    }

    /// A copy of what is kept between sessions (camera and snap).
    pub fn persisted(&self) -> Self {
        Self {
            view: self.view,
            snap: self.snap,
            ..Self::default()
        }
    }

    /// Zooms to show every node.
    pub fn fit(&mut self, canvas: Rect, centers: &[Pos2]) {
        match view::bounds(centers) {
            Some(b) => self.view.fit(canvas, b),
            None => self.view = View::default(),
        }
    }
}

fn icons_border(r: Rect, from: Pos2) -> Pos2 {
    super::icons::border_point(r, from)
}
