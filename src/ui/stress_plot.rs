//! The sweep's charts (latency and throughput against load, with 95% bands, the SLO, the measured and the
//! analytic breaking points) and its table of points. Clicking a point asks to open that run.

use egui::{RichText, Ui};
use egui_plot::{FilledArea, HLine, Line, LineStyle, Plot, PlotPoints, Points, VLine};

use crate::analysis::capacity::Slo;
use crate::analysis::stats::Estimate;
use crate::analysis::sweep::Axis;

use super::format;
use super::stress::SweepOutcome;
use super::theme::{Theme, chart};

fn lo_hi(e: &Estimate) -> (f64, f64) {
    let h = e.half_width.unwrap_or(0.0);
    ((e.mean - h).max(0.0), e.mean + h)
}

/// The x axis's name.
fn x_label(o: &SweepOutcome) -> String {
    match &o.result.spec.axis {
        Axis::Load(_) => "load multiplier (x)".into(),
        Axis::Param { field, load, .. } => format!("{field} (at {load}x load)"),
    }
}

/// The first point that breaks the SLO, if any.
pub fn first_failing(o: &SweepOutcome, slo: &Slo) -> Option<usize> {
    o.result.points.iter().position(|p| !slo.met_by(p))
}

/// The point nearest to plot x `x`.
fn nearest(o: &SweepOutcome, x: f64) -> Option<usize> {
    (0..o.result.points.len()).min_by(|&a, &b| (o.x(a) - x).abs().total_cmp(&(o.x(b) - x).abs()))
}

/// "SLO broken at 7.31x" (or at the parameter's value).
fn broken_label(o: &SweepOutcome, x: f64) -> String {
    match o.result.spec.axis {
        Axis::Load(_) => format!("SLO broken at {x:.2}x"),
        Axis::Param { .. } => format!("SLO broken at {x}"),
    }
}

/// A short coloured stroke and a name (a legend inside these plots would cover the curves).
fn legend_ui(ui: &mut Ui, name: &str, color: egui::Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 10.0), egui::Sense::hover());
    ui.painter()
        .line_segment([rect.left_center(), rect.right_center()], (2.5, color));
    ui.label(RichText::new(name).small().color(color));
}

