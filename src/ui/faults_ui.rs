//! Faults in the app: injecting one live on the selected node or edge (inspector), and the timeline of the
//! faults that ran (under the charts).

use egui::{RichText, Ui};

use super::command::Command;
use super::runner::Runner;
use super::theme::{self, chart};
use crate::metrics::FaultReport;
use crate::model::{Fault, FaultKind, KindTag};

/// The fault being prepared in the inspector.
#[derive(Clone, Debug)]
pub struct FaultDraft {
    /// Index into the kinds that fit the selection.
    pub kind: usize,
    /// How long it lasts, simulated seconds.
    pub duration_s: f64,
}

impl Default for FaultDraft {
    fn default() -> Self {
        Self {
            kind: 0,
            duration_s: 10.0,
        }
    }
}

/// The fault kinds that fit a node of kind `tag`, or an edge when `tag` is `None`.
pub fn kinds_for(tag: Option<KindTag>) -> Vec<FaultKind> {
    FaultKind::all()
        .into_iter()
        .filter(|k| match tag {
            Some(t) => k.fits(t),
            None => k.on_edge(),
        })
        .collect()
}

/// "Inject fault" for the selected node (`tag` is its kind) or edge (`tag` None, `target` "from->to").
pub fn inject_ui(
    ui: &mut Ui,
    draft: &mut FaultDraft,
    target: &str,
    tag: Option<KindTag>,
    runner: &Runner,
    out: &mut Vec<Command>,
) {
    let kinds = kinds_for(tag);
    if kinds.is_empty() {
        return;
    }
    ui.add_space(theme::SECTION_GAP);
    ui.separator();
    ui.strong("Inject fault");
    draft.kind = draft.kind.min(kinds.len() - 1);
    ui.horizontal(|ui| {
        egui::ComboBox::from_id_salt("fault_kind")
            .selected_text(kinds[draft.kind].name())
            .show_ui(ui, |ui| {
                for (i, k) in kinds.iter().enumerate() {
                    ui.selectable_value(&mut draft.kind, i, k.name());
                }
            });
        ui.add(
            egui::DragValue::new(&mut draft.duration_s)
                .range(0.1..=3600.0)
                .suffix(" s"),
        )
        .on_hover_text("How long the fault lasts (simulated seconds)");
    });
    let running = runner.has_sim();
    ui.horizontal(|ui| {
        let inject = ui
            .add_enabled(running, egui::Button::new("Inject now"))
            .on_hover_text(
                "Starts the fault at the current simulated time, with its default parameters",
            )
            .on_disabled_hover_text("Run the simulation first");
        if inject.clicked() {
            out.push(Command::InjectFault(Fault {
                at_s: runner.time_s(),
                duration_s: draft.duration_s,
                target: target.to_owned(),
                kind: kinds[draft.kind].clone(),
            }));
        }
        if ui
            .add_enabled(running, egui::Button::new("Clear faults"))
            .on_hover_text("Ends every fault now; crashed nodes restart")
            .clicked()
        {
            out.push(Command::ClearFaults);
        }
    });
}

/// The faults that ran, as bars on the run's time axis (0 to `end_s`).
pub fn timeline_ui(ui: &mut Ui, faults: &[FaultReport], end_s: f64) {
    if faults.is_empty() || end_s <= 0.0 {
        return;
    }
    // `horizontal`, not `horizontal_wrapped`: the bars take the rest of the label's row (a wrapped layout
    // moved them under it, below the room the charts leave for the timeline).
    ui.horizontal(|ui| {
        ui.label(RichText::new("Faults:").strong());
        let width = ui.available_width().max(120.0);
        let row_h = 16.0;
        let (rect, _) = ui.allocate_exact_size(
            egui::vec2(width, row_h * faults.len() as f32),
            egui::Sense::hover(),
        );
        let painter = ui.painter_at(rect);
        let x = |s: f64| rect.left() + (s / end_s).clamp(0.0, 1.0) as f32 * rect.width();
        let text = ui.visuals().text_color();
        for (i, f) in faults.iter().enumerate() {
            let top = rect.top() + i as f32 * row_h;
            let bar = egui::Rect::from_min_max(
                egui::pos2(x(f.start_s), top + 2.0),
                egui::pos2(x(f.end_s).max(x(f.start_s) + 2.0), top + row_h - 2.0),
            );
            painter.rect_filled(bar, 2.0, chart::FAULT);
            painter.text(
                egui::pos2(bar.left() + 4.0, bar.center().y),
                egui::Align2::LEFT_CENTER,
                format!(
                    "{} {} ({:.0}-{:.0} s{})",
                    f.kind,
                    f.target,
                    f.start_s,
                    f.end_s,
                    if f.live { ", live" } else { "" }
                ),
                egui::FontId::proportional(11.0),
                text,
            );
        }
    });
}
