//! Inspector rows for duplicate side effects: a database's side-effect counting and idempotency key, a
//! queue's at-least-once delivery (visibility timeout, deliveries before dead-lettering).

use egui::Ui;

use super::rows::{count_row_ui, number_row_ui, switch_row_ui};
use crate::model::{
    DatabaseParams, Idempotency, MAX_DELIVERIES, MAX_TTL_S, MAX_VISIBILITY_MS, QueueParams,
};

/// A database's rows: count side effects, deduplicate by idempotency key (with its TTL).
pub fn database_rows_ui(ui: &mut Ui, d: &mut DatabaseParams) -> bool {
    // Shown for a database that counts side effects (its switch is in the database's Options menu): the
    // inspector of every other database must still fit a laptop screen.
    if !(d.side_effects || d.idempotency.is_some()) {
        return false;
    }
    let l = ui.label("Count side effects").on_hover_text(
        "Count committed writes; a write of a request that already committed here (a retry whose first attempt went through) is a duplicate, e.g. a double charge",
    );
    let mut changed = ui
        .checkbox(&mut d.side_effects, "")
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    changed |= switch_row_ui(
        ui,
        "Idempotency key",
        "Every attempt of a request carries its key; a write whose key committed here within the TTL answers success without committing again",
        &mut d.idempotency,
        Idempotency::default,
    );
    if let Some(k) = &mut d.idempotency {
        changed |= number_row_ui(
            ui,
            "  key TTL",
            "How long a committed key is remembered; a repeat after it commits again",
            &mut k.ttl_s,
            0.001..=MAX_TTL_S,
            1.0,
            " s",
        );
    }
    changed
}

/// A queue's rows: at-least-once delivery and its limit.
pub fn queue_rows_ui(ui: &mut Ui, q: &mut QueueParams) -> bool {
    let mut changed = switch_row_ui(
        ui,
        "At-least-once",
        "A message its consumer has not finished within the visibility timeout is handed out again (the first consumer keeps working): duplicates at the consumer",
        &mut q.visibility_timeout_ms,
        || 1000.0,
    );
    if let Some(v) = &mut q.visibility_timeout_ms {
        changed |= number_row_ui(
            ui,
            "  visibility timeout",
            "Time a consumer has to finish a message before it is handed out again",
            v,
            0.001..=MAX_VISIBILITY_MS,
            1.0,
            " ms",
        );
        changed |= count_row_ui(
            ui,
            "  max deliveries",
            "Hand-outs of one message, the first included, before it is dead-lettered",
            &mut q.max_deliveries,
            1..=MAX_DELIVERIES,
        );
    }
    changed
}