/// Both charts side by side; returns the point clicked, if any.
pub fn sweep_plots_ui(ui: &mut Ui, o: &SweepOutcome, slo: &Slo) -> Option<usize> {
    let pts = &o.result.points;
    let xs: Vec<f64> = (0..pts.len()).map(|i| o.x(i)).collect();
    let is_load = matches!(o.result.spec.axis, Axis::Load(_));
    let breaking = first_failing(o, slo);
    let width = ((ui.available_width() - ui.spacing().item_spacing.x) / 2.0).max(200.0);
    let height = 220.0;
    // Hockey-stick p99s run into seconds; the interesting part is around the SLO, so the y range stops at
    // a few times the SLO (points above it leave the chart, which is the message).
    let max_p99 = pts.iter().map(|p| p.p99_ms.mean).fold(0.0, f64::max);
    let y_top = max_p99.min(slo.p99_ms * 3.0).max(slo.p99_ms * 1.2);
    let mut clicked = None;
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Latency (successes)").strong());
                legend_ui(ui, "p50", chart::P50);
                legend_ui(ui, "p99 (bands: 95% CI)", chart::P99);
                legend_ui(ui, "analytic mean", chart::ANALYTIC);
                legend_ui(ui, &format!("SLO {}", format::ms(slo.p99_ms)), chart::SLO);
            });
            ui.horizontal_wrapped(|ui| {
                if let Some(i) = breaking {
                    legend_ui(ui, &broken_label(o, xs[i]), chart::BREAK);
                }
                if is_load && let Some(b) = o.result.analytic_breaking_load {
                    legend_ui(
                        ui,
                        &format!("analytic breaking point {b:.2}x"),
                        chart::ANALYTIC,
                    );
                }
            });
            let r = Plot::new("stress_latency")
                .width(width)
                .height(height)
                .allow_zoom(false)
                .allow_scroll(false)
                .allow_drag(false)
                .x_axis_label(x_label(o))
                .y_axis_formatter(|m, _| format!("{} ms", format::rate(m.value)))
                .show(ui, |p| {
                    let (p50_lo, p50_hi): (Vec<f64>, Vec<f64>) =
                        pts.iter().map(|q| lo_hi(&q.p50_ms)).unzip();
                    let (p99_lo, p99_hi): (Vec<f64>, Vec<f64>) =
                        pts.iter().map(|q| lo_hi(&q.p99_ms)).unzip();
                    p.add(
                        FilledArea::new("p99 band", &xs, &p99_lo, &p99_hi)
                            .fill_color(chart::P99_BAND),
                    );
                    p.add(
                        FilledArea::new("p50 band", &xs, &p50_lo, &p50_hi)
                            .fill_color(chart::P50_BAND),
                    );
                    let line = |v: Vec<[f64; 2]>| PlotPoints::from(v);
                    let p99: Vec<[f64; 2]> = xs
                        .iter()
                        .zip(pts)
                        .map(|(x, q)| [*x, q.p99_ms.mean])
                        .collect();
                    let p50: Vec<[f64; 2]> = xs
                        .iter()
                        .zip(pts)
                        .map(|(x, q)| [*x, q.p50_ms.mean])
                        .collect();
                    p.line(
                        Line::new("p99", line(p99.clone()))
                            .color(chart::P99)
                            .width(2.0),
                    );
                    p.points(Points::new("", line(p99)).color(chart::P99).radius(3.0));
                    p.line(Line::new("p50", line(p50)).color(chart::P50).width(2.0));
                    if !o.analytic_curve.is_empty() {
                        p.line(
                            Line::new("analytic mean", line(o.analytic_curve.clone()))
                                .color(chart::ANALYTIC)
                                .style(LineStyle::dashed_loose()),
                        );
                    }
                    p.hline(
                        HLine::new(format!("SLO p99 {}", format::ms(slo.p99_ms)), slo.p99_ms)
                            .color(chart::SLO),
                    );
                    if let Some(i) = breaking {
                        p.vline(VLine::new(broken_label(o, xs[i]), xs[i]).color(chart::BREAK));
                    }
                    if is_load && let Some(b) = o.result.analytic_breaking_load {
                        p.vline(
                            VLine::new(format!("analytic breaking point {b:.2}x"), b)
                                .color(chart::ANALYTIC)
                                .style(LineStyle::dashed_loose()),
                        );
                    }
                    p.set_plot_bounds_y(0.0..=y_top * 1.05);
                    let (lo, hi) = (
                        xs.first().copied().unwrap_or(0.0),
                        xs.last().copied().unwrap_or(1.0),
                    );
                    let pad = (hi - lo).abs().max(1e-9) * 0.03;
                    p.set_plot_bounds_x(lo.min(hi) - pad..=lo.max(hi) + pad);
                    p.pointer_coordinate()
                });
            if r.response.clicked()
                && let Some(c) = r.inner
            {
                clicked = nearest(o, c.x);
            }
            r.response
                .on_hover_text("Click a point to open that run in the main view");
        });
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("Throughput").strong());
                legend_ui(ui, "offered", chart::OFFERED);
                legend_ui(ui, "achieved (band: 95% CI)", chart::SUCCEEDED);
            });
            ui.add_space(ui.spacing().interact_size.y + ui.spacing().item_spacing.y);
            let r = Plot::new("stress_throughput")
                .width(width)
                .height(height)
                .allow_zoom(false)
                .allow_scroll(false)
                .allow_drag(false)
                .include_y(0.0)
                .x_axis_label(x_label(o))
                .y_axis_formatter(|m, _| format!("{}/s", format::rate(m.value)))
                .show(ui, |p| {
                    let (lo, hi): (Vec<f64>, Vec<f64>) =
                        pts.iter().map(|q| lo_hi(&q.throughput_rps)).unzip();
                    p.add(
                        FilledArea::new("achieved 95% CI", &xs, &lo, &hi)
                            .fill_color(chart::SUCCEEDED_BAND),
                    );
                    let offered: Vec<[f64; 2]> = xs
                        .iter()
                        .zip(pts)
                        .map(|(x, q)| [*x, q.offered_rps.mean])
                        .collect();
                    let achieved: Vec<[f64; 2]> = xs
                        .iter()
                        .zip(pts)
                        .map(|(x, q)| [*x, q.throughput_rps.mean])
                        .collect();
                    p.line(
                        Line::new("offered", PlotPoints::from(offered))
                            .color(chart::OFFERED)
                            .style(LineStyle::dashed_dense()),
                    );
                    p.line(
                        Line::new("achieved", PlotPoints::from(achieved.clone()))
                            .color(chart::SUCCEEDED)
                            .width(2.0),
                    );
                    p.points(
                        Points::new("", PlotPoints::from(achieved))
                            .color(chart::SUCCEEDED)
                            .radius(3.0),
                    );
                    if let Some(i) = breaking {
                        p.vline(VLine::new(broken_label(o, xs[i]), xs[i]).color(chart::BREAK));
                    }
                    p.pointer_coordinate()
                });
            if r.response.clicked()
                && let Some(c) = r.inner
            {
                clicked = nearest(o, c.x);
            }
        });
    });
    clicked
}

