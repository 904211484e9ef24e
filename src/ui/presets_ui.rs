//! The preset picker: every embedded preset with its description, filtered by typing (Enter opens the
//! first match, so the picker works from the keyboard alone).

use egui::{RichText, Ui};

use crate::model::presets;

use super::command::Command;

/// Picker state.
#[derive(Default)]
pub struct PresetPicker {
    filter: String,
    focus: bool,
}

/// The first sentence of a description (the whole text is in the tooltip).
fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

impl PresetPicker {
    /// Call when the picker opens: clears the filter and focuses it.
    pub fn opened(&mut self) {
        self.filter.clear();
        self.focus = true;
    }

    /// Draws the picker; "Open" (or Enter) pushes [`Command::LoadPreset`].
    pub fn presets_ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        let l = ui.label("Filter");
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("type a name, Enter opens the first match")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(l.id);
        if self.focus {
            r.request_focus();
            self.focus = false;
        }
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let needle = self.filter.trim().to_lowercase();
        let matches: Vec<_> = presets::presets()
            .iter()
            .map(|p| (p, crate::model::parse(p.text, p.file)))
            .filter(|(p, s)| {
                needle.is_empty()
                    || p.name.to_lowercase().contains(&needle)
                    || s.as_ref()
                        .is_ok_and(|s| s.name.to_lowercase().contains(&needle))
            })
            .collect();
        if enter && let Some((p, _)) = matches.first() {
            out.push(Command::LoadPreset(p.name.to_owned()));
        }
        ui.add_space(6.0);
        egui::ScrollArea::vertical()
            .max_height(440.0)
            .show(ui, |ui| {
                for (p, parsed) in &matches {
                    ui.group(|ui| {
                        ui.set_width(ui.available_width());
                        ui.horizontal(|ui| {
                            let name = parsed
                                .as_ref()
                                .map(|s| s.name.clone())
                                .unwrap_or_else(|_| p.name.to_owned());
                            ui.strong(name);
                            ui.label(RichText::new(p.file).weak().small());
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| {
                                    if ui
                                        .button("Open")
                                        .on_hover_text(format!("Open {}", p.file))
                                        .clicked()
                                    {
                                        out.push(Command::LoadPreset(p.name.to_owned()));
                                    }
                                },
                            );
                        });
                        match parsed {
                            Ok(s) => ui
                                .label(first_sentence(&s.description))
                                .on_hover_text(&s.description),
                            Err(e) => ui.label(e.to_string()),
                        };
                    });
                }
                if matches.is_empty() {
                    ui.label(RichText::new("No preset matches.").weak());
                }
            });
    }
}
