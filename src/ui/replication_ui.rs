//! Inspector rows for a database's replication, shown when it is on (its switch is in the database's
//! "Options" row, so the inspector of every other database still fits a laptop screen): its keys,
//! read-your-writes and its window, or a quorum's R, W and its CAP choice under a Split fault. The lag is
//! with the node's time distributions.

use egui::Ui;

use super::rows::{count_row_ui, number_row_ui, switch_row_ui};
use crate::model::{DatabaseParams, MAX_KEYS, MAX_READ_YOUR_WRITES_MS, OnPartition, Quorum};

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
    let n = 1 + d.read_replicas;
    if switch_row_ui(
        ui,
        "Quorum",
        "Leaderless (Dynamo style): every instance is a replica; a read waits for R replies, a write for W acks. A Split fault (Faults, below) cuts the replicas apart",
        &mut r.quorum,
        || Quorum {
            n,
            r: n / 2 + 1,
            w: n / 2 + 1,
            ..Quorum::default()
        },
    ) {
        // A quorum has no primary to read one's own writes from.
        r.read_your_writes_ms = None;
        changed = true;
    }
    if let Some(q) = &mut r.quorum {
        let n = q.n.max(1);
        changed |= count_row_ui(ui, "Quorum R", "Replies a read waits for", &mut q.r, 1..=n);
        changed |= count_row_ui(ui, "Quorum W", "Acks a write waits for", &mut q.w, 1..=n);
        let l = ui.label("On partition").on_hover_text(
            "What a coordinator that cannot reach R (or W) replicas does: the CAP choice",
        );
        egui::ComboBox::from_id_salt("on_partition")
            .selected_text(partition_label(q.on_partition))
            .show_ui(ui, |ui| {
                for (v, hint) in [
                    (
                        OnPartition::Refuse,
                        "Consistency: refuse the query (an error), never serve a stale read",
                    ),
                    (
                        OnPartition::ServeReachable,
                        "Availability: serve it with the replicas in reach; reads may miss writes made on the other side",
                    ),
                ] {
                    changed |= ui
                        .selectable_value(&mut q.on_partition, v, partition_label(v))
                        .on_hover_text(hint)
                        .changed();
                }
            })
            .response
            .labelled_by(l.id);
        ui.end_row();
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
        changed |= number_row_ui(
            ui,
            "  window",
            "How long after a write its key's reads go to the primary",
            v,
            0.0..=MAX_READ_YOUR_WRITES_MS,
            10.0,
            " ms",
        );
    }
    changed
}

/// Keeps a quorum spanning every instance when the read replicas change (and R, W within it).
pub fn follow_replicas(d: &mut DatabaseParams) {
    if let Some(q) = d.replication.as_mut().and_then(|r| r.quorum.as_mut()) {
        q.n = 1 + d.read_replicas;
        q.r = q.r.clamp(1, q.n);
        q.w = q.w.clamp(1, q.n);
    }
}

/// The picker's words for the CAP choice.
fn partition_label(p: OnPartition) -> &'static str {
    match p {
        OnPartition::Refuse => "refuse (CP)",
        OnPartition::ServeReachable => "serve reachable (AP)",
    }
}
