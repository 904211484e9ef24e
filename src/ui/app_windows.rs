//! The app's keyboard shortcuts and its windows (help, presets, stress test, dialogs, "discard changes?").

use egui::{Key, KeyboardShortcut, Modifiers};

use super::app::App;
use super::command::{Command, Selection};
use super::help;

impl App {
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context, out: &mut Vec<Command>) {
        #[cfg(not(target_arch = "wasm32"))]
        let typing = ctx.egui_wants_keyboard_input() || self.file_dialog_open();
        #[cfg(target_arch = "wasm32")]
        let typing = ctx.egui_wants_keyboard_input();
        let cmd = |k| KeyboardShortcut::new(Modifiers::COMMAND, k);
        let cmd_shift = |k| KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, k);
        ctx.input_mut(|i| {
            if i.consume_shortcut(&cmd_shift(Key::S)) {
                out.push(Command::SaveAsDialog);
            }
            if i.consume_shortcut(&cmd(Key::S)) {
                out.push(Command::Save);
            }
            if i.consume_shortcut(&cmd(Key::O)) {
                out.push(Command::OpenDialog);
            }
            if i.consume_shortcut(&cmd(Key::N)) {
                out.push(Command::New);
            }
            if i.consume_shortcut(&cmd(Key::P)) {
                out.push(Command::ShowPresets);
            }
            if i.consume_shortcut(&cmd(Key::Q)) {
                out.push(Command::Quit);
            }
            if typing {
                return;
            }
            if i.consume_shortcut(&cmd_shift(Key::Z)) || i.consume_shortcut(&cmd(Key::Y)) {
                out.push(Command::Redo);
            }
            if i.consume_shortcut(&cmd(Key::Z)) {
                out.push(Command::Undo);
            }
            if i.consume_shortcut(&cmd(Key::D)) {
                out.push(Command::DuplicateSelection);
            }
            if i.consume_shortcut(&cmd(Key::A)) {
                out.push(Command::SelectAll);
            }
            let plain = |i: &mut egui::InputState, k| i.consume_key(Modifiers::NONE, k);
            if plain(i, Key::Space) {
                out.push(Command::ToggleRun);
            }
            if plain(i, Key::Delete) || plain(i, Key::Backspace) {
                out.push(Command::DeleteSelection);
            }
            if plain(i, Key::F) {
                out.push(Command::FitView);
            }
            if plain(i, Key::L) {
                out.push(Command::Arrange);
            }
            if plain(i, Key::S) {
                out.push(Command::Step);
            }
            if plain(i, Key::R) {
                out.push(Command::Reset);
            }
            if plain(i, Key::F2) {
                out.push(Command::FocusRename);
            }
            if plain(i, Key::F1) {
                out.push(Command::ToggleHelp);
            }
            if plain(i, Key::F12) {
                out.push(Command::ToggleDebug);
            }
            if plain(i, Key::Escape) {
                out.push(Command::Select(Selection::default()));
            }
        });
    }

    pub(super) fn windows(&mut self, ctx: &egui::Context, out: &mut Vec<Command>) {
        if self.show_help {
            let mut open = true;
            egui::Window::new("Help")
                .open(&mut open)
                .default_width(580.0)
                .resizable(true)
                .collapsible(false)
                .show(ctx, help::help_ui);
            self.show_help = open;
        }
        if self.show_presets {
            let mut open = true;
            egui::Window::new("Presets")
                .open(&mut open)
                .default_width(520.0)
                .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 80.0))
                .collapsible(false)
                .show(ctx, |ui| {
                    self.preset_picker.presets_ui(ui, out);
                });
            self.show_presets = open && !out.iter().any(|c| matches!(c, Command::LoadPreset(_)));
        }
        if self.stress.open {
            let mut open = true;
            let last_run = self.runner.run_scenario().zip(self.runner.report.as_ref());
            let viewing = super::stress::Viewing {
                generation: self.doc.generation,
                load: self.runner.load,
            };
            egui::Window::new("Stress test")
                .open(&mut open)
                .default_size([960.0, 640.0])
                .default_pos([170.0, 90.0])
                .collapsible(false)
                .show(ctx, |ui| {
                    self.stress
                        .stress_ui(ui, &self.doc.scenario, last_run, &viewing, out);
                });
            self.stress.open = open;
        }
        self.link_error_ui(ctx);
        self.import_report_ui(ctx);
        self.paste_diagram_ui(ctx, out);
        #[cfg(not(target_arch = "wasm32"))]
        self.file_dialogs_ui(ctx, out);
        if let Some(pending) = self.confirm.clone() {
            let modal = egui::Modal::new(egui::Id::unique("confirm_discard")).show(ctx, |ui| {
                ui.set_width(380.0);
                ui.heading("Unsaved changes");
                ui.label(format!(
                    "'{}' has changes that are not saved. Discard them?",
                    self.doc.title()
                ));
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save first").clicked() {
                        out.push(Command::Save);
                        self.confirm = None;
                    }
                    if ui.button("Discard changes").clicked() {
                        out.push(Command::Discarding(Box::new(pending.clone())));
                        self.confirm = None;
                    }
                    if ui.button("Cancel").clicked() {
                        self.confirm = None;
                    }
                });
            });
            if modal.should_close() {
                self.confirm = None;
            }
        }
    }
}
