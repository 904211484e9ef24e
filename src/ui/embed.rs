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
/// Height of the chart strip, points.
const CHART_HEIGHT: f32 = 190.0;

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

impl App {
    /// This app in embed mode: a fresh document (the start preset until a link opens), nothing saved.
    pub fn embedded(mut self) -> Self {
        self.embed = true;
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
                    ui.label(RichText::new(&self.doc.scenario.name).strong());
                    if self.runner.has_sim() {
                        ui.label(
                            RichText::new(format!("t = {:.1} s", self.runner.time_s())).weak(),
                        );
                    }
                    #[cfg(target_arch = "wasm32")]
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        let link =
                            crate::model::share::link(&super::web::page_url(), &self.doc.scenario);
                        ui.hyperlink_to("Open in archsim ↗", link);
                    });
                });
            });
        egui::Panel::bottom("embed_chart")
            .exact_size(CHART_HEIGHT)
            .resizable(false)
            .show(ui, |ui| {
                charts::charts_ui(ui, self.runner.report.as_ref(), None, None);
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
            self.canvas.canvas_ui(ui, &input, out);
            self.toasts_ui(ui);
        });
        out.retain(allowed);
    }
}
