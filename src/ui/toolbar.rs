//! The menu bar (File, Edit, View, Help) and the run controls (Run/Pause/Step/Reset, speed, load, seed).

use egui::{Button, RichText, Slider, Ui};

use crate::model::Scenario;

use super::command::{Command, ExportKind};
use super::edit::Edit;
use super::runner::{RunState, Runner, SPEEDS, speed_label, status_text};
use super::stress::StressTab;
use super::theme::Theme;

/// What the menu needs to know to enable its items.
pub struct MenuState {
    /// Undo possible.
    pub can_undo: bool,
    /// Redo possible.
    pub can_redo: bool,
    /// Something is selected.
    pub has_selection: bool,
    /// A report exists.
    pub has_report: bool,
    /// Snap on.
    pub snap: bool,
    /// Dark mode on.
    pub dark: bool,
}

fn item(
    ui: &mut Ui,
    enabled: bool,
    text: &str,
    shortcut: &str,
    cmd: Command,
    out: &mut Vec<Command>,
) {
    if ui
        .add_enabled(enabled, Button::new(text).shortcut_text(shortcut))
        .clicked()
    {
        out.push(cmd);
    }
}

/// The menu bar.
/// `title` (file name and dirty marker) is shown after the menus.
pub fn menu_ui(
    ui: &mut Ui,
    m: &MenuState,
    title: RichText,
    title_hover: &str,
    out: &mut Vec<Command>,
) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            item(ui, true, "New", "Ctrl+N", Command::New, out);
            item(ui, true, "Open…", "Ctrl+O", Command::OpenDialog, out);
            item(ui, true, "Import diagram…", "", Command::ImportDialog, out);
            item(ui, true, "Paste diagram…", "", Command::PasteDiagram, out);
            item(ui, true, "Presets…", "Ctrl+P", Command::ShowPresets, out);
            item(ui, true, "Copy link", "", Command::CopyLink, out);
            item(
                ui,
                true,
                "Copy link that starts running",
                "",
                Command::CopyRunningLink,
                out,
            );
            ui.separator();
            item(ui, true, "Save", "Ctrl+S", Command::Save, out);
            item(
                ui,
                true,
                "Save As…",
                "Ctrl+Shift+S",
                Command::SaveAsDialog,
                out,
            );
            ui.separator();
            ui.menu_button("Export", |ui| {
                item(
                    ui,
                    m.has_report,
                    "Report (JSON)…",
                    "",
                    Command::ExportDialog(ExportKind::Json),
                    out,
                );
                item(
                    ui,
                    m.has_report,
                    "Time series (CSV)…",
                    "",
                    Command::ExportDialog(ExportKind::Csv),
                    out,
                );
                item(
                    ui,
                    true,
                    "Canvas (PNG)…",
                    "",
                    Command::ExportDialog(ExportKind::Png),
                    out,
                );
                ui.separator();
                for (kind, text) in [
                    (ExportKind::Mermaid, "Diagram (Mermaid)…"),
                    (ExportKind::Dot, "Diagram (DOT)…"),
                    (ExportKind::Svg, "Diagram (SVG)…"),
                ] {
                    item(ui, true, text, "", Command::ExportDialog(kind), out);
                }
                item(
                    ui,
                    m.has_report,
                    "Diagram with run colours (SVG)…",
                    "",
                    Command::ExportDialog(ExportKind::SvgLive),
                    out,
                );
                #[cfg(not(target_arch = "wasm32"))]
                item(
                    ui,
                    true,
                    "Animated GIF…",
                    "",
                    Command::ExportDialog(ExportKind::Gif),
                    out,
                );
            });
            #[cfg(not(target_arch = "wasm32"))]
            {
                ui.separator();
                item(ui, true, "Quit", "Ctrl+Q", Command::Quit, out);
            }
        });
        ui.menu_button("Edit", |ui| {
            item(ui, m.can_undo, "Undo", "Ctrl+Z", Command::Undo, out);
            item(ui, m.can_redo, "Redo", "Ctrl+Shift+Z", Command::Redo, out);
            ui.separator();
            item(
                ui,
                m.has_selection,
                "Duplicate",
                "Ctrl+D",
                Command::DuplicateSelection,
                out,
            );
            item(
                ui,
                m.has_selection,
                "Delete",
                "Del",
                Command::DeleteSelection,
                out,
            );
            item(
                ui,
                m.has_selection,
                "Rename",
                "F2",
                Command::FocusRename,
                out,
            );
            item(ui, true, "Select all", "Ctrl+A", Command::SelectAll, out);
        });
        ui.menu_button("View", |ui| {
            item(ui, true, "Zoom to fit", "F", Command::FitView, out);
            item(ui, true, "Arrange", "L", Command::Arrange, out);
            let mut snap = m.snap;
            if ui.checkbox(&mut snap, "Snap to grid").changed() {
                out.push(Command::SetSnap(snap));
            }
            let mut dark = m.dark;
            if ui.checkbox(&mut dark, "Dark mode").changed() {
                out.push(Command::SetDark(dark));
            }
            item(
                ui,
                true,
                "Frame-time overlay",
                "F12",
                Command::ToggleDebug,
                out,
            );
        });
        ui.menu_button("Analyze", |ui| {
            item(
                ui,
                true,
                "Stress test…",
                "",
                Command::ShowStress(StressTab::Sweep),
                out,
            );
            item(
                ui,
                true,
                "Compare variants…",
                "",
                Command::ShowStress(StressTab::Compare),
                out,
            );
            item(
                ui,
                m.has_report,
                "What broke first?",
                "",
                Command::ExplainRun,
                out,
            );
        });
        ui.menu_button("Help", |ui| {
            item(
                ui,
                true,
                "Getting started, glossary and shortcuts",
                "F1",
                Command::ToggleHelp,
                out,
            );
        });
        ui.separator();
        ui.label(title).on_hover_text(title_hover);
    });
}

