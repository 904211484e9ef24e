//! The results panel: the same summary as the CLI report, as tables.

use egui::{RichText, Ui};

use crate::metrics::{Report, Tone};

use super::format;
use super::theme::{self, Theme};

/// Summary, request outcomes, latency and the per-node table.
pub fn results_ui(ui: &mut Ui, report: Option<&Report>) {
    let Some(r) = report else {
        ui.label(RichText::new("No results yet: run the simulation.").weak());
        return;
    };
    let t = Theme::from_visuals(ui.visuals());
    egui::ScrollArea::both().auto_shrink([false, false]).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.strong(&r.scenario);
            ui.label(format!(
                "seed {} · load {:.2}x · {:.1} s simulated (warm-up {:.0} s excluded) · {} events",
                r.seed,
                r.load,
                r.sim_time_s,
                r.warmup_s,
                format::thousands(r.events)
            ));
        });
        if let Some(why) = &r.stopped {
            ui.label(RichText::new(format!("Stopped early, partial results: {why}")).color(t.error).strong());
        }
        ui.add_space(4.0);
        let q = &r.requests;
        let frac = |n: u64| if q.offered > 0 { format!(" ({:.2}%)", 100.0 * n as f64 / q.offered as f64) } else { String::new() };
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("Requests: {} offered ({}/s)", format::thousands(q.offered), format::rate(r.offered_rps)));
            ui.label(RichText::new(format!("{} ok{}", format::thousands(q.succeeded), frac(q.succeeded))).color(t.ok));
            let bad = |n: u64, what: &str| RichText::new(format!("{} {what}{}", format::thousands(n), frac(n))).color(if n > 0 { t.error } else { t.weak_text });
            ui.label(bad(q.failed, "errors"));
            ui.label(bad(q.timed_out, "timed out"));
            ui.label(bad(q.rejected, "rejected"));
            if q.rate_limited > 0 {
                ui.label(bad(q.rate_limited, "rate limited (429)"));
            }
            ui.label(format!("{} in flight", format::thousands(q.in_flight)));
            if q.retries > 0 {
                ui.label(format!("{} retries ({:.2} attempts per request)", format::thousands(q.retries), (q.offered + q.retries) as f64 / q.offered.max(1) as f64));
            }
        });
        let l = &r.latency_ms;
        ui.label(format!(
            "Latency (successes): p50 {} · p90 {} · p99 {} · p99.9 {} · max {} · mean {}   Throughput {}/s",
            format::ms(l.p50),
            format::ms(l.p90),
            format::ms(l.p99),
            format::ms(l.p999),
            format::ms(l.max),
            format::ms(l.mean),
            format::rate(r.throughput_rps)
        ));
        if let Some(c) = &r.cost {
            let cur = &c.currency;
            ui.label(format!(
                "Cost at this traffic: {:.2} {cur} per month ({:.0} h), {} per million requests",
                c.monthly,
                c.hours_per_month,
                c.per_million_requests.map_or("-".to_owned(), |x| format!("{x:.4} {cur}")),
            ));
        }
        // Brooker's experiment compares work (conditional writes) and the time the whole batch took.
        if let Some(t_ms) = r.last_resolved_ms {
            ui.label(RichText::new(format!("Batch completed: the last request resolved at {}", format::ms(t_ms))).strong());
        }
        for n in &r.nodes {
            // Closed-loop users: the response time law's figures, so N / X - Z can be read off against R.
            if let Some(c) = &n.closed_loop {
                ui.label(RichText::new(format!(
                    "Closed loop at {}: N {} users · think Z {} · throughput X {}/s · response R {} · N/X - Z = {}",
                    n.id,
                    c.users,
                    format::ms(c.think_time_ms),
                    format::rate(c.throughput_rps),
                    format::ms(c.response_ms),
                    format::ms(c.law_response_ms)
                )).strong());
            }
            for line in crate::metrics::node_lines(n) {
                let text = RichText::new(line.text);
                ui.label(match line.tone {
                    Tone::Plain => text,
                    Tone::Bad { strong: false } => text.color(t.error),
                    Tone::Bad { strong: true } => text.color(t.error).strong(),
                });
            }
        }
        // The duplicates column only when some node counts side effects.
        let dups = r.nodes.iter().any(|n| n.duplicates.is_some());
        ui.add_space(theme::SECTION_GAP);
        egui::Grid::new("nodes_table").striped(true).num_columns(9 + dups as usize).spacing([14.0, 4.0]).show(ui, |ui| {
            for h in ["node", "kind", "util", "queue avg/max", "arrivals", "rejected", "failed", "throughput", "p50 / p99"] {
                ui.label(RichText::new(h).strong());
            }
            if dups {
                ui.label(RichText::new("duplicates").strong());
            }
            ui.end_row();
            for n in &r.nodes {
                ui.label(&n.id);
                ui.label(&n.kind);
                ui.label(RichText::new(format::pct(n.utilization)).color(t.utilization_color(n.utilization)));
                ui.label(format!("{:.1} / {}", n.mean_queue_len, n.max_queue_len));
                ui.label(format::thousands(n.arrivals));
                ui.label(format::thousands(n.rejected));
                ui.label(format::thousands(n.failed));
                ui.label(format!("{}/s", format::rate(n.throughput_rps)));
                ui.label(format!("{} / {}", format::ms(n.latency_ms.p50), format::ms(n.latency_ms.p99)));
                if dups {
                    match n.duplicates {
                        Some(d) => ui.label(RichText::new(format::thousands(d)).color(if d > 0 { t.error } else { t.weak_text })),
                        None => ui.label(""),
                    };
                }
                ui.end_row();
                // A sharded database's shards, indented under it: a hot shard shows red on its own row.
                for sh in n.shards.iter().flatten() {
                    let hot = n.hottest_shard == Some(sh.shard);
                    ui.label(RichText::new(format!("  shard {}{}", sh.shard, if hot { " (hottest)" } else { "" })).weak());
                    ui.label(RichText::new("shard").weak());
                    ui.label(RichText::new(format::pct(sh.utilization)).color(t.utilization_color(sh.utilization)));
                    ui.label(format!("{:.1}", sh.mean_queue_len));
                    ui.label(format::thousands(sh.arrivals));
                    ui.label("");
                    ui.label("");
                    ui.label("");
                    ui.label(format!("{} / {}", format::ms(sh.latency_ms.p50), format::ms(sh.latency_ms.p99)));
                    ui.end_row();
                }
            }
        });
        for n in &r.nodes {
            if let Some(h) = n.hottest_shard.and_then(|h| n.shards.as_ref()?.get(h as usize)) {
                ui.label(RichText::new(format!("Hottest shard of '{}': shard {} at {} (the node averages {}).", n.id, h.shard, format::pct(h.utilization), format::pct(n.utilization))).color(t.utilization_color(h.utilization)));
            }
        }
        if let Some(busiest) = r.nodes.iter().filter(|n| n.utilization > 0.0).max_by(|a, b| a.utilization.total_cmp(&b.utilization)) {
            ui.add_space(4.0);
            let text = if busiest.utilization >= theme::SATURATED {
                format!("Saturated: '{}' is {} busy: it is the bottleneck.", busiest.id, format::pct(busiest.utilization))
            } else {
                format!("Busiest: '{}' at {}; nothing is saturated.", busiest.id, format::pct(busiest.utilization))
            };
            ui.label(RichText::new(text).color(t.utilization_color(busiest.utilization)));
        }
    });
}
