//! Inspector rows for call patterns: a service's `calls` (sequential, parallel, first k) and an edge's
//! probability, repeat count and hedge.

use egui::{ComboBox, DragValue, Slider, SliderClamping, Ui};

use crate::model::{CallPattern, Edge, Hedge, HedgeAfter, MAX_CALL_TIMES};

/// A service's call pattern as a grid row (inside the service's parameter grid); returns whether it changed.
pub(super) fn pattern_row_ui(ui: &mut Ui, calls: &mut CallPattern) -> bool {
    let mut changed = false;
    let l = ui.label("Calls").on_hover_text(
        "Sequential: one downstream call after another. Parallel: all at once, answer when all are back \
         (the slowest decides). First k: all at once, answer with the first k successes",
    );
    ui.horizontal(|ui| {
        ComboBox::from_id_salt("calls_pattern")
            .selected_text(match calls {
                CallPattern::Sequential => "Sequential".to_owned(),
                CallPattern::Parallel => "Parallel (all)".to_owned(),
                CallPattern::FirstOf(k) => format!("First {k}"),
            })
            .show_ui(ui, |ui| {
                let first = match calls {
                    CallPattern::FirstOf(k) => *k,
                    CallPattern::Sequential | CallPattern::Parallel => 1,
                };
                for (v, label) in [
                    (CallPattern::Sequential, "Sequential"),
                    (CallPattern::Parallel, "Parallel (all)"),
                    (CallPattern::FirstOf(first), "First k"),
                ] {
                    changed |= ui.selectable_value(calls, v, label).changed();
                }
            })
            .response
            // Named by its row for screen readers (and the UI tests).
            .labelled_by(l.id);
        if let CallPattern::FirstOf(k) = calls {
            changed |= ui
                .add(DragValue::new(k).range(1..=MAX_CALL_TIMES).prefix("k = "))
                .labelled_by(l.id)
                .on_hover_text("Answers needed, 1 to the number of calls the service makes")
                .changed();
        }
    });
    ui.end_row();
    changed
}

/// An edge's call options (only for a service's edges); returns whether anything changed.
pub(super) fn edge_calls_ui(ui: &mut Ui, edge: &mut Edge) -> bool {
    let mut changed = false;
    egui::Grid::new("edge_calls")
        .num_columns(2)
        .spacing([10.0, 8.0])
        .show(ui, |ui| {
            let l = ui
                .label("Call probability")
                .on_hover_text("A request makes this call with this probability (1: always)");
            changed |= ui
                .add(Slider::new(&mut edge.probability, 0.0..=1.0).clamping(SliderClamping::Always))
                .labelled_by(l.id)
                .changed();
            ui.end_row();
            let l = ui
                .label("Calls per request")
                .on_hover_text("How many times a request makes this call (an N+1 query, a batch of lookups)");
            changed |= ui
                .add(DragValue::new(&mut edge.times).range(1..=MAX_CALL_TIMES))
                .labelled_by(l.id)
                .changed();
            ui.end_row();
            let l = ui.label("Hedge").on_hover_text(
                "Send a second copy when the first has not answered after a delay, and take the first answer",
            );
            let mut on = edge.hedge.is_some();
            if ui.checkbox(&mut on, "").labelled_by(l.id).changed() {
                edge.hedge = on.then_some(Hedge {
                    after_ms: HedgeAfter::P95,
                    cancel: false,
                });
                changed = true;
            }
            ui.end_row();
            if let Some(h) = edge.hedge.as_mut() {
                changed |= hedge_rows_ui(ui, h);
            }
        });
    changed
}

fn hedge_rows_ui(ui: &mut Ui, h: &mut Hedge) -> bool {
    let mut changed = false;
    let l = ui.label("  after").on_hover_text(
        "p95: the edge's observed 95th percentile (a few % extra calls); or a fixed delay",
    );
    ui.horizontal(|ui| {
        let mut p95 = h.after_ms == HedgeAfter::P95;
        if ui.checkbox(&mut p95, "p95").labelled_by(l.id).changed() {
            h.after_ms = if p95 {
                HedgeAfter::P95
            } else {
                HedgeAfter::Fixed(10.0)
            };
            changed = true;
        }
        if let HedgeAfter::Fixed(d) = &mut h.after_ms {
            changed |= ui
                .add(
                    DragValue::new(d)
                        .range(0.0..=3_600_000.0)
                        .speed(1.0)
                        .suffix(" ms"),
                )
                .changed();
        }
    });
    ui.end_row();
    let l = ui.label("  cancel").on_hover_text(
        "Once one copy answers, the callee drops the other if it has not started on it",
    );
    changed |= ui.checkbox(&mut h.cancel, "").labelled_by(l.id).changed();
    ui.end_row();
    changed
}