/// The run controls.
pub fn run_controls_ui(ui: &mut Ui, runner: &Runner, scenario: &Scenario, out: &mut Vec<Command>) {
    let t = Theme::from_visuals(ui.visuals());
    // Wrapped, so that a narrow window (a laptop at 1024 px, a phone) gets a second row, not a cut one.
    ui.horizontal_wrapped(|ui| {
        let running = runner.state == RunState::Running;
        let resumable = runner.has_sim() && runner.state != RunState::Finished && runner.time_ns() > 0;
        let run_label = if running { "Pause" } else if resumable { "Resume" } else { "Run" };
        if ui
            .add(Button::new(RichText::new(run_label).strong()).min_size(egui::vec2(86.0, 0.0)))
            .on_hover_text("Run or pause the simulation (Space)")
            .clicked()
        {
            out.push(if running { Command::Pause } else { Command::Run });
        }
        if ui.button("Step").on_hover_text("Advance 0.1 simulated seconds (S)").clicked() {
            out.push(Command::Step);
        }
        if ui.add_enabled(runner.has_sim(), Button::new("Reset")).on_hover_text("Throw this run away (R)").clicked() {
            out.push(Command::Reset);
        }
        ui.separator();
        let l = ui.label("Sim clock");
        egui::ComboBox::from_id_salt("speed")
            .selected_text(speed_label(runner.speed))
            .width(70.0)
            .show_ui(ui, |ui| {
                for s in SPEEDS {
                    if ui.selectable_label(s == runner.speed, speed_label(s)).clicked() {
                        out.push(Command::SetSpeed(s));
                    }
                }
            })
            .response
            .labelled_by(l.id)
            .on_hover_text("How fast simulated time passes: simulated seconds per real second (1 s/s is real time, Max is as fast as the frame budget allows). It changes nothing in the results; Load does.");
        ui.separator();
        let l = ui.label("Load");
        let mut load = runner.load;
        let r = ui
            .add(Slider::new(&mut load, 0.1..=20.0).logarithmic(true).max_decimals(2).suffix("x"))
            .labelled_by(l.id)
            .on_hover_text("Multiplies every client's arrival rate, live (0.1x to 20x)");
        if r.changed() {
            out.push(Command::SetLoad(load));
        }
        for quick in [1.0, 10.0] {
            if ui.small_button(format!("{quick}x")).on_hover_text(format!("Set the load to {quick}x")).clicked() {
                out.push(Command::SetLoad(quick));
            }
        }
        ui.separator();
        let l = ui.label("Seed");
        let mut seed = scenario.seed;
        if ui.add(egui::DragValue::new(&mut seed)).labelled_by(l.id).on_hover_text("Same scenario + seed = same results").changed() {
            out.push(Command::Edit(Edit::SetMeta {
                name: scenario.name.clone(),
                description: scenario.description.clone(),
                duration_s: scenario.duration_s,
                warmup_s: scenario.warmup_s,
                seed,
            }));
        }
        ui.separator();
        if ui
            .button("Stress test…")
            .on_hover_text("Sweep the load, find the breaking point, compare variants, see what broke first")
            .clicked()
        {
            out.push(Command::ShowStress(StressTab::Sweep));
        }
        if ui
            .button("Copy link")
            .on_hover_text("Copy a link that opens this scenario in the web app at this load (File > Copy link that starts running: and runs it)")
            .clicked()
        {
            out.push(Command::CopyLink);
        }
        ui.separator();
        if runner.has_sim() {
            let frac = (runner.time_s() / runner.end_s().max(1e-9)) as f32;
            ui.add(
                egui::ProgressBar::new(frac.clamp(0.0, 1.0))
                    .desired_width(130.0)
                    .text(format!("{:.1} / {:.0} s", runner.time_s(), runner.end_s())),
            )
            .on_hover_text("Simulated time");
            let (status, why) = status_text(runner);
            match why {
                Some(why) => ui.label(RichText::new(status).color(t.warn)).on_hover_text(why),
                None => ui.label(RichText::new(status).weak()),
            };
        }
        if let Some(why) = &runner.outdated {
            ui.label(RichText::new("Outdated run").color(t.warn)).on_hover_text(why);
            if ui
                .button("Restart")
                .on_hover_text(format!("{why}\nRestart runs the design as it is now, from 0 s"))
                .clicked()
            {
                out.push(Command::Restart);
            }
        }
        if let Some(e) = &runner.error {
            ui.label(RichText::new(e.clone()).color(t.error)).on_hover_text(e);
        }
    });
}
