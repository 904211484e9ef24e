//! Inspector rows for a sharded database: the switch, shard count, keys, Zipf exponent and routing rule.

use egui::{ComboBox, DragValue, Ui};

use super::resilience_ui::count_row_ui;
use crate::model::{MAX_KEYS, MAX_SHARDS, MAX_VNODES, Optimistic, ShardRouting, Shards};

/// A database's optional machinery as one row of switches (the inspector fits a laptop screen with it), then
/// the rows of what is on; returns whether anything changed.
pub(super) fn database_options_ui(
    ui: &mut Ui,
    optimistic: &mut Option<Optimistic>,
    shards: &mut Option<Shards>,
) -> bool {
    let mut changed = false;
    let l = ui.label("Options");
    ui.horizontal(|ui| {
        let mut on = optimistic.is_some();
        if ui
            .checkbox(&mut on, "Optimistic")
            .on_hover_text("Each write reads the row's version, then writes only if no other write committed since; otherwise it fails with a conflict (and the client may retry)")
            .labelled_by(l.id)
            .changed()
        {
            *optimistic = on.then(Optimistic::default);
            changed = true;
        }
        let mut on = shards.is_some();
        if ui
            .checkbox(&mut on, "Sharded")
            .on_hover_text("Split the database by key: each shard is a primary with its own pool, queue and read replicas; every query draws a key and goes to the key's shard")
            .changed()
        {
            *shards = on.then(Shards::default);
            changed = true;
        }
    });
    ui.end_row();
    changed |= super::resilience_ui::optimistic_rows_ui(ui, optimistic);
    changed |= shards_rows_ui(ui, shards);
    changed
}

/// The rows of a sharded database's settings (inside the database's grid); returns whether anything changed.
fn shards_rows_ui(ui: &mut Ui, shards: &mut Option<Shards>) -> bool {
    let mut changed = false;
    let Some(s) = shards.as_mut() else {
        return changed;
    };
    changed |= count_row_ui(
        ui,
        "  count",
        "Shards (1 to 256)",
        &mut s.count,
        1..=MAX_SHARDS,
    );
    changed |= count_row_ui(
        ui,
        "  keys",
        "Distinct keys the queries draw from (at least one per shard)",
        &mut s.keys,
        s.count..=MAX_KEYS,
    );
    let l = ui
        .label("  zipf")
        .on_hover_text("Key popularity: key k has weight 1/k^s; 0 is uniform, about 1 is typical of web traffic, above 1 one hot key dominates");
    changed |= ui
        .add(
            DragValue::new(&mut s.zipf_exponent)
                .range(0.0..=10.0)
                .speed(0.02)
                .max_decimals(2),
        )
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    let l = ui.label("  routing").on_hover_text(
        "Hash: mix64(key) mod count (adding a shard moves almost every key). Consistent hash: a ring with \
         virtual nodes per shard (adding a shard moves about 1/(count+1) of the keys)",
    );
    ui.horizontal(|ui| {
        let vnodes = match s.routing {
            ShardRouting::ConsistentHash { vnodes } => vnodes,
            ShardRouting::Hash => 100,
        };
        ComboBox::from_id_salt("shard_routing")
            .selected_text(match s.routing {
                ShardRouting::Hash => "Hash",
                ShardRouting::ConsistentHash { .. } => "Consistent hash",
            })
            .show_ui(ui, |ui| {
                for (v, label) in [
                    (ShardRouting::Hash, "Hash"),
                    (ShardRouting::ConsistentHash { vnodes }, "Consistent hash"),
                ] {
                    changed |= ui
                        .selectable_value(&mut s.routing, v, label)
                        .labelled_by(l.id)
                        .changed();
                }
            });
        if let ShardRouting::ConsistentHash { vnodes } = &mut s.routing {
            changed |= ui
                .add(
                    DragValue::new(vnodes)
                        .range(1..=MAX_VNODES)
                        .suffix(" vnodes"),
                )
                .changed();
        }
    });
    ui.end_row();
    changed
}
