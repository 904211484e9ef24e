//! Embed mode (`?embed=1` on the web page, for an iframe in a blog post or a course page): the diagram,
//! Run, the load buttons and the main chart, read-only. It opens the page's share link (`#s=1.…`), else
//! the start preset, and never touches the visitor's saved session.

use egui::{Button, RichText, Ui};

use super::app::App;
use super::canvas::CanvasInput;
use super::charts;
use super::command::{Command, Selection};
use super::runner::RunState;

/// The load buttons.
pub const EMBED_LOADS: [f64; 4] = [1.0, 2.0, 5.0, 10.0];
/// Share of the page's height the chart strip takes: the diagram is what a reader came for.
const CHART_SHARE: f32 = 0.3;
/// Tallest chart strip, points (on a tall page more chart says nothing new).
const CHART_MAX_H: f32 = 260.0;

/// Where the embedded page put things last frame, as a reader sees them: published in the web page's
/// state (`embed_view`) so a browser test can check that the diagram fits and the chart leaves it room.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct EmbedLayout {
    /// Height of the whole page, points.
    pub page_h: f32,
    /// Height of the chart strip, points.
    pub chart_h: f32,
    /// The canvas: left, top, right, bottom, points.
    pub canvas: [f32; 4],
    /// Nodes in the design.
    pub nodes: usize,
    /// Nodes whose box lies wholly inside the canvas.
    pub nodes_inside: usize,
}

impl EmbedLayout {
    fn id() -> egui::Id {
        egui::Id::unique("archsim_embed_layout")
    }

    /// The layout of the last embedded frame drawn in `ctx` (`None` when not embedded).
    pub fn last(ctx: &egui::Context) -> Option<Self> {
        ctx.data(|d| d.get_temp(Self::id()))
    }
}

/// The chart strip's height for a page `page_h` points high.
fn chart_height(page_h: f32) -> f32 {
    (page_h * CHART_SHARE).min(CHART_MAX_H).floor()
}

/// May an embedded page do this? Only running, the load, selecting and opening a link: nothing edits.
pub fn allowed(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::Run
            | Command::Pause
            | Command::ToggleRun
            | Command::Reset
            | Command::SetLoad(_)
            | Command::Select(_)
            | Command::FitView
            | Command::OpenLink(_)
            | Command::Notify(_)
            | Command::Discarding(_)
    )
}

/// The least room the embed bar's title is shown in (an ellipsis and about four letters), points.
const TITLE_MIN_W: f32 = 40.0;

impl App {
    /// This app in embed mode: a fresh document (the start preset until a link opens), nothing saved.
    pub fn embedded(mut self) -> Self {
        self.embed = true;
        self.canvas.read_only = true;
        self.replace(super::document::Document::new(
            super::app::start_scenario(),
            None,
        ));
        self
    }

    /// Is this app embedded?
    pub fn is_embedded(&self) -> bool {
        self.embed
    }

