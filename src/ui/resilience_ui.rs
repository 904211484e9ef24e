//! Inspector rows for resilience parameters: retry policies with budgets, queue disciplines, rate limiters,
//! and the pieces of contention experiments (batch arrivals, optimistic concurrency).

use std::collections::BTreeMap;

use egui::{DragValue, Ui};

use super::rows::{count_row_ui, switch_row_ui};

use crate::model::{
    Arrival, CircuitBreaker, Jitter, LimitAlgorithm, NodeKind, Optimistic, QueueDiscipline,
    RateLimiterParams, RetryBudget, RetryPolicy, Scenario,
};

fn ms_value(ui: &mut Ui, v: &mut f64, label: egui::Id) -> bool {
    ui.add(
        DragValue::new(v)
            .clamp_existing_to_range(false)
            .speed(1.0)
            .range(0.0..=3_600_000.0)
            .suffix(" ms"),
    )
    .labelled_by(label)
    .changed()
}

/// Rows (inside a two-column grid) for an optional retry policy; returns whether anything changed.
pub fn retry_rows_ui(ui: &mut Ui, retry: &mut Option<RetryPolicy>) -> bool {
    let mut changed = switch_row_ui(
        ui,
        "Retries",
        "Send again after a timeout, error or rejection",
        retry,
        RetryPolicy::default,
    );
    let Some(r) = retry.as_mut() else {
        return changed;
    };
    changed |= count_row_ui(
        ui,
        "  max retries",
        "At most 1 + this many attempts per request",
        &mut r.max_retries,
        0..=100,
    );
    let l = ui.label("  backoff base").on_hover_text(
        "Sleep before the first retry; doubles each retry up to the cap (0: at once)",
    );
    changed |= ms_value(ui, &mut r.backoff_base_ms, l.id);
    ui.end_row();
    let l = ui.label("  backoff cap").on_hover_text("Longest sleep");
    changed |= ms_value(ui, &mut r.backoff_cap_ms, l.id);
    ui.end_row();
    let l = ui
        .label("  jitter")
        .on_hover_text("How the sleep is randomised (Brooker 2015)");
    egui::ComboBox::from_id_salt("jitter")
        .selected_text(format!("{:?}", r.jitter))
        .show_ui(ui, |ui| {
            for j in Jitter::ALL {
                changed |= ui
                    .selectable_value(&mut r.jitter, j, format!("{j:?}"))
                    .changed();
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    changed |= switch_row_ui(
        ui,
        "  retry budget",
        "Token bucket: each success earns a fraction of a token, each retry costs one",
        &mut r.budget,
        RetryBudget::default,
    );
    if let Some(b) = r.budget.as_mut() {
        let l = ui
            .label("    earn per success")
            .on_hover_text("Tokens a success adds (0 to 1)");
        changed |= ui
            .add(
                DragValue::new(&mut b.earn_per_success)
                    .clamp_existing_to_range(false)
                    .speed(0.01)
                    .range(0.0..=1.0),
            )
            .labelled_by(l.id)
            .changed();
        ui.end_row();
        let l = ui
            .label("    capacity")
            .on_hover_text("Most tokens held; the bucket starts full");
        changed |= ui
            .add(
                DragValue::new(&mut b.capacity)
                    .clamp_existing_to_range(false)
                    .speed(1.0)
                    .range(1.0..=1e9),
            )
            .labelled_by(l.id)
            .changed();
        ui.end_row();
    }
    changed
}

/// A row (inside a two-column grid) choosing a queue discipline.
pub fn discipline_row_ui(ui: &mut Ui, d: &mut QueueDiscipline) -> bool {
    let mut changed = false;
    let l = ui.label("Discipline").on_hover_text(
        "Fifo: oldest first. Lifo: newest first. DropOldest: a full queue drops its oldest request. Priority: highest class priority first",
    );
    egui::ComboBox::from_id_salt("discipline")
        .selected_text(format!("{d:?}"))
        .show_ui(ui, |ui| {
            for x in QueueDiscipline::ALL {
                changed |= ui.selectable_value(d, x, format!("{x:?}")).changed();
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    changed
}

/// Every request class some client sends, sorted.
pub fn scenario_classes(s: &Scenario) -> Vec<String> {
    let mut classes: Vec<String> = s
        .nodes
        .iter()
        .filter_map(|n| match &n.kind {
            NodeKind::Client(c) => Some(c.classes.iter().map(|c| c.name.clone())),
            NodeKind::Service(_)
            | NodeKind::LoadBalancer(_)
            | NodeKind::Cache(_)
            | NodeKind::Database(_)
            | NodeKind::Queue(_)
            | NodeKind::RateLimiter(_)
            | NodeKind::Gateway(_) => None,
        })
        .flatten()
        .collect();
    classes.sort();
    classes.dedup();
    classes
}

/// Rows (inside a two-column grid) giving each request class its priority, under the priority discipline.
pub fn class_priority_rows_ui(
    ui: &mut Ui,
    d: QueueDiscipline,
    prio: &mut BTreeMap<String, u32>,
    classes: &[String],
) -> bool {
    if d != QueueDiscipline::Priority {
        // Priorities mean nothing under the other disciplines (validation refuses them there).
        let had = !prio.is_empty();
        prio.clear();
        return had;
    }
    let mut changed = false;
    for c in classes {
        let l = ui
            .label(format!("  priority of {c}"))
            .on_hover_text("Higher is served first (0 to 255)");
        let mut v = prio.get(c).copied().unwrap_or(0);
        if ui
            .add(
                DragValue::new(&mut v)
                    .clamp_existing_to_range(false)
                    .range(0..=255),
            )
            .labelled_by(l.id)
            .changed()
        {
            if v == 0 {
                prio.remove(c);
            } else {
                prio.insert(c.clone(), v);
            }
            changed = true;
        }
        ui.end_row();
    }
    changed
}

/// Controls for an edge's per-call timeout and retry policy; returns whether anything changed.
pub fn edge_call_ui(
    ui: &mut Ui,
    timeout_ms: &mut Option<f64>,
    retry: &mut Option<RetryPolicy>,
) -> bool {
    let mut changed = false;
    egui::Grid::new("edge_call")
        .num_columns(2)
        .spacing([10.0, 8.0])
        .show(ui, |ui| {
            changed |= switch_row_ui(
                ui,
                "Per-call timeout",
                "The caller gives up on a call after this long and takes it as failed; the callee keeps working on it",
                timeout_ms,
                || 1000.0,
            );
            if let Some(t) = timeout_ms.as_mut() {
                let l = ui.label("  timeout").on_hover_text("Per attempt, network both ways included");
                changed |= ms_value(ui, t, l.id);
                ui.end_row();
            }
            changed |= retry_rows_ui(ui, retry);
        });
    changed
}

/// Controls for an edge's optional circuit breaker; returns whether anything changed.
pub fn breaker_ui(ui: &mut Ui, breaker: &mut Option<CircuitBreaker>) -> bool {
    let mut changed = false;
    let mut on = breaker.is_some();
    if ui
        .checkbox(&mut on, "Circuit breaker")
        .on_hover_text("Fail fast while the callee keeps failing; probe it again after a while")
        .changed()
    {
        *breaker = on.then(CircuitBreaker::default);
        changed = true;
    }
    let Some(b) = breaker.as_mut() else {
        return changed;
    };
    egui::Grid::new("breaker")
        .num_columns(2)
        .spacing([10.0, 8.0])
        .show(ui, |ui| {
            let l = ui
                .label("  failure rate")
                .on_hover_text("Share of failed calls in the window that opens it");
            changed |= ui
                .add(
                    DragValue::new(&mut b.failure_rate)
                        .clamp_existing_to_range(false)
                        .speed(0.01)
                        .range(0.01..=1.0),
                )
                .labelled_by(l.id)
                .changed();
            ui.end_row();
            let l = ui.label("  window").on_hover_text("Last calls judged");
            changed |= ui
                .add(
                    DragValue::new(&mut b.window)
                        .clamp_existing_to_range(false)
                        .range(1..=10_000)
                        .suffix(" calls"),
                )
                .labelled_by(l.id)
                .changed();
            ui.end_row();
            let l = ui
                .label("  open for")
                .on_hover_text("Calls fail at once for this long, then it probes");
            changed |= ms_value(ui, &mut b.open_ms, l.id);
            ui.end_row();
            let l = ui
                .label("  probes")
                .on_hover_text("Trial calls when half-open; all must succeed to close");
            changed |= ui
                .add(
                    DragValue::new(&mut b.probes)
                        .clamp_existing_to_range(false)
                        .range(1..=10_000),
                )
                .labelled_by(l.id)
                .changed();
            ui.end_row();
        });
    changed
}

/// Rows (inside a two-column grid) for a rate limiter's parameters.
pub fn limiter_rows_ui(ui: &mut Ui, r: &mut RateLimiterParams) -> bool {
    let mut changed = limit_rows_ui(ui, r, &LimitAlgorithm::ALL);
    let l = ui
        .label("Per client")
        .on_hover_text("One limit per originating client instead of one for all");
    changed |= ui
        .checkbox(&mut r.per_client, "")
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    changed
}

/// The rows of a limit shared by a rate limiter and a gateway's per-key limit: the algorithm (one of
/// `algorithms`), its rate, burst and window.
pub fn limit_rows_ui(
    ui: &mut Ui,
    r: &mut RateLimiterParams,
    algorithms: &[LimitAlgorithm],
) -> bool {
    let mut changed = false;
    let l = ui.label("Algorithm").on_hover_text(
        "Token bucket: refill at the rate up to the burst. Leaky bucket: a meter draining at the rate, holding the burst. Leaky bucket queue: requests wait in a bucket of burst places and leave evenly at the rate. Fixed / sliding window: rate x window per window",
    );
    egui::ComboBox::from_id_salt("limit_algorithm")
        .selected_text(format!("{:?}", r.algorithm))
        .show_ui(ui, |ui| {
            for &a in algorithms {
                changed |= ui
                    .selectable_value(&mut r.algorithm, a, format!("{a:?}"))
                    .changed();
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
    let l = ui.label("Rate").on_hover_text(
        "Sustained requests/s allowed (per client or per key if the limit is keyed)",
    );
    changed |= ui
        .add(
            DragValue::new(&mut r.rate_rps)
                .clamp_existing_to_range(false)
                .speed(1.0)
                .range(0.001..=1e7)
                .suffix(" req/s"),
        )
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    let l = ui
        .label("Burst")
        .on_hover_text("Bucket size (bucket algorithms; places in the queueing leaky bucket)");
    changed |= ui
        .add(
            DragValue::new(&mut r.burst)
                .clamp_existing_to_range(false)
                .range(1..=10_000_000),
        )
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    let l = ui
        .label("Window")
        .on_hover_text("Window length (window algorithms)");
    changed |= ui
        .add(
            DragValue::new(&mut r.window_ms)
                .clamp_existing_to_range(false)
                .speed(10.0)
                .range(1.0..=3_600_000.0)
                .suffix(" ms"),
        )
        .labelled_by(l.id)
        .changed();
    ui.end_row();
    changed
}

/// The size row of a `Batch` arrival (inside a two-column grid); nothing for other arrivals.
pub fn batch_row_ui(ui: &mut Ui, a: &mut Arrival) -> bool {
    let Arrival::Batch { count } = a else {
        return false;
    };
    count_row_ui(
        ui,
        "  batch size",
        "Requests sent at once at the start (times the load); the rate is ignored",
        count,
        1..=1_000_000,
    )
}

/// The row count (inside a two-column grid) of a database's optimistic concurrency, when it is on; its
/// switch shares the database's "Options" row (`shards_ui::database_options_ui`).
pub fn optimistic_rows_ui(ui: &mut Ui, o: &mut Option<Optimistic>) -> bool {
    match o {
        Some(o) => count_row_ui(
            ui,
            "  rows",
            "Rows the writes spread over at random; 1: every write contends",
            &mut o.rows,
            1..=1_000_000,
        ),
        None => false,
    }
}
