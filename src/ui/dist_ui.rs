//! A distribution picker: the family in a drop-down, its parameters in milliseconds.

use egui::{DragValue, Ui};

use crate::model::Dist;

use super::format;

/// Edits `dist` in place; returns true if it changed. `label` names the field (also the accessible name).
pub fn dist_ui(ui: &mut Ui, label: &str, dist: &mut Dist) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        let l = ui.label(label);
        let current = dist.name();
        egui::ComboBox::from_id_salt(("dist", label))
            .selected_text(current)
            .width(110.0)
            .show_ui(ui, |ui| {
                for name in Dist::NAMES {
                    if ui.selectable_label(name == current, name).clicked() && name != current {
                        *dist = dist.with_kind(name);
                        changed = true;
                    }
                }
            })
            .response
            .labelled_by(l.id)
            .on_hover_text("Distribution family: Exponential is memoryless (M/M/c), LogNormal and Pareto have long tails");
    });
    ui.horizontal_wrapped(|ui| {
        ui.add_space(16.0);
        for (name, v) in dist.params_mut() {
            let l = ui.label(name);
            let speed = (v.abs() * 0.01).max(0.01);
            let range = if name == "shape" {
                0.01..=100.0
            } else {
                0.0..=1.0e6
            };
            changed |= ui
                .add(
                    DragValue::new(v)
                        .clamp_existing_to_range(false)
                        .speed(speed)
                        .range(range)
                        .suffix(if name == "shape" { "" } else { " ms" }),
                )
                .labelled_by(l.id)
                .changed();
        }
    });
    if let Some(m) = dist.mean() {
        ui.horizontal(|ui| {
            ui.add_space(16.0);
            ui.label(
                egui::RichText::new(format!("mean {}", format::ms(m)))
                    .small()
                    .weak(),
            );
        });
    }
    changed
}
