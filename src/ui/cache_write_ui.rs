//! Inspector rows for a cache's write path: the policy (each explained where it is picked), what a
//! committed write does to the cached copy, and write-behind's flush interval and batch size.

use egui::{ComboBox, Ui};

use super::rows::{count_row_ui, number_row_ui};
use crate::model::{
    CacheParams, CacheWrites, MAX_BATCH_SIZE, MAX_FLUSH_INTERVAL_MS, OnWrite, WritePolicy,
};

/// The picker's text for "no write path".
const READ_THROUGH: &str = "none (read-through)";

/// A cache's write-path rows.
pub fn cache_write_rows_ui(ui: &mut Ui, c: &mut CacheParams) -> bool {
    let mut changed = false;
    let l = ui.label("Write policy").on_hover_text(
        "How writes (the classes listed in the file's writes.classes, \"write\" by default) reach the cache and the store. With a key model the results count stale reads and, for write-behind, writes lost in a crash",
    );
    let current = c.writes.as_ref().map_or(READ_THROUGH, |w| w.policy.label());
    ComboBox::from_id_salt("write_policy")
        .selected_text(current)
        .show_ui(ui, |ui| {
            if ui
                .selectable_label(c.writes.is_none(), READ_THROUGH)
                .on_hover_text("Every request is a lookup; misses read through to the store")
                .clicked()
                && c.writes.is_some()
            {
                c.writes = None;
                changed = true;
            }
            for p in WritePolicy::ALL {
                let on = c
                    .writes
                    .as_ref()
                    .is_some_and(|w| w.policy.name() == p.name());
                if ui
                    .selectable_label(on, p.label())
                    .on_hover_text(p.explain())
                    .clicked()
                    && !on
                {
                    let w = c.writes.get_or_insert_with(CacheWrites::default);
                    w.policy = p;
                    changed = true;
                }
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    let Some(w) = &mut c.writes else {
        return changed;
    };
    match &mut w.policy {
        WritePolicy::CacheAside => {
            let l = ui
                .label("  on write")
                .on_hover_text("What a committed write does to the cached copy");
            ComboBox::from_id_salt("on_write")
                .selected_text(match w.on_write {
                    OnWrite::Invalidate => "invalidate",
                    OnWrite::Update => "update",
                })
                .show_ui(ui, |ui| {
                    changed |= ui
                        .selectable_value(&mut w.on_write, OnWrite::Invalidate, "invalidate")
                        .on_hover_text(
                            "Delete the cached copy: the next read fetches the new value",
                        )
                        .changed();
                    changed |= ui
                        .selectable_value(&mut w.on_write, OnWrite::Update, "update")
                        .on_hover_text("Replace the cached copy with the written value")
                        .changed();
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
        }
        WritePolicy::WriteBehind(wb) => {
            changed |= number_row_ui(
                ui,
                "  flush every",
                "Buffered writes go to the store this often; a crash loses what came since the last flush",
                &mut wb.flush_interval_ms,
                1.0..=MAX_FLUSH_INTERVAL_MS,
                10.0,
                " ms",
            );
            changed |= count_row_ui(
                ui,
                "  batch size",
                "Writes per store query in a flush",
                &mut wb.batch_size,
                1..=MAX_BATCH_SIZE,
            );
        }
        WritePolicy::WriteThrough | WritePolicy::WriteAround => {}
    }
    changed
}
