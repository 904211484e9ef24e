//! "What broke first": the explanation's text and its fixes, each with an Apply button.

use egui::{RichText, Ui};

use crate::analysis::explain::{Explanation, Fix};

use super::command::Command;
use super::theme::Theme;

fn effect(f: &Fix) -> String {
    let mut parts = Vec::new();
    match (f.breaking_load, &f.next_bottleneck) {
        (Some(b), Some(n)) => {
            parts.push(format!("breaking point {b:.2}x, then {n} saturates first"))
        }
        (Some(b), None) => parts.push(format!("breaking point {b:.2}x")),
        (None, _) => parts.push("nothing saturates".into()),
    }
    if let Some(ms) = f.end_to_end_mean_ms {
        parts.push(format!("end-to-end mean {}", super::format::ms(ms)));
    }
    format!("Analytic estimate: {}", parts.join(", "))
}

fn explanation_ui(ui: &mut Ui, title: &str, e: &Explanation, salt: &str, out: &mut Vec<Command>) {
    let t = Theme::from_visuals(ui.visuals());
    ui.label(RichText::new(title).heading());
    if let Some(b) = &e.bottleneck {
        ui.label(
            RichText::new(format!("Bottleneck: {b}"))
                .strong()
                .color(t.saturated),
        );
    }
    // The text's own list of fixes is left out: the fixes follow, each with its Apply button.
    for para in e
        .text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty() && !p.trim_start().starts_with("Fixes"))
    {
        ui.label(para.trim());
        ui.add_space(2.0);
    }
    if e.fixes.is_empty() {
        return;
    }
    ui.add_space(4.0);
    ui.label(
        RichText::new(format!(
            "Fixes (estimated at {:.2}x load)",
            e.reference_load
        ))
        .strong(),
    );
    for (i, f) in e.fixes.iter().enumerate() {
        ui.push_id((salt, i), |ui| {
            ui.horizontal(|ui| {
                if ui
                    .button("Apply")
                    .on_hover_text(format!("Change the design: {}", f.sets.join(", ")))
                    .clicked()
                {
                    out.push(Command::ApplyFix(f.sets.clone()));
                }
                ui.vertical(|ui| {
                    ui.label(&f.summary);
                    ui.label(RichText::new(effect(f)).small().color(t.weak_text));
                });
            });
        });
    }
}

/// The tab: the sweep's explanation and the last run's, whichever exist.
pub fn explain_tab_ui(
    ui: &mut Ui,
    sweep: Option<&Explanation>,
    run: Option<&Explanation>,
    out: &mut Vec<Command>,
) {
    if sweep.is_none() && run.is_none() {
        ui.label(
            RichText::new("Run a sweep, or run the design in the main view and press \"Explain the last run\".")
                .weak(),
        );
        return;
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(e) = sweep {
                explanation_ui(ui, "From the sweep", e, "sweep", out);
                ui.separator();
            }
            if let Some(e) = run {
                explanation_ui(ui, "From the last run", e, "run", out);
            }
        });
}
