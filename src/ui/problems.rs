//! The problems tab: every validation problem, in words, with a link to its node; then the likely
//! mistakes (valid designs that probably do not do what was meant), with a link to their edge.

use egui::{RichText, Ui};

use crate::model::Problem;
use crate::model::lint::Mistake;

use super::command::{Command, Selection};
use super::theme::Theme;

/// Lists the problems (or says the scenario is valid), then the warnings.
pub fn problems_ui(
    ui: &mut Ui,
    problems: &[Problem],
    mistakes: &[Mistake],
    out: &mut Vec<Command>,
) {
    let t = Theme::from_visuals(ui.visuals());
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if problems.is_empty() {
                ui.label("The scenario is valid: press Run.");
            }
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
            if !mistakes.is_empty() {
                ui.add_space(6.0);
                ui.label(
                    RichText::new("Warnings: probably not what you meant")
                        .color(t.warn)
                        .strong(),
                );
            }
            for m in mistakes {
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new("!").color(t.warn).strong());
                    let (from, to) = &m.edge;
                    if ui.link(format!("{from} -> {to}")).clicked() {
                        let mut sel = Selection::default();
                        sel.edges.insert(m.edge.clone());
                        out.push(Command::Select(sel));
                    }
                    ui.label(&m.message);
                });
            }
        });
}
