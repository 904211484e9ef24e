//! Inspector rows for a sharded database: the switch, shard count, keys, Zipf exponent and routing rule.

use egui::{ComboBox, DragValue, Ui};

use super::rows::count_row_ui;
use crate::model::{
    DatabaseParams, MAX_KEYS, MAX_SHARDS, MAX_VNODES, Optimistic, ShardRouting, Shards,
};

/// A database's optional machinery behind one "Options" row (a menu of switches, so the inspector fits a
/// laptop screen however many there are), then the rows of what is on (side effects' and replication's come
/// after, from `idempotency_ui` and `replication_ui`); returns whether anything changed.
pub(super) fn database_options_ui(ui: &mut Ui, d: &mut DatabaseParams) -> bool {
    let mut changed = false;
    let on: Vec<&str> = [
        (d.optimistic.is_some(), "optimistic"),
        (d.shards.is_some(), "sharded"),
        (d.replication.is_some(), "replicated"),
        (d.side_effects || d.idempotency.is_some(), "side effects"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    let summary = match on.len() {
        0 => "none".to_owned(),
        1 | 2 => on.join(", "),
        n => format!("{}, {} +{}", on[0], on[1], n - 2),
    };
    let l = ui.label("Options").on_hover_text(
        "Optional machinery: optimistic writes, shards, replication, counting side effects",
    );
    // A picker of switches: it stays open while they are ticked.
    egui::ComboBox::from_id_salt("database_options")
        .selected_text(summary)
        .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
        .show_ui(ui, |ui| {
            // Optimistic writes and replication refuse each other (validation does), so each greys out the other.
            if let Some(on) = option_switch_ui(
                ui,
                d.optimistic.is_some(),
                d.replication.is_none(),
                "Optimistic",
                "Each write reads the row's version, then writes only if no other write committed since; otherwise it fails with a conflict (and the client may retry)",
                "Not with replication (yet)",
            ) {
                d.optimistic = on.then(Optimistic::default);
                changed = true;
            }
            if let Some(on) = option_switch_ui(
                ui,
                d.shards.is_some(),
                true,
                "Sharded",
                "Split the database by key: each shard is a primary with its own pool, queue and read replicas; every query draws a key and goes to the key's shard",
                "",
            ) {
                d.shards = on.then(Shards::default);
                changed = true;
            }
            if let Some(on) = option_switch_ui(
                ui,
                d.replication.is_some(),
                d.optimistic.is_none(),
                "Replicated",
                "Replicas apply each write a lag after it commits: a read a replica serves in that window is stale (counted). Reads can also go to the primary after a write, or to a quorum",
                "Not with optimistic writes (yet)",
            ) {
                d.replication = on.then(Box::default);
                changed = true;
            }
            if let Some(on) = option_switch_ui(
                ui,
                d.side_effects || d.idempotency.is_some(),
                true,
                "Side effects",
                "Count committed writes and their duplicates (a retry whose first attempt went through: a double charge); then an idempotency key can dedupe them",
                "",
            ) {
                d.side_effects = on;
                if !on {
                    d.idempotency = None;
                }
                changed = true;
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    changed |= super::resilience_ui::optimistic_rows_ui(ui, &mut d.optimistic);
    changed |= shards_rows_ui(ui, &mut d.shards);
    changed
}

/// One switch of the Options picker, enabled unless `allowed` is false (an option that is on can always be
/// switched off); the new state when it was clicked.
fn option_switch_ui(
    ui: &mut Ui,
    mut on: bool,
    allowed: bool,
    label: &str,
    hover: &str,
    disabled_hover: &str,
) -> Option<bool> {
    ui.add_enabled(allowed || on, egui::Checkbox::new(&mut on, label))
        .on_hover_text(hover)
        .on_disabled_hover_text(disabled_hover)
        .changed()
        .then_some(on)
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
