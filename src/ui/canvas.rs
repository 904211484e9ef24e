//! The diagram canvas: pan and zoom, select, move, connect, drop from the palette, live state.

use std::collections::BTreeSet;

use egui::{Pos2, Rect, Sense, Ui};
use serde::{Deserialize, Serialize};

use crate::model::{KindTag, Scenario};

use super::canvas_anim::DotAnim;
use super::canvas_draw as draw;
use super::canvas_input::Geometry;
use super::canvas_scene::{self as scene, Drawn, SceneCtx};
use super::command::{Command, Selection};
use super::runner::Runner;
use super::theme::Theme;
use super::view::{self, View};

/// What a drag on the canvas is doing.
#[derive(Clone, Debug, Default)]
pub(super) enum Drag {
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
    pub(super) drag: Drag,
    /// Fit the view at the next frame (after loading a scenario).
    #[serde(skip)]
    pub fit_requested: bool,
    /// Screen rectangle of the canvas last frame (for the PNG export).
    #[serde(skip)]
    pub last_rect: Option<Rect>,
    /// A message shown near a point until a time (refused connection).
    #[serde(skip)]
    pub(super) hint: Option<(String, Pos2, f64)>,
    /// The node the open right-click menu is for.
    #[serde(skip)]
    pub(super) menu_node: Option<String>,
    /// The request dots on screen.
    #[serde(skip)]
    dots: DotAnim,
    /// What the last frame drew where.
    #[serde(skip)]
    drawn: Drawn,
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
            dots: DotAnim::default(),
            drawn: Drawn::default(),
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
        if self.fit_requested {
            self.fit_requested = false;
            let mut centers = view::node_centers(s);
            // Region and zone boxes reach past their nodes: keep them in view too.
            if s.topology.is_some()
                && let Some(b) = view::bounds(&centers)
            {
                centers.extend([
                    b.min - egui::vec2(30.0, 45.0),
                    b.max + egui::vec2(30.0, 45.0),
                ]);
            }
            self.fit(rect, &centers);
        }
        let pointer = ui.input(|i| i.pointer.hover_pos());
        let geo = Geometry::new(self, s, rect, pointer);
        let gestures = self.handle_input(ui, &resp, &geo, input, out);
        // The input may have moved the camera: draw where things are now.
        let geo = Geometry::new(self, s, rect, pointer);
        self.dots.update(input.runner, ui.input(|i| i.time));
        if self.dots.is_moving() {
            ui.ctx().request_repaint();
        }

        let painter = ui.painter_at(rect);
        draw::paint_grid(&painter, rect, &self.view, &t);
        let cx = SceneCtx {
            painter: &painter,
            theme: &t,
            zoom: self.view.zoom(),
            clean: self.clean,
            read_only: self.read_only,
        };
        scene::paint_places(&cx, &geo, s);
        scene::paint_edges(&cx, &geo, input, &self.drag);
        self.drawn.dots = scene::paint_dots(&cx, &geo, input, &self.dots);
        self.drawn.badges = scene::paint_nodes(&cx, &geo, input, &gestures);
        let dnd = resp.dnd_hover_payload::<KindTag>().map(|k| *k);
        scene::paint_gesture(&cx, &geo, input, &self.drag, &gestures, dnd);
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

    /// What the last frame drew where (badges, dots on each edge).
    pub fn drawn(&self) -> &Drawn {
        &self.drawn
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
