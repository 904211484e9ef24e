//! The app's panels each frame: menu and run bars, palette, inspector, the bottom panel (charts, results,
//! problems) and the canvas in the middle.

use std::collections::BTreeSet;

use egui::{RichText, Ui};

use super::app::{App, BottomTab, NARROW_W};
use super::canvas::CanvasInput;
use super::command::Command;
use super::problems::problems_ui;
use super::theme::Theme;
use super::{charts, palette, results, toolbar};

impl App {
    pub(super) fn panels_ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        let title_dirty = if self.doc.is_dirty() { " •" } else { "" };
        let menu = toolbar::MenuState {
            can_undo: self.doc.can_undo(),
            can_redo: self.doc.can_redo(),
            has_selection: !self.selection.is_empty(),
            has_report: self.runner.report.is_some(),
            snap: self.canvas.snap,
            dark: self.dark,
        };
        let title = RichText::new(format!("{}{title_dirty}", self.doc.title())).strong();
        let hover = self
            .doc
            .path
            .clone()
            .unwrap_or_else(|| "not saved to a file yet".into());
        egui::Panel::top("menu").show(ui, |ui| {
            toolbar::menu_ui(ui, &menu, title, &hover, out);
        });
        egui::Panel::top("run")
            .frame(
                egui::Frame::side_top_panel(ui.style()).inner_margin(egui::Margin::symmetric(8, 6)),
            )
            .show(ui, |ui| {
                toolbar::run_controls_ui(ui, &self.runner, &self.doc.scenario, out);
            });
        // A narrow window (a phone, 390 px) keeps the diagram, the run controls and the results: the
        // palette and the inspector would leave no canvas at all.
        let narrow = ui.available_width() < NARROW_W;
        if !narrow {
            egui::Panel::left("palette")
                .exact_size(150.0)
                .resizable(false)
                .show(ui, |ui| {
                    let center = self
                        .canvas
                        .last_rect
                        .map(|r| self.canvas.view.to_world(r, r.center()))
                        .map(super::view::snap)
                        .unwrap_or(egui::pos2(300.0, 300.0));
                    palette::palette_ui(ui, &mut self.add_kind, (center.x, center.y), out);
                });
        }
        self.problems();
        if !narrow {
            egui::Panel::right("inspector")
                .default_size(300.0)
                .size_range(240.0..=520.0)
                .resizable(true)
                .show(ui, |ui| {
                    ui.add_space(4.0);
                    self.inspector.inspector_ui(
                        ui,
                        &self.doc.scenario,
                        &self.selection,
                        &self.runner,
                        &self.problems,
                        out,
                    );
                });
        }
        self.bottom_panel_ui(ui, out);
        egui::CentralPanel::no_frame().show(ui, |ui| {
            let problem_nodes: BTreeSet<String> = self
                .problems
                .iter()
                .filter_map(|p| p.node_id().map(str::to_owned))
                .collect();
            let input = CanvasInput {
                scenario: &self.doc.scenario,
                selection: &self.selection,
                runner: &self.runner,
                problem_nodes: &problem_nodes,
                add_kind: self.add_kind,
                roles: &self.roles,
                mistakes: &self.mistakes,
            };
            self.canvas.canvas_ui(ui, &input, out);
            if self.canvas.clean {
                return;
            }
            if self.show_debug {
                self.debug_overlay(ui);
            }
            self.toasts_ui(ui);
        });
    }

    /// The bottom panel: charts (with the fault timeline), results and problems, or its tabs alone when
    /// collapsed.
    fn bottom_panel_ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        let n_problems = self.problems.len();
        let n_warnings = self.mistakes.len();
        let full_h = ui.available_height();
        let tabs = |ui: &mut Ui, tab: &mut BottomTab, open: &mut bool| {
            ui.horizontal(|ui| {
                let (arrow, hint) = if *open {
                    (
                        "Hide",
                        "Hide the charts and results (drag the panel's top edge to resize it)",
                    )
                } else {
                    ("Show", "Show the charts and results")
                };
                if ui.small_button(arrow).on_hover_text(hint).clicked() {
                    *open = !*open;
                }
                for (t, name) in [
                    (BottomTab::Charts, "Charts"),
                    (BottomTab::Results, "Results"),
                ] {
                    if ui.selectable_label(*tab == t && *open, name).clicked() {
                        *tab = t;
                        *open = true;
                    }
                }
                let th = Theme::from_visuals(ui.visuals());
                let label = if n_problems == 0 && n_warnings > 0 {
                    RichText::new(format!("Warnings ({n_warnings})")).color(th.warn)
                } else if n_problems == 0 {
                    RichText::new("No problems").color(th.ok)
                } else {
                    RichText::new(format!("Problems ({n_problems})")).color(th.error)
                };
                if ui
                    .selectable_label(*tab == BottomTab::Problems && *open, label)
                    .clicked()
                {
                    *tab = BottomTab::Problems;
                    *open = true;
                }
            });
        };
        if self.bottom_open {
            egui::Panel::bottom("bottom")
                .default_size(270.0_f32.min(full_h * 0.45))
                .size_range(120.0..=(full_h * 0.8).max(140.0))
                .resizable(true)
                .show(ui, |ui| {
                    ui.add_space(4.0);
                    tabs(ui, &mut self.tab, &mut self.bottom_open);
                    ui.separator();
                    match self.tab {
                        BottomTab::Charts => charts::charts_ui(
                            ui,
                            self.runner.report.as_ref(),
                            self.selection.single_node(),
                            Some(charts::TimelineInput {
                                scheduled: &self.doc.scenario.faults,
                                duration_s: self.doc.scenario.duration_s,
                                now_s: self.runner.has_sim().then(|| self.runner.time_s()),
                                out,
                            }),
                        ),
                        BottomTab::Results => results::results_ui(ui, self.runner.report.as_ref()),
                        BottomTab::Problems => problems_ui(ui, &self.problems, &self.mistakes, out),
                    }
                });
        } else {
            egui::Panel::bottom("bottom_collapsed")
                .resizable(false)
                .show(ui, |ui| {
                    ui.add_space(2.0);
                    tabs(ui, &mut self.tab, &mut self.bottom_open);
                });
        }
    }
}
