//! Inspector rows for a database's replication, shown when its file sets `replication` (the inspector of
//! every other database must still fit a laptop screen): its keys, read-your-writes and its window, a
//! quorum's R and W. The lag is with the node's time distributions.

use egui::{DragValue, Ui};

use super::resilience_ui::{count_row_ui, switch_row_ui};
use crate::model::{DatabaseParams, MAX_KEYS, MAX_READ_YOUR_WRITES_MS};

/// A replicated database's rows; whether anything changed.
pub fn database_rows_ui(ui: &mut Ui, d: &mut DatabaseParams) -> bool {
    let Some(r) = d.replication.as_deref_mut() else {
        return false;
    };
    let mut changed = count_row_ui(
        ui,
        "Replicated keys",
        "Keys reads and writes spread over, uniformly; a read on a replica is stale while a committed write to its key has not reached it (a sharded database uses its shards' keys)",
        &mut r.keys,
        1..=MAX_KEYS,
    );
    if let Some(q) = &mut r.quorum {
        let n = q.n.max(1);
        changed |= count_row_ui(ui, "Quorum R", "Replies a read waits for", &mut q.r, 1..=n);
        changed |= count_row_ui(ui, "Quorum W", "Acks a write waits for", &mut q.w, 1..=n);
        return changed;
    }
    changed |= switch_row_ui(
        ui,
        "Read-your-writes",
        "For a while after a write to a key, its reads go to the primary (per key, as if every reader of the key had written it)",
        &mut r.read_your_writes_ms,
        || 1000.0,
    );
    if let Some(v) = &mut r.read_your_writes_ms {
        let l = ui
            .label("  window")
            .on_hover_text("How long after a write its key's reads go to the primary");
        changed |= ui
            .add(
                DragValue::new(v)
                    .clamp_existing_to_range(false)
                    .speed(10.0)
                    .range(0.0..=MAX_READ_YOUR_WRITES_MS)
                    .suffix(" ms"),
            )
            .labelled_by(l.id)
            .changed();
        ui.end_row();
    }
    changed
}