fn est(e: &Estimate, f: impl Fn(f64) -> String) -> String {
    match e.half_width {
        Some(h) => format!("{} ± {}", f(e.mean), f(h)),
        None => f(e.mean),
    }
}

/// The points as a table, one "Open" button a row; returns the row opened, if any.
pub fn points_table_ui(ui: &mut Ui, o: &SweepOutcome, slo: &Slo) -> Option<usize> {
    let t = Theme::from_visuals(ui.visuals());
    let mut opened = None;
    let head = match &o.result.spec.axis {
        Axis::Load(_) => "load".to_owned(),
        Axis::Param { field, .. } => field.clone(),
    };
    egui::ScrollArea::vertical()
        .id_salt("stress_table")
        .auto_shrink([false, true])
        .max_height(ui.available_height().max(80.0))
        .show(ui, |ui| {
            egui::Grid::new("stress_points")
                .striped(true)
                .num_columns(9)
                .spacing([12.0, 3.0])
                .show(ui, |ui| {
                    for h in [
                        head.as_str(),
                        "offered",
                        "achieved",
                        "p50",
                        "p99 (95% CI)",
                        "failed",
                        "busiest node",
                        "SLO",
                        "",
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for (i, p) in o.result.points.iter().enumerate() {
                        ui.label(format!("{:.3}", o.x(i)));
                        ui.label(format!("{}/s", format::rate(p.offered_rps.mean)));
                        ui.label(format!("{}/s", format::rate(p.throughput_rps.mean)));
                        ui.label(format::ms(p.p50_ms.mean));
                        ui.label(est(&p.p99_ms, format::ms));
                        ui.label(format::pct(p.failure_rate()));
                        let u = p.busiest_utilization.mean;
                        ui.label(
                            RichText::new(format!("{} {}", p.busiest_node, format::pct(u)))
                                .color(t.utilization_color(u)),
                        );
                        if slo.met_by(p) {
                            ui.label(RichText::new("met").color(t.ok));
                        } else {
                            ui.label(RichText::new("broken").color(t.error));
                        }
                        if ui
                            .small_button("Open")
                            .on_hover_text("Load this run into the main view and run it")
                            .clicked()
                        {
                            opened = Some(i);
                        }
                        ui.end_row();
                    }
                });
        });
    opened
}
