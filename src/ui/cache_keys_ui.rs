//! A cache's key model rows: the switch that replaces the fixed hit ratio with keys (Zipf popularity, an
//! LRU of limited capacity, a TTL, coalescing), and the CDN switch that gives each region its own edge.

use egui::Ui;

use super::rows::{count_row_ui, number_row_ui, switch_row_ui};
use crate::model::{CacheParams, KeyModel, MAX_KEYS};

/// The key model switch and, once on, its rows; true if anything changed.
pub fn cache_keys_rows_ui(ui: &mut Ui, c: &mut CacheParams) -> bool {
    let mut changed = switch_row_ui(
        ui,
        "Key model",
        "Real keys instead of a fixed hit ratio: Zipf popularity, an LRU of limited capacity and a TTL, so a flush or an expiry makes a real stampede on the store behind",
        &mut c.keys,
        KeyModel::default,
    );
    let Some(k) = &mut c.keys else {
        if c.per_region {
            c.per_region = false;
            changed = true;
        }
        return changed;
    };
    changed |= count_row_ui(
        ui,
        "  keys",
        "Distinct keys the requests read",
        &mut k.key_count,
        1..=MAX_KEYS,
    );
    changed |= number_row_ui(
        ui,
        "  key skew",
        "Zipf exponent: 0 is uniform, about 1 is typical of web traffic (a few hot keys)",
        &mut k.zipf_exponent,
        0.0..=10.0,
        0.01,
        "",
    );
    changed |= count_row_ui(
        ui,
        "  capacity",
        "Keys the cache holds; beyond it the least recently used is evicted",
        &mut k.capacity,
        1..=MAX_KEYS,
    );
    changed |= switch_row_ui(
        ui,
        "  expiry",
        "Keys expire a while after they were filled (a TTL)",
        &mut k.ttl_s,
        || 60.0,
    );
    if let Some(ttl) = &mut k.ttl_s {
        changed |= number_row_ui(
            ui,
            "    TTL",
            "Seconds a filled key stays valid",
            ttl,
            0.001..=86_400.0,
            0.5,
            " s",
        );
    }
    let l = ui
        .label("  coalesce")
        .on_hover_text("While one miss for a key is fetching, other lookups of that key wait for it instead of going to the store");
    changed |= ui.checkbox(&mut k.coalesce, "").labelled_by(l.id).changed();
    ui.end_row();
    let l = ui.label("  edge per region").on_hover_text(
        "A CDN: each region of the topology has its own cache, used by that region's clients (each warms and expires on its own)",
    );
    changed |= ui
        .checkbox(&mut c.per_region, "")
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    changed
}
