//! The problems tab: every validation problem, in words, with a link to its node.

use egui::{RichText, Ui};

use crate::model::Problem;

use super::command::{Command, Selection};
use super::theme::Theme;

/// Lists the problems (or says the scenario is valid).
pub fn problems_ui(ui: &mut Ui, problems: &[Problem], out: &mut Vec<Command>) {
    if problems.is_empty() {
        ui.label("The scenario is valid: press Run.");
        return;
    }
    let t = Theme::from_visuals(ui.visuals());
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for p in problems {
                ui.horizontal(|ui| {
                    ui.label(RichText::new("•").color(t.error));
                    if let Some(id) = p.node_id() {
                        if ui.link(&p.place).clicked() {
                            out.push(Command::Select(Selection::node(id)));
                        }
                    } else {
                        ui.label(&p.place);
                    }
                    if !p.field.is_empty() {
                        ui.monospace(&p.field);
                    }
                    ui.label(&p.message);
                });
            }
        });
}
