//! A queue's topic rows: the switch that makes it a partitioned log, and the log's partitions, keys, key
//! skew and rebalance pause.

use egui::Ui;

use super::rows::{count_row_ui, number_row_ui, switch_row_ui};
use crate::model::{MAX_KEYS, MAX_PARTITIONS, MAX_REBALANCE_MS, QueueParams, Topic};

/// The topic switch and, once on, its rows; true if anything changed.
pub fn topic_rows_ui(ui: &mut Ui, q: &mut QueueParams) -> bool {
    let mut changed = switch_row_ui(
        ui,
        "Partitioned log",
        "Kafka-like topic: each message goes to one partition, every outgoing edge is a consumer group that reads every message, and a partition is read by one consumer of the group, in order",
        &mut q.topic,
        Topic::default,
    );
    if let Some(t) = &mut q.topic {
        changed |= count_row_ui(
            ui,
            "  partitions",
            "A partition is read one message at a time by one consumer of each group: more partitions, more parallel consumers",
            &mut t.partitions,
            1..=MAX_PARTITIONS,
        );
        changed |= count_row_ui(
            ui,
            "  keys",
            "Distinct message keys; a key's hash picks its partition (0: no key, partitions in turn)",
            &mut t.keys,
            0..=MAX_KEYS,
        );
        if t.keys > 0 {
            changed |= number_row_ui(
                ui,
                "  key skew",
                "Zipf exponent of the keys: 0 is uniform, about 1 gives a few hot keys and so a hot partition",
                &mut t.zipf_exponent,
                0.0..=10.0,
                0.01,
                "",
            );
        }
        changed |= number_row_ui(
            ui,
            "  rebalance",
            "How long a group stops reading when a consumer crashes, comes back or is scaled",
            &mut t.rebalance_ms,
            0.0..=MAX_REBALANCE_MS,
            10.0,
            " ms",
        );
    }
    changed
}
