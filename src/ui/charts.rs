//! Charts over simulated time, from the report's series (engine histograms per bucket, not averages).

use egui::{RichText, Ui};
use egui_plot::{Legend, Line, Plot, PlotPoints};

use crate::metrics::Report;

use super::theme::chart;

fn points(t: &[f64], y: &[f64], scale: f64) -> PlotPoints<'static> {
    t.iter()
        .zip(y)
        .filter(|(_, y)| y.is_finite())
        .map(|(t, y)| [*t, y * scale])
        .collect()
}

fn plot_ui(
    ui: &mut Ui,
    id: &str,
    title: &str,
    unit: &str,
    height: f32,
    width: f32,
    lines: Vec<Line<'_>>,
) {
    ui.vertical(|ui| {
        ui.set_width(width);
        ui.label(RichText::new(title).strong());
        let unit = unit.to_owned();
        Plot::new(id)
            .height(height)
            .width(width)
            .legend(Legend::default().position(egui_plot::Corner::LeftTop))
            .include_y(0.0)
            .allow_scroll(false)
            .allow_zoom(false)
            .allow_drag(false)
            .x_axis_label("simulated s")
            .y_axis_formatter(move |m, _| format!("{}{}", super::format::rate(m.value), unit))
            .show(ui, |p| {
                for l in lines {
                    p.line(l);
                }
            });
    });
}

/// End-to-end charts, and the selected node's when one is selected.
pub fn charts_ui(ui: &mut Ui, report: Option<&Report>, node: Option<&str>) {
    let Some(r) = report.filter(|r| !r.series.t_s.is_empty()) else {
        ui.centered_and_justified(|ui| {
            ui.label(
                RichText::new("Press Run (Space): charts fill in as simulated time passes.").weak(),
            );
        });
        return;
    };
    let s = &r.series;
    let t = &s.t_s;
    let node_series = node.and_then(|id| s.nodes.iter().find(|n| n.id == id));
    let rows = if node_series.is_some() { 2.0 } else { 1.0 };
    let gap = ui.spacing().item_spacing;
    let width = ((ui.available_width() - 2.0 * gap.x) / 3.0).max(120.0);
    let height = ((ui.available_height() / rows) - 28.0 - gap.y).max(60.0);
    ui.horizontal(|ui| {
        plot_ui(
            ui,
            "latency",
            "End-to-end latency",
            " ms",
            height,
            width,
            vec![
                Line::new("p50", points(t, &s.p50_ms, 1.0)).color(chart::P50),
                Line::new("p95", points(t, &s.p95_ms, 1.0)).color(chart::P95),
                Line::new("p99", points(t, &s.p99_ms, 1.0)).color(chart::P99),
            ],
        );
        plot_ui(
            ui,
            "throughput",
            "Throughput vs offered load",
            "/s",
            height,
            width,
            vec![
                Line::new("offered", points(t, &s.offered_rps, 1.0)).color(chart::OFFERED),
                Line::new("succeeded", points(t, &s.succeeded_rps, 1.0)).color(chart::SUCCEEDED),
            ],
        );
        plot_ui(
            ui,
            "errors",
            "Errors, timeouts, rejections",
            "/s",
            height,
            width,
            vec![
                Line::new("errors", points(t, &s.failed_rps, 1.0)).color(chart::FAILED),
                Line::new("timeouts", points(t, &s.timed_out_rps, 1.0)).color(chart::TIMED_OUT),
                Line::new("rejected", points(t, &s.rejected_rps, 1.0)).color(chart::REJECTED),
            ],
        );
    });
    if let Some(n) = node_series {
        ui.horizontal(|ui| {
            plot_ui(
                ui,
                "node_util",
                &format!("{}: utilization", n.id),
                "%",
                height,
                width,
                vec![
                    Line::new("utilization", points(t, &n.utilization, 100.0))
                        .color(chart::UTILIZATION),
                ],
            );
            plot_ui(
                ui,
                "node_queue",
                &format!("{}: queue length", n.id),
                "",
                height,
                width,
                vec![Line::new("queue", points(t, &n.queue_len, 1.0)).color(chart::QUEUE)],
            );
            plot_ui(
                ui,
                "node_p99",
                &format!("{}: latency p99", n.id),
                " ms",
                height,
                width,
                vec![Line::new("p99", points(t, &n.p99_ms, 1.0)).color(chart::P99)],
            );
        });
    }
}
