//! "What broke first": the explanation's text and its fixes, each with an Apply button. The fixes are
//! sized for the load the person is looking at (the toolbar's), on the design as it is now, so after an
//! Apply they are recomputed and say what is left to do.

use egui::{RichText, Ui};

use crate::analysis::explain::{Explanation, Fix};

use super::command::Command;
use super::theme::Theme;

/// What the tab shows.
pub struct ExplainView<'a> {
    /// The sweep's explanation.
    pub sweep: Option<&'a Explanation>,
    /// The last run's explanation.
    pub run: Option<&'a Explanation>,
    /// Fixes for the bottleneck, sized for `fixes_load`.
    pub fixes: &'a [Fix],
    /// The load the fixes are sized for (the toolbar's load).
    pub fixes_load: f64,
    /// What the last Apply changed.
    pub applied: Option<&'a str>,
    /// The design the explanations belong to (carried by Apply).
    pub design: u64,
}

fn effect(f: &Fix, load: f64) -> String {
    let mut parts = Vec::new();
    match (f.breaking_load, &f.next_bottleneck) {
        (Some(b), Some(n)) => {
            parts.push(format!("breaking point {b:.2}x, then {n} saturates first"))
        }
        (Some(b), None) => parts.push(format!("breaking point {b:.2}x")),
        (None, _) => parts.push("nothing saturates".into()),
    }
    if let Some(ms) = f.end_to_end_mean_ms {
        parts.push(format!(
            "end-to-end mean {} at {load:.1}x",
            super::format::ms(ms)
        ));
    }
    format!("Flow-model estimate: {}", parts.join(", "))
}

fn explanation_ui(ui: &mut Ui, title: &str, e: &Explanation) {
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
}

fn fixes_ui(ui: &mut Ui, v: &ExplainView, bottleneck: Option<&str>, out: &mut Vec<Command>) {
    let t = Theme::from_visuals(ui.visuals());
    if let Some(a) = v.applied {
        ui.label(RichText::new(a).color(t.ok));
    }
    let Some(b) = bottleneck else { return };
    if v.fixes.is_empty() {
        ui.label(format!(
            "The flow model sees no fix needed for {b} at {:.1}x load: it no longer saturates there. \
             Run again to measure it.",
            v.fixes_load
        ));
        return;
    }
    ui.add_space(4.0);
    ui.label(
        RichText::new(format!(
            "Fixes for {b} at {:.1}x load (the load set in the toolbar)",
            v.fixes_load
        ))
        .strong(),
    );
    for (i, f) in v.fixes.iter().enumerate() {
        ui.push_id(("fix", i), |ui| {
            ui.horizontal(|ui| {
                if ui
                    .button("Apply")
                    .on_hover_text(format!("Change the design: {}", f.sets.join(", ")))
                    .clicked()
                {
                    out.push(Command::ApplyFix {
                        sets: f.sets.clone(),
                        design: v.design,
                    });
                }
                ui.vertical(|ui| {
                    ui.label(&f.summary);
                    ui.label(
                        RichText::new(effect(f, v.fixes_load))
                            .small()
                            .color(t.weak_text),
                    );
                });
            });
        });
    }
}

/// The tab: the sweep's explanation and the last run's, whichever exist, then the fixes.
pub fn explain_tab_ui(ui: &mut Ui, v: &ExplainView, out: &mut Vec<Command>) {
    if v.sweep.is_none() && v.run.is_none() {
        ui.label(
            RichText::new("Run a sweep, or run the design in the main view and press \"Explain the last run\".")
                .weak(),
        );
        return;
    }
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if let Some(e) = v.sweep {
                explanation_ui(ui, "From the sweep", e);
                ui.separator();
            }
            if let Some(e) = v.run {
                explanation_ui(ui, "From the last run", e);
                ui.separator();
            }
            let bottleneck = v.run.or(v.sweep).and_then(|e| e.bottleneck.as_deref());
            fixes_ui(ui, v, bottleneck, out);
        });
}