    /// The embedded page: a one-line bar, the canvas, the chart.
    pub(super) fn embed_ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        let page_h = ui.ctx().content_rect().height();
        let chart_h = chart_height(page_h);
        egui::Panel::top("embed_bar")
            .frame(
                egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(8, 5)),
            )
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    let running = self.runner.state == RunState::Running;
                    let label = if running { "Pause" } else { "Run" };
                    if ui
                        .add(
                            Button::new(RichText::new(label).strong())
                                .min_size(egui::vec2(64.0, 0.0)),
                        )
                        .clicked()
                    {
                        out.push(if running {
                            Command::Pause
                        } else {
                            Command::Run
                        });
                    }
                    if ui
                        .add_enabled(self.runner.has_sim(), Button::new("Reset"))
                        .clicked()
                    {
                        out.push(Command::Reset);
                    }
                    ui.separator();
                    ui.label("Load");
                    for x in EMBED_LOADS {
                        let on = (self.runner.load - x).abs() < 1e-9;
                        if ui.selectable_label(on, format!("{x}x")).clicked() {
                            out.push(Command::SetLoad(x));
                        }
                    }
                    ui.separator();
                    self.embed_title_and_link(ui);
                });
            });
        let chart = egui::Panel::bottom("embed_chart")
            .exact_size(chart_h)
            .resizable(false)
            .show(ui, |ui| {
                charts::main_chart_ui(ui, self.runner.report.as_ref());
            });
        self.problems();
        egui::CentralPanel::no_frame().show(ui, |ui| {
            let none = Selection::default();
            let problem_nodes = Default::default();
            let input = CanvasInput {
                scenario: &self.doc.scenario,
                selection: &none,
                runner: &self.runner,
                problem_nodes: &problem_nodes,
                add_kind: self.add_kind,
                roles: &self.roles,
                mistakes: &[],
            };
            // Fitted when the canvas changes size too (the iframe's first frames, a resized page): a
            // reader cannot press F.
            let size = ui.available_size();
            if self
                .canvas
                .last_rect
                .is_none_or(|r| (r.size() - size).length() > 0.5)
            {
                self.canvas.fit_requested = true;
            }
            self.canvas.canvas_ui(ui, &input, out);
            self.toasts_ui(ui);
        });
        // As drawn (the strip's frame included), not as asked for.
        self.record_layout(ui.ctx(), page_h, chart.response.rect.height());
        out.retain(allowed);
    }

    /// The design's name and the run's clock, cut short with "…" so that "Open in archsim" at the right
    /// always has its room; in a 480-point iframe the buttons and loads leave none, and the name goes.
    fn embed_title_and_link(&self, ui: &mut Ui) {
        #[cfg(target_arch = "wasm32")]
        let base = super::web::page_url();
        #[cfg(not(target_arch = "wasm32"))]
        let base = crate::model::share::native_base_url(None);
        let link_text = "Open in archsim";
        let font = egui::TextStyle::Body.resolve(ui.style());
        let link_w = ui
            .painter()
            .layout_no_wrap(link_text.into(), font, egui::Color32::PLACEHOLDER)
            .size()
            .x;
        let room = (ui.available_width() - link_w - 2.0 * ui.spacing().item_spacing.x).max(0.0);
        let mut title = self.doc.scenario.name.clone();
        if self.runner.has_sim() {
            title += &format!("  t = {:.1} s", self.runner.time_s());
        }
        // Below a few letters' room the name is left out (the link's tooltip names the design).
        if room >= TITLE_MIN_W {
            ui.allocate_ui_with_layout(
                egui::vec2(room, ui.available_height()),
                egui::Layout::left_to_right(egui::Align::Center),
                |ui| {
                    ui.add(egui::Label::new(RichText::new(title).strong()).truncate())
                        .on_hover_text(&self.doc.scenario.name);
                },
            );
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let link = crate::model::share::link(&base, &self.doc.scenario);
            ui.hyperlink_to(link_text, link).on_hover_text(format!(
                "Open '{}' in the full app, to edit it",
                self.doc.scenario.name
            ));
        });
    }

    fn record_layout(&self, ctx: &egui::Context, page_h: f32, chart_h: f32) {
        let Some(canvas) = self.canvas.last_rect else {
            return;
        };
        let centers = super::view::node_centers(&self.doc.scenario);
        let inside = centers
            .iter()
            .map(|&c| {
                self.canvas
                    .view
                    .rect_to_screen(canvas, super::view::node_rect(c))
            })
            .filter(|r| canvas.contains_rect(*r))
            .count();
        let layout = EmbedLayout {
            page_h,
            chart_h,
            canvas: [canvas.min.x, canvas.min.y, canvas.max.x, canvas.max.y],
            nodes: centers.len(),
            nodes_inside: inside,
        };
        ctx.data_mut(|d| d.insert_temp(EmbedLayout::id(), layout));
    }
}
